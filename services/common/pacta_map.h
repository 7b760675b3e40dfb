/*  =========================================================================
    pacta_map - a hash map from byte strings to pointers

    Keys are copied; values are borrowed (the map never frees them). Used
    by the bus (routing ids -> instances, delivery tags -> deliveries,
    pending requests, the CURVE allow-list) and the outbox relay (entries
    in flight).
    =========================================================================
*/
#ifndef PACTA_MAP_H_INCLUDED
#define PACTA_MAP_H_INCLUDED

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pacta_map pacta_map_t;

/* Visitor for pacta_map_foreach(); return non-zero to stop early. */
typedef int (*pacta_map_visit_fn)(const void *key, size_t key_len, void *value, void *arg);

pacta_map_t *pacta_map_new(void);
/* Frees the map and its key copies, never the values. Safe on NULL/twice. */
void pacta_map_destroy(pacta_map_t **self_p);

/* Inserts or replaces. 0, or -1 on out of memory (map unchanged). value
   must not be NULL (NULL means "absent" for pacta_map_get). */
int pacta_map_put(pacta_map_t *self, const void *key, size_t key_len, void *value);
/* The value of key, or NULL. */
void *pacta_map_get(const pacta_map_t *self, const void *key, size_t key_len);
/* Removes key; returns its value, or NULL if it was absent. */
void *pacta_map_remove(pacta_map_t *self, const void *key, size_t key_len);
size_t pacta_map_size(const pacta_map_t *self);
/* Calls fn for every entry until it returns non-zero (that value is
   returned). fn must not modify the map. */
int pacta_map_foreach(const pacta_map_t *self, pacta_map_visit_fn fn, void *arg);

#ifdef __cplusplus
}
#endif

#endif
