/*  pactactl against the real stack: Redis (database 12 of the test Redis,
    flushed first, so nothing else's keys meet the services' sweeps),
    pacta-bus and the five services on free loopback ports, started the
    way tests/shell/test_slice.c starts them (the bus suites' harness).
    The worked example 1 scenario file is replayed through it, with its
    expectations; replayed a second time it changes nothing; then
    timeline, explain and contract show read what the services wrote. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../bus/bus_harness.h"
#include "pactactl_cmd.h"

#define SERVICE_COUNT 5
#define SCENARIO PACTA_SOURCE_DIR "/tests/scenarios/example01_capconnect_s3.jsonl"

static const char *const s_services[SERVICE_COUNT] = {"contracts", "invoicing", "enforcement", "notifications",
                                                      "gdpr-retention"};

static void
s_fini(void)
{
    bh_cleanup_all();
}

TestSuite(pactactl_stack, .fini = s_fini, .timeout = 180);

typedef struct {
    char *out;          /* captured stdout */
    size_t out_len;     /* its length */
    char *err;          /* captured stderr */
    size_t err_len;     /* its length */
    int rc;             /* exit code */
} result_t;

static void
s_free(result_t *r)
{
    free(r->out);
    free(r->err);
}

static result_t
s_ctl(const char *first, ...)
{
    char *argv[40] = {"pactactl"};
    int argc = 1;
    va_list args;
    va_start(args, first);
    for (const char *word = first; word && argc < 39; word = va_arg(args, const char *))
        argv[argc++] = (char *) word;
    va_end(args);
    argv[argc] = NULL;
    result_t r = {0};
    FILE *out = open_memstream(&r.out, &r.out_len);
    FILE *err = open_memstream(&r.err, &r.err_len);
    cr_assert(out && err);
    r.rc = pactactl_main(argc, argv, out, err);
    fclose(out);
    fclose(err);
    return r;
}

//  The test Redis, database 12.
static void
s_redis_url(char *buf, size_t size)
{
    const char *base = bh_redis_url();
    if (strncmp(base, "unix://", 7) == 0)
        snprintf(buf, size, "%s%sdb=12", base, strchr(base, '?') ? "&" : "?");
    else
        snprintf(buf, size, "%s/12", base);
}

static long long
s_integer(pacta_store_t *store, const char *command, const char *key, const char *field)
{
    redisReply *reply = NULL;
    int rc = field ? pacta_store_command_strs(store, &reply, command, key, field, NULL)
                   : pacta_store_command_strs(store, &reply, command, key, NULL);
    cr_assert_eq(rc, 0, "%s %s: %s", command, key, pacta_store_error(store));
    long long value = 0;
    if (reply->type == REDIS_REPLY_INTEGER)
        value = reply->integer;
    else if (reply->type == REDIS_REPLY_STRING)
        value = strtoll(reply->str, NULL, 10);
    freeReplyObject(reply);
    return value;
}

Test(pactactl_stack, worked_example_1_replayed_twice)
{
    char redis_url[600], err[256];
    s_redis_url(redis_url, sizeof redis_url);
    pacta_store_options_t options = {.url = redis_url, .client_name = "pactactl-stack-test"};
    pacta_store_t *store = pacta_store_new(&options, err, sizeof err);
    cr_assert_not_null(store, "%s", err);
    cr_assert_eq(pacta_store_connect(store), 0, "%s", pacta_store_error(store));
    redisReply *reply = NULL;
    cr_assert_eq(pacta_store_command_strs(store, &reply, "FLUSHDB", NULL), 0);
    freeReplyObject(reply);

    bh_bus_t bus;
    bh_bus_start(&bus, "tcp://127.0.0.1:*", "tcp://127.0.0.1:*", NULL, NULL);
    char redis_env[700], profile_env[600], bus_env[200], instance_env[200];
    snprintf(redis_env, sizeof redis_env, "PACTA_REDIS_URL=%s", redis_url);
    snprintf(profile_env, sizeof profile_env, "PACTA_PROFILE_DIR=%s/deploy/profiles", PACTA_SOURCE_DIR);
    snprintf(bus_env, sizeof bus_env, "PACTA_BUS_URL=%s", bus.frontend);
    snprintf(instance_env, sizeof instance_env, "PACTA_BUS_INSTANCE_URL=%s", bus.backend);
    char *env[] = {redis_env, profile_env, bus_env, instance_env, (char *) "PACTA_CLOCK=test",
                   (char *) "PACTA_HTTP_ADDR=127.0.0.1:0", NULL};
    bh_proc_t procs[SERVICE_COUNT];
    for (size_t i = 0; i < SERVICE_COUNT; i++) {
        char binary[BH_PATH_MAX];
        snprintf(binary, sizeof binary, "%s/services/%s/pacta-%s", PACTA_BINARY_DIR, s_services[i], s_services[i]);
        char *argv[] = {binary, NULL};
        bh_spawn(&procs[i], s_services[i], argv, env);
    }

    //  First run: every line applies, every expectation of the file holds.
    result_t r = s_ctl("--redis-url", redis_url, "--bus-url", bus.frontend, "replay", "--wait", "30", SCENARIO, NULL);
    cr_assert_eq(r.rc, 0, "%s%s", r.out, r.err);
    cr_assert(strstr(r.out, ": 3 sent, 3 acked (0 duplicates), 0 nacked; 4 clock moves; 9 expectations met, 0 not met"),
              "%s", r.out);
    s_free(&r);
    const char *audit_key = "pacta:capconnect:{c:ex01-C-1}:audit";
    const char *contract_key = "pacta:capconnect:{c:ex01-C-1}:contract";
    const char *ledger_key = "pacta:capconnect:{c:ex01-C-1}:ledger";
    const long long audit_len = s_integer(store, "XLEN", audit_key, NULL);
    const long long contract_version = s_integer(store, "HGET", contract_key, "version");
    const long long ledger_version = s_integer(store, "HGET", ledger_key, "version");
    cr_assert_gt(audit_len, 5);

    //  Second run: duplicates, the clock left alone, nothing written.
    r = s_ctl("--redis-url", redis_url, "--bus-url", bus.frontend, "replay", "--wait", "30", SCENARIO, NULL);
    cr_assert_eq(r.rc, 0, "%s%s", r.out, r.err);
    cr_assert(strstr(r.out, "0 clock moves, 4 left unchanged"), "%s", r.out);
    cr_assert(strstr(r.out, "0 not met"), "%s", r.out);
    cr_assert(strstr(r.out, "duplicate, already applied; nothing changed"), "%s", r.out);
    s_free(&r);
    cr_assert_eq(s_integer(store, "XLEN", audit_key, NULL), audit_len, "no new audit entry");
    cr_assert_eq(s_integer(store, "HGET", contract_key, "version"), contract_version);
    cr_assert_eq(s_integer(store, "HGET", ledger_key, "version"), ledger_version);

    //  What an operator reads afterwards.
    r = s_ctl("--redis-url", redis_url, "timeline", "--tenant", "capconnect", "ex01-C-1", NULL);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    cr_assert(strstr(r.out, "2025-02-09  CC-3b   Suspended from 2025-02-09: invoice ex01-F-2025-0042 issued "
                            "2025-02-01 was not paid within 7 calendar days (capconnect §3, CC-3b).\n"),
              "%s", r.out);
    cr_assert(strstr(r.out, "2025-02-19  CC-3c   Restored on 2025-02-19"), "%s", r.out);
    cr_assert(strstr(r.out, "CC-3d   Period 2025-02-09 to 2025-02-19 recorded as not performed"), "%s", r.out);
    s_free(&r);
    r = s_ctl("--redis-url", redis_url, "timeline", "--tenant", "capconnect", "--lang", "fr", "ex01-C-1", NULL);
    cr_assert(strstr(r.out, "CC-3b   Suspendu à partir du 2025-02-09"), "%s", r.out);
    s_free(&r);
    r = s_ctl("--redis-url", redis_url, "explain", "--tenant", "capconnect", "ex01-C-1", NULL);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    cr_assert(strstr(r.out, "contract ex01-C-1 (capconnect) is active"), "%s", r.out);
    cr_assert(strstr(r.out, "CC-3c (capconnect §3)"), "%s", r.out);
    cr_assert(strstr(r.out, "CC-3d (capconnect §3)"), "the lost period comes with the restoration: %s", r.out);
    s_free(&r);
    r = s_ctl("--redis-url", redis_url, "invoice", "show", "--tenant", "capconnect", "ex01-F-2025-0042", NULL);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    cr_assert(strstr(r.out, "communication +++202/5004/20093+++"), "%s", r.out);
    cr_assert(strstr(r.out, "363,00 EUR, paid 363,00 EUR: paid on 2025-02-19"), "%s", r.out);
    s_free(&r);

    for (size_t i = 0; i < SERVICE_COUNT; i++)
        cr_assert_eq(bh_stop(&procs[i], SIGTERM, 10000), 0, "%s exits 0 (log %s)", s_services[i], procs[i].log_path);
    pacta_store_destroy(&store);
}
