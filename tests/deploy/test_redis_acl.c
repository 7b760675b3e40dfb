/*  Least privilege in Redis: the ACL users of deploy/redis/users.acl, on a
    real redis-server that each test starts on a unix socket in its own
    temporary directory, with the ACL file rendered by
    deploy/redis/render-acl.sh exactly as the Redis container does (the
    throwaway Redis of scripts/test.sh does not load it).

    Design: every check runs as the user under test, through the same code
    the services run — the real pacta_store, pacta_timers, pacta_clock,
    pacta_dedup and pacta_outbox modules and their embedded Lua scripts —
    plus two exhaustive tables: a matrix of example keys of every family in
    docs/state.md with the users that may write them (each user is tried on
    every key, read and write), and the Redis commands the sources issue
    (scanned from services/, so a new command in the code fails this test
    until users.acl allows it). */
#define _XOPEN_SOURCE 700   /* nftw */
#include <criterion/criterion.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <hiredis/hiredis.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pacta_clock.h"
#include "pacta_dedup.h"
#include "pacta_outbox.h"
#include "pacta_store.h"
#include "pacta_timers.h"

extern char **environ;

#define TENANT "acme"
#define ENTITY "pacta:acme:{c:K-1}"          /* an entity prefix (docs/state.md §1) */
#define SUBJECT "pacta:acme:{s:S-1}"         /* a data subject's prefix */
#define CLOCK_KEY "pacta:{clock:acme}"

static const char *const s_services[] = {"contracts", "invoicing", "enforcement", "notifications", "gdpr-retention"};
#define SERVICE_COUNT (sizeof s_services / sizeof s_services[0])

/* ---- one redis-server per test ------------------------------------------------------------ */

static char s_dir[256];          /* temporary directory: secrets, rendered ACL, socket, log */
static char s_socket[320];       /* redis.sock in s_dir */
static pid_t s_redis_pid = -1;   /* the server started by s_setup */

static void
s_path(char *buf, size_t size, const char *name)
{
    int n = snprintf(buf, size, "%s/%s", s_dir, name);
    cr_assert(n > 0 && (size_t) n < size, "path too long");
}

/* The password this test gives user: distinct per user and per run. */
static void
s_password(const char *user, char *buf, size_t size)
{
    snprintf(buf, size, "test-%s-%d", user, (int) getpid());
}

/* Writes secrets/redis_<user>_password for every `user NAME` line of the template,
   as scripts/gen-secrets.sh does. */
static void
s_write_passwords(const char *template_path, const char *secrets_dir)
{
    FILE *in = fopen(template_path, "r");
    cr_assert_not_null(in, "cannot read %s", template_path);
    char line[4096];
    while (fgets(line, sizeof line, in)) {
        if (strncmp(line, "user ", 5) != 0)
            continue;
        char name[64];
        size_t len = strcspn(line + 5, " \t\r\n");
        cr_assert(len > 0 && len < sizeof name, "bad user line in %s: %s", template_path, line);
        memcpy(name, line + 5, len);
        name[len] = '\0';
        char file_name[128], path[512], password[128];
        snprintf(file_name, sizeof file_name, "redis_%s_password", name);
        for (char *c = file_name; *c; c++)
            if (*c == '-')
                *c = '_';
        snprintf(path, sizeof path, "%s/%s", secrets_dir, file_name);
        s_password(name, password, sizeof password);
        FILE *out = fopen(path, "w");
        cr_assert_not_null(out, "cannot write %s", path);
        fputs(password, out);
        fclose(out);
    }
    fclose(in);
}

/* Runs argv with stderr appended to s_dir/stderr.log; returns the exit status. */
static int
s_run(char *const argv[])
{
    char log[320];
    s_path(log, sizeof log, "stderr.log");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 2, log, O_WRONLY | O_CREAT | O_APPEND, 0600);
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], &actions, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    cr_assert_eq(rc, 0, "cannot run %s: %s", argv[0], strerror(rc));
    int status = 0;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* Renders template with secrets_dir into output through the deployed script. */
static int
s_render(const char *template_path, const char *secrets_dir, const char *output)
{
    char *const argv[] = {"sh", PACTA_SOURCE_DIR "/deploy/redis/render-acl.sh", (char *) template_path,
                          (char *) secrets_dir, (char *) output, NULL};
    return s_run(argv);
}

static void
s_setup(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(s_dir, sizeof s_dir, "%s/pacta-acl.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    cr_assert_not_null(mkdtemp(s_dir), "mkdtemp: %s", strerror(errno));

    char secrets[320], acl[320], log[320];
    s_path(secrets, sizeof secrets, "secrets");
    s_path(acl, sizeof acl, "users.acl");
    s_path(log, sizeof log, "redis.log");
    s_path(s_socket, sizeof s_socket, "redis.sock");
    cr_assert_eq(mkdir(secrets, 0700), 0);
    s_write_passwords(PACTA_SOURCE_DIR "/deploy/redis/users.acl", secrets);
    cr_assert_eq(s_render(PACTA_SOURCE_DIR "/deploy/redis/users.acl", secrets, acl), 0,
                 "render-acl.sh failed (see %s/stderr.log)", s_dir);

    char *const argv[] = {"redis-server", "--port", "0", "--unixsocket", s_socket, "--unixsocketperm", "700",
                          "--aclfile", acl, "--save", "", "--appendonly", "no", "--dir", s_dir,
                          "--logfile", log, "--daemonize", "no", NULL};
    int rc = posix_spawnp(&s_redis_pid, "redis-server", NULL, NULL, argv, environ);
    cr_assert_eq(rc, 0, "cannot start redis-server: %s", strerror(rc));

    //  Up when it answers at all (NOAUTH: the default user is off).
    for (int i = 0; i < 200; i++) {
        redisContext *c = redisConnectUnix(s_socket);
        if (c && !c->err) {
            redisReply *r = redisCommand(c, "PING");
            bool up = r != NULL;
            freeReplyObject(r);
            redisFree(c);
            if (up)
                return;
        }
        else if (c)
            redisFree(c);
        int status;
        cr_assert_eq(waitpid(s_redis_pid, &status, WNOHANG), 0, "redis-server exited: see %s", log);
        struct timespec pause = {0, 25 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    cr_assert_fail("redis-server did not answer on %s within 5 s", s_socket);
}

static int
s_remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void) sb;
    (void) flag;
    (void) ftw;
    return remove(path);
}

static void
s_teardown(void)
{
    if (s_redis_pid > 0) {
        kill(s_redis_pid, SIGKILL);
        waitpid(s_redis_pid, NULL, 0);
        s_redis_pid = -1;
    }
    if (s_dir[0])
        nftw(s_dir, s_remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

TestSuite(redis_acl, .init = s_setup, .fini = s_teardown, .timeout = 60);

/* ---- connections ------------------------------------------------------------------------- */

/* A raw connection logged in as user (the admin checks what others did). */
static redisContext *
s_login(const char *user)
{
    redisContext *c = redisConnectUnix(s_socket);
    cr_assert(c && !c->err, "connect: %s", c ? c->errstr : "out of memory");
    char password[128];
    s_password(user, password, sizeof password);
    redisReply *r = redisCommand(c, "AUTH %s %s", user, password);
    cr_assert(r && r->type == REDIS_REPLY_STATUS, "AUTH %s: %s", user, r && r->str ? r->str : "no reply");
    freeReplyObject(r);
    return c;
}

/* A pacta_store logged in as user, the way a service connects. */
static pacta_store_t *
s_store_as(const char *user)
{
    char url[512], password[128], err[256];
    snprintf(url, sizeof url, "unix://%s?user=%s", s_socket, user);
    s_password(user, password, sizeof password);
    pacta_store_options_t options = {.url = url, .password = password, .client_name = user};
    pacta_store_t *store = pacta_store_new(&options, err, sizeof err);
    cr_assert_not_null(store, "%s", err);
    cr_assert_eq(pacta_store_connect(store), 0, "%s connects: %s", user, pacta_store_error(store));
    return store;
}

/* Runs a command given as words (NULL-terminated). */
static redisReply *
s_cmdv(redisContext *c, const char *const *words)
{
    int argc = 0;
    while (words[argc])
        argc++;
    redisReply *r = redisCommandArgv(c, argc, (const char **) words, NULL);
    cr_assert_not_null(r, "%s: no reply (%s)", words[0], c->errstr);
    return r;
}

static bool
s_is_noperm(const redisReply *r)
{
    return r->type == REDIS_REPLY_ERROR && strncmp(r->str, "NOPERM", 6) == 0;
}

/* ---- the default user, the probe, the renderer ------------------------------------------------ */

Test(redis_acl, default_user_is_off)
{
    redisContext *c = redisConnectUnix(s_socket);
    cr_assert(c && !c->err);
    redisReply *r = redisCommand(c, "PING");
    cr_assert(r && r->type == REDIS_REPLY_ERROR && strncmp(r->str, "NOAUTH", 6) == 0,
              "an unauthenticated PING must be refused, got %s", r && r->str ? r->str : "?");
    freeReplyObject(r);
    r = redisCommand(c, "AUTH default anything");
    cr_assert(r && r->type == REDIS_REPLY_ERROR, "the default user must not log in");
    freeReplyObject(r);
    r = redisCommand(c, "AUTH contracts wrong-password");
    cr_assert(r && r->type == REDIS_REPLY_ERROR, "a wrong password must be refused");
    freeReplyObject(r);
    redisFree(c);
}

Test(redis_acl, probe_may_only_ping)
{
    redisContext *c = redisConnectUnix(s_socket);
    cr_assert(c && !c->err);
    redisReply *r = redisCommand(c, "AUTH probe any");
    cr_assert(r && r->type == REDIS_REPLY_STATUS, "the health-check user logs in without a secret");
    freeReplyObject(r);
    r = redisCommand(c, "PING");
    cr_assert(r && r->type == REDIS_REPLY_STATUS && strcmp(r->str, "PONG") == 0);
    freeReplyObject(r);
    static const char *const refused[][4] = {{"GET", CLOCK_KEY, NULL}, {"INFO", NULL}, {"CONFIG", "GET", "*", NULL}};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        r = s_cmdv(c, refused[i]);
        cr_expect(s_is_noperm(r), "probe must be refused %s, got %s", refused[i][0], r->str ? r->str : "a reply");
        freeReplyObject(r);
    }
    redisFree(c);
}

Test(redis_acl, renderer_refuses_passwords_in_the_template_and_missing_secrets)
{
    char template_path[320], secrets[320], out[320];
    s_path(template_path, sizeof template_path, "bad.acl");
    s_path(secrets, sizeof secrets, "secrets");
    s_path(out, sizeof out, "bad-rendered.acl");
    FILE *f = fopen(template_path, "w");
    cr_assert_not_null(f);
    fputs("user default off resetpass\nuser contracts on >in-the-repo ~x +get\n", f);
    fclose(f);
    cr_expect_neq(s_render(template_path, secrets, out), 0, "a password in the template must be refused");
    cr_expect_neq(access(out, F_OK), 0, "nothing may be written");

    f = fopen(template_path, "w");
    cr_assert_not_null(f);
    fputs("user nobody-has-a-secret on ~x +get\n", f);
    fclose(f);
    cr_expect_neq(s_render(template_path, secrets, out), 0, "a user without a password file must be refused");
    cr_expect_neq(access(out, F_OK), 0, "nothing may be written");
}

/* The rendered file holds hashes only: no password in clear. */
Test(redis_acl, rendered_file_holds_hashes_not_passwords)
{
    char acl[320];
    s_path(acl, sizeof acl, "users.acl");
    FILE *f = fopen(acl, "r");
    cr_assert_not_null(f);
    char line[4096], password[128];
    s_password("contracts", password, sizeof password);
    bool hashed = false;
    while (fgets(line, sizeof line, f)) {
        cr_expect_null(strstr(line, password), "the rendered ACL must not hold a password");
        cr_expect_null(strchr(line, '>'), "no '>password' rule: %s", line);
        if (strncmp(line, "user contracts ", 15) == 0)
            hashed = strstr(line, " #") != NULL;
    }
    fclose(f);
    cr_expect(hashed, "contracts must carry the SHA-256 of its password");
    struct stat sb;
    cr_assert_eq(stat(acl, &sb), 0);
    cr_expect_eq(sb.st_mode & 077, 0, "the rendered ACL must be private to its owner");
}

/* ---- the key matrix ----------------------------------------------------------------------------- */

typedef enum { KEY_HASH, KEY_ZSET, KEY_STREAM, KEY_STRING } key_type_t;

typedef struct {
    char key[160];           /* an example key of the family */
    key_type_t type;         /* which commands write and read it */
    char writers[160];       /* " user user " who may write it (and read it) */
    bool services_read;      /* every service may read it (the test clock) */
    char readers[160];       /* " user user " who may only read it ("" = none) */
} key_row_t;

static size_t
s_add_row(key_row_t *rows, size_t n, const char *key, key_type_t type, const char *writers, bool services_read)
{
    snprintf(rows[n].key, sizeof rows[n].key, "%s", key);
    rows[n].type = type;
    snprintf(rows[n].writers, sizeof rows[n].writers, " %s ", writers);
    rows[n].services_read = services_read;
    rows[n].readers[0] = '\0';
    return n + 1;
}

/* Every key family of docs/state.md, with its writers. */
static size_t
s_key_rows(key_row_t *rows, size_t max)
{
    size_t n = 0;
    n = s_add_row(rows, n, ENTITY ":contract", KEY_HASH, "contracts", false);
    //  Invoicing, enforcement and notifications check that a contract exists (EXISTS) before
    //  taking an invoice of it (pacta_handler_require_contract()).
    //  gdpr-retention reads the contracts' documents for data-subject access exports.
    snprintf(rows[n - 1].readers, sizeof rows[n - 1].readers, " invoicing enforcement gdpr-retention notifications ");
    n = s_add_row(rows, n, ENTITY ":ledger", KEY_HASH, "invoicing", false);
    snprintf(rows[n - 1].readers, sizeof rows[n - 1].readers, " gdpr-retention ");
    n = s_add_row(rows, n, ENTITY ":enforcement", KEY_HASH, "enforcement", false);
    snprintf(rows[n - 1].readers, sizeof rows[n - 1].readers, " gdpr-retention ");
    n = s_add_row(rows, n, ENTITY ":audit", KEY_STREAM, "contracts invoicing enforcement notifications gdpr-retention",
                  false);
    n = s_add_row(rows, n, "pacta:acme:{p:101202530353}:invoice", KEY_HASH, "invoicing", false);
    n = s_add_row(rows, n, "pacta:{ix:acme}:contracts", KEY_ZSET, "contracts", false);
    n = s_add_row(rows, n, "pacta:{ix:acme}:invoices", KEY_HASH, "invoicing", false);
    n = s_add_row(rows, n, "pacta:{ix:acme}:proposals", KEY_ZSET, "contracts invoicing enforcement", false);
    n = s_add_row(rows, n, SUBJECT ":vault", KEY_HASH, "gdpr-retention", false);
    //  notifications reads it through the vault's narrow contact lookup (pacta_vault.h).
    snprintf(rows[n - 1].readers, sizeof rows[n - 1].readers, " notifications ");
    n = s_add_row(rows, n, SUBJECT ":seen:notifications", KEY_ZSET, "notifications gdpr-retention", false);
    n = s_add_row(rows, n, CLOCK_KEY, KEY_STRING, "pactactl", true);
    n = s_add_row(rows, n, "other:key", KEY_STRING, "", false);
    n = s_add_row(rows, n, ENTITY, KEY_STRING, "", false);

    static const struct {
        const char *suffix;
        key_type_t type;
    } own[] = {{":seen:%s", KEY_ZSET},    {":seen:%s:digest", KEY_HASH}, {":parked:%s", KEY_HASH},
               {":parked:%s:info", KEY_HASH}, {":owed:%s", KEY_HASH},   {":outbox:%s", KEY_STREAM},
               {":deadletter:%s", KEY_STREAM}};
    for (size_t s = 0; s < SERVICE_COUNT; s++) {
        const char *svc = s_services[s];
        char key[160], suffix[64];
        for (size_t i = 0; i < sizeof own / sizeof own[0]; i++) {
            snprintf(suffix, sizeof suffix, own[i].suffix, svc);
            snprintf(key, sizeof key, "%s%s", ENTITY, suffix);
            n = s_add_row(rows, n, key, own[i].type, svc, false);
        }
        snprintf(key, sizeof key, "pacta:{outbox:%s}:due", svc);
        n = s_add_row(rows, n, key, KEY_ZSET, svc, false);
        snprintf(key, sizeof key, "pacta:{outbox:%s}:written", svc);
        n = s_add_row(rows, n, key, KEY_ZSET, svc, false);
        snprintf(key, sizeof key, "pacta:{owed:%s}:due", svc);
        n = s_add_row(rows, n, key, KEY_ZSET, svc, false);
        snprintf(key, sizeof key, "pacta:{tm:acme:%s}:due", svc);
        n = s_add_row(rows, n, key, KEY_ZSET, svc, false);
    }
    cr_assert_leq(n, max);
    return n;
}

static bool
s_has_word(const char *list, const char *word)
{
    char needle[80];
    snprintf(needle, sizeof needle, " %s ", word);
    return strstr(list, needle) != NULL;
}

/* Tries one write and one read of every key as user; each must be allowed or
   refused (NOPERM) exactly as the matrix says. */
static void
s_check_matrix(const char *user)
{
    key_row_t rows[96];
    size_t count = s_key_rows(rows, sizeof rows / sizeof rows[0]);
    bool is_service = strcmp(user, "pactactl") != 0;
    redisContext *c = s_login(user);
    for (size_t i = 0; i < count; i++) {
        const key_row_t *row = &rows[i];
        bool may_write = s_has_word(row->writers, user);
        bool may_read = may_write || (row->services_read && is_service) || s_has_word(row->readers, user)
                        || (!is_service && strncmp(row->key, "pacta:", 6) == 0);
        const char *write_cmd[][7] = {
            [KEY_HASH] = {"HSET", row->key, "f", "v", NULL},
            [KEY_ZSET] = {"ZADD", row->key, "1", "m", NULL},
            [KEY_STREAM] = {"XADD", row->key, "*", "f", "v", NULL},
            [KEY_STRING] = {"SET", row->key, "1", NULL},
        };
        const char *read_cmd[][4] = {
            [KEY_HASH] = {"HGET", row->key, "f", NULL},
            [KEY_ZSET] = {"ZSCORE", row->key, "m", NULL},
            [KEY_STREAM] = {"XLEN", row->key, NULL},
            [KEY_STRING] = {"GET", row->key, NULL},
        };
        redisReply *r = s_cmdv(c, write_cmd[row->type]);
        if (may_write)
            cr_expect(r->type != REDIS_REPLY_ERROR, "%s must write %s: %s", user, row->key, r->str);
        else
            cr_expect(s_is_noperm(r), "%s must NOT write %s (got %s)", user, row->key,
                      r->type == REDIS_REPLY_ERROR ? r->str : "success");
        freeReplyObject(r);
        r = s_cmdv(c, read_cmd[row->type]);
        if (may_read)
            cr_expect(r->type != REDIS_REPLY_ERROR, "%s must read %s: %s", user, row->key, r->str);
        else
            cr_expect(s_is_noperm(r), "%s must NOT read %s (got %s)", user, row->key,
                      r->type == REDIS_REPLY_ERROR ? r->str : "success");
        freeReplyObject(r);
    }
    redisFree(c);
}

Test(redis_acl, contracts_keys) { s_check_matrix("contracts"); }
Test(redis_acl, invoicing_keys) { s_check_matrix("invoicing"); }
Test(redis_acl, enforcement_keys) { s_check_matrix("enforcement"); }
Test(redis_acl, notifications_keys) { s_check_matrix("notifications"); }
Test(redis_acl, gdpr_retention_keys) { s_check_matrix("gdpr-retention"); }
Test(redis_acl, pactactl_keys) { s_check_matrix("pactactl"); }

/* ---- commands ------------------------------------------------------------------------------------ */

/* How to try each command the sources issue with ACL DRYRUN: %k is a key of the
   user's own (for pactactl: a document it reads, or the clock when `writes`). */
typedef struct {
    const char *name;        /* command as written in the sources */
    const char *words;       /* DRYRUN arguments, space-separated, %k = the key */
    bool writes;             /* pactactl may do it on the test clock only */
} command_row_t;

static const command_row_t s_commands[] = {
    {"AUTH", NULL, false},   /* always allowed: it is how a user logs in */
    {"PING", "PING", false},
    {"SELECT", "SELECT 0", false},
    {"CLIENT", "CLIENT SETNAME pacta", false},
    {"SCRIPT", "SCRIPT LOAD return", false},
    {"EVALSHA", "EVALSHA 0123456789012345678901234567890123456789 1 %k", true},
    {"TIME", "TIME", false},
    {"GET", "GET %k", false},
    {"SET", "SET %k 1", true},
    {"DEL", "DEL %k", true},
    {"EXISTS", "EXISTS %k", false},
    {"PEXPIRE", "PEXPIRE %k 1000", true},
    {"HGET", "HGET %k f", false},
    {"HMGET", "HMGET %k f g", false},
    {"HGETALL", "HGETALL %k", false},
    {"HLEN", "HLEN %k", false},
    {"HSET", "HSET %k f v", true},
    {"HSETNX", "HSETNX %k f v", true},
    {"HDEL", "HDEL %k f", true},
    {"HINCRBY", "HINCRBY %k f 1", true},
    {"XADD", "XADD %k * f v", true},
    {"XDEL", "XDEL %k 1-1", true},
    {"XLEN", "XLEN %k", false},
    {"XRANGE", "XRANGE %k - +", false},
    {"ZADD", "ZADD %k 1 m", true},
    {"ZCARD", "ZCARD %k", false},
    {"ZRANGE", "ZRANGE %k 0 -1", false},
    {"ZRANGEBYSCORE", "ZRANGEBYSCORE %k 0 1", false},
    {"ZREM", "ZREM %k m", true},
    {"ZSCORE", "ZSCORE %k m", false},
};

/* Commands no service and not pactactl may run. */
static const char *const s_forbidden[] = {
    "FLUSHALL", "FLUSHDB", "KEYS *", "SCAN 0", "CONFIG GET *", "SHUTDOWN", "DEBUG SLEEP 0", "ACL LIST",
    "SCRIPT FLUSH", "EVAL return 0", "FUNCTION LIST", "MONITOR", "SUBSCRIBE x", "PUBLISH x y", "BGSAVE",
    "REPLICAOF NO ONE", "INFO", "CLIENT LIST", "CLIENT KILL ID 1", "SWAPDB 0 1", "MIGRATE h 1 k 0 1",
    "RESTORE k 0 x", "DUMP k", "MODULE LIST",
};

typedef struct {
    char names[64][24];      /* commands found */
    char where[64][96];      /* one file using each */
    size_t count;            /* entries used */
} used_commands_t;

/* Adds the quoted upper-case words of file that are Redis commands (known[]). */
static void
s_scan_file(const char *path, char known[][24], size_t known_count, used_commands_t *used)
{
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "cannot read %s", path);
    char line[4096];
    while (fgets(line, sizeof line, f)) {
        for (char *p = line; *p; p++) {
            if (*p != '"' && *p != '\'')
                continue;
            char quote = *p;
            size_t len = 0;
            while (isupper((unsigned char) p[1 + len]))
                len++;
            if (len == 0 || len >= 24 || p[1 + len] != quote)
                continue;
            char word[24];
            memcpy(word, p + 1, len);
            word[len] = '\0';
            bool is_command = false;
            for (size_t k = 0; k < known_count && !is_command; k++)
                is_command = strcmp(known[k], word) == 0;
            bool seen = false;
            for (size_t k = 0; k < used->count && !seen; k++)
                seen = strcmp(used->names[k], word) == 0;
            if (is_command && !seen && used->count < 64) {
                snprintf(used->names[used->count], sizeof used->names[0], "%s", word);
                snprintf(used->where[used->count], sizeof used->where[0], "%s",
                         path + strlen(PACTA_SOURCE_DIR) + 1);
                used->count++;
            }
            p += len;
        }
    }
    fclose(f);
}

/* Scans every *.c and *.lua file of a source directory. */
static void
s_scan_dir(const char *relative, char known[][24], size_t known_count, used_commands_t *used)
{
    char dir_path[512];
    snprintf(dir_path, sizeof dir_path, "%s/%s", PACTA_SOURCE_DIR, relative);
    DIR *dir = opendir(dir_path);
    cr_assert_not_null(dir, "cannot list %s", dir_path);
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        size_t len = strlen(entry->d_name);
        bool source = (len > 2 && strcmp(entry->d_name + len - 2, ".c") == 0)
                      || (len > 4 && strcmp(entry->d_name + len - 4, ".lua") == 0);
        if (!source)
            continue;
        char path[800];
        snprintf(path, sizeof path, "%s/%s", dir_path, entry->d_name);
        s_scan_file(path, known, known_count, used);
    }
    closedir(dir);
}

/* The server's command names, upper case. */
static size_t
s_known_commands(char known[][24], size_t max)
{
    redisContext *admin = s_login("admin");
    redisReply *r = redisCommand(admin, "COMMAND LIST");
    cr_assert(r && r->type == REDIS_REPLY_ARRAY);
    size_t n = 0;
    for (size_t i = 0; i < r->elements && n < max; i++) {
        snprintf(known[n], 24, "%s", r->element[i]->str);
        for (char *c = known[n]; *c; c++)
            *c = (char) toupper((unsigned char) *c);
        n++;
    }
    freeReplyObject(r);
    redisFree(admin);
    return n;
}

/* ACL DRYRUN of one command row as user with key; the reply text. */
static void
s_dryrun(redisContext *admin, const char *user, const command_row_t *row, const char *key, char *out, size_t size)
{
    const char *words[16] = {"ACL", "DRYRUN", user};
    int argc = 3;
    char copy[256];
    snprintf(copy, sizeof copy, "%s", row->words);
    for (char *w = copy; *w && argc < 15;) {
        size_t len = strcspn(w, " ");
        bool last = w[len] == '\0';
        w[len] = '\0';
        words[argc++] = strcmp(w, "%k") == 0 ? key : w;
        if (last)
            break;
        w += len + 1;
    }
    redisReply *r = redisCommandArgv(admin, argc, words, NULL);
    cr_assert_not_null(r);
    snprintf(out, size, "%s", r->str ? r->str : "");
    freeReplyObject(r);
}

static const command_row_t *
s_command_row(const char *name)
{
    for (size_t i = 0; i < sizeof s_commands / sizeof s_commands[0]; i++)
        if (strcmp(s_commands[i].name, name) == 0)
            return &s_commands[i];
    return NULL;
}

/* Every Redis command of the services' sources is allowed to every service
   user on its own keys, and never a command of s_forbidden. */
Test(redis_acl, services_may_run_every_command_their_code_issues)
{
    static char known[512][24];
    size_t known_count = s_known_commands(known, 512);
    used_commands_t used = {0};
    s_scan_dir("services/common", known, known_count, &used);
    s_scan_dir("services/common/lua", known, known_count, &used);
    for (size_t s = 0; s < SERVICE_COUNT; s++) {
        char dir[128];
        snprintf(dir, sizeof dir, "services/%s", s_services[s]);
        s_scan_dir(dir, known, known_count, &used);
    }
    cr_assert_gt(used.count, 10, "the scan found almost no Redis command: is PACTA_SOURCE_DIR right?");

    redisContext *admin = s_login("admin");
    for (size_t s = 0; s < SERVICE_COUNT; s++) {
        char key[160], reply[512];
        snprintf(key, sizeof key, "%s:seen:%s", ENTITY, s_services[s]);
        for (size_t i = 0; i < used.count; i++) {
            const command_row_t *row = s_command_row(used.names[i]);
            cr_expect_not_null(row, "%s uses Redis command %s, unknown to test_redis_acl.c: allow it in "
                               "deploy/redis/users.acl and add it to s_commands", used.where[i], used.names[i]);
            if (!row || !row->words)
                continue;
            s_dryrun(admin, s_services[s], row, key, reply, sizeof reply);
            cr_expect_str_eq(reply, "OK", "%s (used in %s) must be allowed to %s: %s", used.names[i],
                             used.where[i], s_services[s], reply);
        }
        for (size_t i = 0; i < sizeof s_forbidden / sizeof s_forbidden[0]; i++) {
            command_row_t row = {.name = s_forbidden[i], .words = s_forbidden[i]};
            s_dryrun(admin, s_services[s], &row, key, reply, sizeof reply);
            cr_expect(strstr(reply, "no permissions to run") != NULL, "%s must be refused %s, got: %s",
                      s_services[s], s_forbidden[i], reply);
        }
    }
    redisFree(admin);
}

/* pactactl's commands: reads on any document, writes on the test clock only. */
Test(redis_acl, pactactl_reads_everything_and_writes_clocks_only)
{
    static char known[512][24];
    size_t known_count = s_known_commands(known, 512);
    used_commands_t used = {0};
    s_scan_dir("services/pactactl", known, known_count, &used);
    char path[512];
    snprintf(path, sizeof path, "%s/services/common/pacta_store.c", PACTA_SOURCE_DIR);
    s_scan_file(path, known, known_count, &used);
    snprintf(path, sizeof path, "%s/services/common/pacta_clock.c", PACTA_SOURCE_DIR);
    s_scan_file(path, known, known_count, &used);
    snprintf(path, sizeof path, "%s/services/common/lua/clock_advance.lua", PACTA_SOURCE_DIR);
    s_scan_file(path, known, known_count, &used);

    redisContext *admin = s_login("admin");
    char reply[512];
    for (size_t i = 0; i < used.count; i++) {
        const command_row_t *row = s_command_row(used.names[i]);
        cr_expect_not_null(row, "%s uses Redis command %s, unknown to test_redis_acl.c", used.where[i],
                           used.names[i]);
        if (!row || !row->words)
            continue;
        s_dryrun(admin, "pactactl", row, row->writes ? CLOCK_KEY : ENTITY ":contract", reply, sizeof reply);
        cr_expect_str_eq(reply, "OK", "%s (used in %s) must be allowed to pactactl: %s", used.names[i],
                         used.where[i], reply);
        if (row->writes && strstr(row->words, "%k")) {
            s_dryrun(admin, "pactactl", row, ENTITY ":contract", reply, sizeof reply);
            cr_expect_str_neq(reply, "OK", "pactactl must not %s a document", used.names[i]);
        }
    }
    for (size_t i = 0; i < sizeof s_forbidden / sizeof s_forbidden[0]; i++) {
        command_row_t row = {.name = s_forbidden[i], .words = s_forbidden[i]};
        s_dryrun(admin, "pactactl", &row, CLOCK_KEY, reply, sizeof reply);
        cr_expect(strstr(reply, "no permissions to run") != NULL, "pactactl must be refused %s, got: %s",
                  s_forbidden[i], reply);
    }
    redisFree(admin);
}

/* ---- the real scripts through the real modules ------------------------------------------------------ */

/* Each service schedules, claims and completes its own timers (timer_*.lua),
   and cannot touch another service's. */
Test(redis_acl, every_service_runs_its_timer_scripts_and_no_one_elses)
{
    for (size_t s = 0; s < SERVICE_COUNT; s++) {
        const char *svc = s_services[s];
        const char *other = s_services[(s + 1) % SERVICE_COUNT];
        pacta_store_t *store = s_store_as(svc);
        pacta_timers_t *own = pacta_timers_new(store, svc);
        cr_assert_not_null(own);
        cr_expect_eq(pacta_timers_schedule(own, TENANT, "c:K-1/acl/2025-02-09", 1000, "c:K-1", "p", 1, NULL), 0,
                     "%s schedules its timer: %s", svc, pacta_timers_error(own));
        pacta_timer_t claimed[2];
        size_t count = 0;
        cr_expect_eq(pacta_timers_claim(own, TENANT, 2000, 30000, claimed, 2, &count), 0, "%s claims: %s", svc,
                     pacta_timers_error(own));
        cr_expect_eq(count, 1, "%s claims its one due timer", svc);
        if (count == 1) {
            bool done = false;
            cr_expect_eq(pacta_timers_complete(own, TENANT, &claimed[0], &done), 0, "%s completes: %s", svc,
                         pacta_timers_error(own));
            cr_expect(done);
            pacta_timer_clear(&claimed[0]);
        }
        pacta_timers_stats_t stats;
        cr_expect_eq(pacta_timers_stats(own, TENANT, &stats), 0, "%s reads its timer counts: %s", svc,
                     pacta_timers_error(own));

        pacta_timers_t *foreign = pacta_timers_new(store, other);
        cr_assert_not_null(foreign);
        cr_expect_neq(pacta_timers_schedule(foreign, TENANT, "c:K-1/acl/2025-02-10", 1000, "c:K-1", "p", 1, NULL), 0,
                      "%s must not schedule %s's timers", svc, other);
        cr_expect(strstr(pacta_timers_error(foreign), "NOPERM") || strstr(pacta_timers_error(foreign), "permission"),
                  "refused by the ACL, not by chance: %s", pacta_timers_error(foreign));
        pacta_timers_destroy(&foreign);
        pacta_timers_destroy(&own);
        pacta_store_destroy(&store);
    }
}

/* pactactl moves a test clock (clock_advance.lua); services read it and cannot move it. */
Test(redis_acl, services_read_the_test_clock_that_only_pactactl_moves)
{
    pacta_store_t *ctl_store = s_store_as("pactactl");
    pacta_clock_t *ctl = pacta_clock_new(PACTA_CLOCK_TEST, ctl_store);
    cr_assert_not_null(ctl);
    pacta_instant_t now = 0;
    cr_assert_eq(pacta_clock_set(ctl, TENANT, 1738368000, &now), 0, "pactactl sets the clock: %s",
                 pacta_clock_error(ctl));
    cr_assert_eq(pacta_clock_advance(ctl, TENANT, 86400, &now), 0, "pactactl advances it: %s",
                 pacta_clock_error(ctl));
    cr_assert_eq(now, 1738368000 + 86400);

    for (size_t s = 0; s < SERVICE_COUNT; s++) {
        pacta_store_t *store = s_store_as(s_services[s]);
        pacta_clock_t *clock = pacta_clock_new(PACTA_CLOCK_TEST, store);
        cr_assert_not_null(clock);
        pacta_instant_t seen = 0;
        cr_expect_eq(pacta_clock_now(clock, TENANT, &seen), 0, "%s reads the clock: %s", s_services[s],
                     pacta_clock_error(clock));
        cr_expect_eq(seen, now, "%s sees pactactl's clock", s_services[s]);
        pacta_instant_t ignored;
        cr_expect_neq(pacta_clock_advance(clock, TENANT, 60, &ignored), 0, "%s must not move the clock",
                      s_services[s]);
        cr_expect_neq(pacta_clock_reset(clock, TENANT), 0, "%s must not reset the clock", s_services[s]);
        pacta_clock_destroy(&clock);
        pacta_store_destroy(&store);
    }
    cr_expect_eq(pacta_clock_reset(ctl, TENANT), 0, "pactactl resets the clock: %s", pacta_clock_error(ctl));
    pacta_clock_destroy(&ctl);
    pacta_store_destroy(&ctl_store);
}

extern const char pacta_lua_entity_effect[];

/* One versioned-document effect (entity_effect.lua inside dedup_effect.lua)
   as user on document suffix doc; with outbox mark/kick. Returns the outcome. */
static pacta_dedup_outcome_t
s_apply_document(const char *user, const char *doc, const char *message_id, char *error, size_t error_size)
{
    pacta_store_t *store = s_store_as(user);
    char err[256];
    pacta_outbox_options_t outbox_options = {.service = user};
    pacta_outbox_t *outbox = pacta_outbox_new(store, &outbox_options, err, sizeof err);
    cr_assert_not_null(outbox, "%s", err);
    pacta_dedup_options_t options = {.service = user, .outbox = outbox};
    pacta_dedup_t *dedup = pacta_dedup_new(store, &options, err, sizeof err);
    cr_assert_not_null(dedup, "%s", err);
    cr_assert_eq(pacta_dedup_register(dedup, "entity_effect", pacta_lua_entity_effect), 0,
                 "%s loads entity_effect: %s", user, pacta_store_error(store));

    char doc_key[160], audit_key[160], audit_entries[256];
    snprintf(doc_key, sizeof doc_key, "%s:%s", ENTITY, doc);
    snprintf(audit_key, sizeof audit_key, "%s:audit", ENTITY);
    snprintf(audit_entries, sizeof audit_entries,
             "[[\"entry\",\"decision\",\"service\",\"%s\",\"caused_by\",\"%s\"]]", user, message_id);
    const char *keys[] = {doc_key, audit_key};
    const char *args[] = {"{\"docs\":[{\"key\":1,\"expect\":0,\"arg\":2}],\"audit\":{\"key\":2,\"arg\":3},"
                          "\"emit\":[{\"arg\":4,\"dest\":\"notifications\"}],\"cause\":\"acl-test\"}",
                          "{\"contract_id\":\"K-1\"}", audit_entries, "envelope-bytes"};
    pacta_dedup_call_t call = {.prefix = ENTITY, .message_id = message_id, .digest = "0123456789abcdef",
                               .key_count = 2, .keys = keys, .arg_count = 4, .args = args, .emits = true};
    pacta_dedup_apply(dedup, "entity_effect", &call);
    snprintf(error, error_size, "%s", call.error);
    //  The store borrows the dedup's and the outbox's scripts: it goes first.
    pacta_store_destroy(&store);
    pacta_dedup_destroy(&dedup);
    pacta_outbox_destroy(&outbox);
    return call.outcome;
}

static long long
s_admin_integer(const char *const *words)
{
    redisContext *admin = s_login("admin");
    redisReply *r = s_cmdv(admin, words);
    cr_assert_eq(r->type, REDIS_REPLY_INTEGER, "%s: %s", words[0], r->str ? r->str : "not an integer");
    long long value = r->integer;
    freeReplyObject(r);
    redisFree(admin);
    return value;
}

/* Each document owner commits an effect on its document: the CAS write, the
   audit entry, the dedup record and the outbox entry land together. */
Test(redis_acl, document_owners_commit_effects_with_their_outbox)
{
    static const char *const owners[][2] = {
        {"contracts", "contract"}, {"invoicing", "ledger"}, {"enforcement", "enforcement"}};
    for (size_t i = 0; i < 3; i++) {
        const char *user = owners[i][0];
        char message_id[64], error[256], seen[160], outbox[160], due[160];
        snprintf(message_id, sizeof message_id, "m-%s", user);
        pacta_dedup_outcome_t outcome = s_apply_document(user, owners[i][1], message_id, error, sizeof error);
        cr_expect_eq(outcome, PACTA_DEDUP_APPLIED, "%s commits on its %s: %s (%s)", user, owners[i][1],
                     pacta_dedup_outcome_name(outcome), error);
        snprintf(seen, sizeof seen, "%s:seen:%s", ENTITY, user);
        snprintf(outbox, sizeof outbox, "%s:outbox:%s", ENTITY, user);
        snprintf(due, sizeof due, "pacta:{outbox:%s}:due", user);
        const char *zcard_seen[] = {"ZCARD", seen, NULL};
        const char *xlen_outbox[] = {"XLEN", outbox, NULL};
        const char *zcard_due[] = {"ZCARD", due, NULL};
        cr_expect_eq(s_admin_integer(zcard_seen), 1, "%s recorded the message id", user);
        cr_expect_eq(s_admin_integer(xlen_outbox), 1, "%s queued the emitted message", user);
        cr_expect_eq(s_admin_integer(zcard_due), 1, "%s marked its outbox for the relay", user);
    }
    const char *xlen_audit[] = {"XLEN", ENTITY ":audit", NULL};
    cr_expect_eq(s_admin_integer(xlen_audit), 3, "the three owners share the entity's audit stream");
}

/* A service cannot commit on another service's document: the whole effect is
   refused, nothing of it is written. */
Test(redis_acl, no_service_commits_on_a_document_it_does_not_own)
{
    static const char *const attempts[][2] = {
        {"invoicing", "contract"}, {"enforcement", "ledger"}, {"contracts", "enforcement"},
        {"notifications", "contract"}, {"gdpr-retention", "ledger"}};
    for (size_t i = 0; i < sizeof attempts / sizeof attempts[0]; i++) {
        const char *user = attempts[i][0];
        char message_id[64], error[256], doc_key[160], seen[160];
        snprintf(message_id, sizeof message_id, "m-bad-%zu", i);
        pacta_dedup_outcome_t outcome = s_apply_document(user, attempts[i][1], message_id, error, sizeof error);
        cr_expect_neq(outcome, PACTA_DEDUP_APPLIED, "%s must not commit on the %s", user, attempts[i][1]);
        snprintf(doc_key, sizeof doc_key, "%s:%s", ENTITY, attempts[i][1]);
        snprintf(seen, sizeof seen, "%s:seen:%s", ENTITY, user);
        const char *exists_doc[] = {"EXISTS", doc_key, NULL};
        const char *exists_seen[] = {"EXISTS", seen, NULL};
        cr_expect_eq(s_admin_integer(exists_doc), 0, "%s wrote nothing on the %s", user, attempts[i][1]);
        cr_expect_eq(s_admin_integer(exists_seen), 0, "%s recorded no message id", user);
    }
}

/* The relay's scripts (outbox_claim/read/release/ack/dead, owed_unmark) on
   the keys each service passes them: allowed for the owner only. */
Test(redis_acl, relay_scripts_only_on_the_services_own_keys)
{
    redisContext *admin = s_login("admin");
    for (size_t s = 0; s < SERVICE_COUNT; s++) {
        const char *svc = s_services[s];
        const char *other = s_services[(s + 2) % SERVICE_COUNT];
        char due[160], written[160], stream[160], dead[160], owed[160], reply[512];
        const char *key_sets[][2] = {{due, written}, {stream, dead}, {owed, owed}};
        for (int pass = 0; pass < 2; pass++) {
            const char *owner = pass == 0 ? svc : other;
            snprintf(due, sizeof due, "pacta:{outbox:%s}:due", owner);
            snprintf(written, sizeof written, "pacta:{outbox:%s}:written", owner);
            snprintf(stream, sizeof stream, "%s:outbox:%s", ENTITY, owner);
            snprintf(dead, sizeof dead, "%s:deadletter:%s", ENTITY, owner);
            snprintf(owed, sizeof owed, "pacta:{owed:%s}:due", owner);
            for (size_t k = 0; k < 3; k++) {
                const char *words[] = {"ACL", "DRYRUN", svc, "EVALSHA", "0123456789012345678901234567890123456789",
                                       "2", key_sets[k][0], key_sets[k][1]};
                redisReply *r = redisCommandArgv(admin, 8, words, NULL);
                cr_assert_not_null(r);
                snprintf(reply, sizeof reply, "%s", r->str ? r->str : "");
                freeReplyObject(r);
                if (pass == 0)
                    cr_expect_str_eq(reply, "OK", "%s runs its relay script on %s: %s", svc, key_sets[k][0], reply);
                else
                    cr_expect_str_neq(reply, "OK", "%s must not run a script on %s", svc, key_sets[k][0]);
            }
        }
    }
    redisFree(admin);
}
