/*  =========================================================================
    stack_fixture - the acceptance suites' stack and state snapshots

    The snapshot is text, one line per document or audit entry, sorted, so
    that two runs compare with one strcmp and a failure prints what differs.
    Audit entries are sorted rather than kept in stream order because two
    services append to one entity's stream independently: the order between
    them is not part of the result, the entries are.
    =========================================================================
*/
#include "stack_fixture.h"

#include <criterion/criterion.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pactactl_cmd.h"

static const char *const s_names[SK_SERVICES] = {"contracts", "invoicing", "enforcement", "notifications",
                                                 "gdpr-retention"};

const char *
sk_service_name(size_t index)
{
    assert(index < SK_SERVICES);
    return s_names[index];
}

size_t
sk_service_index(const char *name)
{
    for (size_t i = 0; i < SK_SERVICES; i++)
        if (strcmp(s_names[i], name) == 0)
            return i;
    cr_assert_fail("unknown service %s", name);
    return 0;
}

static int s_database = 15;   /* see sk_use_database() */

void
sk_use_database(int db)
{
    cr_assert(db >= 0 && db <= 15, "database %d: the test Redis has 0..15", db);
    s_database = db;
}

void
sk_redis_url(char *buf, size_t size)
{
    const char *base = bh_redis_url();
    if (strncmp(base, "unix://", 7) == 0)
        snprintf(buf, size, "%s%sdb=%d", base, strchr(base, '?') ? "&" : "?", s_database);
    else
        snprintf(buf, size, "%s/%d", base, s_database);
}

pacta_store_t *
sk_store(void)
{
    char url[600], err[256];
    sk_redis_url(url, sizeof url);
    pacta_store_options_t options = {.url = url, .client_name = "i5c-acceptance"};
    pacta_store_t *store = pacta_store_new(&options, err, sizeof err);
    cr_assert_not_null(store, "%s", err);
    cr_assert_eq(pacta_store_connect(store), 0, "%s", pacta_store_error(store));
    return store;
}

void
sk_flush(pacta_store_t *store)
{
    redisReply *reply = NULL;
    cr_assert_eq(pacta_store_command_strs(store, &reply, "FLUSHDB", NULL), 0, "%s", pacta_store_error(store));
    freeReplyObject(reply);
}

void
sk_start_instance(sk_stack_t *stack, size_t service, size_t instance)
{
    assert(service < SK_SERVICES && instance < SK_INSTANCES_MAX);
    char binary[BH_PATH_MAX], name[64];
    snprintf(binary, sizeof binary, "%s/services/%s/pacta-%s", PACTA_BINARY_DIR, s_names[service], s_names[service]);
    snprintf(name, sizeof name, "%s-%zu", s_names[service], instance + 1);
    char *argv[] = {binary, NULL};
    bh_spawn(&stack->procs[service][instance], name, argv, stack->env);
}

void
sk_start(sk_stack_t *stack, int instances)
{
    sk_start_with(stack, instances, NULL);
}

void
sk_start_with(sk_stack_t *stack, int instances, const char *const *extra_env)
{
    assert(instances >= 1 && instances <= SK_INSTANCES_MAX);
    memset(stack, 0, sizeof *stack);
    sk_redis_url(stack->redis_url, sizeof stack->redis_url);
    bh_bus_start(&stack->bus, "tcp://127.0.0.1:*", "tcp://127.0.0.1:*", NULL, NULL);
    snprintf(stack->env_storage[0], sizeof stack->env_storage[0], "PACTA_REDIS_URL=%s", stack->redis_url);
    snprintf(stack->env_storage[1], sizeof stack->env_storage[1], "PACTA_PROFILE_DIR=%s/deploy/profiles",
             PACTA_SOURCE_DIR);
    snprintf(stack->env_storage[2], sizeof stack->env_storage[2], "PACTA_BUS_URL=%s", stack->bus.frontend);
    snprintf(stack->env_storage[3], sizeof stack->env_storage[3], "PACTA_BUS_INSTANCE_URL=%s", stack->bus.backend);
    for (size_t i = 0; i < 4; i++)
        stack->env[i] = stack->env_storage[i];
    stack->env[4] = (char *) "PACTA_CLOCK=test";
    stack->env[5] = (char *) "PACTA_HTTP_ADDR=127.0.0.1:0";
    size_t count = 6;
    for (size_t i = 0; extra_env && extra_env[i]; i++) {
        const char *equals = strchr(extra_env[i], '=');
        cr_assert(equals, "%s: NAME=value expected", extra_env[i]);
        size_t name_len = (size_t) (equals - extra_env[i]) + 1;
        size_t slot = 0;
        while (slot < count && strncmp(stack->env[slot], extra_env[i], name_len) != 0)
            slot++;   //  an extra entry replaces a default of the same name
        cr_assert(slot < count || count + 1 < sizeof stack->env / sizeof stack->env[0],
                  "more than 16 extra environment entries");
        stack->env[slot] = (char *) extra_env[i];
        if (slot == count)
            count++;
    }
    stack->env[count] = NULL;
    for (size_t s = 0; s < SK_SERVICES; s++)
        for (int i = 0; i < (s < 3 ? instances : 1); i++)
            sk_start_instance(stack, s, (size_t) i);
}

void
sk_stop(sk_stack_t *stack)
{
    for (size_t s = 0; s < SK_SERVICES; s++)
        for (size_t i = 0; i < SK_INSTANCES_MAX; i++) {
            bh_proc_t *proc = &stack->procs[s][i];
            if (proc->pid > 0)
                cr_assert_eq(bh_stop(proc, SIGTERM, 10000), 0, "%s exits 0 (log %s)", proc->name, proc->log_path);
        }
    bh_stop(&stack->bus.proc, SIGTERM, 10000);
}

static int
s_ctl_v(sk_stack_t *stack, char **out, char **err, const char *command, va_list args)
{
    char *argv[48] = {(char *) "pactactl", (char *) "--redis-url", stack->redis_url, (char *) "--bus-url",
                      stack->bus.frontend, (char *) command};
    int argc = 6;
    for (const char *word = va_arg(args, const char *); word && argc < 47; word = va_arg(args, const char *))
        argv[argc++] = (char *) word;
    argv[argc] = NULL;
    size_t out_len = 0, err_len = 0;
    FILE *out_file = open_memstream(out, &out_len);
    FILE *err_file = open_memstream(err, &err_len);
    cr_assert(out_file && err_file);
    int rc = pactactl_main(argc, argv, out_file, err_file);
    fclose(out_file);
    fclose(err_file);
    return rc;
}

int
sk_ctl(sk_stack_t *stack, char **out, char **err, const char *command, ...)
{
    va_list args;
    va_start(args, command);
    int rc = s_ctl_v(stack, out, err, command, args);
    va_end(args);
    return rc;
}

sk_result_t
sk_run(sk_stack_t *stack, const char *command, ...)
{
    sk_result_t result = {0};
    va_list args;
    va_start(args, command);
    result.rc = s_ctl_v(stack, &result.out, &result.err, command, args);
    va_end(args);
    return result;
}

void
sk_result_free(sk_result_t *result)
{
    free(result->out);
    free(result->err);
    result->out = result->err = NULL;
}

long long
sk_integer(pacta_store_t *store, const char *command, const char *key, const char *field)
{
    redisReply *reply = NULL;
    int rc = field ? pacta_store_command_strs(store, &reply, command, key, field, NULL)
                   : pacta_store_command_strs(store, &reply, command, key, NULL);
    cr_assert_eq(rc, 0, "%s %s: %s", command, key, pacta_store_error(store));
    long long value = 0;
    if (reply->type == REDIS_REPLY_INTEGER)
        value = reply->integer;
    else if (reply->type == REDIS_REPLY_STRING)
        value = strtoll(reply->str, NULL, 10);
    freeReplyObject(reply);
    return value;
}

void
sk_replay_twice(sk_stack_t *stack, const char *path, const char *summary)
{
    sk_result_t r = sk_run(stack, "replay", "--wait", "30", path, NULL);
    cr_assert_eq(r.rc, 0, "%s%s", r.out, r.err);
    cr_assert(strstr(r.out, summary), "expected \"%s\" in:\n%s", summary, r.out);
    cr_assert(strstr(r.out, " 0 nacked;"), "%s", r.out);
    cr_assert(strstr(r.out, " 0 not met"), "%s", r.out);
    sk_result_free(&r);
    r = sk_run(stack, "replay", "--wait", "30", path, NULL);
    cr_assert_eq(r.rc, 0, "%s%s", r.out, r.err);
    cr_assert(strstr(r.out, "0 clock moves"), "%s", r.out);
    cr_assert(strstr(r.out, " 0 not met"), "%s", r.out);
    cr_assert(strstr(r.out, "(0 duplicates)") == NULL, "the second run sees duplicates: %s", r.out);
    sk_result_free(&r);
}

json_t *
sk_document(pacta_store_t *store, const char *tenant, const char *contract_id, const char *name)
{
    char key[256];
    snprintf(key, sizeof key, "pacta:%s:{c:%s}:%s", tenant, contract_id, name);
    redisReply *reply = NULL;
    cr_assert_eq(pacta_store_command_strs(store, &reply, "HGET", key, "doc", NULL), 0);
    cr_assert_eq(reply->type, REDIS_REPLY_STRING, "%s has a document", key);
    json_error_t error;
    json_t *doc = json_loads(reply->str, 0, &error);
    freeReplyObject(reply);
    cr_assert_not_null(doc, "%s", error.text);
    return doc;
}

size_t
sk_audit_count(pacta_store_t *store, const char *tenant, const char *contract_id, const char *field,
               const char *value)
{
    char key[256];
    snprintf(key, sizeof key, "pacta:%s:{c:%s}:audit", tenant, contract_id);
    redisReply *reply = NULL;
    cr_assert_eq(pacta_store_command_strs(store, &reply, "XRANGE", key, "-", "+", NULL), 0);
    size_t count = 0;
    for (size_t i = 0; reply->type == REDIS_REPLY_ARRAY && i < reply->elements; i++) {
        const redisReply *fields = reply->element[i]->element[1];
        for (size_t j = 0; j + 1 < fields->elements; j += 2)
            if (strcmp(fields->element[j]->str, field) == 0 && strcmp(fields->element[j + 1]->str, value) == 0)
                count++;
    }
    freeReplyObject(reply);
    return count;
}

/* ---- snapshots ------------------------------------------------------------ */

typedef struct {
    char **lines;       /* owned lines */
    size_t count;       /* lines used */
    size_t size;        /* lines allocated */
} lines_t;

static void
s_add(lines_t *lines, char *line)
{
    if (lines->count == lines->size) {
        lines->size = lines->size ? lines->size * 2 : 64;
        lines->lines = realloc(lines->lines, lines->size * sizeof *lines->lines);
        cr_assert_not_null(lines->lines);
    }
    lines->lines[lines->count++] = line;
}

static int
s_compare(const void *a, const void *b)
{
    return strcmp(*(char *const *) a, *(char *const *) b);
}

static bool
s_ends_with(const char *text, const char *suffix)
{
    size_t len = strlen(text), suffix_len = strlen(suffix);
    return len >= suffix_len && strcmp(text + len - suffix_len, suffix) == 0;
}

/* One reply element as text (strings, integers, nested arrays flattened). */
static void
s_print_reply(FILE *out, const redisReply *reply)
{
    switch (reply->type) {
        case REDIS_REPLY_STRING:
        case REDIS_REPLY_STATUS:
            fprintf(out, "%.*s", (int) reply->len, reply->str);
            break;
        case REDIS_REPLY_INTEGER:
            fprintf(out, "%lld", reply->integer);
            break;
        case REDIS_REPLY_ARRAY:
            fputc('[', out);
            for (size_t i = 0; i < reply->elements; i++) {
                if (i)
                    fputc(' ', out);
                s_print_reply(out, reply->element[i]);
            }
            fputc(']', out);
            break;
        default:
            fputs("nil", out);
            break;
    }
}

static redisReply *
s_command(pacta_store_t *store, const char *command, const char *key, const char *a, const char *b,
          const char *c)
{
    redisReply *reply = NULL;
    int rc = pacta_store_command_strs(store, &reply, command, key, a, b, c, NULL);
    cr_assert_eq(rc, 0, "%s %s: %s", command, key, pacta_store_error(store));
    return reply;
}

/* A hash: the document's version and doc when portable, every field else. */
static void
s_snapshot_hash(pacta_store_t *store, const char *key, bool portable, lines_t *lines)
{
    bool document = s_ends_with(key, ":contract") || s_ends_with(key, ":ledger") || s_ends_with(key, ":enforcement");
    if (portable && !document)
        return;
    redisReply *reply = s_command(store, "HGETALL", key, NULL, NULL, NULL);
    lines_t fields = {0};
    for (size_t i = 0; i + 1 < reply->elements; i += 2) {
        const redisReply *name = reply->element[i];
        if (portable && strcmp(name->str, "version") != 0 && strcmp(name->str, "doc") != 0)
            continue;
        char *text = NULL;
        size_t len = 0;
        FILE *out = open_memstream(&text, &len);
        fprintf(out, "%s %.*s=", key, (int) name->len, name->str);
        s_print_reply(out, reply->element[i + 1]);
        fclose(out);
        s_add(&fields, text);
    }
    freeReplyObject(reply);
    qsort(fields.lines, fields.count, sizeof *fields.lines, s_compare);
    for (size_t i = 0; i < fields.count; i++)
        s_add(lines, fields.lines[i]);
    free(fields.lines);
}

/* A stream: audit entries' fields when portable, every entry with its id else. */
static void
s_snapshot_stream(pacta_store_t *store, const char *key, bool portable, lines_t *lines)
{
    if (portable && !s_ends_with(key, ":audit"))
        return;
    redisReply *reply = s_command(store, "XRANGE", key, "-", "+", NULL);
    for (size_t i = 0; i < reply->elements; i++) {
        const redisReply *entry = reply->element[i];
        if (entry->type != REDIS_REPLY_ARRAY || entry->elements != 2)
            continue;
        char *text = NULL;
        size_t len = 0;
        FILE *out = open_memstream(&text, &len);
        fprintf(out, "%s", key);
        if (!portable)
            fprintf(out, " %.*s", (int) entry->element[0]->len, entry->element[0]->str);
        const redisReply *fields = entry->element[1];
        for (size_t k = 0; k + 1 < fields->elements; k += 2) {
            fprintf(out, " %.*s=", (int) fields->element[k]->len, fields->element[k]->str);
            s_print_reply(out, fields->element[k + 1]);
        }
        fclose(out);
        s_add(lines, text);
    }
    freeReplyObject(reply);
}

/* Any other type, whole (never in a portable snapshot). */
/* True for pacta:{outbox:<service>}:due. */
static bool
s_is_relay_index(const char *key)
{
    size_t len = strlen(key);
    return strncmp(key, "pacta:{outbox:", 14) == 0 && len > 4 && strcmp(key + len - 4, ":due") == 0;
}

static void
s_snapshot_other(pacta_store_t *store, const char *key, const char *type, lines_t *lines)
{
    redisReply *reply = NULL;
    if (strcmp(type, "string") == 0)
        reply = s_command(store, "GET", key, NULL, NULL, NULL);
    else if (strcmp(type, "zset") == 0 && s_is_relay_index(key))
        //  The relay's index: a member's score is when a relay looks at it
        //  next (lease, recheck), which moves on its own for a minute after
        //  every write. Which entities are owed a look is the state.
        reply = s_command(store, "ZRANGE", key, "0", "-1", NULL);
    else if (strcmp(type, "zset") == 0)
        reply = s_command(store, "ZRANGE", key, "0", "-1", "WITHSCORES");
    else if (strcmp(type, "set") == 0)
        reply = s_command(store, "SMEMBERS", key, NULL, NULL, NULL);
    else if (strcmp(type, "list") == 0)
        reply = s_command(store, "LRANGE", key, "0", "-1", NULL);
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    fprintf(out, "%s %s ", key, type);
    if (reply)
        s_print_reply(out, reply);
    fclose(out);
    freeReplyObject(reply);
    s_add(lines, text);
}

char *
sk_snapshot(pacta_store_t *store, const char *pattern, bool portable)
{
    lines_t keys = {0}, lines = {0};
    char cursor[32] = "0";
    do {
        redisReply *reply = NULL;
        cr_assert_eq(pacta_store_command_strs(store, &reply, "SCAN", cursor, "MATCH", pattern, "COUNT", "1000", NULL),
                     0, "%s", pacta_store_error(store));
        cr_assert(reply->type == REDIS_REPLY_ARRAY && reply->elements == 2);
        snprintf(cursor, sizeof cursor, "%s", reply->element[0]->str);
        for (size_t i = 0; i < reply->element[1]->elements; i++)
            s_add(&keys, strdup(reply->element[1]->element[i]->str));
        freeReplyObject(reply);
    } while (strcmp(cursor, "0") != 0);
    qsort(keys.lines, keys.count, sizeof *keys.lines, s_compare);
    for (size_t i = 0; i < keys.count; i++) {
        const char *key = keys.lines[i];
        if (i > 0 && strcmp(key, keys.lines[i - 1]) == 0)
            continue;   /* SCAN may return a key twice */
        redisReply *type = s_command(store, "TYPE", key, NULL, NULL, NULL);
        if (strcmp(type->str, "hash") == 0)
            s_snapshot_hash(store, key, portable, &lines);
        else if (strcmp(type->str, "stream") == 0)
            s_snapshot_stream(store, key, portable, &lines);
        else if (!portable && strcmp(type->str, "none") != 0)
            s_snapshot_other(store, key, type->str, &lines);
        freeReplyObject(type);
    }
    if (portable)
        qsort(lines.lines, lines.count, sizeof *lines.lines, s_compare);
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    for (size_t i = 0; i < lines.count; i++) {
        fprintf(out, "%s\n", lines.lines[i]);
        free(lines.lines[i]);
    }
    fclose(out);
    for (size_t i = 0; i < keys.count; i++)
        free(keys.lines[i]);
    free(keys.lines);
    free(lines.lines);
    return text;
}

size_t
sk_count_lines(const char *text, const char *needle)
{
    size_t count = 0;
    for (const char *line = text; line && *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t) (end - line) : strlen(line);
        const char *hit = strstr(line, needle);
        if (hit && hit + strlen(needle) <= line + len)
            count++;
        line = end ? end + 1 : line + len;
    }
    return count;
}
