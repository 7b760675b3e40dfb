/*  =========================================================================
    pacta_bus_worker - the instance side of the bus: receive messages of
    the types a service consumes, answer each with ACK or NACK

    pacta_bus_worker_options_t options = {
        .endpoint = "tcp://bus:5561", .service_class = "invoicing",
        .instance_id = "invoicing-7", .consumes = types, .credit = 64 };
    pacta_bus_worker_t *worker = pacta_bus_worker_new(&options, err, sizeof err);
    while (running) {
        pacta_bus_delivery_t *delivery = NULL;
        if (pacta_bus_worker_recv(worker, 100, &delivery) == 0 && delivery) {
            const Pacta__V1__Envelope *env = pacta_bus_delivery_envelope(delivery);
            ... apply the effect in one Lua script with pacta_dedup ...
            pacta_bus_worker_ack(worker, &delivery, duplicate, version);
        }
    }
    pacta_bus_worker_destroy(&worker);   // tells the bus DISCONNECT

    The worker registers (READY) on its own, heartbeats every heartbeat_ms
    while waiting in recv(), and when the bus stays silent for
    heartbeat_liveness intervals (or says DISCONNECT) it drops the
    connection and registers again on a new one with exponential backoff.
    A delivery received before a reconnect belongs to the old session:
    acking it is a no-op, because the bus has already given it to another
    instance (the consumer's dedup makes that safe).

    Ownership: a delivery returned by recv() belongs to the caller until
    ack()/nack() consumes it (and nulls the pointer); pacta_bus_delivery_
    destroy() releases one without answering (the bus redelivers it when
    this instance is gone, so prefer nack RETRY_LATER). Not thread-safe.
    =========================================================================
*/
#ifndef PACTA_BUS_WORKER_H_INCLUDED
#define PACTA_BUS_WORKER_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pacta_bus_wire.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    const char *endpoint;              /* the bus backend, e.g. tcp://127.0.0.1:5561; required */
    const char *service_class;         /* class in the bus's routing table; required */
    const char *instance_id;           /* stable name of this instance; required */
    const char *const *consumes;       /* NULL-terminated message types it handles; required */
    uint32_t credit;                   /* deliveries it may hold unanswered; 0 = 64 */
    int64_t heartbeat_ms;              /* 0 = 1000 (must match the bus) */
    int heartbeat_liveness;            /* missed intervals before reconnecting; 0 = 3 */
    int64_t reconnect_initial_ms;      /* first reconnect delay; 0 = 250 */
    int64_t reconnect_max_ms;          /* cap of the doubling delay; 0 = 5000 */
    size_t max_message_size;           /* largest frame accepted; 0 = 2 MiB */
    const char *server_public_key;     /* the bus's CURVE public key (Z85); NULL or "" = plain */
    const char *secret_key;            /* this instance's CURVE secret key (Z85), with server_public_key */
    void *zmq_context;                 /* shared ZeroMQ context; NULL = the worker makes its own */
} pacta_bus_worker_options_t;

/* Counters since creation. */
typedef struct {
    uint64_t delivered;                /* deliveries handed to the caller */
    uint64_t acked;                    /* ACKs sent */
    uint64_t nacked;                   /* NACKs sent (automatic ones included) */
    uint64_t stale_answers;            /* answers dropped: their session was gone */
    uint64_t connects;                 /* connections made (first one included) */
    uint64_t heartbeats_sent;          /* HEARTBEAT frames sent */
} pacta_bus_worker_stats_t;

typedef struct pacta_bus_worker pacta_bus_worker_t;
typedef struct pacta_bus_delivery pacta_bus_delivery_t;

/* Validates options and connects (READY is sent at once; it reaches the
   bus whenever the bus is up). NULL with a reason in err. */
pacta_bus_worker_t *pacta_bus_worker_new(const pacta_bus_worker_options_t *options, char *err, size_t err_size);
/* Sends DISCONNECT (the bus redelivers what this instance still holds)
   and closes. Safe on NULL and twice. */
void pacta_bus_worker_destroy(pacta_bus_worker_t **self_p);

/* Waits up to timeout_ms for a delivery, heartbeating and reconnecting as
   needed. 0 with *delivery set (or NULL on timeout); -1 when the ZeroMQ
   context was terminated or a signal interrupted the wait (*delivery
   NULL). Deliveries that do not decode or have an undeclared type are
   NACKed here and never returned. */
int pacta_bus_worker_recv(pacta_bus_worker_t *self, int timeout_ms, pacta_bus_delivery_t **delivery);
/* Heartbeats and liveness without waiting: for callers that poll the
   socket themselves between recv() calls. */
void pacta_bus_worker_upkeep(pacta_bus_worker_t *self);
/* The socket to poll for input (changes after a reconnect; NULL while
   waiting to reconnect). */
void *pacta_bus_worker_socket(pacta_bus_worker_t *self);

/* Answers a delivery and releases it (*delivery_p = NULL). 0, or -1 if
   the answer could not be queued (the bus will redeliver). */
int pacta_bus_worker_ack(pacta_bus_worker_t *self, pacta_bus_delivery_t **delivery_p, bool duplicate,
                         uint64_t entity_version);
/* field may be NULL; detail is one human sentence. Whether the producer
   retries follows from reason (pacta_bus_nack_reason_retryable). */
int pacta_bus_worker_nack(pacta_bus_worker_t *self, pacta_bus_delivery_t **delivery_p,
                          Pacta__V1__NackReason reason, const char *field, const char *detail,
                          uint32_t retry_after_ms);

void pacta_bus_worker_stats(const pacta_bus_worker_t *self, pacta_bus_worker_stats_t *stats);
/* True while the bus has been heard from within the liveness window. */
bool pacta_bus_worker_connected(const pacta_bus_worker_t *self);

/* The decoded envelope of a delivery (valid until it is answered). */
const Pacta__V1__Envelope *pacta_bus_delivery_envelope(const pacta_bus_delivery_t *delivery);
/* 1 for a first delivery, more for redeliveries. */
uint32_t pacta_bus_delivery_attempt(const pacta_bus_delivery_t *delivery);
/* Releases a delivery without answering. Safe on NULL and twice. */
void pacta_bus_delivery_destroy(pacta_bus_delivery_t **self_p);

#ifdef __cplusplus
}
#endif

#endif
