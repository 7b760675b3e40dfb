/*  =========================================================================
    pacta_clock - what "now" and "today" are for a tenant

    REAL mode: the wall clock, turned into a Brussels calendar date by
    pacta_date_from_instant(). TEST mode: each tenant has its own clock in
    Redis (key pacta:{clock:<tenant>}, an instant in seconds), shared by
    every instance of every service, so an operator can replay a year of
    contract life in seconds with `pactactl clock advance`.

    A tenant whose test clock was never set follows the wall clock. The first
    set may pick any instant (scenarios usually start in the past); after
    that the clock only moves forward: pacta_clock_set() to an earlier
    instant and negative advances are refused (PACTA_CLOCK_E_BACKWARDS) and
    the clock is left unchanged. pacta_clock_reset() forgets the clock.

    Rules never call this module (style rule 3): the service shell asks for
    today once per event or timer and passes the date to the core.
    =========================================================================
*/
#ifndef PACTA_CLOCK_H_INCLUDED
#define PACTA_CLOCK_H_INCLUDED

#include <stddef.h>
#include <stdint.h>

#include "pacta_date.h"
#include "pacta_store.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PACTA_CLOCK_TENANT_MAX 64   /* longest tenant name, bytes */
#define PACTA_CLOCK_KEY_MAX 96      /* room for the clock key */

typedef enum {
    PACTA_CLOCK_REAL = 0,           /* wall time */
    PACTA_CLOCK_TEST                /* per-tenant clocks in Redis */
} pacta_clock_mode_t;

typedef enum {
    PACTA_CLOCK_E_NONE = 0,
    PACTA_CLOCK_E_BACKWARDS,        /* refused: the clock would go back */
    PACTA_CLOCK_E_STORE,            /* Redis failed (see the message) */
    PACTA_CLOCK_E_INVALID           /* bad tenant name, out-of-range instant, real mode... */
} pacta_clock_error_kind_t;

typedef struct pacta_clock pacta_clock_t;

/* "real" or "test" into *out: 0, or -1. */
int pacta_clock_mode_parse(const char *text, pacta_clock_mode_t *out);
const char *pacta_clock_mode_name(pacta_clock_mode_t mode);

/* A clock in mode. store is borrowed and required in TEST mode (the
   clock_advance script is registered on it); it may be NULL in REAL mode.
   Caller owns the result. */
pacta_clock_t *pacta_clock_new(pacta_clock_mode_t mode, pacta_store_t *store);
void pacta_clock_destroy(pacta_clock_t **self_p);
pacta_clock_mode_t pacta_clock_mode(const pacta_clock_t *self);

/* The current instant (UTC seconds) for tenant. 0 or -1. */
int pacta_clock_now(pacta_clock_t *self, const char *tenant, pacta_instant_t *out);
/* Today's Brussels date for tenant. 0 or -1. */
int pacta_clock_today(pacta_clock_t *self, const char *tenant, pacta_date_t *out);

/* TEST mode only. Set to / advance by, atomically; the resulting instant is
   written to *now_out when not NULL. 0 or -1 (see pacta_clock_error_kind). */
int pacta_clock_set(pacta_clock_t *self, const char *tenant, pacta_instant_t instant, pacta_instant_t *now_out);
int pacta_clock_advance(pacta_clock_t *self, const char *tenant, int64_t seconds, pacta_instant_t *now_out);
/* TEST mode only: forgets the tenant's clock (it follows the wall clock
   again, and the next set may go anywhere). */
int pacta_clock_reset(pacta_clock_t *self, const char *tenant);

const char *pacta_clock_error(const pacta_clock_t *self);
pacta_clock_error_kind_t pacta_clock_error_kind(const pacta_clock_t *self);

/* Writes the Redis key of tenant's clock. 0, or -1 if tenant is empty,
   longer than PACTA_CLOCK_TENANT_MAX or uses characters outside
   [A-Za-z0-9._-] (braces would break the hash tag). */
int pacta_clock_key(const char *tenant, char *buf, size_t size);

#ifdef __cplusplus
}
#endif

#endif
