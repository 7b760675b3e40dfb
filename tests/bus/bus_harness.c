/*  =========================================================================
    bus_harness - process, log, HTTP and Redis helpers for the bus tests

    The bus tests run real processes (pacta-bus, pacta-bus-counter) next
    to the test process, which plays producer. Their output goes to files
    so a chatty child can never block on a full pipe, and a test reads
    them to learn ports and to wait for events instead of sleeping.

    Design decision: every child is registered in a small table and killed
    by bh_cleanup_all(), which each suite calls from its .fini, so a failed
    assertion never leaves a process behind to disturb the next suite.
    =========================================================================
*/
#include "bus_harness.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CHILDREN 32
#define LOG_READ_MAX (8 * 1024 * 1024)

static pid_t s_children[MAX_CHILDREN];
static char s_workdir[BH_PATH_MAX];
static char s_unique[32];

int64_t
bh_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
bh_sleep_ms(int ms)
{
    poll(NULL, 0, ms);
}

const char *
bh_unique(void)
{
    if (!s_unique[0])
        snprintf(s_unique, sizeof s_unique, "t%ld-%lld", (long) getpid(), (long long) (bh_now_ms() % 100000));
    return s_unique;
}

const char *
bh_workdir(void)
{
    if (!s_workdir[0]) {
        const char *base = getenv("PACTA_TEST_WORKDIR");
        if (!base || !*base)
            base = getenv("TMPDIR");
        if (!base || !*base)
            base = "/tmp";
        snprintf(s_workdir, sizeof s_workdir, "%s/bus-%s-XXXXXX", base, bh_unique());
        cr_assert_not_null(mkdtemp(s_workdir), "cannot create a work directory: %s", strerror(errno));
    }
    return s_workdir;
}

const char *
bh_redis_url(void)
{
    const char *url = getenv("PACTA_TEST_REDIS_URL");
    cr_assert(url && *url, "PACTA_TEST_REDIS_URL is not set: run the tests through scripts/test.sh");
    return url;
}

void
bh_binary(const char *name, char *buf, size_t size)
{
    snprintf(buf, size, "%s/services/bus/%s", PACTA_BINARY_DIR, name);
}

void
bh_write_file(const char *name, const char *text, char *path_out, size_t size)
{
    snprintf(path_out, size, "%s/%s", bh_workdir(), name);
    FILE *file = fopen(path_out, "w");
    cr_assert_not_null(file, "cannot write %s", path_out);
    fputs(text, file);
    fclose(file);
}

/* ---------------------------------------------------------------------------
   Processes
   ------------------------------------------------------------------------ */

static void
s_register(pid_t pid)
{
    for (int i = 0; i < MAX_CHILDREN; i++)
        if (s_children[i] == 0) {
            s_children[i] = pid;
            return;
        }
}

static void
s_unregister(pid_t pid)
{
    for (int i = 0; i < MAX_CHILDREN; i++)
        if (s_children[i] == pid)
            s_children[i] = 0;
}

void
bh_spawn(bh_proc_t *proc, const char *name, char *const argv[], char *const env[])
{
    memset(proc, 0, sizeof *proc);
    snprintf(proc->name, sizeof proc->name, "%s", name);
    int written = snprintf(proc->log_path, sizeof proc->log_path, "%s/%s.log", bh_workdir(), name);
    for (int n = 2; access(proc->log_path, F_OK) == 0; n++)
        written = snprintf(proc->log_path, sizeof proc->log_path, "%s/%s.%d.log", bh_workdir(), name, n);
    cr_assert_lt(written, (int) sizeof proc->log_path, "log path too long for %s", name);
    int fd = open(proc->log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    cr_assert_geq(fd, 0, "cannot create %s", proc->log_path);
    pid_t pid = fork();
    cr_assert_neq(pid, -1, "fork failed");
    if (pid == 0) {
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        close(fd);
        /* A clean PACTA_* environment: a developer's own settings must not
           leak into the bus or the instances. */
        extern char **environ;
        for (char **e = environ; e && *e;) {
            if (strncmp(*e, "PACTA_", 6) == 0) {
                char key[256];
                const char *eq = strchr(*e, '=');
                size_t len = eq ? (size_t) (eq - *e) : strlen(*e);
                snprintf(key, sizeof key, "%.*s", (int) len, *e);
                unsetenv(key);
                continue;   /* environ shifted */
            }
            e++;
        }
        for (char *const *entry = env; entry && *entry; entry++)
            putenv(*entry);
        execv(argv[0], argv);
        _exit(127);
    }
    close(fd);
    proc->pid = pid;
    s_register(pid);
}

/* Reads the whole log (capped) into a malloc'd string. */
static char *
s_read_log(const bh_proc_t *proc)
{
    FILE *file = fopen(proc->log_path, "rb");
    if (!file)
        return NULL;
    char *text = malloc(LOG_READ_MAX + 1);
    size_t len = text ? fread(text, 1, LOG_READ_MAX, file) : 0;
    fclose(file);
    if (!text)
        return NULL;
    text[len] = '\0';
    return text;
}

bool
bh_wait_log(bh_proc_t *proc, const char *needle, int timeout_ms)
{
    int64_t deadline = bh_now_ms() + timeout_ms;
    do {
        char *text = s_read_log(proc);
        bool found = text && strstr(text, needle);
        free(text);
        if (found)
            return true;
        bh_sleep_ms(20);
    } while (bh_now_ms() < deadline);
    return false;
}

int
bh_count_log(bh_proc_t *proc, const char *needle)
{
    char *text = s_read_log(proc);
    int count = 0;
    for (const char *p = text; p && (p = strstr(p, needle)); p += strlen(needle))
        count++;
    free(text);
    return count;
}

bool
bh_log_value(bh_proc_t *proc, const char *needle, const char *key, char *out, size_t size)
{
    char *text = s_read_log(proc);
    if (!text)
        return false;
    const char *from = text;
    if (needle) {
        const char *last = NULL;
        for (const char *p = text; (p = strstr(p, needle)); p++)
            last = p;
        if (!last) {
            free(text);
            return false;
        }
        from = last;
    }
    char pattern[128];
    snprintf(pattern, sizeof pattern, "\"%s\":", key);
    const char *hit = strstr(from, pattern);
    bool ok = false;
    if (hit) {
        const char *v = hit + strlen(pattern);
        bool quoted = *v == '"';
        if (quoted)
            v++;
        size_t n = 0;
        while (v[n] && (quoted ? v[n] != '"' : (v[n] != ',' && v[n] != '}')) && n + 1 < size)
            n++;
        memcpy(out, v, n);
        out[n] = '\0';
        ok = true;
    }
    free(text);
    return ok;
}

bool
bh_alive(bh_proc_t *proc)
{
    if (proc->pid <= 0)
        return false;
    int status;
    pid_t done = waitpid(proc->pid, &status, WNOHANG);
    if (done == proc->pid) {
        s_unregister(proc->pid);
        proc->pid = 0;
        return false;
    }
    return true;
}

int
bh_stop(bh_proc_t *proc, int sig, int timeout_ms)
{
    if (proc->pid <= 0)
        return -1;
    kill(proc->pid, sig);
    int64_t deadline = bh_now_ms() + timeout_ms;
    for (;;) {
        int status;
        pid_t done = waitpid(proc->pid, &status, WNOHANG);
        if (done == proc->pid) {
            s_unregister(proc->pid);
            proc->pid = 0;
            if (WIFEXITED(status))
                return WEXITSTATUS(status);
            return 128 + WTERMSIG(status);
        }
        if (bh_now_ms() >= deadline)
            break;
        bh_sleep_ms(10);
    }
    kill(proc->pid, SIGKILL);
    waitpid(proc->pid, NULL, 0);
    s_unregister(proc->pid);
    proc->pid = 0;
    return -1;
}

void
bh_kill9(bh_proc_t *proc)
{
    if (proc->pid <= 0)
        return;
    kill(proc->pid, SIGKILL);
    waitpid(proc->pid, NULL, 0);
    s_unregister(proc->pid);
    proc->pid = 0;
}

void
bh_cleanup_all(void)
{
    for (int i = 0; i < MAX_CHILDREN; i++)
        if (s_children[i] > 0) {
            kill(s_children[i], SIGKILL);
            waitpid(s_children[i], NULL, 0);
            s_children[i] = 0;
        }
}

/* ---------------------------------------------------------------------------
   The bus and its instances
   ------------------------------------------------------------------------ */

void
bh_bus_start(bh_bus_t *bus, const char *frontend, const char *backend, const char *const *extra_args,
             char *const env[])
{
    char binary[BH_PATH_MAX];
    bh_binary("pacta-bus", binary, sizeof binary);
    char frontend_arg[200], backend_arg[200];
    snprintf(frontend_arg, sizeof frontend_arg, "--bus-frontend=%s", frontend);
    snprintf(backend_arg, sizeof backend_arg, "--bus-backend=%s", backend);
    char *argv[64] = {binary, frontend_arg, backend_arg, (char *) "--http-addr=127.0.0.1:0"};
    int argc = 4;
    for (size_t i = 0; extra_args && extra_args[i] && argc < 63; i++)
        argv[argc++] = (char *) extra_args[i];
    argv[argc] = NULL;
    bh_spawn(&bus->proc, "bus", argv, env);
    cr_assert(bh_wait_log(&bus->proc, "\"msg\":\"listening\"", 10000), "the bus did not start (log %s)",
              bus->proc.log_path);
    char port[16];
    cr_assert(bh_log_value(&bus->proc, "\"msg\":\"listening\"", "frontend", bus->frontend, sizeof bus->frontend));
    cr_assert(bh_log_value(&bus->proc, "\"msg\":\"listening\"", "backend", bus->backend, sizeof bus->backend));
    cr_assert(bh_log_value(&bus->proc, "\"msg\":\"listening\"", "http_port", port, sizeof port));
    bus->http_port = (int) strtol(port, NULL, 10);
}

void
bh_counter_start(bh_proc_t *proc, bh_bus_t *bus, const char *service_class, const char *instance_id,
                 const char *types, const char *const *extra_args)
{
    char binary[BH_PATH_MAX];
    bh_binary("pacta-bus-counter", binary, sizeof binary);
    char url[200], klass[100], id[100], types_arg[400], redis[BH_PATH_MAX + 20];
    snprintf(url, sizeof url, "--bus-instance-url=%s", bus->backend);
    snprintf(klass, sizeof klass, "--service-class=%s", service_class);
    snprintf(id, sizeof id, "--instance-id=%s", instance_id);
    snprintf(types_arg, sizeof types_arg, "--types=%s", types);
    snprintf(redis, sizeof redis, "--redis-url=%s", bh_redis_url());
    char *argv[64] = {binary, url, klass, id, types_arg, redis};
    int argc = 6;
    for (size_t i = 0; extra_args && extra_args[i] && argc < 63; i++)
        argv[argc++] = (char *) extra_args[i];
    argv[argc] = NULL;
    char name[80];
    snprintf(name, sizeof name, "counter-%s", instance_id);
    char needle[200];
    snprintf(needle, sizeof needle, "\"msg\":\"instance registered\",\"class\":\"%s\",\"instance\":\"%s\"",
             service_class, instance_id);
    int before = bh_count_log(&bus->proc, needle);   /* counted before the start: it may register at once */
    bh_spawn(proc, name, argv, NULL);
    int64_t deadline = bh_now_ms() + 10000;
    while (bh_count_log(&bus->proc, needle) <= before && bh_now_ms() < deadline)
        bh_sleep_ms(20);
    cr_assert_gt(bh_count_log(&bus->proc, needle), before, "instance %s did not register (logs %s, %s)", instance_id,
                 proc->log_path, bus->proc.log_path);
}

/* ---------------------------------------------------------------------------
   HTTP
   ------------------------------------------------------------------------ */

int
bh_http_get(int port, const char *path, char *body, size_t size)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t) port)};
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    if (connect(fd, (struct sockaddr *) &addr, sizeof addr) != 0) {
        close(fd);
        return -1;
    }
    char request[256];
    int n = snprintf(request, sizeof request, "GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n", path);
    if (write(fd, request, (size_t) n) != n) {
        close(fd);
        return -1;
    }
    static char response[1 << 20];
    size_t len = 0;
    ssize_t got;
    while (len + 1 < sizeof response && (got = read(fd, response + len, sizeof response - 1 - len)) > 0)
        len += (size_t) got;
    close(fd);
    response[len] = '\0';
    int status = -1;
    if (sscanf(response, "HTTP/1.%*d %d", &status) != 1)
        return -1;
    const char *start = strstr(response, "\r\n\r\n");
    snprintf(body, size, "%s", start ? start + 4 : "");
    return status;
}

double
bh_metric(int port, const char *series)
{
    static char body[1 << 20];
    if (bh_http_get(port, "/metrics", body, sizeof body) != 200)
        return -1;
    size_t len = strlen(series);
    for (const char *line = body; line && *line;) {
        if (strncmp(line, series, len) == 0 && line[len] == ' ')
            return strtod(line + len + 1, NULL);
        line = strchr(line, '\n');
        if (line)
            line++;
    }
    return -1;
}

/* ---------------------------------------------------------------------------
   Envelopes and Redis
   ------------------------------------------------------------------------ */

Pacta__V1__Envelope *
bh_envelope(const char *tenant, const char *type, const char *entity_key, const char *message_id, size_t payload_len)
{
    Pacta__V1__Envelope *envelope = malloc(sizeof *envelope);
    cr_assert_not_null(envelope);
    pacta__v1__envelope__init(envelope);
    envelope->message_id = strdup(message_id);
    envelope->tenant = strdup(tenant);
    envelope->message_type = strdup(type);
    envelope->entity_key = strdup(entity_key);
    envelope->producer = strdup("test");
    envelope->destination = strdup("");
    envelope->causation_id = strdup("");
    envelope->correlation_id = strdup(message_id);
    envelope->schema_version = 1;
    envelope->kind = PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_EVENT;
    envelope->occurred_at_ms = 1700000000000;
    envelope->payload.len = payload_len;
    envelope->payload.data = malloc(payload_len > 0 ? payload_len : 1);
    cr_assert_not_null(envelope->payload.data);
    for (size_t i = 0; i < payload_len; i++)
        envelope->payload.data[i] = (uint8_t) ('a' + i % 26);
    return envelope;
}

void
bh_envelope_free(Pacta__V1__Envelope *envelope)
{
    if (!envelope)
        return;
    free(envelope->message_id);
    free(envelope->tenant);
    free(envelope->message_type);
    free(envelope->entity_key);
    free(envelope->producer);
    free(envelope->destination);
    free(envelope->causation_id);
    free(envelope->correlation_id);
    free(envelope->payload.data);
    free(envelope);
}

pacta_store_t *
bh_store(void)
{
    char err[512];
    pacta_store_options_t options = {.url = bh_redis_url(), .client_name = "bus-test"};
    pacta_store_t *store = pacta_store_new(&options, err, sizeof err);
    cr_assert_not_null(store, "%s", err);
    cr_assert_eq(pacta_store_connect(store), 0, "redis unreachable: %s", pacta_store_error(store));
    return store;
}

long long
bh_hget_int(pacta_store_t *store, const char *key, const char *field)
{
    redisReply *reply = NULL;
    cr_assert_eq(pacta_store_command_strs(store, &reply, "HGET", key, field, NULL), 0, "%s", pacta_store_error(store));
    long long value = reply->type == REDIS_REPLY_STRING ? strtoll(reply->str, NULL, 10) : 0;
    freeReplyObject(reply);
    return value;
}

long long
bh_hlen(pacta_store_t *store, const char *key)
{
    redisReply *reply = NULL;
    cr_assert_eq(pacta_store_command_strs(store, &reply, "HLEN", key, NULL), 0, "%s", pacta_store_error(store));
    long long value = reply->type == REDIS_REPLY_INTEGER ? reply->integer : -1;
    freeReplyObject(reply);
    return value;
}
