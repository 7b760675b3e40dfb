/*  =========================================================================
    ctr_service - the contracts service

    Owns offers and contracts: quote lapse, acceptance, withdrawal windows,
    renewals, notices (postmark and presumed receipt), early termination,
    termination for cause or provider default, force majeure and terms changes.
    =========================================================================
*/
#ifndef CTR_SERVICE_H_INCLUDED
#define CTR_SERVICE_H_INCLUDED

#include "pacta_service.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The service's description for pacta_service_main(): name, HTTP port and
   the message types it consumes. */
const pacta_service_spec_t *ctr_service_spec(void);

#ifdef __cplusplus
}
#endif

#endif
