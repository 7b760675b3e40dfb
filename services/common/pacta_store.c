/*  =========================================================================
    pacta_store - the Redis connection every service shares

    All state lives in Redis, so this is the one place that decides what a
    broken connection means. hiredis 0.14 has sharp edges that this module
    exists to file off: redisReconnect() does not restore the command
    timeout, a timed-out context is unusable (a late reply would be read as
    the answer to the next command), and a NULL reply, a context error and an
    error reply are three different things.

    Design decision: a connection that saw any I/O error, timeout included,
    is thrown away and a NEW context is built from scratch by one function,
    s_connect(), which applies connect timeout, command timeout, AUTH,
    SELECT, CLIENT SETNAME and SCRIPT LOAD every time. Reconnecting lazily
    from the next command (with capped exponential backoff and jitter after
    failures) keeps callers free of retry loops while a dead Redis costs
    them a fast failure, not a blocked thread.
    =========================================================================
*/
#include "pacta_store.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define ERROR_MAX 512
#define SHA_LEN 40
#define MAX_COMMAND_ARGS 4096    /* cap on argv built for EVALSHA */

typedef struct {
    char *name;                  /* registry key, owned */
    const char *source;          /* Lua text, borrowed */
    char sha[SHA_LEN + 1];       /* SHA1 from SCRIPT LOAD, "" until loaded */
} script_t;

struct pacta_store {
    pacta_store_url_t url;            /* parsed address and credentials */
    char *client_name;                /* CLIENT SETNAME value or NULL, owned */
    struct timeval connect_timeout;   /* applied to every connect */
    struct timeval command_timeout;   /* re-applied after every connect */
    int64_t backoff_initial_ms;       /* first delay after a failed attempt */
    int64_t backoff_max_ms;           /* cap of the delay */
    redisContext *ctx;                /* live connection or NULL */
    bool ever_connected;              /* a first connect succeeded (for the reconnect count) */
    unsigned failed_attempts;         /* consecutive failed connects, drives the backoff */
    int64_t next_attempt_ms;          /* monotonic ms before which no automatic connect is tried */
    uint64_t jitter_state;            /* xorshift state for backoff jitter */
    script_t *scripts;                /* registered scripts */
    size_t script_count;              /* used entries of scripts */
    size_t script_capacity;           /* allocated entries of scripts */
    char error[ERROR_MAX];            /* last error of the owning thread */
    pacta_store_error_kind_t error_kind; /* kind of error */
    atomic_bool connected;            /* mirrors ctx != NULL for other threads */
    atomic_uint_fast64_t reconnects;  /* successful connects after the first */
    pthread_mutex_t health_mutex;     /* guards health_detail */
    char health_detail[ERROR_MAX];    /* why the last connect failed / connection dropped */
};

/* ---- small helpers ---------------------------------------------------------- */

static int64_t
s_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct timeval
s_timeval_ms(int64_t ms)
{
    struct timeval tv = {.tv_sec = (time_t) (ms / 1000), .tv_usec = (suseconds_t) ((ms % 1000) * 1000)};
    return tv;
}

static void
s_set_error(pacta_store_t *self, pacta_store_error_kind_t kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
s_set_error(pacta_store_t *self, pacta_store_error_kind_t kind, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    vsnprintf(self->error, sizeof self->error, fmt, args);
    va_end(args);
    self->error_kind = kind;
}

static void
s_clear_error(pacta_store_t *self)
{
    self->error[0] = '\0';
    self->error_kind = PACTA_STORE_E_NONE;
}

/* Copies the current error as the reason /healthz reports. */
static void
s_publish_health(pacta_store_t *self, const char *detail)
{
    pthread_mutex_lock(&self->health_mutex);
    snprintf(self->health_detail, sizeof self->health_detail, "%s", detail);
    pthread_mutex_unlock(&self->health_mutex);
}

/* ---- URL parsing ------------------------------------------------------------ */

static int
s_hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char) tolower((unsigned char) c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Percent-decodes text[0..len) into out (NUL-terminated). 0 or -1 (bad
   escape, NUL byte, too long). */
static int
s_decode(const char *text, size_t len, char *out, size_t out_size)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (c == '%') {
            if (i + 2 >= len)
                return -1;
            int hi = s_hex_value(text[i + 1]);
            int lo = s_hex_value(text[i + 2]);
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
                return -1;
            c = (char) (hi * 16 + lo);
            i += 2;
        }
        if (o + 1 >= out_size)
            return -1;
        out[o++] = c;
    }
    out[o] = '\0';
    return 0;
}

static int
s_parse_small_int(const char *text, size_t len, long min, long max, int *out)
{
    if (len == 0 || len > 9)
        return -1;
    long v = 0;
    for (size_t i = 0; i < len; i++) {
        if (!isdigit((unsigned char) text[i]))
            return -1;
        v = v * 10 + (text[i] - '0');
    }
    if (v < min || v > max)
        return -1;
    *out = (int) v;
    return 0;
}

/* Query string "db=1&user=u&password=p". */
static int
s_parse_query(const char *query, pacta_store_url_t *out, bool db_in_path, char *err, size_t err_size)
{
    const char *p = query;
    while (*p) {
        const char *amp = strchr(p, '&');
        size_t len = amp ? (size_t) (amp - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        if (!eq) {
            snprintf(err, err_size, "query parameter '%.*s' has no value", (int) len, p);
            return -1;
        }
        size_t key_len = (size_t) (eq - p);
        const char *value = eq + 1;
        size_t value_len = len - key_len - 1;
        if (key_len == 2 && strncmp(p, "db", 2) == 0) {
            if (db_in_path) {
                snprintf(err, err_size, "database given both in the path and as ?db=");
                return -1;
            }
            if (s_parse_small_int(value, value_len, 0, 1000000, &out->db) != 0) {
                snprintf(err, err_size, "bad database number '%.*s'", (int) value_len, value);
                return -1;
            }
        }
        else if (key_len == 4 && strncmp(p, "user", 4) == 0) {
            if (s_decode(value, value_len, out->user, sizeof out->user) != 0) {
                snprintf(err, err_size, "bad user name in query");
                return -1;
            }
        }
        else if (key_len == 8 && strncmp(p, "password", 8) == 0) {
            if (s_decode(value, value_len, out->password, sizeof out->password) != 0) {
                snprintf(err, err_size, "bad password in query");
                return -1;
            }
        }
        else {
            snprintf(err, err_size, "unknown query parameter '%.*s' (db, user, password)", (int) key_len, p);
            return -1;
        }
        p += len;
        if (*p == '&')
            p++;
    }
    return 0;
}

int
pacta_store_url_parse(const char *url, pacta_store_url_t *out, char *err, size_t err_size)
{
    char scratch[ERROR_MAX];
    if (!err) {
        err = scratch;
        err_size = sizeof scratch;
    }
    err[0] = '\0';
    pacta_store_url_t result;
    memset(&result, 0, sizeof result);
    result.port = 6379;

    if (!url || !*url) {
        snprintf(err, err_size, "empty Redis URL");
        return -1;
    }
    if (strlen(url) >= PACTA_STORE_URL_MAX) {
        snprintf(err, err_size, "Redis URL longer than %d bytes", PACTA_STORE_URL_MAX - 1);
        return -1;
    }
    const char *query = strchr(url, '?');
    size_t main_len = query ? (size_t) (query - url) : strlen(url);

    if (strncasecmp(url, "unix://", 7) == 0) {
        result.is_unix = true;
        const char *path = url + 7;
        size_t path_len = main_len - 7;
        if (path_len == 0 || path[0] != '/') {
            snprintf(err, err_size, "unix URL needs an absolute path: unix:///path/to.sock");
            return -1;
        }
        if (s_decode(path, path_len, result.path, sizeof result.path) != 0) {
            snprintf(err, err_size, "unix socket path too long or badly escaped");
            return -1;
        }
        if (query && s_parse_query(query + 1, &result, false, err, err_size) != 0)
            return -1;
        *out = result;
        return 0;
    }
    if (strncasecmp(url, "rediss://", 9) == 0) {
        snprintf(err, err_size, "TLS (rediss://) is not supported");
        return -1;
    }
    if (strncasecmp(url, "redis://", 8) != 0) {
        snprintf(err, err_size, "Redis URL must start with redis:// or unix://");
        return -1;
    }

    const char *authority = url + 8;
    const char *slash = memchr(authority, '/', main_len - 8);
    size_t authority_len = slash ? (size_t) (slash - authority) : main_len - 8;

    /* userinfo: the last '@' of the authority, so '@' in a password only
       needs escaping when it is the last one. */
    const char *at = NULL;
    for (size_t i = 0; i < authority_len; i++)
        if (authority[i] == '@')
            at = authority + i;
    const char *hostport = authority;
    size_t hostport_len = authority_len;
    if (at) {
        size_t info_len = (size_t) (at - authority);
        const char *colon = memchr(authority, ':', info_len);
        size_t user_len = colon ? (size_t) (colon - authority) : info_len;
        if (s_decode(authority, user_len, result.user, sizeof result.user) != 0) {
            snprintf(err, err_size, "bad or too long user name");
            return -1;
        }
        if (colon && s_decode(colon + 1, info_len - user_len - 1, result.password, sizeof result.password) != 0) {
            snprintf(err, err_size, "bad or too long password");
            return -1;
        }
        hostport = at + 1;
        hostport_len = authority_len - info_len - 1;
    }

    const char *port_text = NULL;
    size_t host_len;
    const char *host = hostport;
    if (hostport_len > 0 && hostport[0] == '[') {
        const char *close = memchr(hostport, ']', hostport_len);
        if (!close) {
            snprintf(err, err_size, "unclosed '[' in IPv6 address");
            return -1;
        }
        host = hostport + 1;
        host_len = (size_t) (close - host);
        size_t rest = hostport_len - (size_t) (close + 1 - hostport);
        if (rest > 0) {
            if (close[1] != ':') {
                snprintf(err, err_size, "unexpected text after IPv6 address");
                return -1;
            }
            port_text = close + 2;
        }
    }
    else {
        const char *colon = memchr(hostport, ':', hostport_len);
        host_len = colon ? (size_t) (colon - hostport) : hostport_len;
        if (colon)
            port_text = colon + 1;
    }
    if (host_len == 0) {
        snprintf(err, err_size, "missing host in Redis URL");
        return -1;
    }
    if (host_len >= sizeof result.host) {
        snprintf(err, err_size, "host name too long");
        return -1;
    }
    memcpy(result.host, host, host_len);
    result.host[host_len] = '\0';
    if (port_text) {
        size_t port_len = (size_t) (hostport + hostport_len - port_text);
        if (s_parse_small_int(port_text, port_len, 1, 65535, &result.port) != 0) {
            snprintf(err, err_size, "bad port '%.*s' (1..65535)", (int) port_len, port_text);
            return -1;
        }
    }

    bool db_in_path = false;
    if (slash) {
        const char *db = slash + 1;
        size_t db_len = (size_t) (url + main_len - db);
        if (db_len > 0) {
            if (s_parse_small_int(db, db_len, 0, 1000000, &result.db) != 0) {
                snprintf(err, err_size, "bad database number '%.*s'", (int) db_len, db);
                return -1;
            }
            db_in_path = true;
        }
    }
    if (query && s_parse_query(query + 1, &result, db_in_path, err, err_size) != 0)
        return -1;
    *out = result;
    return 0;
}

char *
pacta_store_url_describe(const pacta_store_url_t *url, char *buf, size_t size)
{
    assert(url && buf && size > 0);
    if (url->is_unix)
        snprintf(buf, size, "unix://%s?db=%d", url->path, url->db);
    else if (strchr(url->host, ':'))
        snprintf(buf, size, "redis://[%s]:%d/%d", url->host, url->port, url->db);
    else
        snprintf(buf, size, "redis://%s:%d/%d", url->host, url->port, url->db);
    return buf;
}

/* ---- construction ------------------------------------------------------------ */

pacta_store_t *
pacta_store_new(const pacta_store_options_t *options, char *err, size_t err_size)
{
    assert(options);
    char scratch[ERROR_MAX];
    if (!err) {
        err = scratch;
        err_size = sizeof scratch;
    }
    pacta_store_t *self = calloc(1, sizeof *self);
    if (!self) {
        snprintf(err, err_size, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&self->health_mutex, NULL);
    atomic_init(&self->connected, false);
    atomic_init(&self->reconnects, 0);
    if (pacta_store_url_parse(options->url, &self->url, err, err_size) != 0)
        goto cleanup;
    if (options->password && *options->password)
        snprintf(self->url.password, sizeof self->url.password, "%s", options->password);
    if (options->client_name && *options->client_name) {
        self->client_name = strdup(options->client_name);
        if (!self->client_name) {
            snprintf(err, err_size, "out of memory");
            goto cleanup;
        }
    }
    self->connect_timeout = s_timeval_ms(options->connect_timeout_ms > 0 ? options->connect_timeout_ms : 2000);
    self->command_timeout = s_timeval_ms(options->command_timeout_ms > 0 ? options->command_timeout_ms : 5000);
    self->backoff_initial_ms = options->backoff_initial_ms > 0 ? options->backoff_initial_ms : 100;
    self->backoff_max_ms = options->backoff_max_ms > 0 ? options->backoff_max_ms : 5000;
    if (self->backoff_max_ms < self->backoff_initial_ms)
        self->backoff_max_ms = self->backoff_initial_ms;
    self->jitter_state = (uint64_t) s_now_ms() * 2654435761u ^ (uint64_t) getpid() << 32 ^ (uintptr_t) self;
    if (self->jitter_state == 0)
        self->jitter_state = 88172645463325252ull;
    s_publish_health(self, "not connected yet");
    return self;

cleanup:
    pacta_store_destroy(&self);
    return NULL;
}

void
pacta_store_destroy(pacta_store_t **self_p)
{
    assert(self_p);
    pacta_store_t *self = *self_p;
    if (!self)
        return;
    if (self->ctx)
        redisFree(self->ctx);
    for (size_t i = 0; i < self->script_count; i++)
        free(self->scripts[i].name);
    free(self->scripts);
    free(self->client_name);
    pthread_mutex_destroy(&self->health_mutex);
    free(self);
    *self_p = NULL;
}

/* ---- connection ---------------------------------------------------------------- */

static uint64_t
s_next_random(pacta_store_t *self)
{
    uint64_t x = self->jitter_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    self->jitter_state = x;
    return x;
}

/* Delay before attempt failed_attempts+1: initial * 2^(n-1) capped, then
   "equal jitter" -- a random point in [delay/2, delay] -- so a fleet of
   instances does not reconnect in lockstep after a Redis restart. */
static int64_t
s_backoff_ms(pacta_store_t *self)
{
    int64_t delay = self->backoff_initial_ms;
    for (unsigned i = 1; i < self->failed_attempts && delay < self->backoff_max_ms; i++)
        delay *= 2;
    if (delay > self->backoff_max_ms)
        delay = self->backoff_max_ms;
    int64_t half = delay / 2;
    return half + (int64_t) (s_next_random(self) % (uint64_t) (delay - half + 1));
}

/* Drops a broken context; the next call reconnects at once. */
static void
s_drop(pacta_store_t *self, const char *why)
{
    if (self->ctx) {
        redisFree(self->ctx);
        self->ctx = NULL;
    }
    atomic_store(&self->connected, false);
    self->next_attempt_ms = s_now_ms();
    s_publish_health(self, why);
}

/* redisCommandArgv with SIGPIPE kept away from the process: hiredis
   writes with write(), and a write to a connection Redis closed (CLIENT
   KILL, restart) would otherwise kill a program that did not ignore
   SIGPIPE. As curl does, the signal is blocked for the call and a SIGPIPE
   raised by it is consumed before unblocking. */
static redisReply *
s_call(redisContext *ctx, int argc, const char **argv, const size_t *lens)
{
    sigset_t pipe_set, old_mask, pending;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old_mask);
    sigpending(&pending);
    bool already_pending = sigismember(&pending, SIGPIPE);
    redisReply *reply = redisCommandArgv(ctx, argc, argv, lens);
    if (!already_pending && !sigismember(&old_mask, SIGPIPE)) {
        sigpending(&pending);
        if (sigismember(&pending, SIGPIPE)) {
            struct timespec no_wait = {0, 0};
            sigtimedwait(&pipe_set, NULL, &no_wait);
        }
    }
    pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
    return reply;
}

/* One command on a context during the connect handshake. Consumes the
   reply; 0 or -1 with the error in self->error. */
static int
s_handshake(pacta_store_t *self, redisContext *ctx, const char *step, int argc, const char **argv,
            const size_t *lens, redisReply **reply_out)
{
    redisReply *reply = s_call(ctx, argc, argv, lens);
    if (!reply) {
        s_set_error(self, PACTA_STORE_E_DISCONNECTED, "redis %s failed: %s", step,
                    ctx->errstr[0] ? ctx->errstr : "no reply");
        return -1;
    }
    if (reply->type == REDIS_REPLY_ERROR) {
        s_set_error(self, PACTA_STORE_E_DISCONNECTED, "redis %s refused: %.*s", step, (int) reply->len,
                    reply->str ? reply->str : "");
        freeReplyObject(reply);
        return -1;
    }
    if (reply_out)
        *reply_out = reply;
    else
        freeReplyObject(reply);
    return 0;
}

/* SCRIPT LOAD on ctx; stores the SHA. */
static int
s_load_script(pacta_store_t *self, redisContext *ctx, script_t *script)
{
    const char *argv[3] = {"SCRIPT", "LOAD", script->source};
    size_t lens[3] = {6, 4, strlen(script->source)};
    char step[160];
    redisReply *reply = NULL;
    snprintf(step, sizeof step, "SCRIPT LOAD %s", script->name);
    if (s_handshake(self, ctx, step, 3, argv, lens, &reply) != 0)
        return -1;
    int rc = -1;
    if (reply->type != REDIS_REPLY_STRING || reply->len != SHA_LEN) {
        s_set_error(self, PACTA_STORE_E_DISCONNECTED, "redis %s: unexpected reply type %d", step, reply->type);
        goto cleanup;
    }
    memcpy(script->sha, reply->str, SHA_LEN);
    script->sha[SHA_LEN] = '\0';
    rc = 0;

cleanup:
    freeReplyObject(reply);
    return rc;
}

/* Builds a fresh, fully configured connection. */
static int
s_connect(pacta_store_t *self)
{
    int rc = -1;
    char where[PACTA_STORE_URL_MAX];
    pacta_store_url_describe(&self->url, where, sizeof where);
    if (self->ctx) {
        redisFree(self->ctx);
        self->ctx = NULL;
        atomic_store(&self->connected, false);
    }
    redisContext *ctx = self->url.is_unix ? redisConnectUnixWithTimeout(self->url.path, self->connect_timeout)
                                          : redisConnectWithTimeout(self->url.host, self->url.port,
                                                                    self->connect_timeout);
    if (!ctx) {
        s_set_error(self, PACTA_STORE_E_DISCONNECTED, "cannot connect to %s: out of memory", where);
        goto cleanup;
    }
    if (ctx->err) {
        s_set_error(self, PACTA_STORE_E_DISCONNECTED, "cannot connect to %s: %s", where, ctx->errstr);
        goto cleanup;
    }
    /* hiredis keeps the connect timeout as the socket timeout; commands get
       their own, and it must be set again on every new context. */
    if (redisSetTimeout(ctx, self->command_timeout) != REDIS_OK) {
        s_set_error(self, PACTA_STORE_E_DISCONNECTED, "cannot set command timeout on %s: %s", where,
                    ctx->errstr);
        goto cleanup;
    }
    if (!self->url.is_unix)
        redisEnableKeepAlive(ctx);

    if (self->url.user[0]) {
        const char *argv[3] = {"AUTH", self->url.user, self->url.password};
        size_t lens[3] = {4, strlen(self->url.user), strlen(self->url.password)};
        if (s_handshake(self, ctx, "AUTH", 3, argv, lens, NULL) != 0)
            goto cleanup;
    }
    else if (self->url.password[0]) {
        const char *argv[2] = {"AUTH", self->url.password};
        size_t lens[2] = {4, strlen(self->url.password)};
        if (s_handshake(self, ctx, "AUTH", 2, argv, lens, NULL) != 0)
            goto cleanup;
    }
    if (self->url.db != 0) {
        char db[16];
        int n = snprintf(db, sizeof db, "%d", self->url.db);
        const char *argv[2] = {"SELECT", db};
        size_t lens[2] = {6, (size_t) n};
        if (s_handshake(self, ctx, "SELECT", 2, argv, lens, NULL) != 0)
            goto cleanup;
    }
    if (self->client_name) {
        const char *argv[3] = {"CLIENT", "SETNAME", self->client_name};
        size_t lens[3] = {6, 7, strlen(self->client_name)};
        if (s_handshake(self, ctx, "CLIENT SETNAME", 3, argv, lens, NULL) != 0)
            goto cleanup;
    }
    for (size_t i = 0; i < self->script_count; i++)
        if (s_load_script(self, ctx, &self->scripts[i]) != 0)
            goto cleanup;

    self->ctx = ctx;
    ctx = NULL;   /* now owned by self */
    if (self->ever_connected)
        atomic_fetch_add(&self->reconnects, 1);
    self->ever_connected = true;
    self->failed_attempts = 0;
    self->next_attempt_ms = 0;
    atomic_store(&self->connected, true);
    s_publish_health(self, "connected");
    s_clear_error(self);
    rc = 0;

cleanup:
    if (ctx)
        redisFree(ctx);
    if (rc != 0) {
        self->failed_attempts++;
        self->next_attempt_ms = s_now_ms() + s_backoff_ms(self);
        s_publish_health(self, self->error);
    }
    return rc;
}

int
pacta_store_connect(pacta_store_t *self)
{
    assert(self);
    return s_connect(self);
}

int
pacta_store_ensure_connected(pacta_store_t *self)
{
    assert(self);
    if (self->ctx)
        return 0;
    int64_t now = s_now_ms();
    if (now < self->next_attempt_ms) {
        char last[ERROR_MAX];
        pthread_mutex_lock(&self->health_mutex);
        snprintf(last, sizeof last, "%s", self->health_detail);
        pthread_mutex_unlock(&self->health_mutex);
        s_set_error(self, PACTA_STORE_E_DISCONNECTED, "not connected to redis, next attempt in %lld ms (%s)",
                    (long long) (self->next_attempt_ms - now), last);
        return -1;
    }
    return s_connect(self);
}

void
pacta_store_disconnect(pacta_store_t *self)
{
    assert(self);
    s_drop(self, "disconnected on request");
}

bool
pacta_store_connected(pacta_store_t *self)
{
    assert(self);
    return atomic_load(&self->connected);
}

uint64_t
pacta_store_reconnects(pacta_store_t *self)
{
    assert(self);
    return (uint64_t) atomic_load(&self->reconnects);
}

int
pacta_store_health(pacta_store_t *self, char *detail, size_t detail_size)
{
    assert(self);
    bool up = atomic_load(&self->connected);
    if (detail && detail_size > 0) {
        pthread_mutex_lock(&self->health_mutex);
        snprintf(detail, detail_size, "%s", self->health_detail);
        pthread_mutex_unlock(&self->health_mutex);
    }
    return up ? 0 : -1;
}

const char *
pacta_store_error(const pacta_store_t *self)
{
    assert(self);
    return self->error;
}

pacta_store_error_kind_t
pacta_store_error_kind(const pacta_store_t *self)
{
    assert(self);
    return self->error_kind;
}

int64_t
pacta_store_retry_in_ms(const pacta_store_t *self)
{
    assert(self);
    if (self->ctx)
        return 0;
    int64_t left = self->next_attempt_ms - s_now_ms();
    return left > 0 ? left : 0;
}

/* ---- commands -------------------------------------------------------------------- */

int
pacta_store_command(pacta_store_t *self, redisReply **reply_out, int argc, const char *const *argv,
                    const size_t *argv_len)
{
    assert(self);
    assert(argc > 0 && argv);
    if (reply_out)
        *reply_out = NULL;
    if (pacta_store_ensure_connected(self) != 0)
        return -1;

    /* hiredis takes non-const pointers but does not modify the arguments. */
    redisReply *reply = s_call(self->ctx, argc, (const char **) argv, argv_len);
    if (!reply) {
        /* No reply: I/O error, timeout (EAGAIN), EOF or protocol error. The
           context cannot be trusted any more, whatever the cause. */
        s_set_error(self, PACTA_STORE_E_IO, "redis %.*s: %s", (int) (argv_len ? argv_len[0] : strlen(argv[0])),
                    argv[0], self->ctx->errstr[0] ? self->ctx->errstr : "connection lost");
        s_drop(self, self->error);
        return -1;
    }
    if (reply->type == REDIS_REPLY_ERROR) {
        s_set_error(self, PACTA_STORE_E_REPLY, "%.*s", (int) reply->len, reply->str ? reply->str : "");
        freeReplyObject(reply);
        return -1;
    }
    s_clear_error(self);
    if (reply_out)
        *reply_out = reply;
    else
        freeReplyObject(reply);
    return 0;
}

int
pacta_store_command_strs(pacta_store_t *self, redisReply **reply_out, const char *arg0, ...)
{
    assert(self && arg0);
    const char *argv[64];
    int argc = 0;
    argv[argc++] = arg0;
    va_list args;
    va_start(args, arg0);
    for (;;) {
        const char *arg = va_arg(args, const char *);
        if (!arg)
            break;
        assert(argc < 64 && "too many arguments for pacta_store_command_strs");
        if (argc >= 64)
            break;
        argv[argc++] = arg;
    }
    va_end(args);
    return pacta_store_command(self, reply_out, argc, argv, NULL);
}

int
pacta_store_ping(pacta_store_t *self)
{
    redisReply *reply = NULL;
    if (pacta_store_command_strs(self, &reply, "PING", NULL) != 0)
        return -1;
    freeReplyObject(reply);
    return 0;
}

/* ---- scripts ----------------------------------------------------------------------- */

static script_t *
s_find_script(const pacta_store_t *self, const char *name)
{
    for (size_t i = 0; i < self->script_count; i++)
        if (strcmp(self->scripts[i].name, name) == 0)
            return &self->scripts[i];
    return NULL;
}

int
pacta_store_script_register(pacta_store_t *self, const char *name, const char *source)
{
    assert(self && name && source);
    script_t *script = s_find_script(self, name);
    if (!script) {
        if (self->script_count == self->script_capacity) {
            size_t capacity = self->script_capacity ? self->script_capacity * 2 : 8;
            script_t *grown = realloc(self->scripts, capacity * sizeof *grown);
            if (!grown) {
                s_set_error(self, PACTA_STORE_E_USAGE, "out of memory");
                return -1;
            }
            self->scripts = grown;
            self->script_capacity = capacity;
        }
        script = &self->scripts[self->script_count];
        script->name = strdup(name);
        if (!script->name) {
            s_set_error(self, PACTA_STORE_E_USAGE, "out of memory");
            return -1;
        }
        self->script_count++;
    }
    script->source = source;
    script->sha[0] = '\0';
    if (!self->ctx)
        return 0;
    if (s_load_script(self, self->ctx, script) != 0) {
        /* A refused script (syntax error) is a reply error; a broken link
           is not. s_handshake cannot tell which, so ask the context. */
        if (self->ctx->err) {
            self->error_kind = PACTA_STORE_E_IO;
            s_drop(self, self->error);
        }
        else
            self->error_kind = PACTA_STORE_E_REPLY;
        return -1;
    }
    return 0;
}

const char *
pacta_store_script_sha(const pacta_store_t *self, const char *name)
{
    assert(self && name);
    const script_t *script = s_find_script(self, name);
    return script && script->sha[0] ? script->sha : NULL;
}

void
pacta_store_key_hash_tag(const char *key, size_t key_len, const char **tag, size_t *tag_len)
{
    const char *open = memchr(key, '{', key_len);
    if (open) {
        size_t rest = key_len - (size_t) (open - key) - 1;
        const char *close = memchr(open + 1, '}', rest);
        if (close && close > open + 1) {
            *tag = open + 1;
            *tag_len = (size_t) (close - open - 1);
            return;
        }
    }
    *tag = key;
    *tag_len = key_len;
}

int
pacta_store_script_run(pacta_store_t *self, redisReply **reply_out, const char *name, size_t key_count,
                       const char *const *keys, const size_t *key_lens, size_t arg_count,
                       const char *const *args, const size_t *arg_lens)
{
    assert(self && name);
    assert(key_count == 0 || keys);
    assert(arg_count == 0 || args);
    int rc = -1;
    const char **argv = NULL;
    size_t *lens = NULL;
    if (reply_out)
        *reply_out = NULL;

    script_t *script = s_find_script(self, name);
    if (!script) {
        s_set_error(self, PACTA_STORE_E_USAGE, "unknown script '%s'", name);
        goto cleanup;
    }
    if (3 + key_count + arg_count > MAX_COMMAND_ARGS) {
        s_set_error(self, PACTA_STORE_E_USAGE, "script '%s': too many keys and arguments", name);
        goto cleanup;
    }
    /* Every key of one script must live in one hash slot (Redis Cluster). */
    const char *first_tag = NULL;
    size_t first_tag_len = 0;
    for (size_t i = 0; i < key_count; i++) {
        const char *tag;
        size_t tag_len;
        pacta_store_key_hash_tag(keys[i], key_lens ? key_lens[i] : strlen(keys[i]), &tag, &tag_len);
        if (i == 0) {
            first_tag = tag;
            first_tag_len = tag_len;
        }
        else if (tag_len != first_tag_len || memcmp(tag, first_tag, tag_len) != 0) {
            s_set_error(self, PACTA_STORE_E_USAGE, "script '%s': keys do not share one {hash tag}", name);
            goto cleanup;
        }
    }
    if (pacta_store_ensure_connected(self) != 0)
        goto cleanup;

    size_t argc = 3 + key_count + arg_count;
    argv = calloc(argc, sizeof *argv);
    lens = calloc(argc, sizeof *lens);
    if (!argv || !lens) {
        s_set_error(self, PACTA_STORE_E_USAGE, "out of memory");
        goto cleanup;
    }
    char numkeys[24];
    int numkeys_len = snprintf(numkeys, sizeof numkeys, "%zu", key_count);
    argv[0] = "EVALSHA";
    lens[0] = 7;
    argv[1] = script->sha;
    lens[1] = strlen(script->sha);
    argv[2] = numkeys;
    lens[2] = (size_t) numkeys_len;
    for (size_t i = 0; i < key_count; i++) {
        argv[3 + i] = keys[i];
        lens[3 + i] = key_lens ? key_lens[i] : strlen(keys[i]);
    }
    for (size_t i = 0; i < arg_count; i++) {
        argv[3 + key_count + i] = args[i];
        lens[3 + key_count + i] = arg_lens ? arg_lens[i] : strlen(args[i]);
    }

    for (int attempt = 0; attempt < 2; attempt++) {
        if (pacta_store_command(self, reply_out, (int) argc, argv, lens) == 0) {
            rc = 0;
            break;
        }
        if (self->error_kind != PACTA_STORE_E_REPLY || strncmp(self->error, "NOSCRIPT", 8) != 0 || attempt > 0)
            break;
        /* The server lost its script cache (restart, SCRIPT FLUSH, failover):
           load this script again and run it once more. */
        if (s_load_script(self, self->ctx, script) != 0) {
            if (self->ctx->err) {
                self->error_kind = PACTA_STORE_E_IO;
                s_drop(self, self->error);
            }
            else
                self->error_kind = PACTA_STORE_E_REPLY;
            break;
        }
        argv[1] = script->sha;
        lens[1] = strlen(script->sha);
    }

cleanup:
    free(argv);
    free(lens);
    return rc;
}

/* Appends one EVALSHA to the context's output buffer (no I/O yet). */
static int
s_append_evalsha(redisContext *ctx, const char *sha, const pacta_store_script_call_t *call)
{
    size_t argc = 3 + call->key_count + call->arg_count;
    const char **argv = calloc(argc, sizeof *argv);
    size_t *lens = calloc(argc, sizeof *lens);
    int rc = -1;
    char numkeys[24];
    if (!argv || !lens)
        goto cleanup;
    int numkeys_len = snprintf(numkeys, sizeof numkeys, "%zu", call->key_count);
    argv[0] = "EVALSHA";
    lens[0] = 7;
    argv[1] = sha;
    lens[1] = strlen(sha);
    argv[2] = numkeys;
    lens[2] = (size_t) numkeys_len;
    for (size_t i = 0; i < call->key_count; i++) {
        argv[3 + i] = call->keys[i];
        lens[3 + i] = call->key_lens ? call->key_lens[i] : strlen(call->keys[i]);
    }
    for (size_t i = 0; i < call->arg_count; i++) {
        argv[3 + call->key_count + i] = call->args[i];
        lens[3 + call->key_count + i] = call->arg_lens ? call->arg_lens[i] : strlen(call->args[i]);
    }
    rc = redisAppendCommandArgv(ctx, (int) argc, argv, lens) == REDIS_OK ? 0 : -1;

cleanup:
    free(argv);
    free(lens);
    return rc;
}

int
pacta_store_script_run_batch(pacta_store_t *self, const char *name, pacta_store_script_call_t *calls, size_t count)
{
    assert(self && name && (calls || count == 0));
    for (size_t i = 0; i < count; i++)
        calls[i].reply = NULL;
    if (count == 0)
        return 0;
    script_t *script = s_find_script(self, name);
    if (!script) {
        s_set_error(self, PACTA_STORE_E_USAGE, "unknown script '%s'", name);
        return -1;
    }
    for (size_t c = 0; c < count; c++) {
        const pacta_store_script_call_t *call = &calls[c];
        if (3 + call->key_count + call->arg_count > MAX_COMMAND_ARGS) {
            s_set_error(self, PACTA_STORE_E_USAGE, "script '%s': too many keys and arguments", name);
            return -1;
        }
        const char *first_tag = NULL;
        size_t first_tag_len = 0;
        for (size_t i = 0; i < call->key_count; i++) {
            const char *tag;
            size_t tag_len;
            pacta_store_key_hash_tag(call->keys[i], call->key_lens ? call->key_lens[i] : strlen(call->keys[i]), &tag,
                                     &tag_len);
            if (i == 0) {
                first_tag = tag;
                first_tag_len = tag_len;
            }
            else if (tag_len != first_tag_len || memcmp(tag, first_tag, tag_len) != 0) {
                s_set_error(self, PACTA_STORE_E_USAGE, "script '%s': keys do not share one {hash tag}", name);
                return -1;
            }
        }
    }
    if (pacta_store_ensure_connected(self) != 0)
        return -1;
    if (!script->sha[0] && s_load_script(self, self->ctx, script) != 0) {
        if (self->ctx->err)
            s_drop(self, self->error);
        return -1;
    }

    /* Write everything, then read every reply, with SIGPIPE kept away as in
       s_call(). */
    sigset_t pipe_set, old_mask, pending;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old_mask);
    sigpending(&pending);
    bool already_pending = sigismember(&pending, SIGPIPE);
    int rc = 0;
    size_t appended = 0;
    for (; appended < count; appended++)
        if (s_append_evalsha(self->ctx, script->sha, &calls[appended]) != 0)
            break;
    for (size_t i = 0; i < appended; i++) {
        void *reply = NULL;
        if (redisGetReply(self->ctx, &reply) != REDIS_OK || !reply) {
            rc = -1;
            break;
        }
        calls[i].reply = reply;
    }
    if (!already_pending && !sigismember(&old_mask, SIGPIPE)) {
        sigpending(&pending);
        if (sigismember(&pending, SIGPIPE)) {
            struct timespec no_wait = {0, 0};
            sigtimedwait(&pipe_set, NULL, &no_wait);
        }
    }
    pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
    if (rc != 0 || appended < count) {
        s_set_error(self, PACTA_STORE_E_IO, "redis pipelined EVALSHA %s: %s", name,
                    self->ctx->errstr[0] ? self->ctx->errstr : "connection lost");
        s_drop(self, self->error);
        return -1;
    }
    /* The server lost its script cache: run those calls again one by one
       (pacta_store_script_run reloads the script). */
    for (size_t i = 0; i < count; i++) {
        redisReply *reply = calls[i].reply;
        if (reply->type != REDIS_REPLY_ERROR || !reply->str || strncmp(reply->str, "NOSCRIPT", 8) != 0)
            continue;
        freeReplyObject(reply);
        calls[i].reply = NULL;
        redisReply *again = NULL;
        if (pacta_store_script_run(self, &again, name, calls[i].key_count, calls[i].keys, calls[i].key_lens,
                                   calls[i].arg_count, calls[i].args, calls[i].arg_lens)
            != 0) {
            if (self->error_kind != PACTA_STORE_E_REPLY)
                return -1;
            /* A reply error: hand it back as an error reply like the others. */
            again = calloc(1, sizeof *again);
            if (!again)
                return -1;
            again->type = REDIS_REPLY_ERROR;
            again->str = strdup(self->error);
            again->len = again->str ? strlen(again->str) : 0;
        }
        calls[i].reply = again;
    }
    s_clear_error(self);
    return 0;
}
