/*  =========================================================================
    test_rules_acme - a third company is a YAML file, not code

    Loads tests/fixtures/profiles/acme.yaml (other billing periods, a 24-month
    term, 1 month's notice counted on receipt, 30-day payment terms, a grace
    period and a formal notice before a proposed suspension, a 50 % referral
    cap, its own retention, terms changes from the next month, a closing
    day) and checks that the CC-family rules follow its figures and cite its
    own rule ids, and that the rules it switches off decide nothing.
    =========================================================================
*/
#include <criterion/criterion.h>

#include "rules_cc.h"
#include "rules_fixtures.h"
#include "rules_retention.h"

static pacta_profile_t *acme;
static pacta_profile_t *capconnect;
static pacta_outcome_t *out;
static char sentence[PACTA_SENTENCE_SIZE];

static void
s_setup(void)
{
    acme = fx_profile("acme", true);
    capconnect = fx_profile("capconnect", false);
    out = pacta_outcome_new();
    cr_assert_not_null(out);
}

static void
s_teardown(void)
{
    pacta_outcome_destroy(&out);
    pacta_profile_destroy(&capconnect);
    pacta_profile_destroy(&acme);
}

TestSuite(acme, .init = s_setup, .fini = s_teardown);

static const pacta_ledger_t s_no_ledger = {NULL, 0, NULL, 0, NULL, 0};

Test(acme, cc1_catalogue_offers_quarterly_not_monthly)
{
    pacta_contract_t contract = fx_contract("A-1", "pro", PACTA_BILLING_QUARTERLY, 100000, "2025-01-15");
    cr_assert_eq(rule_cc1_check_contract(acme, &contract, out), 0);
    cr_assert_eq(out->items[0].kind, PACTA_DECISION_ACCEPT);
    cr_assert_eq(out->items[0].amount, 400000, "4 quarters of 1,000.00");
    cr_assert_str_eq(out->items[0].explanation.rule_id, "ACME-2");
    contract.billing_period = PACTA_BILLING_MONTHLY;
    pacta_outcome_init(out);
    cr_assert_eq(rule_cc1_check_contract(acme, &contract, out), 0);
    cr_assert_str_eq(out->items[0].reason, "billing_period_not_offered");
    //  capconnect has no "pro" pack.
    contract.billing_period = PACTA_BILLING_ANNUAL;
    pacta_outcome_init(out);
    cr_assert_eq(rule_cc1_check_contract(capconnect, &contract, out), 0);
    cr_assert_str_eq(out->items[0].reason, "unknown_pack");
}

Test(acme, cc2a_term_is_24_months)
{
    pacta_contract_t contract = fx_contract("A-2", "pro", PACTA_BILLING_ANNUAL, 400000, "2025-03-01");
    cr_assert_eq(rule_cc2a_initial_term(acme, &contract, out), 0);
    fx_assert_date(out->items[0].until, "2027-02-28");
    cr_assert_str_eq(out->items[0].explanation.rule_id, "ACME-3a");
}

Test(acme, cc2b_one_month_notice_counted_on_receipt)
{
    pacta_contract_t contract = fx_contract("A-2", "pro", PACTA_BILLING_ANNUAL, 400000, "2025-03-01");
    fx_assert_date(pacta_cc_non_renewal_deadline(acme, contract.start_on, 0), "2027-01-28");
    //  Posted Mon 2027-01-25, presumed received Thu 2027-01-28: in time.
    pacta_letter_t in_time = fx_letter(PACTA_SENT_REGISTERED, "2027-01-25", NULL);
    cr_assert_eq(rule_cc2b_record_non_renewal(acme, &contract, &in_time, out), 0);
    fx_assert_date(out->items[0].date, "2027-02-28");
    cr_assert_str_eq(pacta_explanation_find(&out->items[0].explanation, "date_basis")->as.text, "receipt");
    //  Posted Tue 2027-01-26, received Fri 2027-01-29: late, renewed 12 months.
    pacta_letter_t late = fx_letter(PACTA_SENT_REGISTERED, "2027-01-26", NULL);
    pacta_outcome_init(out);
    cr_assert_eq(rule_cc2b_record_non_renewal(acme, &contract, &late, out), 0);
    fx_assert_date(out->items[0].date, "2028-02-29");
    //  The same postmark would be in time for capconnect (postmark counts, 3 months).
    fx_assert_date(pacta_cc_non_renewal_deadline(capconnect, contract.start_on, 1), "2026-11-28");
}

Test(acme, cc2c_early_termination_is_off)
{
    pacta_contract_t contract = fx_contract("A-2", "pro", PACTA_BILLING_ANNUAL, 400000, "2025-03-01");
    pacta_letter_t letter = fx_letter(PACTA_SENT_REGISTERED, "2026-01-10", NULL);
    cr_assert_eq(rule_cc2c_early_termination(acme, &contract, &letter, &s_no_ledger, out), 0);
    cr_assert_eq(out->count, 0, "ACME-3c is off: no decision");
}

Test(acme, cc3a_quarterly_invoices_due_after_30_days)
{
    pacta_contract_t contract = fx_contract("A-3", "pro", PACTA_BILLING_QUARTERLY, 100000, "2025-01-15");
    cr_assert_eq(rule_cc3a_issue_invoice(acme, &contract, 1, out), 0);
    fx_assert_date(out->items[0].date, "2025-04-15");
    fx_assert_date(out->items[0].until, "2025-05-15");
    fx_assert_date(out->items[0].timers[0].fires_on, "2025-05-26");   //  due + 1 + 10 days' grace
    fx_assert_date(out->items[0].timers[1].fires_on, "2025-07-15");
    cr_assert_str_eq(out->items[0].explanation.rule_id, "ACME-5a");
    //  Its own printed due date wins for acme, not for capconnect.
    fx_assert_date(pacta_cc_invoice_due_on(acme, D("2025-04-15"), D("2025-06-30")), "2025-06-30");
    fx_assert_date(pacta_cc_invoice_due_on(capconnect, D("2025-04-15"), D("2025-06-30")), "2025-04-22");
}

Test(acme, cc3b_grace_formal_notice_and_proposal)
{
    pacta_contract_t contract = fx_contract("A-3", "pro", PACTA_BILLING_QUARTERLY, 100000, "2025-01-15");
    pacta_invoice_t invoice = fx_invoice("AC-7", "A-3", "2025-04-15", "2025-05-15", 100000);
    pacta_ledger_t ledger = {&invoice, 1, NULL, 0, NULL, 0};
    cr_assert_eq(rule_cc3b_suspend_unpaid(acme, &contract, &ledger, D("2025-05-25"), out), 0);
    cr_assert_eq(out->count, 0, "inside the 10-day grace period");
    cr_assert_eq(rule_cc3b_suspend_unpaid(acme, &contract, &ledger, D("2025-05-26"), out), 0);
    cr_assert_eq(out->items[0].kind, PACTA_DECISION_NOTIFY, "a formal notice is needed first");
    cr_assert_eq(out->items[0].notifications[0].to, PACTA_TO_OPERATOR);

    pacta_letter_t notice = fx_letter(PACTA_SENT_REGISTERED, "2025-05-20", NULL);
    notice.from = PACTA_FROM_PROVIDER;
    notice.formal_notice = true;
    snprintf(notice.ref, sizeof notice.ref, "AC-7");
    ledger.letters = &notice;
    ledger.letter_count = 1;
    pacta_outcome_init(out);
    cr_assert_eq(rule_cc3b_suspend_unpaid(acme, &contract, &ledger, D("2025-05-26"), out), 0);
    cr_assert_eq(out->items[0].kind, PACTA_DECISION_SUSPEND);
    cr_assert_eq(out->items[0].status, PACTA_DECISION_PROPOSAL, "ACME-5b is propose");
    fx_assert_date(out->items[0].date, "2025-05-26");
    cr_assert_eq(pacta_decision_explain(&out->items[0], PACTA_LANG_EN, sentence, sizeof sentence), 0);
    cr_assert_str_eq(sentence, "Proposed: suspended from 2025-05-26: invoice AC-7 issued 2025-04-15 was not paid by "
                               "its due date 2025-05-15 and the 10-day grace period, and a formal notice was sent on "
                               "2025-05-20 (acme §5, ACME-5b).");

    //  A formal notice sent after the grace period: suspended the day after it.
    notice.sent_on = D("2025-05-30");
    pacta_outcome_init(out);
    cr_assert_eq(rule_cc3b_suspend_unpaid(acme, &contract, &ledger, D("2025-05-30"), out), 0);
    cr_assert_eq(out->count, 0);
    cr_assert_eq(rule_cc3b_suspend_unpaid(acme, &contract, &ledger, D("2025-05-31"), out), 0);
    fx_assert_date(out->items[0].date, "2025-05-31");
}

Test(acme, cc3c_cc3d_absent_rules_decide_nothing)
{
    pacta_contract_t contract = fx_contract("A-3", "pro", PACTA_BILLING_QUARTERLY, 100000, "2025-01-15");
    fx_suspend(&contract, "2025-05-26", "unpaid");
    pacta_invoice_t invoice = fx_invoice("AC-7", "A-3", "2025-04-15", "2025-05-15", 100000);
    pacta_payment_t payment = fx_payment("P", "AC-7", 100000, "2025-06-02");
    pacta_ledger_t ledger = {&invoice, 1, &payment, 1, NULL, 0};
    cr_assert_eq(rule_cc3c_restore_on_payment(acme, &contract, &ledger, D("2025-06-02"), out), 0);
    cr_assert_eq(rule_cc3d_record_lost_period(acme, &contract, D("2025-06-02"), out), 0);
    pacta_content_t content = {"CT", D("2025-05-01"), PACTA_DATE_INVALID};
    cr_assert_eq(rule_cc4_suspend_missing_content(acme, &contract, &content, D("2025-06-01"), out), 0);
    pacta_campaign_t campaign = {"CMP", D("2025-05-01"), PACTA_DATE_INVALID};
    cr_assert_eq(rule_cc5_campaign_without_budget(acme, &contract, &campaign, D("2025-06-01"), out), 0);
    contract.ends_on = D("2026-01-14");
    cr_assert_eq(rule_cc10_end_content_licence(acme, &contract, out), 0);
    pacta_force_majeure_event_t event = {"FM", D("2025-05-01"), PACTA_DATE_INVALID};
    cr_assert_eq(rule_cc13_force_majeure(acme, &contract, &event, D("2025-07-01"), out), 0);
    cr_assert_eq(out->count, 0, "acme has none of CC-3c, CC-3d, CC-4, CC-5, CC-10, CC-13");
}

Test(acme, cc8_cap_is_half_the_annual_licence)
{
    pacta_contract_t sponsor = fx_contract("A-8", "pro", PACTA_BILLING_QUARTERLY, 100000, "2025-01-15");
    pacta_referral_earning_t earned[3];
    memset(earned, 0, sizeof earned);
    pacta_cents_t expected[] = {100000, 100000, 0};
    for (size_t i = 0; i < 3; i++) {
        pacta_outcome_init(out);
        cr_assert_eq(rule_cc8_earn_referral_discount(acme, &sponsor, "enterprise", D("2025-03-01"), earned, i, out), 0);
        cr_assert_eq(out->items[0].amount, expected[i], "referee %zu: cap 50 %% of 4,000.00", i + 1);
        earned[i].signed_on = D("2025-03-01");
        earned[i].earned = out->items[0].amount;
    }
    cr_assert_str_eq(out->items[0].explanation.rule_id, "ACME-6");
    cr_assert_eq(pacta_explanation_find(&out->items[0].explanation, "cap")->as.cents, 200000);
    //  An annual sponsor who does not renew keeps the question for a person.
    sponsor.billing_period = PACTA_BILLING_ANNUAL;
    pacta_outcome_init(out);
    cr_assert_eq(rule_cc8_forfeit_unapplied_discounts(acme, &sponsor, 50000, D("2027-01-14"), out), 0);
    cr_assert_eq(out->items[0].kind, PACTA_DECISION_NOTIFY);
}

Test(acme, cc12_acme_retention_per_category)
{
    cr_assert_eq(rule_cc12_archive_after_contract(acme, D("2025-06-30"), out), 0);
    pacta_retention_dates_t dates;
    cr_assert_eq(pacta_retention_dates(acme, PACTA_DATA_IDENTITY, D("2025-06-30"), &dates), 0);
    fx_assert_date(dates.kept_until, "2027-06-30");
    fx_assert_date(dates.archive_from, "2027-07-01");
    fx_assert_date(dates.archive_until, "2032-06-30");
    fx_assert_date(dates.erase_on, "2032-07-01");
    cr_assert_eq(pacta_retention_dates(acme, PACTA_DATA_BANKING, D("2025-06-30"), &dates), 0);
    fx_assert_date(dates.erase_on, "2025-07-01");
    cr_assert_eq(pacta_retention_dates(acme, PACTA_DATA_CONTENT, D("2025-06-30"), &dates), 0);
    fx_assert_date(dates.erase_on, "2027-07-01");
    cr_assert_eq(pacta_retention_dates(acme, PACTA_DATA_ACCOUNTING, D("2025-06-30"), &dates), 0);
    fx_assert_date(dates.archive_from, "2025-07-01");
    fx_assert_date(dates.erase_on, "2035-07-01");
    //  identity, contact, accounting archived; five erasures.
    cr_assert_eq(out->count, 3 + 5);
    cr_assert_str_eq(out->items[0].explanation.rule_id, "ACME-10");
    fx_assert_explained(out);
}

Test(acme, cc14_changes_apply_after_30_clear_days)
{
    pacta_contract_t contract = fx_contract("A-9", "pro", PACTA_BILLING_ANNUAL, 400000, "2025-01-15");
    pacta_terms_change_event_t change = {"ACME-T2", PACTA_DATE_INVALID, D("2025-05-20"), false, PACTA_DATE_INVALID,
                                         PACTA_DATE_INVALID};
    cr_assert_eq(rule_cc14_change_terms(acme, &contract, &change, out), 0);
    cr_assert_eq(out->items[0].kind, PACTA_DECISION_EFFECTIVE);
    fx_assert_date(out->items[0].date, "2025-06-21");   //  objection through 2025-06-20
    change.objected_on = D("2025-06-10");
    pacta_outcome_init(out);
    cr_assert_eq(rule_cc14_change_terms(acme, &contract, &change, out), 0);
    cr_assert_eq(out->items[0].kind, PACTA_DECISION_RECORD);
    cr_assert_str_eq(out->items[0].reason, "objected");
    //  capconnect: in force on notification.
    change.objected_on = PACTA_DATE_INVALID;
    pacta_outcome_init(out);
    cr_assert_eq(rule_cc14_change_terms(capconnect, &contract, &change, out), 0);
    fx_assert_date(out->items[0].date, "2025-05-20");
    fx_assert_explained(out);
}

Test(acme, closing_days_delay_registered_letters)
{
    pacta_letter_t letter = fx_letter(PACTA_SENT_REGISTERED, "2025-12-24", NULL);
    fx_assert_date(pacta_letter_received_on(capconnect, &letter), "2025-12-30");
    fx_assert_date(pacta_letter_received_on(acme, &letter), "2025-12-31");   //  26 December closed
}
