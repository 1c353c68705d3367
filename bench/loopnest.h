/* loopnest.h: the textbook loop-nest network of the benchmark. */
#ifndef LOOPNEST_H
#define LOOPNEST_H

#define LN_MAX_LAYERS 8

/*
 * A fully connected network of sigmoid layers.  size[0] is the number of
 * inputs, size[l + 1] the neurons of layer l; w[l] holds layer l's weights
 * row by row (w[l][j * size[l] + i] connects input i to neuron j), b[l] its
 * biases, a[l + 1] its outputs and d[l] the partials dL/dsum of its neurons.
 */
struct ln {
    int nlayers;
    int size[LN_MAX_LAYERS + 1];
    double *w[LN_MAX_LAYERS], *b[LN_MAX_LAYERS];
    double *a[LN_MAX_LAYERS + 1], *d[LN_MAX_LAYERS];
};

/* One SGD step on (x, y_true) under the mean squared error. */
void ln_train_sample_o2(struct ln *n, const double *x, const double *y_true, double learn_rate);
void ln_train_sample_native(struct ln *n, const double *x, const double *y_true, double learn_rate);

#endif
