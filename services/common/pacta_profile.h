/*  =========================================================================
    pacta_profile - a company's terms profile, loaded from YAML

    A profile carries every figure of one company's general terms and of the
    Belgian statutes they lean on, typed (dates, cents, basis points, modes,
    day counts with their unit in the field name). Rules are pure functions
    over this struct; no figure of the terms is written in C.

    How to find a rule's parameters: every rule of docs/rules.md has a block
    here named after what it does, and each field comments the rule ids it
    serves (grep "CC-3b" finds it). Both shipped companies use the SAME
    struct: a rule a company does not have is absent from its YAML, which
    leaves its block zeroed with rule.mode == PACTA_RULE_OFF. Always test
    pacta_rule_enabled(&p->block.rule) before reading a block's figures.
    Each block also names the rule id and clause as the company's document
    numbers them, so an explanation can say "sgevent §4" without C code
    knowing the company.

    Ownership: pacta_profile_load() and pacta_profile_set_load_dir() return
    objects the caller owns and MUST release with the matching _destroy().
    Profiles in a set belong to the set.
    =========================================================================
*/
#ifndef PACTA_PROFILE_H_INCLUDED
#define PACTA_PROFILE_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>

#include "pacta_date.h"
#include "pacta_money.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- limits ----------------------------------------------------------- */

#define PACTA_PROFILE_MAX_FILE_BYTES (1024 * 1024) /* larger files are refused */
#define PACTA_PROFILE_MAX_FILES 256                 /* profiles per directory */
#define PACTA_PROFILE_PATH_SIZE 512                 /* longest source path kept */
#define PACTA_TENANT_SIZE 33          /* [a-z0-9_-], 1..32 chars: goes into Redis keys */
#define PACTA_COMPANY_NAME_SIZE 129   /* display name, 1..128 bytes */
#define PACTA_RULE_ID_SIZE 16         /* "CC-3b", "SG-8d", "L-2" */
#define PACTA_CLAUSE_SIZE 48          /* "§4(2)", "§14, §20" */
#define PACTA_SOURCE_SIZE 128         /* statute citation */
#define PACTA_PACK_ID_SIZE 33         /* pack slug as contracts name it */
#define PACTA_PACK_NAME_SIZE 65       /* pack display name */
#define PACTA_PROFILE_MAX_PACKS 16
#define PACTA_PROFILE_MAX_BRACKETS 8
#define PACTA_PROFILE_MAX_RATES 64    /* entries per dated rate table */
#define PACTA_PROFILE_MAX_HOLIDAYS 64 /* extra holidays */

/* ---- shared vocabulary ------------------------------------------------- */

/* How a rule is applied (rules.md §0 "discretionary rights"). OFF is zero so
   an absent block is off. */
typedef enum {
    PACTA_RULE_OFF = 0,  /* the company does not have, or does not use, the rule */
    PACTA_RULE_AUTO,     /* apply at once */
    PACTA_RULE_PROPOSE   /* record a pending decision for an operator */
} pacta_rule_mode_t;

/* Identity of one rule as the company's document numbers it. */
typedef struct {
    char id[PACTA_RULE_ID_SIZE];     /* rule id cited in explanations: "CC-3b" */
    char clause[PACTA_CLAUSE_SIZE];  /* article of the terms: "§3" */
    pacta_rule_mode_t mode;          /* OFF when the block is absent */
} pacta_rule_t;

/* Identity of a statute block (always applies; the law is not optional). */
typedef struct {
    char id[PACTA_RULE_ID_SIZE];      /* "L-1" ... "L-5" */
    char source[PACTA_SOURCE_SIZE];   /* the law cited in explanations */
} pacta_statute_t;

/* How a notice or complaint must be sent. */
typedef enum {
    PACTA_SENT_BY_WRITING = 1,          /* any written form, e-mail included */
    PACTA_SENT_BY_REGISTERED_LETTER     /* registered letter (recommandé) */
} pacta_sent_by_t;

/* ---- calendar (rules.md §0) -------------------------------------------- */

typedef struct {
    int registered_letter_receipt_business_days;           /* §0, CC-2c, SG-4b: presumed receipt day (3) */
    pacta_date_t extra_holidays[PACTA_PROFILE_MAX_HOLIDAYS]; /* §0: closing days beyond legal holidays, increasing */
    size_t extra_holiday_count;                           /* entries used in extra_holidays */
} pacta_calendar_terms_t;

/* ---- dated rate tables ------------------------------------------------- */

typedef struct {
    int year;            /* calendar year the rate applies to */
    pacta_bp_t rate;     /* annual rate, e.g. 450 = 4.50 % */
} pacta_year_rate_t;

typedef struct {
    int year;            /* calendar year */
    int half;            /* 1 = January-June, 2 = July-December */
    pacta_bp_t rate;     /* annual rate for that half-year */
} pacta_half_year_rate_t;

typedef struct {
    pacta_year_rate_t legal[PACTA_PROFILE_MAX_RATES];            /* SG-8c/8d: legal rate (1865) by year, increasing */
    size_t legal_count;                                            /* entries used in legal */
    pacta_half_year_rate_t commercial[PACTA_PROFILE_MAX_RATES];  /* L-1 cap, L-2: Law-2002 rate by half-year, increasing */
    size_t commercial_count;                                       /* entries used in commercial */
} pacta_interest_rates_t;

/* ---- statutes (rules.md §3) --------------------------------------------- */

/* One bracket: for lower < A <= up_to (lower = previous up_to, or 0), the
   indemnity is fixed + percent_over_lower of (A - lower). */
typedef struct {
    bool open_ended;                   /* last bracket: no upper bound */
    pacta_cents_t up_to;               /* inclusive upper bound (unused when open_ended) */
    pacta_cents_t fixed;               /* indemnity at the lower bound */
    pacta_bp_t percent_over_lower;     /* share of the part above the lower bound */
} pacta_indemnity_bracket_t;

typedef struct {
    pacta_statute_t statute;                              /* L-1 */
    int free_reminders;                                   /* L-1: first reminder(s) free of charge */
    int waiting_calendar_days_after_first_reminder;       /* L-1: nothing charged for 14 days after 1st reminder */
    int postal_reminder_counts_from_business_day;         /* L-1: posted reminder counts from 3rd business day */
    pacta_cents_t reminder_fee_cap;                       /* L-1: at most 7.50 per reminder from the 2nd ... */
    bool reminder_fee_cap_plus_postage;                   /* L-1: ... plus postage */
    int recurring_free_due_dates_per_year;                /* L-1: recurring: 3 due dates a year remind free */
    bool interest_capped_at_commercial_rate;              /* L-1: consumer interest <= Law-2002 rate */
    /* L-1: the most a consumer may owe as damages, by bracket of the unpaid amount (cuts SG-8d) */
    pacta_indemnity_bracket_t damages_brackets[PACTA_PROFILE_MAX_BRACKETS];
    size_t damages_bracket_count;                         /* entries used in damages_brackets */
    pacta_cents_t damages_max;                            /* L-1: damages never above 2,000.00 */
} pacta_consumer_debt_law_t;

typedef struct {
    pacta_statute_t statute;                     /* L-2 */
    int default_due_calendar_days;               /* L-2: due 30 days after receipt when no term agreed */
    int max_agreed_due_calendar_days;            /* L-2: agreed terms beyond 60 days are void */
    pacta_cents_t recovery_compensation;         /* L-2: fixed 40.00 due without reminder */
    pacta_rule_mode_t mode;                      /* L-2: off = never charge the interest or the 40.00 */
} pacta_b2b_late_payment_law_t;

typedef struct {
    pacta_statute_t statute;                     /* L-3 */
    int calendar_days;                           /* L-3: 14 days, services from the day after conclusion */
} pacta_withdrawal_law_t;

typedef struct {
    pacta_statute_t statute;                     /* L-4 */
    int answer_within_months;                    /* L-4: answer within 1 month of receipt */
    int extension_months;                        /* L-4: extendable by 2 months with notice */
} pacta_data_subject_law_t;

typedef struct {
    pacta_statute_t statute;                     /* L-5 */
    int archive_years;                           /* L-5: accounting records archived 10 years, then erased */
} pacta_accounting_law_t;

typedef struct {
    pacta_consumer_debt_law_t consumer_debt;           /* L-1 */
    pacta_b2b_late_payment_law_t b2b_late_payment;     /* L-2 */
    pacta_withdrawal_law_t distance_withdrawal;        /* L-3 */
    pacta_data_subject_law_t data_subject_requests;    /* L-4 */
    pacta_accounting_law_t accounting_records;         /* L-5 */
} pacta_statutes_t;

/* ---- contract formation and catalogue ----------------------------------- */

/* CC-17: what starts a contract (bit set; the earliest event wins). */
enum {
    PACTA_START_ORDER_FORM_SIGNED = 1u << 0,  /* order form signed */
    PACTA_START_E_SIGNATURE = 1u << 1,        /* electronic signature */
    PACTA_START_QUOTE_VALIDATED = 1u << 2,    /* quote validated */
    PACTA_START_FIRST_USE = 1u << 3           /* first use of the services */
};

typedef struct {
    pacta_rule_t rule;                /* CC-17 */
    unsigned starts_at_earliest_of;   /* CC-17: PACTA_START_* bits */
} pacta_contract_start_t;

/* CC-1: billing periods offered (bit set). */
enum {
    PACTA_BILLING_MONTHLY = 1u << 0,   /* invoiced every month */
    PACTA_BILLING_QUARTERLY = 1u << 1, /* invoiced every 3 months */
    PACTA_BILLING_ANNUAL = 1u << 2     /* invoiced every 12 months */
};

typedef struct {
    char id[PACTA_PACK_ID_SIZE];         /* CC-1: slug used by contracts: "start" */
    char name[PACTA_PACK_NAME_SIZE];     /* CC-1: display name: "Start" */
    pacta_cents_t referral_discount;     /* CC-8: sponsor's discount when a referee takes this pack */
} pacta_pack_t;

typedef struct {
    pacta_rule_t rule;                             /* CC-1 */
    unsigned billing_periods;                      /* CC-1: PACTA_BILLING_* bits */
    bool a_la_carte_services;                      /* CC-1, CC-7: à-la-carte orders exist */
    pacta_pack_t packs[PACTA_PROFILE_MAX_PACKS];   /* CC-1, CC-8: packs, unique ids */
    size_t pack_count;                             /* entries used in packs */
} pacta_catalogue_t;

typedef struct {
    pacta_rule_t rule;                 /* SG-2a */
    int validity_calendar_days;        /* SG-2a: quote valid 15 days from issue, then lapsed */
} pacta_quote_terms_t;

typedef struct {
    pacta_rule_t rule;                 /* SG-2b */
    pacta_bp_t default_percent;        /* SG-2b: deposit when the offer names none (35 %); never refunded */
} pacta_deposit_terms_t;

/* ---- term, renewal and termination -------------------------------------- */

typedef struct {
    pacta_rule_t rule;                 /* CC-2a */
    int months;                        /* CC-2a: initial term; last day = add_months(start, months) - 1 */
} pacta_initial_term_t;

/* Which date of a notice counts against a deadline. */
typedef enum {
    PACTA_NOTICE_DATE_POSTMARK = 1,    /* sending date ("date de la poste faisant foi") */
    PACTA_NOTICE_DATE_RECEIPT          /* (presumed) receipt date */
} pacta_notice_date_t;

typedef struct {
    pacta_rule_t rule;                       /* CC-2b */
    int renewal_months;                      /* CC-2b: each tacit renewal period */
    int non_renewal_notice_months;           /* CC-2b: notice no later than add_months(last_day, -this) */
    pacta_notice_date_t notice_date;         /* CC-2b: the postmark counts */
} pacta_tacit_renewal_t;

typedef struct {
    pacta_rule_t rule;                       /* CC-2c */
    int min_months_after_start;              /* CC-2c: allowed once add_months(start, 6) <= notification */
    int indemnity_monthly_fees;              /* CC-2c: indemnity = 3 x monthly fee (annual / 12) */
    pacta_sent_by_t notice_by;               /* CC-2c: registered letter; ends at (presumed) receipt */
} pacta_client_early_termination_t;

typedef struct {
    pacta_rule_t rule;                       /* SG-4a */
    pacta_bp_t indemnity_percent_of_remaining; /* SG-4a: 20 % of (total - performed); deposit kept */
} pacta_fixed_term_early_termination_t;

/* When a notice period begins. */
typedef enum {
    PACTA_NOTICE_STARTS_ON_RECEIPT = 1,              /* the (presumed) receipt day */
    PACTA_NOTICE_STARTS_FIRST_DAY_OF_NEXT_MONTH      /* 1st day of the month after receipt */
} pacta_notice_start_t;

typedef struct {
    pacta_rule_t rule;                       /* SG-4b */
    int notice_months;                       /* SG-4b: 3 months' notice, either party */
    pacta_sent_by_t notice_by;               /* SG-4b: registered letter */
    pacta_notice_start_t notice_starts;      /* SG-4b: 1st of the month after receipt */
} pacta_notice_termination_t;

/* SG-4c: grounds for immediate termination by the provider (bit set). */
enum {
    PACTA_GROUND_BANKRUPTCY = 1u << 0,           /* client's bankruptcy */
    PACTA_GROUND_INDEPENDENCE_AT_RISK = 1u << 1, /* threat to professional independence */
    PACTA_GROUND_SERIOUS_BREACH = 1u << 2        /* serious breach by the client */
};

typedef struct {
    pacta_rule_t rule;                 /* SG-4c */
    unsigned grounds;                  /* SG-4c: PACTA_GROUND_* bits; reasons told in writing */
} pacta_termination_for_cause_t;

typedef struct {
    pacta_rule_t rule;                 /* SG-4d */
    bool formal_notice_required;       /* SG-4d: client must first send a formal notice with reasonable time */
} pacta_termination_for_default_t;

typedef struct {
    pacta_rule_t rule;                                /* CC-13 */
    int termination_when_longer_than_calendar_days;   /* CC-13: ends after MORE than 30 consecutive days */
} pacta_force_majeure_t;

/* ---- invoicing, suspension, payment ------------------------------------- */

typedef struct {
    pacta_rule_t rule;                 /* CC-3a, SG-8b */
    int due_calendar_days;             /* CC-3a: 7, SG-8b: 15 calendar days after issue */
    bool due_date_on_invoice_prevails; /* SG-8b: a due date printed on the invoice wins */
    pacta_bp_t vat_rate;               /* CC-3a, SG-2b: VAT rate on the fees Pacta invoices (21 % = 2100) */
} pacta_invoicing_t;

typedef struct {
    pacta_rule_t rule;                 /* CC-3b, SG-5c */
    int grace_calendar_days;           /* CC-3b: suspended from due + 1 + grace (0) */
    bool formal_notice_required;       /* CC-3b: no formal notice needed */
    bool notify_client;                /* CC-3b, SG-5c: the client is told */
} pacta_unpaid_suspension_t;

/* CC-7: what only starts once paid in full (bit set). */
enum {
    PACTA_PREPAID_OPTIONS = 1u << 0,     /* options added to a pack */
    PACTA_PREPAID_A_LA_CARTE = 1u << 1   /* à-la-carte services */
};

typedef struct {
    pacta_rule_t rule;                 /* CC-7 */
    unsigned applies_to;               /* CC-7: PACTA_PREPAID_* bits */
} pacta_prepayment_t;

typedef struct {
    pacta_rule_t rule;                              /* CC-8 */
    pacta_bp_t annual_cap_percent_of_subscription;  /* CC-8: discounts a contract year <= 100 % of annual fee */
    bool forfeited_on_annual_non_renewal;           /* CC-8: annual payer not renewing loses what is unapplied */
} pacta_referral_t;

/* How late-payment interest accrues. */
typedef enum {
    PACTA_ACCRUAL_MONTH_STARTED = 1,   /* each month started is due in full (§0 "months started") */
    PACTA_ACCRUAL_DAILY                /* pro rata per calendar day */
} pacta_interest_accrual_t;

/* How the flat late-payment indemnity is computed. */
typedef enum {
    PACTA_INDEMNITY_NONE = 0,          /* no flat indemnity */
    PACTA_INDEMNITY_PERCENT,           /* flat_indemnity_percent of the unpaid amount */
    PACTA_INDEMNITY_BRACKETS           /* by bracket of the unpaid amount */
} pacta_indemnity_method_t;

typedef struct {
    pacta_rule_t rule;                         /* SG-8c (professional), SG-8d (consumer) */
    pacta_interest_accrual_t interest_accrual; /* SG-8c: each month started due in full */
    pacta_bp_t interest_points_over_legal_rate;/* SG-8c, SG-8d: legal rate + 2 points */
    pacta_indemnity_method_t flat_indemnity_method;  /* SG-8c percent, SG-8d brackets */
    pacta_bp_t flat_indemnity_percent;         /* SG-8c: 15 % of the unpaid amount */
    pacta_cents_t flat_indemnity_min;          /* SG-8c: at least 50.00 per invoice */
    bool flat_indemnity_capped;                /* SG-8d: flat_indemnity_max applies */
    pacta_cents_t flat_indemnity_max;          /* SG-8d: at most 2,000.00 */
    pacta_indemnity_bracket_t flat_indemnity_brackets[PACTA_PROFILE_MAX_BRACKETS]; /* SG-8d: increasing, last open */
    size_t flat_indemnity_bracket_count;       /* entries used in flat_indemnity_brackets */
    int free_reminders;                        /* SG-8d: 1st reminder free; SG-8c: 0 */
    bool charged_reminders_limited;            /* SG-8c: only charged_reminders_max reminders cost a fee */
    int charged_reminders_max;                 /* SG-8c: 1st and 2nd reminder = 2 */
    pacta_cents_t reminder_fee;                /* SG-8c: 25.00, SG-8d: 7.50 per reminder */
    bool reminder_fee_plus_postage;            /* SG-8d: postage added */
    pacta_cents_t formal_notice_fee;           /* SG-8c: 50.00 per registered formal notice (0 = none) */
    bool fees_include_vat;                     /* SG-8c: fees are incl. VAT (TTC) */
} pacta_late_payment_terms_t;

typedef struct {
    pacta_late_payment_terms_t professional;   /* SG-8c */
    pacta_late_payment_terms_t consumer;       /* SG-8d, subject to L-1 */
} pacta_late_payment_t;

typedef struct {
    pacta_rule_t rule;                 /* SG-8e */
    int clear_days;                    /* SG-8e: 8 clear days from receiving the invoice */
    pacta_sent_by_t sent_by;           /* SG-8e: registered letter */
} pacta_invoice_complaint_t;

/* ---- performance --------------------------------------------------------- */

typedef enum {
    PACTA_DAYS_CALENDAR = 1,           /* every day counts */
    PACTA_DAYS_BUSINESS                /* jours ouvrables (§0) */
} pacta_day_kind_t;

/* SG-5a: what suspends execution deadlines (bit set). */
enum {
    PACTA_SUSPEND_FORCE_MAJEURE = 1u << 0,   /* force majeure or unforeseen circumstances */
    PACTA_SUSPEND_UNPAID = 1u << 1,          /* unpaid invoices or deposits */
    PACTA_SUSPEND_CLIENT_CHANGES = 1u << 2,  /* client changes, repeated corrections */
    PACTA_SUSPEND_MISSING_INFO = 1u << 3     /* client information not supplied */
};

typedef struct {
    pacta_rule_t rule;                 /* SG-5a */
    pacta_day_kind_t deadlines_in;     /* SG-5a: deadlines count business days */
    pacta_bp_t indemnity_percent;      /* SG-5a: 5 % of the late services */
    unsigned suspended_by;             /* SG-5a: PACTA_SUSPEND_* bits */
} pacta_imperative_deadline_t;

typedef struct {
    pacta_rule_t rule;                 /* SG-5b */
    pacta_bp_t threshold_percent;      /* SG-5b: warn when changes cost more than 10 % extra */
} pacta_change_cost_warning_t;

/* CC-9, SG-3: when the withdrawal period starts. */
typedef enum {
    PACTA_WITHDRAWAL_FROM_ORDER_FORM_SIGNED = 1,  /* CC-9 */
    PACTA_WITHDRAWAL_FROM_ORDER_CONFIRMED,        /* SG-3 */
    PACTA_WITHDRAWAL_FROM_DAY_AFTER_CONCLUSION    /* L-3 for services */
} pacta_withdrawal_start_t;

/* When a withdrawal is refused. */
typedef enum {
    PACTA_WITHDRAWAL_REFUSED_ONCE_STARTED = 1,          /* CC-9: any service performed or started */
    PACTA_WITHDRAWAL_REFUSED_FULLY_PERFORMED_CONSENTED  /* SG-3: fully performed after express consent */
} pacta_withdrawal_refusal_t;

/* Orders never open to withdrawal (bit set). */
enum {
    PACTA_WITHDRAWAL_EXCLUDES_A_LA_CARTE = 1u << 0,       /* CC-9 */
    PACTA_WITHDRAWAL_EXCLUDES_CUSTOMISED_GOODS = 1u << 1  /* SG-3 */
};

typedef struct {
    pacta_rule_t rule;                       /* CC-9, SG-3 */
    int calendar_days;                       /* CC-9, SG-3: 14 days */
    pacta_withdrawal_start_t counted_from;   /* CC-9: order form signed; SG-3: order confirmed */
    bool consumer_distance_only;             /* SG-3: only consumer contracts at a distance / off premises */
    pacta_withdrawal_refusal_t refused_when; /* CC-9, SG-3 */
    unsigned excluded;                       /* PACTA_WITHDRAWAL_EXCLUDES_* bits */
} pacta_withdrawal_terms_t;

/* ---- changes, disputes ---------------------------------------------------- */

typedef enum {
    PACTA_CHANGE_ON_NOTIFICATION = 1,        /* CC-14: on notification / publication */
    PACTA_CHANGE_FIRST_DAY_OF_NEXT_MONTH     /* SG-10: 1st day of the month after sending */
} pacta_change_effective_t;

typedef struct {
    pacta_rule_t rule;                       /* CC-14, SG-10 */
    pacta_change_effective_t effective_on;   /* CC-14, SG-10 */
    int objection_clear_days;                /* SG-10: client may object within 10 clear days (0 = no window) */
} pacta_terms_change_t;

typedef struct {
    pacta_rule_t rule;                 /* SG-9 */
    int max_calendar_days;             /* SG-9: renegotiation lasts at most 8 days from notification */
} pacta_renegotiation_t;

typedef struct {
    pacta_rule_t rule;                 /* SG-14 */
    int starts_within_clear_days;      /* SG-14: starts by the 15th clear day after the request */
    int max_duration_clear_days;       /* SG-14: lasts at most 30 clear days */
} pacta_mediation_t;

/* A rule with no figure: its block says only whether and how it applies. */
typedef struct {
    pacta_rule_t rule;                 /* the rule's identity and mode */
} pacta_rule_only_t;

/* ---- personal data (rules.md §4) ------------------------------------------ */

typedef enum {
    PACTA_DATA_IDENTITY = 0,   /* name, first name */
    PACTA_DATA_CONTACT,        /* e-mail, phone, postal address */
    PACTA_DATA_BANKING,        /* IBAN, card token */
    PACTA_DATA_CONTENT,        /* material the client supplied */
    PACTA_DATA_ACCOUNTING,     /* invoices, payments, amounts (L-5) */
    PACTA_DATA_CATEGORY_COUNT
} pacta_data_category_t;

/* Kept as is for kept_years_after_contract_end, then archived (restricted
   processing) for archived_years, then erased. */
typedef struct {
    int kept_years_after_contract_end;   /* CC-12, SG-11: normal processing after the end */
    int archived_years;                  /* CC-12, SG-11, L-5: restricted archive, then erased */
} pacta_retention_period_t;

typedef struct {
    pacta_rule_t rule;                                             /* CC-12, SG-11 */
    pacta_retention_period_t categories[PACTA_DATA_CATEGORY_COUNT];/* indexed by pacta_data_category_t */
} pacta_data_retention_t;

/* ---- the profile -------------------------------------------------------- */

struct pacta_profile {
    char tenant[PACTA_TENANT_SIZE];                 /* tenant id: top-level "tenant:" */
    int tenant_line;                                /* line of "tenant:" (duplicate reports) */
    char source_path[PACTA_PROFILE_PATH_SIZE];      /* file it was loaded from */
    char company_name[PACTA_COMPANY_NAME_SIZE];     /* display name in messages to clients */

    pacta_calendar_terms_t calendar;                /* §0: registered letters, extra holidays */
    pacta_interest_rates_t interest_rates;          /* SG-8c/8d, L-1, L-2: dated rate tables */
    pacta_statutes_t statutes;                      /* L-1 .. L-5 */

    pacta_contract_start_t contract_start;          /* CC-17 */
    pacta_catalogue_t catalogue;                    /* CC-1, CC-8 (pack discounts) */
    pacta_quote_terms_t quote;                      /* SG-2a */
    pacta_deposit_terms_t deposit;                  /* SG-2b */
    pacta_withdrawal_terms_t withdrawal;            /* CC-9, SG-3 */

    pacta_initial_term_t initial_term;              /* CC-2a */
    pacta_tacit_renewal_t tacit_renewal;            /* CC-2b */
    pacta_client_early_termination_t client_early_termination;  /* CC-2c */
    pacta_fixed_term_early_termination_t fixed_term_early_termination; /* SG-4a */
    pacta_notice_termination_t notice_termination;  /* SG-4b */
    pacta_termination_for_cause_t termination_for_cause;        /* SG-4c */
    pacta_termination_for_default_t termination_for_provider_default; /* SG-4d */
    pacta_force_majeure_t force_majeure;            /* CC-13 */

    pacta_invoicing_t invoicing;                    /* CC-3a, SG-8b */
    pacta_unpaid_suspension_t unpaid_suspension;    /* CC-3b, SG-5c */
    pacta_rule_only_t restoration;                  /* CC-3c: restored once every overdue invoice is paid */
    pacta_rule_only_t lost_period;                  /* CC-3d: suspended period lost, anniversaries unchanged */
    pacta_rule_only_t content_suspension;           /* CC-4: performance suspended without client content */
    pacta_rule_only_t campaign_budget;              /* CC-5: campaign without budget by launch day is lost */
    pacta_prepayment_t prepayment;                  /* CC-7 */
    pacta_referral_t referral;                      /* CC-8 */
    pacta_rule_only_t content_licence;              /* CC-10: content licence ends with the contract */
    pacta_rule_only_t retention_of_deliverables;    /* SG-8a: deliverables withheld until paid */
    pacta_late_payment_t late_payment;              /* SG-8c, SG-8d */
    pacta_invoice_complaint_t invoice_complaint;    /* SG-8e */

    pacta_imperative_deadline_t imperative_deadline;/* SG-5a */
    pacta_change_cost_warning_t change_cost_warning;/* SG-5b */
    pacta_renegotiation_t renegotiation;            /* SG-9 */
    pacta_terms_change_t terms_change;              /* CC-14, SG-10 */
    pacta_mediation_t mediation;                    /* SG-14 */

    pacta_data_retention_t data_retention;          /* CC-12, SG-11, rules.md §4 */
};

typedef struct pacta_profile pacta_profile_t;
typedef struct pacta_profile_set pacta_profile_set_t;

/* ---- tenant ids ------------------------------------------------------------- */

#define PACTA_TENANT_ID_MAX (PACTA_TENANT_SIZE - 1)   /* longest tenant id, bytes */

/* True for 1..PACTA_TENANT_ID_MAX bytes of [A-Za-z0-9._-]: tenant ids become
   part of Redis keys and hash tags, so braces, spaces and colons are out. */
bool pacta_tenant_id_valid(const char *tenant);

/* ---- loading (fixed API) -------------------------------------------------- */

/* Loads and validates one profile. NULL on any problem, with exactly one
   line "FILE:LINE: dotted.key.path: what is wrong" written into err. */
pacta_profile_t *pacta_profile_load(const char *path, char *err, size_t err_size);
/* Frees the profile; nulls *self_p; safe twice. */
void pacta_profile_destroy(pacta_profile_t **self_p);
/* The tenant id (the profile's top-level "tenant:" key). */
const char *pacta_profile_tenant(const pacta_profile_t *self);

/* Loads every *.yaml file of dir (hidden files ignored, sorted by name).
   NULL when any file fails, when two files declare the same tenant (the
   message names both files), or when dir holds no profile. */
pacta_profile_set_t *pacta_profile_set_load_dir(const char *dir, char *err, size_t err_size);
/* The profile of tenant, or NULL. */
const pacta_profile_t *pacta_profile_set_find(const pacta_profile_set_t *self, const char *tenant);
size_t pacta_profile_set_count(const pacta_profile_set_t *self);
/* index < count, in file-name order. */
const pacta_profile_t *pacta_profile_set_at(const pacta_profile_set_t *self, size_t index);
void pacta_profile_set_destroy(pacta_profile_set_t **self_p);

/* ---- lookups ---------------------------------------------------------------- */

/* True when the rule applies (mode auto or propose). */
bool pacta_rule_enabled(const pacta_rule_t *rule);
/* "auto", "propose" or "off". */
const char *pacta_rule_mode_name(pacta_rule_mode_t mode);

/* Legal interest base rate of year. 0 and *bp set, or -1 when the table has
   no entry for that year (never guessed from a neighbour). */
int pacta_profile_legal_rate_for_year(const pacta_profile_t *self, int year, pacta_bp_t *bp);
/* Law-2002 commercial rate of the half-year containing date. 0 or -1 as above. */
int pacta_profile_commercial_rate_on(const pacta_profile_t *self, pacta_date_t date, pacta_bp_t *bp);
/* The profile's holidays for pacta_date's business-day functions. The result
   points into self and is valid while self lives. */
pacta_holidays_t pacta_profile_holidays(const pacta_profile_t *self);
/* The pack with that id, or NULL. */
const pacta_pack_t *pacta_profile_find_pack(const pacta_profile_t *self, const char *pack_id);
/* Retention of a data category (category < PACTA_DATA_CATEGORY_COUNT). */
const pacta_retention_period_t *pacta_profile_retention(const pacta_profile_t *self,
                                                        pacta_data_category_t category);
/* "identity", "contact", "banking", "content", "accounting". */
const char *pacta_data_category_name(pacta_data_category_t category);

#ifdef __cplusplus
}
#endif

#endif
