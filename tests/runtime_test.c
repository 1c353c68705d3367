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
#include "tap.h"


/*
 * The parameter functions, for a network with and without input
 * normalization, and no training progress (the only lines that need
 * changing if their arguments change again).
 */
#define params_save(net, nn, path, err) nnrt_params_save(net, nn, NULL, NULL, path, err)
#define params_load(net, nn, path, err) nnrt_params_load(net, nn, NULL, NULL, path, err)
#define params_save_norm(net, nn, norm, path, err) nnrt_params_save(net, nn, norm, NULL, path, err)
#define params_load_norm(net, nn, norm, path, err) nnrt_params_load(net, nn, norm, NULL, path, err)

static const char *dir;

/* DIR/name, written into buf. */
static char *path_in(char buf[512], const char *name)
{
    snprintf(buf, 512, "%s/%s", dir, name);
    return buf;
}

static void write_file(const char *path, const char *text)
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
static char *slurp(const char *path)
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

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* How many entries of directory d have a name starting with prefix. */
static int count_entries(const char *d, const char *prefix)
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

static int same_bits(double a, double b)
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

/* ---- Formatting and parsing numbers ------------------------------------- */

static void test_format(void)
{
    /* Python 3's repr() of each value, worked out by hand (and by Python). */
    static const struct {
        double x;
        const char *repr;
    } cases[] = {
        {0.9990889488055994, "0.9990889488055994"},
        {0.7216325609518421, "0.7216325609518421"},
        {1.0, "1.0"},
        {-1.5, "-1.5"},
        {100.0, "100.0"},
        {1e-05, "1e-05"},
        {0.0001, "0.0001"},
        {0.00012345, "0.00012345"},
        {1.5e-7, "1.5e-07"},
        {1e16, "1e+16"},
        {1e15, "1000000000000000.0"},
        {9007199254740992.0, "9007199254740992.0"},
        {1234567890123456.0, "1234567890123456.0"},
        {12345678901234567890.0, "1.2345678901234567e+19"},
        {1e22, "1e+22"},
        {1e100, "1e+100"},
        {1e-100, "1e-100"},
        {123.456, "123.456"},
        {0.0, "0.0"},
        {-0.0, "-0.0"},
        {0.1, "0.1"},
        {0.1 + 0.2, "0.30000000000000004"},
        {1 / 3.0, "0.3333333333333333"},
        {2 / 3.0, "0.6666666666666666"},
        {-2 / 3.0, "-0.6666666666666666"},
        {5e-324, "5e-324"},
        {-5e-324, "-5e-324"},
        {DBL_MIN, "2.2250738585072014e-308"},
        {-1.2345678901234567e-30, "-1.2345678901234567e-30"},
        {1.7976931348623157e+308, "1.7976931348623157e+308"},
        {0.021469535265811107, "0.021469535265811107"},
        {123456789.0, "123456789.0"},
        {0.5, "0.5"},
        {2.5e-5, "2.5e-05"},
    };
    char buf[NNRT_DOUBLE_BUFSIZE];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        is_string(nnrt_format_double(buf, cases[i].x), cases[i].repr, "format %s", cases[i].repr);

    /*
     * Doubles whose exact decimal value ends in a 5 just past the shortest
     * length (2^-24 is exactly 5.9604644775390625e-08): the correctly rounded
     * 16 digits (...062, half to even) do not read back, but the other
     * neighbour (...063) does, and that is what repr gives.  nnrt_format_double
     * only tries the rounded digits and so prints 17 digits instead.
     */
    static const struct {
        double x;
        const char *repr;
    } ties[] = {
        {0x1p-24, "5.960464477539063e-08"},
        {-0x1p-24, "-5.960464477539063e-08"},
        {0x1p-44, "5.684341886080802e-14"},
        {0x1p89, "6.189700196426902e+26"},
    };
    for (size_t i = 0; i < sizeof ties / sizeof ties[0]; i++) {
        char desc[100];
        snprintf(desc, sizeof desc, "format %s, the shortest, not 17 digits", ties[i].repr);
        is_string(nnrt_format_double(buf, ties[i].x), ties[i].repr, "%s", desc);
    }

    is_string(nnrt_format_double(buf, NAN), "nan", "format nan");
    is_string(nnrt_format_double(buf, INFINITY), "inf", "format inf");
    is_string(nnrt_format_double(buf, -INFINITY), "-inf", "format -inf");
    ok(nnrt_format_double(buf, 1.0) == buf, "nnrt_format_double returns its buffer");

    /* Round trips: random bit patterns (all exponents) and random everyday values. */
    struct nnrt_rng rng;
    nnrt_rng_seed(&rng, 20190303);
    int bad = 0, tested = 0;
    size_t longest = 0;
    double first_bad = 0;
    for (int i = 0; i < 200000; i++) {
        double x;
        if (i % 2 == 0) {
            uint64_t bits = nnrt_rng_next(&rng);
            memcpy(&x, &bits, sizeof x);
            if (!isfinite(x))
                continue;
        } else {
            x = (nnrt_rng_uniform(&rng) - 0.5) * pow(10, (int)(nnrt_rng_uniform(&rng) * 40) - 20);
        }
        tested++;
        nnrt_format_double(buf, x);
        if (strlen(buf) > longest)
            longest = strlen(buf);
        char *end;
        double back = strtod(buf, &end);
        if (*end != '\0' || !same_bits(back, x)) {
            if (bad == 0)
                first_bad = x;
            bad++;
        }
    }
    ok(bad == 0, "%d random doubles round-trip exactly through format and strtod (%d failed)",
       tested, bad);
    if (bad)
        printf("#   first failure: %a formats as '%s'\n", first_bad, nnrt_format_double(buf, first_bad));
    /* The longest possible: "-1.2345678901234567e-308", 24 characters. */
    ok(longest <= 24 && longest < NNRT_DOUBLE_BUFSIZE, "formatted doubles are at most 24 characters (longest %d)",
       (int)longest);
}

/* Checks lines "HEXBITS REPR" of a file written by Python. */
static void test_format_file(const char *file)
{
    FILE *f = fopen(file, "r");
    if (f == NULL) {
        ok(0, "can read %s", file);
        return;
    }
    char line[128], want[64], got[NNRT_DOUBLE_BUFSIZE];
    unsigned long long bits;
    int n = 0, bad = 0, longer = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        if (sscanf(line, "%llx %63s", &bits, want) != 2)
            continue;
        uint64_t b = (uint64_t)bits;
        double x;
        memcpy(&x, &b, sizeof x);
        nnrt_format_double(got, x);
        n++;
        if (strcmp(got, want) == 0)
            continue;
        /* A round-tripping string just longer than repr's is the known tie problem. */
        if (strlen(got) > strlen(want) && strtod(got, NULL) == x) {
            if (longer < 3)
                printf("#   %016llx: got '%s', Python's repr is '%s' (shorter)\n", bits, got, want);
            longer++;
        } else {
            if (bad < 5)
                printf("#   %016llx: got '%s', Python's repr is '%s'\n", bits, got, want);
            bad++;
        }
    }
    fclose(f);
    ok(n > 1000 && bad == 0, "nnrt_format_double matches Python's repr or is a longer round trip, on %d values (%d differ)",
       n, bad);
    ok(longer == 0, "... and is never longer than repr (%d are)", longer);
}

static void test_parse(void)
{
    double v = 42;
    ok(nnrt_parse_double("1.5", &v) == 0 && v == 1.5, "parse '1.5'");
    ok(nnrt_parse_double("-2", &v) == 0 && v == -2, "parse '-2'");
    ok(nnrt_parse_double("1e-05", &v) == 0 && v == 1e-05, "parse '1e-05'");
    ok(nnrt_parse_double("0.9990889488055994", &v) == 0 && v == 0.9990889488055994,
       "parse '0.9990889488055994' exactly");
    ok(nnrt_parse_double("  3.25\t", &v) == 0 && v == 3.25, "parse allows blanks around a number");
    ok(nnrt_parse_double("-0.0", &v) == 0 && v == 0 && signbit(v), "parse '-0.0' keeps the sign");
    ok(nnrt_parse_double("1.7976931348623157e+308", &v) == 0 && v == DBL_MAX, "parse DBL_MAX");

    static const char *const bad[] = {
        "", " ", "1x", "x1", "1 2", "nan", "NaN", "inf", "-inf", "infinity", "1e999", "-1e999",
        "1,5", "--1",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        v = 42;
        int r = nnrt_parse_double(bad[i], &v);
        ok(r == -1 && v == 42, "parse rejects '%s' and leaves *out alone", bad[i]);
    }
}

/* ---- Random numbers: an independent xoshiro256** seeded by splitmix64 -- */

/*
 * Written from the published algorithm descriptions (Vigna's splitmix64.c
 * and xoshiro256starstar.c), not from runtime/rng.c.
 */
struct ref_rng {
    uint64_t a, b, c, d;
};

static uint64_t ref_splitmix64_next(uint64_t *state)
{
    uint64_t z;
    *state += 0x9E3779B97F4A7C15u;
    z = *state;
    z ^= z >> 30;
    z *= 0xBF58476D1CE4E5B9u;
    z ^= z >> 27;
    z *= 0x94D049BB133111EBu;
    z ^= z >> 31;
    return z;
}

static uint64_t ref_rotate_left(uint64_t v, unsigned n)
{
    return (v << n) | (v >> (64u - n));
}

static void ref_seed(struct ref_rng *r, uint64_t seed)
{
    uint64_t sm = seed;
    r->a = ref_splitmix64_next(&sm);
    r->b = ref_splitmix64_next(&sm);
    r->c = ref_splitmix64_next(&sm);
    r->d = ref_splitmix64_next(&sm);
}

static uint64_t ref_next(struct ref_rng *r)
{
    /* The "**" scrambler on the second word. */
    uint64_t out = ref_rotate_left(r->b * 5u, 7) * 9u;
    /* The linear engine xoshiro256. */
    uint64_t shifted = r->b << 17;
    r->c ^= r->a;
    r->d ^= r->b;
    r->b ^= r->c;
    r->a ^= r->d;
    r->c ^= shifted;
    r->d = ref_rotate_left(r->d, 45);
    return out;
}

static void test_rng(void)
{
    /* The reference splitmix64 against its published test vector (seed 1234567). */
    static const uint64_t sm_vector[5] = {
        UINT64_C(6457827717110365317), UINT64_C(3203168211198807973),
        UINT64_C(9817491932198370423), UINT64_C(4593380528125082431),
        UINT64_C(16408922859458223821),
    };
    uint64_t sm = 1234567;
    int sm_ok = 1;
    for (int i = 0; i < 5; i++)
        sm_ok &= ref_splitmix64_next(&sm) == sm_vector[i];
    ok(sm_ok, "the test's own splitmix64 gives the published sequence for seed 1234567");

    struct nnrt_rng rng;
    struct ref_rng ref;
    nnrt_rng_seed(&rng, 1);
    ref_seed(&ref, 1);
    ok(rng.s[0] == ref.a && rng.s[1] == ref.b && rng.s[2] == ref.c && rng.s[3] == ref.d,
       "seed 1: the state is four splitmix64 outputs from 1");
    for (int i = 0; i < 6; i++) {
        uint64_t got = nnrt_rng_next(&rng), want = ref_next(&ref);
        ok(got == want, "seed 1: output %d is %016llx (got %016llx)", i,
           (unsigned long long)want, (unsigned long long)got);
    }
    /* The same first outputs as literals (from a third, Python, implementation). */
    nnrt_rng_seed(&rng, 1);
    ok(nnrt_rng_next(&rng) == UINT64_C(0xb3f2af6d0fc710c5) &&
       nnrt_rng_next(&rng) == UINT64_C(0x853b559647364cea) &&
       nnrt_rng_next(&rng) == UINT64_C(0x92f89756082a4514),
       "seed 1: first outputs b3f2af6d0fc710c5 853b559647364cea 92f89756082a4514");

    /* Many more outputs, and other seeds, including 0 and the largest. */
    static const uint64_t seeds[] = {0, 1, 2, 42, UINT64_C(0xffffffffffffffff)};
    for (size_t k = 0; k < sizeof seeds / sizeof seeds[0]; k++) {
        nnrt_rng_seed(&rng, seeds[k]);
        ref_seed(&ref, seeds[k]);
        int same = 1;
        for (int i = 0; i < 10000; i++)
            same &= nnrt_rng_next(&rng) == ref_next(&ref);
        ok(same, "seed %llu: 10000 outputs match the reference", (unsigned long long)seeds[k]);
    }

    /* Same seed, same sequence; different seeds, different sequences. */
    struct nnrt_rng r1, r2;
    nnrt_rng_seed(&r1, 7);
    nnrt_rng_seed(&r2, 7);
    int same = 1;
    for (int i = 0; i < 1000; i++)
        same &= nnrt_rng_normal(&r1) == nnrt_rng_normal(&r2);
    ok(same, "the same seed gives the same normal draws");
    nnrt_rng_seed(&r1, 7);
    nnrt_rng_seed(&r2, 8);
    int differ = 0;
    for (int i = 0; i < 100; i++)
        differ += nnrt_rng_next(&r1) != nnrt_rng_next(&r2);
    ok(differ == 100, "seeds 7 and 8 give different outputs (%d of 100 differ)", differ);

    /* Uniform: in [0, 1), from the top 53 bits. */
    nnrt_rng_seed(&r1, 3);
    ref_seed(&ref, 3);
    int in_range = 1, top_bits = 1;
    double sum = 0;
    const int n = 100000;
    for (int i = 0; i < n; i++) {
        double u = nnrt_rng_uniform(&r1);
        in_range &= u >= 0 && u < 1;
        top_bits &= u == ldexp((double)(ref_next(&ref) >> 11), -53);
        sum += u;
    }
    ok(in_range, "uniform draws are in [0, 1)");
    ok(top_bits, "uniform draws are the top 53 bits of the output over 2^53");
    /* The sd of the mean of n uniforms is 1/sqrt(12 n) = 0.0009; allow 5 sd. */
    is_double(sum / n, 0.5, 0.0046, "the mean of %d uniform draws is about 0.5", n);

    /* Normal: mean 0, variance 1, tails as expected. */
    nnrt_rng_seed(&r1, 1);
    double s1 = 0, s2 = 0;
    int within1 = 0, finite = 1;
    for (int i = 0; i < n; i++) {
        double z = nnrt_rng_normal(&r1);
        finite &= isfinite(z);
        s1 += z;
        s2 += z * z;
        within1 += fabs(z) < 1;
    }
    double mean = s1 / n, var = s2 / n - mean * mean;
    ok(finite, "normal draws are finite");
    /* sd of the mean: 1/sqrt(n) = 0.0032; of the variance: sqrt(2/n) = 0.0045; allow 5 sd. */
    is_double(mean, 0, 0.016, "the mean of %d normal draws is about 0 (%g)", n, mean);
    is_double(var, 1, 0.023, "the variance of %d normal draws is about 1 (%g)", n, var);
    /* P(|z| < 1) = 0.6827, sd sqrt(p (1 - p) / n) = 0.0015. */
    is_double((double)within1 / n, 0.6827, 0.0075, "about 68.27%% of normal draws are within 1 sd");

    /* Every seed's normal draws are reproducible from the seed alone. */
    nnrt_rng_seed(&r1, 99);
    double first = nnrt_rng_normal(&r1);
    nnrt_rng_seed(&r2, 99);
    ok(nnrt_rng_normal(&r2) == first, "re-seeding restarts the normal draws");
}

/* ---- CSV ----------------------------------------------------------------- */

static void test_csv(void)
{
    char p[512];
    struct nnrt_table t;
    struct nnrt_error err;
    memset(&err, 0, sizeof err);

    write_file(path_in(p, "good.csv"),
               "# a comment first\n"
               "weight,height,gender\n"
               "\n"
               "-2,-1,1\n"
               "   # an indented comment\n"
               "25, 6 ,0\n"
               "  \t\n"
               "17,4,0\r\n"
               "-15,-6,1.5e0");
    int r = nnrt_csv_read(p, 3, &t, &err);
    ok(r == 0, "good.csv reads (%s)", r == 0 ? "ok" : err.msg);
    ok(t.rows == 4 && t.cols == 3, "good.csv has 4 rows of 3 (got %d of %d)", t.rows, t.cols);
    if (r == 0 && t.rows == 4 && t.cols == 3) {
        static const double want[12] = {-2, -1, 1, 25, 6, 0, 17, 4, 0, -15, -6, 1.5};
        ok(memcmp(t.v, want, sizeof want) == 0, "good.csv values, header and comments skipped");
        ok(t.line[0] == 4 && t.line[1] == 6 && t.line[2] == 8 && t.line[3] == 9,
           "good.csv row lines are 4 6 8 9 (got %d %d %d %d)", t.line[0], t.line[1], t.line[2],
           t.line[3]);
    } else {
        ok(0, "good.csv values, header and comments skipped");
        ok(0, "good.csv row lines");
    }
    nnrt_table_free(&t);
    ok(t.rows == 0 && t.cols == 0 && t.v == NULL && t.line == NULL, "nnrt_table_free empties the table");

    /* cols 0: whatever the first row has. */
    write_file(path_in(p, "crlf.csv"), "a,b\r\n1,2\r\n3,4\r\n");
    r = nnrt_csv_read(p, 0, &t, &err);
    ok(r == 0 && t.rows == 2 && t.cols == 2 && t.v[0] == 1 && t.v[3] == 4,
       "CRLF lines read with cols 0");
    nnrt_table_free(&t);

    write_file(path_in(p, "noheader.csv"), "1,2\n3,4\n");
    r = nnrt_csv_read(p, 2, &t, &err);
    ok(r == 0 && t.rows == 2 && t.v[0] == 1, "a file without a header keeps its first row");
    nnrt_table_free(&t);

    /* A UTF-8 byte order mark, as spreadsheets write: skipped, before a row or a header. */
    write_file(path_in(p, "bom.csv"), "\xef\xbb\xbf" "1,2\n3,4\n");
    r = nnrt_csv_read(p, 2, &t, &err);
    ok(r == 0 && t.rows == 2 && t.v[0] == 1 && t.line[0] == 1,
       "a byte order mark before the first row is skipped (%s)", r == 0 ? "ok" : err.msg);
    nnrt_table_free(&t);
    write_file(path_in(p, "bomheader.csv"), "\xef\xbb\xbf" "x,y\n3,4\n");
    r = nnrt_csv_read(p, 2, &t, &err);
    ok(r == 0 && t.rows == 1 && t.v[0] == 3, "... and before a header");
    nnrt_table_free(&t);
    write_file(path_in(p, "bombad.csv"), "\xef\xbb\xbf" "1,x\n");
    r = nnrt_csv_read(p, 2, &t, &err);
    ok(r == -1 && err.line == 1 && err.col == 6,
       "... and a bad field after it is at 1:6, the mark's bytes counted (got %d:%d)", err.line, err.col);

    /* Wrong column count, with cols given and with cols 0. */
    write_file(path_in(p, "short.csv"), "x,y,z\n1,2,3\n4,5,6\n# c\n7,8\n9,10,11\n");
    memset(&err, 0, sizeof err);
    r = nnrt_csv_read(p, 3, &t, &err);
    ok(r == -1, "a row of 2 values where 3 are wanted is an error");
    ok(err.line == 5, "... on line 5 (got %d)", err.line);
    is_string(err.msg, "expected 3 values but found 2", "... message");
    is_string(err.file, p, "... names the file");
    ok(t.rows == 0 && t.v == NULL && t.line == NULL, "... and leaves the table empty");
    r = nnrt_csv_read(p, 0, &t, &err);
    ok(r == -1 && err.line == 5, "with cols 0, a row shorter than the first is an error on line 5");
    r = nnrt_csv_read(p, 2, &t, &err);
    ok(r == -1 && err.line == 2, "with cols 2, a first row of 3 is an error on line 2 (got %d)", err.line);
    is_string(err.msg, "expected 2 values but found 3", "... message");

    write_file(path_in(p, "long.csv"), "1,2\n3,4,5\n");
    r = nnrt_csv_read(p, 0, &t, &err);
    ok(r == -1 && err.line == 2, "a row longer than the first is an error on line 2");
    is_string(err.msg, "expected 2 values, as on line 1, but found 3", "... message, naming the line of the first");

    /* A non-number: line and column. */
    write_file(path_in(p, "word.csv"), "a,b,c\n1,2,3\n\n4, 5x,6\n");
    memset(&err, 0, sizeof err);
    r = nnrt_csv_read(p, 3, &t, &err);
    ok(r == -1, "a non-number in a row is an error");
    ok(err.line == 4 && err.col == 4, "... at line 4 column 4 (got %d:%d)", err.line, err.col);
    is_string(err.msg, "expected a number but found '5x'", "... message");

    /* Fields separated by something else: the message says so. */
    write_file(path_in(p, "semicolons.csv"), "x;y;z\n1;2;3\n");
    r = nnrt_csv_read(p, 0, &t, &err);
    ok(r == -1 && err.line == 2 && err.col == 1, "fields separated by ';' are an error at 2:1 (got %d:%d)",
       err.line, err.col);
    is_string(err.msg, "expected a number but found '1;2;3'; fields are separated by commas, not ';'",
              "... saying that fields are separated by commas");
    write_file(path_in(p, "tabs.csv"), "x\ty\tz\n1\t2\t3\n");
    r = nnrt_csv_read(p, 0, &t, &err);
    ok(r == -1 && err.line == 2 && strstr(err.msg, "; fields are separated by commas, not tabs") != NULL,
       "fields separated by tabs are an error on line 2, saying so (got '%s')", err.msg);

    /* A long field is quoted to 40 bytes, never cutting a UTF-8 character: x and 19 of 2 bytes. */
    write_file(path_in(p, "long_field.csv"),
               "1,x\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
               "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\n");
    r = nnrt_csv_read(p, 0, &t, &err);
    is_string(err.msg,
              "expected a number but found 'x\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
              "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9...'",
              "a long field is quoted in whole UTF-8 characters");

    write_file(path_in(p, "semicolon_line.csv"), "1;2;3\n");
    r = nnrt_csv_read(p, 0, &t, &err);
    ok(r == -1 && strstr(err.msg, "has no rows of data (its first line was taken for a header);"
                                  " fields are separated by commas, not ';'") != NULL,
       "one line of fields separated by ';' is a header and no rows, saying why (got '%s')", err.msg);
    write_file(path_in(p, "tab_line.csv"), "1\t2\t3\n");
    r = nnrt_csv_read(p, 0, &t, &err);
    ok(r == -1 && strstr(err.msg, "fields are separated by commas, not tabs") != NULL,
       "... and so is one line of fields separated by tabs (got '%s')", err.msg);

    write_file(path_in(p, "empty_field.csv"), "1,2,3\n4,,6\n");
    r = nnrt_csv_read(p, 3, &t, &err);
    ok(r == -1 && err.line == 2 && err.col == 3, "an empty field is an error at 2:3 (got %d:%d)",
       err.line, err.col);
    is_string(err.msg, "expected a number but found an empty field", "... message");

    write_file(path_in(p, "nan.csv"), "x,y\n1,nan\n");
    r = nnrt_csv_read(p, 2, &t, &err);
    ok(r == -1 && err.line == 2 && err.col == 3, "'nan' in a row is an error at 2:3");

    write_file(path_in(p, "twoheaders.csv"), "x,y\nu,v\n1,2\n");
    r = nnrt_csv_read(p, 2, &t, &err);
    ok(r == -1 && err.line == 2 && err.col == 1, "only the first line may be a header (error at 2:1)");

    /* No data. */
    write_file(path_in(p, "header_only.csv"), "weight,height,gender\n");
    memset(&err, 0, sizeof err);
    r = nnrt_csv_read(p, 3, &t, &err);
    ok(r == -1, "a CSV with only a header is an error");
    ok(strstr(err.msg, "no rows of data") != NULL, "... 'no rows of data' (got '%s')", err.msg);

    write_file(path_in(p, "empty.csv"), "");
    r = nnrt_csv_read(p, 3, &t, &err);
    ok(r == -1 && strstr(err.msg, "no rows of data") != NULL, "an empty CSV is an error");

    write_file(path_in(p, "comments.csv"), "# only\n\n# comments\n");
    r = nnrt_csv_read(p, 3, &t, &err);
    ok(r == -1 && strstr(err.msg, "no rows of data") != NULL, "a CSV of only comments is an error");

    /* Files that cannot be read. */
    path_in(p, "no-such-file.csv");
    memset(&err, 0, sizeof err);
    r = nnrt_csv_read(p, 3, &t, &err);
    ok(r == -1, "a missing CSV is an error");
    ok(strstr(err.msg, "cannot open") != NULL, "... 'cannot open' (got '%s')", err.msg);
    ok(strstr(err.msg, "no-such-file.csv") != NULL, "... naming the file");
    ok(err.line == 0, "... with no line");

    r = nnrt_csv_read(dir, 3, &t, &err);
    ok(r == -1 && strstr(err.msg, "cannot open") != NULL, "a directory as CSV is an error (got '%s')",
       err.msg);
}

/* ---- Parameter files ------------------------------------------------------ */

/*
 * The network is a neuron of 2 inputs whose descriptor nnc generates
 * (10-runtime.t compiles it in as three.c): 3 parameters named w1, w2, b1.
 * The tests treat its parameter struct as opaque, net->size bytes, and see
 * the values only through the files that nnrt_params_load reads and
 * nnrt_params_save writes, so that they do not depend on how a descriptor
 * reaches the parameters (which has changed more than once).
 */
extern const struct nnrt_net three_net;

static void *new_nn(void)
{
    void *nn = calloc(1, three_net.size);
    if (nn == NULL) {
        printf("Bail out! out of memory\n");
        exit(1);
    }
    return nn;
}

/* Sets nn to (w1, w2, b1), through a file of %.17g values (which read back exactly). */
static void set_nn(void *nn, double w1, double w2, double b1)
{
    char p[512], text[200];
    struct nnrt_error err;
    snprintf(text, sizeof text, "w1 %.17g\nw2 %.17g\nb1 %.17g\n", w1, w2, b1);
    write_file(path_in(p, "set.txt"), text);
    if (params_load(&three_net, nn, p, &err) != 0) {
        printf("Bail out! cannot set the parameters: %s\n", err.msg);
        exit(1);
    }
}

/* Reads the w1, w2, b1 lines of a saved file into v; returns 0 when each is there once. */
static int read_saved(const char *path, double v[3])
{
    static const char *const names[3] = {"w1", "w2", "b1"};
    int seen[3] = {0, 0, 0};
    char line[200], name[64], value[100];
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    while (fgets(line, sizeof line, f) != NULL) {
        if (line[0] == '#' || sscanf(line, "%63s %99s", name, value) != 2)
            continue;
        for (int i = 0; i < 3; i++)
            if (strcmp(name, names[i]) == 0) {
                v[i] = strtod(value, NULL);
                seen[i]++;
            }
    }
    fclose(f);
    return seen[0] == 1 && seen[1] == 1 && seen[2] == 1 ? 0 : -1;
}

/* Saves nn and reads its values back; 1 when (w1, w2, b1) are exactly the given ones. */
static int saved_is(const void *nn, double w1, double w2, double b1)
{
    char p[512];
    struct nnrt_error err;
    double v[3];
    if (params_save(&three_net, nn, path_in(p, "check.txt"), &err) != 0 || read_saved(p, v) != 0)
        return 0;
    return same_bits(v[0], w1) && same_bits(v[1], w2) && same_bits(v[2], b1);
}

/* Writes text to DIR/name and loads it into nn. */
static int load_text(void *nn, const char *name, const char *text, struct nnrt_error *err)
{
    char p[512];
    write_file(path_in(p, name), text);
    memset(err, 0, sizeof *err);
    return params_load(&three_net, nn, p, err);
}

static void test_params(void)
{
    const struct nnrt_net *net = &three_net;
    struct nnrt_error err;
    char p[512], q[512];
    void *a = new_nn(), *b = new_nn(), *before = new_nn();

    ok(net->nparams == 3 && net->ninputs == 2, "the test network has 3 parameters and 2 inputs");

    set_nn(a, 0.1, -1.0 / 3, 1e-300);
    path_in(p, "params.txt");
    int r = params_save(net, a, p, &err);
    ok(r == 0, "save parameters (%s)", r == 0 ? "ok" : err.msg);
    char *text = slurp(p);
    ok(text != NULL && strstr(text, "\nw1 0.10000000000000001\nw2 -0.33333333333333331\nb1 1e-300\n") != NULL,
       "the saved file has 'name %%.17g' lines in parameter order");
    ok(text != NULL && strncmp(text, "# parameters of network three\n", 30) == 0,
       "the saved file starts with a comment naming the network");
    r = params_load(net, b, p, &err);
    ok(r == 0 && memcmp(a, b, net->size) == 0, "load gives back exactly what was saved");
    ok(count_entries(dir, "params.txt.tmp") == 0, "no temporary file is left after a save");

    /* Random values, many times. */
    struct nnrt_rng rng;
    nnrt_rng_seed(&rng, 5);
    int all = 1;
    for (int i = 0; i < 200; i++) {
        double w1 = nnrt_rng_normal(&rng), w2 = nnrt_rng_normal(&rng) * 1e-200,
               b1 = nnrt_rng_normal(&rng) * 1e200;
        set_nn(a, w1, w2, b1);
        all &= saved_is(a, w1, w2, b1);
    }
    ok(all, "200 random parameter sets round-trip exactly through load and save");

    /* Hand-written files: any order, comments, blanks, CRLF. */
    r = load_text(a, "hand.txt", "# mine\n\n  b1 3 # trailing comment\r\nw1\t1\nw2 -2.5e0\n", &err);
    ok(r == 0 && saved_is(a, 1, -2.5, 3),
       "a hand-written file in another order, with comments and CRLF, loads (%s)",
       r == 0 ? "ok" : err.msg);

    /* A UTF-8 byte order mark first is not part of the first name; columns count it. */
    r = load_text(a, "bom.txt", "\xef\xbb\xbfw1 1\nw2 2\nb1 3\n", &err);
    ok(r == 0 && saved_is(a, 1, 2, 3), "a file that starts with a byte order mark loads (%s)",
       r == 0 ? "ok" : err.msg);
    r = load_text(a, "bom.txt", "\xef\xbb\xbf w9 1\n", &err);
    ok(r == -1 && err.line == 1 && err.col == 5, "... and a bad name after it is at 1:5, in bytes (got %d:%d)",
       err.line, err.col);

    /* Errors: nn unchanged, the right line and message. */
    set_nn(a, 11, 22, 33);
    memcpy(before, a, net->size);
    r = load_text(a, "missing.txt", "w1 1\nb1 3\n", &err);
    ok(r == -1 && memcmp(a, before, net->size) == 0, "a missing parameter is an error; nn unchanged");
    ok(strstr(err.msg, "has no value for parameter 'w2'") != NULL, "... naming it (got '%s')", err.msg);

    r = load_text(a, "dup.txt", "w1 1\nw2 2\n\nw1 1.5\nb1 3\n", &err);
    ok(r == -1 && memcmp(a, before, net->size) == 0, "a duplicate parameter is an error; nn unchanged");
    ok(err.line == 4, "... on line 4 (got %d)", err.line);
    is_string(err.msg, "parameter 'w1' given twice (first on line 1)", "... message");

    r = load_text(a, "unknown.txt", "w1 1\nw2 2\nb1 3\nw3 4\n", &err);
    ok(r == -1 && memcmp(a, before, net->size) == 0, "an unknown parameter is an error; nn unchanged");
    ok(err.line == 4 && err.col == 1, "... at 4:1 (got %d:%d)", err.line, err.col);
    is_string(err.msg, "unknown parameter 'w3'", "... message");

    static const char *const not_names[] = {"w", "b", "w0", "w01", "b2", "W1", "w1x", "x1"};
    for (size_t i = 0; i < sizeof not_names / sizeof not_names[0]; i++) {
        char t[64], want[64];
        snprintf(t, sizeof t, "w1 1\nw2 2\nb1 3\n  %s 4\n", not_names[i]);
        snprintf(want, sizeof want, "unknown parameter '%s'", not_names[i]);
        r = load_text(a, "notname.txt", t, &err);
        ok(r == -1 && err.line == 4 && err.col == 3 && strcmp(err.msg, want) == 0,
           "'%s' is not a parameter of this network (got %d:%d '%s')", not_names[i], err.line,
           err.col, err.msg);
    }

    r = load_text(a, "badnum.txt", "w1 1\nw2 2x\nb1 3\n", &err);
    ok(r == -1 && memcmp(a, before, net->size) == 0, "a bad number is an error; nn unchanged");
    ok(err.line == 2 && err.col == 4, "... at 2:4 (got %d:%d)", err.line, err.col);
    is_string(err.msg, "expected a finite number for 'w2' but found '2x'", "... message");

    r = load_text(a, "nanval.txt", "w1 nan\nw2 2\nb1 3\n", &err);
    ok(r == -1 && err.line == 1, "a NaN value is an error");
    r = load_text(a, "infval.txt", "w1 1\nw2 2\nb1 1e999\n", &err);
    ok(r == -1 && err.line == 3, "an infinite value is an error");
    r = load_text(a, "novalue.txt", "w1 1\nw2\nb1 3\n", &err);
    ok(r == -1 && err.line == 2, "a name without a value is an error");
    is_string(err.msg, "expected a value after 'w2'", "... message");
    r = load_text(a, "twovalues.txt", "w1 1 2\nw2 2\nb1 3\n", &err);
    ok(r == -1 && err.line == 1, "a name with two values is an error");
    r = load_text(a, "empty.txt", "", &err);
    ok(r == -1 && memcmp(a, before, net->size) == 0, "an empty parameter file is an error");
    ok(saved_is(a, 11, 22, 33), "after all these errors nn still holds 11, 22, 33");

    path_in(q, "no-such-params.txt");
    memset(&err, 0, sizeof err);
    r = params_load(net, a, q, &err);
    ok(r == -1 && strstr(err.msg, "cannot open") != NULL, "a missing parameter file is an error (got '%s')",
       err.msg);

    /* Saves that fail. */
    set_nn(a, 1, 2, 3);
    path_in(q, "no-such-dir/params.txt");
    memset(&err, 0, sizeof err);
    r = params_save(net, a, q, &err);
    ok(r == -1, "saving into a directory that does not exist is an error");
    ok(strstr(err.msg, "cannot write") != NULL && strstr(err.msg, "no-such-dir/params.txt") != NULL,
       "... 'cannot write' naming the file (got '%s')", err.msg);
    path_in(q, "no-such-dir");
    ok(!exists(q), "... and creates nothing");

    /* A save that fails at the rename: the target is a non-empty directory. */
    char sub[512], inside[512];
    path_in(sub, "keep");
    mkdir(sub, 0777);
    path_in(inside, "keep/file");
    write_file(inside, "precious\n");
    memset(&err, 0, sizeof err);
    r = params_save(net, a, sub, &err);
    ok(r == -1, "saving over a non-empty directory is an error");
    ok(strstr(err.msg, "cannot write") != NULL, "... 'cannot write' (got '%s')", err.msg);
    text = slurp(inside);
    ok(text != NULL && strcmp(text, "precious\n") == 0, "... the directory and its file are untouched");
    ok(count_entries(dir, "keep.tmp") == 0, "... and no temporary file is left behind");

    /*
     * A save that fails to make its temporary file beside an existing file
     * (name + ".tmpXXXXXX" is longer than a file name may be): the file stays.
     */
    char longname[251];
    memset(longname, 'p', 250);
    longname[250] = '\0';
    path_in(p, longname);
    write_file(p, "old contents\n");
    memset(&err, 0, sizeof err);
    r = params_save(net, a, p, &err);
    text = slurp(p);
    ok(r == -1 && strstr(err.msg, "cannot write") != NULL,
       "a save whose temporary file cannot be made is an error (got '%.60s')", err.msg);
    ok(text != NULL && strcmp(text, "old contents\n") == 0, "... and leaves the existing file untouched");

    /* With input normalization: mean_x1, mean_x2, std_x1, std_x2 after the parameters. */
    double mean[2] = {2.5, -1}, sd[2] = {0.1, 3}, mean2[2] = {7, 7}, sd2[2] = {8, 8};
    struct nnrt_norm norm = {mean, sd}, norm2 = {mean2, sd2};
    path_in(p, "norm.txt");
    r = params_save_norm(net, a, &norm, p, &err);
    text = slurp(p);
    ok(r == 0 && text != NULL && strstr(text, "\nmean_x1 2.5\nmean_x2 -1\n") != NULL &&
           strstr(text, "\nstd_x1 0.10000000000000001\nstd_x2 3\n") != NULL,
       "a save with norm writes mean_x1, mean_x2, std_x1, std_x2");
    r = params_load_norm(net, b, &norm2, p, &err);
    ok(r == 0 && memcmp(a, b, net->size) == 0 && mean2[0] == 2.5 && mean2[1] == -1 && sd2[0] == 0.1 &&
           sd2[1] == 3,
       "a load with norm restores the parameters, the means and the deviations");
    r = params_load(net, b, p, &err);
    ok(r == -1 && strstr(err.msg, "'mean_x1'") != NULL,
       "mean_x1 is an unknown parameter for a network without norm (got '%s')", err.msg);
    r = params_load_norm(net, b, &norm2, path_in(q, "params.txt"), &err);
    ok(r == -1 && strstr(err.msg, "'mean_x1'") != NULL, "a load with norm wants mean_x1 (got '%s')",
       err.msg);
    mean2[0] = mean2[1] = 7;
    sd2[0] = sd2[1] = 8;
    write_file(path_in(p, "badstd.txt"),
               "w1 1\nw2 2\nb1 3\nmean_x1 0\nmean_x2 0\nstd_x1 1\nstd_x2 0\n");
    r = params_load_norm(net, b, &norm2, p, &err);
    ok(r == -1 && err.line == 7 && strstr(err.msg, "'std_x2'") != NULL && mean2[0] == 7 && sd2[0] == 8,
       "std_x2 0 is an error on line 7; norm unchanged (got %d '%s')", err.line, err.msg);

    /* A successful save replaces an existing file. */
    path_in(p, "existing.txt");
    write_file(p, "old contents\n");
    r = params_save(net, a, p, &err);
    text = slurp(p);
    ok(r == 0 && text != NULL && strncmp(text, "# parameters of network three\nw1 1\nw2 2\nb1 3\n", 45) == 0,
       "a save replaces an existing file");

    free(a);
    free(b);
    free(before);
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
