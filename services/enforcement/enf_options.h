/*  =========================================================================
    enf_options - CC-7: options and à-la-carte services start only once
    their invoice is paid in full

      OptionOrdered       the ordered work, withheld while its invoice is unpaid
      InvoiceIssued       links an ordered item to the invoice that bills it
      InvoicePaid         releases the work on the day of full payment
    =========================================================================
*/
#ifndef ENF_OPTIONS_H_INCLUDED
#define ENF_OPTIONS_H_INCLUDED

#include <jansson.h>

#include "pacta/v1/invoicing.pb-c.h"
#include "pacta_handler.h"

#ifdef __cplusplus
extern "C" {
#endif

int enf_on_option_ordered(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg);

/* InvoiceIssued (documents: enforcement, the invoice already tracked in
   doc): the ordered items it bills wait for it; WorkWithheld. 0 or -1. */
int enf_options_invoice_issued(pacta_handler_ctx_t *ctx, json_t *doc, const Pacta__V1__InvoiceIssued *msg);
/* InvoicePaid (the invoice marked paid in doc): the work it pays for is
   released that day; WorkReleased. 0 or -1. */
int enf_options_invoice_paid(pacta_handler_ctx_t *ctx, json_t *doc, const char *invoice_id);

#ifdef __cplusplus
}
#endif

#endif
