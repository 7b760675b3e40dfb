/*  =========================================================================
    bus_allow - the CURVE allow-list of the bus

    Least privilege (architecture invariant 7): a client key maps to the
    tenants and message types it may send, or to the service classes it may
    register as. The ZAP handler only answers "is this key listed"; the
    finer checks run per message in the broker, because a ZAP handshake
    happens once per connection while tenant and type change per message.

    Design decision: the file is parsed strictly (unknown permission names,
    bad keys, duplicate keys and oversized lists refuse the start, naming the
    line), because a typo in a security file must not silently grant or
    deny access.
    =========================================================================
*/
#include "bus_allow.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus_file.h"
#include "pacta_map.h"

typedef struct {
    bool any;                    /* '*' given: everything allowed */
    char **names;                /* allowed names, owned */
    size_t count;                /* used entries of names */
} name_set_t;

struct bus_allow_entry {
    char key[PACTA_BUS_KEY_Z85_LEN + 1]; /* Z85 public key */
    char name[PACTA_BUS_NAME_MAX + 1];   /* client name for logs */
    name_set_t tenants;          /* tenants it may send for */
    name_set_t types;            /* message types it may send */
    name_set_t classes;          /* classes it may register as */
};

struct bus_allow {
    bus_allow_entry_t **entries; /* parsed entries, owned */
    size_t count;                /* used entries */
    size_t capacity;             /* allocated entries */
    pacta_map_t *by_key;           /* Z85 key -> entry */
};

/* Frees a name list. */
static void
s_set_free(name_set_t *set)
{
    for (size_t i = 0; i < set->count; i++)
        free(set->names[i]);
    free(set->names);
    memset(set, 0, sizeof *set);
}

/* Frees one parsed client entry. */
static void
s_entry_free(bus_allow_entry_t *entry)
{
    if (!entry)
        return;
    s_set_free(&entry->tenants);
    s_set_free(&entry->types);
    s_set_free(&entry->classes);
    free(entry);
}

/* An empty allow-list: nothing is allowed until entries are parsed. */
bus_allow_t *
bus_allow_new(void)
{
    bus_allow_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->by_key = pacta_map_new();
    if (!self->by_key) {
        free(self);
        return NULL;
    }
    return self;
}

/* Frees every entry and the key index. */
void
bus_allow_destroy(bus_allow_t **self_p)
{
    assert(self_p);
    bus_allow_t *self = *self_p;
    if (!self)
        return;
    for (size_t i = 0; i < self->count; i++)
        s_entry_free(self->entries[i]);
    free(self->entries);
    pacta_map_destroy(&self->by_key);
    free(self);
    *self_p = NULL;
}

/* Parses "a,b,c" or "*" into set. 0, or -1 with a reason. */
static int
s_parse_set(const char *value, size_t len, name_set_t *set, size_t max_name, char *why, size_t why_size)
{
    if (len == 1 && value[0] == '*') {
        set->any = true;
        return 0;
    }
    const char *p = value;
    const char *end = value + len;
    while (p < end) {
        const char *comma = memchr(p, ',', (size_t) (end - p));
        const char *stop = comma ? comma : end;
        size_t name_len = (size_t) (stop - p);
        if (!pacta_bus_token_valid(p, name_len, max_name)) {
            snprintf(why, why_size, "'%.*s' is not a valid name", (int) (name_len > 80 ? 80 : name_len), p);
            return -1;
        }
        if (set->count >= BUS_ALLOW_LIST_MAX) {
            snprintf(why, why_size, "more than %d names in one list", BUS_ALLOW_LIST_MAX);
            return -1;
        }
        char **grown = realloc(set->names, (set->count + 1) * sizeof *grown);
        if (!grown) {
            snprintf(why, why_size, "out of memory");
            return -1;
        }
        set->names = grown;
        set->names[set->count] = strndup(p, name_len);
        if (!set->names[set->count]) {
            snprintf(why, why_size, "out of memory");
            return -1;
        }
        set->count++;
        p = comma ? comma + 1 : end;
    }
    if (set->count == 0) {
        snprintf(why, why_size, "empty list (use '*' for everything)");
        return -1;
    }
    return 0;
}

/* Parses one non-empty line into a new entry. NULL with a reason. */
static bus_allow_entry_t *
s_parse_line(const char *line, size_t len, char *why, size_t why_size)
{
    bus_allow_entry_t *entry = calloc(1, sizeof *entry);
    if (!entry) {
        snprintf(why, why_size, "out of memory");
        return NULL;
    }
    size_t tokens = 0;
    const char *p = line;
    const char *end = line + len;
    while (p < end) {
        while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
            p++;
        if (p >= end)
            break;
        const char *token = p;
        while (p < end && *p != ' ' && *p != '\t' && *p != '\r')
            p++;
        size_t token_len = (size_t) (p - token);
        if (tokens == 0) {
            char key[PACTA_BUS_KEY_Z85_LEN + 1];
            if (token_len != PACTA_BUS_KEY_Z85_LEN) {
                snprintf(why, why_size, "the first word must be a 40-character Z85 public key");
                goto fail;
            }
            memcpy(key, token, token_len);
            key[token_len] = '\0';
            if (!pacta_bus_key_valid(key)) {
                snprintf(why, why_size, "the first word is not a Z85 key");
                goto fail;
            }
            memcpy(entry->key, key, sizeof key);
        }
        else if (tokens == 1) {
            if (!pacta_bus_token_valid(token, token_len, PACTA_BUS_NAME_MAX) || memchr(token, '=', token_len)) {
                snprintf(why, why_size, "the second word must be the client's name (at most 64 characters)");
                goto fail;
            }
            memcpy(entry->name, token, token_len);
            entry->name[token_len] = '\0';
        }
        else {
            const char *equals = memchr(token, '=', token_len);
            if (!equals) {
                snprintf(why, why_size, "expected tenants=, types= or classes=, got '%.*s'",
                         (int) (token_len > 80 ? 80 : token_len), token);
                goto fail;
            }
            size_t key_len = (size_t) (equals - token);
            const char *value = equals + 1;
            size_t value_len = token_len - key_len - 1;
            name_set_t *set = NULL;
            size_t max_name = PACTA_BUS_NAME_MAX;
            if (key_len == 7 && memcmp(token, "tenants", 7) == 0)
                set = &entry->tenants;
            else if (key_len == 5 && memcmp(token, "types", 5) == 0) {
                set = &entry->types;
                max_name = PACTA_BUS_TYPE_MAX;
            }
            else if (key_len == 7 && memcmp(token, "classes", 7) == 0)
                set = &entry->classes;
            if (!set) {
                snprintf(why, why_size, "unknown permission '%.*s' (tenants, types, classes)",
                         (int) (key_len > 40 ? 40 : key_len), token);
                goto fail;
            }
            if (set->any || set->count > 0) {
                snprintf(why, why_size, "'%.*s' given twice", (int) key_len, token);
                goto fail;
            }
            if (s_parse_set(value, value_len, set, max_name, why, why_size) != 0)
                goto fail;
        }
        tokens++;
    }
    if (tokens < 2) {
        snprintf(why, why_size, "expected a public key and a name");
        goto fail;
    }
    return entry;

fail:
    s_entry_free(entry);
    return NULL;
}

/* Parses line by line; the first bad line refuses the whole list (a security file is all or
   nothing). */
int
bus_allow_parse(bus_allow_t *self, const char *text, size_t len, const char *source, char *err, size_t err_size)
{
    assert(self && (text || len == 0));
    const char *name = source ? source : "allow-list";
    const char *cursor = text;
    const char *end = text + len;
    size_t line_no = 0;
    while (cursor < end) {
        line_no++;
        const char *newline = memchr(cursor, '\n', (size_t) (end - cursor));
        const char *line_end = newline ? newline : end;
        const char *p = cursor;
        while (p < line_end && (*p == ' ' || *p == '\t' || *p == '\r'))
            p++;
        /* '#' is also a Z85 character: only a '#' that starts the line or
           follows a blank starts a comment. */
        const char *content_end = line_end;
        /* A line whose first token is a valid key is an entry even when the
           key itself starts with '#'. */
        const char *token_end = p;
        while (token_end < line_end && *token_end != ' ' && *token_end != '\t')
            token_end++;
        bool starts_with_key = false;
        if (token_end - p == PACTA_BUS_KEY_Z85_LEN) {
            char probe[PACTA_BUS_KEY_Z85_LEN + 1];
            memcpy(probe, p, PACTA_BUS_KEY_Z85_LEN);
            probe[PACTA_BUS_KEY_Z85_LEN] = '\0';
            starts_with_key = pacta_bus_key_valid(probe);
        }
        for (const char *q = starts_with_key ? token_end : p; q < line_end; q++)
            if (*q == '#' && (q == p || q[-1] == ' ' || q[-1] == '\t')) {
                content_end = q;
                break;
            }
        if (p < content_end) {
            char why[256];
            bus_allow_entry_t *entry = s_parse_line(p, (size_t) (content_end - p), why, sizeof why);
            if (!entry) {
                snprintf(err, err_size, "%s:%zu: %s", name, line_no, why);
                return -1;
            }
            if (pacta_map_get(self->by_key, entry->key, PACTA_BUS_KEY_Z85_LEN)) {
                snprintf(err, err_size, "%s:%zu: key of '%s' is listed twice", name, line_no, entry->name);
                s_entry_free(entry);
                return -1;
            }
            if (self->count >= BUS_ALLOW_ENTRIES_MAX) {
                snprintf(err, err_size, "%s:%zu: more than %d clients", name, line_no, BUS_ALLOW_ENTRIES_MAX);
                s_entry_free(entry);
                return -1;
            }
            if (self->count == self->capacity) {
                size_t capacity = self->capacity ? self->capacity * 2 : 16;
                bus_allow_entry_t **grown = realloc(self->entries, capacity * sizeof *grown);
                if (!grown) {
                    snprintf(err, err_size, "%s: out of memory", name);
                    s_entry_free(entry);
                    return -1;
                }
                self->entries = grown;
                self->capacity = capacity;
            }
            if (pacta_map_put(self->by_key, entry->key, PACTA_BUS_KEY_Z85_LEN, entry) != 0) {
                snprintf(err, err_size, "%s: out of memory", name);
                s_entry_free(entry);
                return -1;
            }
            self->entries[self->count++] = entry;
        }
        cursor = newline ? newline + 1 : end;
    }
    return 0;
}

/* Reads a size-capped file and parses it. */
int
bus_allow_load_file(bus_allow_t *self, const char *path, char *err, size_t err_size)
{
    assert(self && path);
    size_t len = 0;
    char *text = bus_file_read(path, BUS_ALLOW_FILE_MAX, &len, err, err_size);
    if (!text)
        return -1;
    int rc = bus_allow_parse(self, text, len, path, err, err_size);
    free(text);
    return rc;
}

/* Clients listed, for the start log. */
size_t
bus_allow_count(const bus_allow_t *self)
{
    assert(self);
    return self->count;
}

/* Looks a connection's key up (the ZAP User-Id is the Z85 key). */
const bus_allow_entry_t *
bus_allow_find(const bus_allow_t *self, const char *z85_key)
{
    assert(self);
    if (!pacta_bus_key_valid(z85_key))
        return NULL;
    return pacta_map_get(self->by_key, z85_key, PACTA_BUS_KEY_Z85_LEN);
}

/* The client's name, for logs and NACK sentences. */
const char *
bus_allow_entry_name(const bus_allow_entry_t *entry)
{
    assert(entry);
    return entry->name;
}

/* Exact, length-aware membership: 'sgeven' must not match 'sgevent'. */
static bool
s_set_has(const name_set_t *set, const char *name, size_t len)
{
    if (set->any)
        return true;
    for (size_t i = 0; i < set->count; i++)
        if (strlen(set->names[i]) == len && memcmp(set->names[i], name, len) == 0)
            return true;
    return false;
}

/* May this key send for tenant? */
bool
bus_allow_entry_tenant(const bus_allow_entry_t *entry, const char *tenant, size_t len)
{
    assert(entry && tenant);
    return s_set_has(&entry->tenants, tenant, len);
}

/* May this key send this message type? */
bool
bus_allow_entry_type(const bus_allow_entry_t *entry, const char *type, size_t len)
{
    assert(entry && type);
    return s_set_has(&entry->types, type, len);
}

/* May this key register as this service class? */
bool
bus_allow_entry_class(const bus_allow_entry_t *entry, const char *service_class, size_t len)
{
    assert(entry && service_class);
    return s_set_has(&entry->classes, service_class, len);
}

/* Keys without a class are refused on the backend already at the handshake. */
bool
bus_allow_entry_has_classes(const bus_allow_entry_t *entry)
{
    assert(entry);
    return entry->classes.any || entry->classes.count > 0;
}
