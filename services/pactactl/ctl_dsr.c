/*  =========================================================================
    ctl_dsr - pactactl's data-subject request and retention commands
    (see ctl_dsr.h for the synopsis)

    Design decision: requests are opened as events through the bus, like
    any outside fact (gdpr-retention serves them); pactactl itself reads
    only what gdpr-retention wrote, and the one read of personal data it
    makes -- `dsr export`, which needs the master key file -- is logged in
    the subject's audit stream before the export is written out. `dsr
    show` and `retention show` print states and dates, never a value.
    =========================================================================
*/
#include "ctl_dsr.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl_event.h"
#include "pacta_clock.h"
#include "pacta_vault.h"

#define ARGS_MAX 64                 /* words after "dsr <verb>" */
#define SET_MAX 32                  /* --set corrections */

typedef struct {
    const char *tenant;             /* --tenant */
    const char *subject;            /* --subject */
    const char *right;              /* --right */
    const char *request_id;         /* --request-id / --request */
    const char *received_on;        /* --received-on */
    const char *categories;         /* --categories C,C */
    const char *purpose;            /* --purpose */
    const char *wait;               /* --wait SECONDS */
    const char *contract;           /* --contract */
    const char *key_file;           /* --vault-master-key-file */
    const char *output;             /* -o / --output */
    const char *sets[SET_MAX];      /* --set CATEGORY.NAME=VALUE */
    size_t set_count;               /* entries in sets */
    bool json;                      /* --json */
    bool help;                      /* --help */
} dsr_args_t;

static const char s_dsr_help[] =
    "Usage:\n"
    "  pactactl dsr open    --tenant T --subject S --right R [--request-id ID] [--received-on DATE]\n"
    "                       [--categories C,C] [--purpose P] [--wait SECONDS]\n"
    "      R: access, portability, rectification, erasure, restriction, objection, consent_withdrawal\n"
    "  pactactl dsr erase   --tenant T --subject S [--categories C,C] [--request-id ID] [--received-on DATE]\n"
    "  pactactl dsr rectify --tenant T --subject S --set CATEGORY.NAME=VALUE [--set ...] [--request-id ID]\n"
    "      C, CATEGORY: identity, contact, banking, content, accounting\n"
    "  pactactl dsr show    --tenant T --subject S [--json]\n"
    "      the subject's requests (deadline, state, outcome) and the state of each data category\n"
    "  pactactl dsr export  --tenant T --subject S --request ID --vault-master-key-file FILE [-o FILE]\n"
    "      decrypts an access/portability export to standard output or FILE; the read is audited\n"
    "Requests are sent to the bus (gdpr-retention answers them at once, within the L-4 deadline).\n";

static const char s_retention_help[] =
    "Usage:\n"
    "  pactactl retention show --tenant T (--contract C | --subject S) [--json]\n"
    "      a contract's retention schedule (CC-12, SG-11, L-5), or a subject's categories and contracts\n";

/* Parses "--flag VALUE" / "--flag=VALUE" words. CTL_EXIT_OK or a usage error
   naming the bad argument. */
static int
s_parse(ctl_t *ctl, const char *what, int argc, char **argv, const char *const *allowed, dsr_args_t *args)
{
    memset(args, 0, sizeof *args);
    for (int i = 0; i < argc; i++) {
        const char *word = argv[i];
        if (strcmp(word, "--help") == 0 || strcmp(word, "-h") == 0) {
            args->help = true;
            continue;
        }
        if (strcmp(word, "--json") == 0) {
            args->json = true;
            continue;
        }
        if (strcmp(word, "-o") == 0)
            word = "--output";
        if (strncmp(word, "--", 2) != 0) {
            fprintf(ctl->err, "pactactl: %s: unexpected argument '%s' (see pactactl %s --help)\n", what, word, what);
            return CTL_EXIT_USAGE;
        }
        const char *equals = strchr(word, '=');
        size_t name_len = equals ? (size_t) (equals - word) : strlen(word);
        bool known = false;
        for (size_t k = 0; allowed[k]; k++)
            known = known || (strlen(allowed[k]) == name_len && strncmp(allowed[k], word, name_len) == 0);
        if (!known) {
            fprintf(ctl->err, "pactactl: %s: unknown option '%.*s' (see pactactl %s --help)\n", what, (int) name_len,
                    word, what);
            return CTL_EXIT_USAGE;
        }
        const char *value = equals ? equals + 1 : (i + 1 < argc ? argv[++i] : NULL);
        if (!value || !*value) {
            fprintf(ctl->err, "pactactl: %s: %.*s needs a value\n", what, (int) name_len, word);
            return CTL_EXIT_USAGE;
        }
#define S_IS(flag) (strlen(flag) == name_len && strncmp(word, flag, name_len) == 0)
        if (S_IS("--tenant"))
            args->tenant = value;
        else if (S_IS("--subject"))
            args->subject = value;
        else if (S_IS("--right"))
            args->right = value;
        else if (S_IS("--request-id") || S_IS("--request"))
            args->request_id = value;
        else if (S_IS("--received-on"))
            args->received_on = value;
        else if (S_IS("--categories"))
            args->categories = value;
        else if (S_IS("--purpose"))
            args->purpose = value;
        else if (S_IS("--wait"))
            args->wait = value;
        else if (S_IS("--contract"))
            args->contract = value;
        else if (S_IS("--vault-master-key-file"))
            args->key_file = value;
        else if (S_IS("--output"))
            args->output = value;
        else if (S_IS("--set")) {
            if (args->set_count >= SET_MAX) {
                fprintf(ctl->err, "pactactl: %s: at most %d --set\n", what, SET_MAX);
                return CTL_EXIT_USAGE;
            }
            args->sets[args->set_count++] = value;
        }
#undef S_IS
    }
    return CTL_EXIT_OK;
}

static int
s_require(ctl_t *ctl, const char *what, const char *flag, const char *value)
{
    if (value && *value)
        return CTL_EXIT_OK;
    fprintf(ctl->err, "pactactl: %s: %s is required (see pactactl %s --help)\n", what, flag, what);
    return CTL_EXIT_USAGE;
}

/* ---- open / erase / rectify ---------------------------------------------------------- */

static const char *const s_rights[] = {"access",      "portability", "rectification",      "erasure",
                                       "restriction", "objection",   "consent_withdrawal", NULL};

static int
s_send_request(ctl_t *ctl, const char *what, const dsr_args_t *args, const char *right)
{
    int rc = CTL_EXIT_USAGE;
    json_t *object = NULL;
    ctl_event_t *event = NULL;
    pacta_bus_producer_t *producer = NULL;
    if ((rc = s_require(ctl, what, "--tenant", args->tenant)) || (rc = s_require(ctl, what, "--subject", args->subject)))
        return rc;
    bool known = false;
    for (size_t i = 0; s_rights[i]; i++)
        known = known || strcmp(s_rights[i], right) == 0;
    if (!known) {
        fprintf(ctl->err, "pactactl: %s: --right '%s' is not one of access, portability, rectification, erasure, "
                          "restriction, objection, consent_withdrawal\n", what, right);
        return CTL_EXIT_USAGE;
    }
    char today[16], request_id[96];
    time_t now = time(NULL);
    struct tm tm_now;
    gmtime_r(&now, &tm_now);
    strftime(today, sizeof today, "%Y-%m-%d", &tm_now);
    if (!args->received_on) {
        //  Received "today" on the tenant's clock (its test clock when one is set).
        pacta_store_t *store = ctl_store_open(ctl);
        pacta_clock_t *clock = store ? pacta_clock_new(PACTA_CLOCK_TEST, store) : NULL;
        pacta_date_t day;
        if (clock && pacta_clock_today(clock, args->tenant, &day) == 0)
            pacta_date_format(day, today, sizeof today);
        pacta_clock_destroy(&clock);
        pacta_store_destroy(&store);
    }
    const char *received = args->received_on ? args->received_on : today;
    pacta_date_t parsed;
    if (pacta_date_parse(received, strlen(received), &parsed) != 0) {
        fprintf(ctl->err, "pactactl: %s: --received-on '%s' is not a date (expected YYYY-MM-DD)\n", what, received);
        return CTL_EXIT_USAGE;
    }
    if (args->request_id)
        snprintf(request_id, sizeof request_id, "%s", args->request_id);
    else
        snprintf(request_id, sizeof request_id, "DSR-%s-%lld", right, (long long) now);

    object = json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:s, s:s, s:s}}", "type", "DataSubjectRequestOpened", "tenant",
                       args->tenant, "id", request_id, "producer", "pactactl", "event", "request_id", request_id,
                       "subject_id", args->subject, "right", right, "received_on", received);
    if (!object) {
        rc = CTL_EXIT_FAILED;
        goto cleanup;
    }
    json_t *event_obj = json_object_get(object, "event");
    json_object_set_new(event_obj, "channel", json_string("email"));
    if (args->purpose)
        json_object_set_new(event_obj, "purpose", json_string(args->purpose));
    if (args->categories) {
        json_t *list = json_array();
        char copy[256];
        snprintf(copy, sizeof copy, "%s", args->categories);
        for (char *cursor = copy; cursor && *cursor;) {
            char *comma = strchr(cursor, ',');
            if (comma)
                *comma = '\0';
            if (!pacta_vault_category_from_name(cursor)) {
                fprintf(ctl->err, "pactactl: %s: --categories: '%s' is not one of identity, contact, banking, "
                                  "content, accounting\n", what, cursor);
                json_decref(list);
                rc = CTL_EXIT_USAGE;
                goto cleanup;
            }
            json_array_append_new(list, json_string(cursor));
            cursor = comma ? comma + 1 : NULL;
        }
        json_object_set_new(event_obj, "categories", list);
    }
    if (args->set_count > 0) {
        json_t *corrections = json_array();
        json_object_set_new(event_obj, "corrections", corrections);
        for (size_t i = 0; i < args->set_count; i++) {
            const char *dot = strchr(args->sets[i], '.');
            const char *eq = dot ? strchr(dot, '=') : NULL;
            char category[32];
            if (!dot || !eq || eq == dot + 1 || (size_t) (dot - args->sets[i]) >= sizeof category) {
                fprintf(ctl->err, "pactactl: %s: --set '%.*s...': expected CATEGORY.NAME=VALUE\n", what,
                        (int) (dot ? dot - args->sets[i] : 0), args->sets[i]);
                rc = CTL_EXIT_USAGE;
                goto cleanup;
            }
            snprintf(category, sizeof category, "%.*s", (int) (dot - args->sets[i]), args->sets[i]);
            if (!pacta_vault_category_from_name(category)) {
                fprintf(ctl->err, "pactactl: %s: --set: '%s' is not a data category\n", what, category);
                rc = CTL_EXIT_USAGE;
                goto cleanup;
            }
            json_t *one = json_pack("{s:s, s:s#, s:s}", "category", category, "name", dot + 1, (int) (eq - dot - 1),
                                    "value", eq + 1);
            json_array_append_new(corrections, one);
        }
    }
    char err[CTL_ERR_SIZE];
    event = ctl_event_from_json(object, args->tenant, err, sizeof err);
    if (!event) {
        fprintf(ctl->err, "pactactl: %s: %s; nothing sent\n", what, err);
        rc = CTL_EXIT_USAGE;
        goto cleanup;
    }
    int64_t wait_seconds = 10;
    if (args->wait && (ctl_parse_count(args->wait, 3600, &wait_seconds) != 0 || wait_seconds == 0)) {
        fprintf(ctl->err, "pactactl: %s: --wait '%s' is not a number of seconds (1 to 3600)\n", what, args->wait);
        rc = CTL_EXIT_USAGE;
        goto cleanup;
    }
    rc = CTL_EXIT_FAILED;
    producer = ctl_producer_open(ctl);
    if (!producer)
        goto cleanup;
    pacta_bus_reply_t reply;
    int attempts = (int) (wait_seconds / 2 > 0 ? wait_seconds / 2 : 1);
    int got = pacta_bus_producer_request(producer, ctl_event_envelope(event), 2000, attempts, &reply);
    if (got != 0) {
        fprintf(ctl->err, "pactactl: %s: no answer from the bus within %lld s; send it again with --request-id %s\n",
                what, (long long) wait_seconds, request_id);
        goto cleanup;
    }
    if (!reply.ack) {
        fprintf(ctl->out, "NACK request %s: %s\n", request_id, reply.detail);
        goto cleanup;
    }
    fprintf(ctl->out, "ACK request %s (%s) for subject %s; see: pactactl dsr show --tenant %s --subject %s\n",
            request_id, right, args->subject, args->tenant, args->subject);
    rc = CTL_EXIT_OK;
cleanup:
    pacta_bus_producer_destroy(&producer);
    ctl_event_destroy(&event);
    json_decref(object);
    return rc;
}

/* ---- show / export ------------------------------------------------------------------ */

static json_t *
s_doc(pacta_store_t *store, const char *key)
{
    redisReply *reply = NULL;
    json_t *doc = NULL;
    if (pacta_store_command_strs(store, &reply, "HGET", key, "doc", NULL) == 0) {
        if (reply->type == REDIS_REPLY_STRING)
            doc = json_loadb(reply->str, reply->len, 0, NULL);
        freeReplyObject(reply);
    }
    return doc;
}

static void
s_subject_key(const dsr_args_t *args, const char *suffix, char *buf, size_t size)
{
    snprintf(buf, size, "pacta:%s:{s:%s}:%s", args->tenant, args->subject, suffix);
}

/* The subject's view without values: requests and category states. */
static json_t *
s_subject_view(pacta_store_t *store, const dsr_args_t *args)
{
    char key[600];
    s_subject_key(args, "vault", key, sizeof key);
    json_t *vault = s_doc(store, key);
    s_subject_key(args, "requests", key, sizeof key);
    json_t *requests = s_doc(store, key);
    json_t *view = json_pack("{s:s, s:s}", "tenant", args->tenant, "subject_id", args->subject);
    json_t *categories = json_object();
    const char *name;
    json_t *entry;
    json_object_foreach(json_object_get(vault, "categories"), name, entry) {
        json_t *one = json_object();
        json_object_set(one, "state", json_object_get(entry, "state"));
        if (json_object_get(entry, "archive_until"))
            json_object_set(one, "archive_until", json_object_get(entry, "archive_until"));
        json_object_set_new(categories, name, one);
    }
    json_object_set_new(view, "categories", categories);
    json_object_set_new(view, "key_destroyed", json_boolean(json_is_true(json_object_get(vault, "key_destroyed"))));
    json_object_set_new(view, "restricted", json_boolean(json_is_true(json_object_get(vault, "restricted"))));
    json_t *list = json_object();
    json_object_foreach(requests, name, entry) {
        json_t *copy = json_deep_copy(entry);
        json_object_del(copy, "export");         /* sealed bytes: `dsr export` opens them */
        json_object_del(copy, "export_plain");
        json_object_set_new(list, name, copy);
    }
    json_object_set_new(view, "requests", list);
    s_subject_key(args, "contracts", key, sizeof key);
    redisReply *reply = NULL;
    json_t *contracts = json_object();
    if (pacta_store_command_strs(store, &reply, "HGETALL", key, NULL) == 0) {
        for (size_t i = 0; reply->type == REDIS_REPLY_ARRAY && i + 1 < reply->elements; i += 2) {
            json_t *value = json_loads(reply->element[i + 1]->str, 0, NULL);
            json_object_set_new(contracts, reply->element[i]->str, value ? value : json_object());
        }
        freeReplyObject(reply);
    }
    json_object_set_new(view, "contracts", contracts);
    json_decref(vault);
    json_decref(requests);
    return view;
}

static void
s_print_subject(FILE *out, const json_t *view)
{
    fprintf(out, "subject %s (tenant %s)%s%s\n", json_string_value(json_object_get(view, "subject_id")),
            json_string_value(json_object_get(view, "tenant")),
            json_is_true(json_object_get(view, "key_destroyed")) ? ", key destroyed" : "",
            json_is_true(json_object_get(view, "restricted")) ? ", restricted" : "");
    const char *name;
    json_t *entry;
    fprintf(out, "categories:\n");
    json_object_foreach(json_object_get(view, "categories"), name, entry) {
        const char *until = json_string_value(json_object_get(entry, "archive_until"));
        fprintf(out, "  %-10s %s%s%s\n", name, json_string_value(json_object_get(entry, "state")),
                until ? " until " : "", until ? until : "");
    }
    fprintf(out, "contracts:\n");
    json_object_foreach(json_object_get(view, "contracts"), name, entry) {
        const char *ended = json_string_value(json_object_get(entry, "ended_on"));
        fprintf(out, "  %s %s%s\n", name, ended ? "ended " : "running", ended ? ended : "");
    }
    fprintf(out, "requests:\n");
    json_object_foreach(json_object_get(view, "requests"), name, entry) {
        const char *answered = json_string_value(json_object_get(entry, "answered_on"));
        fprintf(out, "  %s %s received %s deadline %s %s%s%s%s\n", name,
                json_string_value(json_object_get(entry, "right")),
                json_string_value(json_object_get(entry, "received_on")),
                json_string_value(json_object_get(entry, "deadline")),
                json_string_value(json_object_get(entry, "state")), answered ? " on " : "", answered ? answered : "",
                json_object_get(entry, "export_ref") ? " (export: pactactl dsr export)" : "");
    }
}

static int
s_show(ctl_t *ctl, const dsr_args_t *args)
{
    int rc;
    if ((rc = s_require(ctl, "dsr show", "--tenant", args->tenant))
        || (rc = s_require(ctl, "dsr show", "--subject", args->subject)))
        return rc;
    pacta_store_t *store = ctl_store_open(ctl);
    if (!store)
        return CTL_EXIT_FAILED;
    json_t *view = s_subject_view(store, args);
    if (args->json) {
        char *text = json_dumps(view, JSON_INDENT(2) | JSON_SORT_KEYS);
        fprintf(ctl->out, "%s\n", text ? text : "{}");
        free(text);
    } else
        s_print_subject(ctl->out, view);
    json_decref(view);
    pacta_store_destroy(&store);
    return CTL_EXIT_OK;
}

static int
s_export(ctl_t *ctl, const dsr_args_t *args)
{
    int rc;
    const char *what = "dsr export";
    if ((rc = s_require(ctl, what, "--tenant", args->tenant)) || (rc = s_require(ctl, what, "--subject", args->subject))
        || (rc = s_require(ctl, what, "--request", args->request_id))
        || (rc = s_require(ctl, what, "--vault-master-key-file", args->key_file)))
        return rc;
    char err[CTL_ERR_SIZE];
    pacta_vault_t *vault = pacta_vault_new(args->key_file, err, sizeof err);
    if (!vault) {
        fprintf(ctl->err, "pactactl: %s: --vault-master-key-file: %s\n", what, err);
        return CTL_EXIT_USAGE;
    }
    rc = CTL_EXIT_FAILED;
    json_t *doc = NULL, *requests = NULL;
    char *plain = NULL;
    size_t len = 0;
    FILE *file = NULL;
    pacta_store_t *store = ctl_store_open(ctl);
    if (!store)
        goto cleanup;
    char key[600];
    s_subject_key(args, "requests", key, sizeof key);
    requests = s_doc(store, key);
    json_t *item = json_object_get(requests, args->request_id);
    const char *sealed = json_string_value(json_object_get(item, "export"));
    const char *unsealed = json_string_value(json_object_get(item, "export_plain"));
    if (!item) {
        fprintf(ctl->err, "pactactl: %s: --request %s: no such request of subject %s\n", what, args->request_id,
                args->subject);
        goto cleanup;
    }
    if (!sealed && !unsealed) {
        fprintf(ctl->err, "pactactl: %s: --request %s: a %s request has no export\n", what, args->request_id,
                json_string_value(json_object_get(item, "right")));
        goto cleanup;
    }
    if (sealed) {
        s_subject_key(args, "vault", key, sizeof key);
        doc = s_doc(store, key);
        char label[160];
        snprintf(label, sizeof label, "export/%s", args->request_id);
        pacta_vault_status_t status = pacta_vault_doc_open(vault, doc, args->tenant, args->subject, label, sealed,
                                                           &plain, &len, err, sizeof err);
        if (status != PACTA_VAULT_FOUND) {
            fprintf(ctl->err, "pactactl: %s: the export cannot be opened (%s): %s\n", what,
                    pacta_vault_status_name(status), err);
            goto cleanup;
        }
    } else {
        plain = strdup(unsealed);
        len = plain ? strlen(plain) : 0;
        if (!plain)
            goto cleanup;
    }
    char who[128], summary[200];
    snprintf(who, sizeof who, "pactactl:%s", ctl_operator(ctl));
    snprintf(summary, sizeof summary, "export of request %s read by the operator", args->request_id);
    if (pacta_vault_audit_access(store, args->tenant, args->subject, who, "dsr-export", "export", "exported", summary)
        != 0) {
        fprintf(ctl->err, "pactactl: %s: the read cannot be logged in the audit stream (%s): nothing written\n", what,
                pacta_store_error(store));
        goto cleanup;
    }
    file = args->output ? fopen(args->output, "w") : ctl->out;
    if (!file) {
        fprintf(ctl->err, "pactactl: %s: -o %s: %s\n", what, args->output, strerror(errno));
        goto cleanup;
    }
    json_t *parsed = json_loadb(plain, len, 0, NULL);
    char *pretty = parsed ? json_dumps(parsed, JSON_INDENT(2) | JSON_SORT_KEYS) : NULL;
    fprintf(file, "%s\n", pretty ? pretty : plain);
    if (pretty) {
        memset(pretty, 0, strlen(pretty));
        free(pretty);
    }
    json_decref(parsed);
    rc = CTL_EXIT_OK;
cleanup:
    if (file && file != ctl->out)
        fclose(file);
    if (plain) {
        memset(plain, 0, len);
        free(plain);
    }
    json_decref(doc);
    json_decref(requests);
    pacta_store_destroy(&store);
    pacta_vault_destroy(&vault);
    return rc;
}

int
ctl_cmd_dsr(ctl_t *ctl)
{
    static const char *const send_flags[] = {"--tenant",   "--subject",     "--right", "--request-id",
                                             "--received-on", "--categories", "--purpose", "--wait", "--set", NULL};
    static const char *const show_flags[] = {"--tenant", "--subject", NULL};
    static const char *const export_flags[] = {"--tenant", "--subject", "--request", "--request-id",
                                               "--vault-master-key-file", "--output", NULL};
    if (ctl->argc < 2 || strcmp(ctl->argv[1], "--help") == 0 || strcmp(ctl->argv[1], "-h") == 0) {
        fputs(s_dsr_help, ctl->argc < 2 ? ctl->err : ctl->out);
        return ctl->argc < 2 ? CTL_EXIT_USAGE : CTL_EXIT_OK;
    }
    const char *verb = ctl->argv[1];
    char what[32];
    snprintf(what, sizeof what, "dsr %s", verb);
    const char *const *allowed = strcmp(verb, "show") == 0 ? show_flags
                                 : strcmp(verb, "export") == 0 ? export_flags
                                                               : send_flags;
    if (strcmp(verb, "open") && strcmp(verb, "erase") && strcmp(verb, "rectify") && strcmp(verb, "show")
        && strcmp(verb, "export"))
        return ctl_usage_error(ctl, "dsr: unknown subcommand '%s' (open, erase, rectify, show, export)", verb);
    dsr_args_t args;
    int rc = s_parse(ctl, what, ctl->argc - 2, ctl->argv + 2, allowed, &args);
    if (rc)
        return rc;
    if (args.help) {
        fputs(s_dsr_help, ctl->out);
        return CTL_EXIT_OK;
    }
    if (strcmp(verb, "show") == 0)
        return s_show(ctl, &args);
    if (strcmp(verb, "export") == 0)
        return s_export(ctl, &args);
    if (strcmp(verb, "erase") == 0)
        return s_send_request(ctl, what, &args, "erasure");
    if (strcmp(verb, "rectify") == 0) {
        if (args.set_count == 0) {
            fprintf(ctl->err, "pactactl: dsr rectify: --set CATEGORY.NAME=VALUE is required\n");
            return CTL_EXIT_USAGE;
        }
        return s_send_request(ctl, what, &args, "rectification");
    }
    if ((rc = s_require(ctl, what, "--right", args.right)))
        return rc;
    return s_send_request(ctl, what, &args, args.right);
}

/* ---- retention show ---------------------------------------------------------------- */

int
ctl_cmd_retention(ctl_t *ctl)
{
    static const char *const flags[] = {"--tenant", "--contract", "--subject", NULL};
    if (ctl->argc < 2 || strcmp(ctl->argv[1], "--help") == 0 || strcmp(ctl->argv[1], "-h") == 0) {
        fputs(s_retention_help, ctl->argc < 2 ? ctl->err : ctl->out);
        return ctl->argc < 2 ? CTL_EXIT_USAGE : CTL_EXIT_OK;
    }
    if (strcmp(ctl->argv[1], "show") != 0)
        return ctl_usage_error(ctl, "retention: unknown subcommand '%s' (show)", ctl->argv[1]);
    dsr_args_t args;
    int rc = s_parse(ctl, "retention show", ctl->argc - 2, ctl->argv + 2, flags, &args);
    if (rc)
        return rc;
    if (args.help) {
        fputs(s_retention_help, ctl->out);
        return CTL_EXIT_OK;
    }
    if ((rc = s_require(ctl, "retention show", "--tenant", args.tenant)))
        return rc;
    if (!args.contract == !args.subject) {
        fprintf(ctl->err, "pactactl: retention show: give --contract C or --subject S (one of them)\n");
        return CTL_EXIT_USAGE;
    }
    pacta_store_t *store = ctl_store_open(ctl);
    if (!store)
        return CTL_EXIT_FAILED;
    json_t *view = NULL;
    if (args.subject)
        view = s_subject_view(store, &args);
    else {
        char key[600];
        snprintf(key, sizeof key, "pacta:%s:{c:%s}:retention", args.tenant, args.contract);
        view = s_doc(store, key);
        if (!view) {
            fprintf(ctl->err, "pactactl: retention show: --contract %s: no retention schedule (the contract has not "
                              "ended, or has no data subject)\n", args.contract);
            pacta_store_destroy(&store);
            return CTL_EXIT_FAILED;
        }
    }
    if (args.json || args.subject == NULL) {
        if (args.json) {
            char *text = json_dumps(view, JSON_INDENT(2) | JSON_SORT_KEYS);
            fprintf(ctl->out, "%s\n", text ? text : "{}");
            free(text);
        } else {
            fprintf(ctl->out, "contract %s, subject %s, last day %s\n", args.contract,
                    json_string_value(json_object_get(view, "subject_id")),
                    json_string_value(json_object_get(view, "contract_last_day")));
            size_t i;
            json_t *item;
            json_array_foreach(json_object_get(view, "schedule"), i, item) {
                const char *until = json_string_value(json_object_get(item, "until"));
                fprintf(ctl->out, "  %-10s %-7s on %s%s%s (%s)\n",
                        json_string_value(json_object_get(item, "category")),
                        json_string_value(json_object_get(item, "action")),
                        json_string_value(json_object_get(item, "on")), until ? " until " : "", until ? until : "",
                        json_string_value(json_object_get(item, "rule_id")));
            }
        }
    } else
        s_print_subject(ctl->out, view);
    json_decref(view);
    pacta_store_destroy(&store);
    return CTL_EXIT_OK;
}
