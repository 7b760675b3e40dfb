/*  =========================================================================
    pacta_date - legal calendar dates in Europe/Brussels

    Every legal deadline in the terms is a local calendar date in Brussels, so
    the whole project counts in whole days: a pacta_date_t is the number of
    days since 1970-01-01 in the proleptic Gregorian calendar. Instants (UTC
    seconds) become dates in exactly one place, pacta_date_from_instant().
    The conventions of docs/rules.md section 0 (business days, clear days,
    month arithmetic, months started, registered-letter receipt) live here.
    =========================================================================
*/
#ifndef PACTA_DATE_H_INCLUDED
#define PACTA_DATE_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Days since 1970-01-01. Valid range is years 1..9999. */
typedef int32_t pacta_date_t;
/* Seconds since the Unix epoch, UTC. */
typedef int64_t pacta_instant_t;

#define PACTA_DATE_INVALID INT32_MIN
#define PACTA_DATE_STR_LEN 11 /* "YYYY-MM-DD" plus NUL */

/* Extra non-business days a profile adds on top of the ten Belgian legal
   holidays (e.g. a company closing day). The caller owns the array; it need
   not be sorted. A NULL pacta_holidays_t pointer means legal holidays only. */
typedef struct {
    const pacta_date_t *extra;  /* extra holiday dates, any order */
    size_t extra_count;         /* number of entries in extra */
} pacta_holidays_t;

/* ---- construction and conversion ------------------------------------- */

/* Date of a valid y-m-d, or PACTA_DATE_INVALID (month 13, Feb 30, year 0...). */
pacta_date_t pacta_date_from_ymd(int year, int month, int day);
/* Splits a valid date into its parts; any out pointer may be NULL. */
void pacta_date_to_ymd(pacta_date_t date, int *year, int *month, int *day);
/* True if date is within years 1..9999. */
bool pacta_date_is_valid(pacta_date_t date);
/* Parses exactly "YYYY-MM-DD" (len bytes, no trailing text). 0 on success,
   -1 on any malformed or impossible date; *out untouched on failure. */
int pacta_date_parse(const char *text, size_t len, pacta_date_t *out);
/* Writes "YYYY-MM-DD" into buf (at least PACTA_DATE_STR_LEN bytes); an invalid
   date writes "invalid". Returns buf for use in printf arguments. */
char *pacta_date_format(pacta_date_t date, char *buf, size_t buf_size);
/* ISO weekday: 1 = Monday ... 7 = Sunday. */
int pacta_date_weekday(pacta_date_t date);
int pacta_date_year(pacta_date_t date);
/* Number of days in the month of that year (28..31). */
int pacta_days_in_month(int year, int month);

/* ---- Europe/Brussels -------------------------------------------------- */

/* Offset of Brussels local time from UTC at instant, in seconds (3600 in
   winter, 7200 in summer; EU rule: summer time from the last Sunday of March
   01:00 UTC to the last Sunday of October 01:00 UTC). */
int pacta_brussels_utc_offset(pacta_instant_t instant);
/* The Brussels calendar date at that instant. */
pacta_date_t pacta_date_from_instant(pacta_instant_t instant);
/* The instant at which date begins (00:00 local time) in Brussels. */
pacta_instant_t pacta_date_start_instant(pacta_date_t date);

/* ---- holidays and business days -------------------------------------- */

/* Easter Sunday of year (Gregorian computus). */
pacta_date_t pacta_easter(int year);
/* One of the ten Belgian legal holidays (Civil Code art. 1.7). */
bool pacta_is_legal_holiday(pacta_date_t date);
/* Legal holiday, or one of the extra days in holidays (may be NULL). */
bool pacta_is_holiday(const pacta_holidays_t *holidays, pacta_date_t date);
/* Monday to Friday and not a holiday ("jour ouvrable"). */
bool pacta_is_business_day(const pacta_holidays_t *holidays, pacta_date_t date);
/* The count-th business day strictly after date (count >= 1); count 0
   returns date itself. */
pacta_date_t pacta_business_days_after(const pacta_holidays_t *holidays, pacta_date_t date, int count);
/* Business days in the half-open interval (from, to]: 0 when to <= from. */
int pacta_business_days_between(const pacta_holidays_t *holidays, pacta_date_t from, pacta_date_t to);

/* ---- legal period conventions ---------------------------------------- */

/* "Within N calendar days of D": the last day still in time, D + N. */
pacta_date_t pacta_calendar_days_deadline(pacta_date_t date, int days);
/* "Within N clear days after D" (jours francs): neither D nor the final day
   counts, so the last day still in time is D + N + 1. */
pacta_date_t pacta_clear_days_deadline(pacta_date_t date, int days);
/* add_months with month-end clamp: 2024-01-31 + 1 = 2024-02-29. months may be
   negative. */
pacta_date_t pacta_add_months(pacta_date_t date, int months);
/* The k-th anniversary of start, computed from start, never chained. */
pacta_date_t pacta_anniversary(pacta_date_t start, int k);
/* "Each month started" after due date, paid on paid: the smallest m >= 1
   with add_months(due, m) >= paid; 0 when paid <= due. */
int pacta_months_started(pacta_date_t due, pacta_date_t paid);
/* Presumed receipt of a registered letter posted on postmark: the
   business_days-th business day after it (3 in Belgian practice; the profile
   carries the figure). */
pacta_date_t pacta_registered_receipt(const pacta_holidays_t *holidays, pacta_date_t postmark,
                                      int business_days);

#ifdef __cplusplus
}
#endif

#endif
