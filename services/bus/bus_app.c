/*  =========================================================================
    bus_app - the pacta-bus process around the broker

    The bus is not a pacta_service: it holds no state, needs no Redis and no
    terms profile, and its loop must react to sockets within microseconds
    rather than tick every 100 ms. It reuses the shared pieces instead:
    pacta_config for flags and PACTA_* variables, pacta_log, pacta_metrics
    and pacta_http for /healthz and /metrics.

    Design decision: plain mode (no CURVE) stays available for local
    development but is announced with a warning at every start, so nobody
    runs it in production by accident without the logs saying so.
    =========================================================================
*/
#include "bus_app.h"

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "bus_allow.h"
#include "bus_broker.h"
#include "bus_routes.h"
#include "pacta_bus_wire.h"
#include "pacta_config.h"
#include "pacta_http.h"
#include "pacta_log.h"
#include "pacta_metrics.h"

#define EXIT_RUNTIME 1
#define LOOP_STALL_MS 30000           /* /healthz "loop" fails after this long without a turn */
#define TURN_MS 100                   /* longest wait of one broker turn */

static volatile sig_atomic_t s_stop_signal = 0;
static atomic_llong s_last_turn_ms;

/* Only sets a flag: the loop notices it within one turn and shuts down in order. */
static void
s_on_signal(int signum)
{
    s_stop_signal = signum;
}

/* Monotonic milliseconds: timeouts must not jump with the wall clock. */
static int64_t
s_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const pacta_config_option_t s_options[] = {
    {.name = "bus_frontend", .type = PACTA_OPT_STRING, .default_value = "tcp://127.0.0.1:5560",
     .help = "ZeroMQ endpoint bound for producers (clients use it as PACTA_BUS_URL); port * = any"},
    {.name = "bus_backend", .type = PACTA_OPT_STRING, .default_value = "tcp://127.0.0.1:5561",
     .help = "ZeroMQ endpoint bound for service instances (PACTA_BUS_INSTANCE_URL of the services)"},
    {.name = "http_addr", .type = PACTA_OPT_STRING, .default_value = "127.0.0.1:8080",
     .help = "listen address of /healthz and /metrics (port 0 = any free port)"},
    {.name = "log_level", .type = PACTA_OPT_STRING, .default_value = "info", .choices = "debug|info|warn|error",
     .help = "lowest level logged"},
    {.name = "bus_routes", .type = PACTA_OPT_STRING, .default_value = NULL,
     .help = "routes file adding service classes: lines 'class type type...'"},
    {.name = "bus_builtin_routes", .type = PACTA_OPT_BOOL, .default_value = "true",
     .help = "route to the five services by their own consumes lists"},
    {.name = "bus_curve", .type = PACTA_OPT_BOOL, .default_value = "false",
     .help = "CURVE encryption and the ZAP allow-list on both sockets (off = plain, for development)"},
    {.name = "bus_secret_key", .type = PACTA_OPT_STRING, .flags = PACTA_OPT_SECRET | PACTA_OPT_FILE,
     .help = "the bus's CURVE secret key (Z85), or use the _FILE form with a key file"},
    {.name = "bus_allow_list", .type = PACTA_OPT_STRING, .default_value = NULL,
     .help = "allow-list file: 'public-key name tenants=.. types=.. classes=..' per client"},
    {.name = "bus_max_message_size", .type = PACTA_OPT_INT, .default_value = "1048576", .min = 1024,
     .max = 64 * 1024 * 1024, .help = "largest envelope in bytes (NACK TOO_LARGE above)"},
    {.name = "bus_queue_max", .type = PACTA_OPT_INT, .default_value = "100000", .min = 1, .max = 100000000,
     .help = "messages waiting per service class before NACK QUEUE_FULL"},
    {.name = "bus_pending_max", .type = PACTA_OPT_INT, .default_value = "200000", .min = 1, .max = 100000000,
     .help = "messages in progress in the whole bus before NACK QUEUE_FULL"},
    {.name = "bus_heartbeat", .type = PACTA_OPT_DURATION, .default_value = "1s",
     .help = "heartbeat interval with instances"},
    {.name = "bus_heartbeat_liveness", .type = PACTA_OPT_INT, .default_value = "3", .min = 1, .max = 100,
     .help = "missed heartbeats before an instance is declared dead"},
    {.name = "bus_no_capacity_timeout", .type = PACTA_OPT_DURATION, .default_value = "30s",
     .help = "how long a message waits for a class without live instances before NACK NO_CAPACITY"},
    {.name = "bus_max_deliveries", .type = PACTA_OPT_INT, .default_value = "10", .min = 1, .max = 1000,
     .help = "deliveries of one message to one class before NACK INTERNAL (poison message)"},
};
#define OPTION_COUNT (sizeof s_options / sizeof s_options[0])

/* `pacta-bus keygen`: a fresh CURVE keypair on stdout. */
static int
s_keygen(void)
{
    char public_key[PACTA_BUS_KEY_Z85_LEN + 1];
    char secret_key[PACTA_BUS_KEY_Z85_LEN + 1];
    if (!zmq_has("curve")) {
        fprintf(stderr, "pacta-bus: this libzmq has no CURVE support\n");
        return EXIT_RUNTIME;
    }
    if (zmq_curve_keypair(public_key, secret_key) != 0) {
        fprintf(stderr, "pacta-bus: zmq_curve_keypair: %s\n", zmq_strerror(errno));
        return EXIT_RUNTIME;
    }
    printf("public %s\nsecret %s\n", public_key, secret_key);
    return fflush(stdout) == 0 ? 0 : EXIT_RUNTIME;
}

/* /healthz fails when the broker loop stopped turning (a stuck bus must be restarted by its
   supervisor). */
static int
s_check_loop(void *arg, char *detail, size_t detail_size)
{
    (void) arg;
    int64_t idle = s_now_ms() - (int64_t) atomic_load(&s_last_turn_ms);
    if (idle <= LOOP_STALL_MS)
        return 0;
    snprintf(detail, detail_size, "broker loop stalled for %lld ms", (long long) idle);
    return -1;
}

/* Configuration, routing table, security, HTTP, then the broker loop until SIGTERM; every failure
   before the loop says why and picks the exit code an operator expects (2 configuration, 1
   runtime). */
int
bus_app_main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "keygen") == 0)
        return s_keygen();

    int exit_code = EXIT_RUNTIME;
    char err[1024] = "";
    bool handlers = false;
    bool logged_start = false;
    struct sigaction old_term, old_int;
    pacta_config_t *config = NULL;
    bus_routes_t *routes = NULL;
    bus_allow_t *allow = NULL;
    pacta_metrics_t *metrics = NULL;
    pacta_http_t *http = NULL;
    bus_broker_t *broker = NULL;
    char secret_key[PACTA_BUS_KEY_Z85_LEN + 1] = "";
    atomic_store(&s_last_turn_ms, (long long) s_now_ms());
    s_stop_signal = 0;

    config = pacta_config_new("bus", PACTA_VERSION,
                              "Pacta message bus: routes envelopes from producers to service instances");
    if (!config || pacta_config_add(config, s_options, OPTION_COUNT) != 0) {
        fprintf(stderr, "pacta-bus: out of memory\n");
        goto cleanup;
    }
    int parsed = pacta_config_parse(config, argc, argv, NULL);
    if (parsed != 0) {
        exit_code = parsed > 0 ? 0 : PACTA_EXIT_USAGE;
        goto cleanup;
    }
    pacta_log_level_t level = PACTA_LOG_INFO;
    pacta_log_level_parse(pacta_config_string(config, "log_level"), &level);
    pacta_log_set_service("bus");
    pacta_log_set_level(level);
    const char *http_addr = pacta_config_string(config, "http_addr");
    if (pacta_http_addr_check(http_addr, err, sizeof err) != 0) {
        fprintf(stderr, "pacta-bus: PACTA_HTTP_ADDR: %s\n", err);
        exit_code = PACTA_EXIT_USAGE;
        goto cleanup;
    }
    bool curve = pacta_config_bool(config, "bus_curve");
    const char *allow_path = pacta_config_string(config, "bus_allow_list");
    if (curve) {
        /* The _FILE form hands us the whole key file: comments allowed. */
        const char *secret = pacta_config_string(config, "bus_secret_key");
        char why[128];
        if (!secret || pacta_bus_key_from_text(secret, strlen(secret), secret_key, why, sizeof why) != 0) {
            fprintf(stderr, "pacta-bus: PACTA_BUS_CURVE is on: PACTA_BUS_SECRET_KEY(_FILE) must give the "
                            "bus's 40-character Z85 secret key (scripts/bus-keygen.sh makes one)\n");
            exit_code = PACTA_EXIT_USAGE;
            goto cleanup;
        }
        if (!allow_path || !*allow_path) {
            fprintf(stderr, "pacta-bus: PACTA_BUS_CURVE is on: PACTA_BUS_ALLOW_LIST must name the allow-list\n");
            exit_code = PACTA_EXIT_USAGE;
            goto cleanup;
        }
    }
    pacta_log_info("starting", "version", PACTA_VERSION, "frontend", pacta_config_string(config, "bus_frontend"),
                   "backend", pacta_config_string(config, "bus_backend"), "http", http_addr, "security",
                   curve ? "curve" : "plain");
    logged_start = true;

    /* Routing table */
    routes = bus_routes_new();
    if (!routes) {
        pacta_log_error("out of memory");
        goto cleanup;
    }
    if (pacta_config_bool(config, "bus_builtin_routes") && bus_routes_add_builtin(routes) != 0) {
        pacta_log_error("cannot build the routing table from the services' consumes lists");
        goto cleanup;
    }
    const char *routes_path = pacta_config_string(config, "bus_routes");
    if (routes_path && *routes_path && bus_routes_load_file(routes, routes_path, err, sizeof err) != 0) {
        pacta_log_error("refusing to start: bad routes file", "error", err);
        goto cleanup;
    }
    if (bus_routes_class_count(routes) == 0) {
        pacta_log_error("refusing to start: the routing table is empty (builtin routes off and no routes file)");
        goto cleanup;
    }
    for (size_t c = 0; c < bus_routes_class_count(routes); c++) {
        size_t types = 0;
        for (size_t t = 0; t < bus_routes_type_count(routes); t++)
            types += bus_routes_has(routes, c, t) ? 1 : 0;
        pacta_log_fields(PACTA_LOG_INFO, "route table",
                         (pacta_log_field_t[]){{"class", bus_routes_class_name(routes, c), 0},
                                               {"types", NULL, (int64_t) types}},
                         2);
    }

    /* Security */
    if (curve) {
        allow = bus_allow_new();
        if (!allow || bus_allow_load_file(allow, allow_path, err, sizeof err) != 0) {
            pacta_log_error("refusing to start: bad allow-list", "error", allow ? err : "out of memory");
            goto cleanup;
        }
        pacta_log_fields(PACTA_LOG_INFO, "CURVE on: clients must be on the allow-list",
                         (pacta_log_field_t[]){{"allow_list", allow_path, 0},
                                               {"clients", NULL, (int64_t) bus_allow_count(allow)}},
                         2);
    }
    else
        pacta_log_warn("PLAIN MODE: no encryption and no authentication on the bus; set PACTA_BUS_CURVE=true "
                       "outside development");

    /* Metrics and HTTP */
    metrics = pacta_metrics_new();
    if (!metrics) {
        pacta_log_error("out of memory");
        goto cleanup;
    }
    pacta_metrics_define(metrics, "pacta_up", PACTA_METRIC_GAUGE, "1 while the service is running.");
    pacta_metrics_define(metrics, "pacta_build_info", PACTA_METRIC_GAUGE, "Version of the running binary.");
    pacta_metrics_gauge_set(metrics, "pacta_build_info", 1, "service", "bus", "version", PACTA_VERSION, NULL);
    pacta_http_options_t http_options = {.addr = http_addr, .service = "bus", .instance = "bus", .metrics = metrics};
    http = pacta_http_new(&http_options, err, sizeof err);
    if (!http) {
        pacta_log_error("cannot create the http endpoint", "error", err);
        goto cleanup;
    }
    pacta_http_add_check(http, "loop", s_check_loop, NULL);

    bus_broker_options_t options = {
        .frontend = pacta_config_string(config, "bus_frontend"),
        .backend = pacta_config_string(config, "bus_backend"),
        .routes = routes,
        .allow = allow,
        .curve_secret_key = curve ? secret_key : NULL,
        .max_message_size = (size_t) pacta_config_int(config, "bus_max_message_size"),
        .queue_max = (size_t) pacta_config_int(config, "bus_queue_max"),
        .pending_max = (size_t) pacta_config_int(config, "bus_pending_max"),
        .heartbeat_ms = pacta_config_duration_ms(config, "bus_heartbeat"),
        .heartbeat_liveness = (int) pacta_config_int(config, "bus_heartbeat_liveness"),
        .no_capacity_timeout_ms = pacta_config_duration_ms(config, "bus_no_capacity_timeout"),
        .max_deliveries = (uint32_t) pacta_config_int(config, "bus_max_deliveries"),
        .metrics = metrics,
    };
    broker = bus_broker_new(&options, err, sizeof err);
    if (!broker) {
        pacta_log_error("refusing to start", "error", err);
        goto cleanup;
    }
    if (pacta_http_start(http, err, sizeof err) != 0) {
        pacta_log_error("refusing to start: http endpoint", "error", err);
        goto cleanup;
    }
    char port_text[8];
    snprintf(port_text, sizeof port_text, "%u", (unsigned) pacta_http_port(http));

    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = s_on_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGTERM, &action, &old_term);
    sigaction(SIGINT, &action, &old_int);
    handlers = true;

    pacta_metrics_gauge_set(metrics, "pacta_up", 1, "service", "bus", NULL);
    pacta_log_info("listening", "frontend", bus_broker_frontend_endpoint(broker), "backend",
                   bus_broker_backend_endpoint(broker), "http_port", port_text);
    exit_code = 0;
    while (!s_stop_signal) {
        atomic_store(&s_last_turn_ms, (long long) s_now_ms());
        if (bus_broker_run_once(broker, TURN_MS) != 0) {
            pacta_log_error("ZeroMQ context terminated: stopping");
            exit_code = EXIT_RUNTIME;
            break;
        }
    }
    if (s_stop_signal)
        pacta_log_info("stopping", "signal", s_stop_signal == SIGTERM ? "SIGTERM" : "SIGINT");
    bus_broker_stats_t stats;
    bus_broker_stats(broker, &stats);
    pacta_log_fields(PACTA_LOG_INFO, "totals",
                     (pacta_log_field_t[]){{"received", NULL, (int64_t) stats.received},
                                           {"acked", NULL, (int64_t) stats.acked},
                                           {"nacked", NULL, (int64_t) stats.nacked},
                                           {"redelivered", NULL, (int64_t) stats.redelivered},
                                           {"refused_frames", NULL, (int64_t) stats.refused_frames}},
                     5);

cleanup:
    if (metrics)
        pacta_metrics_gauge_set(metrics, "pacta_up", 0, "service", "bus", NULL);
    pacta_http_destroy(&http);
    bus_broker_destroy(&broker);
    pacta_metrics_destroy(&metrics);
    bus_allow_destroy(&allow);
    bus_routes_destroy(&routes);
    pacta_config_destroy(&config);
    if (handlers) {
        sigaction(SIGTERM, &old_term, NULL);
        sigaction(SIGINT, &old_int, NULL);
    }
    explicit_bzero(secret_key, sizeof secret_key);
    if (logged_start) {
        char code[8];
        snprintf(code, sizeof code, "%d", exit_code);
        pacta_log_info("stopped", "exit_code", code);
    }
    return exit_code;
}
