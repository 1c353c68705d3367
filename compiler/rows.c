/*
 * rows.c: the blocks of a spec that hold numbers: params, data, test and
 * predict, checked against the network that check.c has made sense of.
 *
 * Rows are read from the spec or from a CSV file it names, split at their
 * arrows into inputs and targets (a class index becomes one-hot), and
 * checked against what the loss takes; each error names the row and the
 * number it is about.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nnc.h"
#include "nnrt_impl.h"

static int noutputs(const Spec *s)
{
    return s->layers[s->nlayers - 1].size;
}

/* Can targets be one class index instead of noutputs values? */
static int takes_class_index(const Spec *s)
{
    return s->layers[s->nlayers - 1].act == ACT_SOFTMAX;
}

/*
 * The cross-entropies take targets for probabilities, in [0, 1]; and
 * cross_entropy's simplification d_L_d_sum_ok = o_k - y_k holds only when
 * the targets of a row are a distribution: they must sum to 1.  Returns
 * what is wrong with the targets y of a row, or NULL.
 */
static const char *target_problem(Ctx *c, const Spec *s, const double *y)
{
    if (s->loss == LOSS_MSE)
        return NULL;
    double sum = 0;
    for (int k = 0; k < noutputs(s); k++) {
        if (!(y[k] >= 0 && y[k] <= 1))
            return ctx_printf(c, "a target must be from 0 to 1 for %s (a probability) but is %s",
                              s->loss == LOSS_CE ? "cross_entropy" : "binary_cross_entropy", shortest_text(c, y[k]));
        sum += y[k];
    }
    if (s->loss == LOSS_CE && fabs(sum - 1) > 1e-9)
        return ctx_printf(c, "the targets of a row must sum to 1 for cross_entropy (one-hot, a class index, "
                             "or probabilities) but sum to %s", shortest_text(c, sum));
    return NULL;
}

/* Stores targets into row: values as they are, or a class index as one-hot. */
static int put_targets(Ctx *c, const Spec *s, double *row, const double *v, int n, Loc loc)
{
    int k = noutputs(s);
    if (n == k) {
        memcpy(row, v, (size_t)k * sizeof *v);
        const char *bad = target_problem(c, s, row);
        if (bad != NULL) {
            error_at(c, loc, "%s", bad);
            return -1;
        }
        return 0;
    }
    if (v[0] != floor(v[0]) || v[0] < 0 || v[0] >= k) {
        error_at(c, loc, "a class index must be a whole number from 0 to %d but is %s", k - 1, shortest_text(c, v[0]));
        return -1;
    }
    for (int i = 0; i < k; i++)
        row[i] = i == (int)v[0];
    return 0;
}

/* Is the token a name (a class's, in a data row) rather than a number, which starts so? */
static int is_name(Token t)
{
    return t.text != NULL && strchr("0123456789.+-", t.text[0]) == NULL;
}

/* The index of the class named name, or -1. */
static int class_index_of(const Spec *s, const char *name)
{
    for (int k = 0; k < s->nclasses; k++)
        if (strcmp(s->class_names[k], name) == 0)
            return k;
    return -1;
}

/* "the classes are a, b, c" (the first ten, then "..."). */
static const char *class_list(Ctx *c, const Spec *s)
{
    Buf b = {0};
    buf_puts(c, &b, "the classes are ");
    for (int k = 0; k < s->nclasses && k < 10; k++)
        buf_printf(c, &b, "%s%s", k == 0 ? "" : ", ", s->class_names[k]);
    if (s->nclasses > 10)
        buf_puts(c, &b, ", ...");
    return b.s;
}

/*
 * A name in inline rows may only be a class's name, alone after a row's
 * arrow.  Reports the first name that cannot be one (as the parser once
 * did, when rows held numbers only): returns 1 when it did.
 */
static int bad_name_in_rows(Ctx *c, Block *b, const Spec *s)
{
    int after_arrow = 0;
    for (TokenList *t = b->items; t != NULL; t = t->next) {
        if (is_name(t->tok) && !(s->nclasses > 0 && after_arrow && class_index_of(s, t->tok.text) >= 0)) {
            if (s->nclasses == 0) {
                error_at(c, t->tok.loc, "expected '->' or a number or '}' or ',' but found %s", quoted(c, t->tok.text));
            } else if (!after_arrow) {
                error_at(c, t->tok.loc, "expected a number but found %s; a row's class goes after its '->'",
                         quoted(c, t->tok.text));
            } else {
                const char *near = near_miss(t->tok.text, (const char *const *)s->class_names);
                error_at(c, t->tok.loc, "unknown class %s (%s)%s", quoted(c, t->tok.text), class_list(c, s),
                         near != NULL ? ctx_printf(c, "; did you mean '%s'?", near) : "");
            }
            return 1;
        }
        after_arrow = t->is_arrow;
    }
    return 0;
}

/* "w1", "w1, w2", "w1, w2, w3" or "w1 .. w9": the names of n parameters. */
static const char *series(Ctx *c, char letter, int n)
{
    if (n == 1)
        return ctx_printf(c, "%c1", letter);
    if (n == 2)
        return ctx_printf(c, "%c1, %c2", letter, letter);
    if (n == 3)
        return ctx_printf(c, "%c1, %c2, %c3", letter, letter, letter);
    return ctx_printf(c, "%c1 .. %c%d", letter, letter, n);
}

/* The index of parameter name (w1.., then b1..), or -1 when it is none. */
static long param_index(const char *name, int nweights, int nbiases)
{
    if ((name[0] != 'w' && name[0] != 'b') || name[1] < '1' || name[1] > '9')
        return -1;
    char *end;
    errno = 0;
    long k = strtol(name + 1, &end, 10);
    if (*end != '\0' || errno != 0)
        return -1;
    if (name[0] == 'w')
        return k <= nweights ? k - 1 : -1;
    return k <= nbiases ? nweights + k - 1 : -1;
}

/*
 * What --save writes besides the parameters, so that a saved file pasted
 * into a params block is told apart from a mistake: 1 for training state
 * (epoch, step, an optimizer's velocity_, m_ or v_ of a parameter), 2 for
 * the input normalization (mean_xN, std_xN), 0 for neither.
 */
static int saved_extra(const char *name, int nweights, int nbiases)
{
    static const char *const state[] = {"velocity_", "m_", "v_"};
    if (strcmp(name, "epoch") == 0 || strcmp(name, "step") == 0)
        return 1;
    for (int k = 0; k < 3; k++) {
        size_t n = strlen(state[k]);
        if (strncmp(name, state[k], n) == 0 && param_index(name + n, nweights, nbiases) >= 0)
            return 1;
    }
    if ((strncmp(name, "mean_x", 6) == 0 || strncmp(name, "std_x", 5) == 0) &&
        name[name[0] == 'm' ? 6 : 5] >= '1' && name[name[0] == 'm' ? 6 : 5] <= '9')
        return 2;
    return 0;
}

void check_params(Ctx *c, Block *b, Spec *s)
{
    if (s->nparams < 0)
        return;
    int nweights = 0;
    for (int l = 0; l < s->nlayers; l++)
        nweights += (int)layer_weights(s->ninputs, s->layers, l);
    int nbiases = s->nparams - nweights;
    s->init_value = ctx_array(c, (size_t)s->nparams, sizeof *s->init_value);
    s->init_fixed = ctx_array(c, (size_t)s->nparams, sizeof *s->init_fixed);
    Loc *first = ctx_array(c, (size_t)s->nparams, sizeof *first);

    int said_normalization = 0;
    for (Entry *e = b->entries; e != NULL; e = e->next) {
        const char *name = e->name.text;
        long i = param_index(name, nweights, nbiases);
        int extra = i < 0 ? saved_extra(name, nweights, nbiases) : 0;
        /* Training state: a spec's training starts at epoch 0 whatever the file says (--load resumes). */
        if (extra == 1)
            continue;
        /* The file's normalization is not the program's, which comes from its data: once a block. */
        if (extra == 2) {
            if (!said_normalization++)
                error_at(c, e->name.loc, "%s is the input normalization that --save writes, not a parameter: "
                         "a params block takes only weights and biases (leave out the mean_x and std_x "
                         "lines, or give the file to the program's --load)",
                         quoted(c, name));
            continue;
        }
        if (i < 0) {
            error_at(c, e->name.loc, "unknown parameter %s: network '%s' has %s and %s", quoted(c, name),
                     s->name, series(c, 'w', nweights), series(c, 'b', nbiases));
            continue;
        }
        if (s->init_fixed[i]) {
            error_at(c, e->name.loc, "parameter '%s' is set twice (the first is at %d:%d)", name,
                     first[i].line, first[i].col);
            continue;
        }
        double v = number_of(c, e->values->tok);
        if (isnan(v) || too_large_for_float(c, s, e->values->tok, v))
            continue;
        s->init_value[i] = v;
        s->init_fixed[i] = 1;
        first[i] = e->name.loc;
    }
}

/* Reports the first of n values v, read from tok[], that is too large for float; 1 if one is. */
static int first_too_large(Ctx *c, const Spec *s, const double *v, const Token *tok, int n)
{
    for (int i = 0; i < n; i++)
        if (too_large_for_float(c, s, tok[i], v[i]))
            return 1;
    return 0;
}

/*
 * What is wrong with a row of data (ninputs and noutputs values) in a
 * float network, or NULL: a target past float's range, or an input, unless
 * the inputs are normalized (in double, before they become floats).
 */
static const char *float_problem(Ctx *c, const Spec *s, const double *row)
{
    /* The program's check of its --data rows, and its message. */
    int j = s->single ? nnrt__past_range(row, s->normalize ? s->ninputs : 0, s->ninputs + noutputs(s), 1) : -1;
    char msg[200];
    return j < 0 ? NULL : ctx_strdup(c, nnrt__too_large(msg, sizeof msg, s->ninputs, j, row[j], "", 1));
}

/* Is n a valid number of targets for a row of s? */
static int targets_fit(const Spec *s, int n)
{
    return n == noutputs(s) || (n == 1 && takes_class_index(s));
}

/* "expected 1 target after '->' but found 2", or its class-index form. */
static void bad_targets(Ctx *c, const Spec *s, Loc loc, int found, const char *hint)
{
    int no = noutputs(s);
    if (takes_class_index(s))
        error_at(c, loc, "expected %d targets or 1 class index after '->' but found %d%s", no, found, hint);
    else
        error_at(c, loc, "expected %d target%s after '->' but found %d%s", no, no == 1 ? "" : "s", found, hint);
}

/*
 * A hint for a miscounted run of n numbers at[]: when one was written
 * joined to the one before by a comma (joined[]), as in 0,5, that may have
 * been meant as a decimal comma.  Else "".
 */
static const char *decimal_hint(Ctx *c, const Token *at, const unsigned char *joined, int n)
{
    for (int i = 1; i < n; i++)
        if (joined[i])
            return ctx_printf(c, " ('%s,%s' is two numbers here; use '.' for decimals)", at[i - 1].text, at[i].text);
    return "";
}

/*
 * Reports a row without its arrow at the start of the n numbers at[],
 * where one row's inputs were expected: their first line is a whole row
 * (its inputs and its targets), and more lines follow it unless `last`
 * (the numbers end the block).  Returns 1 when it did.
 */
static int row_without_arrow(Ctx *c, const Spec *s, const Token *at, int n, int last)
{
    int k = 0, ni = s->ninputs;
    while (k < n && at[k].loc.line == at[0].loc.line)
        k++;
    if ((k == n && !last) || k <= ni || !targets_fit(s, k - ni))
        return 0;
    error_at(c, at[0].loc, "row has no '->' between its %d input%s and its target%s", ni, ni == 1 ? "" : "s",
             k - ni == 1 ? "" : "s");
    return 1;
}

/*
 * Splits inline data into rows.  Newlines are free, so rows are told apart
 * by counting: the numbers between two arrows are the targets of one row
 * and then the inputs of the next.  When that count is wrong, the first
 * line break in the run (one row a line is the usual layout) tells which
 * of the two rows is miscounted, and the message points at it.
 */
static void check_inline_rows(Ctx *c, Block *b, Spec *s, int *nrows, double **rows)
{
    int ni = s->ninputs, width = ni + noutputs(s);
    int ntok = 0, narrows = 0;
    for (TokenList *t = b->items; t != NULL; t = t->next) {
        ntok++;
        narrows += t->is_arrow;
    }
    if (narrows == 0) {
        if (ntok == 0)
            error_at(c, b->loc, "%s block has no rows (as in '-2 -1 -> 1')",
                     b->kind == BLOCK_TEST ? "test" : "data");
        else
            error_at(c, b->items->tok.loc, "expected '->' between a row's inputs and its targets");
        return;
    }
    if (narrows > INT_MAX / width) {
        error_at(c, b->loc, "too many data rows");
        return;
    }
    if (bad_name_in_rows(c, b, s))
        return;

    double *data = ctx_array(c, (size_t)narrows, (size_t)width * sizeof *data);
    double *v = ctx_array(c, (size_t)ntok, sizeof *v);
    Token *at = ctx_array(c, (size_t)ntok, sizeof *at);
    unsigned char *joined = ctx_array(c, (size_t)ntok, sizeof *joined);
    int row = 0, ok = 1;
    TokenList *arrow = NULL, *t = b->items;
    for (;;) {
        /* The run of numbers up to the next arrow, or to the end. */
        int n = 0, split = -1;
        for (; t != NULL && !t->is_arrow; t = t->next) {
            if (split < 0 && n > 0 && t->tok.loc.line != at[n - 1].loc.line)
                split = n;
            at[n] = t->tok;
            joined[n] = (unsigned char)t->joined;
            /* A class's name stands for its index (bad_name_in_rows has checked where). */
            v[n] = is_name(t->tok) ? class_index_of(s, t->tok.text) : number_of(c, t->tok);
            ok &= !isnan(v[n]);
            n++;
        }
        int last = t == NULL, ntargets = 0;

        if (arrow != NULL) {
            /* The targets of the row before this arrow. */
            ntargets = last ? n : targets_fit(s, n - ni) ? n - ni : split > 0 ? split : n - ni;
            if (ntargets < 0 || ntargets > n)
                ntargets = n;
            if (n > 0 && is_name(at[0]) && ntargets != 1) {
                error_at(c, at[0].loc, "a class name stands for all the targets, but %d values follow '->'",
                         ntargets);
                ok = 0;
            } else if (!targets_fit(s, ntargets)) {
                /* At the end, a last row may have lost its arrow. */
                if (!(last && split > 0 && targets_fit(s, split) && row_without_arrow(c, s, at + split, n - split, 1)))
                    bad_targets(c, s, arrow->tok.loc, ntargets, decimal_hint(c, at, joined, ntargets));
                ok = 0;
            } else if (ntargets == noutputs(s) && first_too_large(c, s, v, at, ntargets)) {
                /* (A class index never becomes a float: put_targets checks it.) */
                ok = 0;
            } else if (put_targets(c, s, data + (size_t)row * (size_t)width + ni, v, ntargets, at[0].loc) != 0) {
                ok = 0; /* reported; the next rows are still checked */
            }
            row++;
        }
        if (last)
            break;

        /* The inputs of the next row. */
        if (n - ntargets != ni) {
            if (!row_without_arrow(c, s, at + ntargets, n - ntargets, 0))
                error_at(c, n - ntargets > 0 ? at[ntargets].loc : t->tok.loc,
                         "expected %d input%s%s before '->' but found %d%s", ni, ni == 1 ? "" : "s",
                         input_shape_note(c, s), n - ntargets,
                         decimal_hint(c, at + ntargets, joined + ntargets, n - ntargets));
            ok = 0;
        } else if (!s->normalize && first_too_large(c, s, v + ntargets, at + ntargets, ni)) {
            ok = 0;
        } else if (ok) {
            memcpy(data + (size_t)row * (size_t)width, v + ntargets, (size_t)ni * sizeof *v);
        }
        arrow = t;
        t = t->next;
    }
    if (ok) {
        *nrows = row;
        *rows = data;
    }
}

/* The path of a data file named in the spec: relative to the spec's directory. */
static const char *data_path(Ctx *c, const char *spec, const char *name)
{
    const char *slash = strrchr(spec, '/');
    if (name[0] == '/' || slash == NULL)
        return name;
    return ctx_printf(c, "%.*s/%s", (int)(slash - spec), spec, name);
}

static void check_file_rows(Ctx *c, Block *b, Spec *s, int *nrows, double **rows)
{
    const char *path = data_path(c, c->file, b->file.text);
    c->data_files[b->kind == BLOCK_TEST] = path; /* an output may not be one */
    struct nnrt_error err;
    if (strlen(b->file.text) > MAX_FILE_NAME)
        return; /* the lexer said so */
    if (b->file.text[0] == '\0') {
        error_at(c, b->file.loc, "expected a file name between the quotes");
        return;
    }
    size_t len;
    char *text = ctx_hold(c, nnrt__read_file(path, &len, &err));
    if (text == NULL) {
        error_at(c, b->file.loc, "%s", err.msg);
        return;
    }
    /* The parse cuts the text into lines: a copy is kept to show a line under an error. */
    char *copy = memcpy(ctx_malloc(c, len + 1), text, len + 1);
    struct nnrt_table t;
    int named;
    int parsed = nnrt__csv_parse_classes(text, len, path, 0, (const char *const *)s->class_names, s->nclasses,
                                         &named, &t, &err);
    if (parsed == 0 && nnrt__check_named(&t, named, path, s->ninputs, &err) != 0) {
        nnrt_table_free(&t);
        parsed = -1;
    }
    ctx_drop(c, text);
    if (parsed != 0) {
        if (err.line > 0)
            error_in_file(c, b->file.loc, path, copy, len, (Loc){err.line, err.col}, "%s", err.msg);
        else
            error_at(c, b->file.loc, "%s", err.msg);
        ctx_drop(c, copy);
        return;
    }
    /* The table's arrays are malloc's too: held while the arena is used. */
    ctx_hold(c, t.v);
    ctx_hold(c, t.line);
    int width = s->ninputs + noutputs(s);
    if (t.rows > INT_MAX / width) {
        error_at(c, b->file.loc, "%s has too many rows", path);
    } else {
        double *data = ctx_array(c, (size_t)t.rows, (size_t)width * sizeof *data);
        int bad = -1;
        if (nnrt_table_rows(&t, path, s->ninputs, noutputs(s), takes_class_index(s), data, &err) != 0) {
            error_in_file(c, b->file.loc, path, copy, len, (Loc){err.line, err.col}, "%s", err.msg);
        } else {
            const char *why = NULL;
            for (int r = 0; r < t.rows && bad < 0; r++) {
                const double *row = data + (size_t)r * (size_t)width;
                if ((why = target_problem(c, s, row + s->ninputs)) != NULL ||
                    (why = float_problem(c, s, row)) != NULL)
                    bad = r;
            }
            if (bad >= 0) {
                error_in_file(c, b->file.loc, path, copy, len, (Loc){t.line[bad], 1}, "%s", why);
            } else {
                *nrows = t.rows;
                *rows = data;
            }
        }
    }
    ctx_drop(c, t.v);
    ctx_drop(c, t.line);
    ctx_drop(c, copy);
}

/* A data or test block: rows inline or from a file. */
void check_rows(Ctx *c, Block *b, Spec *s, int *nrows, double **rows)
{
    if (b->file.text != NULL)
        check_file_rows(c, b, s, nrows, rows);
    else
        check_inline_rows(c, b, s, nrows, rows);
}

void check_predict(Ctx *c, Block *b, Spec *s)
{
    int n = 0;
    for (Entry *e = b->entries; e != NULL; e = e->next)
        n++;
    char **names = ctx_array(c, (size_t)n, sizeof *names);
    double *x = ctx_array(c, (size_t)n, (size_t)s->ninputs * sizeof *x);
    int i = 0, ok = 1;
    for (Entry *e = b->entries; e != NULL; e = e->next, i++)
        names[i] = e->name.text;
    const int *first = first_same(c, (const char *const *)names, n);
    i = 0;
    for (Entry *e = b->entries; e != NULL; e = e->next, i++) {
        if (first[i] >= 0) {
            error_at(c, e->name.loc, "duplicate prediction name '%s'", names[i]);
            ok = 0;
        }
        int k = 0;
        for (TokenList *t = e->values; t != NULL; t = t->next, k++) {
            double v = number_of(c, t->tok);
            if (isnan(v) || (!s->normalize && too_large_for_float(c, s, t->tok, v)))
                ok = 0;
            else if (k < s->ninputs)
                x[(size_t)i * (size_t)s->ninputs + (size_t)k] = v;
        }
        if (k != s->ninputs) {
            error_at(c, e->name.loc, "prediction '%s' has %d value%s but the network has %d input%s",
                     names[i], k, k == 1 ? "" : "s", s->ninputs, s->ninputs == 1 ? "" : "s");
            ok = 0;
        }
    }
    if (ok) {
        s->npredict = n;
        s->predict_name = names;
        s->predict_x = x;
    }
}
