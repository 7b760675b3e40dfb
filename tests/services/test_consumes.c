/*  The services' subscription lists are the routing table of the bus: every
    consumed type must exist in the compiled schema, and the consumer column
    of docs/messages.md must say exactly the same thing as the code. */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctr_service.h"
#include "enf_service.h"
#include "gdpr_service.h"
#include "inv_service.h"
#include "ntf_service.h"
#include "pacta_proto_registry.h"

static const pacta_service_spec_t *
s_spec(size_t index)
{
    switch (index) {
    case 0: return ctr_service_spec();
    case 1: return inv_service_spec();
    case 2: return enf_service_spec();
    case 3: return ntf_service_spec();
    case 4: return gdpr_service_spec();
    default: return NULL;
    }
}
#define SERVICE_COUNT 5

static bool
s_consumes(const pacta_service_spec_t *spec, const char *type)
{
    for (size_t i = 0; spec->consumes[i]; i++)
        if (strcmp(spec->consumes[i], type) == 0)
            return true;
    return false;
}

//  True when `name` appears in text as a whole word (service names contain
//  '-', which counts as part of the word).
static bool
s_names(const char *text, const char *name)
{
    const size_t len = strlen(name);
    for (const char *hit = strstr(text, name); hit; hit = strstr(hit + 1, name)) {
        const char before = hit == text ? ' ' : hit[-1];
        const char after = hit[len];
        const bool word_before = (before >= 'a' && before <= 'z') || before == '-' || before == '_';
        const bool word_after = (after >= 'a' && after <= 'z') || after == '-' || after == '_';
        if (!word_before && !word_after)
            return true;
    }
    return false;
}

Test(registry, finds_every_type_by_name)
{
    cr_assert_gt(pacta_proto_count(), 100, "the catalogue has over a hundred messages");
    for (size_t i = 0; i < pacta_proto_count(); i++) {
        const ProtobufCMessageDescriptor *d = pacta_proto_at(i);
        cr_assert_eq(pacta_proto_find(d->name, strlen(d->name)), d, "%s", d->name);
        if (i > 0)
            cr_assert_lt(strcmp(pacta_proto_at(i - 1)->name, d->name), 0, "sorted, no duplicates");
    }
    const char *name = "pacta.v1.InvoiceIssued";
    const ProtobufCMessageDescriptor *invoice = pacta_proto_find(name, strlen(name));
    cr_assert_not_null(invoice);
    cr_assert_str_eq(invoice->short_name, "InvoiceIssued");
    cr_assert_null(pacta_proto_find("pacta.v1.InvoiceIssue", 21), "a prefix is not a match");
    cr_assert_null(pacta_proto_find("pacta.v1.InvoiceIssuedX", 23));
    cr_assert_null(pacta_proto_find("", 0));
    cr_assert_eq(pacta_proto_find("pacta.v1.InvoiceIssued trailing", 22), invoice, "len bounds the name");
}

Test(consumes, every_type_exists_in_the_schema)
{
    for (size_t s = 0; s < SERVICE_COUNT; s++) {
        const pacta_service_spec_t *spec = s_spec(s);
        cr_assert_not_null(spec->consumes);
        cr_assert_not_null(spec->consumes[0], "%s consumes something", spec->name);
        for (size_t i = 0; spec->consumes[i]; i++)
            cr_assert_not_null(pacta_proto_find(spec->consumes[i], strlen(spec->consumes[i])),
                               "%s consumes %s, which the schema does not define", spec->name, spec->consumes[i]);
    }
}

Test(consumes, agree_with_docs_messages_md)
{
    FILE *doc = fopen(PACTA_SOURCE_DIR "/docs/messages.md", "r");
    cr_assert_not_null(doc, "docs/messages.md must exist");
    char line[4096];
    int rows = 0, in_catalogue = 0;
    int documented[SERVICE_COUNT] = {0};
    while (fgets(line, sizeof line, doc)) {
        if (strncmp(line, "## ", 3) == 0)
            in_catalogue = strstr(line, "Message catalogue") != NULL;
        if (!in_catalogue || strncmp(line, "| `", 3) != 0)
            continue;
        //  | `Name` | file | kind | producers | consumers | rules |
        char *cells[7] = {0};
        int count = 0;
        for (char *cursor = line + 1; count < 7 && cursor && *cursor; ) {
            char *bar = strchr(cursor, '|');
            if (!bar)
                break;
            *bar = '\0';
            cells[count++] = cursor;
            cursor = bar + 1;
        }
        cr_assert_geq(count, 6, "catalogue row has six columns: %s", line);
        char name[128];
        cr_assert_eq(sscanf(cells[0], " `%127[A-Za-z0-9]`", name), 1);
        if (strstr(cells[2], "value") || strstr(cells[2], "frame") || strstr(cells[2], "reply"))
            continue;
        rows++;
        char type[160];
        snprintf(type, sizeof type, "pacta.v1.%s", name);
        const bool every = strstr(cells[4], "every service") != NULL;
        for (size_t s = 0; s < SERVICE_COUNT; s++) {
            const pacta_service_spec_t *spec = s_spec(s);
            const bool in_doc = every || s_names(cells[4], spec->name);
            const bool in_code = s_consumes(spec, type);
            cr_assert_eq(in_doc, in_code, "%s: docs/messages.md says %s %s it, the code says it %s",
                         name, spec->name, in_doc ? "consumes" : "does not consume",
                         in_code ? "does" : "does not");
            documented[s] += in_code;
        }
    }
    fclose(doc);
    cr_assert_gt(rows, 80, "the catalogue table was found and read (%d rows)", rows);
    for (size_t s = 0; s < SERVICE_COUNT; s++) {
        size_t listed = 0;
        while (s_spec(s)->consumes[listed])
            listed++;
        cr_assert_eq((size_t) documented[s], listed, "%s consumes types the catalogue does not list",
                     s_spec(s)->name);
    }
}
