/*  =========================================================================
    pacta_proto_registry - message type name to protobuf-c descriptor

    The envelope carries its payload as bytes plus a type name
    ("pacta.v1.InvoiceIssued"). Receivers look the name up here to unpack
    it. The table is generated at build time from the protoc-c headers, so
    a message added to a .proto file is known without touching this code.
    =========================================================================
*/
#ifndef PACTA_PROTO_REGISTRY_H_INCLUDED
#define PACTA_PROTO_REGISTRY_H_INCLUDED

#include <protobuf-c/protobuf-c.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The descriptor of the fully qualified message type name, or NULL when no
   message of that name exists. name need not be NUL-terminated: len bytes. */
const ProtobufCMessageDescriptor *pacta_proto_find(const char *name, size_t len);
/* Number of known message types, and the index-th of them (sorted by
   fully qualified name), for listings and tests. */
size_t pacta_proto_count(void);
const ProtobufCMessageDescriptor *pacta_proto_at(size_t index);

#ifdef __cplusplus
}
#endif

#endif
