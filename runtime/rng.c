/*
 * rng.c: seeded random numbers that are the same on every platform.
 *
 * xoshiro256** (David Blackman and Sebastiano Vigna, 2018) makes the bits;
 * splitmix64 spreads a small seed over its 256 bits of state, as its
 * authors recommend.  Normal draws use the Marsaglia polar method and keep
 * only the first of each pair, so that the k-th draw depends on the seed
 * alone and not on how many draws were asked for before in pairs.
 */
#include "nnrt.h"

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

void nnrt_rng_seed(struct nnrt_rng *rng, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        rng->s[i] = splitmix64(&seed);
}

uint64_t nnrt_rng_next(struct nnrt_rng *rng)
{
    uint64_t *s = rng->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double nnrt_rng_uniform(struct nnrt_rng *rng)
{
    return (double)(nnrt_rng_next(rng) >> 11) * 0x1.0p-53;
}

double nnrt_rng_normal(struct nnrt_rng *rng)
{
    double u, v, s;
    do {
        u = 2 * nnrt_rng_uniform(rng) - 1;
        v = 2 * nnrt_rng_uniform(rng) - 1;
        s = u * u + v * v;
    } while (s >= 1 || s == 0);
    return u * sqrt(-2 * log(s) / s);
}

uint64_t nnrt_rng_below(struct nnrt_rng *rng, uint64_t n)
{
    /* 2^64 mod n draws at the bottom would make the small results likelier; skip them. */
    uint64_t skip = (0 - n) % n, r;
    do
        r = nnrt_rng_next(rng);
    while (r < skip);
    return r % n;
}
