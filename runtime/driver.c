/*
 * driver.c: the command line of a generated program, and its training loop.
 *
 * nnrt_main does what the tutorial's script does after its class: draw the
 * parameters, train for some epochs printing "Epoch %d loss: %.3f" every
 * tenth epoch, then make predictions.  Options change each step without
 * recompiling.  The order of work is fixed, so that the output of a run is
 * easy to read and to test:
 *
 *   1. read the options, the data and the starting parameters;
 *   2. normalize the inputs, when the spec says so;
 *   3. train, printing the loss lines (and accuracy lines, for classifiers);
 *   4. save the parameters (--save);
 *   5. print the loss (--eval), the gradient (--grad), the gradient check
 *      (--gradcheck), the predictions, and last the loss on the test rows.
 *
 * Everything is allocated before training starts; the loop itself
 * allocates nothing.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "nnrt_impl.h"

struct options {
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
};

/* Rows to train or test on: n rows of ninputs inputs, then noutputs targets. */
struct dataset {
    const char *file; /* NULL for the spec's embedded rows */
    int n;
    double *rows;     /* a copy, so that inputs can be normalized in place */
    int *line;        /* for rows from a file: the line of each */
};

/* A gradient check passes when every relative error is at most this. */
#define GRADCHECK_THRESHOLD 1e-5

static const char *const optimizer_names[] = {"sgd", "momentum", "adam"};

static const char *progname = "nnrt";

static void usage(FILE *f, const struct nnrt_net *net)
{
    const struct nnrt_hyper *h = &net->hyper;
    fprintf(f,
            "usage: %s [options]\n"
            "Trains the network '%s' (compiled by nnc from %s) and makes predictions.\n"
            "\n"
            "Training (the spec's value in brackets):\n"
            "  --epochs N         train for N more epochs (%ld; 0 skips training)\n"
            "  --learn-rate X     the learning rate (%g)\n"
            "  --batch N          samples whose mean gradient makes one update (%ld)\n"
            "  --shuffle          visit the samples in a new seeded order every epoch (%s)\n"
            "  --no-shuffle       visit them in data order\n"
            "  --weight-decay X   L2 penalty: add X * param to each partial (%g)\n"
            "  --optimizer NAME   the optimizer: only %s, which this program was compiled with\n",
            progname, net->name, net->spec, net->epochs, h->learn_rate, net->batch,
            net->shuffle ? "on" : "off", h->weight_decay, optimizer_names[net->optimizer]);
    if (net->optimizer == NNRT_MOMENTUM)
        fprintf(f, "  --momentum X       the velocity's decay (%g)\n", h->momentum);
    if (net->optimizer == NNRT_ADAM)
        fprintf(f,
                "  --beta1 X          decay of the mean of the partials (%g)\n"
                "  --beta2 X          decay of the mean of their squares (%g)\n"
                "  --epsilon X        added to the denominator (%g)\n",
                h->beta1, h->beta2, h->epsilon);
    fprintf(f,
            "  --seed N           seed of the initial parameters and the shuffling (%llu)\n"
            "  --every N          print the loss line every N epochs (default 10; 0: never)\n"
            "\n"
            "Data and files:\n"
            "  --data FILE.csv    train on FILE.csv instead of the spec's data\n"
            "  --test FILE.csv    report the loss (and accuracy) on FILE.csv after training\n"
            "  --load FILE        start from the parameters (and training state) in FILE\n"
            "  --save FILE        write the parameters and training state to FILE after training\n"
            "  --history FILE.csv write the loss (and accuracy) of every epoch to FILE.csv\n"
            "\n"
            "Results:\n"
            "  --predict X1,X2,.. print the output for this input (%d values; may repeat)\n"
            "  --eval             print 'loss: VALUE', the loss over the data after training\n"
            "  --grad             print 'd_L_d_<param> VALUE', the gradient over the data\n"
            "  --gradcheck        compare --grad with finite differences; fail past %g\n"
            "                     (double precision only)\n"
            "  --dot              print the network with its weights as a Graphviz diagram\n"
            "  -h, --help         print this help and exit\n"
            "  --version          print the program's name and the runtime's version, and exit\n",
            (unsigned long long)net->seed, net->ninputs, GRADCHECK_THRESHOLD);
}

/* A mistake on the command line: a message, a hint, exit status 2. */
static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "%s: error: ", progname);
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry '%s --help' for more information.\n", progname);
    return 2;
}

/* A mistake in a file: "PROGRAM: FILE:LINE: error: MESSAGE", exit status 1. */
static int file_error(const struct nnrt_error *err)
{
    if (err->line > 0)
        fprintf(stderr, "%s: %s:%d: error: %s\n", progname, err->file, err->line, err->msg);
    else
        fprintf(stderr, "%s: error: %s\n", progname, err->msg);
    return 1;
}

static int parse_long(const char *s, long min, long *out)
{
    unsigned long long v;
    if (nnrt__parse_whole(s, LONG_MAX, &v) != 0 || (long)v < min)
        return -1;
    *out = (long)v;
    return 0;
}

static int parse_u64(const char *s, uint64_t *out)
{
    unsigned long long v;
    if (nnrt__parse_whole(s, UINT64_MAX, &v) != 0)
        return -1;
    *out = (uint64_t)v;
    return 0;
}

/* Reads a number in [lo, hi] (or (lo, hi] when !closed); -1 when it is not one. */
static int parse_in(const char *s, double lo, double hi, int closed, double *out)
{
    double v;
    if (nnrt_parse_double(s, &v) != 0 || v < lo || v > hi || (!closed && v == lo))
        return -1;
    *out = v;
    return 0;
}

/* nnrt__past_range for a row of net. */
static int past_range(const struct nnrt_net *net, const double *row, int from, int to)
{
    return nnrt__past_range(row, from, to, net->single);
}

/* nnrt__too_large for value j of a row of net. */
static const char *too_large(char *buf, size_t size, const struct nnrt_net *net, int j, double v,
                             const char *after)
{
    return nnrt__too_large(buf, size, net->ninputs, j, v, after, net->single);
}

/* Reads "X1,X2,..." into the next row of o->predict. */
static int add_predict(struct options *o, const struct nnrt_net *net, const char *arg)
{
    double *rows = realloc(o->predict, (size_t)(o->npredict + 1) * (size_t)net->ninputs * sizeof *rows);
    if (rows == NULL) {
        fprintf(stderr, "%s: error: out of memory\n", progname);
        return 1;
    }
    o->predict = rows;
    double *x = rows + (size_t)o->npredict * (size_t)net->ninputs;

    size_t len = strlen(arg);
    char *copy = malloc(len + 1);
    if (copy == NULL) {
        fprintf(stderr, "%s: error: out of memory\n", progname);
        return 1;
    }
    memcpy(copy, arg, len + 1);
    int n = 0, status = 0;
    for (char *f = copy;;) {
        char *comma = strchr(f, ',');
        if (comma != NULL)
            *comma = '\0';
        double v;
        if (nnrt_parse_double(f, &v) != 0) {
            status = usage_error("--predict: expected a finite number but found '%s'", f);
            break;
        }
        if (n < net->ninputs)
            x[n] = v;
        n++;
        if (comma == NULL)
            break;
        f = comma + 1;
    }
    free(copy);
    if (status == 0 && n != net->ninputs) {
        fprintf(stderr, "%s: error: --predict: expected %d values (one per input) but found %d\n"
                        "Try '%s --help' for more information.\n",
                progname, net->ninputs, n, progname);
        status = 2;
    }
    /* Normalized inputs are checked once normalized. */
    int j = status == 0 && !net->normalize ? past_range(net, x, 0, n) : -1;
    if (j >= 0) {
        char msg[200];
        status = usage_error("--predict: %s", too_large(msg, sizeof msg, net, j, x[j], ""));
    }
    if (status == 0)
        o->npredict++;
    return status;
}

/* The options that take a value, and the optimizer each belongs to (-1: any). */
static const struct {
    const char *name;
    int optimizer;
} with_value[] = {
    {"--epochs", -1}, {"--learn-rate", -1}, {"--batch", -1}, {"--weight-decay", -1},
    {"--optimizer", -1}, {"--momentum", NNRT_MOMENTUM}, {"--beta1", NNRT_ADAM},
    {"--beta2", NNRT_ADAM}, {"--epsilon", NNRT_ADAM}, {"--seed", -1}, {"--every", -1},
    {"--data", -1}, {"--test", -1}, {"--load", -1}, {"--save", -1}, {"--predict", -1},
    {"--history", -1},
};

/*
 * In a float network a setting becomes a float.  Returns 0, or the usage
 * error's status when v, read from val for option name, leaves its range
 * there: past float's range, 0 when it must be above 0, or 1 when it must
 * be below 1.
 */
static int float_setting(const struct nnrt_net *net, const char *name, const char *val, double v,
                         int above_zero, int below_one)
{
    if (!net->single)
        return 0;
    float f = (float)v;
    const char *is = isinf(f)             ? "too large for precision float (the largest float is about 3.4028235e+38)"
                   : above_zero && f == 0 ? "0 in precision float, and must be greater than 0"
                   : below_one && f == 1  ? "1 in precision float, and must be less than 1"
                                          : NULL;
    if (is == NULL)
        return 0;
    fprintf(stderr, "%s: error: %s: '%s' is %s\nTry '%s --help' for more information.\n", progname, name,
            val, is, progname);
    return 2;
}

/* Reads the value of option name into o.  Returns 0 or an exit status. */
static int set_option(struct options *o, const struct nnrt_net *net, const char *name, const char *val)
{
    if (strcmp(name, "--epochs") == 0) {
        if (parse_long(val, 0, &o->epochs) != 0)
            return usage_error("--epochs: expected a whole number >= 0 but found '%s'", val);
    } else if (strcmp(name, "--every") == 0) {
        if (parse_long(val, 0, &o->every) != 0)
            return usage_error("--every: expected a whole number >= 0 but found '%s'", val);
    } else if (strcmp(name, "--batch") == 0) {
        if (parse_long(val, 1, &o->batch) != 0 || o->batch > 2147483647L)
            return usage_error("--batch: expected a whole number >= 1 but found '%s'", val);
    } else if (strcmp(name, "--seed") == 0) {
        if (parse_u64(val, &o->seed) != 0)
            return usage_error("--seed: expected a whole number >= 0 but found '%s'", val);
    } else if (strcmp(name, "--learn-rate") == 0) {
        if (parse_in(val, 0, HUGE_VAL, 0, &o->h.learn_rate) != 0)
            return usage_error("--learn-rate: expected a finite number > 0 but found '%s'", val);
        return float_setting(net, name, val, o->h.learn_rate, 1, 0);
    } else if (strcmp(name, "--weight-decay") == 0) {
        if (parse_in(val, 0, HUGE_VAL, 1, &o->h.weight_decay) != 0)
            return usage_error("--weight-decay: expected a finite number >= 0 but found '%s'", val);
        return float_setting(net, name, val, o->h.weight_decay, 0, 0);
    } else if (strcmp(name, "--momentum") == 0) {
        if (parse_in(val, 0, 1, 0, &o->h.momentum) != 0)
            return usage_error("--momentum: expected a number > 0 and <= 1 but found '%s'", val);
        return float_setting(net, name, val, o->h.momentum, 1, 0);
    } else if (strcmp(name, "--beta1") == 0) {
        if (parse_in(val, 0, 1, 1, &o->h.beta1) != 0 || o->h.beta1 == 1)
            return usage_error("--beta1: expected a number >= 0 and < 1 but found '%s'", val);
        return float_setting(net, name, val, o->h.beta1, 0, 1);
    } else if (strcmp(name, "--beta2") == 0) {
        if (parse_in(val, 0, 1, 1, &o->h.beta2) != 0 || o->h.beta2 == 1)
            return usage_error("--beta2: expected a number >= 0 and < 1 but found '%s'", val);
        return float_setting(net, name, val, o->h.beta2, 0, 1);
    } else if (strcmp(name, "--epsilon") == 0) {
        if (parse_in(val, 0, 1, 0, &o->h.epsilon) != 0)
            return usage_error("--epsilon: expected a number > 0 and <= 1 but found '%s'", val);
        return float_setting(net, name, val, o->h.epsilon, 1, 0);
    } else if (strcmp(name, "--optimizer") == 0) {
        if (strcmp(val, "sgd") != 0 && strcmp(val, "momentum") != 0 && strcmp(val, "adam") != 0)
            return usage_error("--optimizer: expected sgd, momentum or adam but found '%s'", val);
        if (strcmp(val, optimizer_names[net->optimizer]) != 0) {
            fprintf(stderr,
                    "%s: error: --optimizer %s: this program was compiled for optimizer %s; the "
                    "optimizer is written out in the generated code, so put 'optimizer %s' in the "
                    "spec and compile it again\n",
                    progname, val, optimizer_names[net->optimizer], val);
            return 2;
        }
    } else if (strcmp(name, "--data") == 0) {
        o->data = val;
    } else if (strcmp(name, "--test") == 0) {
        o->test = val;
    } else if (strcmp(name, "--load") == 0) {
        o->load = val;
    } else if (strcmp(name, "--save") == 0) {
        o->save = val;
    } else if (strcmp(name, "--history") == 0) {
        o->history = val;
    } else {
        return add_predict(o, net, val);
    }
    return 0;
}

/*
 * Reads argv into o.  Returns -1 to go on, or an exit status: 0 after
 * --help or --version, 2 after a mistake.
 */
/*
 * An output that is an input, or another output, would lose one of them:
 * --save data.csv would replace the data.  --load and --save of one file
 * is a resumed run, and fine.  Returns -1, or the usage error's status.
 */
static int check_outputs(const struct options *o)
{
    const char *const out[2] = {o->save, o->history};
    const char *const out_name[2] = {"--save", "--history"};
    const char *const in[3] = {o->data, o->test, o->load};
    const char *const in_name[3] = {"--data", "--test", "--load"};
    for (int i = 0; i < 2; i++) {
        for (int j = 0; j < 3; j++) {
            if ((i != 0 || j != 2) && nnrt__same_file(out[i], in[j])) {
                char shown[NNRT__SHOWN_NAME];
                fprintf(stderr, "%s: error: %s and %s name the same file '%s'\n", progname,
                        out_name[i], in_name[j], nnrt__shown_name(shown, out[i]));
                return 2;
            }
        }
    }
    if (nnrt__same_file(o->save, o->history)) {
        char shown[NNRT__SHOWN_NAME];
        fprintf(stderr, "%s: error: --save and --history name the same file '%s'\n", progname,
                nnrt__shown_name(shown, o->save));
        return 2;
    }
    return -1;
}

static int parse_options(struct options *o, const struct nnrt_net *net, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *opt = argv[i];
        char name[32];

        if (strcmp(opt, "--help") == 0 || strcmp(opt, "-h") == 0) {
            usage(stdout, net);
            return 0;
        }
        if (strcmp(opt, "--version") == 0) {
            printf("%s (nnrt %s)\n", net->name, NNRT_VERSION);
            return 0;
        }
        int *flag = strcmp(opt, "--eval") == 0        ? &o->eval
                  : strcmp(opt, "--grad") == 0        ? &o->grad
                  : strcmp(opt, "--gradcheck") == 0   ? &o->gradcheck
                  : strcmp(opt, "--dot") == 0         ? &o->dot
                  : strcmp(opt, "--shuffle") == 0     ? &o->shuffle
                  : strcmp(opt, "--no-shuffle") == 0  ? &o->shuffle
                                                      : NULL;
        if (flag != NULL) {
            *flag = strcmp(opt, "--no-shuffle") != 0;
            continue;
        }
        if (strncmp(opt, "--", 2) != 0)
            return usage_error("unexpected argument '%s'", opt);
        static const char *const flags[] = {"--eval", "--grad", "--gradcheck", "--shuffle", "--no-shuffle",
                                            "--dot", "--help", "--version", NULL};
        for (int k = 0; flags[k] != NULL; k++) {
            size_t n = strlen(flags[k]);
            if (strncmp(opt, flags[k], n) == 0 && opt[n] == '=') {
                fprintf(stderr, "%s: error: option '%s' takes no value\nTry '%s --help' for more information.\n",
                        progname, flags[k], progname);
                return 2;
            }
        }

        /* The rest take a value: "--name value" or "--name=value". */
        const char *eq = strchr(opt, '=');
        size_t nlen = eq ? (size_t)(eq - opt) : strlen(opt);
        if (nlen >= sizeof name)
            return usage_error("unknown option '%s'", opt);
        memcpy(name, opt, nlen);
        name[nlen] = '\0';
        int k = 0, n = (int)(sizeof with_value / sizeof *with_value);
        while (k < n && strcmp(name, with_value[k].name) != 0)
            k++;
        if (k == n)
            return usage_error("unknown option '%s'", name);
        if (with_value[k].optimizer >= 0 && with_value[k].optimizer != (int)net->optimizer) {
            fprintf(stderr, "%s: error: %s applies to optimizer %s, but this program uses %s\n"
                            "Try '%s --help' for more information.\n", progname,
                    name, optimizer_names[with_value[k].optimizer], optimizer_names[net->optimizer], progname);
            return 2;
        }
        const char *val;
        if (eq != NULL)
            val = eq + 1;
        else if (i + 1 < argc)
            val = argv[++i];
        else
            return usage_error("option '%s' needs a value", name);
        int status = set_option(o, net, name, val);
        if (status != 0)
            return status;
    }
    return check_outputs(o);
}

/*
 * Reads rows from file into d, or copies the spec's n embedded rows.
 * Returns 0 or an exit status.
 */
static int load_rows(struct dataset *d, const struct nnrt_net *net, const char *file, int n,
                     const double *embedded)
{
    size_t width = (size_t)(net->ninputs + net->noutputs);
    struct nnrt_error err;
    struct nnrt_table t;

    d->file = file;
    if (file == NULL) {
        d->n = n;
        if (n == 0)
            return 0;
        d->rows = malloc((size_t)n * width * sizeof *d->rows);
        if (d->rows == NULL)
            goto nomem;
        memcpy(d->rows, embedded, (size_t)n * width * sizeof *d->rows);
        return 0;
    }
    if (nnrt_csv_read(file, 0, &t, &err) != 0)
        return file_error(&err);
    d->rows = malloc((size_t)t.rows * width * sizeof *d->rows);
    if (d->rows == NULL) {
        nnrt_table_free(&t);
        goto nomem;
    }
    if (nnrt_table_rows(&t, file, net->ninputs, net->noutputs, net->class_index, d->rows, &err) != 0) {
        nnrt_table_free(&t);
        return file_error(&err);
    }
    for (int r = 0; r < t.rows && net->distribution; r++) {
        double sum = 0;
        for (int k = 0; k < net->noutputs; k++) {
            double y = d->rows[(size_t)r * width + (size_t)net->ninputs + (size_t)k];
            sum += y;
            if (!(y >= 0 && y <= 1)) {
                char v[NNRT_DOUBLE_BUFSIZE];
                nnrt__set_error(&err, file, t.line[r], 0,
                                "a target must be from 0 to 1 for %s (a probability) but is %s",
                                net->distribution == 1 ? "cross_entropy" : "binary_cross_entropy",
                                nnrt_format_double(v, y));
                nnrt_table_free(&t);
                return file_error(&err);
            }
        }
        if (net->distribution == 1 && fabs(sum - 1) > 1e-9) {
            char v[NNRT_DOUBLE_BUFSIZE];
            nnrt__set_error(&err, file, t.line[r], 0,
                            "the targets of a row must sum to 1 for cross_entropy (one-hot, a class "
                            "index, or probabilities) but sum to %s", nnrt_format_double(v, sum));
            nnrt_table_free(&t);
            return file_error(&err);
        }
    }
    /* Normalized inputs are checked once normalized (check_normalized). */
    for (int r = 0; r < t.rows && net->single; r++) {
        const double *row = d->rows + (size_t)r * width;
        int j = past_range(net, row, net->normalize ? net->ninputs : 0, (int)width);
        if (j >= 0) {
            char msg[200];
            nnrt__set_error(&err, file, t.line[r], 0, "%s", too_large(msg, sizeof msg, net, j, row[j], ""));
            nnrt_table_free(&t);
            return file_error(&err);
        }
    }
    d->n = t.rows;
    d->line = t.line; /* kept for messages; the values are no longer needed */
    t.line = NULL;
    nnrt_table_free(&t);
    return 0;

nomem:
    fprintf(stderr, "%s: error: out of memory\n", progname);
    return 1;
}

static void free_rows(struct dataset *d)
{
    free(d->rows);
    free(d->line);
}

/* The mean and (population) standard deviation of each input over d; a constant input keeps std 1. */
static void compute_norm(const struct nnrt_net *net, const struct dataset *d, struct nnrt_norm *norm)
{
    int ni = net->ninputs, width = ni + net->noutputs;
    for (int i = 0; i < ni; i++) {
        /*
         * The sum of the squares is at most n (2 big)^2 < 2^33 big^2, for
         * n < 2^31 rows: values past 2^480 could overflow it.  They are
         * scaled by a power of two first, which is exact, and the mean and
         * the deviation scaled back.
         */
        double big = 0, scale = 1;
        for (int r = 0; r < d->n; r++)
            big = fmax(big, fabs(d->rows[(size_t)r * (size_t)width + (size_t)i]));
        if (big > 0x1p480)
            scale = 0x1p-600;
        double sum = 0, sq = 0;
        for (int r = 0; r < d->n; r++)
            sum += scale * d->rows[(size_t)r * (size_t)width + (size_t)i];
        double mean = d->n > 0 ? sum / d->n : 0;
        for (int r = 0; r < d->n; r++) {
            double e = scale * d->rows[(size_t)r * (size_t)width + (size_t)i] - mean;
            sq += e * e;
        }
        double sd = d->n > 0 ? sqrt(sq / d->n) : 0;
        norm->mean[i] = mean / scale;
        norm->std[i] = sd > 0 ? sd / scale : 1;
    }
}

/* Normalizes the inputs of n rows of stride values at x. */
static void apply_norm(const struct nnrt_net *net, const struct nnrt_norm *norm, double *x, int n,
                       int stride)
{
    for (int r = 0; r < n; r++)
        for (int i = 0; i < net->ninputs; i++) {
            double *v = &x[(size_t)r * (size_t)stride + (size_t)i];
            *v = (*v - norm->mean[i]) / norm->std[i];
        }
}

/*
 * Inputs once normalized must be numbers the network takes: by the data's
 * own mean and standard deviation they are within sqrt(rows) deviations of
 * the mean, but a loaded normalization may make them too large for a float,
 * or even a double.  Returns 0, or 1 after saying which is.
 */
static int check_normalized(const struct nnrt_net *net, const struct dataset *d, const char *what)
{
    size_t width = (size_t)(net->ninputs + net->noutputs);
    for (int r = 0; r < d->n; r++) {
        const double *row = d->rows + (size_t)r * width;
        int j = past_range(net, row, 0, net->ninputs);
        if (j < 0)
            continue;
        char msg[200];
        too_large(msg, sizeof msg, net, j, row[j], " once normalized");
        struct nnrt_error err;
        if (d->file != NULL)
            nnrt__set_error(&err, d->file, d->line[r], 0, "%s", msg);
        else
            nnrt__set_error(&err, net->spec, 0, 0, "row %d of the spec's %s: %s", r + 1, what, msg);
        return file_error(&err);
    }
    return 0;
}

/* The mean of the per-sample losses over the data. */
static double data_loss(const struct nnrt_net *net, const void *nn, const struct dataset *d)
{
    int cols = net->ninputs + net->noutputs;
    double sum = 0;
    for (int i = 0; i < d->n; i++) {
        const double *row = d->rows + (size_t)i * (size_t)cols;
        sum += net->loss(nn, row, row + net->ninputs);
    }
    return sum / d->n;
}

/* The class of an output vector (or a target vector): see enum nnrt_classify. */
static int class_of(const struct nnrt_net *net, const double *y)
{
    if (net->classify == NNRT_THRESHOLD)
        return y[0] >= 0.5;
    int best = 0;
    for (int k = 1; k < net->noutputs; k++)
        if (y[k] > y[best])
            best = k;
    return best;
}

/* The fraction of the rows of d that the network classifies right. */
static double accuracy(const struct nnrt_net *net, const void *nn, const struct dataset *d, double *y)
{
    int cols = net->ninputs + net->noutputs, right = 0;
    for (int i = 0; i < d->n; i++) {
        const double *row = d->rows + (size_t)i * (size_t)cols;
        net->feedforward(nn, row, y);
        right += class_of(net, y) == class_of(net, row + net->ninputs);
    }
    return (double)right / d->n;
}
/* The first parameter of nn that is not finite, or -1. */
static int bad_param(const struct nnrt_net *net, const void *nn, const void *state)
{
    for (int i = 0; i < net->nparams; i++)
        if (!isfinite(nnrt__param_get(net, nn, i)))
            return i;
    /* The optimizer's state: Adam's mean square of a huge partial may overflow alone. */
    for (int j = 0; j < net->nstate; j++)
        if (!isfinite(net->state_get(state, j)))
            return net->nparams + j;
    return -1;
}

/* What training carries from one epoch (and one run) to the next. */
struct trainer {
    struct nnrt_progress p; /* epochs and updates done, the optimizer's state */
    void *sum;              /* the partials of a batch, summed (a parameter struct) */
    int *order;             /* the order of the samples in this epoch */
    void *nn_start, *state_start; /* copies taken at the start of an epoch */
    FILE *history;          /* --history, being written */
    int progress;           /* show a progress line on standard error (a terminal) */
};

/* Seconds on a clock that only goes forward. */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/*
 * The progress line: epoch, a bar, the last loss reported and the speed,
 * redrawn in place at most ten times a second.  Returns its width.
 */
static int show_progress(long done, long total, double loss, double rate)
{
    char bar[31];
    int filled = (int)(30.0 * (double)done / (double)total);
    for (int i = 0; i < 30; i++)
        bar[i] = i < filled ? '=' : i == filled ? '>' : ' ';
    bar[30] = '\0';
    int n = fprintf(stderr, "\r%s: epoch %ld/%ld [%s]", progname, done, total, bar) - 1;
    if (!isnan(loss))
        n += fprintf(stderr, " loss %.3f", loss);
    n += fprintf(stderr, " %.0f samples/s  ", rate);
    fflush(stderr);
    return n;
}

/*
 * While training and saving, a signal that ends the program (^C, kill, a
 * closed terminal, a closed pipe) first removes the temporary files of
 * --history and --save (nnrt__catch_fatal_signals) and blanks the progress
 * line, so that nothing of the run is left behind.
 */
static volatile sig_atomic_t progress_columns; /* the progress line's width on the screen, or 0 */

static void blank_progress(void)
{
    if (progress_columns > 0) {
        char blank[258];
        int n = progress_columns < 256 ? (int)progress_columns : 256;
        blank[0] = blank[n + 1] = '\r';
        for (int i = 1; i <= n; i++)
            blank[i] = ' ';
        (void)!write(STDERR_FILENO, blank, (size_t)n + 2);
    }
}

/*
 * Blanks the progress line, so that what comes next (a loss line on the
 * same terminal, a message, the shell's prompt) starts on a clean line.
 */
static void clear_progress(void)
{
    if (progress_columns > 0) {
        fprintf(stderr, "\r%*s\r", (int)progress_columns, "");
        fflush(stderr);
        progress_columns = 0;
    }
}

/*
 * The order of the samples in epoch e, counted from 0 over every run that
 * resumed: data order, or with shuffling a Fisher-Yates shuffle of it
 * (for i from n-1 down to 1, swap i with a uniform j in [0, i]) driven by
 * xoshiro256** seeded with seed + (e + 1) * 0x9E3779B97F4A7C15.  Each
 * epoch's order depends on the seed and e alone, so a resumed run visits
 * the samples as an uninterrupted one would.
 */
static void epoch_order(int *order, int n, int shuffle, uint64_t seed, long epoch)
{
    for (int i = 0; i < n; i++)
        order[i] = i;
    if (!shuffle)
        return;
    struct nnrt_rng rng;
    nnrt_rng_seed(&rng, seed + (uint64_t)(epoch + 1) * UINT64_C(0x9E3779B97F4A7C15));
    for (int i = n - 1; i > 0; i--) {
        int j = (int)nnrt_rng_below(&rng, (uint64_t)i + 1);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
}

/* Per-sample plain SGD without weight decay: the tutorial's fused step. */
static int fused_step(const struct nnrt_net *net, const struct options *o, int count)
{
    return net->optimizer == NNRT_SGD && count == 1 && o->h.weight_decay == 0;
}

/*
 * One update, from the samples order[k .. k + count).  A fused step calls
 * train_sample; everything else sums the partials of the batch and hands
 * them to the optimizer.
 */
static void train_batch(const struct nnrt_net *net, void *nn, const struct dataset *d,
                        const struct options *o, struct trainer *t, int k, int count)
{
    size_t cols = (size_t)(net->ninputs + net->noutputs);
    t->p.step++;
    if (fused_step(net, o, count)) {
        const double *row = d->rows + (size_t)t->order[k] * cols;
        net->train_sample(nn, row, row + net->ninputs, o->h.learn_rate);
        return;
    }
    for (int i = 0; i < net->nparams; i++)
        nnrt__param_set(net, t->sum, i, 0);
    for (int j = k; j < k + count; j++) {
        const double *row = d->rows + (size_t)t->order[j] * cols;
        net->backprop(nn, row, row + net->ninputs, t->sum);
    }
    net->update(nn, t->p.state, t->sum, count, &o->h, t->p.step);
}

/*
 * Trains nn on d for o->epochs more epochs.  Parameters are checked once
 * an epoch; when one has gone to NaN or infinity, the epoch is replayed
 * from copies taken at its start, checking after every update, to name
 * the update that did it.
 */
static int train(const struct nnrt_net *net, void *nn, const struct dataset *d,
                 const struct options *o, struct trainer *t, double *y)
{
    int batch = (int)(o->batch < d->n ? o->batch : d->n);
    double start = t->progress ? now() : 0, shown = start, last_loss = NAN;
    for (long e = 0; e < o->epochs; e++) {
        long epoch = t->p.epoch, step = t->p.step;
        memcpy(t->nn_start, nn, net->size);
        if (net->state_size > 0)
            memcpy(t->state_start, t->p.state, net->state_size);
        epoch_order(t->order, d->n, o->shuffle, o->seed, epoch);
        if (fused_step(net, o, batch) && net->train_epoch != NULL) {
            /* train_batch's fused steps, all in one call: the same arithmetic, faster. */
            net->train_epoch(nn, d->rows, o->shuffle ? t->order : NULL, d->n, o->h.learn_rate);
            t->p.step += d->n;
        } else {
            for (int k = 0; k < d->n; k += batch)
                train_batch(net, nn, d, o, t, k, d->n - k < batch ? d->n - k : batch);
        }

        if (bad_param(net, nn, t->p.state) >= 0) {
            memcpy(nn, t->nn_start, net->size);
            if (net->state_size > 0)
                memcpy(t->p.state, t->state_start, net->state_size);
            t->p.step = step;
            int k = 0, count = 0, p = -1;
            for (; k < d->n && p < 0; k += count) {
                count = d->n - k < batch ? d->n - k : batch;
                train_batch(net, nn, d, o, t, k, count);
                p = bad_param(net, nn, t->p.state);
            }
            k -= count;
            char v[NNRT_DOUBLE_BUFSIZE], name[40];
            int first = t->order[k] + 1;
            clear_progress();
            fprintf(stderr, "%s: error: training diverged in epoch %ld at sample %d", progname, epoch, first);
            char shown[NNRT__SHOWN_NAME];
            if (d->file != NULL)
                fprintf(stderr, " (%s:%d)", nnrt__shown_name(shown, d->file), d->line[first - 1]);
            if (count > 1)
                fprintf(stderr, ", the first of a batch of %d", count);
            if (p < 0)
                p = 0;
            if (p < net->nparams)
                fprintf(stderr, ": %s became %s; is the learning rate (%g) too high?\n",
                        nnrt_param_name(net, p, name), nnrt_format_double(v, nnrt__param_get(net, nn, p)),
                        o->h.learn_rate);
            else
                fprintf(stderr, ": the optimizer's %s became %s; a partial is too large for it (are the "
                                "inputs or targets far from 1?)\n",
                        nnrt__state_name(net, p - net->nparams, name),
                        nnrt_format_double(v, net->state_get(t->p.state, p - net->nparams)));
            return 1;
        }
        t->p.epoch++;
        int report = o->every > 0 && epoch % o->every == 0;
        if (report || t->history != NULL) {
            double loss = data_loss(net, nn, d);
            double acc = net->classify != NNRT_NO_CLASSES ? accuracy(net, nn, d, y) : NAN;
            last_loss = loss;
            if (report) {
                clear_progress();
                printf("Epoch %ld loss: %.3f\n", epoch, loss);
                if (!isnan(acc))
                    printf("Epoch %ld accuracy: %.3f\n", epoch, acc);
            }
            if (t->history != NULL) {
                char v[NNRT_DOUBLE_BUFSIZE], a[NNRT_DOUBLE_BUFSIZE];
                fprintf(t->history, "%ld,%s%s%s\n", epoch, nnrt_format_double(v, loss), isnan(acc) ? "" : ",",
                        isnan(acc) ? "" : nnrt_format_double(a, acc));
            }
        }
        if (t->progress && (e + 1 == o->epochs || now() - shown > 0.1)) {
            shown = now();
            fflush(stdout);
            progress_columns = show_progress(e + 1, o->epochs, last_loss,
                                             (double)(e + 1) * d->n / (shown - start + 1e-9));
        }
    }
    clear_progress();
    return 0;
}

/* The mean gradient of the loss over d, into grad (a parameter struct). */
static void mean_grad(const struct nnrt_net *net, const void *nn, const struct dataset *d, void *grad)
{
    int cols = net->ninputs + net->noutputs;
    for (int i = 0; i < net->nparams; i++)
        nnrt__param_set(net, grad, i, 0);
    for (int i = 0; i < d->n; i++) {
        const double *row = d->rows + (size_t)i * (size_t)cols;
        net->backprop(nn, row, row + net->ninputs, grad);
    }
    for (int i = 0; i < net->nparams; i++)
        nnrt__param_set(net, grad, i, nnrt__param_get(net, grad, i) / d->n);
}

/*
 * Compares each partial of the mean gradient with a central difference of
 * the data loss, (L(p + h) - L(p - h)) / 2h with h = 1e-5 max(1, |p|).
 * The error of a partial is |analytic - numeric| / max(|analytic| +
 * |numeric|, 1e-3): relative for partials of a useful size, absolute (to
 * 1e-8) for tiny ones, which finite differences cannot resolve better.
 * Returns 0 when the largest error is within GRADCHECK_THRESHOLD, else 1.
 */
static int gradcheck(const struct nnrt_net *net, void *nn, const struct dataset *d, void *grad)
{
    mean_grad(net, nn, d, grad);
    double worst = -1;
    int at = 0;
    for (int i = 0; i < net->nparams; i++) {
        double p0 = nnrt__param_get(net, nn, i), h = 1e-5 * (fabs(p0) > 1 ? fabs(p0) : 1);
        /* The step as stored: in a float network p0 + h rounds. */
        nnrt__param_set(net, nn, i, p0 + h);
        double up = nnrt__param_get(net, nn, i), lu = data_loss(net, nn, d);
        nnrt__param_set(net, nn, i, p0 - h);
        double down = nnrt__param_get(net, nn, i), ld = data_loss(net, nn, d);
        nnrt__param_set(net, nn, i, p0);
        double numeric = (lu - ld) / (up - down);
        double analytic = nnrt__param_get(net, grad, i);
        double scale = fabs(analytic) + fabs(numeric);
        double err = fabs(analytic - numeric) / (scale > 1e-3 ? scale : 1e-3);
        if (!isnan(worst) && !(err <= worst)) { /* a NaN error is the worst, and stays so */
            worst = err;
            at = i;
        }
    }
    int pass = worst <= GRADCHECK_THRESHOLD;
    char name[32];
    printf("gradcheck: largest relative error %.3g at d_L_d_%s (threshold %g): %s\n", worst,
           nnrt_param_name(net, at, name), GRADCHECK_THRESHOLD, pass ? "ok" : "FAILED");
    return !pass;
}

/*
 * Prints "name: VALUE" (several outputs: "name: V1 V2 ...", no name: the
 * values alone) for the input x, normalized first when norm is not NULL.
 */
static void print_prediction(const struct nnrt_net *net, const void *nn, const struct nnrt_norm *norm,
                             const char *name, const double *x, double *xn, double *y)
{
    char v[NNRT_DOUBLE_BUFSIZE];
    memcpy(xn, x, (size_t)net->ninputs * sizeof *x);
    if (norm != NULL)
        apply_norm(net, norm, xn, 1, net->ninputs);
    net->feedforward(nn, xn, y);
    if (name != NULL)
        printf("%s:", name);
    for (int k = 0; k < net->noutputs; k++)
        printf("%s%s", k == 0 && name == NULL ? "" : " ", nnrt_format_double(v, y[k]));
    printf("\n");
}

/* The name of neuron j of layer l, as nnc names it: h1, h1_2 (several hidden layers), o1. */
static const char *neuron_name(const struct nnrt_net *net, int l, int j, char buf[32])
{
    if (l == net->nlayers - 1)
        snprintf(buf, 32, "o%d", j + 1);
    else if (net->nlayers == 2)
        snprintf(buf, 32, "h%d", j + 1);
    else
        snprintf(buf, 32, "h%d_%d", l + 1, j + 1);
    return buf;
}

/*
 * Prints the network as a Graphviz diagram, left to right, with its
 * current weights: an edge's width grows with the weight's size, and its
 * colour is blue for a positive weight and red for a negative one.
 */
static void print_dot(const struct nnrt_net *net, const void *nn)
{
    double max = 0;
    for (int i = 0; i < net->nweights; i++)
        if (fabs(nnrt__param_get(net, nn, i)) > max)
            max = fabs(nnrt__param_get(net, nn, i));
    int labels = net->nweights <= 200;
    char a[32], b[32], v[NNRT_DOUBLE_BUFSIZE];
    printf("digraph %s {\n    rankdir=LR;\n    node [shape=circle];\n", net->name);
    if (!labels)
        printf("    // %d weights: edges are not labelled\n", net->nweights);
    printf("    subgraph cluster_inputs {\n        label=\"inputs\";\n");
    for (int i = 0; i < net->ninputs; i++)
        printf("        x%d [label=\"%s\"];\n", i + 1,
               net->input_name ? net->input_name[i] : (snprintf(a, sizeof a, "x%d", i + 1), a));
    printf("    }\n");
    int w = 0, bias = net->nweights, fan_in = net->ninputs;
    for (int l = 0; l < net->nlayers; l++) {
        printf("    subgraph cluster_layer%d {\n        label=\"%s\";\n", l + 1,
               l == net->nlayers - 1 ? "output" : "hidden");
        for (int j = 0; j < net->layer_size[l]; j++)
            printf("        %s [label=\"%s\\nb = %.3g\"];\n", neuron_name(net, l, j, a), a,
                   nnrt__param_get(net, nn, bias + j));
        printf("    }\n");
        for (int j = 0; j < net->layer_size[l]; j++) {
            for (int i = 0; i < fan_in; i++, w++) {
                double x = nnrt__param_get(net, nn, w);
                if (l == 0)
                    snprintf(b, sizeof b, "x%d", i + 1);
                else
                    neuron_name(net, l - 1, i, b);
                printf("    %s -> %s [penwidth=%.2f, color=\"%s\"", b, neuron_name(net, l, j, a),
                       0.3 + 3.7 * (max > 0 ? fabs(x) / max : 0), x >= 0 ? "#1f77b4" : "#d62728");
                if (labels)
                    printf(", label=\"w%d = %s\"", w + 1, nnrt_format_double(v, x));
                printf("];\n");
            }
        }
        bias += net->layer_size[l];
        fan_in = net->layer_size[l];
    }
    printf("}\n");
}

int nnrt_main(const struct nnrt_net *net, int argc, char **argv)
{
    if (argc > 0 && argv[0] != NULL)
        progname = argv[0];
    /* Past a file size limit (ulimit -f), a write fails (EFBIG) and is reported, as any other. */
    signal(SIGXFSZ, SIG_IGN);

    struct options o = {0};
    o.epochs = net->epochs;
    o.h = net->hyper;
    o.batch = net->batch;
    o.shuffle = net->shuffle;
    o.seed = net->seed;
    o.every = 10;
    int status = parse_options(&o, net, argc, argv);

    struct dataset train_set = {0}, test_set = {0};
    struct nnrt_norm norm = {0};
    struct trainer t = {{0, 0, NULL}, NULL, NULL, NULL, NULL, NULL, 0};
    struct nnrt__output history = {NULL, NULL, NULL};
    void *nn = NULL;
    double *y = NULL, *xn = NULL;
    struct nnrt_error err;
    if (status >= 0)
        goto done;
    if (o.gradcheck && net->single) {
        /*
         * float's rounding of the loss (1e-7 of it) swamps a difference
         * taken over a step small enough for the derivative: errors of 0.1
         * for a correct gradient.  A step large enough to rise above it
         * crosses a relu's kink.  No threshold would mean anything.
         */
        fprintf(stderr, "%s: error: --gradcheck needs a network in double precision: float's "
                        "rounding swamps the finite differences (build the spec with nnc "
                        "--precision double to check its gradient)\n", progname);
        status = 2;
        goto done;
    }

    status = load_rows(&train_set, net, o.data, net->ndata, net->data);
    if (status == 0)
        status = load_rows(&test_set, net, o.test, o.test ? 0 : net->ntest, net->test);
    if (status != 0)
        goto done;
    if (train_set.n == 0 && (o.epochs > 0 || o.eval || o.grad || o.gradcheck)) {
        fprintf(stderr, "%s: error: no data to %s: the spec has none; give --data FILE.csv%s\n",
                progname, o.epochs > 0 ? "train on" : "evaluate",
                o.epochs > 0 ? " or --epochs 0" : "");
        status = 1;
        goto done;
    }

    /* Everything training needs, allocated before it starts. */
    size_t ni = (size_t)net->ninputs, ss = net->state_size > 0 ? net->state_size : 1;
    nn = malloc(net->size);
    t.sum = malloc(net->size);
    t.nn_start = malloc(net->size);
    t.p.state = calloc(1, ss);
    t.state_start = malloc(ss);
    t.order = malloc((size_t)(train_set.n > 0 ? train_set.n : 1) * sizeof *t.order);
    y = malloc((size_t)net->noutputs * sizeof *y);
    xn = malloc(ni * sizeof *xn);
    if (net->normalize) {
        norm.mean = malloc(ni * sizeof *norm.mean);
        norm.std = malloc(ni * sizeof *norm.std);
    }
    if (nn == NULL || t.sum == NULL || t.nn_start == NULL || t.p.state == NULL ||
        t.state_start == NULL || t.order == NULL || y == NULL || xn == NULL ||
        (net->normalize && (norm.mean == NULL || norm.std == NULL))) {
        fprintf(stderr, "%s: error: out of memory\n", progname);
        status = 1;
        goto done;
    }
    for (int j = 0; j < net->nstate; j++)
        net->state_set(t.p.state, j, 0);
    struct nnrt_norm *np = net->normalize ? &norm : NULL;
    /* The spec's predictions are printed when nothing else is asked for. */
    int spec_predict = o.npredict == 0 && !o.eval && !o.grad && !o.gradcheck && !o.dot;

    /* Starting parameters and normalization: loaded, or drawn and computed. */
    nnrt_init_params(net, nn, o.seed);
    if (o.load != NULL) {
        if (nnrt_params_load(net, nn, np, &t.p, o.load, &err) != 0) {
            status = file_error(&err);
            goto done;
        }
    } else if (np != NULL) {
        if (train_set.n == 0) {
            fprintf(stderr, "%s: error: the network normalizes its inputs, but there is no data to "
                            "normalize by: give --data FILE.csv or --load FILE\n", progname);
            status = 1;
            goto done;
        }
        compute_norm(net, &train_set, np);
    }
    if (np != NULL) {
        int width = net->ninputs + net->noutputs;
        apply_norm(net, np, train_set.rows, train_set.n, width);
        apply_norm(net, np, test_set.rows, test_set.n, width);
        status = check_normalized(net, &train_set, "data");
        if (status == 0)
            status = check_normalized(net, &test_set, "test rows");
        /* The predictions, once normalized, too. */
        int npredict = o.npredict > 0 ? o.npredict : spec_predict ? net->npredict : 0;
        for (int i = 0; i < npredict && status == 0; i++) {
            memcpy(xn, o.npredict > 0 ? o.predict + (size_t)i * ni : net->predict_x + (size_t)i * ni,
                   ni * sizeof *xn);
            apply_norm(net, np, xn, 1, net->ninputs);
            int j = past_range(net, xn, 0, net->ninputs);
            if (j < 0)
                continue;
            char msg[200];
            too_large(msg, sizeof msg, net, j, xn[j], " once normalized");
            if (o.npredict > 0) {
                status = usage_error("--predict: %s", msg);
            } else {
                fprintf(stderr, "%s: error: prediction '%s': %s\n", progname, net->predict_name[i], msg);
                status = 1;
            }
        }
        if (status != 0)
            goto done;
    }

    /* The counts of epochs and updates, loaded, must not pass a long's range (what --load reads). */
    long batch = o.batch < train_set.n ? o.batch : train_set.n;
    long updates = batch > 0 ? (train_set.n + batch - 1) / batch : 0; /* an epoch's */
    if (o.epochs > LONG_MAX - t.p.epoch || (updates > 0 && o.epochs > (LONG_MAX - t.p.step) / updates)) {
        fprintf(stderr, "%s: error: %ld more epoch%s would count past %ld %s, the most that a parameter "
                        "file records\n", progname, o.epochs, o.epochs == 1 ? "" : "s", LONG_MAX,
                o.epochs > LONG_MAX - t.p.epoch ? "epochs" : "updates");
        status = 1;
        goto done;
    }
    nnrt__catch_fatal_signals(1, blank_progress); /* until --save is written */
    if (o.history != NULL) {
        if (nnrt__output_open(&history, o.history, &err) != 0) {
            status = file_error(&err);
            goto done;
        }
        t.history = history.f;
        fprintf(t.history, "epoch,loss%s\n", net->classify != NNRT_NO_CLASSES ? ",accuracy" : "");
    }
    t.progress = isatty(STDERR_FILENO) && getenv("NNRT_NO_PROGRESS") == NULL;
    status = train(net, nn, &train_set, &o, &t, y);
    if (status != 0)
        goto done;
    if (t.history != NULL) {
        t.history = NULL;
        if (nnrt__output_commit(&history, o.history, &err) != 0) {
            status = file_error(&err);
            goto done;
        }
    }

    if (o.save != NULL && nnrt_params_save(net, nn, np, &t.p, o.save, &err) != 0) {
        status = file_error(&err);
        goto done;
    }
    nnrt__catch_fatal_signals(0, NULL);
    char v[NNRT_DOUBLE_BUFSIZE], name[32];
    if (o.eval) {
        printf("loss: %s\n", nnrt_format_double(v, data_loss(net, nn, &train_set)));
        if (net->classify != NNRT_NO_CLASSES)
            printf("accuracy: %s\n", nnrt_format_double(v, accuracy(net, nn, &train_set, y)));
    }
    if (o.grad) {
        mean_grad(net, nn, &train_set, t.sum);
        for (int i = 0; i < net->nparams; i++)
            printf("d_L_d_%s %s\n", nnrt_param_name(net, i, name), nnrt_format_double(v, nnrt__param_get(net, t.sum, i)));
    }
    if (o.gradcheck)
        status = gradcheck(net, nn, &train_set, t.sum);
    if (o.dot)
        print_dot(net, nn);
    for (int i = 0; i < o.npredict; i++)
        print_prediction(net, nn, np, NULL, o.predict + (size_t)i * ni, xn, y);
    if (spec_predict)
        for (int i = 0; i < net->npredict; i++)
            print_prediction(net, nn, np, net->predict_name[i], net->predict_x + (size_t)i * ni, xn, y);
    if (test_set.n > 0) {
        printf("test loss: %s\n", nnrt_format_double(v, data_loss(net, nn, &test_set)));
        if (net->classify != NNRT_NO_CLASSES)
            printf("test accuracy: %s\n", nnrt_format_double(v, accuracy(net, nn, &test_set, y)));
    }

done:
    nnrt__catch_fatal_signals(0, NULL);
    nnrt__output_abort(&history);
    if ((fflush(stdout) != 0 || ferror(stdout)) && status == 0) {
        fprintf(stderr, "%s: error: cannot write the output: %s\n", progname, strerror(errno));
        status = 1;
    }
    free(xn);
    free(y);
    free(t.order);
    free(t.state_start);
    free(t.p.state);
    free(t.nn_start);
    free(t.sum);
    free(nn);
    free(norm.mean);
    free(norm.std);
    free(o.predict);
    free_rows(&train_set);
    free_rows(&test_set);
    return status;
}
