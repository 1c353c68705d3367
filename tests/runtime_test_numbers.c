/*
 * runtime_test_numbers.c: runtime_test's tests of the runtime's numbers:
 * nnrt_format_double against Python's repr (a fixed list, and a file of
 * many when 10-runtime.t has a Python), nnrt_parse_double, and the random
 * numbers against a xoshiro256** written here from its published
 * description.  They need no files but the repr list.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nnrt.h"
#include "runtime_test.h"
#include "tap.h"

/* ---- Formatting and parsing numbers ------------------------------------- */

/* Round trips: random bit patterns (all exponents) and random everyday values. */
static void test_format_round_trips(void)
{
    char buf[NNRT_DOUBLE_BUFSIZE];
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

void test_format(void)
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

    test_format_round_trips();
}

/* Checks lines "HEXBITS REPR" of a file written by Python. */
void test_format_file(const char *file)
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

void test_parse(void)
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

/* The draws: reproducible from the seed, uniform and normal as they should be. */
static void test_rng_draws(void)
{
    /* Same seed, same sequence; different seeds, different sequences. */
    struct nnrt_rng r1, r2;
    struct ref_rng ref;
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

void test_rng(void)
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

    test_rng_draws();
}
