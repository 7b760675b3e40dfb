/*  =========================================================================
    ctl_state - reading what the services keep in Redis (docs/state.md)

    Design decision: everything is turned into JSON right here, the same
    shape the documents have in Redis, so `--json` output, the human
    printers and the replay expectations all read one representation and
    nothing else in pactactl knows a key name. Redis replies are checked for
    type on every path; a malformed document is an error naming its key,
    never a crash.
    =========================================================================
*/
#include "ctl_state.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pacta_dedup.h"

#define KEY_MAX (PACTA_DEDUP_PREFIX_MAX + 64)

static json_t *
s_fail(char *err, size_t err_size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static json_t *
s_fail(char *err, size_t err_size, const char *fmt, ...)
{
    if (err && err_size) {
        va_list args;
        va_start(args, fmt);
        vsnprintf(err, err_size, fmt, args);
        va_end(args);
    }
    return NULL;
}

static int
s_key(char *out, size_t size, const char *tenant, const char *entity_key, const char *suffix)
{
    char prefix[PACTA_DEDUP_PREFIX_MAX + 1];
    if (pacta_dedup_prefix(tenant, entity_key, prefix, sizeof prefix) != 0)
        return -1;
    return snprintf(out, size, "%s:%s", prefix, suffix) < (int) size ? 0 : -1;
}

//  A bulk string as a JSON string (NULL when it is not one).
static json_t *
s_string(const redisReply *reply)
{
    if (!reply || reply->type != REDIS_REPLY_STRING)
        return NULL;
    return json_stringn(reply->str, reply->len);
}

static bool
s_integer_text(const redisReply *reply, long long *out)
{
    if (!reply || reply->type != REDIS_REPLY_STRING || reply->len == 0 || reply->len > 20)
        return false;
    char text[24];
    memcpy(text, reply->str, reply->len);
    text[reply->len] = '\0';
    char *end = NULL;
    *out = strtoll(text, &end, 10);
    return end && *end == '\0';
}

json_t *
ctl_state_document(pacta_store_t *store, const char *tenant, const char *entity_key, const char *name, char *err,
                   size_t err_size)
{
    char key[KEY_MAX];
    if (s_key(key, sizeof key, tenant, entity_key, name) != 0)
        return s_fail(err, err_size, "entity key too long: %s", entity_key);
    redisReply *reply = NULL;
    if (pacta_store_command_strs(store, &reply, "HMGET", key, "version", "doc", "updated_ms", "updated_by", NULL)
        != 0)
        return s_fail(err, err_size, "HMGET %s: %s", key, pacta_store_error(store));
    json_t *result = NULL;
    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 4) {
        s_fail(err, err_size, "HMGET %s: unexpected reply", key);
        goto cleanup;
    }
    long long version = 0;
    if (reply->element[0]->type == REDIS_REPLY_NIL) {
        result = json_null();
        goto cleanup;
    }
    if (!s_integer_text(reply->element[0], &version) || reply->element[1]->type != REDIS_REPLY_STRING) {
        s_fail(err, err_size, "%s: malformed document (version or doc missing)", key);
        goto cleanup;
    }
    json_error_t error;
    json_t *doc = json_loadb(reply->element[1]->str, reply->element[1]->len, 0, &error);
    if (!doc) {
        s_fail(err, err_size, "%s: doc is not JSON: %s", key, error.text);
        goto cleanup;
    }
    long long updated_ms = 0;
    s_integer_text(reply->element[2], &updated_ms);
    json_t *updated_by = s_string(reply->element[3]);
    result = json_pack("{s:I, s:o, s:I, s:o}", "version", (json_int_t) version, "doc", doc, "updated_ms",
                       (json_int_t) updated_ms, "updated_by", updated_by ? updated_by : json_string(""));
    if (!result)
        s_fail(err, err_size, "out of memory");

cleanup:
    freeReplyObject(reply);
    return result;
}

json_t *
ctl_state_audit(pacta_store_t *store, const char *tenant, const char *entity_key, size_t max, char *err,
                size_t err_size)
{
    char key[KEY_MAX];
    if (s_key(key, sizeof key, tenant, entity_key, "audit") != 0)
        return s_fail(err, err_size, "entity key too long: %s", entity_key);
    redisReply *reply = NULL;
    int rc;
    if (max) {
        char count[24];
        snprintf(count, sizeof count, "%zu", max);
        rc = pacta_store_command_strs(store, &reply, "XRANGE", key, "-", "+", "COUNT", count, NULL);
    }
    else
        rc = pacta_store_command_strs(store, &reply, "XRANGE", key, "-", "+", NULL);
    if (rc != 0)
        return s_fail(err, err_size, "XRANGE %s: %s", key, pacta_store_error(store));
    json_t *entries = json_array(), *result = NULL;
    if (reply->type != REDIS_REPLY_ARRAY || !entries) {
        s_fail(err, err_size, "XRANGE %s: unexpected reply", key);
        goto cleanup;
    }
    for (size_t i = 0; i < reply->elements; i++) {
        const redisReply *item = reply->element[i];
        if (item->type != REDIS_REPLY_ARRAY || item->elements != 2 || item->element[0]->type != REDIS_REPLY_STRING
            || item->element[1]->type != REDIS_REPLY_ARRAY || item->element[1]->elements % 2) {
            s_fail(err, err_size, "%s: malformed stream entry %zu", key, i);
            goto cleanup;
        }
        json_t *entry = json_object();
        if (!entry || json_array_append_new(entries, entry) != 0) {
            s_fail(err, err_size, "out of memory");
            goto cleanup;
        }
        json_object_set_new(entry, "stream_id", s_string(item->element[0]));
        const redisReply *fields = item->element[1];
        for (size_t k = 0; k + 1 < fields->elements; k += 2) {
            const redisReply *name = fields->element[k], *value = fields->element[k + 1];
            if (name->type != REDIS_REPLY_STRING || value->type != REDIS_REPLY_STRING || name->len > 64)
                continue;
            char field[72];
            memcpy(field, name->str, name->len);
            field[name->len] = '\0';
            json_t *json_value = NULL;
            //  The explanation's values are a JSON array in a string.
            if (strcmp(field, "values") == 0)
                json_value = json_loadb(value->str, value->len, 0, NULL);
            if (!json_value)
                json_value = json_stringn(value->str, value->len);
            json_object_set_new(entry, field, json_value);
        }
    }
    result = entries;
    entries = NULL;

cleanup:
    json_decref(entries);
    freeReplyObject(reply);
    return result;
}

int
ctl_state_invoice_contract(pacta_store_t *store, const char *tenant, const char *invoice_id, char *out, size_t size,
                           char *err, size_t err_size)
{
    char key[KEY_MAX];
    snprintf(key, sizeof key, "pacta:{ix:%s}:invoices", tenant);
    redisReply *reply = NULL;
    if (pacta_store_command_strs(store, &reply, "HGET", key, invoice_id, NULL) != 0) {
        s_fail(err, err_size, "HGET %s: %s", key, pacta_store_error(store));
        return -1;
    }
    int rc = 0;
    if (reply->type == REDIS_REPLY_STRING && reply->len > 0 && (size_t) reply->len < size) {
        memcpy(out, reply->str, reply->len);
        out[reply->len] = '\0';
        rc = 1;
    }
    else if (reply->type != REDIS_REPLY_NIL) {
        s_fail(err, err_size, "%s: unexpected value for %s", key, invoice_id);
        rc = -1;
    }
    freeReplyObject(reply);
    return rc;
}

json_t *
ctl_state_proposals(pacta_store_t *store, const char *tenant, char *err, size_t err_size)
{
    char key[KEY_MAX];
    snprintf(key, sizeof key, "pacta:{ix:%s}:proposals", tenant);
    redisReply *reply = NULL;
    if (pacta_store_command_strs(store, &reply, "ZRANGE", key, "0", "-1", "WITHSCORES", NULL) != 0)
        return s_fail(err, err_size, "ZRANGE %s: %s", key, pacta_store_error(store));
    json_t *list = json_array(), *result = NULL;
    if (!list || reply->type != REDIS_REPLY_ARRAY || reply->elements % 2) {
        s_fail(err, err_size, "ZRANGE %s: unexpected reply", key);
        goto cleanup;
    }
    for (size_t i = 0; i + 1 < reply->elements; i += 2) {
        const redisReply *member = reply->element[i];
        long long day = 0;
        if (member->type != REDIS_REPLY_STRING || !s_integer_text(reply->element[i + 1], &day))
            continue;
        //  "<entity_key>|<decision_id>"
        const char *bar = memchr(member->str, '|', member->len);
        if (!bar)
            continue;
        const size_t entity_len = (size_t) (bar - member->str);
        json_t *item = json_pack("{s:s%, s:s%, s:I}", "entity", member->str, entity_len, "decision_id", bar + 1,
                                 member->len - entity_len - 1, "day", (json_int_t) day);
        if (!item || json_array_append_new(list, item) != 0) {
            s_fail(err, err_size, "out of memory");
            goto cleanup;
        }
    }
    result = list;
    list = NULL;

cleanup:
    json_decref(list);
    freeReplyObject(reply);
    return result;
}

//  ---------------------------------------------------------------------------
//  Matching

static void
s_path(char *path, size_t size, const char *parent, const char *key, long index)
{
    if (!path || !size)
        return;
    if (key)
        snprintf(path, size, "%s%s%s", parent, *parent ? "." : "", key);
    else
        snprintf(path, size, "%s[%ld]", parent, index);
}

static bool
s_matches(const json_t *expected, const json_t *actual, const char *here, char *path, size_t path_size)
{
    if (json_is_object(expected)) {
        if (!json_is_object(actual)) {
            snprintf(path, path_size, "%s", here);
            return false;
        }
        const char *key;
        json_t *value;
        json_object_foreach((json_t *) expected, key, value) {
            char child[256];
            s_path(child, sizeof child, here, key, 0);
            const json_t *other = json_object_get(actual, key);
            if (!other && !json_is_null(value)) {
                snprintf(path, path_size, "%s", child);
                return false;
            }
            if (other && !s_matches(value, other, child, path, path_size))
                return false;
        }
        return true;
    }
    if (json_is_array(expected)) {
        if (!json_is_array(actual) || json_array_size(actual) != json_array_size(expected)) {
            snprintf(path, path_size, "%s", here);
            return false;
        }
        for (size_t i = 0; i < json_array_size(expected); i++) {
            char child[256];
            s_path(child, sizeof child, here, NULL, (long) i);
            if (!s_matches(json_array_get(expected, i), json_array_get(actual, i), child, path, path_size))
                return false;
        }
        return true;
    }
    if (json_is_integer(expected) && json_is_string(actual)) {
        char text[32];
        snprintf(text, sizeof text, "%" JSON_INTEGER_FORMAT, json_integer_value(expected));
        if (strcmp(text, json_string_value(actual)) == 0)
            return true;
    }
    if (json_equal((json_t *) expected, (json_t *) actual))
        return true;
    snprintf(path, path_size, "%s", here);
    return false;
}

bool
ctl_json_matches(const json_t *expected, const json_t *actual, char *path, size_t path_size)
{
    char fallback[8];
    if (!path || !path_size) {
        path = fallback;
        path_size = sizeof fallback;
    }
    path[0] = '\0';
    return s_matches(expected, actual, "", path, path_size);
}
