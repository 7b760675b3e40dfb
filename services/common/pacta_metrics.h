/*  =========================================================================
    pacta_metrics - counters and gauges for /metrics (Prometheus text format)

    Usage:
      pacta_metrics_define(m, "pacta_messages_total", PACTA_METRIC_COUNTER,
                           "Messages handled, by type and outcome.");
      pacta_metrics_counter_add(m, "pacta_messages_total", 1,
                                "type", "InvoiceIssued", "result", "ok", NULL);
      char *text = pacta_metrics_render(m, &len);   // caller frees

    A family must be defined before use (HELP text is mandatory). A series
    is identified by its label pairs, in the order given; keep the order
    stable at each call site. Label values are escaped on output; names are
    checked against the Prometheus grammar. Every function is thread-safe:
    the HTTP thread renders while service threads count.
    =========================================================================
*/
#ifndef PACTA_METRICS_H_INCLUDED
#define PACTA_METRICS_H_INCLUDED

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Cap on distinct label sets per family: a bug that puts an id in a label
   must not eat the memory of the service. Beyond it updates fail (-1). */
#define PACTA_METRICS_MAX_SERIES 10000

typedef enum {
    PACTA_METRIC_COUNTER = 0,   /* only goes up */
    PACTA_METRIC_GAUGE          /* any value */
} pacta_metric_type_t;

typedef struct pacta_metrics pacta_metrics_t;

pacta_metrics_t *pacta_metrics_new(void);
void pacta_metrics_destroy(pacta_metrics_t **self_p);

/* Declares a family. Redefining with the same type is a no-op (0); a bad
   name or a different type is -1. help is copied. */
int pacta_metrics_define(pacta_metrics_t *self, const char *name, pacta_metric_type_t type, const char *help);

/* Label arguments: key, value, key, value, ..., NULL (const char *).
   0, or -1 (undefined family, wrong type, bad label name, negative counter
   delta, NaN, series cap reached, out of memory). */
int pacta_metrics_counter_add(pacta_metrics_t *self, const char *name, double delta, ...)
    __attribute__((sentinel));
int pacta_metrics_gauge_set(pacta_metrics_t *self, const char *name, double value, ...)
    __attribute__((sentinel));
int pacta_metrics_gauge_add(pacta_metrics_t *self, const char *name, double delta, ...)
    __attribute__((sentinel));

/* Current value of a series (0 and -1 if it does not exist), for tests and
   for services that report their own counters. */
int pacta_metrics_value(pacta_metrics_t *self, const char *name, double *out, ...) __attribute__((sentinel));

/* The whole registry in text exposition format 0.0.4, NUL-terminated; the
   length (without NUL) in *len_out when not NULL. Caller frees. NULL on out
   of memory. */
char *pacta_metrics_render(pacta_metrics_t *self, size_t *len_out);

#ifdef __cplusplus
}
#endif

#endif
