/*  =========================================================================
    pacta_sc - the Belgian structured communication ("communication
    structurée", OGM/VCS) that payments are matched on

    Twelve digits: a 10-digit base and 2 check digits equal to base mod 97
    (97 when the remainder is 0). Stored as the 12 digits; shown to people
    as +++123/4567/89002+++.

        char sc[PACTA_SC_SIZE];
        if (pacta_sc_normalise("+++123/4567/89002+++", sc) == 0) ...   // "123456789002"
        pacta_sc_generate("capconnect/C-1/F-2025-014", 25, sc);       // deterministic
        char shown[PACTA_SC_DISPLAY_SIZE];
        pacta_sc_format(sc, shown, sizeof shown);                      // "+++123/4567/89002+++"
    =========================================================================
*/
#ifndef PACTA_SC_H_INCLUDED
#define PACTA_SC_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PACTA_SC_DIGITS 12              /* digits of a structured communication */
#define PACTA_SC_SIZE 13                /* the digits plus NUL */
#define PACTA_SC_DISPLAY_SIZE 21        /* "+++123/4567/89002+++" plus NUL */
#define PACTA_SC_BASE_LIMIT 10000000000ULL /* bases are below 10^10 */

/* True when text is exactly 12 digits whose last two are the mod-97 check. */
bool pacta_sc_valid(const char *text);
/* Accepts the 12 digits alone or in display form (+++ or *** around,
   slashes, spaces), checks the check digits and writes the 12 digits to out.
   0, or -1 (wrong shape, wrong length, bad check digits; out = ""). */
int pacta_sc_normalise(const char *text, char out[PACTA_SC_SIZE]);
/* The communication of base (taken modulo 10^10). */
void pacta_sc_from_base(uint64_t base, char out[PACTA_SC_SIZE]);
/* A communication derived from seed bytes (same seed, same communication):
   for invoices that arrive without one, so a replay gives the same digits. */
void pacta_sc_generate(const void *seed, size_t len, char out[PACTA_SC_SIZE]);
/* "+++123/4567/89002+++" into buf (at least PACTA_SC_DISPLAY_SIZE bytes);
   "" when digits is not a valid communication. Returns buf. */
char *pacta_sc_format(const char *digits, char *buf, size_t size);

#ifdef __cplusplus
}
#endif

#endif
