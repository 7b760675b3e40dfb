/*  Tests for pacta_money: the one rounding function, checked arithmetic,
    parsing and the Belgian display form. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "pacta_money.h"

Test(money, round_half_away_from_zero)
{
    pacta_cents_t out;
    cr_assert_eq(pacta_money_round_div(5, 2, &out), 0);
    cr_assert_eq(out, 3, "2.5 → 3");
    pacta_money_round_div(-5, 2, &out);
    cr_assert_eq(out, -3, "-2.5 → -3");
    pacta_money_round_div(7, 3, &out);
    cr_assert_eq(out, 2, "2.33 → 2");
    pacta_money_round_div(-7, 3, &out);
    cr_assert_eq(out, -2, "-2.33 → -2");
    pacta_money_round_div(5, -2, &out);
    cr_assert_eq(out, -3, "negative denominator");
    pacta_money_round_div(149, 100, &out);
    cr_assert_eq(out, 1);
    pacta_money_round_div(150, 100, &out);
    cr_assert_eq(out, 2);
    cr_assert_eq(pacta_money_round_div(1, 0, &out), -1, "division by zero refused");
}

Test(money, percent_and_scale)
{
    pacta_cents_t out;
    //  15 % of 2,000.00 = 300.00 (worked example 5); 15 % of 200.00 = 30.00 (example 6).
    pacta_money_percent(200000, 1500, &out);
    cr_assert_eq(out, 30000);
    pacta_money_percent(20000, 1500, &out);
    cr_assert_eq(out, 3000);
    //  Interest, example 5: 2,000.00 x 6.50 % x 3 months / 12 = 32.50.
    pacta_money_scale(200000, 650 * 3, 10000 * 12, &out);
    cr_assert_eq(out, 3250);
    //  35 % deposit of 10,000.00 = 3,500.00 (example 9).
    pacta_money_percent(1000000, 3500, &out);
    cr_assert_eq(out, 350000);
    //  0.005 rounds up: 1 cent x 50 % = 0.5 cent → 1 cent.
    pacta_money_percent(1, 5000, &out);
    cr_assert_eq(out, 1);
}

Test(money, overflow_is_refused)
{
    pacta_cents_t out = 42;
    cr_assert_eq(pacta_money_add(INT64_MAX, 1, &out), -1);
    cr_assert_eq(pacta_money_sub(INT64_MIN, 1, &out), -1);
    cr_assert_eq(pacta_money_mul(INT64_MAX / 2, 3, &out), -1);
    cr_assert_eq(pacta_money_scale(INT64_MAX, 3, 1, &out), -1);
    cr_assert_eq(out, 42, "output untouched on overflow");
    cr_assert_eq(pacta_money_scale(INT64_MAX, 3, 3, &out), 0, "128-bit intermediate does not overflow");
    cr_assert_eq(out, INT64_MAX);
    cr_assert_eq(pacta_money_add(100, -250, &out), 0);
    cr_assert_eq(out, -150);
}

struct parse_row { char text[32]; int ok; long long cents; };
ParameterizedTestParameters(money, parse)
{
    static struct parse_row rows[] = {
        {"1234.56", 0, 123456}, {"1234.5", 0, 123450}, {"1234", 0, 123400}, {"0.01", 0, 1},
        {"-12.30", 0, -1230}, {"-0.50", 0, -50}, {"7.50", 0, 750},
        {"", -1, 0}, {"-", -1, 0}, {"1.", -1, 0}, {".5", -1, 0}, {"1.234", -1, 0}, {"1,50", -1, 0},
        {"1.234,56", -1, 0}, {"12a", -1, 0}, {"+5", -1, 0}, {" 5", -1, 0}, {"5 ", -1, 0},
        {"99999999999999999999", -1, 0}, {"1e3", -1, 0},
    };
    return cr_make_param_array(struct parse_row, rows, sizeof rows / sizeof rows[0]);
}
ParameterizedTest(struct parse_row *row, money, parse)
{
    pacta_cents_t out = -7;
    const int rc = pacta_money_parse(row->text, strlen(row->text), &out);
    cr_assert_eq(rc, row->ok, "'%s'", row->text);
    cr_assert_eq(out, row->ok == 0 ? row->cents : -7, "'%s'", row->text);
}

Test(money, basis_points)
{
    pacta_bp_t bp;
    cr_assert_eq(pacta_bp_parse("4.5", 3, &bp), 0);
    cr_assert_eq(bp, 450);
    cr_assert_eq(pacta_bp_parse("35", 2, &bp), 0);
    cr_assert_eq(bp, 3500);
    cr_assert_eq(pacta_bp_parse("10.55", 5, &bp), 0);
    cr_assert_eq(bp, 1055);
    cr_assert_eq(pacta_bp_parse("4.505", 5, &bp), -1);
    char buf[PACTA_MONEY_STR_LEN];
    cr_assert_str_eq(pacta_bp_format(450, buf, sizeof buf), "4.50");
}

Test(money, format)
{
    char buf[PACTA_MONEY_STR_LEN];
    cr_assert_str_eq(pacta_money_format_be(123456, buf, sizeof buf), "1.234,56 EUR");
    cr_assert_str_eq(pacta_money_format_be(5, buf, sizeof buf), "0,05 EUR");
    cr_assert_str_eq(pacta_money_format_be(-50, buf, sizeof buf), "-0,50 EUR");
    cr_assert_str_eq(pacta_money_format_be(100000000, buf, sizeof buf), "1.000.000,00 EUR");
    cr_assert_str_eq(pacta_money_format_be(99999, buf, sizeof buf), "999,99 EUR");
    cr_assert_str_eq(pacta_money_format_plain(123456, buf, sizeof buf), "1234.56");
    cr_assert_str_eq(pacta_money_format_plain(-7, buf, sizeof buf), "-0.07");
    cr_assert_str_eq(pacta_money_format_plain(INT64_MIN, buf, sizeof buf), "-92233720368547758.08");
    cr_assert_str_eq(pacta_money_format_be(INT64_MIN, buf, sizeof buf), "-92.233.720.368.547.758,08 EUR");
    char tiny[6];
    pacta_money_format_be(123456, tiny, sizeof tiny);
    cr_assert_eq(strlen(tiny), 5, "truncated, never overflowed");
}

Test(money, parse_format_round_trip)
{
    char buf[PACTA_MONEY_STR_LEN];
    for (pacta_cents_t amount = -100000; amount <= 100000; amount += 37) {
        pacta_money_format_plain(amount, buf, sizeof buf);
        pacta_cents_t back;
        cr_assert_eq(pacta_money_parse(buf, strlen(buf), &back), 0, "%s", buf);
        cr_assert_eq(back, amount);
    }
}
