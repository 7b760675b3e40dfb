/*  =========================================================================
    gdpr_dsr - data-subject requests (L-4, L-5; rules.md §5)

    DataSubjectRequestOpened on s:<subject> is served at once and tracked
    against its L-4 deadline (reminder and overdue timers on the subject).
    Internal to gdpr-retention: gdpr_handlers.c lists these handlers.
    =========================================================================
*/
#ifndef GDPR_DSR_H_INCLUDED
#define GDPR_DSR_H_INCLUDED

#include "pacta_handler.h"
#include "pacta_vault.h"

#ifdef __cplusplus
extern "C" {
#endif

#define GDPR_DSR_DOC "requests"               /* P:requests, the subject's requests */
#define GDPR_DSR_REMINDER "dsr.reminder"      /* timer: the deadline is near */
#define GDPR_DSR_OVERDUE "dsr.overdue"        /* timer: the day after the deadline */
#define GDPR_DSR_REMINDER_DAYS 7              /* reminder this many days before the deadline */
#define GDPR_ERASE_ARCHIVED "retention.erase_archived" /* timer: an L-5 archive of an erasure request ends */
#define GDPR_EXPORT_LABEL_PREFIX "export/"    /* sealing label of an export: export/<request id> */

/* The vault the handlers use (NULL when none is configured). */
pacta_vault_t *gdpr_handlers_vault(void);

/* Handler of pacta.v1.DataSubjectRequestOpened (documents: vault, requests). */
int gdpr_on_dsr_opened(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg);
/* Handler of the retention.erase_archived timer (document: vault): the
   accounting data archived on an erasure request are erased (L-5). */
int gdpr_on_erase_archived(pacta_handler_ctx_t *ctx, const json_t *payload, void *arg);
/* Handler of the dsr.reminder and dsr.overdue timers (document: requests). */
int gdpr_on_dsr_timer(pacta_handler_ctx_t *ctx, const json_t *payload, void *arg);

#ifdef __cplusplus
}
#endif

#endif
