/*
 * emit.c: the C text of a network, the parts both forms share.
 *
 * A network is written in one of two forms: unrolled, neuron by neuron as
 * the tutorial writes it (emit_unrolled.c), or compact, as loops over
 * arrays for networks too big to read that way (emit_compact.c).  This
 * file writes what is the same in both, or differs only in small ways:
 * the opening comment, the loss, the epoch, the optimizer's state and
 * update, and the header for embedding the network.  What the runtime
 * needs to reach the network is emit_runtime.c's.
 */
#include <stdlib.h>
#include <string.h>

#include "emit.h"
#include "nnrt.h"

char *num(Emitter *e, double v)
{
    char buf[NNRT_DOUBLE_BUFSIZE];
    return ctx_strdup(e->c, nnrt_format_double(buf, v));
}

/* ---- Names and small expressions ----------------------------------------- */

Neuron *neuron(Emitter *e, int id)
{
    return &e->net->neurons[id];
}

const char *pname_of(Emitter *e, int param)
{
    return e->net->params[param].name;
}


/* The runtime function that applies act, in the precision's form; NULL for linear (none). */
const char *act_fn(Emitter *e, Act act)
{
    static const char *const fn[] = {
        [ACT_SIGMOID] = "sigmoid", [ACT_TANH] = "tanh", [ACT_RELU] = "relu", [ACT_LEAKY_RELU] = "leaky_relu",
    };
    if (act == ACT_LINEAR)
        return NULL;
    if (act == ACT_SOFTMAX)
        bug("activation %d is not per neuron", act);
    return ctx_printf(e->c, "%s%s%s", e->rt, fn[act], e->f);
}

/* ---- Writing lines ---------------------------------------------------------- */

const char *c_string_text(Ctx *c, const char *s)
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

/* The #line that takes the lines after it back to line `line` of file. */
static void line_directive(Emitter *e, int line, const char *file)
{
    buf_printf(e->c, e->out, "#line %d \"%s\"\n", line, c_string_text(e->c, file));
    e->line++;
}

/*
 * Writes n bytes of text, line by line.  In a block from the spec (and
 * with --line-directives) each line that is neither blank nor inside a
 * comment gets a #line to its spec line first.  The generated comments
 * open a line with "/" "*" and close one with "*" "/", which is how a
 * line is known to be inside one.
 */
static void put(Emitter *e, const char *text, size_t n)
{
    while (n > 0) {
        if (e->line_start == (size_t)-1) {
            if (e->c->line_directives && e->spec_line > 0 && text[0] != '\n' && !e->in_comment)
                line_directive(e, e->spec_line, e->c->file);
            e->line_start = e->out->len;
        }
        const char *nl = memchr(text, '\n', n);
        size_t k = nl != NULL ? (size_t)(nl - text) + 1 : n;
        buf_printf(e->c, e->out, "%.*s", (int)k, text);
        text += k;
        n -= k;
        if (nl == NULL)
            break;
        const char *p = e->out->s + e->line_start;
        size_t end = e->out->len - 1 - e->line_start, lead = strspn(p, " ");
        int opens = end >= lead + 2 && p[lead] == '/' && p[lead + 1] == '*';
        int closes = end >= lead + 2 && p[end - 2] == '*' && p[end - 1] == '/';
        e->in_comment = (e->in_comment || opens) && !closes;
        e->line++;
        e->line_start = (size_t)-1;
    }
}

void emit_printf(Emitter *e, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        bug("bad format '%s'", fmt);
    if ((size_t)n < sizeof small) {
        put(e, small, (size_t)n);
        return;
    }
    char *big = ctx_alloc(e->c, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    put(e, big, (size_t)n);
}

void block(Emitter *e, int line)
{
    if (line == 0 && e->c->line_directives && e->spec_line > 0)
        line_directive(e, e->line + 1, e->c->out_name); /* back to the C file: the line after this one */
    e->spec_line = line;
}

int typed_width(const Emitter *e, const char *s)
{
    return (int)strlen(s) + (e->single ? (int)strlen("double") - (int)strlen("float") : 0);
}

void sum_line(Emitter *e, int indent, const char *head, int head_width, const char **terms, int n,
              const char *sep)
{
    int col = indent + head_width;
    W("%*s%s", indent, "", head);
    for (int i = 0; i < n; i++) {
        int len = (int)strlen(terms[i]) + (i > 0 ? (int)strlen(sep) : 0);
        /* Room for the term and, unless it is the last, the separator that ends the line. */
        if (i > 0 && col + len + (i + 1 < n ? (int)strlen(sep) - 1 : 1) > 100) {
            /* The separator (less its trailing blank) ends the line; the term starts the next. */
            W("%.*s\n%*s%s", (int)strlen(sep) - 1, sep, indent + 8, "", terms[i]);
            col = indent + 8 + (int)strlen(terms[i]);
            continue;
        }
        W("%s%s", i > 0 ? sep : "", terms[i]);
        col += len;
    }
    W(";\n");
}

/* ---- The file's parts ------------------------------------------------------- */

/*
 * The signature of the network's function fn (feedforward, loss,
 * train_sample, train_epoch, backprop), wrapped before 100 columns, then end
 * ("\n{\n" for a definition, ";\n\n" for a declaration).
 */
void signature(Emitter *e, const char *fn, const char *end)
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
    /* The parameters of the precision's type, whose type counts as "double" in the widths. */
    const char *x = ctx_printf(e->c, "const %s x[%s%d]", e->type, r, ni);
    const char *y = ctx_printf(e->c, "const %s y_true[%s%d]", e->type, r, no);
    const char *yp = ctx_printf(e->c, "%s y_pred[%s%d]", e->type, r, no);
    const char *lr = ctx_printf(e->c, "%s learn_rate", e->type);
    const char *rows = ctx_printf(e->c, "const %s %srows", e->type, ptr);
    const char *ret = "void";
    if (strcmp(fn, "feedforward") == 0) {
        p[0] = ctx_printf(e->c, "const struct %s %snn", n, ptr), p[1] = x, p[2] = yp;
    } else if (strcmp(fn, "loss") == 0) {
        ret = "double";
        p[0] = ctx_printf(e->c, "const struct %s %snn", n, ptr), p[1] = x, p[2] = y;
    } else if (strcmp(fn, "train_sample") == 0) {
        p[0] = ctx_printf(e->c, "struct %s %snn", n, ptr), p[1] = x, p[2] = y, p[3] = lr;
    } else if (strcmp(fn, "train_epoch") == 0) {
        p[0] = ctx_printf(e->c, "struct %s %snn", n, ptr);
        p[1] = rows, p[2] = ctx_printf(e->c, "const int %sorder", ptr), p[3] = "int n", p[4] = lr;
    } else {
        p[0] = ctx_printf(e->c, "const struct %s %snn", n, ptr), p[1] = x, p[2] = y;
        p[3] = ctx_printf(e->c, "struct %s %ssum_d_L_d", n, ptr);
    }
    const char *head = ctx_printf(e->c, "%s%s %s_%s(", e->internal ? "static " : "", ret, n, fn);
    int col = (int)strlen(head);
    W("%s", head);
    for (int i = 0; i < 5 && p[i] != NULL; i++) {
        int typed = p[i] == x || p[i] == y || p[i] == yp || p[i] == lr || p[i] == rows;
        int w = typed ? typed_width(e, p[i]) : (int)strlen(p[i]);
        if (i > 0 && col + 2 + w + 1 > 100) {
            W(",\n    ");
            col = 4;
        } else if (i > 0) {
            W(", ");
            col += 2;
        }
        W("%s", p[i]);
        col += w;
    }
    W(")%s", end);
}

static void describe_network(Emitter *e, const char *lead)
{
    Spec *s = e->s;
    Net *net = e->net;
    W("%sA neural network with:\n", lead);
    W("%s  - %d input%s", lead, s->ninputs, s->ninputs == 1 ? "" : "s");
    if (s->input_shape.h > 0)
        W(", a map of %dx%dx%d (rows, columns, channels)", s->input_shape.h, s->input_shape.w, s->input_shape.c);
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
        const Layer *y = &s->layers[l];
        if (y->type != LAYER_DENSE) {
            W("%s  - a %s layer: ", lead, y->type == LAYER_CONV ? "conv" : y->pool == POOL_MAX ? "max pool" : "avg pool");
            if (y->type == LAYER_CONV)
                W("%d filter%s of ", y->out.c, y->out.c == 1 ? "" : "s");
            W("%dx%d, stride %dx%d", y->kh, y->kw, y->stride_h, y->stride_w);
            if (y->pad > 0)
                W(", padding %d", y->pad);
            W(", to a map of %dx%dx%d (%s .. %s)", y->out.h, y->out.w, y->out.c, a, z);
            W("%s%s\n", y->type == LAYER_CONV ? ", " : "", y->type == LAYER_CONV ? act_names[y->act] : "");
            continue;
        }
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
    W("    %s y_pred[%d];\n", e->type, no);
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
    W("        const %s *row = rows + (size_t)k * %d;\n\n", e->type, ni + no);
    W("        %s_train_sample(%s, row, row + %d, learn_rate);\n    }\n", n, local ? "p" : "nn", ni);
    if (local)
        W("    *nn = *p;\n");
    W("}\n\n");
}

/*
 * Writes template with every '@' replaced by param, every '#' by partial
 * and every '$' by the suffix of the precision's functions.
 */
static void emit_template(Emitter *e, const char *template, const char *param, const char *partial)
{
    for (const char *p = template; *p;) {
        size_t n = strcspn(p, "@#$");
        W("%.*s%s", (int)n, p, p[n] == '@' ? param : p[n] == '#' ? partial : p[n] == '$' ? e->f : "");
        p += n + (p[n] != '\0');
    }
}

const char *const *state_prefixes(Emitter *e)
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
            W("    %s %sw[%d], %sb[%d];\n", e->type, pre[k], e->net->nweights, pre[k], e->net->nbiases);
            continue;
        }
        const char **t = ctx_array(e->c, (size_t)e->net->nparams, sizeof *t);
        for (int i = 0; i < e->net->nparams; i++)
            t[i] = ctx_printf(e->c, "%s%s", pre[k], pname_of(e, i));
        const char *head = ctx_printf(e->c, "%s ", e->type);
        sum_line(e, 4, head, typed_width(e, head), t, e->net->nparams, ", ");
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
        W("    %s learn_rate = %sh->learn_rate, weight_decay = %sh->weight_decay;\n\n", e->type, e->cast, e->cast);
        W("    /* SGD: param -= learn_rate * d_L_d_param */\n");
        fmt = "nn->@ -= learn_rate * #;\n";
        break;
    case OPT_MOMENTUM:
        W("    %s learn_rate = %sh->learn_rate, momentum = %sh->momentum;\n    %s weight_decay = %sh->weight_decay;\n\n", e->type, e->cast, e->cast, e->type, e->cast);
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
        W("    %s learn_rate = %sh->learn_rate, beta1 = %sh->beta1, beta2 = %sh->beta2;\n", e->type, e->cast, e->cast, e->cast);
        W("    %s epsilon = %sh->epsilon, weight_decay = %sh->weight_decay;\n", e->type, e->cast, e->cast);
        W("    %s bias_correction1 = 1 - pow%s(beta1, (%s)step);\n", e->type, e->f, e->type);
        W("    %s bias_correction2_sqrt = sqrt%s(1 - pow%s(beta2, (%s)step));\n", e->type, e->f, e->f, e->type);
        W("    %s step_size = learn_rate / bias_correction1;\n\n", e->type);
        W("    /*\n");
        W("     * Adam, as PyTorch's, at step t:\n");
        W("     *   m_param = beta1 * m_param + (1 - beta1) * d_L_d_param\n");
        W("     *   v_param = beta2 * v_param + (1 - beta2) * d_L_d_param^2\n");
        W("     *   param -= learn_rate * m_hat / (sqrt(v_hat) + epsilon),\n");
        W("     *   m_hat = m_param / (1 - beta1^t), v_hat = v_param / (1 - beta2^t)\n");
        W("     */\n");
        fmt = "state->m_@ = beta1 * state->m_@ + (1 - beta1) * #;\n"
              "state->v_@ = beta2 * state->v_@ + (1 - beta2) * # * #;\n"
              "nn->@ -= step_size * state->m_@ / (sqrt$(state->v_@) / bias_correction2_sqrt + epsilon);\n";
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
            W("%s    for (int i = 0; i < %d; i++) {\n", k ? "\n" : "", k ? e->net->nbiases : e->net->nweights);
            W("        %s d_L_d_%s = sum_d_L_d->%s[i] / %sn + weight_decay * nn->%s[i];\n", e->type, a, a, e->cast, a);
            emit_template(e, body.s, ctx_printf(e->c, "%s[i]", a), ctx_printf(e->c, "d_L_d_%s", a));
            W("    }\n");
        }
        W("}\n\n");
        return;
    }
    for (int k = 0; k < e->net->nowners; k++) {
        const Owner *o = &e->net->owners[k];
        if (k > 0)
            W("\n");
        W("    /* %s %s */\n", o->is_filter ? "Filter" : "Neuron", o->name);
        for (int j = 0; j <= o->nweights; j++) {
            const char *p = pname_of(e, j < o->nweights ? o->first_weight + j : o->bias);
            /* With a state to update, each parameter is a block of its own. */
            if (j > 0 && s->optimizer != OPT_SGD)
                W("\n");
            W("    %s d_L_d_%s = sum_d_L_d->%s / %sn + weight_decay * nn->%s;\n", e->type, p, p, e->cast, p);
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
    for (int k = 0; k < net->nowners; k++) {
        const Owner *o = &net->owners[k];
        int w = o->first_weight, n = o->nweights;
        char *part;
        if (n == 1)
            part = ctx_printf(e->c, " %s has %s, %s;", o->name, pname_of(e, w), pname_of(e, o->bias));
        else if (n == 2)
            part = ctx_printf(e->c, " %s has %s, %s, %s;", o->name, pname_of(e, w), pname_of(e, w + 1),
                              pname_of(e, o->bias));
        else
            part = ctx_printf(e->c, " %s has %s .. %s, %s;", o->name, pname_of(e, w), pname_of(e, w + n - 1),
                              pname_of(e, o->bias));
        if (k == net->nowners - 1)
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
    if (c->unroll == UNROLL_AUTO && net->has_maps) {
        long terms = net->nweights;
        for (int id = 0; id < net->nneurons; id++)
            if (net->spec->layers[net->neurons[id].layer].type != LAYER_DENSE)
                terms += net->neurons[id].ninputs;
        return terms > UNROLL_MAX_MAP_TERMS;
    }
    return c->unroll == UNROLL_NEVER || (c->unroll == UNROLL_AUTO && net->nweights > UNROLL_MAX_WEIGHTS);
}

Emitter emitter(Ctx *c, Model *m, Buf *out, int header)
{
    Net *net = m->net;
    int single = net->spec->single;
    return (Emitter){
        .c = c, .net = net, .m = m, .s = net->spec, .out = out, .name = net->spec->name,
        .compact = is_compact(c, net), .single = single, .header = header,
        .type = single ? "float" : "double", .f = single ? "f" : "", .cast = single ? "(float)" : "",
        .line = 1, .line_start = (size_t)-1, .rt = "nnrt_",
    };
}

void emit_c(Ctx *c, Model *m, Buf *out)
{
    Emitter em = emitter(c, m, out, 0);
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
    if (e->s->normalize)
        emit_normalize(e);
    emit_descriptor(e);
}

void emit_header(Ctx *c, Model *m, Buf *out)
{
    Net *net = m->net;
    Emitter em = emitter(c, m, out, 1);
    Emitter *e = &em;
    const char *n = e->name;
    int ni = e->s->ninputs, no = net->noutputs;
    /* The name as it is: networks x and X are two, and may be embedded side by side. */
    char *guard = ctx_printf(c, "NNC_%s_H", n);
    emit_preamble(e, "The header");
    W("#ifndef %s\n#define %s\n\n#include \"nnrt.h\"\n\n", guard, guard);
    W("/* Inputs, outputs and parameters, for sizing arrays. */\n");
    W("#define %s_NINPUTS %d\n#define %s_NOUTPUTS %d\n#define %s_NPARAMS %d\n\n", n, ni, n, no, n, net->nparams);
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
    if (e->s->normalize)
        emit_normalize(e);
    W("/* The network's description, for nnrt_main and the other nnrt_ functions. */\n");
    W("extern const struct nnrt_net %s_net;\n\n", n);
    W("#ifdef __cplusplus\n}\n#endif\n\n#endif\n");
}

