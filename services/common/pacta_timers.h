/*  =========================================================================
    pacta_timers - deadlines in Redis, claimed by any instance under a lease

    Every deadline of the terms (an invoice's due date, a notice period's
    end, a quote's lapse, a retention expiry) is a timer: an id chosen by the
    caller, a due instant, the entity it concerns and an opaque payload. The
    timers of one tenant and one owning service live in one Redis hash slot
    ({tm:<tenant>:<service>}), so any instance may claim due timers; a claim
    is a lease that expires, so the timers of an instance that died are
    claimed again by another.

    Claiming hands out due timers earliest first. On a tenant running on a
    test clock, "now" is that clock: advance it by a year and every timer due
    in that year is handed out in date order. The claimer handles a timer with
    the timer's own due date as "today" (time is data), then completes it.

    Ids are deterministic ("c:42/CC-3b/2025-02-09"): scheduling the same
    deadline twice leaves one timer. Each (re)schedule bumps the timer's
    generation, and complete/release only act on the generation that was
    claimed, so a handler that was slow cannot delete a timer re-scheduled
    under it. Handlers must be idempotent: a lease that expires mid-work lets
    another instance run the same generation (use id + generation as the
    dedup key).
    =========================================================================
*/
#ifndef PACTA_TIMERS_H_INCLUDED
#define PACTA_TIMERS_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pacta_date.h"
#include "pacta_store.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PACTA_TIMER_ID_SIZE 192        /* longest id + NUL: [A-Za-z0-9._:/@+-] */
#define PACTA_TIMER_ENTITY_SIZE 192    /* longest entity key + NUL */
#define PACTA_TIMER_PAYLOAD_MAX 65536  /* payload bytes at most */
#define PACTA_TIMER_SERVICE_SIZE 32    /* longest service name + NUL */

/* One claimed timer. payload is owned by the timer: pacta_timer_clear(). */
typedef struct {
    char id[PACTA_TIMER_ID_SIZE];             /* caller's id */
    char entity_key[PACTA_TIMER_ENTITY_SIZE]; /* entity the deadline concerns ("c:42") */
    pacta_instant_t due;                      /* instant it became due */
    int64_t generation;                       /* which schedule of this id: pass it back to complete/release */
    int64_t attempts;                         /* claims of this generation so far, 1 on the first */
    unsigned char *payload;                   /* opaque bytes the scheduler attached; may be NULL when empty */
    size_t payload_len;                       /* bytes in payload */
} pacta_timer_t;

/* Counts for /metrics and pactactl. */
typedef struct {
    size_t pending;              /* waiting to become due or to be claimed */
    size_t leased;               /* claimed, not yet completed */
    bool has_next;               /* pending > 0 */
    pacta_instant_t next_due;    /* earliest pending due instant, when has_next */
} pacta_timers_stats_t;

typedef struct pacta_timers pacta_timers_t;

/* Timers owned by service (e.g. "invoicing") on store (borrowed, must
   outlive the result; its scripts are registered here). NULL on a bad
   service name or out of memory. */
pacta_timers_t *pacta_timers_new(pacta_store_t *store, const char *service);
void pacta_timers_destroy(pacta_timers_t **self_p);

/* Creates or replaces timer id of tenant, due at `due`, for entity_key,
   carrying payload (may be NULL when payload_len is 0). generation_out may
   be NULL. 0, or -1 (bad argument or Redis error: pacta_timers_error). */
int pacta_timers_schedule(pacta_timers_t *self, const char *tenant, const char *id, pacta_instant_t due,
                          const char *entity_key, const void *payload, size_t payload_len,
                          int64_t *generation_out);
/* Removes timer id whatever its state; *existed (may be NULL) says whether
   there was one. 0 or -1. */
int pacta_timers_cancel(pacta_timers_t *self, const char *tenant, const char *id, bool *existed);
/* Claims up to max timers of tenant due at or before now, earliest first
   (ties by id), each under a lease of lease_ms milliseconds of Redis time.
   Timers whose lease expired are claimable again first. Fills out[0..*count).
   0 or -1; on -1 nothing was handed out. Clear each timer after use. */
int pacta_timers_claim(pacta_timers_t *self, const char *tenant, pacta_instant_t now, int64_t lease_ms,
                       pacta_timer_t *out, size_t max, size_t *count);
/* The claimed generation's effect is committed: delete the timer. *done
   (may be NULL) is false when the timer was re-scheduled or cancelled
   meanwhile (nothing changed). 0 or -1. */
int pacta_timers_complete(pacta_timers_t *self, const char *tenant, const pacta_timer_t *timer, bool *done);
/* pacta_timers_complete() for count claimed timers of one tenant in one
   pipelined round trip (a claimer completes the batch it handled). 0, or -1
   when a call failed (those timers stay leased and are claimed again). */
int pacta_timers_complete_batch(pacta_timers_t *self, const char *tenant, const pacta_timer_t *const *timers,
                                size_t count);
/* The handler failed: retry the same generation after backoff_ms. 0 or -1. */
int pacta_timers_release(pacta_timers_t *self, const char *tenant, const pacta_timer_t *timer,
                         int64_t backoff_ms);
/* Counts of tenant's timers. 0 or -1. */
int pacta_timers_stats(pacta_timers_t *self, const char *tenant, pacta_timers_stats_t *stats);
/* Frees a claimed timer's payload; safe twice. */
void pacta_timer_clear(pacta_timer_t *timer);

/* Last error message of this object, "" if none. */
const char *pacta_timers_error(const pacta_timers_t *self);

#ifdef __cplusplus
}
#endif

#endif
