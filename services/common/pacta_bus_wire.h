/*  =========================================================================
    pacta_bus_wire - the frames of the Pacta bus protocol, shared by the bus
    and its clients (see docs/protocol.md for the full description)

    Every message on either bus socket is a ZeroMQ multipart message whose
    first frame is the signature "PACTA1" and whose second frame is one
    command byte. The ROUTER side additionally sees the peer's routing id in
    front. Producers (DEALER) talk to the frontend:

      SEND   C->B  [sig, 0x01, envelope]
      REPLY  B->C  [sig, 0x02, reply envelope (kind REPLY, Ack or Nack)]

    Service instances (DEALER) talk to the backend:

      READY      I->B  [sig, 0x10, class, instance id, credit, types]
                       credit: decimal text; types: '\n'-separated list
      HEARTBEAT  both  [sig, 0x11]
      DELIVER    B->I  [sig, 0x12, tag (8 bytes BE), attempt (4 bytes BE), envelope]
      DONE       I->B  [sig, 0x13, tag (8 bytes BE), reply envelope]
      DISCONNECT both  [sig, 0x14, reason text (optional)]
      REREGISTER B->I  [sig, 0x15]  "I do not know you: send READY again"

    Untrusted input: pacta_bus_frames_recv() keeps at most
    PACTA_BUS_FRAMES_MAX frames (the rest are read and dropped) and every
    parser here takes explicit lengths. Unpacked protobuf messages are freed
    by the function that unpacked them.
    =========================================================================
*/
#ifndef PACTA_BUS_WIRE_H_INCLUDED
#define PACTA_BUS_WIRE_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zmq.h>

#include "pacta/v1/ack.pb-c.h"
#include "pacta/v1/envelope.pb-c.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PACTA_BUS_SIGNATURE "PACTA1"
#define PACTA_BUS_SIGNATURE_LEN 6

/* Command bytes (frame 2). */
#define PACTA_BUS_CMD_SEND 0x01
#define PACTA_BUS_CMD_REPLY 0x02
#define PACTA_BUS_CMD_READY 0x10
#define PACTA_BUS_CMD_HEARTBEAT 0x11
#define PACTA_BUS_CMD_DELIVER 0x12
#define PACTA_BUS_CMD_DONE 0x13
#define PACTA_BUS_CMD_DISCONNECT 0x14
#define PACTA_BUS_CMD_REREGISTER 0x15

/* Limits of the envelope fields the bus reads (bytes). */
#define PACTA_BUS_ID_MAX 64          /* message_id */
#define PACTA_BUS_NAME_MAX 64        /* tenant, service class, instance id, destination, producer */
#define PACTA_BUS_TYPE_MAX 128       /* message_type */
#define PACTA_BUS_ENTITY_KEY_MAX 256 /* entity_key */
#define PACTA_BUS_DETAIL_MAX 256     /* Nack.detail kept in a parsed reply */
#define PACTA_BUS_FIELD_MAX 96       /* Nack.field kept in a parsed reply */
#define PACTA_BUS_TYPES_MAX 512      /* message types one instance may declare */
#define PACTA_BUS_FRAMES_MAX 8       /* frames kept per message; a ROUTER adds one */
#define PACTA_BUS_KEY_Z85_LEN 40     /* a CURVE key in Z85 text */
#define PACTA_BUS_DEFAULT_MAX_MESSAGE (1024 * 1024) /* default cap of one envelope */

/* One received multipart message, bounded. */
typedef struct {
    zmq_msg_t part[PACTA_BUS_FRAMES_MAX]; /* frames 0..count-1 are initialised */
    size_t count;                          /* frames kept */
    bool truncated;                        /* more frames arrived than fit; they were dropped */
} pacta_bus_frames_t;

/* A reply (Ack or Nack) flattened into fixed buffers: what producers and
   the bus need, without holding protobuf allocations. */
typedef struct {
    bool ack;                                   /* true: Ack; false: Nack */
    char message_id[PACTA_BUS_ID_MAX + 1];      /* the answered message */
    char tenant[PACTA_BUS_NAME_MAX + 1];        /* copied from the answered envelope */
    char entity_key[PACTA_BUS_ENTITY_KEY_MAX + 1]; /* copied from the answered envelope */
    char destination[PACTA_BUS_NAME_MAX + 1];   /* the answered copy's destination ("" = routing table) */
    bool duplicate;                             /* Ack: it had already been applied */
    uint64_t entity_version;                    /* Ack: version after the change */
    Pacta__V1__NackReason reason;               /* Nack: why */
    bool retryable;                             /* Nack: resend later with the same id */
    uint32_t retry_after_ms;                    /* Nack: suggested delay, 0 = producer decides */
    char handled_by[PACTA_BUS_NAME_MAX + 1];    /* instance or "bus" */
    char detail[PACTA_BUS_DETAIL_MAX + 1];      /* Nack: one human sentence (truncated) */
    char field[PACTA_BUS_FIELD_MAX + 1];        /* Nack: offending field, "" if none */
} pacta_bus_reply_t;

/* ---- frames ------------------------------------------------------------- */

/* Receives one whole multipart message from socket (flags: 0 or
   ZMQ_DONTWAIT). 0, or -1 with errno from zmq_msg_recv (EAGAIN when
   nothing is waiting); on -1 nothing is left initialised. */
int pacta_bus_frames_recv(void *socket, pacta_bus_frames_t *frames, int flags);
/* Closes every kept frame. Safe twice. */
void pacta_bus_frames_close(pacta_bus_frames_t *frames);
/* Size and data of frame index (0 and NULL when out of range). */
size_t pacta_bus_frame_size(pacta_bus_frames_t *frames, size_t index);
const void *pacta_bus_frame_data(pacta_bus_frames_t *frames, size_t index);
/* True when frames[offset] is the signature and frames[offset+1] a
   one-byte command; *command receives it. */
bool pacta_bus_frames_header(pacta_bus_frames_t *frames, size_t offset, uint8_t *command);

/* Sends count buffers as one multipart message (flags: ZMQ_DONTWAIT or 0).
   0, or -1 with errno. A failure after the first frame cannot happen with
   ZeroMQ's atomic multipart delivery. */
int pacta_bus_send_parts(void *socket, size_t count, const void *const *data, const size_t *lens, int flags);

/* Big-endian helpers for tags and counters. */
void pacta_bus_put_u64(uint8_t out[8], uint64_t value);
uint64_t pacta_bus_get_u64(const uint8_t in[8]);
void pacta_bus_put_u32(uint8_t out[4], uint32_t value);
uint32_t pacta_bus_get_u32(const uint8_t in[4]);

/* ---- envelopes ---------------------------------------------------------- */

/* Checks the envelope fields the bus routes and authorises on. 0, or -1
   with the reason (INVALID or UNSUPPORTED_VERSION), a sentence and the
   field path ("envelope.tenant") written to the buffers. */
int pacta_bus_envelope_check(const Pacta__V1__Envelope *envelope, Pacta__V1__NackReason *reason, char *detail,
                             size_t detail_size, char *field, size_t field_size);
/* True if text[0..len) is 1..max printable ASCII bytes without spaces. */
bool pacta_bus_token_valid(const char *text, size_t len, size_t max);

/* Packs an envelope into a malloc'd buffer (get_packed_size first); NULL
   on out of memory. Caller frees. */
uint8_t *pacta_bus_envelope_pack(const Pacta__V1__Envelope *envelope, size_t *len_out);

/* ---- replies -------------------------------------------------------------- */

/* Builds the reply envelope (kind REPLY, type pacta.v1.Ack or pacta.v1.Nack,
   causation_id = the answered id) for reply. answered may be NULL when the
   frame could not be decoded; then tenant, entity key and destination come
   from reply. Returns a malloc'd packed envelope (caller frees) or NULL on
   out of memory. reply->handled_by is also the reply's producer. */
uint8_t *pacta_bus_reply_pack(const pacta_bus_reply_t *reply, const Pacta__V1__Envelope *answered,
                              size_t *len_out);
/* Decodes a reply envelope into *reply. 0, or -1 when it is not a
   well-formed Ack or Nack envelope (nothing is allocated either way). */
int pacta_bus_reply_parse(const void *data, size_t len, pacta_bus_reply_t *reply);
/* Fills *reply as a Nack; detail is a printf format. */
void pacta_bus_reply_set_nack(pacta_bus_reply_t *reply, Pacta__V1__NackReason reason, const char *field,
                              const char *detail_fmt, ...) __attribute__((format(printf, 4, 5)));

/* "INVALID", "QUEUE_FULL"...: the enum name without its prefix, "UNSPECIFIED"
   for unknown values. */
const char *pacta_bus_nack_reason_name(Pacta__V1__NackReason reason);
/* Whether a reason means "resend the same message later" (docs/messages.md). */
bool pacta_bus_nack_reason_retryable(Pacta__V1__NackReason reason);

/* ---- CURVE keys ----------------------------------------------------------- */

/* True if text is exactly 40 characters of the Z85 alphabet. */
bool pacta_bus_key_valid(const char *text);
/* Finds the key in key-file text: the first line that is not blank or a
   '#' comment must be a Z85 key (surrounding blanks ignored). out gets 41
   bytes. 0, or -1 with a reason in err. */
int pacta_bus_key_from_text(const char *text, size_t len, char out[PACTA_BUS_KEY_Z85_LEN + 1], char *err,
                            size_t err_size);
/* The same, reading the file at path. */
int pacta_bus_key_read_file(const char *path, char out[PACTA_BUS_KEY_Z85_LEN + 1], char *err, size_t err_size);
/* Accepts either a Z85 key or the path of a key file in text. */
int pacta_bus_key_resolve(const char *text, char out[PACTA_BUS_KEY_Z85_LEN + 1], char *err, size_t err_size);
/* Makes socket a CURVE client of the server key with the given secret
   key (its public key is derived). 0, or -1 with a reason in err. */
int pacta_bus_curve_client(void *socket, const char *server_public, const char *client_secret, char *err,
                           size_t err_size);

/* ---- hashing -------------------------------------------------------------- */

/* 64-bit FNV-1a of data, continued from seed (use PACTA_BUS_HASH_SEED to
   start), then finalised with a strong mixer: rendezvous scores and dedup
   digests. */
#define PACTA_BUS_HASH_SEED UINT64_C(0xcbf29ce484222325)
uint64_t pacta_bus_hash(const void *data, size_t len, uint64_t seed);
uint64_t pacta_bus_mix64(uint64_t x);

#ifdef __cplusplus
}
#endif

#endif
