/*
 * harness_impls.c: the implementations of the training step that the
 * harness times, each set up from the same start (init) and read back in
 * nnc's order of parameters: nnc's generated C through struct bnet's
 * offsets, the loop nest, the critical path and FANN; then run(), one
 * plain loop of direct calls per implementation, which is all that a
 * measurement times, and the table of which implementations this build
 * holds.  It also writes out FANN's arithmetic on the loop nest's arrays,
 * which the check compares FANN with.  harness.c is the command line and
 * the modes that use these.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#if BENCH_FANN_FLOAT
#include <floatfann.h>
#define FANN_X XF /* the data in fann_type: float */
#define FANN_Y YF
#else
#include <doublefann.h>
#define FANN_X X
#define FANN_Y Y
#endif

static double *param_at(const size_t *offset, void *nn, int p)
{
    return (double *)((char *)nn + offset[p]);
}

/* ---- nnc ------------------------------------------------------------------- */

void *nnc_new(size_t struct_size, const size_t *offset)
{
    void *nn = xmalloc(struct_size);
    for (int p = 0; p < nparams; p++)
        *param_at(offset, nn, p) = init[p];
    return nn;
}

void nnc_get(const size_t *offset, void *nn, double *out)
{
    for (int p = 0; p < nparams; p++)
        out[p] = *param_at(offset, nn, p);
}

#if BENCH_NNC_FLOAT
/* The float build's struct: the same start, rounded to float. */
static void *nnc_float_new(void)
{
    void *nn = xmalloc(bench_float_struct_size);
    for (int p = 0; p < nparams; p++)
        *(float *)((char *)nn + bench_float_param_offset[p]) = (float)init[p];
    return nn;
}

static void nnc_float_get(void *nn, double *out)
{
    for (int p = 0; p < nparams; p++)
        out[p] = *(float *)((char *)nn + bench_float_param_offset[p]);
}
#endif

/* ---- The loop nest --------------------------------------------------------- */

struct ln *ln_new(void)
{
    struct ln *n = xmalloc(sizeof *n);
    n->nlayers = nlayers;
    memcpy(n->size, size, sizeof size);
    for (int l = 0; l < nlayers; l++) {
        n->w[l] = xmalloc(sizeof(double) * (size_t)size[l] * (size_t)size[l + 1]);
        n->b[l] = xmalloc(sizeof(double) * (size_t)size[l + 1]);
        n->a[l + 1] = xmalloc(sizeof(double) * (size_t)size[l + 1]);
        n->d[l] = xmalloc(sizeof(double) * (size_t)size[l + 1]);
        for (int j = 0; j < size[l + 1]; j++) {
            for (int i = 0; i < size[l]; i++)
                n->w[l][j * size[l] + i] = init[widx(l, j, i)];
            n->b[l][j] = init[bidx(l, j)];
        }
    }
    return n;
}

void ln_free(struct ln *n)
{
    for (int l = 0; l < nlayers; l++) {
        free(n->w[l]);
        free(n->b[l]);
        free(n->a[l + 1]);
        free(n->d[l]);
    }
    free(n);
}

void ln_get(const struct ln *n, double *out)
{
    for (int l = 0; l < nlayers; l++)
        for (int j = 0; j < size[l + 1]; j++) {
            for (int i = 0; i < size[l]; i++)
                out[widx(l, j, i)] = n->w[l][j * size[l] + i];
            out[bidx(l, j)] = n->b[l][j];
        }
}

/* ---- The critical path of the tutorial's step ------------------------------ */

#if BENCH_CRITPATH
static double *critpath_param(struct critpath *c, int p)
{
    double *v[9] = {&c->w1, &c->w2, &c->w3, &c->w4, &c->w5, &c->w6, &c->b1, &c->b2, &c->b3};
    return v[p];
}

void *critpath_new(void)
{
    if (nparams != 9 || size[0] != 2 || size[1] != 2 || size[2] != 1)
        die("the critical path is the 2-2-1 network's");
    struct critpath *c = xmalloc(sizeof *c);
    for (int p = 0; p < nparams; p++)
        *critpath_param(c, p) = init[p];
    return c;
}

void critpath_get(void *c, double *out)
{
    for (int p = 0; p < nparams; p++)
        out[p] = *critpath_param(c, p);
}
#endif

/* ---- FANN ------------------------------------------------------------------ */

/*
 * FANN numbers its neurons through the layers, each layer followed by its
 * bias neuron (value 1); a connection goes from a neuron (or the bias) of
 * the previous layer to a neuron.  fann_connection_param maps one to nnc's
 * parameter index, or -1.
 */
static int fann_connection_param(unsigned from, unsigned to)
{
    int start[LN_MAX_LAYERS + 2];
    start[0] = 0;
    for (int l = 0; l <= nlayers; l++)
        start[l + 1] = start[l] + size[l] + 1;
    for (int l = 0; l < nlayers; l++) {
        int t = (int)to - start[l + 1], f = (int)from - start[l];
        if (t >= 0 && t < size[l + 1]) {
            if (f >= 0 && f < size[l])
                return widx(l, t, f);
            if (f == size[l])
                return bidx(l, t);
            return -1;
        }
    }
    return -1;
}

/* FANN's learning rate: MSE's factor 2 and 1/noutputs folded in (it is a float). */
static float fann_learn_rate(void)
{
    return (float)(2 * learn_rate / size[nlayers]);
}

static struct fann *fann_new(void)
{
    unsigned sizes[LN_MAX_LAYERS + 1];
    for (int l = 0; l <= nlayers; l++)
        sizes[l] = (unsigned)size[l];
    struct fann *ann = fann_create_standard_array((unsigned)nlayers + 1, sizes);
    if (!ann)
        die("fann_create_standard_array failed");
    fann_set_training_algorithm(ann, FANN_TRAIN_INCREMENTAL);
    fann_set_activation_function_hidden(ann, FANN_SIGMOID);
    fann_set_activation_function_output(ann, FANN_SIGMOID);
    /* FANN's sigmoid is 1 / (1 + exp(-2 s x)): s = 0.5 is the logistic function. */
    fann_set_activation_steepness_hidden(ann, 0.5);
    fann_set_activation_steepness_output(ann, 0.5);
    fann_set_train_error_function(ann, FANN_ERRORFUNC_LINEAR);
    fann_set_learning_rate(ann, fann_learn_rate());
    fann_set_learning_momentum(ann, 0);

    unsigned nconn = fann_get_total_connections(ann);
    if ((int)nconn != nparams)
        die("FANN's connections are not nnc's parameters");
    struct fann_connection *c = xmalloc(sizeof *c * nconn);
    fann_get_connection_array(ann, c);
    int *seen = xmalloc(sizeof *seen * (size_t)nparams);
    for (unsigned k = 0; k < nconn; k++) {
        int p = fann_connection_param(c[k].from_neuron, c[k].to_neuron);
        if (p < 0 || seen[p]++)
            die("cannot map FANN's connections to nnc's parameters");
        c[k].weight = init[p];
    }
    fann_set_weight_array(ann, c, nconn);
    free(seen);
    free(c);
    return ann;
}

static void fann_get(struct fann *ann, double *out)
{
    unsigned nconn = fann_get_total_connections(ann);
    struct fann_connection *c = xmalloc(sizeof *c * nconn);
    fann_get_connection_array(ann, c);
    for (unsigned k = 0; k < nconn; k++)
        out[fann_connection_param(c[k].from_neuron, c[k].to_neuron)] = c[k].weight;
    free(c);
}

/*
 * FANN's arithmetic written out over the loop nest's arrays, for the check
 * only: the derivative's activation clipped to [0.01f, 0.99f], the error
 * y - o with the factor 2 / noutputs in the (float) learning rate.  It
 * counts the activations that the clipping changed.
 */
long fannref_clipped, fannref_derivs;

static double fannref_deriv(double v)
{
    fannref_derivs++;
    if (v < 0.01f || v > 0.99f) {
        fannref_clipped++;
        v = v < 0.01f ? 0.01f : 0.99f;
    }
    return v * (1 - v);
}

void fannref_step(struct ln *n, const double *x, const double *y_true)
{
    int L = n->nlayers;
    const double *in = x;
    for (int l = 0; l < L; l++) {
        int ni = n->size[l], no = n->size[l + 1];
        for (int j = 0; j < no; j++) {
            double sum = 0;
            for (int i = 0; i < ni; i++)
                sum += n->w[l][j * ni + i] * in[i];
            sum += n->b[l][j];
            n->a[l + 1][j] = 1 / (1 + exp(-sum));
        }
        in = n->a[l + 1];
    }
    for (int k = 0; k < n->size[L]; k++)
        n->d[L - 1][k] = (y_true[k] - n->a[L][k]) * fannref_deriv(n->a[L][k]);
    for (int l = L - 1; l > 0; l--) {
        int ni = n->size[l], no = n->size[l + 1];
        for (int j = 0; j < ni; j++) {
            double sum = 0;
            for (int k = 0; k < no; k++)
                sum += n->w[l][k * ni + j] * n->d[l][k];
            n->d[l - 1][j] = sum * fannref_deriv(n->a[l][j]);
        }
    }
    double lr = fann_learn_rate();
    for (int l = 0; l < L; l++) {
        int ni = n->size[l], no = n->size[l + 1];
        const double *inp = l == 0 ? x : n->a[l];
        for (int j = 0; j < no; j++) {
            double g = lr * n->d[l][j];
            for (int i = 0; i < ni; i++)
                n->w[l][j * ni + i] += g * inp[i];
            n->b[l][j] += g;
        }
    }
}


/* ---- Timing ---------------------------------------------------------------- */

const char *const impl_name[NIMPL] = {
    "nnc-O2", "nnc-native", "nnc-alt", "nnc-float", "loop-O2", "loop-native",
    BENCH_FANN_FLOAT ? "fann-float" : "fann", "critpath", "nnc-epoch", "critpath-epoch",
};
const int impl_built[NIMPL] = {
    BENCH_NNC_O2, BENCH_NNC_NATIVE, BENCH_NNC_ALT, BENCH_NNC_FLOAT, BENCH_LOOP_O2, BENCH_LOOP_NATIVE, 1,
    BENCH_CRITPATH, BENCH_NNC_O2, BENCH_CRITPATH,
};

void *state[NIMPL];

/* Runs n steps of implementation k, cycling through the data set from *pos. */
void run(int k, long n, int *pos)
{
    int ni = size[0], no = size[nlayers], s = *pos;
    double lr = learn_rate;
    void *st = state[k];

    /* One plain loop per implementation: a direct call, as a user's would be. */
#define LOOP(T, XS, YS, CALL)                                       \
    for (long t = 0; t < n; t++) {                                  \
        const T *x = XS + (size_t)s * ni, *y = YS + (size_t)s * no; \
        CALL;                                                       \
        if (++s == NDATA)                                           \
            s = 0;                                                  \
    }
    /* The same steps from s on, CALL taking rows (at most the rest of the data set) and m. */
#define EPOCHS(CALL)                                                       \
    for (long t = 0; t < n;) {                                             \
        int m = n - t < NDATA - s ? (int)(n - t) : NDATA - s;              \
        const double *rows = ROWS + (size_t)s * (size_t)(ni + no);         \
        CALL;                                                              \
        t += m;                                                            \
        s = (s + m) % NDATA;                                               \
    }
    switch (k) {
#if BENCH_NNC_O2
    case NNC_O2:
        LOOP(double, X, Y, o2_bnet_train_sample(st, x, y, lr));
        break;
#endif
#if BENCH_NNC_O2
    case NNC_EPOCH:
        EPOCHS(o2_bnet_train_epoch(st, rows, NULL, m, lr));
        break;
#endif
#if BENCH_NNC_NATIVE
    case NNC_NATIVE:
        LOOP(double, X, Y, native_bnet_train_sample(st, x, y, lr));
        break;
#endif
#if BENCH_LOOP_O2
    case LOOP_O2:
        LOOP(double, X, Y, ln_train_sample_o2(st, x, y, lr));
        break;
#endif
#if BENCH_NNC_ALT
    case NNC_ALT:
        LOOP(double, X, Y, alt_bnet_train_sample(st, x, y, lr));
        break;
#endif
#if BENCH_NNC_FLOAT
    case NNC_FLOAT:
        LOOP(float, XF, YF, float_bnet_train_sample(st, x, y, (float)lr));
        break;
#endif
#if BENCH_LOOP_NATIVE
    case LOOP_NATIVE:
        LOOP(double, X, Y, ln_train_sample_native(st, x, y, lr));
        break;
#endif
    case FANN:
        LOOP(fann_type, FANN_X, FANN_Y, fann_train(st, (fann_type *)x, (fann_type *)y));
        break;
#if BENCH_CRITPATH
    case CRITPATH:
        LOOP(double, X, Y, critpath_train_sample(st, x, y, lr));
        break;
    case CRITPATH_EPOCH:
        EPOCHS(critpath_train_epoch(st, rows, m, lr));
        break;
#endif
    }
#undef LOOP
#undef EPOCHS
    (void)lr;
    *pos = s;
}

void *impl_new(int k)
{
    switch (k) {
    case NNC_O2:
    case NNC_EPOCH:
    case NNC_NATIVE: return nnc_new(bench_struct_size, bench_param_offset);
#if BENCH_NNC_ALT
    case NNC_ALT: return nnc_new(bench_alt_struct_size, bench_alt_param_offset);
#endif
#if BENCH_NNC_FLOAT
    case NNC_FLOAT: return nnc_float_new();
#endif
    case LOOP_O2:
    case LOOP_NATIVE: return ln_new();
#if BENCH_CRITPATH
    case CRITPATH:
    case CRITPATH_EPOCH: return critpath_new();
#endif
    default: return fann_new();
    }
}

void impl_get(int k, double *out)
{
    switch (k) {
    case NNC_O2:
    case NNC_EPOCH:
    case NNC_NATIVE: nnc_get(bench_param_offset, state[k], out); break;
#if BENCH_NNC_ALT
    case NNC_ALT: nnc_get(bench_alt_param_offset, state[k], out); break;
#endif
#if BENCH_NNC_FLOAT
    case NNC_FLOAT: nnc_float_get(state[k], out); break;
#endif
    case LOOP_O2:
    case LOOP_NATIVE: ln_get(state[k], out); break;
#if BENCH_CRITPATH
    case CRITPATH:
    case CRITPATH_EPOCH: critpath_get(state[k], out); break;
#endif
    default: fann_get(state[k], out); break;
    }
}

void impl_free(int k)
{
    switch (k) {
    case LOOP_O2:
    case LOOP_NATIVE: ln_free(state[k]); break;
    case FANN: fann_destroy(state[k]); break;
    default: free(state[k]); break;
    }
    state[k] = NULL;
}

int impl_find(const char *name)
{
    for (int k = 0; k < NIMPL; k++)
        if (impl_built[k] && strcmp(name, impl_name[k]) == 0)
            return k;
    fprintf(stderr, "harness: no implementation %s\n", name);
    exit(2);
}
