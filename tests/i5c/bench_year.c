/*  =========================================================================
    pacta-bench-year - drives N CapConnect contracts through a year on the
    real stack and measures it (scripts/bench.sh runs it)

      pacta-bench-year --bus-url URL --redis-url URL [--contracts N]
                       [--months M] [--late-every K] [--window W] [--tenant T]

    The year, on the tenant's test clock (every move through `pactactl
    replay`, which announces it and waits until the services have settled):
    every contract is signed on 2025-01-01 (Start pack, 300.00 a month) with
    its first invoice (the one accounting issues with the order); each month
    m: on m-01 invoicing issues the anniversary invoice itself (CC-3a; when
    it does not, the driver sends it); on m-05 the on-time payments arrive;
    on m-10 the overdue timers have suspended every K-th contract from m-09
    (CC-3b); on m-15 those pay and are restored (CC-3c) with the period
    recorded as lost (CC-3d).

    Events are sent W at a time and each is resent with the same id until
    ACKed. The clock is the measured time: from the first signature to the
    last settle, minus the driver's own reads of the ledgers. Latency: ACK of
    each late payment to the Redis time of its CC-3c audit entry (the stream
    id), the decision it causes two services downstream. Prints key=value
    lines for the script and a summary.

    Design decision: the driver only sends what the outside world sends
    (signatures, accounting's first invoice, bank payments) and reads what
    the services wrote; every decision is the services' own, so what is
    measured is the product, not a shortcut around it.
    =========================================================================
*/
#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pacta/v1/contracts.pb-c.h"
#include "pacta/v1/envelope.pb-c.h"
#include "pacta/v1/invoicing.pb-c.h"
#include "pacta_bus_producer.h"
#include "pacta_clock.h"
#include "pacta_store.h"
#include "pacta_timers.h"
#include "pactactl_cmd.h"

#define YEAR 2025
#define FEE_CENTS 30000                /* Start pack, a month, excl. VAT */
#define ID_MAX 96                      /* message and invoice ids */
#define MONTHS_MAX 12
#define SERVICES 5                     /* the services whose timers and outboxes settle */
#define SETTLE_BATCH 1000              /* contracts checked per pipelined batch */
#define SETTLE_POLL_MS 20              /* pause between two looks */

static const char *const s_services[SERVICES] = {"contracts", "invoicing", "enforcement", "notifications",
                                                 "gdpr-retention"};

/* Entries still to relay or follow-ups still owed by any service for one
   entity (KEYS: its outbox and owed keys, one hash tag). */
static const char s_pending_lua[] = "local n = 0\n"
                                    "for i = 1, #KEYS do\n"
                                    "  local t = redis.call('TYPE', KEYS[i]).ok\n"
                                    "  if t == 'stream' then n = n + redis.call('XLEN', KEYS[i])\n"
                                    "  elseif t == 'hash' then n = n + redis.call('HLEN', KEYS[i]) end\n"
                                    "end\n"
                                    "return n\n";

typedef struct {
    unsigned char *bytes;              /* packed envelope */
    size_t len;                        /* its length */
    int64_t ack_ms;                    /* wall ms of its ACK, 0 until then */
    int64_t sent_ms;                   /* wall ms of its last send */
    bool answered;                     /* ACK or refused for good */
} item_t;

typedef struct {
    const char *bus_url;               /* pacta-bus frontend */
    const char *redis_url;             /* the services' Redis */
    const char *tenant;                /* capconnect */
    const char *workdir;               /* for the clock files */
    long contracts;                    /* N */
    int months;                        /* 1..12 */
    long late_every;                   /* every K-th contract pays late */
    long window;                       /* events in flight */
    pacta_bus_producer_t *producer;    /* to the bus */
    pacta_store_t *store;              /* reads */
    pacta_clock_t *clock;              /* the tenant's test clock, read to settle */
    pacta_timers_t *timers[SERVICES];  /* read-only: due and leased timers */
    long events;                       /* events sent (first sends) */
    long refused;                      /* NACKed for good */
    long resends;                      /* sends after a timeout or a retryable NACK */
    long invoices_sent;                /* anniversary invoices the driver had to send */
    int64_t reads_ms;                  /* time spent reading ledgers (not measured) */
    char (*invoice_id)[ID_MAX];        /* this month's invoice per contract */
    int64_t *invoice_cents;            /* its total incl. VAT */
    int64_t *late_ack_ms;              /* [contract * MONTHS_MAX + month] ACK of the late payment */
    bool verbose;                      /* time every phase on stderr */
} driver_t;

static int64_t
s_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
s_contract_id(long index, char *buf, size_t size)
{
    snprintf(buf, size, "b%ld", index);
}

static Pacta__V1__Date *
s_date(Pacta__V1__Date *storage, int month, int day)
{
    pacta__v1__date__init(storage);
    storage->year = YEAR;
    storage->month = month;
    storage->day = day;
    return storage;
}

static Pacta__V1__Money *
s_money(Pacta__V1__Money *storage, int64_t cents)
{
    pacta__v1__money__init(storage);
    storage->cents = cents;
    storage->currency = (char *) "EUR";
    return storage;
}

/* Packs payload in an envelope for contract `index` into item. 0 or -1. */
static int
s_pack(driver_t *d, item_t *item, long index, const char *message_id, const ProtobufCMessage *payload)
{
    char contract_id[32], entity[40];
    s_contract_id(index, contract_id, sizeof contract_id);
    snprintf(entity, sizeof entity, "c:%s", contract_id);
    Pacta__V1__Envelope env = PACTA__V1__ENVELOPE__INIT;
    env.message_id = (char *) message_id;
    env.tenant = (char *) d->tenant;
    env.message_type = (char *) payload->descriptor->name;
    env.entity_key = entity;
    env.causation_id = (char *) "";
    env.correlation_id = (char *) "";
    env.producer = (char *) "bench";
    env.destination = (char *) "";
    env.schema_version = 1;
    env.kind = PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_EVENT;
    env.occurred_at_ms = s_now_ms();
    size_t payload_len = protobuf_c_message_get_packed_size(payload);
    env.payload.data = malloc(payload_len + 1);
    if (!env.payload.data)
        return -1;
    env.payload.len = protobuf_c_message_pack(payload, env.payload.data);
    item->len = pacta__v1__envelope__get_packed_size(&env);
    item->bytes = malloc(item->len);
    if (!item->bytes) {
        free(env.payload.data);
        return -1;
    }
    pacta__v1__envelope__pack(&env, item->bytes);
    free(env.payload.data);
    item->ack_ms = 0;
    item->sent_ms = 0;
    item->answered = false;
    return 0;
}

/* The batch index at the end of a message id ("p3-17" -> 17). */
static long
s_index_of(const char *message_id, long count)
{
    const char *dash = strrchr(message_id, '-');
    if (!dash)
        return -1;
    char *end = NULL;
    long index = strtol(dash + 1, &end, 10);
    return end && *end == '\0' && index >= 0 && index < count ? index : -1;
}

static int
s_send(driver_t *d, item_t *item)
{
    while (pacta_bus_producer_send_bytes(d->producer, item->bytes, item->len) != 0) {
        if (errno != EAGAIN)
            return -1;
        usleep(1000);
    }
    item->sent_ms = s_now_ms();
    return 0;
}

/* Sends items (NULL bytes = nothing to send for that index), `window` in
   flight, until each is answered. A retryable NACK (QUEUE_FULL, NO_CAPACITY,
   RETRY_LATER) puts the item in a FIFO resent RETRY_MS later, without
   holding up the other replies. 0, or -1 when the bus stays silent. */
#define RETRY_MS 20
static int
s_send_all(driver_t *d, item_t *items, long count, const char *what)
{
    long next = 0, in_flight = 0, answered = 0, silent_ms = 0;
    long *retry = malloc((size_t) (count + 1) * sizeof *retry);
    int64_t *retry_at = malloc((size_t) (count + 1) * sizeof *retry_at);
    long retry_head = 0, retry_tail = 0;   /* FIFO over a ring of count + 1 slots */
    long nacks_by_reason[32] = {0};
    const int64_t phase_started = s_now_ms();
    int rc = -1;
    if (!retry || !retry_at)
        goto cleanup;
    for (long i = 0; i < count; i++)
        if (!items[i].bytes) {
            items[i].answered = true;
            answered++;
        }
    while (answered < count) {
        while (in_flight < d->window && next < count) {
            if (items[next].bytes) {
                if (s_send(d, &items[next]) != 0)
                    goto cleanup;
                d->events++;
                in_flight++;
            }
            next++;
        }
        int64_t now = s_now_ms();
        while (retry_head != retry_tail && retry_at[retry_head] <= now) {
            d->resends++;
            if (s_send(d, &items[retry[retry_head]]) != 0)
                goto cleanup;
            retry_head = (retry_head + 1) % (count + 1);
        }
        int timeout = 1000;
        if (retry_head != retry_tail)
            timeout = (int) (retry_at[retry_head] > now ? retry_at[retry_head] - now : 1);
        pacta_bus_reply_t reply;
        int got = pacta_bus_producer_recv(d->producer, timeout, &reply);
        if (got < 0)
            goto cleanup;
        if (got == 1) {
            if (retry_head != retry_tail)
                continue;   /* a retry is due, not a silence */
            silent_ms += timeout;
            if (silent_ms >= 120000) {
                fprintf(stderr, "pacta-bench-year: %s: no reply for 120 s (%ld of %ld answered)\n", what, answered,
                        count);
                goto cleanup;
            }
            //  Every 10 s of silence, resend what is unanswered (same ids).
            if (silent_ms % 10000 == 0)
                for (long i = 0; i < next; i++)
                    if (items[i].bytes && !items[i].answered) {
                        d->resends++;
                        if (s_send(d, &items[i]) != 0)
                            goto cleanup;
                    }
            continue;
        }
        silent_ms = 0;
        long index = s_index_of(reply.message_id, count);
        if (index < 0 || items[index].answered)
            continue;   /* a reply to a resend already answered */
        if (!reply.ack)
            nacks_by_reason[reply.reason & 31]++;
        if (reply.ack) {
            items[index].ack_ms = s_now_ms();
            items[index].answered = true;
        }
        else if (pacta_bus_nack_reason_retryable(reply.reason)) {
            retry[retry_tail] = index;
            retry_at[retry_tail] = s_now_ms() + RETRY_MS;
            retry_tail = (retry_tail + 1) % (count + 1);
            continue;
        }
        else {
            if (d->refused++ < 5)
                fprintf(stderr, "pacta-bench-year: %s: %s refused: %s %s (%s)\n", what, reply.message_id,
                        pacta_bus_nack_reason_name(reply.reason), reply.field, reply.detail);
            items[index].answered = true;
        }
        answered++;
        in_flight--;
    }
    rc = 0;
    if (d->verbose) {
        fprintf(stderr, "pacta-bench-year: %s: %ld in %.2f s", what, count, (double) (s_now_ms() - phase_started) / 1000.0);
        for (int r = 0; r < 32; r++)
            if (nacks_by_reason[r])
                fprintf(stderr, ", %ld NACK %s", nacks_by_reason[r], pacta_bus_nack_reason_name((Pacta__V1__NackReason) r));
        fputc('\n', stderr);
    }
cleanup:
    free(retry);
    free(retry_at);
    return rc;
}

static void
s_free_items(item_t *items, long count)
{
    for (long i = 0; i < count; i++) {
        free(items[i].bytes);
        items[i].bytes = NULL;
    }
}

/* One look: 1 when no timer of the tenant is due or being handled and no
   contract has an entry to relay or a follow-up owed; 0 when something is
   still moving; -1 on a Redis error. The same conditions as `pactactl
   replay`'s settling, over the benchmark's entities only and pipelined
   (one round trip per SETTLE_BATCH contracts instead of one per key). */
static int
s_quiet_once(driver_t *d)
{
    pacta_instant_t now = 0;
    if (pacta_clock_now(d->clock, d->tenant, &now) != 0)
        return -1;
    for (size_t i = 0; i < SERVICES; i++) {
        pacta_timers_stats_t stats;
        if (pacta_timers_stats(d->timers[i], d->tenant, &stats) != 0)
            return -1;
        if (stats.leased > 0 || (stats.has_next && stats.next_due <= now))
            return 0;
    }
    static char keys[SETTLE_BATCH][2 * SERVICES][96];
    static const char *key_ptrs[SETTLE_BATCH][2 * SERVICES];
    static pacta_store_script_call_t calls[SETTLE_BATCH];
    for (long first = 0; first < d->contracts; first += SETTLE_BATCH) {
        long count = d->contracts - first < SETTLE_BATCH ? d->contracts - first : SETTLE_BATCH;
        for (long k = 0; k < count; k++) {
            char contract_id[32];
            s_contract_id(first + k, contract_id, sizeof contract_id);
            for (size_t i = 0; i < SERVICES; i++) {
                snprintf(keys[k][2 * i], sizeof keys[k][2 * i], "pacta:%.20s:{c:%s}:outbox:%s", d->tenant, contract_id,
                         s_services[i]);
                snprintf(keys[k][2 * i + 1], sizeof keys[k][2 * i + 1], "pacta:%.20s:{c:%s}:owed:%s", d->tenant,
                         contract_id, s_services[i]);
                key_ptrs[k][2 * i] = keys[k][2 * i];
                key_ptrs[k][2 * i + 1] = keys[k][2 * i + 1];
            }
            calls[k] = (pacta_store_script_call_t){.key_count = 2 * SERVICES, .keys = key_ptrs[k]};
        }
        //  A quiet entity has no outbox and no owed key at all (the relay
        //  deletes an outbox with its last entry, Redis an empty hash): one
        //  EXISTS over the batch's keys costs Redis a fraction of the exact
        //  per-entity script, which runs only when something exists. The
        //  exact look over every contract, every SETTLE_POLL_MS, had become
        //  the largest load on Redis while the stack settled.
        static const char *exists_argv[1 + SETTLE_BATCH * 2 * SERVICES];
        size_t argc = 0;
        exists_argv[argc++] = "EXISTS";
        for (long k = 0; k < count; k++)
            for (size_t i = 0; i < 2 * SERVICES; i++)
                exists_argv[argc++] = key_ptrs[k][i];
        redisReply *exists = NULL;
        if (pacta_store_command(d->store, &exists, (int) argc, exists_argv, NULL) != 0)
            return -1;
        const bool some_exist = exists->type != REDIS_REPLY_INTEGER || exists->integer > 0;
        freeReplyObject(exists);
        if (!some_exist)
            continue;
        int rc = pacta_store_script_run_batch(d->store, "bench_pending", calls, (size_t) count);
        long long pending = 0;
        for (long k = 0; k < count; k++) {
            if (calls[k].reply && calls[k].reply->type == REDIS_REPLY_INTEGER)
                pending += calls[k].reply->integer;
            else
                rc = -1;
            freeReplyObject(calls[k].reply);
            calls[k].reply = NULL;
        }
        if (rc != 0)
            return -1;
        if (pending > 0)
            return 0;
    }
    return 1;
}

/* Waits for two quiet looks in a row (at most 15 minutes). 0 or -1. */
static int
s_settle(driver_t *d)
{
    const int64_t deadline = s_now_ms() + 900000;
    int quiet = 0;
    while (quiet < 2) {
        int rc = s_quiet_once(d);
        if (rc < 0) {
            fprintf(stderr, "pacta-bench-year: settling: %s\n", pacta_store_error(d->store));
            return -1;
        }
        quiet = rc == 1 ? quiet + 1 : 0;
        if (s_now_ms() > deadline) {
            fprintf(stderr, "pacta-bench-year: the stack did not settle in 15 minutes\n");
            return -1;
        }
        if (quiet < 2)
            usleep(SETTLE_POLL_MS * 1000);
    }
    return 0;
}

/* Moves the tenant's clock with `pactactl replay` (announced, settled). */
static int
s_clock(driver_t *d, const char *action, int month, int day)
{
    char path[1024], line[256];
    snprintf(path, sizeof path, "%s/clock.jsonl", d->workdir);
    snprintf(line, sizeof line, "{\"tenant\": \"%s\", \"clock\": \"%s\", \"to\": \"%04d-%02d-%02d\"}\n", d->tenant,
             action, YEAR, month, day);
    FILE *file = fopen(path, "w");
    if (!file)
        return -1;
    fputs(line, file);
    fclose(file);
    char *argv[] = {(char *) "pactactl", (char *) "--redis-url", (char *) d->redis_url, (char *) "--bus-url",
                    (char *) d->bus_url, (char *) "replay", (char *) "--wait", (char *) "60",
                    (char *) "--no-settle", path, NULL};
    FILE *out = fopen("/dev/null", "w");
    const int64_t started = s_now_ms();
    int rc = pactactl_main(10, argv, out ? out : stdout, stderr);
    if (rc == 0)
        rc = s_settle(d);
    if (d->verbose)
        fprintf(stderr, "pacta-bench-year: clock to %04d-%02d-%02d settled in %.2f s\n", YEAR, month, day,
                (double) (s_now_ms() - started) / 1000.0);
    if (out)
        fclose(out);
    if (rc != 0)
        fprintf(stderr, "pacta-bench-year: the clock move to %04d-%02d-%02d failed\n", YEAR, month, day);
    return rc == 0 ? 0 : -1;
}

/* Finds each contract's invoice issued on month-01 in its ledger. The
   number found. */
static long
s_read_invoices(driver_t *d, int month)
{
    int64_t started = s_now_ms();
    char day[32];
    snprintf(day, sizeof day, "%04d-%02d-01", YEAR, month);
    long found = 0;
    for (long i = 0; i < d->contracts; i++) {
        d->invoice_id[i][0] = '\0';
        char contract_id[32], key[128];
        s_contract_id(i, contract_id, sizeof contract_id);
        snprintf(key, sizeof key, "pacta:%s:{c:%s}:ledger", d->tenant, contract_id);
        redisReply *reply = NULL;
        if (pacta_store_command_strs(d->store, &reply, "HGET", key, "doc", NULL) != 0)
            continue;
        json_t *doc = reply->type == REDIS_REPLY_STRING ? json_loadb(reply->str, reply->len, 0, NULL) : NULL;
        freeReplyObject(reply);
        json_t *invoices = json_object_get(doc, "invoices");
        for (size_t k = json_array_size(invoices); k-- > 0;) {
            json_t *invoice = json_array_get(invoices, k);
            const char *issued = json_string_value(json_object_get(invoice, "issued_on"));
            const char *id = json_string_value(json_object_get(invoice, "invoice_id"));
            if (issued && id && strcmp(issued, day) == 0 && strlen(id) < ID_MAX) {
                snprintf(d->invoice_id[i], ID_MAX, "%s", id);
                d->invoice_cents[i] = json_integer_value(json_object_get(invoice, "total_cents"));
                found++;
                break;
            }
        }
        json_decref(doc);
    }
    d->reads_ms += s_now_ms() - started;
    return found;
}

/* Invoices issued month-01, due month-08, for the contracts that have none
   (the January invoice of the order; later months only when invoicing does
   not issue anniversaries itself). */
static int
s_send_invoices(driver_t *d, item_t *items, int month)
{
    for (long i = 0; i < d->contracts; i++) {
        items[i].bytes = NULL;
        if (d->invoice_id[i][0])
            continue;
        char contract_id[32], message_id[ID_MAX];
        s_contract_id(i, contract_id, sizeof contract_id);
        snprintf(d->invoice_id[i], ID_MAX, "%s-F%02d", contract_id, month);
        d->invoice_cents[i] = FEE_CENTS * 121 / 100;
        snprintf(message_id, sizeof message_id, "i%d-%ld", month, i);
        Pacta__V1__Date issued, due;
        Pacta__V1__Money excl, incl;
        Pacta__V1__InvoiceIssued msg = PACTA__V1__INVOICE_ISSUED__INIT;
        msg.invoice_id = d->invoice_id[i];
        msg.contract_id = contract_id;
        msg.kind = PACTA__V1__INVOICE_KIND__INVOICE_KIND_PERIODIC;
        msg.issued_on = s_date(&issued, month, 1);
        msg.due_on = s_date(&due, month, 8);
        msg.total_excl_vat = s_money(&excl, FEE_CENTS);
        msg.total_incl_vat = s_money(&incl, d->invoice_cents[i]);
        if (s_pack(d, &items[i], i, message_id, &msg.base) != 0)
            return -1;
        if (month > 1)
            d->invoices_sent++;
    }
    char what[32];
    snprintf(what, sizeof what, "invoices of month %d", month);
    int rc = s_send_all(d, items, d->contracts, what);
    s_free_items(items, d->contracts);
    return rc;
}

/* Payments of month's invoices on `day`, by invoice id, for the late or the
   on-time contracts. */
static int
s_send_payments(driver_t *d, item_t *items, int month, int day, bool late)
{
    for (long i = 0; i < d->contracts; i++) {
        items[i].bytes = NULL;
        if ((i % d->late_every == 0) != late || !d->invoice_id[i][0])
            continue;
        char message_id[ID_MAX], payment_id[ID_MAX];
        snprintf(message_id, sizeof message_id, "p%d-%ld", month, i);
        snprintf(payment_id, sizeof payment_id, "TX-%d-%ld", month, i);
        Pacta__V1__Date value_date;
        Pacta__V1__Money amount;
        Pacta__V1__PaymentReceived msg = PACTA__V1__PAYMENT_RECEIVED__INIT;
        msg.payment_id = payment_id;
        msg.amount = s_money(&amount, d->invoice_cents[i]);
        msg.value_date = s_date(&value_date, month, day);
        msg.invoice_id = d->invoice_id[i];
        if (s_pack(d, &items[i], i, message_id, &msg.base) != 0)
            return -1;
    }
    char what[48];
    snprintf(what, sizeof what, "%s payments of month %d", late ? "late" : "on-time", month);
    int rc = s_send_all(d, items, d->contracts, what);
    if (late)
        for (long i = 0; i < d->contracts; i++)
            if (items[i].bytes)
                d->late_ack_ms[i * MONTHS_MAX + (month - 1)] = items[i].ack_ms;
    s_free_items(items, d->contracts);
    return rc;
}

static int
s_signatures(driver_t *d, item_t *items)
{
    for (long i = 0; i < d->contracts; i++) {
        char contract_id[32], client_id[32], message_id[ID_MAX];
        s_contract_id(i, contract_id, sizeof contract_id);
        snprintf(client_id, sizeof client_id, "K%ld", i);
        snprintf(message_id, sizeof message_id, "s-%ld", i);
        Pacta__V1__Date signed_on;
        Pacta__V1__Money fee;
        Pacta__V1__Client client = PACTA__V1__CLIENT__INIT;
        client.client_id = client_id;
        client.kind = PACTA__V1__PARTY_KIND__PARTY_KIND_PROFESSIONAL;
        Pacta__V1__ContractSigned msg = PACTA__V1__CONTRACT_SIGNED__INIT;
        msg.contract_id = contract_id;
        msg.client = &client;
        msg.contract_kind = PACTA__V1__CONTRACT_KIND__CONTRACT_KIND_SUBSCRIPTION_PACK;
        msg.pack_code = (char *) "start";
        msg.billing_period = PACTA__V1__BILLING_PERIOD__BILLING_PERIOD_MONTHLY;
        msg.recurring_fee = s_money(&fee, FEE_CENTS);
        msg.signed_on = s_date(&signed_on, 1, 1);
        msg.channel = PACTA__V1__CHANNEL__CHANNEL_ORDER_FORM;
        if (s_pack(d, &items[i], i, message_id, &msg.base) != 0)
            return -1;
    }
    int rc = s_send_all(d, items, d->contracts, "signatures");
    s_free_items(items, d->contracts);
    return rc;
}

static long long
s_used_memory(driver_t *d)
{
    redisReply *reply = NULL;
    if (pacta_store_command_strs(d->store, &reply, "INFO", "memory", NULL) != 0)
        return -1;
    long long used = -1;
    const char *field = reply->type == REDIS_REPLY_STRING
                            ? strstr(reply->str, "used_memory:")
                            : NULL;
    if (field)
        used = strtoll(field + strlen("used_memory:"), NULL, 10);
    freeReplyObject(reply);
    return used;
}

static int
s_compare_ll(const void *a, const void *b)
{
    long long x = *(const long long *) a, y = *(const long long *) b;
    return (x > y) - (x < y);
}

/* Reads every audit stream: decisions by rule, and the latencies of the
   CC-3c restorations after their late payment's ACK. */
static void
s_report_audit(driver_t *d, long long *latencies, size_t *latency_count, long *cc3b, long *cc3c, long *cc3d,
               long *entries)
{
    *latency_count = 0;
    *cc3b = *cc3c = *cc3d = *entries = 0;
    for (long i = 0; i < d->contracts; i++) {
        char contract_id[32], key[128];
        s_contract_id(i, contract_id, sizeof contract_id);
        snprintf(key, sizeof key, "pacta:%s:{c:%s}:audit", d->tenant, contract_id);
        redisReply *reply = NULL;
        if (pacta_store_command_strs(d->store, &reply, "XRANGE", key, "-", "+", NULL) != 0)
            continue;
        for (size_t k = 0; reply->type == REDIS_REPLY_ARRAY && k < reply->elements; k++) {
            const redisReply *entry = reply->element[k];
            if (entry->type != REDIS_REPLY_ARRAY || entry->elements != 2)
                continue;
            (*entries)++;
            const char *rule = "", *date = "";
            const redisReply *fields = entry->element[1];
            for (size_t f = 0; f + 1 < fields->elements; f += 2) {
                if (strcmp(fields->element[f]->str, "rule_id") == 0)
                    rule = fields->element[f + 1]->str;
                else if (strcmp(fields->element[f]->str, "date") == 0)
                    date = fields->element[f + 1]->str;
            }
            if (strcmp(rule, "CC-3b") == 0)
                (*cc3b)++;
            else if (strcmp(rule, "CC-3d") == 0)
                (*cc3d)++;
            else if (strcmp(rule, "CC-3c") == 0) {
                (*cc3c)++;
                int year = 0, month = 0, day = 0;
                if (sscanf(date, "%d-%d-%d", &year, &month, &day) == 3 && month >= 1 && month <= MONTHS_MAX) {
                    const int64_t ack = d->late_ack_ms[i * MONTHS_MAX + (month - 1)];
                    const long long written = strtoll(entry->element[0]->str, NULL, 10);
                    if (ack > 0)
                        latencies[(*latency_count)++] = written > ack ? written - ack : 0;
                }
            }
        }
        freeReplyObject(reply);
    }
    qsort(latencies, *latency_count, sizeof *latencies, s_compare_ll);
}

static const char *
s_arg(int argc, char **argv, const char *name, const char *fallback)
{
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return argv[i + 1];
    return fallback;
}

static long
s_long_arg(int argc, char **argv, const char *name, long fallback, long low, long high)
{
    const char *text = s_arg(argc, argv, name, NULL);
    if (!text)
        return fallback;
    char *end = NULL;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (errno || !end || *end || value < low || value > high) {
        fprintf(stderr, "pacta-bench-year: %s must be an integer in [%ld, %ld]\n", name, low, high);
        exit(2);
    }
    return value;
}

int
main(int argc, char **argv)
{
    driver_t d = {0};
    d.bus_url = s_arg(argc, argv, "--bus-url", NULL);
    d.redis_url = s_arg(argc, argv, "--redis-url", NULL);
    d.tenant = s_arg(argc, argv, "--tenant", "capconnect");
    d.workdir = s_arg(argc, argv, "--workdir", "/tmp");
    d.contracts = s_long_arg(argc, argv, "--contracts", 10000, 1, 1000000);
    d.months = (int) s_long_arg(argc, argv, "--months", 12, 1, MONTHS_MAX);
    d.late_every = s_long_arg(argc, argv, "--late-every", 10, 1, 1000000);
    d.window = s_long_arg(argc, argv, "--window", 1000, 1, 100000);
    for (int i = 1; i < argc; i++)
        d.verbose = d.verbose || strcmp(argv[i], "--verbose") == 0;
    if (!d.bus_url || !d.redis_url) {
        fprintf(stderr, "usage: pacta-bench-year --bus-url URL --redis-url URL [--contracts N] [--months M] "
                        "[--late-every K] [--window W] [--tenant T] [--workdir DIR]\n");
        return 2;
    }
    int rc = 1;
    item_t *items = calloc((size_t) d.contracts, sizeof *items);
    d.invoice_id = calloc((size_t) d.contracts, sizeof *d.invoice_id);
    d.invoice_cents = calloc((size_t) d.contracts, sizeof *d.invoice_cents);
    d.late_ack_ms = calloc((size_t) d.contracts * MONTHS_MAX, sizeof *d.late_ack_ms);
    long long *latencies = calloc((size_t) d.contracts * MONTHS_MAX + 1, sizeof *latencies);
    char err[256];
    pacta_store_options_t store_options = {.url = d.redis_url, .client_name = "bench-year"};
    pacta_bus_producer_options_t producer_options = {.endpoint = d.bus_url};
    if (!items || !d.invoice_id || !d.invoice_cents || !d.late_ack_ms || !latencies)
        goto cleanup;
    d.store = pacta_store_new(&store_options, err, sizeof err);
    if (!d.store || pacta_store_connect(d.store) != 0) {
        fprintf(stderr, "pacta-bench-year: redis: %s\n", d.store ? pacta_store_error(d.store) : err);
        goto cleanup;
    }
    if (pacta_store_script_register(d.store, "bench_pending", s_pending_lua) != 0) {
        fprintf(stderr, "pacta-bench-year: redis: %s\n", pacta_store_error(d.store));
        goto cleanup;
    }
    d.clock = pacta_clock_new(PACTA_CLOCK_TEST, d.store);
    for (size_t i = 0; i < SERVICES; i++)
        d.timers[i] = pacta_timers_new(d.store, s_services[i]);
    if (!d.clock || !d.timers[SERVICES - 1] || !d.timers[0] || !d.timers[1] || !d.timers[2] || !d.timers[3])
        goto cleanup;
    d.producer = pacta_bus_producer_new(&producer_options, err, sizeof err);
    if (!d.producer) {
        fprintf(stderr, "pacta-bench-year: bus: %s\n", err);
        goto cleanup;
    }
    const long long memory_before = s_used_memory(&d);
    if (s_clock(&d, "set", 1, 1) != 0)
        goto cleanup;

    const int64_t started = s_now_ms();
    if (s_signatures(&d, items) != 0)
        goto cleanup;
    for (int month = 1; month <= d.months; month++) {
        if (month > 1 && s_clock(&d, "advance", month, 1) != 0)
            goto cleanup;
        s_read_invoices(&d, month);
        if (s_send_invoices(&d, items, month) != 0)
            goto cleanup;
        if (s_clock(&d, "advance", month, 5) != 0 || s_send_payments(&d, items, month, 5, false) != 0)
            goto cleanup;
        if (s_clock(&d, "advance", month, 10) != 0)
            goto cleanup;
        if (s_clock(&d, "advance", month, 15) != 0 || s_send_payments(&d, items, month, 15, true) != 0)
            goto cleanup;
        fprintf(stderr, "pacta-bench-year: month %d done, %ld events, %.1f s\n", month, d.events,
                (double) (s_now_ms() - started) / 1000.0);
    }
    //  The last restorations settle with one more move.
    if (s_clock(&d, "advance", d.months, 20) != 0)
        goto cleanup;
    const int64_t elapsed_ms = s_now_ms() - started - d.reads_ms;
    const long long memory_after = s_used_memory(&d);

    size_t latency_count = 0;
    long cc3b = 0, cc3c = 0, cc3d = 0, entries = 0;
    s_report_audit(&d, latencies, &latency_count, &cc3b, &cc3c, &cc3d, &entries);
    const long late_contracts = (d.contracts + d.late_every - 1) / d.late_every;
    const long expected = late_contracts * d.months;
    const double seconds = (double) (elapsed_ms > 0 ? elapsed_ms : 1) / 1000.0;
    printf("contracts=%ld months=%d events=%ld refused=%ld resends=%ld invoices_sent_by_driver=%ld elapsed_s=%.2f "
           "events_per_s=%.0f audit_entries=%ld audit_per_s=%.0f\n",
           d.contracts, d.months, d.events, d.refused, d.resends, d.invoices_sent, seconds, (double) d.events / seconds,
           entries, (double) entries / seconds);
    printf("suspensions=%ld restorations=%ld lost_periods=%ld expected_each=%ld latency_samples=%zu p50_ms=%lld "
           "p99_ms=%lld max_ms=%lld\n",
           cc3b, cc3c, cc3d, expected, latency_count, latency_count ? latencies[latency_count / 2] : -1,
           latency_count ? latencies[(latency_count * 99) / 100 < latency_count ? (latency_count * 99) / 100
                                                                                : latency_count - 1]
                         : -1,
           latency_count ? latencies[latency_count - 1] : -1);
    printf("memory_before=%lld memory_after=%lld bytes_per_contract=%lld\n", memory_before, memory_after,
           (memory_after - memory_before) / d.contracts);
    rc = d.refused == 0 && cc3b == expected && cc3c == expected && cc3d == expected ? 0 : 3;
    if (rc != 0)
        fprintf(stderr, "pacta-bench-year: the year did not go as the terms say (refused %ld; CC-3b %ld, CC-3c %ld, "
                        "CC-3d %ld, expected %ld each)\n",
                d.refused, cc3b, cc3c, cc3d, expected);

cleanup:
    pacta_bus_producer_destroy(&d.producer);
    for (size_t i = 0; i < SERVICES; i++)
        pacta_timers_destroy(&d.timers[i]);
    pacta_clock_destroy(&d.clock);
    pacta_store_destroy(&d.store);
    free(items);
    free(d.invoice_id);
    free(d.invoice_cents);
    free(d.late_ack_ms);
    free(latencies);
    return rc;
}
