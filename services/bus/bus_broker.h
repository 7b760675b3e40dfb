/*  =========================================================================
    bus_broker - the Pacta message bus: a ZeroMQ broker in the Majordomo
    tradition with end-to-end acknowledgement

    Two ROUTER sockets: the frontend, where producers (outside systems,
    services' outbox relays, pactactl) SEND envelopes and get one REPLY
    each; the backend, where service instances register (READY), get
    DELIVERed messages and answer DONE with an Ack or a Nack. The frame
    layouts are in pacta_bus_wire.h and docs/protocol.md.

    What the broker guarantees:
      - each message goes to every class of the routing table subscribed to
        its type (or to envelope.destination alone), and within a class to
        one live instance chosen by rendezvous hashing of tenant+entity_key;
      - the producer gets ACK only when every target class acknowledged; a
        NACK carries a reason, a sentence and whether to retry;
      - a class with no live instance keeps its messages queued (bounded by
        queue_max, then NACK QUEUE_FULL) and answers NACK NO_CAPACITY only
        after no_capacity_timeout_ms without any instance;
      - deliveries in flight at an instance that dies (3 missed heartbeats,
        DISCONNECT, replaced by a new READY with the same instance id) go
        back to the head of the queue and are redelivered elsewhere;
      - nothing is durable: after a restart producers resend (same message
        id) and consumers deduplicate.

    Usage:
      bus_broker_t *bus = bus_broker_new(&options, err, sizeof err);
      while (running)
          bus_broker_run_once(bus, 100);
      bus_broker_destroy(&bus);
    Not thread-safe: one thread runs the broker.
    =========================================================================
*/
#ifndef BUS_BROKER_H_INCLUDED
#define BUS_BROKER_H_INCLUDED

#include <stddef.h>
#include <stdint.h>

#include "bus_allow.h"
#include "bus_routes.h"
#include "pacta_metrics.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    const char *frontend;            /* endpoint bound for producers, e.g. tcp://127.0.0.1:5560 ("*" port = any) */
    const char *backend;             /* endpoint bound for service instances, e.g. tcp://127.0.0.1:5561 */
    const bus_routes_t *routes;      /* subscription table; borrowed, must outlive the broker */
    const bus_allow_t *allow;        /* CURVE allow-list; borrowed; required when curve_secret_key is set */
    const char *curve_secret_key;    /* Z85 secret key of the bus; NULL or "" = plain (no CURVE, no ZAP) */
    size_t max_message_size;         /* largest envelope accepted; 0 = 1 MiB; frames over 2x are cut by ZeroMQ */
    size_t queue_max;                /* deliveries waiting per class before QUEUE_FULL; 0 = 100000 */
    size_t pending_max;              /* requests in progress before QUEUE_FULL; 0 = 200000 */
    int64_t heartbeat_ms;            /* heartbeat interval both ways; 0 = 1000 */
    int heartbeat_liveness;          /* missed heartbeats before an instance is dead; 0 = 3 */
    int64_t no_capacity_timeout_ms;  /* wait for a first live instance before NO_CAPACITY; 0 = 30000 */
    uint32_t max_deliveries;         /* attempts per message and class before INTERNAL; 0 = 10 */
    pacta_metrics_t *metrics;        /* registry for /metrics; borrowed, may be NULL */
    void *zmq_context;               /* ZeroMQ context to use; NULL = the broker makes its own */
} bus_broker_options_t;

/* Counters since start, for tests and logs. */
typedef struct {
    uint64_t received;               /* SEND frames read on the frontend */
    uint64_t accepted;               /* requests routed (new, not joined to one in progress) */
    uint64_t joined;                 /* resends joined to a request already in progress */
    uint64_t delivered;              /* DELIVER frames sent, redeliveries included */
    uint64_t redelivered;            /* deliveries put back in a queue after their instance died */
    uint64_t acked;                  /* requests answered ACK */
    uint64_t nacked;                 /* requests answered NACK (the bus's own and instances') */
    uint64_t refused_frames;         /* malformed, oversized or unexpected frames on either socket */
    uint64_t stale_replies;          /* DONE for a delivery no longer held by that instance */
    uint64_t zap_accepted;           /* CURVE handshakes allowed */
    uint64_t zap_denied;             /* CURVE handshakes refused (unknown key) */
    uint64_t instances_registered;   /* READY accepted */
    uint64_t instances_lost;         /* instances removed: dead, disconnected or replaced */
    size_t live_instances;           /* instances registered now */
    size_t queued;                   /* deliveries waiting in class queues */
    size_t in_flight;                /* deliveries held by instances */
    size_t pending;                  /* requests in progress */
} bus_broker_stats_t;

typedef struct bus_broker bus_broker_t;

/* Creates the sockets and binds them. NULL with a reason in err (bad
   endpoint, port in use, bad key, out of memory). */
bus_broker_t *bus_broker_new(const bus_broker_options_t *options, char *err, size_t err_size);
/* Tells every instance DISCONNECT, closes the sockets. In-progress requests
   are dropped (their producers resend). Safe on NULL and twice. */
void bus_broker_destroy(bus_broker_t **self_p);

/* Waits up to timeout_ms for traffic, handles what arrived and runs the
   timers (heartbeats, liveness, NO_CAPACITY, metrics). 0, or -1 when the
   ZeroMQ context was terminated. */
int bus_broker_run_once(bus_broker_t *self, int timeout_ms);

/* The endpoints actually bound ("tcp://127.0.0.1:41234"). */
const char *bus_broker_frontend_endpoint(const bus_broker_t *self);
const char *bus_broker_backend_endpoint(const bus_broker_t *self);
void bus_broker_stats(const bus_broker_t *self, bus_broker_stats_t *stats);
/* Copies the counters into the metrics registry now (run_once does it
   every second). */
void bus_broker_publish_metrics(bus_broker_t *self);

#ifdef __cplusplus
}
#endif

#endif
