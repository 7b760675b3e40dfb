/*  =========================================================================
    pacta_clock - what "now" and "today" are for a tenant

    Deadlines are legal dates, and testing them against the real calendar
    would take a year. So "now" is a per-tenant value that operators can
    move, kept in Redis where every instance of every service sees the same
    one.

    Design decision: the test clock is a single integer key per tenant and
    the only write path is the clock_advance Lua script, which reads,
    checks "never backwards" and writes in one atomic step; reads are a plain
    GET. The wall clock is read only here, and turned into a Brussels date
    only by pacta_date_from_instant().
    =========================================================================
*/
#include "pacta_clock.h"

#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

extern const char pacta_lua_clock_advance[];

#define SCRIPT_NAME "clock_advance"
#define ERROR_MAX 512
/* 9999-12-31T23:59:59Z: the last instant pacta_date handles. */
#define MAX_INSTANT INT64_C(253402300799)

struct pacta_clock {
    pacta_clock_mode_t mode;            /* REAL or TEST */
    pacta_store_t *store;               /* borrowed; NULL in REAL mode */
    char error[ERROR_MAX];              /* last error message */
    pacta_clock_error_kind_t error_kind; /* and its kind */
};

static int
s_fail(pacta_clock_t *self, pacta_clock_error_kind_t kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
s_fail(pacta_clock_t *self, pacta_clock_error_kind_t kind, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    vsnprintf(self->error, sizeof self->error, fmt, args);
    va_end(args);
    self->error_kind = kind;
    return -1;
}

static void
s_ok(pacta_clock_t *self)
{
    self->error[0] = '\0';
    self->error_kind = PACTA_CLOCK_E_NONE;
}

int
pacta_clock_mode_parse(const char *text, pacta_clock_mode_t *out)
{
    if (!text)
        return -1;
    if (strcasecmp(text, "real") == 0)
        *out = PACTA_CLOCK_REAL;
    else if (strcasecmp(text, "test") == 0)
        *out = PACTA_CLOCK_TEST;
    else
        return -1;
    return 0;
}

const char *
pacta_clock_mode_name(pacta_clock_mode_t mode)
{
    return mode == PACTA_CLOCK_TEST ? "test" : "real";
}

int
pacta_clock_key(const char *tenant, char *buf, size_t size)
{
    if (!tenant || !*tenant || strlen(tenant) > PACTA_CLOCK_TENANT_MAX)
        return -1;
    for (const char *p = tenant; *p; p++) {
        char c = *p;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.'
                  || c == '_' || c == '-';
        if (!ok)
            return -1;
    }
    int n = snprintf(buf, size, "pacta:{clock:%s}", tenant);
    return n < 0 || (size_t) n >= size ? -1 : 0;
}

pacta_clock_t *
pacta_clock_new(pacta_clock_mode_t mode, pacta_store_t *store)
{
    assert(mode == PACTA_CLOCK_REAL || store);
    pacta_clock_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->mode = mode;
    self->store = mode == PACTA_CLOCK_TEST ? store : NULL;
    /* Registration only fails when connected and Redis rejects the script;
       the store retries the load at every connect anyway. */
    if (self->store && pacta_store_script_register(self->store, SCRIPT_NAME, pacta_lua_clock_advance) != 0
        && pacta_store_error_kind(self->store) == PACTA_STORE_E_REPLY) {
        pacta_clock_destroy(&self);
        return NULL;
    }
    return self;
}

void
pacta_clock_destroy(pacta_clock_t **self_p)
{
    assert(self_p);
    free(*self_p);
    *self_p = NULL;
}

pacta_clock_mode_t
pacta_clock_mode(const pacta_clock_t *self)
{
    assert(self);
    return self->mode;
}

const char *
pacta_clock_error(const pacta_clock_t *self)
{
    assert(self);
    return self->error;
}

pacta_clock_error_kind_t
pacta_clock_error_kind(const pacta_clock_t *self)
{
    assert(self);
    return self->error_kind;
}

static int
s_parse_instant(const char *text, size_t len, pacta_instant_t *out)
{
    char digits[32];
    if (len == 0 || len >= sizeof digits)
        return -1;
    memcpy(digits, text, len);
    digits[len] = '\0';
    char *end = NULL;
    errno = 0;
    long long v = strtoll(digits, &end, 10);
    if (errno != 0 || end != digits + len || v < 0 || v > MAX_INSTANT)
        return -1;
    *out = (pacta_instant_t) v;
    return 0;
}

int
pacta_clock_now(pacta_clock_t *self, const char *tenant, pacta_instant_t *out)
{
    assert(self && out);
    char key[PACTA_CLOCK_KEY_MAX];
    if (pacta_clock_key(tenant, key, sizeof key) != 0)
        return s_fail(self, PACTA_CLOCK_E_INVALID, "invalid tenant name");
    if (self->mode == PACTA_CLOCK_REAL) {
        *out = (pacta_instant_t) time(NULL);
        s_ok(self);
        return 0;
    }

    redisReply *reply = NULL;
    int rc = -1;
    if (pacta_store_command_strs(self->store, &reply, "GET", key, NULL) != 0) {
        s_fail(self, PACTA_CLOCK_E_STORE, "test clock of %s: %s", tenant, pacta_store_error(self->store));
        goto cleanup;
    }
    if (reply->type == REDIS_REPLY_NIL) {
        *out = (pacta_instant_t) time(NULL);   /* never set: follows the wall clock */
    }
    else if (reply->type != REDIS_REPLY_STRING || s_parse_instant(reply->str, reply->len, out) != 0) {
        s_fail(self, PACTA_CLOCK_E_STORE, "test clock of %s: key %s does not hold an instant", tenant, key);
        goto cleanup;
    }
    s_ok(self);
    rc = 0;

cleanup:
    if (reply)
        freeReplyObject(reply);
    return rc;
}

int
pacta_clock_today(pacta_clock_t *self, const char *tenant, pacta_date_t *out)
{
    assert(self && out);
    pacta_instant_t now;
    if (pacta_clock_now(self, tenant, &now) != 0)
        return -1;
    pacta_date_t today = pacta_date_from_instant(now);
    if (!pacta_date_is_valid(today))
        return s_fail(self, PACTA_CLOCK_E_INVALID, "clock of %s is outside the calendar", tenant);
    *out = today;
    return 0;
}

/* Runs clock_advance with mode "to" or "by". */
static int
s_move(pacta_clock_t *self, const char *tenant, const char *mode, int64_t amount, pacta_instant_t *now_out)
{
    char key[PACTA_CLOCK_KEY_MAX];
    if (pacta_clock_key(tenant, key, sizeof key) != 0)
        return s_fail(self, PACTA_CLOCK_E_INVALID, "invalid tenant name");
    if (self->mode != PACTA_CLOCK_TEST)
        return s_fail(self, PACTA_CLOCK_E_INVALID, "the clock is real: only a test clock can be moved");

    char amount_text[24], wall_text[24], max_text[24];
    snprintf(amount_text, sizeof amount_text, "%lld", (long long) amount);
    snprintf(wall_text, sizeof wall_text, "%lld", (long long) time(NULL));
    snprintf(max_text, sizeof max_text, "%lld", (long long) MAX_INSTANT);
    const char *keys[1] = {key};
    const char *args[4] = {mode, amount_text, wall_text, max_text};
    redisReply *reply = NULL;
    int rc = -1;

    if (pacta_store_script_run(self->store, &reply, SCRIPT_NAME, 1, keys, NULL, 4, args, NULL) != 0) {
        const char *why = pacta_store_error(self->store);
        if (pacta_store_error_kind(self->store) == PACTA_STORE_E_REPLY && strncmp(why, "BACKWARDS", 9) == 0)
            s_fail(self, PACTA_CLOCK_E_BACKWARDS, "test clock of %s cannot go backwards (%s)", tenant, why + 10);
        else if (pacta_store_error_kind(self->store) == PACTA_STORE_E_REPLY && strncmp(why, "BADARG", 6) == 0)
            s_fail(self, PACTA_CLOCK_E_INVALID, "test clock of %s: %s", tenant, why + 7);
        else
            s_fail(self, PACTA_CLOCK_E_STORE, "test clock of %s: %s", tenant, why);
        goto cleanup;
    }
    if (reply->type != REDIS_REPLY_INTEGER || reply->integer < 0 || reply->integer > MAX_INSTANT) {
        s_fail(self, PACTA_CLOCK_E_STORE, "test clock of %s: unexpected reply from %s", tenant, SCRIPT_NAME);
        goto cleanup;
    }
    if (now_out)
        *now_out = (pacta_instant_t) reply->integer;
    s_ok(self);
    rc = 0;

cleanup:
    if (reply)
        freeReplyObject(reply);
    return rc;
}

int
pacta_clock_set(pacta_clock_t *self, const char *tenant, pacta_instant_t instant, pacta_instant_t *now_out)
{
    assert(self);
    if (instant < 0 || instant > MAX_INSTANT)
        return s_fail(self, PACTA_CLOCK_E_INVALID, "instant %lld is out of range", (long long) instant);
    return s_move(self, tenant, "to", instant, now_out);
}

int
pacta_clock_advance(pacta_clock_t *self, const char *tenant, int64_t seconds, pacta_instant_t *now_out)
{
    assert(self);
    if (seconds > MAX_INSTANT || seconds < -MAX_INSTANT)
        return s_fail(self, PACTA_CLOCK_E_INVALID, "advance of %lld seconds is out of range", (long long) seconds);
    return s_move(self, tenant, "by", seconds, now_out);
}

int
pacta_clock_reset(pacta_clock_t *self, const char *tenant)
{
    assert(self);
    char key[PACTA_CLOCK_KEY_MAX];
    if (pacta_clock_key(tenant, key, sizeof key) != 0)
        return s_fail(self, PACTA_CLOCK_E_INVALID, "invalid tenant name");
    if (self->mode != PACTA_CLOCK_TEST)
        return s_fail(self, PACTA_CLOCK_E_INVALID, "the clock is real: only a test clock can be reset");
    if (pacta_store_command_strs(self->store, NULL, "DEL", key, NULL) != 0)
        return s_fail(self, PACTA_CLOCK_E_STORE, "test clock of %s: %s", tenant, pacta_store_error(self->store));
    s_ok(self);
    return 0;
}
