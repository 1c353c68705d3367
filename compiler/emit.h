/*
 * emit.h: what the three parts of the emitter share.  emit.c writes what
 * both forms of a network have (the opening comment, the loss, the
 * epoch, the update, the runtime's descriptor, the header);
 * emit_unrolled.c writes the unrolled form neuron by neuron, and
 * emit_compact.c the compact form as loops over arrays.
 */
#ifndef EMIT_H
#define EMIT_H

#include "nnc.h"

typedef struct {
    Ctx *c;
    Net *net;
    Model *m;         /* the values the training code names, and their formulas */
    Spec *s;
    Buf *out;
    const char *name; /* the network's name, prefixing every global */
    int compact;      /* layers as loops over arrays, not neuron by neuron */
    int single;       /* float instead of double (precision float) */
    int header;       /* declarations for --header, which C++ may include too */
} Emitter;

#define W(...) buf_printf(e->c, e->out, __VA_ARGS__)

/* v as C writes a double constant, shortest first. */
char *num(Emitter *e, double v);
Neuron *neuron(Emitter *e, int id);
/* The name of parameter param: w1, b1. */
const char *pname_of(Emitter *e, int param);
/* The runtime function that applies act, or NULL for linear (none). */
const char *act_fn(Act act);
/* Starts (line > 0) or ends (0) a block of C that comes from line `line` of the spec. */
void mark(Emitter *e, int line);
/* The printed width of s: a precision mark counts as the widest text it becomes. */
int width(const char *s);
/*
 * Writes "<head><term0> + <term1> + ...;" wrapping before 100 columns,
 * continuation lines indented by 8 more than indent.
 */
void sum_line(Emitter *e, int indent, const char *head, const char **terms, int n, const char *sep);
/*
 * The signature of the network's function fn (feedforward, loss,
 * train_sample, train_epoch, backprop), wrapped before 100 columns, then end
 * ("\n{\n" for a definition, ";\n\n" for a declaration).
 */
void signature(Emitter *e, const char *fn, const char *end);

/* The unrolled form (emit_unrolled.c): the struct, feedforward, train_sample, backprop. */
void emit_struct(Emitter *e);
void emit_feedforward(Emitter *e);
void emit_train_sample(Emitter *e);
void emit_backprop(Emitter *e);

/* The compact form (emit_compact.c), the same functions as loops over arrays. */
void emit_compact_struct(Emitter *e);
void emit_compact_feedforward(Emitter *e);
void emit_compact_train_sample(Emitter *e);
void emit_compact_backprop(Emitter *e);

#endif
