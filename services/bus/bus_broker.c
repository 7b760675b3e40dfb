/*  =========================================================================
    bus_broker - the Pacta message bus

    Producers and instances only ever connect to the bus, so `docker compose
    --scale` works and nothing needs to know where an instance lives. The
    broker tracks, for every message in progress, which classes still owe
    an answer, and answers the producer once all of them did.

    Design decisions:
      - A request ("pending") is keyed by tenant + message_id + destination.
        A resend of a message still in progress joins the existing request
        instead of being delivered twice, so a producer retrying too early
        costs nothing downstream.
      - One delivery per target class, owned by its request. A delivery is
        either waiting in the queue of its route (class x type), or in flight
        at one instance under a fresh 64-bit tag, or done. Redelivery moves
        it back to the head of its queue and gives it a new tag, so a late
        DONE from the dead instance can never complete the new attempt.
      - Flow control is credit-based: an instance says in READY how many
        deliveries it may hold; the bus never exceeds it, so the backend's
        ZeroMQ pipes never fill and ROUTER never drops.
      - Rendezvous hashing picks, among the live instances of the class
        that declared the type and have credit left, the one with the
        highest mix(instance seed ^ key hash). Removing an instance moves
        only its keys; a busy instance spills to the next best one instead
        of stalling (locality is an optimisation, never a correctness
        crutch).
      - The broker decodes only the Envelope (and replies), never payloads.
      - Counters are plain integers on the hot path and are copied into the
        metrics registry once a second.
    =========================================================================
*/
#include "bus_broker.h"

#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "pacta_map.h"
#include "pacta_bus_wire.h"
#include "pacta_log.h"

#define ZAP_ENDPOINT "inproc://zeromq.zap.01"
#define BATCH_MAX 512                 /* messages read from one socket per turn */
#define SWEEP_MS 100                  /* NO_CAPACITY sweep period */
#define METRICS_MS 1000               /* metrics publication period */
#define LOG_EVERY_MS 1000             /* at most one warning per kind and second */
#define WAITERS_MAX 8                 /* producers waiting on one request */
#define CREDIT_MAX 100000             /* largest credit an instance may ask for */
#define SOCKET_HWM 100000             /* ZeroMQ high-water marks of both sockets */
#define ENDPOINT_MAX 256              /* bound endpoint text */
#define RETRY_AFTER_MS 1000           /* suggested back-off in the bus's retryable NACKs */
#define BUS_NAME "bus"                /* handled_by of the bus's own replies */

/* Kinds of refused frames, for metrics and rate-limited logs. */
typedef enum {
    REFUSED_BAD_FRAME = 0,            /* no signature, too few frames, too many frames */
    REFUSED_BAD_COMMAND,              /* a command the socket does not take */
    REFUSED_TOO_LARGE,                /* envelope above max_message_size */
    REFUSED_UNDECODABLE,              /* envelope or reply does not decode */
    REFUSED_BAD_READY,                /* READY with bad fields or an unknown class */
    REFUSED_UNKNOWN_PEER,             /* HEARTBEAT/DONE from an unregistered instance */
    REFUSED_KIND_COUNT
} refused_kind_t;

static const char *const s_refused_names[REFUSED_KIND_COUNT] = {
    "bad_frame", "bad_command", "too_large", "undecodable", "bad_ready", "unknown_peer",
};

typedef enum { SOCKET_FRONTEND = 0, SOCKET_BACKEND = 1, SOCKET_COUNT } socket_kind_t;

static const char *const s_socket_names[SOCKET_COUNT] = {"frontend", "backend"};

typedef struct bus_delivery bus_delivery_t;
typedef struct bus_pending bus_pending_t;
typedef struct bus_instance bus_instance_t;
typedef struct bus_class bus_class_t;
typedef struct bus_route bus_route_t;

/* An intrusive list of deliveries (route queue or instance in-flight). */
typedef struct {
    bus_delivery_t *head;             /* first (next to deliver) */
    bus_delivery_t *tail;             /* last */
    size_t count;                     /* length */
} delivery_list_t;

typedef enum {
    DELIVERY_QUEUED = 0,              /* waiting in its route's queue */
    DELIVERY_IN_FLIGHT,               /* held by an instance under tag */
    DELIVERY_DONE                     /* answered (by an instance or the bus) */
} delivery_state_t;

struct bus_delivery {
    bus_pending_t *pending;           /* the request it belongs to */
    bus_route_t *route;               /* class x type it goes through */
    bus_instance_t *instance;         /* holder while in flight, else NULL */
    uint64_t tag;                     /* in-flight tag (key of the tag map) */
    int64_t queued_at_ms;             /* when it last entered its queue */
    uint32_t attempts;                /* DELIVERs sent so far */
    delivery_state_t state;           /* where it is */
    bus_delivery_t *prev;             /* neighbours in the current list */
    bus_delivery_t *next;             /* see prev */
    /* outcome, once DONE */
    bool has_reply;                   /* reply holds the instance's reply envelope */
    zmq_msg_t reply;                  /* instance reply bytes, forwarded as is when possible */
    bool acked;                       /* Ack (true) or Nack */
    bool duplicate;                   /* Ack.duplicate */
    uint64_t entity_version;          /* Ack.entity_version */
    Pacta__V1__NackReason reason;     /* Nack reason */
    bool retryable;                   /* Nack.retryable */
    char handled_by[PACTA_BUS_NAME_MAX + 1]; /* instance that answered, or "bus" */
    char *detail;                     /* the bus's own Nack sentence, owned; NULL for instance replies */
};

/* A producer waiting for a reply: its frontend routing id. */
typedef struct {
    uint8_t *id;                      /* routing id bytes, owned */
    size_t len;                       /* bytes of id */
} waiter_t;

struct bus_pending {
    char *key;                        /* tenant \0 message_id \0 destination, owned (map key) */
    size_t key_len;                   /* bytes of key */
    zmq_msg_t envelope;               /* the envelope frame, shared with every DELIVER */
    pacta_bus_reply_t answered;       /* message id, tenant, entity key, destination for bus replies */
    uint64_t key_hash;                /* rendezvous hash of tenant + entity_key */
    size_t type_index;                /* routing-table type */
    waiter_t waiters[WAITERS_MAX];    /* producers to answer */
    size_t waiter_count;              /* used entries of waiters */
    size_t target_count;              /* deliveries */
    size_t done_count;                /* deliveries answered */
    bus_delivery_t targets[];         /* one per target class */
};

struct bus_instance {
    uint8_t identity[256];            /* backend routing id */
    size_t identity_len;              /* bytes of identity */
    char name[PACTA_BUS_NAME_MAX + 1];/* instance id from READY */
    char principal[PACTA_BUS_NAME_MAX + 1]; /* allow-list name, "" in plain mode */
    bus_class_t *klass;               /* its service class */
    uint8_t *consumes;                /* per routing-table type: declared in READY (0/1) */
    uint32_t credit;                  /* deliveries it may hold */
    uint32_t in_flight;               /* deliveries it holds */
    uint64_t seed;                    /* hash of name: its rendezvous seed */
    int64_t last_seen_ms;             /* last frame received from it */
    int64_t last_sent_ms;             /* last frame sent to it */
    delivery_list_t held;             /* deliveries in flight at it */
    bus_instance_t *prev;             /* neighbours in the class's instance list */
    bus_instance_t *next;             /* see prev */
};

struct bus_route {
    bus_class_t *klass;               /* target class */
    size_t type_index;                /* message type */
    delivery_list_t queue;            /* deliveries waiting, FIFO (redeliveries at the head) */
    bool active;                      /* linked in the class's active list (queue not empty) */
    bus_route_t *active_prev;         /* neighbours in the active list */
    bus_route_t *active_next;         /* see active_prev */
};

struct bus_class {
    size_t index;                     /* routing-table class index */
    const char *name;                 /* class name (borrowed from the routing table) */
    bus_instance_t *instances;        /* live instances (list head) */
    size_t live;                      /* length of instances */
    bus_route_t *active;              /* routes with waiting deliveries (list head) */
    size_t queued;                    /* deliveries waiting in this class's routes */
    size_t in_flight;                 /* deliveries held by this class's instances */
    int64_t empty_since_ms;           /* when the last instance left (or start) */
};

/* Hot-path counters per message type; the last row counts unroutable types. */
typedef struct {
    uint64_t in;                      /* requests received */
    uint64_t out;                     /* DELIVERs */
    uint64_t acked;                   /* requests answered ACK */
    uint64_t redelivered;             /* deliveries requeued */
    uint64_t nacked[PACTA__V1__NACK_REASON__NACK_REASON_UNSUPPORTED_VERSION + 1]; /* by reason */
} type_counters_t;
#define REASON_COUNT (PACTA__V1__NACK_REASON__NACK_REASON_UNSUPPORTED_VERSION + 1)

struct bus_broker {
    void *context;                    /* ZeroMQ context */
    bool own_context;                 /* we made context and must terminate it */
    void *frontend;                   /* ROUTER for producers */
    void *backend;                    /* ROUTER for instances */
    void *zap;                        /* REP for ZAP requests, NULL in plain mode */
    char frontend_endpoint[ENDPOINT_MAX]; /* bound address */
    char backend_endpoint[ENDPOINT_MAX];  /* bound address */
    const bus_routes_t *routes;       /* subscription table */
    const bus_allow_t *allow;         /* allow-list or NULL */
    bool curve;                       /* CURVE on */
    size_t max_message_size;          /* envelope cap */
    size_t queue_max;                 /* per class */
    size_t pending_max;               /* total */
    int64_t heartbeat_ms;             /* interval */
    int heartbeat_liveness;           /* missed intervals before death */
    int64_t no_capacity_timeout_ms;   /* wait for a first instance */
    uint32_t max_deliveries;          /* attempts before INTERNAL */
    size_t type_count;                /* routing-table types */
    size_t class_count;               /* routing-table classes */
    bus_class_t *classes;             /* class_count classes */
    bus_route_t **route_of;           /* [type * class_count + class] -> route or NULL */
    pacta_map_t *pending;               /* request key -> bus_pending_t */
    pacta_map_t *tags;                  /* 8-byte tag -> in-flight bus_delivery_t */
    pacta_map_t *instances;             /* backend routing id -> bus_instance_t */
    uint64_t next_tag;                /* next delivery tag */
    int64_t next_heartbeat_ms;        /* next heartbeat/liveness turn */
    int64_t next_sweep_ms;            /* next NO_CAPACITY sweep */
    int64_t next_metrics_ms;          /* next metrics publication */
    bus_broker_stats_t stats;         /* counters (gauges filled on demand) */
    type_counters_t *by_type;         /* type_count + 1 rows */
    type_counters_t *published;       /* what was last copied to metrics */
    uint64_t refused[SOCKET_COUNT][REFUSED_KIND_COUNT];   /* refused frames */
    uint64_t refused_published[SOCKET_COUNT][REFUSED_KIND_COUNT]; /* last copied */
    int64_t last_log_ms[REFUSED_KIND_COUNT];              /* rate limit of refused-frame warnings */
    int64_t last_nack_log_ms[REASON_COUNT];               /* rate limit of refused-message warnings */
    uint64_t nack_logs_suppressed[REASON_COUNT];          /* warnings skipped since the last one */
    uint64_t zap_published[2];        /* last copied zap counters (accepted, denied) */
    int64_t zap_last_log_ms;          /* rate limit of refused-handshake warnings */
    uint64_t stale_published;         /* last copied stale replies */
    uint64_t lost_published;          /* last copied instances lost */
    pacta_metrics_t *metrics;         /* registry or NULL */
};

/* ---------------------------------------------------------------------------
   Small helpers
   ------------------------------------------------------------------------ */

/* Monotonic milliseconds for heartbeats and queue ages, immune to wall-clock jumps. */
static int64_t
s_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Appends to an intrusive list: the normal order of a queue. */
static void
s_list_push_tail(delivery_list_t *list, bus_delivery_t *d)
{
    d->prev = list->tail;
    d->next = NULL;
    if (list->tail)
        list->tail->next = d;
    else
        list->head = d;
    list->tail = d;
    list->count++;
}

/* Prepends: redeliveries go before newer messages so an entity's order is kept as far as possible. */
static void
s_list_push_head(delivery_list_t *list, bus_delivery_t *d)
{
    d->prev = NULL;
    d->next = list->head;
    if (list->head)
        list->head->prev = d;
    else
        list->tail = d;
    list->head = d;
    list->count++;
}

/* Unlinks d in O(1), wherever it is in the list. */
static void
s_list_remove(delivery_list_t *list, bus_delivery_t *d)
{
    if (d->prev)
        d->prev->next = d->next;
    else
        list->head = d->next;
    if (d->next)
        d->next->prev = d->prev;
    else
        list->tail = d->prev;
    d->prev = d->next = NULL;
    assert(list->count > 0);
    list->count--;
}

/* Counts a refused frame and logs it at most once a second per kind, so a
   peer throwing garbage cannot flood the logs either. */
static void
s_refuse(bus_broker_t *self, socket_kind_t socket, refused_kind_t kind, const char *detail)
{
    self->refused[socket][kind]++;
    self->stats.refused_frames++;
    int64_t now = s_now_ms();
    if (now - self->last_log_ms[kind] < LOG_EVERY_MS)
        return;
    self->last_log_ms[kind] = now;
    pacta_log_warn("frame refused", "socket", s_socket_names[socket], "reason", s_refused_names[kind], "detail",
                   detail);
}

/* True when a refused-message warning of this reason may be logged now
   (at most one a second per reason; the metrics count every one). */
static bool
s_nack_log_allowed(bus_broker_t *self, Pacta__V1__NackReason reason, uint64_t *suppressed)
{
    size_t r = (size_t) reason < REASON_COUNT ? (size_t) reason : 0;
    int64_t now = s_now_ms();
    if (now - self->last_nack_log_ms[r] < LOG_EVERY_MS) {
        self->nack_logs_suppressed[r]++;
        return false;
    }
    self->last_nack_log_ms[r] = now;
    *suppressed = self->nack_logs_suppressed[r];
    self->nack_logs_suppressed[r] = 0;
    return true;
}

/* Row of the per-type counters for a type index (type_count = "other"). */
static type_counters_t *
s_counters(bus_broker_t *self, size_t type_index)
{
    return &self->by_type[type_index < self->type_count ? type_index : self->type_count];
}

/* ---------------------------------------------------------------------------
   Sending
   ------------------------------------------------------------------------ */

/* Sends [id, signature, command, parts..., last] without blocking. last
   (may be NULL) is consumed on success and left untouched on failure. 0,
   or -1 with errno (EHOSTUNREACH: peer gone; EAGAIN: its pipe is full). */
static int
s_send(void *socket, const uint8_t *id, size_t id_len, uint8_t command, size_t count, const void *const *parts,
       const size_t *lens, zmq_msg_t *last)
{
    bool more_after_command = count > 0 || last;
    if (zmq_send(socket, id, id_len, ZMQ_DONTWAIT | ZMQ_SNDMORE) < 0)
        return -1;
    /* From here on the message is committed to the peer's pipe: ZeroMQ
       delivers multipart messages atomically, later parts cannot fail. */
    zmq_send(socket, PACTA_BUS_SIGNATURE, PACTA_BUS_SIGNATURE_LEN, ZMQ_DONTWAIT | ZMQ_SNDMORE);
    zmq_send(socket, &command, 1, ZMQ_DONTWAIT | (more_after_command ? ZMQ_SNDMORE : 0));
    for (size_t i = 0; i < count; i++)
        zmq_send(socket, parts[i], lens[i], ZMQ_DONTWAIT | (i + 1 < count || last ? ZMQ_SNDMORE : 0));
    if (last)
        zmq_msg_send(last, socket, ZMQ_DONTWAIT);
    return 0;
}

/* Sends a packed reply envelope to one producer. */
static void
s_reply_bytes(bus_broker_t *self, const uint8_t *id, size_t id_len, const void *bytes, size_t len)
{
    const void *parts[1] = {bytes};
    size_t lens[1] = {len};
    if (s_send(self->frontend, id, id_len, PACTA_BUS_CMD_REPLY, 1, parts, lens, NULL) != 0)
        pacta_log_debug("reply undeliverable", "error", zmq_strerror(errno));
}

/* Answers a frame the bus refused before it became a request. */
static void
s_reply_nack(bus_broker_t *self, const uint8_t *id, size_t id_len, const Pacta__V1__Envelope *answered,
             Pacta__V1__NackReason reason, const char *field, const char *detail)
{
    pacta_bus_reply_t reply;
    memset(&reply, 0, sizeof reply);
    if (answered && answered->message_id)
        snprintf(reply.message_id, sizeof reply.message_id, "%s", answered->message_id);
    snprintf(reply.handled_by, sizeof reply.handled_by, "%s", BUS_NAME);
    pacta_bus_reply_set_nack(&reply, reason, field, "%s", detail);
    if (reply.retryable)
        reply.retry_after_ms = RETRY_AFTER_MS;
    size_t len = 0;
    uint8_t *bytes = pacta_bus_reply_pack(&reply, answered, &len);
    if (!bytes) {
        pacta_log_error("out of memory building a reply");
        return;
    }
    s_reply_bytes(self, id, id_len, bytes, len);
    free(bytes);
}

/* ---------------------------------------------------------------------------
   Requests and their completion
   ------------------------------------------------------------------------ */

static void s_dispatch(bus_broker_t *self, bus_class_t *klass);

/* Releases a request and everything its deliveries own; the map entry is the caller's business. */
static void
s_pending_free(bus_pending_t *pending)
{
    if (!pending)
        return;
    for (size_t i = 0; i < pending->target_count; i++) {
        bus_delivery_t *d = &pending->targets[i];
        if (d->has_reply)
            zmq_msg_close(&d->reply);
        free(d->detail);
    }
    for (size_t i = 0; i < pending->waiter_count; i++)
        free(pending->waiters[i].id);
    zmq_msg_close(&pending->envelope);
    free(pending->key);
    free(pending);
}

/* Adds a producer to the request's waiters (once). */
static void
s_add_waiter(bus_pending_t *pending, const uint8_t *id, size_t id_len)
{
    for (size_t i = 0; i < pending->waiter_count; i++)
        if (pending->waiters[i].len == id_len && memcmp(pending->waiters[i].id, id, id_len) == 0)
            return;
    if (pending->waiter_count >= WAITERS_MAX)
        return;   /* that producer will time out and resend */
    uint8_t *copy = malloc(id_len > 0 ? id_len : 1);
    if (!copy)
        return;
    memcpy(copy, id, id_len);
    pending->waiters[pending->waiter_count].id = copy;
    pending->waiters[pending->waiter_count].len = id_len;
    pending->waiter_count++;
}

/* Builds the producer's reply from the deliveries' outcomes: the worst
   Nack if any (non-retryable before retryable), else one Ack. A single
   target's own reply envelope is forwarded unchanged. Returns the packed
   bytes in *owned (caller frees) or points *data into a delivery's reply. */
static int
s_final_reply(bus_broker_t *self, bus_pending_t *pending, const void **data, size_t *len, uint8_t **owned,
              bool *acked, Pacta__V1__NackReason *reason)
{
    (void) self;
    *owned = NULL;
    bus_delivery_t *worst = NULL;
    for (size_t i = 0; i < pending->target_count; i++) {
        bus_delivery_t *d = &pending->targets[i];
        if (d->acked)
            continue;
        if (!worst || (worst->retryable && !d->retryable))
            worst = d;
    }
    bus_delivery_t *chosen = worst ? worst : (pending->target_count == 1 ? &pending->targets[0] : NULL);
    *acked = worst == NULL;
    *reason = worst ? worst->reason : PACTA__V1__NACK_REASON__NACK_REASON_UNSPECIFIED;
    if (chosen && chosen->has_reply) {
        *data = zmq_msg_data(&chosen->reply);
        *len = zmq_msg_size(&chosen->reply);
        return 0;
    }
    pacta_bus_reply_t reply = pending->answered;
    if (chosen && !chosen->acked) {
        pacta_bus_reply_set_nack(&reply, chosen->reason, NULL, "%s", chosen->detail ? chosen->detail : "refused");
        reply.retry_after_ms = chosen->retryable ? RETRY_AFTER_MS : 0;
        snprintf(reply.handled_by, sizeof reply.handled_by, "%s", chosen->handled_by);
    }
    else {
        /* Several classes, all acknowledged: one Ack on their behalf. */
        reply.ack = true;
        reply.duplicate = true;
        reply.entity_version = 0;
        for (size_t i = 0; i < pending->target_count; i++) {
            bus_delivery_t *d = &pending->targets[i];
            reply.duplicate = reply.duplicate && d->duplicate;
            if (d->entity_version > reply.entity_version)
                reply.entity_version = d->entity_version;
        }
        snprintf(reply.handled_by, sizeof reply.handled_by, "%s", pending->targets[0].handled_by);
    }
    *owned = pacta_bus_reply_pack(&reply, NULL, len);
    if (!*owned)
        return -1;
    *data = *owned;
    return 0;
}

/* Every target answered: reply to every waiting producer and forget the
   request. */
static void
s_complete(bus_broker_t *self, bus_pending_t *pending)
{
    const void *data = NULL;
    size_t len = 0;
    uint8_t *owned = NULL;
    bool acked = false;
    Pacta__V1__NackReason reason = PACTA__V1__NACK_REASON__NACK_REASON_UNSPECIFIED;
    type_counters_t *counters = s_counters(self, pending->type_index);
    if (s_final_reply(self, pending, &data, &len, &owned, &acked, &reason) == 0) {
        for (size_t i = 0; i < pending->waiter_count; i++)
            s_reply_bytes(self, pending->waiters[i].id, pending->waiters[i].len, data, len);
    }
    else
        pacta_log_error("out of memory building a reply", "message_id", pending->answered.message_id);
    if (acked) {
        counters->acked++;
        self->stats.acked++;
    }
    else {
        counters->nacked[(size_t) reason < REASON_COUNT ? (size_t) reason : 0]++;
        self->stats.nacked++;
    }
    free(owned);
    pacta_map_remove(self->pending, pending->key, pending->key_len);
    s_pending_free(pending);
}

/* Marks one delivery answered; completes the request when it was the last. */
static void
s_target_done(bus_broker_t *self, bus_delivery_t *d)
{
    d->state = DELIVERY_DONE;
    bus_pending_t *pending = d->pending;
    pending->done_count++;
    if (pending->done_count == pending->target_count)
        s_complete(self, pending);
}

/* The bus answers one delivery itself (queue full, no capacity, too many
   attempts). d must not be in any list. */
static void
s_target_nack(bus_broker_t *self, bus_delivery_t *d, Pacta__V1__NackReason reason, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The bus answers one delivery itself (queue full, no capacity, too many attempts); d must not be
   in any list. */
static void
s_target_nack(bus_broker_t *self, bus_delivery_t *d, Pacta__V1__NackReason reason, const char *fmt, ...)
{
    char detail[PACTA_BUS_DETAIL_MAX + 1];
    va_list args;
    va_start(args, fmt);
    vsnprintf(detail, sizeof detail, fmt, args);
    va_end(args);
    d->acked = false;
    d->reason = reason;
    d->retryable = pacta_bus_nack_reason_retryable(reason);
    snprintf(d->handled_by, sizeof d->handled_by, "%s", BUS_NAME);
    free(d->detail);
    d->detail = strdup(detail);
    s_target_done(self, d);
}

/* ---------------------------------------------------------------------------
   Queues and dispatch
   ------------------------------------------------------------------------ */

/* A route with waiting deliveries joins its class's active list, so dispatch never scans idle
   routes. */
static void
s_route_activate(bus_route_t *route)
{
    if (route->active)
        return;
    bus_class_t *klass = route->klass;
    route->active = true;
    route->active_prev = NULL;
    route->active_next = klass->active;
    if (klass->active)
        klass->active->active_prev = route;
    klass->active = route;
}

/* Leaves the active list once its queue is empty. */
static void
s_route_deactivate(bus_route_t *route)
{
    if (!route->active)
        return;
    bus_class_t *klass = route->klass;
    if (route->active_prev)
        route->active_prev->active_next = route->active_next;
    else
        klass->active = route->active_next;
    if (route->active_next)
        route->active_next->active_prev = route->active_prev;
    route->active = false;
    route->active_prev = route->active_next = NULL;
}

/* Puts d in its route's queue (at the head for a redelivery). */
static void
s_enqueue(bus_broker_t *self, bus_delivery_t *d, bool at_head)
{
    bus_route_t *route = d->route;
    d->state = DELIVERY_QUEUED;
    d->instance = NULL;
    d->queued_at_ms = s_now_ms();
    if (at_head)
        s_list_push_head(&route->queue, d);
    else
        s_list_push_tail(&route->queue, d);
    route->klass->queued++;
    s_route_activate(route);
    (void) self;
}

/* Takes a delivery out of its queue, keeping the class's counters and active list right. */
static void
s_dequeue(bus_delivery_t *d)
{
    bus_route_t *route = d->route;
    s_list_remove(&route->queue, d);
    route->klass->queued--;
    if (route->queue.count == 0)
        s_route_deactivate(route);
}

/* The live instance of klass that should take a message of type_index with
   key_hash: highest rendezvous score among those that declared the type
   and have credit left. NULL if none can take it now. */
static bus_instance_t *
s_pick(bus_class_t *klass, size_t type_index, uint64_t key_hash)
{
    bus_instance_t *best = NULL;
    uint64_t best_score = 0;
    for (bus_instance_t *inst = klass->instances; inst; inst = inst->next) {
        if (!inst->consumes[type_index] || inst->in_flight >= inst->credit)
            continue;
        uint64_t score = pacta_bus_mix64(inst->seed ^ key_hash);
        if (!best || score > best_score) {
            best = inst;
            best_score = score;
        }
    }
    return best;
}

/* True when some live instance of klass declared type_index. */
static bool
s_has_consumer(bus_class_t *klass, size_t type_index)
{
    for (bus_instance_t *inst = klass->instances; inst; inst = inst->next)
        if (inst->consumes[type_index])
            return true;
    return false;
}

static void s_instance_remove(bus_broker_t *self, bus_instance_t *inst, const char *why);

/* Sends queued delivery d to inst. 0, or -1 when the instance could not
   take it (d is back at the head of its queue). */
static int
s_deliver(bus_broker_t *self, bus_delivery_t *d, bus_instance_t *inst)
{
    s_dequeue(d);
    if (d->attempts >= self->max_deliveries) {
        pacta_log_error("poison message refused: too many delivery attempts", "message_id",
                        d->pending->answered.message_id, "tenant", d->pending->answered.tenant, "class",
                        d->route->klass->name);
        s_target_nack(self, d, PACTA__V1__NACK_REASON__NACK_REASON_INTERNAL,
                      "delivered %u times to %s without an answer: its instances fail on this message",
                      (unsigned) d->attempts, d->route->klass->name);
        return 0;
    }
    uint64_t tag = self->next_tag++;
    uint8_t tag_bytes[8];
    uint8_t attempt_bytes[4];
    pacta_bus_put_u64(tag_bytes, tag);
    pacta_bus_put_u32(attempt_bytes, d->attempts + 1);
    zmq_msg_t copy;
    zmq_msg_init(&copy);
    zmq_msg_copy(&copy, &d->pending->envelope);
    const void *parts[2] = {tag_bytes, attempt_bytes};
    size_t lens[2] = {8, 4};
    if (s_send(self->backend, inst->identity, inst->identity_len, PACTA_BUS_CMD_DELIVER, 2, parts, lens, &copy)
        != 0) {
        int error = errno;
        zmq_msg_close(&copy);
        s_enqueue(self, d, true);
        if (error == EHOSTUNREACH)
            s_instance_remove(self, inst, "connection gone");
        return -1;
    }
    if (pacta_map_put(self->tags, tag_bytes, 8, d) != 0) {
        /* Sent but untrackable: its DONE will be ignored as stale and the
           producer resends. Treat it as a failed delivery. */
        pacta_log_error("out of memory tracking a delivery", "message_id", d->pending->answered.message_id);
        s_enqueue(self, d, true);
        return -1;
    }
    d->tag = tag;
    d->attempts++;
    d->state = DELIVERY_IN_FLIGHT;
    d->instance = inst;
    s_list_push_tail(&inst->held, d);
    inst->in_flight++;
    inst->klass->in_flight++;
    inst->last_sent_ms = s_now_ms();
    s_counters(self, d->pending->type_index)->out++;
    self->stats.delivered++;
    return 0;
}

/* Hands waiting deliveries of klass to its instances while any can take
   one. Routes take turns, one delivery each, so one busy type cannot
   starve the others. */
static void
s_dispatch(bus_broker_t *self, bus_class_t *klass)
{
    bool progress = true;
    while (progress && klass->active && klass->live > 0) {
        progress = false;
        bus_route_t *route = klass->active;
        while (route) {
            bus_route_t *next = route->active_next;   /* s_deliver may deactivate route */
            bus_delivery_t *d = route->queue.head;
            bus_instance_t *inst = d ? s_pick(klass, route->type_index, d->pending->key_hash) : NULL;
            if (inst && s_deliver(self, d, inst) == 0)
                progress = true;
            route = next;
        }
    }
}

/* ---------------------------------------------------------------------------
   Instances
   ------------------------------------------------------------------------ */

/* Takes an instance out: its deliveries in flight go back to the head of
   their queues (new tags on redelivery), then the class dispatches again. */
static void
s_instance_remove(bus_broker_t *self, bus_instance_t *inst, const char *why)
{
    bus_class_t *klass = inst->klass;
    size_t requeued = 0;
    while (inst->held.tail) {
        /* From the tail, so that pushing each at the head keeps their order. */
        bus_delivery_t *d = inst->held.tail;
        s_list_remove(&inst->held, d);
        uint8_t tag_bytes[8];
        pacta_bus_put_u64(tag_bytes, d->tag);
        pacta_map_remove(self->tags, tag_bytes, 8);
        klass->in_flight--;
        s_enqueue(self, d, true);
        s_counters(self, d->pending->type_index)->redelivered++;
        self->stats.redelivered++;
        requeued++;
    }
    if (inst->prev)
        inst->prev->next = inst->next;
    else
        klass->instances = inst->next;
    if (inst->next)
        inst->next->prev = inst->prev;
    klass->live--;
    if (klass->live == 0)
        klass->empty_since_ms = s_now_ms();
    pacta_map_remove(self->instances, inst->identity, inst->identity_len);
    self->stats.instances_lost++;
    pacta_log_fields(PACTA_LOG_WARN, "instance removed",
                     (pacta_log_field_t[]){{"class", klass->name, 0},
                                           {"instance", inst->name, 0},
                                           {"reason", why, 0},
                                           {"redelivering", NULL, (int64_t) requeued},
                                           {"live", NULL, (int64_t) klass->live}},
                     5);
    free(inst->consumes);
    free(inst);
    s_dispatch(self, klass);
}

/* Asks an unknown peer to register again (after a bus restart the
   instance's connection survives but the bus forgot it). */
static void
s_send_simple(bus_broker_t *self, const uint8_t *id, size_t id_len, uint8_t command, const char *text)
{
    const void *parts[1] = {text};
    size_t lens[1] = {text ? strlen(text) : 0};
    if (s_send(self->backend, id, id_len, command, text ? 1 : 0, parts, lens, NULL) != 0)
        pacta_log_debug("control frame undeliverable", "error", zmq_strerror(errno));
}

/* Parses READY [class, instance id, credit, types] and registers the
   instance (or updates it when the same connection registers again). */
static void
s_handle_ready(bus_broker_t *self, pacta_bus_frames_t *frames, bus_instance_t *existing)
{
    const uint8_t *id = pacta_bus_frame_data(frames, 0);
    size_t id_len = pacta_bus_frame_size(frames, 0);
    if (frames->count != 7) {
        s_refuse(self, SOCKET_BACKEND, REFUSED_BAD_READY, "READY needs class, instance id, credit and types");
        s_send_simple(self, id, id_len, PACTA_BUS_CMD_DISCONNECT, "READY needs class, instance id, credit, types");
        return;
    }
    const char *class_name = pacta_bus_frame_data(frames, 3);
    size_t class_len = pacta_bus_frame_size(frames, 3);
    const char *instance_name = pacta_bus_frame_data(frames, 4);
    size_t instance_len = pacta_bus_frame_size(frames, 4);
    const char *credit_text = pacta_bus_frame_data(frames, 5);
    size_t credit_len = pacta_bus_frame_size(frames, 5);
    const char *types = pacta_bus_frame_data(frames, 6);
    size_t types_len = pacta_bus_frame_size(frames, 6);

    char why[200] = "";
    int class_index = -1;
    uint64_t credit = 0;
    if (!pacta_bus_token_valid(class_name, class_len, PACTA_BUS_NAME_MAX)
        || !pacta_bus_token_valid(instance_name, instance_len, PACTA_BUS_NAME_MAX))
        snprintf(why, sizeof why, "class and instance id must be 1 to 64 printable characters");
    else if ((class_index = bus_routes_class_index(self->routes, class_name, class_len)) < 0)
        snprintf(why, sizeof why, "class '%.*s' is not in the bus's routing table", (int) class_len, class_name);
    else {
        if (credit_len == 0 || credit_len > 6)
            snprintf(why, sizeof why, "credit must be a number from 1 to %d", CREDIT_MAX);
        for (size_t i = 0; i < credit_len && !why[0]; i++) {
            if (credit_text[i] < '0' || credit_text[i] > '9')
                snprintf(why, sizeof why, "credit must be a number from 1 to %d", CREDIT_MAX);
            else
                credit = credit * 10 + (uint64_t) (credit_text[i] - '0');
        }
        if (!why[0] && (credit < 1 || credit > CREDIT_MAX))
            snprintf(why, sizeof why, "credit must be a number from 1 to %d", CREDIT_MAX);
    }
    const bus_allow_entry_t *entry = NULL;
    if (!why[0] && self->curve) {
        const char *user = zmq_msg_gets(&frames->part[1], "User-Id");
        entry = user ? bus_allow_find(self->allow, user) : NULL;
        if (!entry || !bus_allow_entry_class(entry, class_name, class_len))
            snprintf(why, sizeof why, "this key may not register as class '%.*s'", (int) class_len, class_name);
    }
    if (why[0]) {
        s_refuse(self, SOCKET_BACKEND, REFUSED_BAD_READY, why);
        s_send_simple(self, id, id_len, PACTA_BUS_CMD_DISCONNECT, why);
        if (existing)
            s_instance_remove(self, existing, "re-registration refused");
        return;
    }
    bus_class_t *klass = &self->classes[class_index];

    /* The declared types: only those the routing table gives this class
       count; others are ignored with one warning. */
    uint8_t *consumes = calloc(self->type_count > 0 ? self->type_count : 1, 1);
    if (!consumes) {
        pacta_log_error("out of memory registering an instance");
        return;
    }
    size_t declared = 0, ignored = 0, parsed = 0;
    const char *p = types;
    const char *end = types + types_len;
    while (p < end && parsed < PACTA_BUS_TYPES_MAX) {
        const char *newline = memchr(p, '\n', (size_t) (end - p));
        const char *stop = newline ? newline : end;
        size_t len = (size_t) (stop - p);
        if (len > 0) {
            parsed++;
            int type_index = pacta_bus_token_valid(p, len, PACTA_BUS_TYPE_MAX)
                                 ? bus_routes_type_index(self->routes, p, len)
                                 : -1;
            if (type_index >= 0 && bus_routes_has(self->routes, (size_t) class_index, (size_t) type_index)) {
                if (!consumes[type_index])
                    declared++;
                consumes[type_index] = 1;
            }
            else
                ignored++;
        }
        p = newline ? newline + 1 : end;
    }

    if (existing && existing->klass != klass) {
        s_instance_remove(self, existing, "registered again under another class");
        existing = NULL;
    }
    /* A new connection with the name of a live instance is that instance
       restarted or reconnected: the old connection is dead, take back what
       it held now instead of waiting for its heartbeats to lapse. */
    for (bus_instance_t *other = klass->instances; other; other = other->next) {
        if (other != existing && strlen(other->name) == instance_len
            && memcmp(other->name, instance_name, instance_len) == 0) {
            s_instance_remove(self, other, "replaced by a new connection with the same instance id");
            break;
        }
    }
    bus_instance_t *inst = existing;
    if (!inst) {
        inst = calloc(1, sizeof *inst);
        if (!inst || id_len > sizeof inst->identity) {
            free(inst);
            free(consumes);
            pacta_log_error("cannot register instance: out of memory or routing id too long");
            return;
        }
        memcpy(inst->identity, id, id_len);
        inst->identity_len = id_len;
        inst->klass = klass;
        if (pacta_map_put(self->instances, inst->identity, id_len, inst) != 0) {
            free(inst);
            free(consumes);
            pacta_log_error("out of memory registering an instance");
            return;
        }
        inst->next = klass->instances;
        if (klass->instances)
            klass->instances->prev = inst;
        klass->instances = inst;
        klass->live++;
    }
    free(inst->consumes);
    inst->consumes = consumes;
    memcpy(inst->name, instance_name, instance_len);
    inst->name[instance_len] = '\0';
    snprintf(inst->principal, sizeof inst->principal, "%s", entry ? bus_allow_entry_name(entry) : "");
    inst->seed = pacta_bus_hash(inst->name, instance_len, PACTA_BUS_HASH_SEED);
    inst->credit = (uint32_t) credit;
    inst->last_seen_ms = s_now_ms();
    self->stats.instances_registered++;
    pacta_log_fields(PACTA_LOG_INFO, "instance registered",
                     (pacta_log_field_t[]){{"class", klass->name, 0},
                                           {"instance", inst->name, 0},
                                           {"key", inst->principal[0] ? inst->principal : NULL, 0},
                                           {"credit", NULL, (int64_t) credit},
                                           {"types", NULL, (int64_t) declared},
                                           {"types_ignored", NULL, (int64_t) ignored},
                                           {"live", NULL, (int64_t) klass->live}},
                     7);
    s_dispatch(self, klass);
}

/* DONE [tag, reply]: records the outcome of one delivery. */
static void
s_handle_done(bus_broker_t *self, pacta_bus_frames_t *frames, bus_instance_t *inst)
{
    if (frames->count != 5 || pacta_bus_frame_size(frames, 3) != 8) {
        s_refuse(self, SOCKET_BACKEND, REFUSED_BAD_FRAME, "DONE needs a tag and a reply");
        return;
    }
    const uint8_t *tag_bytes = pacta_bus_frame_data(frames, 3);
    bus_delivery_t *d = pacta_map_get(self->tags, tag_bytes, 8);
    if (!d || d->instance != inst) {
        self->stats.stale_replies++;
        return;   /* redelivered elsewhere meanwhile, or from a previous bus run */
    }
    pacta_map_remove(self->tags, tag_bytes, 8);
    s_list_remove(&inst->held, d);
    inst->in_flight--;
    inst->klass->in_flight--;
    d->instance = NULL;

    pacta_bus_reply_t reply;
    size_t len = pacta_bus_frame_size(frames, 4);
    if (len > self->max_message_size || pacta_bus_reply_parse(pacta_bus_frame_data(frames, 4), len, &reply) != 0
        || strcmp(reply.message_id, d->pending->answered.message_id) != 0) {
        s_refuse(self, SOCKET_BACKEND, REFUSED_UNDECODABLE, "unreadable reply from an instance");
        s_target_nack(self, d, PACTA__V1__NACK_REASON__NACK_REASON_INTERNAL,
                      "instance %s of %s sent an unreadable reply", inst->name, inst->klass->name);
    }
    else {
        d->acked = reply.ack;
        d->duplicate = reply.duplicate;
        d->entity_version = reply.entity_version;
        d->reason = reply.reason;
        d->retryable = reply.retryable;
        snprintf(d->handled_by, sizeof d->handled_by, "%s", reply.handled_by[0] ? reply.handled_by : inst->name);
        zmq_msg_init(&d->reply);
        zmq_msg_move(&d->reply, &frames->part[4]);
        d->has_reply = true;
        s_target_done(self, d);
    }
    s_dispatch(self, inst->klass);
}

/* One message on the backend. */
static void
s_backend_message(bus_broker_t *self, pacta_bus_frames_t *frames)
{
    uint8_t command = 0;
    if (frames->truncated || frames->count < 1) {
        s_refuse(self, SOCKET_BACKEND, REFUSED_BAD_FRAME, "too many frames");
        return;
    }
    const uint8_t *id = pacta_bus_frame_data(frames, 0);
    size_t id_len = pacta_bus_frame_size(frames, 0);
    if (!pacta_bus_frames_header(frames, 1, &command)) {
        s_refuse(self, SOCKET_BACKEND, REFUSED_BAD_FRAME, "not a Pacta bus frame");
        return;
    }
    bus_instance_t *inst = pacta_map_get(self->instances, id, id_len);
    if (inst)
        inst->last_seen_ms = s_now_ms();
    switch (command) {
        case PACTA_BUS_CMD_READY:
            s_handle_ready(self, frames, inst);
            break;
        case PACTA_BUS_CMD_HEARTBEAT:
            if (!inst) {
                s_refuse(self, SOCKET_BACKEND, REFUSED_UNKNOWN_PEER, "heartbeat from an unregistered instance");
                s_send_simple(self, id, id_len, PACTA_BUS_CMD_REREGISTER, NULL);
            }
            break;
        case PACTA_BUS_CMD_DONE:
            if (!inst) {
                s_refuse(self, SOCKET_BACKEND, REFUSED_UNKNOWN_PEER, "reply from an unregistered instance");
                self->stats.stale_replies++;
                s_send_simple(self, id, id_len, PACTA_BUS_CMD_REREGISTER, NULL);
            }
            else
                s_handle_done(self, frames, inst);
            break;
        case PACTA_BUS_CMD_DISCONNECT:
            if (inst)
                s_instance_remove(self, inst, "disconnected");
            break;
        default:
            s_refuse(self, SOCKET_BACKEND, REFUSED_BAD_COMMAND, "command not accepted on the backend");
            break;
    }
}

/* ---------------------------------------------------------------------------
   Producers
   ------------------------------------------------------------------------ */

/* Builds the request key tenant \0 message_id \0 destination. */
static char *
s_request_key(const Pacta__V1__Envelope *env, size_t *len_out)
{
    size_t tenant = strlen(env->tenant), id = strlen(env->message_id), dest = strlen(env->destination);
    size_t len = tenant + 1 + id + 1 + dest;
    char *key = malloc(len);
    if (!key)
        return NULL;
    memcpy(key, env->tenant, tenant);
    key[tenant] = '\0';
    memcpy(key + tenant + 1, env->message_id, id);
    key[tenant + 1 + id] = '\0';
    memcpy(key + tenant + 2 + id, env->destination, dest);
    *len_out = len;
    return key;
}

/* Routes a decoded, checked, authorised envelope: joins a request in
   progress or creates one with a delivery per target class. */
static void
s_route(bus_broker_t *self, pacta_bus_frames_t *frames, const Pacta__V1__Envelope *env, size_t type_index,
        const size_t *classes, size_t class_count)
{
    const uint8_t *id = pacta_bus_frame_data(frames, 0);
    size_t id_len = pacta_bus_frame_size(frames, 0);
    size_t key_len = 0;
    char *key = s_request_key(env, &key_len);
    if (!key) {
        s_reply_nack(self, id, id_len, env, PACTA__V1__NACK_REASON__NACK_REASON_RETRY_LATER, NULL,
                     "the bus is out of memory");
        return;
    }
    bus_pending_t *pending = pacta_map_get(self->pending, key, key_len);
    if (pending) {
        s_add_waiter(pending, id, id_len);
        self->stats.joined++;
        free(key);
        return;
    }
    if (pacta_map_size(self->pending) >= self->pending_max) {
        free(key);
        s_counters(self, type_index)->nacked[PACTA__V1__NACK_REASON__NACK_REASON_QUEUE_FULL]++;
        self->stats.nacked++;
        s_reply_nack(self, id, id_len, env, PACTA__V1__NACK_REASON__NACK_REASON_QUEUE_FULL, NULL,
                     "the bus holds its maximum of messages in progress (PACTA_BUS_PENDING_MAX); retry later");
        return;
    }
    pending = calloc(1, sizeof *pending + class_count * sizeof(bus_delivery_t));
    if (!pending) {
        free(key);
        s_reply_nack(self, id, id_len, env, PACTA__V1__NACK_REASON__NACK_REASON_RETRY_LATER, NULL,
                     "the bus is out of memory");
        return;
    }
    pending->key = key;
    pending->key_len = key_len;
    zmq_msg_init(&pending->envelope);
    zmq_msg_move(&pending->envelope, &frames->part[3]);
    snprintf(pending->answered.message_id, sizeof pending->answered.message_id, "%s", env->message_id);
    snprintf(pending->answered.tenant, sizeof pending->answered.tenant, "%s", env->tenant);
    snprintf(pending->answered.entity_key, sizeof pending->answered.entity_key, "%s", env->entity_key);
    snprintf(pending->answered.destination, sizeof pending->answered.destination, "%s", env->destination);
    size_t tenant_len = strlen(env->tenant);
    pending->key_hash = pacta_bus_hash(env->entity_key, strlen(env->entity_key),
                                       pacta_bus_hash(env->tenant, tenant_len + 1, PACTA_BUS_HASH_SEED));
    pending->type_index = type_index;
    pending->target_count = class_count;
    if (pacta_map_put(self->pending, key, key_len, pending) != 0) {
        s_pending_free(pending);
        s_reply_nack(self, id, id_len, env, PACTA__V1__NACK_REASON__NACK_REASON_RETRY_LATER, NULL,
                     "the bus is out of memory");
        return;
    }
    s_add_waiter(pending, id, id_len);
    self->stats.accepted++;

    /* Queue every target first, then answer the full ones: a target
       answered at once must not complete the request before the others
       are queued. */
    bool full[BUS_ROUTES_CLASSES_MAX] = {false};
    size_t full_count = 0;
    for (size_t i = 0; i < class_count; i++) {
        bus_delivery_t *d = &pending->targets[i];
        d->pending = pending;
        d->route = self->route_of[type_index * self->class_count + classes[i]];
        assert(d->route);
        if (d->route->klass->queued >= self->queue_max) {
            full[i] = true;
            full_count++;
        }
        else
            s_enqueue(self, d, false);
    }
    for (size_t i = 0; i < class_count && full_count > 0; i++) {
        if (!full[i])
            continue;
        bus_class_t *klass = pending->targets[i].route->klass;
        uint64_t suppressed = 0;
        if (s_nack_log_allowed(self, PACTA__V1__NACK_REASON__NACK_REASON_QUEUE_FULL, &suppressed))
            pacta_log_fields(PACTA_LOG_WARN, "class queue full",
                             (pacta_log_field_t[]){{"class", klass->name, 0},
                                                   {"message_id", env->message_id, 0},
                                                   {"similar_not_logged", NULL, (int64_t) suppressed}},
                             3);
        full_count--;
        bool last = pending->done_count + 1 == pending->target_count;
        s_target_nack(self, &pending->targets[i], PACTA__V1__NACK_REASON__NACK_REASON_QUEUE_FULL,
                      "the queue of %s is full (PACTA_BUS_QUEUE_MAX); retry later", klass->name);
        if (last)
            return;   /* every target was full: the request is answered and freed */
    }
    /* A first delivery cannot hit the attempts limit, so dispatching cannot
       complete (and free) the request under our feet. */
    for (size_t i = 0; i < class_count; i++)
        s_dispatch(self, &self->classes[classes[i]]);
}

/* One message on the frontend: validate, authorise, route, or NACK. */
static void
s_frontend_message(bus_broker_t *self, pacta_bus_frames_t *frames)
{
    const Pacta__V1__NackReason invalid = PACTA__V1__NACK_REASON__NACK_REASON_INVALID;
    self->stats.received++;
    if (frames->count < 1)
        return;
    const uint8_t *id = pacta_bus_frame_data(frames, 0);
    size_t id_len = pacta_bus_frame_size(frames, 0);
    uint8_t command = 0;
    if (frames->truncated || !pacta_bus_frames_header(frames, 1, &command)) {
        s_refuse(self, SOCKET_FRONTEND, REFUSED_BAD_FRAME, "not a Pacta bus frame");
        s_reply_nack(self, id, id_len, NULL, invalid, NULL,
                     "not a Pacta bus frame: expected [\"PACTA1\", 0x01 SEND, envelope]");
        return;
    }
    if (command != PACTA_BUS_CMD_SEND || frames->count != 4) {
        s_refuse(self, SOCKET_FRONTEND, REFUSED_BAD_COMMAND, "producers may only SEND one envelope");
        s_reply_nack(self, id, id_len, NULL, invalid, NULL,
                     "producers may only SEND, as [\"PACTA1\", 0x01, envelope]");
        return;
    }
    size_t len = pacta_bus_frame_size(frames, 3);
    if (len > self->max_message_size) {
        char detail[160];
        snprintf(detail, sizeof detail, "envelope of %zu bytes is above the bus's limit of %zu bytes", len,
                 self->max_message_size);
        s_refuse(self, SOCKET_FRONTEND, REFUSED_TOO_LARGE, detail);
        self->by_type[self->type_count].nacked[PACTA__V1__NACK_REASON__NACK_REASON_TOO_LARGE]++;
        self->stats.nacked++;
        /* Still decoded (ZMQ_MAXMSGSIZE bounds it at twice the limit) so the
           NACK names the message: a producer can only dead-letter what it
           can match. */
        Pacta__V1__Envelope *oversized = pacta__v1__envelope__unpack(NULL, len, pacta_bus_frame_data(frames, 3));
        s_reply_nack(self, id, id_len, oversized, PACTA__V1__NACK_REASON__NACK_REASON_TOO_LARGE, "envelope", detail);
        if (oversized)
            pacta__v1__envelope__free_unpacked(oversized, NULL);
        return;
    }
    Pacta__V1__Envelope *env = pacta__v1__envelope__unpack(NULL, len, pacta_bus_frame_data(frames, 3));
    if (!env) {
        s_refuse(self, SOCKET_FRONTEND, REFUSED_UNDECODABLE, "envelope does not decode");
        self->by_type[self->type_count].nacked[invalid]++;
        self->stats.nacked++;
        s_reply_nack(self, id, id_len, NULL, invalid, "envelope", "the envelope is not a valid pacta.v1.Envelope");
        return;
    }
    Pacta__V1__NackReason reason = invalid;
    char detail[PACTA_BUS_DETAIL_MAX + 1];
    char field[PACTA_BUS_FIELD_MAX + 1];
    size_t type_index = self->type_count;   /* "other" until routed */
    if (pacta_bus_envelope_check(env, &reason, detail, sizeof detail, field, sizeof field) != 0)
        goto refuse;
    int found = bus_routes_type_index(self->routes, env->message_type, strlen(env->message_type));
    if (found >= 0)
        type_index = (size_t) found;
    if (self->curve) {
        const char *user = zmq_msg_gets(&frames->part[1], "User-Id");
        const bus_allow_entry_t *entry = user ? bus_allow_find(self->allow, user) : NULL;
        reason = PACTA__V1__NACK_REASON__NACK_REASON_UNAUTHORISED;
        if (!entry) {
            snprintf(field, sizeof field, "%s", "");
            snprintf(detail, sizeof detail, "this connection's key is not on the bus's allow-list");
            goto refuse;
        }
        if (!bus_allow_entry_tenant(entry, env->tenant, strlen(env->tenant))) {
            snprintf(field, sizeof field, "envelope.tenant");
            snprintf(detail, sizeof detail, "key '%s' may not send for tenant '%s'", bus_allow_entry_name(entry),
                     env->tenant);
            goto refuse;
        }
        if (!bus_allow_entry_type(entry, env->message_type, strlen(env->message_type))) {
            snprintf(field, sizeof field, "envelope.message_type");
            snprintf(detail, sizeof detail, "key '%s' may not send %s", bus_allow_entry_name(entry),
                     env->message_type);
            goto refuse;
        }
    }
    reason = PACTA__V1__NACK_REASON__NACK_REASON_UNKNOWN_TYPE;
    if (found < 0) {
        snprintf(field, sizeof field, "envelope.message_type");
        snprintf(detail, sizeof detail, "no service class consumes %s", env->message_type);
        goto refuse;
    }
    const size_t *classes = NULL;
    size_t class_count = bus_routes_type_classes(self->routes, type_index, &classes);
    size_t single = 0;
    if (env->destination[0]) {
        int class_index = bus_routes_class_index(self->routes, env->destination, strlen(env->destination));
        if (class_index < 0) {
            reason = invalid;
            snprintf(field, sizeof field, "envelope.destination");
            snprintf(detail, sizeof detail, "no service class is named '%s'", env->destination);
            goto refuse;
        }
        if (!bus_routes_has(self->routes, (size_t) class_index, type_index)) {
            snprintf(field, sizeof field, "envelope.destination");
            snprintf(detail, sizeof detail, "%s does not consume %s", env->destination, env->message_type);
            goto refuse;
        }
        single = (size_t) class_index;
        classes = &single;
        class_count = 1;
    }
    s_counters(self, type_index)->in++;
    s_route(self, frames, env, type_index, classes, class_count);
    pacta__v1__envelope__free_unpacked(env, NULL);
    return;

refuse:
    s_counters(self, type_index)->nacked[(size_t) reason < REASON_COUNT ? (size_t) reason : 0]++;
    self->stats.nacked++;
    uint64_t suppressed = 0;
    if (s_nack_log_allowed(self, reason, &suppressed))
        pacta_log_fields(PACTA_LOG_WARN, "message refused",
                         (pacta_log_field_t[]){{"reason", pacta_bus_nack_reason_name(reason), 0},
                                               {"detail", detail, 0},
                                               {"message_id", env->message_id, 0},
                                               {"tenant", env->tenant, 0},
                                               {"type", env->message_type, 0},
                                               {"similar_not_logged", NULL, (int64_t) suppressed}},
                         6);
    s_reply_nack(self, id, id_len, env, reason, field, detail);
    pacta__v1__envelope__free_unpacked(env, NULL);
}

/* ---------------------------------------------------------------------------
   ZAP (CURVE authentication)
   ------------------------------------------------------------------------ */

/* Answers one ZAP request: 200 with the Z85 key as User-Id when the key is
   listed (and, on the backend, may register some class), else 400. */
static void
s_zap_request(bus_broker_t *self)
{
    pacta_bus_frames_t frames;
    if (pacta_bus_frames_recv(self->zap, &frames, ZMQ_DONTWAIT) != 0)
        return;
    const char *status = "400";
    const char *text = "unknown key";
    char user[PACTA_BUS_KEY_Z85_LEN + 1] = "";
    const char *version = "1.0";
    if (frames.count >= 7 && !frames.truncated && pacta_bus_frame_size(&frames, 5) == 5
        && memcmp(pacta_bus_frame_data(&frames, 5), "CURVE", 5) == 0 && pacta_bus_frame_size(&frames, 6) == 32) {
        zmq_z85_encode(user, (const uint8_t *) pacta_bus_frame_data(&frames, 6), 32);
        const bus_allow_entry_t *entry = bus_allow_find(self->allow, user);
        bool backend = pacta_bus_frame_size(&frames, 2) == 7 && memcmp(pacta_bus_frame_data(&frames, 2), "backend", 7) == 0;
        if (entry && (!backend || bus_allow_entry_has_classes(entry))) {
            status = "200";
            text = "OK";
        }
        else if (entry)
            text = "key may not register instances";
    }
    else
        text = "unsupported mechanism";
    bool ok = status[0] == '2';
    if (ok)
        self->stats.zap_accepted++;
    else {
        self->stats.zap_denied++;
        int64_t now = s_now_ms();
        if (now - self->zap_last_log_ms >= LOG_EVERY_MS) {
            self->zap_last_log_ms = now;
            char address[64] = "";
            if (frames.count > 3) {
                size_t n = pacta_bus_frame_size(&frames, 3);
                snprintf(address, sizeof address, "%.*s", (int) (n < 60 ? n : 60),
                         (const char *) pacta_bus_frame_data(&frames, 3));
            }
            pacta_log_warn("connection refused by the allow-list", "key", user[0] ? user : NULL, "address",
                           address, "reason", text);
        }
    }
    /* A REP socket must answer every request, even a malformed one. */
    const void *request_id = frames.count > 1 ? pacta_bus_frame_data(&frames, 1) : "";
    size_t request_id_len = frames.count > 1 ? pacta_bus_frame_size(&frames, 1) : 0;
    const void *parts[6] = {version, request_id, status, text, ok ? user : "", ""};
    size_t lens[6] = {3, request_id_len, 3, strlen(text), ok ? strlen(user) : 0, 0};
    pacta_bus_send_parts(self->zap, 6, parts, lens, 0);
    pacta_bus_frames_close(&frames);
}

/* ---------------------------------------------------------------------------
   Timers
   ------------------------------------------------------------------------ */

typedef struct {
    bus_broker_t *self;               /* the broker */
    int64_t now;                      /* this turn's time */
    bus_instance_t *dead[64];         /* instances found dead this turn */
    size_t dead_count;                /* used entries of dead */
} heartbeat_turn_t;

/* Visitor: heartbeat an instance that has been sent nothing for an
   interval; note it dead after liveness intervals of silence. */
static int
s_heartbeat_visit(const void *key, size_t key_len, void *value, void *arg)
{
    (void) key;
    (void) key_len;
    heartbeat_turn_t *turn = arg;
    bus_broker_t *self = turn->self;
    bus_instance_t *inst = value;
    if (turn->now - inst->last_seen_ms > self->heartbeat_ms * self->heartbeat_liveness) {
        if (turn->dead_count < sizeof turn->dead / sizeof turn->dead[0])
            turn->dead[turn->dead_count++] = inst;
        return 0;
    }
    if (turn->now - inst->last_sent_ms >= self->heartbeat_ms) {
        s_send_simple(self, inst->identity, inst->identity_len, PACTA_BUS_CMD_HEARTBEAT, NULL);
        inst->last_sent_ms = turn->now;
    }
    return 0;
}

/* One heartbeat turn: heartbeat idle instances and remove the dead ones (after the scan: removal
   changes the map). */
static void
s_heartbeats(bus_broker_t *self, int64_t now)
{
    heartbeat_turn_t turn = {.self = self, .now = now};
    pacta_map_foreach(self->instances, s_heartbeat_visit, &turn);
    for (size_t i = 0; i < turn.dead_count; i++)
        s_instance_remove(self, turn.dead[i], "missed heartbeats");
}

/* Answers NO_CAPACITY for deliveries that waited too long in a class that
   has no live instance for their type. Classes with instances keep their
   queues: those messages are only waiting for credit. */
static void
s_sweep(bus_broker_t *self, int64_t now)
{
    for (size_t c = 0; c < self->class_count; c++) {
        bus_class_t *klass = &self->classes[c];
        bus_route_t *route = klass->active;
        while (route) {
            bus_route_t *next = route->active_next;
            if (!s_has_consumer(klass, route->type_index)) {
                while (route->queue.head && now - route->queue.head->queued_at_ms >= self->no_capacity_timeout_ms) {
                    bus_delivery_t *d = route->queue.head;
                    s_dequeue(d);
                    uint64_t suppressed = 0;
                    if (s_nack_log_allowed(self, PACTA__V1__NACK_REASON__NACK_REASON_NO_CAPACITY, &suppressed))
                        pacta_log_fields(PACTA_LOG_WARN, "no live instance: message refused, retryable",
                                         (pacta_log_field_t[]){{"class", klass->name, 0},
                                                               {"message_id", d->pending->answered.message_id, 0},
                                                               {"similar_not_logged", NULL, (int64_t) suppressed}},
                                         3);
                    s_target_nack(self, d, PACTA__V1__NACK_REASON__NACK_REASON_NO_CAPACITY,
                                  "no live instance of %s took the message within %lld ms; retry later",
                                  klass->name, (long long) self->no_capacity_timeout_ms);
                }
            }
            route = next;
        }
    }
}

/* ---------------------------------------------------------------------------
   Metrics
   ------------------------------------------------------------------------ */

/* Declares every family at start so /metrics shows zeros before the first message instead of
   missing series. */
static void
s_define_metrics(bus_broker_t *self)
{
    pacta_metrics_t *m = self->metrics;
    pacta_metrics_define(m, "pacta_bus_messages_in_total", PACTA_METRIC_COUNTER,
                         "Messages accepted from producers, by type.");
    pacta_metrics_define(m, "pacta_bus_messages_out_total", PACTA_METRIC_COUNTER,
                         "Deliveries sent to instances (redeliveries included), by type.");
    pacta_metrics_define(m, "pacta_bus_messages_acked_total", PACTA_METRIC_COUNTER,
                         "Messages answered ACK to their producer, by type.");
    pacta_metrics_define(m, "pacta_bus_messages_nacked_total", PACTA_METRIC_COUNTER,
                         "Messages answered NACK to their producer, by type and reason.");
    pacta_metrics_define(m, "pacta_bus_messages_redelivered_total", PACTA_METRIC_COUNTER,
                         "Deliveries taken back from a lost instance, by type.");
    pacta_metrics_define(m, "pacta_bus_instances_live", PACTA_METRIC_GAUGE, "Live instances, by class.");
    pacta_metrics_define(m, "pacta_bus_queue_depth", PACTA_METRIC_GAUGE,
                         "Deliveries waiting for an instance, by class.");
    pacta_metrics_define(m, "pacta_bus_in_flight", PACTA_METRIC_GAUGE,
                         "Deliveries held by instances, by class.");
    pacta_metrics_define(m, "pacta_bus_pending", PACTA_METRIC_GAUGE, "Messages in progress (not yet answered).");
    pacta_metrics_define(m, "pacta_bus_frames_refused_total", PACTA_METRIC_COUNTER,
                         "Malformed, oversized or unexpected frames, by socket and reason.");
    pacta_metrics_define(m, "pacta_bus_zap_total", PACTA_METRIC_COUNTER,
                         "CURVE handshakes checked against the allow-list, by result.");
    pacta_metrics_define(m, "pacta_bus_stale_replies_total", PACTA_METRIC_COUNTER,
                         "Replies for deliveries the bus no longer tracks (redelivered, or before a restart).");
    pacta_metrics_define(m, "pacta_bus_instances_lost_total", PACTA_METRIC_COUNTER,
                         "Instances removed: missed heartbeats, disconnected or replaced.");
    pacta_metrics_define(m, "pacta_bus_limit", PACTA_METRIC_GAUGE,
                         "Configured high-water marks (queue per class, pending total, message bytes).");
    pacta_metrics_gauge_set(m, "pacta_bus_limit", (double) self->queue_max, "limit", "queue_max", NULL);
    pacta_metrics_gauge_set(m, "pacta_bus_limit", (double) self->pending_max, "limit", "pending_max", NULL);
    pacta_metrics_gauge_set(m, "pacta_bus_limit", (double) self->max_message_size, "limit", "max_message_size",
                            NULL);
    pacta_metrics_gauge_set(m, "pacta_bus_pending", 0, NULL);
    pacta_metrics_counter_add(m, "pacta_bus_zap_total", 0, "result", "accepted", NULL);
    pacta_metrics_counter_add(m, "pacta_bus_zap_total", 0, "result", "denied", NULL);
    pacta_metrics_counter_add(m, "pacta_bus_stale_replies_total", 0, NULL);
    pacta_metrics_counter_add(m, "pacta_bus_instances_lost_total", 0, NULL);
    for (size_t c = 0; c < self->class_count; c++) {
        const char *name = self->classes[c].name;
        pacta_metrics_gauge_set(m, "pacta_bus_instances_live", 0, "class", name, NULL);
        pacta_metrics_gauge_set(m, "pacta_bus_queue_depth", 0, "class", name, NULL);
        pacta_metrics_gauge_set(m, "pacta_bus_in_flight", 0, "class", name, NULL);
    }
}

/* Adds the difference between a counter and its published copy. */
static void
s_publish_counter(pacta_metrics_t *m, const char *family, uint64_t current, uint64_t *published, const char *k1,
                  const char *v1, const char *k2, const char *v2)
{
    if (current == *published)
        return;
    pacta_metrics_counter_add(m, family, (double) (current - *published), k1, v1, k2, v2, NULL);
    *published = current;
}

/* Copies the hot-path counters into the registry as deltas: the registry's lock and string lookups
   stay off the per-message path. */
void
bus_broker_publish_metrics(bus_broker_t *self)
{
    assert(self);
    pacta_metrics_t *m = self->metrics;
    if (!m)
        return;
    for (size_t t = 0; t <= self->type_count; t++) {
        const char *type = t < self->type_count ? bus_routes_type_name(self->routes, t) : "other";
        type_counters_t *now = &self->by_type[t];
        type_counters_t *was = &self->published[t];
        s_publish_counter(m, "pacta_bus_messages_in_total", now->in, &was->in, "type", type, NULL, NULL);
        s_publish_counter(m, "pacta_bus_messages_out_total", now->out, &was->out, "type", type, NULL, NULL);
        s_publish_counter(m, "pacta_bus_messages_acked_total", now->acked, &was->acked, "type", type, NULL, NULL);
        s_publish_counter(m, "pacta_bus_messages_redelivered_total", now->redelivered, &was->redelivered, "type",
                          type, NULL, NULL);
        for (size_t r = 0; r < REASON_COUNT; r++)
            s_publish_counter(m, "pacta_bus_messages_nacked_total", now->nacked[r], &was->nacked[r], "type", type,
                              "reason", pacta_bus_nack_reason_name((Pacta__V1__NackReason) r));
    }
    for (size_t s = 0; s < SOCKET_COUNT; s++)
        for (size_t k = 0; k < REFUSED_KIND_COUNT; k++)
            s_publish_counter(m, "pacta_bus_frames_refused_total", self->refused[s][k], &self->refused_published[s][k],
                              "socket", s_socket_names[s], "reason", s_refused_names[k]);
    s_publish_counter(m, "pacta_bus_zap_total", self->stats.zap_accepted, &self->zap_published[0], "result",
                      "accepted", NULL, NULL);
    s_publish_counter(m, "pacta_bus_zap_total", self->stats.zap_denied, &self->zap_published[1], "result", "denied",
                      NULL, NULL);
    s_publish_counter(m, "pacta_bus_stale_replies_total", self->stats.stale_replies, &self->stale_published, NULL,
                      NULL, NULL, NULL);
    s_publish_counter(m, "pacta_bus_instances_lost_total", self->stats.instances_lost, &self->lost_published, NULL,
                      NULL, NULL, NULL);
    for (size_t c = 0; c < self->class_count; c++) {
        bus_class_t *klass = &self->classes[c];
        pacta_metrics_gauge_set(m, "pacta_bus_instances_live", (double) klass->live, "class", klass->name, NULL);
        pacta_metrics_gauge_set(m, "pacta_bus_queue_depth", (double) klass->queued, "class", klass->name, NULL);
        pacta_metrics_gauge_set(m, "pacta_bus_in_flight", (double) klass->in_flight, "class", klass->name, NULL);
    }
    pacta_metrics_gauge_set(m, "pacta_bus_pending", (double) pacta_map_size(self->pending), NULL);
}

/* ---------------------------------------------------------------------------
   Construction
   ------------------------------------------------------------------------ */

/* Socket options common to both ROUTERs: mandatory routing (a send to a
   gone peer fails instead of vanishing), size cap, high-water marks. */
static int
s_configure_router(bus_broker_t *self, void *socket, const char *domain, const char *secret_key, char *err,
                   size_t err_size)
{
    int one = 1;
    int hwm = SOCKET_HWM;
    int linger = 200;
    int64_t max_frame = (int64_t) self->max_message_size * 2;
    if (max_frame < 65536)
        max_frame = 65536;
    if (zmq_setsockopt(socket, ZMQ_ROUTER_MANDATORY, &one, sizeof one) != 0
        || zmq_setsockopt(socket, ZMQ_MAXMSGSIZE, &max_frame, sizeof max_frame) != 0
        || zmq_setsockopt(socket, ZMQ_SNDHWM, &hwm, sizeof hwm) != 0
        || zmq_setsockopt(socket, ZMQ_RCVHWM, &hwm, sizeof hwm) != 0
        || zmq_setsockopt(socket, ZMQ_LINGER, &linger, sizeof linger) != 0) {
        snprintf(err, err_size, "socket options: %s", zmq_strerror(errno));
        return -1;
    }
    if (secret_key) {
        if (zmq_setsockopt(socket, ZMQ_ZAP_DOMAIN, domain, strlen(domain)) != 0
            || zmq_setsockopt(socket, ZMQ_CURVE_SERVER, &one, sizeof one) != 0
            || zmq_setsockopt(socket, ZMQ_CURVE_SECRETKEY, secret_key, PACTA_BUS_KEY_Z85_LEN) != 0) {
            snprintf(err, err_size, "CURVE options: %s", zmq_strerror(errno));
            return -1;
        }
    }
    return 0;
}

/* Binds and reads back the real endpoint, so a port '*' can be logged and reached. */
static int
s_bind(void *socket, const char *endpoint, char *bound, size_t bound_size, const char *what, char *err,
       size_t err_size)
{
    if (!endpoint || !*endpoint) {
        snprintf(err, err_size, "no %s endpoint given", what);
        return -1;
    }
    if (zmq_bind(socket, endpoint) != 0) {
        snprintf(err, err_size, "cannot bind the %s to %s: %s", what, endpoint, zmq_strerror(errno));
        return -1;
    }
    size_t size = bound_size;
    if (zmq_getsockopt(socket, ZMQ_LAST_ENDPOINT, bound, &size) != 0)
        snprintf(bound, bound_size, "%s", endpoint);
    return 0;
}

/* Builds the broker from the immutable routing table: classes and routes are allocated once, so
   the hot path never allocates for them. */
bus_broker_t *
bus_broker_new(const bus_broker_options_t *options, char *err, size_t err_size)
{
    assert(options && options->routes);
    bus_broker_t *self = calloc(1, sizeof *self);
    if (!self) {
        snprintf(err, err_size, "out of memory");
        return NULL;
    }
    self->routes = options->routes;
    self->allow = options->allow;
    self->metrics = options->metrics;
    self->curve = options->curve_secret_key && options->curve_secret_key[0];
    self->max_message_size = options->max_message_size ? options->max_message_size : PACTA_BUS_DEFAULT_MAX_MESSAGE;
    self->queue_max = options->queue_max ? options->queue_max : 100000;
    self->pending_max = options->pending_max ? options->pending_max : 200000;
    self->heartbeat_ms = options->heartbeat_ms > 0 ? options->heartbeat_ms : 1000;
    self->heartbeat_liveness = options->heartbeat_liveness > 0 ? options->heartbeat_liveness : 3;
    self->no_capacity_timeout_ms = options->no_capacity_timeout_ms > 0 ? options->no_capacity_timeout_ms : 30000;
    self->max_deliveries = options->max_deliveries ? options->max_deliveries : 10;
    /* Tags start from the clock so a new bus never reuses the tags a
       previous run handed to instances that are still answering. */
    struct timespec wall;
    clock_gettime(CLOCK_REALTIME, &wall);
    self->next_tag = ((uint64_t) wall.tv_sec << 24) ^ (uint64_t) wall.tv_nsec;
    if (self->curve && (!self->allow || !pacta_bus_key_valid(options->curve_secret_key))) {
        snprintf(err, err_size, "CURVE needs a 40-character Z85 secret key and an allow-list");
        goto cleanup;
    }

    self->type_count = bus_routes_type_count(self->routes);
    self->class_count = bus_routes_class_count(self->routes);
    self->classes = calloc(self->class_count > 0 ? self->class_count : 1, sizeof *self->classes);
    self->route_of = calloc(self->type_count * self->class_count + 1, sizeof *self->route_of);
    self->by_type = calloc(self->type_count + 1, sizeof *self->by_type);
    self->published = calloc(self->type_count + 1, sizeof *self->published);
    self->pending = pacta_map_new();
    self->tags = pacta_map_new();
    self->instances = pacta_map_new();
    if (!self->classes || !self->route_of || !self->by_type || !self->published || !self->pending || !self->tags
        || !self->instances) {
        snprintf(err, err_size, "out of memory");
        goto cleanup;
    }
    int64_t now = s_now_ms();
    for (size_t c = 0; c < self->class_count; c++) {
        self->classes[c].index = c;
        self->classes[c].name = bus_routes_class_name(self->routes, c);
        self->classes[c].empty_since_ms = now;
    }
    for (size_t t = 0; t < self->type_count; t++) {
        const size_t *classes = NULL;
        size_t count = bus_routes_type_classes(self->routes, t, &classes);
        for (size_t i = 0; i < count; i++) {
            bus_route_t *route = calloc(1, sizeof *route);
            if (!route) {
                snprintf(err, err_size, "out of memory");
                goto cleanup;
            }
            route->klass = &self->classes[classes[i]];
            route->type_index = t;
            self->route_of[t * self->class_count + classes[i]] = route;
        }
    }

    if (options->zmq_context)
        self->context = options->zmq_context;
    else {
        self->context = zmq_ctx_new();
        self->own_context = true;
        if (!self->context) {
            snprintf(err, err_size, "cannot create a ZeroMQ context: %s", zmq_strerror(errno));
            goto cleanup;
        }
    }
    if (self->curve) {
        if (!zmq_has("curve")) {
            snprintf(err, err_size, "this libzmq was built without CURVE support");
            goto cleanup;
        }
        /* The ZAP handler must be bound before any CURVE socket binds. */
        self->zap = zmq_socket(self->context, ZMQ_REP);
        if (!self->zap || zmq_bind(self->zap, ZAP_ENDPOINT) != 0) {
            snprintf(err, err_size, "cannot start the ZAP handler: %s", zmq_strerror(errno));
            goto cleanup;
        }
    }
    self->frontend = zmq_socket(self->context, ZMQ_ROUTER);
    self->backend = zmq_socket(self->context, ZMQ_ROUTER);
    if (!self->frontend || !self->backend) {
        snprintf(err, err_size, "cannot create sockets: %s", zmq_strerror(errno));
        goto cleanup;
    }
    const char *secret = self->curve ? options->curve_secret_key : NULL;
    if (s_configure_router(self, self->frontend, "frontend", secret, err, err_size) != 0
        || s_configure_router(self, self->backend, "backend", secret, err, err_size) != 0)
        goto cleanup;
    if (s_bind(self->frontend, options->frontend, self->frontend_endpoint, sizeof self->frontend_endpoint,
               "frontend", err, err_size)
            != 0
        || s_bind(self->backend, options->backend, self->backend_endpoint, sizeof self->backend_endpoint,
                  "backend", err, err_size)
               != 0)
        goto cleanup;
    self->next_heartbeat_ms = now + self->heartbeat_ms;
    self->next_sweep_ms = now + SWEEP_MS;
    self->next_metrics_ms = now + METRICS_MS;
    if (self->metrics)
        s_define_metrics(self);
    return self;

cleanup:
    bus_broker_destroy(&self);
    return NULL;
}

/* Frees one request at shutdown. */
static int
s_free_pending_visit(const void *key, size_t key_len, void *value, void *arg)
{
    (void) key;
    (void) key_len;
    (void) arg;
    s_pending_free(value);
    return 0;
}

/* Tells one instance the bus is stopping, so it reconnects at once instead of waiting for
   heartbeats to lapse. */
static int
s_goodbye_visit(const void *key, size_t key_len, void *value, void *arg)
{
    (void) key;
    (void) key_len;
    bus_broker_t *self = arg;
    bus_instance_t *inst = value;
    s_send_simple(self, inst->identity, inst->identity_len, PACTA_BUS_CMD_DISCONNECT, "bus stopping");
    return 0;
}

/* Frees one instance at shutdown. */
static int
s_free_instance_visit(const void *key, size_t key_len, void *value, void *arg)
{
    (void) key;
    (void) key_len;
    (void) arg;
    bus_instance_t *inst = value;
    free(inst->consumes);
    free(inst);
    return 0;
}

/* Says DISCONNECT to the instances, then frees everything; requests in progress are dropped on
   purpose (producers resend). */
void
bus_broker_destroy(bus_broker_t **self_p)
{
    assert(self_p);
    bus_broker_t *self = *self_p;
    if (!self)
        return;
    if (self->instances) {
        if (self->backend)
            pacta_map_foreach(self->instances, s_goodbye_visit, self);
        pacta_map_foreach(self->instances, s_free_instance_visit, NULL);
        pacta_map_destroy(&self->instances);
    }
    if (self->pending) {
        size_t dropped = pacta_map_size(self->pending);
        if (dropped > 0)
            pacta_log_fields(PACTA_LOG_WARN, "stopping with messages in progress: their producers will resend",
                             (pacta_log_field_t[]){{"pending", NULL, (int64_t) dropped}}, 1);
        pacta_map_foreach(self->pending, s_free_pending_visit, NULL);
        pacta_map_destroy(&self->pending);
    }
    pacta_map_destroy(&self->tags);
    if (self->route_of) {
        for (size_t i = 0; i < self->type_count * self->class_count; i++)
            free(self->route_of[i]);
        free(self->route_of);
    }
    free(self->classes);
    free(self->by_type);
    free(self->published);
    if (self->frontend)
        zmq_close(self->frontend);
    if (self->backend)
        zmq_close(self->backend);
    if (self->zap) {
        int zero = 0;
        zmq_setsockopt(self->zap, ZMQ_LINGER, &zero, sizeof zero);
        zmq_close(self->zap);
    }
    if (self->own_context && self->context)
        zmq_ctx_term(self->context);
    free(self);
    *self_p = NULL;
}

/* ---------------------------------------------------------------------------
   The loop
   ------------------------------------------------------------------------ */

/* Reads up to BATCH_MAX messages from socket; -1 on context termination. */
static int
s_drain(bus_broker_t *self, void *socket, void (*handle)(bus_broker_t *, pacta_bus_frames_t *))
{
    for (int i = 0; i < BATCH_MAX; i++) {
        pacta_bus_frames_t frames;
        if (pacta_bus_frames_recv(socket, &frames, ZMQ_DONTWAIT) != 0) {
            if (errno == ETERM)
                return -1;
            return 0;   /* EAGAIN: drained; EINTR: next turn */
        }
        handle(self, &frames);
        pacta_bus_frames_close(&frames);
    }
    return 0;
}

/* One turn: wait for traffic or the next timer, drain the backend before the frontend (answers
   free credit), then run due timers. */
int
bus_broker_run_once(bus_broker_t *self, int timeout_ms)
{
    assert(self);
    int64_t now = s_now_ms();
    int64_t next = self->next_heartbeat_ms;
    if (self->next_sweep_ms < next)
        next = self->next_sweep_ms;
    if (self->next_metrics_ms < next)
        next = self->next_metrics_ms;
    int64_t wait = next - now;
    if (wait < 0)
        wait = 0;
    if (wait > timeout_ms)
        wait = timeout_ms;

    zmq_pollitem_t items[3] = {
        {.socket = self->backend, .events = ZMQ_POLLIN},
        {.socket = self->frontend, .events = ZMQ_POLLIN},
        {.socket = self->zap, .events = ZMQ_POLLIN},
    };
    int count = self->zap ? 3 : 2;
    int rc = zmq_poll(items, count, (long) wait);
    if (rc < 0) {
        if (errno == ETERM)
            return -1;
        return 0;   /* EINTR: a signal; the caller decides */
    }
    /* Backend first: answers free credit and complete requests. */
    if (items[0].revents & ZMQ_POLLIN && s_drain(self, self->backend, s_backend_message) != 0)
        return -1;
    if (items[1].revents & ZMQ_POLLIN && s_drain(self, self->frontend, s_frontend_message) != 0)
        return -1;
    if (self->zap && items[2].revents & ZMQ_POLLIN)
        for (int i = 0; i < 64; i++) {
            int events = 0;
            size_t size = sizeof events;
            if (zmq_getsockopt(self->zap, ZMQ_EVENTS, &events, &size) != 0 || !(events & ZMQ_POLLIN))
                break;
            s_zap_request(self);
        }

    now = s_now_ms();
    if (now >= self->next_heartbeat_ms) {
        s_heartbeats(self, now);
        /* A tenth of the interval: a silent instance is declared dead at
           most 10% after its third missed heartbeat. */
        self->next_heartbeat_ms = now + self->heartbeat_ms / 10 + 1;
    }
    if (now >= self->next_sweep_ms) {
        s_sweep(self, now);
        self->next_sweep_ms = now + SWEEP_MS;
    }
    if (now >= self->next_metrics_ms) {
        bus_broker_publish_metrics(self);
        self->next_metrics_ms = now + METRICS_MS;
    }
    return 0;
}

/* ---------------------------------------------------------------------------
   Getters
   ------------------------------------------------------------------------ */

/* The frontend actually bound, for logs and tests. */
const char *
bus_broker_frontend_endpoint(const bus_broker_t *self)
{
    assert(self);
    return self->frontend_endpoint;
}

/* The backend actually bound, for logs and tests. */
const char *
bus_broker_backend_endpoint(const bus_broker_t *self)
{
    assert(self);
    return self->backend_endpoint;
}

/* Counters plus gauges computed now, for tests and the exit log. */
void
bus_broker_stats(const bus_broker_t *self, bus_broker_stats_t *stats)
{
    assert(self && stats);
    *stats = self->stats;
    stats->live_instances = pacta_map_size(self->instances);
    stats->pending = pacta_map_size(self->pending);
    stats->queued = 0;
    stats->in_flight = 0;
    for (size_t c = 0; c < self->class_count; c++) {
        stats->queued += self->classes[c].queued;
        stats->in_flight += self->classes[c].in_flight;
    }
}
