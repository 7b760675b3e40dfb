/*  =========================================================================
    pacta_runtime - the service shell: bus worker, effects, outbox relay,
    timer loop, parking area and owed follow-ups

    pacta_service_main() creates one when the service consumes messages and
    drives it from its loop; tests create one on a store of their own and
    feed it envelopes with pacta_runtime_handle():

        pacta_runtime_options_t options = {.service = "invoicing", .consumes = types,
            .handlers = &inv_handlers, .store = store, .profiles = profiles, .clock = clock};
        pacta_runtime_t *rt = pacta_runtime_new(&options, err, sizeof err);
        pacta_runtime_result_t result;
        pacta_runtime_handle(rt, envelope, &result);    // result.ack, result.reason, result.field
        pacta_runtime_fire_timers(rt, "capconnect", 16); // due timers of the tenant's clock
        pacta_runtime_destroy(&rt);

    One message goes through, in order: tenant known (else NACK
    UNKNOWN_TENANT, field envelope.tenant); a handler for its type (else
    ACK, counted as ignored); already applied? (ACK duplicate, or NACK
    CONFLICT for the same id with other content); payload decodes (else
    INVALID, field envelope.payload); required fields, Dates and Money valid
    (else INVALID naming the field); documents loaded, handler run, effect
    applied through pacta_dedup in one Lua script; version conflict →
    reload and run again (at most PACTA_RUNTIME_CAS_ATTEMPTS times, then
    RETRY_LATER); then the owed follow-ups (timers, indexes) and a retry of
    the entity's parked facts; then ACK with the highest version written.
    A Redis failure is NACK RETRY_LATER: nothing was applied, or it was and
    the resend is a duplicate.

    Not thread-safe (one per service thread); the "bus" health check it
    registers reads an atomic flag.
    =========================================================================
*/
#ifndef PACTA_RUNTIME_H_INCLUDED
#define PACTA_RUNTIME_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pacta/v1/ack.pb-c.h"
#include "pacta/v1/envelope.pb-c.h"
#include "pacta_clock.h"
#include "pacta_handler.h"
#include "pacta_metrics.h"
#include "pacta_profile.h"
#include "pacta_store.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PACTA_RUNTIME_CAS_ATTEMPTS 16     /* handler runs per message on version conflicts */
#define PACTA_RUNTIME_TIMER_LEASE_MS 30000 /* lease of a claimed timer */
#define PACTA_RUNTIME_OWED_AGE_MS 5000    /* a mark older than this is swept */

typedef struct {
    const char *service;               /* service name: worker class, dedup/outbox/timer namespace; required */
    const char *instance_id;           /* for the bus and Ack.handled_by; NULL = service */
    const char *const *consumes;       /* NULL-terminated types registered on the bus; required */
    const pacta_handler_set_t *handlers; /* may be NULL: every message is ignored (ACKed) */
    pacta_store_t *store;              /* borrowed; required */
    const pacta_profile_set_t *profiles; /* borrowed; the known tenants; required */
    pacta_clock_t *clock;              /* borrowed; tenants' "now"; required */
    pacta_metrics_t *metrics;          /* borrowed; may be NULL */
    const char *bus_backend;           /* instance side of the bus; NULL = no worker (tests) */
    const char *bus_frontend;          /* producer side, for the outbox relay; NULL = no relay */
    uint32_t bus_credit;               /* deliveries held at once; 0 = the worker's default */
    const char *server_public_key;     /* the bus's CURVE public key (Z85); NULL = plain */
    const char *secret_key;            /* this instance's CURVE secret key (Z85), with server_public_key */
} pacta_runtime_options_t;

/* The answer to one message (what would go back on the bus). */
typedef struct {
    bool ack;                          /* ACK (true) or NACK */
    bool duplicate;                    /* ACK: already applied */
    bool ignored;                      /* ACK: no handler for the type */
    bool parked;                       /* ACK: the fact waits in the parking area */
    uint64_t version;                  /* ACK: highest document version written, 0 if none */
    Pacta__V1__NackReason reason;      /* NACK: why */
    char field[96];                    /* NACK: offending field path, "" if none */
    char detail[256];                  /* NACK: one sentence */
    int attempts;                      /* handler runs (more than 1 after version conflicts) */
} pacta_runtime_result_t;

typedef struct pacta_runtime pacta_runtime_t;

/* NULL with a reason in err (bad options, scripts refused, bus sockets). */
pacta_runtime_t *pacta_runtime_new(const pacta_runtime_options_t *options, char *err, size_t err_size);
/* Disconnects from the bus (unanswered deliveries go to other instances);
   what is owed stays in Redis for the next sweep. Safe on NULL and twice. */
void pacta_runtime_destroy(pacta_runtime_t **self_p);

/* Handles one envelope end to end (see above). 0 with *result filled. */
int pacta_runtime_handle(pacta_runtime_t *self, const Pacta__V1__Envelope *envelope, pacta_runtime_result_t *result);
/* Claims and handles up to max due timers of tenant; returns how many were
   handled (completed), -1 on a Redis failure. */
int pacta_runtime_fire_timers(pacta_runtime_t *self, const char *tenant, size_t max);
/* Performs follow-ups owed for longer than min_age_ms (0 = all). Returns
   how many entities were settled, -1 on a Redis failure. */
int pacta_runtime_sweep_owed(pacta_runtime_t *self, int64_t min_age_ms);
/* One turn of the service loop for about budget_ms: bus deliveries, outbox
   relay, due timers of every tenant, sweeps and metrics. 0, or -1 when the
   ZeroMQ context went away (the service is stopping). */
int pacta_runtime_tick(pacta_runtime_t *self, int budget_ms);

/* True while the bus has been heard from (thread-safe). */
bool pacta_runtime_bus_connected(const pacta_runtime_t *self);
/* The "bus" health check for pacta_http: informational (1) while the bus is
   unreachable, 0 when connected or when there is no worker. */
int pacta_runtime_health(void *self, char *detail, size_t detail_size);

#ifdef __cplusplus
}
#endif

#endif
