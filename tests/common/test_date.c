/*  Tests for pacta_date: every convention and example of docs/rules.md §0
    (calendar days, business days, clear days, add_months, anniversaries,
    months started, registered letters), the Brussels time zone, and the
    parser's refusals. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pacta_date.h"

static pacta_date_t
D(const char *iso)
{
    pacta_date_t date = PACTA_DATE_INVALID;
    cr_assert_eq(pacta_date_parse(iso, strlen(iso), &date), 0, "test date %s must parse", iso);
    return date;
}

static void
assert_date(pacta_date_t got, const char *expected, const char *what)
{
    char buf[PACTA_DATE_STR_LEN];
    cr_assert_str_eq(pacta_date_format(got, buf, sizeof buf), expected, "%s", what);
}

// ---- conversion and parsing ------------------------------------------------

Test(date, epoch_and_known_days)
{
    cr_assert_eq(pacta_date_from_ymd(1970, 1, 1), 0);
    cr_assert_eq(pacta_date_from_ymd(1969, 12, 31), -1);
    cr_assert_eq(pacta_date_from_ymd(2000, 3, 1), 11017);
    cr_assert_eq(pacta_date_weekday(D("2025-04-24")), 4, "2025-04-24 is a Thursday");
    cr_assert_eq(pacta_date_weekday(D("2025-12-24")), 3, "2025-12-24 is a Wednesday");
    cr_assert_eq(pacta_date_weekday(D("1969-12-28")), 7, "a Sunday before the epoch");
}

Test(date, round_trip_every_day_1900_to_2200)
{
    pacta_date_t expected = pacta_date_from_ymd(1900, 1, 1);
    for (int year = 1900; year <= 2200; year++)
        for (int month = 1; month <= 12; month++)
            for (int day = 1; day <= pacta_days_in_month(year, month); day++) {
                const pacta_date_t date = pacta_date_from_ymd(year, month, day);
                cr_assert_eq(date, expected, "%04d-%02d-%02d is one day after the previous", year, month,
                             day);
                int y, m, d;
                pacta_date_to_ymd(date, &y, &m, &d);
                cr_assert(y == year && m == month && d == day);
                expected++;
            }
}

Test(date, leap_years)
{
    cr_assert_eq(pacta_days_in_month(2024, 2), 29);
    cr_assert_eq(pacta_days_in_month(2025, 2), 28);
    cr_assert_eq(pacta_days_in_month(1900, 2), 28);
    cr_assert_eq(pacta_days_in_month(2000, 2), 29);
    cr_assert_eq(pacta_days_in_month(2025, 13), 0);
}

struct bad_date { char text[24]; };
ParameterizedTestParameters(date, parse_refuses)
{
    static struct bad_date rows[] = {
        {""}, {"2025-02-30"}, {"2025-13-01"}, {"2025-00-10"}, {"2025-01-00"}, {"2023-02-29"},
        {"0000-01-01"}, {"2025-1-01"}, {"2025/01/01"}, {"2025-01-01T00:00"}, {"20250101"},
        {" 2025-01-01"}, {"2025-01-0x"}, {"+025-01-01"}, {"2025-01-01 "},
    };
    return cr_make_param_array(struct bad_date, rows, sizeof rows / sizeof rows[0]);
}
ParameterizedTest(struct bad_date *row, date, parse_refuses)
{
    pacta_date_t out = 12345;
    cr_assert_eq(pacta_date_parse(row->text, strlen(row->text), &out), -1, "'%s' must be refused", row->text);
    cr_assert_eq(out, 12345, "output untouched on failure");
}

Test(date, parse_and_format)
{
    pacta_date_t out;
    cr_assert_eq(pacta_date_parse("2024-02-29", 10, &out), 0);
    assert_date(out, "2024-02-29", "leap day survives a round trip");
    char buf[PACTA_DATE_STR_LEN];
    cr_assert_str_eq(pacta_date_format(PACTA_DATE_INVALID, buf, sizeof buf), "invalid");
    cr_assert_eq(pacta_date_parse("2025-01-01-extra", 10, &out), 0, "len bounds the parse");
}

// ---- Europe/Brussels ---------------------------------------------------------

Test(brussels, dst_transitions_2025)
{
    //  Summer time 2025: from Sun 30 March 01:00 UTC to Sun 26 October 01:00 UTC.
    const pacta_instant_t spring = (pacta_instant_t) D("2025-03-30") * 86400 + 3600;
    cr_assert_eq(pacta_brussels_utc_offset(spring - 1), 3600);
    cr_assert_eq(pacta_brussels_utc_offset(spring), 7200);
    const pacta_instant_t autumn = (pacta_instant_t) D("2025-10-26") * 86400 + 3600;
    cr_assert_eq(pacta_brussels_utc_offset(autumn - 1), 7200);
    cr_assert_eq(pacta_brussels_utc_offset(autumn), 3600);
}

Test(brussels, instant_to_local_date)
{
    //  2025-02-08 23:30 UTC is already 2025-02-09 00:30 in Brussels (winter).
    const pacta_instant_t late_evening = (pacta_instant_t) D("2025-02-08") * 86400 + 23 * 3600 + 1800;
    assert_date(pacta_date_from_instant(late_evening), "2025-02-09", "winter, UTC+1");
    //  2025-07-31 22:00 UTC is 2025-08-01 00:00 in Brussels (summer).
    const pacta_instant_t summer = (pacta_instant_t) D("2025-07-31") * 86400 + 22 * 3600;
    assert_date(pacta_date_from_instant(summer), "2025-08-01", "summer, UTC+2");
    assert_date(pacta_date_from_instant(summer - 1), "2025-07-31", "one second before midnight");
}

Test(brussels, start_instant_is_local_midnight)
{
    //  Winter midnight is 23:00 UTC the day before, summer midnight 22:00 UTC,
    //  including on both transition days.
    const char *days[] = {"2025-02-09", "2025-03-30", "2025-03-31", "2025-10-26", "2025-10-27", "2025-08-01"};
    for (size_t i = 0; i < sizeof days / sizeof days[0]; i++) {
        const pacta_date_t date = D(days[i]);
        const pacta_instant_t start = pacta_date_start_instant(date);
        cr_assert_eq(pacta_date_from_instant(start), date, "%s starts on itself", days[i]);
        cr_assert_eq(pacta_date_from_instant(start - 1), date - 1, "%s: one second earlier is the day before",
                     days[i]);
    }
    cr_assert_eq(pacta_date_start_instant(D("2025-02-09")), (pacta_instant_t) D("2025-02-08") * 86400 + 23 * 3600);
    cr_assert_eq(pacta_date_start_instant(D("2025-08-01")), (pacta_instant_t) D("2025-07-31") * 86400 + 22 * 3600);
}

Test(brussels, agrees_with_system_tzdata)
{
    //  Cross-check the built-in EU rule against the system's Europe/Brussels
    //  zone, every 37 minutes over 2000..2037 (crosses every transition).
    cr_assert_eq(setenv("TZ", "Europe/Brussels", 1), 0);
    tzset();
    struct tm probe;
    const time_t known = 1751320800; /* 2025-06-30 22:00 UTC */
    localtime_r(&known, &probe);
    cr_assert_eq(probe.tm_gmtoff, 7200, "tzdata for Europe/Brussels must be installed (package tzdata)");
    const pacta_instant_t from = 946684800;  /* 2000-01-01 */
    const pacta_instant_t to = 2145916800;   /* 2038-01-01 */
    for (pacta_instant_t t = from; t < to; t += 37 * 60) {
        const time_t tt = (time_t) t;
        struct tm local;
        localtime_r(&tt, &local);
        cr_assert_eq(pacta_brussels_utc_offset(t), local.tm_gmtoff, "offset at %lld", (long long) t);
        const pacta_date_t expected = pacta_date_from_ymd(local.tm_year + 1900, local.tm_mon + 1, local.tm_mday);
        cr_assert_eq(pacta_date_from_instant(t), expected, "date at %lld", (long long) t);
    }
}

// ---- holidays and business days ----------------------------------------------

Test(holidays, easter_computus)
{
    assert_date(pacta_easter(2025), "2025-04-20", "Easter 2025");
    assert_date(pacta_easter(2026), "2026-04-05", "Easter 2026");
    assert_date(pacta_easter(2027), "2027-03-28", "Easter 2027");
    assert_date(pacta_easter(2024), "2024-03-31", "Easter 2024");
    assert_date(pacta_easter(2038), "2038-04-25", "latest possible Easter");
    assert_date(pacta_easter(2285), "2285-03-22", "earliest possible Easter");
    for (int year = 1900; year < 2400; year++) {
        const pacta_date_t easter = pacta_easter(year);
        cr_assert_eq(pacta_date_weekday(easter), 7, "Easter %d is a Sunday", year);
    }
}

Test(holidays, belgian_legal_holidays_2025)
{
    const char *expected[] = {"2025-01-01", "2025-04-21", "2025-05-01", "2025-05-29", "2025-06-09",
                              "2025-07-21", "2025-08-15", "2025-11-01", "2025-11-11", "2025-12-25"};
    int found = 0;
    for (pacta_date_t d = D("2025-01-01"); d <= D("2025-12-31"); d++) {
        if (!pacta_is_legal_holiday(d))
            continue;
        char buf[PACTA_DATE_STR_LEN];
        cr_assert_lt(found, 10, "more than ten holidays in 2025: %s", pacta_date_format(d, buf, sizeof buf));
        assert_date(d, expected[found], "holiday order");
        found++;
    }
    cr_assert_eq(found, 10);
    cr_assert_not(pacta_is_legal_holiday(D("2025-04-20")), "Easter Sunday itself is a Sunday, not listed");
}

Test(holidays, extra_days_from_profile)
{
    const pacta_date_t extra[] = {D("2025-11-15"), D("2025-12-26")};
    const pacta_holidays_t holidays = {extra, 2};
    cr_assert(pacta_is_holiday(&holidays, D("2025-12-26")));
    cr_assert_not(pacta_is_holiday(NULL, D("2025-12-26")));
    cr_assert_not(pacta_is_business_day(&holidays, D("2025-12-26")));
    cr_assert(pacta_is_business_day(NULL, D("2025-12-26")));
    //  Posted Wed 24 Dec: 25 (legal) and 26 (extra) skipped → Mon 29, Tue 30, Wed 31.
    assert_date(pacta_registered_receipt(&holidays, D("2025-12-24"), 3), "2025-12-31",
                "extra holidays delay presumed receipt");
}

Test(business_days, counting)
{
    cr_assert(pacta_is_business_day(NULL, D("2025-04-24")), "Thursday");
    cr_assert_not(pacta_is_business_day(NULL, D("2025-04-26")), "Saturday");
    cr_assert_not(pacta_is_business_day(NULL, D("2025-04-21")), "Easter Monday");
    assert_date(pacta_business_days_after(NULL, D("2025-04-17"), 1), "2025-04-18", "Thu → Fri");
    assert_date(pacta_business_days_after(NULL, D("2025-04-18"), 1), "2025-04-22", "Fri → Tue over Easter Monday");
    assert_date(pacta_business_days_after(NULL, D("2025-04-18"), 0), "2025-04-18", "zero days is the day itself");
    cr_assert_eq(pacta_business_days_between(NULL, D("2025-04-18"), D("2025-04-25")), 4);
    cr_assert_eq(pacta_business_days_between(NULL, D("2025-04-25"), D("2025-04-18")), 0);
}

// ---- §0 conventions with their examples ---------------------------------------

Test(conventions, calendar_days)
{
    //  "Within N calendar days of D" = through the end of day D+N: invoice of
    //  2025-02-01 payable within 7 days → last day 2025-02-08 (CC-3a).
    assert_date(pacta_calendar_days_deadline(D("2025-02-01"), 7), "2025-02-08", "7 calendar days");
    assert_date(pacta_calendar_days_deadline(D("2025-03-03"), 15), "2025-03-18", "15 calendar days (SG-8b)");
}

Test(conventions, clear_days)
{
    //  "Within N clear days after D" is in time through D+N+1.
    assert_date(pacta_clear_days_deadline(D("2025-03-03"), 8), "2025-03-12", "8 clear days (SG-8e)");
    assert_date(pacta_clear_days_deadline(D("2025-06-30"), 10), "2025-07-11", "10 clear days (SG-10)");
}

struct months_row { char start[11]; int months; char expected[11]; };
ParameterizedTestParameters(conventions, add_months)
{
    static struct months_row rows[] = {
        {"2024-01-31", 1, "2024-02-29"},  /* the §0 example: clamp to month end */
        {"2024-01-31", 2, "2024-03-31"},
        {"2024-01-31", 3, "2024-04-30"},
        {"2025-01-31", 1, "2025-02-28"},
        {"2025-03-01", 12, "2026-03-01"},
        {"2025-11-30", 3, "2026-02-28"},
        {"2024-02-29", 12, "2025-02-28"},
        {"2024-02-29", 48, "2028-02-29"},
        {"2026-02-28", -3, "2025-11-28"}, /* CC-2b: last day minus notice */
        {"2025-03-31", -1, "2025-02-28"},
        {"2025-01-15", -13, "2023-12-15"},
    };
    return cr_make_param_array(struct months_row, rows, sizeof rows / sizeof rows[0]);
}
ParameterizedTest(struct months_row *row, conventions, add_months)
{
    char what[64];
    snprintf(what, sizeof what, "add_months(%s, %d)", row->start, row->months);
    assert_date(pacta_add_months(D(row->start), row->months), row->expected, what);
}

Test(conventions, anniversaries_from_start_never_chained)
{
    //  Start 2024-01-31 → 02-29, 03-31, 04-30 (chaining would give 03-29).
    const pacta_date_t start = D("2024-01-31");
    assert_date(pacta_anniversary(start, 1), "2024-02-29", "1st");
    assert_date(pacta_anniversary(start, 2), "2024-03-31", "2nd");
    assert_date(pacta_anniversary(start, 3), "2024-04-30", "3rd");
    cr_assert_neq(pacta_add_months(pacta_add_months(start, 1), 1), pacta_anniversary(start, 2),
                  "chaining really differs, so the test above means something");
}

struct started_row { char due[11]; char paid[11]; int months; };
ParameterizedTestParameters(conventions, months_started)
{
    static struct started_row rows[] = {
        {"2025-03-18", "2025-03-19", 1}, /* §0 examples */
        {"2025-03-18", "2025-04-18", 1},
        {"2025-03-18", "2025-04-19", 2},
        {"2025-03-18", "2025-05-20", 3}, /* worked example 5 */
        {"2025-03-18", "2025-03-18", 0}, /* paid on the due date: nothing started */
        {"2025-03-18", "2025-03-01", 0},
        {"2025-01-31", "2025-02-28", 1}, /* clamp: add_months(01-31, 1) = 02-28 */
        {"2025-01-31", "2025-03-01", 2},
        {"2025-03-18", "2026-03-18", 12},
        {"2025-03-18", "2026-03-19", 13},
    };
    return cr_make_param_array(struct started_row, rows, sizeof rows / sizeof rows[0]);
}
ParameterizedTest(struct started_row *row, conventions, months_started)
{
    cr_assert_eq(pacta_months_started(D(row->due), D(row->paid)), row->months, "due %s paid %s", row->due,
                 row->paid);
}

Test(conventions, months_started_is_smallest)
{
    //  Property: m is the smallest m >= 1 with add_months(due, m) >= paid.
    for (pacta_date_t due = D("2024-01-25"); due < D("2024-03-05"); due++)
        for (pacta_date_t paid = due + 1; paid < due + 500; paid += 3) {
            const int m = pacta_months_started(due, paid);
            cr_assert_geq(m, 1);
            cr_assert_geq(pacta_add_months(due, m), paid);
            if (m > 1)
                cr_assert_lt(pacta_add_months(due, m - 1), paid);
        }
}

Test(conventions, registered_letter_presumed_receipt)
{
    //  3rd business day after the postmark.
    assert_date(pacta_registered_receipt(NULL, D("2025-04-24"), 3), "2025-04-29", "Thu 2025-04-24 (§0, example 8)");
    assert_date(pacta_registered_receipt(NULL, D("2025-12-24"), 3), "2025-12-30", "Wed 2025-12-24, 25 Dec skipped");
    assert_date(pacta_registered_receipt(NULL, D("2025-09-10"), 3), "2025-09-15", "worked example 3");
    assert_date(pacta_registered_receipt(NULL, D("2025-08-20"), 3), "2025-08-25", "worked example 3, too early");
    assert_date(pacta_registered_receipt(NULL, D("2025-04-18"), 3), "2025-04-24", "Good Friday → over Easter Monday");
}
