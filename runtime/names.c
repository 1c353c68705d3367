/*
 * names.c: the words of the .nn language that name a kind of thing, one
 * table for nnc and the runtime.
 *
 * nnc looks the spec's words up in them and prints them in messages and
 * drawings; a program prints its optimizer's name in --help and in the
 * errors of --optimizer.  Each table is indexed by the kind's enum (the
 * compiler's Act, LossKind, InitKind and OptKind; enum nnrt_optimizer
 * too) and ends with NULL, for lookups.
 *
 * Here too is the near miss of a mistyped word, the "did you mean" of
 * nnc's messages and of a program's unknown options.
 */
#include <string.h>

#include "nnrt_impl.h"

const char *const nnrt__act_names[] = {
    "sigmoid", "tanh", "relu", "leaky_relu", "linear", "softmax", NULL,
};
const char *const nnrt__loss_names[] = {
    "mse", "binary_cross_entropy", "cross_entropy", NULL,
};
const char *const nnrt__init_names[] = {
    "normal", "xavier", "he", NULL,
};
const char *const nnrt__opt_names[] = {
    "sgd", "momentum", "adam", NULL,
};

/* The edit distance of a and b, giving up (returning a big number) past 3. */
static int distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    if (n > 32 || m > 32)
        return 99;
    int d[33][33];
    for (size_t i = 0; i <= n; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= n; i++) {
        for (size_t j = 1; j <= m; j++) {
            int best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            /* A swap of two neighbours counts as one. */
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    }
    return d[n][m];
}

const char *nnrt__near_miss(const char *s, const char *const *words)
{
    const char *best = NULL;
    int best_d = 99;
    for (int i = 0; words[i] != NULL; i++) {
        int d = distance(s, words[i]);
        if (d < best_d) {
            best_d = d;
            best = words[i];
        }
    }
    /* One edit in a short word, two in a longer one. */
    size_t len = strlen(s);
    if (best_d == 0 || best_d > 2 || (best_d == 2 && len < 5))
        return NULL;
    return best;
}

long nnrt__numbered(const char *name, size_t len, const char *prefix, long max)
{
    size_t skip = strlen(prefix);
    if (len <= skip || memcmp(name, prefix, skip) != 0 || name[skip] == '0')
        return 0;
    long k = 0;
    for (size_t j = skip; j < len; j++) {
        if (name[j] < '0' || name[j] > '9')
            return 0;
        k = k * 10 + (name[j] - '0');
        if (k > max)
            return 0;
    }
    return k;
}

const char *nnrt__saved_network(const char *line, size_t *len)
{
    size_t n = sizeof NNRT__SAVED_HEAD - 1;
    if (strncmp(line, NNRT__SAVED_HEAD, n) != 0)
        return NULL;
    *len = strcspn(line + n, " \t\r\n");
    return line + n;
}
