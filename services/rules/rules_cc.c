/*  =========================================================================
    rules_cc - the CapConnect rules, CC-1 to CC-14 (CC-12 in rules_retention)

    Each rule reads the facts it is given and the figures of its profile
    block, and explains itself with the inputs, parameters and results it
    used. Key decision: rules never keep state between calls and never look
    at "now": the caller passes the legal date it evaluates on (`today`, a
    timer's date, a payment's value date), so replaying a contract's history
    reproduces the same decisions. Periods and anniversaries are always
    computed from the start date (pacta_anniversary), never chained.
    =========================================================================
*/
#include "rules_cc.h"

#include <assert.h>
#include <string.h>

#define IN PACTA_ROLE_INPUT
#define PARAM PACTA_ROLE_PARAMETER
#define RESULT PACTA_ROLE_RESULT

/* ---- calendar ------------------------------------------------------------ */

pacta_date_t
pacta_cc_period_last_day(const pacta_profile_t *profile, pacta_date_t start, int k)
{
    assert(profile);
    if (k < 0 || !pacta_date_is_valid(start) || !pacta_rule_enabled(&profile->initial_term.rule))
        return PACTA_DATE_INVALID;
    int renewal = pacta_rule_enabled(&profile->tacit_renewal.rule) ? profile->tacit_renewal.renewal_months : 0;
    if (k > 0 && renewal <= 0)
        return PACTA_DATE_INVALID;
    int64_t months = (int64_t) profile->initial_term.months + (int64_t) k * renewal;
    if (months > 12 * 9000)
        return PACTA_DATE_INVALID;
    pacta_date_t end = pacta_add_months(start, (int) months);
    return end == PACTA_DATE_INVALID ? PACTA_DATE_INVALID : end - 1;
}

int
pacta_cc_period_index(const pacta_profile_t *profile, pacta_date_t start, pacta_date_t date)
{
    assert(profile);
    if (!pacta_date_is_valid(start) || !pacta_date_is_valid(date) || date < start)
        return -1;
    for (int k = 0; k < 12 * 9000; k++) {
        pacta_date_t last = pacta_cc_period_last_day(profile, start, k);
        if (last == PACTA_DATE_INVALID)
            return -1;
        if (last >= date)
            return k;
    }
    return -1;
}

pacta_date_t
pacta_cc_non_renewal_deadline(const pacta_profile_t *profile, pacta_date_t start, int k)
{
    assert(profile);
    pacta_date_t last = pacta_cc_period_last_day(profile, start, k);
    if (last == PACTA_DATE_INVALID || !pacta_rule_enabled(&profile->tacit_renewal.rule))
        return PACTA_DATE_INVALID;
    return pacta_add_months(last, -profile->tacit_renewal.non_renewal_notice_months);
}

pacta_date_t
pacta_cc_invoice_due_on(const pacta_profile_t *profile, pacta_date_t issued_on, pacta_date_t printed_due_on)
{
    assert(profile);
    if (!pacta_date_is_valid(issued_on))
        return PACTA_DATE_INVALID;
    if (profile->invoicing.due_date_on_invoice_prevails && pacta_date_is_valid(printed_due_on))
        return printed_due_on;
    return pacta_calendar_days_deadline(issued_on, profile->invoicing.due_calendar_days);
}

//  The first day suspension may start for an invoice due on due_on.
static pacta_date_t
s_suspension_first_day(const pacta_profile_t *profile, pacta_date_t due_on)
{
    return due_on + 1 + profile->unpaid_suspension.grace_calendar_days;
}

static bool
s_invoice_counts(const pacta_invoice_t *invoice)
{
    //  Credited invoices are not owed; disputed ones (SG-8e) do not suspend.
    return invoice->state != PACTA_INVOICE_CREDITED && invoice->state != PACTA_INVOICE_DISPUTED;
}

/* ---- CC-1 ------------------------------------------------------------------ */

int
rule_cc1_check_contract(const pacta_profile_t *profile, const pacta_contract_t *contract, pacta_outcome_t *out)
{
    assert(profile && contract && out);
    const pacta_catalogue_t *catalogue = &profile->catalogue;
    if (!pacta_rule_enabled(&catalogue->rule))
        return 0;
    const char *reason = NULL;
    const char *why_en = NULL;
    const char *why_fr = NULL;
    pacta_cents_t annual_fee = 0;
    if (contract->kind == PACTA_CONTRACT_A_LA_CARTE) {
        if (!catalogue->a_la_carte_services) {
            reason = "a_la_carte_not_offered";
            why_en = "contract {contract} is an à-la-carte order, which the catalogue does not offer";
            why_fr = "le contrat {contract} est une commande à la carte, que le catalogue ne propose pas";
        }
    }
    else if (!pacta_profile_find_pack(profile, contract->pack_id)) {
        reason = "unknown_pack";
        why_en = "pack \"{pack}\" of contract {contract} is not a pack of the catalogue";
        why_fr = "le pack « {pack} » du contrat {contract} n'est pas un pack du catalogue";
    }
    else if (pacta_billing_period_months(contract->billing_period) == 0
             || (catalogue->billing_periods & contract->billing_period) == 0) {
        reason = "billing_period_not_offered";
        why_en = "the billing period of contract {contract} is not one the catalogue offers";
        why_fr = "la périodicité de facturation du contrat {contract} n'est pas proposée par le catalogue";
    }
    else if (contract->fee_per_period < 0 || pacta_contract_annual_fee(contract, &annual_fee) != 0) {
        reason = "invalid_fee";
        why_en = "the fee of contract {contract} is not a valid amount";
        why_fr = "le prix du contrat {contract} n'est pas un montant valable";
    }

    pacta_decision_t *decision
        = pacta_outcome_add(out, profile, &catalogue->rule, reason ? PACTA_DECISION_REFUSE : PACTA_DECISION_ACCEPT);
    if (!decision)
        return -1;
    pacta_decision_set_ref(decision, contract->id);
    pacta_explain_text(decision, IN, "contract", contract->id);
    pacta_explain_text(decision, IN, "pack", contract->pack_id);
    if (reason) {
        pacta_decision_set_reason(decision, reason);
        pacta_decision_because(decision, why_en, why_fr);
    }
    else {
        decision->amount = annual_fee;
        decision->date = contract->start_on;
        pacta_explain_money(decision, IN, "fee_per_period", contract->fee_per_period);
        pacta_explain_int(decision, IN, "period_months", pacta_billing_period_months(contract->billing_period));
        pacta_explain_money(decision, RESULT, "annual_fee", annual_fee);
        pacta_decision_head(decision, "Contract {contract} accepted", "Contrat {contract} accepté");
        if (contract->kind == PACTA_CONTRACT_A_LA_CARTE)
            pacta_decision_because(decision, "an à-la-carte order", "une commande à la carte");
        else
            pacta_decision_because(decision,
                                   "pack \"{pack}\" at {fee_per_period} per {period_months}-month period, "
                                   "an annual subscription of {annual_fee}",
                                   "pack « {pack} » à {fee_per_period} par période de {period_months} mois, "
                                   "soit un abonnement annuel de {annual_fee}");
    }
    return pacta_outcome_status(out);
}

/* ---- CC-17 ----------------------------------------------------------------- */

int
rule_cc17_set_start_date(const pacta_profile_t *profile, const pacta_contract_t *contract, pacta_outcome_t *out)
{
    assert(profile && contract && out);
    const pacta_contract_start_t *terms = &profile->contract_start;
    if (!pacta_rule_enabled(&terms->rule))
        return 0;
    const pacta_formation_t *facts = &contract->formation;
    //  Each fact the profile counts, with its name for the explanation.
    struct {
        unsigned bit;       //  PACTA_START_* bit of the fact
        pacta_date_t date;  //  its date, INVALID when unknown
        const char *name;   //  value name in the explanation
    } candidates[] = {
        {PACTA_START_ORDER_FORM_SIGNED, facts->order_form_signed_on, "order_form_signed_on"},
        {PACTA_START_E_SIGNATURE, facts->e_signed_on, "e_signed_on"},
        {PACTA_START_QUOTE_VALIDATED, facts->quote_validated_on, "quote_validated_on"},
        {PACTA_START_FIRST_USE, facts->first_used_on, "first_used_on"},
    };
    size_t count = sizeof candidates / sizeof candidates[0];
    pacta_date_t earliest = PACTA_DATE_INVALID;
    const char *earliest_name = NULL;
    for (size_t i = 0; i < count; i++) {
        if ((terms->starts_at_earliest_of & candidates[i].bit) == 0 || !pacta_date_is_valid(candidates[i].date))
            continue;
        if (earliest == PACTA_DATE_INVALID || candidates[i].date < earliest) {
            earliest = candidates[i].date;
            earliest_name = candidates[i].name;
        }
    }
    if (earliest == PACTA_DATE_INVALID)
        return 0;
    bool known = pacta_date_is_valid(contract->start_on);
    if (known && earliest >= contract->start_on)
        return 0;

    pacta_decision_t *decision = pacta_outcome_add(out, profile, &terms->rule, PACTA_DECISION_START);
    if (!decision)
        return -1;
    decision->date = earliest;
    pacta_decision_set_ref(decision, contract->id);
    for (size_t i = 0; i < count; i++)
        if ((terms->starts_at_earliest_of & candidates[i].bit) && pacta_date_is_valid(candidates[i].date))
            pacta_explain_date(decision, IN, candidates[i].name, candidates[i].date);
    pacta_explain_text(decision, RESULT, "earliest_fact", earliest_name);
    pacta_explain_date(decision, RESULT, "start_on", earliest);
    if (known) {
        pacta_explain_date(decision, IN, "previous_start_on", contract->start_on);
        pacta_explain_flag(decision, IN, "invoice_issued", contract->invoice_issued);
        if (contract->invoice_issued) {
            //  Moving the start after invoicing shifts every anniversary:
            //  a person confirms (rules.md CC-17 interpretation).
            decision->status = PACTA_DECISION_PROPOSAL;
            pacta_decision_because(decision,
                                   "an earlier fact ({earliest_fact}) moves the start back from "
                                   "{previous_start_on}, but invoices were already issued, so an operator "
                                   "must confirm",
                                   "un fait antérieur ({earliest_fact}) avance le début du {previous_start_on}, "
                                   "mais des factures ont déjà été émises : un opérateur doit confirmer");
        }
        else
            pacta_decision_because(decision,
                                   "an earlier fact ({earliest_fact}) moves the start back from "
                                   "{previous_start_on}",
                                   "un fait antérieur ({earliest_fact}) avance le début du {previous_start_on}");
    }
    else
        pacta_decision_because(decision, "the contract starts at the earliest of its formation facts "
                                         "({earliest_fact})",
                               "le contrat commence au premier de ses faits de conclusion ({earliest_fact})");
    return pacta_outcome_status(out);
}

/* ---- CC-2a ----------------------------------------------------------------- */

int
rule_cc2a_initial_term(const pacta_profile_t *profile, const pacta_contract_t *contract, pacta_outcome_t *out)
{
    assert(profile && contract && out);
    const pacta_initial_term_t *terms = &profile->initial_term;
    if (!pacta_rule_enabled(&terms->rule))
        return 0;
    pacta_date_t last_day = pacta_cc_period_last_day(profile, contract->start_on, 0);
    if (last_day == PACTA_DATE_INVALID)
        return -1;
    pacta_decision_t *decision = pacta_outcome_add(out, profile, &terms->rule, PACTA_DECISION_TERM);
    if (!decision)
        return -1;
    decision->date = contract->start_on;
    decision->until = last_day;
    pacta_decision_set_ref(decision, contract->id);
    pacta_explain_date(decision, IN, "start_on", contract->start_on);
    pacta_explain_int(decision, PARAM, "term_months", terms->months);
    pacta_explain_date(decision, RESULT, "last_day", last_day);
    pacta_decision_add_timer(decision, "term_end", last_day + 1, contract->id);
    pacta_decision_head(decision, "Initial term from {date} to {until}", "Durée initiale du {date} au {until}");
    pacta_decision_because(decision, "a {term_months}-month term ends the day before add_months(start, {term_months})",
                           "une durée de {term_months} mois se termine la veille de add_months(début, "
                           "{term_months})");
    return pacta_outcome_status(out);
}

/* ---- CC-2b ----------------------------------------------------------------- */

int
rule_cc2b_record_non_renewal(const pacta_profile_t *profile, const pacta_contract_t *contract,
                             const pacta_letter_t *notice, pacta_outcome_t *out)
{
    assert(profile && contract && notice && out);
    const pacta_tacit_renewal_t *terms = &profile->tacit_renewal;
    if (!pacta_rule_enabled(&terms->rule))
        return 0;
    if (!pacta_date_is_valid(notice->sent_on) || !pacta_date_is_valid(contract->start_on))
        return -1;
    bool by_receipt = terms->notice_date == PACTA_NOTICE_DATE_RECEIPT;
    pacta_date_t counted_on = by_receipt ? pacta_letter_received_on(profile, notice) : notice->sent_on;
    //  The period the notice is sent in, then the first one whose deadline it meets.
    int first = pacta_cc_period_index(profile, contract->start_on, counted_on < contract->start_on
                                                                        ? contract->start_on
                                                                        : counted_on);
    if (first < 0)
        return -1;
    //  A deadline is normally met by the next period; a profile whose notice
    //  is longer than its renewal period may need a few more.
    int k = first;
    while (k < first + 1200 && counted_on > pacta_cc_non_renewal_deadline(profile, contract->start_on, k))
        k++;
    pacta_date_t missed_deadline = pacta_cc_non_renewal_deadline(profile, contract->start_on, first);
    pacta_date_t missed_last_day = pacta_cc_period_last_day(profile, contract->start_on, first);
    pacta_date_t last_day = pacta_cc_period_last_day(profile, contract->start_on, k);
    pacta_date_t deadline = pacta_cc_non_renewal_deadline(profile, contract->start_on, k);
    if (last_day == PACTA_DATE_INVALID || deadline == PACTA_DATE_INVALID || counted_on > deadline)
        return -1;

    pacta_decision_t *decision = pacta_outcome_add(out, profile, &terms->rule, PACTA_DECISION_TERMINATE);
    if (!decision)
        return -1;
    decision->date = last_day;
    pacta_decision_set_ref(decision, contract->id);
    pacta_decision_set_reason(decision, "non_renewal");
    pacta_explain_date(decision, IN, "notice_on", counted_on);
    pacta_explain_text(decision, PARAM, "date_basis", by_receipt ? "receipt" : "postmark");
    pacta_explain_int(decision, PARAM, "notice_months", terms->non_renewal_notice_months);
    pacta_explain_int(decision, PARAM, "renewal_months", terms->renewal_months);
    pacta_explain_date(decision, RESULT, "period_last_day", missed_last_day);
    pacta_explain_date(decision, RESULT, "deadline", missed_deadline);
    pacta_explain_flag(decision, RESULT, "late", k != first);
    pacta_decision_add_timer(decision, "contract_end", last_day + 1, contract->id);
    pacta_decision_add_notification(decision, PACTA_TO_CLIENT, PACTA_CHANNEL_ANY, "non_renewal_recorded",
                                    counted_on);
    if (k == first) {
        if (by_receipt)
            pacta_decision_because(decision,
                                   "the non-renewal notice received on {notice_on} met the deadline {deadline}, "
                                   "{notice_months} months before the last day {period_last_day}",
                                   "le préavis de non-reconduction reçu le {notice_on} respecte l'échéance du "
                                   "{deadline}, {notice_months} mois avant le dernier jour {period_last_day}");
        else
            pacta_decision_because(decision,
                                   "the non-renewal notice posted on {notice_on} met the deadline {deadline}, "
                                   "{notice_months} months before the last day {period_last_day}",
                                   "le préavis de non-reconduction posté le {notice_on} respecte l'échéance du "
                                   "{deadline}, {notice_months} mois avant le dernier jour {period_last_day}");
    }
    else {
        pacta_explain_date(decision, RESULT, "renewed_until", last_day);
        if (by_receipt)
            pacta_decision_because(decision,
                                   "the non-renewal notice received on {notice_on} missed the deadline "
                                   "{deadline} of the period ending {period_last_day}, so the contract renews "
                                   "for {renewal_months} months, until {renewed_until}, and ends then",
                                   "le préavis de non-reconduction reçu le {notice_on} a manqué l'échéance du "
                                   "{deadline} de la période finissant le {period_last_day} : le contrat est "
                                   "reconduit pour {renewal_months} mois, jusqu'au {renewed_until}, et prend "
                                   "fin alors");
        else
            pacta_decision_because(decision,
                                   "the non-renewal notice posted on {notice_on} missed the deadline "
                                   "{deadline} of the period ending {period_last_day}, so the contract renews "
                                   "for {renewal_months} months, until {renewed_until}, and ends then",
                                   "le préavis de non-reconduction posté le {notice_on} a manqué l'échéance du "
                                   "{deadline} de la période finissant le {period_last_day} : le contrat est "
                                   "reconduit pour {renewal_months} mois, jusqu'au {renewed_until}, et prend "
                                   "fin alors");
    }
    return pacta_outcome_status(out);
}

int
rule_cc2b_renew_at_term_end(const pacta_profile_t *profile, const pacta_contract_t *contract, int k,
                            pacta_outcome_t *out)
{
    assert(profile && contract && out);
    const pacta_tacit_renewal_t *terms = &profile->tacit_renewal;
    if (!pacta_rule_enabled(&terms->rule))
        return 0;
    pacta_date_t last_day = pacta_cc_period_last_day(profile, contract->start_on, k);
    pacta_date_t next_last_day = pacta_cc_period_last_day(profile, contract->start_on, k + 1);
    if (last_day == PACTA_DATE_INVALID || next_last_day == PACTA_DATE_INVALID)
        return -1;
    if (pacta_date_is_valid(contract->ends_on) && contract->ends_on <= last_day)
        return 0;   //  a notice (CC-2b) or a termination already ends it
    pacta_decision_t *decision = pacta_outcome_add(out, profile, &terms->rule, PACTA_DECISION_RENEW);
    if (!decision)
        return -1;
    decision->date = last_day + 1;
    decision->until = next_last_day;
    pacta_decision_set_ref(decision, contract->id);
    pacta_explain_date(decision, IN, "period_last_day", last_day);
    pacta_explain_int(decision, PARAM, "renewal_months", terms->renewal_months);
    pacta_explain_date(decision, RESULT, "next_deadline",
                       pacta_cc_non_renewal_deadline(profile, contract->start_on, k + 1));
    pacta_decision_add_timer(decision, "term_end", next_last_day + 1, contract->id);
    pacta_decision_because(decision,
                           "no timely non-renewal notice before the period ending {period_last_day}, so it "
                           "renews tacitly for {renewal_months} months; next notice deadline {next_deadline}",
                           "aucun préavis de non-reconduction à temps avant la fin de la période le "
                           "{period_last_day} : reconduction tacite pour {renewal_months} mois ; prochaine "
                           "échéance de préavis le {next_deadline}");
    return pacta_outcome_status(out);
}

/* ---- CC-2c ----------------------------------------------------------------- */

int
rule_cc2c_early_termination(const pacta_profile_t *profile, const pacta_contract_t *contract,
                            const pacta_letter_t *letter, const pacta_ledger_t *ledger, pacta_outcome_t *out)
{
    assert(profile && contract && letter && ledger && out);
    const pacta_client_early_termination_t *terms = &profile->client_early_termination;
    if (!pacta_rule_enabled(&terms->rule))
        return 0;
    if (!pacta_date_is_valid(contract->start_on) || !pacta_date_is_valid(letter->sent_on))
        return -1;
    pacta_date_t possible_from = pacta_add_months(contract->start_on, terms->min_months_after_start);
    if (possible_from == PACTA_DATE_INVALID)
        return -1;

    if (terms->notice_by == PACTA_SENT_BY_REGISTERED_LETTER && letter->via != PACTA_SENT_REGISTERED) {
        pacta_decision_t *refusal = pacta_outcome_add(out, profile, &terms->rule, PACTA_DECISION_REFUSE);
        if (!refusal)
            return -1;
        pacta_decision_set_ref(refusal, contract->id);
        pacta_decision_set_reason(refusal, "not_registered_letter");
        pacta_explain_date(refusal, IN, "sent_on", letter->sent_on);
        pacta_explain_text(refusal, PARAM, "notice_by", "registered letter");
        pacta_decision_add_notification(refusal, PACTA_TO_CLIENT, PACTA_CHANNEL_ANY, "termination_refused",
                                        letter->sent_on);
        pacta_decision_because(refusal, "an early termination must be notified by registered letter; the "
                                        "request sent on {sent_on} was not",
                               "une résiliation anticipée doit être notifiée par courrier recommandé, ce que "
                               "n'était pas la demande envoyée le {sent_on}");
        return pacta_outcome_status(out);
    }

    pacta_date_t received_on = pacta_letter_received_on(profile, letter);
    bool presumed = letter->proven_received_on == PACTA_DATE_INVALID;
    if (received_on < possible_from) {
        pacta_decision_t *refusal = pacta_outcome_add(out, profile, &terms->rule, PACTA_DECISION_REFUSE);
        if (!refusal)
            return -1;
        refusal->date = possible_from;
        pacta_decision_set_ref(refusal, contract->id);
        pacta_decision_set_reason(refusal, "too_early");
        pacta_explain_date(refusal, IN, "start_on", contract->start_on);
        pacta_explain_date(refusal, IN, "sent_on", letter->sent_on);
        pacta_explain_date(refusal, RESULT, "received_on", received_on);
        pacta_explain_flag(refusal, RESULT, "receipt_presumed", presumed);
        pacta_explain_int(refusal, PARAM, "min_months", terms->min_months_after_start);
        pacta_explain_date(refusal, RESULT, "possible_from", possible_from);
        pacta_decision_add_notification(refusal, PACTA_TO_CLIENT, PACTA_CHANNEL_ANY, "termination_refused",
                                        received_on);
        pacta_decision_because(refusal,
                               "the registered letter sent on {sent_on} was received on {received_on}, before "
                               "the {min_months} months from the start on {start_on} had run",
                               "le courrier recommandé envoyé le {sent_on} a été reçu le {received_on}, avant "
                               "l'écoulement des {min_months} mois depuis le début le {start_on}");
        return pacta_outcome_status(out);
    }

    int period_months = pacta_billing_period_months(contract->billing_period);
    pacta_cents_t indemnity = 0;
    if (period_months == 0 || contract->fee_per_period < 0
        || pacta_money_scale(contract->fee_per_period, terms->indemnity_monthly_fees, period_months, &indemnity)
               != 0)
        return -1;
    pacta_decision_t *decision = pacta_outcome_add(out, profile, &terms->rule, PACTA_DECISION_TERMINATE);
    if (!decision)
        return -1;
    decision->date = received_on;
    decision->amount = indemnity;
    pacta_decision_set_ref(decision, contract->id);
    pacta_decision_set_reason(decision, "early_termination");
    pacta_explain_date(decision, IN, "start_on", contract->start_on);
    pacta_explain_date(decision, IN, "sent_on", letter->sent_on);
    pacta_explain_money(decision, IN, "fee_per_period", contract->fee_per_period);
    pacta_explain_int(decision, IN, "period_months", period_months);
    pacta_explain_int(decision, PARAM, "min_months", terms->min_months_after_start);
    pacta_explain_int(decision, PARAM, "indemnity_months", terms->indemnity_monthly_fees);
    pacta_explain_date(decision, RESULT, "received_on", received_on);
    pacta_explain_flag(decision, RESULT, "receipt_presumed", presumed);
    pacta_explain_money(decision, RESULT, "indemnity", indemnity);
    pacta_decision_add_charge(decision, PACTA_CHARGE_INDEMNITY, indemnity, false, received_on, contract->id);
    pacta_decision_add_notification(decision, PACTA_TO_CLIENT, PACTA_CHANNEL_ANY, "terminated_early", received_on);
    pacta_decision_add_timer(decision, "contract_end", received_on + 1, contract->id);
    //  A period already invoiced beyond the end is neither credited nor
    //  re-invoiced: a person looks at it (rules.md CC-2c interpretation 3).
    for (size_t i = 0; i < ledger->invoice_count; i++) {
        const pacta_invoice_t *invoice = &ledger->invoices[i];
        if (invoice->kind == PACTA_INVOICE_SUBSCRIPTION && s_invoice_counts(invoice)
            && pacta_date_is_valid(invoice->period_to) && invoice->period_to > received_on) {
            pacta_explain_text(decision, RESULT, "invoiced_beyond_end", invoice->id);
            pacta_decision_add_notification(decision, PACTA_TO_OPERATOR, PACTA_CHANNEL_ANY,
                                            "invoiced_beyond_end", received_on);
            break;
        }
    }
    pacta_decision_because(decision,
                           "the registered letter sent on {sent_on} was received on {received_on}, at least "
                           "{min_months} months after the start on {start_on}; indemnity of {indemnity_months} "
                           "months of fees, {indemnity}",
                           "le courrier recommandé envoyé le {sent_on} a été reçu le {received_on}, au moins "
                           "{min_months} mois après le début le {start_on} ; indemnité de {indemnity_months} "
                           "mois de prestations, {indemnity}");
    return pacta_outcome_status(out);
}

/* ---- CC-3a ----------------------------------------------------------------- */

int
rule_cc3a_issue_invoice(const pacta_profile_t *profile, const pacta_contract_t *contract, int k,
                        pacta_outcome_t *out)
{
    assert(profile && contract && out);
    const pacta_invoicing_t *terms = &profile->invoicing;
    if (!pacta_rule_enabled(&terms->rule))
        return 0;
    int period_months = pacta_billing_period_months(contract->billing_period);
    if (k < 0 || period_months == 0 || !pacta_date_is_valid(contract->start_on) || contract->fee_per_period < 0)
        return -1;
    pacta_date_t issued_on = pacta_anniversary(contract->start_on, k * period_months);
    pacta_date_t next_on = pacta_anniversary(contract->start_on, (k + 1) * period_months);
    if (issued_on == PACTA_DATE_INVALID || next_on == PACTA_DATE_INVALID)
        return -1;
    if (pacta_date_is_valid(contract->ends_on) && issued_on > contract->ends_on)
        return 0;
    pacta_date_t due_on = pacta_cc_invoice_due_on(profile, issued_on, PACTA_DATE_INVALID);
    pacta_date_t period_to = next_on - 1;
    if (pacta_date_is_valid(contract->ends_on) && period_to > contract->ends_on)
        period_to = contract->ends_on;   //  the last period stops with the contract; no pro rata (not in the terms)

    pacta_decision_t *decision = pacta_outcome_add(out, profile, &terms->rule, PACTA_DECISION_CHARGE);
    if (!decision)
        return -1;
    decision->date = issued_on;
    decision->until = due_on;
    decision->amount = contract->fee_per_period;
    pacta_decision_set_ref(decision, contract->id);
    pacta_explain_date(decision, IN, "start_on", contract->start_on);
    pacta_explain_int(decision, IN, "anniversary", k);
    pacta_explain_money(decision, IN, "fee_per_period", contract->fee_per_period);
    pacta_explain_int(decision, PARAM, "due_days", terms->due_calendar_days);
    pacta_explain_date(decision, RESULT, "issued_on", issued_on);
    pacta_explain_date(decision, RESULT, "due_on", due_on);
    pacta_explain_date(decision, RESULT, "period_from", issued_on);
    pacta_explain_date(decision, RESULT, "period_to", period_to);
    pacta_decision_add_charge(decision, PACTA_CHARGE_SUBSCRIPTION, contract->fee_per_period, false, issued_on,
                              contract->id);
    pacta_date_t suspension_day = due_on + 1;
    if (pacta_rule_enabled(&profile->unpaid_suspension.rule))
        suspension_day = s_suspension_first_day(profile, due_on);
    pacta_decision_add_timer(decision, "due_date_passed", suspension_day, contract->id);
    if (!pacta_date_is_valid(contract->ends_on) || next_on <= contract->ends_on)
        pacta_decision_add_timer(decision, "next_invoice", next_on, contract->id);
    pacta_decision_because(decision,
                           "billing anniversary of the contract started {start_on}, for {period_from} to "
                           "{period_to}, payable within {due_days} calendar days, by {due_on}",
                           "date anniversaire de facturation du contrat commencé le {start_on}, pour la "
                           "période du {period_from} au {period_to}, payable dans les {due_days} jours "
                           "calendrier, au plus tard le {due_on}");
    return pacta_outcome_status(out);
}

/* ---- CC-3b ----------------------------------------------------------------- */

//  A formal notice about invoice_id sent on or before date, or NULL.
static const pacta_letter_t *
s_formal_notice_for(const pacta_ledger_t *ledger, const char *invoice_id, pacta_date_t date)
{
    for (size_t i = 0; i < ledger->letter_count; i++) {
        const pacta_letter_t *letter = &ledger->letters[i];
        if (letter->formal_notice && letter->from == PACTA_FROM_PROVIDER && letter->sent_on <= date
            && strcmp(letter->ref, invoice_id) == 0)
            return letter;
    }
    return NULL;
}

int
rule_cc3b_suspend_unpaid(const pacta_profile_t *profile, const pacta_contract_t *contract,
                         const pacta_ledger_t *ledger, pacta_date_t today, pacta_outcome_t *out)
{
    assert(profile && contract && ledger && out);
    const pacta_unpaid_suspension_t *terms = &profile->unpaid_suspension;
    if (!pacta_rule_enabled(&terms->rule))
        return 0;
    if (!pacta_date_is_valid(today))
        return -1;
    if (contract->state == PACTA_CONTRACT_SUSPENDED && strcmp(contract->suspension_reason, "unpaid") == 0)
        return 0;
    if (contract->state == PACTA_CONTRACT_ENDED || contract->state == PACTA_CONTRACT_CANCELLED)
        return 0;

    //  The invoice whose suspension day came first, among those unpaid at the
    //  end of their due date (+ grace) and still not fully paid today.
    const pacta_invoice_t *culprit = NULL;
    pacta_date_t starts_on = PACTA_DATE_INVALID;
    for (size_t i = 0; i < ledger->invoice_count; i++) {
        const pacta_invoice_t *invoice = &ledger->invoices[i];
        if (!s_invoice_counts(invoice) || !pacta_date_is_valid(invoice->due_on))
            continue;
        pacta_date_t first_day = s_suspension_first_day(profile, invoice->due_on);
        if (first_day > today)
            continue;
        if (pacta_invoice_paid_by(invoice, ledger->payments, ledger->payment_count, first_day - 1)
            >= invoice->amount)
            continue;
        if (pacta_invoice_paid_by(invoice, ledger->payments, ledger->payment_count, today) >= invoice->amount)
            continue;
        if (!culprit || first_day < starts_on) {
            culprit = invoice;
            starts_on = first_day;
        }
    }
    if (!culprit)
        return 0;

    pacta_cents_t paid = pacta_invoice_paid_by(culprit, ledger->payments, ledger->payment_count, starts_on - 1);
    const pacta_letter_t *formal_notice = NULL;
    if (terms->formal_notice_required) {
        formal_notice = s_formal_notice_for(ledger, culprit->id, today);
        if (!formal_notice) {
            //  The profile needs a formal notice first: ask a person to send one.
            pacta_decision_t *notice = pacta_outcome_add(out, profile, &terms->rule, PACTA_DECISION_NOTIFY);
            if (!notice)
                return -1;
            notice->date = today;
            notice->status = PACTA_DECISION_APPLY;
            pacta_decision_set_ref(notice, culprit->id);
            pacta_decision_set_reason(notice, "formal_notice_required");
            pacta_explain_text(notice, IN, "invoice", culprit->id);
            pacta_explain_date(notice, IN, "due_on", culprit->due_on);
            pacta_explain_flag(notice, PARAM, "formal_notice_required", true);
            pacta_decision_add_notification(notice, PACTA_TO_OPERATOR, PACTA_CHANNEL_ANY, "formal_notice_needed",
                                            today);
            pacta_decision_head(notice, "Formal notice needed", "Mise en demeure nécessaire");
            pacta_decision_because(notice,
                                   "invoice {invoice} due {due_on} is unpaid, and services may only be "
                                   "suspended after a formal notice",
                                   "la facture {invoice} échue le {due_on} est impayée, et les services ne "
                                   "peuvent être suspendus qu'après une mise en demeure");
            return pacta_outcome_status(out);
        }
        if (formal_notice->sent_on >= starts_on)
            starts_on = formal_notice->sent_on + 1;
        if (starts_on > today)
            return 0;   //  the day after the formal notice has not come yet
    }

    pacta_decision_t *decision = pacta_outcome_add(out, profile, &terms->rule, PACTA_DECISION_SUSPEND);
    if (!decision)
        return -1;
    decision->date = starts_on;
    decision->amount = culprit->amount - paid;
    pacta_decision_set_ref(decision, culprit->id);
    pacta_decision_set_reason(decision, "unpaid");
    pacta_explain_text(decision, IN, "invoice", culprit->id);
    pacta_explain_date(decision, IN, "issued_on", culprit->issued_on);
    pacta_explain_date(decision, IN, "due_on", culprit->due_on);
    pacta_explain_money(decision, IN, "invoice_amount", culprit->amount);
    pacta_explain_money(decision, IN, "paid_by_due", paid);
    pacta_explain_int(decision, PARAM, "due_days", profile->invoicing.due_calendar_days);
    pacta_explain_int(decision, PARAM, "grace_days", terms->grace_calendar_days);
    pacta_explain_date(decision, RESULT, "suspended_from", starts_on);
    if (formal_notice)
        pacta_explain_date(decision, IN, "formal_notice_on", formal_notice->sent_on);
    if (terms->notify_client)
        pacta_decision_add_notification(decision, PACTA_TO_CLIENT, PACTA_CHANNEL_ANY, "suspended_unpaid", starts_on);
    bool standard_due = culprit->due_on == pacta_calendar_days_deadline(culprit->issued_on,
                                                                          profile->invoicing.due_calendar_days);
    if (formal_notice)
        pacta_decision_because(decision,
                               "invoice {invoice} issued {issued_on} was not paid by its due date {due_on} "
                               "and the {grace_days}-day grace period, and a formal notice was sent on "
                               "{formal_notice_on}",
                               "la facture {invoice} émise le {issued_on} n'a pas été payée à son échéance du "
                               "{due_on} ni dans le délai de grâce de {grace_days} jours, et une mise en "
                               "demeure a été envoyée le {formal_notice_on}");
    else if (terms->grace_calendar_days > 0)
        pacta_decision_because(decision,
                               "invoice {invoice} issued {issued_on} was not paid by its due date {due_on} "
                               "and the {grace_days}-day grace period",
                               "la facture {invoice} émise le {issued_on} n'a pas été payée à son échéance du "
                               "{due_on} ni dans le délai de grâce de {grace_days} jours");
    else if (standard_due)
        pacta_decision_because(decision,
                               "invoice {invoice} issued {issued_on} was not paid within {due_days} calendar days",
                               "la facture {invoice} émise le {issued_on} n'a pas été payée dans les {due_days} "
                               "jours calendrier");
    else
        pacta_decision_because(decision, "invoice {invoice} issued {issued_on} was not paid by its due date {due_on}",
                               "la facture {invoice} émise le {issued_on} n'a pas été payée à son échéance du "
                               "{due_on}");
    return pacta_outcome_status(out);
}

/* ---- CC-3c ----------------------------------------------------------------- */

//  True when, at the end of day `day`, some invoice past its due date is
//  not fully paid. *first_unpaid gets one of them.
static bool
s_overdue_balance_on(const pacta_ledger_t *ledger, pacta_date_t day, const pacta_invoice_t **first_unpaid)
{
    for (size_t i = 0; i < ledger->invoice_count; i++) {
        const pacta_invoice_t *invoice = &ledger->invoices[i];
        if (!s_invoice_counts(invoice) || !pacta_date_is_valid(invoice->due_on) || invoice->due_on >= day)
            continue;
        if (pacta_invoice_paid_by(invoice, ledger->payments, ledger->payment_count, day) < invoice->amount) {
            if (first_unpaid)
                *first_unpaid = invoice;
            return true;
        }
    }
    return false;
}

int
rule_cc3c_restore_on_payment(const pacta_profile_t *profile, const pacta_contract_t *contract,
                             const pacta_ledger_t *ledger, pacta_date_t today, pacta_outcome_t *out)
{
    assert(profile && contract && ledger && out);
    const pacta_rule_t *rule = &profile->restoration.rule;
    if (!pacta_rule_enabled(rule))
        return 0;
    if (contract->state != PACTA_CONTRACT_SUSPENDED || strcmp(contract->suspension_reason, "unpaid") != 0)
        return 0;
    if (!pacta_date_is_valid(contract->suspended_since) || !pacta_date_is_valid(today))
        return -1;

    //  The first payment day, from the suspension to today, that leaves no
    //  overdue balance: restoration happens on the day of full payment.
    pacta_date_t restored_on = PACTA_DATE_INVALID;
    const pacta_payment_t *last_payment = NULL;
    for (size_t i = 0; i < ledger->payment_count; i++) {
        const pacta_payment_t *payment = &ledger->payments[i];
        pacta_date_t day = payment->received_on;
        if (day < contract->suspended_since || day > today)
            continue;
        if (restored_on != PACTA_DATE_INVALID && day >= restored_on)
            continue;
        if (!s_overdue_balance_on(ledger, day, NULL)) {
            restored_on = day;
            last_payment = payment;
        }
    }
    if (restored_on == PACTA_DATE_INVALID)
        return 0;

    pacta_decision_t *decision = pacta_outcome_add(out, profile, rule, PACTA_DECISION_RESTORE);
    if (!decision)
        return -1;
    decision->date = restored_on;
    pacta_decision_set_ref(decision, contract->id);
    pacta_decision_set_reason(decision, "paid");
    pacta_explain_date(decision, IN, "suspended_since", contract->suspended_since);
    pacta_explain_text(decision, IN, "payment", last_payment->id);
    pacta_explain_text(decision, IN, "invoice", last_payment->invoice_id);
    pacta_explain_money(decision, IN, "payment_amount", last_payment->amount);
    pacta_explain_date(decision, RESULT, "paid_in_full_on", restored_on);
    pacta_decision_add_notification(decision, PACTA_TO_CLIENT, PACTA_CHANNEL_ANY, "restored", restored_on);
    pacta_decision_because(decision,
                           "full payment of every overdue invoice was received on {paid_in_full_on}, the last "
                           "being {payment_amount} for invoice {invoice}",
                           "le paiement intégral de toutes les factures échues a été reçu le {paid_in_full_on}, le "
                           "dernier étant de {payment_amount} pour la facture {invoice}");
    return pacta_outcome_status(out);
}

/* ---- CC-3d ----------------------------------------------------------------- */

int
rule_cc3d_record_lost_period(const pacta_profile_t *profile, const pacta_contract_t *contract,
                             pacta_date_t restored_on, pacta_outcome_t *out)
{
    assert(profile && contract && out);
    const pacta_rule_t *rule = &profile->lost_period.rule;
    if (!pacta_rule_enabled(rule))
        return 0;
    if (!pacta_date_is_valid(contract->suspended_since) || !pacta_date_is_valid(restored_on)
        || restored_on < contract->suspended_since)
        return -1;
    pacta_decision_t *decision = pacta_outcome_add(out, profile, rule, PACTA_DECISION_LOST_PERIOD);
    if (!decision)
        return -1;
    decision->date = contract->suspended_since;
    decision->until = restored_on;   //  the restoration day is lost too (rules.md CC-3d interpretation)
    pacta_decision_set_ref(decision, contract->id);
    pacta_decision_set_reason(decision, contract->suspension_reason);
    pacta_explain_date(decision, IN, "suspended_since", contract->suspended_since);
    pacta_explain_date(decision, IN, "restored_on", restored_on);
    pacta_explain_int(decision, RESULT, "lost_days", (int64_t) restored_on - contract->suspended_since + 1);
    pacta_explain_money(decision, RESULT, "credit", 0);
    pacta_decision_because(decision,
                           "the {lost_days} suspended days are not recovered; billing anniversaries do not move "
                           "and no credit is given",
                           "les {lost_days} jours de suspension ne sont pas récupérables ; les dates "
                           "anniversaires ne bougent pas et aucun crédit n'est accordé");
    return pacta_outcome_status(out);
}

/* ---- CC-4 ------------------------------------------------------------------ */

int
rule_cc4_suspend_missing_content(const pacta_profile_t *profile, const pacta_contract_t *contract,
                                 const pacta_content_t *content, pacta_date_t today, pacta_outcome_t *out)
{
    assert(profile && contract && content && out);
    const pacta_rule_t *rule = &profile->content_suspension.rule;
    if (!pacta_rule_enabled(rule))
        return 0;
    if (!pacta_date_is_valid(content->due_on) || !pacta_date_is_valid(today))
        return -1;
    if (today <= content->due_on)
        return 0;
    if (pacta_date_is_valid(content->delivered_on) && content->delivered_on <= today)
        return 0;   //  delivered (late deliveries resume through rule_cc4_resume_on_content)
    if (contract->state == PACTA_CONTRACT_SUSPENDED && strcmp(contract->suspension_reason, "content") == 0)
        return 0;
    pacta_decision_t *decision = pacta_outcome_add(out, profile, rule, PACTA_DECISION_SUSPEND);
    if (!decision)
        return -1;
    decision->date = content->due_on + 1;
    pacta_decision_set_ref(decision, contract->id);
    pacta_decision_set_reason(decision, "content");
    pacta_explain_text(decision, IN, "content", content->id);
    pacta_explain_date(decision, IN, "content_due_on", content->due_on);
    pacta_explain_date(decision, RESULT, "suspended_from", content->due_on + 1);
    pacta_decision_add_notification(decision, PACTA_TO_CLIENT, PACTA_CHANNEL_ANY, "suspended_content",
                                    content->due_on + 1);
    pacta_decision_because(decision, "client content {content} was not delivered by its deadline {content_due_on}",
                           "le contenu client {content} n'a pas été fourni pour son échéance du {content_due_on}");
    return pacta_outcome_status(out);
}

int
rule_cc4_resume_on_content(const pacta_profile_t *profile, const pacta_contract_t *contract,
                           const pacta_content_t *content, pacta_outcome_t *out)
{
    assert(profile && contract && content && out);
    const pacta_rule_t *rule = &profile->content_suspension.rule;
    if (!pacta_rule_enabled(rule))
        return 0;
    if (contract->state != PACTA_CONTRACT_SUSPENDED || strcmp(contract->suspension_reason, "content") != 0)
        return 0;
    if (!pacta_date_is_valid(content->delivered_on))
        return 0;
    if (!pacta_date_is_valid(contract->suspended_since) || content->delivered_on < contract->suspended_since)
        return -1;

    pacta_decision_t *resume = pacta_outcome_add(out, profile, rule, PACTA_DECISION_RESTORE);
    if (!resume)
        return -1;
    resume->status = PACTA_DECISION_APPLY;   //  suspending is a right, resuming is a duty
    resume->date = content->delivered_on;
    pacta_decision_set_ref(resume, contract->id);
    pacta_decision_set_reason(resume, "content_delivered");
    pacta_explain_text(resume, IN, "content", content->id);
    pacta_explain_date(resume, IN, "delivered_on", content->delivered_on);
    pacta_explain_date(resume, IN, "suspended_since", contract->suspended_since);
    pacta_decision_add_notification(resume, PACTA_TO_CLIENT, PACTA_CHANNEL_ANY, "resumed_content",
                                    content->delivered_on);
    pacta_decision_head(resume, "Performance resumes on {date}", "Reprise des prestations le {date}");
    pacta_decision_because(resume, "client content {content} was delivered on {delivered_on}",
                           "le contenu client {content} a été fourni le {delivered_on}");

    if (content->delivered_on > contract->suspended_since) {
        pacta_decision_t *lost = pacta_outcome_add(out, profile, rule, PACTA_DECISION_LOST_PERIOD);
        if (!lost)
            return -1;
        lost->status = PACTA_DECISION_APPLY;
        lost->date = contract->suspended_since;
        lost->until = content->delivered_on - 1;
        pacta_decision_set_ref(lost, contract->id);
        pacta_decision_set_reason(lost, "content");
        pacta_explain_text(lost, IN, "content", content->id);
        pacta_explain_date(lost, IN, "delivered_on", content->delivered_on);
        pacta_explain_money(lost, RESULT, "credit", 0);
        pacta_decision_head(lost, "Publications planned {date} to {until} are not owed",
                            "Les publications prévues du {date} au {until} ne sont pas dues");
        pacta_decision_because(lost, "client content {content} came only on {delivered_on}; no credit is given",
                               "le contenu client {content} n'est arrivé que le {delivered_on} ; aucun crédit "
                               "n'est accordé");
    }
    return pacta_outcome_status(out);
}

/* ---- CC-5 ------------------------------------------------------------------ */

int
rule_cc5_campaign_without_budget(const pacta_profile_t *profile, const pacta_contract_t *contract,
                                 const pacta_campaign_t *campaign, pacta_date_t today, pacta_outcome_t *out)
{
    assert(profile && contract && campaign && out);
    const pacta_rule_t *rule = &profile->campaign_budget.rule;
    if (!pacta_rule_enabled(rule))
        return 0;
    if (!pacta_date_is_valid(campaign->launch_on) || !pacta_date_is_valid(today))
        return -1;
    bool confirmed = pacta_date_is_valid(campaign->budget_confirmed_on);
    bool in_time = confirmed && campaign->budget_confirmed_on <= campaign->launch_on;
    if (in_time) {
        pacta_decision_t *decision = pacta_outcome_add(out, profile, rule, PACTA_DECISION_RELEASE);
        if (!decision)
            return -1;
        decision->date = campaign->launch_on;
        pacta_decision_set_ref(decision, campaign->id);
        pacta_explain_text(decision, IN, "campaign", campaign->id);
        pacta_explain_date(decision, IN, "launch_on", campaign->launch_on);
        pacta_explain_date(decision, IN, "budget_confirmed_on", campaign->budget_confirmed_on);
        pacta_decision_head(decision, "Campaign {campaign} published on {date}",
                            "Campagne {campaign} publiée le {date}");
        pacta_decision_because(decision, "its advertising budget was confirmed on {budget_confirmed_on}, by the "
                                         "end of the launch day",
                               "son budget publicitaire a été confirmé le {budget_confirmed_on}, au plus tard le "
                               "jour du lancement");
        return pacta_outcome_status(out);
    }
    if (today <= campaign->launch_on)
        return 0;   //  the launch day is not over yet
    pacta_decision_t *decision = pacta_outcome_add(out, profile, rule, PACTA_DECISION_FORFEIT);
    if (!decision)
        return -1;
    decision->date = campaign->launch_on + 1;
    pacta_decision_set_ref(decision, campaign->id);
    pacta_decision_set_reason(decision, "no_budget");
    pacta_explain_text(decision, IN, "campaign", campaign->id);
    pacta_explain_text(decision, IN, "contract", contract->id);
    pacta_explain_date(decision, IN, "launch_on", campaign->launch_on);
    if (confirmed)
        pacta_explain_date(decision, IN, "budget_confirmed_on", campaign->budget_confirmed_on);
    pacta_explain_money(decision, RESULT, "credit", 0);
    pacta_decision_add_notification(decision, PACTA_TO_CLIENT, PACTA_CHANNEL_ANY, "campaign_lost",
                                    campaign->launch_on + 1);
    pacta_decision_head(decision, "Campaign {campaign} lost for its period", "Campagne {campaign} perdue pour sa période");
    if (confirmed)
        pacta_decision_because(decision,
                               "its advertising budget was confirmed only on {budget_confirmed_on}, after the "
                               "launch day {launch_on}; it is not published, carried over or credited",
                               "son budget publicitaire n'a été confirmé que le {budget_confirmed_on}, après le "
                               "jour du lancement {launch_on} ; elle n'est ni publiée, ni reportée, ni créditée");
    else
        pacta_decision_because(decision,
                               "no advertising budget was confirmed by the end of the launch day {launch_on}; it "
                               "is not published, carried over or credited",
                               "aucun budget publicitaire n'a été confirmé au plus tard le jour du lancement "
                               "{launch_on} ; elle n'est ni publiée, ni reportée, ni créditée");
    return pacta_outcome_status(out);
}

/* ---- CC-7 ------------------------------------------------------------------ */

int
rule_cc7_release_prepaid_work(const pacta_profile_t *profile, const pacta_invoice_t *invoice,
                              const pacta_ledger_t *ledger, pacta_outcome_t *out)
{
    assert(profile && invoice && ledger && out);
    const pacta_prepayment_t *terms = &profile->prepayment;
    if (!pacta_rule_enabled(&terms->rule))
        return 0;
    bool option = invoice->kind == PACTA_INVOICE_OPTION && (terms->applies_to & PACTA_PREPAID_OPTIONS);
    bool a_la_carte = invoice->kind == PACTA_INVOICE_A_LA_CARTE && (terms->applies_to & PACTA_PREPAID_A_LA_CARTE);
    if (!option && !a_la_carte)
        return 0;
    pacta_date_t paid_on = pacta_invoice_fully_paid_on(invoice, ledger->payments, ledger->payment_count);
    pacta_cents_t paid = pacta_invoice_paid_by(invoice, ledger->payments, ledger->payment_count, INT32_MAX);
    bool released = pacta_date_is_valid(paid_on);
    pacta_decision_t *decision
        = pacta_outcome_add(out, profile, &terms->rule, released ? PACTA_DECISION_RELEASE : PACTA_DECISION_WITHHOLD);
    if (!decision)
        return -1;
    decision->date = released ? paid_on : invoice->issued_on;
    pacta_decision_set_ref(decision, invoice->id);
    pacta_explain_text(decision, IN, "invoice", invoice->id);
    pacta_explain_text(decision, IN, "service", option ? "option" : "à la carte");
    pacta_explain_money(decision, IN, "invoice_amount", invoice->amount);
    pacta_explain_money(decision, IN, "paid", paid);
    if (released) {
        pacta_decision_head(decision, "Work released on {date}", "Travaux lancés le {date}");
        pacta_decision_because(decision, "invoice {invoice} of {invoice_amount} was paid in full that day",
                               "la facture {invoice} de {invoice_amount} a été payée intégralement ce jour-là");
        pacta_decision_add_notification(decision, PACTA_TO_OPERATOR, PACTA_CHANNEL_ANY, "work_released", paid_on);
    }
    else {
        pacta_explain_money(decision, RESULT, "remaining", invoice->amount - paid);
        pacta_decision_head(decision, "Work not started", "Travaux non commencés");
        pacta_decision_because(decision,
                               "{paid} of invoice {invoice} ({invoice_amount}) received; work starts only once "
                               "paid in full, {remaining} remaining",
                               "{paid} reçus sur la facture {invoice} ({invoice_amount}) ; les travaux ne "
                               "commencent qu'après paiement intégral, reste {remaining}");
    }
    return pacta_outcome_status(out);
}

/* ---- CC-8 ------------------------------------------------------------------ */

int
rule_cc8_earn_referral_discount(const pacta_profile_t *profile, const pacta_contract_t *sponsor,
                                const char *referee_pack_id, pacta_date_t signed_on,
                                const pacta_referral_earning_t *earned, size_t earned_count, pacta_outcome_t *out)
{
    assert(profile && sponsor && referee_pack_id && out);
    assert(earned || earned_count == 0);
    const pacta_referral_t *terms = &profile->referral;
    if (!pacta_rule_enabled(&terms->rule))
        return 0;
    if (!pacta_date_is_valid(sponsor->start_on) || !pacta_date_is_valid(signed_on) || signed_on < sponsor->start_on)
        return -1;
    const pacta_pack_t *pack = pacta_profile_find_pack(profile, referee_pack_id);
    if (!pack) {
        pacta_decision_t *refusal = pacta_outcome_add(out, profile, &terms->rule, PACTA_DECISION_REFUSE);
        if (!refusal)
            return -1;
        pacta_decision_set_ref(refusal, sponsor->id);
        pacta_decision_set_reason(refusal, "unknown_pack");
        pacta_explain_text(refusal, IN, "referee_pack", referee_pack_id);
        pacta_decision_because(refusal, "the referee's pack \"{referee_pack}\" is not a pack of the catalogue",
                               "le pack « {referee_pack} » du filleul n'est pas un pack du catalogue");
        return pacta_outcome_status(out);
    }
    pacta_cents_t annual_fee = 0;
    pacta_cents_t cap = 0;
    if (pacta_contract_annual_fee(sponsor, &annual_fee) != 0
        || pacta_money_percent(annual_fee, terms->annual_cap_percent_of_subscription, &cap) != 0)
        return -1;
    //  The sponsor's contract year in which the referee signs.
    int year = 0;
    while (pacta_anniversary(sponsor->start_on, 12 * (year + 1)) <= signed_on)
        year++;
    pacta_date_t year_from = pacta_anniversary(sponsor->start_on, 12 * year);
    pacta_date_t year_to = pacta_anniversary(sponsor->start_on, 12 * (year + 1)) - 1;
    pacta_cents_t earned_before = 0;
    for (size_t i = 0; i < earned_count; i++)
        if (earned[i].signed_on >= year_from && earned[i].signed_on <= year_to
            && pacta_money_add(earned_before, earned[i].earned, &earned_before) != 0)
            return -1;
    pacta_cents_t room = cap - earned_before;
    if (room < 0)
        room = 0;
    pacta_cents_t discount = pack->referral_discount < room ? pack->referral_discount : room;
    if (discount < 0)
        discount = 0;

    pacta_decision_t *decision = pacta_outcome_add(out, profile, &terms->rule, PACTA_DECISION_DISCOUNT);
    if (!decision)
        return -1;
    decision->date = signed_on;
    decision->amount = discount;
    pacta_decision_set_ref(decision, sponsor->id);
    pacta_decision_set_reason(decision, discount < pack->referral_discount ? "cap_reached" : "referral");
    pacta_explain_text(decision, IN, "referee_pack", pack->name);
    pacta_explain_date(decision, IN, "signed_on", signed_on);
    pacta_explain_money(decision, PARAM, "pack_discount", pack->referral_discount);
    pacta_explain_bp(decision, PARAM, "cap_percent", terms->annual_cap_percent_of_subscription);
    pacta_explain_money(decision, IN, "annual_fee", annual_fee);
    pacta_explain_date(decision, RESULT, "year_from", year_from);
    pacta_explain_date(decision, RESULT, "year_to", year_to);
    pacta_explain_money(decision, RESULT, "cap", cap);
    pacta_explain_money(decision, RESULT, "earned_before", earned_before);
    pacta_explain_money(decision, RESULT, "earned", discount);
    pacta_decision_head(decision, "Referral discount of {amount} earned", "Remise de parrainage de {amount} acquise");
    if (discount == pack->referral_discount)
        pacta_decision_because(decision,
                               "a referee signed on {signed_on} for the {referee_pack} pack; discounts of the "
                               "contract year {year_from} to {year_to} now total {earned_before} before this one, "
                               "within the cap of {cap_percent} of the annual subscription ({cap}); applied on "
                               "the next invoice",
                               "un filleul a signé le {signed_on} pour le pack {referee_pack} ; les remises de "
                               "l'année contractuelle du {year_from} au {year_to} totalisaient {earned_before} "
                               "avant celle-ci, sous le plafond de {cap_percent} de l'abonnement annuel ({cap}) ; "
                               "appliquée sur la prochaine facture");
    else
        pacta_decision_because(decision,
                               "a referee signed on {signed_on} for the {referee_pack} pack ({pack_discount}), "
                               "but discounts of the contract year {year_from} to {year_to} already total "
                               "{earned_before} and may not exceed {cap_percent} of the annual subscription "
                               "({cap})",
                               "un filleul a signé le {signed_on} pour le pack {referee_pack} ({pack_discount}), "
                               "mais les remises de l'année contractuelle du {year_from} au {year_to} totalisent "
                               "déjà {earned_before} et ne peuvent dépasser {cap_percent} de l'abonnement annuel "
                               "({cap})");
    return pacta_outcome_status(out);
}

int
rule_cc8_apply_referral_discount(const pacta_profile_t *profile, const pacta_invoice_t *invoice,
                                 pacta_cents_t pending, pacta_outcome_t *out)
{
    assert(profile && invoice && out);
    const pacta_referral_t *terms = &profile->referral;
    if (!pacta_rule_enabled(&terms->rule) || pending <= 0)
        return 0;
    if (invoice->kind != PACTA_INVOICE_SUBSCRIPTION || invoice->amount < 0)
        return 0;
    pacta_cents_t applied = pending < invoice->amount ? pending : invoice->amount;
    pacta_decision_t *decision = pacta_outcome_add(out, profile, &terms->rule, PACTA_DECISION_DISCOUNT);
    if (!decision)
        return -1;
    decision->date = invoice->issued_on;
    decision->amount = applied;
    pacta_decision_set_ref(decision, invoice->id);
    pacta_decision_set_reason(decision, "applied");
    pacta_explain_text(decision, IN, "invoice", invoice->id);
    pacta_explain_money(decision, IN, "invoice_amount", invoice->amount);
    pacta_explain_money(decision, IN, "pending", pending);
    pacta_explain_money(decision, RESULT, "applied", applied);
    pacta_explain_money(decision, RESULT, "invoice_after", invoice->amount - applied);
    pacta_explain_money(decision, RESULT, "carried_over", pending - applied);
    pacta_decision_add_charge(decision, PACTA_CHARGE_DISCOUNT, -applied, false, invoice->issued_on, invoice->id);
    pacta_decision_head(decision, "Referral discount of {amount} applied", "Remise de parrainage de {amount} appliquée");
    pacta_decision_because(decision,
                           "invoice {invoice} of {invoice_amount} becomes {invoice_after}; {carried_over} of the "
                           "{pending} pending carries over to the next invoices",
                           "la facture {invoice} de {invoice_amount} devient {invoice_after} ; {carried_over} sur "
                           "les {pending} en attente sont reportés sur les factures suivantes");
    return pacta_outcome_status(out);
}

int
rule_cc8_forfeit_unapplied_discounts(const pacta_profile_t *profile, const pacta_contract_t *sponsor,
                                     pacta_cents_t pending, pacta_date_t last_day, pacta_outcome_t *out)
{
    assert(profile && sponsor && out);
    const pacta_referral_t *terms = &profile->referral;
    if (!pacta_rule_enabled(&terms->rule) || pending <= 0)
        return 0;
    if (!pacta_date_is_valid(last_day))
        return -1;
    bool annual = sponsor->billing_period == PACTA_BILLING_ANNUAL;
    if (annual && !terms->forfeited_on_annual_non_renewal) {
        pacta_decision_t *notice = pacta_outcome_add(out, profile, &terms->rule, PACTA_DECISION_NOTIFY);
        if (!notice)
            return -1;
        notice->date = last_day;
        notice->amount = pending;
        pacta_decision_set_ref(notice, sponsor->id);
        pacta_decision_set_reason(notice, "unapplied_discount");
        pacta_explain_money(notice, IN, "pending", pending);
        pacta_explain_date(notice, IN, "last_day", last_day);
        pacta_explain_flag(notice, PARAM, "forfeited_on_annual_non_renewal", false);
        pacta_decision_add_notification(notice, PACTA_TO_OPERATOR, PACTA_CHANNEL_ANY, "unapplied_discount", last_day);
        pacta_decision_head(notice, "Unapplied discounts to settle", "Remises non appliquées à régler");
        pacta_decision_because(notice,
                               "the contract ends on {last_day} with {pending} of referral discounts not applied, "
                               "and these terms do not forfeit them",
                               "le contrat prend fin le {last_day} avec {pending} de remises de parrainage non "
                               "appliquées, que ces conditions ne font pas perdre");
        return pacta_outcome_status(out);
    }
    pacta_decision_t *decision = pacta_outcome_add(out, profile, &terms->rule, PACTA_DECISION_FORFEIT);
    if (!decision)
        return -1;
    decision->date = last_day;
    decision->amount = pending;
    pacta_decision_set_ref(decision, sponsor->id);
    pacta_decision_set_reason(decision, "not_renewed");
    pacta_explain_money(decision, IN, "pending", pending);
    pacta_explain_date(decision, IN, "last_day", last_day);
    pacta_explain_flag(decision, IN, "annual_billing", annual);
    pacta_decision_head(decision, "Unapplied discounts of {amount} forfeited on {date}",
                        "Remises non appliquées de {amount} perdues le {date}");
    if (annual)
        pacta_decision_because(decision, "the sponsor pays annually and did not renew",
                               "le parrain paie annuellement et n'a pas reconduit");
    else
        pacta_decision_because(decision, "the contract ended; a discount reduces an invoice and is never paid out",
                               "le contrat a pris fin ; une remise réduit une facture et n'est jamais payée en "
                               "espèces");
    return pacta_outcome_status(out);
}

/* ---- CC-9 ------------------------------------------------------------------ */

//  Appends a refusal of a withdrawal with its reason and sentence.
static int
s_refuse_withdrawal(pacta_outcome_t *out, const pacta_profile_t *profile, const pacta_contract_t *contract,
                    pacta_date_t received_on, const char *reason, const char *en, const char *fr,
                    pacta_date_t deadline, pacta_date_t started_on)
{
    pacta_decision_t *refusal = pacta_outcome_add(out, profile, &profile->withdrawal.rule, PACTA_DECISION_REFUSE);
    if (!refusal)
        return -1;
    pacta_decision_set_ref(refusal, contract->id);
    pacta_decision_set_reason(refusal, reason);
    pacta_explain_text(refusal, IN, "contract", contract->id);
    pacta_explain_date(refusal, IN, "withdrawal_on", received_on);
    pacta_explain_int(refusal, PARAM, "withdrawal_days", profile->withdrawal.calendar_days);
    if (pacta_date_is_valid(deadline))
        pacta_explain_date(refusal, RESULT, "deadline", deadline);
    if (pacta_date_is_valid(started_on))
        pacta_explain_date(refusal, IN, "started_on", started_on);
    pacta_decision_add_notification(refusal, PACTA_TO_CLIENT, PACTA_CHANNEL_ANY, "withdrawal_refused", received_on);
    pacta_decision_because(refusal, en, fr);
    return 0;
}

int
rule_cc9_withdraw(const pacta_profile_t *profile, const pacta_contract_t *contract, const pacta_letter_t *withdrawal,
                  const pacta_ledger_t *ledger, pacta_outcome_t *out)
{
    assert(profile && contract && withdrawal && ledger && out);
    const pacta_withdrawal_terms_t *terms = &profile->withdrawal;
    if (!pacta_rule_enabled(&terms->rule))
        return 0;
    pacta_date_t from = PACTA_DATE_INVALID;
    switch (terms->counted_from) {
    case PACTA_WITHDRAWAL_FROM_ORDER_FORM_SIGNED:
        from = contract->formation.order_form_signed_on;
        break;
    case PACTA_WITHDRAWAL_FROM_ORDER_CONFIRMED:
        from = contract->formation.order_confirmed_on;
        break;
    case PACTA_WITHDRAWAL_FROM_DAY_AFTER_CONCLUSION:
        from = contract->start_on;
        break;
    }
    if (!pacta_date_is_valid(from) || !pacta_date_is_valid(withdrawal->sent_on))
        return -1;
    pacta_date_t received_on = pacta_letter_received_on(profile, withdrawal);
    int days = terms->calendar_days;
    //  For a consumer the statutory period (L-3) is a floor.
    const pacta_withdrawal_law_t *law = &profile->statutes.distance_withdrawal;
    if (contract->client.kind == PACTA_CLIENT_CONSUMER && law->calendar_days > days)
        days = law->calendar_days;
    pacta_date_t deadline = pacta_calendar_days_deadline(from, days);
    pacta_date_t started = contract->performance_started_on;
    bool a_la_carte_excluded = (terms->excluded & PACTA_WITHDRAWAL_EXCLUDES_A_LA_CARTE) != 0;

    if (terms->consumer_distance_only && contract->client.kind != PACTA_CLIENT_CONSUMER) {
        if (s_refuse_withdrawal(out, profile, contract, received_on, "professional_client",
                                "the right of withdrawal is for consumers only",
                                "le droit de rétractation est réservé aux consommateurs", PACTA_DATE_INVALID,
                                PACTA_DATE_INVALID) != 0)
            return -1;
        return pacta_outcome_status(out);
    }
    if (terms->consumer_distance_only && !contract->formation.at_distance) {
        if (s_refuse_withdrawal(out, profile, contract, received_on, "not_at_distance",
                                "the contract was not concluded at a distance or off premises",
                                "le contrat n'a pas été conclu à distance ou hors établissement", PACTA_DATE_INVALID,
                                PACTA_DATE_INVALID) != 0)
            return -1;
        return pacta_outcome_status(out);
    }
    if (contract->kind == PACTA_CONTRACT_A_LA_CARTE && a_la_carte_excluded) {
        if (s_refuse_withdrawal(out, profile, contract, received_on, "a_la_carte",
                                "there is no right of withdrawal for à-la-carte services",
                                "le droit de rétractation ne s'applique pas aux services à la carte",
                                PACTA_DATE_INVALID, PACTA_DATE_INVALID) != 0)
            return -1;
        return pacta_outcome_status(out);
    }
    if (terms->refused_when == PACTA_WITHDRAWAL_REFUSED_ONCE_STARTED && pacta_date_is_valid(started)
        && started <= received_on) {
        if (s_refuse_withdrawal(out, profile, contract, received_on, "service_started",
                                "a service of contract {contract} was already performed or started on {started_on}",
                                "une prestation du contrat {contract} a déjà été réalisée ou commencée le "
                                "{started_on}",
                                PACTA_DATE_INVALID, started) != 0)
            return -1;
        return pacta_outcome_status(out);
    }
    if (received_on > deadline) {
        if (s_refuse_withdrawal(out, profile, contract, received_on, "late",
                                "the withdrawal of {withdrawal_on} came after the {withdrawal_days}-day period, "
                                "which ended on {deadline}",
                                "la rétractation du {withdrawal_on} est arrivée après le délai de "
                                "{withdrawal_days} jours, échu le {deadline}",
                                deadline, PACTA_DATE_INVALID) != 0)
            return -1;
        return pacta_outcome_status(out);
    }

    pacta_decision_t *decision = pacta_outcome_add(out, profile, &terms->rule, PACTA_DECISION_CANCEL);
    if (!decision)
        return -1;
    decision->date = received_on;
    pacta_decision_set_ref(decision, contract->id);
    pacta_decision_set_reason(decision, "withdrawal");
    pacta_explain_text(decision, IN, "contract", contract->id);
    pacta_explain_date(decision, IN, "counted_from", from);
    pacta_explain_date(decision, IN, "withdrawal_on", received_on);
    pacta_explain_int(decision, PARAM, "withdrawal_days", days);
    pacta_explain_date(decision, RESULT, "deadline", deadline);
    pacta_cents_t credited = 0;
    for (size_t i = 0; i < ledger->invoice_count; i++) {
        const pacta_invoice_t *invoice = &ledger->invoices[i];
        if (invoice->state == PACTA_INVOICE_CREDITED || strcmp(invoice->contract_id, contract->id) != 0)
            continue;
        if (invoice->kind == PACTA_INVOICE_A_LA_CARTE && a_la_carte_excluded)
            continue;
        pacta_decision_add_charge(decision, PACTA_CHARGE_CREDIT_NOTE, -invoice->amount, false, received_on,
                                  invoice->id);
        credited -= invoice->amount;
    }
    decision->amount = credited;
    pacta_explain_money(decision, RESULT, "credited", credited);
    pacta_decision_add_notification(decision, PACTA_TO_CLIENT, PACTA_CHANNEL_ANY, "withdrawal_accepted", received_on);
    pacta_decision_because(decision,
                           "withdrawal on {withdrawal_on}, within {withdrawal_days} days of {counted_from} (through "
                           "{deadline}), with no service started; invoices credited: {credited}",
                           "rétractation le {withdrawal_on}, dans les {withdrawal_days} jours depuis le "
                           "{counted_from} (jusqu'au {deadline}), sans prestation commencée ; factures "
                           "créditées : {credited}");
    if (contract->has_a_la_carte_lines && a_la_carte_excluded) {
        if (s_refuse_withdrawal(out, profile, contract, received_on, "a_la_carte",
                                "the pack part is withdrawn, but there is no right of withdrawal for the "
                                "à-la-carte services of the order",
                                "la partie pack est rétractée, mais le droit de rétractation ne s'applique pas aux "
                                "services à la carte de la commande",
                                PACTA_DATE_INVALID, PACTA_DATE_INVALID) != 0)
            return -1;
    }
    return pacta_outcome_status(out);
}

/* ---- CC-10 ----------------------------------------------------------------- */

int
rule_cc10_end_content_licence(const pacta_profile_t *profile, const pacta_contract_t *contract, pacta_outcome_t *out)
{
    assert(profile && contract && out);
    const pacta_rule_t *rule = &profile->content_licence.rule;
    if (!pacta_rule_enabled(rule))
        return 0;
    if (!pacta_date_is_valid(contract->ends_on))
        return -1;
    pacta_decision_t *decision = pacta_outcome_add(out, profile, rule, PACTA_DECISION_LICENCE_END);
    if (!decision)
        return -1;
    decision->date = contract->ends_on;
    pacta_decision_set_ref(decision, contract->id);
    pacta_explain_text(decision, IN, "contract", contract->id);
    pacta_explain_date(decision, IN, "contract_last_day", contract->ends_on);
    pacta_explain_date(decision, RESULT, "consent_needed_from", contract->ends_on + 1);
    pacta_decision_add_notification(decision, PACTA_TO_CLIENT, PACTA_CHANNEL_ANY, "licence_ended", contract->ends_on);
    pacta_decision_because(decision,
                           "the licence on the created content lasts as long as contract {contract}, whose last "
                           "day is {contract_last_day}; from {consent_needed_from} any use needs prior written "
                           "consent",
                           "la licence sur les contenus créés dure autant que le contrat {contract}, dont le dernier "
                           "jour est le {contract_last_day} ; à partir du {consent_needed_from} toute utilisation "
                           "requiert un accord écrit préalable");
    return pacta_outcome_status(out);
}

/* ---- CC-13 ----------------------------------------------------------------- */

int
rule_cc13_force_majeure(const pacta_profile_t *profile, const pacta_contract_t *contract,
                        const pacta_force_majeure_event_t *event, pacta_date_t today, pacta_outcome_t *out)
{
    assert(profile && contract && event && out);
    const pacta_force_majeure_t *terms = &profile->force_majeure;
    if (!pacta_rule_enabled(&terms->rule))
        return 0;
    if (!pacta_date_is_valid(event->started_on) || !pacta_date_is_valid(today))
        return -1;
    if (pacta_date_is_valid(event->ended_on) && event->ended_on < event->started_on)
        return -1;
    if (today < event->started_on)
        return 0;
    bool ended = pacta_date_is_valid(event->ended_on) && event->ended_on < today;
    bool suspended_for_it = contract->state == PACTA_CONTRACT_SUSPENDED
                            && strcmp(contract->suspension_reason, "force_majeure") == 0;
    int after_days = terms->termination_when_longer_than_calendar_days;
    pacta_date_t right_from = event->started_on + after_days;

    if (!ended && !suspended_for_it) {
        pacta_decision_t *suspend = pacta_outcome_add(out, profile, &terms->rule, PACTA_DECISION_SUSPEND);
        if (!suspend)
            return -1;
        suspend->status = PACTA_DECISION_APPLY;   //  force majeure suspends by itself
        suspend->date = event->started_on;
        pacta_decision_set_ref(suspend, contract->id);
        pacta_decision_set_reason(suspend, "force_majeure");
        pacta_explain_text(suspend, IN, "event", event->id);
        pacta_explain_date(suspend, IN, "started_on", event->started_on);
        pacta_explain_int(suspend, PARAM, "after_days", after_days);
        pacta_explain_date(suspend, RESULT, "termination_right_from", right_from);
        pacta_decision_add_notification(suspend, PACTA_TO_CLIENT, PACTA_CHANNEL_ANY, "force_majeure", today);
        pacta_decision_add_timer(suspend, "force_majeure_termination_right", right_from, contract->id);
        pacta_decision_because(suspend,
                               "force majeure {event} since {started_on} suspends performance; if it lasts more "
                               "than {after_days} days the contract may be ended from {termination_right_from}",
                               "la force majeure {event} depuis le {started_on} suspend l'exécution ; si elle dure "
                               "plus de {after_days} jours le contrat peut être résilié à partir du "
                               "{termination_right_from}");
    }
    if (ended && suspended_for_it) {
        pacta_decision_t *restore = pacta_outcome_add(out, profile, &terms->rule, PACTA_DECISION_RESTORE);
        if (!restore)
            return -1;
        restore->status = PACTA_DECISION_APPLY;
        restore->date = event->ended_on + 1;
        pacta_decision_set_ref(restore, contract->id);
        pacta_decision_set_reason(restore, "force_majeure_ended");
        pacta_explain_text(restore, IN, "event", event->id);
        pacta_explain_date(restore, IN, "started_on", event->started_on);
        pacta_explain_date(restore, IN, "ended_on", event->ended_on);
        pacta_decision_add_notification(restore, PACTA_TO_CLIENT, PACTA_CHANNEL_ANY, "force_majeure_ended",
                                        event->ended_on + 1);
        pacta_decision_because(restore, "force majeure {event} lasted from {started_on} to {ended_on}",
                               "la force majeure {event} a duré du {started_on} au {ended_on}");
    }
    if (!ended && today >= right_from) {
        pacta_decision_t *terminate = pacta_outcome_add(out, profile, &terms->rule, PACTA_DECISION_TERMINATE);
        if (!terminate)
            return -1;
        terminate->date = today;
        pacta_decision_set_ref(terminate, contract->id);
        pacta_decision_set_reason(terminate, "force_majeure");
        pacta_explain_text(terminate, IN, "event", event->id);
        pacta_explain_date(terminate, IN, "started_on", event->started_on);
        pacta_explain_int(terminate, PARAM, "after_days", after_days);
        pacta_explain_int(terminate, RESULT, "lasted_days", (int64_t) today - event->started_on + 1);
        pacta_explain_money(terminate, RESULT, "indemnity", 0);
        pacta_decision_add_notification(terminate, PACTA_TO_CLIENT, PACTA_CHANNEL_ANY, "terminated_force_majeure",
                                        today);
        pacta_decision_because(terminate,
                               "force majeure {event} since {started_on} has lasted {lasted_days} consecutive days, "
                               "more than {after_days}; termination without indemnity",
                               "la force majeure {event} depuis le {started_on} dure depuis {lasted_days} jours "
                               "consécutifs, plus de {after_days} ; résiliation sans indemnité");
    }
    return pacta_outcome_status(out);
}

/* ---- CC-14 ----------------------------------------------------------------- */

int
rule_cc14_change_terms(const pacta_profile_t *profile, const pacta_contract_t *contract,
                       const pacta_terms_change_event_t *change, pacta_outcome_t *out)
{
    assert(profile && contract && change && out);
    const pacta_terms_change_t *terms = &profile->terms_change;
    if (!pacta_rule_enabled(&terms->rule))
        return 0;
    bool published = pacta_date_is_valid(change->published_on);
    bool notified = pacta_date_is_valid(change->notified_on);
    if (!published && !notified)
        return -1;

    if (terms->effective_on == PACTA_CHANGE_ON_NOTIFICATION) {
        pacta_date_t effective = published ? change->published_on : change->notified_on;
        if (published && notified && change->notified_on < effective)
            effective = change->notified_on;
        pacta_decision_t *decision = pacta_outcome_add(out, profile, &terms->rule, PACTA_DECISION_EFFECTIVE);
        if (!decision)
            return -1;
        decision->date = effective;
        pacta_decision_set_ref(decision, change->id);
        pacta_explain_text(decision, IN, "change", change->id);
        if (published)
            pacta_explain_date(decision, IN, "published_on", change->published_on);
        if (notified)
            pacta_explain_date(decision, IN, "notified_on", change->notified_on);
        pacta_explain_date(decision, RESULT, "effective_on", effective);
        if (!notified)
            pacta_decision_add_notification(decision, PACTA_TO_CLIENT, PACTA_CHANNEL_ANY, "terms_changed", effective);
        pacta_decision_because(decision,
                               "changed terms {change} apply from the earlier of their publication and their "
                               "notification; a client who disagrees may end the contract with the usual notice "
                               "or early-termination conditions",
                               "les conditions modifiées {change} s'appliquent dès la première de leur publication "
                               "ou de leur notification ; le client en désaccord peut mettre fin au contrat aux "
                               "conditions habituelles de préavis ou de résiliation anticipée");
    }
    else {
        //  Changes start on the 1st of the month after sending, unless the
        //  client objects in time; never before the objection period ends.
        pacta_date_t sent_on = notified ? change->notified_on : change->published_on;
        int year = 0;
        int month = 0;
        pacta_date_to_ymd(sent_on, &year, &month, NULL);
        pacta_date_t first_next = pacta_add_months(pacta_date_from_ymd(year, month, 1), 1);
        pacta_date_t objection_until = pacta_clear_days_deadline(sent_on, terms->objection_clear_days);
        pacta_date_t effective = first_next;
        if (terms->objection_clear_days > 0 && objection_until + 1 > effective)
            effective = objection_until + 1;
        bool objected = terms->objection_clear_days > 0 && pacta_date_is_valid(change->objected_on)
                        && change->objected_on <= objection_until;
        pacta_decision_t *decision = pacta_outcome_add(
            out, profile, &terms->rule, objected ? PACTA_DECISION_RECORD : PACTA_DECISION_EFFECTIVE);
        if (!decision)
            return -1;
        decision->date = objected ? change->objected_on : effective;
        pacta_decision_set_ref(decision, change->id);
        pacta_explain_text(decision, IN, "change", change->id);
        pacta_explain_date(decision, IN, "sent_on", sent_on);
        pacta_explain_int(decision, PARAM, "objection_clear_days", terms->objection_clear_days);
        pacta_explain_date(decision, RESULT, "objection_until", objection_until);
        pacta_explain_date(decision, RESULT, "first_of_next_month", first_next);
        if (objected) {
            pacta_decision_set_reason(decision, "objected");
            pacta_explain_date(decision, IN, "objected_on", change->objected_on);
            pacta_decision_head(decision, "Changed terms do not apply", "Les conditions modifiées ne s'appliquent pas");
            pacta_decision_because(decision,
                                   "the client objected on {objected_on} to changes {change}, within "
                                   "{objection_clear_days} clear days of {sent_on}",
                                   "le client s'est opposé le {objected_on} aux modifications {change}, dans les "
                                   "{objection_clear_days} jours francs depuis le {sent_on}");
        }
        else
            pacta_decision_because(decision,
                                   "changes {change} sent on {sent_on} apply from the 1st of the next month "
                                   "({first_of_next_month}), and not before the objection period of "
                                   "{objection_clear_days} clear days ends on {objection_until}",
                                   "les modifications {change} envoyées le {sent_on} s'appliquent le 1er du mois "
                                   "suivant ({first_of_next_month}), et pas avant la fin du délai d'opposition de "
                                   "{objection_clear_days} jours francs le {objection_until}");
    }

    if (change->changes_services) {
        bool accepted = pacta_date_is_valid(change->accepted_on);
        pacta_decision_t *service = pacta_outcome_add(out, profile, &terms->rule,
                                                      accepted ? PACTA_DECISION_RELEASE : PACTA_DECISION_WITHHOLD);
        if (!service)
            return -1;
        service->date = accepted ? change->accepted_on : (notified ? change->notified_on : change->published_on);
        pacta_decision_set_ref(service, contract->id);
        pacta_explain_text(service, IN, "change", change->id);
        if (accepted) {
            pacta_explain_date(service, IN, "accepted_on", change->accepted_on);
            pacta_decision_head(service, "Changed service may be performed from {date}",
                                "Le service modifié peut être exécuté à partir du {date}");
            pacta_decision_because(service, "the client accepted changes {change} on {accepted_on}",
                                   "le client a accepté les modifications {change} le {accepted_on}");
        }
        else {
            pacta_explain_flag(service, IN, "accepted", false);
            pacta_decision_head(service, "Changed service not started", "Service modifié non commencé");
            pacta_decision_because(service,
                                   "changes {change} to the services need the client's acceptance before any new "
                                   "service",
                                   "les modifications {change} des services doivent être acceptées par le client "
                                   "avant toute nouvelle prestation");
            pacta_decision_add_notification(service, PACTA_TO_CLIENT, PACTA_CHANNEL_ANY, "service_change_to_accept",
                                            service->date);
        }
    }
    return pacta_outcome_status(out);
}
