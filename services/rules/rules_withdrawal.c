/*  =========================================================================
    rules_withdrawal - the statutory withdrawal period (L-3)

    Key decision: the period is counted from the day after conclusion, so
    its last day is conclusion + N (the same arithmetic as "within N
    calendar days of D", rules.md §0.3); the figure is the statute block of
    the profile, so a change in the law is a profile change.
    =========================================================================
*/
#include "rules_withdrawal.h"

#include <assert.h>

#define IN PACTA_ROLE_INPUT
#define PARAM PACTA_ROLE_PARAMETER
#define RESULT PACTA_ROLE_RESULT

pacta_date_t
pacta_l3_last_withdrawal_day(const pacta_profile_t *profile, pacta_date_t concluded_on)
{
    assert(profile);
    if (!pacta_date_is_valid(concluded_on))
        return PACTA_DATE_INVALID;
    return pacta_calendar_days_deadline(concluded_on, profile->statutes.distance_withdrawal.calendar_days);
}

int
rule_l3_withdrawal_deadline(const pacta_profile_t *profile, pacta_date_t concluded_on, const char *contract_id,
                            pacta_outcome_t *out)
{
    assert(profile && out);
    const pacta_withdrawal_law_t *law = &profile->statutes.distance_withdrawal;
    pacta_date_t last_day = pacta_l3_last_withdrawal_day(profile, concluded_on);
    if (last_day == PACTA_DATE_INVALID)
        return -1;
    pacta_decision_t *decision = pacta_outcome_add_statute(out, &law->statute, PACTA_DECISION_DEADLINE);
    if (!decision)
        return -1;
    decision->date = last_day;
    pacta_decision_set_ref(decision, contract_id);
    pacta_explain_date(decision, IN, "concluded_on", concluded_on);
    pacta_explain_int(decision, PARAM, "withdrawal_days", law->calendar_days);
    pacta_explain_date(decision, RESULT, "first_day", concluded_on + 1);
    pacta_explain_date(decision, RESULT, "last_day", last_day);
    pacta_decision_add_timer(decision, "withdrawal_period_end", last_day + 1, contract_id);
    pacta_decision_head(decision, "Withdrawal possible through {date}", "Rétractation possible jusqu'au {date}");
    pacta_decision_because(decision,
                           "the {withdrawal_days}-day period runs from the day after conclusion on {concluded_on}, "
                           "{first_day} being day 1",
                           "le délai de {withdrawal_days} jours court à partir du lendemain de la conclusion le "
                           "{concluded_on}, le {first_day} étant le jour 1");
    return pacta_outcome_status(out);
}
