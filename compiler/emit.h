/*
 * emit.h: what the parts of the emitter share.  emit.c writes what both
 * forms of a network have (the opening comment, the loss, the epoch, the
 * update, the header); emit_unrolled.c writes the unrolled form neuron by
 * neuron, emit_compact.c the compact form as loops over arrays, and
 * emit_runtime.c the descriptor through which the runtime reaches either.
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
    const char *type; /* the precision's: "double" or "float" */
    const char *f;    /* the suffix of its functions and constants: "" or "f" */
    const char *cast; /* a conversion only float needs: "" or "(float)" */
    int line;         /* the line of out being written, from 1 */
    int spec_line;    /* in a block from this line of the spec (block), else 0 */
    int in_comment;   /* the lines so far leave a comment open */
    size_t line_start; /* where in out the line being written starts; (size_t)-1 before it starts */
    const char *rt;   /* the prefix of the activations: "nnrt_", or the inference export's own */
    int internal;     /* the network's functions are static (the inference export) */
} Emitter;

/* Writes to e->out, counting lines and adding #line directives (block). */
void emit_printf(Emitter *e, const char *fmt, ...) PRINTF_LIKE(2, 3);
#define W(...) emit_printf(e, __VA_ARGS__)

/* An emitter of m's network into out; header for the header's declarations. */
Emitter emitter(Ctx *c, Model *m, Buf *out, int header);
/* v as C writes a double constant, shortest first. */
char *num(Emitter *e, double v);
Neuron *neuron(Emitter *e, int id);
/* The name of parameter param: w1, b1. */
const char *pname_of(Emitter *e, int param);
/* The runtime function that applies act, in the precision's form; NULL for linear (none). */
const char *act_fn(Emitter *e, Act act);
/*
 * Starts (line > 0) or ends (0) a block of C that comes from line `line`
 * of the spec: with --line-directives, its lines are marked #line line,
 * and a #line back to the C file follows it.
 */
void block(Emitter *e, int line);
/*
 * The width of s, which starts with the precision's type, counted as if
 * that were "double", so that lines wrap at the same points in both
 * precisions.
 */
int typed_width(const Emitter *e, const char *s);
/*
 * Writes "<head><term0> + <term1> + ...;" wrapping before 100 columns,
 * continuation lines indented by 8 more than indent; head counts as
 * head_width columns.
 */
void sum_line(Emitter *e, int indent, const char *head, int head_width, const char **terms, int n,
              const char *sep);
/*
 * The signature of the network's function fn (feedforward, loss,
 * train_sample, train_epoch, backprop), wrapped before 100 columns, then end
 * ("\n{\n" for a definition, ";\n\n" for a declaration).
 */
void signature(Emitter *e, const char *fn, const char *end);

/*
 * s as the inside of a C string literal: '"' and '\\' escaped, bytes
 * outside printable ASCII in octal, and "??" as "?\\?", which no trigraph
 * can take.
 */
const char *c_string_text(Ctx *c, const char *s);
/* The prefixes of the optimizer's state, NULL-terminated: none for plain SGD. */
const char *const *state_prefixes(Emitter *e);

/* The accessors, adapters and descriptor through which nnrt_main runs the network (emit_runtime.c). */
void emit_descriptor(Emitter *e);

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
/* The array of layer l's values (sum_ prefixed for its sums): h, h2, c1, p1, o; x for l = -1. */
const char *layer_array(Emitter *e, int l);
/* f'(sum) in array form for layer l's value at index j. */
const char *deriv_at(Emitter *e, int l, const char *j);
/* Does the derivative of act need the sum (not only the activation)? */
int needs_sum(Act act);

/* The compact form's loops for conv and pool layers (emit_maps.c): forward, then backward. */
void emit_map_forward(Emitter *e, int l);
void emit_map_backward(Emitter *e, int l, int train);

/* ---- The inference export (emit_inference.c, params_read.c) ---- */

/* What a parameter file that the program saved holds, for the export. */
typedef struct {
    double *param;      /* nparams values */
    double *mean, *std; /* ninputs values each; NULL when the network does not normalize */
} Trained;

/* Reads path into t, for net.  Returns 0, or 1 with the error printed (FILE:LINE: error: ...). */
int read_trained(Ctx *c, const Net *net, const char *path, Trained *t);
/*
 * NAME_normalize, which z-scores raw inputs as the program does (in
 * double), for the C of a network that normalizes (header: its declaration).
 */
void emit_normalize(Emitter *e);

#endif
