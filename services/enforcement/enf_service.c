/*  =========================================================================
    enf_service - the enforcement service

    Applies suspension, restoration, lost periods, termination and retention
    expiry as events and timers arrive; in propose mode it records pending
    decisions an operator approves or rejects; every decision is explained.

    s_consumes is this service's subscription list (see docs/design.md,
    "Subscriptions"); tests/services/test_consumes.c holds it to the schema
    and to docs/messages.md.
    =========================================================================
*/
#include "enf_service.h"

#include "enf_handlers.h"

#include <stddef.h>

static const char *const s_consumes[] = {
    "pacta.v1.ContractStarted",
    "pacta.v1.OptionOrdered",
    "pacta.v1.WithdrawalAccepted",
    "pacta.v1.TerminationForCauseRequested",
    "pacta.v1.ProviderDefaultNotified",
    "pacta.v1.ProviderDefaultRemedied",
    "pacta.v1.TerminationForProviderDefaultRequested",
    "pacta.v1.ForceMajeureStarted",
    "pacta.v1.ForceMajeureEnded",
    "pacta.v1.ChangedServicesAccepted",
    "pacta.v1.TermsChangeApplied",
    "pacta.v1.ContentDeadlineSet",
    "pacta.v1.ContentDelivered",
    "pacta.v1.CampaignScheduled",
    "pacta.v1.AdBudgetConfirmed",
    "pacta.v1.DeliverableReady",
    "pacta.v1.ContractEnded",
    "pacta.v1.InvoiceIssued",
    "pacta.v1.InvoiceOverdue",
    "pacta.v1.DepositInvoiced",
    "pacta.v1.DepositPaid",
    "pacta.v1.PaymentApplied",
    "pacta.v1.InvoicePaid",
    "pacta.v1.InvoiceDisputeRecorded",
    "pacta.v1.CreditNoteIssued",
    "pacta.v1.DecisionApproved",
    "pacta.v1.DecisionRejected",
    "pacta.v1.NotificationFailed",
    "pacta.v1.TimerFired",
    "pacta.v1.TestClockAdvanced",
    NULL,
};

static const pacta_service_spec_t s_spec = {
    .name = "enforcement",
    .summary = "Enforcement service: applies suspension, restoration, lost-period, termination and retention-expiry rules",
    .default_http_port = 8083,
    .consumes = s_consumes,
    .handlers = &enf_handlers,
};

const pacta_service_spec_t *
enf_service_spec(void)
{
    return &s_spec;
}
