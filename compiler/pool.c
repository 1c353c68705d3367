/*
 * pool.c: the pooling layer, as a kind of layer of the model (chain.c).
 *
 * A pool layer has no parameters: each of its values is the largest (max)
 * or the mean (avg) of a window of one channel of the map below,
 *
 *   p1_1_1_1 = fmax(fmax(fmax(c1_1_1_1, c1_1_2_1), c1_2_1_1), c1_2_2_1)
 *
 * and it only routes the gradient back.  Max pooling's local partial with
 * respect to a value of its window is 1 for the value that won and 0 for
 * the others; of equal values, the first in row-major order wins (as
 * PyTorch has it), so that exactly one value takes the gradient.  Average
 * pooling's is 1 / n for each of its n values.  The partial of L with
 * respect to a value below then sums, over the windows that hold it, the
 * window's partial times that local partial.
 */
#include <string.h>

#include "nnc.h"

static void pool_forward(Ctx *c, Model *m, int l)
{
    Net *net = m->net;
    const Layer *y = &net->spec->layers[l];
    const char *f = net->spec->single ? "f" : "";
    for (int id = net->layer_first[l]; id < net->layer_first[l + 1]; id++) {
        Neuron *u = &net->neurons[id];
        int *deps = ctx_array(c, (size_t)u->ninputs, sizeof *deps);
        Buf b = {0};
        for (int j = 0; j < u->ninputs; j++)
            deps[j] = input_value(m, u, j);
        if (y->pool == POOL_MAX) {
            for (int j = 1; j < u->ninputs; j++)
                buf_printf(c, &b, "fmax%s(", f);
            buf_puts(c, &b, m->values[deps[0]].name);
            for (int j = 1; j < u->ninputs; j++)
                buf_printf(c, &b, ", %s)", m->values[deps[j]].name);
        } else {
            buf_puts(c, &b, "(");
            for (int j = 0; j < u->ninputs; j++)
                buf_printf(c, &b, "%s%s", j ? " + " : "", m->values[deps[j]].name);
            buf_printf(c, &b, ") / %d", u->ninputs);
        }
        int a = m->act[id] = value_add(c, m, VAL_ACT, u->name, l, id, -1);
        value_expr(c, m, a, b.s, deps, u->ninputs);
        m->values[a].by = &pool_layer;
        m->values[a].rule = y->pool == POOL_MAX ? "the largest value of the window"
                                                : "the mean of the window's values";
    }
}

/*
 * Is the window's j-th value the one that takes the gradient, as C: no
 * value before it is as large, and none after it is larger.
 */
static const char *winner(Ctx *c, const Model *m, const Neuron *u, int j)
{
    Buf b = {0};
    const char *me = m->values[input_value(m, u, j)].name;
    for (int k = 0; k < u->ninputs; k++)
        if (k != j)
            buf_printf(c, &b, "%s%s %s %s", b.len ? " && " : "", me, k < j ? ">" : ">=",
                       m->values[input_value(m, u, k)].name);
    return b.s != NULL ? b.s : "1";
}

/* The partial of each pooled value with respect to each value of its window. */
static void pool_local(Ctx *c, Model *m, int l)
{
    Net *net = m->net;
    const Layer *y = &net->spec->layers[l];
    const char *f = net->spec->single ? "f" : "";
    for (int id = net->layer_first[l]; id < net->layer_first[l + 1]; id++) {
        Neuron *u = &net->neurons[id];
        if (m->d_L_d_act[id] < 0 || l == 0 || !needs_partials(net, l - 1))
            continue;
        m->d_act_d_in[id] = ctx_array(c, (size_t)u->ninputs, sizeof *m->d_act_d_in[id]);
        int *deps = ctx_array(c, (size_t)u->ninputs, sizeof *deps);
        for (int j = 0; j < u->ninputs; j++)
            deps[j] = input_value(m, u, j);
        for (int j = 0; j < u->ninputs; j++) {
            const char *in = net->neurons[u->input[j]].name;
            int v = m->d_act_d_in[id][j] = value_add(c, m, VAL_LOCAL, ctx_printf(c, "d_%s_d_%s", u->name, in),
                                                     l, id, -1);
            m->values[v].by = &pool_layer;
            if (y->pool == POOL_MAX) {
                value_expr(c, m, v, ctx_printf(c, "%s ? 1.0%s : 0.0%s", winner(c, m, u, j), f, f), deps,
                           u->ninputs);
                m->values[v].rule = ctx_printf(c, "partial %s / partial %s = 1 if %s is the first largest of "
                                                  "the window, else 0", u->name, in, in);
            } else {
                value_expr(c, m, v, ctx_printf(c, "1.0%s / %d", f, u->ninputs), NULL, 0);
                m->values[v].rule = ctx_printf(c, "partial %s / partial %s = 1 / %d", u->name, in, u->ninputs);
            }
        }
    }
}

static void pool_chain(Ctx *c, Model *m, int l)
{
    Net *net = m->net;
    if (l == 0)
        return; /* the inputs need no partial */
    for (int id = net->layer_first[l]; id < net->layer_first[l + 1]; id++) {
        Neuron *u = &net->neurons[id];
        if (m->d_act_d_in[id] == NULL)
            continue;
        for (int j = 0; j < u->ninputs; j++) {
            int h = u->input[j];
            if (m->d_L_d_act[h] >= 0)
                continue;
            m->d_L_d_act[h] = value_add(c, m, VAL_BACK, ctx_printf(c, "d_L_d_%s", net->neurons[h].name), l - 1,
                                        h, -1);
            m->values[m->d_L_d_act[h]].by = &pool_layer;
            m->values[m->d_L_d_act[h]].rule = ctx_printf(c, "partial L / partial %s = sum over the windows "
                "that hold it of d_L_d_<window> * d_<window>_d_%s", net->neurons[h].name, net->neurons[h].name);
        }
    }
    for (int id = net->layer_first[l]; id < net->layer_first[l + 1]; id++) {
        Neuron *u = &net->neurons[id];
        if (m->d_act_d_in[id] == NULL)
            continue;
        for (int j = 0; j < u->ninputs; j++) {
            int f[2] = {m->d_L_d_act[id], m->d_act_d_in[id][j]};
            value_term(c, m, m->d_L_d_act[u->input[j]], f, 2);
        }
    }
}

const LayerKind pool_layer = {"pool", pool_forward, pool_local, pool_chain};
