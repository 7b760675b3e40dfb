/*  =========================================================================
    pacta_config - command-line flags and PACTA_* environment variables

    Every service takes the same kind of configuration: twelve-factor style
    environment variables in containers, flags when an operator runs a binary
    by hand. This module turns one option table into both, plus --help.

    Design decision: the flag and variable names are DERIVED from the option
    name (redis_url -> --redis-url, PACTA_REDIS_URL) instead of being spelled
    in the table, so they can never drift apart, and every value -- including
    defaults -- goes through the same typed parser, so a bad default fails as
    loudly as a bad flag. Errors always name what the operator typed: the
    flag, the variable or the file.
    =========================================================================
*/
#include "pacta_config.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

extern char **environ;

#define NAME_MAX_LEN 48                 /* longest option name */
#define DERIVED_MAX (NAME_MAX_LEN + 16) /* room for "--", "PACTA_", "-file" */
#define SECRET_FILE_MAX 65536           /* cap on a value read from a file */
#define ERROR_MAX 512

typedef struct {
    pacta_config_option_t option;       /* the declaration, strings borrowed */
    char flag[DERIVED_MAX];             /* "--redis-url" */
    char flag_file[DERIVED_MAX];        /* "--redis-url-file" (PACTA_OPT_FILE only) */
    char env[DERIVED_MAX];              /* "PACTA_REDIS_URL" */
    char env_file[DERIVED_MAX];         /* "PACTA_REDIS_URL_FILE" (PACTA_OPT_FILE only) */
    const char *flag_value;             /* from argv during parse, borrowed */
    const char *flag_file_value;        /* path from argv during parse, borrowed */
    bool flag_bool_given;               /* bool flag given without "=value" */
    bool flag_bool_value;               /* ... and the value it implies */
    char *value;                        /* final textual value, owned; NULL = none */
    pacta_config_source_t source;       /* where value came from */
    int64_t number;                     /* parsed INT or DURATION (ms) */
    bool boolean;                       /* parsed BOOL */
} entry_t;

struct pacta_config {
    char *name;                         /* program name for --version */
    char *version;                      /* version string for --version */
    char *summary;                      /* one line under the usage, may be NULL */
    char program[128];                  /* argv[0] basename for the usage line */
    entry_t *entries;                   /* declared options, in declaration order */
    size_t count;                       /* used entries */
    size_t capacity;                    /* allocated entries */
    FILE *out;                          /* --help/--version destination, may be NULL */
    FILE *err;                          /* error destination, may be NULL */
    char error[ERROR_MAX];              /* last error message */
};

/* ---- value parsers -------------------------------------------------------- */

int
pacta_config_parse_int(const char *text, int64_t *out)
{
    if (!text || !*text || isspace((unsigned char) *text))
        return -1;
    char *end = NULL;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0')
        return -1;
    *out = (int64_t) v;
    return 0;
}

int
pacta_config_parse_bool(const char *text, bool *out)
{
    static const char *const yes[] = {"true", "yes", "on", "1"};
    static const char *const no[] = {"false", "no", "off", "0"};
    if (!text)
        return -1;
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        if (strcasecmp(text, yes[i]) == 0) {
            *out = true;
            return 0;
        }
        if (strcasecmp(text, no[i]) == 0) {
            *out = false;
            return 0;
        }
    }
    return -1;
}

int
pacta_config_parse_duration_ms(const char *text, int64_t *out)
{
    if (!text || !*text)
        return -1;
    if (strcmp(text, "0") == 0) {
        *out = 0;
        return 0;
    }
    int64_t total = 0;
    const char *p = text;
    while (*p) {
        if (!isdigit((unsigned char) *p))
            return -1;
        char *end = NULL;
        errno = 0;
        long long amount = strtoll(p, &end, 10);
        if (errno != 0 || end == p)
            return -1;
        p = end;
        int64_t unit_ms;
        if (strncmp(p, "ms", 2) == 0) {
            unit_ms = 1;
            p += 2;
        }
        else if (*p == 's') {
            unit_ms = 1000;
            p++;
        }
        else if (*p == 'm') {
            unit_ms = 60 * 1000;
            p++;
        }
        else if (*p == 'h') {
            unit_ms = 3600 * 1000;
            p++;
        }
        else if (*p == 'd') {
            unit_ms = 86400 * 1000;
            p++;
        }
        else
            return -1;                   /* a number needs its unit */
        if (amount > (INT64_MAX - total) / unit_ms)
            return -1;
        total += amount * unit_ms;
    }
    *out = total;
    return 0;
}

/* ---- construction --------------------------------------------------------- */

pacta_config_t *
pacta_config_new(const char *name, const char *version, const char *summary)
{
    assert(name && version);
    pacta_config_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->name = strdup(name);
    self->version = strdup(version);
    self->summary = summary ? strdup(summary) : NULL;
    if (!self->name || !self->version || (summary && !self->summary)) {
        pacta_config_destroy(&self);
        return NULL;
    }
    snprintf(self->program, sizeof self->program, "%s", name);
    self->out = stdout;
    self->err = stderr;
    return self;
}

static void
s_clear_values(pacta_config_t *self)
{
    for (size_t i = 0; i < self->count; i++) {
        entry_t *e = &self->entries[i];
        free(e->value);
        e->value = NULL;
        e->source = PACTA_CONFIG_FROM_NONE;
        e->number = 0;
        e->boolean = false;
        e->flag_value = NULL;
        e->flag_file_value = NULL;
        e->flag_bool_given = false;
    }
}

void
pacta_config_destroy(pacta_config_t **self_p)
{
    assert(self_p);
    pacta_config_t *self = *self_p;
    if (!self)
        return;
    s_clear_values(self);
    free(self->entries);
    free(self->name);
    free(self->version);
    free(self->summary);
    free(self);
    *self_p = NULL;
}

void
pacta_config_set_output(pacta_config_t *self, FILE *out, FILE *err)
{
    assert(self);
    self->out = out;
    self->err = err;
}

static entry_t *
s_find(const pacta_config_t *self, const char *name)
{
    for (size_t i = 0; i < self->count; i++)
        if (strcmp(self->entries[i].option.name, name) == 0)
            return &self->entries[i];
    return NULL;
}

static bool
s_valid_name(const char *name)
{
    size_t len = strlen(name);
    if (len == 0 || len > NAME_MAX_LEN || !islower((unsigned char) name[0]))
        return false;
    for (size_t i = 0; i < len; i++)
        if (!islower((unsigned char) name[i]) && !isdigit((unsigned char) name[i]) && name[i] != '_')
            return false;
    return strcmp(name, "help") != 0 && strcmp(name, "version") != 0;
}

/* lower_snake -> lower-kebab in flag, UPPER_SNAKE in env (len bytes). */
static void
s_derive_names(char *flag, char *env, size_t len)
{
    for (size_t k = 0; k < len; k++) {
        if (flag[k] == '_')
            flag[k] = '-';
        env[k] = (char) toupper((unsigned char) env[k]);
    }
}

int
pacta_config_add(pacta_config_t *self, const pacta_config_option_t *options, size_t count)
{
    assert(self);
    assert(options || count == 0);
    if (self->count + count > self->capacity) {
        size_t capacity = self->capacity ? self->capacity : 16;
        while (capacity < self->count + count)
            capacity *= 2;
        entry_t *grown = realloc(self->entries, capacity * sizeof *grown);
        if (!grown)
            return -1;
        self->entries = grown;
        self->capacity = capacity;
    }
    for (size_t i = 0; i < count; i++) {
        const pacta_config_option_t *opt = &options[i];
        assert(opt->name && s_valid_name(opt->name));
        assert(!s_find(self, opt->name));
        assert(opt->type >= PACTA_OPT_STRING && opt->type <= PACTA_OPT_DURATION);
        entry_t *e = &self->entries[self->count];
        memset(e, 0, sizeof *e);
        e->option = *opt;
        snprintf(e->flag, sizeof e->flag, "--%.48s", opt->name);
        snprintf(e->env, sizeof e->env, "PACTA_%.48s", opt->name);
        if (opt->flags & PACTA_OPT_FILE) {
            snprintf(e->flag_file, sizeof e->flag_file, "--%.48s-file", opt->name);
            snprintf(e->env_file, sizeof e->env_file, "PACTA_%.48s_FILE", opt->name);
        }
        s_derive_names(e->flag + 2, e->env + 6, strlen(opt->name));
        if (opt->flags & PACTA_OPT_FILE)
            s_derive_names(e->flag_file + 2, e->env_file + 6, strlen(opt->name));
        self->count++;
    }
    return 0;
}

bool
pacta_config_has(const pacta_config_t *self, const char *name)
{
    assert(self && name);
    return s_find(self, name) != NULL;
}

/* ---- errors and help ------------------------------------------------------ */

static int
s_fail(pacta_config_t *self, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
s_fail(pacta_config_t *self, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    vsnprintf(self->error, sizeof self->error, fmt, args);
    va_end(args);
    if (self->err) {
        fprintf(self->err, "%s: %s\n", self->program, self->error);
        fflush(self->err);
    }
    return -1;
}

const char *
pacta_config_error(const pacta_config_t *self)
{
    assert(self);
    return self->error;
}

static const char *
s_metavar(pacta_config_type_t type)
{
    switch (type) {
        case PACTA_OPT_INT: return " N";
        case PACTA_OPT_DURATION: return " DURATION";
        case PACTA_OPT_BOOL: return "";
        case PACTA_OPT_STRING: break;
    }
    return " VALUE";
}

void
pacta_config_print_help(const pacta_config_t *self, FILE *out)
{
    assert(self);
    if (!out)
        return;
    fprintf(out, "Usage: %s [OPTIONS]\n", self->program);
    if (self->summary)
        fprintf(out, "%s\n", self->summary);
    fprintf(out, "\nEvery option can also be set by its environment variable. A flag wins over\n"
                 "the environment, which wins over the default.\n\n");
    for (size_t i = 0; i < self->count; i++) {
        const entry_t *e = &self->entries[i];
        char left[2 * DERIVED_MAX];
        if (e->option.type == PACTA_OPT_BOOL)
            snprintf(left, sizeof left, "--[no-]%s", e->flag + 2);
        else
            snprintf(left, sizeof left, "%s%s", e->flag, s_metavar(e->option.type));
        if (strlen(left) > 28)
            fprintf(out, "  %s\n  %-28s %s\n", left, "", e->option.help ? e->option.help : "");
        else
            fprintf(out, "  %-28s %s\n", left, e->option.help ? e->option.help : "");
        fprintf(out, "  %-28s env %s", "", e->env);
        if (e->option.flags & PACTA_OPT_FILE)
            fprintf(out, " (or %s / %s)", e->flag_file, e->env_file);
        if (e->option.flags & PACTA_OPT_SECRET)
            fprintf(out, ", secret");
        else if (e->option.default_value)
            fprintf(out, ", default \"%s\"", e->option.default_value);
        else
            fprintf(out, ", no default");
        if (e->option.choices)
            fprintf(out, ", one of %s", e->option.choices);
        if (e->option.type == PACTA_OPT_INT && e->option.min < e->option.max)
            fprintf(out, ", %lld..%lld", (long long) e->option.min, (long long) e->option.max);
        fputc('\n', out);
    }
    fprintf(out, "  %-28s %s\n", "--help", "show this help and exit");
    fprintf(out, "  %-28s %s\n", "--version", "show the version and exit");
    fflush(out);
}

/* ---- parsing -------------------------------------------------------------- */

/* Value of variable name in envp (or the process environment); empty values
   count as unset, the way docker compose passes "not configured". */
static const char *
s_getenv(char *const *envp, const char *name)
{
    char *const *vars = envp ? envp : environ;
    size_t len = strlen(name);
    for (size_t i = 0; vars && vars[i]; i++) {
        if (strncmp(vars[i], name, len) == 0 && vars[i][len] == '=')
            return vars[i][len + 1] ? vars[i] + len + 1 : NULL;
    }
    return NULL;
}

/* Reads a secret file into a new string, without one trailing newline. */
static int
s_read_file(pacta_config_t *self, const char *what, const char *path, char **out)
{
    int rc = -1;
    char *buf = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        s_fail(self, "%s: cannot open '%s': %s", what, path, strerror(errno));
        goto cleanup;
    }
    buf = malloc(SECRET_FILE_MAX + 1);
    if (!buf) {
        s_fail(self, "%s: out of memory", what);
        goto cleanup;
    }
    size_t len = 0;
    for (;;) {
        ssize_t n = read(fd, buf + len, SECRET_FILE_MAX + 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            s_fail(self, "%s: cannot read '%s': %s", what, path, strerror(errno));
            goto cleanup;
        }
        if (n == 0)
            break;
        len += (size_t) n;
        if (len > SECRET_FILE_MAX) {
            s_fail(self, "%s: '%s' is larger than %d bytes", what, path, SECRET_FILE_MAX);
            goto cleanup;
        }
    }
    if (len > 0 && buf[len - 1] == '\n')
        len--;
    if (len > 0 && buf[len - 1] == '\r')
        len--;
    buf[len] = '\0';
    if (memchr(buf, '\0', len)) {
        s_fail(self, "%s: '%s' contains a NUL byte", what, path);
        goto cleanup;
    }
    *out = buf;
    buf = NULL;
    rc = 0;

cleanup:
    free(buf);
    if (fd >= 0)
        close(fd);
    return rc;
}

/* True if value is one of the '|'-separated choices. */
static bool
s_is_choice(const char *choices, const char *value)
{
    size_t len = strlen(value);
    const char *p = choices;
    while (*p) {
        const char *bar = strchr(p, '|');
        size_t choice_len = bar ? (size_t) (bar - p) : strlen(p);
        if (choice_len == len && strncmp(p, value, len) == 0)
            return true;
        p += choice_len;
        if (*p == '|')
            p++;
    }
    return false;
}

/* Parses e->value by type; `what` names its origin for the error. */
static int
s_convert(pacta_config_t *self, entry_t *e, const char *what)
{
    const char *v = e->value;
    switch (e->option.type) {
        case PACTA_OPT_STRING:
            if (e->option.choices && !s_is_choice(e->option.choices, v))
                return s_fail(self, "%s: '%s' is not one of %s", what, v, e->option.choices);
            return 0;
        case PACTA_OPT_BOOL:
            if (pacta_config_parse_bool(v, &e->boolean) != 0)
                return s_fail(self, "%s: '%s' is not a boolean (true/false, yes/no, on/off, 1/0)", what, v);
            return 0;
        case PACTA_OPT_DURATION:
            if (pacta_config_parse_duration_ms(v, &e->number) != 0)
                return s_fail(self, "%s: '%s' is not a duration (e.g. 500ms, 5s, 2m, 1h, 1m30s)", what, v);
            return 0;
        case PACTA_OPT_INT:
            if (pacta_config_parse_int(v, &e->number) != 0)
                return s_fail(self, "%s: '%s' is not an integer", what, v);
            if (e->option.min < e->option.max && (e->number < e->option.min || e->number > e->option.max))
                return s_fail(self, "%s: %lld is out of range %lld..%lld", what, (long long) e->number,
                              (long long) e->option.min, (long long) e->option.max);
            return 0;
    }
    return s_fail(self, "%s: unknown option type", what);
}

/* Decides one entry's value: flag > environment > default. */
static int
s_resolve(pacta_config_t *self, entry_t *e, char *const *envp)
{
    char what[2 * DERIVED_MAX + 32];
    const char *direct = NULL;
    const char *file = NULL;
    const char *direct_name = NULL;
    const char *file_name = NULL;

    if (e->flag_bool_given || e->flag_value || e->flag_file_value) {
        e->source = PACTA_CONFIG_FROM_FLAG;
        direct = e->flag_bool_given ? (e->flag_bool_value ? "true" : "false") : e->flag_value;
        file = e->flag_file_value;
        direct_name = e->flag;
        file_name = e->flag_file;
    }
    else {
        direct = s_getenv(envp, e->env);
        file = (e->option.flags & PACTA_OPT_FILE) ? s_getenv(envp, e->env_file) : NULL;
        if (direct || file) {
            e->source = PACTA_CONFIG_FROM_ENV;
            direct_name = e->env;
            file_name = e->env_file;
        }
    }
    if (direct && file)
        return s_fail(self, "%s and %s are both set; give only one", direct_name, file_name);
    if (file) {
        snprintf(what, sizeof what, "%s", file_name);
        if (s_read_file(self, what, file, &e->value) != 0)
            return -1;
        snprintf(what, sizeof what, "%s (file '%s')", file_name, file);
    }
    else if (direct) {
        snprintf(what, sizeof what, "%s", direct_name);
        e->value = strdup(direct);
        if (!e->value)
            return s_fail(self, "%s: out of memory", what);
    }
    else if (e->option.default_value) {
        e->source = PACTA_CONFIG_FROM_DEFAULT;
        snprintf(what, sizeof what, "default of %s", e->flag);
        e->value = strdup(e->option.default_value);
        if (!e->value)
            return s_fail(self, "%s: out of memory", what);
    }
    else {
        e->source = PACTA_CONFIG_FROM_NONE;
        return 0;
    }
    return s_convert(self, e, what);
}

/* Matches "--name" (without any "=value") against the table. */
static entry_t *
s_match_flag(pacta_config_t *self, const char *flag, size_t len, bool *is_file, bool *negated)
{
    *is_file = false;
    *negated = false;
    for (size_t i = 0; i < self->count; i++) {
        entry_t *e = &self->entries[i];
        if (strlen(e->flag) == len && strncmp(e->flag, flag, len) == 0)
            return e;
        if (e->flag_file[0] && strlen(e->flag_file) == len && strncmp(e->flag_file, flag, len) == 0) {
            *is_file = true;
            return e;
        }
        if (e->option.type == PACTA_OPT_BOOL && len == strlen(e->flag) + 3
            && strncmp(flag, "--no-", 5) == 0 && strncmp(flag + 5, e->flag + 2, len - 5) == 0) {
            *negated = true;
            return e;
        }
    }
    return NULL;
}

int
pacta_config_parse(pacta_config_t *self, int argc, char *const *argv, char *const *envp)
{
    assert(self);
    s_clear_values(self);
    self->error[0] = '\0';
    if (argc > 0 && argv && argv[0]) {
        const char *slash = strrchr(argv[0], '/');
        snprintf(self->program, sizeof self->program, "%s", slash ? slash + 1 : argv[0]);
    }

    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            pacta_config_print_help(self, self->out);
            return 1;
        }
        if (strcmp(arg, "--version") == 0) {
            if (self->out) {
                fprintf(self->out, "%s %s\n", self->name, self->version);
                fflush(self->out);
            }
            return 1;
        }
        if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0')
            return s_fail(self, "unexpected argument '%s' (see --help)", arg);

        const char *equals = strchr(arg, '=');
        size_t name_len = equals ? (size_t) (equals - arg) : strlen(arg);
        bool is_file, negated;
        entry_t *e = s_match_flag(self, arg, name_len, &is_file, &negated);
        if (!e)
            return s_fail(self, "unknown option '%.*s' (see --help)", (int) name_len, arg);

        if (e->option.type == PACTA_OPT_BOOL && !is_file) {
            if (negated && equals)
                return s_fail(self, "%.*s takes no value", (int) name_len, arg);
            if (equals) {
                e->flag_value = equals + 1;
                e->flag_bool_given = false;
            }
            else {
                e->flag_bool_given = true;
                e->flag_bool_value = !negated;
                e->flag_value = NULL;
            }
            e->flag_file_value = NULL;
            continue;
        }

        const char *value;
        if (equals)
            value = equals + 1;
        else if (i + 1 < argc && strncmp(argv[i + 1], "--", 2) != 0)
            value = argv[++i];
        else
            return s_fail(self, "%s: missing value", is_file ? e->flag_file : e->flag);
        /* --name and --name-file together are refused in s_resolve. */
        if (is_file) {
            if (*value == '\0')
                return s_fail(self, "%s: missing file name", e->flag_file);
            e->flag_file_value = value;
        }
        else
            e->flag_value = value;
    }

    for (size_t i = 0; i < self->count; i++) {
        if (s_resolve(self, &self->entries[i], envp) != 0)
            return -1;
    }
    /* argv is borrowed only for the duration of the parse. */
    for (size_t i = 0; i < self->count; i++) {
        self->entries[i].flag_value = NULL;
        self->entries[i].flag_file_value = NULL;
    }
    return 0;
}

/* ---- getters -------------------------------------------------------------- */

static const entry_t *
s_get(const pacta_config_t *self, const char *name, pacta_config_type_t type)
{
    assert(self && name);
    const entry_t *e = s_find(self, name);
    assert(e && "option not declared");
    assert(e->option.type == type && "option read with the wrong type");
    return e;
}

const char *
pacta_config_string(const pacta_config_t *self, const char *name)
{
    assert(self && name);
    const entry_t *e = s_find(self, name);
    assert(e && "option not declared");
    return e ? e->value : NULL;
}

int64_t
pacta_config_int(const pacta_config_t *self, const char *name)
{
    const entry_t *e = s_get(self, name, PACTA_OPT_INT);
    return e ? e->number : 0;
}

bool
pacta_config_bool(const pacta_config_t *self, const char *name)
{
    const entry_t *e = s_get(self, name, PACTA_OPT_BOOL);
    return e ? e->boolean : false;
}

int64_t
pacta_config_duration_ms(const pacta_config_t *self, const char *name)
{
    const entry_t *e = s_get(self, name, PACTA_OPT_DURATION);
    return e ? e->number : 0;
}

pacta_config_source_t
pacta_config_source(const pacta_config_t *self, const char *name)
{
    assert(self && name);
    const entry_t *e = s_find(self, name);
    assert(e && "option not declared");
    return e ? e->source : PACTA_CONFIG_FROM_NONE;
}
