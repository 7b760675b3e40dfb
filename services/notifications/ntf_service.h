/*  =========================================================================
    ntf_service - the notifications service

    Tells the client and the operator: renders a template per message type and
    language, sends e-mail and webhooks, prepares registered letters, retries
    failed deliveries and never sends twice for the same decision.
    =========================================================================
*/
#ifndef NTF_SERVICE_H_INCLUDED
#define NTF_SERVICE_H_INCLUDED

#include "pacta_service.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The service's description for pacta_service_main(): name, HTTP port and
   the message types it consumes. */
const pacta_service_spec_t *ntf_service_spec(void);

#ifdef __cplusplus
}
#endif

#endif
