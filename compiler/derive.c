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
 * Every layer is dense today; its kind (dense.c) says how the model of the
 * chain rule (chain.c) gets its values.
 */
#include "nnc.h"

Net *derive(Ctx *c, Spec *s)
{
    Net *net = ctx_alloc(c, sizeof *net);
    net->spec = s;
    net->noutputs = s->layers[s->nlayers - 1].size;
    net->layer_first = ctx_array(c, (size_t)s->nlayers + 1, sizeof *net->layer_first);
    net->layer_kind = ctx_array(c, (size_t)s->nlayers, sizeof *net->layer_kind);
    for (int l = 0; l < s->nlayers; l++)
        net->layer_kind[l] = &dense_layer;

    int n = 0;
    for (int l = 0; l < s->nlayers; l++) {
        net->layer_first[l] = n;
        n += s->layers[l].size;
    }
    net->layer_first[s->nlayers] = n;
    net->nneurons = n;
    net->neurons = ctx_array(c, (size_t)n, sizeof *net->neurons);
    net->nparams = s->nparams;
    net->params = ctx_array(c, (size_t)s->nparams, sizeof *net->params);

    int nhidden = s->nlayers - 1, w = 0;
    for (int l = 0; l < s->nlayers; l++) {
        int fan_in = l == 0 ? s->ninputs : s->layers[l - 1].size;
        int fan_out = l + 1 < s->nlayers ? s->layers[l + 1].size : 0;
        for (int i = 0; i < s->layers[l].size; i++) {
            int id = net->layer_first[l] + i;
            Neuron *u = &net->neurons[id];
            if (l == nhidden)
                u->name = ctx_printf(c, "o%d", i + 1);
            else if (nhidden == 1)
                u->name = ctx_printf(c, "h%d", i + 1);
            else
                u->name = ctx_printf(c, "h%d_%d", l + 1, i + 1);
            u->pname = l == nhidden && net->noutputs == 1 ? "ypred" : u->name;
            u->layer = l;
            u->act = s->layers[l].act;
            u->ninputs = fan_in;
            u->first_input = l == 0 ? -1 : net->layer_first[l - 1];
            u->nfeeds = fan_out;
            u->weight = ctx_array(c, (size_t)fan_in, sizeof *u->weight);
            for (int j = 0; j < fan_in; j++, w++) {
                u->weight[j] = w;
                net->params[w].name = ctx_printf(c, "w%d", w + 1);
                net->params[w].neuron = id;
                net->params[w].input = j;
            }
        }
    }
    net->nweights = w;
    for (int id = 0; id < n; id++) {
        Param *p = &net->params[w + id];
        p->name = ctx_printf(c, "b%d", id + 1);
        p->neuron = id;
        p->input = -1;
        net->neurons[id].bias = w + id;
    }
    if (w + n != s->nparams)
        bug("%d weights and %d biases but %d parameters", w, n, s->nparams);
    return net;
}
