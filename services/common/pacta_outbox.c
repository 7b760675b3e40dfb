/*  =========================================================================
    pacta_outbox - the Redis outbox and its relay

    Invariant 1 says a service's state change and the messages it causes
    are one atomic step, and that nothing acknowledged is lost. The effect
    script writes both into the entity's hash slot; this module gets the
    messages out of Redis and onto the bus, and deletes each one only when
    the bus answered ACK (every target class committed it).

    Design decision: the outbox lives in the entity's hash slot (so the
    effect script stays single-slot, Redis Cluster ready), which means a
    relay needs an index to find non-empty outboxes, and that index lives
    in another slot and cannot be written in the same script. So the
    writer marks the index BEFORE its effect and kicks it after; a relay
    may only forget an index entry whose outbox it saw empty more than
    `grace` after the last mark. Because a mark always precedes its write,
    no written outbox can be missing from the index; the worst case of a
    writer dying between mark and effect is one empty look after the grace.
    All times in this protocol are Redis's own TIME, so relays on hosts with
    skewed clocks agree.

    Throughput: the ACKs drained in one relay turn are deleted from their
    outboxes in ONE pipelined round trip (outbox_ack), and an ack that finds
    its outbox empty gives the entity back (outbox_release, pipelined too)
    without reading it once more: the service's thread, which also handles
    the bus, no longer waits on Redis once per acknowledged message.
    =========================================================================
*/
#include "pacta_outbox.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pacta_log.h"
#include "pacta_map.h"

extern const char pacta_lua_outbox_mark[];
extern const char pacta_lua_outbox_kick[];
extern const char pacta_lua_outbox_claim[];
extern const char pacta_lua_outbox_read[];
extern const char pacta_lua_outbox_release[];
extern const char pacta_lua_outbox_ack[];
extern const char pacta_lua_outbox_dead[];

#define READ_MAX 256                   /* entries read from one outbox at once */
#define RESEND_SCAN_MS 50              /* how often the in-flight entries are scanned for resends */
#define REPLIES_PER_TURN 1024          /* bus replies handled in one pacta_outbox_relay() call */
#define STORE_RETRY_MS 500             /* pause after a failed Redis call before trying again */
#define LOG_EVERY_MS 5000              /* at most one store-error warning per period */
#define STREAM_ID_MAX 48               /* "1700000000000-12" fits easily */
#define MARK_LOOK_DELAY "1000"         /* ms from a mark to the look it asks for; the kick comes sooner */
#define KICKS_MAX 1024                 /* deferred kicks held before they are sent on their own */

typedef struct relay_entity relay_entity_t;

/* An entity this relay has claimed. */
struct relay_entity {
    char *member;                      /* entity prefix, the index member, owned */
    char stream_key[PACTA_OUTBOX_KEY_MAX];   /* its outbox stream */
    char dead_key[PACTA_OUTBOX_KEY_MAX];     /* its dead-letter stream */
    char claim[32];                    /* claim score from outbox_claim, as text */
    size_t outstanding;                /* its entries in flight here */
    bool reread;                       /* read again (outstanding reached 0) */
    long long empty_at;                /* Redis ms when the last ack found the outbox empty, else 0 */
    bool in_ack;                       /* has a call in this turn's ack pipeline */
    size_t ack_slot;                   /* that call's index */
    relay_entity_t *next_reread;       /* link in the reread list */
};

/* One outbox entry sent and not yet answered. */
typedef struct {
    relay_entity_t *entity;            /* owner */
    char stream_id[STREAM_ID_MAX];     /* id in the outbox stream */
    uint8_t *envelope;                 /* packed envelope, owned */
    size_t envelope_len;               /* bytes of envelope */
    char *reply_key;                   /* tenant \0 entity_key \0 message_id \0 destination, owned */
    size_t reply_key_len;              /* bytes of reply_key */
    char *stream_ref;                  /* member \0 stream id, owned (key of by_stream) */
    size_t stream_ref_len;             /* bytes of stream_ref */
    char message_id[PACTA_BUS_ID_MAX + 1]; /* for logs */
    uint32_t attempts;                 /* sends so far */
    int64_t next_send_ms;              /* when to resend if still unanswered */
    int64_t backoff_ms;                /* next resend delay */
    bool acking;                       /* ACKed: in this turn's pipelined delete */
} relay_entry_t;

struct pacta_outbox {
    pacta_store_t *store;              /* borrowed */
    char service[PACTA_BUS_NAME_MAX + 1];    /* producing service */
    char due_key[PACTA_OUTBOX_KEY_MAX];      /* pacta:{outbox:<service>}:due */
    char written_key[PACTA_OUTBOX_KEY_MAX];  /* pacta:{outbox:<service>}:written */
    int64_t lease_ms;                  /* claim lease */
    int64_t grace_ms;                  /* see the header */
    int64_t recheck_min_ms;            /* shortest recheck */
    int64_t resend_initial_ms;         /* first resend delay */
    int64_t resend_max_ms;             /* resend cap */
    int64_t claim_interval_ms;         /* idle claim period */
    size_t claim_batch;                /* entities per claim */
    size_t max_in_flight;              /* entries in flight */
    size_t deadletter_max;             /* dead-letter stream cap */
    pacta_map_t *entities;             /* member -> relay_entity_t */
    pacta_map_t *by_reply;             /* reply key -> relay_entry_t */
    pacta_map_t *by_stream;            /* member \0 stream id -> relay_entry_t */
    relay_entity_t *reread_head;       /* entities to read again */
    int64_t next_claim_ms;             /* next claim */
    int64_t next_resend_scan_ms;       /* next resend scan */
    int64_t last_error_log_ms;         /* rate limit of store warnings */
    pacta_outbox_stats_t stats;        /* counters */
    bool defer_kicks;                  /* see the options */
    char **kicks;                      /* deferred kicks (entity prefixes, owned) */
    size_t kick_count;                 /* entries in kicks */
};

/* Monotonic milliseconds for resend timers. */
static int64_t
s_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Counts a failed Redis call and logs it at most every LOG_EVERY_MS. */
static void
s_store_error(pacta_outbox_t *self, const char *what)
{
    self->stats.store_errors++;
    int64_t now = s_now_ms();
    if (now - self->last_error_log_ms < LOG_EVERY_MS)
        return;
    self->last_error_log_ms = now;
    pacta_log_warn("outbox: redis call failed, will retry", "service", self->service, "step", what, "error",
                   pacta_store_error(self->store));
}

/* ---------------------------------------------------------------------------
   Keys and construction
   ------------------------------------------------------------------------ */

/* True if prefix contains a non-empty {hash tag}. */
static bool
s_has_tag(const char *prefix)
{
    const char *open = strchr(prefix, '{');
    const char *close = open ? strchr(open + 1, '}') : NULL;
    return close && close > open + 1;
}

/* The entity's outbox stream for this service; refuses prefixes without a hash tag. */
int
pacta_outbox_stream_key(const pacta_outbox_t *self, const char *entity_prefix, char *buf, size_t size)
{
    assert(self && entity_prefix && buf);
    if (!s_has_tag(entity_prefix))
        return -1;
    int n = snprintf(buf, size, "%s:outbox:%s", entity_prefix, self->service);
    return n > 0 && (size_t) n < size ? 0 : -1;
}

/* Where refused entries are kept for inspection. */
int
pacta_outbox_deadletter_key(const pacta_outbox_t *self, const char *entity_prefix, char *buf, size_t size)
{
    assert(self && entity_prefix && buf);
    if (!s_has_tag(entity_prefix))
        return -1;
    int n = snprintf(buf, size, "%s:deadletter:%s", entity_prefix, self->service);
    return n > 0 && (size_t) n < size ? 0 : -1;
}

/* The producing service this outbox belongs to. */
const char *
pacta_outbox_service(const pacta_outbox_t *self)
{
    assert(self);
    return self->service;
}

/* Registers the scripts; nothing is claimed until the first relay turn. */
pacta_outbox_t *
pacta_outbox_new(pacta_store_t *store, const pacta_outbox_options_t *options, char *err, size_t err_size)
{
    assert(store && options);
    pacta_outbox_t *self = calloc(1, sizeof *self);
    if (!self) {
        snprintf(err, err_size, "out of memory");
        return NULL;
    }
    self->store = store;
    if (!options->service || !pacta_bus_token_valid(options->service, strlen(options->service), PACTA_BUS_NAME_MAX)
        || strchr(options->service, '{') || strchr(options->service, '}')) {
        snprintf(err, err_size, "the outbox needs the producing service's name (no braces)");
        goto cleanup;
    }
    snprintf(self->service, sizeof self->service, "%s", options->service);
    snprintf(self->due_key, sizeof self->due_key, "pacta:{outbox:%s}:due", self->service);
    snprintf(self->written_key, sizeof self->written_key, "pacta:{outbox:%s}:written", self->service);
    self->lease_ms = options->lease_ms > 0 ? options->lease_ms : 30000;
    self->grace_ms = options->grace_ms > 0 ? options->grace_ms : 60000;
    self->recheck_min_ms = options->recheck_min_ms > 0 ? options->recheck_min_ms : 100;
    self->resend_initial_ms = options->resend_initial_ms > 0 ? options->resend_initial_ms : 2000;
    self->resend_max_ms = options->resend_max_ms > 0 ? options->resend_max_ms : 30000;
    if (self->resend_max_ms < self->resend_initial_ms)
        self->resend_max_ms = self->resend_initial_ms;
    self->claim_interval_ms = options->claim_interval_ms > 0 ? options->claim_interval_ms : 100;
    self->claim_batch = options->claim_batch ? options->claim_batch : 64;
    self->max_in_flight = options->max_in_flight ? options->max_in_flight : 1000;
    self->deadletter_max = options->deadletter_max ? options->deadletter_max : 10000;
    self->defer_kicks = options->defer_kicks;
    self->entities = pacta_map_new();
    self->by_reply = pacta_map_new();
    self->by_stream = pacta_map_new();
    if (!self->entities || !self->by_reply || !self->by_stream) {
        snprintf(err, err_size, "out of memory");
        goto cleanup;
    }
    struct {
        const char *name;
        const char *source;
    } scripts[] = {
        {"outbox_mark", pacta_lua_outbox_mark},       {"outbox_kick", pacta_lua_outbox_kick},
        {"outbox_claim", pacta_lua_outbox_claim},     {"outbox_read", pacta_lua_outbox_read},
        {"outbox_release", pacta_lua_outbox_release}, {"outbox_ack", pacta_lua_outbox_ack},
        {"outbox_dead", pacta_lua_outbox_dead},
    };
    for (size_t i = 0; i < sizeof scripts / sizeof scripts[0]; i++)
        if (pacta_store_script_register(store, scripts[i].name, scripts[i].source) != 0
            && pacta_store_error_kind(store) == PACTA_STORE_E_REPLY) {
            snprintf(err, err_size, "redis refused script %s: %s", scripts[i].name, pacta_store_error(store));
            goto cleanup;
        }
    return self;

cleanup:
    pacta_outbox_destroy(&self);
    return NULL;
}

/* Frees one in-flight entry. */
static void
s_entry_free(relay_entry_t *entry)
{
    if (!entry)
        return;
    free(entry->envelope);
    free(entry->reply_key);
    free(entry->stream_ref);
    free(entry);
}

/* Frees one entry at destruction. */
static int
s_free_entry_visit(const void *key, size_t key_len, void *value, void *arg)
{
    (void) key;
    (void) key_len;
    (void) arg;
    s_entry_free(value);
    return 0;
}

/* Frees one claimed entity at destruction. */
static int
s_free_entity_visit(const void *key, size_t key_len, void *value, void *arg)
{
    (void) key;
    (void) key_len;
    (void) arg;
    relay_entity_t *entity = value;
    free(entity->member);
    free(entity);
    return 0;
}

/* Forgets what is in flight; it stays in Redis and is sent again after the lease. */
void
pacta_outbox_destroy(pacta_outbox_t **self_p)
{
    assert(self_p);
    pacta_outbox_t *self = *self_p;
    if (!self)
        return;
    if (self->by_reply)
        pacta_map_foreach(self->by_reply, s_free_entry_visit, NULL);
    if (self->entities)
        pacta_map_foreach(self->entities, s_free_entity_visit, NULL);
    pacta_map_destroy(&self->by_reply);
    pacta_map_destroy(&self->by_stream);
    pacta_map_destroy(&self->entities);
    /* Deferred kicks not sent: their marks bring a relay within MARK_LOOK_DELAY. */
    for (size_t i = 0; i < self->kick_count; i++)
        free(self->kicks[i]);
    free(self->kicks);
    free(self);
    *self_p = NULL;
}

/* ---------------------------------------------------------------------------
   Writer side
   ------------------------------------------------------------------------ */

/* Runs an index script for one entity prefix. */
static int
s_index_call(pacta_outbox_t *self, const char *script, size_t key_count, const char *entity_prefix)
{
    if (!s_has_tag(entity_prefix))
        return -1;
    const char *keys[2] = {self->due_key, self->written_key};
    const char *args[2] = {entity_prefix, MARK_LOOK_DELAY};   /* kick ignores the delay */
    return pacta_store_script_run(self->store, NULL, script, key_count, keys, NULL, 2, args, NULL);
}

/* Before the effect: the relay must be able to find the outbox whatever happens next. */
int
pacta_outbox_mark(pacta_outbox_t *self, const char *entity_prefix)
{
    assert(self && entity_prefix);
    return s_index_call(self, "outbox_mark", 2, entity_prefix);
}

/* After the effect: look now, not at the next recheck. */
int
pacta_outbox_kick(pacta_outbox_t *self, const char *entity_prefix)
{
    assert(self && entity_prefix);
    return s_index_call(self, "outbox_kick", 1, entity_prefix);
}

/* Runs an index script for many prefixes, pipelined. */
static int
s_index_batch(pacta_outbox_t *self, const char *script, size_t key_count, const char *const *prefixes, size_t count)
{
    if (count == 0)
        return 0;
    const char *keys[2] = {self->due_key, self->written_key};
    pacta_store_script_call_t *calls = calloc(count, sizeof *calls);
    const char **args = calloc(count * 2, sizeof *args);
    if (!calls || !args) {
        free(calls);
        free(args);
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; i < count; i++) {
        if (!s_has_tag(prefixes[i])) {
            free(calls);
            free(args);
            return -1;
        }
        calls[i].key_count = key_count;
        calls[i].keys = keys;
        calls[i].arg_count = 2;
        calls[i].args = &args[i * 2];
        args[i * 2] = prefixes[i];
        args[i * 2 + 1] = MARK_LOOK_DELAY;   /* kick ignores the delay */
    }
    if (pacta_store_script_run_batch(self->store, script, calls, count) != 0)
        rc = -1;
    for (size_t i = 0; i < count; i++) {
        if (calls[i].reply && calls[i].reply->type == REDIS_REPLY_ERROR)
            rc = -1;
        if (calls[i].reply)
            freeReplyObject(calls[i].reply);
    }
    free(calls);
    free(args);
    return rc;
}

/* Marks many entities in one round trip. */
int
pacta_outbox_mark_batch(pacta_outbox_t *self, const char *const *entity_prefixes, size_t count)
{
    assert(self && (entity_prefixes || count == 0));
    return s_index_batch(self, "outbox_mark", 2, entity_prefixes, count);
}

/* Sends the deferred kicks on their own (the claim that would carry them
   is not coming soon). */
static void
s_flush_kicks(pacta_outbox_t *self)
{
    if (self->kick_count == 0)
        return;
    if (s_index_batch(self, "outbox_kick", 1, (const char *const *) self->kicks, self->kick_count) != 0)
        s_store_error(self, "outbox_kick");   /* the marks bring a relay later */
    for (size_t i = 0; i < self->kick_count; i++)
        free(self->kicks[i]);
    self->kick_count = 0;
}

/* Kicks many entities in one round trip; with defer_kicks, they are
   queued and go with this relay's next claim (which comes at the next
   relay turn): one script call for many commits instead of one each. */
int
pacta_outbox_kick_batch(pacta_outbox_t *self, const char *const *entity_prefixes, size_t count)
{
    assert(self && (entity_prefixes || count == 0));
    if (!self->defer_kicks)
        return s_index_batch(self, "outbox_kick", 1, entity_prefixes, count);
    for (size_t i = 0; i < count; i++)
        if (!s_has_tag(entity_prefixes[i]))
            return -1;
    if (!self->kicks) {
        self->kicks = calloc(KICKS_MAX, sizeof *self->kicks);
        if (!self->kicks)
            return s_index_batch(self, "outbox_kick", 1, entity_prefixes, count);
    }
    if (self->kick_count + count > KICKS_MAX)
        s_flush_kicks(self);
    if (count > KICKS_MAX)
        return s_index_batch(self, "outbox_kick", 1, entity_prefixes, count);
    for (size_t i = 0; i < count; i++) {
        char *copy = strdup(entity_prefixes[i]);
        if (!copy)
            return s_index_batch(self, "outbox_kick", 1, &entity_prefixes[i], count - i);
        self->kicks[self->kick_count++] = copy;
    }
    self->next_claim_ms = 0;   /* claim at the next relay turn */
    return 0;
}

/* ---------------------------------------------------------------------------
   Relay: entries
   ------------------------------------------------------------------------ */

/* Builds tenant \0 entity_key \0 message_id \0 destination. */
static char *
s_reply_key(const char *tenant, const char *entity_key, const char *message_id, const char *destination,
            size_t *len_out)
{
    const char *parts[4] = {tenant, entity_key, message_id, destination};
    size_t len = 3;
    for (int i = 0; i < 4; i++)
        len += strlen(parts[i]);
    char *key = malloc(len);
    if (!key)
        return NULL;
    size_t pos = 0;
    for (int i = 0; i < 4; i++) {
        size_t n = strlen(parts[i]);
        memcpy(key + pos, parts[i], n);
        pos += n;
        if (i < 3)
            key[pos++] = '\0';
    }
    *len_out = len;
    return key;
}

/* Forgets an entry (answered or dead-lettered); the entity is read again
   once it has nothing left in flight. */
static void
s_entry_forget(pacta_outbox_t *self, relay_entry_t *entry)
{
    pacta_map_remove(self->by_reply, entry->reply_key, entry->reply_key_len);
    pacta_map_remove(self->by_stream, entry->stream_ref, entry->stream_ref_len);
    relay_entity_t *entity = entry->entity;
    assert(entity->outstanding > 0);
    entity->outstanding--;
    if (entity->outstanding == 0 && !entity->reread) {
        entity->reread = true;
        entity->next_reread = self->reread_head;
        self->reread_head = entity;
    }
    s_entry_free(entry);
}

/* Sends (or resends) one entry and schedules its next resend with doubling backoff. */
static void
s_send_entry(pacta_outbox_t *self, pacta_bus_producer_t *producer, relay_entry_t *entry, int64_t now)
{
    if (pacta_bus_producer_send_bytes(producer, entry->envelope, entry->envelope_len) != 0) {
        entry->next_send_ms = now + 100;   /* queue full: try again shortly */
        return;
    }
    if (entry->attempts++ == 0)
        self->stats.sent++;
    else
        self->stats.resent++;
    entry->next_send_ms = now + entry->backoff_ms;
    entry->backoff_ms = entry->backoff_ms * 2 > self->resend_max_ms ? self->resend_max_ms : entry->backoff_ms * 2;
}

/* Moves an entry to the dead-letter stream. */
static void
s_dead_letter(pacta_outbox_t *self, relay_entity_t *entity, const char *stream_id, const char *reason,
              const char *detail, const char *handled_by)
{
    char max_text[24];
    snprintf(max_text, sizeof max_text, "%zu", self->deadletter_max);
    const char *keys[2] = {entity->stream_key, entity->dead_key};
    const char *args[5] = {stream_id, reason, detail, handled_by, max_text};
    if (pacta_store_script_run(self->store, NULL, "outbox_dead", 2, keys, NULL, 5, args, NULL) != 0)
        s_store_error(self, "outbox_dead");
    else
        self->stats.dead_lettered++;
    pacta_log_error("outbox: message refused for good, moved to the dead-letter stream", "service", self->service,
                    "entity", entity->member, "outbox_id", stream_id, "reason", reason, "detail", detail);
}

/* Takes one stream entry {id, {field, value...}} into flight (unless it
   already is) and sends it. */
static void
s_take_entry(pacta_outbox_t *self, pacta_bus_producer_t *producer, relay_entity_t *entity, const redisReply *item,
             int64_t now)
{
    if (item->type != REDIS_REPLY_ARRAY || item->elements != 2 || item->element[0]->type != REDIS_REPLY_STRING
        || item->element[1]->type != REDIS_REPLY_ARRAY || item->element[0]->len >= STREAM_ID_MAX)
        return;
    const redisReply *id = item->element[0];
    const redisReply *fields = item->element[1];
    char stream_id[STREAM_ID_MAX];
    memcpy(stream_id, id->str, id->len);
    stream_id[id->len] = '\0';

    size_t member_len = strlen(entity->member);
    size_t ref_len = member_len + 1 + id->len;
    char *ref = malloc(ref_len);
    if (!ref)
        return;
    memcpy(ref, entity->member, member_len);
    ref[member_len] = '\0';
    memcpy(ref + member_len + 1, id->str, id->len);
    if (pacta_map_get(self->by_stream, ref, ref_len)) {
        free(ref);
        return;   /* already in flight */
    }
    const redisReply *env = NULL;
    for (size_t i = 0; i + 1 < fields->elements; i += 2)
        if (fields->element[i]->type == REDIS_REPLY_STRING && fields->element[i]->len == 3
            && memcmp(fields->element[i]->str, "env", 3) == 0 && fields->element[i + 1]->type == REDIS_REPLY_STRING)
            env = fields->element[i + 1];
    Pacta__V1__Envelope *decoded =
        env ? pacta__v1__envelope__unpack(NULL, env->len, (const uint8_t *) env->str) : NULL;
    Pacta__V1__NackReason reason;
    char detail[PACTA_BUS_DETAIL_MAX + 1], field[PACTA_BUS_FIELD_MAX + 1];
    if (!decoded || pacta_bus_envelope_check(decoded, &reason, detail, sizeof detail, field, sizeof field) != 0) {
        free(ref);
        s_dead_letter(self, entity, stream_id, "INVALID", decoded ? detail : "the outbox entry is not an envelope",
                      "outbox");
        if (decoded)
            pacta__v1__envelope__free_unpacked(decoded, NULL);
        return;
    }
    relay_entry_t *entry = calloc(1, sizeof *entry);
    if (entry) {
        entry->envelope = malloc(env->len);
        entry->reply_key = s_reply_key(decoded->tenant, decoded->entity_key, decoded->message_id,
                                       decoded->destination, &entry->reply_key_len);
    }
    if (!entry || !entry->envelope || !entry->reply_key) {
        free(ref);
        s_entry_free(entry);
        pacta__v1__envelope__free_unpacked(decoded, NULL);
        return;
    }
    entry->entity = entity;
    memcpy(entry->stream_id, stream_id, sizeof stream_id);
    memcpy(entry->envelope, env->str, env->len);
    entry->envelope_len = env->len;
    entry->stream_ref = ref;
    entry->stream_ref_len = ref_len;
    snprintf(entry->message_id, sizeof entry->message_id, "%s", decoded->message_id);
    entry->backoff_ms = self->resend_initial_ms;
    pacta__v1__envelope__free_unpacked(decoded, NULL);
    if (pacta_map_get(self->by_reply, entry->reply_key, entry->reply_key_len)) {
        /* The same message twice in one outbox: send it once; the copy
           goes when the first is acknowledged (it is a duplicate then). */
        s_entry_free(entry);
        return;
    }
    if (pacta_map_put(self->by_reply, entry->reply_key, entry->reply_key_len, entry) != 0) {
        s_entry_free(entry);
        return;
    }
    if (pacta_map_put(self->by_stream, entry->stream_ref, entry->stream_ref_len, entry) != 0) {
        pacta_map_remove(self->by_reply, entry->reply_key, entry->reply_key_len);
        s_entry_free(entry);
        return;
    }
    entity->outstanding++;
    s_send_entry(self, producer, entry, now);
}

/* ---------------------------------------------------------------------------
   Relay: entities
   ------------------------------------------------------------------------ */

/* Forgets a claimed entity in memory only; its index entry decides what happens next. */
static void
s_entity_drop(pacta_outbox_t *self, relay_entity_t *entity)
{
    pacta_map_remove(self->entities, entity->member, strlen(entity->member));
    free(entity->member);
    free(entity);
}

/* Gives an empty entity back to the index and forgets it here. */
static void
s_release(pacta_outbox_t *self, relay_entity_t *entity, long long observed_ms)
{
    char observed[24], grace[24], recheck[24];
    snprintf(observed, sizeof observed, "%lld", observed_ms);
    snprintf(grace, sizeof grace, "%lld", (long long) self->grace_ms);
    snprintf(recheck, sizeof recheck, "%lld", (long long) self->recheck_min_ms);
    const char *keys[2] = {self->due_key, self->written_key};
    const char *args[5] = {entity->member, entity->claim, observed, grace, recheck};
    if (pacta_store_script_run(self->store, NULL, "outbox_release", 2, keys, NULL, 5, args, NULL) != 0)
        s_store_error(self, "outbox_release");   /* the lease lapses and it is claimed again */
    else
        self->stats.releases++;
    s_entity_drop(self, entity);
}

/* Reads an entity's outbox and sends what is not in flight yet; releases
   the entity when its outbox is empty. -1 on a Redis failure. */
static int
s_read_entity(pacta_outbox_t *self, pacta_bus_producer_t *producer, relay_entity_t *entity)
{
    size_t in_flight = pacta_map_size(self->by_reply);
    size_t room = in_flight < self->max_in_flight ? self->max_in_flight - in_flight : 0;
    if (room == 0 && entity->outstanding > 0)
        return 0;
    if (room == 0)
        room = 1;
    if (room > READ_MAX)
        room = READ_MAX;
    char count[24];
    snprintf(count, sizeof count, "%zu", room);
    const char *keys[1] = {entity->stream_key};
    const char *args[1] = {count};
    redisReply *reply = NULL;
    if (pacta_store_script_run(self->store, &reply, "outbox_read", 1, keys, NULL, 1, args, NULL) != 0) {
        s_store_error(self, "outbox_read");
        return -1;
    }
    if (reply->type != REDIS_REPLY_ARRAY || reply->elements < 1 || reply->element[0]->type != REDIS_REPLY_INTEGER) {
        freeReplyObject(reply);
        s_store_error(self, "outbox_read (unexpected reply)");
        return -1;
    }
    long long observed = reply->element[0]->integer;
    int64_t now = s_now_ms();
    for (size_t i = 1; i < reply->elements; i++)
        s_take_entry(self, producer, entity, reply->element[i], now);
    bool empty = reply->elements == 1;
    freeReplyObject(reply);
    if (empty && entity->outstanding == 0)
        s_release(self, entity, observed);
    return 0;
}

/* s_read_entity for the entities one claim took, in one pipelined round
   trip (a claim takes up to claim_batch of them; one read each was one
   round trip each). The room in flight is shared out between them. */
static void
s_read_batch(pacta_outbox_t *self, pacta_bus_producer_t *producer, relay_entity_t **entities, size_t count)
{
    if (count == 0)
        return;
    size_t in_flight = pacta_map_size(self->by_reply);
    size_t room = in_flight < self->max_in_flight ? (self->max_in_flight - in_flight) / count : 0;
    if (room == 0)
        room = 1;
    if (room > READ_MAX)
        room = READ_MAX;
    char room_text[24];
    snprintf(room_text, sizeof room_text, "%zu", room);
    pacta_store_script_call_t *calls = calloc(count, sizeof *calls);
    const char **keys = calloc(count, sizeof *keys);
    const char *args[1] = {room_text};
    if (!calls || !keys) {
        free(calls);
        free(keys);
        for (size_t i = 0; i < count; i++)
            s_read_entity(self, producer, entities[i]);
        return;
    }
    for (size_t i = 0; i < count; i++) {
        keys[i] = entities[i]->stream_key;
        calls[i] = (pacta_store_script_call_t){.key_count = 1, .keys = &keys[i], .arg_count = 1, .args = args};
    }
    if (pacta_store_script_run_batch(self->store, "outbox_read", calls, count) != 0)
        s_store_error(self, "outbox_read");   /* unread entities are claimed again when their lease lapses */
    const int64_t now = s_now_ms();
    for (size_t i = 0; i < count; i++) {
        redisReply *reply = calls[i].reply;
        if (!reply || reply->type != REDIS_REPLY_ARRAY || reply->elements < 1
            || reply->element[0]->type != REDIS_REPLY_INTEGER) {
            if (reply)
                freeReplyObject(reply);
            continue;
        }
        long long observed = reply->element[0]->integer;
        for (size_t k = 1; k < reply->elements; k++)
            s_take_entry(self, producer, entities[i], reply->element[k], now);
        bool empty = reply->elements == 1;
        freeReplyObject(reply);
        if (empty && entities[i]->outstanding == 0)
            s_release(self, entities[i], observed);
    }
    free(calls);
    free(keys);
}

/* Claims due entities and reads the new ones. */
static void
s_claim(pacta_outbox_t *self, pacta_bus_producer_t *producer, int64_t now)
{
    char lease[24], limit[24];
    snprintf(lease, sizeof lease, "%lld", (long long) self->lease_ms);
    snprintf(limit, sizeof limit, "%zu", self->claim_batch);
    const char *keys[1] = {self->due_key};
    const char *args[2 + KICKS_MAX] = {lease, limit};
    for (size_t i = 0; i < self->kick_count; i++)
        args[2 + i] = self->kicks[i];
    redisReply *reply = NULL;
    if (pacta_store_script_run(self->store, &reply, "outbox_claim", 1, keys, NULL, 2 + self->kick_count, args, NULL)
        != 0) {
        s_store_error(self, "outbox_claim");
        self->next_claim_ms = now + STORE_RETRY_MS;
        return;
    }
    //  The deferred kicks went with the claim.
    for (size_t i = 0; i < self->kick_count; i++)
        free(self->kicks[i]);
    self->kick_count = 0;
    if (reply->type != REDIS_REPLY_ARRAY || reply->elements < 1 || reply->element[0]->type != REDIS_REPLY_STRING
        || reply->element[0]->len >= sizeof ((relay_entity_t *) 0)->claim) {
        freeReplyObject(reply);
        s_store_error(self, "outbox_claim (unexpected reply)");
        self->next_claim_ms = now + STORE_RETRY_MS;
        return;
    }
    size_t claimed = reply->elements - 1;
    self->stats.claims += claimed;
    relay_entity_t **to_read = calloc(claimed > 0 ? claimed : 1, sizeof *to_read);
    size_t read_count = 0;
    for (size_t i = 1; i < reply->elements; i++) {
        const redisReply *member = reply->element[i];
        if (member->type != REDIS_REPLY_STRING)
            continue;
        relay_entity_t *entity = pacta_map_get(self->entities, member->str, member->len);
        bool fresh = entity == NULL;
        if (fresh) {
            entity = calloc(1, sizeof *entity);
            if (!entity)
                continue;
            entity->member = strndup(member->str, member->len);
            if (!entity->member || strlen(entity->member) != member->len
                || pacta_outbox_stream_key(self, entity->member, entity->stream_key, sizeof entity->stream_key) != 0
                || pacta_outbox_deadletter_key(self, entity->member, entity->dead_key, sizeof entity->dead_key) != 0
                || pacta_map_put(self->entities, member->str, member->len, entity) != 0) {
                free(entity->member);
                free(entity);
                continue;
            }
        }
        //  Claimed again: what an earlier ack saw empty may have been
        //  written to since, so it is read before it is given back.
        entity->empty_at = 0;
        memcpy(entity->claim, reply->element[0]->str, reply->element[0]->len);
        entity->claim[reply->element[0]->len] = '\0';
        if (fresh || (entity->outstanding == 0 && !entity->reread)) {
            if (to_read)
                to_read[read_count++] = entity;
            else
                s_read_entity(self, producer, entity);
        }
    }
    freeReplyObject(reply);
    s_read_batch(self, producer, to_read, read_count);
    free(to_read);
    /* A full batch means more may be due: claim again at once. */
    self->next_claim_ms = claimed >= self->claim_batch && pacta_map_size(self->by_reply) < self->max_in_flight
                              ? now
                              : now + self->claim_interval_ms;
}

/* ---------------------------------------------------------------------------
   Relay: replies and the turn
   ------------------------------------------------------------------------ */

/* Applies one reply from the bus; returns 1 if it acknowledged an entry. */
static int
s_handle_reply(pacta_outbox_t *self, const pacta_bus_reply_t *reply, int64_t now)
{
    size_t key_len = 0;
    char *key = s_reply_key(reply->tenant, reply->entity_key, reply->message_id, reply->destination, &key_len);
    relay_entry_t *entry = key ? pacta_map_get(self->by_reply, key, key_len) : NULL;
    free(key);
    if (!entry) {
        self->stats.stale_replies++;
        return 0;
    }
    if (entry->acking) {
        self->stats.stale_replies++;   /* already ACKed in this turn */
        return 0;
    }
    relay_entity_t *entity = entry->entity;
    if (reply->ack) {
        const char *keys[1] = {entity->stream_key};
        const char *args[1] = {entry->stream_id};
        if (pacta_store_script_run(self->store, NULL, "outbox_ack", 1, keys, NULL, 1, args, NULL) != 0)
            s_store_error(self, "outbox_ack");   /* still in Redis: sent again later, deduplicated downstream */
        self->stats.acked++;
        s_entry_forget(self, entry);
        return 1;
    }
    if (reply->retryable) {
        self->stats.nacked_retryable++;
        int64_t delay = reply->retry_after_ms > 0 ? reply->retry_after_ms : 0;
        if (delay < entry->backoff_ms)
            delay = entry->backoff_ms;
        entry->next_send_ms = now + delay;
        return 0;
    }
    s_dead_letter(self, entity, entry->stream_id, pacta_bus_nack_reason_name(reply->reason), reply->detail,
                  reply->handled_by);
    s_entry_forget(self, entry);
    return 0;
}

/* Gives back, in one pipelined round trip, the entities whose last ack
   found their outbox empty (observed at that ack's Redis time), and forgets
   them here. */
static void
s_release_batch(pacta_outbox_t *self, relay_entity_t **entities, size_t count)
{
    if (count == 0)
        return;
    char grace[24], recheck[24];
    snprintf(grace, sizeof grace, "%lld", (long long) self->grace_ms);
    snprintf(recheck, sizeof recheck, "%lld", (long long) self->recheck_min_ms);
    const char *keys[2] = {self->due_key, self->written_key};
    pacta_store_script_call_t *calls = calloc(count, sizeof *calls);
    char (*observed)[24] = calloc(count, sizeof *observed);
    const char **args = calloc(count * 5, sizeof *args);
    if (calls && observed && args) {
        for (size_t i = 0; i < count; i++) {
            snprintf(observed[i], sizeof observed[i], "%lld", entities[i]->empty_at);
            const char **a = &args[i * 5];
            a[0] = entities[i]->member;
            a[1] = entities[i]->claim;
            a[2] = observed[i];
            a[3] = grace;
            a[4] = recheck;
            calls[i] = (pacta_store_script_call_t){.key_count = 2, .keys = keys, .arg_count = 5, .args = a};
        }
        if (pacta_store_script_run_batch(self->store, "outbox_release", calls, count) != 0)
            s_store_error(self, "outbox_release");   /* leases lapse: claimed and looked at again */
        for (size_t i = 0; i < count; i++) {
            if (calls[i].reply && calls[i].reply->type != REDIS_REPLY_ERROR)
                self->stats.releases++;
            if (calls[i].reply)
                freeReplyObject(calls[i].reply);
        }
    }
    free(calls);
    free(observed);
    free(args);
    for (size_t i = 0; i < count; i++)
        s_entity_drop(self, entities[i]);
}

/* Deletes the ACKed entries from their outboxes in one pipelined round
   trip, one outbox_ack per entity with all its ids, then forgets them; an
   entity left with nothing in flight is read again, or released at once
   when its ack found the outbox empty. The number of entries acked. */
static int
s_ack_batch(pacta_outbox_t *self, relay_entry_t **entries, size_t count)
{
    if (count == 0)
        return 0;
    pacta_store_script_call_t *calls = calloc(count, sizeof *calls);
    relay_entity_t **entities = calloc(count, sizeof *entities);
    const char **ids = calloc(count, sizeof *ids);
    const char **stream_keys = calloc(count, sizeof *stream_keys);
    size_t *offset = calloc(count, sizeof *offset);
    size_t *fill = calloc(count, sizeof *fill);
    const bool allocated = calls && entities && ids && stream_keys && offset && fill;
    size_t call_count = 0;
    if (!allocated) {
        s_store_error(self, "outbox_ack (out of memory)");   /* still in Redis: sent again, deduplicated */
        goto forget;
    }
    //  One call per entity: count its ids, lay them out side by side.
    for (size_t i = 0; i < count; i++) {
        relay_entity_t *entity = entries[i]->entity;
        if (!entity->in_ack) {
            entity->in_ack = true;
            entity->ack_slot = call_count;
            entities[call_count++] = entity;
        }
        calls[entity->ack_slot].arg_count++;
    }
    for (size_t c = 0, next = 0; c < call_count; c++) {
        stream_keys[c] = entities[c]->stream_key;
        offset[c] = next;
        calls[c].key_count = 1;
        calls[c].keys = &stream_keys[c];
        calls[c].args = &ids[next];
        next += calls[c].arg_count;
    }
    for (size_t i = 0; i < count; i++) {
        const size_t c = entries[i]->entity->ack_slot;
        ids[offset[c] + fill[c]++] = entries[i]->stream_id;
    }
    if (pacta_store_script_run_batch(self->store, "outbox_ack", calls, call_count) != 0)
        s_store_error(self, "outbox_ack");   /* still in Redis: sent again later, deduplicated downstream */
    for (size_t c = 0; c < call_count; c++) {
        const redisReply *reply = calls[c].reply;
        //  {entries left, Redis ms}: none left means the outbox was empty then.
        if (reply && reply->type == REDIS_REPLY_ARRAY && reply->elements == 2
            && reply->element[0]->type == REDIS_REPLY_INTEGER && reply->element[1]->type == REDIS_REPLY_INTEGER
            && reply->element[0]->integer == 0)
            entities[c]->empty_at = reply->element[1]->integer;
        else
            entities[c]->empty_at = 0;
        if (calls[c].reply)
            freeReplyObject(calls[c].reply);
    }

forget:
    for (size_t i = 0; i < count; i++) {
        entries[i]->entity->in_ack = false;
        if (!allocated)
            entries[i]->entity->empty_at = 0;
        self->stats.acked++;
        s_entry_forget(self, entries[i]);
    }
    free(calls);
    free(entities);
    free(ids);
    free(stream_keys);
    free(offset);
    free(fill);
    return (int) count;
}

typedef struct {
    pacta_outbox_t *self;              /* the relay */
    pacta_bus_producer_t *producer;    /* where to send */
    int64_t now;                       /* this scan's time */
} resend_scan_t;

/* Resends one entry whose answer is overdue. */
static int
s_resend_visit(const void *key, size_t key_len, void *value, void *arg)
{
    (void) key;
    (void) key_len;
    resend_scan_t *scan = arg;
    relay_entry_t *entry = value;
    if (entry->next_send_ms <= scan->now)
        s_send_entry(scan->self, scan->producer, entry, scan->now);
    return 0;
}

/* Reread, resend, claim, then wait for replies: each turn makes progress on every kind of work and
   never blocks longer than timeout_ms. */
int
pacta_outbox_relay(pacta_outbox_t *self, pacta_bus_producer_t *producer, int timeout_ms)
{
    assert(self && producer);
    int acked = 0;
    int replies = 0;
    int64_t now = s_now_ms();
    int64_t deadline = now + (timeout_ms > 0 ? timeout_ms : 0);
    pacta_bus_reply_t reply;

    /* Entities whose entries were all answered: read what came since, or
       give back at once those whose last ack found the outbox empty. */
    relay_entity_t *empties[REPLIES_PER_TURN];
    size_t empty_count = 0;
    while (self->reread_head) {
        relay_entity_t *entity = self->reread_head;
        self->reread_head = entity->next_reread;
        entity->reread = false;
        entity->next_reread = NULL;
        if (entity->empty_at > 0 && entity->outstanding == 0) {
            empties[empty_count++] = entity;
            if (empty_count == REPLIES_PER_TURN) {
                s_release_batch(self, empties, empty_count);
                empty_count = 0;
            }
            continue;
        }
        if (s_read_entity(self, producer, entity) != 0) {
            /* Redis is failing: forget the entity; its lease lapses and it
               is claimed again once Redis is back. */
            s_entity_drop(self, entity);
        }
    }
    s_release_batch(self, empties, empty_count);
    if (now >= self->next_resend_scan_ms) {
        resend_scan_t scan = {.self = self, .producer = producer, .now = now};
        pacta_map_foreach(self->by_reply, s_resend_visit, &scan);
        self->next_resend_scan_ms = now + RESEND_SCAN_MS;
    }
    if (now >= self->next_claim_ms && pacta_map_size(self->by_reply) < self->max_in_flight)
        s_claim(self, producer, now);
    else if (self->kick_count > 0 && pacta_map_size(self->by_reply) >= self->max_in_flight)
        s_flush_kicks(self);   /* no claim while this relay is full: other relays may take them */

    relay_entry_t *acks[REPLIES_PER_TURN];
    size_t ack_count = 0;
    for (;;) {
        now = s_now_ms();
        int64_t wait = deadline - now;
        if (self->reread_head || self->next_claim_ms <= now || ack_count > 0)
            wait = 0;
        int rc = pacta_bus_producer_recv(producer, wait > 0 ? (int) wait : 0, &reply);
        if (rc < 0) {
            s_ack_batch(self, acks, ack_count);
            return -1;
        }
        if (rc == 1)
            break;
        relay_entry_t *entry = NULL;
        if (reply.ack) {
            size_t key_len = 0;
            char *key = s_reply_key(reply.tenant, reply.entity_key, reply.message_id, reply.destination, &key_len);
            entry = key ? pacta_map_get(self->by_reply, key, key_len) : NULL;
            free(key);
        }
        if (entry && !entry->acking) {
            entry->acking = true;   /* deleted with the others below */
            acks[ack_count++] = entry;
        }
        else
            acked += s_handle_reply(self, &reply, s_now_ms());
        //  Drain what has arrived (wait is 0 once a reread is queued), but
        //  not forever: the next turn reads the entities these replies
        //  freed. Stopping at the first such reply would leave one reply
        //  per turn, and the others would be resent as unanswered.
        if (++replies >= REPLIES_PER_TURN)
            break;
    }
    acked += s_ack_batch(self, acks, ack_count);
    return acked;
}

/* Entries sent and unanswered, for back-pressure. */
size_t
pacta_outbox_in_flight(const pacta_outbox_t *self)
{
    assert(self);
    return pacta_map_size(self->by_reply);
}

/* Counters for metrics and tests. */
void
pacta_outbox_stats(const pacta_outbox_t *self, pacta_outbox_stats_t *stats)
{
    assert(self && stats);
    *stats = self->stats;
}
