/*  =========================================================================
    test_retention - retention schedules per data category (CC-12, SG-11,
    L-5) and data-subject request deadlines (L-4)
    =========================================================================
*/
#include <criterion/criterion.h>

#include "rules_fixtures.h"
#include "rules_retention.h"

static pacta_profile_t *capconnect;
static pacta_profile_t *sgevent;
static pacta_outcome_t *out;

static void
s_setup(void)
{
    capconnect = fx_profile("capconnect", false);
    sgevent = fx_profile("sgevent", false);
    out = pacta_outcome_new();
    cr_assert_not_null(out);
}

static void
s_teardown(void)
{
    pacta_outcome_destroy(&out);
    pacta_profile_destroy(&sgevent);
    pacta_profile_destroy(&capconnect);
}

TestSuite(retention, .init = s_setup, .fini = s_teardown);

//  The decision of that kind for that category (ref), or NULL.
static const pacta_decision_t *
s_find(pacta_decision_kind_t kind, pacta_data_category_t category)
{
    for (size_t i = 0; i < out->count; i++)
        if (out->items[i].kind == kind && strcmp(out->items[i].ref, pacta_data_category_name(category)) == 0)
            return &out->items[i];
    return NULL;
}

Test(retention, cc12_everything_archived_ten_years_after_the_contract)
{
    cr_assert_eq(rule_cc12_archive_after_contract(capconnect, D("2026-02-28"), out), 0);
    cr_assert_eq(out->count, 2 * PACTA_DATA_CATEGORY_COUNT);
    for (int c = 0; c < PACTA_DATA_CATEGORY_COUNT; c++) {
        const pacta_decision_t *archive = s_find(PACTA_DECISION_ARCHIVE, (pacta_data_category_t) c);
        const pacta_decision_t *erase = s_find(PACTA_DECISION_ERASE, (pacta_data_category_t) c);
        cr_assert_not_null(archive, "CC-12: %s archived", pacta_data_category_name((pacta_data_category_t) c));
        cr_assert_not_null(erase);
        fx_assert_date(archive->date, "2026-03-01");
        fx_assert_date(archive->until, "2036-02-28");
        fx_assert_date(erase->date, "2036-02-29");
        cr_assert_str_eq(archive->explanation.rule_id, "CC-12");
    }
    fx_assert_explained(out);
}

Test(retention, sg11_personal_data_erased_after_one_year)
{
    cr_assert_eq(rule_sg11_erase_after_retention(sgevent, D("2025-07-31"), out), 0);
    for (int c = 0; c < PACTA_DATA_ACCOUNTING; c++) {
        cr_assert_null(s_find(PACTA_DECISION_ARCHIVE, (pacta_data_category_t) c), "SG-11: personal data not archived");
        const pacta_decision_t *erase = s_find(PACTA_DECISION_ERASE, (pacta_data_category_t) c);
        cr_assert_not_null(erase);
        fx_assert_date(erase->date, "2026-08-01");
        fx_assert_date(pacta_explanation_find(&erase->explanation, "kept_until")->as.date, "2026-07-31");
        cr_assert_str_eq(erase->explanation.rule_id, "SG-11");
    }
    //  L-5: accounting archived from 2026-08-01 through 2036-07-31, erased 2036-08-01.
    const pacta_decision_t *archive = s_find(PACTA_DECISION_ARCHIVE, PACTA_DATA_ACCOUNTING);
    cr_assert_not_null(archive);
    fx_assert_date(archive->date, "2026-08-01");
    fx_assert_date(archive->until, "2036-07-31");
    fx_assert_date(s_find(PACTA_DECISION_ERASE, PACTA_DATA_ACCOUNTING)->date, "2036-08-01");
    fx_assert_explained(out);
}

Test(retention, sg11_leap_day_end)
{
    cr_assert_eq(rule_sg11_erase_after_retention(sgevent, D("2024-02-29"), out), 0);
    const pacta_decision_t *erase = s_find(PACTA_DECISION_ERASE, PACTA_DATA_CONTACT);
    fx_assert_date(pacta_explanation_find(&erase->explanation, "kept_until")->as.date, "2025-02-28");
    fx_assert_date(erase->date, "2025-03-01");
}

Test(retention, l5_capconnect_accounting_archive)
{
    pacta_retention_dates_t dates;
    cr_assert_eq(pacta_retention_dates(capconnect, PACTA_DATA_ACCOUNTING, D("2026-02-28"), &dates), 0);
    fx_assert_date(dates.archive_from, "2026-03-01");
    fx_assert_date(dates.erase_on, "2036-02-29");
    cr_assert_not(dates.statutory_floor);
}

Test(retention, l5_floor_lifts_a_short_accounting_archive)
{
    sgevent->data_retention.categories[PACTA_DATA_ACCOUNTING].archived_years = 5;
    pacta_retention_dates_t dates;
    cr_assert_eq(pacta_retention_dates(sgevent, PACTA_DATA_ACCOUNTING, D("2025-07-31"), &dates), 0);
    cr_assert_eq(dates.archive_years, 10);
    cr_assert(dates.statutory_floor);
    fx_assert_date(dates.erase_on, "2036-08-01");
    cr_assert_eq(rule_sg11_erase_after_retention(sgevent, D("2025-07-31"), out), 0);
    const pacta_decision_t *archive = s_find(PACTA_DECISION_ARCHIVE, PACTA_DATA_ACCOUNTING);
    cr_assert_str_eq(archive->explanation.rule_id, "L-5", "the floor cites L-5");
    //  Other categories have no floor.
    cr_assert_eq(pacta_retention_dates(sgevent, PACTA_DATA_CONTACT, D("2025-07-31"), &dates), 0);
    cr_assert_eq(dates.archive_years, 0);
}

Test(retention, l5_erasure_request_archives_accounting)
{
    cr_assert_eq(rule_l5_archive_accounting(sgevent, D("2025-10-15"), out), 0);
    cr_assert_eq(out->count, 2);
    cr_assert_eq(out->items[0].kind, PACTA_DECISION_ARCHIVE);
    fx_assert_date(out->items[0].date, "2025-10-15");
    fx_assert_date(out->items[0].until, "2035-10-14");
    cr_assert_eq(out->items[1].kind, PACTA_DECISION_ERASE);
    fx_assert_date(out->items[1].date, "2035-10-15");
    cr_assert_str_eq(out->items[0].explanation.rule_id, "L-5");
    fx_assert_explained(out);
}

Test(retention, retention_block_off_decides_nothing)
{
    capconnect->data_retention.rule.mode = PACTA_RULE_OFF;
    cr_assert_eq(rule_cc12_archive_after_contract(capconnect, D("2026-02-28"), out), 0);
    cr_assert_eq(out->count, 0);
    pacta_retention_dates_t dates;
    cr_assert_eq(pacta_retention_dates(capconnect, PACTA_DATA_IDENTITY, D("2026-02-28"), &dates), -1);
}

Test(retention, invalid_dates_are_refused)
{
    cr_assert_eq(rule_cc12_archive_after_contract(capconnect, PACTA_DATE_INVALID, out), -1);
    cr_assert_eq(rule_l5_archive_accounting(capconnect, PACTA_DATE_INVALID, out), -1);
}

/* ---- L-4 ---------------------------------------------------------------------- */

Test(retention, l4_one_month_then_extension)
{
    pacta_dsr_t request = {"DSR-1", "subject-1", PACTA_DSR_ERASURE, D("2025-01-31"), PACTA_DATE_INVALID,
                           PACTA_DATE_INVALID};
    cr_assert_eq(rule_l4_dsr_deadline(sgevent, &request, out), 0);
    cr_assert_eq(out->count, 1);
    cr_assert_eq(out->items[0].kind, PACTA_DECISION_DEADLINE);
    fx_assert_date(out->items[0].date, "2025-02-28");
    fx_assert_date(out->items[0].timers[0].fires_on, "2025-03-01");

    request.extension_notified_on = D("2025-02-20");
    pacta_outcome_init(out);
    cr_assert_eq(rule_l4_dsr_deadline(sgevent, &request, out), 0);
    fx_assert_date(out->items[0].date, "2025-04-30");   //  from the receipt, not chained
    fx_assert_date(out->items[0].until, "2025-04-30");
    fx_assert_explained(out);
}

Test(retention, l4_late_extension_notice_is_refused)
{
    pacta_dsr_t request = {"DSR-2", "subject-1", PACTA_DSR_ACCESS, D("2025-01-31"), D("2025-03-01"),
                           PACTA_DATE_INVALID};
    cr_assert_eq(rule_l4_dsr_deadline(capconnect, &request, out), 0);
    cr_assert_eq(out->count, 2);
    cr_assert_eq(out->items[0].kind, PACTA_DECISION_REFUSE);
    cr_assert_str_eq(out->items[0].reason, "extension_notified_late");
    fx_assert_date(out->items[1].date, "2025-02-28");
    fx_assert_explained(out);
}

Test(retention, l4_figures_come_from_the_profile)
{
    capconnect->statutes.data_subject_requests.answer_within_months = 2;
    capconnect->statutes.data_subject_requests.extension_months = 1;
    pacta_dsr_t request = {"DSR-3", "subject-1", PACTA_DSR_ACCESS, D("2025-01-31"), D("2025-02-10"),
                           PACTA_DATE_INVALID};
    cr_assert_eq(rule_l4_dsr_deadline(capconnect, &request, out), 0);
    fx_assert_date(out->items[0].date, "2025-04-30");
    fx_assert_date(pacta_explanation_find(&out->items[0].explanation, "answer_by")->as.date, "2025-03-31");
}
