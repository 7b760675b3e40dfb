/*  pactactl send and replay against real processes: a pacta-bus routing
    the test's message types to a pacta-bus-counter instance (an exactly-once
    consumer on the test Redis), started with the bus suites' harness. And
    replay's settling, read from the test Redis: timers due on the tenant's
    clock and unacknowledged outbox messages hold the replay back.
    pactactl runs in process (pactactl_main) with its output in memory. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../bus/bus_harness.h"
#include "pacta_timers.h"
#include "pactactl_cmd.h"

#define CLASS "pactactl-test"
#define TYPES "pacta.v1.ContractSigned pacta.v1.InvoiceIssued pacta.v1.PaymentReceived pacta.v1.TestClockAdvanced"

static void
s_teardown(void)
{
    bh_cleanup_all();
}

TestSuite(pactactl_bus, .fini = s_teardown, .timeout = 180);

typedef struct {
    char *out;          /* captured stdout */
    size_t out_len;     /* its length */
    char *err;          /* captured stderr */
    size_t err_len;     /* its length */
    int rc;             /* exit code */
} result_t;

static void
s_free(result_t *r)
{
    free(r->out);
    free(r->err);
}

//  Runs pactactl with the words of a NULL-terminated list.
static result_t
s_ctl(const char *first, ...)
{
    char *argv[40] = {"pactactl"};
    int argc = 1;
    va_list args;
    va_start(args, first);
    for (const char *word = first; word && argc < 39; word = va_arg(args, const char *))
        argv[argc++] = (char *) word;
    va_end(args);
    argv[argc] = NULL;
    result_t r = {0};
    FILE *out = open_memstream(&r.out, &r.out_len);
    FILE *err = open_memstream(&r.err, &r.err_len);
    cr_assert(out && err);
    r.rc = pactactl_main(argc, argv, out, err);
    fclose(out);
    fclose(err);
    return r;
}

//  A routes file for CLASS and a bus using only it, plus one instance.
static void
s_start(bh_bus_t *bus, bh_proc_t *instance)
{
    char path[BH_PATH_MAX], routes_arg[BH_PATH_MAX + 20];
    bh_write_file("routes.conf", CLASS " " TYPES "\n", path, sizeof path);
    snprintf(routes_arg, sizeof routes_arg, "--bus-routes=%s", path);
    const char *args[] = {routes_arg, "--no-bus-builtin-routes", NULL};
    bh_bus_start(bus, "tcp://127.0.0.1:*", "tcp://127.0.0.1:*", args, NULL);
    char types[256];
    snprintf(types, sizeof types, "%s", TYPES);
    for (char *c = types; *c; c++)
        if (*c == ' ')
            *c = ',';
    bh_counter_start(instance, bus, CLASS, "ctl-a", types, NULL);
}

//  How many times the counter applied message_id for entity of tenant.
static long long
s_applied(pacta_store_t *store, const char *tenant, const char *entity, const char *message_id)
{
    char key[512];
    snprintf(key, sizeof key, "pacta:%s:{%s}:effects:" CLASS, tenant, entity);
    return bh_hget_int(store, key, message_id);
}

static void
s_write(const char *name, const char *text, char *path, size_t size)
{
    bh_write_file(name, text, path, size);
}

Test(pactactl_bus, send_prints_ack_duplicate_and_nack)
{
    bh_bus_t bus;
    bh_proc_t instance;
    s_start(&bus, &instance);
    pacta_store_t *store = bh_store();
    const char *tenant = bh_unique();
    char text[2048], path[BH_PATH_MAX], id[64];
    snprintf(id, sizeof id, "%s-inv-1", tenant);

    snprintf(text, sizeof text,
             "{\"type\": \"InvoiceIssued\", \"id\": \"%s\",\n"
             " \"event\": {\"invoice_id\": \"F-1\", \"contract_id\": \"C-1\", \"issued_on\": \"2025-02-01\",\n"
             "            \"due_on\": \"2025-02-08\", \"total_incl_vat\": \"363.00\"}}\n",
             id);
    s_write("invoice.json", text, path, sizeof path);
    result_t r = s_ctl("--bus-url", bus.frontend, "send", "--tenant", tenant, path, NULL);
    cr_assert_eq(r.rc, 0, "%s%s", r.out, r.err);
    char expected[256];
    snprintf(expected, sizeof expected, "ACK InvoiceIssued %s c:C-1 (by ", id);
    cr_assert(strstr(r.out, expected), "%s", r.out);
    cr_assert_null(strstr(r.out, "duplicate"));
    s_free(&r);
    cr_assert_eq(s_applied(store, tenant, "c:C-1", id), 1);

    //  The same event again: acknowledged, not applied twice.
    r = s_ctl("--bus-url", bus.frontend, "send", "--tenant", tenant, path, NULL);
    cr_assert_eq(r.rc, 0, "%s%s", r.out, r.err);
    cr_assert(strstr(r.out, "duplicate, already applied; nothing changed"), "%s", r.out);
    s_free(&r);
    cr_assert_eq(s_applied(store, tenant, "c:C-1", id), 1);

    //  The same id with other content: refused, with the reason and field.
    snprintf(text, sizeof text,
             "{\"type\": \"InvoiceIssued\", \"id\": \"%s\", \"event\": {\"invoice_id\": \"F-1\", "
             "\"contract_id\": \"C-1\", \"issued_on\": \"2025-02-02\"}}",
             id);
    s_write("conflict.json", text, path, sizeof path);
    r = s_ctl("--bus-url", bus.frontend, "send", "--tenant", tenant, path, NULL);
    cr_assert_eq(r.rc, 1, "a NACK exits 1: %s%s", r.out, r.err);
    cr_assert(strstr(r.out, "NACK InvoiceIssued"), "%s", r.out);
    cr_assert(strstr(r.out, "CONFLICT, field envelope.message_id: "), "%s", r.out);
    s_free(&r);

    //  A type nobody consumes: the bus refuses it by name.
    s_write("quote.json", "{\"type\": \"QuoteIssued\", \"event\": {\"quote_id\": \"Q-1\", \"contract_id\": \"C-2\"}}",
            path, sizeof path);
    r = s_ctl("--bus-url", bus.frontend, "send", "--tenant", tenant, "--wait", "5", path, NULL);
    cr_assert_eq(r.rc, 1, "%s%s", r.out, r.err);
    cr_assert(strstr(r.out, "UNKNOWN_TYPE, field envelope.message_type: no service class consumes"), "%s", r.out);
    s_free(&r);

    //  A field error: nothing reaches the bus.
    s_write("bad.json", "{\"type\": \"InvoiceIssued\", \"event\": {\"contract_id\": \"C-3\", \"due_on\": \"08/02/2025\"}}",
            path, sizeof path);
    r = s_ctl("--bus-url", bus.frontend, "send", "--tenant", tenant, path, NULL);
    cr_assert_eq(r.rc, 2, "%s%s", r.out, r.err);
    cr_assert(strstr(r.err, "event.due_on: must be a date"), "%s", r.err);
    cr_assert(strstr(r.err, "nothing sent"), "%s", r.err);
    s_free(&r);
    char key[256];
    snprintf(key, sizeof key, "pacta:%s:{c:C-3}:effects:" CLASS, tenant);
    cr_assert_eq(bh_hlen(store, key), 0);
    pacta_store_destroy(&store);
}

Test(pactactl_bus, replay_applies_in_order_and_twice_changes_nothing)
{
    bh_bus_t bus;
    bh_proc_t instance;
    s_start(&bus, &instance);
    pacta_store_t *store = bh_store();
    const char *tenant = bh_unique();
    const char *redis = bh_redis_url();
    char text[4096], path[BH_PATH_MAX];
    snprintf(text, sizeof text,
             "# a small scenario\n"
             "{\"clock\": \"set\", \"to\": \"2025-02-01\"}\n"
             "{\"type\": \"ContractSigned\", \"id\": \"%1$s-sign\", \"event\": {\"contract_id\": \"C-1\", "
             "\"signed_on\": \"2025-02-01\"}}\n"
             "{\"type\": \"InvoiceIssued\", \"id\": \"%1$s-inv\", \"event\": {\"invoice_id\": \"F-1\", "
             "\"contract_id\": \"C-1\", \"issued_on\": \"2025-02-01\", \"due_on\": \"2025-02-08\"}}\n"
             "\n"
             "{\"clock\": \"advance\", \"to\": \"2025-02-10\"}\n"
             "{\"type\": \"PaymentReceived\", \"id\": \"%1$s-pay\", \"entity\": \"c:C-1\", \"event\": "
             "{\"payment_id\": \"TX-1\", \"amount\": \"363.00\", \"value_date\": \"2025-02-19\"}}\n",
             tenant);
    s_write("scenario.jsonl", text, path, sizeof path);

    result_t r = s_ctl("--bus-url", bus.frontend, "--redis-url", redis, "replay", "--tenant", tenant, path, NULL);
    cr_assert_eq(r.rc, 0, "%s%s", r.out, r.err);
    cr_assert(strstr(r.out, "line 2: clock of"), "%s", r.out);
    cr_assert(strstr(r.out, "set to 2025-02-01 (today 2025-02-01)"), "%s", r.out);
    cr_assert(strstr(r.out, "line 3: ACK ContractSigned"), "%s", r.out);
    cr_assert(strstr(r.out, "line 4: ACK InvoiceIssued"), "%s", r.out);
    cr_assert(strstr(r.out, "line 6: clock of"), "%s", r.out);
    cr_assert(strstr(r.out, "advanced to 2025-02-10 (today 2025-02-10)"), "%s", r.out);
    cr_assert(strstr(r.out, "line 6: ACK TestClockAdvanced"), "the move is announced on the bus: %s", r.out);
    cr_assert(strstr(r.out, "line 7: ACK PaymentReceived"), "%s", r.out);
    cr_assert(strstr(r.out, ": 3 sent, 3 acked (0 duplicates), 0 nacked; 2 clock moves\n"), "%s", r.out);
    s_free(&r);
    char id[128];
    const char *suffixes[] = {"sign", "inv", "pay"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(id, sizeof id, "%s-%s", tenant, suffixes[i]);
        cr_assert_eq(s_applied(store, tenant, "c:C-1", id), 1, "%s applied once", id);
    }
    r = s_ctl("--redis-url", redis, "clock", "show", "--tenant", tenant, NULL);
    cr_assert(strstr(r.out, "today 2025-02-10"), "%s", r.out);
    s_free(&r);

    //  Again: duplicates, and the clock stays where it is.
    r = s_ctl("--bus-url", bus.frontend, "--redis-url", redis, "replay", "--tenant", tenant, path, NULL);
    cr_assert_eq(r.rc, 0, "%s%s", r.out, r.err);
    cr_assert(strstr(r.out, "line 2: clock of"), "%s", r.out);
    cr_assert(strstr(r.out, "already at 2025-02-10 (asked: 2025-02-01): left unchanged"), "%s", r.out);
    cr_assert(strstr(r.out, ": 3 sent, 3 acked (3 duplicates), 0 nacked; 0 clock moves, 2 left unchanged\n"), "%s",
              r.out);
    s_free(&r);
    for (size_t i = 0; i < 3; i++) {
        snprintf(id, sizeof id, "%s-%s", tenant, suffixes[i]);
        cr_assert_eq(s_applied(store, tenant, "c:C-1", id), 1, "%s still applied once", id);
    }
    pacta_store_destroy(&store);
}

Test(pactactl_bus, replay_stops_at_the_first_nack_unless_keep_going)
{
    bh_bus_t bus;
    bh_proc_t instance;
    s_start(&bus, &instance);
    pacta_store_t *store = bh_store();
    const char *tenant = bh_unique();
    char text[4096], path[BH_PATH_MAX];
    snprintf(text, sizeof text,
             "{\"type\": \"ContractSigned\", \"id\": \"%1$s-a\", \"event\": {\"contract_id\": \"C-7\"}}\n"
             "{\"type\": \"InvoiceIssued\", \"id\": \"%1$s-a\", \"event\": {\"contract_id\": \"C-7\"}}\n"
             "{\"type\": \"ContractSigned\", \"id\": \"%1$s-b\", \"event\": {\"contract_id\": \"C-7\"}}\n",
             tenant);
    s_write("nack.jsonl", text, path, sizeof path);

    //  Line 2 reuses line 1's id with other content: CONFLICT.
    result_t r = s_ctl("--bus-url", bus.frontend, "replay", "--no-settle", "--tenant", tenant, path, NULL);
    cr_assert_eq(r.rc, 1, "%s%s", r.out, r.err);
    cr_assert(strstr(r.out, "line 1: ACK ContractSigned"), "%s", r.out);
    cr_assert(strstr(r.out, "line 2: NACK InvoiceIssued"), "%s", r.out);
    cr_assert(strstr(r.out, "CONFLICT"), "%s", r.out);
    cr_assert(strstr(r.out, ": 2 sent, 1 acked (0 duplicates), 1 nacked; 0 clock moves; stopped at line 2\n"), "%s",
              r.out);
    cr_assert_null(strstr(r.out, "line 3:"), "nothing after the NACK: %s", r.out);
    s_free(&r);
    char id[128];
    snprintf(id, sizeof id, "%s-b", tenant);
    cr_assert_eq(s_applied(store, tenant, "c:C-7", id), 0);

    r = s_ctl("--bus-url", bus.frontend, "replay", "--no-settle", "--keep-going", "--tenant", tenant, path, NULL);
    cr_assert_eq(r.rc, 1, "a NACK still fails the replay: %s%s", r.out, r.err);
    cr_assert(strstr(r.out, "line 3: ACK ContractSigned"), "%s", r.out);
    cr_assert(strstr(r.out, ": 3 sent, 2 acked (1 duplicates), 1 nacked; 0 clock moves\n"), "%s", r.out);
    s_free(&r);
    cr_assert_eq(s_applied(store, tenant, "c:C-7", id), 1);

    //  An invalid line anywhere: nothing at all is sent.
    snprintf(text, sizeof text,
             "{\"type\": \"ContractSigned\", \"id\": \"%1$s-c\", \"event\": {\"contract_id\": \"C-8\"}}\n"
             "{\"type\": \"ContractSigned\", \"id\": \"%1$s-d\", \"event\": {\"contract_id\": \"C-8\", "
             "\"signed_on\": \"2025-02-29\"}}\n",
             tenant);
    s_write("invalid.jsonl", text, path, sizeof path);
    r = s_ctl("--bus-url", bus.frontend, "replay", "--no-settle", "--tenant", tenant, path, NULL);
    cr_assert_eq(r.rc, 2, "%s%s", r.out, r.err);
    cr_assert(strstr(r.err, "invalid.jsonl:2: event.signed_on: must be a date"), "%s", r.err);
    cr_assert(strstr(r.err, "nothing sent"), "%s", r.err);
    s_free(&r);
    snprintf(id, sizeof id, "%s-c", tenant);
    cr_assert_eq(s_applied(store, tenant, "c:C-8", id), 0, "line 1 was not sent either");
    pacta_store_destroy(&store);
}

//  Cancels a timer after a pause, as a service finishing its work would.
typedef struct {
    const char *tenant;      /* whose timer */
    const char *id;          /* which */
    int delay_ms;            /* when */
} cancel_later_t;

static void *
s_cancel_later(void *arg)
{
    const cancel_later_t *job = arg;
    bh_sleep_ms(job->delay_ms);
    pacta_store_t *store = bh_store();
    pacta_timers_t *timers = pacta_timers_new(store, "invoicing");
    pacta_timers_cancel(timers, job->tenant, job->id, NULL);
    pacta_timers_destroy(&timers);
    pacta_store_destroy(&store);
    return NULL;
}

Test(pactactl_bus, replay_waits_until_the_tenant_settles)
{
    const char *redis = bh_redis_url();
    const char *tenant = bh_unique();
    pacta_store_t *store = bh_store();
    pacta_timers_t *timers = pacta_timers_new(store, "invoicing");
    cr_assert_not_null(timers);
    //  A deadline on 2025-02-09 that no service is running to handle.
    cr_assert_eq(pacta_timers_schedule(timers, tenant, "c:C-1/CC-3b/2025-02-09", 1739055600, "c:C-1", NULL, 0, NULL),
                 0, "%s", pacta_timers_error(timers));
    char text[512], path[BH_PATH_MAX];
    snprintf(text, sizeof text, "{\"clock\": \"set\", \"to\": \"2025-02-10\", \"tenant\": \"%s\"}\n", tenant);
    s_write("settle.jsonl", text, path, sizeof path);

    result_t r = s_ctl("--redis-url", redis, "--bus-url", "tcp://127.0.0.1:1", "replay", "--no-clock-message",
                       "--settle-timeout", "1", path, NULL);
    cr_assert_eq(r.rc, 1, "%s%s", r.out, r.err);
    char expected[256];
    snprintf(expected, sizeof expected, "settle.jsonl:1: tenant %s not settled after 1 s: timers of invoicing due",
             tenant);
    cr_assert(strstr(r.err, expected), "%s", r.err);
    cr_assert(strstr(r.out, "stopped at line 1"), "%s", r.out);
    s_free(&r);

    //  Claimed and not completed: still not settled.
    pacta_timer_t claimed[1];
    size_t count = 0;
    cr_assert_eq(pacta_timers_claim(timers, tenant, 1739142000, 60000, claimed, 1, &count), 0);
    cr_assert_eq(count, 1);
    pacta_timer_clear(&claimed[0]);
    r = s_ctl("--redis-url", redis, "--bus-url", "tcp://127.0.0.1:1", "replay", "--no-clock-message",
              "--settle-timeout", "1", path, NULL);
    cr_assert_eq(r.rc, 1, "%s%s", r.out, r.err);
    cr_assert(strstr(r.err, "1 timer(s) of invoicing being handled"), "%s", r.err);
    s_free(&r);

    //  Handled while replay waits: replay goes on.
    cancel_later_t job = {.tenant = tenant, .id = "c:C-1/CC-3b/2025-02-09", .delay_ms = 600};
    pthread_t thread;
    cr_assert_eq(pthread_create(&thread, NULL, s_cancel_later, &job), 0);
    const int64_t started = bh_now_ms();
    r = s_ctl("--redis-url", redis, "--bus-url", "tcp://127.0.0.1:1", "replay", "--no-clock-message",
              "--settle-timeout", "20", path, NULL);
    pthread_join(thread, NULL);
    cr_assert_eq(r.rc, 0, "%s%s", r.out, r.err);
    cr_assert_geq(bh_now_ms() - started, 500, "replay waited for the timer");
    s_free(&r);

    //  A message of one of the tenant's entities still in an outbox.
    char stream[256], prefix[200], index_key[] = "pacta:{outbox:contracts}:written";
    snprintf(prefix, sizeof prefix, "pacta:%s:{c:C-9}", tenant);
    snprintf(stream, sizeof stream, "%s:outbox:contracts", prefix);
    redisReply *reply = NULL;
    cr_assert_eq(pacta_store_command_strs(store, &reply, "XADD", stream, "*", "envelope", "x", NULL), 0);
    freeReplyObject(reply);
    cr_assert_eq(pacta_store_command_strs(store, &reply, "ZADD", index_key, "0", prefix, NULL), 0);
    freeReplyObject(reply);
    r = s_ctl("--redis-url", redis, "--bus-url", "tcp://127.0.0.1:1", "replay", "--no-clock-message",
              "--settle-timeout", "1", path, NULL);
    cr_assert_eq(pacta_store_command_strs(store, &reply, "DEL", stream, NULL), 0);
    freeReplyObject(reply);
    cr_assert_eq(pacta_store_command_strs(store, &reply, "ZREM", index_key, prefix, NULL), 0);
    freeReplyObject(reply);
    cr_assert_eq(r.rc, 1, "%s%s", r.out, r.err);
    cr_assert(strstr(r.err, "1 message(s) of contracts for {c:C-9} not yet acknowledged"), "%s", r.err);
    s_free(&r);

    pacta_timers_destroy(&timers);
    pacta_store_destroy(&store);
}
