/* FRAMEWORK READY */
/*  =========================================================================
    pacta_decision - what a rule decides, and why

    A rule of docs/rules.md is a pure function that appends decisions to a
    pacta_outcome_t. A decision says WHAT changes (suspend from D, restore on
    D, terminate on D, refuse with a reason and a "possible from" date...),
    the charges to issue, the notifications to send, the timers to set, and
    whether it applies at once or waits for an operator (a proposal). Every
    decision carries an explanation: the rule id and clause as the company's
    document numbers them, and typed name/value pairs for the inputs, the
    profile parameters and the computed results.

    Design: everything is fixed-capacity, allocation-free plain data, so an
    outcome can be copied, compared, serialised and replayed, and a rule
    never allocates. Capacities are generous; exceeding one sets the sticky
    `overflow` flag and the rule returns -1 (a programming problem to fix,
    never silently dropped data).

    Explaining: pacta_decision_explain() renders one sentence in French or
    English, "Head: because (company clause, rule id)." The head comes from
    the decision kind (overridable); the "because" part is a template the
    rule sets, whose {placeholders} name explanation values. Templates are
    static strings owned by the rule's code (pointers to string literals),
    so a new rule needs no change here.

    Ownership: pacta_outcome_new() returns an object the caller owns and
    MUST release with pacta_outcome_destroy(). An outcome may also live on
    the stack or inside another struct after pacta_outcome_init().
    =========================================================================
*/
#ifndef PACTA_DECISION_H_INCLUDED
#define PACTA_DECISION_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pacta_date.h"
#include "pacta_money.h"
#include "pacta_profile.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- capacities --------------------------------------------------------- */

#define PACTA_REF_SIZE 48              /* entity ids: "F-2025-014", contract ids */
#define PACTA_VALUE_NAME_SIZE 32       /* explanation value names: "due_on" */
#define PACTA_VALUE_TEXT_SIZE 64       /* explanation text values */
#define PACTA_REASON_SIZE 40           /* machine-readable reason codes: "too_early" */
#define PACTA_TOPIC_SIZE 40            /* notification templates, timer names */
#define PACTA_CITATION_SIZE 160        /* "capconnect §3" or a statute's source */
#define PACTA_EXPLAIN_MAX_VALUES 24    /* inputs + parameters + results per decision */
#define PACTA_DECISION_MAX_CHARGES 8   /* charges per decision */
#define PACTA_DECISION_MAX_NOTICES 4   /* notifications per decision */
#define PACTA_DECISION_MAX_TIMERS 4    /* timers per decision */
#define PACTA_OUTCOME_MAX_DECISIONS 16 /* decisions per rule evaluation */
#define PACTA_SENTENCE_SIZE 768        /* comfortable buffer for one rendered sentence */

/* ---- languages ---------------------------------------------------------- */

typedef enum {
    PACTA_LANG_FR = 0,   /* French: the language of both companies' terms */
    PACTA_LANG_EN        /* English: operators */
} pacta_lang_t;

/* ---- explanation values ------------------------------------------------- */

typedef enum {
    PACTA_VALUE_DATE = 1,  /* a pacta_date_t, rendered YYYY-MM-DD */
    PACTA_VALUE_MONEY,     /* cents, rendered with pacta_money_format_be */
    PACTA_VALUE_BP,        /* basis points, rendered "4.50 %" / "4,50 %" */
    PACTA_VALUE_INT,       /* a count: days, months, referees... */
    PACTA_VALUE_TEXT,      /* an id or a code: "F-2025-014", "start" */
    PACTA_VALUE_FLAG       /* a yes/no fact */
} pacta_value_type_t;

typedef enum {
    PACTA_ROLE_INPUT = 1,  /* a fact of the entity or event (dates, amounts) */
    PACTA_ROLE_PARAMETER,  /* a figure read from the profile */
    PACTA_ROLE_RESULT      /* a value the rule computed */
} pacta_value_role_t;

typedef struct {
    pacta_value_role_t role;              /* input, parameter or result */
    pacta_value_type_t type;              /* which member of `as` is set */
    char name[PACTA_VALUE_NAME_SIZE];     /* placeholder name in templates: "due_on" */
    union {
        pacta_date_t date;                /* PACTA_VALUE_DATE */
        pacta_cents_t cents;              /* PACTA_VALUE_MONEY */
        pacta_bp_t bp;                    /* PACTA_VALUE_BP */
        int64_t number;                   /* PACTA_VALUE_INT */
        bool flag;                        /* PACTA_VALUE_FLAG */
        char text[PACTA_VALUE_TEXT_SIZE]; /* PACTA_VALUE_TEXT, NUL-terminated */
    } as;                                 /* the value itself */
} pacta_value_t;

/* Why a decision was taken. The sentence templates point to string literals
   (static storage); NULL means "use the default for the decision kind" (head)
   or "no because-part" (because). Placeholders: {date}, {until}, {amount},
   {reason} (the decision's fields) and the name of any value below. */
typedef struct {
    char rule_id[PACTA_RULE_ID_SIZE];          /* "CC-3b", "L-4", "ACME-5b" */
    char citation[PACTA_CITATION_SIZE];        /* "capconnect §3", or a statute source */
    const char *head_en;                       /* optional override of the kind's head */
    const char *head_fr;                       /* same, French */
    const char *because_en;                    /* "invoice {invoice} issued {issued_on} was not paid..." */
    const char *because_fr;                    /* same, French */
    pacta_value_t values[PACTA_EXPLAIN_MAX_VALUES]; /* inputs, parameters, results in order added */
    size_t value_count;                        /* entries used in values */
} pacta_explanation_t;

/* ---- what a decision changes -------------------------------------------- */

typedef enum {
    PACTA_DECISION_RECORD = 1,      /* a fact is recorded; nothing else changes */
    PACTA_DECISION_ACCEPT,          /* a request or act is accepted / binds (date) */
    PACTA_DECISION_REFUSE,          /* refused with `reason`; `date` = possible from, or INVALID */
    PACTA_DECISION_START,           /* the contract starts on `date` */
    PACTA_DECISION_TERM,            /* a period runs from `date` to `until` */
    PACTA_DECISION_RENEW,           /* renewed from `date` to `until` */
    PACTA_DECISION_TERMINATE,       /* the contract ends on `date` (its last day) */
    PACTA_DECISION_CANCEL,          /* the contract is cancelled as of `date` (withdrawal) */
    PACTA_DECISION_SUSPEND,         /* performance suspended from `date` (`reason`) */
    PACTA_DECISION_RESTORE,         /* performance restored / resumed on `date` */
    PACTA_DECISION_LOST_PERIOD,     /* `date` .. `until` recorded as not performed, no credit */
    PACTA_DECISION_FORFEIT,         /* something is lost on `date` (a campaign, unapplied discounts) */
    PACTA_DECISION_CHARGE,          /* charges[] to invoice (issued on `date`), total `amount` */
    PACTA_DECISION_CREDIT,          /* charges[] to credit (negative amounts), total `amount` */
    PACTA_DECISION_DISCOUNT,        /* a discount of `amount` earned or applied */
    PACTA_DECISION_RELEASE,         /* work or deliverables released on `date` */
    PACTA_DECISION_WITHHOLD,        /* work or deliverables withheld (since `date`) */
    PACTA_DECISION_DEADLINE,        /* a deadline: in time through `date` (`until` = extended) */
    PACTA_DECISION_EFFECTIVE,       /* a change is in force from `date` */
    PACTA_DECISION_LICENCE_END,     /* a licence ends on `date` */
    PACTA_DECISION_ARCHIVE,         /* data archived (restricted) from `date` through `until` */
    PACTA_DECISION_ERASE,           /* data erased on `date` */
    PACTA_DECISION_NOTIFY,          /* only notifications[] (a warning, a reminder) */
    PACTA_DECISION_KIND_COUNT       /* number of kinds + 1; not a kind */
} pacta_decision_kind_t;

/* Apply at once, or wait for an operator (rules.md §0.9). */
typedef enum {
    PACTA_DECISION_APPLY = 1,       /* mode auto, or a rule without mode */
    PACTA_DECISION_PROPOSAL         /* mode propose: applies only once approved */
} pacta_decision_status_t;

typedef enum {
    PACTA_CHARGE_SUBSCRIPTION = 1,  /* CC-3a: the fee of a billing period */
    PACTA_CHARGE_INDEMNITY,         /* CC-2c, SG-4a: termination indemnity */
    PACTA_CHARGE_INTEREST,          /* SG-8c, SG-8d: late-payment interest */
    PACTA_CHARGE_FLAT_INDEMNITY,    /* SG-8c, SG-8d: flat late-payment indemnity */
    PACTA_CHARGE_REMINDER_FEE,      /* SG-8c, SG-8d: reminder letter fee */
    PACTA_CHARGE_FORMAL_NOTICE_FEE, /* SG-8c: registered formal notice fee */
    PACTA_CHARGE_DEPOSIT,           /* SG-2b: deposit on acceptance */
    PACTA_CHARGE_PERFORMED,         /* SG-4a: performed services not covered by the deposit */
    PACTA_CHARGE_NOTICE_FEES,       /* SG-4b: fees of the unobserved notice */
    PACTA_CHARGE_CREDIT_NOTE,       /* CC-9: an invoice credited (negative amount) */
    PACTA_CHARGE_DISCOUNT,          /* CC-8: referral discount deducted (negative amount) */
    PACTA_CHARGE_OWED_TO_CLIENT,    /* SG-5a: late-delivery indemnity owed to the client */
    PACTA_CHARGE_RECOVERY_COMPENSATION /* L-2: fixed recovery compensation */
} pacta_charge_kind_t;

typedef struct {
    pacta_charge_kind_t kind;       /* what the amount is for */
    pacta_cents_t amount;           /* cents; negative for credits and discounts */
    bool includes_vat;              /* amount is VAT-inclusive (SG-8c fees) */
    pacta_date_t issue_on;          /* date the invoice / credit note is issued */
    char ref[PACTA_REF_SIZE];       /* invoice or contract the charge relates to */
} pacta_charge_t;

typedef enum {
    PACTA_TO_CLIENT = 1,            /* the client (or data subject) */
    PACTA_TO_OPERATOR               /* the company's back office */
} pacta_recipient_t;

typedef enum {
    PACTA_CHANNEL_ANY = 0,          /* the notifications service chooses */
    PACTA_CHANNEL_EMAIL,            /* e-mail (SG-5c requires it) */
    PACTA_CHANNEL_LETTER,           /* ordinary post */
    PACTA_CHANNEL_REGISTERED        /* registered letter */
} pacta_channel_t;

typedef struct {
    pacta_recipient_t to;               /* client or operator */
    pacta_channel_t channel;            /* how */
    char topic[PACTA_TOPIC_SIZE];       /* message template id: "suspended_unpaid" */
    pacta_date_t send_on;               /* legal date the message is due */
} pacta_notification_t;

typedef struct {
    char name[PACTA_TOPIC_SIZE];        /* what fires: "due_date_passed", "term_end" */
    pacta_date_t fires_on;              /* the Brussels date it fires (at 00:00) */
    char ref[PACTA_REF_SIZE];           /* entity it concerns: invoice, contract... */
} pacta_timer_t;

typedef struct {
    pacta_decision_kind_t kind;                  /* what changes */
    pacta_decision_status_t status;              /* apply, or proposal for an operator */
    pacta_date_t date;                           /* main date (see the kind); INVALID if none */
    pacta_date_t until;                          /* end of a period; INVALID if none */
    pacta_cents_t amount;                        /* main amount (see the kind), 0 if none */
    char reason[PACTA_REASON_SIZE];              /* machine code: "unpaid", "too_early", "" */
    char ref[PACTA_REF_SIZE];                    /* entity decided about: contract, invoice... */
    pacta_charge_t charges[PACTA_DECISION_MAX_CHARGES];           /* charges to issue */
    size_t charge_count;                                          /* entries used in charges */
    pacta_notification_t notifications[PACTA_DECISION_MAX_NOTICES]; /* messages to send */
    size_t notification_count;                                    /* entries used in notifications */
    pacta_timer_t timers[PACTA_DECISION_MAX_TIMERS];              /* timers to set */
    size_t timer_count;                                           /* entries used in timers */
    pacta_explanation_t explanation;             /* why: rule, clause, values, templates */
    bool incomplete;                             /* something did not fit: a programming error */
} pacta_decision_t;

/* The decisions of one rule evaluation (or of several, appended in turn). */
typedef struct {
    pacta_decision_t items[PACTA_OUTCOME_MAX_DECISIONS]; /* decisions in the order taken */
    size_t count;                                        /* entries used in items */
    bool overflow;                                       /* a capacity was exceeded: incomplete */
} pacta_outcome_t;

/* ---- outcome ------------------------------------------------------------ */

/* Heap outcome, empty. NULL on allocation failure. Caller owns. */
pacta_outcome_t *pacta_outcome_new(void);
/* Frees it; nulls *self_p; safe twice. */
void pacta_outcome_destroy(pacta_outcome_t **self_p);
/* Empties an outcome (stack or embedded). */
void pacta_outcome_init(pacta_outcome_t *self);
/* 0, or -1 when overflow is set or a decision is incomplete. Rules end with
   `return pacta_outcome_status(out);`. */
int pacta_outcome_status(const pacta_outcome_t *self);
/* The first decision of that kind, or NULL. */
const pacta_decision_t *pacta_outcome_find(const pacta_outcome_t *self, pacta_decision_kind_t kind);

/* Appends a decision taken under a company rule: status from rule->mode
   (propose -> PROPOSAL, else APPLY), explanation rule id and citation
   "<tenant> <clause>" from the profile, dates INVALID, amount 0. NULL (and
   overflow set) when the outcome is full. The caller must have checked
   pacta_rule_enabled(rule): an OFF rule decides nothing. */
pacta_decision_t *pacta_outcome_add(pacta_outcome_t *self, const pacta_profile_t *profile,
                                    const pacta_rule_t *rule, pacta_decision_kind_t kind);
/* Same for a statute (always APPLY): citation is the statute's source. */
pacta_decision_t *pacta_outcome_add_statute(pacta_outcome_t *self, const pacta_statute_t *statute,
                                            pacta_decision_kind_t kind);

/* ---- filling a decision --------------------------------------------------
   Each returns 0, or -1 when a capacity is exceeded or a text is too long.
   A -1 also sets the decision's sticky `incomplete` flag, which
   pacta_outcome_status() reports, so a rule may fill a decision without
   checking each call and end with `return pacta_outcome_status(out);`. */

/* Sets the because-sentence templates (string literals). */
void pacta_decision_because(pacta_decision_t *self, const char *en, const char *fr);
/* Overrides the head templates (string literals). */
void pacta_decision_head(pacta_decision_t *self, const char *en, const char *fr);
/* Sets reason (machine code) and ref (entity id); NULL leaves a field as is. */
int pacta_decision_set_reason(pacta_decision_t *self, const char *reason);
int pacta_decision_set_ref(pacta_decision_t *self, const char *ref);

int pacta_explain_date(pacta_decision_t *self, pacta_value_role_t role, const char *name, pacta_date_t value);
int pacta_explain_money(pacta_decision_t *self, pacta_value_role_t role, const char *name, pacta_cents_t value);
int pacta_explain_bp(pacta_decision_t *self, pacta_value_role_t role, const char *name, pacta_bp_t value);
int pacta_explain_int(pacta_decision_t *self, pacta_value_role_t role, const char *name, int64_t value);
int pacta_explain_text(pacta_decision_t *self, pacta_value_role_t role, const char *name, const char *value);
int pacta_explain_flag(pacta_decision_t *self, pacta_value_role_t role, const char *name, bool value);

/* Appends a charge (kind, amount, VAT flag, issue date, ref may be NULL);
   the decision's amount is NOT changed (set it yourself). */
int pacta_decision_add_charge(pacta_decision_t *self, pacta_charge_kind_t kind, pacta_cents_t amount,
                              bool includes_vat, pacta_date_t issue_on, const char *ref);
int pacta_decision_add_notification(pacta_decision_t *self, pacta_recipient_t to, pacta_channel_t channel,
                                    const char *topic, pacta_date_t send_on);
int pacta_decision_add_timer(pacta_decision_t *self, const char *name, pacta_date_t fires_on, const char *ref);

/* ---- reading ------------------------------------------------------------ */

/* The value of that name, or NULL. */
const pacta_value_t *pacta_explanation_find(const pacta_explanation_t *self, const char *name);
/* True when the explanation is complete enough to show: a rule id, a
   citation, and at least one value. Every decision must satisfy it. */
bool pacta_explanation_is_complete(const pacta_explanation_t *self);
/* "suspend", "restore", ... (machine name of a kind). */
const char *pacta_decision_kind_name(pacta_decision_kind_t kind);

/* Renders one sentence in lang into buf:
     EN  "Suspended from 2025-02-09: invoice F-2025-014 issued 2025-02-01 was
          not paid within 7 calendar days (capconnect §3, CC-3b)."
     FR  "Suspendu à partir du 2025-02-09 : la facture F-2025-014 émise le
          2025-02-01 n'a pas été payée dans les 7 jours calendrier
          (capconnect §3, CC-3b)."
   A proposal is prefixed "Proposed: " / "Proposé : ". 0, or -1 when buf is
   too small (buf then holds a truncated, NUL-terminated sentence) or a
   template names an unknown value (buf holds an empty string). */
int pacta_decision_explain(const pacta_decision_t *self, pacta_lang_t lang, char *buf, size_t buf_size);

#ifdef __cplusplus
}
#endif

#endif
