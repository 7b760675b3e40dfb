/*  =========================================================================
    test_bus_system - the bus's acceptance criteria with real processes

    pacta-bus and pacta-bus-counter instances run as separate processes
    against the test Redis; the test process is the producer (through the
    Redis outbox where the criterion is about not losing anything). The
    assertions are about correctness -- every effect exactly once, who
    handled which key, what was refused -- never about speed; waits are
    bounded only so a broken bus fails instead of hanging.
    =========================================================================
*/
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "bus_harness.h"
#include "pacta_bus_producer.h"
#include "pacta_dedup.h"
#include "pacta_outbox.h"

#define TYPE "pacta.test.Counter"
#define CLASS "counter"

static void
s_teardown(void)
{
    bh_cleanup_all();
}

TestSuite(system, .fini = s_teardown, .timeout = 180);

/* A routes file with the counter class, and the bus arguments using it. */
static const char *const *
s_bus_args(void)
{
    static char routes_arg[BH_PATH_MAX + 32];
    static const char *args[4];
    char path[BH_PATH_MAX];
    bh_write_file("routes.conf", "# test instances\n" CLASS " " TYPE "\n", path, sizeof path);
    snprintf(routes_arg, sizeof routes_arg, "--bus-routes=%s", path);
    args[0] = routes_arg;
    args[1] = "--no-bus-builtin-routes";
    args[2] = NULL;
    return args;
}

static pacta_bus_producer_t *
s_producer(const bh_bus_t *bus, const char *server_key, const char *secret_key)
{
    char err[256];
    pacta_bus_producer_options_t options = {.endpoint = bus->frontend,
                                            .server_public_key = server_key,
                                            .secret_key = secret_key};
    pacta_bus_producer_t *producer = pacta_bus_producer_new(&options, err, sizeof err);
    cr_assert_not_null(producer, "%s", err);
    return producer;
}

/* ---------------------------------------------------------------------------
   10,000 messages, kill -9 of an instance, a bus restart
   ------------------------------------------------------------------------ */

#define LOAD_MESSAGES 10000
#define LOAD_ENTITIES 100
#define LOAD_CHUNK 10                  /* messages per effect call (one entity) */
#define LOAD_GROUP 5                   /* effect calls pipelined together (five entities) */
#define LOAD_RATE 1500                 /* messages written per second */
#define EMIT_BODY "for i = 1, #args do emit(args[i], '') end\nreturn #args"

Test(system, ten_thousand_messages_survive_a_killed_instance_and_a_bus_restart)
{
    const char *tenant = bh_unique();
    bh_bus_t bus;
    bh_bus_start(&bus, "tcp://127.0.0.1:*", "tcp://127.0.0.1:*", s_bus_args(), NULL);
    /* The instances hold each batch 10 ms before applying it, so messages
       are in flight at an instance when it is killed (the bus must
       redeliver them) and at the bus when it is killed (the outbox must
       resend them). */
    const char *instance_args[] = {"--credit=64", "--batch=32", "--delay=10ms", NULL};
    bh_proc_t instances[3];
    const char *names[3] = {"load-a", "load-b", "load-c"};
    for (int i = 0; i < 3; i++)
        bh_counter_start(&instances[i], &bus, CLASS, names[i], TYPE, instance_args);

    /* The producer: messages written to the Redis outbox in the same atomic
       step as a (trivial) state change, relayed to the bus. */
    pacta_store_t *store = bh_store();
    char err[256], service[80];
    snprintf(service, sizeof service, "producer-%s", tenant);
    pacta_outbox_options_t outbox_options = {.service = service,
                                             .lease_ms = 5000,
                                             .grace_ms = 2000,
                                             .resend_initial_ms = 1000,
                                             .resend_max_ms = 2000,
                                             .claim_interval_ms = 10,
                                             .claim_batch = 128,
                                             .max_in_flight = 2000};
    pacta_outbox_t *outbox = pacta_outbox_new(store, &outbox_options, err, sizeof err);
    cr_assert_not_null(outbox, "%s", err);
    pacta_dedup_options_t dedup_options = {.service = service, .outbox = outbox};
    pacta_dedup_t *dedup = pacta_dedup_new(store, &dedup_options, err, sizeof err);
    cr_assert_not_null(dedup, "%s", err);
    cr_assert_eq(pacta_dedup_register(dedup, "emit", EMIT_BODY), 0);
    pacta_bus_producer_t *producer = s_producer(&bus, NULL, NULL);

    /* The stream is paced (LOAD_RATE per second) so that it is still
       flowing when the bus notices the killed instance (its connection
       drops; 3 missed 1 s heartbeats at worst) and when the bus is
       restarted after that: both recovery paths -- redelivery by the bus,
       resend by the outbox -- are exercised. */
    int written = 0, acked = 0;
    bool instance_killed = false, bus_restarted = false;
    int64_t started = bh_now_ms();
    int64_t deadline = started + 90000;
    int64_t next_check = started;
    bool removal_seen = false;
    while (acked < LOAD_MESSAGES && bh_now_ms() < deadline) {
        bool paced = written < (bh_now_ms() - started) * LOAD_RATE / 1000;
        if (written < LOAD_MESSAGES && paced && pacta_outbox_in_flight(outbox) < 1500) {
            /* LOAD_GROUP chunks of LOAD_CHUNK messages, one entity per chunk
               and one atomic step per entity, pipelined in one round trip. */
            char entity_keys[LOAD_GROUP][32], prefixes[LOAD_GROUP][PACTA_DEDUP_PREFIX_MAX + 1];
            const char *args[LOAD_GROUP][LOAD_CHUNK];
            size_t lens[LOAD_GROUP][LOAD_CHUNK];
            uint8_t *packed[LOAD_GROUP][LOAD_CHUNK];
            pacta_dedup_call_t calls[LOAD_GROUP];
            for (int g = 0; g < LOAD_GROUP; g++) {
                int first = written + g * LOAD_CHUNK;
                snprintf(entity_keys[g], sizeof entity_keys[g], "c:%d", (first / LOAD_CHUNK) % LOAD_ENTITIES);
                pacta_dedup_prefix(tenant, entity_keys[g], prefixes[g], sizeof prefixes[g]);
                for (int i = 0; i < LOAD_CHUNK; i++) {
                    char id[64];
                    snprintf(id, sizeof id, "m-%d", first + i);
                    Pacta__V1__Envelope *envelope = bh_envelope(tenant, TYPE, entity_keys[g], id, 24);
                    packed[g][i] = pacta_bus_envelope_pack(envelope, &lens[g][i]);
                    args[g][i] = (const char *) packed[g][i];
                    bh_envelope_free(envelope);
                }
                calls[g] = (pacta_dedup_call_t){.prefix = prefixes[g], .arg_count = LOAD_CHUNK, .args = args[g],
                                                .arg_lens = lens[g], .emits = true};
            }
            cr_assert_eq(pacta_dedup_apply_batch(dedup, "emit", calls, LOAD_GROUP), 0, "%s", calls[0].error);
            for (int g = 0; g < LOAD_GROUP; g++) {
                cr_assert_eq(calls[g].outcome, PACTA_DEDUP_APPLIED, "%s", calls[g].error);
                for (int i = 0; i < LOAD_CHUNK; i++)
                    free(packed[g][i]);
            }
            written += LOAD_GROUP * LOAD_CHUNK;
        }
        int n = pacta_outbox_relay(outbox, producer, written < LOAD_MESSAGES ? 1 : 20);
        cr_assert_geq(n, 0);
        acked += n;
        if (!instance_killed && acked >= 2000 && pacta_outbox_in_flight(outbox) >= 25) {
            bh_kill9(&instances[1]);
            instance_killed = true;
            cr_log_info("kill -9 of load-b after %d acknowledgements", acked);
        }
        bool check = bh_now_ms() >= next_check;
        if (check)
            next_check = bh_now_ms() + 100;
        if (instance_killed && !bus_restarted && (check || removal_seen) && pacta_outbox_in_flight(outbox) >= 25
            && (removal_seen || (removal_seen = bh_count_log(&bus.proc, "\"instance\":\"load-b\",\"reason\":") > 0))) {
            char redelivering[16] = "?", reason[64] = "?";
            bh_log_value(&bus.proc, "\"instance\":\"load-b\",\"reason\":", "redelivering", redelivering,
                         sizeof redelivering);
            bh_log_value(&bus.proc, "\"instance\":\"load-b\",\"reason\":", "reason", reason, sizeof reason);
            cr_log_info("the bus removed load-b (%s) after %d acknowledgements, redelivering %s", reason, acked,
                        redelivering);
            char frontend[128], backend[128];
            snprintf(frontend, sizeof frontend, "%s", bus.frontend);
            snprintf(backend, sizeof backend, "%s", bus.backend);
            bh_kill9(&bus.proc);
            bh_bus_start(&bus, frontend, backend, s_bus_args(), NULL);
            bus_restarted = true;
            cr_log_info("kill -9 and restart of the bus after %d acknowledgements, %zu in flight", acked,
                        pacta_outbox_in_flight(outbox));
        }
    }
    cr_assert(instance_killed && bus_restarted);
    cr_assert_eq(acked, LOAD_MESSAGES, "every message acknowledged (%d of %d)", acked, LOAD_MESSAGES);

    /* Exactly one recorded effect per message: none lost, none doubled. */
    long long total = 0;
    for (int e = 0; e < LOAD_ENTITIES; e++) {
        char entity_key[32], prefix[PACTA_DEDUP_PREFIX_MAX + 1], key[PACTA_OUTBOX_KEY_MAX];
        snprintf(entity_key, sizeof entity_key, "c:%d", e);
        pacta_dedup_prefix(tenant, entity_key, prefix, sizeof prefix);
        snprintf(key, sizeof key, "%s:effects:" CLASS, prefix);
        redisReply *reply = NULL;
        cr_assert_eq(pacta_store_command_strs(store, &reply, "HGETALL", key, NULL), 0);
        cr_assert_eq(reply->elements, 2 * (LOAD_MESSAGES / LOAD_ENTITIES), "entity %s has every message", entity_key);
        for (size_t i = 0; i + 1 < reply->elements; i += 2) {
            const char *id = reply->element[i]->str;
            long long id_number = strtoll(id + 2, NULL, 10);
            cr_assert_eq((id_number / LOAD_CHUNK) % LOAD_ENTITIES, e, "%s belongs to entity %d", id, e);
            cr_assert_str_eq(reply->element[i + 1]->str, "1", "%s applied %s times", id, reply->element[i + 1]->str);
            total++;
        }
        freeReplyObject(reply);
        char stream[PACTA_OUTBOX_KEY_MAX];
        pacta_outbox_stream_key(outbox, prefix, stream, sizeof stream);
        cr_assert_eq(pacta_store_command_strs(store, &reply, "EXISTS", stream, NULL), 0);
        cr_assert_eq(reply->integer, 0, "the outbox of %s is empty", entity_key);
        freeReplyObject(reply);
    }
    cr_assert_eq(total, LOAD_MESSAGES);

    pacta_outbox_stats_t stats;
    pacta_outbox_stats(outbox, &stats);
    long long duplicates = 0;
    for (int i = 0; i < 3; i += 2) {
        cr_assert_eq(bh_stop(&instances[i], SIGTERM, 10000), 0);
        char value[32];
        if (bh_log_value(&instances[i], "\"msg\":\"stopping\"", "duplicates", value, sizeof value))
            duplicates += strtoll(value, NULL, 10);
    }
    cr_log_info("10000 messages: %llu resent by the outbox, %lld duplicates ignored by the instances",
                (unsigned long long) stats.resent, duplicates);
    cr_assert_eq(bh_stop(&bus.proc, SIGTERM, 10000), 0);
    pacta_bus_producer_destroy(&producer);
    pacta_store_destroy(&store);
    pacta_dedup_destroy(&dedup);
    pacta_outbox_destroy(&outbox);
}

/* ---------------------------------------------------------------------------
   The same message twice
   ------------------------------------------------------------------------ */

Test(system, the_same_message_id_twice_gives_one_effect_and_two_acks)
{
    const char *tenant = bh_unique();
    bh_bus_t bus;
    bh_bus_start(&bus, "tcp://127.0.0.1:*", "tcp://127.0.0.1:*", s_bus_args(), NULL);
    bh_proc_t instance;
    bh_counter_start(&instance, &bus, CLASS, "twice-a", TYPE, NULL);
    pacta_bus_producer_t *producer = s_producer(&bus, NULL, NULL);
    Pacta__V1__Envelope *envelope = bh_envelope(tenant, TYPE, "c:1", "evt-2025-0001", 40);
    pacta_bus_reply_t first, second;
    cr_assert_eq(pacta_bus_producer_request(producer, envelope, 5000, 3, &first), 0);
    cr_assert_eq(pacta_bus_producer_request(producer, envelope, 5000, 3, &second), 0);
    cr_assert(first.ack && second.ack, "two ACKs");
    cr_assert_not(first.duplicate);
    cr_assert(second.duplicate, "the second is recognised as a duplicate");

    /* Two copies in flight at once: also one effect. */
    Pacta__V1__Envelope *other = bh_envelope(tenant, TYPE, "c:1", "evt-2025-0002", 40);
    cr_assert_eq(pacta_bus_producer_send(producer, other), 0);
    cr_assert_eq(pacta_bus_producer_send(producer, other), 0);
    pacta_bus_reply_t reply;
    int acks = 0;
    int64_t deadline = bh_now_ms() + 5000;
    while (acks < 1 && bh_now_ms() < deadline)
        if (pacta_bus_producer_recv(producer, 100, &reply) == 0 && reply.ack)
            acks++;
    cr_assert_eq(acks, 1, "both copies answered by one ACK (same sender)");

    pacta_store_t *store = bh_store();
    char prefix[PACTA_DEDUP_PREFIX_MAX + 1], key[PACTA_OUTBOX_KEY_MAX];
    pacta_dedup_prefix(tenant, "c:1", prefix, sizeof prefix);
    snprintf(key, sizeof key, "%s:effects:" CLASS, prefix);
    cr_assert_eq(bh_hget_int(store, key, "evt-2025-0001"), 1, "one effect");
    cr_assert_eq(bh_hget_int(store, key, "evt-2025-0002"), 1, "one effect");
    pacta_store_destroy(&store);
    bh_envelope_free(envelope);
    bh_envelope_free(other);
    pacta_bus_producer_destroy(&producer);
}

/* ---------------------------------------------------------------------------
   Scaling: share, join, leave
   ------------------------------------------------------------------------ */

#define KEYS 300
#define WINDOW 64                      /* requests in flight; below every instance's credit */

/* Sends one message per key (ids unique per round) with at most WINDOW in
   flight, and records which instance acknowledged each key. */
static void
s_round(pacta_bus_producer_t *producer, const char *tenant, const char *round, char owners[KEYS][PACTA_BUS_NAME_MAX + 1])
{
    int sent = 0, answered = 0;
    int64_t deadline = bh_now_ms() + 30000;
    while (answered < KEYS) {
        cr_assert_lt(bh_now_ms(), deadline, "round %s stalled at %d of %d", round, answered, KEYS);
        while (sent < KEYS && sent - answered < WINDOW) {
            char key[32], id[64];
            snprintf(key, sizeof key, "c:%d", sent);
            snprintf(id, sizeof id, "%s-%d", round, sent);
            Pacta__V1__Envelope *envelope = bh_envelope(tenant, TYPE, key, id, 16);
            cr_assert_eq(pacta_bus_producer_send(producer, envelope), 0);
            bh_envelope_free(envelope);
            sent++;
        }
        pacta_bus_reply_t reply;
        if (pacta_bus_producer_recv(producer, 100, &reply) != 0)
            continue;
        cr_assert(reply.ack, "%s: %s", reply.message_id, reply.detail);
        long long k = strtoll(reply.entity_key + 2, NULL, 10);
        cr_assert(k >= 0 && k < KEYS);
        snprintf(owners[k], PACTA_BUS_NAME_MAX + 1, "%s", reply.handled_by);
        answered++;
    }
}

static int
s_owned(char owners[KEYS][PACTA_BUS_NAME_MAX + 1], const char *instance)
{
    int n = 0;
    for (int k = 0; k < KEYS; k++)
        n += strcmp(owners[k], instance) == 0;
    return n;
}

Test(system, instances_share_the_load_and_keys_move_only_when_they_must)
{
    const char *tenant = bh_unique();
    bh_bus_t bus;
    bh_bus_start(&bus, "tcp://127.0.0.1:*", "tcp://127.0.0.1:*", s_bus_args(), NULL);
    bh_proc_t a, b, c, d;
    bh_counter_start(&a, &bus, CLASS, "share-a", TYPE, NULL);
    bh_counter_start(&b, &bus, CLASS, "share-b", TYPE, NULL);
    bh_counter_start(&c, &bus, CLASS, "share-c", TYPE, NULL);
    pacta_bus_producer_t *producer = s_producer(&bus, NULL, NULL);

    static char round_a[KEYS][PACTA_BUS_NAME_MAX + 1], round_b[KEYS][PACTA_BUS_NAME_MAX + 1], round_c[KEYS][PACTA_BUS_NAME_MAX + 1];
    s_round(producer, tenant, "a", round_a);
    const char *three[3] = {"share-a", "share-b", "share-c"};
    for (int i = 0; i < 3; i++) {
        int owned = s_owned(round_a, three[i]);
        cr_log_info("round a: %s handled %d of %d keys", three[i], owned, KEYS);
        cr_assert_gt(owned, KEYS / 10, "%s gets a share (%d)", three[i], owned);
    }

    /* A fourth instance starts while messages are flowing. */
    char binary[BH_PATH_MAX], url[200], redis[BH_PATH_MAX + 20];
    bh_binary("pacta-bus-counter", binary, sizeof binary);
    snprintf(url, sizeof url, "--bus-instance-url=%s", bus.backend);
    snprintf(redis, sizeof redis, "--redis-url=%s", bh_redis_url());
    char *argv[] = {binary, url, (char *) "--service-class=" CLASS, (char *) "--instance-id=share-d",
                    (char *) "--types=" TYPE, redis, NULL};
    bh_spawn(&d, "counter-share-d", argv, NULL);
    static char stream[KEYS][PACTA_BUS_NAME_MAX + 1];
    int rounds = 0;
    while (!bh_wait_log(&d, "\"msg\":\"first delivery\"", 1) && rounds < 100) {
        char name[16];
        snprintf(name, sizeof name, "s%d", rounds++);
        s_round(producer, tenant, name, stream);
    }
    char waited[32] = "";
    cr_assert(bh_log_value(&d, "\"msg\":\"first delivery\"", "ms_since_start", waited, sizeof waited),
              "the fourth instance never got work");
    cr_log_info("the fourth instance got its first message %s ms after it started", waited);
    cr_assert_leq(strtoll(waited, NULL, 10), 2000, "work within 2 s of starting (took %s ms)", waited);

    /* With four, a key either stays where it was or moves to the newcomer. */
    s_round(producer, tenant, "b", round_b);
    int to_d = s_owned(round_b, "share-d");
    cr_assert_gt(to_d, 0);
    for (int k = 0; k < KEYS; k++)
        cr_assert(strcmp(round_b[k], round_a[k]) == 0 || strcmp(round_b[k], "share-d") == 0,
                  "key c:%d moved from %s to %s", k, round_a[k], round_b[k]);

    /* share-b stops: its keys go to the others, nobody else's keys move. */
    cr_assert_eq(bh_stop(&b, SIGTERM, 10000), 0);
    cr_assert(bh_wait_log(&bus.proc, "\"instance\":\"share-b\",\"reason\":\"disconnected\"", 5000));
    s_round(producer, tenant, "c", round_c);
    int moved = 0;
    for (int k = 0; k < KEYS; k++) {
        cr_assert_str_neq(round_c[k], "share-b", "key c:%d still went to the stopped instance", k);
        if (strcmp(round_b[k], "share-b") == 0)
            moved++;
        else
            cr_assert_str_eq(round_c[k], round_b[k], "key c:%d of a live instance moved", k);
    }
    cr_assert_gt(moved, 0);
    cr_log_info("share-d took %d keys when it joined; %d keys of share-b moved when it left", to_d, moved);
    pacta_bus_producer_destroy(&producer);
}

/* ---------------------------------------------------------------------------
   Security and hostile input
   ------------------------------------------------------------------------ */

/* Runs `pacta-bus keygen` and returns the pair. */
static void
s_keygen(const char *name, char public_key[41], char secret_key[41])
{
    char binary[BH_PATH_MAX];
    bh_binary("pacta-bus", binary, sizeof binary);
    char *argv[] = {binary, (char *) "keygen", NULL};
    bh_proc_t proc;
    bh_spawn(&proc, name, argv, NULL);
    cr_assert_eq(bh_stop(&proc, 0, 5000), 0);
    FILE *file = fopen(proc.log_path, "r");
    cr_assert_not_null(file);
    cr_assert_eq(fscanf(file, "public %40s\nsecret %40s", public_key, secret_key), 2);
    fclose(file);
    cr_assert(pacta_bus_key_valid(public_key) && pacta_bus_key_valid(secret_key));
}

/* True when the CURVE handshake of socket to endpoint fails for auth. */
static bool
s_refused(void *context, void *socket, const char *endpoint)
{
    static int monitors = 0;
    char monitor_endpoint[64];
    snprintf(monitor_endpoint, sizeof monitor_endpoint, "inproc://refusal-%d", monitors++);
    cr_assert_eq(zmq_socket_monitor(socket, monitor_endpoint,
                                    ZMQ_EVENT_HANDSHAKE_FAILED_AUTH | ZMQ_EVENT_HANDSHAKE_SUCCEEDED),
                 0);
    void *monitor = zmq_socket(context, ZMQ_PAIR);
    cr_assert_eq(zmq_connect(monitor, monitor_endpoint), 0);
    cr_assert_eq(zmq_connect(socket, endpoint), 0);
    int result = 0;
    int64_t deadline = bh_now_ms() + 10000;
    while (result == 0 && bh_now_ms() < deadline) {
        zmq_pollitem_t item = {.socket = monitor, .events = ZMQ_POLLIN};
        if (zmq_poll(&item, 1, 100) != 1)
            continue;
        zmq_msg_t msg;
        zmq_msg_init(&msg);
        zmq_msg_recv(&msg, monitor, 0);
        uint16_t event = 0;
        memcpy(&event, zmq_msg_data(&msg), sizeof event);
        zmq_msg_close(&msg);
        zmq_msg_init(&msg);
        zmq_msg_recv(&msg, monitor, 0);
        zmq_msg_close(&msg);
        result = event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH ? 1 : event == ZMQ_EVENT_HANDSHAKE_SUCCEEDED ? 2 : 0;
    }
    zmq_socket_monitor(socket, NULL, 0);
    zmq_close(monitor);
    cr_assert_neq(result, 0, "no handshake outcome");
    return result == 1;
}

Test(system, curve_refuses_unknown_keys_and_foreign_tenants)
{
    const char *tenant = bh_unique();
    bh_bus_t bus;
    char bus_public[41], bus_secret[41], crm_public[41], crm_secret[41], inst_public[41], inst_secret[41];
    char stranger_public[41], stranger_secret[41];
    s_keygen("keygen-bus", bus_public, bus_secret);
    s_keygen("keygen-crm", crm_public, crm_secret);
    s_keygen("keygen-instance", inst_public, inst_secret);
    s_keygen("keygen-stranger", stranger_public, stranger_secret);
    char text[1024], allow_path[BH_PATH_MAX], secret_path[BH_PATH_MAX], inst_secret_path[BH_PATH_MAX];
    snprintf(text, sizeof text,
             "# public key                              name      permissions\n"
             "%s  crm       tenants=%s types=" TYPE "\n"
             "%s  counter   classes=" CLASS "\n",
             crm_public, tenant, inst_public);
    bh_write_file("allow.list", text, allow_path, sizeof allow_path);
    snprintf(text, sizeof text, "# bus secret key\n%s\n", bus_secret);
    bh_write_file("bus.key", text, secret_path, sizeof secret_path);
    snprintf(text, sizeof text, "%s\n", inst_secret);
    bh_write_file("instance.key", text, inst_secret_path, sizeof inst_secret_path);

    char allow_arg[BH_PATH_MAX + 32], secret_arg[BH_PATH_MAX + 32];
    snprintf(allow_arg, sizeof allow_arg, "--bus-allow-list=%s", allow_path);
    snprintf(secret_arg, sizeof secret_arg, "--bus-secret-key-file=%s", secret_path);
    const char *const *routes = s_bus_args();
    const char *args[] = {routes[0], routes[1], "--bus-curve", allow_arg, secret_arg, NULL};
    bh_bus_start(&bus, "tcp://127.0.0.1:*", "tcp://127.0.0.1:*", args, NULL);
    cr_assert_eq(bh_count_log(&bus.proc, "PLAIN MODE"), 0);

    /* The instance authenticates with its key files. */
    char pub_path[BH_PATH_MAX], key_arg[BH_PATH_MAX + 32], secret_file_arg[BH_PATH_MAX + 40];
    snprintf(text, sizeof text, "%s\n", bus_public);
    bh_write_file("bus.pub", text, pub_path, sizeof pub_path);
    snprintf(key_arg, sizeof key_arg, "--bus-public-key=%s", pub_path);
    snprintf(secret_file_arg, sizeof secret_file_arg, "--bus-client-secret-key-file=%s", inst_secret_path);
    const char *instance_args[] = {key_arg, secret_file_arg, NULL};
    bh_proc_t instance;
    bh_counter_start(&instance, &bus, CLASS, "secure-a", TYPE, instance_args);

    pacta_bus_producer_t *crm = s_producer(&bus, bus_public, crm_secret);
    pacta_bus_reply_t reply;
    Pacta__V1__Envelope *allowed = bh_envelope(tenant, TYPE, "c:1", "curve-1", 16);
    cr_assert_eq(pacta_bus_producer_request(crm, allowed, 5000, 2, &reply), 0);
    cr_assert(reply.ack, "a listed key sends for its tenant: %s", reply.detail);
    Pacta__V1__Envelope *foreign = bh_envelope("someone-else", TYPE, "c:1", "curve-2", 16);
    cr_assert_eq(pacta_bus_producer_request(crm, foreign, 5000, 2, &reply), 0);
    cr_assert_not(reply.ack);
    cr_assert_eq(reply.reason, PACTA__V1__NACK_REASON__NACK_REASON_UNAUTHORISED);
    cr_assert_str_eq(reply.field, "envelope.tenant");
    cr_assert_not(reply.retryable);

    /* An authenticated client sending a truncated envelope: refused, and the
       bus carries on. */
    size_t len = 0;
    uint8_t *packed = pacta_bus_envelope_pack(allowed, &len);
    cr_assert_eq(pacta_bus_producer_send_bytes(crm, packed, len / 2), 0);
    cr_assert_eq(pacta_bus_producer_recv(crm, 5000, &reply), 0);
    cr_assert_eq(reply.reason, PACTA__V1__NACK_REASON__NACK_REASON_INVALID);
    free(packed);

    /* Unknown keys never get past the handshake, on either socket; a
       producer key cannot register as an instance; a plain client cannot
       talk to a CURVE bus at all. */
    void *context = zmq_ctx_new();
    int zero = 0;
    char err[256];
    void *stranger = zmq_socket(context, ZMQ_DEALER);
    zmq_setsockopt(stranger, ZMQ_LINGER, &zero, sizeof zero);
    cr_assert_eq(pacta_bus_curve_client(stranger, bus_public, stranger_secret, err, sizeof err), 0);
    cr_assert(s_refused(context, stranger, bus.frontend), "unknown key refused on the frontend");
    zmq_close(stranger);
    stranger = zmq_socket(context, ZMQ_DEALER);
    zmq_setsockopt(stranger, ZMQ_LINGER, &zero, sizeof zero);
    cr_assert_eq(pacta_bus_curve_client(stranger, bus_public, stranger_secret, err, sizeof err), 0);
    cr_assert(s_refused(context, stranger, bus.backend), "unknown key refused on the backend");
    zmq_close(stranger);
    void *impostor = zmq_socket(context, ZMQ_DEALER);
    zmq_setsockopt(impostor, ZMQ_LINGER, &zero, sizeof zero);
    cr_assert_eq(pacta_bus_curve_client(impostor, bus_public, crm_secret, err, sizeof err), 0);
    cr_assert(s_refused(context, impostor, bus.backend), "a producer key may not register instances");
    zmq_close(impostor);
    zmq_ctx_term(context);
    pacta_bus_producer_t *plain = s_producer(&bus, NULL, NULL);
    Pacta__V1__Envelope *sneaky = bh_envelope(tenant, TYPE, "c:1", "curve-3", 16);
    cr_assert_eq(pacta_bus_producer_request(plain, sneaky, 500, 1, &reply), 1, "no answer without CURVE");
    pacta_bus_producer_destroy(&plain);

    int64_t deadline = bh_now_ms() + 5000;   /* metrics are published once a second */
    while (bh_metric(bus.http_port, "pacta_bus_zap_total{result=\"denied\"}") < 3 && bh_now_ms() < deadline)
        bh_sleep_ms(100);
    cr_assert_geq(bh_metric(bus.http_port, "pacta_bus_zap_total{result=\"denied\"}"), 3);
    cr_assert(bh_wait_log(&bus.proc, "connection refused by the allow-list", 1000));
    cr_assert_eq(pacta_bus_producer_request(crm, allowed, 5000, 2, &reply), 0);
    cr_assert(reply.ack, "still serving");
    bh_envelope_free(allowed);
    bh_envelope_free(foreign);
    bh_envelope_free(sneaky);
    pacta_bus_producer_destroy(&crm);
    cr_assert_eq(bh_stop(&bus.proc, SIGTERM, 10000), 0);
}

/* Sends raw parts (DONTWAIT: a socket ZeroMQ dropped must not block). */
static void
s_raw(void *socket, size_t count, const void *const *parts, const size_t *lens)
{
    pacta_bus_send_parts(socket, count, parts, lens, ZMQ_DONTWAIT);
}

Test(system, garbage_oversized_and_truncated_frames_never_stop_the_bus)
{
    const char *tenant = bh_unique();
    bh_bus_t bus;
    const char *const *routes = s_bus_args();
    const char *args[] = {routes[0], routes[1], "--bus-max-message-size=65536", NULL};
    bh_bus_start(&bus, "tcp://127.0.0.1:*", "tcp://127.0.0.1:*", args, NULL);
    bh_proc_t instance;
    bh_counter_start(&instance, &bus, CLASS, "sturdy-a", TYPE, NULL);

    void *context = zmq_ctx_new();
    int zero = 0;
    uint8_t send = PACTA_BUS_CMD_SEND, ready = PACTA_BUS_CMD_READY, done = PACTA_BUS_CMD_DONE;
    static uint8_t noise[300 * 1024];
    uint64_t x = 88172645463325252ull;
    for (size_t i = 0; i < sizeof noise; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        noise[i] = (uint8_t) x;
    }
    Pacta__V1__Envelope *valid = bh_envelope(tenant, TYPE, "c:1", "sturdy-0", 64);
    size_t valid_len = 0;
    uint8_t *valid_bytes = pacta_bus_envelope_pack(valid, &valid_len);
    Pacta__V1__Envelope *big = bh_envelope(tenant, TYPE, "c:1", "sturdy-big", 100 * 1024);
    size_t big_len = 0;
    uint8_t *big_bytes = pacta_bus_envelope_pack(big, &big_len);

    for (int round = 0; round < 2; round++) {
        void *front = zmq_socket(context, ZMQ_DEALER);
        void *back = zmq_socket(context, ZMQ_DEALER);
        zmq_setsockopt(front, ZMQ_LINGER, &zero, sizeof zero);
        zmq_setsockopt(back, ZMQ_LINGER, &zero, sizeof zero);
        cr_assert_eq(zmq_connect(front, bus.frontend), 0);
        cr_assert_eq(zmq_connect(back, bus.backend), 0);
        for (int i = 0; i < 200; i++) {
            size_t n = (size_t) (i * 7919) % 512 + 1;
            const void *one[1] = {noise + i};
            size_t one_len[1] = {n};
            s_raw(front, 1, one, one_len);
            s_raw(back, 1, one, one_len);
            const void *three[3] = {PACTA_BUS_SIGNATURE, &send, noise + i * 3};
            size_t three_len[3] = {6, 1, n};
            s_raw(front, 3, three, three_len);                       /* undecodable envelope */
            const void *trunc[3] = {PACTA_BUS_SIGNATURE, &send, valid_bytes};
            size_t trunc_len[3] = {6, 1, valid_len - 1 - (size_t) i % (valid_len - 1)};
            s_raw(front, 3, trunc, trunc_len);                        /* truncated protobuf */
            const void *fake_ready[6] = {PACTA_BUS_SIGNATURE, &ready, noise + i, noise, noise, noise};
            size_t fake_ready_len[6] = {6, 1, n, 3, 2, n};
            s_raw(back, 6, fake_ready, fake_ready_len);               /* READY with junk fields */
            const void *fake_done[4] = {PACTA_BUS_SIGNATURE, &done, noise + i, noise};
            size_t fake_done_len[4] = {6, 1, 8, n};
            s_raw(back, 4, fake_done, fake_done_len);                 /* DONE for nothing */
        }
        const void *oversized[3] = {PACTA_BUS_SIGNATURE, &send, big_bytes};
        size_t oversized_len[3] = {6, 1, big_len};
        s_raw(front, 3, oversized, oversized_len);                    /* above the cap: NACK TOO_LARGE */
        bool too_large = false;
        int64_t deadline = bh_now_ms() + 5000;
        while (round == 0 && !too_large && bh_now_ms() < deadline) {
            zmq_pollitem_t item = {.socket = front, .events = ZMQ_POLLIN};
            if (zmq_poll(&item, 1, 100) != 1)
                continue;
            pacta_bus_frames_t frames;
            if (pacta_bus_frames_recv(front, &frames, 0) != 0)
                continue;
            pacta_bus_reply_t reply;
            if (frames.count == 3
                && pacta_bus_reply_parse(pacta_bus_frame_data(&frames, 2), pacta_bus_frame_size(&frames, 2), &reply)
                       == 0
                && strcmp(reply.message_id, "sturdy-big") == 0) {
                too_large = reply.reason == PACTA__V1__NACK_REASON__NACK_REASON_TOO_LARGE;
            }
            pacta_bus_frames_close(&frames);
        }
        if (round == 0)
            cr_assert(too_large, "an oversized envelope is answered NACK TOO_LARGE");
        const void *huge[3] = {PACTA_BUS_SIGNATURE, &send, noise};
        size_t huge_len[3] = {6, 1, sizeof noise};
        s_raw(front, 3, huge, huge_len);                              /* above 2x the cap: cut by ZeroMQ */
        s_raw(back, 3, huge, huge_len);
        zmq_close(front);
        zmq_close(back);
    }
    zmq_ctx_term(context);

    /* The bus is alive, healthy, counted the garbage, and still works. */
    cr_assert(bh_alive(&bus.proc));
    char body[4096];
    cr_assert_eq(bh_http_get(bus.http_port, "/healthz", body, sizeof body), 200, "%s", body);
    pacta_bus_producer_t *producer = s_producer(&bus, NULL, NULL);
    pacta_bus_reply_t reply;
    cr_assert_eq(pacta_bus_producer_request(producer, valid, 5000, 3, &reply), 0);
    cr_assert(reply.ack, "%s", reply.detail);
    bh_sleep_ms(1200);   /* metrics are published once a second */
    double refused = 0;
    const char *kinds[] = {"pacta_bus_frames_refused_total{socket=\"frontend\",reason=\"bad_frame\"}",
                           "pacta_bus_frames_refused_total{socket=\"frontend\",reason=\"undecodable\"}",
                           "pacta_bus_frames_refused_total{socket=\"backend\",reason=\"bad_frame\"}",
                           "pacta_bus_frames_refused_total{socket=\"backend\",reason=\"bad_ready\"}"};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        double v = bh_metric(bus.http_port, kinds[i]);
        cr_assert_gt(v, 0, "%s counted", kinds[i]);
        refused += v;
    }
    cr_log_info("the bus refused %.0f garbage frames and kept serving", refused);
    cr_assert_geq(bh_metric(bus.http_port, "pacta_bus_messages_nacked_total{type=\"other\",reason=\"TOO_LARGE\"}"), 1);
    cr_assert_eq(bh_metric(bus.http_port, "pacta_bus_instances_live{class=\"" CLASS "\"}"), 1,
                 "junk READYs registered nothing");
    free(valid_bytes);
    free(big_bytes);
    bh_envelope_free(valid);
    bh_envelope_free(big);
    pacta_bus_producer_destroy(&producer);
    cr_assert_eq(bh_stop(&bus.proc, SIGTERM, 10000), 0, "clean stop after the abuse");
}

Test(system, bad_bus_configuration_is_refused_with_a_reason)
{
    char binary[BH_PATH_MAX];
    bh_binary("pacta-bus", binary, sizeof binary);
    bh_proc_t proc;
    char *curve_without_key[] = {binary, (char *) "--bus-curve", (char *) "--http-addr=127.0.0.1:0", NULL};
    bh_spawn(&proc, "no-key", curve_without_key, NULL);
    cr_assert_eq(bh_stop(&proc, 0, 5000), 2);
    cr_assert(bh_wait_log(&proc, "PACTA_BUS_SECRET_KEY", 10));
    char bad_routes[BH_PATH_MAX], routes_arg[BH_PATH_MAX + 20];
    bh_write_file("bad-routes.conf", "lonely\n", bad_routes, sizeof bad_routes);
    snprintf(routes_arg, sizeof routes_arg, "--bus-routes=%s", bad_routes);
    char *with_bad_routes[] = {binary, routes_arg, (char *) "--http-addr=127.0.0.1:0",
                               (char *) "--bus-frontend=tcp://127.0.0.1:*", (char *) "--bus-backend=tcp://127.0.0.1:*",
                               NULL};
    bh_spawn(&proc, "bad-routes", with_bad_routes, NULL);
    cr_assert_eq(bh_stop(&proc, 0, 5000), 1);
    cr_assert(bh_wait_log(&proc, "lists no message type", 10));
    char *bad_flag[] = {binary, (char *) "--bus-queue-max=0", NULL};
    bh_spawn(&proc, "bad-flag", bad_flag, NULL);
    cr_assert_eq(bh_stop(&proc, 0, 5000), 2);
    cr_assert(bh_wait_log(&proc, "--bus-queue-max", 10));
}

/* ---------------------------------------------------------------------------
   A service on pacta_service_main() consuming from the bus
   ------------------------------------------------------------------------ */

Test(system, a_service_consumes_through_the_shared_main_loop)
{
    const char *tenant = bh_unique();
    bh_bus_t bus;
    char path[BH_PATH_MAX], routes_arg[BH_PATH_MAX + 32];
    bh_write_file("service-routes.conf", "test-service " TYPE "\n", path, sizeof path);
    snprintf(routes_arg, sizeof routes_arg, "--bus-routes=%s", path);
    const char *args[] = {routes_arg, "--no-bus-builtin-routes", NULL};
    bh_bus_start(&bus, "tcp://127.0.0.1:*", "tcp://127.0.0.1:*", args, NULL);

    char binary[BH_PATH_MAX], env_redis[BH_PATH_MAX + 32], env_profiles[BH_PATH_MAX + 32], env_bus[200];
    snprintf(binary, sizeof binary, "%s/tests/bus_test_service", PACTA_BINARY_DIR);
    snprintf(env_redis, sizeof env_redis, "PACTA_REDIS_URL=%s", bh_redis_url());
    snprintf(env_profiles, sizeof env_profiles, "PACTA_PROFILE_DIR=%s/deploy/profiles", PACTA_SOURCE_DIR);
    snprintf(env_bus, sizeof env_bus, "PACTA_BUS_INSTANCE_URL=%s", bus.backend);
    char *env[] = {env_redis, env_profiles, env_bus, (char *) "PACTA_HTTP_ADDR=127.0.0.1:0",
                   (char *) "PACTA_INSTANCE_ID=svc-1", NULL};
    char *argv[] = {binary, NULL};
    bh_proc_t service;
    bh_spawn(&service, "test-service", argv, env);
    cr_assert(bh_wait_log(&bus.proc, "\"class\":\"test-service\",\"instance\":\"svc-1\"", 10000),
              "the service registered (log %s)", service.log_path);

    pacta_bus_producer_t *producer = s_producer(&bus, NULL, NULL);
    pacta_bus_reply_t reply;
    Pacta__V1__Envelope *ok = bh_envelope(tenant, TYPE, "c:1", "fine-1", 8);
    cr_assert_eq(pacta_bus_producer_request(producer, ok, 5000, 2, &reply), 0);
    cr_assert(reply.ack);
    cr_assert_str_eq(reply.handled_by, "svc-1");
    cr_assert_eq(reply.entity_version, 42);
    Pacta__V1__Envelope *refused = bh_envelope(tenant, TYPE, "c:1", "refuse-1", 8);
    cr_assert_eq(pacta_bus_producer_request(producer, refused, 5000, 2, &reply), 0);
    cr_assert_eq(reply.reason, PACTA__V1__NACK_REASON__NACK_REASON_UNKNOWN_ENTITY);
    Pacta__V1__Envelope *silent = bh_envelope(tenant, TYPE, "c:1", "silent-1", 8);
    cr_assert_eq(pacta_bus_producer_request(producer, silent, 5000, 2, &reply), 0);
    cr_assert_eq(reply.reason, PACTA__V1__NACK_REASON__NACK_REASON_INTERNAL, "an unanswered delivery is refused");

    char port[16], body[4096];
    cr_assert(bh_log_value(&service, "\"msg\":\"http endpoint listening\"", "port", port, sizeof port));
    int64_t deadline = bh_now_ms() + 5000;
    int status = 0;
    while ((status = bh_http_get((int) strtol(port, NULL, 10), "/healthz", body, sizeof body)) != 200
           && bh_now_ms() < deadline)
        bh_sleep_ms(100);
    cr_assert_eq(status, 200, "%s", body);
    cr_assert(strstr(body, "\"bus\":\"ok\""), "the bus health check: %s", body);

    cr_assert_eq(bh_stop(&service, SIGTERM, 10000), 0, "clean stop");
    cr_assert(bh_wait_log(&bus.proc, "\"instance\":\"svc-1\",\"reason\":\"disconnected\"", 5000),
              "the service said goodbye to the bus");
    bh_envelope_free(ok);
    bh_envelope_free(refused);
    bh_envelope_free(silent);
    pacta_bus_producer_destroy(&producer);
}
