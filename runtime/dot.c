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
 * read them.  A layer of more than DOT_COLLAPSE neurons is drawn collapsed:
 * its first DOT_HEAD neurons, a "..." node standing for the rest, and its
 * last, with the real edges between the neurons drawn and a dashed grey
 * edge for those through a "..." (a 64-32-10 network is 2,368 edges of
 * black otherwise).  A weight's label is the edge's own label, which dot
 * places beside the edge's middle, where edges that cross can leave it
 * nearer another: decorate=true underlines it and draws a line from it to
 * its edge (an xlabel or headlabel would be no nearer, and would crowd
 * where many edges meet).  Weights and biases are printed alike, to
 * DOT_DIGITS significant digits.  The text goes out through a callback, piece by piece, so that
 * nnc can gather it in its buffer and a program can print it.
 */
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>

#include "nnrt_impl.h"

/* Networks with more edges (weights) than this are drawn without weight labels. */
#define DOT_MAX_LABELLED 200
/* Layers with more neurons than this are drawn collapsed: DOT_HEAD of them, "...", the last. */
#define DOT_COLLAPSE 16
#define DOT_HEAD 3
/* The significant digits of a weight's and a bias's value in a program's drawing. */
#define DOT_DIGITS 3

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

/* The places of layer l's drawing: one per neuron, or DOT_HEAD + 2 when collapsed. */
static int nslots(const struct nnrt__dot *d, int l)
{
    int n = layer_size(d, l);
    return n > DOT_COLLAPSE ? DOT_HEAD + 2 : n;
}

/* The neuron at place k of layer l's drawing, or -1 for the "..." of a collapsed layer. */
static int slot_neuron(const struct nnrt__dot *d, int l, int k)
{
    int n = layer_size(d, l);
    if (n <= DOT_COLLAPSE || k < DOT_HEAD)
        return k;
    return k == DOT_HEAD ? -1 : n - 1;
}

/* The node of place k of layer l: the neuron's, or more0 (inputs), more1 .. for a "...". */
static const char *slot_name(const struct nnrt__dot *d, int l, int k, char buf[32])
{
    int j = slot_neuron(d, l, k);
    if (j >= 0)
        return node_name(d, l, j, buf);
    snprintf(buf, 32, "more%d", l + 1);
    return buf;
}

/* The "..." node of collapsed layer l. */
static void ellipsis(const struct nnrt__dot *d, int l)
{
    char a[32];
    say(d, "        %s [shape=plaintext, fixedsize=false, label=\"...\\n%d more\"];\n", slot_name(d, l, DOT_HEAD, a),
        layer_size(d, l) - DOT_HEAD - 1);
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
        for (int k = 0; k < nslots(d, l); k++)
            say(d, "%s-> %s", k % 10 == 9 ? "\n            " : " ", slot_name(d, l, k, a));
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
        say(d, "        %s [label=\"%s\\nb = %.*g\"];\n", a, a, DOT_DIGITS, d->param(d->param_arg, bias));
    }
}

/* The edges into layer l, whose first weight is w; returns the next layer's first. */
static int edges(const struct nnrt__dot *d, int l, int w, double max, int labelled)
{
    char a[32], b[32];
    int fan_in = layer_size(d, l - 1);
    for (int kj = 0; kj < nslots(d, l); kj++) {
        for (int ki = 0; ki < nslots(d, l - 1); ki++) {
            int j = slot_neuron(d, l, kj), i = slot_neuron(d, l - 1, ki);
            say(d, "    %s -> %s", slot_name(d, l - 1, ki, b), slot_name(d, l, kj, a));
            if (i < 0 || j < 0) {
                /* The weights that a "..." stands for. */
                say(d, " [style=dashed, color=\"#999999\"];\n");
                continue;
            }
            int wk = w + j * fan_in + i;
            if (d->style == NNRT__DOT_SPEC) {
                if (labelled)
                    say(d, " [label=\"w%d\", decorate=true]", wk + 1);
                say(d, ";\n");
                continue;
            }
            double x = d->param(d->param_arg, wk);
            say(d, " [penwidth=%.2f, color=\"%s\"", 0.3 + 3.7 * (max > 0 ? fabs(x) / max : 0),
                x >= 0 ? "#1f77b4" : "#d62728");
            if (labelled)
                say(d, ", label=\"w%d = %.*g\", decorate=true", wk + 1, DOT_DIGITS, x);
            say(d, "];\n");
        }
    }
    return w + layer_size(d, l) * fan_in;
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
        for (int k = 0; k < nslots(d, l); k++) {
            int j = slot_neuron(d, l, k);
            if (j < 0)
                ellipsis(d, l);
            else
                node(d, l, j, nweights, bias + j);
        }
        close_layer(d, l);
        if (l >= 0)
            bias += layer_size(d, l);
        if (l >= 0 && !spec)
            w = edges(d, l, w, max, labelled);
    }
    if (spec) {
        /* The prediction: y_pred, as the tutorial's figure ends; y_pred[k] with several outputs. */
        int last = d->nlayers - 1, nout = layer_size(d, last);
        char a[32];
        say(d, "\n");
        for (int k = 0; k < nslots(d, last); k++) {
            int j = slot_neuron(d, last, k);
            if (j < 0)
                continue;
            say(d, "    y%d [shape=plaintext, fixedsize=false, label=\"y_pred", j + 1);
            if (nout > 1)
                say(d, "[%d]", j);
            say(d, "\"];\n");
        }
        say(d, "\n");
        for (int l = 0, w = 0; l < d->nlayers; l++)
            w = edges(d, l, w, 0, labelled);
        for (int k = 0; k < nslots(d, last); k++)
            if (slot_neuron(d, last, k) >= 0)
                say(d, "    %s -> y%d;\n", slot_name(d, last, k, a), slot_neuron(d, last, k) + 1);
    }
    say(d, "}\n");
}
