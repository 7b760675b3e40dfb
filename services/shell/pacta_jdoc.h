/*  =========================================================================
    pacta_jdoc - reading and writing the JSON state documents

    The documents of docs/state.md are JSON objects: dates "YYYY-MM-DD",
    amounts integer cents in fields ending _cents, lists of objects keyed by
    an id field. These helpers read a missing or mistyped field as its
    "absent" value (PACTA_DATE_INVALID, 0, "") so handlers stay short, and
    never take ownership of what they are given.
    =========================================================================
*/
#ifndef PACTA_JDOC_H_INCLUDED
#define PACTA_JDOC_H_INCLUDED

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "pacta_date.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The string at key, or "" (never NULL). */
const char *pacta_jdoc_str(const json_t *object, const char *key);
/* The date at key, or PACTA_DATE_INVALID. */
pacta_date_t pacta_jdoc_date(const json_t *object, const char *key);
/* The integer at key, or 0. */
int64_t pacta_jdoc_int(const json_t *object, const char *key);
/* The boolean at key, or false. */
bool pacta_jdoc_bool(const json_t *object, const char *key);

/* Setters: 0, or -1 (out of memory). An invalid date is stored as null. */
int pacta_jdoc_set_str(json_t *object, const char *key, const char *value);
int pacta_jdoc_set_date(json_t *object, const char *key, pacta_date_t value);
int pacta_jdoc_set_int(json_t *object, const char *key, int64_t value);
int pacta_jdoc_set_bool(json_t *object, const char *key, bool value);

/* The array at key, created (empty) when absent or not an array. NULL only
   when out of memory. Borrowed. */
json_t *pacta_jdoc_array(json_t *object, const char *key);
/* The first object of array whose member `key` is the string value, or
   NULL. Borrowed. */
json_t *pacta_jdoc_find(const json_t *array, const char *key, const char *value);

#ifdef __cplusplus
}
#endif

#endif
