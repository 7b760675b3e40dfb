/*  =========================================================================
    ctr_handlers - what contracts does with the messages it owns

    The contract document is the operator's answer to "what state is this
    contract in": contracts is its only writer, and it changes it only on
    facts (ContractSigned) and on decisions other services announce
    (Suspend, Restore, LostPeriod), each applied idempotently by decision id
    so a redelivered decision changes nothing.

    Design decision: a decision about a contract contracts does not know
    yet is parked, not refused: on the bus the Suspend of a contract may
    overtake its ContractSigned, and invariant 4 says early facts wait.
    =========================================================================
*/
#include "ctr_handlers.h"
#include "ctr_changes.h"
#include "ctr_disputes.h"
#include "ctr_execution.h"
#include "ctr_start.h"
#include "ctr_terms.h"
#include "ctr_withdrawal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pacta/v1/contracts.pb-c.h"
#include "pacta/v1/enforcement.pb-c.h"
#include "pacta_decide.h"
#include "pacta_facts.h"
#include "pacta_jdoc.h"
#include "pacta_pbjson.h"
#include "rules_cc.h"

#define DOC "contract"

static int
s_check_entity(pacta_handler_ctx_t *ctx, const char *contract_id)
{
    if (pacta_facts_check_entity(ctx, 'c', contract_id, "contract_id") != 0)
        return -1;
    if (strlen(contract_id) >= PACTA_REF_SIZE)
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_INVALID, "contract_id",
                                    "contract_id: at most %d bytes", PACTA_REF_SIZE - 1);
    return 0;
}

static const char *
s_enum_name(const ProtobufCEnumDescriptor *descriptor, int value, char *buf, size_t size)
{
    return pacta_pbjson_enum_name(descriptor, value, buf, size);
}

static const char *
s_reason_name(Pacta__V1__SuspensionReason reason)
{
    switch (reason) {
        case PACTA__V1__SUSPENSION_REASON__SUSPENSION_REASON_UNPAID_INVOICE: return "unpaid";
        case PACTA__V1__SUSPENSION_REASON__SUSPENSION_REASON_CONTENT: return "content";
        case PACTA__V1__SUSPENSION_REASON__SUSPENSION_REASON_FORCE_MAJEURE: return "force_majeure";
        case PACTA__V1__SUSPENSION_REASON__SUSPENSION_REASON_UNPAID_DEPOSIT: return "unpaid_deposit";
        case PACTA__V1__SUSPENSION_REASON__SUSPENSION_REASON_UNPAID_WORK: return "unpaid_work";
        default: break;
    }
    return "unspecified";
}

/* A decision for a contract not created yet waits for it. */
static int
s_wait_for_contract(pacta_handler_ctx_t *ctx, const char *contract_id)
{
    char waiting[120];
    snprintf(waiting, sizeof waiting, "contract %.60s (its ContractSigned)", contract_id);
    return pacta_handler_park(ctx, waiting);
}

/* The contract as the CC rules read it, from the signature. */
static void
s_contract_from(const Pacta__V1__ContractSigned *msg, pacta_contract_t *contract)
{
    memset(contract, 0, sizeof *contract);
    snprintf(contract->id, sizeof contract->id, "%s", msg->contract_id);
    if (msg->client) {
        snprintf(contract->client.id, sizeof contract->client.id, "%s", msg->client->client_id);
        contract->client.kind = msg->client->kind == PACTA__V1__PARTY_KIND__PARTY_KIND_CONSUMER
                                    ? PACTA_CLIENT_CONSUMER
                                    : PACTA_CLIENT_PROFESSIONAL;
        contract->client.language = msg->client->language == PACTA__V1__LANGUAGE__LANGUAGE_EN ? PACTA_LANG_EN
                                                                                               : PACTA_LANG_FR;
    }
    switch (msg->contract_kind) {
        case PACTA__V1__CONTRACT_KIND__CONTRACT_KIND_A_LA_CARTE: contract->kind = PACTA_CONTRACT_A_LA_CARTE; break;
        case PACTA__V1__CONTRACT_KIND__CONTRACT_KIND_FIXED_TERM: contract->kind = PACTA_CONTRACT_FIXED_TERM; break;
        case PACTA__V1__CONTRACT_KIND__CONTRACT_KIND_RECURRING: contract->kind = PACTA_CONTRACT_RECURRING; break;
        default: contract->kind = PACTA_CONTRACT_PACK; break;
    }
    contract->state = PACTA_CONTRACT_PENDING;
    snprintf(contract->pack_id, sizeof contract->pack_id, "%s", msg->pack_code);
    if (msg->billing_period == PACTA__V1__BILLING_PERIOD__BILLING_PERIOD_MONTHLY)
        contract->billing_period = PACTA_BILLING_MONTHLY;
    else if (msg->billing_period == PACTA__V1__BILLING_PERIOD__BILLING_PERIOD_ANNUAL)
        contract->billing_period = PACTA_BILLING_ANNUAL;
    contract->fee_per_period = msg->recurring_fee ? msg->recurring_fee->cents : 0;
    contract->total_amount = msg->total ? msg->total->cents : 0;
    pacta_date_t signed_on = pacta_handler_date(msg->signed_on);
    pacta_formation_t *formation = &contract->formation;
    formation->order_form_signed_on = PACTA_DATE_INVALID;
    formation->e_signed_on = PACTA_DATE_INVALID;
    formation->quote_validated_on = PACTA_DATE_INVALID;
    formation->first_used_on = PACTA_DATE_INVALID;
    if (msg->channel == PACTA__V1__CHANNEL__CHANNEL_E_SIGNATURE)
        formation->e_signed_on = signed_on;
    else
        formation->order_form_signed_on = signed_on;
    formation->order_confirmed_on = msg->order_confirmed_on ? pacta_handler_date(msg->order_confirmed_on) : signed_on;
    formation->at_distance = msg->distance_or_off_premises;
    contract->start_on = PACTA_DATE_INVALID;
    contract->ends_on = PACTA_DATE_INVALID;
    contract->performance_started_on = PACTA_DATE_INVALID;
    contract->suspended_since = PACTA_DATE_INVALID;
}

static Pacta__V1__StartCause
s_start_cause(const pacta_decision_t *start)
{
    const pacta_value_t *fact = pacta_explanation_find(&start->explanation, "earliest_fact");
    const char *name = fact && fact->type == PACTA_VALUE_TEXT ? fact->as.text : "";
    if (strcmp(name, "e_signed_on") == 0)
        return PACTA__V1__START_CAUSE__START_CAUSE_E_SIGNATURE;
    if (strcmp(name, "quote_validated_on") == 0)
        return PACTA__V1__START_CAUSE__START_CAUSE_QUOTE_VALIDATED;
    if (strcmp(name, "first_used_on") == 0)
        return PACTA__V1__START_CAUSE__START_CAUSE_FIRST_USE;
    return PACTA__V1__START_CAUSE__START_CAUSE_ORDER_FORM;
}

static void
s_audit_decision(pacta_handler_ctx_t *ctx, const pacta_decision_t *decision, const char *contract_id,
                 const char *type, pacta_date_t today)
{
    char decision_id[PACTA_DECIDE_ID_SIZE];
    pacta_decide_id(decision, contract_id, decision_id, sizeof decision_id);
    json_t *entry = pacta_decide_audit_entry(decision, pacta_handler_profile(ctx), decision_id, type, today);
    if (entry)
        pacta_handler_audit(ctx, entry);
    json_decref(entry);
}

/* ---- ContractSigned: CC-17, CC-2a -------------------------------------------------------- */

static int
s_on_contract_signed(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__ContractSigned *msg = (const Pacta__V1__ContractSigned *) payload;
    if (s_check_entity(ctx, msg->contract_id) != 0)
        return -1;
    if (msg->recurring_fee && msg->recurring_fee->cents < 0)
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_INVALID, "recurring_fee",
                                    "recurring_fee: must not be negative");
    const pacta_profile_t *profile = pacta_handler_profile(ctx);
    pacta_date_t signed_on = pacta_handler_date(msg->signed_on);
    json_t *doc = pacta_handler_doc(ctx, DOC);
    //  A contract offered by a quote (SG-2a) is signed on top of it.
    if (pacta_handler_doc_version(ctx, DOC) > 0 && json_object_get(doc, "signed_on")) {
        if (pacta_jdoc_date(doc, "signed_on") == signed_on)
            return 0;   /* the same signature again */
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_CONFLICT, "signed_on",
                                    "contract %s already exists, signed on another date", msg->contract_id);
    }
    pacta_contract_t contract;
    s_contract_from(msg, &contract);
    //  CC-17: an accepted quote is a formation fact too (the earliest counts).
    const json_t *quote = json_object_get(doc, "quote");
    if (json_is_object(quote) && strcmp(pacta_jdoc_str(quote, "state"), "accepted") == 0)
        contract.formation.quote_validated_on = pacta_jdoc_date(quote, "accepted_on");
    pacta_outcome_t *outcome = pacta_outcome_new();
    if (!outcome)
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_RETRY_LATER, NULL, "out of memory");
    int rc = -1;
    Pacta__V1__Explanation *why = NULL;
    if (rule_cc17_set_start_date(profile, &contract, outcome) != 0) {
        pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_INVALID, "signed_on",
                             "CC-17 cannot fix a start date from these facts");
        goto cleanup;
    }
    const pacta_decision_t *start = pacta_outcome_find(outcome, PACTA_DECISION_START);
    if (start && start->status == PACTA_DECISION_APPLY) {
        contract.start_on = start->date;
        contract.state = PACTA_CONTRACT_ACTIVE;
        if (rule_cc2a_initial_term(profile, &contract, outcome) != 0) {
            pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_INVALID, "signed_on",
                                 "CC-2a cannot compute the initial term from this start");
            goto cleanup;
        }
    }
    const pacta_decision_t *term = pacta_outcome_find(outcome, PACTA_DECISION_TERM);
    pacta_date_t term_ends_on = term ? term->until : PACTA_DATE_INVALID;
    pacta_date_t notice_deadline = PACTA_DATE_INVALID;
    if (pacta_date_is_valid(contract.start_on) && pacta_rule_enabled(&profile->tacit_renewal.rule))
        notice_deadline = pacta_cc_non_renewal_deadline(profile, contract.start_on, 0);

    char text[64];
    json_t *client = json_object();
    pacta_jdoc_set_str(client, "client_id", msg->client ? msg->client->client_id : "");
    pacta_jdoc_set_str(client, "subject_id", msg->client ? msg->client->subject_id : "");
    pacta_jdoc_set_str(client, "kind", s_enum_name(&pacta__v1__party_kind__descriptor,
                                                   msg->client ? (int) msg->client->kind : 0, text, sizeof text));
    pacta_jdoc_set_str(client, "language", s_enum_name(&pacta__v1__language__descriptor,
                                                       msg->client ? (int) msg->client->language : 0, text,
                                                       sizeof text));
    pacta_jdoc_set_str(doc, "contract_id", msg->contract_id);
    pacta_jdoc_set_str(doc, "tenant", pacta_handler_tenant(ctx));
    json_object_set_new(doc, "client", client);
    pacta_jdoc_set_str(doc, "kind", s_enum_name(&pacta__v1__contract_kind__descriptor, msg->contract_kind, text,
                                                sizeof text));
    pacta_jdoc_set_str(doc, "pack", msg->pack_code);
    pacta_jdoc_set_str(doc, "billing_period", s_enum_name(&pacta__v1__billing_period__descriptor,
                                                          msg->billing_period, text, sizeof text));
    pacta_jdoc_set_int(doc, "fee_cents", contract.fee_per_period);
    if (msg->total || !json_object_get(doc, "total_cents"))
        pacta_jdoc_set_int(doc, "total_cents", contract.total_amount);
    pacta_jdoc_set_int(doc, "period_index", 0);
    pacta_jdoc_set_date(doc, "signed_on", signed_on);
    pacta_jdoc_set_str(doc, "channel", s_enum_name(&pacta__v1__channel__descriptor, msg->channel, text, sizeof text));
    pacta_jdoc_set_str(doc, "state", contract.state == PACTA_CONTRACT_ACTIVE ? "active" : "pending");
    pacta_jdoc_set_date(doc, "start_on", contract.start_on);
    pacta_jdoc_set_str(doc, "start_cause", start ? s_enum_name(&pacta__v1__start_cause__descriptor,
                                                               s_start_cause(start), text, sizeof text)
                                                 : "");
    pacta_jdoc_set_date(doc, "term_ends_on", term_ends_on);
    pacta_jdoc_set_date(doc, "renewal_notice_deadline", notice_deadline);
    json_object_set_new(doc, "suspension", json_null());
    pacta_jdoc_array(doc, "suspensions");
    pacta_jdoc_array(doc, "lost_periods");
    ctr_record_formation(doc, msg);
    pacta_handler_put_doc(ctx, DOC);

    char day[PACTA_DATE_STR_LEN], summary[256];
    snprintf(summary, sizeof summary, "contract %s signed %s (%s%s%s)", msg->contract_id,
             pacta_date_format(signed_on, day, sizeof day), pacta_jdoc_str(doc, "kind"),
             msg->pack_code[0] ? ", pack " : "", msg->pack_code);
    json_t *fact = json_pack("{s:s, s:s, s:s, s:s, s:s}", "entry", "fact", "message_type",
                             pacta_handler_cause_type(ctx), "summary", summary, "date", day, "ref", msg->contract_id);
    if (fact)
        pacta_handler_audit(ctx, fact);
    json_decref(fact);
    for (size_t i = 0; i < outcome->count; i++) {
        const pacta_decision_t *decision = &outcome->items[i];
        s_audit_decision(ctx, decision, msg->contract_id,
                         decision == start && start->status == PACTA_DECISION_APPLY ? "pacta.v1.ContractStarted" : NULL,
                         signed_on);
    }
    pacta_handler_index_zadd(ctx, "contracts", msg->contract_id, (double) signed_on);
    //  CC-2b: the end of the initial term renews it unless a notice ends it.
    if (term && pacta_date_is_valid(term_ends_on) && pacta_rule_enabled(&profile->tacit_renewal.rule)
        && ctr_schedule_term_end(ctx, msg->contract_id, 0, term_ends_on) != 0)
        goto cleanup;

    rc = 0;
    if (start && start->status == PACTA_DECISION_APPLY) {
        why = pacta_decide_explanation_new(start, profile, signed_on);
        Pacta__V1__Date started = PACTA__V1__DATE__INIT, ends = PACTA__V1__DATE__INIT,
                        deadline = PACTA__V1__DATE__INIT;
        pacta_handler_set_date(&started, start->date);
        pacta_handler_set_date(&ends, term_ends_on);
        pacta_handler_set_date(&deadline, notice_deadline);
        Pacta__V1__ContractStarted started_msg = PACTA__V1__CONTRACT_STARTED__INIT;
        started_msg.contract_id = msg->contract_id;
        started_msg.started_on = &started;
        started_msg.cause = s_start_cause(start);
        started_msg.term_ends_on = pacta_date_is_valid(term_ends_on) ? &ends : NULL;
        started_msg.renewal_notice_deadline = pacta_date_is_valid(notice_deadline) ? &deadline : NULL;
        started_msg.explanation = why;
        rc = pacta_handler_emit(ctx, &started_msg.base, PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_DECISION, NULL, NULL,
                                NULL);
    }
cleanup:
    pacta_decide_explanation_destroy(&why);
    pacta_outcome_destroy(&outcome);
    return rc;
}

/* ---- Suspend / Restore / LostPeriod ----------------------------------------------------------- */

static int
s_on_suspend(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__Suspend *msg = (const Pacta__V1__Suspend *) payload;
    if (s_check_entity(ctx, msg->contract_id) != 0)
        return -1;
    if (pacta_handler_doc_version(ctx, DOC) == 0)
        return s_wait_for_contract(ctx, msg->contract_id);
    json_t *doc = pacta_handler_doc(ctx, DOC);
    json_t *suspensions = pacta_jdoc_array(doc, "suspensions");
    if (pacta_jdoc_find(suspensions, "decision_id", msg->decision_id))
        return 0;
    pacta_date_t from = pacta_handler_date(msg->suspended_from);
    const char *reason = s_reason_name(msg->reason);
    json_t *entry = json_object();
    pacta_jdoc_set_str(entry, "decision_id", msg->decision_id);
    pacta_jdoc_set_str(entry, "reason", reason);
    pacta_jdoc_set_date(entry, "from", from);
    pacta_jdoc_set_date(entry, "restored_on", PACTA_DATE_INVALID);
    json_array_append_new(suspensions, entry);
    //  A contract already over keeps its state: the suspension (decided on
    //  a timer that raced with the end) is history only.
    const char *state = pacta_jdoc_str(doc, "state");
    if (strcmp(state, "ended") == 0 || strcmp(state, "cancelled") == 0)
        return pacta_handler_put_doc(ctx, DOC);
    json_t *running = json_object();
    pacta_jdoc_set_str(running, "decision_id", msg->decision_id);
    pacta_jdoc_set_str(running, "reason", reason);
    pacta_jdoc_set_date(running, "since", from);
    json_object_set_new(doc, "suspension", running);
    pacta_jdoc_set_str(doc, "state", "suspended");
    return pacta_handler_put_doc(ctx, DOC);
}

static int
s_on_restore(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__Restore *msg = (const Pacta__V1__Restore *) payload;
    if (s_check_entity(ctx, msg->contract_id) != 0)
        return -1;
    if (pacta_handler_doc_version(ctx, DOC) == 0)
        return s_wait_for_contract(ctx, msg->contract_id);
    json_t *doc = pacta_handler_doc(ctx, DOC);
    const char *reason = s_reason_name(msg->reason);
    pacta_date_t restored_on = pacta_handler_date(msg->restored_on);
    bool open_found = false;
    size_t index;
    json_t *entry;
    json_array_foreach(pacta_jdoc_array(doc, "suspensions"), index, entry) {
        if (strcmp(pacta_jdoc_str(entry, "reason"), reason) == 0
            && !pacta_date_is_valid(pacta_jdoc_date(entry, "restored_on"))) {
            pacta_jdoc_set_date(entry, "restored_on", restored_on);
            pacta_jdoc_set_str(entry, "restored_by", msg->decision_id);
            open_found = true;
        }
    }
    if (!open_found) {
        //  A Restore before its Suspend (reordered on the bus) waits for it.
        if (!pacta_jdoc_find(pacta_jdoc_array(doc, "suspensions"), "restored_by", msg->decision_id)) {
            char waiting[120];
            snprintf(waiting, sizeof waiting, "a suspension for %s to restore", reason);
            return pacta_handler_park(ctx, waiting);
        }
        return 0;   /* already applied */
    }
    const json_t *running = json_object_get(doc, "suspension");
    if (json_is_object(running) && strcmp(pacta_jdoc_str(running, "reason"), reason) == 0) {
        json_object_set_new(doc, "suspension", json_null());
        const char *state = pacta_jdoc_str(doc, "state");
        if (strcmp(state, "ended") != 0 && strcmp(state, "cancelled") != 0)
            pacta_jdoc_set_str(doc, "state", "active");
    }
    //  SG-5a: execution deadlines stood still while it was suspended.
    if (json_array_size(json_object_get(doc, "execution_deadlines")) > 0)
        return ctr_recompute_deadlines(ctx, doc, restored_on);
    return pacta_handler_put_doc(ctx, DOC);
}

static int
s_on_lost_period(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__LostPeriod *msg = (const Pacta__V1__LostPeriod *) payload;
    if (s_check_entity(ctx, msg->contract_id) != 0)
        return -1;
    if (pacta_handler_doc_version(ctx, DOC) == 0)
        return s_wait_for_contract(ctx, msg->contract_id);
    json_t *doc = pacta_handler_doc(ctx, DOC);
    json_t *lost = pacta_jdoc_array(doc, "lost_periods");
    if (pacta_jdoc_find(lost, "decision_id", msg->decision_id))
        return 0;
    json_t *entry = json_object();
    pacta_jdoc_set_str(entry, "decision_id", msg->decision_id);
    pacta_jdoc_set_str(entry, "reason", s_reason_name(msg->reason));
    pacta_jdoc_set_date(entry, "from", pacta_handler_date(msg->lost_from));
    pacta_jdoc_set_date(entry, "through", pacta_handler_date(msg->lost_through));
    json_array_append_new(lost, entry);
    return pacta_handler_put_doc(ctx, DOC);
}

/* ---- the declaration ----------------------------------------------------------------------- */

static const char *const s_doc_names[] = {DOC, NULL};
static const char *const s_signed_required[] = {"contract_id", "signed_on", "contract_kind", NULL};
static const char *const s_suspend_required[] = {"decision_id", "contract_id", "reason", "suspended_from", NULL};
static const char *const s_restore_required[] = {"decision_id", "contract_id", "reason", "restored_on", NULL};
static const char *const s_lost_required[] = {"decision_id", "contract_id", "lost_from", "lost_through", NULL};

static const char *const s_quote_required[] = {"quote_id", "contract_id", "issued_on", NULL};
static const char *const s_accepted_required[] = {"quote_id", "contract_id", "accepted_on", NULL};
static const char *const s_notice_required[] = {"contract_id", "notice", NULL};
static const char *const s_deposit_required[] = {"contract_id", "invoice_id", "amount", "paid_on", NULL};
static const char *const s_performed_required[] = {"contract_id", "performed_on", NULL};
static const char *const s_withdrawal_required[] = {"contract_id", "notice", NULL};
static const char *const s_issued_required[] = {"invoice_id", "contract_id", "issued_on", "total_incl_vat", NULL};
static const char *const s_terminate_required[] = {"decision_id", "contract_id", "effective_on", NULL};
static const char *const s_terms_required[] = {"contract_id", "terms_version", NULL};
static const char *const s_objection_required[] = {"contract_id", "terms_version", "notice", NULL};
static const char *const s_services_required[] = {"contract_id", "terms_version", "accepted_on", NULL};
static const char *const s_dispute_required[] = {"contract_id", "notice", NULL};
static const char *const s_dispute_ended_required[] = {"contract_id", "outcome", "ended_on", NULL};
static const char *const s_mediation_started_required[] = {"contract_id", "started_on", NULL};
static const char *const s_deadline_required[] = {"contract_id", "deadline_id", "counts_from", NULL};
static const char *const s_delivered_required[] = {"contract_id", "deadline_id", "delivered_on", NULL};
static const char *const s_blocked_required[] = {"contract_id", "reason", "blocked_from", NULL};
static const char *const s_unblocked_required[] = {"contract_id", "reason", "unblocked_on", NULL};
static const char *const s_change_required[] = {"contract_id", "change_id", "requested_on", "extra_cost", NULL};
static const char *const s_first_use_required[] = {"contract_id", "used_on", NULL};
static const char *const s_answer_required[] = {"decision_id", "contract_id", NULL};

static const pacta_message_handler_t s_messages[] = {
    {"pacta.v1.ContractSigned", s_on_contract_signed, s_signed_required, s_doc_names},
    {"pacta.v1.QuoteIssued", ctr_on_quote_issued, s_quote_required, s_doc_names},
    {"pacta.v1.QuoteAccepted", ctr_on_quote_accepted, s_accepted_required, s_doc_names},
    {"pacta.v1.NonRenewalNoticeGiven", ctr_on_non_renewal_notice, s_notice_required, s_doc_names},
    {"pacta.v1.EarlyTerminationRequested", ctr_on_early_termination, s_notice_required, s_doc_names},
    {"pacta.v1.TerminationNoticeGiven", ctr_on_termination_notice, s_notice_required, s_doc_names},
    {"pacta.v1.DepositPaid", ctr_on_deposit_paid, s_deposit_required, s_doc_names},
    {"pacta.v1.ServicePerformed", ctr_on_service_performed, s_performed_required, s_doc_names},
    {"pacta.v1.Suspend", s_on_suspend, s_suspend_required, s_doc_names},
    {"pacta.v1.Restore", s_on_restore, s_restore_required, s_doc_names},
    {"pacta.v1.LostPeriod", s_on_lost_period, s_lost_required, s_doc_names},
    {"pacta.v1.WithdrawalRequested", ctr_on_withdrawal_requested, s_withdrawal_required, s_doc_names},
    {"pacta.v1.InvoiceIssued", ctr_on_invoice_issued, s_issued_required, s_doc_names},
    {"pacta.v1.Terminate", ctr_on_terminate, s_terminate_required, s_doc_names},
    {"pacta.v1.TermsChanged", ctr_on_terms_changed, s_terms_required, s_doc_names},
    {"pacta.v1.TermsObjectionReceived", ctr_on_terms_objection, s_objection_required, s_doc_names},
    {"pacta.v1.TermsContested", ctr_on_terms_contested, s_terms_required, s_doc_names},
    {"pacta.v1.ChangedServicesAccepted", ctr_on_changed_services_accepted, s_services_required, s_doc_names},
    {"pacta.v1.RenegotiationRequested", ctr_on_renegotiation_requested, s_dispute_required, s_doc_names},
    {"pacta.v1.RenegotiationEnded", ctr_on_renegotiation_ended, s_dispute_ended_required, s_doc_names},
    {"pacta.v1.MediationRequested", ctr_on_mediation_requested, s_dispute_required, s_doc_names},
    {"pacta.v1.MediationStarted", ctr_on_mediation_started, s_mediation_started_required, s_doc_names},
    {"pacta.v1.MediationEnded", ctr_on_mediation_ended, s_dispute_ended_required, s_doc_names},
    {"pacta.v1.ExecutionDeadlineSet", ctr_on_execution_deadline_set, s_deadline_required, s_doc_names},
    {"pacta.v1.ExecutionDelivered", ctr_on_execution_delivered, s_delivered_required, s_doc_names},
    {"pacta.v1.ExecutionBlocked", ctr_on_execution_blocked, s_blocked_required, s_doc_names},
    {"pacta.v1.ExecutionUnblocked", ctr_on_execution_unblocked, s_unblocked_required, s_doc_names},
    {"pacta.v1.ClientChangeRequested", ctr_on_client_change, s_change_required, s_doc_names},
    {"pacta.v1.FirstUseRecorded", ctr_on_first_use, s_first_use_required, s_doc_names},
    {"pacta.v1.DecisionApproved", ctr_on_decision_approved, s_answer_required, s_doc_names},
    {"pacta.v1.DecisionRejected", ctr_on_decision_rejected, s_answer_required, s_doc_names},
};

static const pacta_timer_handler_t s_timers[] = {
    {CTR_TIMER_TERM_END, ctr_on_term_end_timer, s_doc_names},
    {CTR_TIMER_END, ctr_on_end_timer, s_doc_names},
    {CTR_TIMER_QUOTE_LAPSE, ctr_on_quote_lapse_timer, s_doc_names},
    {CTR_TIMER_TERMS_EFFECTIVE, ctr_on_terms_effective_timer, s_doc_names},
    {CTR_TIMER_RENEGOTIATION_END, ctr_on_renegotiation_timer, s_doc_names},
    {CTR_TIMER_MEDIATION_START, ctr_on_mediation_timer, s_doc_names},
    {CTR_TIMER_MEDIATION_END, ctr_on_mediation_timer, s_doc_names},
    {CTR_TIMER_EXECUTION, ctr_on_execution_timer, s_doc_names},
};

const pacta_handler_set_t ctr_handlers = {
    .messages = s_messages,
    .message_count = sizeof s_messages / sizeof s_messages[0],
    .timers = s_timers,
    .timer_count = sizeof s_timers / sizeof s_timers[0],
    .arg = NULL,
};
