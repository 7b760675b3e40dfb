/*  =========================================================================
    pacta_facts - the checks every consumer of a fact applies alike

    Design decision: these checks read only the fact, the tenant's profile
    and whether the contract exists; never a service's own document. That is
    what makes every consumer reach the same verdict on the same fact, in any
    order and on any instance.
    =========================================================================
*/
#include "pacta_facts.h"

#include <assert.h>
#include <string.h>

#include "pacta_decision.h"
#include "rules_cc.h"

int
pacta_facts_check_entity(pacta_handler_ctx_t *ctx, char kind, const char *id, const char *field)
{
    assert(ctx && id && field && (kind == 'c' || kind == 's'));
    const char *noun = kind == 'c' ? "contract" : "subject";
    char expected[PACTA_FACTS_ENTITY_KEY_MAX];
    if (snprintf(expected, sizeof expected, "%c:%s", kind, id) >= (int) sizeof expected)
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_INVALID, field,
                                    "%s id is longer than %d characters", noun, (int) sizeof expected - 3);
    if (strcmp(expected, pacta_handler_entity_key(ctx)) != 0)
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_INVALID, "envelope.entity_key",
                                    "entity_key must be %s for %s %s, got %s", expected, noun, id,
                                    pacta_handler_entity_key(ctx));
    return 0;
}

int
pacta_facts_check_invoice_issued(pacta_handler_ctx_t *ctx, const Pacta__V1__InvoiceIssued *msg,
                                 pacta_date_t *due_on, char sc[PACTA_SC_SIZE])
{
    assert(ctx && msg && due_on && sc);
    sc[0] = '\0';
    if (strlen(msg->invoice_id) >= PACTA_REF_SIZE || strlen(msg->contract_id) >= PACTA_REF_SIZE)
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_INVALID, "invoice_id",
                                    "invoice and contract ids are at most %d bytes", PACTA_REF_SIZE - 1);
    if (pacta_handler_require_contract(ctx, msg->contract_id) != 0)
        return -1;
    if (!msg->total_incl_vat || msg->total_incl_vat->cents < 0)
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_INVALID, "total_incl_vat",
                                    "total_incl_vat: must not be negative (a credit is a credit note)");
    const pacta_date_t issued_on = pacta_handler_date(msg->issued_on);
    const pacta_date_t printed_due = pacta_handler_date(msg->due_on);
    if (pacta_date_is_valid(printed_due) && printed_due < issued_on)
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_INVALID, "due_on",
                                    "due_on: the due date is before the issue date");
    *due_on = pacta_cc_invoice_due_on(pacta_handler_profile(ctx), issued_on, printed_due);
    if (!pacta_date_is_valid(*due_on))
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_INVALID, "due_on",
                                    "due_on: missing, and the terms give no payment term to compute it");
    if (msg->structured_communication[0] && pacta_sc_normalise(msg->structured_communication, sc) != 0)
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_INVALID, "structured_communication",
                                    "structured_communication: \"%.40s\" is not 12 digits with mod-97 check digits",
                                    msg->structured_communication);
    return 0;
}
