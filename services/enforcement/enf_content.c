/*  =========================================================================
    enf_content - CC-4 (performance suspended for missing client content,
    resumed on delivery, the publications in between lost) and CC-5 (a
    campaign without an ad budget confirmed by the end of its launch day is
    lost for its period)

    Both deadlines are timers on the day after (content.deadline_passed,
    campaign.launch_passed), run with that day as "today", so the rules
    decide on the legal date whatever the moment the timer is claimed; the
    facts that beat the timer (a delivery, a confirmation) make it a no-op.

    Design decision: enforcement keeps the awaited contents and the
    scheduled campaigns in <prefix>:enforcement (`contents`, `campaigns`).
    A CC-4 suspension is a proposal in CapConnect's terms (cc4_mode
    propose): it goes through enf_proposals like any other, and a proposal
    still pending when the content arrives is withdrawn, not applied.
    Resuming is a duty: the Restore and LostPeriod of a delivery always
    apply.
    =========================================================================
*/
#include "enf_content.h"
#include "enf_handlers.h"
#include "enf_proposals.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pacta/v1/contracts.pb-c.h"
#include "pacta/v1/enforcement.pb-c.h"
#include "pacta_decide.h"
#include "pacta_jdoc.h"
#include "rules_cc.h"

#define DOC "enforcement"
#define INVALID_REASON PACTA__V1__NACK_REASON__NACK_REASON_INVALID
#define DECISION_KIND PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_DECISION
#define TRACKED_MAX 64                   /* contents or campaigns kept per contract */

/* ---- helpers ---------------------------------------------------------------------------------- */

/* Appends entry to the array, making room by dropping the oldest entries
   that are settled (`settled` member set); -1 when all are open. */
static int
s_track(json_t *array, json_t *entry, const char *settled)
{
    for (size_t i = 0; json_array_size(array) >= TRACKED_MAX && i < json_array_size(array);) {
        if (pacta_date_is_valid(pacta_jdoc_date(json_array_get(array, i), settled)))
            json_array_remove(array, i);
        else
            i++;
    }
    if (json_array_size(array) >= TRACKED_MAX) {
        json_decref(entry);
        return -1;
    }
    return json_array_append_new(array, entry);
}

static int
s_schedule(pacta_handler_ctx_t *ctx, const char *purpose, const char *key, const char *id, pacta_date_t fires_on)
{
    char timer_id[400], day[PACTA_DATE_STR_LEN];
    if (snprintf(timer_id, sizeof timer_id, "%s/%s/%s/%s", pacta_handler_entity_key(ctx), purpose, id,
                 pacta_handler_date_text(fires_on, day, sizeof day))
        >= (int) sizeof timer_id)
        return pacta_handler_refuse(ctx, INVALID_REASON, key, "%s: too long for a timer id", key);
    json_t *data = json_pack("{s:s}", key, id);
    int rc = data ? pacta_handler_schedule_timer(ctx, timer_id, fires_on, purpose, data) : enf_no_memory(ctx);
    json_decref(data);
    return rc;
}

/* ---- CC-4: client content --------------------------------------------------------------------- */

static void
s_content_from(const json_t *entry, pacta_content_t *content)
{
    memset(content, 0, sizeof *content);
    snprintf(content->id, sizeof content->id, "%s", pacta_jdoc_str(entry, "content_id"));
    content->due_on = pacta_jdoc_date(entry, "due_on");
    content->delivered_on = pacta_jdoc_date(entry, "delivered_on");
}

int
enf_on_content_deadline_set(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__ContentDeadlineSet *msg = (const Pacta__V1__ContentDeadlineSet *) payload;
    if (enf_check_entity(ctx, msg->contract_id) != 0 || pacta_handler_require_contract(ctx, msg->contract_id) != 0)
        return -1;
    if (strlen(msg->content_id) >= PACTA_REF_SIZE)
        return pacta_handler_refuse(ctx, INVALID_REASON, "content_id", "content_id: at most %d bytes",
                                    PACTA_REF_SIZE - 1);
    const pacta_date_t due_on = pacta_handler_date(msg->deadline);
    json_t *doc = enf_doc(ctx, msg->contract_id);
    json_t *contents = pacta_jdoc_array(doc, "contents");
    json_t *entry = pacta_jdoc_find(contents, "content_id", msg->content_id);
    if (entry && pacta_jdoc_date(entry, "due_on") == due_on)
        return 0;   /* the same deadline again */
    if (entry && pacta_date_is_valid(pacta_jdoc_date(entry, "delivered_on")))
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_CONFLICT, "content_id",
                                    "content %s was delivered already", msg->content_id);
    if (entry)
        pacta_jdoc_set_date(entry, "due_on", due_on);   /* a deadline moved: the old timer finds it changed */
    else {
        entry = json_object();
        if (!entry)
            return enf_no_memory(ctx);
        pacta_jdoc_set_str(entry, "content_id", msg->content_id);
        pacta_jdoc_set_date(entry, "due_on", due_on);
        pacta_jdoc_set_date(entry, "delivered_on", PACTA_DATE_INVALID);
        if (s_track(contents, entry, "delivered_on") != 0)
            return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_CONFLICT, "content_id",
                                        "contract %s already awaits %d contents", msg->contract_id, TRACKED_MAX);
    }
    char summary[200], day[PACTA_DATE_STR_LEN];
    snprintf(summary, sizeof summary, "content %.60s awaited by %s", msg->content_id,
             pacta_handler_date_text(due_on, day, sizeof day));
    enf_audit_fact(ctx, summary, due_on, msg->contract_id);
    int rc = s_schedule(ctx, ENF_TIMER_CONTENT, "content_id", msg->content_id, due_on + 1);
    if (rc == 0)
        rc = pacta_handler_put_doc(ctx, DOC);
    return rc;
}

int
enf_on_content_timer(pacta_handler_ctx_t *ctx, const json_t *data, void *arg)
{
    (void) arg;
    json_t *doc = pacta_handler_doc(ctx, DOC);
    json_t *entry = pacta_jdoc_find(json_object_get(doc, "contents"), "content_id", pacta_jdoc_str(data, "content_id"));
    const pacta_date_t today = pacta_handler_today(ctx);
    if (!entry || pacta_date_is_valid(pacta_jdoc_date(entry, "delivered_on"))
        || pacta_jdoc_date(entry, "due_on") + 1 != today)
        return 0;   /* delivered, or a deadline since moved */
    const pacta_date_t ended_on = pacta_jdoc_date(doc, "ended_on");
    if (pacta_date_is_valid(ended_on) && today > ended_on)
        return 0;   /* the contract is over: nothing to suspend */
    const char *contract_id = pacta_jdoc_str(doc, "contract_id");
    pacta_contract_t contract;
    enf_contract_from_doc(doc, contract_id, &contract);
    pacta_content_t content;
    s_content_from(entry, &content);
    pacta_outcome_t *outcome = pacta_outcome_new();
    if (!outcome)
        return enf_no_memory(ctx);
    int rc = 0;
    if (rule_cc4_suspend_missing_content(pacta_handler_profile(ctx), &contract, &content, today, outcome) != 0) {
        rc = pacta_handler_refuse(ctx, INVALID_REASON, NULL, "CC-4 cannot evaluate content %s", content.id);
        goto cleanup;
    }
    const pacta_decision_t *suspend = pacta_outcome_find(outcome, PACTA_DECISION_SUSPEND);
    if (!suspend)
        goto cleanup;
    if (suspend->status == PACTA_DECISION_PROPOSAL)
        rc = enf_propose(ctx, doc, suspend, contract_id, today);
    else if (json_is_object(json_object_get(doc, "suspension"))) {
        char summary[200];
        snprintf(summary, sizeof summary, "content %.60s missing; the contract is already suspended (%s)", content.id,
                 contract.suspension_reason);
        enf_audit_fact(ctx, summary, today, contract_id);
    }
    else {
        rc = enf_apply_suspend(ctx, doc, suspend, contract_id, today);
        if (rc == 0)
            rc = pacta_handler_put_doc(ctx, DOC);
    }
cleanup:
    pacta_outcome_destroy(&outcome);
    return rc;
}

int
enf_on_content_delivered(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__ContentDelivered *msg = (const Pacta__V1__ContentDelivered *) payload;
    if (enf_check_entity(ctx, msg->contract_id) != 0 || pacta_handler_require_contract(ctx, msg->contract_id) != 0)
        return -1;
    json_t *doc = enf_doc(ctx, msg->contract_id);
    json_t *entry = pacta_jdoc_find(json_object_get(doc, "contents"), "content_id", msg->content_id);
    if (!entry)
        return pacta_handler_park(ctx, "the content's deadline (ContentDeadlineSet)");
    if (pacta_date_is_valid(pacta_jdoc_date(entry, "delivered_on")))
        return 0;
    const pacta_date_t delivered_on = pacta_handler_date(msg->delivered_on);
    pacta_jdoc_set_date(entry, "delivered_on", delivered_on);
    pacta_contract_t contract;
    enf_contract_from_doc(doc, msg->contract_id, &contract);
    pacta_content_t content;
    s_content_from(entry, &content);
    //  Delivered before the suspension began (the news came late): resume at once.
    if (pacta_date_is_valid(contract.suspended_since) && content.delivered_on < contract.suspended_since)
        content.delivered_on = contract.suspended_since;
    pacta_outcome_t *outcome = pacta_outcome_new();
    if (!outcome)
        return enf_no_memory(ctx);
    int rc = -1;
    if (rule_cc4_resume_on_content(pacta_handler_profile(ctx), &contract, &content, outcome) != 0) {
        pacta_handler_refuse(ctx, INVALID_REASON, "delivered_on", "CC-4 cannot evaluate this delivery");
        goto cleanup;
    }
    rc = 0;
    char summary[200], day[PACTA_DATE_STR_LEN];
    snprintf(summary, sizeof summary, "content %.60s delivered on %s", msg->content_id,
             pacta_handler_date_text(delivered_on, day, sizeof day));
    enf_audit_fact(ctx, summary, delivered_on, msg->contract_id);
    const pacta_decision_t *restore = pacta_outcome_find(outcome, PACTA_DECISION_RESTORE);
    const pacta_decision_t *lost = pacta_outcome_find(outcome, PACTA_DECISION_LOST_PERIOD);
    if (restore) {
        rc = enf_apply_restore(ctx, restore, msg->contract_id, "content", content.delivered_on);
        if (rc == 0 && lost)
            rc = enf_apply_lost_period(ctx, lost, msg->contract_id, "content", content.delivered_on);
        json_object_set_new(doc, "suspension", json_null());
        pacta_jdoc_set_str(doc, "state", "active");
    }
    if (rc == 0)
        rc = pacta_handler_put_doc(ctx, DOC);
    //  A suspension still proposed for this content no longer makes sense.
    if (rc == 0)
        rc = enf_withdraw_settled(ctx, doc, delivered_on);
cleanup:
    pacta_outcome_destroy(&outcome);
    return rc;
}

/* ---- CC-5: campaigns and their ad budget ------------------------------------------------------ */

static void
s_campaign_from(const json_t *entry, pacta_campaign_t *campaign)
{
    memset(campaign, 0, sizeof *campaign);
    snprintf(campaign->id, sizeof campaign->id, "%s", pacta_jdoc_str(entry, "campaign_id"));
    campaign->launch_on = pacta_jdoc_date(entry, "launch_on");
    campaign->budget_confirmed_on = pacta_jdoc_date(entry, "budget_confirmed_on");
}

/* FORFEIT: the campaign is lost for its period; CampaignLost emitted. */
static int
s_lost(pacta_handler_ctx_t *ctx, json_t *entry, const pacta_decision_t *forfeit, const char *contract_id,
       pacta_date_t today)
{
    const pacta_profile_t *profile = pacta_handler_profile(ctx);
    char decision_id[PACTA_DECIDE_ID_SIZE];
    pacta_decide_id(forfeit, contract_id, decision_id, sizeof decision_id);
    json_t *audit = pacta_decide_audit_entry(forfeit, profile, decision_id, "pacta.v1.CampaignLost", today);
    Pacta__V1__Explanation *why = pacta_decide_explanation_new(forfeit, profile, today);
    int rc = -1;
    if (!audit || !why) {
        enf_no_memory(ctx);
        goto cleanup;
    }
    pacta_handler_audit(ctx, audit);
    pacta_jdoc_set_str(entry, "state", "lost");
    pacta_jdoc_set_date(entry, "lost_on", forfeit->date);
    if (pacta_handler_put_doc(ctx, DOC) != 0)
        goto cleanup;
    Pacta__V1__Date launch = PACTA__V1__DATE__INIT, period = PACTA__V1__DATE__INIT;
    pacta_handler_set_date(&launch, pacta_jdoc_date(entry, "launch_on"));
    pacta_handler_set_date(&period, pacta_jdoc_date(entry, "period_ends_on"));
    Pacta__V1__CampaignLost msg = PACTA__V1__CAMPAIGN_LOST__INIT;
    msg.decision_id = decision_id;
    msg.contract_id = (char *) contract_id;
    msg.campaign_id = (char *) pacta_jdoc_str(entry, "campaign_id");
    msg.launch_on = &launch;
    msg.period_ends_on = pacta_date_is_valid(pacta_jdoc_date(entry, "period_ends_on")) ? &period : NULL;
    msg.explanation = why;
    rc = pacta_handler_emit(ctx, &msg.base, DECISION_KIND, NULL, NULL, NULL);
cleanup:
    pacta_decide_explanation_destroy(&why);
    json_decref(audit);
    return rc;
}

/* Runs CC-5 for the campaign on today and applies what it decides. */
static int
s_evaluate_campaign(pacta_handler_ctx_t *ctx, json_t *doc, json_t *entry, pacta_date_t today)
{
    const char *contract_id = pacta_jdoc_str(doc, "contract_id");
    pacta_contract_t contract;
    enf_contract_from_doc(doc, contract_id, &contract);
    pacta_campaign_t campaign;
    s_campaign_from(entry, &campaign);
    pacta_outcome_t *outcome = pacta_outcome_new();
    if (!outcome)
        return enf_no_memory(ctx);
    int rc = 0;
    if (rule_cc5_campaign_without_budget(pacta_handler_profile(ctx), &contract, &campaign, today, outcome) != 0) {
        rc = pacta_handler_refuse(ctx, INVALID_REASON, NULL, "CC-5 cannot evaluate campaign %s", campaign.id);
        goto cleanup;
    }
    const pacta_decision_t *release = pacta_outcome_find(outcome, PACTA_DECISION_RELEASE);
    const pacta_decision_t *forfeit = pacta_outcome_find(outcome, PACTA_DECISION_FORFEIT);
    if (release) {
        char decision_id[PACTA_DECIDE_ID_SIZE];
        pacta_decide_id(release, contract_id, decision_id, sizeof decision_id);
        json_t *audit = pacta_decide_audit_entry(release, pacta_handler_profile(ctx), decision_id, NULL, today);
        if (audit)
            pacta_handler_audit(ctx, audit);
        json_decref(audit);
        pacta_jdoc_set_str(entry, "state", "published");
        rc = pacta_handler_put_doc(ctx, DOC);
    }
    else if (forfeit)
        rc = s_lost(ctx, entry, forfeit, contract_id, today);
cleanup:
    pacta_outcome_destroy(&outcome);
    return rc;
}

int
enf_on_campaign_scheduled(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__CampaignScheduled *msg = (const Pacta__V1__CampaignScheduled *) payload;
    if (enf_check_entity(ctx, msg->contract_id) != 0 || pacta_handler_require_contract(ctx, msg->contract_id) != 0)
        return -1;
    if (strlen(msg->campaign_id) >= PACTA_REF_SIZE)
        return pacta_handler_refuse(ctx, INVALID_REASON, "campaign_id", "campaign_id: at most %d bytes",
                                    PACTA_REF_SIZE - 1);
    const pacta_date_t launch_on = pacta_handler_date(msg->launch_on);
    json_t *doc = enf_doc(ctx, msg->contract_id);
    json_t *campaigns = pacta_jdoc_array(doc, "campaigns");
    json_t *known = pacta_jdoc_find(campaigns, "campaign_id", msg->campaign_id);
    if (known) {
        if (pacta_jdoc_date(known, "launch_on") == launch_on)
            return 0;
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_CONFLICT, "launch_on",
                                    "campaign %s is scheduled for another launch day", msg->campaign_id);
    }
    json_t *entry = json_object();
    if (!entry)
        return enf_no_memory(ctx);
    pacta_jdoc_set_str(entry, "campaign_id", msg->campaign_id);
    pacta_jdoc_set_date(entry, "launch_on", launch_on);
    pacta_jdoc_set_date(entry, "period_ends_on",
                        msg->period_ends_on ? pacta_handler_date(msg->period_ends_on) : PACTA_DATE_INVALID);
    pacta_jdoc_set_date(entry, "budget_confirmed_on", PACTA_DATE_INVALID);
    pacta_jdoc_set_str(entry, "state", "scheduled");
    //  "settled" campaigns are those whose launch has been decided.
    pacta_jdoc_set_date(entry, "decided_on", PACTA_DATE_INVALID);
    if (s_track(campaigns, entry, "decided_on") != 0)
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_CONFLICT, "campaign_id",
                                    "contract %s already has %d campaigns scheduled", msg->contract_id, TRACKED_MAX);
    char summary[200], day[PACTA_DATE_STR_LEN];
    snprintf(summary, sizeof summary, "campaign %.60s to launch on %s; its ad budget must be confirmed by then",
             msg->campaign_id, pacta_handler_date_text(launch_on, day, sizeof day));
    enf_audit_fact(ctx, summary, launch_on, msg->contract_id);
    int rc = s_schedule(ctx, ENF_TIMER_CAMPAIGN, "campaign_id", msg->campaign_id, launch_on + 1);
    if (rc == 0)
        rc = pacta_handler_put_doc(ctx, DOC);
    return rc;
}

int
enf_on_ad_budget_confirmed(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__AdBudgetConfirmed *msg = (const Pacta__V1__AdBudgetConfirmed *) payload;
    if (enf_check_entity(ctx, msg->contract_id) != 0)
        return -1;
    if (msg->confirmed_at_ms <= 0)
        return pacta_handler_refuse(ctx, INVALID_REASON, "confirmed_at_ms", "confirmed_at_ms: required (an instant)");
    if (msg->budget && msg->budget->cents < 0)
        return pacta_handler_refuse(ctx, INVALID_REASON, "budget", "budget: must not be negative");
    if (pacta_handler_require_contract(ctx, msg->contract_id) != 0)
        return -1;
    json_t *doc = enf_doc(ctx, msg->contract_id);
    json_t *entry = pacta_jdoc_find(json_object_get(doc, "campaigns"), "campaign_id", msg->campaign_id);
    if (!entry)
        return pacta_handler_park(ctx, "the campaign (CampaignScheduled)");
    //  CC-5 counts Brussels days: the one place instants become dates.
    const pacta_date_t confirmed_on = pacta_date_from_instant(msg->confirmed_at_ms / 1000);
    if (pacta_date_is_valid(pacta_jdoc_date(entry, "budget_confirmed_on")))
        return 0;
    pacta_jdoc_set_date(entry, "budget_confirmed_on", confirmed_on);
    if (strcmp(pacta_jdoc_str(entry, "state"), "scheduled") != 0) {
        char summary[200];
        snprintf(summary, sizeof summary, "ad budget of campaign %.60s confirmed after it was %s", msg->campaign_id,
                 pacta_jdoc_str(entry, "state"));
        enf_audit_fact(ctx, summary, confirmed_on, msg->contract_id);
        return pacta_handler_put_doc(ctx, DOC);
    }
    pacta_jdoc_set_date(entry, "decided_on", confirmed_on);
    return s_evaluate_campaign(ctx, doc, entry, confirmed_on);
}

int
enf_on_campaign_timer(pacta_handler_ctx_t *ctx, const json_t *data, void *arg)
{
    (void) arg;
    json_t *doc = pacta_handler_doc(ctx, DOC);
    json_t *entry = pacta_jdoc_find(json_object_get(doc, "campaigns"), "campaign_id",
                                    pacta_jdoc_str(data, "campaign_id"));
    const pacta_date_t today = pacta_handler_today(ctx);
    if (!entry || strcmp(pacta_jdoc_str(entry, "state"), "scheduled") != 0
        || pacta_jdoc_date(entry, "launch_on") + 1 != today)
        return 0;   /* decided already */
    const pacta_date_t ended_on = pacta_jdoc_date(doc, "ended_on");
    if (pacta_date_is_valid(ended_on) && pacta_jdoc_date(entry, "launch_on") > ended_on)
        return 0;   /* launched after the contract ended: nothing is owed */
    pacta_jdoc_set_date(entry, "decided_on", today);
    return s_evaluate_campaign(ctx, doc, entry, today);
}
