/*  =========================================================================
    enf_sg5c - SG-5c: work suspended for unpaid invoices resumes when paid

    The suspension side of SG-5c shares enforcement's CC-3b path (the same
    profile block, unpaid_suspension, names the rule). Its end differs:
    CC-3c (restoration) is a CapConnect clause; under a profile without it
    the contract resumes by SG-5c on the day every overdue amount is paid.
    =========================================================================
*/
#ifndef ENF_SG5C_H_INCLUDED
#define ENF_SG5C_H_INCLUDED

#include "pacta_rules.h"

#ifdef __cplusplus
extern "C" {
#endif

/* When the profile has no restoration clause (CC-3c off) but SG-5c
   suspends for unpaid invoices, appends SG-5c's RESTORE (or nothing while
   an overdue amount remains) for `contract` as of paid_on. 0 or -1. */
int enf_sg5c_restore_on_payment(const pacta_profile_t *profile, const pacta_contract_t *contract,
                                const pacta_ledger_t *ledger, pacta_date_t paid_on, pacta_outcome_t *out);

#ifdef __cplusplus
}
#endif

#endif
