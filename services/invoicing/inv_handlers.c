/*  =========================================================================
    inv_handlers - what invoicing does with the messages and timers it owns

    Invoices, payments and credit of one contract live in ONE versioned
    document, <prefix>:ledger, so matching a payment, closing an invoice
    and deciding that it is overdue are each one compare-and-set: two
    instances receiving a payment and the overdue timer of the same invoice
    at once cannot both win.

    Design decision: the due date is computed once, here, with the rules
    core's CC-3a/SG-8b function (pacta_cc_invoice_due_on), and stored; the
    overdue timer and everything downstream read the stored date.
    =========================================================================
*/
#include "inv_handlers.h"

#include <stdio.h>
#include <string.h>

#include "inv_deposit.h"
#include "inv_late.h"
#include "inv_ledger.h"
#include "inv_periodic.h"
#include "inv_referral.h"
#include "pacta/v1/invoicing.pb-c.h"
#include "pacta_decide.h"
#include "pacta_facts.h"
#include "pacta_jdoc.h"
#include "pacta_money.h"
#include "pacta_pbjson.h"
#include "pacta_sc.h"
#include "rules_cc.h"

#define LEDGER "ledger"
#define OVERDUE "invoice.overdue"

/* ---- small helpers ----------------------------------------------------------- */

const char *
inv_kind_name(int kind, char *buf, size_t size)
{
    return pacta_pbjson_enum_name(&pacta__v1__invoice_kind__descriptor, kind, buf, size);
}

int
inv_kind_value(const char *name)
{
    char buf[64];
    for (unsigned i = 0; i < pacta__v1__invoice_kind__descriptor.n_values; i++) {
        int value = pacta__v1__invoice_kind__descriptor.values[i].value;
        if (strcmp(inv_kind_name(value, buf, sizeof buf), name) == 0)
            return value;
    }
    return 0;
}

/* The contract's entity key must be the one the message travels on. */
int
inv_check_entity(pacta_handler_ctx_t *ctx, const char *contract_id)
{
    return pacta_facts_check_entity(ctx, 'c', contract_id, "contract_id");
}

static void
s_overdue_timer_id(const char *entity_key, const char *invoice_id, pacta_date_t fires_on, char *buf, size_t size)
{
    char date[PACTA_DATE_STR_LEN];
    snprintf(buf, size, "%s/%s/%s/%s", entity_key, OVERDUE, invoice_id, pacta_date_format(fires_on, date, sizeof date));
}

pacta_date_t
inv_effective_due_on(const json_t *invoice)
{
    const json_t *dispute = json_object_get(invoice, "dispute");
    if (json_is_object(dispute)) {
        const char *state = pacta_jdoc_str(dispute, "state");
        pacta_date_t new_due_on = pacta_jdoc_date(dispute, "new_due_on");
        if ((strcmp(state, "upheld") == 0 || strcmp(state, "corrected") == 0) && pacta_date_is_valid(new_due_on))
            return new_due_on;
    }
    return pacta_jdoc_date(invoice, "due_on");
}

int64_t
inv_amount_owed(const json_t *invoice)
{
    int64_t owed = pacta_jdoc_int(invoice, "total_cents") - pacta_jdoc_int(invoice, "credited_cents");
    return owed > 0 ? owed : 0;
}

/* The ledger with its fixed members in place. */
json_t *
inv_ledger(pacta_handler_ctx_t *ctx, const char *contract_id)
{
    json_t *ledger = pacta_handler_doc(ctx, LEDGER);
    if (!json_object_get(ledger, "contract_id"))
        pacta_jdoc_set_str(ledger, "contract_id", contract_id);
    if (!json_object_get(ledger, "credit_cents"))
        pacta_jdoc_set_int(ledger, "credit_cents", 0);
    pacta_jdoc_array(ledger, "invoices");
    pacta_jdoc_array(ledger, "payments");
    return ledger;
}

void
inv_audit_fact(pacta_handler_ctx_t *ctx, const char *summary, pacta_date_t date, int64_t cents, const char *ref)
{
    char day[PACTA_DATE_STR_LEN], amount[32];
    snprintf(amount, sizeof amount, "%lld", (long long) cents);
    json_t *entry = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "entry", "fact", "message_type",
                              pacta_handler_cause_type(ctx), "summary", summary, "date",
                              pacta_handler_date_text(date, day, sizeof day), "amount_cents", amount, "ref", ref);
    if (entry)
        pacta_handler_audit(ctx, entry);
    json_decref(entry);
}

/* ---- InvoiceIssued --------------------------------------------------------------- */

static int
s_on_invoice_issued(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__InvoiceIssued *msg = (const Pacta__V1__InvoiceIssued *) payload;
    const pacta_profile_t *profile = pacta_handler_profile(ctx);
    if (inv_check_entity(ctx, msg->contract_id) != 0)
        return -1;
    if (strlen(msg->invoice_id) >= PACTA_REF_SIZE || strlen(msg->contract_id) >= PACTA_REF_SIZE)
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_INVALID, "invoice_id",
                                    "invoice and contract ids are at most %d bytes", PACTA_REF_SIZE - 1);
    if (pacta_handler_require_contract(ctx, msg->contract_id) != 0)
        return -1;   /* as enforcement does (pacta_facts.h): both refuse alike */
    int64_t total = msg->total_incl_vat->cents;
    if (total < 0)
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_INVALID, "total_incl_vat",
                                    "total_incl_vat: must not be negative (a credit is a credit note)");
    pacta_date_t issued_on = pacta_handler_date(msg->issued_on);
    pacta_date_t printed_due = pacta_handler_date(msg->due_on);
    if (pacta_date_is_valid(printed_due) && printed_due < issued_on)
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_INVALID, "due_on",
                                    "due_on: the due date is before the issue date");
    pacta_date_t due_on = pacta_cc_invoice_due_on(profile, issued_on, printed_due);
    if (!pacta_date_is_valid(due_on))
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_INVALID, "due_on",
                                    "due_on: missing, and the terms give no payment term to compute it");

    char sc[PACTA_SC_SIZE];
    if (msg->structured_communication[0]) {
        if (pacta_sc_normalise(msg->structured_communication, sc) != 0)
            return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_INVALID, "structured_communication",
                                        "structured_communication: \"%.40s\" is not 12 digits with mod-97 check digits",
                                        msg->structured_communication);
    }
    else {
        char seed[3 * PACTA_REF_SIZE + 80];
        int len = snprintf(seed, sizeof seed, "%s/%s/%s", pacta_handler_tenant(ctx), msg->contract_id,
                           msg->invoice_id);
        pacta_sc_generate(seed, (size_t) len, sc);
    }

    json_t *ledger = inv_ledger(ctx, msg->contract_id);
    json_t *invoices = pacta_jdoc_array(ledger, "invoices");
    json_t *existing = pacta_jdoc_find(invoices, "invoice_id", msg->invoice_id);
    if (existing) {
        if (pacta_jdoc_date(existing, "issued_on") == issued_on && pacta_jdoc_date(existing, "due_on") == due_on
            && pacta_jdoc_int(existing, "total_cents") == total)
            return 0;   /* the same invoice sent again under another message id */
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_CONFLICT, "invoice_id",
                                    "invoice %s already exists with other dates or amount", msg->invoice_id);
    }
    json_t *other = pacta_jdoc_find(invoices, "structured_communication", sc);
    if (other)
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_CONFLICT, "structured_communication",
                                    "structured communication %s already identifies invoice %s", sc,
                                    pacta_jdoc_str(other, "invoice_id"));

    char kind[64];
    json_t *invoice = json_object();
    pacta_jdoc_set_str(invoice, "invoice_id", msg->invoice_id);
    pacta_jdoc_set_str(invoice, "kind", inv_kind_name(msg->kind, kind, sizeof kind));
    pacta_jdoc_set_date(invoice, "issued_on", issued_on);
    pacta_jdoc_set_date(invoice, "due_on", due_on);
    pacta_jdoc_set_date(invoice, "printed_due_on", printed_due);
    pacta_jdoc_set_date(invoice, "received_on", pacta_handler_date(msg->received_on));
    pacta_jdoc_set_int(invoice, "total_cents", total);
    pacta_jdoc_set_str(invoice, "structured_communication", sc);
    pacta_jdoc_set_int(invoice, "paid_cents", 0);
    pacta_jdoc_set_str(invoice, "state", total == 0 ? "paid" : "open");
    pacta_jdoc_set_date(invoice, "paid_on", total == 0 ? issued_on : PACTA_DATE_INVALID);
    pacta_jdoc_set_date(invoice, "overdue_from", PACTA_DATE_INVALID);
    pacta_jdoc_set_str(invoice, "message_id", pacta_handler_cause_id(ctx));
    json_array_append_new(invoices, invoice);
    pacta_handler_put_doc(ctx, LEDGER);

    char shown[PACTA_SC_DISPLAY_SIZE], amount[48], issued[PACTA_DATE_STR_LEN], due[PACTA_DATE_STR_LEN];
    char summary[320];
    snprintf(summary, sizeof summary, "invoice %s issued %s, due %s, %s, %s", msg->invoice_id,
             pacta_date_format(issued_on, issued, sizeof issued), pacta_date_format(due_on, due, sizeof due),
             pacta_money_format_be(total, amount, sizeof amount), pacta_sc_format(sc, shown, sizeof shown));
    inv_audit_fact(ctx, summary, issued_on, total, msg->invoice_id);

    if (total > 0) {
        char timer_id[256];
        s_overdue_timer_id(pacta_handler_entity_key(ctx), msg->invoice_id, due_on + 1, timer_id, sizeof timer_id);
        json_t *data = json_pack("{s:s}", "invoice_id", msg->invoice_id);
        pacta_handler_schedule_timer(ctx, timer_id, due_on + 1, OVERDUE, data);
        json_decref(data);
    }
    pacta_handler_index_hset(ctx, "invoices", msg->invoice_id, msg->contract_id);
    char sc_key[PACTA_SC_SIZE + 2];
    snprintf(sc_key, sizeof sc_key, "p:%s", sc);
    pacta_handler_link(ctx, sc_key, "invoice", "invoice_id", msg->invoice_id);
    pacta_handler_link(ctx, sc_key, "invoice", "contract_id", msg->contract_id);
    return 0;
}

/* ---- PaymentReceived ---------------------------------------------------------------- */

/* A payment on p:<sc>: forward it to its contract, or wait for the invoice. */
static int
s_route_payment(pacta_handler_ctx_t *ctx, const Pacta__V1__PaymentReceived *msg, const char *sc)
{
    char expected[PACTA_SC_SIZE + 2];
    snprintf(expected, sizeof expected, "p:%s", sc);
    char keyed[PACTA_SC_SIZE] = "";
    if (!sc[0] || pacta_sc_normalise(pacta_handler_entity_key(ctx) + 2, keyed) != 0 || strcmp(keyed, sc) != 0)
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_INVALID, "envelope.entity_key",
                                    "a payment on a p: key needs that structured communication (p:%s)",
                                    sc[0] ? sc : "<12 digits>");
    if (strcmp(expected, pacta_handler_entity_key(ctx)) != 0)   /* display form: move to the 12-digit key */
        return pacta_handler_emit(ctx, &msg->base, PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_EVENT, expected,
                                  "invoicing", NULL);
    char key[600];
    snprintf(key, sizeof key, "%s:invoice", pacta_handler_prefix(ctx));
    redisReply *reply = NULL;
    if (pacta_store_command_strs(pacta_handler_store(ctx), &reply, "HGET", key, "contract_id", NULL) != 0)
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_RETRY_LATER, NULL,
                                    "cannot look the structured communication up; retry later");
    char contract_id[PACTA_REF_SIZE] = "";
    if (reply->type == REDIS_REPLY_STRING)
        snprintf(contract_id, sizeof contract_id, "%.*s", (int) reply->len, reply->str);
    freeReplyObject(reply);
    if (!contract_id[0]) {
        char shown[PACTA_SC_DISPLAY_SIZE], waiting[80];
        snprintf(waiting, sizeof waiting, "an invoice with %s", pacta_sc_format(sc, shown, sizeof shown));
        return pacta_handler_park(ctx, waiting);
    }
    char contract_key[PACTA_REF_SIZE + 4];
    snprintf(contract_key, sizeof contract_key, "c:%s", contract_id);
    return pacta_handler_emit(ctx, &msg->base, PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_EVENT, contract_key, "invoicing",
                              NULL);
}

static int
s_on_payment_received(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__PaymentReceived *msg = (const Pacta__V1__PaymentReceived *) payload;
    int64_t amount = msg->amount->cents;
    if (amount <= 0)
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_INVALID, "amount",
                                    "amount: a payment must be positive");
    char sc[PACTA_SC_SIZE] = "";
    if (msg->structured_communication[0] && pacta_sc_normalise(msg->structured_communication, sc) != 0)
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_INVALID, "structured_communication",
                                    "structured_communication: \"%.40s\" is not 12 digits with mod-97 check digits",
                                    msg->structured_communication);
    if (!sc[0] && !msg->invoice_id[0])
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_INVALID, "structured_communication",
                                    "a payment needs a structured_communication or an invoice_id to be matched");
    if (strncmp(pacta_handler_entity_key(ctx), "p:", 2) == 0)
        return s_route_payment(ctx, msg, sc);
    if (strncmp(pacta_handler_entity_key(ctx), "c:", 2) != 0)
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_INVALID, "envelope.entity_key",
                                    "a payment travels on c:<contract> or p:<structured communication>");
    const char *contract_id = pacta_handler_entity_key(ctx) + 2;
    pacta_date_t value_date = pacta_handler_date(msg->value_date);

    json_t *ledger = inv_ledger(ctx, contract_id);
    json_t *invoices = pacta_jdoc_array(ledger, "invoices");
    json_t *payments = pacta_jdoc_array(ledger, "payments");
    if (pacta_jdoc_find(payments, "payment_id", msg->payment_id))
        return 0;   /* this bank line is already booked */
    const char *matched_by = "structured_communication";
    json_t *invoice = sc[0] ? pacta_jdoc_find(invoices, "structured_communication", sc) : NULL;
    if (!invoice && msg->invoice_id[0]) {
        invoice = pacta_jdoc_find(invoices, "invoice_id", msg->invoice_id);
        matched_by = "invoice_id";
    }
    if (!invoice) {
        char waiting[120], shown[PACTA_SC_DISPLAY_SIZE];
        if (sc[0])
            snprintf(waiting, sizeof waiting, "an invoice with %s", pacta_sc_format(sc, shown, sizeof shown));
        else
            snprintf(waiting, sizeof waiting, "invoice %.60s", msg->invoice_id);
        return pacta_handler_park(ctx, waiting);
    }

    const char *invoice_id = pacta_jdoc_str(invoice, "invoice_id");
    int64_t total = inv_amount_owed(invoice);   /* less what credit notes took off it (SG-8e) */
    int64_t paid = pacta_jdoc_int(invoice, "paid_cents");
    int64_t outstanding = total > paid ? total - paid : 0;
    int64_t applied = amount < outstanding ? amount : outstanding;
    int64_t credit = amount - applied;
    bool was_open = strcmp(pacta_jdoc_str(invoice, "state"), "open") == 0;
    pacta_jdoc_set_int(invoice, "paid_cents", paid + applied);
    bool now_paid = was_open && paid + applied >= total;
    if (now_paid) {
        pacta_jdoc_set_str(invoice, "state", "paid");
        pacta_jdoc_set_date(invoice, "paid_on", value_date);
    }
    pacta_jdoc_set_int(ledger, "credit_cents", pacta_jdoc_int(ledger, "credit_cents") + credit);
    json_t *payment = json_object();
    pacta_jdoc_set_str(payment, "payment_id", msg->payment_id);
    pacta_jdoc_set_int(payment, "amount_cents", amount);
    pacta_jdoc_set_date(payment, "value_date", value_date);
    pacta_jdoc_set_str(payment, "matched_by", matched_by);
    pacta_jdoc_set_str(payment, "structured_communication", sc);
    json_t *applications = json_array();
    if (applied > 0)
        json_array_append_new(applications, json_pack("{s:s, s:I}", "invoice_id", invoice_id, "amount_cents",
                                                      (json_int_t) applied));
    json_object_set_new(payment, "applied", applications);
    pacta_jdoc_set_int(payment, "credit_cents", credit);
    pacta_jdoc_set_str(payment, "message_id", pacta_handler_cause_id(ctx));
    json_array_append_new(payments, payment);
    pacta_handler_put_doc(ctx, LEDGER);

    char amount_text[48], credit_text[48], day[PACTA_DATE_STR_LEN], summary[320];
    int n = snprintf(summary, sizeof summary, "payment %s of %s received %s for invoice %s (by %s)", msg->payment_id,
                     pacta_money_format_be(amount, amount_text, sizeof amount_text),
                     pacta_date_format(value_date, day, sizeof day), invoice_id,
                     strcmp(matched_by, "invoice_id") == 0 ? "invoice id" : "structured communication");
    if (credit > 0 && n > 0 && (size_t) n < sizeof summary)
        snprintf(summary + n, sizeof summary - (size_t) n, "; %s kept as credit",
                 pacta_money_format_be(credit, credit_text, sizeof credit_text));
    inv_audit_fact(ctx, summary, value_date, amount, invoice_id);

    Pacta__V1__Date value = PACTA__V1__DATE__INIT, due = PACTA__V1__DATE__INIT;
    pacta_handler_set_date(&value, value_date);
    Pacta__V1__Money applied_money = PACTA__V1__MONEY__INIT, left = PACTA__V1__MONEY__INIT;
    applied_money.cents = applied;
    applied_money.currency = (char *) "EUR";
    left.cents = total - (paid + applied) > 0 ? total - (paid + applied) : 0;
    left.currency = (char *) "EUR";
    Pacta__V1__PaymentApplied applied_msg = PACTA__V1__PAYMENT_APPLIED__INIT;
    applied_msg.payment_id = msg->payment_id;
    applied_msg.invoice_id = (char *) invoice_id;
    applied_msg.contract_id = (char *) contract_id;
    applied_msg.amount = &applied_money;
    applied_msg.value_date = &value;
    applied_msg.outstanding = &left;
    pacta_handler_emit(ctx, &applied_msg.base, PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_DECISION, NULL, NULL, NULL);
    if (now_paid) {
        Pacta__V1__Money total_paid = PACTA__V1__MONEY__INIT;
        total_paid.cents = paid + applied;
        total_paid.currency = (char *) "EUR";
        pacta_date_t due_on = inv_effective_due_on(invoice);
        pacta_handler_set_date(&due, due_on);
        Pacta__V1__InvoicePaid paid_msg = PACTA__V1__INVOICE_PAID__INIT;
        paid_msg.invoice_id = (char *) invoice_id;
        paid_msg.contract_id = (char *) contract_id;
        paid_msg.paid_on = &value;
        paid_msg.total_paid = &total_paid;
        paid_msg.due_on = &due;
        paid_msg.kind = inv_kind_value(pacta_jdoc_str(invoice, "kind"));
        pacta_handler_emit(ctx, &paid_msg.base, PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_DECISION, NULL, NULL, NULL);
        char timer_id[256];
        s_overdue_timer_id(pacta_handler_entity_key(ctx), invoice_id, pacta_jdoc_date(invoice, "due_on") + 1, timer_id,
                           sizeof timer_id);
        if (!pacta_date_is_valid(pacta_jdoc_date(invoice, "overdue_from")))
            pacta_handler_cancel_timer(ctx, timer_id);
        //  SG-2b: the deposit invoice settled lets the work start.
        if (inv_deposit_settled(ctx, ledger, invoice, contract_id) != 0)
            return -1;
        //  SG-8c/SG-8d/L-1/L-2: a late invoice settled now owes its charges.
        if (inv_late_settle(ctx, ledger, invoice, contract_id) != 0)
            return -1;
    }
    return 0;
}

/* ---- the overdue timer --------------------------------------------------------------- */

static int
s_on_overdue(pacta_handler_ctx_t *ctx, const json_t *data, void *arg)
{
    (void) arg;
    const pacta_profile_t *profile = pacta_handler_profile(ctx);
    const char *invoice_id = pacta_jdoc_str(data, "invoice_id");
    const char *entity_key = pacta_handler_entity_key(ctx);
    if (strncmp(entity_key, "c:", 2) != 0)
        return 0;
    const char *contract_id = entity_key + 2;
    json_t *ledger = inv_ledger(ctx, contract_id);
    json_t *invoice = pacta_jdoc_find(pacta_jdoc_array(ledger, "invoices"), "invoice_id", invoice_id);
    if (!invoice || strcmp(pacta_jdoc_str(invoice, "state"), "open") != 0
        || pacta_date_is_valid(pacta_jdoc_date(invoice, "overdue_from")))
        return 0;   /* paid, unknown or already reported: nothing is overdue */
    pacta_date_t today = pacta_handler_today(ctx);
    pacta_date_t due_on = inv_effective_due_on(invoice);   /* SG-8e: a resolved dispute may re-time it */
    if (!pacta_date_is_valid(due_on) || today <= due_on)
        return 0;
    int64_t total = inv_amount_owed(invoice);
    int64_t outstanding = total - pacta_jdoc_int(invoice, "paid_cents");
    pacta_jdoc_set_date(invoice, "overdue_from", due_on + 1);
    pacta_handler_put_doc(ctx, LEDGER);

    //  The due-date rule (CC-3a / SG-8b) says when payment was due; this
    //  records that the day after it came with money still owed.
    pacta_outcome_t outcome;
    pacta_outcome_init(&outcome);
    Pacta__V1__Explanation *why = NULL;
    if (pacta_rule_enabled(&profile->invoicing.rule)) {
        pacta_decision_t *decision = pacta_outcome_add(&outcome, profile, &profile->invoicing.rule,
                                                       PACTA_DECISION_RECORD);
        if (decision) {
            decision->date = due_on + 1;
            decision->amount = outstanding;
            pacta_decision_set_ref(decision, invoice_id);
            pacta_decision_set_reason(decision, "overdue");
            pacta_explain_text(decision, PACTA_ROLE_INPUT, "invoice", invoice_id);
            pacta_explain_date(decision, PACTA_ROLE_INPUT, "due_on", due_on);
            pacta_explain_money(decision, PACTA_ROLE_INPUT, "invoice_amount", total);
            pacta_explain_money(decision, PACTA_ROLE_RESULT, "outstanding", outstanding);
            pacta_explain_date(decision, PACTA_ROLE_RESULT, "overdue_from", due_on + 1);
            pacta_decision_head(decision, "Overdue from {overdue_from}", "En retard depuis le {overdue_from}");
            pacta_decision_because(decision,
                                   "invoice {invoice} due {due_on} was not fully paid by the end of its due date; "
                                   "{outstanding} of {invoice_amount} remained unpaid",
                                   "la facture {invoice} échue le {due_on} n'était pas entièrement payée à la fin de "
                                   "son échéance ; {outstanding} sur {invoice_amount} restaient impayés");
            char decision_id[PACTA_DECIDE_ID_SIZE];
            pacta_decide_id(decision, contract_id, decision_id, sizeof decision_id);
            json_t *entry = pacta_decide_audit_entry(decision, profile, decision_id, "pacta.v1.InvoiceOverdue", today);
            if (entry)
                pacta_handler_audit(ctx, entry);
            json_decref(entry);
            why = pacta_decide_explanation_new(decision, profile, today);
        }
    }
    Pacta__V1__Date due = PACTA__V1__DATE__INIT, from = PACTA__V1__DATE__INIT;
    pacta_handler_set_date(&due, due_on);
    pacta_handler_set_date(&from, due_on + 1);
    Pacta__V1__Money left = PACTA__V1__MONEY__INIT;
    left.cents = outstanding;
    left.currency = (char *) "EUR";
    Pacta__V1__InvoiceOverdue overdue = PACTA__V1__INVOICE_OVERDUE__INIT;
    overdue.invoice_id = (char *) invoice_id;
    overdue.contract_id = (char *) contract_id;
    overdue.due_on = &due;
    overdue.overdue_from = &from;
    overdue.outstanding = &left;
    overdue.kind = inv_kind_value(pacta_jdoc_str(invoice, "kind"));
    //  SG-8e: a timely complaint still open holds the suspension (SG-5c) too.
    const json_t *dispute = json_object_get(invoice, "dispute");
    overdue.disputed = json_is_object(dispute) && strcmp(pacta_jdoc_str(dispute, "state"), "open") == 0;
    overdue.explanation = why;
    int rc = pacta_handler_emit(ctx, &overdue.base, PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_DECISION, NULL, NULL, NULL);
    pacta_decide_explanation_destroy(&why);
    return rc;
}

/* ---- the declaration ---------------------------------------------------------------- */

static const char *const s_ledger_doc[] = {LEDGER, NULL};
static const char *const s_issued_required[] = {"invoice_id", "contract_id", "issued_on", "total_incl_vat", NULL};
static const char *const s_payment_required[] = {"payment_id", "amount", "value_date", NULL};
static const char *const s_signed_required[] = {"contract_id", "client", "contract_kind", "signed_on", NULL};
static const char *const s_started_required[] = {"contract_id", "started_on", NULL};
static const char *const s_ended_required[] = {"contract_id", "ended_on", NULL};
static const char *const s_contract_id_required[] = {"contract_id", NULL};
static const char *const s_answer_required[] = {"decision_id", "contract_id", NULL};
static const char *const s_quote_required[] = {"quote_id", "contract_id", "issued_on", NULL};
static const char *const s_accepted_required[] = {"quote_id", "contract_id", "accepted_on", NULL};
static const char *const s_reminder_required[] = {"invoice_id", "contract_id", "reminder_number", "sent_on", NULL};
static const char *const s_notice_required[] = {"invoice_id", "contract_id", "sent_on", NULL};
static const char *const s_disputed_required[] = {"invoice_id", "contract_id", "notice", NULL};
static const char *const s_referral_required[] = {"sponsor_contract_id", "referee_contract_id", "referee_pack",
                                                  "signed_on", NULL};
static const char *const s_resolved_required[] = {"invoice_id", "contract_id", "outcome", "resolved_on", NULL};

static const pacta_message_handler_t s_messages[] = {
    {"pacta.v1.InvoiceIssued", s_on_invoice_issued, s_issued_required, s_ledger_doc},
    {"pacta.v1.PaymentReceived", s_on_payment_received, s_payment_required, s_ledger_doc},
    {"pacta.v1.ContractSigned", inv_on_contract_signed, s_signed_required, s_ledger_doc},
    {"pacta.v1.ContractStarted", inv_on_contract_started, s_started_required, s_ledger_doc},
    {"pacta.v1.ContractEnded", inv_on_contract_ended, s_ended_required, s_ledger_doc},
    {"pacta.v1.NonRenewalNoticeRecorded", inv_on_non_renewal_recorded, s_contract_id_required, s_ledger_doc},
    {"pacta.v1.TerminationNoticeRecorded", inv_on_termination_notice_recorded, s_contract_id_required,
     s_ledger_doc},
    {"pacta.v1.EarlyTerminationAccepted", inv_on_early_termination_accepted, s_contract_id_required,
     s_ledger_doc},
    {"pacta.v1.ContractRenewed", inv_on_contract_renewed, s_contract_id_required, s_ledger_doc},
    {"pacta.v1.Terminate", inv_on_terminate, s_contract_id_required, s_ledger_doc},
    {"pacta.v1.QuoteIssued", inv_on_quote_issued, s_quote_required, s_ledger_doc},
    {"pacta.v1.QuoteAccepted", inv_on_quote_accepted, s_accepted_required, s_ledger_doc},
    {"pacta.v1.DecisionApproved", inv_on_decision_approved, s_answer_required, s_ledger_doc},
    {"pacta.v1.DecisionRejected", inv_on_decision_rejected, s_answer_required, s_ledger_doc},
    {"pacta.v1.ReminderSent", inv_on_reminder_sent, s_reminder_required, s_ledger_doc},
    {"pacta.v1.FormalNoticeSent", inv_on_formal_notice_sent, s_notice_required, s_ledger_doc},
    {"pacta.v1.InvoiceDisputed", inv_on_invoice_disputed, s_disputed_required, s_ledger_doc},
    {"pacta.v1.InvoiceDisputeResolved", inv_on_dispute_resolved, s_resolved_required, s_ledger_doc},
    {"pacta.v1.ReferralRegistered", inv_on_referral_registered, s_referral_required, s_ledger_doc},
};

static const pacta_timer_handler_t s_timers[] = {
    {OVERDUE, s_on_overdue, s_ledger_doc},
    {INV_PERIODIC_TIMER, inv_on_periodic_timer, s_ledger_doc},
};

const pacta_handler_set_t inv_handlers = {
    .messages = s_messages,
    .message_count = sizeof s_messages / sizeof s_messages[0],
    .timers = s_timers,
    .timer_count = sizeof s_timers / sizeof s_timers[0],
    .arg = NULL,
};
