/*  =========================================================================
    shell_fixture - what the shell suites share: a tenant of their own, the
    test Redis, envelopes built from payloads, Redis reads

    Criterion runs tests in parallel processes against one Redis, and the
    shell's keys are per tenant (documents, timers, the test clock), so
    every test process gets its own tenant: the capconnect profile copied
    under the name "sh<pid>", with every figure unchanged.
    =========================================================================
*/
#ifndef SHELL_FIXTURE_H_INCLUDED
#define SHELL_FIXTURE_H_INCLUDED

#include <jansson.h>
#include <protobuf-c/protobuf-c.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pacta/v1/envelope.pb-c.h"
#include "pacta/v1/types.pb-c.h"
#include "pacta_profile.h"
#include "pacta_store.h"

/* This process's tenant ("sh12345"). */
const char *sf_tenant(void);
/* A directory holding the capconnect profile renamed to sf_tenant(). */
const char *sf_profile_dir(void);
/* The profiles of sf_profile_dir() (fails the test if they do not load). */
pacta_profile_set_t *sf_profiles(void);
/* PACTA_TEST_REDIS_URL (fails the test when missing). */
const char *sf_redis_url(void);
/* A connected store on it (fails the test when unreachable). */
pacta_store_t *sf_store(void);

/* An envelope for payload (packed here) with tenant, entity key and id;
   free with sf_envelope_free(). */
Pacta__V1__Envelope *sf_envelope(const char *tenant, const char *entity_key, const char *message_id,
                                 const ProtobufCMessage *payload);
void sf_envelope_free(Pacta__V1__Envelope *envelope);

/* A date for a payload: sf_date(&storage, "2025-02-01"). */
Pacta__V1__Date *sf_date(Pacta__V1__Date *storage, const char *text);
/* Money in EUR: sf_money(&storage, 36300). */
Pacta__V1__Money *sf_money(Pacta__V1__Money *storage, int64_t cents);

/* The versioned document at key (its "doc" field parsed), NULL if absent;
   *version receives its version (0 if absent) when not NULL. */
json_t *sf_doc(pacta_store_t *store, const char *key, long long *version);
/* XLEN / HLEN / EXISTS of key. */
long long sf_xlen(pacta_store_t *store, const char *key);
long long sf_hlen(pacta_store_t *store, const char *key);
bool sf_exists(pacta_store_t *store, const char *key);
/* Number of keys matching pattern (SCAN). */
long long sf_count_keys(pacta_store_t *store, const char *pattern);
/* The audit entries of key as a JSON array of objects (field -> value). */
json_t *sf_audit(pacta_store_t *store, const char *key);
/* The first audit entry whose field equals value, or NULL (borrowed from entries). */
json_t *sf_audit_find(json_t *entries, const char *field, const char *value);

/* ---- child processes (killed by sf_cleanup_all, which suites call in .fini) ---- */

typedef struct {
    int pid;                           /* 0 when not running */
    char name[64];                     /* for messages */
    char log_path[700];                /* stdout and stderr go there */
} sf_proc_t;

/* Starts argv[0] (a full path) with a clean PACTA_* environment plus env
   (NULL-terminated "NAME=value" entries, may be NULL); output to
   <workdir>/<tenant>-<name>.log. */
void sf_spawn(sf_proc_t *proc, const char *name, char *const argv[], char *const env[]);
/* Sends sig, waits up to timeout_ms: the exit code, 128+signal, or -1 when
   it had to be killed. */
int sf_stop(sf_proc_t *proc, int sig, int timeout_ms);
void sf_cleanup_all(void);
/* Waits until needle appears in the process's log (true) or timeout_ms. */
bool sf_wait_log(sf_proc_t *proc, const char *needle, int timeout_ms);
/* Starts pacta-bus on fresh loopback ports and fills the endpoints it bound. */
void sf_bus_start(sf_proc_t *proc, char *frontend, size_t frontend_size, char *backend, size_t backend_size);

int64_t sf_now_ms(void);
void sf_sleep_ms(int ms);

#endif
