/*  =========================================================================
    pacta_bus_wire - frames, envelope checks and replies of the bus protocol

    The bus and its three kinds of clients (producers, instances, the outbox
    relay) must agree byte for byte, so every frame layout, limit and reply
    builder lives here once. Everything that reads network input takes an
    explicit length and copies into fixed-size buffers.

    Design decision: a reply is flattened into pacta_bus_reply_t right after
    decoding, so no protobuf allocation ever outlives the function that made
    it; callers see plain fields and cannot forget a free_unpacked().
    =========================================================================
*/
#include "pacta_bus_wire.h"

#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ACK_TYPE "pacta.v1.Ack"
#define NACK_TYPE "pacta.v1.Nack"
#define KEY_FILE_MAX 4096           /* a key file is one short line; larger is refused */

/* ---------------------------------------------------------------------------
   Frames
   ------------------------------------------------------------------------ */

/* Reads every part of one message; parts beyond the cap are received into a
   scratch message and dropped, so a peer sending 10,000 frames costs us
   time but no memory and cannot desynchronise the next message. */
int
pacta_bus_frames_recv(void *socket, pacta_bus_frames_t *frames, int flags)
{
    assert(socket && frames);
    frames->count = 0;
    frames->truncated = false;
    for (;;) {
        zmq_msg_t scratch;
        zmq_msg_t *target = frames->count < PACTA_BUS_FRAMES_MAX ? &frames->part[frames->count] : &scratch;
        zmq_msg_init(target);
        /* Only the first part may wait or fail with EAGAIN: the rest of a
           multipart message is already here (ZeroMQ delivers it whole). */
        int rc = zmq_msg_recv(target, socket, frames->count == 0 && !frames->truncated ? flags : 0);
        if (rc < 0) {
            int saved = errno;
            zmq_msg_close(target);
            pacta_bus_frames_close(frames);
            errno = saved;
            return -1;
        }
        bool more = zmq_msg_more(target);
        if (target == &scratch) {
            zmq_msg_close(&scratch);
            frames->truncated = true;
        }
        else
            frames->count++;
        if (!more)
            break;
    }
    return 0;
}

/* Releases every kept frame; counts reset so a double close is harmless. */
void
pacta_bus_frames_close(pacta_bus_frames_t *frames)
{
    assert(frames);
    for (size_t i = 0; i < frames->count; i++)
        zmq_msg_close(&frames->part[i]);
    frames->count = 0;
}

/* Bounds-checked access: callers never index past the frames received. */
size_t
pacta_bus_frame_size(pacta_bus_frames_t *frames, size_t index)
{
    return index < frames->count ? zmq_msg_size(&frames->part[index]) : 0;
}

/* Bounds-checked access: callers never index past the frames received. */
const void *
pacta_bus_frame_data(pacta_bus_frames_t *frames, size_t index)
{
    return index < frames->count ? zmq_msg_data(&frames->part[index]) : NULL;
}

/* Checks signature and command frame before anything else is read. */
bool
pacta_bus_frames_header(pacta_bus_frames_t *frames, size_t offset, uint8_t *command)
{
    if (frames->count < offset + 2)
        return false;
    if (pacta_bus_frame_size(frames, offset) != PACTA_BUS_SIGNATURE_LEN
        || memcmp(pacta_bus_frame_data(frames, offset), PACTA_BUS_SIGNATURE, PACTA_BUS_SIGNATURE_LEN) != 0)
        return false;
    if (pacta_bus_frame_size(frames, offset + 1) != 1)
        return false;
    *command = *(const uint8_t *) pacta_bus_frame_data(frames, offset + 1);
    return true;
}

/* Sends a multipart message; ZeroMQ delivers all parts or none. */
int
pacta_bus_send_parts(void *socket, size_t count, const void *const *data, const size_t *lens, int flags)
{
    assert(socket && count > 0);
    for (size_t i = 0; i < count; i++) {
        int part_flags = flags | (i + 1 < count ? ZMQ_SNDMORE : 0);
        if (zmq_send(socket, data[i], lens[i], part_flags) < 0)
            return -1;
    }
    return 0;
}

/* Big-endian, so tags read the same on every platform. */
void
pacta_bus_put_u64(uint8_t out[8], uint64_t value)
{
    for (int i = 7; i >= 0; i--) {
        out[i] = (uint8_t) (value & 0xff);
        value >>= 8;
    }
}

/* Inverse of pacta_bus_put_u64. */
uint64_t
pacta_bus_get_u64(const uint8_t in[8])
{
    uint64_t value = 0;
    for (int i = 0; i < 8; i++)
        value = value << 8 | in[i];
    return value;
}

/* Big-endian attempt counters. */
void
pacta_bus_put_u32(uint8_t out[4], uint32_t value)
{
    for (int i = 3; i >= 0; i--) {
        out[i] = (uint8_t) (value & 0xff);
        value >>= 8;
    }
}

/* Inverse of pacta_bus_put_u32. */
uint32_t
pacta_bus_get_u32(const uint8_t in[4])
{
    uint32_t value = 0;
    for (int i = 0; i < 4; i++)
        value = value << 8 | in[i];
    return value;
}

/* ---------------------------------------------------------------------------
   Envelopes
   ------------------------------------------------------------------------ */

/* Printable ASCII without spaces: safe in logs, metric labels, Redis keys and file formats alike. */
bool
pacta_bus_token_valid(const char *text, size_t len, size_t max)
{
    if (!text || len == 0 || len > max)
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char) text[i];
        if (c <= 0x20 || c >= 0x7f)
            return false;
    }
    return true;
}

/* Writes one failure into the caller's buffers and returns -1. */
static int
s_refuse(Pacta__V1__NackReason *reason, Pacta__V1__NackReason why, char *field, size_t field_size,
         const char *field_name, char *detail, size_t detail_size, const char *sentence)
{
    *reason = why;
    snprintf(field, field_size, "%s", field_name);
    snprintf(detail, detail_size, "%s", sentence);
    return -1;
}

/* An optional token: empty, or valid. */
static bool
s_optional_token(const char *text, size_t max)
{
    return !text || !*text || pacta_bus_token_valid(text, strlen(text), max);
}

/* The checks the bus makes before routing, in one place so producers (pactactl) can make them
   before sending. */
int
pacta_bus_envelope_check(const Pacta__V1__Envelope *envelope, Pacta__V1__NackReason *reason, char *detail,
                         size_t detail_size, char *field, size_t field_size)
{
    assert(envelope && reason && detail && field);
    const Pacta__V1__NackReason invalid = PACTA__V1__NACK_REASON__NACK_REASON_INVALID;
    const char *id = envelope->message_id;
    if (!pacta_bus_token_valid(id, id ? strlen(id) : 0, PACTA_BUS_ID_MAX))
        return s_refuse(reason, invalid, field, field_size, "envelope.message_id", detail, detail_size,
                        "message_id must be 1 to 64 printable ASCII characters without spaces");
    if (!pacta_bus_token_valid(envelope->tenant, envelope->tenant ? strlen(envelope->tenant) : 0,
                               PACTA_BUS_NAME_MAX))
        return s_refuse(reason, invalid, field, field_size, "envelope.tenant", detail, detail_size,
                        "tenant must be 1 to 64 printable ASCII characters without spaces");
    if (!pacta_bus_token_valid(envelope->message_type,
                               envelope->message_type ? strlen(envelope->message_type) : 0, PACTA_BUS_TYPE_MAX))
        return s_refuse(reason, invalid, field, field_size, "envelope.message_type", detail, detail_size,
                        "message_type must name the payload type, e.g. pacta.v1.InvoiceIssued");
    if (!pacta_bus_token_valid(envelope->entity_key, envelope->entity_key ? strlen(envelope->entity_key) : 0,
                               PACTA_BUS_ENTITY_KEY_MAX))
        return s_refuse(reason, invalid, field, field_size, "envelope.entity_key", detail, detail_size,
                        "entity_key must be 1 to 256 printable ASCII characters without spaces");
    if (!s_optional_token(envelope->destination, PACTA_BUS_NAME_MAX))
        return s_refuse(reason, invalid, field, field_size, "envelope.destination", detail, detail_size,
                        "destination must be empty or a service class name of at most 64 characters");
    if (envelope->kind == PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_UNSPECIFIED
        || envelope->kind == PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_REPLY
        || (int) envelope->kind < 0 || (int) envelope->kind > PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_REPLY)
        return s_refuse(reason, invalid, field, field_size, "envelope.kind", detail, detail_size,
                        "kind must be EVENT, COMMAND or DECISION");
    if (envelope->schema_version != 1)
        return s_refuse(reason, PACTA__V1__NACK_REASON__NACK_REASON_UNSUPPORTED_VERSION, field, field_size,
                        "envelope.schema_version", detail, detail_size, "only schema_version 1 is spoken");
    return 0;
}

/* get_packed_size before pack, into an exact buffer. */
uint8_t *
pacta_bus_envelope_pack(const Pacta__V1__Envelope *envelope, size_t *len_out)
{
    assert(envelope && len_out);
    size_t len = pacta__v1__envelope__get_packed_size(envelope);
    uint8_t *buf = malloc(len > 0 ? len : 1);
    if (!buf)
        return NULL;
    size_t packed = pacta__v1__envelope__pack(envelope, buf);
    assert(packed == len);
    *len_out = packed;
    return buf;
}

/* ---------------------------------------------------------------------------
   Replies
   ------------------------------------------------------------------------ */

/* protobuf-c wants char * for strings it will not modify. */
static char *
s_str(const char *text)
{
    return (char *) (text ? text : "");
}

/* Builds the reply envelope around a packed Ack or Nack; the answered envelope's routing fields
   are copied so producers can match replies. */
uint8_t *
pacta_bus_reply_pack(const pacta_bus_reply_t *reply, const Pacta__V1__Envelope *answered, size_t *len_out)
{
    assert(reply && len_out);
    uint8_t *payload = NULL;
    size_t payload_len = 0;
    Pacta__V1__Envelope envelope = PACTA__V1__ENVELOPE__INIT;
    if (reply->ack) {
        Pacta__V1__Ack ack = PACTA__V1__ACK__INIT;
        ack.message_id = s_str(reply->message_id);
        ack.duplicate = reply->duplicate;
        ack.handled_by = s_str(reply->handled_by);
        ack.entity_version = reply->entity_version;
        payload_len = pacta__v1__ack__get_packed_size(&ack);
        payload = malloc(payload_len > 0 ? payload_len : 1);
        if (!payload)
            return NULL;
        pacta__v1__ack__pack(&ack, payload);
        envelope.message_type = (char *) ACK_TYPE;
    }
    else {
        Pacta__V1__Nack nack = PACTA__V1__NACK__INIT;
        nack.message_id = s_str(reply->message_id);
        nack.reason = reply->reason;
        nack.detail = s_str(reply->detail);
        nack.field = s_str(reply->field);
        nack.retryable = reply->retryable;
        nack.retry_after_ms = reply->retry_after_ms;
        nack.handled_by = s_str(reply->handled_by);
        payload_len = pacta__v1__nack__get_packed_size(&nack);
        payload = malloc(payload_len > 0 ? payload_len : 1);
        if (!payload)
            return NULL;
        pacta__v1__nack__pack(&nack, payload);
        envelope.message_type = (char *) NACK_TYPE;
    }
    envelope.kind = PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_REPLY;
    envelope.schema_version = 1;
    envelope.causation_id = s_str(reply->message_id);
    envelope.producer = s_str(reply->handled_by);
    envelope.payload.data = payload;
    envelope.payload.len = payload_len;
    if (answered) {
        envelope.tenant = s_str(answered->tenant);
        envelope.entity_key = s_str(answered->entity_key);
        envelope.destination = s_str(answered->destination);
        envelope.correlation_id = s_str(answered->correlation_id);
    }
    else {
        envelope.tenant = s_str(reply->tenant);
        envelope.entity_key = s_str(reply->entity_key);
        envelope.destination = s_str(reply->destination);
    }
    uint8_t *packed = pacta_bus_envelope_pack(&envelope, len_out);
    free(payload);
    return packed;
}

/* Bounded copy of a protobuf string. */
static void
s_copy(char *out, size_t size, const char *text)
{
    snprintf(out, size, "%s", text ? text : "");
}

/* Decodes a reply envelope and its payload, copies what matters and frees both before returning. */
int
pacta_bus_reply_parse(const void *data, size_t len, pacta_bus_reply_t *reply)
{
    assert(reply);
    memset(reply, 0, sizeof *reply);
    if (!data || len == 0)
        return -1;
    int rc = -1;
    Pacta__V1__Envelope *envelope = pacta__v1__envelope__unpack(NULL, len, data);
    Pacta__V1__Ack *ack = NULL;
    Pacta__V1__Nack *nack = NULL;
    if (!envelope || envelope->kind != PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_REPLY)
        goto cleanup;
    s_copy(reply->tenant, sizeof reply->tenant, envelope->tenant);
    s_copy(reply->entity_key, sizeof reply->entity_key, envelope->entity_key);
    s_copy(reply->destination, sizeof reply->destination, envelope->destination);
    if (strcmp(envelope->message_type, ACK_TYPE) == 0) {
        ack = pacta__v1__ack__unpack(NULL, envelope->payload.len, envelope->payload.data);
        if (!ack)
            goto cleanup;
        reply->ack = true;
        s_copy(reply->message_id, sizeof reply->message_id, ack->message_id);
        reply->duplicate = ack->duplicate;
        reply->entity_version = ack->entity_version;
        s_copy(reply->handled_by, sizeof reply->handled_by, ack->handled_by);
    }
    else if (strcmp(envelope->message_type, NACK_TYPE) == 0) {
        nack = pacta__v1__nack__unpack(NULL, envelope->payload.len, envelope->payload.data);
        if (!nack)
            goto cleanup;
        reply->ack = false;
        s_copy(reply->message_id, sizeof reply->message_id, nack->message_id);
        reply->reason = nack->reason;
        reply->retryable = nack->retryable;
        reply->retry_after_ms = nack->retry_after_ms;
        s_copy(reply->handled_by, sizeof reply->handled_by, nack->handled_by);
        s_copy(reply->detail, sizeof reply->detail, nack->detail);
        s_copy(reply->field, sizeof reply->field, nack->field);
    }
    else
        goto cleanup;
    rc = 0;

cleanup:
    if (ack)
        pacta__v1__ack__free_unpacked(ack, NULL);
    if (nack)
        pacta__v1__nack__free_unpacked(nack, NULL);
    if (envelope)
        pacta__v1__envelope__free_unpacked(envelope, NULL);
    return rc;
}

/* Fills a NACK, deriving 'retryable' from the reason so the two never disagree. */
void
pacta_bus_reply_set_nack(pacta_bus_reply_t *reply, Pacta__V1__NackReason reason, const char *field,
                         const char *detail_fmt, ...)
{
    assert(reply && detail_fmt);
    reply->ack = false;
    reply->duplicate = false;
    reply->reason = reason;
    reply->retryable = pacta_bus_nack_reason_retryable(reason);
    snprintf(reply->field, sizeof reply->field, "%s", field ? field : "");
    va_list args;
    va_start(args, detail_fmt);
    vsnprintf(reply->detail, sizeof reply->detail, detail_fmt, args);
    va_end(args);
}

/* Short names for logs and metric labels. */
const char *
pacta_bus_nack_reason_name(Pacta__V1__NackReason reason)
{
    switch (reason) {
        case PACTA__V1__NACK_REASON__NACK_REASON_INVALID: return "INVALID";
        case PACTA__V1__NACK_REASON__NACK_REASON_UNAUTHORISED: return "UNAUTHORISED";
        case PACTA__V1__NACK_REASON__NACK_REASON_UNKNOWN_TYPE: return "UNKNOWN_TYPE";
        case PACTA__V1__NACK_REASON__NACK_REASON_TOO_LARGE: return "TOO_LARGE";
        case PACTA__V1__NACK_REASON__NACK_REASON_UNKNOWN_ENTITY: return "UNKNOWN_ENTITY";
        case PACTA__V1__NACK_REASON__NACK_REASON_WRONG_TENANT: return "WRONG_TENANT";
        case PACTA__V1__NACK_REASON__NACK_REASON_CONFLICT: return "CONFLICT";
        case PACTA__V1__NACK_REASON__NACK_REASON_RETRY_LATER: return "RETRY_LATER";
        case PACTA__V1__NACK_REASON__NACK_REASON_NO_CAPACITY: return "NO_CAPACITY";
        case PACTA__V1__NACK_REASON__NACK_REASON_QUEUE_FULL: return "QUEUE_FULL";
        case PACTA__V1__NACK_REASON__NACK_REASON_INTERNAL: return "INTERNAL";
        case PACTA__V1__NACK_REASON__NACK_REASON_UNKNOWN_TENANT: return "UNKNOWN_TENANT";
        case PACTA__V1__NACK_REASON__NACK_REASON_UNSUPPORTED_VERSION: return "UNSUPPORTED_VERSION";
        default: break;
    }
    return "UNSPECIFIED";
}

/* The retry column of docs/messages.md, in code. */
bool
pacta_bus_nack_reason_retryable(Pacta__V1__NackReason reason)
{
    return reason == PACTA__V1__NACK_REASON__NACK_REASON_RETRY_LATER
           || reason == PACTA__V1__NACK_REASON__NACK_REASON_NO_CAPACITY
           || reason == PACTA__V1__NACK_REASON__NACK_REASON_QUEUE_FULL;
}

/* ---------------------------------------------------------------------------
   CURVE keys
   ------------------------------------------------------------------------ */

/* Z85 alphabet and length, so a typo in a key is caught before ZeroMQ sees it. */
bool
pacta_bus_key_valid(const char *text)
{
    static const char alphabet[] =
        "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";
    if (!text)
        return false;
    size_t len = strnlen(text, PACTA_BUS_KEY_Z85_LEN + 1);
    if (len != PACTA_BUS_KEY_Z85_LEN)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!memchr(alphabet, text[i], sizeof alphabet - 1))
            return false;
    return true;
}

/* Key files may carry comments; the first other line is the key. */
int
pacta_bus_key_from_text(const char *text, size_t len, char out[PACTA_BUS_KEY_Z85_LEN + 1], char *err,
                        size_t err_size)
{
    assert(text || len == 0);
    const char *line = text;
    const char *end = text + len;
    while (line < end) {
        const char *newline = memchr(line, '\n', (size_t) (end - line));
        size_t line_len = newline ? (size_t) (newline - line) : (size_t) (end - line);
        size_t start = 0;
        while (start < line_len && (line[start] == ' ' || line[start] == '\t'))
            start++;
        size_t stop = line_len;
        while (stop > start && (line[stop - 1] == ' ' || line[stop - 1] == '\t' || line[stop - 1] == '\r'))
            stop--;
        //  '#' is a Z85 character too: a line that is exactly one valid key
        //  is the key even when it starts with '#'; other '#' lines are
        //  comments.
        bool is_key = false;
        if (stop - start == PACTA_BUS_KEY_Z85_LEN) {
            char probe[PACTA_BUS_KEY_Z85_LEN + 1];
            memcpy(probe, line + start, PACTA_BUS_KEY_Z85_LEN);
            probe[PACTA_BUS_KEY_Z85_LEN] = '\0';
            is_key = pacta_bus_key_valid(probe);
        }
        if (stop > start && (is_key || line[start] != '#')) {
            char candidate[PACTA_BUS_KEY_Z85_LEN + 1];
            if (stop - start != PACTA_BUS_KEY_Z85_LEN) {
                snprintf(err, err_size, "expected a 40-character Z85 key");
                return -1;
            }
            memcpy(candidate, line + start, PACTA_BUS_KEY_Z85_LEN);
            candidate[PACTA_BUS_KEY_Z85_LEN] = '\0';
            if (!pacta_bus_key_valid(candidate)) {
                snprintf(err, err_size, "not a Z85 key");
                return -1;
            }
            memcpy(out, candidate, sizeof candidate);
            return 0;
        }
        if (!newline)
            break;
        line = newline + 1;
    }
    snprintf(err, err_size, "no key found");
    return -1;
}

/* Reads a size-capped key file. */
int
pacta_bus_key_read_file(const char *path, char out[PACTA_BUS_KEY_Z85_LEN + 1], char *err, size_t err_size)
{
    assert(path && out);
    int rc = -1;
    char *text = NULL;
    char why[128] = "";
    FILE *file = fopen(path, "rb");
    if (!file) {
        snprintf(err, err_size, "%s: %s", path, strerror(errno));
        goto cleanup;
    }
    text = malloc(KEY_FILE_MAX + 1);
    if (!text) {
        snprintf(err, err_size, "%s: out of memory", path);
        goto cleanup;
    }
    size_t len = fread(text, 1, KEY_FILE_MAX + 1, file);
    if (ferror(file) || len > KEY_FILE_MAX) {
        snprintf(err, err_size, "%s: unreadable or larger than %d bytes", path, KEY_FILE_MAX);
        goto cleanup;
    }
    rc = pacta_bus_key_from_text(text, len, out, why, sizeof why);
    if (rc != 0)
        snprintf(err, err_size, "%s: %s", path, why);

cleanup:
    free(text);
    if (file)
        fclose(file);
    return rc;
}

/* Options accept a key or a file holding it. */
int
pacta_bus_key_resolve(const char *text, char out[PACTA_BUS_KEY_Z85_LEN + 1], char *err, size_t err_size)
{
    if (!text || !*text) {
        snprintf(err, err_size, "no key given");
        return -1;
    }
    if (pacta_bus_key_valid(text)) {
        memcpy(out, text, PACTA_BUS_KEY_Z85_LEN + 1);
        return 0;
    }
    return pacta_bus_key_read_file(text, out, err, err_size);
}

/* Configures a client socket for CURVE, deriving the public key from the secret so only one secret
   is configured. */
int
pacta_bus_curve_client(void *socket, const char *server_public, const char *client_secret, char *err,
                       size_t err_size)
{
    assert(socket);
    char client_public[PACTA_BUS_KEY_Z85_LEN + 1];
    if (!pacta_bus_key_valid(server_public)) {
        snprintf(err, err_size, "the bus public key is not a 40-character Z85 key");
        return -1;
    }
    if (!pacta_bus_key_valid(client_secret)) {
        snprintf(err, err_size, "the client secret key is not a 40-character Z85 key");
        return -1;
    }
    if (zmq_curve_public(client_public, client_secret) != 0) {
        snprintf(err, err_size, "cannot derive the client public key: %s", zmq_strerror(errno));
        return -1;
    }
    if (zmq_setsockopt(socket, ZMQ_CURVE_SERVERKEY, server_public, PACTA_BUS_KEY_Z85_LEN) != 0
        || zmq_setsockopt(socket, ZMQ_CURVE_PUBLICKEY, client_public, PACTA_BUS_KEY_Z85_LEN) != 0
        || zmq_setsockopt(socket, ZMQ_CURVE_SECRETKEY, client_secret, PACTA_BUS_KEY_Z85_LEN) != 0) {
        snprintf(err, err_size, "CURVE setup failed: %s", zmq_strerror(errno));
        return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------------------
   Hashing
   ------------------------------------------------------------------------ */

/* Finaliser so that nearby inputs (c:1, c:2) land far apart. */
uint64_t
pacta_bus_mix64(uint64_t x)
{
    /* MurmurHash3's fmix64: every input bit affects every output bit. */
    x ^= x >> 33;
    x *= UINT64_C(0xff51afd7ed558ccd);
    x ^= x >> 33;
    x *= UINT64_C(0xc4ceb9fe1a85ec53);
    x ^= x >> 33;
    return x;
}

/* FNV-1a over the bytes, chained through seed, then mixed. */
uint64_t
pacta_bus_hash(const void *data, size_t len, uint64_t seed)
{
    const uint8_t *bytes = data;
    uint64_t h = seed;
    for (size_t i = 0; i < len; i++) {
        h ^= bytes[i];
        h *= UINT64_C(0x100000001b3);
    }
    return pacta_bus_mix64(h);
}
