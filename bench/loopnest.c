/*
 * loopnest.c: the textbook implementation of the benchmark's network, for
 * comparison with nnc's generated code: arrays and loop nests, any number
 * of sigmoid layers, mean squared error, one SGD step per sample.
 *
 * The harness links this file twice, built with different flags, so the
 * function's name comes from the macro LN_TRAIN (default ln_train_sample).
 */
#include <math.h>

#include "loopnest.h"

#ifndef LN_TRAIN
#define LN_TRAIN ln_train_sample
#endif

void LN_TRAIN(struct ln *n, const double *x, const double *y_true, double learn_rate)
{
    int L = n->nlayers;

    /* Feedforward: a[l+1][j] = sigmoid(sum_i w[l][j][i] * in[i] + b[l][j]). */
    const double *in = x;
    for (int l = 0; l < L; l++) {
        int ni = n->size[l], no = n->size[l + 1];
        const double *w = n->w[l], *b = n->b[l];
        double *out = n->a[l + 1];
        for (int j = 0; j < no; j++) {
            double sum = 0;
            for (int i = 0; i < ni; i++)
                sum += w[j * ni + i] * in[i];
            sum += b[j];
            out[j] = 1 / (1 + exp(-sum));
        }
        in = out;
    }

    /* Output layer: dL/dsum_k = -2/n (y_k - o_k) * o_k (1 - o_k). */
    int nout = n->size[L];
    const double *o = n->a[L];
    double *d = n->d[L - 1];
    for (int k = 0; k < nout; k++)
        d[k] = -2 * (y_true[k] - o[k]) / nout * (o[k] * (1 - o[k]));

    /* Hidden layers, backwards: dL/dsum_j = (sum_k w[k][j] dL/dsum_k) * h_j (1 - h_j). */
    for (int l = L - 1; l > 0; l--) {
        int ni = n->size[l], no = n->size[l + 1];
        const double *w = n->w[l], *h = n->a[l], *dn = n->d[l];
        double *dh = n->d[l - 1];
        for (int j = 0; j < ni; j++) {
            double sum = 0;
            for (int k = 0; k < no; k++)
                sum += w[k * ni + j] * dn[k];
            dh[j] = sum * (h[j] * (1 - h[j]));
        }
    }

    /* Update: w -= learn_rate * dL/dsum * input, b -= learn_rate * dL/dsum. */
    for (int l = 0; l < L; l++) {
        int ni = n->size[l], no = n->size[l + 1];
        double *w = n->w[l], *b = n->b[l];
        const double *inp = l == 0 ? x : n->a[l], *dl = n->d[l];
        for (int j = 0; j < no; j++) {
            double g = learn_rate * dl[j];
            for (int i = 0; i < ni; i++)
                w[j * ni + i] -= g * inp[i];
            b[j] -= g;
        }
    }
}
