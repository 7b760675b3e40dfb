/*  =========================================================================
    test_rule_coverage - every rule of docs/rules.md is named by a test

    Reads docs/rules.md from the source tree, takes every rule id from its
    "### ID — title" headings, and fails when an id is not named, as a word
    ("CC-3b" or "cc3b", any case), in some file under tests/rules/ other
    than this one. It also fails when docs/rules.md is missing or lists
    fewer than 40 rules, so a broken catalogue cannot pass by being empty.
    =========================================================================
*/
#include <criterion/criterion.h>
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FILE_BYTES (4 * 1024 * 1024)   //  larger files are a test failure
#define MAX_IDS 128                        //  rule ids the catalogue may hold
#define ID_SIZE 16                         //  "CC-3b", "SG-14", "L-5"
#define MIN_IDS 40                         //  the catalogue has 42 today
#define MAX_TEST_FILES 64                  //  files scanned under tests/rules
#define SELF "test_rule_coverage.c"        //  this file does not count

//  Whole file as a NUL-terminated heap string, or NULL.
static char *
s_read_file(const char *path)
{
    FILE *file = fopen(path, "rb");
    if (!file)
        return NULL;
    char *text = malloc(MAX_FILE_BYTES + 1);
    size_t size = text ? fread(text, 1, MAX_FILE_BYTES + 1, file) : 0;
    fclose(file);
    if (!text || size > MAX_FILE_BYTES) {
        free(text);
        return NULL;
    }
    text[size] = '\0';
    return text;
}

//  True for an id like "CC-3b", "SG-14", "L-5": capitals, a dash, digits,
//  at most one lower-case letter.
static bool
s_is_rule_id(const char *id)
{
    const char *cursor = id;
    if (!isupper((unsigned char) *cursor))
        return false;
    while (isupper((unsigned char) *cursor))
        cursor++;
    if (*cursor++ != '-' || !isdigit((unsigned char) *cursor))
        return false;
    while (isdigit((unsigned char) *cursor))
        cursor++;
    if (islower((unsigned char) *cursor))
        cursor++;
    return *cursor == '\0';
}

//  Extracts the ids of "### ID — title" headings (em dash U+2014) into ids.
//  Returns the count, or -1 on a malformed heading or too many.
static int
s_extract_ids(const char *markdown, char ids[][ID_SIZE], int max_ids)
{
    static const char marker[] = "### ";
    static const char em_dash[] = " \xE2\x80\x94 ";
    int count = 0;
    const char *line = markdown;
    while (line && *line) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t) (end - line) : strlen(line);
        if (len > 4 && strncmp(line, marker, 4) == 0) {
            const char *id = line + 4;
            const char *dash = strstr(id, em_dash);
            if (!dash || dash > line + len || (size_t) (dash - id) >= ID_SIZE || count >= max_ids)
                return -1;
            memcpy(ids[count], id, (size_t) (dash - id));
            ids[count][dash - id] = '\0';
            if (!s_is_rule_id(ids[count]))
                return -1;
            count++;
        }
        line = end ? end + 1 : NULL;
    }
    return count;
}

//  True when needle (lower case) occurs in haystack (lower case) with no
//  letter or digit right before or after it.
static bool
s_names_word(const char *haystack, const char *needle)
{
    size_t len = strlen(needle);
    for (const char *hit = strstr(haystack, needle); hit; hit = strstr(hit + 1, needle)) {
        bool before_ok = hit == haystack || !isalnum((unsigned char) hit[-1]);
        bool after_ok = !isalnum((unsigned char) hit[len]);
        if (before_ok && after_ok)
            return true;
    }
    return false;
}

//  True when text names rule id as "cc-3b" or "cc3b" (text is lower case).
static bool
s_names_rule(const char *lowered_text, const char *id)
{
    char dashed[ID_SIZE];
    char compact[ID_SIZE];
    size_t c = 0;
    for (size_t i = 0; id[i] && i < ID_SIZE - 1; i++) {
        dashed[i] = (char) tolower((unsigned char) id[i]);
        dashed[i + 1] = '\0';
        if (id[i] != '-')
            compact[c++] = (char) tolower((unsigned char) id[i]);
    }
    compact[c] = '\0';
    return s_names_word(lowered_text, dashed) || s_names_word(lowered_text, compact);
}

static void
s_lower(char *text)
{
    for (; *text; text++)
        *text = (char) tolower((unsigned char) *text);
}

/* ---- the scanner itself ------------------------------------------------------------ */

Test(coverage, scanner_recognises_words_only)
{
    char text[] = "test(cc, cc3b_suspends_day_after_due) /* cc-17 and l-50 */ sg8c";
    s_lower(text);
    cr_assert(s_names_rule(text, "CC-3b"));
    cr_assert(s_names_rule(text, "CC-17"));
    cr_assert(s_names_rule(text, "SG-8c"));
    cr_assert_not(s_names_rule(text, "CC-1"), "CC-1 is not named by CC-17");
    cr_assert_not(s_names_rule(text, "L-5"), "L-5 is not named by L-50");
    cr_assert_not(s_names_rule(text, "CC-3"), "CC-3 is not named by cc3b");

    char ids[4][ID_SIZE];
    cr_assert_eq(s_extract_ids("intro\n### CC-1 \xE2\x80\x94 Packs\ntext\n### L-4 \xE2\x80\x94 GDPR\n", ids, 4), 2);
    cr_assert_str_eq(ids[0], "CC-1");
    cr_assert_str_eq(ids[1], "L-4");
    cr_assert_eq(s_extract_ids("### not an id \xE2\x80\x94 x\n", ids, 4), -1);
    cr_assert_eq(s_extract_ids("### CC-1 - hyphen, not an em dash\n", ids, 4), -1);
}

/* ---- the catalogue against tests/rules ----------------------------------------------- */

Test(coverage, every_rule_id_is_named_by_a_test)
{
    char *catalogue = s_read_file(PACTA_SOURCE_DIR "/docs/rules.md");
    cr_assert_not_null(catalogue, "docs/rules.md is missing or unreadable");
    static char ids[MAX_IDS][ID_SIZE];
    int id_count = s_extract_ids(catalogue, ids, MAX_IDS);
    free(catalogue);
    cr_assert_geq(id_count, MIN_IDS, "docs/rules.md lists %d rule ids (malformed heading if -1), need %d", id_count,
                  MIN_IDS);
    for (int a = 0; a < id_count; a++)
        for (int b = a + 1; b < id_count; b++)
            cr_assert_str_neq(ids[a], ids[b], "rule id %s appears twice", ids[a]);

    const char *dir_path = PACTA_SOURCE_DIR "/tests/rules";
    DIR *dir = opendir(dir_path);
    cr_assert_not_null(dir, "cannot open %s", dir_path);
    char *texts[MAX_TEST_FILES];
    size_t text_count = 0;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        const char *name = entry->d_name;
        size_t len = strlen(name);
        bool source = len > 2 && (strcmp(name + len - 2, ".c") == 0 || strcmp(name + len - 2, ".h") == 0);
        if (!source || name[0] == '.' || strcmp(name, SELF) == 0)
            continue;
        cr_assert_lt(text_count, MAX_TEST_FILES, "too many files under tests/rules");
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir_path, name);
        texts[text_count] = s_read_file(path);
        cr_assert_not_null(texts[text_count], "cannot read %s", path);
        s_lower(texts[text_count]);
        text_count++;
    }
    closedir(dir);
    cr_assert_gt(text_count, 0, "no test file under tests/rules");

    char missing[MAX_IDS * (ID_SIZE + 1)] = "";
    int missing_count = 0;
    for (int i = 0; i < id_count; i++) {
        bool named = false;
        for (size_t f = 0; f < text_count && !named; f++)
            named = s_names_rule(texts[f], ids[i]);
        if (!named) {
            size_t used = strlen(missing);
            snprintf(missing + used, sizeof missing - used, " %s", ids[i]);
            missing_count++;
        }
    }
    for (size_t f = 0; f < text_count; f++)
        free(texts[f]);
    cr_assert_eq(missing_count, 0, "%d rule id(s) of docs/rules.md are named by no test under tests/rules:%s",
                 missing_count, missing);
}
