/*  =========================================================================
    ctr_disputes - renegotiation (SG-9) and mediation (SG-14): their time
    limits, and what happens when they pass

    Handlers of the contracts service, declared in ctr_handlers.c's table:
      RenegotiationRequested         SG-9 → deadline, timer renegotiation.end
      RenegotiationEnded (outside)   SG-9 → agreed in time, or recorded
      timer renegotiation.end        SG-9 → failed: RenegotiationEnded{expired}
      MediationRequested             SG-14 → MediationScheduled (latest start)
      MediationStarted               SG-14 → MediationScheduled (latest end)
      MediationEnded (outside)       SG-14 → recorded
      timers mediation.start_by, mediation.end   SG-14 → MediationEnded{expired}
    =========================================================================
*/
#ifndef CTR_DISPUTES_H_INCLUDED
#define CTR_DISPUTES_H_INCLUDED

#include "pacta_handler.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CTR_TIMER_RENEGOTIATION_END "renegotiation.end"   /* SG-9: the day after the last day */
#define CTR_TIMER_MEDIATION_START "mediation.start_by"     /* SG-14: the day after the latest start */
#define CTR_TIMER_MEDIATION_END "mediation.end"            /* SG-14: the day after the latest end */

int ctr_on_renegotiation_requested(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg);
int ctr_on_renegotiation_ended(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg);
int ctr_on_renegotiation_timer(pacta_handler_ctx_t *ctx, const json_t *data, void *arg);
int ctr_on_mediation_requested(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg);
int ctr_on_mediation_started(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg);
int ctr_on_mediation_ended(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg);
int ctr_on_mediation_timer(pacta_handler_ctx_t *ctx, const json_t *data, void *arg);

#ifdef __cplusplus
}
#endif

#endif
