/*  =========================================================================
    pacta_map - a hash map from byte strings to pointers

    The bus looks up a routing id, a delivery tag or a pending request for
    every frame it handles, and the outbox relay an entry for every reply,
    so lookups must be O(1) and allocation-light.

    Design decision: separate chaining with the key stored inline after the
    entry header (one malloc per entry), a power-of-two bucket array that
    doubles when the load passes 1, and the same FNV-1a + fmix64 hash the
    rest of the bus uses. Simple enough to be obviously right; the hot maps
    hold at most a few hundred thousand entries.
    =========================================================================
*/
#include "pacta_map.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pacta_bus_wire.h"

#define INITIAL_BUCKETS 64

typedef struct entry {
    struct entry *next;          /* next entry in the same bucket */
    uint64_t hash;               /* full hash of the key, compared before the bytes */
    void *value;                 /* borrowed value */
    size_t key_len;              /* bytes of key */
    unsigned char key[];         /* key copy */
} entry_t;

struct pacta_map {
    entry_t **buckets;           /* bucket_count chains */
    size_t bucket_count;         /* a power of two */
    size_t size;                 /* entries stored */
};

/* An empty map with a small bucket array; it grows as needed. */
pacta_map_t *
pacta_map_new(void)
{
    pacta_map_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->buckets = calloc(INITIAL_BUCKETS, sizeof *self->buckets);
    if (!self->buckets) {
        free(self);
        return NULL;
    }
    self->bucket_count = INITIAL_BUCKETS;
    return self;
}

/* Frees entries and buckets, never the values. */
void
pacta_map_destroy(pacta_map_t **self_p)
{
    assert(self_p);
    pacta_map_t *self = *self_p;
    if (!self)
        return;
    for (size_t i = 0; i < self->bucket_count; i++) {
        entry_t *e = self->buckets[i];
        while (e) {
            entry_t *next = e->next;
            free(e);
            e = next;
        }
    }
    free(self->buckets);
    free(self);
    *self_p = NULL;
}

/* Finds the link pointing at key's entry (or at the NULL ending its chain). */
static entry_t **
s_find(const pacta_map_t *self, const void *key, size_t key_len, uint64_t hash)
{
    entry_t **link = &self->buckets[hash & (self->bucket_count - 1)];
    while (*link) {
        entry_t *e = *link;
        if (e->hash == hash && e->key_len == key_len && memcmp(e->key, key, key_len) == 0)
            break;
        link = &e->next;
    }
    return link;
}

/* Doubles the bucket array; on allocation failure the map just stays
   denser, which is slower but still correct. */
static void
s_grow(pacta_map_t *self)
{
    size_t count = self->bucket_count * 2;
    entry_t **buckets = calloc(count, sizeof *buckets);
    if (!buckets)
        return;
    for (size_t i = 0; i < self->bucket_count; i++) {
        entry_t *e = self->buckets[i];
        while (e) {
            entry_t *next = e->next;
            size_t slot = e->hash & (count - 1);
            e->next = buckets[slot];
            buckets[slot] = e;
            e = next;
        }
    }
    free(self->buckets);
    self->buckets = buckets;
    self->bucket_count = count;
}

/* Inserts or replaces; grows when the load passes 1. */
int
pacta_map_put(pacta_map_t *self, const void *key, size_t key_len, void *value)
{
    assert(self && (key || key_len == 0) && value);
    uint64_t hash = pacta_bus_hash(key, key_len, PACTA_BUS_HASH_SEED);
    entry_t **link = s_find(self, key, key_len, hash);
    if (*link) {
        (*link)->value = value;
        return 0;
    }
    entry_t *e = malloc(sizeof *e + key_len);
    if (!e)
        return -1;
    e->next = NULL;
    e->hash = hash;
    e->value = value;
    e->key_len = key_len;
    if (key_len)
        memcpy(e->key, key, key_len);
    *link = e;
    self->size++;
    if (self->size > self->bucket_count)
        s_grow(self);
    return 0;
}

/* The value of key, or NULL. */
void *
pacta_map_get(const pacta_map_t *self, const void *key, size_t key_len)
{
    assert(self);
    uint64_t hash = pacta_bus_hash(key, key_len, PACTA_BUS_HASH_SEED);
    entry_t **link = s_find(self, key, key_len, hash);
    return *link ? (*link)->value : NULL;
}

/* Unlinks and frees the entry, handing back its value. */
void *
pacta_map_remove(pacta_map_t *self, const void *key, size_t key_len)
{
    assert(self);
    uint64_t hash = pacta_bus_hash(key, key_len, PACTA_BUS_HASH_SEED);
    entry_t **link = s_find(self, key, key_len, hash);
    entry_t *e = *link;
    if (!e)
        return NULL;
    *link = e->next;
    void *value = e->value;
    free(e);
    self->size--;
    return value;
}

/* Entries stored. */
size_t
pacta_map_size(const pacta_map_t *self)
{
    assert(self);
    return self->size;
}

/* Visits every entry; visitors must not modify the map. */
int
pacta_map_foreach(const pacta_map_t *self, pacta_map_visit_fn fn, void *arg)
{
    assert(self && fn);
    for (size_t i = 0; i < self->bucket_count; i++)
        for (entry_t *e = self->buckets[i]; e; e = e->next) {
            int rc = fn(e->key, e->key_len, e->value, arg);
            if (rc != 0)
                return rc;
        }
    return 0;
}
