/*  =========================================================================
    enf_options - CC-7: an option of a pack or an à-la-carte service starts
    only once its invoice is paid in full; a partial payment releases nothing

    Design decision: the ordered work is kept in <prefix>:enforcement
    (`options`) with the invoice that bills it, named by OptionOrdered or,
    when the order did not know it yet, found later in an InvoiceIssued
    line for the same item. The rule runs on enforcement's own view of
    that invoice (the one CC-3b reads), whose "paid" is the InvoicePaid
    invoicing emits on the value date of the payment that completes it, so
    the release is dated as the clause says and a partial payment, which
    produces no InvoicePaid, releases nothing.
    =========================================================================
*/
#include "enf_options.h"
#include "enf_handlers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pacta/v1/contracts.pb-c.h"
#include "pacta/v1/enforcement.pb-c.h"
#include "pacta_decide.h"
#include "pacta_jdoc.h"
#include "rules_cc.h"

#define DOC "enforcement"
#define INVALID_REASON PACTA__V1__NACK_REASON__NACK_REASON_INVALID
#define DECISION_KIND PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_DECISION
#define OPTIONS_MAX 64                   /* ordered items kept per contract */

/* Runs CC-7 on the option's invoice (tracked in doc) and applies a change
   of state: WorkWithheld once, WorkReleased once. */
static int
s_evaluate(pacta_handler_ctx_t *ctx, json_t *doc, json_t *option, pacta_date_t today)
{
    const char *contract_id = pacta_jdoc_str(doc, "contract_id");
    const json_t *tracked = pacta_jdoc_find(json_object_get(doc, "invoices"), "invoice_id",
                                            pacta_jdoc_str(option, "invoice_id"));
    if (!tracked)
        return 0;   /* its InvoiceIssued has not arrived: it links the item then */
    pacta_invoice_t invoice;
    memset(&invoice, 0, sizeof invoice);
    snprintf(invoice.id, sizeof invoice.id, "%s", pacta_jdoc_str(tracked, "invoice_id"));
    snprintf(invoice.contract_id, sizeof invoice.contract_id, "%s", contract_id);
    invoice.kind = strcmp(pacta_jdoc_str(option, "kind"), "option") == 0 ? PACTA_INVOICE_OPTION
                                                                          : PACTA_INVOICE_A_LA_CARTE;
    invoice.issued_on = pacta_jdoc_date(tracked, "issued_on");
    invoice.received_on = PACTA_DATE_INVALID;
    invoice.printed_due_on = pacta_jdoc_date(tracked, "due_on");
    invoice.due_on = invoice.printed_due_on;
    invoice.period_from = PACTA_DATE_INVALID;
    invoice.period_to = PACTA_DATE_INVALID;
    invoice.amount = pacta_jdoc_int(tracked, "amount_cents");
    const pacta_date_t paid_on = pacta_jdoc_date(tracked, "paid_on");
    invoice.state = pacta_date_is_valid(paid_on) ? PACTA_INVOICE_PAID : PACTA_INVOICE_OPEN;
    pacta_payment_t payment;
    memset(&payment, 0, sizeof payment);
    pacta_ledger_t ledger = {.invoices = &invoice, .invoice_count = 1, .payments = &payment, .payment_count = 0};
    if (pacta_date_is_valid(paid_on)) {
        snprintf(payment.id, sizeof payment.id, "paid:%.40s", invoice.id);
        snprintf(payment.invoice_id, sizeof payment.invoice_id, "%s", invoice.id);
        payment.amount = invoice.amount;
        payment.received_on = paid_on;
        ledger.payment_count = 1;
    }
    pacta_outcome_t *outcome = pacta_outcome_new();
    if (!outcome)
        return enf_no_memory(ctx);
    int rc = 0;
    Pacta__V1__Explanation *why = NULL;
    json_t *audit = NULL;
    if (rule_cc7_release_prepaid_work(pacta_handler_profile(ctx), &invoice, &ledger, outcome) != 0) {
        rc = pacta_handler_refuse(ctx, INVALID_REASON, NULL, "CC-7 cannot evaluate invoice %s", invoice.id);
        goto cleanup;
    }
    const pacta_decision_t *release = pacta_outcome_find(outcome, PACTA_DECISION_RELEASE);
    const pacta_decision_t *withhold = pacta_outcome_find(outcome, PACTA_DECISION_WITHHOLD);
    const pacta_decision_t *decision = release ? release : withhold;
    const char *state = release ? "released" : "withheld";
    if (!decision || strcmp(pacta_jdoc_str(option, "state"), state) == 0)
        goto cleanup;   /* no clause, or nothing changes */
    const pacta_profile_t *profile = pacta_handler_profile(ctx);
    char decision_id[PACTA_DECIDE_ID_SIZE];
    pacta_decide_id(decision, contract_id, decision_id, sizeof decision_id);
    audit = pacta_decide_audit_entry(decision, profile, decision_id,
                                     release ? "pacta.v1.WorkReleased" : "pacta.v1.WorkWithheld", today);
    why = pacta_decide_explanation_new(decision, profile, today);
    if (!audit || !why) {
        rc = enf_no_memory(ctx);
        goto cleanup;
    }
    pacta_handler_audit(ctx, audit);
    pacta_jdoc_set_str(option, "state", state);
    pacta_jdoc_set_date(option, release ? "released_on" : "withheld_from", decision->date);
    rc = pacta_handler_put_doc(ctx, DOC);
    Pacta__V1__Date on = PACTA__V1__DATE__INIT;
    pacta_handler_set_date(&on, decision->date);
    if (rc == 0 && release) {
        Pacta__V1__WorkReleased msg = PACTA__V1__WORK_RELEASED__INIT;
        msg.decision_id = decision_id;
        msg.contract_id = (char *) contract_id;
        msg.kind = PACTA__V1__WORK_KIND__WORK_KIND_OPTION;
        msg.item_id = (char *) pacta_jdoc_str(option, "item_id");
        msg.released_on = &on;
        msg.explanation = why;
        rc = pacta_handler_emit(ctx, &msg.base, DECISION_KIND, NULL, NULL, NULL);
    }
    else if (rc == 0) {
        Pacta__V1__WorkWithheld msg = PACTA__V1__WORK_WITHHELD__INIT;
        msg.decision_id = decision_id;
        msg.contract_id = (char *) contract_id;
        msg.kind = PACTA__V1__WORK_KIND__WORK_KIND_OPTION;
        msg.item_id = (char *) pacta_jdoc_str(option, "item_id");
        msg.invoice_id = invoice.id;
        msg.withheld_from = &on;
        msg.explanation = why;
        rc = pacta_handler_emit(ctx, &msg.base, DECISION_KIND, NULL, NULL, NULL);
    }
cleanup:
    json_decref(audit);
    pacta_decide_explanation_destroy(&why);
    pacta_outcome_destroy(&outcome);
    return rc;
}

int
enf_on_option_ordered(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__OptionOrdered *msg = (const Pacta__V1__OptionOrdered *) payload;
    if (enf_check_entity(ctx, msg->contract_id) != 0)
        return -1;
    if (strlen(msg->item->item_id) == 0 || strlen(msg->item->item_id) >= PACTA_REF_SIZE)
        return pacta_handler_refuse(ctx, INVALID_REASON, "item.item_id", "item.item_id: 1 to %d bytes",
                                    PACTA_REF_SIZE - 1);
    if (strlen(msg->invoice_id) >= PACTA_REF_SIZE)
        return pacta_handler_refuse(ctx, INVALID_REASON, "invoice_id", "invoice_id: at most %d bytes",
                                    PACTA_REF_SIZE - 1);
    if (pacta_handler_require_contract(ctx, msg->contract_id) != 0)
        return -1;
    const pacta_date_t ordered_on = pacta_handler_date(msg->ordered_on);
    json_t *doc = enf_doc(ctx, msg->contract_id);
    json_t *options = pacta_jdoc_array(doc, "options");
    if (pacta_jdoc_find(options, "item_id", msg->item->item_id))
        return 0;   /* ordered already */
    if (!msg->item->is_option && !msg->item->a_la_carte) {
        enf_audit_fact(ctx, "service ordered; neither an option nor à la carte, so no prepayment applies", ordered_on,
                     msg->contract_id);
        return 0;
    }
    if (json_array_size(options) >= OPTIONS_MAX)
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_CONFLICT, "item.item_id",
                                    "contract %s already has %d ordered items", msg->contract_id, OPTIONS_MAX);
    json_t *option = json_object();
    if (!option)
        return enf_no_memory(ctx);
    pacta_jdoc_set_str(option, "item_id", msg->item->item_id);
    pacta_jdoc_set_str(option, "kind", msg->item->is_option ? "option" : "a_la_carte");
    pacta_jdoc_set_str(option, "invoice_id", msg->invoice_id);
    pacta_jdoc_set_date(option, "ordered_on", ordered_on);
    pacta_jdoc_set_str(option, "state", "ordered");
    json_array_append_new(options, option);
    char summary[200];
    snprintf(summary, sizeof summary, "%s %.60s ordered; it starts once its invoice is paid",
             msg->item->is_option ? "option" : "à-la-carte service", msg->item->item_id);
    enf_audit_fact(ctx, summary, ordered_on, msg->contract_id);
    int rc = pacta_handler_put_doc(ctx, DOC);
    if (rc == 0)
        rc = s_evaluate(ctx, doc, option, ordered_on);
    return rc;
}

int
enf_options_invoice_issued(pacta_handler_ctx_t *ctx, json_t *doc, const Pacta__V1__InvoiceIssued *msg)
{
    const pacta_date_t issued_on = pacta_handler_date(msg->issued_on);
    size_t index;
    json_t *option;
    int rc = 0;
    json_array_foreach(json_object_get(doc, "options"), index, option) {
        const char *invoice_id = pacta_jdoc_str(option, "invoice_id");
        bool billed = strcmp(invoice_id, msg->invoice_id) == 0;
        for (size_t i = 0; !billed && !*invoice_id && i < msg->n_lines; i++)
            billed = msg->lines[i] && strcmp(msg->lines[i]->item_id, pacta_jdoc_str(option, "item_id")) == 0;
        if (!billed || strcmp(pacta_jdoc_str(option, "state"), "released") == 0)
            continue;
        pacta_jdoc_set_str(option, "invoice_id", msg->invoice_id);
        rc = pacta_handler_put_doc(ctx, DOC);
        if (rc == 0)
            rc = s_evaluate(ctx, doc, option, issued_on);
        if (rc != 0)
            break;
    }
    return rc;
}

int
enf_options_invoice_paid(pacta_handler_ctx_t *ctx, json_t *doc, const char *invoice_id)
{
    const json_t *tracked = pacta_jdoc_find(json_object_get(doc, "invoices"), "invoice_id", invoice_id);
    const pacta_date_t paid_on = pacta_jdoc_date(tracked, "paid_on");
    size_t index;
    json_t *option;
    int rc = 0;
    json_array_foreach(json_object_get(doc, "options"), index, option) {
        if (strcmp(pacta_jdoc_str(option, "invoice_id"), invoice_id) != 0)
            continue;
        rc = s_evaluate(ctx, doc, option, paid_on);
        if (rc != 0)
            break;
    }
    return rc;
}
