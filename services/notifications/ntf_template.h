/*  =========================================================================
    ntf_template - the notice templates: loading, checking and rendering

    One file per template and language, <template_dir>/<fr|nl|en>/<id>.txt:

        Subject: Suspension de vos services (contrat {{contract_id}})

        Madame, Monsieur,
        ... {{suspended_from}} ... {{explanation}}

    The first line is the subject, then one empty line, then the body.
    {{name}} is a parameter of the notice or one of the built-ins
    (explanation, rule_id, clause, notification_id). Values are typed
    (ntf_notice.h): a date is written in the language ("9 février 2025"),
    an amount the Belgian way ("1.234,56 EUR"), a rate "4,50 %".

    Ownership: the set owns every template; rendered text belongs to the
    caller (free()).
    =========================================================================
*/
#ifndef NTF_TEMPLATE_H_INCLUDED
#define NTF_TEMPLATE_H_INCLUDED

#include <jansson.h>
#include <protobuf-c/protobuf-c.h>
#include <stdbool.h>
#include <stddef.h>

#include "pacta_date.h"

#ifdef __cplusplus
extern "C" {
#endif

#define NTF_TEMPLATE_FILE_MAX (32 * 1024)   /* largest template file read */
#define NTF_TEMPLATE_OUT_MAX (64 * 1024)    /* largest rendered subject + body */
#define NTF_TEMPLATE_ID_MAX 64              /* longest template id */

typedef enum {
    NTF_LANG_FR = 0,                   /* French */
    NTF_LANG_NL = 1,                   /* Dutch */
    NTF_LANG_EN = 2,                   /* English */
    NTF_LANG_COUNT = 3                 /* number of languages shipped */
} ntf_lang_t;

/* "fr", "nl", "en" (also the pbjson names of pacta.v1.Language) -> *out. 0 or -1. */
int ntf_lang_parse(const char *text, ntf_lang_t *out);
/* "fr", "nl" or "en". */
const char *ntf_lang_name(ntf_lang_t lang);

/* A date as the language writes it: "1er février 2025", "9 februari 2025",
   "9 February 2025". "" for an invalid date. Returns buf. */
char *ntf_format_date(ntf_lang_t lang, pacta_date_t date, char *buf, size_t size);
/* One typed value {"type": "date"|"money"|"bp"|"int"|"flag"|"text", "value": ...}
   in the language. Returns buf ("" for an absent or mistyped value). */
char *ntf_format_value(ntf_lang_t lang, const json_t *typed, char *buf, size_t size);

/* What to load: a template id and, when the template serves a message type,
   its descriptor: then every placeholder must name one of its fields or a
   built-in (a typo refuses the start instead of leaving a gap in a letter). */
typedef struct {
    const char *id;                                  /* "suspend", "cc-3b.suspended" */
    const ProtobufCMessageDescriptor *descriptor;    /* may be NULL: any parameter name */
} ntf_template_spec_t;

typedef struct ntf_templates ntf_templates_t;

/* Loads every spec in every language from dir, or, when dir is NULL, from
   the templates compiled into the binary (deploy/templates when it was
   built; their names read "embedded:<lang>/<id>.txt" in errors). NULL with
   "file:line: what" in err for the first missing or malformed template. */
ntf_templates_t *ntf_templates_load(const char *dir, const ntf_template_spec_t *specs, size_t count, char *err,
                                    size_t err_size);
/* Safe on NULL and twice. */
void ntf_templates_destroy(ntf_templates_t **self_p);
/* True when template id was loaded. */
bool ntf_templates_has(const ntf_templates_t *self, const char *id);
/* Number of templates loaded (per language). */
size_t ntf_templates_count(const ntf_templates_t *self);

/* Renders template id in lang: params is the notice's typed parameter
   object (name -> typed value), explanation {"rule_id", "clause",
   "sentence_fr", "sentence_en"} (may be NULL). *subject_out and *body_out
   are new strings (free()). 0, or -1 with a reason in err. */
int ntf_templates_render(const ntf_templates_t *self, const char *id, ntf_lang_t lang, const json_t *params,
                         const json_t *explanation, const char *notification_id, char **subject_out,
                         char **body_out, char *err, size_t err_size);

#ifdef __cplusplus
}
#endif

#endif
