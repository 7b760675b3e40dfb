/*  =========================================================================
    inv_periodic - CC-3a anniversary invoices issued by invoicing

    Design decision: every anniversary is computed by the rules core from
    the START date and k (add_months(start, k x period)), never from the
    previous invoice, and each has its own timer whose id carries the
    anniversary's date, so a replay, a second instance or a restarted
    service schedules the same timers and issues each invoice once (the
    ledger lists the anniversaries already issued). The first period
    (k = 0, the start date itself) is invoiced with the order by the
    company's accounting (the InvoiceIssued of the signature): Pacta issues
    anniversaries k >= 1, and skips any anniversary for which a periodic
    invoice dated that day is already in the ledger.
    =========================================================================
*/
#include "inv_periodic.h"

#include <stdio.h>
#include <string.h>

#include "inv_ledger.h"
#include "inv_referral.h"
#include "inv_termination.h"
#include "pacta/v1/contracts.pb-c.h"
#include "pacta/v1/enforcement.pb-c.h"
#include "pacta/v1/invoicing.pb-c.h"
#include "pacta_decide.h"
#include "pacta_jdoc.h"
#include "pacta_money.h"
#include "pacta_sc.h"
#include "rules_cc.h"

/* ---- the contract as invoicing knows it ------------------------------------------ */

static const char *
s_enum_short(const ProtobufCEnumDescriptor *descriptor, int value)
{
    const ProtobufCEnumValue *found = protobuf_c_enum_descriptor_get_value(descriptor, value);
    return found ? found->name : "";
}

int
inv_contract_from_ledger(const json_t *ledger, const char *contract_id, pacta_contract_t *contract)
{
    memset(contract, 0, sizeof *contract);
    contract->start_on = PACTA_DATE_INVALID;
    contract->ends_on = PACTA_DATE_INVALID;
    contract->suspended_since = PACTA_DATE_INVALID;
    contract->performance_started_on = PACTA_DATE_INVALID;
    contract->formation.order_form_signed_on = PACTA_DATE_INVALID;
    contract->formation.e_signed_on = PACTA_DATE_INVALID;
    contract->formation.quote_validated_on = PACTA_DATE_INVALID;
    contract->formation.first_used_on = PACTA_DATE_INVALID;
    contract->formation.order_confirmed_on = PACTA_DATE_INVALID;
    snprintf(contract->id, sizeof contract->id, "%s", contract_id);
    const json_t *known = json_object_get(ledger, "contract");
    if (!json_is_object(known))
        return -1;
    const char *kind = pacta_jdoc_str(known, "kind");
    contract->kind = strcmp(kind, "CONTRACT_KIND_SUBSCRIPTION_PACK") == 0 ? PACTA_CONTRACT_PACK
                   : strcmp(kind, "CONTRACT_KIND_A_LA_CARTE") == 0      ? PACTA_CONTRACT_A_LA_CARTE
                   : strcmp(kind, "CONTRACT_KIND_RECURRING") == 0       ? PACTA_CONTRACT_RECURRING
                                                                        : PACTA_CONTRACT_FIXED_TERM;
    contract->client.kind = strcmp(pacta_jdoc_str(known, "client_kind"), "PARTY_KIND_CONSUMER") == 0
                                ? PACTA_CLIENT_CONSUMER
                                : PACTA_CLIENT_PROFESSIONAL;
    snprintf(contract->client.id, sizeof contract->client.id, "%s", pacta_jdoc_str(known, "client_id"));
    const char *period = pacta_jdoc_str(known, "billing_period");
    contract->billing_period = strcmp(period, "BILLING_PERIOD_MONTHLY") == 0  ? PACTA_BILLING_MONTHLY
                             : strcmp(period, "BILLING_PERIOD_ANNUAL") == 0 ? PACTA_BILLING_ANNUAL
                                                                            : 0;
    snprintf(contract->pack_id, sizeof contract->pack_id, "%s", pacta_jdoc_str(known, "pack"));
    contract->fee_per_period = pacta_jdoc_int(known, "fee_cents");
    contract->total_amount = pacta_jdoc_int(known, "total_cents");
    contract->start_on = pacta_jdoc_date(known, "start_on");
    contract->ends_on = pacta_jdoc_date(known, "ends_on");
    contract->state = pacta_date_is_valid(contract->start_on) ? PACTA_CONTRACT_ACTIVE : PACTA_CONTRACT_PENDING;
    return 0;
}

/* ---- ContractSigned, ContractStarted, ContractEnded ------------------------------ */

int
inv_on_contract_signed(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__ContractSigned *msg = (const Pacta__V1__ContractSigned *) payload;
    if (inv_check_entity(ctx, msg->contract_id) != 0)
        return -1;
    json_t *ledger = inv_ledger(ctx, msg->contract_id);
    json_t *known = json_object_get(ledger, "contract");
    if (!json_is_object(known)) {
        known = json_object();
        json_object_set_new(ledger, "contract", known);
    }
    pacta_jdoc_set_str(known, "kind", s_enum_short(&pacta__v1__contract_kind__descriptor, msg->contract_kind));
    pacta_jdoc_set_str(known, "client_id", msg->client ? msg->client->client_id : "");
    pacta_jdoc_set_str(known, "client_kind",
                       msg->client ? s_enum_short(&pacta__v1__party_kind__descriptor, msg->client->kind) : "");
    pacta_jdoc_set_str(known, "billing_period",
                       s_enum_short(&pacta__v1__billing_period__descriptor, msg->billing_period));
    pacta_jdoc_set_int(known, "fee_cents", msg->recurring_fee ? msg->recurring_fee->cents : 0);
    pacta_jdoc_set_int(known, "total_cents", msg->total ? msg->total->cents : 0);
    pacta_jdoc_set_str(known, "pack", msg->pack_code);
    pacta_jdoc_set_str(known, "sponsor_contract_id", msg->sponsor_contract_id);
    pacta_jdoc_set_date(known, "signed_on", pacta_handler_date(msg->signed_on));
    if (inv_referral_register(ctx, msg) != 0)
        return -1;   /* CC-8: the sponsor hears of the referee */
    return pacta_handler_put_doc(ctx, INV_LEDGER_DOC);
}

static void
s_periodic_timer_id(const char *entity_key, pacta_date_t fires_on, char *buf, size_t size)
{
    char day[PACTA_DATE_STR_LEN];
    snprintf(buf, size, "%s/%s/%s", entity_key, INV_PERIODIC_TIMER, pacta_date_format(fires_on, day, sizeof day));
}

/* Owes the timer of anniversary k (firing on fires_on). */
static int
s_schedule_anniversary(pacta_handler_ctx_t *ctx, int k, pacta_date_t fires_on)
{
    char timer_id[PACTA_REF_SIZE + 96];
    s_periodic_timer_id(pacta_handler_entity_key(ctx), fires_on, timer_id, sizeof timer_id);
    json_t *data = json_pack("{s:i}", "k", k);
    int rc = pacta_handler_schedule_timer(ctx, timer_id, fires_on, INV_PERIODIC_TIMER, data);
    json_decref(data);
    return rc;
}

//  The "next_invoice" timer the rule set on its decision, or INVALID.
static pacta_date_t
s_next_invoice_on(const pacta_decision_t *decision)
{
    for (size_t i = 0; i < decision->timer_count; i++)
        if (strcmp(decision->timers[i].name, "next_invoice") == 0)
            return decision->timers[i].fires_on;
    return PACTA_DATE_INVALID;
}

int
inv_on_contract_started(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__ContractStarted *msg = (const Pacta__V1__ContractStarted *) payload;
    if (inv_check_entity(ctx, msg->contract_id) != 0)
        return -1;
    json_t *ledger = inv_ledger(ctx, msg->contract_id);
    json_t *known = json_object_get(ledger, "contract");
    if (!json_is_object(known) || !json_object_get(known, "kind"))   /* an end may be known before the terms */
        return pacta_handler_park(ctx, "the contract's billing terms (ContractSigned)");
    pacta_date_t started_on = pacta_handler_date(msg->started_on);
    if (pacta_jdoc_date(known, "start_on") == started_on)
        return 0;   /* already known: the timers are owed already */
    pacta_jdoc_set_date(known, "start_on", started_on);
    pacta_handler_put_doc(ctx, INV_LEDGER_DOC);

    const pacta_profile_t *profile = pacta_handler_profile(ctx);
    pacta_contract_t contract;
    inv_contract_from_ledger(ledger, msg->contract_id, &contract);
    if (contract.billing_period == 0 || contract.fee_per_period <= 0)
        return 0;   /* nothing billed per period: no anniversary invoices */
    //  Anniversary 0 is the order's own invoice; the rule's "next_invoice"
    //  timer of anniversary 0 is the date of anniversary 1.
    pacta_outcome_t outcome;
    pacta_outcome_init(&outcome);
    if (rule_cc3a_issue_invoice(profile, &contract, 0, &outcome) != 0)
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_INVALID, "started_on",
                                    "started_on: the CC-3a anniversaries cannot be computed from it");
    const pacta_decision_t *first = pacta_outcome_find(&outcome, PACTA_DECISION_CHARGE);
    pacta_date_t next_on = first ? s_next_invoice_on(first) : PACTA_DATE_INVALID;
    if (pacta_date_is_valid(next_on))
        return s_schedule_anniversary(ctx, 1, next_on);
    return 0;
}

//  Records the contract's last day in the ledger, so that no anniversary
//  after it is invoiced (CC-3a: rule_cc3a_issue_invoice reads ends_on).
//  A decision that FIXES the end in advance (a notice, an accepted early
//  termination, a Terminate) may only bring it earlier: the renewal of a
//  contract whose late notice was recorded must not push it back out.
//  ContractEnded is the end as it happened and always wins.
static int
s_record_end(pacta_handler_ctx_t *ctx, const char *contract_id, pacta_date_t ends_on, bool final)
{
    if (inv_check_entity(ctx, contract_id) != 0)
        return -1;
    if (!pacta_date_is_valid(ends_on))
        return 0;   /* nothing fixed: the shell checked the dates that were given */
    json_t *ledger = inv_ledger(ctx, contract_id);
    json_t *known = json_object_get(ledger, "contract");
    if (!json_is_object(known)) {
        known = json_object();
        json_object_set_new(ledger, "contract", known);
    }
    pacta_date_t before = pacta_jdoc_date(known, "ends_on");
    if (!final && pacta_date_is_valid(before) && before <= ends_on)
        return 0;   /* an earlier end is known already */
    if (before == ends_on)
        return 0;
    pacta_jdoc_set_date(known, "ends_on", ends_on);
    return pacta_handler_put_doc(ctx, INV_LEDGER_DOC);
}

int
inv_on_contract_ended(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__ContractEnded *msg = (const Pacta__V1__ContractEnded *) payload;
    return s_record_end(ctx, msg->contract_id, pacta_handler_date(msg->ended_on), true);
}

int
inv_on_non_renewal_recorded(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__NonRenewalNoticeRecorded *msg = (const Pacta__V1__NonRenewalNoticeRecorded *) payload;
    return s_record_end(ctx, msg->contract_id, pacta_handler_date(msg->ends_on), false);
}

int
inv_on_termination_notice_recorded(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__TerminationNoticeRecorded *msg = (const Pacta__V1__TerminationNoticeRecorded *) payload;
    pacta_date_t ends_on = pacta_handler_date(msg->ends_on);
    if (s_record_end(ctx, msg->contract_id, ends_on, false) != 0)
        return -1;
    //  SG-4b: the fees of the notice period the client does not observe.
    if (!msg->unobserved_fees || msg->unobserved_fees->cents <= 0)
        return 0;
    return inv_bill_termination_indemnity(ctx, inv_ledger(ctx, msg->contract_id), msg->contract_id,
                                          PACTA__V1__INDEMNITY_KIND__INDEMNITY_KIND_UNOBSERVED_NOTICE,
                                          msg->unobserved_fees->cents, 0, pacta_handler_date(msg->received_on),
                                          msg->explanation);
}

int
inv_on_early_termination_accepted(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__EarlyTerminationAccepted *msg = (const Pacta__V1__EarlyTerminationAccepted *) payload;
    pacta_date_t ends_on = pacta_handler_date(msg->ends_on);
    if (s_record_end(ctx, msg->contract_id, ends_on, false) != 0)
        return -1;
    //  CC-2c (3 x the monthly fee) or SG-4a (20 % of the remainder): the
    //  indemnity contracts decided is billed on the last day.
    if (!msg->indemnity || msg->indemnity->cents <= 0)
        return 0;
    bool fixed_term = msg->remaining && msg->remaining->cents > 0;
    return inv_bill_termination_indemnity(ctx, inv_ledger(ctx, msg->contract_id), msg->contract_id,
                                          fixed_term ? PACTA__V1__INDEMNITY_KIND__INDEMNITY_KIND_FIXED_TERM_TERMINATION
                                                     : PACTA__V1__INDEMNITY_KIND__INDEMNITY_KIND_EARLY_TERMINATION,
                                          msg->indemnity->cents, fixed_term ? msg->remaining->cents : 0, ends_on,
                                          msg->explanation);
}

int
inv_on_contract_renewed(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__ContractRenewed *msg = (const Pacta__V1__ContractRenewed *) payload;
    if (!msg->ends_at_period_end)
        return inv_check_entity(ctx, msg->contract_id);   /* renewed with no end fixed: nothing to record */
    return s_record_end(ctx, msg->contract_id, pacta_handler_date(msg->period_ends_on), false);
}

int
inv_on_terminate(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__Terminate *msg = (const Pacta__V1__Terminate *) payload;
    return s_record_end(ctx, msg->contract_id, pacta_handler_date(msg->effective_on), false);
}

/* ---- the anniversary timer --------------------------------------------------------- */

//  True when the ledger already holds a periodic invoice issued that day
//  (accounting's own, or ours) or lists the anniversary as issued.
static bool
s_anniversary_invoiced(json_t *ledger, pacta_date_t issued_on)
{
    char day[PACTA_DATE_STR_LEN];
    pacta_date_format(issued_on, day, sizeof day);
    size_t i;
    json_t *item;
    json_array_foreach(pacta_jdoc_array(ledger, "anniversaries_issued"), i, item)
        if (json_is_string(item) && strcmp(json_string_value(item), day) == 0)
            return true;
    json_array_foreach(pacta_jdoc_array(ledger, "invoices"), i, item)
        if (strcmp(pacta_jdoc_str(item, "kind"), "periodic") == 0 && pacta_jdoc_date(item, "issued_on") == issued_on)
            return true;
    return false;
}

//  Emits the anniversary invoice: the period fee, less the CC-8 discount
//  applied to it (0 when none), VAT on what remains.
static int
s_emit_invoice(pacta_handler_ctx_t *ctx, const pacta_contract_t *contract, const pacta_decision_t *decision,
               const char *invoice_id, pacta_cents_t discount)
{
    const pacta_profile_t *profile = pacta_handler_profile(ctx);
    //  The pack fees of the terms are excluding VAT; the rate is the
    //  profile's (invoicing.vat_percent, a statute: docs/profiles.md).
    pacta_bp_t vat_rate = profile->invoicing.vat_rate;
    pacta_cents_t vat = 0, total = 0, net = decision->amount - discount;
    if (pacta_money_percent(net, vat_rate, &vat) != 0 || pacta_money_add(net, vat, &total) != 0)
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_INVALID, "fee_per_period",
                                    "the period fee is out of range");
    const pacta_value_t *period_to = pacta_explanation_find(&decision->explanation, "period_to");
    Pacta__V1__Date issued = PACTA__V1__DATE__INIT, due = PACTA__V1__DATE__INIT;
    Pacta__V1__Date from = PACTA__V1__DATE__INIT, to = PACTA__V1__DATE__INIT;
    pacta_handler_set_date(&issued, decision->date);
    pacta_handler_set_date(&due, decision->until);
    pacta_handler_set_date(&from, decision->date);
    pacta_handler_set_date(&to, period_to ? period_to->as.date : PACTA_DATE_INVALID);
    Pacta__V1__Money fee = PACTA__V1__MONEY__INIT, excl = PACTA__V1__MONEY__INIT, incl = PACTA__V1__MONEY__INIT;
    fee.cents = decision->amount;
    fee.currency = (char *) "EUR";
    excl = fee;
    excl.cents = net;
    incl.cents = total;
    incl.currency = (char *) "EUR";
    Pacta__V1__BasisPoints rate = PACTA__V1__BASIS_POINTS__INIT;
    rate.value = vat_rate;
    char description[PACTA_PACK_ID_SIZE + 64], day_from[PACTA_DATE_STR_LEN], day_to[PACTA_DATE_STR_LEN];
    snprintf(description, sizeof description, "Pack %s, %s - %s", contract->pack_id[0] ? contract->pack_id : "",
             pacta_date_format(decision->date, day_from, sizeof day_from),
             pacta_handler_date_text(period_to ? period_to->as.date : PACTA_DATE_INVALID, day_to, sizeof day_to));
    Pacta__V1__InvoiceLine line = PACTA__V1__INVOICE_LINE__INIT;
    line.line_id = (char *) "1";
    line.kind = PACTA__V1__LINE_KIND__LINE_KIND_SUBSCRIPTION;
    line.item_id = (char *) "pack";
    line.description = description;
    line.quantity = 1;
    line.unit_amount = &fee;
    line.amount = &fee;
    line.vat_rate = &rate;
    Pacta__V1__Money minus = PACTA__V1__MONEY__INIT;
    minus.cents = -discount;
    minus.currency = (char *) "EUR";
    Pacta__V1__InvoiceLine discount_line = PACTA__V1__INVOICE_LINE__INIT;
    discount_line.line_id = (char *) "2";
    discount_line.kind = PACTA__V1__LINE_KIND__LINE_KIND_DISCOUNT;
    discount_line.description = (char *) "Referral discount (CC-8)";
    discount_line.quantity = 1;
    discount_line.unit_amount = &minus;
    discount_line.amount = &minus;
    discount_line.vat_rate = &rate;
    Pacta__V1__InvoiceLine *lines[] = {&line, &discount_line};
    Pacta__V1__InvoiceIssued invoice = PACTA__V1__INVOICE_ISSUED__INIT;
    invoice.invoice_id = (char *) invoice_id;
    invoice.contract_id = (char *) contract->id;
    invoice.kind = PACTA__V1__INVOICE_KIND__INVOICE_KIND_PERIODIC;
    invoice.issued_on = &issued;
    invoice.due_on = &due;
    invoice.structured_communication = (char *) "";
    invoice.n_lines = discount > 0 ? 2 : 1;
    invoice.lines = lines;
    invoice.total_excl_vat = &excl;
    invoice.total_incl_vat = &incl;
    invoice.period_starts_on = &from;
    invoice.period_ends_on = period_to ? &to : NULL;
    Pacta__V1__Explanation *why = pacta_decide_explanation_new(decision, profile, pacta_handler_today(ctx));
    invoice.explanation = why;
    int rc = pacta_handler_emit(ctx, &invoice.base, PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_DECISION, NULL, NULL, NULL);
    pacta_decide_explanation_destroy(&why);
    return rc;
}

//  CC-8: the referral discounts earned and not applied yet go on this
//  anniversary invoice, as far as its fee allows (the rule decides); the
//  rest is carried over. *applied gets the discount. 0 or -1.
static int
s_apply_discount(pacta_handler_ctx_t *ctx, json_t *ledger, const char *contract_id, const char *invoice_id,
                 const pacta_decision_t *charge, pacta_cents_t *applied)
{
    *applied = 0;
    pacta_cents_t pending = pacta_jdoc_int(ledger, "discount_pending_cents");
    if (pending <= 0)
        return 0;
    pacta_invoice_t invoice;
    memset(&invoice, 0, sizeof invoice);
    snprintf(invoice.id, sizeof invoice.id, "%s", invoice_id);
    snprintf(invoice.contract_id, sizeof invoice.contract_id, "%s", contract_id);
    invoice.kind = PACTA_INVOICE_SUBSCRIPTION;
    invoice.state = PACTA_INVOICE_OPEN;
    invoice.issued_on = charge->date;
    invoice.due_on = charge->until;
    invoice.printed_due_on = charge->until;
    invoice.received_on = PACTA_DATE_INVALID;
    invoice.period_from = charge->date;
    invoice.period_to = PACTA_DATE_INVALID;
    invoice.amount = charge->amount;
    const pacta_profile_t *profile = pacta_handler_profile(ctx);
    pacta_outcome_t *outcome = pacta_outcome_new();
    if (!outcome)
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_RETRY_LATER, NULL, "out of memory");
    int rc = 0;
    if (rule_cc8_apply_referral_discount(profile, &invoice, pending, outcome) != 0)
        goto cleanup;   /* nothing applied; the balance waits for the next invoice */
    const pacta_decision_t *discount = pacta_outcome_find(outcome, PACTA_DECISION_DISCOUNT);
    if (!discount || discount->status != PACTA_DECISION_APPLY || discount->amount <= 0)
        goto cleanup;
    *applied = discount->amount;
    pacta_jdoc_set_int(ledger, "discount_pending_cents", pending - discount->amount);
    char base_id[PACTA_DECIDE_ID_SIZE], decision_id[PACTA_DECIDE_ID_SIZE + PACTA_REF_SIZE + 10];
    pacta_decide_id(discount, contract_id, base_id, sizeof base_id);
    snprintf(decision_id, sizeof decision_id, "%s/applied/%s", base_id, invoice_id);
    json_t *entry = pacta_decide_audit_entry(discount, profile, decision_id, "pacta.v1.ReferralDiscountApplied",
                                             pacta_handler_today(ctx));
    if (entry)
        pacta_handler_audit(ctx, entry);
    json_decref(entry);
    Pacta__V1__Money amount = PACTA__V1__MONEY__INIT, remaining = PACTA__V1__MONEY__INIT;
    amount.cents = discount->amount;
    amount.currency = (char *) "EUR";
    remaining.cents = pending - discount->amount;
    remaining.currency = (char *) "EUR";
    Pacta__V1__ReferralDiscountApplied message = PACTA__V1__REFERRAL_DISCOUNT_APPLIED__INIT;
    message.sponsor_contract_id = (char *) contract_id;
    message.invoice_id = (char *) invoice_id;
    message.amount = &amount;
    message.remaining = &remaining;
    rc = pacta_handler_emit(ctx, &message.base, PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_DECISION, NULL, NULL, NULL);
cleanup:
    pacta_outcome_destroy(&outcome);
    return rc;
}

int
inv_on_periodic_timer(pacta_handler_ctx_t *ctx, const json_t *data, void *arg)
{
    (void) arg;
    const char *entity_key = pacta_handler_entity_key(ctx);
    if (strncmp(entity_key, "c:", 2) != 0)
        return 0;
    const char *contract_id = entity_key + 2;
    json_int_t k = json_integer_value(json_object_get(data, "k"));
    if (k < 1 || k > 100000)
        return 0;   /* not one of ours */
    json_t *ledger = inv_ledger(ctx, contract_id);
    pacta_contract_t contract;
    if (inv_contract_from_ledger(ledger, contract_id, &contract) != 0 || contract.billing_period == 0
        || !pacta_date_is_valid(contract.start_on))
        return 0;
    const pacta_profile_t *profile = pacta_handler_profile(ctx);
    pacta_outcome_t outcome;
    pacta_outcome_init(&outcome);
    if (rule_cc3a_issue_invoice(profile, &contract, (int) k, &outcome) != 0)
        return 0;
    const pacta_decision_t *decision = pacta_outcome_find(&outcome, PACTA_DECISION_CHARGE);
    if (!decision)
        return 0;   /* the contract ended before this anniversary */
    if (decision->date != pacta_handler_today(ctx))
        return 0;   /* a timer of an earlier start date: the current start has its own */
    pacta_date_t next_on = s_next_invoice_on(decision);
    if (pacta_date_is_valid(next_on))
        s_schedule_anniversary(ctx, (int) k + 1, next_on);
    if (s_anniversary_invoiced(ledger, decision->date))
        return 0;

    char day[PACTA_DATE_STR_LEN], invoice_id[2 * PACTA_REF_SIZE];
    pacta_date_format(decision->date, day, sizeof day);
    snprintf(invoice_id, sizeof invoice_id, "%s-%s", contract_id, day);
    if (strlen(invoice_id) >= PACTA_REF_SIZE) {
        //  Long contract ids: the anniversary number keeps the id short and unique.
        snprintf(invoice_id, sizeof invoice_id, "%.30s-P%lld", contract_id, (long long) k);
    }
    json_array_append_new(pacta_jdoc_array(ledger, "anniversaries_issued"), json_string(day));
    pacta_handler_put_doc(ctx, INV_LEDGER_DOC);

    pacta_cents_t discount = 0;
    if (s_apply_discount(ctx, ledger, contract_id, invoice_id, decision, &discount) != 0)
        return -1;
    char decision_id[PACTA_DECIDE_ID_SIZE];
    pacta_decide_id(decision, contract_id, decision_id, sizeof decision_id);
    json_t *entry = pacta_decide_audit_entry(decision, profile, decision_id, "pacta.v1.InvoiceIssued",
                                             pacta_handler_today(ctx));
    if (entry) {
        char summary[PACTA_REF_SIZE * 2 + 96], amount[48];
        snprintf(summary, sizeof summary, "CC-3a: invoice %s issued %s for the period fee %s excl. VAT", invoice_id,
                 day, pacta_money_format_be(decision->amount, amount, sizeof amount));
        json_object_set_new(entry, "summary", json_string(summary));
        pacta_handler_audit(ctx, entry);
    }
    json_decref(entry);
    return s_emit_invoice(ctx, &contract, decision, invoice_id, discount);
}
