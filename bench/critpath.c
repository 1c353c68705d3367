/*
 * critpath.c: the tutorial's training step (2-2-1) cut down to its longest
 * chains of dependent operations, for the benchmark's latency floor.
 *
 * A step reads the parameters that the step before it wrote, so the steps
 * of a training loop cannot overlap further than their chains allow.  The
 * longest chain from one step's parameters to the next step's goes through
 * every sigmoid of the feedforward (the output's needs both hidden ones)
 * and back through y_pred, d_ypred_d_h1 (or _h2) and d_h1_d_w1 (or
 * _w2, _w3, _w4) to an update of w1, w2, w3 or w4, whose products start the
 * next step's sums.  The updates of b1, b2, w5, w6 and b3 end shorter
 * chains: b1 and b2 enter the next step's sums after the products, and
 * w5, w6 and b3 are not needed until the next step's hidden sigmoids are
 * done.
 *
 * critpath_train_sample keeps exactly the operations on those longest
 * chains, written as nnc writes them for the tutorial's network, and
 * leaves out the other five updates and their partials.  w1 to w4 after
 * one step are therefore nnc's, bit for bit (the harness checks it), and
 * b1, b2, w5, w6 and b3 do not move.  It is a measurement, not a network:
 * what an implementation of the tutorial's arithmetic, with nnrt's sigmoid
 * (and its exp), would take per step if everything off these chains cost
 * nothing.
 */
#include "critpath.h"

#include "nnrt.h"

void critpath_train_sample(struct critpath *restrict nn, const double x[restrict 2],
    const double y_true[restrict 1], double learn_rate)
{
    double sum_h1 = nn->w1 * x[0] + nn->w2 * x[1] + nn->b1;
    double h1 = nnrt_sigmoid(sum_h1);

    double sum_h2 = nn->w3 * x[0] + nn->w4 * x[1] + nn->b2;
    double h2 = nnrt_sigmoid(sum_h2);

    double sum_o1 = nn->w5 * h1 + nn->w6 * h2 + nn->b3;
    double o1 = nnrt_sigmoid(sum_o1);
    double y_pred = o1;

    double d_L_d_ypred = -2 * (y_true[0] - y_pred);
    double d_ypred_d_sum_o1 = o1 * (1 - o1);
    double d_ypred_d_h1 = nn->w5 * d_ypred_d_sum_o1;
    double d_ypred_d_h2 = nn->w6 * d_ypred_d_sum_o1;

    double d_h1_d_sum_h1 = h1 * (1 - h1);
    double d_h1_d_w1 = x[0] * d_h1_d_sum_h1;
    double d_h1_d_w2 = x[1] * d_h1_d_sum_h1;

    double d_h2_d_sum_h2 = h2 * (1 - h2);
    double d_h2_d_w3 = x[0] * d_h2_d_sum_h2;
    double d_h2_d_w4 = x[1] * d_h2_d_sum_h2;

    double d_L_d_w1 = d_L_d_ypred * d_ypred_d_h1 * d_h1_d_w1;
    double d_L_d_w2 = d_L_d_ypred * d_ypred_d_h1 * d_h1_d_w2;
    double d_L_d_w3 = d_L_d_ypred * d_ypred_d_h2 * d_h2_d_w3;
    double d_L_d_w4 = d_L_d_ypred * d_ypred_d_h2 * d_h2_d_w4;

    nn->w1 -= learn_rate * d_L_d_w1;
    nn->w2 -= learn_rate * d_L_d_w2;
    nn->w3 -= learn_rate * d_L_d_w3;
    nn->w4 -= learn_rate * d_L_d_w4;
}

/*
 * The chains over n rows in one call, the parameters in a local copy that
 * the compiler keeps in registers between samples, as nnc's
 * NAME_train_epoch keeps them: the latency floor of that function.
 */
NNRT_FLATTEN void critpath_train_epoch(struct critpath *restrict nn, const double *restrict rows, int n,
    double learn_rate)
{
    struct critpath local = *nn;

    for (int i = 0; i < n; i++)
        critpath_train_sample(&local, rows + (size_t)i * 3, rows + (size_t)i * 3 + 2, learn_rate);
    *nn = local;
}
