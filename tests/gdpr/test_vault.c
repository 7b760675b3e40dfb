/*  test_vault - the personal-data vault (pacta_vault): key files, the key
    check record, round trips through the vault document, tampered and moved
    ciphertexts, erasure, and the audited contact lookup against the test
    Redis. Each test process has its own tenant (shell_fixture); the key check
    record is global, so its test runs on Redis database 7 alone. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../shell/shell_fixture.h"
#include "pacta_dedup.h"
#include "pacta_vault.h"

#define KEY_A "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
#define KEY_B "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100"

static char s_dir[256];

static void
s_setup(void)
{
    snprintf(s_dir, sizeof s_dir, "/tmp/test_vault_%d", (int) getpid());
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf %s && mkdir -p %s", s_dir, s_dir);
    cr_assert_eq(system(cmd), 0);
}

static void
s_teardown(void)
{
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf %s", s_dir);
    (void) !system(cmd);
    sf_cleanup_all();
}

TestSuite(vault, .init = s_setup, .fini = s_teardown);

/* Writes content to <dir>/name and returns the path (static buffer). */
static const char *
s_key_file(const char *name, const char *content)
{
    static char path[400];
    snprintf(path, sizeof path, "%s/%s", s_dir, name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(content, f);
    fclose(f);
    return path;
}

static pacta_vault_t *
s_vault(const char *hex)
{
    char err[256] = "";
    pacta_vault_t *vault = pacta_vault_new(s_key_file(strcmp(hex, KEY_A) == 0 ? "a.key" : "b.key", hex), err, sizeof err);
    cr_assert_not_null(vault, "%s", err);
    return vault;
}

static json_t *
s_fields(const char *name, const char *value)
{
    return json_pack("{s:s}", name, value);
}

static json_t *
s_read(pacta_vault_t *vault, const json_t *doc, const char *subject, const char *category,
       pacta_vault_status_t expect)
{
    json_t *fields = NULL;
    char err[256] = "";
    pacta_vault_status_t got = pacta_vault_doc_read(vault, doc, sf_tenant(), subject, category, false, &fields, err,
                                                    sizeof err);
    cr_assert_eq(got, expect, "read %s: %s, expected %s (%s)", category, pacta_vault_status_name(got),
                 pacta_vault_status_name(expect), err);
    return fields;
}

/* ---- key files ------------------------------------------------------------ */

Test(vault, key_file_with_and_without_newline)
{
    char err[256] = "";
    pacta_vault_t *vault = pacta_vault_new(s_key_file("plain", KEY_A), err, sizeof err);
    cr_assert_not_null(vault, "%s", err);
    pacta_vault_destroy(&vault);
    cr_assert_null(vault);
    pacta_vault_destroy(&vault);
    vault = pacta_vault_new(s_key_file("newline", KEY_A "\n"), err, sizeof err);
    cr_assert_not_null(vault, "%s", err);
    pacta_vault_destroy(&vault);
}

Test(vault, bad_key_files_each_say_what_is_wrong)
{
    char err[512] = "";
    char missing[400];
    snprintf(missing, sizeof missing, "%s/nowhere.key", s_dir);
    cr_assert_null(pacta_vault_new(missing, err, sizeof err));
    cr_assert(strstr(err, missing) && strstr(err, "missing"), "%s", err);

    const char *short_file = s_key_file("short", "0011");
    cr_assert_null(pacta_vault_new(short_file, err, sizeof err));
    cr_assert(strstr(err, short_file) && strstr(err, "wrong length"), "%s", err);

    const char *long_file = s_key_file("long", KEY_A "00\n");
    cr_assert_null(pacta_vault_new(long_file, err, sizeof err));
    cr_assert(strstr(err, "wrong length"), "%s", err);

    const char *nothex = s_key_file("nothex", "zz112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
    cr_assert_null(pacta_vault_new(nothex, err, sizeof err));
    cr_assert(strstr(err, nothex) && strstr(err, "not hex"), "%s", err);

    if (geteuid() != 0) {   /* root reads anything */
        const char *locked = s_key_file("locked", KEY_A);
        cr_assert_eq(chmod(locked, 0), 0);
        cr_assert_null(pacta_vault_new(locked, err, sizeof err));
        cr_assert(strstr(err, "unreadable"), "%s", err);
    }
    cr_assert_null(pacta_vault_new(s_dir, err, sizeof err));   /* a directory: read fails */
    cr_assert(strstr(err, "unreadable"), "%s", err);
}

/* ---- the document --------------------------------------------------------- */

Test(vault, round_trip_replaces_named_fields_and_keeps_others)
{
    pacta_vault_t *vault = s_vault(KEY_A);
    json_t *doc = json_object();
    char err[256] = "";
    json_t *first = json_pack("{s:s, s:s}", "email", "ann@example.be", "phone", "+32 2 555 01 01");
    cr_assert_eq(pacta_vault_doc_record(vault, doc, sf_tenant(), "S-1", "contact", first, err, sizeof err), 0, "%s", err);
    json_t *second = s_fields("email", "ann.new@example.be");
    cr_assert_eq(pacta_vault_doc_record(vault, doc, sf_tenant(), "S-1", "contact", second, err, sizeof err), 0, "%s", err);

    char *text = json_dumps(doc, 0);
    cr_assert_null(strstr(text, "example.be"), "plaintext in the document: %s", text);
    cr_assert_null(strstr(text, "555"), "plaintext in the document: %s", text);
    free(text);

    json_t *fields = s_read(vault, doc, "S-1", "contact", PACTA_VAULT_FOUND);
    cr_assert_str_eq(json_string_value(json_object_get(fields, "email")), "ann.new@example.be");
    cr_assert_str_eq(json_string_value(json_object_get(fields, "phone")), "+32 2 555 01 01");
    json_decref(fields);
    s_read(vault, doc, "S-1", "identity", PACTA_VAULT_NONE);

    /* An export sealed under the subject key opens with the label it was sealed for only. */
    char *sealed = NULL;
    cr_assert_eq(pacta_vault_doc_seal(vault, doc, sf_tenant(), "S-1", "export/R-1", "{\"a\":1}", 7, &sealed, err,
                                      sizeof err), 0, "%s", err);
    char *plain = NULL;
    size_t len = 0;
    cr_assert_eq(pacta_vault_doc_open(vault, doc, sf_tenant(), "S-1", "export/R-1", sealed, &plain, &len, err,
                                      sizeof err), PACTA_VAULT_FOUND, "%s", err);
    cr_assert_eq(len, 7);
    cr_assert_str_eq(plain, "{\"a\":1}");
    free(plain);
    cr_assert_eq(pacta_vault_doc_open(vault, doc, sf_tenant(), "S-1", "export/R-2", sealed, &plain, &len, err,
                                      sizeof err), PACTA_VAULT_TAMPERED);
    free(sealed);

    json_decref(first);
    json_decref(second);
    json_decref(doc);
    pacta_vault_destroy(&vault);
}

Test(vault, wrong_master_key_cannot_read)
{
    pacta_vault_t *a = s_vault(KEY_A);
    pacta_vault_t *b = s_vault(KEY_B);
    json_t *doc = json_object();
    json_t *fields = s_fields("last_name", "Peeters");
    char err[256] = "";
    cr_assert_eq(pacta_vault_doc_record(a, doc, sf_tenant(), "S-1", "identity", fields, err, sizeof err), 0);
    s_read(b, doc, "S-1", "identity", PACTA_VAULT_TAMPERED);
    cr_assert_eq(pacta_vault_doc_record(b, doc, sf_tenant(), "S-1", "identity", fields, err, sizeof err), -1);
    json_decref(fields);
    json_decref(doc);
    pacta_vault_destroy(&a);
    pacta_vault_destroy(&b);
}

Test(vault, tampered_ciphertext_is_detected)
{
    pacta_vault_t *vault = s_vault(KEY_A);
    json_t *doc = json_object();
    json_t *fields = s_fields("email", "bob@example.be");
    char err[256] = "";
    cr_assert_eq(pacta_vault_doc_record(vault, doc, sf_tenant(), "S-2", "contact", fields, err, sizeof err), 0);
    json_t *entry = json_object_get(json_object_get(doc, "categories"), "contact");
    char *sealed = strdup(json_string_value(json_object_get(entry, "sealed")));
    size_t mid = strlen(sealed) / 2;
    sealed[mid] = sealed[mid] == 'A' ? 'B' : 'A';   /* one base64 digit changed */
    json_object_set_new(entry, "sealed", json_string(sealed));
    free(sealed);
    s_read(vault, doc, "S-2", "contact", PACTA_VAULT_TAMPERED);
    /* Recording more into a tampered category is refused, not silently replaced. */
    cr_assert_eq(pacta_vault_doc_record(vault, doc, sf_tenant(), "S-2", "contact", fields, err, sizeof err), -1);
    json_decref(fields);
    json_decref(doc);
    pacta_vault_destroy(&vault);
}

Test(vault, moved_ciphertext_is_detected)
{
    pacta_vault_t *vault = s_vault(KEY_A);
    json_t *doc = json_object();
    json_t *contact = s_fields("email", "carl@example.be");
    json_t *identity = s_fields("last_name", "Janssens");
    char err[256] = "";
    cr_assert_eq(pacta_vault_doc_record(vault, doc, sf_tenant(), "S-3", "contact", contact, err, sizeof err), 0);
    cr_assert_eq(pacta_vault_doc_record(vault, doc, sf_tenant(), "S-3", "identity", identity, err, sizeof err), 0);
    json_t *categories = json_object_get(doc, "categories");

    /* Same document read as another subject: the wrapped key names S-3. */
    s_read(vault, doc, "S-4", "contact", PACTA_VAULT_TAMPERED);

    /* contact's ciphertext moved into identity. */
    json_t *copy = json_deep_copy(doc);
    json_t *copy_categories = json_object_get(copy, "categories");
    json_object_set(json_object_get(copy_categories, "identity"), "sealed",
                    json_object_get(json_object_get(categories, "contact"), "sealed"));
    s_read(vault, copy, "S-3", "identity", PACTA_VAULT_TAMPERED);
    json_decref(copy);

    /* Another tenant's reading of the same bytes fails too. */
    json_t *fields = NULL;
    cr_assert_eq(pacta_vault_doc_read(vault, doc, "other-tenant", "S-3", "contact", false, &fields, err, sizeof err),
                 PACTA_VAULT_TAMPERED);
    json_decref(contact);
    json_decref(identity);
    json_decref(doc);
    pacta_vault_destroy(&vault);
}

Test(vault, archive_then_erase_destroys_the_key)
{
    pacta_vault_t *vault = s_vault(KEY_A);
    json_t *doc = json_object();
    json_t *contact = s_fields("email", "dana@example.be");
    json_t *accounting = s_fields("legal_name", "Dana BV");
    char err[256] = "";
    cr_assert_eq(pacta_vault_doc_record(vault, doc, sf_tenant(), "S-5", "contact", contact, err, sizeof err), 0);
    cr_assert_eq(pacta_vault_doc_record(vault, doc, sf_tenant(), "S-5", "accounting", accounting, err, sizeof err), 0);

    cr_assert_eq(pacta_vault_doc_archive(doc, "accounting", "2033-12-31"), 0);
    s_read(vault, doc, "S-5", "accounting", PACTA_VAULT_RESTRICTED);
    json_t *fields = NULL;
    cr_assert_eq(pacta_vault_doc_read(vault, doc, sf_tenant(), "S-5", "accounting", true, &fields, err, sizeof err),
                 PACTA_VAULT_FOUND);
    json_decref(fields);

    bool destroyed = true;
    cr_assert_eq(pacta_vault_doc_erase(doc, "contact", &destroyed), 0);
    cr_assert_not(destroyed);
    s_read(vault, doc, "S-5", "contact", PACTA_VAULT_ERASED);
    cr_assert_not_null(json_object_get(doc, "key"));
    cr_assert_eq(pacta_vault_doc_erase(doc, "accounting", &destroyed), 0);
    cr_assert(destroyed);
    cr_assert_null(json_object_get(doc, "key"));
    cr_assert(json_is_true(json_object_get(doc, "key_destroyed")));
    s_read(vault, doc, "S-5", "accounting", PACTA_VAULT_ERASED);
    cr_assert_eq(pacta_vault_doc_erase(doc, "banking", NULL), -1);

    json_decref(contact);
    json_decref(accounting);
    json_decref(doc);
    pacta_vault_destroy(&vault);
}

/* ---- against Redis -------------------------------------------------------- */

/* Stores doc as the subject's versioned vault document. */
static void
s_put_doc(pacta_store_t *store, const char *subject, const json_t *doc)
{
    char entity[128], prefix[PACTA_DEDUP_PREFIX_MAX + 1], key[PACTA_DEDUP_PREFIX_MAX + 16];
    snprintf(entity, sizeof entity, "s:%s", subject);
    cr_assert_eq(pacta_dedup_prefix(sf_tenant(), entity, prefix, sizeof prefix), 0);
    snprintf(key, sizeof key, "%s:vault", prefix);
    char *text = json_dumps(doc, JSON_COMPACT);
    redisReply *reply = NULL;
    cr_assert_eq(pacta_store_command_strs(store, &reply, "HSET", key, "version", "1", "doc", text, NULL), 0);
    freeReplyObject(reply);
    free(text);
}

static json_t *
s_audit_of(pacta_store_t *store, const char *subject)
{
    char key[256];
    snprintf(key, sizeof key, "pacta:%s:{s:%s}:audit", sf_tenant(), subject);
    return sf_audit(store, key);
}

Test(vault, lookup_contact_returns_fields_and_audits_without_values)
{
    pacta_store_t *store = sf_store();
    pacta_vault_t *vault = s_vault(KEY_A);
    json_t *doc = json_object();
    json_t *contact = json_pack("{s:s, s:s}", "email", "eve@example.be", "phone", "+32 470 11 22 33");
    json_t *identity = json_pack("{s:s, s:s}", "first_name", "Eve", "last_name", "Maes");
    json_t *banking = s_fields("iban", "BE71096123456769");
    char err[256] = "";
    cr_assert_eq(pacta_vault_doc_record(vault, doc, sf_tenant(), "S-L1", "contact", contact, err, sizeof err), 0);
    cr_assert_eq(pacta_vault_doc_record(vault, doc, sf_tenant(), "S-L1", "identity", identity, err, sizeof err), 0);
    cr_assert_eq(pacta_vault_doc_record(vault, doc, sf_tenant(), "S-L1", "banking", banking, err, sizeof err), 0);
    s_put_doc(store, "S-L1", doc);

    json_t *fields = NULL;
    pacta_vault_status_t status = pacta_vault_lookup_contact(vault, store, sf_tenant(), "S-L1", "notifications",
                                                             "invoice-mail", &fields, err, sizeof err);
    cr_assert_eq(status, PACTA_VAULT_FOUND, "%s: %s", pacta_vault_status_name(status), err);
    cr_assert_str_eq(json_string_value(json_object_get(fields, "email")), "eve@example.be");
    cr_assert_str_eq(json_string_value(json_object_get(fields, "last_name")), "Maes");
    cr_assert_null(json_object_get(fields, "iban"), "banking is not part of the contact lookup");
    json_decref(fields);

    json_t *audit = s_audit_of(store, "S-L1");
    cr_assert_eq(json_array_size(audit), 1);
    json_t *entry = json_array_get(audit, 0);
    cr_assert_str_eq(json_string_value(json_object_get(entry, "entry")), "access");
    cr_assert_str_eq(json_string_value(json_object_get(entry, "service")), "notifications");
    cr_assert_str_eq(json_string_value(json_object_get(entry, "purpose")), "invoice-mail");
    cr_assert_str_eq(json_string_value(json_object_get(entry, "categories")), "identity,contact");
    char *text = json_dumps(audit, 0);
    cr_assert_null(strstr(text, "eve@example.be"), "%s", text);
    cr_assert_null(strstr(text, "Maes"), "%s", text);
    free(text);
    json_decref(audit);

    /* Nothing recorded: NONE, and no audit stream is made for it. */
    cr_assert_eq(pacta_vault_lookup_contact(vault, store, sf_tenant(), "S-NOBODY", "notifications", "x", &fields, err,
                                            sizeof err), PACTA_VAULT_NONE);
    cr_assert_null(fields);

    json_decref(contact);
    json_decref(identity);
    json_decref(banking);
    json_decref(doc);
    pacta_vault_destroy(&vault);
    pacta_store_destroy(&store);
}

Test(vault, lookup_contact_tampered_erased_restricted)
{
    pacta_store_t *store = sf_store();
    pacta_vault_t *vault = s_vault(KEY_A);
    json_t *doc = json_object();
    json_t *contact = s_fields("email", "fred@example.be");
    char err[256] = "";
    json_t *fields = NULL;
    cr_assert_eq(pacta_vault_doc_record(vault, doc, sf_tenant(), "S-L2", "contact", contact, err, sizeof err), 0);

    /* tampered in Redis */
    json_t *bad = json_deep_copy(doc);
    json_t *entry = json_object_get(json_object_get(bad, "categories"), "contact");
    char *sealed = strdup(json_string_value(json_object_get(entry, "sealed")));
    sealed[5] = sealed[5] == 'x' ? 'y' : 'x';
    json_object_set_new(entry, "sealed", json_string(sealed));
    free(sealed);
    s_put_doc(store, "S-L2", bad);
    cr_assert_eq(pacta_vault_lookup_contact(vault, store, sf_tenant(), "S-L2", "notifications", "reminder", &fields,
                                            err, sizeof err), PACTA_VAULT_TAMPERED);
    cr_assert_null(fields);
    json_decref(bad);

    /* archived: restricted for a mail, readable for a legal purpose */
    json_t *archived = json_deep_copy(doc);
    cr_assert_eq(pacta_vault_doc_archive(archived, "contact", "2030-01-01"), 0);
    s_put_doc(store, "S-L2", archived);
    cr_assert_eq(pacta_vault_lookup_contact(vault, store, sf_tenant(), "S-L2", "notifications", "reminder", &fields,
                                            err, sizeof err), PACTA_VAULT_RESTRICTED);
    cr_assert_eq(pacta_vault_lookup_contact(vault, store, sf_tenant(), "S-L2", "operator", PACTA_VAULT_PURPOSE_LEGAL,
                                            &fields, err, sizeof err), PACTA_VAULT_FOUND, "%s", err);
    json_decref(fields);
    fields = NULL;
    json_decref(archived);

    /* restriction request */
    json_t *restricted = json_deep_copy(doc);
    json_object_set_new(restricted, "restricted", json_true());
    s_put_doc(store, "S-L2", restricted);
    cr_assert_eq(pacta_vault_lookup_contact(vault, store, sf_tenant(), "S-L2", "notifications", "reminder", &fields,
                                            err, sizeof err), PACTA_VAULT_RESTRICTED);
    json_decref(restricted);

    /* erased */
    cr_assert_eq(pacta_vault_doc_erase(doc, "contact", NULL), 0);
    s_put_doc(store, "S-L2", doc);
    cr_assert_eq(pacta_vault_lookup_contact(vault, store, sf_tenant(), "S-L2", "notifications", "reminder", &fields,
                                            err, sizeof err), PACTA_VAULT_ERASED);
    cr_assert_null(fields);

    json_t *audit = s_audit_of(store, "S-L2");
    cr_assert_eq(json_array_size(audit), 5, "every attempt is in the audit stream");
    cr_assert_not_null(sf_audit_find(audit, "outcome", "tampered"));
    cr_assert_not_null(sf_audit_find(audit, "purpose", PACTA_VAULT_PURPOSE_LEGAL));
    json_decref(audit);

    json_decref(contact);
    json_decref(doc);
    pacta_vault_destroy(&vault);
    pacta_store_destroy(&store);
}

/* The key check record is global: this test uses Redis database 7 alone. */
Test(vault, key_check_refuses_another_master_key)
{
    const char *base = sf_redis_url();
    char url[1200];
    if (strncmp(base, "unix://", 7) == 0) {
        const char *query = strchr(base, '?');
        int path_len = query ? (int) (query - base) : (int) strlen(base);
        snprintf(url, sizeof url, "%.*s?db=7", path_len, base);
    } else {
        const char *slash = strchr(base + strlen("redis://"), '/');
        int len = slash ? (int) (slash - base) : (int) strlen(base);
        snprintf(url, sizeof url, "%.*s/7", len, base);
    }
    char err[256] = "";
    pacta_store_options_t options = {.url = url};
    pacta_store_t *store = pacta_store_new(&options, err, sizeof err);
    cr_assert_not_null(store, "%s", err);
    cr_assert_eq(pacta_store_connect(store), 0, "%s", pacta_store_error(store));
    redisReply *reply = NULL;
    cr_assert_eq(pacta_store_command_strs(store, &reply, "DEL", PACTA_VAULT_KEYCHECK_KEY, NULL), 0);
    freeReplyObject(reply);

    pacta_vault_t *a = s_vault(KEY_A);
    pacta_vault_t *b = s_vault(KEY_B);
    cr_assert_eq(pacta_vault_check(a, store, err, sizeof err), 0, "%s", err);   /* writes the record */
    cr_assert_eq(pacta_vault_check(a, store, err, sizeof err), 0, "%s", err);   /* reads it */
    cr_assert_eq(pacta_vault_check(b, store, err, sizeof err), -1);
    cr_assert_str_eq(err, "the vault master key does not match the one the vault was written with");

    cr_assert_eq(pacta_store_command_strs(store, &reply, "DEL", PACTA_VAULT_KEYCHECK_KEY, NULL), 0);
    freeReplyObject(reply);
    pacta_vault_destroy(&a);
    pacta_vault_destroy(&b);
    pacta_store_destroy(&store);
}
