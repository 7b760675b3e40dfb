/*  =========================================================================
    bus_file - the bus's configuration files read whole, size-capped

    Reads one byte more than the cap so that a file exactly at the cap is
    accepted and a larger one is refused, not silently cut.
    =========================================================================
*/
#include "bus_file.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *
bus_file_read(const char *path, size_t max_bytes, size_t *len, char *err, size_t err_size)
{
    assert(path && len);
    char *text = NULL;
    FILE *file = fopen(path, "rb");
    if (!file) {
        snprintf(err, err_size, "%s: %s", path, strerror(errno));
        goto cleanup;
    }
    text = malloc(max_bytes + 1);
    if (!text) {
        snprintf(err, err_size, "%s: out of memory", path);
        goto cleanup;
    }
    *len = fread(text, 1, max_bytes + 1, file);
    if (ferror(file) || *len > max_bytes) {
        snprintf(err, err_size, "%s: unreadable or larger than %zu bytes", path, max_bytes);
        free(text);
        text = NULL;
    }

cleanup:
    if (file)
        fclose(file);
    return text;
}
