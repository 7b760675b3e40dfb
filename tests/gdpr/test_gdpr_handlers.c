/*  gdpr-retention's handlers through the service shell in-process
    (pacta_runtime over the test Redis): personal data recorded sealed and
    looked up, never in clear anywhere in Redis (accepted or refused), the
    retention schedule of an ended Sg Event contract, and RetentionExpired
    archiving accounting and erasing the rest (the subject key destroyed
    with the last category). Each test process runs on a tenant of its own,
    a copy of sgevent renamed "gd<pid>t<time>". */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../shell/shell_fixture.h"
#include "gdpr_handlers.h"
#include "gdpr_scan.h"
#include "gdpr_service.h"
#include "pacta/v1/contracts.pb-c.h"
#include "pacta/v1/gdpr.pb-c.h"
#include "pacta_clock.h"
#include "pacta_runtime.h"
#include "pacta_vault.h"

#define KEY_HEX "4f1c2a3b4c5d6e7f80910a1b2c3d4e5f60718293a4b5c6d7e8f901a2b3c4d5e6"

typedef struct {
    char tenant[32];                   /* the sgevent copy */
    char dir[300];                     /* its profile directory */
    pacta_store_t *store;              /* the test Redis */
    pacta_profile_set_t *profiles;     /* the copy */
    pacta_clock_t *clock;              /* tenant clocks */
    pacta_vault_t *vault;              /* the handlers' vault */
    pacta_runtime_t *rt;               /* gdpr-retention's shell */
} fixture_t;

static void
s_fini(void)
{
    sf_cleanup_all();
}

TestSuite(gdpr_handlers, .fini = s_fini, .timeout = 60);

static void
s_start(fixture_t *f, bool with_vault)
{
    memset(f, 0, sizeof *f);
    snprintf(f->tenant, sizeof f->tenant, "gd%ldt%ld", (long) getpid(), (long) (time(NULL) % 1000000));
    snprintf(f->dir, sizeof f->dir, "/tmp/gdpr-handlers-%ld", (long) getpid());
    mkdir(f->dir, 0700);
    char source[512], target[700], line[1024];
    snprintf(source, sizeof source, "%s/deploy/profiles/sgevent.yaml", PACTA_SOURCE_DIR);
    snprintf(target, sizeof target, "%s/%s.yaml", f->dir, f->tenant);
    FILE *in = fopen(source, "r"), *out = fopen(target, "w");
    cr_assert(in && out);
    while (fgets(line, sizeof line, in)) {
        if (strncmp(line, "tenant:", 7) == 0)
            fprintf(out, "tenant: %s\n", f->tenant);
        else
            fputs(line, out);
    }
    fclose(in);
    fclose(out);
    char err[512];
    f->profiles = pacta_profile_set_load_dir(f->dir, err, sizeof err);
    cr_assert_not_null(f->profiles, "%s", err);
    f->store = sf_store();
    f->clock = pacta_clock_new(PACTA_CLOCK_TEST, f->store);
    cr_assert_not_null(f->clock);
    if (with_vault) {
        snprintf(target, sizeof target, "%s/master.key", f->dir);
        out = fopen(target, "w");
        cr_assert_not_null(out);
        fputs(KEY_HEX, out);
        fclose(out);
        f->vault = pacta_vault_new(target, err, sizeof err);
        cr_assert_not_null(f->vault, "%s", err);
    }
    gdpr_handlers_use_vault(f->vault);
    pacta_runtime_options_t options = {.service = "gdpr-retention", .consumes = gdpr_service_spec()->consumes,
                                       .handlers = &gdpr_handlers, .store = f->store, .profiles = f->profiles,
                                       .clock = f->clock};
    f->rt = pacta_runtime_new(&options, err, sizeof err);
    cr_assert_not_null(f->rt, "%s", err);
}

static void
s_stop(fixture_t *f)
{
    pacta_runtime_destroy(&f->rt);
    gdpr_handlers_use_vault(NULL);
    pacta_vault_destroy(&f->vault);
    pacta_clock_destroy(&f->clock);
    pacta_profile_set_destroy(&f->profiles);
    pacta_store_destroy(&f->store);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    (void) !system(cmd);
}

static pacta_runtime_result_t
s_handle(fixture_t *f, const char *entity, const char *message_id, const ProtobufCMessage *payload)
{
    Pacta__V1__Envelope *env = sf_envelope(f->tenant, entity, message_id, payload);
    pacta_runtime_result_t result;
    cr_assert_eq(pacta_runtime_handle(f->rt, env, &result), 0);
    sf_envelope_free(env);
    return result;
}

/* Records fields (name, category, value triples) for subject. */
static pacta_runtime_result_t
s_record(fixture_t *f, const char *subject, const char *message_id, size_t count,
         const Pacta__V1__PersonalField *fields)
{
    Pacta__V1__PersonalField *pointers[8];
    for (size_t i = 0; i < count; i++)
        pointers[i] = (Pacta__V1__PersonalField *) &fields[i];
    Pacta__V1__PersonalDataRecorded msg = PACTA__V1__PERSONAL_DATA_RECORDED__INIT;
    Pacta__V1__Date on;
    msg.subject_id = (char *) subject;
    msg.contract_id = "C-1";
    msg.n_fields = count;
    msg.fields = pointers;
    msg.recorded_on = sf_date(&on, "2025-05-02");
    msg.source = "crm";
    char entity[80];
    snprintf(entity, sizeof entity, "s:%s", subject);
    return s_handle(f, entity, message_id, &msg.base);
}

static Pacta__V1__PersonalField
s_field(Pacta__V1__PersonalDataCategory category, const char *name, const char *value)
{
    Pacta__V1__PersonalField field = PACTA__V1__PERSONAL_FIELD__INIT;
    field.category = category;
    field.name = (char *) name;
    field.value = (char *) value;
    return field;
}

#define IDENTITY PACTA__V1__PERSONAL_DATA_CATEGORY__PERSONAL_DATA_CATEGORY_IDENTITY
#define CONTACT PACTA__V1__PERSONAL_DATA_CATEGORY__PERSONAL_DATA_CATEGORY_CONTACT
#define ACCOUNTING PACTA__V1__PERSONAL_DATA_CATEGORY__PERSONAL_DATA_CATEGORY_ACCOUNTING

static void
s_assert_nowhere(fixture_t *f, const char *needle)
{
    char *where = gs_redis_find(f->store, needle);
    cr_assert_null(where, "plaintext \"%s\" found in Redis key %s", needle, where);
}

Test(gdpr_handlers, personal_data_are_sealed_and_looked_up)
{
    fixture_t f;
    s_start(&f, true);
    char subject[64];
    snprintf(subject, sizeof subject, "S-%s", f.tenant);
    char email[96];
    snprintf(email, sizeof email, "hanne.%s@example.be", f.tenant);
    Pacta__V1__PersonalField fields[] = {s_field(CONTACT, "email", email),
                                          s_field(CONTACT, "phone", "+32 470 98 76 54"),
                                          s_field(IDENTITY, "last_name", "Vermeulenxq")};
    pacta_runtime_result_t result = s_record(&f, subject, "crm-1", 3, fields);
    cr_assert(result.ack, "NACK %d %s: %s", result.reason, result.field, result.detail);

    /* a correction replaces the e-mail and keeps the phone */
    char email2[96];
    snprintf(email2, sizeof email2, "hanne.new.%s@example.be", f.tenant);
    Pacta__V1__PersonalField correction[] = {s_field(CONTACT, "email", email2)};
    result = s_record(&f, subject, "crm-2", 1, correction);
    cr_assert(result.ack, "NACK %d %s: %s", result.reason, result.field, result.detail);

    json_t *found = NULL;
    char err[256];
    pacta_vault_status_t status = pacta_vault_lookup_contact(f.vault, f.store, f.tenant, subject, "notifications",
                                                             "test", &found, err, sizeof err);
    cr_assert_eq(status, PACTA_VAULT_FOUND, "%s: %s", pacta_vault_status_name(status), err);
    cr_assert_str_eq(json_string_value(json_object_get(found, "email")), email2);
    cr_assert_str_eq(json_string_value(json_object_get(found, "phone")), "+32 470 98 76 54");
    cr_assert_str_eq(json_string_value(json_object_get(found, "last_name")), "Vermeulenxq");
    json_decref(found);

    s_assert_nowhere(&f, email);
    s_assert_nowhere(&f, email2);
    s_assert_nowhere(&f, "Vermeulenxq");
    s_assert_nowhere(&f, "98 76 54");
    s_stop(&f);
}

Test(gdpr_handlers, refused_personal_data_leave_nothing_behind)
{
    fixture_t f;
    s_start(&f, true);
    char subject[64];
    snprintf(subject, sizeof subject, "S-%s", f.tenant);
    Pacta__V1__PersonalField fields[] = {s_field(CONTACT, "email", "refusedxq@example.be"),
                                          s_field(PACTA__V1__PERSONAL_DATA_CATEGORY__PERSONAL_DATA_CATEGORY_UNSPECIFIED,
                                                  "nickname", "Refusedxq")};
    pacta_runtime_result_t result = s_record(&f, subject, "crm-bad", 2, fields);
    cr_assert_not(result.ack);
    cr_assert_eq(result.reason, PACTA__V1__NACK_REASON__NACK_REASON_INVALID);
    cr_assert_str_eq(result.field, "fields[1].category");
    cr_assert_null(strstr(result.detail, "Refusedxq"));

    /* on the wrong entity: refused, the value is not in the detail */
    Pacta__V1__PersonalField ok[] = {s_field(CONTACT, "email", "refusedxq@example.be")};
    Pacta__V1__PersonalField *pointers[] = {&ok[0]};
    Pacta__V1__PersonalDataRecorded msg = PACTA__V1__PERSONAL_DATA_RECORDED__INIT;
    msg.subject_id = subject;
    msg.n_fields = 1;
    msg.fields = pointers;
    result = s_handle(&f, "s:someone-else", "crm-wrong-entity", &msg.base);
    cr_assert_not(result.ack);
    cr_assert_str_eq(result.field, "envelope.entity_key");

    s_assert_nowhere(&f, "refusedxq@example.be");
    s_assert_nowhere(&f, "Refusedxq");
    char pattern[128];
    snprintf(pattern, sizeof pattern, "pacta:%s:*", f.tenant);
    cr_assert_eq(sf_count_keys(f.store, pattern), 0, "a refusal wrote nothing");
    s_stop(&f);
}

Test(gdpr_handlers, without_a_vault_personal_data_wait)
{
    fixture_t f;
    s_start(&f, false);
    Pacta__V1__PersonalField fields[] = {s_field(CONTACT, "email", "novaultxq@example.be")};
    pacta_runtime_result_t result = s_record(&f, "S-novault", "crm-nv", 1, fields);
    cr_assert_not(result.ack);
    cr_assert_eq(result.reason, PACTA__V1__NACK_REASON__NACK_REASON_RETRY_LATER);
    s_assert_nowhere(&f, "novaultxq@example.be");
    s_stop(&f);
}

static pacta_runtime_result_t
s_expire(fixture_t *f, const char *subject, const char *contract, const char *id,
         Pacta__V1__PersonalDataCategory category)
{
    Pacta__V1__RetentionExpired msg = PACTA__V1__RETENTION_EXPIRED__INIT;
    Pacta__V1__Date on;
    Pacta__V1__Explanation why = PACTA__V1__EXPLANATION__INIT;
    why.rule_id = "SG-11";
    msg.subject_id = (char *) subject;
    msg.contract_id = (char *) contract;
    msg.category = category;
    msg.stage = PACTA__V1__RETENTION_STAGE__RETENTION_STAGE_ACTIVE_ENDED;
    msg.expired_on = sf_date(&on, "2026-07-03");
    msg.explanation = &why;
    char entity[80];
    snprintf(entity, sizeof entity, "s:%s", subject);
    return s_handle(f, entity, id, &msg.base);
}

Test(gdpr_handlers, sg11_schedule_then_archive_accounting_and_erase_the_rest)
{
    fixture_t f;
    s_start(&f, true);
    char subject[64], contract[64], entity[80];
    snprintf(subject, sizeof subject, "S-%s", f.tenant);
    snprintf(contract, sizeof contract, "C-%s", f.tenant);
    snprintf(entity, sizeof entity, "c:%s", contract);
    Pacta__V1__PersonalField fields[] = {s_field(CONTACT, "email", "retainxq@example.be"),
                                          s_field(IDENTITY, "last_name", "Retainxq"),
                                          s_field(ACCOUNTING, "legal_name", "Retainxq BV")};
    cr_assert(s_record(&f, subject, "crm-r1", 3, fields).ack);

    Pacta__V1__ContractEnded ended = PACTA__V1__CONTRACT_ENDED__INIT;
    Pacta__V1__Date last;
    ended.contract_id = contract;
    ended.ended_on = sf_date(&last, "2025-07-03");
    ended.subject_id = subject;
    pacta_runtime_result_t result = s_handle(&f, entity, "ctr-ended-1", &ended.base);
    cr_assert(result.ack, "NACK %d %s: %s", result.reason, result.field, result.detail);

    char key[256];
    snprintf(key, sizeof key, "pacta:%s:{%s}:retention", f.tenant, entity);
    json_t *doc = sf_doc(f.store, key, NULL);
    cr_assert_not_null(doc);
    json_t *schedule = json_object_get(doc, "schedule");
    cr_assert_gt(json_array_size(schedule), 0);
    bool contact_erased_on = false, accounting_archived = false;
    size_t i;
    json_t *item;
    json_array_foreach(schedule, i, item) {
        const char *category = json_string_value(json_object_get(item, "category"));
        const char *action = json_string_value(json_object_get(item, "action"));
        const char *on = json_string_value(json_object_get(item, "on"));
        cr_assert_str_eq(json_string_value(json_object_get(item, "rule_id")), "SG-11", "%s", category);
        if (strcmp(category, "contact") == 0 && strcmp(action, "erase") == 0) {
            cr_assert_str_eq(on, "2026-07-04", "SG-11: contact kept 1 year after the last day");
            contact_erased_on = true;
        }
        if (strcmp(category, "accounting") == 0 && strcmp(action, "archive") == 0)
            accounting_archived = true;
    }
    cr_assert(contact_erased_on && accounting_archived);
    json_decref(doc);

    /* the link to the subject (an owed follow-up, performed after the commit) */
    snprintf(key, sizeof key, "pacta:%s:{s:%s}:contracts", f.tenant, subject);
    cr_assert_eq(sf_hlen(f.store, key), 1);

    cr_assert(s_expire(&f, subject, contract, "gdpr-x1", ACCOUNTING).ack);
    cr_assert(s_expire(&f, subject, contract, "gdpr-x2", CONTACT).ack);
    snprintf(key, sizeof key, "pacta:%s:{s:%s}:vault", f.tenant, subject);
    doc = sf_doc(f.store, key, NULL);
    cr_assert_str_eq(pacta_vault_doc_state(doc, "accounting"), "archived");
    cr_assert_str_eq(pacta_vault_doc_state(doc, "contact"), "erased");
    cr_assert_not_null(json_object_get(doc, "key"), "identity and accounting still hold data");
    json_decref(doc);

    json_t *found = NULL;
    char err[256];
    cr_assert_eq(pacta_vault_lookup_contact(f.vault, f.store, f.tenant, subject, "notifications", "test", &found, err,
                                            sizeof err), PACTA_VAULT_FOUND);
    cr_assert_null(json_object_get(found, "email"), "contact is erased");
    cr_assert_str_eq(json_string_value(json_object_get(found, "last_name")), "Retainxq");
    json_decref(found);

    cr_assert(s_expire(&f, subject, contract, "gdpr-x3", IDENTITY).ack);
    cr_assert_eq(pacta_vault_lookup_contact(f.vault, f.store, f.tenant, subject, "notifications", "test", &found, err,
                                            sizeof err), PACTA_VAULT_ERASED);

    /* the emitted decisions are in the outbox: DataArchived, DataErased x2 */
    snprintf(key, sizeof key, "pacta:%s:{s:%s}:outbox:gdpr-retention", f.tenant, subject);
    cr_assert_eq(sf_xlen(f.store, key), 3);
    snprintf(key, sizeof key, "pacta:%s:{s:%s}:audit", f.tenant, subject);
    json_t *audit = sf_audit(f.store, key);
    cr_assert_not_null(sf_audit_find(audit, "kind", "archive"));
    cr_assert_not_null(sf_audit_find(audit, "kind", "erase"));
    json_decref(audit);
    s_stop(&f);
}

/* ---- data-subject requests ------------------------------------------------------ */

static pacta_runtime_result_t
s_request(fixture_t *f, const char *subject, const char *request_id, Pacta__V1__DataSubjectRight right,
          size_t n_corrections, Pacta__V1__PersonalField **corrections)
{
    Pacta__V1__DataSubjectRequestOpened msg = PACTA__V1__DATA_SUBJECT_REQUEST_OPENED__INIT;
    Pacta__V1__Date on;
    msg.request_id = (char *) request_id;
    msg.subject_id = (char *) subject;
    msg.right = right;
    msg.received_on = sf_date(&on, "2025-06-02");
    msg.n_corrections = n_corrections;
    msg.corrections = corrections;
    char entity[80];
    snprintf(entity, sizeof entity, "s:%s", subject);
    return s_handle(f, entity, request_id, &msg.base);
}

/* A running contract of the subject, as contracts and invoicing would keep it. */
static void
s_seed_contract(fixture_t *f, const char *contract)
{
    char key[256];
    redisReply *reply = NULL;
    snprintf(key, sizeof key, "pacta:%s:{c:%s}:contract", f->tenant, contract);
    cr_assert_eq(pacta_store_command_strs(f->store, &reply, "HSET", key, "version", "1", "doc",
                                          "{\"contract_id\":\"C-1\",\"state\":\"running\"}", NULL), 0);
    freeReplyObject(reply);
    snprintf(key, sizeof key, "pacta:%s:{c:%s}:ledger", f->tenant, contract);
    cr_assert_eq(pacta_store_command_strs(f->store, &reply, "HSET", key, "version", "1", "doc",
                                          "{\"invoices\":[{\"invoice_id\":\"F-77\",\"total_cents\":12100}]}", NULL), 0);
    freeReplyObject(reply);
}

Test(gdpr_handlers, access_request_exports_everything_sealed)
{
    fixture_t f;
    s_start(&f, true);
    char subject[64];
    snprintf(subject, sizeof subject, "S-%s", f.tenant);
    s_seed_contract(&f, "C-1");   /* s_record links C-1 */
    Pacta__V1__PersonalField fields[] = {s_field(CONTACT, "email", "exportxq@example.be"),
                                          s_field(ACCOUNTING, "legal_name", "Exportxq SRL")};
    cr_assert(s_record(&f, subject, "crm-e1", 2, fields).ack);
    pacta_runtime_result_t result =
        s_request(&f, subject, "DSR-1", PACTA__V1__DATA_SUBJECT_RIGHT__DATA_SUBJECT_RIGHT_ACCESS, 0, NULL);
    cr_assert(result.ack, "NACK %d %s: %s", result.reason, result.field, result.detail);

    char key[256];
    snprintf(key, sizeof key, "pacta:%s:{s:%s}:requests", f.tenant, subject);
    json_t *requests = sf_doc(f.store, key, NULL);
    json_t *item = json_object_get(requests, "DSR-1");
    cr_assert_str_eq(json_string_value(json_object_get(item, "state")), "answered");
    cr_assert_str_eq(json_string_value(json_object_get(item, "deadline")), "2025-07-02", "L-4: one month");
    const char *sealed = json_string_value(json_object_get(item, "export"));
    cr_assert_not_null(sealed, "the export is sealed");

    snprintf(key, sizeof key, "pacta:%s:{s:%s}:vault", f.tenant, subject);
    json_t *vault = sf_doc(f.store, key, NULL);
    char *plain = NULL;
    size_t len = 0;
    char err[256];
    cr_assert_eq(pacta_vault_doc_open(f.vault, vault, f.tenant, subject, "export/DSR-1", sealed, &plain, &len, err,
                                      sizeof err), PACTA_VAULT_FOUND, "%s", err);
    json_t *export_doc = json_loads(plain, 0, NULL);
    cr_assert_not_null(export_doc);
    json_t *personal = json_object_get(export_doc, "personal_data");
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(json_object_get(personal, "contact"), "fields"),
                                                       "email")), "exportxq@example.be");
    cr_assert_str_eq(json_string_value(json_object_get(
                         json_object_get(json_object_get(personal, "accounting"), "fields"), "legal_name")),
                     "Exportxq SRL");
    json_t *contract = json_object_get(json_object_get(export_doc, "contracts"), "C-1");
    cr_assert_not_null(contract, "the linked contract is in the export");
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(contract, "contract"), "state")), "running");
    cr_assert_eq(json_array_size(json_object_get(json_object_get(contract, "ledger"), "invoices")), 1);
    cr_assert_gt(json_array_size(json_object_get(export_doc, "subject_audit")), 0);
    free(plain);
    json_decref(export_doc);
    json_decref(vault);
    json_decref(requests);

    snprintf(key, sizeof key, "pacta:%s:{s:%s}:audit", f.tenant, subject);
    json_t *audit = sf_audit(f.store, key);
    cr_assert_not_null(sf_audit_find(audit, "purpose", "dsr-export"));
    cr_assert_not_null(sf_audit_find(audit, "kind", "dsr_answered"));
    json_decref(audit);
    s_assert_nowhere(&f, "exportxq@example.be");
    s_assert_nowhere(&f, "Exportxq SRL");

    /* the same request again under another message id changes nothing */
    long long version = 0;
    snprintf(key, sizeof key, "pacta:%s:{s:%s}:requests", f.tenant, subject);
    json_decref(sf_doc(f.store, key, &version));
    Pacta__V1__DataSubjectRequestOpened again = PACTA__V1__DATA_SUBJECT_REQUEST_OPENED__INIT;
    Pacta__V1__Date on;
    again.request_id = "DSR-1";
    again.subject_id = subject;
    again.right = PACTA__V1__DATA_SUBJECT_RIGHT__DATA_SUBJECT_RIGHT_ACCESS;
    again.received_on = sf_date(&on, "2025-06-02");
    char entity[80];
    snprintf(entity, sizeof entity, "s:%s", subject);
    cr_assert(s_handle(&f, entity, "DSR-1-resent", &again.base).ack);
    long long after = 0;
    json_decref(sf_doc(f.store, key, &after));
    cr_assert_eq(after, version);
    s_stop(&f);
}

Test(gdpr_handlers, erasure_during_a_contract_keeps_exactly_the_l5_data)
{
    fixture_t f;
    s_start(&f, true);
    char subject[64];
    snprintf(subject, sizeof subject, "S-%s", f.tenant);
    s_seed_contract(&f, "C-1");
    cr_assert_eq(pacta_clock_set(f.clock, f.tenant, 1748858400, NULL), 0);   /* 2025-06-02 */
    Pacta__V1__PersonalField fields[] = {s_field(CONTACT, "email", "erasexq@example.be"),
                                          s_field(IDENTITY, "last_name", "Erasexq"),
                                          s_field(PACTA__V1__PERSONAL_DATA_CATEGORY__PERSONAL_DATA_CATEGORY_BANKING,
                                                  "iban", "BE68539007547034"),
                                          s_field(ACCOUNTING, "legal_name", "Erasexq SPRL")};
    cr_assert(s_record(&f, subject, "crm-x1", 4, fields).ack);
    pacta_runtime_result_t result =
        s_request(&f, subject, "DSR-E", PACTA__V1__DATA_SUBJECT_RIGHT__DATA_SUBJECT_RIGHT_ERASURE, 0, NULL);
    cr_assert(result.ack, "NACK %d %s: %s", result.reason, result.field, result.detail);

    char key[256];
    snprintf(key, sizeof key, "pacta:%s:{s:%s}:vault", f.tenant, subject);
    json_t *vault = sf_doc(f.store, key, NULL);
    cr_assert_str_eq(pacta_vault_doc_state(vault, "identity"), "erased");
    cr_assert_str_eq(pacta_vault_doc_state(vault, "contact"), "erased");
    cr_assert_str_eq(pacta_vault_doc_state(vault, "banking"), "erased");
    cr_assert_str_eq(pacta_vault_doc_state(vault, "accounting"), "archived");
    json_t *accounting = NULL;
    char err[256];
    cr_assert_eq(pacta_vault_doc_read(f.vault, vault, f.tenant, subject, "accounting", true, &accounting, err,
                                      sizeof err), PACTA_VAULT_FOUND, "%s", err);
    cr_assert_str_eq(json_string_value(json_object_get(accounting, "legal_name")), "Erasexq SPRL");
    json_decref(accounting);
    json_decref(vault);

    snprintf(key, sizeof key, "pacta:%s:{s:%s}:requests", f.tenant, subject);
    json_t *requests = sf_doc(f.store, key, NULL);
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(requests, "DSR-E"), "outcome")), "partial");
    json_decref(requests);

    snprintf(key, sizeof key, "pacta:%s:{s:%s}:audit", f.tenant, subject);
    json_t *audit = sf_audit(f.store, key);
    cr_assert_not_null(sf_audit_find(audit, "status", "reported"), "the running contract is reported");
    cr_assert_not_null(sf_audit_find(audit, "rule_id", "L-5"));
    cr_assert_not_null(sf_audit_find(audit, "kind", "erase"));
    json_decref(audit);
    /* DataArchived, DataErased, DataSubjectRequestAnswered */
    snprintf(key, sizeof key, "pacta:%s:{s:%s}:outbox:gdpr-retention", f.tenant, subject);
    cr_assert_eq(sf_xlen(f.store, key), 3);
    s_assert_nowhere(&f, "Erasexq");
    s_assert_nowhere(&f, "BE68539007547034");

    /* L-5: the archive of the request ends 2035-06-01; the day after, accounting is erased too */
    cr_assert_eq(pacta_clock_set(f.clock, f.tenant, 2064398400, NULL), 0);   /* 2035-06-02 */
    cr_assert_geq(pacta_runtime_fire_timers(f.rt, f.tenant, 16), 1);
    snprintf(key, sizeof key, "pacta:%s:{s:%s}:vault", f.tenant, subject);
    vault = sf_doc(f.store, key, NULL);
    cr_assert_str_eq(pacta_vault_doc_state(vault, "accounting"), "erased");
    cr_assert(json_is_true(json_object_get(vault, "key_destroyed")), "nothing left: the subject key is destroyed");
    json_decref(vault);

    /* rectification after the erasure starts the contact category again; its value is sealed */
    Pacta__V1__PersonalField correction = s_field(CONTACT, "email", "rectifiedxq@example.be");
    Pacta__V1__PersonalField *corrections[] = {&correction};
    result = s_request(&f, subject, "DSR-R", PACTA__V1__DATA_SUBJECT_RIGHT__DATA_SUBJECT_RIGHT_RECTIFICATION, 1,
                       corrections);
    cr_assert(result.ack, "NACK %d %s: %s", result.reason, result.field, result.detail);
    json_t *found = NULL;
    cr_assert_eq(pacta_vault_lookup_contact(f.vault, f.store, f.tenant, subject, "notifications", "test", &found, err,
                                            sizeof err), PACTA_VAULT_FOUND, "%s", err);
    cr_assert_str_eq(json_string_value(json_object_get(found, "email")), "rectifiedxq@example.be");
    json_decref(found);
    s_assert_nowhere(&f, "rectifiedxq@example.be");

    /* objection to a purpose: lookups for it answer RESTRICTED, others still work */
    Pacta__V1__DataSubjectRequestOpened objection = PACTA__V1__DATA_SUBJECT_REQUEST_OPENED__INIT;
    Pacta__V1__Date received;
    objection.request_id = "DSR-O";
    objection.subject_id = subject;
    objection.right = PACTA__V1__DATA_SUBJECT_RIGHT__DATA_SUBJECT_RIGHT_OBJECTION;
    objection.received_on = sf_date(&received, "2025-06-02");
    objection.purpose = "marketing";
    char entity[80];
    snprintf(entity, sizeof entity, "s:%s", subject);
    cr_assert(s_handle(&f, entity, "DSR-O", &objection.base).ack);
    cr_assert_eq(pacta_vault_lookup_contact(f.vault, f.store, f.tenant, subject, "notifications", "marketing", &found,
                                            err, sizeof err), PACTA_VAULT_RESTRICTED);
    cr_assert_eq(pacta_vault_lookup_contact(f.vault, f.store, f.tenant, subject, "notifications", "invoice", &found,
                                            err, sizeof err), PACTA_VAULT_FOUND, "%s", err);
    json_decref(found);

    /* restriction: the lookup answers RESTRICTED */
    cr_assert(s_request(&f, subject, "DSR-S", PACTA__V1__DATA_SUBJECT_RIGHT__DATA_SUBJECT_RIGHT_RESTRICTION, 0, NULL)
                  .ack);
    cr_assert_eq(pacta_vault_lookup_contact(f.vault, f.store, f.tenant, subject, "notifications", "test", &found, err,
                                            sizeof err), PACTA_VAULT_RESTRICTED);
    s_stop(&f);
}

Test(gdpr_handlers, retention_erasure_is_held_while_another_contract_runs)
{
    fixture_t f;
    s_start(&f, true);
    char subject[64];
    snprintf(subject, sizeof subject, "S-%s", f.tenant);
    Pacta__V1__PersonalField fields[] = {s_field(CONTACT, "email", "heldxq@example.be")};
    cr_assert(s_record(&f, subject, "crm-h1", 1, fields).ack);

    /* two contracts signed, one of them ends */
    static const char *const contracts[] = {"C-A", "C-B"};
    for (size_t i = 0; i < 2; i++) {
        Pacta__V1__Client client = PACTA__V1__CLIENT__INIT;
        client.client_id = "CL-1";
        client.subject_id = subject;
        client.kind = PACTA__V1__PARTY_KIND__PARTY_KIND_PROFESSIONAL;
        Pacta__V1__ContractSigned signed_msg = PACTA__V1__CONTRACT_SIGNED__INIT;
        Pacta__V1__Date on;
        signed_msg.contract_id = (char *) contracts[i];
        signed_msg.client = &client;
        signed_msg.contract_kind = PACTA__V1__CONTRACT_KIND__CONTRACT_KIND_FIXED_TERM;
        signed_msg.signed_on = sf_date(&on, "2025-01-10");
        char entity[32], id[32];
        snprintf(entity, sizeof entity, "c:%s", contracts[i]);
        snprintf(id, sizeof id, "sign-%s", contracts[i]);
        pacta_runtime_result_t result = s_handle(&f, entity, id, &signed_msg.base);
        cr_assert(result.ack, "NACK %d %s: %s", result.reason, result.field, result.detail);
    }
    Pacta__V1__ContractEnded ended = PACTA__V1__CONTRACT_ENDED__INIT;
    Pacta__V1__Date last;
    ended.contract_id = "C-A";
    ended.ended_on = sf_date(&last, "2025-07-03");
    ended.subject_id = subject;
    cr_assert(s_handle(&f, "c:C-A", "ended-C-A", &ended.base).ack);
    char key[256];
    snprintf(key, sizeof key, "pacta:%s:{s:%s}:contracts", f.tenant, subject);
    cr_assert_eq(sf_hlen(f.store, key), 2, "both contracts are linked to the subject");

    /* C-A's retention ends, C-B still runs: the contact data stay, and the audit says why */
    cr_assert(s_expire(&f, subject, "C-A", "gdpr-h1", CONTACT).ack);
    snprintf(key, sizeof key, "pacta:%s:{s:%s}:vault", f.tenant, subject);
    json_t *vault = sf_doc(f.store, key, NULL);
    cr_assert_str_eq(pacta_vault_doc_state(vault, "contact"), "active");
    json_decref(vault);
    snprintf(key, sizeof key, "pacta:%s:{s:%s}:audit", f.tenant, subject);
    json_t *audit = sf_audit(f.store, key);
    json_t *held = sf_audit_find(audit, "reason", "contract_running");
    cr_assert_not_null(held);
    cr_assert_str_eq(json_string_value(json_object_get(held, "status")), "not_applied");
    json_decref(audit);

    /* an expiry before the contract's end is linked waits (RETRY_LATER), nothing written */
    pacta_runtime_result_t result = s_expire(&f, subject, "C-B", "gdpr-h2", CONTACT);
    cr_assert_not(result.ack);
    cr_assert_eq(result.reason, PACTA__V1__NACK_REASON__NACK_REASON_RETRY_LATER);
    s_stop(&f);
}
