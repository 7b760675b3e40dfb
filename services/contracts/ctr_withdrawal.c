/*  =========================================================================
    ctr_withdrawal - the client's withdrawal (CC-9, SG-3; L-3 a floor for
    consumers) and the terminations enforcement decides (Terminate)

    Both withdrawal clauses read the same profile block (`withdrawal`); the
    handler picks the rule by its shape, not by the tenant's name: a block
    limited to consumers at a distance (`consumer_distance_only`) is the
    SG-3 kind, which reads the request's exceptions (customised goods, a
    service fully performed after express consent); any other is the CC-9
    kind, which reads the contract's invoices to credit them.

    Design decision: contracts keeps its own list of the contract's
    invoices (InvoiceIssued, only while a CC-9 withdrawal could still
    credit them) instead of reading invoicing's ledger: services share
    facts through messages only (docs/state.md §2), and the ids a
    WithdrawalAccepted names are then exactly those the rule credited. A
    withdrawal cancels the contract at once: the document becomes
    `cancelled` and ContractEnded is emitted in the same effect, since
    there is no last day to wait for.

    A Terminate (SG-4c, SG-4d, CC-13: enforcement decided or an operator
    approved it) only fixes the last day, like every other end: the
    contract.end timer ends the contract the day after (ctr_terms.c).
    =========================================================================
*/
#include "ctr_withdrawal.h"
#include "ctr_terms.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pacta/v1/enforcement.pb-c.h"
#include "pacta/v1/invoicing.pb-c.h"
#include "pacta_decide.h"
#include "pacta_facts.h"
#include "pacta_jdoc.h"
#include "pacta_pbjson.h"
#include "rules_cc.h"
#include "rules_sg.h"
#include "rules_withdrawal.h"

#define DOC "contract"
#define INVALID_REASON PACTA__V1__NACK_REASON__NACK_REASON_INVALID
#define DECISION_KIND PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_DECISION
#define TRACKED_INVOICES_MAX 32          /* invoices a withdrawal can credit (the period is 14 days) */
#define KEPT_ITEMS_MAX 16                /* à-la-carte items named in one WithdrawalAccepted */

/* ---- helpers ---------------------------------------------------------------------------------- */

static bool
s_is_over(const json_t *doc)
{
    const char *state = pacta_jdoc_str(doc, "state");
    return strcmp(state, "ended") == 0 || strcmp(state, "cancelled") == 0;
}

/* The SG-3 kind of withdrawal clause (see the block comment). */
static bool
s_consumer_clause(const pacta_profile_t *profile)
{
    return profile->withdrawal.consumer_distance_only;
}

void
ctr_record_formation(json_t *doc, const Pacta__V1__ContractSigned *msg)
{
    pacta_date_t signed_on = pacta_handler_date(msg->signed_on);
    pacta_jdoc_set_date(doc, "order_confirmed_on",
                        msg->order_confirmed_on ? pacta_handler_date(msg->order_confirmed_on) : signed_on);
    pacta_jdoc_set_bool(doc, "distance_or_off_premises", msg->distance_or_off_premises);
    pacta_jdoc_set_bool(doc, "express_consent_to_start", msg->express_consent_to_start);
    bool customised = false;
    json_t *a_la_carte = json_array();
    for (size_t i = 0; i < msg->n_items; i++) {
        const Pacta__V1__ServiceItem *item = msg->items[i];
        if (!item)
            continue;
        customised = customised || item->customised;
        if (item->a_la_carte && a_la_carte && json_array_size(a_la_carte) < KEPT_ITEMS_MAX)
            json_array_append_new(a_la_carte, json_string(item->item_id));
    }
    pacta_jdoc_set_bool(doc, "customised_goods", customised);
    if (a_la_carte)
        json_object_set_new(doc, "a_la_carte_item_ids", a_la_carte);
}

/* The contract as CC-9 and SG-3 read it: the document plus its formation
   facts. Decision: the order form's signature is the signature the
   contract was made with, on paper or electronic (CC-9 counts from it). */
static void
s_withdrawal_contract(const json_t *doc, pacta_contract_t *contract)
{
    ctr_contract_from_doc(doc, contract);
    pacta_formation_t *formation = &contract->formation;
    formation->order_form_signed_on = pacta_jdoc_date(doc, "signed_on");
    formation->order_confirmed_on = pacta_jdoc_date(doc, "order_confirmed_on");
    if (!pacta_date_is_valid(formation->order_confirmed_on))
        formation->order_confirmed_on = pacta_jdoc_date(json_object_get(doc, "quote"), "accepted_on");
    if (!pacta_date_is_valid(formation->order_confirmed_on))
        formation->order_confirmed_on = formation->order_form_signed_on;
    formation->at_distance = pacta_jdoc_bool(doc, "distance_or_off_premises");
    contract->performance_started_on = pacta_jdoc_date(doc, "performance_started_on");
    contract->has_a_la_carte_lines = contract->kind != PACTA_CONTRACT_A_LA_CARTE
                                     && json_array_size(json_object_get(doc, "a_la_carte_item_ids")) > 0;
}

/* The invoices of the document as CC-9 reads them. */
static void
s_ledger(const json_t *doc, const char *contract_id, pacta_invoice_t invoices[TRACKED_INVOICES_MAX],
         pacta_ledger_t *ledger)
{
    memset(ledger, 0, sizeof *ledger);
    size_t index;
    json_t *item;
    json_array_foreach(json_object_get(doc, "invoices"), index, item) {
        if (ledger->invoice_count == TRACKED_INVOICES_MAX)
            break;
        pacta_invoice_t *invoice = &invoices[ledger->invoice_count++];
        memset(invoice, 0, sizeof *invoice);
        snprintf(invoice->id, sizeof invoice->id, "%s", pacta_jdoc_str(item, "invoice_id"));
        snprintf(invoice->contract_id, sizeof invoice->contract_id, "%s", contract_id);
        invoice->kind = pacta_jdoc_bool(item, "a_la_carte") ? PACTA_INVOICE_A_LA_CARTE : PACTA_INVOICE_SUBSCRIPTION;
        invoice->state = PACTA_INVOICE_OPEN;
        invoice->issued_on = pacta_jdoc_date(item, "issued_on");
        invoice->received_on = PACTA_DATE_INVALID;
        invoice->printed_due_on = PACTA_DATE_INVALID;
        invoice->due_on = PACTA_DATE_INVALID;
        invoice->period_from = PACTA_DATE_INVALID;
        invoice->period_to = PACTA_DATE_INVALID;
        invoice->amount = pacta_jdoc_int(item, "amount_cents");
    }
    ledger->invoices = invoices;
}

static Pacta__V1__WithdrawalRefusal
s_refusal(const char *reason)
{
    if (strcmp(reason, "late") == 0)
        return PACTA__V1__WITHDRAWAL_REFUSAL__WITHDRAWAL_REFUSAL_LATE;
    if (strcmp(reason, "service_started") == 0 || strcmp(reason, "performance_started") == 0)
        return PACTA__V1__WITHDRAWAL_REFUSAL__WITHDRAWAL_REFUSAL_SERVICE_STARTED;
    if (strcmp(reason, "a_la_carte") == 0)
        return PACTA__V1__WITHDRAWAL_REFUSAL__WITHDRAWAL_REFUSAL_A_LA_CARTE;
    if (strcmp(reason, "customised_goods") == 0)
        return PACTA__V1__WITHDRAWAL_REFUSAL__WITHDRAWAL_REFUSAL_CUSTOMISED_GOODS;
    if (strcmp(reason, "fully_performed") == 0)
        return PACTA__V1__WITHDRAWAL_REFUSAL__WITHDRAWAL_REFUSAL_FULLY_PERFORMED;
    return PACTA__V1__WITHDRAWAL_REFUSAL__WITHDRAWAL_REFUSAL_NOT_APPLICABLE;
}

/* The last day the withdrawal was possible, as the rule computed it. */
static pacta_date_t
s_deadline(const pacta_decision_t *decision)
{
    pacta_date_t deadline = ctr_value_date(decision, "deadline");
    return pacta_date_is_valid(deadline) ? deadline : ctr_value_date(decision, "last_day");
}

/* ---- WithdrawalRequested: CC-9, SG-3 ---------------------------------------------------------- */

static int
s_refuse_withdrawal(pacta_handler_ctx_t *ctx, const pacta_decision_t *refuse, const char *contract_id,
                    pacta_date_t today)
{
    char decision_id[PACTA_DECIDE_ID_SIZE];
    ctr_audit_decision(ctx, refuse, contract_id, "pacta.v1.WithdrawalRefused", today, decision_id);
    Pacta__V1__Explanation *why = pacta_decide_explanation_new(refuse, pacta_handler_profile(ctx), today);
    Pacta__V1__Date deadline = PACTA__V1__DATE__INIT;
    pacta_date_t last_day = s_deadline(refuse);
    pacta_handler_set_date(&deadline, last_day);
    Pacta__V1__WithdrawalRefused msg = PACTA__V1__WITHDRAWAL_REFUSED__INIT;
    msg.contract_id = (char *) contract_id;
    msg.reason = s_refusal(refuse->reason);
    msg.deadline = strcmp(refuse->reason, "late") == 0 && pacta_date_is_valid(last_day) ? &deadline : NULL;
    msg.explanation = why;
    int rc = pacta_handler_emit(ctx, &msg.base, DECISION_KIND, NULL, NULL, NULL);
    pacta_decide_explanation_destroy(&why);
    return rc;
}

/* The contract is cancelled on cancel->date: its document, the audit, and
   WithdrawalAccepted + ContractEnded, in one effect. */
static int
s_cancel(pacta_handler_ctx_t *ctx, json_t *doc, const pacta_decision_t *cancel, bool keeps_a_la_carte,
         pacta_date_t today)
{
    const pacta_profile_t *profile = pacta_handler_profile(ctx);
    const char *contract_id = pacta_jdoc_str(doc, "contract_id");
    char decision_id[PACTA_DECIDE_ID_SIZE];
    ctr_audit_decision(ctx, cancel, contract_id, "pacta.v1.WithdrawalAccepted", today, decision_id);
    const pacta_date_t cancelled_on = cancel->date;
    json_t *credited = json_array();
    char *credit_ids[PACTA_DECISION_MAX_CHARGES];
    size_t credit_count = 0;
    for (size_t i = 0; i < cancel->charge_count && credited; i++)
        if (cancel->charges[i].kind == PACTA_CHARGE_CREDIT_NOTE) {
            json_array_append_new(credited, json_string(cancel->charges[i].ref));
            credit_ids[credit_count++] = (char *) cancel->charges[i].ref;
        }
    json_t *kept = keeps_a_la_carte ? json_deep_copy(json_object_get(doc, "a_la_carte_item_ids")) : json_array();
    char *kept_ids[KEPT_ITEMS_MAX];
    size_t kept_count = 0;
    size_t index;
    json_t *item;
    json_array_foreach(kept, index, item) {
        if (kept_count < KEPT_ITEMS_MAX && json_is_string(item))
            kept_ids[kept_count++] = (char *) json_string_value(item);
    }
    json_t *withdrawal = json_object();
    if (!credited || !kept || !withdrawal) {
        json_decref(credited);
        json_decref(kept);
        json_decref(withdrawal);
        return ctr_no_memory(ctx);
    }
    pacta_jdoc_set_str(withdrawal, "decision_id", decision_id);
    pacta_jdoc_set_date(withdrawal, "cancelled_on", cancelled_on);
    pacta_jdoc_set_date(withdrawal, "deadline", s_deadline(cancel));
    json_object_set_new(withdrawal, "invoices_to_credit", credited);
    json_object_set_new(withdrawal, "kept_item_ids", kept);
    json_object_set_new(doc, "withdrawal", withdrawal);
    pacta_jdoc_set_str(doc, "state", "cancelled");
    pacta_jdoc_set_date(doc, "ends_on", cancelled_on);
    pacta_jdoc_set_str(doc, "end_cause", "withdrawal");
    pacta_jdoc_set_str(doc, "end_decision_id", decision_id);
    pacta_jdoc_set_date(doc, "ended_on", cancelled_on);
    json_object_set_new(doc, "suspension", json_null());
    if (pacta_handler_put_doc(ctx, DOC) != 0)
        return -1;
    char summary[240], day[PACTA_DATE_STR_LEN];
    if (snprintf(summary, sizeof summary, "contract %.80s cancelled on %s (withdrawal, decision %.100s)", contract_id,
                 pacta_handler_date_text(cancelled_on, day, sizeof day), decision_id)
        >= (int) sizeof summary)
        summary[sizeof summary - 1] = '\0';
    ctr_audit_fact(ctx, summary, cancelled_on, contract_id);

    Pacta__V1__Explanation *why = pacta_decide_explanation_new(cancel, profile, today);
    Pacta__V1__Date on = PACTA__V1__DATE__INIT, deadline = PACTA__V1__DATE__INIT;
    pacta_handler_set_date(&on, cancelled_on);
    pacta_handler_set_date(&deadline, s_deadline(cancel));
    Pacta__V1__WithdrawalAccepted accepted = PACTA__V1__WITHDRAWAL_ACCEPTED__INIT;
    accepted.contract_id = (char *) contract_id;
    accepted.cancelled_on = &on;
    accepted.deadline = pacta_date_is_valid(s_deadline(cancel)) ? &deadline : NULL;
    accepted.n_invoices_to_credit = credit_count;
    accepted.invoices_to_credit = credit_ids;
    accepted.n_kept_item_ids = kept_count;
    accepted.kept_item_ids = kept_ids;
    accepted.explanation = why;
    int rc = pacta_handler_emit(ctx, &accepted.base, DECISION_KIND, NULL, NULL, NULL);
    Pacta__V1__ContractEnded ended = PACTA__V1__CONTRACT_ENDED__INIT;
    ended.contract_id = (char *) contract_id;
    ended.ended_on = &on;
    ended.cause = PACTA__V1__CONTRACT_END_CAUSE__CONTRACT_END_CAUSE_WITHDRAWAL;
    ended.subject_id = (char *) pacta_jdoc_str(json_object_get(doc, "client"), "subject_id");
    ended.explanation = why;
    if (rc == 0)
        rc = pacta_handler_emit(ctx, &ended.base, DECISION_KIND, NULL, NULL, NULL);
    pacta_decide_explanation_destroy(&why);
    return rc;
}

int
ctr_on_withdrawal_requested(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__WithdrawalRequested *msg = (const Pacta__V1__WithdrawalRequested *) payload;
    if (ctr_check_entity(ctx, msg->contract_id) != 0 || ctr_check_notice(ctx, msg->notice) != 0)
        return -1;
    json_t *doc = NULL;
    const int answer = ctr_open_contract(ctx, msg->contract_id, &doc);
    if (!doc)
        return answer;
    const pacta_profile_t *profile = pacta_handler_profile(ctx);
    pacta_letter_t letter;
    ctr_letter_from(msg->notice, PACTA__V1__PARTY_ROLE__PARTY_ROLE_CLIENT, msg->contract_id, &letter);
    if (!pacta_rule_enabled(&profile->withdrawal.rule)) {
        ctr_audit_fact(ctx, "withdrawal recorded; the tenant's terms have no withdrawal clause", letter.sent_on,
                       msg->contract_id);
        return 0;
    }
    pacta_contract_t contract;
    s_withdrawal_contract(doc, &contract);
    pacta_outcome_t *outcome = pacta_outcome_new();
    pacta_invoice_t *invoices = calloc(TRACKED_INVOICES_MAX, sizeof *invoices);
    int rc = -1;
    if (!outcome || !invoices) {
        ctr_no_memory(ctx);
        goto cleanup;
    }
    pacta_date_t today;
    if (s_consumer_clause(profile)) {
        //  SG-3 counts the sending day (« se rétracter dans les 14 jours »).
        today = letter.sent_on;
        pacta_withdrawal_request_t request = {
            .sent_on = letter.sent_on,
            .customised_goods = pacta_jdoc_bool(doc, "customised_goods"),
            .fully_performed = pacta_jdoc_bool(doc, "fully_performed"),
            .consent_and_acknowledgement = pacta_jdoc_bool(doc, "express_consent_to_start"),
        };
        if (rule_sg3_withdraw_consumer(profile, &contract, &request, outcome) != 0) {
            pacta_handler_refuse(ctx, INVALID_REASON, "notice.sent_on",
                                 "SG-3 cannot evaluate this withdrawal: the contract has no order confirmation date");
            goto cleanup;
        }
    }
    else {
        today = pacta_letter_received_on(profile, &letter);
        pacta_ledger_t ledger;
        s_ledger(doc, msg->contract_id, invoices, &ledger);
        if (rule_cc9_withdraw(profile, &contract, &letter, &ledger, outcome) != 0) {
            pacta_handler_refuse(ctx, INVALID_REASON, "notice.sent_on",
                                 "CC-9 cannot evaluate this withdrawal: the contract has no signature date");
            goto cleanup;
        }
    }
    rc = 0;
    const pacta_decision_t *cancel = pacta_outcome_find(outcome, PACTA_DECISION_CANCEL);
    bool keeps_a_la_carte = false;
    for (size_t i = 0; i < outcome->count && rc == 0; i++) {
        const pacta_decision_t *decision = &outcome->items[i];
        if (decision->kind != PACTA_DECISION_REFUSE)
            continue;
        if (cancel) {
            //  CC-9: the pack part is withdrawn, the à-la-carte part stays.
            char decision_id[PACTA_DECIDE_ID_SIZE];
            ctr_audit_decision(ctx, decision, msg->contract_id, NULL, today, decision_id);
            keeps_a_la_carte = true;
        }
        else
            rc = s_refuse_withdrawal(ctx, decision, msg->contract_id, today);
    }
    if (rc == 0 && cancel) {
        if (cancel->status == PACTA_DECISION_APPLY)
            rc = s_cancel(ctx, doc, cancel, keeps_a_la_carte, today);
        else {
            char decision_id[PACTA_DECIDE_ID_SIZE];
            ctr_audit_decision(ctx, cancel, msg->contract_id, NULL, today, decision_id);
        }
    }
cleanup:
    free(invoices);
    pacta_outcome_destroy(&outcome);
    return rc;
}

/* ---- InvoiceIssued: what a CC-9 withdrawal credits -------------------------------------------- */

int
ctr_on_invoice_issued(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__InvoiceIssued *msg = (const Pacta__V1__InvoiceIssued *) payload;
    if (ctr_check_entity(ctx, msg->contract_id) != 0)
        return -1;
    //  What invoicing refuses is refused here too (pacta_facts.h).
    pacta_date_t due_on = PACTA_DATE_INVALID;
    char sc[PACTA_SC_SIZE];
    if (pacta_facts_check_invoice_issued(ctx, msg, &due_on, sc) != 0)
        return -1;
    const pacta_profile_t *profile = pacta_handler_profile(ctx);
    const bool counts_for_start = pacta_rule_enabled(&profile->contract_start.rule);
    const bool counts_for_withdrawal = pacta_rule_enabled(&profile->withdrawal.rule) && !s_consumer_clause(profile);
    if (!counts_for_start && !counts_for_withdrawal)
        return 0;   /* neither CC-17 nor a CC-9 kind of withdrawal reads invoices */
    if (pacta_handler_doc_version(ctx, DOC) == 0)
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_RETRY_LATER, "contract_id",
                                    "contract %s is being created; retry", msg->contract_id);
    json_t *doc = pacta_handler_doc(ctx, DOC);
    if (s_is_over(doc))
        return 0;
    //  CC-17: once an invoice exists, moving the start needs an operator.
    bool changed = false;
    if (counts_for_start && !pacta_jdoc_bool(doc, "invoice_issued")) {
        pacta_jdoc_set_bool(doc, "invoice_issued", true);
        changed = true;
    }
    json_t *tracked = pacta_jdoc_array(doc, "invoices");
    if (!counts_for_withdrawal || pacta_jdoc_find(tracked, "invoice_id", msg->invoice_id)
        || json_array_size(tracked) >= TRACKED_INVOICES_MAX)
        return changed ? pacta_handler_put_doc(ctx, DOC) : 0;
    //  An invoice issued after the longest possible period can never be
    //  credited by a timely withdrawal: not kept.
    const pacta_date_t issued_on = pacta_handler_date(msg->issued_on);
    const pacta_date_t signed_on = pacta_jdoc_date(doc, "signed_on");
    int days = profile->withdrawal.calendar_days;
    if (profile->statutes.distance_withdrawal.calendar_days > days)
        days = profile->statutes.distance_withdrawal.calendar_days;
    if (pacta_date_is_valid(signed_on) && issued_on > pacta_calendar_days_deadline(signed_on, days))
        return changed ? pacta_handler_put_doc(ctx, DOC) : 0;
    bool a_la_carte = msg->n_lines > 0;
    for (size_t i = 0; i < msg->n_lines; i++)
        a_la_carte = a_la_carte && msg->lines[i] && msg->lines[i]->kind == PACTA__V1__LINE_KIND__LINE_KIND_A_LA_CARTE;
    json_t *invoice = json_object();
    if (!invoice)
        return ctr_no_memory(ctx);
    pacta_jdoc_set_str(invoice, "invoice_id", msg->invoice_id);
    pacta_jdoc_set_date(invoice, "issued_on", issued_on);
    pacta_jdoc_set_int(invoice, "amount_cents", msg->total_incl_vat->cents);
    pacta_jdoc_set_bool(invoice, "a_la_carte", a_la_carte);
    json_array_append_new(tracked, invoice);
    return pacta_handler_put_doc(ctx, DOC);
}

/* ---- Terminate: SG-4c, SG-4d, CC-13 ----------------------------------------------------------- */

static const char *
s_end_cause(Pacta__V1__TerminationCause cause)
{
    switch (cause) {
        case PACTA__V1__TERMINATION_CAUSE__TERMINATION_CAUSE_BANKRUPTCY:
        case PACTA__V1__TERMINATION_CAUSE__TERMINATION_CAUSE_INDEPENDENCE_THREAT:
        case PACTA__V1__TERMINATION_CAUSE__TERMINATION_CAUSE_SERIOUS_BREACH: return "for_cause";
        case PACTA__V1__TERMINATION_CAUSE__TERMINATION_CAUSE_PROVIDER_DEFAULT: return "provider_default";
        case PACTA__V1__TERMINATION_CAUSE__TERMINATION_CAUSE_FORCE_MAJEURE: return "force_majeure";
        default: break;
    }
    return "terminated";
}

int
ctr_on_terminate(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__Terminate *msg = (const Pacta__V1__Terminate *) payload;
    if (ctr_check_entity(ctx, msg->contract_id) != 0)
        return -1;
    if (pacta_handler_doc_version(ctx, DOC) == 0) {
        char waiting[120];
        snprintf(waiting, sizeof waiting, "contract %.60s (its ContractSigned)", msg->contract_id);
        return pacta_handler_park(ctx, waiting);
    }
    json_t *doc = pacta_handler_doc(ctx, DOC);
    if (strcmp(pacta_jdoc_str(doc, "end_decision_id"), msg->decision_id) == 0)
        return 0;   /* applied already */
    const pacta_date_t effective_on = pacta_handler_date(msg->effective_on);
    char summary[300], day[PACTA_DATE_STR_LEN];
    pacta_handler_date_text(pacta_jdoc_date(doc, "ends_on"), day, sizeof day);
    const pacta_date_t ends_on = pacta_jdoc_date(doc, "ends_on");
    if (s_is_over(doc) || (pacta_date_is_valid(ends_on) && ends_on <= effective_on)) {
        //  The contract ends anyway, no later: the decision is history only.
        if (snprintf(summary, sizeof summary, "termination %.100s recorded; contract %.60s already ends on %s",
                     msg->decision_id, msg->contract_id, day)
            >= (int) sizeof summary)
            summary[sizeof summary - 1] = '\0';
        ctr_audit_fact(ctx, summary, effective_on, msg->contract_id);
        return 0;
    }
    char text[64];
    json_t *termination = json_object();
    if (!termination)
        return ctr_no_memory(ctx);
    pacta_jdoc_set_str(termination, "decision_id", msg->decision_id);
    pacta_jdoc_set_str(termination, "cause", pacta_pbjson_enum_name(&pacta__v1__termination_cause__descriptor,
                                                                    msg->cause, text, sizeof text));
    pacta_jdoc_set_str(termination, "terminated_by", pacta_pbjson_enum_name(&pacta__v1__party_role__descriptor,
                                                                            msg->terminated_by, text, sizeof text));
    pacta_jdoc_set_date(termination, "effective_on", effective_on);
    pacta_jdoc_set_bool(termination, "without_indemnity", msg->without_indemnity);
    json_object_set_new(doc, "termination", termination);
    if (snprintf(summary, sizeof summary, "termination %.100s: contract %.60s ends on %s (%s)", msg->decision_id,
                 msg->contract_id, pacta_handler_date_text(effective_on, day, sizeof day), s_end_cause(msg->cause))
        >= (int) sizeof summary)
        summary[sizeof summary - 1] = '\0';
    ctr_audit_fact(ctx, summary, effective_on, msg->contract_id);
    return ctr_end_on(ctx, doc, effective_on, s_end_cause(msg->cause), msg->decision_id);
}
