/* cnn_loopnest.h: the digits CNN's training step as a textbook loop nest (cnn_loopnest.c). */
#ifndef CNN_LOOPNEST_H
#define CNN_LOOPNEST_H

#include <stddef.h>

/* The network's sizes; cnn_bench.py sets them from the spec. */
#ifndef IN_H
#define IN_H 8
#endif
#ifndef IN_W
#define IN_W 8
#endif
#ifndef IN_C
#define IN_C 1
#endif
#ifndef NF
#define NF 8
#endif
#ifndef KH
#define KH 3
#endif
#ifndef KW
#define KW 3
#endif
#ifndef PAD
#define PAD 0
#endif
#ifndef PH
#define PH 2
#endif
#ifndef PW
#define PW 2
#endif
#ifndef NOUT
#define NOUT 10
#endif

struct cnn_ln;

/* The size of the parameter struct, and the number of parameters in it. */
size_t cnn_ln_size(void);
int cnn_ln_nparams(void);
/* Parameter i in nnc's order (w1.. then b1..). */
double cnn_ln_get(const struct cnn_ln *p, int i);
void cnn_ln_set(struct cnn_ln *p, int i, double v);
/* One step of SGD on the sample x (IN_H * IN_W * IN_C inputs) with one-hot y. */
void cnn_ln_train_sample(struct cnn_ln *p, const double *x, const double *y, double lr);

#endif
