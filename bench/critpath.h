/* critpath.h: the tutorial's step cut down to its longest chains (critpath.c). */
#ifndef CRITPATH_H
#define CRITPATH_H

/* The tutorial's nine parameters, in nnc's order and layout. */
struct critpath {
    double w1, w2, w3, w4, w5, w6;
    double b1, b2, b3;
};

/*
 * The operations of the tutorial's step on its longest chains: every
 * sigmoid, and the updates of w1 to w4 (b1, b2, w5, w6, b3 stay put).
 */
void critpath_train_sample(struct critpath *restrict nn, const double x[restrict 2],
    const double y_true[restrict 1], double learn_rate);

/* The same on n rows (x[0], x[1], y_true each) in one call, as NAME_train_epoch. */
void critpath_train_epoch(struct critpath *restrict nn, const double *restrict rows, int n,
    double learn_rate);

#endif
