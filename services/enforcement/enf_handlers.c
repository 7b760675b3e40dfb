/*  =========================================================================
    enf_handlers - what enforcement does with the messages it owns

    Enforcement never re-implements a clause: it rebuilds the plain structs
    the rules core reads (a contract with its running suspension, a ledger
    of the invoices it tracks) from <prefix>:enforcement, calls the rule,
    and turns each decision into a message, an audit entry and a state
    change.

    Design decision: enforcement keeps its own view of the contract's
    invoices, fed by InvoiceIssued / InvoiceOverdue / InvoicePaid, instead
    of reading invoicing's ledger. Services share facts through messages
    only, so each can be scaled, restarted or replaced alone, and the
    evaluation date of every rule is the legal date the message carries
    (overdue_from, paid_on), never the time it arrived.
    =========================================================================
*/
#include "enf_handlers.h"
#include "enf_content.h"
#include "enf_options.h"
#include "enf_proposals.h"
#include "enf_sg5c.h"
#include "enf_terminate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pacta/v1/enforcement.pb-c.h"
#include "pacta/v1/invoicing.pb-c.h"
#include "pacta_decide.h"
#include "pacta_facts.h"
#include "pacta_jdoc.h"
#include "rules_cc.h"

#define DOC "enforcement"
#define LEDGER_MAX 256                   /* invoices evaluated at once per contract */

/* ---- state <-> rules structs ------------------------------------------------------- */

typedef struct {
    pacta_contract_t contract;                 /* the contract as CC-3b/c/d read it */
    pacta_invoice_t invoices[LEDGER_MAX];      /* tracked invoices */
    pacta_payment_t payments[LEDGER_MAX];      /* one full payment per paid invoice */
    pacta_ledger_t ledger;                     /* views of the two arrays */
} view_t;

static int
s_check_entity(pacta_handler_ctx_t *ctx, const char *contract_id)
{
    if (pacta_facts_check_entity(ctx, 'c', contract_id, "contract_id") != 0)
        return -1;
    if (strlen(contract_id) >= PACTA_REF_SIZE)
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_INVALID, "contract_id",
                                    "contract_id: at most %d bytes", PACTA_REF_SIZE - 1);
    return 0;
}

static json_t *
s_doc(pacta_handler_ctx_t *ctx, const char *contract_id)
{
    json_t *doc = pacta_handler_doc(ctx, DOC);
    if (!json_object_get(doc, "contract_id"))
        pacta_jdoc_set_str(doc, "contract_id", contract_id);
    if (!json_object_get(doc, "state"))
        pacta_jdoc_set_str(doc, "state", "active");
    if (!json_object_get(doc, "suspension"))
        json_object_set_new(doc, "suspension", json_null());
    pacta_jdoc_array(doc, "invoices");
    return doc;
}

/* Fills view from the document. */
static void
s_view(const json_t *doc, const char *contract_id, view_t *view)
{
    memset(view, 0, sizeof *view);
    pacta_contract_t *contract = &view->contract;
    snprintf(contract->id, sizeof contract->id, "%s", contract_id);
    contract->start_on = PACTA_DATE_INVALID;
    contract->ends_on = PACTA_DATE_INVALID;
    contract->performance_started_on = PACTA_DATE_INVALID;
    contract->suspended_since = PACTA_DATE_INVALID;
    contract->state = PACTA_CONTRACT_ACTIVE;
    const json_t *suspension = json_object_get(doc, "suspension");
    if (json_is_object(suspension)) {
        contract->state = PACTA_CONTRACT_SUSPENDED;
        contract->suspended_since = pacta_jdoc_date(suspension, "since");
        snprintf(contract->suspension_reason, sizeof contract->suspension_reason, "%s",
                 pacta_jdoc_str(suspension, "reason"));
    }
    size_t index;
    json_t *item;
    size_t payments = 0;
    json_array_foreach(json_object_get(doc, "invoices"), index, item) {
        if (view->ledger.invoice_count == LEDGER_MAX)
            break;
        pacta_invoice_t *invoice = &view->invoices[view->ledger.invoice_count++];
        snprintf(invoice->id, sizeof invoice->id, "%s", pacta_jdoc_str(item, "invoice_id"));
        snprintf(invoice->contract_id, sizeof invoice->contract_id, "%s", contract_id);
        invoice->kind = PACTA_INVOICE_SUBSCRIPTION;
        invoice->issued_on = pacta_jdoc_date(item, "issued_on");
        invoice->received_on = PACTA_DATE_INVALID;
        invoice->printed_due_on = pacta_jdoc_date(item, "due_on");
        invoice->due_on = invoice->printed_due_on;
        invoice->period_from = PACTA_DATE_INVALID;
        invoice->period_to = PACTA_DATE_INVALID;
        invoice->amount = pacta_jdoc_int(item, "amount_cents");
        pacta_date_t paid_on = pacta_jdoc_date(item, "paid_on");
        invoice->state = pacta_date_is_valid(paid_on) ? PACTA_INVOICE_PAID : PACTA_INVOICE_OPEN;
        if (pacta_date_is_valid(paid_on)) {
            pacta_payment_t *payment = &view->payments[payments++];
            snprintf(payment->id, sizeof payment->id, "%s", pacta_jdoc_str(item, "payment_ref"));
            snprintf(payment->invoice_id, sizeof payment->invoice_id, "%s", pacta_jdoc_str(item, "invoice_id"));
            payment->amount = pacta_jdoc_int(item, "paid_cents");
            payment->received_on = paid_on;
        }
    }
    view->ledger.invoices = view->invoices;
    view->ledger.payments = view->payments;
    view->ledger.payment_count = payments;
}

/* ---- decisions -> effect ----------------------------------------------------------------- */

static Pacta__V1__SuspensionReason
s_reason_value(const char *reason)
{
    if (strcmp(reason, "unpaid") == 0)
        return PACTA__V1__SUSPENSION_REASON__SUSPENSION_REASON_UNPAID_INVOICE;
    if (strcmp(reason, "content") == 0)
        return PACTA__V1__SUSPENSION_REASON__SUSPENSION_REASON_CONTENT;
    if (strcmp(reason, "force_majeure") == 0)
        return PACTA__V1__SUSPENSION_REASON__SUSPENSION_REASON_FORCE_MAJEURE;
    return PACTA__V1__SUSPENSION_REASON__SUSPENSION_REASON_UNSPECIFIED;
}

/* Audits decision and returns its explanation message (caller destroys). */
static Pacta__V1__Explanation *
s_record(pacta_handler_ctx_t *ctx, const pacta_decision_t *decision, const char *contract_id, const char *type,
         pacta_date_t today, char decision_id[PACTA_DECIDE_ID_SIZE])
{
    const pacta_profile_t *profile = pacta_handler_profile(ctx);
    pacta_decide_id(decision, contract_id, decision_id, PACTA_DECIDE_ID_SIZE);
    json_t *entry = pacta_decide_audit_entry(decision, profile, decision_id, type, today);
    if (entry)
        pacta_handler_audit(ctx, entry);
    json_decref(entry);
    return pacta_decide_explanation_new(decision, profile, today);
}

/* A decision the slice does not act on yet (a notice to the operator, a
   proposal): recorded so the operator sees it, nothing else. */
static void
s_record_only(pacta_handler_ctx_t *ctx, const pacta_decision_t *decision, const char *contract_id, pacta_date_t today)
{
    //  A proposal waits for the operator (enf_proposals.c).
    if (decision->status == PACTA_DECISION_PROPOSAL) {
        enf_propose(ctx, pacta_handler_doc(ctx, DOC), decision, contract_id, today);
        return;
    }
    char decision_id[PACTA_DECIDE_ID_SIZE];
    Pacta__V1__Explanation *why = s_record(ctx, decision, contract_id, NULL, today, decision_id);
    pacta_decide_explanation_destroy(&why);
}

static int
s_apply_suspend(pacta_handler_ctx_t *ctx, json_t *doc, const pacta_decision_t *decision, const char *contract_id,
                pacta_date_t today)
{
    char decision_id[PACTA_DECIDE_ID_SIZE];
    Pacta__V1__Explanation *why = s_record(ctx, decision, contract_id, "pacta.v1.Suspend", today, decision_id);
    json_t *suspension = json_object();
    pacta_jdoc_set_str(suspension, "decision_id", decision_id);
    pacta_jdoc_set_str(suspension, "reason", decision->reason);
    pacta_jdoc_set_date(suspension, "since", decision->date);
    json_t *invoice_ids = json_array();
    if (decision->ref[0])
        json_array_append_new(invoice_ids, json_string(decision->ref));
    json_object_set_new(suspension, "invoice_ids", invoice_ids);
    json_object_set_new(doc, "suspension", suspension);
    pacta_jdoc_set_str(doc, "state", "suspended");

    Pacta__V1__Date from = PACTA__V1__DATE__INIT;
    pacta_handler_set_date(&from, decision->date);
    char *ids[1] = {(char *) decision->ref};
    Pacta__V1__Suspend suspend = PACTA__V1__SUSPEND__INIT;
    suspend.decision_id = decision_id;
    suspend.contract_id = (char *) contract_id;
    suspend.reason = s_reason_value(decision->reason);
    suspend.suspended_from = &from;
    suspend.n_invoice_ids = decision->ref[0] ? 1 : 0;
    suspend.invoice_ids = ids;
    suspend.explanation = why;
    int rc = pacta_handler_emit(ctx, &suspend.base, PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_DECISION, NULL, NULL, NULL);
    pacta_decide_explanation_destroy(&why);
    return rc;
}

static int
s_apply_restore(pacta_handler_ctx_t *ctx, const pacta_decision_t *decision, const char *contract_id,
                const char *reason, pacta_date_t today)
{
    char decision_id[PACTA_DECIDE_ID_SIZE];
    Pacta__V1__Explanation *why = s_record(ctx, decision, contract_id, "pacta.v1.Restore", today, decision_id);
    Pacta__V1__Date on = PACTA__V1__DATE__INIT;
    pacta_handler_set_date(&on, decision->date);
    Pacta__V1__Restore restore = PACTA__V1__RESTORE__INIT;
    restore.decision_id = decision_id;
    restore.contract_id = (char *) contract_id;
    restore.reason = s_reason_value(reason);
    restore.restored_on = &on;
    restore.explanation = why;
    int rc = pacta_handler_emit(ctx, &restore.base, PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_DECISION, NULL, NULL, NULL);
    pacta_decide_explanation_destroy(&why);
    return rc;
}

static int
s_apply_lost_period(pacta_handler_ctx_t *ctx, const pacta_decision_t *decision, const char *contract_id,
                    const char *reason, pacta_date_t today)
{
    char decision_id[PACTA_DECIDE_ID_SIZE];
    Pacta__V1__Explanation *why = s_record(ctx, decision, contract_id, "pacta.v1.LostPeriod", today, decision_id);
    Pacta__V1__Date from = PACTA__V1__DATE__INIT, through = PACTA__V1__DATE__INIT;
    pacta_handler_set_date(&from, decision->date);
    pacta_handler_set_date(&through, decision->until);
    Pacta__V1__LostPeriod lost = PACTA__V1__LOST_PERIOD__INIT;
    lost.decision_id = decision_id;
    lost.contract_id = (char *) contract_id;
    lost.reason = s_reason_value(reason);
    lost.lost_from = &from;
    lost.lost_through = &through;
    lost.explanation = why;
    int rc = pacta_handler_emit(ctx, &lost.base, PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_DECISION, NULL, NULL, NULL);
    pacta_decide_explanation_destroy(&why);
    return rc;
}

/* ---- InvoiceIssued ---------------------------------------------------------------------- */

static int
s_on_invoice_issued(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__InvoiceIssued *msg = (const Pacta__V1__InvoiceIssued *) payload;
    if (s_check_entity(ctx, msg->contract_id) != 0)
        return -1;
    pacta_date_t issued_on = pacta_handler_date(msg->issued_on);
    pacta_date_t due_on = PACTA_DATE_INVALID;
    char sc[PACTA_SC_SIZE];
    //  What invoicing refuses is refused here too, or this service would
    //  record a fact the NACK says was refused (pacta_facts.h).
    if (pacta_facts_check_invoice_issued(ctx, msg, &due_on, sc) != 0)
        return -1;
    json_t *doc = s_doc(ctx, msg->contract_id);
    json_t *invoices = pacta_jdoc_array(doc, "invoices");
    if (pacta_jdoc_find(invoices, "invoice_id", msg->invoice_id))
        return 0;
    //  Only unpaid invoices decide suspensions; the oldest paid ones make room.
    for (size_t i = 0; json_array_size(invoices) >= LEDGER_MAX && i < json_array_size(invoices);) {
        if (pacta_date_is_valid(pacta_jdoc_date(json_array_get(invoices, i), "paid_on")))
            json_array_remove(invoices, i);
        else
            i++;
    }
    if (json_array_size(invoices) >= LEDGER_MAX)
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_CONFLICT, "invoice_id",
                                    "contract %s already has %d unpaid invoices tracked", msg->contract_id,
                                    LEDGER_MAX);
    json_t *invoice = json_object();
    pacta_jdoc_set_str(invoice, "invoice_id", msg->invoice_id);
    pacta_jdoc_set_date(invoice, "issued_on", issued_on);
    pacta_jdoc_set_date(invoice, "due_on", due_on);
    pacta_jdoc_set_int(invoice, "amount_cents", msg->total_incl_vat->cents);
    pacta_jdoc_set_date(invoice, "overdue_from", PACTA_DATE_INVALID);
    pacta_jdoc_set_date(invoice, "paid_on", msg->total_incl_vat->cents == 0 ? issued_on : PACTA_DATE_INVALID);
    pacta_jdoc_set_int(invoice, "paid_cents", 0);
    json_array_append_new(invoices, invoice);
    pacta_handler_put_doc(ctx, DOC);
    //  CC-7: ordered options and à-la-carte services billed by it wait for it.
    return enf_options_invoice_issued(ctx, doc, msg);
}

/* ---- InvoiceOverdue: CC-3b ------------------------------------------------------------------ */

static int
s_on_invoice_overdue(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__InvoiceOverdue *msg = (const Pacta__V1__InvoiceOverdue *) payload;
    if (s_check_entity(ctx, msg->contract_id) != 0)
        return -1;
    json_t *doc = s_doc(ctx, msg->contract_id);
    json_t *invoice = pacta_jdoc_find(pacta_jdoc_array(doc, "invoices"), "invoice_id", msg->invoice_id);
    if (!invoice) {
        char waiting[120];
        snprintf(waiting, sizeof waiting, "invoice %.60s (its InvoiceIssued)", msg->invoice_id);
        return pacta_handler_park(ctx, waiting);
    }
    pacta_date_t today = pacta_handler_date(msg->overdue_from);
    pacta_jdoc_set_date(invoice, "overdue_from", today);
    pacta_handler_put_doc(ctx, DOC);
    if (msg->disputed)
        return 0;   /* SG-8e: a disputed invoice suspends nothing; recorded as overdue only */
    const pacta_date_t ended_on = pacta_jdoc_date(doc, "ended_on");
    if (pacta_date_is_valid(ended_on) && today > ended_on)
        return 0;   /* the contract is over (ContractEnded): nothing left to suspend; collection goes on */

    view_t *view = calloc(1, sizeof *view);
    pacta_outcome_t *outcome = pacta_outcome_new();
    int rc = -1;
    if (!view || !outcome) {
        pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_RETRY_LATER, NULL, "out of memory");
        goto cleanup;
    }
    s_view(doc, msg->contract_id, view);
    if (rule_cc3b_suspend_unpaid(pacta_handler_profile(ctx), &view->contract, &view->ledger, today, outcome) != 0) {
        pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_INVALID, "overdue_from",
                             "CC-3b cannot be evaluated on these dates");
        goto cleanup;
    }
    rc = 0;
    for (size_t i = 0; i < outcome->count && rc == 0; i++) {
        const pacta_decision_t *decision = &outcome->items[i];
        if (decision->kind == PACTA_DECISION_SUSPEND && decision->status == PACTA_DECISION_APPLY)
            rc = s_apply_suspend(ctx, doc, decision, msg->contract_id, today);
        else
            s_record_only(ctx, decision, msg->contract_id, today);
    }
cleanup:
    pacta_outcome_destroy(&outcome);
    free(view);
    return rc;
}

/* ---- InvoicePaid: CC-3c, CC-3d ----------------------------------------------------------------- */

static int
s_on_invoice_paid(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__InvoicePaid *msg = (const Pacta__V1__InvoicePaid *) payload;
    if (s_check_entity(ctx, msg->contract_id) != 0)
        return -1;
    json_t *doc = s_doc(ctx, msg->contract_id);
    json_t *invoice = pacta_jdoc_find(pacta_jdoc_array(doc, "invoices"), "invoice_id", msg->invoice_id);
    if (!invoice) {
        char waiting[120];
        snprintf(waiting, sizeof waiting, "invoice %.60s (its InvoiceIssued)", msg->invoice_id);
        return pacta_handler_park(ctx, waiting);
    }
    if (pacta_date_is_valid(pacta_jdoc_date(invoice, "paid_on")))
        return 0;
    pacta_date_t paid_on = pacta_handler_date(msg->paid_on);
    pacta_jdoc_set_date(invoice, "paid_on", paid_on);
    pacta_jdoc_set_int(invoice, "paid_cents",
                       msg->total_paid ? msg->total_paid->cents : pacta_jdoc_int(invoice, "amount_cents"));
    char payment_ref[PACTA_REF_SIZE];
    snprintf(payment_ref, sizeof payment_ref, "paid:%.40s", msg->invoice_id);
    pacta_jdoc_set_str(invoice, "payment_ref", payment_ref);
    pacta_handler_put_doc(ctx, DOC);
    if (enf_withdraw_settled(ctx, doc, pacta_handler_date(msg->paid_on)) != 0)
        return -1;
    //  CC-7: the work it paid for starts today.
    if (enf_options_invoice_paid(ctx, doc, msg->invoice_id) != 0)
        return -1;

    const json_t *suspension = json_object_get(doc, "suspension");
    if (!json_is_object(suspension))
        return 0;
    char reason[PACTA_REASON_SIZE];
    snprintf(reason, sizeof reason, "%s", pacta_jdoc_str(suspension, "reason"));
    const pacta_profile_t *profile = pacta_handler_profile(ctx);
    view_t *view = calloc(1, sizeof *view);
    pacta_outcome_t *outcome = pacta_outcome_new();
    int rc = -1;
    if (!view || !outcome) {
        pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_RETRY_LATER, NULL, "out of memory");
        goto cleanup;
    }
    s_view(doc, msg->contract_id, view);
    if (rule_cc3c_restore_on_payment(profile, &view->contract, &view->ledger, paid_on, outcome) != 0
        || enf_sg5c_restore_on_payment(profile, &view->contract, &view->ledger, paid_on, outcome) != 0) {
        pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_INVALID, "paid_on",
                             "CC-3c / SG-5c cannot be evaluated on these dates");
        goto cleanup;
    }
    const pacta_decision_t *restore = pacta_outcome_find(outcome, PACTA_DECISION_RESTORE);
    rc = 0;
    if (!restore || restore->status != PACTA_DECISION_APPLY) {
        for (size_t i = 0; i < outcome->count; i++)
            s_record_only(ctx, &outcome->items[i], msg->contract_id, paid_on);
        goto cleanup;   /* a partial payment restores nothing */
    }
    pacta_date_t restored_on = restore->date;
    rc = s_apply_restore(ctx, restore, msg->contract_id, reason, paid_on);
    pacta_outcome_t *lost = pacta_outcome_new();
    if (!lost) {
        rc = pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_RETRY_LATER, NULL, "out of memory");
        goto cleanup;
    }
    if (rc == 0 && rule_cc3d_record_lost_period(profile, &view->contract, restored_on, lost) == 0) {
        for (size_t i = 0; i < lost->count && rc == 0; i++) {
            const pacta_decision_t *decision = &lost->items[i];
            if (decision->kind == PACTA_DECISION_LOST_PERIOD && decision->status == PACTA_DECISION_APPLY)
                rc = s_apply_lost_period(ctx, decision, msg->contract_id, reason, paid_on);
            else
                s_record_only(ctx, decision, msg->contract_id, paid_on);
        }
    }
    pacta_outcome_destroy(&lost);
    json_object_set_new(doc, "suspension", json_null());
    pacta_jdoc_set_str(doc, "state", "active");
cleanup:
    pacta_outcome_destroy(&outcome);
    free(view);
    return rc;
}

/* ---- shared with the other handler files ------------------------------------------------------------ */

int
enf_check_entity(pacta_handler_ctx_t *ctx, const char *contract_id)
{
    return s_check_entity(ctx, contract_id);
}

json_t *
enf_doc(pacta_handler_ctx_t *ctx, const char *contract_id)
{
    return s_doc(ctx, contract_id);
}

int
enf_apply_suspend(pacta_handler_ctx_t *ctx, json_t *doc, const pacta_decision_t *decision, const char *contract_id,
                  pacta_date_t today)
{
    return s_apply_suspend(ctx, doc, decision, contract_id, today);
}

int
enf_apply_restore(pacta_handler_ctx_t *ctx, const pacta_decision_t *decision, const char *contract_id,
                  const char *reason, pacta_date_t today)
{
    return s_apply_restore(ctx, decision, contract_id, reason, today);
}

int
enf_apply_lost_period(pacta_handler_ctx_t *ctx, const pacta_decision_t *decision, const char *contract_id,
                      const char *reason, pacta_date_t today)
{
    return s_apply_lost_period(ctx, decision, contract_id, reason, today);
}

int
enf_no_memory(pacta_handler_ctx_t *ctx)
{
    return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_RETRY_LATER, NULL, "out of memory");
}

void
enf_audit_fact(pacta_handler_ctx_t *ctx, const char *summary, pacta_date_t date, const char *ref)
{
    char day[PACTA_DATE_STR_LEN];
    pacta_handler_date_text(date, day, sizeof day);
    json_t *fact = json_pack("{s:s, s:s, s:s, s:s, s:s}", "entry", "fact", "message_type",
                             pacta_handler_cause_type(ctx), "summary", summary, "date", day, "ref", ref);
    if (fact)
        pacta_handler_audit(ctx, fact);
    json_decref(fact);
}

void
enf_contract_from_doc(const json_t *doc, const char *contract_id, pacta_contract_t *contract)
{
    memset(contract, 0, sizeof *contract);
    snprintf(contract->id, sizeof contract->id, "%s", contract_id);
    contract->state = PACTA_CONTRACT_ACTIVE;
    contract->start_on = PACTA_DATE_INVALID;
    contract->ends_on = pacta_jdoc_date(doc, "ended_on");
    contract->performance_started_on = PACTA_DATE_INVALID;
    contract->suspended_since = PACTA_DATE_INVALID;
    contract->formation.order_form_signed_on = PACTA_DATE_INVALID;
    contract->formation.e_signed_on = PACTA_DATE_INVALID;
    contract->formation.quote_validated_on = PACTA_DATE_INVALID;
    contract->formation.first_used_on = PACTA_DATE_INVALID;
    contract->formation.order_confirmed_on = PACTA_DATE_INVALID;
    const json_t *suspension = json_object_get(doc, "suspension");
    if (json_is_object(suspension)) {
        contract->state = PACTA_CONTRACT_SUSPENDED;
        contract->suspended_since = pacta_jdoc_date(suspension, "since");
        snprintf(contract->suspension_reason, sizeof contract->suspension_reason, "%s",
                 pacta_jdoc_str(suspension, "reason"));
    }
}

/* ---- the declaration ----------------------------------------------------------------------- */

static const char *const s_doc_names[] = {DOC, NULL};
static const char *const s_issued_required[] = {"invoice_id", "contract_id", "issued_on", "total_incl_vat", NULL};
static const char *const s_overdue_required[] = {"invoice_id", "contract_id", "due_on", "overdue_from", NULL};
static const char *const s_paid_required[] = {"invoice_id", "contract_id", "paid_on", NULL};

static const char *const s_approved_required[] = {"decision_id", "contract_id", NULL};
static const char *const s_ended_required[] = {"contract_id", "ended_on", NULL};

static const char *const s_cause_required[] = {"contract_id", "cause", "requested_on", NULL};
static const char *const s_default_required[] = {"contract_id", "notice", "remedy_by", NULL};
static const char *const s_remedied_required[] = {"contract_id", "remedied_on", NULL};
static const char *const s_default_end_required[] = {"contract_id", "notice", NULL};
static const char *const s_fm_started_required[] = {"contract_id", "started_on", NULL};
static const char *const s_fm_ended_required[] = {"contract_id", "ended_on", NULL};
static const char *const s_content_required[] = {"contract_id", "content_id", "deadline", NULL};
static const char *const s_delivered_required[] = {"contract_id", "content_id", "delivered_on", NULL};
static const char *const s_campaign_required[] = {"contract_id", "campaign_id", "launch_on", NULL};
static const char *const s_budget_required[] = {"contract_id", "campaign_id", NULL};
static const char *const s_option_required[] = {"contract_id", "item", "ordered_on", NULL};

static const pacta_message_handler_t s_messages[] = {
    {"pacta.v1.InvoiceIssued", s_on_invoice_issued, s_issued_required, s_doc_names},
    {"pacta.v1.TerminationForCauseRequested", enf_on_termination_for_cause, s_cause_required, s_doc_names},
    {"pacta.v1.ProviderDefaultNotified", enf_on_provider_default_notified, s_default_required, s_doc_names},
    {"pacta.v1.ProviderDefaultRemedied", enf_on_provider_default_remedied, s_remedied_required, s_doc_names},
    {"pacta.v1.TerminationForProviderDefaultRequested", enf_on_termination_for_provider_default,
     s_default_end_required, s_doc_names},
    {"pacta.v1.ForceMajeureStarted", enf_on_force_majeure_started, s_fm_started_required, s_doc_names},
    {"pacta.v1.ForceMajeureEnded", enf_on_force_majeure_ended, s_fm_ended_required, s_doc_names},
    {"pacta.v1.ContentDeadlineSet", enf_on_content_deadline_set, s_content_required, s_doc_names},
    {"pacta.v1.ContentDelivered", enf_on_content_delivered, s_delivered_required, s_doc_names},
    {"pacta.v1.CampaignScheduled", enf_on_campaign_scheduled, s_campaign_required, s_doc_names},
    {"pacta.v1.AdBudgetConfirmed", enf_on_ad_budget_confirmed, s_budget_required, s_doc_names},
    {"pacta.v1.OptionOrdered", enf_on_option_ordered, s_option_required, s_doc_names},
    {"pacta.v1.ContractEnded", enf_on_contract_ended, s_ended_required, s_doc_names},
    {"pacta.v1.DecisionApproved", enf_on_decision_approved, s_approved_required, s_doc_names},
    {"pacta.v1.DecisionRejected", enf_on_decision_rejected, s_approved_required, s_doc_names},
    {"pacta.v1.InvoiceOverdue", s_on_invoice_overdue, s_overdue_required, s_doc_names},
    {"pacta.v1.InvoicePaid", s_on_invoice_paid, s_paid_required, s_doc_names},
};

static const pacta_timer_handler_t s_timers[] = {
    {ENF_TIMER_FORCE_MAJEURE, enf_on_force_majeure_timer, s_doc_names},
    {ENF_TIMER_CONTENT, enf_on_content_timer, s_doc_names},
    {ENF_TIMER_CAMPAIGN, enf_on_campaign_timer, s_doc_names},
};

const pacta_handler_set_t enf_handlers = {
    .messages = s_messages,
    .message_count = sizeof s_messages / sizeof s_messages[0],
    .timers = s_timers,
    .timer_count = sizeof s_timers / sizeof s_timers[0],
    .arg = NULL,
};
