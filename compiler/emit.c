/*
 * emit.c: the C text of a network, written as the tutorial writes it.
 *
 * The training function is the tutorial's loop body: a feedforward that
 * keeps every sum and activation, the partial derivatives neuron by neuron
 * from the output back (d_L_d_ypred, d_ypred_d_w5, d_ypred_d_h1,
 * d_h1_d_w1, ...), the chain rule once per parameter (d_L_d_w1 =
 * d_L_d_ypred * d_ypred_d_h1 * d_h1_d_w1), and the updates.
 *
 * Two rules keep it readable beyond the tutorial's shape:
 *
 *  - A neuron that feeds several others gets its own backpropagated
 *    partial, d_L_d_h1 = d_L_d_o1 * d_o1_d_h1 + d_L_d_o2 * d_o2_d_h1,
 *    instead of a product for every path; a neuron that feeds one other
 *    (the tutorial's h1 feeding o1) is chained through it inline.
 *
 *  - Where the loss and the output activation simplify together (softmax
 *    with cross-entropy, sigmoid with binary cross-entropy), the output
 *    neuron's partial is taken with respect to its sum, d_L_d_sum_o1 =
 *    o1 - y_true, and its parameters' partials follow from that.
 *
 * An activation's derivative is computed from values already at hand
 * (f'(sum_h1) = h1 * (1 - h1) for the sigmoid), never by calling exp again.
 */
#include <stdlib.h>
#include <string.h>

#include "nnc.h"
#include "nnrt.h"

typedef struct {
    Ctx *c;
    Net *net;
    Spec *s;
    Buf *out;
    const char *name; /* the network's name, prefixing every global */
    int compact;      /* layers as loops over arrays, not neuron by neuron */
    int single;       /* float instead of double (precision float) */
    int header;       /* declarations for --header, which C++ may include too */
} Emitter;

#define W(...) buf_printf(e->c, e->out, __VA_ARGS__)

static char *num(Emitter *e, double v)
{
    char buf[NNRT_DOUBLE_BUFSIZE];
    return ctx_strdup(e->c, nnrt_format_double(buf, v));
}

/* ---- Names and small expressions ----------------------------------------- */

static Neuron *neuron(Emitter *e, int id)
{
    return &e->net->neurons[id];
}

static const char *pname_of(Emitter *e, int param)
{
    return e->net->params[param].name;
}

/* The j-th input of u, as an expression: x[j] or the neuron's name. */
static const char *input_of(Emitter *e, Neuron *u, int j)
{
    if (u->first_input < 0)
        return ctx_printf(e->c, "x[%d]", j);
    return neuron(e, u->first_input + j)->name;
}

static int is_output(Emitter *e, Neuron *u)
{
    return u->layer == e->s->nlayers - 1;
}

/*
 * Is u an output neuron whose partial is taken with respect to its sum?
 * Yes for a softmax output (its activation mixes all the sums) and for a
 * sigmoid output under binary cross-entropy.
 */
static int sum_form(Emitter *e, Neuron *u)
{
    if (!is_output(e, u))
        return 0;
    return u->act == ACT_SOFTMAX || e->s->loss == LOSS_BCE;
}

/* Does the training code name y_pred, as the tutorial does for one output? */
static int names_ypred(Emitter *e)
{
    return e->net->noutputs == 1 && !sum_form(e, neuron(e, e->net->nneurons - 1));
}

/* f'(sum_u), from values at hand, and its formula for a comment. */
static const char *deriv(Emitter *e, Neuron *u, const char **formula)
{
    const char *n = u->name;
    switch (u->act) {
    case ACT_SIGMOID:
        *formula = ctx_printf(e->c, "f'(sum_%s) = %s * (1 - %s)", n, n, n);
        return ctx_printf(e->c, "%s * (1 - %s)", n, n);
    case ACT_TANH:
        *formula = ctx_printf(e->c, "tanh'(sum_%s) = 1 - %s^2", n, n);
        return ctx_printf(e->c, "1 - %s * %s", n, n);
    case ACT_RELU:
        *formula = ctx_printf(e->c, "relu'(sum_%s) = 1 if sum_%s > 0, else 0", n, n);
        return ctx_printf(e->c, "sum_%s > 0 ? 1.0\x03 : 0.0\x03", n);
    case ACT_LEAKY_RELU:
        *formula = ctx_printf(e->c, "leaky_relu'(sum_%s) = 1 if sum_%s > 0, else 0.01", n, n);
        return ctx_printf(e->c, "sum_%s > 0 ? 1.0\x03 : 0.01\x03", n);
    case ACT_LINEAR:
        *formula = ctx_printf(e->c, "linear'(sum_%s) = 1", n);
        return "1.0\x03";
    case ACT_SOFTMAX:
        break;
    }
    bug("no derivative for activation %d", u->act);
}

/* The runtime function that applies act, or NULL for linear (none). */
static const char *act_fn(Act act)
{
    switch (act) {
    case ACT_SIGMOID:
        return "nnrt_sigmoid\x03";
    case ACT_TANH:
        return "nnrt_tanh\x03";
    case ACT_RELU:
        return "nnrt_relu\x03";
    case ACT_LEAKY_RELU:
        return "nnrt_leaky_relu\x03";
    case ACT_LINEAR:
        return NULL;
    case ACT_SOFTMAX:
        break;
    }
    bug("activation %d is not per neuron", act);
}

/*
 * partial L / partial u, as a product to multiply u's own partials by:
 * d_L_d_ypred for the one output, d_L_d_o2 for one of several, d_L_d_h1
 * for a neuron that feeds several others, and for a neuron that feeds just
 * one other (the tutorial's h1), that one's factor chained through it.
 */
static const char *upstream(Emitter *e, Neuron *u)
{
    if (is_output(e, u))
        return ctx_printf(e->c, "d_L_d_%s", u->pname);
    if (u->nfeeds >= 2)
        return ctx_printf(e->c, "d_L_d_%s", u->name);
    Neuron *m = neuron(e, e->net->layer_first[u->layer + 1]);
    int j = (int)(u - e->net->neurons) - e->net->layer_first[u->layer]; /* u is m's j-th input */
    if (sum_form(e, m))
        return ctx_printf(e->c, "d_L_d_sum_%s * nn->%s", m->name, pname_of(e, m->weight[j]));
    return ctx_printf(e->c, "%s * d_%s_d_%s", upstream(e, m), m->pname, u->name);
}

/* ---- Writing lines ---------------------------------------------------------- */

/*
 * s as the inside of a C string literal: '"' and '\\' escaped, bytes
 * outside printable ASCII in octal, and "??" as "?\\?", which no trigraph
 * can take.
 */
static const char *c_string_text(Ctx *c, const char *s)
{
    Buf b = {0};
    for (const char *p = s; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch == '"' || ch == '\\' || (ch == '?' && p[1] == '?'))
            buf_printf(c, &b, ch == '?' ? "?\\" : "\\%c", ch);
        else if (ch < 0x20 || ch >= 0x7f)
            buf_printf(c, &b, "\\%03o", ch);
        else
            buf_printf(c, &b, "%c", ch);
    }
    return b.s != NULL ? b.s : "";
}

const char *comment_text(Ctx *c, const char *path)
{
    Buf b = {0};
    for (const char *p = path; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        buf_printf(c, &b, "%c%s", ch < 0x20 || ch == 0x7f ? '?' : ch, ch == '*' && p[1] == '/' ? " " : "");
    }
    return b.s != NULL ? b.s : "";
}

/* Starts (line > 0) or ends (0) a block of C that comes from line `line` of the spec. */
static void mark(Emitter *e, int line)
{
    W("%c%d\n", MARK, line);
}

void finish_marks(Ctx *c, Buf *text, int single)
{
    Buf out = {0};
    int spec_line = 0, out_line = 1, in_comment = 0;
    for (const char *p = text->s; p != NULL && *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) + 1 : strlen(p);
        /* The generated comments open a line with "/" "*" and close one with "*" "/". */
        size_t lead = strspn(p, " "), end = n - (nl != NULL);
        int opens = end >= lead + 2 && p[lead] == '/' && p[lead + 1] == '*';
        int closes = end >= lead + 2 && p[end - 2] == '*' && p[end - 1] == '/';
        int was_in_comment = in_comment;
        if (*p != MARK)
            in_comment = (in_comment || opens) && !closes;
        if (*p == MARK) {
            int line = atoi(p + 1);
            if (c->line_directives && line == 0 && spec_line > 0) {
                /* Back to the C file: the line after this directive. */
                buf_printf(c, &out, "#line %d \"%s\"\n", out_line + 1, c_string_text(c, c->out_name));
                out_line++;
            }
            spec_line = line;
        } else {
            if (c->line_directives && spec_line > 0 && !(n == 1 && *p == '\n') && !was_in_comment) {
                buf_printf(c, &out, "#line %d \"%s\"\n", spec_line, c_string_text(c, c->file));
                out_line++;
            }
            /* The type, suffix and cast marks of the precision (the scan stays in the line). */
            for (size_t k = 0; k < n;) {
                size_t run = 0;
                while (k + run < n && p[k + run] != '\002' && p[k + run] != '\003' && p[k + run] != '\004')
                    run++;
                buf_printf(c, &out, "%.*s", (int)run, p + k);
                k += run;
                if (k < n) {
                    char m = p[k++];
                    buf_puts(c, &out, m == 2 ? (single ? "float" : "double")
                                    : m == 3 ? (single ? "f" : "")
                                             : (single ? "(float)" : ""));
                }
            }
            out_line++;
        }
        p += n;
    }
    buf_free(c, text);
    *text = out;
}

/*
 * Writes "<head><term0> + <term1> + ...;" wrapping before 100 columns,
 * continuation lines indented by 8 more than indent.
 */
/* The printed width of s: a precision mark counts as the widest text it becomes. */
static int width(const char *s)
{
    int w = 0;
    for (; *s; s++)
        w += *s == '\002' ? 6 : *s == '\003' ? 1 : *s == '\004' ? 7 : 1;
    return w;
}

static void sum_line(Emitter *e, int indent, const char *head, const char **terms, int n,
                     const char *sep)
{
    int col = indent + width(head);
    W("%*s%s", indent, "", head);
    for (int i = 0; i < n; i++) {
        int len = width(terms[i]) + (i > 0 ? (int)strlen(sep) : 0);
        /* Room for the term and, unless it is the last, the separator that ends the line. */
        if (i > 0 && col + len + (i + 1 < n ? (int)strlen(sep) - 1 : 1) > 100) {
            /* The separator (less its trailing blank) ends the line; the term starts the next. */
            W("%.*s\n%*s%s", (int)strlen(sep) - 1, sep, indent + 8, "", terms[i]);
            col = indent + 8 + width(terms[i]);
            continue;
        }
        W("%s%s", i > 0 ? sep : "", terms[i]);
        col += len;
    }
    W(";\n");
}

/* "nn->w1 * x[0] + nn->w2 * x[1] + nn->b1" as terms. */
static const char **sum_terms(Emitter *e, Neuron *u, int *n)
{
    const char **t = ctx_array(e->c, (size_t)u->ninputs + 1, sizeof *t);
    for (int j = 0; j < u->ninputs; j++)
        t[j] = ctx_printf(e->c, "nn->%s * %s", pname_of(e, u->weight[j]), input_of(e, u, j));
    t[u->ninputs] = ctx_printf(e->c, "nn->%s", pname_of(e, u->bias));
    *n = u->ninputs + 1;
    return t;
}

/* ---- The file's parts ------------------------------------------------------- */

/*
 * The signature of the network's function fn (feedforward, loss,
 * train_sample, train_epoch, backprop), wrapped before 100 columns, then end
 * ("\n{\n" for a definition, ";\n\n" for a declaration).
 */
static void signature(Emitter *e, const char *fn, const char *end)
{
    const char *n = e->name;
    int ni = e->s->ninputs, no = e->net->noutputs;
    /*
     * restrict: the arrays never overlap the parameters, which lets the C
     * compiler keep values in registers and vectorise the compact form's
     * loops at -O2.  The header's declarations leave it out: it means
     * nothing in a declaration, and C++ has no restrict.
     */
    const char *r = e->header ? "" : "restrict ", *ptr = e->header ? "*" : "*restrict ";
    const char *p[5] = {NULL, NULL, NULL, NULL, NULL};
    const char *x = ctx_printf(e->c, "const \x02 x[%s%d]", r, ni);
    const char *y = ctx_printf(e->c, "const \x02 y_true[%s%d]", r, no);
    const char *ret = "void";
    if (strcmp(fn, "feedforward") == 0) {
        p[0] = ctx_printf(e->c, "const struct %s %snn", n, ptr), p[1] = x;
        p[2] = ctx_printf(e->c, "\x02 y_pred[%s%d]", r, no), p[3] = NULL;
    } else if (strcmp(fn, "loss") == 0) {
        ret = "double";
        p[0] = ctx_printf(e->c, "const struct %s %snn", n, ptr), p[1] = x, p[2] = y, p[3] = NULL;
    } else if (strcmp(fn, "train_sample") == 0) {
        p[0] = ctx_printf(e->c, "struct %s %snn", n, ptr), p[1] = x, p[2] = y, p[3] = "\x02 learn_rate";
    } else if (strcmp(fn, "train_epoch") == 0) {
        p[0] = ctx_printf(e->c, "struct %s %snn", n, ptr);
        p[1] = ctx_printf(e->c, "const \x02 %srows", ptr), p[2] = ctx_printf(e->c, "const int %sorder", ptr);
        p[3] = "int n", p[4] = "\x02 learn_rate";
    } else {
        p[0] = ctx_printf(e->c, "const struct %s %snn", n, ptr), p[1] = x, p[2] = y;
        p[3] = ctx_printf(e->c, "struct %s %ssum_d_L_d", n, ptr);
    }
    const char *head = ctx_printf(e->c, "%s %s_%s(", ret, n, fn);
    int col = width(head);
    W("%s", head);
    for (int i = 0; i < 5 && p[i] != NULL; i++) {
        if (i > 0 && col + 2 + width(p[i]) + 1 > 100) {
            W(",\n    ");
            col = 4;
        } else if (i > 0) {
            W(", ");
            col += 2;
        }
        W("%s", p[i]);
        col += width(p[i]);
    }
    W(")%s", end);
}

static void describe_network(Emitter *e, const char *lead)
{
    Spec *s = e->s;
    Net *net = e->net;
    W("%sA neural network with:\n", lead);
    W("%s  - %d input%s", lead, s->ninputs, s->ninputs == 1 ? "" : "s");
    if (s->input_names != NULL) {
        W(" (");
        for (int i = 0; i < s->ninputs && i < 8; i++)
            W("%s%s", i ? ", " : "", s->input_names[i]);
        W("%s)", s->ninputs > 8 ? ", ..." : "");
    }
    W("\n");
    for (int l = 0; l < s->nlayers; l++) {
        int first = net->layer_first[l], size = s->layers[l].size;
        const char *a = neuron(e, first)->name, *z = neuron(e, first + size - 1)->name;
        const char *what = l == s->nlayers - 1 ? "an output layer" : "a hidden layer";
        W("%s  - %s with %d neuron%s (", lead, what, size, size == 1 ? "" : "s");
        if (size == 1)
            W("%s", a);
        else if (size == 2)
            W("%s, %s", a, z);
        else
            W("%s .. %s", a, z);
        W("), %s\n", act_names[s->layers[l].act]);
    }
    static const char *const loss_desc[] = {
        "mean squared error", "binary cross-entropy", "cross-entropy",
    };
    W("%s  - loss: %s\n", lead, loss_desc[s->loss]);
    static const char *const opt_desc[] = {"stochastic gradient descent", "SGD with momentum", "Adam"};
    W("%s  - training: %s%s", lead, opt_desc[s->optimizer], s->nesterov ? " (Nesterov)" : "");
    if (s->batch > 1)
        W(", batches of %ld", s->batch);
    if (s->shuffle)
        W(", shuffled");
    if (s->weight_decay > 0)
        W(", weight decay %s", num(e, s->weight_decay));
    W("\n");
    if (s->init != INIT_NORMAL || s->normalize || s->single)
        W("%s  -%s%s%s%s%s\n", lead, s->init != INIT_NORMAL ? " initial weights: " : "",
          s->init != INIT_NORMAL ? init_names[s->init] : "", s->normalize ? (s->init != INIT_NORMAL ? "; inputs normalized" : " inputs normalized") : "",
          s->single ? ((s->init != INIT_NORMAL || s->normalize) ? "; " : " ") : "", s->single ? "single precision (float)" : "");
    if (e->compact)
        W("%s  - written as loops over the weight arrays (%d weights)\n", lead, e->net->nweights);
}

static void emit_struct(Emitter *e)
{
    Net *net = e->net;
    W("/* The network's weights and biases, like the tutorial's self.w1 .. self.b%d. */\n",
      net->nneurons);
    W("struct %s {\n", e->name);
    for (int kind = 0; kind < 2; kind++) {
        W("    /* %s */\n", kind == 0 ? "Weights" : "Biases");
        /* One line a neuron, wrapped. */
        for (int id = 0; id < net->nneurons; id++) {
            Neuron *u = neuron(e, id);
            int n = kind == 0 ? u->ninputs : 1;
            const char **t = ctx_array(e->c, (size_t)n, sizeof *t);
            for (int j = 0; j < n; j++)
                t[j] = pname_of(e, kind == 0 ? u->weight[j] : u->bias);
            if (kind == 1) {
                W("    \x02 %s; /* %s */\n", t[0], u->name);
                continue;
            }
            W("    /* into %s */\n", u->name);
            sum_line(e, 4, "\x02 ", t, n, ", ");
        }
    }
    W("};\n\n");
}

/* The softmax of the output layer's sums, kept from overflowing by the largest. */
static void emit_softmax(Emitter *e, int first, int last)
{
    W("    /* Softmax: o_k = e^(sum_ok - m) / sum_j e^(sum_oj - m), m the largest sum */\n");
    W("    \x02 max_sum_o = sum_o1;\n");
    for (int id = first + 1; id < last; id++)
        W("    if (sum_%s > max_sum_o)\n        max_sum_o = sum_%s;\n", neuron(e, id)->name,
          neuron(e, id)->name);
    for (int id = first; id < last; id++)
        W("    \x02 exp_%s = exp\x03(sum_%s - max_sum_o);\n", neuron(e, id)->name, neuron(e, id)->name);
    const char **t = ctx_array(e->c, (size_t)(last - first), sizeof *t);
    for (int id = first; id < last; id++)
        t[id - first] = ctx_printf(e->c, "exp_%s", neuron(e, id)->name);
    sum_line(e, 4, "\x02 sum_exp = ", t, last - first, " + ");
    for (int id = first; id < last; id++)
        W("    \x02 %s = exp_%s / sum_exp;\n", neuron(e, id)->name, neuron(e, id)->name);
}

/*
 * The feedforward, as the tutorial's feedforward method: one line a neuron,
 * h1 = f(w1 * x[0] + w2 * x[1] + b1), without keeping the sums.
 */
static void emit_feedforward(Emitter *e)
{
    Spec *s = e->s;
    Net *net = e->net;
    int ni = s->ninputs, no = net->noutputs;
    W("/*\n * The feedforward: x holds the %d input%s", ni, ni == 1 ? "" : "s");
    if (s->input_names != NULL) {
        int col = 40;
        W(" (");
        for (int i = 0; i < ni && i < 8; i++) {
            const char *part = ctx_printf(e->c, "%sx[%d] is %s", i ? ", " : "", i, s->input_names[i]);
            if (col + (int)strlen(part) > 90) {
                W(i ? ",\n * " : "\n * ");
                part += i ? 2 : 0;
                col = 3;
            }
            W("%s", part);
            col += (int)strlen(part);
        }
        W("%s)", ni > 8 ? ", ..." : "");
    }
    W(";\n * y_pred receives the %s.\n */\n", no == 1 ? "output" : "outputs");
    signature(e, "feedforward", "\n{\n");
    for (int l = 0; l < s->nlayers; l++) {
        int first = net->layer_first[l], last = net->layer_first[l + 1];
        for (int id = first; id < last; id++) {
            Neuron *u = neuron(e, id);
            int n;
            const char **t = sum_terms(e, u, &n);
            const char *fn = act_fn(u->act == ACT_SOFTMAX ? ACT_LINEAR : u->act);
            const char *head;
            if (u->act == ACT_SOFTMAX)
                head = ctx_printf(e->c, "\x02 sum_%s = ", u->name);
            else if (fn == NULL)
                head = ctx_printf(e->c, "\x02 %s = ", u->name);
            else
                head = ctx_printf(e->c, "\x02 %s = %s(", u->name, fn);
            if (fn != NULL)
                t[n - 1] = ctx_printf(e->c, "%s)", t[n - 1]);
            sum_line(e, 4, head, t, n, " + ");
        }
        if (s->layers[l].act == ACT_SOFTMAX)
            emit_softmax(e, first, last);
    }
    W("\n");
    for (int k = 0; k < no; k++)
        W("    y_pred[%d] = o%d;\n", k, k + 1);
    W("}\n\n");
}

static void emit_loss(Emitter *e)
{
    int no = e->net->noutputs;
    static const char *const fn[] = {"nnrt_mse", "nnrt_binary_cross_entropy", "nnrt_cross_entropy"};
    static const char *const what[] = {
        "the mean squared error of its prediction",
        "the binary cross-entropy of its prediction",
        "the cross-entropy of its prediction",
    };
    W("/* The loss of one sample: %s. */\n", what[e->s->loss]);
    signature(e, "loss", "\n{\n");
    W("    \x02 y_pred[%d];\n", no);
    if (e->single) {
        /* The runtime's losses take doubles. */
        W("    double p[%d], t[%d];\n\n", no, no);
        W("    %s_feedforward(nn, x, y_pred);\n", e->name);
        W("    for (int k = 0; k < %d; k++) {\n        p[k] = y_pred[k];\n        t[k] = y_true[k];\n    }\n", no);
        W("    return %s(t, p, %d);\n}\n\n", fn[e->s->loss], no);
        return;
    }
    W("\n    %s_feedforward(nn, x, y_pred);\n", e->name);
    W("    return %s(y_true, y_pred, %d);\n}\n\n", fn[e->s->loss], no);
}

/* The training feedforward: every sum and activation kept, as the tutorial does. */
static void emit_forward_pass(Emitter *e)
{
    Spec *s = e->s;
    Net *net = e->net;
    W("    /* --- Do a feedforward (we'll need these values later) */\n");
    for (int l = 0; l < s->nlayers; l++) {
        int first = net->layer_first[l], last = net->layer_first[l + 1];
        mark(e, s->layers[l].line);
        for (int id = first; id < last; id++) {
            Neuron *u = neuron(e, id);
            int n;
            const char **t = sum_terms(e, u, &n);
            sum_line(e, 4, ctx_printf(e->c, "\x02 sum_%s = ", u->name), t, n, " + ");
            if (u->act == ACT_SOFTMAX)
                continue;
            const char *fn = act_fn(u->act);
            if (fn != NULL)
                W("    \x02 %s = %s(sum_%s);\n", u->name, fn, u->name);
            else
                W("    \x02 %s = sum_%s;\n", u->name, u->name);
            if (id + 1 < net->nneurons)
                W("\n");
        }
        if (s->layers[l].act == ACT_SOFTMAX)
            emit_softmax(e, first, last);
        mark(e, 0);
    }
    if (names_ypred(e))
        W("    \x02 y_pred = o1;\n");
    W("\n");
}

static void emit_loss_partials_body(Emitter *e, int no, int first, Act act);

/* partial L / partial each output: the loss's derivative. */
static void emit_loss_partials(Emitter *e)
{
    Spec *s = e->s;
    Net *net = e->net;
    int no = net->noutputs, first = net->layer_first[s->nlayers - 1];
    Act act = s->layers[s->nlayers - 1].act;

    W("    /* --- Calculate partial derivatives. */\n");
    W("    /* --- Naming: d_L_d_w1 represents \"partial L / partial w1\" */\n");
    mark(e, s->loss_line);
    emit_loss_partials_body(e, no, first, act);
    mark(e, 0);
}

static void emit_loss_partials_body(Emitter *e, int no, int first, Act act)
{
    Spec *s = e->s;
    if (s->loss == LOSS_CE) {
        W("    /*\n");
        W("     * Cross-entropy through softmax: partial L / partial sum_ok = o_k - y_true_k,\n");
        W("     * the well-known simplification of\n");
        W("     * sum_j (partial L / partial o_j) (partial o_j / partial sum_ok).\n");
        W("     */\n");
        for (int k = 0; k < no; k++)
            W("    \x02 d_L_d_sum_o%d = o%d - y_true[%d];\n", k + 1, k + 1, k);
        W("\n");
        return;
    }
    if (s->loss == LOSS_BCE) {
        W("    /*\n");
        W("     * Binary cross-entropy through the sigmoid: partial L / partial sum_ok =\n");
        W("     * (o_k - y_true_k) / K%s, the simplification of\n", no == 1 ? " with K = 1" : "");
        W("     * (partial L / partial o_k) * o_k * (1 - o_k).\n");
        W("     */\n");
        for (int k = 0; k < no; k++) {
            if (no == 1)
                W("    \x02 d_L_d_sum_o1 = o1 - y_true[0];\n");
            else
                W("    \x02 d_L_d_sum_o%d = (o%d - y_true[%d]) / %d;\n", k + 1, k + 1, k, no);
        }
        W("\n");
        return;
    }
    /* Mean squared error. */
    if (no == 1) {
        W("    /* partial L / partial y_pred = -2 * (y_true - y_pred) */\n");
        W("    \x02 d_L_d_ypred = -2 * (y_true[0] - y_pred);\n\n");
        return;
    }
    W("    /* partial L / partial o_k = -2 * (y_true_k - o_k) / %d */\n", no);
    for (int k = 0; k < no; k++)
        W("    \x02 d_L_d_o%d = -2 * (y_true[%d] - o%d) / %d;\n", k + 1, k, k + 1, no);
    if (act == ACT_SOFTMAX) {
        W("    /* Softmax: partial L / partial sum_ok = o_k * (d_L_d_o_k - sum_j d_L_d_o_j * o_j) */\n");
        const char **t = ctx_array(e->c, (size_t)no, sizeof *t);
        for (int k = 0; k < no; k++)
            t[k] = ctx_printf(e->c, "d_L_d_o%d * o%d", k + 1, k + 1);
        sum_line(e, 4, "\x02 d_L_d_o_dot_o = ", t, no, " + ");
        for (int k = 0; k < no; k++)
            W("    \x02 d_L_d_sum_%s = %s * (d_L_d_%s - d_L_d_o_dot_o);\n", neuron(e, first + k)->name,
              neuron(e, first + k)->name, neuron(e, first + k)->name);
    }
    W("\n");
}

/* A neuron's own partials: with respect to its weights, its bias and its inputs. */
static void emit_neuron_partials(Emitter *e, Neuron *u)
{
    if (sum_form(e, u))
        return; /* its partials are d_L_d_sum_ok times an input: written in the chain rule */
    const char *formula;
    const char *d = deriv(e, u, &formula);
    const char *p = u->pname, *n = u->name;
    W("    /* Neuron %s */\n", n);
    W("    /* partial %s / partial sum_%s = %s */\n", is_output(e, u) && !strcmp(p, "ypred") ? "y_pred" : n,
      n, formula);
    W("    \x02 d_%s_d_sum_%s = %s;\n", p, n, d);
    const char *pn = !strcmp(p, "ypred") ? "y_pred" : p;
    for (int j = 0; j < u->ninputs; j++) {
        const char *w = pname_of(e, u->weight[j]), *in = input_of(e, u, j);
        W("    /* partial %s / partial %s = %s * f'(sum_%s) */\n", pn, w, in, n);
        W("    \x02 d_%s_d_%s = %s * d_%s_d_sum_%s;\n", p, w, in, p, n);
    }
    W("    /* partial %s / partial %s = f'(sum_%s) */\n", pn, pname_of(e, u->bias), n);
    W("    \x02 d_%s_d_%s = d_%s_d_sum_%s;\n", p, pname_of(e, u->bias), p, n);
    if (u->first_input < 0) {
        W("\n");
        return;
    }
    W("\n");
    for (int j = 0; j < u->ninputs; j++) {
        const char *w = pname_of(e, u->weight[j]), *in = input_of(e, u, j);
        W("    /* partial %s / partial %s = %s * f'(sum_%s) */\n", pn, in, w, n);
        W("    \x02 d_%s_d_%s = nn->%s * d_%s_d_sum_%s;\n", p, in, w, p, n);
    }
    W("\n");
}

/* d_L_d_h for each neuron of layer l that feeds several others. */
static void emit_backpropagated(Emitter *e, int l)
{
    Net *net = e->net;
    int first = net->layer_first[l], last = net->layer_first[l + 1];
    int nfirst = net->layer_first[l + 1], nlast = net->layer_first[l + 2];
    if (neuron(e, first)->nfeeds < 2)
        return;
    W("    /* partial L / partial each neuron of this layer, through every neuron it feeds */\n");
    for (int id = first; id < last; id++) {
        Neuron *h = neuron(e, id);
        const char **t = ctx_array(e->c, (size_t)(nlast - nfirst), sizeof *t);
        for (int m = nfirst; m < nlast; m++) {
            Neuron *u = neuron(e, m);
            if (sum_form(e, u))
                t[m - nfirst] = ctx_printf(e->c, "d_L_d_sum_%s * nn->%s", u->name,
                                           pname_of(e, u->weight[id - first]));
            else
                t[m - nfirst] = ctx_printf(e->c, "%s * d_%s_d_%s", upstream(e, u), u->pname, h->name);
        }
        sum_line(e, 4, ctx_printf(e->c, "\x02 d_L_d_%s = ", h->name), t, nlast - nfirst, " + ");
    }
    W("\n");
}

/* partial L / partial parameter, the chain rule written out. */
static const char *chain(Emitter *e, int param)
{
    Param *p = &e->net->params[param];
    Neuron *u = neuron(e, p->neuron);
    if (sum_form(e, u)) {
        if (p->input < 0)
            return ctx_printf(e->c, "d_L_d_sum_%s", u->name);
        return ctx_printf(e->c, "d_L_d_sum_%s * %s", u->name, input_of(e, u, p->input));
    }
    return ctx_printf(e->c, "%s * d_%s_d_%s", upstream(e, u), u->pname, p->name);
}

/*
 * The body that train_sample and backprop share: feedforward, partials and
 * the chain rule, leaving d_L_d_<param> for every parameter in locals.
 */
static void emit_gradient(Emitter *e)
{
    Spec *s = e->s;
    Net *net = e->net;
    emit_forward_pass(e);
    emit_loss_partials(e);
    for (int l = s->nlayers - 1; l >= 0; l--) {
        mark(e, s->layers[l].line);
        for (int id = net->layer_first[l]; id < net->layer_first[l + 1]; id++)
            emit_neuron_partials(e, neuron(e, id));
        mark(e, 0);
        if (l > 0) {
            mark(e, s->layers[l].line);
            emit_backpropagated(e, l - 1);
            mark(e, 0);
        }
    }
    W("    /* --- The chain rule: partial L / partial each weight and bias */\n");
    for (int id = 0; id < net->nneurons; id++) {
        Neuron *u = neuron(e, id);
        W("    /* Neuron %s */\n", u->name);
        mark(e, s->layers[u->layer].line);
        for (int j = 0; j <= u->ninputs; j++) {
            int param = j < u->ninputs ? u->weight[j] : u->bias;
            W("    \x02 d_L_d_%s = %s;\n", pname_of(e, param), chain(e, param));
        }
        mark(e, 0);
        W("\n");
    }
}

/* The parameters neuron by neuron, as the tutorial's updates are laid out. */
static void emit_per_param(Emitter *e, const char *fmt)
{
    Net *net = e->net;
    for (int id = 0; id < net->nneurons; id++) {
        Neuron *u = neuron(e, id);
        if (id > 0)
            W("\n");
        W("    /* Neuron %s */\n", u->name);
        for (int j = 0; j <= u->ninputs; j++) {
            const char *p = pname_of(e, j < u->ninputs ? u->weight[j] : u->bias);
            W(fmt, p, p);
        }
    }
}

static void emit_train_sample(Emitter *e)
{
    W("/*\n");
    W(" * One step of stochastic gradient descent on the sample (x, y_true), as the\n");
    W(" * tutorial's train loop takes it: feedforward, partial derivatives, updates.\n");
    W(" */\n");
    signature(e, "train_sample", "\n{\n");
    emit_gradient(e);
    W("    /* --- Update weights and biases */\n");
    emit_per_param(e, "    nn->%s -= learn_rate * d_L_d_%s;\n");
    W("}\n\n");
}

/*
 * NAME_train_epoch: NAME_train_sample on n rows of a data set, in a given
 * order.  A small unrolled network trains a local copy of the parameters,
 * which NNRT_FLATTEN (NAME_train_sample inlined into the loop) lets the C
 * compiler keep in registers from one sample to the next: the next
 * sample's sums start without waiting for the updates to go through
 * memory.  (Where that could change a bit, NNRT_EPOCH_LOCAL is 0 and p
 * is nn.)  Others train the struct in place (EPOCH_LOCAL_MAX_PARAMS).
 */
static void emit_train_epoch(Emitter *e)
{
    const char *n = e->name;
    int ni = e->s->ninputs, no = e->net->noutputs;
    int local = !e->compact && e->net->nparams <= EPOCH_LOCAL_MAX_PARAMS;
    W("/*\n");
    W(" * One epoch of stochastic gradient descent: %s_train_sample on n rows, each\n", n);
    W(" * %d input%s then %d target%s, row order[i] at step i (with order NULL, row i).\n", ni,
      ni == 1 ? "" : "s", no, no == 1 ? "" : "s");
    if (local) {
        W(" * The parameters stay in a local copy until the end, which the C compiler\n");
        W(" * keeps in registers from one sample to the next (where that changes no\n");
        W(" * bit: NNRT_EPOCH_LOCAL, nnrt.h).\n");
    }
    W(" */\n");
    if (local)
        W("NNRT_FLATTEN ");
    signature(e, "train_epoch", "\n{\n");
    if (local)
        W("    struct %s local = *nn, *p = NNRT_EPOCH_LOCAL ? &local : nn;\n\n", n);
    W("    for (int i = 0; i < n; i++) {\n");
    W("        int k = order != NULL ? order[i] : i;\n");
    W("        const \x02 *row = rows + (size_t)k * %d;\n\n", ni + no);
    W("        %s_train_sample(%s, row, row + %d, learn_rate);\n    }\n", n, local ? "p" : "nn", ni);
    if (local)
        W("    *nn = *p;\n");
    W("}\n\n");
}

static void emit_backprop(Emitter *e)
{
    W("/*\n");
    W(" * Backpropagation on one sample (x, y_true): the partials of %s_train_sample,\n", e->name);
    W(" * added to sum_d_L_d instead of applied, so that a caller can average them over\n");
    W(" * many samples (the gradient of the loss over a data set).\n");
    W(" */\n");
    signature(e, "backprop", "\n{\n");
    emit_gradient(e);
    W("    /* --- Add this sample's partials to the sums */\n");
    emit_per_param(e, "    sum_d_L_d->%s += d_L_d_%s;\n");
    W("}\n\n");
}

/* Writes template with every '@' replaced by param and every '#' by partial. */
static void emit_template(Emitter *e, const char *template, const char *param, const char *partial)
{
    for (const char *p = template; *p;) {
        size_t n = strcspn(p, "@#");
        W("%.*s%s", (int)n, p, p[n] == '@' ? param : p[n] == '#' ? partial : "");
        p += n + (p[n] != '\0');
    }
}

/* The prefixes of the optimizer's state, NULL-terminated: none for plain SGD. */
static const char *const *state_prefixes(Emitter *e)
{
    static const char *const none[] = {NULL};
    static const char *const momentum[] = {"velocity_", NULL};
    static const char *const adam[] = {"m_", "v_", NULL};
    return e->s->optimizer == OPT_ADAM ? adam : e->s->optimizer == OPT_MOMENTUM ? momentum : none;
}

/* The optimizer's state: velocity_w1 .., or m_w1 .. and v_w1 ..; none for plain SGD. */
static void emit_optimizer_state(Emitter *e)
{
    const char *const *pre = state_prefixes(e);
    if (pre[0] == NULL)
        return;
    if (e->s->optimizer == OPT_MOMENTUM)
        W("/* The optimizer's state: the velocity of each parameter. */\n");
    else
        W("/* The optimizer's state: the running averages of each parameter's partial (m_) and its square (v_). */\n");
    W("struct %s_optimizer {\n", e->name);
    for (int k = 0; pre[k] != NULL; k++) {
        if (e->compact) {
            W("    \x02 %sw[%d], %sb[%d];\n", pre[k], e->net->nweights, pre[k], e->net->nneurons);
            continue;
        }
        const char **t = ctx_array(e->c, (size_t)e->net->nparams, sizeof *t);
        for (int i = 0; i < e->net->nparams; i++)
            t[i] = ctx_printf(e->c, "%s%s", pre[k], pname_of(e, i));
        sum_line(e, 4, "\x02 ", t, e->net->nparams, ", ");
    }
    W("};\n\n");
}

/* The signature of NAME_update, without the final ";" or "{". */
static void emit_update_signature(Emitter *e)
{
    const char *n = e->name;
    if (e->s->optimizer == OPT_SGD)
        W("void %s_update(struct %s *nn, const struct %s *sum_d_L_d, int n,\n    const struct nnrt_hyper *h)",
          n, n, n);
    else
        W("void %s_update(struct %s *nn, struct %s_optimizer *state, const struct %s *sum_d_L_d, int n,\n"
          "    const struct nnrt_hyper *h%s)", n, n, n, n, e->s->optimizer == OPT_ADAM ? ", long step" : "");
}

/*
 * One update from the gradient of a batch: the optimizer written out
 * parameter by parameter (or as a loop over each array, in the compact
 * form), in PyTorch's arithmetic.
 */
static void emit_update(Emitter *e)
{
    Spec *s = e->s;
    W("/*\n");
    W(" * One update from the gradient of a batch of n samples: sum_d_L_d holds the\n");
    W(" * sums of their partials (%s_backprop). Weight decay adds to each mean partial\n", e->name);
    W(" * weight_decay * param, as PyTorch's weight_decay does.\n");
    if (s->optimizer == OPT_ADAM)
        W(" * step counts the updates so far, this one included.\n");
    W(" */\n");
    emit_update_signature(e);
    W("\n{\n");
    const char *fmt = NULL;
    switch (s->optimizer) {
    case OPT_SGD:
        W("    \x02 learn_rate = \x04h->learn_rate, weight_decay = \x04h->weight_decay;\n\n");
        W("    /* SGD: param -= learn_rate * d_L_d_param */\n");
        fmt = "nn->@ -= learn_rate * #;\n";
        break;
    case OPT_MOMENTUM:
        W("    \x02 learn_rate = \x04h->learn_rate, momentum = \x04h->momentum;\n    \x02 weight_decay = \x04h->weight_decay;\n\n");
        W("    /*\n");
        W("     * Momentum, as PyTorch's SGD with dampening 0:\n");
        W("     *   velocity_param = momentum * velocity_param + d_L_d_param\n");
        if (s->nesterov) {
            W("     *   param -= learn_rate * (d_L_d_param + momentum * velocity_param)   (Nesterov)\n");
            fmt = "state->velocity_@ = momentum * state->velocity_@ + #;\n"
                  "nn->@ -= learn_rate * (# + momentum * state->velocity_@);\n";
        } else {
            W("     *   param -= learn_rate * velocity_param\n");
            fmt = "state->velocity_@ = momentum * state->velocity_@ + #;\n"
                  "nn->@ -= learn_rate * state->velocity_@;\n";
        }
        W("     */\n");
        break;
    case OPT_ADAM:
        W("    \x02 learn_rate = \x04h->learn_rate, beta1 = \x04h->beta1, beta2 = \x04h->beta2;\n");
        W("    \x02 epsilon = \x04h->epsilon, weight_decay = \x04h->weight_decay;\n");
        W("    \x02 bias_correction1 = 1 - pow\x03(beta1, (\x02)step);\n");
        W("    \x02 bias_correction2_sqrt = sqrt\x03(1 - pow\x03(beta2, (\x02)step));\n");
        W("    \x02 step_size = learn_rate / bias_correction1;\n\n");
        W("    /*\n");
        W("     * Adam, as PyTorch's, at step t:\n");
        W("     *   m_param = beta1 * m_param + (1 - beta1) * d_L_d_param\n");
        W("     *   v_param = beta2 * v_param + (1 - beta2) * d_L_d_param^2\n");
        W("     *   param -= learn_rate * m_hat / (sqrt(v_hat) + epsilon),\n");
        W("     *   m_hat = m_param / (1 - beta1^t), v_hat = v_param / (1 - beta2^t)\n");
        W("     */\n");
        fmt = "state->m_@ = beta1 * state->m_@ + (1 - beta1) * #;\n"
              "state->v_@ = beta2 * state->v_@ + (1 - beta2) * # * #;\n"
              "nn->@ -= step_size * state->m_@ / (sqrt\x03(state->v_@) / bias_correction2_sqrt + epsilon);\n";
        break;
    }
    if (e->compact) {
        /* The template's lines, indented for the loop body. */
        Buf body = {0};
        for (const char *p = fmt; *p;) {
            const char *nl = strchr(p, '\n');
            buf_printf(e->c, &body, "        %.*s\n", (int)(nl - p), p);
            p = nl + 1;
        }
        static const char *const arrays[] = {"w", "b"};
        for (int k = 0; k < 2; k++) {
            const char *a = arrays[k];
            W("%s    for (int i = 0; i < %d; i++) {\n", k ? "\n" : "", k ? e->net->nneurons : e->net->nweights);
            W("        \x02 d_L_d_%s = sum_d_L_d->%s[i] / \x04n + weight_decay * nn->%s[i];\n", a, a, a);
            emit_template(e, body.s, ctx_printf(e->c, "%s[i]", a), ctx_printf(e->c, "d_L_d_%s", a));
            W("    }\n");
        }
        W("}\n\n");
        return;
    }
    for (int id = 0; id < e->net->nneurons; id++) {
        Neuron *u = neuron(e, id);
        if (id > 0)
            W("\n");
        W("    /* Neuron %s */\n", u->name);
        for (int j = 0; j <= u->ninputs; j++) {
            const char *p = pname_of(e, j < u->ninputs ? u->weight[j] : u->bias);
            /* With a state to update, each parameter is a block of its own. */
            if (j > 0 && s->optimizer != OPT_SGD)
                W("\n");
            W("    \x02 d_L_d_%s = sum_d_L_d->%s / \x04n + weight_decay * nn->%s;\n", p, p, p);
            for (const char *q = fmt; *q;) {
                const char *nl = strchr(q, '\n');
                W("    ");
                emit_template(e, ctx_strndup(e->c, q, (size_t)(nl - q + 1)), p, ctx_printf(e->c, "d_L_d_%s", p));
                q = nl + 1;
            }
        }
    }
    W("}\n\n");
}

/* ---- The compact form: loops over arrays, for big layers -------------------- */

/*
 * In the compact form the weights are one array, w[k] being w<k+1>, and
 * the biases another; a layer's activations are an array named after its
 * neurons (h, or h1, h2 with several hidden layers; o), so that h[j] is
 * the neuron the unrolled form calls h<j+1>.  Each loop says in a comment
 * which partial it computes, with the same names as the unrolled form.
 */

/* The array of layer l's activations (sum_ prefixed for its sums); the inputs for l = -1. */
static const char *layer_array(Emitter *e, int l)
{
    if (l < 0)
        return "x";
    if (l == e->s->nlayers - 1)
        return "o";
    if (e->s->nlayers == 2)
        return "h";
    return ctx_printf(e->c, "h%d", l + 1);
}

static int fan_in(Emitter *e, int l)
{
    return l == 0 ? e->s->ninputs : e->s->layers[l - 1].size;
}

/* Index of layer l's first weight and first bias. */
static int weight_base(Emitter *e, int l)
{
    return e->net->neurons[e->net->layer_first[l]].weight[0];
}

static int bias_base(Emitter *e, int l)
{
    return e->net->layer_first[l];
}

/* "f(s)" in array form for layer l's neuron j, for a comment-free expression. */
static const char *deriv_at(Emitter *e, int l, const char *j)
{
    const char *a = layer_array(e, l);
    switch (e->s->layers[l].act) {
    case ACT_SIGMOID:
        return ctx_printf(e->c, "%s[%s] * (1 - %s[%s])", a, j, a, j);
    case ACT_TANH:
        return ctx_printf(e->c, "1 - %s[%s] * %s[%s]", a, j, a, j);
    case ACT_RELU:
        return ctx_printf(e->c, "(sum_%s[%s] > 0 ? 1.0\x03 : 0.0\x03)", a, j);
    case ACT_LEAKY_RELU:
        return ctx_printf(e->c, "(sum_%s[%s] > 0 ? 1.0\x03 : 0.01\x03)", a, j);
    case ACT_LINEAR:
        return "1.0\x03";
    case ACT_SOFTMAX:
        break;
    }
    bug("no derivative for activation %d", e->s->layers[l].act);
}

/* Does the derivative of act need the neuron's sum (not only its activation)? */
static int needs_sum(Act act)
{
    return act == ACT_RELU || act == ACT_LEAKY_RELU || act == ACT_SOFTMAX;
}

/*
 * The sums and activations of every layer, as loops: each neuron's sum is
 * a dot product, kept in four partial sums past 8 inputs, which lets the
 * compiler overlap the additions (and vectorise them).  The activations
 * follow in a loop of their own, so that the layer's calls of exp are
 * independent of each other and of the sums, and can run side by side.
 * The sums are kept in sum_a[] when the backward pass needs them (relu,
 * leaky relu, softmax); otherwise each activation replaces its sum in a[].
 */
static void emit_compact_forward(Emitter *e)
{
    Spec *s = e->s;
    for (int l = 0; l < s->nlayers; l++) {
        const char *a = layer_array(e, l), *in = layer_array(e, l - 1);
        int n = fan_in(e, l), size = s->layers[l].size, wb = weight_base(e, l), bb = bias_base(e, l);
        Act act = s->layers[l].act;
        W("    /* Layer %s: sum_%s[j] = w[%d + %d j + i] * %s[i] over i, + b[%d + j] */\n", a, a, wb, n, in, bb);
        mark(e, s->layers[l].line);
        const char *to = needs_sum(act) ? "sum_" : ""; /* the sums go to sum_a[] or a[] */
        if (needs_sum(act))
            W("    \x02 sum_%s[%d], %s[%d];\n", a, size, a, size);
        else if (act != ACT_LINEAR)
            W("    \x02 %s[%d]; /* %s[j] holds sum_%s[j] until the activation replaces it */\n", a, size, a, a);
        else
            W("    \x02 %s[%d];\n", a, size);
        W("    for (int j = 0; j < %d; j++) {\n", size);
        W("        const \x02 *w = nn->w + %d + %d * j;\n", wb, n);
        if (n >= 8) {
            W("        \x02 s0 = 0, s1 = 0, s2 = 0, s3 = 0;\n");
            W("        for (int i = 0; i < %d; i += 4) {\n", n / 4 * 4);
            for (int k = 0; k < 4; k++)
                W("            s%d += w[i + %d] * %s[i + %d];\n", k, k, in, k);
            W("        }\n");
            if (n % 4 != 0)
                W("        for (int i = %d; i < %d; i++)\n            s0 += w[i] * %s[i];\n", n / 4 * 4, n, in);
            W("        %s%s[j] = (s0 + s1) + (s2 + s3) + nn->b[%d + j];\n", to, a, bb);
        } else {
            W("        \x02 sum = nn->b[%d + j];\n", bb);
            W("        for (int i = 0; i < %d; i++)\n            sum += w[i] * %s[i];\n", n, in);
            W("        %s%s[j] = sum;\n", to, a);
        }
        W("    }\n");
        if (act == ACT_SIGMOID)
            W("    for (int j = 0; j < %d; j++)\n        %s[j] = nnrt_sigmoid_nobranch\x03(%s[j]);\n", size, a, a);
        else if (act != ACT_SOFTMAX && act != ACT_LINEAR)
            W("    for (int j = 0; j < %d; j++)\n        %s[j] = %s(%s%s[j]);\n", size, a, act_fn(act), to, a);
        if (act == ACT_SOFTMAX) {
            W("    /* Softmax: o[k] = e^(sum_o[k] - m) / sum_j e^(sum_o[j] - m), m the largest sum */\n");
            W("    \x02 max_sum_o = sum_o[0];\n");
            W("    for (int k = 1; k < %d; k++)\n        if (sum_o[k] > max_sum_o)\n            max_sum_o = sum_o[k];\n", size);
            W("    \x02 sum_exp = 0;\n");
            W("    for (int k = 0; k < %d; k++) {\n        o[k] = exp\x03(sum_o[k] - max_sum_o);\n        sum_exp += o[k];\n    }\n", size);
            W("    for (int k = 0; k < %d; k++)\n        o[k] /= sum_exp;\n", size);
        }
        mark(e, 0);
        W("\n");
    }
}

/* partial L / partial sum_o[k] for every output, into d_L_d_sum_o. */
static void emit_compact_loss_partials(Emitter *e)
{
    Spec *s = e->s;
    int no = e->net->noutputs, l = s->nlayers - 1;
    W("    /* --- Calculate partial derivatives. */\n");
    W("    \x02 d_L_d_sum_o[%d];\n", no);
    if (s->loss == LOSS_CE) {
        W("    /* Cross-entropy through softmax: partial L / partial sum_o[k] = o[k] - y_true[k] */\n");
        W("    for (int k = 0; k < %d; k++)\n        d_L_d_sum_o[k] = o[k] - y_true[k];\n\n", no);
        return;
    }
    if (s->loss == LOSS_BCE) {
        W("    /* Binary cross-entropy through the sigmoid: partial L / partial sum_o[k] = (o[k] - y_true[k]) / %d */\n", no);
        W("    for (int k = 0; k < %d; k++)\n        d_L_d_sum_o[k] = (o[k] - y_true[k]) / %d;\n\n", no, no);
        return;
    }
    W("    /* partial L / partial o[k] = -2 * (y_true[k] - o[k]) / %d */\n", no);
    W("    \x02 d_L_d_o[%d];\n", no);
    W("    for (int k = 0; k < %d; k++)\n        d_L_d_o[k] = -2 * (y_true[k] - o[k]) / %d;\n", no, no);
    if (s->layers[l].act == ACT_SOFTMAX) {
        W("    /* Softmax: partial L / partial sum_o[k] = o[k] * (d_L_d_o[k] - sum_j d_L_d_o[j] * o[j]) */\n");
        W("    \x02 d_L_d_o_dot_o = 0;\n");
        W("    for (int k = 0; k < %d; k++)\n        d_L_d_o_dot_o += d_L_d_o[k] * o[k];\n", no);
        W("    for (int k = 0; k < %d; k++)\n        d_L_d_sum_o[k] = o[k] * (d_L_d_o[k] - d_L_d_o_dot_o);\n\n", no);
    } else {
        W("    /* partial L / partial sum_o[k] = d_L_d_o[k] * f'(sum_o[k]) */\n");
        W("    for (int k = 0; k < %d; k++)\n        d_L_d_sum_o[k] = d_L_d_o[k] * (%s);\n\n", no,
          deriv_at(e, l, "k"));
    }
}

/*
 * Backpropagation through the layers, from the output back.  For a layer
 * with partials d_L_d_sum_<a>[j]: each weight's partial is that times its
 * input, each bias's is that alone, and the partial of each input neuron
 * sums, over the neurons it feeds, that times the weight between them.
 * `apply` writes what to do with a parameter's partial (update or add).
 */
static void emit_compact_backward(Emitter *e, int train)
{
    Spec *s = e->s;
    emit_compact_loss_partials(e);
    for (int l = s->nlayers - 1; l >= 0; l--) {
        const char *a = layer_array(e, l), *in = layer_array(e, l - 1);
        int n = fan_in(e, l), size = s->layers[l].size, wb = weight_base(e, l), bb = bias_base(e, l);
        mark(e, s->layers[l].line);
        if (l < s->nlayers - 1) {
            W("    /* Layer %s: partial L / partial sum_%s[j] = d_L_d_%s[j] * f'(sum_%s[j]) */\n", a, a, a, a);
            W("    \x02 d_L_d_sum_%s[%d];\n", a, size);
            W("    for (int j = 0; j < %d; j++)\n        d_L_d_sum_%s[j] = d_L_d_%s[j] * (%s);\n", size, a, a,
              deriv_at(e, l, "j"));
        }
        W("    /*\n");
        W("     * Layer %s: partial L / partial w[%d + %d j + i] = d_L_d_sum_%s[j] * %s[i],\n", a, wb, n, a, in);
        W("     * partial L / partial b[%d + j] = d_L_d_sum_%s[j]", bb, a);
        if (l > 0)
            W(",\n     * partial L / partial %s[i] = sum_j d_L_d_sum_%s[j] * w[%d + %d j + i]", in, a, wb, n);
        W("%s\n     */\n", train ? " (taken before w changes)" : "");
        if (l > 0)
            W("    \x02 d_L_d_%s[%d] = {0};\n", in, n);
        W("    for (int j = 0; j < %d; j++) {\n", size);
        W("        \x02 d = d_L_d_sum_%s[j];\n", a);
        if (train || l > 0)
            W("        %s\x02 *w = nn->w + %d + %d * j;\n", train ? "" : "const ", wb, n);
        if (!train)
            W("        \x02 *g = sum_d_L_d->w + %d + %d * j;\n", wb, n);
        W("        for (int i = 0; i < %d; i++) {\n", n);
        if (l > 0)
            W("            d_L_d_%s[i] += d * w[i];\n", in);
        if (train)
            W("            w[i] -= learn_rate * (d * %s[i]);\n", in);
        else
            W("            g[i] += d * %s[i];\n", in);
        W("        }\n");
        if (train)
            W("        nn->b[%d + j] -= learn_rate * d;\n", bb);
        else
            W("        sum_d_L_d->b[%d + j] += d;\n", bb);
        W("    }\n");
        mark(e, 0);
        W("\n");
    }
}

static void emit_compact_struct(Emitter *e)
{
    Net *net = e->net;
    W("/*\n * The network's weights and biases: w[k] is w<k+1> and b[k] is b<k+1>, numbered as\n");
    W(" * the tutorial numbers them: layer by layer, neuron by neuron, input by input.\n */\n");
    W("struct %s {\n", e->name);
    W("    \x02 w[%d];\n    \x02 b[%d];\n};\n\n", net->nweights, net->nneurons);
}

static void emit_compact_feedforward(Emitter *e)
{
    int ni = e->s->ninputs, no = e->net->noutputs;
    W("/* The feedforward: x holds the %d inputs; y_pred receives the %s. */\n", ni,
      no == 1 ? "output" : "outputs");
    signature(e, "feedforward", "\n{\n");
    emit_compact_forward(e);
    W("    for (int k = 0; k < %d; k++)\n        y_pred[k] = o[k];\n}\n\n", no);
}

static void emit_compact_train_sample(Emitter *e)
{
    W("/*\n");
    W(" * One step of stochastic gradient descent on the sample (x, y_true):\n");
    W(" * feedforward, partial derivatives, updates, layer by layer.\n");
    W(" */\n");
    signature(e, "train_sample", "\n{\n");
    W("    /* --- Do a feedforward (we'll need these values later) */\n");
    emit_compact_forward(e);
    emit_compact_backward(e, 1);
    e->out->len--; /* the blank line before the brace */
    W("}\n\n");
}

static void emit_compact_backprop(Emitter *e)
{
    W("/*\n");
    W(" * Backpropagation on one sample (x, y_true): the partials of %s_train_sample,\n", e->name);
    W(" * added to sum_d_L_d instead of applied.\n");
    W(" */\n");
    signature(e, "backprop", "\n{\n");
    W("    /* --- Do a feedforward (we'll need these values later) */\n");
    emit_compact_forward(e);
    emit_compact_backward(e, 0);
    e->out->len--;
    W("}\n\n");
}

/* Writes n doubles, at most `per` a line and within 100 columns, indented by 4. */
static void emit_doubles(Emitter *e, const double *v, long n, int per)
{
    int col = 0, on_line = 0;
    for (long i = 0; i < n; i++) {
        const char *x = num(e, v[i]);
        int len = (int)strlen(x) + 1;
        if (on_line > 0 && (on_line == per || col + 1 + len > 100)) {
            W("\n");
            on_line = 0;
        }
        if (on_line == 0) {
            W("    %s,", x);
            col = 4 + len;
        } else {
            W(" %s,", x);
            col += 1 + len;
        }
        on_line++;
    }
    if (n > 0)
        W("\n");
}

/* The accessors through which the runtime reads and writes parameters and state. */
static void emit_accessors(Emitter *e)
{
    Net *net = e->net;
    const char *n = e->name;
    const char *const *pre = state_prefixes(e);
    int nw = net->nweights, np = net->nparams;

    if (e->compact) {
        W("static double %s_get(const void *nn, int i)\n{\n", n);
        W("    const struct %s *p = nn;\n", n);
        W("    return i < %d ? p->w[i] : p->b[i - %d];\n}\n\n", nw, nw);
        W("static void %s_set(void *nn, int i, double v)\n{\n", n);
        W("    struct %s *p = nn;\n", n);
        W("    if (i < %d)\n        p->w[i] = \x04v;\n    else\n        p->b[i - %d] = \x04v;\n}\n\n", nw, nw);
        if (pre[0] == NULL)
            return;
        /* Value j of the state is prefix j / nparams of parameter j % nparams. */
        W("static \x02 *%s_state_at(const void *state, int j)\n{\n", n);
        W("    const struct %s_optimizer *s = state;\n", n);
        W("    int i = j %% %d;\n", np);
        for (int k = 0; pre[k] != NULL; k++)
            W("    if (j < %d)\n        return (\x02 *)(i < %d ? &s->%sw[i] : &s->%sb[i - %d]);\n", (k + 1) * np,
              nw, pre[k], pre[k], nw);
        W("    return NULL;\n}\n\n");
    } else {
        W("static const size_t %s_param_offset[%d] = {\n", n, np);
        for (int i = 0; i < np; i++)
            W("    offsetof(struct %s, %s),\n", n, pname_of(e, i));
        W("};\n\n");
        W("static double %s_get(const void *nn, int i)\n{\n", n);
        W("    return *(const \x02 *)(const void *)((const char *)nn + %s_param_offset[i]);\n}\n\n", n);
        W("static void %s_set(void *nn, int i, double v)\n{\n", n);
        W("    *(\x02 *)(void *)((char *)nn + %s_param_offset[i]) = \x04v;\n}\n\n", n);
        if (pre[0] == NULL)
            return;
        int nstate = np * (pre[1] != NULL ? 2 : 1);
        W("static const size_t %s_state_offset[%d] = {\n", n, nstate);
        for (int k = 0; pre[k] != NULL; k++)
            for (int i = 0; i < np; i++)
                W("    offsetof(struct %s_optimizer, %s%s),\n", n, pre[k], pname_of(e, i));
        W("};\n\n");
        W("static \x02 *%s_state_at(const void *state, int j)\n{\n", n);
        W("    return (\x02 *)(void *)((const char *)state + %s_state_offset[j]);\n}\n\n", n);
    }
    W("static double %s_state_get(const void *state, int j)\n{\n", n);
    W("    return *%s_state_at(state, j);\n}\n\n", n);
    W("static void %s_state_set(void *state, int j, double v)\n{\n", n);
    W("    *%s_state_at(state, j) = \x04v;\n}\n\n", n);
}

/*
 * The functions the runtime calls, which take doubles: in a float network
 * they convert on the way in and out.
 */
static void emit_adapters(Emitter *e)
{
    const char *n = e->name;
    int ni = e->s->ninputs, no = e->net->noutputs;
    const char *x = e->single ? "xf" : "x", *y = e->single ? "yf" : "y_true";
    /* In a float network: float copies of x (and y_true) for the call. */
#define CONVERT_IN(with_y)                                                                        \
    if (e->single) {                                                                              \
        W("    float xf[%d]%s;\n\n", ni, with_y ? ctx_printf(e->c, ", yf[%d]", no) : "");            \
        W("    for (int i = 0; i < %d; i++)\n        xf[i] = (float)x[i];\n", ni);                  \
        if (with_y)                                                                               \
            W("    for (int k = 0; k < %d; k++)\n        yf[k] = (float)y_true[k];\n", no);         \
    }

    W("static void %s_feedforward_any(const void *nn, const double *x, double *y_pred)\n{\n", n);
    if (e->single) {
        W("    float xf[%d], yf[%d];\n\n", ni, no);
        W("    for (int i = 0; i < %d; i++)\n        xf[i] = (float)x[i];\n", ni);
        W("    %s_feedforward(nn, xf, yf);\n", n);
        W("    for (int k = 0; k < %d; k++)\n        y_pred[k] = yf[k];\n}\n\n", no);
    } else {
        W("    %s_feedforward(nn, x, y_pred);\n}\n\n", n);
    }
    W("static double %s_loss_any(const void *nn, const double *x, const double *y_true)\n{\n", n);
    CONVERT_IN(1);
    W("    return %s_loss(nn, %s, %s);\n}\n\n", n, x, y);
    W("static void %s_train_sample_any(void *nn, const double *x, const double *y_true,\n"
      "    double learn_rate)\n{\n", n);
    CONVERT_IN(1);
    W("    %s_train_sample(nn, %s, %s, %slearn_rate);\n}\n\n", n, x, y, e->single ? "(float)" : "");
    if (!e->single) {
        W("static void %s_train_epoch_any(void *nn, const double *rows, const int *order, int n,\n"
          "    double learn_rate)\n{\n", n);
        W("    %s_train_epoch(nn, rows, order, n, learn_rate);\n}\n\n", n);
    }
    W("static void %s_backprop_any(const void *nn, const double *x, const double *y_true,\n"
      "    void *sum_d_L_d)\n{\n", n);
    CONVERT_IN(1);
    W("    %s_backprop(nn, %s, %s, sum_d_L_d);\n}\n\n", n, x, y);
#undef CONVERT_IN
}

/* The description of the network that nnrt_main works from. */
static void emit_descriptor(Emitter *e)
{
    Spec *s = e->s;
    Net *net = e->net;
    const char *n = e->name;
    int ni = s->ninputs, no = net->noutputs;
    const char *const *pre = state_prefixes(e);

    W("/* ---- What the runtime needs to know: not the network's math. ---- */\n\n");
    emit_accessors(e);
    if (s->init_fixed != NULL) {
        W("/* The parameters that the spec's params block fixes, and their values. */\n");
        W("static const unsigned char %s_init_fixed[%d] = {\n", n, net->nparams);
        for (int i = 0; i < net->nparams; i++)
            W("%s%d,%s", i % 20 == 0 ? "    " : " ", s->init_fixed[i],
              i % 20 == 19 || i == net->nparams - 1 ? "\n" : "");
        W("};\n\n");
        W("static const double %s_init_value[%d] = {\n", n, net->nparams);
        emit_doubles(e, s->init_value, net->nparams, 8);
        W("};\n\n");
    }
    if (s->ndata > 0) {
        W("/* The spec's data: %d row%s of %d input%s, then %d target%s. */\n", s->ndata,
          s->ndata == 1 ? "" : "s", ni, ni == 1 ? "" : "s", no, no == 1 ? "" : "s");
        W("static const double %s_data[%ld] = {\n", n, (long)s->ndata * (ni + no));
        for (int r = 0; r < s->ndata; r++)
            emit_doubles(e, s->data + (size_t)r * (size_t)(ni + no), ni + no, ni + no > 16 ? 16 : ni + no);
        W("};\n\n");
    }
    if (s->ntest > 0) {
        W("/* The spec's held-out test rows: %d of %d input%s, then %d target%s. */\n", s->ntest, ni,
          ni == 1 ? "" : "s", no, no == 1 ? "" : "s");
        W("static const double %s_test[%ld] = {\n", n, (long)s->ntest * (ni + no));
        for (int r = 0; r < s->ntest; r++)
            emit_doubles(e, s->test + (size_t)r * (size_t)(ni + no), ni + no, ni + no > 16 ? 16 : ni + no);
        W("};\n\n");
    }
    if (s->npredict > 0) {
        W("/* The spec's predictions. */\n");
        W("static const char *const %s_predict_name[%d] = {\n", n, s->npredict);
        for (int i = 0; i < s->npredict; i++)
            W("    \"%s\",\n", s->predict_name[i]);
        W("};\n\n");
        W("static const double %s_predict_x[%ld] = {\n", n, (long)s->npredict * ni);
        for (int i = 0; i < s->npredict; i++)
            emit_doubles(e, s->predict_x + (size_t)i * (size_t)ni, ni, ni > 16 ? 16 : ni);
        W("};\n\n");
    }
    if (s->input_names != NULL) {
        W("static const char *const %s_input_name[%d] = {\n", n, ni);
        for (int i = 0; i < ni; i++)
            W("    \"%s\",\n", s->input_names[i]);
        W("};\n\n");
    }
    W("static const int %s_layer_size[%d] = {", n, s->nlayers);
    for (int l = 0; l < s->nlayers; l++)
        W("%s%d", l ? ", " : "", s->layers[l].size);
    W("};\n\n");

    emit_adapters(e);
    W("static void %s_update_any(void *nn, void *state, const void *sum_d_L_d, int count,\n", n);
    W("    const struct nnrt_hyper *h, long step)\n{\n");
    if (s->optimizer == OPT_SGD)
        W("    (void)state;\n    (void)step;\n    %s_update(nn, sum_d_L_d, count, h);\n}\n\n", n);
    else if (s->optimizer == OPT_MOMENTUM)
        W("    (void)step;\n    %s_update(nn, state, sum_d_L_d, count, h);\n}\n\n", n);
    else
        W("    %s_update(nn, state, sum_d_L_d, count, h, step);\n}\n\n", n);

    char seed[32];
    snprintf(seed, sizeof seed, "%llu", (unsigned long long)s->seed);
    Act out = s->layers[s->nlayers - 1].act;
    static const char *const init_enum[] = {"NNRT_INIT_NORMAL", "NNRT_INIT_XAVIER", "NNRT_INIT_HE"};
    static const char *const opt_enum[] = {"NNRT_SGD", "NNRT_MOMENTUM", "NNRT_ADAM"};
    W("const struct nnrt_net %s_net = {\n", n);
    W("    .name = \"%s\",\n", n);
    W("    .spec = \"%s\",\n", c_string_text(e->c, s->file));
    W("    .ninputs = %d,\n    .noutputs = %d,\n    .nparams = %d,\n", ni, no, net->nparams);
    W("    .nlayers = %d,\n    .layer_size = %s_layer_size,\n", s->nlayers, n);
    if (s->input_names != NULL)
        W("    .input_name = %s_input_name,\n", n);
    W("    .nweights = %d,\n    .size = sizeof(struct %s),\n", net->nweights, n);
    if (e->single)
        W("    .single = 1,\n");
    W("    .get = %s_get,\n    .set = %s_set,\n", n, n);
    W("    .feedforward = %s_feedforward_any,\n    .loss = %s_loss_any,\n", n, n);
    W("    .train_sample = %s_train_sample_any,\n", n);
    if (!e->single)
        W("    .train_epoch = %s_train_epoch_any,\n", n);
    W("    .backprop = %s_backprop_any,\n", n);
    W("    .update = %s_update_any,\n", n);
    W("    .optimizer = %s,\n", opt_enum[s->optimizer]);
    if (s->nesterov)
        W("    .nesterov = 1,\n");
    if (pre[0] != NULL) {
        W("    .state_size = sizeof(struct %s_optimizer),\n", n);
        W("    .nstate = %d,\n", net->nparams * (pre[1] != NULL ? 2 : 1));
        W("    .state_prefix = {\"%s\"%s%s%s},\n", pre[0], pre[1] ? ", \"" : "", pre[1] ? pre[1] : "",
          pre[1] ? "\"" : "");
        W("    .state_get = %s_state_get,\n    .state_set = %s_state_set,\n", n, n);
    }
    W("    .epochs = %ld,\n", s->epochs);
    W("    .hyper = {%s, %s, %s, %s, %s, %s},\n", num(e, s->learn_rate), num(e, s->momentum), num(e, s->beta1),
      num(e, s->beta2), num(e, s->epsilon), num(e, s->weight_decay));
    W("    .batch = %ld,\n", s->batch);
    if (s->shuffle)
        W("    .shuffle = 1,\n");
    W("    .seed = UINT64_C(%s),\n", seed);
    W("    .init = %s,\n", init_enum[s->init]);
    W("    .classify = %s,\n", out == ACT_SOFTMAX                ? "NNRT_ARGMAX"
                           : out == ACT_SIGMOID && no == 1 ? "NNRT_THRESHOLD"
                                                            : "NNRT_NO_CLASSES");
    if (out == ACT_SOFTMAX)
        W("    .class_index = 1,\n");
    if (s->loss == LOSS_CE || s->loss == LOSS_BCE)
        W("    .distribution = %d,\n", s->loss == LOSS_CE ? 1 : 2);
    if (s->normalize)
        W("    .normalize = 1,\n");
    if (s->init_fixed != NULL)
        W("    .init_value = %s_init_value,\n    .init_fixed = %s_init_fixed,\n", n, n);
    if (s->ndata > 0)
        W("    .ndata = %d,\n    .data = %s_data,\n", s->ndata, n);
    if (s->ntest > 0)
        W("    .ntest = %d,\n    .test = %s_test,\n", s->ntest, n);
    if (s->npredict > 0)
        W("    .npredict = %d,\n    .predict_name = %s_predict_name,\n    .predict_x = %s_predict_x,\n",
          s->npredict, n, n);
    W("};\n\n");

    W("/* The program: nnrt_main reads the options, trains and reports. */\n");
    W("#ifndef NNC_NO_MAIN\n");
    W("int main(int argc, char **argv)\n{\n");
    W("    return nnrt_main(&%s_net, argc, argv);\n}\n", n);
    W("#endif\n");
}

/* The opening comment: what the file is and what the network is. */
static void emit_preamble(Emitter *e, const char *kind)
{
    Net *net = e->net;
    W("/*\n * %s of the network '%s', generated by nnc %s from %s.\n", kind, e->name, NNC_VERSION,
      comment_text(e->c, e->s->file));
    W(" * Edit the spec, not this file.\n *\n");
    describe_network(e, " * ");
    W(" *\n * Parameters:");
    int col = 14;
    for (int id = 0; id < net->nneurons; id++) {
        Neuron *u = neuron(e, id);
        char *part;
        if (u->ninputs == 1)
            part = ctx_printf(e->c, " %s has %s, %s;", u->name, pname_of(e, u->weight[0]), pname_of(e, u->bias));
        else if (u->ninputs == 2)
            part = ctx_printf(e->c, " %s has %s, %s, %s;", u->name, pname_of(e, u->weight[0]),
                              pname_of(e, u->weight[1]), pname_of(e, u->bias));
        else
            part = ctx_printf(e->c, " %s has %s .. %s, %s;", u->name, pname_of(e, u->weight[0]),
                              pname_of(e, u->weight[u->ninputs - 1]), pname_of(e, u->bias));
        if (id == net->nneurons - 1)
            part[strlen(part) - 1] = '.';
        if (col + (int)strlen(part) > 90) {
            W("\n *");
            col = 2;
        }
        W("%s", part);
        col += (int)strlen(part);
    }
    W("\n */\n");
}

int is_compact(const Ctx *c, const Net *net)
{
    return c->unroll == UNROLL_NEVER || (c->unroll == UNROLL_AUTO && net->nweights > UNROLL_MAX_WEIGHTS);
}

void emit_c(Ctx *c, Net *net, Buf *out)
{
    Emitter em = {c, net, net->spec, out, net->spec->name, is_compact(c, net), net->spec->single, 0};
    Emitter *e = &em;
    emit_preamble(e, "C");
    W("#include \"nnrt.h\"\n\n");
    if (e->compact) {
        emit_compact_struct(e);
        emit_compact_feedforward(e);
        emit_loss(e);
        emit_compact_train_sample(e);
        emit_train_epoch(e);
        emit_compact_backprop(e);
    } else {
        emit_struct(e);
        emit_feedforward(e);
        emit_loss(e);
        emit_train_sample(e);
        emit_train_epoch(e);
        emit_backprop(e);
    }
    emit_optimizer_state(e);
    emit_update(e);
    emit_descriptor(e);
}

void emit_header(Ctx *c, Net *net, Buf *out)
{
    Emitter em = {c, net, net->spec, out, net->spec->name, is_compact(c, net), net->spec->single, 1};
    Emitter *e = &em;
    const char *n = e->name;
    int ni = e->s->ninputs, no = net->noutputs;
    /* The name as it is: networks x and X are two, and may be embedded side by side. */
    char *guard = ctx_printf(c, "NNC_%s_H", n);
    emit_preamble(e, "The header");
    W("#ifndef %s\n#define %s\n\n#include \"nnrt.h\"\n\n", guard, guard);
    W("#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n");
    if (e->compact)
        emit_compact_struct(e);
    else
        emit_struct(e);
    W("/*\n * The arrays and structs passed to one call of the next five functions\n"
      " * must not overlap (their definitions declare them restrict).\n */\n\n");
    W("/* Runs x (%d value%s) through the network into y_pred (%d value%s). */\n", ni,
      ni == 1 ? "" : "s", no, no == 1 ? "" : "s");
    signature(e, "feedforward", ";\n\n");
    W("/* The loss of one sample. */\n");
    signature(e, "loss", ";\n\n");
    W("/* One step of stochastic gradient descent on one sample. */\n");
    signature(e, "train_sample", ";\n\n");
    W("/*\n * One step of stochastic gradient descent on each of n rows (%d input%s, then\n"
      " * %d target%s, each), row order[i] at step i (with order NULL, row i).\n */\n", ni,
      ni == 1 ? "" : "s", no, no == 1 ? "" : "s");
    signature(e, "train_epoch", ";\n\n");
    W("/* Adds partial L / partial each parameter, for one sample, to sum_d_L_d. */\n");
    signature(e, "backprop", ";\n\n");
    emit_optimizer_state(e);
    W("/* One update of the parameters from the partials of n samples summed in sum_d_L_d. */\n");
    emit_update_signature(e);
    W(";\n\n");
    W("/* The network's description, for nnrt_main and the other nnrt_ functions. */\n");
    W("extern const struct nnrt_net %s_net;\n\n", n);
    W("#ifdef __cplusplus\n}\n#endif\n\n#endif\n");
}
