/*
 * params_read.c: the trained values that the inference export writes into
 * its C, read from a file that the network's program saved (--save).
 *
 * The format is the runtime's (runtime/params.c, nnrt(1)): `name value`
 * lines, '#' comments, the parameters w1 .. b.., then mean_x and std_x
 * for a network that normalizes, then the state of training (epoch,
 * step, the optimizer's state), which inference has no use for and reads
 * only to check it.  nnc links only the runtime's internal library
 * (files, numbers), not the parser that needs a compiled network's
 * descriptor, so the few rules are kept here, from the spec's Net: every
 * parameter exactly once, finite values, positive deviations, a float
 * network's values inside float's range.  One thing more than the
 * runtime checks: the comment that --save writes first names the
 * network, and a file of another network is refused with both names.
 *
 * Errors read as the program's do: "nnc: FILE:LINE: error: MESSAGE".
 */
#include "emit.h"

#include <stdlib.h>
#include <string.h>

#include "nnrt_impl.h"

/* Where the values go, and what the file may name beside the parameters. */
typedef struct {
    Ctx *c;
    const Net *net;
    const char *path;
    Trained *t;
    int *seen;          /* the line of each slot: params, then mean_x, then std_x; 0 unseen */
    int nslots;
    const char *state[2]; /* the optimizer's prefixes (velocity_; m_, v_), or NULL */
} Reader;

/* Prints "nnc: FILE:LINE: error: MESSAGE" (no line: "nnc: FILE: error: ..."); returns 1. */
static int fail(Reader *r, int line, const char *fmt, ...) PRINTF_LIKE(3, 4);
static int fail(Reader *r, int line, const char *fmt, ...)
{
    char msg[1024];
    struct nnrt_error err;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    nnrt__set_error(&err, r->path, line, 0, "%s", msg);
    if (line > 0)
        fprintf(r->c->err, "nnc: %s:%d: error: %s\n", err.file, line, err.msg);
    else
        fprintf(r->c->err, "nnc: %s: error: %s\n", err.file, err.msg);
    return 1;
}

/* The spec's path as messages show it (nnrt__shown_name: cut, and safe for a terminal). */
static const char *spec_name(Reader *r)
{
    char buf[NNRT__SHOWN_NAME];
    return ctx_strdup(r->c, nnrt__shown_name(buf, r->net->spec->file));
}

/* The slot of parameter name[0..len) (w3, b2), or -1. */
static int param_slot(const Net *net, const char *name, size_t len)
{
    long k;
    if ((k = nnrt__numbered(name, len, "w", net->nweights)) > 0)
        return (int)k - 1;
    if ((k = nnrt__numbered(name, len, "b", net->nparams - net->nweights)) > 0)
        return net->nweights + (int)k - 1;
    return -1;
}

/* The slot of a name, -2 for a line of the state of training (read, not kept), or -1. */
static int slot_of(const Reader *r, const char *name, size_t len)
{
    const Net *net = r->net;
    int i = param_slot(net, name, len), ni = net->spec->ninputs;
    long k;
    if (i >= 0)
        return i;
    if (r->t->mean != NULL && (k = nnrt__numbered(name, len, "mean_x", ni)) > 0)
        return net->nparams + (int)k - 1;
    if (r->t->mean != NULL && (k = nnrt__numbered(name, len, "std_x", ni)) > 0)
        return net->nparams + ni + (int)k - 1;
    if ((len == 5 && memcmp(name, "epoch", 5) == 0) || (len == 4 && memcmp(name, "step", 4) == 0))
        return -2;
    for (int s = 0; s < 2 && r->state[s] != NULL; s++) {
        size_t n = strlen(r->state[s]);
        if (len > n && memcmp(name, r->state[s], n) == 0 && param_slot(net, name + n, len - n) >= 0)
            return -2;
    }
    return -1;
}

static const char *slot_name(const Reader *r, int i)
{
    const Net *net = r->net;
    int ni = net->spec->ninputs;
    if (i < net->nparams)
        return net->params[i].name;
    i -= net->nparams;
    return ctx_printf(r->c, i < ni ? "mean_x%d" : "std_x%d", i % ni + 1);
}

/* "w1 .. w6, b1 .. b3", and the normalization's names, for messages. */
static const char *names_held(const Reader *r)
{
    const Net *net = r->net;
    int nb = net->nparams - net->nweights, ni = net->spec->ninputs;
    const char *w = net->nweights == 1 ? "w1" : ctx_printf(r->c, "w1 .. w%d", net->nweights);
    const char *b = nb == 1 ? "b1" : ctx_printf(r->c, "b1 .. b%d", nb);
    if (r->t->mean == NULL)
        return ctx_printf(r->c, "%s, %s", w, b);
    return ctx_printf(r->c, "%s, %s, mean_x1 .. mean_x%d, std_x1 .. std_x%d", w, b, ni, ni);
}

/* "# parameters of network NAME", which --save writes first: NAME must be the spec's. */
static int check_comment(Reader *r, const char *p, int lineno)
{
    const char *name = r->net->spec->name;
    size_t n;
    const char *saved = nnrt__saved_network(p, &n);
    if (saved == NULL || (strlen(name) == n && memcmp(saved, name, n) == 0))
        return 0;
    return fail(r, lineno, "the file holds the parameters of network '%.*s', but %s is network '%s'",
                nnrt__quote_len(saved, n, 40), saved, spec_name(r), name);
}

/* Checks value v of slot i, read on line lineno.  Returns 0, or 1 having said why not. */
static int check_value(Reader *r, int i, double v, int lineno)
{
    const Net *net = r->net;
    char text[NNRT_DOUBLE_BUFSIZE];
    if (net->spec->single && i < net->nparams && isinf((float)v))
        return fail(r, lineno, "'%s' is %s: too large for precision float (the largest float is about "
                    "3.4028235e+38)", slot_name(r, i), nnrt_format_double(text, v));
    if (i >= net->nparams + net->spec->ninputs && !(v > 0))
        return fail(r, lineno, "'%s' must be greater than 0", slot_name(r, i));
    return 0;
}

/* Reads one line.  Returns 0, or 1 having said what is wrong with it. */
static int read_line(Reader *r, char *s, int lineno)
{
    char *p = lineno == 1 ? s + nnrt__bom(s) : s;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p == '#')
        return check_comment(r, p, lineno);
    if (*p == '\0')
        return 0;
    char *name = p;
    while (*p && *p != ' ' && *p != '\t')
        p++;
    size_t len = (size_t)(p - name);
    int i = slot_of(r, name, len);
    if (i == -1)
        return fail(r, lineno, "unknown parameter '%.*s' (network '%s' of %s has %s)",
                    nnrt__quote_len(name, len, 40), name, r->net->spec->name,
                    spec_name(r), names_held(r));
    while (*p == ' ' || *p == '\t')
        p++;
    char *hash = strchr(p, '#');
    if (hash != NULL)
        *hash = '\0';
    const char *what = i >= 0 ? slot_name(r, i) : ctx_strndup(r->c, name, len);
    double v;
    /* The state's counts are whole numbers, which a double reads as well for a check. */
    if (nnrt_parse_double(p, &v) != 0)
        return fail(r, lineno, "expected a finite number for '%s' but found '%.*s'", what,
                    nnrt__quote_len(p, strlen(p), 40), p);
    if (i < 0)
        return 0;
    if (r->seen[i])
        return fail(r, lineno, "parameter '%s' given twice (first on line %d)", what, r->seen[i]);
    if (check_value(r, i, v, lineno) != 0)
        return 1;
    r->seen[i] = lineno;
    int ni = r->net->spec->ninputs;
    if (i < r->net->nparams)
        r->t->param[i] = v;
    else if (i < r->net->nparams + ni)
        r->t->mean[i - r->net->nparams] = v;
    else
        r->t->std[i - r->net->nparams - ni] = v;
    return 0;
}

int read_trained(Ctx *c, const Net *net, const char *path, Trained *t)
{
    Spec *s = net->spec;
    Reader r = {c, net, path, t, NULL, 0, {NULL, NULL}};
    t->param = ctx_array(c, (size_t)net->nparams, sizeof *t->param);
    t->mean = s->normalize ? ctx_array(c, (size_t)s->ninputs, sizeof *t->mean) : NULL;
    t->std = s->normalize ? ctx_array(c, (size_t)s->ninputs, sizeof *t->std) : NULL;
    r.nslots = net->nparams + (s->normalize ? 2 * s->ninputs : 0);
    r.seen = ctx_array(c, (size_t)r.nslots, sizeof *r.seen);
    if (s->optimizer == OPT_MOMENTUM)
        r.state[0] = "velocity_";
    else if (s->optimizer == OPT_ADAM)
        r.state[0] = "m_", r.state[1] = "v_";

    struct nnrt_error err;
    size_t len;
    size_t max = (size_t)(r.nslots * 3 + 16) * 128;
    char *text = ctx_hold(c, nnrt__read_file_max(path, max > NNRT__MAX_FILE ? max : NNRT__MAX_FILE, &len, &err));
    if (text == NULL) {
        fprintf(c->err, "nnc: error: %s\n", err.msg);
        return 1;
    }
    int status = 0, lineno = 0;
    if (strlen(text) != len)
        status = fail(&r, 0, "NUL byte in a parameter file");
    char *rest = text, *line;
    while (status == 0 && (line = nnrt__next_line(&rest)) != NULL)
        status = read_line(&r, line, ++lineno);
    /* A missing value is placed where --save would have written it: after the one before it. */
    for (int i = 0; status == 0 && i < r.nslots; i++)
        if (!r.seen[i])
            status = fail(&r, i > 0 ? r.seen[i - 1] + 1 : 1, "no value for parameter '%s'%s (network '%s' "
                          "of %s has %s)", slot_name(&r, i), i > 0 ? ctx_printf(c, ", expected after '%s'",
                          slot_name(&r, i - 1)) : "", s->name, spec_name(&r), names_held(&r));
    ctx_drop(c, text);
    return status;
}
