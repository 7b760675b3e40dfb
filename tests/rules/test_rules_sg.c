/*  =========================================================================
    test_rules_sg - the Sg Event clauses SG-2a ... SG-14 (rules_sg.h)

    Worked examples 8 (recurring termination), 9 (fixed-term early
    termination) and 10 (quote lapse) with the exact dates and amounts of
    docs/rules.md, every derived example of those rules, modes off and
    propose, refusals, sentences in French and English, and the same
    functions under acme.yaml's other figures. (SG-8b, SG-8c, SG-8d and the
    SG-8e holds are in test_late_charges.c.)
    =========================================================================
*/
#include <criterion/criterion.h>

#include "rules_fixtures.h"
#include "rules_sg.h"

static pacta_profile_t *sgevent;
static pacta_profile_t *acme;
static pacta_outcome_t *out;
static char sentence[PACTA_SENTENCE_SIZE];

static void
s_setup(void)
{
    sgevent = fx_profile("sgevent", false);
    acme = fx_profile("acme", true);
    out = pacta_outcome_new();
    cr_assert_not_null(out);
}

static void
s_teardown(void)
{
    pacta_outcome_destroy(&out);
    pacta_profile_destroy(&acme);
    pacta_profile_destroy(&sgevent);
}

TestSuite(sg, .init = s_setup, .fini = s_teardown);
TestSuite(sg_acme, .init = s_setup, .fini = s_teardown);

static const char *
s_say(const pacta_decision_t *decision, pacta_lang_t lang)
{
    cr_assert_eq(pacta_decision_explain(decision, lang, sentence, sizeof sentence), 0);
    return sentence;
}

static pacta_quote_t
s_quote(const char *issued, pacta_cents_t total)
{
    pacta_quote_t quote;
    memset(&quote, 0, sizeof quote);
    snprintf(quote.id, sizeof quote.id, "Q-2025-061");
    quote.client.kind = PACTA_CLIENT_CONSUMER;
    quote.state = PACTA_QUOTE_OPEN;
    quote.issued_on = D(issued);
    quote.total = total;
    return quote;
}

static pacta_contract_t
s_contract(pacta_contract_kind_t kind, pacta_client_kind_t client)
{
    pacta_contract_t contract = fx_contract("C-7", "", 0, 0, NULL);
    contract.kind = kind;
    contract.client.kind = client;
    return contract;
}

static int64_t
s_value_int(const pacta_decision_t *decision, const char *name)
{
    const pacta_value_t *value = pacta_explanation_find(&decision->explanation, name);
    cr_assert_not_null(value, "no value %s", name);
    return value->as.number;
}

static pacta_cents_t
s_value_money(const pacta_decision_t *decision, const char *name)
{
    const pacta_value_t *value = pacta_explanation_find(&decision->explanation, name);
    cr_assert_not_null(value, "no value %s", name);
    return value->as.cents;
}

/* ---- SG-2a ------------------------------------------------------------------------ */

Test(sg, sg2a_worked_example_10_quote_lapse)
{
    pacta_quote_t quote = s_quote("2025-06-02", 1000000);
    fx_assert_date(pacta_quote_valid_through(sgevent, &quote), "2025-06-17");
    cr_assert_eq(rule_sg2a_accept_quote(sgevent, &quote, D("2025-06-17"), PACTA_ACCEPTED_BY_EMAIL, out), 0);
    cr_assert_eq(out->count, 1);
    cr_assert_eq(out->items[0].kind, PACTA_DECISION_ACCEPT);
    fx_assert_date(out->items[0].date, "2025-06-17");
    cr_assert_str_eq(out->items[0].explanation.rule_id, "SG-2a");
    cr_assert_str_eq(s_say(&out->items[0], PACTA_LANG_EN),
                     "Accepted on 2025-06-17: quote Q-2025-061 issued 2025-06-02 was accepted within its validity "
                     "of 15 days (through 2025-06-17); any form of acceptance binds the client (sgevent §2, "
                     "SG-2a).");
    cr_assert_str_eq(s_say(&out->items[0], PACTA_LANG_FR),
                     "Accepté le 2025-06-17 : le devis Q-2025-061 émis le 2025-06-02 a été accepté dans son délai "
                     "de validité de 15 jours (jusqu'au 2025-06-17) ; toute forme d'acceptation engage le client "
                     "(sgevent §2, SG-2a).");

    pacta_outcome_init(out);
    cr_assert_eq(rule_sg2a_accept_quote(sgevent, &quote, D("2025-06-18"), PACTA_ACCEPTED_VERBALLY, out), 0);
    cr_assert_eq(out->items[0].kind, PACTA_DECISION_REFUSE);
    cr_assert_str_eq(out->items[0].reason, "lapsed");
    cr_assert_eq(out->items[0].status, PACTA_DECISION_APPLY);
    cr_assert_str_eq(s_say(&out->items[0], PACTA_LANG_EN),
                     "Refused: quote Q-2025-061 issued 2025-06-02 was valid through 2025-06-17 (15 days); the "
                     "acceptance of 2025-06-18 comes after it lapsed (sgevent §2, SG-2a).");
    cr_assert_str_eq(s_say(&out->items[0], PACTA_LANG_FR),
                     "Refusé : le devis Q-2025-061 émis le 2025-06-02 était valable jusqu'au 2025-06-17 (15 jours) "
                     "; l'acceptation du 2025-06-18 arrive après sa caducité (sgevent §2, SG-2a).");
    fx_assert_explained(out);
}

Test(sg, sg2a_lapse_timer_weekend_no_extension_and_own_validity)
{
    pacta_quote_t quote = s_quote("2025-06-02", 1000000);
    cr_assert_eq(rule_sg2a_lapse_quote(sgevent, &quote, D("2025-06-17"), out), 0);
    cr_assert_eq(out->count, 0, "still valid on its last day");
    cr_assert_eq(rule_sg2a_lapse_quote(sgevent, &quote, D("2025-06-18"), out), 0);
    cr_assert_str_eq(out->items[0].reason, "lapsed");
    fx_assert_date(out->items[0].date, "2025-06-18");
    //  (derived) issued 2025-12-20: valid through Sunday 2026-01-04; 01-05 refused (§0.11).
    pacta_quote_t winter = s_quote("2025-12-20", 50000);
    fx_assert_date(pacta_quote_valid_through(sgevent, &winter), "2026-01-04");
    pacta_outcome_init(out);
    cr_assert_eq(rule_sg2a_accept_quote(sgevent, &winter, D("2026-01-05"), PACTA_ACCEPTED_BY_SIGNATURE, out), 0);
    cr_assert_str_eq(out->items[0].reason, "lapsed");
    //  A quote stating its own validity in writing.
    winter.validity_days = 30;
    pacta_outcome_init(out);
    cr_assert_eq(rule_sg2a_accept_quote(sgevent, &winter, D("2026-01-05"), PACTA_ACCEPTED_BY_WORK_STARTED, out), 0);
    cr_assert_eq(out->items[0].kind, PACTA_DECISION_ACCEPT);
    //  Withdrawn quotes refuse; an accepted one decides nothing more; nonsense dates are errors.
    winter.state = PACTA_QUOTE_WITHDRAWN;
    pacta_outcome_init(out);
    cr_assert_eq(rule_sg2a_accept_quote(sgevent, &winter, D("2025-12-22"), PACTA_ACCEPTED_BY_EMAIL, out), 0);
    cr_assert_str_eq(out->items[0].reason, "withdrawn");
    winter.state = PACTA_QUOTE_ACCEPTED;
    pacta_outcome_init(out);
    cr_assert_eq(rule_sg2a_accept_quote(sgevent, &winter, D("2025-12-22"), PACTA_ACCEPTED_BY_EMAIL, out), 0);
    cr_assert_eq(out->count, 0);
    cr_assert_eq(rule_sg2a_accept_quote(sgevent, &winter, D("2025-12-01"), PACTA_ACCEPTED_BY_EMAIL, out), -1);
    fx_assert_explained(out);
}

/* ---- SG-2b ------------------------------------------------------------------------ */

Test(sg, sg2b_deposit_default_percentage_and_rounding)
{
    pacta_quote_t quote = s_quote("2025-06-02", 1000000);
    cr_assert_eq(rule_sg2b_invoice_deposit(sgevent, &quote, D("2025-06-10"), out), 0);
    cr_assert_eq(out->items[0].kind, PACTA_DECISION_CHARGE);
    cr_assert_eq(out->items[0].amount, 350000, "35 %% of 10,000.00");
    cr_assert_eq(out->items[0].charges[0].kind, PACTA_CHARGE_DEPOSIT);
    cr_assert_str_eq(out->items[0].explanation.rule_id, "SG-2b");
    cr_assert_str_eq(s_say(&out->items[0], PACTA_LANG_EN),
                     "Invoice of 3.500,00 EUR issued on 2025-06-10: quote Q-2025-061 of 10.000,00 EUR was accepted "
                     "on 2025-06-10; the deposit is 35.00 % of the total, work starts once it is paid and it is "
                     "never refunded (sgevent §2, §8, SG-2b).");
    //  (derived) 1,234.57 -> 432.0995 -> 432.10.
    quote.total = 123457;
    pacta_outcome_init(out);
    cr_assert_eq(rule_sg2b_invoice_deposit(sgevent, &quote, D("2025-06-10"), out), 0);
    cr_assert_eq(out->items[0].amount, 43210);
    //  A quote naming its own deposit.
    quote.total = 1000000;
    quote.deposit_percent_stated = true;
    quote.deposit_percent = 5000;
    pacta_outcome_init(out);
    cr_assert_eq(rule_sg2b_invoice_deposit(sgevent, &quote, D("2025-06-10"), out), 0);
    cr_assert_eq(out->items[0].amount, 500000);
    cr_assert_eq(pacta_explanation_find(&out->items[0].explanation, "deposit_percent")->role, PACTA_ROLE_INPUT);
    fx_assert_explained(out);
}

Test(sg, sg2b_work_waits_for_the_full_deposit)
{
    pacta_contract_t contract = s_contract(PACTA_CONTRACT_FIXED_TERM, PACTA_CLIENT_CONSUMER);
    pacta_invoice_t deposit = fx_invoice("D-1", "C-7", "2025-06-10", "2025-06-25", 350000);
    deposit.kind = PACTA_INVOICE_DEPOSIT;
    pacta_payment_t payments[] = {fx_payment("P1", "D-1", 349999, "2025-06-20"),
                                  fx_payment("P2", "D-1", 1, "2025-06-24")};
    //  (derived) 3,499.99 received -> work may not start.
    cr_assert_eq(rule_sg2b_hold_work_for_deposit(sgevent, &contract, &deposit, payments, 2, D("2025-06-22"), out), 0);
    cr_assert_eq(out->items[0].kind, PACTA_DECISION_WITHHOLD);
    cr_assert_eq(out->items[0].amount, 1);
    cr_assert_str_eq(out->items[0].reason, "deposit_unpaid");
    pacta_outcome_init(out);
    cr_assert_eq(rule_sg2b_hold_work_for_deposit(sgevent, &contract, &deposit, payments, 2, D("2025-06-30"), out), 0);
    cr_assert_eq(out->items[0].kind, PACTA_DECISION_RELEASE);
    fx_assert_date(out->items[0].date, "2025-06-24");
    fx_assert_explained(out);
    //  Mode off: nothing.
    sgevent->deposit.rule.mode = PACTA_RULE_OFF;
    pacta_outcome_init(out);
    cr_assert_eq(rule_sg2b_hold_work_for_deposit(sgevent, &contract, &deposit, payments, 2, D("2025-06-22"), out), 0);
    cr_assert_eq(out->count, 0);
}

/* ---- SG-3 ------------------------------------------------------------------------- */

static pacta_withdrawal_request_t
s_withdrawal(const char *sent)
{
    pacta_withdrawal_request_t request = {.sent_on = D(sent)};
    return request;
}

Test(sg, sg3_distance_contract_fourteen_days_from_confirmation)
{
    pacta_contract_t contract = s_contract(PACTA_CONTRACT_FIXED_TERM, PACTA_CLIENT_CONSUMER);
    contract.formation.order_confirmed_on = D("2025-06-02");
    contract.formation.at_distance = true;
    pacta_withdrawal_request_t in_time = s_withdrawal("2025-06-16");
    cr_assert_eq(rule_sg3_withdraw_consumer(sgevent, &contract, &in_time, out), 0);
    cr_assert_eq(out->items[0].kind, PACTA_DECISION_CANCEL);
    fx_assert_date(out->items[0].date, "2025-06-16");
    cr_assert_str_eq(out->items[0].explanation.rule_id, "SG-3");
    cr_assert_str_eq(s_say(&out->items[0], PACTA_LANG_EN),
                     "Contract cancelled on 2025-06-16: the consumer withdrew on 2025-06-16 from contract C-7 made "
                     "at a distance or off premises, within the 14 days from 2025-06-02 (through 2025-06-16) "
                     "(sgevent §3, SG-3).");
    cr_assert_str_eq(s_say(&out->items[0], PACTA_LANG_FR),
                     "Contrat annulé le 2025-06-16 : le consommateur s'est rétracté le 2025-06-16 du contrat C-7 "
                     "conclu à distance ou hors établissement, dans les 14 jours à compter du 2025-06-02 (jusqu'au "
                     "2025-06-16) (sgevent §3, SG-3).");
    pacta_withdrawal_request_t late = s_withdrawal("2025-06-17");
    pacta_outcome_init(out);
    cr_assert_eq(rule_sg3_withdraw_consumer(sgevent, &contract, &late, out), 0);
    cr_assert_str_eq(out->items[0].reason, "late");
    fx_assert_explained(out);
}

Test(sg, sg3_exceptions_are_refused)
{
    pacta_contract_t contract = s_contract(PACTA_CONTRACT_FIXED_TERM, PACTA_CLIENT_CONSUMER);
    contract.formation.order_confirmed_on = D("2025-06-02");
    contract.formation.at_distance = true;
    //  (derived) customised decoration ordered -> refused.
    pacta_withdrawal_request_t request = s_withdrawal("2025-06-05");
    request.customised_goods = true;
    cr_assert_eq(rule_sg3_withdraw_consumer(sgevent, &contract, &request, out), 0);
    cr_assert_str_eq(out->items[0].reason, "customised_goods");
    //  Fully performed after express consent and acknowledgement.
    request.customised_goods = false;
    request.fully_performed = true;
    request.consent_and_acknowledgement = true;
    pacta_outcome_init(out);
    cr_assert_eq(rule_sg3_withdraw_consumer(sgevent, &contract, &request, out), 0);
    cr_assert_str_eq(out->items[0].reason, "fully_performed");
    //  Fully performed without that consent: withdrawal stands.
    request.consent_and_acknowledgement = false;
    pacta_outcome_init(out);
    cr_assert_eq(rule_sg3_withdraw_consumer(sgevent, &contract, &request, out), 0);
    cr_assert_eq(out->items[0].kind, PACTA_DECISION_CANCEL);
    //  Businesses and contracts made on premises have no such right.
    request.fully_performed = false;
    contract.client.kind = PACTA_CLIENT_PROFESSIONAL;
    pacta_outcome_init(out);
    cr_assert_eq(rule_sg3_withdraw_consumer(sgevent, &contract, &request, out), 0);
    cr_assert_str_eq(out->items[0].reason, "professional_client");
    contract.client.kind = PACTA_CLIENT_CONSUMER;
    contract.formation.at_distance = false;
    pacta_outcome_init(out);
    cr_assert_eq(rule_sg3_withdraw_consumer(sgevent, &contract, &request, out), 0);
    cr_assert_str_eq(out->items[0].reason, "on_premises");
    fx_assert_explained(out);
}

Test(sg, sg3_partly_performed_service_flagged_to_the_operator)
{
    pacta_contract_t contract = s_contract(PACTA_CONTRACT_FIXED_TERM, PACTA_CLIENT_CONSUMER);
    contract.formation.order_confirmed_on = D("2025-06-02");
    contract.formation.at_distance = true;
    contract.performance_started_on = D("2025-06-04");
    pacta_withdrawal_request_t request = s_withdrawal("2025-06-09");
    cr_assert_eq(rule_sg3_withdraw_consumer(sgevent, &contract, &request, out), 0);
    cr_assert_eq(out->items[0].kind, PACTA_DECISION_CANCEL);
    cr_assert_eq(out->items[0].notification_count, 1);
    cr_assert_eq(out->items[0].notifications[0].to, PACTA_TO_OPERATOR);
    cr_assert_str_eq(out->items[0].notifications[0].topic, "withdrawal_partly_performed");
}

/* ---- SG-4a ------------------------------------------------------------------------ */

Test(sg, sg4a_worked_example_9_fixed_term_early_termination)
{
    pacta_contract_t contract = s_contract(PACTA_CONTRACT_FIXED_TERM, PACTA_CLIENT_PROFESSIONAL);
    contract.total_amount = 1000000;
    contract.deposit_amount = 350000;
    contract.deposit_paid = 350000;
    contract.performed_amount = 200000;
    cr_assert_eq(rule_sg4a_terminate_fixed_term(sgevent, &contract, D("2025-10-15"), out), 0);
    cr_assert_eq(out->count, 2);
    cr_assert_eq(out->items[0].kind, PACTA_DECISION_TERMINATE);
    fx_assert_date(out->items[0].date, "2025-10-15");
    const pacta_decision_t *charge = &out->items[1];
    cr_assert_eq(charge->kind, PACTA_DECISION_CHARGE);
    cr_assert_eq(s_value_money(charge, "performed_invoiced"), 0, "nothing more owed for performed work");
    cr_assert_eq(s_value_money(charge, "deposit_kept_above_performed"), 150000, "1,500.00 of the deposit kept");
    cr_assert_eq(s_value_money(charge, "remaining"), 800000);
    cr_assert_eq(s_value_money(charge, "indemnity"), 160000, "20 %% x 8,000.00 = 1,600.00");
    cr_assert_eq(charge->amount, 160000);
    cr_assert_eq(charge->charge_count, 1);
    cr_assert_eq(charge->charges[0].kind, PACTA_CHARGE_INDEMNITY);
    cr_assert_eq(charge->charges[0].amount, 160000);
    cr_assert_str_eq(s_say(charge, PACTA_LANG_EN),
                     "Invoice of 1.600,00 EUR issued on 2025-10-15: of the total 10.000,00 EUR, services worth "
                     "2.000,00 EUR were performed; the deposit of 3.500,00 EUR counts towards them, so 0,00 EUR is "
                     "still invoiced for them and 1.500,00 EUR of the deposit is kept; the indemnity is 20.00 % of "
                     "the remaining 8.000,00 EUR: 1.600,00 EUR (sgevent §4(1), SG-4a).");
    cr_assert_str_eq(s_say(charge, PACTA_LANG_FR),
                     "Facture de 1.600,00 EUR émise le 2025-10-15 : sur le total de 10.000,00 EUR, des prestations "
                     "de 2.000,00 EUR ont été réalisées ; l'acompte de 3.500,00 EUR s'impute sur elles, 0,00 EUR "
                     "est donc encore facturé pour elles et 1.500,00 EUR de l'acompte reste acquis ; l'indemnité "
                     "est de 20,00 % du solde de 8.000,00 EUR : 1.600,00 EUR (sgevent §4(1), SG-4a).");
    fx_assert_explained(out);
}

Test(sg, sg4a_performed_beyond_deposit_and_unpaid_deposit)
{
    //  (derived) performed 5,000.00 -> 1,500.00 invoiced for it, indemnity 1,000.00.
    pacta_contract_t contract = s_contract(PACTA_CONTRACT_FIXED_TERM, PACTA_CLIENT_PROFESSIONAL);
    contract.total_amount = 1000000;
    contract.deposit_amount = 350000;
    contract.deposit_paid = 0;
    contract.performed_amount = 500000;
    cr_assert_eq(rule_sg4a_terminate_fixed_term(sgevent, &contract, D("2025-10-15"), out), 0);
    cr_assert_eq(out->items[1].amount, 250000);
    cr_assert_eq(out->items[1].charges[0].kind, PACTA_CHARGE_PERFORMED);
    cr_assert_eq(out->items[1].charges[0].amount, 150000);
    cr_assert_eq(out->items[1].charges[1].amount, 100000);
    //  The unpaid deposit stays due on its own invoice.
    cr_assert_eq(s_value_money(&out->items[0], "deposit_outstanding"), 350000);
    //  Inconsistent amounts are errors; a recurring contract is refused.
    contract.performed_amount = 2000000;
    pacta_outcome_init(out);
    cr_assert_eq(rule_sg4a_terminate_fixed_term(sgevent, &contract, D("2025-10-15"), out), -1);
    contract.kind = PACTA_CONTRACT_RECURRING;
    pacta_outcome_init(out);
    cr_assert_eq(rule_sg4a_terminate_fixed_term(sgevent, &contract, D("2025-10-15"), out), 0);
    cr_assert_str_eq(out->items[0].reason, "not_fixed_term");
    fx_assert_explained(out);
}

/* ---- SG-4b ------------------------------------------------------------------------ */

Test(sg, sg4b_worked_example_8_recurring_termination)
{
    pacta_contract_t contract = s_contract(PACTA_CONTRACT_RECURRING, PACTA_CLIENT_PROFESSIONAL);
    pacta_letter_t letter = fx_letter(PACTA_SENT_REGISTERED, "2025-04-24", NULL);
    cr_assert_eq(rule_sg4b_give_notice(sgevent, &contract, &letter, out), 0);
    cr_assert_eq(out->count, 1);
    const pacta_decision_t *d = &out->items[0];
    cr_assert_eq(d->kind, PACTA_DECISION_TERMINATE);
    fx_assert_date(pacta_explanation_find(&d->explanation, "received_on")->as.date, "2025-04-29");
    fx_assert_date(pacta_explanation_find(&d->explanation, "notice_from")->as.date, "2025-05-01");
    fx_assert_date(pacta_explanation_find(&d->explanation, "notice_to")->as.date, "2025-07-31");
    fx_assert_date(d->date, "2025-07-31");
    cr_assert_str_eq(d->timers[0].name, "notice_end");
    fx_assert_date(d->timers[0].fires_on, "2025-08-01");
    cr_assert_str_eq(s_say(d, PACTA_LANG_EN),
                     "Contract ends on 2025-07-31: the notice sent 2025-04-24 was received 2025-04-29, so the "
                     "3-month notice runs from 2025-05-01 to 2025-07-31 (sgevent §4(2), SG-4b).");
    cr_assert_str_eq(s_say(d, PACTA_LANG_FR),
                     "Le contrat prend fin le 2025-07-31 : le préavis envoyé le 2025-04-24 a été reçu le "
                     "2025-04-29 : le préavis de 3 mois court du 2025-05-01 au 2025-07-31 (sgevent §4(2), SG-4b).");
    fx_assert_explained(out);
}

Test(sg, sg4b_derived_receipts_and_wrong_form)
{
    pacta_contract_t contract = s_contract(PACTA_CONTRACT_RECURRING, PACTA_CLIENT_PROFESSIONAL);
    //  Sent Wed 2025-12-24 -> received 12-30 -> notice 2026-01-01 ... 2026-03-31.
    pacta_letter_t christmas = fx_letter(PACTA_SENT_REGISTERED, "2025-12-24", NULL);
    cr_assert_eq(rule_sg4b_give_notice(sgevent, &contract, &christmas, out), 0);
    fx_assert_date(pacta_explanation_find(&out->items[0].explanation, "received_on")->as.date, "2025-12-30");
    fx_assert_date(out->items[0].date, "2026-03-31");
    //  Sent Tue 2025-09-30 -> received Fri 10-03 -> 2025-11-01 ... 2026-01-31.
    pacta_letter_t autumn = fx_letter(PACTA_SENT_REGISTERED, "2025-09-30", NULL);
    pacta_outcome_init(out);
    cr_assert_eq(rule_sg4b_give_notice(sgevent, &contract, &autumn, out), 0);
    fx_assert_date(pacta_explanation_find(&out->items[0].explanation, "notice_from")->as.date, "2025-11-01");
    fx_assert_date(out->items[0].date, "2026-01-31");
    //  A proven receipt date prevails.
    pacta_letter_t proven = fx_letter(PACTA_SENT_REGISTERED, "2025-09-30", "2025-10-01");
    pacta_outcome_init(out);
    cr_assert_eq(rule_sg4b_give_notice(sgevent, &contract, &proven, out), 0);
    cr_assert_eq(pacta_explanation_find(&out->items[0].explanation, "received_on")->role, PACTA_ROLE_INPUT);
    fx_assert_date(out->items[0].date, "2026-01-31");
    //  An e-mail is not the registered letter sgevent requires.
    pacta_letter_t email = fx_letter(PACTA_SENT_EMAIL, "2025-09-30", NULL);
    pacta_outcome_init(out);
    cr_assert_eq(rule_sg4b_give_notice(sgevent, &contract, &email, out), 0);
    cr_assert_str_eq(out->items[0].reason, "not_registered");
    fx_assert_explained(out);
}

Test(sg, sg4b_unobserved_notice_owes_its_fees)
{
    //  (derived) monthly fee 1,000.00, notice 2025-05-01 ... 2025-07-31, stops after 2025-06-30 -> 1,000.00.
    pacta_contract_t contract = fx_contract("C-7", "", PACTA_BILLING_MONTHLY, 100000, "2024-01-01");
    contract.kind = PACTA_CONTRACT_RECURRING;
    cr_assert_eq(rule_sg4b_charge_unobserved_notice(sgevent, &contract, D("2025-07-31"), D("2025-06-30"), out), 0);
    cr_assert_eq(out->items[0].amount, 100000);
    cr_assert_eq(out->items[0].charges[0].kind, PACTA_CHARGE_NOTICE_FEES);
    fx_assert_date(out->items[0].date, "2025-07-01");
    //  Stopping after 2025-06-15: half of June pro rata (15/30 x 1,000.00) + July.
    pacta_outcome_init(out);
    cr_assert_eq(rule_sg4b_charge_unobserved_notice(sgevent, &contract, D("2025-07-31"), D("2025-06-15"), out), 0);
    cr_assert_eq(out->items[0].amount, 150000);
    //  Periods from a mid-month start: 2024-01-20, stop after 2025-07-09, notice to 2025-07-31:
    //  07-10 ... 07-19 is 10 of the 30 days of 06-20 ... 07-19, and 07-20 ... 07-31 is 12 of 31 days.
    //  1,000.00 x (10/30 + 12/31) = 720.43.
    pacta_contract_t mid = fx_contract("C-8", "", PACTA_BILLING_MONTHLY, 100000, "2024-01-20");
    mid.kind = PACTA_CONTRACT_RECURRING;
    pacta_outcome_init(out);
    cr_assert_eq(rule_sg4b_charge_unobserved_notice(sgevent, &mid, D("2025-07-31"), D("2025-07-09"), out), 0);
    cr_assert_eq(out->items[0].amount, 72043);
    //  Notice fully observed: nothing.
    pacta_outcome_init(out);
    cr_assert_eq(rule_sg4b_charge_unobserved_notice(sgevent, &contract, D("2025-07-31"), D("2025-07-31"), out), 0);
    cr_assert_eq(out->count, 0);
    fx_assert_explained(out);
}

/* ---- SG-4c, SG-4d --------------------------------------------------------------------- */

Test(sg, sg4c_bankruptcy_proposed_other_grounds_refused)
{
    pacta_contract_t contract = s_contract(PACTA_CONTRACT_RECURRING, PACTA_CLIENT_PROFESSIONAL);
    //  (derived) bankruptcy recorded 2025-10-06 -> proposal: terminate that day, reasons in writing.
    cr_assert_eq(rule_sg4c_terminate_for_cause(sgevent, &contract, PACTA_GROUND_BANKRUPTCY, D("2025-10-06"), out), 0);
    const pacta_decision_t *d = &out->items[0];
    cr_assert_eq(d->kind, PACTA_DECISION_TERMINATE);
    cr_assert_eq(d->status, PACTA_DECISION_PROPOSAL);
    fx_assert_date(d->date, "2025-10-06");
    cr_assert_str_eq(d->notifications[0].topic, "termination_reasons");
    cr_assert_str_eq(s_say(d, PACTA_LANG_EN),
                     "Proposed: contract ends on 2025-10-06: the client's bankruptcy, recorded on 2025-10-06, lets "
                     "the provider end contract C-7 at once without notice; the reasons are sent to the client in "
                     "writing (sgevent §4, SG-4c).");
    cr_assert_str_eq(s_say(d, PACTA_LANG_FR),
                     "Proposé : le contrat prend fin le 2025-10-06 : la faillite du client, enregistrée le "
                     "2025-10-06, permet au prestataire de mettre fin sur-le-champ et sans préavis au contrat C-7 "
                     "; les motifs sont communiqués par écrit au client (sgevent §4, SG-4c).");
    //  (derived) late payment alone is not a ground.
    pacta_outcome_init(out);
    cr_assert_eq(rule_sg4c_terminate_for_cause(sgevent, &contract, 0, D("2025-10-06"), out), 0);
    cr_assert_eq(out->items[0].kind, PACTA_DECISION_REFUSE);
    cr_assert_eq(out->items[0].status, PACTA_DECISION_APPLY);
    cr_assert_str_eq(out->items[0].reason, "ground_not_allowed");
    pacta_outcome_init(out);
    cr_assert_eq(rule_sg4c_terminate_for_cause(sgevent, &contract, PACTA_GROUND_SERIOUS_BREACH, D("2025-10-06"), out),
                 0);
    cr_assert_str_eq(out->items[0].reason, "serious_breach");
    fx_assert_explained(out);
}

Test(sg, sg4d_termination_after_the_time_given_by_a_formal_notice)
{
    pacta_contract_t contract = s_contract(PACTA_CONTRACT_FIXED_TERM, PACTA_CLIENT_PROFESSIONAL);
    pacta_provider_default_t facts = {.formal_notice_sent_on = D("2025-09-01"), .cure_by = D("2025-09-16"),
                                      .still_in_default = true, .caused_by_client = false};
    //  (derived) received 2025-09-19 -> proposal: terminate 2025-09-19 without indemnity.
    cr_assert_eq(rule_sg4d_terminate_for_provider_default(sgevent, &contract, &facts, D("2025-09-19"), out), 0);
    cr_assert_eq(out->items[0].kind, PACTA_DECISION_TERMINATE);
    cr_assert_eq(out->items[0].status, PACTA_DECISION_PROPOSAL);
    fx_assert_date(out->items[0].date, "2025-09-19");
    cr_assert_str_eq(out->items[0].reason, "provider_default");
    //  (derived) received 2025-09-10 -> refused, possible from 2025-09-17.
    pacta_outcome_init(out);
    cr_assert_eq(rule_sg4d_terminate_for_provider_default(sgevent, &contract, &facts, D("2025-09-10"), out), 0);
    cr_assert_str_eq(out->items[0].reason, "cure_time_running");
    fx_assert_date(out->items[0].date, "2025-09-17");
    cr_assert_str_eq(s_say(&out->items[0], PACTA_LANG_EN),
                     "Refused, possible from 2025-09-17: the formal notice of 2025-09-01 gave the provider until "
                     "2025-09-16; the termination received 2025-09-10 comes before that time ran out (sgevent §4, "
                     "SG-4d).");
    //  No formal notice, a default the client caused, a cured default: refused.
    pacta_provider_default_t none = {.formal_notice_sent_on = PACTA_DATE_INVALID, .cure_by = PACTA_DATE_INVALID,
                                     .still_in_default = true};
    pacta_outcome_init(out);
    cr_assert_eq(rule_sg4d_terminate_for_provider_default(sgevent, &contract, &none, D("2025-09-19"), out), 0);
    cr_assert_str_eq(out->items[0].reason, "no_formal_notice");
    facts.caused_by_client = true;
    pacta_outcome_init(out);
    cr_assert_eq(rule_sg4d_terminate_for_provider_default(sgevent, &contract, &facts, D("2025-09-19"), out), 0);
    cr_assert_str_eq(out->items[0].reason, "caused_by_client");
    facts.caused_by_client = false;
    facts.still_in_default = false;
    pacta_outcome_init(out);
    cr_assert_eq(rule_sg4d_terminate_for_provider_default(sgevent, &contract, &facts, D("2025-09-19"), out), 0);
    cr_assert_str_eq(out->items[0].reason, "not_in_default");
    fx_assert_explained(out);
}

/* ---- SG-5a, SG-5b, SG-5c ------------------------------------------------------------- */

Test(sg, sg5a_business_day_deadline_extended_by_suspensions)
{
    //  (derived) 10 business days after Fri 2025-04-11 -> Mon 2025-04-28 (Easter Monday skipped).
    cr_assert_eq(rule_sg5a_execution_deadline(sgevent, "stand", D("2025-04-11"), 10, NULL, 0, out), 0);
    fx_assert_date(out->items[0].date, "2025-04-28");
    cr_assert_eq(out->items[0].until, PACTA_DATE_INVALID);
    //  Deposit unpaid 2025-04-16 ... 2025-04-17 (2 business days) -> Wed 2025-04-30.
    pacta_deadline_suspension_t unpaid = {PACTA_SUSPEND_UNPAID, D("2025-04-16"), D("2025-04-17")};
    pacta_outcome_init(out);
    cr_assert_eq(rule_sg5a_execution_deadline(sgevent, "stand", D("2025-04-11"), 10, &unpaid, 1, out), 0);
    fx_assert_date(out->items[0].date, "2025-04-28");
    fx_assert_date(out->items[0].until, "2025-04-30");
    cr_assert_eq(s_value_int(&out->items[0], "extension_days"), 2);
    cr_assert_str_eq(s_say(&out->items[0], PACTA_LANG_EN),
                     "Deadline 2025-04-30 (extended from 2025-04-28): the execution deadline of stand is 10 "
                     "business day(s) after 2025-04-11, extended by 2 business day(s) of suspension (sgevent §5, "
                     "SG-5a).");
    cr_assert_str_eq(s_say(&out->items[0], PACTA_LANG_FR),
                     "Échéance le 2025-04-30 (prolongée depuis le 2025-04-28) : le délai d'exécution de stand est "
                     "de 10 jour(s) ouvrable(s) après le 2025-04-11, prolongé de 2 jour(s) ouvrable(s) de "
                     "suspension (sgevent §5, SG-5a).");
    fx_assert_explained(out);
}

Test(sg, sg5a_with_sg5c_example_and_overlaps)
{
    //  SG-5c example: suspended 2025-09-16, resumes Fri 09-19 (3 business days): Tue 09-30 -> Fri 10-03.
    pacta_date_t base = PACTA_DATE_INVALID, deadline = PACTA_DATE_INVALID;
    pacta_deadline_suspension_t unpaid = {PACTA_SUSPEND_UNPAID, D("2025-09-16"), D("2025-09-18")};
    cr_assert_eq(pacta_sg5a_deadline(sgevent, D("2025-09-16"), 10, &unpaid, 1, &base, &deadline), 0);
    fx_assert_date(base, "2025-09-30");
    fx_assert_date(deadline, "2025-10-03");
    //  Two causes over the same days count them once; a suspension after the deadline counts not.
    pacta_deadline_suspension_t overlapping[] = {
        {PACTA_SUSPEND_MISSING_INFO, D("2025-09-17"), D("2025-09-18")},
        {PACTA_SUSPEND_UNPAID, D("2025-09-16"), D("2025-09-18")},
        {PACTA_SUSPEND_CLIENT_CHANGES, D("2025-10-20"), D("2025-10-24")},
    };
    cr_assert_eq(pacta_sg5a_deadline(sgevent, D("2025-09-16"), 10, overlapping, 3, &base, &deadline), 0);
    fx_assert_date(deadline, "2025-10-03");
    //  A cause the profile does not list does not suspend.
    sgevent->imperative_deadline.suspended_by = PACTA_SUSPEND_FORCE_MAJEURE;
    cr_assert_eq(pacta_sg5a_deadline(sgevent, D("2025-09-16"), 10, &unpaid, 1, &base, &deadline), 0);
    fx_assert_date(deadline, "2025-09-30");
    //  Malformed suspensions are errors.
    pacta_deadline_suspension_t backwards = {PACTA_SUSPEND_UNPAID, D("2025-09-18"), D("2025-09-16")};
    cr_assert_eq(pacta_sg5a_deadline(sgevent, D("2025-09-16"), 10, &backwards, 1, &base, &deadline), -1);
}

Test(sg, sg5a_missed_imperative_deadline_owes_five_percent)
{
    //  (derived) imperative deadline missed on services worth 4,000.00 -> 200.00 owed to the client.
    cr_assert_eq(rule_sg5a_late_delivery_indemnity(sgevent, "stand", D("2025-04-30"), true, D("2025-05-05"),
                                                   D("2025-05-06"), 400000, out),
                 0);
    const pacta_decision_t *d = &out->items[0];
    cr_assert_eq(d->kind, PACTA_DECISION_CREDIT);
    cr_assert_eq(d->amount, -20000);
    cr_assert_eq(d->charges[0].kind, PACTA_CHARGE_OWED_TO_CLIENT);
    cr_assert_eq(d->charges[0].amount, -20000);
    cr_assert_str_eq(s_say(d, PACTA_LANG_EN),
                     "Owed to the client from 2025-05-01: 200,00 EUR: the imperative deadline 2025-04-30 of stand "
                     "was missed; the client is owed 5.00 % of the late services worth 4.000,00 EUR (sgevent §5, "
                     "SG-5a).");
    //  (derived) an indicative deadline missed -> nothing owed.
    pacta_outcome_init(out);
    cr_assert_eq(rule_sg5a_late_delivery_indemnity(sgevent, "stand", D("2025-04-30"), false, PACTA_DATE_INVALID,
                                                   D("2025-05-06"), 400000, out),
                 0);
    cr_assert_eq(out->items[0].kind, PACTA_DECISION_RECORD);
    cr_assert_str_eq(out->items[0].reason, "indicative");
    //  Delivered on the deadline: nothing at all.
    pacta_outcome_init(out);
    cr_assert_eq(rule_sg5a_late_delivery_indemnity(sgevent, "stand", D("2025-04-30"), true, D("2025-04-30"),
                                                   D("2025-05-06"), 400000, out),
                 0);
    cr_assert_eq(out->count, 0);
    fx_assert_explained(out);
}

Test(sg, sg5b_warning_only_above_ten_percent)
{
    pacta_contract_t contract = s_contract(PACTA_CONTRACT_FIXED_TERM, PACTA_CLIENT_PROFESSIONAL);
    //  (derived) agreed 10,000.00: changes costing 1,000.00 -> no warning; 1,000.01 -> warning.
    cr_assert_eq(rule_sg5b_warn_change_cost(sgevent, &contract, 1000000, 100000, D("2025-05-02"), out), 0);
    cr_assert_eq(out->count, 0);
    cr_assert_eq(rule_sg5b_warn_change_cost(sgevent, &contract, 1000000, 100001, D("2025-05-02"), out), 0);
    cr_assert_eq(out->items[0].kind, PACTA_DECISION_NOTIFY);
    cr_assert_str_eq(out->items[0].notifications[0].topic, "change_cost_warning");
    cr_assert_str_eq(s_say(&out->items[0], PACTA_LANG_EN),
                     "Client informed on 2025-05-02: client changes to contract C-7 cost 1.000,01 EUR more, over "
                     "10.00 % of the agreed 10.000,00 EUR: the extra cost is the client's (sgevent §5, SG-5b).");
    fx_assert_explained(out);
}

Test(sg, sg5c_unpaid_deposit_suspends_work_until_paid)
{
    //  (derived) deposit due Mon 2025-09-15, unpaid -> suspended from 09-16, e-mail; paid Fri 09-19 -> resumes 09-19.
    pacta_contract_t contract = s_contract(PACTA_CONTRACT_FIXED_TERM, PACTA_CLIENT_CONSUMER);
    pacta_invoice_t invoices[] = {fx_invoice("D-1", "C-7", "2025-09-01", "2025-09-15", 350000),
                                  fx_invoice("X-1", "C-9", "2025-09-01", "2025-09-02", 10000)};
    invoices[0].kind = PACTA_INVOICE_DEPOSIT;
    pacta_payment_t payments[] = {fx_payment("P1", "D-1", 100000, "2025-09-17"),
                                  fx_payment("P2", "D-1", 250000, "2025-09-19")};
    cr_assert_eq(rule_sg5c_suspend_unpaid(sgevent, &contract, invoices, 2, payments, 2, D("2025-09-15"), out), 0);
    cr_assert_eq(out->count, 0, "not overdue before the end of the due date");
    cr_assert_eq(rule_sg5c_suspend_unpaid(sgevent, &contract, invoices, 2, payments, 2, D("2025-09-16"), out), 0);
    const pacta_decision_t *d = &out->items[0];
    cr_assert_eq(d->kind, PACTA_DECISION_SUSPEND);
    fx_assert_date(d->date, "2025-09-16");
    cr_assert_eq(d->notifications[0].channel, PACTA_CHANNEL_EMAIL);
    cr_assert_str_eq(s_say(d, PACTA_LANG_EN),
                     "Suspended from 2025-09-16: invoice D-1 due 2025-09-15 is unpaid, so the work is suspended "
                     "until every overdue amount (3.500,00 EUR on 2025-09-16) is paid; the client is told by e-mail "
                     "(sgevent §5, SG-5c).");
    fx_suspend(&contract, "2025-09-16", "unpaid");
    pacta_outcome_init(out);
    cr_assert_eq(rule_sg5c_suspend_unpaid(sgevent, &contract, invoices, 2, payments, 2, D("2025-09-18"), out), 0);
    cr_assert_eq(out->count, 0, "a partial payment restores nothing");
    cr_assert_eq(rule_sg5c_suspend_unpaid(sgevent, &contract, invoices, 2, payments, 2, D("2025-09-22"), out), 0);
    cr_assert_eq(out->items[0].kind, PACTA_DECISION_RESTORE);
    fx_assert_date(out->items[0].date, "2025-09-19");
    fx_assert_explained(out);
}

Test(sg, sg5c_disputed_invoice_never_suspends)
{
    pacta_contract_t contract = s_contract(PACTA_CONTRACT_FIXED_TERM, PACTA_CLIENT_PROFESSIONAL);
    pacta_invoice_t invoice = fx_invoice("F-1", "C-7", "2025-09-01", "2025-09-15", 350000);
    invoice.state = PACTA_INVOICE_DISPUTED;
    cr_assert_eq(rule_sg5c_suspend_unpaid(sgevent, &contract, &invoice, 1, NULL, 0, D("2025-10-30"), out), 0);
    cr_assert_eq(out->count, 0);
    //  Off: nothing either.
    invoice.state = PACTA_INVOICE_OPEN;
    sgevent->unpaid_suspension.rule.mode = PACTA_RULE_OFF;
    cr_assert_eq(rule_sg5c_suspend_unpaid(sgevent, &contract, &invoice, 1, NULL, 0, D("2025-10-30"), out), 0);
    cr_assert_eq(out->count, 0);
}

/* ---- SG-8a, SG-8e -------------------------------------------------------------------- */

Test(sg, sg8a_deliverables_withheld_until_the_last_cent)
{
    //  (derived) price 5,000.00, 4,999.99 paid -> withheld; 0.01 more -> released that day.
    pacta_contract_t contract = s_contract(PACTA_CONTRACT_FIXED_TERM, PACTA_CLIENT_PROFESSIONAL);
    contract.total_amount = 500000;
    pacta_invoice_t invoices[] = {fx_invoice("D-1", "C-7", "2025-05-01", "2025-05-16", 175000),
                                  fx_invoice("F-2", "C-7", "2025-06-01", "2025-06-16", 325000),
                                  fx_invoice("L-1", "C-7", "2025-06-20", "2025-07-05", 5000)};
    invoices[2].kind = PACTA_INVOICE_CHARGES;
    pacta_payment_t payments[] = {fx_payment("P1", "D-1", 175000, "2025-05-10"),
                                  fx_payment("P2", "F-2", 324999, "2025-06-10"),
                                  fx_payment("P3", "L-1", 5000, "2025-06-21"),
                                  fx_payment("P4", "F-2", 1, "2025-06-25")};
    cr_assert_eq(rule_sg8a_retain_deliverables(sgevent, &contract, invoices, 3, payments, 4, D("2025-06-22"), out), 0);
    cr_assert_eq(out->items[0].kind, PACTA_DECISION_WITHHOLD);
    cr_assert_eq(out->items[0].amount, 1, "late charges do not pay the price");
    cr_assert_str_eq(s_say(&out->items[0], PACTA_LANG_EN),
                     "Deliverables withheld: the deliverables of contract C-7 are kept until its price 5.000,00 EUR "
                     "is paid in full (4.999,99 EUR paid, 0,01 EUR outstanding on 2025-06-22) (sgevent §8, SG-8a).");
    pacta_outcome_init(out);
    cr_assert_eq(rule_sg8a_retain_deliverables(sgevent, &contract, invoices, 3, payments, 4, D("2025-07-01"), out), 0);
    cr_assert_eq(out->items[0].kind, PACTA_DECISION_RELEASE);
    fx_assert_date(out->items[0].date, "2025-06-25");
    fx_assert_explained(out);
}

Test(sg, sg8e_complaint_within_eight_clear_days)
{
    //  (derived) invoice received 2025-03-03: complaint posted 03-12 -> disputed; 03-13 -> late.
    pacta_invoice_t invoice = fx_invoice("F-5", "C-7", "2025-03-01", "2025-03-16", 100000);
    invoice.received_on = D("2025-03-03");
    pacta_letter_t complaint = fx_letter(PACTA_SENT_REGISTERED, "2025-03-12", NULL);
    cr_assert_eq(rule_sg8e_register_complaint(sgevent, &invoice, &complaint, out), 0);
    cr_assert_str_eq(out->items[0].reason, "disputed");
    fx_assert_date(pacta_explanation_find(&out->items[0].explanation, "last_day")->as.date, "2025-03-12");
    cr_assert_str_eq(s_say(&out->items[0], PACTA_LANG_EN),
                     "Invoice disputed from 2025-03-12: the complaint about invoice F-5 received 2025-03-03 was "
                     "posted 2025-03-12, within 8 clear days (through 2025-03-12); no suspension, reminder fee, "
                     "indemnity or interest runs on it until it is resolved (sgevent §8, SG-8e).");
    cr_assert_str_eq(s_say(&out->items[0], PACTA_LANG_FR),
                     "Facture contestée à partir du 2025-03-12 : la réclamation relative à la facture F-5 reçue le "
                     "2025-03-03 a été postée le 2025-03-12, dans les 8 jours francs (jusqu'au 2025-03-12) ; aucune "
                     "suspension, aucuns frais de rappel, indemnité ni intérêt ne courent jusqu'à sa résolution "
                     "(sgevent §8, SG-8e).");
    complaint.sent_on = D("2025-03-13");
    pacta_outcome_init(out);
    cr_assert_eq(rule_sg8e_register_complaint(sgevent, &invoice, &complaint, out), 0);
    cr_assert_str_eq(out->items[0].reason, "late");
    //  An e-mail is not a registered letter.
    pacta_letter_t email = fx_letter(PACTA_SENT_EMAIL, "2025-03-05", NULL);
    pacta_outcome_init(out);
    cr_assert_eq(rule_sg8e_register_complaint(sgevent, &invoice, &email, out), 0);
    cr_assert_str_eq(out->items[0].reason, "wrong_form");
    //  No receipt date: the issue date counts (2025-03-01 + 9 = 03-10).
    invoice.received_on = PACTA_DATE_INVALID;
    complaint.sent_on = D("2025-03-11");
    pacta_outcome_init(out);
    cr_assert_eq(rule_sg8e_register_complaint(sgevent, &invoice, &complaint, out), 0);
    cr_assert_str_eq(out->items[0].reason, "late");
    fx_assert_explained(out);
}

/* ---- SG-9, SG-10, SG-14 -------------------------------------------------------------- */

Test(sg, sg9_renegotiation_lasts_eight_calendar_days)
{
    //  (derived) notified 2025-10-06 -> ends at the latest 2025-10-14; failed from 2025-10-15.
    cr_assert_eq(rule_sg9_renegotiation(sgevent, "C-7", D("2025-10-06"), PACTA_DATE_INVALID, D("2025-10-06"), out), 0);
    cr_assert_eq(out->items[0].kind, PACTA_DECISION_DEADLINE);
    fx_assert_date(out->items[0].date, "2025-10-14");
    fx_assert_date(out->items[0].timers[0].fires_on, "2025-10-15");
    pacta_outcome_init(out);
    cr_assert_eq(rule_sg9_renegotiation(sgevent, "C-7", D("2025-10-06"), PACTA_DATE_INVALID, D("2025-10-15"), out), 0);
    cr_assert_str_eq(out->items[0].reason, "failed");
    fx_assert_date(out->items[0].date, "2025-10-15");
    cr_assert_str_eq(s_say(&out->items[0], PACTA_LANG_FR),
                     "Renégociation échouée le 2025-10-15 : aucun accord n'a été enregistré dans les 8 jours "
                     "calendrier suivant la notification du 2025-10-06 (jusqu'au 2025-10-14) (sgevent §9, SG-9).");
    pacta_outcome_init(out);
    cr_assert_eq(rule_sg9_renegotiation(sgevent, "C-7", D("2025-10-06"), D("2025-10-14"), D("2025-10-20"), out), 0);
    cr_assert_str_eq(out->items[0].reason, "agreed");
    fx_assert_explained(out);
}

static pacta_terms_change_event_t
s_change(const char *sent)
{
    pacta_terms_change_event_t change;
    memset(&change, 0, sizeof change);
    snprintf(change.id, sizeof change.id, "CGV-2025-2");
    change.published_on = PACTA_DATE_INVALID;
    change.notified_on = D(sent);
    change.accepted_on = PACTA_DATE_INVALID;
    change.objected_on = PACTA_DATE_INVALID;
    return change;
}

Test(sg, sg10_terms_apply_after_the_objection_period)
{
    pacta_contract_t contract = s_contract(PACTA_CONTRACT_RECURRING, PACTA_CLIENT_PROFESSIONAL);
    //  (derived) sent 2025-05-20 -> objection through 05-31 -> applies from 06-01.
    pacta_terms_change_event_t may20 = s_change("2025-05-20");
    cr_assert_eq(rule_sg10_terms_change(sgevent, &contract, &may20, out), 0);
    cr_assert_eq(out->items[0].kind, PACTA_DECISION_EFFECTIVE);
    fx_assert_date(out->items[0].date, "2025-06-01");
    fx_assert_date(pacta_explanation_find(&out->items[0].explanation, "last_objection_day")->as.date, "2025-05-31");
    //  (derived) sent 2025-05-25 -> objection through 06-05 -> applies from 06-06.
    pacta_terms_change_event_t may25 = s_change("2025-05-25");
    pacta_outcome_init(out);
    cr_assert_eq(rule_sg10_terms_change(sgevent, &contract, &may25, out), 0);
    fx_assert_date(out->items[0].date, "2025-06-06");
    cr_assert_str_eq(s_say(&out->items[0], PACTA_LANG_EN),
                     "In force from 2025-06-06: terms CGV-2025-2 sent 2025-05-25 apply from the later of the 1st "
                     "day of the next month and the day after the 10 clear days to object (through 2025-06-05), "
                     "unless the client objects in time (sgevent §10, SG-10).");
    //  A timely objection: never applies.
    may25.objected_on = D("2025-06-05");
    pacta_outcome_init(out);
    cr_assert_eq(rule_sg10_terms_change(sgevent, &contract, &may25, out), 0);
    cr_assert_eq(out->items[0].kind, PACTA_DECISION_RECORD);
    cr_assert_str_eq(out->items[0].reason, "objected");
    //  A late one changes nothing.
    may25.objected_on = D("2025-06-06");
    pacta_outcome_init(out);
    cr_assert_eq(rule_sg10_terms_change(sgevent, &contract, &may25, out), 0);
    cr_assert_eq(out->items[0].kind, PACTA_DECISION_EFFECTIVE);
    fx_assert_explained(out);
}

Test(sg, sg14_mediation_clear_day_deadlines)
{
    //  (derived) request 2025-09-01 -> must start by 09-17; started 09-17 -> ends 10-18; court from 10-19.
    cr_assert_eq(rule_sg14_mediation(sgevent, "M-1", D("2025-09-01"), PACTA_DATE_INVALID, false, D("2025-09-01"), out),
                 0);
    cr_assert_eq(out->items[0].kind, PACTA_DECISION_DEADLINE);
    fx_assert_date(out->items[0].date, "2025-09-17");
    pacta_outcome_init(out);
    cr_assert_eq(rule_sg14_mediation(sgevent, "M-1", D("2025-09-01"), D("2025-09-17"), false, D("2025-09-17"), out), 0);
    fx_assert_date(out->items[0].date, "2025-10-18");
    fx_assert_date(pacta_explanation_find(&out->items[0].explanation, "court_from")->as.date, "2025-10-19");
    cr_assert_str_eq(s_say(&out->items[0], PACTA_LANG_EN),
                     "Mediation ends at the latest on 2025-10-18: mediation asked on 2025-09-01 started on "
                     "2025-09-17 and lasts at most 30 clear days; court is possible from 2025-10-19 (sgevent §14, "
                     "SG-14).");
    //  Not started in time: court possible.
    pacta_outcome_init(out);
    cr_assert_eq(rule_sg14_mediation(sgevent, "M-1", D("2025-09-01"), PACTA_DATE_INVALID, false, D("2025-09-20"), out),
                 0);
    cr_assert_str_eq(out->items[0].reason, "court_possible");
    fx_assert_date(out->items[0].date, "2025-09-18");
    //  Payment claims never wait.
    pacta_outcome_init(out);
    cr_assert_eq(rule_sg14_mediation(sgevent, "M-1", D("2025-09-01"), PACTA_DATE_INVALID, true, D("2025-09-01"), out),
                 0);
    cr_assert_str_eq(out->items[0].reason, "payment_claim");
    fx_assert_explained(out);
}

/* ---- acme.yaml: other figures, other rule ids -------------------------------------------- */

Test(sg_acme, sg4b_acme_two_months_in_writing_from_receipt_as_a_proposal)
{
    pacta_contract_t contract = s_contract(PACTA_CONTRACT_RECURRING, PACTA_CLIENT_PROFESSIONAL);
    //  An e-mail is writing; the notice runs from its receipt, the same day.
    pacta_letter_t email = fx_letter(PACTA_SENT_EMAIL, "2025-04-24", NULL);
    cr_assert_eq(rule_sg4b_give_notice(acme, &contract, &email, out), 0);
    const pacta_decision_t *d = &out->items[0];
    cr_assert_eq(d->status, PACTA_DECISION_PROPOSAL);
    cr_assert_str_eq(d->explanation.rule_id, "ACME-4");
    fx_assert_date(d->date, "2025-06-23");
    cr_assert_str_eq(s_say(d, PACTA_LANG_EN),
                     "Proposed: contract ends on 2025-06-23: the notice sent 2025-04-24 was received 2025-04-24, so "
                     "the 2-month notice runs from 2025-04-24 to 2025-06-23 (acme §4, ACME-4).");
    //  A registered letter around Christmas: acme closes on 2025-12-26, so receipt is 12-31, not 12-30.
    pacta_letter_t letter = fx_letter(PACTA_SENT_REGISTERED, "2025-12-24", NULL);
    pacta_outcome_init(out);
    cr_assert_eq(rule_sg4b_give_notice(acme, &contract, &letter, out), 0);
    fx_assert_date(pacta_explanation_find(&out->items[0].explanation, "received_on")->as.date, "2025-12-31");
    fx_assert_date(out->items[0].date, "2026-02-27");
    fx_assert_explained(out);
}

Test(sg_acme, sg10_acme_thirty_clear_days_and_rules_it_lacks_decide_nothing)
{
    pacta_contract_t contract = s_contract(PACTA_CONTRACT_RECURRING, PACTA_CLIENT_PROFESSIONAL);
    pacta_terms_change_event_t change = s_change("2025-05-20");
    cr_assert_eq(rule_sg10_terms_change(acme, &contract, &change, out), 0);
    cr_assert_str_eq(out->items[0].explanation.rule_id, "ACME-9");
    //  30 clear days: objection through 06-20, in force 06-21 (sgevent: 06-01).
    fx_assert_date(out->items[0].date, "2025-06-21");
    //  Acme has no quotes, deposits, fixed-term indemnity, mediation...: nothing.
    pacta_outcome_init(out);
    pacta_quote_t quote = s_quote("2025-06-02", 100000);
    cr_assert_eq(rule_sg2a_accept_quote(acme, &quote, D("2025-07-30"), PACTA_ACCEPTED_BY_EMAIL, out), 0);
    cr_assert_eq(rule_sg2b_invoice_deposit(acme, &quote, D("2025-06-03"), out), 0);
    contract.kind = PACTA_CONTRACT_FIXED_TERM;
    contract.total_amount = 100000;
    cr_assert_eq(rule_sg4a_terminate_fixed_term(acme, &contract, D("2025-06-03"), out), 0);
    cr_assert_eq(rule_sg14_mediation(acme, "M", D("2025-06-02"), PACTA_DATE_INVALID, false, D("2025-06-30"), out), 0);
    cr_assert_eq(rule_sg9_renegotiation(acme, "R", D("2025-06-02"), PACTA_DATE_INVALID, D("2025-06-30"), out), 0);
    cr_assert_eq(out->count, 0);
}
