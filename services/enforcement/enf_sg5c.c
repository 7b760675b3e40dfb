/*  =========================================================================
    enf_sg5c - SG-5c resumption of suspended work, for enforcement

    Design decision: the rule itself (rule_sg5c_suspend_unpaid) decides
    both suspension and resumption from the contract's invoices and
    payments as of a date; this module only chooses WHEN to ask it (a paid
    invoice under a profile whose unpaid suspension is not followed by a
    CC-3c restoration), so enforcement's apply path stays the one of CC-3c.
    =========================================================================
*/
#include "enf_sg5c.h"

#include "rules_sg.h"

int
enf_sg5c_restore_on_payment(const pacta_profile_t *profile, const pacta_contract_t *contract,
                            const pacta_ledger_t *ledger, pacta_date_t paid_on, pacta_outcome_t *out)
{
    if (pacta_rule_enabled(&profile->restoration.rule) || !pacta_rule_enabled(&profile->unpaid_suspension.rule))
        return 0;   /* CC-3c restores, or nothing suspends for unpaid invoices */
    if (!pacta_date_is_valid(contract->suspended_since))
        return 0;
    return rule_sg5c_suspend_unpaid(profile, contract, ledger->invoices, ledger->invoice_count, ledger->payments,
                                    ledger->payment_count, paid_on, out);
}
