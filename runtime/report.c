/*
 * report.c: what a program shows while and after it trains.
 *
 * The progress line on a terminal, redrawn in place and blanked before any
 * other output (and by a signal that ends the program), the predictions,
 * and the drawing of the trained network.
 */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "nnrt_impl.h"

/*
 * While training and saving, a signal that ends the program (^C, kill, a
 * closed terminal, a closed pipe) first removes the temporary files of
 * --history and --save (nnrt__catch_fatal_signals) and blanks the progress
 * line, so that nothing of the run is left behind.
 */
static volatile sig_atomic_t progress_columns; /* the progress line's width on the screen, or 0 */

/*
 * The progress line: epoch, a bar, the last loss reported and the speed,
 * redrawn in place (train.c asks at most ten times a second).
 */
void nnrt__progress_show(long done, long total, double loss, double rate)
{
    char bar[31];
    int filled = (int)(30.0 * (double)done / (double)total);
    for (int i = 0; i < 30; i++)
        bar[i] = i < filled ? '=' : i == filled ? '>' : ' ';
    bar[30] = '\0';
    int n = fprintf(stderr, "\r%s: epoch %ld/%ld [%s]", nnrt__progname, done, total, bar) - 1;
    if (!isnan(loss))
        n += fprintf(stderr, " loss %.3f", loss);
    n += fprintf(stderr, " %.0f samples/s  ", rate);
    fflush(stderr);
    progress_columns = n;
}

void nnrt__progress_blank(void)
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
void nnrt__progress_clear(void)
{
    if (progress_columns > 0) {
        fprintf(stderr, "\r%*s\r", (int)progress_columns, "");
        fflush(stderr);
        progress_columns = 0;
    }
}

/*
 * Prints "name: VALUE" (several outputs: "name: V1 V2 ...", no name: the
 * values alone) for the input x, normalized first when norm is not NULL.
 */
void nnrt__print_prediction(const struct nnrt_net *net, const void *nn, const struct nnrt_norm *norm,
                            const char *name, const double *x, double *xn, double *y)
{
    char v[NNRT_DOUBLE_BUFSIZE];
    memcpy(xn, x, (size_t)net->ninputs * sizeof *x);
    if (norm != NULL)
        nnrt__apply_norm(net, norm, xn, 1, net->ninputs);
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
void nnrt__print_dot(const struct nnrt_net *net, const void *nn)
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
