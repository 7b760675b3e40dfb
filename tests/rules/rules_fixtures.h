/*  =========================================================================
    rules_fixtures - small builders shared by the rules tests

    Loads the shipped profiles from the source tree (PACTA_SOURCE_DIR) and
    builds entities with every unknown date set to PACTA_DATE_INVALID, so a
    test states only the facts it is about. Header-only: each test file is
    its own Criterion executable.
    =========================================================================
*/
#ifndef RULES_FIXTURES_H_INCLUDED
#define RULES_FIXTURES_H_INCLUDED

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "pacta_rules.h"

//  Loads deploy/profiles/<name>.yaml, or tests/fixtures/profiles/<name>.yaml
//  when fixture is true; fails the test when it does not load.
static inline pacta_profile_t *
fx_profile(const char *name, bool fixture)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s/%s.yaml", PACTA_SOURCE_DIR,
             fixture ? "tests/fixtures/profiles" : "deploy/profiles", name);
    char err[512] = "";
    pacta_profile_t *profile = pacta_profile_load(path, err, sizeof err);
    cr_assert_not_null(profile, "profile %s does not load: %s", path, err);
    return profile;
}

//  "YYYY-MM-DD" → date; fails the test on a malformed literal.
static inline pacta_date_t
D(const char *text)
{
    pacta_date_t date = PACTA_DATE_INVALID;
    cr_assert_eq(pacta_date_parse(text, strlen(text), &date), 0, "bad date literal %s", text);
    return date;
}

//  Formats a date for assertion messages (one static buffer per call site
//  is enough: Criterion evaluates messages once).
static inline const char *
fx_date_text(pacta_date_t date, char *buf, size_t size)
{
    return pacta_date_format(date, buf, size);
}

#define fx_assert_date(actual, expected_text)                                                       \
    do {                                                                                            \
        char fx_actual_[PACTA_DATE_STR_LEN];                                                        \
        pacta_date_t fx_value_ = (actual);                                                          \
        cr_assert_eq(fx_value_, D(expected_text), "%s: expected %s, got %s", #actual, (expected_text), \
                     fx_date_text(fx_value_, fx_actual_, sizeof fx_actual_));                       \
    } while (0)

static inline pacta_contract_t
fx_contract(const char *id, const char *pack, unsigned billing, pacta_cents_t fee, const char *start)
{
    pacta_contract_t contract;
    memset(&contract, 0, sizeof contract);
    snprintf(contract.id, sizeof contract.id, "%s", id);
    snprintf(contract.client.id, sizeof contract.client.id, "client-%s", id);
    contract.client.kind = PACTA_CLIENT_PROFESSIONAL;
    contract.client.language = PACTA_LANG_FR;
    contract.kind = PACTA_CONTRACT_PACK;
    contract.state = PACTA_CONTRACT_ACTIVE;
    snprintf(contract.pack_id, sizeof contract.pack_id, "%s", pack);
    contract.billing_period = billing;
    contract.fee_per_period = fee;
    contract.formation.order_form_signed_on = PACTA_DATE_INVALID;
    contract.formation.e_signed_on = PACTA_DATE_INVALID;
    contract.formation.quote_validated_on = PACTA_DATE_INVALID;
    contract.formation.first_used_on = PACTA_DATE_INVALID;
    contract.formation.order_confirmed_on = PACTA_DATE_INVALID;
    contract.start_on = start ? D(start) : PACTA_DATE_INVALID;
    contract.ends_on = PACTA_DATE_INVALID;
    contract.performance_started_on = PACTA_DATE_INVALID;
    contract.suspended_since = PACTA_DATE_INVALID;
    return contract;
}

static inline void
fx_suspend(pacta_contract_t *contract, const char *since, const char *reason)
{
    contract->state = PACTA_CONTRACT_SUSPENDED;
    contract->suspended_since = D(since);
    snprintf(contract->suspension_reason, sizeof contract->suspension_reason, "%s", reason);
}

static inline pacta_invoice_t
fx_invoice(const char *id, const char *contract_id, const char *issued, const char *due, pacta_cents_t amount)
{
    pacta_invoice_t invoice;
    memset(&invoice, 0, sizeof invoice);
    snprintf(invoice.id, sizeof invoice.id, "%s", id);
    snprintf(invoice.contract_id, sizeof invoice.contract_id, "%s", contract_id);
    invoice.kind = PACTA_INVOICE_SUBSCRIPTION;
    invoice.state = PACTA_INVOICE_OPEN;
    invoice.issued_on = D(issued);
    invoice.received_on = PACTA_DATE_INVALID;
    invoice.printed_due_on = PACTA_DATE_INVALID;
    invoice.due_on = D(due);
    invoice.period_from = PACTA_DATE_INVALID;
    invoice.period_to = PACTA_DATE_INVALID;
    invoice.amount = amount;
    return invoice;
}

static inline pacta_payment_t
fx_payment(const char *id, const char *invoice_id, pacta_cents_t amount, const char *on)
{
    pacta_payment_t payment;
    memset(&payment, 0, sizeof payment);
    snprintf(payment.id, sizeof payment.id, "%s", id);
    snprintf(payment.invoice_id, sizeof payment.invoice_id, "%s", invoice_id);
    payment.amount = amount;
    payment.received_on = D(on);
    return payment;
}

static inline pacta_letter_t
fx_letter(pacta_sent_via_t via, const char *sent, const char *proven_receipt)
{
    pacta_letter_t letter;
    memset(&letter, 0, sizeof letter);
    snprintf(letter.id, sizeof letter.id, "L-%s", sent);
    letter.from = PACTA_FROM_CLIENT;
    letter.via = via;
    letter.sent_on = D(sent);
    letter.proven_received_on = proven_receipt ? D(proven_receipt) : PACTA_DATE_INVALID;
    return letter;
}

//  Every decision of out carries a complete explanation that renders in
//  both languages and names its rule id in the sentence.
static inline void
fx_assert_explained(const pacta_outcome_t *out)
{
    for (size_t i = 0; i < out->count; i++) {
        const pacta_decision_t *decision = &out->items[i];
        cr_assert(pacta_explanation_is_complete(&decision->explanation), "decision %zu (%s) lacks an explanation",
                  i, pacta_decision_kind_name(decision->kind));
        char sentence[PACTA_SENTENCE_SIZE];
        for (int lang = PACTA_LANG_FR; lang <= PACTA_LANG_EN; lang++) {
            cr_assert_eq(pacta_decision_explain(decision, (pacta_lang_t) lang, sentence, sizeof sentence), 0,
                         "decision %zu (%s, %s) does not render in language %d", i,
                         pacta_decision_kind_name(decision->kind), decision->explanation.rule_id, lang);
            cr_assert_not_null(strstr(sentence, decision->explanation.rule_id),
                               "sentence lacks its rule id: %s", sentence);
        }
    }
}

#endif
