/*  =========================================================================
    pacta_dedup - exactly-once effects: the message id is recorded in the
    same Lua script that applies the effect and writes the outbox

    A service registers each effect as the BODY of a Lua function; this
    module wraps it (services/common/lua/dedup_effect.lua) so that one
    EVALSHA checks the id, runs the body, records the id and its content
    digest, and appends what the body emit()s to the entity's outbox:

        pacta_dedup_register(dedup, "count",
            "redis.call('HINCRBY', keys[1], args[1], 1)\n"
            "emit(args[2], 'notifications')\n"
            "return 'ok'");

    Inside the body: keys[i] / args[i] are the call's own keys and
    arguments; emit(envelope_bytes, destination) queues a message (see
    pacta_outbox.h). The body checks before it writes and returns
    redis.error_reply(...) to refuse: nothing is then recorded.

    Keys, per consuming service and entity (all in the entity's hash slot):
        <prefix>:seen:<service>          ZSET message_id -> ms applied
        <prefix>:seen:<service>:digest   HASH message_id -> content digest
    where prefix is pacta:<tenant>:{<entity_key>} (pacta_dedup_prefix).
    Ids are kept for the retention (default 8 days, never below 7: outside
    systems may resend an event days later); a duplicate with the same
    digest is reported DUPLICATE (ACK it), with another digest CONFLICT
    (NACK CONFLICT: same id, different content).

    Ownership: the composed scripts belong to the dedup object and the
    store only borrows them: destroy the store first (or keep the dedup
    alive as long as the store). Not thread-safe.
    =========================================================================
*/
#ifndef PACTA_DEDUP_H_INCLUDED
#define PACTA_DEDUP_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pacta_outbox.h"
#include "pacta_store.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PACTA_DEDUP_MIN_RETENTION_MS (7LL * 24 * 3600 * 1000)   /* invariant 2: at least 7 days */
#define PACTA_DEDUP_PREFIX_MAX 400                                /* longest entity prefix */
#define PACTA_DEDUP_DIGEST_LEN 16                                 /* hex characters of a digest */
#define PACTA_DEDUP_KEYS_MAX 16                                   /* effect keys per call */
#define PACTA_DEDUP_ARGS_MAX 64                                   /* effect arguments per call */

typedef struct {
    const char *service;               /* consuming service: namespaces the seen keys; required */
    int64_t retention_ms;              /* how long ids are remembered; 0 = 8 days; at least 7 days */
    pacta_outbox_t *outbox;            /* this service's outbox, for calls that emit; may be NULL */
} pacta_dedup_options_t;

typedef enum {
    PACTA_DEDUP_APPLIED = 0,           /* the effect ran and the id is recorded */
    PACTA_DEDUP_DUPLICATE,             /* already applied with the same content: ACK, duplicate */
    PACTA_DEDUP_CONFLICT,              /* already applied with other content: NACK CONFLICT */
    PACTA_DEDUP_REFUSED,               /* the body returned an error: nothing applied (message in error) */
    PACTA_DEDUP_FAILED                 /* Redis unreachable or I/O error: unknown, retry (NACK RETRY_LATER) */
} pacta_dedup_outcome_t;

/* One effect to apply. Inputs are borrowed for the call. */
typedef struct {
    const char *prefix;                /* entity prefix, pacta:<tenant>:{<entity_key>} */
    const char *message_id;            /* the causing message; NULL or "" = no dedup */
    const char *digest;                /* content digest (pacta_dedup_digest); NULL = "" */
    size_t key_count;                  /* effect keys (must share prefix's hash tag) */
    const char *const *keys;           /* key names */
    size_t arg_count;                  /* effect arguments */
    const char *const *args;           /* argument bytes */
    const size_t *arg_lens;            /* lengths, or NULL for C strings */
    bool emits;                        /* the body may emit(): mark/kick the outbox index */
    /* results */
    pacta_dedup_outcome_t outcome;     /* see above */
    long long result_integer;          /* APPLIED: the body's integer result (0 otherwise) */
    char result[256];                  /* APPLIED: the body's string result (truncated), "" otherwise */
    long long emitted;                 /* APPLIED: messages emitted */
    long long reported;                /* APPLIED: what the body passed to report(n), -1 when nothing */
    char error[256];                   /* REFUSED / FAILED: why */
} pacta_dedup_call_t;

typedef struct pacta_dedup pacta_dedup_t;

/* NULL with a reason in err (bad options, retention below 7 days). */
pacta_dedup_t *pacta_dedup_new(pacta_store_t *store, const pacta_dedup_options_t *options, char *err,
                               size_t err_size);
void pacta_dedup_destroy(pacta_dedup_t **self_p);

/* Wraps body and registers it as script `name`. 0, or -1 (out of memory,
   body too large, Redis refused it: syntax error). */
int pacta_dedup_register(pacta_dedup_t *self, const char *name, const char *body);

/* Applies one effect. 0 when Redis answered (see call->outcome), -1 when
   it could not be reached (outcome FAILED). */
int pacta_dedup_apply(pacta_dedup_t *self, const char *name, pacta_dedup_call_t *call);
/* Applies count effects of script `name` in one pipelined round trip.
   Every call gets its outcome; returns -1 if any FAILED. */
int pacta_dedup_apply_batch(pacta_dedup_t *self, const char *name, pacta_dedup_call_t *calls, size_t count);

/* "pacta:<tenant>:{<entity_key>}" into buf. 0, or -1 if it does not fit. */
int pacta_dedup_prefix(const char *tenant, const char *entity_key, char *buf, size_t size);
/* 16 hex characters over message type and payload: what "same content"
   means for a resent message. */
void pacta_dedup_digest(const char *message_type, const void *payload, size_t len,
                        char out[PACTA_DEDUP_DIGEST_LEN + 1]);
const char *pacta_dedup_outcome_name(pacta_dedup_outcome_t outcome);

#ifdef __cplusplus
}
#endif

#endif
