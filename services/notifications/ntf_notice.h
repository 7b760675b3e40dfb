/*  =========================================================================
    ntf_notice - the pure parts of a notice: its id, its typed parameters,
    the retry schedule and the webhook signature

    Nothing here reads the clock, Redis or the network, so the handlers
    (which must be pure, pacta_handler.h) and the delivery worker share one
    definition of each, and the unit tests pin them down.
    =========================================================================
*/
#ifndef NTF_NOTICE_H_INCLUDED
#define NTF_NOTICE_H_INCLUDED

#include <jansson.h>
#include <protobuf-c/protobuf-c.h>
#include <stddef.h>
#include <stdint.h>

#include "pacta/v1/types.pb-c.h"

#ifdef __cplusplus
extern "C" {
#endif

#define NTF_ID_MAX 64                  /* longest notification id, NUL excluded */
#define NTF_SIGNATURE_HEX 64           /* hex digits of an HMAC-SHA256 */

/* The notification id of the notice a decision (its message id) owes on a
   channel ("email", "webhook", "registered_letter"): "n-<24 hex>-<channel>",
   a hash of both, so a redelivered decision names the same notice. 0 or -1. */
int ntf_notification_id(const char *cause_id, const char *channel, char *buf, size_t size);

/* Template id of a decision type: "pacta.v1.InvoiceOverdue" -> "invoice-overdue". 0 or -1. */
int ntf_template_id_for_type(const char *message_type, char *buf, size_t size);

/* The typed parameters of a decision: every scalar field of message by
   name -> {"type": "text"|"date"|"money"|"bp"|"int"|"flag", "value": ...}
   (money and bp integers; dates "YYYY-MM-DD"; enums their JSON name;
   repeated strings one text "a, b"). Sub-messages other than Date, Money
   and BasisPoints (the explanation, invoice lines) are left out. A new
   object; NULL only when out of memory. */
json_t *ntf_params_from_message(const ProtobufCMessage *message);
/* The same from NamedValues (NotificationRequested.parameters). */
json_t *ntf_params_from_named(Pacta__V1__NamedValue *const *values, size_t count);
/* {"rule_id", "clause", "sentence_fr", "sentence_en"} of an explanation
   (NULL gives {}). A new object; NULL only when out of memory. */
json_t *ntf_explanation_json(const Pacta__V1__Explanation *explanation);

/* Delay before the retry that follows failed attempt number `attempts`
   (1 = the first attempt failed): initial_ms * 2^(attempts-1), capped at
   max_ms. */
int64_t ntf_backoff_ms(int attempts, int64_t initial_ms, int64_t max_ms);

/* Webhook signature: lower-case hex HMAC-SHA256 (libsodium
   crypto_auth_hmacsha256) under secret over "<timestamp>.<body>". 0 or -1. */
int ntf_webhook_signature(const unsigned char *secret, size_t secret_len, const char *timestamp, const char *body,
                          size_t body_len, char hex_out[NTF_SIGNATURE_HEX + 1]);

#ifdef __cplusplus
}
#endif

#endif
