/*  =========================================================================
    inv_handlers - what invoicing does with the messages and timers it owns

    InvoiceIssued: validated (dates, amount, structured communication with
    its mod-97 check digits, generated when absent), stored in the
    contract's ledger (docs/state.md), an "invoice.overdue" timer at the
    start of the day after the due date. PaymentReceived: matched by
    structured communication, else invoice id; a payment whose invoice is
    not there yet is parked; what exceeds the invoice is kept as credit;
    PaymentApplied, and InvoicePaid once fully paid. A payment sent on
    p:<structured communication> is forwarded to its contract's key, or
    parked until an invoice with that communication appears. The overdue
    timer emits InvoiceOverdue when the invoice is still not fully paid.
    The same set also declares the handlers of inv_periodic (CC-3a
    anniversary invoices: ContractSigned/Started/Ended, timer
    "invoice.periodic"), inv_late (ReminderSent, FormalNoticeSent,
    InvoiceDisputed, InvoiceDisputeResolved; late charges when a late
    invoice is settled; DecisionApproved / DecisionRejected of late-charge
    proposals), inv_referral (CC-8 ReferralRegistered) and inv_deposit
    (SG-2b: QuoteIssued, QuoteAccepted; DepositPaid once the deposit
    invoice is settled). The decisions that fix a contract's last day
    (NonRenewalNoticeRecorded, TerminationNoticeRecorded,
    EarlyTerminationAccepted, ContractRenewed, Terminate) stop CC-3a, and
    the termination indemnities they carry are billed (inv_termination).
    =========================================================================
*/
#ifndef INV_HANDLERS_H_INCLUDED
#define INV_HANDLERS_H_INCLUDED

#include "pacta_handler.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The handlers of the invoicing service (spec.handlers). */
extern const pacta_handler_set_t inv_handlers;

#ifdef __cplusplus
}
#endif

#endif
