/*  The pure parts of a notice: ids, typed parameters, the backoff schedule,
    the webhook signature (checked against an independent HMAC-SHA256
    vector) and the e-mail's headers. */
#include <criterion/criterion.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "ntf_delivery.h"
#include "ntf_notice.h"
#include "pacta/v1/enforcement.pb-c.h"

static void
s_init(void)
{
    cr_assert_geq(sodium_init(), 0);
}

TestSuite(ntf_notice, .init = s_init);

Test(ntf_notice, ids_are_deterministic_per_decision_and_channel)
{
    char a[NTF_ID_MAX + 1], b[NTF_ID_MAX + 1], c[NTF_ID_MAX + 1];
    cr_assert_eq(ntf_notification_id("enforcement-0123456789abcdef", "email", a, sizeof a), 0);
    cr_assert_eq(ntf_notification_id("enforcement-0123456789abcdef", "email", b, sizeof b), 0);
    cr_assert_eq(ntf_notification_id("enforcement-0123456789abcdef", "webhook", c, sizeof c), 0);
    cr_assert_str_eq(a, b);
    cr_assert_str_neq(a, c);
    cr_assert_eq(strncmp(a, "n-", 2), 0);
    cr_assert(strstr(a, "-email"));
    cr_assert_eq(strlen(a), 2 + 24 + 6);
    char tiny[8];
    cr_assert_eq(ntf_notification_id("x", "email", tiny, sizeof tiny), -1);
}

Test(ntf_notice, template_ids_follow_the_type_name)
{
    char buf[64];
    cr_assert_eq(ntf_template_id_for_type("pacta.v1.InvoiceOverdue", buf, sizeof buf), 0);
    cr_assert_str_eq(buf, "invoice-overdue");
    cr_assert_eq(ntf_template_id_for_type("pacta.v1.Suspend", buf, sizeof buf), 0);
    cr_assert_str_eq(buf, "suspend");
    cr_assert_eq(ntf_template_id_for_type("other.Suspend", buf, sizeof buf), -1);
}

Test(ntf_notice, backoff_doubles_up_to_the_cap)
{
    cr_assert_eq(ntf_backoff_ms(1, 5000, 60000), 5000);
    cr_assert_eq(ntf_backoff_ms(2, 5000, 60000), 10000);
    cr_assert_eq(ntf_backoff_ms(3, 5000, 60000), 20000);
    cr_assert_eq(ntf_backoff_ms(4, 5000, 60000), 40000);
    cr_assert_eq(ntf_backoff_ms(5, 5000, 60000), 60000);
    cr_assert_eq(ntf_backoff_ms(500, 5000, 60000), 60000, "no overflow after many attempts");
}

Test(ntf_notice, webhook_signature_is_hmac_sha256_over_timestamp_dot_body)
{
    /* expected value computed independently:
       python3 -c 'import hmac,hashlib; print(hmac.new(b"Jefe", b"1739059200.{\"notification_id\":\"n-1\"}",
                                                     hashlib.sha256).hexdigest())' */
    const char *body = "{\"notification_id\":\"n-1\"}";
    char hex[NTF_SIGNATURE_HEX + 1];
    cr_assert_eq(ntf_webhook_signature((const unsigned char *) "Jefe", 4, "1739059200", body, strlen(body), hex), 0);
    cr_assert_str_eq(hex, "837a862721960d04f73f57367abb8a5fee8a0b9227e182a0d08194ac22b1b9dc");
    cr_assert_eq(ntf_webhook_signature((const unsigned char *) "Jefe", 4, "1739059201", body, strlen(body), hex), 0);
    cr_assert_str_neq(hex, "837a862721960d04f73f57367abb8a5fee8a0b9227e182a0d08194ac22b1b9dc", "the timestamp is signed too");
}

Test(ntf_notice, params_of_a_decision_are_typed)
{
    Pacta__V1__Suspend suspend = PACTA__V1__SUSPEND__INIT;
    Pacta__V1__Date from = PACTA__V1__DATE__INIT;
    from.year = 2025;
    from.month = 2;
    from.day = 9;
    char *invoices[] = {"F-1", "F-2"};
    suspend.contract_id = "C-1";
    suspend.suspended_from = &from;
    suspend.reason = PACTA__V1__SUSPENSION_REASON__SUSPENSION_REASON_UNPAID_INVOICE;
    suspend.n_invoice_ids = 2;
    suspend.invoice_ids = invoices;
    json_t *params = ntf_params_from_message(&suspend.base);
    cr_assert_not_null(params);
    char *text = json_dumps(params, JSON_SORT_KEYS | JSON_COMPACT);
    cr_assert(strstr(text, "\"suspended_from\":{\"type\":\"date\",\"value\":\"2025-02-09\"}"), "%s", text);
    cr_assert(strstr(text, "\"invoice_ids\":{\"type\":\"text\",\"value\":\"F-1, F-2\"}"), "%s", text);
    cr_assert(strstr(text, "\"reason\":{\"type\":\"text\",\"value\":\"unpaid_invoice\"}"), "%s", text);
    cr_assert_null(strstr(text, "explanation"), "%s", text);
    free(text);
    json_decref(params);
}

Test(ntf_notice, email_carries_the_notification_id_as_message_id)
{
    char *message = ntf_email_message("pacta@example.be", "client@example.be", "Opschorting van uw diensten é",
                                      "line 1\nline 2\n", "n-abc-email", "nl", 1739059200000LL);
    cr_assert_not_null(message);
    cr_assert(strstr(message, "Message-ID: <n-abc-email@pacta>\r\n"), "%s", message);
    cr_assert(strstr(message, "Subject: =?UTF-8?B?"), "non-ASCII subject is encoded: %s", message);
    cr_assert(strstr(message, "Content-Language: nl\r\n"), "%s", message);
    cr_assert(strstr(message, "\r\n\r\nline 1\r\nline 2\r\n"), "%s", message);
    free(message);
}
