/*
 * schedule.c: the learning rate of each epoch, as PyTorch's schedulers
 * give it.
 *
 * StepLR, ExponentialLR and CosineAnnealingLR, stepped once an epoch,
 * compute the next rate from the current one (the "chainable" get_lr that
 * scheduler.step() calls), not from a closed form: the two differ in the
 * last bits, and a run here is to match torch to those bits.  The recursion
 * needs the current rate, so a parameter file keeps it (`learn_rate`) and a
 * resumed run goes on from it; a file without it is caught up by replaying
 * the recursion from the first epoch, which gives the same rate.
 */
#include <stdlib.h>
#include <string.h>

#include "nnrt_impl.h"

/* math.pi: M_PI is not C99. */
#define PI 3.141592653589793

/* Python's a % b for b > 0: never negative, as CosineAnnealingLR's test of the period needs. */
static long py_mod(long a, long b)
{
    long m = a % b;
    return m < 0 ? m + b : m;
}

double nnrt__schedule_next(const struct nnrt_schedule *s, double base, double lr, long epoch)
{
    switch (s->kind) {
    case NNRT_STEP:
        return epoch % s->every == 0 ? lr * s->gamma : lr;
    case NNRT_EXPONENTIAL:
        return lr * s->gamma;
    case NNRT_COSINE: {
        double t = (double)s->t_max;
        /* Where the ratio below would divide by 0 (the rate at eta_min), torch adds the step instead. */
        if (py_mod(epoch - 1 - s->t_max, 2 * s->t_max) == 0)
            return lr + (base - s->eta_min) * (1 - cos(PI / t)) / 2;
        return (1 + cos(PI * (double)epoch / t)) / (1 + cos(PI * (double)(epoch - 1) / t)) * (lr - s->eta_min) +
               s->eta_min;
    }
    case NNRT_CONSTANT:
        break;
    }
    return lr;
}

double nnrt__schedule_rate(const struct nnrt_schedule *s, double base, long epoch)
{
    double lr = base;
    for (long e = 1; s->kind != NNRT_CONSTANT && e <= epoch; e++)
        lr = nnrt__schedule_next(s, base, lr, e);
    return lr;
}

/* Reads a whole number from 1 to 2^31 - 1; -1 when w is not one. */
static int whole_arg(const char *w, long *out)
{
    unsigned long long v;
    if (w == NULL || nnrt__parse_whole(w, 2147483647, &v) != 0 || v < 1)
        return -1;
    *out = (long)v;
    return 0;
}

/* Reads a finite number > 0 (>= 0 when zero is set); -1 when w is not one. */
static int positive_arg(const char *w, int zero, double *out)
{
    if (w == NULL || nnrt_parse_double(w, out) != 0 || *out < 0 || (*out == 0 && !zero))
        return -1;
    return 0;
}

int nnrt__parse_schedule(const char *text, struct nnrt_schedule *s)
{
    char buf[256];
    const char *w[5] = {0};
    int n = 0;
    if (strlen(text) >= sizeof buf)
        return -1;
    strcpy(buf, text);
    /* Words apart by blanks or commas: "step 10 0.5" and "step,10,0.5" alike. */
    for (char *p = strtok(buf, " \t,"); p != NULL; p = strtok(NULL, " \t,"))
        if (n < 5)
            w[n++] = p;
    struct nnrt_schedule r = {NNRT_CONSTANT, 0, 0, 0, 0};
    if (n == 1 && strcmp(w[0], "none") == 0)
        r.kind = NNRT_CONSTANT;
    else if (n == 3 && strcmp(w[0], "step") == 0 && whole_arg(w[1], &r.every) == 0 &&
             positive_arg(w[2], 0, &r.gamma) == 0)
        r.kind = NNRT_STEP;
    else if (n == 2 && strcmp(w[0], "exponential") == 0 && positive_arg(w[1], 0, &r.gamma) == 0)
        r.kind = NNRT_EXPONENTIAL;
    else if ((n == 2 || n == 3) && strcmp(w[0], "cosine") == 0 && whole_arg(w[1], &r.t_max) == 0 &&
             (n == 2 || positive_arg(w[2], 1, &r.eta_min) == 0))
        r.kind = NNRT_COSINE;
    else
        return -1;
    *s = r;
    return 0;
}
