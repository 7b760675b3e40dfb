/*  =========================================================================
    bus_routes - the subscription table of the bus

    The default table is the five services' own `consumes` lists, read from
    their *_core libraries, so the code that handles a message type and the
    bus that routes it cannot disagree (tests/services/test_consumes.c ties
    the same lists to docs/messages.md). A small text file adds classes the
    build does not know about.

    Design decision: classes and types get dense indices on insertion and
    the table is immutable once the broker starts, so the broker keeps flat
    arrays indexed by them (queues, metrics) instead of string maps on its
    hot path; only the incoming type name is looked up by string, once per
    message.
    =========================================================================
*/
#include "bus_routes.h"

#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus_file.h"
#include "pacta_map.h"
#include "ctr_service.h"
#include "enf_service.h"
#include "gdpr_service.h"
#include "inv_service.h"
#include "ntf_service.h"
#include "pacta_bus_wire.h"

typedef struct {
    char *name;                  /* message type, owned */
    size_t *classes;             /* indices of the classes consuming it, owned */
    size_t class_count;          /* used entries of classes */
} type_row_t;

struct bus_routes {
    char *classes[BUS_ROUTES_CLASSES_MAX]; /* class names, owned */
    size_t class_count;          /* used entries of classes */
    type_row_t *types;           /* one row per distinct type */
    size_t type_count;           /* used rows */
    size_t type_capacity;        /* allocated rows */
    pacta_map_t *type_index;       /* type name -> (index + 1) as a pointer */
};

/* An empty table; the bus refuses to start if it stays empty. */
bus_routes_t *
bus_routes_new(void)
{
    bus_routes_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->type_index = pacta_map_new();
    if (!self->type_index) {
        free(self);
        return NULL;
    }
    return self;
}

/* Frees names, rows and the index. */
void
bus_routes_destroy(bus_routes_t **self_p)
{
    assert(self_p);
    bus_routes_t *self = *self_p;
    if (!self)
        return;
    for (size_t i = 0; i < self->class_count; i++)
        free(self->classes[i]);
    for (size_t i = 0; i < self->type_count; i++) {
        free(self->types[i].name);
        free(self->types[i].classes);
    }
    free(self->types);
    pacta_map_destroy(&self->type_index);
    free(self);
    *self_p = NULL;
}

/* Linear: a handful of classes, looked up only at READY. */
int
bus_routes_class_index(const bus_routes_t *self, const char *name, size_t len)
{
    assert(self && name);
    for (size_t i = 0; i < self->class_count; i++)
        if (strlen(self->classes[i]) == len && memcmp(self->classes[i], name, len) == 0)
            return (int) i;
    return -1;
}

/* Hashed: looked up once per message on the hot path. */
int
bus_routes_type_index(const bus_routes_t *self, const char *name, size_t len)
{
    assert(self && name);
    void *found = pacta_map_get(self->type_index, name, len);
    return found ? (int) ((uintptr_t) found - 1) : -1;
}

/* Index of class name, adding it when new; -1 when full or out of memory. */
static int
s_class(bus_routes_t *self, const char *name)
{
    int index = bus_routes_class_index(self, name, strlen(name));
    if (index >= 0)
        return index;
    if (self->class_count >= BUS_ROUTES_CLASSES_MAX)
        return -1;
    char *copy = strdup(name);
    if (!copy)
        return -1;
    self->classes[self->class_count] = copy;
    return (int) self->class_count++;
}

/* Index of type name, adding it when new; -1 when full or out of memory. */
static int
s_type(bus_routes_t *self, const char *name)
{
    size_t len = strlen(name);
    int index = bus_routes_type_index(self, name, len);
    if (index >= 0)
        return index;
    if (self->type_count >= BUS_ROUTES_TYPES_MAX)
        return -1;
    if (self->type_count == self->type_capacity) {
        size_t capacity = self->type_capacity ? self->type_capacity * 2 : 64;
        type_row_t *grown = realloc(self->types, capacity * sizeof *grown);
        if (!grown)
            return -1;
        self->types = grown;
        self->type_capacity = capacity;
    }
    type_row_t *row = &self->types[self->type_count];
    memset(row, 0, sizeof *row);
    row->name = strdup(name);
    if (!row->name)
        return -1;
    if (pacta_map_put(self->type_index, name, len, (void *) (uintptr_t) (self->type_count + 1)) != 0) {
        free(row->name);
        return -1;
    }
    return (int) self->type_count++;
}

/* Validates both names as the wire would, so a bad routes line cannot create a route no message
   could use. */
int
bus_routes_add(bus_routes_t *self, const char *service_class, const char *type)
{
    assert(self && service_class && type);
    if (!pacta_bus_token_valid(service_class, strlen(service_class), PACTA_BUS_NAME_MAX)
        || !pacta_bus_token_valid(type, strlen(type), PACTA_BUS_TYPE_MAX))
        return -1;
    int class_index = s_class(self, service_class);
    if (class_index < 0)
        return -1;
    int type_index = s_type(self, type);
    if (type_index < 0)
        return -1;
    type_row_t *row = &self->types[type_index];
    for (size_t i = 0; i < row->class_count; i++)
        if (row->classes[i] == (size_t) class_index)
            return 0;
    size_t *grown = realloc(row->classes, (row->class_count + 1) * sizeof *grown);
    if (!grown)
        return -1;
    row->classes = grown;
    row->classes[row->class_count++] = (size_t) class_index;
    return 0;
}

/* The five services' consumes lists, straight from their *_core libraries: the code that handles a
   type and the bus that routes it cannot disagree. */
int
bus_routes_add_builtin(bus_routes_t *self)
{
    assert(self);
    const pacta_service_spec_t *specs[] = {ctr_service_spec(), inv_service_spec(), enf_service_spec(),
                                           ntf_service_spec(), gdpr_service_spec()};
    for (size_t s = 0; s < sizeof specs / sizeof specs[0]; s++) {
        const pacta_service_spec_t *spec = specs[s];
        if (!spec || !spec->consumes)
            continue;
        for (size_t i = 0; spec->consumes[i]; i++)
            if (bus_routes_add(self, spec->name, spec->consumes[i]) != 0)
                return -1;
    }
    return 0;
}

/* Line-based, comments allowed, every token checked; the error names source and line. */
int
bus_routes_parse(bus_routes_t *self, const char *text, size_t len, const char *source, char *err,
                 size_t err_size)
{
    assert(self && (text || len == 0));
    const char *name = source ? source : "routes";
    const char *cursor = text;
    const char *end = text + len;
    size_t line_no = 0;
    while (cursor < end) {
        line_no++;
        const char *newline = memchr(cursor, '\n', (size_t) (end - cursor));
        const char *line_end = newline ? newline : end;
        const char *content_end = line_end;
        for (const char *q = cursor; q < line_end; q++)
            if (*q == '#' && (q == cursor || q[-1] == ' ' || q[-1] == '\t')) {
                content_end = q;
                break;
            }
        char service_class[PACTA_BUS_NAME_MAX + 1] = "";
        size_t tokens = 0;
        const char *p = cursor;
        while (p < content_end) {
            while (p < content_end && (*p == ' ' || *p == '\t' || *p == '\r'))
                p++;
            if (p >= content_end)
                break;
            const char *token = p;
            while (p < content_end && *p != ' ' && *p != '\t' && *p != '\r')
                p++;
            size_t token_len = (size_t) (p - token);
            size_t max = tokens == 0 ? PACTA_BUS_NAME_MAX : PACTA_BUS_TYPE_MAX;
            if (!pacta_bus_token_valid(token, token_len, max)) {
                snprintf(err, err_size, "%s:%zu: '%.*s' is not a valid %s name", name, line_no,
                         (int) (token_len > 80 ? 80 : token_len), token, tokens == 0 ? "class" : "message type");
                return -1;
            }
            char buf[PACTA_BUS_TYPE_MAX + 1];
            memcpy(buf, token, token_len);
            buf[token_len] = '\0';
            if (tokens == 0)
                memcpy(service_class, buf, token_len + 1);
            else if (bus_routes_add(self, service_class, buf) != 0) {
                snprintf(err, err_size, "%s:%zu: cannot add route %s -> %s (too many classes or types)", name,
                         line_no, buf, service_class);
                return -1;
            }
            tokens++;
        }
        if (tokens == 1) {
            snprintf(err, err_size, "%s:%zu: class '%s' lists no message type", name, line_no, service_class);
            return -1;
        }
        cursor = newline ? newline + 1 : end;
    }
    return 0;
}

/* Reads a size-capped file and parses it. */
int
bus_routes_load_file(bus_routes_t *self, const char *path, char *err, size_t err_size)
{
    assert(self && path);
    size_t len = 0;
    char *text = bus_file_read(path, BUS_ROUTES_FILE_MAX, &len, err, err_size);
    if (!text)
        return -1;
    int rc = bus_routes_parse(self, text, len, path, err, err_size);
    free(text);
    return rc;
}

/* Classes, for sizing the broker's arrays. */
size_t
bus_routes_class_count(const bus_routes_t *self)
{
    assert(self);
    return self->class_count;
}

/* Name of a class index. */
const char *
bus_routes_class_name(const bus_routes_t *self, size_t index)
{
    assert(self && index < self->class_count);
    return self->classes[index];
}

/* Types, for sizing the per-type counters. */
size_t
bus_routes_type_count(const bus_routes_t *self)
{
    assert(self);
    return self->type_count;
}

/* Name of a type index (metric labels). */
const char *
bus_routes_type_name(const bus_routes_t *self, size_t index)
{
    assert(self && index < self->type_count);
    return self->types[index].name;
}

/* The fan-out of one type. */
size_t
bus_routes_type_classes(const bus_routes_t *self, size_t type_index, const size_t **classes)
{
    assert(self && type_index < self->type_count && classes);
    *classes = self->types[type_index].classes;
    return self->types[type_index].class_count;
}

/* Does this class consume this type (READY filtering, destination checks)? */
bool
bus_routes_has(const bus_routes_t *self, size_t class_index, size_t type_index)
{
    assert(self);
    if (type_index >= self->type_count)
        return false;
    const type_row_t *row = &self->types[type_index];
    for (size_t i = 0; i < row->class_count; i++)
        if (row->classes[i] == class_index)
            return true;
    return false;
}
