/*  Tests for pacta_pbjson: JSON -> protobuf -> wire -> protobuf -> JSON
    round trips over real catalogue messages, the special forms (dates,
    amounts, percentages, enums, bytes, oneofs), and refusals that name the
    offending field. */
#include <criterion/criterion.h>
#include <string.h>

#include "pacta/v1/envelope.pb-c.h"
#include "pacta/v1/invoicing.pb-c.h"
#include "pacta/v1/types.pb-c.h"
#include "pacta_pbjson.h"
#include "pacta_proto_registry.h"

static const ProtobufCMessageDescriptor *
s_type(const char *name)
{
    const ProtobufCMessageDescriptor *d = pacta_proto_find(name, strlen(name));
    cr_assert_not_null(d, "%s exists", name);
    return d;
}

static json_t *
s_json(const char *text)
{
    json_error_t error;
    json_t *json = json_loads(text, 0, &error);
    cr_assert_not_null(json, "test JSON: %s", error.text);
    return json;
}

//  decode -> pack -> unpack -> encode, and compare with the input.
static void
s_round_trip(const char *type, const char *text)
{
    json_t *input = s_json(text);
    char err[256];
    ProtobufCMessage *message = pacta_pbjson_decode(s_type(type), input, err, sizeof err);
    cr_assert_not_null(message, "%s: %s", type, err);
    const size_t size = protobuf_c_message_get_packed_size(message);
    uint8_t *wire = malloc(size + 1);
    cr_assert_eq(protobuf_c_message_pack(message, wire), size);
    ProtobufCMessage *back = protobuf_c_message_unpack(s_type(type), NULL, size, wire);
    cr_assert_not_null(back);
    json_t *output = pacta_pbjson_encode(back);
    cr_assert_not_null(output);
    char *dumped_in = json_dumps(input, JSON_SORT_KEYS | JSON_COMPACT);
    char *dumped_out = json_dumps(output, JSON_SORT_KEYS | JSON_COMPACT);
    cr_assert(json_equal(input, output), "round trip of %s:\n in  %s\n out %s", type, dumped_in, dumped_out);
    free(dumped_in);
    free(dumped_out);
    json_decref(output);
    protobuf_c_message_free_unpacked(back, NULL);
    protobuf_c_message_free_unpacked(message, NULL);
    free(wire);
    json_decref(input);
}

//  Decoding text must fail with an error starting with "path: " and
//  containing fragment.
static void
s_refused(const char *type, const char *text, const char *path, const char *fragment)
{
    json_t *input = s_json(text);
    char err[512];
    ProtobufCMessage *message = pacta_pbjson_decode(s_type(type), input, err, sizeof err);
    cr_assert_null(message, "%s must be refused", text);
    char prefix[128];
    snprintf(prefix, sizeof prefix, "%s: ", path);
    cr_assert(strncmp(err, prefix, strlen(prefix)) == 0, "error names %s: got \"%s\"", path, err);
    cr_assert(strstr(err, fragment), "error says \"%s\": got \"%s\"", fragment, err);
    json_decref(input);
}

Test(pbjson, invoice_round_trip)
{
    s_round_trip("pacta.v1.InvoiceIssued",
                 "{\"invoice_id\":\"F-2025-014\",\"contract_id\":\"C-1\",\"kind\":\"periodic\","
                 "\"issued_on\":\"2025-02-01\",\"due_on\":\"2025-02-08\",\"structured_communication\":\"123456789002\","
                 "\"lines\":[{\"line_id\":\"1\",\"kind\":\"subscription\",\"description\":\"Pack Start février\","
                 "\"quantity\":1,\"unit_amount\":\"300.00\",\"amount\":\"300.00\",\"vat_rate\":\"21.00\"},"
                 "{\"line_id\":\"2\",\"kind\":\"option\",\"quantity\":2,\"amount\":\"-12.50\"}]}");
}

Test(pbjson, payment_and_oneof_round_trip)
{
    s_round_trip("pacta.v1.PaymentReceived",
                 "{\"payment_id\":\"BANK-77\",\"amount\":\"300.00\",\"value_date\":\"2025-02-19\","
                 "\"structured_communication\":\"123456789002\"}");
    s_round_trip("pacta.v1.NamedValue", "{\"name\":\"due_on\",\"date\":\"2025-02-08\"}");
    s_round_trip("pacta.v1.NamedValue", "{\"name\":\"notice\",\"integer\":3,\"unit\":\"months\"}");
    s_round_trip("pacta.v1.NamedValue", "{\"name\":\"paid\",\"flag\":true}");
}

Test(pbjson, envelope_bytes_and_64_bit)
{
    s_round_trip("pacta.v1.Envelope",
                 "{\"message_id\":\"m-1\",\"tenant\":\"capconnect\",\"message_type\":\"pacta.v1.InvoiceIssued\","
                 "\"entity_key\":\"c:C-1\",\"occurred_at_ms\":1738368000000,\"schema_version\":1,"
                 "\"payload\":\"AAEC/w==\",\"kind\":\"event\"}");
    //  A 64-bit integer may come as a string; it is written back as a number.
    json_t *input = s_json("{\"occurred_at_ms\":\"1738368000000\"}");
    char err[256];
    Pacta__V1__Envelope *envelope =
        (Pacta__V1__Envelope *) pacta_pbjson_decode(&pacta__v1__envelope__descriptor, input, err, sizeof err);
    cr_assert_not_null(envelope, "%s", err);
    cr_assert_eq(envelope->occurred_at_ms, 1738368000000LL);
    protobuf_c_message_free_unpacked(&envelope->base, NULL);
    json_decref(input);
}

Test(pbjson, special_forms)
{
    json_t *input = s_json("{\"amount\":\"1234.5\",\"value_date\":\"2024-02-29\"}");
    char err[256];
    Pacta__V1__PaymentReceived *payment = (Pacta__V1__PaymentReceived *) pacta_pbjson_decode(
        &pacta__v1__payment_received__descriptor, input, err, sizeof err);
    cr_assert_not_null(payment, "%s", err);
    cr_assert_eq(payment->amount->cents, 123450);
    cr_assert_str_eq(payment->amount->currency, "EUR");
    cr_assert_eq(payment->value_date->year, 2024);
    cr_assert_eq(payment->value_date->month, 2);
    cr_assert_eq(payment->value_date->day, 29);
    json_t *output = pacta_pbjson_encode(&payment->base);
    cr_assert_str_eq(json_string_value(json_object_get(output, "amount")), "1234.50");
    cr_assert_null(json_object_get(output, "invoice_id"), "defaults are omitted");
    json_decref(output);
    protobuf_c_message_free_unpacked(&payment->base, NULL);
    json_decref(input);

    //  Enums accept the short and the full name; an integer amount is fine.
    input = s_json("{\"kind\":\"INVOICE_KIND_DEPOSIT\",\"lines\":[{\"amount\":35}]}");
    Pacta__V1__InvoiceIssued *invoice = (Pacta__V1__InvoiceIssued *) pacta_pbjson_decode(
        &pacta__v1__invoice_issued__descriptor, input, err, sizeof err);
    cr_assert_not_null(invoice, "%s", err);
    cr_assert_eq(invoice->kind, PACTA__V1__INVOICE_KIND__INVOICE_KIND_DEPOSIT);
    cr_assert_eq(invoice->lines[0]->amount->cents, 3500);
    protobuf_c_message_free_unpacked(&invoice->base, NULL);
    json_decref(input);

    char name[64];
    cr_assert_str_eq(pacta_pbjson_enum_name(&pacta__v1__party_kind__descriptor, PACTA__V1__PARTY_KIND__PARTY_KIND_CONSUMER,
                                            name, sizeof name),
                     "consumer");
}

Test(pbjson, refusals_name_the_field)
{
    s_refused("pacta.v1.InvoiceIssued", "{\"issued_on\":\"2025-02-30\"}", "issued_on", "a date like 2025-02-01");
    s_refused("pacta.v1.InvoiceIssued", "{\"issued_on\":20250201}", "issued_on", "a date");
    s_refused("pacta.v1.InvoiceIssued", "{\"lines\":[{\"amount\":\"1.00\"},{\"amount\":\"12.345\"}]}",
              "lines[1].amount", "an amount like 1234.56");
    s_refused("pacta.v1.InvoiceIssued", "{\"lines\":[{\"amount\":12.5}]}", "lines[0].amount", "floating-point");
    s_refused("pacta.v1.InvoiceIssued", "{\"invoice_idd\":\"F-1\"}", "invoice_idd", "did you mean \"invoice_id\"");
    s_refused("pacta.v1.InvoiceIssued", "{\"kind\":\"monthly\"}", "kind", "one of: unspecified, periodic");
    s_refused("pacta.v1.InvoiceIssued", "{\"invoice_id\":42}", "invoice_id", "must be a string");
    s_refused("pacta.v1.InvoiceIssued", "{\"lines\":{}}", "lines", "must be an array");
    s_refused("pacta.v1.InvoiceIssued", "{\"lines\":[null]}", "lines[0]", "null");
    s_refused("pacta.v1.InvoiceIssued", "{\"lines\":[{\"quantity\":4294967296}]}", "lines[0].quantity", "between");
    s_refused("pacta.v1.NamedValue", "{\"text\":\"a\",\"integer\":1}", "integer", "only one field of this oneof");
    s_refused("pacta.v1.Envelope", "{\"payload\":\"not base64!\"}", "payload", "base64");
    s_refused("pacta.v1.Envelope", "{\"schema_version\":-1}", "schema_version", "between");
    s_refused("pacta.v1.PaymentReceived", "[]", "(message)", "must be an object");
}

Test(pbjson, every_catalogue_message_survives_an_empty_object)
{
    //  The descriptor walk copes with every message of the schema.
    json_t *empty = json_object();
    for (size_t i = 0; i < pacta_proto_count(); i++) {
        const ProtobufCMessageDescriptor *d = pacta_proto_at(i);
        if (!strcmp(d->name, "pacta.v1.Date") || !strcmp(d->name, "pacta.v1.Money")
            || !strcmp(d->name, "pacta.v1.BasisPoints"))
            continue;
        char err[256];
        ProtobufCMessage *message = pacta_pbjson_decode(d, empty, err, sizeof err);
        cr_assert_not_null(message, "%s: %s", d->name, err);
        json_t *back = pacta_pbjson_encode(message);
        cr_assert(json_equal(back, empty), "%s encodes to {}", d->name);
        json_decref(back);
        protobuf_c_message_free_unpacked(message, NULL);
    }
    json_decref(empty);
}
