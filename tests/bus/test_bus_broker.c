/*  =========================================================================
    test_bus_broker - the broker's protocol semantics, in process

    The broker runs in a thread of the test with real ZeroMQ sockets on
    ephemeral loopback ports; the test plays producers and instances, with
    the real client modules or with raw sockets when it must misbehave
    (garbage frames, an instance that dies holding a message). No Redis.
    Timing only ever bounds a wait for something that must happen; nothing
    asserts on speed.
    =========================================================================
*/
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "bus_allow.h"
#include "bus_broker.h"
#include "bus_harness.h"
#include "bus_routes.h"
#include "pacta_bus_producer.h"
#include "pacta_bus_worker.h"

#define TYPE "pacta.test.Counter"
#define WAIT_MS 5000                   /* longest wait for something that must happen */

/* A broker running in its own thread. */
typedef struct {
    bus_routes_t *routes;              /* owned */
    bus_allow_t *allow;                /* owned, may be NULL */
    bus_broker_t *broker;              /* owned */
    pthread_t thread;                  /* runs the loop */
    atomic_bool stop;                  /* asks the loop to end */
    bool running;                      /* thread started */
} test_bus_t;

static test_bus_t s_bus;

static void *
s_loop(void *arg)
{
    test_bus_t *bus = arg;
    while (!atomic_load(&bus->stop))
        bus_broker_run_once(bus->broker, 10);
    return NULL;
}

/* Starts a broker with routes text and options overrides. */
static void
s_start(const char *routes_text, bus_broker_options_t *options)
{
    char err[512] = "";
    s_bus.routes = bus_routes_new();
    cr_assert_not_null(s_bus.routes);
    cr_assert_eq(bus_routes_parse(s_bus.routes, routes_text, strlen(routes_text), "test", err, sizeof err), 0, "%s",
                 err);
    bus_broker_options_t defaults = {.heartbeat_ms = 1000};
    bus_broker_options_t *o = options ? options : &defaults;
    o->routes = s_bus.routes;
    if (!o->frontend)
        o->frontend = "tcp://127.0.0.1:*";
    if (!o->backend)
        o->backend = "tcp://127.0.0.1:*";
    o->allow = s_bus.allow;
    s_bus.broker = bus_broker_new(o, err, sizeof err);
    cr_assert_not_null(s_bus.broker, "%s", err);
    atomic_store(&s_bus.stop, false);
    cr_assert_eq(pthread_create(&s_bus.thread, NULL, s_loop, &s_bus), 0);
    s_bus.running = true;
}

/* Stops the loop (so the broker can be inspected or destroyed). */
static void
s_halt(void)
{
    if (!s_bus.running)
        return;
    atomic_store(&s_bus.stop, true);
    pthread_join(s_bus.thread, NULL);
    s_bus.running = false;
}

static void
s_teardown(void)
{
    s_halt();
    bus_broker_destroy(&s_bus.broker);
    bus_routes_destroy(&s_bus.routes);
    bus_allow_destroy(&s_bus.allow);
}

TestSuite(broker, .fini = s_teardown, .timeout = 60);

static pacta_bus_producer_t *
s_producer(void)
{
    char err[256];
    pacta_bus_producer_options_t options = {.endpoint = bus_broker_frontend_endpoint(s_bus.broker)};
    pacta_bus_producer_t *producer = pacta_bus_producer_new(&options, err, sizeof err);
    cr_assert_not_null(producer, "%s", err);
    return producer;
}

static pacta_bus_worker_t *
s_worker(const char *service_class, const char *instance_id, int64_t heartbeat_ms)
{
    static const char *const types[] = {TYPE, "pacta.test.Other", NULL};
    char err[256];
    pacta_bus_worker_options_t options = {.endpoint = bus_broker_backend_endpoint(s_bus.broker),
                                          .service_class = service_class,
                                          .instance_id = instance_id,
                                          .consumes = types,
                                          .credit = 16,
                                          .heartbeat_ms = heartbeat_ms};
    pacta_bus_worker_t *worker = pacta_bus_worker_new(&options, err, sizeof err);
    cr_assert_not_null(worker, "%s", err);
    return worker;
}

/* Waits for one delivery at worker (fails the test after WAIT_MS). */
static pacta_bus_delivery_t *
s_expect_delivery(pacta_bus_worker_t *worker)
{
    pacta_bus_delivery_t *delivery = NULL;
    int64_t deadline = bh_now_ms() + WAIT_MS;
    while (!delivery && bh_now_ms() < deadline)
        pacta_bus_worker_recv(worker, 50, &delivery);
    cr_assert_not_null(delivery, "no delivery arrived");
    return delivery;
}

static void
s_expect_reply(pacta_bus_producer_t *producer, pacta_bus_reply_t *reply)
{
    cr_assert_eq(pacta_bus_producer_recv(producer, WAIT_MS, reply), 0, "no reply arrived");
}

static void
s_send(pacta_bus_producer_t *producer, const char *tenant, const char *type, const char *key, const char *id)
{
    Pacta__V1__Envelope *envelope = bh_envelope(tenant, type, key, id, 32);
    cr_assert_eq(pacta_bus_producer_send(producer, envelope), 0);
    bh_envelope_free(envelope);
}

/* Waits until the registered-instance count reaches n (the loop is
   paused briefly to read the stats without a race). */
static void
s_wait_instances(size_t n)
{
    int64_t deadline = bh_now_ms() + WAIT_MS;
    for (;;) {
        s_halt();
        bus_broker_stats_t stats;
        bus_broker_stats(s_bus.broker, &stats);
        atomic_store(&s_bus.stop, false);
        cr_assert_eq(pthread_create(&s_bus.thread, NULL, s_loop, &s_bus), 0);
        s_bus.running = true;
        if (stats.live_instances == n)
            return;
        cr_assert_lt(bh_now_ms(), deadline, "expected %zu live instances, have %zu", n, stats.live_instances);
        bh_sleep_ms(20);
    }
}

/* ---------------------------------------------------------------------------
   Acknowledgement
   ------------------------------------------------------------------------ */

Test(broker, ack_travels_back_to_the_producer)
{
    s_start("counter " TYPE "\n", NULL);
    pacta_bus_worker_t *worker = s_worker("counter", "counter-1", 1000);
    pacta_bus_producer_t *producer = s_producer();
    s_send(producer, "acme", TYPE, "c:1", "m-1");
    pacta_bus_delivery_t *delivery = s_expect_delivery(worker);
    const Pacta__V1__Envelope *env = pacta_bus_delivery_envelope(delivery);
    cr_assert_str_eq(env->message_id, "m-1");
    cr_assert_str_eq(env->entity_key, "c:1");
    cr_assert_eq(env->payload.len, 32, "the payload travels untouched");
    cr_assert_eq(pacta_bus_delivery_attempt(delivery), 1);
    pacta_bus_reply_t reply;
    cr_assert_eq(pacta_bus_producer_recv(producer, 200, &reply), 1, "no ACK before the instance answered");
    cr_assert_eq(pacta_bus_worker_ack(worker, &delivery, false, 7), 0);
    cr_assert_null(delivery);
    s_expect_reply(producer, &reply);
    cr_assert(reply.ack);
    cr_assert_str_eq(reply.message_id, "m-1");
    cr_assert_str_eq(reply.handled_by, "counter-1");
    cr_assert_str_eq(reply.tenant, "acme");
    cr_assert_str_eq(reply.entity_key, "c:1");
    cr_assert_eq(reply.entity_version, 7);
    pacta_bus_producer_destroy(&producer);
    pacta_bus_worker_destroy(&worker);
}

Test(broker, instance_nack_reaches_the_producer_with_its_reason)
{
    s_start("counter " TYPE "\n", NULL);
    pacta_bus_worker_t *worker = s_worker("counter", "counter-1", 1000);
    pacta_bus_producer_t *producer = s_producer();
    s_send(producer, "acme", TYPE, "c:1", "m-2");
    pacta_bus_delivery_t *delivery = s_expect_delivery(worker);
    pacta_bus_worker_nack(worker, &delivery, PACTA__V1__NACK_REASON__NACK_REASON_UNKNOWN_ENTITY, "contract_id",
                          "contract C-9 does not exist", 0);
    pacta_bus_reply_t reply;
    s_expect_reply(producer, &reply);
    cr_assert_not(reply.ack);
    cr_assert_eq(reply.reason, PACTA__V1__NACK_REASON__NACK_REASON_UNKNOWN_ENTITY);
    cr_assert_not(reply.retryable);
    cr_assert_str_eq(reply.field, "contract_id");
    cr_assert_str_eq(reply.detail, "contract C-9 does not exist");
    pacta_bus_producer_destroy(&producer);
    pacta_bus_worker_destroy(&worker);
}

Test(broker, fan_out_acks_only_when_every_class_committed)
{
    s_start("alpha " TYPE "\nbeta " TYPE "\n", NULL);
    pacta_bus_worker_t *alpha = s_worker("alpha", "alpha-1", 1000);
    pacta_bus_worker_t *beta = s_worker("beta", "beta-1", 1000);
    pacta_bus_producer_t *producer = s_producer();
    pacta_bus_reply_t reply;

    s_send(producer, "acme", TYPE, "c:1", "fan-1");
    pacta_bus_delivery_t *a = s_expect_delivery(alpha);
    pacta_bus_delivery_t *b = s_expect_delivery(beta);
    pacta_bus_worker_ack(alpha, &a, false, 1);
    cr_assert_eq(pacta_bus_producer_recv(producer, 300, &reply), 1, "one class of two is not enough for an ACK");
    pacta_bus_worker_ack(beta, &b, true, 5);
    s_expect_reply(producer, &reply);
    cr_assert(reply.ack);
    cr_assert_not(reply.duplicate, "duplicate only when every class had it already");
    cr_assert_eq(reply.entity_version, 5);

    /* One class refuses retryably: the producer must retry, and the class
       that committed will see a duplicate then. */
    s_send(producer, "acme", TYPE, "c:1", "fan-2");
    a = s_expect_delivery(alpha);
    b = s_expect_delivery(beta);
    pacta_bus_worker_ack(alpha, &a, false, 1);
    pacta_bus_worker_nack(beta, &b, PACTA__V1__NACK_REASON__NACK_REASON_RETRY_LATER, NULL, "redis down", 500);
    s_expect_reply(producer, &reply);
    cr_assert_not(reply.ack);
    cr_assert(reply.retryable);
    cr_assert_eq(reply.retry_after_ms, 500);

    /* A message addressed to one class goes there only. */
    Pacta__V1__Envelope *envelope = bh_envelope("acme", TYPE, "c:1", "fan-3", 8);
    free(envelope->destination);
    envelope->destination = strdup("beta");
    pacta_bus_producer_send(producer, envelope);
    bh_envelope_free(envelope);
    b = s_expect_delivery(beta);
    pacta_bus_delivery_t *none = NULL;
    pacta_bus_worker_recv(alpha, 200, &none);
    cr_assert_null(none, "alpha is not the destination");
    pacta_bus_worker_ack(beta, &b, false, 0);
    s_expect_reply(producer, &reply);
    cr_assert(reply.ack);
    cr_assert_str_eq(reply.destination, "beta", "the reply names the copy it answers");
    pacta_bus_producer_destroy(&producer);
    pacta_bus_worker_destroy(&alpha);
    pacta_bus_worker_destroy(&beta);
}

Test(broker, resend_in_progress_is_delivered_once_and_answered_to_every_sender)
{
    s_start("counter " TYPE "\n", NULL);
    pacta_bus_worker_t *worker = s_worker("counter", "counter-1", 1000);
    pacta_bus_producer_t *first = s_producer();
    pacta_bus_producer_t *second = s_producer();
    s_send(first, "acme", TYPE, "c:1", "same-id");
    pacta_bus_delivery_t *delivery = s_expect_delivery(worker);
    s_send(first, "acme", TYPE, "c:1", "same-id");
    s_send(second, "acme", TYPE, "c:1", "same-id");
    pacta_bus_delivery_t *again = NULL;
    pacta_bus_worker_recv(worker, 300, &again);
    cr_assert_null(again, "a message in progress is not delivered again");
    pacta_bus_worker_ack(worker, &delivery, false, 0);
    pacta_bus_reply_t reply;
    s_expect_reply(first, &reply);
    cr_assert(reply.ack);
    s_expect_reply(second, &reply);
    cr_assert(reply.ack);
    cr_assert_eq(pacta_bus_producer_recv(first, 200, &reply), 1, "one answer per sender");
    pacta_bus_producer_destroy(&first);
    pacta_bus_producer_destroy(&second);
    pacta_bus_worker_destroy(&worker);
}

/* ---------------------------------------------------------------------------
   Refusals
   ------------------------------------------------------------------------ */

typedef struct {
    const char *what;                  /* case name */
    const char *message_id;            /* envelope fields */
    const char *tenant;
    const char *type;
    const char *entity_key;
    const char *destination;
    int kind;
    uint32_t schema_version;
    Pacta__V1__NackReason reason;      /* expected */
    const char *field;                 /* expected field */
} refusal_t;

Test(broker, bad_envelopes_are_refused_with_reason_and_field)
{
    s_start("counter " TYPE "\n", NULL);
    pacta_bus_producer_t *producer = s_producer();
    char long_id[80];
    memset(long_id, 'x', 65);
    long_id[65] = '\0';
    const Pacta__V1__NackReason invalid = PACTA__V1__NACK_REASON__NACK_REASON_INVALID;
    const refusal_t cases[] = {
        {"empty id", "", "acme", TYPE, "c:1", "", 1, 1, invalid, "envelope.message_id"},
        {"id too long", long_id, "acme", TYPE, "c:1", "", 1, 1, invalid, "envelope.message_id"},
        {"id with space", "a b", "acme", TYPE, "c:1", "", 1, 1, invalid, "envelope.message_id"},
        {"no tenant", "r-1", "", TYPE, "c:1", "", 1, 1, invalid, "envelope.tenant"},
        {"no type", "r-2", "acme", "", "c:1", "", 1, 1, invalid, "envelope.message_type"},
        {"no entity", "r-3", "acme", TYPE, "", "", 1, 1, invalid, "envelope.entity_key"},
        {"no kind", "r-4", "acme", TYPE, "c:1", "", 0, 1, invalid, "envelope.kind"},
        {"reply kind", "r-5", "acme", TYPE, "c:1", "", 4, 1, invalid, "envelope.kind"},
        {"schema 2", "r-6", "acme", TYPE, "c:1", "", 1, 2, PACTA__V1__NACK_REASON__NACK_REASON_UNSUPPORTED_VERSION,
         "envelope.schema_version"},
        {"unrouted type", "r-7", "acme", "pacta.v1.Nothing", "c:1", "", 1, 1,
         PACTA__V1__NACK_REASON__NACK_REASON_UNKNOWN_TYPE, "envelope.message_type"},
        {"unknown class", "r-8", "acme", TYPE, "c:1", "nobody", 1, 1, invalid, "envelope.destination"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const refusal_t *c = &cases[i];
        Pacta__V1__Envelope *envelope = bh_envelope(c->tenant, c->type, c->entity_key, c->message_id, 4);
        free(envelope->destination);
        envelope->destination = strdup(c->destination);
        envelope->kind = (Pacta__V1__MessageKind) c->kind;
        envelope->schema_version = c->schema_version;
        cr_assert_eq(pacta_bus_producer_send(producer, envelope), 0);
        bh_envelope_free(envelope);
        pacta_bus_reply_t reply;
        s_expect_reply(producer, &reply);
        cr_assert_not(reply.ack, "%s", c->what);
        cr_assert_eq(reply.reason, c->reason, "%s: reason %s", c->what, pacta_bus_nack_reason_name(reply.reason));
        cr_assert_str_eq(reply.field, c->field, "%s", c->what);
        cr_assert_not(reply.retryable, "%s", c->what);
        cr_assert_str_eq(reply.handled_by, "bus", "%s", c->what);
        cr_assert_gt(strlen(reply.detail), 10, "%s: a sentence says why", c->what);
    }
    pacta_bus_producer_destroy(&producer);
}

Test(broker, oversized_envelope_is_refused_as_too_large)
{
    bus_broker_options_t options = {.heartbeat_ms = 1000, .max_message_size = 4096};
    s_start("counter " TYPE "\n", &options);
    pacta_bus_worker_t *worker = s_worker("counter", "counter-1", 1000);
    pacta_bus_producer_t *producer = s_producer();
    Pacta__V1__Envelope *big = bh_envelope("acme", TYPE, "c:1", "big-1", 5000);
    cr_assert_eq(pacta_bus_producer_send(producer, big), 0);
    bh_envelope_free(big);
    pacta_bus_reply_t reply;
    s_expect_reply(producer, &reply);
    cr_assert_not(reply.ack);
    cr_assert_eq(reply.reason, PACTA__V1__NACK_REASON__NACK_REASON_TOO_LARGE);
    cr_assert_not(reply.retryable);
    /* Still serving. */
    s_send(producer, "acme", TYPE, "c:1", "small-1");
    pacta_bus_delivery_t *delivery = s_expect_delivery(worker);
    pacta_bus_worker_ack(worker, &delivery, false, 0);
    s_expect_reply(producer, &reply);
    cr_assert(reply.ack);
    pacta_bus_producer_destroy(&producer);
    pacta_bus_worker_destroy(&worker);
}

/* Sends raw parts on a socket. */
static void
s_raw(void *socket, size_t count, const void *const *parts, const size_t *lens)
{
    cr_assert_eq(pacta_bus_send_parts(socket, count, parts, lens, 0), 0);
}

/* Receives one reply on a raw DEALER and parses it. */
static void
s_raw_reply(void *socket, pacta_bus_reply_t *reply)
{
    zmq_pollitem_t item = {.socket = socket, .events = ZMQ_POLLIN};
    cr_assert_eq(zmq_poll(&item, 1, WAIT_MS), 1, "no reply to a raw frame");
    pacta_bus_frames_t frames;
    cr_assert_eq(pacta_bus_frames_recv(socket, &frames, 0), 0);
    uint8_t command = 0;
    cr_assert(pacta_bus_frames_header(&frames, 0, &command));
    cr_assert_eq(command, PACTA_BUS_CMD_REPLY);
    cr_assert_eq(pacta_bus_reply_parse(pacta_bus_frame_data(&frames, 2), pacta_bus_frame_size(&frames, 2), reply), 0);
    pacta_bus_frames_close(&frames);
}

Test(broker, garbage_on_both_sockets_never_stops_valid_traffic)
{
    s_start("counter " TYPE "\n", NULL);
    pacta_bus_worker_t *worker = s_worker("counter", "counter-1", 1000);
    void *context = zmq_ctx_new();
    void *front = zmq_socket(context, ZMQ_DEALER);
    void *back = zmq_socket(context, ZMQ_DEALER);
    int zero = 0;
    zmq_setsockopt(front, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(back, ZMQ_LINGER, &zero, sizeof zero);
    cr_assert_eq(zmq_connect(front, bus_broker_frontend_endpoint(s_bus.broker)), 0);
    cr_assert_eq(zmq_connect(back, bus_broker_backend_endpoint(s_bus.broker)), 0);
    pacta_bus_reply_t reply;
    uint8_t send = PACTA_BUS_CMD_SEND;

    /* Frontend: no signature, wrong command, too many frames, bytes that
       are not an envelope, a truncated envelope. Each gets NACK INVALID. */
    const void *junk[1] = {"hello"};
    size_t junk_len[1] = {5};
    s_raw(front, 1, junk, junk_len);
    s_raw_reply(front, &reply);
    cr_assert_eq(reply.reason, PACTA__V1__NACK_REASON__NACK_REASON_INVALID);

    uint8_t ready = PACTA_BUS_CMD_READY;
    const void *wrong[3] = {PACTA_BUS_SIGNATURE, &ready, "x"};
    size_t wrong_len[3] = {6, 1, 1};
    s_raw(front, 3, wrong, wrong_len);
    s_raw_reply(front, &reply);
    cr_assert_eq(reply.reason, PACTA__V1__NACK_REASON__NACK_REASON_INVALID);

    const void *many[20];
    size_t many_len[20];
    many[0] = PACTA_BUS_SIGNATURE;
    many_len[0] = 6;
    many[1] = &send;
    many_len[1] = 1;
    for (int i = 2; i < 20; i++) {
        many[i] = "frame";
        many_len[i] = 5;
    }
    s_raw(front, 20, many, many_len);
    s_raw_reply(front, &reply);
    cr_assert_eq(reply.reason, PACTA__V1__NACK_REASON__NACK_REASON_INVALID);

    uint8_t noise[64];
    for (size_t i = 0; i < sizeof noise; i++)
        noise[i] = (uint8_t) (i * 37 + 11);
    const void *garbage[3] = {PACTA_BUS_SIGNATURE, &send, noise};
    size_t garbage_len[3] = {6, 1, sizeof noise};
    s_raw(front, 3, garbage, garbage_len);
    s_raw_reply(front, &reply);
    cr_assert_eq(reply.reason, PACTA__V1__NACK_REASON__NACK_REASON_INVALID);

    Pacta__V1__Envelope *envelope = bh_envelope("acme", TYPE, "c:1", "trunc-1", 40);
    size_t packed_len = 0;
    uint8_t *packed = pacta_bus_envelope_pack(envelope, &packed_len);
    bh_envelope_free(envelope);
    const void *truncated[3] = {PACTA_BUS_SIGNATURE, &send, packed};
    size_t truncated_len[3] = {6, 1, packed_len - 7};
    s_raw(front, 3, truncated, truncated_len);
    s_raw_reply(front, &reply);
    cr_assert_eq(reply.reason, PACTA__V1__NACK_REASON__NACK_REASON_INVALID);
    free(packed);

    /* Backend: junk, a READY with a bad credit, a DONE for a tag nobody
       holds, a HEARTBEAT from a stranger (answered REREGISTER). */
    s_raw(back, 1, junk, junk_len);
    const void *bad_ready[7] = {PACTA_BUS_SIGNATURE, &ready, "counter", "rogue", "lots", TYPE, NULL};
    size_t bad_ready_len[7] = {6, 1, 7, 5, 4, strlen(TYPE), 0};
    s_raw(back, 6, bad_ready, bad_ready_len);
    uint8_t done = PACTA_BUS_CMD_DONE;
    uint8_t tag[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    const void *stale[4] = {PACTA_BUS_SIGNATURE, &done, tag, "reply"};
    size_t stale_len[4] = {6, 1, 8, 5};
    s_raw(back, 4, stale, stale_len);
    uint8_t heartbeat = PACTA_BUS_CMD_HEARTBEAT;
    const void *beat[2] = {PACTA_BUS_SIGNATURE, &heartbeat};
    size_t beat_len[2] = {6, 1};
    s_raw(back, 2, beat, beat_len);
    bool reregister = false, disconnect = false;
    int64_t deadline = bh_now_ms() + WAIT_MS;
    while ((!reregister || !disconnect) && bh_now_ms() < deadline) {
        zmq_pollitem_t item = {.socket = back, .events = ZMQ_POLLIN};
        if (zmq_poll(&item, 1, 100) != 1)
            continue;
        pacta_bus_frames_t frames;
        cr_assert_eq(pacta_bus_frames_recv(back, &frames, 0), 0);
        uint8_t command = 0;
        cr_assert(pacta_bus_frames_header(&frames, 0, &command));
        reregister = reregister || command == PACTA_BUS_CMD_REREGISTER;
        disconnect = disconnect || command == PACTA_BUS_CMD_DISCONNECT;
        pacta_bus_frames_close(&frames);
    }
    cr_assert(disconnect, "a bad READY is answered DISCONNECT with the reason");
    cr_assert(reregister, "a stranger's heartbeat is answered REREGISTER");

    /* And the bus still does its job. */
    pacta_bus_producer_t *producer = s_producer();
    s_send(producer, "acme", TYPE, "c:1", "after-garbage");
    pacta_bus_delivery_t *delivery = s_expect_delivery(worker);
    pacta_bus_worker_ack(worker, &delivery, false, 0);
    s_expect_reply(producer, &reply);
    cr_assert(reply.ack);
    pacta_bus_producer_destroy(&producer);
    pacta_bus_worker_destroy(&worker);
    zmq_close(front);
    zmq_close(back);
    zmq_ctx_term(context);

    s_halt();
    bus_broker_stats_t stats;
    bus_broker_stats(s_bus.broker, &stats);
    cr_assert_geq(stats.refused_frames, 8, "every bad frame is counted (%llu)",
                  (unsigned long long) stats.refused_frames);
}

/* ---------------------------------------------------------------------------
   Waiting and back-pressure
   ------------------------------------------------------------------------ */

Test(broker, message_for_a_class_without_instances_waits_then_is_delivered)
{
    s_start("counter " TYPE "\n", NULL);
    pacta_bus_producer_t *producer = s_producer();
    s_send(producer, "acme", TYPE, "c:1", "early-1");
    pacta_bus_reply_t reply;
    cr_assert_eq(pacta_bus_producer_recv(producer, 300, &reply), 1, "no instance yet: the message waits");
    pacta_bus_worker_t *worker = s_worker("counter", "late-1", 1000);
    pacta_bus_delivery_t *delivery = s_expect_delivery(worker);
    cr_assert_str_eq(pacta_bus_delivery_envelope(delivery)->message_id, "early-1");
    pacta_bus_worker_ack(worker, &delivery, false, 0);
    s_expect_reply(producer, &reply);
    cr_assert(reply.ack);
    pacta_bus_producer_destroy(&producer);
    pacta_bus_worker_destroy(&worker);
}

Test(broker, no_capacity_is_retryable_and_said_after_the_timeout)
{
    bus_broker_options_t options = {.heartbeat_ms = 1000, .no_capacity_timeout_ms = 300};
    s_start("counter " TYPE "\n", &options);
    pacta_bus_producer_t *producer = s_producer();
    s_send(producer, "acme", TYPE, "c:1", "nocap-1");
    pacta_bus_reply_t reply;
    s_expect_reply(producer, &reply);
    cr_assert_not(reply.ack);
    cr_assert_eq(reply.reason, PACTA__V1__NACK_REASON__NACK_REASON_NO_CAPACITY);
    cr_assert(reply.retryable);
    cr_assert_gt(reply.retry_after_ms, 0);
    pacta_bus_producer_destroy(&producer);
}

Test(broker, full_queue_and_full_bus_answer_queue_full)
{
    bus_broker_options_t options = {.heartbeat_ms = 1000, .queue_max = 2, .pending_max = 3};
    s_start("counter " TYPE "\nother pacta.test.Other\n", &options);
    pacta_bus_producer_t *producer = s_producer();
    pacta_bus_reply_t reply;
    s_send(producer, "acme", TYPE, "c:1", "q-1");
    s_send(producer, "acme", TYPE, "c:1", "q-2");
    s_send(producer, "acme", TYPE, "c:1", "q-3");
    s_expect_reply(producer, &reply);
    cr_assert_str_eq(reply.message_id, "q-3", "only the third is answered at once");
    cr_assert_eq(reply.reason, PACTA__V1__NACK_REASON__NACK_REASON_QUEUE_FULL);
    cr_assert(reply.retryable);
    s_send(producer, "acme", "pacta.test.Other", "c:1", "q-4");
    s_send(producer, "acme", "pacta.test.Other", "c:1", "q-5");
    s_expect_reply(producer, &reply);
    cr_assert_str_eq(reply.message_id, "q-5", "the bus-wide cap of 3 requests in progress");
    cr_assert_eq(reply.reason, PACTA__V1__NACK_REASON__NACK_REASON_QUEUE_FULL);
    pacta_bus_producer_destroy(&producer);
}

/* ---------------------------------------------------------------------------
   Instances that die
   ------------------------------------------------------------------------ */

/* A raw instance: registers, takes one delivery, and returns its socket
   (the caller makes it vanish). */
static void *
s_raw_instance(void *context, const char *instance_id)
{
    void *socket = zmq_socket(context, ZMQ_DEALER);
    int zero = 0;
    zmq_setsockopt(socket, ZMQ_LINGER, &zero, sizeof zero);
    cr_assert_eq(zmq_connect(socket, bus_broker_backend_endpoint(s_bus.broker)), 0);
    uint8_t ready = PACTA_BUS_CMD_READY;
    const void *parts[6] = {PACTA_BUS_SIGNATURE, &ready, "counter", instance_id, "4", TYPE};
    size_t lens[6] = {6, 1, 7, strlen(instance_id), 1, strlen(TYPE)};
    s_raw(socket, 6, parts, lens);
    return socket;
}

/* Waits for a DELIVER on a raw instance socket; returns its attempt. */
static uint32_t
s_raw_delivery(void *socket)
{
    int64_t deadline = bh_now_ms() + WAIT_MS;
    while (bh_now_ms() < deadline) {
        zmq_pollitem_t item = {.socket = socket, .events = ZMQ_POLLIN};
        if (zmq_poll(&item, 1, 100) != 1)
            continue;
        pacta_bus_frames_t frames;
        cr_assert_eq(pacta_bus_frames_recv(socket, &frames, 0), 0);
        uint8_t command = 0;
        bool deliver = pacta_bus_frames_header(&frames, 0, &command) && command == PACTA_BUS_CMD_DELIVER;
        uint32_t attempt = deliver ? pacta_bus_get_u32(pacta_bus_frame_data(&frames, 3)) : 0;
        pacta_bus_frames_close(&frames);
        if (deliver)
            return attempt;
    }
    cr_assert_fail("the raw instance got no delivery");
    return 0;
}

Test(broker, a_silent_instance_is_declared_dead_and_its_message_redelivered)
{
    bus_broker_options_t options = {.heartbeat_ms = 100, .heartbeat_liveness = 3};
    s_start("counter " TYPE "\n", &options);
    void *context = zmq_ctx_new();
    void *doomed = s_raw_instance(context, "doomed");
    s_wait_instances(1);
    pacta_bus_producer_t *producer = s_producer();
    s_send(producer, "acme", TYPE, "c:1", "orphan-1");
    cr_assert_eq(s_raw_delivery(doomed), 1);
    zmq_close(doomed);   /* gone without a word, like kill -9 */

    pacta_bus_worker_t *heir = s_worker("counter", "heir", 100);
    pacta_bus_delivery_t *delivery = s_expect_delivery(heir);
    cr_assert_str_eq(pacta_bus_delivery_envelope(delivery)->message_id, "orphan-1");
    cr_assert_eq(pacta_bus_delivery_attempt(delivery), 2, "it is a redelivery");
    pacta_bus_worker_ack(heir, &delivery, false, 0);
    pacta_bus_reply_t reply;
    s_expect_reply(producer, &reply);
    cr_assert(reply.ack);
    pacta_bus_producer_destroy(&producer);
    pacta_bus_worker_destroy(&heir);
    zmq_ctx_term(context);
    s_halt();
    bus_broker_stats_t stats;
    bus_broker_stats(s_bus.broker, &stats);
    cr_assert_eq(stats.redelivered, 1);
}

Test(broker, a_hung_instance_is_dead_after_three_missed_heartbeats_not_before)
{
    /* Default 1 s heartbeat. The raw instance keeps its connection open but
       never speaks again (a hung process, or a network partition): only the
       missed heartbeats can tell. */
    bus_broker_options_t options = {.heartbeat_ms = 1000, .heartbeat_liveness = 3};
    s_start("counter " TYPE "\n", &options);
    void *context = zmq_ctx_new();
    void *hung = s_raw_instance(context, "hung");
    s_wait_instances(1);
    pacta_bus_producer_t *producer = s_producer();
    s_send(producer, "acme", TYPE, "c:1", "stuck-1");
    cr_assert_eq(s_raw_delivery(hung), 1);
    int64_t last_word = bh_now_ms();   /* READY was its last frame; it was sent before this */
    pacta_bus_worker_t *heir = s_worker("counter", "heir", 1000);
    pacta_bus_delivery_t *delivery = s_expect_delivery(heir);
    int64_t noticed = bh_now_ms() - last_word;
    cr_assert_eq(pacta_bus_delivery_attempt(delivery), 2);
    cr_assert_geq(noticed, 2000, "declared dead after %lld ms: too early", (long long) noticed);
    cr_assert_leq(noticed, 6000, "declared dead after %lld ms: 3 missed 1 s heartbeats (+ slack for a loaded machine)",
                  (long long) noticed);
    cr_log_info("a hung instance was declared dead %lld ms after its last frame", (long long) noticed);
    pacta_bus_worker_ack(heir, &delivery, false, 0);
    pacta_bus_reply_t reply;
    s_expect_reply(producer, &reply);
    cr_assert(reply.ack);
    pacta_bus_producer_destroy(&producer);
    pacta_bus_worker_destroy(&heir);
    zmq_close(hung);
    zmq_ctx_term(context);
}

Test(broker, disconnect_hands_back_held_messages_at_once)
{
    s_start("counter " TYPE "\n", NULL);
    pacta_bus_worker_t *leaving = s_worker("counter", "leaving", 1000);
    pacta_bus_producer_t *producer = s_producer();
    s_send(producer, "acme", TYPE, "c:1", "handback-1");
    pacta_bus_delivery_t *held = s_expect_delivery(leaving);
    pacta_bus_worker_t *staying = s_worker("counter", "staying", 1000);
    s_wait_instances(2);
    pacta_bus_worker_destroy(&leaving);   /* DISCONNECT */
    pacta_bus_delivery_destroy(&held);
    pacta_bus_delivery_t *delivery = s_expect_delivery(staying);
    cr_assert_eq(pacta_bus_delivery_attempt(delivery), 2);
    pacta_bus_worker_ack(staying, &delivery, false, 0);
    pacta_bus_reply_t reply;
    s_expect_reply(producer, &reply);
    cr_assert(reply.ack);
    cr_assert_str_eq(reply.handled_by, "staying");
    pacta_bus_producer_destroy(&producer);
    pacta_bus_worker_destroy(&staying);
}

Test(broker, a_message_that_kills_every_instance_is_refused_as_internal)
{
    bus_broker_options_t options = {.heartbeat_ms = 1000, .max_deliveries = 2};
    s_start("counter " TYPE "\n", &options);
    void *context = zmq_ctx_new();
    pacta_bus_producer_t *producer = s_producer();
    s_send(producer, "acme", TYPE, "c:1", "poison-1");
    uint8_t disconnect = PACTA_BUS_CMD_DISCONNECT;
    const void *bye[2] = {PACTA_BUS_SIGNATURE, &disconnect};
    size_t bye_len[2] = {6, 1};
    for (int i = 0; i < 2; i++) {
        char name[16];
        snprintf(name, sizeof name, "victim-%d", i);
        void *victim = s_raw_instance(context, name);
        cr_assert_eq(s_raw_delivery(victim), (uint32_t) i + 1);
        s_raw(victim, 2, bye, bye_len);
        bh_sleep_ms(50);
        zmq_close(victim);
    }
    void *last = s_raw_instance(context, "last");
    pacta_bus_reply_t reply;
    s_expect_reply(producer, &reply);
    cr_assert_not(reply.ack);
    cr_assert_eq(reply.reason, PACTA__V1__NACK_REASON__NACK_REASON_INTERNAL);
    cr_assert_not(reply.retryable, "a poison message is dead-lettered, not retried forever");
    zmq_close(last);
    pacta_bus_producer_destroy(&producer);
    zmq_ctx_term(context);
}

Test(broker, instances_register_again_with_a_restarted_bus)
{
    s_start("counter " TYPE "\n", NULL);
    char frontend[128], backend[128];
    snprintf(frontend, sizeof frontend, "%s", bus_broker_frontend_endpoint(s_bus.broker));
    snprintf(backend, sizeof backend, "%s", bus_broker_backend_endpoint(s_bus.broker));
    pacta_bus_worker_t *worker = s_worker("counter", "survivor", 200);
    pacta_bus_producer_t *producer = s_producer();
    s_send(producer, "acme", TYPE, "c:1", "before-restart");
    pacta_bus_delivery_t *delivery = s_expect_delivery(worker);
    pacta_bus_worker_ack(worker, &delivery, false, 0);
    pacta_bus_reply_t reply;
    s_expect_reply(producer, &reply);

    /* Restart on the same endpoints; the same clients carry on. */
    s_halt();
    bus_broker_destroy(&s_bus.broker);
    bus_routes_destroy(&s_bus.routes);
    bus_broker_options_t options = {.heartbeat_ms = 200, .frontend = frontend, .backend = backend};
    s_start("counter " TYPE "\n", &options);
    s_send(producer, "acme", TYPE, "c:1", "after-restart");
    delivery = s_expect_delivery(worker);
    cr_assert_str_eq(pacta_bus_delivery_envelope(delivery)->message_id, "after-restart");
    pacta_bus_worker_ack(worker, &delivery, false, 0);
    int64_t deadline = bh_now_ms() + WAIT_MS;
    bool acked = false;
    while (!acked && bh_now_ms() < deadline)
        if (pacta_bus_producer_recv(producer, 100, &reply) == 0 && strcmp(reply.message_id, "after-restart") == 0)
            acked = reply.ack;
    cr_assert(acked);
    pacta_bus_producer_destroy(&producer);
    pacta_bus_worker_destroy(&worker);
}

/* ---------------------------------------------------------------------------
   CURVE and the allow-list
   ------------------------------------------------------------------------ */

/* Whether a CURVE handshake of socket fails with an auth error. */
static bool
s_handshake_refused(void *context, void *socket, const char *endpoint)
{
    char monitor_endpoint[64];
    snprintf(monitor_endpoint, sizeof monitor_endpoint, "inproc://monitor-%p", socket);
    cr_assert_eq(zmq_socket_monitor(socket, monitor_endpoint,
                                    ZMQ_EVENT_HANDSHAKE_FAILED_AUTH | ZMQ_EVENT_HANDSHAKE_SUCCEEDED),
                 0);
    void *monitor = zmq_socket(context, ZMQ_PAIR);
    cr_assert_eq(zmq_connect(monitor, monitor_endpoint), 0);
    cr_assert_eq(zmq_connect(socket, endpoint), 0);
    bool refused = false, decided = false;
    int64_t deadline = bh_now_ms() + WAIT_MS;
    while (!decided && bh_now_ms() < deadline) {
        zmq_pollitem_t item = {.socket = monitor, .events = ZMQ_POLLIN};
        if (zmq_poll(&item, 1, 100) != 1)
            continue;
        zmq_msg_t event;
        zmq_msg_init(&event);
        zmq_msg_recv(&event, monitor, 0);
        uint16_t id = 0;
        memcpy(&id, zmq_msg_data(&event), sizeof id);
        zmq_msg_close(&event);
        zmq_msg_init(&event);
        zmq_msg_recv(&event, monitor, 0);   /* endpoint part */
        zmq_msg_close(&event);
        if (id == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) {
            refused = true;
            decided = true;
        }
        else if (id == ZMQ_EVENT_HANDSHAKE_SUCCEEDED)
            decided = true;
    }
    zmq_socket_monitor(socket, NULL, 0);
    zmq_close(monitor);
    cr_assert(decided, "the handshake neither failed nor succeeded in time");
    return refused;
}

Test(broker, curve_allow_list_limits_keys_to_their_tenants_types_and_classes)
{
    char bus_public[41], bus_secret[41], producer_public[41], producer_secret[41];
    char instance_public[41], instance_secret[41], stranger_public[41], stranger_secret[41];
    cr_assert_eq(zmq_curve_keypair(bus_public, bus_secret), 0);
    cr_assert_eq(zmq_curve_keypair(producer_public, producer_secret), 0);
    cr_assert_eq(zmq_curve_keypair(instance_public, instance_secret), 0);
    cr_assert_eq(zmq_curve_keypair(stranger_public, stranger_secret), 0);
    char allow_text[1024];
    snprintf(allow_text, sizeof allow_text,
             "# test allow-list\n%s crm tenants=acme types=" TYPE "\n%s counter-key classes=counter\n",
             producer_public, instance_public);
    char err[512];
    s_bus.allow = bus_allow_new();
    cr_assert_eq(bus_allow_parse(s_bus.allow, allow_text, strlen(allow_text), "allow", err, sizeof err), 0, "%s",
                 err);
    bus_broker_options_t options = {.heartbeat_ms = 1000, .curve_secret_key = bus_secret};
    s_start("counter " TYPE "\ncounter pacta.test.Other\n", &options);

    static const char *const types[] = {TYPE, "pacta.test.Other", NULL};
    pacta_bus_worker_options_t worker_options = {.endpoint = bus_broker_backend_endpoint(s_bus.broker),
                                                 .service_class = "counter",
                                                 .instance_id = "secure-1",
                                                 .consumes = types,
                                                 .server_public_key = bus_public,
                                                 .secret_key = instance_secret};
    pacta_bus_worker_t *worker = pacta_bus_worker_new(&worker_options, err, sizeof err);
    cr_assert_not_null(worker, "%s", err);
    pacta_bus_producer_options_t producer_options = {.endpoint = bus_broker_frontend_endpoint(s_bus.broker),
                                                     .server_public_key = bus_public,
                                                     .secret_key = producer_secret};
    pacta_bus_producer_t *producer = pacta_bus_producer_new(&producer_options, err, sizeof err);
    cr_assert_not_null(producer, "%s", err);
    pacta_bus_reply_t reply;

    s_send(producer, "acme", TYPE, "c:1", "allowed-1");
    pacta_bus_delivery_t *delivery = s_expect_delivery(worker);
    pacta_bus_worker_ack(worker, &delivery, false, 0);
    s_expect_reply(producer, &reply);
    cr_assert(reply.ack, "a listed key sends what it is allowed to");

    s_send(producer, "globex", TYPE, "c:1", "other-tenant-1");
    s_expect_reply(producer, &reply);
    cr_assert_not(reply.ack);
    cr_assert_eq(reply.reason, PACTA__V1__NACK_REASON__NACK_REASON_UNAUTHORISED);
    cr_assert_str_eq(reply.field, "envelope.tenant");

    s_send(producer, "acme", "pacta.test.Other", "c:1", "other-type-1");
    s_expect_reply(producer, &reply);
    cr_assert_eq(reply.reason, PACTA__V1__NACK_REASON__NACK_REASON_UNAUTHORISED);
    cr_assert_str_eq(reply.field, "envelope.message_type");

    /* An unknown key cannot even complete the handshake, on either socket;
       a producer key cannot register as an instance. */
    void *context = zmq_ctx_new();
    void *stranger = zmq_socket(context, ZMQ_DEALER);
    int zero = 0;
    zmq_setsockopt(stranger, ZMQ_LINGER, &zero, sizeof zero);
    cr_assert_eq(pacta_bus_curve_client(stranger, bus_public, stranger_secret, err, sizeof err), 0);
    cr_assert(s_handshake_refused(context, stranger, bus_broker_frontend_endpoint(s_bus.broker)));
    zmq_close(stranger);
    void *impostor = zmq_socket(context, ZMQ_DEALER);
    zmq_setsockopt(impostor, ZMQ_LINGER, &zero, sizeof zero);
    cr_assert_eq(pacta_bus_curve_client(impostor, bus_public, producer_secret, err, sizeof err), 0);
    cr_assert(s_handshake_refused(context, impostor, bus_broker_backend_endpoint(s_bus.broker)));
    zmq_close(impostor);
    zmq_ctx_term(context);

    pacta_bus_producer_destroy(&producer);
    pacta_bus_worker_destroy(&worker);
    s_halt();
    bus_broker_stats_t stats;
    bus_broker_stats(s_bus.broker, &stats);
    cr_assert_geq(stats.zap_denied, 2);
    cr_assert_geq(stats.zap_accepted, 2);
}
