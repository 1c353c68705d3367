/*
 * metrics.c: how good a trained network's predictions are, and the
 * predictions themselves as a CSV file.
 *
 * --eval and the test report print, after the loss (and accuracy), the
 * measures a data person looks for: for a classifier the confusion matrix
 * and each class's precision, recall and F1; for any other network the
 * mean absolute error, the root mean squared error and R^2.  They are
 * computed from the same feedforward and the same reading of an output as
 * a class (nnrt__class_of) as --predict-file writes, so that a measure
 * recomputed from that file agrees with the one printed, to the bit when
 * summed in the same order: rows in order, then outputs in order.
 */
#include <stdlib.h>
#include <string.h>

#include "nnrt_impl.h"

int nnrt__nclasses(const struct nnrt_net *net)
{
    return net->classify == NNRT_THRESHOLD ? 2 : net->classify == NNRT_ARGMAX ? net->noutputs : 0;
}

const char *nnrt__class_label(const struct nnrt_net *net, int k, char buf[NNRT_DOUBLE_BUFSIZE])
{
    if (net->class_name != NULL && k < net->nclasses)
        return net->class_name[k];
    snprintf(buf, NNRT_DOUBLE_BUFSIZE, "%d", k);
    return buf;
}

/*
 * The confusion matrix, then each class's precision (of the rows predicted
 * to be of it, the fraction that are), recall (of the rows of it, the
 * fraction predicted so) and F1 (their harmonic mean, 2 tp / (rows of it
 * + rows predicted so)).  A fraction of no rows is 0, as scikit-learn's
 * zero_division gives it.
 */
static int classifier_metrics(const struct nnrt_net *net, const void *nn, const struct nnrt__dataset *d,
                              const char *prefix, double *y)
{
    int k = nnrt__nclasses(net), cols = net->ninputs + net->noutputs;
    long *count = calloc((size_t)k * (size_t)k, sizeof *count); /* count[true * k + predicted] */
    long *ntrue = calloc((size_t)k, sizeof *ntrue), *npred = calloc((size_t)k, sizeof *npred);
    if (count == NULL || ntrue == NULL || npred == NULL) {
        free(count);
        free(ntrue);
        free(npred);
        fprintf(stderr, "%s: error: out of memory\n", nnrt__progname);
        return 1;
    }
    for (int i = 0; i < d->n; i++) {
        const double *row = d->rows + (size_t)i * (size_t)cols;
        net->feedforward(nn, row, y);
        int want = nnrt__class_of(net, row + net->ninputs), got = nnrt__class_of(net, y);
        count[(size_t)want * (size_t)k + (size_t)got]++;
        ntrue[want]++;
        npred[got]++;
    }
    char label[NNRT_DOUBLE_BUFSIZE], v[NNRT_DOUBLE_BUFSIZE];
    for (int t = 0; t < k; t++) {
        printf("%sconfusion %s:", prefix, nnrt__class_label(net, t, label));
        for (int p = 0; p < k; p++)
            printf(" %ld", count[(size_t)t * (size_t)k + (size_t)p]);
        printf("\n");
    }
    for (int c = 0; c < k; c++) {
        double tp = (double)count[(size_t)c * (size_t)k + (size_t)c];
        const char *name = nnrt__class_label(net, c, label);
        printf("%sprecision %s: %s\n", prefix, name, nnrt_format_double(v, npred[c] > 0 ? tp / (double)npred[c] : 0));
        printf("%srecall %s: %s\n", prefix, name, nnrt_format_double(v, ntrue[c] > 0 ? tp / (double)ntrue[c] : 0));
        long both = ntrue[c] + npred[c];
        printf("%sf1 %s: %s\n", prefix, name, nnrt_format_double(v, both > 0 ? 2 * tp / (double)both : 0));
    }
    free(count);
    free(ntrue);
    free(npred);
    return 0;
}

/*
 * Over every output of every row: the mean absolute error, the root of the
 * mean squared error, and R^2 = 1 - SS_res / SS_tot of each output,
 * averaged over the outputs (scikit-learn's r2_score; an output whose
 * targets are constant counts 1 when it is predicted exactly, else 0).
 */
static int regression_metrics(const struct nnrt_net *net, const void *nn, const struct nnrt__dataset *d,
                              const char *prefix, double *y)
{
    int no = net->noutputs, cols = net->ninputs + no;
    double *mean = calloc((size_t)no, sizeof *mean), *ss_res = calloc((size_t)no, sizeof *ss_res);
    double *ss_tot = calloc((size_t)no, sizeof *ss_tot);
    if (mean == NULL || ss_res == NULL || ss_tot == NULL) {
        free(mean);
        free(ss_res);
        free(ss_tot);
        fprintf(stderr, "%s: error: out of memory\n", nnrt__progname);
        return 1;
    }
    for (int i = 0; i < d->n; i++)
        for (int k = 0; k < no; k++)
            mean[k] += d->rows[(size_t)i * (size_t)cols + (size_t)net->ninputs + (size_t)k];
    for (int k = 0; k < no; k++)
        mean[k] /= d->n;
    double abs_sum = 0, sq_sum = 0;
    for (int i = 0; i < d->n; i++) {
        const double *row = d->rows + (size_t)i * (size_t)cols, *target = row + net->ninputs;
        net->feedforward(nn, row, y);
        for (int k = 0; k < no; k++) {
            double e = target[k] - y[k], m = target[k] - mean[k];
            abs_sum += fabs(e);
            sq_sum += e * e;
            ss_res[k] += e * e;
            ss_tot[k] += m * m;
        }
    }
    double values = (double)d->n * no, r2 = 0;
    for (int k = 0; k < no; k++)
        r2 += ss_tot[k] > 0 ? 1 - ss_res[k] / ss_tot[k] : ss_res[k] == 0 ? 1 : 0;
    char v[NNRT_DOUBLE_BUFSIZE];
    printf("%smae: %s\n", prefix, nnrt_format_double(v, abs_sum / values));
    printf("%srmse: %s\n", prefix, nnrt_format_double(v, sqrt(sq_sum / values)));
    printf("%sr2: %s\n", prefix, nnrt_format_double(v, r2 / no));
    free(mean);
    free(ss_res);
    free(ss_tot);
    return 0;
}

int nnrt__print_metrics(const struct nnrt_net *net, const void *nn, const struct nnrt__dataset *d,
                        const char *prefix, double *y)
{
    if (d->n == 0)
        return 0;
    if (net->classify != NNRT_NO_CLASSES)
        return classifier_metrics(net, nn, d, prefix, y);
    return regression_metrics(net, nn, d, prefix, y);
}

void nnrt__write_predictions(const struct nnrt_net *net, const void *nn, const struct nnrt__dataset *d, FILE *f,
                             double *y)
{
    int cols = net->ninputs + net->noutputs;
    char v[NNRT_DOUBLE_BUFSIZE];
    if (net->noutputs == 1)
        fputs("y_pred", f);
    for (int k = 0; k < net->noutputs && net->noutputs > 1; k++)
        fprintf(f, "%so%d", k == 0 ? "" : ",", k + 1);
    fputs(net->classify != NNRT_NO_CLASSES ? ",class\n" : "\n", f);
    for (int i = 0; i < d->n; i++) {
        net->feedforward(nn, d->rows + (size_t)i * (size_t)cols, y);
        for (int k = 0; k < net->noutputs; k++)
            fprintf(f, "%s%s", k == 0 ? "" : ",", nnrt_format_double(v, y[k]));
        if (net->classify != NNRT_NO_CLASSES)
            fprintf(f, ",%s", nnrt__class_label(net, nnrt__class_of(net, y), v));
        fputc('\n', f);
    }
}
