/*  =========================================================================
    pacta_http - /healthz and /metrics for every process

    Orchestrators (docker compose healthchecks, Kubernetes probes) and
    Prometheus need to reach every instance, including a scaled one whose
    port nobody configured by hand. This is the only inbound socket a
    service opens besides the bus.

    Design decision: libmicrohttpd with its own internal polling thread, so
    probes are answered even while the service's main loop is blocked in a
    slow Redis call -- and /healthz reports that through the checks instead
    of timing out. Everything the HTTP thread touches is therefore
    thread-safe: the metrics registry, the check list (mutex), and the
    checks themselves (callers' contract).
    =========================================================================
*/
#include "pacta_http.h"

#include <arpa/inet.h>
#include <assert.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "pacta_log.h"

#define CHECK_DETAIL_MAX 256     /* longest reason a check may give */
#define CHECK_NAME_MAX 64        /* longest check name */

typedef struct {
    char name[CHECK_NAME_MAX];   /* key in the "checks" object */
    pacta_health_check_fn fn;    /* the callback */
    void *arg;                   /* its argument */
} check_t;

struct pacta_http {
    struct sockaddr_storage addr;   /* where to listen */
    socklen_t addr_len;             /* size of addr */
    char *addr_text;                /* as configured, for messages */
    char *service;                  /* "service" field of /healthz, owned */
    char *instance;                 /* "instance" field of /healthz, owned */
    pacta_metrics_t *metrics;       /* borrowed registry for /metrics */
    struct MHD_Daemon *daemon;      /* running server or NULL */
    uint16_t port;                  /* bound port while running */
    pthread_mutex_t mutex;          /* guards checks */
    check_t *checks;                /* health checks in registration order */
    size_t check_count;             /* used entries */
    size_t check_capacity;          /* allocated entries */
};

/* ---- address ---------------------------------------------------------------- */

static int
s_resolve(const char *addr, struct sockaddr_storage *out, socklen_t *out_len, char *err, size_t err_size)
{
    char host[256];
    const char *port;
    if (!addr || !*addr) {
        snprintf(err, err_size, "empty listen address");
        return -1;
    }
    if (addr[0] == '[') {
        const char *close = strchr(addr, ']');
        if (!close || close[1] != ':') {
            snprintf(err, err_size, "bad address '%s': expected [ipv6]:port", addr);
            return -1;
        }
        size_t len = (size_t) (close - addr - 1);
        if (len == 0 || len >= sizeof host) {
            snprintf(err, err_size, "bad address '%s'", addr);
            return -1;
        }
        memcpy(host, addr + 1, len);
        host[len] = '\0';
        port = close + 2;
    }
    else {
        const char *colon = strrchr(addr, ':');
        if (!colon || strchr(addr, ':') != colon) {
            snprintf(err, err_size, "bad address '%s': expected host:port (IPv6 in brackets)", addr);
            return -1;
        }
        size_t len = (size_t) (colon - addr);
        if (len == 0 || len >= sizeof host) {
            snprintf(err, err_size, "bad address '%s': missing host", addr);
            return -1;
        }
        memcpy(host, addr, len);
        host[len] = '\0';
        port = colon + 1;
    }
    size_t port_len = strlen(port);
    if (port_len == 0 || port_len > 5 || strspn(port, "0123456789") != port_len || strtol(port, NULL, 10) > 65535) {
        snprintf(err, err_size, "bad port in '%s' (0..65535)", addr);
        return -1;
    }
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    struct addrinfo *found = NULL;
    int rc = getaddrinfo(host, port, &hints, &found);
    if (rc != 0 || !found) {
        snprintf(err, err_size, "cannot resolve '%s': %s", host, gai_strerror(rc));
        if (found)
            freeaddrinfo(found);
        return -1;
    }
    memcpy(out, found->ai_addr, found->ai_addrlen);
    *out_len = found->ai_addrlen;
    freeaddrinfo(found);
    return 0;
}

int
pacta_http_addr_check(const char *addr, char *err, size_t err_size)
{
    struct sockaddr_storage ss;
    socklen_t len;
    char scratch[256];
    if (!err) {
        err = scratch;
        err_size = sizeof scratch;
    }
    return s_resolve(addr, &ss, &len, err, err_size);
}

/* ---- construction ------------------------------------------------------------ */

pacta_http_t *
pacta_http_new(const pacta_http_options_t *options, char *err, size_t err_size)
{
    assert(options);
    char scratch[256];
    if (!err) {
        err = scratch;
        err_size = sizeof scratch;
    }
    pacta_http_t *self = calloc(1, sizeof *self);
    if (!self) {
        snprintf(err, err_size, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&self->mutex, NULL);
    if (s_resolve(options->addr, &self->addr, &self->addr_len, err, err_size) != 0)
        goto cleanup;
    self->addr_text = strdup(options->addr);
    self->service = strdup(options->service ? options->service : "pacta");
    self->instance = strdup(options->instance ? options->instance : "");
    if (!self->addr_text || !self->service || !self->instance) {
        snprintf(err, err_size, "out of memory");
        goto cleanup;
    }
    self->metrics = options->metrics;
    return self;

cleanup:
    pacta_http_destroy(&self);
    return NULL;
}

void
pacta_http_destroy(pacta_http_t **self_p)
{
    assert(self_p);
    pacta_http_t *self = *self_p;
    if (!self)
        return;
    pacta_http_stop(self);
    free(self->checks);
    free(self->addr_text);
    free(self->service);
    free(self->instance);
    pthread_mutex_destroy(&self->mutex);
    free(self);
    *self_p = NULL;
}

int
pacta_http_add_check(pacta_http_t *self, const char *name, pacta_health_check_fn fn, void *arg)
{
    assert(self && name && fn);
    int rc = -1;
    pthread_mutex_lock(&self->mutex);
    if (self->check_count == self->check_capacity) {
        size_t capacity = self->check_capacity ? self->check_capacity * 2 : 4;
        check_t *grown = realloc(self->checks, capacity * sizeof *grown);
        if (!grown)
            goto cleanup;
        self->checks = grown;
        self->check_capacity = capacity;
    }
    check_t *check = &self->checks[self->check_count++];
    snprintf(check->name, sizeof check->name, "%s", name);
    check->fn = fn;
    check->arg = arg;
    rc = 0;

cleanup:
    pthread_mutex_unlock(&self->mutex);
    return rc;
}

/* ---- request handling ---------------------------------------------------------- */

static enum MHD_Result
s_send(struct MHD_Connection *connection, unsigned int status, const char *content_type, char *body,
       size_t len, bool allow_header)
{
    /* MUST_FREE: libmicrohttpd frees body with free() when done. */
    struct MHD_Response *response = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    if (!response) {
        free(body);
        return MHD_NO;
    }
    MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    MHD_add_response_header(response, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (allow_header)
        MHD_add_response_header(response, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
    enum MHD_Result rc = MHD_queue_response(connection, status, response);
    MHD_destroy_response(response);
    return rc;
}

static enum MHD_Result
s_send_text(struct MHD_Connection *connection, unsigned int status, const char *text, bool allow_header)
{
    char *body = strdup(text);
    if (!body)
        return MHD_NO;
    return s_send(connection, status, "text/plain; charset=utf-8", body, strlen(body), allow_header);
}

/* Runs every check and builds the /healthz body. The checks are rendered
   first because the status that leads the object depends on them. */
static enum MHD_Result
s_healthz(pacta_http_t *self, struct MHD_Connection *connection)
{
    bool healthy = true;
    char *checks = NULL;
    char *body = NULL;
    pthread_mutex_lock(&self->mutex);
    /* JSON escaping grows a byte to at most 6 ("\u00XX"). */
    size_t checks_size = 16 + self->check_count * (CHECK_NAME_MAX + CHECK_DETAIL_MAX + 8) * 6;
    checks = malloc(checks_size);
    size_t checks_len = 0;
    if (checks) {
        checks[0] = '\0';
        for (size_t i = 0; i < self->check_count; i++) {
            char detail[CHECK_DETAIL_MAX] = "";
            const check_t *check = &self->checks[i];
            int rc = check->fn(check->arg, detail, sizeof detail);
            bool ok = rc >= 0;   /* > 0: informational, shown but not failing */
            detail[sizeof detail - 1] = '\0';
            if (rc > 0 && !detail[0])
                rc = 0;
            if (!ok) {
                healthy = false;
                if (!detail[0])
                    snprintf(detail, sizeof detail, "failing");
            }
            if (i > 0)
                pacta_json_append_raw(checks, checks_size, &checks_len, ",", 1);
            pacta_json_append_string(checks, checks_size, &checks_len, check->name, strlen(check->name));
            pacta_json_append_raw(checks, checks_size, &checks_len, ":", 1);
            if (rc == 0)
                pacta_json_append_raw(checks, checks_size, &checks_len, "\"ok\"", 4);
            else
                pacta_json_append_string(checks, checks_size, &checks_len, detail, strlen(detail));
        }
    }
    pthread_mutex_unlock(&self->mutex);
    if (!checks)
        return MHD_NO;

    size_t size = 128 + (strlen(self->service) + strlen(self->instance)) * 6 + checks_len;
    body = malloc(size);
    if (!body) {
        free(checks);
        return MHD_NO;
    }
    size_t pos = 0;
    const char *status = healthy ? "{\"status\":\"ok\",\"service\":" : "{\"status\":\"fail\",\"service\":";
    pacta_json_append_raw(body, size, &pos, status, strlen(status));
    pacta_json_append_string(body, size, &pos, self->service, strlen(self->service));
    pacta_json_append_raw(body, size, &pos, ",\"instance\":", 12);
    pacta_json_append_string(body, size, &pos, self->instance, strlen(self->instance));
    pacta_json_append_raw(body, size, &pos, ",\"checks\":{", 11);
    pacta_json_append_raw(body, size, &pos, checks, checks_len);
    pacta_json_append_raw(body, size, &pos, "}}\n", 3);
    free(checks);
    return s_send(connection, healthy ? MHD_HTTP_OK : MHD_HTTP_SERVICE_UNAVAILABLE, "application/json", body,
                  pos, false);
}

static enum MHD_Result
s_metrics(pacta_http_t *self, struct MHD_Connection *connection)
{
    if (!self->metrics)
        return s_send_text(connection, MHD_HTTP_NOT_FOUND, "not found\n", false);
    size_t len = 0;
    char *text = pacta_metrics_render(self->metrics, &len);
    if (!text)
        return s_send_text(connection, MHD_HTTP_INTERNAL_SERVER_ERROR, "metrics unavailable\n", false);
    return s_send(connection, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", text, len, false);
}

static enum MHD_Result
s_handle(void *cls, struct MHD_Connection *connection, const char *url, const char *method,
         const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
    (void) version;
    (void) upload_data;
    pacta_http_t *self = cls;
    bool readable = strcmp(method, MHD_HTTP_METHOD_GET) == 0 || strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
    if (!readable) {
        /* Refuse at once: the body is never read, the connection is closed
           after the answer. */
        *upload_data_size = 0;
        return s_send_text(connection, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed\n", true);
    }
    if (*con_cls == NULL) {
        /* First call: headers only. Answer on the next call. */
        static int seen;
        *con_cls = &seen;
        return MHD_YES;
    }
    if (*upload_data_size != 0) {
        *upload_data_size = 0;   /* a GET with a body: ignore it */
        return MHD_YES;
    }
    if (strcmp(url, "/healthz") == 0)
        return s_healthz(self, connection);
    if (strcmp(url, "/metrics") == 0)
        return s_metrics(self, connection);
    return s_send_text(connection, MHD_HTTP_NOT_FOUND, "not found\n", false);
}

static void
s_mhd_log(void *cls, const char *fmt, va_list args)
{
    (void) cls;
    char text[512];
    vsnprintf(text, sizeof text, fmt, args);
    size_t len = strlen(text);
    while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
        text[--len] = '\0';
    pacta_log_warn("http server", "error", text);
}

/* ---- lifecycle ---------------------------------------------------------------- */

int
pacta_http_start(pacta_http_t *self, char *err, size_t err_size)
{
    assert(self);
    char scratch[256];
    if (!err) {
        err = scratch;
        err_size = sizeof scratch;
    }
    if (self->daemon)
        return 0;
    unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG;
    if (self->addr.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    /* MHD binds to SOCK_ADDR; the port argument only appears in its messages. */
    uint16_t port = self->addr.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *) &self->addr)->sin6_port)
                                                     : ntohs(((struct sockaddr_in *) &self->addr)->sin_port);
    self->daemon = MHD_start_daemon(flags, port, NULL, NULL, s_handle, self,
                                    MHD_OPTION_EXTERNAL_LOGGER, s_mhd_log, NULL,   /* must come first */
                                    MHD_OPTION_SOCK_ADDR, (struct sockaddr *) &self->addr,
                                    MHD_OPTION_CONNECTION_LIMIT, (unsigned int) 64,
                                    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int) 10,
                                    MHD_OPTION_END);
    if (!self->daemon) {
        snprintf(err, err_size, "cannot listen on %s (address in use or not permitted?)", self->addr_text);
        return -1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(self->daemon, MHD_DAEMON_INFO_BIND_PORT);
    self->port = info ? info->port : 0;
    return 0;
}

uint16_t
pacta_http_port(const pacta_http_t *self)
{
    assert(self);
    return self->daemon ? self->port : 0;
}

void
pacta_http_stop(pacta_http_t *self)
{
    assert(self);
    if (self->daemon) {
        MHD_stop_daemon(self->daemon);
        self->daemon = NULL;
        self->port = 0;
    }
}
