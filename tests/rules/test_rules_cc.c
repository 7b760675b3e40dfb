/*  =========================================================================
    test_rules_cc - the CapConnect rules (CC-1 ... CC-14) and worked
    examples 1 to 4 of docs/rules.md, with their exact dates and amounts

    Each test is named after the rule it checks (cc3b, cc2c...), so
    `grep -i cc3b` finds the clause in docs/rules.md, the code and the test.
    =========================================================================
*/
#include <criterion/criterion.h>

#include "rules_cc.h"
#include "rules_fixtures.h"
#include "rules_withdrawal.h"

static pacta_profile_t *capconnect;
static pacta_outcome_t *out;

static void
s_setup(void)
{
    capconnect = fx_profile("capconnect", false);
    out = pacta_outcome_new();
    cr_assert_not_null(out);
}

static void
s_teardown(void)
{
    pacta_outcome_destroy(&out);
    pacta_profile_destroy(&capconnect);
}

TestSuite(cc, .init = s_setup, .fini = s_teardown);
TestSuite(example, .init = s_setup, .fini = s_teardown);

static const pacta_ledger_t s_no_ledger = {NULL, 0, NULL, 0, NULL, 0};

/* ---- worked example 1: CC-3a, CC-3b, CC-3c, CC-3d ------------------------------ */

Test(example, ex1_clause_own_example_cc3a_cc3b_cc3c_cc3d)
{
    //  Monthly contract started 2025-01-01: the February invoice.
    pacta_contract_t contract = fx_contract("C-1", "start", PACTA_BILLING_MONTHLY, 30000, "2025-01-01");
    cr_assert_eq(rule_cc3a_issue_invoice(capconnect, &contract, 1, out), 0);
    cr_assert_eq(out->count, 1);
    const pacta_decision_t *issued = &out->items[0];
    cr_assert_eq(issued->kind, PACTA_DECISION_CHARGE);
    fx_assert_date(issued->date, "2025-02-01");
    fx_assert_date(issued->until, "2025-02-08");   //  CC-3a: due 7 calendar days after issue
    cr_assert_eq(issued->amount, 30000);

    //  Not paid by the end of 2025-02-08 → suspended from 2025-02-09 (CC-3b).
    pacta_invoice_t invoice = fx_invoice("F-2025-014", "C-1", "2025-02-01", "2025-02-08", 30000);
    pacta_ledger_t ledger = {&invoice, 1, NULL, 0, NULL, 0};
    pacta_outcome_init(out);
    cr_assert_eq(rule_cc3b_suspend_unpaid(capconnect, &contract, &ledger, D("2025-02-09"), out), 0);
    cr_assert_eq(out->count, 1, "CC-3b must suspend");
    cr_assert_eq(out->items[0].kind, PACTA_DECISION_SUSPEND);
    cr_assert_eq(out->items[0].status, PACTA_DECISION_APPLY);
    fx_assert_date(out->items[0].date, "2025-02-09");

    //  Full payment received 2025-02-19 → restored 2025-02-19 (CC-3c).
    fx_suspend(&contract, "2025-02-09", "unpaid");
    pacta_payment_t payment = fx_payment("P-1", "F-2025-014", 30000, "2025-02-19");
    ledger.payments = &payment;
    ledger.payment_count = 1;
    pacta_outcome_init(out);
    cr_assert_eq(rule_cc3c_restore_on_payment(capconnect, &contract, &ledger, D("2025-02-19"), out), 0);
    cr_assert_eq(out->count, 1, "CC-3c must restore");
    cr_assert_eq(out->items[0].kind, PACTA_DECISION_RESTORE);
    fx_assert_date(out->items[0].date, "2025-02-19");

    //  2025-02-09 … 2025-02-19 recorded as lost (CC-3d), 11 days, no credit.
    pacta_outcome_init(out);
    cr_assert_eq(rule_cc3d_record_lost_period(capconnect, &contract, D("2025-02-19"), out), 0);
    cr_assert_eq(out->count, 1);
    cr_assert_eq(out->items[0].kind, PACTA_DECISION_LOST_PERIOD);
    fx_assert_date(out->items[0].date, "2025-02-09");
    fx_assert_date(out->items[0].until, "2025-02-19");
    const pacta_value_t *lost_days = pacta_explanation_find(&out->items[0].explanation, "lost_days");
    cr_assert_not_null(lost_days);
    cr_assert_eq(lost_days->as.number, 11);

    //  The next invoice is still issued 2025-03-01, for the full fee.
    contract.state = PACTA_CONTRACT_ACTIVE;
    pacta_outcome_init(out);
    cr_assert_eq(rule_cc3a_issue_invoice(capconnect, &contract, 2, out), 0);
    fx_assert_date(out->items[0].date, "2025-03-01");
    cr_assert_eq(out->items[0].amount, 30000);
}

/* ---- worked example 2: CC-2a, CC-2b ------------------------------------------- */

Test(example, ex2_renewal_deadline_cc2a_cc2b)
{
    pacta_contract_t contract = fx_contract("C-2", "start", PACTA_BILLING_MONTHLY, 30000, "2025-03-01");
    cr_assert_eq(rule_cc2a_initial_term(capconnect, &contract, out), 0);
    cr_assert_eq(out->items[0].kind, PACTA_DECISION_TERM);
    fx_assert_date(out->items[0].until, "2026-02-28");
    fx_assert_date(pacta_cc_non_renewal_deadline(capconnect, contract.start_on, 0), "2025-11-28");

    pacta_letter_t in_time = fx_letter(PACTA_SENT_REGISTERED, "2025-11-28", NULL);
    pacta_outcome_init(out);
    cr_assert_eq(rule_cc2b_record_non_renewal(capconnect, &contract, &in_time, out), 0);
    cr_assert_eq(out->items[0].kind, PACTA_DECISION_TERMINATE);
    fx_assert_date(out->items[0].date, "2026-02-28");

    pacta_letter_t late = fx_letter(PACTA_SENT_REGISTERED, "2025-11-29", NULL);
    pacta_outcome_init(out);
    cr_assert_eq(rule_cc2b_record_non_renewal(capconnect, &contract, &late, out), 0);
    cr_assert_eq(out->items[0].kind, PACTA_DECISION_TERMINATE);
    fx_assert_date(out->items[0].date, "2027-02-28");
    const pacta_value_t *renewed = pacta_explanation_find(&out->items[0].explanation, "renewed_until");
    cr_assert_not_null(renewed, "CC-2b: a late notice renews once");
    fx_assert_date(renewed->as.date, "2027-02-28");
}

/* ---- worked example 3: CC-2c, CC-1 -------------------------------------------- */

Test(example, ex3_early_termination_cc2c)
{
    pacta_contract_t contract = fx_contract("C-3", "start", PACTA_BILLING_MONTHLY, 30000, "2025-03-01");
    pacta_letter_t early = fx_letter(PACTA_SENT_REGISTERED, "2025-08-20", "2025-08-25");
    cr_assert_eq(rule_cc2c_early_termination(capconnect, &contract, &early, &s_no_ledger, out), 0);
    cr_assert_eq(out->count, 1);
    cr_assert_eq(out->items[0].kind, PACTA_DECISION_REFUSE, "CC-2c: before 6 months → refused");
    cr_assert_str_eq(out->items[0].reason, "too_early");
    fx_assert_date(out->items[0].date, "2025-09-01");

    pacta_letter_t allowed = fx_letter(PACTA_SENT_REGISTERED, "2025-09-10", "2025-09-15");
    pacta_outcome_init(out);
    cr_assert_eq(rule_cc2c_early_termination(capconnect, &contract, &allowed, &s_no_ledger, out), 0);
    cr_assert_eq(out->items[0].kind, PACTA_DECISION_TERMINATE);
    fx_assert_date(out->items[0].date, "2025-09-15");
    cr_assert_eq(out->items[0].amount, 90000, "indemnity 900.00");
    cr_assert_eq(out->items[0].charge_count, 1);
    cr_assert_eq(out->items[0].charges[0].kind, PACTA_CHARGE_INDEMNITY);
    cr_assert_eq(out->items[0].charges[0].amount, 90000);
    fx_assert_date(out->items[0].charges[0].issue_on, "2025-09-15");
}

Test(cc, cc2c_presumed_receipt_matches_example_3)
{
    //  Same letters without a proven receipt: §0.8 presumes the same dates.
    pacta_contract_t contract = fx_contract("C-3", "start", PACTA_BILLING_MONTHLY, 30000, "2025-03-01");
    pacta_letter_t early = fx_letter(PACTA_SENT_REGISTERED, "2025-08-20", NULL);
    cr_assert_eq(rule_cc2c_early_termination(capconnect, &contract, &early, &s_no_ledger, out), 0);
    cr_assert_eq(out->items[0].kind, PACTA_DECISION_REFUSE);
    fx_assert_date(pacta_explanation_find(&out->items[0].explanation, "received_on")->as.date, "2025-08-25");
    pacta_letter_t allowed = fx_letter(PACTA_SENT_REGISTERED, "2025-09-10", NULL);
    pacta_outcome_init(out);
    cr_assert_eq(rule_cc2c_early_termination(capconnect, &contract, &allowed, &s_no_ledger, out), 0);
    fx_assert_date(out->items[0].date, "2025-09-15");
}

Test(cc, cc2c_letter_presumed_received_after_six_months)
{
    pacta_contract_t contract = fx_contract("C-3", "start", PACTA_BILLING_MONTHLY, 30000, "2025-03-01");
    pacta_letter_t letter = fx_letter(PACTA_SENT_REGISTERED, "2025-08-28", NULL);
    cr_assert_eq(rule_cc2c_early_termination(capconnect, &contract, &letter, &s_no_ledger, out), 0);
    cr_assert_eq(out->items[0].kind, PACTA_DECISION_TERMINATE);
    fx_assert_date(out->items[0].date, "2025-09-02");
    cr_assert_eq(out->items[0].amount, 90000);
}

Test(cc, cc2c_annual_indemnity_rounded_once)
{
    pacta_contract_t contract = fx_contract("C-3", "start", PACTA_BILLING_ANNUAL, 99999, "2025-03-01");
    pacta_letter_t letter = fx_letter(PACTA_SENT_REGISTERED, "2025-10-01", NULL);
    cr_assert_eq(rule_cc2c_early_termination(capconnect, &contract, &letter, &s_no_ledger, out), 0);
    cr_assert_eq(out->items[0].amount, 25000, "3 x 999.99 / 12 = 249.9975 → 250.00, got %lld",
                 (long long) out->items[0].amount);
}

Test(cc, cc2c_refuses_a_plain_letter)
{
    pacta_contract_t contract = fx_contract("C-3", "start", PACTA_BILLING_MONTHLY, 30000, "2025-03-01");
    pacta_letter_t letter = fx_letter(PACTA_SENT_EMAIL, "2025-10-01", NULL);
    cr_assert_eq(rule_cc2c_early_termination(capconnect, &contract, &letter, &s_no_ledger, out), 0);
    cr_assert_eq(out->items[0].kind, PACTA_DECISION_REFUSE);
    cr_assert_str_eq(out->items[0].reason, "not_registered_letter");
}

Test(cc, cc2c_flags_a_period_invoiced_beyond_the_end)
{
    pacta_contract_t contract = fx_contract("C-3", "start", PACTA_BILLING_ANNUAL, 360000, "2025-03-01");
    pacta_invoice_t invoice = fx_invoice("F-A", "C-3", "2025-03-01", "2025-03-08", 360000);
    invoice.period_from = D("2025-03-01");
    invoice.period_to = D("2026-02-28");
    pacta_ledger_t ledger = {&invoice, 1, NULL, 0, NULL, 0};
    pacta_letter_t letter = fx_letter(PACTA_SENT_REGISTERED, "2025-09-10", NULL);
    cr_assert_eq(rule_cc2c_early_termination(capconnect, &contract, &letter, &ledger, out), 0);
    const pacta_decision_t *decision = &out->items[0];
    cr_assert_eq(decision->amount, 90000, "3 x 3,600.00 / 12");
    bool flagged = false;
    for (size_t i = 0; i < decision->notification_count; i++)
        if (decision->notifications[i].to == PACTA_TO_OPERATOR)
            flagged = true;
    cr_assert(flagged, "CC-2c: the operator must be told about F-A");
}

/* ---- worked example 4: CC-8, CC-1 --------------------------------------------- */

Test(example, ex4_referral_cap_cc8)
{
    pacta_contract_t sponsor = fx_contract("S-1", "start", PACTA_BILLING_MONTHLY, 30000, "2025-01-01");
    pacta_referral_earning_t earned[30];
    pacta_cents_t total = 0;
    for (int i = 0; i < 30; i++) {
        pacta_date_t signed_on = D("2025-02-01") + i;
        pacta_outcome_init(out);
        cr_assert_eq(rule_cc8_earn_referral_discount(capconnect, &sponsor, "goooo", signed_on, earned, (size_t) i,
                                                     out), 0);
        cr_assert_eq(out->count, 1);
        cr_assert_eq(out->items[0].kind, PACTA_DECISION_DISCOUNT);
        pacta_cents_t expected = i < 24 ? 15000 : 0;
        cr_assert_eq(out->items[0].amount, expected, "CC-8 referee %d earns %lld, got %lld", i + 1,
                     (long long) expected, (long long) out->items[0].amount);
        memset(&earned[i], 0, sizeof earned[i]);
        earned[i].signed_on = signed_on;
        earned[i].earned = out->items[0].amount;
        total += out->items[0].amount;
    }
    cr_assert_eq(total, 360000, "24 x 150.00 = 3,600.00");
}

Test(cc, cc8_partial_discount_at_the_cap)
{
    pacta_contract_t sponsor = fx_contract("S-1", "start", PACTA_BILLING_MONTHLY, 30000, "2025-01-01");
    pacta_referral_earning_t earned[24];
    memset(earned, 0, sizeof earned);
    for (int i = 0; i < 23; i++) {
        earned[i].signed_on = D("2025-03-01");
        earned[i].earned = 15000;
    }
    earned[23].signed_on = D("2025-03-02");
    earned[23].earned = 10000;   //  a Start referee: 3,550.00 in all
    cr_assert_eq(rule_cc8_earn_referral_discount(capconnect, &sponsor, "goooo", D("2025-03-03"), earned, 24, out), 0);
    cr_assert_eq(out->items[0].amount, 5000, "CC-8: earns 50.00 up to the cap");
    cr_assert_str_eq(out->items[0].reason, "cap_reached");
}

Test(cc, cc8_cap_counts_per_contract_year)
{
    pacta_contract_t sponsor = fx_contract("S-1", "start", PACTA_BILLING_MONTHLY, 30000, "2025-01-01");
    pacta_referral_earning_t earned[24];
    memset(earned, 0, sizeof earned);
    for (int i = 0; i < 24; i++) {
        earned[i].signed_on = D("2025-06-01");
        earned[i].earned = 15000;
    }
    //  2025-12-31 is still in the first contract year: capped.
    cr_assert_eq(rule_cc8_earn_referral_discount(capconnect, &sponsor, "start", D("2025-12-31"), earned, 24, out), 0);
    cr_assert_eq(out->items[0].amount, 0);
    //  2026-01-01 opens the second contract year.
    pacta_outcome_init(out);
    cr_assert_eq(rule_cc8_earn_referral_discount(capconnect, &sponsor, "start", D("2026-01-01"), earned, 24, out), 0);
    cr_assert_eq(out->items[0].amount, 10000);
}

Test(cc, cc8_discount_carries_over_to_following_invoices)
{
    pacta_invoice_t next = fx_invoice("F-10", "S-1", "2025-03-01", "2025-03-08", 30000);
    cr_assert_eq(rule_cc8_apply_referral_discount(capconnect, &next, 45000, out), 0);
    cr_assert_eq(out->items[0].amount, 30000, "next invoice 0.00 (300.00 used)");
    const pacta_value_t *carried = pacta_explanation_find(&out->items[0].explanation, "carried_over");
    cr_assert_eq(carried->as.cents, 15000);
    cr_assert_eq(out->items[0].charges[0].amount, -30000);
    pacta_invoice_t following = fx_invoice("F-11", "S-1", "2025-04-01", "2025-04-08", 30000);
    pacta_outcome_init(out);
    cr_assert_eq(rule_cc8_apply_referral_discount(capconnect, &following, carried->as.cents, out), 0);
    cr_assert_eq(out->items[0].amount, 15000, "the following invoice is 150.00");
    cr_assert_eq(pacta_explanation_find(&out->items[0].explanation, "invoice_after")->as.cents, 15000);
}

Test(cc, cc8_annual_sponsor_not_renewing_forfeits)
{
    pacta_contract_t sponsor = fx_contract("S-1", "start", PACTA_BILLING_ANNUAL, 360000, "2025-01-01");
    cr_assert_eq(rule_cc8_forfeit_unapplied_discounts(capconnect, &sponsor, 25000, D("2025-12-31"), out), 0);
    cr_assert_eq(out->items[0].kind, PACTA_DECISION_FORFEIT);
    cr_assert_eq(out->items[0].amount, 25000);
}

Test(cc, cc8_unknown_referee_pack_is_refused)
{
    pacta_contract_t sponsor = fx_contract("S-1", "start", PACTA_BILLING_MONTHLY, 30000, "2025-01-01");
    cr_assert_eq(rule_cc8_earn_referral_discount(capconnect, &sponsor, "premium", D("2025-02-01"), NULL, 0, out), 0);
    cr_assert_eq(out->items[0].kind, PACTA_DECISION_REFUSE);
}

/* ---- CC-1 ----------------------------------------------------------------------- */

Test(cc, cc1_accepts_a_known_pack_and_computes_the_annual_fee)
{
    pacta_contract_t contract = fx_contract("C-1", "start", PACTA_BILLING_MONTHLY, 30000, "2025-03-01");
    cr_assert_eq(rule_cc1_check_contract(capconnect, &contract, out), 0);
    cr_assert_eq(out->items[0].kind, PACTA_DECISION_ACCEPT);
    cr_assert_eq(out->items[0].amount, 360000, "CC-1: annual subscription 3,600.00");
}

Test(cc, cc1_refuses_an_unknown_pack)
{
    pacta_contract_t contract = fx_contract("C-1", "premium", PACTA_BILLING_MONTHLY, 30000, "2025-03-01");
    cr_assert_eq(rule_cc1_check_contract(capconnect, &contract, out), 0);
    cr_assert_eq(out->items[0].kind, PACTA_DECISION_REFUSE);
    cr_assert_str_eq(out->items[0].reason, "unknown_pack");
}

Test(cc, cc1_refuses_a_billing_period_not_offered)
{
    pacta_contract_t contract = fx_contract("C-1", "goooo", PACTA_BILLING_QUARTERLY, 90000, "2025-03-01");
    cr_assert_eq(rule_cc1_check_contract(capconnect, &contract, out), 0);
    cr_assert_str_eq(out->items[0].reason, "billing_period_not_offered");
}

/* ---- CC-17 ---------------------------------------------------------------------- */

Test(cc, cc17_earliest_fact_starts_the_contract)
{
    pacta_contract_t contract = fx_contract("C-17", "start", PACTA_BILLING_MONTHLY, 30000, NULL);
    contract.formation.order_form_signed_on = D("2025-03-05");
    contract.formation.first_used_on = D("2025-03-01");
    cr_assert_eq(rule_cc17_set_start_date(capconnect, &contract, out), 0);
    cr_assert_eq(out->items[0].kind, PACTA_DECISION_START);
    fx_assert_date(out->items[0].date, "2025-03-01");

    contract = fx_contract("C-17b", "start", PACTA_BILLING_MONTHLY, 30000, NULL);
    contract.formation.quote_validated_on = D("2025-02-27");
    contract.formation.e_signed_on = D("2025-03-03");
    pacta_outcome_init(out);
    cr_assert_eq(rule_cc17_set_start_date(capconnect, &contract, out), 0);
    fx_assert_date(out->items[0].date, "2025-02-27");
}

Test(cc, cc17_moving_the_start_after_invoicing_is_a_proposal)
{
    pacta_contract_t contract = fx_contract("C-17", "start", PACTA_BILLING_MONTHLY, 30000, "2025-03-05");
    contract.formation.order_form_signed_on = D("2025-03-05");
    contract.formation.first_used_on = D("2025-03-01");
    contract.invoice_issued = true;
    cr_assert_eq(rule_cc17_set_start_date(capconnect, &contract, out), 0);
    cr_assert_eq(out->items[0].status, PACTA_DECISION_PROPOSAL);
    contract.invoice_issued = false;
    pacta_outcome_init(out);
    cr_assert_eq(rule_cc17_set_start_date(capconnect, &contract, out), 0);
    cr_assert_eq(out->items[0].status, PACTA_DECISION_APPLY);
    //  A later fact does not move the start.
    contract.start_on = D("2025-03-01");
    pacta_outcome_init(out);
    cr_assert_eq(rule_cc17_set_start_date(capconnect, &contract, out), 0);
    cr_assert_eq(out->count, 0);
}

/* ---- CC-2a / CC-2b derived examples ---------------------------------------------- */

Test(cc, cc2a_last_day_clamps_from_the_start)
{
    pacta_contract_t contract = fx_contract("C", "start", PACTA_BILLING_MONTHLY, 100, "2024-01-31");
    cr_assert_eq(rule_cc2a_initial_term(capconnect, &contract, out), 0);
    fx_assert_date(out->items[0].until, "2025-01-30");
    contract.start_on = D("2025-06-01");
    pacta_outcome_init(out);
    cr_assert_eq(rule_cc2a_initial_term(capconnect, &contract, out), 0);
    fx_assert_date(out->items[0].until, "2026-05-31");
    fx_assert_date(pacta_cc_non_renewal_deadline(capconnect, contract.start_on, 0), "2026-02-28");
}

Test(cc, cc2b_second_period_deadline_missed)
{
    pacta_contract_t contract = fx_contract("C", "start", PACTA_BILLING_MONTHLY, 100, "2025-03-01");
    fx_assert_date(pacta_cc_non_renewal_deadline(capconnect, contract.start_on, 1), "2026-11-28");
    pacta_letter_t notice = fx_letter(PACTA_SENT_LETTER, "2026-12-01", NULL);
    cr_assert_eq(rule_cc2b_record_non_renewal(capconnect, &contract, &notice, out), 0);
    fx_assert_date(out->items[0].date, "2028-02-29");
}

Test(cc, cc2b_renews_at_term_end_unless_already_ending)
{
    pacta_contract_t contract = fx_contract("C", "start", PACTA_BILLING_MONTHLY, 100, "2025-03-01");
    cr_assert_eq(rule_cc2b_renew_at_term_end(capconnect, &contract, 0, out), 0);
    cr_assert_eq(out->items[0].kind, PACTA_DECISION_RENEW);
    fx_assert_date(out->items[0].date, "2026-03-01");
    fx_assert_date(out->items[0].until, "2027-02-28");
    contract.ends_on = D("2026-02-28");
    pacta_outcome_init(out);
    cr_assert_eq(rule_cc2b_renew_at_term_end(capconnect, &contract, 0, out), 0);
    cr_assert_eq(out->count, 0, "CC-2b: a contract that ends is not renewed");
}

/* ---- CC-3a / CC-3b / CC-3c derived examples -------------------------------------- */

Test(cc, cc3a_anniversaries_are_never_chained)
{
    pacta_contract_t contract = fx_contract("C", "start", PACTA_BILLING_MONTHLY, 30000, "2024-01-31");
    const char *expected[] = {"2024-01-31", "2024-02-29", "2024-03-31", "2024-04-30"};
    for (int k = 0; k < 4; k++) {
        pacta_outcome_init(out);
        cr_assert_eq(rule_cc3a_issue_invoice(capconnect, &contract, k, out), 0);
        fx_assert_date(out->items[0].date, expected[k]);
    }
    pacta_outcome_init(out);
    cr_assert_eq(rule_cc3a_issue_invoice(capconnect, &contract, 1, out), 0);
    fx_assert_date(out->items[0].until, "2024-03-07");
}

Test(cc, cc3b_suspends_day_after_due)
{
    pacta_contract_t contract = fx_contract("C", "start", PACTA_BILLING_MONTHLY, 30000, "2025-01-01");
    pacta_invoice_t invoice = fx_invoice("F-1", "C", "2025-02-01", "2025-02-08", 30000);
    pacta_ledger_t ledger = {&invoice, 1, NULL, 0, NULL, 0};
    //  On the due date itself nothing happens.
    cr_assert_eq(rule_cc3b_suspend_unpaid(capconnect, &contract, &ledger, D("2025-02-08"), out), 0);
    cr_assert_eq(out->count, 0);
    cr_assert_eq(rule_cc3b_suspend_unpaid(capconnect, &contract, &ledger, D("2025-02-09"), out), 0);
    fx_assert_date(out->items[0].date, "2025-02-09");
}

Test(cc, cc3b_paid_in_full_on_the_due_date_is_not_suspended)
{
    pacta_contract_t contract = fx_contract("C", "start", PACTA_BILLING_MONTHLY, 30000, "2025-01-01");
    pacta_invoice_t invoice = fx_invoice("F-1", "C", "2025-02-01", "2025-02-08", 30000);
    pacta_payment_t payment = fx_payment("P", "F-1", 30000, "2025-02-08");
    pacta_ledger_t ledger = {&invoice, 1, &payment, 1, NULL, 0};
    cr_assert_eq(rule_cc3b_suspend_unpaid(capconnect, &contract, &ledger, D("2025-02-09"), out), 0);
    cr_assert_eq(out->count, 0);
}

Test(cc, cc3b_partial_payment_does_not_prevent_suspension)
{
    pacta_contract_t contract = fx_contract("C", "start", PACTA_BILLING_MONTHLY, 30000, "2025-01-01");
    pacta_invoice_t invoice = fx_invoice("F-1", "C", "2025-02-01", "2025-02-08", 30000);
    pacta_payment_t payment = fx_payment("P", "F-1", 29999, "2025-02-07");
    pacta_ledger_t ledger = {&invoice, 1, &payment, 1, NULL, 0};
    cr_assert_eq(rule_cc3b_suspend_unpaid(capconnect, &contract, &ledger, D("2025-02-09"), out), 0);
    cr_assert_eq(out->count, 1);
    fx_assert_date(out->items[0].date, "2025-02-09");
    cr_assert_eq(out->items[0].amount, 1, "0.01 still unpaid");
}

Test(cc, cc3b_mode_off_and_propose)
{
    pacta_contract_t contract = fx_contract("C", "start", PACTA_BILLING_MONTHLY, 30000, "2025-01-01");
    pacta_invoice_t invoice = fx_invoice("F-1", "C", "2025-02-01", "2025-02-08", 30000);
    pacta_ledger_t ledger = {&invoice, 1, NULL, 0, NULL, 0};
    capconnect->unpaid_suspension.rule.mode = PACTA_RULE_OFF;
    cr_assert_eq(rule_cc3b_suspend_unpaid(capconnect, &contract, &ledger, D("2025-02-09"), out), 0);
    cr_assert_eq(out->count, 0, "CC-3b off: no decision");
    capconnect->unpaid_suspension.rule.mode = PACTA_RULE_PROPOSE;
    cr_assert_eq(rule_cc3b_suspend_unpaid(capconnect, &contract, &ledger, D("2025-02-09"), out), 0);
    cr_assert_eq(out->count, 1);
    cr_assert_eq(out->items[0].status, PACTA_DECISION_PROPOSAL, "CC-3b propose: a proposal");
}

Test(cc, cc3c_partial_payment_restores_nothing)
{
    pacta_contract_t contract = fx_contract("C", "start", PACTA_BILLING_MONTHLY, 30000, "2025-01-01");
    fx_suspend(&contract, "2025-02-09", "unpaid");
    pacta_invoice_t invoice = fx_invoice("F-1", "C", "2025-02-01", "2025-02-08", 30000);
    pacta_payment_t payment = fx_payment("P", "F-1", 20000, "2025-02-12");
    pacta_ledger_t ledger = {&invoice, 1, &payment, 1, NULL, 0};
    cr_assert_eq(rule_cc3c_restore_on_payment(capconnect, &contract, &ledger, D("2025-02-12"), out), 0);
    cr_assert_eq(out->count, 0);
}

Test(cc, cc3c_every_overdue_invoice_must_be_paid)
{
    pacta_contract_t contract = fx_contract("C", "start", PACTA_BILLING_MONTHLY, 30000, "2025-01-01");
    fx_suspend(&contract, "2025-02-09", "unpaid");
    pacta_invoice_t invoices[] = {
        fx_invoice("F-02", "C", "2025-02-01", "2025-02-08", 30000),
        fx_invoice("F-03", "C", "2025-03-01", "2025-03-08", 30000),
    };
    pacta_payment_t payments[] = {
        fx_payment("P-1", "F-02", 30000, "2025-03-12"),
        fx_payment("P-2", "F-03", 30000, "2025-03-20"),
    };
    pacta_ledger_t ledger = {invoices, 2, payments, 1, NULL, 0};
    cr_assert_eq(rule_cc3c_restore_on_payment(capconnect, &contract, &ledger, D("2025-03-12"), out), 0);
    cr_assert_eq(out->count, 0, "CC-3c: March invoice overdue since 2025-03-09");
    ledger.payment_count = 2;
    cr_assert_eq(rule_cc3c_restore_on_payment(capconnect, &contract, &ledger, D("2025-03-20"), out), 0);
    cr_assert_eq(out->count, 1);
    fx_assert_date(out->items[0].date, "2025-03-20");
}

Test(cc, cc3d_suspension_of_one_day_loses_two_days)
{
    //  Suspended 02-09 and paid 02-10: both ends are lost (interpretation).
    pacta_contract_t contract = fx_contract("C", "start", PACTA_BILLING_MONTHLY, 30000, "2025-01-01");
    fx_suspend(&contract, "2025-02-09", "unpaid");
    cr_assert_eq(rule_cc3d_record_lost_period(capconnect, &contract, D("2025-02-10"), out), 0);
    cr_assert_eq(pacta_explanation_find(&out->items[0].explanation, "lost_days")->as.number, 2);
    cr_assert_eq(pacta_explanation_find(&out->items[0].explanation, "credit")->as.cents, 0);
}

/* ---- CC-4 ------------------------------------------------------------------------ */

Test(cc, cc4_missing_content_is_a_proposal_then_resumes)
{
    pacta_contract_t contract = fx_contract("C", "goooo", PACTA_BILLING_MONTHLY, 50000, "2025-01-01");
    pacta_content_t content = {"CT-1", D("2025-05-10"), PACTA_DATE_INVALID};
    cr_assert_eq(rule_cc4_suspend_missing_content(capconnect, &contract, &content, D("2025-05-10"), out), 0);
    cr_assert_eq(out->count, 0, "deadline day not over");
    cr_assert_eq(rule_cc4_suspend_missing_content(capconnect, &contract, &content, D("2025-05-11"), out), 0);
    cr_assert_eq(out->items[0].kind, PACTA_DECISION_SUSPEND);
    cr_assert_eq(out->items[0].status, PACTA_DECISION_PROPOSAL, "CC-4 is propose for capconnect");
    cr_assert_str_eq(out->items[0].reason, "content");
    fx_assert_date(out->items[0].date, "2025-05-11");

    fx_suspend(&contract, "2025-05-11", "content");
    content.delivered_on = D("2025-05-20");
    pacta_outcome_init(out);
    cr_assert_eq(rule_cc4_resume_on_content(capconnect, &contract, &content, out), 0);
    cr_assert_eq(out->count, 2);
    cr_assert_eq(out->items[0].kind, PACTA_DECISION_RESTORE);
    cr_assert_eq(out->items[0].status, PACTA_DECISION_APPLY);
    fx_assert_date(out->items[0].date, "2025-05-20");
    cr_assert_eq(out->items[1].kind, PACTA_DECISION_LOST_PERIOD);
    fx_assert_date(out->items[1].date, "2025-05-11");
    fx_assert_date(out->items[1].until, "2025-05-19");
}

Test(cc, cc4_content_in_time_proposes_nothing)
{
    pacta_contract_t contract = fx_contract("C", "goooo", PACTA_BILLING_MONTHLY, 50000, "2025-01-01");
    pacta_content_t content = {"CT-1", D("2025-05-10"), D("2025-05-10")};
    cr_assert_eq(rule_cc4_suspend_missing_content(capconnect, &contract, &content, D("2025-05-20"), out), 0);
    cr_assert_eq(out->count, 0);
}

/* ---- CC-5 ------------------------------------------------------------------------ */

Test(cc, cc5_budget_by_the_end_of_launch_day_in_brussels)
{
    pacta_contract_t contract = fx_contract("C", "goooo", PACTA_BILLING_MONTHLY, 50000, "2025-01-01");
    //  2025-05-15 23:00 in Brussels (summer time) is 21:00 UTC.
    pacta_campaign_t campaign = {"CMP-1", D("2025-05-15"), pacta_date_from_instant(1747342800)};
    fx_assert_date(campaign.budget_confirmed_on, "2025-05-15");
    cr_assert_eq(rule_cc5_campaign_without_budget(capconnect, &contract, &campaign, D("2025-05-16"), out), 0);
    cr_assert_eq(out->items[0].kind, PACTA_DECISION_RELEASE, "published");

    //  2025-05-15T22:30:00Z is 2025-05-16 00:30 in Brussels: lost.
    campaign.budget_confirmed_on = pacta_date_from_instant(1747348200);
    fx_assert_date(campaign.budget_confirmed_on, "2025-05-16");
    pacta_outcome_init(out);
    cr_assert_eq(rule_cc5_campaign_without_budget(capconnect, &contract, &campaign, D("2025-05-16"), out), 0);
    cr_assert_eq(out->items[0].kind, PACTA_DECISION_FORFEIT, "CC-5: lost for that period");
    cr_assert_eq(out->items[0].notification_count, 1);
    cr_assert_eq(out->items[0].notifications[0].to, PACTA_TO_CLIENT);
}

Test(cc, cc5_no_budget_yet_on_launch_day_decides_nothing)
{
    pacta_contract_t contract = fx_contract("C", "goooo", PACTA_BILLING_MONTHLY, 50000, "2025-01-01");
    pacta_campaign_t campaign = {"CMP-1", D("2025-05-15"), PACTA_DATE_INVALID};
    cr_assert_eq(rule_cc5_campaign_without_budget(capconnect, &contract, &campaign, D("2025-05-15"), out), 0);
    cr_assert_eq(out->count, 0);
    cr_assert_eq(rule_cc5_campaign_without_budget(capconnect, &contract, &campaign, D("2025-05-16"), out), 0);
    cr_assert_eq(out->items[0].kind, PACTA_DECISION_FORFEIT);
}

/* ---- CC-7 ------------------------------------------------------------------------ */

Test(cc, cc7_work_released_on_full_payment_only)
{
    pacta_invoice_t invoice = fx_invoice("OPT-1", "C", "2025-04-01", "2025-04-08", 50000);
    invoice.kind = PACTA_INVOICE_OPTION;
    pacta_payment_t payments[] = {
        fx_payment("P-1", "OPT-1", 30000, "2025-04-03"),
        fx_payment("P-2", "OPT-1", 20000, "2025-04-10"),
    };
    pacta_ledger_t ledger = {&invoice, 1, payments, 1, NULL, 0};
    cr_assert_eq(rule_cc7_release_prepaid_work(capconnect, &invoice, &ledger, out), 0);
    cr_assert_eq(out->items[0].kind, PACTA_DECISION_WITHHOLD, "CC-7: partial payment releases nothing");
    ledger.payment_count = 2;
    pacta_outcome_init(out);
    cr_assert_eq(rule_cc7_release_prepaid_work(capconnect, &invoice, &ledger, out), 0);
    cr_assert_eq(out->items[0].kind, PACTA_DECISION_RELEASE);
    fx_assert_date(out->items[0].date, "2025-04-10");
}

/* ---- CC-9 ------------------------------------------------------------------------ */

Test(cc, cc9_withdrawal_within_14_days_cancels_and_credits)
{
    pacta_contract_t contract = fx_contract("C-9", "start", PACTA_BILLING_MONTHLY, 30000, "2025-03-03");
    contract.formation.order_form_signed_on = D("2025-03-03");
    pacta_invoice_t invoice = fx_invoice("F-9", "C-9", "2025-03-03", "2025-03-10", 30000);
    pacta_ledger_t ledger = {&invoice, 1, NULL, 0, NULL, 0};
    pacta_letter_t withdrawal = fx_letter(PACTA_SENT_EMAIL, "2025-03-17", NULL);
    cr_assert_eq(rule_cc9_withdraw(capconnect, &contract, &withdrawal, &ledger, out), 0);
    cr_assert_eq(out->items[0].kind, PACTA_DECISION_CANCEL);
    cr_assert_eq(out->items[0].charge_count, 1);
    cr_assert_eq(out->items[0].charges[0].kind, PACTA_CHARGE_CREDIT_NOTE);
    cr_assert_eq(out->items[0].charges[0].amount, -30000);

    withdrawal = fx_letter(PACTA_SENT_EMAIL, "2025-03-18", NULL);
    pacta_outcome_init(out);
    cr_assert_eq(rule_cc9_withdraw(capconnect, &contract, &withdrawal, &ledger, out), 0);
    cr_assert_eq(out->items[0].kind, PACTA_DECISION_REFUSE);
    cr_assert_str_eq(out->items[0].reason, "late");
}

Test(cc, cc9_refused_once_a_service_started)
{
    pacta_contract_t contract = fx_contract("C-9", "start", PACTA_BILLING_MONTHLY, 30000, "2025-03-03");
    contract.formation.order_form_signed_on = D("2025-03-03");
    contract.performance_started_on = D("2025-03-05");
    pacta_letter_t withdrawal = fx_letter(PACTA_SENT_EMAIL, "2025-03-06", NULL);
    cr_assert_eq(rule_cc9_withdraw(capconnect, &contract, &withdrawal, &s_no_ledger, out), 0);
    cr_assert_str_eq(out->items[0].reason, "service_started");
}

Test(cc, cc9_never_for_a_la_carte)
{
    pacta_contract_t contract = fx_contract("C-9", "", 0, 0, "2025-03-03");
    contract.kind = PACTA_CONTRACT_A_LA_CARTE;
    contract.formation.order_form_signed_on = D("2025-03-03");
    pacta_letter_t withdrawal = fx_letter(PACTA_SENT_EMAIL, "2025-03-04", NULL);
    cr_assert_eq(rule_cc9_withdraw(capconnect, &contract, &withdrawal, &s_no_ledger, out), 0);
    cr_assert_str_eq(out->items[0].reason, "a_la_carte");

    //  A pack order with à-la-carte lines: pack part cancelled, the rest refused.
    contract = fx_contract("C-9", "start", PACTA_BILLING_MONTHLY, 30000, "2025-03-03");
    contract.formation.order_form_signed_on = D("2025-03-03");
    contract.has_a_la_carte_lines = true;
    pacta_invoice_t invoices[] = {
        fx_invoice("F-P", "C-9", "2025-03-03", "2025-03-10", 30000),
        fx_invoice("F-A", "C-9", "2025-03-03", "2025-03-10", 12000),
    };
    invoices[1].kind = PACTA_INVOICE_A_LA_CARTE;
    pacta_ledger_t ledger = {invoices, 2, NULL, 0, NULL, 0};
    pacta_outcome_init(out);
    cr_assert_eq(rule_cc9_withdraw(capconnect, &contract, &withdrawal, &ledger, out), 0);
    cr_assert_eq(out->count, 2);
    cr_assert_eq(out->items[0].kind, PACTA_DECISION_CANCEL);
    cr_assert_eq(out->items[0].amount, -30000, "only the pack invoice is credited");
    cr_assert_eq(out->items[1].kind, PACTA_DECISION_REFUSE);
}

/* ---- L-3: the statutory withdrawal period ------------------------------------ */

Test(cc, l3_period_counts_from_the_day_after_conclusion)
{
    fx_assert_date(pacta_l3_last_withdrawal_day(capconnect, D("2025-06-02")), "2025-06-16");
    cr_assert_eq(rule_l3_withdrawal_deadline(capconnect, D("2025-06-02"), "C-L3", out), 0);
    cr_assert_eq(out->items[0].kind, PACTA_DECISION_DEADLINE);
    fx_assert_date(out->items[0].date, "2025-06-16");
    fx_assert_date(pacta_explanation_find(&out->items[0].explanation, "first_day")->as.date, "2025-06-03");
    cr_assert_str_eq(out->items[0].explanation.rule_id, "L-3");
    fx_assert_explained(out);
}

Test(cc, l3_is_a_floor_for_consumers_under_cc9)
{
    capconnect->withdrawal.calendar_days = 10;   //  a profile stingier than the law
    pacta_contract_t contract = fx_contract("C-9", "start", PACTA_BILLING_MONTHLY, 30000, "2025-03-03");
    contract.formation.order_form_signed_on = D("2025-03-03");
    pacta_letter_t withdrawal = fx_letter(PACTA_SENT_EMAIL, "2025-03-17", NULL);
    cr_assert_eq(rule_cc9_withdraw(capconnect, &contract, &withdrawal, &s_no_ledger, out), 0);
    cr_assert_str_eq(out->items[0].reason, "late", "a professional gets the profile's 10 days");
    contract.client.kind = PACTA_CLIENT_CONSUMER;
    pacta_outcome_init(out);
    cr_assert_eq(rule_cc9_withdraw(capconnect, &contract, &withdrawal, &s_no_ledger, out), 0);
    cr_assert_eq(out->items[0].kind, PACTA_DECISION_CANCEL, "a consumer gets the 14 days of L-3");
}

/* ---- CC-10 ----------------------------------------------------------------------- */

Test(cc, cc10_licence_ends_with_the_contract)
{
    pacta_contract_t contract = fx_contract("C-10", "start", PACTA_BILLING_MONTHLY, 30000, "2025-03-01");
    contract.ends_on = D("2026-02-28");
    cr_assert_eq(rule_cc10_end_content_licence(capconnect, &contract, out), 0);
    cr_assert_eq(out->items[0].kind, PACTA_DECISION_LICENCE_END);
    fx_assert_date(out->items[0].date, "2026-02-28");
    fx_assert_date(pacta_explanation_find(&out->items[0].explanation, "consent_needed_from")->as.date, "2026-03-01");
    cr_assert_eq(out->items[0].notification_count, 1);
    contract.ends_on = PACTA_DATE_INVALID;
    cr_assert_eq(rule_cc10_end_content_licence(capconnect, &contract, out), -1, "no end date: invalid input");
}

/* ---- CC-13 ----------------------------------------------------------------------- */

Test(cc, cc13_termination_proposed_after_more_than_30_days)
{
    pacta_contract_t contract = fx_contract("C-13", "start", PACTA_BILLING_MONTHLY, 30000, "2025-01-01");
    pacta_force_majeure_event_t event = {"FM-1", D("2025-06-01"), PACTA_DATE_INVALID};
    cr_assert_eq(rule_cc13_force_majeure(capconnect, &contract, &event, D("2025-06-01"), out), 0);
    cr_assert_eq(out->count, 1);
    cr_assert_eq(out->items[0].kind, PACTA_DECISION_SUSPEND);
    fx_assert_date(out->items[0].timers[0].fires_on, "2025-07-01");

    fx_suspend(&contract, "2025-06-01", "force_majeure");
    pacta_outcome_init(out);
    cr_assert_eq(rule_cc13_force_majeure(capconnect, &contract, &event, D("2025-06-30"), out), 0);
    cr_assert_eq(out->count, 0, "day 30: no right yet");
    cr_assert_eq(rule_cc13_force_majeure(capconnect, &contract, &event, D("2025-07-01"), out), 0);
    cr_assert_eq(out->items[0].kind, PACTA_DECISION_TERMINATE);
    cr_assert_eq(out->items[0].status, PACTA_DECISION_PROPOSAL, "CC-13 is propose");
    fx_assert_date(out->items[0].date, "2025-07-01");
}

Test(cc, cc13_thirty_days_give_no_termination_right)
{
    pacta_contract_t contract = fx_contract("C-13", "start", PACTA_BILLING_MONTHLY, 30000, "2025-01-01");
    fx_suspend(&contract, "2025-06-01", "force_majeure");
    pacta_force_majeure_event_t event = {"FM-1", D("2025-06-01"), D("2025-06-30")};
    cr_assert_eq(rule_cc13_force_majeure(capconnect, &contract, &event, D("2025-07-01"), out), 0);
    cr_assert_eq(out->count, 1);
    cr_assert_eq(out->items[0].kind, PACTA_DECISION_RESTORE);
    fx_assert_date(out->items[0].date, "2025-07-01");
}

/* ---- CC-14 ----------------------------------------------------------------------- */

Test(cc, cc14_terms_in_force_from_the_earlier_date)
{
    pacta_contract_t contract = fx_contract("C-14", "start", PACTA_BILLING_MONTHLY, 30000, "2025-01-01");
    pacta_terms_change_event_t change = {"T-2025-2", D("2025-09-28"), D("2025-10-01"), false, PACTA_DATE_INVALID,
                                         PACTA_DATE_INVALID};
    cr_assert_eq(rule_cc14_change_terms(capconnect, &contract, &change, out), 0);
    cr_assert_eq(out->items[0].kind, PACTA_DECISION_EFFECTIVE);
    fx_assert_date(out->items[0].date, "2025-09-28");
}

Test(cc, cc14_changed_service_waits_for_acceptance)
{
    pacta_contract_t contract = fx_contract("C-14", "start", PACTA_BILLING_MONTHLY, 30000, "2025-01-01");
    pacta_terms_change_event_t change = {"S-2025-1", PACTA_DATE_INVALID, D("2025-10-01"), true, PACTA_DATE_INVALID,
                                         PACTA_DATE_INVALID};
    cr_assert_eq(rule_cc14_change_terms(capconnect, &contract, &change, out), 0);
    cr_assert_eq(out->count, 2);
    cr_assert_eq(out->items[1].kind, PACTA_DECISION_WITHHOLD);
    change.accepted_on = D("2025-10-08");
    pacta_outcome_init(out);
    cr_assert_eq(rule_cc14_change_terms(capconnect, &contract, &change, out), 0);
    cr_assert_eq(out->items[1].kind, PACTA_DECISION_RELEASE);
    fx_assert_date(out->items[1].date, "2025-10-08");
}

/* ---- every CC decision explains itself -------------------------------------------- */

Test(cc, every_cc_decision_renders_in_both_languages)
{
    pacta_contract_t contract = fx_contract("C-X", "start", PACTA_BILLING_MONTHLY, 30000, "2025-03-01");
    contract.formation.order_form_signed_on = D("2025-03-01");
    contract.ends_on = D("2026-02-28");
    pacta_letter_t letter = fx_letter(PACTA_SENT_REGISTERED, "2025-11-29", NULL);
    cr_assert_eq(rule_cc1_check_contract(capconnect, &contract, out), 0);
    cr_assert_eq(rule_cc17_set_start_date(capconnect, &contract, out), 0);
    cr_assert_eq(rule_cc2a_initial_term(capconnect, &contract, out), 0);
    cr_assert_eq(rule_cc2b_record_non_renewal(capconnect, &contract, &letter, out), 0);
    cr_assert_eq(rule_cc2c_early_termination(capconnect, &contract, &letter, &s_no_ledger, out), 0);
    cr_assert_eq(rule_cc3a_issue_invoice(capconnect, &contract, 3, out), 0);
    cr_assert_eq(rule_cc10_end_content_licence(capconnect, &contract, out), 0);
    cr_assert_eq(out->count, 6, "CC-17 decides nothing when the start is known; got %zu", out->count);
    fx_assert_explained(out);
}
