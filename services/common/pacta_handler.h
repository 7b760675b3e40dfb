/*  =========================================================================
    pacta_handler - what a service writes to react to a message or a timer

    A service declares one handler per message type it handles and one per
    timer purpose, with the payload fields that must be present and the
    versioned documents it reads (docs/state.md §3):

        static const char *const s_issued_required[] = {"invoice_id", "contract_id", "issued_on",
                                                        "total_incl_vat", NULL};
        static const char *const s_ledger[] = {"ledger", NULL};
        static const pacta_message_handler_t s_messages[] = {
            {"pacta.v1.InvoiceIssued", s_on_invoice_issued, s_issued_required, s_ledger},
        };
        const pacta_handler_set_t inv_handlers = {s_messages, 1, s_timers, 1, NULL};

    The shell (pacta_runtime) has already checked the envelope, the tenant
    (UNKNOWN_TENANT otherwise), decoded the payload, checked the required
    fields and every Date and Money in it (INVALID naming the field), and
    loaded the documents. The handler then only COMPUTES: it reads
    documents, changes them in place and marks them for writing, appends
    audit entries, emits messages, asks for timers, parks the fact or
    refuses it. Nothing is written until it returns 0; the shell then
    applies everything in ONE Lua script (compare-and-set on the documents'
    versions, message id recorded, audit, outbox) and, on a version
    conflict, reloads the documents and calls the handler again. A handler
    must therefore be a pure function of (documents, payload, today): no
    I/O of its own except reads through pacta_handler_store().

    Return 0 (the effect, possibly empty: the message id is still recorded)
    or -1 after pacta_handler_refuse() (NACK, nothing written). -1 without
    a refusal is a NACK INTERNAL.

    Ownership: everything passed in is borrowed for the call; documents
    are owned by the context (modify them in place); emitted messages are
    packed at once (the caller keeps its payload).
    =========================================================================
*/
#ifndef PACTA_HANDLER_H_INCLUDED
#define PACTA_HANDLER_H_INCLUDED

#include <jansson.h>
#include <protobuf-c/protobuf-c.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pacta/v1/ack.pb-c.h"
#include "pacta/v1/envelope.pb-c.h"
#include "pacta/v1/types.pb-c.h"
#include "pacta_date.h"
#include "pacta_profile.h"
#include "pacta_store.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PACTA_HANDLER_DOCS_MAX 4          /* documents one handler may load */
#define PACTA_HANDLER_DOC_NAME_MAX 32     /* "contract", "ledger", "enforcement" */
#define PACTA_HANDLER_EMITS_MAX 32        /* messages one effect may emit */
#define PACTA_HANDLER_AUDIT_MAX 32        /* audit entries one effect may append */
#define PACTA_HANDLER_FOLLOWUPS_MAX 32    /* timers and index writes one effect may owe */
#define PACTA_HANDLER_ID_MAX 64           /* message ids the shell makes */

typedef struct pacta_handler_ctx pacta_handler_ctx_t;

/* ---- declaring handlers ------------------------------------------------- */

typedef int (*pacta_message_handler_fn)(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg);
typedef int (*pacta_timer_handler_fn)(pacta_handler_ctx_t *ctx, const json_t *payload, void *arg);

typedef struct {
    const char *message_type;          /* "pacta.v1.InvoiceIssued" */
    pacta_message_handler_fn fn;       /* the handler */
    const char *const *required;       /* payload fields that must be set (string non-empty, message
                                          present, enum not UNSPECIFIED, repeated non-empty);
                                          NULL-terminated, may be NULL */
    const char *const *documents;      /* versioned documents to load, NULL-terminated, may be NULL */
} pacta_message_handler_t;

typedef struct {
    const char *purpose;               /* timer purpose, "invoice.overdue" */
    pacta_timer_handler_fn fn;         /* the handler; payload is the JSON given when scheduling */
    const char *const *documents;      /* versioned documents to load, NULL-terminated, may be NULL */
} pacta_timer_handler_t;

typedef struct pacta_handler_set {
    const pacta_message_handler_t *messages; /* by message type */
    size_t message_count;              /* entries in messages */
    const pacta_timer_handler_t *timers; /* by timer purpose */
    size_t timer_count;                /* entries in timers */
    void *arg;                         /* passed to every handler */
} pacta_handler_set_t;

/* ---- what a handler can read -------------------------------------------- */

const char *pacta_handler_service(const pacta_handler_ctx_t *ctx);
const char *pacta_handler_tenant(const pacta_handler_ctx_t *ctx);
const pacta_profile_t *pacta_handler_profile(const pacta_handler_ctx_t *ctx);
/* Routing key of the entity ("c:C-1"), and its Redis prefix. */
const char *pacta_handler_entity_key(const pacta_handler_ctx_t *ctx);
const char *pacta_handler_prefix(const pacta_handler_ctx_t *ctx);
/* The causing message id, or "tm:<timer id>" for a timer. */
const char *pacta_handler_cause_id(const pacta_handler_ctx_t *ctx);
/* The causing message's type, or "timer:<purpose>". */
const char *pacta_handler_cause_type(const pacta_handler_ctx_t *ctx);
/* The envelope being handled; NULL for a timer. */
const Pacta__V1__Envelope *pacta_handler_envelope(const pacta_handler_ctx_t *ctx);
/* A timer's due date (its rule's "today"); for a message the tenant
   clock's date when it was received (informative: rules read the dates
   inside the payload). */
pacta_date_t pacta_handler_today(const pacta_handler_ctx_t *ctx);
/* True while handling a fact that was parked earlier. */
bool pacta_handler_unparking(const pacta_handler_ctx_t *ctx);
/* The Redis connection, for reads outside the entity (lookups). */
pacta_store_t *pacta_handler_store(const pacta_handler_ctx_t *ctx);

/* ---- documents ------------------------------------------------------------ */

/* The document `name` (declared by the handler) as a JSON object owned by
   the context, {} when it does not exist yet. Modify it in place. NULL when
   the handler did not declare it. */
json_t *pacta_handler_doc(pacta_handler_ctx_t *ctx, const char *name);
/* Its version as loaded (0 = does not exist). */
uint64_t pacta_handler_doc_version(const pacta_handler_ctx_t *ctx, const char *name);
/* Writes the (modified) document in the effect, compare-and-set on the
   version loaded. 0 or -1 (not declared). */
int pacta_handler_put_doc(pacta_handler_ctx_t *ctx, const char *name);

/* ---- the effect ----------------------------------------------------------- */

/* Appends an audit entry to <prefix>:audit: every member of fields whose
   value is a string, integer or JSON becomes one stream field (integers in
   decimal, other JSON compact). The shell adds service, caused_by and
   cause_type. fields is borrowed. 0 or -1 (too many entries). */
int pacta_handler_audit(pacta_handler_ctx_t *ctx, const json_t *fields);

/* Emits payload (a pacta.v1 message) of kind: an envelope is built with a
   message id derived from the cause (the same on every retry of the
   handler), this tenant, entity_key (NULL = the context's), causation and
   correlation ids from the cause, producer = the service, and destination
   (NULL or "" = the bus's routing table). It reaches the outbox in the
   effect's script. id_out (may be NULL) gets the message id. 0 or -1. */
int pacta_handler_emit(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, Pacta__V1__MessageKind kind,
                       const char *entity_key, const char *destination, char id_out[PACTA_HANDLER_ID_MAX + 1]);

/* Owes a timer of this service: `id` (deterministic, e.g.
   "c:C-1/invoice.overdue/F-1/2025-02-09"; characters outside
   [A-Za-z0-9._:/@+-] become '_'), firing at 00:00 Brussels of fires_on for
   this entity, with purpose and payload (borrowed JSON object, may be NULL)
   handed back to the timer handler. Scheduled right after the commit. 0 or -1. */
int pacta_handler_schedule_timer(pacta_handler_ctx_t *ctx, const char *id, pacta_date_t fires_on,
                                 const char *purpose, const json_t *payload);
/* Owes the cancellation of a timer of this service. 0 or -1. */
int pacta_handler_cancel_timer(pacta_handler_ctx_t *ctx, const char *id);
/* Owes ZADD pacta:{ix:<tenant>}:<index> score member. 0 or -1. */
int pacta_handler_index_zadd(pacta_handler_ctx_t *ctx, const char *index, const char *member, double score);
/* Owes ZREM pacta:{ix:<tenant>}:<index> member (a proposal answered). 0 or -1. */
int pacta_handler_index_zrem(pacta_handler_ctx_t *ctx, const char *index, const char *member);
/* Owes HSET pacta:{ix:<tenant>}:<index> field value. 0 or -1. */
int pacta_handler_index_hset(pacta_handler_ctx_t *ctx, const char *index, const char *field, const char *value);
/* Owes HSET pacta:<tenant>:{<entity_key>}:<suffix> field value on ANOTHER
   entity of the tenant, then a retry of that entity's parked facts (a
   lookup key other facts wait for). 0 or -1. */
int pacta_handler_link(pacta_handler_ctx_t *ctx, const char *entity_key, const char *suffix, const char *field,
                       const char *value);

/* Parks the fact: it waits (ACKed) until a later effect on the same entity
   lets it apply. waiting_for is one human phrase ("invoice F-1"). Anything
   else the handler added is discarded. Returns 0 (return it). */
int pacta_handler_park(pacta_handler_ctx_t *ctx, const char *waiting_for);

/* Refuses the fact: NACK with reason, the offending field path (may be NULL)
   and one sentence. Returns -1 (return it). */
int pacta_handler_refuse(pacta_handler_ctx_t *ctx, Pacta__V1__NackReason reason, const char *field,
                         const char *detail_fmt, ...) __attribute__((format(printf, 4, 5)));

/* Refuses, unless the tenant has contract_id: the contracts service's
   document pacta:<tenant>:{c:<contract_id>}:contract exists (a read outside
   the effect, like any lookup). For the services that do not own contracts
   (invoicing, enforcement) and consume the same facts: each must refuse what
   the others refuse, or one would commit what the NACK says was refused.
   0 when it exists; -1 after refusing UNKNOWN_ENTITY naming "contract_id"
   (a contract signed under another tenant is unknown to this one), or
   RETRY_LATER when Redis cannot answer (return it). */
int pacta_handler_require_contract(pacta_handler_ctx_t *ctx, const char *contract_id);

/* ---- small helpers for handlers ------------------------------------------ */

/* pacta.v1.Date -> date; NULL or impossible give PACTA_DATE_INVALID. */
pacta_date_t pacta_handler_date(const Pacta__V1__Date *date);
/* date -> *out (initialised here); PACTA_DATE_INVALID gives 0-0-0. */
void pacta_handler_set_date(Pacta__V1__Date *out, pacta_date_t date);
/* "YYYY-MM-DD" of date, or "" for PACTA_DATE_INVALID, into buf. Returns buf. */
char *pacta_handler_date_text(pacta_date_t date, char *buf, size_t size);

#ifdef __cplusplus
}
#endif

#endif
