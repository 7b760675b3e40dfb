/*  Tests of pacta_config: flag > environment > default, every value form,
    --help and --version output, and every error path naming its culprit.
    The environment is passed as an explicit envp array, so tests never
    depend on (or change) the real environment -- except the exit-code
    tests of pacta_service_main, which run in Criterion's own process. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pacta_config.h"
#include "pacta_service.h"

static const pacta_config_option_t s_options[] = {
    {.name = "redis_url", .type = PACTA_OPT_STRING, .default_value = "redis://127.0.0.1:6379",
     .help = "Redis address"},
    {.name = "http_port", .type = PACTA_OPT_INT, .default_value = "8081", .help = "HTTP port", .min = 0,
     .max = 65535},
    {.name = "offset", .type = PACTA_OPT_INT, .default_value = "-5", .help = "signed, unbounded"},
    {.name = "verbose", .type = PACTA_OPT_BOOL, .default_value = "false", .help = "talk more"},
    {.name = "lease", .type = PACTA_OPT_DURATION, .default_value = "30s", .help = "timer lease"},
    {.name = "password", .type = PACTA_OPT_STRING, .flags = PACTA_OPT_SECRET | PACTA_OPT_FILE,
     .default_value = "hunter2", .help = "Redis password"},
    {.name = "mode", .type = PACTA_OPT_STRING, .default_value = "real", .choices = "real|test",
     .help = "clock mode"},
    {.name = "optional", .type = PACTA_OPT_STRING, .help = "no default"},
};

static char s_output[16384];
static char s_errors[4096];
static FILE *s_out;
static FILE *s_err;

/* A config with the test table, output captured into s_output/s_errors. */
static pacta_config_t *
s_config(void)
{
    pacta_config_t *config = pacta_config_new("pacta-test", "9.8.7", "A test program.");
    cr_assert_not_null(config);
    cr_assert_eq(pacta_config_add(config, s_options, sizeof s_options / sizeof s_options[0]), 0);
    memset(s_output, 0, sizeof s_output);
    memset(s_errors, 0, sizeof s_errors);
    s_out = fmemopen(s_output, sizeof s_output - 1, "w");
    s_err = fmemopen(s_errors, sizeof s_errors - 1, "w");
    cr_assert(s_out && s_err);
    pacta_config_set_output(config, s_out, s_err);
    return config;
}

static void
s_done(pacta_config_t **config)
{
    pacta_config_destroy(config);
    cr_assert_null(*config);
    pacta_config_destroy(config);   /* safe twice */
    fclose(s_out);
    fclose(s_err);
}

#define ARGC(a) ((int) (sizeof(a) / sizeof((a)[0])))

Test(config, defaults_apply_when_nothing_is_given)
{
    pacta_config_t *config = s_config();
    char *argv[] = {"prog"};
    char *envp[] = {NULL};
    cr_assert_eq(pacta_config_parse(config, ARGC(argv), argv, envp), 0, "%s", pacta_config_error(config));
    cr_assert_str_eq(pacta_config_string(config, "redis_url"), "redis://127.0.0.1:6379");
    cr_assert_eq(pacta_config_int(config, "http_port"), 8081);
    cr_assert_eq(pacta_config_int(config, "offset"), -5);
    cr_assert_eq(pacta_config_bool(config, "verbose"), false);
    cr_assert_eq(pacta_config_duration_ms(config, "lease"), 30000);
    cr_assert_null(pacta_config_string(config, "optional"));
    cr_assert_eq(pacta_config_source(config, "redis_url"), PACTA_CONFIG_FROM_DEFAULT);
    cr_assert_eq(pacta_config_source(config, "optional"), PACTA_CONFIG_FROM_NONE);
    cr_assert(pacta_config_has(config, "lease"));
    cr_assert_not(pacta_config_has(config, "nope"));
    s_done(&config);
}

Test(config, environment_beats_default_and_flag_beats_environment)
{
    pacta_config_t *config = s_config();
    char *envp[] = {"PACTA_REDIS_URL=redis://env:1", "PACTA_HTTP_PORT=9000", "PACTA_VERBOSE=yes",
                    "PACTA_LEASE=2m", "OTHER=1", NULL};
    char *only_env[] = {"prog"};
    cr_assert_eq(pacta_config_parse(config, 1, only_env, envp), 0, "%s", pacta_config_error(config));
    cr_assert_str_eq(pacta_config_string(config, "redis_url"), "redis://env:1");
    cr_assert_eq(pacta_config_source(config, "redis_url"), PACTA_CONFIG_FROM_ENV);
    cr_assert_eq(pacta_config_int(config, "http_port"), 9000);
    cr_assert(pacta_config_bool(config, "verbose"));
    cr_assert_eq(pacta_config_duration_ms(config, "lease"), 120000);

    /* --flag value and --flag=value forms; the last occurrence wins. */
    char *argv[] = {"prog", "--redis-url", "redis://flag:2", "--http-port=7000", "--no-verbose",
                    "--lease=1m30s", "--http-port", "7001"};
    cr_assert_eq(pacta_config_parse(config, ARGC(argv), argv, envp), 0, "%s", pacta_config_error(config));
    cr_assert_str_eq(pacta_config_string(config, "redis_url"), "redis://flag:2");
    cr_assert_eq(pacta_config_source(config, "redis_url"), PACTA_CONFIG_FROM_FLAG);
    cr_assert_eq(pacta_config_int(config, "http_port"), 7001);
    cr_assert_not(pacta_config_bool(config, "verbose"));
    cr_assert_eq(pacta_config_duration_ms(config, "lease"), 90000);
    /* what was not given on the command line still comes from env/default */
    cr_assert_str_eq(pacta_config_string(config, "mode"), "real");
    s_done(&config);
}

Test(config, empty_environment_variable_counts_as_unset)
{
    pacta_config_t *config = s_config();
    char *argv[] = {"prog"};
    char *envp[] = {"PACTA_HTTP_PORT=", "PACTA_REDIS_URL=", NULL};
    cr_assert_eq(pacta_config_parse(config, 1, argv, envp), 0, "%s", pacta_config_error(config));
    cr_assert_eq(pacta_config_int(config, "http_port"), 8081);
    cr_assert_eq(pacta_config_source(config, "redis_url"), PACTA_CONFIG_FROM_DEFAULT);
    s_done(&config);
}

Test(config, bool_flag_forms)
{
    pacta_config_t *config = s_config();
    char *envp[] = {"PACTA_VERBOSE=false", NULL};
    char *bare[] = {"prog", "--verbose"};
    cr_assert_eq(pacta_config_parse(config, 2, bare, envp), 0);
    cr_assert(pacta_config_bool(config, "verbose"));
    char *explicit_false[] = {"prog", "--verbose=off"};
    cr_assert_eq(pacta_config_parse(config, 2, explicit_false, NULL), 0);
    cr_assert_not(pacta_config_bool(config, "verbose"));
    char *explicit_true[] = {"prog", "--verbose=1"};
    cr_assert_eq(pacta_config_parse(config, 2, explicit_true, NULL), 0);
    cr_assert(pacta_config_bool(config, "verbose"));
    /* a bool flag does not swallow the next argument */
    char *followed[] = {"prog", "--verbose", "--http-port", "1"};
    cr_assert_eq(pacta_config_parse(config, 4, followed, NULL), 0);
    cr_assert(pacta_config_bool(config, "verbose"));
    cr_assert_eq(pacta_config_int(config, "http_port"), 1);
    s_done(&config);
}

Test(config, secret_from_file_by_env_and_by_flag)
{
    char path[] = "/tmp/pacta-test-secret-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    cr_assert_eq(write(fd, "s3cr3t with space\n", 18), 18);
    close(fd);
    char env_file[128];
    snprintf(env_file, sizeof env_file, "PACTA_PASSWORD_FILE=%s", path);

    pacta_config_t *config = s_config();
    char *argv[] = {"prog"};
    char *envp[] = {env_file, NULL};
    cr_assert_eq(pacta_config_parse(config, 1, argv, envp), 0, "%s", pacta_config_error(config));
    cr_assert_str_eq(pacta_config_string(config, "password"), "s3cr3t with space");
    cr_assert_eq(pacta_config_source(config, "password"), PACTA_CONFIG_FROM_ENV);

    /* the flag form beats the environment */
    char *by_flag[] = {"prog", "--password", "from-flag"};
    cr_assert_eq(pacta_config_parse(config, 3, by_flag, envp), 0);
    cr_assert_str_eq(pacta_config_string(config, "password"), "from-flag");
    char *by_flag_file[] = {"prog", "--password-file", path};
    char *envp_direct[] = {"PACTA_PASSWORD=from-env", NULL};
    cr_assert_eq(pacta_config_parse(config, 3, by_flag_file, envp_direct), 0);
    cr_assert_str_eq(pacta_config_string(config, "password"), "s3cr3t with space");
    s_done(&config);
    unlink(path);
}

/* ---- errors ------------------------------------------------------------ */

typedef struct {
    char args[4][64];       /* argv after the program name, "" = absent */
    char env[2][96];        /* environment entries, "" = absent */
    char must_name[64];     /* text the error message must contain */
} error_case_t;

static void
s_free_cases(struct criterion_test_params *params)
{
    cr_free(params->params);
}

ParameterizedTestParameters(config, errors_name_the_culprit)
{
    static const error_case_t table[] = {
        {{"--bogus"}, {""}, "unknown option '--bogus'"},
        {{"--bogus=1"}, {""}, "unknown option '--bogus'"},
        {{"stray"}, {""}, "unexpected argument 'stray'"},
        {{"-x"}, {""}, "unexpected argument '-x'"},
        {{"--redis-url"}, {""}, "--redis-url: missing value"},
        {{"--redis-url", "--verbose"}, {""}, "--redis-url: missing value"},
        {{"--http-port", "80a"}, {""}, "--http-port: '80a' is not an integer"},
        {{"--http-port=99999"}, {""}, "--http-port: 99999 is out of range 0..65535"},
        {{""}, {"PACTA_HTTP_PORT=eighty"}, "PACTA_HTTP_PORT: 'eighty' is not an integer"},
        {{""}, {"PACTA_HTTP_PORT= 80"}, "PACTA_HTTP_PORT: ' 80' is not an integer"},
        {{"--offset=99999999999999999999"}, {""}, "--offset: '99999999999999999999' is not an integer"},
        {{"--verbose=maybe"}, {""}, "--verbose: 'maybe' is not a boolean"},
        {{""}, {"PACTA_VERBOSE=2"}, "PACTA_VERBOSE: '2' is not a boolean"},
        {{"--no-verbose=true"}, {""}, "--no-verbose takes no value"},
        {{"--lease=5"}, {""}, "--lease: '5' is not a duration"},
        {{""}, {"PACTA_LEASE=5x"}, "PACTA_LEASE: '5x' is not a duration"},
        {{"--mode=fake"}, {""}, "--mode: 'fake' is not one of real|test"},
        {{""}, {"PACTA_MODE=REAL"}, "PACTA_MODE: 'REAL' is not one of real|test"},
        {{"--password-file"}, {""}, "--password-file: missing value"},
        {{"--password-file=/nonexistent/pacta"}, {""}, "--password-file: cannot open '/nonexistent/pacta'"},
        {{""}, {"PACTA_PASSWORD_FILE=/nonexistent/pacta"}, "PACTA_PASSWORD_FILE: cannot open"},
        {{""}, {"PACTA_PASSWORD=a", "PACTA_PASSWORD_FILE=/etc/hostname"}, "PACTA_PASSWORD and PACTA_PASSWORD_FILE"},
        {{"--password=a", "--password-file=/etc/hostname"}, {""}, "--password-file"},
    };
    size_t count = sizeof table / sizeof table[0];
    error_case_t *cases = cr_malloc(sizeof table);
    cr_assert_not_null(cases);
    memcpy(cases, table, sizeof table);
    return cr_make_param_array(error_case_t, cases, count, s_free_cases);
}

ParameterizedTest(error_case_t *c, config, errors_name_the_culprit)
{
    pacta_config_t *config = s_config();
    char *argv[6] = {"prog"};
    int argc = 1;
    for (int i = 0; i < 4 && c->args[i][0]; i++)
        argv[argc++] = c->args[i];
    char *envp[3] = {NULL};
    int envc = 0;
    for (int i = 0; i < 2 && c->env[i][0]; i++)
        envp[envc++] = c->env[i];
    cr_assert_eq(pacta_config_parse(config, argc, argv, envp), -1, "parse should fail for %s", c->must_name);
    cr_assert_not_null(strstr(pacta_config_error(config), c->must_name), "error '%s' does not mention '%s'",
                       pacta_config_error(config), c->must_name);
    fflush(s_err);
    cr_assert_not_null(strstr(s_errors, c->must_name), "stderr: %s", s_errors);
    cr_assert_not_null(strstr(s_errors, "prog: "), "stderr names the program: %s", s_errors);
    s_done(&config);
}

Test(config, duration_parser_table)
{
    static const struct {
        const char *text;
        int rc;
        int64_t ms;
    } cases[] = {
        {"0", 0, 0},       {"250ms", 0, 250},      {"5s", 0, 5000},  {"2m", 0, 120000},
        {"1h", 0, 3600000}, {"1d", 0, 86400000},   {"1m30s", 0, 90000}, {"1h0m1s500ms", 0, 3601500},
        {"", -1, 0},       {"5", -1, 0},           {"s", -1, 0},     {"-5s", -1, 0},
        {"5 s", -1, 0},    {"1.5s", -1, 0},        {"5sec", -1, 0},  {"99999999999999999999d", -1, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t ms = -1;
        cr_assert_eq(pacta_config_parse_duration_ms(cases[i].text, &ms), cases[i].rc, "'%s'", cases[i].text);
        if (cases[i].rc == 0)
            cr_assert_eq(ms, cases[i].ms, "'%s' gave %lld", cases[i].text, (long long) ms);
        else
            cr_assert_eq(ms, -1, "'%s' touched the output", cases[i].text);
    }
}

Test(config, bool_and_int_parser_tables)
{
    static const char *const trues[] = {"true", "TRUE", "yes", "on", "1"};
    static const char *const falses[] = {"false", "No", "off", "0"};
    static const char *const bad[] = {"", "2", "y", "truee", "nope"};
    for (size_t i = 0; i < 5; i++) {
        bool b = false;
        cr_assert_eq(pacta_config_parse_bool(trues[i], &b), 0);
        cr_assert(b, "%s", trues[i]);
    }
    for (size_t i = 0; i < 4; i++) {
        bool b = true;
        cr_assert_eq(pacta_config_parse_bool(falses[i], &b), 0);
        cr_assert_not(b, "%s", falses[i]);
    }
    for (size_t i = 0; i < 5; i++)
        cr_assert_eq(pacta_config_parse_bool(bad[i], &(bool){false}), -1, "%s", bad[i]);
    int64_t v = 0;
    cr_assert_eq(pacta_config_parse_int("-9223372036854775808", &v), 0);
    cr_assert_eq(v, INT64_MIN);
    cr_assert_eq(pacta_config_parse_int("9223372036854775808", &v), -1);
    cr_assert_eq(pacta_config_parse_int("12abc", &v), -1);
    cr_assert_eq(pacta_config_parse_int("", &v), -1);
    cr_assert_eq(pacta_config_parse_int("0x10", &v), -1);
}

/* ---- help and version ---------------------------------------------------- */

Test(config, help_lists_every_option_with_env_and_default)
{
    pacta_config_t *config = s_config();
    char *argv[] = {"/usr/bin/pacta-test", "--http-port", "1", "--help", "--bogus"};
    cr_assert_eq(pacta_config_parse(config, ARGC(argv), argv, NULL), 1);
    fflush(s_out);
    static const char *const expected[] = {
        "Usage: pacta-test [OPTIONS]", "A test program.",
        "--redis-url VALUE", "env PACTA_REDIS_URL", "default \"redis://127.0.0.1:6379\"", "Redis address",
        "--http-port N", "env PACTA_HTTP_PORT", "default \"8081\"", "0..65535",
        "--[no-]verbose", "env PACTA_VERBOSE", "talk more",
        "--lease DURATION", "env PACTA_LEASE", "default \"30s\"",
        "--password VALUE", "--password-file / PACTA_PASSWORD_FILE", "secret",
        "one of real|test", "--optional VALUE", "no default",
        "--help", "--version", "flag wins over",
    };
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++)
        cr_assert_not_null(strstr(s_output, expected[i]), "--help lacks '%s':\n%s", expected[i], s_output);
    cr_assert_null(strstr(s_output, "hunter2"), "--help printed a secret default:\n%s", s_output);
    cr_assert_str_empty(s_errors);
    s_done(&config);
}

Test(config, version_prints_name_and_version)
{
    pacta_config_t *config = s_config();
    char *argv[] = {"prog", "--version"};
    cr_assert_eq(pacta_config_parse(config, 2, argv, NULL), 1);
    fflush(s_out);
    cr_assert_str_eq(s_output, "pacta-test 9.8.7\n");
    s_done(&config);
}

/* ---- exit codes of the service main --------------------------------------- */

/* Runs pacta_service_main with stdout and stderr captured. */
static int
s_run_service(int argc, char **argv, char *out, size_t out_size)
{
    static const pacta_service_spec_t spec = {
        .name = "configtest", .summary = "Config exit code test", .default_http_port = 18099};
    FILE *capture = tmpfile();
    cr_assert_not_null(capture);
    fflush(stdout);
    fflush(stderr);
    int saved_out = dup(STDOUT_FILENO);
    int saved_err = dup(STDERR_FILENO);
    dup2(fileno(capture), STDOUT_FILENO);
    dup2(fileno(capture), STDERR_FILENO);
    int code = pacta_service_main(&spec, argc, argv);
    fflush(stdout);
    fflush(stderr);
    dup2(saved_out, STDOUT_FILENO);
    dup2(saved_err, STDERR_FILENO);
    close(saved_out);
    close(saved_err);
    size_t n = (size_t) pread(fileno(capture), out, out_size - 1, 0);
    out[n] = '\0';
    fclose(capture);
    return code;
}

Test(config, service_exit_codes)
{
    char out[16384];
    char *version[] = {"pacta-configtest", "--version"};
    cr_assert_eq(s_run_service(2, version, out, sizeof out), 0);
    cr_assert_str_eq(out, "configtest " PACTA_VERSION "\n");

    char *help[] = {"pacta-configtest", "--help"};
    cr_assert_eq(s_run_service(2, help, out, sizeof out), 0);
    static const char *const common[] = {
        "PACTA_REDIS_URL", "redis://127.0.0.1:6379", "PACTA_REDIS_PASSWORD_FILE", "PACTA_HTTP_ADDR",
        "127.0.0.1:18099", "PACTA_LOG_LEVEL", "PACTA_PROFILE_DIR", "deploy/profiles", "PACTA_CLOCK",
        "PACTA_BUS_URL", "tcp://127.0.0.1:5560", "PACTA_INSTANCE_ID", "Config exit code test"};
    for (size_t i = 0; i < sizeof common / sizeof common[0]; i++)
        cr_assert_not_null(strstr(out, common[i]), "service --help lacks %s:\n%s", common[i], out);

    char *unknown[] = {"pacta-configtest", "--frobnicate"};
    cr_assert_eq(s_run_service(2, unknown, out, sizeof out), PACTA_EXIT_USAGE);
    cr_assert_not_null(strstr(out, "--frobnicate"), "%s", out);

    char *bad_level[] = {"pacta-configtest", "--log-level=loud"};
    cr_assert_eq(s_run_service(2, bad_level, out, sizeof out), 2);
    cr_assert_not_null(strstr(out, "--log-level"), "%s", out);

    char *bad_url[] = {"pacta-configtest", "--redis-url=http://x"};
    cr_assert_eq(s_run_service(2, bad_url, out, sizeof out), 2);
    cr_assert_not_null(strstr(out, "--redis-url"), "%s", out);

    char *bad_addr[] = {"pacta-configtest", "--http-addr", "localhost"};
    cr_assert_eq(s_run_service(3, bad_addr, out, sizeof out), 2);
    cr_assert_not_null(strstr(out, "--http-addr"), "%s", out);

    setenv("PACTA_REDIS_CONNECT_TIMEOUT", "soon", 1);
    char *plain[] = {"pacta-configtest"};
    cr_assert_eq(s_run_service(1, plain, out, sizeof out), 2);
    cr_assert_not_null(strstr(out, "PACTA_REDIS_CONNECT_TIMEOUT"), "%s", out);
    unsetenv("PACTA_REDIS_CONNECT_TIMEOUT");

    /* a profile directory that cannot be loaded refuses the start: exit 1 */
    char *no_profiles[] = {"pacta-configtest", "--profile-dir=/nonexistent/pacta-profiles",
                           "--http-addr=127.0.0.1:0"};
    cr_assert_eq(s_run_service(3, no_profiles, out, sizeof out), 1);
    cr_assert_not_null(strstr(out, "refusing to start"), "%s", out);
    cr_assert_not_null(strstr(out, "/nonexistent/pacta-profiles"), "%s", out);
}
