/*  =========================================================================
    test_i5d_invoicing - the invoicing gaps of issue 5, through the service
    shell in-process (tests/i5d/i5d_fixture.h), each test naming its rule:

      - CC-3a: anniversary invoices stop at the contract's last day, known
        from the decision that fixes it (non-renewal or termination notice,
        accepted early termination, last renewal, Terminate);
      - CC-3a: the VAT rate of an anniversary invoice is the profile's
        (invoicing.vat_percent), validated when the profile loads;
      - SG-8c / L-2: late charges billed emit LateInterestCharged,
        IndemnityCharged and FeeCharged; a late rule in mode `propose`
        bills nothing until an operator approves (DecisionApproved), and a
        rejection bills nothing;
      - SG-8e: a resolved dispute re-times the due date the late rules read
        (upheld, corrected), issues a credit note (corrected, credited) and
        settles what it covers;
      - SG-2b: invoicing issues the deposit invoice on a binding acceptance
        and emits DepositPaid once it is paid in full;
      - CC-2c, SG-4a, SG-4b: the termination indemnities contracts decides
        are billed once, with IndemnityCharged.
    =========================================================================
*/
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "i5d_fixture.h"
#include "pacta/v1/contracts.pb-c.h"
#include "pacta/v1/enforcement.pb-c.h"
#include "pacta/v1/invoicing.pb-c.h"
#include "pacta/v1/offers.pb-c.h"
#include "pacta_jdoc.h"
#include "../shell/shell_fixture.h"

static i5d_t s_fx;

static void
s_init(void)
{
    i5d_setup(&s_fx);
}

static void
s_fini(void)
{
    i5d_teardown(&s_fx);
}

TestSuite(i5d, .init = s_init, .fini = s_fini, .timeout = 60);

/* ---- builders ---------------------------------------------------------------------- */

static void
s_signed(const char *tenant, const char *contract, Pacta__V1__PartyKind party, Pacta__V1__BillingPeriod period,
         int64_t fee, const char *signed_on)
{
    Pacta__V1__Client client = PACTA__V1__CLIENT__INIT;
    client.client_id = (char *) "CL-1";
    client.kind = party;
    Pacta__V1__Date date;
    Pacta__V1__Money money;
    Pacta__V1__ContractSigned msg = PACTA__V1__CONTRACT_SIGNED__INIT;
    msg.contract_id = (char *) contract;
    msg.client = &client;
    msg.contract_kind = PACTA__V1__CONTRACT_KIND__CONTRACT_KIND_SUBSCRIPTION_PACK;
    msg.pack_code = (char *) "start";
    msg.billing_period = period;
    msg.recurring_fee = fee ? sf_money(&money, fee) : NULL;
    msg.signed_on = sf_date(&date, signed_on);
    char id[128];
    snprintf(id, sizeof id, "sign-%s", contract);
    i5d_send(&s_fx, tenant, contract, id, &msg.base);
}

static void
s_started(const char *tenant, const char *contract, const char *started_on)
{
    Pacta__V1__Date date;
    Pacta__V1__ContractStarted msg = PACTA__V1__CONTRACT_STARTED__INIT;
    msg.contract_id = (char *) contract;
    msg.started_on = sf_date(&date, started_on);
    char id[128];
    snprintf(id, sizeof id, "start-%s", contract);
    i5d_send(&s_fx, tenant, contract, id, &msg.base);
}

/* An annual Start pack at 3,600.00 a year, started 2025-03-01. */
static void
s_annual_contract(const char *tenant, const char *contract)
{
    i5d_clock(&s_fx, tenant, "2025-03-01");
    s_signed(tenant, contract, PACTA__V1__PARTY_KIND__PARTY_KIND_PROFESSIONAL,
             PACTA__V1__BILLING_PERIOD__BILLING_PERIOD_ANNUAL, 360000, "2025-03-01");
    s_started(tenant, contract, "2025-03-01");
}

/* The anniversary invoices invoicing emitted for contract (caller frees). */
static size_t
s_invoices(const char *tenant, const char *contract, Pacta__V1__InvoiceIssued **out, size_t max)
{
    return i5d_emitted(&s_fx, tenant, contract, &pacta__v1__invoice_issued__descriptor, (ProtobufCMessage **) out,
                       max);
}

/* Moves the tenant's clock to day and fires every due timer. */
static void
s_advance(const char *tenant, const char *day)
{
    i5d_clock(&s_fx, tenant, day);
    for (int round = 0; round < 16 && pacta_runtime_fire_timers(s_fx.invoicing, tenant, 32) > 0; round++)
        ;
}

/* ---- CC-3a: no anniversary invoice after the contract's last day ---------------------- */

Test(i5d, cc3a_an_open_ended_contract_is_invoiced_on_its_anniversary)
{
    //  The control case: without an end, 2026-03-01 is invoiced.
    const char *tenant = i5d_tenant(I5D_CAPCONNECT);
    s_annual_contract(tenant, "OPEN-1");
    s_advance(tenant, "2026-03-01");
    Pacta__V1__InvoiceIssued *invoices[4];
    size_t count = s_invoices(tenant, "OPEN-1", invoices, 4);
    cr_assert_eq(count, 1, "CC-3a: one anniversary invoice, got %zu", count);
    cr_assert_eq(invoices[0]->issued_on->year, 2026);
    cr_assert_eq(invoices[0]->issued_on->month, 3);
    cr_assert_eq(invoices[0]->issued_on->day, 1);
    i5d_free_all((ProtobufCMessage **) invoices, count);
}

Test(i5d, cc3a_a_non_renewal_notice_stops_the_invoices_after_the_last_day)
{
    //  Worked example 2, contract A: notice in time, ends 2026-02-28.
    const char *tenant = i5d_tenant(I5D_CAPCONNECT);
    s_annual_contract(tenant, "NR-A");
    Pacta__V1__Date deadline, ends;
    Pacta__V1__NonRenewalNoticeRecorded notice = PACTA__V1__NON_RENEWAL_NOTICE_RECORDED__INIT;
    notice.contract_id = (char *) "NR-A";
    notice.in_time = true;
    notice.deadline = sf_date(&deadline, "2025-11-28");
    notice.ends_on = sf_date(&ends, "2026-02-28");
    i5d_send(&s_fx, tenant, "NR-A", "nr-A", &notice.base);
    json_t *ledger = i5d_ledger(&s_fx, tenant, "NR-A");
    cr_assert_str_eq(pacta_jdoc_str(json_object_get(ledger, "contract"), "ends_on"), "2026-02-28");
    json_decref(ledger);
    s_advance(tenant, "2026-03-01");
    Pacta__V1__InvoiceIssued *invoices[4];
    size_t count = s_invoices(tenant, "NR-A", invoices, 4);
    cr_assert_eq(count, 0, "CC-3a: the contract ended 2026-02-28, nothing to invoice on 2026-03-01");
    i5d_free_all((ProtobufCMessage **) invoices, count);
}

Test(i5d, cc3a_the_last_renewal_is_invoiced_and_nothing_after_it)
{
    //  Worked example 2, contract B: late notice, renewed to 2027-02-28 and ends then.
    const char *tenant = i5d_tenant(I5D_CAPCONNECT);
    s_annual_contract(tenant, "NR-B");
    Pacta__V1__Date from, to;
    Pacta__V1__ContractRenewed renewed = PACTA__V1__CONTRACT_RENEWED__INIT;
    renewed.contract_id = (char *) "NR-B";
    renewed.renewal_number = 1;
    renewed.period_starts_on = sf_date(&from, "2026-03-01");
    renewed.period_ends_on = sf_date(&to, "2027-02-28");
    renewed.ends_at_period_end = true;
    i5d_send(&s_fx, tenant, "NR-B", "renew-B", &renewed.base);
    s_advance(tenant, "2026-03-01");
    s_advance(tenant, "2027-03-01");
    Pacta__V1__InvoiceIssued *invoices[4];
    size_t count = s_invoices(tenant, "NR-B", invoices, 4);
    cr_assert_eq(count, 1, "CC-3a: the renewed year only, got %zu", count);
    cr_assert_eq(invoices[0]->issued_on->year, 2026);
    i5d_free_all((ProtobufCMessage **) invoices, count);
}

Test(i5d, cc3a_an_earlier_end_is_never_pushed_back_by_a_later_notice)
{
    const char *tenant = i5d_tenant(I5D_CAPCONNECT);
    s_annual_contract(tenant, "ET-1");
    Pacta__V1__Date notified, ends, deadline, late_end;
    Pacta__V1__EarlyTerminationAccepted early = PACTA__V1__EARLY_TERMINATION_ACCEPTED__INIT;
    early.contract_id = (char *) "ET-1";
    early.notified_on = sf_date(&notified, "2025-09-15");
    early.ends_on = sf_date(&ends, "2025-09-15");
    i5d_send(&s_fx, tenant, "ET-1", "early-1", &early.base);
    Pacta__V1__NonRenewalNoticeRecorded notice = PACTA__V1__NON_RENEWAL_NOTICE_RECORDED__INIT;
    notice.contract_id = (char *) "ET-1";
    notice.deadline = sf_date(&deadline, "2025-11-28");
    notice.ends_on = sf_date(&late_end, "2027-02-28");
    i5d_send(&s_fx, tenant, "ET-1", "nr-1", &notice.base);
    json_t *ledger = i5d_ledger(&s_fx, tenant, "ET-1");
    cr_assert_str_eq(pacta_jdoc_str(json_object_get(ledger, "contract"), "ends_on"), "2025-09-15");
    json_decref(ledger);
    //  ContractEnded is the end as it happened: it always wins.
    Pacta__V1__Date ended;
    Pacta__V1__ContractEnded end = PACTA__V1__CONTRACT_ENDED__INIT;
    end.contract_id = (char *) "ET-1";
    end.ended_on = sf_date(&ended, "2025-09-20");
    i5d_send(&s_fx, tenant, "ET-1", "ended-1", &end.base);
    ledger = i5d_ledger(&s_fx, tenant, "ET-1");
    cr_assert_str_eq(pacta_jdoc_str(json_object_get(ledger, "contract"), "ends_on"), "2025-09-20");
    json_decref(ledger);
    s_advance(tenant, "2026-03-01");
    Pacta__V1__InvoiceIssued *invoices[4];
    size_t count = s_invoices(tenant, "ET-1", invoices, 4);
    cr_assert_eq(count, 0, "CC-3a: ended in 2025, no 2026 invoice");
    i5d_free_all((ProtobufCMessage **) invoices, count);
}

Test(i5d, cc3a_termination_notice_and_terminate_fix_the_end_too)
{
    const char *tenant = i5d_tenant(I5D_CAPCONNECT);
    s_annual_contract(tenant, "TN-1");
    s_annual_contract(tenant, "TM-1");
    Pacta__V1__Date received, ends, effective;
    Pacta__V1__TerminationNoticeRecorded notice = PACTA__V1__TERMINATION_NOTICE_RECORDED__INIT;
    notice.contract_id = (char *) "TN-1";
    notice.received_on = sf_date(&received, "2025-04-29");
    notice.ends_on = sf_date(&ends, "2025-07-31");
    i5d_send(&s_fx, tenant, "TN-1", "tn-1", &notice.base);
    Pacta__V1__Terminate terminate = PACTA__V1__TERMINATE__INIT;
    terminate.decision_id = (char *) "d-1";
    terminate.contract_id = (char *) "TM-1";
    terminate.effective_on = sf_date(&effective, "2025-12-31");
    i5d_send(&s_fx, tenant, "TM-1", "tm-1", &terminate.base);
    s_advance(tenant, "2026-03-01");
    Pacta__V1__InvoiceIssued *invoices[4];
    cr_assert_eq(s_invoices(tenant, "TN-1", invoices, 4), 0, "CC-3a: SG-4b notice ended it 2025-07-31");
    cr_assert_eq(s_invoices(tenant, "TM-1", invoices, 4), 0, "CC-3a: Terminate ended it 2025-12-31");
}

Test(i5d, cc3a_an_end_known_before_the_terms_still_waits_for_them)
{
    //  A notice overtaking the signature: the start waits for the billing
    //  terms instead of reading an empty contract, and the series runs.
    const char *tenant = i5d_tenant(I5D_CAPCONNECT);
    i5d_clock(&s_fx, tenant, "2025-03-01");
    Pacta__V1__Date deadline, ends;
    Pacta__V1__NonRenewalNoticeRecorded notice = PACTA__V1__NON_RENEWAL_NOTICE_RECORDED__INIT;
    notice.contract_id = (char *) "EARLY-END";
    notice.deadline = sf_date(&deadline, "2026-11-28");
    notice.ends_on = sf_date(&ends, "2027-02-28");
    i5d_send(&s_fx, tenant, "EARLY-END", "nr-early", &notice.base);
    Pacta__V1__Date started;
    Pacta__V1__ContractStarted start = PACTA__V1__CONTRACT_STARTED__INIT;
    start.contract_id = (char *) "EARLY-END";
    start.started_on = sf_date(&started, "2025-03-01");
    pacta_runtime_result_t result;
    i5d_send_result(&s_fx, tenant, "EARLY-END", "start-early", &start.base, &result);
    cr_assert(result.ack && result.parked, "ContractStarted waits for ContractSigned: %s", result.detail);
    s_signed(tenant, "EARLY-END", PACTA__V1__PARTY_KIND__PARTY_KIND_PROFESSIONAL,
             PACTA__V1__BILLING_PERIOD__BILLING_PERIOD_ANNUAL, 360000, "2025-03-01");
    s_advance(tenant, "2027-03-01");
    Pacta__V1__InvoiceIssued *invoices[4];
    size_t count = s_invoices(tenant, "EARLY-END", invoices, 4);
    cr_assert_eq(count, 1, "CC-3a: 2026-03-01 only (ends 2027-02-28), got %zu", count);
    cr_assert_eq(invoices[0]->issued_on->year, 2026);
    i5d_free_all((ProtobufCMessage **) invoices, count);
}

/* ---- CC-3a: the VAT rate is the profile's ---------------------------------------------- */

static void
s_assert_vat(i5d_tenant_t which, const char *contract, int32_t rate_bp, int64_t total_cents)
{
    const char *tenant = i5d_tenant(which);
    s_annual_contract(tenant, contract);
    s_advance(tenant, "2026-03-01");
    Pacta__V1__InvoiceIssued *invoices[4];
    size_t count = s_invoices(tenant, contract, invoices, 4);
    cr_assert_eq(count, 1, "%s: one anniversary invoice", tenant);
    cr_assert_eq(invoices[0]->total_excl_vat->cents, 360000);
    cr_assert_eq(invoices[0]->total_incl_vat->cents, total_cents, "%s: total incl. VAT %lld", tenant,
                 (long long) invoices[0]->total_incl_vat->cents);
    cr_assert_eq(invoices[0]->lines[0]->vat_rate->value, rate_bp);
    i5d_free_all((ProtobufCMessage **) invoices, count);
}

Test(i5d, cc3a_vat_is_the_capconnect_profiles_21_percent)
{
    s_assert_vat(I5D_CAPCONNECT, "VAT-21", 2100, 435600);
}

Test(i5d, cc3a_vat_is_the_acme_profiles_6_percent)
{
    s_assert_vat(I5D_ACME, "VAT-6", 600, 381600);
}

//  Loads capconnect.yaml with its vat_percent line replaced by `replacement`
//  ("" drops it): NULL and the loader's message when refused.
static pacta_profile_t *
s_load_with_vat(const char *replacement, char *err, size_t err_size)
{
    char source[600], target[600], line[1024];
    snprintf(source, sizeof source, "%s/deploy/profiles/capconnect.yaml", PACTA_SOURCE_DIR);
    snprintf(target, sizeof target, "/tmp/i5d-vat-%ld.yaml", (long) getpid());
    FILE *in = fopen(source, "r");
    FILE *out = fopen(target, "w");
    cr_assert(in && out);
    bool replaced = false;
    while (fgets(line, sizeof line, in)) {
        if (strncmp(line, "  vat_percent:", 14) == 0) {
            fputs(replacement, out);
            replaced = true;
        }
        else
            fputs(line, out);
    }
    fclose(in);
    fclose(out);
    cr_assert(replaced, "capconnect.yaml has an invoicing.vat_percent line");
    pacta_profile_t *profile = pacta_profile_load(target, err, err_size);
    remove(target);
    return profile;
}

Test(i5d, cc3a_vat_percent_is_validated_when_the_profile_loads)
{
    char err[512] = "";
    pacta_profile_t *profile = s_load_with_vat("  vat_percent: 21\n", err, sizeof err);
    cr_assert_not_null(profile, "%s", err);
    cr_assert_eq(profile->invoicing.vat_rate, 2100);
    pacta_profile_destroy(&profile);
    const char *bad[] = {"", "  vat_percent: 121\n", "  vat_percent: -1\n", "  vat_percent: twenty\n"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        profile = s_load_with_vat(bad[i], err, sizeof err);
        cr_assert_null(profile, "row %zu must be refused", i);
        cr_assert(strstr(err, "vat_percent"), "row %zu: the error names the key: %s", i, err);
    }
}

/* ---- SG-8c: charges billed say what they bill; proposals wait for approval ---------- */

static void
s_invoice(const char *tenant, const char *contract, const char *invoice_id, const char *issued_on, int64_t total)
{
    i5d_contract_exists(&s_fx, tenant, contract);
    Pacta__V1__Date issued;
    Pacta__V1__Money money;
    Pacta__V1__InvoiceIssued msg = PACTA__V1__INVOICE_ISSUED__INIT;
    msg.invoice_id = (char *) invoice_id;
    msg.contract_id = (char *) contract;
    msg.kind = PACTA__V1__INVOICE_KIND__INVOICE_KIND_SERVICE;
    msg.issued_on = sf_date(&issued, issued_on);
    msg.total_incl_vat = sf_money(&money, total);
    msg.structured_communication = (char *) "";
    char id[128];
    snprintf(id, sizeof id, "issue-%s", invoice_id);
    i5d_send(&s_fx, tenant, contract, id, &msg.base);
}

static void
s_reminder(const char *tenant, const char *contract, const char *invoice_id, int number, const char *sent_on)
{
    Pacta__V1__Date sent;
    Pacta__V1__ReminderSent msg = PACTA__V1__REMINDER_SENT__INIT;
    msg.invoice_id = (char *) invoice_id;
    msg.contract_id = (char *) contract;
    msg.reminder_number = number;
    msg.channel = PACTA__V1__CHANNEL__CHANNEL_LETTER;
    msg.sent_on = sf_date(&sent, sent_on);
    char id[128];
    snprintf(id, sizeof id, "reminder-%s-%d", invoice_id, number);
    i5d_send(&s_fx, tenant, contract, id, &msg.base);
}

static void
s_formal_notice(const char *tenant, const char *contract, const char *invoice_id, const char *sent_on)
{
    Pacta__V1__Date sent;
    Pacta__V1__FormalNoticeSent msg = PACTA__V1__FORMAL_NOTICE_SENT__INIT;
    msg.invoice_id = (char *) invoice_id;
    msg.contract_id = (char *) contract;
    msg.channel = PACTA__V1__CHANNEL__CHANNEL_REGISTERED_LETTER;
    msg.sent_on = sf_date(&sent, sent_on);
    char id[128];
    snprintf(id, sizeof id, "notice-%s", invoice_id);
    i5d_send(&s_fx, tenant, contract, id, &msg.base);
}

static void
s_pay(const char *tenant, const char *contract, const char *invoice_id, int64_t amount, const char *value_date)
{
    Pacta__V1__Date value;
    Pacta__V1__Money money;
    Pacta__V1__PaymentReceived msg = PACTA__V1__PAYMENT_RECEIVED__INIT;
    char payment_id[128];
    snprintf(payment_id, sizeof payment_id, "B-%s-%s", invoice_id, value_date);
    msg.payment_id = payment_id;
    msg.amount = sf_money(&money, amount);
    msg.value_date = sf_date(&value, value_date);
    msg.structured_communication = (char *) "";
    msg.invoice_id = (char *) invoice_id;
    i5d_send(&s_fx, tenant, contract, payment_id, &msg.base);
}

/* Worked example 5: 2,000.00 issued 2025-03-03 (due 2025-03-18), two
   reminders and a formal notice, paid 2025-05-20. */
static void
s_example05(const char *tenant, const char *contract, const char *invoice_id)
{
    i5d_clock(&s_fx, tenant, "2025-03-01");
    s_signed(tenant, contract, PACTA__V1__PARTY_KIND__PARTY_KIND_PROFESSIONAL,
             PACTA__V1__BILLING_PERIOD__BILLING_PERIOD_ONE_OFF, 0, "2025-03-01");
    s_invoice(tenant, contract, invoice_id, "2025-03-03", 200000);
    s_reminder(tenant, contract, invoice_id, 1, "2025-03-25");
    s_reminder(tenant, contract, invoice_id, 2, "2025-04-08");
    s_formal_notice(tenant, contract, invoice_id, "2025-04-22");
    s_pay(tenant, contract, invoice_id, 200000, "2025-05-20");
}

/* Checks the charged messages of worked example 5 on contract, billed by
   charges invoice charge_id. */
static void
s_assert_example05_charged(const char *tenant, const char *contract, const char *invoice_id, const char *charge_id)
{
    ProtobufCMessage *found[8];
    size_t count = i5d_emitted(&s_fx, tenant, contract, &pacta__v1__late_interest_charged__descriptor, found, 8);
    cr_assert_eq(count, 1, "SG-8c: one LateInterestCharged, got %zu", count);
    const Pacta__V1__LateInterestCharged *interest = (const Pacta__V1__LateInterestCharged *) found[0];
    cr_assert_eq(interest->amount->cents, 3250, "SG-8c: 3 months started at 6.50 %% -> 32.50");
    cr_assert_eq(interest->months_started, 3);
    cr_assert_eq(interest->days_late, 0);
    cr_assert_eq(interest->principal->cents, 200000);
    cr_assert_eq(interest->rate->value, 650);
    cr_assert_eq(interest->runs_from->day, 19);
    cr_assert_eq(interest->runs_from->month, 3);
    cr_assert_str_eq(interest->invoice_id, invoice_id);
    cr_assert_str_eq(interest->charge_invoice_id, charge_id);
    cr_assert_not_null(interest->explanation);
    cr_assert_str_eq(interest->explanation->rule_id, "SG-8c");
    i5d_free_all(found, count);

    count = i5d_emitted(&s_fx, tenant, contract, &pacta__v1__indemnity_charged__descriptor, found, 8);
    cr_assert_eq(count, 1, "SG-8c: one IndemnityCharged, got %zu", count);
    const Pacta__V1__IndemnityCharged *indemnity = (const Pacta__V1__IndemnityCharged *) found[0];
    cr_assert_eq(indemnity->amount->cents, 30000, "SG-8c: 15 %% of 2,000.00");
    cr_assert_eq(indemnity->kind, PACTA__V1__INDEMNITY_KIND__INDEMNITY_KIND_LATE_PAYMENT);
    cr_assert_eq(indemnity->basis->cents, 200000);
    cr_assert_str_eq(indemnity->charge_invoice_id, charge_id);
    i5d_free_all(found, count);

    count = i5d_emitted(&s_fx, tenant, contract, &pacta__v1__fee_charged__descriptor, found, 8);
    cr_assert_eq(count, 3, "SG-8c: two reminder fees and a formal-notice fee, got %zu", count);
    int64_t reminders = 0, notices = 0, numbers = 0;
    for (size_t i = 0; i < count; i++) {
        const Pacta__V1__FeeCharged *fee = (const Pacta__V1__FeeCharged *) found[i];
        cr_assert_str_eq(fee->charge_invoice_id, charge_id);
        if (fee->kind == PACTA__V1__FEE_KIND__FEE_KIND_REMINDER) {
            reminders += fee->amount_incl_vat->cents;
            numbers += fee->reminder_number;
        }
        else {
            cr_assert_eq(fee->kind, PACTA__V1__FEE_KIND__FEE_KIND_FORMAL_NOTICE);
            notices += fee->amount_incl_vat->cents;
        }
    }
    cr_assert_eq(reminders, 5000, "SG-8c: 25.00 + 25.00");
    cr_assert_eq(numbers, 3, "reminders 1 and 2");
    cr_assert_eq(notices, 5000, "SG-8c: 50.00 for the formal notice");
    i5d_free_all(found, count);
}

Test(i5d, sg8c_charges_billed_emit_interest_indemnity_and_fee_messages)
{
    const char *tenant = i5d_tenant(I5D_SGEVENT);
    s_example05(tenant, "LATE-1", "F-LATE-1");
    s_assert_example05_charged(tenant, "LATE-1", "F-LATE-1", "F-LATE-1-LC1");
}

static void
s_answer(const char *tenant, const char *contract, const char *decision_id, bool approve, const char *message_id)
{
    Pacta__V1__Date on;
    if (approve) {
        Pacta__V1__DecisionApproved msg = PACTA__V1__DECISION_APPROVED__INIT;
        msg.decision_id = (char *) decision_id;
        msg.contract_id = (char *) contract;
        msg.approved_by = (char *) "operator";
        msg.approved_on = sf_date(&on, "2025-05-22");
        msg.comment = (char *) "ok";
        i5d_send(&s_fx, tenant, contract, message_id, &msg.base);
    }
    else {
        Pacta__V1__DecisionRejected msg = PACTA__V1__DECISION_REJECTED__INIT;
        msg.decision_id = (char *) decision_id;
        msg.contract_id = (char *) contract;
        msg.rejected_by = (char *) "operator";
        msg.rejected_on = sf_date(&on, "2025-05-22");
        msg.reason = (char *) "goodwill";
        i5d_send(&s_fx, tenant, contract, message_id, &msg.base);
    }
}

/* The pending charge proposal of the contract's only late invoice: its id
   into buf; fails unless exactly one is proposed and indexed. */
static void
s_pending_proposal(const char *tenant, const char *contract, char *buf, size_t size)
{
    json_t *ledger = i5d_ledger(&s_fx, tenant, contract);
    json_t *invoice = json_array_get(json_object_get(ledger, "invoices"), 0);
    json_t *proposals = json_object_get(invoice, "charge_proposals");
    cr_assert_eq(json_array_size(proposals), 1, "one charge proposal");
    json_t *proposal = json_array_get(proposals, 0);
    cr_assert_str_eq(pacta_jdoc_str(proposal, "status"), "proposed");
    cr_assert_str_eq(pacta_jdoc_str(proposal, "rule_id"), "SG-8c");
    cr_assert_eq(pacta_jdoc_int(proposal, "amount_cents"), 43250, "worked example 5: 432.50 proposed");
    snprintf(buf, size, "%s", pacta_jdoc_str(proposal, "decision_id"));
    json_decref(ledger);
    char key[160], member[400];
    snprintf(key, sizeof key, "pacta:{ix:%s}:proposals", tenant);
    snprintf(member, sizeof member, "c:%s|%s", contract, buf);
    redisReply *reply = NULL;
    cr_assert_eq(pacta_store_command_strs(s_fx.store, &reply, "ZSCORE", key, member, NULL), 0);
    cr_assert_eq(reply->type, REDIS_REPLY_STRING, "pactactl proposals list shows %s", member);
    freeReplyObject(reply);
}

static long long
s_index_size(const char *tenant)
{
    char key[160];
    snprintf(key, sizeof key, "pacta:{ix:%s}:proposals", tenant);
    redisReply *reply = NULL;
    cr_assert_eq(pacta_store_command_strs(s_fx.store, &reply, "ZCARD", key, NULL), 0);
    long long size = reply->integer;
    freeReplyObject(reply);
    return size;
}

Test(i5d, sg8c_proposed_charges_are_billed_once_approved)
{
    const char *tenant = i5d_tenant(I5D_SGEVENT_PROPOSE);
    s_example05(tenant, "PROP-1", "F-PROP-1");
    ProtobufCMessage *found[8];
    cr_assert_eq(i5d_emitted(&s_fx, tenant, "PROP-1", &pacta__v1__invoice_issued__descriptor, found, 8), 0,
                 "mode propose: nothing billed before the operator answers");
    char decision_id[256];
    s_pending_proposal(tenant, "PROP-1", decision_id, sizeof decision_id);
    //  pactactl proposals approve finds the service in the proposal's audit entry.
    json_t *audit = i5d_audit(&s_fx, tenant, "PROP-1");
    json_t *entry = sf_audit_find(audit, "decision_id", decision_id);
    cr_assert_not_null(entry, "the proposal is audited under its decision id");
    cr_assert_str_eq(pacta_jdoc_str(entry, "service"), s_fx.service);
    json_decref(audit);

    s_answer(tenant, "PROP-1", decision_id, true, "approve-1");
    size_t count = i5d_emitted(&s_fx, tenant, "PROP-1", &pacta__v1__invoice_issued__descriptor, found, 8);
    cr_assert_eq(count, 1, "approval bills one charges invoice");
    const Pacta__V1__InvoiceIssued *charges = (const Pacta__V1__InvoiceIssued *) found[0];
    cr_assert_str_eq(charges->invoice_id, "F-PROP-1-LC1");
    cr_assert_eq(charges->kind, PACTA__V1__INVOICE_KIND__INVOICE_KIND_CHARGES);
    cr_assert_eq(charges->total_incl_vat->cents, 43250, "worked example 5: charges total 432.50");
    cr_assert_eq(charges->issued_on->day, 22, "dated the approval");
    i5d_free_all(found, count);
    s_assert_example05_charged(tenant, "PROP-1", "F-PROP-1", "F-PROP-1-LC1");
    json_t *ledger = i5d_ledger(&s_fx, tenant, "PROP-1");
    json_t *proposal = json_array_get(json_object_get(json_array_get(json_object_get(ledger, "invoices"), 0),
                                                      "charge_proposals"), 0);
    cr_assert_str_eq(pacta_jdoc_str(proposal, "status"), "applied");
    cr_assert_str_eq(pacta_jdoc_str(proposal, "answered_by"), "operator");
    json_decref(ledger);
    cr_assert_eq(s_index_size(tenant), 0, "answered: no longer pending");

    //  Approved again (another message id): nothing more is billed.
    s_answer(tenant, "PROP-1", decision_id, true, "approve-2");
    count = i5d_emitted(&s_fx, tenant, "PROP-1", &pacta__v1__invoice_issued__descriptor, found, 8);
    cr_assert_eq(count, 1, "billed once");
    i5d_free_all(found, count);
}

Test(i5d, sg8c_rejected_proposals_bill_nothing)
{
    const char *tenant = i5d_tenant(I5D_SGEVENT_PROPOSE);
    s_example05(tenant, "PROP-2", "F-PROP-2");
    char decision_id[256];
    s_pending_proposal(tenant, "PROP-2", decision_id, sizeof decision_id);
    s_answer(tenant, "PROP-2", decision_id, false, "reject-1");
    s_answer(tenant, "PROP-2", decision_id, true, "approve-late");
    ProtobufCMessage *found[8];
    cr_assert_eq(i5d_emitted(&s_fx, tenant, "PROP-2", &pacta__v1__invoice_issued__descriptor, found, 8), 0,
                 "rejected: never billed, a later approval changes nothing");
    cr_assert_eq(i5d_emitted(&s_fx, tenant, "PROP-2", &pacta__v1__fee_charged__descriptor, found, 8), 0);
    json_t *ledger = i5d_ledger(&s_fx, tenant, "PROP-2");
    json_t *proposal = json_array_get(json_object_get(json_array_get(json_object_get(ledger, "invoices"), 0),
                                                      "charge_proposals"), 0);
    cr_assert_str_eq(pacta_jdoc_str(proposal, "status"), "rejected");
    cr_assert_str_eq(pacta_jdoc_str(proposal, "note"), "goodwill");
    json_decref(ledger);
}

Test(i5d, answers_to_other_services_proposals_are_ignored)
{
    const char *tenant = i5d_tenant(I5D_SGEVENT);
    s_example05(tenant, "OTHER-1", "F-OTHER-1");
    json_t *before = i5d_ledger(&s_fx, tenant, "OTHER-1");
    s_answer(tenant, "OTHER-1", "enforcement-decision-1", true, "approve-other");
    json_t *after = i5d_ledger(&s_fx, tenant, "OTHER-1");
    cr_assert(json_equal(before, after), "an enforcement proposal's approval changes no ledger");
    json_decref(before);
    json_decref(after);
}

/* ---- SG-8e: a resolved dispute re-times the invoice or credits it ---------------------- */

/* An sgevent invoice of 1,000.00 issued 2025-03-03 (due 2025-03-18),
   complained about in time on 2025-03-10; the overdue timer of 2025-03-19
   has fired (disputed). */
static void
s_disputed(const char *contract, const char *invoice_id)
{
    const char *tenant = i5d_tenant(I5D_SGEVENT);
    i5d_clock(&s_fx, tenant, "2025-03-01");
    s_signed(tenant, contract, PACTA__V1__PARTY_KIND__PARTY_KIND_PROFESSIONAL,
             PACTA__V1__BILLING_PERIOD__BILLING_PERIOD_ONE_OFF, 0, "2025-03-01");
    s_invoice(tenant, contract, invoice_id, "2025-03-03", 100000);
    Pacta__V1__Date sent;
    Pacta__V1__NoticeDelivery notice = PACTA__V1__NOTICE_DELIVERY__INIT;
    notice.channel = PACTA__V1__CHANNEL__CHANNEL_REGISTERED_LETTER;
    notice.sent_on = sf_date(&sent, "2025-03-10");
    Pacta__V1__InvoiceDisputed msg = PACTA__V1__INVOICE_DISPUTED__INIT;
    msg.invoice_id = (char *) invoice_id;
    msg.contract_id = (char *) contract;
    msg.notice = &notice;
    msg.grounds = (char *) "services not as ordered";
    i5d_send(&s_fx, tenant, contract, "complaint", &msg.base);
    s_advance(tenant, "2025-03-19");
    ProtobufCMessage *found[4];
    size_t count = i5d_emitted(&s_fx, tenant, contract, &pacta__v1__invoice_overdue__descriptor, found, 4);
    cr_assert_eq(count, 1);
    cr_assert(((Pacta__V1__InvoiceOverdue *) found[0])->disputed, "SG-8e: overdue while disputed holds SG-5c");
    i5d_free_all(found, count);
}

static void
s_resolve(const char *contract, const char *invoice_id, Pacta__V1__DisputeOutcome outcome, const char *new_due_on,
          int64_t credited, pacta_runtime_result_t *result)
{
    Pacta__V1__Date resolved, due;
    Pacta__V1__Money money;
    Pacta__V1__InvoiceDisputeResolved msg = PACTA__V1__INVOICE_DISPUTE_RESOLVED__INIT;
    msg.invoice_id = (char *) invoice_id;
    msg.contract_id = (char *) contract;
    msg.outcome = outcome;
    msg.resolved_on = sf_date(&resolved, "2025-04-01");
    msg.new_due_on = new_due_on ? sf_date(&due, new_due_on) : NULL;
    msg.credited = credited ? sf_money(&money, credited) : NULL;
    char id[128];
    snprintf(id, sizeof id, "resolved-%s-%d", invoice_id, (int) outcome);
    i5d_send_result(&s_fx, i5d_tenant(I5D_SGEVENT), contract, id, &msg.base, result);
}

/* The InvoiceOverdue messages of contract (caller frees), count returned. */
static size_t
s_overdues(const char *contract, Pacta__V1__InvoiceOverdue **out, size_t max)
{
    return i5d_emitted(&s_fx, i5d_tenant(I5D_SGEVENT), contract, &pacta__v1__invoice_overdue__descriptor,
                       (ProtobufCMessage **) out, max);
}

Test(i5d, sg8e_upheld_with_a_new_due_date_runs_late_rules_from_it)
{
    const char *tenant = i5d_tenant(I5D_SGEVENT);
    s_disputed("DSP-1", "F-DSP-1");
    pacta_runtime_result_t result;
    s_resolve("DSP-1", "F-DSP-1", PACTA__V1__DISPUTE_OUTCOME__DISPUTE_OUTCOME_INVOICE_CONFIRMED, "2025-04-15", 0,
              &result);
    cr_assert(result.ack, "%s", result.detail);
    s_advance(tenant, "2025-04-16");
    Pacta__V1__InvoiceOverdue *overdue[4];
    size_t count = s_overdues("DSP-1", overdue, 4);
    cr_assert_eq(count, 1, "no second overdue report: it would suspend back over the dispute (SG-8e)");
    i5d_free_all((ProtobufCMessage **) overdue, count);
    //  Paid 2025-05-20: interest runs from 2025-04-16, 2 months started.
    s_pay(tenant, "DSP-1", "F-DSP-1", 100000, "2025-05-20");
    ProtobufCMessage *found[4];
    count = i5d_emitted(&s_fx, tenant, "DSP-1", &pacta__v1__late_interest_charged__descriptor, found, 4);
    cr_assert_eq(count, 1);
    const Pacta__V1__LateInterestCharged *interest = (const Pacta__V1__LateInterestCharged *) found[0];
    cr_assert_eq(interest->runs_from->month, 4);
    cr_assert_eq(interest->runs_from->day, 16, "SG-8e: from the new due date's next day");
    cr_assert_eq(interest->months_started, 2);
    i5d_free_all(found, count);
    count = i5d_emitted(&s_fx, tenant, "DSP-1", &pacta__v1__invoice_paid__descriptor, found, 4);
    cr_assert_eq(count, 1);
    cr_assert_eq(((Pacta__V1__InvoicePaid *) found[0])->due_on->day, 15, "the due date that counts");
    i5d_free_all(found, count);
}

Test(i5d, sg8e_upheld_without_a_new_due_date_runs_late_rules_from_the_original_one)
{
    //  As the derived example of tests/i5b/sg8e_disputes.jsonl: 15 % of 1,000.00.
    const char *tenant = i5d_tenant(I5D_SGEVENT);
    s_disputed("DSP-2", "F-DSP-2");
    pacta_runtime_result_t result;
    s_resolve("DSP-2", "F-DSP-2", PACTA__V1__DISPUTE_OUTCOME__DISPUTE_OUTCOME_INVOICE_CONFIRMED, NULL, 0, &result);
    cr_assert(result.ack, "%s", result.detail);
    s_pay(tenant, "DSP-2", "F-DSP-2", 100000, "2025-04-25");
    ProtobufCMessage *found[4];
    size_t count = i5d_emitted(&s_fx, tenant, "DSP-2", &pacta__v1__late_interest_charged__descriptor, found, 4);
    cr_assert_eq(count, 1);
    const Pacta__V1__LateInterestCharged *interest = (const Pacta__V1__LateInterestCharged *) found[0];
    cr_assert_eq(interest->runs_from->month, 3);
    cr_assert_eq(interest->runs_from->day, 19, "SG-8e: from the original due date's next day");
    i5d_free_all(found, count);
    count = i5d_emitted(&s_fx, tenant, "DSP-2", &pacta__v1__indemnity_charged__descriptor, found, 4);
    cr_assert_eq(count, 1);
    cr_assert_eq(((Pacta__V1__IndemnityCharged *) found[0])->amount->cents, 15000);
    i5d_free_all(found, count);
}

Test(i5d, sg8e_corrected_issues_a_credit_note_and_the_rest_is_due)
{
    const char *tenant = i5d_tenant(I5D_SGEVENT);
    s_disputed("DSP-3", "F-DSP-3");
    pacta_runtime_result_t result;
    s_resolve("DSP-3", "F-DSP-3", PACTA__V1__DISPUTE_OUTCOME__DISPUTE_OUTCOME_INVOICE_CORRECTED, "2025-04-15", 0,
              &result);
    cr_assert_not(result.ack, "a correction must say how much it credits");
    cr_assert_str_eq(result.field, "credited");
    s_resolve("DSP-3", "F-DSP-3", PACTA__V1__DISPUTE_OUTCOME__DISPUTE_OUTCOME_INVOICE_CORRECTED, "2025-04-15", 20000,
              &result);
    cr_assert(result.ack, "%s", result.detail);
    ProtobufCMessage *found[4];
    size_t count = i5d_emitted(&s_fx, tenant, "DSP-3", &pacta__v1__credit_note_issued__descriptor, found, 4);
    cr_assert_eq(count, 1, "SG-8e: one credit note");
    const Pacta__V1__CreditNoteIssued *note = (const Pacta__V1__CreditNoteIssued *) found[0];
    cr_assert_str_eq(note->credit_note_id, "F-DSP-3-CN1");
    cr_assert_str_eq(note->invoice_id, "F-DSP-3");
    cr_assert_eq(note->reason, PACTA__V1__CREDIT_REASON__CREDIT_REASON_DISPUTE);
    cr_assert_eq(note->total_incl_vat->cents, 20000);
    cr_assert_not_null(note->explanation);
    cr_assert_str_eq(note->explanation->rule_id, "SG-8e");
    i5d_free_all(found, count);
    //  800.00 settles the corrected invoice, on time for its new due date.
    s_pay(tenant, "DSP-3", "F-DSP-3", 80000, "2025-04-10");
    count = i5d_emitted(&s_fx, tenant, "DSP-3", &pacta__v1__invoice_paid__descriptor, found, 4);
    cr_assert_eq(count, 1, "800.00 pays the corrected invoice");
    i5d_free_all(found, count);
    json_t *ledger = i5d_ledger(&s_fx, tenant, "DSP-3");
    json_t *invoice = json_array_get(json_object_get(ledger, "invoices"), 0);
    cr_assert_str_eq(pacta_jdoc_str(invoice, "state"), "paid");
    cr_assert_eq(pacta_jdoc_int(invoice, "credited_cents"), 20000);
    cr_assert_eq(pacta_jdoc_int(ledger, "credit_cents"), 0);
    json_decref(ledger);
    cr_assert_eq(i5d_emitted(&s_fx, tenant, "DSP-3", &pacta__v1__indemnity_charged__descriptor, found, 4), 0,
                 "paid by the new due date: no late charges");
}

Test(i5d, sg8e_corrected_below_what_was_paid_settles_it_and_keeps_the_rest_as_credit)
{
    const char *tenant = i5d_tenant(I5D_SGEVENT);
    s_disputed("DSP-4", "F-DSP-4");
    s_pay(tenant, "DSP-4", "F-DSP-4", 90000, "2025-03-25");
    pacta_runtime_result_t result;
    s_resolve("DSP-4", "F-DSP-4", PACTA__V1__DISPUTE_OUTCOME__DISPUTE_OUTCOME_INVOICE_CORRECTED, NULL, 25000,
              &result);
    cr_assert(result.ack, "%s", result.detail);
    ProtobufCMessage *found[4];
    size_t count = i5d_emitted(&s_fx, tenant, "DSP-4", &pacta__v1__invoice_paid__descriptor, found, 4);
    cr_assert_eq(count, 1, "750.00 owed, 900.00 paid: settled");
    cr_assert_eq(((Pacta__V1__InvoicePaid *) found[0])->total_paid->cents, 75000);
    i5d_free_all(found, count);
    json_t *ledger = i5d_ledger(&s_fx, tenant, "DSP-4");
    cr_assert_eq(pacta_jdoc_int(ledger, "credit_cents"), 15000, "150.00 overpaid kept as credit");
    json_decref(ledger);
}

Test(i5d, sg8e_credited_in_full_closes_the_invoice)
{
    const char *tenant = i5d_tenant(I5D_SGEVENT);
    s_disputed("DSP-5", "F-DSP-5");
    s_pay(tenant, "DSP-5", "F-DSP-5", 30000, "2025-03-25");
    pacta_runtime_result_t result;
    s_resolve("DSP-5", "F-DSP-5", PACTA__V1__DISPUTE_OUTCOME__DISPUTE_OUTCOME_INVOICE_CREDITED, NULL, 0, &result);
    cr_assert(result.ack, "%s", result.detail);
    ProtobufCMessage *found[4];
    size_t count = i5d_emitted(&s_fx, tenant, "DSP-5", &pacta__v1__credit_note_issued__descriptor, found, 4);
    cr_assert_eq(count, 1);
    cr_assert_eq(((Pacta__V1__CreditNoteIssued *) found[0])->total_incl_vat->cents, 100000, "the whole invoice");
    i5d_free_all(found, count);
    json_t *ledger = i5d_ledger(&s_fx, tenant, "DSP-5");
    json_t *invoice = json_array_get(json_object_get(ledger, "invoices"), 0);
    cr_assert_str_eq(pacta_jdoc_str(invoice, "state"), "credited");
    cr_assert_eq(pacta_jdoc_int(ledger, "credit_cents"), 30000, "what was paid becomes credit");
    json_decref(ledger);
    s_advance(tenant, "2025-06-01");
    Pacta__V1__InvoiceOverdue *overdue[4];
    count = s_overdues("DSP-5", overdue, 4);
    cr_assert_eq(count, 1, "a credited invoice is never overdue again");
    i5d_free_all((ProtobufCMessage **) overdue, count);
}

/* ---- SG-2b: invoicing issues the deposit invoice ------------------------------------ */

static void
s_quote(const char *contract, const char *quote_id, int64_t total, int32_t deposit_rate_bp)
{
    const char *tenant = i5d_tenant(I5D_SGEVENT);
    i5d_contract_exists(&s_fx, tenant, contract);
    Pacta__V1__Client client = PACTA__V1__CLIENT__INIT;
    client.client_id = (char *) "CL-Q";
    client.kind = PACTA__V1__PARTY_KIND__PARTY_KIND_PROFESSIONAL;
    Pacta__V1__Date issued;
    Pacta__V1__Money money;
    Pacta__V1__BasisPoints rate = PACTA__V1__BASIS_POINTS__INIT;
    rate.value = deposit_rate_bp;
    Pacta__V1__QuoteIssued msg = PACTA__V1__QUOTE_ISSUED__INIT;
    msg.quote_id = (char *) quote_id;
    msg.contract_id = (char *) contract;
    msg.client = &client;
    msg.issued_on = sf_date(&issued, "2025-05-02");
    msg.total = sf_money(&money, total);
    msg.deposit_rate = deposit_rate_bp ? &rate : NULL;
    msg.contract_kind = PACTA__V1__CONTRACT_KIND__CONTRACT_KIND_FIXED_TERM;
    char id[128];
    snprintf(id, sizeof id, "quote-%s", quote_id);
    i5d_send(&s_fx, tenant, contract, id, &msg.base);
}

static void
s_accept(const char *contract, const char *quote_id, const char *accepted_on, const char *message_id)
{
    Pacta__V1__Date on;
    Pacta__V1__QuoteAccepted msg = PACTA__V1__QUOTE_ACCEPTED__INIT;
    msg.quote_id = (char *) quote_id;
    msg.contract_id = (char *) contract;
    msg.accepted_on = sf_date(&on, accepted_on);
    msg.channel = PACTA__V1__CHANNEL__CHANNEL_EMAIL;
    i5d_send(&s_fx, i5d_tenant(I5D_SGEVENT), contract, message_id, &msg.base);
}

static size_t
s_deposits_paid(const char *contract, Pacta__V1__DepositPaid **out, size_t max)
{
    return i5d_emitted(&s_fx, i5d_tenant(I5D_SGEVENT), contract, &pacta__v1__deposit_paid__descriptor,
                       (ProtobufCMessage **) out, max);
}

Test(i5d, sg2b_acceptance_issues_the_deposit_invoice_and_its_payment_releases_work)
{
    //  Worked example 9: total 10,000.00 -> deposit 3,500.00 (35 %).
    const char *tenant = i5d_tenant(I5D_SGEVENT);
    i5d_clock(&s_fx, tenant, "2025-05-02");
    s_quote("DEP-1", "Q-DEP-1", 1000000, 0);
    s_accept("DEP-1", "Q-DEP-1", "2025-05-06", "accept-1");
    s_accept("DEP-1", "Q-DEP-1", "2025-05-06", "accept-1-again");
    ProtobufCMessage *found[4];
    size_t count = i5d_emitted(&s_fx, tenant, "DEP-1", &pacta__v1__invoice_issued__descriptor, found, 4);
    cr_assert_eq(count, 1, "SG-2b: one deposit invoice, however often the acceptance comes");
    const Pacta__V1__InvoiceIssued *invoice = (const Pacta__V1__InvoiceIssued *) found[0];
    cr_assert_str_eq(invoice->invoice_id, "DEP-1-DEP1");
    cr_assert_eq(invoice->kind, PACTA__V1__INVOICE_KIND__INVOICE_KIND_DEPOSIT);
    cr_assert_eq(invoice->total_excl_vat->cents, 350000, "SG-2b: 35 %% of 10,000.00");
    cr_assert_eq(invoice->total_incl_vat->cents, 423500, "VAT at the profile's 21 %%");
    cr_assert_eq(invoice->issued_on->day, 6);
    cr_assert_eq(invoice->due_on->day, 21, "SG-8b: 15 calendar days");
    cr_assert_str_eq(invoice->explanation->rule_id, "SG-2b");
    i5d_free_all(found, count);
    count = i5d_emitted(&s_fx, tenant, "DEP-1", &pacta__v1__deposit_invoiced__descriptor, found, 4);
    cr_assert_eq(count, 1);
    const Pacta__V1__DepositInvoiced *invoiced = (const Pacta__V1__DepositInvoiced *) found[0];
    cr_assert_eq(invoiced->amount->cents, 350000);
    cr_assert_eq(invoiced->total->cents, 1000000);
    cr_assert_eq(invoiced->rate->value, 3500);
    cr_assert_str_eq(invoiced->quote_id, "Q-DEP-1");
    i5d_free_all(found, count);

    //  The invoice comes back to invoicing, as every invoice it issues.
    cr_assert_eq(i5d_forward(&s_fx, tenant, "DEP-1", &pacta__v1__invoice_issued__descriptor), 1);
    s_pay(tenant, "DEP-1", "DEP-1-DEP1", 423499, "2025-05-10");
    Pacta__V1__DepositPaid *paid[4];
    cr_assert_eq(s_deposits_paid("DEP-1", paid, 4), 0, "SG-2b: one cent short, work may not start");
    s_pay(tenant, "DEP-1", "DEP-1-DEP1", 1, "2025-05-12");
    count = s_deposits_paid("DEP-1", paid, 4);
    cr_assert_eq(count, 1, "SG-2b: paid in full");
    cr_assert_str_eq(paid[0]->invoice_id, "DEP-1-DEP1");
    cr_assert_eq(paid[0]->amount->cents, 350000, "the deposit itself, the figure SG-4a reads");
    cr_assert_eq(paid[0]->paid_on->day, 12);
    i5d_free_all((ProtobufCMessage **) paid, count);
}

Test(i5d, sg2b_the_rate_the_quote_states_wins_and_rounds_once)
{
    //  (derived) Total 1,234.57 at 35 % -> 432.0995 -> 432.10; a quote at 50 % -> 617.29 (617.285).
    const char *tenant = i5d_tenant(I5D_SGEVENT);
    i5d_clock(&s_fx, tenant, "2025-05-02");
    s_quote("DEP-2", "Q-DEP-2", 123457, 0);
    s_accept("DEP-2", "Q-DEP-2", "2025-05-06", "accept-2");
    s_quote("DEP-3", "Q-DEP-3", 123457, 5000);
    s_accept("DEP-3", "Q-DEP-3", "2025-05-06", "accept-3");
    ProtobufCMessage *found[4];
    size_t count = i5d_emitted(&s_fx, tenant, "DEP-2", &pacta__v1__deposit_invoiced__descriptor, found, 4);
    cr_assert_eq(count, 1);
    cr_assert_eq(((Pacta__V1__DepositInvoiced *) found[0])->amount->cents, 43210);
    i5d_free_all(found, count);
    count = i5d_emitted(&s_fx, tenant, "DEP-3", &pacta__v1__deposit_invoiced__descriptor, found, 4);
    cr_assert_eq(count, 1);
    cr_assert_eq(((Pacta__V1__DepositInvoiced *) found[0])->rate->value, 5000);
    cr_assert_eq(((Pacta__V1__DepositInvoiced *) found[0])->amount->cents, 61729);
    i5d_free_all(found, count);
}

Test(i5d, sg2b_a_lapsed_acceptance_calls_for_no_deposit)
{
    //  SG-2a: 15 days of validity -- issued 2025-05-02, accepted 2025-05-18 is late.
    const char *tenant = i5d_tenant(I5D_SGEVENT);
    i5d_clock(&s_fx, tenant, "2025-05-02");
    s_quote("DEP-4", "Q-DEP-4", 1000000, 0);
    s_accept("DEP-4", "Q-DEP-4", "2025-05-18", "accept-4");
    ProtobufCMessage *found[4];
    cr_assert_eq(i5d_emitted(&s_fx, tenant, "DEP-4", &pacta__v1__invoice_issued__descriptor, found, 4), 0);
    cr_assert_eq(i5d_emitted(&s_fx, tenant, "DEP-4", &pacta__v1__deposit_invoiced__descriptor, found, 4), 0);
}

Test(i5d, sg2b_an_acceptance_before_its_quote_waits_for_it)
{
    const char *tenant = i5d_tenant(I5D_SGEVENT);
    i5d_clock(&s_fx, tenant, "2025-05-02");
    //  Contracts has the quote (its document exists); invoicing not yet.
    i5d_contract_exists(&s_fx, tenant, "DEP-5");
    Pacta__V1__Date on;
    Pacta__V1__QuoteAccepted msg = PACTA__V1__QUOTE_ACCEPTED__INIT;
    msg.quote_id = (char *) "Q-DEP-5";
    msg.contract_id = (char *) "DEP-5";
    msg.accepted_on = sf_date(&on, "2025-05-06");
    msg.channel = PACTA__V1__CHANNEL__CHANNEL_EMAIL;
    pacta_runtime_result_t result;
    i5d_send_result(&s_fx, tenant, "DEP-5", "accept-5", &msg.base, &result);
    cr_assert(result.ack && result.parked, "parked until the quote is known: %s", result.detail);
    s_quote("DEP-5", "Q-DEP-5", 1000000, 0);
    ProtobufCMessage *found[4];
    size_t count = i5d_emitted(&s_fx, tenant, "DEP-5", &pacta__v1__deposit_invoiced__descriptor, found, 4);
    cr_assert_eq(count, 1, "the parked acceptance applied once the quote arrived");
    i5d_free_all(found, count);
}

Test(i5d, sg2b_acceptances_contracts_refuses_are_refused_alike)
{
    const char *tenant = i5d_tenant(I5D_SGEVENT);
    i5d_clock(&s_fx, tenant, "2025-05-02");
    Pacta__V1__Date on;
    Pacta__V1__QuoteAccepted msg = PACTA__V1__QUOTE_ACCEPTED__INIT;
    msg.quote_id = (char *) "Q-NONE";
    msg.contract_id = (char *) "DEP-NONE";
    msg.accepted_on = sf_date(&on, "2025-05-06");
    pacta_runtime_result_t result;
    i5d_send_result(&s_fx, tenant, "DEP-NONE", "accept-none", &msg.base, &result);
    cr_assert_not(result.ack, "an unknown contract is refused, as contracts refuses it");
    cr_assert_eq(result.reason, PACTA__V1__NACK_REASON__NACK_REASON_UNKNOWN_ENTITY);
    s_quote("DEP-6", "Q-DEP-6", 1000000, 0);
    msg.quote_id = (char *) "Q-OTHER";
    msg.contract_id = (char *) "DEP-6";
    i5d_send_result(&s_fx, tenant, "DEP-6", "accept-other", &msg.base, &result);
    cr_assert_not(result.ack, "another quote's acceptance is refused");
    cr_assert_str_eq(result.field, "quote_id");
    ProtobufCMessage *found[4];
    cr_assert_eq(i5d_emitted(&s_fx, tenant, "DEP-6", &pacta__v1__deposit_invoiced__descriptor, found, 4), 0);
}

/* ---- CC-2c, SG-4a, SG-4b: termination indemnities billed ------------------------------ */

static Pacta__V1__Explanation *
s_why(Pacta__V1__Explanation *storage, const char *rule_id)
{
    pacta__v1__explanation__init(storage);
    storage->rule_id = (char *) rule_id;
    return storage;
}

Test(i5d, cc2c_the_early_termination_indemnity_is_billed_once)
{
    //  Worked example 3: ends 2025-09-15, indemnity 3 x 300.00 = 900.00.
    const char *tenant = i5d_tenant(I5D_CAPCONNECT);
    i5d_clock(&s_fx, tenant, "2025-09-15");
    Pacta__V1__Date notified, ends;
    Pacta__V1__Money indemnity;
    Pacta__V1__Explanation why;
    Pacta__V1__EarlyTerminationAccepted msg = PACTA__V1__EARLY_TERMINATION_ACCEPTED__INIT;
    msg.contract_id = (char *) "ET-CC";
    msg.notified_on = sf_date(&notified, "2025-09-15");
    msg.ends_on = sf_date(&ends, "2025-09-15");
    msg.indemnity = sf_money(&indemnity, 90000);
    msg.explanation = s_why(&why, "CC-2c");
    i5d_send(&s_fx, tenant, "ET-CC", "early-cc", &msg.base);
    i5d_send(&s_fx, tenant, "ET-CC", "early-cc-again", &msg.base);
    ProtobufCMessage *found[4];
    size_t count = i5d_emitted(&s_fx, tenant, "ET-CC", &pacta__v1__invoice_issued__descriptor, found, 4);
    cr_assert_eq(count, 1, "CC-2c: one indemnity invoice");
    const Pacta__V1__InvoiceIssued *invoice = (const Pacta__V1__InvoiceIssued *) found[0];
    cr_assert_str_eq(invoice->invoice_id, "ET-CC-IND1");
    cr_assert_eq(invoice->kind, PACTA__V1__INVOICE_KIND__INVOICE_KIND_CHARGES);
    cr_assert_eq(invoice->total_incl_vat->cents, 90000, "worked example 3: 900.00");
    cr_assert_eq(invoice->issued_on->day, 15);
    cr_assert_eq(invoice->due_on->day, 22, "CC-3a: 7 calendar days");
    i5d_free_all(found, count);
    count = i5d_emitted(&s_fx, tenant, "ET-CC", &pacta__v1__indemnity_charged__descriptor, found, 4);
    cr_assert_eq(count, 1);
    const Pacta__V1__IndemnityCharged *charged = (const Pacta__V1__IndemnityCharged *) found[0];
    cr_assert_eq(charged->kind, PACTA__V1__INDEMNITY_KIND__INDEMNITY_KIND_EARLY_TERMINATION);
    cr_assert_eq(charged->amount->cents, 90000);
    cr_assert_str_eq(charged->charge_invoice_id, "ET-CC-IND1");
    cr_assert_str_eq(charged->explanation->rule_id, "CC-2c");
    i5d_free_all(found, count);
}

Test(i5d, sg4a_and_sg4b_indemnities_are_billed_with_their_kind)
{
    const char *tenant = i5d_tenant(I5D_SGEVENT);
    i5d_clock(&s_fx, tenant, "2025-07-03");
    //  Worked example 9: 20 % x 8,000.00 = 1,600.00.
    Pacta__V1__Date notified, ends;
    Pacta__V1__Money indemnity, remaining;
    Pacta__V1__Explanation why;
    Pacta__V1__EarlyTerminationAccepted early = PACTA__V1__EARLY_TERMINATION_ACCEPTED__INIT;
    early.contract_id = (char *) "ET-SG";
    early.notified_on = sf_date(&notified, "2025-07-03");
    early.ends_on = sf_date(&ends, "2025-07-03");
    early.indemnity = sf_money(&indemnity, 160000);
    early.remaining = sf_money(&remaining, 800000);
    early.explanation = s_why(&why, "SG-4a");
    i5d_send(&s_fx, tenant, "ET-SG", "early-sg", &early.base);
    ProtobufCMessage *found[4];
    size_t count = i5d_emitted(&s_fx, tenant, "ET-SG", &pacta__v1__indemnity_charged__descriptor, found, 4);
    cr_assert_eq(count, 1);
    cr_assert_eq(((Pacta__V1__IndemnityCharged *) found[0])->kind,
                 PACTA__V1__INDEMNITY_KIND__INDEMNITY_KIND_FIXED_TERM_TERMINATION);
    cr_assert_eq(((Pacta__V1__IndemnityCharged *) found[0])->basis->cents, 800000);
    cr_assert_eq(((Pacta__V1__IndemnityCharged *) found[0])->amount->cents, 160000);
    i5d_free_all(found, count);
    //  SG-4b: a notice not observed owes its fees.
    Pacta__V1__Date received, notice_ends;
    Pacta__V1__Money fees;
    Pacta__V1__Explanation notice_why;
    Pacta__V1__TerminationNoticeRecorded notice = PACTA__V1__TERMINATION_NOTICE_RECORDED__INIT;
    notice.contract_id = (char *) "NT-SG";
    notice.received_on = sf_date(&received, "2025-04-29");
    notice.ends_on = sf_date(&notice_ends, "2025-07-31");
    notice.unobserved_fees = sf_money(&fees, 120000);
    notice.explanation = s_why(&notice_why, "SG-4b");
    i5d_send(&s_fx, tenant, "NT-SG", "notice-sg", &notice.base);
    count = i5d_emitted(&s_fx, tenant, "NT-SG", &pacta__v1__invoice_issued__descriptor, found, 4);
    cr_assert_eq(count, 1);
    cr_assert_str_eq(((Pacta__V1__InvoiceIssued *) found[0])->invoice_id, "NT-SG-NOT1");
    cr_assert_eq(((Pacta__V1__InvoiceIssued *) found[0])->total_incl_vat->cents, 120000);
    i5d_free_all(found, count);
    count = i5d_emitted(&s_fx, tenant, "NT-SG", &pacta__v1__indemnity_charged__descriptor, found, 4);
    cr_assert_eq(count, 1);
    cr_assert_eq(((Pacta__V1__IndemnityCharged *) found[0])->kind,
                 PACTA__V1__INDEMNITY_KIND__INDEMNITY_KIND_UNOBSERVED_NOTICE);
    i5d_free_all(found, count);
}
