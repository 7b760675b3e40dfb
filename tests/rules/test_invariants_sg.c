/*  =========================================================================
    test_invariants_sg - properties of SG-5c, SG-8c, SG-8d, SG-8e, L-1, L-2
    over thousands of generated invoices and payment histories per profile

    Each case is drawn from a fixed-seed generator (so a failure replays):
    an invoice, partial and late payments, reminders and formal notices by
    e-mail, letter or registered post, sometimes a dispute, and a date to
    evaluate on. For every case and profile (sgevent, acme, and capconnect
    with L-2 switched on):

      * charges never exceed their caps — the professional indemnity stays
        within its floor and ceiling, the consumer damages within the L-1
        brackets (evaluated here independently of the library), each fee
        within its cap, the count of charged reminders within the terms,
        interest within amount x highest rate x periods;
      * a consumer is never charged before the L-1 window (recomputed here)
        has passed unpaid, nor ever when paid inside it or never reminded;
      * an open dispute stops every charge;
      * every decision carries a complete explanation that renders in
        French and English;
    and for SG-5c: a suspension never starts before the day after a due
    date it is caused by, and a restoration never happens while an overdue
    balance remains.
    =========================================================================
*/
#include <criterion/criterion.h>

#include "rules_fixtures.h"
#include "rules_late.h"
#include "rules_sg.h"

#define CASES_PER_PROFILE 4000   /* per client kind */
#define SUSPENSION_CASES 4000

/* ---- deterministic generator --------------------------------------------------- */

static uint64_t s_state;

static void
s_seed(uint64_t seed)
{
    s_state = seed ? seed : 0x9e3779b97f4a7c15ULL;
}

static uint64_t
s_next(void)
{
    //  xorshift64*
    s_state ^= s_state >> 12;
    s_state ^= s_state << 25;
    s_state ^= s_state >> 27;
    return s_state * 0x2545f4914f6cdd1dULL;
}

//  Uniform in [low, high].
static int64_t
s_between(int64_t low, int64_t high)
{
    return low + (int64_t) (s_next() % (uint64_t) (high - low + 1));
}

static bool
s_chance(int percent)
{
    return s_between(1, 100) <= percent;
}

/* ---- one generated case ------------------------------------------------------------- */

typedef struct {
    pacta_contract_t contract;
    pacta_invoice_t invoice;
    pacta_payment_t payments[4];
    size_t payment_count;
    pacta_letter_t letters[8];
    size_t letter_count;
    pacta_dispute_t dispute;
    bool disputed;
    pacta_late_facts_t facts;
} gen_case_t;

static pacta_letter_t
s_provider_letter(const char *invoice_id, pacta_date_t sent_on, int number, bool formal)
{
    pacta_letter_t letter;
    memset(&letter, 0, sizeof letter);
    snprintf(letter.id, sizeof letter.id, "L%d", number);
    snprintf(letter.ref, sizeof letter.ref, "%s", invoice_id);
    letter.from = PACTA_FROM_PROVIDER;
    static const pacta_sent_via_t vias[] = {PACTA_SENT_EMAIL, PACTA_SENT_LETTER, PACTA_SENT_REGISTERED};
    letter.via = formal && s_chance(80) ? PACTA_SENT_REGISTERED : vias[s_between(0, 2)];
    letter.sent_on = sent_on;
    letter.proven_received_on = PACTA_DATE_INVALID;
    letter.number = formal ? 0 : number;
    letter.formal_notice = formal;
    letter.postage = letter.via == PACTA_SENT_EMAIL ? 0 : s_between(0, 400);
    return letter;
}

//  Due dates between first_due and last_due; evaluated up to max_late days later.
static void
s_generate(gen_case_t *c, pacta_client_kind_t kind, pacta_date_t first_due, pacta_date_t last_due, int max_late)
{
    memset(c, 0, sizeof *c);
    c->contract = fx_contract("C-G", "", 0, 0, NULL);
    c->contract.kind = s_chance(50) ? PACTA_CONTRACT_RECURRING : PACTA_CONTRACT_FIXED_TERM;
    c->contract.client.kind = kind;
    pacta_date_t due = (pacta_date_t) s_between(first_due, last_due);
    pacta_cents_t amount = s_chance(10) ? s_between(1, 20000) : s_between(1000, 6000000);
    c->invoice = fx_invoice("F-G", "C-G", "2024-01-01", "2024-01-01", amount);
    c->invoice.issued_on = due - (pacta_date_t) s_between(0, 30);
    c->invoice.due_on = due;
    pacta_date_t as_of = due + (pacta_date_t) s_between(-5, max_late);

    //  Payments: none, one in full, or partial ones, some before the due date.
    int payments = (int) s_between(0, 3);
    pacta_cents_t left = amount;
    for (int i = 0; i < payments && left > 0; i++) {
        pacta_cents_t part = (i == payments - 1 && s_chance(70)) ? left : s_between(1, left);
        pacta_payment_t *payment = &c->payments[c->payment_count++];
        *payment = fx_payment("P", "F-G", part, "2024-01-01");
        payment->received_on = due + (pacta_date_t) s_between(-10, max_late);
        left -= part;
    }
    //  Reminders 1..n in order, maybe a formal notice, sometimes a stray letter for another invoice.
    int reminders = (int) s_between(0, 5);
    pacta_date_t sent = due + (pacta_date_t) s_between(-3, 20);
    for (int n = 1; n <= reminders; n++) {
        c->letters[c->letter_count++] = s_provider_letter("F-G", sent, n, false);
        sent += (pacta_date_t) s_between(0, 25);
    }
    if (s_chance(35))
        c->letters[c->letter_count++] = s_provider_letter("F-G", sent, 0, true);
    if (s_chance(10))
        c->letters[c->letter_count++] = s_provider_letter("F-OTHER", due + 5, 1, false);
    //  Disputes: open, resolved one way or another.
    if (s_chance(15)) {
        c->disputed = true;
        c->dispute.complained_on = c->invoice.issued_on + (pacta_date_t) s_between(0, 9);
        c->dispute.state = (pacta_dispute_state_t) s_between(PACTA_DISPUTE_OPEN, PACTA_DISPUTE_CREDITED);
        c->dispute.resolved_on = c->dispute.state == PACTA_DISPUTE_OPEN
                                     ? PACTA_DATE_INVALID
                                     : c->dispute.complained_on + (pacta_date_t) s_between(1, 60);
        c->dispute.new_due_on = c->dispute.state == PACTA_DISPUTE_CORRECTED && s_chance(50)
                                    ? due + (pacta_date_t) s_between(0, 30)
                                    : PACTA_DATE_INVALID;
    }
    pacta_late_facts_t facts = {&c->contract, &c->invoice, c->payments, c->payment_count,
                                c->letters,   c->letter_count, c->disputed ? &c->dispute : NULL, as_of};
    c->facts = facts;
}

/* ---- independent reference computations -------------------------------------------------- */

//  The due date that counts (a corrected invoice may have a new one).
static pacta_date_t
s_ref_due(const gen_case_t *c)
{
    if (c->disputed && c->dispute.state == PACTA_DISPUTE_CORRECTED && c->dispute.new_due_on != PACTA_DATE_INVALID)
        return c->dispute.new_due_on;
    return c->invoice.due_on;
}

static pacta_cents_t
s_ref_paid_by(const gen_case_t *c, pacta_date_t day)
{
    pacta_cents_t paid = 0;
    for (size_t i = 0; i < c->payment_count; i++)
        if (c->payments[i].received_on <= day)
            paid += c->payments[i].amount;
    return paid;
}

//  First day the invoice was fully paid, by as_of; INVALID if not.
static pacta_date_t
s_ref_paid_on(const gen_case_t *c)
{
    for (pacta_date_t day = c->invoice.issued_on - 30; day <= c->facts.as_of; day++)
        if (s_ref_paid_by(c, day) >= c->invoice.amount)
            return day;
    return PACTA_DATE_INVALID;
}

//  The last day of the L-1 window, or INVALID when no first reminder
//  counts. Written from rules.md L-1, not from the library.
static pacta_date_t
s_ref_window_to(const pacta_profile_t *profile, const gen_case_t *c)
{
    pacta_date_t due = s_ref_due(c);
    pacta_date_t paid_on = s_ref_paid_on(c);
    pacta_date_t until = paid_on != PACTA_DATE_INVALID ? paid_on : c->facts.as_of;
    const pacta_letter_t *first = NULL;
    for (size_t i = 0; i < c->letter_count; i++) {
        const pacta_letter_t *letter = &c->letters[i];
        if (strcmp(letter->ref, "F-G") != 0 || letter->number != 1 || letter->sent_on <= due || letter->sent_on > until)
            continue;
        if (!first || letter->sent_on < first->sent_on)
            first = letter;
    }
    if (!first)
        return PACTA_DATE_INVALID;
    const pacta_consumer_debt_law_t *law = &profile->statutes.consumer_debt;
    pacta_date_t from = first->sent_on + 1;
    if (first->via != PACTA_SENT_EMAIL) {
        pacta_holidays_t holidays = pacta_profile_holidays(profile);
        from = pacta_business_days_after(&holidays, first->sent_on, law->postal_reminder_counts_from_business_day);
    }
    return from + law->waiting_calendar_days_after_first_reminder - 1;
}

//  The statutory damages cap on an amount, from the profile's L-1 brackets.
static pacta_cents_t
s_ref_damages_cap(const pacta_consumer_debt_law_t *law, pacta_cents_t amount)
{
    pacta_cents_t lower = 0;
    for (size_t i = 0; i < law->damages_bracket_count; i++) {
        const pacta_indemnity_bracket_t *b = &law->damages_brackets[i];
        if (b->open_ended || amount <= b->up_to) {
            //  fixed + percent of the part above lower, rounded up: an upper bound.
            pacta_cents_t cap = b->fixed + ((amount - lower) * b->percent_over_lower + 9999) / 10000;
            return cap < law->damages_max ? cap : law->damages_max;
        }
        lower = b->up_to;
    }
    return law->damages_max;
}

//  The highest annual rate any day could bear: legal + points, or commercial.
static pacta_bp_t
s_highest_rate(const pacta_profile_t *profile, pacta_bp_t points)
{
    pacta_bp_t highest = 0;
    for (size_t i = 0; i < profile->interest_rates.legal_count; i++)
        if (profile->interest_rates.legal[i].rate + points > highest)
            highest = profile->interest_rates.legal[i].rate + points;
    for (size_t i = 0; i < profile->interest_rates.commercial_count; i++)
        if (profile->interest_rates.commercial[i].rate > highest)
            highest = profile->interest_rates.commercial[i].rate;
    return highest;
}

static pacta_bp_t
s_highest_commercial(const pacta_profile_t *profile)
{
    pacta_bp_t highest = 0;
    for (size_t i = 0; i < profile->interest_rates.commercial_count; i++)
        if (profile->interest_rates.commercial[i].rate > highest)
            highest = profile->interest_rates.commercial[i].rate;
    return highest;
}

static int
s_reminders_sent(const gen_case_t *c)
{
    int count = 0;
    for (size_t i = 0; i < c->letter_count; i++)
        count += strcmp(c->letters[i].ref, "F-G") == 0 && !c->letters[i].formal_notice;
    return count;
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

/* ---- the properties -------------------------------------------------------------------- */

static void
s_check_case(const pacta_profile_t *profile, gen_case_t *c, pacta_outcome_t *out, size_t index)
{
    pacta_outcome_init(out);
    int rc = pacta_late_charges_evaluate(profile, &c->facts, out);
    cr_assert_eq(rc, 0, "%s case %zu: evaluation failed", profile->tenant, index);
    fx_assert_explained(out);

    bool held = pacta_late_charges_held(&c->facts);
    bool open_dispute = c->disputed && c->dispute.state == PACTA_DISPUTE_OPEN
                        && c->dispute.complained_on <= c->facts.as_of;
    if (open_dispute)
        cr_assert(held, "%s case %zu: an open dispute must hold charges", profile->tenant, index);

    for (size_t i = 0; i < out->count; i++) {
        const pacta_decision_t *d = &out->items[i];
        if (d->kind != PACTA_DECISION_CHARGE)
            continue;
        cr_assert_not(held, "%s case %zu: charged while disputed", profile->tenant, index);
        //  Charges are positive and add up.
        pacta_cents_t sum = 0;
        for (size_t k = 0; k < d->charge_count; k++) {
            cr_assert_gt(d->charges[k].amount, 0, "%s case %zu: non-positive charge", profile->tenant, index);
            sum += d->charges[k].amount;
        }
        cr_assert_eq(sum, d->amount, "%s case %zu: charges do not add up", profile->tenant, index);

        pacta_date_t due = s_ref_due(c);
        pacta_cents_t amount = c->invoice.amount;
        pacta_date_t paid_on = s_ref_paid_on(c);
        pacta_date_t until = paid_on != PACTA_DATE_INVALID ? paid_on : c->facts.as_of;
        cr_assert_gt(until, due, "%s case %zu: charged although not late", profile->tenant, index);
        int64_t late_days = until - due;
        bool l2 = strcmp(d->explanation.rule_id, profile->statutes.b2b_late_payment.statute.id) == 0;
        bool consumer = c->contract.client.kind == PACTA_CLIENT_CONSUMER;

        if (l2) {
            cr_assert_leq(s_charge(d, PACTA_CHARGE_RECOVERY_COMPENSATION),
                          profile->statutes.b2b_late_payment.recovery_compensation);
            //  Commercial interest: at most amount x highest commercial rate x days / 365, rounded.
            __int128 bound = (__int128) amount * s_highest_commercial(profile) * late_days;
            cr_assert((__int128) s_charge(d, PACTA_CHARGE_INTEREST) * 3650000 <= bound + 1825000,
                      "%s case %zu: L-2 interest above its bound", profile->tenant, index);
            continue;
        }

        const pacta_late_payment_terms_t *terms =
            consumer ? &profile->late_payment.consumer : &profile->late_payment.professional;
        //  Interest bound: amount x highest rate x periods / (12 or 365), + half a cent of rounding.
        pacta_bp_t highest = s_highest_rate(profile, terms->interest_points_over_legal_rate);
        if (consumer && profile->statutes.consumer_debt.interest_capped_at_commercial_rate)
            highest = s_highest_commercial(profile) < highest ? s_highest_commercial(profile) : highest;
        int64_t periods = terms->interest_accrual == PACTA_ACCRUAL_MONTH_STARTED ? pacta_months_started(due, until)
                                                                                 : late_days;
        int64_t per_year = terms->interest_accrual == PACTA_ACCRUAL_MONTH_STARTED ? 12 : 365;
        __int128 bound = (__int128) amount * highest * periods;
        cr_assert((__int128) s_charge(d, PACTA_CHARGE_INTEREST) * per_year * 10000 <= bound + per_year * 5000,
                  "%s case %zu: interest %lld above its bound", profile->tenant, index,
                  (long long) s_charge(d, PACTA_CHARGE_INTEREST));

        pacta_cents_t indemnity = s_charge(d, PACTA_CHARGE_FLAT_INDEMNITY);
        int reminders_sent = s_reminders_sent(c);
        int charged = (int) pacta_explanation_find(&d->explanation, "reminders_charged")->as.number;
        cr_assert_leq(charged, reminders_sent);
        if (consumer) {
            //  L-1: never inside the window, never without a first reminder.
            pacta_date_t window_to = s_ref_window_to(profile, c);
            cr_assert_neq(window_to, PACTA_DATE_INVALID, "%s case %zu: consumer charged without a first reminder",
                          profile->tenant, index);
            cr_assert_gt(c->facts.as_of, window_to, "%s case %zu: consumer charged inside the L-1 window",
                         profile->tenant, index);
            cr_assert(paid_on == PACTA_DATE_INVALID || paid_on > window_to,
                      "%s case %zu: consumer charged though paid inside the window", profile->tenant, index);
            const pacta_consumer_debt_law_t *law = &profile->statutes.consumer_debt;
            cr_assert_leq(indemnity, s_ref_damages_cap(law, amount), "%s case %zu: damages above the L-1 cap",
                          profile->tenant, index);
            //  Each charged letter at most the cap plus its postage (<= 4.00 here).
            cr_assert_leq(s_charge(d, PACTA_CHARGE_REMINDER_FEE), (pacta_cents_t) charged * (law->reminder_fee_cap + 400));
            cr_assert_leq(charged, reminders_sent - law->free_reminders);
            cr_assert_leq(s_charge(d, PACTA_CHARGE_FORMAL_NOTICE_FEE), law->reminder_fee_cap + 400);
        }
        else {
            if (terms->flat_indemnity_method == PACTA_INDEMNITY_PERCENT) {
                pacta_cents_t percent_of_amount = (amount * terms->flat_indemnity_percent + 9999) / 10000;
                pacta_cents_t upper = percent_of_amount > terms->flat_indemnity_min ? percent_of_amount
                                                                                  : terms->flat_indemnity_min;
                cr_assert_leq(indemnity, upper, "%s case %zu: indemnity above its percentage", profile->tenant, index);
                cr_assert_geq(indemnity, terms->flat_indemnity_capped && terms->flat_indemnity_max < terms->flat_indemnity_min
                                             ? terms->flat_indemnity_max
                                             : terms->flat_indemnity_min,
                              "%s case %zu: indemnity below its floor", profile->tenant, index);
            }
            if (terms->flat_indemnity_capped)
                cr_assert_leq(indemnity, terms->flat_indemnity_max, "%s case %zu: indemnity above its ceiling",
                              profile->tenant, index);
            if (terms->charged_reminders_limited)
                cr_assert_leq(charged, terms->charged_reminders_max, "%s case %zu: too many reminders charged",
                              profile->tenant, index);
            cr_assert_leq(s_charge(d, PACTA_CHARGE_REMINDER_FEE),
                          (pacta_cents_t) charged * (terms->reminder_fee + (terms->reminder_fee_plus_postage ? 400 : 0)));
            cr_assert_leq(s_charge(d, PACTA_CHARGE_FORMAL_NOTICE_FEE), terms->formal_notice_fee);
        }
    }
}

static void
s_run(pacta_profile_t *profile, pacta_client_kind_t kind, uint64_t seed, const char *first_due,
      const char *last_due, int max_late, size_t *charged_cases)
{
    pacta_outcome_t *out = pacta_outcome_new();
    cr_assert_not_null(out);
    s_seed(seed);
    for (size_t i = 0; i < CASES_PER_PROFILE; i++) {
        gen_case_t c;
        s_generate(&c, kind, D(first_due), D(last_due), max_late);
        s_check_case(profile, &c, out, i);
        *charged_cases += pacta_outcome_find(out, PACTA_DECISION_CHARGE) != NULL;
    }
    pacta_outcome_destroy(&out);
}

TestSuite(invariants_sg, .timeout = 240);

Test(invariants_sg, sgevent_professional_sg8c_sg8e)
{
    pacta_profile_t *profile = fx_profile("sgevent", false);
    size_t charged = 0;
    s_run(profile, PACTA_CLIENT_PROFESSIONAL, 1, "2024-01-01", "2025-06-30", 365, &charged);
    cr_assert_gt(charged, CASES_PER_PROFILE / 4, "the generator must produce late invoices (%zu)", charged);
    pacta_profile_destroy(&profile);
}

Test(invariants_sg, sgevent_consumer_sg8d_l1)
{
    pacta_profile_t *profile = fx_profile("sgevent", false);
    size_t charged = 0;
    s_run(profile, PACTA_CLIENT_CONSUMER, 2, "2024-01-01", "2025-06-30", 365, &charged);
    cr_assert_gt(charged, CASES_PER_PROFILE / 10, "consumers must sometimes be charged (%zu)", charged);
    pacta_profile_destroy(&profile);
}

Test(invariants_sg, sgevent_consumer_with_figures_above_the_statute_are_cut)
{
    //  A company asking more than L-1 allows: the caps must still hold.
    pacta_profile_t *profile = fx_profile("sgevent", false);
    pacta_late_payment_terms_t *terms = &profile->late_payment.consumer;
    terms->free_reminders = 0;
    terms->reminder_fee = 2500;
    terms->formal_notice_fee = 5000;
    terms->interest_points_over_legal_rate = 1500;
    for (size_t i = 0; i < terms->flat_indemnity_bracket_count; i++)
        terms->flat_indemnity_brackets[i].fixed *= 3;
    terms->flat_indemnity_max = 900000;
    size_t charged = 0;
    s_run(profile, PACTA_CLIENT_CONSUMER, 3, "2024-01-01", "2025-06-30", 365, &charged);
    cr_assert_gt(charged, CASES_PER_PROFILE / 10);
    pacta_profile_destroy(&profile);
}

Test(invariants_sg, acme_professional_daily_interest_and_ceiling)
{
    pacta_profile_t *profile = fx_profile("acme", true);
    size_t charged = 0;
    //  acme's rate table covers 2024-2025 only.
    s_run(profile, PACTA_CLIENT_PROFESSIONAL, 4, "2024-01-01", "2025-03-31", 270, &charged);
    cr_assert_gt(charged, CASES_PER_PROFILE / 4);
    size_t consumer_charged = 0;
    s_run(profile, PACTA_CLIENT_CONSUMER, 5, "2024-01-01", "2025-03-31", 270, &consumer_charged);
    cr_assert_eq(consumer_charged, 0, "acme's consumer clause is off");
    pacta_profile_destroy(&profile);
}

Test(invariants_sg, capconnect_with_l2_switched_on)
{
    pacta_profile_t *profile = fx_profile("capconnect", false);
    size_t charged = 0;
    s_run(profile, PACTA_CLIENT_PROFESSIONAL, 6, "2024-01-01", "2025-06-30", 365, &charged);
    cr_assert_eq(charged, 0, "capconnect's terms charge nothing and L-2 is off");
    profile->statutes.b2b_late_payment.mode = PACTA_RULE_AUTO;
    s_run(profile, PACTA_CLIENT_PROFESSIONAL, 6, "2024-01-01", "2025-06-30", 365, &charged);
    cr_assert_gt(charged, CASES_PER_PROFILE / 4);
    pacta_profile_destroy(&profile);
}

/* ---- SG-5c: suspensions and restorations ------------------------------------------------- */

//  Overdue on day: past due + grace, not fully paid by that day, counting.
static bool
s_overdue_on(const pacta_profile_t *profile, const pacta_invoice_t *invoice, const pacta_payment_t *payments,
             size_t payment_count, pacta_date_t day)
{
    if (invoice->state == PACTA_INVOICE_DISPUTED || invoice->state == PACTA_INVOICE_CREDITED)
        return false;
    if (day <= invoice->due_on + profile->unpaid_suspension.grace_calendar_days)
        return false;
    return pacta_invoice_paid_by(invoice, payments, payment_count, day) < invoice->amount;
}

static void
s_suspension_run(pacta_profile_t *profile, uint64_t seed)
{
    pacta_outcome_t *out = pacta_outcome_new();
    cr_assert_not_null(out);
    s_seed(seed);
    size_t suspended = 0, restored = 0;
    for (size_t n = 0; n < SUSPENSION_CASES; n++) {
        pacta_contract_t contract = fx_contract("C-S", "", 0, 0, NULL);
        pacta_invoice_t invoices[4];
        pacta_payment_t payments[8];
        size_t invoice_count = (size_t) s_between(1, 4), payment_count = 0;
        pacta_date_t start = D("2025-01-01") + (pacta_date_t) s_between(0, 300);
        for (size_t i = 0; i < invoice_count; i++) {
            char id[PACTA_REF_SIZE];
            snprintf(id, sizeof id, "I%zu", i);
            pacta_date_t issued = start + (pacta_date_t) s_between(0, 60);
            invoices[i] = fx_invoice(id, s_chance(90) ? "C-S" : "C-X", "2025-01-01", "2025-01-01", s_between(100, 500000));
            invoices[i].issued_on = issued;
            invoices[i].due_on = issued + 15;
            if (s_chance(10))
                invoices[i].state = PACTA_INVOICE_DISPUTED;
            int parts = (int) s_between(0, 2);
            pacta_cents_t left = invoices[i].amount;
            for (int p = 0; p < parts && left > 0; p++) {
                pacta_cents_t part = p == parts - 1 && s_chance(70) ? left : s_between(1, left);
                payments[payment_count] = fx_payment("P", id, part, "2025-01-01");
                payments[payment_count].received_on = issued + (pacta_date_t) s_between(0, 60);
                payment_count++;
                left -= part;
            }
        }
        pacta_date_t as_of = start + (pacta_date_t) s_between(0, 120);
        bool was_suspended = s_chance(50);
        if (was_suspended)
            fx_suspend(&contract, "2025-01-01", "unpaid");
        if (was_suspended)
            contract.suspended_since = start + (pacta_date_t) s_between(0, as_of - start);
        pacta_outcome_init(out);
        cr_assert_eq(rule_sg5c_suspend_unpaid(profile, &contract, invoices, invoice_count, payments, payment_count,
                                              as_of, out),
                     0);
        fx_assert_explained(out);
        for (size_t k = 0; k < out->count; k++) {
            const pacta_decision_t *d = &out->items[k];
            if (d->kind == PACTA_DECISION_SUSPEND) {
                suspended++;
                cr_assert_not(was_suspended);
                cr_assert_leq(d->date, as_of);
                //  Some invoice of the contract, due before, is overdue from that day on and still on as_of.
                bool caused = false;
                for (size_t i = 0; i < invoice_count; i++)
                    caused |= strcmp(invoices[i].contract_id, "C-S") == 0
                              && d->date >= invoices[i].due_on + 1
                              && s_overdue_on(profile, &invoices[i], payments, payment_count, d->date)
                              && s_overdue_on(profile, &invoices[i], payments, payment_count, as_of);
                cr_assert(caused, "case %zu: suspension from a day no unpaid due date explains", n);
            }
            if (d->kind == PACTA_DECISION_RESTORE) {
                restored++;
                cr_assert(was_suspended);
                cr_assert_leq(d->date, as_of);
                for (size_t i = 0; i < invoice_count; i++) {
                    if (strcmp(invoices[i].contract_id, "C-S") != 0)
                        continue;
                    cr_assert_not(s_overdue_on(profile, &invoices[i], payments, payment_count, d->date),
                                  "case %zu: restored while invoice %s is overdue", n, invoices[i].id);
                    cr_assert_not(s_overdue_on(profile, &invoices[i], payments, payment_count, as_of));
                }
            }
        }
    }
    cr_assert_gt(suspended, SUSPENSION_CASES / 20, "suspensions must occur (%zu)", suspended);
    cr_assert_gt(restored, SUSPENSION_CASES / 20, "restorations must occur (%zu)", restored);
    pacta_outcome_destroy(&out);
}

Test(invariants_sg, sg5c_suspensions_and_restorations_sgevent)
{
    pacta_profile_t *profile = fx_profile("sgevent", false);
    s_suspension_run(profile, 7);
    pacta_profile_destroy(&profile);
}

Test(invariants_sg, sg5c_suspensions_and_restorations_with_a_grace_period)
{
    //  acme has a 10-day grace period on the same profile block (proposals).
    pacta_profile_t *profile = fx_profile("acme", true);
    s_suspension_run(profile, 8);
    pacta_profile_destroy(&profile);
}
