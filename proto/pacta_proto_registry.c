/*  =========================================================================
    pacta_proto_registry - message type name to protobuf-c descriptor

    The generated table is sorted by C name; the first lookup builds an
    index sorted by fully qualified name so every later lookup is a binary
    search. The index is built once under pthread_once, so lookups are safe
    from any thread.
    =========================================================================
*/
#include "pacta_proto_registry.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

extern const ProtobufCMessageDescriptor *const pacta_proto_descriptors[];
extern const size_t pacta_proto_descriptor_count;

static const ProtobufCMessageDescriptor **s_by_name;   /* sorted by ->name; NULL if allocation failed */
static pthread_once_t s_once = PTHREAD_ONCE_INIT;

static int
s_compare_names(const void *a, const void *b)
{
    const ProtobufCMessageDescriptor *const *left = a;
    const ProtobufCMessageDescriptor *const *right = b;
    return strcmp((*left)->name, (*right)->name);
}

static void
s_build_index(void)
{
    s_by_name = malloc(pacta_proto_descriptor_count * sizeof *s_by_name);
    if (!s_by_name)
        return;
    for (size_t i = 0; i < pacta_proto_descriptor_count; i++)
        s_by_name[i] = pacta_proto_descriptors[i];
    qsort(s_by_name, pacta_proto_descriptor_count, sizeof *s_by_name, s_compare_names);
}

size_t
pacta_proto_count(void)
{
    pthread_once(&s_once, s_build_index);
    return s_by_name ? pacta_proto_descriptor_count : 0;
}

const ProtobufCMessageDescriptor *
pacta_proto_at(size_t index)
{
    return index < pacta_proto_count() ? s_by_name[index] : NULL;
}

const ProtobufCMessageDescriptor *
pacta_proto_find(const char *name, size_t len)
{
    size_t low = 0, high = pacta_proto_count();
    if (!name || len == 0)
        return NULL;
    while (low < high) {
        const size_t mid = low + (high - low) / 2;
        const char *candidate = s_by_name[mid]->name;
        int order = strncmp(candidate, name, len);
        if (order == 0)
            order = candidate[len] == '\0' ? 0 : 1;
        if (order == 0)
            return s_by_name[mid];
        if (order < 0)
            low = mid + 1;
        else
            high = mid;
    }
    return NULL;
}
