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
 *
 * A network with conv or pool layers draws its input map and each of them
 * as one node, a stack of maps (box3d) that says its shape (4x4x2), its
 * statement (conv 2 2x2 tanh, stride 1) and its parameters: nnc's the
 * names (w1 .. w8, b1 .. b2), a program's each filter's bias and first
 * weights.  Their values are thousands, shared by every position: as
 * nodes they would be a wall.  The edge between two stacks says the
 * kernel or window; the first dense layer reads the last map flattened,
 * one edge into each of its neurons, and the dense layers are drawn as
 * above, named as nnc names them (the dense hidden layers counted alone).
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
/* A program's drawing of a conv layer shows DOT_HEAD filters, each with its first DOT_TAPS weights. */
#define DOT_TAPS 9

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

/* The number of neurons of layer l, or values of its map; layer -1 is the inputs. */
static int layer_size(const struct nnrt__dot *d, int l)
{
    return l < 0 ? d->ninputs : d->layer_size[l];
}

/* Layer l's NNRT_MAP_FIELDS values; layer -1's are the input map's rows, columns, channels at H, W, C. */
static const int *map_of(const struct nnrt__dot *d, int l)
{
    return d->map + 3 + NNRT_MAP_FIELDS * l;
}

/* Is layer l (-1: the input) drawn as a map: a conv or pool layer, or the input of a network with them? */
static int is_map(const struct nnrt__dot *d, int l)
{
    return d->map != NULL && (l < 0 || map_of(d, l)[NNRT_MAP_KIND] != NNRT_DENSE);
}

/* The first dense layer: the maps come before it. */
static int first_dense(const struct nnrt__dot *d)
{
    int l = 0;
    while (l < d->nlayers && is_map(d, l))
        l++;
    return l;
}

/* The rows, columns and channels of layer l's map (-1: the input map). */
static void map_shape(const struct nnrt__dot *d, int l, int *h, int *w, int *c)
{
    if (l < 0) {
        *h = d->map[0], *w = d->map[1], *c = d->map[2];
        return;
    }
    const int *m = map_of(d, l);
    *h = m[NNRT_MAP_H], *w = m[NNRT_MAP_W], *c = m[NNRT_MAP_C];
}

/* Layer l's weights: a conv's filters' taps, a dense layer's inputs by neurons, a pool's none. */
static int layer_weights(const struct nnrt__dot *d, int l)
{
    if (!is_map(d, l))
        return layer_size(d, l - 1) * layer_size(d, l);
    const int *m = map_of(d, l);
    int h, w, c;
    map_shape(d, l - 1, &h, &w, &c);
    return m[NNRT_MAP_KIND] == NNRT_CONV ? m[NNRT_MAP_KH] * m[NNRT_MAP_KW] * c * m[NNRT_MAP_C] : 0;
}

/* Layer l's biases: one a neuron or a filter, a pool's none. */
static int layer_biases(const struct nnrt__dot *d, int l)
{
    if (!is_map(d, l))
        return layer_size(d, l);
    return map_of(d, l)[NNRT_MAP_KIND] == NNRT_CONV ? map_of(d, l)[NNRT_MAP_C] : 0;
}

/* Of the conv layers (kind conv) or the pool layers (else), which one layer l is: 1, 2, ... */
static int map_ordinal(const struct nnrt__dot *d, int l)
{
    int conv = map_of(d, l)[NNRT_MAP_KIND] == NNRT_CONV, n = 0;
    for (int k = 0; k <= l; k++)
        n += (map_of(d, k)[NNRT_MAP_KIND] == NNRT_CONV) == conv;
    return n;
}

/* The node of neuron j of layer l (-1: the inputs): x1, h1, h1_2 (several hidden layers), o1. */
static const char *node_name(const struct nnrt__dot *d, int l, int j, char buf[32])
{
    int first = first_dense(d);
    if (l < 0)
        snprintf(buf, 32, "x%d", j + 1);
    else if (l == d->nlayers - 1)
        snprintf(buf, 32, "o%d", j + 1);
    else if (d->nlayers - first == 2)
        snprintf(buf, 32, "h%d", j + 1);
    else
        snprintf(buf, 32, "h%d_%d", l - first + 1, j + 1);
    return buf;
}

/* The places of layer l's drawing: one per neuron, DOT_HEAD + 2 when collapsed, one for a map. */
static int nslots(const struct nnrt__dot *d, int l)
{
    int n = layer_size(d, l);
    if (is_map(d, l))
        return 1;
    return n > DOT_COLLAPSE ? DOT_HEAD + 2 : n;
}

/* The neuron at place k of layer l's drawing, or -1 for the "..." of a collapsed layer. */
static int slot_neuron(const struct nnrt__dot *d, int l, int k)
{
    int n = layer_size(d, l);
    if (n <= DOT_COLLAPSE || k < DOT_HEAD || is_map(d, l))
        return k;
    return k == DOT_HEAD ? -1 : n - 1;
}

/* The node of place k of layer l: the neuron's, or more0 (inputs), more1 .. for a "...", or a map's x, c1, p1. */
static const char *slot_name(const struct nnrt__dot *d, int l, int k, char buf[32])
{
    int j = slot_neuron(d, l, k);
    if (is_map(d, l) && l < 0)
        snprintf(buf, 32, "x");
    else if (is_map(d, l))
        snprintf(buf, 32, "%c%d", map_of(d, l)[NNRT_MAP_KIND] == NNRT_CONV ? 'c' : 'p', map_ordinal(d, l));
    else if (j >= 0)
        return node_name(d, l, j, buf);
    else
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

/* The graph's opening; nedges is how many edges would carry a weight's label. */
static void header(const struct nnrt__dot *d, int nedges, int nweights, int labelled)
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
        say(d, "    // %d edges: their weight labels are left out to keep the drawing usable.\n", nedges);
        say(d, "    // The weights are w1 .. w%d, layer by layer, neuron by neuron, input by input.\n", nweights);
    }
}

/* The subgraph's id of layer l (NNRT__DOT_SPEC): input, conv1, pool1, hidden1 .., output. */
static const char *layer_id(const struct nnrt__dot *d, int l, char buf[32])
{
    if (l < 0)
        return "input";
    if (l == d->nlayers - 1)
        return "output";
    if (is_map(d, l))
        snprintf(buf, 32, "%s%d", map_of(d, l)[NNRT_MAP_KIND] == NNRT_CONV ? "conv" : "pool", map_ordinal(d, l));
    else
        snprintf(buf, 32, "hidden%d", l - first_dense(d) + 1);
    return buf;
}

/* A map layer's title: "conv layer 1" or "pool layer 2". */
static void map_title(const struct nnrt__dot *d, int l)
{
    say(d, "%s layer %d", map_of(d, l)[NNRT_MAP_KIND] == NNRT_CONV ? "conv" : "pool", map_ordinal(d, l));
}

static void open_layer(const struct nnrt__dot *d, int l)
{
    if (d->style == NNRT__DOT_WEIGHTS) {
        if (l < 0)
            say(d, "    subgraph cluster_inputs {\n        label=\"%s\";\n", is_map(d, l) ? "input" : "inputs");
        else if (is_map(d, l)) {
            say(d, "    subgraph cluster_layer%d {\n        label=\"", l + 1);
            map_title(d, l);
            say(d, "\";\n");
        } else
            say(d, "    subgraph cluster_layer%d {\n        label=\"%s\";\n", l + 1,
                l == d->nlayers - 1 ? "output" : "hidden");
        return;
    }
    /* The layer's title is the rank's first node. */
    char buf[32];
    const char *id = layer_id(d, l, buf);
    int first = first_dense(d);
    say(d, "\n    subgraph layer_%s {\n        rank=same;\n", id);
    say(d, "        title_%s [shape=plaintext, fixedsize=false, label=\"", id);
    if (l < 0)
        say(d, "%s", d->ninputs == 1 || is_map(d, l) ? "input" : "inputs");
    else if (is_map(d, l))
        map_title(d, l);
    else if (l == d->nlayers - 1)
        say(d, "output layer, ");
    else if (d->nlayers - first == 2)
        say(d, "hidden layer, ");
    else
        say(d, "hidden layer %d, ", l - first + 1);
    if (l >= 0 && !is_map(d, l))
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

/* A stride (or a shape's two sizes) as the spec says it: 2 when both are 2, else 1x4. */
static void say_pair(const struct nnrt__dot *d, int a, int b)
{
    if (a == b)
        say(d, "%d", a);
    else
        say(d, "%dx%d", a, b);
}

/* A program's conv layer l: each of its first filters' bias and first weights, w its first weight. */
static void filter_values(const struct nnrt__dot *d, int l, int w, int bias)
{
    const int *m = map_of(d, l);
    int nf = m[NNRT_MAP_C], taps = layer_weights(d, l) / nf;
    for (int f = 0; f < nf && f < DOT_HEAD; f++) {
        say(d, "\\nfilter %d: b = %.*g, w =", f + 1, DOT_DIGITS, d->param(d->param_arg, bias + f));
        for (int k = 0; k < taps && k < DOT_TAPS; k++)
            say(d, " %.*g", DOT_DIGITS, d->param(d->param_arg, w + f * taps + k));
        if (taps > DOT_TAPS)
            say(d, " ... (%d more)", taps - DOT_TAPS);
    }
    if (nf <= DOT_HEAD)
        return;
    /* The rest in two ranges, which show the scale of what is left out. */
    double lo = d->param(d->param_arg, w), hi = lo, blo = d->param(d->param_arg, bias), bhi = blo;
    for (int k = 0; k < nf * taps; k++) {
        double x = d->param(d->param_arg, w + k);
        lo = x < lo ? x : lo, hi = x > hi ? x : hi;
    }
    for (int f = 0; f < nf; f++) {
        double x = d->param(d->param_arg, bias + f);
        blo = x < blo ? x : blo, bhi = x > bhi ? x : bhi;
    }
    say(d, "\\n... %d more filters\\nall %d: b from %.*g to %.*g", nf - DOT_HEAD, nf, DOT_DIGITS, blo, DOT_DIGITS, bhi);
    say(d, ", w from %.*g to %.*g", DOT_DIGITS, lo, DOT_DIGITS, hi);
}

/* Layer l's map (-1: the input map) as one node, a stack; its weights start at w, its biases at bias. */
static void map_node(const struct nnrt__dot *d, int l, int w, int bias, int nweights)
{
    char a[32];
    int h, wd, c, spec = d->style == NNRT__DOT_SPEC;
    map_shape(d, l, &h, &wd, &c);
    say(d, "        %s [shape=box3d, fixedsize=false, margin=\"0.15,0.08\", style=filled, fillcolor=\"%s\",\n            label=\"%s\\n", slot_name(d, l, 0, a),
        l < 0 ? "#eeeeee" : map_of(d, l)[NNRT_MAP_KIND] == NNRT_CONV ? "#dbe9f6" : "#e5f2e0", a);
    if (l < 0) {
        say(d, "input %dx%dx%d", h, wd, c);
        if (spec)
            say(d, "\\nx[0] .. x[%d]", d->ninputs - 1);
        say(d, "\"];\n");
        return;
    }
    const int *m = map_of(d, l);
    int kind = m[NNRT_MAP_KIND];
    if (kind == NNRT_CONV) {
        say(d, "conv %d %dx%d ", c, m[NNRT_MAP_KH], m[NNRT_MAP_KW]);
        d->put(d->out, d->act[l]);
    } else {
        say(d, "pool %s %dx%d", kind == NNRT_MAX_POOL ? "max" : "avg", m[NNRT_MAP_KH], m[NNRT_MAP_KW]);
    }
    say(d, ", stride ");
    say_pair(d, m[NNRT_MAP_SH], m[NNRT_MAP_SW]);
    if (m[NNRT_MAP_PAD] > 0)
        say(d, ", padding %d", m[NNRT_MAP_PAD]);
    say(d, "\\n%dx%dx%d: %d map%s of %dx%d", h, wd, c, c, c == 1 ? "" : "s", h, wd);
    if (kind == NNRT_CONV && spec) {
        int n = layer_weights(d, l);
        say(d, "\\n%d filters of %dx%dx%d: w%d .. w%d", c, m[NNRT_MAP_KH], m[NNRT_MAP_KW], n / (c * m[NNRT_MAP_KH] *
            m[NNRT_MAP_KW]), w + 1, w + n);
        say(d, "\\nbiases b%d .. b%d", bias - nweights + 1, bias - nweights + c);
    } else if (kind == NNRT_CONV) {
        filter_values(d, l, w, bias);
    }
    say(d, "\"];\n");
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

/* The edge into map layer l from the map below: its kernel or window. */
static void map_edge(const struct nnrt__dot *d, int l)
{
    char a[32], b[32];
    const int *m = map_of(d, l);
    say(d, "    %s -> %s [label=\"%dx%d %s\"];\n", slot_name(d, l - 1, 0, b), slot_name(d, l, 0, a), m[NNRT_MAP_KH],
        m[NNRT_MAP_KW], m[NNRT_MAP_KIND] == NNRT_CONV ? "kernel" : "window");
}

/* The edges into dense layer l from the map below, flattened: one into each neuron, for its weights. */
static void flat_edges(const struct nnrt__dot *d, int l, int w, int labelled)
{
    char a[32], b[32];
    int fan_in = layer_size(d, l - 1);
    for (int k = 0; k < nslots(d, l); k++) {
        int j = slot_neuron(d, l, k);
        say(d, "    %s -> %s", slot_name(d, l - 1, 0, b), slot_name(d, l, k, a));
        if (j < 0)
            say(d, " [style=dashed, color=\"#999999\"]");
        else if (labelled)
            say(d, " [label=\"w%d .. w%d\", decorate=true%s]", w + j * fan_in + 1, w + (j + 1) * fan_in,
                d->style == NNRT__DOT_SPEC ? "" : ", color=\"#999999\"");
        else if (d->style == NNRT__DOT_WEIGHTS)
            say(d, " [color=\"#999999\"]");
        say(d, ";\n");
    }
}

/* The edges into layer l, whose first weight is w. */
static void edges(const struct nnrt__dot *d, int l, int w, double max, int labelled)
{
    char a[32], b[32];
    int fan_in = layer_size(d, l - 1);
    if (is_map(d, l)) {
        map_edge(d, l);
        return;
    }
    if (is_map(d, l - 1)) {
        flat_edges(d, l, w, labelled);
        return;
    }
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
}

/* nnc's ending: y_pred (y_pred[k] with several outputs), as the tutorial's figure ends, after every edge. */
static void predictions(const struct nnrt__dot *d, int labelled)
{
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
    for (int l = 0, w = 0; l < d->nlayers; l++) {
        edges(d, l, w, 0, labelled);
        w += layer_weights(d, l);
    }
    for (int k = 0; k < nslots(d, last); k++)
        if (slot_neuron(d, last, k) >= 0)
            say(d, "    %s -> y%d;\n", slot_name(d, last, k, a), slot_neuron(d, last, k) + 1);
}

void nnrt__dot_write(const struct nnrt__dot *d)
{
    int spec = d->style == NNRT__DOT_SPEC, nweights = 0, first = first_dense(d), wfirst = 0, nedges = 0;
    for (int l = 0; l < d->nlayers; l++) {
        nweights += layer_weights(d, l);
        if (l < first)
            wfirst += layer_weights(d, l);
        else /* the edges that would carry a weight's label: one a neuron from a map */
            nedges += (is_map(d, l - 1) ? 1 : layer_size(d, l - 1)) * layer_size(d, l);
    }
    int labelled = nedges <= DOT_MAX_LABELLED;
    double max = 0; /* the largest dense weight's size, which the widest edge shows */
    for (int i = wfirst; i < nweights && !spec; i++)
        if (fabs(d->param(d->param_arg, i)) > max)
            max = fabs(d->param(d->param_arg, i));

    header(d, nedges, nweights, labelled);
    /* A program's drawing puts each layer's edges after it; nnc's, all of them after y_pred. */
    for (int l = -1, bias = nweights, w = 0; l < d->nlayers; l++) {
        open_layer(d, l);
        for (int k = 0; k < nslots(d, l); k++) {
            int j = slot_neuron(d, l, k);
            if (is_map(d, l))
                map_node(d, l, w, bias, nweights);
            else if (j < 0)
                ellipsis(d, l);
            else
                node(d, l, j, nweights, bias + j);
        }
        close_layer(d, l);
        if (l >= 0 && !spec)
            edges(d, l, w, max, labelled);
        if (l >= 0) {
            bias += layer_biases(d, l);
            w += layer_weights(d, l);
        }
    }
    if (spec)
        predictions(d, labelled);
    say(d, "}\n");
}
