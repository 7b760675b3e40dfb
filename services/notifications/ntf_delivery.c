/*  =========================================================================
    ntf_delivery - the delivery worker

    Claims due notices of every tenant with a lease (ntf_claim.lua), reads
    the notice from the contract's delivery log, looks the address up in
    the vault at send time, renders the template, sends, and feeds the
    outcome back as an internal NotificationDelivered / NotificationFailed
    envelope through a runtime of its own, so the attempt, the status, the
    next retry and the report to the bus are one compare-and-set effect.

    Design decision (exactly once, honestly): the only window for a double
    send is a crash after the SMTP server or the webhook accepted a notice
    and before its outcome was recorded. The lease then lapses and another
    attempt is made, but with the SAME Message-ID header and the SAME
    Idempotency-Key (both are the notification id), so a receiver that
    deduplicates on them sees one notice. Nothing stronger exists over SMTP.
    =========================================================================
*/
#include "ntf_delivery.h"

#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ntf_notice.h"
#include "pacta/v1/notifications.pb-c.h"
#include "pacta_jdoc.h"
#include "pacta_log.h"
#include "pacta_runtime.h"

#define CLAIM_SCRIPT "ntf_claim"
#define REPLY_MAX 256                  /* bytes of an SMTP/HTTP reply kept in the log */

extern const char pacta_lua_ntf_claim[];

struct ntf_delivery {
    ntf_delivery_options_t options;    /* as given (strings borrowed) */
    pacta_runtime_t *outcomes;         /* records attempts (internal envelopes) */
    pacta_handler_set_t handlers;      /* the outcome handlers */
};

static const char *const s_channels[] = {"email", "webhook", NULL};

ntf_delivery_t *
ntf_delivery_new(const ntf_delivery_options_t *options, char *err, size_t err_size)
{
    ntf_delivery_t *self = NULL;
    if (!options || !options->store || !options->profiles || !options->clock || !options->config) {
        snprintf(err, err_size, "ntf_delivery_new: store, profiles, clock and config are required");
        goto failed;
    }
    self = calloc(1, sizeof *self);
    if (!self) {
        snprintf(err, err_size, "out of memory");
        goto failed;
    }
    self->options = *options;
    if (self->options.lease_ms <= 0)
        self->options.lease_ms = 60000;
    if (self->options.send_timeout_ms <= 0)
        self->options.send_timeout_ms = 20000;
    if (pacta_store_script_register(options->store, CLAIM_SCRIPT, pacta_lua_ntf_claim) != 0
        && pacta_store_connected(options->store)) {
        snprintf(err, err_size, "Redis refused %s.lua: %s", CLAIM_SCRIPT, pacta_store_error(options->store));
        goto failed;
    }
    ntf_outcome_handlers_init(&self->handlers, options->config);
    pacta_runtime_options_t runtime = {.service = "notifications",
                                       .instance_id = options->instance_id,
                                       .consumes = ntf_outcome_types,
                                       .handlers = &self->handlers,
                                       .store = options->store,
                                       .profiles = options->profiles,
                                       .clock = options->clock};
    self->outcomes = pacta_runtime_new(&runtime, err, err_size);
    if (!self->outcomes)
        goto failed;
    if (options->metrics) {
        pacta_metrics_define(options->metrics, "pacta_notifications_sent_total", PACTA_METRIC_COUNTER,
                             "Notices accepted by the SMTP server or the webhook endpoint");
        pacta_metrics_define(options->metrics, "pacta_notifications_failed_total", PACTA_METRIC_COUNTER,
                             "Delivery attempts that failed");
        pacta_metrics_define(options->metrics, "pacta_notifications_retried_total", PACTA_METRIC_COUNTER,
                             "Failed attempts that will be retried");
        pacta_metrics_define(options->metrics, "pacta_notifications_dead_lettered_total", PACTA_METRIC_COUNTER,
                             "Notices given up (permanent failure or too old)");
        for (size_t i = 0; s_channels[i]; i++) {
            pacta_metrics_counter_add(options->metrics, "pacta_notifications_sent_total", 0, "channel",
                                      s_channels[i], NULL);
            pacta_metrics_counter_add(options->metrics, "pacta_notifications_failed_total", 0, "channel",
                                      s_channels[i], NULL);
            pacta_metrics_counter_add(options->metrics, "pacta_notifications_retried_total", 0, "channel",
                                      s_channels[i], NULL);
            pacta_metrics_counter_add(options->metrics, "pacta_notifications_dead_lettered_total", 0, "channel",
                                      s_channels[i], NULL);
        }
    }
    return self;
failed:
    ntf_delivery_destroy(&self);
    return NULL;
}

void
ntf_delivery_destroy(ntf_delivery_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    pacta_runtime_destroy(&(*self_p)->outcomes);
    free(*self_p);
    *self_p = NULL;
}

/* ---- the e-mail ------------------------------------------------------------------------- */

static bool
s_is_ascii(const char *text)
{
    for (const unsigned char *c = (const unsigned char *) text; *c; c++)
        if (*c >= 0x80)
            return false;
    return true;
}

char *
ntf_email_message(const char *from, const char *to, const char *subject, const char *body,
                  const char *notification_id, const char *language, int64_t now_ms)
{
    char *encoded = NULL, *message = NULL;
    size_t subject_len = strlen(subject);
    if (!s_is_ascii(subject)) {
        size_t size = sodium_base64_encoded_len(subject_len, sodium_base64_VARIANT_ORIGINAL);
        char *b64 = malloc(size);
        if (!b64)
            goto cleanup;
        sodium_bin2base64(b64, size, (const unsigned char *) subject, subject_len, sodium_base64_VARIANT_ORIGINAL);
        size_t need = strlen(b64) + 16;
        encoded = malloc(need);
        if (encoded)
            snprintf(encoded, need, "=?UTF-8?B?%s?=", b64);
        free(b64);
        if (!encoded)
            goto cleanup;
    }
    char date[64];
    time_t seconds = (time_t) (now_ms / 1000);
    struct tm tm;
    gmtime_r(&seconds, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    /* body with CRLF line ends */
    size_t lines = 1;
    for (const char *c = body; *c; c++)
        lines += *c == '\n';
    size_t size = strlen(body) + lines + 1024 + strlen(from) + strlen(to) + strlen(encoded ? encoded : subject)
                  + strlen(notification_id);
    message = malloc(size);
    if (!message)
        goto cleanup;
    int head = snprintf(message, size,
                        "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%s@pacta>\r\n"
                        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
                        "Content-Transfer-Encoding: 8bit\r\nContent-Language: %s\r\n\r\n",
                        from, to, encoded ? encoded : subject, date, notification_id, language);
    if (head < 0 || (size_t) head >= size) {
        free(message);
        message = NULL;
        goto cleanup;
    }
    size_t pos = (size_t) head;
    for (const char *c = body; *c; c++) {
        if (*c == '\r')
            continue;
        if (*c == '\n')
            message[pos++] = '\r';
        message[pos++] = *c;
    }
    message[pos] = '\0';
cleanup:
    free(encoded);
    return message;
}

typedef struct {
    const char *data;                  /* what is left to upload */
    size_t left;                       /* bytes left */
} s_upload_t;

static size_t
s_read_cb(char *buffer, size_t size, size_t nitems, void *arg)
{
    s_upload_t *upload = arg;
    size_t room = size * nitems;
    size_t n = upload->left < room ? upload->left : room;
    memcpy(buffer, upload->data, n);
    upload->data += n;
    upload->left -= n;
    return n;
}

static size_t
s_discard_cb(char *data, size_t size, size_t nmemb, void *arg)
{
    (void) data;
    (void) arg;
    return size * nmemb;
}

/* The outcome of one attempt. */
typedef struct {
    bool delivered;                    /* accepted */
    bool permanent;                    /* failed for good */
    bool no_address;                   /* permanent because the vault holds no usable address (not an incident) */
    char reply[REPLY_MAX];             /* server reply or error, never the address */
} s_outcome_t;

static void
s_send_email(ntf_delivery_t *self, const char *to, const char *subject, const char *body,
             const char *notification_id, const char *language, int64_t now_ms, s_outcome_t *outcome)
{
    const ntf_delivery_options_t *o = &self->options;
    CURL *curl = NULL;
    struct curl_slist *rcpt = NULL;
    char *message = NULL;
    if (!o->smtp_url || !o->smtp_url[0]) {
        snprintf(outcome->reply, sizeof outcome->reply, "no smtp_url configured");
        goto cleanup;
    }
    message = ntf_email_message(o->smtp_from ? o->smtp_from : "pacta@localhost", to, subject, body,
                                notification_id, language, now_ms);
    curl = curl_easy_init();
    char bracketed[NTF_EMAIL_MAX + 3], from[NTF_EMAIL_MAX + 3];
    snprintf(bracketed, sizeof bracketed, "<%s>", to);
    snprintf(from, sizeof from, "<%s>", o->smtp_from ? o->smtp_from : "pacta@localhost");
    rcpt = curl_slist_append(NULL, bracketed);
    if (!message || !curl || !rcpt) {
        snprintf(outcome->reply, sizeof outcome->reply, "out of memory");
        goto cleanup;
    }
    s_upload_t upload = {message, strlen(message)};
    curl_easy_setopt(curl, CURLOPT_URL, o->smtp_url);
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, s_read_cb);
    curl_easy_setopt(curl, CURLOPT_READDATA, &upload);
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, s_discard_cb);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, (long) (o->send_timeout_ms / 2));
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long) o->send_timeout_ms);
    const char *tls = o->smtp_tls ? o->smtp_tls : "none";
    curl_easy_setopt(curl, CURLOPT_USE_SSL, strcmp(tls, "required") == 0   ? (long) CURLUSESSL_ALL
                                            : strcmp(tls, "starttls") == 0 ? (long) CURLUSESSL_TRY
                                                                           : (long) CURLUSESSL_NONE);
    if (o->smtp_username && o->smtp_username[0]) {
        curl_easy_setopt(curl, CURLOPT_USERNAME, o->smtp_username);
        curl_easy_setopt(curl, CURLOPT_PASSWORD, o->smtp_password ? o->smtp_password : "");
    }
    CURLcode rc = curl_easy_perform(curl);
    long code = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
    if (rc == CURLE_OK) {
        outcome->delivered = true;
        snprintf(outcome->reply, sizeof outcome->reply, "smtp %ld", code);
    }
    else {
        /* 550-554: the server refuses this mailbox or message for good; anything
           else (nothing listening, 4xx, timeouts, TLS) may work on a later attempt */
        outcome->permanent = code >= 550 && code <= 554;
        snprintf(outcome->reply, sizeof outcome->reply, "smtp %ld: %s", code, curl_easy_strerror(rc));
    }
cleanup:
    curl_slist_free_all(rcpt);
    if (curl)
        curl_easy_cleanup(curl);
    free(message);
}

/* Tells the operator (operator_email) that a notice was given up: ids and the reason only,
   no personal data. Best effort: a failure is logged, the log line and the metric remain. */
static void
s_alert_operator(ntf_delivery_t *self, const char *tenant, const char *entity_key, const char *notification_id,
                 const char *channel, const char *reason, int64_t now_ms)
{
    const char *to = self->options.operator_email;
    if (!to || !to[0])
        return;
    char subject[256], body[1024], alert_id[NTF_ID_MAX + 16];
    snprintf(subject, sizeof subject, "Pacta: notice %.80s dead-lettered (%.40s)", notification_id, tenant);
    snprintf(body, sizeof body,
             "A notice was given up and needs an operator.\n\ntenant: %.64s\nentity: %.200s\nnotice: %.80s\n"
             "channel: %.32s\nreason: %.255s\n\nDelivery log: pactactl notifications --tenant %.64s %.200s\n",
             tenant, entity_key, notification_id, channel, reason, tenant, entity_key);
    snprintf(alert_id, sizeof alert_id, "%.64s-alert", notification_id);
    s_outcome_t outcome;
    memset(&outcome, 0, sizeof outcome);
    s_send_email(self, to, subject, body, alert_id, "en", now_ms, &outcome);
    if (!outcome.delivered)
        pacta_log_error("operator alert not sent", "tenant", tenant, "notification", notification_id, "reason",
                        outcome.reply);
}

/* ---- the webhook ------------------------------------------------------------------------ */

typedef struct {
    char data[REPLY_MAX];              /* the start of the response body */
    size_t len;                        /* bytes kept */
} s_response_t;

static size_t
s_keep_cb(char *data, size_t size, size_t nmemb, void *arg)
{
    s_response_t *response = arg;
    size_t n = size * nmemb;
    size_t room = sizeof response->data - 1 - response->len;
    size_t keep = n < room ? n : room;
    memcpy(response->data + response->len, data, keep);
    response->len += keep;
    response->data[response->len] = '\0';
    return n;
}

static void
s_send_webhook(ntf_delivery_t *self, const char *body, const char *notification_id, int64_t now_ms,
               s_outcome_t *outcome)
{
    const ntf_delivery_options_t *o = &self->options;
    CURL *curl = NULL;
    struct curl_slist *headers = NULL;
    if (!o->webhook_url || !o->webhook_url[0]) {
        snprintf(outcome->reply, sizeof outcome->reply, "no webhook_url configured");
        return;
    }
    char timestamp[32], signature[NTF_SIGNATURE_HEX + 1], header[256];
    snprintf(timestamp, sizeof timestamp, "%lld", (long long) (now_ms / 1000));
    if (ntf_webhook_signature(o->webhook_secret, o->webhook_secret_len, timestamp, body, strlen(body), signature)
        != 0) {
        snprintf(outcome->reply, sizeof outcome->reply, "cannot sign the request");
        return;
    }
    curl = curl_easy_init();
    headers = curl_slist_append(headers, "Content-Type: application/json");
    snprintf(header, sizeof header, "X-Pacta-Timestamp: %s", timestamp);
    headers = curl_slist_append(headers, header);
    snprintf(header, sizeof header, "X-Pacta-Signature: sha256=%s", signature);
    headers = curl_slist_append(headers, header);
    snprintf(header, sizeof header, "Idempotency-Key: %s", notification_id);
    headers = curl_slist_append(headers, header);
    if (!curl || !headers) {
        snprintf(outcome->reply, sizeof outcome->reply, "out of memory");
        goto cleanup;
    }
    s_response_t response = {.len = 0};
    response.data[0] = '\0';
    curl_easy_setopt(curl, CURLOPT_URL, o->webhook_url);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long) strlen(body));
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, s_keep_cb);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, (long) (o->send_timeout_ms / 2));
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long) o->send_timeout_ms);
    CURLcode rc = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    if (rc != CURLE_OK)
        snprintf(outcome->reply, sizeof outcome->reply, "http: %s", curl_easy_strerror(rc));
    else {
        outcome->delivered = status >= 200 && status < 300;
        /* a 4xx other than timeout/rate limit will not change by itself */
        outcome->permanent = status >= 400 && status < 500 && status != 408 && status != 429;
        for (size_t i = 0; i < response.len; i++)
            if (response.data[i] == '\r' || response.data[i] == '\n')
                response.data[i] = ' ';
        snprintf(outcome->reply, sizeof outcome->reply, "http %ld %.200s", status, response.data);
    }
cleanup:
    curl_slist_free_all(headers);
    if (curl)
        curl_easy_cleanup(curl);
}

/* ---- one notice -------------------------------------------------------------------------- */

/* Feeds the outcome of an attempt to the outcome runtime. 0 when recorded. */
static int
s_record(ntf_delivery_t *self, const char *tenant, const char *entity_key, const json_t *notice, int attempt,
         int64_t now_ms, const s_outcome_t *outcome)
{
    const char *notification_id = pacta_jdoc_str(notice, "notification_id");
    char message_id[NTF_ID_MAX + 1], attempt_name[32];
    snprintf(attempt_name, sizeof attempt_name, "outcome-%d", attempt);
    if (ntf_notification_id(notification_id, attempt_name, message_id, sizeof message_id) != 0)
        return -1;
    Pacta__V1__NotificationDelivered delivered = PACTA__V1__NOTIFICATION_DELIVERED__INIT;
    Pacta__V1__NotificationFailed failed = PACTA__V1__NOTIFICATION_FAILED__INIT;
    const ProtobufCMessage *payload;
    if (outcome->delivered) {
        delivered.notification_id = (char *) notification_id;
        delivered.contract_id = (char *) pacta_jdoc_str(notice, "contract_id");
        delivered.delivered_at_ms = now_ms;
        delivered.provider_reference = (char *) outcome->reply;
        payload = &delivered.base;
    }
    else {
        failed.notification_id = (char *) notification_id;
        failed.contract_id = (char *) pacta_jdoc_str(notice, "contract_id");
        failed.reason = (char *) outcome->reply;
        failed.permanent = outcome->permanent;
        failed.attempts = attempt;
        payload = &failed.base;
    }
    size_t size = protobuf_c_message_get_packed_size(payload);
    uint8_t *packed = malloc(size ? size : 1);
    if (!packed)
        return -1;
    protobuf_c_message_pack(payload, packed);
    Pacta__V1__Envelope envelope = PACTA__V1__ENVELOPE__INIT;
    envelope.message_id = message_id;
    envelope.tenant = (char *) tenant;
    envelope.message_type = (char *) payload->descriptor->name;
    envelope.entity_key = (char *) entity_key;
    envelope.occurred_at_ms = now_ms;
    envelope.producer = "notifications";
    envelope.schema_version = 1;
    envelope.payload.data = packed;
    envelope.payload.len = size;
    envelope.kind = PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_EVENT;
    pacta_runtime_result_t result;
    memset(&result, 0, sizeof result);
    int rc = pacta_runtime_handle(self->outcomes, &envelope, &result);
    free(packed);
    if (rc != 0 || !result.ack) {
        pacta_log_warn("delivery outcome not recorded yet; the notice is attempted again after its lease",
                       "tenant", tenant, "entity", entity_key, "notification", notification_id, "detail",
                       result.detail);
        return -1;
    }
    return 0;
}

/* The notice `member` names, or NULL (then *settled says it needs nothing more). */
static json_t *
s_load_notice(ntf_delivery_t *self, const char *tenant, const char *entity_key, const char *notification_id,
              bool *settled)
{
    *settled = false;
    char key[600];
    if (snprintf(key, sizeof key, "pacta:%s:{%s}:%s", tenant, entity_key, NTF_DOC) >= (int) sizeof key) {
        *settled = true;
        return NULL;
    }
    redisReply *reply = NULL;
    if (pacta_store_command_strs(self->options.store, &reply, "HGET", key, "doc", NULL) != 0)
        return NULL;
    json_t *notice = NULL;
    if (reply->type == REDIS_REPLY_STRING) {
        json_t *doc = json_loadb(reply->str, reply->len, 0, NULL);
        json_t *found = pacta_jdoc_find(json_object_get(doc, "notices"), "notification_id", notification_id);
        if (found)
            notice = json_incref(found);
        json_decref(doc);
    }
    freeReplyObject(reply);
    const char *status = pacta_jdoc_str(notice, "status");
    if (!notice || (strcmp(status, "pending") != 0 && strcmp(status, "retrying") != 0)) {
        json_decref(notice);
        *settled = true;        /* gone, delivered, dead-lettered or a letter: nothing to send */
        return NULL;
    }
    return notice;
}

/* The JSON body of a webhook notice: what the notice says, no address. A new string. */
static char *
s_webhook_body(const char *tenant, const json_t *notice, const char *subject, const char *body)
{
    json_t *json = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:O, s:O, s:s, s:s}", "notification_id",
                             pacta_jdoc_str(notice, "notification_id"), "tenant", tenant, "contract_id",
                             pacta_jdoc_str(notice, "contract_id"), "subject_id", pacta_jdoc_str(notice, "subject_id"),
                             "template_id", pacta_jdoc_str(notice, "template_id"), "message_type",
                             pacta_jdoc_str(notice, "message_type"), "caused_by", pacta_jdoc_str(notice, "caused_by"),
                             "language", pacta_jdoc_str(notice, "language"), "params",
                             json_object_get(notice, "params"), "explanation", json_object_get(notice, "explanation"),
                             "subject", subject, "body", body);
    char *text = json ? json_dumps(json, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(json);
    return text;
}

static void
s_count(ntf_delivery_t *self, const char *metric, const char *channel)
{
    if (self->options.metrics)
        pacta_metrics_counter_add(self->options.metrics, metric, 1, "channel", channel, NULL);
}

/* Attempts one notice and records the outcome. 0, or -1 when Redis failed. */
static int
s_attempt(ntf_delivery_t *self, const char *tenant, const char *member, int64_t now_ms)
{
    const char *bar = strchr(member, '|');
    if (!bar || (size_t) (bar - member) >= 256)
        return 0;
    char entity_key[256];
    memcpy(entity_key, member, (size_t) (bar - member));
    entity_key[bar - member] = '\0';
    const char *notification_id = bar + 1;
    bool settled;
    json_t *notice = s_load_notice(self, tenant, entity_key, notification_id, &settled);
    if (!notice) {
        if (settled) {
            char key[300];
            snprintf(key, sizeof key, "pacta:{ix:%s}:%s", tenant, NTF_DUE_INDEX);
            pacta_store_command_strs(self->options.store, NULL, "ZREM", key, member, NULL);
            return 0;
        }
        return -1;
    }
    const char *channel = pacta_jdoc_str(notice, "channel");
    if (strcmp(channel, "email") == 0 && (!self->options.smtp_url || !self->options.smtp_url[0])) {
        /* no SMTP server configured: the notice waits (pending, its lease renewed) until one is */
        json_decref(notice);
        return 0;
    }
    const json_t *attempts = json_object_get(notice, "attempts");
    int attempt = (int) json_array_size(attempts) + 1;
    s_outcome_t outcome;
    memset(&outcome, 0, sizeof outcome);
    ntf_lang_t lang = NTF_LANG_FR;
    ntf_lang_parse(pacta_jdoc_str(notice, "language"), &lang);
    char *subject = NULL, *body = NULL, err[256];
    if (ntf_templates_render(self->options.config->templates, pacta_jdoc_str(notice, "template_id"), lang,
                             json_object_get(notice, "params"), json_object_get(notice, "explanation"),
                             notification_id, &subject, &body, err, sizeof err)
        != 0) {
        outcome.permanent = true;
        snprintf(outcome.reply, sizeof outcome.reply, "%s", err);
    }
    else if (strcmp(channel, "email") == 0) {
        char email[NTF_EMAIL_MAX + 1] = "";
        ntf_contact_status_t status = NTF_CONTACT_NONE;
        if (self->options.contact)
            status = self->options.contact(self->options.contact_arg, self->options.store, tenant,
                                           pacta_jdoc_str(notice, "subject_id"), email, sizeof email, err,
                                           sizeof err);
        switch (status) {
        case NTF_CONTACT_FOUND:
            s_send_email(self, email, subject, body, notification_id, ntf_lang_name(lang), now_ms, &outcome);
            break;
        case NTF_CONTACT_FAILED:
            snprintf(outcome.reply, sizeof outcome.reply, "vault: %.200s", err);
            break;
        default:
            outcome.permanent = true;
            outcome.no_address = status != NTF_CONTACT_TAMPERED;
            snprintf(outcome.reply, sizeof outcome.reply, "no e-mail address for the data subject (%s)",
                     status == NTF_CONTACT_ERASED       ? "erased"
                     : status == NTF_CONTACT_RESTRICTED ? "restricted"
                     : status == NTF_CONTACT_TAMPERED   ? "vault record tampered"
                                                        : "none held");
            break;
        }
        sodium_memzero(email, sizeof email);
    }
    else if (strcmp(channel, "webhook") == 0) {
        char *payload = s_webhook_body(tenant, notice, subject, body);
        if (payload)
            s_send_webhook(self, payload, notification_id, now_ms, &outcome);
        else
            snprintf(outcome.reply, sizeof outcome.reply, "out of memory");
        free(payload);
    }
    else {
        outcome.permanent = true;
        snprintf(outcome.reply, sizeof outcome.reply, "channel '%.32s' is not sent by the worker", channel);
    }
    free(subject);
    free(body);
    if (outcome.delivered) {
        s_count(self, "pacta_notifications_sent_total", channel);
        pacta_log_info("notice delivered", "tenant", tenant, "entity", entity_key, "notification", notification_id,
                       "channel", channel, "reply", outcome.reply);
    }
    else {
        int64_t first_ms = pacta_jdoc_int(json_array_get(attempts, 0), "at_ms");
        bool dead = outcome.permanent || (attempt > 1 && now_ms - first_ms >= self->options.config->max_age_ms)
                    || (attempt == 1 && self->options.config->max_age_ms <= 0);
        s_count(self, "pacta_notifications_failed_total", channel);
        s_count(self, dead ? "pacta_notifications_dead_lettered_total" : "pacta_notifications_retried_total",
                channel);
        /* a subject without an address (never given, erased, restricted) is a known state, logged
           as a warning; a delivery that failed for good is an incident for the operator */
        if (dead && outcome.no_address)
            pacta_log_warn("notice cannot be e-mailed: no address held for the data subject", "tenant", tenant,
                           "entity", entity_key, "notification", notification_id, "reason", outcome.reply);
        else if (dead) {
            pacta_log_error("notice dead-lettered: operator action needed", "tenant", tenant, "entity", entity_key,
                            "notification", notification_id, "channel", channel, "reason", outcome.reply);
            s_alert_operator(self, tenant, entity_key, notification_id, channel, outcome.reply, now_ms);
        }
        else
            pacta_log_warn("notice not delivered; retrying later", "tenant", tenant, "entity", entity_key,
                           "notification", notification_id, "channel", channel, "reason", outcome.reply);
    }
    int rc = s_record(self, tenant, entity_key, notice, attempt, now_ms, &outcome);
    json_decref(notice);
    return rc == 0 || pacta_store_connected(self->options.store) ? 0 : -1;
}

int
ntf_delivery_run(ntf_delivery_t *self, int64_t now_ms, size_t max)
{
    int attempted = 0;
    for (size_t t = 0; t < pacta_profile_set_count(self->options.profiles) && (size_t) attempted < max; t++) {
        const char *tenant = pacta_profile_set_at(self->options.profiles, t)->tenant;
        char key[300], now[32], lease[32], batch[32];
        snprintf(key, sizeof key, "pacta:{ix:%s}:%s", tenant, NTF_DUE_INDEX);
        snprintf(now, sizeof now, "%lld", (long long) now_ms);
        snprintf(lease, sizeof lease, "%lld", (long long) self->options.lease_ms);
        snprintf(batch, sizeof batch, "%zu", max - (size_t) attempted);
        const char *keys[] = {key};
        const char *args[] = {now, lease, batch};
        redisReply *reply = NULL;
        if (pacta_store_script_run(self->options.store, &reply, CLAIM_SCRIPT, 1, keys, NULL, 3, args, NULL) != 0)
            return -1;
        if (reply->type == REDIS_REPLY_ARRAY)
            for (size_t i = 0; i < reply->elements; i++) {
                if (reply->element[i]->type != REDIS_REPLY_STRING)
                    continue;
                if (s_attempt(self, tenant, reply->element[i]->str, now_ms) != 0) {
                    freeReplyObject(reply);
                    return -1;
                }
                attempted++;
            }
        freeReplyObject(reply);
    }
    return attempted;
}
