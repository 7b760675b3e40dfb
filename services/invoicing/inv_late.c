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
    recorded as decisions when they are found, once each.
    =========================================================================
*/
#include "inv_late.h"

#include <stdio.h>
#include <string.h>

#include "inv_ledger.h"
#include "inv_periodic.h"
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
    out->due_on = pacta_jdoc_date(invoice, "due_on");
    out->period_from = PACTA_DATE_INVALID;
    out->period_to = PACTA_DATE_INVALID;
    out->amount = pacta_jdoc_int(invoice, "total_cents");
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

//  Bills the part of one CHARGE decision not charged yet: one audit entry
//  per component (per reminder for reminder fees), lines added to `lines`.
static void
s_charge(pacta_handler_ctx_t *ctx, json_t *invoice, const char *contract_id, const pacta_decision_t *decision,
         charge_lines_t *lines)
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
        }
        s_add_line(lines, component, rule_id, invoice_id, delta);
    }
}

static int
s_issue_charges_invoice(pacta_handler_ctx_t *ctx, json_t *invoice, const char *contract_id, charge_lines_t *lines,
                        pacta_date_t issued_on)
{
    json_t *issued = pacta_jdoc_array(invoice, "charge_invoices");
    char charge_id[PACTA_REF_SIZE + 16];
    snprintf(charge_id, sizeof charge_id, "%.36s-LC%zu", pacta_jdoc_str(invoice, "invoice_id"),
             json_array_size(issued) + 1);
    json_array_append_new(issued, json_string(charge_id));
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

//  Runs the late-payment rules on invoice as of as_of; records holds once;
//  bills new charges when `bill` is set.
static int
s_evaluate(pacta_handler_ctx_t *ctx, json_t *ledger, json_t *invoice, const char *contract_id, pacta_date_t as_of,
           bool bill)
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
    charge_lines_t lines;
    memset(&lines, 0, sizeof lines);
    bool changed = false;
    for (size_t i = 0; i < outcome.count; i++) {
        const pacta_decision_t *decision = &outcome.items[i];
        char decision_id[PACTA_DECIDE_ID_SIZE];
        pacta_decide_id(decision, contract_id, decision_id, sizeof decision_id);
        if (decision->kind == PACTA_DECISION_CHARGE && bill && decision->status == PACTA_DECISION_APPLY) {
            s_charge(ctx, invoice, contract_id, decision, &lines);
            changed = true;
        }
        else if (decision->kind != PACTA_DECISION_CHARGE || decision->status == PACTA_DECISION_PROPOSAL) {
            if (s_first_time(invoice, decision_id)) {
                s_audit(ctx, decision, decision_id, NULL, NULL);
                changed = true;
            }
        }
    }
    if (lines.count > 0 && s_issue_charges_invoice(ctx, invoice, contract_id, &lines, as_of) != 0)
        return -1;
    if (changed)
        pacta_handler_put_doc(ctx, INV_LEDGER_DOC);
    return 0;
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
    pacta_jdoc_set_str(dispute, "state", state);
    pacta_jdoc_set_date(dispute, "resolved_on", resolved_on);
    pacta_jdoc_set_date(dispute, "new_due_on", pacta_handler_date(msg->new_due_on));
    pacta_handler_put_doc(ctx, INV_LEDGER_DOC);
    char summary[PACTA_REF_SIZE + 64];
    snprintf(summary, sizeof summary, "dispute about invoice %s resolved: %s", msg->invoice_id, state);
    inv_audit_fact(ctx, summary, resolved_on, msg->credited ? msg->credited->cents : 0, msg->invoice_id);
    return 0;
}
