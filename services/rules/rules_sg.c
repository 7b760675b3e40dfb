/*  =========================================================================
    rules_sg - the Sg Event clauses as pure, explained decision functions

    SG-2a quote lapse, SG-2b deposit, SG-3 withdrawal, SG-4a..4d termination,
    SG-5a..5c performance, SG-8a retention, SG-8b due date, SG-8e complaints,
    SG-9 renegotiation, SG-10 terms changes, SG-14 mediation. (Late charges
    are in rules_late.c, retention of personal data elsewhere.)

    Key design decision: a rule reads only its own profile block and the
    legal dates carried by the facts, and states its result as decisions
    whose explanation holds every input, parameter and result the sentence
    quotes. Nothing is remembered between calls: the shell passes the
    entity and the facts each time, so a replay decides the same. A refusal
    is a fact, never a proposal, even in mode propose: there is nothing for
    an operator to approve.
    =========================================================================
*/
#include "rules_sg.h"

#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "rules_withdrawal.h"

#define BP_PER_UNIT 10000   /* basis points in 100 % (a unit, not a figure of the terms) */

/* ---- helpers ------------------------------------------------------------------- */

//  The 1st day of the month after the month of date.
static pacta_date_t
s_first_of_next_month(pacta_date_t date)
{
    int year = 0, month = 0;
    pacta_date_to_ymd(date, &year, &month, NULL);
    return pacta_add_months(pacta_date_from_ymd(year, month, 1), 1);
}

static pacta_date_t
s_max_date(pacta_date_t a, pacta_date_t b)
{
    return a > b ? a : b;
}

//  A refusal under rule: always applied at once, with its reason and ref.
static pacta_decision_t *
s_refuse(pacta_outcome_t *out, const pacta_profile_t *profile, const pacta_rule_t *rule, const char *reason,
         const char *ref)
{
    pacta_decision_t *decision = pacta_outcome_add(out, profile, rule, PACTA_DECISION_REFUSE);
    if (!decision)
        return NULL;
    decision->status = PACTA_DECISION_APPLY;
    pacta_decision_set_reason(decision, reason);
    pacta_decision_set_ref(decision, ref);
    return decision;
}

/* ---- SG-2a: quote validity ------------------------------------------------------ */

pacta_date_t
pacta_quote_valid_through(const pacta_profile_t *profile, const pacta_quote_t *quote)
{
    assert(profile);
    if (!quote || !pacta_date_is_valid(quote->issued_on))
        return PACTA_DATE_INVALID;
    int days = quote->validity_days > 0 ? quote->validity_days : profile->quote.validity_calendar_days;
    return pacta_calendar_days_deadline(quote->issued_on, days);
}

//  The quote's own figures, which every SG-2a decision quotes.
static void
s_explain_quote(pacta_decision_t *decision, const pacta_profile_t *profile, const pacta_quote_t *quote)
{
    pacta_explain_text(decision, PACTA_ROLE_INPUT, "quote", quote->id);
    pacta_explain_date(decision, PACTA_ROLE_INPUT, "issued_on", quote->issued_on);
    if (quote->validity_days > 0)
        pacta_explain_int(decision, PACTA_ROLE_INPUT, "validity_days", quote->validity_days);
    else
        pacta_explain_int(decision, PACTA_ROLE_PARAMETER, "validity_days", profile->quote.validity_calendar_days);
    pacta_explain_date(decision, PACTA_ROLE_RESULT, "valid_through", pacta_quote_valid_through(profile, quote));
}

static const char *
s_acceptance_form_name(pacta_acceptance_form_t form)
{
    switch (form) {
    case PACTA_ACCEPTED_BY_SIGNATURE:
        return "signature";
    case PACTA_ACCEPTED_BY_EMAIL:
        return "email";
    case PACTA_ACCEPTED_VERBALLY:
        return "verbal";
    case PACTA_ACCEPTED_BY_WORK_STARTED:
        return "work_started";
    default:
        return "other";
    }
}

int
rule_sg2a_accept_quote(const pacta_profile_t *profile, const pacta_quote_t *quote, pacta_date_t accepted_on,
                       pacta_acceptance_form_t form, pacta_outcome_t *out)
{
    assert(profile && out);
    const pacta_rule_t *rule = &profile->quote.rule;
    if (!quote || !pacta_date_is_valid(quote->issued_on) || !pacta_date_is_valid(accepted_on)
        || accepted_on < quote->issued_on)
        return -1;
    if (!pacta_rule_enabled(rule) || quote->state == PACTA_QUOTE_ACCEPTED)
        return 0;
    pacta_date_t valid_through = pacta_quote_valid_through(profile, quote);
    pacta_decision_t *decision = NULL;
    if (quote->state == PACTA_QUOTE_WITHDRAWN) {
        decision = s_refuse(out, profile, rule, "withdrawn", quote->id);
        if (!decision)
            return pacta_outcome_status(out);
        pacta_decision_because(decision, "quote {quote} was withdrawn before the acceptance of {accepted_on}",
                               "le devis {quote} a été retiré avant l'acceptation du {accepted_on}");
    }
    else if (accepted_on > valid_through) {
        decision = s_refuse(out, profile, rule, "lapsed", quote->id);
        if (!decision)
            return pacta_outcome_status(out);
        pacta_decision_because(decision,
                               "quote {quote} issued {issued_on} was valid through {valid_through} "
                               "({validity_days} days); the acceptance of {accepted_on} comes after it lapsed",
                               "le devis {quote} émis le {issued_on} était valable jusqu'au {valid_through} "
                               "({validity_days} jours) ; l'acceptation du {accepted_on} arrive après sa caducité");
    }
    else {
        decision = pacta_outcome_add(out, profile, rule, PACTA_DECISION_ACCEPT);
        if (!decision)
            return pacta_outcome_status(out);
        decision->date = accepted_on;
        pacta_decision_set_reason(decision, "accepted");
        pacta_decision_set_ref(decision, quote->id);
        pacta_decision_because(decision,
                               "quote {quote} issued {issued_on} was accepted within its validity of "
                               "{validity_days} days (through {valid_through}); any form of acceptance binds "
                               "the client",
                               "le devis {quote} émis le {issued_on} a été accepté dans son délai de validité "
                               "de {validity_days} jours (jusqu'au {valid_through}) ; toute forme "
                               "d'acceptation engage le client");
    }
    s_explain_quote(decision, profile, quote);
    pacta_explain_date(decision, PACTA_ROLE_INPUT, "accepted_on", accepted_on);
    pacta_explain_text(decision, PACTA_ROLE_INPUT, "accepted_by", s_acceptance_form_name(form));
    return pacta_outcome_status(out);
}

int
rule_sg2a_lapse_quote(const pacta_profile_t *profile, const pacta_quote_t *quote, pacta_date_t as_of,
                      pacta_outcome_t *out)
{
    assert(profile && out);
    const pacta_rule_t *rule = &profile->quote.rule;
    if (!quote || !pacta_date_is_valid(quote->issued_on) || !pacta_date_is_valid(as_of))
        return -1;
    if (!pacta_rule_enabled(rule) || quote->state != PACTA_QUOTE_OPEN)
        return 0;
    pacta_date_t valid_through = pacta_quote_valid_through(profile, quote);
    if (as_of <= valid_through)
        return 0;
    pacta_decision_t *decision = pacta_outcome_add(out, profile, rule, PACTA_DECISION_RECORD);
    if (!decision)
        return pacta_outcome_status(out);
    decision->date = valid_through + 1;
    pacta_decision_set_reason(decision, "lapsed");
    pacta_decision_set_ref(decision, quote->id);
    s_explain_quote(decision, profile, quote);
    pacta_decision_head(decision, "Quote lapsed on {date}", "Devis caduc le {date}");
    pacta_decision_because(decision,
                           "quote {quote} issued {issued_on} was not accepted within {validity_days} days "
                           "(through {valid_through}); a later acceptance will be refused",
                           "le devis {quote} émis le {issued_on} n'a pas été accepté dans les {validity_days} "
                           "jours (jusqu'au {valid_through}) ; une acceptation ultérieure sera refusée");
    return pacta_outcome_status(out);
}

/* ---- SG-2b: deposit ----------------------------------------------------------- */

int
rule_sg2b_invoice_deposit(const pacta_profile_t *profile, const pacta_quote_t *quote, pacta_date_t accepted_on,
                          pacta_outcome_t *out)
{
    assert(profile && out);
    const pacta_deposit_terms_t *terms = &profile->deposit;
    if (!quote || quote->total < 0 || !pacta_date_is_valid(accepted_on))
        return -1;
    if (quote->deposit_percent_stated && (quote->deposit_percent < 0 || quote->deposit_percent > BP_PER_UNIT))
        return -1;
    if (!pacta_rule_enabled(&terms->rule))
        return 0;
    pacta_bp_t percent = quote->deposit_percent_stated ? quote->deposit_percent : terms->default_percent;
    pacta_cents_t deposit = 0;
    if (pacta_money_percent(quote->total, percent, &deposit) != 0)
        return -1;
    if (deposit == 0)
        return 0;
    pacta_decision_t *decision = pacta_outcome_add(out, profile, &terms->rule, PACTA_DECISION_CHARGE);
    if (!decision)
        return pacta_outcome_status(out);
    decision->date = accepted_on;
    decision->amount = deposit;
    pacta_decision_set_reason(decision, "deposit");
    pacta_decision_set_ref(decision, quote->id);
    pacta_decision_add_charge(decision, PACTA_CHARGE_DEPOSIT, deposit, false, accepted_on, quote->id);
    pacta_explain_text(decision, PACTA_ROLE_INPUT, "quote", quote->id);
    pacta_explain_money(decision, PACTA_ROLE_INPUT, "total", quote->total);
    pacta_explain_date(decision, PACTA_ROLE_INPUT, "accepted_on", accepted_on);
    pacta_explain_bp(decision, quote->deposit_percent_stated ? PACTA_ROLE_INPUT : PACTA_ROLE_PARAMETER,
                     "deposit_percent", percent);
    pacta_explain_money(decision, PACTA_ROLE_RESULT, "deposit", deposit);
    pacta_decision_because(decision,
                           "quote {quote} of {total} was accepted on {accepted_on}; the deposit is "
                           "{deposit_percent} of the total, work starts once it is paid and it is never refunded",
                           "le devis {quote} de {total} a été accepté le {accepted_on} ; l'acompte est de "
                           "{deposit_percent} du total, les travaux commencent après son paiement et il reste "
                           "acquis");
    return pacta_outcome_status(out);
}

int
rule_sg2b_hold_work_for_deposit(const pacta_profile_t *profile, const pacta_contract_t *contract,
                                const pacta_invoice_t *deposit_invoice, const pacta_payment_t *payments,
                                size_t payment_count, pacta_date_t as_of, pacta_outcome_t *out)
{
    assert(profile && out);
    const pacta_rule_t *rule = &profile->deposit.rule;
    if (!contract || !deposit_invoice || !pacta_date_is_valid(as_of) || (!payments && payment_count > 0))
        return -1;
    if (!pacta_rule_enabled(rule))
        return 0;
    pacta_date_t paid_on = pacta_invoice_fully_paid_on(deposit_invoice, payments, payment_count);
    bool paid = paid_on != PACTA_DATE_INVALID && paid_on <= as_of;
    pacta_decision_t *decision =
        pacta_outcome_add(out, profile, rule, paid ? PACTA_DECISION_RELEASE : PACTA_DECISION_WITHHOLD);
    if (!decision)
        return pacta_outcome_status(out);
    pacta_decision_set_ref(decision, contract->id);
    pacta_explain_text(decision, PACTA_ROLE_INPUT, "contract", contract->id);
    pacta_explain_text(decision, PACTA_ROLE_INPUT, "invoice", deposit_invoice->id);
    pacta_explain_money(decision, PACTA_ROLE_INPUT, "deposit", deposit_invoice->amount);
    if (paid) {
        decision->date = paid_on;
        pacta_decision_set_reason(decision, "deposit_paid");
        pacta_explain_date(decision, PACTA_ROLE_INPUT, "paid_on", paid_on);
        pacta_decision_head(decision, "Work may start on {date}", "Les travaux peuvent commencer le {date}");
        pacta_decision_because(decision, "deposit invoice {invoice} of {deposit} was paid in full on {paid_on}",
                               "la facture d'acompte {invoice} de {deposit} a été payée intégralement le "
                               "{paid_on}");
        return pacta_outcome_status(out);
    }
    pacta_cents_t outstanding =
        deposit_invoice->amount - pacta_invoice_paid_by(deposit_invoice, payments, payment_count, as_of);
    decision->date = deposit_invoice->issued_on;
    decision->amount = outstanding;
    pacta_decision_set_reason(decision, "deposit_unpaid");
    pacta_explain_date(decision, PACTA_ROLE_INPUT, "as_of", as_of);
    pacta_explain_money(decision, PACTA_ROLE_RESULT, "outstanding", outstanding);
    pacta_decision_head(decision, "Work may not start", "Les travaux ne peuvent pas commencer");
    pacta_decision_because(decision,
                           "deposit invoice {invoice} of {deposit} is not paid in full on {as_of} ({outstanding} "
                           "outstanding)",
                           "la facture d'acompte {invoice} de {deposit} n'est pas payée intégralement le "
                           "{as_of} ({outstanding} restant dus)");
    return pacta_outcome_status(out);
}

/* ---- SG-3: consumer withdrawal ----------------------------------------------------- */

//  Why a withdrawal is refused, in both languages.
typedef struct {
    const char *reason;   //  machine code
    const char *en;       //  because-sentence, English
    const char *fr;       //  same, French
} s_refusal_text_t;

static const s_refusal_text_t s_withdrawal_refusals[] = {
    {"professional_client", "the right of withdrawal belongs to consumers; contract {contract} is with a business",
     "le droit de rétractation appartient aux consommateurs ; le contrat {contract} est conclu avec une "
     "entreprise"},
    {"on_premises", "contract {contract} was not concluded at a distance or off premises",
     "le contrat {contract} n'a pas été conclu à distance ou hors établissement"},
    {"late",
     "the withdrawal sent {sent_on} comes after {last_day}, the last of the {withdrawal_days} days from "
     "{counted_from}",
     "la rétractation envoyée le {sent_on} arrive après le {last_day}, dernier des {withdrawal_days} jours à "
     "compter du {counted_from}"},
    {"customised_goods", "goods made to the client's specifications are excluded from withdrawal",
     "les biens confectionnés selon les spécifications du client sont exclus de la rétractation"},
    {"fully_performed",
     "the service was fully performed after the client's express consent and acknowledgement of losing the "
     "right",
     "le service a été pleinement exécuté après l'accord exprès du client, qui a reconnu perdre son droit"},
    {"performance_started", "a service of contract {contract} was already performed or started",
     "une prestation du contrat {contract} a déjà été exécutée ou commencée"},
    {"a_la_carte", "à-la-carte services are excluded from withdrawal",
     "les services à la carte sont exclus de la rétractation"},
};

static const s_refusal_text_t *
s_withdrawal_refusal(const char *reason)
{
    for (size_t i = 0; i < sizeof s_withdrawal_refusals / sizeof s_withdrawal_refusals[0]; i++)
        if (strcmp(s_withdrawal_refusals[i].reason, reason) == 0)
            return &s_withdrawal_refusals[i];
    return NULL;
}

//  The date the withdrawal period counts from, per the profile.
static pacta_date_t
s_withdrawal_counted_from(const pacta_withdrawal_terms_t *terms, const pacta_contract_t *contract)
{
    const pacta_formation_t *formation = &contract->formation;
    switch (terms->counted_from) {
    case PACTA_WITHDRAWAL_FROM_ORDER_FORM_SIGNED:
        return formation->order_form_signed_on;
    case PACTA_WITHDRAWAL_FROM_ORDER_CONFIRMED:
        return formation->order_confirmed_on;
    default:
        return pacta_date_is_valid(formation->order_confirmed_on) ? formation->order_confirmed_on
                                                                  : contract->start_on;
    }
}

int
rule_sg3_withdraw_consumer(const pacta_profile_t *profile, const pacta_contract_t *contract,
                           const pacta_withdrawal_request_t *request, pacta_outcome_t *out)
{
    assert(profile && out);
    const pacta_withdrawal_terms_t *terms = &profile->withdrawal;
    if (!contract || !request || !pacta_date_is_valid(request->sent_on))
        return -1;
    if (!pacta_rule_enabled(&terms->rule))
        return 0;
    pacta_date_t counted_from = s_withdrawal_counted_from(terms, contract);
    if (!pacta_date_is_valid(counted_from))
        return -1;
    //  The later of the terms' period and the statutory one (L-3) binds:
    //  the statute is a floor the terms may only extend.
    pacta_date_t last_day = s_max_date(pacta_calendar_days_deadline(counted_from, terms->calendar_days),
                                       pacta_l3_last_withdrawal_day(profile, counted_from));
    bool started = pacta_date_is_valid(contract->performance_started_on)
                   && contract->performance_started_on <= request->sent_on;

    const char *reason = NULL;
    if (terms->consumer_distance_only && contract->client.kind != PACTA_CLIENT_CONSUMER)
        reason = "professional_client";
    else if (terms->consumer_distance_only && !contract->formation.at_distance)
        reason = "on_premises";
    else if (request->sent_on > last_day)
        reason = "late";
    else if ((terms->excluded & PACTA_WITHDRAWAL_EXCLUDES_CUSTOMISED_GOODS) && request->customised_goods)
        reason = "customised_goods";
    else if ((terms->excluded & PACTA_WITHDRAWAL_EXCLUDES_A_LA_CARTE) && contract->kind == PACTA_CONTRACT_A_LA_CARTE)
        reason = "a_la_carte";
    else if (terms->refused_when == PACTA_WITHDRAWAL_REFUSED_FULLY_PERFORMED_CONSENTED && request->fully_performed
             && request->consent_and_acknowledgement)
        reason = "fully_performed";
    else if (terms->refused_when == PACTA_WITHDRAWAL_REFUSED_ONCE_STARTED && started)
        reason = "performance_started";

    pacta_decision_t *decision = NULL;
    if (reason) {
        const s_refusal_text_t *text = s_withdrawal_refusal(reason);
        assert(text);
        decision = s_refuse(out, profile, &terms->rule, reason, contract->id);
        if (!decision)
            return pacta_outcome_status(out);
        pacta_decision_because(decision, text->en, text->fr);
    }
    else {
        decision = pacta_outcome_add(out, profile, &terms->rule, PACTA_DECISION_CANCEL);
        if (!decision)
            return pacta_outcome_status(out);
        decision->date = request->sent_on;
        pacta_decision_set_reason(decision, "withdrawn");
        pacta_decision_set_ref(decision, contract->id);
        //  The law lets the provider charge for a service begun at the
        //  consumer's request; no figure fixes it, so a person sets it.
        if (started && !request->fully_performed)
            pacta_decision_add_notification(decision, PACTA_TO_OPERATOR, PACTA_CHANNEL_ANY,
                                            "withdrawal_partly_performed", request->sent_on);
        pacta_decision_because(decision,
                               "the consumer withdrew on {sent_on} from contract {contract} made at a distance "
                               "or off premises, within the {withdrawal_days} days from {counted_from} (through "
                               "{last_day})",
                               "le consommateur s'est rétracté le {sent_on} du contrat {contract} conclu à "
                               "distance ou hors établissement, dans les {withdrawal_days} jours à compter du "
                               "{counted_from} (jusqu'au {last_day})");
    }
    pacta_explain_text(decision, PACTA_ROLE_INPUT, "contract", contract->id);
    pacta_explain_date(decision, PACTA_ROLE_INPUT, "counted_from", counted_from);
    pacta_explain_date(decision, PACTA_ROLE_INPUT, "sent_on", request->sent_on);
    pacta_explain_flag(decision, PACTA_ROLE_INPUT, "performance_started", started);
    pacta_explain_int(decision, PACTA_ROLE_PARAMETER, "withdrawal_days", terms->calendar_days);
    pacta_explain_int(decision, PACTA_ROLE_PARAMETER, "statutory_days",
                      profile->statutes.distance_withdrawal.calendar_days);
    pacta_explain_date(decision, PACTA_ROLE_RESULT, "last_day", last_day);
    return pacta_outcome_status(out);
}

/* ---- SG-4a: fixed-term early termination ------------------------------------------- */

int
rule_sg4a_terminate_fixed_term(const pacta_profile_t *profile, const pacta_contract_t *contract,
                               pacta_date_t ends_on, pacta_outcome_t *out)
{
    assert(profile && out);
    const pacta_fixed_term_early_termination_t *terms = &profile->fixed_term_early_termination;
    if (!contract || !pacta_date_is_valid(ends_on))
        return -1;
    if (!pacta_rule_enabled(&terms->rule))
        return 0;
    if (contract->kind != PACTA_CONTRACT_FIXED_TERM) {
        pacta_decision_t *refusal = s_refuse(out, profile, &terms->rule, "not_fixed_term", contract->id);
        if (!refusal)
            return pacta_outcome_status(out);
        pacta_explain_text(refusal, PACTA_ROLE_INPUT, "contract", contract->id);
        pacta_decision_because(refusal, "contract {contract} is not a fixed-term or defined service",
                               "le contrat {contract} n'est pas une prestation à durée ou objet déterminés");
        return pacta_outcome_status(out);
    }
    pacta_cents_t total = contract->total_amount, performed = contract->performed_amount;
    pacta_cents_t deposit = contract->deposit_amount, deposit_paid = contract->deposit_paid;
    if (total < 0 || performed < 0 || performed > total || deposit < 0 || deposit > total || deposit_paid < 0
        || deposit_paid > deposit)
        return -1;

    pacta_cents_t remaining = total - performed;
    pacta_cents_t indemnity = 0;
    if (pacta_money_percent(remaining, terms->indemnity_percent_of_remaining, &indemnity) != 0)
        return -1;
    //  The deposit counts towards the performed services; what it does
    //  not cover is invoiced, what it covers beyond them is kept.
    pacta_cents_t performed_invoiced = performed > deposit ? performed - deposit : 0;
    pacta_cents_t deposit_kept_above = deposit > performed ? deposit - performed : 0;

    pacta_decision_t *end = pacta_outcome_add(out, profile, &terms->rule, PACTA_DECISION_TERMINATE);
    if (!end)
        return pacta_outcome_status(out);
    end->date = ends_on;
    pacta_decision_set_reason(end, "client_early_termination");
    pacta_decision_set_ref(end, contract->id);
    pacta_explain_text(end, PACTA_ROLE_INPUT, "contract", contract->id);
    pacta_explain_date(end, PACTA_ROLE_INPUT, "ends_on", ends_on);
    pacta_explain_money(end, PACTA_ROLE_INPUT, "deposit", deposit);
    pacta_explain_money(end, PACTA_ROLE_INPUT, "deposit_paid", deposit_paid);
    pacta_explain_money(end, PACTA_ROLE_RESULT, "deposit_outstanding", deposit - deposit_paid);
    pacta_decision_because(end,
                           "the client ended fixed-term contract {contract} early; the deposit of {deposit} is "
                           "kept and never refunded ({deposit_outstanding} of it still due)",
                           "le client a mis fin anticipativement au contrat à durée déterminée {contract} ; "
                           "l'acompte de {deposit} reste acquis ({deposit_outstanding} encore dus)");

    pacta_cents_t owed = 0;
    if (pacta_money_add(performed_invoiced, indemnity, &owed) != 0)
        return -1;
    if (owed == 0)
        return pacta_outcome_status(out);
    pacta_decision_t *charge = pacta_outcome_add(out, profile, &terms->rule, PACTA_DECISION_CHARGE);
    if (!charge)
        return pacta_outcome_status(out);
    charge->date = ends_on;
    charge->amount = owed;
    pacta_decision_set_reason(charge, "client_early_termination");
    pacta_decision_set_ref(charge, contract->id);
    if (performed_invoiced > 0)
        pacta_decision_add_charge(charge, PACTA_CHARGE_PERFORMED, performed_invoiced, false, ends_on, contract->id);
    if (indemnity > 0)
        pacta_decision_add_charge(charge, PACTA_CHARGE_INDEMNITY, indemnity, false, ends_on, contract->id);
    pacta_explain_text(charge, PACTA_ROLE_INPUT, "contract", contract->id);
    pacta_explain_money(charge, PACTA_ROLE_INPUT, "total", total);
    pacta_explain_money(charge, PACTA_ROLE_INPUT, "performed", performed);
    pacta_explain_money(charge, PACTA_ROLE_INPUT, "deposit", deposit);
    pacta_explain_bp(charge, PACTA_ROLE_PARAMETER, "indemnity_percent", terms->indemnity_percent_of_remaining);
    pacta_explain_money(charge, PACTA_ROLE_RESULT, "remaining", remaining);
    pacta_explain_money(charge, PACTA_ROLE_RESULT, "performed_invoiced", performed_invoiced);
    pacta_explain_money(charge, PACTA_ROLE_RESULT, "deposit_kept_above_performed", deposit_kept_above);
    pacta_explain_money(charge, PACTA_ROLE_RESULT, "indemnity", indemnity);
    pacta_decision_because(charge,
                           "of the total {total}, services worth {performed} were performed; the deposit of "
                           "{deposit} counts towards them, so {performed_invoiced} is still invoiced for them and "
                           "{deposit_kept_above_performed} of the deposit is kept; the indemnity is "
                           "{indemnity_percent} of the remaining {remaining}: {indemnity}",
                           "sur le total de {total}, des prestations de {performed} ont été réalisées ; "
                           "l'acompte de {deposit} s'impute sur elles, {performed_invoiced} est donc encore "
                           "facturé pour elles et {deposit_kept_above_performed} de l'acompte reste acquis ; "
                           "l'indemnité est de {indemnity_percent} du solde de {remaining} : {indemnity}");
    return pacta_outcome_status(out);
}

/* ---- SG-4b: notice for recurring contracts ------------------------------------------ */

int
rule_sg4b_give_notice(const pacta_profile_t *profile, const pacta_contract_t *contract,
                      const pacta_letter_t *letter, pacta_outcome_t *out)
{
    assert(profile && out);
    const pacta_notice_termination_t *terms = &profile->notice_termination;
    if (!contract || !letter || !pacta_date_is_valid(letter->sent_on))
        return -1;
    if (!pacta_rule_enabled(&terms->rule))
        return 0;
    const char *refusal = NULL;
    if (contract->kind != PACTA_CONTRACT_RECURRING)
        refusal = "not_recurring";
    else if (terms->notice_by == PACTA_SENT_BY_REGISTERED_LETTER && letter->via != PACTA_SENT_REGISTERED)
        refusal = "not_registered";
    if (refusal) {
        pacta_decision_t *decision = s_refuse(out, profile, &terms->rule, refusal, contract->id);
        if (!decision)
            return pacta_outcome_status(out);
        pacta_explain_text(decision, PACTA_ROLE_INPUT, "contract", contract->id);
        pacta_explain_date(decision, PACTA_ROLE_INPUT, "sent_on", letter->sent_on);
        if (strcmp(refusal, "not_recurring") == 0)
            pacta_decision_because(decision, "contract {contract} is not a recurring contract of indefinite term",
                                   "le contrat {contract} n'est pas un contrat récurrent à durée indéterminée");
        else
            pacta_decision_because(decision,
                                   "the notice sent {sent_on} for contract {contract} was not a registered letter",
                                   "le préavis envoyé le {sent_on} pour le contrat {contract} n'était pas une "
                                   "lettre recommandée");
        return pacta_outcome_status(out);
    }
    pacta_date_t received_on = pacta_letter_received_on(profile, letter);
    pacta_date_t notice_from = terms->notice_starts == PACTA_NOTICE_STARTS_FIRST_DAY_OF_NEXT_MONTH
                                   ? s_first_of_next_month(received_on)
                                   : received_on;
    pacta_date_t notice_to = pacta_add_months(notice_from, terms->notice_months) - 1;

    pacta_decision_t *decision = pacta_outcome_add(out, profile, &terms->rule, PACTA_DECISION_TERMINATE);
    if (!decision)
        return pacta_outcome_status(out);
    decision->date = notice_to;
    pacta_decision_set_reason(decision, letter->from == PACTA_FROM_CLIENT ? "notice_by_client"
                                                                          : "notice_by_provider");
    pacta_decision_set_ref(decision, contract->id);
    pacta_decision_add_timer(decision, "notice_end", notice_to + 1, contract->id);
    pacta_explain_text(decision, PACTA_ROLE_INPUT, "contract", contract->id);
    pacta_explain_date(decision, PACTA_ROLE_INPUT, "sent_on", letter->sent_on);
    pacta_explain_date(decision,
                       pacta_date_is_valid(letter->proven_received_on) ? PACTA_ROLE_INPUT : PACTA_ROLE_RESULT,
                       "received_on", received_on);
    pacta_explain_int(decision, PACTA_ROLE_PARAMETER, "notice_months", terms->notice_months);
    pacta_explain_date(decision, PACTA_ROLE_RESULT, "notice_from", notice_from);
    pacta_explain_date(decision, PACTA_ROLE_RESULT, "notice_to", notice_to);
    pacta_decision_because(decision,
                           "the notice sent {sent_on} was received {received_on}, so the {notice_months}-month "
                           "notice runs from {notice_from} to {notice_to}",
                           "le préavis envoyé le {sent_on} a été reçu le {received_on} : le préavis de "
                           "{notice_months} mois court du {notice_from} au {notice_to}");
    return pacta_outcome_status(out);
}

int
rule_sg4b_charge_unobserved_notice(const pacta_profile_t *profile, const pacta_contract_t *contract,
                                   pacta_date_t notice_to, pacta_date_t last_observed_day, pacta_outcome_t *out)
{
    assert(profile && out);
    const pacta_notice_termination_t *terms = &profile->notice_termination;
    if (!contract || !pacta_date_is_valid(notice_to) || !pacta_date_is_valid(last_observed_day))
        return -1;
    if (!pacta_rule_enabled(&terms->rule) || last_observed_day >= notice_to)
        return 0;
    int period_months = pacta_billing_period_months(contract->billing_period);
    if (period_months == 0 || !pacta_date_is_valid(contract->start_on) || contract->fee_per_period < 0)
        return -1;

    //  Fees of the billing periods (anniversaries from the start, never
    //  chained) overlapping the unobserved days: whole ones in full, the
    //  partial ones pro rata by days, summed as one fraction, rounded once.
    pacta_date_t from = s_max_date(last_observed_day + 1, contract->start_on);
    pacta_cents_t fee = contract->fee_per_period;
    __int128 whole = 0, numerator = 0, denominator = 1;
    for (int k = 0;; k++) {
        if (k > 1200)
            return -1;   //  a century of periods: the input is wrong
        pacta_date_t period_from = pacta_add_months(contract->start_on, k * period_months);
        pacta_date_t period_to = pacta_add_months(contract->start_on, (k + 1) * period_months) - 1;
        if (period_from > notice_to)
            break;
        if (period_to < from)
            continue;
        pacta_date_t overlap_from = s_max_date(from, period_from);
        pacta_date_t overlap_to = period_to < notice_to ? period_to : notice_to;
        int64_t overlap_days = overlap_to - overlap_from + 1;
        int64_t period_days = period_to - period_from + 1;
        if (overlap_days == period_days)
            whole += fee;
        else {
            numerator = numerator * period_days + (__int128) fee * overlap_days * denominator;
            denominator *= period_days;
        }
    }
    pacta_cents_t fees = 0;
    if (pacta_money_round_div(whole * denominator + numerator, denominator, &fees) != 0)
        return -1;
    if (fees == 0)
        return 0;
    pacta_decision_t *decision = pacta_outcome_add(out, profile, &terms->rule, PACTA_DECISION_CHARGE);
    if (!decision)
        return pacta_outcome_status(out);
    decision->date = last_observed_day + 1;
    decision->amount = fees;
    pacta_decision_set_reason(decision, "notice_not_observed");
    pacta_decision_set_ref(decision, contract->id);
    pacta_decision_add_charge(decision, PACTA_CHARGE_NOTICE_FEES, fees, false, decision->date, contract->id);
    pacta_explain_text(decision, PACTA_ROLE_INPUT, "contract", contract->id);
    pacta_explain_date(decision, PACTA_ROLE_INPUT, "notice_to", notice_to);
    pacta_explain_date(decision, PACTA_ROLE_INPUT, "last_observed_day", last_observed_day);
    pacta_explain_money(decision, PACTA_ROLE_INPUT, "fee_per_period", fee);
    pacta_explain_date(decision, PACTA_ROLE_RESULT, "unobserved_from", from);
    pacta_explain_int(decision, PACTA_ROLE_RESULT, "unobserved_days", notice_to - from + 1);
    pacta_explain_money(decision, PACTA_ROLE_RESULT, "fees", fees);
    pacta_decision_because(decision,
                           "the notice ran to {notice_to} but was observed only through {last_observed_day}; the "
                           "fees of the {unobserved_days} unobserved days from {unobserved_from}, at "
                           "{fee_per_period} per billing period, are {fees}",
                           "le préavis courait jusqu'au {notice_to} mais n'a été respecté que jusqu'au "
                           "{last_observed_day} ; la rémunération des {unobserved_days} jours non respectés à "
                           "partir du {unobserved_from}, à {fee_per_period} par période de facturation, est de "
                           "{fees}");
    return pacta_outcome_status(out);
}

/* ---- SG-4c: immediate termination by the provider ----------------------------------- */

int
rule_sg4c_terminate_for_cause(const pacta_profile_t *profile, const pacta_contract_t *contract, unsigned ground,
                              pacta_date_t recorded_on, pacta_outcome_t *out)
{
    assert(profile && out);
    const pacta_termination_for_cause_t *terms = &profile->termination_for_cause;
    if (!contract || !pacta_date_is_valid(recorded_on))
        return -1;
    if (!pacta_rule_enabled(&terms->rule))
        return 0;
    bool single = ground != 0 && (ground & (ground - 1)) == 0;
    bool allowed = single && (ground & terms->grounds) != 0;
    pacta_decision_t *decision = NULL;
    if (!allowed) {
        decision = s_refuse(out, profile, &terms->rule, "ground_not_allowed", contract->id);
        if (!decision)
            return pacta_outcome_status(out);
        pacta_decision_because(decision,
                               "the ground recorded on {recorded_on} is not one that lets the provider end "
                               "contract {contract} at once",
                               "le motif enregistré le {recorded_on} ne permet pas au prestataire de mettre fin "
                               "sur-le-champ au contrat {contract}");
    }
    else {
        decision = pacta_outcome_add(out, profile, &terms->rule, PACTA_DECISION_TERMINATE);
        if (!decision)
            return pacta_outcome_status(out);
        decision->date = recorded_on;
        pacta_decision_set_ref(decision, contract->id);
        pacta_decision_add_notification(decision, PACTA_TO_CLIENT, PACTA_CHANNEL_ANY, "termination_reasons",
                                        recorded_on);
        if (ground == PACTA_GROUND_BANKRUPTCY) {
            pacta_decision_set_reason(decision, "bankruptcy");
            pacta_decision_because(decision,
                                   "the client's bankruptcy, recorded on {recorded_on}, lets the provider end "
                                   "contract {contract} at once without notice; the reasons are sent to the "
                                   "client in writing",
                                   "la faillite du client, enregistrée le {recorded_on}, permet au prestataire "
                                   "de mettre fin sur-le-champ et sans préavis au contrat {contract} ; les motifs "
                                   "sont communiqués par écrit au client");
        }
        else if (ground == PACTA_GROUND_INDEPENDENCE_AT_RISK) {
            pacta_decision_set_reason(decision, "independence_at_risk");
            pacta_decision_because(decision,
                                   "circumstances threatening the provider's professional independence, recorded "
                                   "on {recorded_on}, let it end contract {contract} at once without notice; the "
                                   "reasons are sent to the client in writing",
                                   "des circonstances menaçant l'indépendance professionnelle du prestataire, "
                                   "enregistrées le {recorded_on}, lui permettent de mettre fin sur-le-champ et "
                                   "sans préavis au contrat {contract} ; les motifs sont communiqués par écrit "
                                   "au client");
        }
        else {
            pacta_decision_set_reason(decision, "serious_breach");
            pacta_decision_because(decision,
                                   "a serious breach by the client, recorded on {recorded_on}, lets the provider "
                                   "end contract {contract} at once without notice; the reasons are sent to the "
                                   "client in writing",
                                   "un manquement grave du client, enregistré le {recorded_on}, permet au "
                                   "prestataire de mettre fin sur-le-champ et sans préavis au contrat {contract} "
                                   "; les motifs sont communiqués par écrit au client");
        }
    }
    pacta_explain_text(decision, PACTA_ROLE_INPUT, "contract", contract->id);
    pacta_explain_date(decision, PACTA_ROLE_INPUT, "recorded_on", recorded_on);
    pacta_explain_int(decision, PACTA_ROLE_INPUT, "ground", ground);
    pacta_explain_int(decision, PACTA_ROLE_PARAMETER, "grounds_allowed", terms->grounds);
    return pacta_outcome_status(out);
}

/* ---- SG-4d: termination for the provider's default ---------------------------------- */

int
rule_sg4d_terminate_for_provider_default(const pacta_profile_t *profile, const pacta_contract_t *contract,
                                         const pacta_provider_default_t *facts, pacta_date_t received_on,
                                         pacta_outcome_t *out)
{
    assert(profile && out);
    const pacta_termination_for_default_t *terms = &profile->termination_for_provider_default;
    if (!contract || !facts || !pacta_date_is_valid(received_on))
        return -1;
    bool noticed = pacta_date_is_valid(facts->formal_notice_sent_on);
    if (noticed && !pacta_date_is_valid(facts->cure_by))
        return -1;   //  a formal notice always gives a time to perform
    if (!pacta_rule_enabled(&terms->rule))
        return 0;

    pacta_decision_t *decision = NULL;
    if (terms->formal_notice_required && !noticed) {
        decision = s_refuse(out, profile, &terms->rule, "no_formal_notice", contract->id);
        if (decision)
            pacta_decision_because(decision,
                                   "the client must first send the provider a formal notice giving it a "
                                   "reasonable time to perform",
                                   "le client doit d'abord adresser au prestataire une mise en demeure lui "
                                   "laissant un délai raisonnable");
    }
    else if (noticed && received_on <= facts->cure_by) {
        decision = s_refuse(out, profile, &terms->rule, "cure_time_running", contract->id);
        if (decision) {
            decision->date = facts->cure_by + 1;
            pacta_decision_because(decision,
                                   "the formal notice of {formal_notice_sent_on} gave the provider until "
                                   "{cure_by}; the termination received {received_on} comes before that time "
                                   "ran out",
                                   "la mise en demeure du {formal_notice_sent_on} laissait au prestataire "
                                   "jusqu'au {cure_by} ; la résiliation reçue le {received_on} arrive avant "
                                   "l'expiration de ce délai");
        }
    }
    else if (facts->caused_by_client) {
        decision = s_refuse(out, profile, &terms->rule, "caused_by_client", contract->id);
        if (decision)
            pacta_decision_because(decision, "the client caused the provider's default",
                                   "le client est à l'origine du défaut du prestataire");
    }
    else if (!facts->still_in_default) {
        decision = s_refuse(out, profile, &terms->rule, "not_in_default", contract->id);
        if (decision)
            pacta_decision_because(decision, "the provider is no longer in default",
                                   "le prestataire n'est plus en défaut");
    }
    else {
        decision = pacta_outcome_add(out, profile, &terms->rule, PACTA_DECISION_TERMINATE);
        if (decision) {
            decision->date = received_on;
            pacta_decision_set_reason(decision, "provider_default");
            pacta_decision_set_ref(decision, contract->id);
            if (noticed)
                pacta_decision_because(decision,
                                       "the provider stayed in default after the formal notice of "
                                       "{formal_notice_sent_on} gave it until {cure_by}; the client ends contract "
                                       "{contract} on {received_on} without indemnity or notice",
                                       "le prestataire est resté en défaut après la mise en demeure du "
                                       "{formal_notice_sent_on} qui lui laissait jusqu'au {cure_by} ; le client "
                                       "met fin au contrat {contract} le {received_on} sans indemnité ni préavis");
            else
                pacta_decision_because(decision,
                                       "the provider is in default; the client ends contract {contract} on "
                                       "{received_on} without indemnity or notice",
                                       "le prestataire est en défaut ; le client met fin au contrat {contract} "
                                       "le {received_on} sans indemnité ni préavis");
        }
    }
    if (!decision)
        return pacta_outcome_status(out);
    pacta_explain_text(decision, PACTA_ROLE_INPUT, "contract", contract->id);
    pacta_explain_date(decision, PACTA_ROLE_INPUT, "received_on", received_on);
    if (noticed) {
        pacta_explain_date(decision, PACTA_ROLE_INPUT, "formal_notice_sent_on", facts->formal_notice_sent_on);
        pacta_explain_date(decision, PACTA_ROLE_INPUT, "cure_by", facts->cure_by);
    }
    pacta_explain_flag(decision, PACTA_ROLE_INPUT, "still_in_default", facts->still_in_default);
    pacta_explain_flag(decision, PACTA_ROLE_PARAMETER, "formal_notice_required", terms->formal_notice_required);
    return pacta_outcome_status(out);
}

/* ---- SG-5a: execution deadlines ------------------------------------------------------ */

int
pacta_sg5a_deadline(const pacta_profile_t *profile, pacta_date_t start_on, int days,
                    const pacta_deadline_suspension_t *suspensions, size_t suspension_count,
                    pacta_date_t *base_deadline, pacta_date_t *deadline)
{
    assert(profile && base_deadline && deadline);
    const pacta_imperative_deadline_t *terms = &profile->imperative_deadline;
    if (!pacta_date_is_valid(start_on) || days < 0 || (!suspensions && suspension_count > 0))
        return -1;
    for (size_t i = 0; i < suspension_count; i++)
        if (!pacta_date_is_valid(suspensions[i].from) || !pacta_date_is_valid(suspensions[i].to)
            || suspensions[i].to < suspensions[i].from)
            return -1;
    bool business = terms->deadlines_in == PACTA_DAYS_BUSINESS;
    pacta_holidays_t holidays = pacta_profile_holidays(profile);
    pacta_date_t reached = business ? pacta_business_days_after(&holidays, start_on, days) : start_on + days;
    *base_deadline = reached;

    //  Suspensions in order of their first day; days already covered by an
    //  earlier (overlapping) one are not counted twice.
    pacta_date_t covered_until = PACTA_DATE_INVALID;
    size_t done = 0;
    pacta_date_t last_from = PACTA_DATE_INVALID;
    size_t last_index = 0;
    while (done < suspension_count) {
        size_t next = suspension_count;
        for (size_t i = 0; i < suspension_count; i++) {
            bool after_last = last_from == PACTA_DATE_INVALID || suspensions[i].from > last_from
                              || (suspensions[i].from == last_from && i > last_index);
            if (!after_last)
                continue;
            if (next == suspension_count || suspensions[i].from < suspensions[next].from)
                next = i;
        }
        assert(next < suspension_count);
        const pacta_deadline_suspension_t *suspension = &suspensions[next];
        last_from = suspension->from;
        last_index = next;
        done++;
        if (!(suspension->cause & terms->suspended_by) || suspension->from > reached)
            continue;
        pacta_date_t from = suspension->from;
        if (covered_until != PACTA_DATE_INVALID && from <= covered_until)
            from = covered_until + 1;
        if (from > suspension->to)
            continue;
        covered_until = suspension->to;
        int extension = business ? pacta_business_days_between(&holidays, from - 1, suspension->to)
                                 : suspension->to - from + 1;
        reached = business ? pacta_business_days_after(&holidays, reached, extension) : reached + extension;
    }
    *deadline = reached;
    return 0;
}

int
rule_sg5a_execution_deadline(const pacta_profile_t *profile, const char *ref, pacta_date_t start_on, int days,
                             const pacta_deadline_suspension_t *suspensions, size_t suspension_count,
                             pacta_outcome_t *out)
{
    assert(profile && out);
    const pacta_imperative_deadline_t *terms = &profile->imperative_deadline;
    pacta_date_t base = PACTA_DATE_INVALID, deadline = PACTA_DATE_INVALID;
    if (pacta_sg5a_deadline(profile, start_on, days, suspensions, suspension_count, &base, &deadline) != 0)
        return -1;
    if (!pacta_rule_enabled(&terms->rule))
        return 0;
    bool business = terms->deadlines_in == PACTA_DAYS_BUSINESS;
    pacta_holidays_t holidays = pacta_profile_holidays(profile);
    int extension = business ? pacta_business_days_between(&holidays, base, deadline) : deadline - base;
    pacta_decision_t *decision = pacta_outcome_add(out, profile, &terms->rule, PACTA_DECISION_DEADLINE);
    if (!decision)
        return pacta_outcome_status(out);
    decision->date = base;
    if (deadline != base) {
        decision->until = deadline;
        pacta_decision_head(decision, "Deadline {until} (extended from {date})",
                            "Échéance le {until} (prolongée depuis le {date})");
    }
    pacta_decision_set_reason(decision, "execution_deadline");
    pacta_decision_set_ref(decision, ref);
    pacta_decision_add_timer(decision, "execution_deadline_passed", deadline + 1, ref);
    pacta_explain_text(decision, PACTA_ROLE_INPUT, "work", ref);
    pacta_explain_date(decision, PACTA_ROLE_INPUT, "start_on", start_on);
    pacta_explain_int(decision, PACTA_ROLE_INPUT, "days", days);
    pacta_explain_flag(decision, PACTA_ROLE_PARAMETER, "business_days", business);
    pacta_explain_int(decision, PACTA_ROLE_RESULT, "extension_days", extension);
    pacta_explain_date(decision, PACTA_ROLE_RESULT, "deadline", deadline);
    if (business)
        pacta_decision_because(decision,
                               "the execution deadline of {work} is {days} business day(s) after {start_on}, "
                               "extended by {extension_days} business day(s) of suspension",
                               "le délai d'exécution de {work} est de {days} jour(s) ouvrable(s) après le "
                               "{start_on}, prolongé de {extension_days} jour(s) ouvrable(s) de suspension");
    else
        pacta_decision_because(decision,
                               "the execution deadline of {work} is {days} calendar day(s) after {start_on}, "
                               "extended by {extension_days} day(s) of suspension",
                               "le délai d'exécution de {work} est de {days} jour(s) calendrier après le "
                               "{start_on}, prolongé de {extension_days} jour(s) de suspension");
    return pacta_outcome_status(out);
}

int
rule_sg5a_late_delivery_indemnity(const pacta_profile_t *profile, const char *ref, pacta_date_t deadline,
                                  bool imperative, pacta_date_t delivered_on, pacta_date_t as_of,
                                  pacta_cents_t late_services_amount, pacta_outcome_t *out)
{
    assert(profile && out);
    const pacta_imperative_deadline_t *terms = &profile->imperative_deadline;
    if (!pacta_date_is_valid(deadline) || !pacta_date_is_valid(as_of) || late_services_amount < 0)
        return -1;
    if (!pacta_rule_enabled(&terms->rule))
        return 0;
    bool delivered = pacta_date_is_valid(delivered_on) && delivered_on <= as_of;
    bool missed = delivered ? delivered_on > deadline : as_of > deadline;
    if (!missed)
        return 0;
    pacta_decision_t *decision = NULL;
    if (!imperative) {
        decision = pacta_outcome_add(out, profile, &terms->rule, PACTA_DECISION_RECORD);
        if (!decision)
            return pacta_outcome_status(out);
        pacta_decision_set_reason(decision, "indicative");
        pacta_decision_head(decision, "Deadline missed on {date}, nothing owed",
                            "Délai dépassé le {date}, rien n'est dû");
        pacta_decision_because(decision,
                                "the deadline {deadline} of {work} was indicative: missing it owes nothing and does "
                                "not end the contract",
                                "le délai du {deadline} pour {work} était indicatif : son dépassement ne donne "
                                "droit à rien et ne met pas fin au contrat");
    }
    else {
        pacta_cents_t owed = 0;
        if (pacta_money_percent(late_services_amount, terms->indemnity_percent, &owed) != 0)
            return -1;
        decision = pacta_outcome_add(out, profile, &terms->rule, PACTA_DECISION_CREDIT);
        if (!decision)
            return pacta_outcome_status(out);
        decision->amount = -owed;
        pacta_decision_set_reason(decision, "imperative_deadline_missed");
        pacta_decision_add_charge(decision, PACTA_CHARGE_OWED_TO_CLIENT, -owed, false, deadline + 1, ref);
        pacta_explain_money(decision, PACTA_ROLE_INPUT, "late_services", late_services_amount);
        pacta_explain_bp(decision, PACTA_ROLE_PARAMETER, "indemnity_percent", terms->indemnity_percent);
        pacta_explain_money(decision, PACTA_ROLE_RESULT, "owed", owed);
        pacta_decision_head(decision, "Owed to the client from {date}: {owed}",
                            "Dû au client à partir du {date} : {owed}");
        pacta_decision_because(decision,
                               "the imperative deadline {deadline} of {work} was missed; the client is owed "
                               "{indemnity_percent} of the late services worth {late_services}",
                               "le délai impératif du {deadline} pour {work} n'a pas été respecté ; le client a "
                               "droit à {indemnity_percent} des prestations en retard, d'un montant de "
                               "{late_services}");
    }
    decision->date = deadline + 1;
    pacta_decision_set_ref(decision, ref);
    pacta_explain_text(decision, PACTA_ROLE_INPUT, "work", ref);
    pacta_explain_date(decision, PACTA_ROLE_INPUT, "deadline", deadline);
    pacta_explain_flag(decision, PACTA_ROLE_INPUT, "imperative", imperative);
    if (delivered)
        pacta_explain_date(decision, PACTA_ROLE_INPUT, "delivered_on", delivered_on);
    else
        pacta_explain_date(decision, PACTA_ROLE_INPUT, "as_of", as_of);
    return pacta_outcome_status(out);
}

/* ---- SG-5b: costly client changes ------------------------------------------------------- */

int
rule_sg5b_warn_change_cost(const pacta_profile_t *profile, const pacta_contract_t *contract,
                           pacta_cents_t agreed_amount, pacta_cents_t extra_cost, pacta_date_t as_of,
                           pacta_outcome_t *out)
{
    assert(profile && out);
    const pacta_change_cost_warning_t *terms = &profile->change_cost_warning;
    if (!contract || agreed_amount < 0 || extra_cost < 0 || !pacta_date_is_valid(as_of))
        return -1;
    if (!pacta_rule_enabled(&terms->rule))
        return 0;
    //  "More than" the threshold: compare exactly, cross-multiplied.
    if ((__int128) extra_cost * BP_PER_UNIT <= (__int128) agreed_amount * terms->threshold_percent)
        return 0;
    pacta_decision_t *decision = pacta_outcome_add(out, profile, &terms->rule, PACTA_DECISION_NOTIFY);
    if (!decision)
        return pacta_outcome_status(out);
    decision->date = as_of;
    decision->amount = extra_cost;
    pacta_decision_set_reason(decision, "change_cost_warning");
    pacta_decision_set_ref(decision, contract->id);
    pacta_decision_add_notification(decision, PACTA_TO_CLIENT, PACTA_CHANNEL_ANY, "change_cost_warning", as_of);
    pacta_explain_text(decision, PACTA_ROLE_INPUT, "contract", contract->id);
    pacta_explain_money(decision, PACTA_ROLE_INPUT, "agreed_amount", agreed_amount);
    pacta_explain_money(decision, PACTA_ROLE_INPUT, "extra_cost", extra_cost);
    pacta_explain_bp(decision, PACTA_ROLE_PARAMETER, "threshold_percent", terms->threshold_percent);
    pacta_decision_because(decision,
                           "client changes to contract {contract} cost {extra_cost} more, over "
                           "{threshold_percent} of the agreed {agreed_amount}: the extra cost is the client's",
                           "les modifications du client au contrat {contract} coûtent {extra_cost} de plus, "
                           "au-delà de {threshold_percent} du montant convenu de {agreed_amount} : ce surcoût est "
                           "à charge du client");
    return pacta_outcome_status(out);
}

/* ---- SG-5c: suspension for unpaid invoices --------------------------------------------- */

//  An invoice that can make the work stop: this contract's, not disputed
//  (SG-8e) nor credited, with something to pay.
static bool
s_invoice_counts_for_suspension(const pacta_contract_t *contract, const pacta_invoice_t *invoice)
{
    return strcmp(invoice->contract_id, contract->id) == 0 && invoice->state != PACTA_INVOICE_DISPUTED
           && invoice->state != PACTA_INVOICE_CREDITED && invoice->amount > 0
           && pacta_date_is_valid(invoice->due_on);
}

int
rule_sg5c_suspend_unpaid(const pacta_profile_t *profile, const pacta_contract_t *contract,
                         const pacta_invoice_t *invoices, size_t invoice_count, const pacta_payment_t *payments,
                         size_t payment_count, pacta_date_t as_of, pacta_outcome_t *out)
{
    assert(profile && out);
    const pacta_unpaid_suspension_t *terms = &profile->unpaid_suspension;
    if (!contract || (!invoices && invoice_count > 0) || (!payments && payment_count > 0)
        || !pacta_date_is_valid(as_of))
        return -1;
    if (!pacta_rule_enabled(&terms->rule))
        return 0;

    //  Overdue on as_of: past due + grace and still not paid in full.
    const pacta_invoice_t *earliest = NULL;
    pacta_date_t earliest_from = PACTA_DATE_INVALID;
    size_t overdue = 0;
    pacta_cents_t outstanding = 0;
    for (size_t i = 0; i < invoice_count; i++) {
        const pacta_invoice_t *invoice = &invoices[i];
        if (!s_invoice_counts_for_suspension(contract, invoice))
            continue;
        pacta_date_t suspend_from = invoice->due_on + 1 + terms->grace_calendar_days;
        pacta_cents_t paid = pacta_invoice_paid_by(invoice, payments, payment_count, as_of);
        if (suspend_from > as_of || paid >= invoice->amount)
            continue;
        overdue++;
        if (pacta_money_add(outstanding, invoice->amount - paid, &outstanding) != 0)
            return -1;
        if (!earliest || suspend_from < earliest_from) {
            earliest = invoice;
            earliest_from = suspend_from;
        }
    }

    bool suspended = pacta_date_is_valid(contract->suspended_since);
    if (!suspended) {
        if (overdue == 0)
            return 0;
        pacta_decision_t *decision = pacta_outcome_add(out, profile, &terms->rule, PACTA_DECISION_SUSPEND);
        if (!decision)
            return pacta_outcome_status(out);
        decision->date = earliest_from;
        decision->amount = outstanding;
        pacta_decision_set_reason(decision, "unpaid");
        pacta_decision_set_ref(decision, contract->id);
        if (terms->notify_client)
            pacta_decision_add_notification(decision, PACTA_TO_CLIENT, PACTA_CHANNEL_EMAIL, "work_suspended_unpaid",
                                            earliest_from);
        pacta_explain_text(decision, PACTA_ROLE_INPUT, "contract", contract->id);
        pacta_explain_text(decision, PACTA_ROLE_INPUT, "invoice", earliest->id);
        pacta_explain_date(decision, PACTA_ROLE_INPUT, "due_on", earliest->due_on);
        pacta_explain_date(decision, PACTA_ROLE_INPUT, "as_of", as_of);
        pacta_explain_int(decision, PACTA_ROLE_PARAMETER, "grace_days", terms->grace_calendar_days);
        pacta_explain_int(decision, PACTA_ROLE_RESULT, "overdue_invoices", (int64_t) overdue);
        pacta_explain_money(decision, PACTA_ROLE_RESULT, "outstanding", outstanding);
        pacta_decision_because(decision,
                               "invoice {invoice} due {due_on} is unpaid, so the work is suspended until every "
                               "overdue amount ({outstanding} on {as_of}) is paid; the client is told by e-mail",
                               "la facture {invoice} échue le {due_on} est impayée : les prestations sont "
                               "suspendues jusqu'au paiement de tout montant échu ({outstanding} au {as_of}) ; le "
                               "client en est informé par e-mail");
        return pacta_outcome_status(out);
    }
    if (strcmp(contract->suspension_reason, "unpaid") != 0 || overdue > 0)
        return 0;   //  suspended for another cause, or still unpaid

    //  Resumes on the day the last overdue amount was paid in full.
    pacta_date_t restored_on = contract->suspended_since;
    for (size_t i = 0; i < invoice_count; i++) {
        const pacta_invoice_t *invoice = &invoices[i];
        if (!s_invoice_counts_for_suspension(contract, invoice))
            continue;
        pacta_date_t suspend_from = invoice->due_on + 1 + terms->grace_calendar_days;
        pacta_date_t paid_on = pacta_invoice_fully_paid_on(invoice, payments, payment_count);
        if (suspend_from > as_of || paid_on == PACTA_DATE_INVALID || paid_on < suspend_from)
            continue;
        restored_on = s_max_date(restored_on, paid_on);
    }
    pacta_decision_t *decision = pacta_outcome_add(out, profile, &terms->rule, PACTA_DECISION_RESTORE);
    if (!decision)
        return pacta_outcome_status(out);
    decision->date = restored_on;
    pacta_decision_set_reason(decision, "paid");
    pacta_decision_set_ref(decision, contract->id);
    pacta_explain_text(decision, PACTA_ROLE_INPUT, "contract", contract->id);
    pacta_explain_date(decision, PACTA_ROLE_INPUT, "suspended_since", contract->suspended_since);
    pacta_explain_date(decision, PACTA_ROLE_RESULT, "restored_on", restored_on);
    pacta_decision_because(decision,
                           "every overdue amount of contract {contract} was paid by {restored_on}; the work "
                           "suspended since {suspended_since} resumes",
                           "tous les montants échus du contrat {contract} ont été payés le {restored_on} ; les "
                           "prestations suspendues depuis le {suspended_since} reprennent");
    return pacta_outcome_status(out);
}

/* ---- SG-8a: right of retention ------------------------------------------------------------ */

//  Paid by date towards the agreed price: the contract's invoices, late
//  charges and indemnities excluded (they are not the price).
static pacta_cents_t
s_price_paid_by(const pacta_contract_t *contract, const pacta_invoice_t *invoices, size_t invoice_count,
                const pacta_payment_t *payments, size_t payment_count, pacta_date_t date)
{
    pacta_cents_t paid = 0;
    for (size_t i = 0; i < invoice_count; i++) {
        const pacta_invoice_t *invoice = &invoices[i];
        if (strcmp(invoice->contract_id, contract->id) != 0 || invoice->kind == PACTA_INVOICE_CHARGES
            || invoice->kind == PACTA_INVOICE_INDEMNITY || invoice->state == PACTA_INVOICE_CREDITED)
            continue;
        if (pacta_money_add(paid, pacta_invoice_paid_by(invoice, payments, payment_count, date), &paid) != 0)
            return INT64_MAX;
    }
    return paid;
}

int
rule_sg8a_retain_deliverables(const pacta_profile_t *profile, const pacta_contract_t *contract,
                              const pacta_invoice_t *invoices, size_t invoice_count, const pacta_payment_t *payments,
                              size_t payment_count, pacta_date_t as_of, pacta_outcome_t *out)
{
    assert(profile && out);
    const pacta_rule_t *rule = &profile->retention_of_deliverables.rule;
    if (!contract || (!invoices && invoice_count > 0) || (!payments && payment_count > 0)
        || !pacta_date_is_valid(as_of) || contract->total_amount < 0)
        return -1;
    if (!pacta_rule_enabled(rule) || contract->total_amount == 0)
        return 0;
    pacta_cents_t price = contract->total_amount;
    pacta_cents_t paid = s_price_paid_by(contract, invoices, invoice_count, payments, payment_count, as_of);
    bool paid_in_full = paid >= price;
    pacta_decision_t *decision =
        pacta_outcome_add(out, profile, rule, paid_in_full ? PACTA_DECISION_RELEASE : PACTA_DECISION_WITHHOLD);
    if (!decision)
        return pacta_outcome_status(out);
    pacta_decision_set_ref(decision, contract->id);
    pacta_explain_text(decision, PACTA_ROLE_INPUT, "contract", contract->id);
    pacta_explain_money(decision, PACTA_ROLE_INPUT, "price", price);
    pacta_explain_money(decision, PACTA_ROLE_INPUT, "paid", paid);
    if (paid_in_full) {
        //  The first payment day by which the running total reached the price.
        pacta_date_t released_on = as_of;
        for (size_t i = 0; i < payment_count; i++) {
            pacta_date_t day = payments[i].received_on;
            if (day < released_on
                && s_price_paid_by(contract, invoices, invoice_count, payments, payment_count, day) >= price)
                released_on = day;
        }
        decision->date = released_on;
        pacta_decision_set_reason(decision, "paid");
        pacta_decision_because(decision,
                               "the agreed price {price} of contract {contract} was paid in full, so the "
                               "deliverables are handed over",
                               "le prix convenu de {price} du contrat {contract} a été payé intégralement : les "
                               "livrables sont remis");
        return pacta_outcome_status(out);
    }
    decision->date = as_of;
    decision->amount = price - paid;
    pacta_decision_set_reason(decision, "unpaid");
    pacta_explain_date(decision, PACTA_ROLE_INPUT, "as_of", as_of);
    pacta_explain_money(decision, PACTA_ROLE_RESULT, "outstanding", price - paid);
    pacta_decision_head(decision, "Deliverables withheld", "Livrables retenus");
    pacta_decision_because(decision,
                           "the deliverables of contract {contract} are kept until its price {price} is paid in "
                           "full ({paid} paid, {outstanding} outstanding on {as_of})",
                           "les livrables du contrat {contract} sont retenus jusqu'au paiement intégral du prix de "
                           "{price} ({paid} payés, {outstanding} restant dus au {as_of})");
    return pacta_outcome_status(out);
}

/* ---- SG-8b: due date --------------------------------------------------------------------- */

int
rule_sg8b_set_due_date(const pacta_profile_t *profile, const pacta_client_t *client, const pacta_invoice_t *invoice,
                       pacta_outcome_t *out)
{
    assert(profile && out);
    const pacta_invoicing_t *terms = &profile->invoicing;
    const pacta_b2b_late_payment_law_t *law = &profile->statutes.b2b_late_payment;
    if (!client || !invoice || !pacta_date_is_valid(invoice->issued_on))
        return -1;
    if (!pacta_rule_enabled(&terms->rule))
        return 0;
    bool printed = terms->due_date_on_invoice_prevails && pacta_date_is_valid(invoice->printed_due_on);
    pacta_date_t received_on = pacta_date_is_valid(invoice->received_on) ? invoice->received_on : invoice->issued_on;
    pacta_date_t latest = received_on + law->max_agreed_due_calendar_days;

    pacta_decision_t *decision = NULL;
    if (printed && invoice->printed_due_on < invoice->issued_on) {
        decision = s_refuse(out, profile, &terms->rule, "due_before_issue", invoice->id);
        if (!decision)
            return pacta_outcome_status(out);
        pacta_decision_because(decision, "invoice {invoice} issued {issued_on} prints an earlier due date, {printed_due_on}",
                               "la facture {invoice} émise le {issued_on} porte une échéance antérieure, le "
                               "{printed_due_on}");
    }
    else if (printed && client->kind == PACTA_CLIENT_PROFESSIONAL && invoice->printed_due_on > latest) {
        //  L-2: an agreed term longer than the maximum is void between
        //  businesses; a person must correct the invoice.
        decision = s_refuse(out, profile, &terms->rule, "due_term_void", invoice->id);
        if (!decision)
            return pacta_outcome_status(out);
        pacta_explain_date(decision, PACTA_ROLE_INPUT, "received_on", received_on);
        pacta_explain_int(decision, PACTA_ROLE_PARAMETER, "max_days", law->max_agreed_due_calendar_days);
        pacta_explain_date(decision, PACTA_ROLE_RESULT, "latest_due_on", latest);
        pacta_decision_because(decision,
                               "business invoice {invoice} received {received_on} prints due date "
                               "{printed_due_on}, more than {max_days} days later ({latest_due_on} at the latest), "
                               "a term void under the Law of 2 August 2002",
                               "la facture professionnelle {invoice} reçue le {received_on} porte l'échéance "
                               "{printed_due_on}, plus de {max_days} jours après ({latest_due_on} au plus tard), "
                               "délai nul selon la loi du 2 août 2002");
    }
    else {
        decision = pacta_outcome_add(out, profile, &terms->rule, PACTA_DECISION_DEADLINE);
        if (!decision)
            return pacta_outcome_status(out);
        decision->date = printed ? invoice->printed_due_on
                                 : pacta_calendar_days_deadline(invoice->issued_on, terms->due_calendar_days);
        pacta_decision_set_reason(decision, printed ? "printed_due_date" : "terms_due_date");
        pacta_decision_set_ref(decision, invoice->id);
        pacta_decision_add_timer(decision, "due_date_passed", decision->date + 1, invoice->id);
        pacta_decision_head(decision, "Due on {date}", "Échéance le {date}");
        pacta_explain_int(decision, PACTA_ROLE_PARAMETER, "due_days", terms->due_calendar_days);
        pacta_explain_date(decision, PACTA_ROLE_RESULT, "due_on", decision->date);
        if (printed)
            pacta_decision_because(decision, "invoice {invoice} issued {issued_on} is payable by the due date "
                                             "printed on it",
                                   "la facture {invoice} émise le {issued_on} est payable à l'échéance qui y est "
                                   "mentionnée");
        else
            pacta_decision_because(decision,
                                   "invoice {invoice} issued {issued_on} is payable within {due_days} calendar days",
                                   "la facture {invoice} émise le {issued_on} est payable dans les {due_days} jours "
                                   "calendrier");
    }
    pacta_explain_text(decision, PACTA_ROLE_INPUT, "invoice", invoice->id);
    pacta_explain_date(decision, PACTA_ROLE_INPUT, "issued_on", invoice->issued_on);
    if (printed)
        pacta_explain_date(decision, PACTA_ROLE_INPUT, "printed_due_on", invoice->printed_due_on);
    return pacta_outcome_status(out);
}

/* ---- SG-8e: invoice complaints ------------------------------------------------------------ */

int
rule_sg8e_register_complaint(const pacta_profile_t *profile, const pacta_invoice_t *invoice,
                             const pacta_letter_t *complaint, pacta_outcome_t *out)
{
    assert(profile && out);
    const pacta_invoice_complaint_t *terms = &profile->invoice_complaint;
    if (!invoice || !complaint || !pacta_date_is_valid(complaint->sent_on) || !pacta_date_is_valid(invoice->issued_on))
        return -1;
    if (!pacta_rule_enabled(&terms->rule))
        return 0;
    //  Invoices go out electronically on issue: without a receipt date the
    //  issue date counts. The complaint must be sent (posted) in time.
    pacta_date_t received_on = pacta_date_is_valid(invoice->received_on) ? invoice->received_on : invoice->issued_on;
    pacta_date_t last_day = pacta_clear_days_deadline(received_on, terms->clear_days);
    bool right_form = terms->sent_by != PACTA_SENT_BY_REGISTERED_LETTER || complaint->via == PACTA_SENT_REGISTERED;
    bool in_time = complaint->sent_on <= last_day;

    pacta_decision_t *decision = pacta_outcome_add(out, profile, &terms->rule, PACTA_DECISION_RECORD);
    if (!decision)
        return pacta_outcome_status(out);
    decision->status = PACTA_DECISION_APPLY;
    decision->date = complaint->sent_on;
    pacta_decision_set_ref(decision, invoice->id);
    pacta_explain_text(decision, PACTA_ROLE_INPUT, "invoice", invoice->id);
    pacta_explain_date(decision, PACTA_ROLE_INPUT, "received_on", received_on);
    pacta_explain_date(decision, PACTA_ROLE_INPUT, "complained_on", complaint->sent_on);
    pacta_explain_int(decision, PACTA_ROLE_PARAMETER, "clear_days", terms->clear_days);
    pacta_explain_date(decision, PACTA_ROLE_RESULT, "last_day", last_day);
    if (!right_form) {
        pacta_decision_set_reason(decision, "wrong_form");
        pacta_decision_head(decision, "Invoice deemed accepted", "Facture présumée acceptée");
        pacta_decision_because(decision,
                               "the complaint about invoice {invoice} posted {complained_on} was not a registered "
                               "letter as the terms require; it is recorded but changes nothing",
                               "la réclamation relative à la facture {invoice} postée le {complained_on} n'était "
                               "pas un courrier recommandé comme l'exigent les conditions ; elle est enregistrée "
                               "sans effet");
    }
    else if (!in_time) {
        pacta_decision_set_reason(decision, "late");
        pacta_decision_head(decision, "Invoice deemed accepted", "Facture présumée acceptée");
        pacta_decision_because(decision,
                               "the complaint about invoice {invoice} received {received_on} was posted "
                               "{complained_on}, after the {clear_days} clear days ended on {last_day}; it is "
                               "recorded but changes nothing",
                               "la réclamation relative à la facture {invoice} reçue le {received_on} a été postée "
                               "le {complained_on}, après les {clear_days} jours francs échus le {last_day} ; elle "
                               "est enregistrée sans effet");
    }
    else {
        pacta_decision_set_reason(decision, "disputed");
        pacta_decision_head(decision, "Invoice disputed from {date}", "Facture contestée à partir du {date}");
        pacta_decision_because(decision,
                               "the complaint about invoice {invoice} received {received_on} was posted "
                               "{complained_on}, within {clear_days} clear days (through {last_day}); no "
                               "suspension, reminder fee, indemnity or interest runs on it until it is resolved",
                               "la réclamation relative à la facture {invoice} reçue le {received_on} a été postée "
                               "le {complained_on}, dans les {clear_days} jours francs (jusqu'au {last_day}) ; "
                               "aucune suspension, aucuns frais de rappel, indemnité ni intérêt ne courent jusqu'à "
                               "sa résolution");
    }
    return pacta_outcome_status(out);
}

/* ---- SG-9: renegotiation --------------------------------------------------------------------- */

int
rule_sg9_renegotiation(const pacta_profile_t *profile, const char *ref, pacta_date_t notified_on,
                       pacta_date_t agreed_on, pacta_date_t as_of, pacta_outcome_t *out)
{
    assert(profile && out);
    const pacta_renegotiation_t *terms = &profile->renegotiation;
    if (!pacta_date_is_valid(notified_on) || !pacta_date_is_valid(as_of))
        return -1;
    if (!pacta_rule_enabled(&terms->rule))
        return 0;
    pacta_date_t last_day = pacta_calendar_days_deadline(notified_on, terms->max_calendar_days);
    bool agreed = pacta_date_is_valid(agreed_on) && agreed_on >= notified_on && agreed_on <= last_day
                  && agreed_on <= as_of;
    pacta_decision_t *decision = NULL;
    if (agreed) {
        decision = pacta_outcome_add(out, profile, &terms->rule, PACTA_DECISION_RECORD);
        if (!decision)
            return pacta_outcome_status(out);
        decision->date = agreed_on;
        pacta_decision_set_reason(decision, "agreed");
        pacta_decision_head(decision, "Renegotiation concluded on {date}", "Renégociation conclue le {date}");
        pacta_decision_because(decision,
                               "the renegotiation notified on {notified_on} reached an agreement within "
                               "{max_days} calendar days (through {last_day})",
                               "la renégociation notifiée le {notified_on} a abouti à un accord dans les "
                               "{max_days} jours calendrier (jusqu'au {last_day})");
    }
    else if (as_of > last_day) {
        decision = pacta_outcome_add(out, profile, &terms->rule, PACTA_DECISION_RECORD);
        if (!decision)
            return pacta_outcome_status(out);
        decision->date = last_day + 1;
        pacta_decision_set_reason(decision, "failed");
        pacta_decision_head(decision, "Renegotiation failed on {date}", "Renégociation échouée le {date}");
        pacta_decision_because(decision,
                               "no agreement was recorded within {max_days} calendar days of the notification of "
                               "{notified_on} (through {last_day})",
                               "aucun accord n'a été enregistré dans les {max_days} jours calendrier suivant la "
                               "notification du {notified_on} (jusqu'au {last_day})");
    }
    else {
        decision = pacta_outcome_add(out, profile, &terms->rule, PACTA_DECISION_DEADLINE);
        if (!decision)
            return pacta_outcome_status(out);
        decision->date = last_day;
        pacta_decision_set_reason(decision, "renegotiation");
        pacta_decision_add_timer(decision, "renegotiation_end", last_day + 1, ref);
        pacta_decision_head(decision, "Renegotiation ends at the latest on {date}",
                            "La renégociation prend fin au plus tard le {date}");
        pacta_decision_because(decision,
                               "a renegotiation lasts at most {max_days} calendar days from its notification on "
                               "{notified_on}",
                               "une renégociation dure au plus {max_days} jours calendrier à dater de sa "
                               "notification le {notified_on}");
    }
    pacta_decision_set_ref(decision, ref);
    pacta_explain_text(decision, PACTA_ROLE_INPUT, "subject", ref);
    pacta_explain_date(decision, PACTA_ROLE_INPUT, "notified_on", notified_on);
    pacta_explain_int(decision, PACTA_ROLE_PARAMETER, "max_days", terms->max_calendar_days);
    pacta_explain_date(decision, PACTA_ROLE_RESULT, "last_day", last_day);
    return pacta_outcome_status(out);
}

/* ---- SG-10: changes to the terms ------------------------------------------------------------- */

int
rule_sg10_terms_change(const pacta_profile_t *profile, const pacta_contract_t *contract,
                       const pacta_terms_change_event_t *change, pacta_outcome_t *out)
{
    assert(profile && out);
    const pacta_terms_change_t *terms = &profile->terms_change;
    if (!contract || !change || !pacta_date_is_valid(change->notified_on))
        return -1;
    if (!pacta_rule_enabled(&terms->rule))
        return 0;
    pacta_date_t sent_on = change->notified_on;
    bool window = terms->objection_clear_days > 0;
    pacta_date_t last_objection_day = window ? pacta_clear_days_deadline(sent_on, terms->objection_clear_days)
                                             : PACTA_DATE_INVALID;
    pacta_date_t base = terms->effective_on == PACTA_CHANGE_FIRST_DAY_OF_NEXT_MONTH
                            ? s_first_of_next_month(sent_on)
                            : sent_on;
    //  Never in force while the client may still refuse it.
    pacta_date_t effective = window ? s_max_date(base, last_objection_day + 1) : base;
    bool objected = window && pacta_date_is_valid(change->objected_on) && change->objected_on <= last_objection_day;

    pacta_decision_t *decision =
        pacta_outcome_add(out, profile, &terms->rule, objected ? PACTA_DECISION_RECORD : PACTA_DECISION_EFFECTIVE);
    if (!decision)
        return pacta_outcome_status(out);
    pacta_decision_set_ref(decision, contract->id);
    pacta_explain_text(decision, PACTA_ROLE_INPUT, "contract", contract->id);
    pacta_explain_text(decision, PACTA_ROLE_INPUT, "change", change->id);
    pacta_explain_date(decision, PACTA_ROLE_INPUT, "sent_on", sent_on);
    if (window) {
        pacta_explain_int(decision, PACTA_ROLE_PARAMETER, "objection_days", terms->objection_clear_days);
        pacta_explain_date(decision, PACTA_ROLE_RESULT, "last_objection_day", last_objection_day);
    }
    if (objected) {
        decision->date = change->objected_on;
        decision->status = PACTA_DECISION_APPLY;
        pacta_decision_set_reason(decision, "objected");
        pacta_explain_date(decision, PACTA_ROLE_INPUT, "objected_on", change->objected_on);
        pacta_decision_head(decision, "Changed terms do not apply", "Les conditions modifiées ne s'appliquent pas");
        pacta_decision_because(decision,
                               "the client objected on {objected_on} to terms {change} sent {sent_on}, within "
                               "{objection_days} clear days (through {last_objection_day}), so they never apply to "
                               "contract {contract}",
                               "le client s'est opposé le {objected_on} aux conditions {change} envoyées le "
                               "{sent_on}, dans les {objection_days} jours francs (jusqu'au {last_objection_day}) : "
                               "elles ne s'appliquent jamais au contrat {contract}");
        return pacta_outcome_status(out);
    }
    decision->date = effective;
    pacta_decision_set_reason(decision, "terms_changed");
    pacta_decision_add_timer(decision, "terms_change_effective", effective, contract->id);
    if (window && terms->effective_on == PACTA_CHANGE_FIRST_DAY_OF_NEXT_MONTH)
        pacta_decision_because(decision,
                               "terms {change} sent {sent_on} apply from the later of the 1st day of the next "
                               "month and the day after the {objection_days} clear days to object (through "
                               "{last_objection_day}), unless the client objects in time",
                               "les conditions {change} envoyées le {sent_on} s'appliquent à partir du plus tardif "
                               "du premier jour du mois suivant et du lendemain des {objection_days} jours francs "
                               "d'opposition (jusqu'au {last_objection_day}), sauf opposition du client dans ce "
                               "délai");
    else if (window)
        pacta_decision_because(decision,
                               "terms {change} sent {sent_on} apply once the {objection_days} clear days to object "
                               "(through {last_objection_day}) have passed, unless the client objects in time",
                               "les conditions {change} envoyées le {sent_on} s'appliquent à l'issue des "
                               "{objection_days} jours francs d'opposition (jusqu'au {last_objection_day}), sauf "
                               "opposition du client dans ce délai");
    else
        pacta_decision_because(decision, "terms {change} were sent {sent_on}",
                               "les conditions {change} ont été envoyées le {sent_on}");
    return pacta_outcome_status(out);
}

/* ---- SG-14: mediation ------------------------------------------------------------------------ */

int
rule_sg14_mediation(const pacta_profile_t *profile, const char *ref, pacta_date_t requested_on,
                    pacta_date_t started_on, bool payment_claim, pacta_date_t as_of, pacta_outcome_t *out)
{
    assert(profile && out);
    const pacta_mediation_t *terms = &profile->mediation;
    if (!pacta_date_is_valid(requested_on) || !pacta_date_is_valid(as_of))
        return -1;
    if (!pacta_rule_enabled(&terms->rule))
        return 0;
    pacta_date_t start_by = pacta_clear_days_deadline(requested_on, terms->starts_within_clear_days);
    bool started = pacta_date_is_valid(started_on) && started_on <= as_of;
    pacta_decision_t *decision = NULL;
    if (payment_claim) {
        decision = pacta_outcome_add(out, profile, &terms->rule, PACTA_DECISION_RECORD);
        if (!decision)
            return pacta_outcome_status(out);
        decision->date = requested_on;
        pacta_decision_set_reason(decision, "payment_claim");
        pacta_decision_head(decision, "No mediation first", "Pas de médiation préalable");
        pacta_decision_because(decision, "a claim for payment never waits for mediation",
                               "une demande en paiement n'attend jamais la médiation");
    }
    else if (started) {
        pacta_date_t end_by = pacta_clear_days_deadline(started_on, terms->max_duration_clear_days);
        decision = pacta_outcome_add(out, profile, &terms->rule, PACTA_DECISION_DEADLINE);
        if (!decision)
            return pacta_outcome_status(out);
        decision->date = end_by;
        pacta_decision_set_reason(decision, "mediation_end");
        pacta_decision_add_timer(decision, "mediation_end", end_by + 1, ref);
        pacta_explain_date(decision, PACTA_ROLE_INPUT, "started_on", started_on);
        pacta_explain_int(decision, PACTA_ROLE_PARAMETER, "max_clear_days", terms->max_duration_clear_days);
        pacta_explain_date(decision, PACTA_ROLE_RESULT, "court_from", end_by + 1);
        pacta_decision_head(decision, "Mediation ends at the latest on {date}",
                            "La médiation prend fin au plus tard le {date}");
        pacta_decision_because(decision,
                               "mediation asked on {requested_on} started on {started_on} and lasts at most "
                               "{max_clear_days} clear days; court is possible from {court_from}",
                               "la médiation demandée le {requested_on} a commencé le {started_on} et dure au plus "
                               "{max_clear_days} jours francs ; le tribunal peut être saisi à partir du "
                               "{court_from}");
    }
    else if (as_of > start_by) {
        decision = pacta_outcome_add(out, profile, &terms->rule, PACTA_DECISION_RECORD);
        if (!decision)
            return pacta_outcome_status(out);
        decision->date = start_by + 1;
        pacta_decision_set_reason(decision, "court_possible");
        pacta_decision_head(decision, "Court possible from {date}", "Tribunal possible à partir du {date}");
        pacta_decision_because(decision,
                               "mediation asked on {requested_on} did not start within {start_clear_days} clear "
                               "days (by {start_by})",
                               "la médiation demandée le {requested_on} n'a pas commencé dans les "
                               "{start_clear_days} jours francs (au plus tard le {start_by})");
    }
    else {
        decision = pacta_outcome_add(out, profile, &terms->rule, PACTA_DECISION_DEADLINE);
        if (!decision)
            return pacta_outcome_status(out);
        decision->date = start_by;
        pacta_decision_set_reason(decision, "mediation_start");
        pacta_decision_add_timer(decision, "mediation_start_deadline", start_by + 1, ref);
        pacta_decision_head(decision, "Mediation must start by {date}", "La médiation doit commencer au plus tard le {date}");
        pacta_decision_because(decision,
                               "mediation asked on {requested_on} must start within {start_clear_days} clear days",
                               "la médiation demandée le {requested_on} doit commencer dans les {start_clear_days} "
                               "jours francs");
    }
    pacta_decision_set_ref(decision, ref);
    pacta_explain_text(decision, PACTA_ROLE_INPUT, "dispute", ref);
    pacta_explain_date(decision, PACTA_ROLE_INPUT, "requested_on", requested_on);
    pacta_explain_int(decision, PACTA_ROLE_PARAMETER, "start_clear_days", terms->starts_within_clear_days);
    pacta_explain_date(decision, PACTA_ROLE_RESULT, "start_by", start_by);
    return pacta_outcome_status(out);
}
