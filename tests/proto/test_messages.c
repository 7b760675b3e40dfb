/*  =========================================================================
    test_messages - round trips and hostile input for the pacta.v1 schema

    Every area of the catalogue (envelope, types, offers, contracts,
    invoicing, enforcement, notifications, gdpr, timers, ack) gets one
    representative message filled in completely, packed with
    get_packed_size() first, unpacked and compared field by field.

    Design decision: the comparison walks the protobuf-c descriptors instead
    of hand-written field lists, so a field added to a message is compared
    without touching this file; assert_every_field_set() makes the fixture
    itself fail when a new top-level field is left at its default, and the
    comparator has its own test proving it can tell messages apart.
    =========================================================================
*/
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pacta/v1/ack.pb-c.h"
#include "pacta/v1/contracts.pb-c.h"
#include "pacta/v1/enforcement.pb-c.h"
#include "pacta/v1/envelope.pb-c.h"
#include "pacta/v1/gdpr.pb-c.h"
#include "pacta/v1/invoicing.pb-c.h"
#include "pacta/v1/notifications.pb-c.h"
#include "pacta/v1/offers.pb-c.h"
#include "pacta/v1/timers.pb-c.h"
#include "pacta/v1/types.pb-c.h"

/* ---------------------------------------------------------------------------
   Fixture memory: every allocation is remembered and freed in the suite's
   fini, so the sanitizer build sees no leaks.
   ------------------------------------------------------------------------ */

#define MAX_FIXTURE_ALLOCS 1024

static void *fixture_allocs[MAX_FIXTURE_ALLOCS]; /* blocks to free after each test */
static size_t fixture_alloc_count;               /* used entries of fixture_allocs */

static void *
fixture_alloc(size_t size)
{
    cr_assert_lt(fixture_alloc_count, MAX_FIXTURE_ALLOCS, "raise MAX_FIXTURE_ALLOCS");
    void *block = calloc(1, size);
    cr_assert_not_null(block);
    fixture_allocs[fixture_alloc_count++] = block;
    return block;
}

static void
fixtures_free(void)
{
    for (size_t i = 0; i < fixture_alloc_count; i++)
        free(fixture_allocs[i]);
    fixture_alloc_count = 0;
}

TestSuite(messages, .fini = fixtures_free);

/* ---------------------------------------------------------------------------
   Generic comparison over descriptors
   ------------------------------------------------------------------------ */

static bool messages_equal(const ProtobufCMessage *a, const ProtobufCMessage *b);

/* Size of one element of a repeated field, as protobuf-c lays out arrays. */
static size_t
element_size(const ProtobufCFieldDescriptor *field)
{
    switch (field->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
    case PROTOBUF_C_TYPE_FLOAT:
    case PROTOBUF_C_TYPE_ENUM:
        return 4;
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
    case PROTOBUF_C_TYPE_DOUBLE:
        return 8;
    case PROTOBUF_C_TYPE_BOOL:
        return sizeof(protobuf_c_boolean);
    case PROTOBUF_C_TYPE_STRING:
        return sizeof(char *);
    case PROTOBUF_C_TYPE_BYTES:
        return sizeof(ProtobufCBinaryData);
    case PROTOBUF_C_TYPE_MESSAGE:
        return sizeof(ProtobufCMessage *);
    }
    cr_assert_fail("unknown protobuf-c type %d", (int) field->type);
    return 0;
}

/* Compares one stored value of field's type at a and b. */
static bool
value_equal(const ProtobufCFieldDescriptor *field, const void *a, const void *b)
{
    switch (field->type) {
    case PROTOBUF_C_TYPE_STRING: {
        const char *sa = *(char *const *) a;
        const char *sb = *(char *const *) b;
        if (sa == NULL || sb == NULL)
            return sa == sb;
        return strcmp(sa, sb) == 0;
    }
    case PROTOBUF_C_TYPE_BYTES: {
        const ProtobufCBinaryData *da = a;
        const ProtobufCBinaryData *db = b;
        if (da->len != db->len)
            return false;
        return da->len == 0 || memcmp(da->data, db->data, da->len) == 0;
    }
    case PROTOBUF_C_TYPE_MESSAGE: {
        const ProtobufCMessage *ma = *(ProtobufCMessage *const *) a;
        const ProtobufCMessage *mb = *(ProtobufCMessage *const *) b;
        if (ma == NULL || mb == NULL)
            return ma == mb;
        return messages_equal(ma, mb);
    }
    default:
        return memcmp(a, b, element_size(field)) == 0;
    }
}

static const void *
member(const ProtobufCMessage *message, unsigned offset)
{
    return (const char *) message + offset;
}

/* Deep equality of two messages of the same type; unknown fields ignored. */
static bool
messages_equal(const ProtobufCMessage *a, const ProtobufCMessage *b)
{
    if (a->descriptor != b->descriptor)
        return false;
    const ProtobufCMessageDescriptor *desc = a->descriptor;
    for (unsigned i = 0; i < desc->n_fields; i++) {
        const ProtobufCFieldDescriptor *field = &desc->fields[i];
        if (field->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t count_a = *(const size_t *) member(a, field->quantifier_offset);
            size_t count_b = *(const size_t *) member(b, field->quantifier_offset);
            if (count_a != count_b)
                return false;
            const char *array_a = *(char *const *) member(a, field->offset);
            const char *array_b = *(char *const *) member(b, field->offset);
            size_t size = element_size(field);
            for (size_t k = 0; k < count_a; k++)
                if (!value_equal(field, array_a + k * size, array_b + k * size))
                    return false;
            continue;
        }
        if (field->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
            uint32_t case_a = *(const uint32_t *) member(a, field->quantifier_offset);
            uint32_t case_b = *(const uint32_t *) member(b, field->quantifier_offset);
            if (case_a != case_b)
                return false;
            if (case_a == field->id && !value_equal(field, member(a, field->offset), member(b, field->offset)))
                return false;
            continue;
        }
        if (field->label == PROTOBUF_C_LABEL_OPTIONAL && field->quantifier_offset != 0) {
            protobuf_c_boolean has_a = *(const protobuf_c_boolean *) member(a, field->quantifier_offset);
            protobuf_c_boolean has_b = *(const protobuf_c_boolean *) member(b, field->quantifier_offset);
            if (has_a != has_b)
                return false;
            if (!has_a)
                continue;
        }
        if (!value_equal(field, member(a, field->offset), member(b, field->offset)))
            return false;
    }
    return true;
}

/* True when field holds a non-default value in message. */
static bool
field_is_set(const ProtobufCMessage *message, const ProtobufCFieldDescriptor *field)
{
    if (field->label == PROTOBUF_C_LABEL_REPEATED)
        return *(const size_t *) member(message, field->quantifier_offset) > 0;
    if (field->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
        return *(const uint32_t *) member(message, field->quantifier_offset) == field->id;
    const void *value = member(message, field->offset);
    switch (field->type) {
    case PROTOBUF_C_TYPE_STRING: {
        const char *text = *(char *const *) value;
        return text != NULL && text[0] != '\0';
    }
    case PROTOBUF_C_TYPE_BYTES:
        return ((const ProtobufCBinaryData *) value)->len > 0;
    case PROTOBUF_C_TYPE_MESSAGE:
        return *(ProtobufCMessage *const *) value != NULL;
    default: {
        static const uint8_t zeros[8];
        return memcmp(value, zeros, element_size(field)) != 0;
    }
    }
}

/* Fails the test when a top-level field of message is left at its default
   (for a oneof: when none of its members is set), so fixtures keep up with
   the schema. */
static void
assert_every_field_set(const ProtobufCMessage *message)
{
    const ProtobufCMessageDescriptor *desc = message->descriptor;
    for (unsigned i = 0; i < desc->n_fields; i++) {
        const ProtobufCFieldDescriptor *field = &desc->fields[i];
        if (field->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
            uint32_t which = *(const uint32_t *) member(message, field->quantifier_offset);
            cr_assert_neq(which, 0, "%s: oneof containing %s has nothing set", desc->name, field->name);
            continue;
        }
        cr_assert(field_is_set(message, field), "%s.%s is left at its default in the fixture", desc->name,
                  field->name);
    }
}

/* get_packed_size, pack into a buffer of exactly that size, unpack. The
   caller frees the result with protobuf_c_message_free_unpacked(). */
static ProtobufCMessage *
round_trip(const ProtobufCMessage *message)
{
    cr_assert(protobuf_c_message_check(message), "%s fixture is not a valid message",
              message->descriptor->name);
    size_t size = protobuf_c_message_get_packed_size(message);
    cr_assert_gt(size, 0);
    uint8_t *buffer = malloc(size);
    cr_assert_not_null(buffer);
    size_t written = protobuf_c_message_pack(message, buffer);
    cr_assert_eq(written, size, "%s: pack wrote %zu, get_packed_size said %zu", message->descriptor->name,
                 written, size);
    ProtobufCMessage *copy = protobuf_c_message_unpack(message->descriptor, NULL, size, buffer);
    free(buffer);
    cr_assert_not_null(copy, "%s does not unpack its own bytes", message->descriptor->name);
    return copy;
}

/* Round trip plus full comparison; returns the copy for spot checks. */
static ProtobufCMessage *
assert_round_trip(const ProtobufCMessage *message)
{
    assert_every_field_set(message);
    ProtobufCMessage *copy = round_trip(message);
    cr_assert(messages_equal(message, copy), "%s changed in a round trip", message->descriptor->name);
    return copy;
}

/* ---------------------------------------------------------------------------
   Fixture builders
   ------------------------------------------------------------------------ */

static Pacta__V1__Date *
make_date(int year, int month, int day)
{
    Pacta__V1__Date *date = fixture_alloc(sizeof *date);
    pacta__v1__date__init(date);
    date->year = year;
    date->month = month;
    date->day = day;
    return date;
}

static Pacta__V1__Money *
make_money(int64_t cents)
{
    Pacta__V1__Money *money = fixture_alloc(sizeof *money);
    pacta__v1__money__init(money);
    money->cents = cents;
    money->currency = "EUR";
    return money;
}

static Pacta__V1__BasisPoints *
make_rate(int32_t basis_points)
{
    Pacta__V1__BasisPoints *rate = fixture_alloc(sizeof *rate);
    pacta__v1__basis_points__init(rate);
    rate->value = basis_points;
    return rate;
}

static Pacta__V1__NamedValue *
make_named(const char *name, const char *unit)
{
    Pacta__V1__NamedValue *value = fixture_alloc(sizeof *value);
    pacta__v1__named_value__init(value);
    value->name = (char *) name;
    value->unit = (char *) unit;
    return value;
}

static void *
make_array(size_t count, size_t element)
{
    return fixture_alloc(count * element);
}

/* An explanation using every kind of NamedValue, modelled on the CC-3 example. */
static Pacta__V1__Explanation *
make_explanation(const char *rule_id)
{
    Pacta__V1__Explanation *why = fixture_alloc(sizeof *why);
    pacta__v1__explanation__init(why);
    why->rule_id = (char *) rule_id;
    why->clause = "capconnect §3";
    why->profile_id = "capconnect";
    why->profile_version = "sha256:5f1e";

    why->n_inputs = 3;
    why->inputs = make_array(3, sizeof *why->inputs);
    why->inputs[0] = make_named("invoice_id", "");
    why->inputs[0]->value_case = PACTA__V1__NAMED_VALUE__VALUE_TEXT;
    why->inputs[0]->text = "2025-0042";
    why->inputs[1] = make_named("due_on", "");
    why->inputs[1]->value_case = PACTA__V1__NAMED_VALUE__VALUE_DATE;
    why->inputs[1]->date = make_date(2025, 2, 8);
    why->inputs[2] = make_named("outstanding", "");
    why->inputs[2]->value_case = PACTA__V1__NAMED_VALUE__VALUE_MONEY;
    why->inputs[2]->money = make_money(36300);

    why->n_parameters = 2;
    why->parameters = make_array(2, sizeof *why->parameters);
    why->parameters[0] = make_named("due_days", "days");
    why->parameters[0]->value_case = PACTA__V1__NAMED_VALUE__VALUE_INTEGER;
    why->parameters[0]->integer = 7;
    why->parameters[1] = make_named("interest_margin", "");
    why->parameters[1]->value_case = PACTA__V1__NAMED_VALUE__VALUE_RATE;
    why->parameters[1]->rate = make_rate(200);

    why->n_results = 2;
    why->results = make_array(2, sizeof *why->results);
    why->results[0] = make_named("suspended_from", "");
    why->results[0]->value_case = PACTA__V1__NAMED_VALUE__VALUE_DATE;
    why->results[0]->date = make_date(2025, 2, 9);
    why->results[1] = make_named("fully_paid", "");
    why->results[1]->value_case = PACTA__V1__NAMED_VALUE__VALUE_FLAG;
    why->results[1]->flag = 0; /* false must survive as a set oneof member */

    why->sentence_fr = "Facture 2025-0042 impayée à l'échéance du 08/02/2025 : services suspendus dès le 09/02/2025.";
    why->sentence_en = "Invoice 2025-0042 unpaid at its due date 2025-02-08: services suspended from 2025-02-09.";
    why->evaluated_on = make_date(2025, 2, 9);
    why->mode = PACTA__V1__DECISION_MODE__DECISION_MODE_AUTO;
    return why;
}

static Pacta__V1__Client *
make_client(Pacta__V1__PartyKind kind)
{
    Pacta__V1__Client *client = fixture_alloc(sizeof *client);
    pacta__v1__client__init(client);
    client->client_id = "CL-0007";
    client->subject_id = "S-0007";
    client->kind = kind;
    client->language = PACTA__V1__LANGUAGE__LANGUAGE_FR;
    client->vat_number = "BE0423789139";
    return client;
}

static Pacta__V1__ServiceItem *
make_item(const char *item_id, const char *code, int64_t cents, bool option, bool a_la_carte, bool customised)
{
    Pacta__V1__ServiceItem *item = fixture_alloc(sizeof *item);
    pacta__v1__service_item__init(item);
    item->item_id = (char *) item_id;
    item->code = (char *) code;
    item->description = "Pack Start: 3 publications par semaine";
    item->amount = make_money(cents);
    item->is_option = option;
    item->a_la_carte = a_la_carte;
    item->customised = customised;
    return item;
}

static Pacta__V1__InvoiceLine *
make_line(const char *line_id, Pacta__V1__LineKind kind, int32_t quantity, int64_t unit_cents)
{
    Pacta__V1__InvoiceLine *line = fixture_alloc(sizeof *line);
    pacta__v1__invoice_line__init(line);
    line->line_id = (char *) line_id;
    line->kind = kind;
    line->item_id = "pack";
    line->description = "Pack Start, février 2025";
    line->quantity = quantity;
    line->unit_amount = make_money(unit_cents);
    line->amount = make_money(unit_cents * quantity);
    line->vat_rate = make_rate(2100);
    return line;
}

/* The first message of the architecture's CC-3 flow. */
static Pacta__V1__InvoiceIssued *
make_invoice_issued(void)
{
    Pacta__V1__InvoiceIssued *invoice = fixture_alloc(sizeof *invoice);
    pacta__v1__invoice_issued__init(invoice);
    invoice->invoice_id = "2025-0042";
    invoice->contract_id = "C-2025-001";
    invoice->kind = PACTA__V1__INVOICE_KIND__INVOICE_KIND_PERIODIC;
    invoice->issued_on = make_date(2025, 2, 1);
    invoice->due_on = make_date(2025, 2, 8);
    invoice->received_on = make_date(2025, 2, 1);
    invoice->structured_communication = "123456789002";
    invoice->n_lines = 2;
    invoice->lines = make_array(2, sizeof *invoice->lines);
    invoice->lines[0] = make_line("1", PACTA__V1__LINE_KIND__LINE_KIND_SUBSCRIPTION, 1, 30000);
    invoice->lines[1] = make_line("2", PACTA__V1__LINE_KIND__LINE_KIND_OPTION, 3, 1500);
    invoice->total_excl_vat = make_money(34500);
    invoice->total_incl_vat = make_money(41745);
    invoice->period_starts_on = make_date(2025, 2, 1);
    invoice->period_ends_on = make_date(2025, 2, 28);
    invoice->explanation = make_explanation("CC-3a");
    return invoice;
}

/* Packs message into a fixture-owned buffer; *len gets its size. */
static uint8_t *
pack_to_fixture(const ProtobufCMessage *message, size_t *len)
{
    *len = protobuf_c_message_get_packed_size(message);
    uint8_t *buffer = fixture_alloc(*len > 0 ? *len : 1);
    cr_assert_eq(protobuf_c_message_pack(message, buffer), *len);
    return buffer;
}

static Pacta__V1__Envelope *
make_envelope(void)
{
    Pacta__V1__Envelope *envelope = fixture_alloc(sizeof *envelope);
    pacta__v1__envelope__init(envelope);
    Pacta__V1__InvoiceIssued *invoice = make_invoice_issued();
    size_t payload_len = 0;
    uint8_t *payload = pack_to_fixture(&invoice->base, &payload_len);

    envelope->message_id = "01JKQ5Z8T0C3V7Y2N4M6P8R0S2";
    envelope->tenant = "capconnect";
    envelope->message_type = (char *) pacta__v1__invoice_issued__descriptor.name;
    envelope->entity_key = "c:C-2025-001";
    envelope->occurred_at_ms = INT64_C(1738396800123); /* 2025-02-01T08:00:00.123Z */
    envelope->causation_id = "01JKQ5Z8T0C3V7Y2N4M6P8R0S1";
    envelope->correlation_id = "01JKQ5Z8T0C3V7Y2N4M6P8R0S0";
    envelope->producer = "accounting";
    envelope->schema_version = 1;
    envelope->payload.data = payload;
    envelope->payload.len = payload_len;
    envelope->kind = PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_EVENT;
    envelope->destination = "invoicing";
    return envelope;
}

/* ---------------------------------------------------------------------------
   The comparator itself must be able to fail
   ------------------------------------------------------------------------ */

Test(messages, comparator_detects_every_kind_of_difference)
{
    Pacta__V1__InvoiceIssued *original = make_invoice_issued();
    ProtobufCMessage *copy_base = round_trip(&original->base);
    Pacta__V1__InvoiceIssued *copy = (Pacta__V1__InvoiceIssued *) copy_base;
    cr_assert(messages_equal(&original->base, copy_base));

    copy->lines[1]->amount->cents += 1; /* nested scalar */
    cr_assert_not(messages_equal(&original->base, copy_base));
    copy->lines[1]->amount->cents -= 1;
    cr_assert(messages_equal(&original->base, copy_base));

    copy->explanation->inputs[1]->date->day = 9; /* message inside a oneof inside a repeated field */
    cr_assert_not(messages_equal(&original->base, copy_base));
    copy->explanation->inputs[1]->date->day = 8;

    copy->explanation->results[1]->value_case = PACTA__V1__NAMED_VALUE__VALUE__NOT_SET; /* oneof case */
    cr_assert_not(messages_equal(&original->base, copy_base));
    copy->explanation->results[1]->value_case = PACTA__V1__NAMED_VALUE__VALUE_FLAG;

    copy->n_lines = 1; /* repeated count */
    cr_assert_not(messages_equal(&original->base, copy_base));
    copy->n_lines = 2;

    Pacta__V1__Date *due_on = copy->due_on; /* presence of a sub-message */
    copy->due_on = NULL;
    cr_assert_not(messages_equal(&original->base, copy_base));
    copy->due_on = due_on;

    char first = copy->structured_communication[0]; /* string content */
    copy->structured_communication[0] = 'X';
    cr_assert_not(messages_equal(&original->base, copy_base));
    copy->structured_communication[0] = first;

    cr_assert(messages_equal(&original->base, copy_base), "every mutation was undone");
    protobuf_c_message_free_unpacked(copy_base, NULL);
}

Test(messages, fixture_check_catches_a_forgotten_field)
{
    Pacta__V1__Ack ack = PACTA__V1__ACK__INIT;
    ack.message_id = "m-1";
    ack.handled_by = "invoicing-1";
    ack.entity_version = 3;
    /* duplicate left false: the check must report it */
    const ProtobufCFieldDescriptor *duplicate =
        protobuf_c_message_descriptor_get_field_by_name(&pacta__v1__ack__descriptor, "duplicate");
    cr_assert_not_null(duplicate);
    cr_assert_not(field_is_set(&ack.base, duplicate));
    ack.duplicate = 1;
    cr_assert(field_is_set(&ack.base, duplicate));
    assert_every_field_set(&ack.base);
}

/* ---------------------------------------------------------------------------
   Envelope
   ------------------------------------------------------------------------ */

Test(messages, envelope_round_trip_keeps_every_field)
{
    Pacta__V1__Envelope *envelope = make_envelope();
    assert_every_field_set(&envelope->base);
    cr_assert_eq(pacta__v1__envelope__descriptor.n_fields, 12,
                 "the envelope changed: update make_envelope() and docs/messages.md");

    size_t size = pacta__v1__envelope__get_packed_size(envelope);
    uint8_t *buffer = malloc(size);
    cr_assert_not_null(buffer);
    cr_assert_eq(pacta__v1__envelope__pack(envelope, buffer), size);
    Pacta__V1__Envelope *copy = pacta__v1__envelope__unpack(NULL, size, buffer);
    free(buffer);
    cr_assert_not_null(copy);

    cr_assert(messages_equal(&envelope->base, &copy->base));
    cr_assert_str_eq(copy->message_id, "01JKQ5Z8T0C3V7Y2N4M6P8R0S2");
    cr_assert_str_eq(copy->tenant, "capconnect");
    cr_assert_str_eq(copy->message_type, "pacta.v1.InvoiceIssued");
    cr_assert_str_eq(copy->entity_key, "c:C-2025-001");
    cr_assert_eq(copy->occurred_at_ms, INT64_C(1738396800123));
    cr_assert_str_eq(copy->causation_id, "01JKQ5Z8T0C3V7Y2N4M6P8R0S1");
    cr_assert_str_eq(copy->correlation_id, "01JKQ5Z8T0C3V7Y2N4M6P8R0S0");
    cr_assert_str_eq(copy->producer, "accounting");
    cr_assert_eq(copy->schema_version, 1);
    cr_assert_eq(copy->kind, PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_EVENT);
    cr_assert_str_eq(copy->destination, "invoicing");
    cr_assert_eq(copy->payload.len, envelope->payload.len);
    cr_assert_eq(memcmp(copy->payload.data, envelope->payload.data, copy->payload.len), 0);

    /* The payload decodes with the descriptor named by message_type. */
    cr_assert_str_eq(copy->message_type, pacta__v1__invoice_issued__descriptor.name);
    Pacta__V1__InvoiceIssued *invoice = pacta__v1__invoice_issued__unpack(NULL, copy->payload.len, copy->payload.data);
    cr_assert_not_null(invoice);
    cr_assert_str_eq(invoice->invoice_id, "2025-0042");
    cr_assert_eq(invoice->due_on->day, 8);
    cr_assert_eq(invoice->n_lines, 2);
    cr_assert_eq(invoice->lines[1]->amount->cents, 4500);
    pacta__v1__invoice_issued__free_unpacked(invoice, NULL);
    pacta__v1__envelope__free_unpacked(copy, NULL);
}

Test(messages, envelope_extremes_survive)
{
    Pacta__V1__Envelope envelope = PACTA__V1__ENVELOPE__INIT;
    static uint8_t binary[256];
    for (size_t i = 0; i < sizeof binary; i++)
        binary[i] = (uint8_t) i; /* every byte value, NULs included */
    envelope.message_id = "m";
    envelope.occurred_at_ms = INT64_MIN;
    envelope.schema_version = UINT32_MAX;
    envelope.payload.data = binary;
    envelope.payload.len = sizeof binary;
    envelope.kind = PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_REPLY;

    ProtobufCMessage *copy = round_trip(&envelope.base);
    cr_assert(messages_equal(&envelope.base, copy));
    Pacta__V1__Envelope *typed = (Pacta__V1__Envelope *) copy;
    cr_assert_eq(typed->occurred_at_ms, INT64_MIN);
    cr_assert_eq(typed->schema_version, UINT32_MAX);
    cr_assert_eq(typed->payload.data[0], 0);
    cr_assert_eq(typed->payload.data[255], 255);
    protobuf_c_message_free_unpacked(copy, NULL);
}

Test(messages, message_type_is_the_full_proto_name)
{
    cr_assert_str_eq(pacta__v1__envelope__descriptor.name, "pacta.v1.Envelope");
    cr_assert_str_eq(pacta__v1__invoice_issued__descriptor.name, "pacta.v1.InvoiceIssued");
    cr_assert_str_eq(pacta__v1__suspend__descriptor.name, "pacta.v1.Suspend");
    cr_assert_str_eq(pacta__v1__data_subject_request_opened__descriptor.name, "pacta.v1.DataSubjectRequestOpened");
    cr_assert_str_eq(pacta__v1__nack__descriptor.name, "pacta.v1.Nack");
    cr_assert_str_eq(pacta__v1__envelope__descriptor.package_name, "pacta.v1");
}

/* ---------------------------------------------------------------------------
   One representative message per area
   ------------------------------------------------------------------------ */

Test(messages, types_explanation_round_trip)
{
    Pacta__V1__Explanation *why = make_explanation("CC-3b");
    ProtobufCMessage *copy_base = assert_round_trip(&why->base);
    Pacta__V1__Explanation *copy = (Pacta__V1__Explanation *) copy_base;
    cr_assert_str_eq(copy->rule_id, "CC-3b");
    cr_assert_eq(copy->inputs[2]->value_case, PACTA__V1__NAMED_VALUE__VALUE_MONEY);
    cr_assert_eq(copy->inputs[2]->money->cents, 36300);
    cr_assert_eq(copy->parameters[0]->integer, 7);
    cr_assert_str_eq(copy->parameters[0]->unit, "days");
    cr_assert_eq(copy->parameters[1]->rate->value, 200);
    cr_assert_eq(copy->results[1]->value_case, PACTA__V1__NAMED_VALUE__VALUE_FLAG, "a false flag stays set");
    cr_assert_eq(copy->results[0]->date->year, 2025);
    cr_assert_str_eq(copy->sentence_fr, why->sentence_fr);
    protobuf_c_message_free_unpacked(copy_base, NULL);
}

Test(messages, offers_quote_issued_round_trip)
{
    Pacta__V1__QuoteIssued quote = PACTA__V1__QUOTE_ISSUED__INIT;
    quote.quote_id = "Q-2025-117";
    quote.contract_id = "C-2025-117";
    quote.client = make_client(PACTA__V1__PARTY_KIND__PARTY_KIND_CONSUMER);
    quote.issued_on = make_date(2025, 6, 2);
    quote.valid_until = make_date(2025, 6, 17);
    quote.n_items = 2;
    quote.items = make_array(2, sizeof *quote.items);
    quote.items[0] = make_item("1", "gala", 800000, false, false, false);
    quote.items[1] = make_item("2", "decor", 200000, false, false, true);
    quote.total = make_money(1000000);
    quote.deposit_rate = make_rate(3500);
    quote.contract_kind = PACTA__V1__CONTRACT_KIND__CONTRACT_KIND_FIXED_TERM;
    quote.distance_or_off_premises = 1;

    ProtobufCMessage *copy_base = assert_round_trip(&quote.base);
    Pacta__V1__QuoteIssued *copy = (Pacta__V1__QuoteIssued *) copy_base;
    cr_assert_eq(copy->valid_until->day, 17);
    cr_assert_eq(copy->deposit_rate->value, 3500);
    cr_assert(copy->items[1]->customised);
    cr_assert_not(copy->items[0]->customised);
    cr_assert_eq(copy->client->kind, PACTA__V1__PARTY_KIND__PARTY_KIND_CONSUMER);
    protobuf_c_message_free_unpacked(copy_base, NULL);
}

Test(messages, contracts_contract_signed_round_trip)
{
    Pacta__V1__ContractSigned signed_contract = PACTA__V1__CONTRACT_SIGNED__INIT;
    signed_contract.contract_id = "C-2025-001";
    signed_contract.quote_id = "Q-2025-001";
    signed_contract.client = make_client(PACTA__V1__PARTY_KIND__PARTY_KIND_PROFESSIONAL);
    signed_contract.contract_kind = PACTA__V1__CONTRACT_KIND__CONTRACT_KIND_SUBSCRIPTION_PACK;
    signed_contract.pack_code = "start";
    signed_contract.billing_period = PACTA__V1__BILLING_PERIOD__BILLING_PERIOD_MONTHLY;
    signed_contract.recurring_fee = make_money(30000);
    signed_contract.n_items = 2;
    signed_contract.items = make_array(2, sizeof *signed_contract.items);
    signed_contract.items[0] = make_item("pack", "start", 30000, false, false, false);
    signed_contract.items[1] = make_item("ads", "ads-boost", 9900, true, false, false);
    signed_contract.total = make_money(360000);
    signed_contract.signed_on = make_date(2025, 3, 1);
    signed_contract.channel = PACTA__V1__CHANNEL__CHANNEL_E_SIGNATURE;
    signed_contract.order_confirmed_on = make_date(2025, 3, 1);
    signed_contract.distance_or_off_premises = 1;
    signed_contract.sponsor_contract_id = "C-2024-077";
    signed_contract.deposit_rate = make_rate(0);
    signed_contract.express_consent_to_start = 1;

    ProtobufCMessage *copy_base = assert_round_trip(&signed_contract.base);
    Pacta__V1__ContractSigned *copy = (Pacta__V1__ContractSigned *) copy_base;
    cr_assert_str_eq(copy->pack_code, "start");
    cr_assert_eq(copy->signed_on->month, 3);
    cr_assert(copy->items[1]->is_option);
    cr_assert_not_null(copy->deposit_rate, "a 0 %% rate is present, not absent");
    cr_assert_eq(copy->deposit_rate->value, 0);
    protobuf_c_message_free_unpacked(copy_base, NULL);
}

Test(messages, contracts_absent_dates_stay_absent)
{
    /* Presence is carried by sub-messages: a registered letter without a
       proven receipt date must stay "unknown", not become 0000-00-00. */
    Pacta__V1__NoticeDelivery notice = PACTA__V1__NOTICE_DELIVERY__INIT;
    notice.channel = PACTA__V1__CHANNEL__CHANNEL_REGISTERED_LETTER;
    notice.sent_on = make_date(2025, 4, 24);
    notice.reference = "RR123456789BE";
    Pacta__V1__TerminationNoticeGiven given = PACTA__V1__TERMINATION_NOTICE_GIVEN__INIT;
    given.contract_id = "C-2024-310";
    given.given_by = PACTA__V1__PARTY_ROLE__PARTY_ROLE_CLIENT;
    given.notice = &notice;

    ProtobufCMessage *copy_base = round_trip(&given.base);
    cr_assert(messages_equal(&given.base, copy_base));
    Pacta__V1__TerminationNoticeGiven *copy = (Pacta__V1__TerminationNoticeGiven *) copy_base;
    cr_assert_not_null(copy->notice);
    cr_assert_not_null(copy->notice->sent_on);
    cr_assert_eq(copy->notice->sent_on->day, 24);
    cr_assert_null(copy->notice->received_on);
    cr_assert_null(copy->leaves_on);
    protobuf_c_message_free_unpacked(copy_base, NULL);
}

Test(messages, invoicing_invoice_issued_round_trip)
{
    Pacta__V1__InvoiceIssued *invoice = make_invoice_issued();
    ProtobufCMessage *copy_base = assert_round_trip(&invoice->base);
    Pacta__V1__InvoiceIssued *copy = (Pacta__V1__InvoiceIssued *) copy_base;
    cr_assert_str_eq(copy->structured_communication, "123456789002");
    cr_assert_eq(copy->lines[0]->kind, PACTA__V1__LINE_KIND__LINE_KIND_SUBSCRIPTION);
    cr_assert_eq(copy->lines[1]->quantity, 3);
    cr_assert_eq(copy->total_incl_vat->cents, 41745);
    cr_assert_str_eq(copy->total_incl_vat->currency, "EUR");
    cr_assert_str_eq(copy->explanation->rule_id, "CC-3a");
    protobuf_c_message_free_unpacked(copy_base, NULL);
}

Test(messages, invoicing_payment_received_round_trip)
{
    Pacta__V1__PaymentReceived payment = PACTA__V1__PAYMENT_RECEIVED__INIT;
    payment.payment_id = "BNK-2025-02-19-0001";
    payment.amount = make_money(41745);
    payment.value_date = make_date(2025, 2, 19);
    payment.structured_communication = "123456789002";
    payment.free_communication = "facture 2025-0042";
    payment.invoice_id = "2025-0042";
    ProtobufCMessage *copy_base = assert_round_trip(&payment.base);
    Pacta__V1__PaymentReceived *copy = (Pacta__V1__PaymentReceived *) copy_base;
    cr_assert_eq(copy->value_date->day, 19);
    cr_assert_eq(copy->amount->cents, 41745);
    /* Field 7 is reserved (payer IBAN): the descriptor has no such field. */
    cr_assert_null(protobuf_c_message_descriptor_get_field(&pacta__v1__payment_received__descriptor, 7));
    cr_assert_null(protobuf_c_message_descriptor_get_field_by_name(&pacta__v1__payment_received__descriptor,
                                                                   "payer_iban"));
    protobuf_c_message_free_unpacked(copy_base, NULL);
}

Test(messages, enforcement_decision_proposed_round_trip)
{
    Pacta__V1__Suspend *suspend = fixture_alloc(sizeof *suspend);
    pacta__v1__suspend__init(suspend);
    suspend->decision_id = "D-0001";
    suspend->contract_id = "C-2025-001";
    suspend->reason = PACTA__V1__SUSPENSION_REASON__SUSPENSION_REASON_CONTENT;
    suspend->suspended_from = make_date(2025, 5, 13);
    suspend->n_invoice_ids = 2;
    suspend->invoice_ids = make_array(2, sizeof *suspend->invoice_ids);
    suspend->invoice_ids[0] = "2025-0042";
    suspend->invoice_ids[1] = "2025-0043";
    suspend->content_id = "content-may-week-2";
    suspend->explanation = make_explanation("CC-4");

    Pacta__V1__DecisionProposed proposed = PACTA__V1__DECISION_PROPOSED__INIT;
    proposed.decision_id = "D-0001";
    proposed.contract_id = "C-2025-001";
    proposed.rule_id = "CC-4";
    proposed.proposed_on = make_date(2025, 5, 13);
    proposed.decision_case = PACTA__V1__DECISION_PROPOSED__DECISION_SUSPEND;
    proposed.suspend = suspend;
    proposed.explanation = make_explanation("CC-4");
    proposed.proposed_by = "enforcement";

    assert_every_field_set(&suspend->base);
    ProtobufCMessage *copy_base = assert_round_trip(&proposed.base);
    Pacta__V1__DecisionProposed *copy = (Pacta__V1__DecisionProposed *) copy_base;
    cr_assert_eq(copy->decision_case, PACTA__V1__DECISION_PROPOSED__DECISION_SUSPEND);
    cr_assert_eq(copy->suspend->reason, PACTA__V1__SUSPENSION_REASON__SUSPENSION_REASON_CONTENT);
    cr_assert_eq(copy->suspend->n_invoice_ids, 2);
    cr_assert_str_eq(copy->suspend->invoice_ids[1], "2025-0043");
    cr_assert_str_eq(copy->proposed_by, "enforcement");
    protobuf_c_message_free_unpacked(copy_base, NULL);
}

Test(messages, notifications_notification_requested_round_trip)
{
    Pacta__V1__NotificationRequested request = PACTA__V1__NOTIFICATION_REQUESTED__INIT;
    request.notification_id = "N-0001";
    request.contract_id = "C-2025-001";
    request.subject_id = "S-0007";
    request.template_id = "cc-3b.suspended";
    request.channel = PACTA__V1__CHANNEL__CHANNEL_EMAIL;
    request.language = PACTA__V1__LANGUAGE__LANGUAGE_NL;
    request.n_parameters = 1;
    request.parameters = make_array(1, sizeof *request.parameters);
    request.parameters[0] = make_named("suspended_from", "");
    request.parameters[0]->value_case = PACTA__V1__NAMED_VALUE__VALUE_DATE;
    request.parameters[0]->date = make_date(2025, 2, 9);
    request.explanation = make_explanation("CC-3b");
    request.recipient_override = "ops@example.test";

    ProtobufCMessage *copy_base = assert_round_trip(&request.base);
    Pacta__V1__NotificationRequested *copy = (Pacta__V1__NotificationRequested *) copy_base;
    cr_assert_str_eq(copy->template_id, "cc-3b.suspended");
    cr_assert_eq(copy->language, PACTA__V1__LANGUAGE__LANGUAGE_NL);
    cr_assert_eq(copy->parameters[0]->date->day, 9);
    protobuf_c_message_free_unpacked(copy_base, NULL);
}

Test(messages, gdpr_request_opened_round_trip)
{
    Pacta__V1__DataSubjectRequestOpened opened = PACTA__V1__DATA_SUBJECT_REQUEST_OPENED__INIT;
    opened.request_id = "R-0001";
    opened.subject_id = "S-0007";
    opened.right = PACTA__V1__DATA_SUBJECT_RIGHT__DATA_SUBJECT_RIGHT_RECTIFICATION;
    opened.received_on = make_date(2025, 1, 31);
    opened.channel = PACTA__V1__CHANNEL__CHANNEL_EMAIL;
    opened.n_corrections = 1;
    opened.corrections = make_array(1, sizeof *opened.corrections);
    opened.corrections[0] = fixture_alloc(sizeof *opened.corrections[0]);
    pacta__v1__personal_field__init(opened.corrections[0]);
    opened.corrections[0]->category = PACTA__V1__PERSONAL_DATA_CATEGORY__PERSONAL_DATA_CATEGORY_CONTACT;
    opened.corrections[0]->name = "email";
    opened.corrections[0]->value = "marie.dupont@example.test";
    Pacta__V1__PersonalDataCategory categories[] = {
        PACTA__V1__PERSONAL_DATA_CATEGORY__PERSONAL_DATA_CATEGORY_IDENTITY,
        PACTA__V1__PERSONAL_DATA_CATEGORY__PERSONAL_DATA_CATEGORY_CONTACT,
        PACTA__V1__PERSONAL_DATA_CATEGORY__PERSONAL_DATA_CATEGORY_ACCOUNTING,
    };
    opened.n_categories = 3; /* a packed repeated enum */
    opened.categories = categories;
    opened.purpose = "marketing e-mails";

    ProtobufCMessage *copy_base = assert_round_trip(&opened.base);
    Pacta__V1__DataSubjectRequestOpened *copy = (Pacta__V1__DataSubjectRequestOpened *) copy_base;
    cr_assert_eq(copy->n_categories, 3);
    cr_assert_eq(copy->categories[2], PACTA__V1__PERSONAL_DATA_CATEGORY__PERSONAL_DATA_CATEGORY_ACCOUNTING);
    cr_assert_str_eq(copy->corrections[0]->value, "marie.dupont@example.test");
    cr_assert_eq(copy->received_on->day, 31);
    protobuf_c_message_free_unpacked(copy_base, NULL);
}

Test(messages, timers_timer_fired_round_trip)
{
    Pacta__V1__TimerFired fired = PACTA__V1__TIMER_FIRED__INIT;
    fired.timer_id = "t:c:C-2025-001:invoice.due_passed:2025-0042";
    fired.entity_key = "c:C-2025-001";
    fired.purpose = "invoice.due_passed";
    fired.rule_id = "CC-3b";
    fired.fires_on = make_date(2025, 2, 9);
    fired.fired_at_ms = INT64_C(1739055600000); /* 2025-02-09T00:00 Brussels */
    fired.reference_id = "2025-0042";
    fired.attempt = 2;

    ProtobufCMessage *copy_base = assert_round_trip(&fired.base);
    Pacta__V1__TimerFired *copy = (Pacta__V1__TimerFired *) copy_base;
    cr_assert_eq(copy->fired_at_ms, INT64_C(1739055600000));
    cr_assert_eq(copy->attempt, 2);
    cr_assert_str_eq(copy->purpose, "invoice.due_passed");
    protobuf_c_message_free_unpacked(copy_base, NULL);
}

Test(messages, ack_and_nack_round_trip)
{
    Pacta__V1__Nack nack = PACTA__V1__NACK__INIT;
    nack.message_id = "01JKQ5Z8T0C3V7Y2N4M6P8R0S2";
    nack.reason = PACTA__V1__NACK_REASON__NACK_REASON_QUEUE_FULL;
    nack.detail = "la file d'attente de invoicing est pleine / invoicing queue is full";
    nack.field = "envelope.destination";
    nack.retryable = 1;
    nack.retry_after_ms = 250;
    nack.handled_by = "bus";
    ProtobufCMessage *nack_copy = assert_round_trip(&nack.base);
    cr_assert_eq(((Pacta__V1__Nack *) nack_copy)->reason, PACTA__V1__NACK_REASON__NACK_REASON_QUEUE_FULL);
    cr_assert_str_eq(((Pacta__V1__Nack *) nack_copy)->field, "envelope.destination");
    protobuf_c_message_free_unpacked(nack_copy, NULL);

    Pacta__V1__Ack ack = PACTA__V1__ACK__INIT;
    ack.message_id = "01JKQ5Z8T0C3V7Y2N4M6P8R0S2";
    ack.duplicate = 1;
    ack.handled_by = "invoicing-2";
    ack.entity_version = UINT64_MAX;
    ProtobufCMessage *ack_copy = assert_round_trip(&ack.base);
    cr_assert_eq(((Pacta__V1__Ack *) ack_copy)->entity_version, UINT64_MAX);
    protobuf_c_message_free_unpacked(ack_copy, NULL);
}

Test(messages, nack_reasons_cover_the_brief)
{
    static const char *const required[] = {
        "NACK_REASON_INVALID",        "NACK_REASON_UNAUTHORISED", "NACK_REASON_UNKNOWN_TYPE",
        "NACK_REASON_TOO_LARGE",      "NACK_REASON_UNKNOWN_ENTITY", "NACK_REASON_WRONG_TENANT",
        "NACK_REASON_CONFLICT",       "NACK_REASON_RETRY_LATER",  "NACK_REASON_NO_CAPACITY",
        "NACK_REASON_QUEUE_FULL",     "NACK_REASON_INTERNAL",
    };
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
        cr_assert_not_null(protobuf_c_enum_descriptor_get_value_by_name(&pacta__v1__nack_reason__descriptor,
                                                                        required[i]),
                           "missing %s", required[i]);
}

/* ---------------------------------------------------------------------------
   Hostile input: never a crash, NULL where the bytes cannot be a message
   ------------------------------------------------------------------------ */

Test(messages, truncated_bytes_are_refused)
{
    Pacta__V1__Envelope *envelope = make_envelope();
    size_t size = 0;
    uint8_t *bytes = pack_to_fixture(&envelope->base, &size);
    cr_assert_gt(size, 100);

    /* The last field is a length-delimited string: one byte short cannot decode. */
    cr_assert_null(pacta__v1__envelope__unpack(NULL, size - 1, bytes));

    /* Cut inside the payload's bytes: the length prefix promises more than is there. */
    Pacta__V1__Envelope probe = PACTA__V1__ENVELOPE__INIT;
    probe.payload = envelope->payload;
    size_t payload_field_size = pacta__v1__envelope__get_packed_size(&probe);
    size_t payload_field_start = 0;
    for (size_t i = 0; i + payload_field_size <= size; i++) {
        if (memcmp(bytes + i + payload_field_size - envelope->payload.len, envelope->payload.data,
                   envelope->payload.len) == 0) {
            payload_field_start = i;
            break;
        }
    }
    cr_assert_gt(payload_field_start, 0, "payload not found in the packed envelope");
    cr_assert_null(pacta__v1__envelope__unpack(NULL, payload_field_start + payload_field_size / 2, bytes));

    /* Every prefix: either NULL or a message (a cut on a field boundary is a
       valid shorter message), never a crash. */
    size_t refused = 0;
    for (size_t cut = 0; cut < size; cut++) {
        Pacta__V1__Envelope *partial = pacta__v1__envelope__unpack(NULL, cut, bytes);
        if (partial == NULL)
            refused++;
        else
            pacta__v1__envelope__free_unpacked(partial, NULL);
    }
    cr_assert_gt(refused, size / 2, "only %zu of %zu prefixes were refused", refused, size);
}

Test(messages, garbage_bytes_are_refused)
{
    static const struct {
        const char *why;     /* what is wrong with the bytes */
        uint8_t bytes[12];   /* the bytes */
        size_t len;          /* how many of them */
    } cases[] = {
        { "wire type 7 does not exist", { 0x0F }, 1 },
        { "wire type 6 does not exist", { 0x0E, 0x00 }, 2 },
        { "unterminated varint tag", { 0x80 }, 1 },
        { "unterminated varint value", { 0x28, 0x80, 0x80 }, 3 },
        { "varint longer than 10 bytes", { 0x28, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 }, 12 },
        { "string longer than the buffer", { 0x0A, 0x05, 'a', 'b' }, 4 },
        { "bytes length near 2^32", { 0x52, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x00 }, 7 },
        { "field number 0", { 0x00, 0x01 }, 2 },
        { "all ones", { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF }, 8 },
        { "string field sent as a varint", { 0x08, 0x01 }, 2 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        Pacta__V1__Envelope *decoded = pacta__v1__envelope__unpack(NULL, cases[i].len, cases[i].bytes);
        cr_expect_null(decoded, "accepted: %s", cases[i].why);
        if (decoded != NULL)
            pacta__v1__envelope__free_unpacked(decoded, NULL);
    }
}

Test(messages, random_bytes_never_crash)
{
    /* xorshift64 with a fixed seed: reproducible noise. */
    uint64_t state = UINT64_C(0x9E3779B97F4A7C15);
    uint8_t buffer[512];
    const ProtobufCMessageDescriptor *targets[] = {
        &pacta__v1__envelope__descriptor,         &pacta__v1__invoice_issued__descriptor,
        &pacta__v1__decision_proposed__descriptor, &pacta__v1__data_subject_request_opened__descriptor,
        &pacta__v1__explanation__descriptor,
    };
    size_t decoded = 0;
    size_t refused = 0;
    for (int attempt = 0; attempt < 5000; attempt++) {
        size_t len = (size_t) (attempt % (int) sizeof buffer);
        for (size_t i = 0; i < len; i++) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            buffer[i] = (uint8_t) state;
        }
        const ProtobufCMessageDescriptor *target = targets[attempt % 5];
        ProtobufCMessage *message = protobuf_c_message_unpack(target, NULL, len, buffer);
        if (message == NULL) {
            refused++;
            continue;
        }
        decoded++;
        /* Whatever decoded must re-pack consistently. */
        size_t size = protobuf_c_message_get_packed_size(message);
        uint8_t *again = malloc(size > 0 ? size : 1);
        cr_assert_not_null(again);
        cr_assert_eq(protobuf_c_message_pack(message, again), size);
        free(again);
        protobuf_c_message_free_unpacked(message, NULL);
    }
    cr_assert_gt(refused, 0);
    cr_assert_eq(decoded + refused, 5000);
}

Test(messages, empty_bytes_decode_to_defaults_so_receivers_must_validate)
{
    /* proto3: zero bytes are a valid, empty message. This is why every
       receiver checks required fields itself and NACKs with
       NACK_REASON_INVALID and the field name. */
    Pacta__V1__Envelope *empty = pacta__v1__envelope__unpack(NULL, 0, (const uint8_t *) "");
    cr_assert_not_null(empty);
    cr_assert_str_eq(empty->message_id, "");
    cr_assert_eq(empty->schema_version, 0);
    cr_assert_eq(empty->kind, PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_UNSPECIFIED);
    pacta__v1__envelope__free_unpacked(empty, NULL);
}

Test(messages, unknown_fields_are_skipped_for_forward_compatibility)
{
    /* A newer producer may add fields (additive rule of docs/messages.md):
       an older receiver still decodes what it knows. */
    Pacta__V1__Envelope *envelope = make_envelope();
    size_t size = 0;
    uint8_t *bytes = pack_to_fixture(&envelope->base, &size);
    uint8_t *longer = fixture_alloc(size + 8);
    memcpy(longer, bytes, size);
    const uint8_t extra[] = { 0xF8, 0x06, 0x2A, 0x82, 0x07, 0x02, 'h', 'i' }; /* field 111 = 42, field 112 = "hi" */
    memcpy(longer + size, extra, sizeof extra);

    Pacta__V1__Envelope *copy = pacta__v1__envelope__unpack(NULL, size + sizeof extra, longer);
    cr_assert_not_null(copy);
    cr_assert(messages_equal(&envelope->base, &copy->base));
    cr_assert_eq(copy->base.n_unknown_fields, 2);
    pacta__v1__envelope__free_unpacked(copy, NULL);
}
