/*  =========================================================================
    ctl_dsr - pactactl's data-subject request and retention commands

      dsr open    --tenant T --subject S --right R [--request-id ID] [--received-on DATE]
                  [--categories C,C] [--purpose P] [--wait SECONDS]
      dsr erase   --tenant T --subject S [--categories C,C] [--request-id ID] ...
      dsr rectify --tenant T --subject S --set CATEGORY.NAME=VALUE [--set ...] ...
      dsr show    --tenant T --subject S [--json]
      dsr export  --tenant T --subject S --request ID --vault-master-key-file FILE [-o FILE]
      retention show --tenant T (--contract C | --subject S) [--json]

    open/erase/rectify send DataSubjectRequestOpened to the bus; show and
    export read Redis; export opens the sealed export with the master key
    and appends an "access" entry to the subject's audit stream.
    =========================================================================
*/
#ifndef CTL_DSR_H_INCLUDED
#define CTL_DSR_H_INCLUDED

#include "pactactl_priv.h"

int ctl_cmd_dsr(ctl_t *ctl);
int ctl_cmd_retention(ctl_t *ctl);

#endif
