/*
 * train.c: the training loop, the gradient and its check.
 *
 * An epoch visits the samples in data order or in a seeded shuffle that
 * depends on the epoch alone, so that a resumed run trains as an
 * uninterrupted one, and so does the learning rate of a schedule
 * (schedule.c).  Parameters are checked once an epoch, which costs
 * nothing per update; when one has diverged (NaN, infinite, or past
 * 1e150), the epoch is replayed from a copy to name the sample that did
 * it.  With validation rows, their loss is measured after each epoch, and
 * early stopping keeps a copy of the run at its best epoch to put back.
 * The loop allocates nothing.
 */
#define _POSIX_C_SOURCE 200809L
#include <string.h>
#include <time.h>

#include "nnrt_impl.h"

/*
 * Past this size a parameter has diverged, though it is still finite: its
 * square is near the largest double, and saturating activations (tanh,
 * softmax) can keep a loss finite while the weights run off to 1e300.  No
 * network that learns comes near it.
 */
#define DIVERGED 1e150

/* The first parameter of nn that is not finite or is past DIVERGED, or -1. */
static int bad_param(const struct nnrt_net *net, const void *nn, const void *state)
{
    for (int i = 0; i < net->nparams; i++)
        if (!(fabs(nnrt__param_get(net, nn, i)) <= DIVERGED))
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
static int fused_step(const struct nnrt_net *net, const struct nnrt_hyper *h, int count)
{
    return net->optimizer == NNRT_SGD && count == 1 && h->weight_decay == 0;
}

/*
 * One update, from the samples order[k .. k + count).  A fused step calls
 * train_sample; everything else sums the partials of the batch and hands
 * them to the optimizer.
 */
static void train_batch(const struct nnrt_net *net, void *nn, const struct nnrt__dataset *d,
                        const struct nnrt_hyper *h, struct nnrt__trainer *t, int k, int count)
{
    size_t cols = (size_t)(net->ninputs + net->noutputs);
    t->p.step++;
    if (fused_step(net, h, count)) {
        const double *row = d->rows + (size_t)t->order[k] * cols;
        net->train_sample(nn, row, row + net->ninputs, h->learn_rate);
        return;
    }
    for (int i = 0; i < net->nparams; i++)
        nnrt__param_set(net, t->sum, i, 0);
    for (int j = k; j < k + count; j++) {
        const double *row = d->rows + (size_t)t->order[j] * cols;
        net->backprop(nn, row, row + net->ninputs, t->sum);
    }
    net->update(nn, t->p.state, t->sum, count, h, t->p.step);
}

/* One epoch of updates, in the order of t->order. */
static void train_once(const struct nnrt_net *net, void *nn, const struct nnrt__dataset *d,
                       const struct nnrt__options *o, const struct nnrt_hyper *h, struct nnrt__trainer *t, int batch)
{
    if (fused_step(net, h, batch) && net->train_epoch != NULL) {
        /* train_batch's fused steps, all in one call: the same arithmetic, faster. */
        net->train_epoch(nn, d->rows, o->shuffle ? t->order : NULL, d->n, h->learn_rate);
        t->p.step += d->n;
    } else {
        for (int k = 0; k < d->n; k += batch)
            train_batch(net, nn, d, h, t, k, d->n - k < batch ? d->n - k : batch);
    }
}

/*
 * Epoch epoch left a parameter past its bound: replays it from the copies
 * taken at its start (step: the count of updates then), checking after
 * every update, and says which update did it.  Returns 1.
 */
static int diverged(const struct nnrt_net *net, void *nn, const struct nnrt__dataset *d, const struct nnrt_hyper *h,
                    struct nnrt__trainer *t, int batch, long epoch, long step)
{
    memcpy(nn, t->nn_start, net->size);
    if (net->state_size > 0)
        memcpy(t->p.state, t->state_start, net->state_size);
    t->p.step = step;
    int k = 0, count = 0, p = -1;
    for (; k < d->n && p < 0; k += count) {
        count = d->n - k < batch ? d->n - k : batch;
        train_batch(net, nn, d, h, t, k, count);
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
    if (p < net->nparams) {
        double x = nnrt__param_get(net, nn, p);
        fprintf(stderr, ": %s became %s%s; is the learning rate (%g) too high?\n", nnrt_param_name(net, p, name),
                nnrt_format_double(v, x), isfinite(x) ? ", past 1e150, where no training converges" : "",
                h->learn_rate);
    } else {
        fprintf(stderr, ": the optimizer's %s became %s; a partial is too large for it (are the "
                        "inputs or targets far from 1?)\n",
                nnrt__state_name(net, p - net->nparams, name),
                nnrt_format_double(v, net->state_get(t->p.state, p - net->nparams)));
    }
    return 1;
}

/* The loss and accuracy of the rows of d (accuracy NaN for a regression). */
static void measure(const struct nnrt_net *net, const void *nn, const struct nnrt__dataset *d, double *y,
                    double *loss, double *acc)
{
    *loss = nnrt__data_loss(net, nn, d);
    *acc = net->classify != NNRT_NO_CLASSES ? nnrt__accuracy(net, nn, d, y) : NAN;
}

/* Prints "Epoch N what: V" unless v is NaN (the accuracy of a regression). */
static void epoch_line(long epoch, const char *what, double v)
{
    char b[NNRT_DOUBLE_BUFSIZE];
    if (!isnan(v))
        printf("Epoch %ld %s: %s\n", epoch, what, nnrt__loss_text(b, v));
}

/* Appends ",V" to the history row, unless v is NaN. */
static void history_value(FILE *f, double v)
{
    char b[NNRT_DOUBLE_BUFSIZE];
    if (!isnan(v))
        fprintf(f, ",%s", nnrt_format_double(b, v));
}

/*
 * After epoch epoch, trained at rate lr: the loss lines (every o->every
 * epochs) and the history row.  Returns the epoch's training loss when it
 * was measured, else NaN; *val_loss is the validation loss (NaN when not
 * measured), which early stopping measures every epoch.
 */
static double report_epoch(const struct nnrt_net *net, const void *nn, const struct nnrt__dataset *d,
                           const struct nnrt__options *o, struct nnrt__trainer *t, double *y, long epoch,
                           double lr, double *val_loss)
{
    int report = o->every > 0 && epoch % o->every == 0;
    double loss = NAN, acc = NAN, val_acc = NAN;
    *val_loss = NAN;
    if (report || t->history != NULL)
        measure(net, nn, d, y, &loss, &acc);
    if (t->val != NULL && (report || t->history != NULL || o->early_stop > 0))
        measure(net, nn, t->val, y, val_loss, &val_acc);
    if (report) {
        nnrt__progress_clear();
        epoch_line(epoch, "loss", loss);
        epoch_line(epoch, "accuracy", acc);
        if (t->val != NULL) {
            epoch_line(epoch, "val_loss", *val_loss);
            epoch_line(epoch, "val_accuracy", val_acc);
        }
    }
    if (t->history != NULL) {
        fprintf(t->history, "%ld", epoch);
        history_value(t->history, loss);
        history_value(t->history, acc);
        history_value(t->history, *val_loss);
        history_value(t->history, val_acc);
        if (o->schedule.kind != NNRT_CONSTANT)
            history_value(t->history, lr);
        fprintf(t->history, "\n");
    }
    return loss;
}

/* The run as it is after epoch epoch, kept as the best so far; or (restore) put back. */
static void keep_best(const struct nnrt_net *net, void *nn, struct nnrt__trainer *t, int restore)
{
    void *state = t->p.state;
    if (restore) {
        memcpy(nn, t->nn_best, net->size);
        t->p = t->best;
        t->p.state = state;
        if (net->state_size > 0)
            memcpy(state, t->best.state, net->state_size);
        return;
    }
    void *best_state = t->best.state;
    memcpy(t->nn_best, nn, net->size);
    t->best = t->p;
    t->best.state = best_state;
    if (net->state_size > 0)
        memcpy(best_state, state, net->state_size);
}

/*
 * Early stopping, after epoch epoch: keeps the run when its validation loss
 * is the best yet.  Returns 1 when o->early_stop epochs have passed
 * without a better one.
 */
static int stop_early(const struct nnrt_net *net, void *nn, const struct nnrt__options *o,
                      struct nnrt__trainer *t, long epoch, double val_loss, long *since)
{
    if (o->early_stop <= 0)
        return 0;
    if (val_loss < t->best_loss) {
        t->best_loss = val_loss;
        t->best_epoch = epoch;
        keep_best(net, nn, t, 0);
        *since = 0;
        return 0;
    }
    return ++*since >= o->early_stop;
}

/*
 * Trains nn on d for o->epochs more epochs, at the rate of the schedule.
 * Parameters are checked once an epoch; when one has gone to NaN, infinity
 * or past DIVERGED, the epoch is replayed (diverged).  With early
 * stopping, the best epoch's run is put back at the end.
 */
int nnrt__train(const struct nnrt_net *net, void *nn, const struct nnrt__dataset *d,
                const struct nnrt__options *o, struct nnrt__trainer *t, double *y)
{
    int batch = (int)(o->batch < d->n ? o->batch : d->n);
    double start = t->progress ? now() : 0, shown = start;
    struct nnrt_hyper h = o->h;
    int scheduled = o->schedule.kind != NNRT_CONSTANT;
    double lr = scheduled && t->p.learn_rate > 0 ? t->p.learn_rate
                                                 : nnrt__schedule_rate(&o->schedule, o->h.learn_rate, t->p.epoch);
    long since = 0; /* epochs since the best validation loss */
    t->best_loss = INFINITY;
    t->best_epoch = -1;
    for (long e = 0; e < o->epochs; e++) {
        long epoch = t->p.epoch, step = t->p.step;
        h.learn_rate = lr;
        memcpy(t->nn_start, nn, net->size);
        if (net->state_size > 0)
            memcpy(t->state_start, t->p.state, net->state_size);
        epoch_order(t->order, d->n, o->shuffle, o->seed, epoch);
        train_once(net, nn, d, o, &h, t, batch);
        if (bad_param(net, nn, t->p.state) >= 0)
            return diverged(net, nn, d, &h, t, batch, epoch, step);
        t->p.epoch++;
        lr = nnrt__schedule_next(&o->schedule, o->h.learn_rate, lr, t->p.epoch);
        t->p.learn_rate = scheduled ? lr : 0;
        double val_loss, loss = report_epoch(net, nn, d, o, t, y, epoch, h.learn_rate, &val_loss);
        int stop = stop_early(net, nn, o, t, epoch, val_loss, &since);
        if (t->progress && (e + 1 == o->epochs || stop || now() - shown > 0.1)) {
            shown = now();
            fflush(stdout);
            if (isnan(loss))
                loss = nnrt__data_loss(net, nn, d);
            double per = (shown - start) / (double)(e + 1);
            nnrt__progress_show(e + 1, o->epochs, loss, (double)(e + 1) * d->n / (shown - start + 1e-9),
                                per * (double)(o->epochs - e - 1));
        }
        if (stop)
            break;
    }
    nnrt__progress_clear();
    if (t->best_epoch >= 0) {
        char v[NNRT_DOUBLE_BUFSIZE];
        keep_best(net, nn, t, 1);
        printf("best validation loss: %s (epoch %ld)\n", nnrt__loss_text(v, t->best_loss), t->best_epoch);
    }
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
/*
 * How far the analytic partial a is from the finite differences, relative
 * to their size.  Central differences are exact to h^2 where the loss is
 * smooth; but a relu, leaky relu or max pool has kinks, and across one
 * the central difference may be anything between the two one-sided
 * slopes.  There (the slopes differ by more than the threshold allows)
 * a partial between them is right, and the error is its distance from
 * that interval.
 */
static double grad_error(double a, double l0, double lu, double ld, double p0, double up, double down)
{
    double numeric = (lu - ld) / (up - down);
    double scale = fabs(a) + fabs(numeric);
    scale = scale > 1e-3 ? scale : 1e-3;
    double err = fabs(a - numeric) / scale;
    if (!(err > NNRT__GRADCHECK_THRESHOLD))
        return err;
    double fwd = (lu - l0) / (up - p0), bwd = (l0 - ld) / (p0 - down);
    double lo = fwd < bwd ? fwd : bwd, hi = fwd < bwd ? bwd : fwd;
    if (!((hi - lo) / scale > NNRT__GRADCHECK_THRESHOLD))
        return err; /* no kink: the central difference stands */
    return a < lo ? (lo - a) / scale : a > hi ? (a - hi) / scale : 0;
}

/* The error of the partial a of parameter i, from the losses at p0 +- h. */
static double error_at_step(const struct nnrt_net *net, void *nn, const struct nnrt__dataset *d, int i,
                            double a, double l0, double p0, double h)
{
    /* The step as stored: in a float network p0 + h rounds. */
    nnrt__param_set(net, nn, i, p0 + h);
    double up = nnrt__param_get(net, nn, i), lu = nnrt__data_loss(net, nn, d);
    nnrt__param_set(net, nn, i, p0 - h);
    double down = nnrt__param_get(net, nn, i), ld = nnrt__data_loss(net, nn, d);
    nnrt__param_set(net, nn, i, p0);
    return grad_error(a, l0, lu, ld, p0, up, down);
}

int nnrt__gradcheck(const struct nnrt_net *net, void *nn, const struct nnrt__dataset *d, void *grad)
{
    nnrt__mean_grad(net, nn, d, grad);
    double worst = -1, l0 = nnrt__data_loss(net, nn, d);
    int at = 0;
    for (int i = 0; i < net->nparams; i++) {
        double p0 = nnrt__param_get(net, nn, i), h = 1e-5 * (fabs(p0) > 1 ? fabs(p0) : 1);
        double a = nnrt__param_get(net, grad, i);
        double err = error_at_step(net, nn, d, i, a, l0, p0, h);
        /*
         * Near the threshold or past it, a kink may lie within the step (a conv
         * layer's thousands of relus and pooling choices make that likely
         * for some parameter): a step 100 times smaller crosses one 100
         * times less often, and is still far above rounding in double.
         */
        if (err > NNRT__GRADCHECK_THRESHOLD / 10 && !net->single) {
            double err2 = error_at_step(net, nn, d, i, a, l0, p0, h / 100);
            err = err2 < err ? err2 : err;
        }
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
