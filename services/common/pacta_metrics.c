/*  =========================================================================
    pacta_metrics - counters and gauges for /metrics (Prometheus text format)

    Every process exposes a handful of families with a few series each, so
    this is deliberately small: no histograms, no client library.

    Design decision: a series is keyed by its label set already rendered in
    exposition syntax ({type="InvoiceIssued",result="ok"}), escaping done
    once at creation. Lookup is a string compare, rendering is a copy, and
    what /metrics prints is exactly what the lookup matched. One mutex guards
    the whole registry; updates are a lookup plus an add, so contention with
    the scraping thread is negligible.
    =========================================================================
*/
#include "pacta_metrics.h"

#include <assert.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LABELS_MAX 4096          /* longest rendered label set */
#define NAME_MAX_LEN 200         /* longest metric or label name */

typedef struct {
    char *labels;                /* rendered label set, "" when none, owned */
    double value;                /* current value */
} series_t;

typedef struct {
    char *name;                  /* metric name, owned */
    char *help;                  /* HELP text, owned */
    pacta_metric_type_t type;    /* counter or gauge */
    series_t *series;            /* series in creation order */
    size_t series_count;         /* used entries */
    size_t series_capacity;      /* allocated entries */
} family_t;

struct pacta_metrics {
    pthread_mutex_t mutex;       /* guards everything below */
    family_t *families;          /* families in definition order */
    size_t family_count;         /* used entries */
    size_t family_capacity;      /* allocated entries */
};

/* A growable text buffer with a hard cap. */
typedef struct {
    char *data;                  /* NUL-terminated text */
    size_t len;                  /* bytes used, NUL excluded */
    size_t capacity;             /* bytes allocated */
    size_t cap;                  /* refuse to grow beyond this */
    bool failed;                 /* an append failed: the text is unusable */
} text_t;

static void
s_text_append(text_t *t, const char *bytes, size_t len)
{
    if (t->failed)
        return;
    if (t->len + len + 1 > t->cap) {
        t->failed = true;
        return;
    }
    if (t->len + len + 1 > t->capacity) {
        size_t capacity = t->capacity ? t->capacity : 256;
        while (capacity < t->len + len + 1)
            capacity *= 2;
        char *grown = realloc(t->data, capacity);
        if (!grown) {
            t->failed = true;
            return;
        }
        t->data = grown;
        t->capacity = capacity;
    }
    memcpy(t->data + t->len, bytes, len);
    t->len += len;
    t->data[t->len] = '\0';
}

static void
s_text_puts(text_t *t, const char *s)
{
    s_text_append(t, s, strlen(s));
}

/* Escapes per the exposition format: label values escape backslash, quote
   and newline; HELP text escapes backslash and newline only. */
static void
s_text_escaped(text_t *t, const char *s, bool escape_quote)
{
    for (const char *p = s; *p; p++) {
        if (*p == '\\')
            s_text_append(t, "\\\\", 2);
        else if (*p == '\n')
            s_text_append(t, "\\n", 2);
        else if (*p == '"' && escape_quote)
            s_text_append(t, "\\\"", 2);
        else
            s_text_append(t, p, 1);
    }
}

static bool
s_valid_name(const char *name, bool allow_colon)
{
    size_t len = strlen(name);
    if (len == 0 || len > NAME_MAX_LEN)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (allow_colon && c == ':')
                  || (i > 0 && c >= '0' && c <= '9');
        if (!ok)
            return false;
    }
    return true;
}

/* ---- construction ----------------------------------------------------------- */

pacta_metrics_t *
pacta_metrics_new(void)
{
    pacta_metrics_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    pthread_mutex_init(&self->mutex, NULL);
    return self;
}

void
pacta_metrics_destroy(pacta_metrics_t **self_p)
{
    assert(self_p);
    pacta_metrics_t *self = *self_p;
    if (!self)
        return;
    for (size_t i = 0; i < self->family_count; i++) {
        family_t *f = &self->families[i];
        for (size_t k = 0; k < f->series_count; k++)
            free(f->series[k].labels);
        free(f->series);
        free(f->name);
        free(f->help);
    }
    free(self->families);
    pthread_mutex_destroy(&self->mutex);
    free(self);
    *self_p = NULL;
}

static family_t *
s_find_family(pacta_metrics_t *self, const char *name)
{
    for (size_t i = 0; i < self->family_count; i++)
        if (strcmp(self->families[i].name, name) == 0)
            return &self->families[i];
    return NULL;
}

int
pacta_metrics_define(pacta_metrics_t *self, const char *name, pacta_metric_type_t type, const char *help)
{
    assert(self && name);
    if (!s_valid_name(name, true) || (type != PACTA_METRIC_COUNTER && type != PACTA_METRIC_GAUGE))
        return -1;
    int rc = -1;
    pthread_mutex_lock(&self->mutex);
    family_t *existing = s_find_family(self, name);
    if (existing) {
        rc = existing->type == type ? 0 : -1;
        goto cleanup;
    }
    if (self->family_count == self->family_capacity) {
        size_t capacity = self->family_capacity ? self->family_capacity * 2 : 16;
        family_t *grown = realloc(self->families, capacity * sizeof *grown);
        if (!grown)
            goto cleanup;
        self->families = grown;
        self->family_capacity = capacity;
    }
    family_t *f = &self->families[self->family_count];
    memset(f, 0, sizeof *f);
    f->name = strdup(name);
    f->help = strdup(help ? help : "");
    f->type = type;
    if (!f->name || !f->help) {
        free(f->name);
        free(f->help);
        goto cleanup;
    }
    self->family_count++;
    rc = 0;

cleanup:
    pthread_mutex_unlock(&self->mutex);
    return rc;
}

/* Renders the label pairs of args into *out (caller frees). 0 or -1. */
static int
s_render_labels(va_list args, char **out)
{
    text_t t = {.cap = LABELS_MAX};
    bool first = true;
    s_text_append(&t, "", 0);
    for (;;) {
        const char *key = va_arg(args, const char *);
        if (!key)
            break;
        const char *value = va_arg(args, const char *);
        if (!s_valid_name(key, false) || strncmp(key, "__", 2) == 0 || !value) {
            t.failed = true;
            /* keep consuming: va_list must reach the sentinel */
            continue;
        }
        s_text_append(&t, first ? "{" : ",", 1);
        s_text_puts(&t, key);
        s_text_append(&t, "=\"", 2);
        s_text_escaped(&t, value, true);
        s_text_append(&t, "\"", 1);
        first = false;
    }
    if (!first)
        s_text_append(&t, "}", 1);
    if (t.failed) {
        free(t.data);
        return -1;
    }
    *out = t.data;
    return 0;
}

typedef enum { OP_ADD, OP_SET } op_t;

/* Finds or creates the series and applies op. Called with the mutex held. */
static int
s_update(pacta_metrics_t *self, const char *name, pacta_metric_type_t type, op_t op, double amount,
         char *labels)
{
    family_t *f = s_find_family(self, name);
    if (!f || f->type != type)
        return -1;
    series_t *s = NULL;
    for (size_t i = 0; i < f->series_count; i++) {
        if (strcmp(f->series[i].labels, labels) == 0) {
            s = &f->series[i];
            break;
        }
    }
    if (!s) {
        if (f->series_count >= PACTA_METRICS_MAX_SERIES)
            return -1;
        if (f->series_count == f->series_capacity) {
            size_t capacity = f->series_capacity ? f->series_capacity * 2 : 4;
            series_t *grown = realloc(f->series, capacity * sizeof *grown);
            if (!grown)
                return -1;
            f->series = grown;
            f->series_capacity = capacity;
        }
        s = &f->series[f->series_count];
        s->labels = strdup(labels);
        if (!s->labels)
            return -1;
        s->value = 0;
        f->series_count++;
    }
    if (op == OP_SET)
        s->value = amount;
    else
        s->value += amount;
    return 0;
}

static int
s_apply(pacta_metrics_t *self, const char *name, pacta_metric_type_t type, op_t op, double amount,
        va_list args)
{
    char *labels = NULL;
    if (s_render_labels(args, &labels) != 0)
        return -1;
    if (isnan(amount) || (type == PACTA_METRIC_COUNTER && (amount < 0 || isinf(amount)))) {
        free(labels);
        return -1;
    }
    pthread_mutex_lock(&self->mutex);
    int rc = s_update(self, name, type, op, amount, labels);
    pthread_mutex_unlock(&self->mutex);
    free(labels);
    return rc;
}

int
pacta_metrics_counter_add(pacta_metrics_t *self, const char *name, double delta, ...)
{
    assert(self && name);
    va_list args;
    va_start(args, delta);
    int rc = s_apply(self, name, PACTA_METRIC_COUNTER, OP_ADD, delta, args);
    va_end(args);
    return rc;
}

int
pacta_metrics_gauge_set(pacta_metrics_t *self, const char *name, double value, ...)
{
    assert(self && name);
    va_list args;
    va_start(args, value);
    int rc = s_apply(self, name, PACTA_METRIC_GAUGE, OP_SET, value, args);
    va_end(args);
    return rc;
}

int
pacta_metrics_gauge_add(pacta_metrics_t *self, const char *name, double delta, ...)
{
    assert(self && name);
    va_list args;
    va_start(args, delta);
    int rc = s_apply(self, name, PACTA_METRIC_GAUGE, OP_ADD, delta, args);
    va_end(args);
    return rc;
}

int
pacta_metrics_value(pacta_metrics_t *self, const char *name, double *out, ...)
{
    assert(self && name && out);
    char *labels = NULL;
    va_list args;
    va_start(args, out);
    int rc = s_render_labels(args, &labels);
    va_end(args);
    if (rc != 0)
        return -1;
    rc = -1;
    pthread_mutex_lock(&self->mutex);
    family_t *f = s_find_family(self, name);
    for (size_t i = 0; f && i < f->series_count; i++) {
        if (strcmp(f->series[i].labels, labels) == 0) {
            *out = f->series[i].value;
            rc = 0;
            break;
        }
    }
    pthread_mutex_unlock(&self->mutex);
    free(labels);
    return rc;
}

/* ---- rendering ----------------------------------------------------------------- */

/* Shortest text that reads back as the same double; integers without an
   exponent or decimals, which is what people expect from a counter. */
static void
s_format_value(double v, char *buf, size_t size)
{
    if (isnan(v))
        snprintf(buf, size, "NaN");
    else if (isinf(v))
        snprintf(buf, size, v > 0 ? "+Inf" : "-Inf");
    else if (v == floor(v) && fabs(v) < 1e15)
        snprintf(buf, size, "%.0f", v);
    else {
        snprintf(buf, size, "%.15g", v);
        if (strtod(buf, NULL) != v)
            snprintf(buf, size, "%.17g", v);
    }
}

char *
pacta_metrics_render(pacta_metrics_t *self, size_t *len_out)
{
    assert(self);
    text_t t = {.cap = SIZE_MAX};
    s_text_append(&t, "", 0);
    pthread_mutex_lock(&self->mutex);
    for (size_t i = 0; i < self->family_count; i++) {
        const family_t *f = &self->families[i];
        s_text_puts(&t, "# HELP ");
        s_text_puts(&t, f->name);
        s_text_append(&t, " ", 1);
        s_text_escaped(&t, f->help, false);
        s_text_puts(&t, "\n# TYPE ");
        s_text_puts(&t, f->name);
        s_text_puts(&t, f->type == PACTA_METRIC_COUNTER ? " counter\n" : " gauge\n");
        for (size_t k = 0; k < f->series_count; k++) {
            char value[40];
            s_format_value(f->series[k].value, value, sizeof value);
            s_text_puts(&t, f->name);
            s_text_puts(&t, f->series[k].labels);
            s_text_append(&t, " ", 1);
            s_text_puts(&t, value);
            s_text_append(&t, "\n", 1);
        }
    }
    pthread_mutex_unlock(&self->mutex);
    if (t.failed) {
        free(t.data);
        return NULL;
    }
    if (len_out)
        *len_out = t.len;
    return t.data;
}
