/*  gdpr-retention through real processes.

    refuses_to_start_without_the_right_master_key: pacta-gdpr-retention with a missing, malformed or
    wrong master key exits 1 naming the problem; with the right one it
    starts and stops cleanly (Redis database 8 of the test Redis).

    sg11_erases_identity_and_contact_after_a_year (issue 6 acceptance): a
    redis-server of the test's own (appendonly yes, appendfsync always, its
    own directory), pacta-bus and the five services on it, pactactl
    replaying tests/gdpr/sg_retention.jsonl: an Sg Event contract ends on
    2025-07-03 with the client's personal data in the vault (the e-mail IS
    readable through the vault then, so the test can fail). The tenant's
    test clock then moves one year: identity and contact are erased, the
    accounting data stay archived, and no plaintext name, e-mail or phone of
    the subject is anywhere in Redis (every key, every value), in the AOF
    and RDB files (before and after BGREWRITEAOF/BGSAVE), or in a log.

    access_and_erasure_requests_during_a_contract (issue 6 acceptance,
    database 7): pactactl dsr open/show/export/erase and retention show on a
    running CapConnect contract (tests/gdpr/cc_dsr.jsonl): the access
    request is answered within the L-4 deadline with a complete export;
    the erasure keeps exactly the L-5 (accounting) data; every step is in
    the subject's audit stream, which holds no personal value. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../i5c/stack_fixture.h"
#include "gdpr_scan.h"
#include "pacta_vault.h"

#define KEY_A "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"
#define KEY_B "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"
#define SUBJECT "gdpr-S-1"
#define TENANT "sgevent"
#define REDIS_SERVER "/usr/bin/redis-server"   /* Debian's redis-server package */

static const char *const s_plaintexts[] = {"Lotteqz", "Vandenbergheqz", "lotte.vandenbergheqz@example.be",
                                           "+32 470 55 66 77", "470 55 66"};

static void
s_fini(void)
{
    bh_cleanup_all();
}

TestSuite(gdpr_stack, .fini = s_fini, .timeout = 240);

static void
s_gdpr_binary(char *buf, size_t size)
{
    snprintf(buf, size, "%s/services/gdpr-retention/pacta-gdpr-retention", PACTA_BINARY_DIR);
}

/* Starts gdpr-retention alone on database 8 with key_file; once it logged
   `needle`, returns its exit code: SIGTERM is sent when it started, while a
   refusal is waited for (signal 0) so that it exits on its own. */
static int
s_run_gdpr(const char *key_file, const char *needle, bh_proc_t *proc)
{
    char binary[BH_PATH_MAX], redis_env[700], profile_env[600], key_env[700];
    s_gdpr_binary(binary, sizeof binary);
    char url[600];
    sk_redis_url(url, sizeof url);
    snprintf(redis_env, sizeof redis_env, "PACTA_REDIS_URL=%s", url);
    snprintf(profile_env, sizeof profile_env, "PACTA_PROFILE_DIR=%s/deploy/profiles", PACTA_SOURCE_DIR);
    snprintf(key_env, sizeof key_env, "PACTA_VAULT_MASTER_KEY_FILE=%s", key_file);
    char *env[] = {redis_env, profile_env, key_env, (char *) "PACTA_HTTP_ADDR=127.0.0.1:0",
                   (char *) "PACTA_CLOCK=test", (char *) "PACTA_BUS_URL=tcp://127.0.0.1:1",
                   (char *) "PACTA_BUS_INSTANCE_URL=tcp://127.0.0.1:1", NULL};
    char *argv[] = {binary, NULL};
    bh_spawn(proc, "gdpr-retention", argv, env);
    cr_assert(bh_wait_log(proc, needle, 20000), "no \"%s\" in %s", needle, proc->log_path);
    return bh_stop(proc, strstr(needle, "refusing") ? 0 : SIGTERM, 20000);
}

Test(gdpr_stack, refuses_to_start_without_the_right_master_key)
{
    sk_use_database(8);
    pacta_store_t *store = sk_store();
    sk_flush(store);
    char good[BH_PATH_MAX], other[BH_PATH_MAX], bad[BH_PATH_MAX], missing[BH_PATH_MAX];
    bh_write_file("good.key", KEY_A "\n", good, sizeof good);
    bh_write_file("other.key", KEY_B, other, sizeof other);
    bh_write_file("bad.key", "not a key at all\n", bad, sizeof bad);
    snprintf(missing, sizeof missing, "%s/no-such.key", bh_workdir());
    bh_proc_t proc;

    cr_assert_eq(s_run_gdpr(missing, "refusing to start", &proc), 1);
    cr_assert_eq(bh_count_log(&proc, "is missing"), 1, "log %s", proc.log_path);
    cr_assert_eq(s_run_gdpr(bad, "refusing to start", &proc), 1);
    cr_assert_eq(bh_count_log(&proc, "wrong length"), 1, "log %s", proc.log_path);

    /* the first start writes the key check record; another key is refused after it */
    cr_assert_eq(s_run_gdpr(good, "\"started\"", &proc), 0, "log %s", proc.log_path);
    cr_assert_eq(bh_count_log(&proc, "vault ready"), 1, "log %s", proc.log_path);
    cr_assert_eq(s_run_gdpr(other, "refusing to start", &proc), 1);
    cr_assert_eq(bh_count_log(&proc, "the vault master key does not match the one the vault was written with"), 1,
                 "log %s", proc.log_path);
    cr_assert_eq(s_run_gdpr(good, "\"started\"", &proc), 0, "log %s", proc.log_path);
    sk_flush(store);
    pacta_store_destroy(&store);
}

/* ---- the acceptance test on a Redis of its own ------------------------------------- */

static void
s_redis_start(bh_proc_t *proc, const char *dir, char *socket_path, size_t size)
{
    cr_assert_lt(snprintf(socket_path, size, "%s/redis.sock", dir), (int) size, "socket path too long");
    char *argv[] = {(char *) REDIS_SERVER, (char *) "--port", (char *) "0", (char *) "--unixsocket", socket_path,
                    (char *) "--dir", (char *) dir, (char *) "--appendonly", (char *) "yes", (char *) "--appendfsync",
                    (char *) "always", (char *) "--save", (char *) "", (char *) "--daemonize", (char *) "no", NULL};
    bh_spawn(proc, "own-redis", argv, NULL);
    cr_assert(bh_wait_log(proc, "ready to accept connections", 20000), "redis did not start: %s", proc->log_path);
}

static void
s_command(pacta_store_t *store, const char *command)
{
    redisReply *reply = NULL;
    cr_assert_eq(pacta_store_command_strs(store, &reply, command, NULL), 0, "%s: %s", command,
                 pacta_store_error(store));
    freeReplyObject(reply);
}

/* Waits until INFO persistence shows no rewrite or save running. */
static void
s_wait_persistence_idle(pacta_store_t *store)
{
    int64_t deadline = bh_now_ms() + 30000;
    for (;;) {
        redisReply *reply = NULL;
        cr_assert_eq(pacta_store_command_strs(store, &reply, "INFO", "persistence", NULL), 0);
        bool busy = strstr(reply->str, "aof_rewrite_in_progress:1") || strstr(reply->str, "aof_rewrite_scheduled:1")
                    || strstr(reply->str, "rdb_bgsave_in_progress:1");
        freeReplyObject(reply);
        if (!busy)
            return;
        cr_assert_lt(bh_now_ms(), deadline, "persistence still busy after 30 s");
        bh_sleep_ms(50);
    }
}

/* Every regular file under dir (recursively) checked for every plaintext. */
static size_t
s_files_checked(const char *dir)
{
    size_t files = 0;
    DIR *d = opendir(dir);
    cr_assert_not_null(d, "%s", dir);
    struct dirent *entry;
    while ((entry = readdir(d))) {
        if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0
            || strcmp(entry->d_name, "redis.sock") == 0)
            continue;
        char path[1200];
        snprintf(path, sizeof path, "%s/%s", dir, entry->d_name);
        struct stat st;
        if (stat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            files += s_files_checked(path);
            continue;
        }
        if (!S_ISREG(st.st_mode))
            continue;
        files++;
        for (size_t i = 0; i < sizeof s_plaintexts / sizeof s_plaintexts[0]; i++)
            cr_assert_not(gs_file_contains(path, s_plaintexts[i]), "plaintext \"%s\" in %s", s_plaintexts[i], path);
    }
    closedir(d);
    return files;
}

static void
s_assert_no_plaintext_in_redis(pacta_store_t *store)
{
    for (size_t i = 0; i < sizeof s_plaintexts / sizeof s_plaintexts[0]; i++) {
        char *where = gs_redis_find(store, s_plaintexts[i]);
        cr_assert_null(where, "plaintext \"%s\" in Redis key %s", s_plaintexts[i], where);
    }
}

static json_t *
s_vault_doc(pacta_store_t *store)
{
    redisReply *reply = NULL;
    cr_assert_eq(pacta_store_command_strs(store, &reply, "HGET", "pacta:" TENANT ":{s:" SUBJECT "}:vault", "doc", NULL),
                 0);
    json_t *doc = reply->type == REDIS_REPLY_STRING ? json_loads(reply->str, 0, NULL) : NULL;
    freeReplyObject(reply);
    return doc;
}

Test(gdpr_stack, sg11_erases_identity_and_contact_after_a_year)
{
    char dir[64] = "/tmp/gdpr-aof-XXXXXX";   /* short: a unix socket path has 108 bytes */
    char socket_path[100], url[BH_PATH_MAX + 16], key_file[BH_PATH_MAX];
    cr_assert_not_null(mkdtemp(dir));
    bh_proc_t redis;
    s_redis_start(&redis, dir, socket_path, sizeof socket_path);
    snprintf(url, sizeof url, "unix://%s", socket_path);
    setenv("PACTA_TEST_REDIS_URL", url, 1);   /* the stack fixture's Redis is this one */
    sk_use_database(0);
    pacta_store_t *store = sk_store();

    bh_write_file("master.key", KEY_A, key_file, sizeof key_file);
    char key_env[BH_PATH_MAX + 40];
    snprintf(key_env, sizeof key_env, "PACTA_VAULT_MASTER_KEY_FILE=%s", key_file);
    const char *extra[] = {key_env, NULL};
    sk_stack_t stack;
    sk_start_with(&stack, 1, extra);

    char scenario[BH_PATH_MAX];
    snprintf(scenario, sizeof scenario, "%s/tests/gdpr/sg_retention.jsonl", PACTA_SOURCE_DIR);
    sk_result_t r = sk_run(&stack, "replay", "--wait", "40", scenario, NULL);
    if (r.rc != 0) {
        redisReply *why = NULL;
        pacta_store_command_strs(store, &why, "HGETALL", "pacta:sgevent:{c:gd-SG-1}:parked:contracts:info", NULL);
        for (size_t i = 0; why && i < why->elements; i++)
            fprintf(stderr, "parked: %s\n", why->element[i]->str);
        freeReplyObject(why);
    }
    cr_assert_eq(r.rc, 0, "replay failed:\n%s%s", r.out, r.err);
    sk_result_free(&r);

    /* The data are there and readable through the vault: the checks below can fail. */
    char err[256];
    pacta_vault_t *vault = pacta_vault_new(key_file, err, sizeof err);
    cr_assert_not_null(vault, "%s", err);
    json_t *fields = NULL;
    pacta_vault_status_t status = pacta_vault_lookup_contact(vault, store, TENANT, SUBJECT, "test", "acceptance",
                                                             &fields, err, sizeof err);
    cr_assert_eq(status, PACTA_VAULT_FOUND, "%s: %s", pacta_vault_status_name(status), err);
    cr_assert_str_eq(json_string_value(json_object_get(fields, "email")), "lotte.vandenbergheqz@example.be");
    cr_assert_str_eq(json_string_value(json_object_get(fields, "last_name")), "Vandenbergheqz");
    json_decref(fields);
    s_assert_no_plaintext_in_redis(store);

    /* The retention schedule exists (ContractEnded reached gdpr-retention). */
    json_t *schedule = NULL;
    int64_t deadline = bh_now_ms() + 30000;
    while (!schedule && bh_now_ms() < deadline) {
        redisReply *reply = NULL;
        cr_assert_eq(pacta_store_command_strs(store, &reply, "HGET", "pacta:" TENANT ":{c:gd-SG-1}:retention", "doc",
                                              NULL), 0);
        if (reply->type == REDIS_REPLY_STRING)
            schedule = json_loads(reply->str, 0, NULL);
        freeReplyObject(reply);
        if (!schedule)
            bh_sleep_ms(100);
    }
    cr_assert_not_null(schedule, "no retention schedule for gd-SG-1 (did ContractEnded carry the subject?)");
    cr_assert_str_eq(json_string_value(json_object_get(schedule, "subject_id")), SUBJECT);
    json_decref(schedule);

    /* One year later. */
    char year[BH_PATH_MAX];
    bh_write_file("year.jsonl", "{\"tenant\": \"sgevent\", \"clock\": \"advance\", \"to\": \"2026-07-04\"}\n", year,
                  sizeof year);
    r = sk_run(&stack, "replay", "--wait", "40", year, NULL);
    cr_assert_eq(r.rc, 0, "replay failed:\n%s%s", r.out, r.err);
    sk_result_free(&r);

    json_t *doc = NULL;
    deadline = bh_now_ms() + 60000;
    for (;;) {
        doc = s_vault_doc(store);
        const char *contact = pacta_vault_doc_state(doc, "contact");
        const char *identity = pacta_vault_doc_state(doc, "identity");
        const char *accounting = pacta_vault_doc_state(doc, "accounting");
        if (contact && identity && accounting && strcmp(contact, "erased") == 0 && strcmp(identity, "erased") == 0
            && strcmp(accounting, "archived") == 0)
            break;
        cr_assert_lt(bh_now_ms(), deadline, "after a year: contact %s, identity %s, accounting %s",
                     contact ? contact : "-", identity ? identity : "-", accounting ? accounting : "-");
        json_decref(doc);
        bh_sleep_ms(100);
    }
    cr_assert_not_null(json_object_get(doc, "key"), "the accounting archive keeps the subject key");
    json_decref(doc);

    status = pacta_vault_lookup_contact(vault, store, TENANT, SUBJECT, "test", "acceptance", &fields, err, sizeof err);
    cr_assert_eq(status, PACTA_VAULT_ERASED, "%s", pacta_vault_status_name(status));
    /* the accounting data remain, for an accounting purpose only */
    doc = s_vault_doc(store);
    cr_assert_eq(pacta_vault_doc_read(vault, doc, TENANT, SUBJECT, "accounting", false, &fields, err, sizeof err),
                 PACTA_VAULT_RESTRICTED);
    cr_assert_eq(pacta_vault_doc_read(vault, doc, TENANT, SUBJECT, "accounting", true, &fields, err, sizeof err),
                 PACTA_VAULT_FOUND, "%s", err);
    cr_assert_str_eq(json_string_value(json_object_get(fields, "legal_name")), "Evenements Lumiere SRL");
    json_decref(fields);
    json_decref(doc);

    /* the audit stream records the retention decisions, without personal data */
    redisReply *audit = NULL;
    cr_assert_eq(pacta_store_command_strs(store, &audit, "XLEN", "pacta:" TENANT ":{s:" SUBJECT "}:audit", NULL), 0);
    cr_assert_geq(audit->integer, 4, "recorded, archived, erased x2 at least");
    freeReplyObject(audit);
    r = sk_run(&stack, "retention", "show", "--tenant", TENANT, "--contract", "gd-SG-1", NULL);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    cr_assert(strstr(r.out, "contact    erase   on 2026-07-04 (SG-11)"), "%s", r.out);
    sk_result_free(&r);
    s_assert_no_plaintext_in_redis(store);

    sk_stop(&stack);
    /* No log line of the bus, the services or pactactl's replays carries a value. */
    cr_assert_gt(s_files_checked(bh_workdir()), 5, "the processes' logs were checked");
    /* The files: as written (AOF), then rewritten and snapshotted. */
    size_t files = s_files_checked(dir);
    cr_assert_gt(files, 0, "no AOF file under %s", dir);
    s_command(store, "BGREWRITEAOF");
    s_wait_persistence_idle(store);
    s_command(store, "BGSAVE");
    s_wait_persistence_idle(store);
    files = s_files_checked(dir);
    char rdb[BH_PATH_MAX + 16];
    snprintf(rdb, sizeof rdb, "%s/dump.rdb", dir);
    cr_assert_eq(access(rdb, R_OK), 0, "BGSAVE wrote no %s", rdb);
    cr_assert_gt(files, 1);

    pacta_vault_destroy(&vault);
    pacta_store_destroy(&store);
    bh_stop(&redis, SIGTERM, 10000);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}

/* ---- data-subject requests through pactactl (database 7) ------------------------------ */

static char *
s_read_text(const char *path)
{
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s", path);
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

Test(gdpr_stack, access_and_erasure_requests_during_a_contract)
{
    sk_use_database(7);
    pacta_store_t *store = sk_store();
    sk_flush(store);
    char key_file[BH_PATH_MAX], key_env[BH_PATH_MAX + 40];
    bh_write_file("dsr-master.key", KEY_B, key_file, sizeof key_file);
    snprintf(key_env, sizeof key_env, "PACTA_VAULT_MASTER_KEY_FILE=%s", key_file);
    const char *extra[] = {key_env, NULL};
    sk_stack_t stack;
    sk_start_with(&stack, 1, extra);
    char scenario[BH_PATH_MAX];
    snprintf(scenario, sizeof scenario, "%s/tests/gdpr/cc_dsr.jsonl", PACTA_SOURCE_DIR);
    sk_result_t r = sk_run(&stack, "replay", "--wait", "40", scenario, NULL);
    cr_assert_eq(r.rc, 0, "replay failed:\n%s%s", r.out, r.err);
    sk_result_free(&r);

    /* usage errors name the bad argument */
    r = sk_run(&stack, "dsr", "open", "--tenant", "capconnect", "--subject", "gdpr-S-2", "--right", "forget", NULL);
    cr_assert_eq(r.rc, 2);
    cr_assert(strstr(r.err, "--right 'forget'"), "%s", r.err);
    sk_result_free(&r);
    r = sk_run(&stack, "dsr", "export", "--tenant", "capconnect", "--subject", "gdpr-S-2", "--request", "X", NULL);
    cr_assert_eq(r.rc, 2);
    cr_assert(strstr(r.err, "--vault-master-key-file is required"), "%s", r.err);
    sk_result_free(&r);
    r = sk_run(&stack, "dsr", "--help", NULL);
    cr_assert_eq(r.rc, 0);
    cr_assert(strstr(r.out, "dsr export"), "%s", r.out);
    sk_result_free(&r);
    static const char *const verbs[] = {"open", "erase", "rectify", "show", "export"};
    for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++) {
        r = sk_run(&stack, "dsr", verbs[i], "--help", NULL);
        cr_assert_eq(r.rc, 0, "dsr %s --help: %s", verbs[i], r.err);
        cr_assert(strstr(r.out, "Usage:"), "%s", r.out);
        sk_result_free(&r);
    }
    r = sk_run(&stack, "retention", "show", "--help", NULL);
    cr_assert_eq(r.rc, 0);
    cr_assert(strstr(r.out, "retention show --tenant T"), "%s", r.out);
    sk_result_free(&r);
    r = sk_run(&stack, "dsr", "show", "--tenant", "capconnect", "--subjct", "gdpr-S-2", NULL);
    cr_assert_eq(r.rc, 2);
    cr_assert(strstr(r.err, "unknown option '--subjct'"), "%s", r.err);
    sk_result_free(&r);
    r = sk_run(&stack, "dsr", "rectify", "--tenant", "capconnect", "--subject", "gdpr-S-2", "--set", "contact=x", NULL);
    cr_assert_eq(r.rc, 2);
    cr_assert(strstr(r.err, "--set"), "%s", r.err);
    cr_assert_null(strstr(r.err, "=x"), "a value is never echoed: %s", r.err);
    sk_result_free(&r);

    /* access: answered at once, within the L-4 deadline, with a complete export */
    r = sk_run(&stack, "dsr", "open", "--tenant", "capconnect", "--subject", "gdpr-S-2", "--right", "access",
               "--request-id", "DSR-A1", "--received-on", "2025-02-03", NULL);
    cr_assert_eq(r.rc, 0, "%s%s", r.out, r.err);
    sk_result_free(&r);
    r = sk_run(&stack, "dsr", "show", "--tenant", "capconnect", "--subject", "gdpr-S-2", "--json", NULL);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    json_t *view = json_loads(r.out, 0, NULL);
    cr_assert_not_null(view, "%s", r.out);
    json_t *request = json_object_get(json_object_get(view, "requests"), "DSR-A1");
    cr_assert_str_eq(json_string_value(json_object_get(request, "state")), "answered", "%s", r.out);
    cr_assert_str_eq(json_string_value(json_object_get(request, "deadline")), "2025-03-03");
    cr_assert_str_eq(json_string_value(json_object_get(request, "answered_on")), "2025-02-03");
    cr_assert_null(strstr(r.out, "dewaelexq"), "dsr show prints no personal value");
    json_decref(view);
    sk_result_free(&r);

    char export_path[BH_PATH_MAX + 16];
    snprintf(export_path, sizeof export_path, "%s/export.json", bh_workdir());
    r = sk_run(&stack, "dsr", "export", "--tenant", "capconnect", "--subject", "gdpr-S-2", "--request", "DSR-A1",
               "--vault-master-key-file", key_file, "-o", export_path, NULL);
    cr_assert_eq(r.rc, 0, "%s%s", r.out, r.err);
    sk_result_free(&r);
    json_t *export_doc = json_loads(s_read_text(export_path), 0, NULL);
    cr_assert_not_null(export_doc);
    json_t *personal = json_object_get(export_doc, "personal_data");
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(json_object_get(personal, "contact"), "fields"),
                                                       "email")), "an.dewaelexq@example.be");
    json_t *contract = json_object_get(json_object_get(export_doc, "contracts"), "gd2-C-1");
    cr_assert_not_null(json_object_get(contract, "contract"), "the contract is in the export");
    cr_assert(json_is_object(json_object_get(contract, "ledger")), "the invoices are in the export");
    cr_assert_gt(json_array_size(json_object_get(contract, "decisions")), 0, "the decisions are in the export");
    json_decref(export_doc);
    unlink(export_path);

    /* erasure while the contract runs: exactly the L-5 data stay */
    r = sk_run(&stack, "dsr", "erase", "--tenant", "capconnect", "--subject", "gdpr-S-2", "--request-id", "DSR-E1",
               "--received-on", "2025-02-03", NULL);
    cr_assert_eq(r.rc, 0, "%s%s", r.out, r.err);
    sk_result_free(&r);
    r = sk_run(&stack, "retention", "show", "--tenant", "capconnect", "--subject", "gdpr-S-2", "--json", NULL);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    view = json_loads(r.out, 0, NULL);
    cr_assert_not_null(view, "%s", r.out);
    json_t *categories = json_object_get(view, "categories");
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(categories, "identity"), "state")), "erased");
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(categories, "contact"), "state")), "erased");
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(categories, "banking"), "state")), "erased");
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(categories, "accounting"), "state")),
                     "archived");
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(json_object_get(view, "requests"), "DSR-E1"),
                                                       "outcome")), "partial");
    json_decref(view);
    sk_result_free(&r);

    /* every step is in the audit stream, with no personal value */
    json_t *audit = NULL;
    {
        redisReply *reply = NULL;
        cr_assert_eq(pacta_store_command_strs(store, &reply, "XRANGE", "pacta:capconnect:{s:gdpr-S-2}:audit", "-",
                                              "+", NULL), 0);
        audit = json_array();
        for (size_t i = 0; i < reply->elements; i++) {
            json_t *entry = json_object();
            redisReply *fields = reply->element[i]->element[1];
            for (size_t f = 0; f + 1 < fields->elements; f += 2)
                json_object_set_new(entry, fields->element[f]->str, json_string(fields->element[f + 1]->str));
            json_array_append_new(audit, entry);
        }
        freeReplyObject(reply);
    }
    char *text = json_dumps(audit, 0);
    cr_assert(strstr(text, "personal data recorded"), "%s", text);
    cr_assert(strstr(text, "dsr-export"), "the export and its read by the operator: %s", text);
    cr_assert(strstr(text, "pactactl:"), "%s", text);
    cr_assert(strstr(text, "\"L-5\""), "the L-5 archive: %s", text);
    cr_assert(strstr(text, "erasure request: identity,contact,banking erased"), "%s", text);
    cr_assert(strstr(text, "\"reported\""), "the running contract is reported: %s", text);
    cr_assert_null(strstr(text, "Dewaelexq"), "%s", text);
    cr_assert_null(strstr(text, "BE71096123456769"), "%s", text);
    free(text);
    json_decref(audit);
    char *where = gs_redis_find(store, "an.dewaelexq@example.be");
    cr_assert_null(where, "plaintext in %s", where);
    where = gs_redis_find(store, "Dewaelexq");
    cr_assert_null(where, "plaintext in %s", where);

    /* the operator reads the same trail with pactactl timeline */
    r = sk_run(&stack, "timeline", "--tenant", "capconnect", "s:gdpr-S-2", NULL);
    cr_assert_eq(r.rc, 0, "%s%s", r.out, r.err);
    cr_assert(strstr(r.out, "erasure request: identity,contact,banking erased"), "%s", r.out);
    cr_assert(strstr(r.out, "export of request DSR-A1 read by the operator"), "%s", r.out);
    cr_assert_null(strstr(r.out, "Dewaelexq"), "%s", r.out);
    sk_result_free(&r);

    /* without --received-on a request is received today on the tenant's (test) clock */
    r = sk_run(&stack, "dsr", "open", "--tenant", "capconnect", "--subject", "gdpr-S-2", "--right", "restriction",
               "--request-id", "DSR-S1", NULL);
    cr_assert_eq(r.rc, 0, "%s%s", r.out, r.err);
    sk_result_free(&r);
    r = sk_run(&stack, "dsr", "show", "--tenant", "capconnect", "--subject", "gdpr-S-2", NULL);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    cr_assert(strstr(r.out, "DSR-S1 restriction received 2025-02-03 deadline 2025-03-03 answered on 2025-02-03"),
              "%s", r.out);
    cr_assert(strstr(r.out, ", restricted"), "%s", r.out);
    sk_result_free(&r);

    /* the contract's retention schedule is not there yet: it has not ended */
    r = sk_run(&stack, "retention", "show", "--tenant", "capconnect", "--contract", "gd2-C-1", NULL);
    cr_assert_eq(r.rc, 1);
    cr_assert(strstr(r.err, "--contract gd2-C-1"), "%s", r.err);
    sk_result_free(&r);

    sk_stop(&stack);
    sk_flush(store);
    pacta_store_destroy(&store);
}
