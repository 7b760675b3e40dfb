/*  =========================================================================
    pacta_rules - helpers every rule family shares

    Small, pure computations over the entity structs of pacta_rules.h that
    several rules need the same way: how much of an invoice was paid by a
    date, when it became fully paid, when a letter counts as received. Key
    decision: payments are matched to invoices by id and read by value date
    only, in any order, so replaying events in a different order gives the
    same answer.
    =========================================================================
*/
#include "pacta_rules.h"

#include <assert.h>
#include <string.h>

int
pacta_billing_period_months(unsigned billing_period)
{
    //  The length of a billing period is what the word means, not a figure
    //  of the terms: a month, a quarter, a year.
    switch (billing_period) {
    case PACTA_BILLING_MONTHLY:
        return 1;
    case PACTA_BILLING_QUARTERLY:
        return 3;
    case PACTA_BILLING_ANNUAL:
        return 12;
    default:
        return 0;
    }
}

int
pacta_contract_annual_fee(const pacta_contract_t *contract, pacta_cents_t *out)
{
    assert(contract && out);
    int months = pacta_billing_period_months(contract->billing_period);
    if (months == 0 || contract->fee_per_period < 0)
        return -1;
    return pacta_money_mul(contract->fee_per_period, 12 / months, out);
}

pacta_cents_t
pacta_invoice_paid_by(const pacta_invoice_t *invoice, const pacta_payment_t *payments, size_t payment_count,
                      pacta_date_t date)
{
    assert(invoice);
    assert(payments || payment_count == 0);
    pacta_cents_t paid = 0;
    for (size_t i = 0; i < payment_count; i++) {
        const pacta_payment_t *payment = &payments[i];
        if (payment->received_on > date || strcmp(payment->invoice_id, invoice->id) != 0)
            continue;
        if (pacta_money_add(paid, payment->amount, &paid) != 0)
            return INT64_MAX;
    }
    return paid;
}

pacta_date_t
pacta_invoice_fully_paid_on(const pacta_invoice_t *invoice, const pacta_payment_t *payments,
                            size_t payment_count)
{
    assert(invoice);
    assert(payments || payment_count == 0);
    if (invoice->amount <= 0)
        return invoice->issued_on;
    //  The earliest value date at which the running total reaches the
    //  amount: try each payment's date as a candidate, keep the smallest.
    pacta_date_t best = PACTA_DATE_INVALID;
    for (size_t i = 0; i < payment_count; i++) {
        const pacta_payment_t *payment = &payments[i];
        if (strcmp(payment->invoice_id, invoice->id) != 0)
            continue;
        if (best != PACTA_DATE_INVALID && payment->received_on >= best)
            continue;
        if (pacta_invoice_paid_by(invoice, payments, payment_count, payment->received_on) >= invoice->amount)
            best = payment->received_on;
    }
    return best;
}

pacta_date_t
pacta_letter_received_on(const pacta_profile_t *profile, const pacta_letter_t *letter)
{
    assert(profile && letter);
    if (letter->proven_received_on != PACTA_DATE_INVALID)
        return letter->proven_received_on;
    if (letter->via != PACTA_SENT_LETTER && letter->via != PACTA_SENT_REGISTERED)
        return letter->sent_on;
    pacta_holidays_t holidays = pacta_profile_holidays(profile);
    return pacta_registered_receipt(&holidays, letter->sent_on,
                                    profile->calendar.registered_letter_receipt_business_days);
}
