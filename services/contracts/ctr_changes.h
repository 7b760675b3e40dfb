/*  =========================================================================
    ctr_changes - changes to the terms or the services (CC-14, SG-10)

    Handlers of the contracts service, declared in ctr_handlers.c's table:
      TermsChanged              CC-14 → TermsChangeApplied at once (+ the changed
                                service withheld until accepted); SG-10 → the
                                change waits for its objection period
      TermsObjectionReceived    SG-10 → TermsChangeApplied{applies: false} when in time
      TermsContested            CC-14: recorded (the client may end the contract)
      ChangedServicesAccepted   CC-14: the changed service may be performed
      timer terms.effective     SG-10 → TermsChangeApplied on the day it applies
    =========================================================================
*/
#ifndef CTR_CHANGES_H_INCLUDED
#define CTR_CHANGES_H_INCLUDED

#include "pacta_handler.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CTR_TIMER_TERMS_EFFECTIVE "terms.effective"   /* SG-10: changed terms apply today unless objected */

int ctr_on_terms_changed(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg);
int ctr_on_terms_objection(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg);
int ctr_on_terms_contested(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg);
int ctr_on_changed_services_accepted(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg);
int ctr_on_terms_effective_timer(pacta_handler_ctx_t *ctx, const json_t *data, void *arg);

#ifdef __cplusplus
}
#endif

#endif
