/*  =========================================================================
    pacta_runtime - the service shell: bus worker, effects, outbox relay,
    timer loop, parking area and owed follow-ups

    Every service reacts to messages and timers the same way, so the way a
    fact becomes committed state lives here once (docs/state.md):
    validate, run the handler, apply its effect in ONE Lua script
    (entity_effect.lua inside pacta_dedup's wrapper: compare-and-set on the
    documents' versions, message id recorded, audit entries, outbox), and
    only then ACK.

    Design decisions:
      - A version conflict is not an error but the normal price of two
        instances touching one contract: reload and run the handler again.
      - Timers and tenant indexes live in other hash slots than the entity,
        so they cannot be written by the entity's script. The script records
        them as OWED (in the entity's slot) and the entity is marked in
        pacta:{owed:<service>}:due before the script runs; after the commit
        they are performed and forgotten. A crash in between leaves the mark,
        and the periodic sweep of any instance performs them. Every
        follow-up is idempotent (deterministic timer ids, ZADD/HSET).
      - Early facts are parked with their envelope, without recording their
        id, and retried after every committed effect on the same entity; one
        HLEN when nothing waits.
      - Everything runs on the service's one thread, driven by
        pacta_runtime_tick(); the bus health flag is the only shared state.
    =========================================================================
*/
#include "pacta_runtime.h"

#include <assert.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "pacta_bus_producer.h"
#include "pacta_bus_worker.h"
#include "pacta_dedup.h"
#include "pacta_handler_private.h"
#include "pacta_log.h"
#include "pacta_outbox.h"
#include "pacta_proto_registry.h"
#include "pacta_timers.h"

#define EFFECT_SCRIPT "entity_effect"     /* dedup script name of the effect body */
#define UNMARK_SCRIPT "owed_unmark"       /* guarded removal of an owed mark */
#define FORGET_SCRIPT "owed_forget"       /* HDEL owed + what is left owed and parked */
#define LOAD_SCRIPT "entity_load"         /* dedup look + documents in one round trip */
#define DELIVERIES_PER_TURN 64            /* deliveries handled before relaying again */
#define RECV_SLICE_MS 10                  /* longest wait on the worker socket per turn */
#define TIMERS_PER_TENANT 32              /* timers claimed per tenant per tick */
#define SWEEP_EVERY_MS 2000               /* owed sweep period */
#define METRICS_EVERY_MS 1000             /* gauge refresh period */
#define SWEEP_BATCH 32                    /* entities settled per sweep */
#define UNPARK_PASSES 8                   /* retry passes over one entity's parked facts */
#define TIMER_RETRY_MS 1000               /* back-off of a timer whose handler could not commit */
#define PAYLOAD_DIGEST_TYPE "timer"       /* digest namespace of timers */

extern const char pacta_lua_entity_effect[];
extern const char pacta_lua_owed_unmark[];
extern const char pacta_lua_owed_forget[];
extern const char pacta_lua_entity_load[];

struct pacta_runtime {
    char service[PACTA_BUS_NAME_MAX + 1];  /* service name */
    char instance_id[PACTA_BUS_NAME_MAX + 1]; /* bus instance id */
    const char *const *consumes;           /* registered types, borrowed */
    const pacta_handler_set_t *handlers;   /* may be NULL */
    pacta_store_t *store;                  /* borrowed */
    const pacta_profile_set_t *profiles;   /* borrowed */
    pacta_clock_t *clock;                  /* borrowed */
    pacta_metrics_t *metrics;              /* borrowed, may be NULL */
    void *zmq_context;                     /* owned when a bus endpoint is set */
    pacta_bus_worker_t *worker;            /* NULL without bus_backend */
    pacta_bus_producer_t *producer;        /* NULL without bus_frontend */
    pacta_outbox_t *outbox;                /* this service's outbox */
    pacta_dedup_t *dedup;                  /* effect scripts */
    pacta_timers_t *timers;                /* this service's timers */
    char bus_backend[256];                 /* for the health detail */
    atomic_bool bus_connected;             /* read by the HTTP thread */
    char owed_index[128];                  /* pacta:{owed:<service>}:due */
    int64_t next_sweep_ms;                 /* monotonic time of the next owed sweep */
    int64_t next_metrics_ms;               /* monotonic time of the next gauge refresh */
    long long parked_after_commit;         /* facts parked on the entity at its commit, -1 unknown */
    bool timer_backlog;                    /* the last timer look found a full batch */
};

/* One run of a handler: what to call and on what. */
typedef struct {
    pacta_message_handler_fn message_fn;   /* for a message */
    pacta_timer_handler_fn timer_fn;       /* for a timer */
    const ProtobufCMessage *payload;       /* decoded message payload */
    const json_t *timer_payload;           /* timer data */
    const char *const *documents;          /* to load */
    const char *message_id;                /* dedup id: message id or tm:<id> */
    const char *digest;                    /* content digest */
} run_t;

/* ---- small utilities ------------------------------------------------------ */

static int64_t
s_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t
s_wall_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
s_count(pacta_runtime_t *self, const char *name, const char *k1, const char *v1, const char *k2, const char *v2)
{
    if (!self->metrics)
        return;
    if (k2)
        pacta_metrics_counter_add(self->metrics, name, 1, "service", self->service, k1, v1, k2, v2, NULL);
    else if (k1)
        pacta_metrics_counter_add(self->metrics, name, 1, "service", self->service, k1, v1, NULL);
    else
        pacta_metrics_counter_add(self->metrics, name, 1, "service", self->service, NULL);
}

static void
s_result_nack(pacta_runtime_result_t *result, Pacta__V1__NackReason reason, const char *field, const char *detail)
{
    result->ack = false;
    result->reason = reason;
    snprintf(result->field, sizeof result->field, "%s", field ? field : "");
    snprintf(result->detail, sizeof result->detail, "%s", detail ? detail : "");
}

static const pacta_message_handler_t *
s_find_message_handler(const pacta_runtime_t *self, const char *type)
{
    if (!self->handlers)
        return NULL;
    for (size_t i = 0; i < self->handlers->message_count; i++)
        if (strcmp(self->handlers->messages[i].message_type, type) == 0)
            return &self->handlers->messages[i];
    return NULL;
}

static const pacta_timer_handler_t *
s_find_timer_handler(const pacta_runtime_t *self, const char *purpose)
{
    if (!self->handlers)
        return NULL;
    for (size_t i = 0; i < self->handlers->timer_count; i++)
        if (strcmp(self->handlers->timers[i].purpose, purpose) == 0)
            return &self->handlers->timers[i];
    return NULL;
}

/* Splits "pacta:<tenant>:{<entity_key>}" into its parts. 0 or -1. */
static int
s_split_prefix(const char *prefix, char *tenant, size_t tenant_size, char *entity_key, size_t key_size)
{
    if (strncmp(prefix, "pacta:", 6) != 0)
        return -1;
    const char *start = prefix + 6;
    const char *colon = strstr(start, ":{");
    size_t len = strlen(prefix);
    if (!colon || len < 2 || prefix[len - 1] != '}')
        return -1;
    snprintf(tenant, tenant_size, "%.*s", (int) (colon - start), start);
    snprintf(entity_key, key_size, "%.*s", (int) (prefix + len - 1 - (colon + 2)), colon + 2);
    return tenant[0] && entity_key[0] ? 0 : -1;
}

/* ---- payload validation ---------------------------------------------------- */

/* Checks every pacta.v1.Date and pacta.v1.Money in msg, recursively. 0, or
   -1 with the field path and a sentence. */
static int
s_validate(const ProtobufCMessage *msg, const char *path, char *field, size_t field_size, char *detail,
           size_t detail_size)
{
    const ProtobufCMessageDescriptor *desc = msg->descriptor;
    if (strcmp(desc->name, "pacta.v1.Date") == 0) {
        const Pacta__V1__Date *date = (const Pacta__V1__Date *) msg;
        if (!pacta_date_is_valid(pacta_date_from_ymd(date->year, date->month, date->day))) {
            snprintf(field, field_size, "%s", path);
            snprintf(detail, detail_size, "%s: %04d-%02d-%02d is not a date", path, date->year, date->month,
                     date->day);
            return -1;
        }
        return 0;
    }
    if (strcmp(desc->name, "pacta.v1.Money") == 0) {
        const Pacta__V1__Money *money = (const Pacta__V1__Money *) msg;
        if (!money->currency || strcmp(money->currency, "EUR") != 0) {
            snprintf(field, field_size, "%s.currency", path);
            snprintf(detail, detail_size, "%s.currency: only EUR is accepted, got \"%.8s\"", path,
                     money->currency ? money->currency : "");
            return -1;
        }
        return 0;
    }
    for (unsigned i = 0; i < desc->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &desc->fields[i];
        if (f->type != PROTOBUF_C_TYPE_MESSAGE)
            continue;
        const char *base = (const char *) msg;
        if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
            uint32_t which = *(const uint32_t *) (base + f->quantifier_offset);
            if (which != f->id)
                continue;
        }
        char sub_path[256];
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t count = *(const size_t *) (base + f->quantifier_offset);
            ProtobufCMessage *const *items = *(ProtobufCMessage *const *const *) (base + f->offset);
            for (size_t k = 0; k < count; k++) {
                snprintf(sub_path, sizeof sub_path, "%s%s%s[%zu]", path, path[0] ? "." : "", f->name, k);
                if (items[k] && s_validate(items[k], sub_path, field, field_size, detail, detail_size) != 0)
                    return -1;
            }
        }
        else {
            const ProtobufCMessage *sub = *(ProtobufCMessage *const *) (base + f->offset);
            snprintf(sub_path, sizeof sub_path, "%s%s%s", path, path[0] ? "." : "", f->name);
            if (sub && s_validate(sub, sub_path, field, field_size, detail, detail_size) != 0)
                return -1;
        }
    }
    return 0;
}

/* Checks that each named top-level field is set. 0, or -1 naming it. */
static int
s_check_required(const ProtobufCMessage *msg, const char *const *required, char *field, size_t field_size,
                 char *detail, size_t detail_size)
{
    for (size_t i = 0; required && required[i]; i++) {
        const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field_by_name(msg->descriptor,
                                                                                            required[i]);
        assert(f);   /* a handler naming a field its message lacks is a programming error */
        const char *base = (const char *) msg;
        bool set = true;
        if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
            set = *(const uint32_t *) (base + f->quantifier_offset) == f->id;
        else if (f->label == PROTOBUF_C_LABEL_REPEATED)
            set = *(const size_t *) (base + f->quantifier_offset) > 0;
        else {
            switch (f->type) {
                case PROTOBUF_C_TYPE_STRING: {
                    const char *text = *(const char *const *) (base + f->offset);
                    set = text && text[0];
                    break;
                }
                case PROTOBUF_C_TYPE_MESSAGE:
                    set = *(const void *const *) (base + f->offset) != NULL;
                    break;
                case PROTOBUF_C_TYPE_ENUM:
                    set = *(const int *) (base + f->offset) != 0;
                    break;
                case PROTOBUF_C_TYPE_BYTES:
                    set = ((const ProtobufCBinaryData *) (base + f->offset))->len > 0;
                    break;
                default:
                    set = true;   /* proto3 scalars: 0 is indistinguishable from absent */
                    break;
            }
        }
        if (!set) {
            snprintf(field, field_size, "%s", f->name);
            snprintf(detail, detail_size, "%s: required by %s", f->name, msg->descriptor->name);
            return -1;
        }
    }
    return 0;
}

/* ---- applying an effect ---------------------------------------------------- */

/* The arguments of one effect call, owned. */
typedef struct {
    const char *keys[PACTA_DEDUP_KEYS_MAX];  /* key names (borrowed from ctx or key_store) */
    char key_store[7][HANDLER_KEY_MAX];      /* keys built here */
    size_t key_count;                        /* entries in keys */
    const char *args[PACTA_DEDUP_ARGS_MAX];  /* argument bytes */
    size_t arg_lens[PACTA_DEDUP_ARGS_MAX];   /* their lengths */
    char *owned[PACTA_DEDUP_ARGS_MAX];       /* arguments to free */
    size_t arg_count;                        /* entries in args */
} effect_args_t;

static void
s_effect_args_free(effect_args_t *e)
{
    for (size_t i = 0; i < e->arg_count; i++)
        free(e->owned[i]);
    memset(e, 0, sizeof *e);
}

/* Adds a key; returns its Lua index (1-based) or -1. */
static int
s_add_key(effect_args_t *e, const char *key)
{
    if (e->key_count == PACTA_DEDUP_KEYS_MAX)
        return -1;
    e->keys[e->key_count++] = key;
    return (int) e->key_count;
}

/* Adds an argument (owned when own is true); returns its Lua index or -1. */
static int
s_add_arg(effect_args_t *e, char *bytes, size_t len, bool own)
{
    if (e->arg_count == PACTA_DEDUP_ARGS_MAX || !bytes) {
        if (own)
            free(bytes);
        return -1;
    }
    e->args[e->arg_count] = bytes;
    e->arg_lens[e->arg_count] = len;
    e->owned[e->arg_count] = own ? bytes : NULL;
    e->arg_count++;
    return (int) e->arg_count;
}

static int
s_add_json_arg(effect_args_t *e, const json_t *json)
{
    char *text = json_dumps(json, JSON_COMPACT);
    return text ? s_add_arg(e, text, strlen(text), true) : -1;
}

/* Builds the plan and the arguments of ctx's effect. park_envelope (packed)
   turns it into a park; unpark_field names the parked fact that now
   applies. 0 or -1 (capacity). */
static int
s_build_effect(pacta_runtime_t *self, pacta_handler_ctx_t *ctx, const unsigned char *park_envelope,
               size_t park_len, const char *unpark_field, effect_args_t *e)
{
    memset(e, 0, sizeof *e);
    json_t *plan = json_object();
    if (!plan)
        return -1;
    int rc = -1;
    json_object_set_new(plan, "cause", json_string(ctx->cause_id ? ctx->cause_id : ""));
    if (s_add_arg(e, (char *) "", 0, false) != 1)   /* the plan, filled in last */
        goto cleanup;

    if (park_envelope) {
        snprintf(e->key_store[0], HANDLER_KEY_MAX, "%s:parked:%s", ctx->prefix, self->service);
        snprintf(e->key_store[1], HANDLER_KEY_MAX, "%s:parked:%s:info", ctx->prefix, self->service);
        int key = s_add_key(e, e->key_store[0]);
        int info_key = s_add_key(e, e->key_store[1]);
        char *copy = malloc(park_len > 0 ? park_len : 1);
        if (!copy)
            goto cleanup;
        memcpy(copy, park_envelope, park_len);
        int arg = s_add_arg(e, copy, park_len, true);
        json_t *info = json_pack("{s:s, s:s, s:I}", "message_type", ctx->cause_type, "waiting_for",
                                 ctx->waiting_for, "parked_at_ms", (json_int_t) (s_wall_us() / 1000));
        int info_arg = info ? s_add_json_arg(e, info) : -1;
        json_decref(info);
        if (key < 0 || info_key < 0 || arg < 0 || info_arg < 0)
            goto cleanup;
        json_object_set_new(plan, "park", json_pack("{s:i, s:i, s:s, s:i, s:i}", "key", key, "info_key", info_key,
                                                    "field", ctx->cause_id, "arg", arg, "info_arg", info_arg));
    }
    else {
        json_t *docs = json_array();
        json_object_set_new(plan, "docs", docs);
        for (size_t i = 0; i < ctx->doc_count; i++) {
            handler_doc_t *doc = &ctx->docs[i];
            if (!doc->put)
                continue;
            int key = s_add_key(e, doc->key);
            int arg = s_add_json_arg(e, doc->doc);
            if (key < 0 || arg < 0)
                goto cleanup;
            json_array_append_new(docs, json_pack("{s:i, s:I, s:i}", "key", key, "expect",
                                                  (json_int_t) doc->version, "arg", arg));
        }
        json_t *emits = json_array();
        json_object_set_new(plan, "emit", emits);
        for (size_t i = 0; i < ctx->emit_count; i++) {
            int arg = s_add_arg(e, (char *) ctx->emits[i].bytes, ctx->emits[i].len, false);
            if (arg < 0)
                goto cleanup;
            json_array_append_new(emits, json_pack("{s:i, s:s}", "arg", arg, "dest", ctx->emits[i].destination));
        }
        json_t *hsets = json_array();
        json_object_set_new(plan, "hset", hsets);
        if (ctx->owed && json_array_size(ctx->owed) > 0) {
            snprintf(e->key_store[2], HANDLER_KEY_MAX, "%s:owed:%s", ctx->prefix, self->service);
            int key = s_add_key(e, e->key_store[2]);
            int arg = s_add_json_arg(e, ctx->owed);
            if (key < 0 || arg < 0)
                goto cleanup;
            json_array_append_new(hsets, json_pack("{s:i, s:s, s:i}", "key", key, "field", ctx->cause_id, "arg", arg));
        }
        json_t *hdels = json_array();
        json_object_set_new(plan, "hdel", hdels);
        if (unpark_field) {
            snprintf(e->key_store[3], HANDLER_KEY_MAX, "%s:parked:%s", ctx->prefix, self->service);
            snprintf(e->key_store[4], HANDLER_KEY_MAX, "%s:parked:%s:info", ctx->prefix, self->service);
            int key = s_add_key(e, e->key_store[3]);
            int info_key = s_add_key(e, e->key_store[4]);
            if (key < 0 || info_key < 0)
                goto cleanup;
            json_array_append_new(hdels, json_pack("{s:i, s:s}", "key", key, "field", unpark_field));
            json_array_append_new(hdels, json_pack("{s:i, s:s}", "key", info_key, "field", unpark_field));
        }
        //  The facts still parked, counted in the same atomic step and
        //  report()ed: pacta_runtime_handle needs no HLEN of its own after
        //  the commit. Without room for the key, it counts as before.
        snprintf(e->key_store[6], HANDLER_KEY_MAX, "%s:parked:%s", ctx->prefix, self->service);
        int parked_key = s_add_key(e, e->key_store[6]);
        if (parked_key > 0)
            json_object_set_new(plan, "parked_key", json_integer(parked_key));
    }
    if (ctx->audit && json_array_size(ctx->audit) > 0) {
        snprintf(e->key_store[5], HANDLER_KEY_MAX, "%s:audit", ctx->prefix);
        int key = s_add_key(e, e->key_store[5]);
        int arg = s_add_json_arg(e, ctx->audit);
        if (key < 0 || arg < 0)
            goto cleanup;
        json_object_set_new(plan, "audit", json_pack("{s:i, s:i}", "key", key, "arg", arg));
    }
    char *text = json_dumps(plan, JSON_COMPACT);
    if (!text)
        goto cleanup;
    e->args[0] = text;
    e->arg_lens[0] = strlen(text);
    e->owned[0] = text;
    rc = 0;
cleanup:
    json_decref(plan);
    if (rc != 0)
        s_effect_args_free(e);
    return rc;
}

/* ---- follow-ups -------------------------------------------------------------- */

static int s_retry_parked(pacta_runtime_t *self, const char *tenant, const char *entity_key);

/* Performs one owed action. 0 or -1 (left owed). */
static int
s_perform(pacta_runtime_t *self, const char *tenant, const json_t *action)
{
    const char *op = json_string_value(json_object_get(action, "op"));
    if (!op)
        return 0;   /* unreadable: nothing sensible to do, drop it */
    if (strcmp(op, "timer") == 0) {
        const char *id = json_string_value(json_object_get(action, "id"));
        const char *entity_key = json_string_value(json_object_get(action, "entity_key"));
        const char *payload = json_string_value(json_object_get(action, "payload"));
        json_int_t due = json_integer_value(json_object_get(action, "due"));
        if (!id || !entity_key || !payload)
            return 0;
        if (pacta_timers_schedule(self->timers, tenant, id, (pacta_instant_t) due, entity_key, payload,
                                  strlen(payload), NULL) != 0) {
            pacta_log_warn("cannot schedule timer, will retry", "tenant", tenant, "timer", id, "error",
                           pacta_timers_error(self->timers));
            return -1;
        }
        return 0;
    }
    if (strcmp(op, "cancel_timer") == 0) {
        const char *id = json_string_value(json_object_get(action, "id"));
        if (!id)
            return 0;
        return pacta_timers_cancel(self->timers, tenant, id, NULL);
    }
    if (strcmp(op, "zadd") == 0) {
        const char *key = json_string_value(json_object_get(action, "key"));
        const char *member = json_string_value(json_object_get(action, "member"));
        if (!key || !member)
            return 0;
        char score[64];
        snprintf(score, sizeof score, "%.17g", json_number_value(json_object_get(action, "score")));
        return pacta_store_command_strs(self->store, NULL, "ZADD", key, score, member, NULL);
    }
    if (strcmp(op, "zrem") == 0) {
        const char *key = json_string_value(json_object_get(action, "key"));
        const char *member = json_string_value(json_object_get(action, "member"));
        if (!key || !member)
            return 0;
        return pacta_store_command_strs(self->store, NULL, "ZREM", key, member, NULL);
    }
    if (strcmp(op, "hset") == 0) {
        const char *key = json_string_value(json_object_get(action, "key"));
        const char *field = json_string_value(json_object_get(action, "field"));
        const char *value = json_string_value(json_object_get(action, "value"));
        if (!key || !field || !value)
            return 0;
        return pacta_store_command_strs(self->store, NULL, "HSET", key, field, value, NULL);
    }
    if (strcmp(op, "retry_parked") == 0) {
        const char *entity_key = json_string_value(json_object_get(action, "entity_key"));
        if (entity_key)
            s_retry_parked(self, tenant, entity_key);
        return 0;
    }
    return 0;
}

/* Performs a JSON array of actions; 0 when all succeeded. */
static int
s_perform_all(pacta_runtime_t *self, const char *tenant, const json_t *actions)
{
    int rc = 0;
    size_t i;
    json_t *action;
    json_array_foreach(actions, i, action) {
        if (s_perform(self, tenant, action) != 0)
            rc = -1;
    }
    return rc;
}

/* Removes the owed mark of prefix if it is still `mark`. */
static void
s_unmark(pacta_runtime_t *self, const char *prefix, const char *mark)
{
    const char *keys[] = {self->owed_index};
    const char *args[] = {prefix, mark};
    redisReply *reply = NULL;
    if (pacta_store_script_run(self->store, &reply, UNMARK_SCRIPT, 1, keys, NULL, 2, args, NULL) == 0)
        freeReplyObject(reply);
}

/* After a commit: performs ctx's owed follow-ups, forgets them, unmarks. */
static void
s_settle(pacta_runtime_t *self, pacta_handler_ctx_t *ctx, const char *mark)
{
    if (!ctx->owed || json_array_size(ctx->owed) == 0)
        return;
    const long long counted = self->parked_after_commit;   /* by the effect script */
    int performed = s_perform_all(self, ctx->tenant, ctx->owed);
    self->parked_after_commit = counted;   /* a retry_parked action may have counted another entity */
    if (performed != 0)
        return;   /* the sweep will finish the job */
    //  One script forgets the entry and counts what is left owed and
    //  parked (the count spares pacta_runtime_handle its own HLEN).
    char key[HANDLER_KEY_MAX], parked_key[HANDLER_KEY_MAX];
    snprintf(key, sizeof key, "%s:owed:%s", ctx->prefix, self->service);
    snprintf(parked_key, sizeof parked_key, "%s:parked:%s", ctx->prefix, self->service);
    const char *keys[] = {key, parked_key};
    const char *args[] = {ctx->cause_id};
    redisReply *reply = NULL;
    if (pacta_store_script_run(self->store, &reply, FORGET_SCRIPT, 2, keys, NULL, 1, args, NULL) != 0)
        return;
    bool understood = reply->type == REDIS_REPLY_ARRAY && reply->elements == 2
                      && reply->element[0]->type == REDIS_REPLY_INTEGER
                      && reply->element[1]->type == REDIS_REPLY_INTEGER;
    bool empty = understood && reply->element[0]->integer == 0;
    if (understood)
        self->parked_after_commit = reply->element[1]->integer;
    freeReplyObject(reply);
    if (empty)
        s_unmark(self, ctx->prefix, mark);
}

int
pacta_runtime_sweep_owed(pacta_runtime_t *self, int64_t min_age_ms)
{
    assert(self);
    char upper[32];
    snprintf(upper, sizeof upper, "%lld", (long long) (s_wall_us() - min_age_ms * 1000));
    char batch[16];
    snprintf(batch, sizeof batch, "%d", SWEEP_BATCH);
    redisReply *reply = NULL;
    if (pacta_store_command_strs(self->store, &reply, "ZRANGEBYSCORE", self->owed_index, "-inf", upper, "WITHSCORES",
                                 "LIMIT", "0", batch, NULL)
        != 0)
        return -1;
    int settled = 0;
    for (size_t i = 0; reply->type == REDIS_REPLY_ARRAY && i + 1 < reply->elements; i += 2) {
        const redisReply *member = reply->element[i];
        const redisReply *score = reply->element[i + 1];
        if (member->type != REDIS_REPLY_STRING || score->type != REDIS_REPLY_STRING)
            continue;
        char prefix[PACTA_DEDUP_PREFIX_MAX + 1], mark[64], tenant[80], entity_key[PACTA_BUS_ENTITY_KEY_MAX + 1];
        snprintf(prefix, sizeof prefix, "%.*s", (int) member->len, member->str);
        snprintf(mark, sizeof mark, "%.*s", (int) score->len, score->str);
        if (s_split_prefix(prefix, tenant, sizeof tenant, entity_key, sizeof entity_key) != 0) {
            s_unmark(self, prefix, mark);
            continue;
        }
        char key[HANDLER_KEY_MAX];
        snprintf(key, sizeof key, "%s:owed:%s", prefix, self->service);
        redisReply *owed = NULL;
        if (pacta_store_command_strs(self->store, &owed, "HGETALL", key, NULL) != 0)
            continue;
        bool all_done = true;
        for (size_t k = 0; owed->type == REDIS_REPLY_ARRAY && k + 1 < owed->elements; k += 2) {
            const redisReply *field = owed->element[k];
            const redisReply *value = owed->element[k + 1];
            json_error_t error;
            json_t *actions = json_loadb(value->str, value->len, 0, &error);
            int rc = actions ? s_perform_all(self, tenant, actions) : 0;
            json_decref(actions);
            if (rc != 0) {
                all_done = false;
                continue;
            }
            const char *argv[] = {"HDEL", key, field->str};
            const size_t lens[] = {4, strlen(key), field->len};
            pacta_store_command(self->store, NULL, 3, argv, lens);
        }
        freeReplyObject(owed);
        if (all_done) {
            redisReply *count = NULL;
            if (pacta_store_command_strs(self->store, &count, "HLEN", key, NULL) == 0) {
                if (count->type == REDIS_REPLY_INTEGER && count->integer == 0)
                    s_unmark(self, prefix, mark);
                freeReplyObject(count);
            }
            settled++;
        }
    }
    freeReplyObject(reply);
    return settled;
}

/* ---- running a handler --------------------------------------------------------- */

/* Runs `run` in ctx (prepared: store, cause, envelope, today) until its
   effect commits, is refused or gives up. unpark_field: the parked fact
   being applied (NULL otherwise). *committed tells whether an effect was
   applied (then follow-ups ran). */
static void
s_run(pacta_runtime_t *self, pacta_handler_ctx_t *ctx, const run_t *run, const char *unpark_field,
      pacta_runtime_result_t *result, bool *committed)
{
    *committed = false;
    void *arg = self->handlers ? self->handlers->arg : NULL;
    for (int attempt = 1; attempt <= PACTA_RUNTIME_CAS_ATTEMPTS; attempt++) {
        result->attempts = attempt;
        handler_ctx_reset_effect(ctx);
        const bool preloaded = ctx->preloaded;   /* by s_seen_load, for the first attempt only */
        ctx->preloaded = false;
        if (!preloaded && handler_ctx_load(ctx, run->documents) != 0) {
            s_result_nack(result, PACTA__V1__NACK_REASON__NACK_REASON_RETRY_LATER, NULL,
                          "cannot read the entity's state; retry later");
            return;
        }
        int rc = run->message_fn ? run->message_fn(ctx, run->payload, arg) : run->timer_fn(ctx, run->timer_payload, arg);
        if (ctx->refused || rc != 0) {
            if (ctx->refused)
                s_result_nack(result, ctx->reason, ctx->field, ctx->detail);
            else
                s_result_nack(result, PACTA__V1__NACK_REASON__NACK_REASON_INTERNAL, NULL,
                              "the handler failed without a reason");
            return;
        }
        if (ctx->overflow) {
            s_result_nack(result, PACTA__V1__NACK_REASON__NACK_REASON_INTERNAL, NULL,
                          "the effect is larger than one script may carry");
            return;
        }
        unsigned char *park_bytes = NULL;
        size_t park_len = 0;
        if (ctx->parked) {
            if (unpark_field) {
                /* Still waiting: nothing to write. */
                result->ack = true;
                result->parked = true;
                return;
            }
            if (!ctx->envelope) {
                /* A timer has no envelope to park: it is released and fires again later. */
                char detail[sizeof ctx->waiting_for + 32];
                snprintf(detail, sizeof detail, "the timer waits for %s", ctx->waiting_for);
                s_result_nack(result, PACTA__V1__NACK_REASON__NACK_REASON_RETRY_LATER, NULL, detail);
                return;
            }
            char waiting_for[HANDLER_WAIT_MAX];
            snprintf(waiting_for, sizeof waiting_for, "%s", ctx->waiting_for);
            handler_ctx_reset_effect(ctx);
            ctx->parked = true;
            snprintf(ctx->waiting_for, sizeof ctx->waiting_for, "%s", waiting_for);
            json_t *entry = json_pack("{s:s, s:s, s:s}", "entry", "parked", "summary", "", "message_type",
                                      ctx->cause_type);
            if (entry) {
                char summary[256];
                snprintf(summary, sizeof summary, "%s waits for %s", ctx->cause_type, ctx->waiting_for);
                json_object_set_new(entry, "summary", json_string(summary));
                pacta_handler_audit(ctx, entry);
                json_decref(entry);
            }
            park_bytes = pacta_bus_envelope_pack(ctx->envelope, &park_len);
            if (!park_bytes) {
                s_result_nack(result, PACTA__V1__NACK_REASON__NACK_REASON_RETRY_LATER, NULL, "out of memory");
                return;
            }
        }
        effect_args_t e;
        int built = s_build_effect(self, ctx, park_bytes, park_len, unpark_field, &e);
        free(park_bytes);
        if (built != 0) {
            s_result_nack(result, PACTA__V1__NACK_REASON__NACK_REASON_INTERNAL, NULL,
                          "the effect is larger than one script may carry");
            return;
        }
        char mark[32] = "";
        if (!ctx->parked && ctx->owed && json_array_size(ctx->owed) > 0) {
            snprintf(mark, sizeof mark, "%lld", (long long) s_wall_us());
            if (pacta_store_command_strs(self->store, NULL, "ZADD", self->owed_index, mark, ctx->prefix, NULL) != 0) {
                s_effect_args_free(&e);
                s_result_nack(result, PACTA__V1__NACK_REASON__NACK_REASON_RETRY_LATER, NULL,
                              "cannot mark follow-ups; retry later");
                return;
            }
        }
        pacta_dedup_call_t call;
        memset(&call, 0, sizeof call);
        call.prefix = ctx->prefix;
        call.message_id = ctx->parked ? "" : run->message_id;
        call.digest = run->digest;
        call.key_count = e.key_count;
        call.keys = e.keys;
        call.arg_count = e.arg_count;
        call.args = e.args;
        call.arg_lens = e.arg_lens;
        call.emits = ctx->emit_count > 0 && !ctx->parked;
        pacta_dedup_apply(self->dedup, EFFECT_SCRIPT, &call);
        s_effect_args_free(&e);
        switch (call.outcome) {
            case PACTA_DEDUP_APPLIED:
                result->ack = true;
                if (ctx->parked) {
                    result->parked = true;
                    return;
                }
                result->version = call.result_integer > 0 ? (uint64_t) call.result_integer : 0;
                *committed = true;
                self->parked_after_commit = call.reported;   /* -1 when the script did not count */
                s_settle(self, ctx, mark);
                return;
            case PACTA_DEDUP_DUPLICATE:
                result->ack = true;
                result->duplicate = true;
                return;
            case PACTA_DEDUP_CONFLICT:
                s_result_nack(result, PACTA__V1__NACK_REASON__NACK_REASON_CONFLICT, "envelope.message_id",
                              "this message id was already applied with different content");
                return;
            case PACTA_DEDUP_REFUSED:
                if (strncmp(call.error, "VERSION", 7) == 0) {
                    s_count(self, "pacta_effect_conflicts_total", NULL, NULL, NULL, NULL);
                    continue;   /* another instance changed the entity: reload, decide again */
                }
                pacta_log_error("effect refused", "tenant", ctx->tenant, "entity", ctx->entity_key, "cause",
                                ctx->cause_id, "error", call.error);
                s_result_nack(result, PACTA__V1__NACK_REASON__NACK_REASON_INTERNAL, NULL, "the effect script failed");
                return;
            case PACTA_DEDUP_FAILED:
            default:
                s_result_nack(result, PACTA__V1__NACK_REASON__NACK_REASON_RETRY_LATER, NULL,
                              "Redis is unreachable; retry later");
                return;
        }
    }
    s_result_nack(result, PACTA__V1__NACK_REASON__NACK_REASON_RETRY_LATER, NULL,
                  "the entity kept changing under this message; retry later");
}

/* Already applied? 1 duplicate, 2 conflict (other content), 0 new, -1 Redis. */
static int
s_seen(pacta_runtime_t *self, const char *prefix, const char *message_id, const char *digest)
{
    char key[HANDLER_KEY_MAX];
    snprintf(key, sizeof key, "%s:seen:%s:digest", prefix, self->service);
    redisReply *reply = NULL;
    if (pacta_store_command_strs(self->store, &reply, "HGET", key, message_id, NULL) != 0)
        return -1;
    int rc = 0;
    if (reply->type == REDIS_REPLY_STRING)
        rc = (strlen(digest) == reply->len && memcmp(reply->str, digest, reply->len) == 0) ? 1 : 2;
    freeReplyObject(reply);
    return rc;
}

/* s_seen, and the documents loaded into ctx in the same round trip (the
   first attempt of s_run then does not load them again). Same returns. */
static int
s_seen_load(pacta_runtime_t *self, pacta_handler_ctx_t *ctx, const char *const *documents, const char *message_id,
            const char *digest)
{
    char key[HANDLER_KEY_MAX];
    snprintf(key, sizeof key, "%s:seen:%s:digest", ctx->prefix, self->service);
    redisReply *stored = NULL;
    if (handler_ctx_load_seen(ctx, documents, LOAD_SCRIPT, key, message_id, &stored) != 0) {
        //  A document that does not parse is the handler's business (s_run
        //  NACKs it); only the dedup look decides here.
        ctx->preloaded = false;
        return s_seen(self, ctx->prefix, message_id, digest);
    }
    int rc = 0;
    if (stored && stored->type == REDIS_REPLY_STRING)
        rc = (strlen(digest) == stored->len && memcmp(stored->str, digest, stored->len) == 0) ? 1 : 2;
    freeReplyObject(stored);
    return rc;
}

/* Handles one envelope (already unpacked); unpark_field for a parked fact. */
static void
s_handle(pacta_runtime_t *self, const Pacta__V1__Envelope *env, const char *unpark_field,
         pacta_runtime_result_t *result, bool *committed)
{
    *committed = false;
    const char *type = env->message_type ? env->message_type : "";
    const pacta_profile_t *profile = env->tenant ? pacta_profile_set_find(self->profiles, env->tenant) : NULL;
    if (!profile) {
        char detail[200];
        snprintf(detail, sizeof detail, "tenant '%.64s' is not configured here (no terms profile)",
                 env->tenant ? env->tenant : "");
        s_result_nack(result, PACTA__V1__NACK_REASON__NACK_REASON_UNKNOWN_TENANT, "envelope.tenant", detail);
        return;
    }
    if (env->schema_version != 1) {
        s_result_nack(result, PACTA__V1__NACK_REASON__NACK_REASON_UNSUPPORTED_VERSION, "envelope.schema_version",
                      "only schema version 1 (pacta.v1) is spoken here");
        return;
    }
    if (!env->message_id || !env->message_id[0]) {
        s_result_nack(result, PACTA__V1__NACK_REASON__NACK_REASON_INVALID, "envelope.message_id",
                      "a message needs a message_id");
        return;
    }
    const pacta_message_handler_t *handler = s_find_message_handler(self, type);
    if (!handler) {
        result->ack = true;
        result->ignored = true;
        return;
    }
    const ProtobufCMessageDescriptor *desc = pacta_proto_find(type, strlen(type));
    if (!desc) {
        s_result_nack(result, PACTA__V1__NACK_REASON__NACK_REASON_UNKNOWN_TYPE, "envelope.message_type",
                      "no message of this type exists");
        return;
    }
    if (!env->entity_key || !env->entity_key[0]) {
        s_result_nack(result, PACTA__V1__NACK_REASON__NACK_REASON_INVALID, "envelope.entity_key",
                      "a message needs an entity_key (c:<contract id>...)");
        return;
    }
    pacta_handler_ctx_t ctx;
    if (handler_ctx_init(&ctx, self->service, env->tenant, profile, env->entity_key) != 0) {
        s_result_nack(result, PACTA__V1__NACK_REASON__NACK_REASON_INVALID, "envelope.entity_key",
                      "entity_key is too long");
        return;
    }
    char digest[PACTA_DEDUP_DIGEST_LEN + 1];
    pacta_dedup_digest(type, env->payload.data, env->payload.len, digest);
    ctx.store = self->store;
    if (!unpark_field) {
        int seen = s_seen_load(self, &ctx, handler->documents, env->message_id, digest);
        if (seen < 0) {
            s_result_nack(result, PACTA__V1__NACK_REASON__NACK_REASON_RETRY_LATER, NULL,
                          "Redis is unreachable; retry later");
            handler_ctx_clear(&ctx);
            return;
        }
        if (seen == 1) {
            result->ack = true;
            result->duplicate = true;
            handler_ctx_clear(&ctx);
            return;
        }
        if (seen == 2) {
            s_result_nack(result, PACTA__V1__NACK_REASON__NACK_REASON_CONFLICT, "envelope.message_id",
                          "this message id was already applied with different content");
            handler_ctx_clear(&ctx);
            return;
        }
    }
    ProtobufCMessage *payload = protobuf_c_message_unpack(desc, NULL, env->payload.len, env->payload.data);
    if (!payload) {
        char detail[200];
        snprintf(detail, sizeof detail, "the payload does not decode as %s", type);
        s_result_nack(result, PACTA__V1__NACK_REASON__NACK_REASON_INVALID, "envelope.payload", detail);
        handler_ctx_clear(&ctx);   /* the documents loaded with the dedup look */
        return;
    }
    char field[96] = "", detail[256] = "";
    if (s_check_required(payload, handler->required, field, sizeof field, detail, sizeof detail) != 0
        || s_validate(payload, "", field, sizeof field, detail, sizeof detail) != 0) {
        s_result_nack(result, PACTA__V1__NACK_REASON__NACK_REASON_INVALID, field, detail);
        protobuf_c_message_free_unpacked(payload, NULL);
        handler_ctx_clear(&ctx);
        return;
    }
    ctx.cause_id = env->message_id;
    ctx.cause_type = type;
    ctx.envelope = env;
    ctx.unparking = unpark_field != NULL;
    pacta_date_t today = PACTA_DATE_INVALID;
    if (pacta_clock_today(self->clock, env->tenant, &today) == 0)
        ctx.today = today;
    run_t run = {.message_fn = handler->fn, .payload = payload, .documents = handler->documents,
                 .message_id = env->message_id, .digest = digest};
    s_run(self, &ctx, &run, unpark_field, result, committed);
    handler_ctx_clear(&ctx);
    protobuf_c_message_free_unpacked(payload, NULL);
}

/* Retries the parked facts of an entity until a pass applies none. */
static int
s_retry_parked(pacta_runtime_t *self, const char *tenant, const char *entity_key)
{
    char prefix[PACTA_DEDUP_PREFIX_MAX + 1];
    if (pacta_dedup_prefix(tenant, entity_key, prefix, sizeof prefix) != 0)
        return -1;
    char key[HANDLER_KEY_MAX], info_key[HANDLER_KEY_MAX];
    snprintf(key, sizeof key, "%s:parked:%s", prefix, self->service);
    snprintf(info_key, sizeof info_key, "%s:parked:%s:info", prefix, self->service);
    for (int pass = 0; pass < UNPARK_PASSES; pass++) {
        redisReply *count = NULL;
        if (pacta_store_command_strs(self->store, &count, "HLEN", key, NULL) != 0)
            return -1;
        bool none = count->type != REDIS_REPLY_INTEGER || count->integer == 0;
        freeReplyObject(count);
        if (none)
            return 0;
        redisReply *all = NULL;
        if (pacta_store_command_strs(self->store, &all, "HGETALL", key, NULL) != 0)
            return -1;
        bool progress = false;
        for (size_t i = 0; all->type == REDIS_REPLY_ARRAY && i + 1 < all->elements; i += 2) {
            const redisReply *field = all->element[i];
            const redisReply *value = all->element[i + 1];
            char id[PACTA_BUS_ID_MAX + 1];
            snprintf(id, sizeof id, "%.*s", (int) field->len, field->str);
            Pacta__V1__Envelope *env = pacta__v1__envelope__unpack(NULL, value->len, (const uint8_t *) value->str);
            if (!env) {
                pacta_log_error("parked fact does not decode: dropped", "tenant", tenant, "entity", entity_key,
                                "message_id", id);
                pacta_store_command_strs(self->store, NULL, "HDEL", key, id, NULL);
                pacta_store_command_strs(self->store, NULL, "HDEL", info_key, id, NULL);
                continue;
            }
            pacta_runtime_result_t result;
            memset(&result, 0, sizeof result);
            bool committed = false;
            s_handle(self, env, id, &result, &committed);
            if (committed) {
                progress = true;
                s_count(self, "pacta_messages_handled_total", "type", env->message_type, "outcome", "unparked");
                pacta_log_info("parked fact applied", "tenant", tenant, "entity", entity_key, "message_id", id,
                               "type", env->message_type);
            }
            else if (result.duplicate || (!result.ack && !result.parked)) {
                /* Applied some other way, or now refused for good: it cannot wait any longer. */
                if (!result.ack)
                    pacta_log_error("parked fact refused: dropped", "tenant", tenant, "entity", entity_key,
                                    "message_id", id, "reason", pacta_bus_nack_reason_name(result.reason),
                                    "detail", result.detail);
                if (result.ack || !pacta_bus_nack_reason_retryable(result.reason)) {
                    pacta_store_command_strs(self->store, NULL, "HDEL", key, id, NULL);
                    pacta_store_command_strs(self->store, NULL, "HDEL", info_key, id, NULL);
                }
            }
            pacta__v1__envelope__free_unpacked(env, NULL);
        }
        freeReplyObject(all);
        if (!progress)
            return 0;
    }
    return 0;
}

int
pacta_runtime_handle(pacta_runtime_t *self, const Pacta__V1__Envelope *envelope, pacta_runtime_result_t *result)
{
    assert(self && envelope && result);
    memset(result, 0, sizeof *result);
    bool committed = false;
    self->parked_after_commit = -1;
    s_handle(self, envelope, NULL, result, &committed);
    const char *type = envelope->message_type && envelope->message_type[0] ? envelope->message_type : "unknown";
    //  Nothing parked on the entity right after the commit (counted by the
    //  follow-ups' script, in the same slot): no need to look again.
    if (committed && self->parked_after_commit != 0)
        s_retry_parked(self, envelope->tenant, envelope->entity_key);
    if (result->ack) {
        const char *outcome = result->ignored     ? "ignored"
                              : result->duplicate ? "duplicate"
                              : result->parked    ? "parked"
                                                  : "applied";
        s_count(self, result->ignored ? "pacta_messages_ignored_total" : "pacta_messages_handled_total", "type",
                type, result->ignored ? NULL : "outcome", result->ignored ? NULL : outcome);
        if (!result->ignored)
            pacta_log_fields(PACTA_LOG_INFO, "message handled",
                             (pacta_log_field_t[]){{"tenant", envelope->tenant, 0},
                                                   {"entity", envelope->entity_key, 0},
                                                   {"message_id", envelope->message_id, 0},
                                                   {"type", type, 0},
                                                   {"outcome", outcome, 0},
                                                   {"version", NULL, (int64_t) result->version}},
                             6);
    }
    else {
        s_count(self, "pacta_messages_nacked_total", "type", type, "reason", pacta_bus_nack_reason_name(result->reason));
        pacta_log_fields(PACTA_LOG_WARN, "message refused",
                         (pacta_log_field_t[]){{"tenant", envelope->tenant ? envelope->tenant : "", 0},
                                               {"entity", envelope->entity_key ? envelope->entity_key : "", 0},
                                               {"message_id", envelope->message_id ? envelope->message_id : "", 0},
                                               {"type", type, 0},
                                               {"reason", pacta_bus_nack_reason_name(result->reason), 0},
                                               {"field", result->field, 0},
                                               {"detail", result->detail, 0}},
                         7);
    }
    return 0;
}

/* ---- timers ------------------------------------------------------------------- */

/* Handles one claimed timer; true when it may be completed. */
static bool
s_fire(pacta_runtime_t *self, const char *tenant, const pacta_profile_t *profile, const pacta_timer_t *timer)
{
    json_error_t error;
    json_t *body = timer->payload ? json_loadb((const char *) timer->payload, timer->payload_len, 0, &error) : NULL;
    const char *purpose = json_string_value(json_object_get(body, "purpose"));
    const pacta_timer_handler_t *handler = purpose ? s_find_timer_handler(self, purpose) : NULL;
    if (!handler) {
        pacta_log_warn("timer without handler: completed without effect", "tenant", tenant, "timer", timer->id,
                       "purpose", purpose ? purpose : "");
        json_decref(body);
        return true;
    }
    char cause_id[PACTA_TIMER_ID_SIZE + 4];
    snprintf(cause_id, sizeof cause_id, "tm:%.*s", (int) (sizeof cause_id - 4), timer->id);
    char cause_type[96];
    snprintf(cause_type, sizeof cause_type, "timer:%s", purpose);
    char digest[PACTA_DEDUP_DIGEST_LEN + 1];
    pacta_dedup_digest(PAYLOAD_DIGEST_TYPE, timer->payload, timer->payload_len, digest);
    pacta_handler_ctx_t ctx;
    bool done = false;
    if (handler_ctx_init(&ctx, self->service, tenant, profile, timer->entity_key) != 0) {
        pacta_log_error("timer entity key too long: completed without effect", "timer", timer->id);
        json_decref(body);
        return true;
    }
    ctx.store = self->store;
    ctx.cause_id = cause_id;
    ctx.cause_type = cause_type;
    ctx.today = pacta_date_from_instant(timer->due);
    json_t *data = json_object_get(body, "data");
    run_t run = {.timer_fn = handler->fn, .timer_payload = data ? data : body, .documents = handler->documents,
                 .message_id = cause_id, .digest = digest};
    pacta_runtime_result_t result;
    memset(&result, 0, sizeof result);
    bool committed = false;
    self->parked_after_commit = -1;
    int seen = s_seen_load(self, &ctx, handler->documents, cause_id, digest);
    if (seen > 0)
        result.ack = result.duplicate = true;
    else if (seen == 0)
        s_run(self, &ctx, &run, NULL, &result, &committed);
    else
        s_result_nack(&result, PACTA__V1__NACK_REASON__NACK_REASON_RETRY_LATER, NULL, "Redis is unreachable");
    char today[PACTA_DATE_STR_LEN];
    pacta_date_format(ctx.today, today, sizeof today);
    if (result.ack) {
        done = true;
        s_count(self, "pacta_timers_fired_total", "purpose", purpose, NULL, NULL);
        pacta_log_info("timer fired", "tenant", tenant, "timer", timer->id, "today", today, "outcome",
                       result.duplicate ? "duplicate" : "applied");
    }
    else if (pacta_bus_nack_reason_retryable(result.reason))
        done = false;
    else {
        done = true;   /* a handler that refuses its own timer is a bug: log it, do not loop */
        pacta_log_error("timer handler refused: completed", "tenant", tenant, "timer", timer->id, "reason",
                        pacta_bus_nack_reason_name(result.reason), "detail", result.detail);
    }
    handler_ctx_clear(&ctx);
    json_decref(body);
    if (committed && self->parked_after_commit != 0)
        s_retry_parked(self, tenant, timer->entity_key);
    return done;
}

int
pacta_runtime_fire_timers(pacta_runtime_t *self, const char *tenant, size_t max)
{
    assert(self && tenant);
    const pacta_profile_t *profile = pacta_profile_set_find(self->profiles, tenant);
    if (!profile || max == 0)
        return 0;
    pacta_instant_t now = 0;
    if (pacta_clock_now(self->clock, tenant, &now) != 0)
        return -1;
    if (max > TIMERS_PER_TENANT)
        max = TIMERS_PER_TENANT;
    pacta_timer_t claimed[TIMERS_PER_TENANT];
    size_t count = 0;
    if (pacta_timers_claim(self->timers, tenant, now, PACTA_RUNTIME_TIMER_LEASE_MS, claimed, max, &count) != 0)
        return -1;
    //  The handled timers are completed together, in one round trip after
    //  the batch (they stay leased until then, so nobody else fires them).
    const pacta_timer_t *done[TIMERS_PER_TENANT];
    int handled = 0;
    for (size_t i = 0; i < count; i++) {
        if (s_fire(self, tenant, profile, &claimed[i]))
            done[handled++] = &claimed[i];
        else
            pacta_timers_release(self->timers, tenant, &claimed[i], TIMER_RETRY_MS);
    }
    if (pacta_timers_complete_batch(self->timers, tenant, done, (size_t) handled) != 0)
        pacta_log_warn("cannot complete timers: they fire again after their lease", "tenant", tenant, "error",
                       pacta_timers_error(self->timers));
    for (size_t i = 0; i < count; i++)
        pacta_timer_clear(&claimed[i]);
    return handled;
}

/* ---- the loop -------------------------------------------------------------------- */

static void
s_refresh_gauges(pacta_runtime_t *self)
{
    bool connected = self->worker && pacta_bus_worker_connected(self->worker);
    atomic_store(&self->bus_connected, connected);
    if (!self->metrics)
        return;
    pacta_metrics_gauge_set(self->metrics, "pacta_bus_connected", connected ? 1 : 0, "service", self->service, NULL);
    pacta_metrics_gauge_set(self->metrics, "pacta_outbox_in_flight", (double) pacta_outbox_in_flight(self->outbox),
                            "service", self->service, NULL);
    char due[PACTA_OUTBOX_KEY_MAX];
    snprintf(due, sizeof due, "pacta:{outbox:%s}:due", self->service);
    redisReply *reply = NULL;
    if (pacta_store_command_strs(self->store, &reply, "ZCARD", due, NULL) == 0) {
        if (reply->type == REDIS_REPLY_INTEGER)
            pacta_metrics_gauge_set(self->metrics, "pacta_outbox_pending_entities", (double) reply->integer,
                                    "service", self->service, NULL);
        freeReplyObject(reply);
    }
    if (pacta_store_command_strs(self->store, &reply, "ZCARD", self->owed_index, NULL) == 0) {
        if (reply->type == REDIS_REPLY_INTEGER)
            pacta_metrics_gauge_set(self->metrics, "pacta_owed_entities", (double) reply->integer, "service",
                                    self->service, NULL);
        freeReplyObject(reply);
    }
}

/* Answers one delivery from the bus. */
static void
s_deliver(pacta_runtime_t *self, pacta_bus_delivery_t **delivery)
{
    const Pacta__V1__Envelope *env = pacta_bus_delivery_envelope(*delivery);
    pacta_runtime_result_t result;
    pacta_runtime_handle(self, env, &result);
    if (result.ack)
        pacta_bus_worker_ack(self->worker, delivery, result.duplicate, result.version);
    else
        pacta_bus_worker_nack(self->worker, delivery, result.reason, result.field[0] ? result.field : NULL,
                              result.detail, pacta_bus_nack_reason_retryable(result.reason) ? 1000 : 0);
}

/* Fires one batch of due timers per tenant; true when a batch came back
   full (more are due). */
static bool
s_fire_round(pacta_runtime_t *self)
{
    bool more = false;
    if (!self->handlers || self->handlers->timer_count == 0)
        return false;
    for (size_t i = 0; i < pacta_profile_set_count(self->profiles); i++) {
        const char *tenant = pacta_profile_tenant(pacta_profile_set_at(self->profiles, i));
        if (pacta_runtime_fire_timers(self, tenant, TIMERS_PER_TENANT) == TIMERS_PER_TENANT)
            more = true;
    }
    return more;
}

/* One turn of the service: bus deliveries, the outbox relay, due timers,
   the owed sweep and the gauges.

   Timers: when the last look found a full batch (a clock move makes
   thousands due at once), the turn never waits on the bus: it takes what
   deliveries have arrived, relays, fires the next batch, and so on for up
   to twice the budget, so deliveries and relay replies keep flowing while
   timers fire and no time is spent waiting for a bus that has nothing.
   (It used to wait out the whole budget on an idle bus first, then fire
   for another budget: a clock move fired timers about half the time.)
   Otherwise timers are looked at once per turn, after the bus. */
int
pacta_runtime_tick(pacta_runtime_t *self, int budget_ms)
{
    assert(self);
    const int64_t started = s_mono_ms();
    const int64_t budget = budget_ms > 0 ? budget_ms : 0;
    int64_t deadline = started + budget;
    bool looked_at_timers = false;
    do {
        const bool backlog = self->timer_backlog;
        if (self->worker) {
            int handled = 0;
            int wait = backlog ? 0 : RECV_SLICE_MS;
            while (handled < DELIVERIES_PER_TURN) {
                pacta_bus_delivery_t *delivery = NULL;
                if (pacta_bus_worker_recv(self->worker, wait, &delivery) != 0)
                    return 0;   /* signal or context gone: the service loop decides */
                if (!delivery)
                    break;
                s_deliver(self, &delivery);
                pacta_bus_delivery_destroy(&delivery);
                handled++;
                wait = 0;
            }
        }
        if (self->producer
            && pacta_outbox_relay(self->outbox, self->producer, self->worker || backlog ? 0 : RECV_SLICE_MS) < 0)
            return 0;
        if (backlog) {
            self->timer_backlog = s_fire_round(self);
            looked_at_timers = true;
            if (self->timer_backlog)
                deadline = started + 2 * budget;
        }
        if (!self->worker && !self->producer && !self->timer_backlog)
            break;
    } while (s_mono_ms() < deadline);
    if (!looked_at_timers)
        self->timer_backlog = s_fire_round(self);

    int64_t now = s_mono_ms();
    if (now >= self->next_sweep_ms) {
        pacta_runtime_sweep_owed(self, PACTA_RUNTIME_OWED_AGE_MS);
        self->next_sweep_ms = now + SWEEP_EVERY_MS;
    }
    if (now >= self->next_metrics_ms) {
        s_refresh_gauges(self);
        self->next_metrics_ms = now + METRICS_EVERY_MS;
    }
    return 0;
}

/* ---- construction ------------------------------------------------------------------ */

static void
s_define_metrics(pacta_runtime_t *self)
{
    pacta_metrics_t *m = self->metrics;
    if (!m)
        return;
    pacta_metrics_define(m, "pacta_messages_handled_total", PACTA_METRIC_COUNTER,
                         "Messages acknowledged after their handler ran, by type and outcome.");
    pacta_metrics_define(m, "pacta_messages_nacked_total", PACTA_METRIC_COUNTER,
                         "Messages refused with a NACK, by type and reason.");
    pacta_metrics_define(m, "pacta_messages_ignored_total", PACTA_METRIC_COUNTER,
                         "Messages of a consumed type this service has no handler for yet (acknowledged).");
    pacta_metrics_define(m, "pacta_effect_conflicts_total", PACTA_METRIC_COUNTER,
                         "Effects retried because the entity's version changed meanwhile.");
    pacta_metrics_define(m, "pacta_timers_fired_total", PACTA_METRIC_COUNTER, "Timers handled, by purpose.");
    pacta_metrics_define(m, "pacta_bus_connected", PACTA_METRIC_GAUGE, "1 while the bus answers this instance.");
    pacta_metrics_define(m, "pacta_outbox_in_flight", PACTA_METRIC_GAUGE,
                         "Outbox messages sent and not yet acknowledged by the bus.");
    pacta_metrics_define(m, "pacta_outbox_pending_entities", PACTA_METRIC_GAUGE,
                         "Entities whose outbox may hold messages to send.");
    pacta_metrics_define(m, "pacta_owed_entities", PACTA_METRIC_GAUGE,
                         "Entities whose follow-ups (timers, indexes) may not have run yet.");
    pacta_metrics_gauge_set(m, "pacta_bus_connected", 0, "service", self->service, NULL);
    pacta_metrics_counter_add(m, "pacta_effect_conflicts_total", 0, "service", self->service, NULL);
}

pacta_runtime_t *
pacta_runtime_new(const pacta_runtime_options_t *options, char *err, size_t err_size)
{
    assert(options && err && err_size > 0);
    err[0] = '\0';
    if (!options->service || !options->consumes || !options->store || !options->profiles || !options->clock) {
        snprintf(err, err_size, "runtime: service, consumes, store, profiles and clock are required");
        return NULL;
    }
    pacta_runtime_t *self = calloc(1, sizeof *self);
    if (!self) {
        snprintf(err, err_size, "out of memory");
        return NULL;
    }
    snprintf(self->service, sizeof self->service, "%s", options->service);
    snprintf(self->instance_id, sizeof self->instance_id, "%s",
             options->instance_id && options->instance_id[0] ? options->instance_id : options->service);
    self->consumes = options->consumes;
    self->handlers = options->handlers;
    self->store = options->store;
    self->profiles = options->profiles;
    self->clock = options->clock;
    self->metrics = options->metrics;
    atomic_init(&self->bus_connected, false);
    snprintf(self->owed_index, sizeof self->owed_index, "pacta:{owed:%s}:due", self->service);
    s_define_metrics(self);

    //  A runtime with a producer relays its own outbox every turn: its
    //  effects' kicks ride on that relay's next claim.
    pacta_outbox_options_t outbox_options = {.service = self->service, .defer_kicks = options->bus_frontend != NULL};
    self->outbox = pacta_outbox_new(self->store, &outbox_options, err, err_size);
    if (!self->outbox)
        goto failed;
    pacta_dedup_options_t dedup_options = {.service = self->service, .outbox = self->outbox};
    self->dedup = pacta_dedup_new(self->store, &dedup_options, err, err_size);
    if (!self->dedup)
        goto failed;
    if (pacta_dedup_register(self->dedup, EFFECT_SCRIPT, pacta_lua_entity_effect) != 0
        || pacta_store_script_register(self->store, UNMARK_SCRIPT, pacta_lua_owed_unmark) != 0
        || pacta_store_script_register(self->store, FORGET_SCRIPT, pacta_lua_owed_forget) != 0
        || pacta_store_script_register(self->store, LOAD_SCRIPT, pacta_lua_entity_load) != 0) {
        snprintf(err, err_size, "cannot load the effect scripts: %s", pacta_store_error(self->store));
        goto failed;
    }
    self->timers = pacta_timers_new(self->store, self->service);
    if (!self->timers) {
        snprintf(err, err_size, "cannot create the timers of %s", self->service);
        goto failed;
    }
    if (options->bus_backend || options->bus_frontend) {
        self->zmq_context = zmq_ctx_new();
        if (!self->zmq_context) {
            snprintf(err, err_size, "cannot create a ZeroMQ context");
            goto failed;
        }
    }
    if (options->bus_backend) {
        snprintf(self->bus_backend, sizeof self->bus_backend, "%s", options->bus_backend);
        pacta_bus_worker_options_t worker_options = {.endpoint = options->bus_backend,
                                                     .service_class = self->service,
                                                     .instance_id = self->instance_id,
                                                     .consumes = self->consumes,
                                                     .credit = options->bus_credit,
                                                     .server_public_key = options->server_public_key,
                                                     .secret_key = options->secret_key,
                                                     .zmq_context = self->zmq_context};
        self->worker = pacta_bus_worker_new(&worker_options, err, err_size);
        if (!self->worker)
            goto failed;
    }
    if (options->bus_frontend) {
        pacta_bus_producer_options_t producer_options = {.endpoint = options->bus_frontend,
                                                         .server_public_key = options->server_public_key,
                                                         .secret_key = options->secret_key,
                                                         .zmq_context = self->zmq_context};
        self->producer = pacta_bus_producer_new(&producer_options, err, err_size);
        if (!self->producer)
            goto failed;
    }
    self->next_sweep_ms = s_mono_ms();
    self->next_metrics_ms = s_mono_ms();
    return self;

failed:
    pacta_runtime_destroy(&self);
    return NULL;
}

void
pacta_runtime_destroy(pacta_runtime_t **self_p)
{
    assert(self_p);
    pacta_runtime_t *self = *self_p;
    if (!self)
        return;
    pacta_bus_worker_destroy(&self->worker);
    pacta_bus_producer_destroy(&self->producer);
    if (self->zmq_context)
        zmq_ctx_term(self->zmq_context);
    pacta_timers_destroy(&self->timers);
    pacta_dedup_destroy(&self->dedup);
    pacta_outbox_destroy(&self->outbox);
    free(self);
    *self_p = NULL;
}

bool
pacta_runtime_bus_connected(const pacta_runtime_t *self)
{
    assert(self);
    return atomic_load(&((pacta_runtime_t *) self)->bus_connected);
}

int
pacta_runtime_health(void *arg, char *detail, size_t detail_size)
{
    pacta_runtime_t *self = arg;
    if (!self || !self->bus_backend[0] || atomic_load(&self->bus_connected))
        return 0;
    snprintf(detail, detail_size, "not connected to the bus at %s yet; messages wait there", self->bus_backend);
    return 1;
}
