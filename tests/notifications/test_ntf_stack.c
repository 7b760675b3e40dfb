/*  =========================================================================
    test_ntf_stack - issue 6's notifications acceptance criteria through
    real processes: Redis (databases 9 and 10), pacta-bus, the five
    services, pactactl replay/send, a REAL SMTP server (python3 -m aiosmtpd
    with a Maildir) and a real HTTP receiver (webhook_receiver.py, which
    checks nothing and records every request; this test verifies each
    signature itself with its own HMAC-SHA256).

      1. The CapConnect §3 example with a Dutch-speaking client whose e-mail
         is in the vault ends with the right e-mails, in Dutch, with the
         right dates and amounts; every webhook request is signed correctly
         and its Idempotency-Key is unique per notice. Replayed a second
         time with notifications restarted half-way: nothing is sent twice.
      2. SMTP down (nothing listening), then started: every e-mail arrives
         exactly once (counted by Message-ID) and the delivery log shows the
         failed attempts before the delivery.
      3. A registered letter: LetterReady, then LetterPostingConfirmed
         records the posting date in the delivery log (pactactl letters).
      4. A missing template refuses the start (exit 1) naming the file.
      5. A notice failing past delivery_max_age is dead-lettered: error
         log, metric, and an alert e-mail to the operator.
    =========================================================================
*/
#include <criterion/criterion.h>
#include <dirent.h>
#include <jansson.h>
#include <netinet/in.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../i5c/stack_fixture.h"

#define SCENARIO PACTA_SOURCE_DIR "/tests/notifications/example01_nl.jsonl"
#define RECEIVER PACTA_SOURCE_DIR "/tests/notifications/webhook_receiver.py"
#define CONTRACT "ntf01-C-1"
#define WEBHOOK_SECRET "ntf-acceptance-webhook-secret"
#define WAIT_MS 60000
/* Debian's interpreter, where python3-aiosmtpd is installed (not a pyenv shim on PATH) */
#define PYTHON "/usr/bin/python3"

static void
s_fini(void)
{
    bh_cleanup_all();
}

TestSuite(ntf_stack, .fini = s_fini, .timeout = 280);

/* ---- helpers ------------------------------------------------------------------------------ */

static int
s_free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    cr_assert_geq(fd, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK), .sin_port = 0};
    cr_assert_eq(bind(fd, (struct sockaddr *) &addr, sizeof addr), 0);
    socklen_t len = sizeof addr;
    cr_assert_eq(getsockname(fd, (struct sockaddr *) &addr, &len), 0);
    close(fd);
    return ntohs(addr.sin_port);
}

/* Starts aiosmtpd on port with a Maildir at dir; waits until it accepts connections. */
static void
s_start_smtp(bh_proc_t *proc, int port, const char *dir)
{
    char listen[64];
    snprintf(listen, sizeof listen, "127.0.0.1:%d", port);
    char *argv[] = {PYTHON, "-m", "aiosmtpd", "-n", "-l", listen, "-c", "aiosmtpd.handlers.Mailbox",
                    (char *) dir, NULL};
    bh_spawn(proc, "smtp", argv, NULL);
    /* wait until it accepts connections (a poll with a deadline, not a timing assertion) */
    for (int i = 0; i < 200; i++) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
                                   .sin_port = htons((uint16_t) port)};
        int rc = connect(fd, (struct sockaddr *) &addr, sizeof addr);
        close(fd);
        if (rc == 0)
            return;
        bh_sleep_ms(50);
    }
    cr_assert_fail("aiosmtpd did not listen on %d (log %s)", port, proc->log_path);
}

/* Starts the webhook receiver; returns its port. */
static int
s_start_receiver(bh_proc_t *proc, const char *out)
{
    char port_file[BH_PATH_MAX];
    snprintf(port_file, sizeof port_file, "%s/receiver.port", bh_workdir());
    unlink(port_file);
    char *argv[] = {PYTHON, RECEIVER, port_file, (char *) out, NULL};
    bh_spawn(proc, "receiver", argv, NULL);
    for (int i = 0; i < 200; i++) {
        FILE *file = fopen(port_file, "r");
        if (file) {
            int port = 0;
            int n = fscanf(file, "%d", &port);
            fclose(file);
            if (n == 1 && port > 0)
                return port;
        }
        bh_sleep_ms(50);
    }
    cr_assert_fail("the webhook receiver did not start (log %s)", proc->log_path);
    return 0;
}

typedef struct {
    char key_file[BH_PATH_MAX];                /* the vault master key (random per test) */
    char secret_file[BH_PATH_MAX];             /* the webhook HMAC key */
    char env_storage[10][BH_PATH_MAX + 64];    /* NAME=value entries */
    const char *env[12];                       /* sk_start_with()'s extra environment, NULL-terminated */
} s_env_t;

/* The services' extra environment: vault key, SMTP, webhook, fast retries. */
static void
s_env_with(s_env_t *env, int smtp_port, int webhook_port, const char *const *extra);

static void
s_env(s_env_t *env, int smtp_port, int webhook_port)
{
    s_env_with(env, smtp_port, webhook_port, NULL);
}

/* The same plus extra NAME=value entries (NULL-terminated, may be NULL). */
static void
s_env_with(s_env_t *env, int smtp_port, int webhook_port, const char *const *extra)
{
    memset(env, 0, sizeof *env);
    char key_hex[65];
    unsigned char key[32];
    randombytes_buf(key, sizeof key);
    sodium_bin2hex(key_hex, sizeof key_hex, key, sizeof key);
    char name[64];
    snprintf(name, sizeof name, "vault-%s.key", bh_unique());
    bh_write_file(name, key_hex, env->key_file, sizeof env->key_file);
    bh_write_file("webhook.secret", WEBHOOK_SECRET, env->secret_file, sizeof env->secret_file);
    size_t n = 0;
    snprintf(env->env_storage[n++], sizeof env->env_storage[0], "PACTA_VAULT_MASTER_KEY_FILE=%s", env->key_file);
    snprintf(env->env_storage[n++], sizeof env->env_storage[0], "PACTA_SMTP_URL=smtp://127.0.0.1:%d", smtp_port);
    snprintf(env->env_storage[n++], sizeof env->env_storage[0], "PACTA_SMTP_FROM=pacta@capconnect.example");
    snprintf(env->env_storage[n++], sizeof env->env_storage[0], "PACTA_DELIVERY_RETRY_INITIAL=200ms");
    snprintf(env->env_storage[n++], sizeof env->env_storage[0], "PACTA_DELIVERY_RETRY_MAX=1s");
    if (webhook_port > 0) {
        snprintf(env->env_storage[n++], sizeof env->env_storage[0], "PACTA_WEBHOOK_URL=http://127.0.0.1:%d/hook",
                 webhook_port);
        snprintf(env->env_storage[n++], sizeof env->env_storage[0], "PACTA_WEBHOOK_SECRET_FILE=%s",
                 env->secret_file);
    }
    for (size_t i = 0; extra && extra[i] && n < sizeof env->env_storage / sizeof env->env_storage[0]; i++)
        snprintf(env->env_storage[n++], sizeof env->env_storage[0], "%s", extra[i]);
    for (size_t i = 0; i < n; i++)
        env->env[i] = env->env_storage[i];
    env->env[n] = NULL;
}

/* The contract's delivery log (a new reference; an empty array when absent). */
static json_t *
s_notices(pacta_store_t *store, const char *contract)
{
    char key[256];
    snprintf(key, sizeof key, "pacta:capconnect:{c:%s}:notifications", contract);
    redisReply *reply = NULL;
    cr_assert_eq(pacta_store_command_strs(store, &reply, "HGET", key, "doc", NULL), 0);
    json_t *notices = json_array();
    if (reply->type == REDIS_REPLY_STRING) {
        json_t *doc = json_loadb(reply->str, reply->len, 0, NULL);
        cr_assert_not_null(doc);
        json_decref(notices);
        notices = json_incref(json_object_get(doc, "notices"));
        json_decref(doc);
    }
    freeReplyObject(reply);
    return notices;
}

static json_t *
s_find_notice(json_t *notices, const char *id)
{
    size_t index;
    json_t *notice;
    json_array_foreach(notices, index, notice)
        if (strcmp(json_string_value(json_object_get(notice, "notification_id")), id) == 0)
            return notice;
    cr_assert_fail("no notice %s in the delivery log", id);
    return NULL;
}

static size_t
s_count_channel(const json_t *notices, const char *channel, const char *status)
{
    size_t index, count = 0;
    json_t *notice;
    json_array_foreach(notices, index, notice) {
        if (strcmp(json_string_value(json_object_get(notice, "channel")), channel) != 0)
            continue;
        if (!status || strcmp(json_string_value(json_object_get(notice, "status")), status) == 0)
            count++;
    }
    return count;
}

/* Waits until every e-mail and webhook notice of the contract is delivered
   (at least `min_email` e-mails); fails with the log otherwise. */
static json_t *
s_wait_delivered(pacta_store_t *store, size_t min_email)
{
    int64_t deadline = bh_now_ms() + WAIT_MS;
    json_t *notices = NULL;
    while (bh_now_ms() < deadline) {
        json_decref(notices);
        notices = s_notices(store, CONTRACT);
        size_t email = s_count_channel(notices, "email", NULL), webhook = s_count_channel(notices, "webhook", NULL);
        if (email >= min_email && s_count_channel(notices, "email", "delivered") == email
            && s_count_channel(notices, "webhook", "delivered") == webhook)
            return notices;
        bh_sleep_ms(100);
    }
    char *text = json_dumps(notices, JSON_INDENT(1));
    cr_assert_fail("notices not all delivered in time:\n%s", text);
    return NULL;
}

typedef struct {
    char ids[128][160];                /* Message-IDs seen */
    size_t count;                      /* files in the Maildir */
    char *texts[128];                  /* each message (owned) */
} s_mailbox_t;

static void
s_mailbox_read(const char *dir, s_mailbox_t *box)
{
    memset(box, 0, sizeof *box);
    char path[BH_PATH_MAX];
    snprintf(path, sizeof path, "%s/new", dir);
    DIR *d = opendir(path);
    if (!d)
        return;
    struct dirent *entry;
    while ((entry = readdir(d)) && box->count < 128) {
        if (entry->d_name[0] == '.')
            continue;
        char file_path[BH_PATH_MAX * 2];
        snprintf(file_path, sizeof file_path, "%s/%s", path, entry->d_name);
        FILE *file = fopen(file_path, "rb");
        cr_assert_not_null(file);
        char *text = calloc(1, 65536);
        size_t len = fread(text, 1, 65535, file);
        text[len] = '\0';
        fclose(file);
        const char *id = strstr(text, "Message-ID: <");
        cr_assert_not_null(id, "every mail has a Message-ID:\n%s", text);
        id += strlen("Message-ID: <");
        size_t id_len = strcspn(id, ">");
        snprintf(box->ids[box->count], sizeof box->ids[0], "%.*s", (int) id_len, id);
        box->texts[box->count++] = text;
    }
    closedir(d);
}

static void
s_mailbox_free(s_mailbox_t *box)
{
    for (size_t i = 0; i < box->count; i++)
        free(box->texts[i]);
}

/* Every delivered e-mail notice arrived exactly once, and nothing else. */
static void
s_assert_exactly_once(const s_mailbox_t *box, const json_t *notices)
{
    for (size_t i = 0; i < box->count; i++)
        for (size_t j = i + 1; j < box->count; j++)
            cr_assert_str_neq(box->ids[i], box->ids[j], "message %s arrived twice", box->ids[i]);
    cr_assert_eq(box->count, s_count_channel(notices, "email", NULL), "one mail per e-mail notice (%zu mails)",
                 box->count);
    size_t index;
    json_t *notice;
    json_array_foreach(notices, index, notice) {
        if (strcmp(json_string_value(json_object_get(notice, "channel")), "email") != 0)
            continue;
        char expected[160];
        snprintf(expected, sizeof expected, "%s@pacta", json_string_value(json_object_get(notice, "notification_id")));
        bool found = false;
        for (size_t i = 0; i < box->count; i++)
            found = found || strcmp(box->ids[i], expected) == 0;
        cr_assert(found, "the mail of notice %s is in the mailbox", expected);
    }
}

/* The one mail whose text contains needle (fails unless exactly one). */
static const char *
s_mail_with(const s_mailbox_t *box, const char *needle)
{
    const char *hit = NULL;
    size_t hits = 0;
    for (size_t i = 0; i < box->count; i++)
        if (strstr(box->texts[i], needle)) {
            hit = box->texts[i];
            hits++;
        }
    cr_assert_eq(hits, 1, "exactly one mail contains \"%s\" (found %zu)", needle, hits);
    return hit;
}

static char *
s_replay(sk_stack_t *stack)
{
    char *out = NULL, *err = NULL;
    int rc = sk_ctl(stack, &out, &err, "replay", "--wait", "40", "--keep-going", SCENARIO, NULL);
    cr_assert_eq(rc, 0, "replay failed:\n%s%s", out, err);
    free(err);
    return out;
}

/* ---- 1. the example, in Dutch, by e-mail and signed webhooks; then replayed again ------------ */

Test(ntf_stack, example01_mails_in_dutch_and_signed_webhooks_and_nothing_twice)
{
    cr_assert_geq(sodium_init(), 0);
    sk_use_database(9);
    pacta_store_t *store = sk_store();
    sk_flush(store);
    char maildir[BH_PATH_MAX], hooks[BH_PATH_MAX];
    snprintf(maildir, sizeof maildir, "%s/maildir-1", bh_workdir());
    snprintf(hooks, sizeof hooks, "%s/hooks-1.jsonl", bh_workdir());
    bh_proc_t smtp, receiver;
    int smtp_port = s_free_port();
    s_start_smtp(&smtp, smtp_port, maildir);
    int webhook_port = s_start_receiver(&receiver, hooks);
    s_env_t env;
    s_env(&env, smtp_port, webhook_port);
    sk_stack_t stack;
    sk_start_with(&stack, 1, env.env);
    free(s_replay(&stack));

    json_t *notices = s_wait_delivered(store, 6);
    s_mailbox_t box;
    s_mailbox_read(maildir, &box);
    s_assert_exactly_once(&box, notices);
    for (size_t i = 0; i < box.count; i++) {
        cr_assert(strstr(box.texts[i], "Content-Language: nl"), "in the client's language:\n%s", box.texts[i]);
        cr_assert(strstr(box.texts[i], "Geachte mevrouw, geachte heer"), "%s", box.texts[i]);
        cr_assert(strstr(box.texts[i], "client-ntf01@example.be"), "addressed from the vault");
        cr_assert(strstr(box.texts[i], "ntf01-C-1"), "names the contract");
    }
    const char *suspend = s_mail_with(&box, "Subject: Opschorting van uw diensten");
    cr_assert(strstr(suspend, "opgeschort vanaf 9 februari 2025"), "%s", suspend);
    cr_assert(strstr(suspend, "CC-3b (capconnect"), "the rule is quoted:\n%s", suspend);
    const char *restore = s_mail_with(&box, "Subject: Herstel van uw diensten");
    cr_assert(strstr(restore, "hersteld op 19 februari 2025"), "%s", restore);
    const char *lost = s_mail_with(&box, "Subject: Periode van opschorting");
    cr_assert(strstr(lost, "van 9 februari 2025 tot 19 februari 2025"), "%s", lost);
    const char *invoice = s_mail_with(&box, "Subject: Uw factuur ntf01-F-2025-0042");
    cr_assert(strstr(invoice, "363,00 EUR"), "%s", invoice);
    cr_assert(strstr(invoice, "uiterlijk op 8 februari 2025"), "%s", invoice);
    const char *next = s_mail_with(&box, "Subject: Uw factuur ntf01-C-1-2025-03-01");
    cr_assert(strstr(next, "1 maart 2025"), "%s", next);

    /* webhooks: the signature verifies under an HMAC computed here, keys unique */
    FILE *file = fopen(hooks, "r");
    cr_assert_not_null(file, "the receiver got requests");
    char *line = NULL;
    size_t cap = 0, requests = 0;
    char keys[128][128];
    while (getline(&line, &cap, file) > 0) {
        json_t *record = json_loads(line, 0, NULL);
        cr_assert_not_null(record);
        json_t *headers = json_object_get(record, "headers");
        const char *body = json_string_value(json_object_get(record, "body"));
        const char *timestamp = json_string_value(json_object_get(headers, "x-pacta-timestamp"));
        const char *signature = json_string_value(json_object_get(headers, "x-pacta-signature"));
        const char *key = json_string_value(json_object_get(headers, "idempotency-key"));
        cr_assert(body && timestamp && signature && key, "%s", line);
        unsigned char mac[crypto_auth_hmacsha256_BYTES];
        /* HMAC-SHA256(secret, timestamp "." body), computed here with the key at its real length */
        crypto_auth_hmacsha256_state st;
        crypto_auth_hmacsha256_init(&st, (const unsigned char *) WEBHOOK_SECRET, strlen(WEBHOOK_SECRET));
        crypto_auth_hmacsha256_update(&st, (const unsigned char *) timestamp, strlen(timestamp));
        crypto_auth_hmacsha256_update(&st, (const unsigned char *) ".", 1);
        crypto_auth_hmacsha256_update(&st, (const unsigned char *) body, strlen(body));
        crypto_auth_hmacsha256_final(&st, mac);
        char expected[2 * sizeof mac + 8] = "sha256=";
        sodium_bin2hex(expected + 7, sizeof expected - 7, mac, sizeof mac);
        cr_assert_str_eq(signature, expected, "the signature verifies");
        json_t *payload = json_loads(body, 0, NULL);
        cr_assert_not_null(payload, "the body is JSON");
        cr_assert_str_eq(json_string_value(json_object_get(payload, "notification_id")), key,
                         "Idempotency-Key = notification id");
        cr_assert_null(strstr(body, "client-ntf01@example.be"), "no address in a webhook");
        json_decref(payload);
        cr_assert_lt(requests, 128);
        for (size_t i = 0; i < requests; i++)
            cr_assert_str_neq(keys[i], key, "Idempotency-Key %s used twice", key);
        snprintf(keys[requests++], sizeof keys[0], "%s", key);
        json_decref(record);
    }
    free(line);
    fclose(file);
    cr_assert_eq(requests, s_count_channel(notices, "webhook", NULL), "one request per webhook notice");
    cr_assert_eq(requests, box.count, "each decision: one e-mail and one webhook");

    /* 3. replay again with notifications restarted half-way: nothing is sent twice */
    size_t notice_count = json_array_size(notices);
    s_mailbox_free(&box);
    json_decref(notices);
    size_t ntf = sk_service_index("notifications");
    cr_assert_eq(bh_stop(&stack.procs[ntf][0], SIGTERM, 10000), 0);
    char *out = NULL, *err = NULL;
    sk_ctl(&stack, &out, &err, "replay", "--wait", "40", "--keep-going", SCENARIO, NULL);
    free(out);
    free(err);
    sk_start_instance(&stack, ntf, 0);
    free(s_replay(&stack));
    notices = s_wait_delivered(store, 6);
    cr_assert_eq(json_array_size(notices), notice_count, "no new notice for redelivered decisions");
    s_mailbox_read(maildir, &box);
    s_assert_exactly_once(&box, notices);
    s_mailbox_free(&box);
    json_decref(notices);

    sk_stop(&stack);
    bh_stop(&smtp, SIGTERM, 5000);
    bh_stop(&receiver, SIGTERM, 5000);
    pacta_store_destroy(&store);
}

/* ---- 2. SMTP down for a while, then up ------------------------------------------------------ */

Test(ntf_stack, smtp_down_then_up_delivers_each_mail_exactly_once)
{
    cr_assert_geq(sodium_init(), 0);
    sk_use_database(10);
    pacta_store_t *store = sk_store();
    sk_flush(store);
    char maildir[BH_PATH_MAX];
    snprintf(maildir, sizeof maildir, "%s/maildir-2", bh_workdir());
    int smtp_port = s_free_port();   /* nothing listens there yet */
    s_env_t env;
    s_env(&env, smtp_port, 0);
    sk_stack_t stack;
    sk_start_with(&stack, 1, env.env);
    free(s_replay(&stack));

    /* every e-mail notice has failed at least once while the server is down */
    int64_t deadline = bh_now_ms() + WAIT_MS;
    json_t *notices = NULL;
    bool all_failed = false;
    while (!all_failed && bh_now_ms() < deadline) {
        json_decref(notices);
        notices = s_notices(store, CONTRACT);
        size_t email = s_count_channel(notices, "email", NULL);
        all_failed = email >= 6 && s_count_channel(notices, "email", "retrying") == email;
        if (!all_failed)
            bh_sleep_ms(100);
    }
    char *text = json_dumps(notices, JSON_INDENT(1));
    cr_assert(all_failed, "every e-mail notice is retrying while SMTP is down:\n%s", text);
    free(text);
    json_decref(notices);

    bh_proc_t smtp;
    s_start_smtp(&smtp, smtp_port, maildir);
    notices = s_wait_delivered(store, 6);
    s_mailbox_t box;
    s_mailbox_read(maildir, &box);
    s_assert_exactly_once(&box, notices);
    s_mailbox_free(&box);

    /* the delivery log shows the failed attempts, then the delivery */
    size_t index;
    json_t *notice;
    json_array_foreach(notices, index, notice) {
        json_t *attempts = json_object_get(notice, "attempts");
        size_t n = json_array_size(attempts);
        cr_assert_geq(n, 2, "failed attempts are kept");
        cr_assert_str_eq(json_string_value(json_object_get(json_array_get(attempts, 0), "outcome")), "failed");
        cr_assert_str_eq(json_string_value(json_object_get(json_array_get(attempts, n - 1), "outcome")), "delivered");
        cr_assert(strstr(json_string_value(json_object_get(json_array_get(attempts, 0), "reply")), "smtp"),
                  "the failure says why");
    }
    /* pactactl notifications shows every attempt */
    char *out = NULL, *err = NULL;
    int rc = sk_ctl(&stack, &out, &err, "notifications", "--tenant", "capconnect", CONTRACT, NULL);
    cr_assert_eq(rc, 0, "%s%s", out, err);
    cr_assert(strstr(out, "delivery log of c:" CONTRACT), "%s", out);
    cr_assert(strstr(out, " failed: smtp") && strstr(out, " delivered: smtp 250"), "%s", out);
    free(out);
    free(err);
    /* nothing in the log names the address */
    char *log = sk_snapshot(store, "pacta:capconnect:{c:*", false);
    cr_assert_null(strstr(log, "client-ntf01@example.be"), "no address in the contract's keys");
    free(log);
    json_decref(notices);
    sk_stop(&stack);
    bh_stop(&smtp, SIGTERM, 5000);
    pacta_store_destroy(&store);
}

/* ---- 3. a registered letter ------------------------------------------------------------------ */

Test(ntf_stack, registered_letter_waits_for_its_posting_date)
{
    sk_use_database(9);
    pacta_store_t *store = sk_store();
    sk_flush(store);
    s_env_t env;
    s_env(&env, s_free_port(), 0);
    sk_stack_t stack;
    sk_start_with(&stack, 1, env.env);
    char path[BH_PATH_MAX];
    bh_write_file("letter.jsonl",
                  "{\"tenant\": \"capconnect\", \"clock\": \"set\", \"to\": \"2025-02-01\"}\n"
                  "{\"type\": \"ContractSigned\", \"tenant\": \"capconnect\", \"id\": \"ntf03-sign\", \"event\": "
                  "{\"contract_id\": \"ntf03-C-1\", \"client\": {\"client_id\": \"K-3\", \"subject_id\": \"ntf03-S-1\", "
                  "\"kind\": \"professional\", \"language\": \"fr\"}, \"contract_kind\": \"subscription_pack\", "
                  "\"pack_code\": \"start\", \"billing_period\": \"monthly\", \"recurring_fee\": \"300.00\", "
                  "\"items\": [{\"item_id\": \"pack\", \"code\": \"start\", \"description\": \"Pack Start\", "
                  "\"amount\": \"300.00\"}], \"signed_on\": \"2025-02-01\", \"channel\": \"order_form\"}}\n"
                  "{\"type\": \"NotificationRequested\", \"tenant\": \"capconnect\", \"id\": \"ntf03-letter\", "
                  "\"producer\": \"pactactl\", \"event\": {\"notification_id\": \"ntf03-L-1\", \"contract_id\": "
                  "\"ntf03-C-1\", \"subject_id\": \"ntf03-S-1\", \"template_id\": \"operator-message\", \"channel\": "
                  "\"registered_letter\", \"parameters\": [{\"name\": \"text\", \"text\": \"Mise en demeure.\"}]}}\n",
                  path, sizeof path);
    char *out = NULL, *err = NULL;
    int rc = sk_ctl(&stack, &out, &err, "replay", "--wait", "40", path, NULL);
    cr_assert_eq(rc, 0, "%s%s", out, err);
    free(out);
    free(err);
    json_t *notices = s_notices(store, "ntf03-C-1");
    json_t *notice = s_find_notice(notices, "ntf03-L-1");
    cr_assert_str_eq(json_string_value(json_object_get(notice, "status")), "awaiting_posting");
    cr_assert_str_eq(json_string_value(json_object_get(notice, "channel")), "registered_letter");
    json_t *letter = json_object_get(notice, "letter");
    cr_assert(strstr(json_string_value(json_object_get(letter, "body")), "Mise en demeure."));
    cr_assert(strstr(json_string_value(json_object_get(letter, "body")), "Madame, Monsieur"), "in French");
    cr_assert(json_is_true(json_object_get(letter, "registered")));
    json_decref(notices);
    /* LetterReady went through the bus (consumed, without a handler, by notifications itself
       while no print-room class subscribes) */
    char port[16];
    size_t ntf = sk_service_index("notifications");
    cr_assert(bh_log_value(&stack.procs[ntf][0], "http endpoint listening", "port", port, sizeof port));
    double ready = 0;
    for (int i = 0; i < 100 && ready < 1; i++) {
        ready = bh_metric((int) strtol(port, NULL, 10),
                          "pacta_messages_ignored_total{service=\"notifications\",type=\"pacta.v1.LetterReady\"}");
        if (ready < 1)
            bh_sleep_ms(100);
    }
    cr_assert_eq(ready, 1, "one LetterReady was announced");
    /* pactactl letters list shows it waiting */
    rc = sk_ctl(&stack, &out, &err, "letters", "list", "--tenant", "capconnect", NULL);
    cr_assert_eq(rc, 0, "%s%s", out, err);
    cr_assert(strstr(out, "ntf03-L-1") && strstr(out, "awaiting_posting"), "%s", out);
    free(out);
    free(err);

    bh_write_file("posted.json",
                  "{\"type\": \"LetterPostingConfirmed\", \"tenant\": \"capconnect\", \"id\": \"ntf03-posted\", "
                  "\"producer\": \"back-office\", \"event\": {\"letter_id\": \"ntf03-L-1\", \"notification_id\": "
                  "\"ntf03-L-1\", \"contract_id\": \"ntf03-C-1\", \"posted_on\": \"2025-02-03\", "
                  "\"registered_number\": \"RR123456789BE\", \"postage\": \"9.50\"}}\n",
                  path, sizeof path);
    rc = sk_ctl(&stack, &out, &err, "send", "--wait", "20", path, NULL);
    cr_assert_eq(rc, 0, "%s%s", out, err);
    free(out);
    free(err);
    notices = s_notices(store, "ntf03-C-1");
    notice = s_find_notice(notices, "ntf03-L-1");
    cr_assert_str_eq(json_string_value(json_object_get(notice, "status")), "posted");
    cr_assert_str_eq(json_string_value(json_object_get(notice, "posted_on")), "2025-02-03");
    json_t *attempt = json_array_get(json_object_get(notice, "attempts"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(attempt, "registered_number")), "RR123456789BE");
    json_decref(notices);
    sk_stop(&stack);
    pacta_store_destroy(&store);
}

/* ---- a missing template refuses the start, naming the file ----------------------------------- */

Test(ntf_stack, a_missing_template_refuses_the_start)
{
    char redis_url[600], command[4096];
    sk_use_database(9);
    sk_redis_url(redis_url, sizeof redis_url);
    snprintf(command, sizeof command,
             "env -i PATH=/usr/bin:/bin PACTA_PROFILE_DIR='%s/deploy/profiles' PACTA_TEMPLATE_DIR='%s/nowhere' "
             "PACTA_HTTP_ADDR=127.0.0.1:0 PACTA_REDIS_URL='%s' PACTA_REDIS_START_TIMEOUT=5s "
             "'%s/services/notifications/pacta-notifications' 2>&1",
             PACTA_SOURCE_DIR, bh_workdir(), redis_url, PACTA_BINARY_DIR);
    FILE *child = popen(command, "r");
    cr_assert_not_null(child);
    char output[16384];
    size_t len = fread(output, 1, sizeof output - 1, child);
    output[len] = '\0';
    int status = pclose(child);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 1, "exit 1 expected:\n%s", output);
    cr_assert(strstr(output, "refusing to start: a notice template is missing or malformed"), "%s", output);
    cr_assert(strstr(output, "nowhere/fr/") && strstr(output, ".txt:0: cannot open"), "names the file:\n%s", output);
}

/* ---- 5. a notice that keeps failing is dead-lettered, and the operator is told -------------- */

Test(ntf_stack, a_notice_failing_too_long_is_dead_lettered_with_an_operator_alert)
{
    sk_use_database(10);
    pacta_store_t *store = sk_store();
    sk_flush(store);
    char maildir[BH_PATH_MAX];
    snprintf(maildir, sizeof maildir, "%s/maildir-5", bh_workdir());
    bh_proc_t smtp;
    int smtp_port = s_free_port();
    s_start_smtp(&smtp, smtp_port, maildir);
    s_env_t env;
    /* the webhook endpoint never answers (nothing listens); notices are given up after 600 ms */
    static const char *const extra[] = {"PACTA_OPERATOR_EMAIL=ops@capconnect.example",
                                        "PACTA_DELIVERY_MAX_AGE=600ms", NULL};
    s_env_with(&env, smtp_port, s_free_port(), extra);
    sk_stack_t stack;
    sk_start_with(&stack, 1, env.env);
    char path[BH_PATH_MAX];
    bh_write_file("signed.jsonl",
                  "{\"tenant\": \"capconnect\", \"clock\": \"set\", \"to\": \"2025-02-01\"}\n"
                  "{\"type\": \"ContractSigned\", \"tenant\": \"capconnect\", \"id\": \"ntf05-sign\", \"event\": "
                  "{\"contract_id\": \"ntf05-C-1\", \"client\": {\"client_id\": \"K-5\", \"subject_id\": \"ntf05-S-1\", "
                  "\"kind\": \"professional\", \"language\": \"en\"}, \"contract_kind\": \"subscription_pack\", "
                  "\"pack_code\": \"start\", \"billing_period\": \"monthly\", \"recurring_fee\": \"300.00\", "
                  "\"items\": [{\"item_id\": \"pack\", \"code\": \"start\", \"description\": \"Pack Start\", "
                  "\"amount\": \"300.00\"}], \"signed_on\": \"2025-02-01\", \"channel\": \"order_form\"}}\n",
                  path, sizeof path);
    char *out = NULL, *err = NULL;
    int rc = sk_ctl(&stack, &out, &err, "replay", "--wait", "40", path, NULL);
    cr_assert_eq(rc, 0, "%s%s", out, err);
    free(out);
    free(err);
    int64_t deadline = bh_now_ms() + WAIT_MS;
    json_t *notices = NULL;
    while (bh_now_ms() < deadline) {
        json_decref(notices);
        notices = s_notices(store, "ntf05-C-1");
        if (s_count_channel(notices, "webhook", NULL) > 0
            && s_count_channel(notices, "webhook", "dead_lettered") == s_count_channel(notices, "webhook", NULL))
            break;
        bh_sleep_ms(100);
    }
    char *text = json_dumps(notices, JSON_INDENT(1));
    cr_assert_gt(s_count_channel(notices, "webhook", "dead_lettered"), 0, "the webhook notice is given up:\n%s", text);
    free(text);
    json_t *notice = NULL;
    size_t index;
    json_t *item;
    json_array_foreach(notices, index, item)
        if (strcmp(json_string_value(json_object_get(item, "channel")), "webhook") == 0)
            notice = item;
    const char *id = json_string_value(json_object_get(notice, "notification_id"));
    cr_assert_geq(json_array_size(json_object_get(notice, "attempts")), 2, "retried before being given up");
    /* the operator's alert e-mail names the notice, and an error line was logged */
    size_t ntf = sk_service_index("notifications");
    cr_assert(bh_wait_log(&stack.procs[ntf][0], "notice dead-lettered: operator action needed", 10000));
    char expected[200];
    snprintf(expected, sizeof expected, "Message-ID: <%s-alert@pacta>", id);
    s_mailbox_t box;
    bool alerted = false;
    for (int i = 0; i < 100 && !alerted; i++) {
        s_mailbox_read(maildir, &box);
        for (size_t m = 0; m < box.count; m++)
            alerted = alerted || (strstr(box.texts[m], expected) && strstr(box.texts[m], "To: ops@capconnect.example"));
        s_mailbox_free(&box);
        if (!alerted)
            bh_sleep_ms(100);
    }
    cr_assert(alerted, "the operator got an alert for %s", id);
    /* the metric counts it */
    char port[16];
    cr_assert(bh_log_value(&stack.procs[ntf][0], "http endpoint listening", "port", port, sizeof port));
    cr_assert_geq(bh_metric((int) strtol(port, NULL, 10), "pacta_notifications_dead_lettered_total{channel=\"webhook\"}"),
                  1);
    json_decref(notices);
    sk_stop(&stack);
    bh_stop(&smtp, SIGTERM, 5000);
    pacta_store_destroy(&store);
}
