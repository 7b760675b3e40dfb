/*  The contract-side worked examples through the real stack: Redis
    (database 13 of the test Redis, flushed by every test), pacta-bus and
    the five services on free loopback ports, started by
    tests/i5c/stack_fixture.h. Each scenario file of
    tests/scenarios is replayed by pactactl with its expectations (the
    dates, amounts and rule ids of docs/rules.md), then replayed a second
    time, which must change nothing; a few documents are then read back
    to check what the expectations do not say.

    Every test owns database 13 for its duration: run with --jobs 1 (CTest
    does, see tests/CMakeLists.txt). */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "../i5c/stack_fixture.h"

#define SCENARIOS PACTA_SOURCE_DIR "/tests/scenarios/"

static void
s_fini(void)
{
    bh_cleanup_all();
}

TestSuite(i5a_scenarios, .fini = s_fini, .timeout = 240);

typedef struct {
    sk_stack_t sk;               /* redis database 13, the bus, the services */
    pacta_store_t *store;        /* to read documents back */
    char profile_env[700];       /* PACTA_PROFILE_DIR=<the profiles of this test> */
} i5a_stack_t;

static void
s_stack_start_with(i5a_stack_t *stack, const char *profile_dir)
{
    memset(stack, 0, sizeof *stack);
    sk_use_database(13);
    stack->store = sk_store();
    sk_flush(stack->store);
    snprintf(stack->profile_env, sizeof stack->profile_env, "PACTA_PROFILE_DIR=%s", profile_dir);
    const char *const extra_env[] = {stack->profile_env, NULL};
    sk_start_with(&stack->sk, 1, extra_env);
}

static void
s_stack_start(i5a_stack_t *stack)
{
    s_stack_start_with(stack, PACTA_SOURCE_DIR "/deploy/profiles");
}

static void
s_stack_stop(i5a_stack_t *stack)
{
    sk_stop(&stack->sk);
    pacta_store_destroy(&stack->store);
}

/* Replays a file of tests/scenarios twice (sk_replay_twice). */
static void
s_replay_twice(i5a_stack_t *stack, const char *file, const char *summary)
{
    char path[BH_PATH_MAX];
    snprintf(path, sizeof path, "%s%s", SCENARIOS, file);
    sk_replay_twice(&stack->sk, path, summary);
}

/* The contract document of tenant/contract (caller decrefs). */
static json_t *
s_contract(i5a_stack_t *stack, const char *tenant, const char *contract_id)
{
    return sk_document(stack->store, tenant, contract_id, "contract");
}

static const char *
s_str(const json_t *doc, const char *key)
{
    const char *value = json_string_value(json_object_get(doc, key));
    return value ? value : "";
}

/* The number of audit entries of the contract whose field `field` is `value`. */
static size_t
s_audit_count(i5a_stack_t *stack, const char *tenant, const char *contract_id, const char *field, const char *value)
{
    return sk_audit_count(stack->store, tenant, contract_id, field, value);
}

Test(i5a_scenarios, example02_renewal_and_non_renewal)
{
    i5a_stack_t stack;
    s_stack_start(&stack);
    s_replay_twice(&stack, "example02_capconnect_renewal.jsonl", "4 sent, 4 acked");
    json_t *a = s_contract(&stack, "capconnect", "ex02-C-A");
    cr_expect_str_eq(s_str(a, "state"), "ended");
    cr_expect_str_eq(s_str(a, "ended_on"), "2026-02-28");
    cr_expect_str_eq(s_str(a, "end_cause"), "not_renewed");
    json_decref(a);
    json_t *b = s_contract(&stack, "capconnect", "ex02-C-B");
    cr_expect_str_eq(s_str(b, "ended_on"), "2027-02-28");
    cr_expect_str_eq(s_str(b, "term_ends_on"), "2027-02-28", "the renewed period is the last one");
    json_decref(b);
    cr_expect_eq(s_audit_count(&stack, "capconnect", "ex02-C-A", "kind", "renew"), 0, "A never renews");
    cr_expect_eq(s_audit_count(&stack, "capconnect", "ex02-C-B", "kind", "renew"), 1, "B renews once, not twice");
    //  Why B is over: the late notice, whatever happened in its last period.
    sk_result_t r = sk_run(&stack.sk, "explain", "--tenant", "capconnect", "ex02-C-B", NULL);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    cr_expect(strstr(r.out, "contract ex02-C-B (capconnect) is ended"), "%s", r.out);
    cr_expect(strstr(r.out, "Because:\n  2027-02-28  CC-2b (capconnect §2)"), "%s", r.out);
    sk_result_free(&r);
    s_stack_stop(&stack);
}

Test(i5a_scenarios, example03_early_termination)
{
    i5a_stack_t stack;
    s_stack_start(&stack);
    s_replay_twice(&stack, "example03_capconnect_early_termination.jsonl", "3 sent, 3 acked");
    json_t *doc = s_contract(&stack, "capconnect", "ex03-C-1");
    cr_expect_str_eq(s_str(doc, "ended_on"), "2025-09-15");
    cr_expect_str_eq(s_str(doc, "end_cause"), "early_termination");
    json_decref(doc);
    cr_expect_eq(s_audit_count(&stack, "capconnect", "ex03-C-1", "reason", "too_early"), 1);
    cr_expect_eq(s_audit_count(&stack, "capconnect", "ex03-C-1", "decision_type", "pacta.v1.EarlyTerminationAccepted"),
                 1);
    //  The refusal names the day it becomes possible.
    sk_result_t r = sk_run(&stack.sk, "timeline", "--tenant", "capconnect", "ex03-C-1", NULL);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    cr_expect(strstr(r.out, "2025-09-01"), "%s", r.out);
    sk_result_free(&r);
    s_stack_stop(&stack);
}

Test(i5a_scenarios, example08_recurring_notice)
{
    i5a_stack_t stack;
    s_stack_start(&stack);
    s_replay_twice(&stack, "example08_sgevent_recurring_termination.jsonl", "2 sent, 2 acked");
    json_t *doc = s_contract(&stack, "sgevent", "ex08-SG-R");
    cr_expect_str_eq(s_str(doc, "ended_on"), "2025-07-31");
    cr_expect_str_eq(s_str(doc, "end_cause"), "notice");
    json_decref(doc);
    s_stack_stop(&stack);
}

Test(i5a_scenarios, example09_fixed_term_early_termination)
{
    i5a_stack_t stack;
    s_stack_start(&stack);
    s_replay_twice(&stack, "example09_sgevent_fixed_term_termination.jsonl", "5 sent, 5 acked");
    json_t *doc = s_contract(&stack, "sgevent", "ex09-SG-F");
    cr_expect_str_eq(s_str(doc, "state"), "ended");
    cr_expect_eq(json_integer_value(json_object_get(doc, "deposit_cents")), 350000);
    cr_expect_eq(json_integer_value(json_object_get(doc, "performed_cents")), 200000);
    json_decref(doc);
    s_stack_stop(&stack);
}

Test(i5a_scenarios, example10_quote_lapse)
{
    i5a_stack_t stack;
    s_stack_start(&stack);
    s_replay_twice(&stack, "example10_sgevent_quote_lapse.jsonl", "4 sent, 4 acked");
    json_t *a = s_contract(&stack, "sgevent", "ex10-SG-A");
    json_t *b = s_contract(&stack, "sgevent", "ex10-SG-B");
    cr_expect_str_eq(s_str(json_object_get(a, "quote"), "state"), "accepted");
    cr_expect_str_eq(s_str(json_object_get(b, "quote"), "state"), "lapsed");
    cr_expect_str_eq(s_str(json_object_get(b, "quote"), "lapsed_on"), "2025-06-18");
    json_decref(a);
    json_decref(b);
    cr_expect_eq(s_audit_count(&stack, "sgevent", "ex10-SG-A", "decision_type", "pacta.v1.QuoteLapsed"), 0,
                 "an accepted quote never lapses");
    s_stack_stop(&stack);
}

/* A profile directory with capconnect.yaml and its copy "cprop" whose
   unpaid_suspension (CC-3b) is in mode propose. */
static void
s_propose_profiles(char *dir, size_t size)
{
    snprintf(dir, size, "/tmp/i5a-stack-profiles-%ld", (long) getpid());
    mkdir(dir, 0700);
    char source[512], copy[700], renamed[700];
    snprintf(source, sizeof source, "%s/deploy/profiles/capconnect.yaml", PACTA_SOURCE_DIR);
    snprintf(copy, sizeof copy, "%s/capconnect.yaml", dir);
    snprintf(renamed, sizeof renamed, "%s/cprop.yaml", dir);
    FILE *in = fopen(source, "r");
    FILE *out = fopen(copy, "w");
    FILE *prop = fopen(renamed, "w");
    cr_assert(in && out && prop);
    char line[1024];
    bool block = false, proposing = false;
    while (fgets(line, sizeof line, in)) {
        fputs(line, out);
        if (strncmp(line, "tenant:", 7) == 0) {
            fputs("tenant: cprop\n", prop);
            continue;
        }
        if (line[0] != ' ' && line[0] != '#' && line[0] != '\n')
            block = strncmp(line, "unpaid_suspension:", 18) == 0;
        if (block && strncmp(line, "  mode: auto", 12) == 0) {
            fputs("  mode: propose\n", prop);
            proposing = true;
            continue;
        }
        fputs(line, prop);
    }
    fclose(in);
    fclose(out);
    fclose(prop);
    cr_assert(proposing, "capconnect.yaml has unpaid_suspension.mode");
}

/* Waits up to 15 s for the contract document's state. */
static bool
s_wait_state(i5a_stack_t *stack, const char *tenant, const char *contract_id, const char *state)
{
    for (int i = 0; i < 150; i++) {
        json_t *doc = s_contract(stack, tenant, contract_id);
        bool reached = strcmp(s_str(doc, "state"), state) == 0;
        json_decref(doc);
        if (reached)
            return true;
        usleep(100 * 1000);
    }
    return false;
}

Test(i5a_scenarios, proposals_approved_and_rejected_with_pactactl)
{
    char dir[300];
    s_propose_profiles(dir, sizeof dir);
    i5a_stack_t stack;
    s_stack_start_with(&stack, dir);
    sk_result_t r = sk_run(&stack.sk, "replay", "--wait", "30",
                           PACTA_SOURCE_DIR "/tests/i5a/proposals_cprop.jsonl", NULL);
    cr_assert_eq(r.rc, 0, "%s%s", r.out, r.err);
    cr_assert(strstr(r.out, " 0 not met"), "%s", r.out);
    sk_result_free(&r);
    r = sk_run(&stack.sk, "proposals", "list", "--tenant", "cprop", NULL);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    cr_assert(strstr(r.out, "2 pending proposal(s) for tenant cprop"), "%s", r.out);
    cr_assert(strstr(r.out, "CC-3b/P-1/2025-02-09/suspend"), "%s", r.out);
    sk_result_free(&r);

    r = sk_run(&stack.sk, "proposals", "approve", "--tenant",
               "cprop", "--comment", "no payment plan", "CC-3b/P-1/2025-02-09/suspend", NULL);
    cr_assert_eq(r.rc, 0, "%s%s", r.out, r.err);
    cr_assert(strstr(r.out, "approved CC-3b/P-1/2025-02-09/suspend of c:P-1: applied"), "%s", r.out);
    sk_result_free(&r);
    r = sk_run(&stack.sk, "proposals", "reject", "--tenant",
               "cprop", "--reason", "paid at the counter", "CC-3b/P-2/2025-02-09/suspend", NULL);
    cr_assert_eq(r.rc, 0, "%s%s", r.out, r.err);
    sk_result_free(&r);

    //  The approved suspension reaches the contract like an automatic one.
    cr_assert(s_wait_state(&stack, "cprop", "P-1", "suspended"), "P-1 is suspended after the approval");
    json_t *doc = s_contract(&stack, "cprop", "P-1");
    const json_t *suspension = json_object_get(doc, "suspension");
    cr_expect_str_eq(s_str(suspension, "since"), "2025-02-09");
    cr_expect_str_eq(s_str(suspension, "decision_id"), "CC-3b/P-1/2025-02-09/suspend");
    json_decref(doc);
    doc = s_contract(&stack, "cprop", "P-2");
    cr_expect_str_eq(s_str(doc, "state"), "active", "a rejected proposal suspends nothing");
    json_decref(doc);
    cr_expect_eq(s_audit_count(&stack, "cprop", "P-1", "decision_type", "pacta.v1.Suspend"), 1, "applied once");
    cr_expect_eq(s_audit_count(&stack, "cprop", "P-1", "comment", "no payment plan"), 1);
    cr_expect_eq(s_audit_count(&stack, "cprop", "P-2", "status", "rejected"), 1);
    cr_expect_eq(s_audit_count(&stack, "cprop", "P-2", "rejection_reason", "paid at the counter"), 1);
    cr_expect_eq(s_audit_count(&stack, "cprop", "P-2", "decision_type", "pacta.v1.Suspend"), 0);
    r = sk_run(&stack.sk, "proposals", "list", "--tenant", "cprop", NULL);
    cr_expect(strstr(r.out, "no pending proposals for tenant cprop"), "%s", r.out);
    sk_result_free(&r);
    r = sk_run(&stack.sk, "timeline", "--tenant", "cprop", "P-1", NULL);
    cr_expect(strstr(r.out, "Suspended from 2025-02-09"), "%s", r.out);
    sk_result_free(&r);
    s_stack_stop(&stack);
    char path[400];
    snprintf(path, sizeof path, "%s/capconnect.yaml", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/cprop.yaml", dir);
    unlink(path);
    rmdir(dir);
}

/* Replays file up to and including the first line holding `through` (a
   prefix of the scenario), kills contracts with SIGKILL, starts it again,
   then replays the whole file: the prefix is all duplicates, the rest
   (the clock moves that fire contracts' timers) must meet every
   expectation as in a plain run. */
static void
s_replay_with_restart(i5a_stack_t *stack, const char *file, const char *through)
{
    char path[BH_PATH_MAX], prefix[BH_PATH_MAX];
    snprintf(path, sizeof path, "%s%s", SCENARIOS, file);
    snprintf(prefix, sizeof prefix, "/tmp/i5a-prefix-%ld.jsonl", (long) getpid());
    FILE *in = fopen(path, "r");
    FILE *out = fopen(prefix, "w");
    cr_assert(in && out);
    char line[8192];
    bool found = false;
    while (!found && fgets(line, sizeof line, in)) {
        fputs(line, out);
        found = strstr(line, through) != NULL;
    }
    cr_assert(found, "%s has a line with %s", file, through);
    fclose(in);
    fclose(out);
    sk_result_t r = sk_run(&stack->sk, "replay", "--wait", "30", prefix, NULL);
    cr_assert_eq(r.rc, 0, "%s%s", r.out, r.err);
    cr_assert_null(strstr(r.out, "NOT MET"), "%s", r.out);
    sk_result_free(&r);
    unlink(prefix);
    /* contracts, with its owed timers and outbox as they are */
    const size_t contracts = sk_service_index("contracts");
    bh_kill9(&stack->sk.procs[contracts][0]);
    sk_start_instance(&stack->sk, contracts, 0);
    r = sk_run(&stack->sk, "replay", "--wait", "30", path, NULL);
    cr_assert_eq(r.rc, 0, "%s%s", r.out, r.err);
    cr_assert(strstr(r.out, " 0 nacked;"), "%s", r.out);
    cr_assert(strstr(r.out, " 0 not met"), "%s", r.out);
    sk_result_free(&r);
}

Test(i5a_scenarios, example02_with_contracts_killed_half_way)
{
    i5a_stack_t stack;
    s_stack_start(&stack);
    //  Up to contract B's late notice: the renewal and both ends are still timers.
    s_replay_with_restart(&stack, "example02_capconnect_renewal.jsonl", "ex02-mail-nonrenewal-B");
    cr_expect_eq(s_audit_count(&stack, "capconnect", "ex02-C-B", "kind", "renew"), 1, "renewed once");
    cr_expect_eq(s_audit_count(&stack, "capconnect", "ex02-C-A", "message_type", "timer:contract.end"), 1,
                 "ended once");
    s_stack_stop(&stack);
}

Test(i5a_scenarios, example10_with_contracts_killed_half_way)
{
    i5a_stack_t stack;
    s_stack_start(&stack);
    //  After both quotes are issued: the lapse of quote B is a timer.
    s_replay_with_restart(&stack, "example10_sgevent_quote_lapse.jsonl", "ex10-crm-quote-B");
    s_stack_stop(&stack);
}
