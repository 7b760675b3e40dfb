/*  =========================================================================
    pacta_decide - a rule's decision as the shell records and sends it

    Design decision: the audit entry stores the sentences already rendered
    in French and English next to the raw values. Rendering again later
    would read the templates of whatever code runs then; an operator asking
    "why" months later must read the words the decision was taken with.
    The values travel too (typed), so a tool can still show dates as dates.
    =========================================================================
*/
#include "pacta_decide.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
pacta_decide_id(const pacta_decision_t *decision, const char *entity_id, char *buf, size_t size)
{
    assert(decision && entity_id && buf && size > 0);
    char date[PACTA_DATE_STR_LEN] = "";
    if (pacta_date_is_valid(decision->date))
        pacta_date_format(decision->date, date, sizeof date);
    snprintf(buf, size, "%s/%s/%s/%s", decision->explanation.rule_id, entity_id, date,
             pacta_decision_kind_name(decision->kind));
}

const char *
pacta_decide_status_name(const pacta_decision_t *decision)
{
    assert(decision);
    return decision->status == PACTA_DECISION_PROPOSAL ? "proposed" : "applied";
}

static const char *
s_role_name(pacta_value_role_t role)
{
    switch (role) {
        case PACTA_ROLE_INPUT: return "input";
        case PACTA_ROLE_PARAMETER: return "parameter";
        case PACTA_ROLE_RESULT: return "result";
    }
    return "input";
}

/* One explanation value as {"role","name","type","value"}. */
static json_t *
s_value_json(const pacta_value_t *value)
{
    json_t *item = json_pack("{s:s, s:s}", "role", s_role_name(value->role), "name", value->name);
    if (!item)
        return NULL;
    char date[PACTA_DATE_STR_LEN];
    switch (value->type) {
        case PACTA_VALUE_DATE:
            json_object_set_new(item, "type", json_string("date"));
            json_object_set_new(item, "value", pacta_date_is_valid(value->as.date)
                                                   ? json_string(pacta_date_format(value->as.date, date, sizeof date))
                                                   : json_null());
            break;
        case PACTA_VALUE_MONEY:
            json_object_set_new(item, "type", json_string("money"));
            json_object_set_new(item, "value", json_integer(value->as.cents));
            break;
        case PACTA_VALUE_BP:
            json_object_set_new(item, "type", json_string("bp"));
            json_object_set_new(item, "value", json_integer(value->as.bp));
            break;
        case PACTA_VALUE_INT:
            json_object_set_new(item, "type", json_string("int"));
            json_object_set_new(item, "value", json_integer(value->as.number));
            break;
        case PACTA_VALUE_TEXT:
            json_object_set_new(item, "type", json_string("text"));
            json_object_set_new(item, "value", json_string(value->as.text));
            break;
        case PACTA_VALUE_FLAG:
            json_object_set_new(item, "type", json_string("flag"));
            json_object_set_new(item, "value", json_boolean(value->as.flag));
            break;
    }
    return item;
}

json_t *
pacta_decide_audit_entry(const pacta_decision_t *decision, const pacta_profile_t *profile,
                         const char *decision_id, const char *decision_type, pacta_date_t evaluated_on)
{
    assert(decision && profile && decision_id);
    char sentence_fr[PACTA_SENTENCE_SIZE] = "", sentence_en[PACTA_SENTENCE_SIZE] = "";
    pacta_decision_explain(decision, PACTA_LANG_FR, sentence_fr, sizeof sentence_fr);
    pacta_decision_explain(decision, PACTA_LANG_EN, sentence_en, sizeof sentence_en);
    char date[PACTA_DATE_STR_LEN] = "", until[PACTA_DATE_STR_LEN] = "", evaluated[PACTA_DATE_STR_LEN] = "";
    if (pacta_date_is_valid(decision->date))
        pacta_date_format(decision->date, date, sizeof date);
    if (pacta_date_is_valid(decision->until))
        pacta_date_format(decision->until, until, sizeof until);
    if (pacta_date_is_valid(evaluated_on))
        pacta_date_format(evaluated_on, evaluated, sizeof evaluated);
    char amount[32] = "";
    if (decision->amount != 0)
        snprintf(amount, sizeof amount, "%lld", (long long) decision->amount);
    char summary[256];
    const char *kind = pacta_decision_kind_name(decision->kind);
    if (until[0])
        snprintf(summary, sizeof summary, "%s %s %s … %s", decision->explanation.rule_id, kind, date, until);
    else
        snprintf(summary, sizeof summary, "%s %s %s", decision->explanation.rule_id, kind, date);

    json_t *values = json_array();
    for (size_t i = 0; values && i < decision->explanation.value_count; i++)
        json_array_append_new(values, s_value_json(&decision->explanation.values[i]));
    char *values_text = values ? json_dumps(values, JSON_COMPACT) : NULL;
    json_decref(values);

    json_t *entry = json_object();
    if (!entry || !values_text) {
        free(values_text);
        json_decref(entry);
        return NULL;
    }
    json_object_set_new(entry, "entry", json_string("decision"));
    json_object_set_new(entry, "decision_id", json_string(decision_id));
    json_object_set_new(entry, "rule_id", json_string(decision->explanation.rule_id));
    json_object_set_new(entry, "clause", json_string(decision->explanation.citation));
    json_object_set_new(entry, "kind", json_string(kind));
    json_object_set_new(entry, "status", json_string(pacta_decide_status_name(decision)));
    json_object_set_new(entry, "decision_type", json_string(decision_type ? decision_type : ""));
    json_object_set_new(entry, "date", json_string(date));
    json_object_set_new(entry, "until", json_string(until));
    json_object_set_new(entry, "amount_cents", json_string(amount));
    json_object_set_new(entry, "ref", json_string(decision->ref));
    json_object_set_new(entry, "reason", json_string(decision->reason));
    json_object_set_new(entry, "evaluated_on", json_string(evaluated));
    json_object_set_new(entry, "summary", json_string(summary));
    json_object_set_new(entry, "sentence_fr", json_string(sentence_fr));
    json_object_set_new(entry, "sentence_en", json_string(sentence_en));
    json_object_set_new(entry, "values", json_string(values_text));
    json_object_set_new(entry, "profile", json_string(profile->tenant));
    free(values_text);
    return entry;
}

/* ---- the Explanation message ----------------------------------------------- */

static Pacta__V1__Date *
s_date_new(pacta_date_t date)
{
    Pacta__V1__Date *out = malloc(sizeof *out);
    if (!out)
        return NULL;
    pacta__v1__date__init(out);
    int year, month, day;
    pacta_date_to_ymd(date, &year, &month, &day);
    out->year = year;
    out->month = month;
    out->day = day;
    return out;
}

static void
s_named_value_free(Pacta__V1__NamedValue *value)
{
    if (!value)
        return;
    free(value->name);
    switch (value->value_case) {
        case PACTA__V1__NAMED_VALUE__VALUE_TEXT: free(value->text); break;
        case PACTA__V1__NAMED_VALUE__VALUE_MONEY:
            if (value->money)
                free(value->money->currency);
            free(value->money);
            break;
        case PACTA__V1__NAMED_VALUE__VALUE_DATE: free(value->date); break;
        case PACTA__V1__NAMED_VALUE__VALUE_RATE: free(value->rate); break;
        default: break;
    }
    free(value);
}

static Pacta__V1__NamedValue *
s_named_value_new(const pacta_value_t *value)
{
    Pacta__V1__NamedValue *out = malloc(sizeof *out);
    if (!out)
        return NULL;
    pacta__v1__named_value__init(out);
    out->name = strdup(value->name);
    bool ok = out->name != NULL;
    switch (value->type) {
        case PACTA_VALUE_DATE:
            if (pacta_date_is_valid(value->as.date)) {
                out->value_case = PACTA__V1__NAMED_VALUE__VALUE_DATE;
                out->date = s_date_new(value->as.date);
                ok = ok && out->date;
            }
            break;
        case PACTA_VALUE_MONEY:
            out->value_case = PACTA__V1__NAMED_VALUE__VALUE_MONEY;
            out->money = malloc(sizeof *out->money);
            if (out->money) {
                pacta__v1__money__init(out->money);
                out->money->cents = value->as.cents;
                out->money->currency = strdup("EUR");
            }
            ok = ok && out->money && out->money->currency;
            break;
        case PACTA_VALUE_BP:
            out->value_case = PACTA__V1__NAMED_VALUE__VALUE_RATE;
            out->rate = malloc(sizeof *out->rate);
            if (out->rate) {
                pacta__v1__basis_points__init(out->rate);
                out->rate->value = value->as.bp;
            }
            ok = ok && out->rate;
            break;
        case PACTA_VALUE_INT:
            out->value_case = PACTA__V1__NAMED_VALUE__VALUE_INTEGER;
            out->integer = value->as.number;
            break;
        case PACTA_VALUE_TEXT:
            out->value_case = PACTA__V1__NAMED_VALUE__VALUE_TEXT;
            out->text = strdup(value->as.text);
            ok = ok && out->text;
            break;
        case PACTA_VALUE_FLAG:
            out->value_case = PACTA__V1__NAMED_VALUE__VALUE_FLAG;
            out->flag = value->as.flag;
            break;
    }
    if (!ok) {
        s_named_value_free(out);
        return NULL;
    }
    return out;
}

void
pacta_decide_explanation_destroy(Pacta__V1__Explanation **self_p)
{
    assert(self_p);
    Pacta__V1__Explanation *self = *self_p;
    if (!self)
        return;
    free(self->rule_id);
    free(self->clause);
    free(self->profile_id);
    free(self->profile_version);
    free(self->sentence_fr);
    free(self->sentence_en);
    for (size_t i = 0; i < self->n_inputs; i++)
        s_named_value_free(self->inputs[i]);
    for (size_t i = 0; i < self->n_parameters; i++)
        s_named_value_free(self->parameters[i]);
    for (size_t i = 0; i < self->n_results; i++)
        s_named_value_free(self->results[i]);
    free(self->inputs);
    free(self->parameters);
    free(self->results);
    free(self->evaluated_on);
    free(self);
    *self_p = NULL;
}

Pacta__V1__Explanation *
pacta_decide_explanation_new(const pacta_decision_t *decision, const pacta_profile_t *profile,
                             pacta_date_t evaluated_on)
{
    assert(decision && profile);
    Pacta__V1__Explanation *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    pacta__v1__explanation__init(self);
    char sentence_fr[PACTA_SENTENCE_SIZE] = "", sentence_en[PACTA_SENTENCE_SIZE] = "";
    pacta_decision_explain(decision, PACTA_LANG_FR, sentence_fr, sizeof sentence_fr);
    pacta_decision_explain(decision, PACTA_LANG_EN, sentence_en, sizeof sentence_en);
    self->rule_id = strdup(decision->explanation.rule_id);
    self->clause = strdup(decision->explanation.citation);
    self->profile_id = strdup(profile->tenant);
    self->profile_version = strdup("");
    self->sentence_fr = strdup(sentence_fr);
    self->sentence_en = strdup(sentence_en);
    self->mode = decision->status == PACTA_DECISION_PROPOSAL ? PACTA__V1__DECISION_MODE__DECISION_MODE_PROPOSE
                                                             : PACTA__V1__DECISION_MODE__DECISION_MODE_AUTO;
    size_t count = decision->explanation.value_count;
    self->inputs = calloc(count > 0 ? count : 1, sizeof *self->inputs);
    self->parameters = calloc(count > 0 ? count : 1, sizeof *self->parameters);
    self->results = calloc(count > 0 ? count : 1, sizeof *self->results);
    bool ok = self->rule_id && self->clause && self->profile_id && self->profile_version && self->sentence_fr
              && self->sentence_en && self->inputs && self->parameters && self->results;
    for (size_t i = 0; ok && i < count; i++) {
        const pacta_value_t *value = &decision->explanation.values[i];
        Pacta__V1__NamedValue *named = s_named_value_new(value);
        if (!named) {
            ok = false;
            break;
        }
        if (value->role == PACTA_ROLE_PARAMETER)
            self->parameters[self->n_parameters++] = named;
        else if (value->role == PACTA_ROLE_RESULT)
            self->results[self->n_results++] = named;
        else
            self->inputs[self->n_inputs++] = named;
    }
    if (ok && pacta_date_is_valid(evaluated_on)) {
        self->evaluated_on = s_date_new(evaluated_on);
        ok = self->evaluated_on != NULL;
    }
    if (!ok)
        pacta_decide_explanation_destroy(&self);
    return self;
}
