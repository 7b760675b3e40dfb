/*  =========================================================================
    pacta_sc - the Belgian structured communication

    Banks carry the 12 digits a client typed; invoicing matches payments on
    them (CC-3c), so a wrong digit must be caught before it reaches a
    ledger: every communication entering Pacta goes through
    pacta_sc_normalise(), which checks the mod-97 digits.

    Design decision: generated communications are a hash of a seed the
    caller chooses (tenant, contract and invoice ids), not a counter, so
    handling the same invoice twice (a retry after a version conflict, a
    replayed scenario) yields the same digits without any shared state.
    Two invoices may collide (10^10 bases); invoicing records which invoice
    carries a communication and treats a second claimant as ambiguous.
    =========================================================================
*/
#include "pacta_sc.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

/* FNV-1a then a 64-bit finaliser (splitmix64): spreads short seeds over
   the whole 10^10 range. */
static uint64_t
s_hash(const void *data, size_t len)
{
    const unsigned char *bytes = data;
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= bytes[i];
        h *= 0x100000001b3ULL;
    }
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebULL;
    h ^= h >> 31;
    return h;
}

static unsigned
s_check_digits(uint64_t base)
{
    unsigned check = (unsigned) (base % 97);
    return check == 0 ? 97 : check;
}

bool
pacta_sc_valid(const char *text)
{
    if (!text || strlen(text) != PACTA_SC_DIGITS)
        return false;
    uint64_t base = 0;
    for (size_t i = 0; i < PACTA_SC_DIGITS; i++)
        if (text[i] < '0' || text[i] > '9')
            return false;
    for (size_t i = 0; i < 10; i++)
        base = base * 10 + (uint64_t) (text[i] - '0');
    unsigned check = (unsigned) ((text[10] - '0') * 10 + (text[11] - '0'));
    return check == s_check_digits(base);
}

int
pacta_sc_normalise(const char *text, char out[PACTA_SC_SIZE])
{
    assert(out);
    out[0] = '\0';
    if (!text)
        return -1;
    char digits[PACTA_SC_SIZE];
    size_t count = 0;
    size_t len = strnlen(text, 64);
    if (len == 64)
        return -1;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (c >= '0' && c <= '9') {
            if (count == PACTA_SC_DIGITS)
                return -1;
            digits[count++] = c;
        }
        else if (c != '+' && c != '*' && c != '/' && c != ' ')
            return -1;
    }
    digits[count] = '\0';
    if (!pacta_sc_valid(digits))
        return -1;
    memcpy(out, digits, PACTA_SC_SIZE);
    return 0;
}

void
pacta_sc_from_base(uint64_t base, char out[PACTA_SC_SIZE])
{
    assert(out);
    base %= PACTA_SC_BASE_LIMIT;
    snprintf(out, PACTA_SC_SIZE, "%010llu%02u", (unsigned long long) base, s_check_digits(base));
}

void
pacta_sc_generate(const void *seed, size_t len, char out[PACTA_SC_SIZE])
{
    assert(seed || len == 0);
    pacta_sc_from_base(s_hash(seed, len) % PACTA_SC_BASE_LIMIT, out);
}

char *
pacta_sc_format(const char *digits, char *buf, size_t size)
{
    assert(buf && size > 0);
    buf[0] = '\0';
    if (!pacta_sc_valid(digits) || size < PACTA_SC_DISPLAY_SIZE)
        return buf;
    snprintf(buf, size, "+++%.3s/%.4s/%.5s+++", digits, digits + 3, digits + 7);
    return buf;
}
