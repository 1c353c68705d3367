/*
 * driver.c: nnrt_main, a generated program's main, in the order of its work.
 *
 * nnrt_main does what the tutorial's script does after its class: draw the
 * parameters, train for some epochs printing "Epoch %d loss: %.3f" every
 * tenth epoch, then make predictions.  Options change each step without
 * recompiling.  The order of work is fixed, so that the output of a run is
 * easy to read and to test:
 *
 *   1. read the options (options.c), the data and the rows of
 *      --predict-file (data.c), holding out the validation rows
 *      (validate.c), and the starting parameters;
 *   2. normalize the inputs, when the spec says so;
 *   3. train, printing the loss lines (and accuracy lines, for
 *      classifiers) (train.c);
 *   4. save the parameters (--save);
 *   5. print the loss and the measures (--eval), the gradient (--grad),
 *      the gradient check (--gradcheck), the predictions (report.c) and
 *      --predict-file's CSV, and last the loss and the measures on the
 *      test rows (metrics.c).
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
#include <unistd.h>

#include "nnrt_impl.h"

/* Everything a run holds, freed at its end whatever happened. */
struct run {
    struct nnrt__options o;
    struct nnrt__dataset train_set, test_set, val_set; /* val_set: held out of train_set */
    struct nnrt__dataset predict_set;  /* --predict-file's rows */
    struct nnrt__output predictions;   /* --output, being written */
    struct nnrt_norm norm, *np; /* np: &norm when the network normalizes, else NULL */
    struct nnrt__trainer t;
    struct nnrt__output history;
    void *nn;
    double *y, *xn;             /* room for one output and one (normalized) input */
    int spec_predict;           /* print the spec's predictions */
};

/*
 * Reads the data and allocates everything training needs.  Returns 0 or
 * an exit status.
 */
static int start(struct run *r, const struct nnrt_net *net)
{
    const struct nnrt__options *o = &r->o;
    if (o->gradcheck && net->single) {
        /*
         * float's rounding of the loss (1e-7 of it) swamps a difference
         * taken over a step small enough for the derivative: errors of 0.1
         * for a correct gradient.  A step large enough to rise above it
         * crosses a relu's kink.  No threshold would mean anything.
         */
        fprintf(stderr, "%s: error: --gradcheck needs a network in double precision: float's "
                        "rounding swamps the finite differences (build the spec with nnc "
                        "--precision double to check its gradient)\n", nnrt__progname);
        return 2;
    }

    int status = nnrt__load_rows(&r->train_set, net, o->data, net->ndata, net->data, 0);
    if (status == 0)
        status = nnrt__load_rows(&r->test_set, net, o->test, o->test ? 0 : net->ntest, net->test, 0);
    if (status == 0 && o->predict_file != NULL)
        status = nnrt__load_rows(&r->predict_set, net, o->predict_file, 0, NULL, 1);
    if (status != 0)
        return status;
    if (r->train_set.n == 0 && (o->epochs > 0 || o->eval || o->grad || o->gradcheck)) {
        fprintf(stderr, "%s: error: no data to %s: the spec has none; give --data FILE.csv%s\n",
                nnrt__progname, o->epochs > 0 ? "train on" : "evaluate",
                o->epochs > 0 ? " or --epochs 0" : "");
        return 1;
    }
    /* Held out only to train: --epochs 0 evaluates every row. */
    if (o->validate > 0 && o->epochs > 0 &&
        (status = nnrt__split_validation(net, &r->train_set, &r->val_set, o->validate, o->seed)) != 0)
        return status;
    r->t.val = r->val_set.n > 0 ? &r->val_set : NULL;

    /* Everything training needs, allocated before it starts. */
    struct nnrt__trainer *t = &r->t;
    size_t ni = (size_t)net->ninputs, ss = net->state_size > 0 ? net->state_size : 1;
    r->nn = malloc(net->size);
    t->sum = malloc(net->size);
    t->nn_start = malloc(net->size);
    t->p.state = calloc(1, ss);
    t->state_start = malloc(ss);
    t->order = malloc((size_t)(r->train_set.n > 0 ? r->train_set.n : 1) * sizeof *t->order);
    r->y = malloc((size_t)net->noutputs * sizeof *r->y);
    r->xn = malloc(ni * sizeof *r->xn);
    if (o->early_stop > 0 && t->val != NULL) {
        t->nn_best = malloc(net->size);
        t->best.state = malloc(ss);
        if (t->nn_best == NULL || t->best.state == NULL) {
            fprintf(stderr, "%s: error: out of memory\n", nnrt__progname);
            return 1;
        }
    }
    if (net->normalize) {
        r->norm.mean = malloc(ni * sizeof *r->norm.mean);
        r->norm.std = malloc(ni * sizeof *r->norm.std);
    }
    if (r->nn == NULL || t->sum == NULL || t->nn_start == NULL || t->p.state == NULL ||
        t->state_start == NULL || t->order == NULL || r->y == NULL || r->xn == NULL ||
        (net->normalize && (r->norm.mean == NULL || r->norm.std == NULL))) {
        fprintf(stderr, "%s: error: out of memory\n", nnrt__progname);
        return 1;
    }
    for (int j = 0; j < net->nstate; j++)
        net->state_set(t->p.state, j, 0);
    r->np = net->normalize ? &r->norm : NULL;
    /* The spec's predictions are printed when nothing else is asked for. */
    r->spec_predict = o->npredict == 0 && !o->eval && !o->grad && !o->gradcheck && !o->dot &&
                      o->predict_file == NULL;
    return 0;
}

/* The predictions, once normalized, must be numbers the network takes.  Returns 0 or an exit status. */
static int check_predictions(struct run *r, const struct nnrt_net *net)
{
    size_t ni = (size_t)net->ninputs;
    int npredict = r->o.npredict > 0 ? r->o.npredict : r->spec_predict ? net->npredict : 0;
    for (int i = 0; i < npredict; i++) {
        memcpy(r->xn, r->o.npredict > 0 ? r->o.predict + (size_t)i * ni : net->predict_x + (size_t)i * ni,
               ni * sizeof *r->xn);
        nnrt__apply_norm(net, r->np, r->xn, 1, net->ninputs);
        int j = nnrt__row_past_range(net, r->xn, 0, net->ninputs);
        if (j < 0)
            continue;
        char msg[200];
        nnrt__row_too_large(msg, sizeof msg, net, j, r->xn[j], " once normalized");
        if (r->o.npredict > 0)
            return nnrt__usage_error("--predict: %s", msg);
        fprintf(stderr, "%s: error: prediction '%s': %s\n", nnrt__progname, net->predict_name[i], msg);
        return 1;
    }
    return 0;
}

/*
 * The starting parameters and normalization: loaded, or drawn and
 * computed; then the inputs normalized.  Returns 0 or an exit status.
 */
static int start_params(struct run *r, const struct nnrt_net *net)
{
    struct nnrt_error err;
    nnrt_init_params(net, r->nn, r->o.seed);
    if (r->o.load != NULL) {
        if (nnrt_params_load(net, r->nn, r->np, &r->t.p, r->o.load, &err) != 0)
            return nnrt__file_error(&err);
    } else if (r->np != NULL) {
        if (r->train_set.n == 0) {
            fprintf(stderr, "%s: error: the network normalizes its inputs, but there is no data to "
                            "normalize by: give --data FILE.csv or --load FILE\n", nnrt__progname);
            return 1;
        }
        nnrt__compute_norm(net, &r->train_set, r->np);
    }
    if (r->np == NULL)
        return 0;
    int width = net->ninputs + net->noutputs;
    nnrt__apply_norm(net, r->np, r->train_set.rows, r->train_set.n, width);
    nnrt__apply_norm(net, r->np, r->test_set.rows, r->test_set.n, width);
    nnrt__apply_norm(net, r->np, r->val_set.rows, r->val_set.n, width);
    nnrt__apply_norm(net, r->np, r->predict_set.rows, r->predict_set.n, width);
    int status = nnrt__check_normalized(net, &r->train_set, "data");
    if (status == 0)
        status = nnrt__check_normalized(net, &r->val_set, "data");
    if (status == 0)
        status = nnrt__check_normalized(net, &r->test_set, "test rows");
    if (status == 0)
        status = nnrt__check_normalized(net, &r->predict_set, "rows to predict");
    if (status == 0)
        status = check_predictions(r, net);
    return status;
}

/*
 * Trains, writing --history, and saves the parameters (--save); a signal
 * meanwhile removes the files being written.  Returns 0 or an exit status.
 */
static int train_and_save(struct run *r, const struct nnrt_net *net)
{
    const struct nnrt__options *o = &r->o;
    struct nnrt__trainer *t = &r->t;
    struct nnrt_error err;

    /* The counts of epochs and updates, loaded, must not pass a long's range (what --load reads). */
    long batch = o->batch < r->train_set.n ? o->batch : r->train_set.n;
    long updates = batch > 0 ? (r->train_set.n + batch - 1) / batch : 0; /* an epoch's */
    if (o->epochs > LONG_MAX - t->p.epoch || (updates > 0 && o->epochs > (LONG_MAX - t->p.step) / updates)) {
        fprintf(stderr, "%s: error: %ld more epoch%s would count past %ld %s, the most that a parameter "
                        "file records\n", nnrt__progname, o->epochs, o->epochs == 1 ? "" : "s", LONG_MAX,
                o->epochs > LONG_MAX - t->p.epoch ? "epochs" : "updates");
        return 1;
    }
    nnrt__catch_fatal_signals(1, nnrt__progress_blank); /* until --save is written */
    if (o->history != NULL) {
        if (nnrt__output_open(&r->history, o->history, &err) != 0)
            return nnrt__file_error(&err);
        t->history = r->history.f;
        int classes = net->classify != NNRT_NO_CLASSES;
        fprintf(t->history, "epoch,loss%s%s%s%s\n", classes ? ",accuracy" : "", t->val != NULL ? ",val_loss" : "",
                t->val != NULL && classes ? ",val_accuracy" : "", o->schedule.kind != NNRT_CONSTANT ? ",learn_rate" : "");
    }
    t->progress = isatty(STDERR_FILENO) && getenv("NNRT_NO_PROGRESS") == NULL;
    int status = nnrt__train(net, r->nn, &r->train_set, o, t, r->y);
    if (status != 0)
        return status;
    if (t->history != NULL) {
        t->history = NULL;
        if (nnrt__output_commit(&r->history, o->history, &err) != 0)
            return nnrt__file_error(&err);
    }
    if (o->save != NULL && nnrt_params_save(net, r->nn, r->np, &t->p, o->save, &err) != 0)
        return nnrt__file_error(&err);
    nnrt__catch_fatal_signals(0, NULL);
    return 0;
}

/*
 * --predict-file's CSV, on standard output or into --output, which is
 * written whole or not at all (a signal meanwhile removes its temporary
 * file).  Returns 0, or 1 after saying what failed.
 */
static int write_predictions(struct run *r, const struct nnrt_net *net)
{
    struct nnrt_error err;
    if (r->o.output == NULL) {
        nnrt__write_predictions(net, r->nn, &r->predict_set, stdout, r->y);
        return 0;
    }
    nnrt__catch_fatal_signals(1, NULL);
    int status = nnrt__output_open(&r->predictions, r->o.output, &err);
    if (status == 0) {
        nnrt__write_predictions(net, r->nn, &r->predict_set, r->predictions.f, r->y);
        status = nnrt__output_commit(&r->predictions, r->o.output, &err);
    }
    nnrt__catch_fatal_signals(0, NULL);
    return status != 0 ? nnrt__file_error(&err) : 0;
}

/*
 * The results: the loss (--eval), the gradient (--grad), its check
 * (--gradcheck), the drawing (--dot), the predictions and the test rows'
 * loss.  Returns 0, or 1 when the gradient check fails.
 */
static int results(struct run *r, const struct nnrt_net *net)
{
    const struct nnrt__options *o = &r->o;
    size_t ni = (size_t)net->ninputs;
    char v[NNRT_DOUBLE_BUFSIZE], name[32];
    int status = 0;
    if (o->eval) {
        printf("loss: %s\n", nnrt_format_double(v, nnrt__data_loss(net, r->nn, &r->train_set)));
        if (net->classify != NNRT_NO_CLASSES)
            printf("accuracy: %s\n", nnrt_format_double(v, nnrt__accuracy(net, r->nn, &r->train_set, r->y)));
        if (nnrt__print_metrics(net, r->nn, &r->train_set, "", r->y) != 0)
            return 1;
    }
    if (o->grad) {
        nnrt__mean_grad(net, r->nn, &r->train_set, r->t.sum);
        for (int i = 0; i < net->nparams; i++)
            printf("d_L_d_%s %s\n", nnrt_param_name(net, i, name),
                   nnrt_format_double(v, nnrt__param_get(net, r->t.sum, i)));
    }
    if (o->gradcheck)
        status = nnrt__gradcheck(net, r->nn, &r->train_set, r->t.sum);
    if (o->dot)
        nnrt__print_dot(net, r->nn);
    for (int i = 0; i < o->npredict; i++)
        nnrt__print_prediction(net, r->nn, r->np, NULL, o->predict + (size_t)i * ni, r->xn, r->y);
    if (r->spec_predict)
        for (int i = 0; i < net->npredict; i++)
            nnrt__print_prediction(net, r->nn, r->np, net->predict_name[i], net->predict_x + (size_t)i * ni,
                                   r->xn, r->y);
    if (o->predict_file != NULL && write_predictions(r, net) != 0)
        return 1;
    if (r->test_set.n > 0) {
        printf("test loss: %s\n", nnrt_format_double(v, nnrt__data_loss(net, r->nn, &r->test_set)));
        if (net->classify != NNRT_NO_CLASSES)
            printf("test accuracy: %s\n", nnrt_format_double(v, nnrt__accuracy(net, r->nn, &r->test_set, r->y)));
        if (nnrt__print_metrics(net, r->nn, &r->test_set, "test ", r->y) != 0)
            return 1;
    }
    return status;
}

int nnrt_main(const struct nnrt_net *net, int argc, char **argv)
{
    if (argc > 0 && argv[0] != NULL)
        nnrt__progname = argv[0];
    /* Past a file size limit (ulimit -f), a write fails (EFBIG) and is reported, as any other. */
    signal(SIGXFSZ, SIG_IGN);

    struct run r = {0};
    r.o.epochs = net->epochs;
    r.o.h = net->hyper;
    r.o.batch = net->batch;
    r.o.shuffle = net->shuffle;
    r.o.seed = net->seed;
    r.o.every = 10;
    r.o.validate = net->validate;
    r.o.early_stop = net->early_stop;
    r.o.schedule = net->schedule;
    int status = nnrt__parse_options(&r.o, net, argc, argv);
    if (status < 0) { /* -1: go on; else --help, --version or a mistake */
        status = start(&r, net);
        if (status == 0)
            status = start_params(&r, net);
        if (status == 0)
            status = train_and_save(&r, net);
        if (status == 0)
            status = results(&r, net);
    }

    nnrt__catch_fatal_signals(0, NULL);
    nnrt__output_abort(&r.history);
    nnrt__output_abort(&r.predictions);
    if ((fflush(stdout) != 0 || ferror(stdout)) && status == 0) {
        fprintf(stderr, "%s: error: cannot write the output: %s\n", nnrt__progname, strerror(errno));
        status = 1;
    }
    free(r.xn);
    free(r.y);
    free(r.t.order);
    free(r.t.state_start);
    free(r.t.p.state);
    free(r.t.nn_start);
    free(r.t.sum);
    free(r.t.nn_best);
    free(r.t.best.state);
    free(r.nn);
    free(r.norm.mean);
    free(r.norm.std);
    free(r.o.predict);
    nnrt__free_rows(&r.train_set);
    nnrt__free_rows(&r.test_set);
    nnrt__free_rows(&r.val_set);
    nnrt__free_rows(&r.predict_set);
    return status;
}
