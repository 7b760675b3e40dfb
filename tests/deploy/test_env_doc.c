/*  The one documented list of PACTA_* variables (README.md, "Configuration")
    against what the code reads: each binary's --help, which pacta_config
    prints from the very option table it parses. Both directions, per
    process: a variable a binary reads must be in the table with that process
    in its "read by" column, and a row naming a process must be read by it.
    A literal default in the table must be the binary's default.

    Design: --help is the source of truth rather than a scan of the sources,
    because it is generated from the option tables (names, _FILE forms and
    defaults), including options a service adds to the common ones. */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_VARS 96
#define NAME_SIZE 64
#define DEFAULT_SIZE 128

typedef struct {
    char name[NAME_SIZE];            /* PACTA_... */
    bool has_default;                /* a default value is shown */
    char default_value[DEFAULT_SIZE];/* the default, when has_default */
    char readers[256];               /* README: " contracts bus ... " */
} variable_t;

typedef struct {
    variable_t vars[MAX_VARS];       /* entries */
    size_t count;                    /* used */
} variable_set_t;

static const char *const s_services[] = {"contracts", "invoicing", "enforcement", "notifications", "gdpr-retention"};

static variable_t *
s_find(variable_set_t *set, const char *name)
{
    for (size_t i = 0; i < set->count; i++)
        if (strcmp(set->vars[i].name, name) == 0)
            return &set->vars[i];
    return NULL;
}

static variable_t *
s_add(variable_set_t *set, const char *name, size_t len)
{
    cr_assert_lt(set->count, MAX_VARS, "too many variables");
    cr_assert_lt(len, NAME_SIZE, "variable name too long");
    variable_t *v = &set->vars[set->count++];
    memset(v, 0, sizeof *v);
    memcpy(v->name, name, len);
    v->name[len] = '\0';
    return v;
}

/* Length of the PACTA_[A-Z0-9_]+ name at text, 0 if none. */
static size_t
s_name_len(const char *text)
{
    if (strncmp(text, "PACTA_", 6) != 0)
        return 0;
    size_t len = 6;
    while ((text[len] >= 'A' && text[len] <= 'Z') || (text[len] >= '0' && text[len] <= '9') || text[len] == '_')
        len++;
    return len > 6 ? len : 0;
}

/* ---- --help ------------------------------------------------------------------------------ */

/* Lines "  env PACTA_X (or --x-file / PACTA_X_FILE), default "v"" of `binary --help`. */
static void
s_help_variables(const char *binary, variable_set_t *out)
{
    char command[600];
    snprintf(command, sizeof command, "'%s' --help", binary);
    FILE *help = popen(command, "r");
    cr_assert_not_null(help, "cannot run %s", binary);
    char line[1024];
    while (fgets(line, sizeof line, help)) {
        const char *p = line;
        while (*p == ' ')
            p++;
        if (strncmp(p, "env ", 4) != 0)
            continue;
        p += 4;
        size_t len = s_name_len(p);
        cr_assert_gt(len, 0, "%s --help: unexpected line %s", binary, line);
        variable_t *v = s_add(out, p, len);
        p += len;
        const char *file_form = strstr(p, " / PACTA_");
        if (file_form) {
            size_t file_len = s_name_len(file_form + 3);
            s_add(out, file_form + 3, file_len);
        }
        const char *def = strstr(p, "default \"");
        if (def && strncmp(p, ", default", 9) == 0) {
            def += 9;
            size_t def_len = strcspn(def, "\"");
            cr_assert_lt(def_len, DEFAULT_SIZE);
            memcpy(v->default_value, def, def_len);
            v->default_value[def_len] = '\0';
            v->has_default = true;
        }
    }
    int status = pclose(help);
    cr_assert_eq(status, 0, "%s --help failed (status %d)", binary, status);
    cr_assert_gt(out->count, 0, "%s --help lists no variable", binary);
}

/* ---- README ------------------------------------------------------------------------------ */

/* Copies table cell `index` (0 = first) of a "| a | b |" row, trimmed. */
static bool
s_cell(const char *row, int index, char *out, size_t size)
{
    const char *p = row;
    for (int i = 0; i <= index; i++) {
        p = strchr(p, '|');
        if (!p)
            return false;
        p++;
    }
    size_t len = strcspn(p, "|\n");
    while (len > 0 && p[0] == ' ')
        p++, len--;
    while (len > 0 && p[len - 1] == ' ')
        len--;
    if (len >= size)
        len = size - 1;
    memcpy(out, p, len);
    out[len] = '\0';
    return true;
}

/* The rows of the Configuration section's variable table. */
static void
s_readme_variables(variable_set_t *out)
{
    FILE *f = fopen(PACTA_SOURCE_DIR "/README.md", "r");
    cr_assert_not_null(f, "cannot read README.md");
    char line[2048];
    bool in_section = false, header_seen = false;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "## ", 3) == 0) {
            in_section = strncmp(line, "## Configuration", 16) == 0;
            continue;
        }
        if (!in_section)
            continue;
        if (strncmp(line, "| variable | read by | default |", 32) == 0) {
            header_seen = true;
            continue;
        }
        if (strncmp(line, "| `PACTA_", 9) != 0)
            continue;
        cr_assert(header_seen, "README.md: a PACTA_ row outside the `| variable | read by | default |` table: %s",
                  line);
        char variable[160], readers[200], def[DEFAULT_SIZE + 8];
        cr_assert(s_cell(line, 0, variable, sizeof variable) && s_cell(line, 1, readers, sizeof readers)
                      && s_cell(line, 2, def, sizeof def),
                  "README.md: malformed row %s", line);
        size_t len = s_name_len(variable + 1);
        cr_assert_gt(len, 0, "README.md: bad variable cell %s", variable);
        variable_t *v = s_add(out, variable + 1, len);
        cr_assert_eq(s_find(out, v->name), v, "README.md lists %s twice", v->name);

        //  "services, pactactl" -> " contracts invoicing ... pactactl "
        char *reader = readers;
        size_t used = 0;
        v->readers[used++] = ' ';
        while (*reader) {
            size_t word = strcspn(reader, ", ");
            if (word > 0) {
                char token[32];
                cr_assert_lt(word, sizeof token);
                memcpy(token, reader, word);
                token[word] = '\0';
                bool known = strcmp(token, "services") == 0 || strcmp(token, "bus") == 0
                             || strcmp(token, "pactactl") == 0;
                for (size_t s = 0; s < sizeof s_services / sizeof s_services[0]; s++)
                    known = known || strcmp(token, s_services[s]) == 0;
                cr_assert(known, "README.md, %s: unknown reader '%s' (services, bus, pactactl or a service)",
                          v->name, token);
                if (strcmp(token, "services") == 0) {
                    for (size_t s = 0; s < sizeof s_services / sizeof s_services[0]; s++)
                        used += (size_t) snprintf(v->readers + used, sizeof v->readers - used, "%s ", s_services[s]);
                }
                else
                    used += (size_t) snprintf(v->readers + used, sizeof v->readers - used, "%s ", token);
                cr_assert_lt(used, sizeof v->readers);
            }
            reader += word;
            while (*reader == ',' || *reader == ' ')
                reader++;
        }

        //  A literal default: `value` with nothing to fill in.
        size_t def_len = strlen(def);
        if (def_len >= 2 && def[0] == '`' && def[def_len - 1] == '`' && !strpbrk(def, "<$")) {
            memcpy(v->default_value, def + 1, def_len - 2);
            v->default_value[def_len - 2] = '\0';
            v->has_default = true;
        }
        else if (strcmp(def, "—") != 0) {
            snprintf(v->default_value, sizeof v->default_value, "%.*s", DEFAULT_SIZE - 1, def);   /* described, not checked */
        }

        //  "(*file*)": the _FILE form is read too.
        if (strstr(variable, "(*file*)")) {
            char file_name[NAME_SIZE + 8];
            snprintf(file_name, sizeof file_name, "%s_FILE", v->name);
            variable_t *f_var = s_add(out, file_name, strlen(file_name));
            snprintf(f_var->readers, sizeof f_var->readers, "%s", v->readers);
            snprintf(f_var->default_value, sizeof f_var->default_value, "(file form)");
        }
    }
    fclose(f);
    cr_assert(header_seen, "README.md has no `| variable | read by | default | meaning |` table under ## Configuration");
}

/* ---- the comparison ----------------------------------------------------------------------- */

static void
s_check_process(const char *process, const char *binary)
{
    variable_set_t help = {0}, readme = {0};
    s_help_variables(binary, &help);
    s_readme_variables(&readme);
    char needle[48];
    snprintf(needle, sizeof needle, " %s ", process);

    for (size_t i = 0; i < help.count; i++) {
        const variable_t *h = &help.vars[i];
        variable_t *r = s_find(&readme, h->name);
        cr_expect_not_null(r, "%s reads %s, which README.md's Configuration table does not list", process, h->name);
        if (!r)
            continue;
        cr_expect(strstr(r->readers, needle) != NULL, "%s reads %s, but README.md's \"read by\" says only%s",
                  process, h->name, r->readers);
        if (r->has_default)
            cr_expect(h->has_default && strcmp(h->default_value, r->default_value) == 0,
                      "%s: README.md says the default of %s is `%s`, %s --help says %s%s%s", process, h->name,
                      r->default_value, process, h->has_default ? "\"" : "", h->has_default ? h->default_value : "none",
                      h->has_default ? "\"" : "");
        else if (r->default_value[0] == '\0')
            cr_expect(!h->has_default, "%s: README.md gives %s no default, %s --help says \"%s\"", process, h->name,
                      process, h->default_value);
    }
    for (size_t i = 0; i < readme.count; i++) {
        const variable_t *r = &readme.vars[i];
        if (strstr(r->readers, needle))
            cr_expect_not_null(s_find(&help, r->name), "README.md says %s reads %s, but its --help does not list it",
                               process, r->name);
    }
}

#define BIN(path) PACTA_BINARY_DIR "/services/" path

Test(env_doc, bus) { s_check_process("bus", BIN("bus/pacta-bus")); }
Test(env_doc, contracts) { s_check_process("contracts", BIN("contracts/pacta-contracts")); }
Test(env_doc, invoicing) { s_check_process("invoicing", BIN("invoicing/pacta-invoicing")); }
Test(env_doc, enforcement) { s_check_process("enforcement", BIN("enforcement/pacta-enforcement")); }
Test(env_doc, notifications) { s_check_process("notifications", BIN("notifications/pacta-notifications")); }
Test(env_doc, gdpr_retention) { s_check_process("gdpr-retention", BIN("gdpr-retention/pacta-gdpr-retention")); }
Test(env_doc, pactactl) { s_check_process("pactactl", BIN("pactactl/pactactl")); }

/* Every row names at least one process: no variable documented that nothing reads. */
Test(env_doc, every_documented_variable_has_a_reader)
{
    variable_set_t readme = {0};
    s_readme_variables(&readme);
    cr_assert_gt(readme.count, 10, "README.md's table looks empty");
    for (size_t i = 0; i < readme.count; i++)
        cr_expect_neq(strcmp(readme.vars[i].readers, " "), 0, "README.md: %s has no reader", readme.vars[i].name);
}

/* deploy/pacta.env, shared by docker-compose.yml and scripts/run.sh, sets documented variables only. */
Test(env_doc, shared_settings_are_documented)
{
    variable_set_t readme = {0};
    s_readme_variables(&readme);
    FILE *f = fopen(PACTA_SOURCE_DIR "/deploy/pacta.env", "r");
    cr_assert_not_null(f, "cannot read deploy/pacta.env");
    char line[512];
    int count = 0;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        size_t len = s_name_len(line);
        cr_expect(len > 0 && line[len] == '=', "deploy/pacta.env: not NAME=VALUE: %s", line);
        if (len == 0)
            continue;
        char name[NAME_SIZE];
        snprintf(name, sizeof name, "%.*s", (int) len, line);
        cr_expect_not_null(s_find(&readme, name), "deploy/pacta.env sets %s, which README.md does not document", name);
        count++;
    }
    fclose(f);
    cr_expect_gt(count, 0, "deploy/pacta.env sets nothing");
}
