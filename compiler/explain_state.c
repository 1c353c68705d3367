/*
 * explain_state.c: the names of the generated code that the model of the
 * backpropagation does not hold: the arguments of NAME_train_sample (x,
 * y_true, learn_rate, nn) and the optimizer's state of each parameter
 * (velocity_w1, m_w1, v_w1), with the formulas and the lines of
 * NAME_update that keep it, as emit.c writes them in either form; and
 * the error for a name that is none, with the nearest that is.
 */
#include <string.h>

#include "explain.h"
#include "nnrt_impl.h"

/*
 * How the spec's schedule changes the learning rate from epoch to epoch
 * (from 0), or "": PyTorch's formulas, which the runtime computes in
 * their recursive form (schedule.c).
 */
static const char *schedule_text(Explainer *x)
{
    Ctx *c = x->c;
    Spec *s = x->net->spec;
    double lr = s->learn_rate, g = s->schedule_gamma, eta = s->schedule_eta_min;
    long n = s->schedule_every;
    switch (s->schedule) {
    case 1:
        return ctx_printf(c, " It follows 'schedule step %ld %g' (PyTorch's StepLR): the rate of epoch e is "
                             "%g * %g^floor(e / %ld), times %g every %ld epochs.", n, g, lr, g, n, g, n);
    case 2:
        return ctx_printf(c, " It follows 'schedule exponential %g' (PyTorch's ExponentialLR): the rate of "
                             "epoch e is %g * %g^e, times %g every epoch.", g, lr, g, g);
    case 3:
        return ctx_printf(c, " It follows 'schedule cosine %ld %g' (PyTorch's CosineAnnealingLR): the rate of "
                             "epoch e is %g + (%g - %g) * (1 + cos(pi * e / %ld)) / 2, from %g down to %g at "
                             "epoch %ld and back up by epoch %ld; each is computed from the one before, as "
                             "torch does, rate_e = (1 + cos(pi * e / %ld)) / (1 + cos(pi * (e - 1) / %ld)) * "
                             "(rate_(e-1) - %g) + %g.", n, eta, eta, lr, eta, n, lr, eta, n, 2 * n, n, n, eta,
                          eta);
    }
    return "";
}

/* Explains an argument of NAME_train_sample (x, y_true, learn_rate, nn); 0 if name is none. */
int explain_argument(Explainer *x, const char *name)
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
                          "moves the parameters against their partials: %g in the spec.%s",
                       s->learn_rate, schedule_text(x));
    } else if (strcmp(name, "nn") == 0) {
        t = x->compact ? ctx_printf(c, "nn points to the parameters of the network, a struct %s: "
                                       "nn->w[0] .. nn->w[%d] (w1 .. w%d) and nn->b[0] .. nn->b[%d] (b1 .. b%d).",
                                       s->name, x->net->nweights - 1, x->net->nweights, x->net->nneurons - 1,
                                       x->net->nneurons)
                       : ctx_printf(c, "nn points to the parameters of the network, a struct %s: nn->w1 .. "
                                       "nn->w%d and nn->b1 .. nn->b%d.", s->name, x->net->nweights,
                                    x->net->nneurons);
    } else {
        return 0;
    }
    paragraph(x, ctx_printf(c, "%s It is an argument of %s.", t, x->fn));
    x->out->s[--x->out->len] = '\0';
    return 1;
}

/* The lines of NAME_update for a parameter: p "w1", or "w[i]" in the compact form's loop. */
static void update_lines(Explainer *x, const char *p, const char *partial, const char *in)
{
    Ctx *c = x->c;
    int single = x->net->spec->single;
    buf_printf(c, x->out, "%s%s %s = sum_d_L_d->%s / %sn + weight_decay * nn->%s;\n", in,
               single ? "float" : "double", partial, p, single ? "(float)" : "", p);
    switch (x->net->spec->optimizer) {
    case OPT_SGD:
        buf_printf(c, x->out, "%snn->%s -= learn_rate * %s;\n", in, p, partial);
        break;
    case OPT_MOMENTUM:
        buf_printf(c, x->out, "%sstate->velocity_%s = momentum * state->velocity_%s + %s;\n", in, p, p, partial);
        if (x->net->spec->nesterov)
            buf_printf(c, x->out, "%snn->%s -= learn_rate * (%s + momentum * state->velocity_%s);\n", in, p,
                       partial, p);
        else
            buf_printf(c, x->out, "%snn->%s -= learn_rate * state->velocity_%s;\n", in, p, p);
        break;
    case OPT_ADAM:
        buf_printf(c, x->out, "%sstate->m_%s = beta1 * state->m_%s + (1 - beta1) * %s;\n", in, p, p, partial);
        buf_printf(c, x->out, "%sstate->v_%s = beta2 * state->v_%s + (1 - beta2) * %s * %s;\n", in, p, p,
                   partial, partial);
        buf_printf(c, x->out, "%snn->%s -= step_size * state->m_%s / (sqrt%s(state->v_%s) / "
                              "bias_correction2_sqrt + epsilon);\n", in, p, p, single ? "f" : "", p);
        break;
    }
}

/* The optimizer's formulas, as the comment of NAME_update gives them. */
static void update_formulas(Explainer *x)
{
    static const char *const momentum[] = {
        "velocity_param = momentum * velocity_param + d_L_d_param",
        "param -= learn_rate * (d_L_d_param + momentum * velocity_param)   (Nesterov)",
        "param -= learn_rate * velocity_param",
    };
    static const char *const adam[] = {
        "m_param = beta1 * m_param + (1 - beta1) * d_L_d_param",
        "v_param = beta2 * v_param + (1 - beta2) * d_L_d_param^2",
        "param -= learn_rate * m_hat / (sqrt(v_hat) + epsilon),",
        "m_hat = m_param / (1 - beta1^t), v_hat = v_param / (1 - beta2^t)",
    };
    if (x->net->spec->optimizer == OPT_MOMENTUM) {
        buf_printf(x->c, x->out, "    %s\n", momentum[0]);
        buf_printf(x->c, x->out, "    %s\n", momentum[x->net->spec->nesterov ? 1 : 2]);
    } else {
        for (int i = 0; i < 4; i++)
            buf_printf(x->c, x->out, "    %s\n", adam[i]);
    }
    buf_puts(x->c, x->out, "\n");
}

/*
 * Explains a value of the optimizer's state (velocity_w1, or m_w1 and
 * v_w1): what it is, the update's formulas, and the lines of NAME_update
 * for its parameter.  0 if name is none.
 */
int explain_state(Explainer *x, const char *name)
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
    const char *fn = ctx_printf(c, "%s_update", s->name), *opt = s->optimizer == OPT_ADAM ? "adam" : "momentum";
    if (!x->compact) {
        paragraph(x, ctx_printf(c, "%s is what optimizer %s keeps for the parameter %s: %s. In the generated C "
                                   "it is state->%s, a member of struct %s_optimizer, which %s updates once a "
                                   "batch, from d_L_d_%s, the mean partial of the batch:",
                                name, opt, p->name, what[k], name, s->name, fn, p->name));
        update_formulas(x);
        paragraph(x, ctx_printf(c, "In %s, for %s:", fn, p->name));
        update_lines(x, p->name, ctx_printf(c, "d_L_d_%s", p->name), "    ");
        return 1;
    }
    const char *a = p->input < 0 ? "b" : "w";
    int i = (int)(p - x->net->params) - (p->input < 0 ? x->net->nweights : 0);
    paragraph(x, ctx_printf(c, "%s is what optimizer %s keeps for the parameter %s: %s. In the generated C "
                               "it is state->%s%s[%d], in an array of struct %s_optimizer, which %s updates "
                               "once a batch, from d_L_d_%s at i = %d, the mean partial of the batch:",
                            name, opt, p->name, what[k], prefixes[k], a, i, s->name, fn, a, i));
    update_formulas(x);
    paragraph(x, ctx_printf(c, "In %s, the loop over %s that updates it:", fn, a));
    int n = p->input < 0 ? x->net->nneurons : x->net->nweights;
    buf_printf(c, x->out, "    for (int i = 0; i < %d; i++) {\n", n);
    update_lines(x, ctx_printf(c, "%s[i]", a), ctx_printf(c, "d_L_d_%s", a), "        ");
    buf_puts(c, x->out, "    }\n");
    return 1;
}

/* Reports that name is none, with the near miss or some examples; returns 1. */
int unknown(Explainer *x, const char *name)
{
    const char **words = ctx_array(x->c, (size_t)(x->nstmts + x->net->nparams) + 1, sizeof *words);
    int n = 0;
    for (int i = 0; i < x->nstmts; i++)
        words[n++] = x->m->values[x->stmt[i]].name;
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
        if (lookup(x, ex[i]) >= 0)
            fprintf(x->c->err, "%s%s", shown++ ? ", " : "", ex[i]);
    }
    fprintf(x->c->err, ")\n");
    return 1;
}

