/*  =========================================================================
    test_i5d_stack - SG-8c late charges in mode `propose` through the real
    stack (Redis database 6, pacta-bus, the five services, pactactl): the
    replay of tests/i5d/sg8c_propose.jsonl leaves one pending proposal of
    invoicing; `pactactl proposals approve` reaches invoicing (the proposal's
    audit entry names it) and the charges are billed once.
    =========================================================================
*/
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../i5c/stack_fixture.h"
#include "pactactl_cmd.h"

#define I5D_STACK_DB 6   /* this area's stack database of the test Redis */
#define TENANT "i5dprop"

static void
s_fini(void)
{
    bh_cleanup_all();
}

TestSuite(i5d_stack, .fini = s_fini, .timeout = 240);

/* A deploy-like directory: profiles/i5dprop.yaml (sgevent, SG-8c in mode
   propose) and templates/ (the shipped notice templates, which
   notifications reads next to the profiles). Returns the profiles dir. */
static void
s_profiles(char *dir, size_t size)
{
    char root[BH_PATH_MAX], templates[BH_PATH_MAX + 16], source[BH_PATH_MAX], target[BH_PATH_MAX + 32];
    snprintf(root, sizeof root, "%s/deploy-i5d", bh_workdir());
    mkdir(root, 0700);
    if (snprintf(dir, size, "%s/profiles", root) >= (int) size)
        cr_assert_fail("%s/profiles: path too long", root);
    mkdir(dir, 0700);
    snprintf(templates, sizeof templates, "%s/templates", root);
    cr_assert_eq(symlink(PACTA_SOURCE_DIR "/deploy/templates", templates), 0, "cannot link %s", templates);
    snprintf(source, sizeof source, "%s/deploy/profiles/sgevent.yaml", PACTA_SOURCE_DIR);
    snprintf(target, sizeof target, "%s/" TENANT ".yaml", dir);
    FILE *in = fopen(source, "r");
    FILE *out = fopen(target, "w");
    cr_assert(in && out, "%s -> %s", source, target);
    char line[1024];
    bool professional = false, proposed = false;
    while (fgets(line, sizeof line, in)) {
        if (strncmp(line, "tenant:", 7) == 0) {
            fputs("tenant: " TENANT "\n", out);
            continue;
        }
        if (strncmp(line, "  professional:", 15) == 0)
            professional = true;
        else if (professional && strncmp(line, "    mode: auto", 14) == 0) {
            fputs("    mode: propose\n", out);
            professional = false;
            proposed = true;
            continue;
        }
        fputs(line, out);
    }
    fclose(in);
    fclose(out);
    cr_assert(proposed, "sgevent.yaml's SG-8c block has a mode: auto line");
}

/* The pending proposals of the tenant, from pactactl (caller decrefs). */
static json_t *
s_pending(sk_stack_t *stack)
{
    sk_result_t r = sk_run(stack, "proposals", "list", "--tenant", TENANT, "--json", NULL);
    cr_assert_eq(r.rc, 0, "%s%s", r.out, r.err);
    json_error_t error;
    json_t *list = json_loads(r.out, 0, &error);
    cr_assert(json_is_array(list), "proposals list --json: %s\n%s", error.text, r.out);
    sk_result_free(&r);
    return list;
}

/* The charges invoice in the contract's ledger, once invoicing has taken
   its own InvoiceIssued back from the bus (waits up to 20 s for it). */
static json_t *
s_charges_invoice(pacta_store_t *store, const char *invoice_id)
{
    for (int attempt = 0; attempt < 200; attempt++) {
        redisReply *reply = NULL;
        cr_assert_eq(pacta_store_command_strs(store, &reply, "HGET", "pacta:" TENANT ":{c:i5d-P-1}:ledger", "doc",
                                              NULL),
                     0);
        json_t *doc = reply->type == REDIS_REPLY_STRING ? json_loads(reply->str, 0, NULL) : NULL;
        freeReplyObject(reply);
        size_t i;
        json_t *invoice;
        json_array_foreach(json_object_get(doc, "invoices"), i, invoice) {
            const char *id = json_string_value(json_object_get(invoice, "invoice_id"));
            if (id && strcmp(id, invoice_id) == 0) {
                json_t *found = json_deep_copy(invoice);
                json_decref(doc);
                return found;
            }
        }
        json_decref(doc);
        usleep(100 * 1000);
    }
    return NULL;
}

Test(i5d_stack, sg8c_proposed_charges_billed_on_approval_with_pactactl)
{
    sk_use_database(I5D_STACK_DB);
    pacta_store_t *store = sk_store();
    sk_flush(store);
    char dir[BH_PATH_MAX], env[BH_PATH_MAX + 32];
    s_profiles(dir, sizeof dir);
    snprintf(env, sizeof env, "PACTA_PROFILE_DIR=%s", dir);
    const char *extra[] = {env, NULL};
    sk_stack_t stack;
    sk_start_with(&stack, 1, extra);
    sk_result_t r = sk_run(&stack, "replay", "--wait", "40", PACTA_SOURCE_DIR "/tests/i5d/sg8c_propose.jsonl", NULL);
    cr_assert_eq(r.rc, 0, "%s%s", r.out, r.err);
    cr_assert(strstr(r.out, " 0 not met"), "%s", r.out);
    sk_result_free(&r);

    json_t *pending = s_pending(&stack);
    cr_assert_eq(json_array_size(pending), 1, "one pending proposal: the SG-8c charges");
    char decision_id[256];
    snprintf(decision_id, sizeof decision_id, "%s",
             json_string_value(json_object_get(json_array_get(pending, 0), "decision_id")));
    cr_assert(strncmp(decision_id, "SG-8c/", 6) == 0, "%s", decision_id);
    json_decref(pending);

    r = sk_run(&stack, "proposals", "approve", "--tenant", TENANT, "--comment", "charges agreed", decision_id, NULL);
    cr_assert_eq(r.rc, 0, "%s%s", r.out, r.err);
    cr_assert(strstr(r.out, "approved SG-8c/") && strstr(r.out, ": applied by "), "%s", r.out);
    sk_result_free(&r);

    json_t *charges = s_charges_invoice(store, "i5d-F-P1-LC1");
    cr_assert_not_null(charges, "the approval billed the charges invoice i5d-F-P1-LC1");
    cr_assert_eq(json_integer_value(json_object_get(charges, "total_cents")), 43250, "worked example 5: 432.50");
    cr_assert_str_eq(json_string_value(json_object_get(charges, "kind")), "charges");
    json_decref(charges);
    pending = s_pending(&stack);
    cr_assert_eq(json_array_size(pending), 0, "answered: nothing pending");
    json_decref(pending);
    r = sk_run(&stack, "proposals", "approve", "--tenant", TENANT, decision_id, NULL);
    cr_assert_neq(r.rc, 0, "a second approval finds nothing pending: %s", r.out);
    sk_result_free(&r);
    sk_stop(&stack);
    pacta_store_destroy(&store);
}
