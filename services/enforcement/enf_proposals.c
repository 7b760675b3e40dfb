/*  =========================================================================
    enf_proposals - pending decisions of rules in mode `propose`, approved
    or rejected by an operator

    Design decision: a proposal is kept with everything needed to apply it
    later WITHOUT running the rule again: its kind, dates, reason, object
    and the audit entry of the proposal (explanation, values, sentences).
    Approval applies that very decision, under the same decision id, on
    its own dates (the operator's date only goes into the audit), so an
    approved suspension reads in the timeline exactly as an automatic one,
    and an approval replayed is a no-op (the proposal is no longer
    pending). The one thing re-checked is whether the decision still makes
    sense: a suspension whose invoice was paid in the meantime is recorded
    "not_applied" rather than suspending a contract that owes nothing.
    =========================================================================
*/
#include "enf_proposals.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pacta/v1/contracts.pb-c.h"
#include "pacta/v1/enforcement.pb-c.h"
#include "pacta_decide.h"
#include "pacta_facts.h"
#include "pacta_jdoc.h"

#define DOC "enforcement"
#define INDEX "proposals"
#define DECISION_KIND PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_DECISION

static Pacta__V1__SuspensionReason
s_reason_value(const char *reason)
{
    if (strcmp(reason, "unpaid") == 0)
        return PACTA__V1__SUSPENSION_REASON__SUSPENSION_REASON_UNPAID_INVOICE;
    if (strcmp(reason, "content") == 0)
        return PACTA__V1__SUSPENSION_REASON__SUSPENSION_REASON_CONTENT;
    if (strcmp(reason, "force_majeure") == 0)
        return PACTA__V1__SUSPENSION_REASON__SUSPENSION_REASON_FORCE_MAJEURE;
    if (strcmp(reason, "unpaid_deposit") == 0)
        return PACTA__V1__SUSPENSION_REASON__SUSPENSION_REASON_UNPAID_DEPOSIT;
    if (strcmp(reason, "unpaid_work") == 0)
        return PACTA__V1__SUSPENSION_REASON__SUSPENSION_REASON_UNPAID_WORK;
    return PACTA__V1__SUSPENSION_REASON__SUSPENSION_REASON_UNSPECIFIED;
}

/* The message type that applies a proposal of this kind, or NULL. */
static const char *
s_decision_type(const char *kind)
{
    if (strcmp(kind, "suspend") == 0)
        return "pacta.v1.Suspend";
    if (strcmp(kind, "restore") == 0)
        return "pacta.v1.Restore";
    if (strcmp(kind, "lost_period") == 0)
        return "pacta.v1.LostPeriod";
    if (strcmp(kind, "terminate") == 0)
        return "pacta.v1.Terminate";
    return NULL;
}

static void
s_index_member(pacta_handler_ctx_t *ctx, const char *decision_id, char *buf, size_t size)
{
    snprintf(buf, size, "%s|%s", pacta_handler_entity_key(ctx), decision_id);
}

/* The three decision messages a proposal can carry or apply; the dates
   and strings point into `storage` and the proposal. */
typedef struct {
    Pacta__V1__Date from;              /* suspended_from / restored_on / lost_from */
    Pacta__V1__Date through;           /* lost_through */
    char *invoice_ids[1];              /* the invoice a suspension is about */
    Pacta__V1__Suspend suspend;        /* kind suspend */
    Pacta__V1__Restore restore;        /* kind restore */
    Pacta__V1__LostPeriod lost;        /* kind lost_period */
    Pacta__V1__Terminate terminate;    /* kind terminate (SG-4c, SG-4d, CC-13) */
} decision_msg_t;

/* Fills msg from a stored proposal; returns the message, or NULL for a
   kind that has none. */
static ProtobufCMessage *
s_decision_msg(const json_t *proposal, const char *contract_id, Pacta__V1__Explanation *why, decision_msg_t *msg)
{
    const char *kind = pacta_jdoc_str(proposal, "kind");
    char *decision_id = (char *) pacta_jdoc_str(proposal, "decision_id");
    const char *reason = pacta_jdoc_str(proposal, "reason");
    pacta__v1__date__init(&msg->from);
    pacta__v1__date__init(&msg->through);
    pacta_handler_set_date(&msg->from, pacta_jdoc_date(proposal, "date"));
    pacta_handler_set_date(&msg->through, pacta_jdoc_date(proposal, "until"));
    if (strcmp(kind, "suspend") == 0) {
        pacta__v1__suspend__init(&msg->suspend);
        msg->invoice_ids[0] = (char *) pacta_jdoc_str(proposal, "ref");
        msg->suspend.decision_id = decision_id;
        msg->suspend.contract_id = (char *) contract_id;
        msg->suspend.reason = s_reason_value(reason);
        msg->suspend.suspended_from = &msg->from;
        msg->suspend.n_invoice_ids = msg->invoice_ids[0][0] ? 1 : 0;
        msg->suspend.invoice_ids = msg->invoice_ids;
        msg->suspend.explanation = why;
        return &msg->suspend.base;
    }
    if (strcmp(kind, "restore") == 0) {
        pacta__v1__restore__init(&msg->restore);
        msg->restore.decision_id = decision_id;
        msg->restore.contract_id = (char *) contract_id;
        msg->restore.reason = s_reason_value(pacta_jdoc_str(proposal, "suspension_reason"));
        msg->restore.restored_on = &msg->from;
        msg->restore.explanation = why;
        return &msg->restore.base;
    }
    if (strcmp(kind, "lost_period") == 0) {
        pacta__v1__lost_period__init(&msg->lost);
        msg->lost.decision_id = decision_id;
        msg->lost.contract_id = (char *) contract_id;
        msg->lost.reason = s_reason_value(pacta_jdoc_str(proposal, "suspension_reason"));
        msg->lost.lost_from = &msg->from;
        msg->lost.lost_through = &msg->through;
        msg->lost.explanation = why;
        return &msg->lost.base;
    }
    if (strcmp(kind, "terminate") == 0) {
        //  What the rule does not know (the ground, who ends it, the
        //  reasons) was kept with the proposal by enf_propose_with().
        pacta__v1__terminate__init(&msg->terminate);
        msg->terminate.decision_id = decision_id;
        msg->terminate.contract_id = (char *) contract_id;
        msg->terminate.cause = (Pacta__V1__TerminationCause) pacta_jdoc_int(proposal, "cause");
        msg->terminate.terminated_by = (Pacta__V1__PartyRole) pacta_jdoc_int(proposal, "terminated_by");
        msg->terminate.effective_on = &msg->from;
        msg->terminate.without_indemnity = pacta_jdoc_bool(proposal, "without_indemnity");
        msg->terminate.reasons = (char *) pacta_jdoc_str(proposal, "reasons");
        msg->terminate.explanation = why;
        return &msg->terminate.base;
    }
    return NULL;
}

int
enf_propose(pacta_handler_ctx_t *ctx, json_t *doc, const pacta_decision_t *decision, const char *contract_id,
            pacta_date_t today)
{
    return enf_propose_with(ctx, doc, decision, contract_id, today, NULL);
}

int
enf_propose_with(pacta_handler_ctx_t *ctx, json_t *doc, const pacta_decision_t *decision, const char *contract_id,
                 pacta_date_t today, const json_t *extra)
{
    const pacta_profile_t *profile = pacta_handler_profile(ctx);
    char decision_id[PACTA_DECIDE_ID_SIZE];
    pacta_decide_id(decision, contract_id, decision_id, sizeof decision_id);
    json_t *proposals = pacta_jdoc_array(doc, "proposals");
    if (pacta_jdoc_find(proposals, "decision_id", decision_id))
        return 0;   /* proposed already: the operator has it */
    const char *kind = pacta_decision_kind_name(decision->kind);
    json_t *entry = pacta_decide_audit_entry(decision, profile, decision_id, NULL, today);
    //  The entry as it will read once approved: the same decision, applied
    //  (its sentences without "Proposed:"), rendered now from the rule's own
    //  explanation so approval never has to run the rule again.
    pacta_decision_t *as_applied = malloc(sizeof *as_applied);
    json_t *applied_entry = NULL;
    if (as_applied) {
        *as_applied = *decision;
        as_applied->status = PACTA_DECISION_APPLY;
        applied_entry = pacta_decide_audit_entry(as_applied, profile, decision_id, s_decision_type(kind), today);
        free(as_applied);
    }
    json_t *proposal = json_object();
    if (!entry || !proposal || !applied_entry) {
        json_decref(entry);
        json_decref(applied_entry);
        json_decref(proposal);
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_RETRY_LATER, NULL, "out of memory");
    }
    pacta_handler_audit(ctx, entry);
    const json_t *suspension = json_object_get(doc, "suspension");
    pacta_jdoc_set_str(proposal, "decision_id", decision_id);
    pacta_jdoc_set_str(proposal, "rule_id", decision->explanation.rule_id);
    pacta_jdoc_set_str(proposal, "kind", kind);
    pacta_jdoc_set_str(proposal, "status", "proposed");
    pacta_jdoc_set_date(proposal, "date", decision->date);
    pacta_jdoc_set_date(proposal, "until", decision->until);
    pacta_jdoc_set_str(proposal, "reason", decision->reason);
    pacta_jdoc_set_str(proposal, "suspension_reason",
                       json_is_object(suspension) ? pacta_jdoc_str(suspension, "reason") : decision->reason);
    pacta_jdoc_set_str(proposal, "ref", decision->ref);
    pacta_jdoc_set_date(proposal, "proposed_on", today);
    json_object_set_new(proposal, "audit", entry);
    json_object_set_new(proposal, "applied_audit", applied_entry);
    if (json_is_object(extra))
        json_object_update_missing(proposal, (json_t *) extra);
    json_array_append_new(proposals, proposal);
    if (pacta_handler_put_doc(ctx, DOC) != 0)
        return -1;
    char member[PACTA_DECIDE_ID_SIZE + 80];
    s_index_member(ctx, decision_id, member, sizeof member);
    pacta_handler_index_zadd(ctx, INDEX, member, (double) today);

    Pacta__V1__Explanation *why = pacta_decide_explanation_new(decision, profile, today);
    decision_msg_t applied;
    ProtobufCMessage *inner = s_decision_msg(proposal, contract_id, NULL, &applied);
    Pacta__V1__Date proposed_on = PACTA__V1__DATE__INIT;
    pacta_handler_set_date(&proposed_on, today);
    Pacta__V1__DecisionProposed msg = PACTA__V1__DECISION_PROPOSED__INIT;
    msg.decision_id = decision_id;
    msg.contract_id = (char *) contract_id;
    msg.rule_id = (char *) decision->explanation.rule_id;
    msg.proposed_on = &proposed_on;
    msg.explanation = why;
    msg.proposed_by = (char *) pacta_handler_service(ctx);
    if (inner == &applied.suspend.base) {
        msg.decision_case = PACTA__V1__DECISION_PROPOSED__DECISION_SUSPEND;
        msg.suspend = &applied.suspend;
    }
    else if (inner == &applied.restore.base) {
        msg.decision_case = PACTA__V1__DECISION_PROPOSED__DECISION_RESTORE;
        msg.restore = &applied.restore;
    }
    else if (inner == &applied.lost.base) {
        msg.decision_case = PACTA__V1__DECISION_PROPOSED__DECISION_LOST_PERIOD;
        msg.lost_period = &applied.lost;
    }
    else if (inner == &applied.terminate.base) {
        msg.decision_case = PACTA__V1__DECISION_PROPOSED__DECISION_TERMINATE;
        msg.terminate = &applied.terminate;
    }
    int rc = pacta_handler_emit(ctx, &msg.base, DECISION_KIND, NULL, NULL, NULL);
    pacta_decide_explanation_destroy(&why);
    return rc;
}

/* ---- the operator's answer ----------------------------------------------------------------- */

/* The pending proposal decision_id of this entity, or NULL (after
   deciding what to answer: 0 = nothing to do). */
static json_t *
s_pending(pacta_handler_ctx_t *ctx, const char *contract_id, const char *decision_id)
{
    char expected[PACTA_REF_SIZE + 8];
    snprintf(expected, sizeof expected, "c:%s", contract_id);
    if (strcmp(expected, pacta_handler_entity_key(ctx)) != 0)
        return NULL;
    json_t *doc = pacta_handler_doc(ctx, DOC);
    json_t *proposal = pacta_jdoc_find(pacta_jdoc_array(doc, "proposals"), "decision_id", decision_id);
    if (!proposal || strcmp(pacta_jdoc_str(proposal, "status"), "proposed") != 0)
        return NULL;
    return proposal;
}

/* The proposal's audit entry again, with a new status and the answer. */
static void
s_audit_answer(pacta_handler_ctx_t *ctx, const json_t *proposal, const char *status, const char *decision_type,
               const char *by_field, const char *by, const char *note_field, const char *note,
               pacta_date_t answered_on)
{
    const json_t *stored = strcmp(status, "applied") == 0 ? json_object_get(proposal, "applied_audit") : NULL;
    json_t *entry = json_deep_copy(stored ? stored : json_object_get(proposal, "audit"));
    if (!json_is_object(entry)) {
        json_decref(entry);
        return;
    }
    char day[PACTA_DATE_STR_LEN], summary[400];
    pacta_handler_date_text(answered_on, day, sizeof day);
    snprintf(summary, sizeof summary, "%s (%s by %s on %s)", pacta_jdoc_str(entry, "summary"), status, by, day);
    pacta_jdoc_set_str(entry, "status", status);
    pacta_jdoc_set_str(entry, "decision_type", decision_type ? decision_type : "");
    pacta_jdoc_set_str(entry, "summary", summary);
    pacta_jdoc_set_str(entry, by_field, by);
    pacta_jdoc_set_str(entry, "answered_on", day);
    if (note && *note)
        pacta_jdoc_set_str(entry, note_field, note);
    pacta_handler_audit(ctx, entry);
    json_decref(entry);
}

/* False when the decision no longer makes sense: a suspension for an
   invoice paid since, or a second suspension. */
static bool
s_still_applies(const json_t *doc, const json_t *proposal)
{
    const char *kind = pacta_jdoc_str(proposal, "kind");
    if (strcmp(kind, "suspend") == 0) {
        if (json_is_object(json_object_get(doc, "suspension")))
            return false;
        //  CC-4: a content suspension makes sense while content is missing.
        if (strcmp(pacta_jdoc_str(proposal, "reason"), "content") == 0) {
            size_t index;
            json_t *content;
            json_array_foreach(json_object_get(doc, "contents"), index, content) {
                if (!pacta_date_is_valid(pacta_jdoc_date(content, "delivered_on")))
                    return true;
            }
            return false;
        }
        const char *ref = pacta_jdoc_str(proposal, "ref");
        const json_t *invoice = pacta_jdoc_find(json_object_get(doc, "invoices"), "invoice_id", ref);
        return !(invoice && pacta_date_is_valid(pacta_jdoc_date(invoice, "paid_on")));
    }
    if (strcmp(kind, "restore") == 0)
        return json_is_object(json_object_get(doc, "suspension"));
    if (strcmp(kind, "terminate") == 0)   /* once the contract ended, there is nothing left to end */
        return !pacta_date_is_valid(pacta_jdoc_date(doc, "ended_on")) && !json_object_get(doc, "termination");
    return true;
}

int
enf_on_contract_ended(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__ContractEnded *msg = (const Pacta__V1__ContractEnded *) payload;
    if (pacta_facts_check_entity(ctx, 'c', msg->contract_id, "contract_id") != 0)
        return -1;
    json_t *doc = pacta_handler_doc(ctx, DOC);
    pacta_date_t ended_on = pacta_handler_date(msg->ended_on);
    if (pacta_jdoc_date(doc, "ended_on") == ended_on)
        return 0;
    if (!json_object_get(doc, "contract_id"))
        pacta_jdoc_set_str(doc, "contract_id", msg->contract_id);
    pacta_jdoc_set_date(doc, "ended_on", ended_on);
    size_t index;
    json_t *proposal;
    json_array_foreach(pacta_jdoc_array(doc, "proposals"), index, proposal) {
        if (strcmp(pacta_jdoc_str(proposal, "status"), "proposed") != 0)
            continue;
        char member[PACTA_DECIDE_ID_SIZE + 80];
        s_index_member(ctx, pacta_jdoc_str(proposal, "decision_id"), member, sizeof member);
        pacta_handler_index_zrem(ctx, INDEX, member);
        pacta_jdoc_set_str(proposal, "status", "withdrawn");
        pacta_jdoc_set_date(proposal, "answered_on", ended_on + 1);
        s_audit_answer(ctx, proposal, "withdrawn", NULL, "withdrawn_by", pacta_handler_service(ctx), "comment",
                       "no longer applies: the contract ended", ended_on + 1);
    }
    return pacta_handler_put_doc(ctx, DOC);
}

int
enf_withdraw_settled(pacta_handler_ctx_t *ctx, json_t *doc, pacta_date_t today)
{
    size_t index;
    json_t *proposal;
    bool changed = false;
    json_array_foreach(pacta_jdoc_array(doc, "proposals"), index, proposal) {
        if (strcmp(pacta_jdoc_str(proposal, "status"), "proposed") != 0 || s_still_applies(doc, proposal))
            continue;
        char member[PACTA_DECIDE_ID_SIZE + 80];
        s_index_member(ctx, pacta_jdoc_str(proposal, "decision_id"), member, sizeof member);
        pacta_handler_index_zrem(ctx, INDEX, member);
        pacta_jdoc_set_str(proposal, "status", "withdrawn");
        pacta_jdoc_set_date(proposal, "answered_on", today);
        s_audit_answer(ctx, proposal, "withdrawn", NULL, "withdrawn_by", pacta_handler_service(ctx), "comment",
                       strcmp(pacta_jdoc_str(proposal, "reason"), "content") == 0
                           ? "no longer applies: the content was delivered"
                           : "no longer applies: the invoice was paid",
                       today);
        changed = true;
    }
    return changed ? pacta_handler_put_doc(ctx, DOC) : 0;
}

int
enf_on_decision_approved(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__DecisionApproved *msg = (const Pacta__V1__DecisionApproved *) payload;
    json_t *proposal = s_pending(ctx, msg->contract_id, msg->decision_id);
    if (!proposal)
        return 0;   /* not ours (contracts proposes CC-17 moves), or answered already */
    json_t *doc = pacta_handler_doc(ctx, DOC);
    const char *kind = pacta_jdoc_str(proposal, "kind");
    const char *type = s_decision_type(kind);
    pacta_date_t approved_on = pacta_handler_date(msg->approved_on);
    if (!pacta_date_is_valid(approved_on))
        approved_on = pacta_handler_today(ctx);
    char member[PACTA_DECIDE_ID_SIZE + 80];
    s_index_member(ctx, msg->decision_id, member, sizeof member);
    pacta_handler_index_zrem(ctx, INDEX, member);
    pacta_jdoc_set_str(proposal, "answered_by", msg->approved_by);
    pacta_jdoc_set_date(proposal, "answered_on", approved_on);
    if (!type || !s_still_applies(doc, proposal)) {
        pacta_jdoc_set_str(proposal, "status", "not_applied");
        s_audit_answer(ctx, proposal, "not_applied", NULL, "approved_by", msg->approved_by, "comment", msg->comment,
                       approved_on);
        return pacta_handler_put_doc(ctx, DOC);
    }
    pacta_jdoc_set_str(proposal, "status", "applied");
    if (strcmp(kind, "suspend") == 0) {
        json_t *suspension = json_object();
        pacta_jdoc_set_str(suspension, "decision_id", msg->decision_id);
        pacta_jdoc_set_str(suspension, "reason", pacta_jdoc_str(proposal, "reason"));
        pacta_jdoc_set_date(suspension, "since", pacta_jdoc_date(proposal, "date"));
        json_t *invoice_ids = json_array();
        if (*pacta_jdoc_str(proposal, "ref"))
            json_array_append_new(invoice_ids, json_string(pacta_jdoc_str(proposal, "ref")));
        json_object_set_new(suspension, "invoice_ids", invoice_ids);
        json_object_set_new(doc, "suspension", suspension);
        pacta_jdoc_set_str(doc, "state", "suspended");
    }
    else if (strcmp(kind, "restore") == 0) {
        json_object_set_new(doc, "suspension", json_null());
        pacta_jdoc_set_str(doc, "state", "active");
    }
    else if (strcmp(kind, "terminate") == 0) {
        json_t *termination = json_object();
        pacta_jdoc_set_str(termination, "decision_id", msg->decision_id);
        pacta_jdoc_set_date(termination, "effective_on", pacta_jdoc_date(proposal, "date"));
        json_object_set_new(doc, "termination", termination);
    }
    s_audit_answer(ctx, proposal, "applied", type, "approved_by", msg->approved_by, "comment", msg->comment,
                   approved_on);
    if (pacta_handler_put_doc(ctx, DOC) != 0)
        return -1;
    decision_msg_t applied;
    ProtobufCMessage *decision = s_decision_msg(proposal, msg->contract_id, NULL, &applied);
    return pacta_handler_emit(ctx, decision, DECISION_KIND, NULL, NULL, NULL);
}

int
enf_on_decision_rejected(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
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
    s_index_member(ctx, msg->decision_id, member, sizeof member);
    pacta_handler_index_zrem(ctx, INDEX, member);
    pacta_jdoc_set_str(proposal, "status", "rejected");
    pacta_jdoc_set_str(proposal, "answered_by", msg->rejected_by);
    pacta_jdoc_set_date(proposal, "answered_on", rejected_on);
    pacta_jdoc_set_str(proposal, "rejection_reason", msg->reason);
    s_audit_answer(ctx, proposal, "rejected", NULL, "rejected_by", msg->rejected_by, "rejection_reason", msg->reason,
                   rejected_on);
    return pacta_handler_put_doc(ctx, DOC);
}
