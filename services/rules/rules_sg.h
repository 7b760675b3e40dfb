/*  =========================================================================
    rules_sg - the Sg Event clauses (SG-2a ... SG-14, except SG-8c/8d, SG-11)

    One function per rule of docs/rules.md, named after it, reading every
    figure from the profile block the rule id names (quote, deposit,
    withdrawal, notice_termination...). They work for any company whose
    profile has the block: the explanation cites the company's own rule id
    and clause ("ACME-4", "acme §4"). The late-payment charges SG-8c/SG-8d
    and the statutes over them are in rules_late.h; retention (SG-11) is in
    the retention family.

    Shape: int rule_sgXX_verb(profile, entities, event facts, out). Each
    appends zero or more decisions to out and returns 0, or -1 on invalid
    input or when out overflows. A rule whose block is off appends nothing;
    in mode propose its decisions are proposals, except refusals, which are
    facts and apply at once. Arrays passed in belong to the caller.
    =========================================================================
*/
#ifndef RULES_SG_H_INCLUDED
#define RULES_SG_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>

#include "pacta_decision.h"
#include "pacta_profile.h"
#include "pacta_rules.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- SG-2a, SG-2b: quotes and deposits --------------------------------------- */

/* SG-2a: last day a quote can be accepted: issue + the validity it states,
   else the profile's. INVALID when the quote has no issue date. */
pacta_date_t pacta_quote_valid_through(const pacta_profile_t *profile, const pacta_quote_t *quote);
/* SG-2a: an acceptance (any form, or work started without objection) on
   accepted_on binds when in time (ACCEPT), else is refused as lapsed
   (REFUSE "lapsed"); a withdrawn quote refuses ("withdrawn"); an already
   accepted one decides nothing. -1 when accepted_on precedes the issue. */
int rule_sg2a_accept_quote(const pacta_profile_t *profile, const pacta_quote_t *quote, pacta_date_t accepted_on,
                           pacta_acceptance_form_t form, pacta_outcome_t *out);
/* SG-2a: an open quote past its validity on as_of lapses (RECORD "lapsed",
   dated the day after the validity). Nothing otherwise. */
int rule_sg2a_lapse_quote(const pacta_profile_t *profile, const pacta_quote_t *quote, pacta_date_t as_of,
                          pacta_outcome_t *out);

/* SG-2b: the deposit invoiced on acceptance: the percentage the quote
   states, else the profile's default, of the quote total (CHARGE). */
int rule_sg2b_invoice_deposit(const pacta_profile_t *profile, const pacta_quote_t *quote, pacta_date_t accepted_on,
                              pacta_outcome_t *out);
/* SG-2b: work may not start until the deposit invoice is paid in full:
   WITHHOLD while it is not on as_of, RELEASE on the day it was. */
int rule_sg2b_hold_work_for_deposit(const pacta_profile_t *profile, const pacta_contract_t *contract,
                                    const pacta_invoice_t *deposit_invoice, const pacta_payment_t *payments,
                                    size_t payment_count, pacta_date_t as_of, pacta_outcome_t *out);

/* ---- SG-3: consumer withdrawal --------------------------------------------------- */

typedef struct {
    pacta_date_t sent_on;               /* the day the client sent the withdrawal */
    bool customised_goods;              /* the order is goods made to the client's specifications */
    bool fully_performed;               /* the service was fully performed by sent_on ... */
    bool consent_and_acknowledgement;   /* ... after express consent and acknowledging the loss of the right */
} pacta_withdrawal_request_t;

/* SG-3: CANCEL on sent_on when in time (the later of order confirmation +
   the profile's days and conclusion + the statutory L-3 days); REFUSE with
   "professional_client", "on_premises", "late", "customised_goods",
   "fully_performed" or "performance_started". A withdrawal after a service
   started but before it was fully performed also tells the operator the
   amount for the performed part must be set by hand. */
int rule_sg3_withdraw_consumer(const pacta_profile_t *profile, const pacta_contract_t *contract,
                               const pacta_withdrawal_request_t *request, pacta_outcome_t *out);

/* ---- SG-4a ... SG-4d: termination ------------------------------------------------ */

/* SG-4a: the client ends a fixed-term service on ends_on: TERMINATE, then a
   CHARGE with the performed services the deposit does not cover
   (max(0, performed - deposit)) and the indemnity (percent of total -
   performed). The deposit is kept; any part above the performed services
   is neither refunded nor set off. REFUSE "not_fixed_term" for other
   contracts; -1 when the amounts are inconsistent. */
int rule_sg4a_terminate_fixed_term(const pacta_profile_t *profile, const pacta_contract_t *contract,
                                   pacta_date_t ends_on, pacta_outcome_t *out);

/* SG-4b: a notice letter (either party) ends a recurring contract: notice
   from the 1st of the month after the (presumed, §0.8) receipt, or from
   the receipt, for the profile's months; TERMINATE on its last day, with a
   timer. REFUSE "not_registered" when the form is wrong, "not_recurring". */
int rule_sg4b_give_notice(const pacta_profile_t *profile, const pacta_contract_t *contract,
                          const pacta_letter_t *letter, pacta_outcome_t *out);
/* SG-4b: a party that stopped after last_observed_day, before notice_to,
   owes the fees of the unobserved days: whole billing periods in full, a
   partly unobserved one pro rata by days (CHARGE NOTICE_FEES). Needs the
   contract's start_on, billing_period and fee_per_period. */
int rule_sg4b_charge_unobserved_notice(const pacta_profile_t *profile, const pacta_contract_t *contract,
                                       pacta_date_t notice_to, pacta_date_t last_observed_day,
                                       pacta_outcome_t *out);

/* SG-4c: the provider ends the contract at once on one ground (a single
   PACTA_GROUND_* bit; 0 for any other ground) recorded on recorded_on:
   TERMINATE with a written notice of the reasons to the client, or REFUSE
   "ground_not_allowed". */
int rule_sg4c_terminate_for_cause(const pacta_profile_t *profile, const pacta_contract_t *contract,
                                  unsigned ground, pacta_date_t recorded_on, pacta_outcome_t *out);

/* SG-4d: what is known of the provider's default. */
typedef struct {
    pacta_date_t formal_notice_sent_on; /* client's formal notice (mise en demeure); INVALID if none */
    pacta_date_t cure_by;               /* last day of the time it gave the provider */
    bool still_in_default;              /* the provider has not performed since */
    bool caused_by_client;              /* the client caused the default */
} pacta_provider_default_t;

/* SG-4d: the client's termination received on received_on ends the
   contract that day without indemnity or notice (TERMINATE), or is
   refused: "no_formal_notice", "cure_time_running" (with the date it
   becomes possible), "caused_by_client", "not_in_default". */
int rule_sg4d_terminate_for_provider_default(const pacta_profile_t *profile, const pacta_contract_t *contract,
                                             const pacta_provider_default_t *facts, pacta_date_t received_on,
                                             pacta_outcome_t *out);

/* ---- SG-5a, SG-5b, SG-5c: performance -------------------------------------------- */

/* SG-5a: a period during which execution deadlines stand still. */
typedef struct {
    unsigned cause;       /* one PACTA_SUSPEND_* bit */
    pacta_date_t from;    /* first day suspended */
    pacta_date_t to;      /* last day suspended: the day before work resumes */
} pacta_deadline_suspension_t;

/* SG-5a: the deadline `days` (business or calendar days per the profile)
   after start_on, extended by the days of every suspension of a cause
   the profile lists that begins on or before the deadline reached so far.
   0 and *deadline, or -1. */
int pacta_sg5a_deadline(const pacta_profile_t *profile, pacta_date_t start_on, int days,
                        const pacta_deadline_suspension_t *suspensions, size_t suspension_count,
                        pacta_date_t *base_deadline, pacta_date_t *deadline);
/* SG-5a: DEADLINE decision for that computation (date = without
   suspensions, until = extended one), with a timer the day after. */
int rule_sg5a_execution_deadline(const pacta_profile_t *profile, const char *ref, pacta_date_t start_on, int days,
                                 const pacta_deadline_suspension_t *suspensions, size_t suspension_count,
                                 pacta_outcome_t *out);
/* SG-5a: a missed imperative deadline owes the client the profile's
   percentage of the late services (CREDIT, negative OWED_TO_CLIENT); a
   missed indicative one is recorded ("indicative", nothing owed). Missed
   means delivered after the deadline, or not delivered by as_of > deadline. */
int rule_sg5a_late_delivery_indemnity(const pacta_profile_t *profile, const char *ref, pacta_date_t deadline,
                                      bool imperative, pacta_date_t delivered_on, pacta_date_t as_of,
                                      pacta_cents_t late_services_amount, pacta_outcome_t *out);

/* SG-5b: client changes costing more than the threshold of the agreed
   amount (cumulated) warn the client that the extra cost is theirs
   (NOTIFY). Exactly the threshold does not warn. */
int rule_sg5b_warn_change_cost(const pacta_profile_t *profile, const pacta_contract_t *contract,
                               pacta_cents_t agreed_amount, pacta_cents_t extra_cost, pacta_date_t as_of,
                               pacta_outcome_t *out);

/* SG-5c: invoices (and deposits) of the contract unpaid after their due date
   suspend the work from the next day (+ grace), with an e-mail to the
   client (SUSPEND "unpaid"); a contract suspended for "unpaid" resumes on
   the day every overdue amount is paid (RESTORE). Disputed and credited
   invoices never count. */
int rule_sg5c_suspend_unpaid(const pacta_profile_t *profile, const pacta_contract_t *contract,
                             const pacta_invoice_t *invoices, size_t invoice_count, const pacta_payment_t *payments,
                             size_t payment_count, pacta_date_t as_of, pacta_outcome_t *out);

/* ---- SG-8a, SG-8b, SG-8e: invoices ------------------------------------------------ */

/* SG-8a: deliverables are withheld until the contract's total_amount is
   paid in full (payments on its invoices, late charges excluded):
   WITHHOLD with the outstanding amount, or RELEASE on the day it was. */
int rule_sg8a_retain_deliverables(const pacta_profile_t *profile, const pacta_contract_t *contract,
                                  const pacta_invoice_t *invoices, size_t invoice_count,
                                  const pacta_payment_t *payments, size_t payment_count, pacta_date_t as_of,
                                  pacta_outcome_t *out);

/* SG-8b (and CC-3a for companies with the same block): the due date is the
   one printed on the invoice when the profile lets it prevail, else issue
   + the profile's days (DEADLINE with a "due_date_passed" timer). A
   business invoice printing a due date beyond the L-2 maximum after its
   receipt is refused ("due_term_void"); one before its issue too. */
int rule_sg8b_set_due_date(const pacta_profile_t *profile, const pacta_client_t *client,
                           const pacta_invoice_t *invoice, pacta_outcome_t *out);

/* SG-8e: a complaint about an invoice posted in time (the profile's clear
   days after the invoice's receipt, its issue date when unknown) and in the
   required form makes it disputed (RECORD "disputed"); otherwise it is
   recorded and the invoice deemed accepted ("late" or "wrong_form"). */
int rule_sg8e_register_complaint(const pacta_profile_t *profile, const pacta_invoice_t *invoice,
                                 const pacta_letter_t *complaint, pacta_outcome_t *out);

/* ---- SG-9, SG-10, SG-14: negotiation, changes, mediation ------------------------------ */

/* SG-9: a renegotiation notified on notified_on ends at the latest after
   the profile's days: RECORD "agreed" when agreed_on is in time, RECORD
   "failed" from the day after once as_of passes it, else DEADLINE. */
int rule_sg9_renegotiation(const pacta_profile_t *profile, const char *ref, pacta_date_t notified_on,
                           pacta_date_t agreed_on, pacta_date_t as_of, pacta_outcome_t *out);

/* SG-10: changed terms sent on change->notified_on apply from the later of
   the 1st of the next month (or the sending day, per the profile) and the
   day after the objection period (EFFECTIVE, with a timer); a timely
   objection means they never apply to this client (RECORD "objected"). */
int rule_sg10_terms_change(const pacta_profile_t *profile, const pacta_contract_t *contract,
                           const pacta_terms_change_event_t *change, pacta_outcome_t *out);

/* SG-14: mediation asked on requested_on must start within the profile's
   clear days and lasts at most its clear days from the start; then court
   is possible. DEADLINE(s) and timers, RECORD "court_possible" when it did
   not start in time by as_of, RECORD "payment_claim" for payment claims
   (collection never waits for mediation). */
int rule_sg14_mediation(const pacta_profile_t *profile, const char *ref, pacta_date_t requested_on,
                        pacta_date_t started_on, bool payment_claim, pacta_date_t as_of, pacta_outcome_t *out);

#ifdef __cplusplus
}
#endif

#endif
