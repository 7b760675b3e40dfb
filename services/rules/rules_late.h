/*  =========================================================================
    rules_late - late-payment charges: SG-8c, SG-8d, SG-8e (holds), L-1, L-2

    The charges a company may add to a late invoice, computed from the
    profile alone: interest per month started or per day with the dated
    legal-rate table (+ points), the flat indemnity (percentage with a floor
    and maybe a ceiling, or brackets with a cap), reminder and formal-notice
    fees. Over them sit the statutes: L-1 for consumers (nothing before the
    14-day window after a free first reminder has passed unpaid; damages,
    fees and the interest rate cut to the statutory caps) and L-2 for
    businesses (default and maximum payment terms; commercial-rate interest
    and the 40.00 compensation only where the profile switches L-2 on).
    A timely invoice complaint (SG-8e) stops every charge while unresolved.

    Amounts in a CHARGE decision are the totals due on facts->as_of for the
    whole life of the invoice: the service shell invoices the difference
    with what earlier decisions for the same invoice already charged.

    Every function is pure: no clock, no I/O. Arrays in the facts belong to
    the caller and are only read.
    =========================================================================
*/
#ifndef RULES_LATE_H_INCLUDED
#define RULES_LATE_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>

#include "pacta_decision.h"
#include "pacta_profile.h"
#include "pacta_rules.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- facts ----------------------------------------------------------------- */

/* SG-8e: where a timely invoice complaint stands. */
typedef enum {
    PACTA_DISPUTE_OPEN = 1,          /* unresolved: no charge runs on the invoice */
    PACTA_DISPUTE_UPHELD,            /* complaint rejected: the invoice stands as issued */
    PACTA_DISPUTE_CORRECTED,         /* invoice corrected (its amount), maybe a new due date */
    PACTA_DISPUTE_CREDITED           /* invoice cancelled by a credit note: nothing is ever due */
} pacta_dispute_state_t;

/* SG-8e: a complaint the shell recorded after rule_sg8e_register_complaint()
   found it timely. */
typedef struct {
    pacta_date_t complained_on;      /* postmark of the complaint */
    pacta_dispute_state_t state;     /* open, or how the operator resolved it */
    pacta_date_t resolved_on;        /* date of the resolution; INVALID while open */
    pacta_date_t new_due_on;         /* CORRECTED: due date set by the operator; INVALID = original */
} pacta_dispute_t;

/* Everything the late-payment rules read about one invoice. */
typedef struct {
    const pacta_contract_t *contract;  /* client kind and contract kind; required */
    const pacta_invoice_t *invoice;    /* the invoice; due_on and amount set; required */
    const pacta_payment_t *payments;   /* payments (of any invoice: matched by id); may be NULL */
    size_t payment_count;              /* entries in payments */
    const pacta_letter_t *letters;     /* letters; only the provider's about this invoice count */
    size_t letter_count;               /* entries in letters */
    const pacta_dispute_t *dispute;    /* SG-8e: NULL when no timely complaint was made */
    pacta_date_t as_of;                /* legal date the charges are computed for */
} pacta_late_facts_t;

/* L-1: where an invoice stands against the consumer's 14-day window. */
typedef enum {
    PACTA_L1_NO_FIRST_REMINDER = 1,  /* no first reminder sent yet: nothing may be charged */
    PACTA_L1_WAITING,                /* inside the window, unpaid: nothing yet */
    PACTA_L1_PAID_IN_WINDOW,         /* paid before the window passed: nothing, ever */
    PACTA_L1_PASSED,                 /* window passed unpaid: charges may run */
    PACTA_L1_NOT_LATE                /* paid by the due date: nothing to charge */
} pacta_l1_state_t;

typedef struct {
    pacta_l1_state_t state;               /* see above */
    pacta_date_t first_reminder_sent_on;  /* sending date of the first reminder; INVALID if none */
    pacta_date_t window_from;             /* first day of the window; INVALID if no reminder */
    pacta_date_t window_to;               /* last day of the window; INVALID if no reminder */
    pacta_date_t charges_from;            /* first day a charge may be made; INVALID if no reminder */
} pacta_l1_window_t;

/* ---- pure computations ------------------------------------------------------- */

/* SG-8c, SG-8d: the company's flat indemnity on an unpaid amount, by the
   terms' method (percentage with floor, or brackets), cut to the terms'
   maximum when they have one; 0 when unpaid <= 0. 0 or -1 (overflow). */
int pacta_late_flat_indemnity(const pacta_late_payment_terms_t *terms, pacta_cents_t unpaid,
                              pacta_cents_t *out);
/* L-1: the most a consumer may owe as damages on that unpaid amount. */
int pacta_l1_damages_cap(const pacta_consumer_debt_law_t *law, pacta_cents_t unpaid, pacta_cents_t *out);
/* L-1: the window of facts' invoice (the first reminder is the provider's
   letter number 1 about the invoice, sent after the due date and by as_of).
   0, or -1 on invalid facts. */
int pacta_l1_window(const pacta_profile_t *profile, const pacta_late_facts_t *facts, pacta_l1_window_t *window);
/* SG-8e: true when charges on facts' invoice are held on facts->as_of: a
   dispute open on that day, an invoice in state DISPUTED, or a credited one. */
bool pacta_late_charges_held(const pacta_late_facts_t *facts);

/* ---- rules -------------------------------------------------------------------- */

/* SG-8c: professional client. Interest at legal rate + points (each month
   started in full, month k at the rate of the year it starts; or per day),
   flat indemnity on the amount unpaid at the end of the due date, reminder
   fees (after the free ones, up to the charged maximum) and one formal-notice
   fee for a registered formal notice. Appends one CHARGE decision when
   something is due; an SG-8e RECORD when charges are held; nothing for a
   consumer, an invoice paid in time, or when the profile block is off. */
int rule_sg8c_professional_late_charges(const pacta_profile_t *profile, const pacta_late_facts_t *facts,
                                        pacta_outcome_t *out);
/* SG-8d under L-1: consumer client. Nothing until the L-1 window has passed
   unpaid (then an L-1 RECORD says why and when, with a timer); afterwards
   interest from the due date at min(legal + points, commercial rate),
   damages cut to the L-1 brackets, fees only for reminders after the free
   ones sent after the window, each at most the L-1 cap plus postage. */
int rule_sg8d_consumer_late_charges(const pacta_profile_t *profile, const pacta_late_facts_t *facts,
                                    pacta_outcome_t *out);
/* SG-8e: appends the RECORD saying charges are held (open dispute) or never
   due (credited) when pacta_late_charges_held(); nothing otherwise. */
int rule_sg8e_hold_disputed_charges(const pacta_profile_t *profile, const pacta_late_facts_t *facts,
                                    pacta_outcome_t *out);
/* L-1: for a consumer invoice whose window has not passed, appends the
   RECORD that nothing is charged (no first reminder yet, waiting until a
   date with a timer, or paid within the window). Nothing otherwise. */
int rule_l1_hold_consumer_charges(const pacta_profile_t *profile, const pacta_late_facts_t *facts,
                                  pacta_outcome_t *out);
/* L-2: professional client, only when the profile's L-2 mode is not off:
   tops the flat indemnity up to the recovery compensation when the terms
   name a lower one (or none), and charges interest per day at the
   commercial rate of each day's half-year when the terms agree no interest.
   One CHARGE decision when something is due. */
int rule_l2_b2b_late_payment(const pacta_profile_t *profile, const pacta_late_facts_t *facts,
                             pacta_outcome_t *out);
/* L-2: a professional invoice under a profile without agreed payment terms
   (invoicing off) is due default days after its (presumed: issue) receipt;
   a printed due date more than the maximum after receipt is refused as
   void. Appends a DEADLINE (or REFUSE); nothing for consumers or when the
   profile has its own terms (SG-8b, CC-3a apply then). */
int rule_l2_default_due_date(const pacta_profile_t *profile, const pacta_client_t *client,
                             const pacta_invoice_t *invoice, pacta_outcome_t *out);

/* All late-payment rules for one invoice, in order: SG-8e hold, then by
   client kind SG-8c and L-2, or L-1 and SG-8d. */
int pacta_late_charges_evaluate(const pacta_profile_t *profile, const pacta_late_facts_t *facts,
                                pacta_outcome_t *out);

#ifdef __cplusplus
}
#endif

#endif
