/*  =========================================================================
    pacta_vault - the personal-data vault (see pacta_vault.h for the layout)

    Design decision: the vault is a versioned DOCUMENT of the subject's
    entity, changed by gdpr-retention's handlers like any other document
    (compare-and-set in the shell's one Lua script), and this module only
    computes on it: it never writes the vault itself. The crypto is
    therefore pure (document in, document out) and the only Redis writes
    here are the audit entries of reads and the key check record. Every
    ciphertext is bound by its additional data to tenant, subject and
    category (or label), so moving bytes around inside Redis is detected
    exactly like changing them.
    =========================================================================
*/
#include "pacta_vault.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pacta_dedup.h"

#define S_AD_MAX 1200                    /* additional data: fixed tag + tenant + subject + label */
#define S_IDS_MAX 300                    /* longest tenant or subject id bound into additional data */
#define S_KEYCHECK_TEXT "pacta vault key check v1"
#define S_NONCE crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define S_ABYTES crypto_aead_xchacha20poly1305_ietf_ABYTES

struct pacta_vault {
    unsigned char *master_key;           /* PACTA_VAULT_KEY_BYTES in sodium_malloc'd memory */
};

static const char *const s_categories[] = {NULL, "identity", "contact", "banking", "content", "accounting"};

/* ---- helpers ------------------------------------------------------------ */

static void
s_err(char *err, size_t err_size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
s_err(char *err, size_t err_size, const char *fmt, ...)
{
    if (!err || err_size == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_size, fmt, ap);
    va_end(ap);
}

/* "pacta-vault/1" NUL kind NUL tenant NUL subject NUL label: the context a
   ciphertext belongs to. -1 when an id is too long. */
static int
s_ad(unsigned char *ad, size_t *ad_len, const char *kind, const char *tenant, const char *subject,
     const char *label)
{
    const char *parts[] = {"pacta-vault/1", kind, tenant ? tenant : "", subject ? subject : "", label ? label : ""};
    size_t used = 0;
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        size_t len = strlen(parts[i]);
        if (len > S_IDS_MAX || used + len + 1 > S_AD_MAX)
            return -1;
        memcpy(ad + used, parts[i], len);
        used += len;
        ad[used++] = '\0';
    }
    *ad_len = used;
    return 0;
}

/* Seals plaintext under key: malloc'd base64 of nonce | ciphertext. */
static char *
s_seal(const unsigned char *key, const unsigned char *ad, size_t ad_len, const void *plaintext, size_t len)
{
    char *b64 = NULL;
    unsigned char *box = NULL;
    if (len > PACTA_VAULT_SEALED_MAX)
        goto cleanup;
    size_t box_len = S_NONCE + len + S_ABYTES;
    box = malloc(box_len);
    if (!box)
        goto cleanup;
    randombytes_buf(box, S_NONCE);
    unsigned long long ct_len = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(box + S_NONCE, &ct_len, plaintext, len, ad, ad_len, NULL, box, key);
    size_t b64_size = sodium_base64_ENCODED_LEN(box_len, sodium_base64_VARIANT_ORIGINAL);
    b64 = malloc(b64_size);
    if (b64)
        sodium_bin2base64(b64, b64_size, box, box_len, sodium_base64_VARIANT_ORIGINAL);
cleanup:
    free(box);
    return b64;
}

/* Opens a base64 nonce | ciphertext under key into malloc'd bytes (one
   extra NUL). 0, -1 when it fails authentication or is malformed, -2 out of
   memory. */
static int
s_open(const unsigned char *key, const unsigned char *ad, size_t ad_len, const char *b64, unsigned char **out,
       size_t *out_len)
{
    int rc = -1;
    unsigned char *box = NULL;
    unsigned char *plain = NULL;
    *out = NULL;
    size_t b64_len = strlen(b64);
    if (b64_len > (size_t) PACTA_VAULT_SEALED_MAX * 2)
        goto cleanup;
    size_t box_max = b64_len / 4 * 3 + 3;
    box = malloc(box_max + 1);
    if (!box) {
        rc = -2;
        goto cleanup;
    }
    size_t box_len = 0;
    if (sodium_base642bin(box, box_max, b64, b64_len, NULL, &box_len, NULL, sodium_base64_VARIANT_ORIGINAL) != 0)
        goto cleanup;
    if (box_len < S_NONCE + S_ABYTES)
        goto cleanup;
    size_t plain_len = box_len - S_NONCE - S_ABYTES;
    plain = malloc(plain_len + 1);
    if (!plain) {
        rc = -2;
        goto cleanup;
    }
    unsigned long long got = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(plain, &got, NULL, box + S_NONCE, box_len - S_NONCE, ad, ad_len,
                                                   box, key) != 0)
        goto cleanup;
    plain[got] = '\0';
    *out = plain;
    *out_len = (size_t) got;
    plain = NULL;
    rc = 0;
cleanup:
    if (plain) {
        sodium_memzero(plain, box_len - S_NONCE - S_ABYTES + 1);
        free(plain);
    }
    free(box);
    return rc;
}

static void
s_free_secret(unsigned char *bytes, size_t len)
{
    if (bytes) {
        sodium_memzero(bytes, len);
        free(bytes);
    }
}

static int
s_hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* ---- construction --------------------------------------------------------- */

pacta_vault_t *
pacta_vault_new(const char *master_key_file, char *err, size_t err_size)
{
    pacta_vault_t *self = NULL;
    int fd = -1;
    char text[160];
    size_t len = 0;
    sodium_memzero(text, sizeof text);

    if (!master_key_file || !*master_key_file) {
        s_err(err, err_size, "no vault master key file given (vault_master_key_file)");
        goto fail;
    }
    if (sodium_init() < 0) {
        s_err(err, err_size, "libsodium could not be initialised");
        goto fail;
    }
    fd = open(master_key_file, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            s_err(err, err_size, "vault master key file %s is missing", master_key_file);
        else
            s_err(err, err_size, "vault master key file %s is unreadable: %s", master_key_file, strerror(errno));
        goto fail;
    }
    for (;;) {
        ssize_t got = read(fd, text + len, sizeof text - len);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            s_err(err, err_size, "vault master key file %s is unreadable: %s", master_key_file, strerror(errno));
            goto fail;
        }
        if (got == 0)
            break;
        len += (size_t) got;
        if (len == sizeof text)
            break;
    }
    if (len > 0 && text[len - 1] == '\n')
        len--;
    if (len > 0 && text[len - 1] == '\r')
        len--;
    if (len != PACTA_VAULT_KEY_BYTES * 2) {
        s_err(err, err_size,
              "vault master key file %s has the wrong length: %s%zu characters, expected 64 hex digits (32 bytes)",
              master_key_file, len >= sizeof text - 1 ? "at least " : "", len);
        goto fail;
    }
    for (size_t i = 0; i < len; i++) {
        if (s_hex_value(text[i]) < 0) {
            s_err(err, err_size, "vault master key file %s is not hex: character %zu is not a hex digit",
                  master_key_file, i + 1);
            goto fail;
        }
    }
    self = calloc(1, sizeof *self);
    if (!self)
        goto oom;
    self->master_key = sodium_malloc(PACTA_VAULT_KEY_BYTES);
    if (!self->master_key)
        goto oom;
    for (size_t i = 0; i < PACTA_VAULT_KEY_BYTES; i++)
        self->master_key[i] = (unsigned char) (s_hex_value(text[2 * i]) << 4 | s_hex_value(text[2 * i + 1]));
    close(fd);
    sodium_memzero(text, sizeof text);
    return self;
oom:
    s_err(err, err_size, "out of memory reading the vault master key");
fail:
    if (fd >= 0)
        close(fd);
    sodium_memzero(text, sizeof text);
    pacta_vault_destroy(&self);
    return NULL;
}

void
pacta_vault_destroy(pacta_vault_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    pacta_vault_t *self = *self_p;
    if (self->master_key)
        sodium_free(self->master_key);   /* wipes before freeing */
    free(self);
    *self_p = NULL;
}

const char *
pacta_vault_status_name(pacta_vault_status_t status)
{
    switch (status) {
    case PACTA_VAULT_FOUND: return "found";
    case PACTA_VAULT_NONE: return "none";
    case PACTA_VAULT_ERASED: return "erased";
    case PACTA_VAULT_RESTRICTED: return "restricted";
    case PACTA_VAULT_TAMPERED: return "tampered";
    case PACTA_VAULT_FAILED: return "failed";
    }
    return "failed";
}

const char *
pacta_vault_category_name(int category)
{
    if (category < 1 || category >= (int) (sizeof s_categories / sizeof s_categories[0]))
        return NULL;
    return s_categories[category];
}

int
pacta_vault_category_from_name(const char *name)
{
    for (size_t i = 1; name && i < sizeof s_categories / sizeof s_categories[0]; i++)
        if (strcmp(s_categories[i], name) == 0)
            return (int) i;
    return 0;
}

/* ---- key check ------------------------------------------------------------ */

int
pacta_vault_check(pacta_vault_t *self, pacta_store_t *store, char *err, size_t err_size)
{
    int rc = -1;
    redisReply *reply = NULL;
    char *sealed = NULL;
    unsigned char *plain = NULL;
    size_t plain_len = 0;
    unsigned char ad[S_AD_MAX];
    size_t ad_len = 0;
    s_ad(ad, &ad_len, "keycheck", "", "", "");

    for (int round = 0; round < 2; round++) {
        if (pacta_store_command_strs(store, &reply, "GET", PACTA_VAULT_KEYCHECK_KEY, NULL) != 0) {
            s_err(err, err_size, "cannot read the vault key check record: %s", pacta_store_error(store));
            goto cleanup;
        }
        if (reply->type == REDIS_REPLY_STRING)
            break;
        freeReplyObject(reply);
        reply = NULL;
        if (round == 1) {
            s_err(err, err_size, "the vault key check record could not be written");
            goto cleanup;
        }
        sealed = s_seal(self->master_key, ad, ad_len, S_KEYCHECK_TEXT, strlen(S_KEYCHECK_TEXT));
        if (!sealed) {
            s_err(err, err_size, "out of memory");
            goto cleanup;
        }
        /* SET NX: the first instance to start writes it, the others read it. */
        if (pacta_store_command_strs(store, &reply, "SET", PACTA_VAULT_KEYCHECK_KEY, sealed, "NX", NULL) != 0) {
            s_err(err, err_size, "cannot write the vault key check record: %s", pacta_store_error(store));
            goto cleanup;
        }
        freeReplyObject(reply);
        reply = NULL;
    }
    int opened = s_open(self->master_key, ad, ad_len, reply->str, &plain, &plain_len);
    if (opened == -2) {
        s_err(err, err_size, "out of memory");
        goto cleanup;
    }
    if (opened != 0 || plain_len != strlen(S_KEYCHECK_TEXT) || memcmp(plain, S_KEYCHECK_TEXT, plain_len) != 0) {
        s_err(err, err_size, "the vault master key does not match the one the vault was written with");
        goto cleanup;
    }
    rc = 0;
cleanup:
    free(plain);
    free(sealed);
    if (reply)
        freeReplyObject(reply);
    return rc;
}

/* ---- the document ------------------------------------------------------ */

/* The subject key of doc into key: 0, 1 when there is none (never made or
   destroyed), -1 when the wrapped key fails authentication. */
static int
s_subject_key(pacta_vault_t *self, const json_t *doc, const char *tenant, const char *subject_id,
              unsigned char key[PACTA_VAULT_KEY_BYTES])
{
    const char *wrapped = json_string_value(json_object_get(doc, "key"));
    if (!wrapped || json_is_true(json_object_get(doc, "key_destroyed")))
        return 1;
    unsigned char ad[S_AD_MAX];
    size_t ad_len = 0;
    if (s_ad(ad, &ad_len, "subject-key", tenant, subject_id, "") != 0)
        return -1;
    unsigned char *plain = NULL;
    size_t plain_len = 0;
    int opened = s_open(self->master_key, ad, ad_len, wrapped, &plain, &plain_len);
    if (opened != 0 || plain_len != PACTA_VAULT_KEY_BYTES) {
        s_free_secret(plain, plain_len);
        return -1;
    }
    memcpy(key, plain, PACTA_VAULT_KEY_BYTES);
    s_free_secret(plain, plain_len);
    return 0;
}

/* Opens one category's sealed fields into a JSON object. 0, -1 tampered,
   -2 out of memory. */
static int
s_open_category(const unsigned char *key, const char *tenant, const char *subject_id, const char *category,
                const char *sealed, json_t **fields_out)
{
    unsigned char ad[S_AD_MAX];
    size_t ad_len = 0;
    if (s_ad(ad, &ad_len, "category", tenant, subject_id, category) != 0)
        return -1;
    unsigned char *plain = NULL;
    size_t plain_len = 0;
    int opened = s_open(key, ad, ad_len, sealed, &plain, &plain_len);
    if (opened != 0)
        return opened;
    json_error_t error;
    json_t *fields = json_loadb((const char *) plain, plain_len, 0, &error);
    s_free_secret(plain, plain_len);
    if (!fields || !json_is_object(fields)) {
        json_decref(fields);
        return -1;
    }
    *fields_out = fields;
    return 0;
}

static json_t *
s_category(const json_t *doc, const char *category)
{
    json_t *categories = json_object_get(doc, "categories");
    return json_is_object(categories) ? json_object_get(categories, category) : NULL;
}

const char *
pacta_vault_doc_state(const json_t *doc, const char *category)
{
    return json_string_value(json_object_get(s_category(doc, category), "state"));
}

int
pacta_vault_doc_record(pacta_vault_t *self, json_t *doc, const char *tenant, const char *subject_id,
                       const char *category, const json_t *fields, char *err, size_t err_size)
{
    int rc = -1;
    unsigned char key[PACTA_VAULT_KEY_BYTES];
    json_t *merged = NULL;
    char *text = NULL;
    char *sealed = NULL;
    char *wrapped = NULL;
    unsigned char ad[S_AD_MAX];
    size_t ad_len = 0;

    if (!pacta_vault_category_from_name(category) || !json_is_object(fields)) {
        s_err(err, err_size, "unknown personal data category");
        goto cleanup;
    }
    int got = s_subject_key(self, doc, tenant, subject_id, key);
    if (got < 0) {
        s_err(err, err_size, "the subject key failed authentication (tampered or another master key)");
        goto cleanup;
    }
    if (got == 1) {
        /* First data of this subject, or first after an erasure: a new key,
           and nothing sealed under the old one can be left. */
        randombytes_buf(key, sizeof key);
        if (s_ad(ad, &ad_len, "subject-key", tenant, subject_id, "") != 0) {
            s_err(err, err_size, "tenant or subject id too long");
            goto cleanup;
        }
        wrapped = s_seal(self->master_key, ad, ad_len, key, sizeof key);
        if (!wrapped)
            goto oom;
        json_t *categories = json_object_get(doc, "categories");
        if (json_is_object(categories)) {
            const char *name;
            json_t *entry;
            json_object_foreach(categories, name, entry) json_object_del(entry, "sealed");
        }
        if (json_object_set_new(doc, "key", json_string(wrapped)) != 0
            || json_object_set_new(doc, "key_destroyed", json_false()) != 0
            || json_object_set_new(doc, "subject_id", json_string(subject_id)) != 0)
            goto oom;
    }
    json_t *entry = s_category(doc, category);
    const char *old = json_string_value(json_object_get(entry, "sealed"));
    if (old) {
        int opened = s_open_category(key, tenant, subject_id, category, old, &merged);
        if (opened == -2)
            goto oom;
        if (opened != 0) {
            s_err(err, err_size, "the stored %s data failed authentication (tampered)", category);
            goto cleanup;
        }
    } else {
        merged = json_object();
        if (!merged)
            goto oom;
    }
    const char *name;
    json_t *value;
    json_object_foreach((json_t *) fields, name, value) {
        if (!json_is_string(value)) {
            s_err(err, err_size, "personal data field values must be strings");
            goto cleanup;
        }
        if (json_object_set(merged, name, value) != 0)
            goto oom;
    }
    text = json_dumps(merged, JSON_COMPACT | JSON_SORT_KEYS);
    if (!text)
        goto oom;
    if (s_ad(ad, &ad_len, "category", tenant, subject_id, category) != 0) {
        s_err(err, err_size, "tenant or subject id too long");
        goto cleanup;
    }
    sealed = s_seal(key, ad, ad_len, text, strlen(text));
    if (!sealed)
        goto oom;
    json_t *categories = json_object_get(doc, "categories");
    if (!json_is_object(categories)) {
        if (json_object_set_new(doc, "categories", json_object()) != 0)
            goto oom;
        categories = json_object_get(doc, "categories");
    }
    json_t *fresh = json_pack("{s:s, s:s}", "state", "active", "sealed", sealed);
    if (!fresh || json_object_set_new(categories, category, fresh) != 0)
        goto oom;
    rc = 0;
    goto cleanup;
oom:
    s_err(err, err_size, "out of memory");
cleanup:
    sodium_memzero(key, sizeof key);
    if (text) {
        sodium_memzero(text, strlen(text));
        free(text);
    }
    json_decref(merged);
    free(sealed);
    free(wrapped);
    return rc;
}

pacta_vault_status_t
pacta_vault_doc_read(pacta_vault_t *self, const json_t *doc, const char *tenant, const char *subject_id,
                     const char *category, bool allow_archived, json_t **fields_out, char *err, size_t err_size)
{
    pacta_vault_status_t status = PACTA_VAULT_NONE;
    unsigned char key[PACTA_VAULT_KEY_BYTES];
    *fields_out = NULL;
    json_t *entry = s_category(doc, category);
    const char *state = json_string_value(json_object_get(entry, "state"));
    if (!state)
        return PACTA_VAULT_NONE;
    if (strcmp(state, "erased") == 0)
        return PACTA_VAULT_ERASED;
    if (strcmp(state, "archived") == 0 && !allow_archived)
        return PACTA_VAULT_RESTRICTED;
    const char *sealed = json_string_value(json_object_get(entry, "sealed"));
    if (!sealed)
        return PACTA_VAULT_ERASED;
    int got = s_subject_key(self, doc, tenant, subject_id, key);
    if (got == 1)
        return PACTA_VAULT_ERASED;
    if (got < 0) {
        s_err(err, err_size, "the subject key failed authentication");
        status = PACTA_VAULT_TAMPERED;
        goto cleanup;
    }
    int opened = s_open_category(key, tenant, subject_id, category, sealed, fields_out);
    if (opened == -2) {
        s_err(err, err_size, "out of memory");
        status = PACTA_VAULT_FAILED;
    } else if (opened != 0) {
        s_err(err, err_size, "the %s data failed authentication", category);
        status = PACTA_VAULT_TAMPERED;
    } else
        status = PACTA_VAULT_FOUND;
cleanup:
    sodium_memzero(key, sizeof key);
    return status;
}

int
pacta_vault_doc_archive(json_t *doc, const char *category, const char *archive_until)
{
    json_t *entry = s_category(doc, category);
    if (!json_object_get(entry, "sealed"))
        return -1;
    if (json_object_set_new(entry, "state", json_string("archived")) != 0
        || json_object_set_new(entry, "archive_until", json_string(archive_until ? archive_until : "")) != 0)
        return -1;
    return 0;
}

int
pacta_vault_doc_erase(json_t *doc, const char *category, bool *key_destroyed)
{
    if (key_destroyed)
        *key_destroyed = false;
    json_t *entry = s_category(doc, category);
    if (!entry)
        return -1;
    json_object_del(entry, "sealed");
    json_object_del(entry, "archive_until");
    if (json_object_set_new(entry, "state", json_string("erased")) != 0)
        return -1;
    const char *name;
    json_t *other;
    json_object_foreach(json_object_get(doc, "categories"), name, other) {
        if (json_object_get(other, "sealed"))
            return 0;
    }
    /* Nothing sealed remains: destroy the key (crypto-shredding). */
    json_object_del(doc, "key");
    json_object_set_new(doc, "key_destroyed", json_true());
    if (key_destroyed)
        *key_destroyed = true;
    return 0;
}

int
pacta_vault_doc_seal(pacta_vault_t *self, const json_t *doc, const char *tenant, const char *subject_id,
                     const char *label, const void *plaintext, size_t len, char **sealed_out, char *err,
                     size_t err_size)
{
    unsigned char key[PACTA_VAULT_KEY_BYTES];
    unsigned char ad[S_AD_MAX];
    size_t ad_len = 0;
    int rc = -1;
    *sealed_out = NULL;
    int got = s_subject_key(self, doc, tenant, subject_id, key);
    if (got != 0) {
        s_err(err, err_size, got == 1 ? "the subject has no key (nothing recorded, or erased)"
                                      : "the subject key failed authentication");
        goto cleanup;
    }
    if (s_ad(ad, &ad_len, "blob", tenant, subject_id, label) != 0) {
        s_err(err, err_size, "tenant, subject or label too long");
        goto cleanup;
    }
    *sealed_out = s_seal(key, ad, ad_len, plaintext, len);
    if (!*sealed_out) {
        s_err(err, err_size, "out of memory or too large");
        goto cleanup;
    }
    rc = 0;
cleanup:
    sodium_memzero(key, sizeof key);
    return rc;
}

pacta_vault_status_t
pacta_vault_doc_open(pacta_vault_t *self, const json_t *doc, const char *tenant, const char *subject_id,
                     const char *label, const char *sealed, char **plaintext_out, size_t *len_out, char *err,
                     size_t err_size)
{
    unsigned char key[PACTA_VAULT_KEY_BYTES];
    unsigned char ad[S_AD_MAX];
    size_t ad_len = 0;
    pacta_vault_status_t status = PACTA_VAULT_TAMPERED;
    *plaintext_out = NULL;
    int got = s_subject_key(self, doc, tenant, subject_id, key);
    if (got == 1) {
        s_err(err, err_size, "the subject key is destroyed");
        status = PACTA_VAULT_ERASED;
        goto cleanup;
    }
    if (got < 0 || s_ad(ad, &ad_len, "blob", tenant, subject_id, label) != 0) {
        s_err(err, err_size, "the subject key failed authentication");
        goto cleanup;
    }
    unsigned char *plain = NULL;
    size_t plain_len = 0;
    int opened = s_open(key, ad, ad_len, sealed, &plain, &plain_len);
    if (opened == -2) {
        s_err(err, err_size, "out of memory");
        status = PACTA_VAULT_FAILED;
    } else if (opened != 0) {
        s_err(err, err_size, "the sealed %s failed authentication", label);
    } else {
        *plaintext_out = (char *) plain;
        *len_out = plain_len;
        status = PACTA_VAULT_FOUND;
    }
cleanup:
    sodium_memzero(key, sizeof key);
    return status;
}

/* ---- audit and lookup ------------------------------------------------------ */

int
pacta_vault_audit_access(pacta_store_t *store, const char *tenant, const char *subject_id, const char *who,
                         const char *purpose, const char *categories, const char *outcome, const char *summary)
{
    char prefix[PACTA_DEDUP_PREFIX_MAX + 1];
    char entity[PACTA_DEDUP_PREFIX_MAX];
    char key[PACTA_DEDUP_PREFIX_MAX + 16];
    if (snprintf(entity, sizeof entity, "s:%s", subject_id) >= (int) sizeof entity
        || pacta_dedup_prefix(tenant, entity, prefix, sizeof prefix) != 0
        || snprintf(key, sizeof key, "%s:audit", prefix) >= (int) sizeof key)
        return -1;
    redisReply *reply = NULL;
    int rc = pacta_store_command_strs(store, &reply, "XADD", key, "*", "entry", "access", "service",
                                      who ? who : "", "caused_by", "", "cause_type", "vault.access", "summary",
                                      summary ? summary : "", "date", "", "ref", subject_id, "purpose",
                                      purpose ? purpose : "", "categories", categories ? categories : "", "outcome",
                                      outcome ? outcome : "", NULL);
    if (reply)
        freeReplyObject(reply);
    return rc;
}

static bool
s_purpose_may_read_archive(const char *purpose)
{
    return purpose
           && (strcmp(purpose, PACTA_VAULT_PURPOSE_LEGAL) == 0 || strcmp(purpose, PACTA_VAULT_PURPOSE_ACCOUNTING) == 0);
}

pacta_vault_status_t
pacta_vault_lookup_contact(pacta_vault_t *self, pacta_store_t *store, const char *tenant, const char *subject_id,
                           const char *who, const char *purpose, json_t **fields_out, char *err, size_t err_size)
{
    static const char *const wanted[] = {"identity", "contact"};
    pacta_vault_status_t status = PACTA_VAULT_FAILED;
    redisReply *reply = NULL;
    json_t *doc = NULL;
    json_t *result = NULL;
    char read_names[64] = "";
    char prefix[PACTA_DEDUP_PREFIX_MAX + 1];
    char entity[PACTA_DEDUP_PREFIX_MAX];
    char key[PACTA_DEDUP_PREFIX_MAX + 16];
    *fields_out = NULL;

    if (!tenant || !subject_id || !*subject_id) {
        s_err(err, err_size, "tenant and subject id are required");
        goto cleanup;
    }
    if (snprintf(entity, sizeof entity, "s:%s", subject_id) >= (int) sizeof entity
        || pacta_dedup_prefix(tenant, entity, prefix, sizeof prefix) != 0
        || snprintf(key, sizeof key, "%s:" PACTA_VAULT_DOC, prefix) >= (int) sizeof key) {
        s_err(err, err_size, "tenant or subject id too long");
        goto cleanup;
    }
    if (pacta_store_command_strs(store, &reply, "HMGET", key, "doc", NULL) != 0) {
        s_err(err, err_size, "cannot read the vault: %s", pacta_store_error(store));
        goto cleanup;
    }
    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 1) {
        s_err(err, err_size, "unexpected reply reading the vault");
        goto cleanup;
    }
    if (reply->element[0]->type != REDIS_REPLY_STRING) {
        status = PACTA_VAULT_NONE;
        goto cleanup;
    }
    json_error_t error;
    doc = json_loadb(reply->element[0]->str, reply->element[0]->len, 0, &error);
    if (!json_is_object(doc)) {
        s_err(err, err_size, "the vault document is not a JSON object");
        status = PACTA_VAULT_TAMPERED;
        goto audit;
    }
    //  A restriction stops every read; an objection (or a consent withdrawn)
    //  stops the reads for that purpose.
    if (json_is_true(json_object_get(doc, "restricted"))
        || (purpose && json_object_get(json_object_get(doc, "objections"), purpose))) {
        status = PACTA_VAULT_RESTRICTED;
        goto audit;
    }
    result = json_object();
    if (!result) {
        s_err(err, err_size, "out of memory");
        goto cleanup;
    }
    bool any_restricted = false;
    bool any_erased = false;
    for (size_t i = 0; i < sizeof wanted / sizeof wanted[0]; i++) {
        json_t *fields = NULL;
        pacta_vault_status_t got = pacta_vault_doc_read(self, doc, tenant, subject_id, wanted[i],
                                                        s_purpose_may_read_archive(purpose), &fields, err, err_size);
        if (got == PACTA_VAULT_TAMPERED || got == PACTA_VAULT_FAILED) {
            status = got;
            goto audit;
        }
        if (got == PACTA_VAULT_RESTRICTED)
            any_restricted = true;
        if (got == PACTA_VAULT_ERASED)
            any_erased = true;
        if (got == PACTA_VAULT_FOUND) {
            json_object_update(result, fields);
            json_decref(fields);
            size_t used = strlen(read_names);
            snprintf(read_names + used, sizeof read_names - used, "%s%s", used ? "," : "", wanted[i]);
        }
    }
    if (read_names[0])
        status = PACTA_VAULT_FOUND;
    else if (any_restricted)
        status = PACTA_VAULT_RESTRICTED;
    else if (any_erased || json_is_true(json_object_get(doc, "key_destroyed")))
        status = PACTA_VAULT_ERASED;
    else
        status = PACTA_VAULT_NONE;
audit:
    if (status != PACTA_VAULT_NONE) {
        char summary[160];
        snprintf(summary, sizeof summary, "vault lookup of contact details: %s", pacta_vault_status_name(status));
        if (pacta_vault_audit_access(store, tenant, subject_id, who, purpose,
                                     read_names[0] ? read_names : "identity,contact", pacta_vault_status_name(status),
                                     summary)
            != 0) {
            /* A read that cannot be logged is not returned. */
            s_err(err, err_size, "cannot append the access to the audit stream: %s", pacta_store_error(store));
            status = PACTA_VAULT_FAILED;
        }
    }
    if (status == PACTA_VAULT_FOUND) {
        *fields_out = result;
        result = NULL;
    }
cleanup:
    json_decref(result);
    json_decref(doc);
    if (reply)
        freeReplyObject(reply);
    return status;
}
