/*  =========================================================================
    pacta_handler - what a service writes to react to a message or a timer

    Handlers only describe an effect; pacta_runtime applies it. Everything a
    handler adds (documents to write, audit entries, packed envelopes, owed
    timers and index entries) is collected in the context and written by
    ONE Lua script after the handler returns.

    Design decision: emitted message ids are derived, not random
    ("<service>-<16 hex of hash(service, cause, n)>"). A version conflict
    makes the runtime run the handler again, and a crash makes the bus
    deliver the cause again; with derived ids every such run emits the same
    ids, so whatever reaches a consumer twice is a duplicate it ignores.
    =========================================================================
*/
#include "pacta_handler.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pacta_bus_wire.h"
#include "pacta_handler_private.h"

#define AUDIT_FIELDS_MAX 64               /* fields of one audit entry */

/* ---- context life ------------------------------------------------------- */

int
handler_ctx_init(pacta_handler_ctx_t *ctx, const char *service, const char *tenant,
                 const pacta_profile_t *profile, const char *entity_key)
{
    assert(ctx && service && tenant && entity_key);
    memset(ctx, 0, sizeof *ctx);
    ctx->service = service;
    ctx->tenant = tenant;
    ctx->profile = profile;
    ctx->entity_key = entity_key;
    ctx->today = PACTA_DATE_INVALID;
    ctx->reason = PACTA__V1__NACK_REASON__NACK_REASON_INTERNAL;
    return pacta_dedup_prefix(tenant, entity_key, ctx->prefix, sizeof ctx->prefix);
}

/* Declares documents[] in ctx (names and keys, nothing loaded). 0 or -1. */
static int
s_declare_docs(pacta_handler_ctx_t *ctx, const char *const *documents)
{
    for (size_t i = 0; i < ctx->doc_count; i++) {
        json_decref(ctx->docs[i].doc);
        ctx->docs[i].doc = NULL;
    }
    ctx->doc_count = 0;
    ctx->preloaded = false;
    size_t count = 0;
    for (; documents && documents[count]; count++) {
        if (count == PACTA_HANDLER_DOCS_MAX || strlen(documents[count]) >= PACTA_HANDLER_DOC_NAME_MAX)
            return -1;
        handler_doc_t *doc = &ctx->docs[count];
        memset(doc, 0, sizeof *doc);
        snprintf(doc->name, sizeof doc->name, "%s", documents[count]);
        snprintf(doc->key, sizeof doc->key, "%s:%s", ctx->prefix, documents[count]);
    }
    return (int) count;
}

/* Fills doc from its `version` and `doc` fields as read. 0 or -1. */
static int
s_parse_doc(handler_doc_t *doc, const redisReply *version, const redisReply *text)
{
    if (version->type == REDIS_REPLY_NIL) {
        doc->version = 0;
        doc->doc = json_object();
        return doc->doc ? 0 : -1;
    }
    if (version->type != REDIS_REPLY_STRING || text->type != REDIS_REPLY_STRING)
        return -1;
    char *end = NULL;
    char digits[32];
    snprintf(digits, sizeof digits, "%.*s", (int) version->len, version->str);
    unsigned long long parsed = strtoull(digits, &end, 10);
    json_error_t error;
    doc->doc = json_loadb(text->str, text->len, 0, &error);
    if (end && *end == '\0' && end != digits && doc->doc && json_is_object(doc->doc)) {
        doc->version = parsed;
        return 0;
    }
    json_decref(doc->doc);
    doc->doc = NULL;
    return -1;
}

int
handler_ctx_load(pacta_handler_ctx_t *ctx, const char *const *documents)
{
    assert(ctx);
    int count = s_declare_docs(ctx, documents);
    if (count < 0)
        return -1;
    for (int i = 0; i < count; i++) {
        handler_doc_t *doc = &ctx->docs[i];
        redisReply *reply = NULL;
        if (pacta_store_command_strs(ctx->store, &reply, "HMGET", doc->key, "version", "doc", NULL) != 0)
            return -1;
        int rc = reply->type == REDIS_REPLY_ARRAY && reply->elements == 2
                     ? s_parse_doc(doc, reply->element[0], reply->element[1])
                     : -1;
        freeReplyObject(reply);
        if (rc != 0)
            return -1;
        ctx->doc_count++;
    }
    return 0;
}

int
handler_ctx_load_seen(pacta_handler_ctx_t *ctx, const char *const *documents, const char *script,
                      const char *seen_key, const char *message_id, redisReply **stored)
{
    assert(ctx && script && seen_key && message_id && stored);
    *stored = NULL;
    int count = s_declare_docs(ctx, documents);
    if (count < 0)
        return -1;
    const char *keys[1 + PACTA_HANDLER_DOCS_MAX];
    keys[0] = seen_key;
    for (int i = 0; i < count; i++)
        keys[1 + i] = ctx->docs[i].key;
    const char *args[1] = {message_id};
    redisReply *reply = NULL;
    if (pacta_store_script_run(ctx->store, &reply, script, 1 + (size_t) count, keys, NULL, 1, args, NULL) != 0)
        return -1;
    int rc = -1;
    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 1 + 2 * (size_t) count)
        goto cleanup;
    for (int i = 0; i < count; i++) {
        if (s_parse_doc(&ctx->docs[i], reply->element[1 + 2 * i], reply->element[2 + 2 * i]) != 0)
            goto cleanup;
        ctx->doc_count++;
    }
    //  Hand the digest reply to the caller: detach it from the array.
    *stored = reply->element[0];
    reply->element[0] = NULL;
    ctx->preloaded = true;
    rc = 0;
cleanup:
    freeReplyObject(reply);
    return rc;
}

void
handler_ctx_reset_effect(pacta_handler_ctx_t *ctx)
{
    assert(ctx);
    json_decref(ctx->audit);
    ctx->audit = NULL;
    json_decref(ctx->owed);
    ctx->owed = NULL;
    for (size_t i = 0; i < ctx->emit_count; i++)
        free(ctx->emits[i].bytes);
    ctx->emit_count = 0;
    for (size_t i = 0; i < ctx->doc_count; i++)
        ctx->docs[i].put = false;
    ctx->parked = false;
    ctx->waiting_for[0] = '\0';
    ctx->refused = false;
    ctx->reason = PACTA__V1__NACK_REASON__NACK_REASON_INTERNAL;
    ctx->field[0] = '\0';
    ctx->detail[0] = '\0';
    ctx->overflow = false;
}

void
handler_ctx_clear(pacta_handler_ctx_t *ctx)
{
    if (!ctx)
        return;
    handler_ctx_reset_effect(ctx);
    for (size_t i = 0; i < ctx->doc_count; i++) {
        json_decref(ctx->docs[i].doc);
        ctx->docs[i].doc = NULL;
    }
    ctx->doc_count = 0;
}

/* ---- getters ------------------------------------------------------------ */

const char *
pacta_handler_service(const pacta_handler_ctx_t *ctx)
{
    assert(ctx);
    return ctx->service;
}

const char *
pacta_handler_tenant(const pacta_handler_ctx_t *ctx)
{
    assert(ctx);
    return ctx->tenant;
}

const pacta_profile_t *
pacta_handler_profile(const pacta_handler_ctx_t *ctx)
{
    assert(ctx);
    return ctx->profile;
}

const char *
pacta_handler_entity_key(const pacta_handler_ctx_t *ctx)
{
    assert(ctx);
    return ctx->entity_key;
}

const char *
pacta_handler_prefix(const pacta_handler_ctx_t *ctx)
{
    assert(ctx);
    return ctx->prefix;
}

const char *
pacta_handler_cause_id(const pacta_handler_ctx_t *ctx)
{
    assert(ctx);
    return ctx->cause_id;
}

const char *
pacta_handler_cause_type(const pacta_handler_ctx_t *ctx)
{
    assert(ctx);
    return ctx->cause_type;
}

const Pacta__V1__Envelope *
pacta_handler_envelope(const pacta_handler_ctx_t *ctx)
{
    assert(ctx);
    return ctx->envelope;
}

pacta_date_t
pacta_handler_today(const pacta_handler_ctx_t *ctx)
{
    assert(ctx);
    return ctx->today;
}

bool
pacta_handler_unparking(const pacta_handler_ctx_t *ctx)
{
    assert(ctx);
    return ctx->unparking;
}

pacta_store_t *
pacta_handler_store(const pacta_handler_ctx_t *ctx)
{
    assert(ctx);
    return ctx->store;
}

/* ---- documents ------------------------------------------------------------ */

static handler_doc_t *
s_doc(const pacta_handler_ctx_t *ctx, const char *name)
{
    for (size_t i = 0; i < ctx->doc_count; i++)
        if (strcmp(ctx->docs[i].name, name) == 0)
            return (handler_doc_t *) &ctx->docs[i];
    return NULL;
}

json_t *
pacta_handler_doc(pacta_handler_ctx_t *ctx, const char *name)
{
    assert(ctx && name);
    handler_doc_t *doc = s_doc(ctx, name);
    return doc ? doc->doc : NULL;
}

uint64_t
pacta_handler_doc_version(const pacta_handler_ctx_t *ctx, const char *name)
{
    assert(ctx && name);
    handler_doc_t *doc = s_doc(ctx, name);
    return doc ? doc->version : 0;
}

int
pacta_handler_put_doc(pacta_handler_ctx_t *ctx, const char *name)
{
    assert(ctx && name);
    handler_doc_t *doc = s_doc(ctx, name);
    if (!doc)
        return -1;
    doc->put = true;
    return 0;
}

/* ---- effect parts ---------------------------------------------------------- */

int
pacta_handler_audit(pacta_handler_ctx_t *ctx, const json_t *fields)
{
    assert(ctx && fields);
    if (!json_is_object(fields))
        return -1;
    if (!ctx->audit)
        ctx->audit = json_array();
    if (!ctx->audit || json_array_size(ctx->audit) >= PACTA_HANDLER_AUDIT_MAX) {
        ctx->overflow = true;
        return -1;
    }
    json_t *flat = json_array();
    if (!flat) {
        ctx->overflow = true;
        return -1;
    }
    json_array_append_new(flat, json_string("service"));
    json_array_append_new(flat, json_string(ctx->service));
    json_array_append_new(flat, json_string("caused_by"));
    json_array_append_new(flat, json_string(ctx->cause_id ? ctx->cause_id : ""));
    json_array_append_new(flat, json_string("cause_type"));
    json_array_append_new(flat, json_string(ctx->cause_type ? ctx->cause_type : ""));
    const char *name;
    json_t *value;
    size_t count = 0;
    json_object_foreach((json_t *) fields, name, value) {
        if (++count > AUDIT_FIELDS_MAX)
            break;
        json_t *text = NULL;
        if (json_is_string(value))
            text = json_string(json_string_value(value));
        else if (json_is_integer(value)) {
            char digits[32];
            snprintf(digits, sizeof digits, "%lld", (long long) json_integer_value(value));
            text = json_string(digits);
        }
        else if (json_is_null(value))
            text = json_string("");
        else {
            char *dumped = json_dumps(value, JSON_COMPACT);
            text = dumped ? json_string(dumped) : NULL;
            free(dumped);
        }
        if (!text)
            continue;
        json_array_append_new(flat, json_string(name));
        json_array_append_new(flat, text);
    }
    json_array_append_new(ctx->audit, flat);
    return 0;
}

/* "<service>-<16 hex>" from the cause and n. */
static void
s_derived_id(const pacta_handler_ctx_t *ctx, size_t n, char out[PACTA_HANDLER_ID_MAX + 1])
{
    uint64_t h = pacta_bus_hash(ctx->service, strlen(ctx->service) + 1, PACTA_BUS_HASH_SEED);
    const char *cause = ctx->cause_id ? ctx->cause_id : "";
    h = pacta_bus_hash(cause, strlen(cause) + 1, h);
    h = pacta_bus_hash(&n, sizeof n, h);
    snprintf(out, PACTA_HANDLER_ID_MAX + 1, "%.30s-%016llx", ctx->service, (unsigned long long) h);
}

/* An id fit for an envelope field (at most 64 printable bytes): the cause
   itself when short enough, else a digest of it. */
static void
s_short_cause(const char *cause, char out[PACTA_HANDLER_ID_MAX + 1])
{
    if (strlen(cause) <= PACTA_HANDLER_ID_MAX && pacta_bus_token_valid(cause, strlen(cause), PACTA_HANDLER_ID_MAX)) {
        snprintf(out, PACTA_HANDLER_ID_MAX + 1, "%s", cause);
        return;
    }
    uint64_t h = pacta_bus_hash(cause, strlen(cause), PACTA_BUS_HASH_SEED);
    snprintf(out, PACTA_HANDLER_ID_MAX + 1, "cause-%016llx", (unsigned long long) h);
}

int
pacta_handler_emit(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, Pacta__V1__MessageKind kind,
                   const char *entity_key, const char *destination, char id_out[PACTA_HANDLER_ID_MAX + 1])
{
    assert(ctx && payload);
    if (ctx->emit_count == PACTA_HANDLER_EMITS_MAX) {
        ctx->overflow = true;
        return -1;
    }
    char message_id[PACTA_HANDLER_ID_MAX + 1];
    char causation[PACTA_HANDLER_ID_MAX + 1];
    char correlation[PACTA_HANDLER_ID_MAX + 1];
    s_derived_id(ctx, ctx->emit_count, message_id);
    s_short_cause(ctx->cause_id ? ctx->cause_id : "", causation);
    if (ctx->envelope && ctx->envelope->correlation_id && ctx->envelope->correlation_id[0])
        s_short_cause(ctx->envelope->correlation_id, correlation);
    else
        snprintf(correlation, sizeof correlation, "%s", causation);

    size_t payload_len = protobuf_c_message_get_packed_size(payload);
    uint8_t *payload_bytes = malloc(payload_len > 0 ? payload_len : 1);
    if (!payload_bytes) {
        ctx->overflow = true;
        return -1;
    }
    protobuf_c_message_pack(payload, payload_bytes);

    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    Pacta__V1__Envelope envelope = PACTA__V1__ENVELOPE__INIT;
    envelope.message_id = message_id;
    envelope.tenant = (char *) ctx->tenant;
    envelope.message_type = (char *) payload->descriptor->name;
    envelope.entity_key = (char *) (entity_key && entity_key[0] ? entity_key : ctx->entity_key);
    envelope.occurred_at_ms = (int64_t) now.tv_sec * 1000 + now.tv_nsec / 1000000;
    envelope.causation_id = causation;
    envelope.correlation_id = correlation;
    envelope.producer = (char *) ctx->service;
    envelope.schema_version = 1;
    envelope.payload.data = payload_bytes;
    envelope.payload.len = payload_len;
    envelope.kind = kind;
    envelope.destination = (char *) (destination ? destination : "");
    size_t len = 0;
    uint8_t *bytes = pacta_bus_envelope_pack(&envelope, &len);
    free(payload_bytes);
    if (!bytes) {
        ctx->overflow = true;
        return -1;
    }
    handler_emit_t *emit = &ctx->emits[ctx->emit_count++];
    emit->bytes = bytes;
    emit->len = len;
    snprintf(emit->destination, sizeof emit->destination, "%s", destination ? destination : "");
    if (id_out)
        snprintf(id_out, PACTA_HANDLER_ID_MAX + 1, "%s", message_id);
    return 0;
}

/* Appends one follow-up action (stolen). */
static int
s_owe(pacta_handler_ctx_t *ctx, json_t *action)
{
    if (!action) {
        ctx->overflow = true;
        return -1;
    }
    if (!ctx->owed)
        ctx->owed = json_array();
    if (!ctx->owed || json_array_size(ctx->owed) >= PACTA_HANDLER_FOLLOWUPS_MAX) {
        json_decref(action);
        ctx->overflow = true;
        return -1;
    }
    json_array_append_new(ctx->owed, action);
    return 0;
}

/* Timer ids keep to the characters pacta_timers accepts. */
static void
s_timer_id(const char *id, char *out, size_t size)
{
    size_t i = 0;
    for (; id[i] && i + 1 < size; i++) {
        char c = id[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_'
                  || c == ':' || c == '/' || c == '@' || c == '+' || c == '-';
        out[i] = ok ? c : '_';
    }
    out[i] = '\0';
}

int
pacta_handler_schedule_timer(pacta_handler_ctx_t *ctx, const char *id, pacta_date_t fires_on,
                             const char *purpose, const json_t *payload)
{
    assert(ctx && id && purpose);
    if (!pacta_date_is_valid(fires_on) || (payload && !json_is_object(payload)))
        return -1;
    char timer_id[192];
    s_timer_id(id, timer_id, sizeof timer_id);
    json_t *body = json_object();
    json_object_set_new(body, "purpose", json_string(purpose));
    json_object_set_new(body, "data", payload ? json_deep_copy(payload) : json_object());
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    if (!text) {
        ctx->overflow = true;
        return -1;
    }
    json_t *action = json_pack("{s:s, s:s, s:I, s:s, s:s}", "op", "timer", "id", timer_id, "due",
                               (json_int_t) pacta_date_start_instant(fires_on), "entity_key", ctx->entity_key,
                               "payload", text);
    free(text);
    return s_owe(ctx, action);
}

int
pacta_handler_cancel_timer(pacta_handler_ctx_t *ctx, const char *id)
{
    assert(ctx && id);
    char timer_id[192];
    s_timer_id(id, timer_id, sizeof timer_id);
    return s_owe(ctx, json_pack("{s:s, s:s}", "op", "cancel_timer", "id", timer_id));
}

int
pacta_handler_index_zadd(pacta_handler_ctx_t *ctx, const char *index, const char *member, double score)
{
    assert(ctx && index && member);
    char key[HANDLER_KEY_MAX];
    snprintf(key, sizeof key, "pacta:{ix:%s}:%s", ctx->tenant, index);
    return s_owe(ctx, json_pack("{s:s, s:s, s:s, s:f}", "op", "zadd", "key", key, "member", member, "score", score));
}

int
pacta_handler_index_zrem(pacta_handler_ctx_t *ctx, const char *index, const char *member)
{
    assert(ctx && index && member);
    char key[HANDLER_KEY_MAX];
    snprintf(key, sizeof key, "pacta:{ix:%s}:%s", ctx->tenant, index);
    return s_owe(ctx, json_pack("{s:s, s:s, s:s}", "op", "zrem", "key", key, "member", member));
}

int
pacta_handler_index_hset(pacta_handler_ctx_t *ctx, const char *index, const char *field, const char *value)
{
    assert(ctx && index && field && value);
    char key[HANDLER_KEY_MAX];
    snprintf(key, sizeof key, "pacta:{ix:%s}:%s", ctx->tenant, index);
    return s_owe(ctx, json_pack("{s:s, s:s, s:s, s:s}", "op", "hset", "key", key, "field", field, "value", value));
}

int
pacta_handler_link(pacta_handler_ctx_t *ctx, const char *entity_key, const char *suffix, const char *field,
                   const char *value)
{
    assert(ctx && entity_key && suffix && field && value);
    char prefix[PACTA_DEDUP_PREFIX_MAX + 1];
    if (pacta_dedup_prefix(ctx->tenant, entity_key, prefix, sizeof prefix) != 0)
        return -1;
    char key[HANDLER_KEY_MAX];
    snprintf(key, sizeof key, "%s:%s", prefix, suffix);
    if (s_owe(ctx, json_pack("{s:s, s:s, s:s, s:s}", "op", "hset", "key", key, "field", field, "value", value))
        != 0)
        return -1;
    return s_owe(ctx, json_pack("{s:s, s:s}", "op", "retry_parked", "entity_key", entity_key));
}

int
pacta_handler_park(pacta_handler_ctx_t *ctx, const char *waiting_for)
{
    assert(ctx && waiting_for);
    ctx->parked = true;
    snprintf(ctx->waiting_for, sizeof ctx->waiting_for, "%s", waiting_for);
    return 0;
}

int
pacta_handler_refuse(pacta_handler_ctx_t *ctx, Pacta__V1__NackReason reason, const char *field,
                     const char *detail_fmt, ...)
{
    assert(ctx && detail_fmt);
    ctx->refused = true;
    ctx->reason = reason;
    snprintf(ctx->field, sizeof ctx->field, "%s", field ? field : "");
    va_list args;
    va_start(args, detail_fmt);
    vsnprintf(ctx->detail, sizeof ctx->detail, detail_fmt, args);
    va_end(args);
    return -1;
}

int
pacta_handler_require_contract(pacta_handler_ctx_t *ctx, const char *contract_id)
{
    assert(ctx && contract_id);
    char key[HANDLER_KEY_MAX];
    if (snprintf(key, sizeof key, "pacta:%s:{c:%s}:contract", ctx->tenant, contract_id) >= (int) sizeof key)
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_INVALID, "contract_id",
                                    "contract_id: too long");
    redisReply *reply = NULL;
    if (pacta_store_command_strs(ctx->store, &reply, "EXISTS", key, NULL) != 0)
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_RETRY_LATER, NULL,
                                    "cannot look contract %s up; retry later", contract_id);
    const bool exists = reply->type == REDIS_REPLY_INTEGER && reply->integer > 0;
    freeReplyObject(reply);
    if (!exists)
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_UNKNOWN_ENTITY, "contract_id",
                                    "contract %s does not exist for tenant %s", contract_id, ctx->tenant);
    return 0;
}

/* ---- helpers ---------------------------------------------------------------- */

pacta_date_t
pacta_handler_date(const Pacta__V1__Date *date)
{
    if (!date)
        return PACTA_DATE_INVALID;
    return pacta_date_from_ymd(date->year, date->month, date->day);
}

void
pacta_handler_set_date(Pacta__V1__Date *out, pacta_date_t date)
{
    assert(out);
    pacta__v1__date__init(out);
    if (!pacta_date_is_valid(date))
        return;
    int year, month, day;
    pacta_date_to_ymd(date, &year, &month, &day);
    out->year = year;
    out->month = month;
    out->day = day;
}

char *
pacta_handler_date_text(pacta_date_t date, char *buf, size_t size)
{
    assert(buf && size > 0);
    if (!pacta_date_is_valid(date))
        buf[0] = '\0';
    else
        pacta_date_format(date, buf, size);
    return buf;
}
