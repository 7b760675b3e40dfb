/*  =========================================================================
    enf_service - the enforcement service

    Applies suspension, restoration, lost periods, termination and retention
    expiry as events and timers arrive; in propose mode it records pending
    decisions an operator approves or rejects; every decision is explained.
    =========================================================================
*/
#ifndef ENF_SERVICE_H_INCLUDED
#define ENF_SERVICE_H_INCLUDED

#include "pacta_service.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The service's description for pacta_service_main(): name, HTTP port and
   the message types it consumes. */
const pacta_service_spec_t *enf_service_spec(void);

#ifdef __cplusplus
}
#endif

#endif
