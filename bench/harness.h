/*
 * harness.h: what the benchmark's harness shares between its two files:
 * harness.c (the command line, the network and data set, and the modes
 * check, serve and steps) and harness_impls.c (every implementation of the
 * training step, and run(), the loops that time them).
 *
 * Which implementations a build holds is decided here from the BENCH_*
 * macros that bench.py passes (see harness.c).
 */
#ifndef HARNESS_H
#define HARNESS_H

#include <stddef.h>

#include "loopnest.h"

#ifndef BENCH_FANN_FLOAT
#define BENCH_FANN_FLOAT 0
#endif
#if BENCH_FANN_FLOAT
/* The FANN-in-float harness holds that implementation alone. */
#define BENCH_NNC_O2 0
#define BENCH_NNC_NATIVE 0
#define BENCH_NNC_ALT 0
#define BENCH_NNC_FLOAT 0
#define BENCH_LOOP_O2 0
#define BENCH_LOOP_NATIVE 0
#define BENCH_CRITPATH 0
#endif

#ifndef BENCH_CRITPATH
#define BENCH_CRITPATH 0
#endif
#if BENCH_CRITPATH
#include "critpath.h"
#endif

/* ---- What the two renamed objects of the generated C give us ---------- */

/* Declared on void *: struct bnet is opaque here (the ABI is the same). */
void o2_bnet_train_sample(void *nn, const double *x, const double *y_true, double learn_rate);
void native_bnet_train_sample(void *nn, const double *x, const double *y_true, double learn_rate);
void o2_bnet_train_epoch(void *nn, const double *rows, const int *order, int n, double learn_rate);

/*
 * What bench.py's glue.c says: the shape, and where each parameter lives in
 * struct bnet (offsetof(struct bnet, w1), ..., for the struct that bench.py
 * copied out of the generated C), in nnc's order.
 */
extern const int bench_nlayers;
extern const int bench_size[];
extern const size_t bench_struct_size;
extern const size_t bench_param_offset[];

/*
 * With bench.py --alt-nnc-flags, a third build of the network: nnc run with
 * those flags (say --unroll never), compiled -O2, prefixed alt_; its struct
 * (renamed struct bnet_alt in glue.c) may be laid out differently.
 */
#ifndef BENCH_NNC_ALT
#define BENCH_NNC_ALT 0
#endif
#if BENCH_NNC_ALT
void alt_bnet_train_sample(void *nn, const double *x, const double *y_true, double learn_rate);
extern const size_t bench_alt_struct_size;
extern const size_t bench_alt_param_offset[];
#endif

/*
 * The float build (nnc --precision float): its struct, renamed struct
 * bnet_float in glue.c, holds floats.
 */
#ifndef BENCH_NNC_FLOAT
#define BENCH_NNC_FLOAT 1
#endif
#if BENCH_NNC_FLOAT
void float_bnet_train_sample(void *nn, const float *x, const float *y_true, float learn_rate);
extern const size_t bench_float_struct_size;
extern const size_t bench_float_param_offset[];
#endif

/*
 * Which other builds were linked in: bench.py leaves out the -O3
 * -march=native ones (--no-native) and the nnc objects whose compile it
 * gave up on.
 */
#ifndef BENCH_NNC_O2
#define BENCH_NNC_O2 1
#endif
#ifndef BENCH_NNC_NATIVE
#define BENCH_NNC_NATIVE 1
#endif
#ifndef BENCH_LOOP_NATIVE
#define BENCH_LOOP_NATIVE 1
#endif
#ifndef BENCH_LOOP_O2
#define BENCH_LOOP_O2 1
#endif

/* ---- The network and the data set (harness.c) ---------------------------- */

#define NDATA 256              /* samples in the fixed random data set */
#define DATA_SEED 12345u
#define INIT_SEED 1u
#define LEARN_RATE 0.1         /* the spec's learn_rate too */

extern int nlayers;            /* weight layers */
extern int size[LN_MAX_LAYERS + 1];
extern int nparams, nweights;
extern int wbase[LN_MAX_LAYERS], bbase[LN_MAX_LAYERS];
extern double learn_rate;
extern double *init;           /* the initial parameters, in nnc's order */
extern double *X, *Y;          /* NDATA samples */
extern double *ROWS;           /* the same, a row of inputs then targets each, for nnc-epoch */
extern float *XF, *YF;         /* the same, rounded to float, for nnc-float */

/* Prints "harness: MSG" and exits with status 2. */
void die(const char *msg);

/* Zeroed memory, or die. */
void *xmalloc(size_t n);

/* nnc's index of w(l, j, i) (input i of neuron j of layer l), and of b(l, j). */
static inline int widx(int l, int j, int i) { return wbase[l] + j * size[l] + i; }
static inline int bidx(int l, int j) { return nweights + bbase[l] + j; }

/* ---- The implementations (harness_impls.c) -------------------------------- */

enum {
    NNC_O2, NNC_NATIVE, NNC_ALT, NNC_FLOAT, LOOP_O2, LOOP_NATIVE, FANN, CRITPATH, NNC_EPOCH, CRITPATH_EPOCH,
    NIMPL
};
extern const char *const impl_name[NIMPL];
extern const int impl_built[NIMPL];

/* Each implementation's network while it is set up, or NULL. */
extern void *state[NIMPL];

/* Runs n steps of implementation k, cycling through the data set from *pos. */
void run(int k, long n, int *pos);

/* A new network of implementation k, holding init. */
void *impl_new(int k);

/* Copies state[k]'s parameters to out, in nnc's order. */
void impl_get(int k, double *out);

/* Frees state[k] and sets it to NULL. */
void impl_free(int k);

/* The implementation of that name in this build, or exit 2. */
int impl_find(const char *name);

/* nnc's struct bnet (of that size and those parameter offsets) holding init, and its parameters. */
void *nnc_new(size_t struct_size, const size_t *offset);
void nnc_get(const size_t *offset, void *nn, double *out);

/* The loop nest's network holding init, its parameters, and its end. */
struct ln *ln_new(void);
void ln_get(const struct ln *n, double *out);
void ln_free(struct ln *n);

#if BENCH_CRITPATH
/* The critical path's struct holding init, and its parameters. */
void *critpath_new(void);
void critpath_get(void *c, double *out);
#endif

/*
 * One step of FANN's arithmetic on the loop nest's arrays, for the check;
 * it counts the derivatives it took and those whose activation it clipped.
 */
void fannref_step(struct ln *n, const double *x, const double *y_true);
extern long fannref_clipped, fannref_derivs;

#endif
