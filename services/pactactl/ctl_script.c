/*  =========================================================================
    ctl_script - a replay file: events and clock moves in JSON lines

    Parsing only: the file is read whole (size-capped), split on newlines,
    and every line becomes a step or an error naming FILE:LINE and the
    field. pactactl_send.c applies the steps. Design decision: nothing is
    half-parsed -- a script either holds every step of the file or does
    not exist.
    =========================================================================
*/
#include "ctl_script.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pacta_profile.h"
#include "pactactl_priv.h"

#define STEP_ERR_SIZE 768

struct ctl_script {
    ctl_step_t *steps;    /* in file order */
    size_t count;         /* steps used */
    size_t capacity;      /* steps allocated */
};

static void
s_fail(char *err, size_t err_size, const char *name, int line, const char *what)
{
    if (err && err_size)
        snprintf(err, err_size, "%s:%d: %s", name, line, what);
}

char *
ctl_read_file(const char *path, size_t max, size_t *len_out, char *err, size_t err_size)
{
    const bool is_stdin = strcmp(path, "-") == 0;
    FILE *in = is_stdin ? stdin : fopen(path, "rb");
    char *buf = NULL, *result = NULL;
    size_t len = 0, capacity = 0;
    if (!in) {
        snprintf(err, err_size, "%s: %s", path, strerror(errno));
        return NULL;
    }
    for (;;) {
        if (len + 1 >= capacity) {
            //  Grow in steps, one byte past the cap to tell "exactly max"
            //  from "more than max".
            size_t next = capacity ? capacity * 2 : 65536;
            if (next > max + 2)
                next = max + 2;
            if (next <= len + 1) {
                snprintf(err, err_size, "%s: larger than %zu bytes", path, max);
                goto cleanup;
            }
            char *grown = realloc(buf, next);
            if (!grown) {
                snprintf(err, err_size, "%s: out of memory", path);
                goto cleanup;
            }
            buf = grown;
            capacity = next;
        }
        const size_t got = fread(buf + len, 1, capacity - 1 - len, in);
        len += got;
        if (got == 0)
            break;
    }
    if (ferror(in)) {
        snprintf(err, err_size, "%s: read error: %s", path, strerror(errno));
        goto cleanup;
    }
    if (len > max) {
        snprintf(err, err_size, "%s: larger than %zu bytes", path, max);
        goto cleanup;
    }
    buf[len] = '\0';
    *len_out = len;
    result = buf;
    buf = NULL;

cleanup:
    if (!is_stdin)
        fclose(in);
    free(buf);
    return result;
}

static ctl_step_t *
s_push(ctl_script_t *self)
{
    if (self->count == self->capacity) {
        const size_t next = self->capacity ? self->capacity * 2 : 64;
        ctl_step_t *grown = realloc(self->steps, next * sizeof *grown);
        if (!grown)
            return NULL;
        self->steps = grown;
        self->capacity = next;
    }
    ctl_step_t *step = &self->steps[self->count++];
    memset(step, 0, sizeof *step);
    return step;
}

//  A clock line into step->clock. 0, or -1 with "field: what" in what.
static int
s_parse_clock(const json_t *object, const char *default_tenant, ctl_clock_move_t *move, char *what, size_t size)
{
    const char *key;
    json_t *value;
    json_object_foreach((json_t *) object, key, value) {
        if (strcmp(key, "clock") && strcmp(key, "to") && strcmp(key, "days") && strcmp(key, "hours")
            && strcmp(key, "tenant") && strcmp(key, "comment")) {
            snprintf(what, size, "%s: unknown key of a clock move (clock, to, days, hours, tenant, comment)", key);
            return -1;
        }
    }
    const json_t *action = json_object_get(object, "clock");
    if (!json_is_string(action)
        || (strcmp(json_string_value(action), "set") != 0 && strcmp(json_string_value(action), "advance") != 0)) {
        snprintf(what, size, "clock: must be \"set\" or \"advance\"");
        return -1;
    }
    move->action = strcmp(json_string_value(action), "set") == 0 ? CTL_CLOCK_SET : CTL_CLOCK_ADVANCE;

    const json_t *tenant = json_object_get(object, "tenant");
    if (tenant && !json_is_string(tenant)) {
        snprintf(what, size, "tenant: must be a string");
        return -1;
    }
    const char *tenant_text = tenant ? json_string_value(tenant) : default_tenant;
    if (!tenant_text || !*tenant_text) {
        snprintf(what, size, "tenant: missing (give \"tenant\" or --tenant)");
        return -1;
    }
    if (!pacta_tenant_id_valid(tenant_text) || strlen(tenant_text) > CTL_SCRIPT_TENANT_MAX) {
        snprintf(what, size, "tenant: \"%s\" is not a tenant id (letters, digits, '.', '_', '-')", tenant_text);
        return -1;
    }
    snprintf(move->tenant, sizeof move->tenant, "%s", tenant_text);

    const json_t *to = json_object_get(object, "to");
    const json_t *days = json_object_get(object, "days");
    const json_t *hours = json_object_get(object, "hours");
    const int given = (to != NULL) + (days != NULL) + (hours != NULL);
    if (move->action == CTL_CLOCK_SET && (!to || given != 1)) {
        snprintf(what, size, "to: a clock set needs \"to\" (and no days or hours)");
        return -1;
    }
    if (given != 1) {
        snprintf(what, size, "clock: an advance needs exactly one of \"to\", \"days\", \"hours\"");
        return -1;
    }
    if (to) {
        if (!json_is_string(to) || ctl_parse_instant(json_string_value(to), &move->to) != 0) {
            snprintf(what, size, "to: must be YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ or @SECONDS");
            return -1;
        }
        move->absolute = true;
        snprintf(move->to_text, sizeof move->to_text, "%s", json_string_value(to));
        return 0;
    }
    const json_t *amount = days ? days : hours;
    const int64_t unit = days ? 86400 : 3600;
    const int64_t max = days ? 100 * 366 : 100 * 366 * 24;
    if (!json_is_integer(amount) || json_integer_value(amount) < 0 || json_integer_value(amount) > max) {
        snprintf(what, size, "%s: must be a whole number from 0 to %lld", days ? "days" : "hours", (long long) max);
        return -1;
    }
    move->absolute = false;
    move->seconds = (int64_t) json_integer_value(amount) * unit;
    snprintf(move->to_text, sizeof move->to_text, "+%lld %s", (long long) json_integer_value(amount),
             days ? "days" : "hours");
    return 0;
}

//  An expectation line into *expect. 0, or -1 with "field: what" in what.
static int
s_parse_expect(const json_t *object, const char *default_tenant, ctl_expect_t *expect, char *what, size_t size)
{
    static const struct {
        const char *name;       /* as written after "expect" */
        ctl_expect_what_t what; /* what it reads */
    } kinds[] = {{"contract", CTL_EXPECT_CONTRACT}, {"ledger", CTL_EXPECT_LEDGER},
                 {"enforcement", CTL_EXPECT_ENFORCEMENT}, {"invoice", CTL_EXPECT_INVOICE},
                 {"audit", CTL_EXPECT_AUDIT}, {"decision", CTL_EXPECT_AUDIT}};
    const char *key;
    json_t *value;
    json_object_foreach((json_t *) object, key, value) {
        if (strcmp(key, "expect") && strcmp(key, "id") && strcmp(key, "match") && strcmp(key, "count")
            && strcmp(key, "tenant") && strcmp(key, "comment")) {
            snprintf(what, size, "%s: unknown key of an expectation (expect, id, match, count, tenant, comment)", key);
            return -1;
        }
    }
    const json_t *kind = json_object_get(object, "expect");
    bool known = false;
    for (size_t i = 0; json_is_string(kind) && i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(json_string_value(kind), kinds[i].name) == 0) {
            expect->what = kinds[i].what;
            snprintf(expect->label, sizeof expect->label, "%s", kinds[i].name);
            known = true;
        }
    if (!known) {
        snprintf(what, size, "expect: must be contract, ledger, enforcement, invoice, audit or decision");
        return -1;
    }
    const json_t *tenant = json_object_get(object, "tenant");
    const char *tenant_text = json_is_string(tenant) ? json_string_value(tenant) : default_tenant;
    if (tenant && !json_is_string(tenant)) {
        snprintf(what, size, "tenant: must be a string");
        return -1;
    }
    if (!tenant_text || !*tenant_text) {
        snprintf(what, size, "tenant: missing (give \"tenant\" or --tenant)");
        return -1;
    }
    if (!pacta_tenant_id_valid(tenant_text) || strlen(tenant_text) > CTL_SCRIPT_TENANT_MAX) {
        snprintf(what, size, "tenant: \"%s\" is not a tenant id (letters, digits, '.', '_', '-')", tenant_text);
        return -1;
    }
    snprintf(expect->tenant, sizeof expect->tenant, "%s", tenant_text);
    const json_t *id = json_object_get(object, "id");
    if (!json_is_string(id) || json_string_length(id) == 0 || json_string_length(id) >= sizeof expect->id
        || strchr(json_string_value(id), ' ')) {
        snprintf(what, size, "id: the contract (or invoice) id, a string without spaces");
        return -1;
    }
    snprintf(expect->id, sizeof expect->id, "%s", json_string_value(id));
    json_t *match = json_object_get(object, "match");
    if (!json_is_object(match)) {
        snprintf(what, size, "match: an object with the fields expected");
        return -1;
    }
    expect->match = json_deep_copy(match);
    if (!expect->match) {
        snprintf(what, size, "out of memory");
        return -1;
    }
    if (strcmp(expect->label, "decision") == 0)
        json_object_set_new(expect->match, "entry", json_string("decision"));
    expect->count = -1;
    const json_t *count = json_object_get(object, "count");
    if (count) {
        if (expect->what != CTL_EXPECT_AUDIT || !json_is_integer(count) || json_integer_value(count) < 0
            || json_integer_value(count) > 1000000) {
            snprintf(what, size, "count: a whole number of audit entries (only for audit and decision)");
            return -1;
        }
        expect->count = (long) json_integer_value(count);
    }
    return 0;
}

ctl_script_t *
ctl_script_parse(const char *text, size_t len, const char *name, const char *default_tenant, char *err,
                 size_t err_size)
{
    ctl_script_t *self = calloc(1, sizeof *self);
    ctl_script_t *result = NULL;
    if (!self) {
        snprintf(err, err_size, "%s: out of memory", name);
        return NULL;
    }
    int line = 0;
    size_t start = 0;
    while (start < len) {
        line++;
        const char *nl = memchr(text + start, '\n', len - start);
        const size_t end = nl ? (size_t) (nl - text) : len;
        const char *row = text + start;
        size_t row_len = end - start;
        start = end + 1;
        while (row_len && (row[row_len - 1] == '\r' || row[row_len - 1] == ' ' || row[row_len - 1] == '\t'))
            row_len--;
        size_t skip = 0;
        while (skip < row_len && (row[skip] == ' ' || row[skip] == '\t'))
            skip++;
        if (skip == row_len || row[skip] == '#')
            continue;
        if (row_len > CTL_EVENT_MAX_BYTES) {
            s_fail(err, err_size, name, line, "line longer than 1 MiB");
            goto cleanup;
        }
        char what[STEP_ERR_SIZE];
        json_error_t error;
        json_t *object = json_loadb(row, row_len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &error);
        if (!object) {
            snprintf(what, sizeof what, "column %d: %s", error.column, error.text);
            s_fail(err, err_size, name, line, what);
            goto cleanup;
        }
        ctl_step_t *step = s_push(self);
        if (!step) {
            json_decref(object);
            s_fail(err, err_size, name, line, "out of memory");
            goto cleanup;
        }
        step->line = line;
        int rc = 0;
        if (json_is_object(object) && json_object_get(object, "clock")) {
            step->kind = CTL_STEP_CLOCK;
            rc = s_parse_clock(object, default_tenant, &step->clock, what, sizeof what);
        }
        else if (json_is_object(object) && json_object_get(object, "expect")) {
            step->kind = CTL_STEP_EXPECT;
            rc = s_parse_expect(object, default_tenant, &step->expect, what, sizeof what);
        }
        else {
            step->kind = CTL_STEP_EVENT;
            step->event = ctl_event_from_json(object, default_tenant, what, sizeof what);
            rc = step->event ? 0 : -1;
        }
        json_decref(object);
        if (rc != 0) {
            s_fail(err, err_size, name, line, what);
            goto cleanup;
        }
    }
    result = self;
    self = NULL;

cleanup:
    ctl_script_destroy(&self);
    return result;
}

ctl_script_t *
ctl_script_load(const char *path, const char *default_tenant, char *err, size_t err_size)
{
    size_t len = 0;
    char *text = ctl_read_file(path, CTL_SCRIPT_MAX_BYTES, &len, err, err_size);
    if (!text)
        return NULL;
    ctl_script_t *self = ctl_script_parse(text, len, strcmp(path, "-") == 0 ? "(stdin)" : path, default_tenant, err,
                                          err_size);
    free(text);
    return self;
}

void
ctl_script_destroy(ctl_script_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    ctl_script_t *self = *self_p;
    for (size_t i = 0; i < self->count; i++) {
        ctl_event_destroy(&self->steps[i].event);
        json_decref(self->steps[i].expect.match);
    }
    free(self->steps);
    free(self);
    *self_p = NULL;
}

size_t
ctl_script_count(const ctl_script_t *self)
{
    return self->count;
}

const ctl_step_t *
ctl_script_at(const ctl_script_t *self, size_t index)
{
    return index < self->count ? &self->steps[index] : NULL;
}
