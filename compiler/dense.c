/*
 * dense.c: the dense layer, as a kind of layer of the model (chain.c).
 *
 * A dense neuron u sums its inputs by its weights and adds its bias
 * (sum_h1 = w1 * x[0] + w2 * x[1] + b1), then applies its activation
 * (h1 = f(sum_h1)).  Its local partials are the tutorial's: f'(sum_h1)
 * from values at hand, then the partial of h1 with respect to each
 * weight (the weight's input times f'), its bias (f') and each input
 * neuron (the weight times f').
 *
 * The chain rule then multiplies these by partial L / partial u, which
 * is named where the code names it (d_L_d_ypred, d_L_d_o2, or d_L_d_h1 for
 * a neuron that feeds several) and otherwise chained through the one
 * neuron u feeds, as the tutorial chains h1 through o1:
 * d_L_d_w1 = d_L_d_ypred * d_ypred_d_h1 * d_h1_d_w1.  Where the loss
 * simplifies through the output's activation (is_sum_form), the output's
 * parameters chain from d_L_d_sum_o1 instead.
 */
#include "nnc.h"

int input_value(const Model *m, const Neuron *u, int j)
{
    return u->input[j] < 0 ? m->input[-1 - u->input[j]] : m->act[u->input[j]];
}

const char *act_c_fn(Ctx *c, Act act, int single)
{
    static const char *const fn[] = {
        [ACT_SIGMOID] = "nnrt_sigmoid", [ACT_TANH] = "nnrt_tanh",
        [ACT_RELU] = "nnrt_relu", [ACT_LEAKY_RELU] = "nnrt_leaky_relu",
    };
    if (act == ACT_LINEAR || act == ACT_SOFTMAX)
        return NULL;
    return single ? ctx_printf(c, "%sf", fn[act]) : fn[act];
}

/* Softmax over the output layer's sums, kept from overflowing by the largest. */
static void softmax_values(Ctx *c, Model *m, int first, int last, int l)
{
    Net *net = m->net;
    int single = net->spec->single;
    int max = value_add(c, m, VAL_SUM, "max_sum_o", l, -1, -1);
    for (int id = first; id < last; id++)
        value_expr(c, m, max, NULL, &m->sum[id], 1);
    m->values[max].rule = "the largest of the sums";
    int *exps = ctx_array(c, (size_t)(last - first), sizeof *exps);
    for (int id = first; id < last; id++) {
        const char *n = net->neurons[id].name;
        int d[2] = {m->sum[id], max};
        exps[id - first] = value_add(c, m, VAL_ACT, ctx_printf(c, "exp_%s", n), l, id, -1);
        value_expr(c, m, exps[id - first], ctx_printf(c, "exp%s(sum_%s - max_sum_o)", single ? "f" : "", n), d, 2);
    }
    int sum_exp = value_add(c, m, VAL_ACT, "sum_exp", l, -1, -1);
    for (int id = first; id < last; id++)
        value_term(c, m, sum_exp, &exps[id - first], 1);
    for (int id = first; id < last; id++) {
        const char *n = net->neurons[id].name;
        int d[2] = {exps[id - first], sum_exp};
        m->act[id] = value_add(c, m, VAL_ACT, n, l, id, -1);
        value_expr(c, m, m->act[id], ctx_printf(c, "exp_%s / sum_exp", n), d, 2);
        m->values[m->act[id]].rule = "Softmax: o_k = e^(sum_ok - m) / sum_j e^(sum_oj - m), m the largest sum";
    }
}

void weighted_unit(Ctx *c, Model *m, int l, int id, const LayerKind *by)
{
    Neuron *u = &m->net->neurons[id];
    int v = m->sum[id] = value_add(c, m, VAL_SUM, ctx_printf(c, "sum_%s", u->name), l, id, -1);
    m->values[v].by = by;
    for (int j = 0; j < u->ninputs; j++) {
        int f[2] = {m->param[u->weight[j]], input_value(m, u, j)};
        value_term(c, m, v, f, 2);
    }
    value_term(c, m, v, &m->param[u->bias], 1);
    if (u->act == ACT_SOFTMAX)
        return; /* the layer's softmax mixes all the sums */
    const char *fn = act_c_fn(c, u->act, m->net->spec->single);
    int a = m->act[id] = value_add(c, m, VAL_ACT, u->name, l, id, -1);
    m->values[a].by = by;
    value_expr(c, m, a, fn ? ctx_printf(c, "%s(sum_%s)", fn, u->name) : ctx_printf(c, "sum_%s", u->name),
               &m->sum[id], 1);
}

static void dense_forward(Ctx *c, Model *m, int l)
{
    Net *net = m->net;
    int first = net->layer_first[l], last = net->layer_first[l + 1];
    for (int id = first; id < last; id++)
        weighted_unit(c, m, l, id, &dense_layer);
    if (net->spec->layers[l].act == ACT_SOFTMAX)
        softmax_values(c, m, first, last, l);
}

const char *act_derivative(Ctx *c, const Model *m, const Neuron *u, int id, const char **rule, int *reads)
{
    const char *n = u->name, *f = m->net->spec->single ? "f" : "";
    *reads = m->act[id];
    switch (u->act) {
    case ACT_SIGMOID:
        *rule = ctx_printf(c, "f'(sum_%s) = %s * (1 - %s)", n, n, n);
        return ctx_printf(c, "%s * (1 - %s)", n, n);
    case ACT_TANH:
        *rule = ctx_printf(c, "tanh'(sum_%s) = 1 - %s^2", n, n);
        return ctx_printf(c, "1 - %s * %s", n, n);
    case ACT_RELU:
        *reads = m->sum[id];
        *rule = ctx_printf(c, "relu'(sum_%s) = 1 if sum_%s > 0, else 0", n, n);
        return ctx_printf(c, "sum_%s > 0 ? 1.0%s : 0.0%s", n, f, f);
    case ACT_LEAKY_RELU:
        *reads = m->sum[id];
        *rule = ctx_printf(c, "leaky_relu'(sum_%s) = 1 if sum_%s > 0, else 0.01", n, n);
        return ctx_printf(c, "sum_%s > 0 ? 1.0%s : 0.01%s", n, f, f);
    case ACT_LINEAR:
        *reads = -1;
        *rule = ctx_printf(c, "linear'(sum_%s) = 1", n);
        return ctx_printf(c, "1.0%s", f);
    case ACT_SOFTMAX:
        break;
    }
    bug("no derivative for activation %d", u->act);
}

/* A local partial of u: d_<u>_d_<what> = <a> * d_<u>_d_sum_<u> (a < 0: f' alone). */
static int local_partial(Ctx *c, Model *m, Neuron *u, int id, const char *what, int a, const char *rule)
{
    int v = value_add(c, m, VAL_LOCAL, ctx_printf(c, "d_%s_d_%s", u->pname, what), u->layer, id, -1);
    int f[2] = {a, m->d_act_d_sum[id]};
    if (a >= 0)
        value_term(c, m, v, f, 2);
    else
        value_term(c, m, v, &f[1], 1);
    m->values[v].rule = rule;
    m->values[v].by = &dense_layer;
    return v;
}

static void dense_local(Ctx *c, Model *m, int l)
{
    Net *net = m->net;
    for (int id = net->layer_first[l]; id < net->layer_first[l + 1]; id++) {
        Neuron *u = &net->neurons[id];
        if (is_sum_form(net, u))
            continue; /* its partials chain from d_L_d_sum_<u> (chain.c's loss values) */
        const char *rule, *n = u->name, *pn = m->ypred >= 0 && id == m->values[m->ypred].unit ? "y_pred" : n;
        int reads;
        const char *d = act_derivative(c, m, u, id, &rule, &reads);
        int v = m->d_act_d_sum[id] = value_add(c, m, VAL_LOCAL, ctx_printf(c, "d_%s_d_sum_%s", u->pname, n), l,
                                               id, -1);
        value_expr(c, m, v, d, &reads, reads >= 0);
        m->values[v].rule = ctx_printf(c, "partial %s / partial sum_%s = %s", pn, n, rule);
        m->values[v].by = &dense_layer;
        for (int j = 0; j <= u->ninputs; j++) {
            int p = j < u->ninputs ? u->weight[j] : u->bias;
            const char *w = net->params[p].name;
            const char *in = j < u->ninputs ? m->values[input_value(m, u, j)].name : NULL;
            const char *r = in ? ctx_printf(c, "partial %s / partial %s = %s * f'(sum_%s)", pn, w, in, n)
                               : ctx_printf(c, "partial %s / partial %s = f'(sum_%s)", pn, w, n);
            m->local[p] = local_partial(c, m, u, id, w, j < u->ninputs ? input_value(m, u, j) : -1, r);
            m->values[m->local[p]].param = p;
        }
        if (u->first_input < 0)
            continue;
        m->d_act_d_in[id] = ctx_array(c, (size_t)u->ninputs, sizeof *m->d_act_d_in[id]);
        for (int j = 0; j < u->ninputs; j++) {
            const char *w = net->params[u->weight[j]].name, *in = net->neurons[u->first_input + j].name;
            m->d_act_d_in[id][j] = local_partial(c, m, u, id, in, m->param[u->weight[j]],
                ctx_printf(c, "partial %s / partial %s = %s * f'(sum_%s)", pn, in, w, n));
        }
    }
}

/*
 * partial L / partial u as factors, appended to f (which has room for one
 * factor a layer above u, and one more): d_L_d_ypred, d_L_d_o2 or d_L_d_h1
 * where the code names it; else chained through the one neuron u feeds.
 */
static int upstream(Model *m, int id, int *f)
{
    Net *net = m->net;
    Neuron *u = &net->neurons[id];
    if (m->d_L_d_act[id] >= 0) {
        f[0] = m->d_L_d_act[id];
        return 1;
    }
    int next = net->layer_first[u->layer + 1], j = id - net->layer_first[u->layer];
    Neuron *v = &net->neurons[next];
    if (u->nfeeds != 1)
        bug("neuron %s feeds %d neurons but has no d_L_d_%s", u->name, u->nfeeds, u->name);
    if (is_sum_form(net, v)) {
        f[0] = m->d_L_d_sum[next];
        f[1] = m->param[v->weight[j]];
        return 2;
    }
    int n = upstream(m, next, f);
    f[n] = m->d_act_d_in[next][j];
    return n + 1;
}

static void dense_chain(Ctx *c, Model *m, int l)
{
    Net *net = m->net;
    int nl = net->spec->nlayers;
    int *f = ctx_array(c, (size_t)nl + 2, sizeof *f);
    /* partial L / partial each parameter of the layer. */
    for (int id = net->layer_first[l]; id < net->layer_first[l + 1]; id++) {
        Neuron *u = &net->neurons[id];
        for (int j = 0; j <= u->ninputs; j++) {
            int p = j < u->ninputs ? u->weight[j] : u->bias, n;
            if (is_sum_form(net, u)) {
                f[0] = m->d_L_d_sum[id];
                f[1] = j < u->ninputs ? input_value(m, u, j) : -1;
                n = j < u->ninputs ? 2 : 1;
            } else {
                n = upstream(m, id, f);
                f[n++] = m->local[p];
            }
            m->grad[p] = value_add(c, m, VAL_GRAD, ctx_printf(c, "d_L_d_%s", net->params[p].name), l, id, p);
            value_term(c, m, m->grad[p], f, n);
            m->values[m->grad[p]].by = &dense_layer;
        }
    }
    /* A map below needs every d_L_d of its values named: its own chain starts from them. */
    if (l == 0 || (net->neurons[net->layer_first[l - 1]].nfeeds < 2 && net->spec->layers[l - 1].type == LAYER_DENSE)
        || !needs_partials(net, l - 1))
        return;
    /* partial L / partial each neuron below that feeds several: a term for every neuron it feeds. */
    for (int h = net->layer_first[l - 1]; h < net->layer_first[l]; h++) {
        int v = m->d_L_d_act[h] = value_add(c, m, VAL_BACK, ctx_printf(c, "d_L_d_%s", net->neurons[h].name),
                                            l - 1, h, -1);
        m->values[v].by = &dense_layer;
        int j = h - net->layer_first[l - 1];
        for (int id = net->layer_first[l]; id < net->layer_first[l + 1]; id++) {
            Neuron *u = &net->neurons[id];
            int n;
            if (is_sum_form(net, u)) {
                f[0] = m->d_L_d_sum[id];
                f[1] = m->param[u->weight[j]];
                n = 2;
            } else {
                n = upstream(m, id, f);
                f[n++] = m->d_act_d_in[id][j];
            }
            value_term(c, m, v, f, n);
        }
    }
}

const LayerKind dense_layer = {"dense", dense_forward, dense_local, dense_chain};
