/*  =========================================================================
    ctl_notifications - pactactl notifications and letters: the delivery
    log of a contract (every notice, every attempt) and the registered
    letters waiting for their posting date
    =========================================================================
*/
#ifndef CTL_NOTIFICATIONS_H_INCLUDED
#define CTL_NOTIFICATIONS_H_INCLUDED

#include "pactactl_priv.h"

/* pactactl notifications --tenant T [--json] CONTRACT */
int ctl_cmd_notifications(ctl_t *ctl);
/* pactactl letters list --tenant T [--json]
   pactactl letters show --tenant T [--json] LETTER_ID */
int ctl_cmd_letters(ctl_t *ctl);

#endif
