/*  =========================================================================
    gdpr_handlers - what gdpr-retention does with the messages and timers
    it owns

    Personal data of a subject live in the subject's vault document
    pacta:<tenant>:{s:<subject>}:vault (pacta_vault.h), changed only here.
    =========================================================================
*/
#ifndef GDPR_HANDLERS_H_INCLUDED
#define GDPR_HANDLERS_H_INCLUDED

#include "pacta_handler.h"
#include "pacta_vault.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The handler set of the service (its arg is the service's vault). */
extern const pacta_handler_set_t gdpr_handlers;

/* The vault the handlers use (borrowed; NULL = none: personal data are
   refused RETRY_LATER). Set once at start, before the first message. */
void gdpr_handlers_use_vault(pacta_vault_t *vault);

#ifdef __cplusplus
}
#endif

#endif
