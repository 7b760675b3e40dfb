/*  =========================================================================
    pacta_bus_worker - the instance side of the bus protocol

    A service instance connects to the bus (it never binds), says which
    class it belongs to and which types it consumes, and then answers every
    delivery with ACK or NACK. Everything that keeps the session alive --
    heartbeats, noticing a silent bus, re-registering after a bus restart,
    reconnecting with backoff -- happens inside recv(), so a service's loop
    is "recv, apply, answer".

    Design decision: a reconnect starts a new "generation"; each delivery
    remembers the generation it arrived in, and answers from an older one
    are dropped. A new bus (or the same bus after it wrote us off) has
    already redelivered those messages elsewhere, and its tags would not
    match anyway; dropping them here keeps the bus's stale counter honest.
    =========================================================================
*/
#include "pacta_bus_worker.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pacta_log.h"

#define ENDPOINT_MAX 512                /* longest endpoint */
#define TYPES_TEXT_MAX (64 * 1024)      /* READY's type list */
#define DEFAULT_MAX_FRAME (2 * 1024 * 1024)

struct pacta_bus_delivery {
    uint64_t tag;                       /* the bus's delivery tag */
    uint32_t attempt;                   /* 1 = first delivery */
    uint64_t generation;                /* worker session it arrived in */
    Pacta__V1__Envelope *envelope;      /* decoded, owned */
};

struct pacta_bus_worker {
    void *context;                      /* ZeroMQ context */
    bool own_context;                   /* we terminate it */
    void *socket;                       /* DEALER to the backend, NULL while backing off */
    char endpoint[ENDPOINT_MAX];        /* backend address */
    char service_class[PACTA_BUS_NAME_MAX + 1]; /* our class */
    char instance_id[PACTA_BUS_NAME_MAX + 1];   /* our name */
    char *types_text;                   /* consumes joined by '\n', owned */
    size_t types_len;                   /* bytes of types_text */
    const char **types;                 /* pointers into types_copy, sorted for lookup */
    char *types_copy;                   /* NUL-separated copy of the type names, owned */
    size_t type_count;                  /* entries of types */
    char credit_text[16];               /* credit in decimal */
    uint32_t credit;                    /* deliveries we may hold */
    int64_t heartbeat_ms;               /* interval */
    int heartbeat_liveness;             /* missed intervals before reconnecting */
    int64_t reconnect_initial_ms;       /* first backoff delay */
    int64_t reconnect_max_ms;           /* backoff cap */
    int64_t reconnect_delay_ms;         /* next backoff delay */
    int64_t next_connect_ms;            /* when to reconnect while socket is NULL */
    int64_t last_heard_ms;              /* last frame from the bus (or connect time) */
    int64_t last_sent_ms;               /* last frame to the bus */
    bool heard_since_connect;           /* the bus answered on this connection */
    uint64_t generation;                /* session counter */
    size_t max_message_size;            /* ZMQ_MAXMSGSIZE */
    bool curve;                         /* CURVE client */
    char server_public[PACTA_BUS_KEY_Z85_LEN + 1]; /* the bus's key */
    char secret[PACTA_BUS_KEY_Z85_LEN + 1];        /* our secret key */
    pacta_bus_worker_stats_t stats;     /* counters */
};

/* Monotonic milliseconds for heartbeats and backoff. */
static int64_t
s_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sort order of the declared types, for bsearch. */
static int
s_compare_types(const void *a, const void *b)
{
    return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* True when type (a NUL-terminated string) was declared. */
static bool
s_declared(const pacta_bus_worker_t *self, const char *type)
{
    return bsearch(&type, self->types, self->type_count, sizeof *self->types, s_compare_types) != NULL;
}

/* ---------------------------------------------------------------------------
   Sending
   ------------------------------------------------------------------------ */

/* Sends [sig, command, parts...] on the current socket without blocking. */
static int
s_send(pacta_bus_worker_t *self, uint8_t command, size_t count, const void *const *parts, const size_t *lens)
{
    if (!self->socket)
        return -1;
    const void *all[6] = {PACTA_BUS_SIGNATURE, &command};
    size_t all_lens[6] = {PACTA_BUS_SIGNATURE_LEN, 1};
    assert(count <= 4);
    for (size_t i = 0; i < count; i++) {
        all[2 + i] = parts[i];
        all_lens[2 + i] = lens[i];
    }
    if (pacta_bus_send_parts(self->socket, 2 + count, all, all_lens, ZMQ_DONTWAIT) != 0)
        return -1;
    self->last_sent_ms = s_now_ms();
    return 0;
}

/* READY with everything the bus needs to route to us. */
static int
s_send_ready(pacta_bus_worker_t *self)
{
    const void *parts[4] = {self->service_class, self->instance_id, self->credit_text, self->types_text};
    size_t lens[4] = {strlen(self->service_class), strlen(self->instance_id), strlen(self->credit_text),
                      self->types_len};
    return s_send(self, PACTA_BUS_CMD_READY, 4, parts, lens);
}

/* ---------------------------------------------------------------------------
   Connection
   ------------------------------------------------------------------------ */

/* Drops the current connection (LINGER 0: unsent answers belong to a dead session). */
static void
s_close_socket(pacta_bus_worker_t *self)
{
    if (!self->socket)
        return;
    zmq_close(self->socket);
    self->socket = NULL;
}

/* A new DEALER, connected, with READY queued. 0 or -1 (logged). */
static int
s_connect(pacta_bus_worker_t *self)
{
    s_close_socket(self);
    void *socket = zmq_socket(self->context, ZMQ_DEALER);
    if (!socket) {
        pacta_log_error("bus: cannot create a socket", "error", zmq_strerror(errno));
        return -1;
    }
    int zero = 0;
    int hwm = (int) self->credit * 2 + 1000;
    int64_t max_frame = (int64_t) self->max_message_size;
    int reconnect_ivl = 100;
    int reconnect_max = (int) self->reconnect_max_ms;
    zmq_setsockopt(socket, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(socket, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt(socket, ZMQ_RCVHWM, &hwm, sizeof hwm);
    zmq_setsockopt(socket, ZMQ_MAXMSGSIZE, &max_frame, sizeof max_frame);
    zmq_setsockopt(socket, ZMQ_RECONNECT_IVL, &reconnect_ivl, sizeof reconnect_ivl);
    zmq_setsockopt(socket, ZMQ_RECONNECT_IVL_MAX, &reconnect_max, sizeof reconnect_max);
    char err[256];
    if (self->curve && pacta_bus_curve_client(socket, self->server_public, self->secret, err, sizeof err) != 0) {
        pacta_log_error("bus: CURVE setup failed", "error", err);
        zmq_close(socket);
        return -1;
    }
    if (zmq_connect(socket, self->endpoint) != 0) {
        pacta_log_error("bus: cannot connect", "endpoint", self->endpoint, "error", zmq_strerror(errno));
        zmq_close(socket);
        return -1;
    }
    self->socket = socket;
    self->generation++;
    self->stats.connects++;
    self->last_heard_ms = s_now_ms();
    self->heard_since_connect = false;
    if (s_send_ready(self) != 0) {
        pacta_log_warn("bus: READY not queued, will retry", "error", zmq_strerror(errno));
        s_close_socket(self);
        return -1;
    }
    pacta_log_info("bus: registering", "endpoint", self->endpoint, "class", self->service_class, "instance",
                   self->instance_id);
    return 0;
}

/* Drops the connection and schedules the next one with backoff. */
static void
s_schedule_reconnect(pacta_bus_worker_t *self, const char *why)
{
    s_close_socket(self);
    int64_t delay = self->reconnect_delay_ms;
    self->next_connect_ms = s_now_ms() + delay;
    self->reconnect_delay_ms = delay * 2 > self->reconnect_max_ms ? self->reconnect_max_ms : delay * 2;
    char delay_text[24];
    snprintf(delay_text, sizeof delay_text, "%lld", (long long) delay);
    pacta_log_warn("bus: connection dropped, reconnecting", "reason", why, "in_ms", delay_text);
}

/* Heartbeat when due; reconnect when the bus has been silent too long or
   the backoff delay has passed. */
void
pacta_bus_worker_upkeep(pacta_bus_worker_t *self)
{
    assert(self);
    int64_t now = s_now_ms();
    if (!self->socket) {
        if (now >= self->next_connect_ms && s_connect(self) != 0)
            s_schedule_reconnect(self, "connect failed");
        return;
    }
    if (now - self->last_heard_ms > self->heartbeat_ms * self->heartbeat_liveness) {
        s_schedule_reconnect(self, "bus silent for too long");
        return;
    }
    if (now - self->last_sent_ms >= self->heartbeat_ms && s_send(self, PACTA_BUS_CMD_HEARTBEAT, 0, NULL, NULL) == 0)
        self->stats.heartbeats_sent++;
}

/* ---------------------------------------------------------------------------
   Construction
   ------------------------------------------------------------------------ */

/* Validates and copies the options, then connects at once: READY waits in the socket until the bus
   is up. */
pacta_bus_worker_t *
pacta_bus_worker_new(const pacta_bus_worker_options_t *options, char *err, size_t err_size)
{
    assert(options);
    pacta_bus_worker_t *self = calloc(1, sizeof *self);
    if (!self) {
        snprintf(err, err_size, "out of memory");
        return NULL;
    }
    if (!options->endpoint || strlen(options->endpoint) >= sizeof self->endpoint) {
        snprintf(err, err_size, "the bus endpoint is missing or too long");
        goto cleanup;
    }
    if (!options->service_class
        || !pacta_bus_token_valid(options->service_class, strlen(options->service_class), PACTA_BUS_NAME_MAX)
        || !options->instance_id
        || !pacta_bus_token_valid(options->instance_id, strlen(options->instance_id), PACTA_BUS_NAME_MAX)) {
        snprintf(err, err_size, "service class and instance id must be 1 to 64 printable characters");
        goto cleanup;
    }
    if (!options->consumes || !options->consumes[0]) {
        snprintf(err, err_size, "an instance must consume at least one message type");
        goto cleanup;
    }
    snprintf(self->endpoint, sizeof self->endpoint, "%s", options->endpoint);
    snprintf(self->service_class, sizeof self->service_class, "%s", options->service_class);
    snprintf(self->instance_id, sizeof self->instance_id, "%s", options->instance_id);
    self->credit = options->credit ? options->credit : 64;
    if (self->credit > 100000)
        self->credit = 100000;
    snprintf(self->credit_text, sizeof self->credit_text, "%u", (unsigned) self->credit);
    self->heartbeat_ms = options->heartbeat_ms > 0 ? options->heartbeat_ms : 1000;
    self->heartbeat_liveness = options->heartbeat_liveness > 0 ? options->heartbeat_liveness : 3;
    self->reconnect_initial_ms = options->reconnect_initial_ms > 0 ? options->reconnect_initial_ms : 250;
    self->reconnect_max_ms = options->reconnect_max_ms > 0 ? options->reconnect_max_ms : 5000;
    if (self->reconnect_max_ms < self->reconnect_initial_ms)
        self->reconnect_max_ms = self->reconnect_initial_ms;
    self->reconnect_delay_ms = self->reconnect_initial_ms;
    self->max_message_size = options->max_message_size ? options->max_message_size : DEFAULT_MAX_FRAME;

    /* The declared types: joined for READY, sorted for lookups. */
    size_t count = 0, total = 0;
    for (; options->consumes[count]; count++) {
        size_t len = strlen(options->consumes[count]);
        if (!pacta_bus_token_valid(options->consumes[count], len, PACTA_BUS_TYPE_MAX) || count >= PACTA_BUS_TYPES_MAX) {
            snprintf(err, err_size, "consumed type #%zu is not a valid type name (or too many types)", count + 1);
            goto cleanup;
        }
        total += len + 1;
    }
    if (total > TYPES_TEXT_MAX) {
        snprintf(err, err_size, "the consumed type list is too long");
        goto cleanup;
    }
    self->types_text = malloc(total);
    self->types_copy = malloc(total);
    self->types = calloc(count, sizeof *self->types);
    if (!self->types_text || !self->types_copy || !self->types) {
        snprintf(err, err_size, "out of memory");
        goto cleanup;
    }
    size_t pos = 0;
    for (size_t i = 0; i < count; i++) {
        size_t len = strlen(options->consumes[i]);
        memcpy(self->types_text + pos, options->consumes[i], len);
        memcpy(self->types_copy + pos, options->consumes[i], len);
        self->types_copy[pos + len] = '\0';
        self->types[i] = self->types_copy + pos;
        self->types_text[pos + len] = '\n';
        pos += len + 1;
    }
    self->types_len = total - 1;   /* no trailing newline */
    self->type_count = count;
    qsort(self->types, count, sizeof *self->types, s_compare_types);

    if (options->server_public_key && options->server_public_key[0]) {
        if (!pacta_bus_key_valid(options->server_public_key) || !pacta_bus_key_valid(options->secret_key)) {
            snprintf(err, err_size, "CURVE needs the bus's public key and this instance's secret key (Z85)");
            goto cleanup;
        }
        self->curve = true;
        memcpy(self->server_public, options->server_public_key, sizeof self->server_public);
        memcpy(self->secret, options->secret_key, sizeof self->secret);
    }
    if (options->zmq_context)
        self->context = options->zmq_context;
    else {
        self->context = zmq_ctx_new();
        self->own_context = true;
        if (!self->context) {
            snprintf(err, err_size, "cannot create a ZeroMQ context");
            goto cleanup;
        }
    }
    if (s_connect(self) != 0) {
        snprintf(err, err_size, "cannot connect to %s", self->endpoint);
        goto cleanup;
    }
    return self;

cleanup:
    pacta_bus_worker_destroy(&self);
    return NULL;
}

/* Says DISCONNECT so the bus redelivers at once, then frees. */
void
pacta_bus_worker_destroy(pacta_bus_worker_t **self_p)
{
    assert(self_p);
    pacta_bus_worker_t *self = *self_p;
    if (!self)
        return;
    if (self->socket) {
        /* Give DISCONNECT a moment to leave, so the bus redelivers at once
           instead of waiting for our heartbeats to lapse. */
        int linger = 500;
        zmq_setsockopt(self->socket, ZMQ_LINGER, &linger, sizeof linger);
        s_send(self, PACTA_BUS_CMD_DISCONNECT, 0, NULL, NULL);
        s_close_socket(self);
    }
    if (self->own_context && self->context)
        zmq_ctx_term(self->context);
    free(self->types_text);
    free(self->types_copy);
    free(self->types);
    explicit_bzero(self->secret, sizeof self->secret);
    free(self);
    *self_p = NULL;
}

/* ---------------------------------------------------------------------------
   Receiving
   ------------------------------------------------------------------------ */

/* Frees a delivery and its decoded envelope. */
void
pacta_bus_delivery_destroy(pacta_bus_delivery_t **self_p)
{
    assert(self_p);
    pacta_bus_delivery_t *self = *self_p;
    if (!self)
        return;
    if (self->envelope)
        pacta__v1__envelope__free_unpacked(self->envelope, NULL);
    free(self);
    *self_p = NULL;
}

/* Answers a delivery this layer refuses on its own (bad envelope,
   undeclared type), with the tag of the current session. */
static void
s_refuse(pacta_bus_worker_t *self, uint64_t tag, const Pacta__V1__Envelope *envelope, Pacta__V1__NackReason reason,
         const char *field, const char *detail)
{
    pacta_bus_reply_t reply;
    memset(&reply, 0, sizeof reply);
    if (envelope && envelope->message_id)
        snprintf(reply.message_id, sizeof reply.message_id, "%s", envelope->message_id);
    snprintf(reply.handled_by, sizeof reply.handled_by, "%s", self->instance_id);
    pacta_bus_reply_set_nack(&reply, reason, field, "%s", detail);
    size_t len = 0;
    uint8_t *bytes = pacta_bus_reply_pack(&reply, envelope, &len);
    if (!bytes)
        return;
    uint8_t tag_bytes[8];
    pacta_bus_put_u64(tag_bytes, tag);
    const void *parts[2] = {tag_bytes, bytes};
    size_t lens[2] = {8, len};
    if (s_send(self, PACTA_BUS_CMD_DONE, 2, parts, lens) == 0)
        self->stats.nacked++;
    free(bytes);
    pacta_log_warn("bus: delivery refused", "reason", pacta_bus_nack_reason_name(reason), "detail", detail,
                   "message_id", reply.message_id);
}

/* Handles one frame from the bus; may produce a delivery. */
static void
s_handle(pacta_bus_worker_t *self, pacta_bus_frames_t *frames, pacta_bus_delivery_t **delivery)
{
    uint8_t command = 0;
    if (frames->truncated || !pacta_bus_frames_header(frames, 0, &command))
        return;   /* not from a Pacta bus: ignore */
    self->last_heard_ms = s_now_ms();
    if (!self->heard_since_connect) {
        self->heard_since_connect = true;
        self->reconnect_delay_ms = self->reconnect_initial_ms;
    }
    switch (command) {
        case PACTA_BUS_CMD_HEARTBEAT:
            break;
        case PACTA_BUS_CMD_REREGISTER:
            /* The bus does not know us (it restarted, or wrote us off):
               everything we hold was or will be redelivered. */
            self->generation++;
            pacta_log_info("bus: asked to register again", "class", self->service_class);
            s_send_ready(self);
            break;
        case PACTA_BUS_CMD_DISCONNECT: {
            char reason[128] = "";
            if (frames->count > 2) {
                size_t n = pacta_bus_frame_size(frames, 2);
                snprintf(reason, sizeof reason, "%.*s", (int) (n < 120 ? n : 120),
                         (const char *) pacta_bus_frame_data(frames, 2));
            }
            s_schedule_reconnect(self, reason[0] ? reason : "bus said DISCONNECT");
            break;
        }
        case PACTA_BUS_CMD_DELIVER: {
            if (frames->count != 5 || pacta_bus_frame_size(frames, 2) != 8 || pacta_bus_frame_size(frames, 3) != 4)
                return;
            uint64_t tag = pacta_bus_get_u64(pacta_bus_frame_data(frames, 2));
            uint32_t attempt = pacta_bus_get_u32(pacta_bus_frame_data(frames, 3));
            Pacta__V1__Envelope *envelope =
                pacta__v1__envelope__unpack(NULL, pacta_bus_frame_size(frames, 4), pacta_bus_frame_data(frames, 4));
            if (!envelope) {
                s_refuse(self, tag, NULL, PACTA__V1__NACK_REASON__NACK_REASON_INVALID, "envelope",
                         "the envelope does not decode");
                return;
            }
            if (!s_declared(self, envelope->message_type)) {
                s_refuse(self, tag, envelope, PACTA__V1__NACK_REASON__NACK_REASON_UNKNOWN_TYPE,
                         "envelope.message_type", "this instance does not consume that message type");
                pacta__v1__envelope__free_unpacked(envelope, NULL);
                return;
            }
            pacta_bus_delivery_t *d = calloc(1, sizeof *d);
            if (!d) {
                pacta__v1__envelope__free_unpacked(envelope, NULL);
                return;   /* the bus redelivers after we are gone */
            }
            d->tag = tag;
            d->attempt = attempt;
            d->generation = self->generation;
            d->envelope = envelope;
            self->stats.delivered++;
            *delivery = d;
            break;
        }
        default:
            break;
    }
}

/* Waits for a delivery while keeping the session alive: the caller's loop stays 'receive, apply,
   answer'. */
int
pacta_bus_worker_recv(pacta_bus_worker_t *self, int timeout_ms, pacta_bus_delivery_t **delivery)
{
    assert(self && delivery);
    *delivery = NULL;
    int64_t deadline = s_now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
    for (;;) {
        pacta_bus_worker_upkeep(self);
        int64_t now = s_now_ms();
        /* Wake for the next heartbeat or reconnect even inside a long wait. */
        int64_t wake = deadline;
        if (self->socket) {
            if (self->last_sent_ms + self->heartbeat_ms < wake)
                wake = self->last_sent_ms + self->heartbeat_ms;
            int64_t dead_at = self->last_heard_ms + self->heartbeat_ms * self->heartbeat_liveness + 1;
            if (dead_at < wake)
                wake = dead_at;
        }
        else if (self->next_connect_ms < wake)
            wake = self->next_connect_ms;
        int64_t wait = wake - now;
        if (wait < 0)
            wait = 0;
        if (self->socket) {
            zmq_pollitem_t item = {.socket = self->socket, .events = ZMQ_POLLIN};
            int rc = zmq_poll(&item, 1, (long) wait);
            if (rc < 0)
                return -1;   /* ETERM or EINTR: let the caller decide */
            if (item.revents & ZMQ_POLLIN) {
                pacta_bus_frames_t frames;
                while (!*delivery && self->socket && pacta_bus_frames_recv(self->socket, &frames, ZMQ_DONTWAIT) == 0) {
                    s_handle(self, &frames, delivery);
                    pacta_bus_frames_close(&frames);
                }
                if (*delivery)
                    return 0;
            }
        }
        else if (wait > 0) {
            struct timespec ts = {.tv_sec = (time_t) (wait / 1000), .tv_nsec = (long) (wait % 1000) * 1000000L};
            if (nanosleep(&ts, NULL) != 0 && errno == EINTR)
                return -1;
        }
        if (s_now_ms() >= deadline)
            return 0;
    }
}

/* For callers that poll several sockets. */
void *
pacta_bus_worker_socket(pacta_bus_worker_t *self)
{
    assert(self);
    return self->socket;
}

/* ---------------------------------------------------------------------------
   Answering
   ------------------------------------------------------------------------ */

/* Sends DONE with reply for delivery and releases it. */
static int
s_answer(pacta_bus_worker_t *self, pacta_bus_delivery_t **delivery_p, pacta_bus_reply_t *reply)
{
    assert(delivery_p && *delivery_p);
    pacta_bus_delivery_t *d = *delivery_p;
    int rc = -1;
    uint8_t *bytes = NULL;
    if (d->generation != self->generation || !self->socket) {
        self->stats.stale_answers++;
        goto cleanup;
    }
    snprintf(reply->message_id, sizeof reply->message_id, "%s", d->envelope->message_id);
    snprintf(reply->handled_by, sizeof reply->handled_by, "%s", self->instance_id);
    size_t len = 0;
    bytes = pacta_bus_reply_pack(reply, d->envelope, &len);
    if (!bytes)
        goto cleanup;
    uint8_t tag_bytes[8];
    pacta_bus_put_u64(tag_bytes, d->tag);
    const void *parts[2] = {tag_bytes, bytes};
    size_t lens[2] = {8, len};
    rc = s_send(self, PACTA_BUS_CMD_DONE, 2, parts, lens);

cleanup:
    free(bytes);
    pacta_bus_delivery_destroy(delivery_p);
    return rc;
}

/* ACK: the effect is committed. */
int
pacta_bus_worker_ack(pacta_bus_worker_t *self, pacta_bus_delivery_t **delivery_p, bool duplicate,
                     uint64_t entity_version)
{
    assert(self);
    pacta_bus_reply_t reply;
    memset(&reply, 0, sizeof reply);
    reply.ack = true;
    reply.duplicate = duplicate;
    reply.entity_version = entity_version;
    int rc = s_answer(self, delivery_p, &reply);
    if (rc == 0)
        self->stats.acked++;
    return rc;
}

/* NACK: nothing was applied; the reason decides whether the producer retries. */
int
pacta_bus_worker_nack(pacta_bus_worker_t *self, pacta_bus_delivery_t **delivery_p, Pacta__V1__NackReason reason,
                      const char *field, const char *detail, uint32_t retry_after_ms)
{
    assert(self);
    pacta_bus_reply_t reply;
    memset(&reply, 0, sizeof reply);
    pacta_bus_reply_set_nack(&reply, reason, field, "%s", detail ? detail : "");
    reply.retry_after_ms = retry_after_ms;
    int rc = s_answer(self, delivery_p, &reply);
    if (rc == 0)
        self->stats.nacked++;
    return rc;
}

/* Counters for metrics and tests. */
void
pacta_bus_worker_stats(const pacta_bus_worker_t *self, pacta_bus_worker_stats_t *stats)
{
    assert(self && stats);
    *stats = self->stats;
}

/* Heard from the bus recently on the current connection: the health check. */
bool
pacta_bus_worker_connected(const pacta_bus_worker_t *self)
{
    assert(self);
    return self->socket && self->heard_since_connect
           && s_now_ms() - self->last_heard_ms <= self->heartbeat_ms * self->heartbeat_liveness;
}

/* The decoded envelope of a delivery. */
const Pacta__V1__Envelope *
pacta_bus_delivery_envelope(const pacta_bus_delivery_t *delivery)
{
    assert(delivery);
    return delivery->envelope;
}

/* Redeliveries are worth logging: a handler that crashes on a message shows up here. */
uint32_t
pacta_bus_delivery_attempt(const pacta_bus_delivery_t *delivery)
{
    assert(delivery);
    return delivery->attempt;
}
