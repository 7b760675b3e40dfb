/*  =========================================================================
    pacta_yaml - a small, strict YAML reader for configuration files

    Builds a node tree from libyaml's event stream with an explicit stack,
    so nesting depth is bounded by PACTA_YAML_MAX_DEPTH rather than by the C
    stack, and every allocation is capped (file size, node count, children
    per collection).

    Design decision: anything a configuration file does not need (anchors,
    aliases, tags, complex keys, several documents) is refused with a clear
    message instead of being half-supported. A profile that silently meant
    something else than it says is worse than one that does not load.
    =========================================================================
*/
#include "pacta_yaml.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

struct pacta_yaml_node {
    pacta_yaml_kind_t kind;        /* scalar, sequence or mapping */
    int line;                      /* 1-based line of the first character */
    int column;                    /* 1-based column of the first character */
    int end_line;                  /* 1-based line just after the node */
    int end_column;                /* 1-based column just after the node */
    char *key;                     /* key in the parent mapping, else NULL */
    int key_line;                  /* line of that key (own line if none) */
    size_t index;                  /* position among the parent's children */
    pacta_yaml_node_t *parent;     /* NULL for the root */
    char *text;                    /* scalar text, NUL-terminated */
    size_t text_len;               /* bytes in text, without the NUL */
    bool is_null;                  /* plain scalar that YAML reads as null */
    pacta_yaml_node_t **children;  /* collection entries, in file order */
    size_t count;                  /* entries in children */
    size_t capacity;               /* allocated slots in children */
};

struct pacta_yaml_doc {
    char *name;                    /* file name used in messages */
    pacta_yaml_node_t *root;       /* NULL for an empty document */
};

/* Parse state shared by the builder helpers. */
typedef struct {
    const char *name;                                /* file name for messages */
    char *err;                                       /* caller's message buffer */
    size_t err_size;                                 /* its size */
    pacta_yaml_node_t *stack[PACTA_YAML_MAX_DEPTH];  /* open collections */
    size_t depth;                                    /* entries used in stack */
    char *pending_key;                               /* key awaiting its value */
    int pending_key_line;                            /* line of pending_key */
    size_t node_count;                               /* nodes created so far */
    pacta_yaml_node_t *root;                         /* first node created */
    int documents;                                   /* documents started */
} builder_t;

/* ---------------------------------------------------------------------- */
/* Messages                                                               */
/* ---------------------------------------------------------------------- */

static void
s_write_error(char *err, size_t err_size, const char *name, int line, const char *path,
              const char *fmt, va_list args)
{
    if (!err || err_size == 0)
        return;
    int used = snprintf(err, err_size, "%s:%d: %s: ", name, line,
                        (path && *path) ? path : "(root)");
    if (used < 0 || (size_t) used >= err_size)
        return;
    vsnprintf(err + used, err_size - (size_t) used, fmt, args);
}

static void
s_error(char *err, size_t err_size, const char *name, int line, const char *path,
        const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    s_write_error(err, err_size, name, line, path, fmt, args);
    va_end(args);
}

/* Reports against the key whose value is being read, else the innermost
   open collection, else the root. */
static int
s_fail(builder_t *b, int line, const char *fmt, ...)
{
    char path[PACTA_YAML_PATH_SIZE] = "";
    if (b->depth > 0)
        pacta_yaml_node_path(b->stack[b->depth - 1], path, sizeof path);
    if (b->pending_key) {
        size_t used = strlen(path);
        snprintf(path + used, sizeof path - used, "%s%s", used ? "." : "", b->pending_key);
    }
    va_list args;
    va_start(args, fmt);
    s_write_error(b->err, b->err_size, b->name, line, path, fmt, args);
    va_end(args);
    return -1;
}

/* ---------------------------------------------------------------------- */
/* Nodes                                                                  */
/* ---------------------------------------------------------------------- */

static void
s_node_free(pacta_yaml_node_t *node)
{
    if (!node)
        return;
    for (size_t i = 0; i < node->count; i++)
        s_node_free(node->children[i]);
    free(node->children);
    free(node->key);
    free(node->text);
    free(node);
}

static char *
s_strndup(const char *text, size_t len)
{
    char *copy = malloc(len + 1);
    if (!copy)
        return NULL;
    memcpy(copy, text, len);
    copy[len] = '\0';
    return copy;
}

/* Refuses the YAML features a configuration file must not rely on. */
static int
s_check_properties(builder_t *b, const yaml_event_t *event, const unsigned char *anchor,
                   const unsigned char *tag)
{
    int line = (int) event->start_mark.line + 1;
    if (anchor)
        return s_fail(b, line, "anchors (&%s) are not supported", (const char *) anchor);
    /* libyaml reports a tag only when the text spells one out. */
    if (tag)
        return s_fail(b, line, "tags (%s) are not supported", (const char *) tag);
    return 0;
}

/* Creates a node at the event's position and hangs it under the innermost
   open collection (or makes it the root). The node is owned by the tree
   from the moment this returns non-NULL. */
static pacta_yaml_node_t *
s_node_attach(builder_t *b, pacta_yaml_kind_t kind, const yaml_event_t *event)
{
    int line = (int) event->start_mark.line + 1;
    if (b->node_count >= PACTA_YAML_MAX_NODES) {
        s_fail(b, line, "document has more than %d nodes", PACTA_YAML_MAX_NODES);
        return NULL;
    }
    pacta_yaml_node_t *parent = b->depth > 0 ? b->stack[b->depth - 1] : NULL;
    if (!parent && b->root) {
        s_fail(b, line, "only one YAML document per file is supported");
        return NULL;
    }
    if (parent && parent->count >= PACTA_YAML_MAX_CHILDREN) {
        s_fail(b, line, "more than %d entries in one collection", PACTA_YAML_MAX_CHILDREN);
        return NULL;
    }
    if (parent && parent->count == parent->capacity) {
        size_t capacity = parent->capacity ? parent->capacity * 2 : 8;
        pacta_yaml_node_t **grown = realloc(parent->children, capacity * sizeof *grown);
        if (!grown) {
            s_fail(b, line, "out of memory");
            return NULL;
        }
        parent->children = grown;
        parent->capacity = capacity;
    }
    pacta_yaml_node_t *node = calloc(1, sizeof *node);
    if (!node) {
        s_fail(b, line, "out of memory");
        return NULL;
    }
    node->kind = kind;
    node->line = line;
    node->column = (int) event->start_mark.column + 1;
    node->end_line = (int) event->end_mark.line + 1;
    node->end_column = (int) event->end_mark.column + 1;
    node->key_line = line;
    node->parent = parent;
    if (parent) {
        if (parent->kind == PACTA_YAML_MAPPING) {
            node->key = b->pending_key;
            node->key_line = b->pending_key_line;
            b->pending_key = NULL;
        }
        node->index = parent->count;
        parent->children[parent->count++] = node;
    }
    else
        b->root = node;
    b->node_count++;
    return node;
}

/* True when the innermost open collection is a mapping waiting for a key. */
static bool
s_expecting_key(const builder_t *b)
{
    return b->depth > 0 && b->stack[b->depth - 1]->kind == PACTA_YAML_MAPPING
           && b->pending_key == NULL;
}

static int
s_on_scalar(builder_t *b, const yaml_event_t *event)
{
    const char *value = (const char *) event->data.scalar.value;
    size_t len = event->data.scalar.length;
    int line = (int) event->start_mark.line + 1;
    if (s_check_properties(b, event, event->data.scalar.anchor, event->data.scalar.tag) != 0)
        return -1;
    if (memchr(value, '\0', len))
        return s_fail(b, line, "text contains a NUL character");

    if (s_expecting_key(b)) {
        pacta_yaml_node_t *map = b->stack[b->depth - 1];
        char path[PACTA_YAML_PATH_SIZE];
        pacta_yaml_node_path(map, path, sizeof path);
        if (len == 0) {
            s_error(b->err, b->err_size, b->name, line, path, "empty mapping key");
            return -1;
        }
        for (size_t i = 0; i < map->count; i++) {
            const pacta_yaml_node_t *sibling = map->children[i];
            if (strlen(sibling->key) == len && memcmp(sibling->key, value, len) == 0) {
                char key_path[PACTA_YAML_PATH_SIZE];
                if (snprintf(key_path, sizeof key_path, "%s%s%s", path, *path ? "." : "", value)
                    >= (int) sizeof key_path)
                    key_path[sizeof key_path - 1] = '\0'; /* cut, never overflowed */
                s_error(b->err, b->err_size, b->name, line, key_path,
                        "duplicate key (first defined at line %d)", sibling->key_line);
                return -1;
            }
        }
        b->pending_key = s_strndup(value, len);
        if (!b->pending_key)
            return s_fail(b, line, "out of memory");
        b->pending_key_line = line;
        return 0;
    }
    pacta_yaml_node_t *node = s_node_attach(b, PACTA_YAML_SCALAR, event);
    if (!node)
        return -1;
    node->text = s_strndup(value, len);
    if (!node->text)
        return s_fail(b, line, "out of memory");
    node->text_len = len;
    node->is_null = event->data.scalar.style == YAML_PLAIN_SCALAR_STYLE
                    && (len == 0 || strcmp(node->text, "~") == 0 || strcmp(node->text, "null") == 0
                        || strcmp(node->text, "Null") == 0 || strcmp(node->text, "NULL") == 0);
    return 0;
}

static int
s_on_collection_start(builder_t *b, const yaml_event_t *event, pacta_yaml_kind_t kind)
{
    int line = (int) event->start_mark.line + 1;
    const unsigned char *anchor = kind == PACTA_YAML_MAPPING ? event->data.mapping_start.anchor
                                                             : event->data.sequence_start.anchor;
    const unsigned char *tag = kind == PACTA_YAML_MAPPING ? event->data.mapping_start.tag
                                                          : event->data.sequence_start.tag;
    if (s_check_properties(b, event, anchor, tag) != 0)
        return -1;
    if (s_expecting_key(b))
        return s_fail(b, line, "mapping keys must be plain text, not a %s",
                      pacta_yaml_kind_name(kind));
    if (b->depth >= PACTA_YAML_MAX_DEPTH)
        return s_fail(b, line, "nested deeper than %d levels", PACTA_YAML_MAX_DEPTH);
    pacta_yaml_node_t *node = s_node_attach(b, kind, event);
    if (!node)
        return -1;
    b->stack[b->depth++] = node;
    return 0;
}

static int
s_on_collection_end(builder_t *b, const yaml_event_t *event)
{
    /* libyaml guarantees balanced start/end events. */
    pacta_yaml_node_t *node = b->stack[--b->depth];
    node->end_line = (int) event->end_mark.line + 1;
    node->end_column = (int) event->end_mark.column + 1;
    return 0;
}

static int
s_on_event(builder_t *b, const yaml_event_t *event)
{
    int line = (int) event->start_mark.line + 1;
    switch (event->type) {
    case YAML_DOCUMENT_START_EVENT:
        if (++b->documents > 1)
            return s_fail(b, line, "only one YAML document per file is supported");
        return 0;
    case YAML_SCALAR_EVENT:
        return s_on_scalar(b, event);
    case YAML_SEQUENCE_START_EVENT:
        return s_on_collection_start(b, event, PACTA_YAML_SEQUENCE);
    case YAML_MAPPING_START_EVENT:
        return s_on_collection_start(b, event, PACTA_YAML_MAPPING);
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        return s_on_collection_end(b, event);
    case YAML_ALIAS_EVENT:
        return s_fail(b, line, "aliases (*%s) are not supported",
                      (const char *) event->data.alias.anchor);
    default:
        return 0;
    }
}

/* ---------------------------------------------------------------------- */
/* Loading                                                                */
/* ---------------------------------------------------------------------- */

pacta_yaml_doc_t *
pacta_yaml_doc_load_buffer(const char *name, const char *text, size_t len, char *err,
                           size_t err_size)
{
    pacta_yaml_doc_t *doc = NULL;
    yaml_parser_t parser;
    bool parser_ready = false;
    builder_t b = {.name = name ? name : "(buffer)", .err = err, .err_size = err_size};
    if (err && err_size > 0)
        err[0] = '\0';
    if (!text && len > 0) {
        s_error(err, err_size, b.name, 1, "", "no text given");
        goto cleanup;
    }
    if (!yaml_parser_initialize(&parser)) {
        s_error(err, err_size, b.name, 1, "", "cannot initialise the YAML parser");
        goto cleanup;
    }
    parser_ready = true;
    yaml_parser_set_input_string(&parser, (const unsigned char *) (text ? text : ""), len);
    yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);

    bool done = false;
    while (!done) {
        yaml_event_t event;
        if (!yaml_parser_parse(&parser, &event)) {
            int line = (int) parser.problem_mark.line + 1;
            if (parser.context)
                s_fail(&b, line, "invalid YAML: %s %s", parser.problem ? parser.problem : "error",
                       parser.context);
            else
                s_fail(&b, line, "invalid YAML: %s", parser.problem ? parser.problem : "error");
            goto cleanup;
        }
        int rc = s_on_event(&b, &event);
        done = event.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&event);
        if (rc != 0)
            goto cleanup;
    }
    doc = calloc(1, sizeof *doc);
    if (!doc || !(doc->name = s_strndup(b.name, strlen(b.name)))) {
        free(doc);
        doc = NULL;
        s_error(err, err_size, b.name, 1, "", "out of memory");
        goto cleanup;
    }
    doc->root = b.root;
    b.root = NULL;

cleanup:
    if (parser_ready)
        yaml_parser_delete(&parser);
    free(b.pending_key);
    s_node_free(b.root);
    return doc;
}

pacta_yaml_doc_t *
pacta_yaml_doc_load_file(const char *path, size_t max_bytes, char *err, size_t err_size)
{
    pacta_yaml_doc_t *doc = NULL;
    char *text = NULL;
    int fd = -1;
    if (max_bytes == 0)
        max_bytes = PACTA_YAML_MAX_FILE_BYTES;
    if (err && err_size > 0)
        err[0] = '\0';

    /* O_NONBLOCK: a FIFO named like a profile must not hang the loader. */
    fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        s_error(err, err_size, path, 1, "(file)", "cannot open: %s", strerror(errno));
        goto cleanup;
    }
    struct stat info;
    if (fstat(fd, &info) != 0) {
        s_error(err, err_size, path, 1, "(file)", "cannot read: %s", strerror(errno));
        goto cleanup;
    }
    if (!S_ISREG(info.st_mode)) {
        s_error(err, err_size, path, 1, "(file)", "not a regular file");
        goto cleanup;
    }
    /* Read one byte past the cap: the file may have grown since fstat. */
    text = malloc(max_bytes + 1);
    if (!text) {
        s_error(err, err_size, path, 1, "(file)", "out of memory");
        goto cleanup;
    }
    size_t len = 0;
    while (len < max_bytes + 1) {
        ssize_t got = read(fd, text + len, max_bytes + 1 - len);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            s_error(err, err_size, path, 1, "(file)", "cannot read: %s", strerror(errno));
            goto cleanup;
        }
        if (got == 0)
            break;
        len += (size_t) got;
    }
    if (len > max_bytes) {
        s_error(err, err_size, path, 1, "(file)", "file is larger than %zu bytes", max_bytes);
        goto cleanup;
    }
    doc = pacta_yaml_doc_load_buffer(path, text, len, err, err_size);

cleanup:
    if (fd >= 0)
        close(fd);
    free(text);
    return doc;
}

void
pacta_yaml_doc_destroy(pacta_yaml_doc_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    pacta_yaml_doc_t *self = *self_p;
    s_node_free(self->root);
    free(self->name);
    free(self);
    *self_p = NULL;
}

const char *
pacta_yaml_doc_name(const pacta_yaml_doc_t *self)
{
    return self->name;
}

const pacta_yaml_node_t *
pacta_yaml_doc_root(const pacta_yaml_doc_t *self)
{
    return self->root;
}

/* ---------------------------------------------------------------------- */
/* Node accessors                                                         */
/* ---------------------------------------------------------------------- */

pacta_yaml_kind_t
pacta_yaml_node_kind(const pacta_yaml_node_t *node)
{
    return node->kind;
}

int
pacta_yaml_node_line(const pacta_yaml_node_t *node)
{
    return node->line;
}

int
pacta_yaml_node_column(const pacta_yaml_node_t *node)
{
    return node->column;
}

int
pacta_yaml_node_end_line(const pacta_yaml_node_t *node)
{
    return node->end_line;
}

int
pacta_yaml_node_end_column(const pacta_yaml_node_t *node)
{
    return node->end_column;
}

int
pacta_yaml_node_key_line(const pacta_yaml_node_t *node)
{
    return node->key_line;
}

const char *
pacta_yaml_node_key(const pacta_yaml_node_t *node)
{
    return node->key;
}

size_t
pacta_yaml_node_index(const pacta_yaml_node_t *node)
{
    return node->index;
}

const pacta_yaml_node_t *
pacta_yaml_node_parent(const pacta_yaml_node_t *node)
{
    return node->parent;
}

char *
pacta_yaml_node_path(const pacta_yaml_node_t *node, char *buf, size_t buf_size)
{
    if (!buf || buf_size == 0)
        return buf;
    buf[0] = '\0';
    /* Depth is bounded by the builder, so the chain fits this array. */
    const pacta_yaml_node_t *chain[PACTA_YAML_MAX_DEPTH + 1];
    size_t depth = 0;
    for (const pacta_yaml_node_t *at = node; at && at->parent && depth < PACTA_YAML_MAX_DEPTH + 1;
         at = at->parent)
        chain[depth++] = at;
    size_t used = 0;
    while (depth > 0) {
        const pacta_yaml_node_t *at = chain[--depth];
        int n;
        if (at->key)
            n = snprintf(buf + used, buf_size - used, "%s%s", used ? "." : "", at->key);
        else
            n = snprintf(buf + used, buf_size - used, "[%zu]", at->index);
        if (n < 0 || (size_t) n >= buf_size - used) {
            if (buf_size > 4)
                memcpy(buf + buf_size - 4, "...", 4);
            break;
        }
        used += (size_t) n;
    }
    return buf;
}

const pacta_yaml_node_t *
pacta_yaml_node_find(const pacta_yaml_node_t *root, const char *path)
{
    const pacta_yaml_node_t *at = root;
    const char *p = path;
    while (at && *p) {
        if (*p == '[') {
            char *end = NULL;
            errno = 0;
            unsigned long long index = strtoull(p + 1, &end, 10);
            if (errno || end == p + 1 || *end != ']' || at->kind != PACTA_YAML_SEQUENCE
                || index >= at->count)
                return NULL;
            at = at->children[index];
            p = end + 1;
        }
        else {
            if (*p == '.')
                p++;
            size_t len = strcspn(p, ".[");
            if (len == 0 || at->kind != PACTA_YAML_MAPPING)
                return NULL;
            const pacta_yaml_node_t *next = NULL;
            for (size_t i = 0; i < at->count && !next; i++)
                if (strlen(at->children[i]->key) == len && memcmp(at->children[i]->key, p, len) == 0)
                    next = at->children[i];
            at = next;
            p += len;
        }
    }
    return at;
}

const char *
pacta_yaml_scalar_text(const pacta_yaml_node_t *node)
{
    return node->kind == PACTA_YAML_SCALAR ? node->text : NULL;
}

size_t
pacta_yaml_scalar_len(const pacta_yaml_node_t *node)
{
    return node->kind == PACTA_YAML_SCALAR ? node->text_len : 0;
}

bool
pacta_yaml_scalar_is_null(const pacta_yaml_node_t *node)
{
    return node->kind == PACTA_YAML_SCALAR && node->is_null;
}

size_t
pacta_yaml_node_count(const pacta_yaml_node_t *node)
{
    return node->count;
}

const pacta_yaml_node_t *
pacta_yaml_node_child(const pacta_yaml_node_t *node, size_t index)
{
    return index < node->count ? node->children[index] : NULL;
}

const pacta_yaml_node_t *
pacta_yaml_map_get(const pacta_yaml_node_t *node, const char *key)
{
    if (!node || node->kind != PACTA_YAML_MAPPING)
        return NULL;
    for (size_t i = 0; i < node->count; i++)
        if (strcmp(node->children[i]->key, key) == 0)
            return node->children[i];
    return NULL;
}

const char *
pacta_yaml_kind_name(pacta_yaml_kind_t kind)
{
    switch (kind) {
    case PACTA_YAML_SCALAR:
        return "scalar";
    case PACTA_YAML_SEQUENCE:
        return "sequence";
    case PACTA_YAML_MAPPING:
        return "mapping";
    }
    return "node";
}
