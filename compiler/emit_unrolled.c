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
 *
 * Which values the training code names, and the formula of each, are the
 * model's (chain.c, dense.c): this file takes them from it and only lays
 * them out, with its headings, comments and wrapping.
 */
#include <string.h>

#include "emit.h"

/* "    <type> name = expr;" */
static void decl(Emitter *e, const char *name, const char *expr)
{
    W("    %s %s = %s;\n", e->type, name, expr);
}

/* Value v, declared and computed on one line. */
static void decl_value(Emitter *e, int v)
{
    decl(e, e->m->values[v].name, value_c(e->c, e->m, v));
}

/* Value v, a sum of terms, declared and computed, wrapped before 100 columns. */
static void sum_value(Emitter *e, int v)
{
    int n;
    const char **t = value_terms(e->c, e->m, v, &n);
    const char *head = ctx_printf(e->c, "%s %s = ", e->type, e->m->values[v].name);
    sum_line(e, 4, head, typed_width(e, head), t, n, " + ");
}

/* text as a comment of one line, indented by 4. */
static void comment(Emitter *e, const char *text)
{
    W("    /* %s */\n", text);
}

void emit_struct(Emitter *e)
{
    Net *net = e->net;
    W("/* The network's weights and biases, like the tutorial's self.w1 .. self.b%d. */\n",
      net->nbiases);
    W("struct %s {\n", e->name);
    for (int kind = 0; kind < 2; kind++) {
        W("    /* %s */\n", kind == 0 ? "Weights" : "Biases");
        /* One line a neuron or filter, wrapped. */
        for (int k = 0; k < net->nowners; k++) {
            const Owner *o = &net->owners[k];
            int n = kind == 0 ? o->nweights : 1;
            const char **t = ctx_array(e->c, (size_t)n, sizeof *t);
            for (int j = 0; j < n; j++)
                t[j] = pname_of(e, kind == 0 ? o->first_weight + j : o->bias);
            if (kind == 1) {
                W("    %s %s; /* %s */\n", e->type, t[0], o->name);
                continue;
            }
            W("    /* into %s */\n", o->name);
            const char *head = ctx_printf(e->c, "%s ", e->type);
            sum_line(e, 4, head, typed_width(e, head), t, n, ", ");
        }
    }
    W("};\n\n");
}

/*
 * The softmax of the output layer's sums, kept from overflowing by the
 * largest: each output o_k is exp_ok / sum_exp, and exp_ok reads the
 * largest sum, max_sum_o, which is written as a chain of ifs.
 */
static void emit_softmax(Emitter *e, int first, int last)
{
    const Model *m = e->m;
    const Value *o = &m->values[m->act[first]];
    int sum_exp = o->deps[1], max = m->values[o->deps[0]].deps[1];
    comment(e, o->rule);
    decl(e, m->values[max].name, m->values[m->sum[first]].name);
    for (int id = first + 1; id < last; id++)
        W("    if (%s > %s)\n        %s = %s;\n", m->values[m->sum[id]].name, m->values[max].name,
          m->values[max].name, m->values[m->sum[id]].name);
    for (int id = first; id < last; id++)
        decl_value(e, m->values[m->act[id]].deps[0]);
    sum_value(e, sum_exp);
    for (int id = first; id < last; id++)
        decl_value(e, m->act[id]);
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
            if (u->nfeeds == 0 && l < s->nlayers - 1)
                continue; /* a map's value that no window reads */
            if (e->m->sum[id] < 0) { /* a pool's value */
                decl_value(e, e->m->act[id]);
                continue;
            }
            int n;
            const char **t = value_terms(e->c, e->m, e->m->sum[id], &n);
            const char *fn = act_fn(e, u->act == ACT_SOFTMAX ? ACT_LINEAR : u->act);
            const char *head;
            if (u->act == ACT_SOFTMAX)
                head = ctx_printf(e->c, "%s sum_%s = ", e->type, u->name);
            else if (fn == NULL)
                head = ctx_printf(e->c, "%s %s = ", e->type, u->name);
            else
                head = ctx_printf(e->c, "%s %s = %s(", e->type, u->name, fn);
            if (fn != NULL)
                t[n - 1] = ctx_printf(e->c, "%s)", t[n - 1]);
            /* The suffix counts as one column in both precisions, as the type counts as "double". */
            sum_line(e, 4, head, typed_width(e, head) + (fn != NULL && !e->single), t, n, " + ");
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
    const Model *m = e->m;
    W("    /* --- Do a feedforward (we'll need these values later) */\n");
    for (int l = 0; l < s->nlayers; l++) {
        int first = net->layer_first[l], last = net->layer_first[l + 1];
        block(e, s->layers[l].line);
        int map = s->layers[l].type != LAYER_DENSE;
        if (map)
            comment(e, ctx_printf(e->c, "%s layer: %s", s->layers[l].type == LAYER_CONV ? "Conv" : "Pool",
                                  s->layers[l].type == LAYER_CONV ? "each filter's sum at each position, "
                                  "then its activation" : m->values[m->act[first]].rule));
        for (int id = first; id < last; id++) {
            if (neuron(e, id)->nfeeds == 0 && l < s->nlayers - 1)
                continue; /* a map's value that no window reads */
            if (m->sum[id] >= 0)
                sum_value(e, m->sum[id]);
            if (neuron(e, id)->act == ACT_SOFTMAX)
                continue;
            decl_value(e, m->act[id]);
            if (id + 1 < net->nneurons && (!map || id + 1 == last))
                W("\n");
        }
        if (s->layers[l].act == ACT_SOFTMAX)
            emit_softmax(e, first, last);
        block(e, 0);
    }
    if (m->ypred >= 0)
        decl_value(e, m->ypred);
    W("\n");
}

/*
 * A paragraph of the loss's as a block comment, in three lines: its
 * statement up to the last ',' or '=' that fits in 82 columns, the rest
 * up to "the simplification of", then the formula that this names.
 */
static void comment_block(Emitter *e, const char *text)
{
    const char *brk = strstr(text, "simplification of ");
    if (brk == NULL)
        bug("no simplification in '%s'", text);
    int end = (int)(brk - text) + (int)strlen("simplification of"), first = -1;
    for (int i = 0; i < end && 7 + i + 1 <= 82; i++)
        if (text[i] == ',' || text[i] == '=')
            first = i;
    if (first < 0)
        bug("no break in '%s'", text);
    W("    /*\n     * %.*s\n", first + 1, text);
    W("     * %.*s\n", end - first - 2, text + first + 2);
    W("     * %s\n     */\n", text + end + 1);
}

/* partial L / partial each output (or each output's sum): the loss's derivative. */
static void emit_loss_partials(Emitter *e)
{
    Spec *s = e->s;
    const Model *m = e->m;
    int no = e->net->noutputs, first = e->net->layer_first[s->nlayers - 1];
    W("    /* --- Calculate partial derivatives. */\n");
    W("    /* --- Naming: d_L_d_w1 represents \"partial L / partial w1\" */\n");
    block(e, s->loss_line);
    if (s->loss != LOSS_MSE) {
        comment_block(e, m->values[m->d_L_d_sum[first]].rule);
        for (int k = 0; k < no; k++)
            decl_value(e, m->d_L_d_sum[first + k]);
    } else {
        comment(e, m->values[m->d_L_d_act[first]].rule);
        for (int k = 0; k < no; k++)
            decl_value(e, m->d_L_d_act[first + k]);
        if (m->o_dot >= 0) {
            comment(e, m->values[m->o_dot].rule);
            sum_value(e, m->o_dot);
            for (int k = 0; k < no; k++)
                decl_value(e, m->d_L_d_sum[first + k]);
        }
    }
    W("\n");
    block(e, 0);
}

/* Value v with its formula in a comment above it. */
static void explained(Emitter *e, int v)
{
    comment(e, e->m->values[v].rule);
    decl_value(e, v);
}

/* A neuron's own partials: with respect to its sum, its weights, its bias and its inputs. */
static void emit_neuron_partials(Emitter *e, int id)
{
    const Model *m = e->m;
    Neuron *u = neuron(e, id);
    if (m->d_act_d_sum[id] < 0)
        return; /* its partials are d_L_d_sum_ok times an input: written in the chain rule */
    W("    /* Neuron %s */\n", u->name);
    explained(e, m->d_act_d_sum[id]);
    for (int j = 0; j < u->ninputs; j++)
        explained(e, m->local[u->weight[j]]);
    explained(e, m->local[u->bias]);
    W("\n");
    if (u->first_input < 0)
        return;
    for (int j = 0; j < u->ninputs; j++)
        explained(e, m->d_act_d_in[id][j]);
    W("\n");
}

/* Value v, a sum of terms, with its formula in a comment above it. */
static void explained_sum(Emitter *e, int v)
{
    if (e->m->values[v].rule != NULL)
        comment(e, e->m->values[v].rule);
    sum_value(e, v);
}

/*
 * A conv layer's own partials, f' at each position that is read, then
 * partial L / partial each sum; a pool layer's, the partial of each value
 * with respect to each value of its window.
 */
static void emit_map_partials(Emitter *e, int l)
{
    const Model *m = e->m;
    Net *net = e->net;
    int first = net->layer_first[l], last = net->layer_first[l + 1];
    W("    /* %s layer %s .. %s */\n", e->s->layers[l].type == LAYER_CONV ? "Conv" : "Pool", neuron(e, first)->name,
      neuron(e, last - 1)->name);
    int said = 0;
    for (int id = first; id < last; id++) {
        if (m->d_act_d_sum[id] >= 0) {
            if (!said++)
                comment(e, m->values[m->d_act_d_sum[id]].rule);
            decl_value(e, m->d_act_d_sum[id]);
        }
        for (int j = 0; m->d_act_d_in[id] != NULL && j < neuron(e, id)->ninputs; j++) {
            if (!said++)
                comment(e, m->values[m->d_act_d_in[id][j]].rule);
            decl_value(e, m->d_act_d_in[id][j]);
        }
    }
    said = 0;
    for (int id = first; id < last; id++) {
        if (m->d_L_d_sum[id] >= 0) {
            if (!said++)
                comment(e, m->values[m->d_L_d_sum[id]].rule);
            decl_value(e, m->d_L_d_sum[id]);
        }
    }
    W("\n");
}

/* d_L_d_h for each neuron of layer l that feeds several others. */
static void emit_backpropagated(Emitter *e, int l)
{
    Net *net = e->net;
    int first = -1;
    for (int id = net->layer_first[l]; id < net->layer_first[l + 1] && first < 0; id++)
        if (e->m->d_L_d_act[id] >= 0)
            first = id;
    if (first < 0)
        return;
    if (e->s->layers[l + 1].type == LAYER_DENSE)
        W("    /* partial L / partial each neuron of this layer, through every neuron it feeds */\n");
    else
        comment(e, e->m->values[e->m->d_L_d_act[first]].rule);
    for (int id = first; id < net->layer_first[l + 1]; id++)
        if (e->m->d_L_d_act[id] >= 0)
            sum_value(e, e->m->d_L_d_act[id]);
    W("\n");
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
        block(e, s->layers[l].line);
        if (s->layers[l].type == LAYER_DENSE)
            for (int id = net->layer_first[l]; id < net->layer_first[l + 1]; id++)
                emit_neuron_partials(e, id);
        else
            emit_map_partials(e, l);
        block(e, 0);
        if (l > 0) {
            block(e, s->layers[l].line);
            emit_backpropagated(e, l - 1);
            block(e, 0);
        }
    }
    W("    /* --- The chain rule: partial L / partial each weight and bias */\n");
    for (int k = 0; k < net->nowners; k++) {
        const Owner *o = &net->owners[k];
        W("    /* %s %s */\n", o->is_filter ? "Filter" : "Neuron", o->name);
        block(e, s->layers[o->layer].line);
        for (int j = 0; j <= o->nweights; j++) {
            int v = e->m->grad[j < o->nweights ? o->first_weight + j : o->bias];
            if (o->is_filter) /* a sum over the positions that used it */
                explained_sum(e, v);
            else
                decl_value(e, v);
        }
        block(e, 0);
        W("\n");
    }
}

/* The parameters neuron by neuron, as the tutorial's updates are laid out. */
static void emit_per_param(Emitter *e, const char *fmt)
{
    Net *net = e->net;
    for (int k = 0; k < net->nowners; k++) {
        const Owner *o = &net->owners[k];
        if (k > 0)
            W("\n");
        W("    /* %s %s */\n", o->is_filter ? "Filter" : "Neuron", o->name);
        for (int j = 0; j <= o->nweights; j++) {
            const char *p = pname_of(e, j < o->nweights ? o->first_weight + j : o->bias);
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

