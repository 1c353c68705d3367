/*
 * train.c: the training loop, the gradient and its check.
 *
 * An epoch visits the samples in data order or in a seeded shuffle that
 * depends on the epoch alone, so that a resumed run trains as an
 * uninterrupted one.  Parameters are checked once an epoch, which costs
 * nothing per update; when one has diverged, the epoch is replayed from a
 * copy to name the sample that did it.  The loop allocates nothing.
 */
#define _POSIX_C_SOURCE 200809L
#include <string.h>
#include <time.h>

#include "nnrt_impl.h"

/* The first parameter of nn that is not finite, or -1. */
static int bad_param(const struct nnrt_net *net, const void *nn, const void *state)
{
    for (int i = 0; i < net->nparams; i++)
        if (!isfinite(nnrt__param_get(net, nn, i)))
            return i;
    /* The optimizer's state: Adam's mean square of a huge partial may overflow alone. */
    for (int j = 0; j < net->nstate; j++)
        if (!isfinite(net->state_get(state, j)))
            return net->nparams + j;
    return -1;
}

/* Seconds on a clock that only goes forward. */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/*
 * The order of the samples in epoch e, counted from 0 over every run that
 * resumed: data order, or with shuffling a Fisher-Yates shuffle of it
 * (for i from n-1 down to 1, swap i with a uniform j in [0, i]) driven by
 * xoshiro256** seeded with seed + (e + 1) * 0x9E3779B97F4A7C15.  Each
 * epoch's order depends on the seed and e alone, so a resumed run visits
 * the samples as an uninterrupted one would.
 */
static void epoch_order(int *order, int n, int shuffle, uint64_t seed, long epoch)
{
    for (int i = 0; i < n; i++)
        order[i] = i;
    if (!shuffle)
        return;
    struct nnrt_rng rng;
    nnrt_rng_seed(&rng, seed + (uint64_t)(epoch + 1) * UINT64_C(0x9E3779B97F4A7C15));
    for (int i = n - 1; i > 0; i--) {
        int j = (int)nnrt_rng_below(&rng, (uint64_t)i + 1);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
}

/* Per-sample plain SGD without weight decay: the tutorial's fused step. */
static int fused_step(const struct nnrt_net *net, const struct nnrt__options *o, int count)
{
    return net->optimizer == NNRT_SGD && count == 1 && o->h.weight_decay == 0;
}

/*
 * One update, from the samples order[k .. k + count).  A fused step calls
 * train_sample; everything else sums the partials of the batch and hands
 * them to the optimizer.
 */
static void train_batch(const struct nnrt_net *net, void *nn, const struct nnrt__dataset *d,
                        const struct nnrt__options *o, struct nnrt__trainer *t, int k, int count)
{
    size_t cols = (size_t)(net->ninputs + net->noutputs);
    t->p.step++;
    if (fused_step(net, o, count)) {
        const double *row = d->rows + (size_t)t->order[k] * cols;
        net->train_sample(nn, row, row + net->ninputs, o->h.learn_rate);
        return;
    }
    for (int i = 0; i < net->nparams; i++)
        nnrt__param_set(net, t->sum, i, 0);
    for (int j = k; j < k + count; j++) {
        const double *row = d->rows + (size_t)t->order[j] * cols;
        net->backprop(nn, row, row + net->ninputs, t->sum);
    }
    net->update(nn, t->p.state, t->sum, count, &o->h, t->p.step);
}

/*
 * Trains nn on d for o->epochs more epochs.  Parameters are checked once
 * an epoch; when one has gone to NaN or infinity, the epoch is replayed
 * from copies taken at its start, checking after every update, to name
 * the update that did it.
 */
int nnrt__train(const struct nnrt_net *net, void *nn, const struct nnrt__dataset *d,
                const struct nnrt__options *o, struct nnrt__trainer *t, double *y)
{
    int batch = (int)(o->batch < d->n ? o->batch : d->n);
    double start = t->progress ? now() : 0, shown = start, last_loss = NAN;
    for (long e = 0; e < o->epochs; e++) {
        long epoch = t->p.epoch, step = t->p.step;
        memcpy(t->nn_start, nn, net->size);
        if (net->state_size > 0)
            memcpy(t->state_start, t->p.state, net->state_size);
        epoch_order(t->order, d->n, o->shuffle, o->seed, epoch);
        if (fused_step(net, o, batch) && net->train_epoch != NULL) {
            /* train_batch's fused steps, all in one call: the same arithmetic, faster. */
            net->train_epoch(nn, d->rows, o->shuffle ? t->order : NULL, d->n, o->h.learn_rate);
            t->p.step += d->n;
        } else {
            for (int k = 0; k < d->n; k += batch)
                train_batch(net, nn, d, o, t, k, d->n - k < batch ? d->n - k : batch);
        }

        if (bad_param(net, nn, t->p.state) >= 0) {
            memcpy(nn, t->nn_start, net->size);
            if (net->state_size > 0)
                memcpy(t->p.state, t->state_start, net->state_size);
            t->p.step = step;
            int k = 0, count = 0, p = -1;
            for (; k < d->n && p < 0; k += count) {
                count = d->n - k < batch ? d->n - k : batch;
                train_batch(net, nn, d, o, t, k, count);
                p = bad_param(net, nn, t->p.state);
            }
            k -= count;
            char v[NNRT_DOUBLE_BUFSIZE], name[40];
            int first = t->order[k] + 1;
            nnrt__progress_clear();
            fprintf(stderr, "%s: error: training diverged in epoch %ld at sample %d", nnrt__progname, epoch, first);
            char shown[NNRT__SHOWN_NAME];
            if (d->file != NULL)
                fprintf(stderr, " (%s:%d)", nnrt__shown_name(shown, d->file), d->line[first - 1]);
            if (count > 1)
                fprintf(stderr, ", the first of a batch of %d", count);
            if (p < 0)
                p = 0;
            if (p < net->nparams)
                fprintf(stderr, ": %s became %s; is the learning rate (%g) too high?\n",
                        nnrt_param_name(net, p, name), nnrt_format_double(v, nnrt__param_get(net, nn, p)),
                        o->h.learn_rate);
            else
                fprintf(stderr, ": the optimizer's %s became %s; a partial is too large for it (are the "
                                "inputs or targets far from 1?)\n",
                        nnrt__state_name(net, p - net->nparams, name),
                        nnrt_format_double(v, net->state_get(t->p.state, p - net->nparams)));
            return 1;
        }
        t->p.epoch++;
        int report = o->every > 0 && epoch % o->every == 0;
        if (report || t->history != NULL) {
            double loss = nnrt__data_loss(net, nn, d);
            double acc = net->classify != NNRT_NO_CLASSES ? nnrt__accuracy(net, nn, d, y) : NAN;
            last_loss = loss;
            if (report) {
                nnrt__progress_clear();
                printf("Epoch %ld loss: %.3f\n", epoch, loss);
                if (!isnan(acc))
                    printf("Epoch %ld accuracy: %.3f\n", epoch, acc);
            }
            if (t->history != NULL) {
                char v[NNRT_DOUBLE_BUFSIZE], a[NNRT_DOUBLE_BUFSIZE];
                fprintf(t->history, "%ld,%s%s%s\n", epoch, nnrt_format_double(v, loss), isnan(acc) ? "" : ",",
                        isnan(acc) ? "" : nnrt_format_double(a, acc));
            }
        }
        if (t->progress && (e + 1 == o->epochs || now() - shown > 0.1)) {
            shown = now();
            fflush(stdout);
            nnrt__progress_show(e + 1, o->epochs, last_loss, (double)(e + 1) * d->n / (shown - start + 1e-9));
        }
    }
    nnrt__progress_clear();
    return 0;
}

/* The mean gradient of the loss over d, into grad (a parameter struct). */
void nnrt__mean_grad(const struct nnrt_net *net, const void *nn, const struct nnrt__dataset *d, void *grad)
{
    int cols = net->ninputs + net->noutputs;
    for (int i = 0; i < net->nparams; i++)
        nnrt__param_set(net, grad, i, 0);
    for (int i = 0; i < d->n; i++) {
        const double *row = d->rows + (size_t)i * (size_t)cols;
        net->backprop(nn, row, row + net->ninputs, grad);
    }
    for (int i = 0; i < net->nparams; i++)
        nnrt__param_set(net, grad, i, nnrt__param_get(net, grad, i) / d->n);
}

/*
 * Compares each partial of the mean gradient with a central difference of
 * the data loss, (L(p + h) - L(p - h)) / 2h with h = 1e-5 max(1, |p|).
 * The error of a partial is |analytic - numeric| / max(|analytic| +
 * |numeric|, 1e-3): relative for partials of a useful size, absolute (to
 * 1e-8) for tiny ones, which finite differences cannot resolve better.
 * Returns 0 when the largest error is within NNRT__GRADCHECK_THRESHOLD, else 1.
 */
int nnrt__gradcheck(const struct nnrt_net *net, void *nn, const struct nnrt__dataset *d, void *grad)
{
    nnrt__mean_grad(net, nn, d, grad);
    double worst = -1;
    int at = 0;
    for (int i = 0; i < net->nparams; i++) {
        double p0 = nnrt__param_get(net, nn, i), h = 1e-5 * (fabs(p0) > 1 ? fabs(p0) : 1);
        /* The step as stored: in a float network p0 + h rounds. */
        nnrt__param_set(net, nn, i, p0 + h);
        double up = nnrt__param_get(net, nn, i), lu = nnrt__data_loss(net, nn, d);
        nnrt__param_set(net, nn, i, p0 - h);
        double down = nnrt__param_get(net, nn, i), ld = nnrt__data_loss(net, nn, d);
        nnrt__param_set(net, nn, i, p0);
        double numeric = (lu - ld) / (up - down);
        double analytic = nnrt__param_get(net, grad, i);
        double scale = fabs(analytic) + fabs(numeric);
        double err = fabs(analytic - numeric) / (scale > 1e-3 ? scale : 1e-3);
        if (!isnan(worst) && !(err <= worst)) { /* a NaN error is the worst, and stays so */
            worst = err;
            at = i;
        }
    }
    int pass = worst <= NNRT__GRADCHECK_THRESHOLD;
    char name[32];
    printf("gradcheck: largest relative error %.3g at d_L_d_%s (threshold %g): %s\n", worst,
           nnrt_param_name(net, at, name), NNRT__GRADCHECK_THRESHOLD, pass ? "ok" : "FAILED");
    return !pass;
}
