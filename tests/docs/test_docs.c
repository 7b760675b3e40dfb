/*  =========================================================================
    test_docs - the message documentation agrees with the rules and the schema

    Three sources must stay in step: the rule headings of docs/rules.md
    ("### CC-3b — title"), the .proto files under proto/pacta/v1, and
    docs/messages.md (its message catalogue table and its Rule -> messages
    table). This suite parses all three from PACTA_SOURCE_DIR and compares.

    Design decision: the tests refuse to pass vacuously. A missing rules.md,
    fewer than 40 rule ids, a missing section or an empty table is a failure,
    and the small parsers are themselves tested on known text first.
    =========================================================================
*/
#include <criterion/criterion.h>
#include <dirent.h>
#include <regex.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef PACTA_SOURCE_DIR
#error "PACTA_SOURCE_DIR must be defined by the build"
#endif

#define MAX_DOC_BYTES   (1024 * 1024) /* no document of ours is near this; larger is refused */
#define MAX_NAMES       512           /* rule ids or message names per list */
#define MAX_NAME_LEN    96            /* longest rule id, message or file name */
#define MIN_RULE_IDS    40            /* rules.md has 42 today; fewer means it is broken or half-written */

/* A list of names, each optionally paired with the file it came from. */
typedef struct {
    char names[MAX_NAMES][MAX_NAME_LEN]; /* rule ids or message names, NUL-terminated */
    char files[MAX_NAMES][MAX_NAME_LEN]; /* file of each name ("contracts.proto"), or "" */
    size_t count;                        /* used entries */
} name_list_t;

/* A span of a document: not NUL-terminated. */
typedef struct {
    const char *start; /* first byte */
    size_t len;        /* number of bytes */
} span_t;

/* ---------------------------------------------------------------------------
   Small helpers
   ------------------------------------------------------------------------ */

/* Reads PACTA_SOURCE_DIR/relative into a NUL-terminated heap buffer the
   caller frees; NULL when missing, unreadable or larger than the cap. */
static char *
read_source_file(const char *relative)
{
    char path[4096];
    int written = snprintf(path, sizeof path, "%s/%s", PACTA_SOURCE_DIR, relative);
    if (written < 0 || (size_t) written >= sizeof path)
        return NULL;
    FILE *file = fopen(path, "rb");
    if (file == NULL)
        return NULL;
    char *text = malloc(MAX_DOC_BYTES + 1);
    size_t len = 0;
    if (text != NULL) {
        len = fread(text, 1, MAX_DOC_BYTES + 1, file);
        if (ferror(file) || len > MAX_DOC_BYTES) {
            free(text);
            text = NULL;
        }
        else
            text[len] = '\0';
    }
    fclose(file);
    return text;
}

static bool
list_contains(const name_list_t *list, const char *name, size_t *index)
{
    for (size_t i = 0; i < list->count; i++) {
        if (strcmp(list->names[i], name) == 0) {
            if (index != NULL)
                *index = i;
            return true;
        }
    }
    return false;
}

/* Appends name (len bytes) unless the list is full or the name too long. */
static int
list_add(name_list_t *list, const char *name, size_t len, const char *file)
{
    if (list->count >= MAX_NAMES || len == 0 || len >= MAX_NAME_LEN)
        return -1;
    memcpy(list->names[list->count], name, len);
    list->names[list->count][len] = '\0';
    snprintf(list->files[list->count], MAX_NAME_LEN, "%s", file != NULL ? file : "");
    list->count++;
    return 0;
}

/* Copies one line (without its newline) into buf; returns the start of the
   next line, or NULL at the end of the span. */
static const char *
next_line(const char *cursor, const char *end, char *buf, size_t buf_size)
{
    if (cursor >= end)
        return NULL;
    const char *newline = memchr(cursor, '\n', (size_t) (end - cursor));
    const char *line_end = newline != NULL ? newline : end;
    size_t len = (size_t) (line_end - cursor);
    if (len >= buf_size)
        len = buf_size - 1; /* longer lines are truncated; we only look at their start */
    memcpy(buf, cursor, len);
    buf[len] = '\0';
    return newline != NULL ? newline + 1 : end;
}

static bool
is_rule_id(const char *text)
{
    regex_t pattern;
    int rc = regcomp(&pattern, "^(CC|SG|L)-[0-9]+[a-e]?$", REG_EXTENDED | REG_NOSUB);
    cr_assert_eq(rc, 0);
    bool match = regexec(&pattern, text, 0, NULL, 0) == 0;
    regfree(&pattern);
    return match;
}

/* Strips spaces and one pair of backticks around a table cell, in place. */
static char *
trim_cell(char *cell)
{
    while (*cell == ' ')
        cell++;
    size_t len = strlen(cell);
    while (len > 0 && cell[len - 1] == ' ')
        cell[--len] = '\0';
    if (len >= 2 && cell[0] == '`' && cell[len - 1] == '`') {
        cell[len - 1] = '\0';
        cell++;
    }
    return cell;
}

/* Splits a markdown table row "| a | b | c |" into at most max cells, in place. */
static size_t
split_row(char *line, char **cells, size_t max)
{
    if (line[0] != '|')
        return 0;
    size_t count = 0;
    char *cursor = line + 1;
    while (count < max) {
        char *bar = strchr(cursor, '|');
        if (bar == NULL)
            break;
        *bar = '\0';
        cells[count++] = trim_cell(cursor);
        cursor = bar + 1;
    }
    return count;
}

/* ---------------------------------------------------------------------------
   Parsers
   ------------------------------------------------------------------------ */

/* Rule ids from level-3 headings "### <id> — <title>" (or "### <id>" alone). */
static void
parse_rule_headings(const char *text, name_list_t *ids)
{
    regex_t pattern;
    int rc = regcomp(&pattern, "^### ((CC|SG|L)-[0-9]+[a-e]?)( |$)", REG_EXTENDED);
    cr_assert_eq(rc, 0);
    const char *end = text + strlen(text);
    char line[1024];
    const char *cursor = text;
    while ((cursor = next_line(cursor, end, line, sizeof line)) != NULL) {
        regmatch_t match[2];
        if (regexec(&pattern, line, 2, match, 0) != 0)
            continue;
        size_t len = (size_t) (match[1].rm_eo - match[1].rm_so);
        cr_assert_eq(list_add(ids, line + match[1].rm_so, len, NULL), 0, "too many rule ids");
    }
    regfree(&pattern);
}

/* The body of the "## " section whose heading contains title, up to the next
   "## " heading. len is 0 when there is no such section. */
static span_t
find_section(const char *text, const char *title)
{
    span_t section = { NULL, 0 };
    const char *end = text + strlen(text);
    char line[1024];
    const char *cursor = text;
    const char *line_start = text;
    while ((cursor = next_line(line_start, end, line, sizeof line)) != NULL) {
        bool is_h2 = strncmp(line, "## ", 3) == 0;
        if (section.start != NULL && is_h2) {
            section.len = (size_t) (line_start - section.start);
            return section;
        }
        if (section.start == NULL && is_h2 && strstr(line, title) != NULL)
            section.start = cursor;
        line_start = cursor;
    }
    if (section.start != NULL)
        section.len = (size_t) (end - section.start);
    return section;
}

/* First cells of the table rows of a section, skipping the header row and
   the |---| separator. With with_second, each row's second cell is kept as
   the entry's file (the catalogue's "file" column). */
static void
parse_table_first_cells(span_t section, name_list_t *first_cells, bool with_second)
{
    const char *end = section.start + section.len;
    char line[4096];
    const char *cursor = section.start;
    bool header_seen = false;
    while ((cursor = next_line(cursor, end, line, sizeof line)) != NULL) {
        char *cells[8];
        size_t count = split_row(line, cells, 8);
        if (count < 2)
            continue;
        if (!header_seen) {
            header_seen = true; /* the header row names the columns */
            continue;
        }
        if (strncmp(cells[0], "---", 3) == 0)
            continue;
        cr_assert_eq(list_add(first_cells, cells[0], strlen(cells[0]), with_second ? cells[1] : NULL), 0,
                     "table row too long or too many rows: %s", cells[0]);
    }
}

/* Every `Identifier` in backticks inside a span that starts with a capital
   letter: the message names a table row mentions. */
static void
parse_backticked_names(span_t section, name_list_t *names)
{
    const char *cursor = section.start;
    const char *end = section.start + section.len;
    while (cursor < end) {
        const char *open = memchr(cursor, '`', (size_t) (end - cursor));
        if (open == NULL)
            break;
        const char *close = memchr(open + 1, '`', (size_t) (end - open - 1));
        if (close == NULL)
            break;
        size_t len = (size_t) (close - open - 1);
        bool identifier = len > 0 && len < MAX_NAME_LEN && open[1] >= 'A' && open[1] <= 'Z';
        for (size_t i = 1; identifier && i < len; i++) {
            char c = open[1 + i];
            identifier = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        }
        if (identifier) {
            char name[MAX_NAME_LEN];
            memcpy(name, open + 1, len);
            name[len] = '\0';
            if (!list_contains(names, name, NULL))
                cr_assert_eq(list_add(names, name, len, NULL), 0);
        }
        cursor = close + 1;
    }
}

/* Top-level "message Name {" declarations of one .proto text. */
static void
parse_proto_messages(const char *text, const char *file, name_list_t *messages)
{
    const char *end = text + strlen(text);
    char line[1024];
    const char *cursor = text;
    while ((cursor = next_line(cursor, end, line, sizeof line)) != NULL) {
        if (strncmp(line, "message ", 8) != 0)
            continue; /* nested messages are indented; only top level counts */
        const char *name = line + 8;
        size_t len = strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_");
        cr_assert_gt(len, 0, "%s: malformed declaration: %s", file, line);
        cr_assert_eq(list_add(messages, name, len, file), 0);
    }
}

/* Every top-level message of every .proto in proto/pacta/v1. */
static void
load_proto_messages(name_list_t *messages, name_list_t *files)
{
    const char *dir_path = PACTA_SOURCE_DIR "/proto/pacta/v1";
    DIR *dir = opendir(dir_path);
    cr_assert_not_null(dir, "cannot open %s", dir_path);
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        size_t len = strlen(entry->d_name);
        if (len < 7 || strcmp(entry->d_name + len - 6, ".proto") != 0)
            continue;
        char relative[512];
        snprintf(relative, sizeof relative, "proto/pacta/v1/%s", entry->d_name);
        char *text = read_source_file(relative);
        cr_assert_not_null(text, "cannot read %s", relative);
        parse_proto_messages(text, entry->d_name, messages);
        free(text);
        if (files != NULL)
            cr_assert_eq(list_add(files, entry->d_name, len, NULL), 0);
    }
    closedir(dir);
    cr_assert_gt(messages->count, 0, "no message declared under proto/pacta/v1");
}

/* ---------------------------------------------------------------------------
   The parsers work on known text (so the real tests cannot pass vacuously)
   ------------------------------------------------------------------------ */

Test(docs, parsers_work_on_known_text)
{
    static name_list_t ids;
    parse_rule_headings("# Title\n### CC-3b — Suspension\nbody ### SG-1 — no\n### SG-10 — Terms\n"
                        "#### Example 1 — not a rule\n### Note — not an id\n### L-5\n",
                        &ids);
    cr_assert_eq(ids.count, 3);
    cr_assert_str_eq(ids.names[0], "CC-3b");
    cr_assert_str_eq(ids.names[1], "SG-10");
    cr_assert_str_eq(ids.names[2], "L-5");

    const char *doc = "# T\n## 1. A\n| x | y |\n|---|---|\n| `In1` | a.proto |\n## 2. B\n| rule | m |\n"
                      "|---|---|\n| CC-1 | `Foo`, `Bar`, `lower` |\n| SG-2a | `Foo` |\n";
    span_t first = find_section(doc, "1. A");
    cr_assert_not_null(first.start);
    static name_list_t rows;
    parse_table_first_cells(first, &rows, true);
    cr_assert_eq(rows.count, 1);
    cr_assert_str_eq(rows.names[0], "In1");
    cr_assert_str_eq(rows.files[0], "a.proto");

    span_t second = find_section(doc, "2. B");
    static name_list_t rule_rows;
    parse_table_first_cells(second, &rule_rows, false);
    cr_assert_eq(rule_rows.count, 2);
    cr_assert_str_eq(rule_rows.names[1], "SG-2a");
    static name_list_t mentioned;
    parse_backticked_names(second, &mentioned);
    cr_assert_eq(mentioned.count, 2, "lower-case words are not message names");
    cr_assert_eq(find_section(doc, "3. Missing").len, 0);

    static name_list_t messages;
    parse_proto_messages("syntax = \"proto3\";\nmessage Outer {\n  message Inner { }\n}\nmessage Two{}\n",
                         "x.proto", &messages);
    cr_assert_eq(messages.count, 2);
    cr_assert_str_eq(messages.names[1], "Two");

    cr_assert(is_rule_id("CC-3b"));
    cr_assert(is_rule_id("L-1"));
    cr_assert_not(is_rule_id("CC-3f"));
    cr_assert_not(is_rule_id("XX-1"));
}

/* ---------------------------------------------------------------------------
   rules.md <-> messages.md
   ------------------------------------------------------------------------ */

static name_list_t rule_ids;      /* ids from docs/rules.md */
static name_list_t mapped_rules;  /* first cells of the Rule -> messages table */
static name_list_t proto_msgs;    /* messages declared in proto/pacta/v1 */
static name_list_t proto_files;   /* .proto files in proto/pacta/v1 */
static name_list_t catalogue;     /* first and second cells of the catalogue table */

static char *messages_doc;        /* docs/messages.md */

static void
load_messages_doc(void)
{
    messages_doc = read_source_file("docs/messages.md");
    cr_assert_not_null(messages_doc, "docs/messages.md is missing");
}

static void
free_messages_doc(void)
{
    free(messages_doc);
    messages_doc = NULL;
}

TestSuite(docs_sync, .init = load_messages_doc, .fini = free_messages_doc);

Test(docs_sync, rules_md_lists_enough_rule_ids)
{
    char *rules = read_source_file("docs/rules.md");
    cr_assert_not_null(rules, "docs/rules.md is missing");
    parse_rule_headings(rules, &rule_ids);
    free(rules);
    cr_assert_geq(rule_ids.count, MIN_RULE_IDS, "docs/rules.md lists only %zu rule ids (\"### CC-3b — title\")",
                  rule_ids.count);
    for (size_t i = 0; i < rule_ids.count; i++)
        for (size_t j = i + 1; j < rule_ids.count; j++)
            cr_expect_str_neq(rule_ids.names[i], rule_ids.names[j], "rule id %s has two headings",
                              rule_ids.names[i]);
}

Test(docs_sync, every_rule_is_mapped_to_messages)
{
    char *rules = read_source_file("docs/rules.md");
    cr_assert_not_null(rules, "docs/rules.md is missing");
    parse_rule_headings(rules, &rule_ids);
    free(rules);
    cr_assert_geq(rule_ids.count, MIN_RULE_IDS, "docs/rules.md lists only %zu rule ids", rule_ids.count);

    span_t section = find_section(messages_doc, "Rule → messages");
    cr_assert_gt(section.len, 0, "docs/messages.md has no \"## … Rule → messages\" section");
    parse_table_first_cells(section, &mapped_rules, false);
    cr_assert_gt(mapped_rules.count, 0, "the Rule → messages section has no table rows");

    for (size_t i = 0; i < rule_ids.count; i++)
        cr_expect(list_contains(&mapped_rules, rule_ids.names[i], NULL),
                  "%s (docs/rules.md) has no row in the Rule → messages section of docs/messages.md",
                  rule_ids.names[i]);
    for (size_t i = 0; i < mapped_rules.count; i++) {
        cr_expect(is_rule_id(mapped_rules.names[i]), "Rule → messages row \"%s\" is not a rule id",
                  mapped_rules.names[i]);
        cr_expect(list_contains(&rule_ids, mapped_rules.names[i], NULL),
                  "Rule → messages maps %s, which docs/rules.md does not define", mapped_rules.names[i]);
    }
}

Test(docs_sync, rule_map_names_only_real_messages_and_each_rule_needs_one)
{
    load_proto_messages(&proto_msgs, NULL);
    span_t section = find_section(messages_doc, "Rule → messages");
    cr_assert_gt(section.len, 0, "docs/messages.md has no Rule → messages section");

    static name_list_t mentioned;
    parse_backticked_names(section, &mentioned);
    cr_assert_gt(mentioned.count, 20, "the Rule → messages section names only %zu messages", mentioned.count);
    for (size_t i = 0; i < mentioned.count; i++)
        cr_expect(list_contains(&proto_msgs, mentioned.names[i], NULL),
                  "Rule → messages names `%s`, which no .proto declares", mentioned.names[i]);

    /* Every row names at least one message. */
    const char *end = section.start + section.len;
    char line[4096];
    const char *cursor = section.start;
    while ((cursor = next_line(cursor, end, line, sizeof line)) != NULL) {
        char copy[4096];
        snprintf(copy, sizeof copy, "%s", line);
        char *cells[8];
        if (split_row(copy, cells, 8) < 2 || !is_rule_id(cells[0]))
            continue;
        cr_expect_neq(strchr(line, '`'), NULL, "rule %s maps to no message", cells[0]);
    }
}

/* ---------------------------------------------------------------------------
   .proto <-> messages.md catalogue
   ------------------------------------------------------------------------ */

Test(docs_sync, every_proto_message_is_in_the_catalogue_and_back)
{
    load_proto_messages(&proto_msgs, NULL);
    cr_assert_geq(proto_msgs.count, 40, "only %zu messages declared", proto_msgs.count);
    span_t section = find_section(messages_doc, "Message catalogue");
    cr_assert_gt(section.len, 0, "docs/messages.md has no \"## … Message catalogue\" section");
    parse_table_first_cells(section, &catalogue, true);
    cr_assert_gt(catalogue.count, 0, "the message catalogue table is empty");

    for (size_t i = 0; i < proto_msgs.count; i++) {
        size_t row = 0;
        if (!list_contains(&catalogue, proto_msgs.names[i], &row)) {
            cr_expect_fail("`%s` (%s) is missing from the catalogue of docs/messages.md", proto_msgs.names[i],
                           proto_msgs.files[i]);
            continue;
        }
        cr_expect_str_eq(catalogue.files[row], proto_msgs.files[i], "`%s` is declared in %s, the catalogue says %s",
                         proto_msgs.names[i], proto_msgs.files[i], catalogue.files[row]);
    }
    for (size_t i = 0; i < catalogue.count; i++) {
        cr_expect(list_contains(&proto_msgs, catalogue.names[i], NULL),
                  "the catalogue lists `%s`, which no .proto declares", catalogue.names[i]);
        for (size_t j = i + 1; j < catalogue.count; j++)
            cr_expect_str_neq(catalogue.names[i], catalogue.names[j], "`%s` has two catalogue rows",
                              catalogue.names[i]);
    }
}

Test(docs_sync, message_names_are_unique_across_files)
{
    load_proto_messages(&proto_msgs, NULL);
    for (size_t i = 0; i < proto_msgs.count; i++)
        for (size_t j = i + 1; j < proto_msgs.count; j++)
            cr_expect_str_neq(proto_msgs.names[i], proto_msgs.names[j], "`%s` is declared in %s and %s",
                              proto_msgs.names[i], proto_msgs.files[i], proto_msgs.files[j]);
}

Test(docs_sync, every_proto_file_is_built)
{
    load_proto_messages(&proto_msgs, &proto_files);
    char *cmake = read_source_file("proto/CMakeLists.txt");
    cr_assert_not_null(cmake, "proto/CMakeLists.txt is missing");
    for (size_t i = 0; i < proto_files.count; i++) {
        char entry[MAX_NAME_LEN + 16];
        snprintf(entry, sizeof entry, "pacta/v1/%s", proto_files.names[i]);
        cr_expect_neq(strstr(cmake, entry), NULL, "%s is not in PACTA_PROTOS (proto/CMakeLists.txt)", entry);
    }
    free(cmake);
}
