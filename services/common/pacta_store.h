/*  =========================================================================
    pacta_store - the Redis connection every service shares

    Addresses:   redis://[user:password@]host[:port][/db]
                 redis://[::1]:6379/2        unix:///run/redis.sock?db=N
                 (user, password and path are percent-decoded; query keys
                 db, user and password are accepted on both forms)
    Commands:    pacta_store_command(store, &reply, argc, argv, lens) with
                 explicit lengths; data never goes through a format string.
    Scripts:     pacta_store_script_register(store, "clock_advance", src) once;
                 they are SCRIPT LOADed at every (re)connect and run with
                 pacta_store_script_run() via EVALSHA, reloaded on NOSCRIPT.

    Ownership: on success (0) the caller owns *reply and MUST release it with
    freeReplyObject(); on failure (-1) *reply is NULL and nothing is owed.
    Failures say what went wrong through pacta_store_error_kind():
      PACTA_STORE_E_REPLY         Redis answered with an error (message in
                                  pacta_store_error): the connection is fine;
      PACTA_STORE_E_IO            the connection broke or timed out: it was
                                  dropped and the next call reconnects;
      PACTA_STORE_E_DISCONNECTED  no connection and the reconnect backoff has
                                  not elapsed (or the reconnect failed).
    A command that failed with E_IO is NOT retried here: it may or may not
    have run. Callers retry at their level (message ids make that safe).

    Not thread-safe, except pacta_store_connected(), pacta_store_reconnects()
    and pacta_store_health(), which an HTTP thread may call at any time.
    =========================================================================
*/
#ifndef PACTA_STORE_H_INCLUDED
#define PACTA_STORE_H_INCLUDED

#include <hiredis/hiredis.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PACTA_STORE_URL_MAX 1024

/* A parsed Redis address. */
typedef struct {
    bool is_unix;         /* unix socket (path) rather than TCP (host, port) */
    char host[256];       /* TCP host name or address, brackets removed from IPv6 */
    int port;             /* TCP port, 6379 when absent */
    char path[108];       /* unix socket path (sun_path size) */
    char user[128];       /* ACL user name, "" for none (AUTH password only) */
    char password[512];   /* "" for no AUTH */
    int db;               /* SELECT db, 0 when absent */
} pacta_store_url_t;

typedef enum {
    PACTA_STORE_E_NONE = 0,
    PACTA_STORE_E_REPLY,          /* Redis error reply; connection still good */
    PACTA_STORE_E_IO,             /* I/O error, timeout or protocol error; connection dropped */
    PACTA_STORE_E_DISCONNECTED,   /* not connected, reconnect failed or backing off */
    PACTA_STORE_E_USAGE           /* bad call: unknown script, keys in different hash slots... */
} pacta_store_error_kind_t;

typedef struct {
    const char *url;                 /* see above; required */
    const char *password;            /* replaces the URL's password when non-NULL and non-empty */
    const char *client_name;         /* CLIENT SETNAME value (no spaces), may be NULL */
    int64_t connect_timeout_ms;      /* TCP/unix connect timeout; 0 means 2000 */
    int64_t command_timeout_ms;      /* per-command read/write timeout; 0 means 5000 */
    int64_t backoff_initial_ms;      /* first delay after a failed connect; 0 means 100 */
    int64_t backoff_max_ms;          /* cap of the exponential backoff; 0 means 5000 */
} pacta_store_options_t;

typedef struct pacta_store pacta_store_t;

/* Parses url into *out. 0, or -1 with a reason in err (never echoing the
   password). */
int pacta_store_url_parse(const char *url, pacta_store_url_t *out, char *err, size_t err_size);
/* "redis://host:port/db" or "unix:///path?db=N", without credentials, for
   logs. Returns buf. */
char *pacta_store_url_describe(const pacta_store_url_t *url, char *buf, size_t size);

/* A store for options->url; does NOT connect yet. NULL with a reason in err
   on a bad URL or out of memory. Caller owns the result. */
pacta_store_t *pacta_store_new(const pacta_store_options_t *options, char *err, size_t err_size);
/* Closes the connection. Safe on NULL and twice. */
void pacta_store_destroy(pacta_store_t **self_p);

/* Connects now (ignoring any backoff): connect timeout, command timeout,
   AUTH, SELECT, CLIENT SETNAME, SCRIPT LOAD of every registered script.
   0, or -1 and the next automatic attempt is scheduled with backoff. */
int pacta_store_connect(pacta_store_t *self);
/* 0 if connected; otherwise one connect attempt if the backoff delay has
   elapsed. Every command calls this first. */
int pacta_store_ensure_connected(pacta_store_t *self);
/* Drops the connection (the next command reconnects at once). */
void pacta_store_disconnect(pacta_store_t *self);

/* Thread-safe status. */
bool pacta_store_connected(pacta_store_t *self);
/* Successful connects after the first one. */
uint64_t pacta_store_reconnects(pacta_store_t *self);
/* 0 when connected; -1 with the last connection error in detail. */
int pacta_store_health(pacta_store_t *self, char *detail, size_t detail_size);

/* Last error of this thread's calls, and its kind. */
const char *pacta_store_error(const pacta_store_t *self);
pacta_store_error_kind_t pacta_store_error_kind(const pacta_store_t *self);
/* Milliseconds until the next automatic connect attempt (0 if due now or
   connected). */
int64_t pacta_store_retry_in_ms(const pacta_store_t *self);

/* Runs one command. argv_len may be NULL when every argument is a C string.
   reply_out may be NULL when only success matters. */
int pacta_store_command(pacta_store_t *self, redisReply **reply_out, int argc, const char *const *argv,
                        const size_t *argv_len);
/* Same with C-string arguments ending with NULL, e.g.
   pacta_store_command_strs(s, &r, "HGET", key, field, NULL). */
int pacta_store_command_strs(pacta_store_t *self, redisReply **reply_out, const char *arg0, ...)
    __attribute__((sentinel));
/* PING: 0 or -1. */
int pacta_store_ping(pacta_store_t *self);

/* ---- Lua scripts ---------------------------------------------------------- */

/* Registers (or replaces) script `name`. source is borrowed and must outlive
   the store (the embedded pacta_lua_* strings do). Loaded at once when
   connected (-1 if Redis rejects it), else at the next connect. */
int pacta_store_script_register(pacta_store_t *self, const char *name, const char *source);
/* SHA1 of a loaded script, or NULL if unknown or not loaded yet. */
const char *pacta_store_script_sha(const pacta_store_t *self, const char *name);
/* EVALSHA of script `name` with key_count KEYS and arg_count ARGV (lengths
   may be NULL for C strings). All keys must share one hash tag ({...}), as
   on Redis Cluster; otherwise -1 with PACTA_STORE_E_USAGE. On NOSCRIPT the
   script is loaded again and run once more. */
int pacta_store_script_run(pacta_store_t *self, redisReply **reply_out, const char *name, size_t key_count,
                           const char *const *keys, const size_t *key_lens, size_t arg_count,
                           const char *const *args, const size_t *arg_lens);

/* One call of a pipelined batch (pacta_store_script_run_batch). */
typedef struct {
    size_t key_count;                /* KEYS, all sharing one hash tag */
    const char *const *keys;         /* key names */
    const size_t *key_lens;          /* lengths, or NULL for C strings */
    size_t arg_count;                /* ARGV */
    const char *const *args;         /* argument bytes */
    const size_t *arg_lens;          /* lengths, or NULL for C strings */
    redisReply *reply;               /* out: the reply (an error reply too); caller frees; NULL if not run */
} pacta_store_script_call_t;

/* Runs script `name` once per call, pipelined: all EVALSHAs are written,
   then all replies read, so N calls cost one round trip instead of N. A
   NOSCRIPT reply makes that call run again through pacta_store_script_run.
   0 when every call got a reply (each reply may be REDIS_REPLY_ERROR: check
   it); -1 on a connection failure (E_IO / E_DISCONNECTED: replies of calls
   already read are kept, the others are NULL and may or may not have run)
   or on a usage error (unknown script, keys in different hash slots: no
   call was sent). */
int pacta_store_script_run_batch(pacta_store_t *self, const char *name, pacta_store_script_call_t *calls,
                                 size_t count);

/* The hash tag of key (text between the first '{' and the next '}', when
   not empty) or the whole key, as Redis Cluster computes slots. */
void pacta_store_key_hash_tag(const char *key, size_t key_len, const char **tag, size_t *tag_len);

#ifdef __cplusplus
}
#endif

#endif
