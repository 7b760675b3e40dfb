/*  =========================================================================
    test_i5e_clauses - issue 5's contract and enforcement clauses that got
    their handlers last (CC-4, CC-5, CC-7, CC-9, CC-10, CC-13, CC-14, CC-17
    moved by an approval, SG-3, SG-4c, SG-4d, SG-5a, SG-5b, SG-9, SG-10,
    SG-14), each through the real stack: Redis (database 4 of the test
    Redis, flushed by every test), pacta-bus and the five services on free
    loopback ports (tests/i5c/stack_fixture.h), pactactl replaying a scenario file of tests/scenarios with its expectations (the
    rules.md examples' dates and amounts), then replaying it again, which
    must change nothing; a few documents and audit entries are then read
    back to check what the expectations do not say.

    Every test owns database 4 for its duration: run with --jobs 1 (CTest
    does, see tests/CMakeLists.txt).
    =========================================================================
*/
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "../i5c/stack_fixture.h"

#define SCENARIOS PACTA_SOURCE_DIR "/tests/scenarios/"

static void
s_fini(void)
{
    bh_cleanup_all();
}

TestSuite(i5e_clauses, .fini = s_fini, .timeout = 240);

typedef struct {
    sk_stack_t sk;               /* redis database 4, the bus, the services */
    pacta_store_t *store;        /* to read documents back */
} i5e_stack_t;

static void
s_stack_start(i5e_stack_t *stack)
{
    memset(stack, 0, sizeof *stack);
    sk_use_database(4);
    stack->store = sk_store();
    sk_flush(stack->store);
    sk_start(&stack->sk, 1);
}

static void
s_stack_stop(i5e_stack_t *stack)
{
    sk_stop(&stack->sk);
    pacta_store_destroy(&stack->store);
}

/* Replays a file of tests/scenarios twice (sk_replay_twice). */
static void
s_replay_twice(i5e_stack_t *stack, const char *file, const char *summary)
{
    char path[BH_PATH_MAX];
    snprintf(path, sizeof path, "%s%s", SCENARIOS, file);
    sk_replay_twice(&stack->sk, path, summary);
}

/* The contract document of tenant/contract (caller decrefs). */
static json_t *
s_contract(i5e_stack_t *stack, const char *tenant, const char *contract_id)
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
s_audit_count(i5e_stack_t *stack, const char *tenant, const char *contract_id, const char *field, const char *value)
{
    return sk_audit_count(stack->store, tenant, contract_id, field, value);
}

/* Sends one JSON event line with pactactl send; returns its result. */
static sk_result_t
s_send(i5e_stack_t *stack, const char *line)
{
    char path[BH_PATH_MAX];
    snprintf(path, sizeof path, "/tmp/i5e-send-%ld.json", (long) getpid());
    FILE *file = fopen(path, "w");
    cr_assert_not_null(file);
    fputs(line, file);
    fputs("\n", file);
    fclose(file);
    sk_result_t r = sk_run(&stack->sk, "send", path, NULL);
    unlink(path);
    return r;
}

Test(i5e_clauses, cc09_withdrawal_within_14_days)
{
    i5e_stack_t stack;
    s_stack_start(&stack);
    s_replay_twice(&stack, "cc09_capconnect_withdrawal.jsonl", "8 sent, 8 acked");
    json_t *a = s_contract(&stack, "capconnect", "cc09-C-A");
    cr_expect_str_eq(s_str(a, "state"), "cancelled");
    json_decref(a);
    //  One cancellation, one refusal each, whatever the replays.
    cr_expect_eq(s_audit_count(&stack, "capconnect", "cc09-C-A", "decision_type", "pacta.v1.WithdrawalAccepted"), 1);
    cr_expect_eq(s_audit_count(&stack, "capconnect", "cc09-C-B", "decision_type", "pacta.v1.WithdrawalRefused"), 1);
    cr_expect_eq(s_audit_count(&stack, "capconnect", "cc09-C-C", "decision_type", "pacta.v1.WithdrawalRefused"), 1);
    s_stack_stop(&stack);
}


Test(i5e_clauses, sg04c_termination_for_cause)
{
    i5e_stack_t stack;
    s_stack_start(&stack);
    s_replay_twice(&stack, "sg04c_sgevent_termination_for_cause.jsonl", "5 sent, 5 acked");
    json_t *a = s_contract(&stack, "sgevent", "sg04c-SG-A");
    cr_expect_str_eq(s_str(a, "state"), "ended");
    cr_expect_str_eq(s_str(a, "end_decision_id"), "SG-4c/sg04c-SG-A/2025-10-06/terminate",
                     "the approved proposal's id is the decision's id");
    json_decref(a);
    //  The refusal and the termination were each decided once, and the
    //  refused contract goes on.
    cr_expect_eq(s_audit_count(&stack, "sgevent", "sg04c-SG-B", "decision_type", "pacta.v1.TerminationRefused"), 1);
    cr_expect_eq(s_audit_count(&stack, "sgevent", "sg04c-SG-B", "decision_type", "pacta.v1.Terminate"), 0);
    cr_expect_eq(s_audit_count(&stack, "sgevent", "sg04c-SG-A", "decision_type", "pacta.v1.Terminate"), 1);
    cr_expect_eq(s_audit_count(&stack, "sgevent", "sg04c-SG-A", "approved_by", "j.dupont"), 1);
    sk_result_t r = sk_run(&stack.sk, "proposals", "list", "--tenant", "sgevent", NULL);
    cr_expect(strstr(r.out, "no pending proposals for tenant sgevent"), "%s", r.out);
    sk_result_free(&r);
    s_stack_stop(&stack);
}

Test(i5e_clauses, sg04d_termination_for_provider_default)
{
    i5e_stack_t stack;
    s_stack_start(&stack);
    s_replay_twice(&stack, "sg04d_sgevent_provider_default.jsonl", "5 sent, 5 acked");
    json_t *doc = s_contract(&stack, "sgevent", "sg04d-SG-D");
    cr_expect_str_eq(s_str(doc, "state"), "ended");
    cr_expect_str_eq(s_str(doc, "ended_on"), "2025-09-19");
    json_decref(doc);
    cr_expect_eq(s_audit_count(&stack, "sgevent", "sg04d-SG-D", "reason", "cure_time_running"), 1);
    cr_expect_eq(s_audit_count(&stack, "sgevent", "sg04d-SG-D", "decision_type", "pacta.v1.Terminate"), 1);
    s_stack_stop(&stack);
}

Test(i5e_clauses, cc13_force_majeure)
{
    i5e_stack_t stack;
    s_stack_start(&stack);
    s_replay_twice(&stack, "cc13_capconnect_force_majeure.jsonl", "6 sent, 6 acked");
    json_t *a = s_contract(&stack, "capconnect", "cc13-C-A");
    cr_expect_str_eq(s_str(a, "end_cause"), "force_majeure");
    cr_expect(json_is_null(json_object_get(a, "suspension")), "an ended contract has no running suspension");
    json_decref(a);
    json_t *b = s_contract(&stack, "capconnect", "cc13-C-B");
    cr_expect_str_eq(s_str(b, "state"), "active");
    cr_expect(json_object_get(b, "ends_on") == NULL || json_is_null(json_object_get(b, "ends_on")), "B goes on");
    json_decref(b);
    cr_expect_eq(s_audit_count(&stack, "capconnect", "cc13-C-A", "decision_type", "pacta.v1.Suspend"), 1);
    cr_expect_eq(s_audit_count(&stack, "capconnect", "cc13-C-B", "decision_type", "pacta.v1.Restore"), 1);
    cr_expect_eq(s_audit_count(&stack, "capconnect", "cc13-C-A", "decision_type", "pacta.v1.Terminate"), 1);
    s_stack_stop(&stack);
}

Test(i5e_clauses, sg03_consumer_withdrawal)
{
    i5e_stack_t stack;
    s_stack_start(&stack);
    s_replay_twice(&stack, "sg03_sgevent_consumer_withdrawal.jsonl", "6 sent, 6 acked");
    json_t *a = s_contract(&stack, "sgevent", "sg03-SG-A");
    cr_expect_str_eq(s_str(a, "state"), "cancelled");
    json_decref(a);
    cr_expect_eq(s_audit_count(&stack, "sgevent", "sg03-SG-A", "decision_type", "pacta.v1.WithdrawalAccepted"), 1);
    cr_expect_eq(s_audit_count(&stack, "sgevent", "sg03-SG-B", "decision_type", "pacta.v1.WithdrawalRefused"), 1);
    cr_expect_eq(s_audit_count(&stack, "sgevent", "sg03-SG-C", "decision_type", "pacta.v1.WithdrawalRefused"), 1);
    //  A cancelled contract takes no other withdrawal: refused, not decided again.
    sk_result_t r = s_send(&stack, "{\"type\": \"WithdrawalRequested\", \"tenant\": \"sgevent\", "
                                   "\"id\": \"sg03-crm-withdraw-A-again\", \"event\": {\"contract_id\": \"sg03-SG-A\", "
                                   "\"notice\": {\"channel\": \"email\", \"sent_on\": \"2025-06-16\"}}}");
    cr_expect_neq(r.rc, 0, "%s%s", r.out, r.err);
    cr_expect(strstr(r.out, "CONFLICT") || strstr(r.err, "CONFLICT"), "%s%s", r.out, r.err);
    sk_result_free(&r);
    s_stack_stop(&stack);
}

/* The worked examples 2 and 3 of rules.md are CC-10's own examples: the
   licence ends on the contract's last day, 2026-02-28 and 2025-09-15. */
Test(i5e_clauses, cc10_licence_ends_with_the_contract)
{
    i5e_stack_t stack;
    s_stack_start(&stack);
    s_replay_twice(&stack, "example03_capconnect_early_termination.jsonl", "3 sent, 3 acked");
    cr_expect_eq(s_audit_count(&stack, "capconnect", "ex03-C-1", "decision_type", "pacta.v1.LicenceEnded"), 1);
    cr_expect_eq(s_audit_count(&stack, "capconnect", "ex03-C-1", "decision_id", "CC-10/ex03-C-1/2025-09-15/licence_end"),
                 1);
    json_t *doc = s_contract(&stack, "capconnect", "ex03-C-1");
    cr_expect_str_eq(s_str(doc, "licence_ended_on"), "2025-09-15");
    json_decref(doc);
    s_stack_stop(&stack);
    s_stack_start(&stack);
    s_replay_twice(&stack, "example02_capconnect_renewal.jsonl", "4 sent, 4 acked");
    cr_expect_eq(s_audit_count(&stack, "capconnect", "ex02-C-A", "decision_id", "CC-10/ex02-C-A/2026-02-28/licence_end"),
                 1);
    //  B's renewed year ends 2027-02-28: its licence runs until then.
    cr_expect_eq(s_audit_count(&stack, "capconnect", "ex02-C-B", "decision_type", "pacta.v1.LicenceEnded"),
                 s_audit_count(&stack, "capconnect", "ex02-C-B", "decision_id", "CC-10/ex02-C-B/2027-02-28/licence_end"));
    s_stack_stop(&stack);
}

Test(i5e_clauses, sg10_terms_change_and_objection)
{
    i5e_stack_t stack;
    s_stack_start(&stack);
    s_replay_twice(&stack, "sg10_sgevent_terms_change.jsonl", "7 sent, 7 acked");
    //  Each change decided once: by the objection or by the timer, never both.
    cr_expect_eq(s_audit_count(&stack, "sgevent", "sg10-SG-A", "decision_type", "pacta.v1.TermsChangeApplied"), 1);
    cr_expect_eq(s_audit_count(&stack, "sgevent", "sg10-SG-B", "decision_type", "pacta.v1.TermsChangeApplied"), 1);
    cr_expect_eq(s_audit_count(&stack, "sgevent", "sg10-SG-C", "decision_type", "pacta.v1.TermsChangeApplied"), 1);
    s_stack_stop(&stack);
}

Test(i5e_clauses, cc14_terms_and_services_change)
{
    i5e_stack_t stack;
    s_stack_start(&stack);
    s_replay_twice(&stack, "cc14_capconnect_terms_change.jsonl", "5 sent, 5 acked");
    cr_expect_eq(s_audit_count(&stack, "capconnect", "cc14-C-A", "decision_type", "pacta.v1.TermsChangeApplied"), 1);
    cr_expect_eq(s_audit_count(&stack, "capconnect", "cc14-C-B", "decision_type", "pacta.v1.TermsChangeApplied"), 1);
    cr_expect_eq(s_audit_count(&stack, "capconnect", "cc14-C-B", "kind", "release"), 1);
    s_stack_stop(&stack);
}

Test(i5e_clauses, sg09_renegotiation_period)
{
    i5e_stack_t stack;
    s_stack_start(&stack);
    s_replay_twice(&stack, "sg09_sgevent_renegotiation.jsonl", "5 sent, 5 acked");
    cr_expect_eq(s_audit_count(&stack, "sgevent", "sg09-SG-A", "decision_type", "pacta.v1.RenegotiationEnded"), 1);
    cr_expect_eq(s_audit_count(&stack, "sgevent", "sg09-SG-B", "decision_type", "pacta.v1.RenegotiationEnded"), 0);
    s_stack_stop(&stack);
}

Test(i5e_clauses, sg14_mediation_time_limits)
{
    i5e_stack_t stack;
    s_stack_start(&stack);
    s_replay_twice(&stack, "sg14_sgevent_mediation.jsonl", "5 sent, 5 acked");
    cr_expect_eq(s_audit_count(&stack, "sgevent", "sg14-SG-A", "decision_type", "pacta.v1.MediationScheduled"), 2);
    cr_expect_eq(s_audit_count(&stack, "sgevent", "sg14-SG-B", "decision_type", "pacta.v1.MediationEnded"), 1);
    s_stack_stop(&stack);
}

Test(i5e_clauses, cc04_suspension_for_missing_content)
{
    i5e_stack_t stack;
    s_stack_start(&stack);
    s_replay_twice(&stack, "cc04_capconnect_missing_content.jsonl", "7 sent, 7 acked");
    cr_expect_eq(s_audit_count(&stack, "capconnect", "cc04-C-A", "decision_type", "pacta.v1.Suspend"), 1,
                 "the approved proposal suspends once");
    cr_expect_eq(s_audit_count(&stack, "capconnect", "cc04-C-B", "rule_id", "CC-4"), 0, "B delivered in time");
    s_stack_stop(&stack);
}

Test(i5e_clauses, cc05_lost_campaign_without_budget)
{
    i5e_stack_t stack;
    s_stack_start(&stack);
    s_replay_twice(&stack, "cc05_capconnect_lost_campaign.jsonl", "6 sent, 6 acked");
    cr_expect_eq(s_audit_count(&stack, "capconnect", "cc05-C-B", "decision_type", "pacta.v1.CampaignLost"), 1);
    s_stack_stop(&stack);
}

Test(i5e_clauses, cc07_option_starts_after_payment)
{
    i5e_stack_t stack;
    s_stack_start(&stack);
    s_replay_twice(&stack, "cc07_capconnect_prepaid_option.jsonl", "5 sent, 5 acked");
    cr_expect_eq(s_audit_count(&stack, "capconnect", "cc07-C-A", "decision_type", "pacta.v1.WorkReleased"), 1,
                 "released once, by the payment that completed the invoice");
    s_stack_stop(&stack);
}

Test(i5e_clauses, sg05a_sg05b_execution_deadlines_and_changes)
{
    i5e_stack_t stack;
    s_stack_start(&stack);
    s_replay_twice(&stack, "sg05_sgevent_execution_deadlines.jsonl", "7 sent, 7 acked");
    cr_expect_eq(s_audit_count(&stack, "sgevent", "sg05-SG-A", "decision_type", "pacta.v1.LatePerformancePenaltyOwed"),
                 1, "one penalty, for the imperative deadline only");
    cr_expect_eq(s_audit_count(&stack, "sgevent", "sg05-SG-A", "decision_type", "pacta.v1.ExtraCostWarningIssued"), 1);
    s_stack_stop(&stack);
}

Test(i5e_clauses, cc17_start_moved_back_and_approved)
{
    i5e_stack_t stack;
    s_stack_start(&stack);
    s_replay_twice(&stack, "cc17_capconnect_start_moved.jsonl", "6 sent, 6 acked");
    sk_result_t r = sk_run(&stack.sk, "proposals", "list", "--tenant", "capconnect", NULL);
    cr_expect(strstr(r.out, "no pending proposals for tenant capconnect"), "%s", r.out);
    sk_result_free(&r);
    cr_expect_eq(s_audit_count(&stack, "capconnect", "cc17-C-B", "status", "proposed"), 1);
    s_stack_stop(&stack);
}

/* What the new handlers refuse, they refuse naming the field, and write nothing. */
Test(i5e_clauses, refusals_name_the_field)
{
    i5e_stack_t stack;
    s_stack_start(&stack);
    sk_result_t r = s_send(&stack, "{\"type\": \"WithdrawalRequested\", \"tenant\": \"capconnect\", \"id\": \"i5e-bad-1\", "
                                "\"event\": {\"contract_id\": \"i5e-NOPE\", \"notice\": {\"channel\": \"email\", "
                                "\"sent_on\": \"2025-03-17\"}}}");
    cr_expect_neq(r.rc, 0);
    cr_expect(strstr(r.out, "UNKNOWN_ENTITY") || strstr(r.err, "UNKNOWN_ENTITY"), "%s%s", r.out, r.err);
    cr_expect(strstr(r.out, "contract_id") || strstr(r.err, "contract_id"), "%s%s", r.out, r.err);
    sk_result_free(&r);
    r = s_send(&stack, "{\"type\": \"ContractSigned\", \"tenant\": \"sgevent\", \"id\": \"i5e-sign\", \"event\": "
                       "{\"contract_id\": \"i5e-SG\", \"client\": {\"client_id\": \"i5e-CL\", \"kind\": \"professional\", "
                       "\"language\": \"fr\"}, \"contract_kind\": \"fixed_term\", \"total\": \"1000.00\", "
                       "\"signed_on\": \"2025-08-01\", \"channel\": \"e_signature\"}}");
    cr_assert_eq(r.rc, 0, "%s%s", r.out, r.err);
    sk_result_free(&r);
    r = s_send(&stack, "{\"type\": \"ProviderDefaultNotified\", \"tenant\": \"sgevent\", \"id\": \"i5e-bad-2\", "
                       "\"event\": {\"contract_id\": \"i5e-SG\", \"notice\": {\"channel\": \"email\", "
                       "\"sent_on\": \"2025-09-01\"}, \"remedy_by\": \"2025-08-20\"}}");
    cr_expect_neq(r.rc, 0);
    cr_expect(strstr(r.out, "remedy_by") || strstr(r.err, "remedy_by"), "%s%s", r.out, r.err);
    sk_result_free(&r);
    r = s_send(&stack, "{\"type\": \"ForceMajeureEnded\", \"tenant\": \"sgevent\", \"id\": \"i5e-fm-end-first\", "
                       "\"event\": {\"contract_id\": \"i5e-SG\"}}");
    cr_expect_neq(r.rc, 0, "ended_on is required");
    cr_expect(strstr(r.out, "ended_on") || strstr(r.err, "ended_on"), "%s%s", r.out, r.err);
    sk_result_free(&r);
    cr_expect_eq(s_audit_count(&stack, "sgevent", "i5e-SG", "caused_by", "i5e-bad-2"), 0, "nothing written");
    redisReply *reply = NULL;
    cr_assert_eq(pacta_store_command_strs(stack.store, &reply, "HGET", "pacta:sgevent:{c:i5e-SG}:enforcement", "doc",
                                          NULL),
                 0);
    cr_expect(reply->type == REDIS_REPLY_NIL || !strstr(reply->str, "provider_default"),
              "the refused formal notice is not recorded");
    freeReplyObject(reply);
    s_stack_stop(&stack);
}
