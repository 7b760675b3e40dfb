/*  =========================================================================
    ntf_notice - the pure parts of a notice: its id, its typed parameters,
    the retry schedule and the webhook signature

    Design decision: a notice stores its parameters TYPED (the same shape
    as the audit's explanation values), not pre-formatted text. The
    language is applied when the text is rendered, so one stored notice can
    be rendered as an e-mail, a letter or shown by pactactl, and a template
    fixed later renders a retry correctly.
    =========================================================================
*/
#include "ntf_notice.h"

#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pacta_date.h"
#include "pacta_handler.h"
#include "pacta_pbjson.h"

int
ntf_notification_id(const char *cause_id, const char *channel, char *buf, size_t size)
{
    unsigned char hash[12];
    crypto_generichash_state state;
    if (!cause_id || !channel || crypto_generichash_init(&state, NULL, 0, sizeof hash) != 0)
        return -1;
    crypto_generichash_update(&state, (const unsigned char *) cause_id, strlen(cause_id));
    crypto_generichash_update(&state, (const unsigned char *) "\n", 1);
    crypto_generichash_update(&state, (const unsigned char *) channel, strlen(channel));
    crypto_generichash_final(&state, hash, sizeof hash);
    char hex[sizeof hash * 2 + 1];
    sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
    if (snprintf(buf, size, "n-%s-%s", hex, channel) >= (int) size || strlen(buf) > NTF_ID_MAX)
        return -1;
    return 0;
}

int
ntf_template_id_for_type(const char *message_type, char *buf, size_t size)
{
    static const char prefix[] = "pacta.v1.";
    if (!message_type || strncmp(message_type, prefix, sizeof prefix - 1) != 0 || size == 0)
        return -1;
    size_t pos = 0;
    for (const char *c = message_type + sizeof prefix - 1; *c; c++) {
        bool upper = *c >= 'A' && *c <= 'Z';
        if (upper && pos > 0) {
            if (pos + 1 >= size)
                return -1;
            buf[pos++] = '-';
        }
        if (pos + 1 >= size)
            return -1;
        buf[pos++] = upper ? (char) (*c - 'A' + 'a') : *c;
    }
    buf[pos] = '\0';
    return pos > 0 ? 0 : -1;
}

static json_t *
s_typed(const char *type, json_t *value)
{
    return value ? json_pack("{s:s, s:o}", "type", type, "value", value) : NULL;
}

/* The typed value of one non-repeated field, or NULL when it is left out. */
static json_t *
s_field_value(const ProtobufCFieldDescriptor *field, const void *member)
{
    char buf[64];
    switch (field->type) {
    case PROTOBUF_C_TYPE_STRING: {
        const char *text = *(char *const *) member;
        return s_typed("text", json_string(text ? text : ""));
    }
    case PROTOBUF_C_TYPE_BOOL:
        return s_typed("flag", json_boolean(*(const protobuf_c_boolean *) member));
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
        return s_typed("int", json_integer(*(const int32_t *) member));
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
        return s_typed("int", json_integer(*(const uint32_t *) member));
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
        return s_typed("int", json_integer(*(const int64_t *) member));
    case PROTOBUF_C_TYPE_ENUM:
        return s_typed("text", json_string(pacta_pbjson_enum_name(field->descriptor, *(const int *) member, buf,
                                                                  sizeof buf)));
    case PROTOBUF_C_TYPE_MESSAGE: {
        const ProtobufCMessage *sub = *(ProtobufCMessage *const *) member;
        if (!sub)
            return NULL;
        const char *name = sub->descriptor->name;
        if (strcmp(name, "pacta.v1.Date") == 0) {
            pacta_date_t date = pacta_handler_date((const Pacta__V1__Date *) sub);
            return pacta_date_is_valid(date)
                       ? s_typed("date", json_string(pacta_handler_date_text(date, buf, sizeof buf)))
                       : NULL;
        }
        if (strcmp(name, "pacta.v1.Money") == 0)
            return s_typed("money", json_integer(((const Pacta__V1__Money *) sub)->cents));
        if (strcmp(name, "pacta.v1.BasisPoints") == 0)
            return s_typed("bp", json_integer(((const Pacta__V1__BasisPoints *) sub)->value));
        return NULL;
    }
    default:
        return NULL;
    }
}

json_t *
ntf_params_from_message(const ProtobufCMessage *message)
{
    json_t *params = json_object();
    if (!params || !message)
        return params;
    const ProtobufCMessageDescriptor *desc = message->descriptor;
    for (unsigned i = 0; i < desc->n_fields; i++) {
        const ProtobufCFieldDescriptor *field = &desc->fields[i];
        const char *base = (const char *) message;
        if (field->label == PROTOBUF_C_LABEL_REPEATED) {
            if (field->type != PROTOBUF_C_TYPE_STRING)
                continue;
            size_t count = *(const size_t *) (base + field->quantifier_offset);
            char *const *items = *(char *const *const *) (base + field->offset);
            char joined[1024] = "";
            size_t used = 0;
            for (size_t k = 0; k < count; k++) {
                int n = snprintf(joined + used, sizeof joined - used, "%s%s", k ? ", " : "", items[k]);
                if (n < 0 || (size_t) n >= sizeof joined - used) {
                    joined[used] = '\0';     /* keep whole items only */
                    break;
                }
                used += (size_t) n;
            }
            json_t *typed = s_typed("text", json_string(joined));
            if (typed)
                json_object_set_new(params, field->name, typed);
            continue;
        }
        if (field->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
            if (*(const uint32_t *) (base + field->quantifier_offset) != field->id)
                continue;
        }
        json_t *typed = s_field_value(field, base + field->offset);
        if (typed)
            json_object_set_new(params, field->name, typed);
    }
    return params;
}

json_t *
ntf_params_from_named(Pacta__V1__NamedValue *const *values, size_t count)
{
    json_t *params = json_object();
    char buf[32];
    for (size_t i = 0; params && i < count; i++) {
        const Pacta__V1__NamedValue *v = values[i];
        if (!v->name || !v->name[0])
            continue;
        json_t *typed = NULL;
        switch (v->value_case) {
        case PACTA__V1__NAMED_VALUE__VALUE_TEXT: typed = s_typed("text", json_string(v->text)); break;
        case PACTA__V1__NAMED_VALUE__VALUE_INTEGER: typed = s_typed("int", json_integer(v->integer)); break;
        case PACTA__V1__NAMED_VALUE__VALUE_FLAG: typed = s_typed("flag", json_boolean(v->flag)); break;
        case PACTA__V1__NAMED_VALUE__VALUE_MONEY:
            typed = v->money ? s_typed("money", json_integer(v->money->cents)) : NULL;
            break;
        case PACTA__V1__NAMED_VALUE__VALUE_RATE:
            typed = v->rate ? s_typed("bp", json_integer(v->rate->value)) : NULL;
            break;
        case PACTA__V1__NAMED_VALUE__VALUE_DATE: {
            pacta_date_t date = pacta_handler_date(v->date);
            typed = pacta_date_is_valid(date)
                        ? s_typed("date", json_string(pacta_handler_date_text(date, buf, sizeof buf)))
                        : NULL;
            break;
        }
        default: break;
        }
        if (typed)
            json_object_set_new(params, v->name, typed);
    }
    return params;
}

json_t *
ntf_explanation_json(const Pacta__V1__Explanation *explanation)
{
    if (!explanation)
        return json_object();
    return json_pack("{s:s, s:s, s:s, s:s}", "rule_id", explanation->rule_id ? explanation->rule_id : "", "clause",
                     explanation->clause ? explanation->clause : "", "sentence_fr",
                     explanation->sentence_fr ? explanation->sentence_fr : "", "sentence_en",
                     explanation->sentence_en ? explanation->sentence_en : "");
}

int64_t
ntf_backoff_ms(int attempts, int64_t initial_ms, int64_t max_ms)
{
    if (initial_ms <= 0)
        initial_ms = 1;
    int64_t delay = initial_ms;
    for (int i = 1; i < attempts && delay < max_ms; i++)
        delay *= 2;
    return delay > max_ms ? max_ms : delay;
}

int
ntf_webhook_signature(const unsigned char *secret, size_t secret_len, const char *timestamp, const char *body,
                      size_t body_len, char hex_out[NTF_SIGNATURE_HEX + 1])
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state state;
    if (!secret || !timestamp || !body || crypto_auth_hmacsha256_init(&state, secret, secret_len) != 0)
        return -1;
    crypto_auth_hmacsha256_update(&state, (const unsigned char *) timestamp, strlen(timestamp));
    crypto_auth_hmacsha256_update(&state, (const unsigned char *) ".", 1);
    crypto_auth_hmacsha256_update(&state, (const unsigned char *) body, body_len);
    crypto_auth_hmacsha256_final(&state, mac);
    sodium_bin2hex(hex_out, NTF_SIGNATURE_HEX + 1, mac, sizeof mac);
    return 0;
}
