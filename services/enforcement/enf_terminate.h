/*  =========================================================================
    enf_terminate - terminations enforcement decides: SG-4c (the provider
    ends the contract for cause), SG-4d (the client ends it for the
    provider's default) and CC-13 (force majeure: suspension, restoration,
    and termination once it lasts too long)

    Handlers of the enforcement service, declared in enf_handlers.c's table:
      TerminationForCauseRequested            SG-4c → Terminate / proposal, or TerminationRefused
      ProviderDefaultNotified, ...Remedied    SG-4d facts kept in <prefix>:enforcement
      TerminationForProviderDefaultRequested  SG-4d → Terminate / proposal, or TerminationRefused
      ForceMajeureStarted                     CC-13 → Suspend, timer for the termination right
      ForceMajeureEnded                       CC-13 → Restore
      timer force_majeure.termination_right   CC-13 → Terminate / proposal while it goes on
    =========================================================================
*/
#ifndef ENF_TERMINATE_H_INCLUDED
#define ENF_TERMINATE_H_INCLUDED

#include "pacta_handler.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ENF_TIMER_FORCE_MAJEURE "force_majeure.termination_right"   /* CC-13: the day the right arises */

int enf_on_termination_for_cause(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg);
int enf_on_provider_default_notified(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg);
int enf_on_provider_default_remedied(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg);
int enf_on_termination_for_provider_default(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg);
int enf_on_force_majeure_started(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg);
int enf_on_force_majeure_ended(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg);
int enf_on_force_majeure_timer(pacta_handler_ctx_t *ctx, const json_t *data, void *arg);

#ifdef __cplusplus
}
#endif

#endif
