/*  =========================================================================
    ctr_handlers - what contracts does with the messages it owns

    ContractSigned: the contract is created in <prefix>:contract; CC-17
    (rule_cc17_set_start_date) fixes its start and CC-2a
    (rule_cc2a_initial_term) its first term, both audited; ContractStarted
    is emitted. Suspend / Restore / LostPeriod (decided by enforcement) are
    recorded on the contract's state. Facts about a contract that does not
    exist yet wait in the parking area. The other clauses (quotes,
    renewals, notices, early terminations, the end) are in ctr_terms.h;
    this table declares them.
    =========================================================================
*/
#ifndef CTR_HANDLERS_H_INCLUDED
#define CTR_HANDLERS_H_INCLUDED

#include "pacta_handler.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The handlers of the contracts service (spec.handlers). */
extern const pacta_handler_set_t ctr_handlers;

#ifdef __cplusplus
}
#endif

#endif
