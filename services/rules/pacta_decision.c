/*  =========================================================================
    pacta_decision - decisions, their explanations, and their sentences

    Builds decisions into fixed-capacity outcomes and renders explanations
    as one French or English sentence. Key decision: a sentence is made of
    a head (chosen from the decision kind, or overridden by the rule) and a
    "because" template the rule supplies, whose {placeholders} are looked
    up among the decision's own fields and explanation values at render
    time. So the words live next to the rule that knows them, this module
    knows no rule, and rendering never allocates.
    =========================================================================
*/
#include "pacta_decision.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- small string helpers ------------------------------------------------ */

//  Bounded copy; -1 (and dst holds a truncated copy) when src does not fit.
static int
s_copy(char *dst, size_t dst_size, const char *src)
{
    assert(dst && dst_size > 0);
    if (!src)
        src = "";
    size_t len = strlen(src);
    if (len >= dst_size) {
        memcpy(dst, src, dst_size - 1);
        dst[dst_size - 1] = '\0';
        return -1;
    }
    memcpy(dst, src, len + 1);
    return 0;
}

/* ---- outcome ----------------------------------------------------------- */

pacta_outcome_t *
pacta_outcome_new(void)
{
    pacta_outcome_t *self = malloc(sizeof *self);
    if (self)
        pacta_outcome_init(self);
    return self;
}

void
pacta_outcome_destroy(pacta_outcome_t **self_p)
{
    assert(self_p);
    free(*self_p);
    *self_p = NULL;
}

void
pacta_outcome_init(pacta_outcome_t *self)
{
    assert(self);
    self->count = 0;
    self->overflow = false;
}

int
pacta_outcome_status(const pacta_outcome_t *self)
{
    assert(self);
    if (self->overflow)
        return -1;
    for (size_t i = 0; i < self->count; i++)
        if (self->items[i].incomplete)
            return -1;
    return 0;
}

const pacta_decision_t *
pacta_outcome_find(const pacta_outcome_t *self, pacta_decision_kind_t kind)
{
    assert(self);
    for (size_t i = 0; i < self->count; i++)
        if (self->items[i].kind == kind)
            return &self->items[i];
    return NULL;
}

//  A fresh decision at the end of the outcome, zeroed, dates INVALID.
static pacta_decision_t *
s_outcome_push(pacta_outcome_t *self, pacta_decision_kind_t kind)
{
    if (self->count >= PACTA_OUTCOME_MAX_DECISIONS) {
        self->overflow = true;
        return NULL;
    }
    pacta_decision_t *decision = &self->items[self->count++];
    memset(decision, 0, sizeof *decision);
    decision->kind = kind;
    decision->status = PACTA_DECISION_APPLY;
    decision->date = PACTA_DATE_INVALID;
    decision->until = PACTA_DATE_INVALID;
    return decision;
}

pacta_decision_t *
pacta_outcome_add(pacta_outcome_t *self, const pacta_profile_t *profile, const pacta_rule_t *rule,
                  pacta_decision_kind_t kind)
{
    assert(self && profile && rule);
    assert(kind >= PACTA_DECISION_RECORD && kind < PACTA_DECISION_KIND_COUNT);
    pacta_decision_t *decision = s_outcome_push(self, kind);
    if (!decision)
        return NULL;
    if (rule->mode == PACTA_RULE_PROPOSE)
        decision->status = PACTA_DECISION_PROPOSAL;
    pacta_explanation_t *explanation = &decision->explanation;
    if (s_copy(explanation->rule_id, sizeof explanation->rule_id, rule->id) != 0)
        decision->incomplete = true;
    int written = snprintf(explanation->citation, sizeof explanation->citation, "%s %s",
                           profile->tenant, rule->clause);
    if (written < 0 || (size_t) written >= sizeof explanation->citation)
        decision->incomplete = true;
    return decision;
}

pacta_decision_t *
pacta_outcome_add_statute(pacta_outcome_t *self, const pacta_statute_t *statute, pacta_decision_kind_t kind)
{
    assert(self && statute);
    assert(kind >= PACTA_DECISION_RECORD && kind < PACTA_DECISION_KIND_COUNT);
    pacta_decision_t *decision = s_outcome_push(self, kind);
    if (!decision)
        return NULL;
    pacta_explanation_t *explanation = &decision->explanation;
    if (s_copy(explanation->rule_id, sizeof explanation->rule_id, statute->id) != 0
        || s_copy(explanation->citation, sizeof explanation->citation, statute->source) != 0)
        decision->incomplete = true;
    return decision;
}

/* ---- filling ----------------------------------------------------------- */

void
pacta_decision_because(pacta_decision_t *self, const char *en, const char *fr)
{
    assert(self);
    self->explanation.because_en = en;
    self->explanation.because_fr = fr;
}

void
pacta_decision_head(pacta_decision_t *self, const char *en, const char *fr)
{
    assert(self);
    self->explanation.head_en = en;
    self->explanation.head_fr = fr;
}

int
pacta_decision_set_reason(pacta_decision_t *self, const char *reason)
{
    assert(self);
    if (reason && s_copy(self->reason, sizeof self->reason, reason) != 0) {
        self->incomplete = true;
        return -1;
    }
    return 0;
}

int
pacta_decision_set_ref(pacta_decision_t *self, const char *ref)
{
    assert(self);
    if (ref && s_copy(self->ref, sizeof self->ref, ref) != 0) {
        self->incomplete = true;
        return -1;
    }
    return 0;
}

//  The next free value slot, named; NULL (and incomplete set) when full.
static pacta_value_t *
s_value_push(pacta_decision_t *self, pacta_value_role_t role, pacta_value_type_t type, const char *name)
{
    assert(self && name);
    pacta_explanation_t *explanation = &self->explanation;
    if (explanation->value_count >= PACTA_EXPLAIN_MAX_VALUES) {
        self->incomplete = true;
        return NULL;
    }
    pacta_value_t *value = &explanation->values[explanation->value_count];
    memset(value, 0, sizeof *value);
    if (s_copy(value->name, sizeof value->name, name) != 0) {
        self->incomplete = true;
        return NULL;
    }
    value->role = role;
    value->type = type;
    explanation->value_count++;
    return value;
}

int
pacta_explain_date(pacta_decision_t *self, pacta_value_role_t role, const char *name, pacta_date_t value)
{
    pacta_value_t *slot = s_value_push(self, role, PACTA_VALUE_DATE, name);
    if (!slot)
        return -1;
    slot->as.date = value;
    return 0;
}

int
pacta_explain_money(pacta_decision_t *self, pacta_value_role_t role, const char *name, pacta_cents_t value)
{
    pacta_value_t *slot = s_value_push(self, role, PACTA_VALUE_MONEY, name);
    if (!slot)
        return -1;
    slot->as.cents = value;
    return 0;
}

int
pacta_explain_bp(pacta_decision_t *self, pacta_value_role_t role, const char *name, pacta_bp_t value)
{
    pacta_value_t *slot = s_value_push(self, role, PACTA_VALUE_BP, name);
    if (!slot)
        return -1;
    slot->as.bp = value;
    return 0;
}

int
pacta_explain_int(pacta_decision_t *self, pacta_value_role_t role, const char *name, int64_t value)
{
    pacta_value_t *slot = s_value_push(self, role, PACTA_VALUE_INT, name);
    if (!slot)
        return -1;
    slot->as.number = value;
    return 0;
}

int
pacta_explain_text(pacta_decision_t *self, pacta_value_role_t role, const char *name, const char *value)
{
    pacta_value_t *slot = s_value_push(self, role, PACTA_VALUE_TEXT, name);
    if (!slot)
        return -1;
    if (s_copy(slot->as.text, sizeof slot->as.text, value) != 0) {
        self->incomplete = true;
        return -1;
    }
    return 0;
}

int
pacta_explain_flag(pacta_decision_t *self, pacta_value_role_t role, const char *name, bool value)
{
    pacta_value_t *slot = s_value_push(self, role, PACTA_VALUE_FLAG, name);
    if (!slot)
        return -1;
    slot->as.flag = value;
    return 0;
}

int
pacta_decision_add_charge(pacta_decision_t *self, pacta_charge_kind_t kind, pacta_cents_t amount,
                          bool includes_vat, pacta_date_t issue_on, const char *ref)
{
    assert(self);
    if (self->charge_count >= PACTA_DECISION_MAX_CHARGES) {
        self->incomplete = true;
        return -1;
    }
    pacta_charge_t *charge = &self->charges[self->charge_count];
    memset(charge, 0, sizeof *charge);
    charge->kind = kind;
    charge->amount = amount;
    charge->includes_vat = includes_vat;
    charge->issue_on = issue_on;
    if (s_copy(charge->ref, sizeof charge->ref, ref) != 0) {
        self->incomplete = true;
        return -1;
    }
    self->charge_count++;
    return 0;
}

int
pacta_decision_add_notification(pacta_decision_t *self, pacta_recipient_t to, pacta_channel_t channel,
                                const char *topic, pacta_date_t send_on)
{
    assert(self && topic);
    if (self->notification_count >= PACTA_DECISION_MAX_NOTICES) {
        self->incomplete = true;
        return -1;
    }
    pacta_notification_t *notification = &self->notifications[self->notification_count];
    memset(notification, 0, sizeof *notification);
    notification->to = to;
    notification->channel = channel;
    notification->send_on = send_on;
    if (s_copy(notification->topic, sizeof notification->topic, topic) != 0) {
        self->incomplete = true;
        return -1;
    }
    self->notification_count++;
    return 0;
}

int
pacta_decision_add_timer(pacta_decision_t *self, const char *name, pacta_date_t fires_on, const char *ref)
{
    assert(self && name);
    if (self->timer_count >= PACTA_DECISION_MAX_TIMERS) {
        self->incomplete = true;
        return -1;
    }
    pacta_timer_t *timer = &self->timers[self->timer_count];
    memset(timer, 0, sizeof *timer);
    timer->fires_on = fires_on;
    if (s_copy(timer->name, sizeof timer->name, name) != 0
        || s_copy(timer->ref, sizeof timer->ref, ref) != 0) {
        self->incomplete = true;
        return -1;
    }
    self->timer_count++;
    return 0;
}

/* ---- reading ----------------------------------------------------------- */

const pacta_value_t *
pacta_explanation_find(const pacta_explanation_t *self, const char *name)
{
    assert(self && name);
    for (size_t i = 0; i < self->value_count; i++)
        if (strcmp(self->values[i].name, name) == 0)
            return &self->values[i];
    return NULL;
}

bool
pacta_explanation_is_complete(const pacta_explanation_t *self)
{
    assert(self);
    return self->rule_id[0] != '\0' && self->citation[0] != '\0' && self->value_count > 0;
}

//  Per kind: machine name, English head, French head, proposal verbs.
typedef struct {
    const char *name;      //  machine name
    const char *head_en;   //  default English head
    const char *head_fr;   //  default French head
} s_kind_text_t;

static const s_kind_text_t s_kind_texts[PACTA_DECISION_KIND_COUNT] = {
    [PACTA_DECISION_RECORD] = {"record", "Recorded", "Enregistré"},
    [PACTA_DECISION_ACCEPT] = {"accept", "Accepted on {date}", "Accepté le {date}"},
    [PACTA_DECISION_REFUSE] = {"refuse", "Refused", "Refusé"},
    [PACTA_DECISION_START] = {"start", "Contract starts on {date}", "Le contrat commence le {date}"},
    [PACTA_DECISION_TERM] = {"term", "Term from {date} to {until}", "Durée du {date} au {until}"},
    [PACTA_DECISION_RENEW] = {"renew", "Renewed from {date} to {until}", "Reconduit du {date} au {until}"},
    [PACTA_DECISION_TERMINATE] = {"terminate", "Contract ends on {date}", "Le contrat prend fin le {date}"},
    [PACTA_DECISION_CANCEL] = {"cancel", "Contract cancelled on {date}", "Contrat annulé le {date}"},
    [PACTA_DECISION_SUSPEND] = {"suspend", "Suspended from {date}", "Suspendu à partir du {date}"},
    [PACTA_DECISION_RESTORE] = {"restore", "Restored on {date}", "Rétabli le {date}"},
    [PACTA_DECISION_LOST_PERIOD] = {"lost_period", "Period {date} to {until} recorded as not performed",
                                    "Période du {date} au {until} enregistrée comme non réalisée"},
    [PACTA_DECISION_FORFEIT] = {"forfeit", "Lost on {date}", "Perdu le {date}"},
    [PACTA_DECISION_CHARGE] = {"charge", "Invoice of {amount} issued on {date}",
                               "Facture de {amount} émise le {date}"},
    [PACTA_DECISION_CREDIT] = {"credit", "Credit of {amount} issued on {date}",
                               "Note de crédit de {amount} émise le {date}"},
    [PACTA_DECISION_DISCOUNT] = {"discount", "Discount of {amount}", "Remise de {amount}"},
    [PACTA_DECISION_RELEASE] = {"release", "Released on {date}", "Libéré le {date}"},
    [PACTA_DECISION_WITHHOLD] = {"withhold", "Withheld", "Retenu"},
    [PACTA_DECISION_DEADLINE] = {"deadline", "Deadline {date}", "Échéance le {date}"},
    [PACTA_DECISION_EFFECTIVE] = {"effective", "In force from {date}", "En vigueur à partir du {date}"},
    [PACTA_DECISION_LICENCE_END] = {"licence_end", "Licence ends on {date}", "La licence prend fin le {date}"},
    [PACTA_DECISION_ARCHIVE] = {"archive", "Archived from {date} to {until}", "Archivé du {date} au {until}"},
    [PACTA_DECISION_ERASE] = {"erase", "Erased on {date}", "Effacé le {date}"},
    [PACTA_DECISION_NOTIFY] = {"notify", "Client informed on {date}", "Client informé le {date}"},
};

const char *
pacta_decision_kind_name(pacta_decision_kind_t kind)
{
    if (kind < PACTA_DECISION_RECORD || kind >= PACTA_DECISION_KIND_COUNT)
        return "unknown";
    return s_kind_texts[kind].name;
}

/* ---- rendering --------------------------------------------------------- */

//  Output cursor over the caller's buffer; `truncated` is sticky.
typedef struct {
    char *buf;         //  caller's buffer
    size_t size;       //  its size
    size_t len;        //  bytes written so far, excluding NUL
    bool truncated;    //  something did not fit
} s_out_t;

static void
s_put(s_out_t *out, const char *text, size_t len)
{
    size_t room = out->size - 1 - out->len;
    if (len > room) {
        len = room;
        out->truncated = true;
    }
    memcpy(out->buf + out->len, text, len);
    out->len += len;
    out->buf[out->len] = '\0';
}

static void
s_puts(s_out_t *out, const char *text)
{
    s_put(out, text, strlen(text));
}

//  Writes one value in the sentence's language.
static void
s_put_value(s_out_t *out, const pacta_value_t *value, pacta_lang_t lang)
{
    char text[PACTA_MONEY_STR_LEN + PACTA_VALUE_TEXT_SIZE];
    switch (value->type) {
    case PACTA_VALUE_DATE:
        s_puts(out, pacta_date_format(value->as.date, text, sizeof text));
        break;
    case PACTA_VALUE_MONEY:
        s_puts(out, pacta_money_format_be(value->as.cents, text, sizeof text));
        break;
    case PACTA_VALUE_BP:
        pacta_bp_format(value->as.bp, text, sizeof text);
        if (lang == PACTA_LANG_FR) {
            char *dot = strchr(text, '.');
            if (dot)
                *dot = ',';
        }
        s_puts(out, text);
        s_puts(out, " %");
        break;
    case PACTA_VALUE_INT:
        snprintf(text, sizeof text, "%lld", (long long) value->as.number);
        s_puts(out, text);
        break;
    case PACTA_VALUE_TEXT:
        s_puts(out, value->as.text);
        break;
    case PACTA_VALUE_FLAG:
        if (lang == PACTA_LANG_FR)
            s_puts(out, value->as.flag ? "oui" : "non");
        else
            s_puts(out, value->as.flag ? "yes" : "no");
        break;
    default:
        s_puts(out, "?");
        break;
    }
}

//  Expands one template; -1 when it names a value the decision lacks or
//  is malformed (an unclosed brace).
static int
s_expand(s_out_t *out, const char *template, const pacta_decision_t *decision, pacta_lang_t lang,
         bool lower_first)
{
    const char *cursor = template;
    if (lower_first && *cursor >= 'A' && *cursor <= 'Z') {
        char lower = (char) (*cursor - 'A' + 'a');
        s_put(out, &lower, 1);
        cursor++;
    }
    while (*cursor) {
        const char *brace = strchr(cursor, '{');
        if (!brace) {
            s_puts(out, cursor);
            return 0;
        }
        s_put(out, cursor, (size_t) (brace - cursor));
        const char *close = strchr(brace, '}');
        if (!close)
            return -1;
        char name[PACTA_VALUE_NAME_SIZE];
        size_t name_len = (size_t) (close - brace - 1);
        if (name_len == 0 || name_len >= sizeof name)
            return -1;
        memcpy(name, brace + 1, name_len);
        name[name_len] = '\0';

        char text[PACTA_MONEY_STR_LEN];
        if (strcmp(name, "date") == 0 && decision->date != PACTA_DATE_INVALID)
            s_puts(out, pacta_date_format(decision->date, text, sizeof text));
        else if (strcmp(name, "until") == 0 && decision->until != PACTA_DATE_INVALID)
            s_puts(out, pacta_date_format(decision->until, text, sizeof text));
        else if (strcmp(name, "amount") == 0)
            s_puts(out, pacta_money_format_be(decision->amount, text, sizeof text));
        else if (strcmp(name, "reason") == 0)
            s_puts(out, decision->reason);
        else {
            const pacta_value_t *value = pacta_explanation_find(&decision->explanation, name);
            if (!value)
                return -1;
            s_put_value(out, value, lang);
        }
        cursor = close + 1;
    }
    return 0;
}

int
pacta_decision_explain(const pacta_decision_t *self, pacta_lang_t lang, char *buf, size_t buf_size)
{
    assert(self && buf && buf_size > 0);
    buf[0] = '\0';
    int rc = -1;
    s_out_t out = {buf, buf_size, 0, false};
    const pacta_explanation_t *explanation = &self->explanation;
    bool french = lang == PACTA_LANG_FR;
    if (self->kind < PACTA_DECISION_RECORD || self->kind >= PACTA_DECISION_KIND_COUNT)
        goto cleanup;

    const char *head = french ? explanation->head_fr : explanation->head_en;
    if (!head) {
        head = french ? s_kind_texts[self->kind].head_fr : s_kind_texts[self->kind].head_en;
        //  A refusal that names the day it becomes possible says so.
        if (self->kind == PACTA_DECISION_REFUSE && self->date != PACTA_DATE_INVALID)
            head = french ? "Refusé, possible à partir du {date}" : "Refused, possible from {date}";
    }
    bool proposal = self->status == PACTA_DECISION_PROPOSAL;
    if (proposal)
        s_puts(&out, french ? "Proposé : " : "Proposed: ");
    if (s_expand(&out, head, self, lang, proposal) != 0)
        goto cleanup;
    const char *because = french ? explanation->because_fr : explanation->because_en;
    if (because && *because) {
        s_puts(&out, french ? " : " : ": ");
        if (s_expand(&out, because, self, lang, false) != 0)
            goto cleanup;
    }
    s_puts(&out, " (");
    s_puts(&out, explanation->citation);
    s_puts(&out, ", ");
    s_puts(&out, explanation->rule_id);
    s_puts(&out, ").");
    rc = out.truncated ? -1 : 0;

cleanup:
    if (rc != 0 && !out.truncated)
        buf[0] = '\0';
    return rc;
}
