/*  =========================================================================
    inv_referral - CC-8 referral discounts, earned on the sponsor's ledger

    Design decision: the referral is decided on the SPONSOR's entity (its
    ledger holds every earning, so the cap of a contract year is one
    compare-and-set), not on the referee's: the referee's ContractSigned
    only forwards a ReferralRegistered there. Each referee counts once
    (keyed by its contract id), whatever the number of resends. A referral
    arriving before the sponsor's start date is known waits (parked): the
    contract year, hence the cap, depends on it.
    =========================================================================
*/
#include "inv_referral.h"

#include <stdio.h>
#include <string.h>

#include "inv_ledger.h"
#include "inv_periodic.h"
#include "pacta/v1/invoicing.pb-c.h"
#include "pacta_decide.h"
#include "pacta_jdoc.h"
#include "pacta_money.h"
#include "rules_cc.h"

#define INV_REFERRALS_MAX 256   /* referrals of one sponsor the rule reads */

int
inv_referral_register(pacta_handler_ctx_t *ctx, const Pacta__V1__ContractSigned *msg)
{
    if (!msg->sponsor_contract_id[0] || strcmp(msg->sponsor_contract_id, msg->contract_id) == 0)
        return 0;
    if (strlen(msg->sponsor_contract_id) >= PACTA_REF_SIZE)
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_INVALID, "sponsor_contract_id",
                                    "sponsor_contract_id: at most %d bytes", PACTA_REF_SIZE - 1);
    char sponsor_key[PACTA_REF_SIZE + 4];
    snprintf(sponsor_key, sizeof sponsor_key, "c:%s", msg->sponsor_contract_id);
    Pacta__V1__ReferralRegistered referral = PACTA__V1__REFERRAL_REGISTERED__INIT;
    referral.sponsor_contract_id = msg->sponsor_contract_id;
    referral.referee_contract_id = msg->contract_id;
    referral.referee_pack = msg->pack_code;
    referral.signed_on = msg->signed_on;
    return pacta_handler_emit(ctx, &referral.base, PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_EVENT, sponsor_key,
                              "invoicing", NULL);
}

int
inv_on_referral_registered(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg)
{
    (void) arg;
    const Pacta__V1__ReferralRegistered *msg = (const Pacta__V1__ReferralRegistered *) payload;
    if (inv_check_entity(ctx, msg->sponsor_contract_id) != 0)
        return -1;
    if (strlen(msg->referee_contract_id) >= PACTA_REF_SIZE)
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_INVALID, "referee_contract_id",
                                    "referee_contract_id: at most %d bytes", PACTA_REF_SIZE - 1);
    json_t *ledger = inv_ledger(ctx, msg->sponsor_contract_id);
    json_t *referrals = pacta_jdoc_array(ledger, "referrals");
    if (pacta_jdoc_find(referrals, "referee_contract_id", msg->referee_contract_id))
        return 0;   /* this referee already counted */
    pacta_contract_t sponsor;
    if (inv_contract_from_ledger(ledger, msg->sponsor_contract_id, &sponsor) != 0
        || !pacta_date_is_valid(sponsor.start_on))
        return pacta_handler_park(ctx, "the sponsor's contract and its start date");
    if (json_array_size(referrals) >= INV_REFERRALS_MAX)
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_INVALID, "referee_contract_id",
                                    "sponsor %s has more than %d referrals", msg->sponsor_contract_id,
                                    INV_REFERRALS_MAX);
    static _Thread_local pacta_referral_earning_t earned[INV_REFERRALS_MAX];
    size_t earned_count = 0, i;
    json_t *item;
    json_array_foreach(referrals, i, item) {
        pacta_referral_earning_t *earning = &earned[earned_count++];
        memset(earning, 0, sizeof *earning);
        snprintf(earning->referee_contract_id, sizeof earning->referee_contract_id, "%s",
                 pacta_jdoc_str(item, "referee_contract_id"));
        earning->signed_on = pacta_jdoc_date(item, "signed_on");
        earning->earned = pacta_jdoc_int(item, "earned_cents");
    }
    pacta_date_t signed_on = pacta_handler_date(msg->signed_on);
    const pacta_profile_t *profile = pacta_handler_profile(ctx);
    pacta_outcome_t outcome;
    pacta_outcome_init(&outcome);
    if (rule_cc8_earn_referral_discount(profile, &sponsor, msg->referee_pack, signed_on, earned, earned_count,
                                        &outcome) != 0)
        return pacta_handler_refuse(ctx, PACTA__V1__NACK_REASON__NACK_REASON_INVALID, "signed_on",
                                    "signed_on: CC-8 cannot be evaluated for referee %s", msg->referee_contract_id);
    if (outcome.count == 0)
        return 0;   /* referral block off */
    const pacta_decision_t *decision = pacta_outcome_find(&outcome, PACTA_DECISION_DISCOUNT);
    pacta_cents_t amount = decision && decision->status == PACTA_DECISION_APPLY ? decision->amount : 0;
    json_t *referral = json_object();
    pacta_jdoc_set_str(referral, "referee_contract_id", msg->referee_contract_id);
    pacta_jdoc_set_str(referral, "referee_pack", msg->referee_pack);
    pacta_jdoc_set_date(referral, "signed_on", signed_on);
    pacta_jdoc_set_int(referral, "earned_cents", amount);
    pacta_jdoc_set_str(referral, "message_id", pacta_handler_cause_id(ctx));
    json_array_append_new(referrals, referral);
    pacta_jdoc_set_int(ledger, "discount_pending_cents", pacta_jdoc_int(ledger, "discount_pending_cents") + amount);
    pacta_handler_put_doc(ctx, INV_LEDGER_DOC);

    for (size_t d = 0; d < outcome.count; d++) {
        const pacta_decision_t *item_decision = &outcome.items[d];
        char base_id[PACTA_DECIDE_ID_SIZE], decision_id[PACTA_DECIDE_ID_SIZE + PACTA_REF_SIZE + 2];
        pacta_decide_id(item_decision, msg->sponsor_contract_id, base_id, sizeof base_id);
        snprintf(decision_id, sizeof decision_id, "%s/%s", base_id, msg->referee_contract_id);
        const char *type = item_decision->kind == PACTA_DECISION_DISCOUNT ? "pacta.v1.ReferralDiscountEarned" : NULL;
        json_t *entry = pacta_decide_audit_entry(item_decision, profile, decision_id, type, pacta_handler_today(ctx));
        if (entry && item_decision->kind == PACTA_DECISION_DISCOUNT && item_decision->amount == 0)
            json_object_set_new(entry, "amount_cents", json_string("0"));   //  capped to nothing: 0.00 is the answer
        if (entry)
            pacta_handler_audit(ctx, entry);
        json_decref(entry);
    }
    if (!decision)
        return 0;
    Pacta__V1__Money earned_money = PACTA__V1__MONEY__INIT;
    earned_money.cents = amount;
    earned_money.currency = (char *) "EUR";
    Pacta__V1__ReferralDiscountEarned message = PACTA__V1__REFERRAL_DISCOUNT_EARNED__INIT;
    message.sponsor_contract_id = msg->sponsor_contract_id;
    message.referee_contract_id = msg->referee_contract_id;
    message.amount = &earned_money;
    const pacta_value_t *pack_discount = pacta_explanation_find(&decision->explanation, "pack_discount");
    message.capped = pack_discount && pack_discount->as.cents > amount;
    Pacta__V1__Explanation *why = pacta_decide_explanation_new(decision, profile, pacta_handler_today(ctx));
    message.explanation = why;
    int rc = pacta_handler_emit(ctx, &message.base, PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_DECISION, NULL, NULL, NULL);
    pacta_decide_explanation_destroy(&why);
    return rc;
}
