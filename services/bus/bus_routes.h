/*  =========================================================================
    bus_routes - the subscription table: which service classes consume
    which message types

    The table is configuration, not something instances teach the bus: a
    message for a class with no live instance waits in that class's queue
    instead of being dropped, which is only possible if the bus knows the
    class before any instance of it shows up. Built from

      - the five services' own `consumes` lists (contracts, invoicing,
        enforcement, notifications, gdpr-retention), linked in from their
        *_core libraries, unless disabled (PACTA_BUS_BUILTIN_ROUTES=false);
      - an optional routes file (PACTA_BUS_ROUTES) for extra classes, e.g.
        test instances or an outside consumer:

          # class        message types it consumes (a class may span lines)
          audit-export   pacta.v1.DecisionRecorded pacta.v1.DataErased
          test-counter   pacta.test.Counter

    Names are tokens of printable ASCII: classes at most 64 bytes, types at
    most 128. Classes and types are numbered in order of first appearance;
    the broker sizes its per-type and per-class arrays by these numbers.
    =========================================================================
*/
#ifndef BUS_ROUTES_H_INCLUDED
#define BUS_ROUTES_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BUS_ROUTES_CLASSES_MAX 256     /* service classes in one table */
#define BUS_ROUTES_TYPES_MAX 8192      /* distinct message types in one table */
#define BUS_ROUTES_FILE_MAX (1024 * 1024) /* largest routes file read */

typedef struct bus_routes bus_routes_t;

bus_routes_t *bus_routes_new(void);
void bus_routes_destroy(bus_routes_t **self_p);

/* Adds "class consumes type" (idempotent). 0, or -1 when a name is not a
   valid token, a limit is reached or memory runs out. */
int bus_routes_add(bus_routes_t *self, const char *service_class, const char *type);
/* Adds the five services' consumes lists. 0 or -1. */
int bus_routes_add_builtin(bus_routes_t *self);
/* Parses routes text (format above); source names it in errors. 0, or -1
   with "source:line: what is wrong" in err. */
int bus_routes_parse(bus_routes_t *self, const char *text, size_t len, const char *source, char *err,
                     size_t err_size);
/* Reads and parses a routes file. 0 or -1 with a reason in err. */
int bus_routes_load_file(bus_routes_t *self, const char *path, char *err, size_t err_size);

size_t bus_routes_class_count(const bus_routes_t *self);
const char *bus_routes_class_name(const bus_routes_t *self, size_t index);
/* Index of a class or type name (len bytes), or -1. */
int bus_routes_class_index(const bus_routes_t *self, const char *name, size_t len);
size_t bus_routes_type_count(const bus_routes_t *self);
const char *bus_routes_type_name(const bus_routes_t *self, size_t index);
int bus_routes_type_index(const bus_routes_t *self, const char *name, size_t len);
/* The classes consuming type index: count, and their indices in *classes. */
size_t bus_routes_type_classes(const bus_routes_t *self, size_t type_index, const size_t **classes);
/* True if class index consumes type index. */
bool bus_routes_has(const bus_routes_t *self, size_t class_index, size_t type_index);

#ifdef __cplusplus
}
#endif

#endif
