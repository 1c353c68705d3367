/*
 * data.c: the rows a program trains and tests on, and what it measures over them.
 *
 * Rows come from a CSV file (--data, --test) or from the spec, and are
 * copied so that their inputs can be normalized in place.  A row is checked
 * as it is read (targets a loss can take, values a float network can hold)
 * and again once normalized, so that training never meets a value it
 * cannot use; each message names the file and line of the row.
 */
#include <stdlib.h>
#include <string.h>

#include "nnrt_impl.h"

/* A mistake in a file: "PROGRAM: FILE:LINE: error: MESSAGE", exit status 1. */
int nnrt__file_error(const struct nnrt_error *err)
{
    if (err->line > 0)
        fprintf(stderr, "%s: %s:%d: error: %s\n", nnrt__progname, err->file, err->line, err->msg);
    else
        fprintf(stderr, "%s: error: %s\n", nnrt__progname, err->msg);
    return 1;
}

/* Reads file into t, a class's name in the last column read as its index.  Returns 0, or -1 with err. */
static int read_table(const struct nnrt_net *net, const char *file, struct nnrt_table *t, struct nnrt_error *err)
{
    size_t len;
    int named;
    char *text = nnrt__read_file(file, &len, err);
    if (text == NULL) {
        *t = (struct nnrt_table){0};
        return -1;
    }
    int r = nnrt__csv_parse_classes(text, len, file, 0, net->class_name, net->nclasses, &named, t, err);
    free(text);
    if (r == 0 && nnrt__check_named(t, named, file, net->ninputs, err) != 0) {
        nnrt_table_free(t);
        r = -1;
    }
    return r;
}

/*
 * The rows of --predict-file: inputs alone (the targets left 0), or rows
 * as --data takes them, whose targets are read but not used.  Returns 0,
 * or -1 with err.
 */
static int predict_rows(const struct nnrt_net *net, const struct nnrt_table *t, const char *file, double *out,
                        struct nnrt_error *err)
{
    int ni = net->ninputs, width = ni + net->noutputs;
    int one = net->class_index || net->class_name != NULL; /* a class index or name may stand for the targets */
    if (t->cols != ni && t->cols != width && !(one && t->cols == ni + 1)) {
        nnrt__set_error(err, file, t->line[0], 0,
                        "expected %d value%s (the inputs) or %d (the inputs and the targets%s) but found %d", ni,
                        ni == 1 ? "" : "s", width, one && width != ni + 1 ? ", or the inputs and the class" : "",
                        t->cols);
        return -1;
    }
    if (t->cols != ni)
        return nnrt_table_rows(t, file, ni, net->noutputs, net->class_index, out, err);
    for (int r = 0; r < t->rows; r++) {
        memcpy(out + (size_t)r * (size_t)width, t->v + (size_t)r * (size_t)ni, (size_t)ni * sizeof *out);
        memset(out + (size_t)r * (size_t)width + ni, 0, (size_t)net->noutputs * sizeof *out);
    }
    return 0;
}

/*
 * Reads rows from file into d, or copies the spec's n embedded rows; rows
 * to predict (--predict-file) when predict is set.  Returns 0 or an exit
 * status.
 */
int nnrt__load_rows(struct nnrt__dataset *d, const struct nnrt_net *net, const char *file, int n,
                    const double *embedded, int predict)
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
    if (read_table(net, file, &t, &err) != 0)
        return nnrt__file_error(&err);
    d->rows = malloc((size_t)t.rows * width * sizeof *d->rows);
    if (d->rows == NULL) {
        nnrt_table_free(&t);
        goto nomem;
    }
    if ((predict ? predict_rows(net, &t, file, d->rows, &err)
                 : nnrt_table_rows(&t, file, net->ninputs, net->noutputs, net->class_index, d->rows, &err)) != 0) {
        nnrt_table_free(&t);
        return nnrt__file_error(&err);
    }
    for (int r = 0; r < t.rows && net->distribution && !predict; r++) {
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
                return nnrt__file_error(&err);
            }
        }
        if (net->distribution == 1 && fabs(sum - 1) > 1e-9) {
            char v[NNRT_DOUBLE_BUFSIZE];
            nnrt__set_error(&err, file, t.line[r], 0,
                            "the targets of a row must sum to 1 for cross_entropy (one-hot, a class "
                            "index, or probabilities) but sum to %s", nnrt_format_double(v, sum));
            nnrt_table_free(&t);
            return nnrt__file_error(&err);
        }
    }
    /* Normalized inputs are checked once normalized (check_normalized). */
    for (int r = 0; r < t.rows && net->single; r++) {
        const double *row = d->rows + (size_t)r * width;
        int j = nnrt__row_past_range(net, row, net->normalize ? net->ninputs : 0,
                                     predict ? net->ninputs : (int)width);
        if (j >= 0) {
            char msg[200];
            nnrt__set_error(&err, file, t.line[r], 0, "%s", nnrt__row_too_large(msg, sizeof msg, net, j, row[j], ""));
            nnrt_table_free(&t);
            return nnrt__file_error(&err);
        }
    }
    d->n = t.rows;
    d->line = t.line; /* kept for messages; the values are no longer needed */
    t.line = NULL;
    nnrt_table_free(&t);
    return 0;

nomem:
    fprintf(stderr, "%s: error: out of memory\n", nnrt__progname);
    return 1;
}

void nnrt__free_rows(struct nnrt__dataset *d)
{
    free(d->rows);
    free(d->line);
}

/* The mean and (population) standard deviation of each input over d; a constant input keeps std 1. */
void nnrt__compute_norm(const struct nnrt_net *net, const struct nnrt__dataset *d, struct nnrt_norm *norm)
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
void nnrt__apply_norm(const struct nnrt_net *net, const struct nnrt_norm *norm, double *x, int n,
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
int nnrt__check_normalized(const struct nnrt_net *net, const struct nnrt__dataset *d, const char *what)
{
    size_t width = (size_t)(net->ninputs + net->noutputs);
    for (int r = 0; r < d->n; r++) {
        const double *row = d->rows + (size_t)r * width;
        int j = nnrt__row_past_range(net, row, 0, net->ninputs);
        if (j < 0)
            continue;
        char msg[200];
        nnrt__row_too_large(msg, sizeof msg, net, j, row[j], " once normalized");
        struct nnrt_error err;
        if (d->file != NULL)
            nnrt__set_error(&err, d->file, d->line[r], 0, "%s", msg);
        else
            nnrt__set_error(&err, net->spec, 0, 0, "row %d of the spec's %s: %s", r + 1, what, msg);
        return nnrt__file_error(&err);
    }
    return 0;
}

/* The mean of the per-sample losses over the data. */
double nnrt__data_loss(const struct nnrt_net *net, const void *nn, const struct nnrt__dataset *d)
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
int nnrt__class_of(const struct nnrt_net *net, const double *y)
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
double nnrt__accuracy(const struct nnrt_net *net, const void *nn, const struct nnrt__dataset *d, double *y)
{
    int cols = net->ninputs + net->noutputs, right = 0;
    for (int i = 0; i < d->n; i++) {
        const double *row = d->rows + (size_t)i * (size_t)cols;
        net->feedforward(nn, row, y);
        right += nnrt__class_of(net, y) == nnrt__class_of(net, row + net->ninputs);
    }
    return (double)right / d->n;
}
