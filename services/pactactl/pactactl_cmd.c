/*  =========================================================================
    pactactl_cmd - the operator's command line

    pactactl [GLOBAL OPTIONS] COMMAND [ARGS]. Global options go through the
    same pacta_config table as the services (flags over PACTA_* variables
    over defaults), so an operator sets PACTA_REDIS_URL once for both.
    Each command parses its own arguments and names the one at fault.
    This file holds main, the shared helpers (pactactl_priv.h) and the
    profile, dates and clock commands; send/replay are in pactactl_send.c,
    the state readers in pactactl_state.c.

    Design decision: commands print for a person by default and never guess:
    a date that does not parse, an unknown tenant or a refused clock move is
    an error with exit code 1 (2 for usage), and nothing is half-done.
    =========================================================================
*/
#include "pactactl_cmd.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "pacta_clock.h"
#include "pacta_config.h"
#include "pacta_date.h"
#include "pacta_money.h"
#include "pacta_profile.h"
#include "pacta_bus_wire.h"
#include "pacta_store.h"
#include "pactactl_priv.h"
#include "ctl_dsr.h"
#include "ctl_notifications.h"

#define EXIT_OK CTL_EXIT_OK
#define EXIT_FAILED CTL_EXIT_FAILED
#define EXIT_USAGE CTL_EXIT_USAGE
#define ERR_SIZE CTL_ERR_SIZE

static const pacta_config_option_t s_global_options[] = {
    {.name = "redis_url", .type = PACTA_OPT_STRING, .default_value = "redis://127.0.0.1:6379",
     .help = "Redis: redis://[user:password@]host:port[/db] or unix:///path.sock[?db=N]"},
    {.name = "redis_password", .type = PACTA_OPT_STRING, .help = "Redis password, if not in the URL",
     .flags = PACTA_OPT_SECRET | PACTA_OPT_FILE},
    {.name = "profile_dir", .type = PACTA_OPT_STRING, .default_value = "deploy/profiles",
     .help = "directory of terms profiles (*.yaml)"},
    {.name = "bus_url", .type = PACTA_OPT_STRING, .default_value = "tcp://127.0.0.1:5560",
     .help = "the bus's producer endpoint (pacta-bus --bus-frontend)"},
    {.name = "bus_public_key", .type = PACTA_OPT_STRING, .default_value = NULL,
     .help = "the bus's CURVE public key (Z85 or key file); unset = plain"},
    {.name = "bus_client_secret_key", .type = PACTA_OPT_STRING, .flags = PACTA_OPT_SECRET | PACTA_OPT_FILE,
     .help = "pactactl's CURVE secret key (Z85), with bus_public_key"},
    {.name = "operator", .type = PACTA_OPT_STRING, .default_value = NULL,
     .help = "who is operating, for approvals and clock moves (default $USER)"},
};

//  Global flags that take their value as the next word.
static const char *const s_global_value_flags[] = {
    "--redis-url", "--redis-password", "--redis-password-file", "--profile-dir", "--bus-url", "--bus-public-key",
    "--bus-client-secret-key", "--bus-client-secret-key-file", "--operator", NULL,
};
#define GLOBAL_OPTION_COUNT (sizeof s_global_options / sizeof s_global_options[0])

static const char s_commands_help[] =
    "\nCommands:\n"
    "  profile check FILE|DIR...   validate terms profiles and print their key figures\n"
    "  dates --tenant T --invoice-issued DATE [--due DATE]\n"
    "                              an invoice's due date and first overdue day under T's terms\n"
    "  dates --tenant T --letter-posted DATE\n"
    "                              a registered letter's presumed receipt under T's calendar\n"
    "  clock show --tenant T       a tenant's test clock (\"now\" for every service)\n"
    "  clock set --tenant T WHEN   set it: YYYY-MM-DD (00:00 Brussels), YYYY-MM-DDTHH:MM:SSZ or @UNIXSECONDS\n"
    "  clock advance --tenant T (--days N | --hours N | --to WHEN)\n"
    "                              move it forward (it never goes back)\n"
    "  clock reset --tenant T      forget it: the tenant follows the wall clock again\n"
    "  send [--tenant T] [--wait SECONDS] [--dry-run] FILE|-\n"
    "                              one event as JSON (docs/events-json.md) to the bus; prints the ACK or NACK\n"
    "  replay [--tenant T] [--wait SECONDS] [--keep-going] [--dry-run] [--no-settle]\n"
    "         [--settle-timeout SECONDS] [--no-clock-message] FILE|-\n"
    "                              JSON lines of events and clock moves, in order, waiting for Pacta\n"
    "                              to settle after each; stops at the first NACK unless --keep-going\n"
    "  contract show --tenant T [--json] ID\n"
    "                              a contract as the services keep it: state, suspensions, invoices\n"
    "  invoice show --tenant T [--json] ID\n"
    "                              an invoice, its communication, payments and overdue state\n"
    "  timeline --tenant T [--json] [--lang fr|en] ID\n"
    "                              the audit stream of a contract (or c:/s:/p: entity): facts and decisions\n"
    "  explain --tenant T [--lang fr|en] ID\n"
    "                              why a contract is in its state: the decisions and what caused them\n"
    "  proposals list --tenant T [--json]\n"
    "  proposals approve --tenant T [--comment TEXT] DECISION_ID\n"
    "  proposals reject --tenant T --reason TEXT DECISION_ID\n"
    "                              pending decisions of rules in propose mode, and the operator's answer\n"
    "  dsr open|erase|rectify|show|export --tenant T --subject S ...\n"
    "                              data-subject requests and their exports (pactactl dsr --help)\n"
    "  retention show --tenant T (--contract C | --subject S)\n"
    "                              retention schedules and data categories (pactactl retention --help)\n"
    "  notifications --tenant T [--json] CONTRACT\n"
    "                              a contract's delivery log: every notice and every attempt\n"
    "  letters list --tenant T [--json]\n"
    "  letters show --tenant T [--json] LETTER_ID\n"
    "                              registered letters to print, and their posting dates\n"
    "\nExit codes: 0 done, 1 the command failed (or a NACK), 2 usage error or invalid input (nothing sent).\n";

int
ctl_usage_error(ctl_t *ctl, const char *fmt, const char *detail)
{
    fprintf(ctl->err, "pactactl: ");
    fprintf(ctl->err, fmt, detail ? detail : "");
    fprintf(ctl->err, " (see pactactl --help)\n");
    return EXIT_USAGE;
}

//  ---------------------------------------------------------------------------
//  Argument helpers

const char *
ctl_option(int argc, char **argv, const char *name, bool *missing_value)
{
    const size_t len = strlen(name);
    for (int i = 0; i < argc; i++) {
        if (strncmp(argv[i], name, len) != 0)
            continue;
        if (argv[i][len] == '=')
            return argv[i] + len + 1;
        if (argv[i][len] == '\0') {
            if (i + 1 < argc && strncmp(argv[i + 1], "--", 2) != 0)
                return argv[i + 1];
            *missing_value = true;
            return NULL;
        }
    }
    return NULL;
}

bool
ctl_flag(int argc, char **argv, const char *name)
{
    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return true;
    return false;
}

static bool
s_listed(const char *const *list, const char *arg, size_t len)
{
    for (size_t k = 0; list && list[k]; k++)
        if (strlen(list[k]) == len && strncmp(arg, list[k], len) == 0)
            return true;
    return false;
}

int
ctl_check_args(ctl_t *ctl, int argc, char **argv, const char *const *allowed, const char *const *bool_flags,
               char **positional, int *positional_count, int positional_max)
{
    *positional_count = 0;
    for (int i = 0; i < argc; i++) {
        if (strncmp(argv[i], "--", 2) == 0) {
            const char *equals = strchr(argv[i], '=');
            const size_t name_len = equals ? (size_t) (equals - argv[i]) : strlen(argv[i]);
            if (!s_listed(allowed, argv[i], name_len))
                return ctl_usage_error(ctl, "unknown option '%s'", argv[i]);
            if (s_listed(bool_flags, argv[i], name_len)) {
                if (equals)
                    return ctl_usage_error(ctl, "'%s' takes no value", argv[i]);
                continue;
            }
            if (!equals && i + 1 < argc && strncmp(argv[i + 1], "--", 2) != 0)
                i++;
            continue;
        }
        if (*positional_count >= positional_max)
            return ctl_usage_error(ctl, "unexpected argument '%s'", argv[i]);
        positional[(*positional_count)++] = argv[i];
    }
    return EXIT_OK;
}

static int
s_parse_date_arg(ctl_t *ctl, const char *flag, const char *text, pacta_date_t *out)
{
    if (pacta_date_parse(text, strlen(text), out) != 0) {
        fprintf(ctl->err, "pactactl: %s: '%s' is not a date (expected YYYY-MM-DD)\n", flag, text);
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

int
ctl_parse_instant(const char *text, pacta_instant_t *out)
{
    const size_t len = strlen(text);
    pacta_date_t date;
    if (text[0] == '@') {
        char *end = NULL;
        errno = 0;
        const long long seconds = strtoll(text + 1, &end, 10);
        if (errno || end == text + 1 || *end != '\0')
            return -1;
        *out = seconds;
        return 0;
    }
    if (len == 10 && pacta_date_parse(text, 10, &date) == 0) {
        *out = pacta_date_start_instant(date);
        return 0;
    }
    if (len == 20 && text[10] == 'T' && text[13] == ':' && text[16] == ':' && text[19] == 'Z'
        && pacta_date_parse(text, 10, &date) == 0) {
        int parts[3];
        for (int i = 0; i < 3; i++) {
            const char *p = text + 11 + i * 3;
            if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9')
                return -1;
            parts[i] = (p[0] - '0') * 10 + (p[1] - '0');
        }
        if (parts[0] > 23 || parts[1] > 59 || parts[2] > 59)
            return -1;
        *out = (pacta_instant_t) date * 86400 + parts[0] * 3600 + parts[1] * 60 + parts[2];
        return 0;
    }
    return -1;
}

int
ctl_parse_count(const char *text, int64_t max, int64_t *out)
{
    char *end = NULL;
    errno = 0;
    const long long value = strtoll(text, &end, 10);
    if (errno || end == text || *end != '\0' || value < 0 || value > max)
        return -1;
    *out = value;
    return 0;
}

//  ---------------------------------------------------------------------------
//  profile check

static void
s_print_rule(FILE *out, const char *label, const pacta_rule_t *rule)
{
    fprintf(out, "    %-34s %s\n", label, pacta_rule_mode_name(rule->mode));
}

//  A person-readable summary of the figures an operator asks about first.
static void
s_print_profile_summary(FILE *out, const pacta_profile_t *profile)
{
    char a[PACTA_MONEY_STR_LEN], b[PACTA_MONEY_STR_LEN];
    fprintf(out, "  tenant %s (%s)\n", profile->tenant, profile->company_name);
    if (pacta_rule_enabled(&profile->invoicing.rule))
        fprintf(out, "    invoices due after                 %d calendar days\n",
                profile->invoicing.due_calendar_days);
    if (pacta_rule_enabled(&profile->initial_term.rule))
        fprintf(out, "    initial term                       %d months\n", profile->initial_term.months);
    if (pacta_rule_enabled(&profile->tacit_renewal.rule))
        fprintf(out, "    tacit renewal                      %d months, notice %d months before the end\n",
                profile->tacit_renewal.renewal_months, profile->tacit_renewal.non_renewal_notice_months);
    if (pacta_rule_enabled(&profile->notice_termination.rule))
        fprintf(out, "    recurring contracts: notice        %d months\n",
                profile->notice_termination.notice_months);
    if (pacta_rule_enabled(&profile->deposit.rule))
        fprintf(out, "    deposit on acceptance              %s %%\n",
                pacta_bp_format(profile->deposit.default_percent, a, sizeof a));
    const pacta_late_payment_terms_t *pro = &profile->late_payment.professional;
    if (pacta_rule_enabled(&pro->rule))
        fprintf(out, "    professional late payment          +%s pts interest, %s %% indemnity (min %s)\n",
                pacta_bp_format(pro->interest_points_over_legal_rate, a, sizeof a),
                pacta_bp_format(pro->flat_indemnity_percent, b, sizeof b),
                pacta_money_format_be(pro->flat_indemnity_min, (char[PACTA_MONEY_STR_LEN]){0},
                                      PACTA_MONEY_STR_LEN));
    fprintf(out, "    registered letters received on     business day %d after the postmark\n",
            profile->calendar.registered_letter_receipt_business_days);
    fprintf(out, "    extra holidays                     %zu\n", profile->calendar.extra_holiday_count);
    s_print_rule(out, "unpaid invoice suspension", &profile->unpaid_suspension.rule);
    s_print_rule(out, "force majeure termination", &profile->force_majeure.rule);
    s_print_rule(out, "termination for cause", &profile->termination_for_cause.rule);
    const pacta_retention_period_t *identity = pacta_profile_retention(profile, PACTA_DATA_IDENTITY);
    const pacta_retention_period_t *accounting = pacta_profile_retention(profile, PACTA_DATA_ACCOUNTING);
    fprintf(out, "    identity data                      kept %d year(s) after the end, archived %d year(s)\n",
            identity->kept_years_after_contract_end, identity->archived_years);
    fprintf(out, "    accounting data                    kept %d year(s) after the end, archived %d year(s)\n",
            accounting->kept_years_after_contract_end, accounting->archived_years);
}

//  Checks one profile file; 0 when valid.
static int
s_check_profile_file(ctl_t *ctl, const char *path)
{
    char err[ERR_SIZE];
    pacta_profile_t *profile = pacta_profile_load(path, err, sizeof err);
    if (!profile) {
        fprintf(ctl->out, "INVALID %s\n  %s\n", path, err);
        return -1;
    }
    fprintf(ctl->out, "ok %s\n", path);
    s_print_profile_summary(ctl->out, profile);
    pacta_profile_destroy(&profile);
    return 0;
}

static int
s_cmd_profile(ctl_t *ctl)
{
    if (ctl->argc < 2 || strcmp(ctl->argv[1], "check") != 0)
        return ctl_usage_error(ctl, "expected 'profile check FILE|DIR...'%s", NULL);
    if (ctl->argc < 3)
        return ctl_usage_error(ctl, "profile check: name at least one profile file or directory%s", NULL);
    int failures = 0;
    for (int i = 2; i < ctl->argc; i++) {
        const char *path = ctl->argv[i];
        struct stat st;
        if (stat(path, &st) != 0) {
            fprintf(ctl->out, "INVALID %s\n  %s: %s\n", path, path, strerror(errno));
            failures++;
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            //  A directory is checked as the services load it: all files, no
            //  duplicate tenants.
            char err[ERR_SIZE];
            pacta_profile_set_t *set = pacta_profile_set_load_dir(path, err, sizeof err);
            if (!set) {
                fprintf(ctl->out, "INVALID %s\n  %s\n", path, err);
                failures++;
                continue;
            }
            fprintf(ctl->out, "ok %s (%zu profiles)\n", path, pacta_profile_set_count(set));
            for (size_t k = 0; k < pacta_profile_set_count(set); k++)
                s_print_profile_summary(ctl->out, pacta_profile_set_at(set, k));
            pacta_profile_set_destroy(&set);
        }
        else if (s_check_profile_file(ctl, path) != 0)
            failures++;
    }
    return failures ? EXIT_FAILED : EXIT_OK;
}

//  ---------------------------------------------------------------------------
//  dates

//  Lists the non-business days strictly between from and to, for a person
//  to see why a deadline falls where it does.
static void
s_print_skipped(FILE *out, const pacta_holidays_t *holidays, pacta_date_t from, pacta_date_t to)
{
    static const char *const weekdays[] = {"", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    char buf[PACTA_DATE_STR_LEN];
    bool any = false;
    for (pacta_date_t day = from + 1; day < to; day++) {
        if (pacta_is_business_day(holidays, day))
            continue;
        fprintf(out, "%s %s %s%s", any ? "," : "  skipped:", weekdays[pacta_date_weekday(day)],
                pacta_date_format(day, buf, sizeof buf),
                pacta_date_weekday(day) <= 5 ? " (holiday)" : "");
        any = true;
    }
    if (any)
        fputc('\n', out);
}

static int
s_cmd_dates(ctl_t *ctl)
{
    static const char *const allowed[] = {"--tenant", "--invoice-issued", "--due", "--letter-posted", NULL};
    char *positional[1];
    int positional_count, rc;
    if ((rc = ctl_check_args(ctl, ctl->argc - 1, ctl->argv + 1, allowed, NULL, positional, &positional_count, 0)))
        return rc;
    bool missing = false;
    const char *tenant = ctl_option(ctl->argc, ctl->argv, "--tenant", &missing);
    const char *issued_text = ctl_option(ctl->argc, ctl->argv, "--invoice-issued", &missing);
    const char *due_text = ctl_option(ctl->argc, ctl->argv, "--due", &missing);
    const char *posted_text = ctl_option(ctl->argc, ctl->argv, "--letter-posted", &missing);
    if (missing)
        return ctl_usage_error(ctl, "dates: an option is missing its value%s", NULL);
    if (!tenant)
        return ctl_usage_error(ctl, "dates: --tenant is required%s", NULL);
    if (!issued_text == !posted_text)
        return ctl_usage_error(ctl, "dates: give exactly one of --invoice-issued and --letter-posted%s", NULL);

    const char *dir = pacta_config_string(ctl->config, "profile_dir");
    char err[ERR_SIZE];
    pacta_profile_set_t *set = pacta_profile_set_load_dir(dir, err, sizeof err);
    if (!set) {
        fprintf(ctl->err, "pactactl: cannot load the profiles: %s\n", err);
        return EXIT_FAILED;
    }
    rc = EXIT_OK;
    const pacta_profile_t *profile = pacta_profile_set_find(set, tenant);
    if (!profile) {
        fprintf(ctl->err, "pactactl: --tenant: no profile for tenant '%s' in %s\n", tenant, dir);
        rc = EXIT_FAILED;
        goto cleanup;
    }
    const pacta_holidays_t holidays = pacta_profile_holidays(profile);
    char a[PACTA_DATE_STR_LEN], b[PACTA_DATE_STR_LEN];
    if (issued_text) {
        pacta_date_t issued, due;
        if ((rc = s_parse_date_arg(ctl, "--invoice-issued", issued_text, &issued)))
            goto cleanup;
        if (due_text) {
            if ((rc = s_parse_date_arg(ctl, "--due", due_text, &due)))
                goto cleanup;
            if (due < issued) {
                fprintf(ctl->err, "pactactl: --due: %s is before the issue date %s\n", due_text, issued_text);
                rc = EXIT_USAGE;
                goto cleanup;
            }
            fprintf(ctl->out, "invoice issued %s, due date printed on it: %s\n", issued_text,
                    pacta_date_format(due, a, sizeof a));
        }
        else {
            if (!pacta_rule_enabled(&profile->invoicing.rule)) {
                fprintf(ctl->err, "pactactl: tenant %s's profile sets no payment term: pass --due\n", tenant);
                rc = EXIT_FAILED;
                goto cleanup;
            }
            due = pacta_calendar_days_deadline(issued, profile->invoicing.due_calendar_days);
            fprintf(ctl->out, "invoice issued %s, payable within %d calendar days: due %s (%s %s, %s)\n", issued_text,
                    profile->invoicing.due_calendar_days, pacta_date_format(due, a, sizeof a),
                    profile->tenant, profile->invoicing.rule.clause, profile->invoicing.rule.id);
        }
        fprintf(ctl->out, "not fully paid by the end of %s: overdue from %s\n", a,
                pacta_date_format(due + 1, b, sizeof b));
    }
    else {
        pacta_date_t posted;
        if ((rc = s_parse_date_arg(ctl, "--letter-posted", posted_text, &posted)))
            goto cleanup;
        const int days = profile->calendar.registered_letter_receipt_business_days;
        const pacta_date_t received = pacta_registered_receipt(&holidays, posted, days);
        fprintf(ctl->out, "registered letter posted %s: presumed received %s (business day %d after the postmark)\n",
                posted_text, pacta_date_format(received, a, sizeof a), days);
        s_print_skipped(ctl->out, &holidays, posted, received);
    }

cleanup:
    pacta_profile_set_destroy(&set);
    return rc;
}

//  ---------------------------------------------------------------------------
//  clock

static void
s_print_clock(FILE *out, const char *tenant, pacta_instant_t now, bool is_set)
{
    const time_t utc = (time_t) now;
    struct tm parts;
    char utc_text[32] = "?";
    if (gmtime_r(&utc, &parts))
        strftime(utc_text, sizeof utc_text, "%Y-%m-%dT%H:%M:%SZ", &parts);
    const int offset = pacta_brussels_utc_offset(now);
    const time_t local = (time_t) (now + offset);
    char local_text[32] = "?";
    if (gmtime_r(&local, &parts))
        strftime(local_text, sizeof local_text, "%Y-%m-%d %H:%M:%S", &parts);
    char today[PACTA_DATE_STR_LEN];
    fprintf(out, "tenant %s: %s %s Europe/Brussels (UTC%+d, %s), today %s\n", tenant,
            is_set ? "test clock at" : "no test clock set, wall clock at", local_text, offset / 3600, utc_text,
            pacta_date_format(pacta_date_from_instant(now), today, sizeof today));
}

static int
s_cmd_clock(ctl_t *ctl)
{
    static const char *const allowed[] = {"--tenant", "--days", "--hours", "--to", NULL};
    if (ctl->argc < 2)
        return ctl_usage_error(ctl, "expected 'clock show|set|advance|reset --tenant T'%s", NULL);
    const char *action = ctl->argv[1];
    if (strcmp(action, "show") && strcmp(action, "set") && strcmp(action, "advance") && strcmp(action, "reset"))
        return ctl_usage_error(ctl, "clock: unknown action '%s'", action);
    char *positional[1];
    int positional_count, rc;
    if ((rc = ctl_check_args(ctl, ctl->argc - 2, ctl->argv + 2, allowed, NULL, positional, &positional_count, 1)))
        return rc;
    bool missing = false;
    const char *tenant = ctl_option(ctl->argc, ctl->argv, "--tenant", &missing);
    const char *days_text = ctl_option(ctl->argc, ctl->argv, "--days", &missing);
    const char *hours_text = ctl_option(ctl->argc, ctl->argv, "--hours", &missing);
    const char *to_text = ctl_option(ctl->argc, ctl->argv, "--to", &missing);
    if (missing)
        return ctl_usage_error(ctl, "clock: an option is missing its value%s", NULL);
    if (!tenant)
        return ctl_usage_error(ctl, "clock: --tenant is required%s", NULL);
    char key[PACTA_CLOCK_KEY_MAX];
    if (pacta_clock_key(tenant, key, sizeof key) != 0)
        return ctl_usage_error(ctl, "--tenant: '%s' is not a tenant id (letters, digits, '.', '_', '-')", tenant);

    //  Validate every argument before touching Redis.
    pacta_instant_t target = 0;
    int64_t seconds = 0;
    if (strcmp(action, "set") == 0) {
        if (positional_count != 1)
            return ctl_usage_error(ctl, "clock set: give the new time (YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ or @SECONDS)%s",
                                 NULL);
        if (ctl_parse_instant(positional[0], &target) != 0)
            return ctl_usage_error(ctl, "clock set: '%s' is not a time (YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ or @SECONDS)",
                                 positional[0]);
    }
    else if (positional_count != 0)
        return ctl_usage_error(ctl, "unexpected argument '%s'", positional[0]);
    if (strcmp(action, "advance") == 0) {
        const int given = (days_text != NULL) + (hours_text != NULL) + (to_text != NULL);
        if (given != 1)
            return ctl_usage_error(ctl, "clock advance: give exactly one of --days, --hours, --to%s", NULL);
        int64_t count;
        if (days_text) {
            if (ctl_parse_count(days_text, 100 * 366, &count) != 0)
                return ctl_usage_error(ctl, "--days: '%s' is not a whole number of days (0 to 36600)", days_text);
            seconds = count * 86400;
        }
        else if (hours_text) {
            if (ctl_parse_count(hours_text, 100 * 366 * 24, &count) != 0)
                return ctl_usage_error(ctl, "--hours: '%s' is not a whole number of hours", hours_text);
            seconds = count * 3600;
        }
        else if (ctl_parse_instant(to_text, &target) != 0)
            return ctl_usage_error(ctl, "--to: '%s' is not a time (YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ or @SECONDS)",
                                 to_text);
    }
    else if (days_text || hours_text || to_text)
        return ctl_usage_error(ctl, "clock %s takes no --days, --hours or --to", action);

    char err[ERR_SIZE];
    const pacta_store_options_t options = {
        .url = pacta_config_string(ctl->config, "redis_url"),
        .password = pacta_config_string(ctl->config, "redis_password"),
        .client_name = "pactactl",
    };
    pacta_store_t *store = pacta_store_new(&options, err, sizeof err);
    pacta_clock_t *clock = NULL;
    if (!store) {
        fprintf(ctl->err, "pactactl: --redis-url: %s\n", err);
        return EXIT_USAGE;
    }
    rc = EXIT_FAILED;
    if (pacta_store_connect(store) != 0) {
        fprintf(ctl->err, "pactactl: cannot reach Redis at %s: %s\n", options.url, pacta_store_error(store));
        goto cleanup;
    }
    clock = pacta_clock_new(PACTA_CLOCK_TEST, store);
    if (!clock) {
        fprintf(ctl->err, "pactactl: cannot prepare the test clock\n");
        goto cleanup;
    }

    pacta_instant_t now = 0;
    int result = 0;
    if (strcmp(action, "set") == 0)
        result = pacta_clock_set(clock, tenant, target, &now);
    else if (strcmp(action, "advance") == 0) {
        if (to_text) {
            //  Advance to an absolute time: refused by the script when it is
            //  in the past, like any backwards move.
            result = pacta_clock_set(clock, tenant, target, &now);
        }
        else
            result = pacta_clock_advance(clock, tenant, seconds, &now);
    }
    else if (strcmp(action, "reset") == 0) {
        result = pacta_clock_reset(clock, tenant);
        if (result == 0) {
            fprintf(ctl->out, "tenant %s: test clock removed; it follows the wall clock again\n", tenant);
            rc = EXIT_OK;
            goto cleanup;
        }
    }
    if (result != 0) {
        fprintf(ctl->err, "pactactl: clock %s refused for tenant %s: %s\n", action, tenant, pacta_clock_error(clock));
        goto cleanup;
    }
    //  Report the clock as every service now sees it.
    redisReply *reply = NULL;
    bool is_set = false;
    if (pacta_store_command_strs(store, &reply, "EXISTS", key, NULL) == 0 && reply
        && reply->type == REDIS_REPLY_INTEGER)
        is_set = reply->integer == 1;
    if (reply)
        freeReplyObject(reply);
    if (pacta_clock_now(clock, tenant, &now) != 0) {
        fprintf(ctl->err, "pactactl: cannot read the clock of tenant %s: %s\n", tenant, pacta_clock_error(clock));
        goto cleanup;
    }
    s_print_clock(ctl->out, tenant, now, is_set);
    rc = EXIT_OK;

cleanup:
    pacta_clock_destroy(&clock);
    pacta_store_destroy(&store);
    return rc;
}

//  ---------------------------------------------------------------------------
//  Connections shared by the commands

pacta_store_t *
ctl_store_open(ctl_t *ctl)
{
    char err[ERR_SIZE];
    const pacta_store_options_t options = {
        .url = pacta_config_string(ctl->config, "redis_url"),
        .password = pacta_config_string(ctl->config, "redis_password"),
        .client_name = "pactactl",
    };
    pacta_store_t *store = pacta_store_new(&options, err, sizeof err);
    if (!store) {
        fprintf(ctl->err, "pactactl: --redis-url: %s\n", err);
        return NULL;
    }
    if (pacta_store_connect(store) != 0) {
        fprintf(ctl->err, "pactactl: cannot reach Redis at %s: %s\n", options.url, pacta_store_error(store));
        pacta_store_destroy(&store);
        return NULL;
    }
    return store;
}

pacta_bus_producer_t *
ctl_producer_open(ctl_t *ctl)
{
    char err[ERR_SIZE];
    char server_key[PACTA_BUS_KEY_Z85_LEN + 1] = "";
    char secret_key[PACTA_BUS_KEY_Z85_LEN + 1] = "";
    const char *server_text = pacta_config_string(ctl->config, "bus_public_key");
    const char *secret = pacta_config_string(ctl->config, "bus_client_secret_key");
    if (server_text && *server_text) {
        if (pacta_bus_key_resolve(server_text, server_key, err, sizeof err) != 0) {
            fprintf(ctl->err, "pactactl: --bus-public-key: %s\n", err);
            return NULL;
        }
        //  The _FILE form hands over a whole key file (bus-keygen.sh writes a comment line first).
        if (!secret || pacta_bus_key_from_text(secret, strlen(secret), secret_key, err, sizeof err) != 0) {
            fprintf(ctl->err, "pactactl: --bus-client-secret-key: a Z85 secret key is needed with --bus-public-key\n");
            return NULL;
        }
    }
    const pacta_bus_producer_options_t options = {
        .endpoint = pacta_config_string(ctl->config, "bus_url"),
        .server_public_key = server_key[0] ? server_key : NULL,
        .secret_key = server_key[0] ? secret_key : NULL,
    };
    pacta_bus_producer_t *producer = pacta_bus_producer_new(&options, err, sizeof err);
    if (!producer)
        fprintf(ctl->err, "pactactl: --bus-url %s: %s\n", options.endpoint ? options.endpoint : "", err);
    return producer;
}

const char *
ctl_operator(ctl_t *ctl)
{
    const char *name = pacta_config_string(ctl->config, "operator");
    if (name && *name)
        return name;
    name = getenv("USER");
    return name && *name ? name : "operator";
}

//  ---------------------------------------------------------------------------
//  main

//  The global options end at the first word that is neither an option nor
//  the value of one: that word is the command.
static int
s_command_index(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strncmp(argv[i], "--", 2) != 0 && strcmp(argv[i], "-h") != 0)
            return i;
        if (strchr(argv[i], '='))
            continue;
        for (size_t k = 0; s_global_value_flags[k]; k++)
            if (strcmp(argv[i], s_global_value_flags[k]) == 0) {
                i++;
                break;
            }
    }
    return argc;
}

int
pactactl_main(int argc, char **argv, FILE *out, FILE *err)
{
    ctl_t ctl = {.out = out, .err = err};
    int rc = EXIT_USAGE;
    ctl.config = pacta_config_new("pactactl", PACTA_VERSION,
                                  "pactactl [OPTIONS] COMMAND [ARGS] - operate Pacta: profiles, dates, test clocks");
    if (!ctl.config || pacta_config_add(ctl.config, s_global_options, GLOBAL_OPTION_COUNT) != 0) {
        fprintf(err, "pactactl: out of memory\n");
        rc = EXIT_FAILED;
        goto cleanup;
    }
    pacta_config_set_output(ctl.config, out, err);
    const int command = s_command_index(argc, argv);
    const int parsed = pacta_config_parse(ctl.config, command, argv, NULL);
    if (parsed == 1) {
        //  --help also lists the commands; --version is complete as it is.
        for (int i = 1; i < command; i++)
            if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
                fputs(s_commands_help, out);
        rc = EXIT_OK;
        goto cleanup;
    }
    if (parsed != 0)
        goto cleanup;
    if (command >= argc) {
        pacta_config_print_help(ctl.config, err);
        fputs(s_commands_help, err);
        fprintf(err, "pactactl: no command given\n");
        goto cleanup;
    }
    ctl.argc = argc - command;
    ctl.argv = argv + command;
    const char *name = ctl.argv[0];
    if (strcmp(name, "profile") == 0)
        rc = s_cmd_profile(&ctl);
    else if (strcmp(name, "dates") == 0)
        rc = s_cmd_dates(&ctl);
    else if (strcmp(name, "clock") == 0)
        rc = s_cmd_clock(&ctl);
    else if (strcmp(name, "send") == 0)
        rc = ctl_cmd_send(&ctl);
    else if (strcmp(name, "replay") == 0)
        rc = ctl_cmd_replay(&ctl);
    else if (strcmp(name, "contract") == 0)
        rc = ctl_cmd_contract(&ctl);
    else if (strcmp(name, "invoice") == 0)
        rc = ctl_cmd_invoice(&ctl);
    else if (strcmp(name, "timeline") == 0)
        rc = ctl_cmd_timeline(&ctl);
    else if (strcmp(name, "explain") == 0)
        rc = ctl_cmd_explain(&ctl);
    else if (strcmp(name, "proposals") == 0)
        rc = ctl_cmd_proposals(&ctl);
    else if (strcmp(name, "dsr") == 0)
        rc = ctl_cmd_dsr(&ctl);
    else if (strcmp(name, "retention") == 0)
        rc = ctl_cmd_retention(&ctl);
    else if (strcmp(name, "notifications") == 0)
        rc = ctl_cmd_notifications(&ctl);
    else if (strcmp(name, "letters") == 0)
        rc = ctl_cmd_letters(&ctl);
    else if (strcmp(name, "help") == 0) {
        pacta_config_print_help(ctl.config, out);
        fputs(s_commands_help, out);
        rc = EXIT_OK;
    }
    else
        rc = ctl_usage_error(&ctl, "unknown command '%s'", name);

cleanup:
    fflush(out);
    fflush(err);
    pacta_config_destroy(&ctl.config);
    return rc;
}
