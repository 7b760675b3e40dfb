/*  pactactl end to end through pactactl_main(): profile checks, the dates
    helper, and the test clock against the real test Redis. Output goes to
    memory streams so every message can be checked. */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pactactl_cmd.h"

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
    char *argv[32] = {"pactactl"};
    int argc = 1;
    va_list args;
    va_start(args, first);
    for (const char *word = first; word && argc < 31; word = va_arg(args, const char *))
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

static const char *
s_redis(void)
{
    const char *url = getenv("PACTA_TEST_REDIS_URL");
    cr_assert(url && *url, "PACTA_TEST_REDIS_URL is not set: run the tests through scripts/test.sh");
    return url;
}

#define PROFILES PACTA_SOURCE_DIR "/deploy/profiles"

Test(pactactl, help_and_usage_errors)
{
    result_t r = s_ctl("--help", NULL);
    cr_assert_eq(r.rc, 0);
    cr_assert(strstr(r.out, "profile check"), "--help lists the commands:\n%s", r.out);
    cr_assert(strstr(r.out, "PACTA_REDIS_URL"));
    s_free(&r);

    r = s_ctl("--version", NULL);
    cr_assert_eq(r.rc, 0);
    cr_assert(strstr(r.out, "pactactl " PACTA_VERSION));
    s_free(&r);

    r = s_ctl(NULL);
    cr_assert_eq(r.rc, 2, "no command is a usage error");
    cr_assert(strstr(r.err, "no command"));
    s_free(&r);

    r = s_ctl("frobnicate", NULL);
    cr_assert_eq(r.rc, 2);
    cr_assert(strstr(r.err, "unknown command 'frobnicate'"), "%s", r.err);
    s_free(&r);

    r = s_ctl("dates", "--tenant", "capconnect", "--bogus", "1", NULL);
    cr_assert_eq(r.rc, 2);
    cr_assert(strstr(r.err, "--bogus"), "%s", r.err);
    s_free(&r);
}

Test(pactactl, profile_check_valid_and_invalid)
{
    result_t r = s_ctl("profile", "check", PROFILES "/capconnect.yaml", PROFILES "/sgevent.yaml", NULL);
    cr_assert_eq(r.rc, 0, "%s%s", r.out, r.err);
    cr_assert(strstr(r.out, "tenant capconnect"));
    cr_assert(strstr(r.out, "tenant sgevent"));
    cr_assert(strstr(r.out, "invoices due after                 7 calendar days"), "%s", r.out);
    cr_assert(strstr(r.out, "invoices due after                 15 calendar days"), "%s", r.out);
    s_free(&r);

    r = s_ctl("profile", "check", PROFILES, NULL);
    cr_assert_eq(r.rc, 0, "a directory is checked as the services load it: %s", r.out);
    cr_assert(strstr(r.out, "(2 profiles)"), "%s", r.out);
    s_free(&r);

    //  A copy with one bad value: refused with file, line and key.
    char path[] = "/tmp/pactactl-profile-XXXXXX.yaml";
    const int fd = mkstemps(path, 5);
    cr_assert_geq(fd, 0);
    FILE *in = fopen(PROFILES "/sgevent.yaml", "r");
    FILE *out = fdopen(fd, "w");
    cr_assert(in && out);
    char line[1024];
    int line_no = 0, bad_line = 0;
    while (fgets(line, sizeof line, in)) {
        line_no++;
        char *key = strstr(line, "due_calendar_days:");
        if (key && !bad_line && (key == line || key[-1] == ' ')) {
            snprintf(key, sizeof line - (size_t) (key - line), "due_calendar_days: soon\n");
            bad_line = line_no;
        }
        fputs(line, out);
    }
    fclose(in);
    fclose(out);
    cr_assert_gt(bad_line, 0);
    r = s_ctl("profile", "check", path, PROFILES "/capconnect.yaml", NULL);
    cr_assert_eq(r.rc, 1, "one invalid profile fails the check");
    char where[128];
    snprintf(where, sizeof where, ".yaml:%d: ", bad_line);
    cr_assert(strstr(r.out, "INVALID"), "%s", r.out);
    cr_assert(strstr(r.out, where), "names the line %d: %s", bad_line, r.out);
    cr_assert(strstr(r.out, "due_calendar_days"), "names the key: %s", r.out);
    cr_assert(strstr(r.out, "ok " PROFILES "/capconnect.yaml"), "the other file is still checked: %s", r.out);
    s_free(&r);
    unlink(path);

    r = s_ctl("profile", "check", "/nonexistent/profile.yaml", NULL);
    cr_assert_eq(r.rc, 1);
    cr_assert(strstr(r.out, "No such file"), "%s", r.out);
    s_free(&r);
}

Test(pactactl, dates_follow_the_profile)
{
    result_t r = s_ctl("--profile-dir", PROFILES, "dates", "--tenant", "capconnect", "--invoice-issued", "2025-02-01",
                       NULL);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    cr_assert(strstr(r.out, "due 2025-02-08"), "CC-3a: 7 calendar days: %s", r.out);
    cr_assert(strstr(r.out, "overdue from 2025-02-09"), "%s", r.out);
    s_free(&r);

    r = s_ctl("--profile-dir", PROFILES, "dates", "--tenant", "sgevent", "--invoice-issued", "2025-03-03", NULL);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    cr_assert(strstr(r.out, "due 2025-03-18"), "SG-8b: 15 calendar days: %s", r.out);
    s_free(&r);

    r = s_ctl("--profile-dir", PROFILES, "dates", "--tenant", "sgevent", "--letter-posted", "2025-04-24", NULL);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    cr_assert(strstr(r.out, "presumed received 2025-04-29"), "worked example 8: %s", r.out);
    cr_assert(strstr(r.out, "Sat 2025-04-26"), "lists the skipped weekend: %s", r.out);
    s_free(&r);

    r = s_ctl("--profile-dir", PROFILES, "dates", "--tenant", "capconnect", "--letter-posted", "2025-12-24", NULL);
    cr_assert(strstr(r.out, "presumed received 2025-12-30"), "%s", r.out);
    cr_assert(strstr(r.out, "2025-12-25 (holiday)"), "%s", r.out);
    s_free(&r);

    r = s_ctl("--profile-dir", PROFILES, "dates", "--tenant", "nobody", "--letter-posted", "2025-12-24", NULL);
    cr_assert_eq(r.rc, 1);
    cr_assert(strstr(r.err, "no profile for tenant 'nobody'"), "%s", r.err);
    s_free(&r);

    r = s_ctl("--profile-dir", PROFILES, "dates", "--tenant", "capconnect", "--invoice-issued", "2025-02-30", NULL);
    cr_assert_eq(r.rc, 2);
    cr_assert(strstr(r.err, "--invoice-issued: '2025-02-30' is not a date"), "%s", r.err);
    s_free(&r);
}

Test(pactactl, test_clock)
{
    const char *redis = s_redis();
    char tenant[64];
    snprintf(tenant, sizeof tenant, "ctl-test-%d", (int) getpid());

    result_t r = s_ctl("--redis-url", redis, "clock", "set", "--tenant", tenant, "2025-02-01", NULL);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    cr_assert(strstr(r.out, "2025-02-01 00:00:00 Europe/Brussels (UTC+1, 2025-01-31T23:00:00Z)"), "%s", r.out);
    s_free(&r);

    r = s_ctl("--redis-url", redis, "clock", "advance", "--tenant", tenant, "--days", "8", NULL);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    cr_assert(strstr(r.out, "today 2025-02-09"), "%s", r.out);
    s_free(&r);

    r = s_ctl("--redis-url", redis, "clock", "set", "--tenant", tenant, "2025-01-01", NULL);
    cr_assert_eq(r.rc, 1, "the clock never goes back");
    cr_assert(strstr(r.err, "backwards"), "%s", r.err);
    s_free(&r);

    r = s_ctl("--redis-url", redis, "clock", "advance", "--tenant", tenant, "--to", "2025-07-01T10:00:00Z", NULL);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    cr_assert(strstr(r.out, "2025-07-01 12:00:00 Europe/Brussels (UTC+2"), "summer time: %s", r.out);
    s_free(&r);

    r = s_ctl("--redis-url", redis, "clock", "show", "--tenant", tenant, NULL);
    cr_assert_eq(r.rc, 0);
    cr_assert(strstr(r.out, "test clock at 2025-07-01"), "%s", r.out);
    s_free(&r);

    r = s_ctl("--redis-url", redis, "clock", "advance", "--tenant", tenant, "--days", "-3", NULL);
    cr_assert_eq(r.rc, 2);
    cr_assert(strstr(r.err, "--days: '-3'"), "%s", r.err);
    s_free(&r);

    r = s_ctl("--redis-url", redis, "clock", "advance", "--tenant", "bad{tenant}", "--days", "1", NULL);
    cr_assert_eq(r.rc, 2, "a tenant id that would break the hash tag is refused");
    s_free(&r);

    r = s_ctl("--redis-url", redis, "clock", "reset", "--tenant", tenant, NULL);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    s_free(&r);
    r = s_ctl("--redis-url", redis, "clock", "show", "--tenant", tenant, NULL);
    cr_assert(strstr(r.out, "no test clock set"), "%s", r.out);
    s_free(&r);

    r = s_ctl("--redis-url", "unix:///nonexistent/redis.sock", "clock", "show", "--tenant", tenant, NULL);
    cr_assert_eq(r.rc, 1);
    cr_assert(strstr(r.err, "cannot reach Redis"), "%s", r.err);
    s_free(&r);
}

//  Writes text to a fresh temporary file; path receives its name.
static void
s_temp_file(const char *text, const char *suffix, char *path, size_t size)
{
    snprintf(path, size, "/tmp/pactactl-test-XXXXXX%s", suffix);
    const int fd = mkstemps(path, (int) strlen(suffix));
    cr_assert_geq(fd, 0);
    FILE *out = fdopen(fd, "w");
    cr_assert_not_null(out);
    fputs(text, out);
    fclose(out);
}

Test(pactactl, send_and_replay_check_before_sending)
{
    char event[256], script[256], bad_script[256];
    s_temp_file("{\"type\": \"InvoiceIssued\", \"tenant\": \"capconnect\",\n"
                " \"event\": {\"invoice_id\": \"F-1\", \"contract_id\": \"C-1\", \"due_on\": \"2025-02-08\"}}\n",
                ".json", event, sizeof event);
    result_t r = s_ctl("send", "--dry-run", event, NULL);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    cr_assert(strstr(r.out, "valid: InvoiceIssued id ctl-"), "%s", r.out);
    cr_assert(strstr(r.out, "(from the content) tenant capconnect entity c:C-1"), "%s", r.out);
    s_free(&r);

    r = s_ctl("send", "--dry-run", "--tenant", "sgevent", event, NULL);
    cr_assert(strstr(r.out, "tenant capconnect"), "the event's own tenant wins over --tenant: %s", r.out);
    s_free(&r);

    r = s_ctl("send", NULL);
    cr_assert_eq(r.rc, 2);
    cr_assert(strstr(r.err, "give one event file"), "%s", r.err);
    s_free(&r);
    r = s_ctl("send", "--dry-run=yes", event, NULL);
    cr_assert_eq(r.rc, 2);
    cr_assert(strstr(r.err, "takes no value"), "%s", r.err);
    s_free(&r);
    r = s_ctl("send", "--wait", "soon", event, NULL);
    cr_assert_eq(r.rc, 2);
    cr_assert(strstr(r.err, "--wait: 'soon'"), "%s", r.err);
    s_free(&r);
    r = s_ctl("send", "/nonexistent/event.json", NULL);
    cr_assert_eq(r.rc, 2);
    cr_assert(strstr(r.err, "/nonexistent/event.json: No such file"), "%s", r.err);
    s_free(&r);

    //  Nobody answers on this port: exit 1 after --wait, saying it is safe
    //  to send again.
    r = s_ctl("--bus-url", "tcp://127.0.0.1:1", "send", "--wait", "1", event, NULL);
    cr_assert_eq(r.rc, 1);
    cr_assert(strstr(r.err, "no answer from the bus at tcp://127.0.0.1:1 within 1 s"), "%s", r.err);
    cr_assert(strstr(r.err, "same id ctl-"), "%s", r.err);
    s_free(&r);

    s_temp_file("# two steps\n"
                "{\"clock\": \"set\", \"to\": \"2025-02-01\"}\n"
                "{\"type\": \"ContractSigned\", \"id\": \"s-1\", \"event\": {\"contract_id\": \"C-1\"}}\n",
                ".jsonl", script, sizeof script);
    r = s_ctl("replay", "--dry-run", "--tenant", "capconnect", script, NULL);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    cr_assert(strstr(r.out, "line 2: clock set 2025-02-01 for capconnect"), "%s", r.out);
    cr_assert(strstr(r.out, "line 3: ContractSigned id s-1 tenant capconnect entity c:C-1"), "%s", r.out);
    cr_assert(strstr(r.out, ": 2 steps, all valid"), "%s", r.out);
    s_free(&r);

    r = s_ctl("replay", "--dry-run", script, NULL);
    cr_assert_eq(r.rc, 2, "no tenant anywhere");
    cr_assert(strstr(r.err, ":2: tenant: missing"), "%s", r.err);
    s_free(&r);

    s_temp_file("{\"clock\": \"set\", \"to\": \"2025-02-01\"}\n"
                "{\"type\": \"ContractSigned\", \"id\": \"s-1\", \"event\": {\"contract_id\": \"C-1\"}}\n"
                "{\"type\": \"ContractSigned\", \"id\": \"s-2\", \"event\": {\"contract_id\": \"C-1\", \"pack\": 1}}\n",
                ".jsonl", bad_script, sizeof bad_script);
    r = s_ctl("replay", "--tenant", "capconnect", bad_script, NULL);
    cr_assert_eq(r.rc, 2);
    cr_assert(strstr(r.err, ":3: event.pack: unknown field of ContractSigned (did you mean \"pack_code\"?)"), "%s",
              r.err);
    cr_assert(strstr(r.err, "nothing sent"), "%s", r.err);
    s_free(&r);

    r = s_ctl("replay", "--tenant", "bad{tenant}", script, NULL);
    cr_assert_eq(r.rc, 2);
    s_free(&r);
    r = s_ctl("replay", "--settle-timeout", "0", script, NULL);
    cr_assert_eq(r.rc, 2);
    s_free(&r);
    r = s_ctl("replay", "--fast", script, NULL);
    cr_assert_eq(r.rc, 2);
    cr_assert(strstr(r.err, "unknown option '--fast'"), "%s", r.err);
    s_free(&r);
    unlink(event);
    unlink(script);
    unlink(bad_script);
}
