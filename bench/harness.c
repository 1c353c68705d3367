/*
 * harness.c: times one training step (one sample, per-sample SGD, double
 * precision, sigmoid layers, mean squared error) of the same network in
 * several implementations, inside one process:
 *
 *   nnc-O2      nnc's generated bnet_train_sample built with -std=c99 -O2
 *   nnc-epoch   the same object's bnet_train_epoch, which the generated
 *               program trains with: the same steps, the data set's rows
 *               (inputs, then targets) in one call, in order
 *   nnc-native  the same C built with -std=c99 -O3 -march=native
 *   nnc-float   nnc --precision float's bnet_train_sample, -std=c99 -O2: the
 *               same network in single precision (float data and weights)
 *   nnc-alt     (only with bench.py --alt-nnc-flags) nnc run with other
 *               flags, such as --unroll never, built with -std=c99 -O2
 *   loop-O2     the textbook loop nest of loopnest.c, -std=c99 -O2
 *   loop-native the same loop nest, -std=c99 -O3 -march=native
 *   fann        FANN 2.2's fann_train (libdoublefann), incremental training
 *   critpath    (only at 2-2-1, built with -DBENCH_CRITPATH=1) the tutorial's
 *               step cut down to its longest chains of dependent operations
 *               (critpath.c), -std=c99 -O2: the latency floor of the step
 *   critpath-epoch  (the same) its critpath_train_epoch, over the rows in
 *               one call: the floor of nnc-epoch
 *
 * Built with -DBENCH_FANN_FLOAT=1 and linked with libfloatfann instead, it
 * holds one implementation only, fann-float: FANN in single precision (the
 * two FANN libraries define the same names, so they cannot share a process).
 * bench.py runs that harness beside the main one, a round in each in turn.
 *
 * bench.py builds one harness per network shape.  It compiles the generated
 * C twice, and the float C once, and renames every global symbol of the
 * objects with objcopy (prefix o2_, native_ or float_), so that this file
 * calls o2_bnet_train_sample, native_bnet_train_sample and
 * float_bnet_train_sample: the spec's network is called bnet.  It reaches
 * the parameters through nothing but struct bnet: glue.c, which bench.py
 * writes from the generated C, gives offsetof(struct bnet, w1) and so on
 * (or offsetof(struct bnet, w) + k * sizeof(double) where nnc writes arrays).
 * Parameters are in nnc's order: the weights w1.. layer by layer, neuron by
 * neuron, input by input, then the biases b1.. neuron by neuron.
 *
 * Usage:
 *   harness [--normal] check DIR
 *       K = 4 * NDATA steps from the same start in every implementation;
 *       prints the largest parameter differences, writes DIR/start.txt (the
 *       start and the data) and DIR/ref_end.txt (nnc -O2's parameters after
 *       the K steps, for the numpy check); exit 1 when the exact
 *       implementations differ by more than CHECK_TOL, or nnc-epoch (or
 *       critpath-epoch) from nnc-O2 (or critpath) at all
 *   harness [--normal] serve MS [cpu|wall]
 *       calibrates each implementation to about MS milliseconds per
 *       measurement, prints "ready", then for each "round" line on standard
 *       input measures every implementation once (rotating which goes
 *       first) and prints one line of "name ns_per_step" pairs; on the
 *       thread's CPU clock (default) or the wall clock
 *   harness [--normal] steps IMPL N
 *       sets up IMPL only and runs N steps (for callgrind: the difference of
 *       two N's is the cost of the steps alone)
 *
 * --normal draws every initial parameter from N(0, 1), as the tutorial
 * does; the default is Xavier's weights and zero biases.
 *
 * This file is the command line, the network and the data set, and the
 * modes; harness_impls.c holds the implementations and the timed loops,
 * harness.h what the two share.
 */
#define _POSIX_C_SOURCE 200112L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"

#define CHECK_TOL 1e-11        /* nnc vs the loop nest, max |difference| */
/*
 * nnc-float vs nnc-O2: float's rounding (2^-24 relative) compounds over the
 * check's 1024 steps to a few 1e-6 here; the parameters move by 0.1 to 1,
 * so a float build that lost or misscaled a gradient is far past this.
 */
#define FLOAT_TOL 1e-4

/* ---- The network and the data set ---------------------------------------- */

/* Set once, by setup(); harness.h says what each is. */
int nlayers;
int size[LN_MAX_LAYERS + 1];
int nparams, nweights;
int wbase[LN_MAX_LAYERS], bbase[LN_MAX_LAYERS];
double learn_rate = LEARN_RATE;
static int init_normal;        /* every parameter ~ N(0, 1), as the tutorial */
double *init;
double *X, *Y;
double *ROWS;
float *XF, *YF;

void die(const char *msg)
{
    fprintf(stderr, "harness: %s\n", msg);
    exit(2);
}

void *xmalloc(size_t n)
{
    void *p = calloc(1, n ? n : 1);
    if (!p)
        die("out of memory");
    return p;
}

/* splitmix64, and uniform and normal draws from it: the harness's own numbers. */
static unsigned long long rng_state;

static unsigned long long rng_next(void)
{
    unsigned long long z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double rng_uniform(void) { return (double)(rng_next() >> 11) * 0x1.0p-53; }

static double rng_normal(void)
{
    double u = rng_uniform(), v = rng_uniform();
    return sqrt(-2 * log(1 - u)) * cos(6.283185307179586 * v);
}

static void setup(void)
{
    nlayers = bench_nlayers;
    if (nlayers < 1 || nlayers > LN_MAX_LAYERS)
        die("unsupported number of layers");
    for (int l = 0; l <= nlayers; l++)
        size[l] = bench_size[l];
    int w = 0, b = 0;
    for (int l = 0; l < nlayers; l++) {
        wbase[l] = w;
        bbase[l] = b;
        w += size[l] * size[l + 1];
        b += size[l + 1];
    }
    nweights = w;
    nparams = w + b;

    /*
     * The initial parameters: N(0, 1) for all (the tutorial's), or Xavier's
     * N(0, 1) * sqrt(2 / (fan_in + fan_out)) weights and zero biases.
     */
    init = xmalloc(sizeof *init * (size_t)nparams);
    rng_state = INIT_SEED;
    for (int l = 0; l < nlayers; l++) {
        double scale = init_normal ? 1 : sqrt(2.0 / (size[l] + size[l + 1]));
        for (int j = 0; j < size[l + 1]; j++) {
            for (int i = 0; i < size[l]; i++)
                init[widx(l, j, i)] = scale * rng_normal();
            init[bidx(l, j)] = init_normal ? rng_normal() : 0;
        }
    }

    /* The data set: x ~ U(-1, 1); y one random class (0/1 for one output). */
    int ni = size[0], no = size[nlayers];
    X = xmalloc(sizeof *X * (size_t)NDATA * (size_t)ni);
    Y = xmalloc(sizeof *Y * (size_t)NDATA * (size_t)no);
    rng_state = DATA_SEED;
    for (int s = 0; s < NDATA; s++) {
        for (int i = 0; i < ni; i++)
            X[s * ni + i] = 2 * rng_uniform() - 1;
        if (no == 1)
            Y[s] = rng_uniform() < 0.5 ? 0 : 1;
        else
            Y[s * no + (int)(rng_uniform() * no)] = 1;
    }
    ROWS = xmalloc(sizeof *ROWS * (size_t)NDATA * (size_t)(ni + no));
    for (int s = 0; s < NDATA; s++) {
        memcpy(ROWS + (size_t)s * (size_t)(ni + no), X + (size_t)s * (size_t)ni, sizeof *X * (size_t)ni);
        memcpy(ROWS + (size_t)s * (size_t)(ni + no) + ni, Y + (size_t)s * (size_t)no, sizeof *Y * (size_t)no);
    }
    XF = xmalloc(sizeof *XF * (size_t)NDATA * (size_t)ni);
    YF = xmalloc(sizeof *YF * (size_t)NDATA * (size_t)no);
    for (int k = 0; k < NDATA * ni; k++)
        XF[k] = (float)X[k];
    for (int k = 0; k < NDATA * no; k++)
        YF[k] = (float)Y[k];
}

/* ---- Timing ---------------------------------------------------------------- */

/*
 * The clock of the measurements: this thread's CPU time by default, so that
 * time the machine gave to other processes is not counted (a shared machine
 * under load inflates wall times many times over); "serve MS wall" uses
 * CLOCK_MONOTONIC instead.
 */
static clockid_t clock_id = CLOCK_THREAD_CPUTIME_ID;

static double now_ns(void)
{
    struct timespec t;
    clock_gettime(clock_id, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

/* ---- Modes ----------------------------------------------------------------- */

static double max_abs_diff(const double *a, const double *b)
{
    double m = 0;
    for (int p = 0; p < nparams; p++) {
        double d = fabs(a[p] - b[p]);
        if (d > m || d != d)
            m = d;
    }
    return m;
}

static void write_params(const char *path, const double *v, int with_data)
{
    FILE *f = fopen(path, "w");
    if (!f)
        die("cannot write the check's files");
    for (int p = 0; p < nparams; p++)
        fprintf(f, "%c%d %.17g\n", p < nweights ? 'w' : 'b',
                p < nweights ? p + 1 : p - nweights + 1, v[p]);
    if (with_data) {
        for (int s = 0; s < NDATA; s++) {
            fprintf(f, "data");
            for (int i = 0; i < size[0]; i++)
                fprintf(f, " %.17g", X[s * size[0] + i]);
            for (int i = 0; i < size[nlayers]; i++)
                fprintf(f, " %.17g", Y[s * size[nlayers] + i]);
            fprintf(f, "\n");
        }
    }
    fclose(f);
}

/* Prints "A_vs_B difference" when both were built; returns the difference. */
static double compare(double *const *end, int a, int b)
{
    if (!end[a] || !end[b])
        return 0;
    double d = max_abs_diff(end[a], end[b]);
    printf("%s_vs_%s %.3g\n", impl_name[a], impl_name[b], d);
    return d;
}

/*
 * The critical path must do the tutorial's arithmetic on its chains: one
 * step from the start, on each sample in turn, leaves w1 to w4 exactly as
 * nnc -O2's step does, and the other parameters where they were.
 */
static int critpath_check(void)
{
#if BENCH_CRITPATH && BENCH_NNC_O2
    int same = 0, moved = 0;
    double *a = xmalloc(sizeof *a * (size_t)nparams), *b = xmalloc(sizeof *b * (size_t)nparams);
    for (int s = 0; s < NDATA; s++) {
        void *nn = nnc_new(bench_struct_size, bench_param_offset), *c = critpath_new();
        o2_bnet_train_sample(nn, X + s * size[0], Y + s * size[nlayers], learn_rate);
        critpath_train_sample(c, X + s * size[0], Y + s * size[nlayers], learn_rate);
        nnc_get(bench_param_offset, nn, a);
        critpath_get(c, b);
        int ok = 1;
        for (int p = 0; p < nparams; p++) {
            ok &= p < 4 ? b[p] == a[p] : b[p] == init[p];
            moved += p < 4 && b[p] != init[p];
        }
        same += ok;
        free(nn);
        free(c);
    }
    /* Its epoch function: the same chains, so the same parameters after 4 epochs. */
    void *c1 = critpath_new(), *c2 = critpath_new();
    int pos1 = 0, pos2 = 0;
    state[CRITPATH] = c1, state[CRITPATH_EPOCH] = c2;
    run(CRITPATH, 4L * NDATA, &pos1);
    run(CRITPATH_EPOCH, 4L * NDATA, &pos2);
    state[CRITPATH] = state[CRITPATH_EPOCH] = NULL;
    critpath_get(c1, a);
    critpath_get(c2, b);
    int epoch_same = memcmp(a, b, sizeof *a * (size_t)nparams) == 0;
    free(c1);
    free(c2);
    free(a);
    free(b);
    printf("critpath_vs_nnc-O2 %d/%d one-step matches\n", same, NDATA);
    printf("critpath-epoch_vs_critpath %s\n", epoch_same ? "0" : "DIFFERENT");
    return same == NDATA && moved > NDATA && epoch_same;
#elif BENCH_CRITPATH
    printf("critpath_vs_nnc-O2 not checked: no nnc -O2 build\n");
    return 0;
#else
    return 1;
#endif
}

static int check(const char *dir)
{
    long K = 4L * NDATA;
    double *end[NIMPL], *ref = xmalloc(sizeof *ref * (size_t)nparams);
    for (int k = 0; k < NIMPL; k++) {
        int pos = 0;
        end[k] = NULL;
        if (!impl_built[k] || k == CRITPATH || k == CRITPATH_EPOCH)
            continue;
        state[k] = impl_new(k);
        run(k, K, &pos);
        end[k] = xmalloc(sizeof *end[k] * (size_t)nparams);
        impl_get(k, end[k]);
    }
    struct ln *fr = ln_new();
    for (long t = 0; t < K; t++)
        fannref_step(fr, X + (t % NDATA) * size[0], Y + (t % NDATA) * size[nlayers]);
    ln_get(fr, ref);

    /* The reference: nnc -O2's parameters, or the loop nest's, or FANN's alone. */
    int r = impl_built[NNC_O2] ? NNC_O2 : impl_built[LOOP_O2] ? LOOP_O2 : FANN;
    double scale = 0, moved = max_abs_diff(end[r], init);
    for (int p = 0; p < nparams; p++)
        scale = fmax(scale, fabs(end[r][p]));
    printf("steps %ld\n", K);
    printf("params %d\n", nparams);
    printf("reference %s\n", impl_name[r]);
    printf("max_abs_param %.3g\n", scale);
    printf("max_change %.3g\n", moved);
    double d = 0;
    d = fmax(d, compare(end, LOOP_O2, NNC_O2));
    d = fmax(d, compare(end, NNC_NATIVE, NNC_O2));
    /* The epoch function takes the same steps: the same bits. */
    int epoch_ok = !end[NNC_EPOCH] || !end[NNC_O2] || compare(end, NNC_EPOCH, NNC_O2) == 0;
    d = fmax(d, compare(end, NNC_ALT, NNC_O2));
    d = fmax(d, compare(end, LOOP_NATIVE, LOOP_O2));
    double d_float = compare(end, NNC_FLOAT, NNC_O2);
    double d_fann = r == FANN ? 0 : compare(end, FANN, r);
    double d_fannref = max_abs_diff(end[FANN], ref);
    printf("%s_vs_fann-arithmetic %.3g\n", impl_name[FANN], d_fannref);
    printf("%s_clipped %ld/%ld\n", impl_name[FANN], fannref_clipped, fannref_derivs);

    char path[4096];
    snprintf(path, sizeof path, "%s/start.txt", dir);
    write_params(path, init, 1);
    snprintf(path, sizeof path, "%s/ref_end.txt", dir);
    write_params(path, end[r], 0);

    /*
     * The float build must stay within FLOAT_TOL of the double one.
     * FANN must do its own arithmetic (clipping and all) to 1e-9 (FANN in
     * float to FLOAT_TOL), and,
     * when its clipping changed nothing, come within 1e-6 of nnc: its
     * learning rate is a float.
     */
    double fann_tol = BENCH_FANN_FLOAT ? FLOAT_TOL : 1e-9;
    int critpath_ok = critpath_check();
    int ok = d <= CHECK_TOL && d_float <= FLOAT_TOL && d_fannref <= fann_tol && moved > 1e-6 &&
             (fannref_clipped > 0 || d_fann <= 1e-6) && critpath_ok && epoch_ok;
    printf("check %s\n", ok ? "ok" : "FAILED");
    for (int k = 0; k < NIMPL; k++) {
        if (impl_built[k])
            impl_free(k);
        free(end[k]);
    }
    ln_free(fr);
    free(ref);
    return ok ? 0 : 1;
}

static int serve(double target_ms)
{
    long n[NIMPL];
    int pos[NIMPL];
    for (int k = 0; k < NIMPL; k++) {
        if (!impl_built[k])
            continue;
        state[k] = impl_new(k);
        pos[k] = 0;
        /*
         * Calibrate (and warm up): grow n until a run takes a quarter of
         * target_ms, then scale n to target_ms by the best of three runs.
         */
        double ms;
        for (n[k] = 1;; n[k] *= 2) {
            double t0 = now_ns();
            run(k, n[k], &pos[k]);
            ms = (now_ns() - t0) / 1e6;
            if (ms >= target_ms / 4 || n[k] > (1L << 40))
                break;
        }
        for (int r = 0; r < 2; r++) {
            double t0 = now_ns();
            run(k, n[k], &pos[k]);
            ms = fmin(ms, (now_ns() - t0) / 1e6);
        }
        double want = n[k] * target_ms / fmax(ms, 1e-6);
        n[k] = want < 1 ? 1 : (long)want;
    }
    printf("ready");
    for (int k = 0; k < NIMPL; k++)
        if (impl_built[k])
            printf(" %s %ld", impl_name[k], n[k]);
    printf("\n");
    fflush(stdout);

    char line[256];
    int round = 0;
    while (fgets(line, sizeof line, stdin)) {
        if (strncmp(line, "quit", 4) == 0)
            break;
        double ns[NIMPL];
        for (int r = 0; r < NIMPL; r++) {
            int k = (round + r) % NIMPL;
            if (!impl_built[k])
                continue;
            double t0 = now_ns();
            run(k, n[k], &pos[k]);
            ns[k] = (now_ns() - t0) / (double)n[k];
        }
        round++;
        printf("round");
        for (int k = 0; k < NIMPL; k++)
            if (impl_built[k])
                printf(" %s %.3f", impl_name[k], ns[k]);
        printf("\n");
        fflush(stdout);
    }
    return 0;
}

static int steps(const char *impl, long n)
{
    int k = impl_find(impl), pos = 0;
    state[k] = impl_new(k);
    run(k, n, &pos);
    double *out = xmalloc(sizeof *out * (size_t)nparams);
    impl_get(k, out);
    printf("%s %ld steps, w1 = %.17g\n", impl, n, out[0]);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--normal") == 0) {
        init_normal = 1;
        argc--;
        argv++;
    }
    if (argc < 2)
        die("usage: harness [--normal] check DIR | serve MS [cpu|wall] | steps IMPL N");
    setup();
    if (strcmp(argv[1], "check") == 0 && argc == 3)
        return check(argv[2]);
    if (strcmp(argv[1], "serve") == 0 && (argc == 3 || argc == 4)) {
        if (argc == 4 && strcmp(argv[3], "wall") == 0)
            clock_id = CLOCK_MONOTONIC;
        else if (argc == 4 && strcmp(argv[3], "cpu") != 0)
            die("serve MS [cpu|wall]");
        return serve(atof(argv[2]));
    }
    if (strcmp(argv[1], "steps") == 0 && argc == 4)
        return steps(argv[2], atol(argv[3]));
    die("usage: harness [--normal] check DIR | serve MS [cpu|wall] | steps IMPL N");
    return 2;
}
