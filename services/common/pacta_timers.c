/*  =========================================================================
    pacta_timers - deadlines in Redis, claimed by any instance under a lease

    Five keys per tenant and owning service, all in the hash slot
    {tm:<tenant>:<service>}: a due sorted set (score = due instant), a lease
    sorted set (score = lease expiry in Redis time), a record hash
    ("<generation>|<attempts>|<entity>"), a payload hash and a claimed hash
    (the due instant of each leased timer). Every change is one Lua script
    (lua/timer_*.lua), so a claim can never hand the same timer to two
    instances while its lease holds, and a crash between two commands cannot
    leave a timer half-moved.

    Design decision: lease expiries use Redis's clock (TIME inside the
    script), not the claimer's, so instances whose clocks disagree still agree
    on when a lease has run out. "Now" for due-ness is the caller's: the
    tenant's real or test clock.
    =========================================================================
*/
#include "pacta_timers.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pacta_profile.h"

extern const char pacta_lua_timer_schedule[];
extern const char pacta_lua_timer_claim[];
extern const char pacta_lua_timer_finish[];

#define KEY_COUNT 5
#define KEY_SIZE 160
#define ERROR_SIZE 512
#define CLAIM_MAX 1000   /* timers one claim may hand out */

struct pacta_timers {
    pacta_store_t *store;                        /* borrowed */
    char service[PACTA_TIMER_SERVICE_SIZE];      /* owning service, part of the keys */
    char error[ERROR_SIZE];                      /* last error */
};

//  Key names of one tenant's timers, in the order the scripts expect.
typedef struct {
    char names[KEY_COUNT][KEY_SIZE];     /* due, lease, record, payload, claimed */
    const char *argv[KEY_COUNT];         /* pointers into names, for the store */
} timer_keys_t;

static int
s_fail(pacta_timers_t *self, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
s_fail(pacta_timers_t *self, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    vsnprintf(self->error, sizeof self->error, fmt, args);
    va_end(args);
    return -1;
}

//  Ids and entity keys travel into keys' members and logs: printable ASCII
//  without spaces or braces, bounded.
static bool
s_valid_token(const char *text, size_t size)
{
    if (!text || !*text)
        return false;
    size_t len = 0;
    for (const char *c = text; *c; c++, len++) {
        const bool ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9')
                     || strchr("._:/@+-", *c) != NULL;
        if (!ok || len + 1 >= size)
            return false;
    }
    return true;
}

static int
s_keys(pacta_timers_t *self, const char *tenant, timer_keys_t *keys)
{
    static const char *const suffixes[KEY_COUNT] = {"due", "lease", "record", "payload", "claimed"};
    if (!pacta_tenant_id_valid(tenant))
        return s_fail(self, "invalid tenant id");
    for (int i = 0; i < KEY_COUNT; i++) {
        snprintf(keys->names[i], KEY_SIZE, "pacta:{tm:%s:%s}:%s", tenant, self->service, suffixes[i]);
        keys->argv[i] = keys->names[i];
    }
    return 0;
}

pacta_timers_t *
pacta_timers_new(pacta_store_t *store, const char *service)
{
    assert(store);
    if (!s_valid_token(service, PACTA_TIMER_SERVICE_SIZE) || strchr(service, ':') || strchr(service, '/'))
        return NULL;
    pacta_timers_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->store = store;
    snprintf(self->service, sizeof self->service, "%s", service);
    //  Registration fails only when connected and Redis rejects a script;
    //  otherwise the store loads them at its next connect.
    if (pacta_store_script_register(store, "timer_schedule", pacta_lua_timer_schedule) != 0
        || pacta_store_script_register(store, "timer_claim", pacta_lua_timer_claim) != 0
        || pacta_store_script_register(store, "timer_finish", pacta_lua_timer_finish) != 0) {
        free(self);
        return NULL;
    }
    return self;
}

void
pacta_timers_destroy(pacta_timers_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free(*self_p);
    *self_p = NULL;
}

const char *
pacta_timers_error(const pacta_timers_t *self)
{
    return self->error;
}

void
pacta_timer_clear(pacta_timer_t *timer)
{
    if (!timer)
        return;
    free(timer->payload);
    timer->payload = NULL;
    timer->payload_len = 0;
}

//  Runs one timer script; on success *reply_out holds the reply (caller
//  frees). Redis error replies become this object's error.
static int
s_run(pacta_timers_t *self, const char *script, const timer_keys_t *keys, size_t arg_count,
      const char *const *args, const size_t *arg_lens, redisReply **reply_out)
{
    *reply_out = NULL;
    if (pacta_store_script_run(self->store, reply_out, script, KEY_COUNT, keys->argv, NULL, arg_count, args,
                               arg_lens)
        != 0)
        return s_fail(self, "%s: %s", script, pacta_store_error(self->store));
    return 0;
}

int
pacta_timers_schedule(pacta_timers_t *self, const char *tenant, const char *id, pacta_instant_t due,
                      const char *entity_key, const void *payload, size_t payload_len, int64_t *generation_out)
{
    assert(self);
    timer_keys_t keys;
    if (s_keys(self, tenant, &keys) != 0)
        return -1;
    if (!s_valid_token(id, PACTA_TIMER_ID_SIZE))
        return s_fail(self, "invalid timer id");
    if (!s_valid_token(entity_key, PACTA_TIMER_ENTITY_SIZE))
        return s_fail(self, "timer %s: invalid entity key", id);
    if (payload_len > PACTA_TIMER_PAYLOAD_MAX || (payload_len && !payload))
        return s_fail(self, "timer %s: payload of %zu bytes exceeds %d", id, payload_len, PACTA_TIMER_PAYLOAD_MAX);
    if (due < 0)
        return s_fail(self, "timer %s: due instant %" PRId64 " is before 1970", id, due);

    char due_text[24];
    snprintf(due_text, sizeof due_text, "%" PRId64, due);
    const char *args[4] = {id, due_text, entity_key, payload_len ? (const char *) payload : ""};
    const size_t lens[4] = {strlen(id), strlen(due_text), strlen(entity_key), payload_len};
    redisReply *reply;
    if (s_run(self, "timer_schedule", &keys, 4, args, lens, &reply) != 0)
        return -1;
    int rc = 0;
    if (reply->type != REDIS_REPLY_INTEGER)
        rc = s_fail(self, "timer_schedule: unexpected reply type %d", reply->type);
    else if (generation_out)
        *generation_out = reply->integer;
    freeReplyObject(reply);
    return rc;
}

//  complete / release / cancel share one script.
static int
s_finish(pacta_timers_t *self, const char *tenant, const char *action, const char *id, int64_t generation,
         int64_t backoff_ms, bool *changed)
{
    timer_keys_t keys;
    if (s_keys(self, tenant, &keys) != 0)
        return -1;
    if (!s_valid_token(id, PACTA_TIMER_ID_SIZE))
        return s_fail(self, "invalid timer id");
    char generation_text[24], backoff_text[24];
    snprintf(generation_text, sizeof generation_text, "%" PRId64, generation);
    snprintf(backoff_text, sizeof backoff_text, "%" PRId64, backoff_ms);
    const char *args[4] = {action, id, generation_text, backoff_text};
    redisReply *reply;
    if (s_run(self, "timer_finish", &keys, 4, args, NULL, &reply) != 0)
        return -1;
    int rc = 0;
    if (reply->type != REDIS_REPLY_INTEGER)
        rc = s_fail(self, "timer_finish: unexpected reply type %d", reply->type);
    else if (changed)
        *changed = reply->integer == 1;
    freeReplyObject(reply);
    return rc;
}

int
pacta_timers_cancel(pacta_timers_t *self, const char *tenant, const char *id, bool *existed)
{
    assert(self);
    return s_finish(self, tenant, "cancel", id, 0, 0, existed);
}

int
pacta_timers_complete(pacta_timers_t *self, const char *tenant, const pacta_timer_t *timer, bool *done)
{
    assert(self && timer);
    return s_finish(self, tenant, "complete", timer->id, timer->generation, 0, done);
}

int
pacta_timers_complete_batch(pacta_timers_t *self, const char *tenant, const pacta_timer_t *const *timers,
                            size_t count)
{
    assert(self && (timers || count == 0));
    if (count == 0)
        return 0;
    timer_keys_t keys;
    if (s_keys(self, tenant, &keys) != 0)
        return -1;
    pacta_store_script_call_t *calls = calloc(count, sizeof *calls);
    char (*generations)[24] = calloc(count, sizeof *generations);
    const char **args = calloc(count * 4, sizeof *args);
    int rc = -1;
    if (!calls || !generations || !args) {
        s_fail(self, "out of memory");
        goto cleanup;
    }
    for (size_t i = 0; i < count; i++) {
        if (!s_valid_token(timers[i]->id, PACTA_TIMER_ID_SIZE)) {
            s_fail(self, "invalid timer id");
            goto cleanup;
        }
        snprintf(generations[i], sizeof generations[i], "%" PRId64, timers[i]->generation);
        const char **a = &args[i * 4];
        a[0] = "complete";
        a[1] = timers[i]->id;
        a[2] = generations[i];
        a[3] = "0";
        calls[i] = (pacta_store_script_call_t){.key_count = KEY_COUNT, .keys = keys.argv, .arg_count = 4, .args = a};
    }
    rc = pacta_store_script_run_batch(self->store, "timer_finish", calls, count) == 0 ? 0 : -1;
    for (size_t i = 0; i < count; i++) {
        if (!calls[i].reply || calls[i].reply->type != REDIS_REPLY_INTEGER)
            rc = -1;
        if (calls[i].reply)
            freeReplyObject(calls[i].reply);
    }
    if (rc != 0)
        s_fail(self, "timer_finish: %s", pacta_store_error(self->store));

cleanup:
    free(calls);
    free(generations);
    free(args);
    return rc;
}

int
pacta_timers_release(pacta_timers_t *self, const char *tenant, const pacta_timer_t *timer, int64_t backoff_ms)
{
    assert(self && timer);
    if (backoff_ms < 0)
        return s_fail(self, "timer %s: negative back-off", timer->id);
    return s_finish(self, tenant, "release", timer->id, timer->generation, backoff_ms, NULL);
}

//  Parses a decimal reply element into *out.
static int
s_parse_int(const redisReply *element, int64_t *out)
{
    if (element->type != REDIS_REPLY_STRING || element->len == 0 || element->len > 20)
        return -1;
    char text[24];
    memcpy(text, element->str, element->len);
    text[element->len] = '\0';
    char *end = NULL;
    errno = 0;
    const long long value = strtoll(text, &end, 10);
    if (errno || *end != '\0')
        return -1;
    *out = value;
    return 0;
}

//  Copies a string element into a fixed buffer; -1 if it does not fit.
static int
s_copy_string(const redisReply *element, char *out, size_t size)
{
    if (element->type != REDIS_REPLY_STRING || element->len >= size)
        return -1;
    memcpy(out, element->str, element->len);
    out[element->len] = '\0';
    return 0;
}

int
pacta_timers_claim(pacta_timers_t *self, const char *tenant, pacta_instant_t now, int64_t lease_ms,
                   pacta_timer_t *out, size_t max, size_t *count)
{
    assert(self && out && count);
    *count = 0;
    timer_keys_t keys;
    if (s_keys(self, tenant, &keys) != 0)
        return -1;
    if (lease_ms < 1 || max < 1)
        return s_fail(self, "claim: lease and max must be positive");
    if (max > CLAIM_MAX)
        max = CLAIM_MAX;
    char now_text[24], lease_text[24], max_text[24];
    snprintf(now_text, sizeof now_text, "%" PRId64, now);
    snprintf(lease_text, sizeof lease_text, "%" PRId64, lease_ms);
    snprintf(max_text, sizeof max_text, "%zu", max);
    const char *args[3] = {now_text, lease_text, max_text};
    redisReply *reply;
    if (s_run(self, "timer_claim", &keys, 3, args, NULL, &reply) != 0)
        return -1;
    int rc = 0;
    if (reply->type != REDIS_REPLY_ARRAY || reply->elements % 6 != 0 || reply->elements / 6 > max) {
        rc = s_fail(self, "timer_claim: malformed reply");
        goto cleanup;
    }
    for (size_t i = 0; i < reply->elements / 6; i++) {
        redisReply **field = reply->element + i * 6;
        pacta_timer_t *timer = &out[i];
        memset(timer, 0, sizeof *timer);
        if (s_copy_string(field[0], timer->id, sizeof timer->id) != 0 || s_parse_int(field[1], &timer->due) != 0
            || s_parse_int(field[2], &timer->generation) != 0 || s_parse_int(field[3], &timer->attempts) != 0
            || s_copy_string(field[4], timer->entity_key, sizeof timer->entity_key) != 0
            || field[5]->type != REDIS_REPLY_STRING) {
            rc = s_fail(self, "timer_claim: malformed timer in reply");
            goto cleanup;
        }
        if (field[5]->len > 0) {
            timer->payload = malloc(field[5]->len);
            if (!timer->payload) {
                rc = s_fail(self, "timer_claim: out of memory");
                goto cleanup;
            }
            memcpy(timer->payload, field[5]->str, field[5]->len);
            timer->payload_len = field[5]->len;
        }
        *count = i + 1;
    }

cleanup:
    //  On failure the timers already copied are freed: the caller gets none.
    //  Their leases simply expire and they are claimed again.
    if (rc != 0) {
        for (size_t i = 0; i < *count; i++)
            pacta_timer_clear(&out[i]);
        *count = 0;
    }
    freeReplyObject(reply);
    return rc;
}

//  Reads one integer reply of a plain command.
static int
s_integer(pacta_timers_t *self, const char *command, const char *key, long long *out)
{
    redisReply *reply = NULL;
    if (pacta_store_command_strs(self->store, &reply, command, key, NULL) != 0)
        return s_fail(self, "%s: %s", command, pacta_store_error(self->store));
    int rc = 0;
    if (reply->type != REDIS_REPLY_INTEGER)
        rc = s_fail(self, "%s: unexpected reply type %d", command, reply->type);
    else
        *out = reply->integer;
    freeReplyObject(reply);
    return rc;
}

int
pacta_timers_stats(pacta_timers_t *self, const char *tenant, pacta_timers_stats_t *stats)
{
    assert(self && stats);
    memset(stats, 0, sizeof *stats);
    timer_keys_t keys;
    if (s_keys(self, tenant, &keys) != 0)
        return -1;
    long long pending, leased;
    if (s_integer(self, "ZCARD", keys.names[0], &pending) != 0 || s_integer(self, "ZCARD", keys.names[1], &leased) != 0)
        return -1;
    stats->pending = (size_t) pending;
    stats->leased = (size_t) leased;
    if (pending == 0)
        return 0;
    redisReply *reply = NULL;
    if (pacta_store_command_strs(self->store, &reply, "ZRANGE", keys.names[0], "0", "0", "WITHSCORES", NULL) != 0)
        return s_fail(self, "ZRANGE: %s", pacta_store_error(self->store));
    int rc = 0;
    if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 2 && s_parse_int(reply->element[1], &stats->next_due) == 0)
        stats->has_next = true;
    else if (!(reply->type == REDIS_REPLY_ARRAY && reply->elements == 0))
        rc = s_fail(self, "ZRANGE: malformed reply");
    freeReplyObject(reply);
    return rc;
}
