/*  =========================================================================
    pacta_date - legal calendar dates in Europe/Brussels

    Dates are day numbers (days since 1970-01-01, proleptic Gregorian), so
    "D + N days" is integer addition and comparisons are plain integer
    comparisons. Conversion to and from year/month/day uses the civil-from-days
    arithmetic (eras of 400 years), which is exact over the whole range.

    Design decision: the Brussels offset is computed from the EU summer-time
    rule (Directive 2000/84/EC: last Sunday of March 01:00 UTC to last Sunday
    of October 01:00 UTC) instead of reading tzdata. The rule is the law for
    every date the product handles, keeps this module pure (no TZ environment
    variable, no files, safe in threads) and is cross-checked against the
    system's tzdata in the tests.
    =========================================================================
*/
#include "pacta_date.h"

#include <stdio.h>
#include <string.h>

#define MIN_YEAR 1
#define MAX_YEAR 9999

static const int s_month_days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

static bool
s_is_leap(int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int
pacta_days_in_month(int year, int month)
{
    if (month < 1 || month > 12)
        return 0;
    if (month == 2 && s_is_leap(year))
        return 29;
    return s_month_days[month - 1];
}

//  Days since 1970-01-01 for a y/m/d already known to be valid. Shifts the
//  year to start in March so the leap day is the last day of the "year".
static int32_t
s_days_from_civil(int year, int month, int day)
{
    year -= month <= 2;
    const int era = (year >= 0 ? year : year - 399) / 400;
    const int year_of_era = year - era * 400;
    const int day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    const int day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return (int32_t) (era * 146097 + day_of_era - 719468);
}

pacta_date_t
pacta_date_from_ymd(int year, int month, int day)
{
    if (year < MIN_YEAR || year > MAX_YEAR || month < 1 || month > 12)
        return PACTA_DATE_INVALID;
    if (day < 1 || day > pacta_days_in_month(year, month))
        return PACTA_DATE_INVALID;
    return s_days_from_civil(year, month, day);
}

bool
pacta_date_is_valid(pacta_date_t date)
{
    return date != PACTA_DATE_INVALID
        && date >= s_days_from_civil(MIN_YEAR, 1, 1)
        && date <= s_days_from_civil(MAX_YEAR, 12, 31);
}

void
pacta_date_to_ymd(pacta_date_t date, int *year, int *month, int *day)
{
    const int32_t z = date + 719468;
    const int32_t era = (z >= 0 ? z : z - 146096) / 146097;
    const int32_t day_of_era = z - era * 146097;
    const int32_t year_of_era
        = (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    const int32_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    const int32_t mp = (5 * day_of_year + 2) / 153;
    const int d = (int) (day_of_year - (153 * mp + 2) / 5 + 1);
    const int m = (int) (mp < 10 ? mp + 3 : mp - 9);
    const int y = (int) (year_of_era + era * 400) + (m <= 2);
    if (year)
        *year = y;
    if (month)
        *month = m;
    if (day)
        *day = d;
}

int
pacta_date_year(pacta_date_t date)
{
    int year;
    pacta_date_to_ymd(date, &year, NULL, NULL);
    return year;
}

int
pacta_date_weekday(pacta_date_t date)
{
    //  1970-01-01 was a Thursday (ISO 4).
    int32_t shifted = (date + 3) % 7;
    if (shifted < 0)
        shifted += 7;
    return (int) shifted + 1;
}

//  Reads exactly `width` ASCII digits; -1 if any byte is not a digit.
static int
s_parse_digits(const char *text, int width)
{
    int value = 0;
    for (int i = 0; i < width; i++) {
        if (text[i] < '0' || text[i] > '9')
            return -1;
        value = value * 10 + (text[i] - '0');
    }
    return value;
}

int
pacta_date_parse(const char *text, size_t len, pacta_date_t *out)
{
    if (!text || len != 10 || text[4] != '-' || text[7] != '-')
        return -1;
    const int year = s_parse_digits(text, 4);
    const int month = s_parse_digits(text + 5, 2);
    const int day = s_parse_digits(text + 8, 2);
    if (year < 0 || month < 0 || day < 0)
        return -1;
    const pacta_date_t date = pacta_date_from_ymd(year, month, day);
    if (date == PACTA_DATE_INVALID)
        return -1;
    *out = date;
    return 0;
}

char *
pacta_date_format(pacta_date_t date, char *buf, size_t buf_size)
{
    if (!buf || buf_size == 0)
        return buf;
    if (!pacta_date_is_valid(date)) {
        snprintf(buf, buf_size, "invalid");
        return buf;
    }
    int year, month, day;
    pacta_date_to_ymd(date, &year, &month, &day);
    snprintf(buf, buf_size, "%04d-%02d-%02d", year, month, day);
    return buf;
}

//  ---------------------------------------------------------------------------
//  Europe/Brussels

#define SECONDS_PER_DAY 86400
#define CET_OFFSET 3600
#define CEST_OFFSET 7200

//  The last Sunday of a month.
static pacta_date_t
s_last_sunday(int year, int month)
{
    const pacta_date_t last = pacta_date_from_ymd(year, month, pacta_days_in_month(year, month));
    return last - (pacta_date_weekday(last) % 7);
}

//  Floor division, so instants before 1970 land on the right day.
static int64_t
s_floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

int
pacta_brussels_utc_offset(pacta_instant_t instant)
{
    const int64_t utc_day = s_floor_div(instant, SECONDS_PER_DAY);
    int year;
    if (utc_day < s_days_from_civil(MIN_YEAR, 1, 1) || utc_day > s_days_from_civil(MAX_YEAR, 12, 31))
        return CET_OFFSET;
    pacta_date_to_ymd((pacta_date_t) utc_day, &year, NULL, NULL);
    //  Both transitions happen at 01:00 UTC.
    const int64_t summer_starts = (int64_t) s_last_sunday(year, 3) * SECONDS_PER_DAY + 3600;
    const int64_t summer_ends = (int64_t) s_last_sunday(year, 10) * SECONDS_PER_DAY + 3600;
    return instant >= summer_starts && instant < summer_ends ? CEST_OFFSET : CET_OFFSET;
}

pacta_date_t
pacta_date_from_instant(pacta_instant_t instant)
{
    const int64_t local = instant + pacta_brussels_utc_offset(instant);
    return (pacta_date_t) s_floor_div(local, SECONDS_PER_DAY);
}

pacta_instant_t
pacta_date_start_instant(pacta_date_t date)
{
    //  Local midnight is never inside a transition (they happen at 02:00 and
    //  03:00 local), so try the winter offset and correct if summer applies.
    const int64_t local_midnight = (int64_t) date * SECONDS_PER_DAY;
    const int64_t winter_guess = local_midnight - CET_OFFSET;
    if (pacta_brussels_utc_offset(winter_guess) == CEST_OFFSET)
        return local_midnight - CEST_OFFSET;
    return winter_guess;
}

//  ---------------------------------------------------------------------------
//  Holidays and business days

pacta_date_t
pacta_easter(int year)
{
    //  Anonymous Gregorian computus (Meeus/Jones/Butcher).
    const int a = year % 19;
    const int b = year / 100;
    const int c = year % 100;
    const int d = b / 4;
    const int e = b % 4;
    const int f = (b + 8) / 25;
    const int g = (b - f + 1) / 3;
    const int h = (19 * a + b - d - g + 15) % 30;
    const int i = c / 4;
    const int k = c % 4;
    const int l = (32 + 2 * e + 2 * i - h - k) % 7;
    const int m = (a + 11 * h + 22 * l) / 451;
    const int month = (h + l - 7 * m + 114) / 31;
    const int day = ((h + l - 7 * m + 114) % 31) + 1;
    return pacta_date_from_ymd(year, month, day);
}

bool
pacta_is_legal_holiday(pacta_date_t date)
{
    int year, month, day;
    pacta_date_to_ymd(date, &year, &month, &day);
    //  Fixed-date holidays: 1 Jan, 1 May, 21 Jul, 15 Aug, 1 Nov, 11 Nov, 25 Dec.
    if ((month == 1 && day == 1) || (month == 5 && day == 1) || (month == 7 && day == 21)
        || (month == 8 && day == 15) || (month == 11 && (day == 1 || day == 11))
        || (month == 12 && day == 25))
        return true;
    //  Movable feasts: Easter Monday, Ascension, Whit Monday.
    const pacta_date_t easter = pacta_easter(year);
    return date == easter + 1 || date == easter + 39 || date == easter + 50;
}

bool
pacta_is_holiday(const pacta_holidays_t *holidays, pacta_date_t date)
{
    if (pacta_is_legal_holiday(date))
        return true;
    if (holidays)
        for (size_t i = 0; i < holidays->extra_count; i++)
            if (holidays->extra[i] == date)
                return true;
    return false;
}

bool
pacta_is_business_day(const pacta_holidays_t *holidays, pacta_date_t date)
{
    return pacta_date_weekday(date) <= 5 && !pacta_is_holiday(holidays, date);
}

pacta_date_t
pacta_business_days_after(const pacta_holidays_t *holidays, pacta_date_t date, int count)
{
    pacta_date_t cursor = date;
    while (count > 0) {
        cursor++;
        if (pacta_is_business_day(holidays, cursor))
            count--;
    }
    return cursor;
}

int
pacta_business_days_between(const pacta_holidays_t *holidays, pacta_date_t from, pacta_date_t to)
{
    int count = 0;
    for (pacta_date_t cursor = from + 1; cursor <= to; cursor++)
        if (pacta_is_business_day(holidays, cursor))
            count++;
    return count;
}

//  ---------------------------------------------------------------------------
//  Legal period conventions

pacta_date_t
pacta_calendar_days_deadline(pacta_date_t date, int days)
{
    return date + days;
}

pacta_date_t
pacta_clear_days_deadline(pacta_date_t date, int days)
{
    return date + days + 1;
}

pacta_date_t
pacta_add_months(pacta_date_t date, int months)
{
    if (!pacta_date_is_valid(date))
        return PACTA_DATE_INVALID;
    int year, month, day;
    pacta_date_to_ymd(date, &year, &month, &day);
    const int64_t total = (int64_t) year * 12 + (month - 1) + months;
    const int64_t new_year = s_floor_div(total, 12);
    const int new_month = (int) (total - new_year * 12) + 1;
    if (new_year < MIN_YEAR || new_year > MAX_YEAR)
        return PACTA_DATE_INVALID;
    const int last = pacta_days_in_month((int) new_year, new_month);
    return pacta_date_from_ymd((int) new_year, new_month, day < last ? day : last);
}

pacta_date_t
pacta_anniversary(pacta_date_t start, int k)
{
    return pacta_add_months(start, k);
}

int
pacta_months_started(pacta_date_t due, pacta_date_t paid)
{
    if (paid <= due)
        return 0;
    int due_year, due_month, paid_year, paid_month;
    pacta_date_to_ymd(due, &due_year, &due_month, NULL);
    pacta_date_to_ymd(paid, &paid_year, &paid_month, NULL);
    //  Start one below the calendar-month distance, then step up: at most
    //  two iterations because of the month-end clamp.
    int months = (paid_year - due_year) * 12 + (paid_month - due_month) - 1;
    if (months < 1)
        months = 1;
    while (pacta_add_months(due, months) < paid)
        months++;
    return months;
}

pacta_date_t
pacta_registered_receipt(const pacta_holidays_t *holidays, pacta_date_t postmark, int business_days)
{
    return pacta_business_days_after(holidays, postmark, business_days);
}
