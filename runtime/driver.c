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
 *   2. train, printing the loss lines;
 *   3. save the parameters (--save);
 *   4. print the loss (--eval), the gradient (--grad), then predictions.
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
    const char *data, *load, *save;
    int eval, grad;
    int npredict;
    double *predict; /* npredict rows of ninputs */
};

/* The data a run trains on: n rows of ninputs inputs, then noutputs targets. */
struct dataset {
    const char *file; /* NULL for the spec's embedded data */
    int n;
    const double *rows;
    struct nnrt_table table;
};

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
            "  --load FILE        start from the parameters in FILE\n"
            "  --save FILE        write the parameters to FILE after training\n"
            "  --predict X1,X2,.. print the output for this input (%d values; may repeat)\n"
            "  --eval             print 'loss: VALUE', the loss over the data after training\n"
            "  --grad             print 'd_L_d_<param> VALUE', the gradient over the data\n"
            "  --help             print this help and exit\n"
            "  --version          print the runtime's version and exit\n",
            progname, net->name, net->spec, net->epochs, net->learn_rate,
            (unsigned long long)net->seed, net->ninputs);
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
            "--epochs", "--learn-rate", "--seed", "--every", "--data",
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

/* Reads --data into d, or points d at the spec's data.  Returns 0 or an exit status. */
static int load_data(struct dataset *d, const struct nnrt_net *net, const char *file)
{
    int cols = net->ninputs + net->noutputs;
    struct nnrt_error err;

    if (file == NULL) {
        d->file = NULL;
        d->n = net->ndata;
        d->rows = net->data;
        return 0;
    }
    if (nnrt_csv_read(file, 0, &d->table, &err) != 0)
        return file_error(&err);
    if (d->table.cols != cols) {
        nnrt__set_error(&err, file, d->table.line[0], 0,
                        "expected %d values (%d inputs, %d targets) but found %d",
                        cols, net->ninputs, net->noutputs, d->table.cols);
        nnrt_table_free(&d->table);
        return file_error(&err);
    }
    d->file = file;
    d->n = d->table.rows;
    d->rows = d->table.v;
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
                 const struct options *o)
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
            if (d->file != NULL && d->table.line != NULL)
                fprintf(stderr, " (%s:%d)", d->file, d->table.line[i - 1]);
            fprintf(stderr, ": %s became %s; is the learning rate (%g) too high?\n",
                    net->param_name[p < 0 ? 0 : p],
                    nnrt_format_double(v, nnrt__param_get(net, nn, p < 0 ? 0 : p)), o->learn_rate);
            free(start);
            return 1;
        }
        if (o->every > 0 && epoch % o->every == 0)
            printf("Epoch %ld loss: %.3f\n", epoch, data_loss(net, nn, d));
    }
    free(start);
    return 0;
}

/* Prints the mean gradient of the loss over d, one `d_L_d_<param> VALUE` line each. */
static int print_grad(const struct nnrt_net *net, const void *nn, const struct dataset *d)
{
    int cols = net->ninputs + net->noutputs;
    void *sum = calloc(1, net->size);
    if (sum == NULL) {
        fprintf(stderr, "%s: error: out of memory\n", progname);
        return 1;
    }
    for (int i = 0; i < net->nparams; i++)
        *nnrt__param(net, sum, i) = 0;
    for (int i = 0; i < d->n; i++) {
        const double *row = d->rows + (size_t)i * (size_t)cols;
        net->backprop(nn, row, row + net->ninputs, sum);
    }
    for (int i = 0; i < net->nparams; i++) {
        char v[NNRT_DOUBLE_BUFSIZE];
        printf("d_L_d_%s %s\n", net->param_name[i],
               nnrt_format_double(v, nnrt__param_get(net, sum, i) / d->n));
    }
    free(sum);
    return 0;
}

/* Prints "name: VALUE" (several outputs: "name: V1 V2 ...") for the input x. */
static void print_prediction(const struct nnrt_net *net, const void *nn, const char *name,
                             const double *x, double *y)
{
    char v[NNRT_DOUBLE_BUFSIZE];
    net->feedforward(nn, x, y);
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

    struct dataset d = {0};
    void *nn = NULL;
    double *y = NULL;
    struct nnrt_error err;
    if (status >= 0)
        goto done;

    status = load_data(&d, net, o.data);
    if (status != 0)
        goto done;
    if (d.n == 0 && (o.epochs > 0 || o.eval || o.grad)) {
        fprintf(stderr, "%s: error: no data to %s: the spec has none; give --data FILE.csv%s\n",
                progname, o.epochs > 0 ? "train on" : "evaluate",
                o.epochs > 0 ? " or --epochs 0" : "");
        status = 1;
        goto done;
    }

    nn = malloc(net->size);
    y = malloc((size_t)net->noutputs * sizeof *y);
    if (nn == NULL || y == NULL) {
        fprintf(stderr, "%s: error: out of memory\n", progname);
        status = 1;
        goto done;
    }
    nnrt_init_params(net, nn, o.seed);
    if (o.load != NULL && nnrt_params_load(net, nn, o.load, &err) != 0) {
        status = file_error(&err);
        goto done;
    }

    status = train(net, nn, &d, &o);
    if (status != 0)
        goto done;

    if (o.save != NULL && nnrt_params_save(net, nn, o.save, &err) != 0) {
        status = file_error(&err);
        goto done;
    }
    if (o.eval) {
        char v[NNRT_DOUBLE_BUFSIZE];
        printf("loss: %s\n", nnrt_format_double(v, data_loss(net, nn, &d)));
    }
    if (o.grad && (status = print_grad(net, nn, &d)) != 0)
        goto done;
    for (int i = 0; i < o.npredict; i++)
        print_prediction(net, nn, NULL, o.predict + (size_t)i * (size_t)net->ninputs, y);
    if (o.npredict == 0 && !o.eval && !o.grad)
        for (int i = 0; i < net->npredict; i++)
            print_prediction(net, nn, net->predict_name[i],
                             net->predict_x + (size_t)i * (size_t)net->ninputs, y);

done:
    if (fflush(stdout) != 0 && status == 0) {
        fprintf(stderr, "%s: error: cannot write the output: %s\n", progname, strerror(errno));
        status = 1;
    }
    free(y);
    free(nn);
    free(o.predict);
    nnrt_table_free(&d.table);
    return status;
}
