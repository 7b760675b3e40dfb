/*  =========================================================================
    ctr_changes - changes to the terms or the services: CC-14 (in force on
    publication or notification; a changed service waits for the client's
    acceptance) and SG-10 (in force on the 1st of the next month unless the
    client objects within 10 clear days)

    Both clauses read the profile block `terms_change`; the handler picks
    the rule by its shape: a block with an objection window is the SG-10
    kind, any other the CC-14 kind.

    Design decision: each change is kept in <prefix>:contract under
    `terms_changes`, by terms version, and each decision is audited once,
    when it takes effect. A CC-14 change takes effect on receipt (its date
    is the earlier of publication and notification). An SG-10 change is
    only recorded on receipt, with the dates the rule computed: it may
    still be refused, so TermsChangeApplied is emitted either by a timely
    objection (applies: false) or by the `terms.effective` timer on the day
    it applies (applies: true), never both, whatever the order in which a
    late objection and the timer arrive.
    =========================================================================
*/
#include "ctr_changes.h"
#include "ctr_terms.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pacta/v1/contracts.pb-c.h"
#include "pacta_decide.h"
#include "pacta_jdoc.h"
#include "rules_cc.h"
#include "rules_sg.h"

#define DOC "contract"
#define INVALID_REASON PACTA__V1__NACK_REASON__NACK_REASON_INVALID
#define DECISION_KIND PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_DECISION

/* ---- helpers ---------------------------------------------------------------------------------- */

/* The SG-10 kind of clause (see the block comment). */
static bool
s_objection_window(const pacta_profile_t *profile)
{
    return profile->terms_change.objection_clear_days > 0;
}

/* The change as the rules read it, from its entry. */
static void
s_change_from(const json_t *entry, pacta_terms_change_event_t *change)
{
    memset(change, 0, sizeof *change);
    snprintf(change->id, sizeof change->id, "%s", pacta_jdoc_str(entry, "terms_version"));
    change->published_on = pacta_jdoc_date(entry, "published_on");
    change->notified_on = pacta_jdoc_date(entry, "notified_on");
    change->changes_services = pacta_jdoc_bool(entry, "services_changed");
    change->accepted_on = pacta_jdoc_date(entry, "accepted_on");
    change->objected_on = pacta_jdoc_date(entry, "objected_on");
}

static void
s_timer_id(pacta_handler_ctx_t *ctx, const char *version, pacta_date_t fires_on, char *buf, size_t size)
{
    char day[PACTA_DATE_STR_LEN];
    if (snprintf(buf, size, "%s/%s/%s/%s", pacta_handler_entity_key(ctx), CTR_TIMER_TERMS_EFFECTIVE, version,
                 pacta_handler_date_text(fires_on, day, sizeof day))
        >= (int) size)
        buf[size - 1] = '\0';
}

/* Audits decision as TermsChangeApplied and emits the message. */
static int
s_applied(pacta_handler_ctx_t *ctx, const pacta_decision_t *decision, const char *contract_id, const char *version,
          bool applies, pacta_date_t objection_deadline, pacta_date_t today)
{
    char decision_id[PACTA_DECIDE_ID_SIZE];
    ctr_audit_decision(ctx, decision, contract_id, "pacta.v1.TermsChangeApplied", today, decision_id);
    Pacta__V1__Explanation *why = pacta_decide_explanation_new(decision, pacta_handler_profile(ctx), today);
    Pacta__V1__Date on = PACTA__V1__DATE__INIT, deadline = PACTA__V1__DATE__INIT;
    pacta_handler_set_date(&on, decision->date);
    pacta_handler_set_date(&deadline, objection_deadline);
    Pacta__V1__TermsChangeApplied msg = PACTA__V1__TERMS_CHANGE_APPLIED__INIT;
    msg.contract_id = (char *) contract_id;
    msg.terms_version = (char *) version;
    msg.applies = applies;
    msg.applies_on = applies ? &on : NULL;
    msg.objection_deadline = pacta_date_is_valid(objection_deadline) ? &deadline : NULL;
    msg.explanation = why;
    int rc = pacta_handler_emit(ctx, &msg.base, DECISION_KIND, NULL, NULL, NULL);
    pacta_decide_explanation_destroy(&why);
    return rc;
}

/* The change entry of version in the contract, or NULL. */
static json_t *
s_entry(json_t *doc, const char *version)
{
    return pacta_jdoc_find(pacta_jdoc_array(doc, "terms_changes"), "terms_version", version);
}

/* ---- TermsChanged ----------------------------------------------------------------------------- */

/* CC-14: in force at once; a changed service withheld until accepted. */
static int
s_changed_cc14(pacta_handler_ctx_t *ctx, json_t *entry, const pacta_contract_t *contract, pacta_outcome_t *outcome)
{
    const pacta_profile_t *profile = pacta_handler_profile(ctx);
    pacta_terms_change_event_t change;
    s_change_from(entry, &change);
    if (rule_cc14_change_terms(profile, contract, &change, outcome) != 0)
        return pacta_handler_refuse(ctx, INVALID_REASON, "notice.sent_on",
                                    "CC-14 needs the change's notification (notice.sent_on) or published_on");
    int rc = 0;
    for (size_t i = 0; i < outcome->count && rc == 0; i++) {
        const pacta_decision_t *decision = &outcome->items[i];
        if (decision->kind == PACTA_DECISION_EFFECTIVE) {
            pacta_jdoc_set_str(entry, "state", "effective");
            pacta_jdoc_set_date(entry, "effective_on", decision->date);
            rc = s_applied(ctx, decision, contract->id, change.id, true, PACTA_DATE_INVALID, decision->date);
        }
        else if (decision->kind == PACTA_DECISION_WITHHOLD) {
            char decision_id[PACTA_DECIDE_ID_SIZE];
            ctr_audit_decision(ctx, decision, contract->id, NULL, decision->date, decision_id);
            pacta_jdoc_set_str(entry, "services", "withheld");
            pacta_jdoc_set_date(entry, "withheld_since", decision->date);
        }
    }
    return rc;
}

/* SG-10: recorded with its dates; the objection or the timer decides. */
static int
s_changed_sg10(pacta_handler_ctx_t *ctx, json_t *entry, const pacta_contract_t *contract, pacta_outcome_t *outcome)
{
    const pacta_profile_t *profile = pacta_handler_profile(ctx);
    pacta_terms_change_event_t change;
    s_change_from(entry, &change);
    if (rule_sg10_terms_change(profile, contract, &change, outcome) != 0)
        return pacta_handler_refuse(ctx, INVALID_REASON, "notice.sent_on",
                                    "SG-10 counts from the sending of the changed terms: notice.sent_on is required");
    const pacta_decision_t *effective = pacta_outcome_find(outcome, PACTA_DECISION_EFFECTIVE);
    if (!effective)
        return 0;
    const pacta_date_t last_objection_day = ctr_value_date(effective, "last_objection_day");
    pacta_jdoc_set_str(entry, "state", "pending");
    pacta_jdoc_set_date(entry, "effective_on", effective->date);
    pacta_jdoc_set_date(entry, "objection_until", last_objection_day);
    char summary[300], sent[PACTA_DATE_STR_LEN], until[PACTA_DATE_STR_LEN], from[PACTA_DATE_STR_LEN];
    if (snprintf(summary, sizeof summary,
                 "terms %.60s sent %s: objection possible through %s; they apply from %s unless the client objects",
                 change.id, pacta_handler_date_text(change.notified_on, sent, sizeof sent),
                 pacta_handler_date_text(last_objection_day, until, sizeof until),
                 pacta_handler_date_text(effective->date, from, sizeof from))
        >= (int) sizeof summary)
        summary[sizeof summary - 1] = '\0';
    ctr_audit_fact(ctx, summary, change.notified_on, contract->id);
    char id[400];
    s_timer_id(ctx, change.id, effective->date, id, sizeof id);
    json_t *data = json_pack("{s:s}", "terms_version", change.id);
    int rc = data ? pacta_handler_schedule_timer(ctx, id, effective->date, CTR_TIMER_TERMS_EFFECTIVE, data)
                  : ctr_no_memory(ctx);
    json_decref(data);
    return rc;
}

int
ctr_on_terms_changed(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__TermsChanged *msg = (const Pacta__V1__TermsChanged *) payload;
    if (ctr_check_entity(ctx, msg->contract_id) != 0 || (msg->notice && ctr_check_notice(ctx, msg->notice) != 0))
        return -1;
    if (!msg->notice && !msg->published_on)
        return pacta_handler_refuse(ctx, INVALID_REASON, "notice",
                                    "notice: required when the terms were not published (published_on)");
    if (strlen(msg->terms_version) >= PACTA_REF_SIZE)
        return pacta_handler_refuse(ctx, INVALID_REASON, "terms_version", "terms_version: at most %d bytes",
                                    PACTA_REF_SIZE - 1);
    json_t *doc = NULL;
    const int answer = ctr_open_contract(ctx, msg->contract_id, &doc);
    if (!doc)
        return answer;
    if (s_entry(doc, msg->terms_version))
        return 0;   /* this version was notified already */
    json_t *entry = json_object();
    if (!entry)
        return ctr_no_memory(ctx);
    pacta_jdoc_set_str(entry, "terms_version", msg->terms_version);
    pacta_jdoc_set_date(entry, "notified_on", msg->notice ? pacta_handler_date(msg->notice->sent_on) : PACTA_DATE_INVALID);
    pacta_jdoc_set_date(entry, "published_on", msg->published_on ? pacta_handler_date(msg->published_on)
                                                                  : PACTA_DATE_INVALID);
    pacta_jdoc_set_bool(entry, "services_changed", msg->services_changed);
    pacta_jdoc_set_str(entry, "state", "recorded");
    json_array_append_new(pacta_jdoc_array(doc, "terms_changes"), entry);
    const pacta_profile_t *profile = pacta_handler_profile(ctx);
    if (!pacta_rule_enabled(&profile->terms_change.rule)) {
        ctr_audit_fact(ctx, "changed terms recorded; the tenant's terms have no clause on changes",
                       pacta_jdoc_date(entry, "notified_on"), msg->contract_id);
        return pacta_handler_put_doc(ctx, DOC);
    }
    pacta_contract_t contract;
    ctr_contract_from_doc(doc, &contract);
    pacta_outcome_t *outcome = pacta_outcome_new();
    if (!outcome)
        return ctr_no_memory(ctx);
    int rc = s_objection_window(profile) ? s_changed_sg10(ctx, entry, &contract, outcome)
                                         : s_changed_cc14(ctx, entry, &contract, outcome);
    if (rc == 0)
        rc = pacta_handler_put_doc(ctx, DOC);
    pacta_outcome_destroy(&outcome);
    return rc;
}

/* ---- SG-10: the objection, and the day the change applies ------------------------------------- */

int
ctr_on_terms_objection(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__TermsObjectionReceived *msg = (const Pacta__V1__TermsObjectionReceived *) payload;
    if (ctr_check_entity(ctx, msg->contract_id) != 0 || ctr_check_notice(ctx, msg->notice) != 0)
        return -1;
    json_t *doc = NULL;
    const int answer = ctr_open_contract(ctx, msg->contract_id, &doc);
    if (!doc)
        return answer;
    json_t *entry = s_entry(doc, msg->terms_version);
    if (!entry) {
        char waiting[140];
        snprintf(waiting, sizeof waiting, "the changed terms %.60s (their TermsChanged)", msg->terms_version);
        return pacta_handler_park(ctx, waiting);
    }
    const pacta_profile_t *profile = pacta_handler_profile(ctx);
    pacta_letter_t letter;
    ctr_letter_from(msg->notice, PACTA__V1__PARTY_ROLE__PARTY_ROLE_CLIENT, msg->contract_id, &letter);
    //  « dans les 10 jours francs »: the day the objection reaches Sg Event.
    const pacta_date_t objected_on = pacta_letter_received_on(profile, &letter);
    const char *state = pacta_jdoc_str(entry, "state");
    if (strcmp(state, "objected") == 0)
        return 0;
    char summary[300], day[PACTA_DATE_STR_LEN], until[PACTA_DATE_STR_LEN];
    if (!s_objection_window(profile) || !pacta_rule_enabled(&profile->terms_change.rule)
        || strcmp(state, "pending") != 0) {
        if (snprintf(summary, sizeof summary,
                     "objection of %s to terms %.60s recorded; it does not stop them (state %s): a client who "
                     "disagrees may end the contract under its usual conditions",
                     pacta_handler_date_text(objected_on, day, sizeof day), msg->terms_version, state)
            >= (int) sizeof summary)
            summary[sizeof summary - 1] = '\0';
        ctr_audit_fact(ctx, summary, objected_on, msg->contract_id);
        pacta_jdoc_set_date(entry, "objected_on", objected_on);
        return pacta_handler_put_doc(ctx, DOC);
    }
    pacta_contract_t contract;
    ctr_contract_from_doc(doc, &contract);
    pacta_terms_change_event_t change;
    s_change_from(entry, &change);
    change.objected_on = objected_on;
    pacta_outcome_t *outcome = pacta_outcome_new();
    if (!outcome)
        return ctr_no_memory(ctx);
    int rc = -1;
    if (rule_sg10_terms_change(profile, &contract, &change, outcome) != 0) {
        pacta_handler_refuse(ctx, INVALID_REASON, "notice.sent_on", "SG-10 cannot evaluate this objection");
        goto cleanup;
    }
    rc = 0;
    const pacta_decision_t *objected = pacta_outcome_find(outcome, PACTA_DECISION_RECORD);
    if (objected) {
        pacta_jdoc_set_str(entry, "state", "objected");
        pacta_jdoc_set_date(entry, "objected_on", objected_on);
        char id[400];
        s_timer_id(ctx, change.id, pacta_jdoc_date(entry, "effective_on"), id, sizeof id);
        pacta_handler_cancel_timer(ctx, id);
        rc = s_applied(ctx, objected, msg->contract_id, change.id, false, pacta_jdoc_date(entry, "objection_until"),
                       objected_on);
    }
    else {
        //  Too late: the change applies on its day (the timer decides it).
        if (snprintf(summary, sizeof summary,
                     "objection of %s to terms %.60s came after the objection period (through %s): they apply",
                     pacta_handler_date_text(objected_on, day, sizeof day), change.id,
                     pacta_handler_date_text(pacta_jdoc_date(entry, "objection_until"), until, sizeof until))
            >= (int) sizeof summary)
            summary[sizeof summary - 1] = '\0';
        ctr_audit_fact(ctx, summary, objected_on, msg->contract_id);
        pacta_jdoc_set_date(entry, "late_objection_on", objected_on);
    }
    if (rc == 0)
        rc = pacta_handler_put_doc(ctx, DOC);
cleanup:
    pacta_outcome_destroy(&outcome);
    return rc;
}

int
ctr_on_terms_effective_timer(pacta_handler_ctx_t *ctx, const json_t *data, void *arg)
{
    (void) arg;
    if (pacta_handler_doc_version(ctx, DOC) == 0)
        return 0;
    json_t *doc = pacta_handler_doc(ctx, DOC);
    const char *state = pacta_jdoc_str(doc, "state");
    if (strcmp(state, "ended") == 0 || strcmp(state, "cancelled") == 0)
        return 0;   /* nothing left for the terms to govern */
    json_t *entry = s_entry(doc, pacta_jdoc_str(data, "terms_version"));
    const pacta_date_t today = pacta_handler_today(ctx);
    if (!entry || strcmp(pacta_jdoc_str(entry, "state"), "pending") != 0
        || pacta_jdoc_date(entry, "effective_on") != today)
        return 0;   /* objected, or a timer of another date */
    const pacta_profile_t *profile = pacta_handler_profile(ctx);
    pacta_contract_t contract;
    ctr_contract_from_doc(doc, &contract);
    pacta_terms_change_event_t change;
    s_change_from(entry, &change);
    pacta_outcome_t *outcome = pacta_outcome_new();
    if (!outcome)
        return ctr_no_memory(ctx);
    int rc = 0;
    if (rule_sg10_terms_change(profile, &contract, &change, outcome) != 0) {
        rc = pacta_handler_refuse(ctx, INVALID_REASON, NULL, "SG-10 cannot evaluate terms %s", change.id);
        goto cleanup;
    }
    const pacta_decision_t *effective = pacta_outcome_find(outcome, PACTA_DECISION_EFFECTIVE);
    if (!effective)
        goto cleanup;
    pacta_jdoc_set_str(entry, "state", "effective");
    rc = s_applied(ctx, effective, contract.id, change.id, true, pacta_jdoc_date(entry, "objection_until"), today);
    if (rc == 0)
        rc = pacta_handler_put_doc(ctx, DOC);
cleanup:
    pacta_outcome_destroy(&outcome);
    return rc;
}

/* ---- CC-14: contested terms, accepted services ------------------------------------------------ */

int
ctr_on_terms_contested(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__TermsContested *msg = (const Pacta__V1__TermsContested *) payload;
    if (ctr_check_entity(ctx, msg->contract_id) != 0 || (msg->notice && ctr_check_notice(ctx, msg->notice) != 0))
        return -1;
    json_t *doc = NULL;
    const int answer = ctr_open_contract(ctx, msg->contract_id, &doc);
    if (!doc)
        return answer;
    const pacta_date_t on = msg->notice ? pacta_handler_date(msg->notice->sent_on) : pacta_handler_today(ctx);
    char summary[300];
    if (snprintf(summary, sizeof summary,
                 "the client contests terms %.60s; the contract goes on under them unless the client ends it with "
                 "the usual notice or early-termination conditions (CC-2b, CC-2c)",
                 msg->terms_version)
        >= (int) sizeof summary)
        summary[sizeof summary - 1] = '\0';
    ctr_audit_fact(ctx, summary, on, msg->contract_id);
    json_t *entry = s_entry(doc, msg->terms_version);
    if (!entry)
        return 0;
    pacta_jdoc_set_date(entry, "contested_on", on);
    return pacta_handler_put_doc(ctx, DOC);
}

int
ctr_on_changed_services_accepted(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__ChangedServicesAccepted *msg = (const Pacta__V1__ChangedServicesAccepted *) payload;
    json_t *doc = NULL;
    const int answer = ctr_running_contract(ctx, msg->contract_id, &doc);
    if (!doc)
        return answer;
    json_t *entry = s_entry(doc, msg->terms_version);
    if (!entry) {
        char waiting[140];
        snprintf(waiting, sizeof waiting, "the changed terms %.60s (their TermsChanged)", msg->terms_version);
        return pacta_handler_park(ctx, waiting);
    }
    const pacta_date_t accepted_on = pacta_handler_date(msg->accepted_on);
    if (pacta_date_is_valid(pacta_jdoc_date(entry, "accepted_on")))
        return 0;
    pacta_jdoc_set_date(entry, "accepted_on", accepted_on);
    const pacta_profile_t *profile = pacta_handler_profile(ctx);
    if (!pacta_jdoc_bool(entry, "services_changed") || s_objection_window(profile)
        || !pacta_rule_enabled(&profile->terms_change.rule)) {
        ctr_audit_fact(ctx, "changed services accepted", accepted_on, msg->contract_id);
        return pacta_handler_put_doc(ctx, DOC);
    }
    pacta_contract_t contract;
    ctr_contract_from_doc(doc, &contract);
    pacta_terms_change_event_t change;
    s_change_from(entry, &change);
    pacta_outcome_t *outcome = pacta_outcome_new();
    if (!outcome)
        return ctr_no_memory(ctx);
    int rc = -1;
    if (rule_cc14_change_terms(profile, &contract, &change, outcome) != 0) {
        pacta_handler_refuse(ctx, INVALID_REASON, "accepted_on", "CC-14 cannot evaluate this acceptance");
        goto cleanup;
    }
    rc = 0;
    const pacta_decision_t *release = pacta_outcome_find(outcome, PACTA_DECISION_RELEASE);
    if (release) {
        char decision_id[PACTA_DECIDE_ID_SIZE];
        ctr_audit_decision(ctx, release, msg->contract_id, NULL, accepted_on, decision_id);
        pacta_jdoc_set_str(entry, "services", "released");
        pacta_jdoc_set_date(entry, "released_on", release->date);
    }
    rc = pacta_handler_put_doc(ctx, DOC);
cleanup:
    pacta_outcome_destroy(&outcome);
    return rc;
}
