/*  =========================================================================
    ctr_withdrawal - the client's withdrawal (CC-9, SG-3, with L-3 as a
    floor) and the terminations other services decide (Terminate: SG-4c,
    SG-4d, CC-13)

    Handlers of the contracts service, declared in ctr_handlers.c's table:
      WithdrawalRequested      CC-9 or SG-3 → WithdrawalAccepted + ContractEnded,
                               or WithdrawalRefused
      InvoiceIssued            the contract's invoices a CC-9 withdrawal credits
      Terminate                enforcement's decision: the contract's last day
                               is fixed; the contract.end timer ends it
    =========================================================================
*/
#ifndef CTR_WITHDRAWAL_H_INCLUDED
#define CTR_WITHDRAWAL_H_INCLUDED

#include <jansson.h>

#include "pacta/v1/contracts.pb-c.h"
#include "pacta_handler.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Keeps in the contract document what CC-9 and SG-3 read later from a
   signature: order confirmation, distance or off premises, express consent
   to start, customised goods, à-la-carte items. Called by ContractSigned. */
void ctr_record_formation(json_t *doc, const Pacta__V1__ContractSigned *msg);

int ctr_on_withdrawal_requested(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg);
int ctr_on_invoice_issued(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg);
int ctr_on_terminate(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg);

#ifdef __cplusplus
}
#endif

#endif
