/*
 * chain.c: the model of a network's backpropagation, as data.
 *
 * model_build asks each layer's kind (dense.c) for its values, in the
 * order backpropagation needs them: every layer's forward values from the
 * input up, then the loss's partials, then, from the output layer back,
 * each layer's local partials and what they chain into.  The loss's
 * partials and the optimizer's state are the network's, not a layer's,
 * and are added here.
 *
 * A value's formula is kept as factors of other values wherever the chain
 * rule gives it, so that an emitter can write it, and --explain can follow
 * it, without knowing which rule made it.  Only the closed forms of
 * calculus (an activation's derivative, the loss's) are C expressions.
 */
#include <string.h>

#include "nnc.h"

int value_add(Ctx *c, Model *m, ValKind kind, const char *name, int layer, int unit, int param)
{
    if (m->nvalues == m->cap) {
        int cap = m->cap ? 2 * m->cap : 64;
        Value *v = ctx_array(c, (size_t)cap, sizeof *v);
        if (m->nvalues > 0)
            memcpy(v, m->values, (size_t)m->nvalues * sizeof *v);
        m->values = v;
        m->cap = cap;
    }
    Value *v = &m->values[m->nvalues];
    v->kind = kind;
    v->name = name;
    v->layer = layer;
    v->unit = unit;
    v->param = param;
    return m->nvalues++;
}

/*
 * Adds d to v's dependencies unless it is there already.  A sum can read
 * 100,000 values, so duplicates are found by a stamp per value (seen[d]
 * is v + 1 once d is a dependency of v), not by a scan; the stamps of v's
 * dependencies are laid again when another value took them meanwhile.
 */
static void add_dep(Ctx *c, Model *m, int v, int d)
{
    Value *val = &m->values[v];
    if (m->seen_size < m->nvalues) {
        int *seen = ctx_array(c, (size_t)m->cap, sizeof *seen);
        if (m->seen_size > 0)
            memcpy(seen, m->seen, (size_t)m->seen_size * sizeof *seen);
        m->seen = seen;
        m->seen_size = m->cap;
    }
    if (m->seen_owner != v + 1) {
        for (int i = 0; i < val->ndeps; i++)
            m->seen[val->deps[i]] = v + 1;
        m->seen_owner = v + 1;
    }
    if (m->seen[d] == v + 1)
        return;
    m->seen[d] = v + 1;
    /* Grow by doubling at powers of two. */
    if ((val->ndeps & (val->ndeps - 1)) == 0) {
        int *deps = ctx_array(c, (size_t)(val->ndeps ? 2 * val->ndeps : 1), sizeof *deps);
        if (val->ndeps > 0)
            memcpy(deps, val->deps, (size_t)val->ndeps * sizeof *deps);
        val->deps = deps;
    }
    val->deps[val->ndeps++] = d;
}

void value_term(Ctx *c, Model *m, int v, const int *factors, int n)
{
    Value *val = &m->values[v];
    if ((val->nterms & (val->nterms - 1)) == 0) {
        Term *t = ctx_array(c, (size_t)(val->nterms ? 2 * val->nterms : 1), sizeof *t);
        if (val->nterms > 0)
            memcpy(t, val->terms, (size_t)val->nterms * sizeof *t);
        val->terms = t;
    }
    Term *t = &val->terms[val->nterms++];
    t->nfactors = n;
    t->factors = ctx_array(c, (size_t)n, sizeof *t->factors);
    memcpy(t->factors, factors, (size_t)n * sizeof *factors);
    for (int i = 0; i < n; i++) {
        if (factors[i] < 0 || factors[i] >= v)
            bug("value %s reads value %d, which is not before it", val->name, factors[i]);
        add_dep(c, m, v, factors[i]);
    }
}

void value_expr(Ctx *c, Model *m, int v, const char *expr, const int *deps, int n)
{
    Value *val = &m->values[v];
    val->expr = expr;
    for (int i = 0; i < n; i++) {
        if (deps[i] < 0 || deps[i] >= v)
            bug("value %s reads value %d, which is not before it", val->name, deps[i]);
        add_dep(c, m, v, deps[i]);
    }
}

int value_named(const Model *m, const char *name)
{
    for (int i = 0; i < m->nvalues; i++)
        if (strcmp(m->values[i].name, name) == 0)
            return i;
    return -1;
}

int is_sum_form(const Net *net, const Neuron *u)
{
    const Spec *s = net->spec;
    if (u->layer != s->nlayers - 1)
        return 0;
    return u->act == ACT_SOFTMAX || s->loss == LOSS_BCE;
}

int needs_partials(const Net *net, int l)
{
    for (int k = l; k >= 0; k--)
        if (net->spec->layers[k].type != LAYER_POOL)
            return 1;
    return 0;
}

static int *filled(Ctx *c, int n)
{
    int *a = ctx_array(c, (size_t)(n > 0 ? n : 1), sizeof *a);
    for (int i = 0; i < n; i++)
        a[i] = -1;
    return a;
}

/*
 * The loss's partials: with respect to y_pred (one output), to each
 * output (several), or to each output's sum where the loss and the
 * activation simplify together (cross-entropy through softmax, binary
 * cross-entropy through the sigmoid, and softmax under mean squared error
 * through d_L_d_o_dot_o).
 */
static void loss_values(Ctx *c, Model *m)
{
    Net *net = m->net;
    Spec *s = net->spec;
    int no = net->noutputs, first = net->layer_first[s->nlayers - 1];
    int last = s->nlayers - 1;
    Act act = s->layers[last].act;
    for (int k = 0; k < no; k++) {
        Neuron *u = &net->neurons[first + k];
        int o = m->act[first + k], y = m->target[k];
        int deps[2] = {o, y};
        if (s->loss == LOSS_CE) {
            int v = value_add(c, m, VAL_LOSS, ctx_printf(c, "d_L_d_sum_%s", u->name), last, first + k, -1);
            value_expr(c, m, v, ctx_printf(c, "%s - y_true[%d]", u->name, k), deps, 2);
            m->values[v].rule = "Cross-entropy through softmax: partial L / partial sum_ok = o_k - y_true_k, "
                                "the well-known simplification of "
                                "sum_j (partial L / partial o_j) (partial o_j / partial sum_ok).";
            m->d_L_d_sum[first + k] = v;
        } else if (s->loss == LOSS_BCE) {
            int v = value_add(c, m, VAL_LOSS, ctx_printf(c, "d_L_d_sum_%s", u->name), last, first + k, -1);
            value_expr(c, m, v, no == 1 ? ctx_printf(c, "%s - y_true[0]", u->name)
                                        : ctx_printf(c, "(%s - y_true[%d]) / %d", u->name, k, no), deps, 2);
            m->values[v].rule = ctx_printf(c, "Binary cross-entropy through the sigmoid: partial L / partial "
                                              "sum_ok = (o_k - y_true_k) / K%s, the simplification of "
                                              "(partial L / partial o_k) * o_k * (1 - o_k).",
                                           no == 1 ? " with K = 1" : "");
            m->d_L_d_sum[first + k] = v;
        } else if (no == 1) {
            int d[2] = {y, m->ypred};
            if (m->ypred < 0)
                bug("mean squared error of one output without y_pred");
            int v = value_add(c, m, VAL_LOSS, "d_L_d_ypred", last, first, -1);
            value_expr(c, m, v, "-2 * (y_true[0] - y_pred)", d, 2);
            m->values[v].rule = "partial L / partial y_pred = -2 * (y_true - y_pred)";
            m->d_L_d_act[first] = v;
        } else {
            int v = value_add(c, m, VAL_LOSS, ctx_printf(c, "d_L_d_%s", u->name), last, first + k, -1);
            int d[2] = {y, o};
            value_expr(c, m, v, ctx_printf(c, "-2 * (y_true[%d] - %s) / %d", k, u->name, no), d, 2);
            m->values[v].rule = ctx_printf(c, "partial L / partial o_k = -2 * (y_true_k - o_k) / %d", no);
            m->d_L_d_act[first + k] = v;
        }
    }
    if (s->loss != LOSS_MSE || no == 1 || act != ACT_SOFTMAX)
        return;
    m->o_dot = value_add(c, m, VAL_LOSS, "d_L_d_o_dot_o", last, -1, -1);
    for (int k = 0; k < no; k++) {
        int f[2] = {m->d_L_d_act[first + k], m->act[first + k]};
        value_term(c, m, m->o_dot, f, 2);
    }
    m->values[m->o_dot].rule = "Softmax: partial L / partial sum_ok = o_k * (d_L_d_o_k - sum_j d_L_d_o_j * o_j)";
    for (int k = 0; k < no; k++) {
        const char *n = net->neurons[first + k].name;
        int v = value_add(c, m, VAL_LOSS, ctx_printf(c, "d_L_d_sum_%s", n), last, first + k, -1);
        int d[3] = {m->act[first + k], m->d_L_d_act[first + k], m->o_dot};
        value_expr(c, m, v, ctx_printf(c, "%s * (d_L_d_%s - d_L_d_o_dot_o)", n, n), d, 3);
        m->values[v].rule = m->values[m->o_dot].rule;
        m->d_L_d_sum[first + k] = v;
    }
}

/* The optimizer's state of each parameter: velocity_w1, or m_w1 and v_w1. */
static void state_values(Ctx *c, Model *m)
{
    Net *net = m->net;
    OptKind opt = net->spec->optimizer;
    static const char *const prefix[3][2] = {{NULL, NULL}, {"velocity_", NULL}, {"m_", "v_"}};
    for (int k = 0; k < 2; k++) {
        const char *pre = prefix[opt][k];
        if (pre == NULL)
            break;
        m->state[k] = filled(c, net->nparams);
        for (int p = 0; p < net->nparams; p++) {
            int v = value_add(c, m, VAL_STATE, ctx_printf(c, "%s%s", pre, net->params[p].name),
                              net->neurons[net->params[p].neuron].layer, net->params[p].neuron, p);
            int d[2] = {m->grad[p], m->param[p]};
            value_expr(c, m, v, NULL, d, 2);
            m->state[k][p] = v;
        }
    }
}

Model *model_new(Ctx *c, Net *net)
{
    Model *m = ctx_alloc(c, sizeof *m);
    m->net = net;
    return m;
}

Model *model_build(Ctx *c, Net *net)
{
    Spec *s = net->spec;
    Model *m = model_new(c, net);
    m->input = filled(c, s->ninputs);
    m->target = filled(c, net->noutputs);
    m->param = filled(c, net->nparams);
    m->local = filled(c, net->nparams);
    m->grad = filled(c, net->nparams);
    m->sum = filled(c, net->nneurons);
    m->act = filled(c, net->nneurons);
    m->d_act_d_sum = filled(c, net->nneurons);
    m->d_L_d_sum = filled(c, net->nneurons);
    m->d_L_d_act = filled(c, net->nneurons);
    m->d_act_d_in = ctx_array(c, (size_t)net->nneurons, sizeof *m->d_act_d_in);
    m->ypred = m->o_dot = -1;

    for (int i = 0; i < s->ninputs; i++)
        m->input[i] = value_add(c, m, VAL_INPUT, ctx_printf(c, "x[%d]", i), -1, -1, -1);
    for (int k = 0; k < net->noutputs; k++)
        m->target[k] = value_add(c, m, VAL_TARGET, ctx_printf(c, "y_true[%d]", k), -1, -1, -1);
    for (int p = 0; p < net->nparams; p++)
        m->param[p] = value_add(c, m, VAL_PARAM, net->params[p].name,
                                net->neurons[net->params[p].neuron].layer, net->params[p].neuron, p);

    for (int l = 0; l < s->nlayers; l++)
        net->layer_kind[l]->forward(c, m, l);
    /* The tutorial's y_pred: the one output, where the loss's partial is taken with respect to it. */
    int out = net->nneurons - 1;
    if (net->noutputs == 1 && !is_sum_form(net, &net->neurons[out])) {
        m->ypred = value_add(c, m, VAL_OUTPUT, "y_pred", s->nlayers - 1, out, -1);
        value_expr(c, m, m->ypred, net->neurons[out].name, &m->act[out], 1);
    }
    loss_values(c, m);
    for (int l = s->nlayers - 1; l >= 0; l--) {
        net->layer_kind[l]->local(c, m, l);
        net->layer_kind[l]->chain(c, m, l);
    }
    state_values(c, m);
    return m;
}

const char *value_ref(Ctx *c, const Model *m, int v)
{
    const Value *val = &m->values[v];
    return val->kind == VAL_PARAM ? ctx_printf(c, "nn->%s", val->name) : val->name;
}

/* The C of one term: its factors joined by " * ". */
static const char *term_c(Ctx *c, const Model *m, const Term *t)
{
    Buf b = {0};
    for (int i = 0; i < t->nfactors; i++)
        buf_printf(c, &b, "%s%s", i > 0 ? " * " : "", value_ref(c, m, t->factors[i]));
    return b.s != NULL ? b.s : "";
}

const char **value_terms(Ctx *c, const Model *m, int v, int *n)
{
    const Value *val = &m->values[v];
    if (val->expr != NULL || val->nterms == 0) {
        const char **t = ctx_alloc(c, sizeof *t);
        t[0] = val->expr != NULL ? val->expr : "";
        *n = 1;
        return t;
    }
    const char **t = ctx_array(c, (size_t)val->nterms, sizeof *t);
    for (int i = 0; i < val->nterms; i++)
        t[i] = term_c(c, m, &val->terms[i]);
    *n = val->nterms;
    return t;
}

const char *value_c(Ctx *c, const Model *m, int v)
{
    int n;
    const char **t = value_terms(c, m, v, &n);
    Buf b = {0};
    for (int i = 0; i < n; i++)
        buf_printf(c, &b, "%s%s", i > 0 ? " + " : "", t[i]);
    return b.s != NULL ? b.s : "";
}
