/*  =========================================================================
    gdpr_service - the gdpr-retention service

    Keeps personal data encrypted per data subject, archives and erases it when
    its retention period ends (CC-12, SG-11, L-5) and serves data-subject
    requests within the L-4 deadline.

    s_consumes is this service's subscription list (see docs/design.md,
    "Subscriptions"); tests/services/test_consumes.c holds it to the schema
    and to docs/messages.md.
    =========================================================================
*/
#include "gdpr_service.h"

#include <stddef.h>

static const char *const s_consumes[] = {
    "pacta.v1.ContractEnded",
    "pacta.v1.NotificationFailed",
    "pacta.v1.PersonalDataRecorded",
    "pacta.v1.DataSubjectRequestOpened",
    "pacta.v1.RetentionExpired",
    "pacta.v1.TimerFired",
    "pacta.v1.TestClockAdvanced",
    NULL,
};

static const pacta_service_spec_t s_spec = {
    .name = "gdpr-retention",
    .summary = "GDPR retention service: personal-data vault, retention schedules and data-subject requests",
    .default_http_port = 8085,
    .consumes = s_consumes,
};

const pacta_service_spec_t *
gdpr_service_spec(void)
{
    return &s_spec;
}
