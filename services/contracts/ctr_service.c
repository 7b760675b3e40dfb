/*  =========================================================================
    ctr_service - the contracts service

    Owns offers and contracts: quote lapse, acceptance, withdrawal windows,
    renewals, notices (postmark and presumed receipt), early termination,
    termination for cause or provider default, force majeure and terms changes.

    s_consumes is this service's subscription list (see docs/design.md,
    "Subscriptions"); tests/services/test_consumes.c holds it to the schema
    and to docs/messages.md.
    =========================================================================
*/
#include "ctr_service.h"

#include "ctr_handlers.h"

#include <stddef.h>

static const char *const s_consumes[] = {
    "pacta.v1.QuoteIssued",
    "pacta.v1.QuoteAccepted",
    "pacta.v1.ContractSigned",
    "pacta.v1.FirstUseRecorded",
    "pacta.v1.ServicePerformed",
    "pacta.v1.OptionOrdered",
    "pacta.v1.WithdrawalRequested",
    "pacta.v1.NonRenewalNoticeGiven",
    "pacta.v1.TerminationNoticeGiven",
    "pacta.v1.EarlyTerminationRequested",
    "pacta.v1.ForceMajeureStarted",
    "pacta.v1.ForceMajeureEnded",
    "pacta.v1.TermsChanged",
    "pacta.v1.TermsContested",
    "pacta.v1.TermsObjectionReceived",
    "pacta.v1.ChangedServicesAccepted",
    "pacta.v1.ExecutionDeadlineSet",
    "pacta.v1.ExecutionDelivered",
    "pacta.v1.ExecutionBlocked",
    "pacta.v1.ExecutionUnblocked",
    "pacta.v1.ClientChangeRequested",
    "pacta.v1.RenegotiationRequested",
    "pacta.v1.RenegotiationEnded",
    "pacta.v1.MediationRequested",
    "pacta.v1.MediationStarted",
    "pacta.v1.MediationEnded",
    "pacta.v1.DepositPaid",
    "pacta.v1.InvoiceIssued",
    "pacta.v1.InvoicePaid",
    "pacta.v1.Suspend",
    "pacta.v1.Restore",
    "pacta.v1.LostPeriod",
    "pacta.v1.WorkWithheld",
    "pacta.v1.WorkReleased",
    "pacta.v1.CampaignLost",
    "pacta.v1.Terminate",
    "pacta.v1.DecisionApproved",
    "pacta.v1.DecisionRejected",
    "pacta.v1.NotificationFailed",
    "pacta.v1.TimerFired",
    "pacta.v1.TestClockAdvanced",
    NULL,
};

static const pacta_service_spec_t s_spec = {
    .name = "contracts",
    .summary = "Contracts service: owns offers and contracts — formation, withdrawal, renewal, notices, terminations, force majeure, terms changes",
    .default_http_port = 8081,
    .consumes = s_consumes,
    .handlers = &ctr_handlers,
};

const pacta_service_spec_t *
ctr_service_spec(void)
{
    return &s_spec;
}
