/*  =========================================================================
    pacta_bus_producer - the producer side of the bus protocol

    A thin DEALER: it frames envelopes as SEND and turns REPLY frames back
    into plain pacta_bus_reply_t values. Reliability is deliberately not
    here but in the caller (the outbox relay, or request()'s resend loop),
    because only the caller knows how long a message may be kept and where.

    Design decision: the socket never blocks on send (ZMQ_DONTWAIT with a
    generous high-water mark) so a bus that is down turns into EAGAIN the
    caller can count, instead of a service loop frozen in zmq_send().
    =========================================================================
*/
#include "pacta_bus_producer.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEFAULT_MAX_FRAME (2 * 1024 * 1024)

struct pacta_bus_producer {
    void *context;                     /* ZeroMQ context */
    bool own_context;                  /* we terminate it */
    void *socket;                      /* DEALER connected to the frontend */
};

/* Monotonic milliseconds for timeouts. */
static int64_t
s_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A DEALER with generous high-water marks and reconnect backoff; it connects lazily. */
pacta_bus_producer_t *
pacta_bus_producer_new(const pacta_bus_producer_options_t *options, char *err, size_t err_size)
{
    assert(options);
    pacta_bus_producer_t *self = calloc(1, sizeof *self);
    if (!self) {
        snprintf(err, err_size, "out of memory");
        return NULL;
    }
    if (!options->endpoint || !*options->endpoint) {
        snprintf(err, err_size, "no bus endpoint given");
        goto cleanup;
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
    self->socket = zmq_socket(self->context, ZMQ_DEALER);
    if (!self->socket) {
        snprintf(err, err_size, "cannot create a socket: %s", zmq_strerror(errno));
        goto cleanup;
    }
    int zero = 0;
    int hwm = options->send_hwm > 0 ? options->send_hwm : 100000;
    int64_t max_frame = (int64_t) (options->max_message_size ? options->max_message_size : DEFAULT_MAX_FRAME);
    int reconnect_ivl = 100, reconnect_max = 2000;
    zmq_setsockopt(self->socket, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(self->socket, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt(self->socket, ZMQ_RCVHWM, &hwm, sizeof hwm);
    zmq_setsockopt(self->socket, ZMQ_MAXMSGSIZE, &max_frame, sizeof max_frame);
    zmq_setsockopt(self->socket, ZMQ_RECONNECT_IVL, &reconnect_ivl, sizeof reconnect_ivl);
    zmq_setsockopt(self->socket, ZMQ_RECONNECT_IVL_MAX, &reconnect_max, sizeof reconnect_max);
    if (options->server_public_key && options->server_public_key[0]
        && pacta_bus_curve_client(self->socket, options->server_public_key, options->secret_key, err, err_size) != 0)
        goto cleanup;
    if (zmq_connect(self->socket, options->endpoint) != 0) {
        snprintf(err, err_size, "cannot connect to %s: %s", options->endpoint, zmq_strerror(errno));
        goto cleanup;
    }
    return self;

cleanup:
    pacta_bus_producer_destroy(&self);
    return NULL;
}

/* Closes; unsent messages are the caller's to resend. */
void
pacta_bus_producer_destroy(pacta_bus_producer_t **self_p)
{
    assert(self_p);
    pacta_bus_producer_t *self = *self_p;
    if (!self)
        return;
    if (self->socket)
        zmq_close(self->socket);
    if (self->own_context && self->context)
        zmq_ctx_term(self->context);
    free(self);
    *self_p = NULL;
}

/* Frames already packed bytes (the outbox stores them packed). */
int
pacta_bus_producer_send_bytes(pacta_bus_producer_t *self, const void *bytes, size_t len)
{
    assert(self && (bytes || len == 0));
    uint8_t command = PACTA_BUS_CMD_SEND;
    const void *parts[3] = {PACTA_BUS_SIGNATURE, &command, bytes};
    size_t lens[3] = {PACTA_BUS_SIGNATURE_LEN, 1, len};
    return pacta_bus_send_parts(self->socket, 3, parts, lens, ZMQ_DONTWAIT);
}

/* Packs and sends one envelope. */
int
pacta_bus_producer_send(pacta_bus_producer_t *self, const Pacta__V1__Envelope *envelope)
{
    assert(self && envelope);
    size_t len = 0;
    uint8_t *bytes = pacta_bus_envelope_pack(envelope, &len);
    if (!bytes) {
        errno = ENOMEM;
        return -1;
    }
    int rc = pacta_bus_producer_send_bytes(self, bytes, len);
    int saved = errno;
    free(bytes);
    errno = saved;
    return rc;
}

/* Skips anything that is not a well-formed reply: a producer must never act on garbage. */
int
pacta_bus_producer_recv(pacta_bus_producer_t *self, int timeout_ms, pacta_bus_reply_t *reply)
{
    assert(self && reply);
    int64_t deadline = s_now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
    for (;;) {
        pacta_bus_frames_t frames;
        if (pacta_bus_frames_recv(self->socket, &frames, ZMQ_DONTWAIT) == 0) {
            uint8_t command = 0;
            int ok = !frames.truncated && frames.count == 3 && pacta_bus_frames_header(&frames, 0, &command)
                     && command == PACTA_BUS_CMD_REPLY
                     && pacta_bus_reply_parse(pacta_bus_frame_data(&frames, 2), pacta_bus_frame_size(&frames, 2),
                                              reply) == 0;
            pacta_bus_frames_close(&frames);
            if (ok)
                return 0;
            continue;
        }
        if (errno != EAGAIN)
            return -1;
        int64_t wait = deadline - s_now_ms();
        if (wait <= 0)
            return 1;
        zmq_pollitem_t item = {.socket = self->socket, .events = ZMQ_POLLIN};
        if (zmq_poll(&item, 1, (long) wait) < 0)
            return -1;
    }
}

/* Send, wait, resend the same bytes on timeout: the simplest correct producer. */
int
pacta_bus_producer_request(pacta_bus_producer_t *self, const Pacta__V1__Envelope *envelope, int timeout_ms,
                           int attempts, pacta_bus_reply_t *reply)
{
    assert(self && envelope && reply);
    size_t len = 0;
    uint8_t *bytes = pacta_bus_envelope_pack(envelope, &len);
    if (!bytes)
        return -1;
    int rc = 1;
    for (int attempt = 0; attempt < (attempts > 0 ? attempts : 1) && rc == 1; attempt++) {
        if (pacta_bus_producer_send_bytes(self, bytes, len) != 0 && errno != EAGAIN) {
            rc = -1;
            break;
        }
        int64_t deadline = s_now_ms() + timeout_ms;
        for (;;) {
            int64_t left = deadline - s_now_ms();
            if (left <= 0)
                break;
            int got = pacta_bus_producer_recv(self, (int) left, reply);
            if (got < 0) {
                rc = -1;
                break;
            }
            if (got == 1)
                break;
            if (strcmp(reply->message_id, envelope->message_id) == 0) {
                rc = 0;
                break;
            }
        }
    }
    free(bytes);
    return rc;
}

/* For callers that poll several sockets. */
void *
pacta_bus_producer_socket(pacta_bus_producer_t *self)
{
    assert(self);
    return self->socket;
}
