/*  =========================================================================
    ntf_service - the notifications service

    Tells the client and the operator: renders a template per message type and
    language, sends e-mail and webhooks, prepares registered letters, retries
    failed deliveries and never sends twice for the same decision.

    s_consumes() is this service's subscription list (see docs/design.md,
    "Subscriptions"); tests/services/test_consumes.c holds it to the schema
    and to docs/messages.md. LetterReady is consumed without a handler
    (ACKed, counted as ignored): it is meant for a print room or back
    office, and while no such class subscribes the bus would refuse it
    UNKNOWN_TYPE and the outbox would dead-letter every letter (the same
    choice gdpr-retention made for DataArchived and DataErased).

    Design decision: the start refuses (exit 1) when any template of any
    handled decision type or language is missing or malformed, or when the
    vault master key is wrong -- a service that would discover that at send
    time owes a client a notice it cannot write.
    =========================================================================
*/
#include "ntf_service.h"

#include <assert.h>
#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ntf_delivery.h"
#include "ntf_handlers.h"
#include "ntf_notice.h"
#include "pacta_log.h"
#include "pacta_proto_registry.h"
#include "pacta_vault.h"

#define DELIVERY_BATCH 4               /* notices attempted per loop turn (the loop also serves the bus) */
#define SECRET_FILE_MAX 4096           /* largest webhook secret file */

/* What notifications consumes besides the decisions it turns into notices
   (ntf_decision_types, ntf_handlers.c): the recipient's details, explicit
   requests, the letters' life, and types it acknowledges without a notice
   yet. s_consumes() puts both lists together once. */
static const char *const s_other_types[] = {
    "pacta.v1.ContractSigned",
    "pacta.v1.PaymentUnmatched",
    "pacta.v1.ReferralDiscountEarned",
    "pacta.v1.ReferralDiscountForfeited",
    "pacta.v1.DecisionProposed",
    "pacta.v1.NotificationRequested",
    "pacta.v1.LetterReady",
    "pacta.v1.LetterPostingConfirmed",
    "pacta.v1.DataSubjectRequestExtended",
    "pacta.v1.DataSubjectRequestAnswered",
    "pacta.v1.DataErased",
    "pacta.v1.TestClockAdvanced",
    NULL,
};

#define CONSUMES_MAX 64                /* entries of s_consumed, NULL included */

static const char *s_consumed[CONSUMES_MAX];

static const char *const *
s_consumes(void)
{
    if (s_consumed[0])
        return s_consumed;
    size_t count = 0;
    for (size_t i = 0; ntf_decision_types[i]; i++) {
        assert(count + 1 < CONSUMES_MAX);
        s_consumed[count++] = ntf_decision_types[i];
    }
    for (size_t i = 0; s_other_types[i]; i++) {
        assert(count + 1 < CONSUMES_MAX);
        s_consumed[count++] = s_other_types[i];
    }
    s_consumed[count] = NULL;
    return s_consumed;
}


static const pacta_config_option_t s_options[] = {
    {"template_dir", PACTA_OPT_STRING, NULL,
     "directory of the notice templates (<lang>/<id>.txt); unset = those built into the binary", 0, 0, 0, NULL},
    {"default_language", PACTA_OPT_STRING, "fr", "language when the contract names none", 0, 0, 0, "fr|nl|en"},
    {"vault_master_key_file", PACTA_OPT_STRING, NULL,
     "vault master key file (contact lookup); unset = every e-mail fails permanently", 0, 0, 0, NULL},
    {"smtp_url", PACTA_OPT_STRING, NULL, "SMTP server, smtp://127.0.0.1:1025; unset = e-mail notices wait until one is set", 0, 0, 0,
     NULL},
    {"smtp_from", PACTA_OPT_STRING, "pacta@localhost", "sender address of the e-mails", 0, 0, 0, NULL},
    {"smtp_username", PACTA_OPT_STRING, NULL, "SMTP AUTH user", 0, 0, 0, NULL},
    {"smtp_password", PACTA_OPT_STRING, NULL, "SMTP AUTH password", PACTA_OPT_SECRET | PACTA_OPT_FILE, 0, 0, NULL},
    {"smtp_tls", PACTA_OPT_STRING, "none", "TLS on SMTP: none, starttls (if offered) or required", 0, 0, 0,
     "none|starttls|required"},
    {"webhook_url", PACTA_OPT_STRING, NULL, "webhook endpoint; set = one signed webhook per notice too", 0, 0, 0,
     NULL},
    {"webhook_secret_file", PACTA_OPT_STRING, NULL, "file holding the webhook HMAC-SHA256 key", 0, 0, 0, NULL},
    {"letter_rules", PACTA_OPT_STRING, "SG-4c,CC-13",
     "rule ids whose decisions also go by registered letter (comma-separated)", 0, 0, 0, NULL},
    {"delivery_retry_initial", PACTA_OPT_DURATION, "5s", "first retry delay of a failed delivery", 0, 0, 0, NULL},
    {"delivery_retry_max", PACTA_OPT_DURATION, "15m", "longest retry delay (the delay doubles)", 0, 0, 0, NULL},
    {"delivery_max_age", PACTA_OPT_DURATION, "72h", "then a failing notice is dead-lettered", 0, 0, 0, NULL},
    {"operator_email", PACTA_OPT_STRING, NULL, "operator's address, alerted by e-mail of every dead-lettered notice",
     0, 0, 0, NULL},
};

typedef struct {
    ntf_config_t config;               /* what the handlers read */
    ntf_templates_t *templates;        /* loaded at start */
    pacta_vault_t *vault;              /* contact lookups; NULL = none configured */
    ntf_delivery_t *delivery;          /* the delivery worker */
    unsigned char secret[SECRET_FILE_MAX]; /* webhook key */
    size_t secret_len;                 /* bytes of secret */
} s_state_t;

static s_state_t s_state;
static pacta_handler_set_t s_handlers;

static ntf_contact_status_t
s_vault_contact(void *arg, pacta_store_t *store, const char *tenant, const char *subject_id, char *email,
                size_t email_size, char *err, size_t err_size)
{
    pacta_vault_t *vault = arg;
    json_t *fields = NULL;
    pacta_vault_status_t status = pacta_vault_lookup_contact(vault, store, tenant, subject_id, "notifications",
                                                             "notification", &fields, err, err_size);
    ntf_contact_status_t result = NTF_CONTACT_FAILED;
    switch (status) {
    case PACTA_VAULT_FOUND: {
        const char *address = json_string_value(json_object_get(fields, "email"));
        if (address && address[0] && strlen(address) < email_size && !strpbrk(address, "\r\n<>")) {
            snprintf(email, email_size, "%s", address);
            result = NTF_CONTACT_FOUND;
        }
        else
            result = NTF_CONTACT_NONE;
        break;
    }
    case PACTA_VAULT_NONE: result = NTF_CONTACT_NONE; break;
    case PACTA_VAULT_ERASED: result = NTF_CONTACT_ERASED; break;
    case PACTA_VAULT_RESTRICTED: result = NTF_CONTACT_RESTRICTED; break;
    case PACTA_VAULT_TAMPERED: result = NTF_CONTACT_TAMPERED; break;
    default: result = NTF_CONTACT_FAILED; break;
    }
    json_decref(fields);   /* jansson does not wipe: the address lives only for this call */
    return result;
}

/* Reads the webhook key file into s_state.secret. 0 or -1 (logged). */
static int
s_read_secret(const char *path)
{
    FILE *file = fopen(path, "rb");
    if (!file) {
        pacta_log_error("refusing to start: cannot open webhook_secret_file", "file", path);
        return -1;
    }
    size_t len = fread(s_state.secret, 1, sizeof s_state.secret, file);
    fclose(file);
    while (len > 0 && (s_state.secret[len - 1] == '\n' || s_state.secret[len - 1] == '\r'))
        len--;
    if (len == 0 || len == sizeof s_state.secret) {
        pacta_log_error("refusing to start: webhook_secret_file is empty or too large", "file", path);
        return -1;
    }
    s_state.secret_len = len;
    return 0;
}

static int
s_start(pacta_service_t *svc, void *arg)
{
    (void) arg;
    const pacta_config_t *cfg = pacta_service_config(svc);
    char err[1024];
    if (sodium_init() < 0) {
        pacta_log_error("refusing to start: libsodium cannot initialise");
        return -1;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        pacta_log_error("refusing to start: libcurl cannot initialise");
        return -1;
    }
    /* every decision type's template, and the request templates, in every language */
    ntf_template_spec_t specs[64];
    size_t count = 0;
    for (size_t i = 0; ntf_decision_types[i] && count < 64; i++) {
        static char ids[64][NTF_TEMPLATE_ID_MAX + 1];
        ntf_template_id_for_type(ntf_decision_types[i], ids[count], sizeof ids[count]);
        specs[count] = (ntf_template_spec_t) {ids[count],
                                              pacta_proto_find(ntf_decision_types[i], strlen(ntf_decision_types[i]))};
        count++;
    }
    for (size_t i = 0; ntf_request_templates[i] && count < 64; i++)
        specs[count++] = (ntf_template_spec_t) {ntf_request_templates[i], NULL};
    /* unset: the templates built into the binary (deploy/templates at build time) */
    const char *dir = pacta_config_string(cfg, "template_dir");
    if (dir && !dir[0])
        dir = NULL;
    s_state.templates = ntf_templates_load(dir, specs, count, err, sizeof err);
    if (!s_state.templates) {
        pacta_log_error("refusing to start: a notice template is missing or malformed", "error", err);
        goto failed;
    }
    const char *key_file = pacta_config_string(cfg, "vault_master_key_file");
    if (key_file && key_file[0]) {
        s_state.vault = pacta_vault_new(key_file, err, sizeof err);
        if (!s_state.vault || pacta_vault_check(s_state.vault, pacta_service_store(svc), err, sizeof err) != 0) {
            pacta_log_error("refusing to start: vault master key", "error", err);
            goto failed;
        }
    }
    else
        pacta_log_warn("no vault master key configured (PACTA_VAULT_MASTER_KEY_FILE): e-mails cannot be addressed");
    const char *webhook_url = pacta_config_string(cfg, "webhook_url");
    const char *secret_file = pacta_config_string(cfg, "webhook_secret_file");
    if (webhook_url && webhook_url[0]) {
        if (!secret_file || !secret_file[0]) {
            pacta_log_error("refusing to start: webhook_url needs webhook_secret_file");
            goto failed;
        }
        if (s_read_secret(secret_file) != 0)
            goto failed;
    }
    ntf_lang_parse(pacta_config_string(cfg, "default_language"), &s_state.config.default_language);
    s_state.config.templates = s_state.templates;
    s_state.config.webhook_enabled = webhook_url && webhook_url[0];
    s_state.config.letter_rules = pacta_config_string(cfg, "letter_rules");
    s_state.config.retry_initial_ms = pacta_config_duration_ms(cfg, "delivery_retry_initial");
    s_state.config.retry_max_ms = pacta_config_duration_ms(cfg, "delivery_retry_max");
    s_state.config.max_age_ms = pacta_config_duration_ms(cfg, "delivery_max_age");
    ntf_handlers_init(&s_handlers, &s_state.config);
    ntf_delivery_options_t options = {
        .store = pacta_service_store(svc),
        .profiles = pacta_service_profiles(svc),
        .clock = pacta_service_clock(svc),
        .metrics = pacta_service_metrics(svc),
        .config = &s_state.config,
        .instance_id = pacta_service_instance_id(svc),
        .contact = s_state.vault ? s_vault_contact : NULL,
        .contact_arg = s_state.vault,
        .smtp_url = pacta_config_string(cfg, "smtp_url"),
        .smtp_from = pacta_config_string(cfg, "smtp_from"),
        .smtp_username = pacta_config_string(cfg, "smtp_username"),
        .smtp_password = pacta_config_string(cfg, "smtp_password"),
        .smtp_tls = pacta_config_string(cfg, "smtp_tls"),
        .webhook_url = webhook_url,
        .webhook_secret = s_state.secret,
        .webhook_secret_len = s_state.secret_len,
        .operator_email = pacta_config_string(cfg, "operator_email"),
    };
    s_state.delivery = ntf_delivery_new(&options, err, sizeof err);
    if (!s_state.delivery) {
        pacta_log_error("refusing to start: delivery worker", "error", err);
        goto failed;
    }
    char templates[32];
    snprintf(templates, sizeof templates, "%zu", ntf_templates_count(s_state.templates));
    pacta_log_info("templates loaded", "dir", dir ? dir : "(built in)", "templates", templates);
    return 0;
failed:
    pacta_vault_destroy(&s_state.vault);
    ntf_templates_destroy(&s_state.templates);
    sodium_memzero(s_state.secret, sizeof s_state.secret);
    curl_global_cleanup();
    return -1;
}

static int
s_tick(pacta_service_t *svc, void *arg)
{
    (void) arg;
    if (!s_state.delivery || !pacta_store_connected(pacta_service_store(svc)))
        return 0;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    int64_t now_ms = (int64_t) now.tv_sec * 1000 + now.tv_nsec / 1000000;
    ntf_delivery_run(s_state.delivery, now_ms, DELIVERY_BATCH);
    return 0;
}

static void
s_stop(pacta_service_t *svc, void *arg)
{
    (void) svc;
    (void) arg;
    ntf_delivery_destroy(&s_state.delivery);
    pacta_vault_destroy(&s_state.vault);
    ntf_templates_destroy(&s_state.templates);
    sodium_memzero(s_state.secret, sizeof s_state.secret);
    curl_global_cleanup();
}

static pacta_service_spec_t s_spec = {
    .name = "notifications",
    .summary = "Notifications service: tells clients and operators — e-mail, webhooks and registered letters",
    .default_http_port = 8084,
    .consumes = NULL,                  /* s_consumes(), set by ntf_service_spec() */
    .handlers = &s_handlers,
    .extra_options = s_options,
    .extra_option_count = sizeof s_options / sizeof s_options[0],
    .on_start = s_start,
    .on_tick = s_tick,
    .on_stop = s_stop,
};

const pacta_service_spec_t *
ntf_service_spec(void)
{
    s_spec.consumes = s_consumes();
    return &s_spec;
}
