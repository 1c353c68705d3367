/*
 * runtime_test.c: tests of the runtime library's public API (nnrt.h).
 *
 * Usage: runtime_test DIR [REPR_FILE]
 *
 * Linked with three.c, the C that nnc writes (with -DNNC_NO_MAIN) for a
 * neuron of 2 inputs: `network three { input 2  output 1 sigmoid }`.
 *
 * DIR is an empty scratch directory for the CSV and parameter files.
 * REPR_FILE, when given, holds lines "HEXBITS REPR": the bits of a double
 * as 16 hex digits and Python's repr() of it; every one is checked against
 * nnrt_format_double.  Output is TAP (tests/tap.h).
 *
 * This file holds main, which runs every group of tests in turn, the
 * helpers for DIR's files, and the tests of the losses and activations
 * (the sigmoid and its own exp); runtime_test_numbers.c tests formatting,
 * parsing and random numbers, runtime_test_files.c the CSV and parameter
 * files.  10-runtime.t and 11-sigmoid-exp.t build the three together.
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nnrt.h"
#include "runtime_test.h"
#define TAP_MAIN /* this file holds the count of tests */
#include "tap.h"

const char *dir;

/* DIR/name, written into buf. */
char *path_in(char buf[512], const char *name)
{
    snprintf(buf, 512, "%s/%s", dir, name);
    return buf;
}

void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        printf("Bail out! cannot write %s: %s\n", path, strerror(errno));
        exit(1);
    }
    fputs(text, f);
    fclose(f);
}

/* The whole of a small file, or NULL. */
char *slurp(const char *path)
{
    static char buf[8192];
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* How many entries of directory d have a name starting with prefix. */
int count_entries(const char *d, const char *prefix)
{
    DIR *dp = opendir(d);
    int n = 0;
    if (dp == NULL)
        return -1;
    for (struct dirent *e; (e = readdir(dp)) != NULL;)
        if (strncmp(e->d_name, prefix, strlen(prefix)) == 0)
            n++;
    closedir(dp);
    return n;
}

int same_bits(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

/* ---- Losses ------------------------------------------------------------- */

static void test_losses(void)
{
    /* The tutorial's mse_loss example: all zeros predicted for 1, 0, 0, 1. */
    const double y_true[4] = {1, 0, 0, 1};
    const double y_pred[4] = {0, 0, 0, 0};
    double mse = nnrt_mse(y_true, y_pred, 4);
    ok(mse == 0.5, "mse of (1,0,0,1) against (0,0,0,0) is exactly 0.5 (got %.17g)", mse);

    const double a[3] = {1, 2, 3}, b[3] = {1, 2, 3};
    ok(nnrt_mse(a, b, 3) == 0, "mse of equal vectors is 0");
    const double t1[1] = {1}, p1[1] = {0.25};
    ok(nnrt_mse(t1, p1, 1) == 0.5625, "mse of one sample is its squared error");
}

/* ---- Activations -------------------------------------------------------- */

/* x's bits, from a 64-bit xorshift: every sign, exponent and mantissa. */
static double bits_to_double(uint64_t u)
{
    double x;
    memcpy(&x, &u, sizeof x);
    return x;
}

/*
 * nnrt_sigmoid_nobranch is nnrt_sigmoid without the branch: the same bits
 * for every input but a NaN (NaN either way), in double and in float.
 */
static void test_sigmoid_nobranch(void)
{
    const double edge[] = {0.0, -0.0, 1e-320, -1e-320, DBL_MIN, -DBL_MIN, 0.5, -0.5, 7, -7, 36.7, -36.7,
                           703, -703, nextafter(703, 0), nextafter(-703, 0), 708, -708, 709.7, -709.7, 745.2, -745.2,
                           1e300, -1e300, DBL_MAX, -DBL_MAX, INFINITY, -INFINITY};
    int same = 1;
    for (size_t i = 0; i < sizeof edge / sizeof *edge; i++) {
        double a = nnrt_sigmoid(edge[i]), b = nnrt_sigmoid_nobranch(edge[i]);
        if (memcmp(&a, &b, sizeof a) != 0) {
            same = 0;
            printf("# sigmoid(%a): %a, without the branch %a\n", edge[i], a, b);
        }
    }
    ok(same, "sigmoid without the branch: the same bits at 0, -0, denormals, overflow and infinities");

    uint64_t u = 88172645463325252u;
    long differ = 0, nans = 0;
    for (long i = 0; i < 1000000; i++) {
        u ^= u << 13;
        u ^= u >> 7;
        u ^= u << 17;
        /* Half the draws anywhere, half in [-64, 64), where training lives. */
        double x = i % 2 ? bits_to_double(u) : (double)(int64_t)(u >> 11) * 0x1p-46;
        double a = nnrt_sigmoid(x), b = nnrt_sigmoid_nobranch(x);
        if (isnan(x))
            nans += !(isnan(a) && isnan(b));
        else if (memcmp(&a, &b, sizeof a) != 0)
            differ++;
    }
    ok(differ == 0 && nans == 0, "sigmoid without the branch: the same bits for 10^6 doubles (%ld differ, %ld NaN)",
       differ, nans);

    differ = 0;
    for (long i = 0; i < 1000000; i++) {
        u ^= u << 13;
        u ^= u >> 7;
        u ^= u << 17;
        uint32_t v = (uint32_t)(u >> 32);
        float x, a, b;
        memcpy(&x, &v, sizeof x);
        a = nnrt_sigmoidf(x);
        b = nnrt_sigmoid_nobranchf(x);
        if (isnan(x) ? !(isnan(a) && isnan(b)) : memcmp(&a, &b, sizeof a) != 0)
            differ++;
    }
    ok(differ == 0, "float sigmoid without the branch: the same bits for 10^6 floats (%ld differ)", differ);
}

#ifdef NNRT_OWN_EXP
/* The sigmoid as libm's exp makes it, written here as a reference. */
static double libm_sigmoid(double x)
{
    if (x >= 0)
        return 1 / (1 + exp(-x));
    double e = exp(x);
    return e / (1 + e);
}

/* How far got is from want, in ULPs of the double nearest want. */
static double ulps_from(double got, long double want)
{
    double w = fabs((double)want);
    double ulp = w == 0 ? 0x1p-1074 : nextafter(w, INFINITY) - w;
    return (double)(fabsl((long double)got - want) / ulp);
}

/* A draw in [lo, hi), from the xorshift state u. */
static double draw(uint64_t *u, double lo, double hi)
{
    *u ^= *u << 13;
    *u ^= *u >> 7;
    *u ^= *u << 17;
    return lo + (hi - lo) * (double)(*u >> 11) * 0x1p-53;
}
#endif

/*
 * The exponential that the double sigmoids use (nnrt.h, nnrt__exp),
 * against long double references from libm: its table entry by entry
 * (exp2l), its values (expl), and the sigmoid made from it (expl, and the
 * same formula on libm's exp).
 */
static void test_sigmoid_exp(void)
{
#ifndef NNRT_OWN_EXP
    ok(1, "# SKIP the sigmoid uses libm's exp in this build");
#else
    if (LDBL_MANT_DIG < 64) {
        ok(1, "# SKIP long double is no wider than double here: no reference");
        return;
    }

    int rounded = 1;
    long double worst_tail = 0;
    for (int j = 0; j < 128; j++) {
        long double v = exp2l(j / 128.0L);
        double near = nnrt__exp_table[2 * j], tail = nnrt__exp_table[2 * j + 1];
        if (near != (double)v) {
            rounded = 0;
            printf("# entry %d: %a, 2^(%d/128) rounds to %a\n", 2 * j, near, j, (double)v);
        }
        long double miss = fabsl(tail - (v - near) / near);
        if (miss > worst_tail)
            worst_tail = miss;
    }
    ok(rounded, "exp table: entry 2j is 2^(j/128) rounded to the nearest double, for j = 0..127");
    ok(worst_tail <= 0x1p-62L, "exp table: entry 2j+1 is what that rounding lost, within 2^-62 (worst %Lg)",
       worst_tail);

    /* Arguments: anywhere in (-703, 0], where training lives, near 0, and the halfway points of the reduction. */
    uint64_t u = 2463534242u;
    double worst = 0, worst_at = 0;
    for (long i = 0; i < 1200000; i++) {
        double a;
        if (i < 400000)
            a = -draw(&u, 0, 703);
        else if (i < 800000)
            a = -draw(&u, 0, 40);
        else if (i < 1000000)
            a = -draw(&u, 0, 1e-3);
        else
            a = -((double)(i - 1000000) + 0.5) * 0x1.62e42fefa39efp-8;
        if (!(a > -703))
            continue;
        double e = ulps_from(nnrt__exp(a, 1), expl((long double)a));
        if (e > worst) {
            worst = e;
            worst_at = a;
        }
    }
    ok(worst <= 0.53, "the sigmoid's exp is within 0.53 ULP of e^a for 1.2 million a in (-703, 0] (worst %.3f at %a)",
       worst, worst_at);
    ok(nnrt__exp(-0.0, 1) == 1, "the sigmoid's exp of -0 is 1");
    ok(ulps_from(nnrt__exp(nextafter(-703, 0), 1), expl((long double)nextafter(-703, 0))) <= 0.53,
       "the sigmoid's exp just above -703, its lowest argument, is within 0.53 ULP");

    /* The sigmoid: as accurate as libm's formula, and most often the same bits. */
    double worst_own = 0, worst_libm = 0;
    long same = 0, closer = 0, further = 0, n = 2000000;
    for (long i = 0; i < n; i++) {
        double x = i % 2 ? draw(&u, -40, 40) : draw(&u, -750, 750);
        long double want = 1 / (1 + expl(-(long double)x));
        double own = nnrt_sigmoid(x), libm = libm_sigmoid(x);
        double own_err = ulps_from(own, want), libm_err = ulps_from(libm, want);
        if (own_err > worst_own)
            worst_own = own_err;
        if (libm_err > worst_libm)
            worst_libm = libm_err;
        if (memcmp(&own, &libm, sizeof own) == 0)
            same++;
        else if (own_err < libm_err)
            closer++;
        else if (own_err > libm_err)
            further++;
    }
    ok(worst_own <= worst_libm, "sigmoid: its worst error is no larger than with libm's exp "
       "(%.3f ULP, libm's %.3f, 2*10^6 x in [-750, 750])", worst_own, worst_libm);
    ok(closer * 2 >= further, "sigmoid: where it differs from libm's, it is the closer one at least a third "
       "of the time (closer %ld, further %ld)", closer, further);
    ok(same >= n - n / 1000, "sigmoid: the same bits as with libm's exp for at least 99.9%% of x "
       "(%ld of %ld differ)", n - same, n);

    const double edge[] = {703, nextafter(703, 0), nextafter(703, 1000), -703, nextafter(-703, 0),
                           nextafter(-703, -1000), 708, -708, 745.2, -745.2, 1e-300, -1e-300, 0x1p-1074,
                           -0x1p-1074, 7, -7};
    int same_edge = 1;
    for (size_t i = 0; i < sizeof edge / sizeof *edge; i++) {
        double own = nnrt_sigmoid(edge[i]), libm = libm_sigmoid(edge[i]);
        if (own != libm) {
            same_edge = 0;
            printf("# sigmoid(%a): %a, with libm's exp %a\n", edge[i], own, libm);
        }
    }
    ok(same_edge, "sigmoid: the same as with libm's exp at +-703 and either side, +-708, the subnormals and +-7");
#endif
}

static void test_sigmoid(void)
{
    char buf[NNRT_DOUBLE_BUFSIZE];
    ok(nnrt_sigmoid(0) == 0.5, "sigmoid(0) is 0.5");
    is_string(nnrt_format_double(buf, nnrt_sigmoid(7)), "0.9990889488055994",
              "sigmoid(7) is the tutorial's 0.9990889488055994");
    ok(nnrt_sigmoid(7) == 0.9990889488055994, "sigmoid(7) == 0.9990889488055994 exactly");
    is_double(nnrt_sigmoid(-7), 0.0009110511944006454, 4e-19, "sigmoid(-7) is 0.0009110511944006454");
    is_double(nnrt_sigmoid(-3), 0.04742587317756678, 1e-17, "sigmoid(-3) is the worked example's h1 (0.0474)");

    double s = nnrt_sigmoid(-700);
    ok(s > 0 && !isnan(s), "sigmoid(-700) is a tiny positive number (got %g)", s);
    is_double(s / exp(-700), 1, 1e-12, "sigmoid(-700) is about e^-700");
    s = nnrt_sigmoid(-1000);
    ok(s >= 0 && s < 1e-300 && !isnan(s), "sigmoid(-1000) is 0 or tiny, not NaN (got %g)", s);
    s = nnrt_sigmoid(-DBL_MAX);
    ok(s >= 0 && s < 1e-300 && !isnan(s), "sigmoid(-DBL_MAX) is not NaN (got %g)", s);
    s = nnrt_sigmoid(-INFINITY);
    ok(s == 0, "sigmoid(-inf) is 0 (got %g)", s);
    ok(nnrt_sigmoid(40) == 1, "sigmoid(40) rounds to 1");
    ok(nnrt_sigmoid(1000) == 1, "sigmoid(1000) is 1, not NaN");
    ok(nnrt_sigmoid(DBL_MAX) == 1, "sigmoid(DBL_MAX) is 1");
    ok(nnrt_sigmoid(INFINITY) == 1, "sigmoid(inf) is 1");

    /* Monotone and symmetric on a grid. */
    int monotone = 1, symmetric = 1;
    for (double x = -40; x < 40; x += 0.125) {
        if (nnrt_sigmoid(x + 0.125) < nnrt_sigmoid(x))
            monotone = 0;
        if (fabs(nnrt_sigmoid(x) + nnrt_sigmoid(-x) - 1) > 3 * DBL_EPSILON)
            symmetric = 0;
    }
    ok(monotone, "sigmoid is non-decreasing on [-40, 40]");
    ok(symmetric, "sigmoid(x) + sigmoid(-x) is 1 within 3 ulp on [-40, 40]");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s DIR [REPR_FILE]\n", argv[0]);
        return 2;
    }
    dir = argv[1];

    test_losses();
    test_sigmoid();
    test_sigmoid_nobranch();
    test_sigmoid_exp();
    test_format();
    if (argc > 2)
        test_format_file(argv[2]);
    test_parse();
    test_rng();
    test_csv();
    test_params();
    return done_testing();
}
