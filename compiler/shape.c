/*
 * shape.c: the checks of a network's maps: `input HxW[xC]`, and the conv
 * and pool statements over them.
 *
 * A conv or pool layer turns a map of h x w x c values into another, and
 * every size in between follows from its kernel, stride and padding:
 * out = (in + 2 * padding - kernel) / stride + 1 in each direction.  What
 * can go wrong is said here, at the token that made it wrong, before the
 * derivation meets a map that cannot be: a kernel larger than its padded
 * input (the map would be empty), a stride of 0, padding as large as the
 * kernel (a window of zeros only).  check.c calls it for these statements
 * and keeps the rest of the network's checks.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "nnc.h"
#include "nnrt.h"

/* The index of name in act_names, or -1. */
static int lookup_act(const char *name)
{
    for (int i = 0; act_names[i] != NULL; i++)
        if (strcmp(name, act_names[i]) == 0)
            return i;
    return -1;
}

/* The n (2 or 3) sizes of t, as 8x8 or 8x8x3, into d; 1 after an error naming what. */
static int read_dims(Ctx *c, Token t, int n, int *d, const char *what, const char *example)
{
    int k = 0;
    for (const char *p = t.text; *p != '\0'; k++) {
        char *end;
        long v = strtol(p, &end, 10);
        if (k < 3)
            d[k] = v > MAX_INPUTS ? MAX_INPUTS + 1 : (int)v;
        p = *end == 'x' ? end + 1 : end;
    }
    if (k < 2 || k > n) {
        error_at(c, t.loc, "expected %s as %s but found '%s'", what, example, t.text);
        return 1;
    }
    if (k == 2)
        d[2] = 1;
    for (int i = 0; i < k; i++) {
        if (d[i] == 0) {
            error_at(c, t.loc, "%s %s is empty: each size must be at least 1", what, t.text);
            return 1;
        }
        if (d[i] > MAX_INPUTS) {
            error_at(c, t.loc, "%s %s is too large; the limit is %d inputs", what, t.text, MAX_INPUTS);
            return 1;
        }
    }
    return 0;
}

int check_input_shape(Ctx *c, Stmt *in, Spec *s)
{
    int d[3];
    if (read_dims(c, in->dims, 3, d, "the input map", "HxW or HxWxC (as 8x8 or 8x8x3)") != 0)
        return 1;
    if ((long)d[0] * d[1] * d[2] > MAX_INPUTS) {
        error_at(c, in->dims.loc, "input %s has %ld values; the limit is %d", in->dims.text,
                 (long)d[0] * d[1] * d[2], MAX_INPUTS);
        return 1;
    }
    s->input_shape = (Shape){d[0], d[1], d[2]};
    s->ninputs = d[0] * d[1] * d[2];
    return 0;
}

/* A whole number of at least min for a setting, or -1 after an error. */
static int setting_value(Ctx *c, Token name, TokenList *t, int min)
{
    if (t == NULL || t->tok.text == NULL || strchr("+-.0123456789", t->tok.text[0]) == NULL) {
        error_at(c, t != NULL ? t->tok.loc : name.loc, "expected a whole number after '%s'", name.text);
        return -1;
    }
    double v = number_of(c, t->tok);
    if (v != v)
        return -1;
    if (strpbrk(t->tok.text, ".eE") != NULL || v != (double)(long)v || v > INT_MAX) {
        error_at(c, t->tok.loc, "expected a whole number for %s but found %s", name.text, quoted(c, t->tok.text));
        return -1;
    }
    if (v < min) {
        error_at(c, t->tok.loc, "%s must be at least %d but is %s", name.text, min, t->tok.text);
        return -1;
    }
    return (int)v;
}

/* The settings after a conv or pool statement: `stride S` and, for conv, `padding P`. */
static int read_settings(Ctx *c, Stmt *st, Layer *y)
{
    for (TokenList *t = st->names; t != NULL; t = t->next) {
        Token name = t->tok;
        int is_stride = strcmp(name.text, "stride") == 0, is_pad = strcmp(name.text, "padding") == 0;
        if (!is_stride && !(is_pad && st->kind == ST_CONV)) {
            if (st->kind == ST_POOL && lookup_act(name.text) >= 0)
                error_at(c, name.loc, "a pool layer takes no activation but found '%s' (pool max|avg KHxKW "
                         "[stride S])", name.text);
            else
                error_at(c, name.loc, "expected %s but found %s", st->kind == ST_CONV ? "'stride' or 'padding'"
                         : "'stride'", quoted(c, name.text));
            return 1;
        }
        int v = setting_value(c, name, t->next, is_stride ? 1 : 0);
        if (v < 0)
            return 1;
        if (is_stride)
            y->stride_h = y->stride_w = v;
        else
            y->pad = v;
        t = t->next;
    }
    return 0;
}

/* One direction of a map: its size out of in, or 0 (reported) when the kernel does not fit. */
static int out_size(int in, int k, int pad, int stride)
{
    if (k > in + 2 * pad)
        return 0;
    return (in + 2 * pad - k) / stride + 1;
}

int check_map_layer(Ctx *c, Stmt *st, Spec *s, Shape in, Layer *y)
{
    (void)s;
    int d[3], is_conv = st->kind == ST_CONV;
    const char *what = is_conv ? "the kernel" : "the window";
    y->type = is_conv ? LAYER_CONV : LAYER_POOL;
    y->line = st->loc.line;
    y->in = in;
    y->act = ACT_LINEAR;
    if (read_dims(c, st->dims, 2, d, what, "KHxKW (as 3x3)") != 0)
        return 1;
    y->kh = d[0];
    y->kw = d[1];
    y->stride_h = is_conv ? 1 : y->kh;
    y->stride_w = is_conv ? 1 : y->kw;
    int filters = in.c;
    if (is_conv) {
        double v = number_of(c, st->num);
        if (v != v)
            return 1;
        if (strpbrk(st->num.text, ".eE") != NULL || v != (double)(long)v) {
            error_at(c, st->num.loc, "expected a whole number for the number of filters but found %s",
                     quoted(c, st->num.text));
            return 1;
        }
        if (v < 1 || v > MAX_NEURONS) {
            error_at(c, st->num.loc, "the number of filters must be %s %d but is %s", v < 1 ? "at least" :
                     "at most", v < 1 ? 1 : MAX_NEURONS, st->num.text);
            return 1;
        }
        filters = (int)v;
        int act = lookup_act(st->word.text);
        if (act < 0) {
            error_at(c, st->word.loc, "unknown activation %s (expected sigmoid, tanh, relu, leaky_relu or "
                     "linear)", quoted(c, st->word.text));
            return 1;
        }
        if (act == ACT_SOFTMAX) {
            error_at(c, st->word.loc, "softmax is for the output layer only; a conv layer needs sigmoid, tanh, "
                     "relu, leaky_relu or linear");
            return 1;
        }
        y->act = (Act)act;
    } else if (strcmp(st->word.text, "max") == 0 || strcmp(st->word.text, "avg") == 0) {
        y->pool = st->word.text[0] == 'm' ? POOL_MAX : POOL_AVG;
    } else {
        error_at(c, st->word.loc, "expected a pool kind (max, avg) but found %s", quoted(c, st->word.text));
        return 1;
    }
    if (read_settings(c, st, y) != 0)
        return 1;
    if (y->pad > 0 && (y->pad >= y->kh || y->pad >= y->kw)) {
        error_at(c, st->dims.loc, "padding %d must be smaller than the kernel %s (the windows at the edges "
                 "would hold only zeros)", y->pad, st->dims.text);
        return 1;
    }
    int oh = out_size(in.h, y->kh, y->pad, y->stride_h), ow = out_size(in.w, y->kw, y->pad, y->stride_w);
    if (oh == 0 || ow == 0) {
        error_at(c, st->dims.loc, "the map after this %s would be empty: %s %s is larger than its input, "
                 "%dx%d%s", is_conv ? "conv" : "pool", what, st->dims.text, in.h, in.w,
                 y->pad > 0 ? ctx_printf(c, " with padding %d", y->pad) : "");
        return 1;
    }
    y->out = (Shape){oh, ow, filters};
    if ((long)oh * ow * filters > MAX_NEURONS) {
        error_at(c, st->loc, "this layer's map has %ld values; the limit is %d", (long)oh * ow * filters,
                 MAX_NEURONS);
        return 1;
    }
    y->size = oh * ow * filters;
    return 0;
}

const char *input_shape_note(Ctx *c, const Spec *s)
{
    const Shape *m = &s->input_shape;
    if (m->h == 0)
        return "";
    if (m->c == 1)
        return ctx_printf(c, " (an image of %dx%d)", m->h, m->w);
    return ctx_printf(c, " (an image of %dx%dx%d)", m->h, m->w, m->c);
}

void layer_map_fields(const Layer *y, int *v)
{
    for (int k = 0; k < NNRT_MAP_FIELDS; k++)
        v[k] = 0;
    if (y->type == LAYER_DENSE)
        return;
    v[NNRT_MAP_KIND] = y->type == LAYER_CONV ? NNRT_CONV : y->pool == POOL_MAX ? NNRT_MAX_POOL : NNRT_AVG_POOL;
    v[NNRT_MAP_H] = y->out.h, v[NNRT_MAP_W] = y->out.w, v[NNRT_MAP_C] = y->out.c;
    v[NNRT_MAP_KH] = y->kh, v[NNRT_MAP_KW] = y->kw;
    v[NNRT_MAP_SH] = y->stride_h, v[NNRT_MAP_SW] = y->stride_w;
    v[NNRT_MAP_PAD] = y->pad;
}
