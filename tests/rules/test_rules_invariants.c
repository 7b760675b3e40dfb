/*  =========================================================================
    test_rules_invariants - properties of the CC rules over generated inputs

    Thousands of random contracts and payment histories per profile, from a
    fixed seed so every run (and every failure) is reproducible. Each
    contract is replayed day by day through CC-3a (invoices), CC-3b
    (suspension), CC-3c (restoration) and CC-3d (lost period), as the
    enforcement service would, and checked against the catalogue's
    invariants:
      * a suspension never starts before the day after the due date of an
        invoice that was unpaid at the end of that date (CC-3b);
      * a restoration never happens while an overdue balance remains (CC-3c);
      * referral discounts of a contract year never exceed the cap (CC-8);
      * early termination never ends a contract before the minimum (CC-2c),
        and a non-renewal notice always ends a period it was in time for (CC-2b);
      * every decision carries an explanation that renders in both languages.
    =========================================================================
*/
#include <criterion/criterion.h>

#include "rules_cc.h"
#include "rules_fixtures.h"

#define CONTRACTS_PER_PROFILE 2000
#define MAX_INVOICES 8
#define MAX_PAYMENTS (2 * MAX_INVOICES)

/* ---- deterministic PRNG (splitmix64) ---------------------------------------------- */

typedef struct {
    uint64_t state;   //  advances by the golden gamma each draw
} s_rng_t;

static uint64_t
s_next(s_rng_t *rng)
{
    uint64_t z = (rng->state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

//  Uniform in [low, high].
static int64_t
s_between(s_rng_t *rng, int64_t low, int64_t high)
{
    return low + (int64_t) (s_next(rng) % (uint64_t) (high - low + 1));
}

/* ---- helpers ------------------------------------------------------------------------ */

static const char *s_profiles[][2] = {
    {"capconnect", "deploy"},
    {"sgevent", "deploy"},
    {"acme", "fixture"},
};

static pacta_profile_t *
s_load(size_t index)
{
    return fx_profile(s_profiles[index][0], strcmp(s_profiles[index][1], "fixture") == 0);
}

//  A billing period the profile offers (monthly when it offers none).
static unsigned
s_billing(s_rng_t *rng, const pacta_profile_t *profile)
{
    unsigned offered[3];
    int count = 0;
    unsigned all[] = {PACTA_BILLING_MONTHLY, PACTA_BILLING_QUARTERLY, PACTA_BILLING_ANNUAL};
    for (int i = 0; i < 3; i++)
        if (profile->catalogue.billing_periods & all[i])
            offered[count++] = all[i];
    return count ? offered[s_between(rng, 0, count - 1)] : PACTA_BILLING_MONTHLY;
}

static const pacta_invoice_t *
s_find_invoice(const pacta_ledger_t *ledger, const char *id)
{
    for (size_t i = 0; i < ledger->invoice_count; i++)
        if (strcmp(ledger->invoices[i].id, id) == 0)
            return &ledger->invoices[i];
    return NULL;
}

/* ---- CC-3a .. CC-3d ----------------------------------------------------------------- */

//  How often the replay hit each branch, so the test cannot pass vacuously.
static int s_suspensions;
static int s_restorations;

//  One random contract replayed day by day under profile.
static void
s_replay_one(s_rng_t *rng, const pacta_profile_t *profile, pacta_outcome_t *out, int serial)
{
    char id[32];
    snprintf(id, sizeof id, "C-%d", serial);
    pacta_contract_t contract = fx_contract(id, "start", s_billing(rng, profile), s_between(rng, 100, 500000),
                                            "2023-01-01");
    contract.start_on = D("2023-01-01") + (pacta_date_t) s_between(rng, 0, 3 * 365);

    pacta_invoice_t invoices[MAX_INVOICES];
    pacta_payment_t payments[MAX_PAYMENTS];
    pacta_letter_t letters[MAX_INVOICES];
    size_t invoice_count = (size_t) s_between(rng, 1, MAX_INVOICES);
    size_t payment_count = 0;
    size_t letter_count = 0;
    for (size_t k = 0; k < invoice_count; k++) {
        pacta_date_t issued_on = pacta_anniversary(contract.start_on,
                                                   (int) k * pacta_billing_period_months(contract.billing_period));
        pacta_date_t due_on = pacta_cc_invoice_due_on(profile, issued_on, PACTA_DATE_INVALID);
        if (pacta_rule_enabled(&profile->invoicing.rule) && pacta_rule_enabled(&profile->catalogue.rule)) {
            pacta_outcome_init(out);
            cr_assert_eq(rule_cc3a_issue_invoice(profile, &contract, (int) k, out), 0);
            cr_assert_eq(out->count, 1);
            cr_assert_eq(out->items[0].date, issued_on, "CC-3a anniversaries come from the start");
            cr_assert_eq(out->items[0].until, due_on);
            fx_assert_explained(out);
        }
        char invoice_id[PACTA_REF_SIZE];
        snprintf(invoice_id, sizeof invoice_id, "F-%d-%zu", serial, k);
        char issued_text[PACTA_DATE_STR_LEN];
        char due_text[PACTA_DATE_STR_LEN];
        invoices[k] = fx_invoice(invoice_id, id, pacta_date_format(issued_on, issued_text, sizeof issued_text),
                                 pacta_date_format(due_on, due_text, sizeof due_text), contract.fee_per_period);
        //  Payment patterns: none, full, short by a cent, or two halves.
        int pattern = (int) s_between(rng, 0, 3);
        pacta_date_t first_on = due_on + (pacta_date_t) s_between(rng, -10, 60);
        char first_text[PACTA_DATE_STR_LEN];
        pacta_date_format(first_on, first_text, sizeof first_text);
        char payment_id[PACTA_REF_SIZE];
        snprintf(payment_id, sizeof payment_id, "P-%d-%zu-a", serial, k);
        if (pattern == 1)
            payments[payment_count++] = fx_payment(payment_id, invoice_id, contract.fee_per_period, first_text);
        else if (pattern == 2)
            payments[payment_count++] = fx_payment(payment_id, invoice_id, contract.fee_per_period - 1, first_text);
        else if (pattern == 3) {
            pacta_cents_t half = contract.fee_per_period / 2;
            payments[payment_count++] = fx_payment(payment_id, invoice_id, half, first_text);
            pacta_date_t second_on = first_on + (pacta_date_t) s_between(rng, 0, 40);
            char second_text[PACTA_DATE_STR_LEN];
            snprintf(payment_id, sizeof payment_id, "P-%d-%zu-b", serial, k);
            payments[payment_count++] = fx_payment(payment_id, invoice_id, contract.fee_per_period - half,
                                                   pacta_date_format(second_on, second_text, sizeof second_text));
        }
        //  Sometimes a formal notice (profiles that need one before suspending).
        if (s_between(rng, 0, 2) == 0) {
            pacta_date_t sent_on = due_on + (pacta_date_t) s_between(rng, 1, 20);
            char sent_text[PACTA_DATE_STR_LEN];
            letters[letter_count] = fx_letter(PACTA_SENT_REGISTERED,
                                              pacta_date_format(sent_on, sent_text, sizeof sent_text), NULL);
            letters[letter_count].from = PACTA_FROM_PROVIDER;
            letters[letter_count].formal_notice = true;
            snprintf(letters[letter_count].ref, sizeof letters[letter_count].ref, "%s", invoice_id);
            letter_count++;
        }
    }
    pacta_ledger_t ledger = {invoices, invoice_count, payments, payment_count, letters, letter_count};

    pacta_date_t first_day = invoices[0].issued_on;
    pacta_date_t last_day = invoices[invoice_count - 1].due_on + 120;
    for (pacta_date_t today = first_day; today <= last_day; today++) {
        pacta_outcome_init(out);
        if (contract.state != PACTA_CONTRACT_SUSPENDED) {
            cr_assert_eq(rule_cc3b_suspend_unpaid(profile, &contract, &ledger, today, out), 0);
            fx_assert_explained(out);
            const pacta_decision_t *suspend = pacta_outcome_find(out, PACTA_DECISION_SUSPEND);
            if (!suspend)
                continue;
            const pacta_invoice_t *culprit = s_find_invoice(&ledger, suspend->ref);
            cr_assert_not_null(culprit, "CC-3b names the unpaid invoice");
            cr_assert_gt(suspend->date, culprit->due_on, "CC-3b: suspension starts after the due date (%s, seed %d)",
                         profile->tenant, serial);
            cr_assert_geq(suspend->date, culprit->due_on + 1 + profile->unpaid_suspension.grace_calendar_days);
            cr_assert_leq(suspend->date, today, "a suspension is never decided ahead of time");
            cr_assert_lt(pacta_invoice_paid_by(culprit, payments, payment_count, culprit->due_on), culprit->amount,
                         "CC-3b: only an invoice unpaid at the end of its due date suspends");
            cr_assert_lt(pacta_invoice_paid_by(culprit, payments, payment_count, suspend->date - 1), culprit->amount);
            s_suspensions++;
            //  The operator approves proposals in this replay.
            contract.state = PACTA_CONTRACT_SUSPENDED;
            contract.suspended_since = suspend->date;
            snprintf(contract.suspension_reason, sizeof contract.suspension_reason, "%s", suspend->reason);
        }
        else {
            cr_assert_eq(rule_cc3c_restore_on_payment(profile, &contract, &ledger, today, out), 0);
            fx_assert_explained(out);
            const pacta_decision_t *restore = pacta_outcome_find(out, PACTA_DECISION_RESTORE);
            if (!restore)
                continue;
            cr_assert_geq(restore->date, contract.suspended_since);
            cr_assert_leq(restore->date, today);
            for (size_t i = 0; i < invoice_count; i++)
                if (invoices[i].due_on < restore->date)
                    cr_assert_geq(pacta_invoice_paid_by(&invoices[i], payments, payment_count, restore->date),
                                  invoices[i].amount,
                                  "CC-3c: restored on day %d while invoice %s is overdue (%s, seed %d)",
                                  (int) restore->date, invoices[i].id, profile->tenant, serial);
            s_restorations++;
            pacta_outcome_init(out);
            cr_assert_eq(rule_cc3d_record_lost_period(profile, &contract, restore->date, out), 0);
            fx_assert_explained(out);
            const pacta_decision_t *lost = pacta_outcome_find(out, PACTA_DECISION_LOST_PERIOD);
            if (pacta_rule_enabled(&profile->lost_period.rule)) {
                cr_assert_not_null(lost, "CC-3d follows every restoration");
                cr_assert_eq(lost->date, contract.suspended_since);
            }
            contract.state = PACTA_CONTRACT_ACTIVE;
            contract.suspended_since = PACTA_DATE_INVALID;
            contract.suspension_reason[0] = '\0';
        }
    }
}

Test(invariants, cc3b_cc3c_suspension_and_restoration_over_random_histories)
{
    pacta_outcome_t *out = pacta_outcome_new();
    cr_assert_not_null(out);
    for (size_t p = 0; p < sizeof s_profiles / sizeof s_profiles[0]; p++) {
        pacta_profile_t *profile = s_load(p);
        s_rng_t rng = {0x5EED0000u + p};
        s_suspensions = 0;
        s_restorations = 0;
        for (int i = 0; i < CONTRACTS_PER_PROFILE; i++)
            s_replay_one(&rng, profile, out, i);
        cr_assert_gt(s_suspensions, CONTRACTS_PER_PROFILE / 10, "%s: only %d suspensions", profile->tenant,
                     s_suspensions);
        if (pacta_rule_enabled(&profile->restoration.rule))
            cr_assert_gt(s_restorations, CONTRACTS_PER_PROFILE / 10, "%s: only %d restorations", profile->tenant,
                         s_restorations);
        pacta_profile_destroy(&profile);
    }
    pacta_outcome_destroy(&out);
}

/* ---- CC-8 ---------------------------------------------------------------------------- */

Test(invariants, cc8_referral_discounts_never_exceed_the_cap)
{
    pacta_outcome_t *out = pacta_outcome_new();
    cr_assert_not_null(out);
    enum { MAX_REFEREES = 80 };
    for (size_t p = 0; p < sizeof s_profiles / sizeof s_profiles[0]; p++) {
        pacta_profile_t *profile = s_load(p);
        if (!pacta_rule_enabled(&profile->referral.rule) || profile->catalogue.pack_count == 0) {
            pacta_profile_destroy(&profile);
            continue;
        }
        s_rng_t rng = {0xCC8000u + p};
        for (int serial = 0; serial < CONTRACTS_PER_PROFILE; serial++) {
            pacta_contract_t sponsor = fx_contract("S", profile->catalogue.packs[0].id, s_billing(&rng, profile),
                                                   s_between(&rng, 1000, 300000), "2024-01-01");
            sponsor.start_on = D("2023-01-01") + (pacta_date_t) s_between(&rng, 0, 900);
            pacta_cents_t annual_fee = 0;
            pacta_cents_t cap = 0;
            cr_assert_eq(pacta_contract_annual_fee(&sponsor, &annual_fee), 0);
            cr_assert_eq(pacta_money_percent(annual_fee, profile->referral.annual_cap_percent_of_subscription, &cap),
                         0);
            pacta_referral_earning_t earned[MAX_REFEREES];
            size_t count = (size_t) s_between(&rng, 1, MAX_REFEREES);
            pacta_date_t signed_on = sponsor.start_on;
            for (size_t r = 0; r < count; r++) {
                signed_on += (pacta_date_t) s_between(&rng, 0, 40);
                const pacta_pack_t *pack
                    = &profile->catalogue.packs[s_between(&rng, 0, (int64_t) profile->catalogue.pack_count - 1)];
                pacta_outcome_init(out);
                cr_assert_eq(rule_cc8_earn_referral_discount(profile, &sponsor, pack->id, signed_on, earned, r, out), 0);
                cr_assert_eq(out->count, 1);
                fx_assert_explained(out);
                pacta_cents_t amount = out->items[0].amount;
                cr_assert_geq(amount, 0);
                cr_assert_leq(amount, pack->referral_discount, "CC-8 never earns more than the pack's discount");
                memset(&earned[r], 0, sizeof earned[r]);
                earned[r].signed_on = signed_on;
                earned[r].earned = amount;
            }
            //  Sum per contract year, from the start (never chained).
            for (int year = 0; year < 8; year++) {
                pacta_date_t from = pacta_anniversary(sponsor.start_on, 12 * year);
                pacta_date_t to = pacta_anniversary(sponsor.start_on, 12 * (year + 1));
                pacta_cents_t total = 0;
                for (size_t r = 0; r < count; r++)
                    if (earned[r].signed_on >= from && earned[r].signed_on < to)
                        total += earned[r].earned;
                cr_assert_leq(total, cap, "CC-8: year %d earned %lld over the cap %lld (%s, seed %d)", year,
                              (long long) total, (long long) cap, profile->tenant, serial);
            }
        }
        pacta_profile_destroy(&profile);
    }
    pacta_outcome_destroy(&out);
}

/* ---- CC-2b, CC-2c ----------------------------------------------------------------------- */

Test(invariants, cc2b_cc2c_terminations_respect_the_terms)
{
    pacta_outcome_t *out = pacta_outcome_new();
    cr_assert_not_null(out);
    for (size_t p = 0; p < sizeof s_profiles / sizeof s_profiles[0]; p++) {
        pacta_profile_t *profile = s_load(p);
        s_rng_t rng = {0xCC2000u + p};
        for (int serial = 0; serial < CONTRACTS_PER_PROFILE; serial++) {
            pacta_contract_t contract = fx_contract("C", "start", s_billing(&rng, profile),
                                                    s_between(&rng, 0, 400000), "2024-01-01");
            contract.start_on = D("2023-01-01") + (pacta_date_t) s_between(&rng, 0, 900);
            char sent_text[PACTA_DATE_STR_LEN];
            pacta_date_t sent_on = contract.start_on + (pacta_date_t) s_between(&rng, 0, 1200);
            pacta_letter_t letter = fx_letter(s_between(&rng, 0, 3) ? PACTA_SENT_REGISTERED : PACTA_SENT_EMAIL,
                                              pacta_date_format(sent_on, sent_text, sizeof sent_text), NULL);

            pacta_outcome_init(out);
            cr_assert_eq(rule_cc2c_early_termination(profile, &contract, &letter, &(pacta_ledger_t){0}, out), 0);
            fx_assert_explained(out);
            const pacta_decision_t *end = pacta_outcome_find(out, PACTA_DECISION_TERMINATE);
            if (end) {
                pacta_date_t minimum = pacta_add_months(contract.start_on,
                                                        profile->client_early_termination.min_months_after_start);
                cr_assert_geq(end->date, minimum, "CC-2c: never before the minimum duration");
                cr_assert_geq(end->amount, 0);
                cr_assert_eq(letter.via, PACTA_SENT_REGISTERED);
            }

            pacta_outcome_init(out);
            cr_assert_eq(rule_cc2b_record_non_renewal(profile, &contract, &letter, out), 0);
            fx_assert_explained(out);
            end = pacta_outcome_find(out, PACTA_DECISION_TERMINATE);
            if (!end)
                continue;
            int k = pacta_cc_period_index(profile, contract.start_on, end->date);
            cr_assert_geq(k, 0);
            cr_assert_eq(pacta_cc_period_last_day(profile, contract.start_on, k), end->date,
                         "CC-2b ends on a period's last day");
            pacta_date_t counted = profile->tacit_renewal.notice_date == PACTA_NOTICE_DATE_RECEIPT
                                       ? pacta_letter_received_on(profile, &letter)
                                       : letter.sent_on;
            cr_assert_leq(counted, pacta_cc_non_renewal_deadline(profile, contract.start_on, k),
                          "CC-2b: the notice was in time for the period it ends");
            if (k > 0)
                cr_assert_gt(counted, pacta_cc_non_renewal_deadline(profile, contract.start_on, k - 1),
                             "CC-2b: the earliest period the notice could end");
        }
        pacta_profile_destroy(&profile);
    }
    pacta_outcome_destroy(&out);
}
