/*  =========================================================================
    enf_terminate - SG-4c, SG-4d and CC-13: the terminations enforcement
    decides, and the force-majeure suspension

    Every handler rebuilds the plain structs the rules read from
    <prefix>:enforcement (the running suspension, the facts of a provider's
    default, the force-majeure event), calls the rule, and turns each
    decision into an audit entry, a document change and a message.

    Design decision: a termination is applied by contracts, not here.
    Enforcement emits Terminate (mode auto) or keeps a proposal whose
    approval emits it (mode propose, enf_proposals.c); contracts fixes the
    last day and ends the contract with its contract.end timer, as for
    every other end, and announces ContractEnded, which comes back here and
    closes what is pending. What the rule does not decide but the message
    must carry (the ground, who ends it, the written reasons) is kept with
    the proposal, so an approval never re-reads the request.

    Force majeure is evaluated on the legal dates the facts carry: the
    suspension on its first day, the restoration the day after its last,
    and the termination right by a timer on first day + the profile's days
    (day 31 for CapConnect), which finds the event still going on or not.
    =========================================================================
*/
#include "enf_terminate.h"
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
#include "rules_sg.h"

#define DOC "enforcement"
#define INVALID_REASON PACTA__V1__NACK_REASON__NACK_REASON_INVALID
#define CONFLICT_REASON PACTA__V1__NACK_REASON__NACK_REASON_CONFLICT
#define DECISION_KIND PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_DECISION
#define DESCRIPTION_MAX 60               /* bytes of a force-majeure description kept (it names the event) */

/* ---- helpers ---------------------------------------------------------------------------------- */

/* The `key` facts an earlier message recorded in the enforcement document
   (in *doc_out); or NULL with the handler's answer in *answer: -1 after a
   refusal (entity_key, unknown contract), or parked until `awaited`
   arrives. */
static json_t *
s_recorded_facts(pacta_handler_ctx_t *ctx, const char *contract_id, const char *key, const char *awaited,
                 json_t **doc_out, int *answer)
{
    *doc_out = NULL;
    *answer = -1;
    if (enf_check_entity(ctx, contract_id) != 0 || pacta_handler_require_contract(ctx, contract_id) != 0)
        return NULL;
    *doc_out = enf_doc(ctx, contract_id);
    json_t *facts = json_object_get(*doc_out, key);
    if (!json_is_object(facts)) {
        *answer = pacta_handler_park(ctx, awaited);
        return NULL;
    }
    return facts;
}

static pacta_date_t
s_value_date(const pacta_decision_t *decision, const char *name)
{
    const pacta_value_t *value = pacta_explanation_find(&decision->explanation, name);
    return value && value->type == PACTA_VALUE_DATE ? value->as.date : PACTA_DATE_INVALID;
}

/* A termination of a contract over or already terminated is refused
   (CONFLICT naming contract_id): -1; else 0. */
static int
s_check_terminable(pacta_handler_ctx_t *ctx, const json_t *doc, const char *contract_id, pacta_date_t on)
{
    const pacta_date_t ended_on = pacta_jdoc_date(doc, "ended_on");
    char day[PACTA_DATE_STR_LEN];
    if (pacta_date_is_valid(ended_on) && on > ended_on)
        return pacta_handler_refuse(ctx, CONFLICT_REASON, "contract_id", "contract %s ended on %s", contract_id,
                                    pacta_handler_date_text(ended_on, day, sizeof day));
    const json_t *termination = json_object_get(doc, "termination");
    if (json_is_object(termination))
        return pacta_handler_refuse(ctx, CONFLICT_REASON, "contract_id", "contract %s is already terminated (%s)",
                                    contract_id, pacta_jdoc_str(termination, "decision_id"));
    return 0;
}

/* A NoticeDelivery as the rules read a letter (rules.md §0.8). */
static void
s_letter_from(const Pacta__V1__NoticeDelivery *notice, const char *ref, pacta_letter_t *letter)
{
    memset(letter, 0, sizeof *letter);
    snprintf(letter->id, sizeof letter->id, "%s", notice->reference ? notice->reference : "");
    snprintf(letter->ref, sizeof letter->ref, "%s", ref);
    letter->from = PACTA_FROM_CLIENT;
    letter->sent_on = pacta_handler_date(notice->sent_on);
    letter->proven_received_on = notice->received_on ? pacta_handler_date(notice->received_on) : PACTA_DATE_INVALID;
    switch (notice->channel) {
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

/* ---- decisions -> effect ---------------------------------------------------------------------- */

/* A refusal: audited, TerminationRefused emitted with its sentence. */
static int
s_refused(pacta_handler_ctx_t *ctx, const pacta_decision_t *refuse, const char *contract_id,
          Pacta__V1__TerminationCause cause, pacta_date_t today)
{
    const pacta_profile_t *profile = pacta_handler_profile(ctx);
    char decision_id[PACTA_DECIDE_ID_SIZE];
    pacta_decide_id(refuse, contract_id, decision_id, sizeof decision_id);
    json_t *entry = pacta_decide_audit_entry(refuse, profile, decision_id, "pacta.v1.TerminationRefused", today);
    Pacta__V1__Explanation *why = pacta_decide_explanation_new(refuse, profile, today);
    int rc = -1;
    if (!entry || !why) {
        enf_no_memory(ctx);
        goto cleanup;
    }
    pacta_handler_audit(ctx, entry);
    Pacta__V1__Date possible = PACTA__V1__DATE__INIT;
    pacta_handler_set_date(&possible, refuse->date);
    Pacta__V1__TerminationRefused msg = PACTA__V1__TERMINATION_REFUSED__INIT;
    msg.decision_id = decision_id;
    msg.contract_id = (char *) contract_id;
    msg.cause = cause;
    msg.reason = (char *) pacta_jdoc_str(entry, "sentence_en");
    msg.possible_from = pacta_date_is_valid(refuse->date) ? &possible : NULL;
    msg.explanation = why;
    rc = pacta_handler_emit(ctx, &msg.base, DECISION_KIND, NULL, NULL, NULL);
cleanup:
    pacta_decide_explanation_destroy(&why);
    json_decref(entry);
    return rc;
}

/* A TERMINATE decision: a proposal for the operator (mode propose), or
   Terminate emitted at once with the termination recorded in doc. */
static int
s_terminate(pacta_handler_ctx_t *ctx, json_t *doc, const pacta_decision_t *decision, const char *contract_id,
            Pacta__V1__TerminationCause cause, Pacta__V1__PartyRole by, bool without_indemnity, const char *reasons,
            pacta_date_t today)
{
    if (decision->status == PACTA_DECISION_PROPOSAL) {
        json_t *extra = json_pack("{s:I, s:I, s:b, s:s}", "cause", (json_int_t) cause, "terminated_by",
                                  (json_int_t) by, "without_indemnity", without_indemnity, "reasons",
                                  reasons ? reasons : "");
        if (!extra)
            return enf_no_memory(ctx);
        int rc = enf_propose_with(ctx, doc, decision, contract_id, today, extra);
        json_decref(extra);
        return rc;
    }
    const pacta_profile_t *profile = pacta_handler_profile(ctx);
    char decision_id[PACTA_DECIDE_ID_SIZE];
    pacta_decide_id(decision, contract_id, decision_id, sizeof decision_id);
    json_t *entry = pacta_decide_audit_entry(decision, profile, decision_id, "pacta.v1.Terminate", today);
    json_t *termination = json_object();
    Pacta__V1__Explanation *why = pacta_decide_explanation_new(decision, profile, today);
    int rc = -1;
    if (!entry || !termination || !why) {
        json_decref(termination);
        enf_no_memory(ctx);
        goto cleanup;
    }
    pacta_handler_audit(ctx, entry);
    pacta_jdoc_set_str(termination, "decision_id", decision_id);
    pacta_jdoc_set_date(termination, "effective_on", decision->date);
    json_object_set_new(doc, "termination", termination);
    if (pacta_handler_put_doc(ctx, DOC) != 0)
        goto cleanup;
    Pacta__V1__Date effective = PACTA__V1__DATE__INIT;
    pacta_handler_set_date(&effective, decision->date);
    Pacta__V1__Terminate msg = PACTA__V1__TERMINATE__INIT;
    msg.decision_id = decision_id;
    msg.contract_id = (char *) contract_id;
    msg.cause = cause;
    msg.terminated_by = by;
    msg.effective_on = &effective;
    msg.without_indemnity = without_indemnity;
    msg.reasons = (char *) (reasons ? reasons : "");
    msg.explanation = why;
    rc = pacta_handler_emit(ctx, &msg.base, DECISION_KIND, NULL, NULL, NULL);
cleanup:
    pacta_decide_explanation_destroy(&why);
    json_decref(entry);
    return rc;
}

/* Turns the outcome of a termination rule into its effect. */
static int
s_apply_outcome(pacta_handler_ctx_t *ctx, json_t *doc, const pacta_outcome_t *outcome, const char *contract_id,
                Pacta__V1__TerminationCause cause, Pacta__V1__PartyRole by, bool without_indemnity,
                const char *reasons, pacta_date_t today)
{
    int rc = 0;
    for (size_t i = 0; i < outcome->count && rc == 0; i++) {
        const pacta_decision_t *decision = &outcome->items[i];
        if (decision->kind == PACTA_DECISION_REFUSE)
            rc = s_refused(ctx, decision, contract_id, cause, today);
        else if (decision->kind == PACTA_DECISION_TERMINATE)
            rc = s_terminate(ctx, doc, decision, contract_id, cause, by, without_indemnity, reasons, today);
    }
    return rc;
}

/* ---- SG-4c: the provider ends the contract for cause ------------------------------------------ */

static unsigned
s_ground(Pacta__V1__TerminationCause cause)
{
    switch (cause) {
        case PACTA__V1__TERMINATION_CAUSE__TERMINATION_CAUSE_BANKRUPTCY: return PACTA_GROUND_BANKRUPTCY;
        case PACTA__V1__TERMINATION_CAUSE__TERMINATION_CAUSE_INDEPENDENCE_THREAT:
            return PACTA_GROUND_INDEPENDENCE_AT_RISK;
        case PACTA__V1__TERMINATION_CAUSE__TERMINATION_CAUSE_SERIOUS_BREACH: return PACTA_GROUND_SERIOUS_BREACH;
        default: break;
    }
    return 0;   /* any other ground: SG-4c refuses it */
}

int
enf_on_termination_for_cause(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__TerminationForCauseRequested *msg = (const Pacta__V1__TerminationForCauseRequested *) payload;
    if (enf_check_entity(ctx, msg->contract_id) != 0 || pacta_handler_require_contract(ctx, msg->contract_id) != 0)
        return -1;
    const pacta_date_t recorded_on = pacta_handler_date(msg->requested_on);
    json_t *doc = enf_doc(ctx, msg->contract_id);
    if (s_check_terminable(ctx, doc, msg->contract_id, recorded_on) != 0)
        return -1;
    const pacta_profile_t *profile = pacta_handler_profile(ctx);
    pacta_contract_t contract;
    enf_contract_from_doc(doc, msg->contract_id, &contract);
    pacta_outcome_t *outcome = pacta_outcome_new();
    if (!outcome)
        return enf_no_memory(ctx);
    int rc = -1;
    if (rule_sg4c_terminate_for_cause(profile, &contract, s_ground(msg->cause), recorded_on, outcome) != 0) {
        pacta_handler_refuse(ctx, INVALID_REASON, "requested_on", "SG-4c cannot evaluate this request");
        goto cleanup;
    }
    if (outcome->count == 0) {
        enf_audit_fact(ctx, "termination for cause requested; no clause of the tenant's terms applies", recorded_on,
                     msg->contract_id);
        rc = 0;
        goto cleanup;
    }
    rc = s_apply_outcome(ctx, doc, outcome, msg->contract_id, msg->cause, PACTA__V1__PARTY_ROLE__PARTY_ROLE_PROVIDER,
                         false, msg->reasons, recorded_on);
cleanup:
    pacta_outcome_destroy(&outcome);
    return rc;
}

/* ---- SG-4d: the client ends the contract for the provider's default --------------------------- */

int
enf_on_provider_default_notified(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__ProviderDefaultNotified *msg = (const Pacta__V1__ProviderDefaultNotified *) payload;
    if (enf_check_entity(ctx, msg->contract_id) != 0 || s_check_notice(ctx, msg->notice) != 0)
        return -1;
    const pacta_date_t sent_on = pacta_handler_date(msg->notice->sent_on);
    const pacta_date_t remedy_by = pacta_handler_date(msg->remedy_by);
    if (remedy_by < sent_on)
        return pacta_handler_refuse(ctx, INVALID_REASON, "remedy_by", "remedy_by: before notice.sent_on");
    if (pacta_handler_require_contract(ctx, msg->contract_id) != 0)
        return -1;
    json_t *doc = enf_doc(ctx, msg->contract_id);
    json_t *known = json_object_get(doc, "provider_default");
    if (json_is_object(known) && pacta_jdoc_date(known, "notice_sent_on") == sent_on
        && pacta_jdoc_date(known, "remedy_by") == remedy_by)
        return 0;   /* the same formal notice again */
    json_t *facts = json_object();
    if (!facts)
        return enf_no_memory(ctx);
    pacta_jdoc_set_date(facts, "notice_sent_on", sent_on);
    pacta_jdoc_set_date(facts, "remedy_by", remedy_by);
    pacta_jdoc_set_date(facts, "remedied_on", PACTA_DATE_INVALID);
    json_object_set_new(doc, "provider_default", facts);
    char summary[200], day[PACTA_DATE_STR_LEN], until[PACTA_DATE_STR_LEN];
    snprintf(summary, sizeof summary, "formal notice to the provider sent %s, giving it until %s to perform",
             pacta_handler_date_text(sent_on, day, sizeof day), pacta_handler_date_text(remedy_by, until, sizeof until));
    enf_audit_fact(ctx, summary, sent_on, msg->contract_id);
    return pacta_handler_put_doc(ctx, DOC);
}

int
enf_on_provider_default_remedied(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__ProviderDefaultRemedied *msg = (const Pacta__V1__ProviderDefaultRemedied *) payload;
    json_t *doc = NULL;
    int answer = -1;
    json_t *facts = s_recorded_facts(ctx, msg->contract_id, "provider_default",
                                     "the formal notice it remedies (ProviderDefaultNotified)", &doc, &answer);
    if (!facts)
        return answer;
    const pacta_date_t remedied_on = pacta_handler_date(msg->remedied_on);
    if (pacta_jdoc_date(facts, "remedied_on") == remedied_on)
        return 0;
    pacta_jdoc_set_date(facts, "remedied_on", remedied_on);
    enf_audit_fact(ctx, "the provider remedied the default named in the formal notice", remedied_on, msg->contract_id);
    return pacta_handler_put_doc(ctx, DOC);
}

int
enf_on_termination_for_provider_default(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__TerminationForProviderDefaultRequested *msg =
        (const Pacta__V1__TerminationForProviderDefaultRequested *) payload;
    if (enf_check_entity(ctx, msg->contract_id) != 0 || s_check_notice(ctx, msg->notice) != 0
        || pacta_handler_require_contract(ctx, msg->contract_id) != 0)
        return -1;
    const pacta_profile_t *profile = pacta_handler_profile(ctx);
    pacta_letter_t letter;
    s_letter_from(msg->notice, msg->contract_id, &letter);
    const pacta_date_t received_on = pacta_letter_received_on(profile, &letter);
    json_t *doc = enf_doc(ctx, msg->contract_id);
    if (s_check_terminable(ctx, doc, msg->contract_id, received_on) != 0)
        return -1;
    //  Who caused the default is a judgement the rule leaves to the
    //  operator (SG-4d is in mode propose): Pacta does not assume it.
    const json_t *known = json_object_get(doc, "provider_default");
    const pacta_date_t remedied_on = pacta_jdoc_date(known, "remedied_on");
    pacta_provider_default_t facts = {
        .formal_notice_sent_on = json_is_object(known) ? pacta_jdoc_date(known, "notice_sent_on") : PACTA_DATE_INVALID,
        .cure_by = json_is_object(known) ? pacta_jdoc_date(known, "remedy_by") : PACTA_DATE_INVALID,
        .still_in_default = !(pacta_date_is_valid(remedied_on) && remedied_on <= received_on),
        .caused_by_client = false,
    };
    pacta_contract_t contract;
    enf_contract_from_doc(doc, msg->contract_id, &contract);
    pacta_outcome_t *outcome = pacta_outcome_new();
    if (!outcome)
        return enf_no_memory(ctx);
    int rc = -1;
    if (rule_sg4d_terminate_for_provider_default(profile, &contract, &facts, received_on, outcome) != 0) {
        pacta_handler_refuse(ctx, INVALID_REASON, "notice.sent_on", "SG-4d cannot evaluate this termination");
        goto cleanup;
    }
    if (outcome->count == 0) {
        enf_audit_fact(ctx, "termination for the provider's default received; no clause of the tenant's terms applies",
                     received_on, msg->contract_id);
        rc = 0;
        goto cleanup;
    }
    rc = s_apply_outcome(ctx, doc, outcome, msg->contract_id,
                         PACTA__V1__TERMINATION_CAUSE__TERMINATION_CAUSE_PROVIDER_DEFAULT,
                         PACTA__V1__PARTY_ROLE__PARTY_ROLE_CLIENT, true, "", received_on);
cleanup:
    pacta_outcome_destroy(&outcome);
    return rc;
}

/* ---- CC-13: force majeure --------------------------------------------------------------------- */

/* Copies at most size - 1 bytes of text into buf, cut before a UTF-8
   sequence that would not fit whole. */
static void
s_cut_utf8(const char *text, char *buf, size_t size)
{
    size_t length = strlen(text);
    if (length >= size) {
        length = size - 1;
        //  Back to the first byte of the last sequence, then keep it only
        //  when all its bytes fit.
        size_t start = length;
        while (start > 0 && ((unsigned char) text[start] & 0xC0) == 0x80)
            start--;
        length = start;
    }
    memcpy(buf, text, length);
    buf[length] = '\0';
}

/* The event as CC-13 reads it, from the document. */
static void
s_event(const json_t *facts, pacta_force_majeure_event_t *event)
{
    memset(event, 0, sizeof *event);
    const char *description = pacta_jdoc_str(facts, "description");
    char day[PACTA_DATE_STR_LEN];
    if (*description)
        snprintf(event->id, sizeof event->id, "%s", description);
    else
        snprintf(event->id, sizeof event->id, "of %s",
                 pacta_handler_date_text(pacta_jdoc_date(facts, "started_on"), day, sizeof day));
    event->started_on = pacta_jdoc_date(facts, "started_on");
    event->ended_on = pacta_jdoc_date(facts, "ended_on");
}

static int
s_schedule_right(pacta_handler_ctx_t *ctx, pacta_date_t started_on, pacta_date_t right_from)
{
    char id[320], started[PACTA_DATE_STR_LEN], day[PACTA_DATE_STR_LEN];
    pacta_handler_date_text(started_on, started, sizeof started);
    if (snprintf(id, sizeof id, "%s/%s/%s/%s", pacta_handler_entity_key(ctx), ENF_TIMER_FORCE_MAJEURE, started,
                 pacta_handler_date_text(right_from, day, sizeof day))
        >= (int) sizeof id)
        return pacta_handler_refuse(ctx, INVALID_REASON, "contract_id", "contract_id: too long for a timer id");
    json_t *data = json_pack("{s:s}", "started_on", started);
    int rc = data ? pacta_handler_schedule_timer(ctx, id, right_from, ENF_TIMER_FORCE_MAJEURE, data)
                  : enf_no_memory(ctx);
    json_decref(data);
    return rc;
}

int
enf_on_force_majeure_started(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__ForceMajeureStarted *msg = (const Pacta__V1__ForceMajeureStarted *) payload;
    if (enf_check_entity(ctx, msg->contract_id) != 0 || pacta_handler_require_contract(ctx, msg->contract_id) != 0)
        return -1;
    const pacta_date_t started_on = pacta_handler_date(msg->started_on);
    json_t *doc = enf_doc(ctx, msg->contract_id);
    json_t *known = json_object_get(doc, "force_majeure");
    char day[PACTA_DATE_STR_LEN];
    if (json_is_object(known)) {
        if (pacta_jdoc_date(known, "started_on") == started_on)
            return 0;   /* the same event again */
        if (!pacta_date_is_valid(pacta_jdoc_date(known, "ended_on")))
            return pacta_handler_refuse(ctx, CONFLICT_REASON, "started_on",
                                        "a force majeure event since %s is still going on",
                                        pacta_handler_date_text(pacta_jdoc_date(known, "started_on"), day, sizeof day));
    }
    json_t *facts = json_object();
    if (!facts)
        return enf_no_memory(ctx);
    pacta_jdoc_set_date(facts, "started_on", started_on);
    pacta_jdoc_set_date(facts, "ended_on", PACTA_DATE_INVALID);
    char description[DESCRIPTION_MAX + 1];
    s_cut_utf8(msg->description ? msg->description : "", description, sizeof description);
    pacta_jdoc_set_str(facts, "description", description);
    json_object_set_new(doc, "force_majeure", facts);

    const pacta_profile_t *profile = pacta_handler_profile(ctx);
    pacta_contract_t contract;
    enf_contract_from_doc(doc, msg->contract_id, &contract);
    pacta_force_majeure_event_t event;
    s_event(facts, &event);
    pacta_outcome_t *outcome = pacta_outcome_new();
    if (!outcome)
        return enf_no_memory(ctx);
    int rc = -1;
    if (rule_cc13_force_majeure(profile, &contract, &event, started_on, outcome) != 0) {
        pacta_handler_refuse(ctx, INVALID_REASON, "started_on", "CC-13 cannot evaluate this event");
        goto cleanup;
    }
    rc = 0;
    if (outcome->count == 0)
        enf_audit_fact(ctx, "force majeure recorded; no clause of the tenant's terms applies", started_on,
                     msg->contract_id);
    for (size_t i = 0; i < outcome->count && rc == 0; i++) {
        const pacta_decision_t *decision = &outcome->items[i];
        if (decision->kind == PACTA_DECISION_SUSPEND) {
            if (json_is_object(json_object_get(doc, "suspension"))) {
                //  Already suspended for another reason: performance stays
                //  suspended; that suspension's restoration rules go on.
                char summary[200];
                snprintf(summary, sizeof summary, "force majeure from %s: the contract is already suspended (%s)",
                         pacta_handler_date_text(started_on, day, sizeof day), contract.suspension_reason);
                enf_audit_fact(ctx, summary, started_on, msg->contract_id);
            }
            else
                rc = enf_apply_suspend(ctx, doc, decision, msg->contract_id, started_on);
            const pacta_date_t right_from = s_value_date(decision, "termination_right_from");
            if (rc == 0 && pacta_date_is_valid(right_from))
                rc = s_schedule_right(ctx, started_on, right_from);
        }
        else if (decision->kind == PACTA_DECISION_TERMINATE)
            rc = s_terminate(ctx, doc, decision, msg->contract_id,
                             PACTA__V1__TERMINATION_CAUSE__TERMINATION_CAUSE_FORCE_MAJEURE,
                             PACTA__V1__PARTY_ROLE__PARTY_ROLE_PROVIDER, true, "", started_on);
    }
    if (rc == 0)
        rc = pacta_handler_put_doc(ctx, DOC);
cleanup:
    pacta_outcome_destroy(&outcome);
    return rc;
}

int
enf_on_force_majeure_ended(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__ForceMajeureEnded *msg = (const Pacta__V1__ForceMajeureEnded *) payload;
    json_t *doc = NULL;
    int answer = -1;
    json_t *facts = s_recorded_facts(ctx, msg->contract_id, "force_majeure",
                                     "the force majeure it ends (ForceMajeureStarted)", &doc, &answer);
    if (!facts)
        return answer;
    const pacta_date_t ended_on = pacta_handler_date(msg->ended_on);
    if (ended_on < pacta_jdoc_date(facts, "started_on"))
        return pacta_handler_refuse(ctx, INVALID_REASON, "ended_on", "ended_on: before the event's started_on");
    if (pacta_jdoc_date(facts, "ended_on") == ended_on)
        return 0;
    pacta_jdoc_set_date(facts, "ended_on", ended_on);
    const pacta_profile_t *profile = pacta_handler_profile(ctx);
    pacta_contract_t contract;
    enf_contract_from_doc(doc, msg->contract_id, &contract);
    pacta_force_majeure_event_t event;
    s_event(facts, &event);
    const pacta_date_t today = ended_on + 1;   /* performance resumes the day after the last day */
    pacta_outcome_t *outcome = pacta_outcome_new();
    if (!outcome)
        return enf_no_memory(ctx);
    int rc = -1;
    if (rule_cc13_force_majeure(profile, &contract, &event, today, outcome) != 0) {
        pacta_handler_refuse(ctx, INVALID_REASON, "ended_on", "CC-13 cannot evaluate this event");
        goto cleanup;
    }
    rc = 0;
    const pacta_decision_t *restore = pacta_outcome_find(outcome, PACTA_DECISION_RESTORE);
    if (restore && restore->status == PACTA_DECISION_APPLY) {
        rc = enf_apply_restore(ctx, restore, msg->contract_id, "force_majeure", today);
        json_object_set_new(doc, "suspension", json_null());
        pacta_jdoc_set_str(doc, "state", "active");
    }
    else
        enf_audit_fact(ctx, "force majeure ended; no suspension of it to restore", ended_on, msg->contract_id);
    if (rc == 0)
        rc = pacta_handler_put_doc(ctx, DOC);
cleanup:
    pacta_outcome_destroy(&outcome);
    return rc;
}

int
enf_on_force_majeure_timer(pacta_handler_ctx_t *ctx, const json_t *data, void *arg)
{
    (void) arg;
    json_t *doc = pacta_handler_doc(ctx, DOC);
    json_t *facts = json_object_get(doc, "force_majeure");
    const pacta_date_t today = pacta_handler_today(ctx);
    if (!json_is_object(facts) || pacta_jdoc_date(facts, "started_on") != pacta_jdoc_date(data, "started_on"))
        return 0;   /* another event than the one this timer watched */
    if (pacta_date_is_valid(pacta_jdoc_date(doc, "ended_on")) || json_object_get(doc, "termination"))
        return 0;   /* the contract is over or being ended already */
    const char *contract_id = pacta_jdoc_str(doc, "contract_id");
    const pacta_profile_t *profile = pacta_handler_profile(ctx);
    pacta_contract_t contract;
    enf_contract_from_doc(doc, contract_id, &contract);
    pacta_force_majeure_event_t event;
    s_event(facts, &event);
    pacta_outcome_t *outcome = pacta_outcome_new();
    if (!outcome)
        return enf_no_memory(ctx);
    int rc = 0;
    if (rule_cc13_force_majeure(profile, &contract, &event, today, outcome) != 0) {
        rc = pacta_handler_refuse(ctx, INVALID_REASON, NULL, "CC-13 cannot evaluate the event of contract %s",
                                  contract_id);
        goto cleanup;
    }
    //  Only the termination right is this timer's business: the
    //  suspension was decided on the first day.
    const pacta_decision_t *terminate = pacta_outcome_find(outcome, PACTA_DECISION_TERMINATE);
    if (terminate)
        rc = s_terminate(ctx, doc, terminate, contract_id, PACTA__V1__TERMINATION_CAUSE__TERMINATION_CAUSE_FORCE_MAJEURE,
                         PACTA__V1__PARTY_ROLE__PARTY_ROLE_PROVIDER, true, "", today);
cleanup:
    pacta_outcome_destroy(&outcome);
    return rc;
}
