/*
 * emit_unrolled.c: the unrolled form, written as the tutorial writes it.
 *
 * The training function is the tutorial's loop body: a feedforward that
 * keeps every sum and activation, the partial derivatives neuron by neuron
 * from the output back (d_L_d_ypred, d_ypred_d_w5, d_ypred_d_h1,
 * d_h1_d_w1, ...), the chain rule once per parameter (d_L_d_w1 =
 * d_L_d_ypred * d_ypred_d_h1 * d_h1_d_w1), and the updates.
 *
 * Two rules keep it readable beyond the tutorial's shape:
 *
 *  - A neuron that feeds several others gets its own backpropagated
 *    partial, d_L_d_h1 = d_L_d_o1 * d_o1_d_h1 + d_L_d_o2 * d_o2_d_h1,
 *    instead of a product for every path; a neuron that feeds one other
 *    (the tutorial's h1 feeding o1) is chained through it inline.
 *
 *  - Where the loss and the output activation simplify together (softmax
 *    with cross-entropy, sigmoid with binary cross-entropy), the output
 *    neuron's partial is taken with respect to its sum, d_L_d_sum_o1 =
 *    o1 - y_true, and its parameters' partials follow from that.
 *
 * An activation's derivative is computed from values already at hand
 * (f'(sum_h1) = h1 * (1 - h1) for the sigmoid), never by calling exp again.
 */
#include <string.h>

#include "emit.h"

/* The j-th input of u, as an expression: x[j] or the neuron's name. */
static const char *input_of(Emitter *e, Neuron *u, int j)
{
    if (u->first_input < 0)
        return ctx_printf(e->c, "x[%d]", j);
    return neuron(e, u->first_input + j)->name;
}

static int is_output(Emitter *e, Neuron *u)
{
    return u->layer == e->s->nlayers - 1;
}

/*
 * Is u an output neuron whose partial is taken with respect to its sum?
 * Yes for a softmax output (its activation mixes all the sums) and for a
 * sigmoid output under binary cross-entropy.
 */
static int sum_form(Emitter *e, Neuron *u)
{
    if (!is_output(e, u))
        return 0;
    return u->act == ACT_SOFTMAX || e->s->loss == LOSS_BCE;
}

/* Does the training code name y_pred, as the tutorial does for one output? */
static int names_ypred(Emitter *e)
{
    return e->net->noutputs == 1 && !sum_form(e, neuron(e, e->net->nneurons - 1));
}

/* f'(sum_u), from values at hand, and its formula for a comment. */
static const char *deriv(Emitter *e, Neuron *u, const char **formula)
{
    const char *n = u->name;
    switch (u->act) {
    case ACT_SIGMOID:
        *formula = ctx_printf(e->c, "f'(sum_%s) = %s * (1 - %s)", n, n, n);
        return ctx_printf(e->c, "%s * (1 - %s)", n, n);
    case ACT_TANH:
        *formula = ctx_printf(e->c, "tanh'(sum_%s) = 1 - %s^2", n, n);
        return ctx_printf(e->c, "1 - %s * %s", n, n);
    case ACT_RELU:
        *formula = ctx_printf(e->c, "relu'(sum_%s) = 1 if sum_%s > 0, else 0", n, n);
        return ctx_printf(e->c, "sum_%s > 0 ? 1.0\x03 : 0.0\x03", n);
    case ACT_LEAKY_RELU:
        *formula = ctx_printf(e->c, "leaky_relu'(sum_%s) = 1 if sum_%s > 0, else 0.01", n, n);
        return ctx_printf(e->c, "sum_%s > 0 ? 1.0\x03 : 0.01\x03", n);
    case ACT_LINEAR:
        *formula = ctx_printf(e->c, "linear'(sum_%s) = 1", n);
        return "1.0\x03";
    case ACT_SOFTMAX:
        break;
    }
    bug("no derivative for activation %d", u->act);
}


/*
 * partial L / partial u, as a product to multiply u's own partials by:
 * d_L_d_ypred for the one output, d_L_d_o2 for one of several, d_L_d_h1
 * for a neuron that feeds several others, and for a neuron that feeds just
 * one other (the tutorial's h1), that one's factor chained through it.
 */
static const char *upstream(Emitter *e, Neuron *u)
{
    if (is_output(e, u))
        return ctx_printf(e->c, "d_L_d_%s", u->pname);
    if (u->nfeeds >= 2)
        return ctx_printf(e->c, "d_L_d_%s", u->name);
    Neuron *m = neuron(e, e->net->layer_first[u->layer + 1]);
    int j = (int)(u - e->net->neurons) - e->net->layer_first[u->layer]; /* u is m's j-th input */
    if (sum_form(e, m))
        return ctx_printf(e->c, "d_L_d_sum_%s * nn->%s", m->name, pname_of(e, m->weight[j]));
    return ctx_printf(e->c, "%s * d_%s_d_%s", upstream(e, m), m->pname, u->name);
}


/* "nn->w1 * x[0] + nn->w2 * x[1] + nn->b1" as terms. */
static const char **sum_terms(Emitter *e, Neuron *u, int *n)
{
    const char **t = ctx_array(e->c, (size_t)u->ninputs + 1, sizeof *t);
    for (int j = 0; j < u->ninputs; j++)
        t[j] = ctx_printf(e->c, "nn->%s * %s", pname_of(e, u->weight[j]), input_of(e, u, j));
    t[u->ninputs] = ctx_printf(e->c, "nn->%s", pname_of(e, u->bias));
    *n = u->ninputs + 1;
    return t;
}


void emit_struct(Emitter *e)
{
    Net *net = e->net;
    W("/* The network's weights and biases, like the tutorial's self.w1 .. self.b%d. */\n",
      net->nneurons);
    W("struct %s {\n", e->name);
    for (int kind = 0; kind < 2; kind++) {
        W("    /* %s */\n", kind == 0 ? "Weights" : "Biases");
        /* One line a neuron, wrapped. */
        for (int id = 0; id < net->nneurons; id++) {
            Neuron *u = neuron(e, id);
            int n = kind == 0 ? u->ninputs : 1;
            const char **t = ctx_array(e->c, (size_t)n, sizeof *t);
            for (int j = 0; j < n; j++)
                t[j] = pname_of(e, kind == 0 ? u->weight[j] : u->bias);
            if (kind == 1) {
                W("    \x02 %s; /* %s */\n", t[0], u->name);
                continue;
            }
            W("    /* into %s */\n", u->name);
            sum_line(e, 4, "\x02 ", t, n, ", ");
        }
    }
    W("};\n\n");
}

/* The softmax of the output layer's sums, kept from overflowing by the largest. */
static void emit_softmax(Emitter *e, int first, int last)
{
    W("    /* Softmax: o_k = e^(sum_ok - m) / sum_j e^(sum_oj - m), m the largest sum */\n");
    W("    \x02 max_sum_o = sum_o1;\n");
    for (int id = first + 1; id < last; id++)
        W("    if (sum_%s > max_sum_o)\n        max_sum_o = sum_%s;\n", neuron(e, id)->name,
          neuron(e, id)->name);
    for (int id = first; id < last; id++)
        W("    \x02 exp_%s = exp\x03(sum_%s - max_sum_o);\n", neuron(e, id)->name, neuron(e, id)->name);
    const char **t = ctx_array(e->c, (size_t)(last - first), sizeof *t);
    for (int id = first; id < last; id++)
        t[id - first] = ctx_printf(e->c, "exp_%s", neuron(e, id)->name);
    sum_line(e, 4, "\x02 sum_exp = ", t, last - first, " + ");
    for (int id = first; id < last; id++)
        W("    \x02 %s = exp_%s / sum_exp;\n", neuron(e, id)->name, neuron(e, id)->name);
}

/*
 * The feedforward, as the tutorial's feedforward method: one line a neuron,
 * h1 = f(w1 * x[0] + w2 * x[1] + b1), without keeping the sums.
 */
void emit_feedforward(Emitter *e)
{
    Spec *s = e->s;
    Net *net = e->net;
    int ni = s->ninputs, no = net->noutputs;
    W("/*\n * The feedforward: x holds the %d input%s", ni, ni == 1 ? "" : "s");
    if (s->input_names != NULL) {
        int col = 40;
        W(" (");
        for (int i = 0; i < ni && i < 8; i++) {
            const char *part = ctx_printf(e->c, "%sx[%d] is %s", i ? ", " : "", i, s->input_names[i]);
            if (col + (int)strlen(part) > 90) {
                W(i ? ",\n * " : "\n * ");
                part += i ? 2 : 0;
                col = 3;
            }
            W("%s", part);
            col += (int)strlen(part);
        }
        W("%s)", ni > 8 ? ", ..." : "");
    }
    W(";\n * y_pred receives the %s.\n */\n", no == 1 ? "output" : "outputs");
    signature(e, "feedforward", "\n{\n");
    for (int l = 0; l < s->nlayers; l++) {
        int first = net->layer_first[l], last = net->layer_first[l + 1];
        for (int id = first; id < last; id++) {
            Neuron *u = neuron(e, id);
            int n;
            const char **t = sum_terms(e, u, &n);
            const char *fn = act_fn(u->act == ACT_SOFTMAX ? ACT_LINEAR : u->act);
            const char *head;
            if (u->act == ACT_SOFTMAX)
                head = ctx_printf(e->c, "\x02 sum_%s = ", u->name);
            else if (fn == NULL)
                head = ctx_printf(e->c, "\x02 %s = ", u->name);
            else
                head = ctx_printf(e->c, "\x02 %s = %s(", u->name, fn);
            if (fn != NULL)
                t[n - 1] = ctx_printf(e->c, "%s)", t[n - 1]);
            sum_line(e, 4, head, t, n, " + ");
        }
        if (s->layers[l].act == ACT_SOFTMAX)
            emit_softmax(e, first, last);
    }
    W("\n");
    for (int k = 0; k < no; k++)
        W("    y_pred[%d] = o%d;\n", k, k + 1);
    W("}\n\n");
}


/* The training feedforward: every sum and activation kept, as the tutorial does. */
static void emit_forward_pass(Emitter *e)
{
    Spec *s = e->s;
    Net *net = e->net;
    W("    /* --- Do a feedforward (we'll need these values later) */\n");
    for (int l = 0; l < s->nlayers; l++) {
        int first = net->layer_first[l], last = net->layer_first[l + 1];
        mark(e, s->layers[l].line);
        for (int id = first; id < last; id++) {
            Neuron *u = neuron(e, id);
            int n;
            const char **t = sum_terms(e, u, &n);
            sum_line(e, 4, ctx_printf(e->c, "\x02 sum_%s = ", u->name), t, n, " + ");
            if (u->act == ACT_SOFTMAX)
                continue;
            const char *fn = act_fn(u->act);
            if (fn != NULL)
                W("    \x02 %s = %s(sum_%s);\n", u->name, fn, u->name);
            else
                W("    \x02 %s = sum_%s;\n", u->name, u->name);
            if (id + 1 < net->nneurons)
                W("\n");
        }
        if (s->layers[l].act == ACT_SOFTMAX)
            emit_softmax(e, first, last);
        mark(e, 0);
    }
    if (names_ypred(e))
        W("    \x02 y_pred = o1;\n");
    W("\n");
}

static void emit_loss_partials_body(Emitter *e, int no, int first, Act act);

/* partial L / partial each output: the loss's derivative. */
static void emit_loss_partials(Emitter *e)
{
    Spec *s = e->s;
    Net *net = e->net;
    int no = net->noutputs, first = net->layer_first[s->nlayers - 1];
    Act act = s->layers[s->nlayers - 1].act;

    W("    /* --- Calculate partial derivatives. */\n");
    W("    /* --- Naming: d_L_d_w1 represents \"partial L / partial w1\" */\n");
    mark(e, s->loss_line);
    emit_loss_partials_body(e, no, first, act);
    mark(e, 0);
}

static void emit_loss_partials_body(Emitter *e, int no, int first, Act act)
{
    Spec *s = e->s;
    if (s->loss == LOSS_CE) {
        W("    /*\n");
        W("     * Cross-entropy through softmax: partial L / partial sum_ok = o_k - y_true_k,\n");
        W("     * the well-known simplification of\n");
        W("     * sum_j (partial L / partial o_j) (partial o_j / partial sum_ok).\n");
        W("     */\n");
        for (int k = 0; k < no; k++)
            W("    \x02 d_L_d_sum_o%d = o%d - y_true[%d];\n", k + 1, k + 1, k);
        W("\n");
        return;
    }
    if (s->loss == LOSS_BCE) {
        W("    /*\n");
        W("     * Binary cross-entropy through the sigmoid: partial L / partial sum_ok =\n");
        W("     * (o_k - y_true_k) / K%s, the simplification of\n", no == 1 ? " with K = 1" : "");
        W("     * (partial L / partial o_k) * o_k * (1 - o_k).\n");
        W("     */\n");
        for (int k = 0; k < no; k++) {
            if (no == 1)
                W("    \x02 d_L_d_sum_o1 = o1 - y_true[0];\n");
            else
                W("    \x02 d_L_d_sum_o%d = (o%d - y_true[%d]) / %d;\n", k + 1, k + 1, k, no);
        }
        W("\n");
        return;
    }
    /* Mean squared error. */
    if (no == 1) {
        W("    /* partial L / partial y_pred = -2 * (y_true - y_pred) */\n");
        W("    \x02 d_L_d_ypred = -2 * (y_true[0] - y_pred);\n\n");
        return;
    }
    W("    /* partial L / partial o_k = -2 * (y_true_k - o_k) / %d */\n", no);
    for (int k = 0; k < no; k++)
        W("    \x02 d_L_d_o%d = -2 * (y_true[%d] - o%d) / %d;\n", k + 1, k, k + 1, no);
    if (act == ACT_SOFTMAX) {
        W("    /* Softmax: partial L / partial sum_ok = o_k * (d_L_d_o_k - sum_j d_L_d_o_j * o_j) */\n");
        const char **t = ctx_array(e->c, (size_t)no, sizeof *t);
        for (int k = 0; k < no; k++)
            t[k] = ctx_printf(e->c, "d_L_d_o%d * o%d", k + 1, k + 1);
        sum_line(e, 4, "\x02 d_L_d_o_dot_o = ", t, no, " + ");
        for (int k = 0; k < no; k++)
            W("    \x02 d_L_d_sum_%s = %s * (d_L_d_%s - d_L_d_o_dot_o);\n", neuron(e, first + k)->name,
              neuron(e, first + k)->name, neuron(e, first + k)->name);
    }
    W("\n");
}

/* A neuron's own partials: with respect to its weights, its bias and its inputs. */
static void emit_neuron_partials(Emitter *e, Neuron *u)
{
    if (sum_form(e, u))
        return; /* its partials are d_L_d_sum_ok times an input: written in the chain rule */
    const char *formula;
    const char *d = deriv(e, u, &formula);
    const char *p = u->pname, *n = u->name;
    W("    /* Neuron %s */\n", n);
    W("    /* partial %s / partial sum_%s = %s */\n", is_output(e, u) && !strcmp(p, "ypred") ? "y_pred" : n,
      n, formula);
    W("    \x02 d_%s_d_sum_%s = %s;\n", p, n, d);
    const char *pn = !strcmp(p, "ypred") ? "y_pred" : p;
    for (int j = 0; j < u->ninputs; j++) {
        const char *w = pname_of(e, u->weight[j]), *in = input_of(e, u, j);
        W("    /* partial %s / partial %s = %s * f'(sum_%s) */\n", pn, w, in, n);
        W("    \x02 d_%s_d_%s = %s * d_%s_d_sum_%s;\n", p, w, in, p, n);
    }
    W("    /* partial %s / partial %s = f'(sum_%s) */\n", pn, pname_of(e, u->bias), n);
    W("    \x02 d_%s_d_%s = d_%s_d_sum_%s;\n", p, pname_of(e, u->bias), p, n);
    if (u->first_input < 0) {
        W("\n");
        return;
    }
    W("\n");
    for (int j = 0; j < u->ninputs; j++) {
        const char *w = pname_of(e, u->weight[j]), *in = input_of(e, u, j);
        W("    /* partial %s / partial %s = %s * f'(sum_%s) */\n", pn, in, w, n);
        W("    \x02 d_%s_d_%s = nn->%s * d_%s_d_sum_%s;\n", p, in, w, p, n);
    }
    W("\n");
}

/* d_L_d_h for each neuron of layer l that feeds several others. */
static void emit_backpropagated(Emitter *e, int l)
{
    Net *net = e->net;
    int first = net->layer_first[l], last = net->layer_first[l + 1];
    int nfirst = net->layer_first[l + 1], nlast = net->layer_first[l + 2];
    if (neuron(e, first)->nfeeds < 2)
        return;
    W("    /* partial L / partial each neuron of this layer, through every neuron it feeds */\n");
    for (int id = first; id < last; id++) {
        Neuron *h = neuron(e, id);
        const char **t = ctx_array(e->c, (size_t)(nlast - nfirst), sizeof *t);
        for (int m = nfirst; m < nlast; m++) {
            Neuron *u = neuron(e, m);
            if (sum_form(e, u))
                t[m - nfirst] = ctx_printf(e->c, "d_L_d_sum_%s * nn->%s", u->name,
                                           pname_of(e, u->weight[id - first]));
            else
                t[m - nfirst] = ctx_printf(e->c, "%s * d_%s_d_%s", upstream(e, u), u->pname, h->name);
        }
        sum_line(e, 4, ctx_printf(e->c, "\x02 d_L_d_%s = ", h->name), t, nlast - nfirst, " + ");
    }
    W("\n");
}

/* partial L / partial parameter, the chain rule written out. */
static const char *chain(Emitter *e, int param)
{
    Param *p = &e->net->params[param];
    Neuron *u = neuron(e, p->neuron);
    if (sum_form(e, u)) {
        if (p->input < 0)
            return ctx_printf(e->c, "d_L_d_sum_%s", u->name);
        return ctx_printf(e->c, "d_L_d_sum_%s * %s", u->name, input_of(e, u, p->input));
    }
    return ctx_printf(e->c, "%s * d_%s_d_%s", upstream(e, u), u->pname, p->name);
}

/*
 * The body that train_sample and backprop share: feedforward, partials and
 * the chain rule, leaving d_L_d_<param> for every parameter in locals.
 */
static void emit_gradient(Emitter *e)
{
    Spec *s = e->s;
    Net *net = e->net;
    emit_forward_pass(e);
    emit_loss_partials(e);
    for (int l = s->nlayers - 1; l >= 0; l--) {
        mark(e, s->layers[l].line);
        for (int id = net->layer_first[l]; id < net->layer_first[l + 1]; id++)
            emit_neuron_partials(e, neuron(e, id));
        mark(e, 0);
        if (l > 0) {
            mark(e, s->layers[l].line);
            emit_backpropagated(e, l - 1);
            mark(e, 0);
        }
    }
    W("    /* --- The chain rule: partial L / partial each weight and bias */\n");
    for (int id = 0; id < net->nneurons; id++) {
        Neuron *u = neuron(e, id);
        W("    /* Neuron %s */\n", u->name);
        mark(e, s->layers[u->layer].line);
        for (int j = 0; j <= u->ninputs; j++) {
            int param = j < u->ninputs ? u->weight[j] : u->bias;
            W("    \x02 d_L_d_%s = %s;\n", pname_of(e, param), chain(e, param));
        }
        mark(e, 0);
        W("\n");
    }
}

/* The parameters neuron by neuron, as the tutorial's updates are laid out. */
static void emit_per_param(Emitter *e, const char *fmt)
{
    Net *net = e->net;
    for (int id = 0; id < net->nneurons; id++) {
        Neuron *u = neuron(e, id);
        if (id > 0)
            W("\n");
        W("    /* Neuron %s */\n", u->name);
        for (int j = 0; j <= u->ninputs; j++) {
            const char *p = pname_of(e, j < u->ninputs ? u->weight[j] : u->bias);
            W(fmt, p, p);
        }
    }
}

void emit_train_sample(Emitter *e)
{
    W("/*\n");
    W(" * One step of stochastic gradient descent on the sample (x, y_true), as the\n");
    W(" * tutorial's train loop takes it: feedforward, partial derivatives, updates.\n");
    W(" */\n");
    signature(e, "train_sample", "\n{\n");
    emit_gradient(e);
    W("    /* --- Update weights and biases */\n");
    emit_per_param(e, "    nn->%s -= learn_rate * d_L_d_%s;\n");
    W("}\n\n");
}



void emit_backprop(Emitter *e)
{
    W("/*\n");
    W(" * Backpropagation on one sample (x, y_true): the partials of %s_train_sample,\n", e->name);
    W(" * added to sum_d_L_d instead of applied, so that a caller can average them over\n");
    W(" * many samples (the gradient of the loss over a data set).\n");
    W(" */\n");
    signature(e, "backprop", "\n{\n");
    emit_gradient(e);
    W("    /* --- Add this sample's partials to the sums */\n");
    emit_per_param(e, "    sum_d_L_d->%s += d_L_d_%s;\n");
    W("}\n\n");
}

