/*  =========================================================================
    enf_handlers - what enforcement does with the messages it owns

    InvoiceIssued: the invoice is tracked (id, dates, amount) in
    <prefix>:enforcement. InvoiceOverdue: CC-3b (rule_cc3b_suspend_unpaid)
    evaluated on the first overdue day → Suspend, audited with its
    explanation. InvoicePaid: CC-3c (rule_cc3c_restore_on_payment) on the
    value date → Restore, then CC-3d (rule_cc3d_record_lost_period) →
    LostPeriod. Facts about an invoice not tracked yet wait in the parking
    area until its InvoiceIssued arrives. The other clauses have their own
    files, declared in the same table: enf_terminate (SG-4c, SG-4d, CC-13),
    enf_content (CC-4, CC-5), enf_options (CC-7), enf_proposals (mode
    propose).
    =========================================================================
*/
#ifndef ENF_HANDLERS_H_INCLUDED
#define ENF_HANDLERS_H_INCLUDED

#include <jansson.h>

#include "pacta_decision.h"
#include "pacta_handler.h"
#include "pacta_rules.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The handlers of the enforcement service (spec.handlers). */
extern const pacta_handler_set_t enf_handlers;

/* ---- shared with the other handler files of the service ---------------- */

/* entity_key is c:<contract_id> and the id fits; else -1 after refusing. */
int enf_check_entity(pacta_handler_ctx_t *ctx, const char *contract_id);
/* The enforcement document with its defaults (contract_id, state,
   suspension, invoices), owned by the context. */
json_t *enf_doc(pacta_handler_ctx_t *ctx, const char *contract_id);
/* Applies a SUSPEND decision: audited, doc's running suspension set,
   Suspend emitted. The caller puts doc. 0 or -1. */
int enf_apply_suspend(pacta_handler_ctx_t *ctx, json_t *doc, const pacta_decision_t *decision, const char *contract_id,
                      pacta_date_t today);
/* Applies a RESTORE decision of a suspension for `reason`: audited,
   Restore emitted (the caller clears doc's suspension). 0 or -1. */
/* Applies a LOST_PERIOD decision of a suspension for `reason`: audited,
   LostPeriod emitted. 0 or -1. */
int enf_apply_lost_period(pacta_handler_ctx_t *ctx, const pacta_decision_t *decision, const char *contract_id,
                          const char *reason, pacta_date_t today);
int enf_apply_restore(pacta_handler_ctx_t *ctx, const pacta_decision_t *decision, const char *contract_id,
                      const char *reason, pacta_date_t today);
/* NACK RETRY_LATER "out of memory"; returns -1. */
int enf_no_memory(pacta_handler_ctx_t *ctx);
/* Appends a fact entry (summary, date, ref) to the audit stream. */
void enf_audit_fact(pacta_handler_ctx_t *ctx, const char *summary, pacta_date_t date, const char *ref);
/* The contract as the clause rules of enforcement read it (CC-4, CC-5,
   CC-13, SG-4c, SG-4d): its id, its end (ended_on) and running
   suspension; every other date, the formation facts too, invalid. */
void enf_contract_from_doc(const json_t *doc, const char *contract_id, pacta_contract_t *contract);

#ifdef __cplusplus
}
#endif

#endif
