/*
 * check.c: from a syntax tree to a Spec, or to error messages.
 *
 * The parser knows only the shape of the text; this pass knows what it
 * means.  It reads each block, checks every number against what it stands
 * for (a size, a rate, a seed), resolves the names of activations, losses
 * and parameters, splits inline data into rows and reads data files.  It
 * keeps going after an error, so that one run reports them all, each at
 * the token it is about.  Sizes are checked before anything is allocated
 * from them.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nnc.h"
#include "nnrt_impl.h"

/* The tables are the runtime's (runtime/names.c), so that nnc and a program name things alike. */
const char *const *const act_names = nnrt__act_names;
const char *const *const loss_names = nnrt__loss_names;
const char *const *const init_names = nnrt__init_names;
const char *const *const opt_names = nnrt__opt_names;

static const char *const stmt_names[] = {
    "input", "hidden", "output", "loss", "learn_rate", "epochs", "seed", "init", "normalize",
    "optimizer", "batch", "shuffle", "weight_decay", "precision", "validate", "early_stop", "schedule",
    "conv", "pool", "classes",
};

static const char *const c_keywords[] = {
    "auto", "break", "case", "char", "const", "continue", "default", "do", "double",
    "else", "enum", "extern", "float", "for", "goto", "if", "inline", "int", "long",
    "register", "restrict", "return", "short", "signed", "sizeof", "static", "struct",
    "switch", "typedef", "union", "unsigned", "void", "volatile", "while", "_Bool",
    "_Complex", "_Imaginary",
    /* GNU C's, and C23's (gcc 15's default): a plain `cc` of the C would not take them */
    "asm", "typeof", "typeof_unqual", "bool", "true", "false", "nullptr", "constexpr",
    "alignas", "alignof", "static_assert", "thread_local", NULL,
};

/*
 * Object-like macros that the generated C sees through nnrt.h (<math.h>,
 * <stddef.h>, <stdint.h>, with gcc's and clang's defaults), and the ones
 * gcc predefines outside strict ISO mode: a network named after one would
 * make 'struct NAME' something else.  The families that C reserves for
 * these headers are matched by reserved_macro too.
 */
static const char *const c_macros[] = {
    "NULL", "NAN", "INFINITY", "HUGE_VAL", "HUGE_VALF", "HUGE_VALL", "MATH_ERRNO",
    "MATH_ERREXCEPT", "math_errhandling", "SIZE_MAX", "PTRDIFF_MIN", "PTRDIFF_MAX",
    "SIG_ATOMIC_MIN", "SIG_ATOMIC_MAX", "WCHAR_MIN", "WCHAR_MAX", "WINT_MIN", "WINT_MAX",
    "M_E", "M_LOG2E", "M_LOG10E", "M_LN2", "M_LN10", "M_PI", "M_PI_2", "M_PI_4", "M_1_PI",
    "M_2_PI", "M_2_SQRTPI", "M_SQRT2", "M_SQRT1_2", "linux", "unix", "i386", "MAXFLOAT",
    "PTRDIFF_WIDTH", "SIG_ATOMIC_WIDTH", "SIZE_WIDTH", "WCHAR_WIDTH", "WINT_WIDTH", NULL,
};

/* Is name an M_ constant of c_macros with a type's suffix, as GNU's math.h has them: M_PIl, M_PIf64? */
static int m_constant_of_type(const char *name)
{
    if (strncmp(name, "M_", 2) != 0)
        return 0;
    size_t n = strlen(name);
    while (n > 2 && ((name[n - 1] >= '0' && name[n - 1] <= '9') || name[n - 1] == 'x'))
        n--;
    if (n < 3 || (name[n - 1] != 'f' && name[n - 1] != 'l'))
        return 0;
    for (int i = 0; c_macros[i] != NULL; i++)
        if (strncmp(c_macros[i], "M_", 2) == 0 && strlen(c_macros[i]) == n - 1 &&
            strncmp(c_macros[i], name, n - 1) == 0)
            return 1;
    return 0;
}

/* Is name a macro of c_macros, or of a reserved family: FP_X, INTn_MAX, UINTn_MAX, ...? */
static int reserved_macro(const char *name)
{
    for (int i = 0; c_macros[i] != NULL; i++)
        if (strcmp(name, c_macros[i]) == 0)
            return 1;
    if (strncmp(name, "FP_", 3) == 0 && name[3] >= 'A' && name[3] <= 'Z')
        return 1; /* C99 7.12: FP_NAN, FP_ILOGB0, ... */
    /* GNU math.h: M_PIl, M_Ef32, ...; HUGE_VAL_F64, ...; SNAN, SNANF, SNANL, SNANF128, ... */
    if (m_constant_of_type(name) || strncmp(name, "HUGE_VAL_F", 10) == 0 || strcmp(name, "SNAN") == 0 ||
        strcmp(name, "SNANL") == 0 || strncmp(name, "SNANF", 5) == 0)
        return 1;
    size_t n = strlen(name);
    /* C99 7.26.8, C23 7.22: INT or UINT, then anything, then _MAX, _MIN, _WIDTH or _C (INT8_MAX, ...) */
    if (strncmp(name, "INT", 3) == 0 || strncmp(name, "UINT", 4) == 0)
        return (n > 4 && (strcmp(name + n - 4, "_MAX") == 0 || strcmp(name + n - 4, "_MIN") == 0)) ||
               (n > 6 && strcmp(name + n - 6, "_WIDTH") == 0) || (n > 2 && strcmp(name + n - 2, "_C") == 0);
    return 0;
}

/* A quoted token for a message, cut to 40 characters. */
const char *quoted(Ctx *c, const char *s)
{
    if (strlen(s) > 40)
        return ctx_printf(c, "'%.40s...'", s);
    return ctx_printf(c, "'%s'", s);
}

/*
 * The number of a token, or NAN after an error: overflow, or a malformed
 * number that the lexer has already reported.
 */
double number_of(Ctx *c, Token t)
{
    char *end;
    if (strlen(t.text) > MAX_TOKEN)
        return NAN; /* the lexer said so */
    errno = 0;
    double v = strtod(t.text, &end);
    if (*end != '\0')
        return NAN;
    if (errno == ERANGE && fabs(v) > 1) {
        error_at(c, t.loc, "number %s is too large for a double", quoted(c, t.text));
        return NAN;
    }
    return v;
}

/* x as the shortest decimal that reads back, for messages. */
const char *shortest_text(Ctx *c, double x)
{
    char buf[NNRT_DOUBLE_BUFSIZE];
    return ctx_strdup(c, nnrt_format_double(buf, x));
}

/*
 * In a network that computes in float, each number of the spec becomes a
 * float, and one past float's range would be inf there.  Reports v, read
 * from t, when it is; returns 1 then, else 0.
 */
int too_large_for_float(Ctx *c, const Spec *s, Token t, double v)
{
    if (!s->single || isnan(v) || !isinf((float)v))
        return 0;
    error_at(c, t.loc, "number %s is too large for precision float (the largest float is about 3.4028235e+38)",
             quoted(c, t.text));
    return 1;
}

/*
 * v, a setting of s read from t, as the network will have it: in float
 * (a value past float's range is reported and is NAN; one that rounds to
 * lo is reported when lo is excluded, as it would be lo there).
 */
static double as_computed(Ctx *c, const Spec *s, Token t, double v, double lo, int closed, const char *what)
{
    if (isnan(v) || !s->single)
        return v;
    if (too_large_for_float(c, s, t, v))
        return NAN;
    if (!closed && (float)v == lo) {
        error_at(c, t.loc, "%s %s is %g in precision float, and must be greater than %g", what, t.text, lo, lo);
        return NAN;
    }
    return v;
}

/* A whole number in [min, max] for `what`; -1 after an error. */
static long whole(Ctx *c, Token t, long min, long max, const char *what)
{
    double v = number_of(c, t);
    if (isnan(v))
        return -1;
    if (strpbrk(t.text, ".eE") != NULL || v != floor(v)) {
        error_at(c, t.loc, "expected a whole number for %s but found %s", what, quoted(c, t.text));
        return -1;
    }
    if (v < (double)min || v > (double)max) {
        if (min == max)
            error_at(c, t.loc, "%s must be %ld but is %s", what, min, t.text);
        else if (v < (double)min)
            error_at(c, t.loc, "%s must be at least %ld but is %s", what, min, t.text);
        else
            error_at(c, t.loc, "%s must be at most %ld but is %s", what, max, t.text);
        return -1;
    }
    return (long)v;
}

/* Looks up word in names (NULL-terminated); -1 after an error naming `what`. */
static int lookup(Ctx *c, Token word, const char *const *names, const char *what)
{
    if (strlen(word.text) > MAX_TOKEN)
        return -1; /* the lexer said so */
    for (int i = 0; names[i] != NULL; i++)
        if (strcmp(word.text, names[i]) == 0)
            return i;
    Buf b = {0};
    buf_printf(c, &b, "unknown %s %s", what, quoted(c, word.text));
    const char *near = suggestion(word.text, names);
    if (near != NULL) {
        buf_printf(c, &b, "; did you mean '%s'?", near);
    } else {
        buf_puts(c, &b, " (expected ");
        for (int i = 0; names[i] != NULL; i++)
            buf_printf(c, &b, "%s%s", i == 0 ? "" : names[i + 1] ? ", " : " or ", names[i]);
        buf_puts(c, &b, ")");
    }
    error_at(c, word.loc, "%s", b.s);
    return -1;
}

long layer_weights(int ninputs, const Layer *layers, int l)
{
    const Layer *y = &layers[l];
    if (y->type == LAYER_CONV)
        return (long)y->out.c * y->kh * y->kw * y->in.c;
    if (y->type == LAYER_POOL)
        return 0;
    return (long)y->size * (l == 0 ? ninputs : layers[l - 1].size);
}

long layer_biases(const Layer *layer)
{
    return layer->type == LAYER_POOL ? 0 : layer->type == LAYER_CONV ? layer->out.c : layer->size;
}

long count_params(int ninputs, const Layer *layers, int nlayers)
{
    long n = 0;
    for (int l = 0; l < nlayers; l++) {
        n += layer_weights(ninputs, layers, l) + layer_biases(&layers[l]);
        if (n > MAX_PARAMS)
            return -1;
    }
    return n;
}

/* Checks that the network's name can prefix C identifiers. */
static void check_name(Ctx *c, Token name)
{
    if (strlen(name.text) > MAX_TOKEN)
        return; /* the lexer said so */
    if (strlen(name.text) > MAX_NAME) {
        error_at(c, name.loc, "network name is %zu characters long; the limit is %d",
                 strlen(name.text), MAX_NAME);
        return;
    }
    for (int i = 0; c_keywords[i] != NULL; i++)
        if (strcmp(name.text, c_keywords[i]) == 0) {
            error_at(c, name.loc, "network name '%s' is a C keyword; it must be usable as a C identifier",
                     name.text);
            return;
        }
    if (reserved_macro(name.text))
        error_at(c, name.loc, "network name '%s' is a C macro that the generated code would see; it must be usable as a C identifier",
                 name.text);
    else if (strcmp(name.text, "main") == 0)
        error_at(c, name.loc, "network name 'main' would clash with the program's main function");
    else if (name.text[0] == '_')
        error_at(c, name.loc, "network name '%s' starts with '_', which C reserves", name.text);
    else if (strncmp(name.text, "nnrt", 4) == 0 || strncmp(name.text, "NNRT", 4) == 0)
        error_at(c, name.loc, "network name '%s' starts with '%.4s', which the runtime uses", name.text,
                 name.text);
}

/* A name and where it is in its list, for sorting. */
typedef struct {
    const char *name;
    int i;
} Named;

static int by_name(const void *a, const void *b)
{
    const Named *x = a, *y = b;
    int d = strcmp(x->name, y->name);
    return d != 0 ? d : (x->i > y->i) - (x->i < y->i);
}

/*
 * For each of the n names, the index of the first one spelled the same, or
 * -1 for a first: by sorting, as a spec may name 100,000 inputs.
 */
int *first_same(Ctx *c, const char *const *names, int n)
{
    if (n == 0)
        return NULL;
    Named *v = ctx_array(c, (size_t)n, sizeof *v);
    int *first = ctx_array(c, (size_t)n, sizeof *first);
    for (int i = 0; i < n; i++)
        v[i] = (Named){names[i], i};
    qsort(v, (size_t)n, sizeof *v, by_name);
    /* A run of one name is in list order: its first is the first. */
    for (int k = 0, start = 0; k < n; k++) {
        if (strcmp(v[k].name, v[start].name) != 0)
            start = k;
        first[v[k].i] = k == start ? -1 : v[start].i;
    }
    return first;
}

/* Is the token a number (rather than a name)? */
static int is_number(Token t)
{
    char ch = t.text[0];
    return (ch >= '0' && ch <= '9') || ch == '.' || ch == '-' || ch == '+';
}

/* A number in (lo, hi] (or [lo, hi] when closed) for `what`; NAN after an error. */
static double in_range(Ctx *c, const Spec *s, Token t, double lo, double hi, int closed, const char *what)
{
    double v = number_of(c, t);
    if (isnan(v))
        return NAN;
    if (v < lo || v > hi || (!closed && v == lo)) {
        error_at(c, t.loc, "%s must be %s %g and at most %g but is %s", what,
                 closed ? "at least" : "greater than", lo, hi, t.text);
        return NAN;
    }
    return as_computed(c, s, t, v, lo, closed, what);
}

/*
 * `optimizer sgd`, `optimizer momentum [X] [nesterov]`, or
 * `optimizer adam [beta1 X] [beta2 X] [epsilon X]`.
 */
static void check_optimizer(Ctx *c, Stmt *st, Spec *s)
{
    static const char *const adam_words[] = {"beta1", "beta2", "epsilon", NULL};
    static const char *const momentum_words[] = {"nesterov", NULL};
    int kind = lookup(c, st->word, opt_names, "optimizer");
    if (kind < 0)
        return;
    s->optimizer = (OptKind)kind;
    int seen[3] = {0};
    for (TokenList *t = st->names; t != NULL; t = t->next) {
        Token tok = t->tok;
        if (kind == OPT_SGD) {
            error_at(c, tok.loc, "optimizer sgd takes no settings but found %s", quoted(c, tok.text));
            return;
        }
        if (kind == OPT_MOMENTUM) {
            if (is_number(tok) && t == st->names) {
                double v = in_range(c, s, tok, 0, 1, 0, "momentum");
                if (!isnan(v))
                    s->momentum = v;
            } else if (!is_number(tok) && strcmp(tok.text, "nesterov") == 0 && !s->nesterov) {
                s->nesterov = 1;
            } else {
                const char *near = is_number(tok) ? NULL : near_miss(tok.text, momentum_words);
                error_at(c, tok.loc, "expected the momentum (as in 'optimizer momentum 0.9 nesterov')%s "
                                     "but found %s%s%s%s", s->nesterov ? "" : " or 'nesterov'", quoted(c, tok.text),
                         near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
                return;
            }
            continue;
        }
        /* adam: name-value pairs */
        int k = -1;
        if (!is_number(tok))
            for (int i = 0; adam_words[i]; i++)
                if (strcmp(tok.text, adam_words[i]) == 0)
                    k = i;
        if (k < 0) {
            const char *near = is_number(tok) ? NULL : near_miss(tok.text, adam_words);
            error_at(c, tok.loc, "expected a setting of adam (beta1, beta2, epsilon) but found %s%s%s%s",
                     quoted(c, tok.text), near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
            return;
        }
        if (t->next == NULL || !is_number(t->next->tok)) {
            error_at(c, tok.loc, "expected a number after '%s'", tok.text);
            return;
        }
        t = t->next;
        /* A mistake in one setting is reported, and the next is read. */
        if (seen[k]) {
            error_at(c, tok.loc, "duplicate setting '%s'", tok.text);
            continue;
        }
        seen[k] = 1;
        double v = in_range(c, s, t->tok, 0, 1, k < 2, tok.text);
        if (isnan(v))
            continue;
        if (k < 2 && v == 1) {
            error_at(c, t->tok.loc, "%s must be less than 1 but is %s", tok.text, t->tok.text);
            continue;
        }
        if (k < 2 && s->single && (float)v == 1) {
            error_at(c, t->tok.loc, "%s %s is 1 in precision float, and must be less than 1", tok.text,
                     t->tok.text);
            continue;
        }
        if (k == 0)
            s->beta1 = v;
        else if (k == 1)
            s->beta2 = v;
        else
            s->epsilon = v;
    }
}

/*
 * `schedule step EVERY GAMMA`, `schedule exponential GAMMA` or `schedule
 * cosine T_MAX [ETA_MIN]`: PyTorch's StepLR, ExponentialLR and
 * CosineAnnealingLR, which the runtime steps once an epoch.
 */
static void check_schedule(Ctx *c, Stmt *st, Spec *s)
{
    static const char *const kinds[] = {"step", "exponential", "cosine", NULL};
    static const char *const form[] = {
        "'schedule step EVERY GAMMA' (as in 'schedule step 30 0.1')",
        "'schedule exponential GAMMA' (as in 'schedule exponential 0.95')",
        "'schedule cosine T_MAX [ETA_MIN]' (as in 'schedule cosine 100 0.001')",
    };
    int k = lookup(c, st->word, kinds, "schedule");
    if (k < 0)
        return;
    int least = k == 0 ? 2 : 1, most = k == 1 ? 1 : 2, n = 0;
    Token num[2];
    for (TokenList *t = st->names; t != NULL; t = t->next) {
        if (!is_number(t->tok) || n == most) {
            error_at(c, t->tok.loc, "expected %s but found %s", form[k], quoted(c, t->tok.text));
            return;
        }
        num[n++] = t->tok;
    }
    if (n < least) {
        error_at(c, st->word.loc, "schedule %s needs %s: expected %s", kinds[k],
                 k == 0 ? "EVERY and GAMMA" : k == 1 ? "GAMMA" : "T_MAX", form[k]);
        return;
    }
    long every = 0;
    double gamma = 0, eta_min = 0;
    if (k != 1 && (every = whole(c, num[0], 1, INT_MAX, k == 0 ? "EVERY" : "T_MAX")) < 0)
        return;
    if (k != 2) {
        Token t = num[k == 0];
        if (isnan(gamma = number_of(c, t)))
            return;
        if (!(gamma > 0)) {
            error_at(c, t.loc, "GAMMA must be greater than 0 but is %s", t.text);
            return;
        }
    }
    if (k == 2 && n == 2) {
        if (isnan(eta_min = number_of(c, num[1])))
            return;
        if (!(eta_min >= 0)) {
            error_at(c, num[1].loc, "ETA_MIN must be at least 0 but is %s", num[1].text);
            return;
        }
    }
    s->schedule = k + 1;
    s->schedule_every = every;
    s->schedule_gamma = gamma;
    s->schedule_eta_min = eta_min;
}

/* `validate F`, `early_stop N` (which needs validate) and the schedule. */
static void check_validation(Ctx *c, Stmt *validate, Stmt *early_stop, Stmt *schedule, Spec *s)
{
    if (validate != NULL) {
        Token t = validate->num;
        double v = number_of(c, t);
        if (!isnan(v) && !(v > 0 && v < 1))
            error_at(c, t.loc, "validate must be greater than 0 and less than 1 but is %s", t.text);
        else if (!isnan(v))
            s->validate = v;
    }
    if (early_stop != NULL) {
        long n = whole(c, early_stop->num, 1, INT_MAX, "early_stop");
        if (n > 0 && validate == NULL)
            error_at(c, early_stop->loc, "early_stop needs validation rows: add 'validate F' (as in "
                                         "'validate 0.2')");
        else if (n > 0)
            s->early_stop = n;
    }
    if (schedule != NULL)
        check_schedule(c, schedule, s);
}

/* What check_network finds, before the rest of the spec is read. */
typedef struct {
    Stmt *seen[ST_CLASSES + 1]; /* by kind; hidden, conv and pool go to hidden[] */
    int nhidden;
    Stmt *hidden[MAX_LAYERS];
} NetworkStmts;

/* The inputs: a count, or names.  Returns 1 when they are wrong. */
static int check_inputs(Ctx *c, Stmt *in, Spec *s)
{
    int bad = 0;
    if (in->dims.text != NULL) {
        bad = check_input_shape(c, in, s);
    } else if (in->num.text != NULL) {
        s->ninputs = (int)whole(c, in->num, 1, MAX_INPUTS, "the number of inputs");
        bad |= s->ninputs < 0;
    } else {
        int count = 0;
        for (TokenList *t = in->names; t != NULL; t = t->next)
            count++;
        if (count > MAX_INPUTS) {
            error_at(c, in->loc, "%d inputs; the limit is %d", count, MAX_INPUTS);
            bad = 1;
        } else {
            s->ninputs = count;
            s->input_names = ctx_array(c, (size_t)count, sizeof *s->input_names);
            int i = 0;
            for (TokenList *t = in->names; t != NULL; t = t->next, i++)
                s->input_names[i] = t->tok.text;
            const int *first = first_same(c, (const char *const *)s->input_names, count);
            i = 0;
            for (TokenList *t = in->names; t != NULL; t = t->next, i++) {
                if (first[i] >= 0) {
                    error_at(c, t->tok.loc, "duplicate input name '%s' (input %d is also called so)",
                             t->tok.text, first[i] + 1);
                    bad = 1;
                }
            }
        }
    }

    return bad;
}

/* The hidden layers in order, then the output layer.  Returns 1 when one is wrong. */
static int check_layers(Ctx *c, const NetworkStmts *n, Stmt *out, Spec *s)
{
    int bad = 0;
    s->nlayers = n->nhidden + 1;
    s->layers = ctx_array(c, (size_t)s->nlayers, sizeof *s->layers);
    Shape map = s->input_shape;
    for (int l = 0; l < s->nlayers; l++) {
        Stmt *st = l < n->nhidden ? n->hidden[l] : out;
        if (st == NULL)
            continue;
        if (st->kind == ST_CONV || st->kind == ST_POOL) {
            if (map.h == 0) {
                error_at(c, st->loc, "a %s layer needs a map as its input, as in 'input 8x8' before it",
                         stmt_names[st->kind]);
                bad = 1;
            } else if (check_map_layer(c, st, s, map, &s->layers[l]) != 0) {
                bad = 1;
                map.h = 0;
            } else {
                map = s->layers[l].out;
            }
            continue;
        }
        const char *what = l < n->nhidden ? "the size of a hidden layer" : "the number of outputs";
        long size = whole(c, st->num, 1, MAX_NEURONS, what);
        int act = lookup(c, st->word, act_names, "activation");
        if (size < 0 || act < 0) {
            bad = 1;
            continue;
        }
        if (act == ACT_SOFTMAX && l < n->nhidden) {
            error_at(c, st->word.loc, "softmax is for the output layer only; a hidden layer "
                                      "needs sigmoid, tanh, relu, leaky_relu or linear");
            bad = 1;
        } else if (act == ACT_SOFTMAX && size < 2) {
            error_at(c, st->num.loc, "a softmax output needs at least 2 neurons but has %ld "
                                     "(for one output, use sigmoid)", size);
            bad = 1;
        }
        s->layers[l].size = (int)size;
        s->layers[l].act = (Act)act;
        s->layers[l].line = st->loc.line;
    }

    return bad;
}

/*
 * The rest are settings: a mistake in one is reported, and the shape
 * still stands.  The precision first, as nnc --precision may override
 * it: the numbers that follow must be numbers in it.
 */
static void check_settings(Ctx *c, const NetworkStmts *n, Stmt *out, int bad, Spec *s)
{
    if (n->seen[ST_PRECISION] != NULL) {
        static const char *const precisions[] = {"double", "float", NULL};
        int k = lookup(c, n->seen[ST_PRECISION]->word, precisions, "precision");
        s->single = k == 1;
    }
    if (c->precision != PREC_SPEC)
        s->single = c->precision == PREC_FLOAT;
    if (n->seen[ST_LOSS] != NULL) {
        Token w = n->seen[ST_LOSS]->word;
        int loss = lookup(c, w, loss_names, "loss");
        Act act = out != NULL && !bad ? s->layers[s->nlayers - 1].act : ACT_SIGMOID;
        if (loss == LOSS_CE && out != NULL && !bad && act != ACT_SOFTMAX)
            error_at(c, w.loc, "loss cross_entropy needs a softmax output, but the output is %s "
                               "(for sigmoid outputs, use binary_cross_entropy)", act_names[act]);
        else if (loss == LOSS_BCE && out != NULL && !bad && act != ACT_SIGMOID)
            error_at(c, w.loc, "loss binary_cross_entropy needs a sigmoid output, but the output is %s%s",
                     act_names[act], act == ACT_SOFTMAX ? " (use cross_entropy)" : "");
        else if (loss >= 0)
            s->loss = (LossKind)loss;
    }
    if (n->seen[ST_LEARN_RATE] != NULL) {
        Token t = n->seen[ST_LEARN_RATE]->num;
        double v = number_of(c, t);
        if (!isnan(v) && !(v > 0))
            error_at(c, t.loc, "learn_rate must be greater than 0 but is %s", t.text);
        else if (!isnan(v = as_computed(c, s, t, v, 0, 0, "learn_rate")))
            s->learn_rate = v;
    }
    if (n->seen[ST_EPOCHS] != NULL)
        s->epochs = whole(c, n->seen[ST_EPOCHS]->num, 0, MAX_EPOCHS, "epochs");
    if (n->seen[ST_SEED] != NULL) {
        Token t = n->seen[ST_SEED]->num;
        char *end;
        errno = 0;
        unsigned long long v = strtoull(t.text, &end, 10);
        if (t.text[0] == '-' || t.text[0] == '+' || *end != '\0' || errno == ERANGE)
            error_at(c, t.loc, "expected a whole number from 0 to 18446744073709551615 for seed but found %s",
                     quoted(c, t.text));
        else
            s->seed = (uint64_t)v;
    }
    if (n->seen[ST_INIT] != NULL) {
        int init = lookup(c, n->seen[ST_INIT]->word, init_names, "initialisation");
        if (init >= 0)
            s->init = (InitKind)init;
    }
    s->normalize = n->seen[ST_NORMALIZE] != NULL;
    s->momentum = 0.9;
    s->beta1 = 0.9;
    s->beta2 = 0.999;
    s->epsilon = 1e-8;
    s->batch = 1;
    if (n->seen[ST_OPTIMIZER] != NULL)
        check_optimizer(c, n->seen[ST_OPTIMIZER], s);
    if (n->seen[ST_BATCH] != NULL)
        s->batch = whole(c, n->seen[ST_BATCH]->num, 1, INT_MAX, "batch");
    s->shuffle = n->seen[ST_SHUFFLE] != NULL;
    if (n->seen[ST_WEIGHT_DECAY] != NULL) {
        Token t = n->seen[ST_WEIGHT_DECAY]->num;
        double v = number_of(c, t);
        if (!isnan(v) && !(v >= 0))
            error_at(c, t.loc, "weight_decay must be at least 0 but is %s", t.text);
        else if (!isnan(v = as_computed(c, s, t, v, 0, 1, "weight_decay")))
            s->weight_decay = v;
    }
    check_validation(c, n->seen[ST_VALIDATE], n->seen[ST_EARLY_STOP], n->seen[ST_SCHEDULE], s);
}

/*
 * The names of a classifier's classes: one for each softmax output, or two
 * for one sigmoid output (class 0, then class 1), each named once.
 */
static void check_classes(Ctx *c, Stmt *st, Spec *s)
{
    const Layer *out = &s->layers[s->nlayers - 1];
    int want = out->act == ACT_SOFTMAX ? out->size : out->act == ACT_SIGMOID && out->size == 1 ? 2 : 0;
    int count = 0;
    for (TokenList *t = st->names; t != NULL; t = t->next)
        count++;
    if (want == 0) {
        error_at(c, st->loc, "'classes' names the classes of a classifier (a softmax output, or one sigmoid "
                             "output), but the output is %d %s", out->size, act_names[out->act]);
        return;
    }
    if (count != want) {
        error_at(c, st->loc, "expected %d class names (%s) but found %d", want,
                 out->act == ACT_SOFTMAX ? "one for each softmax output" : "class 0, then class 1, of the "
                                                                            "sigmoid output", count);
        return;
    }
    char **names = ctx_array(c, (size_t)count, sizeof *names);
    int i = 0, ok = 1;
    for (TokenList *t = st->names; t != NULL; t = t->next)
        names[i++] = t->tok.text;
    const int *first = first_same(c, (const char *const *)names, count);
    i = 0;
    for (TokenList *t = st->names; t != NULL; t = t->next, i++) {
        if (first[i] >= 0) {
            error_at(c, t->tok.loc, "duplicate class name '%s' (class %d is also called so)", t->tok.text, first[i]);
            ok = 0;
        }
    }
    if (ok) {
        s->nclasses = count;
        s->class_names = names;
    }
}

static void check_network(Ctx *c, Block *b, Spec *s)
{
    NetworkStmts n = {0};
    int bad = 0; /* the network's shape is wrong: nothing can be read against it */

    check_name(c, b->name);
    s->name = b->name.text;
    s->learn_rate = 0.1;
    s->epochs = 1000;
    s->seed = 1;
    s->loss = LOSS_MSE;

    Stmt *dense = NULL; /* the first hidden or output statement so far */
    for (Stmt *st = b->stmts; st != NULL; st = st->next) {
        if ((st->kind == ST_CONV || st->kind == ST_POOL) && dense != NULL) {
            error_at(c, st->loc, "a %s layer after a dense layer ('%s' at %d:%d); conv and pool layers come "
                     "before the hidden and output layers", stmt_names[st->kind], stmt_names[dense->kind],
                     dense->loc.line, dense->loc.col);
            bad = 1;
            continue;
        }
        if (dense == NULL && (st->kind == ST_HIDDEN || st->kind == ST_OUTPUT))
            dense = st;
        if (st->kind == ST_HIDDEN || st->kind == ST_CONV || st->kind == ST_POOL) {
            if (n.nhidden == MAX_LAYERS - 1) {
                error_at(c, st->loc, "too many hidden layers; the limit is %d", MAX_LAYERS - 1);
                bad = 1;
                continue;
            }
            n.hidden[n.nhidden++] = st;
            continue;
        }
        if (n.seen[st->kind] != NULL) {
            error_at(c, st->loc, "duplicate '%s' statement (the first is at %d:%d)",
                     stmt_names[st->kind], n.seen[st->kind]->loc.line, n.seen[st->kind]->loc.col);
            bad = 1;
            continue;
        }
        n.seen[st->kind] = st;
    }

    Stmt *in = n.seen[ST_INPUT], *out = n.seen[ST_OUTPUT];
    /* After a syntax error in the block, a missing statement is likely the one that failed. */
    if (in == NULL && !c->syntax_errors)
        error_at(c, b->loc, "network '%s' has no 'input' statement (as in 'input 2')", s->name);
    if (out == NULL && !c->syntax_errors)
        error_at(c, b->loc, "network '%s' has no 'output' statement (as in 'output 1 sigmoid')",
                 s->name);
    if (in == NULL || out == NULL)
        bad = 1;

    if (in != NULL)
        bad |= check_inputs(c, in, s);

    bad |= check_layers(c, &n, out, s);

    s->loss_line = n.seen[ST_LOSS] ? n.seen[ST_LOSS]->loc.line : out ? out->loc.line : 0;

    check_settings(c, &n, out, bad, s);
    if (n.seen[ST_CLASSES] != NULL && !bad)
        check_classes(c, n.seen[ST_CLASSES], s);

    if (!bad && count_params(s->ninputs, s->layers, s->nlayers) < 0) {
        error_at(c, b->loc, "network '%s' has more than %d parameters, the limit", s->name, MAX_PARAMS);
        bad = 1;
    }
    if (!bad)
        s->nparams = (int)count_params(s->ninputs, s->layers, s->nlayers);
    else
        s->nparams = -1;
}

Spec *check(Ctx *c, Ast *ast)
{
    Spec *s = ctx_alloc(c, sizeof *s);
    s->file = c->file;
    Block *first[BLOCK_TEST + 1] = {0};
    static const char *const block_names[] = {"network", "params", "data", "predict", "test"};

    for (Block *b = ast->blocks; b != NULL; b = b->next) {
        if (first[b->kind] != NULL) {
            error_at(c, b->loc, "duplicate %s block (the first is at %d:%d)", block_names[b->kind],
                     first[b->kind]->loc.line, first[b->kind]->loc.col);
            continue;
        }
        first[b->kind] = b;
    }
    if (first[BLOCK_NETWORK] == NULL) {
        /* After a syntax error the block is likely the one that failed to parse. */
        Loc start = {1, 1};
        if (!c->syntax_errors)
            error_at(c, start, "expected a network block (as in 'network NAME { input 2 output 1 sigmoid }')");
        return NULL;
    }

    check_network(c, first[BLOCK_NETWORK], s);
    if (s->nparams < 0)
        return NULL; /* the rest is read against a network that does not make sense */
    if (first[BLOCK_PARAMS] != NULL)
        check_params(c, first[BLOCK_PARAMS], s);
    if (first[BLOCK_DATA] != NULL)
        check_rows(c, first[BLOCK_DATA], s, &s->ndata, &s->data);
    if (first[BLOCK_TEST] != NULL)
        check_rows(c, first[BLOCK_TEST], s, &s->ntest, &s->test);
    if (first[BLOCK_PREDICT] != NULL)
        check_predict(c, first[BLOCK_PREDICT], s);
    return c->nerrors == 0 ? s : NULL;
}
