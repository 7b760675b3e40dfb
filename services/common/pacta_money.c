/*  =========================================================================
    pacta_money - euro amounts as int64 cents, rates in basis points

    Design decision: every charge is computed as one exact rational
    (amount x numerator / denominator, in 128-bit integers) and rounded once,
    half away from zero, in pacta_money_round_div(). Chaining rounded
    intermediate results is how billing systems drift by a cent; here the
    rules build the whole fraction first and round at the end.
    =========================================================================
*/
#include "pacta_money.h"

#include <stdbool.h>
#include <stdio.h>

int
pacta_money_add(pacta_cents_t a, pacta_cents_t b, pacta_cents_t *out)
{
    pacta_cents_t sum;
    if (__builtin_add_overflow(a, b, &sum))
        return -1;
    *out = sum;
    return 0;
}

int
pacta_money_sub(pacta_cents_t a, pacta_cents_t b, pacta_cents_t *out)
{
    pacta_cents_t difference;
    if (__builtin_sub_overflow(a, b, &difference))
        return -1;
    *out = difference;
    return 0;
}

int
pacta_money_mul(pacta_cents_t a, int64_t factor, pacta_cents_t *out)
{
    pacta_cents_t product;
    if (__builtin_mul_overflow(a, factor, &product))
        return -1;
    *out = product;
    return 0;
}

int
pacta_money_round_div(__int128 numerator, __int128 denominator, pacta_cents_t *out)
{
    if (denominator == 0)
        return -1;
    if (denominator < 0) {
        numerator = -numerator;
        denominator = -denominator;
    }
    const bool negative = numerator < 0;
    const __int128 magnitude = negative ? -numerator : numerator;
    __int128 quotient = magnitude / denominator;
    const __int128 remainder = magnitude % denominator;
    //  Half away from zero: round up the magnitude when remainder >= d/2.
    if (remainder * 2 >= denominator)
        quotient++;
    if (negative)
        quotient = -quotient;
    if (quotient > INT64_MAX || quotient < INT64_MIN)
        return -1;
    *out = (pacta_cents_t) quotient;
    return 0;
}

int
pacta_money_percent(pacta_cents_t amount, pacta_bp_t bp, pacta_cents_t *out)
{
    return pacta_money_round_div((__int128) amount * bp, 10000, out);
}

int
pacta_money_scale(pacta_cents_t amount, int64_t numerator, int64_t denominator, pacta_cents_t *out)
{
    return pacta_money_round_div((__int128) amount * numerator, denominator, out);
}

//  Parses [-]digits[.d[d]] into units of 1/100. The integer part is capped
//  so the result always fits: the caller never sees a wrapped value.
static int
s_parse_hundredths(const char *text, size_t len, int64_t *out)
{
    if (!text || len == 0 || len > 24)
        return -1;
    size_t pos = 0;
    bool negative = false;
    if (text[pos] == '-') {
        negative = true;
        pos++;
    }
    int64_t whole = 0;
    size_t digits = 0;
    while (pos < len && text[pos] >= '0' && text[pos] <= '9') {
        if (whole > (INT64_MAX / 100 - 9) / 10)
            return -1;
        whole = whole * 10 + (text[pos] - '0');
        pos++;
        digits++;
    }
    if (digits == 0)
        return -1;
    int64_t fraction = 0;
    if (pos < len) {
        if (text[pos] != '.')
            return -1;
        pos++;
        size_t decimals = 0;
        while (pos < len && text[pos] >= '0' && text[pos] <= '9' && decimals < 2) {
            fraction = fraction * 10 + (text[pos] - '0');
            pos++;
            decimals++;
        }
        if (decimals == 0 || pos != len)
            return -1;
        if (decimals == 1)
            fraction *= 10;
    }
    const int64_t value = whole * 100 + fraction;
    *out = negative ? -value : value;
    return 0;
}

int
pacta_money_parse(const char *text, size_t len, pacta_cents_t *out)
{
    int64_t value;
    if (s_parse_hundredths(text, len, &value) != 0)
        return -1;
    *out = value;
    return 0;
}

int
pacta_bp_parse(const char *text, size_t len, pacta_bp_t *out)
{
    int64_t value;
    if (s_parse_hundredths(text, len, &value) != 0 || value > INT32_MAX || value < -INT32_MAX)
        return -1;
    *out = (pacta_bp_t) value;
    return 0;
}

//  Splits an amount into sign, whole units and hundredths without overflow
//  for INT64_MIN.
static void
s_split(int64_t amount, bool *negative, uint64_t *whole, unsigned *hundredths)
{
    *negative = amount < 0;
    const uint64_t magnitude = *negative ? (uint64_t) 0 - (uint64_t) amount : (uint64_t) amount;
    *whole = magnitude / 100;
    *hundredths = (unsigned) (magnitude % 100);
}

char *
pacta_money_format_be(pacta_cents_t amount, char *buf, size_t buf_size)
{
    if (!buf || buf_size == 0)
        return buf;
    bool negative;
    uint64_t whole;
    unsigned cents;
    s_split(amount, &negative, &whole, &cents);
    //  Build the grouped integer part right to left: 1234567 -> 1.234.567
    char digits[32];
    size_t pos = sizeof digits;
    digits[--pos] = '\0';
    int group = 0;
    do {
        if (group == 3) {
            digits[--pos] = '.';
            group = 0;
        }
        digits[--pos] = (char) ('0' + whole % 10);
        whole /= 10;
        group++;
    } while (whole > 0);
    snprintf(buf, buf_size, "%s%s,%02u EUR", negative ? "-" : "", digits + pos, cents);
    return buf;
}

char *
pacta_money_format_plain(pacta_cents_t amount, char *buf, size_t buf_size)
{
    if (!buf || buf_size == 0)
        return buf;
    bool negative;
    uint64_t whole;
    unsigned cents;
    s_split(amount, &negative, &whole, &cents);
    snprintf(buf, buf_size, "%s%llu.%02u", negative ? "-" : "", (unsigned long long) whole, cents);
    return buf;
}

char *
pacta_bp_format(pacta_bp_t bp, char *buf, size_t buf_size)
{
    return pacta_money_format_plain(bp, buf, buf_size);
}
