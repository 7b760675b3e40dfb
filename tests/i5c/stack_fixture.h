/*  =========================================================================
    stack_fixture - the acceptance suites' stack: one database of the test
    Redis (15 unless sk_use_database() says otherwise), pacta-bus and the
    services on free loopback ports, and a snapshot of what the services
    wrote, comparable between runs

    Every acceptance test flushes its database first, so the suites that
    share one run one test at a time (--jobs 1, registered that way in
    tests/CMakeLists.txt); suites of other directories pick their own
    database number with sk_use_database() before anything else. A snapshot keeps what must not depend on how the
    stack ran (one instance or two, a service killed or not): the versioned
    documents (version and doc, never updated_ms) and the audit entries
    (their fields, sorted, never the stream ids).
    =========================================================================
*/
#ifndef STACK_FIXTURE_H_INCLUDED
#define STACK_FIXTURE_H_INCLUDED

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "../bus/bus_harness.h"

#define SK_SERVICES 5                 /* contracts, invoicing, enforcement, notifications, gdpr-retention */
#define SK_INSTANCES_MAX 2            /* instances of one service */

typedef struct {
    bh_bus_t bus;                                  /* the bus and its endpoints */
    bh_proc_t procs[SK_SERVICES][SK_INSTANCES_MAX]; /* [service][instance], pid 0 when not running */
    char redis_url[600];                           /* database 15 of the test Redis */
    char *env[24];                                 /* the services' environment (NULL-terminated) */
    char env_storage[4][700];                      /* its variable entries */
} sk_stack_t;

/* "contracts", "invoicing", ... by index. */
const char *sk_service_name(size_t index);
/* The index of a service name (the test fails on an unknown one). */
size_t sk_service_index(const char *name);

/* Makes the following calls use database db (0..15) of the test Redis
   instead of 15. Call it first in a test (each Criterion test runs in its
   own process, so the choice lasts for that test). */
void sk_use_database(int db);
/* The test Redis's URL for that database. */
void sk_redis_url(char *buf, size_t size);
/* A connected store on that database (fails the test when unreachable). */
pacta_store_t *sk_store(void);
/* FLUSHDB on that database. */
void sk_flush(pacta_store_t *store);

/* Starts the bus and every service; the first three (contracts, invoicing,
   enforcement) with `instances` instances each. */
void sk_start(sk_stack_t *stack, int instances);
/* The same, with extra "NAME=value" environment entries for every service
   (NULL-terminated, at most 16; borrowed: keep them alive until sk_stop),
   e.g. PACTA_SMTP_URL or PACTA_VAULT_MASTER_KEY_FILE. An entry named like
   a default (PACTA_PROFILE_DIR...) replaces it. */
void sk_start_with(sk_stack_t *stack, int instances, const char *const *extra_env);
/* (Re)starts one instance of a service. */
void sk_start_instance(sk_stack_t *stack, size_t service, size_t instance);
/* Stops everything with SIGTERM; the test fails when a service does not exit 0. */
void sk_stop(sk_stack_t *stack);

/* pactactl with the stack's Redis and bus: rc, stdout and stderr (both
   NUL-terminated; free them). Arguments after the command, NULL-terminated. */
int sk_ctl(sk_stack_t *stack, char **out, char **err, const char *command, ...);
/* The same, as one value. */
typedef struct {
    int rc;        /* exit code */
    char *out;     /* stdout, NUL-terminated */
    char *err;     /* stderr, NUL-terminated */
} sk_result_t;
sk_result_t sk_run(sk_stack_t *stack, const char *command, ...);
void sk_result_free(sk_result_t *result);

/* A snapshot of the keys matching pattern: when portable, only documents
   (version, doc) and audit entries (fields, entries sorted); otherwise every
   key with every field (stream ids too). Caller frees. */
char *sk_snapshot(pacta_store_t *store, const char *pattern, bool portable);
/* An integer reply (or a string holding one) of `command key [field]`,
   e.g. XLEN or HGET version; 0 when the key or field does not exist. */
long long sk_integer(pacta_store_t *store, const char *command, const char *key, const char *field);
/* Replays the scenario file at path: every expectation met, nothing
   refused, and the summary line holds `summary` ("3 sent, 3 acked"); then
   again: no clock move, only duplicates, every expectation still met. */
void sk_replay_twice(sk_stack_t *stack, const char *path, const char *summary);
/* The JSON document `name` ("contract", "ledger"...) of a contract (the
   test fails when it does not exist; caller decrefs). */
json_t *sk_document(pacta_store_t *store, const char *tenant, const char *contract_id, const char *name);
/* The number of entries of a contract's audit stream whose field `field`
   is `value`. */
size_t sk_audit_count(pacta_store_t *store, const char *tenant, const char *contract_id, const char *field,
                      const char *value);
/* Number of lines of text containing needle. */
size_t sk_count_lines(const char *text, const char *needle);

#endif
