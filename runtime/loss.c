/*
 * loss.c: the losses of one sample, which the generated NAME_loss calls.
 *
 * With exp.c, this is all of the runtime that a generated network's own
 * functions need: a program that embeds the network without the rest of
 * the runtime (on a small device, say) compiles these two files beside
 * it.  Neither reads a file or allocates.
 */
#include <float.h>

#include "nnrt.h"

double nnrt_mse(const double *y_true, const double *y_pred, int n)
{
    double sum = 0;
    for (int i = 0; i < n; i++) {
        double e = y_true[i] - y_pred[i];
        sum += e * e;
    }
    return sum / n;
}

/* p moved inside [lo, hi], for logs that must stay finite. */
static double clamp(double p, double lo, double hi)
{
    return p < lo ? lo : p > hi ? hi : p;
}

double nnrt_binary_cross_entropy(const double *y_true, const double *y_pred, int n)
{
    double sum = 0;
    for (int i = 0; i < n; i++) {
        double p = clamp(y_pred[i], DBL_MIN, 1 - DBL_EPSILON / 2);
        sum += y_true[i] * log(p) + (1 - y_true[i]) * log1p(-p);
    }
    return -sum / n;
}

double nnrt_cross_entropy(const double *y_true, const double *y_pred, int n)
{
    double sum = 0;
    for (int i = 0; i < n; i++)
        if (y_true[i] != 0)
            sum += y_true[i] * log(clamp(y_pred[i], DBL_MIN, 1));
    return -sum;
}
