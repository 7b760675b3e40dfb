/*  The JSON form of events (ctl_event), replay files (ctl_script), the
    examples of docs/events-json.md and the scenario files of
    tests/scenarios: everything pactactl checks before it sends anything.
    No bus and no Redis needed. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_event.h"
#include "ctl_script.h"
#include "ctl_state.h"
#include "pacta/v1/gdpr.pb-c.h"
#include "pacta/v1/invoicing.pb-c.h"
#include "pacta_proto_registry.h"

#define DOCS PACTA_SOURCE_DIR "/docs"
#define SCENARIOS PACTA_SOURCE_DIR "/tests/scenarios"

static ctl_event_t *
s_event(const char *text, const char *default_tenant, char *err, size_t err_size)
{
    return ctl_event_parse(text, strlen(text), default_tenant, err, err_size);
}

//  text must be refused with an error that starts with prefix.
static void
s_refused(const char *text, const char *default_tenant, const char *prefix, const char *fragment)
{
    char err[1024] = "";
    ctl_event_t *event = s_event(text, default_tenant, err, sizeof err);
    cr_assert_null(event, "must be refused: %s", text);
    cr_assert(strncmp(err, prefix, strlen(prefix)) == 0, "error starts with \"%s\": got \"%s\"", prefix, err);
    if (fragment)
        cr_assert(strstr(err, fragment), "error says \"%s\": got \"%s\"", fragment, err);
}

static char *
s_read(const char *path)
{
    char err[512];
    size_t len;
    char *text = ctl_read_file(path, 4 * 1024 * 1024, &len, err, sizeof err);
    cr_assert_not_null(text, "%s", err);
    return text;
}

//  ---------------------------------------------------------------------------
//  One event

Test(ctl_event, builds_the_envelope)
{
    char err[1024];
    ctl_event_t *event = s_event("{\"type\":\"InvoiceIssued\",\"tenant\":\"capconnect\",\"id\":\"acc-42\","
                                 "\"event\":{\"invoice_id\":\"F-42\",\"contract_id\":\"C-1\","
                                 "\"issued_on\":\"2025-02-01\",\"due_on\":\"2025-02-08\",\"total_incl_vat\":\"363.00\"}}",
                                 NULL, err, sizeof err);
    cr_assert_not_null(event, "%s", err);
    const Pacta__V1__Envelope *envelope = ctl_event_envelope(event);
    cr_assert_str_eq(envelope->message_type, "pacta.v1.InvoiceIssued");
    cr_assert_str_eq(envelope->tenant, "capconnect");
    cr_assert_str_eq(envelope->message_id, "acc-42");
    cr_assert_str_eq(envelope->correlation_id, "acc-42", "an outside fact starts its own chain");
    cr_assert_str_eq(envelope->entity_key, "c:C-1", "derived from contract_id");
    cr_assert_str_eq(envelope->producer, "pactactl");
    cr_assert_str_eq(envelope->destination, "");
    cr_assert_eq(envelope->schema_version, 1);
    cr_assert_eq(envelope->kind, PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_EVENT);
    cr_assert_str_eq(ctl_event_short_type(event), "InvoiceIssued");
    cr_assert_not(ctl_event_id_generated(event));

    //  The payload on the wire is the event that was written.
    Pacta__V1__InvoiceIssued *invoice =
        pacta__v1__invoice_issued__unpack(NULL, envelope->payload.len, envelope->payload.data);
    cr_assert_not_null(invoice);
    cr_assert_str_eq(invoice->invoice_id, "F-42");
    cr_assert_eq(invoice->due_on->day, 8);
    cr_assert_eq(invoice->total_incl_vat->cents, 36300);
    pacta__v1__invoice_issued__free_unpacked(invoice, NULL);
    ctl_event_destroy(&event);
    ctl_event_destroy(&event);
    cr_assert_null(event, "destroy nulls the pointer and is safe twice");
}

Test(ctl_event, optional_keys)
{
    char err[1024];
    ctl_event_t *event =
        s_event("{\"type\":\"pacta.v1.DecisionApproved\",\"destination\":\"enforcement\",\"producer\":\"back-office\","
                "\"occurred_at\":\"2025-02-10T09:30:00Z\",\"comment\":\"any text\","
                "\"event\":{\"decision_id\":\"D-1\",\"contract_id\":\"C-1\"}}",
                "sgevent", err, sizeof err);
    cr_assert_not_null(event, "%s", err);
    const Pacta__V1__Envelope *envelope = ctl_event_envelope(event);
    cr_assert_str_eq(envelope->tenant, "sgevent", "the default tenant applies");
    cr_assert_str_eq(envelope->destination, "enforcement");
    cr_assert_str_eq(envelope->producer, "back-office");
    cr_assert_eq(envelope->kind, PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_COMMAND, "an approval is a command");
    cr_assert_eq(envelope->occurred_at_ms, 1739179800000LL);
    ctl_event_destroy(&event);

    event = s_event("{\"type\":\"ContractSigned\",\"tenant\":\"capconnect\",\"kind\":\"decision\",\"entity\":\"c:OTHER\","
                    "\"occurred_at\":\"2025-02-01\",\"event\":{\"contract_id\":\"C-1\"}}",
                    NULL, err, sizeof err);
    cr_assert_not_null(event, "%s", err);
    cr_assert_eq(ctl_event_envelope(event)->kind, PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_DECISION);
    cr_assert_str_eq(ctl_event_envelope(event)->entity_key, "c:OTHER", "an explicit entity wins");
    cr_assert_eq(ctl_event_envelope(event)->occurred_at_ms, 1738364400000LL, "00:00 in Brussels, UTC+1");
    ctl_event_destroy(&event);
}

Test(ctl_event, generated_ids_follow_the_content)
{
    const char *a = "{\"type\":\"PaymentReceived\",\"tenant\":\"capconnect\",\"event\":{\"payment_id\":\"TX-1\","
                    "\"amount\":\"363.00\",\"value_date\":\"2025-02-19\",\"structured_communication\":\"202500420093\"}}";
    const char *same_reordered = "{\"event\":{\"value_date\":\"2025-02-19\",\"payment_id\":\"TX-1\","
                                 "\"structured_communication\":\"202500420093\",\"amount\":\"363.00\"},"
                                 "\"tenant\":\"capconnect\",\"type\":\"pacta.v1.PaymentReceived\"}";
    const char *other_amount = "{\"type\":\"PaymentReceived\",\"tenant\":\"capconnect\",\"event\":{\"payment_id\":\"TX-1\","
                               "\"amount\":\"363.01\",\"value_date\":\"2025-02-19\","
                               "\"structured_communication\":\"202500420093\"}}";
    const char *other_tenant = "{\"type\":\"PaymentReceived\",\"tenant\":\"sgevent\",\"event\":{\"payment_id\":\"TX-1\","
                               "\"amount\":\"363.00\",\"value_date\":\"2025-02-19\","
                               "\"structured_communication\":\"202500420093\"}}";
    char err[1024];
    ctl_event_t *first = s_event(a, NULL, err, sizeof err);
    ctl_event_t *second = s_event(same_reordered, NULL, err, sizeof err);
    ctl_event_t *third = s_event(other_amount, NULL, err, sizeof err);
    ctl_event_t *fourth = s_event(other_tenant, NULL, err, sizeof err);
    cr_assert(first && second && third && fourth, "%s", err);
    const char *id = ctl_event_envelope(first)->message_id;
    cr_assert(ctl_event_id_generated(first));
    cr_assert_eq(strlen(id), 36, "ctl- and 32 hex digits: %s", id);
    cr_assert(strncmp(id, "ctl-", 4) == 0);
    cr_assert_str_eq(id, ctl_event_envelope(second)->message_id, "the same event gets the same id");
    cr_assert_str_neq(id, ctl_event_envelope(third)->message_id, "another amount, another id");
    cr_assert_str_neq(id, ctl_event_envelope(fourth)->message_id, "another tenant, another id");
    cr_assert_str_eq(ctl_event_envelope(first)->entity_key, "p:202500420093", "a payment waits on its communication");
    ctl_event_destroy(&first);
    ctl_event_destroy(&second);
    ctl_event_destroy(&third);
    ctl_event_destroy(&fourth);
}

Test(ctl_event, derives_the_entity)
{
    static const struct {
        const char *json;   /* the event */
        const char *entity; /* the entity key derived from it */
    } cases[] = {
        {"{\"type\":\"PersonalDataRecorded\",\"event\":{\"subject_id\":\"S-9\",\"contract_id\":\"C-1\"}}", "s:S-9"},
        {"{\"type\":\"DataSubjectRequestOpened\",\"event\":{\"request_id\":\"R-1\",\"subject_id\":\"S-9\"}}", "s:S-9"},
        {"{\"type\":\"ReferralRegistered\",\"event\":{\"sponsor_contract_id\":\"C-4\","
         "\"referee_contract_id\":\"C-40\"}}",
         "c:C-4"},
        {"{\"type\":\"NotificationRequested\",\"event\":{\"notification_id\":\"N-1\",\"subject_id\":\"S-9\"}}",
         "s:S-9"},
        {"{\"type\":\"NotificationRequested\",\"event\":{\"notification_id\":\"N-1\",\"contract_id\":\"C-2\","
         "\"subject_id\":\"S-9\"}}",
         "c:C-2"},
        {"{\"type\":\"TestClockAdvanced\",\"event\":{\"now_ms\":1}}", "clock:capconnect"},
        {"{\"type\":\"LetterPostingConfirmed\",\"event\":{\"letter_id\":\"L-1\",\"contract_id\":\"SG-1\"}}", "c:SG-1"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char err[1024];
        ctl_event_t *event = s_event(cases[i].json, "capconnect", err, sizeof err);
        cr_assert_not_null(event, "%s: %s", cases[i].json, err);
        cr_assert_str_eq(ctl_event_envelope(event)->entity_key, cases[i].entity, "%s", cases[i].json);
        ctl_event_destroy(&event);
    }
    s_refused("{\"type\":\"FirstUseRecorded\",\"event\":{\"used_on\":\"2025-03-01\"}}", "capconnect",
              "event.contract_id: missing", NULL);
    s_refused("{\"type\":\"PaymentReceived\",\"event\":{\"payment_id\":\"TX\",\"invoice_id\":\"F-1\"}}", "capconnect",
              "entity: ", "structured_communication");
    s_refused("{\"type\":\"DataSubjectRequestOpened\",\"event\":{\"request_id\":\"R-1\"}}", "capconnect",
              "event.subject_id: missing", NULL);
    s_refused("{\"type\":\"InvoiceIssued\",\"event\":{\"contract_id\":\"C 1\"}}", "capconnect", "event.contract_id: ",
              "cannot name an entity");
    s_refused("{\"type\":\"InvoiceIssued\",\"entity\":\"c:C 1\",\"event\":{\"contract_id\":\"C-1\"}}", "capconnect",
              "entity: ", NULL);
}

Test(ctl_event, refuses_with_the_field)
{
    s_refused("{\"type\":\"InvoiceIssued\",\"tenant\":\"capconnect\",\"event\":{\"contract_id\":\"C-1\","
              "\"due_on\":\"2025-02-30\"}}",
              NULL, "event.due_on: ", "a date like 2025-02-01");
    s_refused("{\"type\":\"InvoiceIssued\",\"tenant\":\"capconnect\",\"event\":{\"contract_id\":\"C-1\","
              "\"lines\":[{\"amount\":\"1.00\"},{\"amount\":\"12.345\"}]}}",
              NULL, "event.lines[1].amount: ", NULL);
    s_refused("{\"type\":\"InvoiceIssued\",\"tenant\":\"capconnect\",\"event\":{\"contract_idd\":\"C-1\"}}", NULL,
              "event.contract_idd: ", "did you mean \"contract_id\"");
    s_refused("{\"type\":\"InvoiceIssued\",\"tenant\":\"capconnect\",\"event\":[]}", NULL, "event: ",
              "must be an object");
    s_refused("{\"type\":\"InvoiceIssued\",\"tenant\":\"capconnect\"}", NULL, "event: missing", NULL);
    s_refused("{\"type\":\"InvoiceIsued\",\"tenant\":\"capconnect\",\"event\":{}}", NULL, "type: ",
              "did you mean \"InvoiceIssued\"");
    s_refused("{\"type\":\"invoiceissued\",\"tenant\":\"capconnect\",\"event\":{}}", NULL, "type: ",
              "did you mean \"InvoiceIssued\"");
    s_refused("{\"type\":\"Nothing\",\"tenant\":\"capconnect\",\"event\":{}}", NULL, "type: no message", NULL);
    s_refused("{\"type\":\"Ack\",\"tenant\":\"capconnect\",\"event\":{}}", NULL, "type: ", "not an event");
    s_refused("{\"tenant\":\"capconnect\",\"event\":{}}", NULL, "type: missing", NULL);
    s_refused("{\"type\":42,\"tenant\":\"capconnect\",\"event\":{}}", NULL, "type: must be a string", NULL);
    s_refused("{\"type\":\"InvoiceIssued\",\"event\":{\"contract_id\":\"C-1\"}}", NULL, "tenant: missing", NULL);
    s_refused("{\"type\":\"InvoiceIssued\",\"tenant\":\"bad{tenant}\",\"event\":{\"contract_id\":\"C-1\"}}", NULL,
              "tenant: ", "not a tenant id");
    s_refused("{\"type\":\"InvoiceIssued\",\"tenant\":\"capconnect\",\"id\":\"has space\","
              "\"event\":{\"contract_id\":\"C-1\"}}",
              NULL, "id: ", NULL);
    s_refused("{\"type\":\"InvoiceIssued\",\"tenant\":\"capconnect\",\"id\":\"\",\"event\":{\"contract_id\":\"C-1\"}}",
              NULL, "id: must not be empty", NULL);
    s_refused("{\"type\":\"InvoiceIssued\",\"tenant\":\"capconnect\",\"kind\":\"fact\",\"event\":{\"contract_id\":\"C-1\"}}",
              NULL, "kind: ", NULL);
    s_refused("{\"type\":\"InvoiceIssued\",\"tenant\":\"capconnect\",\"occurred_at\":\"yesterday\","
              "\"event\":{\"contract_id\":\"C-1\"}}",
              NULL, "occurred_at: ", NULL);
    s_refused("{\"type\":\"InvoiceIssued\",\"tenant\":\"capconnect\",\"destination\":\"two words\","
              "\"event\":{\"contract_id\":\"C-1\"}}",
              NULL, "destination: ", NULL);
    s_refused("{\"type\":\"InvoiceIssued\",\"tenant\":\"capconnect\",\"colour\":\"red\",\"event\":{}}", NULL,
              "colour: unknown key", NULL);
    s_refused("{\"type\":\"InvoiceIssued\",\"type\":\"InvoiceIssued\"}", NULL, "line 1, column ", "duplicate");
    s_refused("{\"type\":\"InvoiceIssued\",\n \"tenant\": capconnect}", NULL, "line 2, column ", NULL);
    s_refused("[1, 2]", NULL, "an event must be a JSON object", NULL);
}

//  ---------------------------------------------------------------------------
//  Replay files

Test(ctl_script, parses_events_and_clock_moves_with_their_lines)
{
    const char *text = "# worked example\n"
                       "\n"
                       "{\"type\":\"ContractSigned\",\"id\":\"s-1\",\"event\":{\"contract_id\":\"C-1\"}}\n"
                       "   {\"clock\":\"set\",\"to\":\"2025-02-01\"}\r\n"
                       "{\"clock\":\"advance\",\"days\":9,\"tenant\":\"sgevent\",\"comment\":\"nine days\"}\n"
                       "{\"clock\":\"advance\",\"hours\":5}\n"
                       "{\"clock\":\"advance\",\"to\":\"2025-02-10T06:00:00Z\"}\n"
                       "{\"type\":\"PaymentReceived\",\"entity\":\"c:C-1\",\"event\":{\"payment_id\":\"TX-1\"}}";
    char err[1024];
    ctl_script_t *script = ctl_script_parse(text, strlen(text), "ex.jsonl", "capconnect", err, sizeof err);
    cr_assert_not_null(script, "%s", err);
    cr_assert_eq(ctl_script_count(script), 6);
    const ctl_step_t *step = ctl_script_at(script, 0);
    cr_assert_eq(step->kind, CTL_STEP_EVENT);
    cr_assert_eq(step->line, 3);
    cr_assert_str_eq(ctl_event_envelope(step->event)->tenant, "capconnect");
    step = ctl_script_at(script, 1);
    cr_assert_eq(step->kind, CTL_STEP_CLOCK);
    cr_assert_eq(step->line, 4);
    cr_assert_eq(step->clock.action, CTL_CLOCK_SET);
    cr_assert(step->clock.absolute);
    cr_assert_eq(step->clock.to, 1738364400, "2025-02-01 00:00 in Brussels");
    cr_assert_str_eq(step->clock.tenant, "capconnect");
    step = ctl_script_at(script, 2);
    cr_assert_eq(step->clock.action, CTL_CLOCK_ADVANCE);
    cr_assert_not(step->clock.absolute);
    cr_assert_eq(step->clock.seconds, 9 * 86400);
    cr_assert_str_eq(step->clock.tenant, "sgevent");
    step = ctl_script_at(script, 3);
    cr_assert_eq(step->clock.seconds, 5 * 3600);
    step = ctl_script_at(script, 4);
    cr_assert_eq(step->clock.to, 1739167200);
    step = ctl_script_at(script, 5);
    cr_assert_eq(step->line, 8, "the last line needs no newline");
    cr_assert_null(ctl_script_at(script, 6));
    ctl_script_destroy(&script);
    ctl_script_destroy(&script);
}

//  The whole text must be refused with "NAME:LINE: prefix...".
static void
s_script_refused(const char *text, const char *default_tenant, int line, const char *prefix)
{
    char err[1024] = "";
    ctl_script_t *script = ctl_script_parse(text, strlen(text), "bad.jsonl", default_tenant, err, sizeof err);
    cr_assert_null(script, "must be refused: %s", text);
    char expected[256];
    snprintf(expected, sizeof expected, "bad.jsonl:%d: %s", line, prefix);
    cr_assert(strncmp(err, expected, strlen(expected)) == 0, "expected \"%s...\", got \"%s\"", expected, err);
}

Test(ctl_script, errors_name_file_line_and_field)
{
    const char *good = "{\"type\":\"ContractSigned\",\"event\":{\"contract_id\":\"C-1\"}}\n";
    char text[2048];
    snprintf(text, sizeof text, "%s\n%s{\"type\":\"ContractSigned\",\"event\":{\"contract_id\":\"C-1\"}\n", good, good);
    s_script_refused(text, "capconnect", 4, "column ");
    snprintf(text, sizeof text, "%s#\n%s{\"type\":\"InvoiceIssued\",\"event\":{\"contract_id\":\"C-1\","
                                "\"due_on\":\"2025-13-01\"}}\n%s",
             good, good, good);
    s_script_refused(text, "capconnect", 4, "event.due_on: ");
    s_script_refused("{\"clock\":\"rewind\",\"to\":\"2025-01-01\"}", "capconnect", 1, "clock: ");
    s_script_refused("{\"clock\":\"set\",\"days\":3}", "capconnect", 1, "to: ");
    s_script_refused("{\"clock\":\"advance\",\"to\":\"2025-02-01\",\"days\":3}", "capconnect", 1, "clock: ");
    s_script_refused("{\"clock\":\"advance\"}", "capconnect", 1, "clock: ");
    s_script_refused("{\"clock\":\"advance\",\"days\":-1}", "capconnect", 1, "days: ");
    s_script_refused("{\"clock\":\"advance\",\"hours\":\"5\"}", "capconnect", 1, "hours: ");
    s_script_refused("{\"clock\":\"advance\",\"to\":\"2025-02-29\"}", "capconnect", 1, "to: ");
    s_script_refused("{\"clock\":\"advance\",\"to\":\"2025-02-10\",\"speed\":2}", "capconnect", 1, "speed: ");
    s_script_refused("\n\n{\"clock\":\"advance\",\"to\":\"2025-02-10\"}", NULL, 3, "tenant: missing");
    s_script_refused("{\"clock\":\"advance\",\"to\":\"2025-02-10\",\"tenant\":\"a b\"}", NULL, 1, "tenant: ");
    s_script_refused("{\"type\":\"ContractSigned\",\"event\":{\"contract_id\":\"C-1\"}}", NULL, 1, "tenant: missing");
    s_script_refused("\"just a string\"", "capconnect", 1, "an event must be a JSON object");

    char err[256];
    cr_assert_null(ctl_script_load("/nonexistent/replay.jsonl", "capconnect", err, sizeof err));
    cr_assert(strstr(err, "No such file"), "%s", err);
}

Test(ctl_script, empty_file_is_no_steps)
{
    char err[256];
    ctl_script_t *script = ctl_script_parse("# nothing yet\n\n", 15, "empty.jsonl", NULL, err, sizeof err);
    cr_assert_not_null(script, "%s", err);
    cr_assert_eq(ctl_script_count(script), 0);
    ctl_script_destroy(&script);
}

Test(ctl_script, expectations)
{
    const char *text = "{\"expect\":\"contract\",\"id\":\"C-1\",\"match\":{\"state\":\"suspended\"}}\n"
                       "{\"expect\":\"decision\",\"id\":\"C-1\",\"count\":1,\"tenant\":\"sgevent\","
                       "\"match\":{\"rule_id\":\"CC-3b\"}}\n"
                       "{\"expect\":\"invoice\",\"id\":\"F-1\",\"match\":{\"state\":\"paid\"}}\n";
    char err[1024];
    ctl_script_t *script = ctl_script_parse(text, strlen(text), "x.jsonl", "capconnect", err, sizeof err);
    cr_assert_not_null(script, "%s", err);
    cr_assert_eq(ctl_script_count(script), 3);
    const ctl_step_t *step = ctl_script_at(script, 0);
    cr_assert_eq(step->kind, CTL_STEP_EXPECT);
    cr_assert_eq(step->expect.what, CTL_EXPECT_CONTRACT);
    cr_assert_str_eq(step->expect.id, "C-1");
    cr_assert_str_eq(step->expect.tenant, "capconnect");
    cr_assert_eq(step->expect.count, -1);
    step = ctl_script_at(script, 1);
    cr_assert_eq(step->expect.what, CTL_EXPECT_AUDIT);
    cr_assert_eq(step->expect.count, 1);
    cr_assert_str_eq(step->expect.tenant, "sgevent");
    cr_assert_str_eq(json_string_value(json_object_get(step->expect.match, "entry")), "decision",
                     "\"decision\" looks at decision entries only");
    cr_assert_eq(ctl_script_at(script, 2)->expect.what, CTL_EXPECT_INVOICE);
    ctl_script_destroy(&script);

    s_script_refused("{\"expect\":\"weather\",\"id\":\"C-1\",\"match\":{}}", "capconnect", 1, "expect: ");
    s_script_refused("{\"expect\":\"contract\",\"match\":{}}", "capconnect", 1, "id: ");
    s_script_refused("{\"expect\":\"contract\",\"id\":\"C-1\"}", "capconnect", 1, "match: ");
    s_script_refused("{\"expect\":\"contract\",\"id\":\"C-1\",\"match\":{},\"count\":2}", "capconnect", 1,
                     "count: ");
    s_script_refused("{\"expect\":\"audit\",\"id\":\"C-1\",\"match\":{},\"count\":-2}", "capconnect", 1,
                     "count: ");
    s_script_refused("{\"expect\":\"audit\",\"id\":\"C-1\",\"match\":{},\"when\":1}", "capconnect", 1,
                     "when: unknown key");
    s_script_refused("{\"expect\":\"audit\",\"id\":\"C-1\",\"match\":{}}", NULL, 1, "tenant: missing");
}

static json_t *
s_json(const char *text)
{
    json_error_t error;
    json_t *json = json_loads(text, 0, &error);
    cr_assert_not_null(json, "%s: %s", text, error.text);
    return json;
}

Test(ctl_state, json_subset_matching)
{
    json_t *actual = s_json("{\"state\":\"active\",\"version\":\"7\",\"suspension\":null,"
                            "\"suspensions\":[{\"from\":\"2025-02-09\",\"restored_on\":\"2025-02-19\",\"decision_id\":\"d\"}],"
                            "\"client\":{\"kind\":\"professional\",\"language\":\"fr\"}}");
    static const struct {
        const char *expected; /* the subset */
        bool matches;         /* whether it is in the document */
        const char *path;     /* where they differ, when not */
    } cases[] = {
        {"{}", true, ""},
        {"{\"state\":\"active\"}", true, ""},
        {"{\"state\":\"suspended\"}", false, "state"},
        {"{\"client\":{\"kind\":\"professional\"}}", true, ""},
        {"{\"client\":{\"kind\":\"consumer\"}}", false, "client.kind"},
        {"{\"suspension\":null}", true, ""},
        {"{\"missing\":null}", true, ""},
        {"{\"missing\":1}", false, "missing"},
        {"{\"version\":7}", true, ""},
        {"{\"version\":8}", false, "version"},
        {"{\"suspensions\":[{\"from\":\"2025-02-09\"}]}", true, ""},
        {"{\"suspensions\":[{\"from\":\"2025-02-10\"}]}", false, "suspensions[0].from"},
        {"{\"suspensions\":[]}", false, "suspensions"},
        {"{\"state\":{\"a\":1}}", false, "state"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *expected = s_json(cases[i].expected);
        char path[128];
        const bool matches = ctl_json_matches(expected, actual, path, sizeof path);
        cr_expect_eq(matches, cases[i].matches, "%s", cases[i].expected);
        if (!cases[i].matches)
            cr_expect_str_eq(path, cases[i].path, "%s", cases[i].expected);
        json_decref(expected);
    }
    json_decref(actual);
}

//  ---------------------------------------------------------------------------
//  docs/events-json.md

//  Message names whose producer column in docs/messages.md names outside
//  systems or pactactl (frames, values and replies aside). Returns the
//  count; names are malloc'd.
static size_t
s_outside_messages(char **names, size_t max)
{
    char *text = s_read(DOCS "/messages.md");
    size_t count = 0;
    for (char *line = text; line && *line;) {
        char *end = strchr(line, '\n');
        if (end)
            *end = '\0';
        char *next = end ? end + 1 : NULL;
        //  | `Name` | file | kind | producers | consumers | rules |
        if (strncmp(line, "| `", 3) == 0) {
            char *cells[7] = {0};
            size_t n = 0;
            for (char *bar = strchr(line, '|'); bar && n < 7; bar = strchr(bar + 1, '|')) {
                *bar = '\0';
                cells[n++] = bar + 1;
            }
            const bool row = n >= 5 && strstr(cells[1], ".proto");
            const bool skipped = row && (strstr(cells[2], "frame") || strstr(cells[2], "value")
                                         || strstr(cells[2], "reply"));
            const bool outside = row && (strstr(cells[3], "outside systems") || strstr(cells[3], "pactactl"));
            if (row && !skipped && outside) {
                char *open = strchr(cells[0], '`');
                char *close = open ? strchr(open + 1, '`') : NULL;
                cr_assert(open && close, "malformed catalogue row: %s", cells[0]);
                cr_assert_lt(count, max);
                names[count++] = strndup(open + 1, (size_t) (close - open - 1));
            }
        }
        line = next;
    }
    free(text);
    return count;
}

Test(events_json_doc, every_example_decodes_and_every_outside_message_has_one)
{
    char *names[256];
    const size_t wanted = s_outside_messages(names, 256);
    cr_assert_gt(wanted, 40, "the catalogue lists the outside messages (found %zu)", wanted);
    bool found[256] = {false};

    char *text = s_read(DOCS "/events-json.md");
    size_t examples = 0;
    const char *cursor = text;
    while ((cursor = strstr(cursor, "\n### `")) != NULL) {
        cursor += 6;
        const char *end_name = strchr(cursor, '`');
        cr_assert_not_null(end_name);
        char heading[128];
        snprintf(heading, sizeof heading, "%.*s", (int) (end_name - cursor), cursor);
        //  Its example: the first json block before the next heading.
        const char *next_heading = strstr(end_name, "\n#");
        const char *block = strstr(end_name, "\n```json\n");
        cr_assert(block && (!next_heading || block < next_heading), "%s has no ```json example", heading);
        block += 9;
        const char *block_end = strstr(block, "\n```");
        cr_assert_not_null(block_end, "%s: unterminated example", heading);
        char err[1024];
        ctl_event_t *event = ctl_event_parse(block, (size_t) (block_end - block), NULL, err, sizeof err);
        cr_assert_not_null(event, "the example of %s does not decode: %s", heading, err);
        cr_assert_str_eq(ctl_event_short_type(event), heading, "the example under %s is a %s", heading,
                         ctl_event_short_type(event));
        cr_assert_not(ctl_event_id_generated(event), "the example of %s shows its own id", heading);
        ctl_event_destroy(&event);
        for (size_t i = 0; i < wanted; i++)
            if (strcmp(names[i], heading) == 0)
                found[i] = true;
        examples++;
        cursor = block_end;
    }
    free(text);
    cr_assert_geq(examples, wanted);
    for (size_t i = 0; i < wanted; i++) {
        cr_expect(found[i], "docs/events-json.md has no example of %s (an outside or pactactl message)", names[i]);
        free(names[i]);
    }
}

//  ---------------------------------------------------------------------------
//  tests/scenarios

Test(scenarios, every_file_is_a_valid_replay)
{
    DIR *dir = opendir(SCENARIOS);
    cr_assert_not_null(dir, "%s", SCENARIOS);
    size_t files = 0;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        const size_t len = strlen(entry->d_name);
        if (len < 7 || strcmp(entry->d_name + len - 6, ".jsonl") != 0)
            continue;
        char path[1024], err[1024];
        snprintf(path, sizeof path, "%s/%s", SCENARIOS, entry->d_name);
        ctl_script_t *script = ctl_script_load(path, NULL, err, sizeof err);
        cr_assert_not_null(script, "%s", err);
        cr_assert_gt(ctl_script_count(script), 0, "%s has steps", path);
        //  Replayable twice: every event names its own id, and clock moves
        //  go to a date (a relative move would move again on a replay).
        for (size_t i = 0; i < ctl_script_count(script); i++) {
            const ctl_step_t *step = ctl_script_at(script, i);
            if (step->kind == CTL_STEP_EVENT)
                cr_expect_not(ctl_event_id_generated(step->event), "%s:%d: give the event an \"id\"", path,
                              step->line);
            else if (step->kind == CTL_STEP_CLOCK)
                cr_expect(step->clock.absolute, "%s:%d: move the clock \"to\" a date", path, step->line);
        }
        ctl_script_destroy(&script);
        files++;
    }
    closedir(dir);
    cr_assert_geq(files, 1, "tests/scenarios holds the worked examples");
}
