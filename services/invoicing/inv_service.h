/*  =========================================================================
    inv_service - the invoicing service

    Owns invoices, payments and charges: invoices at each billing anniversary,
    deposits, structured communications, payment matching, reminders, formal
    notices, interest and fees, disputes, referral discounts, credit notes.
    =========================================================================
*/
#ifndef INV_SERVICE_H_INCLUDED
#define INV_SERVICE_H_INCLUDED

#include "pacta_service.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The service's description for pacta_service_main(): name, HTTP port and
   the message types it consumes. */
const pacta_service_spec_t *inv_service_spec(void);

#ifdef __cplusplus
}
#endif

#endif
