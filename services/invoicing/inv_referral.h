/*  =========================================================================
    inv_referral - CC-8: referral discounts earned by the sponsor, capped

    A ContractSigned naming a sponsor_contract_id makes invoicing send a
    ReferralRegistered to the sponsor's contract key (to itself); there
    the rules core (rule_cc8_earn_referral_discount) decides the discount
    the sponsor earns within the yearly cap, with the sponsor's earlier
    earnings kept in the sponsor's ledger ("referrals").
    =========================================================================
*/
#ifndef INV_REFERRAL_H_INCLUDED
#define INV_REFERRAL_H_INCLUDED

#include "pacta/v1/contracts.pb-c.h"
#include "pacta_handler.h"

#ifdef __cplusplus
extern "C" {
#endif

/* From the referee's ContractSigned: owes the ReferralRegistered to the
   sponsor when msg names one. 0 or -1. */
int inv_referral_register(pacta_handler_ctx_t *ctx, const Pacta__V1__ContractSigned *msg);
/* ReferralRegistered, on c:<sponsor>. */
int inv_on_referral_registered(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg);

#ifdef __cplusplus
}
#endif

#endif
