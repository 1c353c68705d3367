/*
 * emit_maps.c: the compact form's loops for conv and pool layers.
 *
 * A map is an array in channels-last order: value (r, c, ch) of a map of
 * W columns and C channels is at (r * W + c) * C + ch, as the unrolled
 * form numbers c1_<r+1>_<c+1>_<ch+1>.  A filter's weights are
 * w[base + ((f * KH + i) * KW + j) * C + ch], the order of the parameter
 * names.  Each loop nest says in a comment which partial it computes.
 *
 * A conv layer reads its weights from a copy by tap (conv_taps), in which
 * one tap of every filter lies side by side, so that the innermost loops
 * run over the filters along contiguous memory: the channels of a map,
 * the copy's taps.  Its backward pass adds up each shared weight's partial
 * over the positions in a local array of the same order first, and
 * applies it after: the partials of the layer's inputs read the copy, and
 * must read the weights as they were in the feedforward.
 */
#include "emit.h"

/* The C index of map value (r, c, ch) of layer l's output (-1: the input), with r and c as C text. */
static const char *at(Emitter *e, int l, const char *r, const char *c, const char *ch)
{
    Shape m = l < 0 ? e->s->input_shape : e->s->layers[l].out;
    return ctx_printf(e->c, "(%s * %d + %s) * %d + %s", r, m.w, c, m.c, ch);
}

/* Opens the loops over the window (or kernel) of output (r, c): rows ir, columns jc, past the padding. */
static void open_window(Emitter *e, const Layer *y, int indent)
{
    W("%*sfor (int i = 0; i < %d; i++) {\n", indent, "", y->kh);
    W("%*s    int ir = r * %d + i - %d;\n", indent, "", y->stride_h, y->pad);
    if (y->pad > 0)
        W("%*s    if (ir < 0 || ir >= %d)\n%*s        continue; /* on the padding: a zero */\n", indent, "",
          y->in.h, indent, "");
    W("%*s    for (int j = 0; j < %d; j++) {\n", indent, "", y->kw);
    W("%*s        int jc = c * %d + j - %d;\n", indent, "", y->stride_w, y->pad);
    if (y->pad > 0)
        W("%*s        if (jc < 0 || jc >= %d)\n%*s            continue;\n", indent, "", y->in.w, indent, "");
}

/* The first weight and bias (as indices into w[] and b[]) of conv layer l. */
static void conv_bases(Emitter *e, int l, int *wb, int *bb)
{
    const Owner *o = &e->net->owners[e->net->params[e->net->neurons[e->net->layer_first[l]].bias].owner];
    *wb = o->first_weight;
    *bb = o->bias - e->net->nweights;
}

/*
 * The weights of conv layer l by tap, wt_<a>[t * F + f] for tap
 * t = (i * KW + j) * C + ch of filter f: a filter's weights lie together in
 * w[], so that one tap of every filter is a filter's size apart there, but
 * side by side here, as a position's sums are in sum_<a>[].  The innermost
 * loops run over the filters, one step at a time along both arrays, which
 * lets the compiler do a few filters at once.
 */
static void conv_taps(Emitter *e, int l, int wb)
{
    const Layer *y = &e->s->layers[l];
    const char *a = layer_array(e, l);
    int taps = y->kh * y->kw * y->in.c;
    W("    %s wt_%s[%d];\n", e->type, a, taps * y->out.c);
    W("    for (int f = 0; f < %d; f++)\n", y->out.c);
    W("        for (int t = 0; t < %d; t++)\n", taps);
    W("            wt_%s[t * %d + f] = nn->w[%d + f * %d + t];\n", a, y->out.c, wb, taps);
}

/* Opens the loops over the window of output (r, c) and the channels there, reading input v at tap t. */
static void open_taps(Emitter *e, const Layer *y, const char *in, int l)
{
    open_window(e, y, 12);
    W("                    for (int ch = 0; ch < %d; ch++) {\n", y->in.c);
    W("                        int t = (i * %d + j) * %d + ch;\n", y->kw, y->in.c);
    W("                        %s v = %s[%s];\n", e->type, in, at(e, l - 1, "ir", "jc", "ch"));
}

static void close_taps(Emitter *e)
{
    W("                    }\n                }\n            }\n        }\n");
}

static void conv_forward(Emitter *e, int l)
{
    const Layer *y = &e->s->layers[l];
    const char *a = layer_array(e, l), *in = layer_array(e, l - 1);
    int wb, bb;
    conv_bases(e, l, &wb, &bb);
    W("    /*\n     * Layer %s, %d filters of %dx%d: sum_%s[%s] = b[%d + f] + the sum over the\n", a, y->out.c,
      y->kh, y->kw, a, at(e, l, "r", "c", "f"), bb);
    W("     * window of w[%d + ((f * %d + i) * %d + j) * %d + ch] * %s[%s],\n", wb, y->kh, y->kw, y->in.c, in,
      at(e, l - 1, "ir", "jc", "ch"));
    W("     * that weight read as wt_%s[t * %d + f], its tap t = (i * %d + j) * %d + ch\n     */\n", a, y->out.c,
      y->kw, y->in.c);
    conv_taps(e, l, wb);
    W("    %s sum_%s[%d], %s[%d];\n", e->type, a, y->size, a, y->size);
    W("    for (int r = 0; r < %d; r++)\n", y->out.h);
    W("        for (int c = 0; c < %d; c++) {\n", y->out.w);
    W("            %s *sum = sum_%s + %s;\n", e->type, a, at(e, l, "r", "c", "0"));
    W("            for (int f = 0; f < %d; f++)\n                sum[f] = nn->b[%d + f];\n", y->out.c, bb);
    open_taps(e, y, in, l);
    W("                        for (int f = 0; f < %d; f++)\n", y->out.c);
    W("                            sum[f] += wt_%s[t * %d + f] * v;\n", a, y->out.c);
    close_taps(e);
    const char *fn = act_fn(e, y->act);
    if (fn != NULL)
        W("    for (int k = 0; k < %d; k++)\n        %s[k] = %s(sum_%s[k]);\n", y->size, a, fn, a);
    else
        W("    for (int k = 0; k < %d; k++)\n        %s[k] = sum_%s[k];\n", y->size, a, a);
}

static void pool_forward(Emitter *e, int l)
{
    const Layer *y = &e->s->layers[l];
    const char *a = layer_array(e, l), *in = layer_array(e, l - 1);
    int max = y->pool == POOL_MAX;
    if (max)
        W("    /* Layer %s: %s[%s] = the largest of %s[%s] over the %dx%d window */\n", a, a,
          at(e, l, "r", "c", "ch"), in, at(e, l - 1, "ir", "jc", "ch"), y->kh, y->kw);
    else
        W("    /* Layer %s: %s[%s] = the mean of %s[%s] over the %dx%d window */\n", a, a,
          at(e, l, "r", "c", "ch"), in, at(e, l - 1, "ir", "jc", "ch"), y->kh, y->kw);
    W("    %s %s[%d];\n", e->type, a, y->size);
    W("    for (int r = 0; r < %d; r++)\n", y->out.h);
    W("        for (int c = 0; c < %d; c++)\n", y->out.w);
    W("            for (int ch = 0; ch < %d; ch++) {\n", y->out.c);
    if (max)
        W("                %s m = %s[%s];\n", e->type, in,
          at(e, l - 1, ctx_printf(e->c, "r * %d", y->stride_h), ctx_printf(e->c, "c * %d", y->stride_w), "ch"));
    else
        W("                %s m = 0;\n", e->type);
    open_window(e, y, 16);
    W("                        %s v = %s[%s];\n", e->type, in, at(e, l - 1, "ir", "jc", "ch"));
    W(max ? "                        if (v > m)\n                            m = v;\n"
          : "                        m += v;\n");
    W("                    }\n                }\n");
    W("                %s[%s] = m%s;\n            }\n", a, at(e, l, "r", "c", "ch"),
      max ? "" : ctx_printf(e->c, " / %d", y->kh * y->kw));
}

void emit_map_forward(Emitter *e, int l)
{
    block(e, e->s->layers[l].line);
    if (e->s->layers[l].type == LAYER_CONV)
        conv_forward(e, l);
    else
        pool_forward(e, l);
    block(e, 0);
}

/*
 * Conv layer l from d_L_d_<a>: the partial of each sum, each shared
 * parameter's over the positions (by tap, as wt_<a> holds the weights),
 * each input's over the (filter, position) that read it.
 */
static void conv_backward(Emitter *e, int l, int train)
{
    const Layer *y = &e->s->layers[l];
    const char *a = layer_array(e, l), *in = layer_array(e, l - 1);
    int wb, bb, taps = y->kh * y->kw * y->in.c, nw = y->out.c * taps;
    conv_bases(e, l, &wb, &bb);
    W("    /* Layer %s: partial L / partial sum_%s[k] = d_L_d_%s[k] * f'(sum_%s[k]) */\n", a, a, a, a);
    W("    %s d_L_d_sum_%s[%d];\n", e->type, a, y->size);
    if (y->act == ACT_RELU) /* a choice, not a product, which compilers make without a branch */
        W("    for (int k = 0; k < %d; k++)\n        d_L_d_sum_%s[k] = sum_%s[k] > 0 ? d_L_d_%s[k] : 0;\n",
          y->size, a, a, a);
    else
        W("    for (int k = 0; k < %d; k++)\n        d_L_d_sum_%s[k] = d_L_d_%s[k] * (%s);\n", y->size, a, a,
          deriv_at(e, l, "k"));
    W("    /*\n     * Layer %s: partial L / partial w[%d + ((f * %d + i) * %d + j) * %d + ch] = the sum over the\n",
      a, wb, y->kh, y->kw, y->in.c);
    W("     * positions (r, c) of d_L_d_sum_%s[%s] * %s[%s],\n", a, at(e, l, "r", "c", "f"), in,
      at(e, l - 1, "ir", "jc", "ch"));
    W("     * gathered by tap in d_L_d_wt_%s[t * %d + f] as wt_%s holds the weights;\n", a, y->out.c, a);
    W("     * partial L / partial b[%d + f] = the sum over the positions of d_L_d_sum_%s[%s]", bb, a,
      at(e, l, "r", "c", "f"));
    int back = l > 0 && needs_partials(e->net, l - 1);
    if (back)
        W(",\n     * partial L / partial %s[i] = the sum over the (filter, position) that read it of\n"
          "     * d_L_d_sum_%s there * the weight it was read by", in, a);
    W("\n     */\n");
    W("    %s d_L_d_wt_%s[%d] = {0}, d_L_d_b_%s[%d] = {0};\n", e->type, a, nw, a, y->out.c);
    if (back)
        W("    %s d_L_d_%s[%d] = {0};\n", e->type, in, y->in.h * y->in.w * y->in.c);
    W("    for (int r = 0; r < %d; r++)\n", y->out.h);
    W("        for (int c = 0; c < %d; c++) {\n", y->out.w);
    W("            const %s *d = d_L_d_sum_%s + %s;\n", e->type, a, at(e, l, "r", "c", "0"));
    W("            for (int f = 0; f < %d; f++)\n                d_L_d_b_%s[f] += d[f];\n", y->out.c, a);
    open_taps(e, y, in, l);
    W("                        for (int f = 0; f < %d; f++)\n", y->out.c);
    W("                            d_L_d_wt_%s[t * %d + f] += d[f] * v;\n", a, y->out.c);
    if (back) {
        W("                        %s s = 0;\n", e->type);
        W("                        for (int f = 0; f < %d; f++)\n", y->out.c);
        W("                            s += d[f] * wt_%s[t * %d + f];\n", a, y->out.c);
        W("                        d_L_d_%s[%s] += s;\n", in, at(e, l - 1, "ir", "jc", "ch"));
    }
    close_taps(e);
    W("    for (int f = 0; f < %d; f++)\n        for (int t = 0; t < %d; t++)\n", y->out.c, taps);
    if (train)
        W("            nn->w[%d + f * %d + t] -= learn_rate * d_L_d_wt_%s[t * %d + f];\n", wb, taps, a, y->out.c);
    else
        W("            sum_d_L_d->w[%d + f * %d + t] += d_L_d_wt_%s[t * %d + f];\n", wb, taps, a, y->out.c);
    if (train)
        W("    for (int f = 0; f < %d; f++)\n        nn->b[%d + f] -= learn_rate * d_L_d_b_%s[f];\n", y->out.c, bb,
          a);
    else
        W("    for (int f = 0; f < %d; f++)\n        sum_d_L_d->b[%d + f] += d_L_d_b_%s[f];\n", y->out.c, bb, a);
}

/* Pool layer l from d_L_d_<a>: each window's partial to the value that won it, or shared by all. */
static void pool_backward(Emitter *e, int l)
{
    const Layer *y = &e->s->layers[l];
    const char *a = layer_array(e, l), *in = layer_array(e, l - 1);
    int max = y->pool == POOL_MAX;
    if (l == 0 || !needs_partials(e->net, l - 1))
        return; /* the values below need no partial: nothing under them has parameters */
    if (max)
        W("    /* Layer %s: partial L / partial %s[i] = the sum of d_L_d_%s over the windows it won (the first largest) */\n",
          a, in, a);
    else
        W("    /* Layer %s: partial L / partial %s[i] = the sum of d_L_d_%s / %d over the windows that hold it */\n",
          a, in, a, y->kh * y->kw);
    W("    %s d_L_d_%s[%d] = {0};\n", e->type, in, y->in.h * y->in.w * y->in.c);
    W("    for (int r = 0; r < %d; r++)\n", y->out.h);
    W("        for (int c = 0; c < %d; c++)\n", y->out.w);
    W("            for (int ch = 0; ch < %d; ch++) {\n", y->out.c);
    if (max)
        W("                int won = %s;\n", at(e, l - 1, ctx_printf(e->c, "r * %d", y->stride_h),
                                               ctx_printf(e->c, "c * %d", y->stride_w), "ch"));
    open_window(e, y, 16);
    if (max)
        W("                        if (%s[%s] > %s[won])\n                            won = %s;\n", in,
          at(e, l - 1, "ir", "jc", "ch"), in, at(e, l - 1, "ir", "jc", "ch"));
    else
        W("                        d_L_d_%s[%s] += d_L_d_%s[%s] / %d;\n", in, at(e, l - 1, "ir", "jc", "ch"), a,
          at(e, l, "r", "c", "ch"), y->kh * y->kw);
    W("                    }\n                }\n");
    if (max)
        W("                d_L_d_%s[won] += d_L_d_%s[%s];\n", in, a, at(e, l, "r", "c", "ch"));
    W("            }\n");
}

void emit_map_backward(Emitter *e, int l, int train)
{
    block(e, e->s->layers[l].line);
    if (e->s->layers[l].type == LAYER_CONV)
        conv_backward(e, l, train);
    else
        pool_backward(e, l);
    block(e, 0);
}
