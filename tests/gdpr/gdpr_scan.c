/*  gdpr_scan - scans a whole Redis database for a plaintext value: SCAN
    every key, then read it whole by its type (string, hash, list, set,
    sorted set, stream), so no key family can hide a copy. */
#define _GNU_SOURCE   /* memmem */
#include "gdpr_scan.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool
s_reply_contains(const redisReply *reply, const char *needle)
{
    if (!reply)
        return false;
    if ((reply->type == REDIS_REPLY_STRING || reply->type == REDIS_REPLY_STATUS) && reply->str
        && memmem(reply->str, reply->len, needle, strlen(needle)))
        return true;
    for (size_t i = 0; reply->type == REDIS_REPLY_ARRAY && i < reply->elements; i++)
        if (s_reply_contains(reply->element[i], needle))
            return true;
    return false;
}

static bool
s_key_contains(pacta_store_t *store, const char *key, size_t key_len, const char *needle)
{
    redisReply *type = NULL;
    const char *type_argv[] = {"TYPE", key};
    size_t type_lens[] = {4, key_len};
    cr_assert_eq(pacta_store_command(store, &type, 2, type_argv, type_lens), 0, "%s", pacta_store_error(store));
    const char *t = type->str ? type->str : "";
    const char *argv[6] = {NULL, key, NULL, NULL, NULL, NULL};
    size_t lens[6] = {0, key_len, 0, 0, 0, 0};
    int argc = 2;
    if (strcmp(t, "string") == 0)
        argv[0] = "GET";
    else if (strcmp(t, "hash") == 0)
        argv[0] = "HGETALL";
    else if (strcmp(t, "list") == 0) {
        argv[0] = "LRANGE", argv[2] = "0", argv[3] = "-1", argc = 4;
    } else if (strcmp(t, "set") == 0)
        argv[0] = "SMEMBERS";
    else if (strcmp(t, "zset") == 0) {
        argv[0] = "ZRANGE", argv[2] = "0", argv[3] = "-1", argv[4] = "WITHSCORES", argc = 5;
    } else if (strcmp(t, "stream") == 0) {
        argv[0] = "XRANGE", argv[2] = "-", argv[3] = "+", argc = 4;
    }
    freeReplyObject(type);
    if (!argv[0])
        return false;   /* expired meanwhile */
    for (int i = 0; i < argc; i++)
        if (i != 1)
            lens[i] = strlen(argv[i]);
    redisReply *value = NULL;
    cr_assert_eq(pacta_store_command(store, &value, argc, argv, lens), 0, "%s", pacta_store_error(store));
    bool found = s_reply_contains(value, needle);
    freeReplyObject(value);
    return found;
}

char *
gs_redis_find(pacta_store_t *store, const char *needle)
{
    char cursor[32] = "0";
    do {
        redisReply *reply = NULL;
        cr_assert_eq(pacta_store_command_strs(store, &reply, "SCAN", cursor, "COUNT", "500", NULL), 0, "%s",
                     pacta_store_error(store));
        cr_assert(reply->type == REDIS_REPLY_ARRAY && reply->elements == 2);
        snprintf(cursor, sizeof cursor, "%s", reply->element[0]->str);
        redisReply *keys = reply->element[1];
        for (size_t i = 0; i < keys->elements; i++) {
            const redisReply *k = keys->element[i];
            if (memmem(k->str, k->len, needle, strlen(needle)) || s_key_contains(store, k->str, k->len, needle)) {
                char *name = strndup(k->str, k->len);
                freeReplyObject(reply);
                return name;
            }
        }
        freeReplyObject(reply);
    } while (strcmp(cursor, "0") != 0);
    return NULL;
}

bool
gs_file_contains(const char *path, const char *needle)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    size_t size = 0, cap = 0;
    char *data = NULL;
    char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (size + got > cap) {
            cap = (size + got) * 2;
            data = realloc(data, cap);
            cr_assert_not_null(data);
        }
        memcpy(data + size, chunk, got);
        size += got;
    }
    fclose(f);
    bool found = data && memmem(data, size, needle, strlen(needle)) != NULL;
    free(data);
    return found;
}
