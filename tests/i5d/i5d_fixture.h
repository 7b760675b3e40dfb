/*  =========================================================================
    i5d_fixture - the invoicing-gap suites' tenants, store and runtime

    Each test process gets tenants of its own, copies of the shipped
    profiles renamed "<prefix><pid>": capconnect (CC-3a, VAT 21 %), sgevent
    (SG-2b, SG-8c, SG-8e), sgevent with SG-8c in mode `propose`, and the
    acme fixture (VAT 6 %, so a test sees that the rate comes from the
    profile). Everything runs on Redis database 5 of the test Redis.
    =========================================================================
*/
#ifndef I5D_FIXTURE_H_INCLUDED
#define I5D_FIXTURE_H_INCLUDED

#include <jansson.h>
#include <protobuf-c/protobuf-c.h>
#include <stddef.h>
#include <stdint.h>

#include "pacta/v1/envelope.pb-c.h"
#include "pacta_clock.h"
#include "pacta_runtime.h"
#include "pacta_store.h"

typedef enum {
    I5D_CAPCONNECT = 0,                /* deploy/profiles/capconnect.yaml */
    I5D_SGEVENT,                       /* deploy/profiles/sgevent.yaml */
    I5D_SGEVENT_PROPOSE,               /* sgevent, SG-8c in mode propose */
    I5D_ACME,                          /* tests/fixtures/profiles/acme.yaml */
    I5D_TENANT_COUNT
} i5d_tenant_t;

typedef struct {
    pacta_store_t *store;              /* database 5 of the test Redis */
    pacta_profile_set_t *profiles;     /* the tenants' profiles */
    pacta_clock_t *clock;              /* test clock */
    pacta_runtime_t *invoicing;        /* invoicing's handlers through the shell */
    char service[32];                  /* this process's service name: outbox keys are per service */
} i5d_t;

/* The tenant name of this process for which. */
const char *i5d_tenant(i5d_tenant_t which);
/* Sets up / tears down everything above (Criterion .init / .fini). */
void i5d_setup(i5d_t *self);
void i5d_teardown(i5d_t *self);

/* Writes the contract document the contracts service would have written
   (invoicing refuses invoices of unknown contracts). */
void i5d_contract_exists(i5d_t *self, const char *tenant, const char *contract_id);
/* Sets the tenant's test clock to 00:00 Brussels of day ("2025-03-01"). */
void i5d_clock(i5d_t *self, const char *tenant, const char *day);
/* Hands payload to invoicing on c:<contract_id>; the test fails on a NACK. */
void i5d_send(i5d_t *self, const char *tenant, const char *contract_id, const char *message_id,
              const ProtobufCMessage *payload);
/* The same, returning the result instead of failing. */
void i5d_send_result(i5d_t *self, const char *tenant, const char *contract_id, const char *message_id,
                     const ProtobufCMessage *payload, pacta_runtime_result_t *result);
/* The messages of descriptor's type invoicing emitted on c:<contract_id>,
   oldest first, unpacked (free each with protobuf_c_message_free_unpacked);
   returns how many (at most max). */
size_t i5d_emitted(i5d_t *self, const char *tenant, const char *contract_id,
                   const ProtobufCMessageDescriptor *descriptor, ProtobufCMessage **out, size_t max);
/* Hands every message of descriptor's type invoicing emitted on
   c:<contract_id> back to invoicing (as the bus would: invoicing consumes
   the invoices it issues); returns how many. The test fails on a NACK. */
size_t i5d_forward(i5d_t *self, const char *tenant, const char *contract_id,
                   const ProtobufCMessageDescriptor *descriptor);
/* Frees what i5d_emitted returned. */
void i5d_free_all(ProtobufCMessage **messages, size_t count);
/* The ledger document of the contract (caller decrefs); fails when absent. */
json_t *i5d_ledger(i5d_t *self, const char *tenant, const char *contract_id);
/* The audit entries of the contract (array of objects, caller decrefs). */
json_t *i5d_audit(i5d_t *self, const char *tenant, const char *contract_id);

#endif
