/*  =========================================================================
    ctl_notifications - pactactl notifications and letters

    Read-only views of what the notifications service keeps
    (docs/notifications.md): the delivery log <prefix>:notifications of a
    contract, and the tenant index pacta:{ix:<tenant>}:letters of the
    letters it rendered ("<entity>|<letter id>" -> day recorded).

    Design decision: the delivery log is printed whole -- every attempt
    with its time, outcome and the server's reply -- because "was the
    client told, and when" is the question an operator asks of it; a
    dead-lettered notice is flagged so it stands out. It never holds an
    address, so nothing personal is printed.
    =========================================================================
*/
#include "ctl_notifications.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pacta_profile.h"

#define ENTITY_MAX 256                 /* entity key bytes */

static const char *
s_text(const json_t *object, const char *key)
{
    const char *value = json_string_value(json_object_get(object, key));
    return value ? value : "";
}

/* Parses [--tenant T] [--json] and up to `want` positionals after skip words. */
static int
s_args(ctl_t *ctl, int skip, const char *usage, int want, const char **tenant, bool *json, char **positional)
{
    static const char *const allowed[] = {"--tenant", "--json", NULL};
    static const char *const bools[] = {"--json", NULL};
    int count = 0, rc;
    if ((rc = ctl_check_args(ctl, ctl->argc - skip, ctl->argv + skip, allowed, bools, positional, &count, want)))
        return rc;
    if (count != want)
        return ctl_usage_error(ctl, "%s: wrong number of arguments", usage);
    bool missing = false;
    *tenant = ctl_option(ctl->argc, ctl->argv, "--tenant", &missing);
    *json = ctl_flag(ctl->argc, ctl->argv, "--json");
    if (missing || !*tenant)
        return ctl_usage_error(ctl, "%s: --tenant T is required", usage);
    if (!pacta_tenant_id_valid(*tenant))
        return ctl_usage_error(ctl, "--tenant: '%s' is not a tenant id", *tenant);
    return CTL_EXIT_OK;
}

/* The delivery log of entity (a new reference: the doc, or JSON null). */
static json_t *
s_log(ctl_t *ctl, pacta_store_t *store, const char *tenant, const char *entity, int *rc)
{
    char key[600];
    snprintf(key, sizeof key, "pacta:%s:{%s}:notifications", tenant, entity);
    redisReply *reply = NULL;
    if (pacta_store_command_strs(store, &reply, "HGET", key, "doc", NULL) != 0) {
        fprintf(ctl->err, "pactactl: Redis: %s\n", pacta_store_error(store));
        *rc = CTL_EXIT_FAILED;
        return NULL;
    }
    json_t *doc = json_null();
    if (reply->type == REDIS_REPLY_STRING) {
        json_decref(doc);
        doc = json_loadb(reply->str, reply->len, 0, NULL);
        if (!doc) {
            fprintf(ctl->err, "pactactl: %s is not JSON\n", key);
            *rc = CTL_EXIT_FAILED;
        }
    }
    freeReplyObject(reply);
    return doc;
}

/* ms since the epoch as "2025-02-09T08:00:00Z"; "" for 0. */
static void
s_instant(json_int_t ms, char *buf, size_t size)
{
    buf[0] = '\0';
    if (ms <= 0)
        return;
    time_t seconds = (time_t) (ms / 1000);
    struct tm tm;
    if (gmtime_r(&seconds, &tm))
        strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void
s_print_attempt(FILE *out, size_t number, const json_t *attempt)
{
    const char *outcome = s_text(attempt, "outcome");
    char when[40];
    s_instant(json_integer_value(json_object_get(attempt, "at_ms")), when, sizeof when);
    if (strcmp(outcome, "posted") == 0)
        fprintf(out, "    %zu. posted on %s, registered number %s\n", number, s_text(attempt, "posted_on"),
                s_text(attempt, "registered_number")[0] ? s_text(attempt, "registered_number") : "-");
    else
        fprintf(out, "    %zu. %s %s: %s\n", number, when, outcome, s_text(attempt, "reply"));
}

static void
s_print_notice(FILE *out, const json_t *notice)
{
    const char *status = s_text(notice, "status");
    const json_t *explanation = json_object_get(notice, "explanation");
    fprintf(out, "%s  %-17s %-16s %s%s\n", s_text(notice, "notification_id"), s_text(notice, "channel"), status,
            strcmp(status, "dead_lettered") == 0 ? "!! " : "", s_text(notice, "template_id"));
    fprintf(out, "    %s, caused by %s, language %s, rule %s (%s)\n", s_text(notice, "message_type"),
            s_text(notice, "caused_by"), s_text(notice, "language"),
            s_text(explanation, "rule_id")[0] ? s_text(explanation, "rule_id") : "-", s_text(explanation, "clause"));
    size_t index;
    json_t *attempt;
    json_array_foreach(json_object_get(notice, "attempts"), index, attempt) s_print_attempt(out, index + 1, attempt);
    char next[40];
    s_instant(json_integer_value(json_object_get(notice, "next_attempt_ms")), next, sizeof next);
    if (next[0])
        fprintf(out, "    next attempt after %s\n", next);
}

int
ctl_cmd_notifications(ctl_t *ctl)
{
    const char *tenant = NULL;
    bool json = false;
    char *positional[1] = {NULL};
    int rc = s_args(ctl, 1, "notifications --tenant T [--json] CONTRACT", 1, &tenant, &json, positional);
    if (rc != CTL_EXIT_OK)
        return rc;
    char entity[ENTITY_MAX];
    const char *id = positional[0];
    if (snprintf(entity, sizeof entity, "%s%s", strchr(id, ':') ? "" : "c:", id) >= (int) sizeof entity)
        return ctl_usage_error(ctl, "CONTRACT '%s' is too long", id);
    pacta_store_t *store = ctl_store_open(ctl);
    if (!store)
        return CTL_EXIT_FAILED;
    json_t *doc = s_log(ctl, store, tenant, entity, &rc);
    if (doc && rc == CTL_EXIT_OK) {
        if (json) {
            char *text = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_ENCODE_ANY);
            fprintf(ctl->out, "%s\n", text ? text : "null");
            free(text);
        }
        else if (json_is_null(doc))
            fprintf(ctl->out, "no notices for %s (%s)\n", entity, tenant);
        else {
            json_t *notices = json_object_get(doc, "notices");
            fprintf(ctl->out, "delivery log of %s (%s), %zu notices\n", entity, tenant, json_array_size(notices));
            size_t index;
            json_t *notice;
            json_array_foreach(notices, index, notice) s_print_notice(ctl->out, notice);
        }
    }
    json_decref(doc);
    pacta_store_destroy(&store);
    return rc;
}

/* Every member of the letters index: an array of {"entity", "letter_id"}. */
static json_t *
s_letters(ctl_t *ctl, pacta_store_t *store, const char *tenant)
{
    char key[300];
    snprintf(key, sizeof key, "pacta:{ix:%s}:letters", tenant);
    redisReply *reply = NULL;
    if (pacta_store_command_strs(store, &reply, "ZRANGE", key, "0", "-1", NULL) != 0) {
        fprintf(ctl->err, "pactactl: Redis: %s\n", pacta_store_error(store));
        return NULL;
    }
    json_t *letters = json_array();
    for (size_t i = 0; reply->type == REDIS_REPLY_ARRAY && i < reply->elements; i++) {
        const char *member = reply->element[i]->str;
        const char *bar = member ? strchr(member, '|') : NULL;
        if (!bar)
            continue;
        json_array_append_new(letters, json_pack("{s:s%, s:s}", "entity", member, (size_t) (bar - member),
                                                 "letter_id", bar + 1));
    }
    freeReplyObject(reply);
    return letters;
}

/* The notice of a letter (borrowed from doc). */
static json_t *
s_letter_notice(json_t *doc, const char *letter_id)
{
    size_t index;
    json_t *notice;
    json_array_foreach(json_object_get(doc, "notices"), index, notice)
        if (strcmp(s_text(notice, "notification_id"), letter_id) == 0)
            return notice;
    return NULL;
}

int
ctl_cmd_letters(ctl_t *ctl)
{
    if (ctl->argc < 2 || (strcmp(ctl->argv[1], "list") != 0 && strcmp(ctl->argv[1], "show") != 0))
        return ctl_usage_error(ctl, "letters: list or show expected%s", "");
    bool show = strcmp(ctl->argv[1], "show") == 0;
    const char *tenant = NULL;
    bool json = false;
    char *positional[1] = {NULL};
    int rc = s_args(ctl, 2, show ? "letters show --tenant T [--json] LETTER_ID" : "letters list --tenant T [--json]",
                    show ? 1 : 0, &tenant, &json, positional);
    if (rc != CTL_EXIT_OK)
        return rc;
    pacta_store_t *store = ctl_store_open(ctl);
    if (!store)
        return CTL_EXIT_FAILED;
    json_t *letters = s_letters(ctl, store, tenant);
    json_t *listing = json_array();
    bool found = false;
    if (!letters)
        rc = CTL_EXIT_FAILED;
    size_t index;
    json_t *letter;
    json_array_foreach(letters, index, letter) {
        const char *letter_id = s_text(letter, "letter_id");
        if (show && strcmp(letter_id, positional[0]) != 0)
            continue;
        json_t *doc = s_log(ctl, store, tenant, s_text(letter, "entity"), &rc);
        json_t *notice = doc ? s_letter_notice(doc, letter_id) : NULL;
        if (notice) {
            found = true;
            if (json)
                json_array_append(listing, notice);
            else if (show) {
                const json_t *text = json_object_get(notice, "letter");
                fprintf(ctl->out, "letter %s of %s: %s%s\n", letter_id, s_text(notice, "contract_id"),
                        s_text(notice, "status"),
                        s_text(notice, "posted_on")[0] ? "" : " (confirm with LetterPostingConfirmed)");
                if (s_text(notice, "posted_on")[0])
                    fprintf(ctl->out, "posted on %s\n", s_text(notice, "posted_on"));
                fprintf(ctl->out, "registered: %s\n\n%s\n\n%s", json_is_true(json_object_get(text, "registered"))
                                                                      ? "yes" : "no",
                        s_text(text, "subject"), s_text(text, "body"));
            }
            else
                fprintf(ctl->out, "%-40s %-14s %-17s %s\n", letter_id, s_text(notice, "contract_id"),
                        s_text(notice, "status"), s_text(notice, "posted_on"));
        }
        json_decref(doc);
    }
    if (rc == CTL_EXIT_OK && json) {
        char *text = json_dumps(show ? json_array_get(listing, 0) : listing,
                                JSON_INDENT(2) | JSON_SORT_KEYS | JSON_ENCODE_ANY);
        fprintf(ctl->out, "%s\n", text ? text : "null");
        free(text);
    }
    if (rc == CTL_EXIT_OK && show && !found) {
        fprintf(ctl->err, "pactactl: no letter %s for tenant %s\n", positional[0], tenant);
        rc = CTL_EXIT_FAILED;
    }
    if (rc == CTL_EXIT_OK && !show && !found && !json)
        fprintf(ctl->out, "no letters for tenant %s\n", tenant);
    json_decref(listing);
    json_decref(letters);
    pacta_store_destroy(&store);
    return rc;
}
