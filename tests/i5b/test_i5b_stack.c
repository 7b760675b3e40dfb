/*  Issue 5, area B, through the real stack: Redis (database 14 of the test
    Redis, flushed first), pacta-bus and the five services (invoicing twice)
    on free loopback ports, started the way tests/services/test_pactactl_stack.c starts them.
    Each scenario file of tests/scenarios/ this area owns is replayed with
    its expectations (CC-3a anniversary invoices in example 1 and in
    tests/i5b/cc3a_month_ends.jsonl; CC-8 referral
    discounts with the cap in example 4; SG-8c late
    charges in examples 5 and 6; SG-8d under L-1 in example 7; SG-8e disputes in
    tests/i5b/sg8e_disputes.jsonl); replayed a
    second time it changes nothing (same audit length, same ledger
    version), also after both invoicing instances were restarted; the Sg Event timeline shows the charges with their reasons. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../bus/bus_harness.h"
#include "pactactl_cmd.h"

#define SERVICE_COUNT 6
#define SOURCES PACTA_SOURCE_DIR "/tests/"

//  Two invoicing instances: every anniversary, charge and referral must
//  still be decided once (compare-and-set on the ledger, deterministic ids).
static const char *const s_services[SERVICE_COUNT] = {"contracts", "invoicing", "invoicing", "enforcement",
                                                      "notifications", "gdpr-retention"};

static void
s_fini(void)
{
    bh_cleanup_all();
}

TestSuite(i5b_stack, .fini = s_fini, .timeout = 300);

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

//  The test Redis, database 14 (area B of issue 5).
static void
s_redis_url(char *buf, size_t size)
{
    const char *base = bh_redis_url();
    if (strncmp(base, "unix://", 7) == 0)
        snprintf(buf, size, "%s%sdb=14", base, strchr(base, '?') ? "&" : "?");
    else
        snprintf(buf, size, "%s/14", base);
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

typedef struct {
    const char *file;       /* scenario file, relative to the source tree */
    const char *tenant;     /* its tenant (clock reset before it) */
    const char *contract;   /* the contract whose audit and ledger must not move on the second run */
} scenario_t;

static const scenario_t s_scenarios[] = {
    {"scenarios/example01_capconnect_s3.jsonl", "capconnect", "ex01-C-1"},
    {"i5b/cc3a_month_ends.jsonl", "capconnect", "i5b-C-M"},
    {"scenarios/example04_capconnect_referral_cap.jsonl", "capconnect", "ex04-C-S"},
    {"scenarios/example05_sgevent_late_payment.jsonl", "sgevent", "ex05-SG-1"},
    {"scenarios/example06_sgevent_indemnity_floor.jsonl", "sgevent", "ex06-SG-6"},
    {"scenarios/example07_sgevent_consumer_late_payment.jsonl", "sgevent", "ex07-SG-7"},
    {"i5b/sg8e_disputes.jsonl", "sgevent", "i5b-SG-A"},
};

Test(i5b_stack, area_b_scenarios_replayed_twice)
{
    char redis_url[600], err[256];
    s_redis_url(redis_url, sizeof redis_url);
    pacta_store_options_t options = {.url = redis_url, .client_name = "i5b-stack-test"};
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
        char *argv[] = {binary, NULL}, name[64];
        snprintf(name, sizeof name, "%s-%zu", s_services[i], i);
        bh_spawn(&procs[i], name, argv, env);
    }

    for (size_t i = 0; i < sizeof s_scenarios / sizeof s_scenarios[0]; i++) {
        const scenario_t *scenario = &s_scenarios[i];
        char path[BH_PATH_MAX], audit_key[200], ledger_key[200];
        snprintf(path, sizeof path, "%s%s", SOURCES, scenario->file);
        snprintf(audit_key, sizeof audit_key, "pacta:%s:{c:%s}:audit", scenario->tenant, scenario->contract);
        snprintf(ledger_key, sizeof ledger_key, "pacta:%s:{c:%s}:ledger", scenario->tenant, scenario->contract);
        result_t r = s_ctl("--redis-url", redis_url, "clock", "reset", "--tenant", scenario->tenant, NULL);
        cr_assert_eq(r.rc, 0, "%s%s", r.out, r.err);
        s_free(&r);
        r = s_ctl("--redis-url", redis_url, "--bus-url", bus.frontend, "replay", "--wait", "30", path, NULL);
        cr_assert_eq(r.rc, 0, "%s: %s%s", scenario->file, r.out, r.err);
        cr_assert(strstr(r.out, " 0 nacked;") && strstr(r.out, ", 0 not met"), "%s: %s", scenario->file, r.out);
        s_free(&r);
        const long long audit_len = s_integer(store, "XLEN", audit_key, NULL);
        const long long ledger_version = s_integer(store, "HGET", ledger_key, "version");
        cr_assert_gt(audit_len, 2, "%s", scenario->file);
        cr_assert_gt(ledger_version, 0, "%s", scenario->file);

        //  Halfway through the list, both invoicing instances are restarted:
        //  the second run and the scenarios after it meet the same state.
        if (i == sizeof s_scenarios / sizeof s_scenarios[0] / 2) {
            for (size_t p = 0; p < SERVICE_COUNT; p++) {
                if (strcmp(s_services[p], "invoicing") != 0)
                    continue;
                cr_assert_eq(bh_stop(&procs[p], SIGTERM, 10000), 0, "invoicing exits 0 (log %s)", procs[p].log_path);
                char binary[BH_PATH_MAX], name[64];
                snprintf(binary, sizeof binary, "%s/services/invoicing/pacta-invoicing", PACTA_BINARY_DIR);
                snprintf(name, sizeof name, "invoicing-%zu-again", p);
                char *argv[] = {binary, NULL};
                bh_spawn(&procs[p], name, argv, env);
            }
        }
        r = s_ctl("--redis-url", redis_url, "--bus-url", bus.frontend, "replay", "--wait", "30", path, NULL);
        cr_assert_eq(r.rc, 0, "%s: %s%s", scenario->file, r.out, r.err);
        cr_assert(strstr(r.out, ", 0 not met"), "%s: %s", scenario->file, r.out);
        s_free(&r);
        cr_assert_eq(s_integer(store, "XLEN", audit_key, NULL), audit_len, "%s: no new audit entry", scenario->file);
        cr_assert_eq(s_integer(store, "HGET", ledger_key, "version"), ledger_version, "%s", scenario->file);
    }

    //  What an operator reads: the Sg Event late-payment case's charges.
    result_t r = s_ctl("--redis-url", redis_url, "timeline", "--tenant", "sgevent", "ex05-SG-1", NULL);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    cr_assert(strstr(r.out, "SG-8c"), "%s", r.out);
    cr_assert(strstr(r.out, "reminder 2 about invoice ex05-F-SG-0303"), "%s", r.out);
    cr_assert(strstr(r.out, "2025-05-20  SG-8c   Late-payment interest of 32,50 EUR invoiced on 2025-05-20: "), "%s",
              r.out);
    cr_assert(strstr(r.out, "2025-05-20  SG-5c   Restored on 2025-05-20"), "%s", r.out);
    s_free(&r);
    r = s_ctl("--redis-url", redis_url, "invoice", "show", "--tenant", "sgevent", "ex05-F-SG-0303-LC1", NULL);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    cr_assert(strstr(r.out, "432,50 EUR"), "the charges invoice bills 432.50: %s", r.out);
    s_free(&r);

    for (size_t i = 0; i < SERVICE_COUNT; i++)
        cr_assert_eq(bh_stop(&procs[i], SIGTERM, 10000), 0, "%s exits 0 (log %s)", s_services[i], procs[i].log_path);
    pacta_store_destroy(&store);
}
