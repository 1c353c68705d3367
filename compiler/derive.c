/*
 * derive.c: the network's neurons and parameters, named, and who feeds whom.
 *
 * Neurons are named as the tutorial names them: h1, h2, ... in a single
 * hidden layer and o1, o2, ... in the output layer.  With several hidden
 * layers a neuron is h<layer>_<neuron> (h2_3 is the third neuron of the
 * second hidden layer), short and unambiguous.  Weights are w1, w2, ...
 * layer by layer, neuron by neuron, input by input; biases are b1, b2, ...
 * one per neuron in the same order: for the tutorial, h1 has w1, w2, b1,
 * h2 has w3, w4, b2 and o1 has w5, w6, b3.
 *
 * In partial derivatives the output of a single-output network is y_pred,
 * written ypred in names (d_L_d_ypred, d_ypred_d_w5), as in the tutorial.
 *
 * A conv or pool layer's units are the values of its map, channels-last:
 * c1_2_3_1 is conv layer 1's value at row 2, column 3, filter 1 (1-based,
 * as the neurons are), p1_1_1_1 pool layer 1's.  A conv filter's weights
 * are numbered filter by filter, kernel row by row, column by column,
 * input channel by channel, and shared by every position of its map: a
 * unit lists the taps it reads (those on padding left out) and which
 * shared weight each takes.  Dense neurons are named counting the dense
 * hidden layers only.  Each layer's kind (dense.c, conv.c, pool.c) says
 * how the model of the chain rule (chain.c) gets its values.
 */
#include "nnc.h"

/* The unit of layer l (-1: the input map) at row r, column col, channel ch: an index into x or a unit. */
static int map_index(Net *net, int l, int r, int col, int ch)
{
    const Spec *s = net->spec;
    Shape m = l < 0 ? s->input_shape : s->layers[l].out;
    int k = (r * m.w + col) * m.c + ch;
    return l < 0 ? -1 - k : net->layer_first[l] + k;
}

/* A conv or pool layer's units: one a position and channel, with the inputs under its window. */
static void map_units(Ctx *c, Net *net, int l, int ordinal, int *w, int *b)
{
    const Layer *y = &net->spec->layers[l];
    int conv = y->type == LAYER_CONV, first_w = *w;
    for (int r = 0; r < y->out.h; r++)
        for (int col = 0; col < y->out.w; col++)
            for (int f = 0; f < y->out.c; f++) {
                int id = map_index(net, l, r, col, f);
                Neuron *u = &net->neurons[id];
                u->name = ctx_printf(c, "%c%d_%d_%d_%d", conv ? 'c' : 'p', ordinal, r + 1, col + 1, f + 1);
                u->pname = u->name;
                u->layer = l;
                u->act = y->act;
                u->first_input = -1;
                u->bias = conv ? *b + f : -1;
                int taps = y->kh * y->kw * (conv ? y->in.c : 1);
                u->input = ctx_array(c, (size_t)taps, sizeof *u->input);
                if (conv)
                    u->weight = ctx_array(c, (size_t)taps, sizeof *u->weight);
                for (int i = 0; i < y->kh; i++)
                    for (int j = 0; j < y->kw; j++) {
                        int ir = r * y->stride_h + i - y->pad, jc = col * y->stride_w + j - y->pad;
                        if (ir < 0 || ir >= y->in.h || jc < 0 || jc >= y->in.w)
                            continue; /* a tap on the padding reads 0: left out */
                        for (int ch = 0; ch < (conv ? y->in.c : 1); ch++) {
                            if (conv)
                                u->weight[u->ninputs] = first_w + ((f * y->kh + i) * y->kw + j) * y->in.c + ch;
                            u->input[u->ninputs++] = map_index(net, l - 1, ir, jc, conv ? ch : f);
                        }
                    }
            }
    if (!conv)
        return;
    for (int f = 0; f < y->out.c; f++) {
        Owner *o = &net->owners[net->nowners++];
        o->name = ctx_printf(c, "c%d_f%d", ordinal, f + 1);
        o->is_filter = 1;
        o->layer = l;
        o->unit = map_index(net, l, 0, 0, f);
        o->first_weight = *w;
        o->nweights = y->kh * y->kw * y->in.c;
        o->bias = *b;
        for (int k = 0; k < o->nweights; k++, (*w)++) {
            net->params[*w].name = ctx_printf(c, "w%d", *w + 1);
            net->params[*w].neuron = o->unit;
            net->params[*w].input = k;
            net->params[*w].owner = net->nowners - 1;
        }
        (*b)++;
    }
}

/* A dense layer's neurons: each reads every value of the layer (or map) below. */
static void dense_units(Ctx *c, Net *net, int l, int dense_index, int ndense_hidden, int *w, int *b)
{
    const Spec *s = net->spec;
    int fan_in = l == 0 ? s->ninputs : s->layers[l - 1].size, out = l == s->nlayers - 1;
    for (int i = 0; i < s->layers[l].size; i++) {
        int id = net->layer_first[l] + i;
        Neuron *u = &net->neurons[id];
        if (out)
            u->name = ctx_printf(c, "o%d", i + 1);
        else if (ndense_hidden == 1)
            u->name = ctx_printf(c, "h%d", i + 1);
        else
            u->name = ctx_printf(c, "h%d_%d", dense_index + 1, i + 1);
        u->pname = out && net->noutputs == 1 ? "ypred" : u->name;
        u->layer = l;
        u->act = s->layers[l].act;
        u->ninputs = fan_in;
        u->first_input = l == 0 ? -1 : net->layer_first[l - 1];
        u->input = ctx_array(c, (size_t)fan_in, sizeof *u->input);
        u->weight = ctx_array(c, (size_t)fan_in, sizeof *u->weight);
        u->bias = *b;
        Owner *o = &net->owners[net->nowners++];
        *o = (Owner){u->name, 0, l, id, *w, fan_in, *b};
        for (int j = 0; j < fan_in; j++, (*w)++) {
            u->input[j] = l == 0 ? -1 - j : net->layer_first[l - 1] + j;
            u->weight[j] = *w;
            net->params[*w].name = ctx_printf(c, "w%d", *w + 1);
            net->params[*w].neuron = id;
            net->params[*w].input = j;
            net->params[*w].owner = net->nowners - 1;
        }
        (*b)++;
    }
}

Net *derive(Ctx *c, Spec *s)
{
    Net *net = ctx_alloc(c, sizeof *net);
    net->spec = s;
    net->noutputs = s->layers[s->nlayers - 1].size;
    net->layer_first = ctx_array(c, (size_t)s->nlayers + 1, sizeof *net->layer_first);
    net->layer_kind = ctx_array(c, (size_t)s->nlayers, sizeof *net->layer_kind);

    int n = 0, nowners = 0, ndense_hidden = 0, nweights = 0;
    for (int l = 0; l < s->nlayers; l++) {
        const Layer *y = &s->layers[l];
        net->layer_kind[l] = y->type == LAYER_CONV ? &conv_layer : y->type == LAYER_POOL ? &pool_layer
                                                                                         : &dense_layer;
        net->has_maps |= y->type != LAYER_DENSE;
        net->layer_first[l] = n;
        n += y->size;
        nowners += y->type == LAYER_CONV ? y->out.c : y->type == LAYER_DENSE ? y->size : 0;
        ndense_hidden += y->type == LAYER_DENSE && l < s->nlayers - 1;
        nweights += (int)layer_weights(s->ninputs, s->layers, l);
    }
    net->layer_first[s->nlayers] = n;
    net->nneurons = n;
    net->neurons = ctx_array(c, (size_t)n, sizeof *net->neurons);
    net->nparams = s->nparams;
    net->params = ctx_array(c, (size_t)s->nparams, sizeof *net->params);
    net->owners = ctx_array(c, (size_t)nowners, sizeof *net->owners);

    /* Weights first, then biases: b counts from nweights. */
    int w = 0, b = nweights, dense_index = 0, nconv = 0, npool = 0;
    for (int l = 0; l < s->nlayers; l++) {
        const Layer *y = &s->layers[l];
        if (y->type == LAYER_CONV)
            map_units(c, net, l, ++nconv, &w, &b);
        else if (y->type == LAYER_POOL)
            map_units(c, net, l, ++npool, &w, &b);
        else
            dense_units(c, net, l, dense_index++, ndense_hidden, &w, &b);
    }
    net->nweights = w;
    net->nbiases = b - w;
    for (int o = 0; o < net->nowners; o++) {
        Param *p = &net->params[net->owners[o].bias];
        p->name = ctx_printf(c, "b%d", net->owners[o].bias - w + 1);
        p->neuron = net->owners[o].unit;
        p->input = -1;
        p->owner = o;
    }
    for (int id = 0; id < n; id++)
        for (int j = 0; j < net->neurons[id].ninputs; j++)
            if (net->neurons[id].input[j] >= 0)
                net->neurons[net->neurons[id].input[j]].nfeeds++;
    if (w != nweights || b != s->nparams)
        bug("%d weights and %d biases but %d parameters", w, b - w, s->nparams);
    return net;
}
