/*  pactactl against the real stack: Redis (database 12 of the test Redis,
    flushed first, so nothing else's keys meet the services' sweeps),
    pacta-bus and the five services on free loopback ports, started by the
    acceptance suites' stack fixture (tests/i5c/stack_fixture.h).
    The worked example 1 scenario file is replayed through it, with its
    expectations; replayed a second time it changes nothing; then
    timeline, explain and contract show read what the services wrote. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../i5c/stack_fixture.h"

#define SCENARIO PACTA_SOURCE_DIR "/tests/scenarios/example01_capconnect_s3.jsonl"

static void
s_fini(void)
{
    bh_cleanup_all();
}

TestSuite(pactactl_stack, .fini = s_fini, .timeout = 180);

Test(pactactl_stack, worked_example_1_replayed_twice)
{
    sk_use_database(12);
    pacta_store_t *store = sk_store();
    sk_flush(store);
    sk_stack_t stack;
    sk_start(&stack, 1);

    //  First run: every line applies, every expectation of the file holds.
    sk_result_t r = sk_run(&stack, "replay", "--wait", "30", SCENARIO, NULL);
    cr_assert_eq(r.rc, 0, "%s%s", r.out, r.err);
    cr_assert(strstr(r.out, ": 3 sent, 3 acked (0 duplicates), 0 nacked; 4 clock moves; 9 expectations met, 0 not met"),
              "%s", r.out);
    sk_result_free(&r);
    const char *audit_key = "pacta:capconnect:{c:ex01-C-1}:audit";
    const char *contract_key = "pacta:capconnect:{c:ex01-C-1}:contract";
    const char *ledger_key = "pacta:capconnect:{c:ex01-C-1}:ledger";
    const long long audit_len = sk_integer(store, "XLEN", audit_key, NULL);
    const long long contract_version = sk_integer(store, "HGET", contract_key, "version");
    const long long ledger_version = sk_integer(store, "HGET", ledger_key, "version");
    cr_assert_gt(audit_len, 5);

    //  Second run: duplicates, the clock left alone, nothing written.
    r = sk_run(&stack, "replay", "--wait", "30", SCENARIO, NULL);
    cr_assert_eq(r.rc, 0, "%s%s", r.out, r.err);
    cr_assert(strstr(r.out, "0 clock moves, 4 left unchanged"), "%s", r.out);
    cr_assert(strstr(r.out, "0 not met"), "%s", r.out);
    cr_assert(strstr(r.out, "duplicate, already applied; nothing changed"), "%s", r.out);
    sk_result_free(&r);
    cr_assert_eq(sk_integer(store, "XLEN", audit_key, NULL), audit_len, "no new audit entry");
    cr_assert_eq(sk_integer(store, "HGET", contract_key, "version"), contract_version);
    cr_assert_eq(sk_integer(store, "HGET", ledger_key, "version"), ledger_version);

    //  What an operator reads afterwards.
    r = sk_run(&stack, "timeline", "--tenant", "capconnect", "ex01-C-1", NULL);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    cr_assert(strstr(r.out, "2025-02-09  CC-3b   Suspended from 2025-02-09: invoice ex01-F-2025-0042 issued "
                            "2025-02-01 was not paid within 7 calendar days (capconnect §3, CC-3b).\n"),
              "%s", r.out);
    cr_assert(strstr(r.out, "2025-02-19  CC-3c   Restored on 2025-02-19"), "%s", r.out);
    cr_assert(strstr(r.out, "CC-3d   Period 2025-02-09 to 2025-02-19 recorded as not performed"), "%s", r.out);
    sk_result_free(&r);
    r = sk_run(&stack, "timeline", "--tenant", "capconnect", "--lang", "fr", "ex01-C-1", NULL);
    cr_assert(strstr(r.out, "CC-3b   Suspendu à partir du 2025-02-09"), "%s", r.out);
    sk_result_free(&r);
    r = sk_run(&stack, "explain", "--tenant", "capconnect", "ex01-C-1", NULL);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    cr_assert(strstr(r.out, "contract ex01-C-1 (capconnect) is active"), "%s", r.out);
    cr_assert(strstr(r.out, "CC-3c (capconnect §3)"), "%s", r.out);
    cr_assert(strstr(r.out, "CC-3d (capconnect §3)"), "the lost period comes with the restoration: %s", r.out);
    sk_result_free(&r);
    r = sk_run(&stack, "invoice", "show", "--tenant", "capconnect", "ex01-F-2025-0042", NULL);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    cr_assert(strstr(r.out, "communication +++202/5004/20093+++"), "%s", r.out);
    cr_assert(strstr(r.out, "363,00 EUR, paid 363,00 EUR: paid on 2025-02-19"), "%s", r.out);
    sk_result_free(&r);

    sk_stop(&stack);
    pacta_store_destroy(&store);
}
