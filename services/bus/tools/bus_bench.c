/*  =========================================================================
    pacta-bus-bench - measures the bus against a raw ZeroMQ round trip

      pacta-bus-bench raw [--size BYTES] [--count N] [--window W] [--latency N]
      pacta-bus-bench bus --frontend ENDPOINT [--size BYTES] [--count N]
                          [--window W] [--latency N] [--entities K]
                          [--type T] [--tenant T]

    raw: a child process echoes every message on a ROUTER (loopback TCP); the
    parent measures one-at-a-time round trips (latency) and then N messages
    with W in flight (throughput). bus: the same through pacta-bus, every
    message an envelope of exactly BYTES bytes answered ACK by an instance
    (pacta-bus-counter, which commits it in Redis with dedup). Prints one
    line of key=value pairs for scripts/bench-bus.sh.

    Design decision: both modes send the same bytes the same way (one
    DEALER, a window of outstanding messages, the same clock), so the ratio
    isolates what the bus adds: its extra hop, routing, and the instance's
    commit.
    =========================================================================
*/
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "pacta_bus_producer.h"
#include "pacta_bus_wire.h"

#define LATENCY_MAX 1000000            /* samples kept */
#define HWM 1000000                    /* high-water marks of the raw sockets */

typedef struct {
    const char *mode;                  /* "raw" or "bus" */
    const char *frontend;              /* bus frontend */
    const char *type;                  /* message type */
    const char *tenant;                /* tenant of the messages */
    long size;                         /* envelope bytes */
    long count;                        /* throughput messages */
    long window;                       /* in flight */
    long latency;                      /* latency samples */
    long entities;                     /* entity keys spread over */
} bench_options_t;

/* Nanosecond monotonic clock for latency samples. */
static int64_t
s_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* qsort order for latency samples. */
static int
s_compare(const void *a, const void *b)
{
    int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;
    return x < y ? -1 : x > y;
}

/* The q-quantile of sorted samples, in microseconds. */
static double
s_quantile_us(const int64_t *samples, long n, double q)
{
    if (n <= 0)
        return 0;
    long index = (long) (q * (double) (n - 1) + 0.5);
    return (double) samples[index] / 1000.0;
}

/* Strict positive integer parsing for options (no atoi). */
static int
s_long(const char *text, long *out)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || !end || *end || v <= 0)
        return -1;
    *out = v;
    return 0;
}

/* One key=value line the benchmark script parses. */
static void
s_report(const bench_options_t *o, int64_t *samples, long n, double per_second, long ok, long refused)
{
    qsort(samples, (size_t) n, sizeof *samples, s_compare);
    printf("mode=%s size=%ld latency_samples=%ld p50_us=%.1f p99_us=%.1f count=%ld window=%ld msgs_per_s=%.0f "
           "acked=%ld refused=%ld\n",
           o->mode, o->size, n, s_quantile_us(samples, n, 0.50), s_quantile_us(samples, n, 0.99), o->count, o->window,
           per_second, ok, refused);
    fflush(stdout);
}

/* ---------------------------------------------------------------------------
   Raw ZeroMQ: DEALER -> ROUTER echo in another process
   ------------------------------------------------------------------------ */

/* Child: binds an echo ROUTER, writes its endpoint to fd, echoes forever. */
static void
s_echo_child(int fd)
{
    void *context = zmq_ctx_new();
    void *router = zmq_socket(context, ZMQ_ROUTER);
    int hwm = HWM;
    zmq_setsockopt(router, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt(router, ZMQ_RCVHWM, &hwm, sizeof hwm);
    if (zmq_bind(router, "tcp://127.0.0.1:*") != 0)
        _exit(1);
    char endpoint[128];
    size_t size = sizeof endpoint;
    zmq_getsockopt(router, ZMQ_LAST_ENDPOINT, endpoint, &size);
    if (write(fd, endpoint, strlen(endpoint) + 1) < 0)
        _exit(1);
    close(fd);
    for (;;) {
        zmq_msg_t id, body;
        zmq_msg_init(&id);
        zmq_msg_init(&body);
        if (zmq_msg_recv(&id, router, 0) < 0 || zmq_msg_recv(&body, router, 0) < 0)
            _exit(0);
        zmq_msg_send(&id, router, ZMQ_SNDMORE);
        zmq_msg_send(&body, router, 0);
    }
}

/* Raw round trips through an echo process: latency one at a time, then throughput with a window. */
/* A raw echo peer: child process, and our DEALER connected to it. */
typedef struct {
    pid_t child;                       /* echo process */
    void *context;                     /* our context */
    void *dealer;                      /* connected to the echo */
    char *payload;                     /* size bytes sent */
    char *reply;                       /* size bytes received */
} echo_t;

/* Starts the echo process and connects to it. 0 or -1. */
static int
s_echo_start(echo_t *echo, long size)
{
    memset(echo, 0, sizeof *echo);
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    echo->child = fork();
    if (echo->child < 0)
        return -1;
    if (echo->child == 0) {
        close(fds[0]);
        s_echo_child(fds[1]);
    }
    close(fds[1]);
    char endpoint[128] = "";
    ssize_t got = read(fds[0], endpoint, sizeof endpoint - 1);
    close(fds[0]);
    if (got <= 0) {
        fprintf(stderr, "bench: the echo process did not start\n");
        return -1;
    }
    echo->context = zmq_ctx_new();
    echo->dealer = zmq_socket(echo->context, ZMQ_DEALER);
    int hwm = HWM, zero = 0;
    zmq_setsockopt(echo->dealer, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt(echo->dealer, ZMQ_RCVHWM, &hwm, sizeof hwm);
    zmq_setsockopt(echo->dealer, ZMQ_LINGER, &zero, sizeof zero);
    zmq_connect(echo->dealer, endpoint);
    echo->payload = calloc(1, (size_t) size);
    echo->reply = malloc((size_t) size + 1);
    if (!echo->payload || !echo->reply)
        return -1;
    for (long i = 0; i < 1000; i++) {   /* warm-up */
        zmq_send(echo->dealer, echo->payload, (size_t) size, 0);
        zmq_recv(echo->dealer, echo->reply, (size_t) size, 0);
    }
    return 0;
}

/* One raw round trip; its duration in ns. */
static int64_t
s_echo_once(echo_t *echo, long size)
{
    int64_t start = s_now_ns();
    zmq_send(echo->dealer, echo->payload, (size_t) size, 0);
    zmq_recv(echo->dealer, echo->reply, (size_t) size, 0);
    return s_now_ns() - start;
}

/* Stops the echo process and frees. */
static void
s_echo_stop(echo_t *echo)
{
    if (echo->dealer)
        zmq_close(echo->dealer);
    if (echo->context)
        zmq_ctx_term(echo->context);
    if (echo->child > 0) {
        kill(echo->child, SIGTERM);
        waitpid(echo->child, NULL, 0);
    }
    free(echo->payload);
    free(echo->reply);
    memset(echo, 0, sizeof *echo);
}

static int
s_raw(const bench_options_t *o, int64_t *samples)
{
    echo_t echo;
    if (s_echo_start(&echo, o->size) != 0)
        return 1;
    void *dealer = echo.dealer;
    char *payload = echo.payload;
    char *reply = echo.reply;
    for (long i = 0; i < o->latency; i++)
        samples[i] = s_echo_once(&echo, o->size);
    long sent = 0, received = 0;
    int64_t start = s_now_ns();
    while (received < o->count) {
        while (sent < o->count && sent - received < o->window) {
            zmq_send(dealer, payload, (size_t) o->size, 0);
            sent++;
        }
        zmq_recv(dealer, reply, (size_t) o->size, 0);
        received++;
    }
    double seconds = (double) (s_now_ns() - start) / 1e9;
    s_report(o, samples, o->latency, (double) received / seconds, received, 0);
    s_echo_stop(&echo);
    return 0;
}

/* ---------------------------------------------------------------------------
   Through the bus
   ------------------------------------------------------------------------ */

/* Packs envelope number i, padded so that it is exactly o->size bytes. */
static uint8_t *
s_envelope(const bench_options_t *o, long i, const char *run, size_t *len)
{
    char id[64], key[32];
    snprintf(id, sizeof id, "%s-%ld", run, i);
    snprintf(key, sizeof key, "c:%ld", i % o->entities);
    Pacta__V1__Envelope envelope = PACTA__V1__ENVELOPE__INIT;
    envelope.message_id = id;
    envelope.tenant = (char *) o->tenant;
    envelope.message_type = (char *) o->type;
    envelope.entity_key = key;
    envelope.producer = (char *) "bench";
    envelope.schema_version = 1;
    envelope.kind = PACTA__V1__MESSAGE_KIND__MESSAGE_KIND_EVENT;
    static uint8_t padding[1 << 20];
    size_t payload = 0;
    for (int pass = 0; pass < 3; pass++) {
        envelope.payload.data = padding;
        envelope.payload.len = payload;
        size_t packed = pacta__v1__envelope__get_packed_size(&envelope);
        if ((long) packed == o->size)
            break;
        long delta = o->size - (long) packed;
        if ((long) payload + delta < 0)
            break;
        payload = (size_t) ((long) payload + delta);
    }
    return pacta_bus_envelope_pack(&envelope, len);
}

/* The same measurements through the bus, every message answered by an instance. */
static int
s_bus(const bench_options_t *o, int64_t *samples, int64_t *raw_samples)
{
    /* Raw round trips interleaved with the bus's, one for one, so both see
       the same machine at the same moments: a fair ratio on a shared box. */
    echo_t echo;
    if (s_echo_start(&echo, o->size) != 0)
        return 1;
    char err[256];
    pacta_bus_producer_options_t options = {.endpoint = o->frontend, .send_hwm = HWM};
    pacta_bus_producer_t *producer = pacta_bus_producer_new(&options, err, sizeof err);
    if (!producer) {
        fprintf(stderr, "bench: %s\n", err);
        s_echo_stop(&echo);
        return 1;
    }
    char run[32];
    snprintf(run, sizeof run, "b%ld-%lld", (long) getpid(), (long long) (s_now_ns() / 1000000 % 1000000));
    pacta_bus_reply_t reply;
    long ok = 0, refused = 0;
    size_t actual = 0;
    /* warm-up and latency, one at a time */
    for (long i = 0; i < 1000 + o->latency; i++) {
        size_t len = 0;
        uint8_t *bytes = s_envelope(o, i, run, &len);
        actual = len;
        int64_t start = s_now_ns();
        pacta_bus_producer_send_bytes(producer, bytes, len);
        if (pacta_bus_producer_recv(producer, 10000, &reply) != 0) {
            fprintf(stderr, "bench: no reply from the bus (is an instance registered?)\n");
            s_echo_stop(&echo);
            pacta_bus_producer_destroy(&producer);
            return 1;
        }
        if (i >= 1000) {
            samples[i - 1000] = s_now_ns() - start;
            raw_samples[i - 1000] = s_echo_once(&echo, o->size);
        }
        free(bytes);
    }
    s_echo_stop(&echo);
    /* throughput with a window of outstanding messages */
    long base = 1000 + o->latency, sent = 0, received = 0;
    int64_t start = s_now_ns();
    while (received < o->count) {
        while (sent < o->count && sent - received < o->window) {
            size_t len = 0;
            uint8_t *bytes = s_envelope(o, base + sent, run, &len);
            if (pacta_bus_producer_send_bytes(producer, bytes, len) != 0) {
                free(bytes);
                break;
            }
            free(bytes);
            sent++;
        }
        if (pacta_bus_producer_recv(producer, 10000, &reply) != 0) {
            fprintf(stderr, "bench: stalled at %ld of %ld\n", received, o->count);
            pacta_bus_producer_destroy(&producer);
            return 1;
        }
        received++;
        if (reply.ack)
            ok++;
        else
            refused++;
    }
    double seconds = (double) (s_now_ns() - start) / 1e9;
    if ((long) actual != o->size)
        fprintf(stderr, "bench: envelopes are %zu bytes, not %ld\n", actual, o->size);
    s_report(o, samples, o->latency, (double) ok / seconds, ok, refused);
    qsort(raw_samples, (size_t) o->latency, sizeof *raw_samples, s_compare);
    printf("mode=raw-interleaved size=%ld latency_samples=%ld p50_us=%.1f p99_us=%.1f\n", o->size, o->latency,
           s_quantile_us(raw_samples, o->latency, 0.50), s_quantile_us(raw_samples, o->latency, 0.99));
    fflush(stdout);
    pacta_bus_producer_destroy(&producer);
    return refused > 0 ? 1 : 0;
}

/* Option parsing and dispatch to the raw or bus measurement. */
int
main(int argc, char **argv)
{
    bench_options_t o = {.type = "pacta.bench.Event", .tenant = "bench", .size = 256, .count = 100000,
                         .window = 1000, .latency = 10000, .entities = 1000};
    if (argc < 2 || (strcmp(argv[1], "raw") != 0 && strcmp(argv[1], "bus") != 0)) {
        fprintf(stderr, "usage: pacta-bus-bench raw|bus [--frontend E] [--size B] [--count N] [--window W] "
                        "[--latency N] [--entities K] [--type T] [--tenant T]\n");
        return 2;
    }
    o.mode = argv[1];
    for (int i = 2; i + 1 < argc; i += 2) {
        const char *name = argv[i], *value = argv[i + 1];
        int bad = 0;
        if (strcmp(name, "--frontend") == 0)
            o.frontend = value;
        else if (strcmp(name, "--type") == 0)
            o.type = value;
        else if (strcmp(name, "--tenant") == 0)
            o.tenant = value;
        else if (strcmp(name, "--size") == 0)
            bad = s_long(value, &o.size);
        else if (strcmp(name, "--count") == 0)
            bad = s_long(value, &o.count);
        else if (strcmp(name, "--window") == 0)
            bad = s_long(value, &o.window);
        else if (strcmp(name, "--latency") == 0)
            bad = s_long(value, &o.latency);
        else if (strcmp(name, "--entities") == 0)
            bad = s_long(value, &o.entities);
        else
            bad = -1;
        if (bad) {
            fprintf(stderr, "pacta-bus-bench: bad option %s %s\n", name, value);
            return 2;
        }
    }
    if (o.latency > LATENCY_MAX || o.size < 64 || o.size > (1 << 20)) {
        fprintf(stderr, "pacta-bus-bench: --latency at most %d, --size 64..1048576\n", LATENCY_MAX);
        return 2;
    }
    int64_t *samples = calloc((size_t) o.latency, sizeof *samples);
    int64_t *raw_samples = calloc((size_t) o.latency, sizeof *raw_samples);
    if (!samples || !raw_samples)
        return 1;
    int rc;
    if (strcmp(o.mode, "raw") == 0)
        rc = s_raw(&o, samples);
    else if (!o.frontend) {
        fprintf(stderr, "pacta-bus-bench bus: --frontend is required\n");
        rc = 2;
    }
    else
        rc = s_bus(&o, samples, raw_samples);
    free(samples);
    free(raw_samples);
    return rc;
}
