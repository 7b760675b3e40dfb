/*  =========================================================================
    test_shell_invoicing - invoicing's and enforcement's handlers through
    the service shell, against the test Redis, without a bus: the messages
    one service emits are read from its outbox and handed to the other.

    Covers what worked example 1 does not: payments before their invoice
    (parked, then applied), payments on p:<structured communication>,
    partial and over-payments, refusals naming the field, the overdue timer,
    and enforcement facts that overtake their invoice.
    =========================================================================
*/
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "enf_handlers.h"
#include "enf_service.h"
#include "inv_handlers.h"
#include "inv_service.h"
#include "pacta/v1/enforcement.pb-c.h"
#include "pacta/v1/invoicing.pb-c.h"
#include "pacta_clock.h"
#include "pacta_runtime.h"
#include "pacta_sc.h"
#include "shell_fixture.h"

static pacta_store_t *s_store;
static pacta_profile_set_t *s_profiles;
static pacta_clock_t *s_clock;
static pacta_runtime_t *s_invoicing;
static pacta_runtime_t *s_enforcement;
/* Service names of this process: the outbox and owed indexes are per
   service, so real services running against the same Redis must never see
   (and relay) what these tests emit. */
static char s_inv[32];
static char s_enf[32];

static void
s_setup(void)
{
    s_store = sf_store();
    s_profiles = sf_profiles();
    s_clock = pacta_clock_new(PACTA_CLOCK_TEST, s_store);
    cr_assert_not_null(s_clock);
    char err[256];
    snprintf(s_inv, sizeof s_inv, "inv-%s", sf_tenant());
    snprintf(s_enf, sizeof s_enf, "enf-%s", sf_tenant());
    pacta_runtime_options_t options = {.service = s_inv, .consumes = inv_service_spec()->consumes,
                                       .handlers = &inv_handlers, .store = s_store, .profiles = s_profiles,
                                       .clock = s_clock};
    s_invoicing = pacta_runtime_new(&options, err, sizeof err);
    cr_assert_not_null(s_invoicing, "%s", err);
    options.service = s_enf;
    options.consumes = enf_service_spec()->consumes;
    options.handlers = &enf_handlers;
    s_enforcement = pacta_runtime_new(&options, err, sizeof err);
    cr_assert_not_null(s_enforcement, "%s", err);
}

static void
s_teardown(void)
{
    pacta_runtime_destroy(&s_invoicing);
    pacta_runtime_destroy(&s_enforcement);
    pacta_clock_destroy(&s_clock);
    pacta_store_destroy(&s_store);
    pacta_profile_set_destroy(&s_profiles);
}

TestSuite(invoicing, .init = s_setup, .fini = s_teardown, .timeout = 30);
TestSuite(enforcement, .init = s_setup, .fini = s_teardown, .timeout = 30);

/* ---- builders ---------------------------------------------------------------------- */

static Pacta__V1__Envelope *
s_invoice(const char *contract, const char *id, const char *invoice, const char *issued_on, const char *due_on,
          int64_t total, const char *sc)
{
    Pacta__V1__Date issued, due;
    Pacta__V1__Money money;
    Pacta__V1__InvoiceIssued msg = PACTA__V1__INVOICE_ISSUED__INIT;
    msg.invoice_id = (char *) invoice;
    msg.contract_id = (char *) contract;
    msg.kind = PACTA__V1__INVOICE_KIND__INVOICE_KIND_PERIODIC;
    msg.issued_on = sf_date(&issued, issued_on);
    msg.due_on = due_on ? sf_date(&due, due_on) : NULL;
    msg.total_incl_vat = sf_money(&money, total);
    msg.structured_communication = (char *) (sc ? sc : "");
    char entity[96];
    snprintf(entity, sizeof entity, "c:%s", contract);
    //  The contract exists, as the contracts service would have written it:
    //  invoicing and enforcement refuse invoices of unknown contracts.
    char contract_key[160], contract_doc[160];
    snprintf(contract_key, sizeof contract_key, "pacta:%s:{c:%s}:contract", sf_tenant(), contract);
    snprintf(contract_doc, sizeof contract_doc, "{\"contract_id\": \"%s\", \"state\": \"active\"}", contract);
    redisReply *reply = NULL;
    cr_assert_eq(pacta_store_command_strs(s_store, &reply, "HSETNX", contract_key, "doc", contract_doc, NULL), 0);
    freeReplyObject(reply);
    return sf_envelope(sf_tenant(), entity, id, &msg.base);
}

static Pacta__V1__Envelope *
s_payment(const char *entity, const char *id, const char *payment, int64_t amount, const char *value_date,
          const char *sc, const char *invoice)
{
    Pacta__V1__Date value;
    Pacta__V1__Money money;
    Pacta__V1__PaymentReceived msg = PACTA__V1__PAYMENT_RECEIVED__INIT;
    msg.payment_id = (char *) payment;
    msg.amount = sf_money(&money, amount);
    msg.value_date = sf_date(&value, value_date);
    msg.structured_communication = (char *) (sc ? sc : "");
    msg.invoice_id = (char *) (invoice ? invoice : "");
    return sf_envelope(sf_tenant(), entity, id, &msg.base);
}

static void
s_handle_ok(pacta_runtime_t *runtime, Pacta__V1__Envelope *env, pacta_runtime_result_t *result)
{
    pacta_runtime_handle(runtime, env, result);
    cr_assert(result->ack, "%s: %s (%s)", env->message_type, result->detail, result->field);
    sf_envelope_free(env);
}

/* The envelopes in service's outbox for entity, oldest first (caller frees
   each with pacta__v1__envelope__free_unpacked), count in *count. */
static size_t
s_outbox(const char *entity, const char *service, Pacta__V1__Envelope **out, size_t max)
{
    char key[256];
    snprintf(key, sizeof key, "pacta:%s:{%s}:outbox:%s", sf_tenant(), entity, service);
    redisReply *reply = NULL;
    cr_assert_eq(pacta_store_command_strs(s_store, &reply, "XRANGE", key, "-", "+", NULL), 0);
    size_t count = 0;
    for (size_t i = 0; i < reply->elements && count < max; i++) {
        const redisReply *fields = reply->element[i]->element[1];
        for (size_t k = 0; k + 1 < fields->elements; k += 2)
            if (strcmp(fields->element[k]->str, "env") == 0) {
                out[count] = pacta__v1__envelope__unpack(NULL, fields->element[k + 1]->len,
                                                         (const uint8_t *) fields->element[k + 1]->str);
                cr_assert_not_null(out[count]);
                count++;
            }
    }
    freeReplyObject(reply);
    return count;
}

/* The first emitted message of type (unpacked payload, caller frees) and
   its envelope's entity key. */
static ProtobufCMessage *
s_emitted(const char *entity, const char *service, const ProtobufCMessageDescriptor *type, char *entity_out,
          size_t entity_size)
{
    Pacta__V1__Envelope *envelopes[32];
    size_t count = s_outbox(entity, service, envelopes, 32);
    ProtobufCMessage *found = NULL;
    for (size_t i = 0; i < count; i++) {
        if (!found && strcmp(envelopes[i]->message_type, type->name) == 0) {
            found = protobuf_c_message_unpack(type, NULL, envelopes[i]->payload.len, envelopes[i]->payload.data);
            if (entity_out)
                snprintf(entity_out, entity_size, "%s", envelopes[i]->entity_key);
        }
        pacta__v1__envelope__free_unpacked(envelopes[i], NULL);
    }
    return found;
}

/* Hands every message service emitted for entity to runtime, in order. */
static void
s_forward(const char *entity, const char *service, pacta_runtime_t *runtime)
{
    Pacta__V1__Envelope *envelopes[32];
    size_t count = s_outbox(entity, service, envelopes, 32);
    for (size_t i = 0; i < count; i++) {
        pacta_runtime_result_t result;
        pacta_runtime_handle(runtime, envelopes[i], &result);
        cr_assert(result.ack, "%s: %s", envelopes[i]->message_type, result.detail);
        pacta__v1__envelope__free_unpacked(envelopes[i], NULL);
    }
}

static json_t *
s_ledger(const char *contract)
{
    char key[256];
    snprintf(key, sizeof key, "pacta:%s:{c:%s}:ledger", sf_tenant(), contract);
    json_t *doc = sf_doc(s_store, key, NULL);
    cr_assert_not_null(doc, "no ledger for %s", contract);
    return doc;
}

/* ---- invoicing ---------------------------------------------------------------------- */

Test(invoicing, payment_before_its_invoice_waits_then_pays_it)
{
    pacta_runtime_result_t result;
    s_handle_ok(s_invoicing, s_payment("c:C-2", "bank-1", "B-1", 36300, "2025-02-05", "123456789002", NULL), &result);
    cr_assert(result.parked, "no invoice yet: the payment waits");
    s_handle_ok(s_invoicing, s_invoice("C-2", "acc-1", "F-1", "2025-02-01", "2025-02-08", 36300, "123456789002"),
                &result);
    json_t *ledger = s_ledger("C-2");
    json_t *invoice = json_array_get(json_object_get(ledger, "invoices"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(invoice, "state")), "paid");
    cr_assert_str_eq(json_string_value(json_object_get(invoice, "paid_on")), "2025-02-05");
    cr_assert_eq(json_array_size(json_object_get(ledger, "payments")), 1);
    json_decref(ledger);
    Pacta__V1__InvoicePaid *paid = (Pacta__V1__InvoicePaid *) s_emitted("c:C-2", s_inv,
                                                                        &pacta__v1__invoice_paid__descriptor, NULL, 0);
    cr_assert_not_null(paid, "InvoicePaid emitted");
    cr_assert_str_eq(paid->invoice_id, "F-1");
    cr_assert_eq(paid->paid_on->day, 5);
    cr_assert_eq(paid->total_paid->cents, 36300);
    protobuf_c_message_free_unpacked(&paid->base, NULL);
}

Test(invoicing, partial_payment_pays_nothing_and_overpayment_is_credit)
{
    pacta_runtime_result_t result;
    s_handle_ok(s_invoicing, s_invoice("C-3", "acc-3", "F-3", "2025-02-01", NULL, 10000, NULL), &result);
    json_t *ledger = s_ledger("C-3");
    json_t *invoice = json_array_get(json_object_get(ledger, "invoices"), 0);
    const char *sc = json_string_value(json_object_get(invoice, "structured_communication"));
    cr_assert(pacta_sc_valid(sc), "a communication was generated: %s", sc);
    cr_assert_str_eq(json_string_value(json_object_get(invoice, "due_on")), "2025-02-08", "CC-3a: 7 calendar days");
    char sc_copy[PACTA_SC_SIZE];
    snprintf(sc_copy, sizeof sc_copy, "%s", sc);
    json_decref(ledger);

    s_handle_ok(s_invoicing, s_payment("c:C-3", "bank-3a", "B-3a", 4000, "2025-02-03", NULL, "F-3"), &result);
    cr_assert_null(s_emitted("c:C-3", s_inv, &pacta__v1__invoice_paid__descriptor, NULL, 0),
                   "a partial payment does not pay the invoice");
    s_handle_ok(s_invoicing, s_payment("c:C-3", "bank-3b", "B-3b", 7500, "2025-02-04", sc_copy, NULL), &result);
    ledger = s_ledger("C-3");
    invoice = json_array_get(json_object_get(ledger, "invoices"), 0);
    cr_assert_eq(json_integer_value(json_object_get(invoice, "paid_cents")), 10000);
    cr_assert_str_eq(json_string_value(json_object_get(invoice, "paid_on")), "2025-02-04");
    cr_assert_eq(json_integer_value(json_object_get(ledger, "credit_cents")), 1500, "15.00 kept as credit");
    json_decref(ledger);
    Pacta__V1__InvoicePaid *paid = (Pacta__V1__InvoicePaid *) s_emitted("c:C-3", s_inv,
                                                                        &pacta__v1__invoice_paid__descriptor, NULL, 0);
    cr_assert_not_null(paid);
    protobuf_c_message_free_unpacked(&paid->base, NULL);
}

Test(invoicing, payment_on_a_communication_key_reaches_its_contract)
{
    char sc[PACTA_SC_SIZE], entity[32], shown[PACTA_SC_DISPLAY_SIZE];
    pacta_sc_from_base(4242424242ULL, sc);
    snprintf(entity, sizeof entity, "p:%s", sc);
    pacta_runtime_result_t result;
    //  The bank feed knows only the communication, and pays before the invoice exists.
    s_handle_ok(s_invoicing, s_payment(entity, "bank-4", "B-4", 5000, "2025-02-02", pacta_sc_format(sc, shown, sizeof shown),
                                       NULL),
                &result);
    cr_assert(result.parked);
    s_handle_ok(s_invoicing, s_invoice("C-4", "acc-4", "F-4", "2025-02-01", "2025-02-08", 5000, sc), &result);
    //  The invoice's link retried the parked payment: it was forwarded to c:C-4.
    char routed_to[64] = "";
    Pacta__V1__PaymentReceived *forwarded = (Pacta__V1__PaymentReceived *) s_emitted(
        entity, s_inv, &pacta__v1__payment_received__descriptor, routed_to, sizeof routed_to);
    cr_assert_not_null(forwarded, "the payment is forwarded to its contract");
    cr_assert_str_eq(routed_to, "c:C-4");
    cr_assert_str_eq(forwarded->payment_id, "B-4");
    protobuf_c_message_free_unpacked(&forwarded->base, NULL);
    char parked[256];
    snprintf(parked, sizeof parked, "pacta:%s:{%s}:parked:%s", sf_tenant(), entity, s_inv);
    cr_assert_eq(sf_hlen(s_store, parked), 0);
    s_forward(entity, s_inv, s_invoicing);
    json_t *ledger = s_ledger("C-4");
    json_t *invoice = json_array_get(json_object_get(ledger, "invoices"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(invoice, "state")), "paid");
    json_decref(ledger);
}

Test(invoicing, bad_facts_are_refused_naming_the_field)
{
    pacta_runtime_result_t result;
    struct {
        Pacta__V1__Envelope *env;
        const char *field;
    } rows[] = {
        {s_invoice("C-5", "x1", "F-5", "2025-02-01", "2025-02-08", 1000, "123456789003"), "structured_communication"},
        {s_invoice("C-5", "x2", "F-5", "2025-02-10", "2025-02-08", 1000, NULL), "due_on"},
        {s_invoice("C-5", "x3", "F-5", "2025-02-01", "2025-02-08", -1000, NULL), "total_incl_vat"},
        {s_payment("c:C-5", "x4", "B-5", -100, "2025-02-02", "123456789002", NULL), "amount"},
        {s_payment("c:C-5", "x5", "B-5", 100, "2025-02-02", NULL, NULL), "structured_communication"},
        {s_payment("c:C-6", "x6", "B-5", 100, "2025-02-29", NULL, "F-5"), "value_date"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        pacta_runtime_handle(s_invoicing, rows[i].env, &result);
        cr_assert_not(result.ack, "row %zu must be refused", i);
        cr_assert_eq(result.reason, PACTA__V1__NACK_REASON__NACK_REASON_INVALID, "row %zu", i);
        cr_assert_str_eq(result.field, rows[i].field, "row %zu: %s", i, result.detail);
        sf_envelope_free(rows[i].env);
    }
    //  An invoice on the wrong entity key.
    Pacta__V1__Envelope *wrong = s_invoice("C-5", "x7", "F-5", "2025-02-01", "2025-02-08", 1000, NULL);
    free(wrong->entity_key);
    wrong->entity_key = strdup("c:C-other");
    pacta_runtime_handle(s_invoicing, wrong, &result);
    cr_assert_not(result.ack);
    cr_assert_str_eq(result.field, "envelope.entity_key");
    sf_envelope_free(wrong);
    char pattern[256];
    snprintf(pattern, sizeof pattern, "pacta:%s:{c:C-5}:*", sf_tenant());
    //  Only the contract document s_invoice() wrote as the contracts service would.
    cr_assert_eq(sf_count_keys(s_store, pattern), 1, "nothing half-applied");
}

Test(invoicing, overdue_timer_reports_an_unpaid_invoice_on_the_day_after_its_due_date)
{
    pacta_runtime_result_t result;
    pacta_instant_t now;
    cr_assert_eq(pacta_clock_set(s_clock, sf_tenant(), pacta_date_start_instant(pacta_date_from_ymd(2025, 2, 1)), &now), 0);
    s_handle_ok(s_invoicing, s_invoice("C-7", "acc-7", "F-7", "2025-02-01", "2025-02-08", 36300, NULL), &result);
    s_handle_ok(s_invoicing, s_invoice("C-8", "acc-8", "F-8", "2025-02-01", "2025-02-08", 36300, "123456789002"),
                &result);
    s_handle_ok(s_invoicing, s_payment("c:C-8", "bank-8", "B-8", 36300, "2025-02-08", "123456789002", NULL), &result);

    cr_assert_eq(pacta_clock_set(s_clock, sf_tenant(), pacta_date_start_instant(pacta_date_from_ymd(2025, 2, 8)), &now), 0);
    cr_assert_eq(pacta_runtime_fire_timers(s_invoicing, sf_tenant(), 8), 0, "nothing is due on the due date itself");
    cr_assert_eq(pacta_clock_set(s_clock, sf_tenant(), pacta_date_start_instant(pacta_date_from_ymd(2025, 2, 20)), &now), 0);
    cr_assert_eq(pacta_runtime_fire_timers(s_invoicing, sf_tenant(), 8), 1, "only the unpaid invoice's timer is left");
    Pacta__V1__InvoiceOverdue *overdue = (Pacta__V1__InvoiceOverdue *) s_emitted(
        "c:C-7", s_inv, &pacta__v1__invoice_overdue__descriptor, NULL, 0);
    cr_assert_not_null(overdue);
    cr_assert_eq(overdue->overdue_from->day, 9, "overdue from the day after the due date, whatever the clock says");
    cr_assert_eq(overdue->outstanding->cents, 36300);
    cr_assert_not_null(overdue->explanation);
    cr_assert_str_eq(overdue->explanation->rule_id, "CC-3a");
    protobuf_c_message_free_unpacked(&overdue->base, NULL);
    cr_assert_null(s_emitted("c:C-8", s_inv, &pacta__v1__invoice_overdue__descriptor, NULL, 0),
                   "paid on its due date: not overdue");
}

/* ---- enforcement ------------------------------------------------------------------------ */

Test(enforcement, overdue_before_its_invoice_waits_then_suspends_restores_and_records_the_loss)
{
    pacta_runtime_result_t result;
    //  InvoiceOverdue overtakes InvoiceIssued on the way to enforcement.
    Pacta__V1__Date due, from;
    Pacta__V1__Money left;
    Pacta__V1__InvoiceOverdue overdue = PACTA__V1__INVOICE_OVERDUE__INIT;
    overdue.invoice_id = (char *) "F-9";
    overdue.contract_id = (char *) "C-9";
    overdue.due_on = sf_date(&due, "2025-02-08");
    overdue.overdue_from = sf_date(&from, "2025-02-09");
    overdue.outstanding = sf_money(&left, 36300);
    s_handle_ok(s_enforcement, sf_envelope(sf_tenant(), "c:C-9", "inv-overdue-9", &overdue.base), &result);
    cr_assert(result.parked);
    s_handle_ok(s_enforcement, s_invoice("C-9", "acc-9", "F-9", "2025-02-01", "2025-02-08", 36300, NULL), &result);

    Pacta__V1__Suspend *suspend = (Pacta__V1__Suspend *) s_emitted("c:C-9", s_enf,
                                                                  &pacta__v1__suspend__descriptor, NULL, 0);
    cr_assert_not_null(suspend, "CC-3b suspended once the invoice was known");
    cr_assert_eq(suspend->suspended_from->day, 9);
    cr_assert_eq(suspend->reason, PACTA__V1__SUSPENSION_REASON__SUSPENSION_REASON_UNPAID_INVOICE);
    cr_assert_str_eq(suspend->explanation->rule_id, "CC-3b");
    char expected[256];
    snprintf(expected, sizeof expected,
             "Suspended from 2025-02-09: invoice F-9 issued 2025-02-01 was not paid within 7 calendar days (%s §3, CC-3b).",
             sf_tenant());
    cr_assert_str_eq(suspend->explanation->sentence_en, expected);
    protobuf_c_message_free_unpacked(&suspend->base, NULL);

    Pacta__V1__Date paid_on, due_again;
    Pacta__V1__Money total;
    Pacta__V1__InvoicePaid paid = PACTA__V1__INVOICE_PAID__INIT;
    paid.invoice_id = (char *) "F-9";
    paid.contract_id = (char *) "C-9";
    paid.paid_on = sf_date(&paid_on, "2025-02-19");
    paid.total_paid = sf_money(&total, 36300);
    paid.due_on = sf_date(&due_again, "2025-02-08");
    s_handle_ok(s_enforcement, sf_envelope(sf_tenant(), "c:C-9", "inv-paid-9", &paid.base), &result);
    Pacta__V1__Restore *restore = (Pacta__V1__Restore *) s_emitted("c:C-9", s_enf,
                                                                  &pacta__v1__restore__descriptor, NULL, 0);
    cr_assert_not_null(restore);
    cr_assert_eq(restore->restored_on->day, 19);
    protobuf_c_message_free_unpacked(&restore->base, NULL);
    Pacta__V1__LostPeriod *lost = (Pacta__V1__LostPeriod *) s_emitted("c:C-9", s_enf,
                                                                     &pacta__v1__lost_period__descriptor, NULL, 0);
    cr_assert_not_null(lost);
    cr_assert_eq(lost->lost_from->day, 9);
    cr_assert_eq(lost->lost_through->day, 19);
    protobuf_c_message_free_unpacked(&lost->base, NULL);

    char key[256];
    snprintf(key, sizeof key, "pacta:%s:{c:C-9}:audit", sf_tenant());
    json_t *audit = sf_audit(s_store, key);
    json_t *cc3b = sf_audit_find(audit, "rule_id", "CC-3b");
    cr_assert_not_null(cc3b);
    cr_assert_str_eq(json_string_value(json_object_get(cc3b, "caused_by")), "inv-overdue-9");
    cr_assert_str_eq(json_string_value(json_object_get(cc3b, "sentence_en")), expected);
    cr_assert_not_null(sf_audit_find(audit, "rule_id", "CC-3c"));
    cr_assert_not_null(sf_audit_find(audit, "rule_id", "CC-3d"));
    json_decref(audit);
}
