/*  =========================================================================
    rules_withdrawal - the statutory withdrawal period (L-3)

    Code of Economic Law art. VI.47 ff.: 14 days, for services counted from
    the day after the contract is concluded. CC-9 (rules_cc.h) and SG-3 use
    it as a floor for consumers. The figure is the profile's
    statutes.distance_withdrawal.calendar_days.
    =========================================================================
*/
#ifndef RULES_WITHDRAWAL_H_INCLUDED
#define RULES_WITHDRAWAL_H_INCLUDED

#include "pacta_rules.h"

#ifdef __cplusplus
extern "C" {
#endif

/* L-3: the last day to withdraw from a contract concluded on concluded_on:
   day 1 is the day after, the last day concluded_on + N. INVALID on an
   invalid date. */
pacta_date_t pacta_l3_last_withdrawal_day(const pacta_profile_t *profile, pacta_date_t concluded_on);

/* L-3: → DEADLINE (date = last day to withdraw) for a contract concluded on
   concluded_on, with a "withdrawal_period_end" timer the day after. */
int rule_l3_withdrawal_deadline(const pacta_profile_t *profile, pacta_date_t concluded_on, const char *contract_id,
                                pacta_outcome_t *out);

#ifdef __cplusplus
}
#endif

#endif
