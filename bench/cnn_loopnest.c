/*
 * cnn_loopnest.c: the digits CNN's training step as a textbook loop nest, the
 * yardstick that cnn_bench.py times nnc's generated step against.
 *
 * One sample of per-sample SGD in double precision: a convolution of NF
 * filters KH x KW over the IN_C channels of an IN_H x IN_W image (stride 1,
 * PAD zeros on every side), an activation (tanh, or relu with -DCNN_RELU),
 * max pooling PH x PW (stride the window's size; ties to the first in
 * row-major order), a dense softmax layer of NOUT outputs over the pooled map
 * flattened channels-last, cross-entropy.  The forward pass keeps what the
 * backward pass needs (the activations and each window's winner); the
 * backward pass takes d L / d z = p - y at the softmax (the usual fusion of
 * softmax and cross-entropy), then each layer's partials by its loops, then
 * every parameter's update.  Plain loops, no tricks: what a programmer
 * would write by hand from the textbook.
 *
 * The sizes are macros so that cnn_bench.py builds it for the spec's
 * network (-DNF=8 -DPAD=1 ...); the parameters are reached in nnc's order
 * through cnn_ln_get and cnn_ln_set, so that both start from the same ones.
 */
#include <math.h>

#include "cnn_loopnest.h"

#define OH (IN_H + 2 * PAD - KH + 1) /* the convolution's output */
#define OW (IN_W + 2 * PAD - KW + 1)
#define QH (OH / PH)                 /* the pool's output */
#define QW (OW / PW)
#define FLAT (QH * QW * NF)

struct cnn_ln {
    double cw[NF][KH][KW][IN_C]; /* w1.. in nnc's order: filter, row, column, channel */
    double dw[NOUT][FLAT];       /* then the dense layer's, neuron by neuron */
    double cb[NF];               /* b1.. */
    double db[NOUT];
};

size_t cnn_ln_size(void) { return sizeof(struct cnn_ln); }
int cnn_ln_nparams(void) { return NF * KH * KW * IN_C + NOUT * FLAT + NF + NOUT; }

/* The struct's members lie in nnc's parameter order, without padding between
   arrays of doubles: parameter i is the i-th double. */
double cnn_ln_get(const struct cnn_ln *p, int i) { return ((const double *)p)[i]; }
void cnn_ln_set(struct cnn_ln *p, int i, double v) { ((double *)p)[i] = v; }

static double act(double s)
{
#ifdef CNN_RELU
    return s > 0 ? s : 0.0;
#else
    return tanh(s);
#endif
}

static double act_deriv(double a)
{
#ifdef CNN_RELU
    return a > 0 ? 1.0 : 0.0;
#else
    return 1.0 - a * a;
#endif
}

static double input_at(const double *x, int r, int c, int ch)
{
    if (r < 0 || r >= IN_H || c < 0 || c >= IN_W)
        return 0.0; /* the padding */
    return x[(r * IN_W + c) * IN_C + ch];
}

void cnn_ln_train_sample(struct cnn_ln *p, const double *x, const double *y, double lr)
{
    static double a[OH][OW][NF], q[FLAT], z[NOUT], dq[FLAT], da[OH][OW][NF];
    static int win[FLAT]; /* the winner of each window, as r * OW + c */
    static double gcw[NF][KH][KW][IN_C], gdw[NOUT][FLAT], gcb[NF], gdb[NOUT];

    /* Forward: convolution and activation. */
    for (int i = 0; i < OH; i++)
        for (int j = 0; j < OW; j++)
            for (int f = 0; f < NF; f++) {
                double s = p->cb[f];
                for (int u = 0; u < KH; u++)
                    for (int v = 0; v < KW; v++)
                        for (int ch = 0; ch < IN_C; ch++)
                            s += p->cw[f][u][v][ch] * input_at(x, i + u - PAD, j + v - PAD, ch);
                a[i][j][f] = act(s);
            }
    /* Max pooling, channels-last into q. */
    for (int i = 0; i < QH; i++)
        for (int j = 0; j < QW; j++)
            for (int f = 0; f < NF; f++) {
                int k = (i * QW + j) * NF + f, best = -1;
                double m = 0;
                for (int u = 0; u < PH; u++)
                    for (int v = 0; v < PW; v++) {
                        double t = a[i * PH + u][j * PW + v][f];
                        if (best < 0 || t > m) {
                            m = t;
                            best = (i * PH + u) * OW + j * PW + v;
                        }
                    }
                q[k] = m;
                win[k] = best;
            }
    /* Dense layer and softmax. */
    double mx = -INFINITY, sum = 0;
    for (int o = 0; o < NOUT; o++) {
        double s = p->db[o];
        for (int k = 0; k < FLAT; k++)
            s += p->dw[o][k] * q[k];
        z[o] = s;
        if (s > mx)
            mx = s;
    }
    for (int o = 0; o < NOUT; o++)
        sum += z[o] = exp(z[o] - mx);

    /* Backward: d L / d z = p - y, then the dense layer's partials. */
    for (int k = 0; k < FLAT; k++)
        dq[k] = 0;
    for (int o = 0; o < NOUT; o++) {
        double d = z[o] / sum - y[o];
        gdb[o] = d;
        for (int k = 0; k < FLAT; k++) {
            gdw[o][k] = d * q[k];
            dq[k] += d * p->dw[o][k];
        }
    }
    /* The pool: each window's partial to its winner. */
    for (int i = 0; i < OH; i++)
        for (int j = 0; j < OW; j++)
            for (int f = 0; f < NF; f++)
                da[i][j][f] = 0;
    for (int k = 0; k < FLAT; k++)
        da[win[k] / OW][win[k] % OW][k % NF] = dq[k];
    /* The convolution: each weight's partial sums over the positions it was used at. */
    for (int f = 0; f < NF; f++) {
        gcb[f] = 0;
        for (int u = 0; u < KH; u++)
            for (int v = 0; v < KW; v++)
                for (int ch = 0; ch < IN_C; ch++)
                    gcw[f][u][v][ch] = 0;
    }
    for (int i = 0; i < OH; i++)
        for (int j = 0; j < OW; j++)
            for (int f = 0; f < NF; f++) {
                double d = da[i][j][f] * act_deriv(a[i][j][f]);
                gcb[f] += d;
                for (int u = 0; u < KH; u++)
                    for (int v = 0; v < KW; v++)
                        for (int ch = 0; ch < IN_C; ch++)
                            gcw[f][u][v][ch] += d * input_at(x, i + u - PAD, j + v - PAD, ch);
            }

    /* Updates. */
    for (int f = 0; f < NF; f++) {
        p->cb[f] -= lr * gcb[f];
        for (int u = 0; u < KH; u++)
            for (int v = 0; v < KW; v++)
                for (int ch = 0; ch < IN_C; ch++)
                    p->cw[f][u][v][ch] -= lr * gcw[f][u][v][ch];
    }
    for (int o = 0; o < NOUT; o++) {
        p->db[o] -= lr * gdb[o];
        for (int k = 0; k < FLAT; k++)
            p->dw[o][k] -= lr * gdw[o][k];
    }
}
