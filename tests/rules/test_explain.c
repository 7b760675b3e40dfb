/*  =========================================================================
    test_explain - decisions rendered as one French and one English sentence

    Full sentences for several decision kinds (suspension, restoration,
    refusal with a "possible from" date, termination with an amount, a
    proposal, a statute), then the framework's edges: unknown placeholders,
    small buffers, capacities, number formats.
    =========================================================================
*/
#include <criterion/criterion.h>

#include "rules_cc.h"
#include "rules_fixtures.h"
#include "rules_retention.h"

static pacta_profile_t *capconnect;
static pacta_outcome_t *out;
static char sentence[PACTA_SENTENCE_SIZE];

static void
s_setup(void)
{
    capconnect = fx_profile("capconnect", false);
    out = pacta_outcome_new();
    cr_assert_not_null(out);
}

static void
s_teardown(void)
{
    pacta_outcome_destroy(&out);
    pacta_profile_destroy(&capconnect);
}

TestSuite(explain, .init = s_setup, .fini = s_teardown);

static const pacta_ledger_t s_no_ledger = {NULL, 0, NULL, 0, NULL, 0};

//  Renders decision index of out in lang and compares the whole sentence.
static void
s_assert_sentence(size_t index, pacta_lang_t lang, const char *expected)
{
    cr_assert_lt(index, out->count, "no decision %zu", index);
    cr_assert_eq(pacta_decision_explain(&out->items[index], lang, sentence, sizeof sentence), 0,
                 "render failed: %s", sentence);
    cr_assert_str_eq(sentence, expected);
}

/* ---- full sentences ------------------------------------------------------------ */

Test(explain, cc3b_suspension_in_both_languages)
{
    pacta_contract_t contract = fx_contract("C-1", "start", PACTA_BILLING_MONTHLY, 30000, "2025-01-01");
    pacta_invoice_t invoice = fx_invoice("F-2025-014", "C-1", "2025-02-01", "2025-02-08", 30000);
    pacta_ledger_t ledger = {&invoice, 1, NULL, 0, NULL, 0};
    cr_assert_eq(rule_cc3b_suspend_unpaid(capconnect, &contract, &ledger, D("2025-02-09"), out), 0);
    s_assert_sentence(0, PACTA_LANG_EN,
                      "Suspended from 2025-02-09: invoice F-2025-014 issued 2025-02-01 was not paid within 7 "
                      "calendar days (capconnect §3, CC-3b).");
    s_assert_sentence(0, PACTA_LANG_FR,
                      "Suspendu à partir du 2025-02-09 : la facture F-2025-014 émise le 2025-02-01 n'a pas été "
                      "payée dans les 7 jours calendrier (capconnect §3, CC-3b).");
}

Test(explain, cc3c_restoration_in_both_languages)
{
    pacta_contract_t contract = fx_contract("C-1", "start", PACTA_BILLING_MONTHLY, 30000, "2025-01-01");
    fx_suspend(&contract, "2025-02-09", "unpaid");
    pacta_invoice_t invoice = fx_invoice("F-2025-014", "C-1", "2025-02-01", "2025-02-08", 30000);
    pacta_payment_t payment = fx_payment("P-1", "F-2025-014", 30000, "2025-02-19");
    pacta_ledger_t ledger = {&invoice, 1, &payment, 1, NULL, 0};
    cr_assert_eq(rule_cc3c_restore_on_payment(capconnect, &contract, &ledger, D("2025-02-19"), out), 0);
    s_assert_sentence(0, PACTA_LANG_EN,
                      "Restored on 2025-02-19: full payment of every overdue invoice was received on 2025-02-19, "
                      "the last being 300,00 EUR for invoice F-2025-014 (capconnect §3, CC-3c).");
    s_assert_sentence(0, PACTA_LANG_FR,
                      "Rétabli le 2025-02-19 : le paiement intégral de toutes les factures échues a été reçu le "
                      "2025-02-19, le dernier étant de 300,00 EUR pour la facture F-2025-014 (capconnect §3, "
                      "CC-3c).");
}

Test(explain, cc3d_lost_period_in_both_languages)
{
    pacta_contract_t contract = fx_contract("C-1", "start", PACTA_BILLING_MONTHLY, 30000, "2025-01-01");
    fx_suspend(&contract, "2025-02-09", "unpaid");
    cr_assert_eq(rule_cc3d_record_lost_period(capconnect, &contract, D("2025-02-19"), out), 0);
    s_assert_sentence(0, PACTA_LANG_EN,
                      "Period 2025-02-09 to 2025-02-19 recorded as not performed: the 11 suspended days are not "
                      "recovered; billing anniversaries do not move and no credit is given (capconnect §3, "
                      "CC-3d).");
    s_assert_sentence(0, PACTA_LANG_FR,
                      "Période du 2025-02-09 au 2025-02-19 enregistrée comme non réalisée : les 11 jours de "
                      "suspension ne sont pas récupérables ; les dates anniversaires ne bougent pas et aucun "
                      "crédit n'est accordé (capconnect §3, CC-3d).");
}

Test(explain, cc2c_refusal_names_the_possible_date)
{
    pacta_contract_t contract = fx_contract("C-3", "start", PACTA_BILLING_MONTHLY, 30000, "2025-03-01");
    pacta_letter_t letter = fx_letter(PACTA_SENT_REGISTERED, "2025-08-20", "2025-08-25");
    cr_assert_eq(rule_cc2c_early_termination(capconnect, &contract, &letter, &s_no_ledger, out), 0);
    s_assert_sentence(0, PACTA_LANG_EN,
                      "Refused, possible from 2025-09-01: the registered letter sent on 2025-08-20 was received on "
                      "2025-08-25, before the 6 months from the start on 2025-03-01 had run (capconnect §2, "
                      "CC-2c).");
    s_assert_sentence(0, PACTA_LANG_FR,
                      "Refusé, possible à partir du 2025-09-01 : le courrier recommandé envoyé le 2025-08-20 a été "
                      "reçu le 2025-08-25, avant l'écoulement des 6 mois depuis le début le 2025-03-01 "
                      "(capconnect §2, CC-2c).");
}

Test(explain, cc2c_termination_shows_the_indemnity)
{
    pacta_contract_t contract = fx_contract("C-3", "start", PACTA_BILLING_MONTHLY, 30000, "2025-03-01");
    pacta_letter_t letter = fx_letter(PACTA_SENT_REGISTERED, "2025-09-10", "2025-09-15");
    cr_assert_eq(rule_cc2c_early_termination(capconnect, &contract, &letter, &s_no_ledger, out), 0);
    s_assert_sentence(0, PACTA_LANG_EN,
                      "Contract ends on 2025-09-15: the registered letter sent on 2025-09-10 was received on "
                      "2025-09-15, at least 6 months after the start on 2025-03-01; indemnity of 3 months of fees, "
                      "900,00 EUR (capconnect §2, CC-2c).");
    s_assert_sentence(0, PACTA_LANG_FR,
                      "Le contrat prend fin le 2025-09-15 : le courrier recommandé envoyé le 2025-09-10 a été reçu "
                      "le 2025-09-15, au moins 6 mois après le début le 2025-03-01 ; indemnité de 3 mois de "
                      "prestations, 900,00 EUR (capconnect §2, CC-2c).");
}

Test(explain, cc4_proposal_is_marked)
{
    pacta_contract_t contract = fx_contract("C-4", "goooo", PACTA_BILLING_MONTHLY, 50000, "2025-01-01");
    pacta_content_t content = {"CT-1", D("2025-05-10"), PACTA_DATE_INVALID};
    cr_assert_eq(rule_cc4_suspend_missing_content(capconnect, &contract, &content, D("2025-05-11"), out), 0);
    s_assert_sentence(0, PACTA_LANG_EN,
                      "Proposed: suspended from 2025-05-11: client content CT-1 was not delivered by its deadline "
                      "2025-05-10 (capconnect §4, CC-4).");
    s_assert_sentence(0, PACTA_LANG_FR,
                      "Proposé : suspendu à partir du 2025-05-11 : le contenu client CT-1 n'a pas été fourni pour "
                      "son échéance du 2025-05-10 (capconnect §4, CC-4).");
}

Test(explain, l4_statute_cites_its_source)
{
    pacta_dsr_t request = {"DSR-1", "subject-1", PACTA_DSR_ACCESS, D("2025-01-31"), PACTA_DATE_INVALID,
                           PACTA_DATE_INVALID};
    cr_assert_eq(rule_l4_dsr_deadline(capconnect, &request, out), 0);
    s_assert_sentence(0, PACTA_LANG_EN,
                      "Answer due by 2025-02-28: request DSR-1 received on 2025-01-31 is answered within 1 "
                      "month(s), extendable by 2 months to 2025-04-30 if the subject is told (GDPR art. 12(3), "
                      "L-4).");
    s_assert_sentence(0, PACTA_LANG_FR,
                      "Réponse due au plus tard le 2025-02-28 : la demande DSR-1 reçue le 2025-01-31 reçoit une "
                      "réponse dans un délai de 1 mois, prolongeable de 2 mois jusqu'au 2025-04-30 en informant "
                      "la personne (GDPR art. 12(3), L-4).");
}

Test(explain, cc12_archive_in_both_languages)
{
    cr_assert_eq(rule_cc12_archive_after_contract(capconnect, D("2026-02-28"), out), 0);
    cr_assert_eq(out->items[0].kind, PACTA_DECISION_ARCHIVE);
    s_assert_sentence(0, PACTA_LANG_EN,
                      "Archived from 2026-03-01 to 2036-02-28: identity data of a contract whose last day was "
                      "2026-02-28 are kept through 2026-02-28, then archived with restricted access for 10 years "
                      "(capconnect §12, CC-12).");
    s_assert_sentence(0, PACTA_LANG_FR,
                      "Archivé du 2026-03-01 au 2036-02-28 : les données d'identité d'un contrat dont le dernier "
                      "jour était le 2026-02-28 sont conservées jusqu'au 2026-02-28, puis archivées à accès "
                      "restreint pendant 10 ans (capconnect §12, CC-12).");
}

/* ---- the framework's edges ------------------------------------------------------ */

//  A decision built by hand under capconnect's CC-3b block.
static pacta_decision_t *
s_hand_made(pacta_decision_kind_t kind)
{
    pacta_decision_t *decision = pacta_outcome_add(out, capconnect, &capconnect->unpaid_suspension.rule, kind);
    cr_assert_not_null(decision);
    return decision;
}

Test(explain, unknown_placeholder_fails_and_leaves_empty_text)
{
    pacta_decision_t *decision = s_hand_made(PACTA_DECISION_RECORD);
    pacta_explain_int(decision, PACTA_ROLE_INPUT, "days", 3);
    pacta_decision_because(decision, "{days} days and {nothing}", "{days} jours et {rien}");
    cr_assert_eq(pacta_decision_explain(decision, PACTA_LANG_EN, sentence, sizeof sentence), -1);
    cr_assert_str_eq(sentence, "");
    //  {date} with no date set is an unknown value too.
    pacta_decision_because(decision, "on {date}", "le {date}");
    cr_assert_eq(pacta_decision_explain(decision, PACTA_LANG_FR, sentence, sizeof sentence), -1);
    pacta_decision_because(decision, "{days} days", "{days} jours");
    cr_assert_eq(pacta_decision_explain(decision, PACTA_LANG_FR, sentence, sizeof sentence), 0);
    cr_assert_str_eq(sentence, "Enregistré : 3 jours (capconnect §3, CC-3b).");
}

Test(explain, small_buffer_truncates_and_fails)
{
    pacta_decision_t *decision = s_hand_made(PACTA_DECISION_RECORD);
    pacta_explain_int(decision, PACTA_ROLE_INPUT, "days", 3);
    pacta_decision_because(decision, "{days} days", "{days} jours");
    char tiny[12];
    cr_assert_eq(pacta_decision_explain(decision, PACTA_LANG_EN, tiny, sizeof tiny), -1);
    cr_assert_eq(strlen(tiny), sizeof tiny - 1);
    cr_assert_str_eq(tiny, "Recorded: 3");
}

Test(explain, values_format_per_language)
{
    pacta_decision_t *decision = s_hand_made(PACTA_DECISION_CHARGE);
    decision->date = D("2025-03-03");
    decision->amount = 123456;
    pacta_explain_bp(decision, PACTA_ROLE_PARAMETER, "rate", 650);
    pacta_explain_flag(decision, PACTA_ROLE_INPUT, "consumer", true);
    pacta_explain_money(decision, PACTA_ROLE_RESULT, "credit", -50);
    pacta_decision_because(decision, "rate {rate}, consumer {consumer}, credit {credit}",
                           "taux {rate}, consommateur {consumer}, crédit {credit}");
    cr_assert_eq(pacta_decision_explain(decision, PACTA_LANG_EN, sentence, sizeof sentence), 0);
    cr_assert_str_eq(sentence, "Invoice of 1.234,56 EUR issued on 2025-03-03: rate 6.50 %, consumer yes, credit "
                               "-0,50 EUR (capconnect §3, CC-3b).");
    cr_assert_eq(pacta_decision_explain(decision, PACTA_LANG_FR, sentence, sizeof sentence), 0);
    cr_assert_str_eq(sentence, "Facture de 1.234,56 EUR émise le 2025-03-03 : taux 6,50 %, consommateur oui, crédit "
                               "-0,50 EUR (capconnect §3, CC-3b).");
}

Test(explain, head_override_and_no_because)
{
    pacta_decision_t *decision = s_hand_made(PACTA_DECISION_NOTIFY);
    decision->date = D("2025-04-01");
    pacta_explain_date(decision, PACTA_ROLE_INPUT, "sent_on", D("2025-04-01"));
    cr_assert_eq(pacta_decision_explain(decision, PACTA_LANG_EN, sentence, sizeof sentence), 0);
    cr_assert_str_eq(sentence, "Client informed on 2025-04-01 (capconnect §3, CC-3b).");
    pacta_decision_head(decision, "Letter of {sent_on}", "Lettre du {sent_on}");
    cr_assert_eq(pacta_decision_explain(decision, PACTA_LANG_FR, sentence, sizeof sentence), 0);
    cr_assert_str_eq(sentence, "Lettre du 2025-04-01 (capconnect §3, CC-3b).");
}

Test(explain, capacities_are_reported_not_ignored)
{
    pacta_decision_t *decision = s_hand_made(PACTA_DECISION_RECORD);
    for (int i = 0; i < PACTA_EXPLAIN_MAX_VALUES; i++)
        cr_assert_eq(pacta_explain_int(decision, PACTA_ROLE_INPUT, "n", i), 0);
    cr_assert_eq(pacta_outcome_status(out), 0);
    cr_assert_eq(pacta_explain_int(decision, PACTA_ROLE_INPUT, "one_too_many", 1), -1);
    cr_assert(decision->incomplete);
    cr_assert_eq(pacta_outcome_status(out), -1);

    pacta_outcome_init(out);
    for (int i = 0; i < PACTA_OUTCOME_MAX_DECISIONS; i++)
        cr_assert_not_null(s_hand_made(PACTA_DECISION_RECORD));
    cr_assert_null(pacta_outcome_add(out, capconnect, &capconnect->unpaid_suspension.rule, PACTA_DECISION_RECORD));
    cr_assert(out->overflow);
    cr_assert_eq(pacta_outcome_status(out), -1);

    pacta_outcome_init(out);
    decision = s_hand_made(PACTA_DECISION_RECORD);
    char long_text[PACTA_VALUE_TEXT_SIZE + 10];
    memset(long_text, 'x', sizeof long_text - 1);
    long_text[sizeof long_text - 1] = '\0';
    cr_assert_eq(pacta_explain_text(decision, PACTA_ROLE_INPUT, "id", long_text), -1);
    cr_assert_eq(pacta_outcome_status(out), -1);
}

Test(explain, statute_decisions_always_apply)
{
    const pacta_statute_t *law = &capconnect->statutes.data_subject_requests.statute;
    pacta_decision_t *decision = pacta_outcome_add_statute(out, law, PACTA_DECISION_DEADLINE);
    cr_assert_not_null(decision);
    cr_assert_eq(decision->status, PACTA_DECISION_APPLY);
    cr_assert_str_eq(decision->explanation.rule_id, "L-4");
    cr_assert_str_eq(decision->explanation.citation, "GDPR art. 12(3)");
    cr_assert_not(pacta_explanation_is_complete(&decision->explanation), "no value yet");
    pacta_explain_int(decision, PACTA_ROLE_PARAMETER, "months", 1);
    cr_assert(pacta_explanation_is_complete(&decision->explanation));
}

Test(explain, outcome_destroy_is_safe_twice)
{
    pacta_outcome_t *outcome = pacta_outcome_new();
    cr_assert_not_null(outcome);
    pacta_outcome_destroy(&outcome);
    cr_assert_null(outcome);
    pacta_outcome_destroy(&outcome);
    cr_assert_null(outcome);
}

Test(explain, kind_names_are_distinct)
{
    for (int a = PACTA_DECISION_RECORD; a < PACTA_DECISION_KIND_COUNT; a++) {
        cr_assert_str_neq(pacta_decision_kind_name((pacta_decision_kind_t) a), "unknown");
        for (int b = a + 1; b < PACTA_DECISION_KIND_COUNT; b++)
            cr_assert_str_neq(pacta_decision_kind_name((pacta_decision_kind_t) a),
                              pacta_decision_kind_name((pacta_decision_kind_t) b));
    }
}
