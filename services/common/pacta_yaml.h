/*  =========================================================================
    pacta_yaml - a small, strict YAML reader for configuration files

    Loads one YAML document into a read-only tree of mapping, sequence and
    scalar nodes. Every node knows its 1-based line and column, its parent
    and the key or index under which it sits, so a caller can report any
    problem as "FILE:LINE: dotted.key.path: what is wrong".

    Strict on purpose: the input is size-capped before parsing, must be
    UTF-8, holds at most one document, and anchors, aliases, explicit tags,
    complex keys and duplicate mapping keys are errors. Scalars are kept as
    text; typing them is the caller's job.

    Ownership: the caller owns a pacta_yaml_doc_t and MUST release it with
    pacta_yaml_doc_destroy(); nodes belong to their document and MUST NOT be
    used after it is destroyed.
    =========================================================================
*/
#ifndef PACTA_YAML_H_INCLUDED
#define PACTA_YAML_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Hard limits: a document that exceeds one is refused, never truncated. */
#define PACTA_YAML_MAX_FILE_BYTES (1024 * 1024) /* default cap for files */
#define PACTA_YAML_MAX_DEPTH 32                 /* nesting of collections */
#define PACTA_YAML_MAX_NODES 65536              /* nodes per document */
#define PACTA_YAML_MAX_CHILDREN 1024            /* entries per collection */
#define PACTA_YAML_PATH_SIZE 256                /* longest dotted path kept */

typedef enum {
    PACTA_YAML_SCALAR = 1, /* text, possibly empty or null */
    PACTA_YAML_SEQUENCE,   /* ordered children */
    PACTA_YAML_MAPPING     /* children with unique scalar keys, in file order */
} pacta_yaml_kind_t;

typedef struct pacta_yaml_doc pacta_yaml_doc_t;
typedef struct pacta_yaml_node pacta_yaml_node_t;

/* ---- loading ---------------------------------------------------------- */

/* Reads and parses the file at path, refusing files larger than max_bytes
   (0 means PACTA_YAML_MAX_FILE_BYTES). Returns NULL on any error, with
   "PATH:LINE: key.path: message" written into err (err may be NULL). An
   empty document (nothing but comments) loads with a NULL root. */
pacta_yaml_doc_t *pacta_yaml_doc_load_file(const char *path, size_t max_bytes, char *err,
                                           size_t err_size);
/* Same, from len bytes of text; name stands in for the file name in
   messages. The text need not be NUL-terminated and is not kept. */
pacta_yaml_doc_t *pacta_yaml_doc_load_buffer(const char *name, const char *text, size_t len,
                                             char *err, size_t err_size);
/* Frees the document and all its nodes; nulls *self_p; safe twice. */
void pacta_yaml_doc_destroy(pacta_yaml_doc_t **self_p);

/* The name given at load (the file path). */
const char *pacta_yaml_doc_name(const pacta_yaml_doc_t *self);
/* The root node, or NULL for an empty document. */
const pacta_yaml_node_t *pacta_yaml_doc_root(const pacta_yaml_doc_t *self);

/* ---- nodes ------------------------------------------------------------ */

pacta_yaml_kind_t pacta_yaml_node_kind(const pacta_yaml_node_t *node);
/* 1-based position of the node's first character. */
int pacta_yaml_node_line(const pacta_yaml_node_t *node);
int pacta_yaml_node_column(const pacta_yaml_node_t *node);
/* 1-based position just after the node's last character (for a quoted
   scalar, after the closing quote). Columns count characters, not bytes. */
int pacta_yaml_node_end_line(const pacta_yaml_node_t *node);
int pacta_yaml_node_end_column(const pacta_yaml_node_t *node);
/* The line of the key that introduces this node in its parent mapping; the
   node's own line for sequence items and the root. This is the line to
   report for problems with a whole section. */
int pacta_yaml_node_key_line(const pacta_yaml_node_t *node);
/* The key under which the node sits in its parent mapping, else NULL. */
const char *pacta_yaml_node_key(const pacta_yaml_node_t *node);
/* Position among the parent's children (0-based); 0 for the root. */
size_t pacta_yaml_node_index(const pacta_yaml_node_t *node);
/* NULL for the root. */
const pacta_yaml_node_t *pacta_yaml_node_parent(const pacta_yaml_node_t *node);
/* Writes the node's dotted path, e.g. "late_payment.consumer.brackets[2].up_to";
   the root's path is "". Too long paths end in "...". Returns buf. */
char *pacta_yaml_node_path(const pacta_yaml_node_t *node, char *buf, size_t buf_size);
/* The node at a dotted path under root (same syntax as pacta_yaml_node_path),
   or NULL. Keys containing '.' or '[' cannot be addressed. */
const pacta_yaml_node_t *pacta_yaml_node_find(const pacta_yaml_node_t *root, const char *path);

/* Scalar text, NUL-terminated, never containing a NUL byte; NULL when the
   node is not a scalar. */
const char *pacta_yaml_scalar_text(const pacta_yaml_node_t *node);
size_t pacta_yaml_scalar_len(const pacta_yaml_node_t *node);
/* True for a plain (unquoted) scalar that YAML reads as null: empty, "~",
   "null", "Null" or "NULL". Quoted "" is an empty string, not null. */
bool pacta_yaml_scalar_is_null(const pacta_yaml_node_t *node);

/* Number of children of a mapping or sequence; 0 for a scalar. */
size_t pacta_yaml_node_count(const pacta_yaml_node_t *node);
/* The index-th child (for a mapping, the value; its key is
   pacta_yaml_node_key(child)), or NULL when out of range. */
const pacta_yaml_node_t *pacta_yaml_node_child(const pacta_yaml_node_t *node, size_t index);
/* The value under key in a mapping, or NULL (absent key, or not a mapping). */
const pacta_yaml_node_t *pacta_yaml_map_get(const pacta_yaml_node_t *node, const char *key);

/* "mapping", "sequence" or "scalar", for messages. */
const char *pacta_yaml_kind_name(pacta_yaml_kind_t kind);

#ifdef __cplusplus
}
#endif

#endif
