/*
 * cnn_harness.c: times the digits CNN's training step in C, in one process,
 * for cnn_bench.py, which times PyTorch's in its own rounds between these:
 *
 *   loop      the textbook loop nest of cnn_loopnest.c, one sample a step
 *   nnc       (built with -DBENCH_NNC) nnc's generated train_sample, one
 *             sample a step, reached through the generated nnrt_net
 *             descriptor (digits_cnn_net), so that no name of the generated
 *             struct appears here
 *   nnc-b32   the same program's backprop over 32 samples, then one update:
 *             nnc's batch 32, timed per sample
 *
 * Usage:
 *   cnn_harness check DATA START K OUTDIR
 *       from START's parameters (one a line, nnc's order), K steps at
 *       learning rate 0.01 over DATA's rows (inputs then one-hot targets, one
 *       row a line, spaces between) in order, in each implementation; writes
 *       OUTDIR/loop_end.txt (and nnc_end.txt, and nnc-b32_end.txt after K
 *       samples in batches of 32) the same way
 *   cnn_harness serve DATA START MS
 *       calibrates each implementation to about MS milliseconds a
 *       measurement, prints "ready", then for each line on standard input
 *       measures every implementation once (rotating which goes first) and
 *       prints "name ns_per_sample ..." on one line; on the thread's CPU
 *       clock
 *   cnn_harness steps DATA START NAME N
 *       N samples of implementation NAME and nothing else, for callgrind:
 *       the difference of two such counts is N's steps alone
 */
#define _POSIX_C_SOURCE 200112L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cnn_loopnest.h"

#ifdef BENCH_NNC
#include "nnrt.h"
extern const struct nnrt_net digits_cnn_net;
static void *sum; /* nnc-b32's sums of partials */
#define NIMPL 3
#else
#define NIMPL 1
#endif

#define LEARN_RATE 0.01
#define BATCH 32
#define NIN (IN_H * IN_W * IN_C)
#define COLS (NIN + NOUT)

static double *rows;
static int nrows;
static double *start;
static int nparams;
static void *params[NIMPL];
static int next_row[NIMPL];
static long steps[NIMPL];
static const char *const names[] = {"loop", "nnc", "nnc-b32"};

static void fail(const char *what)
{
    fprintf(stderr, "cnn_harness: %s\n", what);
    exit(2);
}

static double *read_numbers(const char *path, int *count)
{
    FILE *f = fopen(path, "r");
    if (!f)
        fail(path);
    int n = 0, cap = 1024;
    double *v = malloc(sizeof *v * (size_t)cap), x;
    while (v && fscanf(f, "%lf", &x) == 1) {
        if (n == cap && !(v = realloc(v, sizeof *v * (size_t)(cap *= 2))))
            break;
        v[n++] = x;
    }
    fclose(f);
    if (!v)
        fail("out of memory");
    *count = n;
    return v;
}

static void setup(const char *data, const char *startfile)
{
    int n;
    rows = read_numbers(data, &n);
    if (n % COLS)
        fail("the data's rows do not fit the network");
    nrows = n / COLS;
    start = read_numbers(startfile, &nparams);
    if (nparams != cnn_ln_nparams())
        fail("the start's parameters do not fit the loop nest");
    params[0] = calloc(1, cnn_ln_size());
    for (int i = 0; i < nparams; i++)
        cnn_ln_set(params[0], i, start[i]);
#ifdef BENCH_NNC
    const struct nnrt_net *net = &digits_cnn_net;
    if (net->nparams != nparams || net->ninputs != NIN || net->noutputs != NOUT)
        fail("the generated network is not the loop nest's");
    for (int k = 1; k < NIMPL; k++) {
        params[k] = calloc(1, net->size);
        for (int i = 0; i < nparams; i++)
            net->set(params[k], i, start[i]);
    }
    sum = calloc(1, net->size);
#endif
}

/* n steps (or, for nnc-b32, n samples in batches) of implementation k. */
static void run(int k, long n)
{
    for (long s = 0; s < n; s++) {
        const double *row = rows + (size_t)next_row[k] * COLS;
        next_row[k] = (next_row[k] + 1) % nrows;
        steps[k]++;
        if (k == 0)
            cnn_ln_train_sample(params[0], row, row + NIN, LEARN_RATE);
#ifdef BENCH_NNC
        const struct nnrt_net *net = &digits_cnn_net;
        if (k == 1)
            net->train_sample(params[1], row, row + NIN, LEARN_RATE);
        if (k == 2) {
            static struct nnrt_hyper h;
            h.learn_rate = LEARN_RATE;
            net->backprop(params[2], row, row + NIN, sum);
            if (steps[k] % BATCH == 0) {
                net->update(params[2], NULL, sum, BATCH, &h, steps[k] / BATCH);
                memset(sum, 0, net->size);
            }
        }
#endif
    }
}

static double get(int k, int i)
{
#ifdef BENCH_NNC
    if (k > 0)
        return digits_cnn_net.get(params[k], i);
#endif
    return cnn_ln_get(params[k], i);
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static int check(const char *dir, long k)
{
    for (int m = 0; m < NIMPL; m++) {
        run(m, k);
        char path[4096];
        snprintf(path, sizeof path, "%s/%s_end.txt", dir, names[m]);
        FILE *f = fopen(path, "w");
        if (!f)
            fail(path);
        for (int i = 0; i < nparams; i++)
            fprintf(f, "%.17g\n", get(m, i));
        fclose(f);
    }
    return 0;
}

static int serve(double ms)
{
    long reps[NIMPL];
    for (int k = 0; k < NIMPL; k++) {
        long n = BATCH;
        double t;
        for (;;) {
            double t0 = now();
            run(k, n);
            t = now() - t0;
            if (t > ms * 1e-3 / 4)
                break;
            n *= 2;
        }
        reps[k] = (long)(n * (ms * 1e-3 / t)) / BATCH * BATCH + BATCH;
    }
    printf("ready\n");
    fflush(stdout);
    char line[64];
    for (int round = 0; fgets(line, sizeof line, stdin); round++) {
        double ns[NIMPL];
        for (int j = 0; j < NIMPL; j++) {
            int k = (round + j) % NIMPL;
            double t0 = now();
            run(k, reps[k]);
            ns[k] = (now() - t0) * 1e9 / reps[k];
        }
        for (int k = 0; k < NIMPL; k++)
            printf("%s%s %.1f", k ? " " : "", names[k], ns[k]);
        printf("\n");
        fflush(stdout);
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 6 && !strcmp(argv[1], "check")) {
        setup(argv[2], argv[3]);
        return check(argv[5], atol(argv[4]));
    }
    if (argc == 5 && !strcmp(argv[1], "serve")) {
        setup(argv[2], argv[3]);
        return serve(atof(argv[4]));
    }
    if (argc == 6 && !strcmp(argv[1], "steps")) {
        setup(argv[2], argv[3]);
        for (int k = 0; k < NIMPL; k++)
            if (!strcmp(argv[4], names[k])) {
                run(k, atol(argv[5]));
                return 0;
            }
        fail("no such implementation");
    }
    fprintf(stderr, "usage: cnn_harness check DATA START K OUTDIR | serve DATA START MS"
                    " | steps DATA START NAME N\n");
    return 2;
}
