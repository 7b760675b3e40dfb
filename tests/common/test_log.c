/*  Tests of pacta_log: every line is one valid JSON object, whatever bytes
    the caller hands over, and lines from threads and processes never mix.
    Each test redirects the sink to its own temporary file and reads it back;
    lines are checked with jansson, an independent JSON parser. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pacta_log.h"

static FILE *s_sink;

static void
s_setup(void)
{
    s_sink = tmpfile();
    cr_assert_not_null(s_sink);
    pacta_log_set_fd(fileno(s_sink));
    pacta_log_set_service("testsvc");
    pacta_log_set_level(PACTA_LOG_DEBUG);
}

static void
s_teardown(void)
{
    pacta_log_set_fd(STDOUT_FILENO);
    if (s_sink)
        fclose(s_sink);
    s_sink = NULL;
}

TestSuite(logging, .init = s_setup, .fini = s_teardown);

/* Everything written so far, NUL-terminated; caller frees. */
static char *
s_read_all(size_t *len_out)
{
    long size = lseek(fileno(s_sink), 0, SEEK_END);
    cr_assert_geq(size, 0);
    char *text = malloc((size_t) size + 1);
    cr_assert_not_null(text);
    ssize_t n = pread(fileno(s_sink), text, (size_t) size, 0);
    cr_assert_eq(n, size);
    text[size] = '\0';
    if (len_out)
        *len_out = (size_t) size;
    return text;
}

static size_t
s_count_lines(const char *text, size_t len)
{
    size_t lines = 0;
    for (size_t i = 0; i < len; i++)
        if (text[i] == '\n')
            lines++;
    return lines;
}

/* The only line written; asserts there is exactly one and parses it. */
static json_t *
s_only_line(void)
{
    size_t len;
    char *text = s_read_all(&len);
    cr_assert_gt(len, 0, "nothing was logged");
    cr_assert_eq(s_count_lines(text, len), 1, "expected one line, got: %s", text);
    cr_assert_eq(text[len - 1], '\n');
    json_error_t error;
    json_t *root = json_loadb(text, len, 0, &error);
    cr_assert_not_null(root, "not JSON (%s): %s", error.text, text);
    cr_assert(json_is_object(root));
    free(text);
    return root;
}

static const char *
s_str(json_t *root, const char *key)
{
    json_t *v = json_object_get(root, key);
    cr_assert(json_is_string(v), "field %s missing or not a string", key);
    return json_string_value(v);
}

Test(logging, line_has_standard_fields_and_extras)
{
    pacta_log_info("contract renewed", "tenant", "capconnect", "contract", "C-42");
    json_t *root = s_only_line();
    cr_assert_str_eq(s_str(root, "level"), "info");
    cr_assert_str_eq(s_str(root, "service"), "testsvc");
    cr_assert_str_eq(s_str(root, "msg"), "contract renewed");
    cr_assert_str_eq(s_str(root, "tenant"), "capconnect");
    cr_assert_str_eq(s_str(root, "contract"), "C-42");
    const char *ts = s_str(root, "ts");
    /* 2026-11-21T23:40:00.123Z */
    cr_assert_eq(strlen(ts), 24, "ts: %s", ts);
    cr_assert_eq(ts[4], '-');
    cr_assert_eq(ts[10], 'T');
    cr_assert_eq(ts[19], '.');
    cr_assert_eq(ts[23], 'Z');
    json_decref(root);
}

Test(logging, field_order_is_ts_level_service_msg)
{
    pacta_log_warn("m", "k", "v");
    size_t len;
    char *text = s_read_all(&len);
    cr_assert_eq(strncmp(text, "{\"ts\":\"", 7), 0, "%s", text);
    const char *level = strstr(text, "\"level\"");
    const char *service = strstr(text, "\"service\"");
    const char *msg = strstr(text, "\"msg\"");
    const char *k = strstr(text, "\"k\"");
    cr_assert(level && service && msg && k);
    cr_assert(level < service && service < msg && msg < k);
    free(text);
}

Test(logging, special_characters_round_trip)
{
    const char *nasty = "quote\" backslash\\ newline\n cr\r tab\t bell\x07 del\x7f esc\x1b end";
    pacta_log_error(nasty, "tenant\"key\n", nasty);
    size_t len;
    char *raw = s_read_all(&len);
    for (size_t i = 0; i + 1 < len; i++)
        cr_assert((unsigned char) raw[i] >= 0x20 && raw[i] != 0x7f, "raw control byte 0x%02x at %zu", raw[i], i);
    cr_assert_not_null(strstr(raw, "\\u0007"), "%s", raw);
    cr_assert_not_null(strstr(raw, "\\u001b"), "%s", raw);
    cr_assert_not_null(strstr(raw, "\\n"), "%s", raw);
    free(raw);
    json_t *root = s_only_line();
    cr_assert_str_eq(s_str(root, "msg"), nasty);
    cr_assert_str_eq(s_str(root, "tenant\"key\n"), nasty);
    cr_assert_str_eq(s_str(root, "level"), "error");
    json_decref(root);
}

/* Fixed-size arrays, not pointers: Criterion copies parameters into its
   worker processes, where pointers to the parent's data are not valid. */
typedef struct {
    char input[16];      /* bytes handed to the logger */
    char expected[32];   /* UTF-8 string after decoding the JSON */
} utf8_case_t;

static void
s_free_cases(struct criterion_test_params *params)
{
    cr_free(params->params);
}

ParameterizedTestParameters(logging, utf8_is_validated)
{
    static const char *const table[][2] = {
        {"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"}, /* valid */
        {"a\xff" "b", "a\xef\xbf\xbd" "b"},                          /* stray byte */
        {"\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd"},                    /* overlong '/' */
        {"\xe0\x80\xaf", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},    /* overlong 3-byte */
        {"\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},    /* UTF-16 surrogate */
        {"\xf4\x90\x80\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"}, /* > U+10FFFF */
        {"x\xe2\x82", "x\xef\xbf\xbd\xef\xbf\xbd"},                  /* truncated at end */
        {"\xe2\x82" "A", "\xef\xbf\xbd\xef\xbf\xbd" "A"},            /* truncated mid-string */
        {"\x80", "\xef\xbf\xbd"},                                    /* lone continuation */
    };
    size_t count = sizeof table / sizeof table[0];
    utf8_case_t *cases = cr_malloc(count * sizeof *cases);
    cr_assert_not_null(cases);
    for (size_t i = 0; i < count; i++) {
        snprintf(cases[i].input, sizeof cases[i].input, "%s", table[i][0]);
        snprintf(cases[i].expected, sizeof cases[i].expected, "%s", table[i][1]);
    }
    return cr_make_param_array(utf8_case_t, cases, count, s_free_cases);
}

ParameterizedTest(utf8_case_t *c, logging, utf8_is_validated)
{
    pacta_log_info("utf8", "value", c->input);
    json_t *root = s_only_line();
    cr_assert_str_eq(s_str(root, "value"), c->expected);
    json_decref(root);
}

Test(logging, null_value_and_integer_fields)
{
    pacta_log_info("nulls", "missing", (const char *) NULL, "after", "x");
    pacta_log_field_t fields[] = {
        {.key = "tenant", .str = "sgevent"},
        {.key = "amount_cents", .num = -123456789012LL},
        {.key = "zero", .num = 0},
    };
    pacta_log_fields(PACTA_LOG_WARN, "typed", fields, 3);
    size_t len;
    char *text = s_read_all(&len);
    cr_assert_eq(s_count_lines(text, len), 2);
    char *second = strchr(text, '\n') + 1;
    json_error_t error;
    json_t *first = json_loadb(text, (size_t) (second - text), 0, &error);
    cr_assert_not_null(first, "%s", error.text);
    cr_assert(json_is_null(json_object_get(first, "missing")));
    cr_assert_str_eq(s_str(first, "after"), "x");
    json_t *typed = json_loads(second, 0, &error);
    cr_assert_not_null(typed, "%s", error.text);
    cr_assert_str_eq(s_str(typed, "tenant"), "sgevent");
    cr_assert(json_is_integer(json_object_get(typed, "amount_cents")));
    cr_assert_eq(json_integer_value(json_object_get(typed, "amount_cents")), -123456789012LL);
    cr_assert_eq(json_integer_value(json_object_get(typed, "zero")), 0);
    cr_assert_str_eq(s_str(typed, "level"), "warn");
    json_decref(first);
    json_decref(typed);
    free(text);
}

Test(logging, minimum_level_drops_lower_lines)
{
    pacta_log_set_level(PACTA_LOG_WARN);
    cr_assert_not(pacta_log_enabled(PACTA_LOG_INFO));
    cr_assert(pacta_log_enabled(PACTA_LOG_ERROR));
    pacta_log_debug("dropped debug");
    pacta_log_info("dropped info");
    pacta_log_warn("kept warn");
    pacta_log_error("kept error");
    size_t len;
    char *text = s_read_all(&len);
    cr_assert_eq(s_count_lines(text, len), 2, "%s", text);
    cr_assert_null(strstr(text, "dropped"));
    cr_assert_not_null(strstr(text, "kept warn"));
    cr_assert_not_null(strstr(text, "kept error"));
    free(text);
}

Test(logging, level_names_parse)
{
    static const struct {
        const char *text;
        int rc;
        pacta_log_level_t level;
    } cases[] = {
        {"debug", 0, PACTA_LOG_DEBUG}, {"info", 0, PACTA_LOG_INFO},   {"warn", 0, PACTA_LOG_WARN},
        {"WARNING", 0, PACTA_LOG_WARN}, {"Error", 0, PACTA_LOG_ERROR}, {"verbose", -1, PACTA_LOG_INFO},
        {"", -1, PACTA_LOG_INFO},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pacta_log_level_t level = PACTA_LOG_INFO;
        cr_assert_eq(pacta_log_level_parse(cases[i].text, &level), cases[i].rc, "%s", cases[i].text);
        cr_assert_eq(level, cases[i].level, "%s", cases[i].text);
    }
    cr_assert_eq(pacta_log_level_parse(NULL, &(pacta_log_level_t){0}), -1);
    cr_assert_str_eq(pacta_log_level_name(PACTA_LOG_WARN), "warn");
}

Test(logging, oversized_line_is_truncated_but_valid)
{
    size_t big = PACTA_LOG_LINE_MAX * 2;
    char *value = malloc(big + 1);
    cr_assert_not_null(value);
    memset(value, 'x', big);
    value[big] = '\0';
    pacta_log_info("big", "first", "small", "huge", value, "last", "never fits");
    json_t *root = s_only_line();
    cr_assert_str_eq(s_str(root, "first"), "small");
    cr_assert_null(json_object_get(root, "huge"));
    cr_assert(json_is_true(json_object_get(root, "truncated")));
    json_decref(root);

    /* A message alone bigger than a line keeps its start. */
    cr_assert_eq(ftruncate(fileno(s_sink), 0), 0);
    cr_assert_eq(lseek(fileno(s_sink), 0, SEEK_SET), 0);
    pacta_log_info(value);
    root = s_only_line();
    size_t msg_len = strlen(s_str(root, "msg"));
    cr_assert_gt(msg_len, 1000);
    cr_assert_lt(msg_len, PACTA_LOG_LINE_MAX);
    cr_assert(json_is_true(json_object_get(root, "truncated")));
    json_decref(root);
    size_t len;
    char *text = s_read_all(&len);
    cr_assert_leq(len, PACTA_LOG_LINE_MAX);
    free(text);
    free(value);
}

Test(logging, json_append_string_reports_no_room)
{
    char buf[8];
    size_t pos = 0;
    cr_assert_eq(pacta_json_append_string(buf, sizeof buf, &pos, "abc", 3), 0);
    cr_assert_str_eq(buf, "\"abc\"");
    cr_assert_eq(pos, 5);
    cr_assert_eq(pacta_json_append_string(buf, sizeof buf, &pos, "de", 2), -1);
    cr_assert_eq(pos, 5);
    cr_assert_str_eq(buf, "\"abc\"");
    cr_assert_eq(pacta_json_append_raw(buf, sizeof buf, &pos, "12", 2), 0);
    cr_assert_eq(pacta_json_append_raw(buf, sizeof buf, &pos, "3", 1), -1);
    cr_assert_str_eq(buf, "\"abc\"12");
}

/* ---- concurrency ------------------------------------------------------- */

#define THREADS 4
#define LINES_PER_WRITER 400

static void *
s_writer(void *arg)
{
    long id = (long) arg;
    char filler[600];
    memset(filler, 'a' + (int) id, sizeof filler - 1);
    filler[sizeof filler - 1] = '\0';
    char n[16];
    for (int i = 0; i < LINES_PER_WRITER; i++) {
        snprintf(n, sizeof n, "%d", i);
        pacta_log_info("concurrent", "writer", filler, "n", n);
    }
    return NULL;
}

/* Every line parses and carries one writer's filler, unbroken. */
static void
s_check_lines(size_t expected_lines)
{
    size_t len;
    char *text = s_read_all(&len);
    cr_assert_eq(s_count_lines(text, len), expected_lines);
    char *line = text;
    for (size_t i = 0; i < expected_lines; i++) {
        char *end = strchr(line, '\n');
        json_error_t error;
        json_t *root = json_loadb(line, (size_t) (end - line), 0, &error);
        cr_assert_not_null(root, "line %zu is not JSON: %s", i, error.text);
        const char *filler = s_str(root, "writer");
        cr_assert_eq(strlen(filler), 599);
        cr_assert_eq(strspn(filler, (char[]){filler[0], 0}), 599, "mixed line %zu", i);
        json_decref(root);
        line = end + 1;
    }
    free(text);
}

Test(logging, threads_never_interleave_lines)
{
    pthread_t threads[THREADS];
    for (long i = 0; i < THREADS; i++)
        cr_assert_eq(pthread_create(&threads[i], NULL, s_writer, (void *) i), 0);
    for (int i = 0; i < THREADS; i++)
        pthread_join(threads[i], NULL);
    s_check_lines(THREADS * LINES_PER_WRITER);
}

Test(logging, processes_never_interleave_lines)
{
    /* Several processes share one pipe, as with docker's stdout. */
    int fds[2];
    cr_assert_eq(pipe(fds), 0);
    pid_t children[3];
    for (long i = 0; i < 3; i++) {
        children[i] = fork();
        cr_assert_geq(children[i], 0);
        if (children[i] == 0) {
            close(fds[0]);
            pacta_log_set_fd(fds[1]);
            s_writer((void *) i);
            _exit(0);
        }
    }
    close(fds[1]);
    char buf[8192];
    ssize_t n;
    while ((n = read(fds[0], buf, sizeof buf)) > 0)
        cr_assert_eq(write(fileno(s_sink), buf, (size_t) n), n);
    close(fds[0]);
    for (int i = 0; i < 3; i++) {
        int status;
        waitpid(children[i], &status, 0);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    s_check_lines(3 * LINES_PER_WRITER);
}
