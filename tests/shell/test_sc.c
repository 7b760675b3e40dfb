/*  test_sc - the Belgian structured communication: mod-97 check digits,
    normalisation of what people type, deterministic generation. */
#include <criterion/criterion.h>
#include <string.h>

#include "pacta_sc.h"

Test(sc, check_digits_are_base_mod_97)
{
    cr_assert(pacta_sc_valid("123456789002"));           //  1234567890 mod 97 = 2
    cr_assert(pacta_sc_valid("101202530353"));
    cr_assert_not(pacta_sc_valid("123456789003"));
    cr_assert_not(pacta_sc_valid("12345678900"));
    cr_assert_not(pacta_sc_valid("12345678900a"));
    char out[PACTA_SC_SIZE];
    pacta_sc_from_base(9700000000ULL, out);               //  remainder 0 → check digits 97
    cr_assert_str_eq(out, "970000000097");
    cr_assert(pacta_sc_valid(out));
}

Test(sc, normalises_the_display_form)
{
    char out[PACTA_SC_SIZE];
    cr_assert_eq(pacta_sc_normalise("+++123/4567/89002+++", out), 0);
    cr_assert_str_eq(out, "123456789002");
    cr_assert_eq(pacta_sc_normalise("***123/4567/89002***", out), 0);
    cr_assert_eq(pacta_sc_normalise(" 123456789002 ", out), 0);
    cr_assert_eq(pacta_sc_normalise("+++123/4567/89003+++", out), -1, "wrong check digits");
    cr_assert_str_eq(out, "");
    cr_assert_eq(pacta_sc_normalise("+++123/4567/890021+++", out), -1, "13 digits");
    cr_assert_eq(pacta_sc_normalise("BE12 3456", out), -1);
    char shown[PACTA_SC_DISPLAY_SIZE];
    cr_assert_str_eq(pacta_sc_format("123456789002", shown, sizeof shown), "+++123/4567/89002+++");
    cr_assert_str_eq(pacta_sc_format("123456789003", shown, sizeof shown), "");
}

Test(sc, generation_is_deterministic_and_valid)
{
    char a[PACTA_SC_SIZE], b[PACTA_SC_SIZE], c[PACTA_SC_SIZE];
    pacta_sc_generate("capconnect/C-1/F-2025-014", 25, a);
    pacta_sc_generate("capconnect/C-1/F-2025-014", 25, b);
    pacta_sc_generate("capconnect/C-1/F-2025-015", 25, c);
    cr_assert_str_eq(a, b);
    cr_assert_str_neq(a, c);
    cr_assert(pacta_sc_valid(a) && pacta_sc_valid(c));
}
