/*
 * dot.c: the network drawn as a Graphviz graph, laid out like the tutorial's figures.
 *
 * Layers run left to right (rankdir=LR): the inputs, each hidden layer,
 * the output layer, then the prediction.  Each layer is a cluster with its
 * activation in its label; each neuron shows its name, its bias and its
 * activation (h1, b1, sigmoid) and each edge its weight (w1), the names of
 * the generated C, so that the picture and the code can be read side by
 * side.  Past DOT_MAX_LABELLED edges the weight labels are left out (and a
 * comment in the graph says so): dot would spend minutes placing them and
 * nobody could read them.
 *
 * Node ids are x1.. for the inputs (labelled with the spec's input names,
 * when it gives them), the neuron names for neurons and y1.. for the
 * predictions, so that no input name can clash with a neuron.
 */
#include "nnc.h"

/* Networks with more edges (weights) than this are drawn without weight labels. */
#define DOT_MAX_LABELLED 200

/* s as the inside of a DOT string: quotes and backslashes escaped. */
static void put_quoted(Ctx *c, Buf *out, const char *s)
{
    for (const char *p = s; *p; p++) {
        if (*p == '"' || *p == '\\')
            buf_printf(c, out, "\\%c", *p);
        else
            buf_printf(c, out, "%c", *p);
    }
}

/* The DOT id of the j-th input of neuron u: x<j+1> or an earlier neuron. */
static const char *source_of(Ctx *c, Net *net, Neuron *u, int j)
{
    if (u->first_input < 0)
        return ctx_printf(c, "x%d", j + 1);
    return net->neurons[u->first_input + j].name;
}

void emit_dot(Ctx *c, Net *net, Buf *out)
{
    Spec *s = net->spec;
    int labelled = net->nweights <= DOT_MAX_LABELLED;

    buf_printf(c, out, "/*\n * The network '%s' of %s, drawn by nnc %s.\n", s->name, s->file,
               NNC_VERSION);
    buf_printf(c, out, " * Render it with: dot -Tsvg FILE.dot -o FILE.svg\n */\n");
    buf_printf(c, out, "digraph %s {\n", s->name);
    buf_printf(c, out, "    rankdir=LR;\n");
    buf_printf(c, out, "    ordering=out;      // neurons top to bottom in the order h1, h2, ...\n");
    buf_printf(c, out, "    ranksep=1.2;\n");
    buf_printf(c, out, "    node [shape=circle, fixedsize=true, width=0.9, fontsize=12];\n");
    buf_printf(c, out, "    edge [fontsize=10, arrowsize=0.6];\n");
    if (!labelled)
        buf_printf(c, out,
                   "    // %d edges: their weight labels are left out to keep the drawing usable.\n"
                   "    // Weights are w1 .. w%d layer by layer, neuron by neuron, input by input.\n",
                   net->nweights, net->nweights);

    buf_printf(c, out, "\n    subgraph cluster_input {\n");
    buf_printf(c, out, "        label=\"input%s\";\n        style=rounded;\n        color=gray;\n",
               s->ninputs == 1 ? "" : "s");
    for (int i = 0; i < s->ninputs; i++) {
        buf_printf(c, out, "        x%d [label=\"", i + 1);
        if (s->input_names != NULL)
            put_quoted(c, out, s->input_names[i]);
        else
            buf_printf(c, out, "x%d", i + 1);
        buf_printf(c, out, "\", tooltip=\"x[%d]\", fixedsize=false, style=filled, fillcolor=\"#eeeeee\"];\n", i);
    }
    buf_printf(c, out, "    }\n");

    for (int l = 0; l < s->nlayers; l++) {
        int first = net->layer_first[l], last = net->layer_first[l + 1];
        const char *act = act_names[s->layers[l].act];
        buf_printf(c, out, "\n");
        if (l == s->nlayers - 1)
            buf_printf(c, out, "    subgraph cluster_output {\n        label=\"output layer, %s\";\n",
                       act);
        else if (s->nlayers == 2)
            buf_printf(c, out, "    subgraph cluster_hidden {\n        label=\"hidden layer, %s\";\n",
                       act);
        else
            buf_printf(c, out,
                       "    subgraph cluster_hidden%d {\n        label=\"hidden layer %d, %s\";\n",
                       l + 1, l + 1, act);
        buf_printf(c, out, "        style=rounded;\n        color=gray;\n");
        for (int id = first; id < last; id++) {
            Neuron *u = &net->neurons[id];
            buf_printf(c, out, "        %s [label=\"%s\\n%s\\n%s\"];\n", u->name, u->name,
                       net->params[u->bias].name, act);
        }
        buf_printf(c, out, "    }\n");
    }

    /* The prediction: y_pred with one output, as the tutorial's figure ends; y_pred[k] with several. */
    buf_printf(c, out, "\n");
    int first_out = net->layer_first[s->nlayers - 1];
    for (int k = 0; k < net->noutputs; k++) {
        if (net->noutputs == 1)
            buf_printf(c, out, "    y1 [shape=plaintext, fixedsize=false, label=\"y_pred\"];\n");
        else
            buf_printf(c, out, "    y%d [shape=plaintext, fixedsize=false, label=\"y_pred[%d]\"];\n",
                       k + 1, k);
    }

    buf_printf(c, out, "\n");
    for (int id = 0; id < net->nneurons; id++) {
        Neuron *u = &net->neurons[id];
        for (int j = 0; j < u->ninputs; j++) {
            buf_printf(c, out, "    %s -> %s", source_of(c, net, u, j), u->name);
            if (labelled)
                buf_printf(c, out, " [label=\"%s\"]", net->params[u->weight[j]].name);
            buf_printf(c, out, ";\n");
        }
    }
    for (int k = 0; k < net->noutputs; k++)
        buf_printf(c, out, "    %s -> y%d;\n", net->neurons[first_out + k].name, k + 1);
    buf_printf(c, out, "}\n");
}
