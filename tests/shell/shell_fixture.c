/*  =========================================================================
    shell_fixture - what the shell suites share (see shell_fixture.h)

    Design decision: isolation by tenant, not by database. The shell's
    cross-entity keys (timers, indexes, the test clock) are all per tenant,
    so a tenant of its own isolates a test process completely while it
    still runs against the same Redis and the real profile's figures.
    =========================================================================
*/
#include "shell_fixture.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pacta_bus_wire.h"
#include "pacta_date.h"

static char s_tenant[32];
static char s_dir[512];

const char *
sf_tenant(void)
{
    if (!s_tenant[0])
        snprintf(s_tenant, sizeof s_tenant, "sh%ld", (long) getpid());
    return s_tenant;
}

const char *
sf_profile_dir(void)
{
    if (s_dir[0])
        return s_dir;
    const char *base = getenv("PACTA_TEST_WORKDIR");
    if (!base || !*base)
        base = getenv("TMPDIR");
    if (!base || !*base)
        base = "/tmp";
    snprintf(s_dir, sizeof s_dir, "%s/shell-%s", base, sf_tenant());
    if (mkdir(s_dir, 0700) != 0 && errno != EEXIST)
        cr_assert_fail("cannot create %s: %s", s_dir, strerror(errno));

    char source[512];
    snprintf(source, sizeof source, "%s/deploy/profiles/capconnect.yaml", PACTA_SOURCE_DIR);
    FILE *in = fopen(source, "r");
    cr_assert_not_null(in, "cannot read %s", source);
    char target[640];
    snprintf(target, sizeof target, "%s/%s.yaml", s_dir, sf_tenant());
    FILE *out = fopen(target, "w");
    cr_assert_not_null(out, "cannot write %s", target);
    char line[1024];
    bool renamed = false;
    while (fgets(line, sizeof line, in)) {
        if (!renamed && strncmp(line, "tenant:", 7) == 0) {
            fprintf(out, "tenant: %s\n", sf_tenant());
            renamed = true;
        }
        else
            fputs(line, out);
    }
    fclose(in);
    fclose(out);
    cr_assert(renamed, "capconnect.yaml has a top-level tenant: line");
    return s_dir;
}

pacta_profile_set_t *
sf_profiles(void)
{
    char err[512];
    pacta_profile_set_t *profiles = pacta_profile_set_load_dir(sf_profile_dir(), err, sizeof err);
    cr_assert_not_null(profiles, "profiles: %s", err);
    return profiles;
}

const char *
sf_redis_url(void)
{
    const char *url = getenv("PACTA_TEST_REDIS_URL");
    cr_assert(url && *url, "PACTA_TEST_REDIS_URL is not set: run through scripts/test.sh");
    return url;
}

pacta_store_t *
sf_store(void)
{
    char err[256];
    pacta_store_options_t options = {.url = sf_redis_url(), .client_name = "shell-test"};
    pacta_store_t *store = pacta_store_new(&options, err, sizeof err);
    cr_assert_not_null(store, "store: %s", err);
    cr_assert_eq(pacta_store_connect(store), 0, "redis at %s: %s", sf_redis_url(), pacta_store_error(store));
    return store;
}

Pacta__V1__Envelope *
sf_envelope(const char *tenant, const char *entity_key, const char *message_id, const ProtobufCMessage *payload)
{
    Pacta__V1__Envelope *env = calloc(1, sizeof *env);
    cr_assert_not_null(env);
    pacta__v1__envelope__init(env);
    env->message_id = strdup(message_id);
    env->tenant = strdup(tenant);
    env->message_type = strdup(payload->descriptor->name);
    env->entity_key = strdup(entity_key);
    env->causation_id = strdup("");
    env->correlation_id = strdup("");
    env->producer = strdup("shell-test");
    env->destination = strdup("");
    env->schema_version = 1;
    env->kind = PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_EVENT;
    struct timespec wall;
    clock_gettime(CLOCK_REALTIME, &wall);
    env->occurred_at_ms = (int64_t) wall.tv_sec * 1000 + wall.tv_nsec / 1000000;
    env->payload.len = protobuf_c_message_get_packed_size(payload);
    env->payload.data = malloc(env->payload.len + 1);
    cr_assert_not_null(env->payload.data);
    protobuf_c_message_pack(payload, env->payload.data);
    return env;
}

void
sf_envelope_free(Pacta__V1__Envelope *env)
{
    if (!env)
        return;
    free(env->message_id);
    free(env->tenant);
    free(env->message_type);
    free(env->entity_key);
    free(env->causation_id);
    free(env->correlation_id);
    free(env->producer);
    free(env->destination);
    free(env->payload.data);
    free(env);
}

Pacta__V1__Date *
sf_date(Pacta__V1__Date *storage, const char *text)
{
    pacta__v1__date__init(storage);
    int year = 0, month = 0, day = 0;
    cr_assert_eq(sscanf(text, "%d-%d-%d", &year, &month, &day), 3, "date %s", text);
    storage->year = year;
    storage->month = month;
    storage->day = day;
    return storage;
}

Pacta__V1__Money *
sf_money(Pacta__V1__Money *storage, int64_t cents)
{
    pacta__v1__money__init(storage);
    storage->cents = cents;
    storage->currency = (char *) "EUR";
    return storage;
}

json_t *
sf_doc(pacta_store_t *store, const char *key, long long *version)
{
    redisReply *reply = NULL;
    cr_assert_eq(pacta_store_command_strs(store, &reply, "HMGET", key, "version", "doc", NULL), 0);
    json_t *doc = NULL;
    long long v = 0;
    if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 2 && reply->element[1]->type == REDIS_REPLY_STRING) {
        json_error_t error;
        doc = json_loadb(reply->element[1]->str, reply->element[1]->len, 0, &error);
        cr_assert_not_null(doc, "%s: doc is not JSON: %s", key, error.text);
        v = strtoll(reply->element[0]->str, NULL, 10);
    }
    freeReplyObject(reply);
    if (version)
        *version = v;
    return doc;
}

static long long
s_integer(pacta_store_t *store, const char *command, const char *key)
{
    redisReply *reply = NULL;
    cr_assert_eq(pacta_store_command_strs(store, &reply, command, key, NULL), 0);
    long long value = reply->type == REDIS_REPLY_INTEGER ? reply->integer : -1;
    freeReplyObject(reply);
    return value;
}

long long
sf_xlen(pacta_store_t *store, const char *key)
{
    return s_integer(store, "XLEN", key);
}

long long
sf_hlen(pacta_store_t *store, const char *key)
{
    return s_integer(store, "HLEN", key);
}

bool
sf_exists(pacta_store_t *store, const char *key)
{
    return s_integer(store, "EXISTS", key) == 1;
}

long long
sf_count_keys(pacta_store_t *store, const char *pattern)
{
    long long count = 0;
    char cursor[32] = "0";
    do {
        redisReply *reply = NULL;
        cr_assert_eq(pacta_store_command_strs(store, &reply, "SCAN", cursor, "MATCH", pattern, "COUNT", "1000", NULL),
                     0);
        cr_assert_eq(reply->type, REDIS_REPLY_ARRAY);
        snprintf(cursor, sizeof cursor, "%s", reply->element[0]->str);
        count += (long long) reply->element[1]->elements;
        freeReplyObject(reply);
    } while (strcmp(cursor, "0") != 0);
    return count;
}

json_t *
sf_audit(pacta_store_t *store, const char *key)
{
    redisReply *reply = NULL;
    cr_assert_eq(pacta_store_command_strs(store, &reply, "XRANGE", key, "-", "+", NULL), 0);
    json_t *entries = json_array();
    for (size_t i = 0; reply->type == REDIS_REPLY_ARRAY && i < reply->elements; i++) {
        const redisReply *fields = reply->element[i]->element[1];
        json_t *entry = json_object();
        for (size_t k = 0; k + 1 < fields->elements; k += 2)
            json_object_set_new(entry, fields->element[k]->str,
                                json_stringn(fields->element[k + 1]->str, fields->element[k + 1]->len));
        json_array_append_new(entries, entry);
    }
    freeReplyObject(reply);
    return entries;
}

json_t *
sf_audit_find(json_t *entries, const char *field, const char *value)
{
    size_t index;
    json_t *entry;
    json_array_foreach(entries, index, entry) {
        const char *text = json_string_value(json_object_get(entry, field));
        if (text && strcmp(text, value) == 0)
            return entry;
    }
    return NULL;
}

int64_t
sf_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
sf_sleep_ms(int ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long) (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* ---- child processes -------------------------------------------------------------- */

#define CHILDREN_MAX 16

static int s_children[CHILDREN_MAX];

static const char *
s_workdir(void)
{
    const char *base = getenv("PACTA_TEST_WORKDIR");
    if (!base || !*base)
        base = getenv("TMPDIR");
    return base && *base ? base : "/tmp";
}

void
sf_spawn(sf_proc_t *proc, const char *name, char *const argv[], char *const env[])
{
    memset(proc, 0, sizeof *proc);
    snprintf(proc->name, sizeof proc->name, "%s", name);
    snprintf(proc->log_path, sizeof proc->log_path, "%.500s/%s-%.60s.log", s_workdir(), sf_tenant(), name);
    int fd = open(proc->log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    cr_assert_geq(fd, 0, "cannot open %s", proc->log_path);
    pid_t pid = fork();
    cr_assert_geq(pid, 0, "fork");
    if (pid == 0) {
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        close(fd);
        extern char **environ;
        for (char **e = environ; e && *e;) {
            if (strncmp(*e, "PACTA_", 6) == 0) {
                char key[256];
                const char *eq = strchr(*e, '=');
                snprintf(key, sizeof key, "%.*s", (int) (eq ? eq - *e : (long) strlen(*e)), *e);
                unsetenv(key);
                continue;
            }
            e++;
        }
        for (size_t i = 0; env && env[i]; i++)
            putenv(env[i]);
        execv(argv[0], argv);
        _exit(127);
    }
    close(fd);
    proc->pid = pid;
    for (size_t i = 0; i < CHILDREN_MAX; i++)
        if (s_children[i] == 0) {
            s_children[i] = pid;
            break;
        }
}

static void
s_forget(int pid)
{
    for (size_t i = 0; i < CHILDREN_MAX; i++)
        if (s_children[i] == pid)
            s_children[i] = 0;
}

int
sf_stop(sf_proc_t *proc, int sig, int timeout_ms)
{
    if (proc->pid <= 0)
        return -1;
    kill(proc->pid, sig);
    int64_t deadline = sf_now_ms() + timeout_ms;
    int status = 0;
    int code = -1;
    while (true) {
        pid_t done = waitpid(proc->pid, &status, WNOHANG);
        if (done == proc->pid) {
            code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            break;
        }
        if (sf_now_ms() >= deadline) {
            kill(proc->pid, SIGKILL);
            waitpid(proc->pid, NULL, 0);
            break;
        }
        sf_sleep_ms(20);
    }
    s_forget(proc->pid);
    proc->pid = 0;
    return code;
}

void
sf_cleanup_all(void)
{
    for (size_t i = 0; i < CHILDREN_MAX; i++)
        if (s_children[i] > 0) {
            kill(s_children[i], SIGKILL);
            waitpid(s_children[i], NULL, 0);
            s_children[i] = 0;
        }
}

/* The whole log, malloc'd (caller frees), or NULL. */
static char *
s_read_log(const sf_proc_t *proc)
{
    FILE *file = fopen(proc->log_path, "r");
    if (!file)
        return NULL;
    size_t size = 0, cap = 4096;
    char *text = malloc(cap);
    size_t got;
    while (text && (got = fread(text + size, 1, cap - size - 1, file)) > 0) {
        size += got;
        if (cap - size - 1 == 0) {
            char *bigger = realloc(text, cap * 2);
            if (!bigger) {
                free(text);
                text = NULL;
                break;
            }
            text = bigger;
            cap *= 2;
        }
    }
    fclose(file);
    if (text)
        text[size] = '\0';
    return text;
}

bool
sf_wait_log(sf_proc_t *proc, const char *needle, int timeout_ms)
{
    int64_t deadline = sf_now_ms() + timeout_ms;
    while (sf_now_ms() < deadline) {
        char *text = s_read_log(proc);
        bool found = text && strstr(text, needle);
        free(text);
        if (found)
            return true;
        sf_sleep_ms(20);
    }
    return false;
}

/* Copies the string value of "key":"..." found after from. */
static bool
s_json_value(const char *from, const char *key, char *out, size_t size)
{
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\":\"", key);
    const char *start = strstr(from, pattern);
    if (!start)
        return false;
    start += strlen(pattern);
    const char *end = strchr(start, '"');
    if (!end)
        return false;
    snprintf(out, size, "%.*s", (int) (end - start), start);
    return true;
}

void
sf_bus_start(sf_proc_t *proc, char *frontend, size_t frontend_size, char *backend, size_t backend_size)
{
    char binary[600];
    snprintf(binary, sizeof binary, "%s/services/bus/pacta-bus", PACTA_BINARY_DIR);
    char *argv[] = {binary, (char *) "--bus-frontend=tcp://127.0.0.1:*", (char *) "--bus-backend=tcp://127.0.0.1:*",
                    (char *) "--http-addr=127.0.0.1:0", NULL};
    sf_spawn(proc, "bus", argv, NULL);
    cr_assert(sf_wait_log(proc, "\"msg\":\"listening\"", 10000), "the bus did not start (log %s)", proc->log_path);
    char *text = s_read_log(proc);
    cr_assert_not_null(text);
    const char *line = strstr(text, "\"msg\":\"listening\"");
    bool ok = s_json_value(line, "frontend", frontend, frontend_size)
              && s_json_value(line, "backend", backend, backend_size);
    free(text);
    cr_assert(ok, "the bus log names its endpoints (%s)", proc->log_path);
}
