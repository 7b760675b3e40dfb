/*  =========================================================================
    ntf_handlers - what notifications records when a decision arrives

    The handlers only RECORD what is owed (pure, one Lua step through the
    shell): a per-contract recipient document from ContractSigned, and the
    delivery log <prefix>:notifications with one entry per notice. Sending
    is the delivery worker's job (ntf_delivery.h), which reports each
    attempt back through the outcome handlers below.
    =========================================================================
*/
#ifndef NTF_HANDLERS_H_INCLUDED
#define NTF_HANDLERS_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ntf_template.h"
#include "pacta_handler.h"

#ifdef __cplusplus
extern "C" {
#endif

#define NTF_DUE_INDEX "ntf-due"        /* pacta:{ix:<tenant>}:ntf-due  "<entity>|<id>" -> due ms */
#define NTF_LETTER_INDEX "letters"     /* pacta:{ix:<tenant>}:letters  "<entity>|<id>" -> day (0 once posted) */
#define NTF_DOC "notifications"        /* the delivery log: <prefix>:notifications */
#define NTF_RECIPIENT_DOC "recipient"  /* <prefix>:recipient */

/* What the handlers read besides the message: set once at start. */
typedef struct {
    const ntf_templates_t *templates;  /* loaded templates (borrowed) */
    ntf_lang_t default_language;       /* when the contract names none */
    bool webhook_enabled;              /* webhook_url set: one webhook notice per decision too */
    const char *letter_rules;          /* comma-separated rule ids whose decisions also go by registered
                                          letter ("SG-4c,CC-13"); may be NULL */
    int64_t retry_initial_ms;          /* first retry delay */
    int64_t retry_max_ms;              /* cap of the doubling delay */
    int64_t max_age_ms;                /* after this long since the first attempt: dead-lettered */
} ntf_config_t;

/* The decision types turned into notices, NULL-terminated ("pacta.v1.Suspend", ...). */
extern const char *const ntf_decision_types[];
/* Templates that NotificationRequested may name besides the decision ones. */
extern const char *const ntf_request_templates[];

/* The handlers of the bus-facing runtime: ContractSigned, every decision
   type, NotificationRequested, LetterPostingConfirmed. arg = config. */
void ntf_handlers_init(pacta_handler_set_t *set, const ntf_config_t *config);

/* The handlers of the delivery worker's own runtime: the outcome of one
   attempt, fed as an internal NotificationDelivered / NotificationFailed
   envelope (never routed by the bus). arg = config. */
void ntf_outcome_handlers_init(pacta_handler_set_t *set, const ntf_config_t *config);
extern const char *const ntf_outcome_types[];

#ifdef __cplusplus
}
#endif

#endif
