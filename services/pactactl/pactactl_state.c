/*  =========================================================================
    pactactl_state - what Pacta knows and why: contract show, invoice show,
    timeline, explain, proposals list|approve|reject

    Reads the layout of docs/state.md through ctl_state (JSON in, nothing
    written). Approving or rejecting a proposal is the one write, and it is
    not a write to Redis: it is a DecisionApproved / DecisionRejected command
    sent through the bus to the service that proposed it, which applies it
    under its own rules (and deduplicates it like any message).

    Design decision: every command prints for a person by default and the
    documents themselves with --json, so scripts never parse the human
    layout. "explain" walks the audit stream backwards from the decision
    that set the contract's current state, following each decision's cause
    to the decision that emitted that cause, so an operator reads the chain
    "suspended <- invoice overdue <- due date passed" with every sentence.
    =========================================================================
*/
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_event.h"
#include "ctl_state.h"
#include "pacta/v1/enforcement.pb-c.h"
#include "pacta_bus_wire.h"
#include "pacta_clock.h"
#include "pacta_money.h"
#include "pacta_profile.h"
#include "pacta_sc.h"
#include "pactactl_priv.h"

#define CHAIN_DEPTH 6          /* causes followed by explain */
#define ENTITY_MAX 256         /* entity key bytes */

//  ---------------------------------------------------------------------------
//  Small JSON readers

static const char *
s_str(const json_t *object, const char *key)
{
    const json_t *value = json_object_get(object, key);
    return json_is_string(value) ? json_string_value(value) : NULL;
}

//  A string member, or "" when absent.
static const char *
s_text(const json_t *object, const char *key)
{
    const char *value = s_str(object, key);
    return value ? value : "";
}

static bool
s_cents(const json_t *object, const char *key, pacta_cents_t *out)
{
    const json_t *value = json_object_get(object, key);
    if (json_is_integer(value)) {
        *out = json_integer_value(value);
        return true;
    }
    if (json_is_string(value) && *json_string_value(value)) {
        char *end = NULL;
        *out = strtoll(json_string_value(value), &end, 10);
        return end && *end == '\0';
    }
    return false;
}

//  "1.234,56 EUR" of a cents member, or "-" when absent.
static const char *
s_money(const json_t *object, const char *key, char *buf, size_t size)
{
    pacta_cents_t cents;
    if (!s_cents(object, key, &cents)) {
        snprintf(buf, size, "-");
        return buf;
    }
    return pacta_money_format_be(cents, buf, size);
}

//  ---------------------------------------------------------------------------
//  Arguments shared by the state commands

typedef struct {
    const char *tenant;      /* --tenant */
    const char *id;          /* the positional id */
    bool json;               /* --json */
    bool french;             /* --lang fr */
    const char *comment;     /* --comment (approve) */
    const char *reason;      /* --reason (reject) */
    const char *wait;        /* --wait (approve/reject) */
} state_args_t;

//  Parses "[--tenant T] [--json] [--lang fr|en] ID" after skip words.
static int
s_state_args(ctl_t *ctl, int skip, const char *usage, const char *const *allowed, state_args_t *args, bool need_id)
{
    static const char *const bools[] = {"--json", NULL};
    char *positional[1];
    int positional_count, rc;
    if ((rc = ctl_check_args(ctl, ctl->argc - skip, ctl->argv + skip, allowed, bools, positional, &positional_count,
                             1)))
        return rc;
    bool missing = false;
    args->tenant = ctl_option(ctl->argc, ctl->argv, "--tenant", &missing);
    const char *lang = ctl_option(ctl->argc, ctl->argv, "--lang", &missing);
    args->comment = ctl_option(ctl->argc, ctl->argv, "--comment", &missing);
    args->reason = ctl_option(ctl->argc, ctl->argv, "--reason", &missing);
    args->wait = ctl_option(ctl->argc, ctl->argv, "--wait", &missing);
    args->json = ctl_flag(ctl->argc, ctl->argv, "--json");
    if (missing)
        return ctl_usage_error(ctl, "%s: an option is missing its value", usage);
    if (!args->tenant)
        return ctl_usage_error(ctl, "%s: --tenant is required", usage);
    if (!pacta_tenant_id_valid(args->tenant))
        return ctl_usage_error(ctl, "--tenant: '%s' is not a tenant id (letters, digits, '.', '_', '-')",
                               args->tenant);
    if (lang && strcmp(lang, "fr") != 0 && strcmp(lang, "en") != 0)
        return ctl_usage_error(ctl, "--lang: '%s' is not fr or en", lang);
    args->french = lang && strcmp(lang, "fr") == 0;
    if (need_id && positional_count != 1)
        return ctl_usage_error(ctl, "%s: give the id", usage);
    if (!need_id && positional_count != 0)
        return ctl_usage_error(ctl, "unexpected argument '%s'", positional[0]);
    args->id = positional_count ? positional[0] : NULL;
    if (args->id && (strlen(args->id) == 0 || strlen(args->id) > CTL_STATE_ID_MAX))
        return ctl_usage_error(ctl, "'%s' is not an id", args->id);
    return CTL_EXIT_OK;
}

//  "C-1" means the contract c:C-1; "c:C-1", "s:S-1" and "p:..." are entity
//  keys already.
static void
s_entity_of(const char *id, char *out, size_t size)
{
    if ((id[0] == 'c' || id[0] == 's' || id[0] == 'p') && id[1] == ':')
        snprintf(out, size, "%s", id);
    else
        snprintf(out, size, "c:%s", id);
}

static void
s_print_json(FILE *out, const json_t *json)
{
    char *text = json_dumps(json, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    if (text) {
        fprintf(out, "%s\n", text);
        free(text);
    }
}

//  ---------------------------------------------------------------------------
//  Printing audit entries

//  "due_on 2025-02-08" for one explanation value.
static void
s_print_value(FILE *out, const json_t *value)
{
    const char *type = s_text(value, "type");
    const json_t *raw = json_object_get(value, "value");
    char buf[64];
    fprintf(out, "%s ", s_text(value, "name"));
    if (strcmp(type, "money") == 0 && json_is_integer(raw))
        fputs(pacta_money_format_be(json_integer_value(raw), buf, sizeof buf), out);
    else if (strcmp(type, "bp") == 0 && json_is_integer(raw))
        fprintf(out, "%s %%", pacta_bp_format((pacta_bp_t) json_integer_value(raw), buf, sizeof buf));
    else if (json_is_string(raw))
        fputs(json_string_value(raw), out);
    else if (json_is_integer(raw))
        fprintf(out, "%" JSON_INTEGER_FORMAT, json_integer_value(raw));
    else if (json_is_boolean(raw))
        fputs(json_is_true(raw) ? "yes" : "no", out);
    else
        fputs("?", out);
    const char *unit = s_str(value, "unit");
    if (unit && *unit)
        fprintf(out, " %s", unit);
}

//  The inputs, parameters and results of a decision, one line each.
static void
s_print_values(FILE *out, const char *indent, const json_t *entry)
{
    const json_t *values = json_object_get(entry, "values");
    if (!json_is_array(values))
        return;
    static const char *const roles[] = {"input", "parameter", "result"};
    static const char *const labels[] = {"inputs", "parameters", "results"};
    for (size_t r = 0; r < 3; r++) {
        bool any = false;
        size_t i;
        json_t *value;
        json_array_foreach(values, i, value) {
            if (strcmp(s_text(value, "role"), roles[r]) != 0)
                continue;
            fprintf(out, any ? ", " : "%s%-11s", indent, labels[r]);
            if (!any)
                fputc(' ', out);
            s_print_value(out, value);
            any = true;
        }
        if (any)
            fputc('\n', out);
    }
}

static const char *
s_sentence(const json_t *entry, bool french)
{
    const char *fr = s_str(entry, "sentence_fr"), *en = s_str(entry, "sentence_en");
    const char *first = french ? fr : en, *second = french ? en : fr;
    if (first && *first)
        return first;
    if (second && *second)
        return second;
    return s_text(entry, "summary");
}

//  One timeline line: date, rule (or what the entry is), sentence.
static void
s_print_entry(FILE *out, const json_t *entry, bool french)
{
    const char *kind = s_text(entry, "entry");
    const char *date = s_text(entry, "date");
    const char *until = s_text(entry, "until");
    char when[32];
    snprintf(when, sizeof when, "%s", *date ? date : "-");
    if (strcmp(kind, "decision") == 0) {
        const char *status = s_text(entry, "status");
        fprintf(out, "%-10s  %-7s %s", when, s_text(entry, "rule_id"), s_sentence(entry, french));
        if (*until)
            fprintf(out, " [%s .. %s]", date, until);
        if (*status && strcmp(status, "applied") != 0)
            fprintf(out, " (%s)", status);
        fputc('\n', out);
        return;
    }
    const char *type = s_text(entry, strcmp(kind, "fact") == 0 ? "message_type" : "cause_type");
    const char *short_type = strrchr(type, '.') ? strrchr(type, '.') + 1 : type;
    fprintf(out, "%-10s  %-7s %s%s%s\n", when, strcmp(kind, "parked") == 0 ? "parked" : "fact", short_type,
            *short_type ? ": " : "", s_text(entry, "summary"));
}

//  ---------------------------------------------------------------------------
//  contract show

static void
s_print_contract(FILE *out, const char *id, const char *tenant, const json_t *contract, const json_t *ledger)
{
    char a[PACTA_MONEY_STR_LEN], b[PACTA_MONEY_STR_LEN];
    if (json_is_null(contract))
        fprintf(out, "contract %s (%s): not known to the contracts service\n", id, tenant);
    else {
        const json_t *doc = json_object_get(contract, "doc");
        const json_t *client = json_object_get(doc, "client");
        fprintf(out, "contract %s (%s), version %" JSON_INTEGER_FORMAT ", last changed by %s\n", id, tenant,
                json_integer_value(json_object_get(contract, "version")), s_text(contract, "updated_by"));
        if (client)
            fprintf(out, "  client        %s, %s, %s\n", s_text(client, "client_id"), s_text(client, "kind"),
                    s_text(client, "language"));
        fprintf(out, "  kind          %s", s_text(doc, "kind"));
        if (*s_text(doc, "pack"))
            fprintf(out, ", pack %s", s_text(doc, "pack"));
        if (*s_text(doc, "billing_period"))
            fprintf(out, ", billed %s at %s", s_text(doc, "billing_period"), s_money(doc, "fee_cents", a, sizeof a));
        fputc('\n', out);
        fprintf(out, "  signed        %s (%s)\n", s_text(doc, "signed_on"), s_text(doc, "channel"));
        if (*s_text(doc, "start_on"))
            fprintf(out, "  started       %s (%s)\n", s_text(doc, "start_on"), s_text(doc, "start_cause"));
        if (*s_text(doc, "term_ends_on"))
            fprintf(out, "  term ends     %s%s%s\n", s_text(doc, "term_ends_on"),
                    *s_text(doc, "renewal_notice_deadline") ? "; non-renewal notice by " : "",
                    s_text(doc, "renewal_notice_deadline"));
        const json_t *suspension = json_object_get(doc, "suspension");
        fprintf(out, "  state         %s", s_text(doc, "state"));
        if (json_is_object(suspension))
            fprintf(out, " since %s (%s, decision %s)", s_text(suspension, "since"), s_text(suspension, "reason"),
                    s_text(suspension, "decision_id"));
        fputc('\n', out);
        size_t i;
        json_t *item;
        json_array_foreach(json_object_get(doc, "suspensions"), i, item) {
            fprintf(out, "  %-13s %s", i ? "" : "suspensions", s_text(item, "from"));
            if (*s_text(item, "restored_on"))
                fprintf(out, ", restored %s", s_text(item, "restored_on"));
            fprintf(out, " (%s)\n", s_text(item, "reason"));
        }
        json_array_foreach(json_object_get(doc, "lost_periods"), i, item) {
            fprintf(out, "  %-13s %s .. %s (%s)\n", i ? "" : "lost periods", s_text(item, "from"),
                    s_text(item, "through"), s_text(item, "reason"));
        }
    }
    if (json_is_null(ledger)) {
        fprintf(out, "invoices: none known to the invoicing service\n");
        return;
    }
    const json_t *doc = json_object_get(ledger, "doc");
    fprintf(out, "invoices (ledger version %" JSON_INTEGER_FORMAT ", credit %s)\n",
            json_integer_value(json_object_get(ledger, "version")), s_money(doc, "credit_cents", a, sizeof a));
    size_t i;
    json_t *invoice;
    json_array_foreach(json_object_get(doc, "invoices"), i, invoice) {
        fprintf(out, "  %-14s %-9s issued %s  due %s  %s  paid %s  %s", s_text(invoice, "invoice_id"),
                s_text(invoice, "kind"), s_text(invoice, "issued_on"), s_text(invoice, "due_on"),
                s_money(invoice, "total_cents", a, sizeof a), s_money(invoice, "paid_cents", b, sizeof b),
                s_text(invoice, "state"));
        if (*s_text(invoice, "paid_on"))
            fprintf(out, " on %s", s_text(invoice, "paid_on"));
        if (*s_text(invoice, "overdue_from"))
            fprintf(out, " (overdue from %s)", s_text(invoice, "overdue_from"));
        fputc('\n', out);
    }
    json_t *payment;
    json_array_foreach(json_object_get(doc, "payments"), i, payment) {
        fprintf(out, "  %-13s %s %s  %s  by %s", i ? "" : "payments", s_text(payment, "payment_id"),
                s_money(payment, "amount_cents", a, sizeof a), s_text(payment, "value_date"),
                s_text(payment, "matched_by"));
        size_t k;
        json_t *applied;
        json_array_foreach(json_object_get(payment, "applied"), k, applied) {
            fprintf(out, "%s%s %s", k ? ", " : " -> ", s_text(applied, "invoice_id"),
                    s_money(applied, "amount_cents", a, sizeof a));
        }
        fputc('\n', out);
    }
}

//  Pending proposals of one entity, for show and explain.
static void
s_print_entity_proposals(FILE *out, const json_t *proposals, const char *entity, const json_t *audit, bool french)
{
    size_t i, count = 0;
    json_t *proposal;
    json_array_foreach(proposals, i, proposal) {
        if (strcmp(s_text(proposal, "entity"), entity) != 0)
            continue;
        if (count++ == 0)
            fprintf(out, "pending proposals (pactactl proposals approve|reject):\n");
        fprintf(out, "  %s", s_text(proposal, "decision_id"));
        size_t k;
        json_t *entry;
        json_array_foreach(audit, k, entry) {
            if (strcmp(s_text(entry, "decision_id"), s_text(proposal, "decision_id")) == 0
                && strcmp(s_text(entry, "status"), "proposed") == 0) {
                fprintf(out, ": %s %s", s_text(entry, "rule_id"), s_sentence(entry, french));
                break;
            }
        }
        fputc('\n', out);
    }
}

//  The store, the three documents, the audit and the proposals of one
//  entity; NULL members when not asked for.
typedef struct {
    pacta_store_t *store;    /* connected */
    json_t *contract;        /* P:contract or null */
    json_t *ledger;          /* P:ledger or null */
    json_t *enforcement;     /* P:enforcement or null */
    json_t *audit;           /* array */
    json_t *proposals;       /* array, the whole tenant */
} entity_view_t;

static void
s_view_close(entity_view_t *view)
{
    json_decref(view->contract);
    json_decref(view->ledger);
    json_decref(view->enforcement);
    json_decref(view->audit);
    json_decref(view->proposals);
    pacta_store_destroy(&view->store);
    memset(view, 0, sizeof *view);
}

static int
s_view_open(ctl_t *ctl, const char *tenant, const char *entity, bool documents, bool audit, entity_view_t *view)
{
    memset(view, 0, sizeof *view);
    view->store = ctl_store_open(ctl);
    if (!view->store)
        return -1;
    char err[CTL_ERR_SIZE];
    int rc = -1;
    if (documents
        && (!(view->contract = ctl_state_document(view->store, tenant, entity, "contract", err, sizeof err))
            || !(view->ledger = ctl_state_document(view->store, tenant, entity, "ledger", err, sizeof err))
            || !(view->enforcement = ctl_state_document(view->store, tenant, entity, "enforcement", err, sizeof err))))
        goto cleanup;
    if (audit && !(view->audit = ctl_state_audit(view->store, tenant, entity, 0, err, sizeof err)))
        goto cleanup;
    if (!(view->proposals = ctl_state_proposals(view->store, tenant, err, sizeof err)))
        goto cleanup;
    rc = 0;

cleanup:
    if (rc != 0) {
        fprintf(ctl->err, "pactactl: %s\n", err);
        s_view_close(view);
    }
    return rc;
}

static int
s_contract_show(ctl_t *ctl)
{
    static const char *const allowed[] = {"--tenant", "--json", NULL};
    state_args_t args;
    int rc;
    if ((rc = s_state_args(ctl, 2, "contract show", allowed, &args, true)))
        return rc;
    char entity[ENTITY_MAX + 1];
    s_entity_of(args.id, entity, sizeof entity);
    entity_view_t view;
    if (s_view_open(ctl, args.tenant, entity, true, true, &view) != 0)
        return CTL_EXIT_FAILED;
    rc = CTL_EXIT_OK;
    if (json_is_null(view.contract) && json_is_null(view.ledger) && json_is_null(view.enforcement)
        && json_array_size(view.audit) == 0) {
        fprintf(ctl->err, "pactactl: no contract %s for tenant %s\n", args.id, args.tenant);
        rc = CTL_EXIT_FAILED;
    }
    else if (args.json) {
        json_t *all = json_pack("{s:O, s:O, s:O}", "contract", view.contract, "ledger", view.ledger, "enforcement",
                                view.enforcement);
        s_print_json(ctl->out, all);
        json_decref(all);
    }
    else {
        s_print_contract(ctl->out, entity + 2, args.tenant, view.contract, view.ledger);
        s_print_entity_proposals(ctl->out, view.proposals, entity, view.audit, false);
    }
    s_view_close(&view);
    return rc;
}

int
ctl_cmd_contract(ctl_t *ctl)
{
    if (ctl->argc < 2 || strcmp(ctl->argv[1], "show") != 0)
        return ctl_usage_error(ctl, "expected 'contract show --tenant T ID'%s", NULL);
    return s_contract_show(ctl);
}

//  ---------------------------------------------------------------------------
//  invoice show

int
ctl_cmd_invoice(ctl_t *ctl)
{
    static const char *const allowed[] = {"--tenant", "--json", NULL};
    if (ctl->argc < 2 || strcmp(ctl->argv[1], "show") != 0)
        return ctl_usage_error(ctl, "expected 'invoice show --tenant T ID'%s", NULL);
    state_args_t args;
    int rc;
    if ((rc = s_state_args(ctl, 2, "invoice show", allowed, &args, true)))
        return rc;
    pacta_store_t *store = ctl_store_open(ctl);
    if (!store)
        return CTL_EXIT_FAILED;
    char err[CTL_ERR_SIZE], contract_id[CTL_STATE_ID_MAX + 1], entity[ENTITY_MAX + 1];
    json_t *ledger = NULL, *enforcement = NULL, *result = NULL;
    rc = CTL_EXIT_FAILED;
    const int found = ctl_state_invoice_contract(store, args.tenant, args.id, contract_id, sizeof contract_id, err,
                                                 sizeof err);
    if (found < 0) {
        fprintf(ctl->err, "pactactl: %s\n", err);
        goto cleanup;
    }
    if (found == 0) {
        fprintf(ctl->err, "pactactl: no invoice %s for tenant %s\n", args.id, args.tenant);
        goto cleanup;
    }
    snprintf(entity, sizeof entity, "c:%s", contract_id);
    ledger = ctl_state_document(store, args.tenant, entity, "ledger", err, sizeof err);
    enforcement = ledger ? ctl_state_document(store, args.tenant, entity, "enforcement", err, sizeof err) : NULL;
    if (!ledger || !enforcement) {
        fprintf(ctl->err, "pactactl: %s\n", err);
        goto cleanup;
    }
    const json_t *invoice = NULL, *tracked = NULL;
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(json_object_get(ledger, "doc"), "invoices"), i, item) {
        if (strcmp(s_text(item, "invoice_id"), args.id) == 0)
            invoice = item;
    }
    json_array_foreach(json_object_get(json_object_get(enforcement, "doc"), "invoices"), i, item) {
        if (strcmp(s_text(item, "invoice_id"), args.id) == 0)
            tracked = item;
    }
    if (!invoice) {
        fprintf(ctl->err, "pactactl: invoice %s is indexed on contract %s but not in its ledger\n", args.id,
                contract_id);
        goto cleanup;
    }
    json_t *payments = json_array();
    json_array_foreach(json_object_get(json_object_get(ledger, "doc"), "payments"), i, item) {
        size_t k;
        json_t *applied;
        json_array_foreach(json_object_get(item, "applied"), k, applied) {
            if (strcmp(s_text(applied, "invoice_id"), args.id) == 0) {
                json_array_append(payments, item);
                break;
            }
        }
    }
    result = json_pack("{s:s, s:O, s:O, s:o}", "contract_id", contract_id, "invoice", invoice, "enforcement",
                       tracked ? tracked : json_null(), "payments", payments);
    if (args.json)
        s_print_json(ctl->out, result);
    else {
        char a[PACTA_MONEY_STR_LEN], b[PACTA_MONEY_STR_LEN], shown[PACTA_SC_DISPLAY_SIZE];
        fprintf(ctl->out, "invoice %s (%s), contract %s, %s\n", args.id, args.tenant, contract_id,
                s_text(invoice, "kind"));
        fprintf(ctl->out, "  issued        %s, due %s\n", s_text(invoice, "issued_on"), s_text(invoice, "due_on"));
        const char *sc = s_text(invoice, "structured_communication");
        if (*sc)
            fprintf(ctl->out, "  communication %s\n", *pacta_sc_format(sc, shown, sizeof shown) ? shown : sc);
        fprintf(ctl->out, "  amount        %s, paid %s: %s", s_money(invoice, "total_cents", a, sizeof a),
                s_money(invoice, "paid_cents", b, sizeof b), s_text(invoice, "state"));
        if (*s_text(invoice, "paid_on"))
            fprintf(ctl->out, " on %s", s_text(invoice, "paid_on"));
        fputc('\n', ctl->out);
        if (*s_text(invoice, "overdue_from"))
            fprintf(ctl->out, "  overdue from  %s\n", s_text(invoice, "overdue_from"));
        json_array_foreach(payments, i, item) {
            fprintf(ctl->out, "  %-13s %s %s on %s (by %s)\n", i ? "" : "payments", s_text(item, "payment_id"),
                    s_money(item, "amount_cents", a, sizeof a), s_text(item, "value_date"),
                    s_text(item, "matched_by"));
        }
    }
    rc = CTL_EXIT_OK;

cleanup:
    json_decref(result);
    json_decref(ledger);
    json_decref(enforcement);
    pacta_store_destroy(&store);
    return rc;
}

//  ---------------------------------------------------------------------------
//  timeline

int
ctl_cmd_timeline(ctl_t *ctl)
{
    static const char *const allowed[] = {"--tenant", "--json", "--lang", NULL};
    state_args_t args;
    int rc;
    if ((rc = s_state_args(ctl, 1, "timeline", allowed, &args, true)))
        return rc;
    char entity[ENTITY_MAX + 1];
    s_entity_of(args.id, entity, sizeof entity);
    entity_view_t view;
    if (s_view_open(ctl, args.tenant, entity, false, true, &view) != 0)
        return CTL_EXIT_FAILED;
    rc = CTL_EXIT_OK;
    if (args.json)
        s_print_json(ctl->out, view.audit);
    else if (json_array_size(view.audit) == 0) {
        fprintf(ctl->err, "pactactl: nothing recorded for %s of tenant %s\n", entity, args.tenant);
        rc = CTL_EXIT_FAILED;
    }
    else {
        fprintf(ctl->out, "timeline of %s (%s), %zu entries\n", entity, args.tenant, json_array_size(view.audit));
        size_t i;
        json_t *entry;
        json_array_foreach(view.audit, i, entry) {
            s_print_entry(ctl->out, entry, args.french);
        }
    }
    s_view_close(&view);
    return rc;
}

//  ---------------------------------------------------------------------------
//  explain

//  The applied decision that set the contract's current state.
static const json_t *
s_state_decision(const json_t *contract_doc, const json_t *audit)
{
    const json_t *suspension = json_object_get(contract_doc, "suspension");
    const char *wanted = json_is_object(suspension) ? s_str(suspension, "decision_id") : NULL;
    const char *state = s_text(contract_doc, "state");
    const json_t *latest = NULL;
    size_t i;
    json_t *entry;
    json_array_foreach(audit, i, entry) {
        if (strcmp(s_text(entry, "entry"), "decision") != 0 || strcmp(s_text(entry, "status"), "applied") != 0)
            continue;
        const char *kind = s_text(entry, "kind");
        if (wanted) {
            if (strcmp(s_text(entry, "decision_id"), wanted) == 0)
                return entry;
            continue;
        }
        //  Without a running suspension: the last start, restore, end or
        //  termination, else the last decision of all. A licence ending
        //  (CC-10) follows from the contract's end; it never sets the state.
        if (strcmp(state, "suspended") == 0 && strcmp(kind, "suspend") == 0)
            latest = entry;
        else if (strcmp(state, "suspended") != 0
                 && (strcmp(kind, "start") == 0 || strcmp(kind, "restore") == 0
                     || (strstr(kind, "end") && strcmp(kind, "suspend") != 0 && strcmp(kind, "licence_end") != 0)
                     || strstr(kind, "terminat") || strstr(kind, "withdraw")))
            latest = entry;
    }
    if (!latest && !wanted) {
        json_array_foreach(audit, i, entry) {
            if (strcmp(s_text(entry, "entry"), "decision") == 0 && strcmp(s_text(entry, "status"), "applied") == 0)
                latest = entry;
        }
    }
    return latest;
}

//  A decision in full: date, rule, clause, sentence, values.
static void
s_print_decision(FILE *out, const char *indent, const json_t *entry, bool french)
{
    fprintf(out, "%s%s  %s (%s)", indent, *s_text(entry, "date") ? s_text(entry, "date") : "-",
            s_text(entry, "rule_id"), s_text(entry, "clause"));
    if (*s_text(entry, "evaluated_on"))
        fprintf(out, ", evaluated on %s", s_text(entry, "evaluated_on"));
    fprintf(out, ", %s by %s\n", s_text(entry, "status"), s_text(entry, "service"));
    fprintf(out, "%s  %s\n", indent, s_sentence(entry, french));
    char deeper[32];
    snprintf(deeper, sizeof deeper, "%s  ", indent);
    s_print_values(out, deeper, entry);
}

//  What caused entry: the fact recorded with that message id, or the
//  latest earlier decision that emitted a message of the cause's type.
static const json_t *
s_cause_of(const json_t *audit, size_t before, const json_t *entry)
{
    const char *caused_by = s_text(entry, "caused_by");
    const char *cause_type = s_text(entry, "cause_type");
    const json_t *found = NULL;
    for (size_t i = 0; i < before && i < json_array_size(audit); i++) {
        const json_t *candidate = json_array_get(audit, i);
        if (candidate == entry)
            break;
        const char *kind = s_text(candidate, "entry");
        if (strcmp(kind, "fact") == 0 && *caused_by && strcmp(s_text(candidate, "caused_by"), caused_by) == 0)
            found = candidate;
        else if (strcmp(kind, "decision") == 0 && *cause_type
                 && strcmp(s_text(candidate, "decision_type"), cause_type) == 0)
            found = candidate;
    }
    return found;
}

static size_t
s_index_of(const json_t *audit, const json_t *entry)
{
    for (size_t i = 0; i < json_array_size(audit); i++)
        if (json_array_get(audit, i) == entry)
            return i;
    return json_array_size(audit);
}

int
ctl_cmd_explain(ctl_t *ctl)
{
    static const char *const allowed[] = {"--tenant", "--lang", NULL};
    state_args_t args;
    int rc;
    if ((rc = s_state_args(ctl, 1, "explain", allowed, &args, true)))
        return rc;
    char entity[ENTITY_MAX + 1];
    s_entity_of(args.id, entity, sizeof entity);
    entity_view_t view;
    if (s_view_open(ctl, args.tenant, entity, true, true, &view) != 0)
        return CTL_EXIT_FAILED;
    FILE *out = ctl->out;
    rc = CTL_EXIT_OK;
    if (json_is_null(view.contract)) {
        fprintf(ctl->err, "pactactl: no contract %s for tenant %s\n", entity + 2, args.tenant);
        rc = CTL_EXIT_FAILED;
        goto cleanup;
    }
    const json_t *doc = json_object_get(view.contract, "doc");
    const char *state = s_text(doc, "state");
    fprintf(out, "contract %s (%s) is %s", entity + 2, args.tenant, state);
    const json_t *suspension = json_object_get(doc, "suspension");
    if (json_is_object(suspension))
        fprintf(out, " since %s (%s)", s_text(suspension, "since"), s_text(suspension, "reason"));
    else if (*s_text(doc, "start_on"))
        fprintf(out, ", started %s", s_text(doc, "start_on"));
    fprintf(out, ".\n");

    const json_t *decision = s_state_decision(doc, view.audit);
    if (!decision)
        fprintf(out, "No decision of Pacta is recorded for it yet: its state comes from the facts received.\n");
    else {
        fprintf(out, "\nBecause:\n");
        s_print_decision(out, "  ", decision, args.french);
        //  Decisions taken together with it (a restore and its lost period).
        size_t i;
        json_t *entry;
        json_array_foreach(view.audit, i, entry) {
            if (entry != decision && strcmp(s_text(entry, "entry"), "decision") == 0
                && *s_text(decision, "caused_by")
                && strcmp(s_text(entry, "caused_by"), s_text(decision, "caused_by")) == 0
                && strcmp(s_text(entry, "service"), s_text(decision, "service")) == 0) {
                fprintf(out, "  with:\n");
                s_print_decision(out, "    ", entry, args.french);
            }
        }
        //  And what caused it, back to the facts.
        const json_t *current = decision;
        for (int depth = 0; depth < CHAIN_DEPTH; depth++) {
            const json_t *cause = s_cause_of(view.audit, s_index_of(view.audit, current), current);
            if (!cause) {
                if (*s_text(current, "cause_type"))
                    fprintf(out, "  which followed %s %s\n", s_text(current, "cause_type"),
                            s_text(current, "caused_by"));
                break;
            }
            fprintf(out, "  which followed:\n");
            if (strcmp(s_text(cause, "entry"), "decision") == 0)
                s_print_decision(out, "    ", cause, args.french);
            else {
                fputs("    ", out);
                s_print_entry(out, cause, args.french);
                break;
            }
            current = cause;
        }
    }
    s_print_entity_proposals(out, view.proposals, entity, view.audit, args.french);

cleanup:
    s_view_close(&view);
    return rc;
}

//  ---------------------------------------------------------------------------
//  proposals

//  The audit entry proposing decision_id on entity, or NULL.
static json_t *
s_proposal_entry(pacta_store_t *store, const char *tenant, const char *entity, const char *decision_id)
{
    char err[CTL_ERR_SIZE];
    json_t *audit = ctl_state_audit(store, tenant, entity, 0, err, sizeof err);
    json_t *found = NULL;
    size_t i;
    json_t *entry;
    json_array_foreach(audit, i, entry) {
        if (strcmp(s_text(entry, "decision_id"), decision_id) == 0 && strcmp(s_text(entry, "status"), "proposed") == 0)
            found = entry;
    }
    if (found)
        json_incref(found);
    json_decref(audit);
    return found;
}

static int
s_proposals_list(ctl_t *ctl)
{
    static const char *const allowed[] = {"--tenant", "--json", "--lang", NULL};
    state_args_t args;
    int rc;
    if ((rc = s_state_args(ctl, 2, "proposals list", allowed, &args, false)))
        return rc;
    pacta_store_t *store = ctl_store_open(ctl);
    if (!store)
        return CTL_EXIT_FAILED;
    char err[CTL_ERR_SIZE];
    json_t *proposals = ctl_state_proposals(store, args.tenant, err, sizeof err);
    if (!proposals) {
        fprintf(ctl->err, "pactactl: %s\n", err);
        pacta_store_destroy(&store);
        return CTL_EXIT_FAILED;
    }
    size_t i;
    json_t *proposal;
    json_array_foreach(proposals, i, proposal) {
        json_t *entry = s_proposal_entry(store, args.tenant, s_text(proposal, "entity"),
                                         s_text(proposal, "decision_id"));
        json_object_set_new(proposal, "proposal", entry ? entry : json_null());
    }
    if (args.json)
        s_print_json(ctl->out, proposals);
    else if (json_array_size(proposals) == 0)
        fprintf(ctl->out, "no pending proposals for tenant %s\n", args.tenant);
    else {
        fprintf(ctl->out, "%zu pending proposal(s) for tenant %s\n", json_array_size(proposals), args.tenant);
        json_array_foreach(proposals, i, proposal) {
            char day[PACTA_DATE_STR_LEN];
            const json_t *entry = json_object_get(proposal, "proposal");
            pacta_date_format((pacta_date_t) json_integer_value(json_object_get(proposal, "day")), day, sizeof day);
            fprintf(ctl->out, "%s  %-12s %s", day, s_text(proposal, "entity"), s_text(proposal, "decision_id"));
            if (json_is_object(entry))
                fprintf(ctl->out, "\n            %s by %s: %s", s_text(entry, "rule_id"), s_text(entry, "service"),
                        s_sentence(entry, args.french));
            fputc('\n', ctl->out);
        }
    }
    json_decref(proposals);
    pacta_store_destroy(&store);
    return CTL_EXIT_OK;
}

//  approve or reject: one command to the proposing service.
static int
s_proposals_answer(ctl_t *ctl, bool approve)
{
    static const char *const approve_allowed[] = {"--tenant", "--comment", "--wait", NULL};
    static const char *const reject_allowed[] = {"--tenant", "--reason", "--wait", NULL};
    const char *usage = approve ? "proposals approve" : "proposals reject";
    state_args_t args;
    int rc;
    if ((rc = s_state_args(ctl, 2, usage, approve ? approve_allowed : reject_allowed, &args, true)))
        return rc;
    if (!approve && (!args.reason || !*args.reason))
        return ctl_usage_error(ctl, "proposals reject: --reason is required (it is kept in the audit stream)%s",
                               NULL);
    int64_t wait_seconds = 10;
    if (args.wait && (ctl_parse_count(args.wait, 86400, &wait_seconds) != 0 || wait_seconds == 0))
        return ctl_usage_error(ctl, "--wait: '%s' is not a number of seconds (1 to 86400)", args.wait);

    pacta_store_t *store = ctl_store_open(ctl);
    if (!store)
        return CTL_EXIT_FAILED;
    pacta_clock_t *clock = NULL;
    pacta_bus_producer_t *producer = NULL;
    json_t *proposals = NULL, *entry = NULL;
    ctl_event_t *event = NULL;
    char err[CTL_ERR_SIZE];
    rc = CTL_EXIT_FAILED;
    proposals = ctl_state_proposals(store, args.tenant, err, sizeof err);
    if (!proposals) {
        fprintf(ctl->err, "pactactl: %s\n", err);
        goto cleanup;
    }
    const json_t *proposal = NULL;
    size_t i;
    json_t *item;
    json_array_foreach(proposals, i, item) {
        if (strcmp(s_text(item, "decision_id"), args.id) == 0)
            proposal = item;
    }
    if (!proposal) {
        fprintf(ctl->err, "pactactl: no pending proposal %s for tenant %s (see pactactl proposals list)\n", args.id,
                args.tenant);
        goto cleanup;
    }
    const char *entity = s_text(proposal, "entity");
    entry = s_proposal_entry(store, args.tenant, entity, args.id);
    const char *service = entry ? s_text(entry, "service") : "";
    if (!*service) {
        fprintf(ctl->err, "pactactl: the proposal %s has no audit entry on %s naming the service that made it\n",
                args.id, entity);
        goto cleanup;
    }
    //  "Today" for the operator's answer is the tenant's date, on its test
    //  clock when it has one.
    clock = pacta_clock_new(PACTA_CLOCK_TEST, store);
    pacta_date_t today;
    if (!clock || pacta_clock_today(clock, args.tenant, &today) != 0) {
        fprintf(ctl->err, "pactactl: cannot read the clock of %s\n", args.tenant);
        goto cleanup;
    }
    int year, month, day;
    pacta_date_to_ymd(today, &year, &month, &day);
    Pacta__V1__Date *date = malloc(sizeof *date);
    ProtobufCMessage *payload = NULL;
    const char *contract_id = strncmp(entity, "c:", 2) == 0 ? entity + 2 : "";
    if (date)
        pacta__v1__date__init(date);
    if (date && approve) {
        Pacta__V1__DecisionApproved *approved = malloc(sizeof *approved);
        if (approved) {
            pacta__v1__decision_approved__init(approved);
            approved->decision_id = strdup(args.id);
            approved->contract_id = strdup(contract_id);
            approved->approved_by = strdup(ctl_operator(ctl));
            approved->comment = strdup(args.comment ? args.comment : "");
            approved->approved_on = date;
            payload = &approved->base;
        }
    }
    else if (date) {
        Pacta__V1__DecisionRejected *rejected = malloc(sizeof *rejected);
        if (rejected) {
            pacta__v1__decision_rejected__init(rejected);
            rejected->decision_id = strdup(args.id);
            rejected->contract_id = strdup(contract_id);
            rejected->rejected_by = strdup(ctl_operator(ctl));
            rejected->reason = strdup(args.reason);
            rejected->rejected_on = date;
            payload = &rejected->base;
        }
    }
    if (!payload) {
        free(date);
        fprintf(ctl->err, "pactactl: out of memory\n");
        goto cleanup;
    }
    //  Every string must be there before the message may be packed.
    const char *const *strings = approve
        ? (const char *const[]){((Pacta__V1__DecisionApproved *) payload)->decision_id,
                                ((Pacta__V1__DecisionApproved *) payload)->contract_id,
                                ((Pacta__V1__DecisionApproved *) payload)->approved_by,
                                ((Pacta__V1__DecisionApproved *) payload)->comment}
        : (const char *const[]){((Pacta__V1__DecisionRejected *) payload)->decision_id,
                                ((Pacta__V1__DecisionRejected *) payload)->contract_id,
                                ((Pacta__V1__DecisionRejected *) payload)->rejected_by,
                                ((Pacta__V1__DecisionRejected *) payload)->reason};
    if (!strings[0] || !strings[1] || !strings[2] || !strings[3]) {
        protobuf_c_message_free_unpacked(payload, NULL);
        fprintf(ctl->err, "pactactl: out of memory\n");
        goto cleanup;
    }
    date->year = year;
    date->month = month;
    date->day = day;
    //  One answer per proposal: the id is derived from it, so a repeated
    //  approve is a duplicate and an approve after a reject a conflict.
    char message_id[CTL_EVENT_ID_MAX + 1];
    snprintf(message_id, sizeof message_id, "answer-%016" PRIx64,
             pacta_bus_hash(args.id, strlen(args.id), pacta_bus_hash(entity, strlen(entity), PACTA_BUS_HASH_SEED)));
    event = ctl_event_from_message(payload, args.tenant, message_id, entity, service,
                                   PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_COMMAND, err, sizeof err);
    if (!event) {
        fprintf(ctl->err, "pactactl: %s\n", err);
        goto cleanup;
    }
    producer = ctl_producer_open(ctl);
    if (!producer)
        goto cleanup;
    pacta_bus_reply_t reply;
    const int sent = pacta_bus_producer_request(producer, ctl_event_envelope(event), 2000,
                                                (int) ((wait_seconds + 1) / 2), &reply);
    if (sent != 0) {
        fprintf(ctl->err, "pactactl: no answer from the bus at %s for %s; send it again (same id, never twice)\n",
                pacta_config_string(ctl->config, "bus_url"), usage);
        goto cleanup;
    }
    if (reply.ack) {
        fprintf(ctl->out, "%s %s of %s: %s by %s%s\n", approve ? "approved" : "rejected", args.id, entity,
                approve ? "applied" : "recorded", reply.handled_by[0] ? reply.handled_by : service,
                reply.duplicate ? " (already answered: nothing changed)" : "");
        rc = CTL_EXIT_OK;
    }
    else
        fprintf(ctl->out, "NACK %s %s: %s%s%s: %s (refused by %s)\n", ctl_event_short_type(event), args.id,
                pacta_bus_nack_reason_name(reply.reason), reply.field[0] ? ", field " : "", reply.field,
                reply.detail, reply.handled_by[0] ? reply.handled_by : "?");

cleanup:
    ctl_event_destroy(&event);
    pacta_bus_producer_destroy(&producer);
    json_decref(entry);
    json_decref(proposals);
    pacta_clock_destroy(&clock);
    pacta_store_destroy(&store);
    return rc;
}

int
ctl_cmd_proposals(ctl_t *ctl)
{
    if (ctl->argc >= 2 && strcmp(ctl->argv[1], "list") == 0)
        return s_proposals_list(ctl);
    if (ctl->argc >= 2 && strcmp(ctl->argv[1], "approve") == 0)
        return s_proposals_answer(ctl, true);
    if (ctl->argc >= 2 && strcmp(ctl->argv[1], "reject") == 0)
        return s_proposals_answer(ctl, false);
    return ctl_usage_error(ctl, "expected 'proposals list|approve|reject --tenant T [DECISION_ID]'%s", NULL);
}
