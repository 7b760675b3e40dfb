/*  =========================================================================
    ctl_event - one event as an operator writes it in JSON, made into the
    envelope pactactl sends to the bus

    Everything here is pure (no I/O except reading the wall clock for a
    missing "occurred_at"), so the validation an operator meets is tested
    without a bus. Design decision: the payload goes through pacta_pbjson,
    the same strict codec the documentation examples are checked with, and
    the envelope through pacta_bus_envelope_check(), the bus's own check;
    pactactl adds only what is its own -- the short type names, the entity
    derivation and the content-derived message id -- so it can never accept
    an event the bus or a service would refuse for its form.
    =========================================================================
*/
#include "ctl_event.h"

#include <assert.h>
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "pacta_bus_wire.h"
#include "pacta_date.h"
#include "pacta_pbjson.h"
#include "pacta_profile.h"
#include "pacta_proto_registry.h"

#define TYPE_PREFIX "pacta.v1."
#define NAME_MAX_LEN 128

struct ctl_event {
    ProtobufCMessage *payload;             /* decoded payload; owned */
    uint8_t *payload_bytes;                /* packed payload; owned */
    Pacta__V1__Envelope envelope;          /* points into the fields below */
    char message_id[CTL_EVENT_ID_MAX + 1]; /* given or generated */
    char tenant[NAME_MAX_LEN + 1];         /* tenant id */
    char type[NAME_MAX_LEN + 1];           /* full type name */
    char entity_key[CTL_EVENT_ENTITY_MAX + 1]; /* routing key */
    char destination[NAME_MAX_LEN + 1];    /* "" = routing table */
    char producer[NAME_MAX_LEN + 1];       /* "pactactl" unless given */
    bool id_generated;                     /* message_id came from the content */
};

static int
s_fail(char *err, size_t err_size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int
s_fail(char *err, size_t err_size, const char *fmt, ...)
{
    if (err && err_size) {
        va_list args;
        va_start(args, fmt);
        vsnprintf(err, err_size, fmt, args);
        va_end(args);
    }
    return -1;
}

//  Copies a JSON string member into out. 1 when present, 0 when absent or
//  null, -1 (with err) when not a string or too long.
static int
s_string_member(const json_t *object, const char *key, char *out, size_t size, char *err, size_t err_size)
{
    const json_t *value = json_object_get(object, key);
    if (!value || json_is_null(value))
        return 0;
    if (!json_is_string(value))
        return s_fail(err, err_size, "%s: must be a string", key);
    const size_t len = json_string_length(value);
    if (len >= size)
        return s_fail(err, err_size, "%s: longer than %zu characters", key, size - 1);
    if (len == 0)
        return s_fail(err, err_size, "%s: must not be empty", key);
    memcpy(out, json_string_value(value), len);
    out[len] = '\0';
    if (strlen(out) != len)
        return s_fail(err, err_size, "%s: contains a NUL character", key);
    return 1;
}

static bool
s_token(const char *text, size_t max)
{
    return pacta_bus_token_valid(text, strlen(text), max);
}

//  ---------------------------------------------------------------------------
//  Types

//  Messages that are never an event of their own.
static bool
s_sendable(const ProtobufCMessageDescriptor *descriptor)
{
    static const char *const frames[] = {"pacta.v1.Envelope", "pacta.v1.Ack", "pacta.v1.Nack", NULL};
    for (size_t i = 0; frames[i]; i++)
        if (strcmp(descriptor->name, frames[i]) == 0)
            return false;
    return true;
}

const ProtobufCMessageDescriptor *
ctl_event_find_type(const char *name, char *err, size_t err_size)
{
    char full[NAME_MAX_LEN + sizeof TYPE_PREFIX];
    if (!name || !*name) {
        s_fail(err, err_size, "type: missing (e.g. \"InvoiceIssued\")");
        return NULL;
    }
    if (strchr(name, '.'))
        snprintf(full, sizeof full, "%s", name);
    else
        snprintf(full, sizeof full, TYPE_PREFIX "%s", name);
    const ProtobufCMessageDescriptor *descriptor = pacta_proto_find(full, strlen(full));
    if (descriptor && s_sendable(descriptor))
        return descriptor;
    if (descriptor) {
        s_fail(err, err_size, "type: %s is part of the bus protocol, not an event", name);
        return NULL;
    }
    //  A hint: the same name in another case, else the longest shared prefix.
    const char *short_name = strchr(name, '.') ? strrchr(name, '.') + 1 : name;
    const char *hint = NULL;
    size_t best = 3;
    for (size_t i = 0; i < pacta_proto_count(); i++) {
        const ProtobufCMessageDescriptor *candidate = pacta_proto_at(i);
        if (strcasecmp(candidate->short_name, short_name) == 0) {
            hint = candidate->short_name;
            break;
        }
        size_t len = 0;
        while (candidate->short_name[len] && candidate->short_name[len] == short_name[len])
            len++;
        if (len > best) {
            best = len;
            hint = candidate->short_name;
        }
    }
    if (hint)
        s_fail(err, err_size, "type: no message named \"%s\" (did you mean \"%s\"?)", name, hint);
    else
        s_fail(err, err_size, "type: no message named \"%s\" in pacta.v1", name);
    return NULL;
}

Pacta__V1__MessageKind
ctl_event_default_kind(const char *full_type)
{
    static const char *const commands[] = {
        "pacta.v1.DecisionApproved", "pacta.v1.DecisionRejected", "pacta.v1.NotificationRequested",
        "pacta.v1.TestClockAdvanced", "pacta.v1.TimerSet", "pacta.v1.TimerCancelled", NULL,
    };
    for (size_t i = 0; commands[i]; i++)
        if (strcmp(full_type, commands[i]) == 0)
            return PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_COMMAND;
    return PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_EVENT;
}

static int
s_parse_kind(const char *text, Pacta__V1__MessageKind *out)
{
    if (strcmp(text, "event") == 0)
        *out = PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_EVENT;
    else if (strcmp(text, "command") == 0)
        *out = PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_COMMAND;
    else if (strcmp(text, "decision") == 0)
        *out = PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_DECISION;
    else
        return -1;
    return 0;
}

//  ---------------------------------------------------------------------------
//  Entity keys

//  A string field of payload by name; NULL when absent or not a string.
static const char *
s_string_field(const ProtobufCMessage *payload, const char *name)
{
    const ProtobufCFieldDescriptor *field = protobuf_c_message_descriptor_get_field_by_name(payload->descriptor, name);
    if (!field || field->type != PROTOBUF_C_TYPE_STRING || field->label == PROTOBUF_C_LABEL_REPEATED)
        return NULL;
    const char *const *value = (const char *const *) ((const char *) payload + field->offset);
    return *value;
}

static int
s_key(char *out, size_t size, const char *prefix, const char *id, const char *field, char *err, size_t err_size)
{
    if (!s_token(id, CTL_EVENT_ENTITY_MAX - strlen(prefix)))
        return s_fail(err, err_size,
                      "event.%s: \"%s\" cannot name an entity (printable characters without spaces, at most %zu)",
                      field, id, CTL_EVENT_ENTITY_MAX - strlen(prefix));
    snprintf(out, size, "%s%s", prefix, id);
    return 0;
}

int
ctl_event_derive_entity(const ProtobufCMessage *payload, const char *tenant, char *out, size_t size, char *err,
                        size_t err_size)
{
    assert(payload && out);
    const char *type = payload->descriptor->name;
    const char *contract_id = s_string_field(payload, "contract_id");
    const char *subject_id = s_string_field(payload, "subject_id");
    //  Personal data and data-subject requests live with their subject.
    if (strcmp(type, "pacta.v1.PersonalDataRecorded") == 0 || strcmp(type, "pacta.v1.DataSubjectRequestOpened") == 0) {
        if (!subject_id || !*subject_id)
            return s_fail(err, err_size, "event.subject_id: missing (the entity \"s:<subject_id>\" comes from it)");
        return s_key(out, size, "s:", subject_id, "subject_id", err, err_size);
    }
    if (strcmp(type, "pacta.v1.TestClockAdvanced") == 0) {
        if (!tenant || !*tenant)
            return s_fail(err, err_size, "tenant: missing");
        return s_key(out, size, "clock:", tenant, "tenant", err, err_size);
    }
    if (contract_id && *contract_id)
        return s_key(out, size, "c:", contract_id, "contract_id", err, err_size);
    const char *sponsor = s_string_field(payload, "sponsor_contract_id");
    if (sponsor && *sponsor)
        return s_key(out, size, "c:", sponsor, "sponsor_contract_id", err, err_size);
    if (strcmp(type, "pacta.v1.PaymentReceived") == 0) {
        const char *communication = s_string_field(payload, "structured_communication");
        if (communication && *communication)
            return s_key(out, size, "p:", communication, "structured_communication", err, err_size);
        return s_fail(err, err_size,
                      "entity: a payment without structured_communication has no entity of its own: give "
                      "\"entity\": \"c:<contract id>\" or the communication");
    }
    if (subject_id && *subject_id)
        return s_key(out, size, "s:", subject_id, "subject_id", err, err_size);
    if (protobuf_c_message_descriptor_get_field_by_name(payload->descriptor, "contract_id"))
        return s_fail(err, err_size, "event.contract_id: missing (the entity \"c:<contract_id>\" comes from it)");
    return s_fail(err, err_size, "entity: %s names no contract or subject: give \"entity\"",
                  payload->descriptor->short_name);
}

//  ---------------------------------------------------------------------------
//  Building

//  "ctl-" + 32 hex digits of a digest of everything that makes the event
//  what it is; the envelope instant is left out on purpose.
static void
s_generate_id(ctl_event_t *self)
{
    uint64_t h = PACTA_BUS_HASH_SEED;
    const char *parts[] = {self->tenant, self->type, self->entity_key, self->destination};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        h = pacta_bus_hash(parts[i], strlen(parts[i]) + 1, h);
    const uint64_t first = pacta_bus_hash(self->envelope.payload.data, self->envelope.payload.len, h);
    const uint64_t second = pacta_bus_hash(self->envelope.payload.data, self->envelope.payload.len,
                                           first ^ UINT64_C(0x9e3779b97f4a7c15));
    snprintf(self->message_id, sizeof self->message_id, "ctl-%016" PRIx64 "%016" PRIx64, first, second);
    self->id_generated = true;
}

//  Packs the payload and fills the envelope's own fields (the strings
//  must already be in self). 0 or -1.
static int
s_finish(ctl_event_t *self, Pacta__V1__MessageKind kind, int64_t occurred_at_ms, char *err, size_t err_size)
{
    const size_t len = protobuf_c_message_get_packed_size(self->payload);
    self->payload_bytes = malloc(len ? len : 1);
    if (!self->payload_bytes)
        return s_fail(err, err_size, "out of memory");
    protobuf_c_message_pack(self->payload, self->payload_bytes);
    Pacta__V1__Envelope *envelope = &self->envelope;
    pacta__v1__envelope__init(envelope);
    envelope->tenant = self->tenant;
    envelope->message_type = self->type;
    envelope->entity_key = self->entity_key;
    envelope->destination = self->destination;
    envelope->producer = self->producer;
    envelope->schema_version = 1;
    envelope->kind = kind;
    envelope->occurred_at_ms = occurred_at_ms;
    envelope->payload.data = self->payload_bytes;
    envelope->payload.len = len;
    if (!self->message_id[0])
        s_generate_id(self);
    envelope->message_id = self->message_id;
    envelope->correlation_id = self->message_id;

    Pacta__V1__NackReason reason;
    char detail[256], field[96];
    if (pacta_bus_envelope_check(envelope, &reason, detail, sizeof detail, field, sizeof field) != 0) {
        //  Name the JSON key the operator wrote, not the envelope field.
        static const struct {
            const char *field; /* envelope field the check names */
            const char *key;   /* the JSON key that sets it */
        } keys[] = {{"envelope.message_id", "id"},   {"envelope.tenant", "tenant"},
                    {"envelope.entity_key", "entity"}, {"envelope.destination", "destination"},
                    {"envelope.message_type", "type"}, {"envelope.kind", "kind"}};
        const char *key = field;
        for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
            if (strcmp(field, keys[i].field) == 0)
                key = keys[i].key;
        return s_fail(err, err_size, "%s: %s", key, detail);
    }
    if (!s_token(self->producer, PACTA_BUS_NAME_MAX))
        return s_fail(err, err_size, "producer: must be 1 to %d printable characters without spaces",
                      PACTA_BUS_NAME_MAX);
    return 0;
}

//  "2025-02-01", "2025-02-01T10:00:00Z" or "@SECONDS" into ms. 0 or -1.
static int
s_parse_occurred(const char *text, int64_t *out_ms)
{
    const size_t len = strlen(text);
    pacta_date_t date;
    if (len == 10 && pacta_date_parse(text, len, &date) == 0) {
        *out_ms = (int64_t) pacta_date_start_instant(date) * 1000;
        return 0;
    }
    if (len == 20 && text[10] == 'T' && text[13] == ':' && text[16] == ':' && text[19] == 'Z'
        && pacta_date_parse(text, 10, &date) == 0) {
        int parts[3];
        for (int i = 0; i < 3; i++) {
            const char *p = text + 11 + i * 3;
            if (!isdigit((unsigned char) p[0]) || !isdigit((unsigned char) p[1]))
                return -1;
            parts[i] = (p[0] - '0') * 10 + (p[1] - '0');
        }
        if (parts[0] > 23 || parts[1] > 59 || parts[2] > 59)
            return -1;
        *out_ms = ((int64_t) date * 86400 + parts[0] * 3600 + parts[1] * 60 + parts[2]) * 1000;
        return 0;
    }
    return -1;
}

static int64_t
s_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

ctl_event_t *
ctl_event_from_json(const json_t *object, const char *default_tenant, char *err, size_t err_size)
{
    static const char *const known[] = {"type",     "tenant",   "id",          "entity",  "event",
                                        "kind",     "destination", "producer", "occurred_at", "comment", NULL};
    if (!json_is_object(object)) {
        s_fail(err, err_size, "an event must be a JSON object {\"type\": ..., \"event\": {...}}");
        return NULL;
    }
    const char *key;
    json_t *value;
    json_object_foreach((json_t *) object, key, value) {
        bool ok = false;
        for (size_t i = 0; known[i] && !ok; i++)
            ok = strcmp(key, known[i]) == 0;
        if (!ok) {
            s_fail(err, err_size,
                   "%s: unknown key (an event has type, tenant, id, entity, event, kind, destination, producer, "
                   "occurred_at, comment)",
                   key);
            return NULL;
        }
    }
    ctl_event_t *self = calloc(1, sizeof *self);
    ctl_event_t *result = NULL;
    if (!self) {
        s_fail(err, err_size, "out of memory");
        return NULL;
    }
    char type_text[NAME_MAX_LEN + 1] = "", kind_text[16] = "", occurred_text[32] = "";
    int rc;
    if ((rc = s_string_member(object, "type", type_text, sizeof type_text, err, err_size)) < 0)
        goto cleanup;
    const ProtobufCMessageDescriptor *descriptor = ctl_event_find_type(rc ? type_text : NULL, err, err_size);
    if (!descriptor)
        goto cleanup;
    snprintf(self->type, sizeof self->type, "%s", descriptor->name);

    if ((rc = s_string_member(object, "tenant", self->tenant, sizeof self->tenant, err, err_size)) < 0)
        goto cleanup;
    if (rc == 0) {
        if (!default_tenant || !*default_tenant) {
            s_fail(err, err_size, "tenant: missing (give \"tenant\" or --tenant)");
            goto cleanup;
        }
        snprintf(self->tenant, sizeof self->tenant, "%s", default_tenant);
    }
    if (!pacta_tenant_id_valid(self->tenant)) {
        s_fail(err, err_size, "tenant: \"%s\" is not a tenant id (letters, digits, '.', '_', '-')", self->tenant);
        goto cleanup;
    }

    const json_t *event = json_object_get(object, "event");
    if (!event || json_is_null(event)) {
        s_fail(err, err_size, "event: missing (the %s itself, e.g. \"event\": {\"contract_id\": \"C-1\"})",
               descriptor->short_name);
        goto cleanup;
    }
    char codec_err[512];
    self->payload = pacta_pbjson_decode(descriptor, event, codec_err, sizeof codec_err);
    if (!self->payload) {
        //  pacta_pbjson names the path inside the payload; "(message)" is
        //  the payload itself.
        static const char whole[] = "(message): ";
        if (strncmp(codec_err, whole, sizeof whole - 1) == 0)
            s_fail(err, err_size, "event: %s", codec_err + sizeof whole - 1);
        else
            s_fail(err, err_size, "event.%s", codec_err);
        goto cleanup;
    }

    if ((rc = s_string_member(object, "id", self->message_id, sizeof self->message_id, err, err_size)) < 0)
        goto cleanup;
    if (rc == 1 && !s_token(self->message_id, CTL_EVENT_ID_MAX)) {
        s_fail(err, err_size, "id: must be 1 to %d printable characters without spaces", CTL_EVENT_ID_MAX);
        goto cleanup;
    }
    if ((rc = s_string_member(object, "entity", self->entity_key, sizeof self->entity_key, err, err_size)) < 0)
        goto cleanup;
    if (rc == 0
        && ctl_event_derive_entity(self->payload, self->tenant, self->entity_key, sizeof self->entity_key, err,
                                   err_size)
               != 0)
        goto cleanup;
    if (s_string_member(object, "destination", self->destination, sizeof self->destination, err, err_size) < 0)
        goto cleanup;
    if ((rc = s_string_member(object, "producer", self->producer, sizeof self->producer, err, err_size)) < 0)
        goto cleanup;
    if (rc == 0)
        snprintf(self->producer, sizeof self->producer, "pactactl");

    Pacta__V1__MessageKind kind = ctl_event_default_kind(self->type);
    if ((rc = s_string_member(object, "kind", kind_text, sizeof kind_text, err, err_size)) < 0)
        goto cleanup;
    if (rc == 1 && s_parse_kind(kind_text, &kind) != 0) {
        s_fail(err, err_size, "kind: must be \"event\", \"command\" or \"decision\", got \"%s\"", kind_text);
        goto cleanup;
    }
    int64_t occurred_at_ms = s_now_ms();
    if ((rc = s_string_member(object, "occurred_at", occurred_text, sizeof occurred_text, err, err_size)) < 0)
        goto cleanup;
    if (rc == 1 && s_parse_occurred(occurred_text, &occurred_at_ms) != 0) {
        s_fail(err, err_size, "occurred_at: must be a date like 2025-02-01 or an instant like 2025-02-01T10:00:00Z");
        goto cleanup;
    }
    if (s_finish(self, kind, occurred_at_ms, err, err_size) != 0)
        goto cleanup;
    result = self;
    self = NULL;

cleanup:
    ctl_event_destroy(&self);
    return result;
}

ctl_event_t *
ctl_event_parse(const char *text, size_t len, const char *default_tenant, char *err, size_t err_size)
{
    if (len > CTL_EVENT_MAX_BYTES) {
        s_fail(err, err_size, "event larger than %d bytes", CTL_EVENT_MAX_BYTES);
        return NULL;
    }
    json_error_t error;
    json_t *object = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &error);
    if (!object) {
        s_fail(err, err_size, "line %d, column %d: %s", error.line, error.column, error.text);
        return NULL;
    }
    ctl_event_t *self = ctl_event_from_json(object, default_tenant, err, err_size);
    json_decref(object);
    return self;
}

ctl_event_t *
ctl_event_from_message(ProtobufCMessage *payload, const char *tenant, const char *message_id, const char *entity_key,
                       const char *destination, Pacta__V1__MessageKind kind, char *err, size_t err_size)
{
    assert(payload && tenant && message_id && entity_key);
    ctl_event_t *self = calloc(1, sizeof *self);
    if (!self) {
        protobuf_c_message_free_unpacked(payload, NULL);
        s_fail(err, err_size, "out of memory");
        return NULL;
    }
    self->payload = payload;
    snprintf(self->type, sizeof self->type, "%s", payload->descriptor->name);
    snprintf(self->tenant, sizeof self->tenant, "%s", tenant);
    snprintf(self->message_id, sizeof self->message_id, "%s", message_id);
    snprintf(self->entity_key, sizeof self->entity_key, "%s", entity_key);
    snprintf(self->destination, sizeof self->destination, "%s", destination ? destination : "");
    snprintf(self->producer, sizeof self->producer, "pactactl");
    if (s_finish(self, kind, s_now_ms(), err, err_size) != 0) {
        ctl_event_destroy(&self);
        return NULL;
    }
    return self;
}

void
ctl_event_destroy(ctl_event_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    ctl_event_t *self = *self_p;
    if (self->payload)
        protobuf_c_message_free_unpacked(self->payload, NULL);
    free(self->payload_bytes);
    free(self);
    *self_p = NULL;
}

const Pacta__V1__Envelope *
ctl_event_envelope(const ctl_event_t *self)
{
    return &self->envelope;
}

const ProtobufCMessage *
ctl_event_payload(const ctl_event_t *self)
{
    return self->payload;
}

const char *
ctl_event_short_type(const ctl_event_t *self)
{
    return self->payload->descriptor->short_name;
}

bool
ctl_event_id_generated(const ctl_event_t *self)
{
    return self->id_generated;
}
