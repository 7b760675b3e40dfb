/*  =========================================================================
    pacta_facts - the checks every consumer of a fact applies alike

    A fact routed to two services (InvoiceIssued goes to invoicing and to
    enforcement) is committed by each on its own; the bus answers NACK when
    either refuses. If one accepted what the other refused, the refused fact
    would be half-applied: one service would have recorded it, and the
    corrected fact, sent again with the same id, would be a conflict there.
    So the refusals that depend only on the fact and the tenant live here,
    and both handlers call them before anything else.
    =========================================================================
*/
#ifndef PACTA_FACTS_H_INCLUDED
#define PACTA_FACTS_H_INCLUDED

#include "pacta/v1/invoicing.pb-c.h"
#include "pacta_date.h"
#include "pacta_handler.h"
#include "pacta_sc.h"

#define PACTA_FACTS_ENTITY_KEY_MAX 257 /* "c:<id>" with its NUL: the bus's entity-key limit + 1 */

/* The envelope's entity key must be the one the message is about:
   "c:<contract id>" (kind 'c') or "s:<subject id>" (kind 's'). 0, or -1
   after pacta_handler_refuse(): INVALID naming `field` when the id is too
   long for an entity key, "envelope.entity_key" when the key is another. */
int pacta_facts_check_entity(pacta_handler_ctx_t *ctx, char kind, const char *id, const char *field);

/* InvoiceIssued: the contract exists for the tenant, the ids fit, the total
   is not negative, a printed due date is not before the issue date and the
   due date can be known (printed, or from the terms), the structured
   communication (when given) has valid check digits. 0 with the due date in
   *due_on and the communication's 12 digits in sc ("" when not given); or -1
   after pacta_handler_refuse() naming the field (return it). */
int pacta_facts_check_invoice_issued(pacta_handler_ctx_t *ctx, const Pacta__V1__InvoiceIssued *msg,
                                     pacta_date_t *due_on, char sc[PACTA_SC_SIZE]);

#endif
