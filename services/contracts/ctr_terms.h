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

#include "pacta_handler.h"

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

/* Owes the CC-2b timer at the end of period k (fires the day after
   last_day). 0 or -1. Used by ContractSigned too. */
int ctr_schedule_term_end(pacta_handler_ctx_t *ctx, const char *contract_id, int k, pacta_date_t last_day);

#ifdef __cplusplus
}
#endif

#endif
