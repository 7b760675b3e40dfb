/*  =========================================================================
    inv_termination - the indemnities a termination owes, billed

    Design decision: the amount is contracts' decision (the rule that ended
    the contract computed it and audited it with its explanation), so
    invoicing bills exactly that figure and audits only the fact that it
    billed it, under the deciding rule's explanation: the timeline keeps
    one decision per clause. One charges invoice per contract and kind of
    indemnity, <contract>-IND1 (early termination) or <contract>-NOT1
    (unobserved notice), so a repeated decision bills nothing more.
    Indemnities are compensation, outside the scope of VAT: total
    excluding and including VAT are the same.
    =========================================================================
*/
#include "inv_termination.h"

#include <stdio.h>
#include <string.h>

#include "inv_ledger.h"
#include "pacta_jdoc.h"
#include "pacta_money.h"
#include "rules_cc.h"

int
inv_bill_termination_indemnity(pacta_handler_ctx_t *ctx, json_t *ledger, const char *contract_id,
                               Pacta__V1__IndemnityKind kind, int64_t amount, int64_t basis, pacta_date_t issued_on,
                               const Pacta__V1__Explanation *explanation)
{
    if (amount <= 0 || !pacta_date_is_valid(issued_on))
        return 0;
    bool notice = kind == PACTA__V1__INDEMNITY_KIND__INDEMNITY_KIND_UNOBSERVED_NOTICE;
    char invoice_id[PACTA_REF_SIZE + 8];
    snprintf(invoice_id, sizeof invoice_id, "%.50s-%s", contract_id, notice ? "NOT1" : "IND1");
    json_t *billed = pacta_jdoc_array(ledger, "termination_charges");
    size_t i;
    json_t *item;
    json_array_foreach(billed, i, item)
        if (json_is_string(item) && strcmp(json_string_value(item), invoice_id) == 0)
            return 0;   /* billed already */
    json_array_append_new(billed, json_string(invoice_id));
    pacta_handler_put_doc(ctx, INV_LEDGER_DOC);

    const char *rule_id = explanation && explanation->rule_id ? explanation->rule_id : "";
    const char *what = notice ? "unobserved notice" : "early termination";
    char summary[PACTA_REF_SIZE * 2 + 128], money[48];
    snprintf(summary, sizeof summary, "%s%s%s indemnity of %s billed on charges invoice %s", rule_id,
             rule_id[0] ? ": " : "", what, pacta_money_format_be(amount, money, sizeof money), invoice_id);
    inv_audit_fact(ctx, summary, issued_on, amount, invoice_id);

    const pacta_profile_t *profile = pacta_handler_profile(ctx);
    pacta_date_t due_on = pacta_cc_invoice_due_on(profile, issued_on, PACTA_DATE_INVALID);
    Pacta__V1__Date issued = PACTA__V1__DATE__INIT, due = PACTA__V1__DATE__INIT;
    pacta_handler_set_date(&issued, issued_on);
    pacta_handler_set_date(&due, due_on);
    Pacta__V1__Money total = PACTA__V1__MONEY__INIT, base = PACTA__V1__MONEY__INIT;
    total.cents = amount;
    total.currency = (char *) "EUR";
    base.cents = basis;
    base.currency = (char *) "EUR";
    char description[96];
    snprintf(description, sizeof description, "Indemnity for %s (%s)", what, rule_id[0] ? rule_id : "terms");
    Pacta__V1__InvoiceLine line = PACTA__V1__INVOICE_LINE__INIT;
    line.line_id = (char *) "1";
    line.kind = PACTA__V1__LINE_KIND__LINE_KIND_INDEMNITY;
    line.description = description;
    line.quantity = 1;
    line.unit_amount = &total;
    line.amount = &total;
    Pacta__V1__InvoiceLine *lines[] = {&line};
    Pacta__V1__InvoiceIssued invoice = PACTA__V1__INVOICE_ISSUED__INIT;
    invoice.invoice_id = invoice_id;
    invoice.contract_id = (char *) contract_id;
    invoice.kind = PACTA__V1__INVOICE_KIND__INVOICE_KIND_CHARGES;
    invoice.issued_on = &issued;
    invoice.due_on = pacta_date_is_valid(due_on) ? &due : NULL;
    invoice.structured_communication = (char *) "";
    invoice.n_lines = 1;
    invoice.lines = lines;
    invoice.total_excl_vat = &total;
    invoice.total_incl_vat = &total;
    invoice.explanation = (Pacta__V1__Explanation *) explanation;
    if (pacta_handler_emit(ctx, &invoice.base, PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_DECISION, NULL, NULL, NULL) != 0)
        return -1;
    Pacta__V1__IndemnityCharged charged = PACTA__V1__INDEMNITY_CHARGED__INIT;
    charged.contract_id = (char *) contract_id;
    charged.invoice_id = (char *) "";
    charged.charge_invoice_id = invoice_id;
    charged.kind = kind;
    charged.basis = basis > 0 ? &base : NULL;
    charged.amount = &total;
    charged.explanation = (Pacta__V1__Explanation *) explanation;
    return pacta_handler_emit(ctx, &charged.base, PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_DECISION, NULL, NULL, NULL);
}
