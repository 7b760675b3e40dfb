/*  =========================================================================
    ntf_delivery - the delivery worker: claims due notices, sends them by
    e-mail (SMTP, libcurl) or webhook (HTTP POST, HMAC-signed) and records
    every attempt

    Any instance runs one; due notices are claimed with a lease in a Lua
    script (services/notifications/lua/ntf_claim.lua), so scaled instances
    share the work and a crashed one's notices come back after the lease.
    Each attempt's outcome is recorded through a runtime of its own
    (pacta_runtime.h) as an internal NotificationDelivered/Failed envelope:
    the same compare-and-set, dedup and outbox as every other effect.

        ntf_delivery_options_t options = {.store = store, ...};
        ntf_delivery_t *delivery = ntf_delivery_new(&options, err, sizeof err);
        ntf_delivery_run(delivery, now_ms, 16);     // from on_tick
        ntf_delivery_destroy(&delivery);
    =========================================================================
*/
#ifndef NTF_DELIVERY_H_INCLUDED
#define NTF_DELIVERY_H_INCLUDED

#include <stddef.h>
#include <stdint.h>

#include "ntf_handlers.h"
#include "pacta_clock.h"
#include "pacta_metrics.h"
#include "pacta_profile.h"
#include "pacta_store.h"

#ifdef __cplusplus
extern "C" {
#endif

#define NTF_EMAIL_MAX 320              /* longest e-mail address accepted from the vault */

typedef enum {
    NTF_CONTACT_FOUND = 0,             /* *email filled */
    NTF_CONTACT_NONE,                  /* no address held: permanent failure */
    NTF_CONTACT_ERASED,                /* subject erased: permanent failure */
    NTF_CONTACT_RESTRICTED,            /* processing restricted: permanent failure */
    NTF_CONTACT_TAMPERED,              /* the sealed record failed authentication: permanent failure */
    NTF_CONTACT_FAILED                 /* vault unreachable or damaged: retry */
} ntf_contact_status_t;

/* Looks up the e-mail address of subject_id (the vault's narrow lookup).
   Never logs or stores the address. */
typedef ntf_contact_status_t (*ntf_contact_fn)(void *arg, pacta_store_t *store, const char *tenant,
                                               const char *subject_id, char *email, size_t email_size, char *err,
                                               size_t err_size);

typedef struct {
    pacta_store_t *store;              /* borrowed; required */
    const pacta_profile_set_t *profiles; /* borrowed: the tenants served; required */
    pacta_clock_t *clock;              /* borrowed; required */
    pacta_metrics_t *metrics;          /* borrowed; may be NULL */
    const ntf_config_t *config;        /* borrowed: templates and retry schedule; required */
    const char *instance_id;           /* for logs and the runtime; may be NULL */
    ntf_contact_fn contact;            /* address lookup; NULL = every e-mail fails permanently */
    void *contact_arg;                 /* passed to contact */
    const char *smtp_url;              /* smtp://host:port; NULL = no e-mail (attempts fail, retried) */
    const char *smtp_from;             /* envelope and From: address */
    const char *smtp_username;         /* may be NULL */
    const char *smtp_password;         /* may be NULL */
    const char *smtp_tls;              /* "none", "starttls" (if offered) or "required" */
    const char *webhook_url;           /* http(s)://...; NULL = no webhooks */
    const unsigned char *webhook_secret; /* HMAC key */
    size_t webhook_secret_len;         /* bytes of webhook_secret */
    const char *operator_email;        /* alert address for dead-lettered notices; NULL = log and metric only */
    int64_t lease_ms;                  /* claim lease; 0 = 60000 */
    int64_t send_timeout_ms;           /* per SMTP/HTTP exchange; 0 = 20000 */
} ntf_delivery_options_t;

typedef struct ntf_delivery ntf_delivery_t;

/* NULL with a reason in err. */
ntf_delivery_t *ntf_delivery_new(const ntf_delivery_options_t *options, char *err, size_t err_size);
/* Safe on NULL and twice. */
void ntf_delivery_destroy(ntf_delivery_t **self_p);
/* Claims and attempts up to max due notices over all tenants (now_ms: wall
   clock). Returns the number of attempts made, -1 when Redis failed. */
int ntf_delivery_run(ntf_delivery_t *self, int64_t now_ms, size_t max);

/* The raw RFC 5322 message of an e-mail notice (CRLF line ends; subject
   RFC 2047-encoded when not ASCII; Message-ID "<notification_id@pacta>").
   A new string (free()), NULL when out of memory. Pure: for tests. */
char *ntf_email_message(const char *from, const char *to, const char *subject, const char *body,
                        const char *notification_id, const char *language, int64_t now_ms);

#ifdef __cplusplus
}
#endif

#endif
