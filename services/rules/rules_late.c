/*  =========================================================================
    rules_late - late-payment charges (SG-8c, SG-8d, SG-8e holds, L-1, L-2)

    What a company may add to a late invoice, and what the law lets it keep.
    The key design decision: every charge is recomputed from the whole
    history of the invoice (due date, dated payments, dated letters, the
    dispute) as of one legal date, never accumulated step by step. Interest
    sums exact numerators (cents x basis points) over every month started or
    every day, each at the rate of its own year or half-year, and divides
    once; so a replay in any order, on any instance, gives the same cents,
    and each charge is rounded exactly once (rules.md §0.2).

    Order of precedence, strictest first: an open dispute (SG-8e) stops
    everything; for a consumer the L-1 window must have passed unpaid before
    anything is charged, and every figure is cut to its statutory cap; only
    then the company's own figures (SG-8c, SG-8d) apply. L-2 adds to a
    business's charges only what the terms leave below the statute, and only
    when the profile switches it on.
    =========================================================================
*/
#include "rules_late.h"

#include <assert.h>
#include <string.h>

/* Unit facts, not figures of the terms. */
#define BP_PER_UNIT 10000    /* basis points in 100 % */
#define MONTHS_PER_YEAR 12   /* a month started costs a twelfth of the annual rate */
#define DAYS_PER_YEAR 365    /* rules.md SG-8d: per-day interest on a 365-day year */

/* ---- small helpers ---------------------------------------------------------- */

//  The facts are usable: the entities are there and the dates are real.
static bool
s_facts_valid(const pacta_late_facts_t *facts)
{
    if (!facts || !facts->contract || !facts->invoice)
        return false;
    if (!pacta_date_is_valid(facts->invoice->due_on) || !pacta_date_is_valid(facts->as_of))
        return false;
    if (facts->invoice->amount < 0)
        return false;
    if ((!facts->payments && facts->payment_count > 0) || (!facts->letters && facts->letter_count > 0))
        return false;
    for (size_t i = 0; i < facts->payment_count; i++)
        if (facts->payments[i].amount <= 0 || !pacta_date_is_valid(facts->payments[i].received_on))
            return false;   //  a refund or an undated payment is not a payment
    return true;
}

//  The due date that counts: a corrected invoice may carry a new one.
static pacta_date_t
s_due_on(const pacta_late_facts_t *facts)
{
    const pacta_dispute_t *dispute = facts->dispute;
    if (dispute && dispute->state == PACTA_DISPUTE_CORRECTED && pacta_date_is_valid(dispute->new_due_on))
        return dispute->new_due_on;
    return facts->invoice->due_on;
}

static pacta_cents_t
s_paid_by(const pacta_late_facts_t *facts, pacta_date_t date)
{
    return pacta_invoice_paid_by(facts->invoice, facts->payments, facts->payment_count, date);
}

//  How late the invoice is on facts->as_of.
typedef struct {
    pacta_date_t due_on;          //  due date that counts
    pacta_date_t paid_on;         //  day of full payment, INVALID if not paid by as_of
    pacta_date_t late_until;      //  last day counted late: paid_on, else as_of
    pacta_cents_t unpaid_at_due;  //  left unpaid at the end of the due date
} s_lateness_t;

//  True when the invoice is late on as_of: unpaid at the end of its due
//  date, with at least one late day by as_of.
static bool
s_lateness(const pacta_late_facts_t *facts, s_lateness_t *late)
{
    late->due_on = s_due_on(facts);
    late->paid_on = pacta_invoice_fully_paid_on(facts->invoice, facts->payments, facts->payment_count);
    if (late->paid_on != PACTA_DATE_INVALID && late->paid_on > facts->as_of)
        late->paid_on = PACTA_DATE_INVALID;
    late->late_until = late->paid_on != PACTA_DATE_INVALID ? late->paid_on : facts->as_of;
    late->unpaid_at_due = facts->invoice->amount - s_paid_by(facts, late->due_on);
    return late->unpaid_at_due > 0 && late->late_until > late->due_on;
}

//  Where on a bracket scale an amount falls: fixed + percent of the part
//  above the bracket's lower bound, rounded once. 0 for amounts <= 0.
static int
s_bracket_amount(const pacta_indemnity_bracket_t *brackets, size_t count, pacta_cents_t amount,
                 pacta_cents_t *out)
{
    *out = 0;
    if (amount <= 0 || count == 0)
        return 0;
    pacta_cents_t lower = 0;
    for (size_t i = 0; i < count; i++) {
        const pacta_indemnity_bracket_t *bracket = &brackets[i];
        if (bracket->open_ended || amount <= bracket->up_to || i + 1 == count) {
            __int128 numerator = (__int128) bracket->fixed * BP_PER_UNIT
                                 + (__int128) bracket->percent_over_lower * (amount - lower);
            return pacta_money_round_div(numerator, BP_PER_UNIT, out);
        }
        lower = bracket->up_to;
    }
    return 0;
}

static pacta_cents_t
s_min(pacta_cents_t a, pacta_cents_t b)
{
    return a < b ? a : b;
}

/* ---- pure computations -------------------------------------------------------- */

int
pacta_late_flat_indemnity(const pacta_late_payment_terms_t *terms, pacta_cents_t unpaid, pacta_cents_t *out)
{
    assert(terms && out);
    pacta_cents_t indemnity = 0;
    *out = 0;
    if (unpaid <= 0)
        return 0;
    switch (terms->flat_indemnity_method) {
    case PACTA_INDEMNITY_PERCENT:
        if (pacta_money_percent(unpaid, terms->flat_indemnity_percent, &indemnity) != 0)
            return -1;
        break;
    case PACTA_INDEMNITY_BRACKETS:
        if (s_bracket_amount(terms->flat_indemnity_brackets, terms->flat_indemnity_bracket_count, unpaid,
                             &indemnity) != 0)
            return -1;
        break;
    default:
        return 0;   //  the terms name no flat indemnity
    }
    if (indemnity < terms->flat_indemnity_min)
        indemnity = terms->flat_indemnity_min;
    if (terms->flat_indemnity_capped && indemnity > terms->flat_indemnity_max)
        indemnity = terms->flat_indemnity_max;
    *out = indemnity;
    return 0;
}

int
pacta_l1_damages_cap(const pacta_consumer_debt_law_t *law, pacta_cents_t unpaid, pacta_cents_t *out)
{
    assert(law && out);
    pacta_cents_t cap = 0;
    if (s_bracket_amount(law->damages_brackets, law->damages_bracket_count, unpaid, &cap) != 0)
        return -1;
    *out = s_min(cap, law->damages_max);
    return 0;
}

//  A letter of the provider about this invoice.
static bool
s_provider_letter_about(const pacta_letter_t *letter, const pacta_invoice_t *invoice)
{
    return letter->from == PACTA_FROM_PROVIDER && strcmp(letter->ref, invoice->id) == 0
           && pacta_date_is_valid(letter->sent_on);
}

int
pacta_l1_window(const pacta_profile_t *profile, const pacta_late_facts_t *facts, pacta_l1_window_t *window)
{
    assert(profile && window);
    if (!s_facts_valid(facts))
        return -1;
    const pacta_consumer_debt_law_t *law = &profile->statutes.consumer_debt;
    window->state = PACTA_L1_NOT_LATE;
    window->first_reminder_sent_on = PACTA_DATE_INVALID;
    window->window_from = PACTA_DATE_INVALID;
    window->window_to = PACTA_DATE_INVALID;
    window->charges_from = PACTA_DATE_INVALID;

    s_lateness_t late;
    if (!s_lateness(facts, &late))
        return 0;
    //  The first reminder: letter number 1, sent once the invoice was late
    //  and before it was paid. A reminder sent after payment reminds nothing.
    const pacta_letter_t *first = NULL;
    for (size_t i = 0; i < facts->letter_count; i++) {
        const pacta_letter_t *letter = &facts->letters[i];
        if (!s_provider_letter_about(letter, facts->invoice) || letter->number != 1 || letter->formal_notice)
            continue;
        if (letter->sent_on <= late.due_on || letter->sent_on > late.late_until)
            continue;
        if (!first || letter->sent_on < first->sent_on)
            first = letter;
    }
    if (!first) {
        window->state = PACTA_L1_NO_FIRST_REMINDER;
        return 0;
    }
    window->first_reminder_sent_on = first->sent_on;
    //  E-mail counts from the day after sending, post from the n-th
    //  business day after it (rules.md L-1).
    if (first->via == PACTA_SENT_LETTER || first->via == PACTA_SENT_REGISTERED) {
        pacta_holidays_t holidays = pacta_profile_holidays(profile);
        window->window_from = pacta_business_days_after(&holidays, first->sent_on,
                                                        law->postal_reminder_counts_from_business_day);
    }
    else
        window->window_from = first->sent_on + 1;
    window->window_to = window->window_from + law->waiting_calendar_days_after_first_reminder - 1;
    window->charges_from = window->window_to + 1;
    if (late.paid_on != PACTA_DATE_INVALID && late.paid_on <= window->window_to)
        window->state = PACTA_L1_PAID_IN_WINDOW;
    else if (facts->as_of <= window->window_to)
        window->state = PACTA_L1_WAITING;
    else
        window->state = PACTA_L1_PASSED;
    return 0;
}

bool
pacta_late_charges_held(const pacta_late_facts_t *facts)
{
    assert(facts && facts->invoice);
    const pacta_invoice_t *invoice = facts->invoice;
    const pacta_dispute_t *dispute = facts->dispute;
    if (invoice->state == PACTA_INVOICE_CREDITED)
        return true;
    if (!dispute)
        return invoice->state == PACTA_INVOICE_DISPUTED;
    bool complained = !pacta_date_is_valid(dispute->complained_on) || dispute->complained_on <= facts->as_of;
    bool resolved = pacta_date_is_valid(dispute->resolved_on) && dispute->resolved_on <= facts->as_of;
    if (dispute->state == PACTA_DISPUTE_CREDITED && (resolved || !pacta_date_is_valid(dispute->resolved_on)))
        return true;
    if (dispute->state == PACTA_DISPUTE_OPEN)
        return complained;
    return complained && !resolved;
}

/* ---- interest ---------------------------------------------------------------------- */

//  Which annual rate a day or month of lateness bears.
typedef struct {
    bool commercial;       //  the Law-2002 commercial rate itself (L-2)
    pacta_bp_t points;     //  else: legal rate of the year + these points
    bool capped;           //  ... never above the commercial rate (L-1)
} s_rate_rule_t;

static int
s_rate_on(const pacta_profile_t *profile, const s_rate_rule_t *rule, pacta_date_t day, pacta_bp_t *rate)
{
    if (rule->commercial)
        return pacta_profile_commercial_rate_on(profile, day, rate);
    pacta_bp_t legal = 0, ceiling = 0;
    if (pacta_profile_legal_rate_for_year(profile, pacta_date_year(day), &legal) != 0)
        return -1;
    *rate = legal + rule->points;
    if (rule->capped) {
        if (pacta_profile_commercial_rate_on(profile, day, &ceiling) != 0)
            return -1;
        if (ceiling < *rate)
            *rate = ceiling;
    }
    return 0;
}

//  What the interest computation found.
typedef struct {
    pacta_cents_t interest;   //  rounded once
    int periods;              //  months started, or days late
    pacta_bp_t first_rate;    //  annual rate of the first period
    pacta_bp_t highest_rate;  //  highest annual rate used
} s_interest_t;

//  Interest from the day after the due date through late_until on the
//  balance unpaid at the start of each period. Month k covers the days
//  after add_months(due, k - 1) through add_months(due, k) and bears the
//  rate of the day it starts; a day bears its own rate. -1 when a rate is
//  missing from the profile's tables (never guessed, rules.md §4).
static int
s_interest(const pacta_profile_t *profile, const pacta_late_facts_t *facts, const s_lateness_t *late,
           pacta_interest_accrual_t accrual, const s_rate_rule_t *rule, s_interest_t *result)
{
    __int128 numerator = 0;
    int64_t denominator = 0;
    memset(result, 0, sizeof *result);
    if (accrual == PACTA_ACCRUAL_MONTH_STARTED) {
        int months = pacta_months_started(late->due_on, late->late_until);
        for (int k = 1; k <= months; k++) {
            pacta_date_t previous_end = pacta_add_months(late->due_on, k - 1);
            pacta_cents_t balance = facts->invoice->amount - s_paid_by(facts, previous_end);
            pacta_bp_t rate = 0;
            if (s_rate_on(profile, rule, previous_end + 1, &rate) != 0)
                return -1;
            if (k == 1)
                result->first_rate = rate;
            if (rate > result->highest_rate)
                result->highest_rate = rate;
            if (balance > 0)
                numerator += (__int128) balance * rate;
        }
        result->periods = months;
        denominator = (int64_t) MONTHS_PER_YEAR * BP_PER_UNIT;
    }
    else {
        //  The rate changes at most twice a year: look it up only then.
        int rate_year = 0, rate_half = 0;
        pacta_bp_t rate = 0;
        for (pacta_date_t day = late->due_on + 1; day <= late->late_until; day++) {
            int year = 0, month = 0;
            pacta_date_to_ymd(day, &year, &month, NULL);
            int half = month <= 6 ? 1 : 2;
            if (year != rate_year || half != rate_half) {
                if (s_rate_on(profile, rule, day, &rate) != 0)
                    return -1;
                rate_year = year;
                rate_half = half;
            }
            if (day == late->due_on + 1)
                result->first_rate = rate;
            if (rate > result->highest_rate)
                result->highest_rate = rate;
            pacta_cents_t balance = facts->invoice->amount - s_paid_by(facts, day - 1);
            if (balance > 0)
                numerator += (__int128) balance * rate;
        }
        result->periods = late->late_until - late->due_on;
        denominator = (int64_t) DAYS_PER_YEAR * BP_PER_UNIT;
    }
    return pacta_money_round_div(numerator, denominator, &result->interest);
}

/* ---- fees ----------------------------------------------------------------------------- */

//  How reminder and formal-notice letters are charged.
typedef struct {
    int free_reminders;              //  reminders 1..free cost nothing
    bool limited;                    //  only `max_charged` reminders after the free ones cost a fee
    int max_charged;                 //  see limited
    pacta_cents_t reminder_fee;      //  per charged reminder
    pacta_cents_t formal_notice_fee; //  once per invoice, registered formal notice; 0 = none
    bool plus_postage;               //  the letter's postage is added to each fee
    pacta_date_t charged_after;      //  letters sent on or before this day are free (L-1); INVALID = none
} s_fee_rule_t;

typedef struct {
    int reminders_charged;           //  reminder letters that cost a fee
    pacta_cents_t reminder_fees;     //  their total
    pacta_cents_t formal_notice_fees;//  0 or the one formal-notice fee
} s_fees_t;

//  A letter sent while the invoice was disputed costs nothing (SG-8e).
static bool
s_sent_during_dispute(const pacta_late_facts_t *facts, pacta_date_t sent_on)
{
    const pacta_dispute_t *dispute = facts->dispute;
    if (!dispute || !pacta_date_is_valid(dispute->complained_on) || sent_on < dispute->complained_on)
        return false;
    return !pacta_date_is_valid(dispute->resolved_on) || sent_on <= dispute->resolved_on;
}

static int
s_fees(const pacta_late_facts_t *facts, const s_lateness_t *late, const s_fee_rule_t *rule, s_fees_t *fees)
{
    uint64_t charged_numbers = 0;   //  bit n: reminder number n already charged
    bool formal_notice_charged = false;
    memset(fees, 0, sizeof *fees);
    for (size_t i = 0; i < facts->letter_count; i++) {
        const pacta_letter_t *letter = &facts->letters[i];
        if (!s_provider_letter_about(letter, facts->invoice))
            continue;
        if (letter->sent_on <= late->due_on || letter->sent_on > late->late_until)
            continue;
        if (pacta_date_is_valid(rule->charged_after) && letter->sent_on <= rule->charged_after)
            continue;
        if (s_sent_during_dispute(facts, letter->sent_on) || letter->postage < 0)
            continue;
        pacta_cents_t postage = rule->plus_postage ? letter->postage : 0;
        pacta_cents_t fee = 0;
        if (letter->formal_notice) {
            if (formal_notice_charged || rule->formal_notice_fee <= 0 || letter->via != PACTA_SENT_REGISTERED)
                continue;
            if (pacta_money_add(rule->formal_notice_fee, postage, &fee) != 0)
                return -1;
            formal_notice_charged = true;
            fees->formal_notice_fees = fee;
            continue;
        }
        int number = letter->number;
        if (number <= rule->free_reminders || number < 1 || number > 63)
            continue;
        if (rule->limited && number - rule->free_reminders > rule->max_charged)
            continue;
        if (charged_numbers & ((uint64_t) 1 << number))
            continue;   //  the same reminder recorded twice is charged once
        charged_numbers |= (uint64_t) 1 << number;
        if (pacta_money_add(rule->reminder_fee, postage, &fee) != 0
            || pacta_money_add(fees->reminder_fees, fee, &fees->reminder_fees) != 0)
            return -1;
        fees->reminders_charged++;
    }
    return 0;
}

/* ---- decisions ------------------------------------------------------------------------ */

//  Adds a charge only when there is something to charge.
static void
s_add_charge(pacta_decision_t *decision, pacta_charge_kind_t kind, pacta_cents_t amount, bool vat,
             const char *ref)
{
    if (amount != 0)
        pacta_decision_add_charge(decision, kind, amount, vat, decision->date, ref);
}

int
rule_sg8e_hold_disputed_charges(const pacta_profile_t *profile, const pacta_late_facts_t *facts,
                                pacta_outcome_t *out)
{
    assert(profile && out);
    if (!s_facts_valid(facts))
        return -1;
    if (!pacta_late_charges_held(facts))
        return 0;
    const pacta_rule_t *rule = &profile->invoice_complaint.rule;
    //  Without the complaint rule a company has no dispute to report; the
    //  hold itself still applies (the callers charge nothing).
    if (!pacta_rule_enabled(rule))
        return 0;
    pacta_decision_t *decision = pacta_outcome_add(out, profile, rule, PACTA_DECISION_RECORD);
    if (!decision)
        return pacta_outcome_status(out);
    const pacta_invoice_t *invoice = facts->invoice;
    const pacta_dispute_t *dispute = facts->dispute;
    bool credited = invoice->state == PACTA_INVOICE_CREDITED
                    || (dispute && dispute->state == PACTA_DISPUTE_CREDITED);
    decision->status = PACTA_DECISION_APPLY;   //  a hold is a fact, nothing to approve
    decision->date = facts->as_of;
    pacta_decision_set_ref(decision, invoice->id);
    pacta_decision_set_reason(decision, credited ? "credited" : "disputed");
    pacta_explain_text(decision, PACTA_ROLE_INPUT, "invoice", invoice->id);
    pacta_explain_date(decision, PACTA_ROLE_INPUT, "as_of", facts->as_of);
    bool dated = dispute && pacta_date_is_valid(dispute->complained_on);
    if (dated)
        pacta_explain_date(decision, PACTA_ROLE_INPUT, "complained_on", dispute->complained_on);
    if (credited) {
        pacta_decision_head(decision, "No late charges", "Aucuns frais de retard");
        pacta_decision_because(decision, "invoice {invoice} was credited, so nothing is due on it",
                               "la facture {invoice} a été créditée, rien n'est donc dû sur elle");
    }
    else if (dated) {
        pacta_decision_head(decision, "Late charges held on {date}", "Frais de retard suspendus le {date}");
        pacta_decision_because(decision,
                               "invoice {invoice} is disputed by a complaint posted {complained_on} and not "
                               "resolved, so no reminder fee, indemnity or interest runs on it",
                               "la facture {invoice} est contestée par une réclamation postée le "
                               "{complained_on} non résolue : aucuns frais de rappel, indemnité ni intérêt "
                               "ne courent");
    }
    else {
        pacta_decision_head(decision, "Late charges held on {date}", "Frais de retard suspendus le {date}");
        pacta_decision_because(decision,
                               "invoice {invoice} is disputed and not resolved, so no reminder fee, "
                               "indemnity or interest runs on it",
                               "la facture {invoice} est contestée et non résolue : aucuns frais de rappel, "
                               "indemnité ni intérêt ne courent");
    }
    return pacta_outcome_status(out);
}

//  Values every charge decision carries about the invoice and its lateness.
static void
s_explain_lateness(pacta_decision_t *decision, const pacta_late_facts_t *facts, const s_lateness_t *late)
{
    pacta_explain_text(decision, PACTA_ROLE_INPUT, "invoice", facts->invoice->id);
    pacta_explain_money(decision, PACTA_ROLE_INPUT, "invoice_amount", facts->invoice->amount);
    pacta_explain_date(decision, PACTA_ROLE_INPUT, "due_on", late->due_on);
    if (late->paid_on != PACTA_DATE_INVALID)
        pacta_explain_date(decision, PACTA_ROLE_INPUT, "paid_on", late->paid_on);
    else
        pacta_explain_date(decision, PACTA_ROLE_INPUT, "as_of", facts->as_of);
    pacta_explain_date(decision, PACTA_ROLE_RESULT, "late_until", late->late_until);
}

//  The fee parameters of the terms, for the explanation.
static void
s_explain_fee_terms(pacta_decision_t *decision, const s_fee_rule_t *fees)
{
    pacta_explain_int(decision, PACTA_ROLE_PARAMETER, "free_reminders", fees->free_reminders);
    if (fees->limited)
        pacta_explain_int(decision, PACTA_ROLE_PARAMETER, "charged_reminders_max", fees->max_charged);
    pacta_explain_money(decision, PACTA_ROLE_PARAMETER, "reminder_fee", fees->reminder_fee);
    pacta_explain_money(decision, PACTA_ROLE_PARAMETER, "formal_notice_fee", fees->formal_notice_fee);
}

//  SG-8c and SG-8d end alike: the fees under fee_rule, the total with the
//  interest and the indemnity, one CHARGE decision listing each part and
//  the lateness that caused it; *fees_out gets the fees for the rule's own
//  explanation. 1 when nothing is owed, -1 on overflow, else 0 with
//  *decision_p set (NULL when the outcome is full).
static int
s_charge_decision(const pacta_profile_t *profile, const pacta_late_payment_terms_t *terms,
                  const pacta_late_facts_t *facts, const s_lateness_t *late, pacta_cents_t interest,
                  pacta_cents_t indemnity, const s_fee_rule_t *fee_rule, pacta_outcome_t *out,
                  s_fees_t *fees_out, pacta_decision_t **decision_p)
{
    *decision_p = NULL;
    s_fees_t fees;
    if (s_fees(facts, late, fee_rule, &fees) != 0)
        return -1;
    *fees_out = fees;
    pacta_cents_t total = 0;
    if (pacta_money_add(interest, indemnity, &total) != 0 || pacta_money_add(total, fees.reminder_fees, &total) != 0
        || pacta_money_add(total, fees.formal_notice_fees, &total) != 0)
        return -1;
    if (total == 0)
        return 1;
    pacta_decision_t *decision = pacta_outcome_add(out, profile, &terms->rule, PACTA_DECISION_CHARGE);
    if (!decision)
        return 0;
    const char *ref = facts->invoice->id;
    decision->date = facts->as_of;
    decision->amount = total;
    pacta_decision_set_ref(decision, ref);
    pacta_decision_set_reason(decision, "late_payment");
    s_add_charge(decision, PACTA_CHARGE_INTEREST, interest, false, ref);
    s_add_charge(decision, PACTA_CHARGE_FLAT_INDEMNITY, indemnity, false, ref);
    s_add_charge(decision, PACTA_CHARGE_REMINDER_FEE, fees.reminder_fees, terms->fees_include_vat, ref);
    s_add_charge(decision, PACTA_CHARGE_FORMAL_NOTICE_FEE, fees.formal_notice_fees, terms->fees_include_vat, ref);
    s_explain_lateness(decision, facts, late);
    *decision_p = decision;
    return 0;
}

int
rule_sg8c_professional_late_charges(const pacta_profile_t *profile, const pacta_late_facts_t *facts,
                                    pacta_outcome_t *out)
{
    assert(profile && out);
    const pacta_late_payment_terms_t *terms = &profile->late_payment.professional;
    if (!s_facts_valid(facts))
        return -1;
    if (!pacta_rule_enabled(&terms->rule) || facts->contract->client.kind != PACTA_CLIENT_PROFESSIONAL)
        return 0;
    if (pacta_late_charges_held(facts))
        return rule_sg8e_hold_disputed_charges(profile, facts, out);
    s_lateness_t late;
    if (!s_lateness(facts, &late))
        return 0;

    s_rate_rule_t rate_rule = {.commercial = false, .points = terms->interest_points_over_legal_rate,
                               .capped = false};
    s_interest_t interest;
    if (s_interest(profile, facts, &late, terms->interest_accrual, &rate_rule, &interest) != 0)
        return -1;
    pacta_cents_t indemnity = 0;
    if (pacta_late_flat_indemnity(terms, late.unpaid_at_due, &indemnity) != 0)
        return -1;
    s_fee_rule_t fee_rule = {.free_reminders = terms->free_reminders,
                             .limited = terms->charged_reminders_limited,
                             .max_charged = terms->charged_reminders_max,
                             .reminder_fee = terms->reminder_fee,
                             .formal_notice_fee = terms->formal_notice_fee,
                             .plus_postage = terms->reminder_fee_plus_postage,
                             .charged_after = PACTA_DATE_INVALID};
    s_fees_t fees;
    pacta_decision_t *decision = NULL;
    int charged = s_charge_decision(profile, terms, facts, &late, interest.interest, indemnity, &fee_rule, out,
                                    &fees, &decision);
    if (charged != 0)
        return charged > 0 ? 0 : -1;   /* nothing owed, or an error */
    if (!decision)
        return pacta_outcome_status(out);
    pacta_explain_money(decision, PACTA_ROLE_INPUT, "unpaid_at_due", late.unpaid_at_due);
    pacta_explain_bp(decision, PACTA_ROLE_PARAMETER, "points", terms->interest_points_over_legal_rate);
    if (terms->flat_indemnity_method == PACTA_INDEMNITY_PERCENT)
        pacta_explain_bp(decision, PACTA_ROLE_PARAMETER, "flat_indemnity_percent", terms->flat_indemnity_percent);
    pacta_explain_money(decision, PACTA_ROLE_PARAMETER, "flat_indemnity_min", terms->flat_indemnity_min);
    if (terms->flat_indemnity_capped)
        pacta_explain_money(decision, PACTA_ROLE_PARAMETER, "flat_indemnity_max", terms->flat_indemnity_max);
    s_explain_fee_terms(decision, &fee_rule);
    pacta_explain_flag(decision, PACTA_ROLE_PARAMETER, "fees_include_vat", terms->fees_include_vat);
    pacta_explain_int(decision, PACTA_ROLE_RESULT, "periods", interest.periods);
    pacta_explain_bp(decision, PACTA_ROLE_RESULT, "annual_rate", interest.first_rate);
    pacta_explain_money(decision, PACTA_ROLE_RESULT, "interest", interest.interest);
    pacta_explain_money(decision, PACTA_ROLE_RESULT, "flat_indemnity", indemnity);
    pacta_explain_int(decision, PACTA_ROLE_RESULT, "reminders_charged", fees.reminders_charged);
    pacta_explain_money(decision, PACTA_ROLE_RESULT, "reminder_fees", fees.reminder_fees);
    pacta_explain_money(decision, PACTA_ROLE_RESULT, "formal_notice_fees", fees.formal_notice_fees);

    pacta_decision_head(decision, "Late-payment charges of {amount} invoiced on {date}",
                        "Frais de retard de {amount} facturés le {date}");
    if (terms->interest_accrual == PACTA_ACCRUAL_MONTH_STARTED)
        pacta_decision_because(
            decision,
            "business invoice {invoice} of {invoice_amount} due {due_on} was late through {late_until}; "
            "{periods} month(s) started at the legal rate + {points} ({annual_rate} in the first) give "
            "interest {interest}, the flat indemnity on {unpaid_at_due} unpaid is {flat_indemnity}, "
            "{reminders_charged} reminder(s) cost {reminder_fees} and the formal notice {formal_notice_fees}",
            "la facture professionnelle {invoice} de {invoice_amount} échue le {due_on} est restée en retard "
            "jusqu'au {late_until} ; {periods} mois entamé(s) au taux légal majoré de {points} ({annual_rate} "
            "le premier) donnent {interest} d'intérêts, l'indemnité forfaitaire sur {unpaid_at_due} impayés "
            "est de {flat_indemnity}, {reminders_charged} rappel(s) coûtent {reminder_fees} et la mise en "
            "demeure {formal_notice_fees}");
    else
        pacta_decision_because(
            decision,
            "business invoice {invoice} of {invoice_amount} due {due_on} was late through {late_until}; "
            "{periods} day(s) at the legal rate + {points} ({annual_rate} on the first) give interest "
            "{interest}, the flat indemnity on {unpaid_at_due} unpaid is {flat_indemnity}, "
            "{reminders_charged} reminder(s) cost {reminder_fees} and the formal notice {formal_notice_fees}",
            "la facture professionnelle {invoice} de {invoice_amount} échue le {due_on} est restée en retard "
            "jusqu'au {late_until} ; {periods} jour(s) au taux légal majoré de {points} ({annual_rate} le "
            "premier) donnent {interest} d'intérêts, l'indemnité forfaitaire sur {unpaid_at_due} impayés "
            "est de {flat_indemnity}, {reminders_charged} rappel(s) coûtent {reminder_fees} et la mise en "
            "demeure {formal_notice_fees}");
    return pacta_outcome_status(out);
}

int
rule_l1_hold_consumer_charges(const pacta_profile_t *profile, const pacta_late_facts_t *facts,
                              pacta_outcome_t *out)
{
    assert(profile && out);
    if (!s_facts_valid(facts))
        return -1;
    if (facts->contract->client.kind != PACTA_CLIENT_CONSUMER)
        return 0;
    pacta_l1_window_t window;
    if (pacta_l1_window(profile, facts, &window) != 0)
        return -1;
    if (window.state == PACTA_L1_PASSED || window.state == PACTA_L1_NOT_LATE)
        return 0;

    const pacta_consumer_debt_law_t *law = &profile->statutes.consumer_debt;
    pacta_decision_t *decision = pacta_outcome_add_statute(out, &law->statute, PACTA_DECISION_RECORD);
    if (!decision)
        return pacta_outcome_status(out);
    const pacta_invoice_t *invoice = facts->invoice;
    pacta_decision_set_ref(decision, invoice->id);
    pacta_explain_text(decision, PACTA_ROLE_INPUT, "invoice", invoice->id);
    pacta_explain_date(decision, PACTA_ROLE_INPUT, "due_on", s_due_on(facts));
    pacta_explain_int(decision, PACTA_ROLE_PARAMETER, "waiting_days", law->waiting_calendar_days_after_first_reminder);
    if (window.state == PACTA_L1_NO_FIRST_REMINDER) {
        decision->date = facts->as_of;
        pacta_decision_set_reason(decision, "l1_no_first_reminder");
        pacta_explain_date(decision, PACTA_ROLE_INPUT, "as_of", facts->as_of);
        pacta_decision_head(decision, "Nothing charged on {date}", "Rien n'est facturé le {date}");
        pacta_decision_because(decision,
                               "consumer invoice {invoice} due {due_on} is late but no first reminder was sent; "
                               "a consumer owes charges only {waiting_days} days after a free first reminder",
                               "la facture {invoice} du consommateur, échue le {due_on}, est en retard mais "
                               "aucun premier rappel n'a été envoyé ; un consommateur ne doit des frais que "
                               "{waiting_days} jours après un premier rappel gratuit");
        return pacta_outcome_status(out);
    }
    pacta_explain_date(decision, PACTA_ROLE_INPUT, "first_reminder_sent_on", window.first_reminder_sent_on);
    pacta_explain_date(decision, PACTA_ROLE_RESULT, "window_from", window.window_from);
    pacta_explain_date(decision, PACTA_ROLE_RESULT, "window_to", window.window_to);
    if (window.state == PACTA_L1_PAID_IN_WINDOW) {
        s_lateness_t late;
        s_lateness(facts, &late);
        decision->date = late.paid_on;
        pacta_decision_set_reason(decision, "l1_paid_in_window");
        pacta_explain_date(decision, PACTA_ROLE_INPUT, "paid_on", late.paid_on);
        pacta_decision_head(decision, "No late charges", "Aucuns frais de retard");
        pacta_decision_because(decision,
                               "consumer invoice {invoice} was paid on {paid_on}, within the {waiting_days} "
                               "days ({window_from} to {window_to}) after the first reminder of "
                               "{first_reminder_sent_on}, so nothing is ever charged",
                               "la facture {invoice} du consommateur a été payée le {paid_on}, dans les "
                               "{waiting_days} jours (du {window_from} au {window_to}) suivant le premier "
                               "rappel du {first_reminder_sent_on} : aucuns frais ne seront jamais facturés");
        return pacta_outcome_status(out);
    }
    decision->date = window.charges_from;
    pacta_decision_set_reason(decision, "l1_window");
    pacta_decision_add_timer(decision, "l1_window_passed", window.charges_from, invoice->id);
    pacta_decision_head(decision, "Nothing charged before {date}", "Rien n'est facturé avant le {date}");
    pacta_decision_because(decision,
                           "the first reminder for consumer invoice {invoice} was sent on "
                           "{first_reminder_sent_on}; no charge may be made during the {waiting_days} days "
                           "from {window_from} to {window_to}",
                           "le premier rappel de la facture {invoice} du consommateur a été envoyé le "
                           "{first_reminder_sent_on} ; aucuns frais ne peuvent être facturés pendant les "
                           "{waiting_days} jours du {window_from} au {window_to}");
    return pacta_outcome_status(out);
}

int
rule_sg8d_consumer_late_charges(const pacta_profile_t *profile, const pacta_late_facts_t *facts,
                                pacta_outcome_t *out)
{
    assert(profile && out);
    const pacta_late_payment_terms_t *terms = &profile->late_payment.consumer;
    const pacta_consumer_debt_law_t *law = &profile->statutes.consumer_debt;
    if (!s_facts_valid(facts))
        return -1;
    if (!pacta_rule_enabled(&terms->rule) || facts->contract->client.kind != PACTA_CLIENT_CONSUMER)
        return 0;
    if (pacta_late_charges_held(facts))
        return rule_sg8e_hold_disputed_charges(profile, facts, out);
    pacta_l1_window_t window;
    if (pacta_l1_window(profile, facts, &window) != 0)
        return -1;
    if (window.state != PACTA_L1_PASSED)
        return rule_l1_hold_consumer_charges(profile, facts, out);
    s_lateness_t late;
    s_lateness(facts, &late);

    //  L-1 (2): interest from the due date, the rate never above the
    //  commercial one when the statute says so.
    s_rate_rule_t rate_rule = {.commercial = false, .points = terms->interest_points_over_legal_rate,
                               .capped = law->interest_capped_at_commercial_rate};
    s_interest_t interest;
    if (s_interest(profile, facts, &late, terms->interest_accrual, &rate_rule, &interest) != 0)
        return -1;
    //  L-1 (3): damages on what is still unpaid when the window passes,
    //  cut to the statutory brackets.
    pacta_cents_t unpaid = facts->invoice->amount - s_paid_by(facts, window.window_to);
    pacta_cents_t company_indemnity = 0, damages_cap = 0;
    if (pacta_late_flat_indemnity(terms, unpaid, &company_indemnity) != 0
        || pacta_l1_damages_cap(law, unpaid, &damages_cap) != 0)
        return -1;
    pacta_cents_t indemnity = s_min(company_indemnity, damages_cap);
    //  L-1 (3), (4): at least the statute's free reminders, each fee cut to
    //  the cap, postage only where both allow it, no fee for a letter sent
    //  inside the window.
    s_fee_rule_t fee_rule = {
        .free_reminders = terms->free_reminders > law->free_reminders ? terms->free_reminders : law->free_reminders,
        .limited = terms->charged_reminders_limited,
        .max_charged = terms->charged_reminders_max,
        .reminder_fee = s_min(terms->reminder_fee, law->reminder_fee_cap),
        .formal_notice_fee = s_min(terms->formal_notice_fee, law->reminder_fee_cap),
        .plus_postage = terms->reminder_fee_plus_postage && law->reminder_fee_cap_plus_postage,
        .charged_after = window.window_to};
    s_fees_t fees;
    pacta_decision_t *decision = NULL;
    int charged = s_charge_decision(profile, terms, facts, &late, interest.interest, indemnity, &fee_rule, out,
                                    &fees, &decision);
    if (charged != 0)
        return charged > 0 ? 0 : -1;   /* nothing owed, or an error */
    if (!decision)
        return pacta_outcome_status(out);
    pacta_explain_date(decision, PACTA_ROLE_INPUT, "first_reminder_sent_on", window.first_reminder_sent_on);
    pacta_explain_money(decision, PACTA_ROLE_INPUT, "unpaid", unpaid);
    pacta_explain_bp(decision, PACTA_ROLE_PARAMETER, "points", terms->interest_points_over_legal_rate);
    pacta_explain_flag(decision, PACTA_ROLE_PARAMETER, "rate_capped_at_commercial",
                       law->interest_capped_at_commercial_rate);
    s_explain_fee_terms(decision, &fee_rule);
    pacta_explain_date(decision, PACTA_ROLE_RESULT, "window_to", window.window_to);
    pacta_explain_int(decision, PACTA_ROLE_RESULT, "periods", interest.periods);
    pacta_explain_bp(decision, PACTA_ROLE_RESULT, "annual_rate", interest.first_rate);
    pacta_explain_money(decision, PACTA_ROLE_RESULT, "interest", interest.interest);
    pacta_explain_money(decision, PACTA_ROLE_RESULT, "company_indemnity", company_indemnity);
    pacta_explain_money(decision, PACTA_ROLE_RESULT, "damages_cap", damages_cap);
    pacta_explain_money(decision, PACTA_ROLE_RESULT, "flat_indemnity", indemnity);
    pacta_explain_int(decision, PACTA_ROLE_RESULT, "reminders_charged", fees.reminders_charged);
    pacta_explain_money(decision, PACTA_ROLE_RESULT, "reminder_fees", fees.reminder_fees);

    pacta_decision_head(decision, "Late-payment charges of {amount} invoiced on {date}",
                        "Frais de retard de {amount} facturés le {date}");
    if (terms->interest_accrual == PACTA_ACCRUAL_MONTH_STARTED)
        pacta_decision_because(
            decision,
            "consumer invoice {invoice} of {invoice_amount} due {due_on} was still unpaid after the L-1 "
            "window ended on {window_to} and late through {late_until}; {periods} month(s) started at "
            "{annual_rate} in the first give interest {interest}, the flat indemnity on {unpaid} is "
            "{flat_indemnity} (L-1 cap {damages_cap}) and {reminders_charged} reminder(s) cost {reminder_fees}",
            "la facture {invoice} du consommateur, de {invoice_amount} échue le {due_on}, restait impayée "
            "après la fin du délai L-1 le {window_to} et en retard jusqu'au {late_until} ; {periods} mois "
            "entamé(s) à {annual_rate} le premier donnent {interest} d'intérêts, l'indemnité forfaitaire sur "
            "{unpaid} est de {flat_indemnity} (plafond L-1 {damages_cap}) et {reminders_charged} rappel(s) "
            "coûtent {reminder_fees}");
    else
        pacta_decision_because(
            decision,
            "consumer invoice {invoice} of {invoice_amount} due {due_on} was still unpaid after the L-1 "
            "window ended on {window_to} and late through {late_until}; {periods} day(s) at {annual_rate} "
            "on the first give interest {interest}, the flat indemnity on {unpaid} is {flat_indemnity} "
            "(L-1 cap {damages_cap}) and {reminders_charged} reminder(s) cost {reminder_fees}",
            "la facture {invoice} du consommateur, de {invoice_amount} échue le {due_on}, restait impayée "
            "après la fin du délai L-1 le {window_to} et en retard jusqu'au {late_until} ; {periods} jour(s) "
            "à {annual_rate} le premier donnent {interest} d'intérêts, l'indemnité forfaitaire sur {unpaid} "
            "est de {flat_indemnity} (plafond L-1 {damages_cap}) et {reminders_charged} rappel(s) coûtent "
            "{reminder_fees}");
    return pacta_outcome_status(out);
}

int
rule_l2_b2b_late_payment(const pacta_profile_t *profile, const pacta_late_facts_t *facts, pacta_outcome_t *out)
{
    assert(profile && out);
    const pacta_b2b_late_payment_law_t *law = &profile->statutes.b2b_late_payment;
    const pacta_late_payment_terms_t *terms = &profile->late_payment.professional;
    if (!s_facts_valid(facts))
        return -1;
    if (law->mode == PACTA_RULE_OFF || facts->contract->client.kind != PACTA_CLIENT_PROFESSIONAL)
        return 0;
    bool terms_apply = pacta_rule_enabled(&terms->rule);
    if (pacta_late_charges_held(facts))
        //  SG-8c reports the hold when the terms have late charges.
        return terms_apply ? 0 : rule_sg8e_hold_disputed_charges(profile, facts, out);
    s_lateness_t late;
    if (!s_lateness(facts, &late))
        return 0;

    //  The 40.00 is due unless the terms name a higher fee: L-2 tops the
    //  terms' own flat indemnity up to it, never adds it on top.
    pacta_cents_t terms_indemnity = 0;
    if (terms_apply && pacta_late_flat_indemnity(terms, late.unpaid_at_due, &terms_indemnity) != 0)
        return -1;
    pacta_cents_t compensation = law->recovery_compensation > terms_indemnity
                                     ? law->recovery_compensation - terms_indemnity
                                     : 0;
    //  Commercial-rate interest only when the terms agree none of their own.
    s_interest_t interest;
    memset(&interest, 0, sizeof interest);
    if (!terms_apply) {
        s_rate_rule_t rate_rule = {.commercial = true, .points = 0, .capped = false};
        if (s_interest(profile, facts, &late, PACTA_ACCRUAL_DAILY, &rate_rule, &interest) != 0)
            return -1;
    }
    pacta_cents_t total = 0;
    if (pacta_money_add(compensation, interest.interest, &total) != 0)
        return -1;
    if (total == 0)
        return 0;

    pacta_decision_t *decision = pacta_outcome_add_statute(out, &law->statute, PACTA_DECISION_CHARGE);
    if (!decision)
        return pacta_outcome_status(out);
    if (law->mode == PACTA_RULE_PROPOSE)
        decision->status = PACTA_DECISION_PROPOSAL;
    const char *ref = facts->invoice->id;
    decision->date = facts->as_of;
    decision->amount = total;
    pacta_decision_set_ref(decision, ref);
    pacta_decision_set_reason(decision, "late_payment");
    s_add_charge(decision, PACTA_CHARGE_RECOVERY_COMPENSATION, compensation, false, ref);
    s_add_charge(decision, PACTA_CHARGE_INTEREST, interest.interest, false, ref);
    s_explain_lateness(decision, facts, &late);
    pacta_explain_money(decision, PACTA_ROLE_INPUT, "unpaid_at_due", late.unpaid_at_due);
    pacta_explain_money(decision, PACTA_ROLE_PARAMETER, "recovery_compensation", law->recovery_compensation);
    pacta_explain_flag(decision, PACTA_ROLE_PARAMETER, "terms_name_late_charges", terms_apply);
    pacta_explain_money(decision, PACTA_ROLE_RESULT, "terms_indemnity", terms_indemnity);
    pacta_explain_money(decision, PACTA_ROLE_RESULT, "compensation", compensation);
    pacta_explain_int(decision, PACTA_ROLE_RESULT, "periods", interest.periods);
    pacta_explain_money(decision, PACTA_ROLE_RESULT, "interest", interest.interest);
    pacta_decision_head(decision, "Late-payment charges of {amount} invoiced on {date}",
                        "Frais de retard de {amount} facturés le {date}");
    pacta_decision_because(
        decision,
        "business invoice {invoice} of {invoice_amount} due {due_on} was late through {late_until}; the "
        "statutory recovery compensation of {recovery_compensation} exceeds the terms' indemnity "
        "({terms_indemnity}) by {compensation}, and interest at the commercial rate over {periods} day(s) "
        "is {interest}",
        "la facture professionnelle {invoice} de {invoice_amount} échue le {due_on} est restée en retard "
        "jusqu'au {late_until} ; l'indemnité légale de recouvrement de {recovery_compensation} dépasse "
        "l'indemnité des conditions ({terms_indemnity}) de {compensation}, et les intérêts au taux "
        "commercial sur {periods} jour(s) sont de {interest}");
    return pacta_outcome_status(out);
}

int
rule_l2_default_due_date(const pacta_profile_t *profile, const pacta_client_t *client,
                         const pacta_invoice_t *invoice, pacta_outcome_t *out)
{
    assert(profile && out);
    const pacta_b2b_late_payment_law_t *law = &profile->statutes.b2b_late_payment;
    if (!client || !invoice || !pacta_date_is_valid(invoice->issued_on))
        return -1;
    if (client->kind != PACTA_CLIENT_PROFESSIONAL || pacta_rule_enabled(&profile->invoicing.rule))
        return 0;
    //  Invoices go out electronically on issue: without a proven receipt
    //  date the issue date stands for it (as in SG-8e).
    pacta_date_t received_on = pacta_date_is_valid(invoice->received_on) ? invoice->received_on
                                                                         : invoice->issued_on;
    pacta_date_t latest = received_on + law->max_agreed_due_calendar_days;
    bool printed = pacta_date_is_valid(invoice->printed_due_on);
    bool void_term = printed && invoice->printed_due_on > latest;
    pacta_decision_t *decision = pacta_outcome_add_statute(out, &law->statute,
                                                           void_term ? PACTA_DECISION_REFUSE
                                                                     : PACTA_DECISION_DEADLINE);
    if (!decision)
        return pacta_outcome_status(out);
    pacta_decision_set_ref(decision, invoice->id);
    pacta_explain_text(decision, PACTA_ROLE_INPUT, "invoice", invoice->id);
    pacta_explain_date(decision, PACTA_ROLE_INPUT, "received_on", received_on);
    if (void_term) {
        pacta_decision_set_reason(decision, "due_term_void");
        pacta_explain_date(decision, PACTA_ROLE_INPUT, "printed_due_on", invoice->printed_due_on);
        pacta_explain_int(decision, PACTA_ROLE_PARAMETER, "max_days", law->max_agreed_due_calendar_days);
        pacta_explain_date(decision, PACTA_ROLE_RESULT, "latest_due_on", latest);
        pacta_decision_because(decision,
                               "invoice {invoice} received {received_on} prints due date {printed_due_on}, "
                               "more than {max_days} days later ({latest_due_on} at the latest): such a "
                               "payment term is void between businesses",
                               "la facture {invoice} reçue le {received_on} porte l'échéance "
                               "{printed_due_on}, plus de {max_days} jours après ({latest_due_on} au plus "
                               "tard) : un tel délai de paiement est nul entre entreprises");
        return pacta_outcome_status(out);
    }
    decision->date = printed ? invoice->printed_due_on : received_on + law->default_due_calendar_days;
    pacta_decision_set_reason(decision, printed ? "printed_due_date" : "statutory_due_date");
    pacta_decision_add_timer(decision, "due_date_passed", decision->date + 1, invoice->id);
    pacta_explain_int(decision, PACTA_ROLE_PARAMETER, "default_days", law->default_due_calendar_days);
    pacta_explain_date(decision, PACTA_ROLE_RESULT, "due_on", decision->date);
    pacta_decision_head(decision, "Due on {date}", "Échéance le {date}");
    if (printed)
        pacta_decision_because(decision,
                               "invoice {invoice} received {received_on} prints its own due date, within the "
                               "statutory maximum",
                               "la facture {invoice} reçue le {received_on} porte sa propre échéance, dans "
                               "le maximum légal");
    else
        pacta_decision_because(decision,
                               "no payment term was agreed, so business invoice {invoice} received "
                               "{received_on} is due {default_days} calendar days later",
                               "aucun délai de paiement n'a été convenu : la facture professionnelle {invoice} "
                               "reçue le {received_on} est payable {default_days} jours calendrier plus tard");
    return pacta_outcome_status(out);
}

int
pacta_late_charges_evaluate(const pacta_profile_t *profile, const pacta_late_facts_t *facts, pacta_outcome_t *out)
{
    assert(profile && out);
    if (!s_facts_valid(facts))
        return -1;
    if (pacta_late_charges_held(facts))
        return rule_sg8e_hold_disputed_charges(profile, facts, out);
    if (facts->contract->client.kind == PACTA_CLIENT_PROFESSIONAL) {
        if (rule_sg8c_professional_late_charges(profile, facts, out) != 0)
            return -1;
        return rule_l2_b2b_late_payment(profile, facts, out);
    }
    return rule_sg8d_consumer_late_charges(profile, facts, out);
}
