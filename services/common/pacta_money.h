/*  =========================================================================
    pacta_money - euro amounts as int64 cents, rates in basis points

    Money is never a double. Amounts are int64 cents, percentages are basis
    points (1 % = 100 bp), and every computed charge is rounded exactly once,
    half away from zero, by pacta_money_round_div(). Arithmetic that could
    overflow is checked and reports -1 instead of wrapping.
    =========================================================================
*/
#ifndef PACTA_MONEY_H_INCLUDED
#define PACTA_MONEY_H_INCLUDED

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef int64_t pacta_cents_t;  /* euro cents */
typedef int32_t pacta_bp_t;     /* basis points: 450 = 4.50 % */

/* Longest text pacta_money_format_* writes, NUL included. */
#define PACTA_MONEY_STR_LEN 32

/* Checked arithmetic: 0 and *out set, or -1 on overflow (*out untouched). */
int pacta_money_add(pacta_cents_t a, pacta_cents_t b, pacta_cents_t *out);
int pacta_money_sub(pacta_cents_t a, pacta_cents_t b, pacta_cents_t *out);
int pacta_money_mul(pacta_cents_t a, int64_t factor, pacta_cents_t *out);

/* The one rounding function: numerator / denominator rounded half away from
   zero. denominator must be non-zero. -1 if the result does not fit. */
int pacta_money_round_div(__int128 numerator, __int128 denominator, pacta_cents_t *out);
/* amount * bp / 10000, rounded once. */
int pacta_money_percent(pacta_cents_t amount, pacta_bp_t bp, pacta_cents_t *out);
/* amount * numerator / denominator, rounded once (e.g. rate * months / 12). */
int pacta_money_scale(pacta_cents_t amount, int64_t numerator, int64_t denominator, pacta_cents_t *out);

/* Parses "1234.56", "1234.5", "1234", "-12.30" (dot decimal, at most two
   decimals, no thousands separator, len bytes exactly). 0 or -1. */
int pacta_money_parse(const char *text, size_t len, pacta_cents_t *out);
/* Parses a percentage "4.5", "4.50", "35", "0.25" (at most two decimals) into
   basis points. 0 or -1. */
int pacta_bp_parse(const char *text, size_t len, pacta_bp_t *out);

/* Belgian display form: "1.234,56 EUR", "-0,50 EUR". Returns buf. */
char *pacta_money_format_be(pacta_cents_t amount, char *buf, size_t buf_size);
/* Machine form: "1234.56", "-0.50". Returns buf. */
char *pacta_money_format_plain(pacta_cents_t amount, char *buf, size_t buf_size);
/* Percentage form: "4.50". Returns buf. */
char *pacta_bp_format(pacta_bp_t bp, char *buf, size_t buf_size);

#ifdef __cplusplus
}
#endif

#endif
