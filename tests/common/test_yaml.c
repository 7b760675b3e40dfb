/*  Tests of pacta_yaml: the tree, positions, paths, and every refusal.

    Documents are written inline so each test shows exactly the YAML it
    feeds; file-level limits use temporary files under /tmp.
*/
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pacta_yaml.h"

/* Parses text, asserting success. */
static pacta_yaml_doc_t *
s_load(const char *text)
{
    char err[512];
    pacta_yaml_doc_t *doc = pacta_yaml_doc_load_buffer("t.yaml", text, strlen(text), err, sizeof err);
    cr_assert(doc != NULL, "unexpected error: %s", err);
    return doc;
}

/* Parses text, asserting failure, and returns the message. */
static void
s_refuse(const char *text, char *err, size_t err_size)
{
    pacta_yaml_doc_t *doc = pacta_yaml_doc_load_buffer("t.yaml", text, strlen(text), err, err_size);
    cr_assert(doc == NULL, "expected a refusal of: %s", text);
}

/* Writes text to a fresh temporary file; caller unlinks. */
static void
s_temp_file(const char *text, size_t len, char *path, size_t path_size)
{
    snprintf(path, path_size, "/tmp/pacta_test_yaml_XXXXXX");
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    cr_assert(write(fd, text, len) == (ssize_t) len);
    close(fd);
}

static const char *const s_nested = "# a comment line\n"
                                    "name: acme\n"
                                    "limits:\n"
                                    "  days: 7\n"
                                    "  list:\n"
                                    "    - first\n"
                                    "    - id: second\n"
                                    "      price: 1.50\n"
                                    "  flow: [a, b, {c: d}]\n"
                                    "empty:\n"
                                    "tilde: ~\n"
                                    "word_null: null\n"
                                    "quoted_empty: \"\"\n"
                                    "quoted_null: 'null'\n";

Test(yaml, builds_tree_with_kinds_counts_and_keys)
{
    pacta_yaml_doc_t *doc = s_load(s_nested);
    const pacta_yaml_node_t *root = pacta_yaml_doc_root(doc);
    cr_assert_eq(pacta_yaml_node_kind(root), PACTA_YAML_MAPPING);
    cr_assert_eq(pacta_yaml_node_count(root), 7);
    cr_assert_null(pacta_yaml_node_parent(root));
    cr_assert_str_eq(pacta_yaml_doc_name(doc), "t.yaml");

    const pacta_yaml_node_t *name = pacta_yaml_map_get(root, "name");
    cr_assert_eq(pacta_yaml_node_kind(name), PACTA_YAML_SCALAR);
    cr_assert_str_eq(pacta_yaml_scalar_text(name), "acme");
    cr_assert_eq(pacta_yaml_scalar_len(name), 4);
    cr_assert_str_eq(pacta_yaml_node_key(name), "name");
    cr_assert_eq(pacta_yaml_node_parent(name), root);

    const pacta_yaml_node_t *limits = pacta_yaml_map_get(root, "limits");
    cr_assert_eq(pacta_yaml_node_kind(limits), PACTA_YAML_MAPPING);
    cr_assert_eq(pacta_yaml_node_count(limits), 3);
    const pacta_yaml_node_t *list = pacta_yaml_map_get(limits, "list");
    cr_assert_eq(pacta_yaml_node_kind(list), PACTA_YAML_SEQUENCE);
    cr_assert_eq(pacta_yaml_node_count(list), 2);
    cr_assert_str_eq(pacta_yaml_scalar_text(pacta_yaml_node_child(list, 0)), "first");
    cr_assert_null(pacta_yaml_node_key(pacta_yaml_node_child(list, 0)));
    cr_assert_eq(pacta_yaml_node_index(pacta_yaml_node_child(list, 1)), 1);
    cr_assert_null(pacta_yaml_node_child(list, 2));
    const pacta_yaml_node_t *second = pacta_yaml_node_child(list, 1);
    cr_assert_str_eq(pacta_yaml_scalar_text(pacta_yaml_map_get(second, "price")), "1.50");

    /* Children of a mapping keep file order. */
    const char *expected[] = {"name", "limits", "empty", "tilde", "word_null", "quoted_empty",
                              "quoted_null"};
    for (size_t i = 0; i < 7; i++)
        cr_assert_str_eq(pacta_yaml_node_key(pacta_yaml_node_child(root, i)), expected[i]);

    /* Lookups on the wrong kind answer NULL rather than crash. */
    cr_assert_null(pacta_yaml_map_get(list, "x"));
    cr_assert_null(pacta_yaml_map_get(root, "absent"));
    cr_assert_null(pacta_yaml_scalar_text(limits));
    cr_assert_eq(pacta_yaml_node_count(name), 0);
    pacta_yaml_doc_destroy(&doc);
}

Test(yaml, null_scalars_are_plain_empty_tilde_or_null_only)
{
    pacta_yaml_doc_t *doc = s_load(s_nested);
    const pacta_yaml_node_t *root = pacta_yaml_doc_root(doc);
    cr_assert(pacta_yaml_scalar_is_null(pacta_yaml_map_get(root, "empty")));
    cr_assert(pacta_yaml_scalar_is_null(pacta_yaml_map_get(root, "tilde")));
    cr_assert(pacta_yaml_scalar_is_null(pacta_yaml_map_get(root, "word_null")));
    cr_assert_not(pacta_yaml_scalar_is_null(pacta_yaml_map_get(root, "quoted_empty")));
    cr_assert_str_eq(pacta_yaml_scalar_text(pacta_yaml_map_get(root, "quoted_empty")), "");
    cr_assert_not(pacta_yaml_scalar_is_null(pacta_yaml_map_get(root, "quoted_null")));
    cr_assert_str_eq(pacta_yaml_scalar_text(pacta_yaml_map_get(root, "quoted_null")), "null");
    cr_assert_not(pacta_yaml_scalar_is_null(pacta_yaml_map_get(root, "name")));
    cr_assert_not(pacta_yaml_scalar_is_null(pacta_yaml_map_get(root, "limits")));
    pacta_yaml_doc_destroy(&doc);
}

Test(yaml, lines_columns_and_key_lines_are_one_based)
{
    pacta_yaml_doc_t *doc = s_load(s_nested);
    const pacta_yaml_node_t *root = pacta_yaml_doc_root(doc);
    const pacta_yaml_node_t *name = pacta_yaml_node_find(root, "name");
    cr_assert_eq(pacta_yaml_node_line(name), 2);
    cr_assert_eq(pacta_yaml_node_column(name), 7);
    cr_assert_eq(pacta_yaml_node_end_line(name), 2);
    cr_assert_eq(pacta_yaml_node_end_column(name), 11);
    const pacta_yaml_node_t *limits = pacta_yaml_node_find(root, "limits");
    cr_assert_eq(pacta_yaml_node_key_line(limits), 3);
    cr_assert_eq(pacta_yaml_node_line(limits), 4);  /* a block mapping starts at its first key */
    cr_assert_eq(pacta_yaml_node_line(pacta_yaml_node_find(root, "limits.days")), 4);
    cr_assert_eq(pacta_yaml_node_line(pacta_yaml_node_find(root, "limits.list[0]")), 6);
    const pacta_yaml_node_t *price = pacta_yaml_node_find(root, "limits.list[1].price");
    cr_assert_eq(pacta_yaml_node_line(price), 8);
    cr_assert_eq(pacta_yaml_node_column(price), 14);
    const pacta_yaml_node_t *d = pacta_yaml_node_find(root, "limits.flow[2].c");
    cr_assert_eq(pacta_yaml_node_line(d), 9);
    cr_assert_str_eq(pacta_yaml_scalar_text(d), "d");
    cr_assert_eq(pacta_yaml_node_line(pacta_yaml_node_find(root, "quoted_null")), 14);
    pacta_yaml_doc_destroy(&doc);
}

Test(yaml, columns_count_characters_and_quoted_spans_include_quotes)
{
    /* "§" is two bytes: the span of the quoted value is 4 characters. */
    pacta_yaml_doc_t *doc = s_load("clause: \"§3\"  # é\nnext: é x\n");
    const pacta_yaml_node_t *root = pacta_yaml_doc_root(doc);
    const pacta_yaml_node_t *clause = pacta_yaml_map_get(root, "clause");
    cr_assert_str_eq(pacta_yaml_scalar_text(clause), "§3");
    cr_assert_eq(pacta_yaml_node_column(clause), 9);
    cr_assert_eq(pacta_yaml_node_end_column(clause), 13);
    const pacta_yaml_node_t *next = pacta_yaml_map_get(root, "next");
    cr_assert_eq(pacta_yaml_node_column(next), 7);
    cr_assert_eq(pacta_yaml_node_end_column(next), 10);
    pacta_yaml_doc_destroy(&doc);
}

Test(yaml, paths_round_trip_through_find_for_every_node)
{
    pacta_yaml_doc_t *doc = s_load(s_nested);
    const pacta_yaml_node_t *root = pacta_yaml_doc_root(doc);
    char path[PACTA_YAML_PATH_SIZE];
    cr_assert_str_eq(pacta_yaml_node_path(root, path, sizeof path), "");
    cr_assert_str_eq(pacta_yaml_node_path(pacta_yaml_node_find(root, "limits.list[1].price"), path,
                                          sizeof path),
                     "limits.list[1].price");
    cr_assert_str_eq(pacta_yaml_node_path(pacta_yaml_node_find(root, "limits.flow[2].c"), path,
                                          sizeof path),
                     "limits.flow[2].c");

    /* Depth-first walk: every node's path finds that very node. */
    const pacta_yaml_node_t *stack[64];
    size_t depth = 0, visited = 0;
    stack[depth++] = root;
    while (depth > 0) {
        const pacta_yaml_node_t *node = stack[--depth];
        visited++;
        pacta_yaml_node_path(node, path, sizeof path);
        cr_assert_eq(pacta_yaml_node_find(root, path), node, "path %s", path);
        for (size_t i = 0; i < pacta_yaml_node_count(node); i++)
            stack[depth++] = pacta_yaml_node_child(node, i);
    }
    cr_assert_eq(visited, 19);

    cr_assert_null(pacta_yaml_node_find(root, "limits.list[2]"));
    cr_assert_null(pacta_yaml_node_find(root, "limits.nope"));
    cr_assert_null(pacta_yaml_node_find(root, "name[0]"));
    cr_assert_null(pacta_yaml_node_find(root, "limits.list[x]"));

    /* A small buffer truncates with an ellipsis instead of overflowing. */
    char small[8];
    pacta_yaml_node_path(pacta_yaml_node_find(root, "limits.list[1].price"), small, sizeof small);
    cr_assert_eq(strlen(small), 7);
    cr_assert_str_eq(small + 4, "...");
    pacta_yaml_doc_destroy(&doc);
}

Test(yaml, duplicate_keys_are_refused_with_both_lines)
{
    char err[512];
    s_refuse("a: 1\nb:\n  c: 1\n  d: 2\n  c: 3\n", err, sizeof err);
    cr_assert_str_eq(err, "t.yaml:5: b.c: duplicate key (first defined at line 3)");
    s_refuse("top: 1\ntop: 2\n", err, sizeof err);
    cr_assert_str_eq(err, "t.yaml:2: top: duplicate key (first defined at line 1)");
    s_refuse("l:\n  - {x: 1, x: 2}\n", err, sizeof err);
    cr_assert_str_eq(err, "t.yaml:2: l[0].x: duplicate key (first defined at line 2)");
    /* Same key in different mappings is fine. */
    pacta_yaml_doc_t *doc = s_load("a: {x: 1}\nb: {x: 1}\n");
    pacta_yaml_doc_destroy(&doc);
}

Test(yaml, anchors_aliases_and_tags_are_refused)
{
    char err[512];
    s_refuse("a:\n  b: &x 35\n", err, sizeof err);
    cr_assert_str_eq(err, "t.yaml:2: a.b: anchors (&x) are not supported");
    s_refuse("a: &x {b: 1}\n", err, sizeof err);
    cr_assert_str_eq(err, "t.yaml:1: a: anchors (&x) are not supported");
    s_refuse("a: 1\nb:\n  c: *x\n", err, sizeof err);
    cr_assert(strstr(err, "aliases (*x) are not supported"), "%s", err);
    s_refuse("a:\n  b: !!str 35\n", err, sizeof err);
    cr_assert_str_eq(err, "t.yaml:2: a.b: tags (tag:yaml.org,2002:str) are not supported");
    s_refuse("a: !custom [1]\n", err, sizeof err);
    cr_assert(strstr(err, "t.yaml:1: a: tags (!custom) are not supported"), "%s", err);
    s_refuse("--- !!map\na: 1\n", err, sizeof err);
    cr_assert(strstr(err, "tags"), "%s", err);
}

Test(yaml, complex_keys_several_documents_and_empty_keys_are_refused)
{
    char err[512];
    s_refuse("? [a, b]\n: 1\n", err, sizeof err);
    cr_assert(strstr(err, "mapping keys must be plain text"), "%s", err);
    s_refuse("a: 1\n---\nb: 2\n", err, sizeof err);
    cr_assert(strstr(err, "t.yaml:2: "), "%s", err);
    cr_assert(strstr(err, "only one YAML document"), "%s", err);
    s_refuse("\"\": 1\n", err, sizeof err);
    cr_assert(strstr(err, "empty mapping key"), "%s", err);
}

Test(yaml, empty_documents_have_no_root)
{
    const char *texts[] = {"", "# only a comment\n\n"};
    for (size_t i = 0; i < 2; i++) {
        pacta_yaml_doc_t *doc = s_load(texts[i]);
        cr_assert_null(pacta_yaml_doc_root(doc), "text %zu", i);
        pacta_yaml_doc_destroy(&doc);
    }
    /* An explicit but empty document holds one null scalar. */
    pacta_yaml_doc_t *doc = s_load("---\n...\n");
    cr_assert(pacta_yaml_scalar_is_null(pacta_yaml_doc_root(doc)));
    pacta_yaml_doc_destroy(&doc);
}

Test(yaml, syntax_errors_report_the_line)
{
    char err[512];
    s_refuse("a: 1\nb: [1, 2\nc: 3\n", err, sizeof err);
    cr_assert(strstr(err, "invalid YAML"), "%s", err);
    cr_assert(strncmp(err, "t.yaml:", 7) == 0, "%s", err);
    s_refuse("a: 1\n b: 2\n", err, sizeof err);
    cr_assert(strstr(err, "t.yaml:2: "), "%s", err);
    cr_assert(strstr(err, "invalid YAML"), "%s", err);
}

Test(yaml, nul_bytes_and_invalid_utf8_are_refused)
{
    char err[512];
    s_refuse("a: \"x\\0y\"\n", err, sizeof err);
    cr_assert_str_eq(err, "t.yaml:1: a: text contains a NUL character");
    const char bad_utf8[] = "a: \xff\xfe\n";
    pacta_yaml_doc_t *doc = pacta_yaml_doc_load_buffer("t.yaml", bad_utf8, sizeof bad_utf8 - 1, err,
                                                       sizeof err);
    cr_assert_null(doc);
    cr_assert(strstr(err, "invalid YAML"), "%s", err);
}

Test(yaml, depth_and_width_are_capped)
{
    char err[512];
    char deep[256] = "a: ";
    memset(deep + 3, '[', PACTA_YAML_MAX_DEPTH + 1);
    s_refuse(deep, err, sizeof err);
    cr_assert(strstr(err, "nested deeper than 32 levels"), "%s", err);

    /* One collection wider than PACTA_YAML_MAX_CHILDREN. */
    size_t size = 16 * (PACTA_YAML_MAX_CHILDREN + 2);
    char *wide = malloc(size);
    size_t used = (size_t) snprintf(wide, size, "l: [");
    for (int i = 0; i <= PACTA_YAML_MAX_CHILDREN; i++)
        used += (size_t) snprintf(wide + used, size - used, "%d,", i);
    snprintf(wide + used, size - used, "0]\n");
    s_refuse(wide, err, sizeof err);
    cr_assert(strstr(err, "more than 1024 entries"), "%s", err);
    free(wide);

    /* Exactly at the cap is fine. */
    /* The root mapping is one level: 31 sequences inside it reach 32. */
    char ok_deep[256] = "a: ";
    memset(ok_deep + 3, '[', PACTA_YAML_MAX_DEPTH - 1);
    memset(ok_deep + 3 + PACTA_YAML_MAX_DEPTH - 1, ']', PACTA_YAML_MAX_DEPTH - 1);
    pacta_yaml_doc_t *doc = s_load(ok_deep);
    pacta_yaml_doc_destroy(&doc);
}

Test(yaml, files_are_read_and_size_capped)
{
    char path[64], err[512];
    const char *text = "k: value\n";
    s_temp_file(text, strlen(text), path, sizeof path);

    pacta_yaml_doc_t *doc = pacta_yaml_doc_load_file(path, 0, err, sizeof err);
    cr_assert_not_null(doc, "%s", err);
    cr_assert_str_eq(pacta_yaml_doc_name(doc), path);
    cr_assert_str_eq(pacta_yaml_scalar_text(pacta_yaml_map_get(pacta_yaml_doc_root(doc), "k")), "value");
    pacta_yaml_doc_destroy(&doc);

    /* Exactly max_bytes loads; one byte less refuses. */
    doc = pacta_yaml_doc_load_file(path, strlen(text), err, sizeof err);
    cr_assert_not_null(doc, "%s", err);
    pacta_yaml_doc_destroy(&doc);
    doc = pacta_yaml_doc_load_file(path, strlen(text) - 1, err, sizeof err);
    cr_assert_null(doc);
    char expected[256];
    snprintf(expected, sizeof expected, "%s:1: (file): file is larger than %zu bytes", path,
             strlen(text) - 1);
    cr_assert_str_eq(err, expected);
    unlink(path);

    doc = pacta_yaml_doc_load_file("/nonexistent/pacta.yaml", 0, err, sizeof err);
    cr_assert_null(doc);
    cr_assert_str_eq(err, "/nonexistent/pacta.yaml:1: (file): cannot open: No such file or directory");
    doc = pacta_yaml_doc_load_file("/tmp", 0, err, sizeof err);
    cr_assert_null(doc);
    cr_assert_str_eq(err, "/tmp:1: (file): not a regular file");
}

Test(yaml, a_fifo_is_refused_without_blocking, .timeout = 10)
{
    char dir[64], path[96], err[512];
    snprintf(dir, sizeof dir, "/tmp/pacta_test_yaml_XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/profile.yaml", dir);
    cr_assert_eq(mkfifo(path, 0600), 0);
    pacta_yaml_doc_t *doc = pacta_yaml_doc_load_file(path, 0, err, sizeof err);
    unlink(path);
    rmdir(dir);
    cr_assert_null(doc);
    cr_assert(strstr(err, ":1: (file): not a regular file"), "%s", err);
}

Test(yaml, default_cap_is_one_mebibyte)
{
    char path[64], err[512];
    size_t len = PACTA_YAML_MAX_FILE_BYTES + 1;
    char *big = malloc(len);
    memset(big, '#', len);
    big[len - 1] = '\n';
    s_temp_file(big, len, path, sizeof path);
    free(big);
    pacta_yaml_doc_t *doc = pacta_yaml_doc_load_file(path, 0, err, sizeof err);
    cr_assert_null(doc);
    cr_assert(strstr(err, "file is larger than 1048576 bytes"), "%s", err);
    unlink(path);
}

Test(yaml, errors_fit_small_buffers_and_null_buffers)
{
    char tiny[12];
    pacta_yaml_doc_t *doc = pacta_yaml_doc_load_buffer("t.yaml", "a: 1\na: 2\n", 10, tiny, sizeof tiny);
    cr_assert_null(doc);
    cr_assert_eq(strlen(tiny), sizeof tiny - 1);
    doc = pacta_yaml_doc_load_buffer("t.yaml", "a: 1\na: 2\n", 10, NULL, 0);
    cr_assert_null(doc);
}

Test(yaml, destroy_nulls_and_is_safe_twice)
{
    pacta_yaml_doc_t *doc = s_load("a: 1\n");
    pacta_yaml_doc_destroy(&doc);
    cr_assert_null(doc);
    pacta_yaml_doc_destroy(&doc);
    pacta_yaml_doc_destroy(NULL);
}

Test(yaml, kind_names)
{
    cr_assert_str_eq(pacta_yaml_kind_name(PACTA_YAML_SCALAR), "scalar");
    cr_assert_str_eq(pacta_yaml_kind_name(PACTA_YAML_SEQUENCE), "sequence");
    cr_assert_str_eq(pacta_yaml_kind_name(PACTA_YAML_MAPPING), "mapping");
}
