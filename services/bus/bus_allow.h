/*  =========================================================================
    bus_allow - the CURVE allow-list: which client key may do what

    One client per line; '#' starts a comment:

      # public key (Z85)                        name        permissions
      Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID  crm         tenants=capconnect,sgevent types=pacta.v1.ContractSigned
      rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7  invoicing-1 tenants=* types=* classes=invoicing

    tenants= and types= are what a producer key may SEND on the frontend;
    classes= are the service classes an instance key may register as on the
    backend. '*' allows everything; an absent list allows nothing. The ZAP
    handler accepts a key only if it is listed (frontend) or has at least
    one class (backend); the broker checks tenant and type per message and
    answers NACK UNAUTHORISED.
    =========================================================================
*/
#ifndef BUS_ALLOW_H_INCLUDED
#define BUS_ALLOW_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>

#include "pacta_bus_wire.h"

#ifdef __cplusplus
extern "C" {
#endif

#define BUS_ALLOW_FILE_MAX (1024 * 1024)   /* largest allow-list read */
#define BUS_ALLOW_ENTRIES_MAX 10000        /* clients in one list */
#define BUS_ALLOW_LIST_MAX 1024            /* names in one tenants=/types=/classes= list */

typedef struct bus_allow bus_allow_t;
typedef struct bus_allow_entry bus_allow_entry_t;

bus_allow_t *bus_allow_new(void);
void bus_allow_destroy(bus_allow_t **self_p);

/* Parses allow-list text (format above). 0, or -1 with "source:line: what
   is wrong" in err; a duplicate key is an error. */
int bus_allow_parse(bus_allow_t *self, const char *text, size_t len, const char *source, char *err,
                    size_t err_size);
int bus_allow_load_file(bus_allow_t *self, const char *path, char *err, size_t err_size);
size_t bus_allow_count(const bus_allow_t *self);

/* The entry of a Z85 public key, or NULL. */
const bus_allow_entry_t *bus_allow_find(const bus_allow_t *self, const char *z85_key);
const char *bus_allow_entry_name(const bus_allow_entry_t *entry);
/* Permission checks; names are len bytes, not NUL-terminated. */
bool bus_allow_entry_tenant(const bus_allow_entry_t *entry, const char *tenant, size_t len);
bool bus_allow_entry_type(const bus_allow_entry_t *entry, const char *type, size_t len);
bool bus_allow_entry_class(const bus_allow_entry_t *entry, const char *service_class, size_t len);
/* True when the entry may register at least one class. */
bool bus_allow_entry_has_classes(const bus_allow_entry_t *entry);

#ifdef __cplusplus
}
#endif

#endif
