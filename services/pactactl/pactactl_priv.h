/*  =========================================================================
    pactactl_priv - what the command files of pactactl share

    pactactl_cmd.c holds main, the argument helpers and the profile, dates
    and clock commands; pactactl_send.c sends and replays events;
    pactactl_state.c reads contracts, invoices, timelines and proposals.
    Every command receives the parsed global options in a ctl_t and
    returns an exit code (CTL_EXIT_*).
    =========================================================================
*/
#ifndef PACTACTL_PRIV_H_INCLUDED
#define PACTACTL_PRIV_H_INCLUDED

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "pacta_bus_producer.h"
#include "pacta_config.h"
#include "pacta_date.h"
#include "pacta_store.h"

#define CTL_EXIT_OK 0
#define CTL_EXIT_FAILED 1
#define CTL_EXIT_USAGE PACTA_EXIT_USAGE
#define CTL_ERR_SIZE 1024

//  Parsed command-line state shared by the commands.
typedef struct {
    FILE *out;                 /* normal output */
    FILE *err;                 /* errors */
    pacta_config_t *config;    /* global options */
    int argc;                  /* command words and their arguments */
    char **argv;               /* argv[0] is the command name */
} ctl_t;

/* Prints "pactactl: <fmt with detail> (see pactactl --help)" to ctl->err
   and returns CTL_EXIT_USAGE. */
int ctl_usage_error(ctl_t *ctl, const char *fmt, const char *detail);
/* "--name VALUE" or "--name=VALUE" among args; NULL when absent. Sets
   *missing_value when the flag is there without a value. */
const char *ctl_option(int argc, char **argv, const char *name, bool *missing_value);
/* True when the bare flag "--name" (a boolean, no value) is among args. */
bool ctl_flag(int argc, char **argv, const char *name);
/* Refuses any "--flag" not in allowed (NULL-terminated) and returns the
   positional arguments in positional. Flags listed in bool_flags
   (NULL-terminated, may be NULL) take no value. CTL_EXIT_OK or the exit
   code of the usage error already printed. */
int ctl_check_args(ctl_t *ctl, int argc, char **argv, const char *const *allowed, const char *const *bool_flags,
                   char **positional, int *positional_count, int positional_max);
/* "YYYY-MM-DD" (00:00 Brussels), "YYYY-MM-DDTHH:MM:SSZ" or "@SECONDS".
   0 or -1. */
int ctl_parse_instant(const char *text, pacta_instant_t *out);
/* A whole number 0..max. 0 or -1. */
int ctl_parse_count(const char *text, int64_t max, int64_t *out);
/* A store on the configured Redis, connected. NULL after printing why. */
pacta_store_t *ctl_store_open(ctl_t *ctl);
/* A producer on the configured bus (PACTA_BUS_URL, CURVE keys if set).
   NULL after printing why. */
pacta_bus_producer_t *ctl_producer_open(ctl_t *ctl);
/* The operator's name for audit fields: --operator, else $USER, else
   "operator". */
const char *ctl_operator(ctl_t *ctl);

/* Commands (pactactl_send.c). */
int ctl_cmd_send(ctl_t *ctl);
int ctl_cmd_replay(ctl_t *ctl);

/* Commands (pactactl_state.c). */
int ctl_cmd_contract(ctl_t *ctl);
int ctl_cmd_invoice(ctl_t *ctl);
int ctl_cmd_timeline(ctl_t *ctl);
int ctl_cmd_explain(ctl_t *ctl);
int ctl_cmd_proposals(ctl_t *ctl);

#endif
