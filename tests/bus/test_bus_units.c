/*  =========================================================================
    test_bus_units - the bus's parsers and tables, without any I/O

    Routing table (builtin from the five services, routes files), CURVE
    allow-list, frame and reply helpers, keys, hashing and the map.
    Everything that reads untrusted or configured text is fed bad text too.
    =========================================================================
*/
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "bus_allow.h"
#include "bus_routes.h"
#include "ctr_service.h"
#include "pacta_bus_wire.h"
#include "pacta_map.h"

/* ---------------------------------------------------------------------------
   Routing table
   ------------------------------------------------------------------------ */

Test(routes, builtin_table_is_the_five_services_consumes_lists)
{
    bus_routes_t *routes = bus_routes_new();
    cr_assert_eq(bus_routes_add_builtin(routes), 0);
    cr_assert_eq(bus_routes_class_count(routes), 5);
    const char *expected[] = {"contracts", "invoicing", "enforcement", "notifications", "gdpr-retention"};
    for (size_t i = 0; i < 5; i++)
        cr_assert_geq(bus_routes_class_index(routes, expected[i], strlen(expected[i])), 0, "%s", expected[i]);
    /* Every type the contracts service declares routes to contracts. */
    const pacta_service_spec_t *spec = ctr_service_spec();
    int contracts = bus_routes_class_index(routes, "contracts", 9);
    size_t declared = 0;
    for (size_t i = 0; spec->consumes[i]; i++, declared++) {
        int type = bus_routes_type_index(routes, spec->consumes[i], strlen(spec->consumes[i]));
        cr_assert_geq(type, 0, "%s", spec->consumes[i]);
        cr_assert(bus_routes_has(routes, (size_t) contracts, (size_t) type), "%s", spec->consumes[i]);
    }
    cr_assert_gt(declared, 10);
    bus_routes_destroy(&routes);
    bus_routes_destroy(&routes);
    cr_assert_null(routes);
}

Test(routes, file_adds_classes_and_fans_out_shared_types)
{
    const char *text = "# extra consumers\n"
                       "audit   pacta.v1.DecisionRecorded pacta.v1.DataErased   # trailing comment\n"
                       "\n"
                       "   \t\n"
                       "export  pacta.v1.DataErased\n"
                       "audit   pacta.v1.Suspend\n";
    bus_routes_t *routes = bus_routes_new();
    char err[256] = "";
    cr_assert_eq(bus_routes_parse(routes, text, strlen(text), "extra.conf", err, sizeof err), 0, "%s", err);
    cr_assert_eq(bus_routes_class_count(routes), 2);
    int erased = bus_routes_type_index(routes, "pacta.v1.DataErased", 19);
    cr_assert_geq(erased, 0);
    const size_t *classes = NULL;
    cr_assert_eq(bus_routes_type_classes(routes, (size_t) erased, &classes), 2, "two classes consume it");
    cr_assert_eq(bus_routes_type_index(routes, "pacta.v1.Restore", 16), -1);
    int audit = bus_routes_class_index(routes, "audit", 5);
    int suspend = bus_routes_type_index(routes, "pacta.v1.Suspend", 16);
    cr_assert(bus_routes_has(routes, (size_t) audit, (size_t) suspend), "a class may span lines");
    cr_assert_eq(bus_routes_add(routes, "audit", "pacta.v1.Suspend"), 0, "idempotent");
    cr_assert_eq(bus_routes_type_classes(routes, (size_t) suspend, &classes), 1);
    bus_routes_destroy(&routes);
}

typedef struct {
    char text[128];                    /* routes file text */
    char message[64];                  /* expected in the error */
} bad_routes_t;

ParameterizedTestParameters(routes, bad_files_are_refused_naming_the_line)
{
    static bad_routes_t cases[] = {
        {"audit\n", "routes:1: class 'audit' lists no message type"},
        {"ok pacta.v1.A\nbad\xc3\xa9 pacta.v1.B\n", "routes:2:"},
        {"audit pacta.v1.A\x01\n", "routes:1:"},
        {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa x\n", "not a valid class name"},
    };
    return cr_make_param_array(bad_routes_t, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(bad_routes_t *c, routes, bad_files_are_refused_naming_the_line)
{
    bus_routes_t *routes = bus_routes_new();
    char err[256] = "";
    cr_assert_eq(bus_routes_parse(routes, c->text, strlen(c->text), "routes", err, sizeof err), -1);
    cr_assert(strstr(err, c->message), "error '%s' should contain '%s'", err, c->message);
    bus_routes_destroy(&routes);
}

Test(routes, missing_file_is_an_error)
{
    bus_routes_t *routes = bus_routes_new();
    char err[256] = "";
    cr_assert_eq(bus_routes_load_file(routes, "/nonexistent/routes.conf", err, sizeof err), -1);
    cr_assert(strstr(err, "/nonexistent/routes.conf"));
    bus_routes_destroy(&routes);
}

/* ---------------------------------------------------------------------------
   Allow-list
   ------------------------------------------------------------------------ */

static void
s_keypair(char public_key[41], char secret_key[41])
{
    cr_assert_eq(zmq_curve_keypair(public_key, secret_key), 0);
}

Test(allow, entries_grant_tenants_types_and_classes)
{
    char crm[41], crm_secret[41], svc[41], svc_secret[41];
    s_keypair(crm, crm_secret);
    s_keypair(svc, svc_secret);
    char text[1024];
    snprintf(text, sizeof text,
             "# clients\n"
             "%s crm tenants=capconnect,sgevent types=pacta.v1.ContractSigned  # CRM\n"
             "  %s invoicing-1 tenants=* types=* classes=invoicing\n",
             crm, svc);
    bus_allow_t *allow = bus_allow_new();
    char err[256] = "";
    cr_assert_eq(bus_allow_parse(allow, text, strlen(text), "allow", err, sizeof err), 0, "%s", err);
    cr_assert_eq(bus_allow_count(allow), 2);
    const bus_allow_entry_t *e = bus_allow_find(allow, crm);
    cr_assert_not_null(e);
    cr_assert_str_eq(bus_allow_entry_name(e), "crm");
    cr_assert(bus_allow_entry_tenant(e, "sgevent", 7));
    cr_assert_not(bus_allow_entry_tenant(e, "sgeven", 6), "no prefix matches");
    cr_assert_not(bus_allow_entry_tenant(e, "acme", 4));
    cr_assert(bus_allow_entry_type(e, "pacta.v1.ContractSigned", 23));
    cr_assert_not(bus_allow_entry_type(e, "pacta.v1.InvoiceIssued", 22));
    cr_assert_not(bus_allow_entry_has_classes(e), "a producer key registers no instance");
    const bus_allow_entry_t *s = bus_allow_find(allow, svc);
    cr_assert_not_null(s);
    cr_assert(bus_allow_entry_tenant(s, "anything", 8));
    cr_assert(bus_allow_entry_class(s, "invoicing", 9));
    cr_assert_not(bus_allow_entry_class(s, "contracts", 9));
    cr_assert_null(bus_allow_find(allow, crm_secret), "a key not listed");
    cr_assert_null(bus_allow_find(allow, "short"));
    bus_allow_destroy(&allow);
    bus_allow_destroy(&allow);
}

Test(allow, a_key_that_starts_with_a_hash_is_an_entry)
{
    /* About one key in 85 starts with '#': it must not read as a comment. */
    const char *key = "#q:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";
    cr_assert(pacta_bus_key_valid(key));
    char text[256];
    snprintf(text, sizeof text, "# a real comment\n%s hashy tenants=a types=b # trailing comment\n", key);
    bus_allow_t *allow = bus_allow_new();
    char err[256] = "";
    cr_assert_eq(bus_allow_parse(allow, text, strlen(text), "allow", err, sizeof err), 0, "%s", err);
    cr_assert_not_null(bus_allow_find(allow, key));
    bus_allow_destroy(&allow);

    /* The same key alone on a key file's line is the key, after comments. */
    char out[41];
    snprintf(text, sizeof text, "# bus public key\n%s\n", key);
    cr_assert_eq(pacta_bus_key_from_text(text, strlen(text), out, err, sizeof err), 0, "%s", err);
    cr_assert_str_eq(out, key);
}

Test(allow, a_hash_inside_a_key_is_not_a_comment)
{
    /* '#' belongs to the Z85 alphabet. */
    const char *key = "rq:rM>}U?@Lns47E1%kR.o@n%Fc#msL/@{H8]yf7";
    cr_assert(pacta_bus_key_valid(key));
    char text[256];
    snprintf(text, sizeof text, "%s hashy tenants=a types=b # real comment\n", key);
    bus_allow_t *allow = bus_allow_new();
    char err[256] = "";
    cr_assert_eq(bus_allow_parse(allow, text, strlen(text), "allow", err, sizeof err), 0, "%s", err);
    cr_assert_not_null(bus_allow_find(allow, key));
    bus_allow_destroy(&allow);
}

typedef struct {
    char text[200];                    /* allow-list text */
    char message[64];                  /* expected in the error */
} bad_allow_t;

ParameterizedTestParameters(allow, bad_lists_are_refused_naming_the_line)
{
    static bad_allow_t cases[] = {
        {"notakey crm tenants=a\n", "allow:1: the first word must be a 40-character Z85 public key"},
        {"rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7\n", "expected a public key and a name"},
        {"rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7 crm tenant=a\n", "unknown permission"},
        {"rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7 crm tenants=\n", "empty list"},
        {"rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7 crm tenants=a tenants=b\n", "given twice"},
        {"rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7 a\nrq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7 b\n",
         "allow:2: key of 'b' is listed twice"},
        {"rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7 crm classes\n", "expected tenants=, types= or classes="},
    };
    return cr_make_param_array(bad_allow_t, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(bad_allow_t *c, allow, bad_lists_are_refused_naming_the_line)
{
    bus_allow_t *allow = bus_allow_new();
    char err[256] = "";
    cr_assert_eq(bus_allow_parse(allow, c->text, strlen(c->text), "allow", err, sizeof err), -1);
    cr_assert(strstr(err, c->message), "error '%s' should contain '%s'", err, c->message);
    bus_allow_destroy(&allow);
}

/* ---------------------------------------------------------------------------
   Wire helpers
   ------------------------------------------------------------------------ */

Test(wire, replies_round_trip_through_their_envelope)
{
    Pacta__V1__Envelope answered = PACTA__V1__ENVELOPE__INIT;
    answered.message_id = (char *) "m-1";
    answered.tenant = (char *) "acme";
    answered.entity_key = (char *) "c:42";
    answered.destination = (char *) "invoicing";
    answered.correlation_id = (char *) "root";
    pacta_bus_reply_t nack;
    memset(&nack, 0, sizeof nack);
    snprintf(nack.message_id, sizeof nack.message_id, "m-1");
    snprintf(nack.handled_by, sizeof nack.handled_by, "invoicing-2");
    pacta_bus_reply_set_nack(&nack, PACTA__V1__NACK_REASON__NACK_REASON_QUEUE_FULL, "envelope", "full: %d", 3);
    cr_assert(nack.retryable, "QUEUE_FULL is retryable");
    size_t len = 0;
    uint8_t *bytes = pacta_bus_reply_pack(&nack, &answered, &len);
    cr_assert_not_null(bytes);
    pacta_bus_reply_t parsed;
    cr_assert_eq(pacta_bus_reply_parse(bytes, len, &parsed), 0);
    cr_assert_not(parsed.ack);
    cr_assert_eq(parsed.reason, PACTA__V1__NACK_REASON__NACK_REASON_QUEUE_FULL);
    cr_assert_str_eq(parsed.detail, "full: 3");
    cr_assert_str_eq(parsed.field, "envelope");
    cr_assert_str_eq(parsed.tenant, "acme");
    cr_assert_str_eq(parsed.entity_key, "c:42");
    cr_assert_str_eq(parsed.destination, "invoicing");
    cr_assert_str_eq(parsed.handled_by, "invoicing-2");
    /* The envelope says what it is. */
    Pacta__V1__Envelope *env = pacta__v1__envelope__unpack(NULL, len, bytes);
    cr_assert_not_null(env);
    cr_assert_eq(env->kind, PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_REPLY);
    cr_assert_str_eq(env->message_type, "pacta.v1.Nack");
    cr_assert_str_eq(env->causation_id, "m-1");
    cr_assert_str_eq(env->correlation_id, "root");
    pacta__v1__envelope__free_unpacked(env, NULL);
    /* Truncations never parse, and never crash. */
    for (size_t cut = 0; cut < len; cut++)
        pacta_bus_reply_parse(bytes, cut, &parsed);
    cr_assert_eq(pacta_bus_reply_parse(bytes, len / 2, &parsed), -1);
    free(bytes);

    pacta_bus_reply_t ack;
    memset(&ack, 0, sizeof ack);
    ack.ack = true;
    ack.duplicate = true;
    ack.entity_version = 9;
    snprintf(ack.message_id, sizeof ack.message_id, "m-2");
    bytes = pacta_bus_reply_pack(&ack, NULL, &len);
    cr_assert_eq(pacta_bus_reply_parse(bytes, len, &parsed), 0);
    cr_assert(parsed.ack && parsed.duplicate);
    cr_assert_eq(parsed.entity_version, 9);
    free(bytes);
    cr_assert_eq(pacta_bus_reply_parse("\x0a\x02hi", 4, &parsed), -1, "not a reply");
}

Test(wire, nack_reasons_have_names_and_retry_rules)
{
    cr_assert_str_eq(pacta_bus_nack_reason_name(PACTA__V1__NACK_REASON__NACK_REASON_UNAUTHORISED), "UNAUTHORISED");
    cr_assert_str_eq(pacta_bus_nack_reason_name((Pacta__V1__NackReason) 999), "UNSPECIFIED");
    cr_assert(pacta_bus_nack_reason_retryable(PACTA__V1__NACK_REASON__NACK_REASON_NO_CAPACITY));
    cr_assert(pacta_bus_nack_reason_retryable(PACTA__V1__NACK_REASON__NACK_REASON_RETRY_LATER));
    cr_assert_not(pacta_bus_nack_reason_retryable(PACTA__V1__NACK_REASON__NACK_REASON_INVALID));
    cr_assert_not(pacta_bus_nack_reason_retryable(PACTA__V1__NACK_REASON__NACK_REASON_INTERNAL));
}

Test(wire, tokens_and_keys_are_checked)
{
    cr_assert(pacta_bus_token_valid("c:42", 4, 64));
    cr_assert_not(pacta_bus_token_valid("c 42", 4, 64));
    cr_assert_not(pacta_bus_token_valid("", 0, 64));
    cr_assert_not(pacta_bus_token_valid("abc", 3, 2));
    cr_assert_not(pacta_bus_token_valid("\xc3\xa9", 2, 64), "ASCII only");
    char public_key[41], secret_key[41];
    cr_assert_eq(zmq_curve_keypair(public_key, secret_key), 0);
    cr_assert(pacta_bus_key_valid(public_key));
    char bad[41];
    memcpy(bad, public_key, sizeof bad);
    bad[5] = '"';
    cr_assert_not(pacta_bus_key_valid(bad));
    cr_assert_not(pacta_bus_key_valid("abc"));

    char path[] = "/tmp/pacta-key-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    FILE *file = fdopen(fd, "w");
    fprintf(file, "# bus secret key\n\n  %s  \n", secret_key);
    fclose(file);
    char out[41], err[256];
    cr_assert_eq(pacta_bus_key_read_file(path, out, err, sizeof err), 0, "%s", err);
    cr_assert_str_eq(out, secret_key);
    cr_assert_eq(pacta_bus_key_resolve(public_key, out, err, sizeof err), 0);
    cr_assert_str_eq(out, public_key);
    file = fopen(path, "w");
    fprintf(file, "not a key\n");
    fclose(file);
    cr_assert_eq(pacta_bus_key_read_file(path, out, err, sizeof err), -1);
    unlink(path);
    cr_assert_eq(pacta_bus_key_resolve("/nonexistent/key", out, err, sizeof err), -1);
}

Test(wire, integers_are_big_endian)
{
    uint8_t buf[8];
    pacta_bus_put_u64(buf, UINT64_C(0x0102030405060708));
    cr_assert_eq(buf[0], 1);
    cr_assert_eq(buf[7], 8);
    cr_assert_eq(pacta_bus_get_u64(buf), UINT64_C(0x0102030405060708));
    pacta_bus_put_u32(buf, 0xA0B0C0D0u);
    cr_assert_eq(buf[0], 0xA0);
    cr_assert_eq(pacta_bus_get_u32(buf), 0xA0B0C0D0u);
}

Test(wire, hash_is_deterministic_and_spreads)
{
    cr_assert_eq(pacta_bus_hash("abc", 3, PACTA_BUS_HASH_SEED), pacta_bus_hash("abc", 3, PACTA_BUS_HASH_SEED));
    cr_assert_neq(pacta_bus_hash("abc", 3, PACTA_BUS_HASH_SEED), pacta_bus_hash("abd", 3, PACTA_BUS_HASH_SEED));
    /* Rendezvous over 3 names spreads 3000 keys roughly evenly. */
    const char *names[3] = {"counter-a", "counter-b", "counter-c"};
    int wins[3] = {0, 0, 0};
    for (int k = 0; k < 3000; k++) {
        char key[32];
        int n = snprintf(key, sizeof key, "c:%d", k);
        uint64_t key_hash = pacta_bus_hash(key, (size_t) n, PACTA_BUS_HASH_SEED);
        int best = 0;
        uint64_t best_score = 0;
        for (int i = 0; i < 3; i++) {
            uint64_t score = pacta_bus_mix64(pacta_bus_hash(names[i], strlen(names[i]), PACTA_BUS_HASH_SEED) ^ key_hash);
            if (i == 0 || score > best_score) {
                best = i;
                best_score = score;
            }
        }
        wins[best]++;
    }
    for (int i = 0; i < 3; i++)
        cr_assert(wins[i] > 800 && wins[i] < 1200, "%s won %d of 3000", names[i], wins[i]);
}

/* ---------------------------------------------------------------------------
   Map
   ------------------------------------------------------------------------ */

static int
s_count_visit(const void *key, size_t key_len, void *value, void *arg)
{
    (void) key;
    (void) key_len;
    (void) value;
    (*(int *) arg)++;
    return 0;
}

Test(map, stores_finds_replaces_and_removes_many_keys)
{
    pacta_map_t *map = pacta_map_new();
    static int values[5000];
    for (int i = 0; i < 5000; i++) {
        char key[32];
        int n = snprintf(key, sizeof key, "key-%d", i);
        values[i] = i;
        cr_assert_eq(pacta_map_put(map, key, (size_t) n, &values[i]), 0);
    }
    cr_assert_eq(pacta_map_size(map), 5000);
    cr_assert_eq(*(int *) pacta_map_get(map, "key-4321", 8), 4321);
    cr_assert_null(pacta_map_get(map, "key-5000", 8));
    cr_assert_eq(*(int *) pacta_map_get(map, "key-432", 7), 432, "a prefix is another key");
    cr_assert_eq(pacta_map_put(map, "key-1", 5, &values[2]), 0);
    cr_assert_eq(pacta_map_size(map), 5000, "replacing does not grow");
    cr_assert_eq(pacta_map_get(map, "key-1", 5), &values[2]);
    cr_assert_eq(pacta_map_remove(map, "key-1", 5), &values[2]);
    cr_assert_null(pacta_map_remove(map, "key-1", 5));
    uint8_t binary[3] = {0, 1, 0};
    cr_assert_eq(pacta_map_put(map, binary, 3, &values[0]), 0, "keys are bytes, NULs included");
    cr_assert_eq(pacta_map_get(map, binary, 3), &values[0]);
    cr_assert_null(pacta_map_get(map, binary, 2));
    int visited = 0;
    pacta_map_foreach(map, s_count_visit, &visited);
    cr_assert_eq(visited, 5000);
    pacta_map_destroy(&map);
    cr_assert_null(map);
    pacta_map_destroy(&map);
}
