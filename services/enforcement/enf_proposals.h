/*  =========================================================================
    enf_proposals - decisions of rules in mode `propose`, and the
    operator's answer (rules.md §0.9)

    A rule in mode propose returns its decision with status PROPOSAL.
    enf_propose() keeps it as a pending proposal in <prefix>:enforcement
    ("proposals": [...]), audits it (status "proposed"), indexes it in
    pacta:{ix:<tenant>}:proposals and emits DecisionProposed. pactactl
    `proposals approve|reject` sends DecisionApproved / DecisionRejected to
    the service named in the proposal's audit entry; the handlers below
    apply the decision exactly as an automatic one would have been applied
    (same decision id, same message) or record the rejection, audit
    either, and take the proposal out of the index.
    =========================================================================
*/
#ifndef ENF_PROPOSALS_H_INCLUDED
#define ENF_PROPOSALS_H_INCLUDED

#include <jansson.h>

#include "pacta_decision.h"
#include "pacta_handler.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Records decision (status PROPOSAL) as a pending proposal of doc (the
   enforcement document, put by the caller or here), audited, indexed and
   announced. Suspend, restore, lost_period and terminate decisions can be
   approved later; any other kind is recorded and announced without a decision to
   apply. 0 or -1. */
int enf_propose(pacta_handler_ctx_t *ctx, json_t *doc, const pacta_decision_t *decision, const char *contract_id,
                pacta_date_t today);

/* The same, keeping the members of extra (borrowed; may be NULL) with the
   proposal: what the applied message needs and the rule does not decide.
   A "terminate" proposal reads "cause" (TerminationCause), "terminated_by"
   (PartyRole), "without_indemnity" and "reasons". */
int enf_propose_with(pacta_handler_ctx_t *ctx, json_t *doc, const pacta_decision_t *decision,
                     const char *contract_id, pacta_date_t today, const json_t *extra);

/* Withdraws the pending proposals that no longer make sense now (a
   suspension for an invoice paid since): status "withdrawn", audited,
   taken out of the index. Call after changing doc; 0 or -1. */
int enf_withdraw_settled(pacta_handler_ctx_t *ctx, json_t *doc, pacta_date_t today);

/* ContractEnded (documents: enforcement): records `ended_on`, after which
   nothing is suspended any more, and withdraws every pending proposal. */
int enf_on_contract_ended(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg);

/* DecisionApproved / DecisionRejected handlers (documents: enforcement). */
int enf_on_decision_approved(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg);
int enf_on_decision_rejected(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg);

#ifdef __cplusplus
}
#endif

#endif
