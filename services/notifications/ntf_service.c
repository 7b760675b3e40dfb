/*  =========================================================================
    ntf_service - the notifications service

    Tells the client and the operator: renders a template per message type and
    language, sends e-mail and webhooks, prepares registered letters, retries
    failed deliveries and never sends twice for the same decision.

    s_consumes is this service's subscription list (see docs/design.md,
    "Subscriptions"); tests/services/test_consumes.c holds it to the schema
    and to docs/messages.md.
    =========================================================================
*/
#include "ntf_service.h"

#include <stddef.h>

static const char *const s_consumes[] = {
    "pacta.v1.QuoteLapsed",
    "pacta.v1.QuoteAcceptanceRefused",
    "pacta.v1.ContractStarted",
    "pacta.v1.WithdrawalAccepted",
    "pacta.v1.WithdrawalRefused",
    "pacta.v1.NonRenewalNoticeRecorded",
    "pacta.v1.TerminationNoticeRecorded",
    "pacta.v1.EarlyTerminationAccepted",
    "pacta.v1.EarlyTerminationRefused",
    "pacta.v1.TermsChangeApplied",
    "pacta.v1.ExtraCostWarningIssued",
    "pacta.v1.ExecutionDeadlineRecomputed",
    "pacta.v1.LatePerformancePenaltyOwed",
    "pacta.v1.RenegotiationEnded",
    "pacta.v1.MediationScheduled",
    "pacta.v1.MediationEnded",
    "pacta.v1.ContractRenewed",
    "pacta.v1.ContractEnded",
    "pacta.v1.LicenceEnded",
    "pacta.v1.InvoiceIssued",
    "pacta.v1.InvoiceOverdue",
    "pacta.v1.DepositInvoiced",
    "pacta.v1.PaymentUnmatched",
    "pacta.v1.InvoiceDisputeRecorded",
    "pacta.v1.ReferralDiscountEarned",
    "pacta.v1.ReferralDiscountForfeited",
    "pacta.v1.IndemnityCharged",
    "pacta.v1.LateInterestCharged",
    "pacta.v1.FeeCharged",
    "pacta.v1.CreditNoteIssued",
    "pacta.v1.Suspend",
    "pacta.v1.Restore",
    "pacta.v1.LostPeriod",
    "pacta.v1.WorkWithheld",
    "pacta.v1.WorkReleased",
    "pacta.v1.CampaignLost",
    "pacta.v1.Terminate",
    "pacta.v1.TerminationRefused",
    "pacta.v1.DecisionProposed",
    "pacta.v1.NotificationRequested",
    "pacta.v1.LetterPostingConfirmed",
    "pacta.v1.DataSubjectRequestExtended",
    "pacta.v1.DataSubjectRequestAnswered",
    "pacta.v1.DataErased",
    "pacta.v1.TestClockAdvanced",
    NULL,
};

static const pacta_service_spec_t s_spec = {
    .name = "notifications",
    .summary = "Notifications service: tells clients and operators — e-mail, webhooks and registered letters",
    .default_http_port = 8084,
    .consumes = s_consumes,
};

const pacta_service_spec_t *
ntf_service_spec(void)
{
    return &s_spec;
}
