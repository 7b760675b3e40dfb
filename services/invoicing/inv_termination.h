/*  =========================================================================
    inv_termination - the indemnities a termination owes, billed

    Contracts decides the amounts (CC-2c early termination: 3 x the
    monthly fee; SG-4a: 20 % of the remainder; SG-4b: the fees of an
    unobserved notice period) and says so in EarlyTerminationAccepted and
    TerminationNoticeRecorded; invoicing bills them on a charges invoice
    and emits IndemnityCharged.
    =========================================================================
*/
#ifndef INV_TERMINATION_H_INCLUDED
#define INV_TERMINATION_H_INCLUDED

#include <jansson.h>

#include "pacta/v1/invoicing.pb-c.h"
#include "pacta_handler.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Bills `amount` cents of indemnity of `kind` once per contract and kind
   (invoice <contract>-<suffix>), issued on issued_on, with the deciding
   rule's explanation (borrowed, may be NULL). basis is what it was
   computed on (0 when unknown). Nothing when amount <= 0. 0 or -1. */
int inv_bill_termination_indemnity(pacta_handler_ctx_t *ctx, json_t *ledger, const char *contract_id,
                                   Pacta__V1__IndemnityKind kind, int64_t amount, int64_t basis,
                                   pacta_date_t issued_on, const Pacta__V1__Explanation *explanation);

#ifdef __cplusplus
}
#endif

#endif
