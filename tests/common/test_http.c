/*  Tests of pacta_http: a real server on an ephemeral loopback port, talked
    to over a raw TCP socket (so the test sees exactly the bytes sent):
    /healthz 200 and 503 with the failing checks, /metrics, 404, 405, HEAD,
    address parsing and a busy port. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <jansson.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "pacta_http.h"
#include "pacta_metrics.h"

typedef struct {
    int status;          /* HTTP status code */
    char headers[4096];  /* raw header block */
    char *body;          /* body, NUL-terminated, owned */
    size_t body_len;     /* body length */
} response_t;

/* Sends one raw HTTP/1.0 request to 127.0.0.1:port and reads to EOF. */
static void
s_request(uint16_t port, const char *method, const char *path, const char *extra, response_t *out)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    cr_assert_geq(fd, 0);
    struct timeval tv = {.tv_sec = 5};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    cr_assert_eq(connect(fd, (struct sockaddr *) &addr, sizeof addr), 0, "connect to port %u", port);
    char request[1024];
    int n = snprintf(request, sizeof request, "%s %s HTTP/1.0\r\nHost: 127.0.0.1\r\n%s\r\n", method, path,
                     extra ? extra : "");
    cr_assert_eq(write(fd, request, (size_t) n), n);
    size_t cap = 65536, len = 0;
    char *raw = malloc(cap + 1);
    cr_assert_not_null(raw);
    for (;;) {
        if (len == cap) {
            cap *= 2;
            raw = realloc(raw, cap + 1);
            cr_assert_not_null(raw);
        }
        ssize_t got = read(fd, raw + len, cap - len);
        cr_assert_geq(got, 0, "read failed or timed out");
        if (got == 0)
            break;
        len += (size_t) got;
    }
    close(fd);
    raw[len] = '\0';
    cr_assert_eq(sscanf(raw, "HTTP/1.%*d %d", &out->status), 1, "bad status line: %.80s", raw);
    char *split = strstr(raw, "\r\n\r\n");
    cr_assert_not_null(split, "no end of headers");
    size_t header_len = (size_t) (split - raw);
    cr_assert_lt(header_len, sizeof out->headers);
    memcpy(out->headers, raw, header_len);
    out->headers[header_len] = '\0';
    out->body_len = len - header_len - 4;
    out->body = malloc(out->body_len + 1);
    cr_assert_not_null(out->body);
    memcpy(out->body, split + 4, out->body_len);
    out->body[out->body_len] = '\0';
    free(raw);
}

/* True if the header block has "name: value" (name case-insensitive). */
static bool
s_has_header(const response_t *r, const char *name, const char *value)
{
    const char *p = r->headers;
    size_t name_len = strlen(name);
    while ((p = strstr(p, "\r\n")) != NULL) {
        p += 2;
        if (strncasecmp(p, name, name_len) == 0 && p[name_len] == ':') {
            const char *v = p + name_len + 1;
            while (*v == ' ')
                v++;
            if (strncmp(v, value, strlen(value)) == 0)
                return true;
        }
    }
    return false;
}

/* ---- fixture: a server with one switchable check ------------------------ */

static pacta_metrics_t *s_metrics;
static pacta_http_t *s_http;
static atomic_int s_redis_ok = 1;

static int
s_check_redis(void *arg, char *detail, size_t detail_size)
{
    cr_assert_eq(arg, &s_redis_ok);
    if (atomic_load(&s_redis_ok))
        return 0;
    snprintf(detail, detail_size, "connection refused \"127.0.0.1:6379\"\n");
    return -1;
}

static int
s_check_always_ok(void *arg, char *detail, size_t detail_size)
{
    (void) arg;
    (void) detail;
    (void) detail_size;
    return 0;
}

static void
s_setup(void)
{
    s_metrics = pacta_metrics_new();
    cr_assert_not_null(s_metrics);
    pacta_metrics_define(s_metrics, "pacta_up", PACTA_METRIC_GAUGE, "1 while running.");
    pacta_metrics_gauge_set(s_metrics, "pacta_up", 1, "service", "httptest", NULL);
    char err[256];
    pacta_http_options_t options = {
        .addr = "127.0.0.1:0", .service = "httptest", .instance = "host-42", .metrics = s_metrics};
    s_http = pacta_http_new(&options, err, sizeof err);
    cr_assert_not_null(s_http, "%s", err);
    cr_assert_eq(pacta_http_port(s_http), 0, "no port before start");
    cr_assert_eq(pacta_http_add_check(s_http, "redis", s_check_redis, &s_redis_ok), 0);
    cr_assert_eq(pacta_http_start(s_http, err, sizeof err), 0, "%s", err);
    cr_assert_gt(pacta_http_port(s_http), 0, "ephemeral port not reported");
}

static void
s_teardown(void)
{
    pacta_http_destroy(&s_http);
    cr_assert_null(s_http);
    pacta_http_destroy(&s_http);
    pacta_metrics_destroy(&s_metrics);
}

TestSuite(http, .init = s_setup, .fini = s_teardown);

Test(http, healthz_ok)
{
    response_t r;
    s_request(pacta_http_port(s_http), "GET", "/healthz", NULL, &r);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_assert(s_has_header(&r, "Content-Type", "application/json"), "%s", r.headers);
    json_error_t error;
    json_t *root = json_loads(r.body, 0, &error);
    cr_assert_not_null(root, "%s: %s", error.text, r.body);
    cr_assert_str_eq(json_string_value(json_object_get(root, "status")), "ok");
    cr_assert_str_eq(json_string_value(json_object_get(root, "service")), "httptest");
    cr_assert_str_eq(json_string_value(json_object_get(root, "instance")), "host-42");
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(root, "checks"), "redis")), "ok");
    json_decref(root);
    free(r.body);
}

Test(http, healthz_503_names_failing_checks)
{
    cr_assert_eq(pacta_http_add_check(s_http, "loop", s_check_always_ok, NULL), 0, "checks can be added live");
    atomic_store(&s_redis_ok, 0);
    response_t r;
    s_request(pacta_http_port(s_http), "GET", "/healthz", NULL, &r);
    cr_assert_eq(r.status, 503, "%s", r.body);
    json_error_t error;
    json_t *root = json_loads(r.body, 0, &error);
    cr_assert_not_null(root, "%s: %s", error.text, r.body);
    cr_assert_str_eq(json_string_value(json_object_get(root, "status")), "fail");
    json_t *checks = json_object_get(root, "checks");
    cr_assert_str_eq(json_string_value(json_object_get(checks, "redis")), "connection refused \"127.0.0.1:6379\"\n");
    cr_assert_str_eq(json_string_value(json_object_get(checks, "loop")), "ok");
    json_decref(root);
    free(r.body);

    atomic_store(&s_redis_ok, 1);
    s_request(pacta_http_port(s_http), "GET", "/healthz", NULL, &r);
    cr_assert_eq(r.status, 200, "recovers: %s", r.body);
    free(r.body);
}

Test(http, metrics_in_text_format)
{
    pacta_metrics_gauge_set(s_metrics, "pacta_up", 0, "service", "httptest", NULL);
    response_t r;
    s_request(pacta_http_port(s_http), "GET", "/metrics", NULL, &r);
    cr_assert_eq(r.status, 200);
    cr_assert(s_has_header(&r, "Content-Type", "text/plain; version=0.0.4"), "%s", r.headers);
    cr_assert_str_eq(r.body, "# HELP pacta_up 1 while running.\n# TYPE pacta_up gauge\n"
                             "pacta_up{service=\"httptest\"} 0\n");
    free(r.body);
}

Test(http, unknown_path_404_and_query_ignored)
{
    response_t r;
    s_request(pacta_http_port(s_http), "GET", "/nope", NULL, &r);
    cr_assert_eq(r.status, 404);
    free(r.body);
    s_request(pacta_http_port(s_http), "GET", "/healthz/extra", NULL, &r);
    cr_assert_eq(r.status, 404);
    free(r.body);
    s_request(pacta_http_port(s_http), "GET", "/metrics?x=1", NULL, &r);
    cr_assert_eq(r.status, 200);
    free(r.body);
}

Test(http, non_get_methods_405)
{
    static const char *const methods[] = {"POST", "PUT", "DELETE", "PATCH"};
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        response_t r;
        s_request(pacta_http_port(s_http), methods[i], "/healthz", "Content-Length: 5\r\n", &r);
        cr_assert_eq(r.status, 405, "%s gave %d", methods[i], r.status);
        cr_assert(s_has_header(&r, "Allow", "GET, HEAD"), "%s", r.headers);
        free(r.body);
    }
}

Test(http, head_has_no_body)
{
    response_t r;
    s_request(pacta_http_port(s_http), "HEAD", "/healthz", NULL, &r);
    cr_assert_eq(r.status, 200);
    cr_assert_eq(r.body_len, 0);
    free(r.body);
}

Test(http, busy_port_is_reported)
{
    char addr[32], err[256];
    snprintf(addr, sizeof addr, "127.0.0.1:%u", (unsigned) pacta_http_port(s_http));
    pacta_http_options_t options = {.addr = addr};
    pacta_http_t *second = pacta_http_new(&options, err, sizeof err);
    cr_assert_not_null(second, "%s", err);
    cr_assert_eq(pacta_http_start(second, err, sizeof err), -1);
    cr_assert_not_null(strstr(err, addr), "%s", err);
    pacta_http_destroy(&second);
}

Test(http, stop_then_port_is_zero)
{
    pacta_http_stop(s_http);
    cr_assert_eq(pacta_http_port(s_http), 0);
    pacta_http_stop(s_http);   /* safe twice */
}

Test(http, address_table)
{
    static const struct {
        const char *addr;
        int rc;
    } cases[] = {
        {"127.0.0.1:8081", 0}, {"0.0.0.0:0", 0},    {"[::1]:9000", 0}, {"localhost:80", 0},
        {"127.0.0.1", -1},     {":8081", -1},       {"127.0.0.1:", -1}, {"127.0.0.1:65536", -1},
        {"127.0.0.1:80a", -1}, {"::1:80", -1},      {"[::1]", -1},      {"", -1},
        {"[]:80", -1},         {"no.such.host.invalid:80", -1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char err[256] = "";
        cr_assert_eq(pacta_http_addr_check(cases[i].addr, err, sizeof err), cases[i].rc, "'%s': %s",
                     cases[i].addr, err);
        if (cases[i].rc != 0)
            cr_assert_str_not_empty(err, "'%s' gave no reason", cases[i].addr);
    }
}
