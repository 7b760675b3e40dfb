/*  =========================================================================
    pacta_log - one JSON object per line, for every service

    A line looks like
      {"ts":"2026-11-21T23:40:00.123Z","level":"info","service":"contracts",
       "msg":"contract renewed","tenant":"capconnect","contract":"C-42"}
    (on one line). Every string is JSON-escaped; invalid UTF-8 becomes U+FFFD.
    A line is built in a bounded buffer and written with a single write(), so
    processes sharing one stdout never interleave their lines (up to PIPE_BUF
    bytes for pipes; a mutex serialises the threads of one process).

    Usage:
      pacta_log_info("contract renewed", "tenant", tenant, "contract", id);
      pacta_log_error("redis unreachable", "error", pacta_store_error(store));
    The macros append the NULL sentinel themselves; a NULL value is written
    as JSON null. For integer fields use pacta_log_fields().
    =========================================================================
*/
#ifndef PACTA_LOG_H_INCLUDED
#define PACTA_LOG_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    PACTA_LOG_DEBUG = 0,
    PACTA_LOG_INFO = 1,
    PACTA_LOG_WARN = 2,
    PACTA_LOG_ERROR = 3
} pacta_log_level_t;

/* Longest line written, newline included. A line that would be longer
   keeps as many whole fields as fit and gains "truncated":true. */
#define PACTA_LOG_LINE_MAX 16384

/* One extra field for pacta_log_fields(). */
typedef struct {
    const char *key;   /* field name, JSON-escaped on output */
    const char *str;   /* string value; NULL means "use num" */
    int64_t num;       /* integer value, written as a JSON number when str is NULL */
} pacta_log_field_t;

/* ---- process-wide settings (thread-safe) ------------------------------ */

/* Name written in the "service" field (default "pacta"); copied, truncated
   to 63 bytes. */
void pacta_log_set_service(const char *service);
/* Lines below level are dropped (default PACTA_LOG_INFO). */
void pacta_log_set_level(pacta_log_level_t level);
pacta_log_level_t pacta_log_level(void);
/* True if a line at level would be written. */
bool pacta_log_enabled(pacta_log_level_t level);
/* Where lines go (default STDOUT_FILENO). The caller keeps fd open. */
void pacta_log_set_fd(int fd);

/* "debug"/"info"/"warn"/"error" (also "warning") into *out: 0, or -1 and
   *out untouched. */
int pacta_log_level_parse(const char *text, pacta_log_level_t *out);
const char *pacta_log_level_name(pacta_log_level_t level);

/* ---- writing ------------------------------------------------------------ */

/* msg followed by key, value, key, value, ..., NULL (const char * each). */
void pacta_log(pacta_log_level_t level, const char *msg, ...) __attribute__((sentinel));
/* msg plus count fields, strings or integers. */
void pacta_log_fields(pacta_log_level_t level, const char *msg, const pacta_log_field_t *fields,
                      size_t count);

#define pacta_log_debug(...) pacta_log(PACTA_LOG_DEBUG, __VA_ARGS__, (const char *) NULL)
#define pacta_log_info(...)  pacta_log(PACTA_LOG_INFO, __VA_ARGS__, (const char *) NULL)
#define pacta_log_warn(...)  pacta_log(PACTA_LOG_WARN, __VA_ARGS__, (const char *) NULL)
#define pacta_log_error(...) pacta_log(PACTA_LOG_ERROR, __VA_ARGS__, (const char *) NULL)

/* ---- JSON helpers shared with the HTTP endpoint ------------------------ */

/* Appends text[0..len) to buf at *pos as a quoted JSON string: quotes,
   backslashes and control characters escaped, invalid UTF-8 replaced by
   U+FFFD. Keeps buf NUL-terminated. 0 and *pos advanced, or -1 (no room;
   *pos and buf[*pos] unchanged). */
int pacta_json_append_string(char *buf, size_t size, size_t *pos, const char *text, size_t len);
/* Appends raw bytes (already valid JSON). Same contract. */
int pacta_json_append_raw(char *buf, size_t size, size_t *pos, const char *raw, size_t len);

#ifdef __cplusplus
}
#endif

#endif
