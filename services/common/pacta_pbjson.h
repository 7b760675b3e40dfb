/*  =========================================================================
    pacta_pbjson - the JSON form of every pacta.v1 message

    Operators and integrators write events as JSON (pactactl send/replay,
    docs/events-json.md); the bus carries protobuf. This module converts
    between the two for ANY message, driven by the protobuf-c descriptors, so
    a message added to a .proto file has its JSON form at once.

    The JSON form:
      - field names exactly as in the .proto files (snake_case);
      - pacta.v1.Date        "2025-02-01"
      - pacta.v1.Money       "1234.56" (euros, dot decimal, EUR implied)
      - pacta.v1.BasisPoints "4.50"    (a percentage)
      - enums                the value name without its type prefix, lower
                             case: PARTY_KIND_CONSUMER -> "consumer"
                             (the full name "PARTY_KIND_CONSUMER" is accepted)
      - 32-bit integers      JSON numbers; 64-bit integers JSON numbers or
                             decimal strings
      - bytes                base64 strings
      - repeated fields      arrays; nested messages objects
      - absent or null       the field's default (proto3)
    Decoding is strict: an unknown field, a wrong type, an impossible date,
    an amount with three decimals, two members of one oneof... are refused
    with "path.to.field: what is wrong" (e.g. "lines[1].amount: must be an
    amount like 1234.56, got 12.345"). Encoding omits default values.
    =========================================================================
*/
#ifndef PACTA_PBJSON_H_INCLUDED
#define PACTA_PBJSON_H_INCLUDED

#include <jansson.h>
#include <protobuf-c/protobuf-c.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A new message of type descriptor built from json (an object). NULL on any
   problem, with one line "field.path: what is wrong" in err. Free the result
   with protobuf_c_message_free_unpacked(msg, NULL). */
ProtobufCMessage *pacta_pbjson_decode(const ProtobufCMessageDescriptor *descriptor, const json_t *json, char *err,
                                      size_t err_size);
/* The JSON form of message (a new reference: json_decref it). NULL only when
   out of memory. */
json_t *pacta_pbjson_encode(const ProtobufCMessage *message);

/* The JSON name of an enum value ("consumer" for PARTY_KIND_CONSUMER). buf
   receives it; returns buf. */
char *pacta_pbjson_enum_name(const ProtobufCEnumDescriptor *descriptor, int value, char *buf, size_t size);

#ifdef __cplusplus
}
#endif

#endif
