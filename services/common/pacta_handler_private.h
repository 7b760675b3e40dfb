/*  =========================================================================
    pacta_handler_private - the handler context as pacta_runtime sees it

    Shared by pacta_handler.c (what handlers call) and pacta_runtime.c (what
    prepares a context, applies its effect and performs its follow-ups).
    Not installed, not for services.
    =========================================================================
*/
#ifndef PACTA_HANDLER_PRIVATE_H_INCLUDED
#define PACTA_HANDLER_PRIVATE_H_INCLUDED

#include "pacta_dedup.h"
#include "pacta_handler.h"

#define HANDLER_KEY_MAX 512                /* longest key built for an entity */
#define HANDLER_WAIT_MAX 160               /* "invoice F-1" */

typedef struct {
    char name[PACTA_HANDLER_DOC_NAME_MAX]; /* "ledger" */
    char key[HANDLER_KEY_MAX];             /* <prefix>:ledger */
    json_t *doc;                           /* loaded (or {}), owned */
    uint64_t version;                      /* as loaded, 0 = absent */
    bool put;                              /* write it in the effect */
} handler_doc_t;

typedef struct {
    unsigned char *bytes;                  /* packed envelope, owned */
    size_t len;                            /* its length */
    char destination[PACTA_HANDLER_DOC_NAME_MAX * 2]; /* "" = routing table */
} handler_emit_t;

struct pacta_handler_ctx {
    /* what is being handled (borrowed) */
    const char *service;                   /* owning service */
    const char *tenant;                    /* envelope tenant or timer's tenant */
    const pacta_profile_t *profile;        /* the tenant's terms */
    const char *entity_key;                /* "c:C-1" */
    char prefix[PACTA_DEDUP_PREFIX_MAX + 1]; /* pacta:<tenant>:{<entity_key>} */
    const char *cause_id;                  /* message id or "tm:<timer id>" */
    const char *cause_type;                /* message type or "timer:<purpose>" */
    const Pacta__V1__Envelope *envelope;   /* NULL for a timer */
    pacta_date_t today;                    /* see pacta_handler_today */
    bool unparking;                        /* a parked fact applied again */
    pacta_store_t *store;                  /* for reads */
    /* documents */
    handler_doc_t docs[PACTA_HANDLER_DOCS_MAX]; /* declared documents */
    size_t doc_count;                      /* entries in docs */
    /* the effect being built */
    json_t *audit;                         /* array of flat [field, value...] arrays */
    handler_emit_t emits[PACTA_HANDLER_EMITS_MAX]; /* messages to queue */
    size_t emit_count;                     /* entries in emits */
    json_t *owed;                          /* array of follow-up actions (objects) */
    bool parked;                           /* the handler parked the fact */
    char waiting_for[HANDLER_WAIT_MAX];    /* what it waits for */
    bool refused;                          /* the handler refused the fact */
    Pacta__V1__NackReason reason;          /* refusal reason */
    char field[96];                        /* refusal field path */
    char detail[256];                      /* refusal sentence */
    bool overflow;                         /* a capacity was exceeded: INTERNAL */
    bool preloaded;                        /* docs loaded with the dedup look: the first run skips its load */
};

/* Prepares ctx (zeroes it, builds the prefix). 0, or -1 (prefix too long). */
int handler_ctx_init(pacta_handler_ctx_t *ctx, const char *service, const char *tenant,
                     const pacta_profile_t *profile, const char *entity_key);
/* Loads the named documents (NULL-terminated list, may be NULL). 0 or -1
   (Redis failure, unparseable document, too many). */
int handler_ctx_load(pacta_handler_ctx_t *ctx, const char *const *documents);
/* The same, and in the same script (name `script`, lua/entity_load.lua) the
   digest stored for message_id in seen_key: *stored is that reply (nil
   when none; caller frees). Sets ctx->preloaded. 0 or -1. */
int handler_ctx_load_seen(pacta_handler_ctx_t *ctx, const char *const *documents, const char *script,
                          const char *seen_key, const char *message_id, redisReply **stored);
/* Forgets the effect built so far (documents are kept). */
void handler_ctx_reset_effect(pacta_handler_ctx_t *ctx);
/* Frees everything ctx owns; safe twice. */
void handler_ctx_clear(pacta_handler_ctx_t *ctx);

#endif
