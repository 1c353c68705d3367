/*
 * options.c: the command line of a generated program.
 *
 * Every option starts from the spec's value (the struct nnrt_net that nnc
 * wrote) and may change it for this run: the training settings, the files
 * to read and write, and what to print at the end.  A mistake is a message
 * with a hint and exit status 2, before anything is read or written; so is
 * an output that names an input, which would lose it.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "nnrt_impl.h"

const char *nnrt__progname = "nnrt";

/* Indexed by enum nnrt_schedule_kind. */
static const char *const schedule_names[] = {"none", "step", "exponential", "cosine"};

static void usage(FILE *f, const struct nnrt_net *net)
{
    const struct nnrt_hyper *h = &net->hyper;
    /* The spec's path is any bytes: shown as elsewhere, '?' for those a terminal would act on. */
    char spec[NNRT__SHOWN_NAME];
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
            nnrt__progname, net->name, nnrt__shown_name(spec, net->spec), net->epochs, h->learn_rate, net->batch,
            net->shuffle ? "on" : "off", h->weight_decay, nnrt__opt_names[net->optimizer]);
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
            "  --validate F       hold out a fraction F of the rows to validate on (%g; 0: none)\n"
            "  --early-stop N     stop after N epochs without a better validation loss (%ld; 0: never)\n"
            "  --schedule S       the learning rate's schedule: 'step EVERY GAMMA', 'exponential\n"
            "                     GAMMA', 'cosine T_MAX [ETA_MIN]' or 'none' (%s)\n"
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
            "  --predict-file IN.csv\n"
            "                     print the outputs (and class) of every row of IN.csv as CSV\n"
            "  --output OUT.csv   write --predict-file's CSV to OUT.csv instead\n"
            "  --eval             print 'loss: VALUE', the loss over the data after training\n"
            "  --grad             print 'd_L_d_<param> VALUE', the gradient over the data\n"
            "  --gradcheck        compare --grad with finite differences; fail past %g\n"
            "                     (double precision only)\n"
            "  --dot              print the network with its weights as a Graphviz diagram\n"
            "  -h, --help         print this help and exit\n"
            "  --version          print the program's name and the runtime's version, and exit\n",
            (unsigned long long)net->seed, net->validate, net->early_stop,
            schedule_names[net->schedule.kind], net->ninputs,
            NNRT__GRADCHECK_THRESHOLD);
}


/* A mistake on the command line: a message, a hint, exit status 2. */
int nnrt__usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "%s: error: ", nnrt__progname);
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry '%s --help' for more information.\n", nnrt__progname);
    return 2;
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

/* Reads "X1,X2,..." into the next row of o->predict. */
static int add_predict(struct nnrt__options *o, const struct nnrt_net *net, const char *arg)
{
    double *rows = realloc(o->predict, (size_t)(o->npredict + 1) * (size_t)net->ninputs * sizeof *rows);
    if (rows == NULL) {
        fprintf(stderr, "%s: error: out of memory\n", nnrt__progname);
        return 1;
    }
    o->predict = rows;
    double *x = rows + (size_t)o->npredict * (size_t)net->ninputs;

    size_t len = strlen(arg);
    char *copy = malloc(len + 1);
    if (copy == NULL) {
        fprintf(stderr, "%s: error: out of memory\n", nnrt__progname);
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
            status = nnrt__usage_error("--predict: expected a finite number but found '%s'", f);
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
                nnrt__progname, net->ninputs, n, nnrt__progname);
        status = 2;
    }
    /* Normalized inputs are checked once normalized. */
    int j = status == 0 && !net->normalize ? nnrt__row_past_range(net, x, 0, n) : -1;
    if (j >= 0) {
        char msg[200];
        status = nnrt__usage_error("--predict: %s", nnrt__row_too_large(msg, sizeof msg, net, j, x[j], ""));
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
    {"--history", -1}, {"--validate", -1}, {"--early-stop", -1}, {"--schedule", -1},
    {"--predict-file", -1}, {"--output", -1},
};

/*
 * An unknown option, with the one it likely means: an option's name as
 * other programs spell it (--lr), or a near miss (--epoch).  Returns 2.
 */
static int unknown_option(const char *name)
{
    static const struct {
        const char *theirs, *ours;
    } aliases[] = {
        {"--lr", "--learn-rate"}, {"--learning-rate", "--learn-rate"}, {"--rate", "--learn-rate"},
        {"--eta", "--learn-rate"}, {"--batch-size", "--batch"}, {"--num-epochs", "--epochs"},
        {"--n-epochs", "--epochs"}, {"--l2", "--weight-decay"}, {"--decay", "--weight-decay"},
        {"--random-seed", "--seed"}, {"--train", "--data"}, {"--evaluate", "--eval"},
    };
    const char *words[sizeof with_value / sizeof *with_value + 9];
    size_t n = 0;
    for (size_t k = 0; k < sizeof with_value / sizeof *with_value; k++)
        words[n++] = with_value[k].name;
    static const char *const flags[] = {"--eval", "--grad", "--gradcheck", "--shuffle", "--no-shuffle",
                                        "--dot", "--help", "--version"};
    for (size_t k = 0; k < sizeof flags / sizeof *flags; k++)
        words[n++] = flags[k];
    words[n] = NULL;
    const char *near = NULL;
    for (size_t k = 0; k < sizeof aliases / sizeof *aliases && near == NULL; k++)
        if (strcmp(name, aliases[k].theirs) == 0)
            near = aliases[k].ours;
    if (near == NULL)
        near = nnrt__near_miss(name, words);
    char shown[NNRT__SHOWN_NAME];
    fprintf(stderr, "%s: error: unknown option '%s'%s%s%s\nTry '%s --help' for more information.\n",
            nnrt__progname, nnrt__shown_name(shown, name), near ? "; did you mean '" : "", near ? near : "",
            near ? "'?" : "", nnrt__progname);
    return 2;
}

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
    fprintf(stderr, "%s: error: %s: '%s' is %s\nTry '%s --help' for more information.\n", nnrt__progname, name,
            val, is, nnrt__progname);
    return 2;
}

/* Reads the value of option name into o.  Returns 0 or an exit status. */
static int set_option(struct nnrt__options *o, const struct nnrt_net *net, const char *name, const char *val)
{
    if (strcmp(name, "--epochs") == 0) {
        if (parse_long(val, 0, &o->epochs) != 0)
            return nnrt__usage_error("--epochs: expected a whole number >= 0 but found '%s'", val);
    } else if (strcmp(name, "--every") == 0) {
        if (parse_long(val, 0, &o->every) != 0)
            return nnrt__usage_error("--every: expected a whole number >= 0 but found '%s'", val);
    } else if (strcmp(name, "--batch") == 0) {
        if (parse_long(val, 1, &o->batch) != 0 || o->batch > 2147483647L)
            return nnrt__usage_error("--batch: expected a whole number >= 1 but found '%s'", val);
    } else if (strcmp(name, "--seed") == 0) {
        if (parse_u64(val, &o->seed) != 0)
            return nnrt__usage_error("--seed: expected a whole number >= 0 but found '%s'", val);
    } else if (strcmp(name, "--learn-rate") == 0) {
        if (parse_in(val, 0, HUGE_VAL, 0, &o->h.learn_rate) != 0)
            return nnrt__usage_error("--learn-rate: expected a finite number > 0 but found '%s'", val);
        return float_setting(net, name, val, o->h.learn_rate, 1, 0);
    } else if (strcmp(name, "--weight-decay") == 0) {
        if (parse_in(val, 0, HUGE_VAL, 1, &o->h.weight_decay) != 0)
            return nnrt__usage_error("--weight-decay: expected a finite number >= 0 but found '%s'", val);
        return float_setting(net, name, val, o->h.weight_decay, 0, 0);
    } else if (strcmp(name, "--momentum") == 0) {
        if (parse_in(val, 0, 1, 0, &o->h.momentum) != 0)
            return nnrt__usage_error("--momentum: expected a number > 0 and <= 1 but found '%s'", val);
        return float_setting(net, name, val, o->h.momentum, 1, 0);
    } else if (strcmp(name, "--beta1") == 0) {
        if (parse_in(val, 0, 1, 1, &o->h.beta1) != 0 || o->h.beta1 == 1)
            return nnrt__usage_error("--beta1: expected a number >= 0 and < 1 but found '%s'", val);
        return float_setting(net, name, val, o->h.beta1, 0, 1);
    } else if (strcmp(name, "--beta2") == 0) {
        if (parse_in(val, 0, 1, 1, &o->h.beta2) != 0 || o->h.beta2 == 1)
            return nnrt__usage_error("--beta2: expected a number >= 0 and < 1 but found '%s'", val);
        return float_setting(net, name, val, o->h.beta2, 0, 1);
    } else if (strcmp(name, "--epsilon") == 0) {
        if (parse_in(val, 0, 1, 0, &o->h.epsilon) != 0)
            return nnrt__usage_error("--epsilon: expected a number > 0 and <= 1 but found '%s'", val);
        return float_setting(net, name, val, o->h.epsilon, 1, 0);
    } else if (strcmp(name, "--optimizer") == 0) {
        if (strcmp(val, "sgd") != 0 && strcmp(val, "momentum") != 0 && strcmp(val, "adam") != 0)
            return nnrt__usage_error("--optimizer: expected sgd, momentum or adam but found '%s'", val);
        if (strcmp(val, nnrt__opt_names[net->optimizer]) != 0) {
            fprintf(stderr,
                    "%s: error: --optimizer %s: this program was compiled for optimizer %s; the "
                    "optimizer is written out in the generated code, so put 'optimizer %s' in the "
                    "spec and compile it again\n",
                    nnrt__progname, val, nnrt__opt_names[net->optimizer], val);
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
    } else if (strcmp(name, "--validate") == 0) {
        if (parse_in(val, 0, 1, 1, &o->validate) != 0 || o->validate == 1)
            return nnrt__usage_error("--validate: expected a number >= 0 and < 1 but found '%s'", val);
    } else if (strcmp(name, "--early-stop") == 0) {
        if (parse_long(val, 0, &o->early_stop) != 0)
            return nnrt__usage_error("--early-stop: expected a whole number >= 0 but found '%s'", val);
    } else if (strcmp(name, "--schedule") == 0) {
        if (nnrt__parse_schedule(val, &o->schedule) != 0)
            return nnrt__usage_error("--schedule: expected 'step EVERY GAMMA', 'exponential GAMMA', "
                                     "'cosine T_MAX [ETA_MIN]' or 'none' but found '%s'", val);
    } else if (strcmp(name, "--predict-file") == 0) {
        o->predict_file = val;
    } else if (strcmp(name, "--output") == 0) {
        o->output = val;
    } else {
        return add_predict(o, net, val);
    }
    return 0;
}

/*
 * An output that is an input, or another output, would lose one of them:
 * --save data.csv would replace the data.  --load and --save of one file
 * is a resumed run, and fine.  Returns -1, or the usage error's status.
 */
static int check_outputs(const struct nnrt__options *o)
{
    if (o->output != NULL && o->predict_file == NULL)
        return nnrt__usage_error("%s", "--output names where the predictions of --predict-file go, but "
                                       "there is no --predict-file");
    const char *const out[3] = {o->save, o->history, o->output};
    const char *const out_name[3] = {"--save", "--history", "--output"};
    const char *const in[4] = {o->data, o->test, o->load, o->predict_file};
    const char *const in_name[4] = {"--data", "--test", "--load", "--predict-file"};
    for (int i = 0; i < 3; i++) {
        for (int j = 0; j < 4; j++) {
            if ((i != 0 || j != 2) && nnrt__same_file(out[i], in[j])) {
                char shown[NNRT__SHOWN_NAME];
                fprintf(stderr, "%s: error: %s and %s name the same file '%s'\n", nnrt__progname,
                        out_name[i], in_name[j], nnrt__shown_name(shown, out[i]));
                return 2;
            }
        }
    }
    for (int i = 0; i < 3; i++) {
        for (int j = i + 1; j < 3; j++) {
            if (nnrt__same_file(out[i], out[j])) {
                char shown[NNRT__SHOWN_NAME];
                fprintf(stderr, "%s: error: %s and %s name the same file '%s'\n", nnrt__progname, out_name[i],
                        out_name[j], nnrt__shown_name(shown, out[i]));
                return 2;
            }
        }
    }
    return -1;
}

/*
 * Reads argv into o.  Returns -1 to go on, or an exit status: 0 after
 * --help or --version, 2 after a mistake.
 */
int nnrt__parse_options(struct nnrt__options *o, const struct nnrt_net *net, int argc, char **argv)
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
            return nnrt__usage_error("unexpected argument '%s'", opt);
        static const char *const flags[] = {"--eval", "--grad", "--gradcheck", "--shuffle", "--no-shuffle",
                                            "--dot", "--help", "--version", NULL};
        for (int k = 0; flags[k] != NULL; k++) {
            size_t n = strlen(flags[k]);
            if (strncmp(opt, flags[k], n) == 0 && opt[n] == '=') {
                fprintf(stderr, "%s: error: option '%s' takes no value\nTry '%s --help' for more information.\n",
                        nnrt__progname, flags[k], nnrt__progname);
                return 2;
            }
        }

        /* The rest take a value: "--name value" or "--name=value". */
        const char *eq = strchr(opt, '=');
        size_t nlen = eq ? (size_t)(eq - opt) : strlen(opt);
        if (nlen >= sizeof name)
            return unknown_option(opt);
        memcpy(name, opt, nlen);
        name[nlen] = '\0';
        int k = 0, n = (int)(sizeof with_value / sizeof *with_value);
        while (k < n && strcmp(name, with_value[k].name) != 0)
            k++;
        if (k == n)
            return unknown_option(name);
        if (with_value[k].optimizer >= 0 && with_value[k].optimizer != (int)net->optimizer) {
            fprintf(stderr, "%s: error: %s applies to optimizer %s, but this program uses %s\n"
                            "Try '%s --help' for more information.\n", nnrt__progname,
                    name, nnrt__opt_names[with_value[k].optimizer], nnrt__opt_names[net->optimizer], nnrt__progname);
            return 2;
        }
        const char *val;
        if (eq != NULL)
            val = eq + 1;
        else if (i + 1 < argc)
            val = argv[++i];
        else
            return nnrt__usage_error("option '%s' needs a value", name);
        int status = set_option(o, net, name, val);
        if (status != 0)
            return status;
    }
    if (o->early_stop > 0 && o->validate == 0)
        return nnrt__usage_error("%s", "early stopping needs validation rows: give --validate F "
                                       "(or --early-stop 0)");
    return check_outputs(o);
}
