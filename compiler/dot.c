/*
 * dot.c: the network as a Graphviz graph, drawn like the tutorial's figures.
 *
 * Layers run left to right (rankdir=LR): the inputs, each hidden layer, the
 * output layer, then the prediction.  Each neuron shows its name, its bias
 * and its activation (h1, b1, sigmoid) and each edge its weight (w1): the
 * names of the generated C, so that the picture and the code can be read
 * side by side.  Past DOT_MAX_LABELLED edges the weight labels are left out,
 * and a comment in the graph says so: dot would take long to place them and
 * nobody could read them.
 *
 * Each layer is a `rank=same` subgraph whose title and neurons are chained
 * by invisible edges, which holds h1 above h2 above h3.  Clusters would
 * draw a box around each layer, but dot then shuffles the neurons inside.
 * Node ids are x1.. for the inputs (labelled with the spec's input names
 * when it gives them), the neuron names for neurons, y1.. for the
 * predictions and title_* for the layers' titles: none can clash.
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

/* Opens the subgraph of one layer, with its title as the rank's first node. */
static void open_layer(Ctx *c, Buf *out, const char *id, const char *title)
{
    buf_printf(c, out, "\n    subgraph layer_%s {\n        rank=same;\n", id);
    buf_printf(c, out, "        title_%s [shape=plaintext, fixedsize=false, label=\"%s\"];\n", id,
               title);
}

/* Closes a layer's subgraph: the invisible chain title_id -> ids[0] -> ids[1] ... */
static void close_layer(Ctx *c, Buf *out, const char *id, const char **ids, int n)
{
    buf_printf(c, out, "        title_%s", id);
    for (int i = 0; i < n; i++)
        buf_printf(c, out, "%s-> %s", i % 10 == 9 ? "\n            " : " ", ids[i]);
    buf_printf(c, out, " [style=invis];\n    }\n");
}

void emit_dot(Ctx *c, Net *net, Buf *out)
{
    Spec *s = net->spec;
    int labelled = net->nweights <= DOT_MAX_LABELLED;

    buf_printf(c, out, "/*\n * The network '%s' of %s, drawn by nnc %s.\n", s->name, comment_text(c, s->file),
               NNC_VERSION);
    buf_printf(c, out, " * Render it with: dot -Tsvg FILE.dot -o FILE.svg\n */\n");
    /* Quoted, as a network may be called graph or node, keywords of DOT. */
    buf_printf(c, out, "digraph \"%s\" {\n", s->name);
    buf_printf(c, out, "    rankdir=LR;\n    ranksep=1.2;\n");
    buf_printf(c, out, "    node [shape=circle, fixedsize=true, width=0.9, fontsize=12];\n");
    buf_printf(c, out, "    edge [fontsize=10, arrowsize=0.6];\n");
    if (!labelled)
        buf_printf(c, out,
                   "    // %d edges: their weight labels are left out to keep the drawing usable.\n"
                   "    // The weights are w1 .. w%d, layer by layer, neuron by neuron, input by"
                   " input.\n",
                   net->nweights, net->nweights);

    const char **x = ctx_array(c, (size_t)s->ninputs, sizeof *x);
    open_layer(c, out, "input", s->ninputs == 1 ? "input" : "inputs");
    for (int i = 0; i < s->ninputs; i++) {
        x[i] = ctx_printf(c, "x%d", i + 1);
        buf_printf(c, out, "        %s [label=\"", x[i]);
        put_quoted(c, out, s->input_names != NULL ? s->input_names[i] : x[i]);
        buf_printf(c, out, "\", tooltip=\"x[%d]\", fixedsize=false, style=filled, "
                   "fillcolor=\"#eeeeee\"];\n", i);
    }
    close_layer(c, out, "input", x, s->ninputs);

    for (int l = 0; l < s->nlayers; l++) {
        int first = net->layer_first[l], size = s->layers[l].size;
        const char *act = act_names[s->layers[l].act];
        const char *id, *title;
        if (l == s->nlayers - 1) {
            id = "output";
            title = ctx_printf(c, "output layer, %s", act);
        } else {
            id = ctx_printf(c, "hidden%d", l + 1);
            title = s->nlayers == 2 ? ctx_printf(c, "hidden layer, %s", act)
                                    : ctx_printf(c, "hidden layer %d, %s", l + 1, act);
        }
        const char **ids = ctx_array(c, (size_t)size, sizeof *ids);
        open_layer(c, out, id, title);
        for (int i = 0; i < size; i++) {
            Neuron *u = &net->neurons[first + i];
            ids[i] = u->name;
            buf_printf(c, out, "        %s [label=\"%s\\n%s\\n%s\"];\n", u->name, u->name,
                       net->params[u->bias].name, act);
        }
        close_layer(c, out, id, ids, size);
    }

    /* The prediction: y_pred, as the tutorial's figure ends; y_pred[k] with several outputs. */
    buf_printf(c, out, "\n");
    for (int k = 0; k < net->noutputs; k++) {
        buf_printf(c, out, "    y%d [shape=plaintext, fixedsize=false, label=\"y_pred", k + 1);
        if (net->noutputs > 1)
            buf_printf(c, out, "[%d]", k);
        buf_printf(c, out, "\"];\n");
    }

    buf_printf(c, out, "\n");
    for (int id = 0; id < net->nneurons; id++) {
        Neuron *u = &net->neurons[id];
        for (int j = 0; j < u->ninputs; j++) {
            const char *from = u->first_input < 0 ? x[j] : net->neurons[u->first_input + j].name;
            buf_printf(c, out, "    %s -> %s", from, u->name);
            if (labelled)
                buf_printf(c, out, " [label=\"%s\"]", net->params[u->weight[j]].name);
            buf_printf(c, out, ";\n");
        }
    }
    int first_out = net->layer_first[s->nlayers - 1];
    for (int k = 0; k < net->noutputs; k++)
        buf_printf(c, out, "    %s -> y%d;\n", net->neurons[first_out + k].name, k + 1);
    buf_printf(c, out, "}\n");
}
