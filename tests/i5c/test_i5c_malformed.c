/*  =========================================================================
    test_i5c_malformed - issue 5: "a malformed event (bad date, negative
    amount, unknown contract, wrong tenant) gets a NACK naming the field;
    nothing is half-applied", through real processes (Redis database 15,
    pacta-bus, the five services).

    Each malformed envelope goes to the bus as an outside producer would
    send it (the JSON form refuses most of these before sending, so the
    envelopes are built in protobuf here). For each: the reply is a NACK,
    its reason and field are the expected ones, and every key of the
    database is byte for byte what it was before (no document, audit entry,
    dedup record, timer or outbox entry written by any of the consuming
    services). Finally the refused ids are sent again with a correct
    payload and are applied: no service remembered them.
    =========================================================================
*/
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../shell/shell_fixture.h"
#include "pacta/v1/contracts.pb-c.h"
#include "pacta/v1/invoicing.pb-c.h"
#include "stack_fixture.h"

static void
s_fini(void)
{
    bh_cleanup_all();
}

TestSuite(i5c_malformed, .fini = s_fini, .timeout = 200);

#define CONTRACT "mf-C-1"
#define ENTITY "c:" CONTRACT

static pacta_bus_reply_t
s_request(pacta_bus_producer_t *producer, Pacta__V1__Envelope *env)
{
    pacta_bus_reply_t reply;
    int rc = pacta_bus_producer_request(producer, env, 3000, 10, &reply);
    cr_assert_eq(rc, 0, "no reply to %s %s", env->message_type, env->message_id);
    return reply;
}

static void
s_send_ok(pacta_bus_producer_t *producer, Pacta__V1__Envelope *env)
{
    pacta_bus_reply_t reply = s_request(producer, env);
    cr_assert(reply.ack, "%s %s refused: %s %s (%s)", env->message_type, env->message_id,
              pacta_bus_nack_reason_name(reply.reason), reply.field, reply.detail);
    cr_assert_not(reply.duplicate, "%s %s: a refused id was remembered", env->message_type, env->message_id);
}

/* An InvoiceIssued for contract_id, correct unless the caller changes it. */
typedef struct {
    Pacta__V1__InvoiceIssued msg;      /* the payload */
    Pacta__V1__Date issued_on;         /* its storage */
    Pacta__V1__Date due_on;
    Pacta__V1__Money total_excl;
    Pacta__V1__Money total_incl;
} invoice_t;

static void
s_invoice(invoice_t *invoice, const char *contract_id, const char *invoice_id)
{
    memset(invoice, 0, sizeof *invoice);
    pacta__v1__invoice_issued__init(&invoice->msg);
    invoice->msg.invoice_id = (char *) invoice_id;
    invoice->msg.contract_id = (char *) contract_id;
    invoice->msg.kind = PACTA__V1__INVOICE_KIND__INVOICE_KIND_PERIODIC;
    invoice->msg.issued_on = sf_date(&invoice->issued_on, "2025-03-01");
    invoice->msg.due_on = sf_date(&invoice->due_on, "2025-03-08");
    invoice->msg.total_excl_vat = sf_money(&invoice->total_excl, 30000);
    invoice->msg.total_incl_vat = sf_money(&invoice->total_incl, 36300);
}

/* Waits until nothing moves any more: no outbox entry waits to be relayed
   and two snapshots 200 ms apart are equal, so that what a case changes is
   its own doing and not a relay finishing the setup's work. */
static void
s_wait_quiet(pacta_store_t *store)
{
    int64_t deadline = bh_now_ms() + 30000;
    char *previous = sk_snapshot(store, "*", false);
    while (bh_now_ms() < deadline) {
        bh_sleep_ms(200);
        char *now = sk_snapshot(store, "*", false);
        bool pending = false;
        for (const char *hit = strstr(now, ":outbox:"); hit && !pending; hit = strstr(hit + 1, ":outbox:")) {
            const char *end = strchr(hit, '\n');
            const char *env = strstr(hit, " env=");
            pending = env && (!end || env < end);
        }
        bool same = strcmp(previous, now) == 0;
        free(previous);
        previous = now;
        if (same && !pending) {
            free(previous);
            return;
        }
    }
    cr_assert_fail("the stack never went quiet:\n%s", previous);
}

/* Sends env, expects NACK reason (or also_reason, when not UNSPECIFIED)
   naming field, and the database unchanged. */
static void
s_expect_refused(pacta_store_t *store, pacta_bus_producer_t *producer, Pacta__V1__Envelope *env,
                 Pacta__V1__NackReason reason, Pacta__V1__NackReason also_reason, const char *field,
                 const char *what)
{
    s_wait_quiet(store);
    char *before = sk_snapshot(store, "*", false);
    pacta_bus_reply_t reply = s_request(producer, env);
    //  cr_expect: every case is reported, not only the first that fails.
    cr_expect_not(reply.ack, "%s: acknowledged instead of refused", what);
    cr_expect(reply.ack || reply.reason == reason || (also_reason && reply.reason == also_reason),
              "%s: NACK %s (field %s: %s), expected %s", what, pacta_bus_nack_reason_name(reply.reason), reply.field,
              reply.detail, pacta_bus_nack_reason_name(reason));
    cr_expect(reply.ack || strcmp(reply.field, field) == 0, "%s: the NACK names field \"%s\" (%s), expected %s", what,
              reply.field, reply.detail, field);
    cr_expect(reply.ack || strlen(reply.detail) > 0, "%s: a sentence comes with the NACK", what);
    //  Every consuming service answered before the bus replied.
    char *after = sk_snapshot(store, "*", false);
    if (strcmp(before, after) != 0) {
        size_t offset = 0, line_start = 0;
        while (before[offset] && before[offset] == after[offset]) {
            if (before[offset] == '\n')
                line_start = offset + 1;
            offset++;
        }
        const char *before_end = strchr(before + line_start, '\n'), *after_end = strchr(after + line_start, '\n');
        cr_expect_fail("%s: refused but half-applied; first change:\n  before: %.*s\n  after:  %.*s", what,
                       (int) (before_end ? before_end - (before + line_start) : 0), before + line_start,
                       (int) (after_end ? after_end - (after + line_start) : 0), after + line_start);
    }
    free(before);
    free(after);
}

Test(i5c_malformed, each_malformed_event_is_refused_naming_its_field_and_nothing_is_written)
{
    pacta_store_t *store = sk_store();
    sk_flush(store);
    sk_stack_t stack;
    sk_start(&stack, 1);
    char err[256];
    pacta_bus_producer_options_t options = {.endpoint = stack.bus.frontend};
    pacta_bus_producer_t *producer = pacta_bus_producer_new(&options, err, sizeof err);
    cr_assert_not_null(producer, "%s", err);
    char *out = NULL, *errors = NULL;
    cr_assert_eq(sk_ctl(&stack, &out, &errors, "clock", "set", "--tenant", "capconnect", "2025-03-01", NULL), 0,
                 "%s%s", out, errors);
    free(out);
    free(errors);

    //  A contract and its first invoice, correct.
    Pacta__V1__Date signed_on;
    Pacta__V1__Money fee;
    Pacta__V1__Client client = PACTA__V1__CLIENT__INIT;
    client.client_id = (char *) "mf-K-1";
    client.kind = PACTA__V1__PARTY_KIND__PARTY_KIND_PROFESSIONAL;
    Pacta__V1__ContractSigned signed_msg = PACTA__V1__CONTRACT_SIGNED__INIT;
    signed_msg.contract_id = (char *) CONTRACT;
    signed_msg.client = &client;
    signed_msg.contract_kind = PACTA__V1__CONTRACT_KIND__CONTRACT_KIND_SUBSCRIPTION_PACK;
    signed_msg.pack_code = (char *) "start";
    signed_msg.billing_period = PACTA__V1__BILLING_PERIOD__BILLING_PERIOD_MONTHLY;
    signed_msg.recurring_fee = sf_money(&fee, 30000);
    signed_msg.signed_on = sf_date(&signed_on, "2025-03-01");
    signed_msg.channel = PACTA__V1__CHANNEL__CHANNEL_ORDER_FORM;
    Pacta__V1__Envelope *env = sf_envelope("capconnect", ENTITY, "mf-sign", &signed_msg.base);
    s_send_ok(producer, env);
    sf_envelope_free(env);
    invoice_t invoice;
    s_invoice(&invoice, CONTRACT, "mf-F-1");
    env = sf_envelope("capconnect", ENTITY, "mf-invoice-1", &invoice.msg.base);
    s_send_ok(producer, env);
    sf_envelope_free(env);

    const Pacta__V1__NackReason INVALID = PACTA__V1__NACK_REASON__NACK_REASON_INVALID;
    const Pacta__V1__NackReason NONE = PACTA__V1__NACK_REASON__NACK_REASON_UNSPECIFIED;

    //  1. A bad date: 30 February.
    s_invoice(&invoice, CONTRACT, "mf-F-2");
    invoice.issued_on.day = 30;
    invoice.issued_on.month = 2;
    env = sf_envelope("capconnect", ENTITY, "mf-bad-date", &invoice.msg.base);
    s_expect_refused(store, producer, env, INVALID, NONE, "issued_on", "issued_on 2025-02-30");
    sf_envelope_free(env);

    //  2. Negative amounts: an invoice (consumed by invoicing and
    //  enforcement), a payment (invoicing).
    s_invoice(&invoice, CONTRACT, "mf-F-3");
    invoice.total_incl.cents = -36300;
    env = sf_envelope("capconnect", ENTITY, "mf-negative-invoice", &invoice.msg.base);
    s_expect_refused(store, producer, env, INVALID, NONE, "total_incl_vat", "an invoice of -363.00");
    sf_envelope_free(env);
    Pacta__V1__Money amount;
    Pacta__V1__Date value_date;
    Pacta__V1__PaymentReceived payment = PACTA__V1__PAYMENT_RECEIVED__INIT;
    payment.payment_id = (char *) "mf-B-1";
    payment.amount = sf_money(&amount, -100);
    payment.value_date = sf_date(&value_date, "2025-03-02");
    payment.invoice_id = (char *) "mf-F-1";
    env = sf_envelope("capconnect", ENTITY, "mf-negative-payment", &payment.base);
    s_expect_refused(store, producer, env, INVALID, NONE, "amount", "a payment of -1.00");
    sf_envelope_free(env);

    //  3. An unknown contract.
    s_invoice(&invoice, "mf-C-404", "mf-F-404");
    env = sf_envelope("capconnect", "c:mf-C-404", "mf-unknown-contract", &invoice.msg.base);
    s_expect_refused(store, producer, env, PACTA__V1__NACK_REASON__NACK_REASON_UNKNOWN_ENTITY, NONE, "contract_id",
                     "an invoice for a contract that does not exist");
    sf_envelope_free(env);

    //  4. The wrong tenant: one that does not exist, and one that exists
    //  but does not hold the contract.
    s_invoice(&invoice, CONTRACT, "mf-F-5");
    env = sf_envelope("nosuchtenant", ENTITY, "mf-unknown-tenant", &invoice.msg.base);
    s_expect_refused(store, producer, env, PACTA__V1__NACK_REASON__NACK_REASON_UNKNOWN_TENANT, NONE, "envelope.tenant",
                     "tenant nosuchtenant");
    sf_envelope_free(env);
    env = sf_envelope("sgevent", ENTITY, "mf-other-tenant", &invoice.msg.base);
    s_expect_refused(store, producer, env, PACTA__V1__NACK_REASON__NACK_REASON_UNKNOWN_ENTITY,
                     PACTA__V1__NACK_REASON__NACK_REASON_WRONG_TENANT, "contract_id",
                     "capconnect's contract sent under tenant sgevent");
    sf_envelope_free(env);

    //  5. An unknown type, and a missing required field.
    env = sf_envelope("capconnect", ENTITY, "mf-unknown-type", &invoice.msg.base);
    free(env->message_type);
    env->message_type = strdup("pacta.v1.NoSuchEvent");
    s_expect_refused(store, producer, env, PACTA__V1__NACK_REASON__NACK_REASON_UNKNOWN_TYPE, NONE,
                     "envelope.message_type", "type pacta.v1.NoSuchEvent");
    sf_envelope_free(env);
    s_invoice(&invoice, CONTRACT, "");
    env = sf_envelope("capconnect", ENTITY, "mf-missing-field", &invoice.msg.base);
    s_expect_refused(store, producer, env, INVALID, NONE, "invoice_id", "an invoice without invoice_id");
    sf_envelope_free(env);

    //  6. No service remembered a refused id: corrected, each is applied
    //  (an ACK that is not a duplicate) by every consumer.
    s_invoice(&invoice, CONTRACT, "mf-F-2");
    env = sf_envelope("capconnect", ENTITY, "mf-bad-date", &invoice.msg.base);
    s_send_ok(producer, env);
    sf_envelope_free(env);
    s_invoice(&invoice, CONTRACT, "mf-F-3");
    invoice.issued_on.month = 4;
    invoice.due_on.month = 4;
    env = sf_envelope("capconnect", ENTITY, "mf-negative-invoice", &invoice.msg.base);
    s_send_ok(producer, env);
    sf_envelope_free(env);
    char enforcement_key[128], ledger_key[128];
    snprintf(enforcement_key, sizeof enforcement_key, "pacta:capconnect:{%s}:enforcement", ENTITY);
    snprintf(ledger_key, sizeof ledger_key, "pacta:capconnect:{%s}:ledger", ENTITY);
    json_t *ledger = sf_doc(store, ledger_key, NULL);
    json_t *enforcement = sf_doc(store, enforcement_key, NULL);
    cr_assert(ledger && enforcement);
    cr_assert_eq(json_array_size(json_object_get(ledger, "invoices")), 3, "invoicing applied mf-F-2 and mf-F-3");
    cr_assert_eq(json_array_size(json_object_get(enforcement, "invoices")), 3,
                 "enforcement applied mf-F-2 and mf-F-3 too: it had not recorded the refused ids");
    json_decref(ledger);
    json_decref(enforcement);

    pacta_bus_producer_destroy(&producer);
    sk_stop(&stack);
    pacta_store_destroy(&store);
}
