/*  =========================================================================
    gdpr_service - the gdpr-retention service

    Keeps personal data encrypted per data subject, archives and erases it when
    its retention period ends (CC-12, SG-11, L-5) and serves data-subject
    requests within the L-4 deadline.
    =========================================================================
*/
#ifndef GDPR_SERVICE_H_INCLUDED
#define GDPR_SERVICE_H_INCLUDED

#include "pacta_service.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The service's description for pacta_service_main(): name, HTTP port and
   the message types it consumes. */
const pacta_service_spec_t *gdpr_service_spec(void);

#ifdef __cplusplus
}
#endif

#endif
