/*  The propose / approve / reject workflow of enforcement (rules.md §0.9),
    through the service shell in-process (pacta_runtime over the test
    Redis): the capconnect terms with CC-3b in mode `propose`, under a
    tenant of this process's own ("pr<pid>t<time>"), so parallel tests never
    meet. An overdue invoice makes a pending proposal (stored, indexed,
    audited "proposed", the contract left running); DecisionApproved
    applies it under the same decision id; DecisionRejected records the
    rejection; a payment withdraws a pending suspension, and a later
    approval applies nothing. Every answer is audited and leaves the
    index. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "enf_handlers.h"
#include "enf_service.h"
#include "pacta/v1/enforcement.pb-c.h"
#include "pacta/v1/invoicing.pb-c.h"
#include "pacta_clock.h"
#include "pacta_runtime.h"
#include "../shell/shell_fixture.h"

static char s_tenant[32];
static char s_dir[600];

static void
s_fini(void)
{
    sf_cleanup_all();
}

TestSuite(i5a_proposals, .fini = s_fini, .timeout = 60);

/* capconnect.yaml renamed to s_tenant, with CC-3b (unpaid_suspension) in mode propose. */
static pacta_profile_set_t *
s_profiles(void)
{
    //  pid and time: a rerun never meets an earlier run's keys.
    snprintf(s_tenant, sizeof s_tenant, "pr%ldt%ld", (long) getpid(), (long) (time(NULL) % 1000000));
    snprintf(s_dir, sizeof s_dir, "/tmp/i5a-proposals-%s", s_tenant);
    mkdir(s_dir, 0700);
    char source[512], target[700];
    snprintf(source, sizeof source, "%s/deploy/profiles/capconnect.yaml", PACTA_SOURCE_DIR);
    snprintf(target, sizeof target, "%s/%s.yaml", s_dir, s_tenant);
    FILE *in = fopen(source, "r");
    FILE *out = fopen(target, "w");
    cr_assert(in && out);
    char line[1024];
    bool renamed = false, block = false, proposing = false;
    while (fgets(line, sizeof line, in)) {
        if (!renamed && strncmp(line, "tenant:", 7) == 0) {
            fprintf(out, "tenant: %s\n", s_tenant);
            renamed = true;
            continue;
        }
        if (line[0] != ' ' && line[0] != '#' && line[0] != '\n')
            block = strncmp(line, "unpaid_suspension:", 18) == 0;
        if (block && strncmp(line, "  mode: auto", 12) == 0) {
            fputs("  mode: propose\n", out);
            proposing = true;
            continue;
        }
        fputs(line, out);
    }
    fclose(in);
    fclose(out);
    cr_assert(renamed && proposing, "capconnect.yaml has tenant: and unpaid_suspension.mode lines");
    char err[512];
    pacta_profile_set_t *profiles = pacta_profile_set_load_dir(s_dir, err, sizeof err);
    cr_assert_not_null(profiles, "%s", err);
    return profiles;
}

typedef struct {
    pacta_store_t *store;              /* the test Redis */
    pacta_profile_set_t *profiles;     /* the proposing terms */
    pacta_clock_t *clock;              /* tenant clocks */
    pacta_runtime_t *rt;               /* enforcement's shell */
} fixture_t;

static void
s_start(fixture_t *f)
{
    f->store = sf_store();
    f->profiles = s_profiles();
    f->clock = pacta_clock_new(PACTA_CLOCK_TEST, f->store);
    cr_assert_not_null(f->clock);
    pacta_runtime_options_t options = {.service = "enforcement", .consumes = enf_service_spec()->consumes,
                                       .handlers = &enf_handlers, .store = f->store, .profiles = f->profiles,
                                       .clock = f->clock};
    char err[256];
    f->rt = pacta_runtime_new(&options, err, sizeof err);
    cr_assert_not_null(f->rt, "%s", err);
}

static void
s_stop(fixture_t *f)
{
    pacta_runtime_destroy(&f->rt);
    pacta_clock_destroy(&f->clock);
    pacta_profile_set_destroy(&f->profiles);
    pacta_store_destroy(&f->store);
    char path[700];
    snprintf(path, sizeof path, "%s/%s.yaml", s_dir, s_tenant);
    unlink(path);
    rmdir(s_dir);
}

/* Handles payload on c:<contract>; asserts it is ACKed. */
static pacta_runtime_result_t
s_handle(fixture_t *f, const char *contract_id, const char *message_id, const ProtobufCMessage *payload)
{
    char entity[80];
    snprintf(entity, sizeof entity, "c:%s", contract_id);
    Pacta__V1__Envelope *env = sf_envelope(s_tenant, entity, message_id, payload);
    pacta_runtime_result_t result;
    cr_assert_eq(pacta_runtime_handle(f->rt, env, &result), 0);
    cr_assert(result.ack, "%s refused: %s %s", message_id, result.field, result.detail);
    sf_envelope_free(env);
    return result;
}

/* An invoice of contract_id issued 2025-02-01, due 2025-02-08, then found overdue on 2025-02-09. */
static void
s_overdue_invoice(fixture_t *f, const char *contract_id, const char *invoice_id)
{
    Pacta__V1__Date issued, due, overdue;
    Pacta__V1__Money total;
    Pacta__V1__InvoiceIssued issued_msg = PACTA__V1__INVOICE_ISSUED__INIT;
    issued_msg.invoice_id = (char *) invoice_id;
    issued_msg.contract_id = (char *) contract_id;
    issued_msg.issued_on = sf_date(&issued, "2025-02-01");
    issued_msg.due_on = sf_date(&due, "2025-02-08");
    issued_msg.total_incl_vat = sf_money(&total, 36300);
    //  Facts about a contract need the contract (contracts writes it).
    char key[200], doc[200];
    snprintf(key, sizeof key, "pacta:%s:{c:%s}:contract", s_tenant, contract_id);
    snprintf(doc, sizeof doc, "{\"contract_id\": \"%s\", \"state\": \"active\"}", contract_id);
    redisReply *reply = NULL;
    cr_assert_eq(pacta_store_command_strs(f->store, &reply, "HSET", key, "version", "1", "doc", doc, NULL), 0);
    freeReplyObject(reply);
    char id[120];
    snprintf(id, sizeof id, "issued-%s", invoice_id);
    s_handle(f, contract_id, id, &issued_msg.base);
    Pacta__V1__InvoiceOverdue overdue_msg = PACTA__V1__INVOICE_OVERDUE__INIT;
    overdue_msg.invoice_id = (char *) invoice_id;
    overdue_msg.contract_id = (char *) contract_id;
    overdue_msg.due_on = &due;
    overdue_msg.overdue_from = sf_date(&overdue, "2025-02-09");
    overdue_msg.outstanding = &total;
    snprintf(id, sizeof id, "overdue-%s", invoice_id);
    s_handle(f, contract_id, id, &overdue_msg.base);
}

static json_t *
s_doc(fixture_t *f, const char *contract_id)
{
    char key[200];
    snprintf(key, sizeof key, "pacta:%s:{c:%s}:enforcement", s_tenant, contract_id);
    json_t *doc = sf_doc(f->store, key, NULL);
    cr_assert_not_null(doc, "%s exists", key);
    return doc;
}

static json_t *
s_audit(fixture_t *f, const char *contract_id)
{
    char key[200];
    snprintf(key, sizeof key, "pacta:%s:{c:%s}:audit", s_tenant, contract_id);
    return sf_audit(f->store, key);
}

/* Is "c:<contract>|<decision id>" in the tenant's proposals index? */
static bool
s_indexed(fixture_t *f, const char *contract_id, const char *decision_id)
{
    char key[120], member[300];
    snprintf(key, sizeof key, "pacta:{ix:%s}:proposals", s_tenant);
    snprintf(member, sizeof member, "c:%s|%s", contract_id, decision_id);
    redisReply *reply = NULL;
    cr_assert_eq(pacta_store_command_strs(f->store, &reply, "ZSCORE", key, member, NULL), 0);
    bool found = reply->type == REDIS_REPLY_STRING;
    freeReplyObject(reply);
    return found;
}

/* The one pending proposal of the contract: its decision id (static buffer). */
static const char *
s_proposal_id(fixture_t *f, const char *contract_id, const char *status)
{
    static char id[200];
    json_t *doc = s_doc(f, contract_id);
    const json_t *proposals = json_object_get(doc, "proposals");
    cr_assert_eq(json_array_size(proposals), 1, "one proposal");
    const json_t *proposal = json_array_get(proposals, 0);
    cr_assert_str_eq(json_string_value(json_object_get(proposal, "status")), status);
    snprintf(id, sizeof id, "%s", json_string_value(json_object_get(proposal, "decision_id")));
    json_decref(doc);
    return id;
}

static void
s_approve(fixture_t *f, const char *contract_id, const char *decision_id, const char *message_id)
{
    Pacta__V1__Date on;
    Pacta__V1__DecisionApproved msg = PACTA__V1__DECISION_APPROVED__INIT;
    msg.decision_id = (char *) decision_id;
    msg.contract_id = (char *) contract_id;
    msg.approved_by = (char *) "operator-ann";
    msg.approved_on = sf_date(&on, "2025-02-10");
    msg.comment = (char *) "checked with accounting";
    s_handle(f, contract_id, message_id, &msg.base);
}

Test(i5a_proposals, overdue_invoice_makes_a_pending_proposal_that_approval_applies)
{
    fixture_t f;
    s_start(&f);
    s_overdue_invoice(&f, "C-A", "F-A");
    const char *pending = s_proposal_id(&f, "C-A", "proposed");
    char decision_id[200];
    snprintf(decision_id, sizeof decision_id, "%s", pending);
    cr_expect_str_eq(decision_id, "CC-3b/C-A/2025-02-09/suspend");
    json_t *doc = s_doc(&f, "C-A");
    cr_expect_str_eq(json_string_value(json_object_get(doc, "state")), "active", "a proposal suspends nothing");
    json_decref(doc);
    cr_expect(s_indexed(&f, "C-A", decision_id));
    json_t *audit = s_audit(&f, "C-A");
    json_t *proposed = sf_audit_find(audit, "status", "proposed");
    cr_assert_not_null(proposed);
    cr_expect_str_eq(json_string_value(json_object_get(proposed, "decision_id")), decision_id);
    cr_expect_str_eq(json_string_value(json_object_get(proposed, "kind")), "suspend");
    cr_expect(strstr(json_string_value(json_object_get(proposed, "sentence_en")), "Proposed"), "%s",
              json_string_value(json_object_get(proposed, "sentence_en")));
    json_decref(audit);

    s_approve(&f, "C-A", decision_id, "approve-1");
    s_proposal_id(&f, "C-A", "applied");
    doc = s_doc(&f, "C-A");
    cr_expect_str_eq(json_string_value(json_object_get(doc, "state")), "suspended");
    const json_t *suspension = json_object_get(doc, "suspension");
    cr_expect_str_eq(json_string_value(json_object_get(suspension, "since")), "2025-02-09",
                     "applied on its own date, not the approval's");
    cr_expect_str_eq(json_string_value(json_object_get(suspension, "decision_id")), decision_id);
    json_decref(doc);
    cr_expect_not(s_indexed(&f, "C-A", decision_id), "an answered proposal leaves the index");
    audit = s_audit(&f, "C-A");
    json_t *applied = sf_audit_find(audit, "status", "applied");
    cr_assert_not_null(applied);
    cr_expect_str_eq(json_string_value(json_object_get(applied, "decision_id")), decision_id);
    cr_expect_str_eq(json_string_value(json_object_get(applied, "decision_type")), "pacta.v1.Suspend");
    cr_expect_str_eq(json_string_value(json_object_get(applied, "approved_by")), "operator-ann");
    cr_expect_str_eq(json_string_value(json_object_get(applied, "comment")), "checked with accounting");
    cr_expect_str_eq(json_string_value(json_object_get(applied, "date")), "2025-02-09");
    const size_t entries = json_array_size(audit);
    json_decref(audit);

    //  A second approval (another message) changes nothing.
    s_approve(&f, "C-A", decision_id, "approve-2");
    audit = s_audit(&f, "C-A");
    cr_expect_eq(json_array_size(audit), entries, "nothing audited twice");
    json_decref(audit);
    s_stop(&f);
}

Test(i5a_proposals, rejection_is_recorded_and_suspends_nothing)
{
    fixture_t f;
    s_start(&f);
    s_overdue_invoice(&f, "C-B", "F-B");
    char decision_id[200];
    snprintf(decision_id, sizeof decision_id, "%s", s_proposal_id(&f, "C-B", "proposed"));
    Pacta__V1__Date on;
    Pacta__V1__DecisionRejected msg = PACTA__V1__DECISION_REJECTED__INIT;
    msg.decision_id = decision_id;
    msg.contract_id = (char *) "C-B";
    msg.rejected_by = (char *) "operator-bob";
    msg.rejected_on = sf_date(&on, "2025-02-11");
    msg.reason = (char *) "payment plan agreed";
    s_handle(&f, "C-B", "reject-1", &msg.base);
    s_proposal_id(&f, "C-B", "rejected");
    json_t *doc = s_doc(&f, "C-B");
    cr_expect_str_eq(json_string_value(json_object_get(doc, "state")), "active");
    cr_expect(json_is_null(json_object_get(doc, "suspension")));
    json_decref(doc);
    cr_expect_not(s_indexed(&f, "C-B", decision_id));
    json_t *audit = s_audit(&f, "C-B");
    json_t *rejected = sf_audit_find(audit, "status", "rejected");
    cr_assert_not_null(rejected);
    cr_expect_str_eq(json_string_value(json_object_get(rejected, "rejected_by")), "operator-bob");
    cr_expect_str_eq(json_string_value(json_object_get(rejected, "rejection_reason")), "payment plan agreed");
    cr_expect_str_eq(json_string_value(json_object_get(rejected, "answered_on")), "2025-02-11");
    cr_expect_null(sf_audit_find(audit, "status", "applied"));
    json_decref(audit);
    //  Approving after the rejection applies nothing.
    s_approve(&f, "C-B", decision_id, "approve-after-reject");
    s_proposal_id(&f, "C-B", "rejected");
    s_stop(&f);
}

Test(i5a_proposals, payment_withdraws_the_proposal_and_a_late_approval_applies_nothing)
{
    fixture_t f;
    s_start(&f);
    s_overdue_invoice(&f, "C-C", "F-C");
    char decision_id[200];
    snprintf(decision_id, sizeof decision_id, "%s", s_proposal_id(&f, "C-C", "proposed"));
    Pacta__V1__Date paid_on;
    Pacta__V1__Money paid;
    Pacta__V1__InvoicePaid paid_msg = PACTA__V1__INVOICE_PAID__INIT;
    paid_msg.invoice_id = (char *) "F-C";
    paid_msg.contract_id = (char *) "C-C";
    paid_msg.paid_on = sf_date(&paid_on, "2025-02-10");
    paid_msg.total_paid = sf_money(&paid, 36300);
    s_handle(&f, "C-C", "paid-F-C", &paid_msg.base);
    //  The payment withdraws the proposal at once: the operator no longer sees it.
    s_proposal_id(&f, "C-C", "withdrawn");
    cr_expect_not(s_indexed(&f, "C-C", decision_id));
    s_approve(&f, "C-C", decision_id, "approve-late");
    s_proposal_id(&f, "C-C", "withdrawn");
    json_t *doc = s_doc(&f, "C-C");
    cr_expect_str_eq(json_string_value(json_object_get(doc, "state")), "active");
    json_decref(doc);
    json_t *audit = s_audit(&f, "C-C");
    cr_expect_not_null(sf_audit_find(audit, "status", "withdrawn"));
    cr_expect_null(sf_audit_find(audit, "status", "applied"));
    json_decref(audit);
    cr_expect_not(s_indexed(&f, "C-C", decision_id));
    s_stop(&f);
}

Test(i5a_proposals, contract_end_withdraws_proposals_and_stops_suspensions)
{
    fixture_t f;
    s_start(&f);
    s_overdue_invoice(&f, "C-D", "F-D");
    char decision_id[200];
    snprintf(decision_id, sizeof decision_id, "%s", s_proposal_id(&f, "C-D", "proposed"));
    Pacta__V1__Date ended_on;
    Pacta__V1__ContractEnded ended = PACTA__V1__CONTRACT_ENDED__INIT;
    ended.contract_id = (char *) "C-D";
    ended.ended_on = sf_date(&ended_on, "2025-02-28");
    ended.cause = PACTA__V1__CONTRACT_END_CAUSE__CONTRACT_END_CAUSE_EARLY_TERMINATION;
    s_handle(&f, "C-D", "ended-C-D", &ended.base);
    s_proposal_id(&f, "C-D", "withdrawn");
    cr_expect_not(s_indexed(&f, "C-D", decision_id));
    //  An invoice found overdue after the end suspends nothing (mode auto or propose).
    Pacta__V1__Date issued, due, overdue;
    Pacta__V1__Money total;
    Pacta__V1__InvoiceIssued issued_msg = PACTA__V1__INVOICE_ISSUED__INIT;
    issued_msg.invoice_id = (char *) "F-D2";
    issued_msg.contract_id = (char *) "C-D";
    issued_msg.issued_on = sf_date(&issued, "2025-03-01");
    issued_msg.due_on = sf_date(&due, "2025-03-08");
    issued_msg.total_incl_vat = sf_money(&total, 36300);
    s_handle(&f, "C-D", "issued-F-D2", &issued_msg.base);
    Pacta__V1__InvoiceOverdue overdue_msg = PACTA__V1__INVOICE_OVERDUE__INIT;
    overdue_msg.invoice_id = (char *) "F-D2";
    overdue_msg.contract_id = (char *) "C-D";
    overdue_msg.due_on = &due;
    overdue_msg.overdue_from = sf_date(&overdue, "2025-03-09");
    overdue_msg.outstanding = &total;
    s_handle(&f, "C-D", "overdue-F-D2", &overdue_msg.base);
    s_proposal_id(&f, "C-D", "withdrawn");   /* still the one, withdrawn: nothing new proposed */
    json_t *doc = s_doc(&f, "C-D");
    cr_expect_str_eq(json_string_value(json_object_get(doc, "ended_on")), "2025-02-28");
    cr_expect(json_is_null(json_object_get(doc, "suspension")));
    json_decref(doc);
    s_stop(&f);
}
