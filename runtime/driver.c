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
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nnrt_impl.h"

struct options {
    long epochs;
    double learn_rate;
    uint64_t seed;
    long every;
    const char *data, *test, *load, *save;
    int eval, grad, gradcheck;
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

static const char *progname = "nnrt";

static void usage(FILE *f, const struct nnrt_net *net)
{
    fprintf(f,
            "usage: %s [options]\n"
            "Trains the network '%s' (compiled by nnc from %s) and makes predictions.\n"
            "\n"
            "Options:\n"
            "  --epochs N         train for N epochs (spec: %ld; 0 skips training)\n"
            "  --learn-rate X     the SGD learning rate (spec: %g)\n"
            "  --seed N           seed for the initial parameters (spec: %llu)\n"
            "  --every N          print the loss line every N epochs (default 10; 0: never)\n"
            "  --data FILE.csv    train on FILE.csv instead of the spec's data\n"
            "  --test FILE.csv    report the loss (and accuracy) on FILE.csv after training\n"
            "  --load FILE        start from the parameters in FILE\n"
            "  --save FILE        write the parameters to FILE after training\n"
            "  --predict X1,X2,.. print the output for this input (%d values; may repeat)\n"
            "  --eval             print 'loss: VALUE', the loss over the data after training\n"
            "  --grad             print 'd_L_d_<param> VALUE', the gradient over the data\n"
            "  --gradcheck        compare --grad with finite differences; fail past %g\n"
            "  --help             print this help and exit\n"
            "  --version          print the runtime's version and exit\n",
            progname, net->name, net->spec, net->epochs, net->learn_rate,
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
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end != '\0' || errno == ERANGE || v < min)
        return -1;
    *out = v;
    return 0;
}

static int parse_u64(const char *s, uint64_t *out)
{
    char *end;
    if (*s == '-' || *s == '+' || *s == ' ')
        return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s || *end != '\0' || errno == ERANGE)
        return -1;
    *out = (uint64_t)v;
    return 0;
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
    if (status == 0)
        o->npredict++;
    return status;
}

/*
 * Reads argv into o.  Returns -1 to go on, or an exit status: 0 after
 * --help or --version, 2 after a mistake.
 */
static int parse_options(struct options *o, const struct nnrt_net *net, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *opt = argv[i];
        const char *val = NULL;
        char name[32];

        if (strcmp(opt, "--help") == 0 || strcmp(opt, "-h") == 0) {
            usage(stdout, net);
            return 0;
        }
        if (strcmp(opt, "--version") == 0) {
            printf("%s (nnrt %s)\n", net->name, NNRT_VERSION);
            return 0;
        }
        if (strcmp(opt, "--eval") == 0) {
            o->eval = 1;
            continue;
        }
        if (strcmp(opt, "--grad") == 0) {
            o->grad = 1;
            continue;
        }
        if (strcmp(opt, "--gradcheck") == 0) {
            o->gradcheck = 1;
            continue;
        }
        if (strncmp(opt, "--", 2) != 0)
            return usage_error("unexpected argument '%s'", opt);

        /* The rest take a value: "--name value" or "--name=value". */
        const char *eq = strchr(opt, '=');
        size_t nlen = eq ? (size_t)(eq - opt) : strlen(opt);
        if (nlen >= sizeof name)
            return usage_error("unknown option '%s'", opt);
        memcpy(name, opt, nlen);
        name[nlen] = '\0';
        static const char *const with_value[] = {
            "--epochs", "--learn-rate", "--seed", "--every", "--data", "--test",
            "--load", "--save", "--predict", NULL,
        };
        int known = 0;
        for (int k = 0; with_value[k]; k++)
            known |= strcmp(name, with_value[k]) == 0;
        if (!known)
            return usage_error("unknown option '%s'", name);
        if (eq != NULL)
            val = eq + 1;
        else if (i + 1 < argc)
            val = argv[++i];
        else
            return usage_error("option '%s' needs a value", name);

        if (strcmp(name, "--epochs") == 0) {
            if (parse_long(val, 0, &o->epochs) != 0)
                return usage_error("--epochs: expected a whole number >= 0 but found '%s'", val);
        } else if (strcmp(name, "--every") == 0) {
            if (parse_long(val, 0, &o->every) != 0)
                return usage_error("--every: expected a whole number >= 0 but found '%s'", val);
        } else if (strcmp(name, "--seed") == 0) {
            if (parse_u64(val, &o->seed) != 0)
                return usage_error("--seed: expected a whole number >= 0 but found '%s'", val);
        } else if (strcmp(name, "--learn-rate") == 0) {
            if (nnrt_parse_double(val, &o->learn_rate) != 0 || o->learn_rate <= 0)
                return usage_error("--learn-rate: expected a finite number > 0 but found '%s'", val);
        } else if (strcmp(name, "--data") == 0) {
            o->data = val;
        } else if (strcmp(name, "--test") == 0) {
            o->test = val;
        } else if (strcmp(name, "--load") == 0) {
            o->load = val;
        } else if (strcmp(name, "--save") == 0) {
            o->save = val;
        } else {
            int status = add_predict(o, net, val);
            if (status != 0)
                return status;
        }
    }
    return -1;
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
        double sum = 0, sq = 0;
        for (int r = 0; r < d->n; r++)
            sum += d->rows[(size_t)r * (size_t)width + (size_t)i];
        double mean = d->n > 0 ? sum / d->n : 0;
        for (int r = 0; r < d->n; r++) {
            double e = d->rows[(size_t)r * (size_t)width + (size_t)i] - mean;
            sq += e * e;
        }
        double sd = d->n > 0 ? sqrt(sq / d->n) : 0;
        norm->mean[i] = mean;
        norm->std[i] = sd > 0 ? sd : 1;
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
static int bad_param(const struct nnrt_net *net, const void *nn)
{
    for (int i = 0; i < net->nparams; i++)
        if (!isfinite(nnrt__param_get(net, nn, i)))
            return i;
    return -1;
}

/*
 * Trains nn on d.  Parameters are checked once an epoch; when one has gone
 * to NaN or infinity, the epoch is replayed from a copy taken at its start,
 * checking after every sample, to name the sample that did it.
 */
static int train(const struct nnrt_net *net, void *nn, const struct dataset *d,
                 const struct options *o, double *y)
{
    int cols = net->ninputs + net->noutputs;
    void *start = malloc(net->size);
    if (start == NULL) {
        fprintf(stderr, "%s: error: out of memory\n", progname);
        return 1;
    }
    for (long epoch = 0; epoch < o->epochs; epoch++) {
        memcpy(start, nn, net->size);
        for (int i = 0; i < d->n; i++) {
            const double *row = d->rows + (size_t)i * (size_t)cols;
            net->train_sample(nn, row, row + net->ninputs, o->learn_rate);
        }
        if (bad_param(net, nn) >= 0) {
            memcpy(nn, start, net->size);
            int i = 0, p = -1;
            for (; i < d->n && p < 0; i++) {
                const double *row = d->rows + (size_t)i * (size_t)cols;
                net->train_sample(nn, row, row + net->ninputs, o->learn_rate);
                p = bad_param(net, nn);
            }
            char v[NNRT_DOUBLE_BUFSIZE];
            fprintf(stderr, "%s: error: training diverged in epoch %ld at sample %d", progname, epoch, i);
            if (d->file != NULL)
                fprintf(stderr, " (%s:%d)", d->file, d->line[i - 1]);
            fprintf(stderr, ": %s became %s; is the learning rate (%g) too high?\n",
                    net->param_name[p < 0 ? 0 : p],
                    nnrt_format_double(v, nnrt__param_get(net, nn, p < 0 ? 0 : p)), o->learn_rate);
            free(start);
            return 1;
        }
        if (o->every > 0 && epoch % o->every == 0) {
            printf("Epoch %ld loss: %.3f\n", epoch, data_loss(net, nn, d));
            if (net->classify != NNRT_NO_CLASSES)
                printf("Epoch %ld accuracy: %.3f\n", epoch, accuracy(net, nn, d, y));
        }
    }
    free(start);
    return 0;
}

/* The mean gradient of the loss over d, into grad (a parameter struct). */
static void mean_grad(const struct nnrt_net *net, const void *nn, const struct dataset *d, void *grad)
{
    int cols = net->ninputs + net->noutputs;
    for (int i = 0; i < net->nparams; i++)
        *nnrt__param(net, grad, i) = 0;
    for (int i = 0; i < d->n; i++) {
        const double *row = d->rows + (size_t)i * (size_t)cols;
        net->backprop(nn, row, row + net->ninputs, grad);
    }
    for (int i = 0; i < net->nparams; i++)
        *nnrt__param(net, grad, i) /= d->n;
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
        double *p = nnrt__param(net, nn, i);
        double p0 = *p, h = 1e-5 * (fabs(p0) > 1 ? fabs(p0) : 1);
        double up = p0 + h, down = p0 - h;
        *p = up;
        double lu = data_loss(net, nn, d);
        *p = down;
        double ld = data_loss(net, nn, d);
        *p = p0;
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
    printf("gradcheck: largest relative error %.3g at d_L_d_%s (threshold %g): %s\n", worst,
           net->param_name[at], GRADCHECK_THRESHOLD, pass ? "ok" : "FAILED");
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

int nnrt_main(const struct nnrt_net *net, int argc, char **argv)
{
    if (argc > 0 && argv[0] != NULL)
        progname = argv[0];

    struct options o = {0};
    o.epochs = net->epochs;
    o.learn_rate = net->learn_rate;
    o.seed = net->seed;
    o.every = 10;
    int status = parse_options(&o, net, argc, argv);

    struct dataset train_set = {0}, test_set = {0};
    struct nnrt_norm norm = {0};
    void *nn = NULL, *grad = NULL;
    double *y = NULL, *xn = NULL;
    struct nnrt_error err;
    if (status >= 0)
        goto done;

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

    size_t ni = (size_t)net->ninputs;
    nn = malloc(net->size);
    grad = malloc(net->size);
    y = malloc((size_t)net->noutputs * sizeof *y);
    xn = malloc(ni * sizeof *xn);
    if (net->normalize) {
        norm.mean = malloc(ni * sizeof *norm.mean);
        norm.std = malloc(ni * sizeof *norm.std);
    }
    if (nn == NULL || grad == NULL || y == NULL || xn == NULL ||
        (net->normalize && (norm.mean == NULL || norm.std == NULL))) {
        fprintf(stderr, "%s: error: out of memory\n", progname);
        status = 1;
        goto done;
    }
    struct nnrt_norm *np = net->normalize ? &norm : NULL;

    /* Starting parameters, and the normalization: loaded, or drawn and computed. */
    nnrt_init_params(net, nn, o.seed);
    if (o.load != NULL) {
        if (nnrt_params_load(net, nn, np, o.load, &err) != 0) {
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
    }

    status = train(net, nn, &train_set, &o, y);
    if (status != 0)
        goto done;

    if (o.save != NULL && nnrt_params_save(net, nn, np, o.save, &err) != 0) {
        status = file_error(&err);
        goto done;
    }
    char v[NNRT_DOUBLE_BUFSIZE];
    if (o.eval) {
        printf("loss: %s\n", nnrt_format_double(v, data_loss(net, nn, &train_set)));
        if (net->classify != NNRT_NO_CLASSES)
            printf("accuracy: %s\n", nnrt_format_double(v, accuracy(net, nn, &train_set, y)));
    }
    if (o.grad) {
        mean_grad(net, nn, &train_set, grad);
        for (int i = 0; i < net->nparams; i++)
            printf("d_L_d_%s %s\n", net->param_name[i], nnrt_format_double(v, nnrt__param_get(net, grad, i)));
    }
    if (o.gradcheck)
        status = gradcheck(net, nn, &train_set, grad);
    for (int i = 0; i < o.npredict; i++)
        print_prediction(net, nn, np, NULL, o.predict + (size_t)i * ni, xn, y);
    if (o.npredict == 0 && !o.eval && !o.grad && !o.gradcheck)
        for (int i = 0; i < net->npredict; i++)
            print_prediction(net, nn, np, net->predict_name[i], net->predict_x + (size_t)i * ni, xn, y);
    if (test_set.n > 0) {
        printf("test loss: %s\n", nnrt_format_double(v, data_loss(net, nn, &test_set)));
        if (net->classify != NNRT_NO_CLASSES)
            printf("test accuracy: %s\n", nnrt_format_double(v, accuracy(net, nn, &test_set, y)));
    }

done:
    if (fflush(stdout) != 0 && status == 0) {
        fprintf(stderr, "%s: error: cannot write the output: %s\n", progname, strerror(errno));
        status = 1;
    }
    free(xn);
    free(y);
    free(grad);
    free(nn);
    free(norm.mean);
    free(norm.std);
    free(o.predict);
    free_rows(&train_set);
    free_rows(&test_set);
    return status;
}
