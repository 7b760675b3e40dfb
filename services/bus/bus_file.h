/*  =========================================================================
    bus_file - the bus's configuration files read whole, size-capped

    The routes file and the allow-list are small text files parsed in
    memory; both are read the same way, refusing a file larger than the
    caller's cap rather than parsing a truncated one.
    =========================================================================
*/
#ifndef BUS_FILE_H_INCLUDED
#define BUS_FILE_H_INCLUDED

#include <stddef.h>

/* The whole of path (not NUL-terminated; *len bytes), at most max_bytes.
   NULL with err naming the file and the fault (missing, unreadable, larger
   than max_bytes, out of memory). Caller frees. */
char *bus_file_read(const char *path, size_t max_bytes, size_t *len, char *err, size_t err_size);

#endif
