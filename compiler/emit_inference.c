/*
 * emit_inference.c: the inference export (nnc --emit inference --params
 * FILE): a network's trained parameters as C constants, and the one
 * function that a device calls, NAME_predict.
 *
 * The export is the training C cut down to what prediction needs: the
 * parameter struct (emit_struct), filled from the file as `static const`
 * data, which a microcontroller keeps in flash; the saved normalization,
 * applied by NAME_normalize; and the feedforward of emit_unrolled.c or
 * emit_compact.c, made static.  Nothing else: no training, no optimizer,
 * no runtime library.  The activations that the runtime's nnrt.h defines
 * are written into the file, as nnrt.h computes them (the double
 * sigmoid's own exponential included, with runtime/exp.c's table), so
 * that NAME_predict gives the program's numbers to the last bit; the C
 * includes only <math.h> (and <stdint.h> for that exponential).
 *
 * emit_normalize also writes NAME_normalize into the training C of a
 * network that normalizes, for a program that embeds it.
 */
#include "emit.h"

#include <stdlib.h>
#include <string.h>

/* ---- The activations, copied from nnrt.h ---------------------------------- */

/*
 * Lines of C in which '@' stands for the export's prefix (NAME_): the test
 * of nnrt.h for its own exponential, which needs doubles evaluated as
 * doubles and no reassociation, then that exponential.
 */
static const char own_exp[] =
    "/*\n"
    " * The double sigmoid's exponential, as runtime/nnrt.h computes it (see there), from\n"
    " * runtime/exp.c's table, where the compiler evaluates doubles as written; libm's exp\n"
    " * elsewhere, as the runtime does.\n"
    " */\n"
    "#if defined(__GNUC__) && defined(__FLT_EVAL_METHOD__) && defined(__DBL_MANT_DIG__) && \\\n"
    "    !defined(__FAST_MATH__) && !defined(__ASSOCIATIVE_MATH__) && !defined(__INTEL_COMPILER) && \\\n"
    "    !defined(NNRT_LIBM_EXP)\n"
    "#if __FLT_EVAL_METHOD__ == 0 && __DBL_MANT_DIG__ == 53\n"
    "#if !defined(__clang__) || (defined(__apple_build_version__) && __clang_major__ >= 13) || \\\n"
    "    (!defined(__apple_build_version__) && __clang_major__ >= 11)\n"
    "#define NNC_OWN_EXP 1\n"
    "#endif\n"
    "#endif\n"
    "#endif\n"
    "\n"
    "#ifdef NNC_OWN_EXP\n"
    "#include <stdint.h>\n"
    "\n"
    "extern const double nnrt__exp_table[256];\n"
    "\n"
    "/* e^(sign x) for sign x in (-703, 0]. */\n"
    "static inline __attribute__((always_inline)) double @exp(double x, double sign)\n"
    "{\n"
    "#ifdef __clang__\n"
    "#pragma clang fp reassociate(off)\n"
    "#endif\n"
    "    union { double d; uint64_t u; } k, s;\n"
    "    double a = sign * x;\n"
    "\n"
    "    k.d = x * (sign * 184.66496523378731) + 6755399441055744.0;\n"
    "    double kd = k.d - 6755399441055744.0;\n"
    "    double r = a - kd * 0.0054152123481117087 - kd * 1.2864023111638346e-14;\n"
    "    double r2 = r * r;\n"
    "    const double *t = nnrt__exp_table + 2 * (k.u & 127);\n"
    "    double p = (t[1] + r) + r2 * (1.0 / 2 + r * (1.0 / 6)) + r2 * r2 * (1.0 / 24 + r * (1.0 / 120));\n"
    "\n"
    "    s.d = t[0];\n"
    "    s.u += k.u >> 7 << 52;\n"
    "    return s.d + s.d * p;\n"
    "}\n"
    "\n"
    "/* The sigmoid past +-703 and of NaN, from libm, as runtime/exp.c's. */\n"
    "static double @sigmoid_far(double x)\n"
    "{\n"
    "    if (x >= 0)\n"
    "        return 1 / (1 + exp(-x));\n"
    "    double e = exp(x);\n"
    "    return e / (1 + e);\n"
    "}\n"
    "#endif\n\n";

/* nnrt_sigmoid (the unrolled form's). */
static const char sigmoid[] =
    "/* The logistic function 1 / (1 + e^-x), as nnrt_sigmoid. */\n"
    "static inline double @sigmoid(double x)\n"
    "{\n"
    "#ifdef NNC_OWN_EXP\n"
    "#ifdef __clang__\n"
    "#pragma clang fp reassociate(off)\n"
    "#endif\n"
    "    double e;\n"
    "\n"
    "    if (x >= 0) {\n"
    "        if (!(x < 703))\n"
    "            return @sigmoid_far(x);\n"
    "        return 1 / (1 + @exp(x, -1));\n"
    "    }\n"
    "    if (!(x > -703))\n"
    "        return @sigmoid_far(x);\n"
    "    e = @exp(x, 1);\n"
    "    return e / (1 + e);\n"
    "#else\n"
    "    if (x >= 0)\n"
    "        return 1 / (1 + exp(-x));\n"
    "    double e = exp(x);\n"
    "    return e / (1 + e);\n"
    "#endif\n"
    "}\n\n";

/* nnrt_sigmoid_nobranch (the compact form's). */
static const char sigmoid_nobranch[] =
    "/* The logistic function without a branch on the sign, as nnrt_sigmoid_nobranch. */\n"
    "static inline double @sigmoid_nobranch(double x)\n"
    "{\n"
    "#ifdef NNC_OWN_EXP\n"
    "#ifdef __clang__\n"
    "#pragma clang fp reassociate(off)\n"
    "#endif\n"
    "    double a = -fabs(x), e, step;\n"
    "\n"
    "    if (!(a > -703))\n"
    "        return @sigmoid_far(x);\n"
    "    e = @exp(a, 1);\n"
    "    step = 0.5 + copysign(0.5, x);\n"
    "    return (e > step ? e : step) / (1 + e);\n"
    "#else\n"
    "    double e = exp(-fabs(x));\n"
    "    return (x >= 0 ? 1 : e) / (1 + e);\n"
    "#endif\n"
    "}\n\n";

/* The rest, in float and in double, as nnrt.h has them. */
static const char *const float_acts[][2] = {
    {"sigmoidf", "static inline float @sigmoidf(float x)\n{\n    if (x >= 0)\n        return 1 / (1 + expf(-x));\n"
                 "    float e = expf(x);\n    return e / (1 + e);\n}\n\n"},
    {"sigmoid_nobranchf", "static inline float @sigmoid_nobranchf(float x)\n{\n    float e = expf(-fabsf(x));\n"
                          "    return (x >= 0 ? 1 : e) / (1 + e);\n}\n\n"},
};

/* Writes text with '@' replaced by the export's prefix. */
static void write_template(Emitter *e, const char *text)
{
    for (const char *p = text; *p != '\0';) {
        size_t n = strcspn(p, "@");
        W("%.*s", (int)n, p);
        p += n;
        if (*p == '@') {
            W("%s", e->rt);
            p++;
        }
    }
}

/* Is act the activation of some layer of e's network? */
static int uses(Emitter *e, Act act)
{
    for (int l = 0; l < e->s->nlayers; l++)
        if (e->s->layers[l].act == act)
            return 1;
    return 0;
}

/* The activations that the feedforward calls, and only those (a static function unused is a warning). */
static void emit_activations(Emitter *e)
{
    const char *t = e->type, *f = e->f;
    if (uses(e, ACT_SIGMOID)) {
        if (e->single)
            write_template(e, float_acts[e->compact][1]);
        else {
            write_template(e, own_exp);
            write_template(e, e->compact ? sigmoid_nobranch : sigmoid);
        }
    }
    if (uses(e, ACT_TANH))
        W("static inline %s %stanh%s(%s x)\n{\n    return tanh%s(x);\n}\n\n", t, e->rt, f, t, f);
    if (uses(e, ACT_RELU))
        W("static inline %s %srelu%s(%s x)\n{\n    return x > 0 ? x : 0;\n}\n\n", t, e->rt, f, t);
    if (uses(e, ACT_LEAKY_RELU))
        W("static inline %s %sleaky_relu%s(%s x)\n{\n    return x >= 0 ? x : 0.01%s * x;\n}\n\n", t, e->rt, f, t, f);
}

/* ---- The constants ---------------------------------------------------------- */

/*
 * v as a constant of the precision: in float, the float that the program
 * stores (the double read, rounded once), in the fewest digits that give
 * it back, so that the compiler's own rounding of the literal cannot
 * differ.
 */
static const char *constant(Emitter *e, double v)
{
    if (!e->single)
        return num(e, v);
    float f = (float)v;
    for (int digits = 6; digits < 9; digits++) {
        char *s = ctx_printf(e->c, "%.*g", digits, (double)f);
        if (strtof(s, NULL) == f)
            return ctx_printf(e->c, "%s%sf", s, strpbrk(s, ".e") != NULL ? "" : ".0");
    }
    char *s = ctx_printf(e->c, "%.9g", (double)f);
    return ctx_printf(e->c, "%s%sf", s, strpbrk(s, ".e") != NULL ? "" : ".0");
}

/* "head v0, v1, ...," wrapped before 100 columns, each line indented by indent. */
static void values_lines(Emitter *e, int indent, const char **v, int n)
{
    int col = indent;
    W("%*s", indent, "");
    for (int i = 0; i < n; i++) {
        int w = (int)strlen(v[i]) + 1;
        if (col > indent && col + 1 + w > 100) {
            W("\n%*s", indent, "");
            col = indent;
        } else if (col > indent) {
            W(" ");
            col++;
        }
        W("%s,", v[i]);
        col += w;
    }
    W("\n");
}

/* The parameters as one static const struct: by name (unrolled) or as the arrays w and b (compact). */
static void emit_params(Emitter *e, const Trained *t)
{
    Net *net = e->net;
    W("/* The trained parameters, from the file. */\n");
    W("static const struct %s %s_params = {\n", e->name, e->name);
    if (e->compact) {
        int nb = net->nparams - net->nweights;
        const char **v = ctx_array(e->c, (size_t)net->nparams, sizeof *v);
        for (int i = 0; i < net->nparams; i++)
            v[i] = constant(e, t->param[i]);
        W("    .w = {\n");
        values_lines(e, 8, v, net->nweights);
        W("    },\n    .b = {\n");
        values_lines(e, 8, v + net->nweights, nb);
        W("    },\n");
    } else {
        for (int i = 0; i < net->nparams; i++)
            W("    .%s = %s,\n", pname_of(e, i), constant(e, t->param[i]));
    }
    W("};\n\n");
}

/* The saved means and deviations, in double as the program keeps them. */
static void emit_norm_values(Emitter *e, const Trained *t)
{
    int ni = e->s->ninputs;
    const char **v = ctx_array(e->c, (size_t)ni, sizeof *v);
    W("/* The normalization the program saved: mean_x1 .., std_x1 .. */\n");
    for (int k = 0; k < 2; k++) {
        for (int i = 0; i < ni; i++)
            v[i] = num(e, (k == 0 ? t->mean : t->std)[i]);
        W("static const double %s_%s[%d] = {\n", e->name, k == 0 ? "mean" : "std", ni);
        values_lines(e, 4, v, ni);
        W("};\n\n");
    }
}

void emit_normalize(Emitter *e)
{
    int ni = e->s->ninputs;
    /* The program's inputs are doubles; the export's are of the precision, converted exactly. */
    const char *xt = e->internal ? e->type : "double", *r = e->header ? "" : "restrict ";
    W("/*\n * The inputs normalized as the program normalizes them: xn[i] = (x[i] - mean[i]) / std[i],\n"
      " * in double%s, with the means and deviations the program saved (mean_x1 ..,\n"
      " * std_x1 ..) or computed over the data.\n */\n",
      e->single ? ", rounded once to float" : "");
    W("%svoid %s_normalize(const double mean[%s%d], const double std[%s%d],\n"
      "    const %s x[%s%d], %s xn[%s%d])%s", e->internal ? "static " : "", e->name, r, ni, r, ni, xt, r, ni,
      e->type, r, ni, e->header ? ";\n\n" : "\n{\n");
    if (e->header)
        return;
    W("    for (int i = 0; i < %d; i++)\n        xn[i] = %s;\n}\n\n", ni,
      e->single ? "(float)((x[i] - mean[i]) / std[i])" : "(x[i] - mean[i]) / std[i]");
}

/* ---- The export --------------------------------------------------------------- */

static int is_classifier(Emitter *e)
{
    Act out = e->s->layers[e->s->nlayers - 1].act;
    return out == ACT_SOFTMAX || (out == ACT_SIGMOID && e->net->noutputs == 1);
}

/* NAME_predict and, for a classifier, NAME_classify (header: their declarations). */
static void emit_predict(Emitter *e)
{
    const char *n = e->name, *t = e->type, *r = e->header ? "" : "restrict ";
    int ni = e->s->ninputs, no = e->net->noutputs;
    const char *end = e->header ? ";\n\n" : "\n{\n";
    W("/* The network's output%s for the input%s x, %sas the program's --predict prints %s. */\n",
      no == 1 ? "" : "s", ni == 1 ? "" : "s", e->s->normalize ? "normalized first, " : "",
      no == 1 ? "it" : "them");
    W("void %s_predict(const %s x[%s%d], %s y_pred[%s%d])%s", n, t, r, ni, t, r, no, end);
    if (!e->header) {
        if (e->s->normalize) {
            W("    %s xn[%d];\n\n", t, ni);
            W("    %s_normalize(%s_mean, %s_std, x, xn);\n", n, n, n);
        }
        W("    %s_feedforward(&%s_params, %s, y_pred);\n}\n\n", n, n, e->s->normalize ? "xn" : "x");
    }
    if (!is_classifier(e))
        return;
    if (no == 1)
        W("/* The class of x: 1 when the output is at least 0.5, as the program counts accuracy, else 0. */\n");
    else
        W("/* The class of x, 0 .. %d: the index of the largest output (the first of equal ones). */\n", no - 1);
    W("int %s_classify(const %s x[%s%d])%s", n, t, r, ni, end);
    if (e->header)
        return;
    W("    %s y[%d];\n\n    %s_predict(x, y);\n", t, no, n);
    if (no == 1) {
        W("    return y[0] >= 0.5%s;\n}\n", e->f);
        return;
    }
    W("    int best = 0;\n\n    for (int k = 1; k < %d; k++)\n        if (y[k] > y[best])\n            best = k;\n", no);
    W("    return best;\n}\n");
}

static void emit_opening(Emitter *e, const char *what, const char *params)
{
    W("/*\n * %s of the network '%s',\n * generated by nnc %s from %s\n", what, e->name, NNC_VERSION,
      comment_text(e->c, e->s->file));
    W(" * with the parameters of %s.\n", comment_text(e->c, params));
    W(" * %d input%s, %d output%s, %d parameters, in %s.  Edit the spec, not this file.\n */\n", e->s->ninputs,
      e->s->ninputs == 1 ? "" : "s", e->net->noutputs, e->net->noutputs == 1 ? "" : "s", e->net->nparams,
      e->type);
}

/* The export's header: the sizes, the class count, NAME_predict and NAME_classify. */
static void emit_inference_header(Emitter *e, const char *params)
{
    const char *n = e->name;
    emit_opening(e, "The header of the inference C", params);
    W("#ifndef NNC_%s_MODEL_H\n#define NNC_%s_MODEL_H\n\n", n, n);
    W("/* Inputs, outputs and parameters, for sizing arrays. */\n");
    W("#define %s_NINPUTS %d\n#define %s_NOUTPUTS %d\n#define %s_NPARAMS %d\n", n, e->s->ninputs, n,
      e->net->noutputs, n, e->net->nparams);
    if (is_classifier(e))
        W("/* The classes that %s_classify tells apart. */\n#define %s_NCLASSES %d\n", n, n,
          e->net->noutputs == 1 ? 2 : e->net->noutputs);
    W("\n#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n");
    emit_predict(e);
    W("#ifdef __cplusplus\n}\n#endif\n\n#endif\n");
}

int emit_inference(Ctx *c, Model *m, const char *params, Buf *out, Buf *header)
{
    Trained t;
    if (read_trained(c, m->net, params, &t) != 0)
        return 1;
    Emitter em = emitter(c, m, out, 0);
    Emitter *e = &em;
    e->rt = ctx_printf(c, "%s_", e->name);
    e->internal = 1;
    emit_opening(e, "Inference C", params);
    W("#include <math.h>\n\n");
    emit_activations(e);
    if (e->compact)
        emit_compact_struct(e);
    else
        emit_struct(e);
    emit_params(e, &t);
    if (e->s->normalize) {
        emit_norm_values(e, &t);
        emit_normalize(e);
    }
    if (e->compact)
        emit_compact_feedforward(e);
    else
        emit_feedforward(e);
    e->internal = 0;
    emit_predict(e);
    if (header != NULL) {
        Emitter hem = emitter(c, m, header, 1);
        hem.rt = e->rt;
        emit_inference_header(&hem, params);
    }
    return 0;
}
