/*
 * nnrt_impl.h: what the runtime's source files, and nnc, share and users
 * do not see.  The names start with nnrt__ so that they cannot clash with
 * a program's.
 *
 * Everything declared here is hidden: linked into libnnrt.so, it is not
 * exported, so that the library's interface is nnrt.h alone (with the two
 * nnrt__ names that nnrt.h's inline functions reach, the sigmoid's table
 * and its far tail).  In libnnrt.a and in nnc, hidden names link as any
 * others.
 */
#ifndef NNRT_IMPL_H
#define NNRT_IMPL_H

#include <stdio.h>

#include "nnrt.h"

#if defined(__GNUC__) && !defined(_WIN32) && !defined(__CYGWIN__)
#define NNRT__HIDDEN_BEGIN _Pragma("GCC visibility push(hidden)")
#define NNRT__HIDDEN_END _Pragma("GCC visibility pop")
#else
#define NNRT__HIDDEN_BEGIN
#define NNRT__HIDDEN_END
#endif

NNRT__HIDDEN_BEGIN

#if defined(__GNUC__)
#define NNRT__PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define NNRT__PRINTF(f, a)
#endif

/* Parameter i of the network net in the parameter struct nn. */
static inline double nnrt__param_get(const struct nnrt_net *net, const void *nn, int i)
{
    return net->get(nn, i);
}

static inline void nnrt__param_set(const struct nnrt_net *net, void *nn, int i, double v)
{
    net->set(nn, i, v);
}

/* Fills err; line and col are 0 when they do not apply. */
/*
 * Reads a whole number from 0 to max: decimal digits, with an optional '+'
 * and blanks around them, as nnrt_parse_double allows.  Returns 0, or -1
 * when s is not one.
 */
int nnrt__parse_whole(const char *s, unsigned long long max, unsigned long long *out);

/*
 * The first of the values [from, to) of row that a network cannot take, or
 * -1: an infinity (an input normalized by a tiny loaded deviation), or, in
 * a network in single precision, a value past float's range.
 */
int nnrt__past_range(const double *row, int from, int to, int single);

/*
 * "input 2 is 1e+39: too large for precision float (...)" (after the value,
 * the text after), for value j of a row whose first ninputs values are
 * inputs, into buf.  Returns buf.
 */
const char *nnrt__too_large(char *buf, size_t size, int ninputs, int j, double v, const char *after, int single);

/* The name of value j of the optimizer's state (velocity_w1, m_w1, v_w1, ...). */
const char *nnrt__state_name(const struct nnrt_net *net, int j, char buf[40]);

/*
 * file's name as messages show it: past 100 bytes its first and last 48
 * with "..." between, and with '?' for what may not reach a terminal (as
 * nnrt__set_error shows it).  Returns out.
 */
#define NNRT__SHOWN_NAME 104
const char *nnrt__shown_name(char out[NNRT__SHOWN_NAME], const char *file);

void nnrt__set_error(struct nnrt_error *err, const char *file, int line, int col,
                     const char *fmt, ...) NNRT__PRINTF(5, 6);

/* The largest file that nnrt__read_file takes: specs, data and parameters. */
#define NNRT__MAX_FILE (256 << 20)

/*
 * The whole of path, NUL-terminated, its length in *len; NULL with err on
 * failure, and for a directory or anything longer than NNRT__MAX_FILE
 * bytes (a device like /dev/zero stops there too).  nnrt__read_file_max
 * takes up to max bytes instead.
 */
char *nnrt__read_file(const char *path, size_t *len, struct nnrt_error *err);
char *nnrt__read_file_max(const char *path, size_t max, size_t *len, struct nnrt_error *err);

/*
 * nnrt_csv_read's parse of text (len bytes and a NUL, read from path):
 * cuts text into its lines in place and leaves it to the caller to free.
 */
int nnrt__csv_parse(char *text, size_t len, const char *path, int cols, struct nnrt_table *t,
                    struct nnrt_error *err);

/*
 * The same, for a classifier whose nnames classes have names (or names
 * NULL): the last field of a row may be a class's name, read as its
 * index.  *named_line is the line of the first row that names its class,
 * or 0.  A field there that is neither is an unknown class.
 */
int nnrt__csv_parse_classes(char *text, size_t len, const char *path, int cols, const char *const *names,
                            int nnames, int *named_line, struct nnrt_table *t, struct nnrt_error *err);

/*
 * After nnrt__csv_parse_classes: rows that name their class must hold
 * ninputs values and the class.  Returns 0, or -1 with err.
 */
int nnrt__check_named(const struct nnrt_table *t, int named_line, const char *file, int ninputs,
                      struct nnrt_error *err);

/*
 * The length of the UTF-8 character at s (before end), negated when a
 * terminal should not be sent it: an ASCII control, a C1 control or a
 * bidirectional control (which would reorder the rest of the line).  An
 * ill-formed or cut sequence is -1: its first byte alone.
 */
int nnrt__showable(const unsigned char *s, const unsigned char *end);

/*
 * How many of the n bytes at s a message quotes: at most max, and never
 * part of a UTF-8 character.
 */
static inline int nnrt__quote_len(const char *s, size_t n, size_t max)
{
    if (n <= max)
        return (int)n;
    while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
        max--;
    return (int)max;
}

/* 3 when s starts with a UTF-8 byte order mark (which some programs write first), or 0. */
static inline size_t nnrt__bom(const char *s)
{
    return s[0] == '\xef' && s[1] == '\xbb' && s[2] == '\xbf' ? 3 : 0;
}

/*
 * Cuts the next line off *rest (a NUL-terminated buffer, changed in
 * place): returns it without its "\n", "\r\n" or lone "\r" (old Mac
 * files), and moves *rest past it, to NULL after the last line.  Returns
 * NULL when *rest is NULL.
 */
char *nnrt__next_line(char **rest);

/*
 * An output file being written.  A regular file, or a new one, is written
 * to a temporary file beside it that is renamed over it once complete, so
 * that a failure leaves it as it was; the new file keeps the old one's
 * permissions.  Through a symbolic link it is the file that the link names
 * that is replaced; the link stays.  A device (/dev/null, /dev/stdout) or
 * a FIFO is written in place: renaming over it would replace the device or
 * the pipe itself.
 */
struct nnrt__output {
    FILE *f;      /* where to write */
    char *tmp;    /* the temporary file, or NULL when writing in place */
    char *target; /* the file that tmp becomes: path, or what its link names */
};

/* Opens path for writing, as above.  Returns 0, or -1 with err. */
int nnrt__output_open(struct nnrt__output *o, const char *path, struct nnrt_error *err);

/*
 * Closes o's file and, when it was written without an error, puts it in
 * place.  Returns 0, or -1 with err, having removed the temporary file.
 * nnrt__output_close and nnrt__output_place are its two halves, for a
 * writer of several files that renames none until all are written.
 */
int nnrt__output_commit(struct nnrt__output *o, const char *path, struct nnrt_error *err);
int nnrt__output_close(struct nnrt__output *o, const char *path, struct nnrt_error *err);
int nnrt__output_place(struct nnrt__output *o, const char *path, struct nnrt_error *err);

/* Closes o's file if it is open, and removes its temporary file. */
void nnrt__output_abort(struct nnrt__output *o);

/*
 * Removes the temporary files of the outputs being written, for a handler
 * of a signal that ends the program; async-signal-safe.  It knows the
 * first four open at once, opened from one thread.
 */
void nnrt__remove_temporaries(void);

/*
 * Catches (on) the signals that end a program (SIGINT, SIGTERM, SIGHUP,
 * SIGQUIT, SIGPIPE), but those that are ignored, so that they remove the
 * temporary files first, and call hook (async-signal-safe, or NULL); or
 * (off) gives them back the handlers they had.
 */
void nnrt__catch_fatal_signals(int on, void (*hook)(void));

/* Holds (block) those signals until unblocked, for steps that must not be parted; not nested. */
void nnrt__block_fatal_signals(int block);

/*
 * Do paths a and b name one regular file: the same path, one existing
 * file, or (when neither exists yet) one name in one directory?  Not for
 * NULL, nor for a device such as /dev/null, which loses nothing when it is
 * named twice.
 */
int nnrt__same_file(const char *a, const char *b);


/* ---- The names of activations, losses, initialisations and optimizers (names.c) ---- */

/* Indexed by the kind (enum nnrt_optimizer for optimizers), NULL-terminated. */
extern const char *const nnrt__act_names[];
extern const char *const nnrt__loss_names[];
extern const char *const nnrt__init_names[];
extern const char *const nnrt__opt_names[];
/* The closest of the NULL-terminated words to s, if it is a likely typo (one
 * edit in a word under 5 characters, two in a longer one); or NULL. */
const char *nnrt__near_miss(const char *s, const char *const *words);

/* The names in a parameter file, which --save writes and nnc --params and --load read. */
#define NNRT__SAVED_HEAD "# parameters of network " /* the first line, then the network's name */
/*
 * The number k >= 1 that follows prefix in name[0..len) (3 for "w3" after
 * "w"), or 0 if name is not prefix followed by digits without a leading
 * zero, or k > max.
 */
long nnrt__numbered(const char *name, size_t len, const char *prefix, long max);
/*
 * The network's name in a line NNRT__SAVED_HEAD NAME, with its length in
 * *len; NULL for any other line.
 */
const char *nnrt__saved_network(const char *line, size_t *len);

/* ---- The network as a Graphviz graph (dot.c), for nnc --emit dot and a program's --dot ---- */

enum nnrt__dot_style {
    NNRT__DOT_SPEC,    /* nnc's: the names of neurons, parameters and activations */
    NNRT__DOT_WEIGHTS  /* a program's: the trained biases and weights */
};

/* A network to draw, and where the text goes. */
struct nnrt__dot {
    enum nnrt__dot_style style;
    const char *name;              /* the network's */
    int ninputs;
    const char *const *input_name; /* the spec's names of the inputs, or NULL */
    int nlayers;                   /* the hidden layers and the output layer */
    const int *layer_size;
    const char *const *act;        /* each layer's activation (NNRT__DOT_WEIGHTS: with maps only) */
    /* NNRT__DOT_WEIGHTS: parameter i, the weights first, then the biases. */
    double (*param)(const void *arg, int i);
    const void *param_arg;
    void (*put)(void *out, const char *text); /* writes a piece of the text */
    void *out;
    /* With conv or pool layers, as nnrt_net's layer_map (3 + NNRT_MAP_FIELDS * nlayers values); or NULL. */
    const int *map;
};

/* Writes the graph of d in its style. */
void nnrt__dot_write(const struct nnrt__dot *d);

/* ---- The program's driver: driver.c, options.c, data.c, train.c, report.c ---- */

/* The program's name in messages: argv[0], or "nnrt" (set by nnrt_main). */
extern const char *nnrt__progname;

/* A gradient check passes when every relative error is at most this. */
#define NNRT__GRADCHECK_THRESHOLD 1e-5

/* What the command line asks for: the spec's settings, changed by options. */
struct nnrt__options {
    long epochs;
    struct nnrt_hyper h;
    long batch;
    int shuffle;
    uint64_t seed;
    long every;
    const char *data, *test, *load, *save, *history;
    int eval, grad, gradcheck, dot;
    int npredict;
    double *predict; /* npredict rows of ninputs */
    double validate; /* the fraction of the rows held out for validation (0: none) */
    long early_stop; /* epochs without a better validation loss before stopping (0: never) */
    struct nnrt_schedule schedule;
    const char *predict_file, *output; /* --predict-file, and where its CSV goes (NULL: standard output) */
};

/* Rows to train or test on: n rows of ninputs inputs, then noutputs targets. */
struct nnrt__dataset {
    const char *file; /* NULL for the spec's embedded rows */
    int n;
    double *rows;     /* a copy, so that inputs can be normalized in place */
    int *line;        /* for rows from a file: the line of each */
};

/* What training carries from one epoch (and one run) to the next. */
struct nnrt__trainer {
    struct nnrt_progress p; /* epochs and updates done, the optimizer's state */
    void *sum;              /* the partials of a batch, summed (a parameter struct) */
    int *order;             /* the order of the samples in this epoch */
    void *nn_start, *state_start; /* copies taken at the start of an epoch */
    FILE *history;          /* --history, being written */
    int progress;           /* show a progress line on standard error (a terminal) */
    const struct nnrt__dataset *val; /* the validation rows, or NULL */
    /* Early stopping: the best epoch's validation loss, and the run as it was after it. */
    double best_loss;
    long best_epoch;        /* -1 before the first */
    struct nnrt_progress best; /* its counts and rate; best.state: its optimizer's state */
    void *nn_best;          /* its parameters */
};

/* nnrt__past_range for a row of net. */
static inline int nnrt__row_past_range(const struct nnrt_net *net, const double *row, int from, int to)
{
    return nnrt__past_range(row, from, to, net->single);
}

/* nnrt__too_large for value j of a row of net. */
static inline const char *nnrt__row_too_large(char *buf, size_t size, const struct nnrt_net *net, int j,
                                              double v, const char *after)
{
    return nnrt__too_large(buf, size, net->ninputs, j, v, after, net->single);
}

/* options.c: the command line. */

/* A mistake on the command line: a message, a hint, exit status 2. */
int nnrt__usage_error(const char *fmt, const char *arg);

/*
 * Reads argv into o.  Returns -1 to go on, or an exit status: 0 after
 * --help or --version, 2 after a mistake.
 */
int nnrt__parse_options(struct nnrt__options *o, const struct nnrt_net *net, int argc, char **argv);

/* data.c: the rows, their normalization, the loss and accuracy over them. */

/* A mistake in a file: "PROGRAM: FILE:LINE: error: MESSAGE", exit status 1. */
int nnrt__file_error(const struct nnrt_error *err);

/*
 * Reads rows from file into d, or copies the spec's n embedded rows.  With
 * predict (--predict-file), a row may hold the inputs alone (its targets
 * are then 0), and its targets are not checked.  Returns 0 or an exit
 * status.
 */
int nnrt__load_rows(struct nnrt__dataset *d, const struct nnrt_net *net, const char *file, int n,
                    const double *embedded, int predict);
void nnrt__free_rows(struct nnrt__dataset *d);

/* The mean and (population) standard deviation of each input over d; a constant input keeps std 1. */
void nnrt__compute_norm(const struct nnrt_net *net, const struct nnrt__dataset *d, struct nnrt_norm *norm);

/* Normalizes the inputs of n rows of stride values at x. */
void nnrt__apply_norm(const struct nnrt_net *net, const struct nnrt_norm *norm, double *x, int n, int stride);

/*
 * Checks that d's inputs, once normalized, are numbers the network takes
 * (what names the spec's rows in a message).  Returns 0, or 1 after
 * saying which is not.
 */
int nnrt__check_normalized(const struct nnrt_net *net, const struct nnrt__dataset *d, const char *what);

/* The mean of the per-sample losses over the data. */
double nnrt__data_loss(const struct nnrt_net *net, const void *nn, const struct nnrt__dataset *d);

/* The class of an output (or target) vector of a classifier: see enum nnrt_classify. */
int nnrt__class_of(const struct nnrt_net *net, const double *y);

/* The fraction of the rows of d that the network classifies right (y: room for the outputs). */
double nnrt__accuracy(const struct nnrt_net *net, const void *nn, const struct nnrt__dataset *d, double *y);

/* train.c: the training loop and the gradient. */

/*
 * Trains nn on d for o->epochs more epochs, printing the loss lines and
 * writing t->history.  Returns 0, or 1 after saying where training
 * diverged.
 */
int nnrt__train(const struct nnrt_net *net, void *nn, const struct nnrt__dataset *d,
                const struct nnrt__options *o, struct nnrt__trainer *t, double *y);

/* The mean gradient of the loss over d, into grad (a parameter struct). */
void nnrt__mean_grad(const struct nnrt_net *net, const void *nn, const struct nnrt__dataset *d, void *grad);

/*
 * Prints the gradient check of nn over d (grad: room for a gradient).
 * Returns 0 when it passes, else 1.
 */
int nnrt__gradcheck(const struct nnrt_net *net, void *nn, const struct nnrt__dataset *d, void *grad);

/* schedule.c: the learning rate of each epoch. */

/*
 * The rate after the scheduler's step to epoch (>= 1) from lr, the rate of
 * the epoch before, base the first epoch's: torch's get_lr.
 */
double nnrt__schedule_next(const struct nnrt_schedule *s, double base, double lr, long epoch);

/* The rate of epoch (from 0), stepped from base through every epoch before it. */
double nnrt__schedule_rate(const struct nnrt_schedule *s, double base, long epoch);

/*
 * Reads "none", "step EVERY GAMMA", "exponential GAMMA" or "cosine T_MAX
 * [ETA_MIN]" (words apart by blanks or commas) into s.  Returns 0, or -1
 * when text is none of them (s unchanged).
 */
int nnrt__parse_schedule(const char *text, struct nnrt_schedule *s);

/* validate.c: the validation split. */

/*
 * Moves a seeded fraction of d's rows (stratified by class in a
 * classifier) into val, an empty dataset.  Returns 0 or an exit status.
 */
int nnrt__split_validation(const struct nnrt_net *net, struct nnrt__dataset *d, struct nnrt__dataset *val,
                           double fraction, uint64_t seed);

/* metrics.c: the measures of --eval and the test report, and --predict-file's CSV. */

/* How many classes a classifier tells apart: its outputs, or 2 for one sigmoid output; 0 for no classifier. */
int nnrt__nclasses(const struct nnrt_net *net);

/* Class k as the output shows it: its name (`classes`), or its index, written into buf. */
const char *nnrt__class_label(const struct nnrt_net *net, int k, char buf[NNRT_DOUBLE_BUFSIZE]);

/*
 * Prints the measures of nn over d, each line starting with prefix ("" or
 * "test "): for a classifier "confusion CLASS: N N ..." for each true
 * class, then "precision CLASS: V", "recall CLASS: V" and "f1 CLASS: V"
 * for each class; for any other network "mae: V", "rmse: V" and "r2: V".
 * y is room for the outputs.  Returns 0, or 1 after saying that memory
 * ran out.
 */
int nnrt__print_metrics(const struct nnrt_net *net, const void *nn, const struct nnrt__dataset *d,
                        const char *prefix, double *y);

/*
 * Writes the predictions for the rows of d (normalized already) to f as
 * CSV: a header naming the outputs (y_pred, or o1,o2,...) and, for a
 * classifier, class; then one line a row.
 */
void nnrt__write_predictions(const struct nnrt_net *net, const void *nn, const struct nnrt__dataset *d, FILE *f,
                             double *y);

/* report.c: the progress line and what a run prints at its end. */

/*
 * A loss in a loss line: %.3f, as always, up to a million; past it (or
 * below minus it) %.3e, so that a diverging run prints no 300-digit line.
 */
const char *nnrt__loss_text(char buf[NNRT_DOUBLE_BUFSIZE], double loss);

/*
 * Draws the progress line: epoch done of total, the loss of that epoch,
 * samples a second and the seconds left.
 */
void nnrt__progress_show(long done, long total, double loss, double rate, double left);

/* Blanks the progress line from a signal handler (async-signal-safe). */
void nnrt__progress_blank(void);

/* Blanks the progress line, so that what comes next starts on a clean line. */
void nnrt__progress_clear(void);

/*
 * Prints "name: VALUE" (several outputs: "name: V1 V2 ...", no name: the
 * values alone) for the input x, normalized first when norm is not NULL;
 * xn and y are room for the inputs and the outputs.
 */
void nnrt__print_prediction(const struct nnrt_net *net, const void *nn, const struct nnrt_norm *norm,
                            const char *name, const double *x, double *xn, double *y);

/* Prints the network as a Graphviz diagram with its current weights. */
void nnrt__print_dot(const struct nnrt_net *net, const void *nn);

NNRT__HIDDEN_END

#endif
