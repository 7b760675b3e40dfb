/*  =========================================================================
    ntf_template - the notice templates: loading, checking and rendering

    Design decision: every template is checked when the service starts, not
    when a notice is sent. A missing file, a subject line missing, an
    unclosed {{ or a placeholder that names no field of the message the
    template serves refuses the start with "file:line: what", because a
    gap discovered at send time would be a letter already owed to a client.
    Rendering then cannot fail on the template itself, only on its size.
    The templates are also compiled into the binary (embed_templates.cmake):
    the default, so a service finds them from any working directory.
    =========================================================================
*/
#include "ntf_template.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pacta_money.h"

typedef struct {
    char id[NTF_TEMPLATE_ID_MAX + 1];          /* template id */
    char *subject[NTF_LANG_COUNT];             /* subject line per language (owned) */
    char *body[NTF_LANG_COUNT];                /* body per language (owned) */
} s_template_t;

struct ntf_templates {
    s_template_t *items;                       /* the templates, in load order */
    size_t count;                              /* entries in items */
};

static const char *const s_builtins[] = {"explanation", "rule_id", "clause", "notification_id", NULL};

static const char *const s_months[NTF_LANG_COUNT][12] = {
    {"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
     "novembre", "décembre"},
    {"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
     "november", "december"},
    {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
     "November", "December"},
};

int
ntf_lang_parse(const char *text, ntf_lang_t *out)
{
    if (!text)
        return -1;
    if (strcmp(text, "fr") == 0 || strcmp(text, "LANGUAGE_FR") == 0)
        *out = NTF_LANG_FR;
    else if (strcmp(text, "nl") == 0 || strcmp(text, "LANGUAGE_NL") == 0)
        *out = NTF_LANG_NL;
    else if (strcmp(text, "en") == 0 || strcmp(text, "LANGUAGE_EN") == 0)
        *out = NTF_LANG_EN;
    else
        return -1;
    return 0;
}

const char *
ntf_lang_name(ntf_lang_t lang)
{
    switch (lang) {
    case NTF_LANG_NL: return "nl";
    case NTF_LANG_EN: return "en";
    default: return "fr";
    }
}

char *
ntf_format_date(ntf_lang_t lang, pacta_date_t date, char *buf, size_t size)
{
    if (size == 0)
        return buf;
    buf[0] = '\0';
    if (!pacta_date_is_valid(date) || lang >= NTF_LANG_COUNT)
        return buf;
    int year, month, day;
    pacta_date_to_ymd(date, &year, &month, &day);
    const char *ordinal = lang == NTF_LANG_FR && day == 1 ? "er" : "";
    if (snprintf(buf, size, "%d%s %s %d", day, ordinal, s_months[lang][month - 1], year) >= (int) size)
        buf[0] = '\0';
    return buf;
}

/* "4,50 %": basis points with a decimal comma (the Belgian way in all three languages). */
static char *
s_format_bp(int64_t bp, char *buf, size_t size)
{
    const char *sign = bp < 0 ? "-" : "";
    int64_t magnitude = bp < 0 ? -bp : bp;
    if (snprintf(buf, size, "%s%lld,%02lld %%", sign, (long long) (magnitude / 100),
                 (long long) (magnitude % 100)) >= (int) size)
        buf[0] = '\0';
    return buf;
}

char *
ntf_format_value(ntf_lang_t lang, const json_t *typed, char *buf, size_t size)
{
    if (size == 0)
        return buf;
    buf[0] = '\0';
    const char *type = json_string_value(json_object_get(typed, "type"));
    const json_t *value = json_object_get(typed, "value");
    if (!type || !value)
        return buf;
    if (strcmp(type, "date") == 0 && json_is_string(value)) {
        pacta_date_t date;
        const char *text = json_string_value(value);
        if (pacta_date_parse(text, strlen(text), &date) == 0)
            ntf_format_date(lang, date, buf, size);
    }
    else if (strcmp(type, "money") == 0 && json_is_integer(value)) {
        char money[PACTA_MONEY_STR_LEN];
        pacta_money_format_be(json_integer_value(value), money, sizeof money);
        snprintf(buf, size, "%s", money);
    }
    else if (strcmp(type, "bp") == 0 && json_is_integer(value))
        s_format_bp(json_integer_value(value), buf, size);
    else if (strcmp(type, "int") == 0 && json_is_integer(value))
        snprintf(buf, size, "%lld", (long long) json_integer_value(value));
    else if (strcmp(type, "flag") == 0 && json_is_boolean(value)) {
        static const char *const yes[NTF_LANG_COUNT] = {"oui", "ja", "yes"};
        static const char *const no[NTF_LANG_COUNT] = {"non", "nee", "no"};
        snprintf(buf, size, "%s", json_is_true(value) ? yes[lang] : no[lang]);
    }
    else if (strcmp(type, "text") == 0 && json_is_string(value)) {
        if (snprintf(buf, size, "%s", json_string_value(value)) >= (int) size)
            buf[0] = '\0';
    }
    return buf;
}

/* ---- loading ----------------------------------------------------------------------------- */

static bool
s_is_builtin(const char *name)
{
    for (size_t i = 0; s_builtins[i]; i++)
        if (strcmp(s_builtins[i], name) == 0)
            return true;
    return false;
}

/* Checks every {{name}} of text (starting at file line first_line). 0, or -1
   with "path:line: what" in err. */
static int
s_check_placeholders(const char *path, const char *text, int first_line,
                     const ProtobufCMessageDescriptor *descriptor, char *err, size_t err_size)
{
    int line = first_line;
    for (const char *cursor = text; *cursor; cursor++) {
        if (*cursor == '\n') {
            line++;
            continue;
        }
        if (cursor[0] != '{' || cursor[1] != '{')
            continue;
        const char *name = cursor + 2;
        const char *close = strstr(name, "}}");
        const char *newline = strchr(name, '\n');
        if (!close || (newline && newline < close)) {
            snprintf(err, err_size, "%s:%d: '{{' is not closed by '}}' on the same line", path, line);
            return -1;
        }
        size_t len = (size_t) (close - name);
        char buf[NTF_TEMPLATE_ID_MAX + 1];
        if (len == 0 || len > NTF_TEMPLATE_ID_MAX) {
            snprintf(err, err_size, "%s:%d: empty or overlong placeholder", path, line);
            return -1;
        }
        memcpy(buf, name, len);
        buf[len] = '\0';
        for (size_t i = 0; i < len; i++)
            if (!((buf[i] >= 'a' && buf[i] <= 'z') || (buf[i] >= '0' && buf[i] <= '9') || buf[i] == '_')) {
                snprintf(err, err_size, "%s:%d: placeholder {{%s}}: names are [a-z0-9_]", path, line, buf);
                return -1;
            }
        if (descriptor && !s_is_builtin(buf) && !protobuf_c_message_descriptor_get_field_by_name(descriptor, buf)) {
            snprintf(err, err_size, "%s:%d: placeholder {{%s}} is neither a field of %s nor a built-in", path,
                     line, buf, descriptor->name);
            return -1;
        }
        cursor = close + 1;
    }
    return 0;
}

/* Reads path whole (capped). NULL with err set. */
static char *
s_read_file(const char *path, char *err, size_t err_size)
{
    char *text = NULL;
    FILE *file = fopen(path, "rb");
    if (!file) {
        snprintf(err, err_size, "%s:0: cannot open: %s", path, strerror(errno));
        goto cleanup;
    }
    text = malloc(NTF_TEMPLATE_FILE_MAX + 1);
    if (!text) {
        snprintf(err, err_size, "%s:0: out of memory", path);
        goto cleanup;
    }
    size_t len = fread(text, 1, NTF_TEMPLATE_FILE_MAX + 1, file);
    if (len > NTF_TEMPLATE_FILE_MAX || ferror(file)) {
        snprintf(err, err_size, "%s:0: unreadable or larger than %d bytes", path, NTF_TEMPLATE_FILE_MAX);
        free(text);
        text = NULL;
        goto cleanup;
    }
    text[len] = '\0';
    if (strlen(text) != len) {
        snprintf(err, err_size, "%s:0: contains a NUL byte", path);
        free(text);
        text = NULL;
    }
cleanup:
    if (file)
        fclose(file);
    return text;
}

typedef struct {
    const char *name;                  /* "<lang>/<id>.txt" */
    const char *text;                  /* the file's bytes */
} ntf_embedded_template_t;
extern const ntf_embedded_template_t ntf_embedded_templates[];   /* generated, {NULL, NULL}-terminated */

/* The embedded template "embedded:<name>" as a new string. NULL with err set. */
static char *
s_read_embedded(const char *path, char *err, size_t err_size)
{
    const char *name = path + strlen("embedded:");
    for (size_t i = 0; ntf_embedded_templates[i].name; i++)
        if (strcmp(ntf_embedded_templates[i].name, name) == 0) {
            char *text = strdup(ntf_embedded_templates[i].text);
            if (!text)
                snprintf(err, err_size, "%s:0: out of memory", path);
            return text;
        }
    snprintf(err, err_size, "%s:0: no such template was built into this binary", path);
    return NULL;
}

/* Parses one template file into *subject_out / *body_out. 0 or -1 (err). */
static int
s_load_one(const char *path, const ProtobufCMessageDescriptor *descriptor, char **subject_out, char **body_out,
           char *err, size_t err_size)
{
    int rc = -1;
    char *text = strncmp(path, "embedded:", 9) == 0 ? s_read_embedded(path, err, err_size)
                                                     : s_read_file(path, err, err_size);
    if (!text)
        goto cleanup;
    static const char prefix[] = "Subject: ";
    if (strncmp(text, prefix, sizeof prefix - 1) != 0) {
        snprintf(err, err_size, "%s:1: the first line must be 'Subject: <subject>'", path);
        goto cleanup;
    }
    char *subject = text + sizeof prefix - 1;
    char *newline = strchr(subject, '\n');
    if (!newline || newline[1] != '\n') {
        snprintf(err, err_size, "%s:2: the subject line must be followed by one empty line and the body", path);
        goto cleanup;
    }
    *newline = '\0';
    char *body = newline + 2;
    if (subject[0] == '\0' || body[0] == '\0') {
        snprintf(err, err_size, "%s:%d: empty subject or body", path, subject[0] ? 3 : 1);
        goto cleanup;
    }
    if (s_check_placeholders(path, subject, 1, descriptor, err, err_size) != 0
        || s_check_placeholders(path, body, 3, descriptor, err, err_size) != 0)
        goto cleanup;
    *subject_out = strdup(subject);
    *body_out = strdup(body);
    if (!*subject_out || !*body_out) {
        snprintf(err, err_size, "%s:0: out of memory", path);
        goto cleanup;
    }
    rc = 0;
cleanup:
    free(text);
    return rc;
}

ntf_templates_t *
ntf_templates_load(const char *dir, const ntf_template_spec_t *specs, size_t count, char *err, size_t err_size)
{
    ntf_templates_t *self = calloc(1, sizeof *self);
    if (!self || (count > 0 && !(self->items = calloc(count, sizeof *self->items)))) {
        snprintf(err, err_size, "out of memory");
        goto failed;
    }
    for (size_t i = 0; i < count; i++) {
        s_template_t *item = &self->items[self->count++];
        if (strlen(specs[i].id) > NTF_TEMPLATE_ID_MAX || strchr(specs[i].id, '/')) {
            snprintf(err, err_size, "template id '%s' is not a file name", specs[i].id);
            goto failed;
        }
        snprintf(item->id, sizeof item->id, "%s", specs[i].id);
        for (int lang = 0; lang < NTF_LANG_COUNT; lang++) {
            char path[4096];
            int len = dir ? snprintf(path, sizeof path, "%s/%s/%s.txt", dir, ntf_lang_name((ntf_lang_t) lang),
                                     specs[i].id)
                          : snprintf(path, sizeof path, "embedded:%s/%s.txt", ntf_lang_name((ntf_lang_t) lang),
                                     specs[i].id);
            if (len >= (int) sizeof path) {
                snprintf(err, err_size, "template_dir is too long");
                goto failed;
            }
            if (s_load_one(path, specs[i].descriptor, &item->subject[lang], &item->body[lang], err, err_size) != 0)
                goto failed;
        }
    }
    return self;
failed:
    ntf_templates_destroy(&self);
    return NULL;
}

void
ntf_templates_destroy(ntf_templates_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    ntf_templates_t *self = *self_p;
    for (size_t i = 0; i < self->count; i++)
        for (int lang = 0; lang < NTF_LANG_COUNT; lang++) {
            free(self->items[i].subject[lang]);
            free(self->items[i].body[lang]);
        }
    free(self->items);
    free(self);
    *self_p = NULL;
}

static const s_template_t *
s_find(const ntf_templates_t *self, const char *id)
{
    for (size_t i = 0; self && id && i < self->count; i++)
        if (strcmp(self->items[i].id, id) == 0)
            return &self->items[i];
    return NULL;
}

bool
ntf_templates_has(const ntf_templates_t *self, const char *id)
{
    return s_find(self, id) != NULL;
}

size_t
ntf_templates_count(const ntf_templates_t *self)
{
    return self ? self->count : 0;
}

/* ---- rendering ----------------------------------------------------------------------------- */

typedef struct {
    char *data;                        /* NUL-terminated text */
    size_t len;                        /* bytes used */
    size_t cap;                        /* bytes allocated */
    bool overflow;                     /* NTF_TEMPLATE_OUT_MAX reached */
} s_buf_t;

static void
s_append(s_buf_t *buf, const char *text, size_t len)
{
    if (buf->overflow)
        return;
    if (buf->len + len + 1 > NTF_TEMPLATE_OUT_MAX) {
        buf->overflow = true;
        return;
    }
    if (buf->len + len + 1 > buf->cap) {
        size_t cap = buf->cap ? buf->cap : 1024;
        while (cap < buf->len + len + 1)
            cap *= 2;
        char *data = realloc(buf->data, cap);
        if (!data) {
            buf->overflow = true;
            return;
        }
        buf->data = data;
        buf->cap = cap;
    }
    memcpy(buf->data + buf->len, text, len);
    buf->len += len;
    buf->data[buf->len] = '\0';
}

/* The value of built-in or parameter `name` in lang, into out. */
static void
s_value(const char *name, ntf_lang_t lang, const json_t *params, const json_t *explanation,
        const char *notification_id, char *out, size_t size)
{
    out[0] = '\0';
    const char *rule_id = json_string_value(json_object_get(explanation, "rule_id"));
    const char *clause = json_string_value(json_object_get(explanation, "clause"));
    if (strcmp(name, "rule_id") == 0)
        snprintf(out, size, "%s", rule_id ? rule_id : "");
    else if (strcmp(name, "clause") == 0)
        snprintf(out, size, "%s", clause ? clause : "");
    else if (strcmp(name, "notification_id") == 0)
        snprintf(out, size, "%s", notification_id ? notification_id : "");
    else if (strcmp(name, "explanation") == 0) {
        /* rule and clause, then the rule's own sentence where it exists in this language */
        const char *sentence = json_string_value(json_object_get(
            explanation, lang == NTF_LANG_FR ? "sentence_fr" : lang == NTF_LANG_EN ? "sentence_en" : "-"));
        if (!rule_id || !rule_id[0])
            return;
        const char *separator = sentence && sentence[0] ? (lang == NTF_LANG_FR ? " : " : ": ") : "";
        if (snprintf(out, size, "%s (%s)%s%s", rule_id, clause ? clause : "", separator,
                     sentence && sentence[0] ? sentence : "")
            >= (int) size)
            out[0] = '\0';
    }
    else
        ntf_format_value(lang, json_object_get(params, name), out, size);
}

static char *
s_render_text(const char *text, ntf_lang_t lang, const json_t *params, const json_t *explanation,
              const char *notification_id, bool *overflow)
{
    s_buf_t buf = {0};
    s_append(&buf, "", 0);
    const char *cursor = text;
    while (*cursor) {
        const char *open = strstr(cursor, "{{");
        const char *close = open ? strstr(open + 2, "}}") : NULL;
        if (!open || !close) {
            s_append(&buf, cursor, strlen(cursor));
            break;
        }
        s_append(&buf, cursor, (size_t) (open - cursor));
        char name[NTF_TEMPLATE_ID_MAX + 1];
        size_t len = (size_t) (close - open - 2);
        if (len > NTF_TEMPLATE_ID_MAX)
            len = NTF_TEMPLATE_ID_MAX;
        memcpy(name, open + 2, len);
        name[len] = '\0';
        char value[4096];
        s_value(name, lang, params, explanation, notification_id, value, sizeof value);
        s_append(&buf, value, strlen(value));
        cursor = close + 2;
    }
    *overflow = buf.overflow;
    if (buf.overflow) {
        free(buf.data);
        return NULL;
    }
    return buf.data;
}

int
ntf_templates_render(const ntf_templates_t *self, const char *id, ntf_lang_t lang, const json_t *params,
                     const json_t *explanation, const char *notification_id, char **subject_out, char **body_out,
                     char *err, size_t err_size)
{
    *subject_out = NULL;
    *body_out = NULL;
    const s_template_t *item = s_find(self, id);
    if (!item || lang >= NTF_LANG_COUNT) {
        snprintf(err, err_size, "no template '%s' in language %s", id ? id : "", ntf_lang_name(lang));
        return -1;
    }
    bool overflow_subject = false, overflow_body = false;
    *subject_out = s_render_text(item->subject[lang], lang, params, explanation, notification_id, &overflow_subject);
    *body_out = s_render_text(item->body[lang], lang, params, explanation, notification_id, &overflow_body);
    if (!*subject_out || !*body_out) {
        snprintf(err, err_size, "template '%s' (%s): rendered text exceeds %d bytes", id, ntf_lang_name(lang),
                 NTF_TEMPLATE_OUT_MAX);
        free(*subject_out);
        free(*body_out);
        *subject_out = *body_out = NULL;
        return -1;
    }
    /* a subject is one line: a parameter with a newline must not add headers */
    for (char *c = *subject_out; *c; c++)
        if (*c == '\r' || *c == '\n')
            *c = ' ';
    return 0;
}
