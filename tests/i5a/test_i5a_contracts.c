/*  The contracts service's clause handlers through the service shell
    in-process (pacta_runtime over the test Redis), for what the worked
    examples do not show: SG-4b fees of an unobserved notice, refusals
    (an ordinary letter for CC-2c), and malformed or unknown input refused
    with the field named and nothing written. Each test process runs on
    tenants of its own (copies of capconnect and sgevent renamed
    "cc<pid>t<time>" / "sg<pid>t<time>"), so parallel tests never meet. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ctr_handlers.h"
#include "ctr_service.h"
#include "pacta/v1/contracts.pb-c.h"
#include "pacta/v1/offers.pb-c.h"
#include "pacta_clock.h"
#include "pacta_runtime.h"
#include "../shell/shell_fixture.h"

static char s_cc[32];     /* capconnect's copy */
static char s_sg[32];     /* sgevent's copy */
static char s_dir[300];   /* where they are */

static void
s_fini(void)
{
    sf_cleanup_all();
}

TestSuite(i5a_contracts, .fini = s_fini, .timeout = 60);

static void
s_copy_profile(const char *name, const char *tenant)
{
    char source[512], target[700];
    snprintf(source, sizeof source, "%s/deploy/profiles/%s.yaml", PACTA_SOURCE_DIR, name);
    snprintf(target, sizeof target, "%s/%s.yaml", s_dir, tenant);
    FILE *in = fopen(source, "r");
    FILE *out = fopen(target, "w");
    cr_assert(in && out);
    char line[1024];
    bool renamed = false;
    while (fgets(line, sizeof line, in)) {
        if (!renamed && strncmp(line, "tenant:", 7) == 0) {
            fprintf(out, "tenant: %s\n", tenant);
            renamed = true;
        }
        else
            fputs(line, out);
    }
    fclose(in);
    fclose(out);
    cr_assert(renamed);
}

typedef struct {
    pacta_store_t *store;              /* the test Redis */
    pacta_profile_set_t *profiles;     /* the two copies */
    pacta_clock_t *clock;              /* tenant clocks */
    pacta_runtime_t *rt;               /* contracts' shell */
} fixture_t;

static void
s_start(fixture_t *f)
{
    long stamp = (long) (time(NULL) % 1000000);
    snprintf(s_cc, sizeof s_cc, "cc%ldt%ld", (long) getpid(), stamp);
    snprintf(s_sg, sizeof s_sg, "sg%ldt%ld", (long) getpid(), stamp);
    snprintf(s_dir, sizeof s_dir, "/tmp/i5a-contracts-%ld", (long) getpid());
    mkdir(s_dir, 0700);
    s_copy_profile("capconnect", s_cc);
    s_copy_profile("sgevent", s_sg);
    char err[512];
    f->profiles = pacta_profile_set_load_dir(s_dir, err, sizeof err);
    cr_assert_not_null(f->profiles, "%s", err);
    f->store = sf_store();
    f->clock = pacta_clock_new(PACTA_CLOCK_TEST, f->store);
    cr_assert_not_null(f->clock);
    pacta_runtime_options_t options = {.service = "contracts", .consumes = ctr_service_spec()->consumes,
                                       .handlers = &ctr_handlers, .store = f->store, .profiles = f->profiles,
                                       .clock = f->clock};
    f->rt = pacta_runtime_new(&options, err, sizeof err);
    cr_assert_not_null(f->rt, "%s", err);
}

static void
s_stop(fixture_t *f)
{
    pacta_runtime_destroy(&f->rt);
    pacta_clock_destroy(&f->clock);
    pacta_profile_set_destroy(&f->profiles);
    pacta_store_destroy(&f->store);
    char path[400];
    snprintf(path, sizeof path, "%s/%s.yaml", s_dir, s_cc);
    unlink(path);
    snprintf(path, sizeof path, "%s/%s.yaml", s_dir, s_sg);
    unlink(path);
    rmdir(s_dir);
}

static pacta_runtime_result_t
s_handle(fixture_t *f, const char *tenant, const char *contract_id, const char *message_id,
         const ProtobufCMessage *payload)
{
    char entity[80];
    snprintf(entity, sizeof entity, "c:%s", contract_id);
    Pacta__V1__Envelope *env = sf_envelope(tenant, entity, message_id, payload);
    pacta_runtime_result_t result;
    cr_assert_eq(pacta_runtime_handle(f->rt, env, &result), 0);
    sf_envelope_free(env);
    return result;
}

static void
s_sign(fixture_t *f, const char *tenant, const char *contract_id, Pacta__V1__ContractKind kind, int64_t fee,
       const char *signed_on)
{
    Pacta__V1__Client client = PACTA__V1__CLIENT__INIT;
    client.client_id = (char *) "CL-1";
    client.subject_id = (char *) "S-1";
    client.kind = PACTA__V1__PARTY_KIND__PARTY_KIND_PROFESSIONAL;
    Pacta__V1__Date on;
    Pacta__V1__Money money;
    Pacta__V1__ContractSigned msg = PACTA__V1__CONTRACT_SIGNED__INIT;
    msg.contract_id = (char *) contract_id;
    msg.client = &client;
    msg.contract_kind = kind;
    msg.pack_code = (char *) (kind == PACTA__V1__CONTRACT_KIND__CONTRACT_KIND_SUBSCRIPTION_PACK ? "start" : "");
    msg.billing_period = PACTA__V1__BILLING_PERIOD__BILLING_PERIOD_MONTHLY;
    msg.recurring_fee = sf_money(&money, fee);
    msg.signed_on = sf_date(&on, signed_on);
    msg.channel = PACTA__V1__CHANNEL__CHANNEL_E_SIGNATURE;
    char id[120];
    snprintf(id, sizeof id, "sign-%s", contract_id);
    pacta_runtime_result_t result = s_handle(f, tenant, contract_id, id, &msg.base);
    cr_assert(result.ack, "%s: %s", result.field, result.detail);
}

static json_t *
s_contract(fixture_t *f, const char *tenant, const char *contract_id)
{
    char key[200];
    snprintf(key, sizeof key, "pacta:%s:{c:%s}:contract", tenant, contract_id);
    return sf_doc(f->store, key, NULL);
}

static json_t *
s_audit(fixture_t *f, const char *tenant, const char *contract_id)
{
    char key[200];
    snprintf(key, sizeof key, "pacta:%s:{c:%s}:audit", tenant, contract_id);
    return sf_audit(f->store, key);
}

Test(i5a_contracts, sg4b_leaving_before_the_notice_ends_owes_its_fees)
{
    fixture_t f;
    s_start(&f);
    s_sign(&f, s_sg, "R-1", PACTA__V1__CONTRACT_KIND__CONTRACT_KIND_RECURRING, 50000, "2025-01-15");
    Pacta__V1__Date sent, leaves;
    Pacta__V1__NoticeDelivery notice = PACTA__V1__NOTICE_DELIVERY__INIT;
    notice.channel = PACTA__V1__CHANNEL__CHANNEL_REGISTERED_LETTER;
    notice.sent_on = sf_date(&sent, "2025-04-24");
    Pacta__V1__TerminationNoticeGiven msg = PACTA__V1__TERMINATION_NOTICE_GIVEN__INIT;
    msg.contract_id = (char *) "R-1";
    msg.given_by = PACTA__V1__PARTY_ROLE__PARTY_ROLE_CLIENT;
    msg.notice = &notice;
    msg.leaves_on = sf_date(&leaves, "2025-06-01");
    pacta_runtime_result_t result = s_handle(&f, s_sg, "R-1", "notice-R-1", &msg.base);
    cr_assert(result.ack, "%s: %s", result.field, result.detail);
    json_t *doc = s_contract(&f, s_sg, "R-1");
    cr_expect_str_eq(json_string_value(json_object_get(doc, "ends_on")), "2025-07-31", "the notice still runs");
    cr_expect_str_eq(json_string_value(json_object_get(doc, "end_cause")), "notice");
    json_decref(doc);
    json_t *audit = s_audit(&f, s_sg, "R-1");
    json_t *charge = sf_audit_find(audit, "kind", "charge");
    cr_assert_not_null(charge, "the unobserved notice is charged");
    cr_expect_str_eq(json_string_value(json_object_get(charge, "rule_id")), "SG-4b");
    //  Two months of 500.00 are not observed (2025-06-01 ... 2025-07-31): about 1,000.00.
    long long cents = strtoll(json_string_value(json_object_get(charge, "amount_cents")), NULL, 10);
    cr_expect(cents > 90000 && cents < 110000, "unobserved fees %lld", cents);
    json_decref(audit);
    s_stop(&f);
}

Test(i5a_contracts, notice_for_an_unknown_contract_is_refused_and_writes_nothing)
{
    fixture_t f;
    s_start(&f);
    Pacta__V1__Date sent;
    Pacta__V1__NoticeDelivery notice = PACTA__V1__NOTICE_DELIVERY__INIT;
    notice.channel = PACTA__V1__CHANNEL__CHANNEL_REGISTERED_LETTER;
    notice.sent_on = sf_date(&sent, "2025-11-28");
    Pacta__V1__NonRenewalNoticeGiven msg = PACTA__V1__NON_RENEWAL_NOTICE_GIVEN__INIT;
    msg.contract_id = (char *) "NOBODY";
    msg.given_by = PACTA__V1__PARTY_ROLE__PARTY_ROLE_CLIENT;
    msg.notice = &notice;
    pacta_runtime_result_t result = s_handle(&f, s_cc, "NOBODY", "notice-nobody", &msg.base);
    cr_expect_not(result.ack);
    cr_expect_eq(result.reason, PACTA__V1__NACK_REASON__NACK_REASON_UNKNOWN_ENTITY);
    cr_expect_str_eq(result.field, "contract_id");
    char key[200];
    snprintf(key, sizeof key, "pacta:%s:{c:NOBODY}:contract", s_cc);
    cr_expect_not(sf_exists(f.store, key));
    snprintf(key, sizeof key, "pacta:%s:{c:NOBODY}:audit", s_cc);
    cr_expect_not(sf_exists(f.store, key));

    //  A received date before the postmark is refused, naming it.
    s_sign(&f, s_cc, "C-1", PACTA__V1__CONTRACT_KIND__CONTRACT_KIND_SUBSCRIPTION_PACK, 30000, "2025-03-01");
    Pacta__V1__Date received;
    notice.received_on = sf_date(&received, "2025-11-20");
    msg.contract_id = (char *) "C-1";
    result = s_handle(&f, s_cc, "C-1", "notice-backwards", &msg.base);
    cr_expect_not(result.ack);
    cr_expect_str_eq(result.field, "notice.received_on");
    json_t *doc = s_contract(&f, s_cc, "C-1");
    cr_expect_null(json_object_get(doc, "ends_on"), "nothing half-applied");
    json_decref(doc);
    s_stop(&f);
}

Test(i5a_contracts, cc2c_needs_a_registered_letter)
{
    fixture_t f;
    s_start(&f);
    s_sign(&f, s_cc, "C-2", PACTA__V1__CONTRACT_KIND__CONTRACT_KIND_SUBSCRIPTION_PACK, 30000, "2025-03-01");
    Pacta__V1__Date sent;
    Pacta__V1__NoticeDelivery notice = PACTA__V1__NOTICE_DELIVERY__INIT;
    notice.channel = PACTA__V1__CHANNEL__CHANNEL_EMAIL;
    notice.sent_on = sf_date(&sent, "2025-10-01");
    Pacta__V1__EarlyTerminationRequested msg = PACTA__V1__EARLY_TERMINATION_REQUESTED__INIT;
    msg.contract_id = (char *) "C-2";
    msg.notice = &notice;
    pacta_runtime_result_t result = s_handle(&f, s_cc, "C-2", "early-by-mail", &msg.base);
    cr_assert(result.ack, "%s: %s", result.field, result.detail);
    json_t *audit = s_audit(&f, s_cc, "C-2");
    json_t *refusal = sf_audit_find(audit, "reason", "not_registered_letter");
    cr_assert_not_null(refusal);
    cr_expect_str_eq(json_string_value(json_object_get(refusal, "rule_id")), "CC-2c");
    cr_expect_str_eq(json_string_value(json_object_get(refusal, "decision_type")), "pacta.v1.EarlyTerminationRefused");
    json_decref(audit);
    json_t *doc = s_contract(&f, s_cc, "C-2");
    cr_expect_str_eq(json_string_value(json_object_get(doc, "state")), "active");
    cr_expect_null(json_object_get(doc, "ends_on"));
    json_decref(doc);
    s_stop(&f);
}

Test(i5a_contracts, acceptance_of_another_quote_is_refused)
{
    fixture_t f;
    s_start(&f);
    Pacta__V1__Date issued, accepted;
    Pacta__V1__Money total;
    Pacta__V1__QuoteIssued quote = PACTA__V1__QUOTE_ISSUED__INIT;
    quote.quote_id = (char *) "Q-1";
    quote.contract_id = (char *) "F-1";
    quote.issued_on = sf_date(&issued, "2025-06-02");
    quote.total = sf_money(&total, 500000);
    quote.contract_kind = PACTA__V1__CONTRACT_KIND__CONTRACT_KIND_FIXED_TERM;
    pacta_runtime_result_t result = s_handle(&f, s_sg, "F-1", "quote-Q-1", &quote.base);
    cr_assert(result.ack, "%s: %s", result.field, result.detail);
    json_t *doc = s_contract(&f, s_sg, "F-1");
    cr_expect_str_eq(json_string_value(json_object_get(doc, "state")), "quoted");
    cr_expect_str_eq(json_string_value(json_object_get(json_object_get(doc, "quote"), "valid_through")), "2025-06-17");
    json_decref(doc);
    Pacta__V1__QuoteAccepted accept = PACTA__V1__QUOTE_ACCEPTED__INIT;
    accept.quote_id = (char *) "Q-2";
    accept.contract_id = (char *) "F-1";
    accept.accepted_on = sf_date(&accepted, "2025-06-03");
    accept.channel = PACTA__V1__CHANNEL__CHANNEL_EMAIL;
    result = s_handle(&f, s_sg, "F-1", "accept-Q-2", &accept.base);
    cr_expect_not(result.ack);
    cr_expect_str_eq(result.field, "quote_id");
    //  An acceptance dated before the quote is refused, naming accepted_on.
    accept.quote_id = (char *) "Q-1";
    accept.accepted_on = sf_date(&accepted, "2025-06-01");
    result = s_handle(&f, s_sg, "F-1", "accept-early", &accept.base);
    cr_expect_not(result.ack);
    cr_expect_str_eq(result.field, "accepted_on");
    doc = s_contract(&f, s_sg, "F-1");
    cr_expect_str_eq(json_string_value(json_object_get(json_object_get(doc, "quote"), "state")), "open");
    json_decref(doc);
    s_stop(&f);
}

Test(i5a_contracts, capconnect_quote_accepted_starts_the_contract)
{
    fixture_t f;
    s_start(&f);
    Pacta__V1__Date issued, accepted;
    Pacta__V1__Money fee;
    Pacta__V1__QuoteIssued quote = PACTA__V1__QUOTE_ISSUED__INIT;
    quote.quote_id = (char *) "Q-9";
    quote.contract_id = (char *) "C-9";
    quote.issued_on = sf_date(&issued, "2025-01-10");
    quote.total = sf_money(&fee, 30000);
    quote.contract_kind = PACTA__V1__CONTRACT_KIND__CONTRACT_KIND_SUBSCRIPTION_PACK;
    pacta_runtime_result_t result = s_handle(&f, s_cc, "C-9", "quote-Q-9", &quote.base);
    cr_assert(result.ack, "%s: %s", result.field, result.detail);
    json_t *doc = s_contract(&f, s_cc, "C-9");
    cr_expect(json_is_null(json_object_get(json_object_get(doc, "quote"), "valid_through")),
              "capconnect's terms give a quote no validity period");
    json_decref(doc);
    //  Accepted two months later: still binding, and CC-17 starts the contract that day.
    Pacta__V1__QuoteAccepted accept = PACTA__V1__QUOTE_ACCEPTED__INIT;
    accept.quote_id = (char *) "Q-9";
    accept.contract_id = (char *) "C-9";
    accept.accepted_on = sf_date(&accepted, "2025-03-12");
    accept.channel = PACTA__V1__CHANNEL__CHANNEL_EMAIL;
    result = s_handle(&f, s_cc, "C-9", "accept-Q-9", &accept.base);
    cr_assert(result.ack, "%s: %s", result.field, result.detail);
    doc = s_contract(&f, s_cc, "C-9");
    cr_expect_str_eq(json_string_value(json_object_get(doc, "state")), "active");
    cr_expect_str_eq(json_string_value(json_object_get(doc, "start_on")), "2025-03-12");
    cr_expect_str_eq(json_string_value(json_object_get(doc, "start_cause")), "quote_validated");
    cr_expect_str_eq(json_string_value(json_object_get(doc, "term_ends_on")), "2026-03-11");
    cr_expect_str_eq(json_string_value(json_object_get(json_object_get(doc, "quote"), "state")), "accepted");
    json_decref(doc);
    json_t *audit = s_audit(&f, s_cc, "C-9");
    json_t *start = sf_audit_find(audit, "rule_id", "CC-17");
    cr_assert_not_null(start);
    cr_expect_str_eq(json_string_value(json_object_get(start, "decision_type")), "pacta.v1.ContractStarted");
    cr_expect_not_null(sf_audit_find(audit, "rule_id", "CC-2a"));
    json_decref(audit);
    s_stop(&f);
}

/* Moves tenant's test clock to 00:00 Brussels of day and handles every due timer. */
static void
s_clock_to(fixture_t *f, const char *tenant, const char *day)
{
    pacta_date_t date;
    cr_assert_eq(pacta_date_parse(day, strlen(day), &date), 0);
    cr_assert_eq(pacta_clock_set(f->clock, tenant, pacta_date_start_instant(date), NULL), 0, "%s",
                 pacta_clock_error(f->clock));
    for (int round = 0; round < 8 && pacta_runtime_fire_timers(f->rt, tenant, 64) > 0; round++)
        ;
}

Test(i5a_contracts, timers_lapse_the_quote_and_end_the_contract)
{
    fixture_t f;
    s_start(&f);
    //  SG-2a: a quote issued 2025-06-02 lapses when 2025-06-18 begins.
    s_clock_to(&f, s_sg, "2025-06-02");
    Pacta__V1__Date issued;
    Pacta__V1__Money total;
    Pacta__V1__QuoteIssued quote = PACTA__V1__QUOTE_ISSUED__INIT;
    quote.quote_id = (char *) "Q-L";
    quote.contract_id = (char *) "L-1";
    quote.issued_on = sf_date(&issued, "2025-06-02");
    quote.total = sf_money(&total, 500000);
    quote.contract_kind = PACTA__V1__CONTRACT_KIND__CONTRACT_KIND_FIXED_TERM;
    pacta_runtime_result_t result = s_handle(&f, s_sg, "L-1", "quote-Q-L", &quote.base);
    cr_assert(result.ack, "%s: %s", result.field, result.detail);
    s_clock_to(&f, s_sg, "2025-06-17");
    json_t *doc = s_contract(&f, s_sg, "L-1");
    cr_expect_str_eq(json_string_value(json_object_get(json_object_get(doc, "quote"), "state")), "open",
                     "still valid on its last day");
    json_decref(doc);
    s_clock_to(&f, s_sg, "2025-06-18");
    doc = s_contract(&f, s_sg, "L-1");
    cr_expect_str_eq(json_string_value(json_object_get(doc, "state")), "lapsed");
    cr_expect_str_eq(json_string_value(json_object_get(json_object_get(doc, "quote"), "lapsed_on")), "2025-06-18");
    json_decref(doc);

    //  CC-2b: a timely notice ends the contract at its term; the day after, it is ended.
    s_clock_to(&f, s_cc, "2025-03-01");
    s_sign(&f, s_cc, "E-1", PACTA__V1__CONTRACT_KIND__CONTRACT_KIND_SUBSCRIPTION_PACK, 30000, "2025-03-01");
    Pacta__V1__Date sent;
    Pacta__V1__NoticeDelivery notice = PACTA__V1__NOTICE_DELIVERY__INIT;
    notice.channel = PACTA__V1__CHANNEL__CHANNEL_REGISTERED_LETTER;
    notice.sent_on = sf_date(&sent, "2025-10-01");
    Pacta__V1__NonRenewalNoticeGiven msg = PACTA__V1__NON_RENEWAL_NOTICE_GIVEN__INIT;
    msg.contract_id = (char *) "E-1";
    msg.given_by = PACTA__V1__PARTY_ROLE__PARTY_ROLE_CLIENT;
    msg.notice = &notice;
    result = s_handle(&f, s_cc, "E-1", "notice-E-1", &msg.base);
    cr_assert(result.ack, "%s: %s", result.field, result.detail);
    s_clock_to(&f, s_cc, "2026-02-28");
    doc = s_contract(&f, s_cc, "E-1");
    cr_expect_str_eq(json_string_value(json_object_get(doc, "state")), "active", "its last day is still served");
    json_decref(doc);
    s_clock_to(&f, s_cc, "2026-03-01");
    doc = s_contract(&f, s_cc, "E-1");
    cr_expect_str_eq(json_string_value(json_object_get(doc, "state")), "ended");
    cr_expect_str_eq(json_string_value(json_object_get(doc, "ended_on")), "2026-02-28");
    json_decref(doc);
    json_t *audit = s_audit(&f, s_cc, "E-1");
    cr_expect_null(sf_audit_find(audit, "kind", "renew"), "a contract that ends is not renewed");
    json_decref(audit);
    pacta_clock_reset(f.clock, s_sg);
    pacta_clock_reset(f.clock, s_cc);
    s_stop(&f);
}
