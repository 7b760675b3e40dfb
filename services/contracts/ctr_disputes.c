/*  =========================================================================
    ctr_disputes - SG-9 (a renegotiation lasts at most 8 calendar days from
    its notification) and SG-14 (mediation starts within 15 clear days of
    the request and lasts at most 30 clear days; then court is possible)

    The periods count from the day the other party is notified: the
    notice's proven or presumed receipt (rules.md §0.8), which is its
    sending day for an e-mail.

    Design decision: each time limit is a timer on the day after it, run
    with that day as "today", so the rule decides "failed" / "court
    possible" on the legal date whatever the moment the timer is claimed.
    Contracts is also a consumer of RenegotiationEnded and MediationEnded
    (outside facts: agreed, failed); the `expired` ones it emits itself come
    back to it and change nothing, because the state they announce is
    already recorded.
    =========================================================================
*/
#include "ctr_disputes.h"
#include "ctr_terms.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pacta/v1/contracts.pb-c.h"
#include "pacta_decide.h"
#include "pacta_jdoc.h"
#include "rules_sg.h"

#define DOC "contract"
#define INVALID_REASON PACTA__V1__NACK_REASON__NACK_REASON_INVALID
#define DECISION_KIND PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_DECISION
#define EXPIRED PACTA__V1__NEGOTIATION_OUTCOME__NEGOTIATION_OUTCOME_EXPIRED

/* ---- helpers ---------------------------------------------------------------------------------- */

static void
s_timer_id(pacta_handler_ctx_t *ctx, const char *purpose, pacta_date_t fires_on, char *buf, size_t size)
{
    char day[PACTA_DATE_STR_LEN];
    if (snprintf(buf, size, "%s/%s/%s", pacta_handler_entity_key(ctx), purpose,
                 pacta_handler_date_text(fires_on, day, sizeof day))
        >= (int) size)
        buf[size - 1] = '\0';
}

static int
s_schedule(pacta_handler_ctx_t *ctx, const char *purpose, pacta_date_t fires_on)
{
    char id[320];
    s_timer_id(ctx, purpose, fires_on, id, sizeof id);
    return pacta_handler_schedule_timer(ctx, id, fires_on, purpose, NULL);
}

static void
s_cancel(pacta_handler_ctx_t *ctx, const char *purpose, pacta_date_t fires_on)
{
    if (!pacta_date_is_valid(fires_on))
        return;
    char id[320];
    s_timer_id(ctx, purpose, fires_on, id, sizeof id);
    pacta_handler_cancel_timer(ctx, id);
}

/* The day the other party was notified (§0.8). */
static pacta_date_t
s_notified_on(pacta_handler_ctx_t *ctx, const Pacta__V1__NoticeDelivery *notice, const char *contract_id)
{
    pacta_letter_t letter;
    ctr_letter_from(notice, PACTA__V1__PARTY_ROLE__PARTY_ROLE_CLIENT, contract_id, &letter);
    return pacta_letter_received_on(pacta_handler_profile(ctx), &letter);
}

static const char *
s_outcome_name(Pacta__V1__NegotiationOutcome outcome)
{
    switch (outcome) {
        case PACTA__V1__NEGOTIATION_OUTCOME__NEGOTIATION_OUTCOME_AGREED: return "agreed";
        case PACTA__V1__NEGOTIATION_OUTCOME__NEGOTIATION_OUTCOME_FAILED: return "failed";
        case EXPIRED: return "expired";
        default: break;
    }
    return "ended";
}

/* A running contract's document, or NULL with the answer in *answer. A
   fact about a dispute of a contract that is over is still recorded. */
static json_t *
s_contract_doc(pacta_handler_ctx_t *ctx, const char *contract_id, int *answer)
{
    json_t *doc = NULL;
    *answer = ctr_open_contract(ctx, contract_id, &doc);
    return doc;
}

/* The dispute (`key`: renegotiation, mediation) an *Ended fact ends, in a
   contract that may be over already; or NULL with the handler's answer in
   *answer: refused (entity_key, unknown contract or one being created) or
   parked until `awaited` arrives. */
static json_t *
s_dispute_to_end(pacta_handler_ctx_t *ctx, const char *contract_id, const char *key, const char *awaited, int *answer)
{
    *answer = -1;
    if (ctr_check_entity(ctx, contract_id) != 0)
        return NULL;
    if (pacta_handler_doc_version(ctx, DOC) == 0) {
        *answer = ctr_unknown_contract(ctx, contract_id);
        return NULL;
    }
    json_t *dispute = json_object_get(pacta_handler_doc(ctx, DOC), key);
    if (!json_is_object(dispute)) {
        *answer = pacta_handler_park(ctx, awaited);
        return NULL;
    }
    return dispute;
}

/* An outcome reported for a dispute that is no longer running (`state`):
   our own `expired` decision coming back changes nothing, another is
   recorded as a fact. Returns 0. */
static int
s_already_ended(pacta_handler_ctx_t *ctx, const char *what, Pacta__V1__NegotiationOutcome outcome, const char *state,
                pacta_date_t ended_on, const char *contract_id)
{
    if (outcome == EXPIRED)
        return 0;
    char summary[200];
    snprintf(summary, sizeof summary, "%s reported %s, but it was already %s", what, s_outcome_name(outcome), state);
    ctr_audit_fact(ctx, summary, ended_on, contract_id);
    return 0;
}

/* ---- SG-9: renegotiation ---------------------------------------------------------------------- */

int
ctr_on_renegotiation_requested(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__RenegotiationRequested *msg = (const Pacta__V1__RenegotiationRequested *) payload;
    if (ctr_check_entity(ctx, msg->contract_id) != 0 || ctr_check_notice(ctx, msg->notice) != 0)
        return -1;
    int answer = 0;
    json_t *doc = s_contract_doc(ctx, msg->contract_id, &answer);
    if (!doc)
        return answer;
    const pacta_date_t notified_on = s_notified_on(ctx, msg->notice, msg->contract_id);
    json_t *known = json_object_get(doc, "renegotiation");
    if (json_is_object(known)) {
        if (pacta_jdoc_date(known, "notified_on") == notified_on)
            return 0;   /* the same request again */
        if (strcmp(pacta_jdoc_str(known, "state"), "open") == 0)
            return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_CONFLICT, "notice.sent_on",
                                        "a renegotiation of contract %s is still open", msg->contract_id);
    }
    const pacta_profile_t *profile = pacta_handler_profile(ctx);
    pacta_outcome_t *outcome = pacta_outcome_new();
    if (!outcome)
        return ctr_no_memory(ctx);
    int rc = -1;
    if (rule_sg9_renegotiation(profile, msg->contract_id, notified_on, PACTA_DATE_INVALID, notified_on, outcome) != 0) {
        pacta_handler_refuse(ctx, INVALID_REASON, "notice.sent_on", "SG-9 cannot evaluate this request");
        goto cleanup;
    }
    rc = 0;
    const pacta_decision_t *deadline = pacta_outcome_find(outcome, PACTA_DECISION_DEADLINE);
    if (!deadline) {
        ctr_audit_fact(ctx, "renegotiation requested; no clause of the tenant's terms limits it", notified_on,
                       msg->contract_id);
        goto cleanup;
    }
    char decision_id[PACTA_DECIDE_ID_SIZE];
    ctr_audit_decision(ctx, deadline, msg->contract_id, NULL, notified_on, decision_id);
    json_t *renegotiation = json_object();
    if (!renegotiation) {
        rc = ctr_no_memory(ctx);
        goto cleanup;
    }
    pacta_jdoc_set_date(renegotiation, "notified_on", notified_on);
    pacta_jdoc_set_date(renegotiation, "last_day", deadline->date);
    pacta_jdoc_set_str(renegotiation, "state", "open");
    json_object_set_new(doc, "renegotiation", renegotiation);
    rc = s_schedule(ctx, CTR_TIMER_RENEGOTIATION_END, deadline->date + 1);
    if (rc == 0)
        rc = pacta_handler_put_doc(ctx, DOC);
cleanup:
    pacta_outcome_destroy(&outcome);
    return rc;
}

int
ctr_on_renegotiation_ended(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__RenegotiationEnded *msg = (const Pacta__V1__RenegotiationEnded *) payload;
    int answer = -1;
    json_t *renegotiation = s_dispute_to_end(ctx, msg->contract_id, "renegotiation",
                                             "the renegotiation it ends (RenegotiationRequested)", &answer);
    if (!renegotiation)
        return answer;
    const char *state = pacta_jdoc_str(renegotiation, "state");
    const pacta_date_t ended_on = pacta_handler_date(msg->ended_on);
    if (strcmp(state, "open") != 0)
        return s_already_ended(ctx, "renegotiation", msg->outcome, state, ended_on, msg->contract_id);
    const pacta_date_t notified_on = pacta_jdoc_date(renegotiation, "notified_on");
    const pacta_date_t last_day = pacta_jdoc_date(renegotiation, "last_day");
    if (ended_on < notified_on)
        return pacta_handler_refuse(ctx, INVALID_REASON, "ended_on", "ended_on: before the renegotiation's notification");
    if (msg->outcome != PACTA__V1__NEGOTIATION_OUTCOME__NEGOTIATION_OUTCOME_AGREED) {
        char summary[200];
        snprintf(summary, sizeof summary, "renegotiation ended: %s", s_outcome_name(msg->outcome));
        ctr_audit_fact(ctx, summary, ended_on, msg->contract_id);
        pacta_jdoc_set_str(renegotiation, "state", s_outcome_name(msg->outcome));
        pacta_jdoc_set_date(renegotiation, "ended_on", ended_on);
        s_cancel(ctx, CTR_TIMER_RENEGOTIATION_END, last_day + 1);
        return pacta_handler_put_doc(ctx, DOC);
    }
    const pacta_profile_t *profile = pacta_handler_profile(ctx);
    pacta_outcome_t *outcome = pacta_outcome_new();
    if (!outcome)
        return ctr_no_memory(ctx);
    int rc = -1;
    if (rule_sg9_renegotiation(profile, msg->contract_id, notified_on, ended_on, ended_on, outcome) != 0) {
        pacta_handler_refuse(ctx, INVALID_REASON, "ended_on", "SG-9 cannot evaluate this agreement");
        goto cleanup;
    }
    rc = 0;
    const pacta_decision_t *record = pacta_outcome_find(outcome, PACTA_DECISION_RECORD);
    if (record) {
        char decision_id[PACTA_DECIDE_ID_SIZE];
        ctr_audit_decision(ctx, record, msg->contract_id, NULL, ended_on, decision_id);
        pacta_jdoc_set_str(renegotiation, "state", record->reason);
        pacta_jdoc_set_date(renegotiation, "ended_on", record->date);
        s_cancel(ctx, CTR_TIMER_RENEGOTIATION_END, last_day + 1);
    }
    rc = pacta_handler_put_doc(ctx, DOC);
cleanup:
    pacta_outcome_destroy(&outcome);
    return rc;
}

int
ctr_on_renegotiation_timer(pacta_handler_ctx_t *ctx, const json_t *data, void *arg)
{
    (void) arg;
    (void) data;
    if (pacta_handler_doc_version(ctx, DOC) == 0)
        return 0;
    json_t *doc = pacta_handler_doc(ctx, DOC);
    json_t *renegotiation = json_object_get(doc, "renegotiation");
    const pacta_date_t today = pacta_handler_today(ctx);
    if (!json_is_object(renegotiation) || strcmp(pacta_jdoc_str(renegotiation, "state"), "open") != 0
        || pacta_jdoc_date(renegotiation, "last_day") + 1 != today)
        return 0;   /* ended already, or a timer of another renegotiation */
    const char *contract_id = pacta_jdoc_str(doc, "contract_id");
    const pacta_profile_t *profile = pacta_handler_profile(ctx);
    pacta_outcome_t *outcome = pacta_outcome_new();
    if (!outcome)
        return ctr_no_memory(ctx);
    int rc = 0;
    Pacta__V1__Explanation *why = NULL;
    if (rule_sg9_renegotiation(profile, contract_id, pacta_jdoc_date(renegotiation, "notified_on"), PACTA_DATE_INVALID,
                               today, outcome) != 0) {
        rc = pacta_handler_refuse(ctx, INVALID_REASON, NULL, "SG-9 cannot evaluate the renegotiation of %s",
                                  contract_id);
        goto cleanup;
    }
    const pacta_decision_t *failed = pacta_outcome_find(outcome, PACTA_DECISION_RECORD);
    if (!failed)
        goto cleanup;
    char decision_id[PACTA_DECIDE_ID_SIZE];
    ctr_audit_decision(ctx, failed, contract_id, "pacta.v1.RenegotiationEnded", today, decision_id);
    pacta_jdoc_set_str(renegotiation, "state", failed->reason);
    pacta_jdoc_set_date(renegotiation, "ended_on", pacta_jdoc_date(renegotiation, "last_day"));
    rc = pacta_handler_put_doc(ctx, DOC);
    why = pacta_decide_explanation_new(failed, profile, today);
    Pacta__V1__Date ended = PACTA__V1__DATE__INIT;
    pacta_handler_set_date(&ended, pacta_jdoc_date(renegotiation, "last_day"));
    Pacta__V1__RenegotiationEnded msg = PACTA__V1__RENEGOTIATION_ENDED__INIT;
    msg.contract_id = (char *) contract_id;
    msg.outcome = EXPIRED;
    msg.ended_on = &ended;
    msg.explanation = why;
    if (rc == 0)
        rc = pacta_handler_emit(ctx, &msg.base, DECISION_KIND, NULL, NULL, NULL);
cleanup:
    pacta_decide_explanation_destroy(&why);
    pacta_outcome_destroy(&outcome);
    return rc;
}

/* ---- SG-14: mediation ------------------------------------------------------------------------- */

/* Audits decision as MediationScheduled and emits it. */
static int
s_scheduled(pacta_handler_ctx_t *ctx, const pacta_decision_t *decision, const char *contract_id, pacta_date_t start_by,
            pacta_date_t end_by, pacta_date_t today)
{
    char decision_id[PACTA_DECIDE_ID_SIZE];
    ctr_audit_decision(ctx, decision, contract_id, "pacta.v1.MediationScheduled", today, decision_id);
    Pacta__V1__Explanation *why = pacta_decide_explanation_new(decision, pacta_handler_profile(ctx), today);
    Pacta__V1__Date start = PACTA__V1__DATE__INIT, end = PACTA__V1__DATE__INIT;
    pacta_handler_set_date(&start, start_by);
    pacta_handler_set_date(&end, end_by);
    Pacta__V1__MediationScheduled msg = PACTA__V1__MEDIATION_SCHEDULED__INIT;
    msg.contract_id = (char *) contract_id;
    msg.latest_start_on = &start;
    msg.latest_end_on = pacta_date_is_valid(end_by) ? &end : NULL;
    msg.explanation = why;
    int rc = pacta_handler_emit(ctx, &msg.base, DECISION_KIND, NULL, NULL, NULL);
    pacta_decide_explanation_destroy(&why);
    return rc;
}

int
ctr_on_mediation_requested(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__MediationRequested *msg = (const Pacta__V1__MediationRequested *) payload;
    if (ctr_check_entity(ctx, msg->contract_id) != 0 || ctr_check_notice(ctx, msg->notice) != 0)
        return -1;
    int answer = 0;
    json_t *doc = s_contract_doc(ctx, msg->contract_id, &answer);
    if (!doc)
        return answer;
    const pacta_date_t requested_on = s_notified_on(ctx, msg->notice, msg->contract_id);
    json_t *known = json_object_get(doc, "mediation");
    if (json_is_object(known)) {
        if (pacta_jdoc_date(known, "requested_on") == requested_on)
            return 0;
        const char *state = pacta_jdoc_str(known, "state");
        if (strcmp(state, "requested") == 0 || strcmp(state, "started") == 0)
            return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_CONFLICT, "notice.sent_on",
                                        "a mediation of contract %s is still %s", msg->contract_id, state);
    }
    const pacta_profile_t *profile = pacta_handler_profile(ctx);
    pacta_outcome_t *outcome = pacta_outcome_new();
    if (!outcome)
        return ctr_no_memory(ctx);
    int rc = -1;
    if (rule_sg14_mediation(profile, msg->contract_id, requested_on, PACTA_DATE_INVALID, false, requested_on,
                            outcome) != 0) {
        pacta_handler_refuse(ctx, INVALID_REASON, "notice.sent_on", "SG-14 cannot evaluate this request");
        goto cleanup;
    }
    rc = 0;
    const pacta_decision_t *deadline = pacta_outcome_find(outcome, PACTA_DECISION_DEADLINE);
    if (!deadline) {
        ctr_audit_fact(ctx, "mediation requested; no clause of the tenant's terms limits it", requested_on,
                       msg->contract_id);
        goto cleanup;
    }
    json_t *mediation = json_object();
    if (!mediation) {
        rc = ctr_no_memory(ctx);
        goto cleanup;
    }
    pacta_jdoc_set_date(mediation, "requested_on", requested_on);
    pacta_jdoc_set_date(mediation, "start_by", deadline->date);
    pacta_jdoc_set_date(mediation, "started_on", PACTA_DATE_INVALID);
    pacta_jdoc_set_date(mediation, "end_by", PACTA_DATE_INVALID);
    pacta_jdoc_set_str(mediation, "state", "requested");
    json_object_set_new(doc, "mediation", mediation);
    rc = s_scheduled(ctx, deadline, msg->contract_id, deadline->date, PACTA_DATE_INVALID, requested_on);
    if (rc == 0)
        rc = s_schedule(ctx, CTR_TIMER_MEDIATION_START, deadline->date + 1);
    if (rc == 0)
        rc = pacta_handler_put_doc(ctx, DOC);
cleanup:
    pacta_outcome_destroy(&outcome);
    return rc;
}

int
ctr_on_mediation_started(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__MediationStarted *msg = (const Pacta__V1__MediationStarted *) payload;
    if (ctr_check_entity(ctx, msg->contract_id) != 0)
        return -1;
    int answer = 0;
    json_t *doc = s_contract_doc(ctx, msg->contract_id, &answer);
    if (!doc)
        return answer;
    json_t *mediation = json_object_get(doc, "mediation");
    if (!json_is_object(mediation))
        return pacta_handler_park(ctx, "the mediation request it starts (MediationRequested)");
    const pacta_date_t started_on = pacta_handler_date(msg->started_on);
    if (pacta_jdoc_date(mediation, "started_on") == started_on)
        return 0;
    const pacta_date_t requested_on = pacta_jdoc_date(mediation, "requested_on");
    if (started_on < requested_on)
        return pacta_handler_refuse(ctx, INVALID_REASON, "started_on", "started_on: before the mediation request");
    const pacta_profile_t *profile = pacta_handler_profile(ctx);
    pacta_outcome_t *outcome = pacta_outcome_new();
    if (!outcome)
        return ctr_no_memory(ctx);
    int rc = -1;
    if (rule_sg14_mediation(profile, msg->contract_id, requested_on, started_on, false, started_on, outcome) != 0) {
        pacta_handler_refuse(ctx, INVALID_REASON, "started_on", "SG-14 cannot evaluate this start");
        goto cleanup;
    }
    rc = 0;
    const pacta_decision_t *deadline = pacta_outcome_find(outcome, PACTA_DECISION_DEADLINE);
    if (!deadline)
        goto cleanup;
    const pacta_date_t start_by = pacta_jdoc_date(mediation, "start_by");
    pacta_jdoc_set_date(mediation, "started_on", started_on);
    pacta_jdoc_set_date(mediation, "end_by", deadline->date);
    pacta_jdoc_set_str(mediation, "state", "started");
    s_cancel(ctx, CTR_TIMER_MEDIATION_START, start_by + 1);
    rc = s_scheduled(ctx, deadline, msg->contract_id, start_by, deadline->date, started_on);
    if (rc == 0)
        rc = s_schedule(ctx, CTR_TIMER_MEDIATION_END, deadline->date + 1);
    if (rc == 0)
        rc = pacta_handler_put_doc(ctx, DOC);
cleanup:
    pacta_outcome_destroy(&outcome);
    return rc;
}

int
ctr_on_mediation_ended(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__MediationEnded *msg = (const Pacta__V1__MediationEnded *) payload;
    int answer = -1;
    json_t *mediation = s_dispute_to_end(ctx, msg->contract_id, "mediation",
                                         "the mediation it ends (MediationRequested)", &answer);
    if (!mediation)
        return answer;
    const char *state = pacta_jdoc_str(mediation, "state");
    const pacta_date_t ended_on = pacta_handler_date(msg->ended_on);
    if (strcmp(state, "requested") != 0 && strcmp(state, "started") != 0)
        return s_already_ended(ctx, "mediation", msg->outcome, state, ended_on, msg->contract_id);
    char summary[200];
    snprintf(summary, sizeof summary, "mediation ended: %s; the parties may go to court",
             s_outcome_name(msg->outcome));
    ctr_audit_fact(ctx, summary, ended_on, msg->contract_id);
    s_cancel(ctx, CTR_TIMER_MEDIATION_START, pacta_jdoc_date(mediation, "start_by") + 1);
    const pacta_date_t end_by = pacta_jdoc_date(mediation, "end_by");
    if (pacta_date_is_valid(end_by))
        s_cancel(ctx, CTR_TIMER_MEDIATION_END, end_by + 1);
    pacta_jdoc_set_str(mediation, "state", s_outcome_name(msg->outcome));
    pacta_jdoc_set_date(mediation, "ended_on", ended_on);
    pacta_jdoc_set_date(mediation, "court_from", ended_on + 1);
    return pacta_handler_put_doc(ctx, DOC);
}

int
ctr_on_mediation_timer(pacta_handler_ctx_t *ctx, const json_t *data, void *arg)
{
    (void) arg;
    (void) data;
    if (pacta_handler_doc_version(ctx, DOC) == 0)
        return 0;
    json_t *doc = pacta_handler_doc(ctx, DOC);
    json_t *mediation = json_object_get(doc, "mediation");
    if (!json_is_object(mediation))
        return 0;
    const char *state = pacta_jdoc_str(mediation, "state");
    const pacta_date_t today = pacta_handler_today(ctx);
    const pacta_date_t start_by = pacta_jdoc_date(mediation, "start_by");
    const pacta_date_t end_by = pacta_jdoc_date(mediation, "end_by");
    const bool start_passed = strcmp(state, "requested") == 0 && today == start_by + 1;
    const bool end_passed = strcmp(state, "started") == 0 && pacta_date_is_valid(end_by) && today == end_by + 1;
    if (!start_passed && !end_passed)
        return 0;   /* started, ended, or a timer of another date */
    const char *contract_id = pacta_jdoc_str(doc, "contract_id");
    const pacta_profile_t *profile = pacta_handler_profile(ctx);
    pacta_outcome_t *outcome = pacta_outcome_new();
    if (!outcome)
        return ctr_no_memory(ctx);
    int rc = 0;
    Pacta__V1__Explanation *why = NULL;
    if (rule_sg14_mediation(profile, contract_id, pacta_jdoc_date(mediation, "requested_on"),
                            pacta_jdoc_date(mediation, "started_on"), false, today, outcome) != 0) {
        rc = pacta_handler_refuse(ctx, INVALID_REASON, NULL, "SG-14 cannot evaluate the mediation of %s", contract_id);
        goto cleanup;
    }
    //  Not started in time: the rule records that court is possible. Run
    //  its course: the deadline it set has passed (its "court_from").
    const pacta_decision_t *decision = pacta_outcome_find(outcome, start_passed ? PACTA_DECISION_RECORD
                                                                                : PACTA_DECISION_DEADLINE);
    if (!decision)
        goto cleanup;
    const pacta_date_t last_day = start_passed ? start_by : end_by;
    char day[PACTA_DATE_STR_LEN], summary[200];
    if (start_passed) {
        char decision_id[PACTA_DECIDE_ID_SIZE];
        ctr_audit_decision(ctx, decision, contract_id, "pacta.v1.MediationEnded", today, decision_id);
    }
    else {
        snprintf(summary, sizeof summary, "mediation reached its longest duration on %s; court possible from today",
                 pacta_handler_date_text(last_day, day, sizeof day));
        ctr_audit_fact(ctx, summary, today, contract_id);
    }
    pacta_jdoc_set_str(mediation, "state", "expired");
    pacta_jdoc_set_date(mediation, "ended_on", last_day);
    pacta_jdoc_set_date(mediation, "court_from", last_day + 1);
    rc = pacta_handler_put_doc(ctx, DOC);
    why = pacta_decide_explanation_new(decision, profile, today);
    Pacta__V1__Date ended = PACTA__V1__DATE__INIT, court = PACTA__V1__DATE__INIT;
    pacta_handler_set_date(&ended, last_day);
    pacta_handler_set_date(&court, last_day + 1);
    Pacta__V1__MediationEnded msg = PACTA__V1__MEDIATION_ENDED__INIT;
    msg.contract_id = (char *) contract_id;
    msg.outcome = EXPIRED;
    msg.ended_on = &ended;
    msg.court_allowed_from = &court;
    msg.explanation = why;
    if (rc == 0)
        rc = pacta_handler_emit(ctx, &msg.base, DECISION_KIND, NULL, NULL, NULL);
cleanup:
    pacta_decide_explanation_destroy(&why);
    pacta_outcome_destroy(&outcome);
    return rc;
}
