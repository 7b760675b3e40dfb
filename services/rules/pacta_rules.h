/* FRAMEWORK READY */
/*  =========================================================================
    pacta_rules - the entities rules reason about, and shared helpers

    Plain structs, filled by the service shells from Redis and events: a
    client, a contract, a quote, invoices and payments, letters (notices,
    reminders, complaints), data subjects and their requests. Dates are legal
    Brussels dates (pacta_date_t, PACTA_DATE_INVALID when unknown); amounts
    are cents. Nothing here owns memory: arrays passed to rules belong to
    the caller and are only read.

    Rule functions live in one header per family (rules_cc.h, rules_sg.h,
    rules_retention.h, rules_withdrawal.h...). Their shape is always
        int rule_<id>_<verb>(const pacta_profile_t *profile, <entities>,
                             <event facts>, pacta_outcome_t *out);
    they append zero or more decisions to out and return 0, or -1 on invalid
    input (a date or amount out of range, a missing rate) or when out
    overflows. A rule whose profile block is OFF (or absent) appends nothing
    and returns 0; in mode propose its decisions are proposals.
    =========================================================================
*/
#ifndef PACTA_RULES_H_INCLUDED
#define PACTA_RULES_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>

#include "pacta_date.h"
#include "pacta_decision.h"
#include "pacta_money.h"
#include "pacta_profile.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- clients ------------------------------------------------------------- */

typedef enum {
    PACTA_CLIENT_PROFESSIONAL = 1,   /* a business: SG-8c, L-2 */
    PACTA_CLIENT_CONSUMER            /* a consumer: SG-3, SG-8d, L-1, L-3 */
} pacta_client_kind_t;

typedef struct {
    char id[PACTA_REF_SIZE];         /* client id in the CRM */
    pacta_client_kind_t kind;        /* professional or consumer */
    pacta_lang_t language;           /* language of messages to the client */
} pacta_client_t;

/* ---- contracts ------------------------------------------------------------ */

typedef enum {
    PACTA_CONTRACT_PACK = 1,         /* CC-1: a subscription pack, billed per period */
    PACTA_CONTRACT_A_LA_CARTE,       /* CC-1, CC-7: an order of à-la-carte services */
    PACTA_CONTRACT_FIXED_TERM,       /* SG-4a: a fixed-term or clearly defined service */
    PACTA_CONTRACT_RECURRING         /* SG-4b: a recurring contract of indefinite term */
} pacta_contract_kind_t;

typedef enum {
    PACTA_CONTRACT_PENDING = 1,      /* signed facts recorded, not started yet */
    PACTA_CONTRACT_ACTIVE,           /* running normally */
    PACTA_CONTRACT_SUSPENDED,        /* performance suspended (see suspension_reason) */
    PACTA_CONTRACT_ENDED,            /* past its last day */
    PACTA_CONTRACT_CANCELLED         /* withdrawn (CC-9, SG-3): as if never made */
} pacta_contract_state_t;

/* CC-17: the facts that can start a contract; INVALID when not (yet) known. */
typedef struct {
    pacta_date_t order_form_signed_on;   /* order form signed (bon de commande) */
    pacta_date_t e_signed_on;            /* electronic signature */
    pacta_date_t quote_validated_on;     /* quote validated */
    pacta_date_t first_used_on;          /* first use of the services */
    pacta_date_t order_confirmed_on;     /* SG-3: order confirmation */
    bool at_distance;                    /* SG-3: concluded at a distance or off premises */
} pacta_formation_t;

typedef struct {
    char id[PACTA_REF_SIZE];             /* contract id */
    pacta_client_t client;               /* who the contract is with */
    pacta_contract_kind_t kind;          /* pack, à la carte, fixed term, recurring */
    pacta_contract_state_t state;        /* current state */
    char pack_id[PACTA_PACK_ID_SIZE];    /* CC-1: pack slug ("start"); "" if none */
    unsigned billing_period;             /* CC-1: one PACTA_BILLING_* bit; 0 if not billed per period */
    pacta_cents_t fee_per_period;        /* CC-1: price of one billing period, excl. VAT */
    bool has_a_la_carte_lines;           /* CC-9: a pack order that also holds à-la-carte lines */
    pacta_formation_t formation;         /* CC-17, CC-9, SG-3: how and when it was made */
    pacta_date_t start_on;               /* CC-17: start date; INVALID until known */
    pacta_date_t ends_on;                /* last day once decided; INVALID while open-ended */
    pacta_date_t performance_started_on; /* CC-9, SG-3: first service performed; INVALID if none */
    bool invoice_issued;                 /* CC-17: at least one invoice exists */
    pacta_date_t suspended_since;        /* first day of the running suspension; INVALID if none */
    char suspension_reason[PACTA_REASON_SIZE]; /* "unpaid", "content", "force_majeure"; "" */
    pacta_cents_t total_amount;          /* SG-2b, SG-4a: agreed total of a defined service */
    pacta_cents_t deposit_amount;        /* SG-2b, SG-4a: deposit invoiced */
    pacta_cents_t deposit_paid;          /* SG-2b, SG-4a: part of the deposit received */
    pacta_cents_t performed_amount;      /* SG-4a: value of the services performed so far */
} pacta_contract_t;

/* ---- quotes (offers) ------------------------------------------------------- */

typedef enum {
    PACTA_QUOTE_OPEN = 1,            /* issued, within validity, not accepted */
    PACTA_QUOTE_ACCEPTED,            /* accepted in time: binds */
    PACTA_QUOTE_LAPSED,              /* validity passed without acceptance */
    PACTA_QUOTE_WITHDRAWN            /* withdrawn by the provider */
} pacta_quote_state_t;

typedef enum {
    PACTA_ACCEPTED_BY_SIGNATURE = 1, /* a signed document */
    PACTA_ACCEPTED_BY_EMAIL,         /* an e-mail */
    PACTA_ACCEPTED_VERBALLY,         /* spoken agreement */
    PACTA_ACCEPTED_BY_WORK_STARTED   /* work started without objection */
} pacta_acceptance_form_t;

typedef struct {
    char id[PACTA_REF_SIZE];         /* quote number */
    pacta_client_t client;           /* to whom */
    pacta_quote_state_t state;       /* current state */
    pacta_date_t issued_on;          /* SG-2a: issue date */
    int validity_days;               /* SG-2a: validity the quote states; 0 = profile default */
    pacta_cents_t total;             /* SG-2b: total amount excl. VAT */
    bool deposit_percent_stated;     /* SG-2b: the quote names its own deposit percentage */
    pacta_bp_t deposit_percent;      /* SG-2b: that percentage, when stated */
} pacta_quote_t;

/* ---- invoices and payments --------------------------------------------------- */

typedef enum {
    PACTA_INVOICE_SUBSCRIPTION = 1,  /* CC-3a: a billing period of a pack */
    PACTA_INVOICE_OPTION,            /* CC-7: an option added to a pack */
    PACTA_INVOICE_A_LA_CARTE,        /* CC-7: à-la-carte services */
    PACTA_INVOICE_DEPOSIT,           /* SG-2b: deposit */
    PACTA_INVOICE_SERVICES,          /* SG: services performed / balance */
    PACTA_INVOICE_INDEMNITY,         /* CC-2c, SG-4a: termination indemnity */
    PACTA_INVOICE_CHARGES            /* SG-8c, SG-8d: late-payment charges */
} pacta_invoice_kind_t;

typedef enum {
    PACTA_INVOICE_OPEN = 1,          /* issued, not fully paid */
    PACTA_INVOICE_PAID,              /* paid in full */
    PACTA_INVOICE_DISPUTED,          /* SG-8e: timely complaint, unresolved */
    PACTA_INVOICE_CREDITED           /* cancelled by a credit note */
} pacta_invoice_state_t;

typedef struct {
    char id[PACTA_REF_SIZE];         /* invoice number: "F-2025-014" */
    char contract_id[PACTA_REF_SIZE];/* contract it belongs to */
    pacta_invoice_kind_t kind;       /* what it bills */
    pacta_invoice_state_t state;     /* current state */
    pacta_date_t issued_on;          /* issue date */
    pacta_date_t received_on;        /* SG-8e, L-2: receipt by the client; INVALID = unknown */
    pacta_date_t printed_due_on;     /* SG-8b: due date printed on it; INVALID if none */
    pacta_date_t due_on;             /* effective due date (CC-3a, SG-8b) */
    pacta_date_t period_from;        /* CC-3a: first day of the period billed; INVALID if none */
    pacta_date_t period_to;          /* CC-3a: last day of the period billed; INVALID if none */
    pacta_cents_t amount;            /* total to pay, cents (after discounts) */
} pacta_invoice_t;

typedef struct {
    char id[PACTA_REF_SIZE];         /* payment id (bank line, PSP id) */
    char invoice_id[PACTA_REF_SIZE]; /* invoice it settles */
    pacta_cents_t amount;            /* amount received, cents (> 0) */
    pacta_date_t received_on;        /* value (receipt) date: the one rules read */
} pacta_payment_t;

/* ---- letters: notices, reminders, complaints, requests ------------------------ */

typedef enum {
    PACTA_SENT_EMAIL = 1,            /* e-mail */
    PACTA_SENT_LETTER,               /* ordinary letter */
    PACTA_SENT_REGISTERED,           /* registered letter (recommandé) */
    PACTA_SENT_WEBSITE,              /* published on the website (CC-14) */
    PACTA_SENT_IN_PERSON             /* handed over / spoken */
} pacta_sent_via_t;

typedef enum {
    PACTA_FROM_CLIENT = 1,           /* the client sent it */
    PACTA_FROM_PROVIDER              /* the company sent it */
} pacta_party_t;

/* Any dated written act: a non-renewal notice, a termination letter, a
   reminder, a formal notice, a complaint, a withdrawal. */
typedef struct {
    char id[PACTA_REF_SIZE];         /* letter id */
    char ref[PACTA_REF_SIZE];        /* what it is about: contract or invoice id */
    pacta_party_t from;              /* who sent it */
    pacta_sent_via_t via;            /* how it was sent */
    pacta_date_t sent_on;            /* postmark / sending date */
    pacta_date_t proven_received_on; /* proven receipt date; INVALID = presume (§0.8) */
    int number;                      /* reminders: 1 for the 1st reminder...; else 0 */
    bool formal_notice;              /* a formal notice (mise en demeure) */
    pacta_cents_t postage;           /* SG-8d: actual postage of a reminder letter */
} pacta_letter_t;

/* A contract's money history as rules read it: every array belongs to the
   caller and may be NULL when its count is 0. Payments and letters are
   matched to invoices by id (payment->invoice_id, letter->ref). */
typedef struct {
    const pacta_invoice_t *invoices;   /* the contract's invoices, any order */
    size_t invoice_count;              /* entries in invoices */
    const pacta_payment_t *payments;   /* payments received, any order */
    size_t payment_count;              /* entries in payments */
    const pacta_letter_t *letters;     /* reminders and formal notices sent */
    size_t letter_count;               /* entries in letters */
} pacta_ledger_t;

/* ---- CapConnect facts ---------------------------------------------------------- */

/* CC-5: a campaign and its advertising budget. */
typedef struct {
    char id[PACTA_REF_SIZE];           /* campaign id */
    pacta_date_t launch_on;            /* launch date L */
    pacta_date_t budget_confirmed_on;  /* Brussels date of the confirmation; INVALID if none */
} pacta_campaign_t;

/* CC-8: a referral discount already earned by the sponsor. */
typedef struct {
    char referee_contract_id[PACTA_REF_SIZE]; /* the referee's contract */
    pacta_date_t signed_on;                   /* the day the referee signed */
    pacta_cents_t earned;                     /* discount earned (after the cap) */
} pacta_referral_earning_t;

/* CC-4: client content expected by a deadline. */
typedef struct {
    char id[PACTA_REF_SIZE];           /* content item / publication batch */
    pacta_date_t due_on;               /* agreed deadline */
    pacta_date_t delivered_on;         /* delivery date; INVALID if not delivered */
} pacta_content_t;

/* CC-13, SG-5a: a force-majeure event. */
typedef struct {
    char id[PACTA_REF_SIZE];           /* event id */
    pacta_date_t started_on;           /* first day (day 1) */
    pacta_date_t ended_on;             /* last day; INVALID while it goes on */
} pacta_force_majeure_event_t;

/* CC-14, SG-10: a change of the terms or of the services. */
typedef struct {
    char id[PACTA_REF_SIZE];           /* change id / terms version */
    pacta_date_t published_on;         /* CC-14: published on the website; INVALID if not */
    pacta_date_t notified_on;          /* CC-14, SG-10: sent to the client; INVALID if not */
    bool changes_services;             /* CC-14: the services themselves change */
    pacta_date_t accepted_on;          /* CC-14: client's acceptance; INVALID if none */
    pacta_date_t objected_on;          /* SG-10: client's objection; INVALID if none */
} pacta_terms_change_event_t;

/* ---- data subjects (rules.md §5) ------------------------------------------------ */

typedef enum {
    PACTA_SUBJECT_ACTIVE = 1,        /* normal processing */
    PACTA_SUBJECT_RESTRICTED,        /* restriction of processing / archived */
    PACTA_SUBJECT_ERASED             /* key destroyed */
} pacta_subject_state_t;

typedef struct {
    char id[PACTA_REF_SIZE];         /* data-subject id */
    pacta_subject_state_t state;     /* current state */
    bool has_running_contract;       /* a contract still needs the data */
    pacta_date_t last_contract_ended_on; /* last day of the last contract; INVALID if running */
} pacta_data_subject_t;

typedef enum {
    PACTA_DSR_ACCESS = 1,            /* access and portability (one export) */
    PACTA_DSR_RECTIFICATION,         /* rectification */
    PACTA_DSR_ERASURE,               /* erasure of everything not under L-5 */
    PACTA_DSR_RESTRICTION,           /* restriction of processing */
    PACTA_DSR_OBJECTION,             /* objection */
    PACTA_DSR_WITHDRAW_CONSENT       /* withdrawal of consent */
} pacta_dsr_kind_t;

typedef struct {
    char id[PACTA_REF_SIZE];         /* request id */
    char subject_id[PACTA_REF_SIZE]; /* data subject */
    pacta_dsr_kind_t kind;           /* which right */
    pacta_date_t received_on;        /* L-4: receipt date */
    pacta_date_t extension_notified_on; /* L-4: subject told of an extension; INVALID if none */
    pacta_date_t answered_on;        /* answered; INVALID while open */
} pacta_dsr_t;

/* ---- shared helpers ------------------------------------------------------------ */

/* Months in one billing period: 1, 3 or 12 for PACTA_BILLING_MONTHLY /
   QUARTERLY / ANNUAL; 0 for anything else (not one known bit). */
int pacta_billing_period_months(unsigned billing_period);
/* CC-1: annual subscription = fee per period x periods a year. 0 and *out,
   or -1 (not billed per period, overflow). */
int pacta_contract_annual_fee(const pacta_contract_t *contract, pacta_cents_t *out);
/* Sum of the payments for invoice->id with a value date <= date. */
pacta_cents_t pacta_invoice_paid_by(const pacta_invoice_t *invoice, const pacta_payment_t *payments,
                                    size_t payment_count, pacta_date_t date);
/* The value date on which the payments for invoice->id first reach its
   amount (payments in any order); INVALID if never. An invoice of amount
   <= 0 counts as paid on its issue date. */
pacta_date_t pacta_invoice_fully_paid_on(const pacta_invoice_t *invoice, const pacta_payment_t *payments,
                                         size_t payment_count);
/* §0.8: the proven receipt date, or the presumed one (the profile's n-th
   business day after sending, with its holidays) for a letter; for e-mail,
   website and in-person acts the sending date itself. */
pacta_date_t pacta_letter_received_on(const pacta_profile_t *profile, const pacta_letter_t *letter);

#ifdef __cplusplus
}
#endif

#endif
