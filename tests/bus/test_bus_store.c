/*  =========================================================================
    test_bus_store - exactly-once effects and the Redis outbox

    pacta_dedup against the test Redis (applied / duplicate / conflict /
    refused, pipelined batches, retention, a flushed script cache) and the
    outbox relay end to end through an in-process broker: delete on ACK,
    resend after a lost request, dead-letter on a final NACK, take-over by
    another relay when the lease lapses. Each test uses its own tenant, so
    keys never collide between parallel tests.
    =========================================================================
*/
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus_broker.h"
#include "bus_harness.h"
#include "bus_routes.h"
#include "pacta_bus_producer.h"
#include "pacta_bus_worker.h"
#include "pacta_dedup.h"
#include "pacta_outbox.h"

#define TYPE "pacta.test.Counter"
#define WAIT_MS 10000

#define COUNT_BODY                                                                                      \
    "if args[2] == 'refuse' then return redis.error_reply('REFUSED not today') end\n"                  \
    "redis.call('HINCRBY', keys[1], args[1], 1)\n"                                                      \
    "return redis.call('HGET', keys[1], args[1])"

#define EMIT_BODY                                                                                       \
    "for i = 1, #args do emit(args[i], '') end\n"                                                       \
    "return #args"

static pacta_store_t *s_store;
static char s_tenant[64];

static void
s_setup(void)
{
    s_store = bh_store();
    snprintf(s_tenant, sizeof s_tenant, "%s", bh_unique());
}

static void
s_teardown(void)
{
    pacta_store_destroy(&s_store);
    bh_cleanup_all();
}

TestSuite(dedup, .init = s_setup, .fini = s_teardown, .timeout = 60);

static pacta_dedup_t *
s_dedup(const char *service, pacta_outbox_t *outbox)
{
    char err[256];
    pacta_dedup_options_t options = {.service = service, .outbox = outbox};
    pacta_dedup_t *dedup = pacta_dedup_new(s_store, &options, err, sizeof err);
    cr_assert_not_null(dedup, "%s", err);
    cr_assert_eq(pacta_dedup_register(dedup, "count", COUNT_BODY), 0, "%s", pacta_store_error(s_store));
    return dedup;
}

/* Builds a count call for entity/message id. Buffers are static per slot. */
typedef struct {
    char prefix[PACTA_DEDUP_PREFIX_MAX + 1];   /* entity prefix */
    char key[PACTA_OUTBOX_KEY_MAX];            /* counts HASH */
    const char *keys[1];                       /* effect keys */
    const char *args[2];                       /* effect args */
} count_call_t;

static void
s_count_call(count_call_t *slot, pacta_dedup_call_t *call, const char *entity, const char *id, const char *mode,
             const char *digest)
{
    memset(call, 0, sizeof *call);
    pacta_dedup_prefix(s_tenant, entity, slot->prefix, sizeof slot->prefix);
    snprintf(slot->key, sizeof slot->key, "%s:counts", slot->prefix);
    slot->keys[0] = slot->key;
    slot->args[0] = id;
    slot->args[1] = mode;
    call->prefix = slot->prefix;
    call->message_id = id;
    call->digest = digest;
    call->key_count = 1;
    call->keys = slot->keys;
    call->arg_count = 2;
    call->args = slot->args;
}

Test(dedup, an_effect_applies_once_per_message_id)
{
    pacta_dedup_t *dedup = s_dedup("test-svc", NULL);
    count_call_t slot;
    pacta_dedup_call_t call;
    s_count_call(&slot, &call, "c:1", "m-1", "ok", "digest-a");
    cr_assert_eq(pacta_dedup_apply(dedup, "count", &call), 0);
    cr_assert_eq(call.outcome, PACTA_DEDUP_APPLIED, "%s", call.error);
    cr_assert_str_eq(call.result, "1");
    s_count_call(&slot, &call, "c:1", "m-1", "ok", "digest-a");
    cr_assert_eq(pacta_dedup_apply(dedup, "count", &call), 0);
    cr_assert_eq(call.outcome, PACTA_DEDUP_DUPLICATE);
    s_count_call(&slot, &call, "c:1", "m-1", "ok", "digest-b");
    cr_assert_eq(pacta_dedup_apply(dedup, "count", &call), 0);
    cr_assert_eq(call.outcome, PACTA_DEDUP_CONFLICT, "same id, other content");
    cr_assert_eq(bh_hget_int(s_store, slot.key, "m-1"), 1, "one effect");

    /* Another consuming service keeps its own record of the same id. */
    pacta_dedup_t *other = s_dedup("other-svc", NULL);
    s_count_call(&slot, &call, "c:1", "m-1", "ok", "digest-a");
    cr_assert_eq(pacta_dedup_apply(other, "count", &call), 0);
    cr_assert_eq(call.outcome, PACTA_DEDUP_APPLIED);
    pacta_dedup_destroy(&other);
    pacta_store_destroy(&s_store);   /* the store borrows the scripts: it goes first */
    pacta_dedup_destroy(&dedup);
    pacta_dedup_destroy(&dedup);
}

Test(dedup, a_refused_effect_records_nothing_so_a_retry_applies)
{
    pacta_dedup_t *dedup = s_dedup("test-svc", NULL);
    count_call_t slot;
    pacta_dedup_call_t call;
    s_count_call(&slot, &call, "c:2", "m-2", "refuse", "d");
    cr_assert_eq(pacta_dedup_apply(dedup, "count", &call), 0);
    cr_assert_eq(call.outcome, PACTA_DEDUP_REFUSED);
    cr_assert(strstr(call.error, "not today"), "%s", call.error);
    s_count_call(&slot, &call, "c:2", "m-2", "ok", "d");
    cr_assert_eq(pacta_dedup_apply(dedup, "count", &call), 0);
    cr_assert_eq(call.outcome, PACTA_DEDUP_APPLIED);
    cr_assert_eq(bh_hget_int(s_store, slot.key, "m-2"), 1);
    pacta_store_destroy(&s_store);
    pacta_dedup_destroy(&dedup);
}

Test(dedup, without_a_message_id_every_call_applies)
{
    pacta_dedup_t *dedup = s_dedup("test-svc", NULL);
    count_call_t slot;
    pacta_dedup_call_t call;
    for (int i = 0; i < 3; i++) {
        s_count_call(&slot, &call, "c:3", "", "ok", NULL);
        slot.args[0] = "timer";
        cr_assert_eq(pacta_dedup_apply(dedup, "count", &call), 0);
        cr_assert_eq(call.outcome, PACTA_DEDUP_APPLIED);
    }
    cr_assert_eq(bh_hget_int(s_store, slot.key, "timer"), 3);
    pacta_store_destroy(&s_store);
    pacta_dedup_destroy(&dedup);
}

Test(dedup, a_pipelined_batch_gives_each_call_its_outcome)
{
    pacta_dedup_t *dedup = s_dedup("test-svc", NULL);
    enum { N = 240 };
    static count_call_t slots[N];
    static pacta_dedup_call_t calls[N];
    static char ids[N][32];
    /* 200 distinct ids over 50 entities, then 40 repeats of earlier ids. */
    for (int i = 0; i < N; i++) {
        int id = i < 200 ? i : (i - 200) * 5;
        char entity[16];
        snprintf(entity, sizeof entity, "c:%d", id % 50);
        snprintf(ids[i], sizeof ids[i], "b-%d", id);
        s_count_call(&slots[i], &calls[i], entity, ids[i], "ok", "same");
    }
    cr_assert_eq(pacta_dedup_apply_batch(dedup, "count", calls, N), 0);
    for (int i = 0; i < N; i++)
        cr_assert_eq(calls[i].outcome, i < 200 ? PACTA_DEDUP_APPLIED : PACTA_DEDUP_DUPLICATE, "call %d: %s", i,
                     pacta_dedup_outcome_name(calls[i].outcome));
    for (int i = 0; i < 200; i++)
        cr_assert_eq(bh_hget_int(s_store, slots[i].key, ids[i]), 1, "%s", ids[i]);

    /* Redis forgets its scripts (restart, failover): the batch still runs. */
    cr_assert_eq(pacta_store_command_strs(s_store, NULL, "SCRIPT", "FLUSH", NULL), 0);
    s_count_call(&slots[0], &calls[0], "c:0", "after-flush", "ok", "x");
    s_count_call(&slots[1], &calls[1], "c:1", "b-1", "ok", "same");
    cr_assert_eq(pacta_dedup_apply_batch(dedup, "count", calls, 2), 0);
    cr_assert_eq(calls[0].outcome, PACTA_DEDUP_APPLIED, "%s", calls[0].error);
    cr_assert_eq(calls[1].outcome, PACTA_DEDUP_DUPLICATE, "%s", calls[1].error);
    pacta_store_destroy(&s_store);
    pacta_dedup_destroy(&dedup);
}

Test(dedup, ids_are_kept_for_the_retention_then_forgotten)
{
    char err[256];
    pacta_dedup_options_t short_options = {.service = "test-svc", .retention_ms = 3600 * 1000};
    cr_assert_null(pacta_dedup_new(s_store, &short_options, err, sizeof err), "below 7 days is refused");
    cr_assert(strstr(err, "7 days"));

    pacta_dedup_t *dedup = s_dedup("test-svc", NULL);
    count_call_t slot;
    pacta_dedup_call_t call;
    s_count_call(&slot, &call, "c:4", "fresh", "ok", "d");
    cr_assert_eq(pacta_dedup_apply(dedup, "count", &call), 0);
    /* An id recorded 9 days ago (written by hand) is pruned by the next call. */
    char seen[PACTA_OUTBOX_KEY_MAX];
    snprintf(seen, sizeof seen, "%s:seen:test-svc", slot.prefix);
    redisReply *reply = NULL;
    cr_assert_eq(pacta_store_command_strs(s_store, &reply, "TIME", NULL), 0);
    long long now_ms = strtoll(reply->element[0]->str, NULL, 10) * 1000;
    freeReplyObject(reply);
    char old_score[32];
    snprintf(old_score, sizeof old_score, "%lld", now_ms - 9LL * 24 * 3600 * 1000);
    cr_assert_eq(pacta_store_command_strs(s_store, NULL, "ZADD", seen, old_score, "ancient", NULL), 0);
    s_count_call(&slot, &call, "c:4", "newer", "ok", "d");
    cr_assert_eq(pacta_dedup_apply(dedup, "count", &call), 0);
    s_count_call(&slot, &call, "c:4", "ancient", "ok", "d");
    cr_assert_eq(pacta_dedup_apply(dedup, "count", &call), 0);
    cr_assert_eq(call.outcome, PACTA_DEDUP_APPLIED, "past the retention an id is new again");
    s_count_call(&slot, &call, "c:4", "fresh", "ok", "d");
    cr_assert_eq(pacta_dedup_apply(dedup, "count", &call), 0);
    cr_assert_eq(call.outcome, PACTA_DEDUP_DUPLICATE, "within the retention it is not");
    cr_assert_eq(pacta_store_command_strs(s_store, &reply, "PTTL", seen, NULL), 0);
    cr_assert_gt(reply->integer, 7LL * 24 * 3600 * 1000, "the record outlives 7 days");
    freeReplyObject(reply);
    pacta_store_destroy(&s_store);
    pacta_dedup_destroy(&dedup);
}

Test(dedup, digest_depends_on_type_and_payload)
{
    char a[17], b[17], c[17];
    pacta_dedup_digest("pacta.v1.A", "xyz", 3, a);
    pacta_dedup_digest("pacta.v1.A", "xyz", 3, b);
    cr_assert_str_eq(a, b);
    pacta_dedup_digest("pacta.v1.B", "xyz", 3, c);
    cr_assert_str_neq(a, c);
    pacta_dedup_digest("pacta.v1.A", "xyw", 3, c);
    cr_assert_str_neq(a, c);
    cr_assert_eq(strlen(a), 16);
    char prefix[16];
    cr_assert_eq(pacta_dedup_prefix("capconnect", "c:42", prefix, sizeof prefix), -1, "too small");
}

/* ---------------------------------------------------------------------------
   Outbox and relay
   ------------------------------------------------------------------------ */

/* A broker thread for the relay tests. */
typedef struct {
    bus_routes_t *routes;              /* owned */
    bus_broker_t *broker;              /* owned */
    pthread_t thread;                  /* loop */
    atomic_bool stop;                  /* ends the loop */
    bool running;                      /* thread started */
    char frontend[128];                /* bound endpoints, kept across restarts */
    char backend[128];
} relay_bus_t;

static relay_bus_t s_bus;

static void *
s_loop(void *arg)
{
    relay_bus_t *bus = arg;
    while (!atomic_load(&bus->stop))
        bus_broker_run_once(bus->broker, 10);
    return NULL;
}

static void
s_bus_start(void)
{
    char err[256];
    if (!s_bus.routes) {
        s_bus.routes = bus_routes_new();
        cr_assert_eq(bus_routes_add(s_bus.routes, "counter", TYPE), 0);
    }
    bus_broker_options_t options = {.routes = s_bus.routes,
                                    .frontend = s_bus.frontend[0] ? s_bus.frontend : "tcp://127.0.0.1:*",
                                    .backend = s_bus.backend[0] ? s_bus.backend : "tcp://127.0.0.1:*",
                                    .heartbeat_ms = 200};
    s_bus.broker = bus_broker_new(&options, err, sizeof err);
    cr_assert_not_null(s_bus.broker, "%s", err);
    snprintf(s_bus.frontend, sizeof s_bus.frontend, "%s", bus_broker_frontend_endpoint(s_bus.broker));
    snprintf(s_bus.backend, sizeof s_bus.backend, "%s", bus_broker_backend_endpoint(s_bus.broker));
    atomic_store(&s_bus.stop, false);
    cr_assert_eq(pthread_create(&s_bus.thread, NULL, s_loop, &s_bus), 0);
    s_bus.running = true;
}

static void
s_bus_stop(void)
{
    if (s_bus.running) {
        atomic_store(&s_bus.stop, true);
        pthread_join(s_bus.thread, NULL);
        s_bus.running = false;
    }
    bus_broker_destroy(&s_bus.broker);
}

static void
s_relay_teardown(void)
{
    s_bus_stop();
    bus_routes_destroy(&s_bus.routes);
    s_teardown();
}

TestSuite(outbox, .init = s_setup, .fini = s_relay_teardown, .timeout = 60);

static pacta_outbox_t *
s_outbox(const char *service, int64_t lease_ms)
{
    char err[256];
    pacta_outbox_options_t options = {.service = service,
                                      .lease_ms = lease_ms,
                                      .grace_ms = 300,
                                      .recheck_min_ms = 50,
                                      .resend_initial_ms = 300,
                                      .resend_max_ms = 1000,
                                      .claim_interval_ms = 20};
    pacta_outbox_t *outbox = pacta_outbox_new(s_store, &options, err, sizeof err);
    cr_assert_not_null(outbox, "%s", err);
    return outbox;
}

static pacta_bus_producer_t *
s_producer(void)
{
    char err[256];
    pacta_bus_producer_options_t options = {.endpoint = s_bus.frontend};
    pacta_bus_producer_t *producer = pacta_bus_producer_new(&options, err, sizeof err);
    cr_assert_not_null(producer, "%s", err);
    return producer;
}

static pacta_bus_worker_t *
s_worker(const char *id)
{
    static const char *const types[] = {TYPE, NULL};
    char err[256];
    pacta_bus_worker_options_t options = {.endpoint = s_bus.backend,
                                          .service_class = "counter",
                                          .instance_id = id,
                                          .consumes = types,
                                          .heartbeat_ms = 200};
    pacta_bus_worker_t *worker = pacta_bus_worker_new(&options, err, sizeof err);
    cr_assert_not_null(worker, "%s", err);
    return worker;
}

/* Emits count messages for entity through the "emit" effect (one atomic
   step per entity, as a service's state change would). */
static void
s_emit(pacta_dedup_t *dedup, const char *entity, int first, int count)
{
    char prefix[PACTA_DEDUP_PREFIX_MAX + 1];
    pacta_dedup_prefix(s_tenant, entity, prefix, sizeof prefix);
    const char *args[PACTA_DEDUP_ARGS_MAX];
    size_t lens[PACTA_DEDUP_ARGS_MAX];
    uint8_t *packed[PACTA_DEDUP_ARGS_MAX];
    cr_assert_leq(count, PACTA_DEDUP_ARGS_MAX);
    for (int i = 0; i < count; i++) {
        char id[160];
        snprintf(id, sizeof id, "%.30s-%.16s-%d", s_tenant, entity, first + i);
        Pacta__V1__Envelope *envelope = bh_envelope(s_tenant, TYPE, entity, id, 16);
        packed[i] = pacta_bus_envelope_pack(envelope, &lens[i]);
        args[i] = (const char *) packed[i];
        bh_envelope_free(envelope);
    }
    pacta_dedup_call_t call = {.prefix = prefix, .arg_count = (size_t) count, .args = args, .arg_lens = lens,
                               .emits = true};
    cr_assert_eq(pacta_dedup_apply(dedup, "emit", &call), 0, "%s", call.error);
    cr_assert_eq(call.outcome, PACTA_DEDUP_APPLIED, "%s", call.error);
    cr_assert_eq(call.emitted, count);
    for (int i = 0; i < count; i++)
        free(packed[i]);
}

static long long
s_xlen(pacta_outbox_t *outbox, const char *entity)
{
    char prefix[PACTA_DEDUP_PREFIX_MAX + 1], key[PACTA_OUTBOX_KEY_MAX];
    pacta_dedup_prefix(s_tenant, entity, prefix, sizeof prefix);
    pacta_outbox_stream_key(outbox, prefix, key, sizeof key);
    redisReply *reply = NULL;
    cr_assert_eq(pacta_store_command_strs(s_store, &reply, "XLEN", key, NULL), 0);
    long long n = reply->integer;
    freeReplyObject(reply);
    return n;
}

static long long
s_zcard(const char *key)
{
    redisReply *reply = NULL;
    cr_assert_eq(pacta_store_command_strs(s_store, &reply, "ZCARD", key, NULL), 0);
    long long n = reply->integer;
    freeReplyObject(reply);
    return n;
}

/* Answers every delivery at worker with ACK (or the given NACK). */
static int
s_serve(pacta_bus_worker_t *worker, Pacta__V1__NackReason nack)
{
    int served = 0;
    pacta_bus_delivery_t *delivery = NULL;
    while (pacta_bus_worker_recv(worker, 0, &delivery) == 0 && delivery) {
        if (nack)
            pacta_bus_worker_nack(worker, &delivery, nack, "payload", "refused by the test", 0);
        else
            pacta_bus_worker_ack(worker, &delivery, false, 0);
        served++;
    }
    return served;
}

Test(outbox, the_relay_delivers_every_entry_and_deletes_it_on_ack)
{
    char service[80];
    snprintf(service, sizeof service, "svc-%s", s_tenant);
    pacta_outbox_t *outbox = s_outbox(service, 5000);
    char err[256];
    pacta_dedup_options_t options = {.service = service, .outbox = outbox};
    pacta_dedup_t *dedup = pacta_dedup_new(s_store, &options, err, sizeof err);
    cr_assert_eq(pacta_dedup_register(dedup, "emit", EMIT_BODY), 0);
    for (int e = 0; e < 5; e++) {
        char entity[16];
        snprintf(entity, sizeof entity, "c:%d", e);
        s_emit(dedup, entity, 0, 4);
    }
    cr_assert_eq(s_xlen(outbox, "c:0"), 4, "the outbox holds the entries until acknowledged");
    char due[PACTA_OUTBOX_KEY_MAX];
    snprintf(due, sizeof due, "pacta:{outbox:%s}:due", service);
    cr_assert_eq(s_zcard(due), 5, "every written outbox is in the index");

    s_bus_start();
    pacta_bus_worker_t *worker = s_worker("w-1");
    pacta_bus_producer_t *producer = s_producer();
    int acked = 0, served = 0;
    int64_t deadline = bh_now_ms() + WAIT_MS;
    while (acked < 20 && bh_now_ms() < deadline) {
        int n = pacta_outbox_relay(outbox, producer, 20);
        cr_assert_geq(n, 0);
        acked += n;
        served += s_serve(worker, 0);
    }
    cr_assert_eq(acked, 20);
    cr_assert_eq(served, 20, "each entry was delivered once");
    for (int e = 0; e < 5; e++) {
        char entity[16];
        snprintf(entity, sizeof entity, "c:%d", e);
        cr_assert_eq(s_xlen(outbox, entity), 0);
    }
    /* With nothing written for longer than the grace, the index empties. */
    deadline = bh_now_ms() + WAIT_MS;
    while (s_zcard(due) > 0 && bh_now_ms() < deadline)
        pacta_outbox_relay(outbox, producer, 50);
    cr_assert_eq(s_zcard(due), 0);
    pacta_outbox_stats_t stats;
    pacta_outbox_stats(outbox, &stats);
    cr_assert_eq(stats.sent, 20);
    cr_assert_eq(stats.acked, 20);
    cr_assert_eq(pacta_outbox_in_flight(outbox), 0);
    pacta_bus_producer_destroy(&producer);
    pacta_bus_worker_destroy(&worker);
    pacta_store_destroy(&s_store);
    pacta_dedup_destroy(&dedup);
    pacta_outbox_destroy(&outbox);
}

Test(outbox, entries_lost_with_a_bus_restart_are_sent_again)
{
    char service[80];
    snprintf(service, sizeof service, "svc-%s", s_tenant);
    pacta_outbox_t *outbox = s_outbox(service, 5000);
    char err[256];
    pacta_dedup_options_t options = {.service = service, .outbox = outbox};
    pacta_dedup_t *dedup = pacta_dedup_new(s_store, &options, err, sizeof err);
    cr_assert_eq(pacta_dedup_register(dedup, "emit", EMIT_BODY), 0);
    s_emit(dedup, "c:9", 0, 3);
    s_bus_start();
    pacta_bus_producer_t *producer = s_producer();
    /* No instance: the bus holds the requests... and then dies. */
    int64_t deadline = bh_now_ms() + WAIT_MS;
    while (pacta_outbox_in_flight(outbox) < 3 && bh_now_ms() < deadline)
        pacta_outbox_relay(outbox, producer, 20);
    cr_assert_eq(pacta_outbox_in_flight(outbox), 3);
    bh_sleep_ms(100);
    s_bus_stop();
    s_bus_start();
    pacta_bus_worker_t *worker = s_worker("w-2");
    int acked = 0;
    deadline = bh_now_ms() + WAIT_MS;
    while (acked < 3 && bh_now_ms() < deadline) {
        acked += pacta_outbox_relay(outbox, producer, 20);
        s_serve(worker, 0);
    }
    cr_assert_eq(acked, 3);
    pacta_outbox_stats_t stats;
    pacta_outbox_stats(outbox, &stats);
    cr_assert_geq(stats.resent, 3, "what the dead bus held was resent");
    cr_assert_eq(s_xlen(outbox, "c:9"), 0);
    pacta_bus_producer_destroy(&producer);
    pacta_bus_worker_destroy(&worker);
    pacta_store_destroy(&s_store);
    pacta_dedup_destroy(&dedup);
    pacta_outbox_destroy(&outbox);
}

Test(outbox, a_final_nack_moves_the_entry_to_the_dead_letter_stream)
{
    char service[80];
    snprintf(service, sizeof service, "svc-%s", s_tenant);
    pacta_outbox_t *outbox = s_outbox(service, 5000);
    char err[256];
    pacta_dedup_options_t options = {.service = service, .outbox = outbox};
    pacta_dedup_t *dedup = pacta_dedup_new(s_store, &options, err, sizeof err);
    cr_assert_eq(pacta_dedup_register(dedup, "emit", EMIT_BODY), 0);
    s_emit(dedup, "c:7", 0, 2);
    s_bus_start();
    pacta_bus_worker_t *worker = s_worker("w-3");
    pacta_bus_producer_t *producer = s_producer();
    int64_t deadline = bh_now_ms() + WAIT_MS;
    pacta_outbox_stats_t stats = {0};
    while (stats.dead_lettered < 2 && bh_now_ms() < deadline) {
        pacta_outbox_relay(outbox, producer, 20);
        s_serve(worker, PACTA__V1__NACK_REASON__NACK_REASON_INVALID);
        pacta_outbox_stats(outbox, &stats);
    }
    cr_assert_eq(stats.dead_lettered, 2);
    cr_assert_eq(s_xlen(outbox, "c:7"), 0);
    char prefix[PACTA_DEDUP_PREFIX_MAX + 1], dead[PACTA_OUTBOX_KEY_MAX];
    pacta_dedup_prefix(s_tenant, "c:7", prefix, sizeof prefix);
    pacta_outbox_deadletter_key(outbox, prefix, dead, sizeof dead);
    redisReply *reply = NULL;
    cr_assert_eq(pacta_store_command_strs(s_store, &reply, "XRANGE", dead, "-", "+", NULL), 0);
    cr_assert_eq(reply->elements, 2, "both kept for inspection");
    const redisReply *fields = reply->element[0]->element[1];
    bool reason = false, envelope = false;
    for (size_t i = 0; i + 1 < fields->elements; i += 2) {
        if (strcmp(fields->element[i]->str, "reason") == 0)
            reason = strcmp(fields->element[i + 1]->str, "INVALID") == 0;
        if (strcmp(fields->element[i]->str, "env") == 0)
            envelope = fields->element[i + 1]->len > 10;
    }
    freeReplyObject(reply);
    cr_assert(reason && envelope, "the original and the reason are kept");
    pacta_bus_producer_destroy(&producer);
    pacta_bus_worker_destroy(&worker);
    pacta_store_destroy(&s_store);
    pacta_dedup_destroy(&dedup);
    pacta_outbox_destroy(&outbox);
}

Test(outbox, another_relay_takes_over_when_the_lease_lapses)
{
    char service[80];
    snprintf(service, sizeof service, "svc-%s", s_tenant);
    pacta_outbox_t *first = s_outbox(service, 400);
    char err[256];
    pacta_dedup_options_t options = {.service = service, .outbox = first};
    pacta_dedup_t *dedup = pacta_dedup_new(s_store, &options, err, sizeof err);
    cr_assert_eq(pacta_dedup_register(dedup, "emit", EMIT_BODY), 0);
    s_emit(dedup, "c:5", 0, 3);
    s_bus_start();
    pacta_bus_producer_t *producer = s_producer();
    int64_t deadline = bh_now_ms() + WAIT_MS;
    while (pacta_outbox_in_flight(first) < 3 && bh_now_ms() < deadline)
        pacta_outbox_relay(first, producer, 20);
    cr_assert_eq(pacta_outbox_in_flight(first), 3);
    /* The first relay dies with everything in flight (no instance yet). */
    pacta_outbox_destroy(&first);
    pacta_bus_producer_destroy(&producer);

    pacta_outbox_t *second = s_outbox(service, 400);
    pacta_bus_producer_t *producer2 = s_producer();
    pacta_bus_worker_t *worker = s_worker("w-4");
    int acked = 0;
    deadline = bh_now_ms() + WAIT_MS;
    while (acked < 3 && bh_now_ms() < deadline) {
        acked += pacta_outbox_relay(second, producer2, 20);
        s_serve(worker, 0);
    }
    cr_assert_eq(acked, 3, "the second relay finished the first one's work");
    cr_assert_eq(s_xlen(second, "c:5"), 0);
    pacta_bus_producer_destroy(&producer2);
    pacta_bus_worker_destroy(&worker);
    pacta_store_destroy(&s_store);
    pacta_dedup_destroy(&dedup);
    pacta_outbox_destroy(&second);
}
