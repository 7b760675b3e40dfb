/*  =========================================================================
    pacta_log - one JSON object per line, for every service

    Structured logs are read by machines first (docker logs, Loki, jq), so a
    line is always one complete JSON object, whatever bytes the caller hands
    us: an attacker-controlled tenant name with a newline or broken UTF-8 in
    it must not be able to forge or split a line.

    Design decision: the whole line is built in a fixed-size buffer on the
    caller's stack, then sent with ONE write() under a process-wide mutex.
    One write per line is what keeps lines from several processes sharing a
    pipe (docker, systemd) intact; the mutex does the same for threads and
    protects the few settings. Nothing here allocates, so logging works when
    malloc does not.
    =========================================================================
*/
#include "pacta_log.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define SERVICE_NAME_MAX 64
/* Room kept at the end of a line for ,"truncated":true}\n */
#define TRUNCATION_RESERVE 24

typedef struct {
    pthread_mutex_t mutex;              /* guards every field below and the write */
    pacta_log_level_t level;            /* lines below this level are dropped */
    int fd;                             /* destination of every line */
    char service[SERVICE_NAME_MAX];     /* value of the "service" field */
} log_state_t;

static log_state_t s_log = {
    .mutex = PTHREAD_MUTEX_INITIALIZER,
    .level = PACTA_LOG_INFO,
    .fd = STDOUT_FILENO,
    .service = "pacta",
};

static const char *const s_level_names[] = {"debug", "info", "warn", "error"};

/* ---- settings ----------------------------------------------------------- */

void
pacta_log_set_service(const char *service)
{
    pthread_mutex_lock(&s_log.mutex);
    snprintf(s_log.service, sizeof s_log.service, "%s", service ? service : "pacta");
    pthread_mutex_unlock(&s_log.mutex);
}

void
pacta_log_set_level(pacta_log_level_t level)
{
    if (level < PACTA_LOG_DEBUG || level > PACTA_LOG_ERROR)
        return;
    pthread_mutex_lock(&s_log.mutex);
    s_log.level = level;
    pthread_mutex_unlock(&s_log.mutex);
}

pacta_log_level_t
pacta_log_level(void)
{
    pthread_mutex_lock(&s_log.mutex);
    pacta_log_level_t level = s_log.level;
    pthread_mutex_unlock(&s_log.mutex);
    return level;
}

bool
pacta_log_enabled(pacta_log_level_t level)
{
    return level >= pacta_log_level();
}

void
pacta_log_set_fd(int fd)
{
    pthread_mutex_lock(&s_log.mutex);
    s_log.fd = fd;
    pthread_mutex_unlock(&s_log.mutex);
}

int
pacta_log_level_parse(const char *text, pacta_log_level_t *out)
{
    if (!text)
        return -1;
    for (int i = PACTA_LOG_DEBUG; i <= PACTA_LOG_ERROR; i++) {
        if (strcasecmp(text, s_level_names[i]) == 0) {
            *out = (pacta_log_level_t) i;
            return 0;
        }
    }
    if (strcasecmp(text, "warning") == 0) {
        *out = PACTA_LOG_WARN;
        return 0;
    }
    return -1;
}

const char *
pacta_log_level_name(pacta_log_level_t level)
{
    if (level < PACTA_LOG_DEBUG || level > PACTA_LOG_ERROR)
        return "unknown";
    return s_level_names[level];
}

/* ---- JSON encoding ------------------------------------------------------ */

int
pacta_json_append_raw(char *buf, size_t size, size_t *pos, const char *raw, size_t len)
{
    if (*pos >= size || len >= size - *pos)
        return -1;
    memcpy(buf + *pos, raw, len);
    *pos += len;
    buf[*pos] = '\0';
    return 0;
}

/* Length of the well-formed UTF-8 sequence starting at s (at most avail
   bytes), or 0 if it is malformed: overlong forms, surrogates and code
   points above U+10FFFF are all rejected, as RFC 3629 requires. */
static size_t
s_utf8_sequence_length(const unsigned char *s, size_t avail)
{
    unsigned char lead = s[0];
    size_t need;
    unsigned char lo = 0x80, hi = 0xBF;   /* allowed range of the 2nd byte */
    if (lead >= 0xC2 && lead <= 0xDF)
        need = 2;
    else if (lead >= 0xE0 && lead <= 0xEF) {
        need = 3;
        if (lead == 0xE0)
            lo = 0xA0;                    /* no overlong 3-byte forms */
        else if (lead == 0xED)
            hi = 0x9F;                    /* no UTF-16 surrogates */
    }
    else if (lead >= 0xF0 && lead <= 0xF4) {
        need = 4;
        if (lead == 0xF0)
            lo = 0x90;                    /* no overlong 4-byte forms */
        else if (lead == 0xF4)
            hi = 0x8F;                    /* nothing above U+10FFFF */
    }
    else
        return 0;
    if (avail < need || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < need; i++)
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    return need;
}

int
pacta_json_append_string(char *buf, size_t size, size_t *pos, const char *text, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    int rc = -1;
    size_t at = *pos;
    const unsigned char *s = (const unsigned char *) text;
    if (at >= size)
        return -1;

    /* PUT leaves one byte for the NUL and bails out when the text does not fit. */
#define PUT(c) do { if (at + 1 >= size) goto cleanup; buf[at++] = (char) (c); } while (0)
    PUT('"');
    size_t i = 0;
    while (i < len) {
        unsigned char c = s[i];
        if (c == '"' || c == '\\') {
            PUT('\\');
            PUT(c);
            i++;
        }
        else if (c < 0x20 || c == 0x7F) {
            PUT('\\');
            switch (c) {
                case '\n': PUT('n'); break;
                case '\r': PUT('r'); break;
                case '\t': PUT('t'); break;
                case '\b': PUT('b'); break;
                case '\f': PUT('f'); break;
                default:
                    PUT('u'); PUT('0'); PUT('0');
                    PUT(hex[c >> 4]);
                    PUT(hex[c & 0xF]);
            }
            i++;
        }
        else if (c < 0x80) {
            PUT(c);
            i++;
        }
        else {
            size_t n = s_utf8_sequence_length(s + i, len - i);
            if (n == 0) {
                /* One replacement character per bad byte, then resync. */
                PUT(0xEF); PUT(0xBF); PUT(0xBD);
                i++;
            }
            else {
                for (size_t k = 0; k < n; k++)
                    PUT(s[i + k]);
                i += n;
            }
        }
    }
    PUT('"');
#undef PUT
    *pos = at;
    rc = 0;

cleanup:
    buf[*pos] = '\0';   /* on failure this drops the partial string */
    return rc;
}

/* ---- writing ------------------------------------------------------------ */

/* Writes all of line with as few write() calls as the kernel allows (one
   in practice); EINTR is retried, other errors drop the line since a
   logger has nowhere to report its own failure. */
static void
s_write_line(int fd, const char *line, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, line, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        line += n;
        len -= (size_t) n;
    }
}

/* Appends ,"key":value for one field; on no room leaves *pos unchanged. */
static int
s_append_field(char *buf, size_t limit, size_t *pos, const char *key, const char *str, int64_t num,
               bool is_number)
{
    size_t at = *pos;
    int rc = -1;
    if (pacta_json_append_raw(buf, limit, &at, ",", 1) != 0
        || pacta_json_append_string(buf, limit, &at, key, strlen(key)) != 0
        || pacta_json_append_raw(buf, limit, &at, ":", 1) != 0)
        goto cleanup;
    if (is_number) {
        char digits[24];
        int n = snprintf(digits, sizeof digits, "%lld", (long long) num);
        if (pacta_json_append_raw(buf, limit, &at, digits, (size_t) n) != 0)
            goto cleanup;
    }
    else if (str == NULL) {
        if (pacta_json_append_raw(buf, limit, &at, "null", 4) != 0)
            goto cleanup;
    }
    else if (pacta_json_append_string(buf, limit, &at, str, strlen(str)) != 0)
        goto cleanup;
    *pos = at;
    rc = 0;

cleanup:
    buf[*pos] = '\0';
    return rc;
}

/* Formats "2026-11-21T23:40:00.123Z" (UTC, milliseconds). */
static void
s_format_timestamp(char *out, size_t size)
{
    struct timespec now;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &now);
    gmtime_r(&now.tv_sec, &tm);
    char seconds[24];
    strftime(seconds, sizeof seconds, "%Y-%m-%dT%H:%M:%S", &tm);
    if (snprintf(out, size, "%s.%03ldZ", seconds, now.tv_nsec / 1000000L) >= (int) size)
        out[size - 1] = '\0'; /* callers pass 32 bytes: never cut in practice */
}

/* The one place a line is assembled. Fields come either from a va_list of
   string pairs (args != NULL) or from an array. */
static void
s_emit(pacta_log_level_t level, const char *msg, va_list *args, const pacta_log_field_t *fields,
       size_t count)
{
    char line[PACTA_LOG_LINE_MAX];
    char ts[32];
    char service[SERVICE_NAME_MAX];
    size_t pos = 0;
    bool truncated = false;
    /* Fields must leave room for the truncation marker and the close. */
    const size_t field_limit = sizeof line - TRUNCATION_RESERVE;

    if (level < PACTA_LOG_DEBUG || level > PACTA_LOG_ERROR)
        level = PACTA_LOG_ERROR;
    pthread_mutex_lock(&s_log.mutex);
    bool enabled = level >= s_log.level;
    memcpy(service, s_log.service, sizeof service);
    pthread_mutex_unlock(&s_log.mutex);
    if (!enabled)
        return;

    s_format_timestamp(ts, sizeof ts);
    if (!msg)
        msg = "";
    pacta_json_append_raw(line, field_limit, &pos, "{\"ts\":\"", 7);
    pacta_json_append_raw(line, field_limit, &pos, ts, strlen(ts));
    pacta_json_append_raw(line, field_limit, &pos, "\",\"level\":\"", 11);
    pacta_json_append_raw(line, field_limit, &pos, s_level_names[level], strlen(s_level_names[level]));
    pacta_json_append_raw(line, field_limit, &pos, "\",\"service\":", 12);
    pacta_json_append_string(line, field_limit, &pos, service, strlen(service));
    pacta_json_append_raw(line, field_limit, &pos, ",\"msg\":", 7);
    if (pacta_json_append_string(line, field_limit, &pos, msg, strlen(msg)) != 0) {
        /* A message longer than a line: keep its start, marked as cut. */
        size_t keep = strlen(msg);
        while (keep > 0 && pacta_json_append_string(line, field_limit, &pos, msg, keep) != 0)
            keep = keep > 1024 ? keep - 1024 : keep / 2;
        if (keep == 0)
            pacta_json_append_raw(line, field_limit, &pos, "\"\"", 2);
        truncated = true;
    }

    if (args) {
        for (;;) {
            const char *key = va_arg(*args, const char *);
            if (!key)
                break;
            const char *value = va_arg(*args, const char *);
            if (!truncated && s_append_field(line, field_limit, &pos, key, value, 0, false) != 0)
                truncated = true;
        }
    }
    for (size_t i = 0; fields && i < count && !truncated; i++) {
        if (!fields[i].key)
            continue;
        if (s_append_field(line, field_limit, &pos, fields[i].key, fields[i].str, fields[i].num,
                           fields[i].str == NULL) != 0)
            truncated = true;
    }
    if (truncated)
        pacta_json_append_raw(line, sizeof line, &pos, ",\"truncated\":true", 17);
    pacta_json_append_raw(line, sizeof line, &pos, "}\n", 2);

    pthread_mutex_lock(&s_log.mutex);
    s_write_line(s_log.fd, line, pos);
    pthread_mutex_unlock(&s_log.mutex);
}

void
pacta_log(pacta_log_level_t level, const char *msg, ...)
{
    va_list args;
    va_start(args, msg);
    s_emit(level, msg, &args, NULL, 0);
    va_end(args);
}

void
pacta_log_fields(pacta_log_level_t level, const char *msg, const pacta_log_field_t *fields, size_t count)
{
    s_emit(level, msg, NULL, fields, count);
}
