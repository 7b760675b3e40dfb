/*  =========================================================================
    enf_content - CapConnect performance clauses: client content (CC-4)
    and advertising campaigns (CC-5)

    Handlers of the enforcement service, declared in enf_handlers.c's table:
      ContentDeadlineSet                 CC-4: the content awaited, a timer the day after
      timer content.deadline_passed      CC-4 → Suspend (reason content), a proposal in mode propose
      ContentDelivered                   CC-4 → Restore + LostPeriod when suspended for content
      CampaignScheduled                  CC-5: the campaign, a timer the day after its launch
      AdBudgetConfirmed                  CC-5: published when confirmed by the end of the launch day
      timer campaign.launch_passed       CC-5 → CampaignLost
    =========================================================================
*/
#ifndef ENF_CONTENT_H_INCLUDED
#define ENF_CONTENT_H_INCLUDED

#include "pacta_handler.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ENF_TIMER_CONTENT "content.deadline_passed"    /* CC-4: the day after the content deadline */
#define ENF_TIMER_CAMPAIGN "campaign.launch_passed"    /* CC-5: the day after the launch day */

int enf_on_content_deadline_set(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg);
int enf_on_content_delivered(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg);
int enf_on_content_timer(pacta_handler_ctx_t *ctx, const json_t *data, void *arg);
int enf_on_campaign_scheduled(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg);
int enf_on_ad_budget_confirmed(pacta_handler_ctx_t *ctx, const ProtobufCMessage *payload, void *arg);
int enf_on_campaign_timer(pacta_handler_ctx_t *ctx, const json_t *data, void *arg);

#ifdef __cplusplus
}
#endif

#endif
