/*  Tests of pacta_metrics: the exact Prometheus text format, label and HELP
    escaping, refusal of invalid updates, and exact counts under concurrent
    increments while another thread renders. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pacta_metrics.h"

static pacta_metrics_t *s_metrics;

static void
s_setup(void)
{
    s_metrics = pacta_metrics_new();
    cr_assert_not_null(s_metrics);
}

static void
s_teardown(void)
{
    pacta_metrics_destroy(&s_metrics);
    cr_assert_null(s_metrics);
    pacta_metrics_destroy(&s_metrics);   /* safe twice */
}

TestSuite(metrics, .init = s_setup, .fini = s_teardown);

static char *
s_render(void)
{
    size_t len = 0;
    char *text = pacta_metrics_render(s_metrics, &len);
    cr_assert_not_null(text);
    cr_assert_eq(strlen(text), len);
    return text;
}

Test(metrics, exposition_format_exact)
{
    cr_assert_eq(pacta_metrics_define(s_metrics, "pacta_messages_total", PACTA_METRIC_COUNTER,
                                      "Messages handled, by type and result."), 0);
    cr_assert_eq(pacta_metrics_define(s_metrics, "pacta_queue_depth", PACTA_METRIC_GAUGE, "Items waiting."), 0);
    cr_assert_eq(pacta_metrics_counter_add(s_metrics, "pacta_messages_total", 1, "type", "InvoiceIssued",
                                           "result", "ok", NULL), 0);
    cr_assert_eq(pacta_metrics_counter_add(s_metrics, "pacta_messages_total", 2, "type", "InvoiceIssued",
                                           "result", "ok", NULL), 0);
    cr_assert_eq(pacta_metrics_counter_add(s_metrics, "pacta_messages_total", 1, "type", "PaymentReceived",
                                           "result", "nack", NULL), 0);
    cr_assert_eq(pacta_metrics_gauge_set(s_metrics, "pacta_queue_depth", 7, NULL), 0);
    cr_assert_eq(pacta_metrics_gauge_add(s_metrics, "pacta_queue_depth", -2.5, NULL), 0);
    char *text = s_render();
    cr_assert_str_eq(text,
                     "# HELP pacta_messages_total Messages handled, by type and result.\n"
                     "# TYPE pacta_messages_total counter\n"
                     "pacta_messages_total{type=\"InvoiceIssued\",result=\"ok\"} 3\n"
                     "pacta_messages_total{type=\"PaymentReceived\",result=\"nack\"} 1\n"
                     "# HELP pacta_queue_depth Items waiting.\n"
                     "# TYPE pacta_queue_depth gauge\n"
                     "pacta_queue_depth 4.5\n");
    free(text);
}

Test(metrics, label_values_and_help_are_escaped)
{
    pacta_metrics_define(s_metrics, "pacta_odd", PACTA_METRIC_GAUGE, "Back\\slash and\nnewline \"quoted\".");
    pacta_metrics_gauge_set(s_metrics, "pacta_odd", 1, "tenant", "a\"b\\c\nd", NULL);
    char *text = s_render();
    cr_assert_not_null(strstr(text, "# HELP pacta_odd Back\\\\slash and\\nnewline \"quoted\".\n"), "%s", text);
    cr_assert_not_null(strstr(text, "pacta_odd{tenant=\"a\\\"b\\\\c\\nd\"} 1\n"), "%s", text);
    /* no raw newline inside a sample line */
    size_t lines = 0;
    for (const char *p = text; *p; p++)
        lines += *p == '\n';
    cr_assert_eq(lines, 3, "%s", text);
    free(text);
}

Test(metrics, value_formatting)
{
    pacta_metrics_define(s_metrics, "g", PACTA_METRIC_GAUGE, "g");
    static const struct {
        double value;
        const char *text;
    } cases[] = {
        {0, "g 0\n"},          {42, "g 42\n"},        {-3, "g -3\n"},
        {0.1, "g 0.1\n"},      {1.5, "g 1.5\n"},      {1763768400, "g 1763768400\n"},
        {1e20, "g 1e+20\n"},   {1.0 / 3, "g 0.33333333333333331\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pacta_metrics_gauge_set(s_metrics, "g", cases[i].value, NULL);
        char *text = s_render();
        const char *sample = strstr(text, "\ng ");
        cr_assert_not_null(sample, "%s", text);
        cr_assert_str_eq(sample + 1, cases[i].text);
        free(text);
    }
    pacta_metrics_gauge_set(s_metrics, "g", 1.0 / 0.0, NULL);
    char *text = s_render();
    cr_assert_not_null(strstr(text, "\ng +Inf\n"), "%s", text);
    free(text);
}

Test(metrics, invalid_updates_are_refused)
{
    pacta_metrics_define(s_metrics, "pacta_c_total", PACTA_METRIC_COUNTER, "c");
    pacta_metrics_define(s_metrics, "pacta_g", PACTA_METRIC_GAUGE, "g");
    cr_assert_eq(pacta_metrics_counter_add(s_metrics, "pacta_c_total", -1, NULL), -1, "negative counter delta");
    cr_assert_eq(pacta_metrics_counter_add(s_metrics, "pacta_c_total", 0.0 / 0.0, NULL), -1, "NaN");
    cr_assert_eq(pacta_metrics_counter_add(s_metrics, "undefined_total", 1, NULL), -1, "undefined family");
    cr_assert_eq(pacta_metrics_gauge_set(s_metrics, "pacta_c_total", 1, NULL), -1, "gauge op on a counter");
    cr_assert_eq(pacta_metrics_counter_add(s_metrics, "pacta_g", 1, NULL), -1, "counter op on a gauge");
    cr_assert_eq(pacta_metrics_counter_add(s_metrics, "pacta_c_total", 1, "bad-label", "x", NULL), -1);
    cr_assert_eq(pacta_metrics_counter_add(s_metrics, "pacta_c_total", 1, "__reserved", "x", NULL), -1);
    cr_assert_eq(pacta_metrics_counter_add(s_metrics, "pacta_c_total", 1, "1st", "x", NULL), -1);
    cr_assert_eq(pacta_metrics_counter_add(s_metrics, "pacta_c_total", 1, "k", (const char *) NULL, NULL), -1);
    cr_assert_eq(pacta_metrics_define(s_metrics, "bad name", PACTA_METRIC_GAUGE, "x"), -1);
    cr_assert_eq(pacta_metrics_define(s_metrics, "9lives", PACTA_METRIC_GAUGE, "x"), -1);
    cr_assert_eq(pacta_metrics_define(s_metrics, "pacta_c_total", PACTA_METRIC_GAUGE, "x"), -1, "type change");
    cr_assert_eq(pacta_metrics_define(s_metrics, "pacta_c_total", PACTA_METRIC_COUNTER, "again"), 0);
    cr_assert_eq(pacta_metrics_define(s_metrics, "ns:sub_total", PACTA_METRIC_COUNTER, "colons allowed"), 0);
    /* nothing of the refused updates reached the registry */
    char *text = s_render();
    cr_assert_str_eq(text, "# HELP pacta_c_total c\n# TYPE pacta_c_total counter\n"
                           "# HELP pacta_g g\n# TYPE pacta_g gauge\n"
                           "# HELP ns:sub_total colons allowed\n# TYPE ns:sub_total counter\n");
    free(text);
}

Test(metrics, value_reads_back_a_series)
{
    pacta_metrics_define(s_metrics, "pacta_x_total", PACTA_METRIC_COUNTER, "x");
    pacta_metrics_counter_add(s_metrics, "pacta_x_total", 2, "a", "1", NULL);
    double v = -1;
    cr_assert_eq(pacta_metrics_value(s_metrics, "pacta_x_total", &v, "a", "1", NULL), 0);
    cr_assert_eq(v, 2);
    cr_assert_eq(pacta_metrics_value(s_metrics, "pacta_x_total", &v, "a", "2", NULL), -1);
    cr_assert_eq(pacta_metrics_value(s_metrics, "pacta_x_total", &v, NULL), -1, "unlabelled series is another");
}

Test(metrics, series_cap_limits_cardinality)
{
    pacta_metrics_define(s_metrics, "pacta_ids_total", PACTA_METRIC_COUNTER, "a label per id: a bug");
    char id[16];
    for (int i = 0; i < PACTA_METRICS_MAX_SERIES; i++) {
        snprintf(id, sizeof id, "%d", i);
        cr_assert_eq(pacta_metrics_counter_add(s_metrics, "pacta_ids_total", 1, "id", id, NULL), 0);
    }
    cr_assert_eq(pacta_metrics_counter_add(s_metrics, "pacta_ids_total", 1, "id", "one-too-many", NULL), -1);
    cr_assert_eq(pacta_metrics_counter_add(s_metrics, "pacta_ids_total", 1, "id", "0", NULL), 0,
                 "existing series still update");
}

/* ---- concurrency ---------------------------------------------------------- */

#define WORKERS 4
#define INCREMENTS 20000

static atomic_int s_rendering;

static void *
s_increment(void *arg)
{
    const char *label = arg;
    for (int i = 0; i < INCREMENTS; i++) {
        pacta_metrics_counter_add(s_metrics, "pacta_hits_total", 1, NULL);
        pacta_metrics_counter_add(s_metrics, "pacta_hits_by_total", 1, "worker", label, NULL);
    }
    return NULL;
}

/* Renders until told to stop; returns the number of bad renders (asserting
   off the test's own thread is not allowed in Criterion). */
static void *
s_render_loop(void *arg)
{
    (void) arg;
    intptr_t bad = 0;
    while (s_rendering) {
        char *text = pacta_metrics_render(s_metrics, NULL);
        if (!text || !strstr(text, "# TYPE pacta_hits_total counter\n"))
            bad++;
        free(text);
    }
    return (void *) bad;
}

Test(metrics, concurrent_increments_are_exact)
{
    pacta_metrics_define(s_metrics, "pacta_hits_total", PACTA_METRIC_COUNTER, "hits");
    pacta_metrics_define(s_metrics, "pacta_hits_by_total", PACTA_METRIC_COUNTER, "hits by worker");
    static const char *const labels[WORKERS] = {"w0", "w1", "w2", "w3"};
    pthread_t workers[WORKERS], renderer;
    s_rendering = 1;
    cr_assert_eq(pthread_create(&renderer, NULL, s_render_loop, NULL), 0);
    for (int i = 0; i < WORKERS; i++)
        cr_assert_eq(pthread_create(&workers[i], NULL, s_increment, (void *) labels[i]), 0);
    for (int i = 0; i < WORKERS; i++)
        pthread_join(workers[i], NULL);
    s_rendering = 0;
    void *bad_renders = NULL;
    pthread_join(renderer, &bad_renders);
    cr_assert_eq((intptr_t) bad_renders, 0);
    double total = 0;
    cr_assert_eq(pacta_metrics_value(s_metrics, "pacta_hits_total", &total, NULL), 0);
    cr_assert_eq(total, WORKERS * INCREMENTS);
    for (int i = 0; i < WORKERS; i++) {
        double v = 0;
        cr_assert_eq(pacta_metrics_value(s_metrics, "pacta_hits_by_total", &v, "worker", labels[i], NULL), 0);
        cr_assert_eq(v, INCREMENTS, "%s", labels[i]);
    }
}
