/*  =========================================================================
    inv_service - the invoicing service

    Owns invoices, payments and charges: invoices at each billing anniversary,
    deposits, structured communications, payment matching, reminders, formal
    notices, interest and fees, disputes, referral discounts, credit notes.

    s_consumes is this service's subscription list (see docs/design.md,
    "Subscriptions"); tests/services/test_consumes.c holds it to the schema
    and to docs/messages.md.
    =========================================================================
*/
#include "inv_service.h"

#include "inv_handlers.h"

#include <stddef.h>

static const char *const s_consumes[] = {
    "pacta.v1.QuoteIssued",
    "pacta.v1.QuoteAccepted",
    "pacta.v1.ContractSigned",
    "pacta.v1.ContractStarted",
    "pacta.v1.WithdrawalAccepted",
    "pacta.v1.NonRenewalNoticeRecorded",
    "pacta.v1.TerminationNoticeRecorded",
    "pacta.v1.EarlyTerminationAccepted",
    "pacta.v1.LatePerformancePenaltyOwed",
    "pacta.v1.ContractRenewed",
    "pacta.v1.ContractEnded",
    "pacta.v1.InvoiceIssued",
    "pacta.v1.PaymentReceived",
    "pacta.v1.InvoiceDisputed",
    "pacta.v1.InvoiceDisputeResolved",
    "pacta.v1.ReminderSent",
    "pacta.v1.FormalNoticeSent",
    "pacta.v1.ReferralRegistered",
    "pacta.v1.LostPeriod",
    "pacta.v1.Terminate",
    "pacta.v1.DecisionApproved",
    "pacta.v1.DecisionRejected",
    "pacta.v1.NotificationDelivered",
    "pacta.v1.NotificationFailed",
    "pacta.v1.LetterPostingConfirmed",
    "pacta.v1.TimerFired",
    "pacta.v1.TestClockAdvanced",
    NULL,
};

static const pacta_service_spec_t s_spec = {
    .name = "invoicing",
    .summary = "Invoicing service: owns invoices, payments, late charges, reminders, referral discounts and credit notes",
    .default_http_port = 8082,
    .consumes = s_consumes,
    .handlers = &inv_handlers,
};

const pacta_service_spec_t *
inv_service_spec(void)
{
    return &s_spec;
}
