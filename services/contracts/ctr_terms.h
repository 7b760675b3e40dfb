/*  =========================================================================
    ctr_terms - the contract-side clauses: quotes, renewals, notices,
    early terminations, and the end of a contract

    Handlers of the contracts service, declared in ctr_handlers.c's table:
      QuoteIssued / QuoteAccepted / timer quote.lapse       SG-2a
      NonRenewalNoticeGiven / timer contract.term_end      CC-2b
      EarlyTerminationRequested                            CC-2c, SG-4a
      TerminationNoticeGiven                               SG-4b
      DepositPaid, ServicePerformed (figures SG-4a reads)
      timer contract.end                                   the last day has passed: ended
    Every one calls the rules core and records its decisions on
    <prefix>:contract and in the audit stream; deadlines are timers.
    =========================================================================
*/
#ifndef CTR_TERMS_H_INCLUDED
#define CTR_TERMS_H_INCLUDED

#include "pacta/v1/types.pb-c.h"
#include "pacta_decide.h"
#include "pacta_handler.h"
#include "pacta_rules.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CTR_TIMER_TERM_END "contract.term_end"   /* CC-2b: a period's last day has passed */
#define CTR_TIMER_END "contract.end"             /* the contract's last day has passed */
#define CTR_TIMER_QUOTE_LAPSE "quote.lapse"      /* SG-2a: a quote's validity has passed */

int ctr_on_quote_issued(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg);
int ctr_on_quote_accepted(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg);
int ctr_on_non_renewal_notice(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg);
int ctr_on_early_termination(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg);
int ctr_on_termination_notice(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg);
int ctr_on_deposit_paid(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg);
int ctr_on_service_performed(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg);

int ctr_on_term_end_timer(pacta_handler_ctx_t *ctx, const json_t *data, void *arg);
int ctr_on_end_timer(pacta_handler_ctx_t *ctx, const json_t *data, void *arg);
int ctr_on_quote_lapse_timer(pacta_handler_ctx_t *ctx, const json_t *data, void *arg);

/* ---- helpers shared with the other clause files of the service ---------- */

/* The envelope's entity_key is c:<contract_id> and the id fits; else -1
   after refusing (INVALID naming the field). */
int ctr_check_entity(pacta_handler_ctx_t *ctx, const char *contract_id);
/* A notice has its postmark (sent_on) and no receipt before it; else -1
   after refusing. */
int ctr_check_notice(pacta_handler_ctx_t *ctx, const Pacta__V1__NoticeDelivery *notice);
/* The signed, still running contract in *doc_out; or *doc_out NULL and the
   handler's answer returned (unknown: refused; quote only: parked; over:
   refused CONFLICT). */
int ctr_open_contract(pacta_handler_ctx_t *ctx, const char *contract_id, json_t **doc_out);
/* The contract document as the rules read it (formation facts INVALID). */
void ctr_contract_from_doc(const json_t *doc, pacta_contract_t *contract);
/* A NoticeDelivery as the rules read a letter (§0.8). */
void ctr_letter_from(const Pacta__V1__NoticeDelivery *notice, Pacta__V1__PartyRole given_by, const char *ref,
                     pacta_letter_t *letter);
/* Appends the decision's audit entry; its id into decision_id. */
void ctr_audit_decision(pacta_handler_ctx_t *ctx, const pacta_decision_t *decision, const char *contract_id,
                        const char *type, pacta_date_t today, char decision_id[PACTA_DECIDE_ID_SIZE]);
/* Appends a fact entry (summary, date, ref) to the audit stream. */
void ctr_audit_fact(pacta_handler_ctx_t *ctx, const char *summary, pacta_date_t date, const char *ref);
/* Fixes the contract's last day (ends_on, end_cause, end_decision_id) and
   owes the contract.end timer the day after; puts the document. 0 or -1. */
int ctr_end_on(pacta_handler_ctx_t *ctx, json_t *doc, pacta_date_t ends_on, const char *cause,
               const char *decision_id);
/* NACK RETRY_LATER "out of memory"; returns -1. */
int ctr_no_memory(pacta_handler_ctx_t *ctx);
/* ctr_check_entity, then ctr_open_contract: the running contract in
   *doc_out, or *doc_out NULL and the handler's answer returned (-1 after
   a refusal of the entity_key). */
int ctr_running_contract(pacta_handler_ctx_t *ctx, const char *contract_id, json_t **doc_out);
/* A fact about a contract that has no document yet: refused naming
   contract_id, UNKNOWN_ENTITY when nobody created it, RETRY_LATER when it
   is being created. Returns -1. */
int ctr_unknown_contract(pacta_handler_ctx_t *ctx, const char *contract_id);
/* The date value `name` of a decision's explanation, or PACTA_DATE_INVALID. */
pacta_date_t ctr_value_date(const pacta_decision_t *decision, const char *name);

/* Owes the CC-2b timer at the end of period k (fires the day after
   last_day). 0 or -1. Used by ContractSigned too. */
int ctr_schedule_term_end(pacta_handler_ctx_t *ctx, const char *contract_id, int k, pacta_date_t last_day);

#ifdef __cplusplus
}
#endif

#endif
