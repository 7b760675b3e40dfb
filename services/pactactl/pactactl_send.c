/*  =========================================================================
    pactactl_send - `pactactl send` and `pactactl replay`: events from JSON
    to the bus, clock moves to Redis, and waiting until Pacta is quiet

    send: one event (ctl_event) -> envelope -> bus, then the ACK or NACK
    printed. replay: a JSON-lines script (ctl_script) applied in order.

    Design decisions:
      - Nothing is sent until the whole input is valid.
      - An unanswered event is resent with the SAME message id until --wait
        runs out; retryable NACKs (RETRY_LATER, NO_CAPACITY, QUEUE_FULL) are
        retried the same way. Consumers deduplicate, so this is always safe.
      - replay waits after every step until the tenant is "settled": no
        timer due on its clock is left unclaimed or running and no service
        holds an unacknowledged outbox message for one of its entities. An
        ACK only says the first service committed; settling makes the
        consequences (decisions, notifications, timers) happen before the
        next line, so a scenario runs the same way every time.
      - A clock move that would go backwards (replaying a file a second time)
        leaves the clock alone and says so: replaying is idempotent.
    =========================================================================
*/
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl_event.h"
#include "ctl_script.h"
#include "ctl_state.h"
#include "pacta/v1/timers.pb-c.h"
#include "pacta_bus_wire.h"
#include "pacta_clock.h"
#include "pacta_outbox.h"
#include "pacta_profile.h"
#include "pacta_timers.h"
#include "pactactl_priv.h"

#define DEFAULT_WAIT_SECONDS 10
#define DEFAULT_SETTLE_SECONDS 60
#define REQUEST_SLICE_MS 2000      /* resend an unanswered message this often */
#define RETRY_DEFAULT_MS 500       /* pause after a retryable NACK without a hint */
#define SETTLE_POLL_MS 50          /* how often the settle check looks */
#define INDEX_SCAN_MAX 100000      /* entities of an outbox or owed index examined per look */

//  The services whose timers and outboxes settling watches: their names as
//  they run (pacta_service spec names), which also name their timer sets
//  and outboxes.
static const char *const s_services[] = {"contracts", "invoicing", "enforcement", "notifications", "gdpr-retention"};
#define SERVICE_COUNT (sizeof s_services / sizeof s_services[0])

static int64_t
s_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

//  ---------------------------------------------------------------------------
//  One exchange with the bus

typedef enum {
    EXCHANGE_REPLIED = 0,      /* *reply holds an ACK or a final NACK (or the last retryable one) */
    EXCHANGE_NO_ANSWER,        /* nothing came back within the wait */
    EXCHANGE_ERROR             /* the socket failed */
} exchange_t;

//  Sends envelope until it is answered for good or wait_ms runs out.
static exchange_t
s_exchange(pacta_bus_producer_t *producer, const Pacta__V1__Envelope *envelope, int64_t wait_ms,
           pacta_bus_reply_t *reply)
{
    const int64_t deadline = s_now_ms() + wait_ms;
    bool have_reply = false;
    for (;;) {
        const int64_t remaining = deadline - s_now_ms();
        if (remaining <= 0)
            return have_reply ? EXCHANGE_REPLIED : EXCHANGE_NO_ANSWER;
        const int slice = (int) (remaining < REQUEST_SLICE_MS ? remaining : REQUEST_SLICE_MS);
        const int rc = pacta_bus_producer_request(producer, envelope, slice, 1, reply);
        if (rc < 0)
            return EXCHANGE_ERROR;
        if (rc == 1)
            continue;
        have_reply = true;
        if (reply->ack || !reply->retryable)
            return EXCHANGE_REPLIED;
        //  Retryable: back off as asked (within what is left), then resend.
        int64_t pause = reply->retry_after_ms ? reply->retry_after_ms : RETRY_DEFAULT_MS;
        const int64_t left = deadline - s_now_ms();
        if (pause > left)
            pause = left;
        if (pause > 0)
            poll(NULL, 0, (int) pause);
    }
}

static void
s_print_reply(FILE *out, const char *prefix, const ctl_event_t *event, const pacta_bus_reply_t *reply)
{
    const Pacta__V1__Envelope *envelope = ctl_event_envelope(event);
    if (reply->ack) {
        fprintf(out, "%sACK %s %s %s", prefix, ctl_event_short_type(event), envelope->message_id,
                envelope->entity_key);
        if (reply->duplicate)
            fprintf(out, ": duplicate, already applied; nothing changed");
        fprintf(out, " (by %s", reply->handled_by[0] ? reply->handled_by : "?");
        if (reply->entity_version)
            fprintf(out, ", version %" PRIu64, reply->entity_version);
        fprintf(out, ")\n");
        return;
    }
    fprintf(out, "%sNACK %s %s %s: %s", prefix, ctl_event_short_type(event), envelope->message_id,
            envelope->entity_key, pacta_bus_nack_reason_name(reply->reason));
    if (reply->field[0])
        fprintf(out, ", field %s", reply->field);
    fprintf(out, ": %s (refused by %s%s)\n", reply->detail[0] ? reply->detail : "no reason given",
            reply->handled_by[0] ? reply->handled_by : "?", reply->retryable ? "; retryable, gave up waiting" : "");
}

static int
s_parse_seconds(ctl_t *ctl, const char *flag, const char *text, int64_t fallback, int64_t *out_ms)
{
    if (!text) {
        *out_ms = fallback * 1000;
        return CTL_EXIT_OK;
    }
    int64_t seconds;
    if (ctl_parse_count(text, 24 * 3600, &seconds) != 0 || seconds == 0) {
        fprintf(ctl->err, "pactactl: %s: '%s' is not a number of seconds (1 to 86400)\n", flag, text);
        return CTL_EXIT_USAGE;
    }
    *out_ms = seconds * 1000;
    return CTL_EXIT_OK;
}

//  ---------------------------------------------------------------------------
//  send

static void
s_print_event(FILE *out, const char *prefix, const ctl_event_t *event)
{
    const Pacta__V1__Envelope *envelope = ctl_event_envelope(event);
    fprintf(out, "%s%s id %s%s tenant %s entity %s%s%s, %zu payload bytes\n", prefix, ctl_event_short_type(event),
            envelope->message_id, ctl_event_id_generated(event) ? " (from the content)" : "", envelope->tenant,
            envelope->entity_key, envelope->destination[0] ? " for " : "", envelope->destination,
            envelope->payload.len);
}

int
ctl_cmd_send(ctl_t *ctl)
{
    static const char *const allowed[] = {"--tenant", "--wait", "--dry-run", NULL};
    static const char *const bools[] = {"--dry-run", NULL};
    char *positional[1];
    int positional_count, rc;
    if ((rc = ctl_check_args(ctl, ctl->argc - 1, ctl->argv + 1, allowed, bools, positional, &positional_count, 1)))
        return rc;
    bool missing = false;
    const char *tenant = ctl_option(ctl->argc, ctl->argv, "--tenant", &missing);
    const char *wait_text = ctl_option(ctl->argc, ctl->argv, "--wait", &missing);
    if (missing)
        return ctl_usage_error(ctl, "send: an option is missing its value%s", NULL);
    if (positional_count != 1)
        return ctl_usage_error(ctl, "send: give one event file (JSON), or - for standard input%s", NULL);
    int64_t wait_ms;
    if ((rc = s_parse_seconds(ctl, "--wait", wait_text, DEFAULT_WAIT_SECONDS, &wait_ms)))
        return rc;

    const char *path = positional[0];
    const char *name = strcmp(path, "-") == 0 ? "(stdin)" : path;
    char err[CTL_ERR_SIZE];
    size_t len = 0;
    char *text = ctl_read_file(path, CTL_EVENT_MAX_BYTES, &len, err, sizeof err);
    if (!text) {
        fprintf(ctl->err, "pactactl: %s\n", err);
        return CTL_EXIT_USAGE;
    }
    ctl_event_t *event = ctl_event_parse(text, len, tenant, err, sizeof err);
    free(text);
    if (!event) {
        fprintf(ctl->err, "pactactl: %s: %s; nothing sent\n", name, err);
        return CTL_EXIT_USAGE;
    }
    pacta_bus_producer_t *producer = NULL;
    rc = CTL_EXIT_FAILED;
    if (ctl_flag(ctl->argc, ctl->argv, "--dry-run")) {
        s_print_event(ctl->out, "valid: ", event);
        rc = CTL_EXIT_OK;
        goto cleanup;
    }
    producer = ctl_producer_open(ctl);
    if (!producer)
        goto cleanup;
    pacta_bus_reply_t reply;
    switch (s_exchange(producer, ctl_event_envelope(event), wait_ms, &reply)) {
        case EXCHANGE_REPLIED:
            s_print_reply(ctl->out, "", event, &reply);
            rc = reply.ack ? CTL_EXIT_OK : CTL_EXIT_FAILED;
            break;
        case EXCHANGE_NO_ANSWER:
            fprintf(ctl->err,
                    "pactactl: no answer from the bus at %s within %lld s for %s; it may or may not have been "
                    "applied: send it again (same id %s, so never twice)\n",
                    pacta_config_string(ctl->config, "bus_url"), (long long) (wait_ms / 1000),
                    ctl_event_short_type(event), ctl_event_envelope(event)->message_id);
            break;
        case EXCHANGE_ERROR:
            fprintf(ctl->err, "pactactl: the bus connection failed: %s\n", strerror(errno));
            break;
    }

cleanup:
    pacta_bus_producer_destroy(&producer);
    ctl_event_destroy(&event);
    return rc;
}

//  ---------------------------------------------------------------------------
//  Settling

//  Looks through the index pacta:{<index>:<service>}:<set> for entities of
//  tenant whose key <prefix>:<key>:<service> still holds something
//  (counted with command, XLEN or HLEN). 1 when none does, 0 when one does
//  (why says which), -1 on a Redis error.
static int
s_index_pending(pacta_store_t *store, const char *index, const char *set, const char *key, const char *command,
                const char *service, const char *tenant, const char *what, const char *state, char *why,
                size_t why_size)
{
    char tenant_prefix[128], index_key[128], stop[24];
    snprintf(tenant_prefix, sizeof tenant_prefix, "pacta:%s:{", tenant);
    const size_t tenant_prefix_len = strlen(tenant_prefix);
    snprintf(index_key, sizeof index_key, "pacta:{%s:%s}:%s", index, service, set);
    snprintf(stop, sizeof stop, "%d", INDEX_SCAN_MAX - 1);
    redisReply *reply = NULL;
    if (pacta_store_command_strs(store, &reply, "ZRANGE", index_key, "0", stop, NULL) != 0) {
        snprintf(why, why_size, "cannot read %s: %s", index_key, pacta_store_error(store));
        return -1;
    }
    int result = 1;
    if (reply->type != REDIS_REPLY_ARRAY) {
        snprintf(why, why_size, "unexpected reply for %s", index_key);
        result = -1;
    }
    for (size_t k = 0; result == 1 && k < reply->elements; k++) {
        const redisReply *member = reply->element[k];
        if (member->type != REDIS_REPLY_STRING || (size_t) member->len <= tenant_prefix_len
            || memcmp(member->str, tenant_prefix, tenant_prefix_len) != 0)
            continue;
        char name[PACTA_OUTBOX_KEY_MAX + 64];
        if (snprintf(name, sizeof name, "%.*s:%s:%s", (int) member->len, member->str, key, service)
            >= (int) sizeof name)
            continue;
        redisReply *count = NULL;
        if (pacta_store_command_strs(store, &count, command, name, NULL) != 0) {
            if (snprintf(why, why_size, "cannot read %s: %s", name, pacta_store_error(store)) >= (int) why_size)
                why[why_size - 1] = '\0'; /* a long key is cut, never overflowed */
            result = -1;
            break;
        }
        if (count->type == REDIS_REPLY_INTEGER && count->integer > 0) {
            snprintf(why, why_size, "%lld %s of %s for %.*s %s", count->integer, what, service,
                     (int) (member->len - tenant_prefix_len + 1), member->str + tenant_prefix_len - 1, state);
            result = 0;
        }
        freeReplyObject(count);
    }
    freeReplyObject(reply);
    return result;
}

//  One look: 1 when tenant is quiet, 0 when not (the reason in why), -1 on
//  a Redis error (in why).
static int
s_settled_once(pacta_store_t *store, pacta_timers_t *const *timers, pacta_clock_t *clock, const char *tenant,
               char *why, size_t why_size)
{
    pacta_instant_t now;
    if (pacta_clock_now(clock, tenant, &now) != 0) {
        snprintf(why, why_size, "cannot read the clock: %s", pacta_clock_error(clock));
        return -1;
    }
    for (size_t i = 0; i < SERVICE_COUNT; i++) {
        pacta_timers_stats_t stats;
        if (pacta_timers_stats(timers[i], tenant, &stats) != 0) {
            snprintf(why, why_size, "cannot read the timers of %s: %s", s_services[i], pacta_timers_error(timers[i]));
            return -1;
        }
        if (stats.leased > 0) {
            snprintf(why, why_size, "%zu timer(s) of %s being handled", stats.leased, s_services[i]);
            return 0;
        }
        if (stats.has_next && stats.next_due <= now) {
            snprintf(why, why_size, "timers of %s due and not yet claimed", s_services[i]);
            return 0;
        }
    }
    //  Outboxes and owed follow-ups (docs/state.md §6): their indexes list
    //  entity prefixes pacta:<tenant>:{...}.
    for (size_t i = 0; i < SERVICE_COUNT; i++) {
        const int outbox = s_index_pending(store, "outbox", "written", "outbox", "XLEN", s_services[i], tenant,
                                           "message(s)", "not yet acknowledged", why, why_size);
        if (outbox != 1)
            return outbox;
        const int owed = s_index_pending(store, "owed", "due", "owed", "HLEN", s_services[i], tenant,
                                         "follow-up(s)", "not yet done", why, why_size);
        if (owed != 1)
            return owed;
    }
    return 1;
}

//  What replay needs in Redis: the store, a test clock and one timer view
//  per service.
typedef struct {
    pacta_store_t *store;                  /* connected store */
    pacta_clock_t *clock;                  /* TEST mode clock */
    pacta_timers_t *timers[SERVICE_COUNT]; /* read-only use: stats */
} redis_side_t;

static void
s_redis_side_close(redis_side_t *side)
{
    for (size_t i = 0; i < SERVICE_COUNT; i++)
        pacta_timers_destroy(&side->timers[i]);
    pacta_clock_destroy(&side->clock);
    pacta_store_destroy(&side->store);
}

static int
s_redis_side_open(ctl_t *ctl, redis_side_t *side)
{
    side->store = ctl_store_open(ctl);
    if (!side->store)
        return -1;
    side->clock = pacta_clock_new(PACTA_CLOCK_TEST, side->store);
    if (!side->clock) {
        fprintf(ctl->err, "pactactl: cannot prepare the test clock\n");
        return -1;
    }
    for (size_t i = 0; i < SERVICE_COUNT; i++) {
        side->timers[i] = pacta_timers_new(side->store, s_services[i]);
        if (!side->timers[i]) {
            fprintf(ctl->err, "pactactl: cannot read the timers of %s\n", s_services[i]);
            return -1;
        }
    }
    return 0;
}

//  Waits until tenant is settled: two looks in a row that find it quiet.
//  0, or -1 after printing why not.
static int
s_settle(ctl_t *ctl, redis_side_t *side, const char *tenant, int64_t timeout_ms, const char *where)
{
    const int64_t deadline = s_now_ms() + timeout_ms;
    char why[512] = "";
    int quiet = 0;
    for (;;) {
        const int rc = s_settled_once(side->store, side->timers, side->clock, tenant, why, sizeof why);
        if (rc < 0) {
            fprintf(ctl->err, "pactactl: %swhile waiting for tenant %s to settle: %s\n", where, tenant, why);
            return -1;
        }
        quiet = rc == 1 ? quiet + 1 : 0;
        if (quiet >= 2)
            return 0;
        if (s_now_ms() >= deadline) {
            fprintf(ctl->err,
                    "pactactl: %stenant %s not settled after %lld s: %s (are the services running with "
                    "PACTA_CLOCK=test?)\n",
                    where, tenant, (long long) (timeout_ms / 1000), why);
            return -1;
        }
        poll(NULL, 0, SETTLE_POLL_MS);
    }
}

//  ---------------------------------------------------------------------------
//  replay

typedef struct {
    size_t sent;           /* events sent */
    size_t acked;          /* answered ACK (duplicates included) */
    size_t duplicates;     /* ACKs marked duplicate */
    size_t nacked;         /* answered NACK */
    size_t clock_moves;    /* clock moves applied */
    size_t clock_kept;     /* clock moves that would have gone back: skipped */
    size_t expectations;   /* expectations checked */
    size_t unmet;          /* expectations not met */
    size_t skipped;        /* document expectations about a past state (clock already beyond) */
} replay_counts_t;

typedef struct {
    ctl_t *ctl;                     /* output and options */
    const char *name;               /* file name for messages */
    pacta_bus_producer_t *producer; /* the bus */
    redis_side_t redis;             /* clock and settling */
    int64_t wait_ms;                /* per event */
    int64_t settle_ms;              /* per step; 0 = do not settle */
    bool clock_message;             /* announce clock moves with TestClockAdvanced */
    bool behind;                    /* the last clock move found the clock already later: a re-run */
    replay_counts_t counts;         /* summary */
} replay_t;

//  Sends one event and prints its reply. 0 ACK, 1 NACK, -1 no answer or
//  error (printed). counted: a line of the file (not a clock announcement),
//  which the summary counts.
static int
s_replay_event(replay_t *replay, const ctl_event_t *event, int line, bool counted)
{
    ctl_t *ctl = replay->ctl;
    char prefix[64];
    snprintf(prefix, sizeof prefix, "line %d: ", line);
    pacta_bus_reply_t reply;
    replay_counts_t ignored = {0};
    replay_counts_t *counts = counted ? &replay->counts : &ignored;
    counts->sent++;
    switch (s_exchange(replay->producer, ctl_event_envelope(event), replay->wait_ms, &reply)) {
        case EXCHANGE_REPLIED:
            s_print_reply(ctl->out, prefix, event, &reply);
            if (!reply.ack) {
                counts->nacked++;
                return 1;
            }
            counts->acked++;
            if (reply.duplicate)
                counts->duplicates++;
            return 0;
        case EXCHANGE_NO_ANSWER:
            fprintf(ctl->err, "pactactl: %s:%d: no answer from the bus within %lld s for %s %s\n", replay->name, line,
                    (long long) (replay->wait_ms / 1000), ctl_event_short_type(event),
                    ctl_event_envelope(event)->message_id);
            return -1;
        case EXCHANGE_ERROR:
        default:
            fprintf(ctl->err, "pactactl: %s:%d: the bus connection failed: %s\n", replay->name, line,
                    strerror(errno));
            return -1;
    }
}

//  Moves a clock and announces it. 0, or -1 (printed).
static int
s_replay_clock(replay_t *replay, const ctl_clock_move_t *move, int line)
{
    ctl_t *ctl = replay->ctl;
    pacta_clock_t *clock = replay->redis.clock;
    pacta_instant_t before = 0, after = 0;
    if (pacta_clock_now(clock, move->tenant, &before) != 0) {
        fprintf(ctl->err, "pactactl: %s:%d: cannot read the clock of %s: %s\n", replay->name, line, move->tenant,
                pacta_clock_error(clock));
        return -1;
    }
    char today[PACTA_DATE_STR_LEN];
    //  A move to where the clock already is, or behind it, is what a second
    //  replay of the same file meets: nothing to do.
    //  A tenant without a test clock follows the wall clock; its first set
    //  may go anywhere.
    char key[PACTA_CLOCK_KEY_MAX];
    redisReply *exists = NULL;
    if (pacta_clock_key(move->tenant, key, sizeof key) != 0
        || pacta_store_command_strs(replay->redis.store, &exists, "EXISTS", key, NULL) != 0) {
        fprintf(ctl->err, "pactactl: %s:%d: cannot read the clock of %s: %s\n", replay->name, line, move->tenant,
                pacta_store_error(replay->redis.store));
        return -1;
    }
    const bool is_set = exists->type == REDIS_REPLY_INTEGER && exists->integer == 1;
    freeReplyObject(exists);
    const bool already = is_set && move->absolute && move->to <= before;
    int rc = 0;
    if (!already)
        rc = move->absolute ? pacta_clock_set(clock, move->tenant, move->to, &after)
                            : pacta_clock_advance(clock, move->tenant, move->seconds, &after);
    if (already || (rc != 0 && pacta_clock_error_kind(clock) == PACTA_CLOCK_E_BACKWARDS)) {
        pacta_date_format(pacta_date_from_instant(before), today, sizeof today);
        fprintf(ctl->out, "line %d: clock of %s already at %s (asked: %s): left unchanged\n", line, move->tenant,
                today, move->to_text);
        replay->counts.clock_kept++;
        //  Strictly later than asked: this part of the scenario already
        //  happened, and the state is ahead of what the lines below it
        //  describe until a move catches up.
        replay->behind = !move->absolute || move->to < before;
        return 0;
    }
    if (rc != 0) {
        fprintf(ctl->err, "pactactl: %s:%d: clock %s refused for %s: %s\n", replay->name, line,
                move->action == CTL_CLOCK_SET ? "set" : "advance", move->tenant, pacta_clock_error(clock));
        return -1;
    }
    replay->counts.clock_moves++;
    replay->behind = false;
    pacta_date_format(pacta_date_from_instant(after), today, sizeof today);
    fprintf(ctl->out, "line %d: clock of %s %s %s (today %s)\n", line, move->tenant,
            move->action == CTL_CLOCK_SET ? "set to" : "advanced to", move->to_text, today);
    if (!replay->clock_message)
        return 0;

    //  Tell every service; the id is the move itself, so a replay that
    //  repeats it is a duplicate.
    Pacta__V1__TestClockAdvanced *advanced = malloc(sizeof *advanced);
    Pacta__V1__Date *date = malloc(sizeof *date);
    char *operator_name = strdup(ctl_operator(ctl));
    if (!advanced || !date || !operator_name) {
        free(advanced);
        free(date);
        free(operator_name);
        fprintf(ctl->err, "pactactl: out of memory\n");
        return -1;
    }
    pacta__v1__test_clock_advanced__init(advanced);
    pacta__v1__date__init(date);
    int year, month, day;
    pacta_date_to_ymd(pacta_date_from_instant(after), &year, &month, &day);
    date->year = year;
    date->month = month;
    date->day = day;
    advanced->today = date;
    advanced->previous_now_ms = (int64_t) before * 1000;
    advanced->now_ms = (int64_t) after * 1000;
    advanced->advanced_by = operator_name;
    char id[CTL_EVENT_ID_MAX + CTL_SCRIPT_TENANT_MAX + 32], entity[CTL_EVENT_ENTITY_MAX + 1], err[CTL_ERR_SIZE];
    snprintf(id, sizeof id, "clock-%s-%lld", move->tenant, (long long) after);
    if (strlen(id) > CTL_EVENT_ID_MAX)
        snprintf(id, sizeof id, "clock-%016" PRIx64 "-%lld",
                 pacta_bus_hash(move->tenant, strlen(move->tenant), PACTA_BUS_HASH_SEED), (long long) after);
    snprintf(entity, sizeof entity, "clock:%s", move->tenant);
    ctl_event_t *event = ctl_event_from_message(&advanced->base, move->tenant, id, entity, NULL,
                                                PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_COMMAND, err, sizeof err);
    if (!event) {
        fprintf(ctl->err, "pactactl: %s:%d: %s\n", replay->name, line, err);
        return -1;
    }
    rc = s_replay_event(replay, event, line, false);
    ctl_event_destroy(&event);
    return rc == 0 ? 0 : -1;
}

//  Compact JSON of value, cut to fit a line.
static void
s_print_compact(FILE *out, const json_t *value)
{
    char *text = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
    if (!text)
        return;
    if (strlen(text) > 600)
        fprintf(out, "%.600s...", text);
    else
        fputs(text, out);
    free(text);
}

//  Checks one expectation against Redis. 0 met, 1 not met (printed), -1
//  error (printed).
static int
s_replay_expect(replay_t *replay, const ctl_expect_t *expect, int line)
{
    ctl_t *ctl = replay->ctl;
    pacta_store_t *store = replay->redis.store;
    char err[CTL_ERR_SIZE], entity[CTL_EVENT_ENTITY_MAX + 1], path[256] = "";
    json_t *state = NULL;
    const json_t *actual = NULL;
    int rc = -1;
    replay->counts.expectations++;
    if (expect->what == CTL_EXPECT_INVOICE) {
        char contract_id[CTL_STATE_ID_MAX + 1];
        const int found = ctl_state_invoice_contract(store, expect->tenant, expect->id, contract_id,
                                                     sizeof contract_id, err, sizeof err);
        if (found < 0)
            goto cleanup;
        if (found == 1) {
            snprintf(entity, sizeof entity, "c:%s", contract_id);
            if (!(state = ctl_state_document(store, expect->tenant, entity, "ledger", err, sizeof err)))
                goto cleanup;
            size_t i;
            json_t *invoice;
            json_array_foreach(json_object_get(json_object_get(state, "doc"), "invoices"), i, invoice) {
                if (json_is_string(json_object_get(invoice, "invoice_id"))
                    && strcmp(json_string_value(json_object_get(invoice, "invoice_id")), expect->id) == 0)
                    actual = invoice;
            }
        }
    }
    else {
        if ((expect->id[0] == 'c' || expect->id[0] == 's' || expect->id[0] == 'p') && expect->id[1] == ':')
            snprintf(entity, sizeof entity, "%s", expect->id);
        else
            snprintf(entity, sizeof entity, "c:%s", expect->id);
        if (expect->what == CTL_EXPECT_AUDIT) {
            if (!(state = ctl_state_audit(store, expect->tenant, entity, 0, err, sizeof err)))
                goto cleanup;
            long matches = 0;
            size_t i;
            json_t *entry;
            json_array_foreach(state, i, entry) {
                if (ctl_json_matches(expect->match, entry, NULL, 0))
                    matches++;
            }
            const bool met = expect->count < 0 ? matches > 0 : matches == expect->count;
            if (met) {
                fprintf(ctl->out, "line %d: ok, %ld %s entr%s of %s as expected\n", line, matches, expect->label,
                        matches == 1 ? "y" : "ies", expect->id);
                rc = 0;
            }
            else {
                fprintf(ctl->out, "line %d: NOT MET: %ld %s entr%s of %s match ", line, matches, expect->label,
                        matches == 1 ? "y" : "ies", expect->id);
                s_print_compact(ctl->out, expect->match);
                if (expect->count < 0)
                    fprintf(ctl->out, ", expected at least one\n");
                else
                    fprintf(ctl->out, ", expected %ld\n", expect->count);
                replay->counts.unmet++;
                rc = 1;
            }
            goto cleanup;
        }
        static const char *const names[] = {"contract", "ledger", "enforcement"};
        if (!(state = ctl_state_document(store, expect->tenant, entity, names[expect->what], err, sizeof err)))
            goto cleanup;
        actual = json_object_get(state, "doc");
    }
    if (actual && ctl_json_matches(expect->match, actual, path, sizeof path)) {
        fprintf(ctl->out, "line %d: ok, %s %s as expected\n", line, expect->label, expect->id);
        rc = 0;
    }
    else if (replay->behind && actual) {
        //  A second replay: the documents hold the later state. The audit
        //  expectations (with counts) are what prove nothing changed.
        fprintf(ctl->out, "line %d: skipped, %s %s is past this point (the clock was already later)\n", line,
                expect->label, expect->id);
        replay->counts.skipped++;
        rc = 0;
    }
    else {
        if (!actual)
            fprintf(ctl->out, "line %d: NOT MET: no %s %s for tenant %s\n", line, expect->label, expect->id,
                    expect->tenant);
        else {
            fprintf(ctl->out, "line %d: NOT MET: %s %s differs at %s: ", line, expect->label, expect->id,
                    *path ? path : "(document)");
            s_print_compact(ctl->out, actual);
            fputc('\n', ctl->out);
        }
        replay->counts.unmet++;
        rc = 1;
    }

cleanup:
    if (rc < 0)
        fprintf(ctl->err, "pactactl: %s:%d: %s\n", replay->name, line, err);
    json_decref(state);
    return rc;
}

static void
s_print_step(FILE *out, const ctl_step_t *step)
{
    char prefix[64];
    snprintf(prefix, sizeof prefix, "line %d: ", step->line);
    if (step->kind == CTL_STEP_EVENT)
        s_print_event(out, prefix, step->event);
    else if (step->kind == CTL_STEP_CLOCK)
        fprintf(out, "%sclock %s %s for %s\n", prefix, step->clock.action == CTL_CLOCK_SET ? "set" : "advance",
                step->clock.to_text, step->clock.tenant);
    else
        fprintf(out, "%sexpect %s %s of %s\n", prefix, step->expect.label, step->expect.id, step->expect.tenant);
}

int
ctl_cmd_replay(ctl_t *ctl)
{
    static const char *const allowed[] = {"--tenant",         "--wait",       "--keep-going",       "--dry-run",
                                          "--settle-timeout", "--no-settle", "--no-clock-message", NULL};
    static const char *const bools[] = {"--keep-going", "--dry-run", "--no-settle", "--no-clock-message", NULL};
    char *positional[1];
    int positional_count, rc;
    if ((rc = ctl_check_args(ctl, ctl->argc - 1, ctl->argv + 1, allowed, bools, positional, &positional_count, 1)))
        return rc;
    bool missing = false;
    const char *tenant = ctl_option(ctl->argc, ctl->argv, "--tenant", &missing);
    const char *wait_text = ctl_option(ctl->argc, ctl->argv, "--wait", &missing);
    const char *settle_text = ctl_option(ctl->argc, ctl->argv, "--settle-timeout", &missing);
    if (missing)
        return ctl_usage_error(ctl, "replay: an option is missing its value%s", NULL);
    if (positional_count != 1)
        return ctl_usage_error(ctl, "replay: give one replay file (JSON lines), or - for standard input%s", NULL);
    if (tenant && !pacta_tenant_id_valid(tenant))
        return ctl_usage_error(ctl, "--tenant: '%s' is not a tenant id (letters, digits, '.', '_', '-')", tenant);
    replay_t replay = {.ctl = ctl, .clock_message = !ctl_flag(ctl->argc, ctl->argv, "--no-clock-message")};
    if ((rc = s_parse_seconds(ctl, "--wait", wait_text, DEFAULT_WAIT_SECONDS, &replay.wait_ms)))
        return rc;
    if ((rc = s_parse_seconds(ctl, "--settle-timeout", settle_text, DEFAULT_SETTLE_SECONDS, &replay.settle_ms)))
        return rc;
    if (ctl_flag(ctl->argc, ctl->argv, "--no-settle"))
        replay.settle_ms = 0;
    const bool keep_going = ctl_flag(ctl->argc, ctl->argv, "--keep-going");

    const char *path = positional[0];
    replay.name = strcmp(path, "-") == 0 ? "(stdin)" : path;
    char err[CTL_ERR_SIZE];
    ctl_script_t *script = ctl_script_load(path, tenant, err, sizeof err);
    if (!script) {
        fprintf(ctl->err, "pactactl: %s; nothing sent\n", err);
        return CTL_EXIT_USAGE;
    }
    rc = CTL_EXIT_FAILED;
    if (ctl_flag(ctl->argc, ctl->argv, "--dry-run")) {
        for (size_t i = 0; i < ctl_script_count(script); i++)
            s_print_step(ctl->out, ctl_script_at(script, i));
        fprintf(ctl->out, "%s: %zu steps, all valid\n", replay.name, ctl_script_count(script));
        rc = CTL_EXIT_OK;
        goto cleanup;
    }
    bool needs_redis = replay.settle_ms > 0;
    for (size_t i = 0; i < ctl_script_count(script); i++)
        needs_redis = needs_redis || ctl_script_at(script, i)->kind != CTL_STEP_EVENT;
    if (needs_redis && s_redis_side_open(ctl, &replay.redis) != 0)
        goto cleanup;
    replay.producer = ctl_producer_open(ctl);
    if (!replay.producer)
        goto cleanup;

    bool stopped = false, failed = false;
    int stopped_line = 0;
    for (size_t i = 0; i < ctl_script_count(script) && !stopped; i++) {
        const ctl_step_t *step = ctl_script_at(script, i);
        const char *step_tenant;
        int result;
        if (step->kind == CTL_STEP_EVENT) {
            step_tenant = ctl_event_envelope(step->event)->tenant;
            result = s_replay_event(&replay, step->event, step->line, true);
        }
        else if (step->kind == CTL_STEP_CLOCK) {
            step_tenant = step->clock.tenant;
            result = s_replay_clock(&replay, &step->clock, step->line);
        }
        else {
            step_tenant = NULL;
            result = s_replay_expect(&replay, &step->expect, step->line);
        }
        if (result == 0 && replay.settle_ms > 0 && step_tenant) {
            char where[160];
            snprintf(where, sizeof where, "%s:%d: ", replay.name, step->line);
            if (s_settle(ctl, &replay.redis, step_tenant, replay.settle_ms, where) != 0)
                result = -1;
        }
        if (result < 0) {
            failed = true;
            stopped = true;
            stopped_line = step->line;
        }
        else if (result > 0) {
            failed = true;
            if (!keep_going) {
                stopped = true;
                stopped_line = step->line;
            }
        }
    }
    fprintf(ctl->out, "%s: %zu sent, %zu acked (%zu duplicates), %zu nacked; %zu clock moves", replay.name,
            replay.counts.sent, replay.counts.acked, replay.counts.duplicates, replay.counts.nacked,
            replay.counts.clock_moves);
    if (replay.counts.clock_kept)
        fprintf(ctl->out, ", %zu left unchanged", replay.counts.clock_kept);
    if (replay.counts.expectations)
        fprintf(ctl->out, "; %zu expectations met, %zu not met", replay.counts.expectations - replay.counts.unmet
                                                                      - replay.counts.skipped,
                replay.counts.unmet);
    if (replay.counts.skipped)
        fprintf(ctl->out, ", %zu about a past state skipped", replay.counts.skipped);
    if (stopped)
        fprintf(ctl->out, "; stopped at line %d", stopped_line);
    fprintf(ctl->out, "\n");
    rc = failed ? CTL_EXIT_FAILED : CTL_EXIT_OK;

cleanup:
    pacta_bus_producer_destroy(&replay.producer);
    s_redis_side_close(&replay.redis);
    ctl_script_destroy(&script);
    return rc;
}
