/*  =========================================================================
    ctr_terms - the contract-side clauses: quotes (SG-2a), renewals and
    non-renewal notices (CC-2b), early terminations (CC-2c, SG-4a), notice
    on recurring contracts (SG-4b), and the end of a contract

    Every handler rebuilds the plain structs the rules core reads from
    <prefix>:contract, calls the rule, and turns each decision into a
    change of the document, an audit entry (docs/state.md §4) and the
    decision message of docs/messages.md.

    Design decision: a decision that ends a contract only fixes its last
    day (`ends_on`, `end_cause`) and owes a `contract.end` timer for the day
    after; the timer, run with that day as "today", moves the contract to
    `ended` and emits ContractEnded. So a contract whose end is decided
    months ahead (CC-2b, SG-4b) stays active until then, a restart in the
    middle loses nothing (the timer is in Redis), and a test clock moved
    past the day ends it exactly once (the timer is deduplicated).
    =========================================================================
*/
#include "ctr_terms.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pacta/v1/contracts.pb-c.h"
#include "pacta/v1/invoicing.pb-c.h"
#include "pacta/v1/offers.pb-c.h"
#include "pacta_decide.h"
#include "pacta_facts.h"
#include "pacta_jdoc.h"
#include "pacta_pbjson.h"
#include "rules_cc.h"
#include "rules_sg.h"

#define DOC "contract"
#define INVALID_REASON PACTA__V1__NACK_REASON__NACK_REASON_INVALID
#define DECISION_KIND PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_DECISION

/* ---- shared helpers ------------------------------------------------------------------ */

static int
s_check_entity(pacta_handler_ctx_t *ctx, const char *contract_id)
{
    if (pacta_facts_check_entity(ctx, 'c', contract_id, "contract_id") != 0)
        return -1;
    if (strlen(contract_id) >= PACTA_REF_SIZE)
        return pacta_handler_refuse(ctx, INVALID_REASON, "contract_id", "contract_id: at most %d bytes",
                                    PACTA_REF_SIZE - 1);
    return 0;
}

/* An outside fact (a letter, an acceptance) about a contract nobody
   created is refused naming contract_id (UNKNOWN_ENTITY); one whose
   contract appeared between the read and the check is refused
   RETRY_LATER, and its resend finds the contract. */
static int
s_unknown_contract(pacta_handler_ctx_t *ctx, const char *contract_id)
{
    if (pacta_handler_require_contract(ctx, contract_id) != 0)
        return -1;
    return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_RETRY_LATER, "contract_id",
                                "contract %s is being created; retry", contract_id);
}

static int
s_wait_for(pacta_handler_ctx_t *ctx, const char *what, const char *id)
{
    char waiting[140];
    snprintf(waiting, sizeof waiting, "%s %.60s", what, id);
    return pacta_handler_park(ctx, waiting);
}

/* The contract document, or NULL when the contract is not signed yet
   (a quote alone is not a contract). */
static json_t *
s_signed_contract(pacta_handler_ctx_t *ctx)
{
    if (pacta_handler_doc_version(ctx, DOC) == 0)
        return NULL;
    json_t *doc = pacta_handler_doc(ctx, DOC);
    if (!pacta_date_is_valid(pacta_jdoc_date(doc, "signed_on")) && strcmp(pacta_jdoc_str(doc, "state"), "pending"))
        return NULL;
    return doc;
}

static bool
s_is_over(const json_t *doc)
{
    const char *state = pacta_jdoc_str(doc, "state");
    return strcmp(state, "ended") == 0 || strcmp(state, "cancelled") == 0;
}

/* The contract as the rules read it, from the document. */
static void
s_contract_from_doc(const json_t *doc, pacta_contract_t *contract)
{
    memset(contract, 0, sizeof *contract);
    snprintf(contract->id, sizeof contract->id, "%s", pacta_jdoc_str(doc, "contract_id"));
    const json_t *client = json_object_get(doc, "client");
    snprintf(contract->client.id, sizeof contract->client.id, "%s", pacta_jdoc_str(client, "client_id"));
    contract->client.kind = strcmp(pacta_jdoc_str(client, "kind"), "consumer") == 0 ? PACTA_CLIENT_CONSUMER
                                                                                      : PACTA_CLIENT_PROFESSIONAL;
    contract->client.language = strcmp(pacta_jdoc_str(client, "language"), "en") == 0 ? PACTA_LANG_EN
                                                                                        : PACTA_LANG_FR;
    const char *kind = pacta_jdoc_str(doc, "kind");
    if (strcmp(kind, "a_la_carte") == 0)
        contract->kind = PACTA_CONTRACT_A_LA_CARTE;
    else if (strcmp(kind, "fixed_term") == 0)
        contract->kind = PACTA_CONTRACT_FIXED_TERM;
    else if (strcmp(kind, "recurring") == 0)
        contract->kind = PACTA_CONTRACT_RECURRING;
    else
        contract->kind = PACTA_CONTRACT_PACK;
    const char *state = pacta_jdoc_str(doc, "state");
    contract->state = strcmp(state, "active") == 0      ? PACTA_CONTRACT_ACTIVE
                      : strcmp(state, "suspended") == 0 ? PACTA_CONTRACT_SUSPENDED
                      : strcmp(state, "ended") == 0     ? PACTA_CONTRACT_ENDED
                      : strcmp(state, "cancelled") == 0 ? PACTA_CONTRACT_CANCELLED
                                                        : PACTA_CONTRACT_PENDING;
    snprintf(contract->pack_id, sizeof contract->pack_id, "%s", pacta_jdoc_str(doc, "pack"));
    const char *period = pacta_jdoc_str(doc, "billing_period");
    contract->billing_period = strcmp(period, "monthly") == 0  ? PACTA_BILLING_MONTHLY
                               : strcmp(period, "annual") == 0 ? PACTA_BILLING_ANNUAL
                                                               : 0;
    contract->fee_per_period = pacta_jdoc_int(doc, "fee_cents");
    contract->formation.order_form_signed_on = PACTA_DATE_INVALID;
    contract->formation.e_signed_on = PACTA_DATE_INVALID;
    contract->formation.quote_validated_on = PACTA_DATE_INVALID;
    contract->formation.first_used_on = PACTA_DATE_INVALID;
    contract->formation.order_confirmed_on = PACTA_DATE_INVALID;
    contract->start_on = pacta_jdoc_date(doc, "start_on");
    contract->ends_on = pacta_jdoc_date(doc, "ends_on");
    contract->performance_started_on = PACTA_DATE_INVALID;
    contract->suspended_since = PACTA_DATE_INVALID;
    const json_t *suspension = json_object_get(doc, "suspension");
    if (json_is_object(suspension)) {
        contract->suspended_since = pacta_jdoc_date(suspension, "since");
        snprintf(contract->suspension_reason, sizeof contract->suspension_reason, "%s",
                 pacta_jdoc_str(suspension, "reason"));
    }
    contract->total_amount = pacta_jdoc_int(doc, "total_cents");
    contract->deposit_amount = pacta_jdoc_int(doc, "deposit_cents");
    contract->deposit_paid = pacta_jdoc_int(doc, "deposit_paid_cents");
    contract->performed_amount = pacta_jdoc_int(doc, "performed_cents");
}

/* A notice as the rules read it. */
static void
s_letter_from(const Pacta__V1__NoticeDelivery *notice, Pacta__V1__PartyRole given_by, const char *ref,
              pacta_letter_t *letter)
{
    memset(letter, 0, sizeof *letter);
    snprintf(letter->id, sizeof letter->id, "%s", notice && notice->reference ? notice->reference : "");
    snprintf(letter->ref, sizeof letter->ref, "%s", ref);
    letter->from = given_by == PACTA__V1__PARTY_ROLE__PARTY_ROLE_PROVIDER ? PACTA_FROM_PROVIDER : PACTA_FROM_CLIENT;
    letter->sent_on = notice ? pacta_handler_date(notice->sent_on) : PACTA_DATE_INVALID;
    letter->proven_received_on = notice && notice->received_on ? pacta_handler_date(notice->received_on)
                                                               : PACTA_DATE_INVALID;
    switch (notice ? notice->channel : PACTA__V1__CHANNEL__CHANNEL_UNSPECIFIED) {
        case PACTA__V1__CHANNEL__CHANNEL_REGISTERED_LETTER: letter->via = PACTA_SENT_REGISTERED; break;
        case PACTA__V1__CHANNEL__CHANNEL_EMAIL: letter->via = PACTA_SENT_EMAIL; break;
        case PACTA__V1__CHANNEL__CHANNEL_WEB: letter->via = PACTA_SENT_WEBSITE; break;
        case PACTA__V1__CHANNEL__CHANNEL_IN_PERSON: letter->via = PACTA_SENT_IN_PERSON; break;
        default: letter->via = PACTA_SENT_LETTER; break;
    }
}

static int
s_check_notice(pacta_handler_ctx_t *ctx, const Pacta__V1__NoticeDelivery *notice)
{
    if (!notice || !pacta_date_is_valid(pacta_handler_date(notice->sent_on)))
        return pacta_handler_refuse(ctx, INVALID_REASON, "notice.sent_on", "notice.sent_on: required (the postmark)");
    if (notice->received_on && pacta_handler_date(notice->received_on) < pacta_handler_date(notice->sent_on))
        return pacta_handler_refuse(ctx, INVALID_REASON, "notice.received_on",
                                    "notice.received_on: before notice.sent_on");
    return 0;
}

static void
s_audit_decision(pacta_handler_ctx_t *ctx, const pacta_decision_t *decision, const char *contract_id,
                 const char *type, pacta_date_t today, char decision_id[PACTA_DECIDE_ID_SIZE])
{
    pacta_decide_id(decision, contract_id, decision_id, PACTA_DECIDE_ID_SIZE);
    json_t *entry = pacta_decide_audit_entry(decision, pacta_handler_profile(ctx), decision_id, type, today);
    if (entry)
        pacta_handler_audit(ctx, entry);
    json_decref(entry);
}

static void
s_audit_fact(pacta_handler_ctx_t *ctx, const char *summary, pacta_date_t date, const char *ref)
{
    char day[PACTA_DATE_STR_LEN];
    pacta_handler_date_text(date, day, sizeof day);
    json_t *fact = json_pack("{s:s, s:s, s:s, s:s, s:s}", "entry", "fact", "message_type",
                             pacta_handler_cause_type(ctx), "summary", summary, "date", day, "ref", ref);
    if (fact)
        pacta_handler_audit(ctx, fact);
    json_decref(fact);
}

/* "<entity>/<purpose>/<detail>/<date>": one timer per purpose and day. */
static void
s_timer_id(pacta_handler_ctx_t *ctx, const char *purpose, const char *detail, pacta_date_t fires_on, char *buf,
           size_t size)
{
    char day[PACTA_DATE_STR_LEN];
    snprintf(buf, size, "%s/%s/%s/%s", pacta_handler_entity_key(ctx), purpose, detail,
             pacta_handler_date_text(fires_on, day, sizeof day));
}

int
ctr_schedule_term_end(pacta_handler_ctx_t *ctx, const char *contract_id, int k, pacta_date_t last_day)
{
    (void) contract_id;
    char id[320], detail[24];
    snprintf(detail, sizeof detail, "%d", k);
    s_timer_id(ctx, CTR_TIMER_TERM_END, detail, last_day + 1, id, sizeof id);
    json_t *data = json_pack("{s:i}", "k", k);
    int rc = data ? pacta_handler_schedule_timer(ctx, id, last_day + 1, CTR_TIMER_TERM_END, data) : -1;
    json_decref(data);
    return rc;
}

/* Fixes the contract's last day and owes the contract.end timer. */
static int
s_end_on(pacta_handler_ctx_t *ctx, json_t *doc, pacta_date_t ends_on, const char *cause, const char *decision_id)
{
    pacta_jdoc_set_date(doc, "ends_on", ends_on);
    pacta_jdoc_set_str(doc, "end_cause", cause);
    pacta_jdoc_set_str(doc, "end_decision_id", decision_id);
    char id[320];
    s_timer_id(ctx, CTR_TIMER_END, "last_day", ends_on + 1, id, sizeof id);
    json_t *data = json_pack("{s:s}", "cause", cause);
    int rc = data ? pacta_handler_schedule_timer(ctx, id, ends_on + 1, CTR_TIMER_END, data) : -1;
    json_decref(data);
    if (rc == 0)
        rc = pacta_handler_put_doc(ctx, DOC);
    return rc;
}

static Pacta__V1__ContractEndCause
s_end_cause(const char *cause)
{
    if (strcmp(cause, "not_renewed") == 0)
        return PACTA__V1__CONTRACT_END_CAUSE__CONTRACT_END_CAUSE_NOT_RENEWED;
    if (strcmp(cause, "early_termination") == 0)
        return PACTA__V1__CONTRACT_END_CAUSE__CONTRACT_END_CAUSE_EARLY_TERMINATION;
    if (strcmp(cause, "notice") == 0)
        return PACTA__V1__CONTRACT_END_CAUSE__CONTRACT_END_CAUSE_NOTICE;
    if (strcmp(cause, "withdrawal") == 0)
        return PACTA__V1__CONTRACT_END_CAUSE__CONTRACT_END_CAUSE_WITHDRAWAL;
    if (strcmp(cause, "for_cause") == 0)
        return PACTA__V1__CONTRACT_END_CAUSE__CONTRACT_END_CAUSE_FOR_CAUSE;
    if (strcmp(cause, "provider_default") == 0)
        return PACTA__V1__CONTRACT_END_CAUSE__CONTRACT_END_CAUSE_PROVIDER_DEFAULT;
    if (strcmp(cause, "force_majeure") == 0)
        return PACTA__V1__CONTRACT_END_CAUSE__CONTRACT_END_CAUSE_FORCE_MAJEURE;
    return PACTA__V1__CONTRACT_END_CAUSE__CONTRACT_END_CAUSE_UNSPECIFIED;
}

static int
s_no_memory(pacta_handler_ctx_t *ctx)
{
    return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_RETRY_LATER, NULL, "out of memory");
}

static pacta_date_t
s_value_date(const pacta_decision_t *decision, const char *name)
{
    const pacta_value_t *value = pacta_explanation_find(&decision->explanation, name);
    return value && value->type == PACTA_VALUE_DATE ? value->as.date : PACTA_DATE_INVALID;
}

static pacta_cents_t
s_value_cents(const pacta_decision_t *decision, const char *name)
{
    const pacta_value_t *value = pacta_explanation_find(&decision->explanation, name);
    return value && value->type == PACTA_VALUE_MONEY ? value->as.cents : 0;
}

static bool
s_value_flag(const pacta_decision_t *decision, const char *name)
{
    const pacta_value_t *value = pacta_explanation_find(&decision->explanation, name);
    return value && value->type == PACTA_VALUE_FLAG && value->as.flag;
}

/* ---- SG-2a: quotes ------------------------------------------------------------------------ */

static void
s_quote_from_doc(const json_t *doc, pacta_quote_t *quote)
{
    memset(quote, 0, sizeof *quote);
    const json_t *stored = json_object_get(doc, "quote");
    snprintf(quote->id, sizeof quote->id, "%s", pacta_jdoc_str(stored, "quote_id"));
    const char *state = pacta_jdoc_str(stored, "state");
    quote->state = strcmp(state, "accepted") == 0 ? PACTA_QUOTE_ACCEPTED
                   : strcmp(state, "withdrawn") == 0 ? PACTA_QUOTE_WITHDRAWN
                                                     : PACTA_QUOTE_OPEN;
    quote->issued_on = pacta_jdoc_date(stored, "issued_on");
    quote->validity_days = (int) pacta_jdoc_int(stored, "validity_days");
    quote->total = pacta_jdoc_int(stored, "total_cents");
    quote->deposit_percent_stated = json_is_integer(json_object_get(stored, "deposit_rate_bp"));
    quote->deposit_percent = (pacta_bp_t) pacta_jdoc_int(stored, "deposit_rate_bp");
    const json_t *client = json_object_get(doc, "client");
    snprintf(quote->client.id, sizeof quote->client.id, "%s", pacta_jdoc_str(client, "client_id"));
    quote->client.kind = strcmp(pacta_jdoc_str(client, "kind"), "consumer") == 0 ? PACTA_CLIENT_CONSUMER
                                                                                   : PACTA_CLIENT_PROFESSIONAL;
}

static void
s_lapse_timer_id(pacta_handler_ctx_t *ctx, const char *quote_id, pacta_date_t fires_on, char *buf, size_t size)
{
    s_timer_id(ctx, CTR_TIMER_QUOTE_LAPSE, quote_id, fires_on, buf, size);
}

int
ctr_on_quote_issued(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__QuoteIssued *msg = (const Pacta__V1__QuoteIssued *) payload;
    if (s_check_entity(ctx, msg->contract_id) != 0)
        return -1;
    if (strlen(msg->quote_id) >= PACTA_REF_SIZE)
        return pacta_handler_refuse(ctx, INVALID_REASON, "quote_id", "quote_id: at most %d bytes", PACTA_REF_SIZE - 1);
    if (msg->total && msg->total->cents < 0)
        return pacta_handler_refuse(ctx, INVALID_REASON, "total", "total: must not be negative");
    pacta_date_t issued_on = pacta_handler_date(msg->issued_on);
    pacta_date_t valid_until = msg->valid_until ? pacta_handler_date(msg->valid_until) : PACTA_DATE_INVALID;
    if (pacta_date_is_valid(valid_until) && valid_until < issued_on)
        return pacta_handler_refuse(ctx, INVALID_REASON, "valid_until", "valid_until: before issued_on");
    json_t *doc = pacta_handler_doc(ctx, DOC);
    if (pacta_handler_doc_version(ctx, DOC) > 0) {
        const json_t *known = json_object_get(doc, "quote");
        if (json_is_object(known) && strcmp(pacta_jdoc_str(known, "quote_id"), msg->quote_id) == 0)
            return 0;   /* the same quote again */
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_CONFLICT, "contract_id",
                                    "contract %s already exists", msg->contract_id);
    }
    char text[64];
    json_t *client = json_object();
    pacta_jdoc_set_str(client, "client_id", msg->client ? msg->client->client_id : "");
    pacta_jdoc_set_str(client, "subject_id", msg->client ? msg->client->subject_id : "");
    pacta_jdoc_set_str(client, "kind", pacta_pbjson_enum_name(&pacta__v1__party_kind__descriptor,
                                                              msg->client ? (int) msg->client->kind : 0, text,
                                                              sizeof text));
    pacta_jdoc_set_str(client, "language", pacta_pbjson_enum_name(&pacta__v1__language__descriptor,
                                                                  msg->client ? (int) msg->client->language : 0,
                                                                  text, sizeof text));
    json_t *quote = json_object();
    pacta_jdoc_set_str(quote, "quote_id", msg->quote_id);
    pacta_jdoc_set_str(quote, "state", "open");
    pacta_jdoc_set_date(quote, "issued_on", issued_on);
    pacta_jdoc_set_int(quote, "validity_days", pacta_date_is_valid(valid_until) ? valid_until - issued_on : 0);
    pacta_jdoc_set_int(quote, "total_cents", msg->total ? msg->total->cents : 0);
    if (msg->deposit_rate)
        pacta_jdoc_set_int(quote, "deposit_rate_bp", msg->deposit_rate->value);
    pacta_jdoc_set_str(doc, "contract_id", msg->contract_id);
    pacta_jdoc_set_str(doc, "tenant", pacta_handler_tenant(ctx));
    json_object_set_new(doc, "client", client);
    pacta_jdoc_set_str(doc, "kind", pacta_pbjson_enum_name(&pacta__v1__contract_kind__descriptor,
                                                           msg->contract_kind, text, sizeof text));
    pacta_jdoc_set_str(doc, "state", "quoted");
    pacta_jdoc_set_int(doc, "total_cents", msg->total ? msg->total->cents : 0);
    json_object_set_new(doc, "quote", quote);
    json_object_set_new(doc, "suspension", json_null());
    pacta_jdoc_array(doc, "suspensions");
    pacta_jdoc_array(doc, "lost_periods");

    pacta_quote_t rules_quote;
    s_quote_from_doc(doc, &rules_quote);
    //  Terms without a quote clause (SG-2a off) set no validity: no lapse.
    const pacta_profile_t *profile = pacta_handler_profile(ctx);
    pacta_date_t valid_through = pacta_rule_enabled(&profile->quote.rule)
                                     ? pacta_quote_valid_through(profile, &rules_quote)
                                     : PACTA_DATE_INVALID;
    pacta_jdoc_set_date(quote, "valid_through", valid_through);
    if (pacta_handler_put_doc(ctx, DOC) != 0)
        return -1;
    char day[PACTA_DATE_STR_LEN], through[PACTA_DATE_STR_LEN], summary[256];
    snprintf(summary, sizeof summary, "quote %s issued %s for contract %s, valid through %s", msg->quote_id,
             pacta_handler_date_text(issued_on, day, sizeof day), msg->contract_id,
             pacta_handler_date_text(valid_through, through, sizeof through));
    s_audit_fact(ctx, summary, issued_on, msg->quote_id);
    pacta_handler_index_zadd(ctx, "contracts", msg->contract_id, (double) issued_on);
    if (!pacta_date_is_valid(valid_through))
        return 0;
    char id[320];
    s_lapse_timer_id(ctx, msg->quote_id, valid_through + 1, id, sizeof id);
    json_t *data = json_pack("{s:s}", "quote_id", msg->quote_id);
    int rc = data ? pacta_handler_schedule_timer(ctx, id, valid_through + 1, CTR_TIMER_QUOTE_LAPSE, data) : -1;
    json_decref(data);
    return rc;
}

static pacta_acceptance_form_t
s_acceptance_form(Pacta__V1__Channel channel)
{
    switch (channel) {
        case PACTA__V1__CHANNEL__CHANNEL_EMAIL: return PACTA_ACCEPTED_BY_EMAIL;
        case PACTA__V1__CHANNEL__CHANNEL_VERBAL:
        case PACTA__V1__CHANNEL__CHANNEL_PHONE:
        case PACTA__V1__CHANNEL__CHANNEL_IN_PERSON: return PACTA_ACCEPTED_VERBALLY;
        case PACTA__V1__CHANNEL__CHANNEL_START_OF_WORK: return PACTA_ACCEPTED_BY_WORK_STARTED;
        default: return PACTA_ACCEPTED_BY_SIGNATURE;
    }
}

/* CC-17 (for terms that count a validated quote as a formation fact): the
   acceptance starts a contract not started yet, with its CC-2a term and
   the CC-2b timer, as a signature would; ContractStarted is emitted. */
static int
s_start_from_quote(pacta_handler_ctx_t *ctx, json_t *doc, pacta_date_t accepted_on)
{
    const pacta_profile_t *profile = pacta_handler_profile(ctx);
    if (!pacta_rule_enabled(&profile->contract_start.rule) || pacta_date_is_valid(pacta_jdoc_date(doc, "start_on")))
        return 0;
    pacta_contract_t contract;
    s_contract_from_doc(doc, &contract);
    contract.formation.quote_validated_on = accepted_on;
    contract.state = PACTA_CONTRACT_PENDING;
    pacta_outcome_t *outcome = pacta_outcome_new();
    if (!outcome)
        return s_no_memory(ctx);
    int rc = 0;
    Pacta__V1__Explanation *why = NULL;
    if (rule_cc17_set_start_date(profile, &contract, outcome) != 0)
        goto cleanup;   /* nothing to start from: the contract waits for its signature */
    const pacta_decision_t *start = pacta_outcome_find(outcome, PACTA_DECISION_START);
    if (!start || start->status != PACTA_DECISION_APPLY)
        goto cleanup;
    contract.start_on = start->date;
    contract.state = PACTA_CONTRACT_ACTIVE;
    if (rule_cc2a_initial_term(profile, &contract, outcome) != 0)
        goto cleanup;
    const pacta_decision_t *term = pacta_outcome_find(outcome, PACTA_DECISION_TERM);
    pacta_date_t term_ends_on = term ? term->until : PACTA_DATE_INVALID;
    pacta_date_t deadline = pacta_rule_enabled(&profile->tacit_renewal.rule)
                                ? pacta_cc_non_renewal_deadline(profile, contract.start_on, 0)
                                : PACTA_DATE_INVALID;
    pacta_jdoc_set_str(doc, "state", "active");
    pacta_jdoc_set_date(doc, "start_on", start->date);
    pacta_jdoc_set_str(doc, "start_cause", "quote_validated");
    pacta_jdoc_set_date(doc, "term_ends_on", term_ends_on);
    pacta_jdoc_set_date(doc, "renewal_notice_deadline", deadline);
    pacta_jdoc_set_int(doc, "period_index", 0);
    char decision_id[PACTA_DECIDE_ID_SIZE];
    for (size_t i = 0; i < outcome->count; i++)
        s_audit_decision(ctx, &outcome->items[i], contract.id,
                         &outcome->items[i] == start ? "pacta.v1.ContractStarted" : NULL, accepted_on, decision_id);
    if (pacta_date_is_valid(term_ends_on) && pacta_rule_enabled(&profile->tacit_renewal.rule))
        rc = ctr_schedule_term_end(ctx, contract.id, 0, term_ends_on);
    why = pacta_decide_explanation_new(start, profile, accepted_on);
    Pacta__V1__Date started = PACTA__V1__DATE__INIT, ends = PACTA__V1__DATE__INIT, notice = PACTA__V1__DATE__INIT;
    pacta_handler_set_date(&started, start->date);
    pacta_handler_set_date(&ends, term_ends_on);
    pacta_handler_set_date(&notice, deadline);
    Pacta__V1__ContractStarted msg = PACTA__V1__CONTRACT_STARTED__INIT;
    msg.contract_id = contract.id;
    msg.started_on = &started;
    msg.cause = PACTA__V1__START_CAUSE__START_CAUSE_QUOTE_VALIDATED;
    msg.term_ends_on = pacta_date_is_valid(term_ends_on) ? &ends : NULL;
    msg.renewal_notice_deadline = pacta_date_is_valid(deadline) ? &notice : NULL;
    msg.explanation = why;
    if (rc == 0)
        rc = pacta_handler_emit(ctx, &msg.base, DECISION_KIND, NULL, NULL, NULL);
cleanup:
    pacta_decide_explanation_destroy(&why);
    pacta_outcome_destroy(&outcome);
    return rc;
}

int
ctr_on_quote_accepted(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__QuoteAccepted *msg = (const Pacta__V1__QuoteAccepted *) payload;
    if (s_check_entity(ctx, msg->contract_id) != 0)
        return -1;
    json_t *doc = pacta_handler_doc(ctx, DOC);
    json_t *stored = json_object_get(doc, "quote");
    if (pacta_handler_doc_version(ctx, DOC) == 0)
        return s_unknown_contract(ctx, msg->contract_id);
    if (!json_is_object(stored))
        return pacta_handler_refuse(ctx, INVALID_REASON, "quote_id", "contract %s was not offered by a quote",
                                    msg->contract_id);
    if (strcmp(pacta_jdoc_str(stored, "quote_id"), msg->quote_id) != 0)
        return pacta_handler_refuse(ctx, INVALID_REASON, "quote_id", "contract %s was offered by quote %s, not %s",
                                    msg->contract_id, pacta_jdoc_str(stored, "quote_id"), msg->quote_id);
    const pacta_profile_t *profile = pacta_handler_profile(ctx);
    pacta_date_t accepted_on = pacta_handler_date(msg->accepted_on);
    pacta_quote_t quote;
    s_quote_from_doc(doc, &quote);
    pacta_outcome_t *outcome = pacta_outcome_new();
    if (!outcome)
        return s_no_memory(ctx);
    int rc = -1;
    Pacta__V1__Explanation *why = NULL;
    if (rule_sg2a_accept_quote(profile, &quote, accepted_on, s_acceptance_form(msg->channel), outcome) != 0) {
        pacta_handler_refuse(ctx, INVALID_REASON, "accepted_on", "accepted_on: before the quote's issue date");
        goto cleanup;
    }
    const pacta_decision_t *accept = pacta_outcome_find(outcome, PACTA_DECISION_ACCEPT);
    const pacta_decision_t *refuse = pacta_outcome_find(outcome, PACTA_DECISION_REFUSE);
    char decision_id[PACTA_DECIDE_ID_SIZE];
    rc = 0;
    //  Terms without a quote clause (SG-2a off) set no validity: any
    //  acceptance of an open quote binds.
    bool unlimited = !accept && !refuse && !pacta_rule_enabled(&profile->quote.rule)
                     && strcmp(pacta_jdoc_str(stored, "state"), "accepted") != 0;
    if (accept || unlimited) {
        if (accept)
            s_audit_decision(ctx, accept, msg->contract_id, NULL, accepted_on, decision_id);
        else
            s_audit_fact(ctx, "quote accepted; the terms set no validity period", accepted_on, msg->quote_id);
        pacta_jdoc_set_str(stored, "state", "accepted");
        pacta_jdoc_set_date(stored, "accepted_on", accepted_on);
        if (strcmp(pacta_jdoc_str(doc, "state"), "quoted") == 0)
            pacta_jdoc_set_str(doc, "state", "pending");
        //  SG-2b: the deposit this acceptance calls for, which SG-4a reads later.
        pacta_outcome_t *deposit = pacta_outcome_new();
        if (deposit && rule_sg2b_invoice_deposit(profile, &quote, accepted_on, deposit) == 0) {
            const pacta_decision_t *charge = pacta_outcome_find(deposit, PACTA_DECISION_CHARGE);
            if (charge)
                pacta_jdoc_set_int(doc, "deposit_cents", charge->amount);
        }
        pacta_outcome_destroy(&deposit);
        pacta_date_t valid_through = pacta_jdoc_date(stored, "valid_through");
        if (pacta_date_is_valid(valid_through)) {
            char id[320];
            s_lapse_timer_id(ctx, msg->quote_id, valid_through + 1, id, sizeof id);
            pacta_handler_cancel_timer(ctx, id);
        }
        rc = s_start_from_quote(ctx, doc, accepted_on);
        if (rc == 0)
            rc = pacta_handler_put_doc(ctx, DOC);
    }
    else if (refuse) {
        s_audit_decision(ctx, refuse, msg->contract_id, "pacta.v1.QuoteAcceptanceRefused", accepted_on,
                         decision_id);
        pacta_jdoc_set_date(stored, "refused_acceptance_on", accepted_on);
        rc = pacta_handler_put_doc(ctx, DOC);
        why = pacta_decide_explanation_new(refuse, profile, accepted_on);
        Pacta__V1__Date on = PACTA__V1__DATE__INIT, last = PACTA__V1__DATE__INIT;
        pacta_handler_set_date(&on, accepted_on);
        pacta_handler_set_date(&last, pacta_jdoc_date(stored, "valid_through"));
        Pacta__V1__QuoteAcceptanceRefused refused = PACTA__V1__QUOTE_ACCEPTANCE_REFUSED__INIT;
        refused.quote_id = msg->quote_id;
        refused.contract_id = msg->contract_id;
        refused.accepted_on = &on;
        refused.last_valid_on = &last;
        refused.explanation = why;
        if (rc == 0)
            rc = pacta_handler_emit(ctx, &refused.base, DECISION_KIND, NULL, NULL, NULL);
    }
cleanup:
    pacta_decide_explanation_destroy(&why);
    pacta_outcome_destroy(&outcome);
    return rc;
}

int
ctr_on_quote_lapse_timer(pacta_handler_ctx_t *ctx, const json_t *data, void *arg)
{
    (void) arg;
    (void) data;
    json_t *doc = pacta_handler_doc(ctx, DOC);
    json_t *stored = json_object_get(doc, "quote");
    if (pacta_handler_doc_version(ctx, DOC) == 0 || !json_is_object(stored)
        || strcmp(pacta_jdoc_str(stored, "state"), "open") != 0)
        return 0;
    const pacta_profile_t *profile = pacta_handler_profile(ctx);
    pacta_date_t today = pacta_handler_today(ctx);
    pacta_quote_t quote;
    s_quote_from_doc(doc, &quote);
    pacta_outcome_t *outcome = pacta_outcome_new();
    if (!outcome)
        return s_no_memory(ctx);
    int rc = 0;
    Pacta__V1__Explanation *why = NULL;
    if (rule_sg2a_lapse_quote(profile, &quote, today, outcome) != 0) {
        rc = pacta_handler_refuse(ctx, INVALID_REASON, NULL, "SG-2a cannot evaluate quote %s", quote.id);
        goto cleanup;
    }
    const pacta_decision_t *lapse = pacta_outcome_find(outcome, PACTA_DECISION_RECORD);
    if (!lapse)
        goto cleanup;
    const char *contract_id = pacta_jdoc_str(doc, "contract_id");
    char decision_id[PACTA_DECIDE_ID_SIZE];
    s_audit_decision(ctx, lapse, contract_id, "pacta.v1.QuoteLapsed", today, decision_id);
    pacta_jdoc_set_str(stored, "state", "lapsed");
    pacta_jdoc_set_date(stored, "lapsed_on", lapse->date);
    if (strcmp(pacta_jdoc_str(doc, "state"), "quoted") == 0)
        pacta_jdoc_set_str(doc, "state", "lapsed");
    rc = pacta_handler_put_doc(ctx, DOC);
    why = pacta_decide_explanation_new(lapse, profile, today);
    Pacta__V1__Date issued = PACTA__V1__DATE__INIT, lapsed = PACTA__V1__DATE__INIT;
    pacta_handler_set_date(&issued, quote.issued_on);
    pacta_handler_set_date(&lapsed, lapse->date);
    Pacta__V1__QuoteLapsed msg = PACTA__V1__QUOTE_LAPSED__INIT;
    msg.quote_id = quote.id;
    msg.contract_id = (char *) contract_id;
    msg.issued_on = &issued;
    msg.lapsed_on = &lapsed;
    msg.explanation = why;
    if (rc == 0)
        rc = pacta_handler_emit(ctx, &msg.base, DECISION_KIND, NULL, NULL, NULL);
cleanup:
    pacta_decide_explanation_destroy(&why);
    pacta_outcome_destroy(&outcome);
    return rc;
}

/* A notice needs a signed contract that is still running: loads it into
   *doc_out, or leaves it NULL and returns the handler's answer (unknown
   contract, wait for its ContractSigned, or refused because it is over). */
static int
s_open_contract(pacta_handler_ctx_t *ctx, const char *contract_id, json_t **doc_out)
{
    *doc_out = NULL;
    if (pacta_handler_doc_version(ctx, DOC) == 0)
        return s_unknown_contract(ctx, contract_id);
    json_t *doc = s_signed_contract(ctx);
    if (!doc)
        return s_wait_for(ctx, "contract (its ContractSigned)", contract_id);
    if (s_is_over(doc))
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_CONFLICT, "contract_id",
                                    "contract %s is %s", contract_id, pacta_jdoc_str(doc, "state"));
    *doc_out = doc;
    return 0;
}

/* ---- CC-2b: renewal and non-renewal --------------------------------------------------------- */

int
ctr_on_non_renewal_notice(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__NonRenewalNoticeGiven *msg = (const Pacta__V1__NonRenewalNoticeGiven *) payload;
    if (s_check_entity(ctx, msg->contract_id) != 0 || s_check_notice(ctx, msg->notice) != 0)
        return -1;
    json_t *doc = NULL;
    const int answer = s_open_contract(ctx, msg->contract_id, &doc);
    if (!doc)
        return answer;
    const pacta_profile_t *profile = pacta_handler_profile(ctx);
    pacta_contract_t contract;
    s_contract_from_doc(doc, &contract);
    pacta_letter_t letter;
    s_letter_from(msg->notice, msg->given_by, msg->contract_id, &letter);
    if (pacta_date_is_valid(contract.ends_on)) {
        char summary[200], day[PACTA_DATE_STR_LEN];
        snprintf(summary, sizeof summary, "non-renewal notice for %s: the contract already ends on %s",
                 msg->contract_id, pacta_handler_date_text(contract.ends_on, day, sizeof day));
        s_audit_fact(ctx, summary, letter.sent_on, msg->contract_id);
        return 0;
    }
    pacta_outcome_t *outcome = pacta_outcome_new();
    if (!outcome)
        return s_no_memory(ctx);
    int rc = -1;
    Pacta__V1__Explanation *why = NULL;
    if (rule_cc2b_record_non_renewal(profile, &contract, &letter, outcome) != 0) {
        pacta_handler_refuse(ctx, INVALID_REASON, "notice.sent_on",
                             "CC-2b cannot place this notice: the contract has no start date or term");
        goto cleanup;
    }
    rc = 0;
    const pacta_decision_t *end = pacta_outcome_find(outcome, PACTA_DECISION_TERMINATE);
    if (!end) {
        s_audit_fact(ctx, "non-renewal notice recorded; the tenant's terms have no tacit renewal", letter.sent_on,
                     msg->contract_id);
        goto cleanup;
    }
    char decision_id[PACTA_DECIDE_ID_SIZE];
    s_audit_decision(ctx, end, msg->contract_id, "pacta.v1.NonRenewalNoticeRecorded", letter.sent_on, decision_id);
    if (end->status != PACTA_DECISION_APPLY)
        goto cleanup;
    rc = s_end_on(ctx, doc, end->date, "not_renewed", decision_id);
    why = pacta_decide_explanation_new(end, profile, letter.sent_on);
    Pacta__V1__Date deadline = PACTA__V1__DATE__INIT, ends = PACTA__V1__DATE__INIT;
    pacta_handler_set_date(&deadline, s_value_date(end, "deadline"));
    pacta_handler_set_date(&ends, end->date);
    Pacta__V1__NonRenewalNoticeRecorded recorded = PACTA__V1__NON_RENEWAL_NOTICE_RECORDED__INIT;
    recorded.contract_id = msg->contract_id;
    recorded.in_time = !s_value_flag(end, "late");
    recorded.deadline = &deadline;
    recorded.ends_on = &ends;
    recorded.explanation = why;
    if (rc == 0)
        rc = pacta_handler_emit(ctx, &recorded.base, DECISION_KIND, NULL, NULL, NULL);
cleanup:
    pacta_decide_explanation_destroy(&why);
    pacta_outcome_destroy(&outcome);
    return rc;
}

int
ctr_on_term_end_timer(pacta_handler_ctx_t *ctx, const json_t *data, void *arg)
{
    (void) arg;
    json_t *doc = s_signed_contract(ctx);
    if (!doc || s_is_over(doc))
        return 0;
    int k = (int) pacta_jdoc_int(data, "k");
    const pacta_profile_t *profile = pacta_handler_profile(ctx);
    pacta_date_t today = pacta_handler_today(ctx);
    pacta_contract_t contract;
    s_contract_from_doc(doc, &contract);
    if (!pacta_date_is_valid(contract.start_on) || k < 0 || pacta_jdoc_int(doc, "period_index") > k)
        return 0;   /* not started, or this period was already renewed */
    if (pacta_cc_period_last_day(profile, contract.start_on, k) + 1 != today)
        return 0;   /* a timer of a start since moved (CC-17): the right one fires on its own day */
    pacta_outcome_t *outcome = pacta_outcome_new();
    if (!outcome)
        return s_no_memory(ctx);
    int rc = 0;
    Pacta__V1__Explanation *why = NULL;
    if (rule_cc2b_renew_at_term_end(profile, &contract, k, outcome) != 0) {
        rc = pacta_handler_refuse(ctx, INVALID_REASON, NULL, "CC-2b cannot compute period %d", k);
        goto cleanup;
    }
    const pacta_decision_t *renew = pacta_outcome_find(outcome, PACTA_DECISION_RENEW);
    if (!renew)
        goto cleanup;
    char decision_id[PACTA_DECIDE_ID_SIZE];
    s_audit_decision(ctx, renew, contract.id, "pacta.v1.ContractRenewed", today, decision_id);
    if (renew->status != PACTA_DECISION_APPLY)
        goto cleanup;
    pacta_jdoc_set_int(doc, "period_index", k + 1);
    pacta_jdoc_set_date(doc, "term_ends_on", renew->until);
    pacta_jdoc_set_date(doc, "renewal_notice_deadline", pacta_cc_non_renewal_deadline(profile, contract.start_on, k + 1));
    rc = pacta_handler_put_doc(ctx, DOC);
    if (rc == 0)
        rc = ctr_schedule_term_end(ctx, contract.id, k + 1, renew->until);
    why = pacta_decide_explanation_new(renew, profile, today);
    Pacta__V1__Date from = PACTA__V1__DATE__INIT, until = PACTA__V1__DATE__INIT;
    pacta_handler_set_date(&from, renew->date);
    pacta_handler_set_date(&until, renew->until);
    Pacta__V1__ContractRenewed renewed = PACTA__V1__CONTRACT_RENEWED__INIT;
    renewed.contract_id = contract.id;
    renewed.renewal_number = k + 1;
    renewed.period_starts_on = &from;
    renewed.period_ends_on = &until;
    renewed.ends_at_period_end = pacta_date_is_valid(contract.ends_on) && contract.ends_on <= renew->until;
    renewed.explanation = why;
    if (rc == 0)
        rc = pacta_handler_emit(ctx, &renewed.base, DECISION_KIND, NULL, NULL, NULL);
cleanup:
    pacta_decide_explanation_destroy(&why);
    pacta_outcome_destroy(&outcome);
    return rc;
}

/* ---- the end of a contract --------------------------------------------------------------------- */

/* CC-10: the licence on the content created for the client ends with the
   contract's last day, whatever ended it (a withdrawal cancels the contract
   as if never made: no licence was running). LicenceEnded is emitted for
   the notice to the client. */
static int
s_end_licence(pacta_handler_ctx_t *ctx, json_t *doc, pacta_date_t ends_on)
{
    const pacta_profile_t *profile = pacta_handler_profile(ctx);
    if (!pacta_rule_enabled(&profile->content_licence.rule))
        return 0;
    pacta_contract_t contract;
    s_contract_from_doc(doc, &contract);
    contract.ends_on = ends_on;
    pacta_outcome_t *outcome = pacta_outcome_new();
    if (!outcome)
        return s_no_memory(ctx);
    int rc = 0;
    Pacta__V1__Explanation *why = NULL;
    if (rule_cc10_end_content_licence(profile, &contract, outcome) != 0)
        goto cleanup;   /* no last day: nothing ends */
    const pacta_decision_t *end = pacta_outcome_find(outcome, PACTA_DECISION_LICENCE_END);
    if (!end || end->status != PACTA_DECISION_APPLY)
        goto cleanup;
    //  A decision of its own in the audit trail (`pactactl explain` knows
    //  that a licence ending never sets the contract's state).
    char decision_id[PACTA_DECIDE_ID_SIZE];
    pacta_decide_id(end, contract.id, decision_id, sizeof decision_id);
    json_t *entry = pacta_decide_audit_entry(end, profile, decision_id, "pacta.v1.LicenceEnded", ends_on);
    if (!entry) {
        rc = s_no_memory(ctx);
        goto cleanup;
    }
    pacta_handler_audit(ctx, entry);
    json_decref(entry);
    pacta_jdoc_set_date(doc, "licence_ended_on", end->date);
    rc = pacta_handler_put_doc(ctx, DOC);
    why = pacta_decide_explanation_new(end, profile, ends_on);
    Pacta__V1__Date ended = PACTA__V1__DATE__INIT;
    pacta_handler_set_date(&ended, end->date);
    Pacta__V1__LicenceEnded msg = PACTA__V1__LICENCE_ENDED__INIT;
    msg.contract_id = contract.id;
    msg.ended_on = &ended;
    msg.explanation = why;
    if (rc == 0)
        rc = pacta_handler_emit(ctx, &msg.base, DECISION_KIND, NULL, NULL, NULL);
cleanup:
    pacta_decide_explanation_destroy(&why);
    pacta_outcome_destroy(&outcome);
    return rc;
}

int
ctr_on_end_timer(pacta_handler_ctx_t *ctx, const json_t *data, void *arg)
{
    (void) arg;
    (void) data;
    json_t *doc = s_signed_contract(ctx);
    if (!doc || s_is_over(doc))
        return 0;
    pacta_date_t ends_on = pacta_jdoc_date(doc, "ends_on");
    pacta_date_t today = pacta_handler_today(ctx);
    if (!pacta_date_is_valid(ends_on) || ends_on >= today)
        return 0;   /* the end was moved: a later timer ends it */
    const char *cause = pacta_jdoc_str(doc, "end_cause");
    pacta_jdoc_set_str(doc, "state", "ended");
    pacta_jdoc_set_date(doc, "ended_on", ends_on);
    json_object_set_new(doc, "suspension", json_null());   /* over: nothing runs any more */
    if (pacta_handler_put_doc(ctx, DOC) != 0)
        return -1;
    const char *contract_id = pacta_jdoc_str(doc, "contract_id");
    char summary[200], day[PACTA_DATE_STR_LEN];
    snprintf(summary, sizeof summary, "contract %s ended on %s (%s, decision %s)", contract_id,
             pacta_handler_date_text(ends_on, day, sizeof day), cause, pacta_jdoc_str(doc, "end_decision_id"));
    s_audit_fact(ctx, summary, ends_on, contract_id);
    Pacta__V1__Date ended = PACTA__V1__DATE__INIT;
    pacta_handler_set_date(&ended, ends_on);
    Pacta__V1__ContractEnded msg = PACTA__V1__CONTRACT_ENDED__INIT;
    msg.contract_id = (char *) contract_id;
    msg.ended_on = &ended;
    msg.cause = s_end_cause(cause);
    msg.subject_id = (char *) pacta_jdoc_str(json_object_get(doc, "client"), "subject_id");
    int rc = pacta_handler_emit(ctx, &msg.base, DECISION_KIND, NULL, NULL, NULL);
    if (rc == 0)
        rc = s_end_licence(ctx, doc, ends_on);
    return rc;
}

/* ---- CC-2c, SG-4a: early termination ------------------------------------------------------------ */

static Pacta__V1__EarlyTerminationRefusal
s_refusal_reason(const char *reason)
{
    if (strcmp(reason, "too_early") == 0)
        return PACTA__V1__EARLY_TERMINATION_REFUSAL__EARLY_TERMINATION_REFUSAL_TOO_EARLY;
    if (strcmp(reason, "not_registered_letter") == 0)
        return PACTA__V1__EARLY_TERMINATION_REFUSAL__EARLY_TERMINATION_REFUSAL_NOT_REGISTERED_LETTER;
    return PACTA__V1__EARLY_TERMINATION_REFUSAL__EARLY_TERMINATION_REFUSAL_NOT_APPLICABLE;
}

static int
s_emit_early_refused(pacta_handler_ctx_t *ctx, const pacta_decision_t *refuse, const char *contract_id,
                     pacta_date_t today)
{
    Pacta__V1__Explanation *why = pacta_decide_explanation_new(refuse, pacta_handler_profile(ctx), today);
    Pacta__V1__Date notified = PACTA__V1__DATE__INIT, possible = PACTA__V1__DATE__INIT;
    pacta_date_t received_on = s_value_date(refuse, "received_on");
    pacta_handler_set_date(&notified, received_on);
    pacta_handler_set_date(&possible, refuse->date);
    Pacta__V1__EarlyTerminationRefused msg = PACTA__V1__EARLY_TERMINATION_REFUSED__INIT;
    msg.contract_id = (char *) contract_id;
    msg.notified_on = pacta_date_is_valid(received_on) ? &notified : NULL;
    msg.possible_from = pacta_date_is_valid(refuse->date) ? &possible : NULL;
    msg.reason = s_refusal_reason(refuse->reason);
    msg.explanation = why;
    int rc = pacta_handler_emit(ctx, &msg.base, DECISION_KIND, NULL, NULL, NULL);
    pacta_decide_explanation_destroy(&why);
    return rc;
}

static int
s_early_cc2c(pacta_handler_ctx_t *ctx, json_t *doc, const pacta_contract_t *contract, const pacta_letter_t *letter,
             pacta_outcome_t *outcome)
{
    const pacta_profile_t *profile = pacta_handler_profile(ctx);
    pacta_ledger_t ledger = {0};
    if (rule_cc2c_early_termination(profile, contract, letter, &ledger, outcome) != 0)
        return pacta_handler_refuse(ctx, INVALID_REASON, "notice.sent_on",
                                    "CC-2c cannot evaluate this letter: the contract has no start date or fee");
    const pacta_decision_t *refuse = pacta_outcome_find(outcome, PACTA_DECISION_REFUSE);
    const pacta_decision_t *end = pacta_outcome_find(outcome, PACTA_DECISION_TERMINATE);
    pacta_date_t today = pacta_letter_received_on(profile, letter);
    char decision_id[PACTA_DECIDE_ID_SIZE];
    if (refuse) {
        s_audit_decision(ctx, refuse, contract->id, "pacta.v1.EarlyTerminationRefused", today, decision_id);
        return s_emit_early_refused(ctx, refuse, contract->id, today);
    }
    if (!end)
        return 0;
    s_audit_decision(ctx, end, contract->id, "pacta.v1.EarlyTerminationAccepted", today, decision_id);
    if (end->status != PACTA_DECISION_APPLY)
        return 0;
    int rc = s_end_on(ctx, doc, end->date, "early_termination", decision_id);
    Pacta__V1__Explanation *why = pacta_decide_explanation_new(end, profile, today);
    Pacta__V1__Date notified = PACTA__V1__DATE__INIT, ends = PACTA__V1__DATE__INIT;
    pacta_handler_set_date(&notified, s_value_date(end, "received_on"));
    pacta_handler_set_date(&ends, end->date);
    Pacta__V1__Money indemnity = PACTA__V1__MONEY__INIT;
    indemnity.cents = end->amount;
    indemnity.currency = (char *) "EUR";
    Pacta__V1__EarlyTerminationAccepted msg = PACTA__V1__EARLY_TERMINATION_ACCEPTED__INIT;
    msg.contract_id = (char *) contract->id;
    msg.notified_on = &notified;
    msg.ends_on = &ends;
    msg.indemnity = &indemnity;
    msg.explanation = why;
    if (rc == 0)
        rc = pacta_handler_emit(ctx, &msg.base, DECISION_KIND, NULL, NULL, NULL);
    pacta_decide_explanation_destroy(&why);
    return rc;
}

static int
s_early_sg4a(pacta_handler_ctx_t *ctx, json_t *doc, const pacta_contract_t *contract, const pacta_letter_t *letter,
             pacta_outcome_t *outcome)
{
    const pacta_profile_t *profile = pacta_handler_profile(ctx);
    pacta_date_t ends_on = pacta_letter_received_on(profile, letter);
    if (rule_sg4a_terminate_fixed_term(profile, contract, ends_on, outcome) != 0)
        return pacta_handler_refuse(ctx, INVALID_REASON, "contract_id",
                                    "SG-4a: the contract's amounts are inconsistent (performed or deposit above the "
                                    "total)");
    const pacta_decision_t *refuse = pacta_outcome_find(outcome, PACTA_DECISION_REFUSE);
    const pacta_decision_t *end = pacta_outcome_find(outcome, PACTA_DECISION_TERMINATE);
    const pacta_decision_t *charge = pacta_outcome_find(outcome, PACTA_DECISION_CHARGE);
    char decision_id[PACTA_DECIDE_ID_SIZE], charge_id[PACTA_DECIDE_ID_SIZE];
    if (refuse) {
        s_audit_decision(ctx, refuse, contract->id, "pacta.v1.EarlyTerminationRefused", ends_on, decision_id);
        return s_emit_early_refused(ctx, refuse, contract->id, ends_on);
    }
    if (!end)
        return 0;
    s_audit_decision(ctx, end, contract->id, "pacta.v1.EarlyTerminationAccepted", ends_on, decision_id);
    if (charge)
        s_audit_decision(ctx, charge, contract->id, NULL, ends_on, charge_id);
    if (end->status != PACTA_DECISION_APPLY)
        return 0;
    int rc = s_end_on(ctx, doc, end->date, "early_termination", decision_id);
    Pacta__V1__Explanation *why = pacta_decide_explanation_new(charge ? charge : end, profile, ends_on);
    Pacta__V1__Date notified = PACTA__V1__DATE__INIT, ends = PACTA__V1__DATE__INIT;
    pacta_handler_set_date(&notified, ends_on);
    pacta_handler_set_date(&ends, end->date);
    Pacta__V1__Money amounts[5] = {PACTA__V1__MONEY__INIT, PACTA__V1__MONEY__INIT, PACTA__V1__MONEY__INIT,
                                   PACTA__V1__MONEY__INIT, PACTA__V1__MONEY__INIT};
    const pacta_cents_t performed = contract->performed_amount, deposit = contract->deposit_amount;
    amounts[0].cents = charge ? s_value_cents(charge, "indemnity") : 0;
    amounts[1].cents = performed;
    amounts[2].cents = deposit > performed ? deposit - performed : 0;
    amounts[3].cents = contract->total_amount - performed;
    amounts[4].cents = performed > deposit ? performed - deposit : 0;
    for (size_t i = 0; i < 5; i++)
        amounts[i].currency = (char *) "EUR";
    Pacta__V1__EarlyTerminationAccepted msg = PACTA__V1__EARLY_TERMINATION_ACCEPTED__INIT;
    msg.contract_id = (char *) contract->id;
    msg.notified_on = &notified;
    msg.ends_on = &ends;
    msg.indemnity = &amounts[0];
    msg.performed = &amounts[1];
    msg.deposit_kept = &amounts[2];
    msg.remaining = &amounts[3];
    msg.performed_to_invoice = &amounts[4];
    msg.explanation = why;
    if (rc == 0)
        rc = pacta_handler_emit(ctx, &msg.base, DECISION_KIND, NULL, NULL, NULL);
    pacta_decide_explanation_destroy(&why);
    return rc;
}

int
ctr_on_early_termination(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__EarlyTerminationRequested *msg = (const Pacta__V1__EarlyTerminationRequested *) payload;
    if (s_check_entity(ctx, msg->contract_id) != 0 || s_check_notice(ctx, msg->notice) != 0)
        return -1;
    json_t *doc = NULL;
    const int answer = s_open_contract(ctx, msg->contract_id, &doc);
    if (!doc)
        return answer;
    const pacta_profile_t *profile = pacta_handler_profile(ctx);
    pacta_contract_t contract;
    s_contract_from_doc(doc, &contract);
    pacta_letter_t letter;
    s_letter_from(msg->notice, PACTA__V1__PARTY_ROLE__PARTY_ROLE_CLIENT, msg->contract_id, &letter);
    pacta_outcome_t *outcome = pacta_outcome_new();
    if (!outcome)
        return s_no_memory(ctx);
    int rc;
    if (contract.kind != PACTA_CONTRACT_FIXED_TERM && pacta_rule_enabled(&profile->client_early_termination.rule))
        rc = s_early_cc2c(ctx, doc, &contract, &letter, outcome);
    else
        rc = s_early_sg4a(ctx, doc, &contract, &letter, outcome);
    if (rc == 0 && outcome->count == 0)
        s_audit_fact(ctx, "early-termination request recorded; no clause of the tenant's terms applies",
                     letter.sent_on, msg->contract_id);
    pacta_outcome_destroy(&outcome);
    return rc;
}

/* ---- SG-4b: notice on a recurring contract ------------------------------------------------------ */

int
ctr_on_termination_notice(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__TerminationNoticeGiven *msg = (const Pacta__V1__TerminationNoticeGiven *) payload;
    if (s_check_entity(ctx, msg->contract_id) != 0 || s_check_notice(ctx, msg->notice) != 0)
        return -1;
    json_t *doc = NULL;
    const int answer = s_open_contract(ctx, msg->contract_id, &doc);
    if (!doc)
        return answer;
    const pacta_profile_t *profile = pacta_handler_profile(ctx);
    pacta_contract_t contract;
    s_contract_from_doc(doc, &contract);
    pacta_letter_t letter;
    s_letter_from(msg->notice, msg->given_by, msg->contract_id, &letter);
    pacta_date_t received_on = pacta_letter_received_on(profile, &letter);
    pacta_outcome_t *outcome = pacta_outcome_new();
    if (!outcome)
        return s_no_memory(ctx);
    int rc = -1;
    Pacta__V1__Explanation *why = NULL;
    if (rule_sg4b_give_notice(profile, &contract, &letter, outcome) != 0) {
        pacta_handler_refuse(ctx, INVALID_REASON, "notice.sent_on", "SG-4b cannot evaluate this notice");
        goto cleanup;
    }
    rc = 0;
    char decision_id[PACTA_DECIDE_ID_SIZE];
    const pacta_decision_t *refuse = pacta_outcome_find(outcome, PACTA_DECISION_REFUSE);
    const pacta_decision_t *end = pacta_outcome_find(outcome, PACTA_DECISION_TERMINATE);
    if (refuse)
        s_audit_decision(ctx, refuse, msg->contract_id, NULL, received_on, decision_id);
    if (!end) {
        if (outcome->count == 0)
            s_audit_fact(ctx, "termination notice recorded; no clause of the tenant's terms applies", letter.sent_on,
                         msg->contract_id);
        goto cleanup;
    }
    s_audit_decision(ctx, end, msg->contract_id, "pacta.v1.TerminationNoticeRecorded", received_on, decision_id);
    if (end->status != PACTA_DECISION_APPLY)
        goto cleanup;
    rc = s_end_on(ctx, doc, end->date, "notice", decision_id);
    //  SG-4b: a party that stops before the notice ends owes its fees.
    pacta_cents_t unobserved = 0;
    bool charged = false;
    pacta_date_t leaves_on = msg->leaves_on ? pacta_handler_date(msg->leaves_on) : PACTA_DATE_INVALID;
    if (rc == 0 && pacta_date_is_valid(leaves_on) && leaves_on <= end->date) {
        pacta_outcome_t *fees = pacta_outcome_new();
        if (!fees) {
            rc = s_no_memory(ctx);
            goto cleanup;
        }
        //  Billing periods run from the start; terms without a start rule
        //  (CC-17) start the contract on its signature.
        if (!pacta_date_is_valid(contract.start_on))
            contract.start_on = pacta_jdoc_date(doc, "signed_on");
        if (rule_sg4b_charge_unobserved_notice(profile, &contract, end->date, leaves_on - 1, fees) != 0) {
            pacta_outcome_destroy(&fees);
            rc = pacta_handler_refuse(ctx, INVALID_REASON, "leaves_on",
                                      "SG-4b cannot price the unobserved notice: the contract has no start date, "
                                      "billing period or fee");
            goto cleanup;
        }
        const pacta_decision_t *charge = pacta_outcome_find(fees, PACTA_DECISION_CHARGE);
        if (charge) {
            char charge_id[PACTA_DECIDE_ID_SIZE];
            s_audit_decision(ctx, charge, msg->contract_id, NULL, received_on, charge_id);
            unobserved = charge->amount;
            charged = true;
        }
        pacta_outcome_destroy(&fees);
    }
    why = pacta_decide_explanation_new(end, profile, received_on);
    Pacta__V1__Money fees_money = PACTA__V1__MONEY__INIT;
    fees_money.cents = unobserved;
    fees_money.currency = (char *) "EUR";
    Pacta__V1__Date received = PACTA__V1__DATE__INIT, from = PACTA__V1__DATE__INIT, to = PACTA__V1__DATE__INIT;
    pacta_handler_set_date(&received, received_on);
    pacta_handler_set_date(&from, s_value_date(end, "notice_from"));
    pacta_handler_set_date(&to, end->date);
    Pacta__V1__TerminationNoticeRecorded recorded = PACTA__V1__TERMINATION_NOTICE_RECORDED__INIT;
    recorded.contract_id = msg->contract_id;
    recorded.received_on = &received;
    recorded.notice_starts_on = &from;
    recorded.notice_ends_on = &to;
    recorded.ends_on = &to;
    recorded.unobserved_fees = charged ? &fees_money : NULL;
    recorded.explanation = why;
    if (rc == 0)
        rc = pacta_handler_emit(ctx, &recorded.base, DECISION_KIND, NULL, NULL, NULL);
cleanup:
    pacta_decide_explanation_destroy(&why);
    pacta_outcome_destroy(&outcome);
    return rc;
}

/* ---- figures SG-4a reads ---------------------------------------------------------------------- */

int
ctr_on_deposit_paid(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__DepositPaid *msg = (const Pacta__V1__DepositPaid *) payload;
    if (s_check_entity(ctx, msg->contract_id) != 0)
        return -1;
    if (msg->amount->cents < 0)
        return pacta_handler_refuse(ctx, INVALID_REASON, "amount", "amount: must not be negative");
    if (pacta_handler_doc_version(ctx, DOC) == 0)
        return s_wait_for(ctx, "contract (its QuoteIssued or ContractSigned)", msg->contract_id);
    json_t *doc = pacta_handler_doc(ctx, DOC);
    json_t *paid = json_object_get(doc, "deposits_paid");
    if (!json_is_object(paid)) {
        paid = json_object();
        json_object_set_new(doc, "deposits_paid", paid);
    }
    if (json_object_get(paid, msg->invoice_id))
        return 0;
    json_object_set_new(paid, msg->invoice_id, json_integer(msg->amount->cents));
    pacta_cents_t total = 0;
    const char *key;
    json_t *value;
    json_object_foreach(paid, key, value)
        total += json_integer_value(value);
    pacta_jdoc_set_int(doc, "deposit_paid_cents", total);
    if (pacta_jdoc_int(doc, "deposit_cents") < total)
        pacta_jdoc_set_int(doc, "deposit_cents", total);
    return pacta_handler_put_doc(ctx, DOC);
}

int
ctr_on_service_performed(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__ServicePerformed *msg = (const Pacta__V1__ServicePerformed *) payload;
    if (s_check_entity(ctx, msg->contract_id) != 0)
        return -1;
    if (msg->amount && msg->amount->cents < 0)
        return pacta_handler_refuse(ctx, INVALID_REASON, "amount", "amount: must not be negative");
    if (pacta_handler_doc_version(ctx, DOC) == 0)
        return s_unknown_contract(ctx, msg->contract_id);
    json_t *doc = s_signed_contract(ctx);
    if (!doc)
        return s_wait_for(ctx, "contract (its ContractSigned)", msg->contract_id);
    pacta_date_t performed_on = pacta_handler_date(msg->performed_on);
    pacta_cents_t amount = msg->amount ? msg->amount->cents : 0;
    pacta_cents_t performed = pacta_jdoc_int(doc, "performed_cents") + amount;
    if (performed > pacta_jdoc_int(doc, "total_cents") && pacta_jdoc_int(doc, "total_cents") > 0)
        return pacta_handler_refuse(ctx, INVALID_REASON, "amount",
                                    "amount: the performed services would exceed the contract's total");
    pacta_jdoc_set_int(doc, "performed_cents", performed);
    if (msg->fully_performed)
        pacta_jdoc_set_bool(doc, "fully_performed", true);   /* SG-3 reads it */
    if (!pacta_date_is_valid(pacta_jdoc_date(doc, "performance_started_on")))
        pacta_jdoc_set_date(doc, "performance_started_on", performed_on);
    char summary[200];
    snprintf(summary, sizeof summary, "service %s performed for contract %s", msg->item_id, msg->contract_id);
    s_audit_fact(ctx, summary, performed_on, msg->contract_id);
    return pacta_handler_put_doc(ctx, DOC);
}

/* ---- shared with the other clause files of the service ------------------------------------------ */

int
ctr_check_entity(pacta_handler_ctx_t *ctx, const char *contract_id)
{
    return s_check_entity(ctx, contract_id);
}

int
ctr_check_notice(pacta_handler_ctx_t *ctx, const Pacta__V1__NoticeDelivery *notice)
{
    return s_check_notice(ctx, notice);
}

int
ctr_open_contract(pacta_handler_ctx_t *ctx, const char *contract_id, json_t **doc_out)
{
    return s_open_contract(ctx, contract_id, doc_out);
}

void
ctr_contract_from_doc(const json_t *doc, pacta_contract_t *contract)
{
    s_contract_from_doc(doc, contract);
}

void
ctr_letter_from(const Pacta__V1__NoticeDelivery *notice, Pacta__V1__PartyRole given_by, const char *ref,
                pacta_letter_t *letter)
{
    s_letter_from(notice, given_by, ref, letter);
}

void
ctr_audit_decision(pacta_handler_ctx_t *ctx, const pacta_decision_t *decision, const char *contract_id,
                   const char *type, pacta_date_t today, char decision_id[PACTA_DECIDE_ID_SIZE])
{
    s_audit_decision(ctx, decision, contract_id, type, today, decision_id);
}

void
ctr_audit_fact(pacta_handler_ctx_t *ctx, const char *summary, pacta_date_t date, const char *ref)
{
    s_audit_fact(ctx, summary, date, ref);
}

int
ctr_end_on(pacta_handler_ctx_t *ctx, json_t *doc, pacta_date_t ends_on, const char *cause, const char *decision_id)
{
    return s_end_on(ctx, doc, ends_on, cause, decision_id);
}

int
ctr_no_memory(pacta_handler_ctx_t *ctx)
{
    return s_no_memory(ctx);
}

int
ctr_running_contract(pacta_handler_ctx_t *ctx, const char *contract_id, json_t **doc_out)
{
    *doc_out = NULL;
    if (s_check_entity(ctx, contract_id) != 0)
        return -1;
    return s_open_contract(ctx, contract_id, doc_out);
}

int
ctr_unknown_contract(pacta_handler_ctx_t *ctx, const char *contract_id)
{
    return s_unknown_contract(ctx, contract_id);
}

pacta_date_t
ctr_value_date(const pacta_decision_t *decision, const char *name)
{
    return s_value_date(decision, name);
}
