/*  =========================================================================
    pacta_bus_producer - the producer side of the bus: send envelopes,
    receive one ACK or NACK per message

    pacta_bus_producer_options_t options = {.endpoint = "tcp://bus:5560"};
    pacta_bus_producer_t *producer = pacta_bus_producer_new(&options, err, sizeof err);
    pacta_bus_reply_t reply;
    // one message, resent with the same id until answered (at most 5 tries):
    if (pacta_bus_producer_request(producer, &envelope, 2000, 5, &reply) == 0 && reply.ack) ...
    // or pipelined: send many, then collect replies (matched by message id):
    pacta_bus_producer_send(producer, &envelope);
    while (pacta_bus_producer_recv(producer, 100, &reply) == 0) ...

    Nothing is stored here: a producer that must not lose a message keeps
    it until ACK and resends it with the SAME message_id after a timeout or
    a retryable NACK -- that is what pacta_outbox does from Redis. The bus
    and the consumers make resends harmless.
    Not thread-safe.
    =========================================================================
*/
#ifndef PACTA_BUS_PRODUCER_H_INCLUDED
#define PACTA_BUS_PRODUCER_H_INCLUDED

#include <stddef.h>
#include <stdint.h>

#include "pacta_bus_wire.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    const char *endpoint;              /* the bus frontend, e.g. tcp://127.0.0.1:5560; required */
    const char *server_public_key;     /* the bus's CURVE public key (Z85); NULL or "" = plain */
    const char *secret_key;            /* this client's CURVE secret key (Z85), with server_public_key */
    size_t max_message_size;           /* largest reply accepted; 0 = 2 MiB */
    int send_hwm;                      /* messages queued towards the bus; 0 = 100000 */
    void *zmq_context;                 /* shared ZeroMQ context; NULL = own */
} pacta_bus_producer_options_t;

typedef struct pacta_bus_producer pacta_bus_producer_t;

/* Connects (asynchronously: messages queue until the bus is up). NULL with
   a reason in err. */
pacta_bus_producer_t *pacta_bus_producer_new(const pacta_bus_producer_options_t *options, char *err,
                                             size_t err_size);
/* Closes; unsent messages are discarded. Safe on NULL and twice. */
void pacta_bus_producer_destroy(pacta_bus_producer_t **self_p);

/* Queues one envelope (packed here) / already packed bytes. 0, or -1 with
   errno EAGAIN when the send queue is full (try again later). */
int pacta_bus_producer_send(pacta_bus_producer_t *self, const Pacta__V1__Envelope *envelope);
int pacta_bus_producer_send_bytes(pacta_bus_producer_t *self, const void *bytes, size_t len);
/* Waits up to timeout_ms for one reply. 0 with *reply filled, 1 on
   timeout, -1 on a terminated context or signal. Frames that are not a
   well-formed reply are skipped. */
int pacta_bus_producer_recv(pacta_bus_producer_t *self, int timeout_ms, pacta_bus_reply_t *reply);
/* Sends envelope and waits for its reply (other replies are discarded),
   resending it after each timeout_ms up to attempts times. 0 with *reply
   filled (ACK or NACK), 1 when no reply came, -1 on error. */
int pacta_bus_producer_request(pacta_bus_producer_t *self, const Pacta__V1__Envelope *envelope, int timeout_ms,
                               int attempts, pacta_bus_reply_t *reply);
/* The socket, for callers that poll several at once. */
void *pacta_bus_producer_socket(pacta_bus_producer_t *self);

#ifdef __cplusplus
}
#endif

#endif
