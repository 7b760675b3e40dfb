/*  =========================================================================
    ctr_start - CC-17: the start is the earliest formation fact; one that
    arrives after the signature with an earlier date moves it back

    Design decision: moving the start re-runs CC-2a from the new start
    (term end, non-renewal deadline, the CC-2b timer) and announces the new
    start with ContractStarted{previous_started_on}. Once an invoice exists
    the rule makes the move a proposal (every billing anniversary would
    shift): contracts keeps it in its own document (`proposals`), indexes
    it in pacta:{ix:<tenant>}:proposals and announces DecisionProposed
    {start_moved, proposed_by: contracts}, so `pactactl proposals approve`
    sends the answer here; approval applies the stored move under the same
    decision id, exactly as an automatic move would have been applied.
    =========================================================================
*/
#include "ctr_start.h"
#include "ctr_terms.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pacta/v1/contracts.pb-c.h"
#include "pacta/v1/enforcement.pb-c.h"
#include "pacta_decide.h"
#include "pacta_jdoc.h"
#include "rules_cc.h"

#define DOC "contract"
#define INDEX "proposals"
#define INVALID_REASON PACTA__V1__NACK_REASON__NACK_REASON_INVALID
#define DECISION_KIND PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_DECISION

/* ---- helpers ---------------------------------------------------------------------------------- */

/* The contract with every formation fact the document knows. */
static void
s_formed_contract(const json_t *doc, pacta_contract_t *contract)
{
    ctr_contract_from_doc(doc, contract);
    const pacta_date_t signed_on = pacta_jdoc_date(doc, "signed_on");
    if (strcmp(pacta_jdoc_str(doc, "channel"), "e_signature") == 0)
        contract->formation.e_signed_on = signed_on;
    else
        contract->formation.order_form_signed_on = signed_on;
    const json_t *quote = json_object_get(doc, "quote");
    if (json_is_object(quote) && strcmp(pacta_jdoc_str(quote, "state"), "accepted") == 0)
        contract->formation.quote_validated_on = pacta_jdoc_date(quote, "accepted_on");
    contract->formation.first_used_on = pacta_jdoc_date(doc, "first_used_on");
    contract->invoice_issued = pacta_jdoc_bool(doc, "invoice_issued");
}

static Pacta__V1__StartCause
s_cause(const char *fact)
{
    if (strcmp(fact, "e_signed_on") == 0)
        return PACTA__V1__START_CAUSE__START_CAUSE_E_SIGNATURE;
    if (strcmp(fact, "quote_validated_on") == 0)
        return PACTA__V1__START_CAUSE__START_CAUSE_QUOTE_VALIDATED;
    if (strcmp(fact, "first_used_on") == 0)
        return PACTA__V1__START_CAUSE__START_CAUSE_FIRST_USE;
    return PACTA__V1__START_CAUSE__START_CAUSE_ORDER_FORM;
}

static const char *
s_cause_name(const char *fact)
{
    if (strcmp(fact, "e_signed_on") == 0)
        return "e_signature";
    if (strcmp(fact, "quote_validated_on") == 0)
        return "quote_validated";
    if (strcmp(fact, "first_used_on") == 0)
        return "first_use";
    return "order_form";
}

static const char *
s_earliest_fact(const pacta_decision_t *start)
{
    const pacta_value_t *fact = pacta_explanation_find(&start->explanation, "earliest_fact");
    return fact && fact->type == PACTA_VALUE_TEXT ? fact->as.text : "";
}

/* Moves the start to start_on (cause: the earliest fact's name): CC-2a
   again, the CC-2b timer, ContractStarted. why may be NULL (an approved
   proposal: the message then carries none, like enforcement's). */
static int
s_move_start(pacta_handler_ctx_t *ctx, json_t *doc, pacta_date_t start_on, const char *fact,
             const Pacta__V1__Explanation *why, pacta_date_t today)
{
    const pacta_profile_t *profile = pacta_handler_profile(ctx);
    pacta_contract_t contract;
    ctr_contract_from_doc(doc, &contract);
    const pacta_date_t previous = contract.start_on;
    contract.start_on = start_on;
    contract.state = PACTA_CONTRACT_ACTIVE;
    pacta_outcome_t *outcome = pacta_outcome_new();
    if (!outcome)
        return ctr_no_memory(ctx);
    int rc = 0;
    pacta_date_t term_ends_on = PACTA_DATE_INVALID;
    if (rule_cc2a_initial_term(profile, &contract, outcome) == 0) {
        const pacta_decision_t *term = pacta_outcome_find(outcome, PACTA_DECISION_TERM);
        if (term) {
            term_ends_on = term->until;
            char decision_id[PACTA_DECIDE_ID_SIZE];
            ctr_audit_decision(ctx, term, contract.id, NULL, today, decision_id);
        }
    }
    const pacta_date_t deadline = pacta_date_is_valid(term_ends_on) && pacta_rule_enabled(&profile->tacit_renewal.rule)
                                      ? pacta_cc_non_renewal_deadline(profile, start_on, 0)
                                      : PACTA_DATE_INVALID;
    const char *state = pacta_jdoc_str(doc, "state");
    if (strcmp(state, "pending") == 0)
        pacta_jdoc_set_str(doc, "state", "active");
    pacta_jdoc_set_date(doc, "start_on", start_on);
    pacta_jdoc_set_str(doc, "start_cause", s_cause_name(fact));
    pacta_jdoc_set_date(doc, "previous_start_on", previous);
    pacta_jdoc_set_date(doc, "term_ends_on", term_ends_on);
    pacta_jdoc_set_date(doc, "renewal_notice_deadline", deadline);
    pacta_jdoc_set_int(doc, "period_index", 0);
    rc = pacta_handler_put_doc(ctx, DOC);
    //  The old CC-2b timer finds its day wrong and does nothing.
    if (rc == 0 && pacta_date_is_valid(term_ends_on) && pacta_rule_enabled(&profile->tacit_renewal.rule))
        rc = ctr_schedule_term_end(ctx, contract.id, 0, term_ends_on);
    Pacta__V1__Date started = PACTA__V1__DATE__INIT, ends = PACTA__V1__DATE__INIT, notice = PACTA__V1__DATE__INIT,
                    before = PACTA__V1__DATE__INIT;
    pacta_handler_set_date(&started, start_on);
    pacta_handler_set_date(&ends, term_ends_on);
    pacta_handler_set_date(&notice, deadline);
    pacta_handler_set_date(&before, previous);
    Pacta__V1__ContractStarted msg = PACTA__V1__CONTRACT_STARTED__INIT;
    msg.contract_id = contract.id;
    msg.started_on = &started;
    msg.cause = s_cause(fact);
    msg.term_ends_on = pacta_date_is_valid(term_ends_on) ? &ends : NULL;
    msg.renewal_notice_deadline = pacta_date_is_valid(deadline) ? &notice : NULL;
    msg.previous_started_on = pacta_date_is_valid(previous) ? &before : NULL;
    msg.explanation = (Pacta__V1__Explanation *) why;
    if (rc == 0)
        rc = pacta_handler_emit(ctx, &msg.base, DECISION_KIND, NULL, NULL, NULL);
    pacta_outcome_destroy(&outcome);
    return rc;
}

/* Keeps the move as a proposal: audited, indexed, announced. */
static int
s_propose_move(pacta_handler_ctx_t *ctx, json_t *doc, const pacta_decision_t *start, pacta_date_t today)
{
    const pacta_profile_t *profile = pacta_handler_profile(ctx);
    const char *contract_id = pacta_jdoc_str(doc, "contract_id");
    char decision_id[PACTA_DECIDE_ID_SIZE];
    pacta_decide_id(start, contract_id, decision_id, sizeof decision_id);
    json_t *proposals = pacta_jdoc_array(doc, "proposals");
    if (pacta_jdoc_find(proposals, "decision_id", decision_id))
        return 0;   /* proposed already */
    json_t *entry = pacta_decide_audit_entry(start, profile, decision_id, NULL, today);
    pacta_decision_t *as_applied = malloc(sizeof *as_applied);
    json_t *applied_entry = NULL;
    if (as_applied) {
        *as_applied = *start;
        as_applied->status = PACTA_DECISION_APPLY;
        applied_entry = pacta_decide_audit_entry(as_applied, profile, decision_id, "pacta.v1.ContractStarted", today);
        free(as_applied);
    }
    json_t *proposal = json_object();
    Pacta__V1__Explanation *why = pacta_decide_explanation_new(start, profile, today);
    int rc = -1;
    if (!entry || !applied_entry || !proposal || !why) {
        json_decref(applied_entry);
        json_decref(proposal);
        ctr_no_memory(ctx);
        goto cleanup;
    }
    pacta_handler_audit(ctx, entry);
    pacta_jdoc_set_str(proposal, "decision_id", decision_id);
    pacta_jdoc_set_str(proposal, "rule_id", start->explanation.rule_id);
    pacta_jdoc_set_str(proposal, "kind", "start");
    pacta_jdoc_set_str(proposal, "status", "proposed");
    pacta_jdoc_set_date(proposal, "date", start->date);
    pacta_jdoc_set_str(proposal, "earliest_fact", s_earliest_fact(start));
    pacta_jdoc_set_date(proposal, "proposed_on", today);
    json_object_set_new(proposal, "applied_audit", applied_entry);
    json_array_append_new(proposals, proposal);
    if (pacta_handler_put_doc(ctx, DOC) != 0)
        goto cleanup;
    char member[PACTA_DECIDE_ID_SIZE + 80];
    snprintf(member, sizeof member, "%s|%s", pacta_handler_entity_key(ctx), decision_id);
    pacta_handler_index_zadd(ctx, INDEX, member, (double) today);
    Pacta__V1__Date started = PACTA__V1__DATE__INIT, proposed_on = PACTA__V1__DATE__INIT,
                    before = PACTA__V1__DATE__INIT;
    pacta_handler_set_date(&started, start->date);
    pacta_handler_set_date(&proposed_on, today);
    pacta_handler_set_date(&before, pacta_jdoc_date(doc, "start_on"));
    Pacta__V1__ContractStarted moved = PACTA__V1__CONTRACT_STARTED__INIT;
    moved.contract_id = (char *) contract_id;
    moved.started_on = &started;
    moved.cause = s_cause(s_earliest_fact(start));
    moved.previous_started_on = &before;
    Pacta__V1__DecisionProposed msg = PACTA__V1__DECISION_PROPOSED__INIT;
    msg.decision_id = decision_id;
    msg.contract_id = (char *) contract_id;
    msg.rule_id = (char *) start->explanation.rule_id;
    msg.proposed_on = &proposed_on;
    msg.decision_case = PACTA__V1__DECISION_PROPOSED__DECISION_START_MOVED;
    msg.start_moved = &moved;
    msg.explanation = why;
    msg.proposed_by = (char *) pacta_handler_service(ctx);
    rc = pacta_handler_emit(ctx, &msg.base, DECISION_KIND, NULL, NULL, NULL);
cleanup:
    pacta_decide_explanation_destroy(&why);
    json_decref(entry);
    return rc;
}

/* ---- FirstUseRecorded ------------------------------------------------------------------------- */

int
ctr_on_first_use(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__FirstUseRecorded *msg = (const Pacta__V1__FirstUseRecorded *) payload;
    json_t *doc = NULL;
    const int answer = ctr_running_contract(ctx, msg->contract_id, &doc);
    if (!doc)
        return answer;
    const pacta_date_t used_on = pacta_handler_date(msg->used_on);
    const pacta_date_t known = pacta_jdoc_date(doc, "first_used_on");
    if (pacta_date_is_valid(known) && known <= used_on)
        return 0;   /* an earlier use is known: nothing changes */
    pacta_jdoc_set_date(doc, "first_used_on", used_on);
    //  CC-9: using the services is starting them.
    const pacta_date_t started = pacta_jdoc_date(doc, "performance_started_on");
    if (!pacta_date_is_valid(started) || used_on < started)
        pacta_jdoc_set_date(doc, "performance_started_on", used_on);
    char summary[200], day[PACTA_DATE_STR_LEN];
    snprintf(summary, sizeof summary, "first use of the services of contract %.60s on %s", msg->contract_id,
             pacta_handler_date_text(used_on, day, sizeof day));
    ctr_audit_fact(ctx, summary, used_on, msg->contract_id);
    const pacta_profile_t *profile = pacta_handler_profile(ctx);
    pacta_contract_t contract;
    s_formed_contract(doc, &contract);
    pacta_outcome_t *outcome = pacta_outcome_new();
    if (!outcome)
        return ctr_no_memory(ctx);
    int rc = -1;
    Pacta__V1__Explanation *why = NULL;
    if (rule_cc17_set_start_date(profile, &contract, outcome) != 0) {
        pacta_handler_refuse(ctx, INVALID_REASON, "used_on", "CC-17 cannot fix a start date from these facts");
        goto cleanup;
    }
    const pacta_decision_t *start = pacta_outcome_find(outcome, PACTA_DECISION_START);
    const pacta_date_t today = pacta_handler_today(ctx);
    if (!start)
        rc = pacta_handler_put_doc(ctx, DOC);
    else if (start->status == PACTA_DECISION_PROPOSAL)
        rc = s_propose_move(ctx, doc, start, today);
    else {
        char decision_id[PACTA_DECIDE_ID_SIZE];
        ctr_audit_decision(ctx, start, msg->contract_id, "pacta.v1.ContractStarted", today, decision_id);
        why = pacta_decide_explanation_new(start, profile, today);
        rc = s_move_start(ctx, doc, start->date, s_earliest_fact(start), why, today);
    }
cleanup:
    pacta_decide_explanation_destroy(&why);
    pacta_outcome_destroy(&outcome);
    return rc;
}

/* ---- the operator's answer to contracts' proposals -------------------------------------------- */

/* The pending proposal decision_id of this contract, or NULL (not
   contracts', or answered already). */
static json_t *
s_pending(pacta_handler_ctx_t *ctx, const char *contract_id, const char *decision_id)
{
    char expected[PACTA_REF_SIZE + 8];
    snprintf(expected, sizeof expected, "c:%s", contract_id);
    if (strcmp(expected, pacta_handler_entity_key(ctx)) != 0 || pacta_handler_doc_version(ctx, DOC) == 0)
        return NULL;
    json_t *doc = pacta_handler_doc(ctx, DOC);
    json_t *proposal = pacta_jdoc_find(pacta_jdoc_array(doc, "proposals"), "decision_id", decision_id);
    if (!proposal || strcmp(pacta_jdoc_str(proposal, "status"), "proposed") != 0)
        return NULL;
    return proposal;
}

/* The proposal's entry as applied, or its answer, appended to the audit. */
static void
s_audit_answer(pacta_handler_ctx_t *ctx, const json_t *proposal, const char *status, const char *by_field,
               const char *by, const char *note_field, const char *note, pacta_date_t answered_on)
{
    json_t *entry = json_deep_copy(json_object_get(proposal, "applied_audit"));
    if (!json_is_object(entry)) {
        json_decref(entry);
        return;
    }
    char day[PACTA_DATE_STR_LEN], summary[400];
    pacta_handler_date_text(answered_on, day, sizeof day);
    snprintf(summary, sizeof summary, "%s (%s by %s on %s)", pacta_jdoc_str(entry, "summary"), status, by, day);
    pacta_jdoc_set_str(entry, "status", status);
    if (strcmp(status, "applied") != 0)
        pacta_jdoc_set_str(entry, "decision_type", "");
    pacta_jdoc_set_str(entry, "summary", summary);
    pacta_jdoc_set_str(entry, by_field, by);
    pacta_jdoc_set_str(entry, "answered_on", day);
    if (note && *note)
        pacta_jdoc_set_str(entry, note_field, note);
    pacta_handler_audit(ctx, entry);
    json_decref(entry);
}

int
ctr_on_decision_approved(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__DecisionApproved *msg = (const Pacta__V1__DecisionApproved *) payload;
    json_t *proposal = s_pending(ctx, msg->contract_id, msg->decision_id);
    if (!proposal)
        return 0;   /* not ours (enforcement proposes the others), or answered already */
    json_t *doc = pacta_handler_doc(ctx, DOC);
    pacta_date_t approved_on = pacta_handler_date(msg->approved_on);
    if (!pacta_date_is_valid(approved_on))
        approved_on = pacta_handler_today(ctx);
    char member[PACTA_DECIDE_ID_SIZE + 80];
    snprintf(member, sizeof member, "%s|%s", pacta_handler_entity_key(ctx), msg->decision_id);
    pacta_handler_index_zrem(ctx, INDEX, member);
    pacta_jdoc_set_str(proposal, "answered_by", msg->approved_by);
    pacta_jdoc_set_date(proposal, "answered_on", approved_on);
    //  Still earlier than the start it would replace? Else nothing to move.
    const pacta_date_t start_on = pacta_jdoc_date(proposal, "date");
    if (pacta_date_is_valid(pacta_jdoc_date(doc, "start_on")) && start_on >= pacta_jdoc_date(doc, "start_on")) {
        pacta_jdoc_set_str(proposal, "status", "not_applied");
        s_audit_answer(ctx, proposal, "not_applied", "approved_by", msg->approved_by, "comment", msg->comment,
                       approved_on);
        return pacta_handler_put_doc(ctx, DOC);
    }
    pacta_jdoc_set_str(proposal, "status", "applied");
    s_audit_answer(ctx, proposal, "applied", "approved_by", msg->approved_by, "comment", msg->comment, approved_on);
    char fact[40];
    snprintf(fact, sizeof fact, "%s", pacta_jdoc_str(proposal, "earliest_fact"));
    return s_move_start(ctx, doc, start_on, fact, NULL, approved_on);
}

int
ctr_on_decision_rejected(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__DecisionRejected *msg = (const Pacta__V1__DecisionRejected *) payload;
    json_t *proposal = s_pending(ctx, msg->contract_id, msg->decision_id);
    if (!proposal)
        return 0;
    pacta_date_t rejected_on = pacta_handler_date(msg->rejected_on);
    if (!pacta_date_is_valid(rejected_on))
        rejected_on = pacta_handler_today(ctx);
    char member[PACTA_DECIDE_ID_SIZE + 80];
    snprintf(member, sizeof member, "%s|%s", pacta_handler_entity_key(ctx), msg->decision_id);
    pacta_handler_index_zrem(ctx, INDEX, member);
    pacta_jdoc_set_str(proposal, "status", "rejected");
    pacta_jdoc_set_str(proposal, "answered_by", msg->rejected_by);
    pacta_jdoc_set_date(proposal, "answered_on", rejected_on);
    pacta_jdoc_set_str(proposal, "rejection_reason", msg->reason);
    s_audit_answer(ctx, proposal, "rejected", "rejected_by", msg->rejected_by, "rejection_reason", msg->reason,
                   rejected_on);
    return pacta_handler_put_doc(ctx, DOC);
}
