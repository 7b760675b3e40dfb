/*  =========================================================================
    bus_harness - helpers shared by the bus test suites: child processes
    with their output in files, the bus on ephemeral ports, envelopes,
    Redis access and small waits.

    Every process a test starts is registered and killed in
    bh_cleanup_all() (call it from the suite's .fini), so a failed
    assertion never leaves a bus or an instance running.
    =========================================================================
*/
#ifndef BUS_HARNESS_H_INCLUDED
#define BUS_HARNESS_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "pacta_bus_producer.h"
#include "pacta_bus_wire.h"
#include "pacta_store.h"

#define BH_PATH_MAX 1024

/* A child process whose stdout and stderr go to a log file. */
typedef struct {
    pid_t pid;                         /* 0 when not running */
    char name[64];                     /* for messages */
    char log_path[BH_PATH_MAX];        /* its output */
} bh_proc_t;

/* A pacta-bus process and the endpoints it bound. */
typedef struct {
    bh_proc_t proc;                    /* the process */
    char frontend[128];                /* tcp://127.0.0.1:PORT */
    char backend[128];                 /* tcp://127.0.0.1:PORT */
    int http_port;                     /* /metrics and /healthz */
} bh_bus_t;

/* A directory for this test's files (logs, routes, keys). */
const char *bh_workdir(void);
/* PACTA_TEST_REDIS_URL, failing the test when it is missing. */
const char *bh_redis_url(void);
/* Path of a built binary under services/bus. */
void bh_binary(const char *name, char *buf, size_t size);
/* Writes text to workdir/name; returns the path (static buffer per call
   site is not needed: the caller passes out). */
void bh_write_file(const char *name, const char *text, char *path_out, size_t size);

/* Starts argv[0] (a full path) with extra environment entries (may be
   NULL). The test fails if it cannot fork. */
void bh_spawn(bh_proc_t *proc, const char *name, char *const argv[], char *const env[]);
/* Waits until needle appears in the log (true) or timeout_ms passes. */
bool bh_wait_log(bh_proc_t *proc, const char *needle, int timeout_ms);
/* Counts occurrences of needle in the log. */
int bh_count_log(bh_proc_t *proc, const char *needle);
/* The value of the last "key":"value" (or "key":number) in the log that
   appears after needle's last occurrence (needle may be NULL). */
bool bh_log_value(bh_proc_t *proc, const char *needle, const char *key, char *out, size_t size);
/* Sends sig and waits up to timeout_ms; returns the exit code, 128+signal
   for a signal death, -1 when it had to be SIGKILLed. */
int bh_stop(bh_proc_t *proc, int sig, int timeout_ms);
/* kill -9 and reap. */
void bh_kill9(bh_proc_t *proc);
bool bh_alive(bh_proc_t *proc);
/* Kills every process still registered. */
void bh_cleanup_all(void);

/* Starts pacta-bus with extra arguments (NULL-terminated, may be NULL) on
   the given endpoints ("tcp://127.0.0.1:*" for a fresh port) and waits for
   "listening". */
void bh_bus_start(bh_bus_t *bus, const char *frontend, const char *backend, const char *const *extra_args,
                  char *const env[]);
/* Starts a pacta-bus-counter instance; extra args NULL-terminated. Waits
   until the bus log says it registered, when bus is not NULL. */
void bh_counter_start(bh_proc_t *proc, bh_bus_t *bus, const char *service_class, const char *instance_id,
                      const char *types, const char *const *extra_args);

/* GET http://127.0.0.1:port/path into body (NUL-terminated); returns the
   status code or -1. */
int bh_http_get(int port, const char *path, char *body, size_t size);
/* A metric's value from /metrics text: the line starting with series
   (e.g. pacta_bus_zap_total{result="denied"}). -1 when absent. */
double bh_metric(int port, const char *series);

/* An envelope with all routing fields set and a payload of payload_len
   bytes (filled with a pattern). Strings are copied into the returned
   object; free with bh_envelope_free. */
Pacta__V1__Envelope *bh_envelope(const char *tenant, const char *type, const char *entity_key,
                                 const char *message_id, size_t payload_len);
void bh_envelope_free(Pacta__V1__Envelope *envelope);

/* A store on PACTA_TEST_REDIS_URL (fails the test when unreachable). */
pacta_store_t *bh_store(void);
/* HGET of an integer field (0 when absent). */
long long bh_hget_int(pacta_store_t *store, const char *key, const char *field);
/* HLEN of a key. */
long long bh_hlen(pacta_store_t *store, const char *key);

/* Milliseconds of the monotonic clock. */
int64_t bh_now_ms(void);
void bh_sleep_ms(int ms);
/* A unique name for this test process ("t12345"), for tenants and keys. */
const char *bh_unique(void);

#endif
