/*
 * explain.c: a name of the generated code, explained as the tutorial explains it.
 *
 * For d_L_d_w1 it prints the chain rule (dL/dw1 = dL/dypred * dypred/dh1 *
 * dh1/dw1), each factor's formula for this network, and the C lines that
 * compute it, in the order the generated code runs them.  Rather than
 * working the chain rule out a second time, it reads the code that emit.c
 * writes: the unrolled body of NAME_train_sample, its `double NAME = EXPR;`
 * definitions and the comment above each (`partial y_pred / partial h1 =
 * w5 * f'(sum_o1)`).  So whatever emit.c writes can be explained, and the
 * explanation cannot drift from the code.
 *
 * In the text, d_A_d_B is written dA/dB, as the tutorial writes partials,
 * and nn->w5 is written w5.
 */
#include <string.h>

#include "nnc.h"
#include "nnrt_impl.h"

#define WIDTH 80       /* prose is wrapped to this many columns */
#define MATH_WIDTH 99  /* formulas and code stay within this many */
#define MAX_FACTORS 30 /* factors listed before "... and N more" */

/* One statement of the body: a definition, a later assignment, or anything else (name NULL). */
typedef struct {
    char *name;     /* the local it defines or assigns */
    char *text;     /* the statement on one line, blanks collapsed */
    char *rhs;      /* what it reads: the expression, and an if's condition */
    char *code;     /* its lines as written */
    char *note;     /* the comment nearest above it in its paragraph, in math notation */
    int is_def;     /* `double NAME = ...;` */
    int name_id;    /* index in the names table, -1 for none */
    int next;       /* the next statement of the same name, -1 at the end */
} Line;

typedef struct {
    char *name;
    int def;        /* its defining statement */
    int last;       /* its last statement so far */
    int mark;       /* in the closure of the name explained */
} Name;

typedef struct {
    Ctx *c;
    Net *net;
    Buf *out;
    const char *fn;   /* NAME_train_sample */
    Line *lines;
    int nlines;
    Name *names;
    int nnames;
    int *hash;        /* open addressing over names, -1 for empty */
    int hash_size;
    int ff_end;       /* statements before this one are the feedforward */
    int *order;       /* the closure of the name explained, breadth first */
    int norder;
} Explainer;

/* ---- Reading the generated code ------------------------------------------------- */

static int is_ident_start(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_';
}

static int is_ident_char(char ch)
{
    return is_ident_start(ch) || (ch >= '0' && ch <= '9');
}

static unsigned hash_of(const char *s, size_t n)
{
    unsigned h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

/* The index of the name s[0..n), or -1. */
static int find_name(Explainer *x, const char *s, size_t n)
{
    unsigned size = (unsigned)x->hash_size;
    for (unsigned h = hash_of(s, n) % size;; h = (h + 1) % size) {
        int i = x->hash[h];
        if (i < 0)
            return -1;
        if (strlen(x->names[i].name) == n && memcmp(x->names[i].name, s, n) == 0)
            return i;
    }
}

static int add_name(Explainer *x, char *name, int def)
{
    unsigned h = hash_of(name, strlen(name)) % (unsigned)x->hash_size;
    while (x->hash[h] >= 0)
        h = (h + 1) % (unsigned)x->hash_size;
    x->hash[h] = x->nnames;
    x->names[x->nnames].name = name;
    x->names[x->nnames].def = def;
    x->names[x->nnames].last = def;
    return x->nnames++;
}

/* s with every run of blanks made one blank, and without blanks at either end. */
static char *squeeze(Ctx *c, const char *s, size_t n)
{
    char *t = ctx_alloc(c, n + 1), *q = t;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == ' ' || s[i] == '\n' || s[i] == '\t') {
            if (q > t && q[-1] != ' ')
                *q++ = ' ';
        } else {
            *q++ = s[i];
        }
    }
    while (q > t && q[-1] == ' ')
        q--;
    *q = '\0';
    return t;
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

/* Is this comment a heading ("--- The chain rule", "Neuron h1") rather than a note? */
static int is_heading(const char *text)
{
    if (strncmp(text, "---", 3) == 0)
        return 1;
    if (strncmp(text, "Neuron ", 7) != 0)
        return 0;
    const char *p = text + 7;
    while (is_ident_char(*p))
        p++;
    return *p == '\0';
}

/* Reads one statement, text t (on one line), into l: what it defines or assigns and reads. */
static void parse_statement(Explainer *x, Line *l, const char *t)
{
    const char *p = t;
    l->name_id = -1;
    if (strncmp(p, "double ", 7) == 0 || strncmp(p, "float ", 6) == 0) {
        l->is_def = 1;
        p += *p == 'd' ? 7 : 6;
    } else if (strncmp(p, "if (", 4) == 0) {
        int depth = 0;
        const char *q = p + 3;
        do {
            depth += *q == '(' ? 1 : *q == ')' ? -1 : 0;
            q++;
        } while (*q && depth > 0);
        l->rhs = ctx_strndup(x->c, p + 3, (size_t)(q - p - 3));
        p = q + (*q == ' ');
    }
    const char *q = p;
    while (is_ident_char(*q))
        q++;
    if (q == p || strncmp(q, " = ", 3) != 0)
        return;
    const char *end = q + 3 + strlen(q + 3);
    if (end > q + 3 && end[-1] == ';')
        end--;
    char *expr = ctx_strndup(x->c, q + 3, (size_t)(end - q - 3));
    l->rhs = l->rhs != NULL ? ctx_printf(x->c, "%s %s", l->rhs, expr) : expr;
    l->name = ctx_strndup(x->c, p, (size_t)(q - p));
}

/* Splits the body of NAME_train_sample into statements with their notes; 0, or -1 if absent. */
static int read_body(Explainer *x, const char *file)
{
    const char *head = strstr(file, ctx_printf(x->c, "\nvoid %s(", x->fn));
    const char *body = head != NULL ? strstr(head, "\n{\n") : NULL;
    const char *end = body != NULL ? strstr(body, "\n}\n") : NULL;
    if (end == NULL)
        return -1;
    body += 3;

    size_t cap = 0;
    for (const char *p = body; p < end; p++)
        cap += *p == '\n';
    x->lines = ctx_array(x->c, cap + 1, sizeof *x->lines);
    x->names = ctx_array(x->c, cap + 1, sizeof *x->names);
    x->hash_size = (int)(2 * cap + 3);
    x->hash = ctx_array(x->c, (size_t)x->hash_size, sizeof *x->hash);
    for (int i = 0; i < x->hash_size; i++)
        x->hash[i] = -1;
    x->nlines = x->nnames = 0;
    x->ff_end = -1;

    char *note = NULL;
    for (const char *p = body; p < end;) {
        const char *eol = strchr(p, '\n');
        const char *s = p + strspn(p, " ");
        if (s == eol) {             /* a blank line ends a paragraph and its note */
            note = NULL;
            p = eol + 1;
            continue;
        }
        if (strncmp(s, "/*", 2) == 0) {
            /* Not strstr, which a sanitizer runs over the rest of the file: quadratic here. */
            const char *close = s + 2;
            while (close + 1 < end && !(close[0] == '*' && close[1] == '/'))
                close++;
            Buf text = {0};
            buf_puts(x->c, &text, "");
            for (const char *q = s + 2; q < close;) {
                const char *nl = memchr(q, '\n', (size_t)(close - q));
                const char *stop = nl != NULL ? nl : close;
                buf_printf(x->c, &text, "%.*s ", (int)(stop - q), q);
                if (nl == NULL)
                    break;
                q = nl + 1 + strspn(nl + 1, " ");
                if (*q == '*' && q[1] != '/')
                    q++;
            }
            char *t = squeeze(x->c, text.s, text.len);
            note = is_heading(t) ? NULL : comment_to_math(x, t);
            p = strchr(close, '\n') + 1;
            continue;
        }
        /* A statement runs to the line that ends in ';'. */
        const char *stop = eol;
        while (stop < end && stop[-1] != ';')
            stop = strchr(stop + 1, '\n');
        Line *l = &x->lines[x->nlines];
        l->code = ctx_strndup(x->c, p, (size_t)(stop - p));
        l->text = squeeze(x->c, p, (size_t)(stop - p));
        l->note = note;
        l->next = -1;
        parse_statement(x, l, l->text);
        if (l->name != NULL) {
            int id = find_name(x, l->name, strlen(l->name));
            if (l->is_def && id < 0) {
                l->name_id = add_name(x, l->name, x->nlines);
                if (x->ff_end < 0 && strncmp(l->name, "d_", 2) == 0)
                    x->ff_end = x->nlines;
            } else if (!l->is_def && id >= 0) {
                l->name_id = id;
                x->lines[x->names[id].last].next = x->nlines;
                x->names[id].last = x->nlines;
            }
        }
        x->nlines++;
        p = stop + 1;
    }
    if (x->ff_end < 0)
        x->ff_end = x->nlines;
    return 0;
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
static void paragraph(Explainer *x, const char *text)
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

static Param *param_named(Explainer *x, const char *name)
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

/* "the weight w1 of the edge from input x[0] (weight) to neuron h1" and the like. */
static char *param_desc(Explainer *x, Param *p)
{
    Neuron *u = &x->net->neurons[p->neuron];
    if (p->input < 0)
        return ctx_printf(x->c, "the bias %s of neuron %s", p->name, u->name);
    return ctx_printf(x->c, "the weight %s of the edge from %s%s to neuron %s", p->name,
                      u->first_input < 0 ? "input " : "", input_desc(x, u, p->input), u->name);
}

/* "a, b and c", at most max of them, then "and N more". */
static char *and_list(Explainer *x, char **items, int n, int max)
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
        else if (ua != NULL)
            da = ctx_printf(c, "%s, the output of neuron %s,", ua->name, ua->name);
        else
            da = NULL;
        if (p != NULL)
            db = param_desc(x, p);
        else if (strcmp(b, "ypred") == 0)
            db = "the prediction y_pred";
        else if ((ub = neuron_named(x, b)) != NULL)
            db = ctx_printf(c, "%s, the output of neuron %s", b, b);
        else if (strncmp(b, "sum_", 4) == 0 && (ub = neuron_named(x, b + 4)) != NULL)
            db = ctx_printf(c, "%s, the weighted sum of neuron %s's inputs plus its bias", b,
                            b + 4);
        else
            db = NULL;
        if (da != NULL && db != NULL) {
            const char *sa = strcmp(a, "ypred") == 0 ? "y_pred" : a;
            const char *sb = strcmp(b, "ypred") == 0 ? "y_pred" : b;
            char *t = ctx_printf(c, "%s is d%s/d%s, the partial derivative of %s with respect to "
                                    "%s: how much %s changes when %s changes a little.",
                                 name, a, b, da, db, sa, sb);
            if (strcmp(a, "L") == 0 && p != NULL)
                t = ctx_printf(c, "%s Gradient descent moves %s against it: %s.", t, b,
                               unbroken(c, ctx_printf(c, "%s -= learn_rate * dL/d%s", b, b)));
            else if (ua != NULL && ub == ua && strncmp(b, "sum_", 4) == 0)
                t = ctx_printf(c, "%s It is the slope of %s's activation, %s, at %s.", t, ua->name,
                               act_names[ua->act], b);
            return t;
        }
    } else if (strcmp(name, "y_pred") == 0) {
        return ctx_printf(c, "y_pred is the prediction of the network: the output of neuron o1.");
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

/* ---- Partials and what they read ------------------------------------------------ */

/* The formula in the comment above statement l, when it is l's own: "partial A / partial B = F". */
static char *own_formula(Explainer *x, Line *l)
{
    char *a, *b;
    if (l->note == NULL || !split_partial(x->c, l->name, &a, &b))
        return NULL;
    char *lhs = ctx_printf(x->c, "d%s/d%s = ", a, b);
    if (strncmp(l->note, lhs, strlen(lhs)) != 0)
        return NULL;
    return l->note + strlen(lhs);
}

/* "dA/dB" for a partial, the name itself otherwise. */
static const char *symbol(Explainer *x, const char *name)
{
    char *a, *b;
    if (split_partial(x->c, name, &a, &b))
        return ctx_printf(x->c, "d%s/d%s", a, b);
    return name;
}

/* Is name id a partial of the backpropagation (not a value of the feedforward)? */
static int is_partial(Explainer *x, int id)
{
    return x->names[id].def >= x->ff_end && split_partial(x->c, x->names[id].name, NULL, NULL);
}

/* Is it an activation's derivative, d_h1_d_sum_h1, shown as an f' line? */
static int is_act_deriv(Explainer *x, int id)
{
    char *a, *b;
    return split_partial(x->c, x->names[id].name, &a, &b) && strcmp(a, "L") != 0 &&
           strncmp(b, "sum_", 4) == 0;
}

/* Fills deps with the names that the statements of name id read, each once; returns how many. */
static int deps_of(Explainer *x, int id, int *deps, int max)
{
    int n = 0;
    for (int i = x->names[id].def; i >= 0; i = x->lines[i].next) {
        const char *r = x->lines[i].rhs;
        for (const char *p = r; p != NULL && *p;) {
            /* Not inside a word, nor a member (nn->w1). */
            if (!is_ident_start(*p) || (p > r && (is_ident_char(p[-1]) || p[-1] == '>'))) {
                p++;
                continue;
            }
            const char *q = p;
            while (is_ident_char(*q))
                q++;
            int d = find_name(x, p, (size_t)(q - p));
            if (d >= 0 && d != id && n < max) {
                int seen = 0;
                for (int k = 0; k < n; k++)
                    seen |= deps[k] == d;
                if (!seen)
                    deps[n++] = d;
            }
            p = q;
        }
    }
    return n;
}

/* ---- The explanation ------------------------------------------------------------ */

/* Explains parameter p: where the code uses it. */
static void explain_param(Explainer *x, Param *p)
{
    paragraph(x, ctx_printf(x->c, "%s is a parameter of network '%s': %s. In the generated C it "
                                  "is nn->%s, a member of struct %s.", p->name, x->net->spec->name,
                            param_desc(x, p), p->name, x->net->spec->name));
    paragraph(x, ctx_printf(x->c, "In %s it is used by:", x->fn));
    char *use = ctx_printf(x->c, "nn->%s", p->name);
    size_t n = strlen(use);
    for (int i = 0; i < x->nlines; i++) {
        for (const char *s = strstr(x->lines[i].text, use); s != NULL; s = strstr(s + 1, use)) {
            if (!is_ident_char(s[n])) {
                buf_printf(x->c, x->out, "%s\n", x->lines[i].code);
                break;
            }
        }
    }
    buf_puts(x->c, x->out, "\n");
    paragraph(x, ctx_printf(x->c, "Training moves it against d_L_d_%s, the partial derivative of "
                                  "the loss with respect to it.", p->name));
    x->out->s[--x->out->len] = '\0'; /* no blank line at the end */
}

/* Explains an argument of NAME_train_sample (x, y_true, learn_rate, nn); 0 if name is none. */
static int explain_argument(Explainer *x, const char *name)
{
    Ctx *c = x->c;
    Spec *s = x->net->spec;
    char *t;
    if (strcmp(name, "x") == 0) {
        t = ctx_printf(c, "x is the input of one sample: %d value%s, x[0]", s->ninputs,
                       s->ninputs == 1 ? "" : "s");
        if (s->input_names != NULL)
            t = ctx_printf(c, "%s (%s)", t, s->input_names[0]);
        if (s->ninputs > 1)
            t = ctx_printf(c, "%s .. x[%d]", t, s->ninputs - 1);
        if (s->input_names != NULL && s->ninputs > 1)
            t = ctx_printf(c, "%s (%s)", t, s->input_names[s->ninputs - 1]);
        t = ctx_printf(c, "%s. The neurons of the first layer weigh %s.", t,
                       s->ninputs == 1 ? "it" : "them");
    } else if (strcmp(name, "y_true") == 0) {
        int k = x->net->noutputs;
        t = ctx_printf(c, "y_true is the target of one sample: %d value%s, what follows '->' in "
                          "a data row. The loss compares the prediction with it.", k,
                       k == 1 ? "" : "s");
    } else if (strcmp(name, "learn_rate") == 0) {
        t = ctx_printf(c, "learn_rate is the learning rate, how far each step of gradient descent "
                          "moves the parameters against their partials: %g in the spec.",
                       s->learn_rate);
    } else if (strcmp(name, "nn") == 0) {
        t = ctx_printf(c, "nn points to the parameters of the network, a struct %s: nn->w1 .. "
                          "nn->w%d and nn->b1 .. nn->b%d.", s->name, x->net->nweights,
                       x->net->nneurons);
    } else {
        return 0;
    }
    paragraph(x, ctx_printf(c, "%s It is an argument of %s.", t, x->fn));
    x->out->s[--x->out->len] = '\0';
    return 1;
}

/* Does line name the parameter param, as a whole name or after '_' (d_L_d_w1; not w10, not bw1)? */
static int names_param(const char *line, const char *param)
{
    size_t n = strlen(param);
    for (const char *s = strstr(line, param); s != NULL; s = strstr(s + 1, param))
        if (!is_ident_char(s[n]) && (s == line || s[-1] == '_' || !is_ident_char(s[-1])))
            return 1;
    return 0;
}

/*
 * Explains a value of the optimizer's state (velocity_w1, or m_w1 and
 * v_w1): what it is, the update's formulas as the comment of NAME_update
 * in file (the unrolled C) gives them, and that function's lines for its
 * parameter.  0 if name is none.
 */
static int explain_state(Explainer *x, const char *name, const char *file)
{
    Ctx *c = x->c;
    Spec *s = x->net->spec;
    static const char *const prefixes[] = {"velocity_", "m_", "v_"};
    if (s->optimizer == OPT_SGD)
        return 0;
    int k = s->optimizer == OPT_MOMENTUM ? 0 : 1, last = s->optimizer == OPT_MOMENTUM ? 0 : 2;
    Param *p = NULL;
    for (; k <= last && p == NULL; k++)
        if (strncmp(name, prefixes[k], strlen(prefixes[k])) == 0)
            p = param_named(x, name + strlen(prefixes[k]));
    if (p == NULL)
        return 0;
    k--;
    static const char *const what[] = {
        "its velocity: the sum of its partials, each earlier one decayed by momentum",
        "the running mean of its partial (Adam's first moment)",
        "the running mean of the square of its partial (Adam's second moment)",
    };
    const char *fn = ctx_printf(c, "%s_update", s->name);
    paragraph(x, ctx_printf(c, "%s is what optimizer %s keeps for the parameter %s: %s. In the generated C "
                               "it is state->%s, a member of struct %s_optimizer, which %s updates once a "
                               "batch, from d_L_d_%s, the mean partial of the batch:",
                            name, s->optimizer == OPT_ADAM ? "adam" : "momentum", p->name, what[k], name,
                            s->name, fn, p->name));
    const char *body = strstr(file, ctx_printf(c, "\nvoid %s(", fn));
    const char *end = body != NULL ? strstr(body, "\n}\n") : NULL;
    if (end == NULL)
        bug("no %s in the generated code", fn);
    /* The formulas: the comment's lines "     *   ...". */
    for (const char *l = body + 1; l < end; l = strchr(l, '\n') + 1) {
        size_t n = strcspn(l, "\n");
        if (n > 9 && strncmp(l, "     *   ", 9) == 0)
            buf_printf(c, x->out, "    %.*s\n", (int)(n - 9), l + 9);
    }
    buf_puts(c, x->out, "\n");
    paragraph(x, ctx_printf(c, "In %s, for %s:", fn, p->name));
    for (const char *l = body + 1; l < end; l = strchr(l, '\n') + 1) {
        char *line = ctx_strndup(c, l, strcspn(l, "\n"));
        if (strstr(line, "/*") == NULL && line[strspn(line, " ")] != '*' && names_param(line, p->name))
            buf_printf(c, x->out, "%s\n", line);
    }
    return 1;
}

/* Reports that name is none, with the near miss or some examples; returns 1. */
static int unknown(Explainer *x, const char *name)
{
    const char **words = ctx_array(x->c, (size_t)(x->nnames + x->net->nparams) + 1, sizeof *words);
    int n = 0;
    for (int i = 0; i < x->nnames; i++)
        words[n++] = x->names[i].name;
    for (int i = 0; i < x->net->nparams; i++)
        words[n++] = x->net->params[i].name;
    const char *near = near_miss(name, words);
    /* D_L_D_W1 is d_L_d_w1 however far apart the two are in edits. */
    for (int i = 0; i < n && near == NULL; i++) {
        size_t k = 0;
        while (name[k] != '\0' && (name[k] | 0x20) == (words[i][k] | 0x20))
            k++;
        if (name[k] == '\0' && words[i][k] == '\0')
            near = words[i];
    }
    char as_shown[NNRT__SHOWN_NAME];
    fprintf(x->c->err, "nnc: error: '%s' is not a name in the generated code of network '%s'",
            nnrt__shown_name(as_shown, name), x->net->spec->name);
    if (near != NULL) {
        fprintf(x->c->err, "; did you mean '%s'?\n", near);
        return 1;
    }
    Param *p = &x->net->params[0];
    Neuron *u = &x->net->neurons[p->neuron];
    const char *ex[] = {
        ctx_printf(x->c, "d_L_d_%s", p->name),
        ctx_printf(x->c, "d_%s_d_%s", u->pname, p->name),
        ctx_printf(x->c, "sum_%s", u->name),
    };
    fprintf(x->c->err, " (names look like ");
    int shown = 0;
    for (int i = 0; i < 3; i++) {
        if (find_name(x, ex[i], strlen(ex[i])) >= 0)
            fprintf(x->c->err, "%s%s", shown++ ? ", " : "", ex[i]);
    }
    fprintf(x->c->err, ")\n");
    return 1;
}

/*
 * Marks name id and everything it reads, and they read, in the order
 * found (breadth first) into x->order; the feedforward's values are marked
 * but not followed unless id is one of them.
 */
static void find_closure(Explainer *x, int id)
{
    int *deps = ctx_array(x->c, (size_t)x->nnames, sizeof *deps);
    int in_ff = x->names[id].def < x->ff_end;
    x->order = ctx_array(x->c, (size_t)x->nnames, sizeof *x->order);
    x->norder = 0;
    x->order[x->norder++] = id;
    x->names[id].mark = 1;
    for (int q = 0; q < x->norder; q++) {
        int n = deps_of(x, x->order[q], deps, x->nnames);
        for (int k = 0; k < n; k++) {
            Name *d = &x->names[deps[k]];
            if (d->mark)
                continue;
            d->mark = 1;
            if (in_ff || d->def >= x->ff_end)
                x->order[x->norder++] = deps[k];
        }
    }
}

/* "By the chain rule: dL/dw1 = ...", or "As a formula:" when it multiplies no partials. */
static void write_formula(Explainer *x, int id, const int *direct, int ndirect)
{
    Line *def = &x->lines[x->names[id].def];
    if (def->next >= 0)
        return; /* assigned again later (max_sum_o): the code says it best */
    int chain = 0;
    for (int k = 0; k < ndirect; k++)
        chain |= is_partial(x, direct[k]);
    const char *lhs = symbol(x, def->name), *own = own_formula(x, def);
    char *math = to_math(x, def->rhs);
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
            int n = (int)strlen(symbol(x, x->names[factor[k]].name));
            w = n > w ? n : w;
        }
        for (int k = 0; k < nfactor && k < MAX_FACTORS; k++) {
            Line *l = &x->lines[x->names[factor[k]].def];
            char *f = own_formula(x, l);
            math_line(x, symbol(x, l->name), w, f != NULL ? f : to_math(x, l->rhs));
        }
        if (nfactor > MAX_FACTORS)
            buf_printf(c, x->out, "    ... and %d more, all in the code below\n",
                       nfactor - MAX_FACTORS);
        buf_puts(c, x->out, "\n");
    }
    if (nfprime == 0)
        return nfactor < MAX_FACTORS ? nfactor : MAX_FACTORS;

    char **acts = ctx_array(c, (size_t)nfprime, sizeof *acts);
    int nacts = 0, w = 0;
    for (int k = 0; k < nfprime; k++) {
        char *b;
        split_partial(c, x->names[fprime[k]].name, NULL, &b);
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
        Line *l = &x->lines[x->names[fprime[k]].def];
        char *b, *f = own_formula(x, l);
        split_partial(c, l->name, NULL, &b);
        char *fl = ctx_printf(c, "f'(%s)", b);
        if (f == NULL)
            f = to_math(x, l->rhs);
        else if (strncmp(f, fl, strlen(fl)) == 0 && strncmp(f + strlen(fl), " = ", 3) == 0)
            f += strlen(fl) + 3; /* f'(sum_h1) = h1 * (1 - h1), not f'(sum_h1) = f'(sum_h1) = ... */
        math_line(x, fl, w, f);
    }
    buf_puts(c, x->out, "\n");
    return nfactor < MAX_FACTORS ? nfactor : MAX_FACTORS;
}

/*
 * The notes of name id and its factors: why dL/dh1 is a sum of paths
 * (once, naming the other such partials after it), then the comments
 * over groups of lines that hold a formula (cross-entropy through softmax).
 */
static void write_notes(Explainer *x, int id, const int *factor, int nfactor)
{
    Ctx *c = x->c;
    char **notes = ctx_array(c, (size_t)nfactor + 2, sizeof *notes);
    char **sums = ctx_array(c, (size_t)nfactor + 1, sizeof *sums);
    int nnotes = 1, nsums = 0;
    for (int k = -1; k < nfactor; k++) {
        Line *l = &x->lines[x->names[k < 0 ? id : factor[k]].def];
        char *a, *b;
        Neuron *u;
        if (split_partial(c, l->name, &a, &b) && strcmp(a, "L") == 0 &&
            (u = neuron_named(x, b)) != NULL && u->nfeeds >= 2 && strstr(l->rhs, " + ") != NULL) {
            if (nsums++ > 0) {
                sums[nsums - 2] = (char *)symbol(x, l->name);
                continue;
            }
            int first = x->net->layer_first[u->layer + 1];
            char **fed = ctx_array(c, (size_t)u->nfeeds, sizeof *fed);
            for (int i = 0; i < u->nfeeds; i++)
                fed[i] = x->net->neurons[first + i].name;
            notes[0] = ctx_printf(c, "%s feeds %s, so dL/d%s adds up the paths through each of "
                                     "them.", b, and_list(x, fed, u->nfeeds, 4), b);
            continue;
        }
        if (l->note == NULL || own_formula(x, l) != NULL || strstr(l->note, " = ") == NULL)
            continue;
        int seen = 0;
        for (int i = 1; i < nnotes; i++)
            seen |= strcmp(notes[i], l->note) == 0;
        if (!seen)
            notes[nnotes++] = l->note;
    }
    if (nsums > 1)
        notes[0] = ctx_printf(c, "%s So do %s.", notes[0], and_list(x, sums, nsums - 1, 6));
    for (int i = notes[0] == NULL; i < nnotes; i++) {
        size_t n = strlen(notes[i]);
        paragraph(x, n > 0 && notes[i][n - 1] != '.' ? ctx_printf(c, "%s.", notes[i]) : notes[i]);
    }
}

/* The statements of the closure, in the order they run, after a line that names what they read. */
static void write_code(Explainer *x, int id)
{
    Ctx *c = x->c;
    int in_ff = x->names[id].def < x->ff_end, ncode = 0, nff = 0;
    char **ff = ctx_array(c, (size_t)x->ff_end + 1, sizeof *ff);
    for (int i = 0; i < x->nlines; i++) {
        int d = x->lines[i].name_id;
        if (d < 0 || !x->names[d].mark)
            continue;
        if (in_ff || i >= x->ff_end)
            ncode++;
        else if (x->names[d].def == i)
            ff[nff++] = x->names[d].name;
    }
    char *intro = ctx_printf(c, "In %s, %s", x->fn, ncode == 1 ? "this line computes it"
                                                    : "these lines compute it, in this order");
    if (nff > 0)
        intro = ctx_printf(c, "%s (%s %s from the feedforward before %s)", intro,
                           and_list(x, ff, nff, 6), nff == 1 ? "comes" : "come",
                           ncode == 1 ? "it" : "them");
    paragraph(x, ctx_printf(c, "%s:", intro));
    for (int i = 0; i < x->nlines; i++) {
        Line *l = &x->lines[i];
        if (l->name_id >= 0 && x->names[l->name_id].mark && (in_ff || i >= x->ff_end))
            buf_printf(c, x->out, "%s\n", l->code);
    }
}

int explain(Ctx *c, Net *net, const char *name, Buf *out)
{
    Explainer ex = {0}, *x = &ex;
    x->c = c;
    x->net = net;
    x->out = out;
    x->fn = ctx_printf(c, "%s_train_sample", net->spec->name);

    /*
     * The unrolled C, without #line directives: read in double precision,
     * whose math has no float suffixes (expf, 1.0f), but shown as the
     * user's file has it.
     */
    Buf file = {0}, shown = {0};
    Unroll unroll = c->unroll;
    int line_directives = c->line_directives;
    c->unroll = UNROLL_ALWAYS;
    c->line_directives = 0;
    int single = net->spec->single;
    net->spec->single = 0;
    emit_c(c, model_build(c, net), &file);
    net->spec->single = single;
    if (single)
        emit_c(c, model_build(c, net), &shown);
    c->unroll = unroll;
    c->line_directives = line_directives;
    if (read_body(x, file.s) != 0)
        bug("no %s in the generated code", x->fn);
    if (single) {
        Explainer as_shown = *x;
        if (read_body(&as_shown, shown.s) != 0 || as_shown.nlines != x->nlines)
            bug("the float form of %s has other statements", x->fn);
        for (int i = 0; i < x->nlines; i++)
            x->lines[i].code = as_shown.lines[i].code;
    }

    if (is_compact(c, net))
        paragraph(x, ctx_printf(c, "Network '%s' has %d weights, so nnc writes its C in the compact form: "
                                   "loops over nn->w[] and nn->b[] (w1 is nn->w[0], b1 is nn->b[0]), "
                                   "with these partials in the comments. This explains the unrolled "
                                   "form, which nnc --unroll always writes.",
                                net->spec->name, net->nweights));
    int id = find_name(x, name, strlen(name));
    if (id < 0) {
        Param *p = param_named(x, name);
        if (p != NULL)
            explain_param(x, p);
        else if (!explain_argument(x, name) && !explain_state(x, name, single ? shown.s : file.s))
            return unknown(x, name);
        return 0;
    }
    paragraph(x, headline(x, name));
    find_closure(x, id);
    int *direct = ctx_array(c, (size_t)x->nnames, sizeof *direct);
    int ndirect = deps_of(x, id, direct, x->nnames);
    write_formula(x, id, direct, ndirect);
    int *factor;
    int nfactor = write_factors(x, direct, ndirect, &factor);
    write_notes(x, id, factor, nfactor);
    write_code(x, id);
    return 0;
}
