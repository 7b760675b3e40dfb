/*  =========================================================================
    ctr_execution - execution deadlines (SG-5a) and costly client changes
    (SG-5b)

    Handlers of the contracts service, declared in ctr_handlers.c's table:
      ExecutionDeadlineSet        SG-5a → the deadline, timer execution.deadline_passed
      ExecutionBlocked/Unblocked  SG-5a → deadlines stand still; ExecutionDeadlineRecomputed
      ExecutionDelivered          SG-5a → LatePerformancePenaltyOwed when an imperative one was missed
      timer execution.deadline_passed   SG-5a → the same, when nothing was delivered
      ClientChangeRequested       SG-5b → ExtraCostWarningIssued above the threshold
    Restore (a suspension ended) also recomputes the deadlines: unpaid
    invoices and force majeure stop them too (ctr_recompute_deadlines).
    =========================================================================
*/
#ifndef CTR_EXECUTION_H_INCLUDED
#define CTR_EXECUTION_H_INCLUDED

#include <jansson.h>

#include "pacta_handler.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CTR_TIMER_EXECUTION "execution.deadline_passed"   /* SG-5a: the day after a deadline */

int ctr_on_execution_deadline_set(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg);
int ctr_on_execution_blocked(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg);
int ctr_on_execution_unblocked(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg);
int ctr_on_execution_delivered(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg);
int ctr_on_execution_timer(pacta_handler_ctx_t *ctx, const json_t *data, void *arg);
int ctr_on_client_change(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg);

/* Recomputes every open deadline of the contract document after a
   suspension or block ended (SG-5a); today is the evaluation date. 0 or -1. */
int ctr_recompute_deadlines(pacta_handler_ctx_t *ctx, json_t *doc, pacta_date_t today);

#ifdef __cplusplus
}
#endif

#endif
