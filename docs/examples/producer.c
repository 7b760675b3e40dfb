/*  =========================================================================
    producer.c - a complete, minimal outside system sending one event to the
    Pacta bus (see docs/protocol.md)

    It needs only libzmq and the protobuf-c code generated from
    proto/pacta/v1 -- not Pacta's own libraries -- which is what another
    company's system would have. It sends pacta.v1.FirstUseRecorded ("the
    client used the service for the first time on DATE") and waits for the
    ACK or NACK, resending the SAME message id when no answer comes: the bus
    and the consumers deduplicate, so resending is always safe, and not
    resending could lose the event.

      producer [--destination CLASS] ENDPOINT TENANT CONTRACT_ID YYYY-MM-DD [MESSAGE_ID]

    With CURVE on the bus, set PACTA_BUS_PUBLIC_KEY (the bus's public key)
    and PACTA_BUS_CLIENT_SECRET_KEY (this client's secret key), both Z85.
    Exit code: 0 ACK, 1 NACK, 2 usage, 3 no answer.
    Built by CMake as pacta-example-producer so it cannot rot.
    =========================================================================
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "pacta/v1/ack.pb-c.h"
#include "pacta/v1/contracts.pb-c.h"
#include "pacta/v1/envelope.pb-c.h"

#define TIMEOUT_MS 2000     /* wait for an answer this long ... */
#define ATTEMPTS 5          /* ... this many times, resending the same id */

static int
usage(void)
{
    fprintf(stderr, "usage: producer [--destination CLASS] ENDPOINT TENANT CONTRACT_ID YYYY-MM-DD [MESSAGE_ID]\n");
    return 2;
}

int
main(int argc, char **argv)
{
    const char *destination = "";
    int arg = 1;
    if (arg + 1 < argc && strcmp(argv[arg], "--destination") == 0) {
        destination = argv[arg + 1];
        arg += 2;
    }
    if (argc - arg < 4 || argc - arg > 5)
        return usage();
    const char *endpoint = argv[arg], *tenant = argv[arg + 1], *contract = argv[arg + 2], *date = argv[arg + 3];
    int year, month, day;
    char extra;
    if (sscanf(date, "%4d-%2d-%2d%c", &year, &month, &day, &extra) != 3)
        return usage();

    /* 1. The payload: the event itself. */
    Pacta__V1__Date used_on = PACTA__V1__DATE__INIT;
    used_on.year = year;
    used_on.month = month;
    used_on.day = day;
    Pacta__V1__FirstUseRecorded event = PACTA__V1__FIRST_USE_RECORDED__INIT;
    event.contract_id = (char *) contract;
    event.used_on = &used_on;
    size_t payload_len = pacta__v1__first_use_recorded__get_packed_size(&event);
    uint8_t *payload = malloc(payload_len + 1);
    if (!payload)
        return 3;
    pacta__v1__first_use_recorded__pack(&event, payload);

    /* 2. The envelope: what the bus routes on. The message id must be unique
       per event and stable across resends (use your own event id). */
    char message_id[65];
    if (argc - arg == 5)
        snprintf(message_id, sizeof message_id, "%s", argv[arg + 4]);
    else
        snprintf(message_id, sizeof message_id, "crm-first-use-%s-%s", contract, date);
    char entity_key[300];
    snprintf(entity_key, sizeof entity_key, "c:%s", contract);
    Pacta__V1__Envelope envelope = PACTA__V1__ENVELOPE__INIT;
    envelope.message_id = message_id;
    envelope.tenant = (char *) tenant;
    envelope.message_type = (char *) "pacta.v1.FirstUseRecorded";
    envelope.entity_key = entity_key;
    envelope.occurred_at_ms = (int64_t) time(NULL) * 1000;
    envelope.producer = (char *) "example-crm";
    envelope.schema_version = 1;
    envelope.kind = PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_EVENT;
    envelope.destination = (char *) destination;
    envelope.payload.data = payload;
    envelope.payload.len = payload_len;
    size_t frame_len = pacta__v1__envelope__get_packed_size(&envelope);
    uint8_t *frame = malloc(frame_len + 1);
    if (!frame)
        return 3;
    pacta__v1__envelope__pack(&envelope, frame);

    /* 3. A DEALER socket connected to the bus frontend (CURVE if asked). */
    void *context = zmq_ctx_new();
    void *socket = zmq_socket(context, ZMQ_DEALER);
    int linger = 0;
    zmq_setsockopt(socket, ZMQ_LINGER, &linger, sizeof linger);
    const char *server_key = getenv("PACTA_BUS_PUBLIC_KEY");
    const char *secret_key = getenv("PACTA_BUS_CLIENT_SECRET_KEY");
    if (server_key && *server_key) {
        char public_key[41];
        if (!secret_key || zmq_curve_public(public_key, secret_key) != 0) {
            fprintf(stderr, "PACTA_BUS_CLIENT_SECRET_KEY must be a Z85 secret key\n");
            return 2;
        }
        zmq_setsockopt(socket, ZMQ_CURVE_SERVERKEY, server_key, 40);
        zmq_setsockopt(socket, ZMQ_CURVE_PUBLICKEY, public_key, 40);
        zmq_setsockopt(socket, ZMQ_CURVE_SECRETKEY, secret_key, 40);
    }
    if (zmq_connect(socket, endpoint) != 0) {
        fprintf(stderr, "cannot connect to %s: %s\n", endpoint, zmq_strerror(zmq_errno()));
        return 2;
    }

    /* 4. SEND = ["PACTA1", 0x01, envelope]; wait for REPLY = ["PACTA1", 0x02,
       reply envelope]; resend the same bytes on timeout. */
    int exit_code = 3;
    const unsigned char send_command = 0x01;
    for (int attempt = 1; attempt <= ATTEMPTS && exit_code == 3; attempt++) {
        zmq_send(socket, "PACTA1", 6, ZMQ_SNDMORE);
        zmq_send(socket, &send_command, 1, ZMQ_SNDMORE);
        zmq_send(socket, frame, frame_len, 0);
        zmq_pollitem_t item = {.socket = socket, .events = ZMQ_POLLIN};
        while (exit_code == 3 && zmq_poll(&item, 1, TIMEOUT_MS) == 1) {
            zmq_msg_t parts[3];
            int count = 0;
            int more = 1;
            while (more) {
                zmq_msg_t part;
                zmq_msg_init(&part);
                zmq_msg_recv(&part, socket, 0);
                more = zmq_msg_more(&part);
                if (count < 3)
                    parts[count++] = part;
                else
                    zmq_msg_close(&part);
            }
            if (count == 3 && zmq_msg_size(&parts[1]) == 1 && *(unsigned char *) zmq_msg_data(&parts[1]) == 0x02) {
                Pacta__V1__Envelope *reply =
                    pacta__v1__envelope__unpack(NULL, zmq_msg_size(&parts[2]), zmq_msg_data(&parts[2]));
                if (reply && strcmp(reply->causation_id, message_id) == 0) {
                    if (strcmp(reply->message_type, "pacta.v1.Ack") == 0) {
                        Pacta__V1__Ack *ack = pacta__v1__ack__unpack(NULL, reply->payload.len, reply->payload.data);
                        printf("ACK %s%s (handled by %s)\n", message_id, ack && ack->duplicate ? " duplicate" : "",
                               ack ? ack->handled_by : "?");
                        if (ack)
                            pacta__v1__ack__free_unpacked(ack, NULL);
                        exit_code = 0;
                    }
                    else {
                        Pacta__V1__Nack *nack = pacta__v1__nack__unpack(NULL, reply->payload.len, reply->payload.data);
                        const ProtobufCEnumValue *reason =
                            nack ? protobuf_c_enum_descriptor_get_value(&pacta__v1__nack_reason__descriptor,
                                                                        (int) nack->reason)
                                 : NULL;
                        printf("NACK %s %s%s: %s\n", message_id, reason ? reason->name : "?",
                               nack && nack->retryable ? " (retryable)" : "", nack ? nack->detail : "");
                        if (nack)
                            pacta__v1__nack__free_unpacked(nack, NULL);
                        exit_code = 1;
                    }
                }
                if (reply)
                    pacta__v1__envelope__free_unpacked(reply, NULL);
            }
            for (int i = 0; i < count; i++)
                zmq_msg_close(&parts[i]);
        }
        if (exit_code == 3)
            fprintf(stderr, "no answer after %d ms (attempt %d of %d), resending %s\n", TIMEOUT_MS, attempt, ATTEMPTS,
                    message_id);
    }
    zmq_close(socket);
    zmq_ctx_term(context);
    free(frame);
    free(payload);
    return exit_code;
}
