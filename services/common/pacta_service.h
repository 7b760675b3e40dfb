/*  =========================================================================
    pacta_service - the shared main() of every Pacta service binary

    int main(int argc, char **argv) {
        static const pacta_service_spec_t spec = {
            .name = "contracts", .summary = "Contract lifecycle service",
            .default_http_port = 8081, .on_start = ctr_start, .on_tick = ctr_tick,
            .on_stop = ctr_stop, .arg = &state };
        return pacta_service_main(&spec, argc, argv);
    }

    pacta_service_main() does, in order:
      1. parse the common options below plus spec->extra_options (flags >
         PACTA_* environment > defaults); --help / --version exit 0, any
         configuration error exits 2 (PACTA_EXIT_USAGE) naming the culprit;
      2. load every profile of PACTA_PROFILE_DIR: a bad profile refuses the
         start (exit 1, the loader's message logged);
      3. start /healthz and /metrics on PACTA_HTTP_ADDR (exit 1 if it cannot
         bind);
      4. install SIGTERM/SIGINT handlers and connect to Redis. Decision: an
         unreachable Redis does NOT abort the start -- the service keeps
         retrying with capped backoff while /healthz answers 503 with the
         reason, because in compose/k8s Redis often comes up a moment after
         its clients. PACTA_REDIS_START_TIMEOUT (default 0 = forever) turns
         that into "exit 1 after this long";
      5. on_start (its -1 exits 1; on_stop is then NOT called);
      6. loop: on_tick about every 100 ms (its -1 stops the service with exit
         code 1: reserve it for fatal errors), Redis upkeep every second
         (PING, reconnect with backoff, metrics);
      7. on SIGTERM/SIGINT or pacta_service_request_stop(): on_stop, HTTP
         stop, Redis close, log "stopped", exit 0.

    Common options (name: flag / environment variable, default):
      redis_url              --redis-url  PACTA_REDIS_URL  redis://127.0.0.1:6379
      redis_password         --redis-password(-file)  PACTA_REDIS_PASSWORD(_FILE)
      redis_connect_timeout  2s     redis_command_timeout  5s
      redis_start_timeout    0 (wait forever)
      http_addr              127.0.0.1:<default_http_port>
      log_level              info (debug|info|warn|error)
      profile_dir            deploy/profiles
      clock                  real (real|test)
      bus_url                tcp://127.0.0.1:5560 (producer side: the outbox relay sends here)
      bus_instance_url       tcp://127.0.0.1:5561 (instance side: deliveries come from here)
      bus_public_key         the bus's CURVE public key, Z85 or key file (unset = plain)
      bus_client_secret_key(_file)  this instance's CURVE secret key
      bus_credit             32 (deliveries held at once)
      instance_id            <hostname>-<pid>
    Read them in callbacks with pacta_config_string(pacta_service_config(svc),
    "bus_url") and so on.

    The service shell (pacta_runtime.h): when spec->consumes is set and
    spec->on_message is not, the main creates a runtime after on_start -- a
    bus worker of class spec->name registering spec->consumes on
    bus_instance_url, the outbox relay towards bus_url, the timer loop of
    every loaded tenant, the owed sweep -- and gives it about 80 ms of every
    loop turn. Messages go to spec->handlers (consumed types without a
    handler are acknowledged and counted as ignored). A bus that cannot be
    reached does not stop the start: /healthz shows "bus" with the reason
    but stays 200 (informational), and the worker keeps reconnecting.

    Standard metrics (label service=<name>): pacta_up, pacta_start_time_seconds,
    pacta_build_info{version}, pacta_ticks_total, pacta_redis_connected,
    pacta_redis_reconnects_total. Health checks: "redis" (connection up) and
    "loop" (main loop ticked in the last 30 s).

    Consuming from the bus (optional): a spec with on_message and a
    non-empty consumes list registers, after on_start, as an instance of
    class <name> on bus_instance_url (pacta_bus_worker.h). Between ticks the
    loop waits on the bus instead of sleeping and calls on_message for each
    delivery; the callback answers it with pacta_bus_worker_ack() or
    pacta_bus_worker_nack() on pacta_service_bus_worker(svc), which null
    *delivery_p. A delivery left unanswered is NACKed INTERNAL. The worker
    says DISCONNECT before on_stop. Adds the health check "bus" (registered
    and hearing from the bus) and the metric pacta_bus_deliveries_total.
    =========================================================================
*/
#ifndef PACTA_SERVICE_H_INCLUDED
#define PACTA_SERVICE_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>

#include "pacta_bus_worker.h"
#include "pacta_clock.h"
#include "pacta_config.h"
#include "pacta_http.h"
#include "pacta_metrics.h"
#include "pacta_profile.h"
#include "pacta_store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pacta_service pacta_service_t;
typedef struct pacta_handler_set pacta_handler_set_t;

typedef struct {
    const char *name;                  /* "contracts" -- used in logs, metrics, --version */
    const char *summary;               /* one line for --help */
    int default_http_port;             /* e.g. 8081 */
    const char *const *consumes;       /* NULL-terminated message type names it consumes (may be NULL) */
    const pacta_handler_set_t *handlers; /* its message and timer handlers (pacta_handler.h); may be NULL */
    const pacta_config_option_t *extra_options; /* service-specific options, may be NULL */
    size_t extra_option_count;         /* entries in extra_options */
    int  (*on_start)(pacta_service_t *svc, void *arg);   /* may be NULL; -1 aborts start */
    int  (*on_tick)(pacta_service_t *svc, void *arg);    /* called about every 100 ms; may be NULL */
    void (*on_stop)(pacta_service_t *svc, void *arg);    /* may be NULL */
    void *arg;                         /* passed to every callback */
    /* may be NULL; see "Consuming from the bus" above */
    void (*on_message)(pacta_service_t *svc, pacta_bus_delivery_t **delivery_p, void *arg);
} pacta_service_spec_t;

/* Runs the service until SIGTERM/SIGINT; returns the process exit code
   (0 clean stop or --help/--version, 1 runtime failure, 2 bad configuration). */
int pacta_service_main(const pacta_service_spec_t *spec, int argc, char **argv);

/* Getters for use in callbacks (valid from on_start to on_stop). */
pacta_store_t *pacta_service_store(pacta_service_t *svc);
const pacta_profile_set_t *pacta_service_profiles(pacta_service_t *svc);
pacta_metrics_t *pacta_service_metrics(pacta_service_t *svc);
pacta_clock_t *pacta_service_clock(pacta_service_t *svc);
const pacta_config_t *pacta_service_config(pacta_service_t *svc);
const pacta_service_spec_t *pacta_service_spec(pacta_service_t *svc);
/* PACTA_INSTANCE_ID, sanitised to [A-Za-z0-9._:-]. */
const char *pacta_service_instance_id(pacta_service_t *svc);
/* The bus instance of a service with on_message (valid from the first
   on_message to on_stop, NULL before and for other services). */
pacta_bus_worker_t *pacta_service_bus_worker(pacta_service_t *svc);

/* Adds a /healthz check (thread-safe; see pacta_http.h for the contract). */
int pacta_service_add_health_check(pacta_service_t *svc, const char *name, pacta_health_check_fn fn, void *arg);
/* Asks the loop to stop after the current tick (exit code 0). */
void pacta_service_request_stop(pacta_service_t *svc);
/* True once a signal or request_stop asked the service to stop; long work
   inside a callback should check it. */
bool pacta_service_stopping(pacta_service_t *svc);

#ifdef __cplusplus
}
#endif

#endif
