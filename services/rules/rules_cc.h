/*  =========================================================================
    rules_cc - the CapConnect family of rules (CC-1 ... CC-14)

    One function per rule of docs/rules.md section 1, named after its id.
    They read every figure from the profile block that the rule's comment
    names, so a company with other figures (tests/fixtures/profiles/acme.yaml)
    gets other decisions without code. The retention rule CC-12 is in
    rules_retention.h.

    Common contract: append decisions to `out`; 0, or -1 on invalid input
    (an unknown start date, a date out of range...) or when `out` overflows.
    An OFF (or absent) profile block appends nothing and returns 0. In mode
    propose, decisions are proposals for an operator.
    =========================================================================
*/
#ifndef RULES_CC_H_INCLUDED
#define RULES_CC_H_INCLUDED

#include "pacta_rules.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- calendar of a CapConnect-style contract -------------------------------- */

/* CC-2a, CC-2b: last day of period k (k = 0 is the initial term):
   add_months(start, initial + k x renewal) - 1 day, from the start, never
   chained. INVALID when the profile has no initial term or k < 0. */
pacta_date_t pacta_cc_period_last_day(const pacta_profile_t *profile, pacta_date_t start, int k);
/* CC-2b: the smallest k whose last day is >= date (the period date falls
   in); -1 if date is before start or the profile has no term. */
int pacta_cc_period_index(const pacta_profile_t *profile, pacta_date_t start, pacta_date_t date);
/* CC-2b: the non-renewal deadline of period k: add_months(last_day_k, -notice). */
pacta_date_t pacta_cc_non_renewal_deadline(const pacta_profile_t *profile, pacta_date_t start, int k);
/* CC-3a: due date of an invoice issued on issued_on, printed due date
   (INVALID if none): the printed date when the profile lets it prevail,
   else issued_on + due_calendar_days. */
pacta_date_t pacta_cc_invoice_due_on(const pacta_profile_t *profile, pacta_date_t issued_on,
                                     pacta_date_t printed_due_on);

/* ---- rules ------------------------------------------------------------------ */

/* CC-1: checks a contract against the catalogue (pack known, billing period
   offered, à la carte offered, fee not negative) → ACCEPT (with the annual
   subscription) or REFUSE (reason "unknown_pack", "billing_period_not_offered",
   "a_la_carte_not_offered", "invalid_fee"). Block: catalogue. */
int rule_cc1_check_contract(const pacta_profile_t *profile, const pacta_contract_t *contract,
                            pacta_outcome_t *out);

/* CC-17: the start date is the earliest of the contract's formation facts
   the profile counts → START. Nothing when it equals the known start or no
   fact is known. Moving an existing start earlier after an invoice was issued
   is always a PROPOSAL. Block: contract_start. */
int rule_cc17_set_start_date(const pacta_profile_t *profile, const pacta_contract_t *contract,
                             pacta_outcome_t *out);

/* CC-2a: the initial term → TERM from start to its last day, with a
   "term_end" timer the day after. Block: initial_term. */
int rule_cc2a_initial_term(const pacta_profile_t *profile, const pacta_contract_t *contract,
                           pacta_outcome_t *out);

/* CC-2b: a non-renewal notice from the client → TERMINATE on the last day of
   the first period whose deadline the notice meets (postmark or receipt, as
   the profile says); a late notice is recorded and ends the renewed period.
   Block: tacit_renewal. */
int rule_cc2b_record_non_renewal(const pacta_profile_t *profile, const pacta_contract_t *contract,
                                 const pacta_letter_t *notice, pacta_outcome_t *out);
/* CC-2b: at the end of period k, unless the contract's last day is already
   set on or before it → RENEW for the next period, with a "term_end" timer.
   Block: tacit_renewal. */
int rule_cc2b_renew_at_term_end(const pacta_profile_t *profile, const pacta_contract_t *contract, int k,
                                pacta_outcome_t *out);

/* CC-2c: the client's early-termination letter → TERMINATE on its (presumed)
   receipt with an indemnity charge, or REFUSE ("not_registered_letter", or
   "too_early" with the date it becomes possible). Invoices whose period runs
   past the end are flagged to the operator. Block: client_early_termination. */
int rule_cc2c_early_termination(const pacta_profile_t *profile, const pacta_contract_t *contract,
                                const pacta_letter_t *letter, const pacta_ledger_t *ledger,
                                pacta_outcome_t *out);

/* CC-3a: the invoice of billing anniversary k (k = 0 on the start date) →
   CHARGE of the period fee, due after due_calendar_days, with timers
   "due_date_passed" (the day suspension may start) and "next_invoice".
   Nothing once the anniversary is after the contract's last day.
   Block: invoicing (and unpaid_suspension for the grace days). */
int rule_cc3a_issue_invoice(const pacta_profile_t *profile, const pacta_contract_t *contract, int k,
                            pacta_outcome_t *out);

/* CC-3b: evaluated on `today` → SUSPEND (reason "unpaid") from the day after
   the due date (+ grace) of the earliest invoice still not fully paid, when
   that day has come. When the profile requires a formal notice and none was
   sent for that invoice, a NOTIFY to the operator instead, and once one is
   sent the suspension starts no earlier than the day after it (evaluate
   again on that day). Nothing if the contract is already suspended for
   non-payment. Block: unpaid_suspension. */
int rule_cc3b_suspend_unpaid(const pacta_profile_t *profile, const pacta_contract_t *contract,
                             const pacta_ledger_t *ledger, pacta_date_t today, pacta_outcome_t *out);

/* CC-3c: a contract suspended for non-payment → RESTORE on the first payment
   day (from the suspension on, up to today) on which no invoice is overdue
   and unpaid. A partial payment restores nothing. Block: restoration. */
int rule_cc3c_restore_on_payment(const pacta_profile_t *profile, const pacta_contract_t *contract,
                                 const pacta_ledger_t *ledger, pacta_date_t today, pacta_outcome_t *out);

/* CC-3d: the suspension of contract (suspended_since) ended by a
   restoration on restored_on → LOST_PERIOD from the first suspended day to
   the restoration day, both included; no credit. Block: lost_period. */
int rule_cc3d_record_lost_period(const pacta_profile_t *profile, const pacta_contract_t *contract,
                                 pacta_date_t restored_on, pacta_outcome_t *out);

/* CC-4: content not delivered by its deadline, evaluated on `today` →
   SUSPEND (reason "content") from the day after the deadline. Block:
   content_suspension (mode propose for capconnect). */
int rule_cc4_suspend_missing_content(const pacta_profile_t *profile, const pacta_contract_t *contract,
                                     const pacta_content_t *content, pacta_date_t today,
                                     pacta_outcome_t *out);
/* CC-4: content delivered while suspended for content → RESTORE on the
   delivery day (always applied: resuming is a duty) and LOST_PERIOD for the
   publications missed before it. Block: content_suspension. */
int rule_cc4_resume_on_content(const pacta_profile_t *profile, const pacta_contract_t *contract,
                               const pacta_content_t *content, pacta_outcome_t *out);

/* CC-5: a campaign whose budget was confirmed by the end of its launch day
   → RELEASE on the launch day; otherwise, once `today` is past the launch
   day → FORFEIT (lost for that period) and the client is notified.
   budget_confirmed_on is the Brussels date (pacta_date_from_instant).
   Block: campaign_budget. */
int rule_cc5_campaign_without_budget(const pacta_profile_t *profile, const pacta_contract_t *contract,
                                     const pacta_campaign_t *campaign, pacta_date_t today,
                                     pacta_outcome_t *out);

/* CC-7: an option or à-la-carte invoice → RELEASE of the work on the day it
   is fully paid, else WITHHOLD (partial payment releases nothing). Other
   invoice kinds: nothing. Block: prepayment. */
int rule_cc7_release_prepaid_work(const pacta_profile_t *profile, const pacta_invoice_t *invoice,
                                  const pacta_ledger_t *ledger, pacta_outcome_t *out);

/* CC-8: a referee on pack referee_pack_id signed on signed_on → DISCOUNT
   earned by the sponsor, limited so that the discounts of that contract
   year stay within the cap (possibly 0.00), or REFUSE "unknown_pack".
   `earned` lists the sponsor's earlier earnings. Block: referral. */
int rule_cc8_earn_referral_discount(const pacta_profile_t *profile, const pacta_contract_t *sponsor,
                                    const char *referee_pack_id, pacta_date_t signed_on,
                                    const pacta_referral_earning_t *earned, size_t earned_count,
                                    pacta_outcome_t *out);
/* CC-8: applies the pending discount balance to the sponsor's next
   subscription invoice → DISCOUNT applied (never below 0.00) with the
   remainder carried over in result "carried_over". Nothing if pending <= 0. */
int rule_cc8_apply_referral_discount(const pacta_profile_t *profile, const pacta_invoice_t *invoice,
                                     pacta_cents_t pending, pacta_outcome_t *out);
/* CC-8: the sponsor's contract ends on last_day without renewal with
   `pending` unapplied → FORFEIT (annual billing with the profile's
   forfeiture, or any billing: a discount is never paid out in cash) or,
   when the profile does not forfeit annual payers, NOTIFY to the operator. */
int rule_cc8_forfeit_unapplied_discounts(const pacta_profile_t *profile, const pacta_contract_t *sponsor,
                                         pacta_cents_t pending, pacta_date_t last_day, pacta_outcome_t *out);

/* CC-9: a withdrawal (letter->via / sent_on / receipt per §0.8) → CANCEL with a
   CREDIT of every pack invoice, or REFUSE ("a_la_carte", "service_started",
   "late", "professional_client", "not_at_distance"). For a pack order with
   à-la-carte lines the pack part is cancelled and a REFUSE covers the rest.
   For a consumer the L-3 period is a floor. Block: withdrawal. */
int rule_cc9_withdraw(const pacta_profile_t *profile, const pacta_contract_t *contract,
                      const pacta_letter_t *withdrawal, const pacta_ledger_t *ledger, pacta_outcome_t *out);

/* CC-10: the contract ends on contract->ends_on → LICENCE_END that day; the
   client is notified; written consent needed from the next day.
   Block: content_licence. */
int rule_cc10_end_content_licence(const pacta_profile_t *profile, const pacta_contract_t *contract,
                                  pacta_outcome_t *out);

/* CC-13: a force-majeure event evaluated on `today` → SUSPEND (reason
   "force_majeure") from its first day (always applied), RESTORE the day
   after it ends, and once it has lasted more than the profile's days and
   still goes on → TERMINATE without indemnity (a proposal in mode propose).
   Block: force_majeure. */
int rule_cc13_force_majeure(const pacta_profile_t *profile, const pacta_contract_t *contract,
                            const pacta_force_majeure_event_t *event, pacta_date_t today,
                            pacta_outcome_t *out);

/* CC-14: a change of the terms → EFFECTIVE on the earlier of publication and
   notification (or, for a profile whose changes start on the 1st of the next
   month, the later of that day and the end of the objection period; a
   timely objection → RECORD that the change does not apply). A change of
   the services → WITHHOLD until accepted, RELEASE from the acceptance.
   Block: terms_change. */
int rule_cc14_change_terms(const pacta_profile_t *profile, const pacta_contract_t *contract,
                           const pacta_terms_change_event_t *change, pacta_outcome_t *out);

#ifdef __cplusplus
}
#endif

#endif
