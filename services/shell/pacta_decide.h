/*  =========================================================================
    pacta_decide - a rule's decision as the shell records and sends it

    The rules core returns pacta_decision_t (pacta_decision.h): what
    changes, the dates and amounts, and an explanation. The services turn
    each decision into
      - an audit entry of the entity's stream (docs/state.md §4), with both
        sentences rendered and every explanation value, and
      - the pacta.v1.Explanation carried by the emitted decision message;
    with one deterministic decision id, so the audit entry, the message and
    a proposal about the same decision name it the same way.

        char id[PACTA_DECIDE_ID_SIZE];
        pacta_decide_id(decision, "C-1", id, sizeof id);          // "CC-3b/C-1/2025-02-09"
        json_t *entry = pacta_decide_audit_entry(decision, profile, id, "pacta.v1.Suspend", today);
        pacta_handler_audit(ctx, entry);
        json_decref(entry);
        Pacta__V1__Explanation *why = pacta_decide_explanation_new(decision, profile, today);
        suspend.explanation = why;  ...  pacta_decide_explanation_destroy(&why);
    =========================================================================
*/
#ifndef PACTA_DECIDE_H_INCLUDED
#define PACTA_DECIDE_H_INCLUDED

#include <jansson.h>
#include <stddef.h>

#include "pacta/v1/types.pb-c.h"
#include "pacta_decision.h"
#include "pacta_profile.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PACTA_DECIDE_ID_SIZE 128   /* "<rule>/<entity id>/<date>[/<kind>]" */

/* "<rule id>/<entity id>/<date>/<kind>", e.g. "CC-3b/C-1/2025-02-09/suspend":
   the same decision taken again gets the same id. */
void pacta_decide_id(const pacta_decision_t *decision, const char *entity_id, char *buf, size_t size);
/* "applied" or "proposed". */
const char *pacta_decide_status_name(const pacta_decision_t *decision);

/* The audit entry of decision (docs/state.md §4) as a JSON object of
   strings, or NULL when out of memory. decision_type may be NULL (nothing
   emitted). Caller json_decref()s it. */
json_t *pacta_decide_audit_entry(const pacta_decision_t *decision, const pacta_profile_t *profile,
                                 const char *decision_id, const char *decision_type, pacta_date_t evaluated_on);

/* The explanation message of decision, or NULL when out of memory. Caller
   owns it and frees it with pacta_decide_explanation_destroy(). */
Pacta__V1__Explanation *pacta_decide_explanation_new(const pacta_decision_t *decision,
                                                     const pacta_profile_t *profile, pacta_date_t evaluated_on);
/* Frees an explanation made by pacta_decide_explanation_new; nulls it. */
void pacta_decide_explanation_destroy(Pacta__V1__Explanation **self_p);

#ifdef __cplusplus
}
#endif

#endif
