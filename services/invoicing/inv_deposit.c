/*  =========================================================================
    inv_deposit - SG-2b: invoicing issues the deposit invoice itself

    Design decision (docs/design.md, "Deposits"): the deposit is a figure
    of the quote, so invoicing keeps the quote it is computed from and asks
    the rules core twice -- does this acceptance bind (SG-2a, the very
    rule contracts runs on the same facts, so both services agree without
    waiting for each other), and what deposit does it call for (SG-2b).
    The deposit invoice is billed at the deposit plus VAT at the profile's
    rate (invoicing.vat_percent); DepositInvoiced and DepositPaid state the
    deposit itself, excluding VAT, which is the figure SG-4a reads.
    One deposit invoice per contract, id <contract>-DEP1: a replayed or
    repeated acceptance finds it in the ledger and issues nothing.
    =========================================================================
*/
#include "inv_deposit.h"

#include <stdio.h>
#include <string.h>

#include "inv_ledger.h"
#include "pacta/v1/invoicing.pb-c.h"
#include "pacta/v1/offers.pb-c.h"
#include "pacta_decide.h"
#include "pacta_jdoc.h"
#include "pacta_money.h"
#include "rules_cc.h"
#include "rules_sg.h"

#define INV_DEPOSIT_SUFFIX "-DEP1"   /* the deposit invoice's id after the contract id */

/* ---- QuoteIssued ------------------------------------------------------------------ */

int
inv_on_quote_issued(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__QuoteIssued *msg = (const Pacta__V1__QuoteIssued *) payload;
    if (inv_check_entity(ctx, msg->contract_id) != 0)
        return -1;
    //  Refused as contracts refuses it (ctr_on_quote_issued): what one
    //  service NACKs, the other must not commit.
    if (strlen(msg->quote_id) >= PACTA_REF_SIZE)
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_INVALID, "quote_id",
                                    "quote_id: at most %d bytes", PACTA_REF_SIZE - 1);
    if (msg->total && msg->total->cents < 0)
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_INVALID, "total",
                                    "total: must not be negative");
    pacta_date_t issued_on = pacta_handler_date(msg->issued_on);
    pacta_date_t valid_until = msg->valid_until ? pacta_handler_date(msg->valid_until) : PACTA_DATE_INVALID;
    if (pacta_date_is_valid(valid_until) && valid_until < issued_on)
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_INVALID, "valid_until",
                                    "valid_until: before issued_on");
    json_t *ledger = inv_ledger(ctx, msg->contract_id);
    const json_t *known = json_object_get(ledger, "quote");
    if (json_is_object(known) && strcmp(pacta_jdoc_str(known, "quote_id"), msg->quote_id) == 0)
        return 0;   /* the same quote again */
    if (json_is_object(known) || json_object_get(json_object_get(ledger, "contract"), "kind"))
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_CONFLICT, "contract_id",
                                    "contract %s already exists", msg->contract_id);
    json_t *quote = json_object();
    pacta_jdoc_set_str(quote, "quote_id", msg->quote_id);
    pacta_jdoc_set_str(quote, "state", "open");
    pacta_jdoc_set_date(quote, "issued_on", issued_on);
    pacta_jdoc_set_int(quote, "validity_days", pacta_date_is_valid(valid_until) ? valid_until - issued_on : 0);
    pacta_jdoc_set_int(quote, "total_cents", msg->total ? msg->total->cents : 0);
    if (msg->deposit_rate)
        pacta_jdoc_set_int(quote, "deposit_rate_bp", msg->deposit_rate->value);
    pacta_jdoc_set_str(quote, "client_id", msg->client ? msg->client->client_id : "");
    pacta_jdoc_set_bool(quote, "consumer",
                        msg->client && msg->client->kind == PACTA__V1__PARTY_KIND__PARTY_KIND_CONSUMER);
    json_object_set_new(ledger, "quote", quote);
    return pacta_handler_put_doc(ctx, INV_LEDGER_DOC);
}

/* ---- QuoteAccepted ------------------------------------------------------------------ */

static void
s_quote_from_ledger(const json_t *stored, pacta_quote_t *quote)
{
    memset(quote, 0, sizeof *quote);
    snprintf(quote->id, sizeof quote->id, "%s", pacta_jdoc_str(stored, "quote_id"));
    quote->state = strcmp(pacta_jdoc_str(stored, "state"), "accepted") == 0 ? PACTA_QUOTE_ACCEPTED : PACTA_QUOTE_OPEN;
    quote->issued_on = pacta_jdoc_date(stored, "issued_on");
    quote->validity_days = (int) pacta_jdoc_int(stored, "validity_days");
    quote->total = pacta_jdoc_int(stored, "total_cents");
    quote->deposit_percent_stated = json_is_integer(json_object_get(stored, "deposit_rate_bp"));
    quote->deposit_percent = (pacta_bp_t) pacta_jdoc_int(stored, "deposit_rate_bp");
    snprintf(quote->client.id, sizeof quote->client.id, "%s", pacta_jdoc_str(stored, "client_id"));
    quote->client.kind = pacta_jdoc_bool(stored, "consumer") ? PACTA_CLIENT_CONSUMER : PACTA_CLIENT_PROFESSIONAL;
}

//  The acceptance forms of SG-2a, as contracts reads the channel.
static pacta_acceptance_form_t
s_acceptance_form(Pacta__V1__Channel channel)
{
    switch (channel) {
    case PACTA__V1__CHANNEL__CHANNEL_EMAIL:
        return PACTA_ACCEPTED_BY_EMAIL;
    case PACTA__V1__CHANNEL__CHANNEL_VERBAL:
    case PACTA__V1__CHANNEL__CHANNEL_PHONE:
    case PACTA__V1__CHANNEL__CHANNEL_IN_PERSON:
        return PACTA_ACCEPTED_VERBALLY;
    case PACTA__V1__CHANNEL__CHANNEL_START_OF_WORK:
        return PACTA_ACCEPTED_BY_WORK_STARTED;
    default:
        return PACTA_ACCEPTED_BY_SIGNATURE;
    }
}

//  Emits the deposit invoice and DepositInvoiced for the SG-2b charge.
static int
s_issue_deposit(pacta_handler_ctx_t *ctx, json_t *ledger, const char *contract_id, const char *quote_id,
                pacta_cents_t quote_total, const pacta_decision_t *charge)
{
    const pacta_profile_t *profile = pacta_handler_profile(ctx);
    char invoice_id[PACTA_REF_SIZE + 8];
    snprintf(invoice_id, sizeof invoice_id, "%.50s" INV_DEPOSIT_SUFFIX, contract_id);
    pacta_bp_t vat_rate = profile->invoicing.vat_rate;
    pacta_cents_t vat = 0, total = 0;
    if (pacta_money_percent(charge->amount, vat_rate, &vat) != 0 || pacta_money_add(charge->amount, vat, &total) != 0)
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_INVALID, "total",
                                    "the deposit of the quote's total is out of range");
    pacta_date_t issued_on = charge->date;
    pacta_date_t due_on = pacta_cc_invoice_due_on(profile, issued_on, PACTA_DATE_INVALID);

    json_t *deposit = json_object();
    pacta_jdoc_set_str(deposit, "invoice_id", invoice_id);
    pacta_jdoc_set_str(deposit, "quote_id", quote_id);
    pacta_jdoc_set_int(deposit, "amount_cents", charge->amount);
    pacta_jdoc_set_int(deposit, "total_incl_vat_cents", total);
    pacta_jdoc_set_date(deposit, "issued_on", issued_on);
    pacta_jdoc_set_bool(deposit, "paid", false);
    json_object_set_new(ledger, "deposit", deposit);
    pacta_handler_put_doc(ctx, INV_LEDGER_DOC);

    char decision_id[PACTA_DECIDE_ID_SIZE];
    pacta_decide_id(charge, contract_id, decision_id, sizeof decision_id);
    json_t *entry = pacta_decide_audit_entry(charge, profile, decision_id, "pacta.v1.DepositInvoiced",
                                             pacta_handler_today(ctx));
    if (entry) {
        char summary[PACTA_REF_SIZE * 2 + 96], amount[48];
        snprintf(summary, sizeof summary, "SG-2b: deposit invoice %s of %s excl. VAT for quote %s", invoice_id,
                 pacta_money_format_be(charge->amount, amount, sizeof amount), quote_id);
        json_object_set_new(entry, "summary", json_string(summary));
        pacta_handler_audit(ctx, entry);
    }
    json_decref(entry);

    Pacta__V1__Date issued = PACTA__V1__DATE__INIT, due = PACTA__V1__DATE__INIT;
    pacta_handler_set_date(&issued, issued_on);
    pacta_handler_set_date(&due, due_on);
    Pacta__V1__Money net = PACTA__V1__MONEY__INIT, gross = PACTA__V1__MONEY__INIT, base = PACTA__V1__MONEY__INIT;
    net.cents = charge->amount;
    net.currency = (char *) "EUR";
    gross.cents = total;
    gross.currency = (char *) "EUR";
    base.cents = quote_total;
    base.currency = (char *) "EUR";
    Pacta__V1__BasisPoints rate = PACTA__V1__BASIS_POINTS__INIT;
    rate.value = vat_rate;
    char description[PACTA_REF_SIZE + 64];
    snprintf(description, sizeof description, "Deposit on quote %s (SG-2b)", quote_id);
    Pacta__V1__InvoiceLine line = PACTA__V1__INVOICE_LINE__INIT;
    line.line_id = (char *) "1";
    line.kind = PACTA__V1__LINE_KIND__LINE_KIND_DEPOSIT;
    line.item_id = (char *) "deposit";
    line.description = description;
    line.quantity = 1;
    line.unit_amount = &net;
    line.amount = &net;
    line.vat_rate = &rate;
    Pacta__V1__InvoiceLine *lines[] = {&line};
    Pacta__V1__Explanation *why = pacta_decide_explanation_new(charge, profile, pacta_handler_today(ctx));
    Pacta__V1__InvoiceIssued invoice = PACTA__V1__INVOICE_ISSUED__INIT;
    invoice.invoice_id = invoice_id;
    invoice.contract_id = (char *) contract_id;
    invoice.kind = PACTA__V1__INVOICE_KIND__INVOICE_KIND_DEPOSIT;
    invoice.issued_on = &issued;
    invoice.due_on = &due;
    invoice.structured_communication = (char *) "";
    invoice.n_lines = 1;
    invoice.lines = lines;
    invoice.total_excl_vat = &net;
    invoice.total_incl_vat = &gross;
    invoice.explanation = why;
    int rc = pacta_handler_emit(ctx, &invoice.base, PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_DECISION, NULL, NULL, NULL);
    const pacta_value_t *percent = pacta_explanation_find(&charge->explanation, "deposit_percent");
    Pacta__V1__BasisPoints deposit_rate = PACTA__V1__BASIS_POINTS__INIT;
    deposit_rate.value = percent && percent->type == PACTA_VALUE_BP ? percent->as.bp : 0;
    Pacta__V1__DepositInvoiced invoiced = PACTA__V1__DEPOSIT_INVOICED__INIT;
    invoiced.contract_id = (char *) contract_id;
    invoiced.quote_id = (char *) quote_id;
    invoiced.invoice_id = invoice_id;
    invoiced.total = &base;
    invoiced.rate = percent ? &deposit_rate : NULL;
    invoiced.amount = &net;
    invoiced.issued_on = &issued;
    invoiced.due_on = &due;
    invoiced.explanation = why;
    if (rc == 0)
        rc = pacta_handler_emit(ctx, &invoiced.base, PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_DECISION, NULL, NULL, NULL);
    pacta_decide_explanation_destroy(&why);
    return rc;
}

int
inv_on_quote_accepted(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__QuoteAccepted *msg = (const Pacta__V1__QuoteAccepted *) payload;
    if (inv_check_entity(ctx, msg->contract_id) != 0)
        return -1;
    //  Refused as contracts refuses it (ctr_on_quote_accepted).
    if (pacta_handler_require_contract(ctx, msg->contract_id) != 0)
        return -1;
    json_t *ledger = inv_ledger(ctx, msg->contract_id);
    json_t *stored = json_object_get(ledger, "quote");
    if (!json_is_object(stored) && json_object_get(json_object_get(ledger, "contract"), "kind"))
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_INVALID, "quote_id",
                                    "contract %s was not offered by a quote", msg->contract_id);
    if (!json_is_object(stored)) {
        char waiting[80];
        snprintf(waiting, sizeof waiting, "quote %.60s", msg->quote_id);
        return pacta_handler_park(ctx, waiting);
    }
    if (strcmp(pacta_jdoc_str(stored, "quote_id"), msg->quote_id) != 0)
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_INVALID, "quote_id",
                                    "contract %s was offered by quote %s, not %s", msg->contract_id,
                                    pacta_jdoc_str(stored, "quote_id"), msg->quote_id);
    if (json_is_object(json_object_get(ledger, "deposit")))
        return 0;   /* invoiced already */
    const pacta_profile_t *profile = pacta_handler_profile(ctx);
    pacta_date_t accepted_on = pacta_handler_date(msg->accepted_on);
    pacta_quote_t quote;
    s_quote_from_ledger(stored, &quote);
    pacta_outcome_t outcome;
    pacta_outcome_init(&outcome);
    if (rule_sg2a_accept_quote(profile, &quote, accepted_on, s_acceptance_form(msg->channel), &outcome) != 0)
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_INVALID, "accepted_on",
                                    "accepted_on: before the quote's issue date");
    //  Terms without a quote clause (SG-2a off) set no validity: any
    //  acceptance of an open quote binds (as contracts reads them).
    bool binds = pacta_outcome_find(&outcome, PACTA_DECISION_ACCEPT) != NULL
                 || (!pacta_outcome_find(&outcome, PACTA_DECISION_REFUSE) && !pacta_rule_enabled(&profile->quote.rule)
                     && quote.state != PACTA_QUOTE_ACCEPTED);
    if (!binds)
        return 0;   /* lapsed or accepted already: no deposit (contracts records why) */
    pacta_jdoc_set_str(stored, "state", "accepted");
    pacta_jdoc_set_date(stored, "accepted_on", accepted_on);
    pacta_handler_put_doc(ctx, INV_LEDGER_DOC);
    pacta_outcome_t deposit;
    pacta_outcome_init(&deposit);
    if (rule_sg2b_invoice_deposit(profile, &quote, accepted_on, &deposit) != 0)
        return 0;   /* nothing the rule can compute: no deposit */
    const pacta_decision_t *charge = pacta_outcome_find(&deposit, PACTA_DECISION_CHARGE);
    if (!charge || charge->amount <= 0)
        return 0;   /* the terms call for no deposit */
    return s_issue_deposit(ctx, ledger, msg->contract_id, msg->quote_id, quote.total, charge);
}

/* ---- the deposit paid -------------------------------------------------------------- */

int
inv_deposit_settled(pacta_handler_ctx_t *ctx, json_t *ledger, json_t *invoice, const char *contract_id)
{
    json_t *deposit = json_object_get(ledger, "deposit");
    const char *invoice_id = pacta_jdoc_str(invoice, "invoice_id");
    if (!json_is_object(deposit) || strcmp(pacta_jdoc_str(deposit, "invoice_id"), invoice_id) != 0
        || pacta_jdoc_bool(deposit, "paid"))
        return 0;   /* not the deposit invoicing issued, or reported already */
    pacta_date_t paid_on = pacta_jdoc_date(invoice, "paid_on");
    pacta_jdoc_set_bool(deposit, "paid", true);
    pacta_jdoc_set_date(deposit, "paid_on", paid_on);
    pacta_handler_put_doc(ctx, INV_LEDGER_DOC);
    Pacta__V1__Date paid = PACTA__V1__DATE__INIT;
    pacta_handler_set_date(&paid, paid_on);
    Pacta__V1__Money amount = PACTA__V1__MONEY__INIT;
    amount.cents = pacta_jdoc_int(deposit, "amount_cents");
    amount.currency = (char *) "EUR";
    Pacta__V1__DepositPaid message = PACTA__V1__DEPOSIT_PAID__INIT;
    message.contract_id = (char *) contract_id;
    message.invoice_id = (char *) invoice_id;
    message.amount = &amount;
    message.paid_on = &paid;
    return pacta_handler_emit(ctx, &message.base, PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_DECISION, NULL, NULL, NULL);
}
