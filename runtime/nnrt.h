/*
 * nnrt.h: the runtime library of the programs that nnc generates.
 *
 * A generated file holds a network's math and nothing else: its parameter
 * struct, its feedforward, its backpropagation.  Everything else lives here:
 * the activations and losses it calls, random numbers, CSV and parameter
 * files, number formatting, and the command line of the generated program
 * (nnrt_main).  A generated file describes itself to this library with one
 * constant struct nnrt_net.
 *
 * Every public name starts with nnrt_ (NNRT_ for macros).  Names that start
 * with nnrt__ are the library's own (nnrt_impl.h); the two that the inline
 * sigmoids below use are declared here too.  Everything else is static.
 */
#ifndef NNRT_H
#define NNRT_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

/* C++ may include this header (and nnc's --header) too; the library is C. */
#ifdef __cplusplus
extern "C" {
#endif

#define NNRT_VERSION "0.4.0"

/* ---- Activations and their derivatives --------------------------------- */

/*
 * The double sigmoids compute their own exponential, written out here
 * rather than called from libm: the sigmoid is on the longest chain of a
 * small network's training step, and a call costs the call and the
 * registers saved around it (make bench measures the difference, with
 * --alt-cflags=-DNNRT_LIBM_EXP).
 *
 * nnrt__exp(x, sign) is e^a for a = sign * x in (-703, 0] (sign 1 or -1).
 * With a = k ln(2)/128 + r, k a whole number and |r| <= ln(2)/256, e^a is
 * 2^(k/128) e^r.  exp.c's table holds 2^(j/128) for j = k mod 128 and the
 * tail of its rounding; 2^floor(k/128) goes straight into the exponent's
 * bits; e^r - 1 is its Taylor polynomial of degree 5 (the next term is
 * below 6e-19).  The result is within about half an ULP of e^a, and the
 * sigmoids built on it are as accurate as those built on libm's exp and
 * give the same bits for more than 99.9% of arguments (runtime_test.c
 * checks all three).  Past -703, where 2^(k/128) (e^r - 1) would lose
 * bits as a subnormal, and for NaN, the sigmoids call libm
 * (nnrt__sigmoid_far).
 *
 * It needs doubles evaluated as doubles, every rounding where it is
 * written, and the default rounding mode.  A compiler that does not
 * promise the first two (x87 excess precision; -ffast-math,
 * -fassociative-math, -funsafe-math-optimizations, which let gcc undo
 * the rounding to k; Intel's classic compiler, which reassociates by
 * default) gets libm's exp, as does -DNNRT_LIBM_EXP; clang, which does not
 * say whether it may reassociate, is told not to here.
 */
#if defined(__GNUC__) && defined(__FLT_EVAL_METHOD__) && defined(__DBL_MANT_DIG__) && \
    !defined(__FAST_MATH__) && !defined(__ASSOCIATIVE_MATH__) && !defined(__INTEL_COMPILER) && \
    !defined(NNRT_LIBM_EXP)
#if __FLT_EVAL_METHOD__ == 0 && __DBL_MANT_DIG__ == 53
/* The pragma below is clang 11's (Apple's clang 13). */
#if !defined(__clang__) || (defined(__apple_build_version__) && __clang_major__ >= 13) || \
    (!defined(__apple_build_version__) && __clang_major__ >= 11)
#define NNRT_OWN_EXP 1
#endif
#endif
#endif

/*
 * Inlined wherever it is called: left to itself, gcc -O2 calls one copy of
 * a sigmoid this size, and the call costs what writing it out saves.
 */
#ifdef NNRT_OWN_EXP
#define NNRT_INLINE static inline __attribute__((always_inline))
#else
#define NNRT_INLINE static inline
#endif

/*
 * A generated NAME_train_epoch of a small unrolled network trains a local
 * copy of the parameters, and NNRT_FLATTEN inlines every call in it
 * (NAME_train_sample above all), so that the copy stays in registers from
 * one sample to the next instead of going through memory.  The copy is
 * taken only where that cannot change a bit: doubles evaluated as doubles
 * (with x87 excess precision, a copy kept in a register is not rounded
 * between samples as the parameters in memory are) and no licence to
 * reassociate.  Elsewhere NNRT_EPOCH_LOCAL is 0 and the loop trains the
 * parameters in place.
 */
#if defined(__FLT_EVAL_METHOD__) && !defined(__FAST_MATH__) && !defined(__ASSOCIATIVE_MATH__) && \
    !defined(__INTEL_COMPILER) && defined(__has_attribute)
#if __FLT_EVAL_METHOD__ == 0 && __has_attribute(flatten)
#define NNRT_FLATTEN __attribute__((flatten))
#define NNRT_EPOCH_LOCAL 1
#endif
#endif
#ifndef NNRT_FLATTEN
#define NNRT_FLATTEN
#define NNRT_EPOCH_LOCAL 0
#endif

/* Internal to the library (exp.c), for the inline functions below. */
extern const double nnrt__exp_table[256];
double nnrt__sigmoid_far(double x);

#ifdef NNRT_OWN_EXP
NNRT_INLINE double nnrt__exp(double x, double sign)
{
#ifdef __clang__
#pragma clang fp reassociate(off)
#endif
    union { double d; uint64_t u; } k, s;
    double a = sign * x;

    /*
     * 1.5 * 2^52 (0x1.8p52) added rounds a * 128 / ln(2) to the whole
     * number k, in the low bits.  (The sign goes into the constant, so that
     * negating x is not one more step before the first multiplication.)
     */
    k.d = x * (sign * 184.66496523378731) + 6755399441055744.0;
    double kd = k.d - 6755399441055744.0;
    /*
     * ln(2)/128 in two parts, 0x1.62e42fefa0000p-8 + 0x1.cf79abc9e3b3ap-47:
     * the first has 36 significant bits, so kd times it is exact.
     */
    double r = a - kd * 0.0054152123481117087 - kd * 1.2864023111638346e-14;
    double r2 = r * r;
    const double *t = nnrt__exp_table + 2 * (k.u & 127);
    double p = (t[1] + r) + r2 * (1.0 / 2 + r * (1.0 / 6)) + r2 * r2 * (1.0 / 24 + r * (1.0 / 120));

    /* 2^(j/128) times 2^floor(k/128): the power of two added to the exponent. */
    s.d = t[0];
    s.u += k.u >> 7 << 52;
    return s.d + s.d * p;
}
#endif

/* The logistic function 1 / (1 + e^-x), in a form that never overflows. */
NNRT_INLINE double nnrt_sigmoid(double x)
{
#ifdef NNRT_OWN_EXP
#ifdef __clang__
#pragma clang fp reassociate(off)
#endif
    double e;

    if (x >= 0) {
        if (!(x < 703))
            return nnrt__sigmoid_far(x);
        return 1 / (1 + nnrt__exp(x, -1));
    }
    if (!(x > -703))
        return nnrt__sigmoid_far(x);
    e = nnrt__exp(x, 1);
    return e / (1 + e);
#else
    if (x >= 0)
        return 1 / (1 + exp(-x));
    double e = exp(x);
    return e / (1 + e);
#endif
}

/*
 * The same values, bit for bit (a NaN stays a NaN, though its sign may
 * differ; in the default rounding mode), written without a branch on the
 * sign of x: a select, which gcc and clang compile without a jump in the
 * compact form's loops.  Across a layer the signs are a coin toss to the
 * branch predictor, and a mispredicted branch costs more than the select.
 * On one chain of dependent neurons (the tutorial's network) the branch is
 * cheaper, which is why nnrt_sigmoid keeps it.  (The one branch left, to
 * |x| >= 703 and NaN, is not taken in training that has not diverged.)
 */
NNRT_INLINE double nnrt_sigmoid_nobranch(double x)
{
#ifdef NNRT_OWN_EXP
#ifdef __clang__
#pragma clang fp reassociate(off)
#endif
    double a = -fabs(x), e, step;

    if (!(a > -703))
        return nnrt__sigmoid_far(x);
    e = nnrt__exp(a, 1);
    /*
     * The numerator, 1 or e, as max(e, step) with step 1 for x >= 0 and 0
     * for x < 0 (e is in (0, 1], and 1 for x = -0): gcc turns the plain
     * select into a jump here, and the maximum is one instruction.
     */
    step = 0.5 + copysign(0.5, x);
    return (e > step ? e : step) / (1 + e);
#else
    double e = exp(-fabs(x));
    return (x >= 0 ? 1 : e) / (1 + e);
#endif
}

/* The hyperbolic tangent. */
static inline double nnrt_tanh(double x) { return tanh(x); }

/* max(0, x). */
static inline double nnrt_relu(double x) { return x > 0 ? x : 0; }

/* x for x >= 0, 0.01 x below. */
static inline double nnrt_leaky_relu(double x) { return x >= 0 ? x : 0.01 * x; }

/* The same in single precision, for networks with `precision float`. */
static inline float nnrt_sigmoidf(float x)
{
    if (x >= 0)
        return 1 / (1 + expf(-x));
    float e = expf(x);
    return e / (1 + e);
}

static inline float nnrt_sigmoid_nobranchf(float x)
{
    float e = expf(-fabsf(x));
    return (x >= 0 ? 1 : e) / (1 + e);
}

static inline float nnrt_tanhf(float x) { return tanhf(x); }
static inline float nnrt_reluf(float x) { return x > 0 ? x : 0; }
static inline float nnrt_leaky_reluf(float x) { return x >= 0 ? x : 0.01f * x; }

/* ---- Losses ------------------------------------------------------------- */

/*
 * In loss.c, which with exp.c is all that a generated network's functions
 * call: a program may compile the two beside the network instead of
 * linking the library.
 */

/* Mean squared error (1/n) sum (y_true - y_pred)^2, the tutorial's mse_loss. */
double nnrt_mse(const double *y_true, const double *y_pred, int n);

/*
 * Binary cross-entropy -(1/n) sum [y log p + (1 - y) log(1 - p)], with p
 * kept inside [DBL_MIN, 1 - DBL_EPSILON/2] so that no log is of 0.
 */
double nnrt_binary_cross_entropy(const double *y_true, const double *y_pred, int n);

/* Cross-entropy -sum y log p, with p kept at least DBL_MIN so that no log is of 0. */
double nnrt_cross_entropy(const double *y_true, const double *y_pred, int n);

/* ---- Random numbers ------------------------------------------------------ */

/*
 * The generator is xoshiro256** (Blackman and Vigna), seeded by running
 * splitmix64 from the seed.  It gives the same sequence on every platform.
 */
struct nnrt_rng {
    uint64_t s[4];
};

/* Seeds rng from seed. */
void nnrt_rng_seed(struct nnrt_rng *rng, uint64_t seed);

/* The next 64 random bits. */
uint64_t nnrt_rng_next(struct nnrt_rng *rng);

/* A uniform double in [0, 1), from the top 53 bits of nnrt_rng_next. */
double nnrt_rng_uniform(struct nnrt_rng *rng);

/* A draw from N(0, 1) by the Marsaglia polar method (one draw per call). */
double nnrt_rng_normal(struct nnrt_rng *rng);

/* A uniform integer in [0, n), n > 0, without bias (draws above the largest multiple of n are redrawn). */
uint64_t nnrt_rng_below(struct nnrt_rng *rng, uint64_t n);

/* ---- Errors -------------------------------------------------------------- */

/* Where a file went wrong and why; line and col are 0 when they do not apply. */
struct nnrt_error {
    char file[256];
    int line, col;
    char msg[256];
};

/* ---- CSV tables ---------------------------------------------------------- */

/*
 * A table of numbers read from a CSV file: rows of cols values, row-major.
 * A first line none of whose fields is a number is a header, skipped; blank
 * lines and lines starting with '#' are skipped.
 */
struct nnrt_table {
    int rows, cols;
    double *v;
    int *line; /* line in the file of each row */
};

/*
 * Reads path into t.  When cols > 0 every row must have that many values.
 * Returns 0, or -1 with err filled in (t is then empty).
 */
int nnrt_csv_read(const char *path, int cols, struct nnrt_table *t, struct nnrt_error *err);

/* Frees what nnrt_csv_read allocated; t becomes an empty table. */
void nnrt_table_free(struct nnrt_table *t);

/*
 * Turns the table t, read from file, into rows of ninputs inputs and then
 * noutputs targets in out (t->rows * (ninputs + noutputs) values).  When
 * class_index is set, the table may instead have ninputs + 1 columns, the
 * last a class index 0 .. noutputs - 1, stored as one-hot targets.
 * Returns 0, or -1 with err filled in.
 */
int nnrt_table_rows(const struct nnrt_table *t, const char *file, int ninputs, int noutputs,
                    int class_index, double *out, struct nnrt_error *err);

/* ---- Numbers ------------------------------------------------------------- */

/* Space for any double nnrt_format_double writes, with its NUL. */
#define NNRT_DOUBLE_BUFSIZE 32

/*
 * Writes x into buf as the shortest decimal that reads back to the same
 * double, formatted like Python's repr (0.9990889488055994, 1.0, 1e-05).
 */
char *nnrt_format_double(char buf[NNRT_DOUBLE_BUFSIZE], double x);

/*
 * Reads a whole string as a finite double.  Returns 0, or -1 when s is not
 * a number, has trailing text, or is out of range.
 */
int nnrt_parse_double(const char *s, double *out);

/* ---- Networks ------------------------------------------------------------ */

/* The kinds of layer in nnrt_net's layer_map. */
enum nnrt_layer_kind {
    NNRT_DENSE,    /* hidden and output: every neuron reads every value below */
    NNRT_CONV,     /* filters sliding over the map below */
    NNRT_MAX_POOL, /* the largest of each window, channel by channel */
    NNRT_AVG_POOL  /* the mean of each window */
};

/* A layer's values in nnrt_net's layer_map, in this order (0 for a dense layer's map and kernel). */
enum nnrt_map_field {
    NNRT_MAP_KIND,                 /* an enum nnrt_layer_kind */
    NNRT_MAP_H, NNRT_MAP_W, NNRT_MAP_C, /* the map it makes: rows, columns, channels (a conv's filters) */
    NNRT_MAP_KH, NNRT_MAP_KW,      /* the kernel's or the window's rows and columns */
    NNRT_MAP_SH, NNRT_MAP_SW,      /* the stride down and across */
    NNRT_MAP_PAD,                  /* zeros of padding on every side */
    NNRT_MAP_FIELDS
};

/* How the initial weights are drawn (biases: N(0, 1) for normal, else 0). */
enum nnrt_init {
    NNRT_INIT_NORMAL, /* every parameter ~ N(0, 1), as the tutorial */
    NNRT_INIT_XAVIER, /* weights ~ N(0, 1) * sqrt(2 / (fan_in + fan_out)), biases 0 */
    NNRT_INIT_HE,     /* weights ~ N(0, 1) * sqrt(2 / fan_in), biases 0 */
};

/* The optimizer that a network's NAME_update applies. */
enum nnrt_optimizer {
    NNRT_SGD,       /* param -= learn_rate * g */
    NNRT_MOMENTUM,  /* PyTorch's SGD with momentum (dampening 0), optionally Nesterov's */
    NNRT_ADAM,      /* PyTorch's Adam */
};

/* The settings of the optimizer, which the program may change without recompiling. */
struct nnrt_hyper {
    double learn_rate;
    double momentum;               /* momentum */
    double beta1, beta2, epsilon;  /* adam */
    double weight_decay;           /* added to each partial times its parameter */
};

/* How outputs are read as classes, for accuracy. */
enum nnrt_classify {
    NNRT_NO_CLASSES,  /* no accuracy: a regression */
    NNRT_THRESHOLD,   /* one sigmoid output: class 1 when it is >= 0.5 */
    NNRT_ARGMAX,      /* a softmax output: the class of the largest */
};

/*
 * How the learning rate changes from one epoch to the next: PyTorch's
 * schedulers StepLR, ExponentialLR and CosineAnnealingLR, stepped once an
 * epoch, in the recursive form of their get_lr (schedule.c).
 */
enum nnrt_schedule_kind {
    NNRT_CONSTANT,    /* the learning rate of the spec (or --learn-rate) throughout */
    NNRT_STEP,        /* times gamma every `every` epochs */
    NNRT_EXPONENTIAL, /* times gamma every epoch */
    NNRT_COSINE,      /* along a cosine down to eta_min in t_max epochs, and back up in as many */
};

struct nnrt_schedule {
    enum nnrt_schedule_kind kind;
    long every;     /* NNRT_STEP: epochs between two changes */
    double gamma;   /* NNRT_STEP, NNRT_EXPONENTIAL: the factor */
    long t_max;     /* NNRT_COSINE: epochs from the rate down to eta_min */
    double eta_min; /* NNRT_COSINE: the lowest rate */
};

/*
 * What a generated file tells the runtime about its network.  Parameters
 * are ordered as nnc names them: the weights w1 .. w<nweights> layer by
 * layer, neuron by neuron, input by input, then the biases b1, b2, ...
 * neuron by neuron.  They live in a struct (named members, or arrays in
 * the compact form), which the runtime reaches through param().
 */
struct nnrt_net {
    const char *name;       /* the network's name in the spec */
    const char *spec;       /* the spec file it was compiled from */
    int ninputs, noutputs, nparams;
    int nlayers;            /* hidden layers and the output layer */
    const int *layer_size;  /* neurons in each */
    const char *const *input_name; /* the spec's names of the inputs, or NULL */
    int nweights;           /* parameters [0, nweights) are weights, the rest biases */
    size_t size;            /* sizeof the parameter struct */
    int single;             /* the network computes in float (precision float) */
    double (*get)(const void *nn, int i);          /* parameter i of the struct nn */
    void (*set)(void *nn, int i, double value);

    /* The generated functions, behind untyped pointers. */
    void (*feedforward)(const void *nn, const double *x, double *y_pred);
    double (*loss)(const void *nn, const double *x, const double *y_true);
    void (*train_sample)(void *nn, const double *x, const double *y_true, double learn_rate);
    /* n samples of train_sample from rows (ninputs then noutputs values each), in the
       order of order (NULL: rows 0 .. n-1); NULL in a float network */
    void (*train_epoch)(void *nn, const double *rows, const int *order, int n, double learn_rate);
    void (*backprop)(const void *nn, const double *x, const double *y_true, void *sum_d_L_d);
    void (*update)(void *nn, void *state, const void *sum_d_L_d, int n, const struct nnrt_hyper *h,
                   long step);

    /*
     * The optimizer and its state: a struct of nstate doubles, nparams for
     * each prefix (velocity_; or m_ and v_), named prefix + parameter name.
     */
    enum nnrt_optimizer optimizer;
    int nesterov;
    size_t state_size;
    int nstate;
    const char *state_prefix[2];
    double (*state_get)(const void *state, int j); /* value j of the struct state */
    void (*state_set)(void *state, int j, double value);

    /* The spec's settings. */
    long epochs;
    struct nnrt_hyper hyper;
    long batch;                        /* samples an update averages over */
    int shuffle;                       /* a new order of the samples every epoch */
    uint64_t seed;
    enum nnrt_init init;
    enum nnrt_classify classify;
    int class_index;                   /* targets may be one class index */
    int distribution;                  /* targets are probabilities, in [0, 1] (2: binary_cross_entropy),
                                          and sum to 1 in a row (1: cross_entropy) */
    int normalize;                     /* z-score the inputs */
    const double *init_value;          /* nparams values from `params` ... */
    const unsigned char *init_fixed;   /* ... where init_fixed[i] is 1 */

    /* The spec's embedded data: ndata rows of ninputs then noutputs values. */
    int ndata;
    const double *data;

    /* The spec's held-out test rows, the same way. */
    int ntest;
    const double *test;

    /* The spec's `predict` entries: npredict names and rows of ninputs. */
    int npredict;
    const char *const *predict_name;
    const double *predict_x;

    /* The spec's validation split, early stopping and learning-rate schedule. */
    double validate;                /* the fraction of the training rows held out (0: none) */
    long early_stop;                /* stop after this many epochs without a better validation loss (0: never) */
    struct nnrt_schedule schedule;
    /*
     * A network with conv or pool layers: for each layer, its number of
     * weights, their fan-in and their fan-out (as PyTorch counts them for
     * a convolution: in channels x kernel, out channels x kernel), so that
     * xavier and he scale each weight right; 3 * nlayers values.  NULL for
     * dense layers only, whose weights follow from layer_size.
     */
    const int *layer_fan;
    /* The names of a classifier's classes (`classes`): nclasses of them, or 0 and NULL. */
    int nclasses;
    const char *const *class_name;
    /*
     * A network with conv or pool layers, for --dot: the input map's rows,
     * columns and channels, then NNRT_MAP_FIELDS values for each layer (see
     * enum nnrt_map_field); and each layer's activation, as the spec names
     * it.  NULL for dense layers only.
     */
    const int *layer_map;
    const char *const *layer_act;
};

/* The name of parameter i of net (w1 .., b1 ..), written into buf. */
const char *nnrt_param_name(const struct nnrt_net *net, int i, char buf[32]);

/*
 * Draws the initial parameters of net into nn, in parameter order, one
 * N(0, 1) draw each (scaled as net->init says), then sets the ones the
 * spec fixes.  Every parameter takes its draw, fixed or not.
 */
void nnrt_init_params(const struct nnrt_net *net, void *nn, uint64_t seed);

/*
 * The mean and standard deviation of each input, for a network that
 * normalizes its inputs: x[i] becomes (x[i] - mean[i]) / std[i].
 */
struct nnrt_norm {
    double *mean, *std; /* ninputs values each */
};

/* How far training has gone: what resuming it needs besides the parameters. */
struct nnrt_progress {
    long epoch;   /* epochs done */
    long step;    /* optimizer updates done */
    void *state;  /* the optimizer's state, net->state_size bytes (NULL when it has none) */
    double learn_rate; /* under a schedule, the rate of the next epoch (0: not known) */
};

/*
 * Writes the parameters of nn to path as `name value` lines; then, when
 * norm is not NULL, `mean_x1 value` and `std_x1 value` lines for each
 * input; then, when progress is not NULL, `epoch N`, `step N`, `learn_rate
 * X` when progress->learn_rate is not 0, and a line for each value of the
 * optimizer's state.  Writes through a temporary
 * file renamed into place.  Returns 0, or -1 with err filled in.
 */
int nnrt_params_save(const struct nnrt_net *net, const void *nn, const struct nnrt_norm *norm,
                     const struct nnrt_progress *progress, const char *path, struct nnrt_error *err);

/*
 * Reads what nnrt_params_save wrote.  Every parameter must appear exactly
 * once, and when norm is not NULL every mean_x and std_x too.  `epoch`,
 * `step` and `learn_rate` may be left out (0), and so may the optimizer's
 * state, but only as a whole (zeros).  norm and progress may be NULL when
 * those lines are not wanted: a file that holds them still loads (they are
 * checked, not kept).  Returns 0, or -1 with err filled in (nothing is
 * changed then).
 */
int nnrt_params_load(const struct nnrt_net *net, void *nn, struct nnrt_norm *norm,
                     struct nnrt_progress *progress, const char *path, struct nnrt_error *err);

/* The generated program's main: parses argv, trains, reports.  Returns the exit status. */
int nnrt_main(const struct nnrt_net *net, int argc, char **argv);

#ifdef __cplusplus
}
#endif

#endif
