/*  =========================================================================
    pacta_vault - the personal-data vault: per-subject keys, sealed
    categories, and the narrow contact lookup

    Personal data of a data subject live in ONE versioned document,
    pacta:<tenant>:{s:<subject>}:vault (docs/state.md, docs/gdpr.md):

        {"subject_id": "S-1",
         "key": "<base64: nonce | subject key sealed by the master key>",
         "key_destroyed": false,          true once every category is erased
         "restricted": false,             a restriction request holds
         "objections": {"<purpose>": {...}},  objections and consent withdrawals
         "categories": {
            "contact": {"state": "active" | "archived" | "erased",
                        "sealed": "<base64: nonce | JSON {name: value} sealed by the subject key>",
                        "archive_until": "YYYY-MM-DD"   (archived only)}, ...}}

    Crypto (libsodium): XChaCha20-Poly1305 (IETF) everywhere, a random
    24-byte nonce per seal. Each subject has its own random 32-byte key,
    wrapped by the master key with additional data naming tenant and subject;
    each category's fields are sealed by the subject key with additional
    data naming tenant, subject and category, so a ciphertext copied to
    another subject or category fails authentication (TAMPERED). Erasing the
    last category deletes the wrapped key: the subject's ciphertexts in AOF
    files and backups become unreadable (docs/gdpr.md says what that does
    NOT cover).

    The master key file holds 64 hex digits (32 bytes), an optional
    trailing newline (scripts/gen-secrets.sh writes it without one). The
    key check record pacta:{vault}:keycheck holds a constant sealed by the
    master key; pacta_vault_check() writes it on first use (SET NX) and
    refuses a master key that cannot open it.

    Purposes: archived categories are readable only for the purposes
    PACTA_VAULT_PURPOSE_LEGAL and PACTA_VAULT_PURPOSE_ACCOUNTING; every read
    through pacta_vault_lookup_contact() appends an "access" entry to the
    subject's audit stream P:audit naming who, the purpose, the categories
    and the outcome -- never a value.

    Redis access of the lookup (ACL): HMGET on pacta:*:{s:*}:vault, XADD on
    pacta:*:{s:*}:audit; pacta_vault_check(): GET and SET NX on
    pacta:{vault}:keycheck.

    Not thread-safe; key material is kept in sodium_malloc'd memory and
    wiped on destroy.
    =========================================================================
*/
#ifndef PACTA_VAULT_H_INCLUDED
#define PACTA_VAULT_H_INCLUDED

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "pacta_store.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PACTA_VAULT_KEY_BYTES 32                    /* master and subject keys */
#define PACTA_VAULT_KEYCHECK_KEY "pacta:{vault}:keycheck" /* the key check record */
#define PACTA_VAULT_DOC "vault"                     /* document name under the subject prefix */
#define PACTA_VAULT_PURPOSE_LEGAL "legal"           /* may read archived categories */
#define PACTA_VAULT_PURPOSE_ACCOUNTING "accounting" /* may read archived categories */
#define PACTA_VAULT_SEALED_MAX (1024 * 1024)        /* largest plaintext sealed at once */

typedef struct pacta_vault pacta_vault_t;

typedef enum {
    PACTA_VAULT_FOUND = 0,   /* fields returned */
    PACTA_VAULT_NONE,        /* nothing recorded for this subject in these categories */
    PACTA_VAULT_ERASED,      /* erased: the subject key is destroyed */
    PACTA_VAULT_RESTRICTED,  /* archived or under a restriction: not readable for this purpose */
    PACTA_VAULT_TAMPERED,    /* a ciphertext failed authentication: never returned */
    PACTA_VAULT_FAILED,      /* Redis or other transient error: retry later */
} pacta_vault_status_t;

/* Reads the master key file (64 hex digits, optional trailing newline). NULL
   with err naming the file and what is wrong (missing, unreadable, wrong
   length, not hex). Caller owns the result. */
pacta_vault_t *pacta_vault_new(const char *master_key_file, char *err, size_t err_size);
/* Wipes the key. Safe on NULL and twice. */
void pacta_vault_destroy(pacta_vault_t **self_p);

/* Checks the master key against the key check record (written on first
   use): 0, or -1 with err "the vault master key does not match the one the
   vault was written with" (or the Redis error). */
int pacta_vault_check(pacta_vault_t *self, pacta_store_t *store, char *err, size_t err_size);

/* The narrow lookup for notifications: the decrypted CONTACT and IDENTITY
   fields of a subject as one JSON object name -> string value; appends an
   "access" entry to the subject's audit stream naming who, the purpose and
   the categories read -- never a value. *fields_out (caller owns) is set
   only on FOUND. A subject under restriction, a purpose the subject
   objected to (or withdrew consent for: "objections" of the vault
   document), or categories archived when purpose is not legal/accounting,
   give RESTRICTED. */
pacta_vault_status_t pacta_vault_lookup_contact(pacta_vault_t *self, pacta_store_t *store, const char *tenant,
                                                const char *subject_id, const char *who, const char *purpose,
                                                json_t **fields_out, char *err, size_t err_size);

const char *pacta_vault_status_name(pacta_vault_status_t status);

/* ---- categories --------------------------------------------------------- */

/* "identity", "contact", "banking", "content", "accounting" for the
   pacta.v1.PersonalDataCategory values 1..5; NULL otherwise. */
const char *pacta_vault_category_name(int category);
/* The inverse; 0 (UNSPECIFIED) for an unknown name. */
int pacta_vault_category_from_name(const char *name);

/* ---- the vault document (used by gdpr-retention's handlers) -------------- */

/* Replaces the named fields of category in doc (fields: name -> string,
   borrowed) and keeps the others; makes the subject key on first use (also
   after an erasure: the subject starts again with a new key). The category
   becomes "active". 0, or -1 with err (a stored ciphertext that fails
   authentication, out of memory). */
int pacta_vault_doc_record(pacta_vault_t *self, json_t *doc, const char *tenant, const char *subject_id,
                           const char *category, const json_t *fields, char *err, size_t err_size);

/* The fields of one category. allow_archived: read an archived category
   too (legal/accounting purposes, the caller logs the read). FOUND with
   *fields_out (caller owns), NONE, ERASED, RESTRICTED (archived and not
   allowed) or TAMPERED. Never FAILED except out of memory. */
pacta_vault_status_t pacta_vault_doc_read(pacta_vault_t *self, const json_t *doc, const char *tenant,
                                          const char *subject_id, const char *category, bool allow_archived,
                                          json_t **fields_out, char *err, size_t err_size);

/* The state of category in doc: "active", "archived", "erased", or NULL
   when nothing was ever recorded. */
const char *pacta_vault_doc_state(const json_t *doc, const char *category);

/* Marks category archived until archive_until ("YYYY-MM-DD"). 0, or -1 when
   nothing is recorded in it (or it is erased). */
int pacta_vault_doc_archive(json_t *doc, const char *category, const char *archive_until);

/* Deletes category's ciphertext (state "erased"). When no category holds a
   ciphertext any more, destroys the subject key (deletes "key", sets
   "key_destroyed") and sets *key_destroyed (may be NULL). 0, or -1 when
   the category was never recorded. */
int pacta_vault_doc_erase(json_t *doc, const char *category, bool *key_destroyed);

/* Seals any bytes (an export) under the subject key with additional data
   naming tenant, subject and label: a malloc'd base64 text in *sealed_out.
   0, or -1 with err (no subject key: nothing recorded, or destroyed). */
int pacta_vault_doc_seal(pacta_vault_t *self, const json_t *doc, const char *tenant, const char *subject_id,
                         const char *label, const void *plaintext, size_t len, char **sealed_out, char *err,
                         size_t err_size);
/* Opens what pacta_vault_doc_seal() made: malloc'd bytes (NUL-terminated,
   caller frees) in *plaintext_out and their length. PACTA_VAULT_FOUND,
   ERASED (no key), TAMPERED, or FAILED (out of memory). */
pacta_vault_status_t pacta_vault_doc_open(pacta_vault_t *self, const json_t *doc, const char *tenant,
                                          const char *subject_id, const char *label, const char *sealed,
                                          char **plaintext_out, size_t *len_out, char *err, size_t err_size);

/* Appends an "access" entry to the subject's audit stream: who, purpose,
   categories (comma-separated names), outcome, and a summary; never a
   value. 0 or -1 (Redis). Used by the lookup, exports and pactactl. */
int pacta_vault_audit_access(pacta_store_t *store, const char *tenant, const char *subject_id, const char *who,
                             const char *purpose, const char *categories, const char *outcome,
                             const char *summary);

#ifdef __cplusplus
}
#endif

#endif
