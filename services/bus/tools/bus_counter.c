/*  =========================================================================
    pacta-bus-counter - a reference bus instance with an exactly-once effect

    What a service's consumer loop looks like, reduced to one effect: for
    every delivery it increments <prefix>:effects:<class>[message_id]
    through pacta_dedup, so the count of a message id can only ever be 1
    however often the bus redelivers it (who handled it is in the ACK).
    The integration tests and scripts/bench-bus.sh run it as "test
    instances"; scripts/run.sh runs one to show the bus working.

    Design decision: deliveries are taken in batches (whatever arrived, up
    to --batch) and applied with one pipelined Redis round trip, then
    acknowledged; with --no-redis it acknowledges at once, which measures
    the bus alone.
    =========================================================================
*/
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pacta_bus_worker.h"
#include "pacta_config.h"
#include "pacta_dedup.h"
#include "pacta_log.h"
#include "pacta_store.h"

#define BATCH_MAX 256                  /* largest --batch */
#define TYPES_MAX 64                   /* --types entries */
#define EFFECT_NAME "bus_counter"
#define EFFECT_BODY "redis.call('HINCRBY', keys[1], args[1], 1)\nreturn 1"

static volatile sig_atomic_t s_stop = 0;

/* Only sets a flag: the loop finishes its batch and disconnects cleanly. */
static void
s_on_signal(int signum)
{
    (void) signum;
    s_stop = 1;
}

/* Monotonic milliseconds for the first-delivery log. */
static int64_t
s_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const pacta_config_option_t s_options[] = {
    {.name = "bus_instance_url", .type = PACTA_OPT_STRING, .default_value = "tcp://127.0.0.1:5561",
     .help = "the bus backend"},
    {.name = "service_class", .type = PACTA_OPT_STRING, .default_value = "test-counter",
     .help = "class to register as (must be in the bus's routing table)"},
    {.name = "instance_id", .type = PACTA_OPT_STRING, .default_value = NULL, .help = "instance name (default counter-<pid>)"},
    {.name = "types", .type = PACTA_OPT_STRING, .default_value = "pacta.test.Counter",
     .help = "comma-separated message types consumed"},
    {.name = "credit", .type = PACTA_OPT_INT, .default_value = "256", .min = 1, .max = 100000,
     .help = "deliveries held at once"},
    {.name = "batch", .type = PACTA_OPT_INT, .default_value = "64", .min = 1, .max = BATCH_MAX,
     .help = "deliveries applied per Redis round trip"},
    {.name = "redis_url", .type = PACTA_OPT_STRING, .default_value = "redis://127.0.0.1:6379",
     .help = "Redis for the effect and the dedup records"},
    {.name = "no_redis", .type = PACTA_OPT_BOOL, .default_value = "false",
     .help = "acknowledge without any effect (measures the bus alone)"},
    {.name = "delay", .type = PACTA_OPT_DURATION, .default_value = "0",
     .help = "pause before each batch is applied (simulates slow work)"},
    {.name = "heartbeat", .type = PACTA_OPT_DURATION, .default_value = "1s", .help = "heartbeat interval"},
    {.name = "bus_public_key", .type = PACTA_OPT_STRING, .default_value = NULL,
     .help = "the bus's CURVE public key (Z85 or key file); unset = plain"},
    {.name = "bus_client_secret_key", .type = PACTA_OPT_STRING, .flags = PACTA_OPT_SECRET | PACTA_OPT_FILE,
     .help = "this instance's CURVE secret key (Z85)"},
    {.name = "log_level", .type = PACTA_OPT_STRING, .default_value = "info", .choices = "debug|info|warn|error",
     .help = "lowest level logged"},
};
#define OPTION_COUNT (sizeof s_options / sizeof s_options[0])

/* One delivery being applied. */
typedef struct {
    pacta_bus_delivery_t *delivery;    /* owned until answered */
    char prefix[PACTA_DEDUP_PREFIX_MAX + 1]; /* entity prefix */
    char effects_key[PACTA_OUTBOX_KEY_MAX];  /* HASH id -> count */
    char digest[PACTA_DEDUP_DIGEST_LEN + 1]; /* content digest */
    const char *keys[1];               /* effect keys */
    const char *args[1];               /* effect args */
} item_t;

/* Receive a batch, apply it in one pipelined round trip through pacta_dedup, answer each delivery
   by its outcome; repeat until SIGTERM. */
int
main(int argc, char **argv)
{
    int exit_code = 1;
    char err[512] = "";
    pacta_config_t *config = pacta_config_new("bus-counter", PACTA_VERSION,
                                              "Reference bus instance: counts each message once, in Redis");
    pacta_store_t *store = NULL;
    pacta_dedup_t *dedup = NULL;
    pacta_bus_worker_t *worker = NULL;
    char *types_copy = NULL;
    item_t *items = calloc(BATCH_MAX, sizeof *items);
    pacta_dedup_call_t *calls = calloc(BATCH_MAX, sizeof *calls);
    if (!config || !items || !calls || pacta_config_add(config, s_options, OPTION_COUNT) != 0)
        goto cleanup;
    int parsed = pacta_config_parse(config, argc, argv, NULL);
    if (parsed != 0) {
        exit_code = parsed > 0 ? 0 : PACTA_EXIT_USAGE;
        goto cleanup;
    }
    pacta_log_level_t level = PACTA_LOG_INFO;
    pacta_log_level_parse(pacta_config_string(config, "log_level"), &level);
    pacta_log_set_service("bus-counter");
    pacta_log_set_level(level);

    char instance_id[PACTA_BUS_NAME_MAX + 1];
    const char *configured = pacta_config_string(config, "instance_id");
    if (configured && *configured)
        snprintf(instance_id, sizeof instance_id, "%s", configured);
    else
        snprintf(instance_id, sizeof instance_id, "counter-%ld", (long) getpid());
    const char *service_class = pacta_config_string(config, "service_class");
    bool no_redis = pacta_config_bool(config, "no_redis");
    size_t batch = (size_t) pacta_config_int(config, "batch");
    int64_t delay_ms = pacta_config_duration_ms(config, "delay");

    const char *types[TYPES_MAX + 1];
    size_t type_count = 0;
    types_copy = strdup(pacta_config_string(config, "types"));
    if (!types_copy)
        goto cleanup;
    for (char *p = types_copy; p && *p && type_count < TYPES_MAX;) {
        char *comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        if (*p)
            types[type_count++] = p;
        p = comma ? comma + 1 : NULL;
    }
    types[type_count] = NULL;

    if (!no_redis) {
        pacta_store_options_t store_options = {.url = pacta_config_string(config, "redis_url"),
                                               .client_name = "pacta-bus-counter"};
        store = pacta_store_new(&store_options, err, sizeof err);
        if (!store) {
            fprintf(stderr, "pacta-bus-counter: %s\n", err);
            exit_code = PACTA_EXIT_USAGE;
            goto cleanup;
        }
        pacta_dedup_options_t dedup_options = {.service = service_class};
        dedup = pacta_dedup_new(store, &dedup_options, err, sizeof err);
        if (!dedup || pacta_dedup_register(dedup, EFFECT_NAME, EFFECT_BODY) != 0) {
            pacta_log_error("cannot set up the effect", "error", dedup ? pacta_store_error(store) : err);
            goto cleanup;
        }
    }

    char bus_public[PACTA_BUS_KEY_Z85_LEN + 1] = "";
    const char *bus_key = pacta_config_string(config, "bus_public_key");
    if (bus_key && *bus_key && pacta_bus_key_resolve(bus_key, bus_public, err, sizeof err) != 0) {
        fprintf(stderr, "pacta-bus-counter: --bus-public-key: %s\n", err);
        exit_code = PACTA_EXIT_USAGE;
        goto cleanup;
    }
    char client_secret[PACTA_BUS_KEY_Z85_LEN + 1] = "";
    const char *secret_text = pacta_config_string(config, "bus_client_secret_key");
    if (bus_public[0] && (!secret_text || pacta_bus_key_from_text(secret_text, strlen(secret_text), client_secret, err,
                                                                  sizeof err) != 0)) {
        fprintf(stderr, "pacta-bus-counter: --bus-client-secret-key(-file): %s\n", secret_text ? err : "missing");
        exit_code = PACTA_EXIT_USAGE;
        goto cleanup;
    }
    pacta_bus_worker_options_t worker_options = {
        .endpoint = pacta_config_string(config, "bus_instance_url"),
        .service_class = service_class,
        .instance_id = instance_id,
        .consumes = types,
        .credit = (uint32_t) pacta_config_int(config, "credit"),
        .heartbeat_ms = pacta_config_duration_ms(config, "heartbeat"),
        .server_public_key = bus_public[0] ? bus_public : NULL,
        .secret_key = client_secret[0] ? client_secret : NULL,
    };
    worker = pacta_bus_worker_new(&worker_options, err, sizeof err);
    if (!worker) {
        fprintf(stderr, "pacta-bus-counter: %s\n", err);
        exit_code = PACTA_EXIT_USAGE;
        goto cleanup;
    }
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = s_on_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGTERM, &action, NULL);
    sigaction(SIGINT, &action, NULL);
    signal(SIGPIPE, SIG_IGN);

    int64_t started = s_now_ms();
    bool first = true;
    uint64_t applied = 0, duplicates = 0, refused = 0;
    pacta_log_info("started", "instance", instance_id, "class", service_class);
    while (!s_stop) {
        size_t n = 0;
        pacta_bus_delivery_t *delivery = NULL;
        if (pacta_bus_worker_recv(worker, 200, &delivery) != 0 || !delivery)
            continue;
        items[n++].delivery = delivery;
        while (n < batch && pacta_bus_worker_recv(worker, 0, &delivery) == 0 && delivery)
            items[n++].delivery = delivery;
        if (first) {
            char ms[24];
            snprintf(ms, sizeof ms, "%lld", (long long) (s_now_ms() - started));
            pacta_log_info("first delivery", "instance", instance_id, "ms_since_start", ms);
            first = false;
        }
        if (delay_ms > 0) {
            struct timespec ts = {.tv_sec = (time_t) (delay_ms / 1000), .tv_nsec = (long) (delay_ms % 1000) * 1000000L};
            nanosleep(&ts, NULL);
        }
        if (no_redis) {
            for (size_t i = 0; i < n; i++)
                pacta_bus_worker_ack(worker, &items[i].delivery, false, 0);
            applied += n;
            continue;
        }
        for (size_t i = 0; i < n; i++) {
            item_t *item = &items[i];
            const Pacta__V1__Envelope *env = pacta_bus_delivery_envelope(item->delivery);
            pacta_dedup_prefix(env->tenant, env->entity_key, item->prefix, sizeof item->prefix);
            snprintf(item->effects_key, sizeof item->effects_key, "%s:effects:%s", item->prefix, service_class);
            pacta_dedup_digest(env->message_type, env->payload.data, env->payload.len, item->digest);
            item->keys[0] = item->effects_key;
            item->args[0] = env->message_id;
            memset(&calls[i], 0, sizeof calls[i]);
            calls[i].prefix = item->prefix;
            calls[i].message_id = env->message_id;
            calls[i].digest = item->digest;
            calls[i].key_count = 1;
            calls[i].keys = item->keys;
            calls[i].arg_count = 1;
            calls[i].args = item->args;
        }
        pacta_dedup_apply_batch(dedup, EFFECT_NAME, calls, n);
        for (size_t i = 0; i < n; i++) {
            switch (calls[i].outcome) {
                case PACTA_DEDUP_APPLIED:
                    applied++;
                    pacta_bus_worker_ack(worker, &items[i].delivery, false, 0);
                    break;
                case PACTA_DEDUP_DUPLICATE:
                    duplicates++;
                    pacta_bus_worker_ack(worker, &items[i].delivery, true, 0);
                    break;
                case PACTA_DEDUP_CONFLICT:
                    refused++;
                    pacta_bus_worker_nack(worker, &items[i].delivery, PACTA__V1__NACK_REASON__NACK_REASON_CONFLICT,
                                          "envelope.message_id", calls[i].error, 0);
                    break;
                case PACTA_DEDUP_REFUSED:
                    refused++;
                    pacta_bus_worker_nack(worker, &items[i].delivery, PACTA__V1__NACK_REASON__NACK_REASON_INTERNAL,
                                          NULL, calls[i].error, 0);
                    break;
                case PACTA_DEDUP_FAILED:
                    pacta_bus_worker_nack(worker, &items[i].delivery,
                                          PACTA__V1__NACK_REASON__NACK_REASON_RETRY_LATER, NULL, calls[i].error, 1000);
                    break;
            }
        }
    }
    pacta_log_fields(PACTA_LOG_INFO, "stopping",
                     (pacta_log_field_t[]){{"instance", instance_id, 0},
                                           {"applied", NULL, (int64_t) applied},
                                           {"duplicates", NULL, (int64_t) duplicates},
                                           {"refused", NULL, (int64_t) refused}},
                     4);
    exit_code = 0;

cleanup:
    pacta_bus_worker_destroy(&worker);
    pacta_store_destroy(&store);
    pacta_dedup_destroy(&dedup);
    pacta_config_destroy(&config);
    free(types_copy);
    free(items);
    free(calls);
    return exit_code;
}
