/*  =========================================================================
    inv_late - late payment: reminders, formal notices, disputes, charges

    ReminderSent and FormalNoticeSent are recorded in the ledger as the
    letters the late-payment rules read; InvoiceDisputed goes through SG-8e
    (rule_sg8e_register_complaint) and InvoiceDisputeResolved ends the hold:
    corrected or credited gives a CreditNoteIssued and lowers what is owed,
    upheld or corrected may set the due date the late rules read from.
    When a late invoice is settled, pacta_late_charges_evaluate (SG-8e,
    SG-8c/L-2 or L-1/SG-8d) gives the charges due as of the payment date;
    invoicing bills the difference with what it already charged for that
    invoice on one charges invoice, one audit decision and one
    LateInterestCharged / IndemnityCharged / FeeCharged per component. A
    late rule in mode `propose` gives a pending proposal instead, billed
    when an operator approves it (DecisionApproved).
    =========================================================================
*/
#ifndef INV_LATE_H_INCLUDED
#define INV_LATE_H_INCLUDED

#include <jansson.h>

#include "pacta_handler.h"

#ifdef __cplusplus
extern "C" {
#endif

int inv_on_reminder_sent(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg);
int inv_on_formal_notice_sent(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg);
int inv_on_invoice_disputed(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg);
int inv_on_dispute_resolved(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg);

/* DecisionApproved / DecisionRejected of a late-charge proposal (a late
   rule in mode `propose`): approval bills the proposed charges (charges
   invoice, LateInterestCharged / IndemnityCharged / FeeCharged);
   rejection records it. Answers to other services' proposals are
   acknowledged and ignored. */
int inv_on_decision_approved(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg);
int inv_on_decision_rejected(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg);

/* Called by the payment handler once `invoice` (a member of the ledger's
   invoices) is fully paid: evaluates the late-payment rules as of its
   paid_on and owes the charges not charged yet. 0 or -1 (refused). */
int inv_late_settle(pacta_handler_ctx_t *ctx, json_t *ledger, json_t *invoice, const char *contract_id);

#ifdef __cplusplus
}
#endif

#endif
