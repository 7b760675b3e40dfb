/*  =========================================================================
    pacta_pbjson - the JSON form of every pacta.v1 message

    A walk over protobuf-c field descriptors in both directions. Decoding
    builds the message with malloc'd members exactly as protobuf-c's own
    unpack does, so protobuf_c_message_free_unpacked(msg, NULL) frees it on
    success and on every error path (a half-built message is always in a
    freeable state: members are set only once fully built).

    Design decision: legal dates, amounts and percentages are written as the
    strings a person types ("2025-02-01", "1234.56", "4.50") rather than as
    nested objects, because the people who write these files are operators
    and integrators, and the same strings appear in docs/rules.md.
    =========================================================================
*/
#include "pacta_pbjson.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pacta_date.h"
#include "pacta_money.h"

#define PATH_SIZE 256
#define ENUM_NAME_SIZE 96
#define MAX_DEPTH 16          /* nesting depth of messages in one document */
#define MAX_REPEATED 10000    /* elements of one repeated field */

//  Decoding context: where we are, and where the error goes.
typedef struct {
    char *err;         /* caller's buffer */
    size_t err_size;   /* its size */
    int depth;         /* current message nesting */
} ctx_t;

static int
s_fail(ctx_t *ctx, const char *path, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int
s_fail(ctx_t *ctx, const char *path, const char *fmt, ...)
{
    char reason[256];
    va_list args;
    va_start(args, fmt);
    vsnprintf(reason, sizeof reason, fmt, args);
    va_end(args);
    snprintf(ctx->err, ctx->err_size, "%s: %s", *path ? path : "(message)", reason);
    return -1;
}

//  path + "." + name, or path + "[index]".
static void
s_child_path(char *out, const char *path, const char *name)
{
    if (snprintf(out, PATH_SIZE, "%s%s%s", path, *path ? "." : "", name) >= PATH_SIZE)
        out[PATH_SIZE - 1] = '\0';
}

static void
s_index_path(char *out, const char *path, size_t index)
{
    if (snprintf(out, PATH_SIZE, "%s[%zu]", path, index) >= PATH_SIZE)
        out[PATH_SIZE - 1] = '\0';
}

static bool
s_is_type(const ProtobufCMessageDescriptor *descriptor, const char *name)
{
    return descriptor && strcmp(descriptor->name, name) == 0;
}

//  ---------------------------------------------------------------------------
//  Enum names: PARTY_KIND_CONSUMER <-> "consumer"

//  The prefix protoc gives every value of an enum: its short name in
//  UPPER_SNAKE_CASE plus "_" (PartyKind -> "PARTY_KIND_").
static void
s_enum_prefix(const ProtobufCEnumDescriptor *descriptor, char *out, size_t size)
{
    size_t pos = 0;
    const char *name = descriptor->short_name;
    for (size_t i = 0; name[i] && pos + 2 < size; i++) {
        if (i > 0 && isupper((unsigned char) name[i]))
            out[pos++] = '_';
        out[pos++] = (char) toupper((unsigned char) name[i]);
    }
    if (pos + 1 < size)
        out[pos++] = '_';
    out[pos] = '\0';
}

char *
pacta_pbjson_enum_name(const ProtobufCEnumDescriptor *descriptor, int value, char *buf, size_t size)
{
    const ProtobufCEnumValue *entry = protobuf_c_enum_descriptor_get_value(descriptor, value);
    if (!entry) {
        snprintf(buf, size, "%d", value);
        return buf;
    }
    char prefix[ENUM_NAME_SIZE];
    s_enum_prefix(descriptor, prefix, sizeof prefix);
    const char *name = entry->name;
    if (strncmp(name, prefix, strlen(prefix)) == 0)
        name += strlen(prefix);
    size_t i = 0;
    for (; name[i] && i + 1 < size; i++)
        buf[i] = (char) tolower((unsigned char) name[i]);
    buf[i] = '\0';
    return buf;
}

static int
s_enum_parse(ctx_t *ctx, const char *path, const ProtobufCEnumDescriptor *descriptor, const json_t *json,
             int *out)
{
    if (!json_is_string(json))
        return s_fail(ctx, path, "must be one of the %s names (a string)", descriptor->short_name);
    const char *text = json_string_value(json);
    char wanted[ENUM_NAME_SIZE];
    for (unsigned i = 0; i < descriptor->n_values; i++) {
        const ProtobufCEnumValue *entry = &descriptor->values[i];
        pacta_pbjson_enum_name(descriptor, entry->value, wanted, sizeof wanted);
        if (strcmp(text, wanted) == 0 || strcmp(text, entry->name) == 0) {
            *out = entry->value;
            return 0;
        }
    }
    //  List the accepted names so the error says how to fix it.
    char choices[512] = "";
    size_t pos = 0;
    for (unsigned i = 0; i < descriptor->n_values && pos < sizeof choices; i++) {
        pacta_pbjson_enum_name(descriptor, descriptor->values[i].value, wanted, sizeof wanted);
        const int n = snprintf(choices + pos, sizeof choices - pos, "%s%s", i ? ", " : "", wanted);
        if (n < 0)
            break;
        pos += (size_t) n;
    }
    return s_fail(ctx, path, "unknown value \"%s\" (one of: %s)", text, choices);
}

//  ---------------------------------------------------------------------------
//  base64 (bytes fields)

static const char s_b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static char *
s_base64_encode(const uint8_t *data, size_t len)
{
    char *out = malloc((len + 2) / 3 * 4 + 1);
    if (!out)
        return NULL;
    size_t pos = 0;
    for (size_t i = 0; i < len; i += 3) {
        const uint32_t chunk = (uint32_t) data[i] << 16 | (i + 1 < len ? (uint32_t) data[i + 1] << 8 : 0)
                             | (i + 2 < len ? data[i + 2] : 0);
        out[pos++] = s_b64[chunk >> 18 & 63];
        out[pos++] = s_b64[chunk >> 12 & 63];
        out[pos++] = i + 1 < len ? s_b64[chunk >> 6 & 63] : '=';
        out[pos++] = i + 2 < len ? s_b64[chunk & 63] : '=';
    }
    out[pos] = '\0';
    return out;
}

static int
s_base64_value(char c)
{
    const char *hit = c ? strchr(s_b64, c) : NULL;
    return hit ? (int) (hit - s_b64) : -1;
}

//  Strict decoder: length a multiple of 4, padding only at the end.
static int
s_base64_decode(const char *text, uint8_t **out, size_t *out_len)
{
    const size_t len = strlen(text);
    if (len % 4 != 0)
        return -1;
    uint8_t *data = malloc(len / 4 * 3 + 1);
    if (!data)
        return -1;
    size_t pos = 0;
    for (size_t i = 0; i < len; i += 4) {
        int v[4];
        int pad = 0;
        for (int k = 0; k < 4; k++) {
            if (text[i + k] == '=' && i + 4 == len && k >= 2) {
                v[k] = 0;
                pad++;
                continue;
            }
            if (pad || (v[k] = s_base64_value(text[i + k])) < 0) {
                free(data);
                return -1;
            }
        }
        const uint32_t chunk = (uint32_t) v[0] << 18 | (uint32_t) v[1] << 12 | (uint32_t) v[2] << 6 | (uint32_t) v[3];
        data[pos++] = (uint8_t) (chunk >> 16);
        if (pad < 2)
            data[pos++] = (uint8_t) (chunk >> 8);
        if (pad < 1)
            data[pos++] = (uint8_t) chunk;
    }
    *out = data;
    *out_len = pos;
    return 0;
}

//  ---------------------------------------------------------------------------
//  Decoding

static ProtobufCMessage *s_decode_message(ctx_t *ctx, const ProtobufCMessageDescriptor *descriptor,
                                          const json_t *json, const char *path);

//  Integers from a JSON integer, or (64-bit fields) a decimal string.
static int
s_json_int(ctx_t *ctx, const char *path, const json_t *json, bool allow_string, int64_t min, int64_t max,
           int64_t *out)
{
    int64_t value;
    if (json_is_integer(json))
        value = (int64_t) json_integer_value(json);
    else if (allow_string && json_is_string(json)) {
        const char *text = json_string_value(json);
        char *end = NULL;
        errno = 0;
        const long long parsed = strtoll(text, &end, 10);
        if (errno || end == text || *end != '\0')
            return s_fail(ctx, path, "must be an integer, got \"%s\"", text);
        value = parsed;
    }
    else
        return s_fail(ctx, path, "must be an integer");
    if (value < min || value > max)
        return s_fail(ctx, path, "must be between %" PRId64 " and %" PRId64 ", got %" PRId64, min, max, value);
    *out = value;
    return 0;
}

static int
s_json_uint64(ctx_t *ctx, const char *path, const json_t *json, uint64_t *out)
{
    if (json_is_integer(json)) {
        if (json_integer_value(json) < 0)
            return s_fail(ctx, path, "must not be negative");
        *out = (uint64_t) json_integer_value(json);
        return 0;
    }
    if (json_is_string(json)) {
        const char *text = json_string_value(json);
        char *end = NULL;
        errno = 0;
        if (*text == '-')
            return s_fail(ctx, path, "must not be negative");
        const unsigned long long parsed = strtoull(text, &end, 10);
        if (errno || end == text || *end != '\0')
            return s_fail(ctx, path, "must be an integer, got \"%s\"", text);
        *out = parsed;
        return 0;
    }
    return s_fail(ctx, path, "must be an integer");
}

//  The three value types written as strings: Date, Money, BasisPoints.
static ProtobufCMessage *
s_decode_special(ctx_t *ctx, const ProtobufCMessageDescriptor *descriptor, const json_t *json, const char *path,
                 bool *handled)
{
    *handled = true;
    const bool is_date = s_is_type(descriptor, "pacta.v1.Date");
    const bool is_money = s_is_type(descriptor, "pacta.v1.Money");
    const bool is_bp = s_is_type(descriptor, "pacta.v1.BasisPoints");
    if (!is_date && !is_money && !is_bp) {
        *handled = false;
        return NULL;
    }
    const char *example = is_date ? "a date like 2025-02-01" : is_money ? "an amount like 1234.56" : "a percentage like 4.50";
    const char *text = json_is_string(json) ? json_string_value(json) : NULL;
    char number[64];
    if (!text && (is_money || is_bp) && json_is_integer(json)) {
        //  A whole amount or percentage may be written as a JSON integer.
        snprintf(number, sizeof number, "%" JSON_INTEGER_FORMAT, json_integer_value(json));
        text = number;
    }
    if (!text && json_is_real(json)) {
        s_fail(ctx, path, "must be %s written as a string (\"12.50\"), not a floating-point number", example);
        return NULL;
    }
    if (!text) {
        s_fail(ctx, path, "must be %s", example);
        return NULL;
    }
    ProtobufCMessage *message = malloc(descriptor->sizeof_message);
    if (!message) {
        s_fail(ctx, path, "out of memory");
        return NULL;
    }
    descriptor->message_init(message);
    //  The three types' fields are read through their descriptors, so this
    //  code does not depend on the generated struct names.
    if (is_date) {
        pacta_date_t date;
        if (pacta_date_parse(text, strlen(text), &date) != 0)
            goto bad;
        int year, month, day;
        pacta_date_to_ymd(date, &year, &month, &day);
        const int parts[3] = {year, month, day};
        const char *names[3] = {"year", "month", "day"};
        for (int i = 0; i < 3; i++) {
            const ProtobufCFieldDescriptor *field = protobuf_c_message_descriptor_get_field_by_name(descriptor, names[i]);
            *(int32_t *) ((char *) message + field->offset) = parts[i];
        }
    }
    else if (is_money) {
        pacta_cents_t cents;
        if (pacta_money_parse(text, strlen(text), &cents) != 0)
            goto bad;
        const ProtobufCFieldDescriptor *cents_field = protobuf_c_message_descriptor_get_field_by_name(descriptor, "cents");
        const ProtobufCFieldDescriptor *currency = protobuf_c_message_descriptor_get_field_by_name(descriptor, "currency");
        *(int64_t *) ((char *) message + cents_field->offset) = cents;
        char *eur = strdup("EUR");
        if (!eur) {
            protobuf_c_message_free_unpacked(message, NULL);
            s_fail(ctx, path, "out of memory");
            return NULL;
        }
        *(char **) ((char *) message + currency->offset) = eur;
    }
    else {
        pacta_bp_t bp;
        if (pacta_bp_parse(text, strlen(text), &bp) != 0)
            goto bad;
        const ProtobufCFieldDescriptor *field = protobuf_c_message_descriptor_get_field_by_name(descriptor, "value");
        *(int32_t *) ((char *) message + field->offset) = bp;
    }
    return message;

bad:
    protobuf_c_message_free_unpacked(message, NULL);
    s_fail(ctx, path, "must be %s, got \"%s\"", example, text);
    return NULL;
}

//  Decodes one value of field into storage (an element or the member).
static int
s_decode_value(ctx_t *ctx, const ProtobufCFieldDescriptor *field, const json_t *json, const char *path, void *storage)
{
    int64_t value;
    switch (field->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
        if (s_json_int(ctx, path, json, false, INT32_MIN, INT32_MAX, &value) != 0)
            return -1;
        *(int32_t *) storage = (int32_t) value;
        return 0;
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
        if (s_json_int(ctx, path, json, false, 0, UINT32_MAX, &value) != 0)
            return -1;
        *(uint32_t *) storage = (uint32_t) value;
        return 0;
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
        if (s_json_int(ctx, path, json, true, INT64_MIN, INT64_MAX, &value) != 0)
            return -1;
        *(int64_t *) storage = value;
        return 0;
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
        return s_json_uint64(ctx, path, json, (uint64_t *) storage);
    case PROTOBUF_C_TYPE_FLOAT:
    case PROTOBUF_C_TYPE_DOUBLE:
        if (!json_is_number(json))
            return s_fail(ctx, path, "must be a number");
        if (field->type == PROTOBUF_C_TYPE_FLOAT)
            *(float *) storage = (float) json_number_value(json);
        else
            *(double *) storage = json_number_value(json);
        return 0;
    case PROTOBUF_C_TYPE_BOOL:
        if (!json_is_boolean(json))
            return s_fail(ctx, path, "must be true or false");
        *(protobuf_c_boolean *) storage = json_is_true(json);
        return 0;
    case PROTOBUF_C_TYPE_ENUM: {
        int number;
        if (s_enum_parse(ctx, path, field->descriptor, json, &number) != 0)
            return -1;
        *(int *) storage = number;
        return 0;
    }
    case PROTOBUF_C_TYPE_STRING: {
        if (!json_is_string(json))
            return s_fail(ctx, path, "must be a string");
        char *copy = strdup(json_string_value(json));
        if (!copy)
            return s_fail(ctx, path, "out of memory");
        *(char **) storage = copy;
        return 0;
    }
    case PROTOBUF_C_TYPE_BYTES: {
        if (!json_is_string(json))
            return s_fail(ctx, path, "must be a base64 string");
        ProtobufCBinaryData *binary = storage;
        if (s_base64_decode(json_string_value(json), &binary->data, &binary->len) != 0)
            return s_fail(ctx, path, "is not valid base64");
        return 0;
    }
    case PROTOBUF_C_TYPE_MESSAGE: {
        ProtobufCMessage *child = s_decode_message(ctx, field->descriptor, json, path);
        if (!child)
            return -1;
        *(ProtobufCMessage **) storage = child;
        return 0;
    }
    }
    return s_fail(ctx, path, "unsupported field type");
}

//  Bytes of one element of a field's type, for repeated arrays.
static size_t
s_element_size(const ProtobufCFieldDescriptor *field)
{
    switch (field->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
        return 4;
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
        return 8;
    case PROTOBUF_C_TYPE_FLOAT:
        return sizeof(float);
    case PROTOBUF_C_TYPE_DOUBLE:
        return sizeof(double);
    case PROTOBUF_C_TYPE_BOOL:
        return sizeof(protobuf_c_boolean);
    case PROTOBUF_C_TYPE_ENUM:
        return sizeof(int);
    case PROTOBUF_C_TYPE_STRING:
        return sizeof(char *);
    case PROTOBUF_C_TYPE_BYTES:
        return sizeof(ProtobufCBinaryData);
    case PROTOBUF_C_TYPE_MESSAGE:
        return sizeof(ProtobufCMessage *);
    }
    return 0;
}

static int
s_decode_repeated(ctx_t *ctx, ProtobufCMessage *message, const ProtobufCFieldDescriptor *field, const json_t *json,
                  const char *path)
{
    if (!json_is_array(json))
        return s_fail(ctx, path, "must be an array");
    const size_t count = json_array_size(json);
    if (count == 0)
        return 0;
    if (count > MAX_REPEATED)
        return s_fail(ctx, path, "has %zu elements, at most %d allowed", count, MAX_REPEATED);
    const size_t size = s_element_size(field);
    char *array = calloc(count, size);
    if (!array)
        return s_fail(ctx, path, "out of memory");
    //  Attach the array at once with a count of the elements built so far,
    //  so free_unpacked releases exactly those on an error.
    *(void **) ((char *) message + field->offset) = array;
    size_t *built = (size_t *) ((char *) message + field->quantifier_offset);
    for (size_t i = 0; i < count; i++) {
        char element_path[PATH_SIZE];
        s_index_path(element_path, path, i);
        if (json_is_null(json_array_get(json, i)))
            return s_fail(ctx, element_path, "null is not allowed in an array");
        if (s_decode_value(ctx, field, json_array_get(json, i), element_path, array + i * size) != 0)
            return -1;
        *built = i + 1;
    }
    return 0;
}

//  "did you mean" for unknown field names: the field sharing the longest
//  prefix with the unknown name.
static const char *
s_closest_field(const ProtobufCMessageDescriptor *descriptor, const char *name)
{
    const char *best = NULL;
    size_t best_len = 2;
    for (unsigned i = 0; i < descriptor->n_fields; i++) {
        const char *candidate = descriptor->fields[i].name;
        size_t len = 0;
        while (candidate[len] && candidate[len] == name[len])
            len++;
        if (len > best_len) {
            best = candidate;
            best_len = len;
        }
    }
    return best;
}

static ProtobufCMessage *
s_decode_message(ctx_t *ctx, const ProtobufCMessageDescriptor *descriptor, const json_t *json, const char *path)
{
    bool handled;
    ProtobufCMessage *special = s_decode_special(ctx, descriptor, json, path, &handled);
    if (handled)
        return special;
    if (!json_is_object(json)) {
        s_fail(ctx, path, "must be an object (%s)", descriptor->short_name);
        return NULL;
    }
    if (ctx->depth >= MAX_DEPTH) {
        s_fail(ctx, path, "nested more than %d levels deep", MAX_DEPTH);
        return NULL;
    }
    ProtobufCMessage *message = malloc(descriptor->sizeof_message);
    if (!message) {
        s_fail(ctx, path, "out of memory");
        return NULL;
    }
    descriptor->message_init(message);
    ctx->depth++;

    const char *key;
    json_t *value;
    json_object_foreach((json_t *) json, key, value) {
        char field_path[PATH_SIZE];
        s_child_path(field_path, path, key);
        const ProtobufCFieldDescriptor *field = protobuf_c_message_descriptor_get_field_by_name(descriptor, key);
        if (!field) {
            const char *hint = s_closest_field(descriptor, key);
            if (hint)
                s_fail(ctx, field_path, "unknown field of %s (did you mean \"%s\"?)", descriptor->short_name, hint);
            else
                s_fail(ctx, field_path, "unknown field of %s", descriptor->short_name);
            goto fail;
        }
        if (json_is_null(value))
            continue;
        if (field->label == PROTOBUF_C_LABEL_REPEATED) {
            if (s_decode_repeated(ctx, message, field, value, field_path) != 0)
                goto fail;
            continue;
        }
        if (field->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
            uint32_t *which = (uint32_t *) ((char *) message + field->quantifier_offset);
            if (*which != 0) {
                s_fail(ctx, field_path, "only one field of this oneof may be given");
                goto fail;
            }
            //  Decode first, then set the case: a failed member must not be
            //  marked present (free_unpacked would free garbage).
            union {
                ProtobufCBinaryData binary; /* the largest member type */
                double real;
                void *pointer;
            } storage;
            memset(&storage, 0, sizeof storage);
            if (s_decode_value(ctx, field, value, field_path, &storage) != 0)
                goto fail;
            memcpy((char *) message + field->offset, &storage, s_element_size(field));
            *which = field->id;
            continue;
        }
        if (field->label == PROTOBUF_C_LABEL_OPTIONAL && field->quantifier_offset)
            *(protobuf_c_boolean *) ((char *) message + field->quantifier_offset) = 1;
        if (s_decode_value(ctx, field, value, field_path, (char *) message + field->offset) != 0)
            goto fail;
    }
    ctx->depth--;
    return message;

fail:
    ctx->depth--;
    protobuf_c_message_free_unpacked(message, NULL);
    return NULL;
}

ProtobufCMessage *
pacta_pbjson_decode(const ProtobufCMessageDescriptor *descriptor, const json_t *json, char *err, size_t err_size)
{
    char fallback[8];
    ctx_t ctx = {.err = err ? err : fallback, .err_size = err ? err_size : sizeof fallback};
    if (ctx.err_size)
        ctx.err[0] = '\0';
    if (!descriptor || !json) {
        s_fail(&ctx, "", "no message");
        return NULL;
    }
    return s_decode_message(&ctx, descriptor, json, "");
}

//  ---------------------------------------------------------------------------
//  Encoding

static json_t *s_encode_message(const ProtobufCMessage *message);

static json_t *
s_encode_special(const ProtobufCMessage *message, bool *handled)
{
    const ProtobufCMessageDescriptor *descriptor = message->descriptor;
    *handled = true;
    char text[PACTA_MONEY_STR_LEN];
    if (s_is_type(descriptor, "pacta.v1.Date")) {
        int32_t parts[3];
        const char *names[3] = {"year", "month", "day"};
        for (int i = 0; i < 3; i++) {
            const ProtobufCFieldDescriptor *field = protobuf_c_message_descriptor_get_field_by_name(descriptor, names[i]);
            parts[i] = *(const int32_t *) ((const char *) message + field->offset);
        }
        const pacta_date_t date = pacta_date_from_ymd(parts[0], parts[1], parts[2]);
        if (date == PACTA_DATE_INVALID) {
            //  Keep an impossible date visible rather than hiding it.
            snprintf(text, sizeof text, "%04d-%02d-%02d", parts[0], parts[1], parts[2]);
            return json_string(text);
        }
        return json_string(pacta_date_format(date, text, sizeof text));
    }
    if (s_is_type(descriptor, "pacta.v1.Money")) {
        const ProtobufCFieldDescriptor *field = protobuf_c_message_descriptor_get_field_by_name(descriptor, "cents");
        return json_string(pacta_money_format_plain(*(const int64_t *) ((const char *) message + field->offset), text,
                                                    sizeof text));
    }
    if (s_is_type(descriptor, "pacta.v1.BasisPoints")) {
        const ProtobufCFieldDescriptor *field = protobuf_c_message_descriptor_get_field_by_name(descriptor, "value");
        return json_string(pacta_bp_format(*(const int32_t *) ((const char *) message + field->offset), text, sizeof text));
    }
    *handled = false;
    return NULL;
}

static json_t *
s_encode_value(const ProtobufCFieldDescriptor *field, const void *storage)
{
    switch (field->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
        return json_integer(*(const int32_t *) storage);
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
        return json_integer(*(const uint32_t *) storage);
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
        return json_integer(*(const int64_t *) storage);
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64: {
        const uint64_t value = *(const uint64_t *) storage;
        if (value <= INT64_MAX)
            return json_integer((json_int_t) value);
        char text[24];
        snprintf(text, sizeof text, "%" PRIu64, value);
        return json_string(text);
    }
    case PROTOBUF_C_TYPE_FLOAT:
        return json_real(*(const float *) storage);
    case PROTOBUF_C_TYPE_DOUBLE:
        return json_real(*(const double *) storage);
    case PROTOBUF_C_TYPE_BOOL:
        return json_boolean(*(const protobuf_c_boolean *) storage);
    case PROTOBUF_C_TYPE_ENUM: {
        char name[ENUM_NAME_SIZE];
        return json_string(pacta_pbjson_enum_name(field->descriptor, *(const int *) storage, name, sizeof name));
    }
    case PROTOBUF_C_TYPE_STRING: {
        const char *text = *(char *const *) storage;
        //  Invalid UTF-8 from the wire is kept visible, not dropped.
        json_t *string = json_string(text ? text : "");
        return string ? string : json_string("\xef\xbf\xbd");
    }
    case PROTOBUF_C_TYPE_BYTES: {
        const ProtobufCBinaryData *binary = storage;
        char *text = s_base64_encode(binary->data, binary->len);
        json_t *string = text ? json_string(text) : NULL;
        free(text);
        return string;
    }
    case PROTOBUF_C_TYPE_MESSAGE: {
        const ProtobufCMessage *child = *(ProtobufCMessage *const *) storage;
        return child ? s_encode_message(child) : json_null();
    }
    }
    return json_null();
}

//  True when a proto3 singular field holds its default (omitted in JSON).
static bool
s_is_default(const ProtobufCFieldDescriptor *field, const void *storage)
{
    switch (field->type) {
    case PROTOBUF_C_TYPE_STRING: {
        const char *text = *(char *const *) storage;
        return !text || !*text;
    }
    case PROTOBUF_C_TYPE_BYTES:
        return ((const ProtobufCBinaryData *) storage)->len == 0;
    case PROTOBUF_C_TYPE_MESSAGE:
        return *(ProtobufCMessage *const *) storage == NULL;
    case PROTOBUF_C_TYPE_BOOL:
        return !*(const protobuf_c_boolean *) storage;
    case PROTOBUF_C_TYPE_FLOAT:
        return *(const float *) storage == 0.0f;
    case PROTOBUF_C_TYPE_DOUBLE:
        return *(const double *) storage == 0.0;
    case PROTOBUF_C_TYPE_ENUM:
        return *(const int *) storage == 0;
    default:
        if (s_element_size(field) == 8)
            return *(const uint64_t *) storage == 0;
        return *(const uint32_t *) storage == 0;
    }
}

static json_t *
s_encode_message(const ProtobufCMessage *message)
{
    bool handled;
    json_t *special = s_encode_special(message, &handled);
    if (handled)
        return special;
    const ProtobufCMessageDescriptor *descriptor = message->descriptor;
    json_t *object = json_object();
    if (!object)
        return NULL;
    for (unsigned i = 0; i < descriptor->n_fields; i++) {
        const ProtobufCFieldDescriptor *field = &descriptor->fields[i];
        const char *member = (const char *) message + field->offset;
        json_t *value = NULL;
        if (field->label == PROTOBUF_C_LABEL_REPEATED) {
            const size_t count = *(const size_t *) ((const char *) message + field->quantifier_offset);
            if (count == 0)
                continue;
            value = json_array();
            const char *array = *(char *const *) member;
            for (size_t k = 0; value && k < count; k++)
                if (json_array_append_new(value, s_encode_value(field, array + k * s_element_size(field))) != 0) {
                    json_decref(value);
                    value = NULL;
                }
        }
        else if (field->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
            if (*(const uint32_t *) ((const char *) message + field->quantifier_offset) != field->id)
                continue;
            value = s_encode_value(field, member);
        }
        else {
            if (field->label == PROTOBUF_C_LABEL_OPTIONAL && field->quantifier_offset
                && !*(const protobuf_c_boolean *) ((const char *) message + field->quantifier_offset))
                continue;
            if (field->label == PROTOBUF_C_LABEL_NONE && s_is_default(field, member))
                continue;
            value = s_encode_value(field, member);
        }
        if (!value || json_object_set_new(object, field->name, value) != 0) {
            json_decref(object);
            return NULL;
        }
    }
    return object;
}

json_t *
pacta_pbjson_encode(const ProtobufCMessage *message)
{
    return message ? s_encode_message(message) : NULL;
}
