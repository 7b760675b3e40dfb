/*  =========================================================================
    pacta_profile - a company's terms profile, loaded from YAML

    Loads a YAML terms profile (see deploy/profiles/) into the typed struct of
    pacta_profile.h and refuses anything doubtful: unknown keys, missing keys,
    out-of-range figures, wrong types, unordered dated tables, brackets that
    overlap or make the indemnity fall. The first problem found is reported as
    "FILE:LINE: dotted.key.path: what is wrong" and nothing is returned: a
    service must never run on a half-understood profile.

    Design decision: the YAML layout is described once, as tables of field
    descriptors (key, type, offset in the struct, range, required or not),
    and one generic walker applies them. Adding a parameter is one struct
    field plus one table row, and every parameter gets the same type checks,
    the same unknown-key detection and the same message format. Cross-field
    rules that a table cannot express (bracket monotonicity, notice shorter
    than the term...) are small check functions run after a section parses.

    Rule blocks: a section whose first member is a pacta_rule_t has the keys
    rule / clause / mode; when its mode is off its other keys become optional,
    and when the whole block is absent the struct stays zeroed (mode off).
    =========================================================================
*/
#include "pacta_profile.h"

#include "pacta_yaml.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(sizeof(pacta_rule_mode_t) == sizeof(int), "enums are stored through int");
_Static_assert(sizeof(pacta_sent_by_t) == sizeof(int), "enums are stored through int");
_Static_assert(sizeof(pacta_notice_date_t) == sizeof(int), "enums are stored through int");
_Static_assert(sizeof(pacta_notice_start_t) == sizeof(int), "enums are stored through int");
_Static_assert(sizeof(pacta_interest_accrual_t) == sizeof(int), "enums are stored through int");
_Static_assert(sizeof(pacta_day_kind_t) == sizeof(int), "enums are stored through int");
_Static_assert(sizeof(pacta_withdrawal_start_t) == sizeof(int), "enums are stored through int");
_Static_assert(sizeof(pacta_withdrawal_refusal_t) == sizeof(int), "enums are stored through int");
_Static_assert(sizeof(pacta_change_effective_t) == sizeof(int), "enums are stored through int");

/* s_read_section reads a rule block's mode through its first member. */
_Static_assert(offsetof(pacta_contract_start_t, rule) == 0, "rule first");
_Static_assert(offsetof(pacta_catalogue_t, rule) == 0, "rule first");
_Static_assert(offsetof(pacta_quote_terms_t, rule) == 0, "rule first");
_Static_assert(offsetof(pacta_deposit_terms_t, rule) == 0, "rule first");
_Static_assert(offsetof(pacta_withdrawal_terms_t, rule) == 0, "rule first");
_Static_assert(offsetof(pacta_initial_term_t, rule) == 0, "rule first");
_Static_assert(offsetof(pacta_tacit_renewal_t, rule) == 0, "rule first");
_Static_assert(offsetof(pacta_client_early_termination_t, rule) == 0, "rule first");
_Static_assert(offsetof(pacta_fixed_term_early_termination_t, rule) == 0, "rule first");
_Static_assert(offsetof(pacta_notice_termination_t, rule) == 0, "rule first");
_Static_assert(offsetof(pacta_termination_for_cause_t, rule) == 0, "rule first");
_Static_assert(offsetof(pacta_termination_for_default_t, rule) == 0, "rule first");
_Static_assert(offsetof(pacta_force_majeure_t, rule) == 0, "rule first");
_Static_assert(offsetof(pacta_invoicing_t, rule) == 0, "rule first");
_Static_assert(offsetof(pacta_unpaid_suspension_t, rule) == 0, "rule first");
_Static_assert(offsetof(pacta_rule_only_t, rule) == 0, "rule first");
_Static_assert(offsetof(pacta_prepayment_t, rule) == 0, "rule first");
_Static_assert(offsetof(pacta_referral_t, rule) == 0, "rule first");
_Static_assert(offsetof(pacta_late_payment_terms_t, rule) == 0, "rule first");
_Static_assert(offsetof(pacta_invoice_complaint_t, rule) == 0, "rule first");
_Static_assert(offsetof(pacta_imperative_deadline_t, rule) == 0, "rule first");
_Static_assert(offsetof(pacta_change_cost_warning_t, rule) == 0, "rule first");
_Static_assert(offsetof(pacta_renegotiation_t, rule) == 0, "rule first");
_Static_assert(offsetof(pacta_terms_change_t, rule) == 0, "rule first");
_Static_assert(offsetof(pacta_mediation_t, rule) == 0, "rule first");
_Static_assert(offsetof(pacta_data_retention_t, rule) == 0, "rule first");

#define MAX_RULE_IDS 128             /* rule blocks per profile */
#define MAX_SECTION_FIELDS 48        /* keys per section */
#define GOT_TEXT_MAX 40              /* characters of a bad value quoted back */

/* ---------------------------------------------------------------------- */
/* Schema                                                                 */
/* ---------------------------------------------------------------------- */

typedef enum {
    T_INT,        /* int, plain decimal */
    T_MONEY,      /* pacta_cents_t from "1234.56" */
    T_PERCENT,    /* pacta_bp_t from "4.50" */
    T_BOOL,       /* bool from true / false */
    T_STRING,     /* char[size] */
    T_RULE_ID,    /* char[PACTA_RULE_ID_SIZE], unique in the profile */
    T_ENUM,       /* int from a name */
    T_FLAGS,      /* unsigned bit set from a list of names */
    T_SECTION,    /* nested mapping */
    T_LIST,       /* list of nested mappings */
    T_CUSTOM      /* parsed by a function */
} field_type_t;

typedef enum {
    S_PLAIN,      /* keys as listed */
    S_RULE,       /* starts with pacta_rule_t; REQ_ON keys required unless mode off */
    S_STATUTE     /* starts with pacta_statute_t */
} section_kind_t;

/* Field flags. */
#define REQUIRED 1u      /* must be present */
#define REQ_ON 2u        /* must be present while the rule's mode is not off */
#define HAS_PRESENT 4u   /* sets the bool at present_offset when present */

typedef struct {
    const char *name;  /* spelling in YAML */
    int value;         /* enum value or bit */
} name_value_t;

typedef struct section section_t;
typedef struct ctx ctx_t;

typedef int (*custom_fn)(ctx_t *ctx, const pacta_yaml_node_t *node, void *target);
typedef int (*check_fn)(ctx_t *ctx, const pacta_yaml_node_t *node, void *base);
/* Returns NULL when text is acceptable, else what it must look like. */
typedef const char *(*text_check_fn)(const char *text);

typedef struct {
    const char *key;              /* YAML key */
    field_type_t type;            /* how the value is read */
    size_t offset;                /* where it goes, from the section's base */
    unsigned flags;               /* REQUIRED, REQ_ON, HAS_PRESENT */
    size_t present_offset;        /* bool set when present (HAS_PRESENT) */
    int64_t min;                  /* lowest value (cents, bp, number); T_LIST/T_FLAGS: fewest items */
    int64_t max;                  /* highest value; T_LIST: most items */
    size_t size;                  /* T_STRING buffer size; T_LIST element size */
    size_t count_offset;          /* T_LIST: size_t item count */
    const name_value_t *names;    /* T_ENUM, T_FLAGS */
    const section_t *section;     /* T_SECTION, T_LIST element */
    custom_fn custom;             /* T_CUSTOM */
    text_check_fn text_check;     /* T_STRING extra syntax */
} field_t;

struct section {
    section_kind_t kind;          /* plain, rule or statute */
    const field_t *fields;        /* keys of the section */
    size_t field_count;           /* entries in fields */
    check_fn check;               /* cross-field checks, after parsing; may be NULL */
};

/* Load state. */
struct ctx {
    const char *file;                          /* path used in messages */
    char *err;                                 /* caller's buffer */
    size_t err_size;                           /* its size */
    struct {
        char id[PACTA_RULE_ID_SIZE];           /* rule id seen */
        int line;                              /* where */
        char path[PACTA_YAML_PATH_SIZE];       /* its block */
    } rule_ids[MAX_RULE_IDS];                  /* rule ids seen, for uniqueness */
    size_t rule_id_count;                      /* entries used in rule_ids */
};

struct pacta_profile_set {
    pacta_profile_t **profiles;  /* loaded profiles, in file-name order */
    size_t count;                /* entries in profiles */
};

/* ---------------------------------------------------------------------- */
/* Messages                                                               */
/* ---------------------------------------------------------------------- */

static void
s_vreport(ctx_t *ctx, int line, const char *path, const char *fmt, va_list args)
{
    if (!ctx->err || ctx->err_size == 0)
        return;
    int used = snprintf(ctx->err, ctx->err_size, "%s:%d: %s: ", ctx->file, line,
                        (path && *path) ? path : "(root)");
    if (used < 0 || (size_t) used >= ctx->err_size)
        return;
    vsnprintf(ctx->err + used, ctx->err_size - (size_t) used, fmt, args);
}

/* The line to blame for a node: a scalar's own line; for a collection, the
   line of the key that introduces it. */
static int
s_report_line(const pacta_yaml_node_t *node)
{
    if (pacta_yaml_node_kind(node) == PACTA_YAML_SCALAR)
        return pacta_yaml_node_line(node);
    if (!pacta_yaml_node_parent(node))
        return 1;
    return pacta_yaml_node_key_line(node);
}

static int
s_fail(ctx_t *ctx, const pacta_yaml_node_t *node, const char *fmt, ...)
{
    char path[PACTA_YAML_PATH_SIZE];
    pacta_yaml_node_path(node, path, sizeof path);
    va_list args;
    va_start(args, fmt);
    s_vreport(ctx, s_report_line(node), path, fmt, args);
    va_end(args);
    return -1;
}

/* Reports a problem with key of the mapping parent (e.g. a missing key),
   on the line that introduces parent. */
static int
s_fail_key(ctx_t *ctx, const pacta_yaml_node_t *parent, const char *key, const char *fmt, ...)
{
    char parent_path[PACTA_YAML_PATH_SIZE];
    char path[PACTA_YAML_PATH_SIZE];
    pacta_yaml_node_path(parent, parent_path, sizeof parent_path);
    //  A path longer than the buffer is cut, never overflowed: still a useful prefix.
    if (snprintf(path, sizeof path, "%s%s%s", parent_path, *parent_path ? "." : "", key) >= (int) sizeof path)
        path[sizeof path - 1] = '\0';
    va_list args;
    va_start(args, fmt);
    s_vreport(ctx, s_report_line(parent), path, fmt, args);
    va_end(args);
    return -1;
}

/* Reports a problem with the key of node itself, on the key's line. */
static int
s_fail_at_key(ctx_t *ctx, const pacta_yaml_node_t *node, const char *fmt, ...)
{
    char path[PACTA_YAML_PATH_SIZE];
    pacta_yaml_node_path(node, path, sizeof path);
    va_list args;
    va_start(args, fmt);
    s_vreport(ctx, pacta_yaml_node_key_line(node), path, fmt, args);
    va_end(args);
    return -1;
}

static void
s_plain_error(char *err, size_t err_size, const char *file, int line, const char *path,
              const char *fmt, ...)
{
    ctx_t ctx = {.file = file, .err = err, .err_size = err_size};
    va_list args;
    va_start(args, fmt);
    s_vreport(&ctx, line, path, fmt, args);
    va_end(args);
}

/* A value quoted back in a message: at most GOT_TEXT_MAX characters,
   control characters replaced so the message stays one line. */
static const char *
s_quote(const char *text, char *buf, size_t buf_size)
{
    size_t used = 0;
    buf[used++] = '"';
    size_t i = 0;
    for (; text[i] && i < GOT_TEXT_MAX && used + 5 < buf_size; i++) {
        unsigned char c = (unsigned char) text[i];
        buf[used++] = (c < 0x20 || c == 0x7f) ? '?' : (char) c;
    }
    if (text[i] && used + 5 < buf_size) {
        memcpy(buf + used, "...", 3);
        used += 3;
    }
    buf[used++] = '"';
    buf[used] = '\0';
    return buf;
}

static const char *
s_money_text(pacta_cents_t cents, char *buf, size_t buf_size)
{
    return pacta_money_format_plain(cents, buf, buf_size);
}

static const char *
s_percent_text(pacta_bp_t bp, char *buf, size_t buf_size)
{
    return pacta_bp_format(bp, buf, buf_size);
}

/* "auto, propose, off" */
static const char *
s_names_text(const name_value_t *names, char *buf, size_t buf_size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; names[i].name; i++) {
        int n = snprintf(buf + used, buf_size - used, "%s%s", i ? ", " : "", names[i].name);
        if (n < 0 || (size_t) n >= buf_size - used)
            break;
        used += (size_t) n;
    }
    return buf;
}

/* What a field's value must look like, for messages. */
static const char *
s_describe(const field_t *field, char *buf, size_t buf_size)
{
    char names[256];
    switch (field->type) {
    case T_INT:
        snprintf(buf, buf_size, "a whole number");
        break;
    case T_MONEY:
        snprintf(buf, buf_size, "an amount like 50.00");
        break;
    case T_PERCENT:
        snprintf(buf, buf_size, "a percentage like 4.50");
        break;
    case T_BOOL:
        snprintf(buf, buf_size, "true or false");
        break;
    case T_STRING:
    case T_RULE_ID:
        snprintf(buf, buf_size, "text");
        break;
    case T_ENUM:
        snprintf(buf, buf_size, "one of %s", s_names_text(field->names, names, sizeof names));
        break;
    case T_FLAGS:
        snprintf(buf, buf_size, "a list of %s", s_names_text(field->names, names, sizeof names));
        break;
    case T_SECTION:
        snprintf(buf, buf_size, "a mapping of keys");
        break;
    case T_LIST:
        snprintf(buf, buf_size, "a list of mappings");
        break;
    case T_CUSTOM:
        snprintf(buf, buf_size, "%s", field->names ? field->names[0].name : "a mapping");
        break;
    }
    return buf;
}

/* Levenshtein distance, for "did you mean" on unknown keys. */
static size_t
s_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63)
        return SIZE_MAX;
    size_t row[64];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t above = row[j];
            size_t best = diagonal + (a[i - 1] != b[j - 1]);
            if (above + 1 < best)
                best = above + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diagonal = above;
        }
    }
    return row[lb];
}

/* ---------------------------------------------------------------------- */
/* Scalar readers: syntax first, then the shared parsers                  */
/* ---------------------------------------------------------------------- */

/* Digits with an optional fraction of 1-2 digits, no sign. */
static bool
s_is_decimal(const char *text, size_t len)
{
    size_t i = 0;
    while (i < len && text[i] >= '0' && text[i] <= '9')
        i++;
    if (i == 0 || i > 15)
        return false;
    if (i == len)
        return true;
    if (text[i] != '.')
        return false;
    size_t digits = 0;
    for (i++; i < len && text[i] >= '0' && text[i] <= '9'; i++)
        digits++;
    return i == len && digits >= 1 && digits <= 2;
}

/* Optional '-', digits, no leading zero (YAML 1.1 reads 010 as octal). */
static int
s_parse_int(const char *text, int64_t *out)
{
    const char *digits = text[0] == '-' ? text + 1 : text;
    size_t len = strlen(digits);
    if (len == 0 || len > 12 || (digits[0] == '0' && len > 1))
        return -1;
    for (size_t i = 0; i < len; i++)
        if (digits[i] < '0' || digits[i] > '9')
            return -1;
    char *end = NULL;
    errno = 0;
    long long value = strtoll(text, &end, 10);
    if (errno || *end)
        return -1;
    *out = value;
    return 0;
}

static const name_value_t *
s_find_name(const name_value_t *names, const char *text)
{
    for (size_t i = 0; names[i].name; i++)
        if (strcmp(names[i].name, text) == 0)
            return &names[i];
    return NULL;
}

/* Checks that node is a non-null scalar, reporting the expected form. */
static int
s_expect_scalar(ctx_t *ctx, const field_t *field, const pacta_yaml_node_t *node)
{
    char what[320];
    if (pacta_yaml_node_kind(node) != PACTA_YAML_SCALAR)
        return s_fail(ctx, node, "must be %s, got a %s", s_describe(field, what, sizeof what),
                      pacta_yaml_kind_name(pacta_yaml_node_kind(node)));
    if (pacta_yaml_scalar_is_null(node))
        return s_fail(ctx, node, "has no value; must be %s", s_describe(field, what, sizeof what));
    return 0;
}

static int
s_read_scalar(ctx_t *ctx, const field_t *field, const pacta_yaml_node_t *node, void *target)
{
    if (s_expect_scalar(ctx, field, node) != 0)
        return -1;
    const char *text = pacta_yaml_scalar_text(node);
    size_t len = pacta_yaml_scalar_len(node);
    char got[GOT_TEXT_MAX + 8];
    char low[PACTA_MONEY_STR_LEN], high[PACTA_MONEY_STR_LEN], value_text[PACTA_MONEY_STR_LEN];
    char what[320];

    switch (field->type) {
    case T_INT: {
        int64_t value;
        if (s_parse_int(text, &value) != 0)
            return s_fail(ctx, node, "must be a whole number, got %s", s_quote(text, got, sizeof got));
        if (value < field->min || value > field->max)
            return s_fail(ctx, node, "must be between %lld and %lld, got %lld", (long long) field->min,
                          (long long) field->max, (long long) value);
        *(int *) target = (int) value;
        return 0;
    }
    case T_MONEY: {
        pacta_cents_t value;
        if (!s_is_decimal(text, len) || pacta_money_parse(text, len, &value) != 0 || value < 0)
            return s_fail(ctx, node, "must be an amount like 50.00, got %s",
                          s_quote(text, got, sizeof got));
        if (value < field->min || value > field->max)
            return s_fail(ctx, node, "must be between %s and %s, got %s",
                          s_money_text(field->min, low, sizeof low),
                          s_money_text(field->max, high, sizeof high),
                          s_money_text(value, value_text, sizeof value_text));
        *(pacta_cents_t *) target = value;
        return 0;
    }
    case T_PERCENT: {
        pacta_bp_t value;
        if (!s_is_decimal(text, len) || len > 9 || pacta_bp_parse(text, len, &value) != 0
            || value < 0)
            return s_fail(ctx, node, "must be a percentage like 4.50, got %s",
                          s_quote(text, got, sizeof got));
        if (value < field->min || value > field->max)
            return s_fail(ctx, node, "must be between %s and %s (percent), got %s",
                          s_percent_text((pacta_bp_t) field->min, low, sizeof low),
                          s_percent_text((pacta_bp_t) field->max, high, sizeof high),
                          s_percent_text(value, value_text, sizeof value_text));
        *(pacta_bp_t *) target = value;
        return 0;
    }
    case T_BOOL:
        if (strcmp(text, "true") == 0)
            *(bool *) target = true;
        else if (strcmp(text, "false") == 0)
            *(bool *) target = false;
        else
            return s_fail(ctx, node, "must be true or false, got %s", s_quote(text, got, sizeof got));
        return 0;
    case T_STRING:
    case T_RULE_ID: {
        size_t size = field->type == T_RULE_ID ? PACTA_RULE_ID_SIZE : field->size;
        if (len == 0)
            return s_fail(ctx, node, "must not be empty");
        if (len >= size)
            return s_fail(ctx, node, "must be at most %zu bytes long, got %zu", size - 1, len);
        for (size_t i = 0; i < len; i++) {
            unsigned char c = (unsigned char) text[i];
            if (c < 0x20 || c == 0x7f)
                return s_fail(ctx, node, "must be one line of text without control characters");
        }
        const char *why = field->text_check ? field->text_check(text) : NULL;
        if (why)
            return s_fail(ctx, node, "must be %s, got %s", why, s_quote(text, got, sizeof got));
        memcpy(target, text, len + 1);
        return 0;
    }
    case T_ENUM: {
        const name_value_t *found = s_find_name(field->names, text);
        if (!found)
            return s_fail(ctx, node, "must be %s; got %s", s_describe(field, what, sizeof what),
                          s_quote(text, got, sizeof got));
        *(int *) target = found->value;
        return 0;
    }
    default:
        assert(!"not a scalar field type");
        return -1;
    }
}

/* ---------------------------------------------------------------------- */
/* The walker                                                             */
/* ---------------------------------------------------------------------- */

static int s_read_section(ctx_t *ctx, const section_t *section, const pacta_yaml_node_t *node,
                          void *base);

static int
s_read_flags(ctx_t *ctx, const field_t *field, const pacta_yaml_node_t *node, unsigned *target)
{
    char what[320];
    char got[GOT_TEXT_MAX + 8];
    if (pacta_yaml_node_kind(node) != PACTA_YAML_SEQUENCE)
        return s_fail(ctx, node, "must be %s, got a %s", s_describe(field, what, sizeof what),
                      pacta_yaml_node_kind(node) == PACTA_YAML_SCALAR && pacta_yaml_scalar_is_null(node)
                          ? "null"
                          : pacta_yaml_kind_name(pacta_yaml_node_kind(node)));
    unsigned flags = 0;
    field_t item_field = *field;
    item_field.type = T_ENUM;
    for (size_t i = 0; i < pacta_yaml_node_count(node); i++) {
        const pacta_yaml_node_t *item = pacta_yaml_node_child(node, i);
        if (s_expect_scalar(ctx, &item_field, item) != 0)
            return -1;
        const name_value_t *found = s_find_name(field->names, pacta_yaml_scalar_text(item));
        if (!found)
            return s_fail(ctx, item, "must be one of %s; got %s",
                          s_names_text(field->names, what, sizeof what),
                          s_quote(pacta_yaml_scalar_text(item), got, sizeof got));
        if (flags & (unsigned) found->value)
            return s_fail(ctx, item, "%s is listed twice", found->name);
        flags |= (unsigned) found->value;
    }
    if ((int64_t) pacta_yaml_node_count(node) < field->min)
        return s_fail(ctx, node, "must list at least %lld of %s", (long long) field->min,
                      s_names_text(field->names, what, sizeof what));
    *target = flags;
    return 0;
}

static int
s_read_list(ctx_t *ctx, const field_t *field, const pacta_yaml_node_t *node, void *base)
{
    char what[320];
    if (pacta_yaml_node_kind(node) != PACTA_YAML_SEQUENCE)
        return s_fail(ctx, node, "must be %s, got a %s", s_describe(field, what, sizeof what),
                      pacta_yaml_node_kind(node) == PACTA_YAML_SCALAR && pacta_yaml_scalar_is_null(node)
                          ? "null"
                          : pacta_yaml_kind_name(pacta_yaml_node_kind(node)));
    size_t count = pacta_yaml_node_count(node);
    if ((int64_t) count < field->min)
        return s_fail(ctx, node, "must have at least %lld entr%s, got %zu", (long long) field->min,
                      field->min == 1 ? "y" : "ies", count);
    if ((int64_t) count > field->max)
        return s_fail(ctx, node, "must have at most %lld entries, got %zu", (long long) field->max,
                      count);
    char *items = (char *) base + field->offset;
    for (size_t i = 0; i < count; i++)
        if (s_read_section(ctx, field->section, pacta_yaml_node_child(node, i), items + i * field->size)
            != 0)
            return -1;
    *(size_t *) ((char *) base + field->count_offset) = count;
    return 0;
}

static int
s_read_field(ctx_t *ctx, const field_t *field, const pacta_yaml_node_t *node, void *base)
{
    void *target = (char *) base + field->offset;
    int rc;
    switch (field->type) {
    case T_FLAGS:
        rc = s_read_flags(ctx, field, node, (unsigned *) target);
        break;
    case T_SECTION:
        rc = s_read_section(ctx, field->section, node, target);
        break;
    case T_LIST:
        rc = s_read_list(ctx, field, node, base);
        break;
    case T_CUSTOM:
        rc = field->custom(ctx, node, target);
        break;
    default:
        rc = s_read_scalar(ctx, field, node, target);
        break;
    }
    if (rc == 0 && field->type == T_RULE_ID) {
        /* Rule ids are cited in explanations: two blocks must not share one. */
        char path[PACTA_YAML_PATH_SIZE];
        pacta_yaml_node_path(pacta_yaml_node_parent(node), path, sizeof path);
        for (size_t i = 0; i < ctx->rule_id_count; i++)
            if (strcmp(ctx->rule_ids[i].id, (const char *) target) == 0)
                return s_fail(ctx, node, "rule id %s is already used by %s (line %d)",
                              (const char *) target, ctx->rule_ids[i].path, ctx->rule_ids[i].line);
        if (ctx->rule_id_count == MAX_RULE_IDS)
            return s_fail(ctx, node, "more than %d rule blocks", MAX_RULE_IDS);
        snprintf(ctx->rule_ids[ctx->rule_id_count].id, PACTA_RULE_ID_SIZE, "%s", (const char *) target);
        snprintf(ctx->rule_ids[ctx->rule_id_count].path, PACTA_YAML_PATH_SIZE, "%s", path);
        ctx->rule_ids[ctx->rule_id_count].line = pacta_yaml_node_line(node);
        ctx->rule_id_count++;
    }
    if (rc == 0 && (field->flags & HAS_PRESENT))
        *(bool *) ((char *) base + field->present_offset) = true;
    return rc;
}

static int
s_read_section(ctx_t *ctx, const section_t *section, const pacta_yaml_node_t *node, void *base)
{
    assert(section->field_count <= MAX_SECTION_FIELDS);
    if (pacta_yaml_node_kind(node) != PACTA_YAML_MAPPING) {
        if (pacta_yaml_scalar_is_null(node))
            return s_fail(ctx, node, "has no value; must be a mapping of keys");
        return s_fail(ctx, node, "must be a mapping of keys, got a %s",
                      pacta_yaml_kind_name(pacta_yaml_node_kind(node)));
    }
    bool seen[MAX_SECTION_FIELDS] = {false};
    for (size_t i = 0; i < pacta_yaml_node_count(node); i++) {
        const pacta_yaml_node_t *child = pacta_yaml_node_child(node, i);
        const char *key = pacta_yaml_node_key(child);
        size_t index = 0;
        while (index < section->field_count && strcmp(section->fields[index].key, key) != 0)
            index++;
        if (index == section->field_count) {
            const char *closest = NULL;
            size_t best = 3;
            for (size_t f = 0; f < section->field_count; f++) {
                size_t distance = s_edit_distance(key, section->fields[f].key);
                if (distance < best) {
                    best = distance;
                    closest = section->fields[f].key;
                }
            }
            if (closest)
                return s_fail_at_key(ctx, child, "unknown key (did you mean %s?)", closest);
            return s_fail_at_key(ctx, child, "unknown key");
        }
        if (s_read_field(ctx, &section->fields[index], child, base) != 0)
            return -1;
        seen[index] = true;
    }
    bool on = section->kind != S_RULE || ((const pacta_rule_t *) base)->mode != PACTA_RULE_OFF;
    for (size_t f = 0; f < section->field_count; f++) {
        const field_t *field = &section->fields[f];
        if (seen[f])
            continue;
        if (field->flags & REQUIRED)
            return s_fail_key(ctx, node, field->key, "required key is missing");
        if ((field->flags & REQ_ON) && on)
            return s_fail_key(ctx, node, field->key, "required key is missing (mode is %s)",
                              pacta_rule_mode_name(((const pacta_rule_t *) base)->mode));
    }
    if (section->check)
        return section->check(ctx, node, base);
    return 0;
}

/* ---------------------------------------------------------------------- */
/* Text syntaxes                                                          */
/* ---------------------------------------------------------------------- */

/* Tenant and pack ids end up in Redis keys and URLs: a slug. */
static const char *
s_check_slug(const char *text)
{
    static const char *const why = "lowercase letters, digits, '-' or '_', starting with a letter "
                                   "or digit";
    if (!((text[0] >= 'a' && text[0] <= 'z') || (text[0] >= '0' && text[0] <= '9')))
        return why;
    for (const char *c = text; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-' || *c == '_'))
            return why;
    return NULL;
}

/* "CC-3b", "SG-14", "L-2", "ACME-6". */
static const char *
s_check_rule_id(const char *text)
{
    static const char *const why = "a rule id like CC-3b";
    const char *c = text;
    if (!(*c >= 'A' && *c <= 'Z'))
        return why;
    while ((*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9'))
        c++;
    if (*c++ != '-')
        return why;
    if (!(*c >= '0' && *c <= '9'))
        return why;
    while (*c >= '0' && *c <= '9')
        c++;
    if (*c >= 'a' && *c <= 'z')
        c++;
    return *c ? why : NULL;
}

/* ---------------------------------------------------------------------- */
/* Custom readers                                                         */
/* ---------------------------------------------------------------------- */

/* calendar.extra_holidays: a list of dates, strictly increasing. */
static int
s_read_holidays(ctx_t *ctx, const pacta_yaml_node_t *node, void *target)
{
    pacta_calendar_terms_t *calendar = target;
    char got[GOT_TEXT_MAX + 8];
    char previous_text[PACTA_DATE_STR_LEN];
    if (pacta_yaml_node_kind(node) != PACTA_YAML_SEQUENCE)
        return s_fail(ctx, node, "must be a list of dates like [2025-12-26], got a %s",
                      pacta_yaml_scalar_is_null(node) ? "null"
                                                      : pacta_yaml_kind_name(pacta_yaml_node_kind(node)));
    size_t count = pacta_yaml_node_count(node);
    if (count > PACTA_PROFILE_MAX_HOLIDAYS)
        return s_fail(ctx, node, "must have at most %d dates, got %zu", PACTA_PROFILE_MAX_HOLIDAYS,
                      count);
    for (size_t i = 0; i < count; i++) {
        const pacta_yaml_node_t *item = pacta_yaml_node_child(node, i);
        pacta_date_t date;
        if (pacta_yaml_node_kind(item) != PACTA_YAML_SCALAR || pacta_yaml_scalar_is_null(item))
            return s_fail(ctx, item, "must be a date like 2025-12-26, got a %s",
                          pacta_yaml_scalar_is_null(item) ? "null"
                                                          : pacta_yaml_kind_name(pacta_yaml_node_kind(item)));
        if (pacta_date_parse(pacta_yaml_scalar_text(item), pacta_yaml_scalar_len(item), &date) != 0)
            return s_fail(ctx, item, "must be a date like 2025-12-26, got %s",
                          s_quote(pacta_yaml_scalar_text(item), got, sizeof got));
        if (i > 0 && date <= calendar->extra_holidays[i - 1])
            return s_fail(ctx, item, "dates must increase, but this one is not after %s",
                          pacta_date_format(calendar->extra_holidays[i - 1], previous_text,
                                            sizeof previous_text));
        calendar->extra_holidays[i] = date;
    }
    calendar->extra_holiday_count = count;
    return 0;
}

/* A rate value in a dated table: a percentage between 0 and 100. */
static int
s_read_rate(ctx_t *ctx, const pacta_yaml_node_t *node, pacta_bp_t *out)
{
    static const field_t rate_field = {.key = "rate", .type = T_PERCENT, .min = 0, .max = 10000};
    return s_read_scalar(ctx, &rate_field, node, out);
}

/* Common checks of a dated table's mapping. */
static int
s_check_table(ctx_t *ctx, const pacta_yaml_node_t *node, const char *example)
{
    if (pacta_yaml_node_kind(node) != PACTA_YAML_MAPPING)
        return s_fail(ctx, node, "must be a mapping like %s, got a %s", example,
                      pacta_yaml_scalar_is_null(node) ? "null"
                                                      : pacta_yaml_kind_name(pacta_yaml_node_kind(node)));
    size_t count = pacta_yaml_node_count(node);
    if (count == 0)
        return s_fail(ctx, node, "must have at least one entry like %s", example);
    if (count > PACTA_PROFILE_MAX_RATES)
        return s_fail(ctx, node, "must have at most %d entries, got %zu", PACTA_PROFILE_MAX_RATES,
                      count);
    return 0;
}

/* A 4-digit year 1900..2999. */
static int
s_parse_year(const char *text, size_t len, int *year)
{
    if (len != 4)
        return -1;
    int value = 0;
    for (size_t i = 0; i < 4; i++) {
        if (text[i] < '0' || text[i] > '9')
            return -1;
        value = value * 10 + (text[i] - '0');
    }
    if (value < 1900 || value > 2999)
        return -1;
    *year = value;
    return 0;
}

/* interest_rates.legal_by_year: {2023: 5.25, 2024: 5.75, ...}, years increasing. */
static int
s_read_legal_rates(ctx_t *ctx, const pacta_yaml_node_t *node, void *target)
{
    pacta_interest_rates_t *rates = target;
    char got[GOT_TEXT_MAX + 8];
    if (s_check_table(ctx, node, "{2025: 4.50}") != 0)
        return -1;
    for (size_t i = 0; i < pacta_yaml_node_count(node); i++) {
        const pacta_yaml_node_t *item = pacta_yaml_node_child(node, i);
        const char *key = pacta_yaml_node_key(item);
        pacta_year_rate_t *entry = &rates->legal[i];
        if (s_parse_year(key, strlen(key), &entry->year) != 0)
            return s_fail_at_key(ctx, item, "key must be a year like 2025, got %s",
                              s_quote(key, got, sizeof got));
        if (i > 0 && entry->year <= rates->legal[i - 1].year)
            return s_fail_at_key(ctx, item, "years must increase, but %d comes after %d",
                              entry->year, rates->legal[i - 1].year);
        if (s_read_rate(ctx, item, &entry->rate) != 0)
            return -1;
    }
    rates->legal_count = pacta_yaml_node_count(node);
    return 0;
}

/* interest_rates.commercial_by_half_year: {2025-H1: 11.50, 2025-H2: 10.50}. */
static int
s_read_commercial_rates(ctx_t *ctx, const pacta_yaml_node_t *node, void *target)
{
    pacta_interest_rates_t *rates = target;
    char got[GOT_TEXT_MAX + 8];
    if (s_check_table(ctx, node, "{2025-H1: 11.50}") != 0)
        return -1;
    for (size_t i = 0; i < pacta_yaml_node_count(node); i++) {
        const pacta_yaml_node_t *item = pacta_yaml_node_child(node, i);
        const char *key = pacta_yaml_node_key(item);
        pacta_half_year_rate_t *entry = &rates->commercial[i];
        if (strlen(key) != 7 || s_parse_year(key, 4, &entry->year) != 0 || key[4] != '-'
            || key[5] != 'H' || (key[6] != '1' && key[6] != '2'))
            return s_fail_at_key(ctx, item, "key must be a half-year like 2025-H1, got %s",
                              s_quote(key, got, sizeof got));
        entry->half = key[6] - '0';
        if (i > 0) {
            const pacta_half_year_rate_t *previous = &rates->commercial[i - 1];
            if (entry->year * 2 + entry->half <= previous->year * 2 + previous->half)
                return s_fail_at_key(ctx, item, "half-years must increase, but %d-H%d comes after %d-H%d",
                                  entry->year, entry->half, previous->year, previous->half);
        }
        if (s_read_rate(ctx, item, &entry->rate) != 0)
            return -1;
    }
    rates->commercial_count = pacta_yaml_node_count(node);
    return 0;
}

/* ---------------------------------------------------------------------- */
/* Section checks (what a field table cannot say)                         */
/* ---------------------------------------------------------------------- */

/* A field's node inside a section node, for messages (present by contract). */
static const pacta_yaml_node_t *
s_child(const pacta_yaml_node_t *node, const char *key)
{
    const pacta_yaml_node_t *child = pacta_yaml_map_get(node, key);
    return child ? child : node;
}

static int
s_check_bracket(ctx_t *ctx, const pacta_yaml_node_t *node, void *base)
{
    (void) ctx;
    pacta_indemnity_bracket_t *bracket = base;
    bracket->open_ended = pacta_yaml_map_get(node, "up_to") == NULL;
    return 0;
}

/* Brackets: bounds strictly increase, only the last is open-ended, and the
   indemnity never falls when the amount grows (each bracket starts at or
   above where the previous one ends). */
static int
s_check_brackets(ctx_t *ctx, const pacta_yaml_node_t *list, const pacta_indemnity_bracket_t *brackets,
                 size_t count)
{
    char a[PACTA_MONEY_STR_LEN], b[PACTA_MONEY_STR_LEN];
    pacta_cents_t lower = 0;
    for (size_t i = 0; i < count; i++) {
        const pacta_indemnity_bracket_t *bracket = &brackets[i];
        const pacta_yaml_node_t *item = pacta_yaml_node_child(list, i);
        bool last = i + 1 == count;
        if (bracket->open_ended && !last)
            return s_fail_key(ctx, item, "up_to",
                              "is required on every bracket but the last (brackets would overlap)");
        if (!bracket->open_ended && last)
            return s_fail_key(ctx, item, "up_to",
                              "must be left out on the last bracket, or amounts above %s would "
                              "have no indemnity",
                              s_money_text(bracket->up_to, a, sizeof a));
        if (!bracket->open_ended && bracket->up_to <= lower)
            return s_fail(ctx, s_child(item, "up_to"),
                          "must be greater than the previous bound %s (brackets overlap)",
                          s_money_text(lower, a, sizeof a));
        if (i > 0) {
            /* End value of the previous bracket, exactly, times 10000. */
            const pacta_indemnity_bracket_t *previous = &brackets[i - 1];
            pacta_cents_t previous_lower = i > 1 ? brackets[i - 2].up_to : 0;
            __int128 end_x10000 = (__int128) previous->fixed * 10000
                                  + (__int128) previous->percent_over_lower
                                        * (previous->up_to - previous_lower);
            if ((__int128) bracket->fixed * 10000 < end_x10000) {
                pacta_cents_t end = 0;
                pacta_money_round_div(end_x10000, 10000, &end);
                return s_fail(ctx, s_child(item, "fixed"),
                              "must be at least %s, the indemnity at the top of the previous "
                              "bracket, got %s (the indemnity must not fall as the amount grows)",
                              s_money_text(end, a, sizeof a), s_money_text(bracket->fixed, b, sizeof b));
            }
        }
        if (!bracket->open_ended)
            lower = bracket->up_to;
    }
    return 0;
}

static int
s_check_late_payment_terms(ctx_t *ctx, const pacta_yaml_node_t *node, void *base)
{
    pacta_late_payment_terms_t *terms = base;
    char a[PACTA_MONEY_STR_LEN], b[PACTA_MONEY_STR_LEN];
    const pacta_yaml_node_t *percent = pacta_yaml_map_get(node, "flat_indemnity_percent");
    const pacta_yaml_node_t *brackets = pacta_yaml_map_get(node, "flat_indemnity_brackets");
    if (percent && brackets)
        return s_fail(ctx, brackets,
                      "give either flat_indemnity_percent or flat_indemnity_brackets, not both");
    terms->flat_indemnity_method = percent    ? PACTA_INDEMNITY_PERCENT
                                   : brackets ? PACTA_INDEMNITY_BRACKETS
                                              : PACTA_INDEMNITY_NONE;
    if (brackets
        && s_check_brackets(ctx, brackets, terms->flat_indemnity_brackets,
                            terms->flat_indemnity_bracket_count) != 0)
        return -1;
    if (terms->flat_indemnity_capped && terms->flat_indemnity_max < terms->flat_indemnity_min)
        return s_fail(ctx, s_child(node, "flat_indemnity_max"),
                      "must not be below flat_indemnity_min (%s), got %s",
                      s_money_text(terms->flat_indemnity_min, a, sizeof a),
                      s_money_text(terms->flat_indemnity_max, b, sizeof b));
    return 0;
}

static int
s_check_catalogue(ctx_t *ctx, const pacta_yaml_node_t *node, void *base)
{
    pacta_catalogue_t *catalogue = base;
    const pacta_yaml_node_t *packs = pacta_yaml_map_get(node, "packs");
    for (size_t i = 0; i < catalogue->pack_count; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(catalogue->packs[i].id, catalogue->packs[j].id) == 0) {
                const pacta_yaml_node_t *id = s_child(pacta_yaml_node_child(packs, i), "id");
                return s_fail(ctx, id, "pack id \"%s\" is used twice (first at line %d)",
                              catalogue->packs[i].id,
                              pacta_yaml_node_line(s_child(pacta_yaml_node_child(packs, j), "id")));
            }
    return 0;
}

/* L-1: the statutory damages brackets obey the same shape as a company's. */
static int
s_check_consumer_debt(ctx_t *ctx, const pacta_yaml_node_t *node, void *base)
{
    pacta_consumer_debt_law_t *law = base;
    const pacta_yaml_node_t *brackets = pacta_yaml_map_get(node, "damages_brackets");
    if (brackets
        && s_check_brackets(ctx, brackets, law->damages_brackets, law->damages_bracket_count) != 0)
        return -1;
    return 0;
}

static int
s_check_b2b_law(ctx_t *ctx, const pacta_yaml_node_t *node, void *base)
{
    pacta_b2b_late_payment_law_t *law = base;
    if (law->max_agreed_due_calendar_days < law->default_due_calendar_days)
        return s_fail(ctx, s_child(node, "max_agreed_due_calendar_days"),
                      "must not be below default_due_calendar_days (%d), got %d",
                      law->default_due_calendar_days, law->max_agreed_due_calendar_days);
    return 0;
}

/* Checks across sections, once everything parsed. */
static int
s_check_profile(ctx_t *ctx, const pacta_yaml_node_t *root, void *base)
{
    pacta_profile_t *p = base;
    const pacta_yaml_node_t *node;

    if (pacta_rule_enabled(&p->tacit_renewal.rule)) {
        node = pacta_yaml_map_get(root, "tacit_renewal");
        if (!pacta_rule_enabled(&p->initial_term.rule))
            return s_fail(ctx, s_child(node, "mode"),
                          "a renewal needs a term: initial_term must be present and not off");
        if (p->tacit_renewal.non_renewal_notice_months >= p->tacit_renewal.renewal_months)
            return s_fail(ctx, s_child(node, "non_renewal_notice_months"),
                          "must be shorter than renewal_months (%d), got %d",
                          p->tacit_renewal.renewal_months, p->tacit_renewal.non_renewal_notice_months);
        if (p->tacit_renewal.non_renewal_notice_months >= p->initial_term.months)
            return s_fail(ctx, s_child(node, "non_renewal_notice_months"),
                          "must be shorter than initial_term.months (%d), got %d",
                          p->initial_term.months, p->tacit_renewal.non_renewal_notice_months);
    }
    if (pacta_rule_enabled(&p->client_early_termination.rule)
        && pacta_rule_enabled(&p->initial_term.rule)
        && p->client_early_termination.min_months_after_start > p->initial_term.months) {
        node = pacta_yaml_map_get(root, "client_early_termination");
        return s_fail(ctx, s_child(node, "min_months_after_start"),
                      "must not exceed initial_term.months (%d), got %d", p->initial_term.months,
                      p->client_early_termination.min_months_after_start);
    }
    if (pacta_rule_enabled(&p->referral.rule)
        && (!pacta_rule_enabled(&p->catalogue.rule) || p->catalogue.pack_count == 0)) {
        node = pacta_yaml_map_get(root, "referral");
        return s_fail(ctx, s_child(node, "mode"),
                      "referral discounts are set per pack: catalogue must be on and list packs");
    }
    if (pacta_rule_enabled(&p->invoicing.rule)
        && p->invoicing.due_calendar_days > p->statutes.b2b_late_payment.max_agreed_due_calendar_days) {
        node = pacta_yaml_map_get(root, "invoicing");
        return s_fail(ctx, s_child(node, "due_calendar_days"),
                      "must not exceed statutes.b2b_late_payment.max_agreed_due_calendar_days "
                      "(%d): longer agreed terms are void (L-2), got %d",
                      p->statutes.b2b_late_payment.max_agreed_due_calendar_days,
                      p->invoicing.due_calendar_days);
    }
    if (pacta_rule_enabled(&p->data_retention.rule)
        && p->data_retention.categories[PACTA_DATA_ACCOUNTING].archived_years
               < p->statutes.accounting_records.archive_years) {
        node = pacta_yaml_node_find(root, "data_retention.categories.accounting");
        return s_fail(ctx, s_child(node, "archived_years"),
                      "must be at least statutes.accounting_records.archive_years (%d): "
                      "accounting records are kept by law (L-5), got %d",
                      p->statutes.accounting_records.archive_years,
                      p->data_retention.categories[PACTA_DATA_ACCOUNTING].archived_years);
    }
    return 0;
}

/* ---------------------------------------------------------------------- */
/* The schema tables                                                      */
/* ---------------------------------------------------------------------- */

#define N(array) (sizeof(array) / sizeof((array)[0]))
#define SECTION(kind_, fields_, check_) \
    { .kind = (kind_), .fields = (fields_), .field_count = N(fields_), .check = (check_) }

/* Fields of a struct TYPE. */
#define F_INT(TYPE, key_, member, flags_, min_, max_)                                         \
    { .key = (key_), .type = T_INT, .offset = offsetof(TYPE, member), .flags = (flags_),     \
      .min = (min_), .max = (max_) }
#define F_MONEY(TYPE, key_, member, flags_, max_cents)                                        \
    { .key = (key_), .type = T_MONEY, .offset = offsetof(TYPE, member), .flags = (flags_),   \
      .min = 0, .max = (max_cents) }
#define F_PERCENT(TYPE, key_, member, flags_, max_bp)                                         \
    { .key = (key_), .type = T_PERCENT, .offset = offsetof(TYPE, member), .flags = (flags_), \
      .min = 0, .max = (max_bp) }
#define F_BOOL(TYPE, key_, member, flags_)                                                    \
    { .key = (key_), .type = T_BOOL, .offset = offsetof(TYPE, member), .flags = (flags_) }
#define F_ENUM(TYPE, key_, member, flags_, names_)                                            \
    { .key = (key_), .type = T_ENUM, .offset = offsetof(TYPE, member), .flags = (flags_),    \
      .names = (names_) }
#define F_FLAGS(TYPE, key_, member, flags_, names_, min_items)                                \
    { .key = (key_), .type = T_FLAGS, .offset = offsetof(TYPE, member), .flags = (flags_),   \
      .names = (names_), .min = (min_items) }
#define F_SECTION(TYPE, key_, member, flags_, section_)                                       \
    { .key = (key_), .type = T_SECTION, .offset = offsetof(TYPE, member), .flags = (flags_), \
      .section = &(section_) }
/* The identity keys every rule block starts with. */
#define RULE_HEADER(TYPE)                                                                       \
    { .key = "rule", .type = T_RULE_ID, .offset = offsetof(TYPE, rule.id), .flags = REQUIRED,  \
      .text_check = s_check_rule_id },                                                          \
    { .key = "clause", .type = T_STRING, .offset = offsetof(TYPE, rule.clause),                \
      .flags = REQUIRED, .size = PACTA_CLAUSE_SIZE },                                           \
    F_ENUM(TYPE, "mode", rule.mode, REQUIRED, s_modes)
#define STATUTE_HEADER(TYPE)                                                                    \
    { .key = "rule", .type = T_RULE_ID, .offset = offsetof(TYPE, statute.id),                  \
      .flags = REQUIRED, .text_check = s_check_rule_id },                                       \
    { .key = "source", .type = T_STRING, .offset = offsetof(TYPE, statute.source),             \
      .flags = REQUIRED, .size = PACTA_SOURCE_SIZE }

#define MAX_DAYS 3650                       /* ten years, for any day count */
#define MAX_MONTHS 240                      /* twenty years, for any month count */
#define MAX_FEE 1000000                     /* 10,000.00 for a fee */
#define MAX_AMOUNT 100000000                /* 1,000,000.00 for a discount or indemnity */
#define MAX_BOUND 100000000000LL            /* 1,000,000,000.00 for a bracket bound */
#define HUNDRED_PERCENT 10000               /* in basis points */

static const name_value_t s_modes[] = {
    {"auto", PACTA_RULE_AUTO}, {"propose", PACTA_RULE_PROPOSE}, {"off", PACTA_RULE_OFF}, {NULL, 0}};
static const name_value_t s_sent_by[] = {
    {"registered_letter", PACTA_SENT_BY_REGISTERED_LETTER}, {"writing", PACTA_SENT_BY_WRITING},
    {NULL, 0}};
static const name_value_t s_notice_dates[] = {
    {"postmark", PACTA_NOTICE_DATE_POSTMARK}, {"receipt", PACTA_NOTICE_DATE_RECEIPT}, {NULL, 0}};
static const name_value_t s_notice_starts[] = {
    {"first_day_of_next_month", PACTA_NOTICE_STARTS_FIRST_DAY_OF_NEXT_MONTH},
    {"receipt", PACTA_NOTICE_STARTS_ON_RECEIPT},
    {NULL, 0}};
static const name_value_t s_start_triggers[] = {
    {"order_form_signed", PACTA_START_ORDER_FORM_SIGNED}, {"e_signature", PACTA_START_E_SIGNATURE},
    {"quote_validated", PACTA_START_QUOTE_VALIDATED},      {"first_use", PACTA_START_FIRST_USE},
    {NULL, 0}};
static const name_value_t s_billing_periods[] = {
    {"monthly", PACTA_BILLING_MONTHLY}, {"quarterly", PACTA_BILLING_QUARTERLY},
    {"annual", PACTA_BILLING_ANNUAL},   {NULL, 0}};
static const name_value_t s_grounds[] = {
    {"bankruptcy", PACTA_GROUND_BANKRUPTCY},
    {"independence_at_risk", PACTA_GROUND_INDEPENDENCE_AT_RISK},
    {"serious_breach", PACTA_GROUND_SERIOUS_BREACH},
    {NULL, 0}};
static const name_value_t s_prepaid[] = {
    {"options", PACTA_PREPAID_OPTIONS}, {"a_la_carte", PACTA_PREPAID_A_LA_CARTE}, {NULL, 0}};
static const name_value_t s_accruals[] = {
    {"month_started", PACTA_ACCRUAL_MONTH_STARTED}, {"daily", PACTA_ACCRUAL_DAILY}, {NULL, 0}};
static const name_value_t s_day_kinds[] = {
    {"business_days", PACTA_DAYS_BUSINESS}, {"calendar_days", PACTA_DAYS_CALENDAR}, {NULL, 0}};
static const name_value_t s_suspensions[] = {
    {"force_majeure", PACTA_SUSPEND_FORCE_MAJEURE},
    {"unpaid_invoices", PACTA_SUSPEND_UNPAID},
    {"client_changes", PACTA_SUSPEND_CLIENT_CHANGES},
    {"missing_client_information", PACTA_SUSPEND_MISSING_INFO},
    {NULL, 0}};
static const name_value_t s_withdrawal_starts[] = {
    {"order_form_signed", PACTA_WITHDRAWAL_FROM_ORDER_FORM_SIGNED},
    {"order_confirmed", PACTA_WITHDRAWAL_FROM_ORDER_CONFIRMED},
    {"day_after_conclusion", PACTA_WITHDRAWAL_FROM_DAY_AFTER_CONCLUSION},
    {NULL, 0}};
static const name_value_t s_withdrawal_refusals[] = {
    {"performance_started", PACTA_WITHDRAWAL_REFUSED_ONCE_STARTED},
    {"fully_performed_with_consent", PACTA_WITHDRAWAL_REFUSED_FULLY_PERFORMED_CONSENTED},
    {NULL, 0}};
static const name_value_t s_withdrawal_exclusions[] = {
    {"a_la_carte", PACTA_WITHDRAWAL_EXCLUDES_A_LA_CARTE},
    {"customised_goods", PACTA_WITHDRAWAL_EXCLUDES_CUSTOMISED_GOODS},
    {NULL, 0}};
static const name_value_t s_change_effective[] = {
    {"notification", PACTA_CHANGE_ON_NOTIFICATION},
    {"first_day_of_next_month", PACTA_CHANGE_FIRST_DAY_OF_NEXT_MONTH},
    {NULL, 0}};
/* Descriptions for custom fields, shown as "must be ...". */
static const name_value_t s_dates_text[] = {{"a list of dates like [2025-12-26]", 0}, {NULL, 0}};
static const name_value_t s_legal_text[] = {{"a mapping like {2025: 4.50}", 0}, {NULL, 0}};
static const name_value_t s_commercial_text[] = {{"a mapping like {2025-H1: 11.50}", 0}, {NULL, 0}};

/* -- calendar, rates -- */
static const field_t s_calendar_fields[] = {
    F_INT(pacta_calendar_terms_t, "registered_letter_receipt_business_days",
          registered_letter_receipt_business_days, REQUIRED, 1, 10),
    {.key = "extra_holidays", .type = T_CUSTOM, .offset = 0, .flags = REQUIRED,
     .custom = s_read_holidays, .names = s_dates_text},
};
static const section_t s_calendar = SECTION(S_PLAIN, s_calendar_fields, NULL);

static const field_t s_rates_fields[] = {
    {.key = "legal_by_year", .type = T_CUSTOM, .offset = 0, .flags = REQUIRED,
     .custom = s_read_legal_rates, .names = s_legal_text},
    {.key = "commercial_by_half_year", .type = T_CUSTOM, .offset = 0, .flags = REQUIRED,
     .custom = s_read_commercial_rates, .names = s_commercial_text},
};
static const section_t s_rates = SECTION(S_PLAIN, s_rates_fields, NULL);

/* -- statutes -- */
/* One indemnity bracket (L-1 damages, SG-8d flat indemnity). */
static const field_t s_bracket_fields[] = {
    F_MONEY(pacta_indemnity_bracket_t, "up_to", up_to, 0, MAX_BOUND),
    F_MONEY(pacta_indemnity_bracket_t, "fixed", fixed, REQUIRED, MAX_AMOUNT),
    F_PERCENT(pacta_indemnity_bracket_t, "percent_over_lower", percent_over_lower, REQUIRED,
              HUNDRED_PERCENT),
};
static const section_t s_bracket = SECTION(S_PLAIN, s_bracket_fields, s_check_bracket);

static const field_t s_consumer_debt_fields[] = {
    STATUTE_HEADER(pacta_consumer_debt_law_t),
    F_INT(pacta_consumer_debt_law_t, "free_reminders", free_reminders, REQUIRED, 0, 10),
    F_INT(pacta_consumer_debt_law_t, "waiting_calendar_days_after_first_reminder",
          waiting_calendar_days_after_first_reminder, REQUIRED, 0, 365),
    F_INT(pacta_consumer_debt_law_t, "postal_reminder_counts_from_business_day",
          postal_reminder_counts_from_business_day, REQUIRED, 0, 10),
    F_MONEY(pacta_consumer_debt_law_t, "reminder_fee_cap", reminder_fee_cap, REQUIRED, MAX_FEE),
    F_BOOL(pacta_consumer_debt_law_t, "reminder_fee_cap_plus_postage", reminder_fee_cap_plus_postage,
           REQUIRED),
    F_INT(pacta_consumer_debt_law_t, "recurring_free_due_dates_per_year",
          recurring_free_due_dates_per_year, REQUIRED, 0, 366),
    F_BOOL(pacta_consumer_debt_law_t, "interest_capped_at_commercial_rate",
           interest_capped_at_commercial_rate, REQUIRED),
    {.key = "damages_brackets", .type = T_LIST,
     .offset = offsetof(pacta_consumer_debt_law_t, damages_brackets), .flags = REQUIRED, .min = 1,
     .max = PACTA_PROFILE_MAX_BRACKETS, .size = sizeof(pacta_indemnity_bracket_t),
     .count_offset = offsetof(pacta_consumer_debt_law_t, damages_bracket_count), .section = &s_bracket},
    F_MONEY(pacta_consumer_debt_law_t, "damages_max", damages_max, REQUIRED, MAX_AMOUNT),
};
static const field_t s_b2b_law_fields[] = {
    STATUTE_HEADER(pacta_b2b_late_payment_law_t),
    F_INT(pacta_b2b_late_payment_law_t, "default_due_calendar_days", default_due_calendar_days,
          REQUIRED, 1, 365),
    F_INT(pacta_b2b_late_payment_law_t, "max_agreed_due_calendar_days", max_agreed_due_calendar_days,
          REQUIRED, 1, 365),
    F_MONEY(pacta_b2b_late_payment_law_t, "recovery_compensation", recovery_compensation, REQUIRED,
            MAX_FEE),
    F_ENUM(pacta_b2b_late_payment_law_t, "mode", mode, REQUIRED, s_modes),
};
static const field_t s_withdrawal_law_fields[] = {
    STATUTE_HEADER(pacta_withdrawal_law_t),
    F_INT(pacta_withdrawal_law_t, "calendar_days", calendar_days, REQUIRED, 1, 365),
};
static const field_t s_data_subject_law_fields[] = {
    STATUTE_HEADER(pacta_data_subject_law_t),
    F_INT(pacta_data_subject_law_t, "answer_within_months", answer_within_months, REQUIRED, 1, 12),
    F_INT(pacta_data_subject_law_t, "extension_months", extension_months, REQUIRED, 0, 12),
};
static const field_t s_accounting_law_fields[] = {
    STATUTE_HEADER(pacta_accounting_law_t),
    F_INT(pacta_accounting_law_t, "archive_years", archive_years, REQUIRED, 1, 100),
};
static const section_t s_consumer_debt =
    SECTION(S_STATUTE, s_consumer_debt_fields, s_check_consumer_debt);
static const section_t s_b2b_law = SECTION(S_STATUTE, s_b2b_law_fields, s_check_b2b_law);
static const section_t s_withdrawal_law = SECTION(S_STATUTE, s_withdrawal_law_fields, NULL);
static const section_t s_data_subject_law = SECTION(S_STATUTE, s_data_subject_law_fields, NULL);
static const section_t s_accounting_law = SECTION(S_STATUTE, s_accounting_law_fields, NULL);

static const field_t s_statutes_fields[] = {
    F_SECTION(pacta_statutes_t, "consumer_debt", consumer_debt, REQUIRED, s_consumer_debt),
    F_SECTION(pacta_statutes_t, "b2b_late_payment", b2b_late_payment, REQUIRED, s_b2b_law),
    F_SECTION(pacta_statutes_t, "distance_withdrawal", distance_withdrawal, REQUIRED, s_withdrawal_law),
    F_SECTION(pacta_statutes_t, "data_subject_requests", data_subject_requests, REQUIRED,
              s_data_subject_law),
    F_SECTION(pacta_statutes_t, "accounting_records", accounting_records, REQUIRED, s_accounting_law),
};
static const section_t s_statutes = SECTION(S_PLAIN, s_statutes_fields, NULL);

/* -- formation and catalogue -- */
static const field_t s_contract_start_fields[] = {
    RULE_HEADER(pacta_contract_start_t),
    F_FLAGS(pacta_contract_start_t, "starts_at_earliest_of", starts_at_earliest_of, REQ_ON,
            s_start_triggers, 1),
};
static const section_t s_contract_start = SECTION(S_RULE, s_contract_start_fields, NULL);

static const field_t s_pack_fields[] = {
    {.key = "id", .type = T_STRING, .offset = offsetof(pacta_pack_t, id), .flags = REQUIRED,
     .size = PACTA_PACK_ID_SIZE, .text_check = s_check_slug},
    {.key = "name", .type = T_STRING, .offset = offsetof(pacta_pack_t, name), .flags = REQUIRED,
     .size = PACTA_PACK_NAME_SIZE},
    F_MONEY(pacta_pack_t, "referral_discount", referral_discount, REQUIRED, MAX_AMOUNT),
};
static const section_t s_pack = SECTION(S_PLAIN, s_pack_fields, NULL);

static const field_t s_catalogue_fields[] = {
    RULE_HEADER(pacta_catalogue_t),
    F_FLAGS(pacta_catalogue_t, "billing_periods", billing_periods, REQ_ON, s_billing_periods, 1),
    F_BOOL(pacta_catalogue_t, "a_la_carte_services", a_la_carte_services, REQ_ON),
    {.key = "packs", .type = T_LIST, .offset = offsetof(pacta_catalogue_t, packs), .flags = 0,
     .min = 0, .max = PACTA_PROFILE_MAX_PACKS, .size = sizeof(pacta_pack_t),
     .count_offset = offsetof(pacta_catalogue_t, pack_count), .section = &s_pack},
};
static const section_t s_catalogue = SECTION(S_RULE, s_catalogue_fields, s_check_catalogue);

static const field_t s_quote_fields[] = {
    RULE_HEADER(pacta_quote_terms_t),
    F_INT(pacta_quote_terms_t, "validity_calendar_days", validity_calendar_days, REQ_ON, 1, MAX_DAYS),
};
static const section_t s_quote_terms = SECTION(S_RULE, s_quote_fields, NULL);

static const field_t s_deposit_fields[] = {
    RULE_HEADER(pacta_deposit_terms_t),
    F_PERCENT(pacta_deposit_terms_t, "default_percent", default_percent, REQ_ON, HUNDRED_PERCENT),
};
static const section_t s_deposit = SECTION(S_RULE, s_deposit_fields, NULL);

static const field_t s_withdrawal_fields[] = {
    RULE_HEADER(pacta_withdrawal_terms_t),
    F_INT(pacta_withdrawal_terms_t, "calendar_days", calendar_days, REQ_ON, 1, 365),
    F_ENUM(pacta_withdrawal_terms_t, "counted_from", counted_from, REQ_ON, s_withdrawal_starts),
    F_BOOL(pacta_withdrawal_terms_t, "consumer_distance_only", consumer_distance_only, REQ_ON),
    F_ENUM(pacta_withdrawal_terms_t, "refused_when", refused_when, REQ_ON, s_withdrawal_refusals),
    F_FLAGS(pacta_withdrawal_terms_t, "excluded", excluded, REQ_ON, s_withdrawal_exclusions, 0),
};
static const section_t s_withdrawal = SECTION(S_RULE, s_withdrawal_fields, NULL);

/* -- term and termination -- */
static const field_t s_initial_term_fields[] = {
    RULE_HEADER(pacta_initial_term_t),
    F_INT(pacta_initial_term_t, "months", months, REQ_ON, 1, MAX_MONTHS),
};
static const section_t s_initial_term = SECTION(S_RULE, s_initial_term_fields, NULL);

static const field_t s_tacit_renewal_fields[] = {
    RULE_HEADER(pacta_tacit_renewal_t),
    F_INT(pacta_tacit_renewal_t, "renewal_months", renewal_months, REQ_ON, 1, MAX_MONTHS),
    F_INT(pacta_tacit_renewal_t, "non_renewal_notice_months", non_renewal_notice_months, REQ_ON, 0,
          MAX_MONTHS),
    F_ENUM(pacta_tacit_renewal_t, "notice_date", notice_date, REQ_ON, s_notice_dates),
};
static const section_t s_tacit_renewal = SECTION(S_RULE, s_tacit_renewal_fields, NULL);

static const field_t s_client_early_termination_fields[] = {
    RULE_HEADER(pacta_client_early_termination_t),
    F_INT(pacta_client_early_termination_t, "min_months_after_start", min_months_after_start, REQ_ON,
          0, MAX_MONTHS),
    F_INT(pacta_client_early_termination_t, "indemnity_monthly_fees", indemnity_monthly_fees, REQ_ON,
          0, MAX_MONTHS),
    F_ENUM(pacta_client_early_termination_t, "notice_by", notice_by, REQ_ON, s_sent_by),
};
static const section_t s_client_early_termination =
    SECTION(S_RULE, s_client_early_termination_fields, NULL);

static const field_t s_fixed_term_fields[] = {
    RULE_HEADER(pacta_fixed_term_early_termination_t),
    F_PERCENT(pacta_fixed_term_early_termination_t, "indemnity_percent_of_remaining",
              indemnity_percent_of_remaining, REQ_ON, HUNDRED_PERCENT),
};
static const section_t s_fixed_term = SECTION(S_RULE, s_fixed_term_fields, NULL);

static const field_t s_notice_termination_fields[] = {
    RULE_HEADER(pacta_notice_termination_t),
    F_INT(pacta_notice_termination_t, "notice_months", notice_months, REQ_ON, 0, MAX_MONTHS),
    F_ENUM(pacta_notice_termination_t, "notice_by", notice_by, REQ_ON, s_sent_by),
    F_ENUM(pacta_notice_termination_t, "notice_starts", notice_starts, REQ_ON, s_notice_starts),
};
static const section_t s_notice_termination = SECTION(S_RULE, s_notice_termination_fields, NULL);

static const field_t s_for_cause_fields[] = {
    RULE_HEADER(pacta_termination_for_cause_t),
    F_FLAGS(pacta_termination_for_cause_t, "grounds", grounds, REQ_ON, s_grounds, 1),
};
static const section_t s_for_cause = SECTION(S_RULE, s_for_cause_fields, NULL);

static const field_t s_for_default_fields[] = {
    RULE_HEADER(pacta_termination_for_default_t),
    F_BOOL(pacta_termination_for_default_t, "formal_notice_required", formal_notice_required, REQ_ON),
};
static const section_t s_for_default = SECTION(S_RULE, s_for_default_fields, NULL);

static const field_t s_force_majeure_fields[] = {
    RULE_HEADER(pacta_force_majeure_t),
    F_INT(pacta_force_majeure_t, "termination_when_longer_than_calendar_days",
          termination_when_longer_than_calendar_days, REQ_ON, 1, MAX_DAYS),
};
static const section_t s_force_majeure = SECTION(S_RULE, s_force_majeure_fields, NULL);

/* -- invoicing and payment -- */
static const field_t s_invoicing_fields[] = {
    RULE_HEADER(pacta_invoicing_t),
    F_INT(pacta_invoicing_t, "due_calendar_days", due_calendar_days, REQ_ON, 0, 365),
    F_BOOL(pacta_invoicing_t, "due_date_on_invoice_prevails", due_date_on_invoice_prevails, REQ_ON),
    F_PERCENT(pacta_invoicing_t, "vat_percent", vat_rate, REQ_ON, 10000),
};
static const section_t s_invoicing = SECTION(S_RULE, s_invoicing_fields, NULL);

static const field_t s_unpaid_suspension_fields[] = {
    RULE_HEADER(pacta_unpaid_suspension_t),
    F_INT(pacta_unpaid_suspension_t, "grace_calendar_days", grace_calendar_days, REQ_ON, 0, 365),
    F_BOOL(pacta_unpaid_suspension_t, "formal_notice_required", formal_notice_required, REQ_ON),
    F_BOOL(pacta_unpaid_suspension_t, "notify_client", notify_client, REQ_ON),
};
static const section_t s_unpaid_suspension = SECTION(S_RULE, s_unpaid_suspension_fields, NULL);

static const field_t s_rule_only_fields[] = {
    RULE_HEADER(pacta_rule_only_t),
};
static const section_t s_rule_only = SECTION(S_RULE, s_rule_only_fields, NULL);

static const field_t s_prepayment_fields[] = {
    RULE_HEADER(pacta_prepayment_t),
    F_FLAGS(pacta_prepayment_t, "applies_to", applies_to, REQ_ON, s_prepaid, 1),
};
static const section_t s_prepayment = SECTION(S_RULE, s_prepayment_fields, NULL);

static const field_t s_referral_fields[] = {
    RULE_HEADER(pacta_referral_t),
    F_PERCENT(pacta_referral_t, "annual_cap_percent_of_subscription",
              annual_cap_percent_of_subscription, REQ_ON, HUNDRED_PERCENT),
    F_BOOL(pacta_referral_t, "forfeited_on_annual_non_renewal", forfeited_on_annual_non_renewal,
           REQ_ON),
};
static const section_t s_referral = SECTION(S_RULE, s_referral_fields, NULL);

#define LP pacta_late_payment_terms_t
static const field_t s_late_payment_terms_fields[] = {
    RULE_HEADER(LP),
    F_ENUM(LP, "interest_accrual", interest_accrual, REQ_ON, s_accruals),
    F_PERCENT(LP, "interest_points_over_legal_rate", interest_points_over_legal_rate, REQ_ON, 2000),
    F_PERCENT(LP, "flat_indemnity_percent", flat_indemnity_percent, 0, HUNDRED_PERCENT),
    F_MONEY(LP, "flat_indemnity_min", flat_indemnity_min, 0, MAX_AMOUNT),
    {.key = "flat_indemnity_max", .type = T_MONEY, .offset = offsetof(LP, flat_indemnity_max),
     .flags = HAS_PRESENT, .present_offset = offsetof(LP, flat_indemnity_capped), .min = 0,
     .max = MAX_AMOUNT},
    {.key = "flat_indemnity_brackets", .type = T_LIST, .offset = offsetof(LP, flat_indemnity_brackets),
     .flags = 0, .min = 1, .max = PACTA_PROFILE_MAX_BRACKETS, .size = sizeof(pacta_indemnity_bracket_t),
     .count_offset = offsetof(LP, flat_indemnity_bracket_count), .section = &s_bracket},
    F_INT(LP, "free_reminders", free_reminders, REQ_ON, 0, 10),
    {.key = "charged_reminders_max", .type = T_INT, .offset = offsetof(LP, charged_reminders_max),
     .flags = HAS_PRESENT, .present_offset = offsetof(LP, charged_reminders_limited), .min = 1,
     .max = 10},
    F_MONEY(LP, "reminder_fee", reminder_fee, REQ_ON, MAX_FEE),
    F_BOOL(LP, "reminder_fee_plus_postage", reminder_fee_plus_postage, REQ_ON),
    F_MONEY(LP, "formal_notice_fee", formal_notice_fee, 0, MAX_FEE),
    F_BOOL(LP, "fees_include_vat", fees_include_vat, REQ_ON),
};
#undef LP
static const section_t s_late_payment_terms =
    SECTION(S_RULE, s_late_payment_terms_fields, s_check_late_payment_terms);

static const field_t s_late_payment_fields[] = {
    F_SECTION(pacta_late_payment_t, "professional", professional, 0, s_late_payment_terms),
    F_SECTION(pacta_late_payment_t, "consumer", consumer, 0, s_late_payment_terms),
};
static const section_t s_late_payment = SECTION(S_PLAIN, s_late_payment_fields, NULL);

static const field_t s_invoice_complaint_fields[] = {
    RULE_HEADER(pacta_invoice_complaint_t),
    F_INT(pacta_invoice_complaint_t, "clear_days", clear_days, REQ_ON, 1, 365),
    F_ENUM(pacta_invoice_complaint_t, "sent_by", sent_by, REQ_ON, s_sent_by),
};
static const section_t s_invoice_complaint = SECTION(S_RULE, s_invoice_complaint_fields, NULL);

/* -- performance, changes, disputes -- */
static const field_t s_imperative_deadline_fields[] = {
    RULE_HEADER(pacta_imperative_deadline_t),
    F_ENUM(pacta_imperative_deadline_t, "deadlines_in", deadlines_in, REQ_ON, s_day_kinds),
    F_PERCENT(pacta_imperative_deadline_t, "indemnity_percent", indemnity_percent, REQ_ON,
              HUNDRED_PERCENT),
    F_FLAGS(pacta_imperative_deadline_t, "suspended_by", suspended_by, REQ_ON, s_suspensions, 0),
};
static const section_t s_imperative_deadline = SECTION(S_RULE, s_imperative_deadline_fields, NULL);

static const field_t s_change_cost_fields[] = {
    RULE_HEADER(pacta_change_cost_warning_t),
    F_PERCENT(pacta_change_cost_warning_t, "threshold_percent", threshold_percent, REQ_ON,
              HUNDRED_PERCENT),
};
static const section_t s_change_cost = SECTION(S_RULE, s_change_cost_fields, NULL);

static const field_t s_renegotiation_fields[] = {
    RULE_HEADER(pacta_renegotiation_t),
    F_INT(pacta_renegotiation_t, "max_calendar_days", max_calendar_days, REQ_ON, 1, 365),
};
static const section_t s_renegotiation = SECTION(S_RULE, s_renegotiation_fields, NULL);

static const field_t s_terms_change_fields[] = {
    RULE_HEADER(pacta_terms_change_t),
    F_ENUM(pacta_terms_change_t, "effective_on", effective_on, REQ_ON, s_change_effective),
    F_INT(pacta_terms_change_t, "objection_clear_days", objection_clear_days, 0, 0, 365),
};
static const section_t s_terms_change = SECTION(S_RULE, s_terms_change_fields, NULL);

static const field_t s_mediation_fields[] = {
    RULE_HEADER(pacta_mediation_t),
    F_INT(pacta_mediation_t, "starts_within_clear_days", starts_within_clear_days, REQ_ON, 1, 365),
    F_INT(pacta_mediation_t, "max_duration_clear_days", max_duration_clear_days, REQ_ON, 1, 365),
};
static const section_t s_mediation = SECTION(S_RULE, s_mediation_fields, NULL);

/* -- personal data -- */
static const field_t s_retention_period_fields[] = {
    F_INT(pacta_retention_period_t, "kept_years_after_contract_end", kept_years_after_contract_end,
          REQUIRED, 0, 100),
    F_INT(pacta_retention_period_t, "archived_years", archived_years, REQUIRED, 0, 100),
};
static const section_t s_retention_period = SECTION(S_PLAIN, s_retention_period_fields, NULL);

#define CATEGORY(key_, index)                                                                  \
    { .key = (key_), .type = T_SECTION,                                                        \
      .offset = (size_t) (index) * sizeof(pacta_retention_period_t), .flags = REQUIRED,        \
      .section = &s_retention_period }
static const field_t s_categories_fields[] = {
    CATEGORY("identity", PACTA_DATA_IDENTITY), CATEGORY("contact", PACTA_DATA_CONTACT),
    CATEGORY("banking", PACTA_DATA_BANKING),   CATEGORY("content", PACTA_DATA_CONTENT),
    CATEGORY("accounting", PACTA_DATA_ACCOUNTING),
};
#undef CATEGORY
static const section_t s_categories = SECTION(S_PLAIN, s_categories_fields, NULL);

static const field_t s_data_retention_fields[] = {
    RULE_HEADER(pacta_data_retention_t),
    F_SECTION(pacta_data_retention_t, "categories", categories, REQ_ON, s_categories),
};
static const section_t s_data_retention = SECTION(S_RULE, s_data_retention_fields, NULL);

/* -- the whole profile, in the order of the shipped YAML files -- */
#define RULE_BLOCK(key_, member, section_) F_SECTION(pacta_profile_t, key_, member, 0, section_)
static const field_t s_profile_fields[] = {
    {.key = "tenant", .type = T_STRING, .offset = offsetof(pacta_profile_t, tenant),
     .flags = REQUIRED, .size = PACTA_TENANT_SIZE, .text_check = s_check_slug},
    {.key = "company_name", .type = T_STRING, .offset = offsetof(pacta_profile_t, company_name),
     .flags = REQUIRED, .size = PACTA_COMPANY_NAME_SIZE},
    F_SECTION(pacta_profile_t, "calendar", calendar, REQUIRED, s_calendar),
    F_SECTION(pacta_profile_t, "interest_rates", interest_rates, REQUIRED, s_rates),
    F_SECTION(pacta_profile_t, "statutes", statutes, REQUIRED, s_statutes),
    RULE_BLOCK("contract_start", contract_start, s_contract_start),
    RULE_BLOCK("catalogue", catalogue, s_catalogue),
    RULE_BLOCK("quote", quote, s_quote_terms),
    RULE_BLOCK("deposit", deposit, s_deposit),
    RULE_BLOCK("withdrawal", withdrawal, s_withdrawal),
    RULE_BLOCK("initial_term", initial_term, s_initial_term),
    RULE_BLOCK("tacit_renewal", tacit_renewal, s_tacit_renewal),
    RULE_BLOCK("client_early_termination", client_early_termination, s_client_early_termination),
    RULE_BLOCK("fixed_term_early_termination", fixed_term_early_termination, s_fixed_term),
    RULE_BLOCK("notice_termination", notice_termination, s_notice_termination),
    RULE_BLOCK("termination_for_cause", termination_for_cause, s_for_cause),
    RULE_BLOCK("termination_for_provider_default", termination_for_provider_default, s_for_default),
    RULE_BLOCK("force_majeure", force_majeure, s_force_majeure),
    RULE_BLOCK("invoicing", invoicing, s_invoicing),
    RULE_BLOCK("unpaid_suspension", unpaid_suspension, s_unpaid_suspension),
    RULE_BLOCK("restoration", restoration, s_rule_only),
    RULE_BLOCK("lost_period", lost_period, s_rule_only),
    RULE_BLOCK("content_suspension", content_suspension, s_rule_only),
    RULE_BLOCK("campaign_budget", campaign_budget, s_rule_only),
    RULE_BLOCK("prepayment", prepayment, s_prepayment),
    RULE_BLOCK("referral", referral, s_referral),
    RULE_BLOCK("content_licence", content_licence, s_rule_only),
    RULE_BLOCK("retention_of_deliverables", retention_of_deliverables, s_rule_only),
    F_SECTION(pacta_profile_t, "late_payment", late_payment, 0, s_late_payment),
    RULE_BLOCK("invoice_complaint", invoice_complaint, s_invoice_complaint),
    RULE_BLOCK("imperative_deadline", imperative_deadline, s_imperative_deadline),
    RULE_BLOCK("change_cost_warning", change_cost_warning, s_change_cost),
    RULE_BLOCK("renegotiation", renegotiation, s_renegotiation),
    RULE_BLOCK("terms_change", terms_change, s_terms_change),
    RULE_BLOCK("mediation", mediation, s_mediation),
    F_SECTION(pacta_profile_t, "data_retention", data_retention, REQUIRED, s_data_retention),
};
#undef RULE_BLOCK
static const section_t s_profile = SECTION(S_PLAIN, s_profile_fields, s_check_profile);

/* ---------------------------------------------------------------------- */
/* Loading                                                                */
/* ---------------------------------------------------------------------- */

pacta_profile_t *
pacta_profile_load(const char *path, char *err, size_t err_size)
{
    assert(path);
    pacta_profile_t *profile = NULL;
    pacta_yaml_doc_t *doc = NULL;
    ctx_t *ctx = calloc(1, sizeof *ctx);
    if (err && err_size > 0)
        err[0] = '\0';
    if (!ctx) {
        s_plain_error(err, err_size, path, 1, "(file)", "out of memory");
        goto cleanup;
    }
    ctx->file = path;
    ctx->err = err;
    ctx->err_size = err_size;

    doc = pacta_yaml_doc_load_file(path, PACTA_PROFILE_MAX_FILE_BYTES, err, err_size);
    if (!doc)
        goto cleanup;
    const pacta_yaml_node_t *root = pacta_yaml_doc_root(doc);
    if (!root || pacta_yaml_scalar_is_null(root)) {
        s_plain_error(err, err_size, path, 1, "(root)",
                      "file is empty; a profile is a mapping of keys starting with tenant:");
        goto cleanup;
    }
    if (pacta_yaml_node_kind(root) != PACTA_YAML_MAPPING) {
        s_plain_error(err, err_size, path, pacta_yaml_node_line(root), "(root)",
                      "must be a mapping of keys starting with tenant:, got a %s",
                      pacta_yaml_kind_name(pacta_yaml_node_kind(root)));
        goto cleanup;
    }
    if (strlen(path) >= PACTA_PROFILE_PATH_SIZE) {
        s_plain_error(err, err_size, path, 1, "(file)", "path is longer than %d bytes",
                      PACTA_PROFILE_PATH_SIZE - 1);
        goto cleanup;
    }
    profile = calloc(1, sizeof *profile);
    if (!profile) {
        s_plain_error(err, err_size, path, 1, "(file)", "out of memory");
        goto cleanup;
    }
    if (s_read_section(ctx, &s_profile, root, profile) != 0) {
        free(profile);
        profile = NULL;
        goto cleanup;
    }
    memcpy(profile->source_path, path, strlen(path) + 1);
    profile->tenant_line = pacta_yaml_node_line(pacta_yaml_map_get(root, "tenant"));
    //  The tenant id becomes part of Redis keys and their {hash tags}.
    if (!pacta_tenant_id_valid(profile->tenant)) {
        s_plain_error(err, err_size, path, profile->tenant_line, "tenant",
                      "must be 1 to %d letters, digits, '.', '_' or '-', got \"%s\"", PACTA_TENANT_ID_MAX,
                      profile->tenant);
        free(profile);
        profile = NULL;
        goto cleanup;
    }

cleanup:
    pacta_yaml_doc_destroy(&doc);
    free(ctx);
    return profile;
}

bool
pacta_tenant_id_valid(const char *tenant)
{
    if (!tenant || !*tenant)
        return false;
    size_t len = 0;
    for (const char *c = tenant; *c; c++, len++) {
        const bool ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9')
                     || *c == '.' || *c == '_' || *c == '-';
        if (!ok || len >= PACTA_TENANT_ID_MAX)
            return false;
    }
    return true;
}

void
pacta_profile_destroy(pacta_profile_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free(*self_p);
    *self_p = NULL;
}

const char *
pacta_profile_tenant(const pacta_profile_t *self)
{
    return self->tenant;
}

/* ---------------------------------------------------------------------- */
/* Profile sets                                                           */
/* ---------------------------------------------------------------------- */

static int
s_compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *) a, *(char *const *) b);
}

/* True for "NAME.yaml" with a non-empty NAME not starting with '.'. */
static bool
s_is_profile_name(const char *name)
{
    size_t len = strlen(name);
    return len > 5 && name[0] != '.' && strcmp(name + len - 5, ".yaml") == 0;
}

pacta_profile_set_t *
pacta_profile_set_load_dir(const char *dir, char *err, size_t err_size)
{
    assert(dir);
    pacta_profile_set_t *set = NULL;
    char **names = NULL;
    size_t name_count = 0;
    DIR *handle = NULL;
    bool ok = false;
    if (err && err_size > 0)
        err[0] = '\0';

    handle = opendir(dir);
    if (!handle) {
        s_plain_error(err, err_size, dir, 1, "(directory)", "cannot open: %s", strerror(errno));
        goto cleanup;
    }
    names = calloc(PACTA_PROFILE_MAX_FILES, sizeof *names);
    set = calloc(1, sizeof *set);
    if (!names || !set) {
        s_plain_error(err, err_size, dir, 1, "(directory)", "out of memory");
        goto cleanup;
    }
    for (;;) {
        errno = 0;
        struct dirent *entry = readdir(handle);
        if (!entry) {
            if (errno) {
                s_plain_error(err, err_size, dir, 1, "(directory)", "cannot list: %s",
                              strerror(errno));
                goto cleanup;
            }
            break;
        }
        if (!s_is_profile_name(entry->d_name))
            continue;
        if (name_count == PACTA_PROFILE_MAX_FILES) {
            s_plain_error(err, err_size, dir, 1, "(directory)", "more than %d profiles",
                          PACTA_PROFILE_MAX_FILES);
            goto cleanup;
        }
        names[name_count] = strdup(entry->d_name);
        if (!names[name_count]) {
            s_plain_error(err, err_size, dir, 1, "(directory)", "out of memory");
            goto cleanup;
        }
        name_count++;
    }
    if (name_count == 0) {
        s_plain_error(err, err_size, dir, 1, "(directory)", "no *.yaml profile found");
        goto cleanup;
    }
    qsort(names, name_count, sizeof *names, s_compare_names);
    set->profiles = calloc(name_count, sizeof *set->profiles);
    if (!set->profiles) {
        s_plain_error(err, err_size, dir, 1, "(directory)", "out of memory");
        goto cleanup;
    }
    for (size_t i = 0; i < name_count; i++) {
        char path[PACTA_PROFILE_PATH_SIZE];
        int n = snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (n < 0 || (size_t) n >= sizeof path) {
            s_plain_error(err, err_size, dir, 1, "(directory)", "path of %s is too long", names[i]);
            goto cleanup;
        }
        pacta_profile_t *profile = pacta_profile_load(path, err, err_size);
        if (!profile)
            goto cleanup;
        set->profiles[set->count++] = profile;
        for (size_t j = 0; j + 1 < set->count; j++)
            if (strcmp(set->profiles[j]->tenant, profile->tenant) == 0) {
                s_plain_error(err, err_size, path, profile->tenant_line, "tenant",
                              "tenant \"%s\" is already defined in %s (line %d)", profile->tenant,
                              set->profiles[j]->source_path, set->profiles[j]->tenant_line);
                goto cleanup;
            }
    }
    ok = true;

cleanup:
    if (handle)
        closedir(handle);
    for (size_t i = 0; i < name_count; i++)
        free(names[i]);
    free(names);
    if (!ok)
        pacta_profile_set_destroy(&set);
    return set;
}

const pacta_profile_t *
pacta_profile_set_find(const pacta_profile_set_t *self, const char *tenant)
{
    if (!tenant)
        return NULL;
    for (size_t i = 0; i < self->count; i++)
        if (strcmp(self->profiles[i]->tenant, tenant) == 0)
            return self->profiles[i];
    return NULL;
}

size_t
pacta_profile_set_count(const pacta_profile_set_t *self)
{
    return self->count;
}

const pacta_profile_t *
pacta_profile_set_at(const pacta_profile_set_t *self, size_t index)
{
    assert(index < self->count);
    return self->profiles[index];
}

void
pacta_profile_set_destroy(pacta_profile_set_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    pacta_profile_set_t *self = *self_p;
    for (size_t i = 0; i < self->count; i++)
        pacta_profile_destroy(&self->profiles[i]);
    free(self->profiles);
    free(self);
    *self_p = NULL;
}

/* ---------------------------------------------------------------------- */
/* Lookups                                                                */
/* ---------------------------------------------------------------------- */

bool
pacta_rule_enabled(const pacta_rule_t *rule)
{
    return rule->mode == PACTA_RULE_AUTO || rule->mode == PACTA_RULE_PROPOSE;
}

const char *
pacta_rule_mode_name(pacta_rule_mode_t mode)
{
    switch (mode) {
    case PACTA_RULE_AUTO:
        return "auto";
    case PACTA_RULE_PROPOSE:
        return "propose";
    case PACTA_RULE_OFF:
        return "off";
    }
    return "invalid";
}

int
pacta_profile_legal_rate_for_year(const pacta_profile_t *self, int year, pacta_bp_t *bp)
{
    for (size_t i = 0; i < self->interest_rates.legal_count; i++)
        if (self->interest_rates.legal[i].year == year) {
            *bp = self->interest_rates.legal[i].rate;
            return 0;
        }
    return -1;
}

int
pacta_profile_commercial_rate_on(const pacta_profile_t *self, pacta_date_t date, pacta_bp_t *bp)
{
    if (!pacta_date_is_valid(date))
        return -1;
    int year, month;
    pacta_date_to_ymd(date, &year, &month, NULL);
    int half = month <= 6 ? 1 : 2;
    for (size_t i = 0; i < self->interest_rates.commercial_count; i++) {
        const pacta_half_year_rate_t *entry = &self->interest_rates.commercial[i];
        if (entry->year == year && entry->half == half) {
            *bp = entry->rate;
            return 0;
        }
    }
    return -1;
}

pacta_holidays_t
pacta_profile_holidays(const pacta_profile_t *self)
{
    pacta_holidays_t holidays = {.extra = self->calendar.extra_holidays,
                                 .extra_count = self->calendar.extra_holiday_count};
    return holidays;
}

const pacta_pack_t *
pacta_profile_find_pack(const pacta_profile_t *self, const char *pack_id)
{
    if (!pack_id)
        return NULL;
    for (size_t i = 0; i < self->catalogue.pack_count; i++)
        if (strcmp(self->catalogue.packs[i].id, pack_id) == 0)
            return &self->catalogue.packs[i];
    return NULL;
}

const pacta_retention_period_t *
pacta_profile_retention(const pacta_profile_t *self, pacta_data_category_t category)
{
    assert(category >= 0 && category < PACTA_DATA_CATEGORY_COUNT);
    return &self->data_retention.categories[category];
}

const char *
pacta_data_category_name(pacta_data_category_t category)
{
    static const char *const names[PACTA_DATA_CATEGORY_COUNT] = {"identity", "contact", "banking",
                                                                 "content", "accounting"};
    if (category < 0 || category >= PACTA_DATA_CATEGORY_COUNT)
        return "invalid";
    return names[category];
}
