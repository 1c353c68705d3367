/*
 * explain.c: a name of the generated code, explained as the tutorial explains it.
 *
 * For d_L_d_w1 it prints the chain rule (dL/dw1 = dL/dypred * dypred/dh1 *
 * dh1/dw1), each factor's formula for this network, and the C lines that
 * compute it, in the order the generated code runs them.  Rather than
 * working the chain rule out a second time, it walks the model of the
 * backpropagation (chain.c) that the emitter writes out: each value's
 * factors, the comment above it (Value.rule), and its statement as the
 * unrolled NAME_train_sample writes it (`double NAME = EXPR;`, wrapped as
 * emit.c wraps a sum).  No C text is read back, so whatever the model
 * holds can be explained, and the explanation cannot drift from the code.
 *
 * The model holds every scalar value of the network, about 1 KB a weight:
 * a 784-300-10 network (238,200 weights) takes about half a second and
 * 250 MB.  That is what the unrolled form names anyway, and the compact
 * form is explained from the same values, each mapped to the array
 * element and the loop that hold it (explain_compact.c).
 *
 * In the text, d_A_d_B is written dA/dB, as the tutorial writes partials,
 * and nn->w5 is written w5.
 */
#include <string.h>

#include "explain.h"

/* ---- Names and notation ---------------------------------------------------------- */

static int is_ident_start(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_';
}

static int is_ident_char(char ch)
{
    return is_ident_start(ch) || (ch >= '0' && ch <= '9');
}

/*
 * name as a partial, d_A_d_B: sets *a and *b and returns 1, or returns 0.
 * A is L or a neuron (h1, h1_1, ypred), none of which holds "_d_".
 */
static int split_partial(Ctx *c, const char *name, char **a, char **b)
{
    if (strncmp(name, "d_", 2) != 0)
        return 0;
    const char *mid = strstr(name + 2, "_d_");
    if (mid == NULL || mid == name + 2 || mid[3] == '\0')
        return 0;
    if (a != NULL)
        *a = ctx_strndup(c, name + 2, (size_t)(mid - name - 2));
    if (b != NULL)
        *b = ctx_strdup(c, mid + 3);
    return 1;
}

/*
 * C as math: d_A_d_B becomes dA/dB, nn->w5 becomes w5 and nnrt_sigmoid
 * becomes sigmoid.  Numbers pass whole (1e-3 holds no name).
 */
static char *to_math(Explainer *x, const char *s)
{
    Buf b = {0};
    buf_puts(x->c, &b, "");
    for (const char *p = s; *p;) {
        if (*p >= '0' && *p <= '9') {
            const char *q = p;
            while (is_ident_char(*q) || *q == '.' ||
                   ((*q == '-' || *q == '+') && (q[-1] == 'e' || q[-1] == 'E')))
                q++;
            buf_printf(x->c, &b, "%.*s", (int)(q - p), p);
            p = q;
        } else if (is_ident_start(*p)) {
            const char *q = p;
            while (is_ident_char(*q))
                q++;
            char *word = ctx_strndup(x->c, p, (size_t)(q - p));
            char *a, *bb;
            if (strcmp(word, "nn") == 0 && strncmp(q, "->", 2) == 0)
                q += 2;
            else if (strncmp(word, "nnrt_", 5) == 0 && *q == '(')
                buf_puts(x->c, &b, word + 5);
            else if (split_partial(x->c, word, &a, &bb))
                buf_printf(x->c, &b, "d%s/d%s", a, bb);
            else
                buf_puts(x->c, &b, word);
            p = q;
        } else {
            buf_printf(x->c, &b, "%c", *p++);
        }
    }
    return b.s;
}

/*
 * A comment of the generated code in the same notation: "partial y_pred /
 * partial h1" becomes dypred/dh1, when both are names; "partial L / partial
 * each neuron" is prose and stays.
 */
static char *comment_to_math(Explainer *x, const char *s)
{
    Buf b = {0};
    buf_puts(x->c, &b, "");
    for (const char *p = s; *p;) {
        const char *a = p + 8, *ae = a;
        if (strncmp(p, "partial ", 8) == 0 && (p == s || !is_ident_char(p[-1]))) {
            while (is_ident_char(*ae))
                ae++;
            const char *bs = ae + 11, *be = bs;
            if (ae > a && strncmp(ae, " / partial ", 11) == 0) {
                while (is_ident_char(*be))
                    be++;
                if (be > bs && (*be != ' ' || be[1] == '=')) {
                    char *na = ctx_strndup(x->c, a, (size_t)(ae - a));
                    char *nb = ctx_strndup(x->c, bs, (size_t)(be - bs));
                    buf_printf(x->c, &b, "d%s/d%s", strcmp(na, "y_pred") == 0 ? "ypred" : na,
                               strcmp(nb, "y_pred") == 0 ? "ypred" : nb);
                    p = be;
                    continue;
                }
            }
        }
        if (is_ident_start(*p) && (p == s || !is_ident_char(p[-1]))) {
            const char *q = p;
            while (is_ident_char(*q))
                q++;
            char *word = ctx_strndup(x->c, p, (size_t)(q - p)), *wa, *wb;
            if (split_partial(x->c, word, &wa, &wb))
                buf_printf(x->c, &b, "d%s/d%s", wa, wb);
            else
                buf_puts(x->c, &b, word);
            p = q;
            continue;
        }
        buf_printf(x->c, &b, "%c", *p++);
    }
    return b.s;
}

/* ---- Writing text --------------------------------------------------------------- */

/* In text for paragraph(): a blank that does not break the line, to keep a formula whole. */
#define NBSP '\x1f'

/* s with its blanks made NBSPs. */
static char *unbroken(Ctx *c, const char *s)
{
    char *t = ctx_strdup(c, s);
    for (char *p = t; *p; p++)
        if (*p == ' ')
            *p = NBSP;
    return t;
}

/* Writes text as a paragraph wrapped to WIDTH columns, then a blank line. */
void paragraph(Explainer *x, const char *text)
{
    int col = 0;
    for (const char *p = text; *p;) {
        p += strspn(p, " ");
        size_t n = strcspn(p, " ");
        if (n == 0)
            break;
        if (col > 0 && col + 1 + (int)n > WIDTH) {
            buf_puts(x->c, x->out, "\n");
            col = 0;
        }
        if (col > 0)
            buf_puts(x->c, x->out, " ");
        for (size_t i = 0; i < n; i++)
            buf_printf(x->c, x->out, "%c", p[i] == NBSP ? ' ' : p[i]);
        col += (col > 0) + (int)n;
        p += n;
    }
    buf_puts(x->c, x->out, "\n\n");
}

/*
 * Writes "    LHS = RHS", LHS padded to width, wrapping RHS before a " + "
 * outside parentheses when the line would pass MATH_WIDTH.  An empty LHS
 * continues the equation above.
 */
static void math_line(Explainer *x, const char *lhs, int width, const char *rhs)
{
    int col = 4 + width + 3;
    buf_printf(x->c, x->out, "    %-*s = ", width, lhs);
    int depth = 0;
    const char *term = rhs;
    for (const char *p = rhs;; p++) {
        if (*p == '(')
            depth++;
        else if (*p == ')')
            depth--;
        if (*p != '\0' && !(depth == 0 && strncmp(p, " + ", 3) == 0))
            continue;
        int n = (int)(p - term);
        if (term != rhs && col + 3 + n > MATH_WIDTH) {
            buf_printf(x->c, x->out, "\n    %*s + ", width, "");
            col = 4 + width + 3;
        } else if (term != rhs) {
            buf_puts(x->c, x->out, " + ");
            col += 3;
        }
        buf_printf(x->c, x->out, "%.*s", n, term);
        col += n;
        if (*p == '\0')
            break;
        term = p + 3;
        p += 2;
    }
    buf_puts(x->c, x->out, "\n");
}

/* ---- What a name is ------------------------------------------------------------- */

static Neuron *neuron_named(Explainer *x, const char *name)
{
    for (int i = 0; i < x->net->nneurons; i++) {
        Neuron *u = &x->net->neurons[i];
        if (strcmp(u->name, name) == 0 || strcmp(u->pname, name) == 0)
            return u;
    }
    return NULL;
}

Param *param_named(Explainer *x, const char *name)
{
    for (int i = 0; i < x->net->nparams; i++)
        if (strcmp(x->net->params[i].name, name) == 0)
            return &x->net->params[i];
    return NULL;
}

/* "x[0] (weight)" or "h1": the j-th input of u. */
static char *input_desc(Explainer *x, Neuron *u, int j)
{
    Spec *s = x->net->spec;
    if (u->first_input >= 0)
        return x->net->neurons[u->first_input + j].name;
    if (s->input_names != NULL)
        return ctx_printf(x->c, "x[%d] (%s)", j, s->input_names[j]);
    return ctx_printf(x->c, "x[%d]", j);
}

char *param_desc(Explainer *x, Param *p)
{
    Neuron *u = &x->net->neurons[p->neuron];
    char *filter = filter_param_desc(x, p);
    if (filter != NULL)
        return filter;
    if (p->input < 0)
        return ctx_printf(x->c, "the bias %s of neuron %s", p->name, u->name);
    return ctx_printf(x->c, "the weight %s of the edge from %s%s to neuron %s", p->name,
                      u->first_input < 0 ? "input " : "", input_desc(x, u, p->input), u->name);
}

char *and_list(Explainer *x, char **items, int n, int max)
{
    Buf b = {0};
    buf_puts(x->c, &b, "");
    int shown = n <= max ? n : max - 1;
    for (int i = 0; i < shown; i++)
        buf_printf(x->c, &b, "%s%s", i == 0 ? "" : i == n - 1 ? " and " : ", ", items[i]);
    if (shown < n)
        buf_printf(x->c, &b, " and %d more", n - shown);
    return b.s;
}

/* The opening paragraph: what the name stands for. */
static char *headline(Explainer *x, const char *name)
{
    Ctx *c = x->c;
    char *a, *b;
    Neuron *u;
    if (split_partial(c, name, &a, &b)) {
        Neuron *ua = neuron_named(x, a), *ub = NULL;
        Param *p = param_named(x, b);
        const char *da, *db;
        if (strcmp(a, "L") == 0)
            da = "the loss L";
        else if (strcmp(a, "ypred") == 0)
            da = "the prediction y_pred";
        else if (ua != NULL && is_map_unit(x, ua))
            da = ctx_printf(c, "%s, %s,", ua->name, map_unit_desc(x, ua));
        else if (ua != NULL)
            da = ctx_printf(c, "%s, the output of neuron %s,", ua->name, ua->name);
        else
            da = NULL;
        if (p != NULL)
            db = param_desc(x, p);
        else if (strcmp(b, "ypred") == 0)
            db = "the prediction y_pred";
        else if ((ub = neuron_named(x, b)) != NULL)
            db = is_map_unit(x, ub) ? ctx_printf(c, "%s, %s", b, map_unit_desc(x, ub))
                                    : ctx_printf(c, "%s, the output of neuron %s", b, b);
        else if (strncmp(b, "sum_", 4) == 0 && (ub = neuron_named(x, b + 4)) != NULL)
            db = is_map_unit(x, ub) ? ctx_printf(c, "%s, %s", b, map_sum_desc(x, ub, 0))
                                    : ctx_printf(c, "%s, the weighted sum of neuron %s's inputs plus its bias", b,
                                                 b + 4);
        else
            db = NULL;
        if (da != NULL && db != NULL) {
            const char *sa = strcmp(a, "ypred") == 0 ? "y_pred" : a;
            const char *sb = strcmp(b, "ypred") == 0 ? "y_pred" : b;
            char *t = ctx_printf(c, "%s is d%s/d%s, the partial derivative of %s with respect to "
                                    "%s: how much %s changes when %s changes a little.",
                                 name, a, b, da, db, sa, sb);
            if (strcmp(a, "L") == 0 && p != NULL && shared_note(x, p) != NULL)
                t = ctx_printf(c, "%s Gradient descent moves %s against it: %s. %s", t, b,
                               unbroken(c, ctx_printf(c, "%s -= learn_rate * dL/d%s", b, b)), shared_note(x, p));
            else if (strcmp(a, "L") == 0 && p != NULL)
                t = ctx_printf(c, "%s Gradient descent moves %s against it: %s.", t, b,
                               unbroken(c, ctx_printf(c, "%s -= learn_rate * dL/d%s", b, b)));
            else if (ua != NULL && ub == ua && strncmp(b, "sum_", 4) == 0)
                t = ctx_printf(c, "%s It is the slope of %s's activation, %s, at %s.", t, ua->name,
                               act_names[ua->act], b);
            return t;
        }
    } else if (strcmp(name, "y_pred") == 0) {
        return ctx_printf(c, "y_pred is the prediction of the network: the output of neuron o1.");
    } else if (strncmp(name, "sum_", 4) == 0 && (u = neuron_named(x, name + 4)) != NULL && is_map_unit(x, u)) {
        return ctx_printf(c, "%s is %s, before its activation (%s).", name, map_sum_desc(x, u, 1), act_names[u->act]);
    } else if ((u = neuron_named(x, name)) != NULL && strcmp(u->name, name) == 0 && is_map_unit(x, u)) {
        return map_value_headline(x, u);
    } else if (strncmp(name, "sum_", 4) == 0 && (u = neuron_named(x, name + 4)) != NULL) {
        return ctx_printf(c, "%s is the weighted sum of neuron %s's inputs plus its bias, before "
                             "its activation (%s).", name, u->name, act_names[u->act]);
    } else if ((u = neuron_named(x, name)) != NULL && strcmp(u->name, name) == 0) {
        if (u->act == ACT_SOFTMAX)
            return ctx_printf(c, "%s is the output of neuron %s: the softmax of the output "
                                 "layer's sums at %s, the probability of class %d (classes count "
                                 "from 0).", name, name, name,
                              (int)(u - x->net->neurons) - x->net->layer_first[u->layer]);
        return ctx_printf(c, "%s is the output of neuron %s: its activation, %s, applied to "
                             "sum_%s.", name, name, act_names[u->act], name);
    }
    return ctx_printf(c, "%s is a value that %s computes on the way.", name, x->fn);
}

/* ---- The statements of NAME_train_sample ---------------------------------------- */

/*
 * The values that NAME_train_sample defines, in its order: the model's
 * order, which is the code's, except that the code gathers the partials of
 * the parameters at the end, neuron by neuron or filter by filter (the chain
 * rule's section).
 */
static void find_statements(Explainer *x)
{
    Model *m = x->m;
    x->stmt = ctx_array(x->c, (size_t)m->nvalues, sizeof *x->stmt);
    x->pos = ctx_array(x->c, (size_t)m->nvalues, sizeof *x->pos);
    x->mark = ctx_alloc(x->c, (size_t)m->nvalues);
    x->nstmts = 0;
    x->ff_end = -1;
    for (int v = 0; v < m->nvalues; v++) {
        ValKind k = m->values[v].kind;
        x->pos[v] = -1;
        if (k == VAL_SUM || k == VAL_ACT || k == VAL_OUTPUT || k == VAL_LOSS || k == VAL_LOCAL ||
            k == VAL_BACK)
            x->stmt[x->nstmts++] = v;
    }
    for (int k = 0; k < x->net->nowners; k++) {
        const Owner *o = &x->net->owners[k];
        for (int j = 0; j <= o->nweights; j++)
            x->stmt[x->nstmts++] = m->grad[j < o->nweights ? o->first_weight + j : o->bias];
    }
    for (int i = 0; i < x->nstmts; i++) {
        x->pos[x->stmt[i]] = i;
        if (x->ff_end < 0 && strncmp(m->values[x->stmt[i]].name, "d_", 2) == 0)
            x->ff_end = i;
    }
    if (x->ff_end < 0)
        x->ff_end = x->nstmts;
}

int lookup(Explainer *x, const char *name)
{
    for (int i = 0; i < x->nstmts; i++)
        if (strcmp(x->m->values[x->stmt[i]].name, name) == 0)
            return x->stmt[i];
    return -1;
}

/* Is v the largest of its dependencies, which the code writes as a chain of ifs (max_sum_o)? */
static int is_max(const Value *val)
{
    return val->kind != VAL_STATE && val->expr == NULL && val->nterms == 0 && val->ndeps > 0;
}

/*
 * The statement of v as the unrolled C writes it: `    double NAME = EXPR;`,
 * with a sum wrapped as emit.c's sum_line wraps it (before 100 columns,
 * counting the type as "double" in either precision, continuation lines
 * indented by 12), and the largest of several as a chain of ifs.
 */
static char *code_of(Explainer *x, int v)
{
    Ctx *c = x->c;
    const Value *val = &x->shown->values[v];
    const char *type = x->net->spec->single ? "float" : "double";
    Buf b = {0};
    if (is_max(val)) {
        buf_printf(c, &b, "    %s %s = %s;", type, val->name, x->m->values[val->deps[0]].name);
        for (int k = 1; k < val->ndeps; k++) {
            const char *d = x->m->values[val->deps[k]].name;
            buf_printf(c, &b, "\n    if (%s > %s)\n        %s = %s;", d, val->name, val->name, d);
        }
        return b.s;
    }
    int n;
    const char **t = value_terms(c, x->shown, v, &n);
    int col = 4 + 6 + 1 + (int)strlen(val->name) + 3;
    buf_printf(c, &b, "    %s %s = ", type, val->name);
    for (int i = 0; i < n; i++) {
        int len = (int)strlen(t[i]) + (i > 0 ? 3 : 0);
        if (i > 0 && col + len + (i + 1 < n ? 2 : 1) > 100) {
            buf_printf(c, &b, " +\n            %s", t[i]);
            col = 12 + (int)strlen(t[i]);
            continue;
        }
        buf_printf(c, &b, "%s%s", i > 0 ? " + " : "", t[i]);
        col += len;
    }
    buf_puts(c, &b, ";");
    return b.s;
}

/* How many statements v is: one, or one and an if for each further dependency. */
static int statements_of(Explainer *x, int v)
{
    const Value *val = &x->m->values[v];
    return is_max(val) ? val->ndeps : 1;
}

/* The comment nearest above v's statement in its paragraph, in math notation, or NULL. */
static char *note_of(Explainer *x, int v)
{
    Model *m = x->m;
    const Value *val = &m->values[v];
    if (val->kind == VAL_SUM || val->kind == VAL_ACT) {
        /* The softmax's comment opens its block: the largest sum, the exps, their sum, the outputs. */
        if (val->layer < 0 || x->net->spec->layers[val->layer].act != ACT_SOFTMAX ||
            (val->unit >= 0 && m->sum[val->unit] == v))
            return NULL;
        return comment_to_math(x, m->values[m->act[x->net->layer_first[val->layer]]].rule);
    }
    if ((val->kind == VAL_LOSS || val->kind == VAL_LOCAL) && val->rule != NULL)
        return comment_to_math(x, val->rule);
    return NULL;
}

/* ---- Partials and what they read ------------------------------------------------ */

/* The formula in the comment above v, when it is v's own: "partial A / partial B = F". */
static char *own_formula(Explainer *x, int v)
{
    char *a, *b, *note = note_of(x, v);
    if (note == NULL || !split_partial(x->c, x->m->values[v].name, &a, &b))
        return NULL;
    char *lhs = ctx_printf(x->c, "d%s/d%s = ", a, b);
    if (strncmp(note, lhs, strlen(lhs)) != 0)
        return NULL;
    return note + strlen(lhs);
}

/* "dA/dB" for a partial, the name itself otherwise. */
static const char *symbol(Explainer *x, const char *name)
{
    char *a, *b;
    if (split_partial(x->c, name, &a, &b))
        return ctx_printf(x->c, "d%s/d%s", a, b);
    return name;
}

/* The C expression of v, in double precision: what its math is made from. */
static const char *rhs_of(Explainer *x, int v)
{
    return value_c(x->c, x->m, v);
}

/* Is v a partial of the backpropagation (not a value of the feedforward)? */
static int is_partial(Explainer *x, int v)
{
    return x->pos[v] >= x->ff_end && split_partial(x->c, x->m->values[v].name, NULL, NULL);
}

/* Is it an activation's derivative, d_h1_d_sum_h1, shown as an f' line? */
static int is_act_deriv(Explainer *x, int v)
{
    char *a, *b;
    return split_partial(x->c, x->m->values[v].name, &a, &b) && strcmp(a, "L") != 0 &&
           strncmp(b, "sum_", 4) == 0;
}

/* Fills deps with the statements' values that v reads, each once; returns how many. */
static int deps_of(Explainer *x, int v, int *deps, int max)
{
    const Value *val = &x->m->values[v];
    int n = 0;
    for (int k = 0; k < val->ndeps && n < max; k++)
        if (x->pos[val->deps[k]] >= 0 && val->deps[k] != v)
            deps[n++] = val->deps[k];
    return n;
}

/* ---- The explanation ------------------------------------------------------------ */

/* Does value v read value d? */
static int reads(Explainer *x, int v, int d)
{
    const Value *val = &x->m->values[v];
    for (int k = 0; k < val->ndeps; k++)
        if (val->deps[k] == d)
            return 1;
    return 0;
}

/* Explains parameter p: where the code uses it. */
static void explain_param(Explainer *x, Param *p)
{
    paragraph(x, ctx_printf(x->c, "%s is a parameter of network '%s': %s. In the generated C it "
                                  "is nn->%s, a member of struct %s.", p->name, x->net->spec->name,
                            param_desc(x, p), p->name, x->net->spec->name));
    paragraph(x, ctx_printf(x->c, "In %s it is used by:", x->fn));
    int pv = x->m->param[p - x->net->params];
    for (int i = 0; i < x->nstmts; i++)
        if (reads(x, x->stmt[i], pv))
            buf_printf(x->c, x->out, "%s\n", code_of(x, x->stmt[i]));
    buf_printf(x->c, x->out, "    nn->%s -= learn_rate * d_L_d_%s;\n\n", p->name, p->name);
    paragraph(x, ctx_printf(x->c, "Training moves it against d_L_d_%s, the partial derivative of "
                                  "the loss with respect to it.", p->name));
    x->out->s[--x->out->len] = '\0'; /* no blank line at the end */
}

/*
 * Marks v and everything it reads, and they read, in the order found
 * (breadth first) into x->order; the feedforward's values are marked but
 * not followed unless v is one of them.
 */
static void find_closure(Explainer *x, int v)
{
    int nvalues = x->m->nvalues;
    int *deps = ctx_array(x->c, (size_t)nvalues, sizeof *deps);
    int in_ff = x->pos[v] < x->ff_end;
    x->order = ctx_array(x->c, (size_t)nvalues, sizeof *x->order);
    x->norder = 0;
    x->order[x->norder++] = v;
    x->mark[v] = 1;
    for (int q = 0; q < x->norder; q++) {
        int n = deps_of(x, x->order[q], deps, nvalues);
        for (int k = 0; k < n; k++) {
            if (x->mark[deps[k]])
                continue;
            x->mark[deps[k]] = 1;
            if (in_ff || x->pos[deps[k]] >= x->ff_end)
                x->order[x->norder++] = deps[k];
        }
    }
}

/* "By the chain rule: dL/dw1 = ...", or "As a formula:" when it multiplies no partials. */
static void write_formula(Explainer *x, int v, const int *direct, int ndirect)
{
    if (statements_of(x, v) > 1)
        return; /* assigned again later (max_sum_o): the code says it best */
    int chain = 0;
    for (int k = 0; k < ndirect; k++)
        chain |= is_partial(x, direct[k]);
    const char *lhs = symbol(x, x->m->values[v].name), *own = own_formula(x, v);
    char *math = to_math(x, rhs_of(x, v));
    int width = (int)strlen(lhs);
    paragraph(x, chain ? "By the chain rule:" : "As a formula:");
    if (!chain && own != NULL) {
        math_line(x, lhs, width, own);
    } else {
        math_line(x, lhs, width, math);
        /* Then the comment's form (w5 * f'(sum_o1)), unless it only ends like the code's. */
        size_t n = strlen(math), m = own != NULL ? strlen(own) : 0;
        if (own != NULL && !(m >= n && strcmp(own + m - n, math) == 0))
            math_line(x, "", width, own);
    }
    buf_puts(x->c, x->out, "\n");
}

/* The lines "f'(sum_h1) = h1 * (1 - h1)" for the activations' derivatives fprime[0..n). */
static void write_fprimes(Explainer *x, const int *fprime, int nfprime, int nfactor)
{
    Ctx *c = x->c;
    char **acts = ctx_array(c, (size_t)nfprime, sizeof *acts);
    int nacts = 0, w = 0;
    for (int k = 0; k < nfprime; k++) {
        char *b;
        split_partial(c, x->m->values[fprime[k]].name, NULL, &b);
        Neuron *u = neuron_named(x, b + 4);
        char *act = (char *)(u != NULL ? act_names[u->act] : "?");
        int seen = 0;
        for (int i = 0; i < nacts; i++)
            seen |= strcmp(acts[i], act) == 0;
        if (!seen)
            acts[nacts++] = act;
        int n = (int)strlen(b) + 4; /* f'(...) */
        w = n > w ? n : w;
    }
    paragraph(x, ctx_printf(c, "%s f' is the derivative of the activation (%s), computed from "
                               "values the feedforward already has:", nfactor > 0 ? "and" : "where",
                            and_list(x, acts, nacts, nacts)));
    for (int k = 0; k < nfprime; k++) {
        char *b, *f = own_formula(x, fprime[k]);
        split_partial(c, x->m->values[fprime[k]].name, NULL, &b);
        char *fl = ctx_printf(c, "f'(%s)", b);
        if (f == NULL)
            f = to_math(x, rhs_of(x, fprime[k]));
        else if (strncmp(f, fl, strlen(fl)) == 0 && strncmp(f + strlen(fl), " = ", 3) == 0)
            f += strlen(fl) + 3; /* f'(sum_h1) = h1 * (1 - h1), not f'(sum_h1) = f'(sum_h1) = ... */
        math_line(x, fl, w, f);
    }
    buf_puts(c, x->out, "\n");
}

/*
 * "where, for this network," and a line for each partial of the closure,
 * then "f' is the derivative of ..." and a line for each activation's
 * derivative (unless one is itself a factor of the name explained).
 * Sets *factors to the partials listed.
 */
static int write_factors(Explainer *x, const int *direct, int ndirect, int **factors)
{
    Ctx *c = x->c;
    int *factor = ctx_array(c, (size_t)x->norder, sizeof *factor);
    int *fprime = ctx_array(c, (size_t)x->norder, sizeof *fprime);
    int nfactor = 0, nfprime = 0;
    for (int q = 1; q < x->norder; q++) {
        int d = x->order[q], is_direct = 0;
        if (!is_partial(x, d))
            continue;
        for (int k = 0; k < ndirect; k++)
            is_direct |= direct[k] == d;
        if (is_act_deriv(x, d) && !is_direct)
            fprime[nfprime++] = d;
        else
            factor[nfactor++] = d;
    }
    *factors = factor;

    if (nfactor > 0) {
        paragraph(x, "where, for this network,");
        int w = 0;
        for (int k = 0; k < nfactor && k < MAX_FACTORS; k++) {
            int n = (int)strlen(symbol(x, x->m->values[factor[k]].name));
            w = n > w ? n : w;
        }
        for (int k = 0; k < nfactor && k < MAX_FACTORS; k++) {
            char *f = own_formula(x, factor[k]);
            math_line(x, symbol(x, x->m->values[factor[k]].name), w,
                      f != NULL ? f : to_math(x, rhs_of(x, factor[k])));
        }
        if (nfactor > MAX_FACTORS)
            buf_printf(c, x->out, "    ... and %d more, all in the code below\n",
                       nfactor - MAX_FACTORS);
        buf_puts(c, x->out, "\n");
    }
    if (nfprime > 0)
        write_fprimes(x, fprime, nfprime, nfactor);
    return nfactor < MAX_FACTORS ? nfactor : MAX_FACTORS;
}

/*
 * The notes of v and its factors: why dL/dh1 is a sum of paths (once,
 * naming the other such partials after it), then the comments over
 * groups of lines that hold a formula (cross-entropy through softmax).
 */
static void write_notes(Explainer *x, int v, const int *factor, int nfactor)
{
    Ctx *c = x->c;
    char **notes = ctx_array(c, (size_t)nfactor + 2, sizeof *notes);
    char **sums = ctx_array(c, (size_t)nfactor + 1, sizeof *sums);
    int nnotes = 1, nsums = 0;
    for (int k = -1; k < nfactor; k++) {
        int d = k < 0 ? v : factor[k];
        const char *name = x->m->values[d].name;
        char *a, *b, *note;
        Neuron *u;
        if (split_partial(c, name, &a, &b) && strcmp(a, "L") == 0 &&
            (u = neuron_named(x, b)) != NULL && u->nfeeds >= 2 && strstr(rhs_of(x, d), " + ") != NULL) {
            if (nsums++ > 0) {
                sums[nsums - 2] = (char *)symbol(x, name);
                continue;
            }
            char **fed = ctx_array(c, (size_t)u->nfeeds, sizeof *fed);
            units_fed(x, u, fed);
            notes[0] = ctx_printf(c, "%s feeds %s, so dL/d%s adds up the paths through each of "
                                     "them.", b, and_list(x, fed, u->nfeeds, 4), b);
            continue;
        }
        if ((note = note_of(x, d)) == NULL || own_formula(x, d) != NULL || strstr(note, " = ") == NULL)
            continue;
        int seen = 0;
        for (int i = 1; i < nnotes; i++)
            seen |= strcmp(notes[i], note) == 0;
        if (!seen)
            notes[nnotes++] = note;
    }
    if (nsums > 1)
        notes[0] = ctx_printf(c, "%s So do %s.", notes[0], and_list(x, sums, nsums - 1, 6));
    for (int i = notes[0] == NULL; i < nnotes; i++) {
        size_t n = strlen(notes[i]);
        paragraph(x, n > 0 && notes[i][n - 1] != '.' ? ctx_printf(c, "%s.", notes[i]) : notes[i]);
    }
}

void explain_math(Explainer *x, int v)
{
    paragraph(x, headline(x, x->m->values[v].name));
    find_closure(x, v);
    int *direct = ctx_array(x->c, (size_t)x->m->nvalues, sizeof *direct);
    int ndirect = deps_of(x, v, direct, x->m->nvalues);
    write_formula(x, v, direct, ndirect);
    int *factor;
    int nfactor = write_factors(x, direct, ndirect, &factor);
    write_notes(x, v, factor, nfactor);
}

/* The statements of the closure, in the order they run, after a line that names what they read. */
static void write_code(Explainer *x, int v)
{
    Ctx *c = x->c;
    int in_ff = x->pos[v] < x->ff_end, ncode = 0, nff = 0;
    char **ff = ctx_array(c, (size_t)x->ff_end + 1, sizeof *ff);
    for (int i = 0; i < x->nstmts; i++) {
        int d = x->stmt[i];
        if (!x->mark[d])
            continue;
        if (in_ff || i >= x->ff_end)
            ncode += statements_of(x, d);
        else
            ff[nff++] = (char *)x->m->values[d].name;
    }
    char *intro = ctx_printf(c, "In %s, %s", x->fn, ncode == 1 ? "this line computes it"
                                                    : "these lines compute it, in this order");
    if (nff > 0)
        intro = ctx_printf(c, "%s (%s %s from the feedforward before %s)", intro,
                           and_list(x, ff, nff, 6), nff == 1 ? "comes" : "come",
                           ncode == 1 ? "it" : "them");
    paragraph(x, ctx_printf(c, "%s:", intro));
    for (int i = 0; i < x->nstmts; i++)
        if (x->mark[x->stmt[i]] && (in_ff || i >= x->ff_end))
            buf_printf(c, x->out, "%s\n", code_of(x, x->stmt[i]));
}

int explain(Ctx *c, Net *net, const char *name, Buf *out)
{
    Explainer ex = {0}, *x = &ex;
    x->c = c;
    x->net = net;
    x->out = out;
    x->fn = ctx_printf(c, "%s_train_sample", net->spec->name);
    x->compact = is_compact(c, net);

    /*
     * The math is the double form's, without float suffixes (expf, 1.0f);
     * the code is shown as the user's file has it.
     */
    Spec *s = net->spec;
    int single = s->single;
    s->single = 0;
    x->m = model_build(c, net);
    s->single = single;
    x->shown = single && !x->compact ? model_build(c, net) : x->m;
    find_statements(x);

    if (x->compact)
        compact_intro(x);
    int v = lookup(x, name);
    if (v < 0) {
        Param *p = param_named(x, name);
        if (p != NULL && x->compact)
            compact_param(x, p);
        else if (p != NULL)
            explain_param(x, p);
        else if (!explain_argument(x, name) && !explain_state(x, name))
            return unknown(x, name);
        return 0;
    }
    explain_math(x, v);
    if (x->compact)
        compact_value(x, v);
    else
        write_code(x, v);
    return 0;
}
