/*
 * explain_maps.c: the words for the names of conv and pool layers, for
 * explain.c and explain_compact.c.
 *
 * A dense network's names are neurons and the edges between them; a map's
 * are not.  c1_2_3_1 is a position of a map (row 2, column 3, channel 1),
 * not a neuron with edges of its own, and w1 of a conv layer is one tap of
 * one filter (kernel row, column, input channel), shared by every position
 * the filter slides over, so that dL/dw1 is a sum over those positions.
 * These sentences say so; the dense names keep the words they had.
 */
#include <string.h>

#include "explain.h"

int is_map_unit(Explainer *x, const Neuron *u)
{
    return x->net->spec->layers[u->layer].type != LAYER_DENSE;
}

/* The layer's name, as its values begin: c1 of c1_2_3_1, p2 of p2_1_1_4. */
static char *layer_name(Explainer *x, const Neuron *u)
{
    return ctx_strndup(x->c, u->name, strcspn(u->name, "_"));
}

/* The row, column and channel (from 0) of map unit u. */
static void position(Explainer *x, const Neuron *u, int *r, int *col, int *ch)
{
    const Shape *m = &x->net->spec->layers[u->layer].out;
    int k = (int)(u - x->net->neurons) - x->net->layer_first[u->layer];
    *r = k / (m->w * m->c), *col = k / m->c % m->w, *ch = k % m->c;
}

char *map_unit_desc(Explainer *x, const Neuron *u)
{
    int r, col, ch;
    position(x, u, &r, &col, &ch);
    return ctx_printf(x->c, "the value of %s layer %s's map at row %d, column %d, channel %d",
                      x->net->spec->layers[u->layer].type == LAYER_CONV ? "conv" : "pool", layer_name(x, u),
                      r + 1, col + 1, ch + 1);
}

char *map_sum_desc(Explainer *x, const Neuron *u, int whole)
{
    const Layer *y = &x->net->spec->layers[u->layer];
    int r, col, ch;
    position(x, u, &r, &col, &ch);
    char *t = ctx_printf(x->c, "the weighted sum of filter %d of conv layer %s at row %d, column %d of its map",
                         ch + 1, layer_name(x, u), r + 1, col + 1);
    if (!whole)
        return t;
    return ctx_printf(x->c, "%s: the filter's %dx%dx%d weights times the values under them there, plus its bias "
                            "%s", t, y->kh, y->kw, y->in.c, x->net->params[u->bias].name);
}

/* The name of the j-th input of map unit u: x[7], or c1_1_2_1. */
static const char *input_name(Explainer *x, const Neuron *u, int j)
{
    int in = u->input[j];
    return in < 0 ? ctx_printf(x->c, "x[%d]", -1 - in) : x->net->neurons[in].name;
}

char *map_value_headline(Explainer *x, const Neuron *u)
{
    Ctx *c = x->c;
    const Layer *y = &x->net->spec->layers[u->layer];
    int r, col, ch;
    position(x, u, &r, &col, &ch);
    if (y->type == LAYER_CONV)
        return ctx_printf(c, "%s is %s: filter %d's activation, %s, applied to sum_%s.", u->name,
                          map_unit_desc(x, u), ch + 1, act_names[u->act], u->name);
    char **in = ctx_array(c, (size_t)u->ninputs, sizeof *in);
    for (int j = 0; j < u->ninputs; j++)
        in[j] = (char *)input_name(x, u, j);
    const char *below = u->input[0] < 0 ? "the input" : layer_name(x, &x->net->neurons[u->input[0]]);
    return ctx_printf(c, "%s is %s: the %s of the %dx%d window of %s under it, channel %d: %s%s.", u->name,
                      map_unit_desc(x, u), y->pool == POOL_MAX ? "largest" : "mean", y->kh, y->kw, below, ch + 1,
                      and_list(x, in, u->ninputs, 9),
                      y->pool == POOL_MAX ? " (of equal values, the first in row-major order)" : "");
}

/* The conv layer's number among the conv layers, as its values are named: 1 for c1. */
static int conv_ordinal(Explainer *x, int l)
{
    int n = 0;
    for (int k = 0; k <= l; k++)
        n += x->net->spec->layers[k].type == LAYER_CONV;
    return n;
}

char *filter_param_desc(Explainer *x, const Param *p)
{
    const Owner *o = &x->net->owners[p->owner];
    if (!o->is_filter)
        return NULL;
    const Layer *y = &x->net->spec->layers[o->layer];
    int f = o->unit - x->net->layer_first[o->layer], n = conv_ordinal(x, o->layer);
    if (p->input < 0)
        return ctx_printf(x->c, "the bias %s of filter %d of conv layer c%d, shared by every position of its map",
                          p->name, f + 1, n);
    int k = p->input;
    return ctx_printf(x->c, "the weight %s of filter %d of conv layer c%d (kernel row %d, column %d, input "
                            "channel %d), shared by every position of its map", p->name, f + 1, n,
                      k / (y->kw * y->in.c) + 1, k / y->in.c % y->kw + 1, k % y->in.c + 1);
}

char *shared_note(Explainer *x, const Param *p)
{
    const Owner *o = &x->net->owners[p->owner];
    if (!o->is_filter)
        return NULL;
    int k = (int)(p - x->net->params), f = o->unit - x->net->layer_first[o->layer], n = 0, npos = 0;
    const Shape *m = &x->net->spec->layers[o->layer].out;
    for (int id = x->net->layer_first[o->layer]; id < x->net->layer_first[o->layer + 1]; id++) {
        const Neuron *u = &x->net->neurons[id];
        if ((id - x->net->layer_first[o->layer]) % m->c != f)
            continue;
        npos++;
        for (int j = 0; j < u->ninputs && p->input >= 0; j++)
            n += u->weight[j] == k;
    }
    if (p->input < 0)
        n = npos;
    if (n == npos)
        return ctx_printf(x->c, "Filter %d uses %s at each of its %d positions, so dL/d%s adds up one partial "
                                "for each: the sum over the positions where it was used.", f + 1, p->name, npos,
                          p->name);
    return ctx_printf(x->c, "Filter %d uses %s at %d of its %d positions (at the others it falls on the padding), "
                            "so dL/d%s adds up one partial for each of those %d: the sum over the positions where "
                            "it was used.", f + 1, p->name, n, npos, p->name, n);
}

int units_fed(Explainer *x, const Neuron *u, char **fed)
{
    int n = 0, id = (int)(u - x->net->neurons), l = u->layer + 1;
    for (int v = x->net->layer_first[l]; v < x->net->layer_first[l + 1]; v++)
        for (int j = 0; j < x->net->neurons[v].ninputs; j++)
            if (x->net->neurons[v].input[j] == id) {
                fed[n++] = x->net->neurons[v].name;
                break;
            }
    return n;
}
