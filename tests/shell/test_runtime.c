/*  =========================================================================
    test_runtime - the service shell's effect application, against the test
    Redis, without a bus: pacta_runtime_handle() is what a bus delivery runs.

    A toy service ("toy-<pid>") handles pacta.v1.InvoiceIssued with a
    handler whose behaviour the payload's contract_id selects (count, park,
    refuse, race...). The tests check the shell's promises: one Lua script
    per effect, a version conflict retried, a duplicate applied once, a
    malformed message refused naming the field with nothing written, early
    facts parked then applied, owed follow-ups performed and swept, timers
    fired with their own date as "today".
    =========================================================================
*/
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "pacta/v1/invoicing.pb-c.h"
#include "pacta_clock.h"
#include "pacta_dedup.h"
#include "pacta_runtime.h"
#include "pacta_timers.h"
#include "shell_fixture.h"

static pacta_store_t *s_store;
static pacta_profile_set_t *s_profiles;
static pacta_clock_t *s_clock;
static pacta_metrics_t *s_metrics;
static pacta_runtime_t *s_runtime;
static char s_service[40];
static int s_handler_runs;                 /* handler calls in this test process */
static bool s_raced;                       /* the "race" handler already bumped the version */
static pacta_date_t s_timer_today = PACTA_DATE_INVALID;

static const char *const s_consumes[] = {"pacta.v1.InvoiceIssued", "pacta.v1.PaymentReceived", NULL};

/* ---- the toy service ------------------------------------------------------------ */

static int
s_on_issued(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    s_handler_runs++;
    const Pacta__V1__InvoiceIssued *msg = (const Pacta__V1__InvoiceIssued *) payload;
    json_t *doc = pacta_handler_doc(ctx, "toy");
    cr_assert_not_null(doc);
    const char *mode = msg->contract_id;
    if (strcmp(mode, "refuse") == 0)
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_INVALID, "contract_id",
                                    "contract_id: the toy refuses this one");
    if (strcmp(mode, "park") == 0 && !json_is_true(json_object_get(doc, "ready")))
        return pacta_handler_park(ctx, "the ready flag");
    if (strcmp(mode, "ready") == 0)
        json_object_set_new(doc, "ready", json_true());
    if (strcmp(mode, "race") == 0 && !s_raced) {
        //  Another instance commits to the same entity between our read and our write.
        s_raced = true;
        char key[512];
        snprintf(key, sizeof key, "%s:toy", pacta_handler_prefix(ctx));
        cr_assert_eq(pacta_store_command_strs(pacta_handler_store(ctx), NULL, "HSET", key, "version", "7", "doc",
                                              "{\"count\":5}", NULL),
                     0);
    }
    json_object_set_new(doc, "count", json_integer(json_integer_value(json_object_get(doc, "count")) + 1));
    pacta_handler_put_doc(ctx, "toy");
    json_t *entry = json_pack("{s:s, s:s, s:s}", "entry", "fact", "summary", msg->invoice_id, "ref", mode);
    pacta_handler_audit(ctx, entry);
    json_decref(entry);
    cr_assert_eq(pacta_handler_emit(ctx, payload, PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_EVENT, NULL, NULL, NULL), 0);
    if (strcmp(mode, "timer") == 0) {
        json_t *data = json_pack("{s:s}", "invoice_id", msg->invoice_id);
        char id[128];
        snprintf(id, sizeof id, "%s/toy.fire/%s", pacta_handler_entity_key(ctx), msg->invoice_id);
        cr_assert_eq(pacta_handler_schedule_timer(ctx, id, pacta_handler_date(msg->issued_on), "toy.fire", data), 0);
        json_decref(data);
        cr_assert_eq(pacta_handler_index_zadd(ctx, "toys", msg->invoice_id, 1), 0);
    }
    return 0;
}

static int
s_on_fire(pacta_handler_ctx_t *ctx, const json_t *data, void *arg)
{
    (void) arg;
    s_timer_today = pacta_handler_today(ctx);
    json_t *doc = pacta_handler_doc(ctx, "toy");
    json_object_set_new(doc, "fired", json_string(json_string_value(json_object_get(data, "invoice_id"))));
    pacta_handler_put_doc(ctx, "toy");
    return 0;
}

static const char *const s_docs[] = {"toy", NULL};
static const char *const s_required[] = {"invoice_id", "contract_id", "issued_on", NULL};
static const pacta_message_handler_t s_messages[] = {
    {"pacta.v1.InvoiceIssued", s_on_issued, s_required, s_docs},
};
static const pacta_timer_handler_t s_timers[] = {
    {"toy.fire", s_on_fire, s_docs},
};
static const pacta_handler_set_t s_handlers = {s_messages, 1, s_timers, 1, NULL};

/* ---- fixture -------------------------------------------------------------------- */

static void
s_setup(void)
{
    s_store = sf_store();
    s_profiles = sf_profiles();
    s_clock = pacta_clock_new(PACTA_CLOCK_TEST, s_store);
    s_metrics = pacta_metrics_new();
    cr_assert(s_clock && s_metrics);
    snprintf(s_service, sizeof s_service, "toy-%s", sf_tenant());
    pacta_runtime_options_t options = {.service = s_service, .consumes = s_consumes, .handlers = &s_handlers,
                                       .store = s_store, .profiles = s_profiles, .clock = s_clock,
                                       .metrics = s_metrics};
    char err[256];
    s_runtime = pacta_runtime_new(&options, err, sizeof err);
    cr_assert_not_null(s_runtime, "runtime: %s", err);
}

static void
s_teardown(void)
{
    pacta_runtime_destroy(&s_runtime);
    pacta_clock_destroy(&s_clock);
    pacta_store_destroy(&s_store);
    pacta_metrics_destroy(&s_metrics);
    pacta_profile_set_destroy(&s_profiles);
}

TestSuite(runtime, .init = s_setup, .fini = s_teardown, .timeout = 30);

/* An InvoiceIssued for the toy: contract_id selects the handler's mode. */
static Pacta__V1__Envelope *
s_issued(const char *entity, const char *id, const char *mode, const char *invoice, const char *issued_on)
{
    Pacta__V1__Date issued;
    Pacta__V1__InvoiceIssued msg = PACTA__V1__INVOICE_ISSUED__INIT;
    msg.invoice_id = (char *) invoice;
    msg.contract_id = (char *) mode;
    msg.issued_on = issued_on ? sf_date(&issued, issued_on) : NULL;
    return sf_envelope(sf_tenant(), entity, id, &msg.base);
}

static void
s_key(char *buf, size_t size, const char *entity, const char *suffix)
{
    snprintf(buf, size, "pacta:%s:{%s}:%s", sf_tenant(), entity, suffix);
}

/* ---- tests ------------------------------------------------------------------------ */

Test(runtime, applies_document_audit_and_outbox_in_one_effect)
{
    Pacta__V1__Envelope *env = s_issued("c:A", "m-1", "count", "F-1", "2025-02-01");
    pacta_runtime_result_t result;
    cr_assert_eq(pacta_runtime_handle(s_runtime, env, &result), 0);
    cr_assert(result.ack, "%s %s", result.field, result.detail);
    cr_assert_not(result.duplicate);
    cr_assert_eq(result.version, 1);
    char key[256];
    s_key(key, sizeof key, "c:A", "toy");
    long long version = 0;
    json_t *doc = sf_doc(s_store, key, &version);
    cr_assert_eq(version, 1);
    cr_assert_eq(json_integer_value(json_object_get(doc, "count")), 1);
    json_decref(doc);
    s_key(key, sizeof key, "c:A", "audit");
    json_t *audit = sf_audit(s_store, key);
    cr_assert_eq(json_array_size(audit), 1);
    json_t *entry = json_array_get(audit, 0);
    cr_assert_str_eq(json_string_value(json_object_get(entry, "caused_by")), "m-1");
    cr_assert_str_eq(json_string_value(json_object_get(entry, "service")), s_service);
    cr_assert_str_eq(json_string_value(json_object_get(entry, "summary")), "F-1");
    json_decref(audit);
    char outbox[256];
    snprintf(outbox, sizeof outbox, "pacta:%s:{c:A}:outbox:%s", sf_tenant(), s_service);
    cr_assert_eq(sf_xlen(s_store, outbox), 1, "the emitted message waits in the outbox");
    sf_envelope_free(env);
}

Test(runtime, same_message_id_applies_once)
{
    Pacta__V1__Envelope *env = s_issued("c:B", "m-dup", "count", "F-1", "2025-02-01");
    pacta_runtime_result_t first, second;
    pacta_runtime_handle(s_runtime, env, &first);
    pacta_runtime_handle(s_runtime, env, &second);
    cr_assert(first.ack && !first.duplicate);
    cr_assert(second.ack && second.duplicate, "a resend is acknowledged as a duplicate");
    char key[256];
    s_key(key, sizeof key, "c:B", "toy");
    long long version = 0;
    json_t *doc = sf_doc(s_store, key, &version);
    cr_assert_eq(json_integer_value(json_object_get(doc, "count")), 1, "the effect happened once");
    cr_assert_eq(version, 1);
    json_decref(doc);
    s_key(key, sizeof key, "c:B", "audit");
    cr_assert_eq(sf_xlen(s_store, key), 1);
    char outbox[256];
    snprintf(outbox, sizeof outbox, "pacta:%s:{c:B}:outbox:%s", sf_tenant(), s_service);
    cr_assert_eq(sf_xlen(s_store, outbox), 1, "one message emitted, not two");
    cr_assert_eq(s_handler_runs, 1, "a known duplicate does not even run the handler");

    //  The same id with other content is a conflict, and changes nothing.
    Pacta__V1__Envelope *other = s_issued("c:B", "m-dup", "count", "F-2", "2025-02-01");
    pacta_runtime_result_t third;
    pacta_runtime_handle(s_runtime, other, &third);
    cr_assert_not(third.ack);
    cr_assert_eq(third.reason, PACTA__V1__NACK_REASON__NACK_REASON_CONFLICT);
    cr_assert_str_eq(third.field, "envelope.message_id");
    cr_assert_eq(sf_xlen(s_store, key), 1);
    sf_envelope_free(other);
    sf_envelope_free(env);
}

Test(runtime, version_conflict_is_retried_on_fresh_state)
{
    Pacta__V1__Envelope *env = s_issued("c:C", "m-race", "race", "F-1", "2025-02-01");
    pacta_runtime_result_t result;
    pacta_runtime_handle(s_runtime, env, &result);
    cr_assert(result.ack, "%s", result.detail);
    cr_assert_eq(result.attempts, 2, "the first effect lost the compare-and-set and ran again");
    char key[256];
    s_key(key, sizeof key, "c:C", "toy");
    long long version = 0;
    json_t *doc = sf_doc(s_store, key, &version);
    cr_assert_eq(version, 8, "written on top of the concurrent version 7");
    cr_assert_eq(json_integer_value(json_object_get(doc, "count")), 6, "decided again from the concurrent state");
    json_decref(doc);
    s_key(key, sizeof key, "c:C", "audit");
    cr_assert_eq(sf_xlen(s_store, key), 1, "the losing attempt left no audit entry");
    double conflicts = 0;
    pacta_metrics_value(s_metrics, "pacta_effect_conflicts_total", &conflicts, "service", s_service, NULL);
    cr_assert_eq(conflicts, 1);
    sf_envelope_free(env);
}

Test(runtime, malformed_messages_are_refused_naming_the_field_and_write_nothing)
{
    pacta_runtime_result_t result;
    //  A payload that does not decode.
    Pacta__V1__Envelope *garbage = s_issued("c:D", "m-g", "count", "F-1", "2025-02-01");
    garbage->payload.data[0] = 0xff;
    garbage->payload.len = 1;
    pacta_runtime_handle(s_runtime, garbage, &result);
    cr_assert_not(result.ack);
    cr_assert_eq(result.reason, PACTA__V1__NACK_REASON__NACK_REASON_INVALID);
    cr_assert_str_eq(result.field, "envelope.payload");
    //  An impossible date.
    Pacta__V1__Envelope *bad_date = s_issued("c:D", "m-d", "count", "F-1", "2025-02-30");
    pacta_runtime_handle(s_runtime, bad_date, &result);
    cr_assert_not(result.ack);
    cr_assert_str_eq(result.field, "issued_on");
    cr_assert(strstr(result.detail, "2025-02-30 is not a date"), "%s", result.detail);
    //  A required field missing.
    Pacta__V1__Envelope *missing = s_issued("c:D", "m-m", "count", "F-1", NULL);
    pacta_runtime_handle(s_runtime, missing, &result);
    cr_assert_not(result.ack);
    cr_assert_str_eq(result.field, "issued_on");
    //  The handler's own refusal.
    Pacta__V1__Envelope *refused = s_issued("c:D", "m-r", "refuse", "F-1", "2025-02-01");
    pacta_runtime_handle(s_runtime, refused, &result);
    cr_assert_not(result.ack);
    cr_assert_str_eq(result.field, "contract_id");
    //  An unknown tenant.
    Pacta__V1__Envelope *stranger = s_issued("c:D", "m-t", "count", "F-1", "2025-02-01");
    free(stranger->tenant);
    stranger->tenant = strdup("nobody-here");
    pacta_runtime_handle(s_runtime, stranger, &result);
    cr_assert_not(result.ack);
    cr_assert_eq(result.reason, PACTA__V1__NACK_REASON__NACK_REASON_UNKNOWN_TENANT);
    cr_assert_str_eq(result.field, "envelope.tenant");
    cr_assert(strstr(result.detail, "nobody-here"), "%s", result.detail);

    char pattern[256];
    snprintf(pattern, sizeof pattern, "pacta:%s:{c:D}:*", sf_tenant());
    cr_assert_eq(sf_count_keys(s_store, pattern), 0, "nothing was written for a refused message");
    cr_assert_eq(sf_count_keys(s_store, "pacta:nobody-here:*"), 0);
    double nacked = 0;
    pacta_metrics_value(s_metrics, "pacta_messages_nacked_total", &nacked, "service", s_service, "type",
                        "pacta.v1.InvoiceIssued", "reason", "INVALID", NULL);
    cr_assert_eq(nacked, 4);
    sf_envelope_free(garbage);
    sf_envelope_free(bad_date);
    sf_envelope_free(missing);
    sf_envelope_free(refused);
    sf_envelope_free(stranger);
}

Test(runtime, early_fact_is_parked_then_applied_once)
{
    Pacta__V1__Envelope *early = s_issued("c:E", "m-early", "park", "F-early", "2025-02-01");
    pacta_runtime_result_t result;
    pacta_runtime_handle(s_runtime, early, &result);
    cr_assert(result.ack && result.parked, "an early fact is acknowledged and parked");
    char parked[256], key[256], audit[256];
    snprintf(parked, sizeof parked, "pacta:%s:{c:E}:parked:%s", sf_tenant(), s_service);
    s_key(key, sizeof key, "c:E", "toy");
    s_key(audit, sizeof audit, "c:E", "audit");
    cr_assert_eq(sf_hlen(s_store, parked), 1);
    cr_assert_not(sf_exists(s_store, key), "a parked fact changes no state");
    //  Sent again while it waits: still one parked copy, one audit entry.
    pacta_runtime_handle(s_runtime, early, &result);
    cr_assert(result.ack && result.parked);
    cr_assert_eq(sf_hlen(s_store, parked), 1);
    cr_assert_eq(sf_xlen(s_store, audit), 1);
    json_t *entries = sf_audit(s_store, audit);
    cr_assert_not_null(sf_audit_find(entries, "entry", "parked"));
    json_decref(entries);

    //  What it waited for arrives: the parked fact applies right after it.
    Pacta__V1__Envelope *ready = s_issued("c:E", "m-ready", "ready", "F-ready", "2025-02-01");
    pacta_runtime_handle(s_runtime, ready, &result);
    cr_assert(result.ack && !result.parked);
    cr_assert_eq(sf_hlen(s_store, parked), 0, "the parking area is empty again");
    json_t *doc = sf_doc(s_store, key, NULL);
    cr_assert_eq(json_integer_value(json_object_get(doc, "count")), 2, "both facts applied");
    json_decref(doc);
    //  And the early fact, resent now, is a duplicate.
    pacta_runtime_handle(s_runtime, early, &result);
    cr_assert(result.ack && result.duplicate);
    sf_envelope_free(early);
    sf_envelope_free(ready);
}

Test(runtime, owed_timer_and_index_follow_the_commit_and_the_timer_fires_on_its_date)
{
    char timers_key[256];
    snprintf(timers_key, sizeof timers_key, "pacta:{tm:%s:%s}:due", sf_tenant(), s_service);
    Pacta__V1__Envelope *env = s_issued("c:F", "m-timer", "timer", "F-7", "2025-03-03");
    pacta_runtime_result_t result;
    pacta_runtime_handle(s_runtime, env, &result);
    cr_assert(result.ack, "%s", result.detail);
    redisReply *reply = NULL;
    cr_assert_eq(pacta_store_command_strs(s_store, &reply, "ZCARD", timers_key, NULL), 0);
    cr_assert_eq(reply->integer, 1, "the timer was scheduled right after the commit");
    freeReplyObject(reply);
    char index[256], owed[256];
    snprintf(index, sizeof index, "pacta:{ix:%s}:toys", sf_tenant());
    snprintf(owed, sizeof owed, "pacta:%s:{c:F}:owed:%s", sf_tenant(), s_service);
    cr_assert(sf_exists(s_store, index), "the tenant index was written");
    cr_assert_eq(sf_hlen(s_store, owed), 0, "nothing is owed any more");

    //  Before its date nothing fires; on the test clock's 2025-03-04 it does,
    //  with its own date (2025-03-03) as today.
    pacta_instant_t now;
    cr_assert_eq(pacta_clock_set(s_clock, sf_tenant(), pacta_date_start_instant(pacta_date_from_ymd(2025, 3, 2)), &now), 0);
    cr_assert_eq(pacta_runtime_fire_timers(s_runtime, sf_tenant(), 8), 0);
    cr_assert_eq(pacta_clock_set(s_clock, sf_tenant(), pacta_date_start_instant(pacta_date_from_ymd(2025, 3, 4)), &now), 0);
    cr_assert_eq(pacta_runtime_fire_timers(s_runtime, sf_tenant(), 8), 1);
    cr_assert_eq(s_timer_today, pacta_date_from_ymd(2025, 3, 3));
    char key[256];
    s_key(key, sizeof key, "c:F", "toy");
    json_t *doc = sf_doc(s_store, key, NULL);
    cr_assert_str_eq(json_string_value(json_object_get(doc, "fired")), "F-7");
    json_decref(doc);
    cr_assert_eq(pacta_runtime_fire_timers(s_runtime, sf_tenant(), 8), 0, "a completed timer is gone");
    sf_envelope_free(env);
}

Test(runtime, sweep_performs_follow_ups_left_by_a_crash)
{
    //  What an instance that died right after its commit leaves behind.
    char owed[256], index[256];
    snprintf(owed, sizeof owed, "pacta:%s:{c:G}:owed:%s", sf_tenant(), s_service);
    snprintf(index, sizeof index, "pacta:{ix:%s}:toys", sf_tenant());
    char action[512];
    snprintf(action, sizeof action, "[{\"op\":\"zadd\",\"key\":\"%s\",\"member\":\"F-9\",\"score\":3}]", index);
    cr_assert_eq(pacta_store_command_strs(s_store, NULL, "HSET", owed, "m-crashed", action, NULL), 0);
    char mark_index[128], prefix[128];
    snprintf(mark_index, sizeof mark_index, "pacta:{owed:%s}:due", s_service);
    snprintf(prefix, sizeof prefix, "pacta:%s:{c:G}", sf_tenant());
    cr_assert_eq(pacta_store_command_strs(s_store, NULL, "ZADD", mark_index, "1000", prefix, NULL), 0);

    cr_assert_eq(pacta_runtime_sweep_owed(s_runtime, 0), 1);
    redisReply *reply = NULL;
    cr_assert_eq(pacta_store_command_strs(s_store, &reply, "ZSCORE", index, "F-9", NULL), 0);
    cr_assert_eq(reply->type, REDIS_REPLY_STRING, "the owed index entry was written");
    freeReplyObject(reply);
    cr_assert_eq(sf_hlen(s_store, owed), 0);
    cr_assert_eq(pacta_store_command_strs(s_store, &reply, "ZCARD", mark_index, NULL), 0);
    cr_assert_eq(reply->integer, 0, "the entity is no longer marked");
    freeReplyObject(reply);
}

Test(runtime, types_without_a_handler_are_acknowledged_as_ignored)
{
    Pacta__V1__PaymentReceived msg = PACTA__V1__PAYMENT_RECEIVED__INIT;
    msg.payment_id = (char *) "P-1";
    Pacta__V1__Envelope *env = sf_envelope(sf_tenant(), "c:H", "m-ignored", &msg.base);
    pacta_runtime_result_t result;
    pacta_runtime_handle(s_runtime, env, &result);
    cr_assert(result.ack && result.ignored);
    char pattern[256];
    snprintf(pattern, sizeof pattern, "pacta:%s:{c:H}:*", sf_tenant());
    cr_assert_eq(sf_count_keys(s_store, pattern), 0);
    sf_envelope_free(env);
}
