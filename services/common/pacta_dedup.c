/*  =========================================================================
    pacta_dedup - exactly-once effects for bus consumers

    At-least-once delivery (redeliveries after a crash, producer resends
    after a timeout, a bus restart) becomes exactly-once effects only if the
    "have I seen this id" check, the effect and the record are one atomic
    step. In Redis that means one Lua script, so every effect script is the
    same wrapper around a service-specific body.

    Design decision: the wrapper is composed in C at registration (the body
    replaces a marker line of dedup_effect.lua) instead of each service
    copying the dedup logic into its scripts, so there is exactly one
    implementation of the check, the record, the retention and the outbox
    append, and it is tested once. Calls can be pipelined
    (pacta_dedup_apply_batch) because a consumer that commits one message
    per round trip cannot keep up with the bus.
    =========================================================================
*/
#include "pacta_dedup.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pacta_bus_wire.h"

extern const char pacta_lua_dedup_effect[];

#define MARKER "-- @@EFFECT@@"
#define BODY_MAX (256 * 1024)          /* largest effect body */
#define NAME_MAX_LEN 64                /* longest effect name */
#define DEFAULT_RETENTION_MS (8LL * 24 * 3600 * 1000)

typedef struct {
    char name[NAME_MAX_LEN + 1];       /* effect name (the store's script name) */
    char *source;                      /* composed Lua, owned; the store borrows it */
} effect_t;

struct pacta_dedup {
    pacta_store_t *store;              /* borrowed */
    pacta_outbox_t *outbox;            /* borrowed, may be NULL */
    char service[PACTA_BUS_NAME_MAX + 1]; /* consuming service */
    char retention[24];                /* retention in ms, as text for ARGV */
    effect_t *effects;                 /* registered effects */
    size_t effect_count;               /* used entries */
};

/* Refuses a retention under 7 days: outside systems may resend an event days later. */
pacta_dedup_t *
pacta_dedup_new(pacta_store_t *store, const pacta_dedup_options_t *options, char *err, size_t err_size)
{
    assert(store && options);
    if (!options->service || !pacta_bus_token_valid(options->service, strlen(options->service), PACTA_BUS_NAME_MAX)) {
        snprintf(err, err_size, "dedup needs the consuming service's name");
        return NULL;
    }
    int64_t retention = options->retention_ms > 0 ? options->retention_ms : DEFAULT_RETENTION_MS;
    if (retention < PACTA_DEDUP_MIN_RETENTION_MS) {
        snprintf(err, err_size, "message ids must be remembered at least 7 days");
        return NULL;
    }
    pacta_dedup_t *self = calloc(1, sizeof *self);
    if (!self) {
        snprintf(err, err_size, "out of memory");
        return NULL;
    }
    self->store = store;
    self->outbox = options->outbox;
    snprintf(self->service, sizeof self->service, "%s", options->service);
    snprintf(self->retention, sizeof self->retention, "%lld", (long long) retention);
    return self;
}

/* Frees the composed scripts (after the store that borrows them). */
void
pacta_dedup_destroy(pacta_dedup_t **self_p)
{
    assert(self_p);
    pacta_dedup_t *self = *self_p;
    if (!self)
        return;
    for (size_t i = 0; i < self->effect_count; i++)
        free(self->effects[i].source);
    free(self->effects);
    free(self);
    *self_p = NULL;
}

/* Composes wrapper + body and registers it; the old text is freed only after the store has the new
   one. */
int
pacta_dedup_register(pacta_dedup_t *self, const char *name, const char *body)
{
    assert(self && name && body);
    size_t name_len = strlen(name);
    size_t body_len = strnlen(body, BODY_MAX + 1);
    if (name_len == 0 || name_len > NAME_MAX_LEN || body_len > BODY_MAX)
        return -1;
    const char *marker = strstr(pacta_lua_dedup_effect, MARKER);
    assert(marker && "dedup_effect.lua lost its marker line");
    if (!marker)
        return -1;
    size_t head = (size_t) (marker - pacta_lua_dedup_effect);
    const char *tail = marker + strlen(MARKER);
    size_t total = head + body_len + 1 + strlen(tail) + 1;
    char *source = malloc(total);
    if (!source)
        return -1;
    memcpy(source, pacta_lua_dedup_effect, head);
    memcpy(source + head, body, body_len);
    source[head + body_len] = '\n';
    memcpy(source + head + body_len + 1, tail, strlen(tail) + 1);

    effect_t *effect = NULL;
    for (size_t i = 0; i < self->effect_count; i++)
        if (strcmp(self->effects[i].name, name) == 0)
            effect = &self->effects[i];
    if (!effect) {
        effect_t *grown = realloc(self->effects, (self->effect_count + 1) * sizeof *grown);
        if (!grown) {
            free(source);
            return -1;
        }
        self->effects = grown;
        effect = &self->effects[self->effect_count++];
        snprintf(effect->name, sizeof effect->name, "%s", name);
        effect->source = NULL;
    }
    /* Register the new text before freeing the old one the store may hold. */
    char *old = effect->source;
    effect->source = source;
    int rc = pacta_store_script_register(self->store, name, source);
    free(old);
    if (rc != 0 && pacta_store_error_kind(self->store) == PACTA_STORE_E_REPLY)
        return -1;   /* syntax error in the body */
    return 0;        /* loaded, or will be at the next connect */
}

/* The entity's key prefix, hash tag included, as every module builds it. */
int
pacta_dedup_prefix(const char *tenant, const char *entity_key, char *buf, size_t size)
{
    assert(tenant && entity_key && buf);
    int n = snprintf(buf, size, "pacta:%s:{%s}", tenant, entity_key);
    return n > 0 && (size_t) n < size ? 0 : -1;
}

/* What 'same content' means for a resent message: type and payload bytes. */
void
pacta_dedup_digest(const char *message_type, const void *payload, size_t len, char out[PACTA_DEDUP_DIGEST_LEN + 1])
{
    const char *type = message_type ? message_type : "";
    uint64_t h = pacta_bus_hash(type, strlen(type) + 1, PACTA_BUS_HASH_SEED);
    h = pacta_bus_hash(payload, payload ? len : 0, h);
    snprintf(out, PACTA_DEDUP_DIGEST_LEN + 1, "%016llx", (unsigned long long) h);
}

/* Names for logs and tests. */
const char *
pacta_dedup_outcome_name(pacta_dedup_outcome_t outcome)
{
    switch (outcome) {
        case PACTA_DEDUP_APPLIED: return "applied";
        case PACTA_DEDUP_DUPLICATE: return "duplicate";
        case PACTA_DEDUP_CONFLICT: return "conflict";
        case PACTA_DEDUP_REFUSED: return "refused";
        case PACTA_DEDUP_FAILED: return "failed";
    }
    return "unknown";
}

/* ---------------------------------------------------------------------------
   Applying
   ------------------------------------------------------------------------ */

/* The KEYS and ARGV of one wrapped call, in caller-provided arrays. */
typedef struct {
    char seen[PACTA_OUTBOX_KEY_MAX];   /* seen ZSET */
    char digests[PACTA_OUTBOX_KEY_MAX];/* digest HASH */
    char outbox[PACTA_OUTBOX_KEY_MAX]; /* outbox STREAM */
    const char *keys[3 + PACTA_DEDUP_KEYS_MAX];   /* KEYS */
    const char *args[3 + PACTA_DEDUP_ARGS_MAX];   /* ARGV */
    size_t arg_lens[3 + PACTA_DEDUP_ARGS_MAX];    /* ARGV lengths */
} wrapped_t;

/* Fills w for call. 0, or -1 with call->outcome REFUSED (bad call). */
static int
s_wrap(pacta_dedup_t *self, pacta_dedup_call_t *call, wrapped_t *w)
{
    if (!call->prefix || call->key_count > PACTA_DEDUP_KEYS_MAX || call->arg_count > PACTA_DEDUP_ARGS_MAX
        || strlen(call->prefix) > PACTA_DEDUP_PREFIX_MAX) {
        call->outcome = PACTA_DEDUP_REFUSED;
        snprintf(call->error, sizeof call->error, "bad call: prefix missing or too long, or too many keys/args");
        return -1;
    }
    snprintf(w->seen, sizeof w->seen, "%s:seen:%s", call->prefix, self->service);
    snprintf(w->digests, sizeof w->digests, "%s:seen:%s:digest", call->prefix, self->service);
    if (self->outbox) {
        if (pacta_outbox_stream_key(self->outbox, call->prefix, w->outbox, sizeof w->outbox) != 0) {
            call->outcome = PACTA_DEDUP_REFUSED;
            snprintf(call->error, sizeof call->error, "the entity prefix has no {hash tag}");
            return -1;
        }
    }
    else
        snprintf(w->outbox, sizeof w->outbox, "%s:outbox:%s", call->prefix, self->service);
    w->keys[0] = w->seen;
    w->keys[1] = w->digests;
    w->keys[2] = w->outbox;
    for (size_t i = 0; i < call->key_count; i++)
        w->keys[3 + i] = call->keys[i];
    w->args[0] = call->message_id ? call->message_id : "";
    w->args[1] = call->digest ? call->digest : "";
    w->args[2] = self->retention;
    for (int i = 0; i < 3; i++)
        w->arg_lens[i] = strlen(w->args[i]);
    for (size_t i = 0; i < call->arg_count; i++) {
        w->args[3 + i] = call->args[i];
        w->arg_lens[3 + i] = call->arg_lens ? call->arg_lens[i] : strlen(call->args[i]);
    }
    return 0;
}

/* Reads the wrapper's reply into call. */
static void
s_outcome(pacta_dedup_call_t *call, const redisReply *reply)
{
    call->result[0] = '\0';
    call->result_integer = 0;
    call->emitted = 0;
    call->reported = -1;
    if (!reply) {
        call->outcome = PACTA_DEDUP_FAILED;
        return;
    }
    if (reply->type == REDIS_REPLY_ERROR) {
        call->outcome = PACTA_DEDUP_REFUSED;
        snprintf(call->error, sizeof call->error, "%.*s", (int) reply->len, reply->str ? reply->str : "");
        return;
    }
    if (reply->type != REDIS_REPLY_ARRAY || reply->elements < 1 || reply->element[0]->type != REDIS_REPLY_STRING) {
        call->outcome = PACTA_DEDUP_REFUSED;
        snprintf(call->error, sizeof call->error, "unexpected reply from the effect wrapper");
        return;
    }
    const redisReply *tag = reply->element[0];
    if (tag->len == 7 && memcmp(tag->str, "applied", 7) == 0) {
        call->outcome = PACTA_DEDUP_APPLIED;
        if (reply->elements > 1) {
            const redisReply *result = reply->element[1];
            if (result->type == REDIS_REPLY_INTEGER)
                call->result_integer = result->integer;
            else if (result->type == REDIS_REPLY_STRING || result->type == REDIS_REPLY_STATUS)
                snprintf(call->result, sizeof call->result, "%.*s", (int) result->len, result->str);
        }
        if (reply->elements > 2 && reply->element[2]->type == REDIS_REPLY_INTEGER)
            call->emitted = reply->element[2]->integer;
        if (reply->elements > 3 && reply->element[3]->type == REDIS_REPLY_INTEGER)
            call->reported = reply->element[3]->integer;
    }
    else if (tag->len == 9 && memcmp(tag->str, "duplicate", 9) == 0)
        call->outcome = PACTA_DEDUP_DUPLICATE;
    else if (tag->len == 8 && memcmp(tag->str, "conflict", 8) == 0) {
        call->outcome = PACTA_DEDUP_CONFLICT;
        snprintf(call->error, sizeof call->error, "message id already applied with different content");
    }
    else {
        call->outcome = PACTA_DEDUP_REFUSED;
        snprintf(call->error, sizeof call->error, "unexpected outcome from the effect wrapper");
    }
}

/* One effect: a batch of one. */
int
pacta_dedup_apply(pacta_dedup_t *self, const char *name, pacta_dedup_call_t *call)
{
    return pacta_dedup_apply_batch(self, name, call, 1);
}

/* Marks the outbox index first (when effects emit), runs every effect in one pipelined round trip,
   then kicks the index. */
int
pacta_dedup_apply_batch(pacta_dedup_t *self, const char *name, pacta_dedup_call_t *calls, size_t count)
{
    assert(self && name && (calls || count == 0));
    int rc = 0;
    wrapped_t *wrapped = calloc(count > 0 ? count : 1, sizeof *wrapped);
    pacta_store_script_call_t *store_calls = calloc(count > 0 ? count : 1, sizeof *store_calls);
    size_t *index = calloc(count > 0 ? count : 1, sizeof *index);
    const char **marks = calloc(count > 0 ? count : 1, sizeof *marks);
    if (!wrapped || !store_calls || !index || !marks) {
        for (size_t i = 0; i < count; i++) {
            calls[i].outcome = PACTA_DEDUP_FAILED;
            snprintf(calls[i].error, sizeof calls[i].error, "out of memory");
        }
        rc = -1;
        goto cleanup;
    }
    size_t runnable = 0, mark_count = 0;
    for (size_t i = 0; i < count; i++) {
        calls[i].error[0] = '\0';
        if (s_wrap(self, &calls[i], &wrapped[runnable]) != 0)
            continue;
        pacta_store_script_call_t *sc = &store_calls[runnable];
        sc->key_count = 3 + calls[i].key_count;
        sc->keys = wrapped[runnable].keys;
        sc->arg_count = 3 + calls[i].arg_count;
        sc->args = wrapped[runnable].args;
        sc->arg_lens = wrapped[runnable].arg_lens;
        index[runnable++] = i;
        if (calls[i].emits && self->outbox)
            marks[mark_count++] = calls[i].prefix;
    }
    /* Mark before the effects (see pacta_outbox.c): a failure here means the
       effects must not run, or a relay might never find their messages. */
    if (mark_count > 0 && pacta_outbox_mark_batch(self->outbox, marks, mark_count) != 0) {
        for (size_t r = 0; r < runnable; r++) {
            calls[index[r]].outcome = PACTA_DEDUP_FAILED;
            snprintf(calls[index[r]].error, sizeof calls[index[r]].error, "outbox index: %s",
                     pacta_store_error(self->store));
        }
        rc = -1;
        goto cleanup;
    }
    int batch_rc = pacta_store_script_run_batch(self->store, name, store_calls, runnable);
    for (size_t r = 0; r < runnable; r++) {
        pacta_dedup_call_t *call = &calls[index[r]];
        s_outcome(call, store_calls[r].reply);
        if (call->outcome == PACTA_DEDUP_FAILED) {
            snprintf(call->error, sizeof call->error, "%s", pacta_store_error(self->store));
            rc = -1;
        }
        if (store_calls[r].reply)
            freeReplyObject(store_calls[r].reply);
    }
    if (batch_rc != 0 && runnable > 0)
        rc = -1;
    if (mark_count > 0 && pacta_outbox_kick_batch(self->outbox, marks, mark_count) != 0) {
        /* Not fatal: the relay finds the entries at its next recheck. */
    }

cleanup:
    free(wrapped);
    free(store_calls);
    free(index);
    free(marks);
    return rc;
}
