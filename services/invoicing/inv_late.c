/*  =========================================================================
    inv_late - reminders, formal notices, disputes and late charges

    Design decision: the rules core gives TOTALS as of a date (interest,
    indemnity, fees for the whole life of the invoice); invoicing keeps
    per invoice what it has charged so far for each rule and component
    ("charged" in the ledger's invoice) and bills only the difference, so
    evaluating again (a replay, a later letter, a dispute resolved) never
    bills anything twice. Charges are evaluated when the late invoice is
    settled, the day interest stops running: the client receives one
    charges invoice per settlement. Holds (SG-8e dispute, L-1 window) are
    recorded as decisions when they are found, once each. A charge
    proposal (a late rule in mode `propose`) is approved by re-running the
    rules on the same facts as of the same day: the same decision id and
    amounts come back and are billed then, so nothing but its id and date
    needs keeping.
    =========================================================================
*/
#include "inv_late.h"

#include <stdio.h>
#include <string.h>

#include "inv_ledger.h"
#include "inv_periodic.h"
#include "pacta/v1/enforcement.pb-c.h"
#include "pacta/v1/invoicing.pb-c.h"
#include "pacta_decide.h"
#include "pacta_jdoc.h"
#include "pacta_money.h"
#include "rules_late.h"
#include "rules_sg.h"

#define INV_LATE_PAYMENTS_MAX 64   /* payments of one invoice the rules read */
#define INV_LATE_LETTERS_MAX 32    /* letters about one invoice the rules read */

/* ---- the facts, from the ledger ------------------------------------------------------ */

typedef struct {
    pacta_contract_t contract;                       /* the contract (client kind) */
    pacta_invoice_t invoice;                         /* the late invoice */
    pacta_payment_t payments[INV_LATE_PAYMENTS_MAX]; /* what was applied to it */
    pacta_letter_t letters[INV_LATE_LETTERS_MAX];    /* reminders and formal notices about it */
    pacta_dispute_t dispute;                         /* SG-8e complaint, when one was timely */
    pacta_late_facts_t facts;                        /* what the rules read, pointing into the above */
} late_view_t;

static pacta_invoice_kind_t
s_invoice_kind(const char *kind)
{
    if (strcmp(kind, "periodic") == 0)
        return PACTA_INVOICE_SUBSCRIPTION;
    if (strcmp(kind, "deposit") == 0)
        return PACTA_INVOICE_DEPOSIT;
    if (strcmp(kind, "charges") == 0)
        return PACTA_INVOICE_CHARGES;
    return PACTA_INVOICE_SERVICES;
}

static pacta_dispute_state_t
s_dispute_state(const char *state)
{
    if (strcmp(state, "upheld") == 0)
        return PACTA_DISPUTE_UPHELD;
    if (strcmp(state, "corrected") == 0)
        return PACTA_DISPUTE_CORRECTED;
    if (strcmp(state, "credited") == 0)
        return PACTA_DISPUTE_CREDITED;
    return PACTA_DISPUTE_OPEN;
}

static void
s_invoice_from_ledger(const json_t *invoice, const char *contract_id, pacta_invoice_t *out)
{
    memset(out, 0, sizeof *out);
    snprintf(out->id, sizeof out->id, "%s", pacta_jdoc_str(invoice, "invoice_id"));
    snprintf(out->contract_id, sizeof out->contract_id, "%s", contract_id);
    out->kind = s_invoice_kind(pacta_jdoc_str(invoice, "kind"));
    out->state = strcmp(pacta_jdoc_str(invoice, "state"), "paid") == 0 ? PACTA_INVOICE_PAID : PACTA_INVOICE_OPEN;
    const json_t *dispute = json_object_get(invoice, "dispute");
    if (json_is_object(dispute)) {
        const char *state = pacta_jdoc_str(dispute, "state");
        if (strcmp(state, "open") == 0)
            out->state = PACTA_INVOICE_DISPUTED;
        else if (strcmp(state, "credited") == 0)
            out->state = PACTA_INVOICE_CREDITED;
    }
    out->issued_on = pacta_jdoc_date(invoice, "issued_on");
    out->received_on = pacta_jdoc_date(invoice, "received_on");
    out->printed_due_on = pacta_jdoc_date(invoice, "printed_due_on");
    //  SG-8e: the due date an operator set when resolving a dispute, and
    //  the amount a correction left, are the invoice's facts from then on.
    out->due_on = inv_effective_due_on(invoice);
    out->period_from = PACTA_DATE_INVALID;
    out->period_to = PACTA_DATE_INVALID;
    out->amount = inv_amount_owed(invoice);
}

//  Fills view from the ledger; -1 when the contract's client is unknown.
static int
s_view(json_t *ledger, const json_t *invoice, const char *contract_id, pacta_date_t as_of, late_view_t *view)
{
    memset(view, 0, sizeof *view);
    if (inv_contract_from_ledger(ledger, contract_id, &view->contract) != 0)
        return -1;
    s_invoice_from_ledger(invoice, contract_id, &view->invoice);
    const char *invoice_id = view->invoice.id;
    size_t payment_count = 0, letter_count = 0, i, j;
    json_t *payment, *applied, *letter;
    json_array_foreach(pacta_jdoc_array(ledger, "payments"), i, payment) {
        json_array_foreach(pacta_jdoc_array(payment, "applied"), j, applied) {
            if (strcmp(pacta_jdoc_str(applied, "invoice_id"), invoice_id) != 0 || payment_count == INV_LATE_PAYMENTS_MAX)
                continue;
            pacta_payment_t *out = &view->payments[payment_count++];
            snprintf(out->id, sizeof out->id, "%s", pacta_jdoc_str(payment, "payment_id"));
            snprintf(out->invoice_id, sizeof out->invoice_id, "%s", invoice_id);
            out->amount = pacta_jdoc_int(applied, "amount_cents");
            out->received_on = pacta_jdoc_date(payment, "value_date");
        }
    }
    json_array_foreach(pacta_jdoc_array(ledger, "letters"), i, letter) {
        if (strcmp(pacta_jdoc_str(letter, "invoice_id"), invoice_id) != 0 || letter_count == INV_LATE_LETTERS_MAX)
            continue;
        pacta_letter_t *out = &view->letters[letter_count++];
        snprintf(out->id, sizeof out->id, "%s", pacta_jdoc_str(letter, "letter_id"));
        snprintf(out->ref, sizeof out->ref, "%s", invoice_id);
        out->from = PACTA_FROM_PROVIDER;
        const char *via = pacta_jdoc_str(letter, "via");
        out->via = strcmp(via, "email") == 0        ? PACTA_SENT_EMAIL
                 : strcmp(via, "registered") == 0 ? PACTA_SENT_REGISTERED
                                                  : PACTA_SENT_LETTER;
        out->sent_on = pacta_jdoc_date(letter, "sent_on");
        out->proven_received_on = PACTA_DATE_INVALID;
        out->number = (int) pacta_jdoc_int(letter, "number");
        out->formal_notice = pacta_jdoc_bool(letter, "formal_notice");
        out->postage = pacta_jdoc_int(letter, "postage_cents");
    }
    view->facts.contract = &view->contract;
    view->facts.invoice = &view->invoice;
    view->facts.payments = payment_count ? view->payments : NULL;
    view->facts.payment_count = payment_count;
    view->facts.letters = letter_count ? view->letters : NULL;
    view->facts.letter_count = letter_count;
    view->facts.as_of = as_of;
    const json_t *dispute = json_object_get(invoice, "dispute");
    if (json_is_object(dispute)) {
        view->dispute.complained_on = pacta_jdoc_date(dispute, "complained_on");
        view->dispute.state = s_dispute_state(pacta_jdoc_str(dispute, "state"));
        view->dispute.resolved_on = pacta_jdoc_date(dispute, "resolved_on");
        view->dispute.new_due_on = pacta_jdoc_date(dispute, "new_due_on");
        view->facts.dispute = &view->dispute;
    }
    return 0;
}

/* ---- decisions to audit entries ------------------------------------------------------- */

//  True (and remembered) the first time this decision id is recorded for
//  the invoice: holds are recorded once each.
static bool
s_first_time(json_t *invoice, const char *decision_id)
{
    json_t *recorded = pacta_jdoc_array(invoice, "late_decisions");
    size_t i;
    json_t *item;
    json_array_foreach(recorded, i, item)
        if (json_is_string(item) && strcmp(json_string_value(item), decision_id) == 0)
            return false;
    json_array_append_new(recorded, json_string(decision_id));
    return true;
}

static void
s_audit(pacta_handler_ctx_t *ctx, const pacta_decision_t *decision, const char *decision_id,
        const char *decision_type, const char *summary)
{
    json_t *entry = pacta_decide_audit_entry(decision, pacta_handler_profile(ctx), decision_id, decision_type,
                                             pacta_handler_today(ctx));
    if (!entry)
        return;
    if (summary)
        json_object_set_new(entry, "summary", json_string(summary));
    pacta_handler_audit(ctx, entry);
    json_decref(entry);
}

/* ---- charges ------------------------------------------------------------------------------ */

typedef struct {
    pacta_charge_kind_t kind;          /* the rules core's charge kind */
    const char *name;                  /* component name in the ledger and decision ids */
    const char *label;                 /* line text */
    Pacta__V1__LineKind line_kind;     /* invoice line kind */
    const char *head_en;               /* sentence head of its audit entry, English */
    const char *head_fr;               /* the same in French */
} component_t;

static const component_t s_components[] = {
    {PACTA_CHARGE_INTEREST, "interest", "late-payment interest", PACTA__V1__LINE_KIND__LINE_KIND_LATE_INTEREST,
     "Late-payment interest of {amount} invoiced on {date}", "Intérêts de retard de {amount} facturés le {date}"},
    {PACTA_CHARGE_FLAT_INDEMNITY, "flat_indemnity", "flat indemnity", PACTA__V1__LINE_KIND__LINE_KIND_INDEMNITY,
     "Flat indemnity of {amount} invoiced on {date}", "Indemnité forfaitaire de {amount} facturée le {date}"},
    {PACTA_CHARGE_RECOVERY_COMPENSATION, "recovery_compensation", "recovery compensation",
     PACTA__V1__LINE_KIND__LINE_KIND_INDEMNITY, "Recovery compensation of {amount} invoiced on {date}",
     "Indemnité de recouvrement de {amount} facturée le {date}"},
    {PACTA_CHARGE_REMINDER_FEE, "reminder_fee", "reminder fee", PACTA__V1__LINE_KIND__LINE_KIND_FEE,
     "Reminder fee of {amount} invoiced on {date}", "Frais de rappel de {amount} facturés le {date}"},
    {PACTA_CHARGE_FORMAL_NOTICE_FEE, "formal_notice_fee", "formal notice fee", PACTA__V1__LINE_KIND__LINE_KIND_FEE,
     "Formal notice fee of {amount} invoiced on {date}", "Frais de mise en demeure de {amount} facturés le {date}"},
};
#define COMPONENT_COUNT (sizeof s_components / sizeof s_components[0])
#define LINES_MAX 16

typedef struct {
    Pacta__V1__InvoiceLine lines[LINES_MAX];  /* lines of the charges invoice */
    Pacta__V1__InvoiceLine *pointers[LINES_MAX]; /* what the message points to */
    Pacta__V1__Money amounts[LINES_MAX];      /* each line's amount */
    char ids[LINES_MAX][8];                   /* line ids */
    char texts[LINES_MAX][160];               /* line descriptions */
    size_t count;                             /* lines used */
    pacta_cents_t total;                      /* sum of the lines */
} charge_lines_t;

static void
s_add_line(charge_lines_t *lines, const component_t *component, const char *rule_id, const char *invoice_id,
           pacta_cents_t amount)
{
    if (lines->count == LINES_MAX)
        return;
    size_t n = lines->count++;
    Pacta__V1__InvoiceLine *line = &lines->lines[n];
    pacta__v1__invoice_line__init(line);
    pacta__v1__money__init(&lines->amounts[n]);
    lines->amounts[n].cents = amount;
    lines->amounts[n].currency = (char *) "EUR";
    snprintf(lines->ids[n], sizeof lines->ids[n], "%zu", n + 1);
    snprintf(lines->texts[n], sizeof lines->texts[n], "%s (%s), invoice %s", component->label, rule_id, invoice_id);
    line->line_id = lines->ids[n];
    line->kind = component->line_kind;
    line->description = lines->texts[n];
    line->quantity = 1;
    line->unit_amount = &lines->amounts[n];
    line->amount = &lines->amounts[n];
    lines->pointers[n] = line;
    lines->total += amount;
}

/* ---- what the charges messages say ---------------------------------------------------- */

static const pacta_value_t *
s_value(const pacta_decision_t *decision, const char *name, pacta_value_type_t type)
{
    const pacta_value_t *value = pacta_explanation_find(&decision->explanation, name);
    return value && value->type == type ? value : NULL;
}

static pacta_cents_t
s_value_money(const pacta_decision_t *decision, const char *name)
{
    const pacta_value_t *value = s_value(decision, name, PACTA_VALUE_MONEY);
    return value ? value->as.cents : 0;
}

//  True when the late-payment terms of rule_id count interest per month
//  started (SG-8c); every other late rule (SG-8d, L-1, L-2) counts days.
static bool
s_per_month_started(const pacta_profile_t *profile, const char *rule_id)
{
    const pacta_late_payment_terms_t *terms[] = {&profile->late_payment.professional, &profile->late_payment.consumer};
    for (size_t i = 0; i < 2; i++)
        if (strcmp(terms[i]->rule.id, rule_id) == 0)
            return terms[i]->interest_accrual == PACTA_ACCRUAL_MONTH_STARTED;
    return false;
}

//  Emits the message that tells what one component of a charge bills:
//  LateInterestCharged, IndemnityCharged or FeeCharged (number: the
//  reminder a reminder fee is for). 0 or -1.
static int
s_emit_charged(pacta_handler_ctx_t *ctx, const component_t *component, const pacta_decision_t *entry,
               const char *contract_id, const char *invoice_id, const char *charge_invoice_id, int64_t number)
{
    const pacta_profile_t *profile = pacta_handler_profile(ctx);
    Pacta__V1__Explanation *why = pacta_decide_explanation_new(entry, profile, pacta_handler_today(ctx));
    Pacta__V1__Money amount = PACTA__V1__MONEY__INIT, basis = PACTA__V1__MONEY__INIT;
    amount.cents = entry->amount;
    amount.currency = (char *) "EUR";
    pacta_cents_t unpaid = s_value_money(entry, "unpaid_at_due");
    basis.cents = unpaid ? unpaid : s_value_money(entry, "unpaid");
    basis.currency = (char *) "EUR";
    int rc;
    if (component->kind == PACTA_CHARGE_INTEREST) {
        const pacta_value_t *due_on = s_value(entry, "due_on", PACTA_VALUE_DATE);
        const pacta_value_t *window_to = s_value(entry, "window_to", PACTA_VALUE_DATE);
        const pacta_value_t *late_until = s_value(entry, "late_until", PACTA_VALUE_DATE);
        const pacta_value_t *periods = s_value(entry, "periods", PACTA_VALUE_INT);
        const pacta_value_t *rate = s_value(entry, "annual_rate", PACTA_VALUE_BP);
        Pacta__V1__Date from = PACTA__V1__DATE__INIT, to = PACTA__V1__DATE__INIT;
        //  L-1: consumer interest runs from the end of the 14-day window.
        pacta_date_t runs_from = window_to ? window_to->as.date + 1 : due_on ? due_on->as.date + 1 : PACTA_DATE_INVALID;
        pacta_handler_set_date(&from, runs_from);
        pacta_handler_set_date(&to, late_until ? late_until->as.date : PACTA_DATE_INVALID);
        Pacta__V1__BasisPoints yearly = PACTA__V1__BASIS_POINTS__INIT;
        yearly.value = rate ? (int32_t) rate->as.bp : 0;
        bool months = s_per_month_started(profile, entry->explanation.rule_id);
        int32_t count = periods ? (int32_t) periods->as.number : 0;
        Pacta__V1__LateInterestCharged message = PACTA__V1__LATE_INTEREST_CHARGED__INIT;
        message.contract_id = (char *) contract_id;
        message.invoice_id = (char *) invoice_id;
        message.charge_invoice_id = (char *) charge_invoice_id;
        message.principal = &basis;
        message.runs_from = pacta_date_is_valid(runs_from) ? &from : NULL;
        message.runs_to = late_until ? &to : NULL;
        message.months_started = months ? count : 0;
        message.days_late = months ? 0 : count;
        message.rate = rate ? &yearly : NULL;
        message.amount = &amount;
        message.explanation = why;
        rc = pacta_handler_emit(ctx, &message.base, PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_DECISION, NULL, NULL, NULL);
    }
    else if (component->kind == PACTA_CHARGE_FLAT_INDEMNITY || component->kind == PACTA_CHARGE_RECOVERY_COMPENSATION) {
        Pacta__V1__IndemnityCharged message = PACTA__V1__INDEMNITY_CHARGED__INIT;
        message.contract_id = (char *) contract_id;
        message.invoice_id = (char *) invoice_id;
        message.charge_invoice_id = (char *) charge_invoice_id;
        message.kind = component->kind == PACTA_CHARGE_FLAT_INDEMNITY
                           ? PACTA__V1__INDEMNITY_KIND__INDEMNITY_KIND_LATE_PAYMENT
                           : PACTA__V1__INDEMNITY_KIND__INDEMNITY_KIND_RECOVERY_COMPENSATION;
        message.basis = &basis;
        message.amount = &amount;
        message.explanation = why;
        rc = pacta_handler_emit(ctx, &message.base, PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_DECISION, NULL, NULL, NULL);
    }
    else {
        Pacta__V1__FeeCharged message = PACTA__V1__FEE_CHARGED__INIT;
        message.contract_id = (char *) contract_id;
        message.invoice_id = (char *) invoice_id;
        message.charge_invoice_id = (char *) charge_invoice_id;
        message.kind = component->kind == PACTA_CHARGE_REMINDER_FEE ? PACTA__V1__FEE_KIND__FEE_KIND_REMINDER
                                                                     : PACTA__V1__FEE_KIND__FEE_KIND_FORMAL_NOTICE;
        message.reminder_number = component->kind == PACTA_CHARGE_REMINDER_FEE ? (int32_t) number : 0;
        message.amount_incl_vat = &amount;
        message.explanation = why;
        rc = pacta_handler_emit(ctx, &message.base, PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_DECISION, NULL, NULL, NULL);
    }
    pacta_decide_explanation_destroy(&why);
    return rc;
}

//  The id of the next charges invoice of invoice (<invoice>-LC<n>).
static void
s_next_charge_id(json_t *invoice, char *buf, size_t size)
{
    snprintf(buf, size, "%.36s-LC%zu", pacta_jdoc_str(invoice, "invoice_id"),
             json_array_size(pacta_jdoc_array(invoice, "charge_invoices")) + 1);
}

//  Bills the part of one CHARGE decision not charged yet: one audit entry
//  and one charged message (LateInterestCharged, IndemnityCharged,
//  FeeCharged) per component (per reminder for reminder fees), lines
//  added to `lines` for the charges invoice charge_invoice_id. 0 or -1.
static int
s_charge(pacta_handler_ctx_t *ctx, json_t *invoice, const char *contract_id, const pacta_decision_t *decision,
         const char *charge_invoice_id, charge_lines_t *lines)
{
    const char *rule_id = decision->explanation.rule_id;
    const char *invoice_id = pacta_jdoc_str(invoice, "invoice_id");
    json_t *charged = json_object_get(invoice, "charged");
    if (!json_is_object(charged)) {
        charged = json_object();
        json_object_set_new(invoice, "charged", charged);
    }
    char base_id[PACTA_DECIDE_ID_SIZE];
    pacta_decide_id(decision, contract_id, base_id, sizeof base_id);
    for (size_t c = 0; c < COMPONENT_COUNT; c++) {
        const component_t *component = &s_components[c];
        pacta_cents_t total = 0;
        for (size_t i = 0; i < decision->charge_count; i++)
            if (decision->charges[i].kind == component->kind)
                total += decision->charges[i].amount;
        char key[96];
        snprintf(key, sizeof key, "%s:%s_cents", rule_id, component->name);
        pacta_cents_t before = pacta_jdoc_int(charged, key);
        pacta_cents_t delta = total - before;
        if (delta <= 0)
            continue;   /* never a negative charge: a lower total later is not a refund here */
        pacta_jdoc_set_int(charged, key, total);
        //  Reminder fees: one entry per reminder newly charged.
        int64_t pieces = 1, first_number = 1;
        if (component->kind == PACTA_CHARGE_REMINDER_FEE) {
            const pacta_value_t *count = pacta_explanation_find(&decision->explanation, "reminders_charged");
            char count_key[96];
            snprintf(count_key, sizeof count_key, "%s:reminders_charged", rule_id);
            int64_t earlier = pacta_jdoc_int(charged, count_key);
            if (count && count->type == PACTA_VALUE_INT && count->as.number > earlier) {
                pieces = count->as.number - earlier;
                first_number = earlier + 1;
                pacta_jdoc_set_int(charged, count_key, count->as.number);
            }
        }
        pacta_cents_t left = delta;
        for (int64_t piece = 0; piece < pieces; piece++) {
            pacta_cents_t amount = piece + 1 == pieces ? left : delta / pieces;
            left -= amount;
            pacta_decision_t entry = *decision;
            entry.amount = amount;
            pacta_decision_head(&entry, component->head_en, component->head_fr);
            char decision_id[PACTA_DECIDE_ID_SIZE + 48], summary[256], money[48];
            if (pieces > 1 || component->kind == PACTA_CHARGE_REMINDER_FEE)
                snprintf(decision_id, sizeof decision_id, "%s/%s/%lld", base_id, component->name,
                         (long long) (first_number + piece));
            else
                snprintf(decision_id, sizeof decision_id, "%s/%s", base_id, component->name);
            snprintf(summary, sizeof summary, "%s: %s of %s on invoice %s", rule_id, component->label,
                     pacta_money_format_be(amount, money, sizeof money), invoice_id);
            s_audit(ctx, &entry, decision_id, "pacta.v1.InvoiceIssued", summary);
            if (s_emit_charged(ctx, component, &entry, contract_id, invoice_id, charge_invoice_id,
                               first_number + piece) != 0)
                return -1;
        }
        s_add_line(lines, component, rule_id, invoice_id, delta);
    }
    return 0;
}

static int
s_issue_charges_invoice(pacta_handler_ctx_t *ctx, json_t *invoice, const char *contract_id, charge_lines_t *lines,
                        pacta_date_t issued_on)
{
    char charge_id[PACTA_REF_SIZE + 16];
    s_next_charge_id(invoice, charge_id, sizeof charge_id);
    json_array_append_new(pacta_jdoc_array(invoice, "charge_invoices"), json_string(charge_id));
    Pacta__V1__Date issued_date = PACTA__V1__DATE__INIT;
    pacta_handler_set_date(&issued_date, issued_on);
    Pacta__V1__Money total = PACTA__V1__MONEY__INIT;
    total.cents = lines->total;
    total.currency = (char *) "EUR";
    Pacta__V1__InvoiceIssued message = PACTA__V1__INVOICE_ISSUED__INIT;
    message.invoice_id = charge_id;
    message.contract_id = (char *) contract_id;
    message.kind = PACTA__V1__INVOICE_KIND__INVOICE_KIND_CHARGES;
    message.issued_on = &issued_date;
    message.structured_communication = (char *) "";
    message.n_lines = lines->count;
    message.lines = lines->pointers;
    message.total_excl_vat = &total;   //  indemnity and interest are outside VAT; the fees are stated VAT included
    message.total_incl_vat = &total;
    return pacta_handler_emit(ctx, &message.base, PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_DECISION, NULL, NULL, NULL);
}

#define PROPOSALS_INDEX "proposals"   /* pacta:{ix:<tenant>}:proposals, read by pactactl proposals */

//  Keeps a late-charge proposal (a late rule in mode `propose`) on the
//  invoice, and lists it in the tenant's pending proposals, so that
//  pactactl finds it and addresses the operator's answer to invoicing.
static void
s_record_proposal(pacta_handler_ctx_t *ctx, json_t *invoice, const pacta_decision_t *decision,
                  const char *decision_id, pacta_date_t as_of)
{
    json_t *proposal = json_object();
    pacta_jdoc_set_str(proposal, "decision_id", decision_id);
    pacta_jdoc_set_str(proposal, "rule_id", decision->explanation.rule_id);
    pacta_jdoc_set_str(proposal, "status", "proposed");
    pacta_jdoc_set_date(proposal, "as_of", as_of);
    pacta_jdoc_set_int(proposal, "amount_cents", decision->amount);
    pacta_jdoc_set_date(proposal, "proposed_on", pacta_handler_today(ctx));
    json_array_append_new(pacta_jdoc_array(invoice, "charge_proposals"), proposal);
    char member[PACTA_DECIDE_ID_SIZE + PACTA_REF_SIZE + 8];
    snprintf(member, sizeof member, "%s|%s", pacta_handler_entity_key(ctx), decision_id);
    pacta_handler_index_zadd(ctx, PROPOSALS_INDEX, member, (double) pacta_handler_today(ctx));
}

//  Runs the late-payment rules on invoice as of as_of; records holds once;
//  bills new charges when `bill` is set. approved_id (NULL for none) names
//  a charge proposal an operator approved: that decision, and only it, is
//  billed as if its rule were automatic; *found tells whether the rules
//  still give it. The charges invoice is dated issued_on.
static int
s_evaluate_full(pacta_handler_ctx_t *ctx, json_t *ledger, json_t *invoice, const char *contract_id,
                pacta_date_t as_of, bool bill, const char *approved_id, pacta_date_t issued_on, bool *found)
{
    if (strcmp(pacta_jdoc_str(invoice, "kind"), "charges") == 0)
        return 0;   /* no charges on charges */
    static _Thread_local late_view_t view;
    if (s_view(ledger, invoice, contract_id, as_of, &view) != 0)
        return 0;   /* client unknown to invoicing: nothing can be charged */
    pacta_outcome_t outcome;
    pacta_outcome_init(&outcome);
    const pacta_profile_t *profile = pacta_handler_profile(ctx);
    if (pacta_late_charges_evaluate(profile, &view.facts, &outcome) != 0)
        return 0;
    static _Thread_local charge_lines_t lines;
    memset(&lines, 0, sizeof lines);
    char charge_id[PACTA_REF_SIZE + 16];
    s_next_charge_id(invoice, charge_id, sizeof charge_id);
    bool changed = false;
    for (size_t i = 0; i < outcome.count; i++) {
        const pacta_decision_t *decision = &outcome.items[i];
        char decision_id[PACTA_DECIDE_ID_SIZE];
        pacta_decide_id(decision, contract_id, decision_id, sizeof decision_id);
        if (approved_id) {
            if (decision->kind != PACTA_DECISION_CHARGE || strcmp(decision_id, approved_id) != 0)
                continue;
            pacta_decision_t applied = *decision;
            applied.status = PACTA_DECISION_APPLY;
            *found = true;
            if (s_charge(ctx, invoice, contract_id, &applied, charge_id, &lines) != 0)
                return -1;
            changed = true;
        }
        else if (decision->kind == PACTA_DECISION_CHARGE && bill && decision->status == PACTA_DECISION_APPLY) {
            if (s_charge(ctx, invoice, contract_id, decision, charge_id, &lines) != 0)
                return -1;
            changed = true;
        }
        else if (decision->kind != PACTA_DECISION_CHARGE || (bill && decision->status == PACTA_DECISION_PROPOSAL)) {
            //  Holds are recorded when found; a charge proposal only at the
            //  settlement, like the charges it stands for (a letter's
            //  evaluation would leave a stale, unanswerable proposal).
            if (s_first_time(invoice, decision_id)) {
                s_audit(ctx, decision, decision_id, NULL, NULL);
                if (decision->kind == PACTA_DECISION_CHARGE)
                    s_record_proposal(ctx, invoice, decision, decision_id, as_of);
                changed = true;
            }
        }
    }
    if (lines.count > 0 && s_issue_charges_invoice(ctx, invoice, contract_id, &lines, issued_on) != 0)
        return -1;
    if (changed)
        pacta_handler_put_doc(ctx, INV_LEDGER_DOC);
    return 0;
}

static int
s_evaluate(pacta_handler_ctx_t *ctx, json_t *ledger, json_t *invoice, const char *contract_id, pacta_date_t as_of,
           bool bill)
{
    return s_evaluate_full(ctx, ledger, invoice, contract_id, as_of, bill, NULL, as_of, NULL);
}

int
inv_late_settle(pacta_handler_ctx_t *ctx, json_t *ledger, json_t *invoice, const char *contract_id)
{
    pacta_date_t paid_on = pacta_jdoc_date(invoice, "paid_on");
    pacta_date_t due_on = pacta_jdoc_date(invoice, "due_on");
    if (!pacta_date_is_valid(paid_on) || !pacta_date_is_valid(due_on) || paid_on <= due_on)
        return 0;
    return s_evaluate(ctx, ledger, invoice, contract_id, paid_on, true);
}

/* ---- letters ------------------------------------------------------------------------------ */

static const char *
s_via(Pacta__V1__Channel channel)
{
    switch (channel) {
    case PACTA__V1__CHANNEL__CHANNEL_EMAIL:
        return "email";
    case PACTA__V1__CHANNEL__CHANNEL_REGISTERED_LETTER:
        return "registered";
    default:
        return "letter";
    }
}

//  Records a reminder (number > 0) or a formal notice (number 0) about an
//  invoice of the ledger; parks when the invoice is not there yet.
static int
s_record_letter(pacta_handler_ctx_t *ctx, const char *invoice_id, const char *contract_id, int number,
                Pacta__V1__Channel channel, pacta_date_t sent_on, const Pacta__V1__Money *postage)
{
    if (inv_check_entity(ctx, contract_id) != 0)
        return -1;
    if (postage && postage->cents < 0)
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_INVALID, "postage",
                                    "postage: must not be negative");
    json_t *ledger = inv_ledger(ctx, contract_id);
    json_t *invoice = pacta_jdoc_find(pacta_jdoc_array(ledger, "invoices"), "invoice_id", invoice_id);
    if (!invoice) {
        char waiting[PACTA_REF_SIZE + 16];
        snprintf(waiting, sizeof waiting, "invoice %s", invoice_id);
        return pacta_handler_park(ctx, waiting);
    }
    char letter_id[PACTA_REF_SIZE + 32], day[PACTA_DATE_STR_LEN];
    pacta_date_format(sent_on, day, sizeof day);
    if (number > 0)
        snprintf(letter_id, sizeof letter_id, "reminder-%d", number);
    else
        snprintf(letter_id, sizeof letter_id, "formal-notice-%s", day);
    json_t *letters = pacta_jdoc_array(ledger, "letters");
    size_t i;
    json_t *letter;
    json_array_foreach(letters, i, letter)
        if (strcmp(pacta_jdoc_str(letter, "invoice_id"), invoice_id) == 0
            && strcmp(pacta_jdoc_str(letter, "letter_id"), letter_id) == 0)
            return 0;   /* already recorded under another message id */
    letter = json_object();
    pacta_jdoc_set_str(letter, "letter_id", letter_id);
    pacta_jdoc_set_str(letter, "invoice_id", invoice_id);
    pacta_jdoc_set_int(letter, "number", number);
    pacta_jdoc_set_bool(letter, "formal_notice", number == 0);
    pacta_jdoc_set_str(letter, "via", s_via(channel));
    pacta_jdoc_set_date(letter, "sent_on", sent_on);
    pacta_jdoc_set_int(letter, "postage_cents", postage ? postage->cents : 0);
    pacta_jdoc_set_str(letter, "message_id", pacta_handler_cause_id(ctx));
    json_array_append_new(letters, letter);
    pacta_handler_put_doc(ctx, INV_LEDGER_DOC);

    char summary[PACTA_REF_SIZE + 96];
    if (number > 0)
        snprintf(summary, sizeof summary, "reminder %d about invoice %s sent %s by %s", number, invoice_id, day,
                 s_via(channel));
    else
        snprintf(summary, sizeof summary, "formal notice about invoice %s sent %s by %s", invoice_id, day,
                 s_via(channel));
    inv_audit_fact(ctx, summary, sent_on, postage ? postage->cents : 0, invoice_id);
    //  Holds found on the way (SG-8e, the L-1 window) are recorded now;
    //  charges wait for the settlement.
    if (strcmp(pacta_jdoc_str(invoice, "state"), "open") == 0)
        return s_evaluate(ctx, ledger, invoice, contract_id, sent_on, false);
    return 0;
}

int
inv_on_reminder_sent(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__ReminderSent *msg = (const Pacta__V1__ReminderSent *) payload;
    if (msg->reminder_number < 1 || msg->reminder_number > 60)
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_INVALID, "reminder_number",
                                    "reminder_number: 1 for the first reminder, at most 60");
    return s_record_letter(ctx, msg->invoice_id, msg->contract_id, msg->reminder_number, msg->channel,
                           pacta_handler_date(msg->sent_on), msg->postage);
}

int
inv_on_formal_notice_sent(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__FormalNoticeSent *msg = (const Pacta__V1__FormalNoticeSent *) payload;
    return s_record_letter(ctx, msg->invoice_id, msg->contract_id, 0, msg->channel, pacta_handler_date(msg->sent_on),
                           msg->postage);
}

/* ---- disputes (SG-8e) ------------------------------------------------------------------------ */

int
inv_on_invoice_disputed(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__InvoiceDisputed *msg = (const Pacta__V1__InvoiceDisputed *) payload;
    if (inv_check_entity(ctx, msg->contract_id) != 0)
        return -1;
    pacta_date_t sent_on = pacta_handler_date(msg->notice->sent_on);
    if (!pacta_date_is_valid(sent_on))
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_INVALID, "notice.sent_on",
                                    "notice.sent_on: the complaint's sending date is required");
    json_t *ledger = inv_ledger(ctx, msg->contract_id);
    json_t *invoice = pacta_jdoc_find(pacta_jdoc_array(ledger, "invoices"), "invoice_id", msg->invoice_id);
    if (!invoice) {
        char waiting[PACTA_REF_SIZE + 16];
        snprintf(waiting, sizeof waiting, "invoice %s", msg->invoice_id);
        return pacta_handler_park(ctx, waiting);
    }
    if (json_is_object(json_object_get(invoice, "dispute")))
        return 0;   /* one complaint per invoice is enough to hold it */
    pacta_invoice_t facts;
    s_invoice_from_ledger(invoice, msg->contract_id, &facts);
    pacta_letter_t complaint;
    memset(&complaint, 0, sizeof complaint);
    snprintf(complaint.id, sizeof complaint.id, "complaint");
    snprintf(complaint.ref, sizeof complaint.ref, "%s", msg->invoice_id);
    complaint.from = PACTA_FROM_CLIENT;
    complaint.via = msg->notice->channel == PACTA__V1__CHANNEL__CHANNEL_EMAIL              ? PACTA_SENT_EMAIL
                  : msg->notice->channel == PACTA__V1__CHANNEL__CHANNEL_REGISTERED_LETTER ? PACTA_SENT_REGISTERED
                                                                                          : PACTA_SENT_LETTER;
    complaint.sent_on = sent_on;
    complaint.proven_received_on = pacta_handler_date(msg->notice->received_on);
    pacta_outcome_t outcome;
    pacta_outcome_init(&outcome);
    const pacta_profile_t *profile = pacta_handler_profile(ctx);
    if (rule_sg8e_register_complaint(profile, &facts, &complaint, &outcome) != 0)
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_INVALID, "notice",
                                    "notice: the complaint cannot be assessed against invoice %s", msg->invoice_id);
    bool timely = false;
    for (size_t i = 0; i < outcome.count; i++) {
        const pacta_decision_t *decision = &outcome.items[i];
        char decision_id[PACTA_DECIDE_ID_SIZE];
        pacta_decide_id(decision, msg->contract_id, decision_id, sizeof decision_id);
        s_audit(ctx, decision, decision_id, "pacta.v1.InvoiceDisputeRecorded", NULL);
        if (strcmp(decision->reason, "disputed") == 0)
            timely = true;
    }
    if (timely) {
        json_t *dispute = json_object();
        pacta_jdoc_set_date(dispute, "complained_on", sent_on);
        pacta_jdoc_set_str(dispute, "state", "open");
        pacta_jdoc_set_date(dispute, "resolved_on", PACTA_DATE_INVALID);
        pacta_jdoc_set_date(dispute, "new_due_on", PACTA_DATE_INVALID);
        json_object_set_new(invoice, "dispute", dispute);
    }
    pacta_handler_put_doc(ctx, INV_LEDGER_DOC);
    Pacta__V1__InvoiceDisputeRecorded recorded = PACTA__V1__INVOICE_DISPUTE_RECORDED__INIT;
    recorded.invoice_id = msg->invoice_id;
    recorded.contract_id = msg->contract_id;
    recorded.timely = timely;
    Pacta__V1__Explanation *why =
        outcome.count ? pacta_decide_explanation_new(&outcome.items[0], profile, pacta_handler_today(ctx)) : NULL;
    recorded.explanation = why;
    int rc = pacta_handler_emit(ctx, &recorded.base, PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_DECISION, NULL, NULL, NULL);
    pacta_decide_explanation_destroy(&why);
    return rc;
}

//  SG-8e: the credit note a corrected or credited dispute gives, for
//  `amount` off the invoice; audited with the complaint rule. 0 or -1.
static int
s_credit_note(pacta_handler_ctx_t *ctx, json_t *invoice, const char *contract_id, pacta_cents_t amount,
              pacta_date_t issued_on, const char *resolution)
{
    const char *invoice_id = pacta_jdoc_str(invoice, "invoice_id");
    json_t *notes = pacta_jdoc_array(invoice, "credit_notes");
    char note_id[PACTA_REF_SIZE + 16];
    snprintf(note_id, sizeof note_id, "%.36s-CN%zu", invoice_id, json_array_size(notes) + 1);
    json_array_append_new(notes, json_string(note_id));
    pacta_jdoc_set_int(invoice, "credited_cents", pacta_jdoc_int(invoice, "credited_cents") + amount);

    const pacta_profile_t *profile = pacta_handler_profile(ctx);
    Pacta__V1__Explanation *why = NULL;
    if (pacta_rule_enabled(&profile->invoice_complaint.rule)) {
        pacta_outcome_t outcome;
        pacta_outcome_init(&outcome);
        pacta_decision_t *decision = pacta_outcome_add(&outcome, profile, &profile->invoice_complaint.rule,
                                                       PACTA_DECISION_CREDIT);
        if (decision) {
            decision->status = PACTA_DECISION_APPLY;   /* the operator's resolution is a fact */
            decision->date = issued_on;
            decision->amount = amount;
            pacta_decision_set_ref(decision, invoice_id);
            pacta_decision_set_reason(decision, resolution);
            pacta_explain_text(decision, PACTA_ROLE_INPUT, "invoice", invoice_id);
            pacta_explain_money(decision, PACTA_ROLE_INPUT, "invoice_amount", pacta_jdoc_int(invoice, "total_cents"));
            pacta_explain_date(decision, PACTA_ROLE_INPUT, "resolved_on", issued_on);
            pacta_explain_text(decision, PACTA_ROLE_RESULT, "credit_note", note_id);
            pacta_explain_money(decision, PACTA_ROLE_RESULT, "credited", amount);
            pacta_decision_head(decision, "Credit note {credit_note} of {credited} on {resolved_on}",
                                "Note de crédit {credit_note} de {credited} le {resolved_on}");
            pacta_decision_because(decision,
                                   "the complaint about invoice {invoice} of {invoice_amount} was resolved in the "
                                   "client's favour: {credited} is credited",
                                   "la réclamation sur la facture {invoice} de {invoice_amount} a été résolue en "
                                   "faveur du client : {credited} est crédité");
            char decision_id[PACTA_DECIDE_ID_SIZE];
            pacta_decide_id(decision, contract_id, decision_id, sizeof decision_id);
            s_audit(ctx, decision, decision_id, "pacta.v1.CreditNoteIssued", NULL);
            why = pacta_decide_explanation_new(decision, profile, pacta_handler_today(ctx));
        }
    }
    Pacta__V1__Date issued = PACTA__V1__DATE__INIT;
    pacta_handler_set_date(&issued, issued_on);
    Pacta__V1__Money money = PACTA__V1__MONEY__INIT;
    money.cents = amount;
    money.currency = (char *) "EUR";
    char description[PACTA_REF_SIZE + 64];
    snprintf(description, sizeof description, "Credit on invoice %s (SG-8e, %s)", invoice_id, resolution);
    Pacta__V1__InvoiceLine line = PACTA__V1__INVOICE_LINE__INIT;
    line.line_id = (char *) "1";
    line.kind = PACTA__V1__LINE_KIND__LINE_KIND_SERVICE;
    line.description = description;
    line.quantity = 1;
    line.unit_amount = &money;
    line.amount = &money;
    Pacta__V1__InvoiceLine *lines[] = {&line};
    Pacta__V1__CreditNoteIssued note = PACTA__V1__CREDIT_NOTE_ISSUED__INIT;
    note.credit_note_id = note_id;
    note.contract_id = (char *) contract_id;
    note.invoice_id = (char *) invoice_id;
    note.reason = PACTA__V1__CREDIT_REASON__CREDIT_REASON_DISPUTE;
    note.issued_on = &issued;
    note.n_lines = 1;
    note.lines = lines;
    note.total_incl_vat = &money;
    note.explanation = why;
    int rc = pacta_handler_emit(ctx, &note.base, PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_DECISION, NULL, NULL, NULL);
    pacta_decide_explanation_destroy(&why);
    return rc;
}

//  The latest value date of the payments applied to invoice, or INVALID.
static pacta_date_t
s_last_payment_on(json_t *ledger, const char *invoice_id)
{
    pacta_date_t last = PACTA_DATE_INVALID;
    size_t i, j;
    json_t *payment, *applied;
    json_array_foreach(pacta_jdoc_array(ledger, "payments"), i, payment) {
        json_array_foreach(pacta_jdoc_array(payment, "applied"), j, applied) {
            pacta_date_t on = pacta_jdoc_date(payment, "value_date");
            if (strcmp(pacta_jdoc_str(applied, "invoice_id"), invoice_id) == 0 && pacta_date_is_valid(on)
                && (!pacta_date_is_valid(last) || on > last))
                last = on;
        }
    }
    return last;
}

//  After a credit note: an invoice whose payments now cover what is owed
//  is paid (what exceeds it becomes credit), InvoicePaid emitted, and the
//  late rules settle it as of its last payment. 0 or -1.
static int
s_settle_after_credit(pacta_handler_ctx_t *ctx, json_t *ledger, json_t *invoice, const char *contract_id,
                      pacta_date_t resolved_on)
{
    int64_t owed = inv_amount_owed(invoice);
    int64_t paid = pacta_jdoc_int(invoice, "paid_cents");
    if (paid < owed || strcmp(pacta_jdoc_str(invoice, "state"), "open") != 0)
        return 0;
    if (paid > owed) {
        pacta_jdoc_set_int(ledger, "credit_cents", pacta_jdoc_int(ledger, "credit_cents") + paid - owed);
        pacta_jdoc_set_int(invoice, "paid_cents", owed);
    }
    const char *invoice_id = pacta_jdoc_str(invoice, "invoice_id");
    pacta_date_t paid_on = s_last_payment_on(ledger, invoice_id);
    if (!pacta_date_is_valid(paid_on))
        paid_on = resolved_on;   /* credited down to nothing: settled by the resolution */
    pacta_jdoc_set_str(invoice, "state", "paid");
    pacta_jdoc_set_date(invoice, "paid_on", paid_on);
    Pacta__V1__Date paid_date = PACTA__V1__DATE__INIT, due = PACTA__V1__DATE__INIT;
    pacta_handler_set_date(&paid_date, paid_on);
    pacta_handler_set_date(&due, inv_effective_due_on(invoice));
    Pacta__V1__Money total_paid = PACTA__V1__MONEY__INIT;
    total_paid.cents = owed;
    total_paid.currency = (char *) "EUR";
    Pacta__V1__InvoicePaid message = PACTA__V1__INVOICE_PAID__INIT;
    message.invoice_id = (char *) invoice_id;
    message.contract_id = (char *) contract_id;
    message.paid_on = &paid_date;
    message.total_paid = &total_paid;
    message.due_on = &due;
    message.kind = inv_kind_value(pacta_jdoc_str(invoice, "kind"));
    if (pacta_handler_emit(ctx, &message.base, PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_DECISION, NULL, NULL, NULL) != 0)
        return -1;
    return inv_late_settle(ctx, ledger, invoice, contract_id);
}

int
inv_on_dispute_resolved(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__InvoiceDisputeResolved *msg = (const Pacta__V1__InvoiceDisputeResolved *) payload;
    if (inv_check_entity(ctx, msg->contract_id) != 0)
        return -1;
    json_t *ledger = inv_ledger(ctx, msg->contract_id);
    json_t *invoice = pacta_jdoc_find(pacta_jdoc_array(ledger, "invoices"), "invoice_id", msg->invoice_id);
    json_t *dispute = invoice ? json_object_get(invoice, "dispute") : NULL;
    if (!json_is_object(dispute))
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_INVALID, "invoice_id",
                                    "invoice_id: %s has no timely dispute to resolve", msg->invoice_id);
    const char *state = msg->outcome == PACTA__V1__DISPUTE_OUTCOME__DISPUTE_OUTCOME_INVOICE_CORRECTED ? "corrected"
                      : msg->outcome == PACTA__V1__DISPUTE_OUTCOME__DISPUTE_OUTCOME_INVOICE_CREDITED ? "credited"
                                                                                                   : "upheld";
    if (strcmp(pacta_jdoc_str(dispute, "state"), "open") != 0)
        return 0;   /* resolved already */
    pacta_date_t resolved_on = pacta_handler_date(msg->resolved_on);
    pacta_date_t new_due_on = pacta_handler_date(msg->new_due_on);
    int64_t owed = inv_amount_owed(invoice);
    int64_t credited = msg->credited ? msg->credited->cents : 0;
    bool corrected = strcmp(state, "corrected") == 0, credited_in_full = strcmp(state, "credited") == 0;
    if (pacta_date_is_valid(new_due_on) && new_due_on < pacta_jdoc_date(invoice, "issued_on"))
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_INVALID, "new_due_on",
                                    "new_due_on: before the invoice's issue date");
    if (corrected && (credited <= 0 || credited >= owed))
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_INVALID, "credited",
                                    "credited: a corrected invoice credits part of it, more than 0 and less than "
                                    "the %lld cents owed (credit it in full otherwise)",
                                    (long long) owed);
    if (credited_in_full && credited != 0 && credited != owed)
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_INVALID, "credited",
                                    "credited: an invoice credited in full credits the %lld cents owed",
                                    (long long) owed);
    pacta_jdoc_set_str(dispute, "state", state);
    pacta_jdoc_set_date(dispute, "resolved_on", resolved_on);
    pacta_jdoc_set_date(dispute, "new_due_on", new_due_on);
    pacta_handler_put_doc(ctx, INV_LEDGER_DOC);
    char summary[PACTA_REF_SIZE + 64];
    snprintf(summary, sizeof summary, "dispute about invoice %s resolved: %s", msg->invoice_id, state);
    inv_audit_fact(ctx, summary, resolved_on, credited, msg->invoice_id);

    //  SG-8e: credited -> a credit note for all that is owed, the invoice
    //  is closed and what was paid on it becomes credit; corrected -> a
    //  credit note for the part, the rest is due again; upheld -> all of
    //  it is due again. What is due again runs from the original due date,
    //  or the new one the operator set (new_due_on, kept on the dispute).
    if (credited_in_full) {
        if (s_credit_note(ctx, invoice, msg->contract_id, owed, resolved_on, state) != 0)
            return -1;
        int64_t paid = pacta_jdoc_int(invoice, "paid_cents");
        pacta_jdoc_set_int(ledger, "credit_cents", pacta_jdoc_int(ledger, "credit_cents") + paid);
        pacta_jdoc_set_int(invoice, "paid_cents", 0);
        pacta_jdoc_set_str(invoice, "state", "credited");
        char timer_id[256], day[PACTA_DATE_STR_LEN];
        snprintf(timer_id, sizeof timer_id, "%s/invoice.overdue/%s/%s", pacta_handler_entity_key(ctx),
                 msg->invoice_id, pacta_date_format(pacta_jdoc_date(invoice, "due_on") + 1, day, sizeof day));
        pacta_handler_cancel_timer(ctx, timer_id);
        return 0;
    }
    if (corrected) {
        if (s_credit_note(ctx, invoice, msg->contract_id, credited, resolved_on, state) != 0)
            return -1;
        if (s_settle_after_credit(ctx, ledger, invoice, msg->contract_id, resolved_on) != 0)
            return -1;
    }
    //  What is still owed is due from the due date that counts
    //  (inv_effective_due_on): the late-payment rules read it when the
    //  invoice is settled. No second InvoiceOverdue is sent: enforcement
    //  dates a suspension from its own copy of the original due date, so a
    //  report now would suspend retroactively over the disputed weeks
    //  (SG-8e forbids it); see docs/design.md.
    return 0;
}

/* ---- late-charge proposals answered (mode `propose`) -------------------------------------- */

//  The invoice of the ledger holding charge proposal decision_id, and the
//  proposal, or NULL.
static json_t *
s_find_proposal(json_t *ledger, const char *decision_id, json_t **invoice_out)
{
    size_t i;
    json_t *invoice;
    json_array_foreach(pacta_jdoc_array(ledger, "invoices"), i, invoice) {
        json_t *proposal = pacta_jdoc_find(json_object_get(invoice, "charge_proposals"), "decision_id", decision_id);
        if (proposal) {
            *invoice_out = invoice;
            return proposal;
        }
    }
    return NULL;
}

//  Marks the proposal answered: status, who, when, the note; audits it and
//  takes it out of the tenant's pending proposals.
static void
s_answer_proposal(pacta_handler_ctx_t *ctx, json_t *proposal, const char *invoice_id, const char *status,
                  const char *by, pacta_date_t on, const char *note)
{
    const char *decision_id = pacta_jdoc_str(proposal, "decision_id");
    pacta_jdoc_set_str(proposal, "status", status);
    pacta_jdoc_set_str(proposal, "answered_by", by);
    pacta_jdoc_set_date(proposal, "answered_on", on);
    pacta_jdoc_set_str(proposal, "note", note);
    char summary[PACTA_DECIDE_ID_SIZE + 2 * PACTA_REF_SIZE + 96];
    snprintf(summary, sizeof summary, "late-charge proposal %s on invoice %s %s by %.60s", decision_id, invoice_id,
             status, by);
    inv_audit_fact(ctx, summary, on, pacta_jdoc_int(proposal, "amount_cents"), decision_id);
    char member[PACTA_DECIDE_ID_SIZE + PACTA_REF_SIZE + 8];
    snprintf(member, sizeof member, "%s|%s", pacta_handler_entity_key(ctx), decision_id);
    pacta_handler_index_zrem(ctx, PROPOSALS_INDEX, member);
    pacta_handler_put_doc(ctx, INV_LEDGER_DOC);
}

int
inv_on_decision_approved(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__DecisionApproved *msg = (const Pacta__V1__DecisionApproved *) payload;
    if (inv_check_entity(ctx, msg->contract_id) != 0)
        return -1;
    json_t *ledger = inv_ledger(ctx, msg->contract_id);
    json_t *invoice = NULL;
    json_t *proposal = s_find_proposal(ledger, msg->decision_id, &invoice);
    if (!proposal || strcmp(pacta_jdoc_str(proposal, "status"), "proposed") != 0)
        return 0;   /* another service's proposal, or answered already */
    pacta_date_t approved_on = pacta_handler_date(msg->approved_on);
    if (!pacta_date_is_valid(approved_on))
        approved_on = pacta_handler_today(ctx);
    //  The rules run again on the same facts as of the same day: the same
    //  decision (same id, same amounts) is billed, now as applied.
    bool found = false;
    if (s_evaluate_full(ctx, ledger, invoice, msg->contract_id, pacta_jdoc_date(proposal, "as_of"), true,
                        msg->decision_id, approved_on, &found)
        != 0)
        return -1;
    s_answer_proposal(ctx, proposal, pacta_jdoc_str(invoice, "invoice_id"), found ? "applied" : "not_applied",
                      msg->approved_by, approved_on, msg->comment);
    return 0;
}

int
inv_on_decision_rejected(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__DecisionRejected *msg = (const Pacta__V1__DecisionRejected *) payload;
    if (inv_check_entity(ctx, msg->contract_id) != 0)
        return -1;
    json_t *ledger = inv_ledger(ctx, msg->contract_id);
    json_t *invoice = NULL;
    json_t *proposal = s_find_proposal(ledger, msg->decision_id, &invoice);
    if (!proposal || strcmp(pacta_jdoc_str(proposal, "status"), "proposed") != 0)
        return 0;   /* another service's proposal, or answered already */
    pacta_date_t rejected_on = pacta_handler_date(msg->rejected_on);
    if (!pacta_date_is_valid(rejected_on))
        rejected_on = pacta_handler_today(ctx);
    s_answer_proposal(ctx, proposal, pacta_jdoc_str(invoice, "invoice_id"), "rejected", msg->rejected_by, rejected_on,
                      msg->reason);
    return 0;
}
