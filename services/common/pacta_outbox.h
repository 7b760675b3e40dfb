/*  =========================================================================
    pacta_outbox - messages a service emits, kept in Redis until the bus
    acknowledges them

    Writing (inside the effect, see pacta_dedup.h): an effect script calls
    emit(envelope_bytes, destination) and the envelope lands in the
    entity's outbox stream in the same atomic step as the state change:

        <entity prefix>:outbox:<service>      e.g. pacta:capconnect:{c:42}:outbox:invoicing

    Set envelope.destination before packing to address one consuming class
    (one copy per class, same message_id); leave it empty to let the bus's
    routing table fan it out. Before the effect the writer calls
    pacta_outbox_mark() and after it pacta_outbox_kick() (pacta_dedup does
    both when a call says it emits), which maintain the index a relay scans:

        pacta:{outbox:<service>}:due          ZSET entity prefix -> when to look
        pacta:{outbox:<service>}:written      ZSET entity prefix -> last mark

    Relaying: every instance of the service runs pacta_outbox_relay() in
    its loop. A relay claims due entities with a lease, sends their entries
    through a pacta_bus_producer, deletes an entry only on ACK, resends an
    unanswered or retryably refused one with doubling backoff, and moves one
    refused for good to <prefix>:deadletter:<service> with the reason. After
    a crash or restart the leases lapse and the entries are sent again; the
    consumers' dedup makes that harmless.

    Ownership: the store and the producer are borrowed; the outbox must be
    destroyed after them or the store must not reconnect afterwards (the
    store keeps pointers to the registered scripts, which are static here).
    Not thread-safe.
    =========================================================================
*/
#ifndef PACTA_OUTBOX_H_INCLUDED
#define PACTA_OUTBOX_H_INCLUDED

#include <stddef.h>
#include <stdint.h>

#include "pacta_bus_producer.h"
#include "pacta_store.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PACTA_OUTBOX_KEY_MAX 512        /* longest key built here */

typedef struct {
    const char *service;               /* producing service: names the streams and the index; required */
    int64_t lease_ms;                  /* claim lease of an entity; 0 = 30000 */
    int64_t grace_ms;                  /* a mark older than this with an empty outbox is forgotten; 0 = 60000 */
    int64_t recheck_min_ms;            /* shortest recheck of a recently marked empty outbox; 0 = 100 */
    int64_t resend_initial_ms;         /* first resend of an unanswered entry; 0 = 2000 */
    int64_t resend_max_ms;             /* cap of the doubling resend delay; 0 = 30000 */
    int64_t claim_interval_ms;         /* how often an idle relay looks for due entities; 0 = 100 */
    size_t claim_batch;                /* entities claimed at once; 0 = 64 */
    size_t max_in_flight;              /* entries sent and unanswered; 0 = 1000 */
    size_t deadletter_max;             /* entries kept per dead-letter stream; 0 = 10000 */
    bool defer_kicks;                  /* kicks wait for this relay's next claim (same script);
                                          only for a writer that runs pacta_outbox_relay itself */
} pacta_outbox_options_t;

typedef struct {
    uint64_t sent;                     /* first sends */
    uint64_t resent;                   /* resends (timeout or retryable NACK) */
    uint64_t acked;                    /* entries deleted on ACK */
    uint64_t nacked_retryable;         /* retryable NACKs received */
    uint64_t dead_lettered;            /* entries moved to the dead-letter stream */
    uint64_t stale_replies;            /* replies for entries this relay does not hold */
    uint64_t claims;                   /* entities claimed */
    uint64_t releases;                 /* entities given back empty */
    uint64_t store_errors;             /* Redis calls that failed */
} pacta_outbox_stats_t;

typedef struct pacta_outbox pacta_outbox_t;

/* Registers the outbox scripts on store. NULL with a reason in err. */
pacta_outbox_t *pacta_outbox_new(pacta_store_t *store, const pacta_outbox_options_t *options, char *err,
                                 size_t err_size);
/* Safe on NULL and twice. Entries in flight stay in Redis. */
void pacta_outbox_destroy(pacta_outbox_t **self_p);

const char *pacta_outbox_service(const pacta_outbox_t *self);
/* Key names for an entity prefix (which must contain a {hash tag}). 0, or
   -1 when the prefix has no tag or the buffer is too small. */
int pacta_outbox_stream_key(const pacta_outbox_t *self, const char *entity_prefix, char *buf, size_t size);
int pacta_outbox_deadletter_key(const pacta_outbox_t *self, const char *entity_prefix, char *buf, size_t size);

/* Before / after an effect that emits (see above). 0 or -1 (Redis). */
int pacta_outbox_mark(pacta_outbox_t *self, const char *entity_prefix);
int pacta_outbox_kick(pacta_outbox_t *self, const char *entity_prefix);
/* The same for count prefixes in one pipelined round trip. 0 or -1. */
int pacta_outbox_mark_batch(pacta_outbox_t *self, const char *const *entity_prefixes, size_t count);
int pacta_outbox_kick_batch(pacta_outbox_t *self, const char *const *entity_prefixes, size_t count);

/* One relay turn: handles replies, resends what is due, claims and sends
   new entries, and waits up to timeout_ms for replies. Returns the number
   of entries acknowledged in this turn (>= 0), or -1 when the producer's
   socket failed (terminated context or signal). Redis failures are
   counted and logged, and retried next turn. */
int pacta_outbox_relay(pacta_outbox_t *self, pacta_bus_producer_t *producer, int timeout_ms);
/* Entries sent and not yet answered. */
size_t pacta_outbox_in_flight(const pacta_outbox_t *self);
void pacta_outbox_stats(const pacta_outbox_t *self, pacta_outbox_stats_t *stats);

#ifdef __cplusplus
}
#endif

#endif
