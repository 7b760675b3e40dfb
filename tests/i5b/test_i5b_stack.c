/*  Issue 5, area B, through the real stack: Redis (database 14 of the test
    Redis, flushed first), pacta-bus and the five services (invoicing twice)
    on free loopback ports, started by tests/i5c/stack_fixture.h.
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../i5c/stack_fixture.h"

#define SOURCES PACTA_SOURCE_DIR "/tests/"

static void
s_fini(void)
{
    bh_cleanup_all();
}

TestSuite(i5b_stack, .fini = s_fini, .timeout = 300);

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
    //  Two invoicing instances: every anniversary, charge and referral must
    //  still be decided once (compare-and-set on the ledger, deterministic ids).
    sk_use_database(14);
    pacta_store_t *store = sk_store();
    sk_flush(store);
    sk_stack_t stack;
    sk_start(&stack, 1);
    const size_t invoicing = sk_service_index("invoicing");
    sk_start_instance(&stack, invoicing, 1);

    for (size_t i = 0; i < sizeof s_scenarios / sizeof s_scenarios[0]; i++) {
        const scenario_t *scenario = &s_scenarios[i];
        char path[BH_PATH_MAX], audit_key[200], ledger_key[200];
        snprintf(path, sizeof path, "%s%s", SOURCES, scenario->file);
        snprintf(audit_key, sizeof audit_key, "pacta:%s:{c:%s}:audit", scenario->tenant, scenario->contract);
        snprintf(ledger_key, sizeof ledger_key, "pacta:%s:{c:%s}:ledger", scenario->tenant, scenario->contract);
        sk_result_t r = sk_run(&stack, "clock", "reset", "--tenant", scenario->tenant, NULL);
        cr_assert_eq(r.rc, 0, "%s%s", r.out, r.err);
        sk_result_free(&r);
        r = sk_run(&stack, "replay", "--wait", "30", path, NULL);
        cr_assert_eq(r.rc, 0, "%s: %s%s", scenario->file, r.out, r.err);
        cr_assert(strstr(r.out, " 0 nacked;") && strstr(r.out, ", 0 not met"), "%s: %s", scenario->file, r.out);
        sk_result_free(&r);
        const long long audit_len = sk_integer(store, "XLEN", audit_key, NULL);
        const long long ledger_version = sk_integer(store, "HGET", ledger_key, "version");
        cr_assert_gt(audit_len, 2, "%s", scenario->file);
        cr_assert_gt(ledger_version, 0, "%s", scenario->file);

        //  Halfway through the list, both invoicing instances are restarted:
        //  the second run and the scenarios after it meet the same state.
        if (i == sizeof s_scenarios / sizeof s_scenarios[0] / 2) {
            for (size_t instance = 0; instance < 2; instance++) {
                bh_proc_t *proc = &stack.procs[invoicing][instance];
                cr_assert_eq(bh_stop(proc, SIGTERM, 10000), 0, "invoicing exits 0 (log %s)", proc->log_path);
                sk_start_instance(&stack, invoicing, instance);
            }
        }
        r = sk_run(&stack, "replay", "--wait", "30", path, NULL);
        cr_assert_eq(r.rc, 0, "%s: %s%s", scenario->file, r.out, r.err);
        cr_assert(strstr(r.out, ", 0 not met"), "%s: %s", scenario->file, r.out);
        sk_result_free(&r);
        cr_assert_eq(sk_integer(store, "XLEN", audit_key, NULL), audit_len, "%s: no new audit entry", scenario->file);
        cr_assert_eq(sk_integer(store, "HGET", ledger_key, "version"), ledger_version, "%s", scenario->file);
    }

    //  What an operator reads: the Sg Event late-payment case's charges.
    sk_result_t r = sk_run(&stack, "timeline", "--tenant", "sgevent", "ex05-SG-1", NULL);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    cr_assert(strstr(r.out, "SG-8c"), "%s", r.out);
    cr_assert(strstr(r.out, "reminder 2 about invoice ex05-F-SG-0303"), "%s", r.out);
    cr_assert(strstr(r.out, "2025-05-20  SG-8c   Late-payment interest of 32,50 EUR invoiced on 2025-05-20: "), "%s",
              r.out);
    cr_assert(strstr(r.out, "2025-05-20  SG-5c   Restored on 2025-05-20"), "%s", r.out);
    sk_result_free(&r);
    r = sk_run(&stack, "invoice", "show", "--tenant", "sgevent", "ex05-F-SG-0303-LC1", NULL);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    cr_assert(strstr(r.out, "432,50 EUR"), "the charges invoice bills 432.50: %s", r.out);
    sk_result_free(&r);

    sk_stop(&stack);
    pacta_store_destroy(&store);
}
