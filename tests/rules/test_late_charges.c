/*  =========================================================================
    test_late_charges - SG-8b, SG-8c, SG-8d, SG-8e holds, L-1, L-2

    The worked examples 5, 6 and 7 of docs/rules.md with their exact dates
    and amounts, the derived examples of SG-8c, SG-8d and L-1, the statutes
    cutting a company's figures, disputes stopping every charge, and a
    third company (tests/fixtures/profiles/acme.yaml) whose other figures the
    same functions follow. Sentences are checked in French and English.
    =========================================================================
*/
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "rules_fixtures.h"
#include "rules_late.h"
#include "rules_sg.h"

static pacta_profile_t *sgevent;
static pacta_profile_t *capconnect;
static pacta_profile_t *acme;
static pacta_outcome_t *out;
static char sentence[PACTA_SENTENCE_SIZE];

static void
s_setup(void)
{
    sgevent = fx_profile("sgevent", false);
    capconnect = fx_profile("capconnect", false);
    acme = fx_profile("acme", true);
    out = pacta_outcome_new();
    cr_assert_not_null(out);
}

static void
s_teardown(void)
{
    pacta_outcome_destroy(&out);
    pacta_profile_destroy(&acme);
    pacta_profile_destroy(&capconnect);
    pacta_profile_destroy(&sgevent);
}

TestSuite(late, .init = s_setup, .fini = s_teardown);
TestSuite(consumer, .init = s_setup, .fini = s_teardown);
TestSuite(disputes, .init = s_setup, .fini = s_teardown);
TestSuite(statutes, .init = s_setup, .fini = s_teardown);
TestSuite(late_acme, .init = s_setup, .fini = s_teardown);

/* ---- a late invoice and its history ----------------------------------------- */

typedef struct {
    pacta_contract_t contract;
    pacta_invoice_t invoice;
    pacta_payment_t payments[8];
    size_t payment_count;
    pacta_letter_t letters[8];
    size_t letter_count;
    pacta_dispute_t dispute;
    bool disputed;
} late_case_t;

static void
s_case(late_case_t *c, pacta_client_kind_t kind, const char *issued, const char *due, pacta_cents_t amount)
{
    memset(c, 0, sizeof *c);
    c->contract = fx_contract("C-1", "", 0, 0, NULL);
    c->contract.kind = PACTA_CONTRACT_FIXED_TERM;
    c->contract.client.kind = kind;
    c->invoice = fx_invoice("F-2025-014", "C-1", issued, due, amount);
    c->invoice.kind = PACTA_INVOICE_SERVICES;
}

static void
s_pay(late_case_t *c, pacta_cents_t amount, const char *on)
{
    cr_assert_lt(c->payment_count, 8);
    c->payments[c->payment_count++] = fx_payment("P", c->invoice.id, amount, on);
}

//  A provider letter about the invoice: reminder `number`, or a formal notice when number is 0.
static void
s_letter(late_case_t *c, pacta_sent_via_t via, const char *sent, int number, pacta_cents_t postage)
{
    cr_assert_lt(c->letter_count, 8);
    pacta_letter_t letter = fx_letter(via, sent, NULL);
    letter.from = PACTA_FROM_PROVIDER;
    snprintf(letter.ref, sizeof letter.ref, "%s", c->invoice.id);
    letter.number = number;
    letter.formal_notice = number == 0;
    letter.postage = postage;
    c->letters[c->letter_count++] = letter;
}

static void
s_dispute(late_case_t *c, const char *complained, pacta_dispute_state_t state, const char *resolved)
{
    c->disputed = true;
    c->dispute.complained_on = D(complained);
    c->dispute.state = state;
    c->dispute.resolved_on = resolved ? D(resolved) : PACTA_DATE_INVALID;
    c->dispute.new_due_on = PACTA_DATE_INVALID;
}

static pacta_late_facts_t
s_facts(late_case_t *c, const char *as_of)
{
    pacta_late_facts_t facts = {&c->contract, &c->invoice, c->payments, c->payment_count,
                                c->letters,   c->letter_count, c->disputed ? &c->dispute : NULL, D(as_of)};
    return facts;
}

static pacta_cents_t
s_charge(const pacta_decision_t *decision, pacta_charge_kind_t kind)
{
    pacta_cents_t sum = 0;
    for (size_t i = 0; i < decision->charge_count; i++)
        if (decision->charges[i].kind == kind)
            sum += decision->charges[i].amount;
    return sum;
}

static const pacta_charge_t *
s_charge_line(const pacta_decision_t *decision, pacta_charge_kind_t kind)
{
    for (size_t i = 0; i < decision->charge_count; i++)
        if (decision->charges[i].kind == kind)
            return &decision->charges[i];
    return NULL;
}

static int64_t
s_value_int(const pacta_decision_t *decision, const char *name)
{
    const pacta_value_t *value = pacta_explanation_find(&decision->explanation, name);
    cr_assert_not_null(value, "no value %s", name);
    return value->as.number;
}

static size_t
s_count(pacta_decision_kind_t kind)
{
    size_t n = 0;
    for (size_t i = 0; i < out->count; i++)
        n += out->items[i].kind == kind;
    return n;
}

static const char *
s_say(const pacta_decision_t *decision, pacta_lang_t lang)
{
    cr_assert_eq(pacta_decision_explain(decision, lang, sentence, sizeof sentence), 0);
    return sentence;
}

/* ---- SG-8b: due date ------------------------------------------------------------ */

Test(late, sg8b_example_5_due_15_days_after_issue_without_printed_date)
{
    pacta_client_t client = {.kind = PACTA_CLIENT_PROFESSIONAL};
    pacta_invoice_t invoice = fx_invoice("F-1", "C-1", "2025-03-03", "2025-03-03", 200000);
    cr_assert_eq(rule_sg8b_set_due_date(sgevent, &client, &invoice, out), 0);
    cr_assert_eq(out->count, 1);
    cr_assert_eq(out->items[0].kind, PACTA_DECISION_DEADLINE);
    fx_assert_date(out->items[0].date, "2025-03-18");
    cr_assert_str_eq(out->items[0].explanation.rule_id, "SG-8b");
    cr_assert_str_eq(out->items[0].timers[0].name, "due_date_passed");
    fx_assert_date(out->items[0].timers[0].fires_on, "2025-03-19");
    cr_assert_str_eq(s_say(&out->items[0], PACTA_LANG_EN),
                     "Due on 2025-03-18: invoice F-1 issued 2025-03-03 is payable within 15 calendar days "
                     "(sgevent §8, SG-8b).");
    cr_assert_str_eq(s_say(&out->items[0], PACTA_LANG_FR),
                     "Échéance le 2025-03-18 : la facture F-1 émise le 2025-03-03 est payable dans les 15 jours "
                     "calendrier (sgevent §8, SG-8b).");
    fx_assert_explained(out);
}

Test(late, sg8b_printed_due_date_prevails_within_the_l2_maximum)
{
    pacta_client_t pro = {.kind = PACTA_CLIENT_PROFESSIONAL};
    pacta_invoice_t invoice = fx_invoice("F-2", "C-1", "2025-03-03", "2025-03-03", 100000);
    invoice.printed_due_on = D("2025-04-30");
    cr_assert_eq(rule_sg8b_set_due_date(sgevent, &pro, &invoice, out), 0);
    fx_assert_date(out->items[0].date, "2025-04-30");
    cr_assert_str_eq(out->items[0].reason, "printed_due_date");

    //  61 days after receipt between businesses: void (L-2), refused.
    invoice.printed_due_on = D("2025-05-03");
    pacta_outcome_init(out);
    cr_assert_eq(rule_sg8b_set_due_date(sgevent, &pro, &invoice, out), 0);
    cr_assert_eq(out->items[0].kind, PACTA_DECISION_REFUSE);
    cr_assert_str_eq(out->items[0].reason, "due_term_void");
    fx_assert_date(pacta_explanation_find(&out->items[0].explanation, "latest_due_on")->as.date, "2025-05-02");
    //  The same term for a consumer is the company's business.
    pacta_client_t consumer = {.kind = PACTA_CLIENT_CONSUMER};
    pacta_outcome_init(out);
    cr_assert_eq(rule_sg8b_set_due_date(sgevent, &consumer, &invoice, out), 0);
    fx_assert_date(out->items[0].date, "2025-05-03");
    //  CapConnect's 7 days always apply (CC-3a, same profile block).
    pacta_outcome_init(out);
    cr_assert_eq(rule_sg8b_set_due_date(capconnect, &pro, &invoice, out), 0);
    fx_assert_date(out->items[0].date, "2025-03-10");
    cr_assert_str_eq(out->items[0].explanation.rule_id, "CC-3a");
    fx_assert_explained(out);
}

/* ---- SG-8c: professional late payment ------------------------------------------- */

//  Worked example 5: 2,000.00 issued 2025-03-03, due 2025-03-18, paid 2025-05-20.
static void
s_example_5(late_case_t *c)
{
    s_case(c, PACTA_CLIENT_PROFESSIONAL, "2025-03-03", "2025-03-18", 200000);
    s_pay(c, 200000, "2025-05-20");
    s_letter(c, PACTA_SENT_LETTER, "2025-03-25", 1, 0);
    s_letter(c, PACTA_SENT_LETTER, "2025-04-08", 2, 0);
    s_letter(c, PACTA_SENT_REGISTERED, "2025-04-22", 0, 0);
}

Test(late, sg8c_worked_example_5_professional_late_payment)
{
    late_case_t c;
    s_example_5(&c);
    pacta_late_facts_t facts = s_facts(&c, "2025-05-20");
    cr_assert_eq(rule_sg8c_professional_late_charges(sgevent, &facts, out), 0);
    cr_assert_eq(out->count, 1);
    const pacta_decision_t *d = &out->items[0];
    cr_assert_eq(d->kind, PACTA_DECISION_CHARGE);
    cr_assert_eq(d->status, PACTA_DECISION_APPLY, "SG-8c applies de plein droit");
    cr_assert_str_eq(d->explanation.rule_id, "SG-8c");
    cr_assert_eq(s_value_int(d, "periods"), 3, "3 months started");
    cr_assert_eq(pacta_explanation_find(&d->explanation, "annual_rate")->as.bp, 650, "4.50 + 2 points");
    cr_assert_eq(s_charge(d, PACTA_CHARGE_INTEREST), 3250, "interest 32.50");
    cr_assert_eq(s_charge(d, PACTA_CHARGE_FLAT_INDEMNITY), 30000, "flat indemnity 300.00");
    cr_assert_eq(s_charge(d, PACTA_CHARGE_REMINDER_FEE), 5000, "25.00 + 25.00");
    cr_assert_eq(s_value_int(d, "reminders_charged"), 2);
    cr_assert_eq(s_charge(d, PACTA_CHARGE_FORMAL_NOTICE_FEE), 5000, "50.00");
    cr_assert(s_charge_line(d, PACTA_CHARGE_REMINDER_FEE)->includes_vat, "fees are TTC");
    cr_assert(s_charge_line(d, PACTA_CHARGE_FORMAL_NOTICE_FEE)->includes_vat);
    cr_assert_not(s_charge_line(d, PACTA_CHARGE_INTEREST)->includes_vat);
    cr_assert_eq(d->amount, 43250, "(derived) total 432.50");
    fx_assert_date(d->date, "2025-05-20");
    fx_assert_explained(out);
}

Test(late, sg8c_sentences_in_both_languages)
{
    late_case_t c;
    s_example_5(&c);
    pacta_late_facts_t facts = s_facts(&c, "2025-05-20");
    cr_assert_eq(rule_sg8c_professional_late_charges(sgevent, &facts, out), 0);
    cr_assert_str_eq(s_say(&out->items[0], PACTA_LANG_EN),
                     "Late-payment charges of 432,50 EUR invoiced on 2025-05-20: business invoice F-2025-014 of "
                     "2.000,00 EUR due 2025-03-18 was late through 2025-05-20; 3 month(s) started at the legal "
                     "rate + 2.00 % (6.50 % in the first) give interest 32,50 EUR, the flat indemnity on "
                     "2.000,00 EUR unpaid is 300,00 EUR, 2 reminder(s) cost 50,00 EUR and the formal notice "
                     "50,00 EUR (sgevent §8, SG-8c).");
    cr_assert_str_eq(s_say(&out->items[0], PACTA_LANG_FR),
                     "Frais de retard de 432,50 EUR facturés le 2025-05-20 : la facture professionnelle "
                     "F-2025-014 de 2.000,00 EUR échue le 2025-03-18 est restée en retard jusqu'au 2025-05-20 ; "
                     "3 mois entamé(s) au taux légal majoré de 2,00 % (6,50 % le premier) donnent 32,50 EUR "
                     "d'intérêts, l'indemnité forfaitaire sur 2.000,00 EUR impayés est de 300,00 EUR, 2 rappel(s) "
                     "coûtent 50,00 EUR et la mise en demeure 50,00 EUR (sgevent §8, SG-8c).");
}

Test(late, sg8c_worked_example_6_flat_indemnity_floor)
{
    pacta_cents_t indemnity = 0;
    cr_assert_eq(pacta_late_flat_indemnity(&sgevent->late_payment.professional, 20000, &indemnity), 0);
    cr_assert_eq(indemnity, 5000, "15 %% of 200.00 is 30.00, raised to the 50.00 floor");
    //  And through the rule: an unpaid 200.00 invoice, no letters.
    late_case_t c;
    s_case(&c, PACTA_CLIENT_PROFESSIONAL, "2025-03-03", "2025-03-18", 20000);
    pacta_late_facts_t facts = s_facts(&c, "2025-03-19");
    cr_assert_eq(rule_sg8c_professional_late_charges(sgevent, &facts, out), 0);
    cr_assert_eq(s_charge(&out->items[0], PACTA_CHARGE_FLAT_INDEMNITY), 5000);
    //  One month started at 6.50 %: 200.00 x 6.50 % / 12 = 1.0833 -> 1.08.
    cr_assert_eq(s_charge(&out->items[0], PACTA_CHARGE_INTEREST), 108);
}

Test(late, sg8c_month_started_at_the_rate_of_its_year)
{
    //  (derived) 1,200.00 due 2024-12-10, paid 2025-01-20: 7.75 % then 6.50 % -> 14.25.
    late_case_t c;
    s_case(&c, PACTA_CLIENT_PROFESSIONAL, "2024-11-25", "2024-12-10", 120000);
    s_pay(&c, 120000, "2025-01-20");
    pacta_late_facts_t facts = s_facts(&c, "2025-01-31");
    cr_assert_eq(rule_sg8c_professional_late_charges(sgevent, &facts, out), 0);
    cr_assert_eq(s_value_int(&out->items[0], "periods"), 2);
    cr_assert_eq(s_charge(&out->items[0], PACTA_CHARGE_INTEREST), 1425);
    cr_assert_eq(s_charge(&out->items[0], PACTA_CHARGE_FLAT_INDEMNITY), 18000, "15 %% of 1,200.00");
}

Test(late, sg8c_months_started_boundaries_of_convention_0_7)
{
    //  Due 2025-03-18: paid 03-19 -> 1, 04-18 -> 1, 04-19 -> 2, 05-20 -> 3, 03-18 -> not late.
    const char *paid[] = {"2025-03-19", "2025-04-18", "2025-04-19", "2025-05-20"};
    const int64_t months[] = {1, 1, 2, 3};
    for (size_t i = 0; i < 4; i++) {
        late_case_t c;
        s_case(&c, PACTA_CLIENT_PROFESSIONAL, "2025-03-03", "2025-03-18", 120000);
        s_pay(&c, 120000, paid[i]);
        pacta_late_facts_t facts = s_facts(&c, "2025-06-30");
        pacta_outcome_init(out);
        cr_assert_eq(rule_sg8c_professional_late_charges(sgevent, &facts, out), 0);
        cr_assert_eq(s_value_int(&out->items[0], "periods"), months[i], "paid %s", paid[i]);
        //  1,200.00 x 6.50 % / 12 = 6.50 per month started.
        cr_assert_eq(s_charge(&out->items[0], PACTA_CHARGE_INTEREST), 650 * months[i]);
    }
    late_case_t on_time;
    s_case(&on_time, PACTA_CLIENT_PROFESSIONAL, "2025-03-03", "2025-03-18", 120000);
    s_pay(&on_time, 120000, "2025-03-18");
    pacta_late_facts_t facts = s_facts(&on_time, "2025-06-30");
    pacta_outcome_init(out);
    cr_assert_eq(rule_sg8c_professional_late_charges(sgevent, &facts, out), 0);
    cr_assert_eq(out->count, 0, "paid on the due date: nothing");
}

Test(late, sg8c_partial_payments_interest_on_each_months_opening_balance)
{
    //  2,000.00 due 2025-03-18; 1,500.00 paid 2025-04-10, the rest 2025-05-20.
    //  Months open with 2,000.00, 500.00, 500.00 unpaid: (2,000 + 500 + 500) x 6.50 % / 12 = 16.25.
    late_case_t c;
    s_case(&c, PACTA_CLIENT_PROFESSIONAL, "2025-03-03", "2025-03-18", 200000);
    s_pay(&c, 150000, "2025-04-10");
    s_pay(&c, 50000, "2025-05-20");
    pacta_late_facts_t facts = s_facts(&c, "2025-05-31");
    cr_assert_eq(rule_sg8c_professional_late_charges(sgevent, &facts, out), 0);
    cr_assert_eq(s_charge(&out->items[0], PACTA_CHARGE_INTEREST), 1625);
    cr_assert_eq(s_charge(&out->items[0], PACTA_CHARGE_FLAT_INDEMNITY), 30000, "irréductible: on 2,000.00");
}

Test(late, sg8c_only_the_first_and_second_reminders_cost_a_fee_and_one_formal_notice)
{
    late_case_t c;
    s_case(&c, PACTA_CLIENT_PROFESSIONAL, "2025-03-03", "2025-03-18", 200000);
    s_letter(&c, PACTA_SENT_EMAIL, "2025-03-20", 1, 0);
    s_letter(&c, PACTA_SENT_EMAIL, "2025-03-20", 1, 0);   //  recorded twice
    s_letter(&c, PACTA_SENT_LETTER, "2025-03-28", 2, 0);
    s_letter(&c, PACTA_SENT_LETTER, "2025-04-05", 3, 0);  //  (derived) no fee
    s_letter(&c, PACTA_SENT_REGISTERED, "2025-04-10", 0, 0);
    s_letter(&c, PACTA_SENT_REGISTERED, "2025-04-20", 0, 0);  //  one formal-notice fee per invoice
    s_letter(&c, PACTA_SENT_EMAIL, "2025-03-10", 1, 0);   //  before the due date: not a reminder
    pacta_late_facts_t facts = s_facts(&c, "2025-04-30");
    cr_assert_eq(rule_sg8c_professional_late_charges(sgevent, &facts, out), 0);
    cr_assert_eq(s_value_int(&out->items[0], "reminders_charged"), 2);
    cr_assert_eq(s_charge(&out->items[0], PACTA_CHARGE_REMINDER_FEE), 5000);
    cr_assert_eq(s_charge(&out->items[0], PACTA_CHARGE_FORMAL_NOTICE_FEE), 5000);
    //  A formal notice by ordinary e-mail is not the registered letter the clause prices.
    late_case_t e;
    s_case(&e, PACTA_CLIENT_PROFESSIONAL, "2025-03-03", "2025-03-18", 200000);
    s_letter(&e, PACTA_SENT_EMAIL, "2025-04-10", 0, 0);
    facts = s_facts(&e, "2025-04-30");
    pacta_outcome_init(out);
    cr_assert_eq(rule_sg8c_professional_late_charges(sgevent, &facts, out), 0);
    cr_assert_eq(s_charge(&out->items[0], PACTA_CHARGE_FORMAL_NOTICE_FEE), 0);
}

Test(late, sg8c_modes_off_and_propose_are_honoured)
{
    late_case_t c;
    s_example_5(&c);
    pacta_late_facts_t facts = s_facts(&c, "2025-05-20");
    sgevent->late_payment.professional.rule.mode = PACTA_RULE_PROPOSE;
    cr_assert_eq(rule_sg8c_professional_late_charges(sgevent, &facts, out), 0);
    cr_assert_eq(out->items[0].status, PACTA_DECISION_PROPOSAL);
    cr_assert(strncmp(s_say(&out->items[0], PACTA_LANG_EN), "Proposed: late-payment charges", 30) == 0, "%s",
              sentence);
    sgevent->late_payment.professional.rule.mode = PACTA_RULE_OFF;
    pacta_outcome_init(out);
    cr_assert_eq(rule_sg8c_professional_late_charges(sgevent, &facts, out), 0);
    cr_assert_eq(out->count, 0);
    //  A consumer is not SG-8c's; CapConnect has no late-payment clause at all.
    sgevent->late_payment.professional.rule.mode = PACTA_RULE_AUTO;
    c.contract.client.kind = PACTA_CLIENT_CONSUMER;
    cr_assert_eq(rule_sg8c_professional_late_charges(sgevent, &facts, out), 0);
    cr_assert_eq(out->count, 0);
    c.contract.client.kind = PACTA_CLIENT_PROFESSIONAL;
    cr_assert_eq(pacta_late_charges_evaluate(capconnect, &facts, out), 0);
    cr_assert_eq(out->count, 0);
}

Test(late, sg8c_missing_legal_rate_is_an_error_not_a_guess)
{
    //  sgevent's table stops at 2026: a month starting in 2027 has no rate.
    late_case_t c;
    s_case(&c, PACTA_CLIENT_PROFESSIONAL, "2026-11-01", "2026-11-16", 100000);
    pacta_late_facts_t facts = s_facts(&c, "2027-02-01");
    cr_assert_eq(rule_sg8c_professional_late_charges(sgevent, &facts, out), -1);
    cr_assert_eq(out->count, 0);
    //  Broken facts are refused too.
    facts.invoice = NULL;
    cr_assert_eq(rule_sg8c_professional_late_charges(sgevent, &facts, out), -1);
}

/* ---- SG-8d and L-1: consumer late payment ------------------------------------------- */

typedef struct {
    pacta_cents_t unpaid;     //  unpaid amount
    pacta_cents_t indemnity;  //  expected flat indemnity
} bracket_row_t;

ParameterizedTestParameters(consumer, sg8d_worked_example_7_brackets)
{
    static bracket_row_t rows[] = {
        {12000, 2000},    {15000, 2000},   {40000, 5500},  {50000, 6500},  {100000, 9000}, {5000000, 200000},
        {15001, 3000},    {50001, 6500},   {3920000, 200000},  //  (derived) 150.01, 500.01, 39,200.00
    };
    return cr_make_param_array(bracket_row_t, rows, sizeof rows / sizeof rows[0]);
}

ParameterizedTest(bracket_row_t *row, consumer, sg8d_worked_example_7_brackets)
{
    pacta_cents_t indemnity = 0, cap = 0;
    cr_assert_eq(pacta_late_flat_indemnity(&sgevent->late_payment.consumer, row->unpaid, &indemnity), 0);
    cr_assert_eq(indemnity, row->indemnity, "SG-8d on %lld: got %lld", (long long) row->unpaid,
                 (long long) indemnity);
    //  L-1: the statutory caps are the same figures for sgevent.
    cr_assert_eq(pacta_l1_damages_cap(&sgevent->statutes.consumer_debt, row->unpaid, &cap), 0);
    cr_assert_eq(cap, row->indemnity);
    //  Through the rule: unpaid long after the L-1 window.
    late_case_t c;
    s_case(&c, PACTA_CLIENT_CONSUMER, "2025-03-03", "2025-03-18", row->unpaid);
    s_letter(&c, PACTA_SENT_EMAIL, "2025-03-24", 1, 0);
    pacta_late_facts_t facts = s_facts(&c, "2025-05-01");
    cr_assert_eq(rule_sg8d_consumer_late_charges(sgevent, &facts, out), 0);
    cr_assert_eq(out->count, 1);
    cr_assert_str_eq(out->items[0].explanation.rule_id, "SG-8d");
    cr_assert_eq(s_charge(&out->items[0], PACTA_CHARGE_FLAT_INDEMNITY), row->indemnity);
}

Test(consumer, sg8d_interest_per_day_after_the_l1_window)
{
    //  (derived) 400.00 due 2025-03-18, first reminder e-mailed 2025-03-24, unpaid after 2025-04-07,
    //  paid 2025-04-17: 30 days at 6.50 % -> 2.14; indemnity 55.00.
    late_case_t c;
    s_case(&c, PACTA_CLIENT_CONSUMER, "2025-03-03", "2025-03-18", 40000);
    s_letter(&c, PACTA_SENT_EMAIL, "2025-03-24", 1, 0);
    s_pay(&c, 40000, "2025-04-17");
    pacta_late_facts_t facts = s_facts(&c, "2025-04-17");
    cr_assert_eq(rule_sg8d_consumer_late_charges(sgevent, &facts, out), 0);
    cr_assert_eq(out->count, 1);
    const pacta_decision_t *d = &out->items[0];
    cr_assert_eq(s_value_int(d, "periods"), 30);
    cr_assert_eq(s_charge(d, PACTA_CHARGE_INTEREST), 214);
    cr_assert_eq(s_charge(d, PACTA_CHARGE_FLAT_INDEMNITY), 5500);
    cr_assert_eq(s_charge(d, PACTA_CHARGE_REMINDER_FEE), 0, "first reminder free");
    cr_assert_eq(d->amount, 5714);
    fx_assert_date(pacta_explanation_find(&d->explanation, "window_to")->as.date, "2025-04-07");
    cr_assert_str_eq(s_say(d, PACTA_LANG_EN),
                     "Late-payment charges of 57,14 EUR invoiced on 2025-04-17: consumer invoice F-2025-014 of "
                     "400,00 EUR due 2025-03-18 was still unpaid after the L-1 window ended on 2025-04-07 and late "
                     "through 2025-04-17; 30 day(s) at 6.50 % on the first give interest 2,14 EUR, the flat "
                     "indemnity on 400,00 EUR is 55,00 EUR (L-1 cap 55,00 EUR) and 0 reminder(s) cost 0,00 EUR "
                     "(sgevent §8, SG-8d).");
    cr_assert_str_eq(s_say(d, PACTA_LANG_FR),
                     "Frais de retard de 57,14 EUR facturés le 2025-04-17 : la facture F-2025-014 du "
                     "consommateur, de 400,00 EUR échue le 2025-03-18, restait impayée après la fin du délai L-1 "
                     "le 2025-04-07 et en retard jusqu'au 2025-04-17 ; 30 jour(s) à 6,50 % le premier donnent "
                     "2,14 EUR d'intérêts, l'indemnité forfaitaire sur 400,00 EUR est de 55,00 EUR (plafond L-1 "
                     "55,00 EUR) et 0 rappel(s) coûtent 0,00 EUR (sgevent §8, SG-8d).");
    fx_assert_explained(out);
}

Test(consumer, sg8d_second_reminder_costs_fee_plus_postage_only_after_the_window)
{
    //  (derived) 2nd reminder with 1.50 postage -> 9.00; 1st reminder -> 0.00.
    late_case_t c;
    s_case(&c, PACTA_CLIENT_CONSUMER, "2025-03-03", "2025-03-18", 40000);
    s_letter(&c, PACTA_SENT_EMAIL, "2025-03-24", 1, 0);
    s_letter(&c, PACTA_SENT_LETTER, "2025-04-03", 2, 150);   //  inside the window: L-1 (4), free
    s_letter(&c, PACTA_SENT_LETTER, "2025-04-15", 3, 150);   //  after: 7.50 + 1.50
    pacta_late_facts_t facts = s_facts(&c, "2025-04-20");
    cr_assert_eq(rule_sg8d_consumer_late_charges(sgevent, &facts, out), 0);
    cr_assert_eq(s_charge(&out->items[0], PACTA_CHARGE_REMINDER_FEE), 900);
    cr_assert_eq(s_value_int(&out->items[0], "reminders_charged"), 1);
    cr_assert_not(s_charge_line(&out->items[0], PACTA_CHARGE_REMINDER_FEE)->includes_vat);
}

Test(consumer, l1_e_mailed_first_reminder_window_and_payment_inside_it)
{
    //  (derived) e-mailed Mon 2025-03-24 -> window 03-25 ... 04-07; still unpaid -> charges from 04-08.
    late_case_t c;
    s_case(&c, PACTA_CLIENT_CONSUMER, "2025-03-03", "2025-03-18", 40000);
    s_letter(&c, PACTA_SENT_EMAIL, "2025-03-24", 1, 0);
    pacta_late_facts_t facts = s_facts(&c, "2025-04-07");
    pacta_l1_window_t window;
    cr_assert_eq(pacta_l1_window(sgevent, &facts, &window), 0);
    cr_assert_eq(window.state, PACTA_L1_WAITING);
    fx_assert_date(window.window_from, "2025-03-25");
    fx_assert_date(window.window_to, "2025-04-07");
    fx_assert_date(window.charges_from, "2025-04-08");
    cr_assert_eq(rule_sg8d_consumer_late_charges(sgevent, &facts, out), 0);
    cr_assert_eq(out->count, 1);
    const pacta_decision_t *hold = &out->items[0];
    cr_assert_eq(hold->kind, PACTA_DECISION_RECORD);
    cr_assert_str_eq(hold->explanation.rule_id, "L-1");
    cr_assert_str_eq(hold->reason, "l1_window");
    fx_assert_date(hold->date, "2025-04-08");
    cr_assert_str_eq(hold->timers[0].name, "l1_window_passed");
    fx_assert_date(hold->timers[0].fires_on, "2025-04-08");
    cr_assert_str_eq(s_say(hold, PACTA_LANG_EN),
                     "Nothing charged before 2025-04-08: the first reminder for consumer invoice F-2025-014 was "
                     "sent on 2025-03-24; no charge may be made during the 14 days from 2025-03-25 to 2025-04-07 "
                     "(Code of Economic Law, Book XIX (consumer debts), L-1).");
    cr_assert_str_eq(s_say(hold, PACTA_LANG_FR),
                     "Rien n'est facturé avant le 2025-04-08 : le premier rappel de la facture F-2025-014 du "
                     "consommateur a été envoyé le 2025-03-24 ; aucuns frais ne peuvent être facturés pendant les "
                     "14 jours du 2025-03-25 au 2025-04-07 (Code of Economic Law, Book XIX (consumer debts), L-1).");

    //  Paid on 04-07, the window's last day: nothing is ever charged.
    s_pay(&c, 40000, "2025-04-07");
    facts = s_facts(&c, "2025-06-30");
    pacta_outcome_init(out);
    cr_assert_eq(rule_sg8d_consumer_late_charges(sgevent, &facts, out), 0);
    cr_assert_eq(s_count(PACTA_DECISION_CHARGE), 0);
    cr_assert_str_eq(out->items[0].reason, "l1_paid_in_window");
    fx_assert_explained(out);
}

Test(consumer, l1_posted_first_reminder_counts_from_the_third_business_day)
{
    //  (derived) posted Mon 2025-03-24 -> Thu 2025-03-27 -> window 03-27 ... 04-09; charges from 04-10.
    late_case_t c;
    s_case(&c, PACTA_CLIENT_CONSUMER, "2025-03-03", "2025-03-18", 40000);
    s_letter(&c, PACTA_SENT_LETTER, "2025-03-24", 1, 120);
    pacta_late_facts_t facts = s_facts(&c, "2025-04-09");
    pacta_l1_window_t window;
    cr_assert_eq(pacta_l1_window(sgevent, &facts, &window), 0);
    fx_assert_date(window.window_from, "2025-03-27");
    fx_assert_date(window.window_to, "2025-04-09");
    cr_assert_eq(rule_sg8d_consumer_late_charges(sgevent, &facts, out), 0);
    cr_assert_eq(s_count(PACTA_DECISION_CHARGE), 0, "a consumer is never charged inside the window");
    facts = s_facts(&c, "2025-04-10");
    pacta_outcome_init(out);
    cr_assert_eq(rule_sg8d_consumer_late_charges(sgevent, &facts, out), 0);
    cr_assert_eq(s_count(PACTA_DECISION_CHARGE), 1);
    //  Interest runs from the due date: 23 days at 6.50 % on 400.00 = 1.638 -> 1.64.
    cr_assert_eq(s_charge(&out->items[0], PACTA_CHARGE_INTEREST), 164);
}

Test(consumer, l1_without_a_first_reminder_nothing_is_ever_charged)
{
    late_case_t c;
    s_case(&c, PACTA_CLIENT_CONSUMER, "2025-03-03", "2025-03-18", 40000);
    pacta_late_facts_t facts = s_facts(&c, "2025-12-31");
    cr_assert_eq(rule_sg8d_consumer_late_charges(sgevent, &facts, out), 0);
    cr_assert_eq(out->count, 1);
    cr_assert_str_eq(out->items[0].reason, "l1_no_first_reminder");
    cr_assert_str_eq(out->items[0].explanation.rule_id, "L-1");
    cr_assert_str_eq(s_say(&out->items[0], PACTA_LANG_EN),
                     "Nothing charged on 2025-12-31: consumer invoice F-2025-014 due 2025-03-18 is late but no "
                     "first reminder was sent; a consumer owes charges only 14 days after a free first reminder "
                     "(Code of Economic Law, Book XIX (consumer debts), L-1).");
    fx_assert_explained(out);
}

Test(consumer, l1_cuts_company_figures_to_the_statutory_caps)
{
    //  A company asking more than the law allows: 20.00 per reminder without
    //  postage cap, +10 points, brackets doubled, no free reminder.
    pacta_late_payment_terms_t *terms = &sgevent->late_payment.consumer;
    terms->reminder_fee = 2000;
    terms->free_reminders = 0;
    terms->interest_points_over_legal_rate = 1000;
    for (size_t i = 0; i < terms->flat_indemnity_bracket_count; i++)
        terms->flat_indemnity_brackets[i].fixed *= 2;
    terms->flat_indemnity_max = 500000;

    late_case_t c;
    s_case(&c, PACTA_CLIENT_CONSUMER, "2025-03-03", "2025-03-18", 40000);
    s_letter(&c, PACTA_SENT_EMAIL, "2025-03-24", 1, 0);
    s_letter(&c, PACTA_SENT_LETTER, "2025-04-15", 2, 150);
    s_pay(&c, 40000, "2025-04-17");
    pacta_late_facts_t facts = s_facts(&c, "2025-04-17");
    cr_assert_eq(rule_sg8d_consumer_late_charges(sgevent, &facts, out), 0);
    const pacta_decision_t *d = &out->items[0];
    cr_assert_eq(s_charge(d, PACTA_CHARGE_FLAT_INDEMNITY), 5500, "cut to the L-1 bracket");
    cr_assert_eq(pacta_explanation_find(&d->explanation, "company_indemnity")->as.cents, 8500);
    cr_assert_eq(s_charge(d, PACTA_CHARGE_REMINDER_FEE), 900, "7.50 cap + postage, first reminder free");
    //  4.50 + 10 = 14.50 % is above the 2025-H1 commercial rate 11.50 %:
    //  400.00 x 11.50 % x 30 / 365 = 3.781 -> 3.78.
    cr_assert_eq(pacta_explanation_find(&d->explanation, "annual_rate")->as.bp, 1150);
    cr_assert_eq(s_charge(d, PACTA_CHARGE_INTEREST), 378);
}

Test(consumer, l1_consumer_rate_capped_across_half_years)
{
    //  Legal + 10 points capped at 11.50 % in June and 10.50 % in July 2025:
    //  1,000.00 x (10 x 11.50 % + 10 x 10.50 %) / 365 = 6.027 -> 6.03.
    sgevent->late_payment.consumer.interest_points_over_legal_rate = 1000;
    late_case_t c;
    s_case(&c, PACTA_CLIENT_CONSUMER, "2025-06-05", "2025-06-20", 100000);
    s_letter(&c, PACTA_SENT_EMAIL, "2025-06-21", 1, 0);
    s_pay(&c, 100000, "2025-07-10");
    //  Window 06-22 ... 07-05: paid after it.
    pacta_late_facts_t facts = s_facts(&c, "2025-07-10");
    cr_assert_eq(rule_sg8d_consumer_late_charges(sgevent, &facts, out), 0);
    cr_assert_eq(s_charge(&out->items[0], PACTA_CHARGE_INTEREST), 603);
}

/* ---- SG-8e: disputes stop every charge ---------------------------------------------------- */

Test(disputes, sg8e_open_dispute_holds_every_charge)
{
    late_case_t c;
    s_example_5(&c);
    s_dispute(&c, "2025-03-10", PACTA_DISPUTE_OPEN, NULL);
    pacta_late_facts_t facts = s_facts(&c, "2025-05-20");
    cr_assert(pacta_late_charges_held(&facts));
    cr_assert_eq(pacta_late_charges_evaluate(sgevent, &facts, out), 0);
    cr_assert_eq(out->count, 1);
    cr_assert_eq(s_count(PACTA_DECISION_CHARGE), 0);
    cr_assert_str_eq(out->items[0].explanation.rule_id, "SG-8e");
    cr_assert_str_eq(out->items[0].reason, "disputed");
    cr_assert_str_eq(s_say(&out->items[0], PACTA_LANG_EN),
                     "Late charges held on 2025-05-20: invoice F-2025-014 is disputed by a complaint posted "
                     "2025-03-10 and not resolved, so no reminder fee, indemnity or interest runs on it "
                     "(sgevent §8, SG-8e).");
    cr_assert_str_eq(s_say(&out->items[0], PACTA_LANG_FR),
                     "Frais de retard suspendus le 2025-05-20 : la facture F-2025-014 est contestée par une "
                     "réclamation postée le 2025-03-10 non résolue : aucuns frais de rappel, indemnité ni intérêt "
                     "ne courent (sgevent §8, SG-8e).");
    //  Called directly, each rule holds too; so does a consumer's, and the invoice state alone.
    pacta_outcome_init(out);
    cr_assert_eq(rule_sg8c_professional_late_charges(sgevent, &facts, out), 0);
    cr_assert_eq(s_count(PACTA_DECISION_CHARGE), 0);
    c.contract.client.kind = PACTA_CLIENT_CONSUMER;
    pacta_outcome_init(out);
    cr_assert_eq(rule_sg8d_consumer_late_charges(sgevent, &facts, out), 0);
    cr_assert_eq(s_count(PACTA_DECISION_CHARGE), 0);
    c.disputed = false;
    c.invoice.state = PACTA_INVOICE_DISPUTED;
    facts = s_facts(&c, "2025-05-20");
    pacta_outcome_init(out);
    cr_assert_eq(pacta_late_charges_evaluate(sgevent, &facts, out), 0);
    cr_assert_eq(s_count(PACTA_DECISION_CHARGE), 0);
    fx_assert_explained(out);
}

Test(disputes, sg8e_upheld_dispute_resumes_from_the_original_due_date)
{
    late_case_t c;
    s_case(&c, PACTA_CLIENT_PROFESSIONAL, "2025-03-03", "2025-03-18", 200000);
    s_dispute(&c, "2025-03-10", PACTA_DISPUTE_UPHELD, "2025-04-25");
    s_letter(&c, PACTA_SENT_LETTER, "2025-03-25", 1, 0);   //  during the dispute: free
    s_letter(&c, PACTA_SENT_LETTER, "2025-05-02", 2, 0);   //  after it: 25.00
    s_pay(&c, 200000, "2025-05-20");
    pacta_late_facts_t facts = s_facts(&c, "2025-04-20");
    cr_assert(pacta_late_charges_held(&facts), "not resolved yet on 04-20");
    facts = s_facts(&c, "2025-05-20");
    cr_assert_not(pacta_late_charges_held(&facts));
    cr_assert_eq(pacta_late_charges_evaluate(sgevent, &facts, out), 0);
    cr_assert_eq(s_charge(&out->items[0], PACTA_CHARGE_INTEREST), 3250, "3 months from the original due date");
    cr_assert_eq(s_charge(&out->items[0], PACTA_CHARGE_REMINDER_FEE), 2500);
}

Test(disputes, sg8e_corrected_invoice_with_new_due_date_and_credited_invoice)
{
    late_case_t c;
    s_case(&c, PACTA_CLIENT_PROFESSIONAL, "2025-03-03", "2025-03-18", 150000);
    s_dispute(&c, "2025-03-10", PACTA_DISPUTE_CORRECTED, "2025-04-01");
    c.dispute.new_due_on = D("2025-04-15");
    s_pay(&c, 150000, "2025-04-20");
    pacta_late_facts_t facts = s_facts(&c, "2025-04-20");
    cr_assert_eq(pacta_late_charges_evaluate(sgevent, &facts, out), 0);
    fx_assert_date(pacta_explanation_find(&out->items[0].explanation, "due_on")->as.date, "2025-04-15");
    cr_assert_eq(s_value_int(&out->items[0], "periods"), 1);

    late_case_t credited;
    s_case(&credited, PACTA_CLIENT_PROFESSIONAL, "2025-03-03", "2025-03-18", 150000);
    s_dispute(&credited, "2025-03-10", PACTA_DISPUTE_CREDITED, "2025-04-01");
    facts = s_facts(&credited, "2025-12-31");
    pacta_outcome_init(out);
    cr_assert_eq(pacta_late_charges_evaluate(sgevent, &facts, out), 0);
    cr_assert_eq(s_count(PACTA_DECISION_CHARGE), 0);
    cr_assert_str_eq(out->items[0].reason, "credited");
    fx_assert_explained(out);
}

/* ---- L-2: late payment between businesses ------------------------------------------------- */

Test(statutes, l2_off_in_both_shipped_profiles)
{
    late_case_t c;
    s_case(&c, PACTA_CLIENT_PROFESSIONAL, "2025-03-03", "2025-03-18", 20000);
    pacta_late_facts_t facts = s_facts(&c, "2025-06-30");
    cr_assert_eq(rule_l2_b2b_late_payment(sgevent, &facts, out), 0);
    cr_assert_eq(rule_l2_b2b_late_payment(capconnect, &facts, out), 0);
    cr_assert_eq(out->count, 0, "L-2 interest and 40.00 only where a profile enables it");
}

Test(statutes, l2_compensation_and_commercial_interest_when_the_terms_name_none)
{
    //  A company with L-2 on and no late-payment clause of its own.
    capconnect->statutes.b2b_late_payment.mode = PACTA_RULE_AUTO;
    late_case_t c;
    s_case(&c, PACTA_CLIENT_PROFESSIONAL, "2025-06-05", "2025-06-20", 100000);
    s_pay(&c, 100000, "2025-07-10");
    pacta_late_facts_t facts = s_facts(&c, "2025-07-10");
    cr_assert_eq(pacta_late_charges_evaluate(capconnect, &facts, out), 0);
    cr_assert_eq(out->count, 1);
    const pacta_decision_t *d = &out->items[0];
    cr_assert_str_eq(d->explanation.rule_id, "L-2");
    cr_assert_eq(s_charge(d, PACTA_CHARGE_RECOVERY_COMPENSATION), 4000);
    //  10 days at 11.50 % (2025-H1) and 10 at 10.50 % (2025-H2) on 1,000.00 -> 6.03.
    cr_assert_eq(s_charge(d, PACTA_CHARGE_INTEREST), 603);
    cr_assert_eq(d->amount, 4603);
    fx_assert_explained(out);
    //  Mode propose: a proposal.
    capconnect->statutes.b2b_late_payment.mode = PACTA_RULE_PROPOSE;
    pacta_outcome_init(out);
    cr_assert_eq(rule_l2_b2b_late_payment(capconnect, &facts, out), 0);
    cr_assert_eq(out->items[0].status, PACTA_DECISION_PROPOSAL);
    //  Consumers are not L-2's.
    c.contract.client.kind = PACTA_CLIENT_CONSUMER;
    pacta_outcome_init(out);
    cr_assert_eq(rule_l2_b2b_late_payment(capconnect, &facts, out), 0);
    cr_assert_eq(out->count, 0);
}

Test(statutes, l2_tops_up_a_lower_indemnity_and_never_adds_on_top)
{
    sgevent->statutes.b2b_late_payment.mode = PACTA_RULE_AUTO;
    late_case_t c;
    s_case(&c, PACTA_CLIENT_PROFESSIONAL, "2025-03-03", "2025-03-18", 20000);
    pacta_late_facts_t facts = s_facts(&c, "2025-03-19");
    //  sgevent's indemnity is at least 50.00 > 40.00: nothing from L-2.
    cr_assert_eq(rule_l2_b2b_late_payment(sgevent, &facts, out), 0);
    cr_assert_eq(out->count, 0);
    //  A 10.00 floor and 15 % of 200.00 = 30.00: L-2 adds the 10.00 missing to reach 40.00.
    sgevent->late_payment.professional.flat_indemnity_min = 1000;
    cr_assert_eq(pacta_late_charges_evaluate(sgevent, &facts, out), 0);
    cr_assert_eq(out->count, 2);
    cr_assert_eq(s_charge(&out->items[0], PACTA_CHARGE_FLAT_INDEMNITY), 3000);
    cr_assert_eq(s_charge(&out->items[1], PACTA_CHARGE_RECOVERY_COMPENSATION), 1000);
    cr_assert_eq(s_charge(&out->items[1], PACTA_CHARGE_INTEREST), 0, "the terms agree their own interest");
}

Test(statutes, l2_default_due_date_without_agreed_term)
{
    capconnect->invoicing.rule.mode = PACTA_RULE_OFF;
    pacta_client_t pro = {.kind = PACTA_CLIENT_PROFESSIONAL};
    pacta_invoice_t invoice = fx_invoice("F-9", "C-1", "2025-03-01", "2025-03-01", 10000);
    invoice.received_on = D("2025-03-03");
    //  (derived) received 2025-03-03, no agreed term -> due 2025-04-02.
    cr_assert_eq(rule_l2_default_due_date(capconnect, &pro, &invoice, out), 0);
    cr_assert_eq(out->items[0].kind, PACTA_DECISION_DEADLINE);
    fx_assert_date(out->items[0].date, "2025-04-02");
    cr_assert_str_eq(out->items[0].explanation.rule_id, "L-2");
    cr_assert_str_eq(s_say(&out->items[0], PACTA_LANG_EN),
                     "Due on 2025-04-02: no payment term was agreed, so business invoice F-9 received 2025-03-03 "
                     "is due 30 calendar days later (Law of 2 August 2002 on late payment in commercial "
                     "transactions, L-2).");
    //  A printed term beyond 60 days is void.
    invoice.printed_due_on = D("2025-05-05");
    pacta_outcome_init(out);
    cr_assert_eq(rule_l2_default_due_date(capconnect, &pro, &invoice, out), 0);
    cr_assert_str_eq(out->items[0].reason, "due_term_void");
    fx_assert_explained(out);
    //  Profiles with their own terms (SG-8b) and consumers: nothing from L-2.
    pacta_outcome_init(out);
    cr_assert_eq(rule_l2_default_due_date(sgevent, &pro, &invoice, out), 0);
    pacta_client_t consumer = {.kind = PACTA_CLIENT_CONSUMER};
    cr_assert_eq(rule_l2_default_due_date(capconnect, &consumer, &invoice, out), 0);
    cr_assert_eq(out->count, 0);
}

/* ---- a third company: acme.yaml --------------------------------------------------------- */

Test(late_acme, acme_late_charges_follow_its_own_figures)
{
    //  ACME-5a: 30 days; ACME-7: legal + 8 points per day, 10 % (min 40.00, max 2,500.00),
    //  first reminder free then 15.00, formal notice 35.00, excl. VAT.
    pacta_client_t pro = {.kind = PACTA_CLIENT_PROFESSIONAL};
    pacta_invoice_t issued = fx_invoice("A-1", "C-1", "2025-03-03", "2025-03-03", 200000);
    cr_assert_eq(rule_sg8b_set_due_date(acme, &pro, &issued, out), 0);
    fx_assert_date(out->items[0].date, "2025-04-02");
    cr_assert_str_eq(out->items[0].explanation.rule_id, "ACME-5a");

    late_case_t c;
    s_case(&c, PACTA_CLIENT_PROFESSIONAL, "2025-03-03", "2025-04-02", 200000);
    s_pay(&c, 200000, "2025-05-20");
    s_letter(&c, PACTA_SENT_LETTER, "2025-04-05", 1, 0);
    s_letter(&c, PACTA_SENT_LETTER, "2025-04-20", 2, 0);
    s_letter(&c, PACTA_SENT_REGISTERED, "2025-05-01", 0, 0);
    pacta_late_facts_t facts = s_facts(&c, "2025-05-20");
    pacta_outcome_init(out);
    cr_assert_eq(pacta_late_charges_evaluate(acme, &facts, out), 0);
    cr_assert_eq(out->count, 1, "L-2 is on for acme but its indemnity is never below 40.00");
    const pacta_decision_t *d = &out->items[0];
    cr_assert_str_eq(d->explanation.rule_id, "ACME-7");
    cr_assert_str_eq(d->explanation.citation, "acme §7");
    //  48 days at 4.50 + 8 = 12.50 %: 2,000.00 x 12.50 % x 48 / 365 = 32.877 -> 32.88.
    cr_assert_eq(s_value_int(d, "periods"), 48);
    cr_assert_eq(s_charge(d, PACTA_CHARGE_INTEREST), 3288);
    cr_assert_eq(s_charge(d, PACTA_CHARGE_FLAT_INDEMNITY), 20000, "10 %%");
    cr_assert_eq(s_charge(d, PACTA_CHARGE_REMINDER_FEE), 1500, "only the 2nd reminder");
    cr_assert_eq(s_charge(d, PACTA_CHARGE_FORMAL_NOTICE_FEE), 3500);
    cr_assert_not(s_charge_line(d, PACTA_CHARGE_REMINDER_FEE)->includes_vat);
    cr_assert_eq(d->amount, 28288);
    //  The same history under sgevent's terms gives other figures.
    pacta_outcome_init(out);
    cr_assert_eq(pacta_late_charges_evaluate(sgevent, &facts, out), 0);
    cr_assert_neq(out->items[0].amount, 28288);
    cr_assert_str_eq(out->items[0].explanation.rule_id, "SG-8c");
    fx_assert_explained(out);
}

Test(late_acme, acme_indemnity_floor_and_ceiling_and_no_consumer_charges)
{
    pacta_cents_t indemnity = 0;
    const pacta_late_payment_terms_t *pro = &acme->late_payment.professional;
    cr_assert_eq(pacta_late_flat_indemnity(pro, 10000, &indemnity), 0);
    cr_assert_eq(indemnity, 4000, "10 %% of 100.00 raised to 40.00");
    cr_assert_eq(pacta_late_flat_indemnity(pro, 3000000, &indemnity), 0);
    cr_assert_eq(indemnity, 250000, "10 %% of 30,000.00 cut to 2,500.00");
    //  ACME-7c is off: a consumer is charged nothing, whatever the history.
    late_case_t c;
    s_case(&c, PACTA_CLIENT_CONSUMER, "2025-03-03", "2025-04-02", 200000);
    s_letter(&c, PACTA_SENT_EMAIL, "2025-04-05", 1, 0);
    pacta_late_facts_t facts = s_facts(&c, "2025-09-30");
    cr_assert_eq(pacta_late_charges_evaluate(acme, &facts, out), 0);
    cr_assert_eq(out->count, 0);
}

Test(late_acme, acme_interest_table_gap_is_reported)
{
    //  acme's legal rates cover 2024-2025 only: lateness into 2026 stops with an error.
    late_case_t c;
    s_case(&c, PACTA_CLIENT_PROFESSIONAL, "2025-11-01", "2025-12-01", 100000);
    pacta_late_facts_t facts = s_facts(&c, "2026-01-10");
    cr_assert_eq(pacta_late_charges_evaluate(acme, &facts, out), -1);
}
