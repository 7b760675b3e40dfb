/*  Tests of pacta_store against a real redis-server. The address comes from
    PACTA_TEST_REDIS_URL (scripts/test.sh starts a throwaway server); the
    tests FAIL when it is missing. Every test works under its own key prefix
    (the test process id), since Criterion runs tests in parallel processes.

    Covered: URL parsing (table), binary-safe commands, the three kinds of
    failure, AUTH with a Redis 6 ACL user + SELECT, EVALSHA after SCRIPT
    FLUSH, reconnect after CLIENT KILL with timeouts/db/name re-applied, the
    command timeout, and capped exponential backoff when Redis is down. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "pacta_store.h"

/* ---- helpers ------------------------------------------------------------- */

static const char *
s_test_url(void)
{
    const char *url = getenv("PACTA_TEST_REDIS_URL");
    cr_assert(url && *url, "PACTA_TEST_REDIS_URL is not set: run scripts/test.sh, or start a redis-server and "
                           "export PACTA_TEST_REDIS_URL=unix:///path/to.sock (or redis://127.0.0.1:PORT)");
    return url;
}

static int64_t
s_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static pacta_store_t *
s_store_for(const char *url, int64_t command_timeout_ms)
{
    char err[512];
    pacta_store_options_t options = {.url = url, .command_timeout_ms = command_timeout_ms,
                                     .connect_timeout_ms = 2000};
    pacta_store_t *store = pacta_store_new(&options, err, sizeof err);
    cr_assert_not_null(store, "%s", err);
    return store;
}

static pacta_store_t *
s_connected_store(int64_t command_timeout_ms)
{
    pacta_store_t *store = s_store_for(s_test_url(), command_timeout_ms);
    cr_assert_eq(pacta_store_connect(store), 0, "cannot reach the test redis: %s", pacta_store_error(store));
    return store;
}

/* The same server as PACTA_TEST_REDIS_URL with db and credentials
   replaced (NULL user/password: keep the test URL's). */
static void
s_url_variant(const char *user, const char *password, int db, char *out, size_t size)
{
    pacta_store_url_t base;
    char err[256];
    cr_assert_eq(pacta_store_url_parse(s_test_url(), &base, err, sizeof err), 0, "%s", err);
    if (!user)
        user = base.user;
    if (!password)
        password = base.password;
    if (base.is_unix)
        snprintf(out, size, "unix://%s?db=%d&user=%s&password=%s", base.path, db, user, password);
    else {
        bool v6 = strchr(base.host, ':') != NULL;
        snprintf(out, size, "redis://%s%s%s%s%s%s%s:%d/%d", user, password[0] ? ":" : "", password,
                 user[0] || password[0] ? "@" : "", v6 ? "[" : "", base.host, v6 ? "]" : "", base.port, db);
    }
}

static long long
s_integer(pacta_store_t *store, const char *a, const char *b)
{
    redisReply *reply = NULL;
    cr_assert_eq(pacta_store_command_strs(store, &reply, a, b, NULL), 0, "%s %s: %s", a, b,
                 pacta_store_error(store));
    cr_assert_eq(reply->type, REDIS_REPLY_INTEGER);
    long long v = reply->integer;
    freeReplyObject(reply);
    return v;
}

/* CLIENT INFO of the store's own connection. */
static void
s_client_info(pacta_store_t *store, char *out, size_t size)
{
    redisReply *reply = NULL;
    cr_assert_eq(pacta_store_command_strs(store, &reply, "CLIENT", "INFO", NULL), 0, "%s", pacta_store_error(store));
    cr_assert_eq(reply->type, REDIS_REPLY_STRING);
    snprintf(out, size, "%s", reply->str);
    freeReplyObject(reply);
}

/* ---- URL parsing ----------------------------------------------------------- */

typedef struct {
    char url[96];           /* input */
    int rc;                 /* expected result */
    bool is_unix;           /* expected fields when rc == 0 */
    char host[32];
    int port;
    char path[48];
    char user[16];
    char password[16];
    int db;
    char err[48];           /* substring of the error when rc == -1 */
} url_case_t;

static void
s_free_params(struct criterion_test_params *params)
{
    cr_free(params->params);
}

ParameterizedTestParameters(store, url_parsing)
{
    static const url_case_t table[] = {
        {"redis://127.0.0.1:6379", 0, false, "127.0.0.1", 6379, "", "", "", 0, ""},
        {"redis://localhost", 0, false, "localhost", 6379, "", "", "", 0, ""},
        {"REDIS://cache.internal:7000/3", 0, false, "cache.internal", 7000, "", "", "", 3, ""},
        {"redis://h/", 0, false, "h", 6379, "", "", "", 0, ""},
        {"redis://:secret@h:1/2", 0, false, "h", 1, "", "", "secret", 2, ""},
        {"redis://alice:p%40ss%3Aw@h/0", 0, false, "h", 6379, "", "alice", "p@ss:w", 0, ""},
        {"redis://alice:p@ss@h:6380", 0, false, "h", 6380, "", "alice", "p@ss", 0, ""},
        {"redis://svc@h", 0, false, "h", 6379, "", "svc", "", 0, ""},
        {"redis://[::1]:6390/1", 0, false, "::1", 6390, "", "", "", 1, ""},
        {"redis://[fe80::1]", 0, false, "fe80::1", 6379, "", "", "", 0, ""},
        {"redis://h?db=5&user=u&password=p", 0, false, "h", 6379, "", "u", "p", 5, ""},
        {"unix:///tmp/r.sock", 0, true, "", 6379, "/tmp/r.sock", "", "", 0, ""},
        {"unix:///tmp/r.sock?db=4", 0, true, "", 6379, "/tmp/r.sock", "", "", 4, ""},
        {"unix:///tmp/r%20s.sock?db=1&user=bob&password=x%26y", 0, true, "", 6379, "/tmp/r s.sock", "bob", "x&y", 1,
         ""},
        {"", -1, false, "", 0, "", "", "", 0, "empty"},
        {"http://h:80", -1, false, "", 0, "", "", "", 0, "redis:// or unix://"},
        {"rediss://h:6380", -1, false, "", 0, "", "", "", 0, "TLS"},
        {"redis://", -1, false, "", 0, "", "", "", 0, "missing host"},
        {"redis://:pw@", -1, false, "", 0, "", "", "", 0, "missing host"},
        {"redis://h:0", -1, false, "", 0, "", "", "", 0, "bad port"},
        {"redis://h:65536", -1, false, "", 0, "", "", "", 0, "bad port"},
        {"redis://h:12a", -1, false, "", 0, "", "", "", 0, "bad port"},
        {"redis://h:", -1, false, "", 0, "", "", "", 0, "bad port"},
        {"redis://h/x", -1, false, "", 0, "", "", "", 0, "database"},
        {"redis://h/-1", -1, false, "", 0, "", "", "", 0, "database"},
        {"redis://h/1/2", -1, false, "", 0, "", "", "", 0, "database"},
        {"redis://h/1?db=2", -1, false, "", 0, "", "", "", 0, "both"},
        {"redis://[::1", -1, false, "", 0, "", "", "", 0, "IPv6"},
        {"redis://[::1]x", -1, false, "", 0, "", "", "", 0, "IPv6"},
        {"redis://h?foo=1", -1, false, "", 0, "", "", "", 0, "unknown query parameter 'foo'"},
        {"redis://h?db", -1, false, "", 0, "", "", "", 0, "no value"},
        {"redis://a:%zz@h", -1, false, "", 0, "", "", "", 0, "password"},
        {"redis://a:%00@h", -1, false, "", 0, "", "", "", 0, "password"},
        {"unix://relative.sock", -1, false, "", 0, "", "", "", 0, "absolute path"},
        {"unix://", -1, false, "", 0, "", "", "", 0, "absolute path"},
    };
    url_case_t *cases = cr_malloc(sizeof table);
    cr_assert_not_null(cases);
    memcpy(cases, table, sizeof table);
    return cr_make_param_array(url_case_t, cases, sizeof table / sizeof table[0], s_free_params);
}

ParameterizedTest(url_case_t *c, store, url_parsing)
{
    pacta_store_url_t url;
    memset(&url, 0x5a, sizeof url);
    char err[256] = "";
    int rc = pacta_store_url_parse(c->url, &url, err, sizeof err);
    cr_assert_eq(rc, c->rc, "'%s' gave %d (%s)", c->url, rc, err);
    if (rc != 0) {
        cr_assert_not_null(strstr(err, c->err), "'%s': error '%s' lacks '%s'", c->url, err, c->err);
        return;
    }
    cr_assert_eq(url.is_unix, c->is_unix, "%s", c->url);
    if (c->is_unix)
        cr_assert_str_eq(url.path, c->path);
    else {
        cr_assert_str_eq(url.host, c->host);
        cr_assert_eq(url.port, c->port);
    }
    cr_assert_str_eq(url.user, c->user, "%s", c->url);
    cr_assert_str_eq(url.password, c->password, "%s", c->url);
    cr_assert_eq(url.db, c->db, "%s", c->url);
}

Test(store, url_errors_never_echo_the_password)
{
    char err[256];
    pacta_store_url_t url;
    cr_assert_eq(pacta_store_url_parse("redis://u:topsecret@h:99999", &url, err, sizeof err), -1);
    cr_assert_null(strstr(err, "topsecret"), "%s", err);
    cr_assert_eq(pacta_store_url_parse("redis://u:topsecret@h:1/2", &url, err, sizeof err), 0);
    char text[256];
    pacta_store_url_describe(&url, text, sizeof text);
    cr_assert_str_eq(text, "redis://h:1/2");
    cr_assert_eq(pacta_store_url_parse("redis://[::1]:7/0", &url, err, sizeof err), 0);
    cr_assert_str_eq(pacta_store_url_describe(&url, text, sizeof text), "redis://[::1]:7/0");
    cr_assert_eq(pacta_store_url_parse("unix:///run/r.sock?db=3&password=zz", &url, err, sizeof err), 0);
    cr_assert_str_eq(pacta_store_url_describe(&url, text, sizeof text), "unix:///run/r.sock?db=3");
    char err_new[256];
    pacta_store_options_t options = {.url = "redis://h:0"};
    cr_assert_null(pacta_store_new(&options, err_new, sizeof err_new));
    cr_assert_not_null(strstr(err_new, "bad port"), "%s", err_new);
}

Test(store, hash_tags_follow_cluster_rules)
{
    static const struct {
        const char *key;
        const char *tag;
    } cases[] = {
        {"pacta:{c:42}:state", "c:42"}, {"{a}{b}", "a"}, {"plain", "plain"}, {"x{}y", "x{}y"},
        {"x{y", "x{y"},                 {"{}{z}", "{}{z}"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *tag;
        size_t len;
        pacta_store_key_hash_tag(cases[i].key, strlen(cases[i].key), &tag, &len);
        cr_assert_eq(len, strlen(cases[i].tag), "%s", cases[i].key);
        cr_assert_eq(strncmp(tag, cases[i].tag, len), 0, "%s", cases[i].key);
    }
}

/* ---- commands ------------------------------------------------------------- */

Test(store, commands_are_binary_safe)
{
    pacta_store_t *store = s_connected_store(2000);
    char key[64];
    snprintf(key, sizeof key, "t:store:%d:bin", (int) getpid());
    const char value[] = {'a', '\0', 'b', '\n', '%', 's', '\xff'};
    const char *argv[] = {"SET", key, value};
    size_t lens[] = {3, strlen(key), sizeof value};
    cr_assert_eq(pacta_store_command(store, NULL, 3, argv, lens), 0, "%s", pacta_store_error(store));
    redisReply *reply = NULL;
    cr_assert_eq(pacta_store_command_strs(store, &reply, "GET", key, NULL), 0);
    cr_assert_eq(reply->type, REDIS_REPLY_STRING);
    cr_assert_eq(reply->len, sizeof value);
    cr_assert_eq(memcmp(reply->str, value, sizeof value), 0);
    freeReplyObject(reply);
    cr_assert_eq(pacta_store_command_strs(store, NULL, "DEL", key, NULL), 0);
    cr_assert_eq(pacta_store_ping(store), 0);
    pacta_store_destroy(&store);
    cr_assert_null(store);
    pacta_store_destroy(&store);
}

Test(store, error_reply_is_not_a_broken_connection)
{
    pacta_store_t *store = s_connected_store(2000);
    char key[64];
    snprintf(key, sizeof key, "t:store:%d:str", (int) getpid());
    long long id = s_integer(store, "CLIENT", "ID");
    cr_assert_eq(pacta_store_command_strs(store, NULL, "SET", key, "abc", NULL), 0);
    redisReply *reply = (redisReply *) 0x1;
    cr_assert_eq(pacta_store_command_strs(store, &reply, "INCR", key, NULL), -1);
    cr_assert_null(reply, "no reply is handed out on failure");
    cr_assert_eq(pacta_store_error_kind(store), PACTA_STORE_E_REPLY);
    cr_assert_not_null(strstr(pacta_store_error(store), "not an integer"), "%s", pacta_store_error(store));
    cr_assert_eq(pacta_store_command_strs(store, NULL, "NOSUCHCOMMAND", NULL), -1);
    cr_assert_eq(pacta_store_error_kind(store), PACTA_STORE_E_REPLY);
    cr_assert(pacta_store_connected(store));
    cr_assert_eq(s_integer(store, "CLIENT", "ID"), id, "same connection after error replies");
    cr_assert_eq(pacta_store_reconnects(store), 0);
    pacta_store_command_strs(store, NULL, "DEL", key, NULL);
    pacta_store_destroy(&store);
}

/* ---- AUTH with an ACL user -------------------------------------------------- */

Test(store, acl_user_auth_and_select)
{
    pacta_store_t *admin = s_connected_store(2000);
    char user[64], password[64], pattern[80], url[PACTA_STORE_URL_MAX], own_key[80], other_key[80];
    int pid = (int) getpid();
    snprintf(user, sizeof user, "pacta_test_%d", pid);
    snprintf(password, sizeof password, "pw-%d-x", pid);
    snprintf(pattern, sizeof pattern, "~t:acl:%d:*", pid);
    snprintf(own_key, sizeof own_key, "t:acl:%d:k", pid);
    snprintf(other_key, sizeof other_key, "t:elsewhere:%d", pid);
    char secret[80];
    snprintf(secret, sizeof secret, ">%s", password);
    cr_assert_eq(pacta_store_command_strs(admin, NULL, "ACL", "SETUSER", user, "reset", "on", secret, pattern,
                                          "+@all", NULL), 0, "ACL SETUSER: %s", pacta_store_error(admin));

    s_url_variant(user, password, 3, url, sizeof url);
    pacta_store_t *store = s_store_for(url, 2000);
    cr_assert_eq(pacta_store_connect(store), 0, "%s", pacta_store_error(store));
    redisReply *reply = NULL;
    cr_assert_eq(pacta_store_command_strs(store, &reply, "ACL", "WHOAMI", NULL), 0);
    cr_assert_str_eq(reply->str, user);
    freeReplyObject(reply);
    char info[1024];
    s_client_info(store, info, sizeof info);
    cr_assert_not_null(strstr(info, " db=3 "), "SELECT not applied: %s", info);
    cr_assert_eq(pacta_store_command_strs(store, NULL, "SET", own_key, "1", NULL), 0, "%s", pacta_store_error(store));
    cr_assert_eq(pacta_store_command_strs(store, NULL, "SET", other_key, "1", NULL), -1, "ACL key pattern ignored");
    cr_assert_eq(pacta_store_error_kind(store), PACTA_STORE_E_REPLY);
    cr_assert_not_null(strstr(pacta_store_error(store), "NOPERM"), "%s", pacta_store_error(store));
    pacta_store_command_strs(store, NULL, "DEL", own_key, NULL);
    pacta_store_destroy(&store);

    /* wrong password: refused, with AUTH named and the password not echoed */
    s_url_variant(user, "wrong-password", 0, url, sizeof url);
    store = s_store_for(url, 2000);
    cr_assert_eq(pacta_store_connect(store), -1);
    cr_assert_eq(pacta_store_error_kind(store), PACTA_STORE_E_DISCONNECTED);
    cr_assert_not_null(strstr(pacta_store_error(store), "AUTH"), "%s", pacta_store_error(store));
    cr_assert_null(strstr(pacta_store_error(store), "wrong-password"));
    cr_assert_not(pacta_store_connected(store));
    pacta_store_destroy(&store);

    /* the password option (PACTA_REDIS_PASSWORD) replaces the URL's */
    char err[256];
    pacta_store_options_t options = {.url = url, .password = password};
    store = pacta_store_new(&options, err, sizeof err);
    cr_assert_not_null(store, "%s", err);
    cr_assert_eq(pacta_store_connect(store), 0, "%s", pacta_store_error(store));
    pacta_store_destroy(&store);

    pacta_store_command_strs(admin, NULL, "ACL", "DELUSER", user, NULL);
    pacta_store_destroy(&admin);
}

/* ---- Lua scripts ------------------------------------------------------------ */

static const char s_counter_lua[] = "return {KEYS[1], ARGV[1], redis.call('INCR', KEYS[1])}";

Test(store, evalsha_reloads_after_script_flush)
{
    pacta_store_t *store = s_store_for(s_test_url(), 2000);
    cr_assert_eq(pacta_store_script_register(store, "t_counter", s_counter_lua), 0);
    cr_assert_null(pacta_store_script_sha(store, "t_counter"), "not loaded before connecting");
    cr_assert_eq(pacta_store_connect(store), 0, "%s", pacta_store_error(store));
    const char *sha = pacta_store_script_sha(store, "t_counter");
    cr_assert_not_null(sha, "loaded at connect");
    char sha_copy[41];
    snprintf(sha_copy, sizeof sha_copy, "%s", sha);

    char key[64];
    snprintf(key, sizeof key, "t:store:{%d}:counter", (int) getpid());
    const char *keys[] = {key};
    const char *args[] = {"hello"};
    redisReply *reply = NULL;
    cr_assert_eq(pacta_store_script_run(store, &reply, "t_counter", 1, keys, NULL, 1, args, NULL), 0, "%s",
                 pacta_store_error(store));
    cr_assert_eq(reply->type, REDIS_REPLY_ARRAY);
    cr_assert_eq(reply->elements, 3);
    cr_assert_str_eq(reply->element[0]->str, key);
    cr_assert_str_eq(reply->element[1]->str, "hello");
    cr_assert_eq(reply->element[2]->integer, 1);
    freeReplyObject(reply);

    /* Redis forgets every script (restart, failover, SCRIPT FLUSH) */
    pacta_store_t *admin = s_connected_store(2000);
    cr_assert_eq(pacta_store_command_strs(admin, NULL, "SCRIPT", "FLUSH", NULL), 0);
    cr_assert_eq(pacta_store_command_strs(admin, &reply, "SCRIPT", "EXISTS", sha_copy, NULL), 0);
    cr_assert_eq(reply->element[0]->integer, 0, "flush did not happen");
    freeReplyObject(reply);

    cr_assert_eq(pacta_store_script_run(store, &reply, "t_counter", 1, keys, NULL, 1, args, NULL), 0,
                 "NOSCRIPT not recovered: %s", pacta_store_error(store));
    cr_assert_eq(reply->element[2]->integer, 2, "the script ran exactly once more");
    freeReplyObject(reply);
    cr_assert_str_eq(pacta_store_script_sha(store, "t_counter"), sha_copy);
    cr_assert_eq(pacta_store_command_strs(admin, &reply, "SCRIPT", "EXISTS", sha_copy, NULL), 0);
    cr_assert_eq(reply->element[0]->integer, 1, "script reloaded");
    freeReplyObject(reply);
    cr_assert_eq(pacta_store_reconnects(store), 0, "recovered without reconnecting");

    pacta_store_command_strs(admin, NULL, "DEL", key, NULL);
    pacta_store_destroy(&admin);
    pacta_store_destroy(&store);
}

Test(store, script_misuse_is_refused_without_a_round_trip)
{
    pacta_store_t *store = s_connected_store(2000);
    cr_assert_eq(pacta_store_script_register(store, "t_counter", s_counter_lua), 0);
    const char *split[] = {"t:{a}:x", "t:{b}:y"};
    cr_assert_eq(pacta_store_script_run(store, NULL, "t_counter", 2, split, NULL, 0, NULL, NULL), -1);
    cr_assert_eq(pacta_store_error_kind(store), PACTA_STORE_E_USAGE);
    cr_assert_not_null(strstr(pacta_store_error(store), "hash tag"), "%s", pacta_store_error(store));
    cr_assert_eq(pacta_store_script_run(store, NULL, "nope", 0, NULL, NULL, 0, NULL, NULL), -1);
    cr_assert_eq(pacta_store_error_kind(store), PACTA_STORE_E_USAGE);
    /* a script Redis rejects */
    cr_assert_eq(pacta_store_script_register(store, "t_broken", "return (("), -1);
    cr_assert_eq(pacta_store_error_kind(store), PACTA_STORE_E_REPLY);
    cr_assert(pacta_store_connected(store));
    /* an error raised by a script is an error reply */
    cr_assert_eq(pacta_store_script_register(store, "t_fails", "return redis.error_reply('NOPE no way')"), 0);
    cr_assert_eq(pacta_store_script_run(store, NULL, "t_fails", 0, NULL, NULL, 0, NULL, NULL), -1);
    cr_assert_eq(pacta_store_error_kind(store), PACTA_STORE_E_REPLY);
    cr_assert_not_null(strstr(pacta_store_error(store), "NOPE no way"), "%s", pacta_store_error(store));
    pacta_store_destroy(&store);
}

/* ---- reconnects and timeouts ----------------------------------------------------- */

/* BLPOP on a key nobody pushes to: blocks server-side for `seconds`, so
   only our command timeout can end it early. Returns elapsed ms. */
static int64_t
s_blocked_call_ms(pacta_store_t *store, const char *seconds)
{
    char key[64];
    snprintf(key, sizeof key, "t:store:%d:never", (int) getpid());
    int64_t start = s_now_ms();
    cr_assert_eq(pacta_store_command_strs(store, NULL, "BLPOP", key, seconds, NULL), -1, "BLPOP returned?");
    int64_t elapsed = s_now_ms() - start;
    cr_assert_eq(pacta_store_error_kind(store), PACTA_STORE_E_IO, "%s", pacta_store_error(store));
    cr_assert_not(pacta_store_connected(store), "a timed-out connection must be dropped");
    return elapsed;
}

Test(store, command_timeout_is_honoured)
{
    pacta_store_t *store = s_connected_store(250);
    int64_t elapsed = s_blocked_call_ms(store, "5");
    cr_assert_geq(elapsed, 200, "returned after %lld ms", (long long) elapsed);
    cr_assert_lt(elapsed, 1500, "timeout ignored: %lld ms", (long long) elapsed);
    /* the next command reconnects at once and works */
    cr_assert_eq(pacta_store_ping(store), 0, "%s", pacta_store_error(store));
    cr_assert_eq(pacta_store_reconnects(store), 1);
    pacta_store_destroy(&store);
}

Test(store, reconnect_after_client_kill_reapplies_everything)
{
    char url[PACTA_STORE_URL_MAX];
    s_url_variant(NULL, NULL, 2, url, sizeof url);
    char err[256];
    pacta_store_options_t options = {.url = url, .command_timeout_ms = 300, .client_name = "pacta-test-kill"};
    pacta_store_t *store = pacta_store_new(&options, err, sizeof err);
    cr_assert_not_null(store, "%s", err);
    cr_assert_eq(pacta_store_script_register(store, "t_counter", s_counter_lua), 0);
    cr_assert_eq(pacta_store_connect(store), 0, "%s", pacta_store_error(store));
    long long first_id = s_integer(store, "CLIENT", "ID");

    pacta_store_t *admin = s_connected_store(2000);
    char id_text[32];
    snprintf(id_text, sizeof id_text, "%lld", first_id);
    redisReply *reply = NULL;
    cr_assert_eq(pacta_store_command_strs(admin, &reply, "CLIENT", "KILL", "ID", id_text, NULL), 0, "%s",
                 pacta_store_error(admin));
    cr_assert_eq(reply->integer, 1, "CLIENT KILL found no client");
    freeReplyObject(reply);

    /* the first command notices the dead link: I/O error, not retried */
    cr_assert_eq(pacta_store_ping(store), -1, "PING on a killed connection succeeded");
    cr_assert_eq(pacta_store_error_kind(store), PACTA_STORE_E_IO, "%s", pacta_store_error(store));
    cr_assert_not(pacta_store_connected(store));
    char detail[256];
    cr_assert_eq(pacta_store_health(store, detail, sizeof detail), -1);
    cr_assert_str_not_empty(detail);
    cr_assert_eq(pacta_store_retry_in_ms(store), 0, "first reconnect is immediate");

    /* the next one reconnects: new connection, same db, name and scripts */
    cr_assert_eq(pacta_store_ping(store), 0, "%s", pacta_store_error(store));
    cr_assert_eq(pacta_store_reconnects(store), 1);
    cr_assert(pacta_store_connected(store));
    cr_assert_eq(pacta_store_health(store, detail, sizeof detail), 0);
    long long second_id = s_integer(store, "CLIENT", "ID");
    cr_assert_neq(second_id, first_id);
    char info[1024];
    s_client_info(store, info, sizeof info);
    cr_assert_not_null(strstr(info, " db=2 "), "SELECT lost on reconnect: %s", info);
    cr_assert_not_null(strstr(info, " name=pacta-test-kill "), "name lost on reconnect: %s", info);
    cr_assert_not_null(pacta_store_script_sha(store, "t_counter"));

    /* and the command timeout is still in force on the new connection */
    int64_t elapsed = s_blocked_call_ms(store, "5");
    cr_assert_lt(elapsed, 1500, "command timeout lost after reconnect: %lld ms", (long long) elapsed);
    cr_assert_eq(pacta_store_ping(store), 0);
    cr_assert_eq(pacta_store_reconnects(store), 2);

    pacta_store_destroy(&admin);
    pacta_store_destroy(&store);
}

Test(store, explicit_disconnect_reconnects_on_next_command)
{
    pacta_store_t *store = s_store_for(s_test_url(), 2000);
    char detail[256];
    cr_assert_eq(pacta_store_health(store, detail, sizeof detail), -1);
    cr_assert_str_eq(detail, "not connected yet");
    cr_assert_eq(pacta_store_ping(store), 0, "first command connects lazily: %s", pacta_store_error(store));
    cr_assert_eq(pacta_store_reconnects(store), 0);
    pacta_store_disconnect(store);
    cr_assert_not(pacta_store_connected(store));
    cr_assert_eq(pacta_store_ping(store), 0, "%s", pacta_store_error(store));
    cr_assert_eq(pacta_store_reconnects(store), 1);
    pacta_store_destroy(&store);
}

/* A loopback port with nothing listening. */
static int
s_closed_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    cr_assert_geq(fd, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    cr_assert_eq(bind(fd, (struct sockaddr *) &addr, sizeof addr), 0);
    socklen_t len = sizeof addr;
    cr_assert_eq(getsockname(fd, (struct sockaddr *) &addr, &len), 0);
    close(fd);
    return ntohs(addr.sin_port);
}

Test(store, capped_exponential_backoff_when_unreachable)
{
    char url[64], err[256];
    snprintf(url, sizeof url, "redis://127.0.0.1:%d", s_closed_port());
    pacta_store_options_t options = {.url = url, .backoff_initial_ms = 100, .backoff_max_ms = 400,
                                     .connect_timeout_ms = 500};
    pacta_store_t *store = pacta_store_new(&options, err, sizeof err);
    cr_assert_not_null(store, "%s", err);

    /* delay after failure n is in [d/2, d] with d = 100 * 2^(n-1) capped at 400 */
    static const int64_t ceilings[] = {100, 200, 400, 400, 400};
    for (size_t i = 0; i < sizeof ceilings / sizeof ceilings[0]; i++) {
        cr_assert_eq(pacta_store_connect(store), -1, "connected to a closed port?");
        cr_assert_not_null(strstr(pacta_store_error(store), "cannot connect"), "%s", pacta_store_error(store));
        int64_t wait = pacta_store_retry_in_ms(store);
        cr_assert_leq(wait, ceilings[i], "attempt %zu: %lld ms", i + 1, (long long) wait);
        cr_assert_geq(wait, ceilings[i] / 2 - 20, "attempt %zu: %lld ms", i + 1, (long long) wait);
    }

    /* while backing off, commands fail fast without trying */
    int64_t start = s_now_ms();
    cr_assert_eq(pacta_store_ping(store), -1);
    cr_assert_lt(s_now_ms() - start, 50);
    cr_assert_eq(pacta_store_error_kind(store), PACTA_STORE_E_DISCONNECTED);
    cr_assert_not_null(strstr(pacta_store_error(store), "next attempt in"), "%s", pacta_store_error(store));
    char detail[256];
    cr_assert_eq(pacta_store_health(store, detail, sizeof detail), -1);
    cr_assert_not_null(strstr(detail, "cannot connect"), "%s", detail);

    /* once the delay has passed, the next call tries again (and reschedules) */
    usleep((useconds_t) (pacta_store_retry_in_ms(store) + 20) * 1000);
    cr_assert_eq(pacta_store_retry_in_ms(store), 0);
    cr_assert_eq(pacta_store_ensure_connected(store), -1);
    cr_assert_gt(pacta_store_retry_in_ms(store), 0, "no new attempt was made");
    pacta_store_destroy(&store);

    /* a unix socket that does not exist fails the same way */
    pacta_store_options_t unix_options = {.url = "unix:///nonexistent/pacta-redis.sock"};
    store = pacta_store_new(&unix_options, err, sizeof err);
    cr_assert_not_null(store, "%s", err);
    cr_assert_eq(pacta_store_connect(store), -1);
    cr_assert_not_null(strstr(pacta_store_error(store), "/nonexistent/pacta-redis.sock"), "%s",
                       pacta_store_error(store));
    pacta_store_destroy(&store);
}
