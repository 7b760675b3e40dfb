/*  =========================================================================
    inv_deposit - SG-2b: invoicing issues the deposit invoice itself

    QuoteIssued gives invoicing the quote (total, the deposit rate it
    states, validity), kept in the ledger under "quote"; QuoteAccepted,
    when the rules core says it binds (rule_sg2a_accept_quote), makes
    invoicing issue the deposit invoice (rule_sg2b_invoice_deposit) as an
    InvoiceIssued of kind deposit, with a DepositInvoiced; the payment that
    settles it makes invoicing emit DepositPaid.
    =========================================================================
*/
#ifndef INV_DEPOSIT_H_INCLUDED
#define INV_DEPOSIT_H_INCLUDED

#include <jansson.h>

#include "pacta_handler.h"

#ifdef __cplusplus
extern "C" {
#endif

int inv_on_quote_issued(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg);
int inv_on_quote_accepted(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg);

/* Called by the payment handler once `invoice` (a member of the ledger's
   invoices) is fully paid: for the deposit invoice invoicing issued,
   emits DepositPaid. 0 or -1. */
int inv_deposit_settled(pacta_handler_ctx_t *ctx, json_t *ledger, json_t *invoice, const char *contract_id);

#ifdef __cplusplus
}
#endif

#endif
