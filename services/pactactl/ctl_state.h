/*  =========================================================================
    ctl_state - reading what the services keep in Redis (docs/state.md),
    as JSON, for pactactl's show/timeline/explain/proposals commands and
    for the expectations of replay files

    All of it is read-only and follows docs/state.md: an entity's documents
    are HASHes P:<name> (version, doc, updated_ms, updated_by) under the
    entity prefix P = pacta:<tenant>:{<entity_key>}, its audit trail is the
    stream P:audit, and tenant indexes live under pacta:{ix:<tenant>}.
    Every function returns a new JSON reference (caller json_decref()s it)
    or NULL with the reason in err; "absent" is a JSON null, not an error.
    =========================================================================
*/
#ifndef CTL_STATE_H_INCLUDED
#define CTL_STATE_H_INCLUDED

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "pacta_store.h"

#define CTL_STATE_ID_MAX 200   /* longest contract, invoice or decision id read here */

/* Document `name` ("contract", "ledger", "enforcement") of an entity:
   {"version": N, "doc": {...}, "updated_ms": N, "updated_by": "..."}, or
   JSON null when it does not exist. */
json_t *ctl_state_document(pacta_store_t *store, const char *tenant, const char *entity_key, const char *name,
                           char *err, size_t err_size);
/* The entity's audit stream in commit order: an array of objects, each
   holding the entry's fields plus "stream_id". At most max entries (0 =
   all). */
json_t *ctl_state_audit(pacta_store_t *store, const char *tenant, const char *entity_key, size_t max, char *err,
                        size_t err_size);
/* The contract an invoice lives on (pacta:{ix:<tenant>}:invoices): 1 with
   the id in out, 0 when unknown, -1 on error. */
int ctl_state_invoice_contract(pacta_store_t *store, const char *tenant, const char *invoice_id, char *out,
                               size_t size, char *err, size_t err_size);
/* The tenant's pending proposals: an array of {"entity", "decision_id",
   "day"} in proposal order (day = days since 1970-01-01). */
json_t *ctl_state_proposals(pacta_store_t *store, const char *tenant, char *err, size_t err_size);

/* True when every member of expected is in actual with an equal value;
   objects are compared as subsets, recursively; arrays and scalars exactly,
   except that a number in expected also matches the same number written as
   a string in actual (audit fields are strings). On false, path receives
   where they differ ("suspension.since"). */
bool ctl_json_matches(const json_t *expected, const json_t *actual, char *path, size_t path_size);

#endif
