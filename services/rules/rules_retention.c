/*  =========================================================================
    rules_retention - retention schedules (CC-12, SG-11, L-5) and GDPR
    answer deadlines (L-4)

    Key decision: the schedule is computed per data category from the
    contract's last day, with add_months from a fixed anchor (the last day,
    then the last kept day) and never chained further; accounting records
    never leave the archive before the L-5 years, whatever the profile says,
    and when that floor is what keeps them the decision cites L-5 itself.
    =========================================================================
*/
#include "rules_retention.h"

#include <assert.h>

#define IN PACTA_ROLE_INPUT
#define PARAM PACTA_ROLE_PARAMETER
#define RESULT PACTA_ROLE_RESULT

int
pacta_retention_dates(const pacta_profile_t *profile, pacta_data_category_t category,
                      pacta_date_t contract_last_day, pacta_retention_dates_t *out)
{
    assert(profile && out);
    if ((int) category < 0 || category >= PACTA_DATA_CATEGORY_COUNT || !pacta_date_is_valid(contract_last_day)
        || !pacta_rule_enabled(&profile->data_retention.rule))
        return -1;
    const pacta_retention_period_t *period = pacta_profile_retention(profile, category);
    int archive_years = period->archived_years;
    bool statutory_floor = false;
    int law_years = profile->statutes.accounting_records.archive_years;
    if (category == PACTA_DATA_ACCOUNTING && law_years > archive_years) {
        archive_years = law_years;
        statutory_floor = true;
    }
    if (period->kept_years_after_contract_end < 0 || archive_years < 0)
        return -1;
    pacta_date_t kept_until = pacta_add_months(contract_last_day, 12 * period->kept_years_after_contract_end);
    if (kept_until == PACTA_DATE_INVALID)
        return -1;
    out->kept_until = kept_until;
    out->archive_years = archive_years;
    out->statutory_floor = statutory_floor;
    if (archive_years > 0) {
        pacta_date_t archive_until = pacta_add_months(kept_until, 12 * archive_years);
        if (archive_until == PACTA_DATE_INVALID)
            return -1;
        out->archive_from = kept_until + 1;
        out->archive_until = archive_until;
        out->erase_on = archive_until + 1;
    }
    else {
        out->archive_from = PACTA_DATE_INVALID;
        out->archive_until = PACTA_DATE_INVALID;
        out->erase_on = kept_until + 1;
    }
    return 0;
}

//  The category as a French sentence says it after "les données".
static const char *
s_category_fr(pacta_data_category_t category)
{
    switch (category) {
    case PACTA_DATA_IDENTITY:
        return "d'identité";
    case PACTA_DATA_CONTACT:
        return "de contact";
    case PACTA_DATA_BANKING:
        return "bancaires";
    case PACTA_DATA_CONTENT:
        return "de contenu";
    case PACTA_DATA_ACCOUNTING:
        return "comptables";
    default:
        return "?";
    }
}

//  Adds the values every retention decision of a category shows.
static void
s_explain_category(pacta_decision_t *decision, const pacta_profile_t *profile, pacta_data_category_t category,
                   pacta_date_t contract_last_day, const pacta_retention_dates_t *dates)
{
    const pacta_retention_period_t *period = pacta_profile_retention(profile, category);
    pacta_decision_set_ref(decision, pacta_data_category_name(category));
    pacta_explain_text(decision, IN, "category", pacta_data_category_name(category));
    pacta_explain_text(decision, IN, "category_fr", s_category_fr(category));
    pacta_explain_date(decision, IN, "contract_last_day", contract_last_day);
    pacta_explain_int(decision, PARAM, "kept_years", period->kept_years_after_contract_end);
    pacta_explain_int(decision, PARAM, "archive_years", dates->archive_years);
    pacta_explain_date(decision, RESULT, "kept_until", dates->kept_until);
    pacta_explain_date(decision, RESULT, "erase_on", dates->erase_on);
}

//  CC-12 and SG-11 are one mechanism with different figures.
static int
s_schedule(const pacta_profile_t *profile, pacta_date_t contract_last_day, pacta_outcome_t *out)
{
    const pacta_rule_t *rule = &profile->data_retention.rule;
    if (!pacta_rule_enabled(rule))
        return 0;
    const pacta_statute_t *law = &profile->statutes.accounting_records.statute;
    for (int index = 0; index < PACTA_DATA_CATEGORY_COUNT; index++) {
        pacta_data_category_t category = (pacta_data_category_t) index;
        pacta_retention_dates_t dates;
        if (pacta_retention_dates(profile, category, contract_last_day, &dates) != 0)
            return -1;
        bool accounting = category == PACTA_DATA_ACCOUNTING;
        if (dates.archive_years > 0) {
            pacta_decision_t *archive = dates.statutory_floor
                                            ? pacta_outcome_add_statute(out, law, PACTA_DECISION_ARCHIVE)
                                            : pacta_outcome_add(out, profile, rule, PACTA_DECISION_ARCHIVE);
            if (!archive)
                return -1;
            archive->date = dates.archive_from;
            archive->until = dates.archive_until;
            s_explain_category(archive, profile, category, contract_last_day, &dates);
            if (accounting) {
                pacta_explain_int(archive, PARAM, "law_archive_years", profile->statutes.accounting_records.archive_years);
                pacta_decision_because(archive,
                                       "{category} records of a contract whose last day was {contract_last_day} are "
                                       "kept through {kept_until}, then archived with restricted access for "
                                       "{archive_years} years (accounting law: at least {law_archive_years})",
                                       "les données {category_fr} d'un contrat dont le dernier jour était le "
                                       "{contract_last_day} sont conservées jusqu'au {kept_until}, puis archivées à "
                                       "accès restreint pendant {archive_years} ans (droit comptable : au moins "
                                       "{law_archive_years})");
            }
            else
                pacta_decision_because(archive,
                                       "{category} data of a contract whose last day was {contract_last_day} are "
                                       "kept through {kept_until}, then archived with restricted access for "
                                       "{archive_years} years",
                                       "les données {category_fr} d'un contrat dont le dernier jour était le "
                                       "{contract_last_day} sont conservées jusqu'au {kept_until}, puis archivées à "
                                       "accès restreint pendant {archive_years} ans");
        }
        pacta_decision_t *erase = dates.statutory_floor ? pacta_outcome_add_statute(out, law, PACTA_DECISION_ERASE)
                                                        : pacta_outcome_add(out, profile, rule, PACTA_DECISION_ERASE);
        if (!erase)
            return -1;
        erase->date = dates.erase_on;
        s_explain_category(erase, profile, category, contract_last_day, &dates);
        pacta_decision_add_timer(erase, "retention_erase", dates.erase_on, pacta_data_category_name(category));
        if (dates.archive_years > 0) {
            pacta_explain_date(erase, RESULT, "archive_until", dates.archive_until);
            pacta_decision_because(erase,
                                   "{category} data of a contract whose last day was {contract_last_day} were "
                                   "kept through {kept_until} and archived {archive_years} years, through "
                                   "{archive_until}",
                                   "les données {category_fr} d'un contrat dont le dernier jour était le "
                                   "{contract_last_day} ont été conservées jusqu'au {kept_until} et archivées "
                                   "{archive_years} ans, jusqu'au {archive_until}");
        }
        else
            pacta_decision_because(erase,
                                   "{category} data of a contract whose last day was {contract_last_day} are kept "
                                   "{kept_years} years after it, through {kept_until}, then erased",
                                   "les données {category_fr} d'un contrat dont le dernier jour était le "
                                   "{contract_last_day} sont conservées {kept_years} ans après, jusqu'au "
                                   "{kept_until}, puis effacées");
    }
    return pacta_outcome_status(out);
}

int
rule_cc12_archive_after_contract(const pacta_profile_t *profile, pacta_date_t contract_last_day, pacta_outcome_t *out)
{
    assert(profile && out);
    return s_schedule(profile, contract_last_day, out);
}

int
rule_sg11_erase_after_retention(const pacta_profile_t *profile, pacta_date_t contract_last_day, pacta_outcome_t *out)
{
    assert(profile && out);
    return s_schedule(profile, contract_last_day, out);
}

int
rule_l5_archive_accounting(const pacta_profile_t *profile, pacta_date_t request_on, pacta_outcome_t *out)
{
    assert(profile && out);
    const pacta_accounting_law_t *law = &profile->statutes.accounting_records;
    if (!pacta_date_is_valid(request_on) || law->archive_years <= 0)
        return -1;
    pacta_date_t archive_until = pacta_add_months(request_on - 1, 12 * law->archive_years);
    if (archive_until == PACTA_DATE_INVALID)
        return -1;
    pacta_decision_t *archive = pacta_outcome_add_statute(out, &law->statute, PACTA_DECISION_ARCHIVE);
    if (!archive)
        return -1;
    archive->date = request_on;
    archive->until = archive_until;
    pacta_decision_set_ref(archive, pacta_data_category_name(PACTA_DATA_ACCOUNTING));
    pacta_explain_date(archive, IN, "request_on", request_on);
    pacta_explain_int(archive, PARAM, "archive_years", law->archive_years);
    pacta_explain_date(archive, RESULT, "erase_on", archive_until + 1);
    pacta_decision_because(archive,
                           "accounting records (invoices, payments, amounts) outlive the erasure request of "
                           "{request_on}: archived with restricted access for {archive_years} years, erased on "
                           "{erase_on}",
                           "les données comptables (factures, paiements, montants) survivent à la demande "
                           "d'effacement du {request_on} : archivées à accès restreint pendant {archive_years} ans, "
                           "effacées le {erase_on}");
    pacta_decision_t *erase = pacta_outcome_add_statute(out, &law->statute, PACTA_DECISION_ERASE);
    if (!erase)
        return -1;
    erase->date = archive_until + 1;
    pacta_decision_set_ref(erase, pacta_data_category_name(PACTA_DATA_ACCOUNTING));
    pacta_explain_date(erase, IN, "request_on", request_on);
    pacta_explain_int(erase, PARAM, "archive_years", law->archive_years);
    pacta_explain_date(erase, RESULT, "archive_until", archive_until);
    pacta_decision_add_timer(erase, "retention_erase", archive_until + 1, "accounting");
    pacta_decision_because(erase,
                           "accounting records archived on the erasure request of {request_on} are kept "
                           "{archive_years} years, through {archive_until}",
                           "les données comptables archivées sur la demande d'effacement du {request_on} sont "
                           "gardées {archive_years} ans, jusqu'au {archive_until}");
    return pacta_outcome_status(out);
}

int
rule_l4_dsr_deadline(const pacta_profile_t *profile, const pacta_dsr_t *request, pacta_outcome_t *out)
{
    assert(profile && request && out);
    const pacta_data_subject_law_t *law = &profile->statutes.data_subject_requests;
    if (!pacta_date_is_valid(request->received_on))
        return -1;
    pacta_date_t answer_by = pacta_add_months(request->received_on, law->answer_within_months);
    pacta_date_t extended_by = pacta_add_months(request->received_on, law->answer_within_months + law->extension_months);
    if (answer_by == PACTA_DATE_INVALID || extended_by == PACTA_DATE_INVALID)
        return -1;
    bool asked = pacta_date_is_valid(request->extension_notified_on);
    bool extended = asked && request->extension_notified_on <= answer_by;

    if (asked && !extended) {
        pacta_decision_t *refusal = pacta_outcome_add_statute(out, &law->statute, PACTA_DECISION_REFUSE);
        if (!refusal)
            return -1;
        pacta_decision_set_ref(refusal, request->id);
        pacta_decision_set_reason(refusal, "extension_notified_late");
        pacta_explain_text(refusal, IN, "request", request->id);
        pacta_explain_date(refusal, IN, "received_on", request->received_on);
        pacta_explain_date(refusal, IN, "extension_notified_on", request->extension_notified_on);
        pacta_explain_date(refusal, RESULT, "answer_by", answer_by);
        pacta_decision_head(refusal, "Extension refused", "Prolongation refusée");
        pacta_decision_because(refusal,
                               "the subject was told of the extension on {extension_notified_on}, after the first "
                               "deadline {answer_by} of request {request}",
                               "la personne a été informée de la prolongation le {extension_notified_on}, après la "
                               "première échéance du {answer_by} de la demande {request}");
    }
    pacta_decision_t *deadline = pacta_outcome_add_statute(out, &law->statute, PACTA_DECISION_DEADLINE);
    if (!deadline)
        return -1;
    deadline->date = extended ? extended_by : answer_by;
    if (extended)
        deadline->until = extended_by;
    pacta_decision_set_ref(deadline, request->id);
    pacta_explain_text(deadline, IN, "request", request->id);
    pacta_explain_date(deadline, IN, "received_on", request->received_on);
    pacta_explain_int(deadline, PARAM, "answer_months", law->answer_within_months);
    pacta_explain_int(deadline, PARAM, "extension_months", law->extension_months);
    pacta_explain_date(deadline, RESULT, "answer_by", answer_by);
    pacta_explain_date(deadline, RESULT, "extended_by", extended_by);
    pacta_decision_add_timer(deadline, "dsr_overdue", deadline->date + 1, request->id);
    pacta_decision_head(deadline, "Answer due by {date}", "Réponse due au plus tard le {date}");
    if (extended) {
        pacta_explain_date(deadline, IN, "extension_notified_on", request->extension_notified_on);
        pacta_decision_because(deadline,
                               "request {request} received on {received_on}; the subject was told on "
                               "{extension_notified_on} of an extension of {extension_months} months beyond "
                               "{answer_by}",
                               "demande {request} reçue le {received_on} ; la personne a été informée le "
                               "{extension_notified_on} d'une prolongation de {extension_months} mois au-delà du "
                               "{answer_by}");
    }
    else
        pacta_decision_because(deadline,
                               "request {request} received on {received_on} is answered within {answer_months} "
                               "month(s), extendable by {extension_months} months to {extended_by} if the subject "
                               "is told",
                               "la demande {request} reçue le {received_on} reçoit une réponse dans un délai de "
                               "{answer_months} mois, prolongeable de {extension_months} mois jusqu'au "
                               "{extended_by} en informant la personne");
    return pacta_outcome_status(out);
}
