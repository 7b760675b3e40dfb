/*  =========================================================================
    gdpr_service - the gdpr-retention service

    Keeps personal data encrypted per data subject, archives and erases it when
    its retention period ends (CC-12, SG-11, L-5) and serves data-subject
    requests within the L-4 deadline.

    Design decision: the vault master key is read and checked against the
    key check record in on_start, so a missing, malformed or wrong key stops
    the process (exit 1) before it consumes anything. Without the option the
    service starts without a vault (a warning says so) and refuses personal
    data with RETRY_LATER: nothing is lost, and the process tests of the
    other services, which start every binary without secrets, keep running.

    DataArchived and DataErased are consumed without a handler (ACKed and
    counted as ignored): they are already in the subject's audit stream, and
    while no other service subscribes to them the bus would refuse them
    UNKNOWN_TYPE and the outbox would dead-letter every one.

    s_consumes is this service's subscription list (see docs/design.md,
    "Subscriptions"); tests/services/test_consumes.c holds it to the schema
    and to docs/messages.md.
    =========================================================================
*/
#include "gdpr_service.h"

#include <stddef.h>

#include "gdpr_handlers.h"
#include "pacta_log.h"
#include "pacta_vault.h"

static const char *const s_consumes[] = {
    "pacta.v1.ContractSigned",
    "pacta.v1.ContractEnded",
    "pacta.v1.NotificationFailed",
    "pacta.v1.PersonalDataRecorded",
    "pacta.v1.DataSubjectRequestOpened",
    "pacta.v1.RetentionExpired",
    "pacta.v1.DataArchived",
    "pacta.v1.DataErased",
    "pacta.v1.TimerFired",
    "pacta.v1.TestClockAdvanced",
    NULL,
};

static const pacta_config_option_t s_options[] = {
    {"vault_master_key_file", PACTA_OPT_STRING, NULL,
     "file holding the vault master key (64 hex digits); unset = no vault, personal data refused", 0, 0, 0, NULL},
};

static pacta_vault_t *s_vault;   /* the process's vault, from on_start to on_stop */

static int
s_start(pacta_service_t *svc, void *arg)
{
    (void) arg;
    const char *file = pacta_config_string(pacta_service_config(svc), "vault_master_key_file");
    if (!file || !*file) {
        pacta_log_warn("no vault master key configured (PACTA_VAULT_MASTER_KEY_FILE): personal data are refused");
        return 0;
    }
    char err[512];
    s_vault = pacta_vault_new(file, err, sizeof err);
    if (!s_vault) {
        pacta_log_error("refusing to start: vault master key", "error", err);
        return -1;
    }
    if (pacta_vault_check(s_vault, pacta_service_store(svc), err, sizeof err) != 0) {
        pacta_log_error("refusing to start: vault master key", "error", err);
        pacta_vault_destroy(&s_vault);
        return -1;
    }
    gdpr_handlers_use_vault(s_vault);
    pacta_log_info("vault ready");
    return 0;
}

static void
s_stop(pacta_service_t *svc, void *arg)
{
    (void) svc;
    (void) arg;
    gdpr_handlers_use_vault(NULL);
    pacta_vault_destroy(&s_vault);
}

static const pacta_service_spec_t s_spec = {
    .name = "gdpr-retention",
    .summary = "GDPR retention service: personal-data vault, retention schedules and data-subject requests",
    .default_http_port = 8085,
    .consumes = s_consumes,
    .handlers = &gdpr_handlers,
    .extra_options = s_options,
    .extra_option_count = sizeof s_options / sizeof s_options[0],
    .on_start = s_start,
    .on_stop = s_stop,
};

const pacta_service_spec_t *
gdpr_service_spec(void)
{
    return &s_spec;
}
