/*
 * emit_compact.c: the compact form, loops over arrays, for big layers.
 *
 * In the compact form the weights are one array, w[k] being w<k+1>, and
 * the biases another; a layer's activations are an array named after its
 * neurons (h, or h1, h2 with several hidden layers; o), so that h[j] is
 * the neuron the unrolled form calls h<j+1>.  Each loop says in a comment
 * which partial it computes, with the same names as the unrolled form.
 * A network past UNROLL_MAX_WEIGHTS is written so: neuron by neuron, its
 * C would grow with every weight, and the loops let the C compiler
 * vectorise.
 */
#include <string.h>

#include "emit.h"

const char *layer_array(Emitter *e, int l)
{
    if (l < 0)
        return "x";
    if (l == e->s->nlayers - 1)
        return "o";
    /* Named as its units are: h for h1, h2 .. (one hidden layer), h2 for h2_1 .., c1 for c1_1_1_1 ... */
    const char *u = e->net->neurons[e->net->layer_first[l]].name;
    if (e->s->layers[l].type != LAYER_DENSE || strchr(u, '_') != NULL)
        return ctx_strndup(e->c, u, strcspn(u, "_"));
    return "h";
}

static int fan_in(Emitter *e, int l)
{
    return l == 0 ? e->s->ninputs : e->s->layers[l - 1].size;
}

/* Index of layer l's first weight and first bias. */
static int weight_base(Emitter *e, int l)
{
    return e->net->neurons[e->net->layer_first[l]].weight[0];
}

static int bias_base(Emitter *e, int l)
{
    return e->net->neurons[e->net->layer_first[l]].bias - e->net->nweights;
}

const char *deriv_at(Emitter *e, int l, const char *j)
{
    const char *a = layer_array(e, l);
    switch (e->s->layers[l].act) {
    case ACT_SIGMOID:
        return ctx_printf(e->c, "%s[%s] * (1 - %s[%s])", a, j, a, j);
    case ACT_TANH:
        return ctx_printf(e->c, "1 - %s[%s] * %s[%s]", a, j, a, j);
    case ACT_RELU:
        return ctx_printf(e->c, "(sum_%s[%s] > 0 ? 1.0%s : 0.0%s)", a, j, e->f, e->f);
    case ACT_LEAKY_RELU:
        return ctx_printf(e->c, "(sum_%s[%s] > 0 ? 1.0%s : 0.01%s)", a, j, e->f, e->f);
    case ACT_LINEAR:
        return ctx_printf(e->c, "1.0%s", e->f);
    case ACT_SOFTMAX:
        break;
    }
    bug("no derivative for activation %d", e->s->layers[l].act);
}

int needs_sum(Act act)
{
    return act == ACT_RELU || act == ACT_LEAKY_RELU || act == ACT_SOFTMAX;
}

/*
 * The sums and activations of every layer, as loops: each neuron's sum is
 * a dot product, kept in four partial sums past 8 inputs, which lets the
 * compiler overlap the additions (and vectorise them).  The activations
 * follow in a loop of their own, so that the layer's calls of exp are
 * independent of each other and of the sums, and can run side by side.
 * The sums are kept in sum_a[] when the backward pass needs them (relu,
 * leaky relu, softmax); otherwise each activation replaces its sum in a[].
 */
static void emit_compact_forward(Emitter *e, CompactLines *lines)
{
    Spec *s = e->s;
    for (int l = 0; l < s->nlayers; l++) {
        if (lines != NULL)
            lines[l].forward.first = e->line;
        if (s->layers[l].type != LAYER_DENSE) {
            emit_map_forward(e, l);
            if (lines != NULL)
                lines[l].forward.last = e->line - 1;
            W("\n");
            continue;
        }
        const char *a = layer_array(e, l), *in = layer_array(e, l - 1);
        int n = fan_in(e, l), size = s->layers[l].size, wb = weight_base(e, l), bb = bias_base(e, l);
        Act act = s->layers[l].act;
        W("    /* Layer %s: sum_%s[j] = w[%d + %d j + i] * %s[i] over i, + b[%d + j] */\n", a, a, wb, n, in, bb);
        block(e, s->layers[l].line);
        const char *to = needs_sum(act) ? "sum_" : ""; /* the sums go to sum_a[] or a[] */
        if (needs_sum(act))
            W("    %s sum_%s[%d], %s[%d];\n", e->type, a, size, a, size);
        else if (act != ACT_LINEAR)
            W("    %s %s[%d]; /* %s[j] holds sum_%s[j] until the activation replaces it */\n", e->type, a, size, a, a);
        else
            W("    %s %s[%d];\n", e->type, a, size);
        W("    for (int j = 0; j < %d; j++) {\n", size);
        W("        const %s *w = nn->w + %d + %d * j;\n", e->type, wb, n);
        if (n >= 8) {
            W("        %s s0 = 0, s1 = 0, s2 = 0, s3 = 0;\n", e->type);
            W("        for (int i = 0; i < %d; i += 4) {\n", n / 4 * 4);
            for (int k = 0; k < 4; k++)
                W("            s%d += w[i + %d] * %s[i + %d];\n", k, k, in, k);
            W("        }\n");
            if (n % 4 != 0)
                W("        for (int i = %d; i < %d; i++)\n            s0 += w[i] * %s[i];\n", n / 4 * 4, n, in);
            W("        %s%s[j] = (s0 + s1) + (s2 + s3) + nn->b[%d + j];\n", to, a, bb);
        } else {
            W("        %s sum = nn->b[%d + j];\n", e->type, bb);
            W("        for (int i = 0; i < %d; i++)\n            sum += w[i] * %s[i];\n", n, in);
            W("        %s%s[j] = sum;\n", to, a);
        }
        W("    }\n");
        if (act == ACT_SIGMOID)
            W("    for (int j = 0; j < %d; j++)\n        %s[j] = %ssigmoid_nobranch%s(%s[j]);\n", size, a, e->rt, e->f, a);
        else if (act != ACT_SOFTMAX && act != ACT_LINEAR)
            W("    for (int j = 0; j < %d; j++)\n        %s[j] = %s(%s%s[j]);\n", size, a, act_fn(e, act), to, a);
        if (act == ACT_SOFTMAX) {
            W("    /* Softmax: o[k] = e^(sum_o[k] - m) / sum_j e^(sum_o[j] - m), m the largest sum */\n");
            W("    %s max_sum_o = sum_o[0];\n", e->type);
            W("    for (int k = 1; k < %d; k++)\n        if (sum_o[k] > max_sum_o)\n            max_sum_o = sum_o[k];\n", size);
            W("    %s sum_exp = 0;\n", e->type);
            W("    for (int k = 0; k < %d; k++) {\n        o[k] = exp%s(sum_o[k] - max_sum_o);\n        sum_exp += o[k];\n    }\n", size, e->f);
            W("    for (int k = 0; k < %d; k++)\n        o[k] /= sum_exp;\n", size);
        }
        if (lines != NULL)
            lines[l].forward.last = e->line - 1;
        block(e, 0);
        W("\n");
    }
}

/* partial L / partial sum_o[k] for every output, into d_L_d_sum_o, then a blank line. */
static void emit_compact_loss_partials(Emitter *e)
{
    Spec *s = e->s;
    int no = e->net->noutputs, l = s->nlayers - 1;
    W("    %s d_L_d_sum_o[%d];\n", e->type, no);
    if (s->loss == LOSS_CE) {
        W("    /* Cross-entropy through softmax: partial L / partial sum_o[k] = o[k] - y_true[k] */\n");
        W("    for (int k = 0; k < %d; k++)\n        d_L_d_sum_o[k] = o[k] - y_true[k];\n\n", no);
        return;
    }
    if (s->loss == LOSS_BCE) {
        W("    /* Binary cross-entropy through the sigmoid: partial L / partial sum_o[k] = (o[k] - y_true[k]) / %d */\n", no);
        W("    for (int k = 0; k < %d; k++)\n        d_L_d_sum_o[k] = (o[k] - y_true[k]) / %d;\n\n", no, no);
        return;
    }
    W("    /* partial L / partial o[k] = -2 * (y_true[k] - o[k]) / %d */\n", no);
    W("    %s d_L_d_o[%d];\n", e->type, no);
    W("    for (int k = 0; k < %d; k++)\n        d_L_d_o[k] = -2 * (y_true[k] - o[k]) / %d;\n", no, no);
    if (s->layers[l].act == ACT_SOFTMAX) {
        W("    /* Softmax: partial L / partial sum_o[k] = o[k] * (d_L_d_o[k] - sum_j d_L_d_o[j] * o[j]) */\n");
        W("    %s d_L_d_o_dot_o = 0;\n", e->type);
        W("    for (int k = 0; k < %d; k++)\n        d_L_d_o_dot_o += d_L_d_o[k] * o[k];\n", no);
        W("    for (int k = 0; k < %d; k++)\n        d_L_d_sum_o[k] = o[k] * (d_L_d_o[k] - d_L_d_o_dot_o);\n\n", no);
    } else {
        W("    /* partial L / partial sum_o[k] = d_L_d_o[k] * f'(sum_o[k]) */\n");
        W("    for (int k = 0; k < %d; k++)\n        d_L_d_sum_o[k] = d_L_d_o[k] * (%s);\n\n", no,
          deriv_at(e, l, "k"));
    }
}

/*
 * Backpropagation through the layers, from the output back.  For a layer
 * with partials d_L_d_sum_<a>[j]: each weight's partial is that times its
 * input, each bias's is that alone, and the partial of each input neuron
 * sums, over the neurons it feeds, that times the weight between them.
 * train says what to do with a parameter's partial: update the parameter
 * (train_sample) or add it to sum_d_L_d (backprop).
 */
static void emit_compact_backward(Emitter *e, int train, CompactLines *lines)
{
    Spec *s = e->s;
    W("    /* --- Calculate partial derivatives. */\n");
    LineRange loss = {e->line, 0};
    emit_compact_loss_partials(e);
    loss.last = e->line - 2; /* before the blank line */
    for (int l = s->nlayers - 1; l >= 0; l--) {
        if (s->layers[l].type != LAYER_DENSE) {
            if (lines != NULL)
                lines[l].backward.first = e->line;
            emit_map_backward(e, l, train);
            if (lines != NULL)
                lines[l].backward.last = e->line - 1;
            if (l > 0)
                W("\n");
            continue;
        }
        const char *a = layer_array(e, l), *in = layer_array(e, l - 1);
        int n = fan_in(e, l), size = s->layers[l].size, wb = weight_base(e, l), bb = bias_base(e, l);
        block(e, s->layers[l].line);
        /* With --line-directives, a #line comes before the block's first line. */
        if (lines != NULL)
            lines[l].backward.first = e->line + (e->c->line_directives != 0);
        if (l < s->nlayers - 1) {
            W("    /* Layer %s: partial L / partial sum_%s[j] = d_L_d_%s[j] * f'(sum_%s[j]) */\n", a, a, a, a);
            W("    %s d_L_d_sum_%s[%d];\n", e->type, a, size);
            W("    for (int j = 0; j < %d; j++)\n        d_L_d_sum_%s[j] = d_L_d_%s[j] * (%s);\n", size, a, a,
              deriv_at(e, l, "j"));
        }
        W("    /*\n");
        W("     * Layer %s: partial L / partial w[%d + %d j + i] = d_L_d_sum_%s[j] * %s[i],\n", a, wb, n, a, in);
        int back = l > 0 && needs_partials(e->net, l - 1); /* the partials of its inputs */
        W("     * partial L / partial b[%d + j] = d_L_d_sum_%s[j]", bb, a);
        if (back)
            W(",\n     * partial L / partial %s[i] = sum_j d_L_d_sum_%s[j] * w[%d + %d j + i]", in, a, wb, n);
        W("%s\n     */\n", train ? " (taken before w changes)" : "");
        if (back)
            W("    %s d_L_d_%s[%d] = {0};\n", e->type, in, n);
        W("    for (int j = 0; j < %d; j++) {\n", size);
        W("        %s d = d_L_d_sum_%s[j];\n", e->type, a);
        if (train || back)
            W("        %s%s *w = nn->w + %d + %d * j;\n", train ? "" : "const ", e->type, wb, n);
        if (!train)
            W("        %s *g = sum_d_L_d->w + %d + %d * j;\n", e->type, wb, n);
        W("        for (int i = 0; i < %d; i++) {\n", n);
        if (back)
            W("            d_L_d_%s[i] += d * w[i];\n", in);
        if (train)
            W("            w[i] -= learn_rate * (d * %s[i]);\n", in);
        else
            W("            g[i] += d * %s[i];\n", in);
        W("        }\n");
        if (train)
            W("        nn->b[%d + j] -= learn_rate * d;\n", bb);
        else
            W("        sum_d_L_d->b[%d + j] += d;\n", bb);
        W("    }\n");
        if (lines != NULL)
            lines[l].backward.last = e->line - 1;
        block(e, 0);
        if (l > 0) /* the last layer's is followed by the closing brace */
            W("\n");
    }
    if (lines != NULL)
        lines[s->nlayers - 1].loss = loss;
}

void emit_compact_struct(Emitter *e)
{
    Net *net = e->net;
    W("/*\n * The network's weights and biases: w[k] is w<k+1> and b[k] is b<k+1>, numbered as\n");
    W(" * the tutorial numbers them: layer by layer, neuron by neuron, input by input.\n */\n");
    W("struct %s {\n", e->name);
    W("    %s w[%d];\n    %s b[%d];\n};\n\n", e->type, net->nweights, e->type, net->nbiases);
}

void emit_compact_feedforward(Emitter *e)
{
    int ni = e->s->ninputs, no = e->net->noutputs;
    W("/* The feedforward: x holds the %d inputs; y_pred receives the %s. */\n", ni,
      no == 1 ? "output" : "outputs");
    signature(e, "feedforward", "\n{\n");
    emit_compact_forward(e, NULL);
    W("    for (int k = 0; k < %d; k++)\n        y_pred[k] = o[k];\n}\n\n", no);
}

void emit_compact_train_sample(Emitter *e)
{
    W("/*\n");
    W(" * One step of stochastic gradient descent on the sample (x, y_true):\n");
    W(" * feedforward, partial derivatives, updates, layer by layer.\n");
    W(" */\n");
    signature(e, "train_sample", "\n{\n");
    W("    /* --- Do a feedforward (we'll need these values later) */\n");
    /* Where each layer is computed, for --explain. */
    e->m->compact_lines = ctx_array(e->c, (size_t)e->s->nlayers, sizeof *e->m->compact_lines);
    emit_compact_forward(e, e->m->compact_lines);
    emit_compact_backward(e, 1, e->m->compact_lines);
    W("}\n\n");
}

void emit_compact_backprop(Emitter *e)
{
    W("/*\n");
    W(" * Backpropagation on one sample (x, y_true): the partials of %s_train_sample,\n", e->name);
    W(" * added to sum_d_L_d instead of applied.\n");
    W(" */\n");
    signature(e, "backprop", "\n{\n");
    W("    /* --- Do a feedforward (we'll need these values later) */\n");
    emit_compact_forward(e, NULL);
    emit_compact_backward(e, 0, NULL);
    W("}\n\n");
}

