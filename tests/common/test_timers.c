/*  Tests for pacta_timers against the test Redis: due order, leases and
    their expiry, generations across re-scheduling, cancel and release, and
    several processes claiming the same tenant's timers at once (each timer
    handed out exactly once). Each test uses its own tenant id. */
#include <criterion/criterion.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pacta_date.h"
#include "pacta_timers.h"

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

static pacta_instant_t
s_at(const char *iso)
{
    pacta_date_t date;
    cr_assert_eq(pacta_date_parse(iso, strlen(iso), &date), 0);
    return pacta_date_start_instant(date);
}

Test(timers, claims_due_timers_in_due_order)
{
    pacta_store_t *store = s_store();
    pacta_timers_t *timers = pacta_timers_new(store, "invoicing");
    cr_assert_not_null(timers);
    char tenant[64];
    s_tenant(tenant, sizeof tenant, "order");

    //  Scheduled out of order; the payload is binary (NUL inside).
    cr_assert_eq(pacta_timers_schedule(timers, tenant, "c:1/CC-3b/2025-03-09", s_at("2025-03-09"), "c:1", "b\0b", 3, NULL), 0,
                 "%s", pacta_timers_error(timers));
    cr_assert_eq(pacta_timers_schedule(timers, tenant, "c:2/CC-3b/2025-02-09", s_at("2025-02-09"), "c:2", "a", 1, NULL), 0);
    cr_assert_eq(pacta_timers_schedule(timers, tenant, "c:3/CC-2b/2026-02-28", s_at("2026-02-28"), "c:3", NULL, 0, NULL), 0);

    pacta_timer_t claimed[8];
    size_t count = 99;
    cr_assert_eq(pacta_timers_claim(timers, tenant, s_at("2025-02-08"), 30000, claimed, 8, &count), 0);
    cr_assert_eq(count, 0, "nothing is due before 2025-02-09");

    //  A test clock advanced a year hands out everything due, earliest first.
    cr_assert_eq(pacta_timers_claim(timers, tenant, s_at("2026-01-01"), 30000, claimed, 8, &count), 0,
                 "%s", pacta_timers_error(timers));
    cr_assert_eq(count, 2);
    cr_assert_str_eq(claimed[0].id, "c:2/CC-3b/2025-02-09");
    cr_assert_str_eq(claimed[0].entity_key, "c:2");
    cr_assert_eq(claimed[0].due, s_at("2025-02-09"));
    cr_assert_eq(claimed[0].generation, 1);
    cr_assert_eq(claimed[0].attempts, 1);
    cr_assert_str_eq(claimed[1].id, "c:1/CC-3b/2025-03-09");
    cr_assert_eq(claimed[1].payload_len, 3);
    cr_assert_eq(memcmp(claimed[1].payload, "b\0b", 3), 0, "payloads are binary-safe");

    pacta_timers_stats_t stats;
    cr_assert_eq(pacta_timers_stats(timers, tenant, &stats), 0);
    cr_assert_eq(stats.pending, 1);
    cr_assert_eq(stats.leased, 2);
    cr_assert(stats.has_next);
    cr_assert_eq(stats.next_due, s_at("2026-02-28"));

    //  Leased timers are not handed out again.
    pacta_timer_t again[8];
    cr_assert_eq(pacta_timers_claim(timers, tenant, s_at("2026-01-01"), 30000, again, 8, &count), 0);
    cr_assert_eq(count, 0);

    bool done = false;
    for (int i = 0; i < 2; i++) {
        cr_assert_eq(pacta_timers_complete(timers, tenant, &claimed[i], &done), 0);
        cr_assert(done);
        pacta_timer_clear(&claimed[i]);
    }
    cr_assert_eq(pacta_timers_stats(timers, tenant, &stats), 0);
    cr_assert_eq(stats.leased, 0);
    cr_assert_eq(stats.pending, 1);
    pacta_timers_destroy(&timers);
    pacta_timers_destroy(&timers);
    pacta_store_destroy(&store);
}

Test(timers, expired_lease_is_claimed_again)
{
    pacta_store_t *store = s_store();
    pacta_timers_t *timers = pacta_timers_new(store, "enforcement");
    char tenant[64];
    s_tenant(tenant, sizeof tenant, "lease");
    cr_assert_eq(pacta_timers_schedule(timers, tenant, "c:9/CC-3b/2025-02-09", s_at("2025-02-09"), "c:9", "x", 1, NULL), 0);

    pacta_timer_t first, second;
    size_t count;
    cr_assert_eq(pacta_timers_claim(timers, tenant, s_at("2025-02-09"), 100, &first, 1, &count), 0);
    cr_assert_eq(count, 1);
    //  The claimer "dies": after the 100 ms lease another instance gets it.
    poll(NULL, 0, 250);
    cr_assert_eq(pacta_timers_claim(timers, tenant, s_at("2025-02-09"), 30000, &second, 1, &count), 0);
    cr_assert_eq(count, 1, "an expired lease is claimable again");
    cr_assert_str_eq(second.id, first.id);
    cr_assert_eq(second.due, s_at("2025-02-09"), "it keeps its due instant");
    cr_assert_eq(second.generation, first.generation);
    cr_assert_eq(second.attempts, 2, "the second claim of the same generation");

    //  Both may complete; the effect is deduplicated by id + generation, and
    //  the timer is gone after the first.
    bool done;
    cr_assert_eq(pacta_timers_complete(timers, tenant, &second, &done), 0);
    cr_assert(done);
    cr_assert_eq(pacta_timers_complete(timers, tenant, &first, &done), 0);
    cr_assert_not(done, "already completed");
    pacta_timer_clear(&first);
    pacta_timer_clear(&second);
    pacta_timers_destroy(&timers);
    pacta_store_destroy(&store);
}

Test(timers, reschedule_during_lease_wins)
{
    pacta_store_t *store = s_store();
    pacta_timers_t *timers = pacta_timers_new(store, "contracts");
    char tenant[64];
    s_tenant(tenant, sizeof tenant, "resched");
    const char *id = "c:5/CC-2b/2026-02-28";
    int64_t generation = 0;
    cr_assert_eq(pacta_timers_schedule(timers, tenant, id, s_at("2026-02-28"), "c:5", "old", 3, &generation), 0);
    cr_assert_eq(generation, 1);

    pacta_timer_t claimed;
    size_t count;
    cr_assert_eq(pacta_timers_claim(timers, tenant, s_at("2026-03-01"), 30000, &claimed, 1, &count), 0);
    cr_assert_eq(count, 1);
    //  A late notice moved the deadline while the old one was being handled.
    cr_assert_eq(pacta_timers_schedule(timers, tenant, id, s_at("2027-02-28"), "c:5", "new", 3, &generation), 0);
    cr_assert_eq(generation, 2);

    bool done = true;
    cr_assert_eq(pacta_timers_complete(timers, tenant, &claimed, &done), 0);
    cr_assert_not(done, "completing the old generation leaves the new schedule");
    cr_assert_eq(pacta_timers_release(timers, tenant, &claimed, 10), 0, "release of an old generation is a no-op");

    pacta_timer_t renewed;
    cr_assert_eq(pacta_timers_claim(timers, tenant, s_at("2026-12-31"), 30000, &renewed, 1, &count), 0);
    cr_assert_eq(count, 0, "the new deadline is not due yet");
    cr_assert_eq(pacta_timers_claim(timers, tenant, s_at("2027-02-28"), 30000, &renewed, 1, &count), 0);
    cr_assert_eq(count, 1);
    cr_assert_eq(renewed.generation, 2);
    cr_assert_eq(renewed.attempts, 1, "attempts restart with a new generation");
    cr_assert_eq(memcmp(renewed.payload, "new", 3), 0);
    pacta_timer_clear(&claimed);
    pacta_timer_clear(&renewed);
    pacta_timers_destroy(&timers);
    pacta_store_destroy(&store);
}

Test(timers, cancel_and_release)
{
    pacta_store_t *store = s_store();
    pacta_timers_t *timers = pacta_timers_new(store, "gdpr-retention");
    cr_assert_not_null(timers);
    char tenant[64];
    s_tenant(tenant, sizeof tenant, "cancel");
    cr_assert_eq(pacta_timers_schedule(timers, tenant, "s:1/SG-11/2027-01-01", s_at("2027-01-01"), "s:1", NULL, 0, NULL), 0);
    bool existed = false;
    cr_assert_eq(pacta_timers_cancel(timers, tenant, "s:1/SG-11/2027-01-01", &existed), 0);
    cr_assert(existed);
    cr_assert_eq(pacta_timers_cancel(timers, tenant, "s:1/SG-11/2027-01-01", &existed), 0);
    cr_assert_not(existed, "cancelling twice is harmless");

    //  A failed handler releases its claim with a back-off: retried after it,
    //  not before (a long back-off keeps one timer out, a short one lets the
    //  other back in; neither check depends on the machine's speed).
    cr_assert_eq(pacta_timers_schedule(timers, tenant, "s:2/L-4/2025-07-01", s_at("2025-07-01"), "s:2", NULL, 0, NULL), 0);
    cr_assert_eq(pacta_timers_schedule(timers, tenant, "s:3/L-4/2025-07-01", s_at("2025-07-01"), "s:3", NULL, 0, NULL), 0);
    pacta_timer_t claimed[2], retried;
    size_t count;
    cr_assert_eq(pacta_timers_claim(timers, tenant, s_at("2025-07-01"), 30000, claimed, 2, &count), 0);
    cr_assert_eq(count, 2);
    cr_assert_eq(pacta_timers_release(timers, tenant, &claimed[0], 600000), 0);
    cr_assert_eq(pacta_timers_release(timers, tenant, &claimed[1], 50), 0);
    poll(NULL, 0, 300);
    cr_assert_eq(pacta_timers_claim(timers, tenant, s_at("2025-07-01"), 30000, &retried, 1, &count), 0);
    cr_assert_eq(count, 1, "only the timer whose back-off is over");
    cr_assert_str_eq(retried.id, "s:3/L-4/2025-07-01");
    cr_assert_eq(retried.attempts, 2);
    pacta_timer_clear(&claimed[0]);
    pacta_timer_clear(&claimed[1]);
    pacta_timer_clear(&retried);
    pacta_timers_destroy(&timers);
    pacta_store_destroy(&store);
}

Test(timers, refuses_bad_arguments)
{
    pacta_store_t *store = s_store();
    cr_assert_null(pacta_timers_new(store, "bad{service}"));
    cr_assert_null(pacta_timers_new(store, ""));
    pacta_timers_t *timers = pacta_timers_new(store, "invoicing");
    char tenant[64];
    s_tenant(tenant, sizeof tenant, "bad");
    cr_assert_eq(pacta_timers_schedule(timers, "bad tenant", "id", 0, "c:1", NULL, 0, NULL), -1);
    cr_assert(strstr(pacta_timers_error(timers), "tenant"));
    cr_assert_eq(pacta_timers_schedule(timers, tenant, "id with space", 0, "c:1", NULL, 0, NULL), -1);
    cr_assert(strstr(pacta_timers_error(timers), "timer id"));
    cr_assert_eq(pacta_timers_schedule(timers, tenant, "id", 0, "c:{1}", NULL, 0, NULL), -1);
    cr_assert(strstr(pacta_timers_error(timers), "entity key"));
    cr_assert_eq(pacta_timers_schedule(timers, tenant, "id", -5, "c:1", NULL, 0, NULL), -1);
    static char big[PACTA_TIMER_PAYLOAD_MAX + 1];
    cr_assert_eq(pacta_timers_schedule(timers, tenant, "id", 0, "c:1", big, sizeof big, NULL), -1);
    cr_assert(strstr(pacta_timers_error(timers), "payload"));
    pacta_timer_t out;
    size_t count;
    cr_assert_eq(pacta_timers_claim(timers, tenant, 0, 0, &out, 1, &count), -1, "a lease must be positive");
    pacta_timers_destroy(&timers);
    pacta_store_destroy(&store);
}

Test(timers, concurrent_claimers_get_each_timer_once, .timeout = 60)
{
    enum { TIMERS = 600, CLAIMERS = 4 };
    pacta_store_t *store = s_store();
    pacta_timers_t *timers = pacta_timers_new(store, "enforcement");
    char tenant[64];
    s_tenant(tenant, sizeof tenant, "race");
    for (int i = 0; i < TIMERS; i++) {
        char id[64], entity[32];
        snprintf(id, sizeof id, "c:%d/CC-3b/due", i);
        snprintf(entity, sizeof entity, "c:%d", i);
        cr_assert_eq(pacta_timers_schedule(timers, tenant, id, 1000 + i, entity, NULL, 0, NULL), 0);
    }
    pacta_timers_destroy(&timers);
    pacta_store_destroy(&store);

    //  Each claimer process writes the ids it got to its own pipe.
    int pipes[CLAIMERS][2];
    pid_t pids[CLAIMERS];
    for (int c = 0; c < CLAIMERS; c++) {
        cr_assert_eq(pipe(pipes[c]), 0);
        pids[c] = fork();
        cr_assert_neq(pids[c], -1);
        if (pids[c] == 0) {
            close(pipes[c][0]);
            pacta_store_t *own_store = s_store();
            pacta_timers_t *own = pacta_timers_new(own_store, "enforcement");
            FILE *out = fdopen(pipes[c][1], "w");
            pacta_timer_t batch[7];
            size_t count;
            do {
                if (pacta_timers_claim(own, tenant, 5000, 60000, batch, 7, &count) != 0)
                    _exit(2);
                for (size_t i = 0; i < count; i++) {
                    fprintf(out, "%s\n", batch[i].id);
                    bool done;
                    if (pacta_timers_complete(own, tenant, &batch[i], &done) != 0 || !done)
                        _exit(3);
                    pacta_timer_clear(&batch[i]);
                }
            } while (count > 0);
            fclose(out);
            pacta_timers_destroy(&own);
            pacta_store_destroy(&own_store);
            _exit(0);
        }
        close(pipes[c][1]);
    }
    static int seen[TIMERS];
    int total = 0, claimers_with_work = 0;
    for (int c = 0; c < CLAIMERS; c++) {
        FILE *in = fdopen(pipes[c][0], "r");
        char line[128];
        int got = 0;
        while (fgets(line, sizeof line, in)) {
            const int index = (int) strtol(line + 2, NULL, 10);
            cr_assert(index >= 0 && index < TIMERS);
            seen[index]++;
            got++;
        }
        fclose(in);
        int status;
        waitpid(pids[c], &status, 0);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "claimer %d exited %d", c, WEXITSTATUS(status));
        total += got;
        claimers_with_work += got > 0;
    }
    cr_assert_eq(total, TIMERS, "every timer handed out");
    for (int i = 0; i < TIMERS; i++)
        cr_assert_eq(seen[i], 1, "timer %d handed out %d times", i, seen[i]);
    cr_assert_geq(claimers_with_work, 1);
}
