/*  =========================================================================
    ctr_execution - SG-5a (execution deadlines in business days, standing
    still while the client or circumstances block the work; a missed
    imperative one owes the client 5 % of the late services) and SG-5b (the
    client is warned once changes cost more than 10 % of the agreed amount)

    Design decision: the periods during which deadlines stand still are
    read from what the contract document already holds, never asked for
    twice: the suspensions contracts applied (Suspend / Restore from
    enforcement: unpaid invoices and deposits, force majeure) and the
    blocks the back office reports (ExecutionBlocked / Unblocked). Only
    finished periods count, as the rule's "number of days the cause lasts"
    is known only then; each end recomputes the open deadlines and, when
    one moves, announces it (ExecutionDeadlineRecomputed) and moves its
    timer.
    =========================================================================
*/
#include "ctr_execution.h"
#include "ctr_terms.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pacta/v1/contracts.pb-c.h"
#include "pacta_decide.h"
#include "pacta_jdoc.h"
#include "pacta_money.h"
#include "pacta_pbjson.h"
#include "rules_sg.h"

#define DOC "contract"
#define INVALID_REASON PACTA__V1__NACK_REASON__NACK_REASON_INVALID
#define DECISION_KIND PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_DECISION
#define PERIODS_MAX 64                   /* suspension periods one deadline reads */
#define TRACKED_MAX 64                   /* deadlines, blocks or changes kept per contract */

/* ---- helpers ---------------------------------------------------------------------------------- */

static void
s_timer_id(pacta_handler_ctx_t *ctx, const char *deadline_id, pacta_date_t fires_on, char *buf, size_t size)
{
    char day[PACTA_DATE_STR_LEN];
    if (snprintf(buf, size, "%s/%s/%s/%s", pacta_handler_entity_key(ctx), CTR_TIMER_EXECUTION, deadline_id,
                 pacta_handler_date_text(fires_on, day, sizeof day))
        >= (int) size)
        buf[size - 1] = '\0';
}

static int
s_schedule(pacta_handler_ctx_t *ctx, const char *deadline_id, pacta_date_t fires_on)
{
    char id[400];
    s_timer_id(ctx, deadline_id, fires_on, id, sizeof id);
    json_t *data = json_pack("{s:s}", "deadline_id", deadline_id);
    int rc = data ? pacta_handler_schedule_timer(ctx, id, fires_on, CTR_TIMER_EXECUTION, data) : ctr_no_memory(ctx);
    json_decref(data);
    return rc;
}

/* The cause bit of a suspension reason or block, 0 for one SG-5a ignores. */
static unsigned
s_cause(const char *reason)
{
    if (strcmp(reason, "force_majeure") == 0)
        return PACTA_SUSPEND_FORCE_MAJEURE;
    if (strcmp(reason, "unpaid") == 0 || strcmp(reason, "unpaid_deposit") == 0 || strcmp(reason, "unpaid_work") == 0)
        return PACTA_SUSPEND_UNPAID;
    if (strcmp(reason, "client_change") == 0 || strcmp(reason, "repeated_corrections") == 0)
        return PACTA_SUSPEND_CLIENT_CHANGES;
    if (strcmp(reason, "missing_information") == 0)
        return PACTA_SUSPEND_MISSING_INFO;
    return 0;
}

/* The finished periods during which deadlines stood still: the last day
   is the day before the work resumed. */
static size_t
s_periods(const json_t *doc, pacta_deadline_suspension_t periods[PERIODS_MAX])
{
    size_t count = 0, index;
    json_t *item;
    json_array_foreach(json_object_get(doc, "suspensions"), index, item) {
        const pacta_date_t from = pacta_jdoc_date(item, "from");
        const pacta_date_t resumed = pacta_jdoc_date(item, "restored_on");
        const unsigned cause = s_cause(pacta_jdoc_str(item, "reason"));
        if (count < PERIODS_MAX && cause && pacta_date_is_valid(from) && pacta_date_is_valid(resumed) && resumed > from)
            periods[count++] = (pacta_deadline_suspension_t) {cause, from, resumed - 1};
    }
    json_array_foreach(json_object_get(doc, "execution_blocks"), index, item) {
        const pacta_date_t from = pacta_jdoc_date(item, "from");
        const pacta_date_t resumed = pacta_jdoc_date(item, "unblocked_on");
        const unsigned cause = s_cause(pacta_jdoc_str(item, "reason"));
        if (count < PERIODS_MAX && cause && pacta_date_is_valid(from) && pacta_date_is_valid(resumed) && resumed > from)
            periods[count++] = (pacta_deadline_suspension_t) {cause, from, resumed - 1};
    }
    return count;
}

/* "<contract>/<deadline>[/<suffix>]": decisions about one deadline get
   their own ids. */
static void
s_ref(const json_t *doc, const json_t *deadline, const char *suffix, char *buf, size_t size)
{
    if (snprintf(buf, size, "%s/%s%s%s", pacta_jdoc_str(doc, "contract_id"), pacta_jdoc_str(deadline, "deadline_id"),
                 suffix ? "/" : "", suffix ? suffix : "")
        >= (int) size)
        buf[size - 1] = '\0';
}

/* Runs the deadline rule for one deadline; *decision_out gets the
   DEADLINE decision (in outcome). 0 or -1 (refused). */
static int
s_compute(pacta_handler_ctx_t *ctx, const json_t *doc, const json_t *deadline, pacta_outcome_t *outcome,
          const pacta_decision_t **decision_out)
{
    pacta_deadline_suspension_t periods[PERIODS_MAX];
    const size_t count = s_periods(doc, periods);
    char ref[PACTA_REF_SIZE * 2 + 8];
    s_ref(doc, deadline, NULL, ref, sizeof ref);
    *decision_out = NULL;
    if (rule_sg5a_execution_deadline(pacta_handler_profile(ctx), pacta_jdoc_str(deadline, "deadline_id"),
                                     pacta_jdoc_date(deadline, "counts_from"),
                                     (int) pacta_jdoc_int(deadline, "business_days"), periods, count, outcome)
        != 0)
        return pacta_handler_refuse(ctx, INVALID_REASON, "counts_from", "SG-5a cannot compute deadline %s",
                                    pacta_jdoc_str(deadline, "deadline_id"));
    *decision_out = pacta_outcome_find(outcome, PACTA_DECISION_DEADLINE);
    return 0;
}

/* The last day of a computed deadline (extended or not). */
static pacta_date_t
s_due_on(const pacta_decision_t *decision)
{
    return pacta_date_is_valid(decision->until) ? decision->until : decision->date;
}

/* ---- the deadlines ---------------------------------------------------------------------------- */

int
ctr_on_execution_deadline_set(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__ExecutionDeadlineSet *msg = (const Pacta__V1__ExecutionDeadlineSet *) payload;
    if (ctr_check_entity(ctx, msg->contract_id) != 0)
        return -1;
    if (strlen(msg->deadline_id) >= PACTA_REF_SIZE)
        return pacta_handler_refuse(ctx, INVALID_REASON, "deadline_id", "deadline_id: at most %d bytes",
                                    PACTA_REF_SIZE - 1);
    if (msg->business_days < 0 || msg->business_days > 3650)
        return pacta_handler_refuse(ctx, INVALID_REASON, "business_days", "business_days: 0 to 3650");
    if (msg->amount && msg->amount->cents < 0)
        return pacta_handler_refuse(ctx, INVALID_REASON, "amount", "amount: must not be negative");
    json_t *doc = NULL;
    const int answer = ctr_open_contract(ctx, msg->contract_id, &doc);
    if (!doc)
        return answer;
    json_t *deadlines = pacta_jdoc_array(doc, "execution_deadlines");
    if (pacta_jdoc_find(deadlines, "deadline_id", msg->deadline_id))
        return 0;   /* set already */
    if (json_array_size(deadlines) >= TRACKED_MAX)
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_CONFLICT, "deadline_id",
                                    "contract %s already has %d deadlines", msg->contract_id, TRACKED_MAX);
    json_t *deadline = json_object();
    if (!deadline)
        return ctr_no_memory(ctx);
    pacta_jdoc_set_str(deadline, "deadline_id", msg->deadline_id);
    pacta_jdoc_set_str(deadline, "item_id", msg->item_id);
    pacta_jdoc_set_date(deadline, "counts_from", pacta_handler_date(msg->counts_from));
    pacta_jdoc_set_int(deadline, "business_days", msg->business_days);
    pacta_jdoc_set_bool(deadline, "imperative", msg->imperative);
    pacta_jdoc_set_int(deadline, "amount_cents", msg->amount ? msg->amount->cents : 0);
    pacta_jdoc_set_date(deadline, "delivered_on", PACTA_DATE_INVALID);
    pacta_jdoc_set_str(deadline, "state", "open");
    json_array_append_new(deadlines, deadline);
    pacta_outcome_t *outcome = pacta_outcome_new();
    if (!outcome)
        return ctr_no_memory(ctx);
    const pacta_decision_t *decision = NULL;
    int rc = s_compute(ctx, doc, deadline, outcome, &decision);
    if (rc == 0 && decision) {
        char ref[PACTA_REF_SIZE * 2 + 8], decision_id[PACTA_DECIDE_ID_SIZE];
        s_ref(doc, deadline, NULL, ref, sizeof ref);
        ctr_audit_decision(ctx, decision, ref, NULL, pacta_handler_date(msg->counts_from), decision_id);
        pacta_jdoc_set_date(deadline, "due_on", s_due_on(decision));
        rc = s_schedule(ctx, msg->deadline_id, s_due_on(decision) + 1);
    }
    if (rc == 0)
        rc = pacta_handler_put_doc(ctx, DOC);
    pacta_outcome_destroy(&outcome);
    return rc;
}

int
ctr_recompute_deadlines(pacta_handler_ctx_t *ctx, json_t *doc, pacta_date_t today)
{
    size_t index;
    json_t *deadline;
    int rc = 0;
    json_array_foreach(json_object_get(doc, "execution_deadlines"), index, deadline) {
        if (rc != 0)
            break;
        if (strcmp(pacta_jdoc_str(deadline, "state"), "open") != 0)
            continue;
        pacta_outcome_t *outcome = pacta_outcome_new();
        if (!outcome)
            return ctr_no_memory(ctx);
        const pacta_decision_t *decision = NULL;
        rc = s_compute(ctx, doc, deadline, outcome, &decision);
        const pacta_date_t was = pacta_jdoc_date(deadline, "due_on");
        if (rc == 0 && decision && s_due_on(decision) != was) {
            const pacta_date_t due_on = s_due_on(decision);
            char ref[PACTA_REF_SIZE * 2 + 40], day[PACTA_DATE_STR_LEN], decision_id[PACTA_DECIDE_ID_SIZE];
            s_ref(doc, deadline, pacta_handler_date_text(due_on, day, sizeof day), ref, sizeof ref);
            ctr_audit_decision(ctx, decision, ref, "pacta.v1.ExecutionDeadlineRecomputed", today, decision_id);
            char id[400];
            s_timer_id(ctx, pacta_jdoc_str(deadline, "deadline_id"), was + 1, id, sizeof id);
            pacta_handler_cancel_timer(ctx, id);
            pacta_jdoc_set_date(deadline, "due_on", due_on);
            rc = s_schedule(ctx, pacta_jdoc_str(deadline, "deadline_id"), due_on + 1);
            const pacta_value_t *extension = pacta_explanation_find(&decision->explanation, "extension_days");
            Pacta__V1__Explanation *why = pacta_decide_explanation_new(decision, pacta_handler_profile(ctx), today);
            Pacta__V1__Date due = PACTA__V1__DATE__INIT;
            pacta_handler_set_date(&due, due_on);
            Pacta__V1__ExecutionDeadlineRecomputed msg = PACTA__V1__EXECUTION_DEADLINE_RECOMPUTED__INIT;
            msg.contract_id = (char *) pacta_jdoc_str(doc, "contract_id");
            msg.deadline_id = (char *) pacta_jdoc_str(deadline, "deadline_id");
            msg.due_on = &due;
            msg.suspended_days = extension && extension->type == PACTA_VALUE_INT ? (int32_t) extension->as.number : 0;
            msg.explanation = why;
            if (rc == 0)
                rc = pacta_handler_emit(ctx, &msg.base, DECISION_KIND, NULL, NULL, NULL);
            pacta_decide_explanation_destroy(&why);
        }
        pacta_outcome_destroy(&outcome);
    }
    if (rc == 0)
        rc = pacta_handler_put_doc(ctx, DOC);
    return rc;
}

/* The penalty (imperative) or the record (indicative) of a missed
   deadline, judged on as_of; nothing when it was not missed. */
static int
s_judge(pacta_handler_ctx_t *ctx, json_t *doc, json_t *deadline, pacta_date_t delivered_on, pacta_date_t as_of)
{
    const pacta_profile_t *profile = pacta_handler_profile(ctx);
    char ref[PACTA_REF_SIZE * 2 + 8];
    s_ref(doc, deadline, NULL, ref, sizeof ref);
    const pacta_date_t due_on = pacta_jdoc_date(deadline, "due_on");
    pacta_outcome_t *outcome = pacta_outcome_new();
    if (!outcome)
        return ctr_no_memory(ctx);
    int rc = 0;
    Pacta__V1__Explanation *why = NULL;
    if (rule_sg5a_late_delivery_indemnity(profile, pacta_jdoc_str(deadline, "deadline_id"), due_on,
                                          pacta_jdoc_bool(deadline, "imperative"), delivered_on, as_of,
                                          pacta_jdoc_int(deadline, "amount_cents"), outcome)
        != 0) {
        rc = pacta_handler_refuse(ctx, INVALID_REASON, "delivered_on", "SG-5a cannot judge deadline %s",
                                  pacta_jdoc_str(deadline, "deadline_id"));
        goto cleanup;
    }
    const pacta_decision_t *credit = pacta_outcome_find(outcome, PACTA_DECISION_CREDIT);
    const pacta_decision_t *record = pacta_outcome_find(outcome, PACTA_DECISION_RECORD);
    char decision_id[PACTA_DECIDE_ID_SIZE];
    if (record) {
        ctr_audit_decision(ctx, record, ref, NULL, as_of, decision_id);
        pacta_jdoc_set_str(deadline, "state", "missed");
    }
    if (!credit)
        goto cleanup;
    ctr_audit_decision(ctx, credit, ref, "pacta.v1.LatePerformancePenaltyOwed", as_of, decision_id);
    pacta_jdoc_set_str(deadline, "state", "missed");
    pacta_jdoc_set_int(deadline, "penalty_cents", -credit->amount);
    why = pacta_decide_explanation_new(credit, profile, as_of);
    Pacta__V1__Date due = PACTA__V1__DATE__INIT, delivered = PACTA__V1__DATE__INIT;
    pacta_handler_set_date(&due, due_on);
    pacta_handler_set_date(&delivered, delivered_on);
    Pacta__V1__Money late = PACTA__V1__MONEY__INIT, penalty = PACTA__V1__MONEY__INIT;
    late.cents = pacta_jdoc_int(deadline, "amount_cents");
    late.currency = (char *) "EUR";
    penalty.cents = -credit->amount;
    penalty.currency = (char *) "EUR";
    Pacta__V1__LatePerformancePenaltyOwed msg = PACTA__V1__LATE_PERFORMANCE_PENALTY_OWED__INIT;
    msg.contract_id = (char *) pacta_jdoc_str(doc, "contract_id");
    msg.deadline_id = (char *) pacta_jdoc_str(deadline, "deadline_id");
    msg.due_on = &due;
    msg.delivered_on = pacta_date_is_valid(delivered_on) ? &delivered : NULL;
    msg.late_amount = &late;
    msg.penalty = &penalty;
    msg.explanation = why;
    rc = pacta_handler_emit(ctx, &msg.base, DECISION_KIND, NULL, NULL, NULL);
cleanup:
    pacta_decide_explanation_destroy(&why);
    pacta_outcome_destroy(&outcome);
    return rc;
}

int
ctr_on_execution_delivered(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__ExecutionDelivered *msg = (const Pacta__V1__ExecutionDelivered *) payload;
    json_t *doc = NULL;
    const int answer = ctr_running_contract(ctx, msg->contract_id, &doc);
    if (!doc)
        return answer;
    json_t *deadline = pacta_jdoc_find(json_object_get(doc, "execution_deadlines"), "deadline_id", msg->deadline_id);
    if (!deadline)
        return pacta_handler_park(ctx, "its deadline (ExecutionDeadlineSet)");
    if (pacta_date_is_valid(pacta_jdoc_date(deadline, "delivered_on")))
        return 0;
    const pacta_date_t delivered_on = pacta_handler_date(msg->delivered_on);
    pacta_jdoc_set_date(deadline, "delivered_on", delivered_on);
    const bool judged = strcmp(pacta_jdoc_str(deadline, "state"), "missed") == 0;
    pacta_jdoc_set_str(deadline, "state", judged ? "missed" : "delivered");
    char id[400];
    s_timer_id(ctx, msg->deadline_id, pacta_jdoc_date(deadline, "due_on") + 1, id, sizeof id);
    pacta_handler_cancel_timer(ctx, id);
    char summary[200], day[PACTA_DATE_STR_LEN];
    snprintf(summary, sizeof summary, "work under deadline %.60s delivered on %s", msg->deadline_id,
             pacta_handler_date_text(delivered_on, day, sizeof day));
    ctr_audit_fact(ctx, summary, delivered_on, msg->contract_id);
    int rc = judged ? 0 : s_judge(ctx, doc, deadline, delivered_on, delivered_on);
    if (rc == 0)
        rc = pacta_handler_put_doc(ctx, DOC);
    return rc;
}

int
ctr_on_execution_timer(pacta_handler_ctx_t *ctx, const json_t *data, void *arg)
{
    (void) arg;
    if (pacta_handler_doc_version(ctx, DOC) == 0)
        return 0;
    json_t *doc = pacta_handler_doc(ctx, DOC);
    json_t *deadline = pacta_jdoc_find(json_object_get(doc, "execution_deadlines"), "deadline_id",
                                       pacta_jdoc_str(data, "deadline_id"));
    const pacta_date_t today = pacta_handler_today(ctx);
    if (!deadline || strcmp(pacta_jdoc_str(deadline, "state"), "open") != 0
        || pacta_jdoc_date(deadline, "due_on") + 1 != today)
        return 0;   /* delivered, or a deadline since moved */
    int rc = s_judge(ctx, doc, deadline, PACTA_DATE_INVALID, today);
    if (rc == 0)
        rc = pacta_handler_put_doc(ctx, DOC);
    return rc;
}

/* ---- blocks by the client ----------------------------------------------------------------------- */

static const char *
s_block_name(Pacta__V1__ExecutionBlock block, char *buf, size_t size)
{
    return pacta_pbjson_enum_name(&pacta__v1__execution_block__descriptor, (int) block, buf, size);
}

int
ctr_on_execution_blocked(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__ExecutionBlocked *msg = (const Pacta__V1__ExecutionBlocked *) payload;
    json_t *doc = NULL;
    const int answer = ctr_running_contract(ctx, msg->contract_id, &doc);
    if (!doc)
        return answer;
    char reason[64];
    s_block_name(msg->reason, reason, sizeof reason);
    const pacta_date_t from = pacta_handler_date(msg->blocked_from);
    json_t *blocks = pacta_jdoc_array(doc, "execution_blocks");
    size_t index;
    json_t *block;
    json_array_foreach(blocks, index, block) {
        if (strcmp(pacta_jdoc_str(block, "reason"), reason) == 0
            && !pacta_date_is_valid(pacta_jdoc_date(block, "unblocked_on"))) {
            if (pacta_jdoc_date(block, "from") == from)
                return 0;
            return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_CONFLICT, "reason",
                                        "work of contract %s is already blocked for %s", msg->contract_id, reason);
        }
    }
    if (json_array_size(blocks) >= TRACKED_MAX)
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_CONFLICT, "reason",
                                    "contract %s already has %d blocks", msg->contract_id, TRACKED_MAX);
    block = json_object();
    if (!block)
        return ctr_no_memory(ctx);
    pacta_jdoc_set_str(block, "reason", reason);
    pacta_jdoc_set_date(block, "from", from);
    pacta_jdoc_set_date(block, "unblocked_on", PACTA_DATE_INVALID);
    json_array_append_new(blocks, block);
    char summary[200];
    snprintf(summary, sizeof summary, "work blocked (%s): execution deadlines stand still", reason);
    ctr_audit_fact(ctx, summary, from, msg->contract_id);
    return pacta_handler_put_doc(ctx, DOC);
}

int
ctr_on_execution_unblocked(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__ExecutionUnblocked *msg = (const Pacta__V1__ExecutionUnblocked *) payload;
    json_t *doc = NULL;
    const int answer = ctr_running_contract(ctx, msg->contract_id, &doc);
    if (!doc)
        return answer;
    char reason[64];
    s_block_name(msg->reason, reason, sizeof reason);
    const pacta_date_t unblocked_on = pacta_handler_date(msg->unblocked_on);
    size_t index;
    json_t *block, *open = NULL;
    json_array_foreach(json_object_get(doc, "execution_blocks"), index, block) {
        if (strcmp(pacta_jdoc_str(block, "reason"), reason) != 0)
            continue;
        if (pacta_jdoc_date(block, "unblocked_on") == unblocked_on)
            return 0;   /* applied already */
        if (!pacta_date_is_valid(pacta_jdoc_date(block, "unblocked_on")))
            open = block;
    }
    if (!open) {
        char waiting[120];
        snprintf(waiting, sizeof waiting, "the block it ends (ExecutionBlocked, %s)", reason);
        return pacta_handler_park(ctx, waiting);
    }
    if (unblocked_on < pacta_jdoc_date(open, "from"))
        return pacta_handler_refuse(ctx, INVALID_REASON, "unblocked_on", "unblocked_on: before the block began");
    pacta_jdoc_set_date(open, "unblocked_on", unblocked_on);
    char summary[200];
    snprintf(summary, sizeof summary, "work unblocked (%s): execution deadlines count again", reason);
    ctr_audit_fact(ctx, summary, unblocked_on, msg->contract_id);
    return ctr_recompute_deadlines(ctx, doc, unblocked_on);
}

/* ---- SG-5b: costly client changes --------------------------------------------------------------- */

int
ctr_on_client_change(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__ClientChangeRequested *msg = (const Pacta__V1__ClientChangeRequested *) payload;
    if (ctr_check_entity(ctx, msg->contract_id) != 0)
        return -1;
    if (msg->extra_cost->cents < 0)
        return pacta_handler_refuse(ctx, INVALID_REASON, "extra_cost", "extra_cost: must not be negative");
    json_t *doc = NULL;
    const int answer = ctr_open_contract(ctx, msg->contract_id, &doc);
    if (!doc)
        return answer;
    json_t *changes = pacta_jdoc_array(doc, "client_changes");
    if (pacta_jdoc_find(changes, "change_id", msg->change_id))
        return 0;
    if (json_array_size(changes) >= TRACKED_MAX)
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_CONFLICT, "change_id",
                                    "contract %s already has %d changes", msg->contract_id, TRACKED_MAX);
    const pacta_date_t requested_on = pacta_handler_date(msg->requested_on);
    json_t *change = json_object();
    if (!change)
        return ctr_no_memory(ctx);
    pacta_jdoc_set_str(change, "change_id", msg->change_id);
    pacta_jdoc_set_date(change, "requested_on", requested_on);
    pacta_jdoc_set_int(change, "extra_cost_cents", msg->extra_cost->cents);
    json_array_append_new(changes, change);
    pacta_cents_t cumulated = 0;
    size_t index;
    json_t *item;
    json_array_foreach(changes, index, item)
        cumulated += pacta_jdoc_int(item, "extra_cost_cents");
    pacta_jdoc_set_int(doc, "client_changes_cents", cumulated);
    const pacta_profile_t *profile = pacta_handler_profile(ctx);
    const pacta_cents_t agreed = pacta_jdoc_int(doc, "total_cents");
    pacta_contract_t contract;
    ctr_contract_from_doc(doc, &contract);
    pacta_outcome_t *outcome = pacta_outcome_new();
    if (!outcome)
        return ctr_no_memory(ctx);
    int rc = -1;
    Pacta__V1__Explanation *why = NULL;
    if (rule_sg5b_warn_change_cost(profile, &contract, agreed, cumulated, requested_on, outcome) != 0) {
        pacta_handler_refuse(ctx, INVALID_REASON, "extra_cost", "SG-5b cannot evaluate this change");
        goto cleanup;
    }
    rc = pacta_handler_put_doc(ctx, DOC);
    const pacta_decision_t *warn = pacta_outcome_find(outcome, PACTA_DECISION_NOTIFY);
    if (rc != 0 || !warn) {
        char summary[200];
        snprintf(summary, sizeof summary, "client change %.60s recorded; changes so far within the warning threshold",
                 msg->change_id);
        if (rc == 0)
            ctr_audit_fact(ctx, summary, requested_on, msg->contract_id);
        goto cleanup;
    }
    char ref[PACTA_REF_SIZE * 2 + 8], decision_id[PACTA_DECIDE_ID_SIZE];
    if (snprintf(ref, sizeof ref, "%s/%s", msg->contract_id, msg->change_id) >= (int) sizeof ref)
        ref[sizeof ref - 1] = '\0';
    ctr_audit_decision(ctx, warn, ref, "pacta.v1.ExtraCostWarningIssued", requested_on, decision_id);
    pacta_cents_t threshold = 0;
    if (pacta_money_percent(agreed, profile->change_cost_warning.threshold_percent, &threshold) != 0)
        threshold = 0;
    why = pacta_decide_explanation_new(warn, profile, requested_on);
    Pacta__V1__Money cost = PACTA__V1__MONEY__INIT, total = PACTA__V1__MONEY__INIT, limit = PACTA__V1__MONEY__INIT;
    cost.cents = msg->extra_cost->cents;
    total.cents = cumulated;
    limit.cents = threshold;
    cost.currency = total.currency = limit.currency = (char *) "EUR";
    Pacta__V1__ExtraCostWarningIssued warning = PACTA__V1__EXTRA_COST_WARNING_ISSUED__INIT;
    warning.contract_id = msg->contract_id;
    warning.change_id = msg->change_id;
    warning.extra_cost = &cost;
    warning.cumulated_extra = &total;
    warning.threshold = &limit;
    warning.explanation = why;
    rc = pacta_handler_emit(ctx, &warning.base, DECISION_KIND, NULL, NULL, NULL);
cleanup:
    pacta_decide_explanation_destroy(&why);
    pacta_outcome_destroy(&outcome);
    return rc;
}
