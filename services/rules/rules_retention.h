/*  =========================================================================
    rules_retention - how long personal and accounting data live

    CC-12 (capconnect: kept for the contract, archived 10 years), SG-11
    (sgevent: kept 1 year after the contract, then erased, accounting
    archived), L-5 (accounting records outlive erasure, archived 10 years)
    and L-4 (a data-subject request is answered within 1 month, + 2 months
    with notice). Every figure comes from the profile's data_retention block
    and statutes.

    Common contract as in pacta_rules.h: append decisions to `out`; 0, or -1
    on invalid input or overflow.
    =========================================================================
*/
#ifndef RULES_RETENTION_H_INCLUDED
#define RULES_RETENTION_H_INCLUDED

#include "pacta_rules.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The dates of one data category after a contract whose last day is
   contract_last_day. */
typedef struct {
    pacta_date_t kept_until;        /* last day of normal processing */
    pacta_date_t archive_from;      /* first archived day; INVALID when never archived */
    pacta_date_t archive_until;     /* last archived day; INVALID when never archived */
    pacta_date_t erase_on;          /* the day the data are erased */
    int archive_years;              /* archive length used (L-5 floor for accounting) */
    bool statutory_floor;           /* archive_years comes from L-5, above the profile's figure */
} pacta_retention_dates_t;

/* CC-12, SG-11, L-5: kept through add_months(last_day, 12 x kept_years);
   archived from the next day through add_months(kept_until, 12 x
   archive_years); erased the day after. Accounting is archived at least the
   L-5 years. 0, or -1 (invalid date or category, retention block off). */
int pacta_retention_dates(const pacta_profile_t *profile, pacta_data_category_t category,
                          pacta_date_t contract_last_day, pacta_retention_dates_t *out);

/* CC-12: the retention schedule of every data category after a contract
   ending on contract_last_day → per category an ARCHIVE (when archived) and
   an ERASE decision, ref = the category name. Block: data_retention. */
int rule_cc12_archive_after_contract(const pacta_profile_t *profile, pacta_date_t contract_last_day,
                                     pacta_outcome_t *out);
/* SG-11: the same schedule under a profile that keeps data a while after
   the contract and then erases it (accounting archived under L-5). Same
   decisions as CC-12; the explanation cites the profile's rule. */
int rule_sg11_erase_after_retention(const pacta_profile_t *profile, pacta_date_t contract_last_day,
                                    pacta_outcome_t *out);

/* L-5: an erasure request received on request_on moves the accounting
   records into the archive that day → ARCHIVE from request_on through
   add_months(request_on - 1, 12 x years) and ERASE the day after. */
int rule_l5_archive_accounting(const pacta_profile_t *profile, pacta_date_t request_on, pacta_outcome_t *out);

/* L-4: the answer deadline of a data-subject request → DEADLINE on
   add_months(received, answer_months), or add_months(received, answer +
   extension months) when the subject was told of the extension within the
   first period (until = that extended date); a late extension notice →
   also REFUSE "extension_notified_late". A "dsr_overdue" timer fires the day
   after the deadline. */
int rule_l4_dsr_deadline(const pacta_profile_t *profile, const pacta_dsr_t *request, pacta_outcome_t *out);

#ifdef __cplusplus
}
#endif

#endif
