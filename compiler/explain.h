/*
 * explain.h: what explain.c (the chain rule, the unrolled form) and
 * explain_compact.c (the loops of the compact form) share.
 */
#ifndef EXPLAIN_H
#define EXPLAIN_H

#include "nnc.h"

#define WIDTH 80       /* prose is wrapped to this many columns */
#define MATH_WIDTH 99  /* formulas and code stay within this many */
#define MAX_FACTORS 30 /* factors listed before "... and N more" */

typedef struct {
    Ctx *c;
    Net *net;
    Model *m;         /* the model, in double precision: its formulas are the math */
    Model *shown;     /* the model as the C has it (float), for the code; else m */
    Buf *out;
    const char *fn;   /* NAME_train_sample */
    int compact;      /* the C is in the compact form */
    int nstmts;       /* the values NAME_train_sample defines, in the order it defines them */
    int *stmt;
    int *pos;         /* [nvalues] a value's place in stmt, -1 for none */
    int ff_end;       /* statements before this one are the feedforward */
    char *mark;       /* [nvalues] in the closure of the name explained */
    int *order;       /* the closure of the name explained, breadth first */
    int norder;
} Explainer;

/* Writes text as a paragraph wrapped to WIDTH columns, then a blank line. */
void paragraph(Explainer *x, const char *text);
/* "a, b and c", at most max of them, then "and N more". */
char *and_list(Explainer *x, char **items, int n, int max);
/* The value named name that NAME_train_sample defines, or -1. */
int lookup(Explainer *x, const char *name);
/* The parameter named name, or NULL. */
Param *param_named(Explainer *x, const char *name);
/* "the weight w1 of the edge from input x[0] to neuron h1" and the like. */
char *param_desc(Explainer *x, Param *p);
/* The headline, formula, factors and notes of value v: what both forms share. */
void explain_math(Explainer *x, int v);
/* Where parameter p lives in the compact form: "w[0]" or "b[0]". */
const char *param_at(Explainer *x, const Param *p);

/* Explains an argument of NAME_train_sample (x, y_true, learn_rate, nn); 0 if name is none (explain_state.c). */
int explain_argument(Explainer *x, const char *name);
/* Explains a value of the optimizer's state (velocity_w1, m_w1, v_w1); 0 if name is none. */
int explain_state(Explainer *x, const char *name);
/* Reports on c->err that name is none, with the near miss or some examples; returns 1. */
int unknown(Explainer *x, const char *name);

/*
 * The names of conv and pool layers (explain_maps.c).  Is u a value of a
 * map?  "the value of conv layer c1's map at row 2, column 3, channel 1";
 * what sum_<u> is (whole: with what it adds up); the headline of a map value; a filter's parameter
 * described, or NULL for a neuron's; the note that a filter parameter's
 * partial is a sum over the positions, or NULL; the names of the units
 * that read u, into fed (u->nfeeds of them), counted.
 */
int is_map_unit(Explainer *x, const Neuron *u);
char *map_unit_desc(Explainer *x, const Neuron *u);
char *map_sum_desc(Explainer *x, const Neuron *u, int whole);
char *map_value_headline(Explainer *x, const Neuron *u);
char *filter_param_desc(Explainer *x, const Param *p);
char *shared_note(Explainer *x, const Param *p);
int units_fed(Explainer *x, const Neuron *u, char **fed);

/*
 * The compact form (explain_compact.c): the opening paragraph; where value
 * v lives in the arrays and the loops that compute it; where parameter p
 * lives and the loops that use it.
 */
void compact_intro(Explainer *x);
void compact_value(Explainer *x, int v);
void compact_param(Explainer *x, Param *p);

#endif
