/*  bus_test_service - a service built on pacta_service_main() that consumes
    from the bus, for test_bus_system: it ACKs (entity version 42), refuses
    ids starting with "refuse" (UNKNOWN_ENTITY) and leaves ids starting with
    "silent" unanswered, which the shared main must refuse on its own. */
#include <string.h>

#include "pacta_service.h"

static const char *const s_consumes[] = {"pacta.test.Counter", NULL};

/* Answers one delivery according to its message id. */
static void
s_on_message(pacta_service_t *svc, pacta_bus_delivery_t **delivery_p, void *arg)
{
    (void) arg;
    const Pacta__V1__Envelope *envelope = pacta_bus_delivery_envelope(*delivery_p);
    if (strncmp(envelope->message_id, "silent", 6) == 0)
        return;
    if (strncmp(envelope->message_id, "refuse", 6) == 0)
        pacta_bus_worker_nack(pacta_service_bus_worker(svc), delivery_p,
                              PACTA__V1__NACK_REASON__NACK_REASON_UNKNOWN_ENTITY, "contract_id", "no such contract", 0);
    else
        pacta_bus_worker_ack(pacta_service_bus_worker(svc), delivery_p, false, 42);
}

static const pacta_service_spec_t s_spec = {
    .name = "test-service",
    .summary = "Test service consuming from the bus",
    .default_http_port = 8099,
    .consumes = s_consumes,
    .on_message = s_on_message,
};

int
main(int argc, char **argv)
{
    return pacta_service_main(&s_spec, argc, argv);
}
