/*  Process-level tests of the five service binaries: each one is started as
    a real process against the test Redis, answers --help and --version,
    refuses bad configuration and bad profiles with a message naming the
    culprit, serves /healthz and /metrics, and stops cleanly on SIGTERM. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define OUTPUT_MAX 65536

typedef struct {
    char name[32];      /* service directory name */
} service_row_t;

static service_row_t s_services[] = {
    {"contracts"}, {"invoicing"}, {"enforcement"}, {"notifications"}, {"gdpr-retention"},
};

//  A child process with its stdout+stderr captured through a pipe.
typedef struct {
    pid_t pid;              /* child */
    int fd;                 /* read end of its output */
    char output[OUTPUT_MAX];/* everything read so far, NUL-terminated */
    size_t len;             /* bytes in output */
} child_t;

static const char *
s_redis_url(void)
{
    const char *url = getenv("PACTA_TEST_REDIS_URL");
    cr_assert(url && *url, "PACTA_TEST_REDIS_URL is not set: run the tests through scripts/test.sh");
    return url;
}

static void
s_binary(const char *service, char *buf, size_t size)
{
    snprintf(buf, size, "%s/services/%s/pacta-%s", PACTA_BINARY_DIR, service, service);
}

//  Starts binary with argv and extra environment entries (NULL-terminated).
static void
s_spawn(child_t *child, const char *binary, char *const argv[], char *const extra_env[])
{
    int fds[2];
    cr_assert_eq(pipe(fds), 0);
    memset(child, 0, sizeof *child);
    child->pid = fork();
    cr_assert_neq(child->pid, -1);
    if (child->pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        dup2(fds[1], STDERR_FILENO);
        close(fds[0]);
        close(fds[1]);
        //  A clean environment: only what the test sets, so a developer's own
        //  PACTA_* variables never leak in.
        static const char *const keep[] = {"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS", NULL};
        char *kept[3] = {NULL, NULL, NULL};
        for (int i = 0; keep[i]; i++)
            if (getenv(keep[i]))
                kept[i] = strdup(getenv(keep[i]));
        clearenv();
        for (int i = 0; keep[i]; i++)
            if (kept[i])
                setenv(keep[i], kept[i], 1);
        for (char **env = extra_env ? (char **) extra_env : NULL; env && *env; env++)
            putenv(*env);
        execv(binary, argv);
        _exit(127);
    }
    close(fds[1]);
    child->fd = fds[0];
    fcntl(child->fd, F_SETFL, O_NONBLOCK);
}

//  Reads what the child wrote, waiting at most timeout_ms for `needle` to
//  appear (or for EOF when needle is NULL). True if found / EOF reached.
static bool
s_read_until(child_t *child, const char *needle, int timeout_ms)
{
    const int step = 50;
    for (int waited = 0; waited <= timeout_ms; waited += step) {
        for (;;) {
            if (child->len + 1 >= sizeof child->output)
                return needle ? strstr(child->output, needle) != NULL : false;
            const ssize_t n = read(child->fd, child->output + child->len, sizeof child->output - 1 - child->len);
            if (n > 0) {
                child->len += (size_t) n;
                child->output[child->len] = '\0';
                continue;
            }
            if (n == 0 && !needle)
                return true;
            if (n == 0)
                return strstr(child->output, needle) != NULL;
            break; /* EAGAIN */
        }
        if (needle && strstr(child->output, needle))
            return true;
        poll(NULL, 0, step);
    }
    return false;
}

//  Waits for the child to exit (at most timeout_ms) and returns its exit
//  code, or -1 on a signal / timeout (the child is then killed).
static int
s_wait_exit(child_t *child, int timeout_ms)
{
    for (int waited = 0; waited <= timeout_ms; waited += 20) {
        int status;
        const pid_t done = waitpid(child->pid, &status, WNOHANG);
        if (done == child->pid) {
            s_read_until(child, NULL, 500);
            close(child->fd);
            return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        }
        poll(NULL, 0, 20);
        s_read_until(child, "\x01", 0); /* drain so the child never blocks on a full pipe */
    }
    kill(child->pid, SIGKILL);
    waitpid(child->pid, NULL, 0);
    close(child->fd);
    return -1;
}

static int
s_run(const char *service, char *const argv[], char *const env[], child_t *child)
{
    char binary[512];
    s_binary(service, binary, sizeof binary);
    s_spawn(child, binary, argv, env);
    return s_wait_exit(child, 10000);
}

//  Minimal HTTP/1.0 GET on 127.0.0.1:port; returns the status code and
//  copies the body.
static int
s_http_get(int port, const char *path, char *body, size_t body_size)
{
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    cr_assert_geq(fd, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t) port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    cr_assert_eq(connect(fd, (struct sockaddr *) &addr, sizeof addr), 0, "connect to port %d: %s", port,
                 strerror(errno));
    char request[256];
    const int len = snprintf(request, sizeof request, "GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n", path);
    cr_assert_eq(write(fd, request, (size_t) len), len);
    static char response[OUTPUT_MAX];
    size_t total = 0;
    ssize_t n;
    while ((n = read(fd, response + total, sizeof response - 1 - total)) > 0)
        total += (size_t) n;
    response[total] = '\0';
    close(fd);
    int status = 0;
    cr_assert_eq(sscanf(response, "HTTP/1.%*d %d", &status), 1, "HTTP response: %s", response);
    const char *start = strstr(response, "\r\n\r\n");
    snprintf(body, body_size, "%s", start ? start + 4 : "");
    return status;
}

//  ---------------------------------------------------------------------------

ParameterizedTestParameters(services, help_and_version)
{
    return cr_make_param_array(service_row_t, s_services, sizeof s_services / sizeof s_services[0]);
}
ParameterizedTest(service_row_t *row, services, help_and_version, .timeout = 30)
{
    child_t child;
    char *help_argv[] = {"svc", "--help", NULL};
    cr_assert_eq(s_run(row->name, help_argv, NULL, &child), 0, "%s --help exits 0:\n%s", row->name, child.output);
    cr_assert(strstr(child.output, "PACTA_REDIS_URL"), "--help lists the environment variables");
    cr_assert(strstr(child.output, "--http-addr"), "--help lists the flags");
    cr_assert(strstr(child.output, "PACTA_PROFILE_DIR"));

    char *version_argv[] = {"svc", "--version", NULL};
    cr_assert_eq(s_run(row->name, version_argv, NULL, &child), 0);
    cr_assert(strstr(child.output, row->name), "--version names the service: %s", child.output);
    cr_assert(strstr(child.output, PACTA_VERSION), "--version prints the version: %s", child.output);

    char *bad_argv[] = {"svc", "--no-such-flag", NULL};
    cr_assert_eq(s_run(row->name, bad_argv, NULL, &child), 2, "unknown flag exits 2");
    cr_assert(strstr(child.output, "--no-such-flag"), "the error names the flag: %s", child.output);
}

ParameterizedTestParameters(services, refuses_bad_profile)
{
    return cr_make_param_array(service_row_t, s_services, sizeof s_services / sizeof s_services[0]);
}
ParameterizedTest(service_row_t *row, services, refuses_bad_profile, .timeout = 30)
{
    //  A profile directory holding one profile with a negative payment term.
    char dir[] = "/tmp/pacta-badprofile-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char source[512], target[600], line[1024];
    snprintf(source, sizeof source, "%s/deploy/profiles/capconnect.yaml", PACTA_SOURCE_DIR);
    snprintf(target, sizeof target, "%s/capconnect.yaml", dir);
    FILE *in = fopen(source, "r");
    FILE *out = fopen(target, "w");
    cr_assert(in && out);
    int replaced = 0, line_no = 0, bad_line = 0;
    while (fgets(line, sizeof line, in)) {
        line_no++;
        char *key = strstr(line, "due_calendar_days:");
        if (key && !replaced && (key == line || key[-1] == ' ')) {
            snprintf(key + strlen("due_calendar_days:"), sizeof line - (size_t) (key - line) - 18, " -7\n");
            replaced = 1;
            bad_line = line_no;
        }
        fputs(line, out);
    }
    fclose(in);
    fclose(out);
    cr_assert(replaced, "the shipped capconnect profile has a due_calendar_days key");

    char env_profile[700], env_redis[600];
    snprintf(env_profile, sizeof env_profile, "PACTA_PROFILE_DIR=%s", dir);
    snprintf(env_redis, sizeof env_redis, "PACTA_REDIS_URL=%s", s_redis_url());
    char *env[] = {env_profile, env_redis, "PACTA_HTTP_ADDR=127.0.0.1:0", NULL};
    char *argv[] = {"svc", NULL};
    child_t child;
    cr_assert_eq(s_run(row->name, argv, env, &child), 1, "a bad profile refuses the start:\n%s", child.output);
    char where[700];
    snprintf(where, sizeof where, "capconnect.yaml:%d", bad_line);
    cr_assert(strstr(child.output, where), "the error names file and line %s:\n%s", where, child.output);
    cr_assert(strstr(child.output, "due_calendar_days"), "the error names the key:\n%s", child.output);
    unlink(target);
    rmdir(dir);
}

ParameterizedTestParameters(services, serves_health_and_stops_on_sigterm)
{
    return cr_make_param_array(service_row_t, s_services, sizeof s_services / sizeof s_services[0]);
}
ParameterizedTest(service_row_t *row, services, serves_health_and_stops_on_sigterm, .timeout = 60)
{
    char env_profile[600], env_redis[600];
    snprintf(env_profile, sizeof env_profile, "PACTA_PROFILE_DIR=%s/deploy/profiles", PACTA_SOURCE_DIR);
    snprintf(env_redis, sizeof env_redis, "PACTA_REDIS_URL=%s", s_redis_url());
    char *env[] = {env_profile, env_redis, "PACTA_HTTP_ADDR=127.0.0.1:0", "PACTA_CLOCK=test", NULL};
    char binary[512];
    s_binary(row->name, binary, sizeof binary);
    char *argv[] = {binary, "--log-level", "debug", NULL};
    child_t child;
    s_spawn(&child, binary, argv, env);
    cr_assert(s_read_until(&child, "\"msg\":\"started\"", 15000), "%s starts:\n%s", row->name, child.output);

    //  Every line is one JSON object.
    for (const char *line = child.output; *line; ) {
        const char *end = strchr(line, '\n');
        cr_assert_not_null(end, "every log line ends with a newline");
        cr_assert_eq(*line, '{', "log line is JSON: %.*s", (int) (end - line), line);
        cr_assert_eq(end[-1], '}', "log line is JSON: %.*s", (int) (end - line), line);
        line = end + 1;
    }

    const char *listening = strstr(child.output, "\"msg\":\"http endpoint listening\"");
    cr_assert_not_null(listening);
    const char *port_field = strstr(listening, "\"port\":\"");
    cr_assert_not_null(port_field, "the listening line carries the port: %s", child.output);
    const int port = (int) strtol(port_field + 8, NULL, 10);
    cr_assert_gt(port, 0);

    char body[OUTPUT_MAX];
    int status = 0;
    for (int attempt = 0; attempt < 50; attempt++) {
        status = s_http_get(port, "/healthz", body, sizeof body);
        if (status == 200)
            break;
        poll(NULL, 0, 100);
    }
    cr_assert_eq(status, 200, "/healthz: %s", body);
    cr_assert(strstr(body, "\"status\":\"ok\""), "/healthz body: %s", body);

    cr_assert_eq(s_http_get(port, "/metrics", body, sizeof body), 200);
    char expected[128];
    snprintf(expected, sizeof expected, "pacta_up{service=\"%s\"} 1", row->name);
    cr_assert(strstr(body, expected), "/metrics has %s:\n%s", expected, body);
    cr_assert(strstr(body, "# TYPE pacta_ticks_total counter"), "/metrics:\n%s", body);

    cr_assert_eq(s_http_get(port, "/nope", body, sizeof body), 404);

    cr_assert_eq(kill(child.pid, SIGTERM), 0);
    const int code = s_wait_exit(&child, 10000);
    cr_assert_eq(code, 0, "clean exit on SIGTERM:\n%s", child.output);
    cr_assert(strstr(child.output, "\"msg\":\"stopped\""), "logs that it stopped:\n%s", child.output);
}
