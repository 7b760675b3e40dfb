/*  Templates: every template of every handled decision type and request
    renders in every language with no placeholder left; dates are written
    in the language and amounts the Belgian way; a bad template refuses the
    load naming its file and line. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ntf_handlers.h"
#include "ntf_notice.h"
#include "ntf_template.h"
#include "pacta_proto_registry.h"

#define TEMPLATE_DIR PACTA_SOURCE_DIR "/deploy/templates"

static size_t
s_specs(ntf_template_spec_t *specs, char ids[][NTF_TEMPLATE_ID_MAX + 1], size_t max)
{
    size_t count = 0;
    for (size_t i = 0; ntf_decision_types[i] && count < max; i++) {
        cr_assert_eq(ntf_template_id_for_type(ntf_decision_types[i], ids[count], NTF_TEMPLATE_ID_MAX + 1), 0);
        specs[count] = (ntf_template_spec_t) {ids[count], pacta_proto_find(ntf_decision_types[i],
                                                                           strlen(ntf_decision_types[i]))};
        cr_assert_not_null(specs[count].descriptor, "%s is in the schema", ntf_decision_types[i]);
        count++;
    }
    for (size_t i = 0; ntf_request_templates[i] && count < max; i++)
        specs[count++] = (ntf_template_spec_t) {ntf_request_templates[i], NULL};
    return count;
}

static json_t *
s_typed(const char *type, json_t *value)
{
    return json_pack("{s:s, s:o}", "type", type, "value", value);
}

Test(ntf_template, every_template_renders_in_every_language)
{
    ntf_template_spec_t specs[64];
    char ids[64][NTF_TEMPLATE_ID_MAX + 1];
    size_t count = s_specs(specs, ids, 64);
    char err[512] = "";
    ntf_templates_t *templates = ntf_templates_load(TEMPLATE_DIR, specs, count, err, sizeof err);
    cr_assert_not_null(templates, "%s", err);
    cr_assert_eq(ntf_templates_count(templates), count);
    for (size_t i = 0; i < count; i++) {
        /* every field of the message as a plausible value */
        json_t *params = json_object();
        if (specs[i].descriptor)
            for (unsigned f = 0; f < specs[i].descriptor->n_fields; f++)
                json_object_set_new(params, specs[i].descriptor->fields[f].name, s_typed("text", json_string("X")));
        json_object_set_new(params, "text", s_typed("text", json_string("Bonjour")));
        json_t *explanation = json_pack("{s:s, s:s, s:s, s:s}", "rule_id", "CC-3b", "clause", "capconnect §3",
                                        "sentence_fr", "Suspendu.", "sentence_en", "Suspended.");
        for (int lang = 0; lang < NTF_LANG_COUNT; lang++) {
            char *subject = NULL, *body = NULL;
            cr_assert_eq(ntf_templates_render(templates, specs[i].id, (ntf_lang_t) lang, params, explanation, "n-1",
                                              &subject, &body, err, sizeof err),
                         0, "%s/%s: %s", ntf_lang_name((ntf_lang_t) lang), specs[i].id, err);
            cr_assert_gt(strlen(subject), 0);
            cr_assert_null(strstr(subject, "{{"), "%s", subject);
            cr_assert_null(strstr(body, "{{"), "%s", body);
            cr_assert_null(strchr(subject, '\n'));
            cr_assert(strstr(body, "CC-3b (capconnect §3)"), "%s/%s quotes the rule: %s",
                      ntf_lang_name((ntf_lang_t) lang), specs[i].id, body);
            cr_assert(strstr(body, "n-1"), "the notice's reference is in the text");
            free(subject);
            free(body);
        }
        json_decref(params);
        json_decref(explanation);
    }
    ntf_templates_destroy(&templates);
    ntf_templates_destroy(&templates);
    cr_assert_null(templates);
}

Test(ntf_template, suspend_in_each_language_with_belgian_formats)
{
    ntf_template_spec_t specs[] = {{"suspend", pacta_proto_find("pacta.v1.Suspend", 16)},
                                   {"invoice-issued", pacta_proto_find("pacta.v1.InvoiceIssued", 22)}};
    char err[512] = "";
    ntf_templates_t *templates = ntf_templates_load(TEMPLATE_DIR, specs, 2, err, sizeof err);
    cr_assert_not_null(templates, "%s", err);
    json_t *params = json_pack("{s:o, s:o, s:o, s:o, s:o}", "suspended_from", s_typed("date", json_string("2025-02-09")),
                               "invoice_ids", s_typed("text", json_string("F-2025-0042")), "total_incl_vat",
                               s_typed("money", json_integer(123456)), "due_on",
                               s_typed("date", json_string("2025-03-01")), "invoice_id",
                               s_typed("text", json_string("F-1")));
    json_t *explanation = json_pack("{s:s, s:s}", "rule_id", "CC-3b", "clause", "capconnect §3");
    static const char *const expected_date[] = {"9 février 2025", "9 februari 2025", "9 February 2025"};
    static const char *const expected_due[] = {"1er mars 2025", "1 maart 2025", "1 March 2025"};
    for (int lang = 0; lang < NTF_LANG_COUNT; lang++) {
        char *subject = NULL, *body = NULL;
        cr_assert_eq(ntf_templates_render(templates, "suspend", (ntf_lang_t) lang, params, explanation, "n-1",
                                          &subject, &body, err, sizeof err),
                     0, "%s", err);
        cr_assert(strstr(body, expected_date[lang]), "%s", body);
        cr_assert(strstr(body, "F-2025-0042"), "%s", body);
        free(subject);
        free(body);
        cr_assert_eq(ntf_templates_render(templates, "invoice-issued", (ntf_lang_t) lang, params, explanation, "n-1",
                                          &subject, &body, err, sizeof err),
                     0, "%s", err);
        cr_assert(strstr(body, "1.234,56 EUR"), "%s", body);
        cr_assert(strstr(body, expected_due[lang]), "%s", body);
        cr_assert(strstr(subject, "F-1"), "%s", subject);
        free(subject);
        free(body);
    }
    char *subject = NULL, *body = NULL;
    cr_assert_eq(ntf_templates_render(templates, "no-such", NTF_LANG_FR, params, explanation, "n-1", &subject, &body,
                                      err, sizeof err),
                 -1);
    cr_assert_null(subject);
    json_decref(params);
    json_decref(explanation);
    ntf_templates_destroy(&templates);
}

Test(ntf_template, values_are_formatted_per_language)
{
    char buf[128];
    json_t *value = s_typed("money", json_integer(-50));
    cr_assert_str_eq(ntf_format_value(NTF_LANG_EN, value, buf, sizeof buf), "-0,50 EUR");
    json_decref(value);
    value = s_typed("bp", json_integer(450));
    cr_assert_str_eq(ntf_format_value(NTF_LANG_FR, value, buf, sizeof buf), "4,50 %");
    json_decref(value);
    value = s_typed("flag", json_true());
    cr_assert_str_eq(ntf_format_value(NTF_LANG_NL, value, buf, sizeof buf), "ja");
    cr_assert_str_eq(ntf_format_value(NTF_LANG_FR, value, buf, sizeof buf), "oui");
    json_decref(value);
    value = s_typed("date", json_string("2025-12-31"));
    cr_assert_str_eq(ntf_format_value(NTF_LANG_FR, value, buf, sizeof buf), "31 décembre 2025");
    cr_assert_str_eq(ntf_format_value(NTF_LANG_NL, value, buf, sizeof buf), "31 december 2025");
    json_decref(value);
    value = s_typed("date", json_string("2025-02-30"));
    cr_assert_str_eq(ntf_format_value(NTF_LANG_EN, value, buf, sizeof buf), "", "an impossible date renders empty");
    json_decref(value);
    cr_assert_str_eq(ntf_format_date(NTF_LANG_FR, pacta_date_from_ymd(2025, 8, 1), buf, sizeof buf), "1er août 2025");
}

/* Writes text to dir/<lang>/t.txt for all three languages. */
static void
s_write_all(const char *dir, const char *text)
{
    static const char *const langs[] = {"fr", "nl", "en"};
    for (int i = 0; i < 3; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, langs[i]);
        mkdir(path, 0700);
        snprintf(path, sizeof path, "%s/%s/t.txt", dir, langs[i]);
        FILE *file = fopen(path, "w");
        cr_assert_not_null(file);
        fputs(text, file);
        fclose(file);
    }
}

Test(ntf_template, a_bad_template_refuses_the_load_naming_file_and_line)
{
    char dir[] = "/tmp/ntf-templates-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    ntf_template_spec_t spec = {"t", pacta_proto_find("pacta.v1.Suspend", 16)};
    char err[512] = "";
    s_write_all(dir, "Subject: ok\n\nline one\n{{suspended_fro}}\n");
    cr_assert_null(ntf_templates_load(dir, &spec, 1, err, sizeof err));
    cr_assert(strstr(err, "fr/t.txt:4:") && strstr(err, "suspended_fro"), "%s", err);
    s_write_all(dir, "Subject: ok\n\nline {{contract_id\n");
    cr_assert_null(ntf_templates_load(dir, &spec, 1, err, sizeof err));
    cr_assert(strstr(err, "t.txt:3:") && strstr(err, "not closed"), "%s", err);
    s_write_all(dir, "no subject\n\nbody\n");
    cr_assert_null(ntf_templates_load(dir, &spec, 1, err, sizeof err));
    cr_assert(strstr(err, "t.txt:1:"), "%s", err);
    s_write_all(dir, "Subject: ok\n\nbody {{contract_id}} {{explanation}}\n");
    ntf_templates_t *templates = ntf_templates_load(dir, &spec, 1, err, sizeof err);
    cr_assert_not_null(templates, "%s", err);
    ntf_templates_destroy(&templates);
    ntf_template_spec_t missing = {"absent", NULL};
    cr_assert_null(ntf_templates_load(dir, &missing, 1, err, sizeof err));
    cr_assert(strstr(err, "absent.txt:0: cannot open"), "%s", err);
    static const char *const langs[] = {"fr", "nl", "en"};
    for (int i = 0; i < 3; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s/t.txt", dir, langs[i]);
        unlink(path);
        snprintf(path, sizeof path, "%s/%s", dir, langs[i]);
        rmdir(path);
    }
    rmdir(dir);
}

Test(ntf_template, the_built_in_templates_are_the_shipped_files)
{
    ntf_template_spec_t specs[64];
    char ids[64][NTF_TEMPLATE_ID_MAX + 1];
    size_t count = s_specs(specs, ids, 64);
    char err[512] = "";
    ntf_templates_t *files = ntf_templates_load(TEMPLATE_DIR, specs, count, err, sizeof err);
    cr_assert_not_null(files, "%s", err);
    ntf_templates_t *built_in = ntf_templates_load(NULL, specs, count, err, sizeof err);
    cr_assert_not_null(built_in, "%s", err);
    json_t *params = json_object();
    json_t *explanation = json_object();
    for (size_t i = 0; i < count; i++)
        for (int lang = 0; lang < NTF_LANG_COUNT; lang++) {
            char *subject_a, *body_a, *subject_b, *body_b;
            cr_assert_eq(ntf_templates_render(files, specs[i].id, (ntf_lang_t) lang, params, explanation, "n", &subject_a,
                                              &body_a, err, sizeof err), 0);
            cr_assert_eq(ntf_templates_render(built_in, specs[i].id, (ntf_lang_t) lang, params, explanation, "n",
                                              &subject_b, &body_b, err, sizeof err), 0);
            cr_assert_str_eq(subject_a, subject_b, "%s", specs[i].id);
            cr_assert_str_eq(body_a, body_b, "%s", specs[i].id);
            free(subject_a);
            free(body_a);
            free(subject_b);
            free(body_b);
        }
    ntf_template_spec_t missing = {"absent", NULL};
    cr_assert_null(ntf_templates_load(NULL, &missing, 1, err, sizeof err));
    cr_assert(strstr(err, "embedded:fr/absent.txt:0:"), "%s", err);
    json_decref(params);
    json_decref(explanation);
    ntf_templates_destroy(&files);
    ntf_templates_destroy(&built_in);
}
