/*  =========================================================================
    gdpr_handlers - what gdpr-retention does with the messages and timers
    it owns

    Personal data: PersonalDataRecorded (entity s:<subject>) seals the
    fields per category into the subject's vault document; the plaintext
    exists only in this process's memory, never in Redis, logs, audit
    entries or refusal details (which name fields, never values).

    Retention (CC-12, SG-11, L-5), in three hops because one Lua script
    touches one entity (docs/state.md §1, §6):
      1. ContractEnded (entity c:<contract>): the rules core computes the
         schedule; gdpr-retention keeps it in its own document
         P:retention of the contract, owes one timer per archive/erase
         decision on the contract's entity, and links the contract's last
         day into the subject's slot (HSET {s:..}:contracts, an owed
         follow-up) -- ContractSigned links the running contract the same
         way.
      2. timer retention.expired (entity c:<contract>): emits
         RetentionExpired{subject, contract, category, stage} on the
         subject's entity s:<subject>, with the rule's explanation.
      3. RetentionExpired (entity s:<subject>): archives (restricted) or
         erases the category in the vault document -- erasing the last
         sealed category destroys the subject key -- and emits
         DataArchived / DataErased citing the same rule. Identity and
         contact data are not erased while another contract of the subject
         is still running (the erasure is recorded as not applied).
    =========================================================================
*/
#include "gdpr_handlers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gdpr_dsr.h"
#include "pacta/v1/contracts.pb-c.h"
#include "pacta/v1/gdpr.pb-c.h"
#include "pacta_decide.h"
#include "pacta_facts.h"
#include "pacta_jdoc.h"
#include "rules_retention.h"

#define VAULT PACTA_VAULT_DOC
#define RETENTION "retention"
#define RETENTION_TIMER "retention.expired"
#define CONTRACTS_SUFFIX "contracts"        /* {s:<subject>}:contracts HASH contract id -> JSON */
#define SUBJECT_MAX 128                     /* longest subject id */
#define CATEGORY_COUNT 5                    /* pacta.v1.PersonalDataCategory 1..5 */

typedef struct {
    pacta_vault_t *vault;                   /* borrowed; NULL = no vault configured */
} gdpr_state_t;

static gdpr_state_t s_state;

void
gdpr_handlers_use_vault(pacta_vault_t *vault)
{
    s_state.vault = vault;
}

pacta_vault_t *
gdpr_handlers_vault(void)
{
    return s_state.vault;
}

/* ---- helpers --------------------------------------------------------------- */

static int
s_check_subject_entity(pacta_handler_ctx_t *ctx, const char *subject_id)
{
    if (strlen(subject_id) > SUBJECT_MAX)
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_INVALID, "subject_id",
                                    "subject_id is longer than %d characters", SUBJECT_MAX);
    return pacta_facts_check_entity(ctx, 's', subject_id, "subject_id");
}

/* Appends "name" to a comma-separated list in buf. */
static void
s_list_add(char *buf, size_t size, const char *name)
{
    size_t used = strlen(buf);
    if (used < size)
        snprintf(buf + used, size - used, "%s%s", used ? "," : "", name);
}

static void
s_audit_fact(pacta_handler_ctx_t *ctx, const char *summary, pacta_date_t date, const char *ref,
             const char *categories)
{
    char day[PACTA_DATE_STR_LEN];
    json_t *entry = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "entry", "fact", "message_type",
                              pacta_handler_cause_type(ctx), "summary", summary, "date",
                              pacta_handler_date_text(date, day, sizeof day), "ref", ref, "categories", categories);
    if (entry)
        pacta_handler_audit(ctx, entry);
    json_decref(entry);
}

/* The retention schedule of profile after a contract ending on last_day. */
static int
s_schedule(const pacta_profile_t *profile, pacta_date_t last_day, pacta_outcome_t *out)
{
    pacta_outcome_init(out);
    if (strncmp(profile->data_retention.rule.id, "SG-", 3) == 0)
        return rule_sg11_erase_after_retention(profile, last_day, out);
    return rule_cc12_archive_after_contract(profile, last_day, out);
}

/* ---- PersonalDataRecorded ---------------------------------------------------- */

static int
s_on_personal_data(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    gdpr_state_t *state = arg;
    const Pacta__V1__PersonalDataRecorded *msg = (const Pacta__V1__PersonalDataRecorded *) payload;
    if (s_check_subject_entity(ctx, msg->subject_id) != 0)
        return -1;
    json_t *by_category[CATEGORY_COUNT + 1] = {NULL};
    char categories[96] = "";
    char names[512] = "";
    int rc = -1;
    for (size_t i = 0; i < msg->n_fields; i++) {
        const Pacta__V1__PersonalField *field = msg->fields[i];
        char path[48];
        const char *category = pacta_vault_category_name(field->category);
        if (!category) {
            snprintf(path, sizeof path, "fields[%zu].category", i);
            pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_INVALID, path,
                                 "a personal data field needs a category");
            goto cleanup;
        }
        if (!field->name || !*field->name || strlen(field->name) > 64) {
            snprintf(path, sizeof path, "fields[%zu].name", i);
            pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_INVALID, path,
                                 "a personal data field needs a name of 1 to 64 characters");
            goto cleanup;
        }
        if (!by_category[field->category]) {
            by_category[field->category] = json_object();
            s_list_add(categories, sizeof categories, category);
        }
        json_object_set_new(by_category[field->category], field->name, json_string(field->value ? field->value : ""));
        s_list_add(names, sizeof names, field->name);
    }
    if (!state->vault) {
        pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_RETRY_LATER, NULL,
                             "gdpr-retention has no vault master key configured");
        goto cleanup;
    }
    json_t *vault = pacta_handler_doc(ctx, VAULT);
    for (int c = 1; c <= CATEGORY_COUNT; c++) {
        if (!by_category[c])
            continue;
        char err[256];
        if (pacta_vault_doc_record(state->vault, vault, pacta_handler_tenant(ctx), msg->subject_id,
                                   pacta_vault_category_name(c), by_category[c], err, sizeof err)
            != 0) {
            pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_INTERNAL, NULL,
                                 "the vault of the subject cannot take the data: %s", err);
            goto cleanup;
        }
    }
    if (msg->contract_id && *msg->contract_id) {
        json_t *contracts = json_object_get(vault, "contracts");
        if (!json_is_object(contracts)) {
            contracts = json_object();
            json_object_set_new(vault, "contracts", contracts);
        }
        if (!json_object_get(contracts, msg->contract_id))
            json_object_set_new(contracts, msg->contract_id, json_object());
    }
    char summary[700];
    snprintf(summary, sizeof summary, "personal data recorded (%s): %s", categories, names);
    s_audit_fact(ctx, summary, pacta_handler_date(msg->recorded_on), msg->subject_id, categories);
    rc = pacta_handler_put_doc(ctx, VAULT);
cleanup:
    for (int c = 0; c <= CATEGORY_COUNT; c++)
        json_decref(by_category[c]);
    return rc;
}

/* ---- ContractSigned, ContractEnded ----------------------------------------- */

static int
s_on_contract_signed(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__ContractSigned *msg = (const Pacta__V1__ContractSigned *) payload;
    if (pacta_facts_check_entity(ctx, 'c', msg->contract_id, "contract_id") != 0)
        return -1;
    const char *subject = msg->client ? msg->client->subject_id : NULL;
    if (!subject || !*subject || strlen(subject) > SUBJECT_MAX)
        return 0;   /* no data subject: nothing to retain */
    char subject_key[SUBJECT_MAX + 8];
    snprintf(subject_key, sizeof subject_key, "s:%s", subject);
    char value[96], day[PACTA_DATE_STR_LEN];
    snprintf(value, sizeof value, "{\"signed_on\":\"%s\"}",
             pacta_handler_date_text(pacta_handler_date(msg->signed_on), day, sizeof day));
    return pacta_handler_link(ctx, subject_key, CONTRACTS_SUFFIX, msg->contract_id, value);
}

static void
s_timer_id(const char *entity_key, const char *category, const char *action, pacta_date_t on, char *buf, size_t size)
{
    char day[PACTA_DATE_STR_LEN];
    snprintf(buf, size, "%s/%s/%s/%s/%s", entity_key, RETENTION_TIMER, category, action,
             pacta_date_format(on, day, sizeof day));
}

static int
s_on_contract_ended(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__ContractEnded *msg = (const Pacta__V1__ContractEnded *) payload;
    if (pacta_facts_check_entity(ctx, 'c', msg->contract_id, "contract_id") != 0)
        return -1;
    if (!msg->subject_id || !*msg->subject_id)
        return 0;   /* no data subject: nothing to retain */
    if (strlen(msg->subject_id) > SUBJECT_MAX)
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_INVALID, "subject_id",
                                    "subject_id is longer than %d characters", SUBJECT_MAX);
    const pacta_profile_t *profile = pacta_handler_profile(ctx);
    pacta_date_t last_day = pacta_handler_date(msg->ended_on);
    pacta_outcome_t *outcome = pacta_outcome_new();
    int rc = -1;
    if (!outcome)
        return -1;
    if (s_schedule(profile, last_day, outcome) != 0) {
        pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_INVALID, "ended_on",
                             "no retention schedule can be computed from this last day");
        goto cleanup;
    }
    json_t *doc = pacta_handler_doc(ctx, RETENTION);
    pacta_jdoc_set_str(doc, "contract_id", msg->contract_id);
    pacta_jdoc_set_str(doc, "subject_id", msg->subject_id);
    pacta_jdoc_set_date(doc, "contract_last_day", last_day);
    json_t *schedule = json_array();
    json_object_set_new(doc, "schedule", schedule);
    for (size_t i = 0; i < outcome->count; i++) {
        const pacta_decision_t *decision = &outcome->items[i];
        if (decision->kind != PACTA_DECISION_ARCHIVE && decision->kind != PACTA_DECISION_ERASE)
            continue;
        const char *action = decision->kind == PACTA_DECISION_ARCHIVE ? "archive" : "erase";
        char decision_id[PACTA_DECIDE_ID_SIZE];
        pacta_decide_id(decision, msg->contract_id, decision_id, sizeof decision_id);
        json_t *entry = pacta_decide_audit_entry(decision, profile, decision_id, NULL, pacta_handler_today(ctx));
        if (entry) {
            json_object_set_new(entry, "summary", json_string(action[0] == 'a' ? "retention: archive scheduled"
                                                                                : "retention: erasure scheduled"));
            pacta_handler_audit(ctx, entry);
        }
        json_decref(entry);
        json_t *item = json_object();
        pacta_jdoc_set_str(item, "category", decision->ref);
        pacta_jdoc_set_str(item, "action", action);
        pacta_jdoc_set_date(item, "on", decision->date);
        if (decision->kind == PACTA_DECISION_ARCHIVE)
            pacta_jdoc_set_date(item, "until", decision->until);
        pacta_jdoc_set_str(item, "rule_id", decision->explanation.rule_id);
        pacta_jdoc_set_str(item, "decision_id", decision_id);
        json_array_append_new(schedule, item);

        char timer_id[PACTA_REF_SIZE + 128];
        s_timer_id(pacta_handler_entity_key(ctx), decision->ref, action, decision->date, timer_id, sizeof timer_id);
        json_t *data = json_pack("{s:s, s:s, s:s}", "category", decision->ref, "action", action, "subject_id",
                                 msg->subject_id);
        int scheduled = data ? pacta_handler_schedule_timer(ctx, timer_id, decision->date, RETENTION_TIMER, data) : -1;
        json_decref(data);
        if (scheduled != 0)
            goto cleanup;
    }
    char subject_key[SUBJECT_MAX + 8];
    snprintf(subject_key, sizeof subject_key, "s:%s", msg->subject_id);
    char value[96], day[PACTA_DATE_STR_LEN];
    snprintf(value, sizeof value, "{\"ended_on\":\"%s\"}", pacta_handler_date_text(last_day, day, sizeof day));
    if (pacta_handler_link(ctx, subject_key, CONTRACTS_SUFFIX, msg->contract_id, value) != 0)
        goto cleanup;
    rc = pacta_handler_put_doc(ctx, RETENTION);
cleanup:
    pacta_outcome_destroy(&outcome);
    return rc;
}

/* ---- timer retention.expired (entity c:<contract>) --------------------------------- */

static int
s_on_retention_timer(pacta_handler_ctx_t *ctx, const json_t *payload, void *arg)
{
    (void) arg;
    const char *category = pacta_jdoc_str(payload, "category");
    const char *action = pacta_jdoc_str(payload, "action");
    json_t *doc = pacta_handler_doc(ctx, RETENTION);
    const char *subject_id = pacta_jdoc_str(doc, "subject_id");
    const char *contract_id = pacta_jdoc_str(doc, "contract_id");
    pacta_date_t last_day = pacta_jdoc_date(doc, "contract_last_day");
    if (!*category || !*action || !*subject_id || !*contract_id)
        return 0;   /* nothing known about this contract any more (pacta_jdoc_str gives "") */
    const pacta_profile_t *profile = pacta_handler_profile(ctx);
    pacta_outcome_t *outcome = pacta_outcome_new();
    if (!outcome)
        return -1;
    int rc = 0;
    if (s_schedule(profile, last_day, outcome) != 0)
        goto cleanup;
    pacta_decision_kind_t kind = strcmp(action, "archive") == 0 ? PACTA_DECISION_ARCHIVE : PACTA_DECISION_ERASE;
    const pacta_decision_t *decision = NULL;
    bool archived_before = false;
    for (size_t i = 0; i < outcome->count; i++) {
        if (strcmp(outcome->items[i].ref, category) != 0)
            continue;
        if (outcome->items[i].kind == kind)
            decision = &outcome->items[i];
        if (outcome->items[i].kind == PACTA_DECISION_ARCHIVE)
            archived_before = true;
    }
    if (!decision)
        goto cleanup;   /* the profile no longer schedules it */
    Pacta__V1__Explanation *why = pacta_decide_explanation_new(decision, profile, pacta_handler_today(ctx));
    if (!why) {
        rc = -1;
        goto cleanup;
    }
    Pacta__V1__Date expired = PACTA__V1__DATE__INIT;
    pacta_handler_set_date(&expired, decision->date - 1);
    Pacta__V1__RetentionExpired message = PACTA__V1__RETENTION_EXPIRED__INIT;
    message.subject_id = (char *) subject_id;
    message.contract_id = (char *) contract_id;
    message.category = pacta_vault_category_from_name(category);
    message.stage = kind == PACTA_DECISION_ERASE && archived_before
                        ? PACTA__V1__RETENTION_STAGE__RETENTION_STAGE_ARCHIVE_ENDED
                        : PACTA__V1__RETENTION_STAGE__RETENTION_STAGE_ACTIVE_ENDED;
    message.expired_on = &expired;
    message.explanation = why;
    char subject_key[SUBJECT_MAX + 8];
    snprintf(subject_key, sizeof subject_key, "s:%s", subject_id);
    rc = pacta_handler_emit(ctx, &message.base, PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_DECISION, subject_key, NULL,
                            NULL);
    pacta_decide_explanation_destroy(&why);
cleanup:
    pacta_outcome_destroy(&outcome);
    return rc;
}

/* ---- RetentionExpired (entity s:<subject>) ---------------------------------------- */

/* The subject's contracts as linked in {s:..}:contracts: -1 on a Redis
   failure, else 1 when one other than contract_id has not ended, 0
   otherwise; *last_day the recorded last day of contract_id. */
static int
s_subject_contracts(pacta_handler_ctx_t *ctx, const char *contract_id, pacta_date_t *last_day)
{
    char key[PACTA_HANDLER_ID_MAX + 600];
    *last_day = PACTA_DATE_INVALID;
    if (snprintf(key, sizeof key, "%s:%s", pacta_handler_prefix(ctx), CONTRACTS_SUFFIX) >= (int) sizeof key)
        return -1;
    redisReply *reply = NULL;
    if (pacta_store_command_strs(pacta_handler_store(ctx), &reply, "HGETALL", key, NULL) != 0)
        return -1;
    int running = 0;
    for (size_t i = 0; reply->type == REDIS_REPLY_ARRAY && i + 1 < reply->elements; i += 2) {
        json_error_t error;
        json_t *value = json_loads(reply->element[i + 1]->str, 0, &error);
        bool ended = json_string_value(json_object_get(value, "ended_on")) != NULL;
        if (strcmp(reply->element[i]->str, contract_id) == 0)
            *last_day = pacta_jdoc_date(value, "ended_on");
        else if (!ended)
            running = 1;
        json_decref(value);
    }
    freeReplyObject(reply);
    return running;
}

static int
s_on_retention_expired(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__RetentionExpired *msg = (const Pacta__V1__RetentionExpired *) payload;
    if (s_check_subject_entity(ctx, msg->subject_id) != 0)
        return -1;
    const char *category = pacta_vault_category_name(msg->category);
    if (!category)
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_INVALID, "category",
                                    "a retention expiry needs a category");
    pacta_date_t last_day = PACTA_DATE_INVALID;
    int running = s_subject_contracts(ctx, msg->contract_id ? msg->contract_id : "", &last_day);
    if (running < 0)
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_RETRY_LATER, NULL,
                                    "the subject's contracts cannot be read");
    if (last_day == PACTA_DATE_INVALID)
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_RETRY_LATER, "contract_id",
                                    "the end of contract %s is not linked to the subject yet", msg->contract_id);
    pacta_data_category_t rules_category = PACTA_DATA_CATEGORY_COUNT;
    for (int i = 0; i < PACTA_DATA_CATEGORY_COUNT; i++)
        if (strcmp(pacta_data_category_name((pacta_data_category_t) i), category) == 0)
            rules_category = (pacta_data_category_t) i;
    pacta_retention_dates_t dates;
    if (pacta_retention_dates(pacta_handler_profile(ctx), rules_category, last_day, &dates) != 0)
        return 0;   /* retention is off in this profile: nothing to do */

    json_t *vault = pacta_handler_doc(ctx, VAULT);
    const char *state = pacta_vault_doc_state(vault, category);
    bool archive = msg->stage == PACTA__V1__RETENTION_STAGE__RETENTION_STAGE_ACTIVE_ENDED
                   && dates.archive_from != PACTA_DATE_INVALID;
    pacta_date_t today = pacta_handler_today(ctx);
    char day[PACTA_DATE_STR_LEN], until[PACTA_DATE_STR_LEN];
    const char *rule_id = msg->explanation ? msg->explanation->rule_id : "";
    char summary[200];
    if (!state || strcmp(state, "erased") == 0 || (archive && strcmp(state, "archived") == 0)) {
        snprintf(summary, sizeof summary, "retention (%s): %s already %s", rule_id, category,
                 state ? state : "absent");
        s_audit_fact(ctx, summary, today, msg->subject_id, category);
        return 0;
    }
    if (!archive && running && msg->category != PACTA__V1__PERSONAL_DATA_CATEGORY__PERSONAL_DATA_CATEGORY_ACCOUNTING) {
        json_t *entry = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "entry", "decision", "summary",
                                  "retention: erasure held, another contract of the subject is running", "kind",
                                  "erase", "status", "not_applied", "reason", "contract_running", "rule_id", rule_id,
                                  "categories", category);
        if (entry)
            pacta_handler_audit(ctx, entry);
        json_decref(entry);
        return 0;
    }
    Pacta__V1__PersonalDataCategory categories[1] = {msg->category};
    Pacta__V1__Date on = PACTA__V1__DATE__INIT, to = PACTA__V1__DATE__INIT;
    pacta_handler_set_date(&on, today);
    int rc;
    if (archive) {
        pacta_handler_date_text(dates.archive_until, until, sizeof until);
        if (pacta_vault_doc_archive(vault, category, until) != 0)
            return 0;
        pacta_handler_set_date(&to, dates.archive_until);
        Pacta__V1__DataArchived archived = PACTA__V1__DATA_ARCHIVED__INIT;
        archived.subject_id = msg->subject_id;
        archived.contract_id = msg->contract_id;
        archived.n_categories = 1;
        archived.categories = categories;
        archived.archived_on = &on;
        archived.archive_until = &to;
        archived.explanation = msg->explanation;
        rc = pacta_handler_emit(ctx, &archived.base, PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_DECISION, NULL, NULL, NULL);
        snprintf(summary, sizeof summary, "retention (%s): %s archived until %s", rule_id, category, until);
    } else {
        bool destroyed = false;
        if (pacta_vault_doc_erase(vault, category, &destroyed) != 0)
            return 0;
        Pacta__V1__DataErased erased = PACTA__V1__DATA_ERASED__INIT;
        erased.subject_id = msg->subject_id;
        erased.contract_id = msg->contract_id;
        erased.n_categories = 1;
        erased.categories = categories;
        erased.erased_on = &on;
        erased.key_destroyed = destroyed;
        erased.explanation = msg->explanation;
        rc = pacta_handler_emit(ctx, &erased.base, PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_DECISION, NULL, NULL, NULL);
        snprintf(summary, sizeof summary, "retention (%s): %s erased%s", rule_id, category,
                 destroyed ? ", subject key destroyed" : "");
    }
    if (rc != 0)
        return -1;
    json_t *entry = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "entry", "decision", "summary", summary,
                              "kind", archive ? "archive" : "erase", "status", "applied", "rule_id", rule_id,
                              "categories", category, "date", pacta_handler_date_text(today, day, sizeof day), "ref",
                              msg->contract_id ? msg->contract_id : "");
    if (entry)
        pacta_handler_audit(ctx, entry);
    json_decref(entry);
    return pacta_handler_put_doc(ctx, VAULT);
}

/* ---- the handler set ------------------------------------------------------------- */

static const char *const s_personal_required[] = {"subject_id", "fields", NULL};
static const char *const s_signed_required[] = {"contract_id", "client", "contract_kind", "signed_on", NULL};
static const char *const s_ended_required[] = {"contract_id", "ended_on", NULL};
static const char *const s_expired_required[] = {"subject_id", "contract_id", "category", "stage", NULL};
static const char *const s_dsr_required[] = {"request_id", "subject_id", "right", "received_on", NULL};
static const char *const s_vault_doc[] = {VAULT, NULL};
static const char *const s_dsr_docs[] = {VAULT, GDPR_DSR_DOC, NULL};
static const char *const s_requests_doc[] = {GDPR_DSR_DOC, NULL};
static const char *const s_retention_doc[] = {RETENTION, NULL};

static const pacta_message_handler_t s_messages[] = {
    {"pacta.v1.PersonalDataRecorded", s_on_personal_data, s_personal_required, s_vault_doc},
    {"pacta.v1.ContractSigned", s_on_contract_signed, s_signed_required, NULL},
    {"pacta.v1.ContractEnded", s_on_contract_ended, s_ended_required, s_retention_doc},
    {"pacta.v1.RetentionExpired", s_on_retention_expired, s_expired_required, s_vault_doc},
    {"pacta.v1.DataSubjectRequestOpened", gdpr_on_dsr_opened, s_dsr_required, s_dsr_docs},
};

static const pacta_timer_handler_t s_timers[] = {
    {RETENTION_TIMER, s_on_retention_timer, s_retention_doc},
    {GDPR_DSR_REMINDER, gdpr_on_dsr_timer, s_requests_doc},
    {GDPR_DSR_OVERDUE, gdpr_on_dsr_timer, s_requests_doc},
    {GDPR_ERASE_ARCHIVED, gdpr_on_erase_archived, s_vault_doc},
};

const pacta_handler_set_t gdpr_handlers = {
    s_messages, sizeof s_messages / sizeof s_messages[0], s_timers, sizeof s_timers / sizeof s_timers[0], &s_state,
};
