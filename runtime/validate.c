/*
 * validate.c: the validation rows, held out of the training rows.
 *
 * `validate F` (--validate F) moves a fraction F of the training rows to a
 * set the network never trains on, whose loss tells when training stops
 * helping (early stopping, train.c).  The rows are drawn by a generator
 * seeded from the run's seed, so that a run and its resumption hold out the
 * same rows; a classifier's are drawn class by class (stratified), so that
 * each class keeps its share on both sides.  Both sets keep the rows in
 * file order.
 */
#include <stdlib.h>
#include <string.h>

#include "nnrt_impl.h"

/* The class of a target row, as nnrt__class_of reads outputs; 0 for a regression. */
static int target_class(const struct nnrt_net *net, const double *y)
{
    return net->classify == NNRT_NO_CLASSES ? 0 : nnrt__class_of(net, y);
}

/*
 * Marks (held[i] = 1) round(fraction * n_c) of the n_c rows of each class
 * c, drawn by a Fisher-Yates shuffle of the class's rows in file order.
 * Returns how many it marked.
 */
static int draw_held(const struct nnrt_net *net, const struct nnrt__dataset *d, double fraction, uint64_t seed,
                     unsigned char *held, int *pick)
{
    size_t width = (size_t)(net->ninputs + net->noutputs);
    int nclasses = nnrt__nclasses(net) > 0 ? nnrt__nclasses(net) : 1; /* a regression is one stratum */
    int total = 0;
    struct nnrt_rng rng;
    /* A stream of its own: the seed's first draws are the initial weights. */
    nnrt_rng_seed(&rng, seed ^ UINT64_C(0x76616c6964617465));
    for (int c = 0; c < nclasses; c++) {
        int n = 0;
        for (int i = 0; i < d->n; i++)
            if (target_class(net, d->rows + (size_t)i * width + net->ninputs) == c)
                pick[n++] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = (int)nnrt_rng_below(&rng, (uint64_t)i + 1), t = pick[i];
            pick[i] = pick[j];
            pick[j] = t;
        }
        int k = (int)floor(fraction * n + 0.5);
        for (int i = 0; i < k; i++)
            held[pick[i]] = 1;
        total += k;
    }
    return total;
}

int nnrt__split_validation(const struct nnrt_net *net, struct nnrt__dataset *d, struct nnrt__dataset *val,
                           double fraction, uint64_t seed)
{
    size_t width = (size_t)(net->ninputs + net->noutputs);
    unsigned char *held = calloc((size_t)d->n, 1);
    int *pick = malloc((size_t)d->n * sizeof *pick);
    if (held == NULL || pick == NULL)
        goto nomem;
    int nval = draw_held(net, d, fraction, seed, held, pick);
    if (nval == 0 || nval == d->n) {
        char f[NNRT_DOUBLE_BUFSIZE];
        fprintf(stderr, "%s: error: validate %s holds out %s of the %d training rows: %s\n", nnrt__progname,
                nnrt_format_double(f, fraction), nval == 0 ? "none" : "all", d->n,
                nval == 0 ? "give a larger fraction or more rows" : "give a smaller fraction");
        free(held);
        free(pick);
        return 1;
    }
    val->file = d->file;
    val->rows = malloc((size_t)nval * width * sizeof *val->rows);
    if (d->line != NULL)
        val->line = malloc((size_t)nval * sizeof *val->line);
    if (val->rows == NULL || (d->line != NULL && val->line == NULL))
        goto nomem;
    /* Both sides in file order: the held rows copied out, the rest moved up. */
    int kept = 0;
    for (int i = 0; i < d->n; i++) {
        int *n = held[i] ? &val->n : &kept;
        double *to = held[i] ? val->rows : d->rows;
        memmove(to + (size_t)*n * width, d->rows + (size_t)i * width, width * sizeof *to);
        if (d->line != NULL)
            (held[i] ? val->line : d->line)[*n] = d->line[i];
        (*n)++;
    }
    d->n = kept;
    free(held);
    free(pick);
    return 0;

nomem:
    free(held);
    free(pick);
    fprintf(stderr, "%s: error: out of memory\n", nnrt__progname);
    return 1;
}
