/*  gdpr_scan - does a plaintext value appear anywhere in a Redis database
    (every key name and every value of every type), or in a file? The
    gdpr suites use it to prove that personal data never reach Redis in
    clear. */
#ifndef GDPR_SCAN_H_INCLUDED
#define GDPR_SCAN_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>

#include "pacta_store.h"

/* The first key (malloc'd, caller frees) whose name or any value contains
   needle, or NULL when none does. The test fails on a Redis error. */
char *gs_redis_find(pacta_store_t *store, const char *needle);
/* True when the file at path contains needle (false when it cannot be read). */
bool gs_file_contains(const char *path, const char *needle);

#endif
