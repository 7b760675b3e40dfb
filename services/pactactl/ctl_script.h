/*  =========================================================================
    ctl_script - a replay file: events and clock moves in JSON lines

    One JSON object per line, applied in order by `pactactl replay`:

      {"type": "InvoiceIssued", "id": "...", "event": {...}}     an event (see ctl_event.h)
      {"clock": "advance", "to": "2025-02-10"}                   move the tenant's test clock
      {"clock": "advance", "days": 9}                            ... by a number of days or hours
      {"clock": "set", "to": "2025-02-01"}                       set it (the first move of a scenario)
      {"expect": "contract", "id": "C-1", "match": {...}}        check what Pacta now holds (below)

    Expectations make a scenario check itself: after everything before it
    has settled, the named state must contain "match" (a subset, see
    ctl_json_matches):
      "contract" | "ledger" | "enforcement"   that document of contract "id"
                                              (docs/state.md §3), its "doc"
      "invoice"                               invoice "id" in its contract's ledger
      "audit" | "decision"                    entries of contract "id"'s audit
                                              stream (§4) with these fields;
                                              "count": N for exactly N (default:
                                              at least one); "decision" adds
                                              "entry": "decision"

    Blank lines and lines whose first non-blank character is '#' are
    skipped. A clock line may name its "tenant"; otherwise the replay's
    --tenant applies, like for events.

    Decision: the whole file is parsed and checked before anything is
    applied, so a typo on line 40 never leaves lines 1 to 39 applied; the
    error names the file, the line and the field.
    =========================================================================
*/
#ifndef CTL_SCRIPT_H_INCLUDED
#define CTL_SCRIPT_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctl_event.h"
#include "pacta_date.h"

#define CTL_SCRIPT_MAX_BYTES (64 * 1024 * 1024)  /* largest replay file */
#define CTL_SCRIPT_TENANT_MAX 64                 /* tenant id bytes */

typedef enum {
    CTL_STEP_EVENT = 0,      /* send an event */
    CTL_STEP_CLOCK,          /* move a test clock */
    CTL_STEP_EXPECT          /* check the state */
} ctl_step_kind_t;

typedef enum {
    CTL_EXPECT_CONTRACT = 0, /* P:contract doc */
    CTL_EXPECT_LEDGER,       /* P:ledger doc */
    CTL_EXPECT_ENFORCEMENT,  /* P:enforcement doc */
    CTL_EXPECT_INVOICE,      /* one invoice of a ledger */
    CTL_EXPECT_AUDIT         /* audit entries */
} ctl_expect_what_t;

typedef struct {
    ctl_expect_what_t what;                 /* which state */
    char tenant[CTL_SCRIPT_TENANT_MAX + 1]; /* whose */
    char id[201];                           /* contract (or entity key) or invoice id */
    char label[32];                         /* "contract", "decision"... as written */
    json_t *match;                          /* expected subset; owned by the script */
    long count;                             /* audit: exact number of matches, -1 = at least one */
} ctl_expect_t;

typedef enum {
    CTL_CLOCK_SET = 0,       /* "set": to an instant */
    CTL_CLOCK_ADVANCE        /* "advance": to an instant or by an amount */
} ctl_clock_action_t;

typedef struct {
    ctl_clock_action_t action;             /* set or advance */
    char tenant[CTL_SCRIPT_TENANT_MAX + 1]; /* whose clock */
    bool absolute;                         /* true: move to `to`; false: by `seconds` */
    pacta_instant_t to;                    /* target instant, when absolute */
    int64_t seconds;                       /* amount, when relative (>= 0) */
    char to_text[40];                      /* the target or amount as written, for messages */
} ctl_clock_move_t;

typedef struct {
    ctl_step_kind_t kind;    /* what the line does */
    int line;                /* line number in the file, from 1 */
    ctl_event_t *event;      /* CTL_STEP_EVENT: owned by the script */
    ctl_clock_move_t clock;  /* CTL_STEP_CLOCK */
    ctl_expect_t expect;     /* CTL_STEP_EXPECT */
} ctl_step_t;

typedef struct ctl_script ctl_script_t;

/* Parses len bytes of replay text. name is used in errors ("FILE:LINE:
   field: what is wrong"). default_tenant may be NULL. NULL on the first
   error. */
ctl_script_t *ctl_script_parse(const char *text, size_t len, const char *name, const char *default_tenant, char *err,
                               size_t err_size);
/* Reads path ("-" = standard input, at most CTL_SCRIPT_MAX_BYTES) and
   parses it. */
ctl_script_t *ctl_script_load(const char *path, const char *default_tenant, char *err, size_t err_size);
/* Safe on NULL and twice. */
void ctl_script_destroy(ctl_script_t **self_p);

size_t ctl_script_count(const ctl_script_t *self);
const ctl_step_t *ctl_script_at(const ctl_script_t *self, size_t index);

/* Reads a whole file ("-" = stdin) of at most max bytes into a
   NUL-terminated malloc'd buffer. NULL with the reason in err. */
char *ctl_read_file(const char *path, size_t max, size_t *len_out, char *err, size_t err_size);

#endif
