/*  =========================================================================
    ntf_handlers - what notifications records when a decision arrives

    Notifications subscribes to the decision messages themselves and turns
    each into notices; NotificationRequested is only for explicit requests
    (data-subject answers, operators). A decision names its contract, not
    its client: the client's data subject and language come from the
    recipient document this service keeps from ContractSigned (a service
    never reads another's documents), and a decision that arrives first is
    parked by the shell until that document exists.

    Design decision: the handlers RECORD, they never send. A notice is an
    entry of the contract's delivery log with an id derived from the
    decision's message id and the channel, so a redelivered decision finds
    its notices already there; sending happens in the delivery worker,
    whose every attempt comes back here as an internal outcome message and
    is recorded with compare-and-set like any other effect. Addresses are
    never in the log: it names the channel and the data subject only.
    =========================================================================
*/
#include "ntf_handlers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ntf_notice.h"
#include "pacta/v1/contracts.pb-c.h"
#include "pacta/v1/invoicing.pb-c.h"
#include "pacta/v1/notifications.pb-c.h"
#include "pacta_facts.h"
#include "pacta_jdoc.h"
#include "pacta_log.h"
#include "pacta_pbjson.h"

const char *const ntf_decision_types[] = {
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
    "pacta.v1.InvoiceDisputeRecorded",
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
    NULL,
};

const char *const ntf_request_templates[] = {"operator-message", "dsr-answered", NULL};

const char *const ntf_outcome_types[] = {"pacta.v1.NotificationDelivered", "pacta.v1.NotificationFailed", NULL};

#define DECISION_TYPE_MAX 40                   /* entries of ntf_decision_types */

static const char *const s_docs[] = {NTF_RECIPIENT_DOC, NTF_DOC, NULL};
static const char *const s_log_only[] = {NTF_DOC, NULL};
/* Facts from outside systems reach other consumers too: each consumer refuses exactly
   what the others refuse (docs/state.md §7, pacta_facts.h), so these lists are theirs. */
static const char *const s_signed_required[] = {"contract_id", "client", "contract_kind", "signed_on", NULL};
static const char *const s_issued_required[] = {"invoice_id", "contract_id", "issued_on", "total_incl_vat", NULL};
static const char *const s_dispute_ended_required[] = {"contract_id", "outcome", "ended_on", NULL};
static const char *const s_request_required[] = {"notification_id", "template_id", "channel", NULL};
static const char *const s_posting_required[] = {"posted_on", NULL};
static const char *const s_outcome_required[] = {"notification_id", NULL};

/* ---- small helpers --------------------------------------------------------------------- */

static const char *
s_string_field(const ProtobufCMessage *message, const char *name)
{
    const ProtobufCFieldDescriptor *field = protobuf_c_message_descriptor_get_field_by_name(message->descriptor,
                                                                                             name);
    if (!field || field->type != PROTOBUF_C_TYPE_STRING || field->label == PROTOBUF_C_LABEL_REPEATED)
        return "";
    const char *value = *(char *const *) ((const char *) message + field->offset);
    return value ? value : "";
}

static const Pacta__V1__Explanation *
s_explanation_field(const ProtobufCMessage *message)
{
    const ProtobufCFieldDescriptor *field = protobuf_c_message_descriptor_get_field_by_name(message->descriptor,
                                                                                             "explanation");
    if (!field || field->type != PROTOBUF_C_TYPE_MESSAGE || field->label == PROTOBUF_C_LABEL_REPEATED)
        return NULL;
    return *(Pacta__V1__Explanation *const *) ((const char *) message + field->offset);
}

static Pacta__V1__Channel
s_channel_value(const char *channel)
{
    if (strcmp(channel, "email") == 0)
        return PACTA__V1__CHANNEL__CHANNEL_EMAIL;
    if (strcmp(channel, "webhook") == 0)
        return PACTA__V1__CHANNEL__CHANNEL_WEBHOOK;
    if (strcmp(channel, "registered_letter") == 0)
        return PACTA__V1__CHANNEL__CHANNEL_REGISTERED_LETTER;
    if (strcmp(channel, "letter") == 0)
        return PACTA__V1__CHANNEL__CHANNEL_LETTER;
    return PACTA__V1__CHANNEL__CHANNEL_UNSPECIFIED;
}

/* True when rule_id is one of the comma-separated ids of list. */
static bool
s_rule_listed(const char *list, const char *rule_id)
{
    size_t len = rule_id ? strlen(rule_id) : 0;
    if (!list || len == 0)
        return false;
    for (const char *item = list; *item;) {
        while (*item == ' ' || *item == ',')
            item++;
        size_t item_len = strcspn(item, ", ");
        if (item_len == len && strncmp(item, rule_id, len) == 0)
            return true;
        item += item_len;
    }
    return false;
}

/* The delivery log, initialised. Borrowed. */
static json_t *
s_log(pacta_handler_ctx_t *ctx, const char *contract_id)
{
    json_t *doc = pacta_handler_doc(ctx, NTF_DOC);
    if (!json_object_get(doc, "contract_id"))
        pacta_jdoc_set_str(doc, "contract_id", contract_id);
    pacta_jdoc_array(doc, "notices");
    return doc;
}

/* "<entity>|<id>", the member of the tenant indexes. */
static int
s_member(pacta_handler_ctx_t *ctx, const char *notification_id, char *buf, size_t size)
{
    return snprintf(buf, size, "%s|%s", pacta_handler_entity_key(ctx), notification_id) >= (int) size ? -1 : 0;
}

/* ---- recording a notice ------------------------------------------------------------------- */

typedef struct {
    const char *channel;               /* "email", "webhook", "registered_letter", "letter" */
    const char *notification_id;       /* its id */
    const char *template_id;           /* template to render */
    const char *message_type;          /* the decision (or request) type */
    const char *contract_id;           /* may be "" for subject-only notices */
    const char *subject_id;            /* data subject written to */
    ntf_lang_t language;               /* language to render in */
    json_t *params;                    /* typed parameters (borrowed) */
    json_t *explanation;               /* explanation summary (borrowed) */
} s_notice_t;

/* Adds one notice to the log (nothing when it is there already) and owes
   what follows: a due-index entry for e-mail and webhooks, the rendered
   letter and LetterReady for letters. 0 or -1. */
static int
s_record_notice(pacta_handler_ctx_t *ctx, const ntf_config_t *config, const s_notice_t *notice)
{
    json_t *notices = pacta_jdoc_array(s_log(ctx, notice->contract_id), "notices");
    if (pacta_jdoc_find(notices, "notification_id", notice->notification_id))
        return 0;
    bool letter = strcmp(notice->channel, "registered_letter") == 0 || strcmp(notice->channel, "letter") == 0;
    /* no arrival date in the entry: the log is a function of the decisions alone, the
       same however often and whenever they are delivered (replays compare it) */
    json_t *entry = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:O, s:O, s:s, s:[]}",
                              "notification_id", notice->notification_id, "channel", notice->channel,
                              "template_id", notice->template_id, "message_type", notice->message_type,
                              "caused_by", pacta_handler_cause_id(ctx), "contract_id", notice->contract_id,
                              "subject_id", notice->subject_id, "language", ntf_lang_name(notice->language),
                              "params", notice->params, "explanation", notice->explanation, "status",
                              letter ? "awaiting_posting" : "pending", "attempts");
    if (!entry)
        return -1;
    char member[256];
    if (s_member(ctx, notice->notification_id, member, sizeof member) != 0) {
        json_decref(entry);
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_INVALID, "envelope.entity_key",
                                    "entity_key is too long for a notice");
    }
    if (letter) {
        char *subject = NULL, *body = NULL, err[256];
        if (ntf_templates_render(config->templates, notice->template_id, notice->language, notice->params,
                                 notice->explanation, notice->notification_id, &subject, &body, err, sizeof err)
            != 0) {
            json_decref(entry);
            return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_INVALID, "template_id", "%s", err);
        }
        json_t *text = json_pack("{s:s, s:b, s:s, s:s}", "letter_id", notice->notification_id, "registered",
                                 strcmp(notice->channel, "registered_letter") == 0, "subject", subject, "body",
                                 body);
        free(subject);
        free(body);
        if (!text) {
            json_decref(entry);
            return -1;
        }
        json_object_set_new(entry, "letter", text);
        char document_ref[512];
        snprintf(document_ref, sizeof document_ref, "%s:%s#%s", pacta_handler_prefix(ctx), NTF_DOC,
                 notice->notification_id);
        Pacta__V1__LetterReady ready = PACTA__V1__LETTER_READY__INIT;
        ready.notification_id = (char *) notice->notification_id;
        ready.contract_id = (char *) notice->contract_id;
        ready.letter_id = (char *) notice->notification_id;
        ready.registered = strcmp(notice->channel, "registered_letter") == 0;
        ready.document_ref = document_ref;
        ready.pages = 1;
        if (pacta_handler_emit(ctx, &ready.base, PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_EVENT, NULL, NULL, NULL) != 0
            || pacta_handler_index_zadd(ctx, NTF_LETTER_INDEX, member, (double) pacta_handler_today(ctx)) != 0) {
            json_decref(entry);
            return -1;
        }
    }
    else if (pacta_handler_index_zadd(ctx, NTF_DUE_INDEX, member, 0) != 0) {
        json_decref(entry);
        return -1;
    }
    /* kept sorted by id: decisions of one contract come from several services in any
       order, and the log must not depend on it (replays and snapshots compare it) */
    size_t at = 0;
    while (at < json_array_size(notices)
           && strcmp(pacta_jdoc_str(json_array_get(notices, at), "notification_id"), notice->notification_id) < 0)
        at++;
    if (json_array_insert_new(notices, at, entry) != 0)
        return -1;
    return pacta_handler_put_doc(ctx, NTF_DOC);
}

/* ---- ContractSigned: who the contract's notices go to ------------------------------------- */

static int
s_on_contract_signed(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__ContractSigned *signed_ = (const Pacta__V1__ContractSigned *) payload;
    json_t *doc = pacta_handler_doc(ctx, NTF_RECIPIENT_DOC);
    char language[32], kind[32];
    pacta_pbjson_enum_name(&pacta__v1__language__descriptor, (int) signed_->client->language, language,
                           sizeof language);
    pacta_pbjson_enum_name(&pacta__v1__party_kind__descriptor, (int) signed_->client->kind, kind, sizeof kind);
    ntf_lang_t lang;
    pacta_jdoc_set_str(doc, "contract_id", signed_->contract_id);
    pacta_jdoc_set_str(doc, "client_id", signed_->client->client_id ? signed_->client->client_id : "");
    pacta_jdoc_set_str(doc, "subject_id", signed_->client->subject_id ? signed_->client->subject_id : "");
    pacta_jdoc_set_str(doc, "language", ntf_lang_parse(language, &lang) == 0 ? language : "");
    pacta_jdoc_set_str(doc, "party_kind", signed_->client->kind ? kind : "");
    return pacta_handler_put_doc(ctx, NTF_RECIPIENT_DOC);
}

/* ---- decisions ------------------------------------------------------------------------------ */

static ntf_lang_t
s_language(const ntf_config_t *config, const json_t *recipient)
{
    ntf_lang_t lang;
    if (ntf_lang_parse(pacta_jdoc_str(recipient, "language"), &lang) == 0)
        return lang;
    return config->default_language;
}

/* The refusals the other consumers of an outside fact apply (invoicing and enforcement
   for InvoiceIssued, contracts for the end of a renegotiation or mediation): 0, or -1
   after refusing. */
static int
s_check_outside_fact(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload)
{
    const char *type = payload->descriptor->name;
    if (strcmp(type, "pacta.v1.InvoiceIssued") == 0) {
        pacta_date_t due_on;
        char sc[PACTA_SC_SIZE];
        return pacta_facts_check_invoice_issued(ctx, (const Pacta__V1__InvoiceIssued *) payload, &due_on, sc);
    }
    if (strcmp(type, "pacta.v1.RenegotiationEnded") == 0 || strcmp(type, "pacta.v1.MediationEnded") == 0)
        return pacta_handler_require_contract(ctx, s_string_field(payload, "contract_id"));
    return 0;
}

static int
s_on_decision(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    const ntf_config_t *config = arg;
    if (s_check_outside_fact(ctx, payload) != 0)
        return -1;
    const char *contract_id = s_string_field(payload, "contract_id");
    char expected[PACTA_HANDLER_ID_MAX * 2];
    snprintf(expected, sizeof expected, "c:%s", contract_id);
    if (!contract_id[0] || strcmp(expected, pacta_handler_entity_key(ctx)) != 0) {
        /* not refused: the deciding service and the other consumers accepted it, and a
           NACK here would leave it half-applied; it is simply not a notice to a client */
        pacta_log_warn("decision not on its contract's key: no notice", "tenant", pacta_handler_tenant(ctx),
                       "entity", pacta_handler_entity_key(ctx), "message_id", pacta_handler_cause_id(ctx));
        return 0;
    }
    if (pacta_handler_doc_version(ctx, NTF_RECIPIENT_DOC) == 0) {
        char waiting[160];
        snprintf(waiting, sizeof waiting, "ContractSigned of contract %.100s", contract_id);
        return pacta_handler_park(ctx, waiting);
    }
    const json_t *recipient = pacta_handler_doc(ctx, NTF_RECIPIENT_DOC);
    char template_id[NTF_TEMPLATE_ID_MAX + 1];
    if (ntf_template_id_for_type(payload->descriptor->name, template_id, sizeof template_id) != 0)
        return -1;
    int rc = -1;
    json_t *params = ntf_params_from_message(payload);
    json_t *explanation = ntf_explanation_json(s_explanation_field(payload));
    if (!params || !explanation)
        goto cleanup;
    const char *channels[3] = {"email", NULL, NULL};
    size_t channel_count = 1;
    if (config->webhook_enabled)
        channels[channel_count++] = "webhook";
    if (s_rule_listed(config->letter_rules, json_string_value(json_object_get(explanation, "rule_id"))))
        channels[channel_count++] = "registered_letter";
    for (size_t i = 0; i < channel_count; i++) {
        char id[NTF_ID_MAX + 1];
        if (ntf_notification_id(pacta_handler_cause_id(ctx), channels[i], id, sizeof id) != 0)
            goto cleanup;
        s_notice_t notice = {.channel = channels[i], .notification_id = id, .template_id = template_id,
                             .message_type = payload->descriptor->name, .contract_id = contract_id,
                             .subject_id = pacta_jdoc_str(recipient, "subject_id"),
                             .language = s_language(config, recipient), .params = params,
                             .explanation = explanation};
        if (s_record_notice(ctx, config, &notice) != 0)
            goto cleanup;
    }
    rc = 0;
cleanup:
    json_decref(params);
    json_decref(explanation);
    return rc;
}

/* ---- NotificationRequested: an explicit request ------------------------------------------- */

static int
s_on_requested(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    const ntf_config_t *config = arg;
    const Pacta__V1__NotificationRequested *request = (const Pacta__V1__NotificationRequested *) payload;
    if (strlen(request->notification_id) > NTF_ID_MAX)
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_INVALID, "notification_id",
                                    "notification_id: at most %d bytes", NTF_ID_MAX);
    if (!ntf_templates_has(config->templates, request->template_id))
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_INVALID, "template_id",
                                    "no template '%.64s' is loaded", request->template_id);
    if (request->recipient_override && request->recipient_override[0])
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_INVALID, "recipient_override",
                                    "addresses come only from the personal-data vault; give subject_id");
    const char *channel = NULL;
    switch (request->channel) {
    case PACTA__V1__CHANNEL__CHANNEL_EMAIL: channel = "email"; break;
    case PACTA__V1__CHANNEL__CHANNEL_WEBHOOK: channel = "webhook"; break;
    case PACTA__V1__CHANNEL__CHANNEL_REGISTERED_LETTER: channel = "registered_letter"; break;
    case PACTA__V1__CHANNEL__CHANNEL_LETTER: channel = "letter"; break;
    default:
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_INVALID, "channel",
                                    "channel must be email, webhook, letter or registered_letter");
    }
    const json_t *recipient = pacta_handler_doc(ctx, NTF_RECIPIENT_DOC);
    const char *subject_id = request->subject_id && request->subject_id[0] ? request->subject_id
                                                                            : pacta_jdoc_str(recipient, "subject_id");
    if (!subject_id[0] && strcmp(channel, "email") == 0)
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_INVALID, "subject_id",
                                    "an e-mail needs the data subject to write to");
    ntf_lang_t lang = s_language(config, recipient);
    if (request->language == PACTA__V1__LANGUAGE__LANGUAGE_FR)
        lang = NTF_LANG_FR;
    else if (request->language == PACTA__V1__LANGUAGE__LANGUAGE_NL)
        lang = NTF_LANG_NL;
    else if (request->language == PACTA__V1__LANGUAGE__LANGUAGE_EN)
        lang = NTF_LANG_EN;
    int rc = -1;
    json_t *params = ntf_params_from_named(request->parameters, request->n_parameters);
    json_t *explanation = ntf_explanation_json(request->explanation);
    if (params && explanation) {
        s_notice_t notice = {.channel = channel, .notification_id = request->notification_id,
                             .template_id = request->template_id, .message_type = payload->descriptor->name,
                             .contract_id = request->contract_id ? request->contract_id : "",
                             .subject_id = subject_id, .language = lang, .params = params,
                             .explanation = explanation};
        rc = s_record_notice(ctx, config, &notice);
    }
    json_decref(params);
    json_decref(explanation);
    return rc;
}

/* ---- LetterPostingConfirmed: the legal sending date of a letter ---------------------------- */

static int
s_on_letter_posted(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__LetterPostingConfirmed *posting = (const Pacta__V1__LetterPostingConfirmed *) payload;
    /* invoicing consumes the same fact for letters it knows (reminders sent by the
       accounting system): a letter this service did not write is no error here */
    if (pacta_handler_doc_version(ctx, NTF_DOC) == 0)
        return 0;
    json_t *notices = pacta_jdoc_array(pacta_handler_doc(ctx, NTF_DOC), "notices");
    json_t *notice = NULL;
    if (posting->notification_id && posting->notification_id[0])
        notice = pacta_jdoc_find(notices, "notification_id", posting->notification_id);
    if (!notice && posting->letter_id && posting->letter_id[0])
        notice = pacta_jdoc_find(notices, "notification_id", posting->letter_id);
    if (!notice || !json_object_get(notice, "letter"))
        return 0;
    char posted_on[16];
    pacta_handler_date_text(pacta_handler_date(posting->posted_on), posted_on, sizeof posted_on);
    json_t *attempt = json_pack("{s:s, s:s, s:s, s:I}", "outcome", "posted", "posted_on", posted_on,
                                "registered_number", posting->registered_number ? posting->registered_number : "",
                                "postage_cents", (json_int_t) (posting->postage ? posting->postage->cents : 0));
    if (!attempt || json_array_append_new(pacta_jdoc_array(notice, "attempts"), attempt) != 0)
        return -1;
    pacta_jdoc_set_str(notice, "status", "posted");
    pacta_jdoc_set_str(notice, "posted_on", posted_on);
    return pacta_handler_put_doc(ctx, NTF_DOC);
}

/* ---- outcomes of the delivery worker ------------------------------------------------------ */

/* The notice an outcome is about, if it still waits for one. */
static json_t *
s_open_notice(pacta_handler_ctx_t *ctx, const char *notification_id)
{
    if (pacta_handler_doc_version(ctx, NTF_DOC) == 0)
        return NULL;
    json_t *notice = pacta_jdoc_find(pacta_jdoc_array(pacta_handler_doc(ctx, NTF_DOC), "notices"),
                                     "notification_id", notification_id);
    const char *status = pacta_jdoc_str(notice, "status");
    if (!notice || (strcmp(status, "pending") != 0 && strcmp(status, "retrying") != 0))
        return NULL;
    return notice;
}

static int
s_on_delivered(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__NotificationDelivered *outcome = (const Pacta__V1__NotificationDelivered *) payload;
    json_t *notice = s_open_notice(ctx, outcome->notification_id);
    if (!notice)
        return 0;   /* already settled: a second worker's report changes nothing */
    json_t *attempt = json_pack("{s:I, s:s, s:s}", "at_ms", (json_int_t) outcome->delivered_at_ms, "outcome",
                                "delivered", "reply", outcome->provider_reference ? outcome->provider_reference : "");
    if (!attempt || json_array_append_new(pacta_jdoc_array(notice, "attempts"), attempt) != 0)
        return -1;
    /* the legal date is the tenant's today (its test clock, if it runs on one), not the wall clock's */
    pacta_date_t delivered_on = pacta_handler_today(ctx);
    char day[16];
    pacta_jdoc_set_str(notice, "status", "delivered");
    pacta_jdoc_set_int(notice, "delivered_at_ms", outcome->delivered_at_ms);
    pacta_jdoc_set_str(notice, "delivered_on", pacta_handler_date_text(delivered_on, day, sizeof day));
    json_object_del(notice, "next_attempt_ms");
    Pacta__V1__NotificationDelivered report = PACTA__V1__NOTIFICATION_DELIVERED__INIT;
    Pacta__V1__Date date = PACTA__V1__DATE__INIT;
    pacta_handler_set_date(&date, delivered_on);
    report.notification_id = outcome->notification_id;
    report.contract_id = (char *) pacta_jdoc_str(notice, "contract_id");
    report.channel = s_channel_value(pacta_jdoc_str(notice, "channel"));
    report.delivered_at_ms = outcome->delivered_at_ms;
    report.delivered_on = &date;
    report.provider_reference = outcome->provider_reference;
    char member[256];
    if (s_member(ctx, outcome->notification_id, member, sizeof member) != 0
        || pacta_handler_emit(ctx, &report.base, PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_EVENT, NULL, NULL, NULL) != 0
        || pacta_handler_index_zrem(ctx, NTF_DUE_INDEX, member) != 0)
        return -1;
    return pacta_handler_put_doc(ctx, NTF_DOC);
}

static int
s_on_failed(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    const ntf_config_t *config = arg;
    const Pacta__V1__NotificationFailed *outcome = (const Pacta__V1__NotificationFailed *) payload;
    json_t *notice = s_open_notice(ctx, outcome->notification_id);
    if (!notice)
        return 0;
    const Pacta__V1__Envelope *envelope = pacta_handler_envelope(ctx);
    int64_t at_ms = envelope ? envelope->occurred_at_ms : 0;
    json_t *attempts = pacta_jdoc_array(notice, "attempts");
    json_t *attempt = json_pack("{s:I, s:s, s:s}", "at_ms", (json_int_t) at_ms, "outcome",
                                outcome->permanent ? "failed_permanently" : "failed", "reply",
                                outcome->reason ? outcome->reason : "");
    if (!attempt || json_array_append_new(attempts, attempt) != 0)
        return -1;
    int count = (int) json_array_size(attempts);
    int64_t first_ms = pacta_jdoc_int(json_array_get(attempts, 0), "at_ms");
    char member[256];
    if (s_member(ctx, outcome->notification_id, member, sizeof member) != 0)
        return -1;
    if (outcome->permanent || at_ms - first_ms >= config->max_age_ms) {
        pacta_jdoc_set_str(notice, "status", "dead_lettered");
        json_object_del(notice, "next_attempt_ms");
        Pacta__V1__NotificationFailed report = PACTA__V1__NOTIFICATION_FAILED__INIT;
        report.notification_id = outcome->notification_id;
        report.contract_id = (char *) pacta_jdoc_str(notice, "contract_id");
        report.channel = s_channel_value(pacta_jdoc_str(notice, "channel"));
        report.reason = outcome->reason;
        report.permanent = true;
        report.attempts = count;
        if (pacta_handler_emit(ctx, &report.base, PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_EVENT, NULL, NULL, NULL) != 0
            || pacta_handler_index_zrem(ctx, NTF_DUE_INDEX, member) != 0)
            return -1;
    }
    else {
        int64_t next_ms = at_ms + ntf_backoff_ms(count, config->retry_initial_ms, config->retry_max_ms);
        pacta_jdoc_set_str(notice, "status", "retrying");
        pacta_jdoc_set_int(notice, "next_attempt_ms", next_ms);
        if (pacta_handler_index_zadd(ctx, NTF_DUE_INDEX, member, (double) next_ms) != 0)
            return -1;
    }
    return pacta_handler_put_doc(ctx, NTF_DOC);
}

/* ---- the sets ---------------------------------------------------------------------------- */

static pacta_message_handler_t s_messages[DECISION_TYPE_MAX + 3];
static const pacta_message_handler_t s_outcomes[] = {
    {"pacta.v1.NotificationDelivered", s_on_delivered, s_outcome_required, s_log_only},
    {"pacta.v1.NotificationFailed", s_on_failed, s_outcome_required, s_log_only},
};

void
ntf_handlers_init(pacta_handler_set_t *set, const ntf_config_t *config)
{
    size_t count = 0;
    s_messages[count++] = (pacta_message_handler_t) {"pacta.v1.ContractSigned", s_on_contract_signed,
                                                     s_signed_required, s_docs};
    s_messages[count++] = (pacta_message_handler_t) {"pacta.v1.NotificationRequested", s_on_requested,
                                                     s_request_required, s_docs};
    s_messages[count++] = (pacta_message_handler_t) {"pacta.v1.LetterPostingConfirmed", s_on_letter_posted,
                                                     s_posting_required, s_log_only};
    for (size_t i = 0; ntf_decision_types[i] && count < DECISION_TYPE_MAX + 3; i++) {
        const char *type = ntf_decision_types[i];
        const char *const *required = strcmp(type, "pacta.v1.InvoiceIssued") == 0 ? s_issued_required
                                      : strcmp(type, "pacta.v1.RenegotiationEnded") == 0
                                              || strcmp(type, "pacta.v1.MediationEnded") == 0
                                          ? s_dispute_ended_required
                                          : NULL;
        s_messages[count++] = (pacta_message_handler_t) {type, s_on_decision, required, s_docs};
    }
    *set = (pacta_handler_set_t) {s_messages, count, NULL, 0, (void *) config};
}

void
ntf_outcome_handlers_init(pacta_handler_set_t *set, const ntf_config_t *config)
{
    *set = (pacta_handler_set_t) {s_outcomes, sizeof s_outcomes / sizeof s_outcomes[0], NULL, 0, (void *) config};
}
