/*  =========================================================================
    inv_periodic - CC-3a: invoicing issues the anniversary invoices itself

    ContractSigned gives invoicing the contract's billing terms (kind,
    billing period, fee per period, client kind), kept in the ledger under
    "contract"; ContractStarted gives the start date and schedules the
    timer of the next billing anniversary; ContractEnded, and before it
    every decision that fixes the last day (a non-renewal or termination
    notice, an accepted early termination, a renewal that is the last
    period, a Terminate), stops the series after that day.
    Each anniversary timer asks the rules core (rule_cc3a_issue_invoice)
    for the invoice of anniversary k and emits it as an InvoiceIssued that
    invoicing itself, enforcement and notifications consume like any
    invoice.
    =========================================================================
*/
#ifndef INV_PERIODIC_H_INCLUDED
#define INV_PERIODIC_H_INCLUDED

#include "pacta_handler.h"
#include "pacta_rules.h"

#ifdef __cplusplus
extern "C" {
#endif

#define INV_PERIODIC_TIMER "invoice.periodic"   /* timer purpose: one per billing anniversary */

int inv_on_contract_signed(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg);
int inv_on_contract_started(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg);
int inv_on_contract_ended(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg);
/* CC-3a: the decisions that fix the contract's last day before it comes
   (NonRenewalNoticeRecorded, TerminationNoticeRecorded,
   EarlyTerminationAccepted, ContractRenewed with ends_at_period_end,
   Terminate) stop the anniversary invoices after that day; the
   indemnity an EarlyTerminationAccepted or the unobserved fees a
   TerminationNoticeRecorded carry are billed (inv_termination). */
int inv_on_non_renewal_recorded(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg);
int inv_on_termination_notice_recorded(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg);
int inv_on_early_termination_accepted(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg);
int inv_on_contract_renewed(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg);
int inv_on_terminate(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg);
int inv_on_periodic_timer(pacta_handler_ctx_t *ctx, const json_t *data, void *arg);

/* The contract as the rules core reads it, from the ledger's "contract"
   member (zeroed, INVALID dates, when absent). 0, or -1 when the ledger
   knows nothing about the contract yet. */
int inv_contract_from_ledger(const json_t *ledger, const char *contract_id, pacta_contract_t *contract);

#ifdef __cplusplus
}
#endif

#endif
