/*  =========================================================================
    pacta_config - command-line flags and PACTA_* environment variables

    Options are declared in a table. An option named "redis_url" is set by
    the flag --redis-url (or --redis-url=VALUE) or by the environment
    variable PACTA_REDIS_URL; the flag wins over the environment, which wins
    over the default. Options marked PACTA_OPT_FILE can also be read from a
    file named by --NAME-file / PACTA_NAME_FILE (docker and k8s secrets);
    giving both NAME and NAME_FILE at the same level is an error.

    Bool flags take no separate value: --name sets true, --name=false and
    --no-name set false. Durations are "250ms", "5s", "2m", "1h", "1d" or a
    sum like "1m30s"; "0" is accepted without a unit.

    --help prints a usage listing every option with its variable and default;
    --version prints "NAME VERSION". Errors (unknown flag, missing or bad
    value, unreadable file) name the flag or variable at fault; the caller
    exits with PACTA_EXIT_USAGE.
    =========================================================================
*/
#ifndef PACTA_CONFIG_H_INCLUDED
#define PACTA_CONFIG_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Exit code for a command-line or configuration error (sysexits style). */
#define PACTA_EXIT_USAGE 2

typedef enum {
    PACTA_OPT_STRING = 0,
    PACTA_OPT_INT,        /* int64, optional [min, max] */
    PACTA_OPT_BOOL,       /* true/false, yes/no, on/off, 1/0 */
    PACTA_OPT_DURATION    /* read back in milliseconds */
} pacta_config_type_t;

/* Option flags. */
#define PACTA_OPT_SECRET 0x1u   /* never printed: --help shows "(secret)" */
#define PACTA_OPT_FILE   0x2u   /* also accept --NAME-file and PACTA_NAME_FILE */

/* One row of an option table. Strings are not copied: they must outlive the
   pacta_config_t (string literals in practice). */
typedef struct {
    const char *name;            /* lower_snake_case: --lower-snake-case, PACTA_LOWER_SNAKE_CASE */
    pacta_config_type_t type;    /* how values are parsed and read back */
    const char *default_value;   /* textual default, parsed like any value; NULL = no value */
    const char *help;            /* one line for --help */
    unsigned flags;              /* PACTA_OPT_SECRET | PACTA_OPT_FILE */
    int64_t min;                 /* PACTA_OPT_INT: inclusive bounds, checked only when min < max */
    int64_t max;                 /* see min */
    const char *choices;         /* PACTA_OPT_STRING: allowed values "a|b|c" (case-sensitive), NULL = any */
} pacta_config_option_t;

/* Where an option's value came from. */
typedef enum {
    PACTA_CONFIG_FROM_NONE = 0,  /* no default and not given */
    PACTA_CONFIG_FROM_DEFAULT,
    PACTA_CONFIG_FROM_ENV,       /* PACTA_NAME or PACTA_NAME_FILE */
    PACTA_CONFIG_FROM_FLAG       /* --name or --name-file */
} pacta_config_source_t;

typedef struct pacta_config pacta_config_t;

/* A configuration for program `name` (used by --version and as the usage
   line's program when argv[0] is missing). summary may be NULL. Caller owns
   the result. */
pacta_config_t *pacta_config_new(const char *name, const char *version, const char *summary);
void pacta_config_destroy(pacta_config_t **self_p);

/* Declares count options. A duplicate or malformed name is a programmer
   error (assert). 0 or -1 (out of memory). */
int pacta_config_add(pacta_config_t *self, const pacta_config_option_t *options, size_t count);

/* Where --help/--version text and error messages go (default stdout and
   stderr); either may be NULL to stay silent. */
void pacta_config_set_output(pacta_config_t *self, FILE *out, FILE *err);

/* Parses argv and the environment. envp is a NULL-terminated "KEY=VALUE"
   array, or NULL for the process environment. Returns
     0   configuration ready;
     1   --help or --version was printed: exit 0;
    -1   error, message printed to err and kept in pacta_config_error():
         exit PACTA_EXIT_USAGE. */
int pacta_config_parse(pacta_config_t *self, int argc, char *const *argv, char *const *envp);

/* Last parse error, "" if none. */
const char *pacta_config_error(const pacta_config_t *self);
/* Writes the --help text to out. */
void pacta_config_print_help(const pacta_config_t *self, FILE *out);

/* Getters (after a successful parse). Asking for an undeclared option, or
   for a typed value of another type, is a programmer error (assert).
   pacta_config_string() works for every type: the value's text as given. */
const char *pacta_config_string(const pacta_config_t *self, const char *name);  /* NULL if no value */
int64_t pacta_config_int(const pacta_config_t *self, const char *name);         /* 0 if no value */
bool pacta_config_bool(const pacta_config_t *self, const char *name);           /* false if no value */
int64_t pacta_config_duration_ms(const pacta_config_t *self, const char *name); /* 0 if no value */
pacta_config_source_t pacta_config_source(const pacta_config_t *self, const char *name);
/* True if name was declared. */
bool pacta_config_has(const pacta_config_t *self, const char *name);

/* Parsers used for values, exposed for reuse and tests: 0 or -1, *out
   untouched on failure. */
int pacta_config_parse_bool(const char *text, bool *out);
int pacta_config_parse_duration_ms(const char *text, int64_t *out);
int pacta_config_parse_int(const char *text, int64_t *out);

#ifdef __cplusplus
}
#endif

#endif
