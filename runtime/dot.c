/*
 * dot.c: the network as a Graphviz graph, for nnc and for the program.
 *
 * Both drawings are of one network, laid out the same way: the inputs x1..,
 * then each layer's neurons, named as nnc names them (h1, h2_3, o1), and an
 * edge for each weight, numbered w1.. layer by layer, neuron by neuron,
 * input by input, with the biases after the weights.  They differ in what
 * they show, so one walk serves both, in one of two styles:
 *
 *   NNRT__DOT_SPEC     nnc --emit dot: the names of the generated C (h1,
 *                      b1, w1, sigmoid) drawn like the tutorial's figures,
 *                      with each layer a rank=same subgraph whose title and
 *                      neurons are chained by invisible edges (which holds
 *                      h1 above h2 above h3), ending in y_pred;
 *   NNRT__DOT_WEIGHTS  a program's --dot: the trained values, each layer a
 *                      cluster, an edge's width growing with its weight's
 *                      size, blue for a positive weight and red for a
 *                      negative one.
 *
 * Past DOT_MAX_LABELLED edges the weight labels are left out, and a comment
 * in the graph says so: dot would take long to place them and nobody could
 * read them.  The text goes out through a callback, piece by piece, so that
 * nnc can gather it in its buffer and a program can print it.
 */
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>

#include "nnrt_impl.h"

/* Networks with more edges (weights) than this are drawn without weight labels. */
#define DOT_MAX_LABELLED 200

/* A short piece of text, formatted: at most a line, the long names go through put. */
static void say(const struct nnrt__dot *d, const char *fmt, ...) NNRT__PRINTF(2, 3);

static void say(const struct nnrt__dot *d, const char *fmt, ...)
{
    char text[160];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    assert(n >= 0 && (size_t)n < sizeof text);
    d->put(d->out, text);
}

/* s as the inside of a DOT string: quotes and backslashes escaped. */
static void put_quoted(const struct nnrt__dot *d, const char *s)
{
    char run[64];
    size_t n = 0;
    for (const char *p = s;; p++) {
        if (*p == '\0' || *p == '"' || *p == '\\' || n + 3 > sizeof run) {
            run[n] = '\0';
            d->put(d->out, run);
            n = 0;
        }
        if (*p == '\0')
            return;
        if (*p == '"' || *p == '\\')
            run[n++] = '\\';
        run[n++] = *p;
    }
}

/* The number of neurons of layer l; layer -1 is the inputs. */
static int layer_size(const struct nnrt__dot *d, int l)
{
    return l < 0 ? d->ninputs : d->layer_size[l];
}

/* The node of neuron j of layer l (-1: the inputs): x1, h1, h1_2 (several hidden layers), o1. */
static const char *node_name(const struct nnrt__dot *d, int l, int j, char buf[32])
{
    if (l < 0)
        snprintf(buf, 32, "x%d", j + 1);
    else if (l == d->nlayers - 1)
        snprintf(buf, 32, "o%d", j + 1);
    else if (d->nlayers == 2)
        snprintf(buf, 32, "h%d", j + 1);
    else
        snprintf(buf, 32, "h%d_%d", l + 1, j + 1);
    return buf;
}

static void header(const struct nnrt__dot *d, int nweights, int labelled)
{
    if (d->style == NNRT__DOT_WEIGHTS) {
        say(d, "digraph ");
        d->put(d->out, d->name);
        say(d, " {\n    rankdir=LR;\n    node [shape=circle];\n");
        if (!labelled)
            say(d, "    // %d weights: edges are not labelled\n", nweights);
        return;
    }
    /* Quoted, as a network may be called graph or node, keywords of DOT. */
    say(d, "digraph \"");
    d->put(d->out, d->name);
    say(d, "\" {\n    rankdir=LR;\n    ranksep=1.2;\n");
    say(d, "    node [shape=circle, fixedsize=true, width=0.9, fontsize=12];\n");
    say(d, "    edge [fontsize=10, arrowsize=0.6];\n");
    if (!labelled) {
        say(d, "    // %d edges: their weight labels are left out to keep the drawing usable.\n", nweights);
        say(d, "    // The weights are w1 .. w%d, layer by layer, neuron by neuron, input by input.\n", nweights);
    }
}

/* The subgraph's id of layer l (NNRT__DOT_SPEC): input, hidden1 .., output. */
static const char *layer_id(const struct nnrt__dot *d, int l, char buf[32])
{
    if (l < 0)
        return "input";
    if (l == d->nlayers - 1)
        return "output";
    snprintf(buf, 32, "hidden%d", l + 1);
    return buf;
}

static void open_layer(const struct nnrt__dot *d, int l)
{
    if (d->style == NNRT__DOT_WEIGHTS) {
        if (l < 0)
            say(d, "    subgraph cluster_inputs {\n        label=\"inputs\";\n");
        else
            say(d, "    subgraph cluster_layer%d {\n        label=\"%s\";\n", l + 1,
                l == d->nlayers - 1 ? "output" : "hidden");
        return;
    }
    /* The layer's title is the rank's first node. */
    char buf[32];
    const char *id = layer_id(d, l, buf);
    say(d, "\n    subgraph layer_%s {\n        rank=same;\n", id);
    say(d, "        title_%s [shape=plaintext, fixedsize=false, label=\"", id);
    if (l < 0)
        say(d, "%s", d->ninputs == 1 ? "input" : "inputs");
    else if (l == d->nlayers - 1)
        say(d, "output layer, ");
    else if (d->nlayers == 2)
        say(d, "hidden layer, ");
    else
        say(d, "hidden layer %d, ", l + 1);
    if (l >= 0)
        d->put(d->out, d->act[l]);
    say(d, "\"];\n");
}

/* Closes layer l; in NNRT__DOT_SPEC, the invisible chain title -> first neuron -> second ... */
static void close_layer(const struct nnrt__dot *d, int l)
{
    if (d->style == NNRT__DOT_SPEC) {
        char id[32], a[32];
        say(d, "        title_%s", layer_id(d, l, id));
        for (int i = 0; i < layer_size(d, l); i++)
            say(d, "%s-> %s", i % 10 == 9 ? "\n            " : " ", node_name(d, l, i, a));
        say(d, " [style=invis];\n");
    }
    say(d, "    }\n");
}

/* Neuron j of layer l (-1: input j), whose bias is parameter bias. */
static void node(const struct nnrt__dot *d, int l, int j, int nweights, int bias)
{
    char a[32];
    node_name(d, l, j, a);
    if (l < 0) {
        say(d, "        %s [label=\"", a);
        put_quoted(d, d->input_name != NULL ? d->input_name[j] : a);
        if (d->style == NNRT__DOT_SPEC)
            say(d, "\", tooltip=\"x[%d]\", fixedsize=false, style=filled, fillcolor=\"#eeeeee\"];\n", j);
        else
            say(d, "\"];\n");
    } else if (d->style == NNRT__DOT_SPEC) {
        say(d, "        %s [label=\"%s\\nb%d\\n", a, a, bias - nweights + 1);
        d->put(d->out, d->act[l]);
        say(d, "\"];\n");
    } else {
        say(d, "        %s [label=\"%s\\nb = %.3g\"];\n", a, a, d->param(d->param_arg, bias));
    }
}

/* The edges into layer l, whose first weight is w; returns the next layer's first. */
static int edges(const struct nnrt__dot *d, int l, int w, double max, int labelled)
{
    char a[32], b[32], v[NNRT_DOUBLE_BUFSIZE];
    for (int j = 0; j < layer_size(d, l); j++) {
        for (int i = 0; i < layer_size(d, l - 1); i++, w++) {
            say(d, "    %s -> %s", node_name(d, l - 1, i, b), node_name(d, l, j, a));
            if (d->style == NNRT__DOT_SPEC) {
                if (labelled)
                    say(d, " [label=\"w%d\"]", w + 1);
                say(d, ";\n");
                continue;
            }
            double x = d->param(d->param_arg, w);
            say(d, " [penwidth=%.2f, color=\"%s\"", 0.3 + 3.7 * (max > 0 ? fabs(x) / max : 0),
                x >= 0 ? "#1f77b4" : "#d62728");
            if (labelled)
                say(d, ", label=\"w%d = %s\"", w + 1, nnrt_format_double(v, x));
            say(d, "];\n");
        }
    }
    return w;
}

void nnrt__dot_write(const struct nnrt__dot *d)
{
    int spec = d->style == NNRT__DOT_SPEC, nweights = 0;
    for (int l = 0; l < d->nlayers; l++)
        nweights += layer_size(d, l - 1) * layer_size(d, l);
    int labelled = nweights <= DOT_MAX_LABELLED;
    double max = 0; /* the largest weight's size, which the widest edge shows */
    for (int i = 0; i < nweights && !spec; i++)
        if (fabs(d->param(d->param_arg, i)) > max)
            max = fabs(d->param(d->param_arg, i));

    header(d, nweights, labelled);
    /* A program's drawing puts each layer's edges after it; nnc's, all of them after y_pred. */
    for (int l = -1, bias = nweights, w = 0; l < d->nlayers; l++) {
        open_layer(d, l);
        for (int j = 0; j < layer_size(d, l); j++)
            node(d, l, j, nweights, bias + j);
        close_layer(d, l);
        if (l >= 0)
            bias += layer_size(d, l);
        if (l >= 0 && !spec)
            w = edges(d, l, w, max, labelled);
    }
    if (spec) {
        /* The prediction: y_pred, as the tutorial's figure ends; y_pred[k] with several outputs. */
        int nout = layer_size(d, d->nlayers - 1);
        char a[32];
        say(d, "\n");
        for (int k = 0; k < nout; k++) {
            say(d, "    y%d [shape=plaintext, fixedsize=false, label=\"y_pred", k + 1);
            if (nout > 1)
                say(d, "[%d]", k);
            say(d, "\"];\n");
        }
        say(d, "\n");
        for (int l = 0, w = 0; l < d->nlayers; l++)
            w = edges(d, l, w, 0, labelled);
        for (int k = 0; k < nout; k++)
            say(d, "    %s -> y%d;\n", node_name(d, d->nlayers - 1, k, a), k + 1);
    }
    say(d, "}\n");
}
