/*  =========================================================================
    test_i5c_scenarios - issue 5's acceptance criteria about how the stack
    runs, over the scenario files of tests/scenarios through real processes
    (Redis database 15, pacta-bus, the five services, pactactl replay):

      - every scenario file replayed a second time changes nothing (the
        directory is read, so a new scenario is covered without an edit);
      - worked example 1 replayed while contracts, invoicing or enforcement
        is SIGKILLed half-way and restarted ends in the same documents and
        the same audit entries as an undisturbed run, each decision once;
      - two instances of each of the three services give the same result
        as one.

    "The same" is a portable snapshot (stack_fixture.h): documents with
    their versions, audit entries with every field, compared as text.
    =========================================================================
*/
#include <criterion/criterion.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pactactl_cmd.h"
#include "stack_fixture.h"

#define SCENARIO_DIR PACTA_SOURCE_DIR "/tests/scenarios"
#define EXAMPLE01 SCENARIO_DIR "/example01_capconnect_s3.jsonl"

static void
s_fini(void)
{
    bh_cleanup_all();
}

TestSuite(i5c_scenarios, .fini = s_fini, .timeout = 280);

/* Replays file on a running stack; fails the test unless every line was
   answered and, when must_pass, every expectation met. Returns stdout. */
static char *
s_replay(sk_stack_t *stack, const char *file, bool must_pass)
{
    char *out = NULL, *err = NULL;
    int rc = sk_ctl(stack, &out, &err, "replay", "--wait", "40", "--keep-going", file, NULL);
    if (must_pass)
        cr_assert_eq(rc, 0, "replay %s failed:\n%s%s", file, out, err);
    cr_assert_null(strstr(err, "no answer"), "replay %s: %s", file, err);
    cr_assert_null(strstr(err, "not settled"), "replay %s: %s", file, err);
    free(err);
    return out;
}

/* A fresh database, a stack of `instances`, example01 replayed with every
   expectation met: the snapshot of its tenant. */
static char *
s_example01_snapshot(pacta_store_t *store, int instances)
{
    sk_flush(store);
    sk_stack_t stack;
    sk_start(&stack, instances);
    char *out = s_replay(&stack, EXAMPLE01, true);
    cr_assert(strstr(out, " 0 not met"), "%s", out);
    free(out);
    sk_stop(&stack);
    return sk_snapshot(store, "pacta:capconnect:{*", true);
}

/* First differing line of two snapshots, for failure messages. */
static void
s_first_difference(const char *a, const char *b, char *buf, size_t size)
{
    size_t line = 1, offset = 0, line_start = 0;
    while (a[offset] && a[offset] == b[offset]) {
        if (a[offset] == '\n') {
            line++;
            line_start = offset + 1;
        }
        offset++;
    }
    a += line_start;
    b += line_start;
    const char *a_end = strchr(a, '\n'), *b_end = strchr(b, '\n');
    snprintf(buf, size, "line %zu:\n  expected: %.*s\n  got:      %.*s", line,
             (int) (a_end ? (size_t) (a_end - a) : strlen(a)), a, (int) (b_end ? (size_t) (b_end - b) : strlen(b)), b);
}

static void
s_assert_same(const char *expected, const char *got, const char *what)
{
    if (strcmp(expected, got) == 0)
        return;
    char difference[2048];
    s_first_difference(expected, got, difference, sizeof difference);
    cr_assert_fail("%s: the state differs from a plain run, %s", what, difference);
}

Test(i5c_scenarios, every_scenario_replayed_twice_changes_nothing)
{
    pacta_store_t *store = sk_store();
    DIR *dir = opendir(SCENARIO_DIR);
    cr_assert_not_null(dir);
    char *names[64];
    size_t count = 0;
    for (struct dirent *entry = readdir(dir); entry && count < 64; entry = readdir(dir)) {
        size_t len = strlen(entry->d_name);
        if (len > 6 && strcmp(entry->d_name + len - 6, ".jsonl") == 0)
            names[count++] = strdup(entry->d_name);
    }
    closedir(dir);
    cr_assert_geq(count, 1, "no scenario in %s", SCENARIO_DIR);
    for (size_t i = 0; i < count; i++) {
        char path[BH_PATH_MAX];
        snprintf(path, sizeof path, "%s/%s", SCENARIO_DIR, names[i]);
        sk_flush(store);
        sk_stack_t stack;
        sk_start(&stack, 1);
        //  The first replay's expectations are the scenario suites' business;
        //  this test is about the second one.
        char *first = s_replay(&stack, path, false);
        char *before = sk_snapshot(store, "pacta:*", true);
        cr_assert_gt(strlen(before), 0, "%s wrote nothing:\n%s", names[i], first);
        char *second = s_replay(&stack, path, false);
        cr_log_info("%s, first run: %s", names[i], first);
        cr_assert(strstr(second, " 0 clock moves"), "%s: the second replay moved the clock:\n%s", names[i], second);
        //  (Clock announcements are not sent again: the clock is left alone.)
        const size_t acked = sk_count_lines(first, ": ACK ") - sk_count_lines(first, ": ACK TestClockAdvanced ");
        //  Acknowledged again, though not always marked duplicate: the bus
        //  marks an ACK duplicate only when every consuming class says so,
        //  and notifications keeps no record of what it has seen.
        cr_assert_eq(sk_count_lines(second, ": ACK "), acked,
                     "%s: every event acknowledged the first time is acknowledged the second time:\n%s\n---\n%s",
                     names[i], first, second);
        char *after = sk_snapshot(store, "pacta:*", true);
        char what[300];
        snprintf(what, sizeof what, "%s replayed twice", names[i]);
        s_assert_same(before, after, what);
        sk_stop(&stack);
        free(first);
        free(second);
        free(before);
        free(after);
        free(names[i]);
    }
    pacta_store_destroy(&store);
}

/* Writes the lines of src before (part 0) or from (part 1) the line after
   the `events`-th event line into dst. */
static void
s_split(const char *src, int events, int part, char *dst, size_t dst_size)
{
    char name[64];
    snprintf(name, sizeof name, "example01-part%d.jsonl", part);
    snprintf(dst, dst_size, "%s/%s", bh_workdir(), name);
    FILE *in = fopen(src, "r");
    FILE *out = fopen(dst, "w");
    cr_assert(in && out, "%s / %s", src, dst);
    char line[8192];
    int seen = 0;
    while (fgets(line, sizeof line, in)) {
        const bool in_first = seen < events;
        if (strstr(line, "\"type\":"))
            seen++;
        if ((part == 0) == in_first)
            fputs(line, out);
    }
    cr_assert_eq(seen > events, true, "%s has more than %d events", src, events);
    fclose(in);
    fclose(out);
}

Test(i5c_scenarios, a_service_killed_half_way_changes_nothing)
{
    pacta_store_t *store = sk_store();
    char *plain = s_example01_snapshot(store, 1);
    cr_assert(strstr(plain, "rule_id=CC-3b"), "%s", plain);
    char first_part[BH_PATH_MAX], second_part[BH_PATH_MAX];
    s_split(EXAMPLE01, 2, 0, first_part, sizeof first_part);   /* signed and invoiced */
    s_split(EXAMPLE01, 2, 1, second_part, sizeof second_part); /* overdue, suspended, paid, restored */
    static const char *const victims[] = {"contracts", "invoicing", "enforcement"};
    for (size_t v = 0; v < 3; v++) {
        sk_flush(store);
        sk_stack_t stack;
        sk_start(&stack, 1);
        char *out = s_replay(&stack, first_part, true);
        free(out);
        const size_t service = sk_service_index(victims[v]);
        bh_kill9(&stack.procs[service][0]);
        //  The rest of the scenario is sent while the service is down (the
        //  bus holds its deliveries); it comes back one second later.
        char log_path[BH_PATH_MAX];
        snprintf(log_path, sizeof log_path, "%s/replay-%s.out", bh_workdir(), victims[v]);
        fflush(NULL);
        pid_t child = fork();
        cr_assert_geq(child, 0);
        if (child == 0) {
            FILE *log = fopen(log_path, "w");
            if (!log)
                _exit(3);
            char *argv[] = {(char *) "pactactl", (char *) "--redis-url", stack.redis_url, (char *) "--bus-url",
                            stack.bus.frontend, (char *) "replay", (char *) "--wait", (char *) "60",
                            second_part, NULL};
            int rc = pactactl_main(9, argv, log, log);
            fclose(log);
            _exit(rc);
        }
        bh_sleep_ms(1000);
        sk_start_instance(&stack, service, 0);
        int status = 0;
        cr_assert_eq(waitpid(child, &status, 0), child);
        char text[16384] = "";
        FILE *log = fopen(log_path, "r");
        if (log) {
            size_t len = fread(text, 1, sizeof text - 1, log);
            text[len] = '\0';
            fclose(log);
        }
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s killed: the replay failed:\n%s", victims[v],
                  text);
        cr_assert(strstr(text, "0 not met"), "%s killed:\n%s", victims[v], text);
        sk_stop(&stack);
        char *got = sk_snapshot(store, "pacta:capconnect:{*", true);
        char what[128];
        snprintf(what, sizeof what, "%s SIGKILLed and restarted", victims[v]);
        s_assert_same(plain, got, what);
        free(got);
    }
    free(plain);
    pacta_store_destroy(&store);
}

Test(i5c_scenarios, two_instances_of_each_service_give_the_same_result)
{
    pacta_store_t *store = sk_store();
    char *one = s_example01_snapshot(store, 1);
    char *two = s_example01_snapshot(store, 2);
    cr_assert(strstr(one, "rule_id=CC-3d"), "%s", one);
    s_assert_same(one, two, "two instances of contracts, invoicing and enforcement");
    free(one);
    free(two);
    pacta_store_destroy(&store);
}
