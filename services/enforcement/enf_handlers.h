/*  =========================================================================
    enf_handlers - what enforcement does with the messages it owns

    InvoiceIssued: the invoice is tracked (id, dates, amount) in
    <prefix>:enforcement. InvoiceOverdue: CC-3b (rule_cc3b_suspend_unpaid)
    evaluated on the first overdue day → Suspend, audited with its
    explanation. InvoicePaid: CC-3c (rule_cc3c_restore_on_payment) on the
    value date → Restore, then CC-3d (rule_cc3d_record_lost_period) →
    LostPeriod. Facts about an invoice not tracked yet wait in the parking
    area until its InvoiceIssued arrives.
    =========================================================================
*/
#ifndef ENF_HANDLERS_H_INCLUDED
#define ENF_HANDLERS_H_INCLUDED

#include "pacta_handler.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The handlers of the enforcement service (spec.handlers). */
extern const pacta_handler_set_t enf_handlers;

#ifdef __cplusplus
}
#endif

#endif
