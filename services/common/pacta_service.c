/*  =========================================================================
    pacta_service - the shared main() of every Pacta service binary

    Five services must start, report health, react to signals and stop in
    exactly the same way, or operating them becomes guesswork. This module
    owns that lifecycle; a service's main.c is a spec and three callbacks.

    Design decision: everything runs on ONE thread (the service's), driven
    by a ~100 ms tick, except the HTTP endpoint on its own thread. Signals
    only set a volatile sig_atomic_t flag; the loop notices it within a
    tick and shuts down in order, so on_stop always runs on the main thread
    with every resource still alive. Redis being down at start is a state,
    not a crash: the service waits, retrying with backoff, and says so on
    /healthz (see pacta_service.h for the reasoning).
    =========================================================================
*/
#include "pacta_service.h"

#include <assert.h>
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pacta_log.h"
#include "pacta_runtime.h"

#define TICK_MS 100                 /* period of on_tick */
#define REDIS_UPKEEP_MS 1000        /* PING / reconnect period */
#define LOOP_STALL_MS 30000         /* /healthz "loop" fails after this long without a tick */
#define EXIT_FAILURE_CODE 1
#define RUNTIME_BUDGET_MS 80        /* share of each loop turn given to the bus, outbox and timers */

struct pacta_service {
    const pacta_service_spec_t *spec;  /* the service's declaration, borrowed */
    pacta_config_t *config;            /* parsed options */
    pacta_profile_set_t *profiles;     /* every tenant's terms */
    pacta_metrics_t *metrics;          /* registry served on /metrics */
    pacta_store_t *store;              /* the Redis connection */
    pacta_clock_t *clock;              /* real or per-tenant test clock */
    pacta_http_t *http;                /* /healthz and /metrics */
    pacta_runtime_t *runtime;          /* the service shell (handlers); NULL without consumes or with on_message */
    char instance_id[128];             /* PACTA_INSTANCE_ID, sanitised */
    char http_default[64];             /* default of http_addr, "127.0.0.1:<port>" */
    bool stop_requested;               /* set by pacta_service_request_stop */
    bool redis_was_up;                 /* last known state, to log transitions once */
    uint64_t reconnects_reported;      /* store reconnects already added to the metric */
    atomic_llong last_tick_ms;         /* monotonic time of the last loop turn, read by /healthz */
    pacta_bus_worker_t *worker;        /* bus instance when spec->on_message is set, else NULL */
    atomic_bool bus_up;                /* worker registered and hearing from the bus, read by /healthz */
    uint64_t deliveries_reported;      /* worker deliveries already added to the metric */
};

/* The one piece of state a signal handler touches. */
static volatile sig_atomic_t s_stop_signal = 0;

static void
s_on_signal(int signum)
{
    s_stop_signal = signum;
}

static int64_t
s_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sleeps ms, returning early when a signal arrives. */
static void
s_sleep_ms(int64_t ms)
{
    if (ms <= 0)
        return;
    struct timespec ts = {.tv_sec = (time_t) (ms / 1000), .tv_nsec = (long) (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* ---- getters --------------------------------------------------------------------- */

pacta_store_t *
pacta_service_store(pacta_service_t *svc)
{
    assert(svc);
    return svc->store;
}

const pacta_profile_set_t *
pacta_service_profiles(pacta_service_t *svc)
{
    assert(svc);
    return svc->profiles;
}

pacta_metrics_t *
pacta_service_metrics(pacta_service_t *svc)
{
    assert(svc);
    return svc->metrics;
}

pacta_clock_t *
pacta_service_clock(pacta_service_t *svc)
{
    assert(svc);
    return svc->clock;
}

const pacta_config_t *
pacta_service_config(pacta_service_t *svc)
{
    assert(svc);
    return svc->config;
}

const pacta_service_spec_t *
pacta_service_spec(pacta_service_t *svc)
{
    assert(svc);
    return svc->spec;
}

const char *
pacta_service_instance_id(pacta_service_t *svc)
{
    assert(svc);
    return svc->instance_id;
}

pacta_bus_worker_t *
pacta_service_bus_worker(pacta_service_t *svc)
{
    assert(svc);
    return svc->worker;
}

int
pacta_service_add_health_check(pacta_service_t *svc, const char *name, pacta_health_check_fn fn, void *arg)
{
    assert(svc && svc->http);
    return pacta_http_add_check(svc->http, name, fn, arg);
}

void
pacta_service_request_stop(pacta_service_t *svc)
{
    assert(svc);
    svc->stop_requested = true;
}

bool
pacta_service_stopping(pacta_service_t *svc)
{
    assert(svc);
    return svc->stop_requested || s_stop_signal != 0;
}

/* ---- health checks (HTTP thread) --------------------------------------------------- */

static int
s_check_redis(void *arg, char *detail, size_t detail_size)
{
    pacta_service_t *svc = arg;
    return pacta_store_health(svc->store, detail, detail_size);
}

static int
s_check_bus(void *arg, char *detail, size_t detail_size)
{
    pacta_service_t *svc = arg;
    if (atomic_load(&svc->bus_up))
        return 0;
    snprintf(detail, detail_size, "not registered with the bus (yet)");
    return -1;
}

static int
s_check_loop(void *arg, char *detail, size_t detail_size)
{
    pacta_service_t *svc = arg;
    int64_t idle = s_now_ms() - (int64_t) atomic_load(&svc->last_tick_ms);
    if (idle <= LOOP_STALL_MS)
        return 0;
    snprintf(detail, detail_size, "main loop stalled for %lld ms", (long long) idle);
    return -1;
}

/* ---- configuration ----------------------------------------------------------------- */

static const pacta_config_option_t s_common_options[] = {
    {.name = "redis_url", .type = PACTA_OPT_STRING, .default_value = "redis://127.0.0.1:6379",
     .help = "Redis address: redis://[user:pass@]host:port[/db] or unix:///path.sock[?db=N]"},
    {.name = "redis_password", .type = PACTA_OPT_STRING, .flags = PACTA_OPT_SECRET | PACTA_OPT_FILE,
     .help = "Redis password (replaces the one in the URL)"},
    {.name = "redis_connect_timeout", .type = PACTA_OPT_DURATION, .default_value = "2s",
     .help = "timeout of one Redis connect attempt"},
    {.name = "redis_command_timeout", .type = PACTA_OPT_DURATION, .default_value = "5s",
     .help = "timeout of one Redis command"},
    {.name = "redis_start_timeout", .type = PACTA_OPT_DURATION, .default_value = "0",
     .help = "give up starting if Redis stays unreachable this long (0 = keep trying)"},
    {.name = "http_addr", .type = PACTA_OPT_STRING, .default_value = NULL /* set per service */,
     .help = "listen address of /healthz and /metrics (port 0 = any free port)"},
    {.name = "log_level", .type = PACTA_OPT_STRING, .default_value = "info", .choices = "debug|info|warn|error",
     .help = "lowest level logged"},
    {.name = "profile_dir", .type = PACTA_OPT_STRING, .default_value = "deploy/profiles",
     .help = "directory of the tenants' terms profiles (*.yaml)"},
    {.name = "clock", .type = PACTA_OPT_STRING, .default_value = "real", .choices = "real|test",
     .help = "real wall clock, or per-tenant test clocks kept in Redis"},
    {.name = "bus_url", .type = PACTA_OPT_STRING, .default_value = "tcp://127.0.0.1:5560",
     .help = "ZeroMQ address of the bus"},
    {.name = "bus_instance_url", .type = PACTA_OPT_STRING, .default_value = "tcp://127.0.0.1:5561",
     .help = "ZeroMQ address of the bus's backend, where consuming instances register"},
    {.name = "bus_public_key", .type = PACTA_OPT_STRING, .default_value = NULL,
     .help = "the bus's CURVE public key (Z85, or a .pub key file); unset = plain"},
    {.name = "bus_client_secret_key", .type = PACTA_OPT_STRING, .flags = PACTA_OPT_SECRET | PACTA_OPT_FILE,
     .help = "this instance's CURVE secret key (Z85), with bus_public_key"},
    {.name = "bus_credit", .type = PACTA_OPT_INT, .default_value = "32", .min = 1, .max = 100000,
     .help = "bus deliveries this instance holds at once"},
    {.name = "instance_id", .type = PACTA_OPT_STRING, .default_value = NULL /* hostname-pid */,
     .help = "name of this instance in logs, metrics and Redis (default hostname-pid)"},
};
#define COMMON_OPTION_COUNT (sizeof s_common_options / sizeof s_common_options[0])

/* Builds the option table with the per-service defaults filled in. */
static int
s_build_config(pacta_service_t *svc, const pacta_service_spec_t *spec)
{
    pacta_config_option_t common[COMMON_OPTION_COUNT];
    memcpy(common, s_common_options, sizeof common);
    snprintf(svc->http_default, sizeof svc->http_default, "127.0.0.1:%d", spec->default_http_port);
    for (size_t i = 0; i < COMMON_OPTION_COUNT; i++)
        if (strcmp(common[i].name, "http_addr") == 0)
            common[i].default_value = svc->http_default;
    svc->config = pacta_config_new(spec->name, PACTA_VERSION, spec->summary);
    if (!svc->config)
        return -1;
    if (pacta_config_add(svc->config, common, COMMON_OPTION_COUNT) != 0)
        return -1;
    if (spec->extra_options && spec->extra_option_count > 0
        && pacta_config_add(svc->config, spec->extra_options, spec->extra_option_count) != 0)
        return -1;
    return 0;
}

/* Fills instance_id from the option or hostname-pid, keeping only
   characters safe in log fields, metric labels and CLIENT SETNAME. */
static void
s_set_instance_id(pacta_service_t *svc)
{
    const char *configured = pacta_config_string(svc->config, "instance_id");
    if (configured && *configured)
        snprintf(svc->instance_id, sizeof svc->instance_id, "%s", configured);
    else {
        char host[64] = "localhost";
        if (gethostname(host, sizeof host) != 0)
            snprintf(host, sizeof host, "localhost");
        host[sizeof host - 1] = '\0';
        snprintf(svc->instance_id, sizeof svc->instance_id, "%s-%ld", host, (long) getpid());
    }
    for (char *p = svc->instance_id; *p; p++) {
        char c = *p;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.'
                  || c == '_' || c == ':' || c == '-';
        if (!ok)
            *p = '_';
    }
}

/* Names where an option's value came from, for error messages. */
static const char *
s_origin(pacta_service_t *svc, const char *name, const char *flag, const char *env)
{
    switch (pacta_config_source(svc->config, name)) {
        case PACTA_CONFIG_FROM_FLAG: return flag;
        case PACTA_CONFIG_FROM_ENV: return env;
        default: break;
    }
    return "default";
}

/* ---- metrics ----------------------------------------------------------------------- */

static void
s_define_metrics(pacta_service_t *svc)
{
    pacta_metrics_t *m = svc->metrics;
    const char *name = svc->spec->name;
    pacta_metrics_define(m, "pacta_up", PACTA_METRIC_GAUGE, "1 while the service is running.");
    pacta_metrics_define(m, "pacta_start_time_seconds", PACTA_METRIC_GAUGE,
                         "Start time of the process since the Unix epoch, in seconds.");
    pacta_metrics_define(m, "pacta_build_info", PACTA_METRIC_GAUGE, "Version of the running binary.");
    pacta_metrics_define(m, "pacta_ticks_total", PACTA_METRIC_COUNTER, "Turns of the service main loop.");
    pacta_metrics_define(m, "pacta_redis_connected", PACTA_METRIC_GAUGE, "1 while the Redis connection is up.");
    pacta_metrics_define(m, "pacta_redis_reconnects_total", PACTA_METRIC_COUNTER,
                         "Successful Redis connects after the first one.");
    pacta_metrics_gauge_set(m, "pacta_up", 0, "service", name, NULL);
    pacta_metrics_gauge_set(m, "pacta_start_time_seconds", (double) time(NULL), "service", name, NULL);
    pacta_metrics_gauge_set(m, "pacta_build_info", 1, "service", name, "version", PACTA_VERSION, NULL);
    pacta_metrics_counter_add(m, "pacta_ticks_total", 0, "service", name, NULL);
    pacta_metrics_gauge_set(m, "pacta_redis_connected", 0, "service", name, NULL);
    pacta_metrics_counter_add(m, "pacta_redis_reconnects_total", 0, "service", name, NULL);
}

/* Mirrors the store's state into the metrics and logs transitions. */
static void
s_report_redis(pacta_service_t *svc)
{
    const char *name = svc->spec->name;
    bool up = pacta_store_connected(svc->store);
    uint64_t reconnects = pacta_store_reconnects(svc->store);
    if (reconnects > svc->reconnects_reported) {
        pacta_metrics_counter_add(svc->metrics, "pacta_redis_reconnects_total",
                                  (double) (reconnects - svc->reconnects_reported), "service", name, NULL);
        svc->reconnects_reported = reconnects;
    }
    pacta_metrics_gauge_set(svc->metrics, "pacta_redis_connected", up ? 1 : 0, "service", name, NULL);
    if (up != svc->redis_was_up) {
        char detail[256];
        pacta_store_health(svc->store, detail, sizeof detail);
        if (up)
            pacta_log_info("redis connected");
        else
            pacta_log_warn("redis connection lost", "error", detail);
        svc->redis_was_up = up;
    }
}

/* One Redis upkeep step: PING when connected (finds dead links while
   idle), else one reconnect attempt when the backoff allows. */
static void
s_redis_upkeep(pacta_service_t *svc)
{
    if (pacta_store_connected(svc->store))
        pacta_store_ping(svc->store);
    else if (pacta_store_retry_in_ms(svc->store) == 0 && pacta_store_ensure_connected(svc->store) != 0)
        pacta_log_warn("redis unreachable, will retry", "error", pacta_store_error(svc->store));
    s_report_redis(svc);
}

/* Waits for the first Redis connection; 0, or -1 on stop or start timeout. */
static int
s_wait_for_redis(pacta_service_t *svc)
{
    int64_t timeout = pacta_config_duration_ms(svc->config, "redis_start_timeout");
    int64_t deadline = timeout > 0 ? s_now_ms() + timeout : INT64_MAX;
    while (!pacta_service_stopping(svc)) {
        atomic_store(&svc->last_tick_ms, (long long) s_now_ms());
        if (pacta_store_retry_in_ms(svc->store) == 0) {
            if (pacta_store_ensure_connected(svc->store) == 0) {
                s_report_redis(svc);
                return 0;
            }
            pacta_log_warn("redis unreachable, will retry", "error", pacta_store_error(svc->store));
        }
        if (s_now_ms() >= deadline) {
            pacta_log_error("redis unreachable: giving up (PACTA_REDIS_START_TIMEOUT)", "error",
                            pacta_store_error(svc->store));
            return -1;
        }
        s_sleep_ms(TICK_MS);
    }
    return -1;
}

/* ---- bus ---------------------------------------------------------------------------- */

/* True when the spec consumes from the bus. */
static bool
s_consumes(const pacta_service_spec_t *spec)
{
    return spec->on_message && spec->consumes && spec->consumes[0];
}

/* Registers with the bus as an instance of class spec->name. 0, or -1
   (logged) when the keys are unusable. */
static int
s_start_worker(pacta_service_t *svc)
{
    char err[256];
    char server_key[PACTA_BUS_KEY_Z85_LEN + 1] = "";
    char secret_key[PACTA_BUS_KEY_Z85_LEN + 1] = "";
    const char *public_text = pacta_config_string(svc->config, "bus_public_key");
    if (public_text && *public_text) {
        const char *secret_text = pacta_config_string(svc->config, "bus_client_secret_key");
        if (pacta_bus_key_resolve(public_text, server_key, err, sizeof err) != 0) {
            pacta_log_error("refusing to start: PACTA_BUS_PUBLIC_KEY", "error", err);
            return -1;
        }
        if (!secret_text
            || pacta_bus_key_from_text(secret_text, strlen(secret_text), secret_key, err, sizeof err) != 0) {
            pacta_log_error("refusing to start: PACTA_BUS_CLIENT_SECRET_KEY(_FILE)", "error",
                            secret_text ? err : "missing");
            return -1;
        }
    }
    pacta_bus_worker_options_t options = {
        .endpoint = pacta_config_string(svc->config, "bus_instance_url"),
        .service_class = svc->spec->name,
        .instance_id = svc->instance_id,
        .consumes = (const char *const *) svc->spec->consumes,
        .credit = (uint32_t) pacta_config_int(svc->config, "bus_credit"),
        .server_public_key = server_key[0] ? server_key : NULL,
        .secret_key = secret_key[0] ? secret_key : NULL,
    };
    svc->worker = pacta_bus_worker_new(&options, err, sizeof err);
    explicit_bzero(secret_key, sizeof secret_key);
    if (!svc->worker) {
        pacta_log_error("refusing to start: bus instance", "error", err);
        return -1;
    }
    pacta_metrics_define(svc->metrics, "pacta_bus_deliveries_total", PACTA_METRIC_COUNTER,
                         "Messages received from the bus.");
    pacta_metrics_counter_add(svc->metrics, "pacta_bus_deliveries_total", 0, "service", svc->spec->name, NULL);
    pacta_http_add_check(svc->http, "bus", s_check_bus, svc);
    return 0;
}

/* Waits up to wait_ms on the bus, handing every delivery to on_message;
   an unanswered delivery is refused INTERNAL so it never hangs. */
static void
s_serve_bus(pacta_service_t *svc, int64_t wait_ms)
{
    int64_t deadline = s_now_ms() + wait_ms;
    while (!pacta_service_stopping(svc)) {
        int64_t left = deadline - s_now_ms();
        pacta_bus_delivery_t *delivery = NULL;
        if (pacta_bus_worker_recv(svc->worker, left > 0 ? (int) left : 0, &delivery) != 0)
            break;   /* a signal: the loop sees it */
        if (delivery) {
            svc->spec->on_message(svc, &delivery, svc->spec->arg);
            if (delivery) {
                pacta_log_error("on_message did not answer a delivery: refusing it", "message_id",
                                pacta_bus_delivery_envelope(delivery)->message_id);
                pacta_bus_worker_nack(svc->worker, &delivery, PACTA__V1__NACK_REASON__NACK_REASON_INTERNAL, NULL,
                                      "the service did not answer this message", 0);
            }
        }
        if (s_now_ms() >= deadline)
            break;
    }
    atomic_store(&svc->bus_up, pacta_bus_worker_connected(svc->worker));
    pacta_bus_worker_stats_t stats;
    pacta_bus_worker_stats(svc->worker, &stats);
    if (stats.delivered > svc->deliveries_reported) {
        pacta_metrics_counter_add(svc->metrics, "pacta_bus_deliveries_total",
                                  (double) (stats.delivered - svc->deliveries_reported), "service", svc->spec->name,
                                  NULL);
        svc->deliveries_reported = stats.delivered;
    }
}

/* Creates the service shell (pacta_runtime.h) of a service with handlers.
   0, or -1 (logged). */
static int
s_start_runtime(pacta_service_t *svc)
{
    char err[256];
    char server_key[PACTA_BUS_KEY_Z85_LEN + 1] = "";
    char secret_key[PACTA_BUS_KEY_Z85_LEN + 1] = "";
    const char *public_text = pacta_config_string(svc->config, "bus_public_key");
    if (public_text && *public_text) {
        const char *secret_text = pacta_config_string(svc->config, "bus_client_secret_key");
        if (pacta_bus_key_resolve(public_text, server_key, err, sizeof err) != 0) {
            pacta_log_error("refusing to start: PACTA_BUS_PUBLIC_KEY", "error", err);
            return -1;
        }
        if (!secret_text
            || pacta_bus_key_from_text(secret_text, strlen(secret_text), secret_key, err, sizeof err) != 0) {
            pacta_log_error("refusing to start: PACTA_BUS_CLIENT_SECRET_KEY(_FILE)", "error",
                            secret_text ? err : "missing");
            return -1;
        }
    }
    pacta_runtime_options_t options = {
        .service = svc->spec->name,
        .instance_id = svc->instance_id,
        .consumes = svc->spec->consumes,
        .handlers = svc->spec->handlers,
        .store = svc->store,
        .profiles = svc->profiles,
        .clock = svc->clock,
        .metrics = svc->metrics,
        .bus_backend = pacta_config_string(svc->config, "bus_instance_url"),
        .bus_frontend = pacta_config_string(svc->config, "bus_url"),
        .bus_credit = (uint32_t) pacta_config_int(svc->config, "bus_credit"),
        .server_public_key = server_key[0] ? server_key : NULL,
        .secret_key = secret_key[0] ? secret_key : NULL,
    };
    svc->runtime = pacta_runtime_new(&options, err, sizeof err);
    explicit_bzero(secret_key, sizeof secret_key);
    if (!svc->runtime) {
        pacta_log_error("refusing to start: service shell", "error", err);
        return -1;
    }
    pacta_http_add_check(svc->http, "bus", pacta_runtime_health, svc->runtime);
    return 0;
}

/* ---- main -------------------------------------------------------------------------- */

int
pacta_service_main(const pacta_service_spec_t *spec, int argc, char **argv)
{
    assert(spec && spec->name);
    int exit_code = EXIT_FAILURE_CODE;
    bool started = false;
    bool handlers_installed = false;
    struct sigaction old_term, old_int, old_pipe;
    char err[512] = "";
    pacta_service_t *svc = calloc(1, sizeof *svc);
    if (!svc) {
        fprintf(stderr, "%s: out of memory\n", spec->name);
        return EXIT_FAILURE_CODE;
    }
    svc->spec = spec;
    atomic_init(&svc->last_tick_ms, (long long) s_now_ms());
    atomic_init(&svc->bus_up, false);
    s_stop_signal = 0;

    /* 1. configuration */
    if (s_build_config(svc, spec) != 0) {
        fprintf(stderr, "%s: out of memory\n", spec->name);
        goto cleanup;
    }
    int parsed = pacta_config_parse(svc->config, argc, argv, NULL);
    if (parsed != 0) {
        exit_code = parsed > 0 ? 0 : PACTA_EXIT_USAGE;
        goto cleanup;
    }
    pacta_log_level_t level = PACTA_LOG_INFO;
    pacta_log_level_parse(pacta_config_string(svc->config, "log_level"), &level);
    pacta_log_set_service(spec->name);
    pacta_log_set_level(level);
    s_set_instance_id(svc);

    pacta_clock_mode_t clock_mode = PACTA_CLOCK_REAL;
    pacta_clock_mode_parse(pacta_config_string(svc->config, "clock"), &clock_mode);
    pacta_store_url_t url;
    char url_text[PACTA_STORE_URL_MAX];
    if (pacta_store_url_parse(pacta_config_string(svc->config, "redis_url"), &url, err, sizeof err) != 0) {
        fprintf(stderr, "%s: %s: %s\n", spec->name, s_origin(svc, "redis_url", "--redis-url", "PACTA_REDIS_URL"),
                err);
        exit_code = PACTA_EXIT_USAGE;
        goto cleanup;
    }
    pacta_store_url_describe(&url, url_text, sizeof url_text);
    const char *http_addr = pacta_config_string(svc->config, "http_addr");
    if (pacta_http_addr_check(http_addr, err, sizeof err) != 0) {
        fprintf(stderr, "%s: %s: %s\n", spec->name, s_origin(svc, "http_addr", "--http-addr", "PACTA_HTTP_ADDR"),
                err);
        exit_code = PACTA_EXIT_USAGE;
        goto cleanup;
    }
    pacta_log_info("starting", "version", PACTA_VERSION, "instance", svc->instance_id, "redis", url_text,
                   "http", http_addr, "clock", pacta_clock_mode_name(clock_mode), "bus",
                   pacta_config_string(svc->config, "bus_url"), "log_level", pacta_log_level_name(level));

    /* 2. profiles */
    const char *profile_dir = pacta_config_string(svc->config, "profile_dir");
    svc->profiles = pacta_profile_set_load_dir(profile_dir, err, sizeof err);
    if (!svc->profiles) {
        pacta_log_error("refusing to start: bad terms profile", "dir", profile_dir, "error", err);
        goto cleanup;
    }
    for (size_t i = 0; i < pacta_profile_set_count(svc->profiles); i++)
        pacta_log_info("profile loaded", "tenant",
                       pacta_profile_tenant(pacta_profile_set_at(svc->profiles, i)), "dir", profile_dir);

    /* 3. metrics, store, HTTP */
    svc->metrics = pacta_metrics_new();
    if (!svc->metrics) {
        pacta_log_error("out of memory");
        goto cleanup;
    }
    s_define_metrics(svc);
    char client_name[192];
    snprintf(client_name, sizeof client_name, "pacta-%s-%s", spec->name, svc->instance_id);
    pacta_store_options_t store_options = {
        .url = pacta_config_string(svc->config, "redis_url"),
        .password = pacta_config_string(svc->config, "redis_password"),
        .client_name = client_name,
        .connect_timeout_ms = pacta_config_duration_ms(svc->config, "redis_connect_timeout"),
        .command_timeout_ms = pacta_config_duration_ms(svc->config, "redis_command_timeout"),
    };
    svc->store = pacta_store_new(&store_options, err, sizeof err);
    if (!svc->store) {
        pacta_log_error("cannot create the redis client", "error", err);
        goto cleanup;
    }
    svc->clock = pacta_clock_new(clock_mode, svc->store);
    if (!svc->clock) {
        pacta_log_error("cannot create the clock");
        goto cleanup;
    }
    pacta_http_options_t http_options = {
        .addr = http_addr, .service = spec->name, .instance = svc->instance_id, .metrics = svc->metrics};
    svc->http = pacta_http_new(&http_options, err, sizeof err);
    if (!svc->http) {
        pacta_log_error("cannot create the http endpoint", "error", err);
        goto cleanup;
    }
    pacta_http_add_check(svc->http, "redis", s_check_redis, svc);
    pacta_http_add_check(svc->http, "loop", s_check_loop, svc);
    if (pacta_http_start(svc->http, err, sizeof err) != 0) {
        pacta_log_error("refusing to start: http endpoint", "error", err);
        goto cleanup;
    }
    char port_text[8];
    snprintf(port_text, sizeof port_text, "%u", (unsigned) pacta_http_port(svc->http));
    pacta_log_info("http endpoint listening", "addr", http_addr, "port", port_text);

    /* 4. signals, then Redis */
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = s_on_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;   /* no SA_RESTART: a signal cuts the tick's sleep short */
    sigaction(SIGTERM, &action, &old_term);
    sigaction(SIGINT, &action, &old_int);
    struct sigaction ignore;
    memset(&ignore, 0, sizeof ignore);
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    sigaction(SIGPIPE, &ignore, &old_pipe);   /* a dead Redis socket must not kill us */
    handlers_installed = true;

    if (s_wait_for_redis(svc) != 0) {
        if (!pacta_service_stopping(svc))
            goto cleanup;
        exit_code = 0;   /* asked to stop while waiting: a clean stop */
        goto cleanup;
    }

    /* 5. the service's own start, then the bus */
    if (spec->on_start && spec->on_start(svc, spec->arg) != 0) {
        pacta_log_error("refusing to start: on_start failed");
        goto cleanup;
    }
    started = true;
    if (s_consumes(spec) && s_start_worker(svc) != 0)
        goto cleanup;
    if (spec->consumes && !spec->on_message && s_start_runtime(svc) != 0)
        goto cleanup;
    pacta_metrics_gauge_set(svc->metrics, "pacta_up", 1, "service", spec->name, NULL);
    pacta_log_info("started", "instance", svc->instance_id);

    /* 6. the loop */
    exit_code = 0;
    int64_t next_upkeep = s_now_ms() + REDIS_UPKEEP_MS;
    while (!pacta_service_stopping(svc)) {
        int64_t tick_start = s_now_ms();
        atomic_store(&svc->last_tick_ms, (long long) tick_start);
        if (svc->runtime)
            pacta_runtime_tick(svc->runtime, RUNTIME_BUDGET_MS);
        if (spec->on_tick && spec->on_tick(svc, spec->arg) != 0) {
            pacta_log_error("on_tick failed: stopping");
            exit_code = EXIT_FAILURE_CODE;
            break;
        }
        pacta_metrics_counter_add(svc->metrics, "pacta_ticks_total", 1, "service", spec->name, NULL);
        if (s_now_ms() >= next_upkeep) {
            s_redis_upkeep(svc);
            next_upkeep = s_now_ms() + REDIS_UPKEEP_MS;
        }
        if (pacta_service_stopping(svc))
            break;
        if (svc->worker)
            s_serve_bus(svc, TICK_MS - (s_now_ms() - tick_start));
        else
            s_sleep_ms(TICK_MS - (s_now_ms() - tick_start));
    }
    if (s_stop_signal) {
        const char *signal_name = s_stop_signal == SIGTERM ? "SIGTERM" : s_stop_signal == SIGINT ? "SIGINT" : "signal";
        pacta_log_info("stopping", "signal", signal_name);
    }
    else
        pacta_log_info("stopping");

cleanup:
    /* 7. orderly shutdown, in reverse order of start */
    pacta_bus_worker_destroy(&svc->worker);   /* DISCONNECT: the bus stops sending at once */
    if (started && spec->on_stop)
        spec->on_stop(svc, spec->arg);
    if (svc->runtime) {
        pacta_http_stop(svc->http);   /* the "bus" check reads the runtime */
        pacta_runtime_destroy(&svc->runtime);   /* DISCONNECT; owed work stays in Redis */
    }
    if (svc->metrics)
        pacta_metrics_gauge_set(svc->metrics, "pacta_up", 0, "service", spec->name, NULL);
    pacta_http_destroy(&svc->http);
    pacta_clock_destroy(&svc->clock);
    pacta_store_destroy(&svc->store);
    pacta_metrics_destroy(&svc->metrics);
    pacta_profile_set_destroy(&svc->profiles);
    bool logged_start = svc->config && svc->instance_id[0];
    pacta_config_destroy(&svc->config);
    if (handlers_installed) {
        sigaction(SIGTERM, &old_term, NULL);
        sigaction(SIGINT, &old_int, NULL);
        sigaction(SIGPIPE, &old_pipe, NULL);
    }
    if (logged_start) {
        char code[8];
        snprintf(code, sizeof code, "%d", exit_code);
        pacta_log_info("stopped", "exit_code", code);
    }
    free(svc);
    return exit_code;
}
