/*  pactactl's state readers -- contract show, invoice show, timeline,
    explain, proposals -- and replay expectations, over a tenant seeded in
    the test Redis exactly as docs/state.md lays it out. Approving and
    rejecting go through a real pacta-bus to a pacta-bus-counter instance
    standing in for the service that proposed. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../bus/bus_harness.h"
#include "pactactl_cmd.h"

#define CLASS "pactactl-test"

static void
s_teardown(void)
{
    bh_cleanup_all();
}

TestSuite(pactactl_state, .fini = s_teardown, .timeout = 120);

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

//  pactactl --redis-url <test redis> [--bus-url bus] WORDS...
static result_t
s_ctl(const char *bus_url, const char *first, ...)
{
    char *argv[40] = {"pactactl", "--redis-url", (char *) bh_redis_url()};
    int argc = 3;
    if (bus_url) {
        argv[argc++] = "--bus-url";
        argv[argc++] = (char *) bus_url;
    }
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

static void
s_redis(pacta_store_t *store, const char *first, ...)
{
    const char *argv[40];
    int argc = 0;
    va_list args;
    va_start(args, first);
    for (const char *word = first; word && argc < 40; word = va_arg(args, const char *))
        argv[argc++] = word;
    va_end(args);
    redisReply *reply = NULL;
    cr_assert_eq(pacta_store_command(store, &reply, argc, argv, NULL), 0, "%s: %s", first, pacta_store_error(store));
    cr_assert_neq(reply->type, REDIS_REPLY_ERROR, "%s: %s", first, reply->str);
    freeReplyObject(reply);
}

#define CONTRACT_DOC                                                                                              \
    "{\"contract_id\":\"C-1\",\"client\":{\"client_id\":\"K-1\",\"kind\":\"professional\",\"language\":\"fr\"},"  \
    "\"kind\":\"subscription_pack\",\"pack\":\"start\",\"billing_period\":\"monthly\",\"fee_cents\":30000,"        \
    "\"signed_on\":\"2025-02-01\",\"channel\":\"order_form\",\"state\":\"suspended\",\"start_on\":\"2025-02-01\","  \
    "\"start_cause\":\"order_form\",\"term_ends_on\":\"2026-01-31\",\"renewal_notice_deadline\":\"2025-10-31\","    \
    "\"suspension\":{\"decision_id\":\"CC-3b/C-1/2025-02-09\",\"reason\":\"unpaid\",\"since\":\"2025-02-09\"},"    \
    "\"suspensions\":[{\"decision_id\":\"CC-3b/C-1/2025-02-09\",\"reason\":\"unpaid\",\"from\":\"2025-02-09\"}],"   \
    "\"lost_periods\":[]}"
#define LEDGER_DOC                                                                                                \
    "{\"contract_id\":\"C-1\",\"credit_cents\":0,\"invoices\":[{\"invoice_id\":\"F-1\",\"kind\":\"periodic\","      \
    "\"issued_on\":\"2025-02-01\",\"due_on\":\"2025-02-08\",\"total_cents\":36300,"                               \
    "\"structured_communication\":\"202500420093\",\"paid_cents\":10000,\"state\":\"open\","                       \
    "\"overdue_from\":\"2025-02-09\"}],\"payments\":[{\"payment_id\":\"B-7\",\"amount_cents\":10000,"               \
    "\"value_date\":\"2025-02-05\",\"matched_by\":\"structured_communication\","                                  \
    "\"applied\":[{\"invoice_id\":\"F-1\",\"amount_cents\":10000}],\"credit_cents\":0}]}"
#define VALUES                                                                                                    \
    "[{\"role\":\"input\",\"name\":\"due_on\",\"type\":\"date\",\"value\":\"2025-02-08\"},"                         \
    "{\"role\":\"input\",\"name\":\"outstanding\",\"type\":\"money\",\"value\":26300},"                            \
    "{\"role\":\"parameter\",\"name\":\"grace\",\"type\":\"int\",\"value\":0,\"unit\":\"days\"},"                   \
    "{\"role\":\"result\",\"name\":\"suspended_from\",\"type\":\"date\",\"value\":\"2025-02-09\"}]"

//  A tenant with contract C-1 suspended for F-1, as docs/state.md lays it
//  out, and one pending CC-4 proposal made by `proposer`.
static void
s_seed(pacta_store_t *store, const char *tenant, const char *proposer)
{
    char prefix[200], key[256], index[128];
    snprintf(prefix, sizeof prefix, "pacta:%s:{c:C-1}", tenant);
    snprintf(key, sizeof key, "%s:contract", prefix);
    s_redis(store, "HSET", key, "version", "5", "doc", CONTRACT_DOC, "updated_ms", "1739055600000", "updated_by",
            "m-suspend", NULL);
    snprintf(key, sizeof key, "%s:ledger", prefix);
    s_redis(store, "HSET", key, "version", "3", "doc", LEDGER_DOC, "updated_ms", "1", "updated_by", "m-pay", NULL);
    snprintf(key, sizeof key, "%s:enforcement", prefix);
    s_redis(store, "HSET", key, "version", "2", "doc", "{\"contract_id\":\"C-1\",\"state\":\"suspended\"}", NULL);
    snprintf(key, sizeof key, "%s:audit", prefix);
    s_redis(store, "XADD", key, "*", "entry", "fact", "service", "invoicing", "caused_by", "m-inv", "cause_type",
            "pacta.v1.InvoiceIssued", "summary", "invoice F-1 issued", "date", "2025-02-01", "ref", "F-1",
            "message_type", "pacta.v1.InvoiceIssued", NULL);
    s_redis(store, "XADD", key, "*", "entry", "decision", "service", "invoicing", "caused_by",
            "tm:c:C-1/invoice.overdue/F-1/2025-02-09", "cause_type", "timer:invoice.overdue", "summary",
            "F-1 overdue", "date", "2025-02-09", "decision_id", "CC-3a/F-1/2025-02-09", "rule_id", "CC-3a", "clause",
            "capconnect §3", "kind", "overdue", "status", "applied", "decision_type", "pacta.v1.InvoiceOverdue",
            "sentence_en", "Invoice F-1 is overdue from 2025-02-09", "sentence_fr",
            "La facture F-1 est en retard depuis le 2025-02-09", "values", "[]", NULL);
    s_redis(store, "XADD", key, "*", "entry", "decision", "service", "enforcement", "caused_by", "m-overdue",
            "cause_type", "pacta.v1.InvoiceOverdue", "summary", "suspended", "date", "2025-02-09", "decision_id",
            "CC-3b/C-1/2025-02-09", "rule_id", "CC-3b", "clause", "capconnect §3", "kind", "suspend", "status",
            "applied", "decision_type", "pacta.v1.Suspend", "evaluated_on", "2025-02-09", "sentence_en",
            "Suspended from 2025-02-09", "sentence_fr", "Suspendu à partir du 2025-02-09", "values", VALUES, NULL);
    s_redis(store, "XADD", key, "*", "entry", "decision", "service", proposer, "caused_by", "tm:content", "cause_type",
            "timer:content.deadline", "summary", "suspension proposed", "date", "2025-02-12", "decision_id",
            "CC-4/C-1/2025-02-12", "rule_id", "CC-4", "clause", "capconnect §4", "kind", "suspend", "status",
            "proposed", "sentence_en", "Suspend from 2025-02-12: content not delivered", "sentence_fr",
            "Suspendre à partir du 2025-02-12", NULL);
    snprintf(index, sizeof index, "pacta:{ix:%s}:invoices", tenant);
    s_redis(store, "HSET", index, "F-1", "C-1", NULL);
    snprintf(index, sizeof index, "pacta:{ix:%s}:proposals", tenant);
    s_redis(store, "ZADD", index, "20131", "c:C-1|CC-4/C-1/2025-02-12", NULL);
}

Test(pactactl_state, contract_and_invoice_show)
{
    pacta_store_t *store = bh_store();
    const char *tenant = bh_unique();
    s_seed(store, tenant, "enforcement");

    result_t r = s_ctl(NULL, "contract", "show", "--tenant", tenant, "C-1", NULL);
    cr_assert_eq(r.rc, 0, "%s%s", r.out, r.err);
    cr_assert(strstr(r.out, "contract C-1 ("), "%s", r.out);
    cr_assert(strstr(r.out, "version 5, last changed by m-suspend"), "%s", r.out);
    cr_assert(strstr(r.out, "pack start, billed monthly at 300,00 EUR"), "%s", r.out);
    cr_assert(strstr(r.out, "state         suspended since 2025-02-09 (unpaid, decision CC-3b/C-1/2025-02-09)"), "%s",
              r.out);
    cr_assert(strstr(r.out, "term ends     2026-01-31; non-renewal notice by 2025-10-31"), "%s", r.out);
    cr_assert(strstr(r.out, "F-1            periodic  issued 2025-02-01  due 2025-02-08  363,00 EUR  paid 100,00 EUR"),
              "%s", r.out);
    cr_assert(strstr(r.out, "(overdue from 2025-02-09)"), "%s", r.out);
    cr_assert(strstr(r.out, "B-7 100,00 EUR  2025-02-05  by structured_communication -> F-1 100,00 EUR"), "%s", r.out);
    cr_assert(strstr(r.out, "pending proposals"), "%s", r.out);
    cr_assert(strstr(r.out, "CC-4/C-1/2025-02-12: CC-4 Suspend from 2025-02-12"), "%s", r.out);
    s_free(&r);

    r = s_ctl(NULL, "contract", "show", "--tenant", tenant, "--json", "c:C-1", NULL);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    json_error_t error;
    json_t *json = json_loads(r.out, 0, &error);
    cr_assert_not_null(json, "--json prints JSON: %s\n%s", error.text, r.out);
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(json_object_get(json, "contract"), "doc"),
                                                       "state")),
                     "suspended");
    cr_assert_eq(json_integer_value(json_object_get(json_object_get(json, "ledger"), "version")), 3);
    json_decref(json);
    s_free(&r);

    r = s_ctl(NULL, "contract", "show", "--tenant", tenant, "C-404", NULL);
    cr_assert_eq(r.rc, 1);
    cr_assert(strstr(r.err, "no contract C-404 for tenant"), "%s", r.err);
    s_free(&r);
    r = s_ctl(NULL, "contract", "show", "C-1", NULL);
    cr_assert_eq(r.rc, 2);
    cr_assert(strstr(r.err, "--tenant is required"), "%s", r.err);
    s_free(&r);
    r = s_ctl(NULL, "contract", "list", NULL);
    cr_assert_eq(r.rc, 2);
    s_free(&r);

    r = s_ctl(NULL, "invoice", "show", "--tenant", tenant, "F-1", NULL);
    cr_assert_eq(r.rc, 0, "%s%s", r.out, r.err);
    cr_assert(strstr(r.out, "invoice F-1 ("), "%s", r.out);
    cr_assert(strstr(r.out, "contract C-1, periodic"), "%s", r.out);
    cr_assert(strstr(r.out, "communication +++202/5004/20093+++"), "%s", r.out);
    cr_assert(strstr(r.out, "amount        363,00 EUR, paid 100,00 EUR: open"), "%s", r.out);
    cr_assert(strstr(r.out, "overdue from  2025-02-09"), "%s", r.out);
    cr_assert(strstr(r.out, "B-7 100,00 EUR on 2025-02-05"), "%s", r.out);
    s_free(&r);
    r = s_ctl(NULL, "invoice", "show", "--tenant", tenant, "--json", "F-1", NULL);
    json = json_loads(r.out, 0, &error);
    cr_assert_not_null(json, "%s", r.out);
    cr_assert_str_eq(json_string_value(json_object_get(json, "contract_id")), "C-1");
    cr_assert_eq(json_array_size(json_object_get(json, "payments")), 1);
    json_decref(json);
    s_free(&r);
    r = s_ctl(NULL, "invoice", "show", "--tenant", tenant, "F-404", NULL);
    cr_assert_eq(r.rc, 1);
    cr_assert(strstr(r.err, "no invoice F-404"), "%s", r.err);
    s_free(&r);
    pacta_store_destroy(&store);
}

Test(pactactl_state, timeline_and_explain)
{
    pacta_store_t *store = bh_store();
    const char *tenant = bh_unique();
    s_seed(store, tenant, "enforcement");

    result_t r = s_ctl(NULL, "timeline", "--tenant", tenant, "C-1", NULL);
    cr_assert_eq(r.rc, 0, "%s%s", r.out, r.err);
    cr_assert(strstr(r.out, "timeline of c:C-1 ("), "%s", r.out);
    cr_assert(strstr(r.out, "4 entries"), "%s", r.out);
    cr_assert(strstr(r.out, "2025-02-01  fact    InvoiceIssued: invoice F-1 issued\n"), "%s", r.out);
    cr_assert(strstr(r.out, "2025-02-09  CC-3a   Invoice F-1 is overdue from 2025-02-09\n"), "%s", r.out);
    cr_assert(strstr(r.out, "2025-02-09  CC-3b   Suspended from 2025-02-09\n"), "%s", r.out);
    cr_assert(strstr(r.out, "2025-02-12  CC-4    Suspend from 2025-02-12: content not delivered (proposed)\n"), "%s",
              r.out);
    //  In commit order.
    cr_assert_lt(strstr(r.out, "CC-3a"), strstr(r.out, "CC-3b"));
    s_free(&r);

    r = s_ctl(NULL, "timeline", "--tenant", tenant, "--lang", "fr", "C-1", NULL);
    cr_assert(strstr(r.out, "CC-3b   Suspendu à partir du 2025-02-09"), "%s", r.out);
    s_free(&r);
    r = s_ctl(NULL, "timeline", "--tenant", tenant, "--lang", "nl", "C-1", NULL);
    cr_assert_eq(r.rc, 2);
    s_free(&r);

    r = s_ctl(NULL, "timeline", "--tenant", tenant, "--json", "C-1", NULL);
    json_error_t error;
    json_t *json = json_loads(r.out, 0, &error);
    cr_assert_not_null(json, "%s", r.out);
    cr_assert_eq(json_array_size(json), 4);
    json_t *suspend = json_array_get(json, 2);
    cr_assert_str_eq(json_string_value(json_object_get(suspend, "rule_id")), "CC-3b");
    cr_assert(json_is_array(json_object_get(suspend, "values")), "values come back as JSON");
    cr_assert(json_is_string(json_object_get(suspend, "stream_id")));
    json_decref(json);
    s_free(&r);

    r = s_ctl(NULL, "timeline", "--tenant", tenant, "C-404", NULL);
    cr_assert_eq(r.rc, 1);
    cr_assert(strstr(r.err, "nothing recorded for c:C-404"), "%s", r.err);
    s_free(&r);

    r = s_ctl(NULL, "explain", "--tenant", tenant, "C-1", NULL);
    cr_assert_eq(r.rc, 0, "%s%s", r.out, r.err);
    cr_assert(strstr(r.out, ") is suspended since 2025-02-09 (unpaid).\n"), "%s", r.out);
    cr_assert(strstr(r.out, "Because:\n  2025-02-09  CC-3b (capconnect §3), evaluated on 2025-02-09, applied by "
                            "enforcement\n    Suspended from 2025-02-09\n"),
              "%s", r.out);
    cr_assert(strstr(r.out, "inputs      due_on 2025-02-08, outstanding 263,00 EUR\n"), "%s", r.out);
    cr_assert(strstr(r.out, "parameters  grace 0 days\n"), "%s", r.out);
    cr_assert(strstr(r.out, "results     suspended_from 2025-02-09\n"), "%s", r.out);
    cr_assert(strstr(r.out, "which followed:\n    2025-02-09  CC-3a (capconnect §3)"), "the cause: %s", r.out);
    cr_assert(strstr(r.out, "which followed timer:invoice.overdue tm:c:C-1/invoice.overdue/F-1/2025-02-09"), "%s",
              r.out);
    cr_assert(strstr(r.out, "CC-4/C-1/2025-02-12"), "pending proposals are part of why: %s", r.out);
    s_free(&r);
    r = s_ctl(NULL, "explain", "--tenant", tenant, "C-404", NULL);
    cr_assert_eq(r.rc, 1);
    s_free(&r);
    pacta_store_destroy(&store);
}

Test(pactactl_state, replay_expectations)
{
    pacta_store_t *store = bh_store();
    const char *tenant = bh_unique();
    s_seed(store, tenant, "enforcement");
    char text[2048], path[BH_PATH_MAX];
    snprintf(text, sizeof text,
             "{\"expect\": \"contract\", \"id\": \"C-1\", \"match\": {\"state\": \"suspended\", "
             "\"suspension\": {\"since\": \"2025-02-09\"}}}\n"
             "{\"expect\": \"decision\", \"id\": \"C-1\", \"count\": 1, \"match\": {\"rule_id\": \"CC-3b\", "
             "\"date\": \"2025-02-09\"}}\n"
             "{\"expect\": \"invoice\", \"id\": \"F-1\", \"match\": {\"state\": \"open\", \"total_cents\": 36300}}\n"
             "{\"expect\": \"contract\", \"id\": \"C-1\", \"match\": {\"state\": \"active\"}}\n"
             "{\"expect\": \"decision\", \"id\": \"C-1\", \"match\": {\"rule_id\": \"CC-3c\"}}\n"
             "{\"expect\": \"invoice\", \"id\": \"F-404\", \"match\": {}}\n");
    bh_write_file("expect.jsonl", text, path, sizeof path);
    result_t r = s_ctl("tcp://127.0.0.1:1", "replay", "--no-settle", "--keep-going", "--tenant", tenant, path, NULL);
    cr_assert_eq(r.rc, 1, "unmet expectations fail the replay: %s%s", r.out, r.err);
    cr_assert(strstr(r.out, "line 1: ok, contract C-1 as expected"), "%s", r.out);
    cr_assert(strstr(r.out, "line 2: ok, 1 decision entry of C-1 as expected"), "%s", r.out);
    cr_assert(strstr(r.out, "line 3: ok, invoice F-1 as expected"), "%s", r.out);
    cr_assert(strstr(r.out, "line 4: NOT MET: contract C-1 differs at state: "), "%s", r.out);
    cr_assert(strstr(r.out, "line 5: NOT MET: 0 decision entries of C-1 match "), "%s", r.out);
    cr_assert(strstr(r.out, "line 6: NOT MET: no invoice F-404"), "%s", r.out);
    cr_assert(strstr(r.out, "; 3 expectations met, 3 not met"), "%s", r.out);
    s_free(&r);

    r = s_ctl("tcp://127.0.0.1:1", "replay", "--no-settle", "--tenant", tenant, path, NULL);
    cr_assert_eq(r.rc, 1);
    cr_assert(strstr(r.out, "stopped at line 4"), "without --keep-going the first unmet one stops it: %s", r.out);
    s_free(&r);
    pacta_store_destroy(&store);
}

Test(pactactl_state, proposals_list_approve_reject)
{
    //  The counter instance plays the service that proposed.
    bh_bus_t bus;
    bh_proc_t instance;
    char routes[BH_PATH_MAX], routes_arg[BH_PATH_MAX + 20];
    bh_write_file("routes.conf", CLASS " pacta.v1.DecisionApproved pacta.v1.DecisionRejected\n", routes,
                  sizeof routes);
    snprintf(routes_arg, sizeof routes_arg, "--bus-routes=%s", routes);
    const char *args[] = {routes_arg, "--no-bus-builtin-routes", NULL};
    bh_bus_start(&bus, "tcp://127.0.0.1:*", "tcp://127.0.0.1:*", args, NULL);
    bh_counter_start(&instance, &bus, CLASS, "ctl-p", "pacta.v1.DecisionApproved,pacta.v1.DecisionRejected", NULL);

    pacta_store_t *store = bh_store();
    const char *tenant = bh_unique();
    s_seed(store, tenant, CLASS);

    result_t r = s_ctl(NULL, "proposals", "list", "--tenant", tenant, NULL);
    cr_assert_eq(r.rc, 0, "%s%s", r.out, r.err);
    cr_assert(strstr(r.out, "1 pending proposal(s) for tenant"), "%s", r.out);
    cr_assert(strstr(r.out, "2025-02-12  c:C-1        CC-4/C-1/2025-02-12"), "%s", r.out);
    cr_assert(strstr(r.out, "CC-4 by " CLASS ": Suspend from 2025-02-12"), "%s", r.out);
    s_free(&r);
    r = s_ctl(NULL, "proposals", "list", "--tenant", tenant, "--json", NULL);
    json_t *json = json_loads(r.out, 0, NULL);
    cr_assert(json_is_array(json) && json_array_size(json) == 1, "%s", r.out);
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(json, 0), "decision_id")), "CC-4/C-1/2025-02-12");
    json_decref(json);
    s_free(&r);

    r = s_ctl(bus.frontend, "--operator", "j.dupont", "proposals", "approve", "--tenant", tenant, "--comment",
              "client warned", "CC-4/C-1/2025-02-12", NULL);
    cr_assert_eq(r.rc, 0, "%s%s", r.out, r.err);
    cr_assert(strstr(r.out, "approved CC-4/C-1/2025-02-12 of c:C-1: applied by ctl-p"), "%s", r.out);
    s_free(&r);
    char key[256];
    snprintf(key, sizeof key, "pacta:%s:{c:C-1}:effects:" CLASS, tenant);
    cr_assert_eq(bh_hlen(store, key), 1, "one DecisionApproved reached the proposer");

    r = s_ctl(bus.frontend, "--operator", "j.dupont", "proposals", "approve", "--tenant", tenant, "--comment",
              "client warned", "CC-4/C-1/2025-02-12", NULL);
    cr_assert_eq(r.rc, 0, "%s%s", r.out, r.err);
    cr_assert(strstr(r.out, "(already answered: nothing changed)"), "%s", r.out);
    s_free(&r);

    r = s_ctl(bus.frontend, "proposals", "reject", "--tenant", tenant, "--reason", "changed my mind",
              "CC-4/C-1/2025-02-12", NULL);
    cr_assert_eq(r.rc, 1, "one answer per proposal: %s%s", r.out, r.err);
    cr_assert(strstr(r.out, "NACK DecisionRejected CC-4/C-1/2025-02-12: CONFLICT"), "%s", r.out);
    s_free(&r);
    cr_assert_eq(bh_hlen(store, key), 1);

    r = s_ctl(bus.frontend, "proposals", "reject", "--tenant", tenant, "CC-4/C-1/2025-02-12", NULL);
    cr_assert_eq(r.rc, 2);
    cr_assert(strstr(r.err, "--reason is required"), "%s", r.err);
    s_free(&r);
    r = s_ctl(bus.frontend, "proposals", "approve", "--tenant", tenant, "CC-9/none", NULL);
    cr_assert_eq(r.rc, 1);
    cr_assert(strstr(r.err, "no pending proposal CC-9/none"), "%s", r.err);
    s_free(&r);
    r = s_ctl(NULL, "proposals", "forget", NULL);
    cr_assert_eq(r.rc, 2);
    s_free(&r);
    pacta_store_destroy(&store);
}
