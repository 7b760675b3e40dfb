/*  =========================================================================
    ctr_start - CC-17 after the signature: an earlier-dated formation fact
    (the first use of the services) moves the start back, at once while no
    invoice exists, on an operator's approval afterwards

    Handlers of the contracts service, declared in ctr_handlers.c's table:
      FirstUseRecorded                     CC-17 → ContractStarted (moved), or DecisionProposed
      DecisionApproved / DecisionRejected  the operator's answer to contracts' own proposals
    =========================================================================
*/
#ifndef CTR_START_H_INCLUDED
#define CTR_START_H_INCLUDED

#include "pacta_handler.h"

#ifdef __cplusplus
extern "C" {
#endif

int ctr_on_first_use(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg);
int ctr_on_decision_approved(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg);
int ctr_on_decision_rejected(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg);

#ifdef __cplusplus
}
#endif

#endif
