/*  =========================================================================
    i5d_fixture - the invoicing-gap suites' tenants, store and runtime

    Design decision: invoicing runs in-process through the real service
    shell (pacta_runtime: documents, Lua effect, outbox, timers) on tenants
    of this process only, so Criterion's parallel test processes never see
    each other's keys and no bus is needed; what invoicing emits is read
    back from its outbox stream.
    =========================================================================
*/
#include "i5d_fixture.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "inv_handlers.h"
#include "inv_service.h"
#include "../shell/shell_fixture.h"

#define I5D_DB "5"   /* this area's database of the test Redis */

static const struct {
    const char *prefix;                /* tenant name prefix */
    const char *source;                /* profile it copies, from the source tree */
} s_tenants[I5D_TENANT_COUNT] = {
    {"i5dc", "/deploy/profiles/capconnect.yaml"},
    {"i5ds", "/deploy/profiles/sgevent.yaml"},
    {"i5dp", "/deploy/profiles/sgevent.yaml"},
    {"i5da", "/tests/fixtures/profiles/acme.yaml"},
};

const char *
i5d_tenant(i5d_tenant_t which)
{
    static char names[I5D_TENANT_COUNT][32];
    if (!names[which][0])
        snprintf(names[which], sizeof names[which], "%s%ld", s_tenants[which].prefix, (long) getpid());
    return names[which];
}

//  Copies the profile of `which` under its tenant name into dir; the
//  propose variant turns SG-8c (late_payment.professional) to `propose`.
static void
s_write_profile(const char *dir, i5d_tenant_t which)
{
    char source[600], target[700], line[1024];
    snprintf(source, sizeof source, "%s%s", PACTA_SOURCE_DIR, s_tenants[which].source);
    snprintf(target, sizeof target, "%s/%s.yaml", dir, i5d_tenant(which));
    FILE *in = fopen(source, "r");
    cr_assert_not_null(in, "cannot read %s", source);
    FILE *out = fopen(target, "w");
    cr_assert_not_null(out, "cannot write %s", target);
    bool renamed = false, in_professional = false, proposed = false;
    while (fgets(line, sizeof line, in)) {
        if (!renamed && strncmp(line, "tenant:", 7) == 0) {
            fprintf(out, "tenant: %s\n", i5d_tenant(which));
            renamed = true;
            continue;
        }
        if (which == I5D_SGEVENT_PROPOSE) {
            if (strncmp(line, "  professional:", 15) == 0)
                in_professional = true;
            else if (in_professional && strncmp(line, "    mode: auto", 14) == 0) {
                fputs("    mode: propose\n", out);
                in_professional = false;
                proposed = true;
                continue;
            }
        }
        fputs(line, out);
    }
    fclose(in);
    fclose(out);
    cr_assert(renamed, "%s has a top-level tenant: line", source);
    cr_assert(which != I5D_SGEVENT_PROPOSE || proposed, "sgevent.yaml's SG-8c block has a mode: auto line");
}

static const char *
s_profile_dir(void)
{
    static char dir[512];
    if (dir[0])
        return dir;
    const char *base = getenv("PACTA_TEST_WORKDIR");
    if (!base || !*base)
        base = getenv("TMPDIR");
    if (!base || !*base)
        base = "/tmp";
    snprintf(dir, sizeof dir, "%s/i5d-%ld", base, (long) getpid());
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        cr_assert_fail("cannot create %s: %s", dir, strerror(errno));
    for (int which = 0; which < I5D_TENANT_COUNT; which++)
        s_write_profile(dir, (i5d_tenant_t) which);
    return dir;
}

//  Deletes what an earlier run left under this process's names: pids are
//  reused, and database 5 is not flushed (tests run side by side in it).
static void
s_forget_earlier_runs(pacta_store_t *store)
{
    long pid = (long) getpid();
    char patterns[5][64];
    snprintf(patterns[0], sizeof patterns[0], "*i5d?%ld:*", pid);   /* pacta:<tenant>:{...}:... */
    snprintf(patterns[1], sizeof patterns[1], "*i5d?%ld}*", pid);   /* pacta:{ix:<tenant>}:..., clocks */
    snprintf(patterns[2], sizeof patterns[2], "*i5d%ld", pid);      /* ...:outbox:<service> */
    snprintf(patterns[3], sizeof patterns[3], "*i5d%ld}*", pid);    /* pacta:{outbox:<service>}:... */
    snprintf(patterns[4], sizeof patterns[4], "*i5d%ld:*", pid);
    for (size_t p = 0; p < 5; p++) {
        char cursor[32] = "0";
        do {
            redisReply *reply = NULL;
            cr_assert_eq(pacta_store_command_strs(store, &reply, "SCAN", cursor, "MATCH", patterns[p], "COUNT",
                                                  "1000", NULL),
                         0);
            cr_assert(reply->type == REDIS_REPLY_ARRAY && reply->elements == 2);
            snprintf(cursor, sizeof cursor, "%s", reply->element[0]->str);
            const redisReply *keys = reply->element[1];
            for (size_t k = 0; k < keys->elements; k++) {
                redisReply *deleted = NULL;
                cr_assert_eq(pacta_store_command_strs(store, &deleted, "DEL", keys->element[k]->str, NULL), 0);
                freeReplyObject(deleted);
            }
            freeReplyObject(reply);
        } while (strcmp(cursor, "0") != 0);
    }
}

void
i5d_setup(i5d_t *self)
{
    memset(self, 0, sizeof *self);
    const char *base = sf_redis_url();
    char url[600], err[512];
    if (strncmp(base, "unix://", 7) == 0)
        snprintf(url, sizeof url, "%s%sdb=" I5D_DB, base, strchr(base, '?') ? "&" : "?");
    else
        snprintf(url, sizeof url, "%s/" I5D_DB, base);
    pacta_store_options_t store_options = {.url = url, .client_name = "i5d-test"};
    self->store = pacta_store_new(&store_options, err, sizeof err);
    cr_assert_not_null(self->store, "store: %s", err);
    cr_assert_eq(pacta_store_connect(self->store), 0, "redis at %s: %s", url, pacta_store_error(self->store));
    s_forget_earlier_runs(self->store);
    self->profiles = pacta_profile_set_load_dir(s_profile_dir(), err, sizeof err);
    cr_assert_not_null(self->profiles, "profiles: %s", err);
    self->clock = pacta_clock_new(PACTA_CLOCK_TEST, self->store);
    cr_assert_not_null(self->clock);
    snprintf(self->service, sizeof self->service, "inv-i5d%ld", (long) getpid());
    pacta_runtime_options_t options = {.service = self->service, .consumes = inv_service_spec()->consumes,
                                       .handlers = &inv_handlers, .store = self->store,
                                       .profiles = self->profiles, .clock = self->clock};
    self->invoicing = pacta_runtime_new(&options, err, sizeof err);
    cr_assert_not_null(self->invoicing, "%s", err);
}

void
i5d_teardown(i5d_t *self)
{
    pacta_runtime_destroy(&self->invoicing);
    pacta_clock_destroy(&self->clock);
    pacta_store_destroy(&self->store);
    pacta_profile_set_destroy(&self->profiles);
}

void
i5d_contract_exists(i5d_t *self, const char *tenant, const char *contract_id)
{
    char key[256], doc[256];
    snprintf(key, sizeof key, "pacta:%s:{c:%s}:contract", tenant, contract_id);
    snprintf(doc, sizeof doc, "{\"contract_id\": \"%s\", \"state\": \"active\"}", contract_id);
    redisReply *reply = NULL;
    cr_assert_eq(pacta_store_command_strs(self->store, &reply, "HSETNX", key, "doc", doc, NULL), 0);
    freeReplyObject(reply);
}

void
i5d_clock(i5d_t *self, const char *tenant, const char *day)
{
    Pacta__V1__Date storage;
    const Pacta__V1__Date *date = sf_date(&storage, day);
    pacta_instant_t now;
    cr_assert_eq(pacta_clock_set(self->clock, tenant,
                                 pacta_date_start_instant(pacta_date_from_ymd(date->year, date->month, date->day)),
                                 &now),
                 0, "clock of %s to %s", tenant, day);
}

void
i5d_send_result(i5d_t *self, const char *tenant, const char *contract_id, const char *message_id,
                const ProtobufCMessage *payload, pacta_runtime_result_t *result)
{
    char entity[128];
    snprintf(entity, sizeof entity, "c:%s", contract_id);
    Pacta__V1__Envelope *envelope = sf_envelope(tenant, entity, message_id, payload);
    pacta_runtime_handle(self->invoicing, envelope, result);
    sf_envelope_free(envelope);
}

void
i5d_send(i5d_t *self, const char *tenant, const char *contract_id, const char *message_id,
         const ProtobufCMessage *payload)
{
    pacta_runtime_result_t result;
    i5d_send_result(self, tenant, contract_id, message_id, payload, &result);
    cr_assert(result.ack, "%s %s: %s (%s)", payload->descriptor->short_name, message_id, result.detail, result.field);
}

size_t
i5d_emitted(i5d_t *self, const char *tenant, const char *contract_id, const ProtobufCMessageDescriptor *descriptor,
            ProtobufCMessage **out, size_t max)
{
    char key[256];
    snprintf(key, sizeof key, "pacta:%s:{c:%s}:outbox:%s", tenant, contract_id, self->service);
    redisReply *reply = NULL;
    cr_assert_eq(pacta_store_command_strs(self->store, &reply, "XRANGE", key, "-", "+", NULL), 0);
    size_t count = 0;
    for (size_t i = 0; reply->type == REDIS_REPLY_ARRAY && i < reply->elements && count < max; i++) {
        const redisReply *fields = reply->element[i]->element[1];
        for (size_t k = 0; k + 1 < fields->elements; k += 2) {
            if (strcmp(fields->element[k]->str, "env") != 0)
                continue;
            Pacta__V1__Envelope *envelope = pacta__v1__envelope__unpack(
                NULL, fields->element[k + 1]->len, (const uint8_t *) fields->element[k + 1]->str);
            cr_assert_not_null(envelope, "an outbox entry of %s is not an envelope", key);
            if (strcmp(envelope->message_type, descriptor->name) == 0) {
                out[count] = protobuf_c_message_unpack(descriptor, NULL, envelope->payload.len, envelope->payload.data);
                cr_assert_not_null(out[count], "a %s in %s does not decode", descriptor->name, key);
                count++;
            }
            pacta__v1__envelope__free_unpacked(envelope, NULL);
        }
    }
    freeReplyObject(reply);
    return count;
}

size_t
i5d_forward(i5d_t *self, const char *tenant, const char *contract_id, const ProtobufCMessageDescriptor *descriptor)
{
    char key[256];
    snprintf(key, sizeof key, "pacta:%s:{c:%s}:outbox:%s", tenant, contract_id, self->service);
    redisReply *reply = NULL;
    cr_assert_eq(pacta_store_command_strs(self->store, &reply, "XRANGE", key, "-", "+", NULL), 0);
    size_t count = 0;
    for (size_t i = 0; reply->type == REDIS_REPLY_ARRAY && i < reply->elements; i++) {
        const redisReply *fields = reply->element[i]->element[1];
        for (size_t k = 0; k + 1 < fields->elements; k += 2) {
            if (strcmp(fields->element[k]->str, "env") != 0)
                continue;
            Pacta__V1__Envelope *envelope = pacta__v1__envelope__unpack(
                NULL, fields->element[k + 1]->len, (const uint8_t *) fields->element[k + 1]->str);
            cr_assert_not_null(envelope);
            if (strcmp(envelope->message_type, descriptor->name) == 0) {
                pacta_runtime_result_t result;
                pacta_runtime_handle(self->invoicing, envelope, &result);
                cr_assert(result.ack, "%s: %s (%s)", envelope->message_type, result.detail, result.field);
                count++;
            }
            pacta__v1__envelope__free_unpacked(envelope, NULL);
        }
    }
    freeReplyObject(reply);
    return count;
}

void
i5d_free_all(ProtobufCMessage **messages, size_t count)
{
    for (size_t i = 0; i < count; i++)
        protobuf_c_message_free_unpacked(messages[i], NULL);
}

json_t *
i5d_ledger(i5d_t *self, const char *tenant, const char *contract_id)
{
    char key[256];
    snprintf(key, sizeof key, "pacta:%s:{c:%s}:ledger", tenant, contract_id);
    json_t *doc = sf_doc(self->store, key, NULL);
    cr_assert_not_null(doc, "no ledger at %s", key);
    return doc;
}

json_t *
i5d_audit(i5d_t *self, const char *tenant, const char *contract_id)
{
    char key[256];
    snprintf(key, sizeof key, "pacta:%s:{c:%s}:audit", tenant, contract_id);
    return sf_audit(self->store, key);
}
