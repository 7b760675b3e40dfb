/*  =========================================================================
    inv_ledger - helpers the invoicing handlers share (internal)

    The ledger document (docs/state.md §3, P:ledger) is read and written by
    inv_handlers.c (invoices, payments), inv_periodic.c (CC-3a anniversary
    invoices) and inv_late.c (reminders, formal notices, late charges).
    These helpers keep its fixed members in one place.
    =========================================================================
*/
#ifndef INV_LEDGER_H_INCLUDED
#define INV_LEDGER_H_INCLUDED

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "pacta_handler.h"

#ifdef __cplusplus
extern "C" {
#endif

#define INV_LEDGER_DOC "ledger"

/* The ledger of contract_id with its fixed members in place (borrowed). */
json_t *inv_ledger(pacta_handler_ctx_t *ctx, const char *contract_id);
/* Appends a "fact" audit entry. */
void inv_audit_fact(pacta_handler_ctx_t *ctx, const char *summary, pacta_date_t date, int64_t cents, const char *ref);
/* The InvoiceKind as the ledger stores it ("periodic", "service", "deposit",
   "charges") and back (0 when unknown). */
const char *inv_kind_name(int kind, char *buf, size_t size);
int inv_kind_value(const char *name);
/* SG-8e: the due date that counts for an invoice of the ledger: the one a
   resolved dispute (upheld or corrected) set, else its own. */
pacta_date_t inv_effective_due_on(const json_t *invoice);
/* What the client owes on the invoice: its total less the credit notes
   issued against it (SG-8e), never negative. */
int64_t inv_amount_owed(const json_t *invoice);
/* 0, or -1 after refusing a message whose entity key is not c:<contract_id>. */
int inv_check_entity(pacta_handler_ctx_t *ctx, const char *contract_id);

#ifdef __cplusplus
}
#endif

#endif
