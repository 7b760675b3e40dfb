/*  =========================================================================
    pacta_http - /healthz and /metrics for every process

      GET /healthz  200 {"status":"ok","service":"contracts","instance":"...",
                         "checks":{"redis":"ok"}}
                    503 {"status":"fail",...,"checks":{"redis":"connection refused"}}
      GET /metrics  200 Prometheus text (text/plain; version=0.0.4)
      other paths   404; methods other than GET and HEAD: 405

    Health checks are callbacks run on the HTTP thread at each request, so
    they must be cheap and thread-safe (read a flag, do not run a command on
    a connection another thread uses). The server runs on its own thread
    (libmicrohttpd) and listens on loopback unless told otherwise; port 0
    picks a free port, read back with pacta_http_port().
    =========================================================================
*/
#ifndef PACTA_HTTP_H_INCLUDED
#define PACTA_HTTP_H_INCLUDED

#include <stddef.h>
#include <stdint.h>

#include "pacta_metrics.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A health check: 0 when healthy, -1 when failing with a short reason
   written to detail (NUL-terminated, at most detail_size bytes), 1 for an
   informational state shown in detail that does not fail /healthz (e.g.
   "bus not connected yet": the service runs and queues its work). */
typedef int (*pacta_health_check_fn)(void *arg, char *detail, size_t detail_size);

typedef struct {
    const char *addr;            /* "127.0.0.1:8081", "[::1]:0", "0.0.0.0:9000"; required */
    const char *service;         /* name in the /healthz body, may be NULL */
    const char *instance;        /* instance id in the /healthz body, may be NULL */
    pacta_metrics_t *metrics;    /* rendered by /metrics; borrowed, may be NULL (then 404) */
} pacta_http_options_t;

typedef struct pacta_http pacta_http_t;

/* Splits "host:port" / "[v6]:port" into a numeric socket address. 0, or -1
   with a reason in err. Exposed for configuration checks and tests. */
int pacta_http_addr_check(const char *addr, char *err, size_t err_size);

/* A server for options (strings copied, metrics borrowed); not started.
   NULL with a reason in err on a bad address or out of memory. */
pacta_http_t *pacta_http_new(const pacta_http_options_t *options, char *err, size_t err_size);
/* Stops the server if running. Safe on NULL and twice. */
void pacta_http_destroy(pacta_http_t **self_p);

/* Adds a named check; allowed before or after start (thread-safe). name
   is copied. 0 or -1. */
int pacta_http_add_check(pacta_http_t *self, const char *name, pacta_health_check_fn fn, void *arg);

/* Binds and starts serving. 0, or -1 with a reason in err (address in use,
   permission...). */
int pacta_http_start(pacta_http_t *self, char *err, size_t err_size);
/* The bound port (useful after binding port 0); 0 when not started. */
uint16_t pacta_http_port(const pacta_http_t *self);
/* Stops serving and joins the server thread. Safe when not started. */
void pacta_http_stop(pacta_http_t *self);

#ifdef __cplusplus
}
#endif

#endif
