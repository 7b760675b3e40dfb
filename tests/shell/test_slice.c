/*  =========================================================================
    test_slice - worked example 1 of docs/rules.md (CapConnect §3) through
    real processes: redis (PACTA_TEST_REDIS_URL), pacta-bus, and the five
    services on free loopback ports, on a test clock.

      ContractSigned 2025-01-01 → InvoiceIssued 2025-02-01 due 2025-02-08
      → clock moved to 2025-02-10 → suspended from 2025-02-09 (CC-3b, with
      its sentence) → PaymentReceived 2025-02-19 by structured communication
      → restored 2025-02-19 (CC-3c), 2025-02-09 … 2025-02-19 lost (CC-3d)
      → the same three messages again change nothing.

    The services run on Redis database 11 so that their relays and sweeps
    never meet the keys of suites that run in database 0 at the same time;
    contract ids carry the process id, so earlier runs do not matter.
    Every wait polls Redis until a condition holds and fails after 20 s.
    =========================================================================
*/
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "pacta/v1/contracts.pb-c.h"
#include "pacta/v1/invoicing.pb-c.h"
#include "pacta_bus_producer.h"
#include "pacta_clock.h"
#include "shell_fixture.h"

#define WAIT_MS 20000
#define SERVICE_COUNT 5

static const char *const s_services[SERVICE_COUNT] = {"contracts", "invoicing", "enforcement", "notifications",
                                                      "gdpr-retention"};

static void
s_fini(void)
{
    sf_cleanup_all();
}

TestSuite(slice, .fini = s_fini, .timeout = 120);

/* The test Redis, database 11. */
static void
s_redis_url(char *buf, size_t size)
{
    const char *base = sf_redis_url();
    if (strncmp(base, "unix://", 7) == 0)
        snprintf(buf, size, "%s%sdb=11", base, strchr(base, '?') ? "&" : "?");
    else
        snprintf(buf, size, "%s/11", base);
}

static pacta_store_t *
s_store_db11(void)
{
    char url[600], err[256];
    s_redis_url(url, sizeof url);
    pacta_store_options_t options = {.url = url, .client_name = "slice-test"};
    pacta_store_t *store = pacta_store_new(&options, err, sizeof err);
    cr_assert_not_null(store, "%s", err);
    cr_assert_eq(pacta_store_connect(store), 0, "%s", pacta_store_error(store));
    return store;
}

/* Sends one envelope and expects an ACK (the bus answers once every
   consuming service has committed it). */
static void
s_send_ok(pacta_bus_producer_t *producer, Pacta__V1__Envelope *env)
{
    pacta_bus_reply_t reply;
    int rc = pacta_bus_producer_request(producer, env, 2000, 10, &reply);
    cr_assert_eq(rc, 0, "no reply to %s %s", env->message_type, env->message_id);
    cr_assert(reply.ack, "%s refused: %s %s (%s)", env->message_type, pacta_bus_nack_reason_name(reply.reason),
              reply.field, reply.detail);
}

/* Polls the contract document until its "state" is `state` and, when
   not NULL, `array` has `count` entries. Returns it (caller decrefs). */
static json_t *
s_wait_contract(pacta_store_t *store, const char *key, const char *state, const char *array, size_t count)
{
    int64_t deadline = sf_now_ms() + WAIT_MS;
    json_t *doc = NULL;
    while (sf_now_ms() < deadline) {
        json_decref(doc);
        doc = sf_doc(store, key, NULL);
        const char *now = json_string_value(json_object_get(doc, "state"));
        if (now && strcmp(now, state) == 0 && (!array || json_array_size(json_object_get(doc, array)) == count))
            return doc;
        sf_sleep_ms(50);
    }
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    cr_assert_fail("contract never reached state %s (%s): %s", state, array ? array : "", text ? text : "absent");
    free(text);
    return NULL;
}

static void
s_wait_outboxes_empty(pacta_store_t *store, const char *prefix)
{
    int64_t deadline = sf_now_ms() + WAIT_MS;
    while (sf_now_ms() < deadline) {
        long long pending = 0;
        for (size_t i = 0; i < 3; i++) {
            char key[256];
            snprintf(key, sizeof key, "%s:outbox:%s", prefix, s_services[i]);
            pending += sf_xlen(store, key);
        }
        if (pending == 0)
            return;
        sf_sleep_ms(50);
    }
    cr_assert_fail("the outboxes of %s never drained", prefix);
}

static const char *
s_field(json_t *entry, const char *name)
{
    const char *text = json_string_value(json_object_get(entry, name));
    return text ? text : "";
}

Test(slice, capconnect_clause_3_worked_example_end_to_end)
{
    pacta_store_t *store = s_store_db11();
    pacta_clock_t *clock = pacta_clock_new(PACTA_CLOCK_TEST, store);
    cr_assert_not_null(clock);
    cr_assert_eq(pacta_clock_reset(clock, "capconnect"), 0);
    pacta_instant_t now;
    cr_assert_eq(pacta_clock_set(clock, "capconnect", pacta_date_start_instant(pacta_date_from_ymd(2025, 1, 1)), &now),
                 0);

    //  The stack: the bus, then the five services pointing at it.
    sf_proc_t bus;
    char frontend[128], backend[128];
    sf_bus_start(&bus, frontend, sizeof frontend, backend, sizeof backend);
    char redis_env[700], profile_env[600], bus_env[200], instance_env[200];
    char redis_url[600];
    s_redis_url(redis_url, sizeof redis_url);
    snprintf(redis_env, sizeof redis_env, "PACTA_REDIS_URL=%s", redis_url);
    snprintf(profile_env, sizeof profile_env, "PACTA_PROFILE_DIR=%s/deploy/profiles", PACTA_SOURCE_DIR);
    snprintf(bus_env, sizeof bus_env, "PACTA_BUS_URL=%s", frontend);
    snprintf(instance_env, sizeof instance_env, "PACTA_BUS_INSTANCE_URL=%s", backend);
    char *env[] = {redis_env, profile_env, bus_env, instance_env, (char *) "PACTA_CLOCK=test",
                   (char *) "PACTA_HTTP_ADDR=127.0.0.1:0", NULL};
    sf_proc_t procs[SERVICE_COUNT];
    for (size_t i = 0; i < SERVICE_COUNT; i++) {
        char binary[600];
        snprintf(binary, sizeof binary, "%s/services/%s/pacta-%s", PACTA_BINARY_DIR, s_services[i], s_services[i]);
        char *argv[] = {binary, NULL};
        sf_spawn(&procs[i], s_services[i], argv, env);
    }
    char err[256];
    pacta_bus_producer_options_t producer_options = {.endpoint = frontend};
    pacta_bus_producer_t *producer = pacta_bus_producer_new(&producer_options, err, sizeof err);
    cr_assert_not_null(producer, "%s", err);

    char contract_id[32], entity[40], prefix[80];
    snprintf(contract_id, sizeof contract_id, "C-%ld", (long) getpid());
    snprintf(entity, sizeof entity, "c:%s", contract_id);
    snprintf(prefix, sizeof prefix, "pacta:capconnect:{%s}", entity);
    char contract_key[128], ledger_key[128], enforcement_key[128], audit_key[128];
    snprintf(contract_key, sizeof contract_key, "%s:contract", prefix);
    snprintf(ledger_key, sizeof ledger_key, "%s:ledger", prefix);
    snprintf(enforcement_key, sizeof enforcement_key, "%s:enforcement", prefix);
    snprintf(audit_key, sizeof audit_key, "%s:audit", prefix);

    //  1. ContractSigned: a Start pack at 300.00 a month, signed 2025-01-01.
    Pacta__V1__Date signed_on, issued_on, due_on, value_date;
    Pacta__V1__Money fee, total_excl, total_incl, paid;
    Pacta__V1__Client client = PACTA__V1__CLIENT__INIT;
    client.client_id = (char *) "K-1";
    client.kind = PACTA__V1__PARTY_KIND__PARTY_KIND_PROFESSIONAL;
    Pacta__V1__ContractSigned signed_msg = PACTA__V1__CONTRACT_SIGNED__INIT;
    signed_msg.contract_id = contract_id;
    signed_msg.client = &client;
    signed_msg.contract_kind = PACTA__V1__CONTRACT_KIND__CONTRACT_KIND_SUBSCRIPTION_PACK;
    signed_msg.pack_code = (char *) "start";
    signed_msg.billing_period = PACTA__V1__BILLING_PERIOD__BILLING_PERIOD_MONTHLY;
    signed_msg.recurring_fee = sf_money(&fee, 30000);
    signed_msg.signed_on = sf_date(&signed_on, "2025-01-01");
    signed_msg.channel = PACTA__V1__CHANNEL__CHANNEL_ORDER_FORM;
    Pacta__V1__Envelope *signed_env = sf_envelope("capconnect", entity, "crm-signed", &signed_msg.base);
    s_send_ok(producer, signed_env);

    //  2. The February invoice, issued 2025-02-01, due 2025-02-08.
    Pacta__V1__InvoiceIssued invoice = PACTA__V1__INVOICE_ISSUED__INIT;
    invoice.invoice_id = (char *) "F-2025-014";
    invoice.contract_id = contract_id;
    invoice.kind = PACTA__V1__INVOICE_KIND__INVOICE_KIND_PERIODIC;
    invoice.issued_on = sf_date(&issued_on, "2025-02-01");
    invoice.due_on = sf_date(&due_on, "2025-02-08");
    invoice.total_excl_vat = sf_money(&total_excl, 30000);
    invoice.total_incl_vat = sf_money(&total_incl, 36300);
    Pacta__V1__Envelope *invoice_env = sf_envelope("capconnect", entity, "acc-F-2025-014", &invoice.base);
    s_send_ok(producer, invoice_env);
    json_t *doc = s_wait_contract(store, contract_key, "active", NULL, 0);
    cr_assert_str_eq(s_field(doc, "start_on"), "2025-01-01", "CC-17");
    cr_assert_str_eq(s_field(doc, "term_ends_on"), "2025-12-31", "CC-2a");
    json_decref(doc);

    //  3. The clock passes the due date: the overdue timer fires, CC-3b suspends.
    cr_assert_eq(pacta_clock_set(clock, "capconnect", pacta_date_start_instant(pacta_date_from_ymd(2025, 2, 10)), &now),
                 0);
    doc = s_wait_contract(store, contract_key, "suspended", "suspensions", 1);
    cr_assert_str_eq(s_field(json_object_get(doc, "suspension"), "since"), "2025-02-09");
    cr_assert_str_eq(s_field(json_object_get(doc, "suspension"), "reason"), "unpaid");
    json_decref(doc);
    json_t *audit = sf_audit(store, audit_key);
    json_t *cc3b = sf_audit_find(audit, "rule_id", "CC-3b");
    cr_assert_not_null(cc3b, "the suspension is in the audit stream");
    cr_assert_str_eq(s_field(cc3b, "date"), "2025-02-09");
    cr_assert_str_eq(s_field(cc3b, "clause"), "capconnect §3");
    cr_assert_str_eq(s_field(cc3b, "sentence_en"),
                     "Suspended from 2025-02-09: invoice F-2025-014 issued 2025-02-01 was not paid within 7 calendar "
                     "days (capconnect §3, CC-3b).");
    cr_assert_str_eq(s_field(cc3b, "sentence_fr"),
                     "Suspendu à partir du 2025-02-09 : la facture F-2025-014 émise le 2025-02-01 n'a pas été payée "
                     "dans les 7 jours calendrier (capconnect §3, CC-3b).");
    json_decref(audit);

    //  4. The bank feed pays on 2025-02-19 with the invoice's structured
    //  communication only (entity p:<communication>).
    doc = sf_doc(store, ledger_key, NULL);
    char sc[16];
    snprintf(sc, sizeof sc, "%s",
             s_field(json_array_get(json_object_get(doc, "invoices"), 0), "structured_communication"));
    json_decref(doc);
    cr_assert_eq(strlen(sc), 12);
    char payment_entity[32];
    snprintf(payment_entity, sizeof payment_entity, "p:%s", sc);
    Pacta__V1__PaymentReceived payment = PACTA__V1__PAYMENT_RECEIVED__INIT;
    payment.payment_id = (char *) "B-77";
    payment.amount = sf_money(&paid, 36300);
    payment.value_date = sf_date(&value_date, "2025-02-19");
    payment.structured_communication = sc;
    char payment_id[48];
    snprintf(payment_id, sizeof payment_id, "bank-B-77-%ld", (long) getpid());
    Pacta__V1__Envelope *payment_env = sf_envelope("capconnect", payment_entity, payment_id, &payment.base);
    s_send_ok(producer, payment_env);

    doc = s_wait_contract(store, contract_key, "active", "lost_periods", 1);
    json_t *suspension = json_array_get(json_object_get(doc, "suspensions"), 0);
    cr_assert_str_eq(s_field(suspension, "from"), "2025-02-09");
    cr_assert_str_eq(s_field(suspension, "restored_on"), "2025-02-19", "CC-3c: restored on the day of payment");
    json_t *lost = json_array_get(json_object_get(doc, "lost_periods"), 0);
    cr_assert_str_eq(s_field(lost, "from"), "2025-02-09", "CC-3d");
    cr_assert_str_eq(s_field(lost, "through"), "2025-02-19", "CC-3d");
    json_decref(doc);
    audit = sf_audit(store, audit_key);
    json_t *cc3c = sf_audit_find(audit, "rule_id", "CC-3c");
    json_t *cc3d = sf_audit_find(audit, "rule_id", "CC-3d");
    cr_assert(cc3c && cc3d);
    cr_assert_str_eq(s_field(cc3c, "date"), "2025-02-19");
    cr_assert_str_eq(s_field(cc3d, "date"), "2025-02-09");
    cr_assert_str_eq(s_field(cc3d, "until"), "2025-02-19");
    cr_assert(strstr(s_field(cc3d, "sentence_en"), "11 suspended days"), "%s", s_field(cc3d, "sentence_en"));
    json_decref(audit);

    //  Everything emitted reached its consumers (the relays got their ACKs).
    s_wait_outboxes_empty(store, prefix);
    long long audit_len = sf_xlen(store, audit_key);
    long long v_contract = 0, v_ledger = 0, v_enforcement = 0;
    json_decref(sf_doc(store, contract_key, &v_contract));
    json_decref(sf_doc(store, ledger_key, &v_ledger));
    json_decref(sf_doc(store, enforcement_key, &v_enforcement));

    //  5. The same three messages again: acknowledged, nothing changes.
    s_send_ok(producer, signed_env);
    s_send_ok(producer, invoice_env);
    s_send_ok(producer, payment_env);
    cr_assert_eq(sf_xlen(store, audit_key), audit_len, "no new audit entry");
    long long version = 0;
    json_decref(sf_doc(store, contract_key, &version));
    cr_assert_eq(version, v_contract);
    json_decref(sf_doc(store, ledger_key, &version));
    cr_assert_eq(version, v_ledger);
    json_decref(sf_doc(store, enforcement_key, &version));
    cr_assert_eq(version, v_enforcement);

    //  6. Every service stops cleanly on SIGTERM.
    for (size_t i = 0; i < SERVICE_COUNT; i++)
        cr_assert_eq(sf_stop(&procs[i], SIGTERM, 10000), 0, "%s exits 0 (log %s)", s_services[i], procs[i].log_path);

    sf_envelope_free(signed_env);
    sf_envelope_free(invoice_env);
    sf_envelope_free(payment_env);
    pacta_bus_producer_destroy(&producer);
    sf_stop(&bus, SIGTERM, 10000);
    pacta_clock_destroy(&clock);
    pacta_store_destroy(&store);
}
