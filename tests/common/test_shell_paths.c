/*  Tests for the service shell's hot paths against the test Redis: the
    pieces the benchmark work changed (issue 5) and that the end-to-end
    tests only cover indirectly.

      - pacta_timers_complete_batch: a batch completion deletes the timers
        it completed and leaves a timer re-scheduled meanwhile alone;
      - outbox_mark asks for a look a second ahead and never pushes a look
        later (ZADD LT); outbox_kick brings it to now; with defer_kicks the
        kick goes with the relay's next claim;
      - outbox_release looks once more when the last mark is grace old, not
        sooner and sooner;
      - outbox_ack deletes several ids of one outbox in one call and says
        when the outbox was seen empty;
      - entity_load returns the dedup digest and the documents in one reply;
      - an effect body's report(n) reaches the caller (the parked count);
      - owed_forget forgets one owed entry and counts owed and parked.

    Each test uses keys of its own (tenant id with the process id). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pacta_bus_producer.h"
#include "pacta_date.h"
#include "pacta_dedup.h"
#include "pacta_outbox.h"
#include "pacta_store.h"
#include "pacta_timers.h"

extern const char pacta_lua_entity_load[];
extern const char pacta_lua_owed_forget[];

static const char *
s_test_url(void)
{
    const char *url = getenv("PACTA_TEST_REDIS_URL");
    cr_assert(url && *url, "PACTA_TEST_REDIS_URL is not set: run the tests through scripts/test.sh");
    return url;
}

static pacta_store_t *
s_store(void)
{
    char err[256];
    pacta_store_options_t options = {.url = s_test_url()};
    pacta_store_t *store = pacta_store_new(&options, err, sizeof err);
    cr_assert_not_null(store, "%s", err);
    cr_assert_eq(pacta_store_connect(store), 0, "%s", pacta_store_error(store));
    return store;
}

//  A tenant id unique to this test process and name.
static void
s_tenant(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "t-%s-%d", name, (int) getpid());
}

static long long
s_redis_ms(pacta_store_t *store)
{
    redisReply *reply = NULL;
    cr_assert_eq(pacta_store_command_strs(store, &reply, "TIME", NULL), 0);
    cr_assert_eq(reply->type, REDIS_REPLY_ARRAY);
    long long ms = strtoll(reply->element[0]->str, NULL, 10) * 1000 + strtoll(reply->element[1]->str, NULL, 10) / 1000;
    freeReplyObject(reply);
    return ms;
}

//  The score of member in key, -1 when absent.
static long long
s_score(pacta_store_t *store, const char *key, const char *member)
{
    redisReply *reply = NULL;
    cr_assert_eq(pacta_store_command_strs(store, &reply, "ZSCORE", key, member, NULL), 0);
    long long score = reply->type == REDIS_REPLY_STRING ? strtoll(reply->str, NULL, 10) : -1;
    freeReplyObject(reply);
    return score;
}

static void
s_del(pacta_store_t *store, const char *key)
{
    cr_assert_eq(pacta_store_command_strs(store, NULL, "DEL", key, NULL), 0);
}

Test(shell_paths, a_batch_completion_leaves_a_rescheduled_timer_alone)
{
    pacta_store_t *store = s_store();
    pacta_timers_t *timers = pacta_timers_new(store, "invoicing");
    cr_assert_not_null(timers);
    char tenant[64];
    s_tenant(tenant, sizeof tenant, "batch");
    pacta_date_t day;
    cr_assert_eq(pacta_date_parse("2025-02-09", 10, &day), 0);
    const pacta_instant_t due = pacta_date_start_instant(day);
    const char *ids[3] = {"c:1/CC-3b/2025-02-09", "c:2/CC-3b/2025-02-09", "c:3/CC-3b/2025-02-09"};
    for (int i = 0; i < 3; i++)
        cr_assert_eq(pacta_timers_schedule(timers, tenant, ids[i], due, "c:1", "x", 1, NULL), 0, "%s",
                     pacta_timers_error(timers));
    pacta_timer_t claimed[4];
    size_t count = 0;
    cr_assert_eq(pacta_timers_claim(timers, tenant, due + 1, 30000, claimed, 4, &count), 0);
    cr_assert_eq(count, 3);
    //  The handler of another timer re-schedules the second one meanwhile.
    cr_assert_eq(pacta_timers_schedule(timers, tenant, ids[1], due + 86400000, "c:2", "y", 1, NULL), 0);

    const pacta_timer_t *done[3] = {&claimed[0], &claimed[1], &claimed[2]};
    cr_assert_eq(pacta_timers_complete_batch(timers, tenant, done, 3), 0, "%s", pacta_timers_error(timers));
    pacta_timers_stats_t stats;
    cr_assert_eq(pacta_timers_stats(timers, tenant, &stats), 0);
    cr_assert_eq(stats.leased, 0, "every claimed generation is finished");
    cr_assert_eq(stats.pending, 1, "the new schedule of the second timer stands");
    cr_assert_eq(stats.next_due, due + 86400000);
    cr_assert_eq(pacta_timers_complete_batch(timers, tenant, NULL, 0), 0, "an empty batch is no call");

    for (int i = 0; i < 3; i++)
        pacta_timer_clear(&claimed[i]);
    cr_assert_eq(pacta_timers_cancel(timers, tenant, ids[1], NULL), 0);
    pacta_timers_destroy(&timers);
    pacta_store_destroy(&store);
}

Test(shell_paths, a_mark_asks_for_a_later_look_and_a_kick_for_one_now)
{
    pacta_store_t *store = s_store();
    char service[64], err[256];
    s_tenant(service, sizeof service, "mark");
    pacta_outbox_options_t options = {.service = service};
    pacta_outbox_t *outbox = pacta_outbox_new(store, &options, err, sizeof err);
    cr_assert_not_null(outbox, "%s", err);
    char due_key[128], written_key[128];
    snprintf(due_key, sizeof due_key, "pacta:{outbox:%s}:due", service);
    snprintf(written_key, sizeof written_key, "pacta:{outbox:%s}:written", service);
    const char *member = "pacta:capconnect:{c:1}";

    const long long before = s_redis_ms(store);
    cr_assert_eq(pacta_outbox_mark(outbox, member), 0, "%s", pacta_store_error(store));
    const long long marked_due = s_score(store, due_key, member);
    const long long written = s_score(store, written_key, member);
    cr_assert_geq(written, before);
    cr_assert_geq(marked_due, written + 1000, "the writer kicks after its commit: no look before that");

    cr_assert_eq(pacta_outbox_kick(outbox, member), 0);
    const long long kicked_due = s_score(store, due_key, member);
    cr_assert_lt(kicked_due, marked_due);
    cr_assert_leq(kicked_due, s_redis_ms(store));

    //  A second mark never pushes a look that is due sooner.
    cr_assert_eq(pacta_outbox_mark(outbox, member), 0);
    cr_assert_eq(s_score(store, due_key, member), kicked_due);
    const char *members[2] = {member, "pacta:capconnect:{c:2}"};
    cr_assert_eq(pacta_outbox_mark_batch(outbox, members, 2), 0);
    cr_assert_eq(s_score(store, due_key, member), kicked_due);
    cr_assert_geq(s_score(store, due_key, members[1]), s_score(store, written_key, members[1]) + 1000);

    s_del(store, due_key);
    s_del(store, written_key);
    pacta_outbox_destroy(&outbox);
    pacta_store_destroy(&store);
}

Test(shell_paths, a_deferred_kick_goes_with_the_relays_next_claim)
{
    pacta_store_t *store = s_store();
    char service[64], err[256];
    s_tenant(service, sizeof service, "defer");
    pacta_outbox_options_t options = {.service = service, .defer_kicks = true};
    pacta_outbox_t *outbox = pacta_outbox_new(store, &options, err, sizeof err);
    cr_assert_not_null(outbox, "%s", err);
    //  No bus listens there: nothing is sent (the outbox is empty), and a
    //  ZeroMQ connect does not need its peer.
    pacta_bus_producer_options_t producer_options = {.endpoint = "tcp://127.0.0.1:9"};
    pacta_bus_producer_t *producer = pacta_bus_producer_new(&producer_options, err, sizeof err);
    cr_assert_not_null(producer, "%s", err);
    char due_key[128], written_key[128];
    snprintf(due_key, sizeof due_key, "pacta:{outbox:%s}:due", service);
    snprintf(written_key, sizeof written_key, "pacta:{outbox:%s}:written", service);
    const char *member = "pacta:capconnect:{c:3}";

    cr_assert_eq(pacta_outbox_mark(outbox, member), 0);
    const long long marked_due = s_score(store, due_key, member);
    const long long written = s_score(store, written_key, member);
    cr_assert_eq(pacta_outbox_kick_batch(outbox, &member, 1), 0);
    cr_assert_eq(s_score(store, due_key, member), marked_due, "the kick waits for the relay");

    //  The relay's turn kicks, claims, reads the (empty) outbox and gives
    //  it back for one look when the mark is grace (60 s) old.
    cr_assert_geq(pacta_outbox_relay(outbox, producer, 0), 0);
    cr_assert_eq(s_score(store, due_key, member), written + 60000);
    pacta_outbox_stats_t stats;
    pacta_outbox_stats(outbox, &stats);
    cr_assert_eq(stats.claims, 1);
    cr_assert_eq(stats.releases, 1);

    //  Destroyed with kicks still queued: nothing leaks, the marks stand.
    cr_assert_eq(pacta_outbox_kick_batch(outbox, &member, 1), 0);
    s_del(store, due_key);
    s_del(store, written_key);
    pacta_bus_producer_destroy(&producer);
    pacta_outbox_destroy(&outbox);
    pacta_store_destroy(&store);
}

Test(shell_paths, a_release_of_a_recent_mark_looks_once_more_after_the_grace)
{
    pacta_store_t *store = s_store();
    char service[64], err[256];
    s_tenant(service, sizeof service, "release");
    pacta_outbox_options_t options = {.service = service};
    pacta_outbox_t *outbox = pacta_outbox_new(store, &options, err, sizeof err);
    cr_assert_not_null(outbox, "%s", err);
    char due_key[128], written_key[128];
    snprintf(due_key, sizeof due_key, "pacta:{outbox:%s}:due", service);
    snprintf(written_key, sizeof written_key, "pacta:{outbox:%s}:written", service);
    const char *member = "pacta:capconnect:{c:9}";
    cr_assert_eq(pacta_store_command_strs(store, NULL, "ZADD", due_key, "5000", member, NULL), 0);
    cr_assert_eq(pacta_store_command_strs(store, NULL, "ZADD", written_key, "1000", member, NULL), 0);
    const char *keys[2] = {due_key, written_key};
    redisReply *reply = NULL;

    //  Seen empty 10 ms after the mark, grace 60 s, shortest recheck 100 ms:
    //  one look when the mark is 60 s old, not 100 ms later.
    const char *recent[5] = {member, "5000", "1010", "60000", "100"};
    cr_assert_eq(pacta_store_script_run(store, &reply, "outbox_release", 2, keys, NULL, 5, recent, NULL), 0);
    cr_assert_eq(reply->integer, 1);
    freeReplyObject(reply);
    cr_assert_eq(s_score(store, due_key, member), 61000);

    //  At that look (claim score 61000), the outbox is forgotten.
    const char *old[5] = {member, "61000", "61000", "60000", "100"};
    cr_assert_eq(pacta_store_script_run(store, &reply, "outbox_release", 2, keys, NULL, 5, old, NULL), 0);
    cr_assert_eq(reply->integer, 2);
    freeReplyObject(reply);
    cr_assert_eq(s_score(store, due_key, member), -1);
    cr_assert_eq(s_score(store, written_key, member), -1);

    pacta_outbox_destroy(&outbox);
    pacta_store_destroy(&store);
}

Test(shell_paths, an_ack_deletes_several_entries_and_says_when_the_outbox_was_empty)
{
    pacta_store_t *store = s_store();
    char service[64], err[256], stream[160];
    s_tenant(service, sizeof service, "ack");
    pacta_outbox_options_t options = {.service = service};
    pacta_outbox_t *outbox = pacta_outbox_new(store, &options, err, sizeof err);
    cr_assert_not_null(outbox, "%s", err);
    snprintf(stream, sizeof stream, "pacta:%s:{c:1}:outbox:x", service);
    const char *ids[3] = {"1-1", "1-2", "1-3"};
    for (int i = 0; i < 3; i++)
        cr_assert_eq(pacta_store_command_strs(store, NULL, "XADD", stream, ids[i], "env", "e", "dest", "", NULL), 0);
    const char *keys[1] = {stream};
    redisReply *reply = NULL;

    cr_assert_eq(pacta_store_script_run(store, &reply, "outbox_ack", 1, keys, NULL, 2, ids, NULL), 0);
    cr_assert_eq(reply->type, REDIS_REPLY_ARRAY);
    cr_assert_eq(reply->elements, 2);
    cr_assert_eq(reply->element[0]->integer, 1, "one entry left");
    freeReplyObject(reply);

    const long long before = s_redis_ms(store);
    cr_assert_eq(pacta_store_script_run(store, &reply, "outbox_ack", 1, keys, NULL, 1, &ids[2], NULL), 0);
    cr_assert_eq(reply->element[0]->integer, 0);
    cr_assert_geq(reply->element[1]->integer, before, "the Redis time of the empty look");
    freeReplyObject(reply);
    cr_assert_eq(pacta_store_command_strs(store, &reply, "EXISTS", stream, NULL), 0);
    cr_assert_eq(reply->integer, 0, "the empty outbox is deleted");
    freeReplyObject(reply);

    pacta_outbox_destroy(&outbox);
    pacta_store_destroy(&store);
}

Test(shell_paths, entity_load_and_owed_forget_answer_in_one_reply)
{
    pacta_store_t *store = s_store();
    cr_assert_eq(pacta_store_script_register(store, "entity_load", pacta_lua_entity_load), 0);
    cr_assert_eq(pacta_store_script_register(store, "owed_forget", pacta_lua_owed_forget), 0);
    char tenant[64], digests[160], ledger[160], absent[160], owed[160], parked[160];
    s_tenant(tenant, sizeof tenant, "load");
    snprintf(digests, sizeof digests, "pacta:%s:{c:1}:seen:invoicing:digest", tenant);
    snprintf(ledger, sizeof ledger, "pacta:%s:{c:1}:ledger", tenant);
    snprintf(absent, sizeof absent, "pacta:%s:{c:1}:contract", tenant);
    snprintf(owed, sizeof owed, "pacta:%s:{c:1}:owed:invoicing", tenant);
    snprintf(parked, sizeof parked, "pacta:%s:{c:1}:parked:invoicing", tenant);
    cr_assert_eq(pacta_store_command_strs(store, NULL, "HSET", digests, "m-1", "d1", NULL), 0);
    cr_assert_eq(pacta_store_command_strs(store, NULL, "HSET", ledger, "version", "3", "doc", "{}", NULL), 0);

    const char *keys[3] = {digests, ledger, absent};
    const char *seen_id[1] = {"m-1"};
    redisReply *reply = NULL;
    cr_assert_eq(pacta_store_script_run(store, &reply, "entity_load", 3, keys, NULL, 1, seen_id, NULL), 0);
    cr_assert_eq(reply->type, REDIS_REPLY_ARRAY);
    cr_assert_eq(reply->elements, 5);
    cr_assert_str_eq(reply->element[0]->str, "d1");
    cr_assert_str_eq(reply->element[1]->str, "3");
    cr_assert_str_eq(reply->element[2]->str, "{}");
    cr_assert_eq(reply->element[3]->type, REDIS_REPLY_NIL, "an absent document has no version");
    cr_assert_eq(reply->element[4]->type, REDIS_REPLY_NIL);
    freeReplyObject(reply);
    const char *new_id[1] = {"m-2"};
    cr_assert_eq(pacta_store_script_run(store, &reply, "entity_load", 1, keys, NULL, 1, new_id, NULL), 0);
    cr_assert_eq(reply->elements, 1);
    cr_assert_eq(reply->element[0]->type, REDIS_REPLY_NIL, "a new message id has no digest");
    freeReplyObject(reply);

    cr_assert_eq(pacta_store_command_strs(store, NULL, "HSET", owed, "m-1", "[]", "m-2", "[]", NULL), 0);
    cr_assert_eq(pacta_store_command_strs(store, NULL, "HSET", parked, "p-1", "env", NULL), 0);
    const char *forget_keys[2] = {owed, parked};
    cr_assert_eq(pacta_store_script_run(store, &reply, "owed_forget", 2, forget_keys, NULL, 1, seen_id, NULL), 0);
    cr_assert_eq(reply->type, REDIS_REPLY_ARRAY);
    cr_assert_eq(reply->element[0]->integer, 1, "m-2 is still owed");
    cr_assert_eq(reply->element[1]->integer, 1, "one fact is parked");
    freeReplyObject(reply);

    s_del(store, digests);
    s_del(store, ledger);
    s_del(store, owed);
    s_del(store, parked);
    pacta_store_destroy(&store);
}

Test(shell_paths, an_effect_body_reports_a_second_integer_to_its_caller)
{
    pacta_store_t *store = s_store();
    char tenant[64], err[256], prefix[PACTA_DEDUP_PREFIX_MAX + 1], parked[PACTA_DEDUP_PREFIX_MAX + 32];
    s_tenant(tenant, sizeof tenant, "report");
    pacta_dedup_options_t options = {.service = "invoicing"};
    pacta_dedup_t *dedup = pacta_dedup_new(store, &options, err, sizeof err);
    cr_assert_not_null(dedup, "%s", err);
    cr_assert_eq(pacta_dedup_register(dedup, "counts_parked", "report(redis.call('HLEN', keys[1]))\nreturn 5"), 0,
                 "%s", pacta_store_error(store));
    cr_assert_eq(pacta_dedup_register(dedup, "plain", "return 6"), 0);
    cr_assert_eq(pacta_dedup_prefix(tenant, "c:1", prefix, sizeof prefix), 0);
    snprintf(parked, sizeof parked, "%s:parked:invoicing", prefix);
    cr_assert_eq(pacta_store_command_strs(store, NULL, "HSET", parked, "p-1", "e", "p-2", "e", NULL), 0);

    const char *keys[1] = {parked};
    pacta_dedup_call_t call = {.prefix = prefix, .message_id = "m-1", .digest = "d", .key_count = 1, .keys = keys};
    cr_assert_eq(pacta_dedup_apply(dedup, "counts_parked", &call), 0, "%s", call.error);
    cr_assert_eq(call.outcome, PACTA_DEDUP_APPLIED);
    cr_assert_eq(call.result_integer, 5);
    cr_assert_eq(call.reported, 2, "two facts are parked");
    pacta_dedup_call_t plain = {.prefix = prefix, .message_id = "m-2", .digest = "d"};
    cr_assert_eq(pacta_dedup_apply(dedup, "plain", &plain), 0, "%s", plain.error);
    cr_assert_eq(plain.result_integer, 6);
    cr_assert_eq(plain.reported, -1, "a body that reports nothing");

    char seen[PACTA_DEDUP_PREFIX_MAX + 32], digests[PACTA_DEDUP_PREFIX_MAX + 32];
    snprintf(seen, sizeof seen, "%s:seen:invoicing", prefix);
    snprintf(digests, sizeof digests, "%s:seen:invoicing:digest", prefix);
    s_del(store, parked);
    s_del(store, seen);
    s_del(store, digests);
    pacta_dedup_destroy(&dedup);
    pacta_store_destroy(&store);
}
