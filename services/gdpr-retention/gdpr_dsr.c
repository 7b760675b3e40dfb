/*  =========================================================================
    gdpr_dsr - data-subject requests (L-4, L-5; rules.md §5)

    Design decision: a request is served in the same effect that records
    it, so it is answered on its day of receipt -- long within the L-4
    deadline -- and the reminder and overdue timers (dsr.reminder 7 days
    before the deadline, dsr.overdue the day after, both on the subject's
    entity) only ever find it answered, unless serving failed and the
    request waits for the operator. What each right does:

      access / portability: one JSON export of everything held about the
        subject (personal data by category, the linked contracts' contract,
        ledger, enforcement and notifications documents, their audit
        entries, the subject's own audit stream), sealed under the subject
        key (label export/<request id>) in P:requests; `pactactl dsr
        export` opens it and logs the read;
      rectification: the corrections are sealed like PersonalDataRecorded;
      erasure: every category not under L-5 is erased; accounting data are
        archived per rule_l5_archive_accounting (rules.md §5, L-5); a
        contract still running is reported to the operator (audit entry,
        warning, the answer's outcome PARTIAL with the reason);
      restriction: the vault is marked restricted (lookups answer
        RESTRICTED);
      objection / consent withdrawal: the purpose is recorded in the vault
        document ("objections"); processing done before stays lawful.

    The contracts' documents are read outside the effect (a lookup, as
    pacta_handler.h allows); nothing of another entity is written.
    =========================================================================
*/
#include "gdpr_dsr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pacta/v1/gdpr.pb-c.h"
#include "pacta_decide.h"
#include "pacta_facts.h"
#include "pacta_jdoc.h"
#include "pacta_log.h"
#include "rules_retention.h"

#define VAULT PACTA_VAULT_DOC
#define REQUESTS GDPR_DSR_DOC
#define KEY_MAX 700                              /* longest key read */

/* ---- reads outside the effect ---------------------------------------------------- */

/* The versioned document at key ("doc" parsed), or JSON null. */
static json_t *
s_read_doc(pacta_store_t *store, const char *key)
{
    redisReply *reply = NULL;
    json_t *doc = NULL;
    if (pacta_store_command_strs(store, &reply, "HGET", key, "doc", NULL) == 0) {
        if (reply->type == REDIS_REPLY_STRING)
            doc = json_loadb(reply->str, reply->len, 0, NULL);
        freeReplyObject(reply);
    }
    return doc ? doc : json_null();
}

/* The audit entries at key as an array of {field: value} objects. */
static json_t *
s_read_audit(pacta_store_t *store, const char *key)
{
    json_t *entries = json_array();
    redisReply *reply = NULL;
    if (pacta_store_command_strs(store, &reply, "XRANGE", key, "-", "+", NULL) != 0)
        return entries;
    for (size_t i = 0; reply->type == REDIS_REPLY_ARRAY && i < reply->elements; i++) {
        const redisReply *item = reply->element[i];
        if (item->type != REDIS_REPLY_ARRAY || item->elements != 2)
            continue;
        json_t *entry = json_object();
        json_object_set_new(entry, "id", json_string(item->element[0]->str));
        const redisReply *fields = item->element[1];
        for (size_t f = 0; f + 1 < fields->elements; f += 2)
            json_object_set_new(entry, fields->element[f]->str, json_string(fields->element[f + 1]->str));
        json_array_append_new(entries, entry);
    }
    freeReplyObject(reply);
    return entries;
}

/* The subject's contracts: the ids linked in {s:..}:contracts and those
   named by PersonalDataRecorded in the vault, as an object id -> {}. */
static json_t *
s_contract_ids(pacta_handler_ctx_t *ctx, const json_t *vault)
{
    json_t *ids = json_object();
    const char *id;
    json_t *value;
    json_object_foreach(json_object_get(vault, "contracts"), id, value) json_object_set_new(ids, id, json_object());
    char key[KEY_MAX];
    snprintf(key, sizeof key, "%s:contracts", pacta_handler_prefix(ctx));
    redisReply *reply = NULL;
    if (pacta_store_command_strs(pacta_handler_store(ctx), &reply, "HGETALL", key, NULL) == 0) {
        for (size_t i = 0; reply->type == REDIS_REPLY_ARRAY && i + 1 < reply->elements; i += 2)
            json_object_set_new(ids, reply->element[i]->str, json_object());
        freeReplyObject(reply);
    }
    return ids;
}

static void
s_entity_key(const char *tenant, const char *contract_id, const char *suffix, char *buf, size_t size)
{
    snprintf(buf, size, "pacta:%s:{c:%s}:%s", tenant, contract_id, suffix);
}

/* True when contract_id has a contract document that has not ended. */
static bool
s_contract_running(pacta_handler_ctx_t *ctx, const char *contract_id)
{
    char key[KEY_MAX];
    s_entity_key(pacta_handler_tenant(ctx), contract_id, "contract", key, sizeof key);
    json_t *doc = s_read_doc(pacta_handler_store(ctx), key);
    const char *state = pacta_jdoc_str(doc, "state");
    bool running = json_is_object(doc) && (!state || strcmp(state, "ended") != 0);
    json_decref(doc);
    return running;
}

/* ---- access / portability -------------------------------------------------------- */

/* The export of everything held about the subject (caller decrefs), and
   the comma-separated categories it holds in clear. */
static json_t *
s_export(pacta_handler_ctx_t *ctx, pacta_vault_t *vault_keys, const json_t *vault, const char *subject_id,
         const char *request_id, char *categories, size_t categories_size)
{
    const char *tenant = pacta_handler_tenant(ctx);
    pacta_store_t *store = pacta_handler_store(ctx);
    char day[PACTA_DATE_STR_LEN];
    json_t *out = json_pack("{s:s, s:s, s:s, s:s, s:b}", "subject_id", subject_id, "tenant", tenant, "request_id",
                            request_id, "generated_on", pacta_handler_date_text(pacta_handler_today(ctx), day, sizeof day),
                            "restricted", json_is_true(json_object_get(vault, "restricted")));
    json_t *personal = json_object();
    json_object_set_new(out, "personal_data", personal);
    categories[0] = '\0';
    for (int c = 1; pacta_vault_category_name(c); c++) {
        const char *name = pacta_vault_category_name(c);
        const char *state = pacta_vault_doc_state(vault, name);
        if (!state)
            continue;
        json_t *entry = json_pack("{s:s}", "state", state);
        json_t *fields = NULL;
        char err[256];
        //  The subject's own access covers archived data too (art. 15).
        pacta_vault_status_t got = pacta_vault_doc_read(vault_keys, vault, tenant, subject_id, name, true, &fields,
                                                        err, sizeof err);
        if (got == PACTA_VAULT_FOUND) {
            json_object_set_new(entry, "fields", fields);
            size_t used = strlen(categories);
            snprintf(categories + used, categories_size - used, "%s%s", used ? "," : "", name);
        } else if (got == PACTA_VAULT_TAMPERED)
            json_object_set_new(entry, "error", json_string("the stored data failed authentication"));
        json_object_set_new(personal, name, entry);
    }
    json_t *objections = json_object_get(vault, "objections");
    if (objections)
        json_object_set(out, "objections", objections);

    json_t *contracts = json_object();
    json_object_set_new(out, "contracts", contracts);
    json_t *ids = s_contract_ids(ctx, vault);
    const char *id;
    json_t *unused;
    json_object_foreach(ids, id, unused) {
        static const char *const docs[] = {"contract", "ledger", "enforcement", "notifications"};
        json_t *one = json_object();
        char key[KEY_MAX];
        for (size_t d = 0; d < sizeof docs / sizeof docs[0]; d++) {
            s_entity_key(tenant, id, docs[d], key, sizeof key);
            json_object_set_new(one, docs[d], s_read_doc(store, key));
        }
        s_entity_key(tenant, id, "audit", key, sizeof key);
        json_object_set_new(one, "decisions", s_read_audit(store, key));
        json_object_set_new(contracts, id, one);
    }
    json_decref(ids);
    char key[KEY_MAX];
    snprintf(key, sizeof key, "%s:audit", pacta_handler_prefix(ctx));
    json_object_set_new(out, "subject_audit", s_read_audit(store, key));
    return out;
}

/* ---- the request ------------------------------------------------------------------- */

static const char *
s_right_name(Pacta__V1__DataSubjectRight right)
{
    switch (right) {
    case PACTA__V1__DATA_SUBJECT_RIGHT__DATA_SUBJECT_RIGHT_ACCESS: return "access";
    case PACTA__V1__DATA_SUBJECT_RIGHT__DATA_SUBJECT_RIGHT_PORTABILITY: return "portability";
    case PACTA__V1__DATA_SUBJECT_RIGHT__DATA_SUBJECT_RIGHT_RECTIFICATION: return "rectification";
    case PACTA__V1__DATA_SUBJECT_RIGHT__DATA_SUBJECT_RIGHT_ERASURE: return "erasure";
    case PACTA__V1__DATA_SUBJECT_RIGHT__DATA_SUBJECT_RIGHT_RESTRICTION: return "restriction";
    case PACTA__V1__DATA_SUBJECT_RIGHT__DATA_SUBJECT_RIGHT_OBJECTION: return "objection";
    case PACTA__V1__DATA_SUBJECT_RIGHT__DATA_SUBJECT_RIGHT_CONSENT_WITHDRAWAL: return "consent_withdrawal";
    default: return NULL;
    }
}

static pacta_dsr_kind_t
s_dsr_kind(Pacta__V1__DataSubjectRight right)
{
    switch (right) {
    case PACTA__V1__DATA_SUBJECT_RIGHT__DATA_SUBJECT_RIGHT_RECTIFICATION: return PACTA_DSR_RECTIFICATION;
    case PACTA__V1__DATA_SUBJECT_RIGHT__DATA_SUBJECT_RIGHT_ERASURE: return PACTA_DSR_ERASURE;
    case PACTA__V1__DATA_SUBJECT_RIGHT__DATA_SUBJECT_RIGHT_RESTRICTION: return PACTA_DSR_RESTRICTION;
    case PACTA__V1__DATA_SUBJECT_RIGHT__DATA_SUBJECT_RIGHT_OBJECTION: return PACTA_DSR_OBJECTION;
    case PACTA__V1__DATA_SUBJECT_RIGHT__DATA_SUBJECT_RIGHT_CONSENT_WITHDRAWAL: return PACTA_DSR_WITHDRAW_CONSENT;
    default: return PACTA_DSR_ACCESS;
    }
}

static void
s_audit(pacta_handler_ctx_t *ctx, const char *entry_kind, const char *summary, const char *request_id,
        const char *categories, const char *extra_key, const char *extra_value)
{
    char day[PACTA_DATE_STR_LEN];
    json_t *entry = json_pack("{s:s, s:s, s:s, s:s, s:s}", "entry", entry_kind, "summary", summary, "ref", request_id,
                              "categories", categories ? categories : "", "date",
                              pacta_handler_date_text(pacta_handler_today(ctx), day, sizeof day));
    if (entry && extra_key)
        json_object_set_new(entry, extra_key, json_string(extra_value ? extra_value : ""));
    if (entry)
        pacta_handler_audit(ctx, entry);
    json_decref(entry);
}

/* Erasure: everything not under L-5; accounting archived (L-5). Fills the
   erased and retained lists and the DataErased / DataArchived messages. */
static int
s_erase(pacta_handler_ctx_t *ctx, json_t *vault, const Pacta__V1__DataSubjectRequestOpened *msg,
        Pacta__V1__PersonalDataCategory *erased, size_t *erased_count, Pacta__V1__PersonalDataCategory *retained,
        size_t *retained_count, const Pacta__V1__Explanation *why)
{
    const pacta_profile_t *profile = pacta_handler_profile(ctx);
    pacta_date_t today = pacta_handler_today(ctx);
    bool destroyed = false;
    pacta_outcome_t *l5 = NULL;
    int rc = -1;
    char erased_names[96] = "";
    for (int c = 1; pacta_vault_category_name(c); c++) {
        bool asked = msg->n_categories == 0;
        for (size_t i = 0; i < msg->n_categories; i++)
            asked = asked || (int) msg->categories[i] == c;
        const char *name = pacta_vault_category_name(c);
        const char *state = pacta_vault_doc_state(vault, name);
        if (!asked || !state || strcmp(state, "erased") == 0)
            continue;
        if (c == PACTA__V1__PERSONAL_DATA_CATEGORY__PERSONAL_DATA_CATEGORY_ACCOUNTING) {
            retained[(*retained_count)++] = (Pacta__V1__PersonalDataCategory) c;
            continue;
        }
        bool key_gone = false;
        if (pacta_vault_doc_erase(vault, name, &key_gone) != 0)
            continue;
        destroyed = destroyed || key_gone;
        erased[(*erased_count)++] = (Pacta__V1__PersonalDataCategory) c;
        size_t used = strlen(erased_names);
        snprintf(erased_names + used, sizeof erased_names - used, "%s%s", used ? "," : "", name);
    }
    Pacta__V1__Date on = PACTA__V1__DATE__INIT;
    pacta_handler_set_date(&on, today);
    if (*retained_count > 0) {
        l5 = pacta_outcome_new();
        if (!l5 || rule_l5_archive_accounting(profile, today, l5) != 0)
            goto cleanup;
        const pacta_decision_t *archive = NULL;
        for (size_t i = 0; i < l5->count; i++)
            if (l5->items[i].kind == PACTA_DECISION_ARCHIVE)
                archive = &l5->items[i];
        if (!archive)
            goto cleanup;
        char until[PACTA_DATE_STR_LEN], decision_id[PACTA_DECIDE_ID_SIZE];
        pacta_handler_date_text(archive->until, until, sizeof until);
        if (strcmp(pacta_vault_doc_state(vault, "accounting"), "archived") != 0)
            pacta_vault_doc_archive(vault, "accounting", until);
        pacta_decide_id(archive, msg->request_id, decision_id, sizeof decision_id);
        json_t *entry = pacta_decide_audit_entry(archive, profile, decision_id, "pacta.v1.DataArchived", today);
        if (entry) {
            json_object_set_new(entry, "categories", json_string("accounting"));
            pacta_handler_audit(ctx, entry);
        }
        json_decref(entry);
        Pacta__V1__Explanation *l5_why = pacta_decide_explanation_new(archive, profile, today);
        Pacta__V1__Date to = PACTA__V1__DATE__INIT;
        pacta_handler_set_date(&to, archive->until);
        Pacta__V1__DataArchived archived = PACTA__V1__DATA_ARCHIVED__INIT;
        archived.subject_id = msg->subject_id;
        archived.n_categories = *retained_count;
        archived.categories = retained;
        archived.archived_on = &on;
        archived.archive_until = &to;
        archived.explanation = l5_why;
        archived.request_id = msg->request_id;
        int emitted = l5_why ? pacta_handler_emit(ctx, &archived.base, PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_DECISION,
                                                  NULL, NULL, NULL)
                             : -1;
        pacta_decide_explanation_destroy(&l5_why);
        if (emitted != 0)
            goto cleanup;
        //  L-5: the archive ends; its erase decision carries the day.
        for (size_t i = 0; i < l5->count; i++) {
            if (l5->items[i].kind != PACTA_DECISION_ERASE)
                continue;
            char timer_id[PACTA_REF_SIZE * 2 + 96], request_on[PACTA_DATE_STR_LEN];
            snprintf(timer_id, sizeof timer_id, "%s/" GDPR_ERASE_ARCHIVED "/accounting/%s", pacta_handler_entity_key(ctx),
                     pacta_handler_date_text(l5->items[i].date, until, sizeof until));
            json_t *data = json_pack("{s:s, s:s, s:s}", "category", "accounting", "request_id", msg->request_id,
                                     "request_on", pacta_handler_date_text(today, request_on, sizeof request_on));
            int scheduled = data ? pacta_handler_schedule_timer(ctx, timer_id, l5->items[i].date, GDPR_ERASE_ARCHIVED,
                                                                data)
                                 : -1;
            json_decref(data);
            if (scheduled != 0)
                goto cleanup;
        }
    }
    if (*erased_count > 0) {
        Pacta__V1__DataErased message = PACTA__V1__DATA_ERASED__INIT;
        message.subject_id = msg->subject_id;
        message.n_categories = *erased_count;
        message.categories = erased;
        message.erased_on = &on;
        message.key_destroyed = destroyed;
        message.request_id = msg->request_id;
        message.explanation = (Pacta__V1__Explanation *) why;
        if (pacta_handler_emit(ctx, &message.base, PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_DECISION, NULL, NULL, NULL)
            != 0)
            goto cleanup;
        char summary[200];
        snprintf(summary, sizeof summary, "erasure request: %s erased%s", erased_names,
                 destroyed ? ", subject key destroyed" : "");
        s_audit(ctx, "decision", summary, msg->request_id, erased_names, "kind", "erase");
    }
    //  Data a running contract may still need: erased as asked, and said.
    json_t *ids = s_contract_ids(ctx, vault);
    const char *id;
    json_t *unused;
    char running[300] = "";
    json_object_foreach(ids, id, unused) {
        if (s_contract_running(ctx, id)) {
            size_t used = strlen(running);
            snprintf(running + used, sizeof running - used, "%s%s", used ? "," : "", id);
        }
    }
    json_decref(ids);
    if (running[0] && *erased_count > 0) {
        char summary[400];
        snprintf(summary, sizeof summary,
                 "erasure request during running contract(s) %s: the operator must check how to perform them "
                 "without the erased data",
                 running);
        s_audit(ctx, "decision", summary, msg->request_id, erased_names, "status", "reported");
        pacta_log_warn("erasure request during a running contract: operator to review", "tenant",
                       pacta_handler_tenant(ctx), "request", msg->request_id, "contracts", running);
    }
    rc = 0;
cleanup:
    pacta_outcome_destroy(&l5);
    return rc;
}

int
gdpr_on_dsr_opened(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__DataSubjectRequestOpened *msg = (const Pacta__V1__DataSubjectRequestOpened *) payload;
    if (strlen(msg->subject_id) >= PACTA_REF_SIZE || strlen(msg->request_id) >= PACTA_REF_SIZE)
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_INVALID, "request_id",
                                    "request and subject ids have at most %d characters", PACTA_REF_SIZE - 1);
    if (pacta_facts_check_entity(ctx, 's', msg->subject_id, "subject_id") != 0)
        return -1;
    const char *right = s_right_name(msg->right);
    if (!right)
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_INVALID, "right", "unknown right");
    for (size_t i = 0; i < msg->n_corrections; i++) {
        if (!pacta_vault_category_name(msg->corrections[i]->category) || !msg->corrections[i]->name
            || !*msg->corrections[i]->name) {
            char path[48];
            snprintf(path, sizeof path, "corrections[%zu]", i);
            return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_INVALID, path,
                                        "a correction needs a category and a name");
        }
    }
    pacta_vault_t *keys = gdpr_handlers_vault();
    if (!keys)
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_RETRY_LATER, NULL,
                                    "gdpr-retention has no vault master key configured");
    json_t *requests = pacta_handler_doc(ctx, REQUESTS);
    if (json_object_get(requests, msg->request_id))
        return 0;   /* the same request under another message id: already served */

    const pacta_profile_t *profile = pacta_handler_profile(ctx);
    pacta_date_t today = pacta_handler_today(ctx);
    pacta_dsr_t request = {.kind = s_dsr_kind(msg->right), .received_on = pacta_handler_date(msg->received_on),
                           .extension_notified_on = PACTA_DATE_INVALID, .answered_on = PACTA_DATE_INVALID};
    snprintf(request.id, sizeof request.id, "%s", msg->request_id);
    snprintf(request.subject_id, sizeof request.subject_id, "%s", msg->subject_id);
    pacta_outcome_t *l4 = pacta_outcome_new();
    json_t *export_doc = NULL;
    char *export_text = NULL;
    char *sealed = NULL;
    Pacta__V1__Explanation *why = NULL;
    int rc = -1;
    if (!l4)
        return -1;
    if (rule_l4_dsr_deadline(profile, &request, l4) != 0) {
        pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_INVALID, "received_on",
                             "no L-4 deadline can be computed from this receipt date");
        goto cleanup;
    }
    const pacta_decision_t *deadline = NULL;
    for (size_t i = 0; i < l4->count; i++)
        if (l4->items[i].kind == PACTA_DECISION_DEADLINE)
            deadline = &l4->items[i];
    if (!deadline)
        goto cleanup;
    char decision_id[PACTA_DECIDE_ID_SIZE], day[PACTA_DATE_STR_LEN];
    pacta_decide_id(deadline, msg->request_id, decision_id, sizeof decision_id);
    json_t *entry = pacta_decide_audit_entry(deadline, profile, decision_id, NULL, today);
    if (entry) {
        json_object_set_new(entry, "summary", json_string("data-subject request received: L-4 deadline"));
        pacta_handler_audit(ctx, entry);
    }
    json_decref(entry);
    why = pacta_decide_explanation_new(deadline, profile, today);
    if (!why)
        goto cleanup;

    json_t *vault = pacta_handler_doc(ctx, VAULT);
    json_t *item = json_object();
    json_object_set_new(requests, msg->request_id, item);
    pacta_jdoc_set_str(item, "right", right);
    pacta_jdoc_set_date(item, "received_on", request.received_on);
    pacta_jdoc_set_date(item, "deadline", deadline->date);
    pacta_jdoc_set_str(item, "state", "open");

    Pacta__V1__DataSubjectRequestAnswered answer = PACTA__V1__DATA_SUBJECT_REQUEST_ANSWERED__INIT;
    Pacta__V1__Date answered_on = PACTA__V1__DATE__INIT, deadline_date = PACTA__V1__DATE__INIT;
    pacta_handler_set_date(&answered_on, today);
    pacta_handler_set_date(&deadline_date, deadline->date);
    answer.request_id = msg->request_id;
    answer.subject_id = msg->subject_id;
    answer.right = msg->right;
    answer.outcome = PACTA__V1__REQUEST_OUTCOME__REQUEST_OUTCOME_FULFILLED;
    answer.answered_on = &answered_on;
    answer.deadline = &deadline_date;
    answer.explanation = why;
    Pacta__V1__PersonalDataCategory erased[8], retained[8];
    size_t erased_count = 0, retained_count = 0;
    char categories[96] = "";
    char summary[300];
    bool vault_changed = false;

    switch (msg->right) {
    case PACTA__V1__DATA_SUBJECT_RIGHT__DATA_SUBJECT_RIGHT_ACCESS:
    case PACTA__V1__DATA_SUBJECT_RIGHT__DATA_SUBJECT_RIGHT_PORTABILITY: {
        export_doc = s_export(ctx, keys, vault, msg->subject_id, msg->request_id, categories, sizeof categories);
        export_text = export_doc ? json_dumps(export_doc, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
        char label[PACTA_REF_SIZE + 16], err[256];
        snprintf(label, sizeof label, GDPR_EXPORT_LABEL_PREFIX "%s", msg->request_id);
        if (!export_text)
            goto cleanup;
        bool has_key = json_is_string(json_object_get(vault, "key"))
                       && !json_is_true(json_object_get(vault, "key_destroyed"));
        if (!has_key)
            //  No subject key (nothing recorded, or everything erased): the
            //  export holds no personal value and is stored as it is.
            json_object_set_new(item, "export_plain", json_string(export_text));
        else if (pacta_vault_doc_seal(keys, vault, pacta_handler_tenant(ctx), msg->subject_id, label, export_text,
                                      strlen(export_text), &sealed, err, sizeof err)
                 == 0)
            json_object_set_new(item, "export", json_string(sealed));
        else {
            //  Never stored in clear: the request waits for the operator.
            pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_INTERNAL, NULL,
                                 "the export cannot be sealed: %s", err);
            goto cleanup;
        }
        char ref[PACTA_REF_SIZE * 2 + 64];
        snprintf(ref, sizeof ref, "%s:" REQUESTS "#%s", pacta_handler_prefix(ctx), msg->request_id);
        pacta_jdoc_set_str(item, "export_ref", ref);
        answer.export_ref = ref;
        snprintf(summary, sizeof summary, "%s request: export made (%s)", right, categories[0] ? categories : "no personal data");
        json_t *access = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "entry", "access", "summary", summary, "ref",
                                   msg->request_id, "categories", categories, "purpose", "dsr-export", "outcome",
                                   "exported");
        if (access)
            pacta_handler_audit(ctx, access);
        json_decref(access);
        pacta_jdoc_set_str(item, "state", "answered");
        pacta_jdoc_set_date(item, "answered_on", today);
        pacta_jdoc_set_str(item, "outcome", "fulfilled");
        if (pacta_handler_emit(ctx, &answer.base, PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_DECISION, NULL, NULL, NULL)
            != 0)
            goto cleanup;
        break;
    }
    case PACTA__V1__DATA_SUBJECT_RIGHT__DATA_SUBJECT_RIGHT_RECTIFICATION: {
        for (int c = 1; pacta_vault_category_name(c); c++) {
            json_t *fields = json_object();
            for (size_t i = 0; i < msg->n_corrections; i++)
                if ((int) msg->corrections[i]->category == c)
                    json_object_set_new(fields, msg->corrections[i]->name,
                                        json_string(msg->corrections[i]->value ? msg->corrections[i]->value : ""));
            char err[256];
            int recorded = json_object_size(fields) == 0
                               ? 0
                               : pacta_vault_doc_record(keys, vault, pacta_handler_tenant(ctx), msg->subject_id,
                                                        pacta_vault_category_name(c), fields, err, sizeof err);
            if (json_object_size(fields) > 0 && recorded == 0) {
                size_t used = strlen(categories);
                snprintf(categories + used, sizeof categories - used, "%s%s", used ? "," : "",
                         pacta_vault_category_name(c));
            }
            json_decref(fields);
            if (recorded != 0) {
                pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_INTERNAL, NULL,
                                     "the vault of the subject cannot take the corrections: %s", err);
                goto cleanup;
            }
        }
        vault_changed = true;
        snprintf(summary, sizeof summary, "rectification: %s corrected", categories[0] ? categories : "nothing");
        s_audit(ctx, "decision", summary, msg->request_id, categories, "kind", "rectify");
        break;
    }
    case PACTA__V1__DATA_SUBJECT_RIGHT__DATA_SUBJECT_RIGHT_ERASURE:
        if (s_erase(ctx, vault, msg, erased, &erased_count, retained, &retained_count, why) != 0)
            goto cleanup;
        vault_changed = true;
        if (retained_count > 0)
            answer.outcome = PACTA__V1__REQUEST_OUTCOME__REQUEST_OUTCOME_PARTIAL;
        answer.n_retained = retained_count;
        answer.retained = retained;
        break;
    case PACTA__V1__DATA_SUBJECT_RIGHT__DATA_SUBJECT_RIGHT_RESTRICTION:
        json_object_set_new(vault, "restricted", json_true());
        vault_changed = true;
        s_audit(ctx, "decision", "restriction: processing restricted, lookups answer RESTRICTED", msg->request_id,
                "", "kind", "restrict");
        break;
    default: {
        json_t *objections = json_object_get(vault, "objections");
        if (!json_is_object(objections)) {
            objections = json_object();
            json_object_set_new(vault, "objections", objections);
        }
        json_t *record = json_pack("{s:s, s:s, s:s}", "right", right, "request_id", msg->request_id, "on",
                                   pacta_handler_date_text(today, day, sizeof day));
        json_object_set_new(objections, msg->purpose && *msg->purpose ? msg->purpose : "all", record);
        vault_changed = true;
        snprintf(summary, sizeof summary, "%s recorded for purpose %s", right,
                 msg->purpose && *msg->purpose ? msg->purpose : "all");
        s_audit(ctx, "decision", summary, msg->request_id, "", "kind", right);
        break;
    }
    }
    if (msg->right != PACTA__V1__DATA_SUBJECT_RIGHT__DATA_SUBJECT_RIGHT_ACCESS
        && msg->right != PACTA__V1__DATA_SUBJECT_RIGHT__DATA_SUBJECT_RIGHT_PORTABILITY) {
        pacta_jdoc_set_str(item, "state", "answered");
        pacta_jdoc_set_date(item, "answered_on", today);
        pacta_jdoc_set_str(item, "outcome", answer.outcome == PACTA__V1__REQUEST_OUTCOME__REQUEST_OUTCOME_PARTIAL
                                                ? "partial"
                                                : "fulfilled");
        if (pacta_handler_emit(ctx, &answer.base, PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_DECISION, NULL, NULL, NULL)
            != 0)
            goto cleanup;
    }
    snprintf(summary, sizeof summary, "%s request answered (%s) on %s, deadline %s", right,
             pacta_jdoc_str(item, "outcome"), pacta_handler_date_text(today, day, sizeof day),
             pacta_jdoc_str(item, "deadline"));
    s_audit(ctx, "decision", summary, msg->request_id, categories, "kind", "dsr_answered");

    //  L-4 tracking: a reminder before the deadline, an alert the day after it.
    char timer_id[PACTA_REF_SIZE * 2 + 64];
    json_t *data = json_pack("{s:s}", "request_id", msg->request_id);
    snprintf(timer_id, sizeof timer_id, "%s/" GDPR_DSR_REMINDER "/%s", pacta_handler_entity_key(ctx), msg->request_id);
    if (deadline->date - GDPR_DSR_REMINDER_DAYS > today)
        pacta_handler_schedule_timer(ctx, timer_id, deadline->date - GDPR_DSR_REMINDER_DAYS, GDPR_DSR_REMINDER, data);
    snprintf(timer_id, sizeof timer_id, "%s/" GDPR_DSR_OVERDUE "/%s", pacta_handler_entity_key(ctx), msg->request_id);
    pacta_handler_schedule_timer(ctx, timer_id, deadline->date + 1, GDPR_DSR_OVERDUE, data);
    json_decref(data);

    if (pacta_handler_put_doc(ctx, REQUESTS) != 0 || (vault_changed && pacta_handler_put_doc(ctx, VAULT) != 0))
        goto cleanup;
    rc = 0;
cleanup:
    pacta_decide_explanation_destroy(&why);
    pacta_outcome_destroy(&l4);
    json_decref(export_doc);
    if (export_text) {
        memset(export_text, 0, strlen(export_text));
        free(export_text);
    }
    free(sealed);
    return rc;
}

int
gdpr_on_dsr_timer(pacta_handler_ctx_t *ctx, const json_t *payload, void *arg)
{
    (void) arg;
    const char *request_id = pacta_jdoc_str(payload, "request_id");
    json_t *item = json_object_get(pacta_handler_doc(ctx, REQUESTS), request_id ? request_id : "");
    const char *state = pacta_jdoc_str(item, "state");
    if (!item || !state || strcmp(state, "open") != 0)
        return 0;   /* answered in time: nothing to say */
    bool overdue = strcmp(pacta_handler_cause_type(ctx), "timer:" GDPR_DSR_OVERDUE) == 0;
    char summary[200];
    snprintf(summary, sizeof summary, "L-4: data-subject request %s %s (deadline %s)", request_id,
             overdue ? "is OVERDUE" : "is still open", pacta_jdoc_str(item, "deadline"));
    s_audit(ctx, "decision", summary, request_id, "", "kind", overdue ? "dsr_overdue" : "dsr_reminder");
    if (overdue)
        pacta_log_error("data-subject request overdue (L-4)", "tenant", pacta_handler_tenant(ctx), "request",
                        request_id, "deadline", pacta_jdoc_str(item, "deadline"));
    else
        pacta_log_warn("data-subject request deadline near (L-4)", "tenant", pacta_handler_tenant(ctx), "request",
                       request_id, "deadline", pacta_jdoc_str(item, "deadline"));
    return 0;
}

int
gdpr_on_erase_archived(pacta_handler_ctx_t *ctx, const json_t *payload, void *arg)
{
    (void) arg;
    const char *category = pacta_jdoc_str(payload, "category");
    const char *request_id = pacta_jdoc_str(payload, "request_id");
    pacta_date_t request_on = pacta_jdoc_date(payload, "request_on");
    json_t *vault = pacta_handler_doc(ctx, VAULT);
    const char *state = category ? pacta_vault_doc_state(vault, category) : NULL;
    if (!state || strcmp(state, "archived") != 0)
        return 0;   /* erased already, or recorded again since: nothing to do */
    const pacta_profile_t *profile = pacta_handler_profile(ctx);
    pacta_date_t today = pacta_handler_today(ctx);
    pacta_outcome_t *l5 = pacta_outcome_new();
    Pacta__V1__Explanation *why = NULL;
    int rc = -1;
    if (!l5 || rule_l5_archive_accounting(profile, request_on, l5) != 0)
        goto cleanup;
    for (size_t i = 0; i < l5->count && !why; i++)
        if (l5->items[i].kind == PACTA_DECISION_ERASE) {
            char decision_id[PACTA_DECIDE_ID_SIZE];
            pacta_decide_id(&l5->items[i], request_id ? request_id : "", decision_id, sizeof decision_id);
            json_t *entry = pacta_decide_audit_entry(&l5->items[i], profile, decision_id, "pacta.v1.DataErased", today);
            if (entry) {
                json_object_set_new(entry, "categories", json_string(category));
                pacta_handler_audit(ctx, entry);
            }
            json_decref(entry);
            why = pacta_decide_explanation_new(&l5->items[i], profile, today);
        }
    if (!why)
        goto cleanup;
    bool destroyed = false;
    if (pacta_vault_doc_erase(vault, category, &destroyed) != 0)
        goto cleanup;
    const char *prefix_subject = pacta_handler_entity_key(ctx) + 2;   /* "s:<subject>" */
    Pacta__V1__PersonalDataCategory categories[1] = {
        (Pacta__V1__PersonalDataCategory) pacta_vault_category_from_name(category)};
    Pacta__V1__Date on = PACTA__V1__DATE__INIT;
    pacta_handler_set_date(&on, today);
    Pacta__V1__DataErased erased = PACTA__V1__DATA_ERASED__INIT;
    erased.subject_id = (char *) prefix_subject;
    erased.n_categories = 1;
    erased.categories = categories;
    erased.erased_on = &on;
    erased.key_destroyed = destroyed;
    erased.request_id = (char *) (request_id ? request_id : "");
    erased.explanation = why;
    if (pacta_handler_emit(ctx, &erased.base, PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_DECISION, NULL, NULL, NULL) != 0)
        goto cleanup;
    rc = pacta_handler_put_doc(ctx, VAULT);
cleanup:
    pacta_decide_explanation_destroy(&why);
    pacta_outcome_destroy(&l5);
    return rc;
}
