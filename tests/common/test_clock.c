/*  Tests of pacta_clock: the real clock against the wall clock, and the
    per-tenant test clock in Redis -- shared between instances, moving only
    forward, atomically under concurrent advances, and turned into Brussels
    dates. Needs PACTA_TEST_REDIS_URL (fails, never skips, without it).
    Each test uses its own tenant name (the process id) so parallel tests do
    not share clocks. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pacta_clock.h"
#include "pacta_date.h"
#include "pacta_store.h"

static const char *
s_test_url(void)
{
    const char *url = getenv("PACTA_TEST_REDIS_URL");
    cr_assert(url && *url, "PACTA_TEST_REDIS_URL is not set: run scripts/test.sh, or start a redis-server and "
                           "export PACTA_TEST_REDIS_URL=unix:///path/to.sock (or redis://127.0.0.1:PORT)");
    return url;
}

static pacta_store_t *
s_store(void)
{
    char err[256];
    pacta_store_options_t options = {.url = s_test_url()};
    pacta_store_t *store = pacta_store_new(&options, err, sizeof err);
    cr_assert_not_null(store, "%s", err);
    cr_assert_eq(pacta_store_connect(store), 0, "cannot reach the test redis: %s", pacta_store_error(store));
    return store;
}

/* A tenant name of this test process; suffix tells tests apart further. */
static void
s_tenant(char *out, size_t size, const char *suffix)
{
    snprintf(out, size, "t-clock-%d-%s", (int) getpid(), suffix);
}

/* UTC instant of a calendar date and time, via pacta_date (no timegm). */
static pacta_instant_t
s_utc(int y, int m, int d, int hh, int mm)
{
    pacta_date_t date = pacta_date_from_ymd(y, m, d);
    cr_assert_neq(date, PACTA_DATE_INVALID);
    return (pacta_instant_t) date * 86400 + hh * 3600 + mm * 60;
}

static pacta_date_t
s_date(int y, int m, int d)
{
    return pacta_date_from_ymd(y, m, d);
}

/* ---- real mode ------------------------------------------------------------- */

Test(clock, real_mode_follows_the_wall_clock)
{
    pacta_clock_t *clock = pacta_clock_new(PACTA_CLOCK_REAL, NULL);
    cr_assert_not_null(clock);
    cr_assert_eq(pacta_clock_mode(clock), PACTA_CLOCK_REAL);
    pacta_instant_t before = (pacta_instant_t) time(NULL);
    pacta_instant_t now = 0;
    cr_assert_eq(pacta_clock_now(clock, "capconnect", &now), 0, "%s", pacta_clock_error(clock));
    pacta_instant_t after = (pacta_instant_t) time(NULL);
    cr_assert(now >= before && now <= after);
    pacta_date_t today = 0;
    cr_assert_eq(pacta_clock_today(clock, "capconnect", &today), 0);
    pacta_date_t expected = pacta_date_from_instant((pacta_instant_t) time(NULL));
    cr_assert(today == expected || today == expected - 1, "today %d, expected %d", today, expected);

    /* a real clock cannot be moved */
    cr_assert_eq(pacta_clock_advance(clock, "capconnect", 86400, NULL), -1);
    cr_assert_eq(pacta_clock_error_kind(clock), PACTA_CLOCK_E_INVALID);
    cr_assert_eq(pacta_clock_set(clock, "capconnect", before + 10, NULL), -1);
    cr_assert_eq(pacta_clock_reset(clock, "capconnect"), -1);
    pacta_clock_destroy(&clock);
    cr_assert_null(clock);
    pacta_clock_destroy(&clock);
}

Test(clock, mode_names_and_tenant_keys)
{
    pacta_clock_mode_t mode = PACTA_CLOCK_REAL;
    cr_assert_eq(pacta_clock_mode_parse("test", &mode), 0);
    cr_assert_eq(mode, PACTA_CLOCK_TEST);
    cr_assert_eq(pacta_clock_mode_parse("REAL", &mode), 0);
    cr_assert_eq(mode, PACTA_CLOCK_REAL);
    cr_assert_eq(pacta_clock_mode_parse("fake", &mode), -1);
    cr_assert_str_eq(pacta_clock_mode_name(PACTA_CLOCK_TEST), "test");

    char key[PACTA_CLOCK_KEY_MAX];
    cr_assert_eq(pacta_clock_key("capconnect", key, sizeof key), 0);
    cr_assert_str_eq(key, "pacta:{clock:capconnect}");
    static const char *const bad[] = {"", "a{b}", "a b", "x}", "caf\xc3\xa9",
                                      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert_eq(pacta_clock_key(bad[i], key, sizeof key), -1, "'%s' accepted", bad[i]);
    cr_assert_eq(pacta_clock_key(NULL, key, sizeof key), -1);

    pacta_clock_t *clock = pacta_clock_new(PACTA_CLOCK_REAL, NULL);
    pacta_instant_t now;
    cr_assert_eq(pacta_clock_now(clock, "a{b}", &now), -1);
    cr_assert_eq(pacta_clock_error_kind(clock), PACTA_CLOCK_E_INVALID);
    pacta_clock_destroy(&clock);
}

/* ---- test mode ---------------------------------------------------------------- */

Test(clock, test_clock_set_advance_and_today)
{
    pacta_store_t *store = s_store();
    pacta_clock_t *clock = pacta_clock_new(PACTA_CLOCK_TEST, store);
    cr_assert_not_null(clock);
    char tenant[64];
    s_tenant(tenant, sizeof tenant, "basic");

    /* never set: follows the wall clock */
    pacta_instant_t now = 0;
    cr_assert_eq(pacta_clock_now(clock, tenant, &now), 0, "%s", pacta_clock_error(clock));
    cr_assert_lt(llabs((long long) (now - (pacta_instant_t) time(NULL))), 5);

    /* the first set may go anywhere, even into the past */
    pacta_instant_t start = s_utc(2025, 2, 1, 9, 0);
    pacta_instant_t result = 0;
    cr_assert_eq(pacta_clock_set(clock, tenant, start, &result), 0, "%s", pacta_clock_error(clock));
    cr_assert_eq(result, start);
    cr_assert_eq(pacta_clock_now(clock, tenant, &now), 0);
    cr_assert_eq(now, start, "a test clock does not tick by itself");
    pacta_date_t today = 0;
    cr_assert_eq(pacta_clock_today(clock, tenant, &today), 0);
    cr_assert_eq(today, s_date(2025, 2, 1));

    /* CapConnect §3: due 2025-02-08, suspension from 2025-02-09 */
    cr_assert_eq(pacta_clock_advance(clock, tenant, 8 * 86400, &result), 0, "%s", pacta_clock_error(clock));
    cr_assert_eq(result, start + 8 * 86400);
    cr_assert_eq(pacta_clock_today(clock, tenant, &today), 0);
    cr_assert_eq(today, s_date(2025, 2, 9));

    /* same instant again is not backwards */
    cr_assert_eq(pacta_clock_set(clock, tenant, result, NULL), 0);
    cr_assert_eq(pacta_clock_advance(clock, tenant, 0, NULL), 0);

    /* the key is what other services read */
    char key[PACTA_CLOCK_KEY_MAX];
    pacta_clock_key(tenant, key, sizeof key);
    redisReply *reply = NULL;
    cr_assert_eq(pacta_store_command_strs(store, &reply, "GET", key, NULL), 0);
    char expected[32];
    snprintf(expected, sizeof expected, "%lld", (long long) (start + 8 * 86400));
    cr_assert_str_eq(reply->str, expected);
    freeReplyObject(reply);

    pacta_store_command_strs(store, NULL, "DEL", key, NULL);
    pacta_clock_destroy(&clock);
    pacta_store_destroy(&store);
}

Test(clock, test_clock_refuses_to_go_backwards)
{
    pacta_store_t *store = s_store();
    pacta_clock_t *clock = pacta_clock_new(PACTA_CLOCK_TEST, store);
    char tenant[64];
    s_tenant(tenant, sizeof tenant, "back");
    pacta_instant_t start = s_utc(2025, 3, 1, 12, 0);
    cr_assert_eq(pacta_clock_set(clock, tenant, start, NULL), 0, "%s", pacta_clock_error(clock));

    pacta_instant_t untouched = 12345;
    cr_assert_eq(pacta_clock_set(clock, tenant, start - 1, &untouched), -1);
    cr_assert_eq(pacta_clock_error_kind(clock), PACTA_CLOCK_E_BACKWARDS, "%s", pacta_clock_error(clock));
    cr_assert_not_null(strstr(pacta_clock_error(clock), "backwards"), "%s", pacta_clock_error(clock));
    cr_assert_eq(untouched, 12345, "out value written on failure");

    cr_assert_eq(pacta_clock_advance(clock, tenant, -3600, NULL), -1);
    cr_assert_eq(pacta_clock_error_kind(clock), PACTA_CLOCK_E_BACKWARDS);

    pacta_instant_t now = 0;
    cr_assert_eq(pacta_clock_now(clock, tenant, &now), 0);
    cr_assert_eq(now, start, "a refused move changed the clock");

    /* out of the calendar's range */
    cr_assert_eq(pacta_clock_set(clock, tenant, INT64_C(253402300800), NULL), -1);
    cr_assert_eq(pacta_clock_error_kind(clock), PACTA_CLOCK_E_INVALID);
    cr_assert_eq(pacta_clock_advance(clock, tenant, INT64_C(253402300000), NULL), -1);
    cr_assert_eq(pacta_clock_error_kind(clock), PACTA_CLOCK_E_INVALID, "%s", pacta_clock_error(clock));

    /* reset forgets it: the next set may start anywhere again */
    cr_assert_eq(pacta_clock_reset(clock, tenant), 0);
    cr_assert_eq(pacta_clock_set(clock, tenant, start - 86400, NULL), 0, "%s", pacta_clock_error(clock));
    cr_assert_eq(pacta_clock_reset(clock, tenant), 0);
    pacta_clock_destroy(&clock);
    pacta_store_destroy(&store);
}

Test(clock, advance_of_an_unset_clock_starts_from_the_wall_clock)
{
    pacta_store_t *store = s_store();
    pacta_clock_t *clock = pacta_clock_new(PACTA_CLOCK_TEST, store);
    char tenant[64];
    s_tenant(tenant, sizeof tenant, "unset");
    pacta_instant_t result = 0;
    pacta_instant_t wall = (pacta_instant_t) time(NULL);
    cr_assert_eq(pacta_clock_advance(clock, tenant, 86400, &result), 0, "%s", pacta_clock_error(clock));
    cr_assert_lt(llabs((long long) (result - (wall + 86400))), 5);
    pacta_clock_reset(clock, tenant);
    pacta_clock_destroy(&clock);
    pacta_store_destroy(&store);
}

Test(clock, brussels_date_at_day_boundaries)
{
    pacta_store_t *store = s_store();
    pacta_clock_t *clock = pacta_clock_new(PACTA_CLOCK_TEST, store);
    char tenant[64];
    s_tenant(tenant, sizeof tenant, "tz");
    static const struct {
        int y, m, d, hh, mm;   /* UTC */
        int ey, em, ed;        /* expected Brussels date */
    } cases[] = {
        {2025, 2, 8, 22, 59, 2025, 2, 8},   /* 23:59 CET */
        {2025, 2, 8, 23, 0, 2025, 2, 9},    /* 00:00 CET next day */
        {2025, 7, 14, 21, 59, 2025, 7, 14}, /* 23:59 CEST */
        {2025, 7, 14, 22, 0, 2025, 7, 15},  /* 00:00 CEST */
        {2025, 12, 31, 23, 30, 2026, 1, 1}, /* new year in Brussels first */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pacta_clock_reset(clock, tenant);
        pacta_instant_t at = s_utc(cases[i].y, cases[i].m, cases[i].d, cases[i].hh, cases[i].mm);
        cr_assert_eq(pacta_clock_set(clock, tenant, at, NULL), 0, "%s", pacta_clock_error(clock));
        pacta_date_t today;
        cr_assert_eq(pacta_clock_today(clock, tenant, &today), 0);
        char got[PACTA_DATE_STR_LEN];
        cr_assert_eq(today, s_date(cases[i].ey, cases[i].em, cases[i].ed), "case %zu gave %s", i,
                     pacta_date_format(today, got, sizeof got));
    }
    pacta_clock_reset(clock, tenant);
    pacta_clock_destroy(&clock);
    pacta_store_destroy(&store);
}

Test(clock, every_instance_sees_the_same_clock)
{
    pacta_store_t *store_a = s_store();
    pacta_store_t *store_b = s_store();
    pacta_clock_t *a = pacta_clock_new(PACTA_CLOCK_TEST, store_a);
    pacta_clock_t *b = pacta_clock_new(PACTA_CLOCK_TEST, store_b);
    char tenant[64], other[64];
    s_tenant(tenant, sizeof tenant, "shared");
    s_tenant(other, sizeof other, "other");
    pacta_instant_t start = s_utc(2025, 6, 1, 0, 0);
    cr_assert_eq(pacta_clock_set(a, tenant, start, NULL), 0);
    cr_assert_eq(pacta_clock_advance(b, tenant, 3600, NULL), 0);
    pacta_instant_t seen_by_a = 0;
    cr_assert_eq(pacta_clock_now(a, tenant, &seen_by_a), 0);
    cr_assert_eq(seen_by_a, start + 3600);
    /* tenants are independent */
    pacta_instant_t other_now = 0;
    cr_assert_eq(pacta_clock_now(a, other, &other_now), 0);
    cr_assert_lt(llabs((long long) (other_now - (pacta_instant_t) time(NULL))), 5);
    pacta_clock_reset(a, tenant);
    pacta_clock_destroy(&a);
    pacta_clock_destroy(&b);
    pacta_store_destroy(&store_a);
    pacta_store_destroy(&store_b);
}

/* ---- atomicity -------------------------------------------------------------------- */

#define ADVANCERS 4
#define ADVANCES 50

static char s_shared_tenant[64];

/* Runs on its own thread: reports failures instead of asserting, since a
   Criterion assertion must fail on the test's own thread. */
static void *
s_advancer(void *arg)
{
    (void) arg;
    intptr_t failures = 0;
    char err[256];
    pacta_store_options_t options = {.url = s_test_url()};
    pacta_store_t *store = pacta_store_new(&options, err, sizeof err);   /* one connection per "instance" */
    pacta_clock_t *clock = store ? pacta_clock_new(PACTA_CLOCK_TEST, store) : NULL;
    if (!clock)
        failures = ADVANCES;
    for (int i = 0; clock && i < ADVANCES; i++)
        if (pacta_clock_advance(clock, s_shared_tenant, 60, NULL) != 0)
            failures++;
    pacta_clock_destroy(&clock);
    pacta_store_destroy(&store);
    return (void *) failures;
}

Test(clock, concurrent_advances_all_count)
{
    pacta_store_t *store = s_store();
    pacta_clock_t *clock = pacta_clock_new(PACTA_CLOCK_TEST, store);
    s_tenant(s_shared_tenant, sizeof s_shared_tenant, "race");
    pacta_instant_t start = s_utc(2025, 1, 1, 0, 0);
    cr_assert_eq(pacta_clock_set(clock, s_shared_tenant, start, NULL), 0);
    pthread_t threads[ADVANCERS];
    for (int i = 0; i < ADVANCERS; i++)
        cr_assert_eq(pthread_create(&threads[i], NULL, s_advancer, NULL), 0);
    for (int i = 0; i < ADVANCERS; i++) {
        void *failures = NULL;
        pthread_join(threads[i], &failures);
        cr_assert_eq((intptr_t) failures, 0, "advancer %d failed %ld times", i, (long) (intptr_t) failures);
    }
    pacta_instant_t now = 0;
    cr_assert_eq(pacta_clock_now(clock, s_shared_tenant, &now), 0);
    cr_assert_eq(now, start + ADVANCERS * ADVANCES * 60, "lost updates: %lld", (long long) (now - start));
    pacta_clock_reset(clock, s_shared_tenant);
    pacta_clock_destroy(&clock);
    pacta_store_destroy(&store);
}

Test(clock, corrupted_clock_key_is_an_error_not_a_date)
{
    pacta_store_t *store = s_store();
    pacta_clock_t *clock = pacta_clock_new(PACTA_CLOCK_TEST, store);
    char tenant[64], key[PACTA_CLOCK_KEY_MAX];
    s_tenant(tenant, sizeof tenant, "corrupt");
    pacta_clock_key(tenant, key, sizeof key);
    cr_assert_eq(pacta_store_command_strs(store, NULL, "SET", key, "yesterday", NULL), 0);
    pacta_instant_t now = 42;
    cr_assert_eq(pacta_clock_now(clock, tenant, &now), -1);
    cr_assert_eq(pacta_clock_error_kind(clock), PACTA_CLOCK_E_STORE);
    cr_assert_eq(now, 42);
    cr_assert_eq(pacta_clock_advance(clock, tenant, 60, NULL), -1);
    cr_assert_eq(pacta_clock_error_kind(clock), PACTA_CLOCK_E_INVALID, "%s", pacta_clock_error(clock));
    pacta_store_command_strs(store, NULL, "DEL", key, NULL);
    pacta_clock_destroy(&clock);
    pacta_store_destroy(&store);
}

Test(clock, redis_down_is_a_store_error)
{
    char err[256];
    pacta_store_options_t options = {.url = "unix:///nonexistent/pacta-clock.sock"};
    pacta_store_t *store = pacta_store_new(&options, err, sizeof err);
    cr_assert_not_null(store, "%s", err);
    pacta_clock_t *clock = pacta_clock_new(PACTA_CLOCK_TEST, store);
    cr_assert_not_null(clock, "creating a test clock needs no connection");
    pacta_instant_t now;
    cr_assert_eq(pacta_clock_now(clock, "capconnect", &now), -1);
    cr_assert_eq(pacta_clock_error_kind(clock), PACTA_CLOCK_E_STORE);
    cr_assert_not_null(strstr(pacta_clock_error(clock), "capconnect"), "%s", pacta_clock_error(clock));
    pacta_clock_destroy(&clock);
    pacta_store_destroy(&store);
}
