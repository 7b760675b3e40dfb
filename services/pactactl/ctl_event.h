/*  =========================================================================
    ctl_event - one event as an operator writes it in JSON, made into the
    envelope pactactl sends to the bus

    The JSON form (docs/events-json.md):

      {"type": "InvoiceIssued",          short or full name "pacta.v1.InvoiceIssued"
       "tenant": "capconnect",           or the --tenant default
       "id": "acc-2025-0042",            message id; generated from the content when absent
       "entity": "c:C-1",                routing key; derived from the payload when absent
       "event": {...},                   the payload in pacta_pbjson's JSON form
       "kind": "event",                  event | command | decision; default from the type
       "destination": "invoicing",       one service class only; default: the bus's routing table
       "producer": "accounting",         default "pactactl"
       "occurred_at": "2025-02-01",      envelope instant; default now
       "comment": "..."}                 ignored (scenario files say why a line is there)

    Decisions: a generated id is a digest of tenant, type, entity and the
    packed payload, so sending or replaying the same event twice gives the
    same id and the consumers acknowledge the second as a duplicate. Every
    check the bus would make on the envelope is made here first, so an
    event refused for its form is refused before anything is sent.
    =========================================================================
*/
#ifndef CTL_EVENT_H_INCLUDED
#define CTL_EVENT_H_INCLUDED

#include <jansson.h>
#include <protobuf-c/protobuf-c.h>
#include <stdbool.h>
#include <stddef.h>

#include "pacta/v1/envelope.pb-c.h"

#define CTL_EVENT_MAX_BYTES (1024 * 1024)  /* largest JSON text of one event */
#define CTL_EVENT_ID_MAX 64                /* message id bytes (the bus's limit) */
#define CTL_EVENT_ENTITY_MAX 256           /* entity key bytes (the bus's limit) */

typedef struct ctl_event ctl_event_t;

/* Builds an event from a JSON object (form above). default_tenant (may be
   NULL) applies when the object has no "tenant". NULL with one line
   "field: what is wrong" in err ("event.due_on: must be a date like ..."). */
ctl_event_t *ctl_event_from_json(const json_t *object, const char *default_tenant, char *err, size_t err_size);
/* Parses len bytes of JSON text holding one object, then builds it. A
   syntax error reads "line L, column C: what jansson says". */
ctl_event_t *ctl_event_parse(const char *text, size_t len, const char *default_tenant, char *err, size_t err_size);
/* Builds an event around a payload pactactl made itself (ownership of
   payload passes to the event, also on failure). message_id and
   entity_key are required; destination may be NULL. */
ctl_event_t *ctl_event_from_message(ProtobufCMessage *payload, const char *tenant, const char *message_id,
                                    const char *entity_key, const char *destination, Pacta__V1__MessageKind kind,
                                    char *err, size_t err_size);
/* Safe on NULL and twice. */
void ctl_event_destroy(ctl_event_t **self_p);

/* The envelope, payload packed, ready for pacta_bus_producer_send(). */
const Pacta__V1__Envelope *ctl_event_envelope(const ctl_event_t *self);
/* The decoded payload. */
const ProtobufCMessage *ctl_event_payload(const ctl_event_t *self);
/* "InvoiceIssued". */
const char *ctl_event_short_type(const ctl_event_t *self);
/* True when the message id was generated from the content. */
bool ctl_event_id_generated(const ctl_event_t *self);

/* The entity key a payload's own fields give, for tenant: "c:<contract_id>",
   "s:<subject_id>" for personal data and data-subject requests,
   "c:<sponsor_contract_id>" for a referral, "p:<structured
   communication>" for a payment, "clock:<tenant>" for a clock move. 0, or
   -1 with "event.<field>: ..." in err when no field gives one. */
int ctl_event_derive_entity(const ProtobufCMessage *payload, const char *tenant, char *out, size_t size, char *err,
                            size_t err_size);
/* The envelope kind a type has unless the JSON says otherwise: COMMAND for
   DecisionApproved, DecisionRejected, NotificationRequested,
   TestClockAdvanced, TimerSet, TimerCancelled; EVENT for the rest. */
Pacta__V1__MessageKind ctl_event_default_kind(const char *full_type);
/* The descriptor for "InvoiceIssued" or "pacta.v1.InvoiceIssued"; NULL
   with a reason (and a close name when there is one) in err. */
const ProtobufCMessageDescriptor *ctl_event_find_type(const char *name, char *err, size_t err_size);

#endif
