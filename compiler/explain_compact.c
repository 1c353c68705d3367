/*
 * explain_compact.c: a name explained in the compact form, the C of loops
 * over arrays that nnc writes for big networks.
 *
 * The math is the unrolled form's (explain.c): the same values, the same
 * chain rule.  What differs is where a value lives.  The compact form keeps
 * the weights in nn->w[] (w1 is w[0]) and the biases in nn->b[], a layer's
 * activations in an array named after its neurons (h, or h1, h2 with
 * several hidden layers; o) and its partials in d_L_d_sum_h[], d_L_d_h[];
 * the partials of one weight with respect to another value (d_h1_d_w1) it
 * never names, and each weight's partial it applies as soon as it has it.
 * So for each value this says which array element holds it, or what takes
 * its place, and shows the loops that compute it: the emitter records
 * their lines (Model.compact_lines) while it writes the C, and they are
 * taken from that C by number.
 */
#include <string.h>

#include "explain.h"

/* The array of layer l's activations, as emit_compact.c names it: h, h2, c1, p1, o; x for l = -1. */
static const char *layer_array(Explainer *x, int l)
{
    const Spec *s = x->net->spec;
    if (l < 0)
        return "x";
    if (l == s->nlayers - 1)
        return "o";
    const char *u = x->net->neurons[x->net->layer_first[l]].name;
    if (s->layers[l].type != LAYER_DENSE || strchr(u, '_') != NULL)
        return ctx_strndup(x->c, u, strcspn(u, "_"));
    return "h";
}

/* Does layer l keep its sums in sum_<a>[] (its derivative needs them; a conv layer's always)? */
static int keeps_sums(Explainer *x, int l)
{
    Act act = x->net->spec->layers[l].act;
    return act == ACT_RELU || act == ACT_LEAKY_RELU || act == ACT_SOFTMAX ||
           x->net->spec->layers[l].type == LAYER_CONV;
}

/* Where neuron id's j-th input lives: x[j] or h[j]; a map's, where its window reads it. */
static const char *input_at(Explainer *x, int id, int j)
{
    const Neuron *u = &x->net->neurons[id];
    int in = u->input[j], l = u->layer - 1;
    return ctx_printf(x->c, "%s[%d]", layer_array(x, l), in < 0 ? -1 - in : in - x->net->layer_first[l]);
}

/* Where a value of map layer l lives, if its kind is one that only maps have; else NULL. */
static const char *map_where(Explainer *x, const Value *val, const char *a, int j)
{
    Ctx *c = x->c;
    int l = val->layer;
    if (l < 0 || x->net->spec->layers[l].type == LAYER_DENSE)
        return NULL;
    if (val->kind == VAL_BACK && strncmp(val->name, "d_L_d_sum_", 10) == 0)
        return ctx_printf(c, "d_L_d_sum_%s[%d]", a, j);
    if (val->kind == VAL_LOCAL && x->net->spec->layers[l].type == LAYER_POOL) {
        const Layer *y = &x->net->spec->layers[l];
        if (y->pool == POOL_MAX)
            return ctx_printf(c, "not kept: d_L_d_%s[%d] goes whole to the value below that won the window", a, j);
        return ctx_printf(c, "not kept: d_L_d_%s[%d] / %d goes to each value of the window", a, j, y->kh * y->kw);
    }
    if (val->kind == VAL_GRAD) {
        const Param *p = &x->net->params[val->param];
        const Owner *o = &x->net->owners[p->owner];
        int k = (int)(p - x->net->params), f = o->unit - x->net->layer_first[l];
        if (p->input < 0)
            return ctx_printf(c, "d_L_d_b_%s[%d], the sum over the positions; then nn->%s is moved against it", a, f,
                              param_at(x, p));
        /* d_L_d_wt_c1[] holds the layer's weights by tap, as wt_c1 does: tap t of filter f at t * F + f. */
        int t = k - o->first_weight, nf = x->net->spec->layers[l].out.c;
        return ctx_printf(c, "d_L_d_wt_%s[%d * %d + %d] = d_L_d_wt_%s[%d], the sum over the positions; "
                             "then nn->%s is moved against it", a, t, nf, f, a, t * nf + f, param_at(x, p));
    }
    return NULL;
}

const char *param_at(Explainer *x, const Param *p)
{
    int k = (int)(p - x->net->params);
    return p->input < 0 ? ctx_printf(x->c, "b[%d]", k - x->net->nweights) : ctx_printf(x->c, "w[%d]", k);
}

/* Where value v lives in the compact form, or what stands for it there. */
static const char *where(Explainer *x, int v)
{
    Ctx *c = x->c;
    const Value *val = &x->m->values[v];
    const char *name = val->name;
    int l = val->layer, id = val->unit;
    int j = id >= 0 ? id - x->net->layer_first[l] : 0;
    const char *a = l >= 0 ? layer_array(x, l) : "?";
    const char *in_map = map_where(x, val, a, j);
    if (in_map != NULL)
        return in_map;
    switch (val->kind) {
    case VAL_SUM:
        if (id < 0)
            return name; /* max_sum_o */
        return keeps_sums(x, l) ? ctx_printf(c, "sum_%s[%d]", a, j)
                                : ctx_printf(c, "%s[%d], before the activation replaces it", a, j);
    case VAL_ACT:
        if (id < 0)
            return name; /* sum_exp */
        if (strncmp(name, "exp_", 4) == 0)
            return ctx_printf(c, "%s[%d], before it is divided by sum_exp", a, j);
        return ctx_printf(c, "%s[%d]", a, j);
    case VAL_OUTPUT:
        return "o[0]";
    case VAL_LOSS:
        if (id < 0)
            return name; /* d_L_d_o_dot_o */
        return strncmp(name, "d_L_d_sum_", 10) == 0 ? ctx_printf(c, "d_L_d_sum_o[%d]", j)
                                                    : ctx_printf(c, "d_L_d_o[%d]", j);
    case VAL_BACK:
        return ctx_printf(c, "d_L_d_%s[%d]", a, j);
    case VAL_LOCAL:
        if (x->m->d_act_d_sum[id] == v)
            return ctx_printf(c, "not kept: the factor f'(sum_%s[%d]) of d_L_d_sum_%s[%d]", a, j, a, j);
        if (val->param >= 0)
            return ctx_printf(c, "not kept: d_L_d_sum_%s[%d] is multiplied by %s at once", a, j,
                              x->net->params[val->param].input < 0
                                  ? "1" : input_at(x, id, x->net->params[val->param].input));
        return ctx_printf(c, "not kept: d_L_d_sum_%s[%d] * w[i] goes into d_L_d_%s[i]", a, j,
                          layer_array(x, l - 1));
    case VAL_GRAD: {
        const Param *p = &x->net->params[val->param];
        const char *in = p->input < 0 ? "" : ctx_printf(c, " * %s", input_at(x, id, p->input));
        return ctx_printf(c, "d_L_d_sum_%s[%d]%s, not kept: nn->%s is moved against it at once", a, j, in,
                          param_at(x, p));
    }
    default:
        return name;
    }
}

/* The C file with the lines of the compact NAME_train_sample recorded; its lines by number in *line. */
static char **compact_file(Explainer *x, int *nlines)
{
    Ctx *c = x->c;
    Buf file = {0};
    int line_directives = c->line_directives;
    c->line_directives = 0; /* the lines counted are those of the C without #line */
    emit_c(c, x->m, &file);
    c->line_directives = line_directives;
    if (x->m->compact_lines == NULL)
        bug("the emitter recorded no lines of the compact form");
    int n = 0;
    for (size_t i = 0; i < file.len; i++)
        n += file.s[i] == '\n';
    char **line = ctx_array(c, (size_t)n + 2, sizeof *line);
    char *p = file.s;
    for (int k = 1; k <= n; k++) {
        char *nl = strchr(p, '\n');
        *nl = '\0';
        line[k] = p;
        p = nl + 1;
    }
    *nlines = n;
    return line;
}

/* Writes the ranges r[0..n) of the C's lines, joining those a blank line apart; says which first. */
static void write_lines(Explainer *x, LineRange *r, int n, const char *what)
{
    Ctx *c = x->c;
    int nlines;
    char **line = compact_file(x, &nlines);
    int k = 0;
    for (int i = 0; i < n; i++) {
        if (r[i].first <= 0)
            continue;
        if (k > 0 && r[i].first <= r[k - 1].last + 2)
            r[k - 1].last = r[i].last > r[k - 1].last ? r[i].last : r[k - 1].last;
        else
            r[k++] = r[i];
    }
    Buf at = {0};
    for (int i = 0; i < k; i++)
        buf_printf(c, &at, "%s%d-%d", i == 0 ? "" : i + 1 == k ? " and " : ", ", r[i].first, r[i].last);
    paragraph(x, ctx_printf(c, "In %s, %s (lines %s of the C):", x->fn, what, at.s != NULL ? at.s : ""));
    for (int i = 0; i < k; i++) {
        if (i > 0)
            buf_puts(c, x->out, "\n");
        for (int l = r[i].first; l <= r[i].last && l <= nlines; l++)
            buf_printf(c, x->out, "%s\n", line[l]);
    }
}

void compact_intro(Explainer *x)
{
    paragraph(x, ctx_printf(x->c, "Network '%s' has %d weights, so nnc writes its C in the compact form: "
                                  "loops over nn->w[] and nn->b[] (w1 is nn->w[0], b1 is nn->b[0]), "
                                  "with these partials in the comments. The math is the same; below, "
                                  "where the loops keep each value, and the loops themselves.",
                            x->net->spec->name, x->net->nweights));
}

void compact_value(Explainer *x, int v)
{
    Ctx *c = x->c;
    const Value *val = &x->m->values[v];
    int nl = x->net->spec->nlayers, in_ff = x->pos[v] < x->ff_end;
    /* The value and the factors of its closure, with where each lives. */
    int n = x->norder < MAX_FACTORS ? x->norder : MAX_FACTORS, w = 0;
    for (int q = 0; q < n; q++) {
        int len = (int)strlen(x->m->values[x->order[q]].name);
        w = len > w ? len : w;
    }
    paragraph(x, "In the compact C:");
    for (int q = 0; q < n; q++)
        buf_printf(c, x->out, "    %-*s  %s\n", w, x->m->values[x->order[q]].name, where(x, x->order[q]));
    if (x->norder > n)
        buf_printf(c, x->out, "    ... and %d more\n", x->norder - n);
    buf_puts(c, x->out, "\n");

    /* The loops: the feedforward up to its layer, or the loss and the backward pass down to it. */
    LineRange *r = ctx_array(c, (size_t)nl + 1, sizeof *r);
    int k = 0;
    CompactLines *cl = x->m->compact_lines;
    if (cl == NULL) {
        int nlines;
        compact_file(x, &nlines);
        cl = x->m->compact_lines;
    }
    int layer = val->layer < 0 ? nl - 1 : val->layer;
    if (in_ff) {
        for (int l = 0; l <= layer; l++)
            r[k++] = cl[l].forward;
    } else {
        r[k++] = cl[nl - 1].loss;
        /* d_L_d_h1 comes from the layer above h1; d_L_d_sum_c1_1_1_1 from c1's own backward loops. */
        int own = strncmp(val->name, "d_L_d_sum_", 10) == 0;
        int lowest = val->kind == VAL_LOSS ? nl : val->kind == VAL_BACK && !own ? layer + 1 : layer;
        for (int l = nl - 1; l >= lowest; l--)
            r[k++] = cl[l].backward;
    }
    write_lines(x, r, k, in_ff ? "these loops compute it" : "these loops compute it, after the feedforward");
}

void compact_param(Explainer *x, Param *p)
{
    Ctx *c = x->c;
    const Spec *s = x->net->spec;
    int id = p->neuron, l = x->net->neurons[id].layer;
    paragraph(x, ctx_printf(c, "%s is a parameter of network '%s': %s. In the generated C it is nn->%s, "
                               "in an array of struct %s.", p->name, s->name, param_desc(x, p),
                            param_at(x, p), s->name));
    int nlines;
    compact_file(x, &nlines);
    LineRange r[2] = {x->m->compact_lines[l].forward, x->m->compact_lines[l].backward};
    write_lines(x, r, 2, "the loops of its layer read it and move it against its partial");
    buf_puts(c, x->out, "\n");
    const char *a = layer_array(x, l);
    const char *in = p->input < 0 ? "" : ctx_printf(c, " * %s", input_at(x, id, p->input));
    if (x->net->owners[p->owner].is_filter)
        paragraph(x, ctx_printf(c, "Training moves it against d_L_d_%s, the partial derivative of the loss with "
                                   "respect to it, here %s.", p->name, map_where(x, &x->m->values[x->m->grad[
                                   p - x->net->params]], a, 0)));
    else
        paragraph(x, ctx_printf(c, "Training moves it against d_L_d_%s, the partial derivative of the loss with "
                                   "respect to it, here d_L_d_sum_%s[%d]%s.", p->name, a,
                                id - x->net->layer_first[l], in));
    x->out->s[--x->out->len] = '\0'; /* no blank line at the end */
}
