/*
 * conv.c: the convolution layer, as a kind of layer of the model (chain.c).
 *
 * Each filter f slides over the map below; at each position it sums the
 * taps under its kernel by its shared weights and adds its bias, then
 * applies the activation:
 *
 *   sum_c1_1_1_1 = w1 * x[0] + w2 * x[1] + w3 * x[4] + w4 * x[5] + b1
 *   c1_1_1_1 = f(sum_c1_1_1_1)
 *
 * (a tap that falls on the padding reads a zero, and is left out).  Its
 * local partial is f'(sum) at each position.  The chain rule then goes
 * through the sum: d_L_d_sum_c1_1_1_1 = d_L_d_c1_1_1_1 * f'(sum_c1_1_1_1),
 * and since the sum is linear in each weight and each input,
 *
 *   d_L_d_w1 = sum over the positions p of filter 1 of d_L_d_sum_p * (the input under w1 at p)
 *   d_L_d_b1 = sum over the positions p of filter 1 of d_L_d_sum_p
 *   d_L_d_v  = sum over the (filter, position) that read v of d_L_d_sum * (the weight it read v by)
 *
 * A shared weight's partial is thus one term for each position that used
 * it: the point of a convolution, written out.  A value of the map that
 * nothing above reads (past the last pool window) gets no partial, and
 * adds nothing.
 */
#include "nnc.h"

static void conv_forward(Ctx *c, Model *m, int l)
{
    for (int id = m->net->layer_first[l]; id < m->net->layer_first[l + 1]; id++)
        weighted_unit(c, m, l, id, &conv_layer);
}

/* f'(sum) at every position that something above reads. */
static void conv_local(Ctx *c, Model *m, int l)
{
    Net *net = m->net;
    for (int id = net->layer_first[l]; id < net->layer_first[l + 1]; id++) {
        Neuron *u = &net->neurons[id];
        if (m->d_L_d_act[id] < 0)
            continue;
        const char *rule;
        int reads;
        const char *d = act_derivative(c, m, u, id, &rule, &reads);
        int v = m->d_act_d_sum[id] = value_add(c, m, VAL_LOCAL, ctx_printf(c, "d_%s_d_sum_%s", u->name, u->name),
                                               l, id, -1);
        value_expr(c, m, v, d, &reads, reads >= 0);
        m->values[v].rule = ctx_printf(c, "partial %s / partial sum_%s = %s", u->name, u->name, rule);
        m->values[v].by = &conv_layer;
    }
}

/* The values of d_L_d_<unit> for the layer below's units that some position of layer l reads. */
static void chain_inputs(Ctx *c, Model *m, int l)
{
    Net *net = m->net;
    for (int id = net->layer_first[l]; id < net->layer_first[l + 1]; id++) {
        Neuron *u = &net->neurons[id];
        if (m->d_L_d_sum[id] < 0)
            continue;
        for (int j = 0; j < u->ninputs; j++) {
            int h = u->input[j];
            if (m->d_L_d_act[h] < 0) {
                m->d_L_d_act[h] = value_add(c, m, VAL_BACK, ctx_printf(c, "d_L_d_%s", net->neurons[h].name),
                                            l - 1, h, -1);
                m->values[m->d_L_d_act[h]].by = &conv_layer;
                m->values[m->d_L_d_act[h]].rule = ctx_printf(c, "partial L / partial %s = sum over the "
                    "(filter, position) that read it of d_L_d_sum there * the weight it was read by",
                    net->neurons[h].name);
            }
        }
    }
    for (int id = net->layer_first[l]; id < net->layer_first[l + 1]; id++) {
        Neuron *u = &net->neurons[id];
        if (m->d_L_d_sum[id] < 0)
            continue;
        for (int j = 0; j < u->ninputs; j++) {
            int f[2] = {m->d_L_d_sum[id], m->param[u->weight[j]]};
            value_term(c, m, m->d_L_d_act[u->input[j]], f, 2);
        }
    }
}

static void conv_chain(Ctx *c, Model *m, int l)
{
    Net *net = m->net;
    const Layer *y = &net->spec->layers[l];
    /* partial L / partial each sum, where its value is read. */
    for (int id = net->layer_first[l]; id < net->layer_first[l + 1]; id++) {
        const char *n = net->neurons[id].name;
        if (m->d_L_d_act[id] < 0)
            continue;
        int v = m->d_L_d_sum[id] = value_add(c, m, VAL_BACK, ctx_printf(c, "d_L_d_sum_%s", n), l, id, -1);
        int f[2] = {m->d_L_d_act[id], m->d_act_d_sum[id]};
        value_term(c, m, v, f, 2);
        m->values[v].by = &conv_layer;
        m->values[v].rule = ctx_printf(c, "partial L / partial sum_%s = d_L_d_%s * f'(sum_%s)", n, n, n);
    }
    /* The filters' partials: first the values, then a term for each position that used the parameter. */
    const Owner *o = &net->owners[net->params[net->neurons[net->layer_first[l]].bias].owner];
    int first_w = o->first_weight, first_b = o->bias;
    int nw = (int)layer_weights(net->spec->ninputs, net->spec->layers, l);
    for (int p = first_w; p < first_w + nw; p++) {
        Param *w = &net->params[p];
        m->grad[p] = value_add(c, m, VAL_GRAD, ctx_printf(c, "d_L_d_%s", w->name), l, w->neuron, p);
        m->values[m->grad[p]].by = &conv_layer;
        int k = w->input, ch = k % y->in.c, col = k / y->in.c % y->kw, row = k / y->in.c / y->kw;
        m->values[m->grad[p]].rule = ctx_printf(c, "partial L / partial %s = sum over the positions p of "
            "filter %s of d_L_d_sum_p * the input under kernel row %d, column %d, channel %d at p",
            w->name, net->owners[w->owner].name, row + 1, col + 1, ch + 1);
    }
    for (int p = first_b; p < first_b + y->out.c; p++) {
        Param *b = &net->params[p];
        m->grad[p] = value_add(c, m, VAL_GRAD, ctx_printf(c, "d_L_d_%s", b->name), l, b->neuron, p);
        m->values[m->grad[p]].by = &conv_layer;
        m->values[m->grad[p]].rule = ctx_printf(c, "partial L / partial %s = sum over the positions p of "
            "filter %s of d_L_d_sum_p", b->name, net->owners[b->owner].name);
    }
    for (int id = net->layer_first[l]; id < net->layer_first[l + 1]; id++) {
        Neuron *u = &net->neurons[id];
        if (m->d_L_d_sum[id] < 0)
            continue;
        for (int j = 0; j < u->ninputs; j++) {
            int f[2] = {m->d_L_d_sum[id], input_value(m, u, j)};
            value_term(c, m, m->grad[u->weight[j]], f, 2);
        }
        value_term(c, m, m->grad[u->bias], &m->d_L_d_sum[id], 1);
    }
    /* A parameter that no position read to any effect: its partial is 0. */
    for (int p = first_w; p < first_w + nw; p++)
        if (m->values[m->grad[p]].nterms == 0)
            value_expr(c, m, m->grad[p], "0", NULL, 0);
    for (int p = first_b; p < first_b + y->out.c; p++)
        if (m->values[m->grad[p]].nterms == 0)
            value_expr(c, m, m->grad[p], "0", NULL, 0);
    if (l > 0 && needs_partials(net, l - 1))
        chain_inputs(c, m, l);
}

const LayerKind conv_layer = {"conv", conv_forward, conv_local, conv_chain};
