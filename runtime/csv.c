/*
 * csv.c: tables of numbers from CSV files.
 *
 * The files are the plain kind that data sets come in: one row a line,
 * values separated by commas, perhaps a header line of names first.  There
 * is no quoting, since every value must be a number.  Blank lines and lines
 * whose first non-blank character is '#' are skipped, and so is a UTF-8
 * byte order mark at the start, which spreadsheets write.  A line ends
 * with "\n", "\r\n" or a '\r' alone.  Every row must have as many values
 * as the first.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nnrt_impl.h"

/* Stores value number n, growing the table by doubling. */
static int push(struct nnrt_table *t, size_t *cap, size_t n, double v)
{
    if (n == *cap) {
        size_t c = *cap ? *cap * 2 : 256;
        double *bigger = realloc(t->v, c * sizeof *bigger);
        if (bigger == NULL)
            return -1;
        t->v = bigger;
        *cap = c;
    }
    t->v[n] = v;
    return 0;
}

static int push_line(struct nnrt_table *t, size_t *cap, int line)
{
    if ((size_t)t->rows == *cap) {
        size_t c = *cap ? *cap * 2 : 64;
        int *bigger = realloc(t->line, c * sizeof *bigger);
        if (bigger == NULL)
            return -1;
        t->line = bigger;
        *cap = c;
    }
    t->line[t->rows] = line;
    return 0;
}

/* Quotes at most 40 bytes of s[0..n), in whole UTF-8 characters, into out, for a message. */
static const char *excerpt(char out[64], const char *s, size_t n)
{
    snprintf(out, 64, "%.*s%s", nnrt__quote_len(s, n, 40), s, n > 40 ? "..." : "");
    return out;
}

/* Is the n bytes of field at s a decimal number past a double's range, as 1e999? */
static int too_large(char *s, size_t n)
{
    char saved = s[n], *end = s;
    s[n] = '\0';
    int decimal = strspn(s, "0123456789+-.eE") == n;
    errno = 0;
    double v = decimal ? strtod(s, &end) : 0;
    int large = decimal && end == s + n && errno == ERANGE && isinf(v);
    s[n] = saved;
    return large;
}

/*
 * What separates the fields of s[0..n) if not commas, as other programs
 * write them: "';'" or "tabs" for a message; NULL for neither.
 */
static const char *other_separator(const char *s, size_t n)
{
    return memchr(s, ';', n) != NULL ? "';'" : memchr(s, '\t', n) != NULL ? "tabs" : NULL;
}

void nnrt_table_free(struct nnrt_table *t)
{
    free(t->v);
    free(t->line);
    t->v = NULL;
    t->line = NULL;
    t->rows = t->cols = 0;
}

int nnrt_csv_read(const char *path, int cols, struct nnrt_table *t, struct nnrt_error *err)
{
    size_t len;
    char *text = nnrt__read_file(path, &len, err);
    if (text == NULL) {
        t->rows = t->cols = 0;
        t->v = NULL;
        t->line = NULL;
        return -1;
    }
    int r = nnrt__csv_parse(text, len, path, cols, t, err);
    free(text);
    return r;
}

/* Reports the line and column of the first NUL byte in text. */
static void nul_error(const char *text, const char *path, struct nnrt_error *err)
{
    int line = 1;
    const char *start = text, *p;
    for (p = text; *p; p++) {
        if (*p == '\n' || (*p == '\r' && p[1] != '\n')) {
            line++;
            start = p + 1;
        }
    }
    nnrt__set_error(err, path, line, (int)(p - start) + 1, "NUL byte in a CSV file");
}

/* What split_fields found on a line: its field count and its first field that is not a number. */
struct fields {
    int n, bad_col, n_numbers;
    char *bad;
    size_t bad_len;
    int bad_last; /* the field that is not a number is the line's last */
    int named;    /* the last field is a class's name, read as its index */
};

/* A classifier's class names, which the last field of a row may give instead of an index. */
struct classes {
    const char *const *name;
    int n;
};

/* The index of the class named by the n bytes at s (blanks around them allowed), or -1. */
static int class_named(const struct classes *cl, const char *s, size_t n)
{
    while (n > 0 && (*s == ' ' || *s == '\t'))
        s++, n--;
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    for (int k = 0; cl != NULL && k < cl->n; k++)
        if (strlen(cl->name[k]) == n && memcmp(cl->name[k], s, n) == 0)
            return k;
    return -1;
}

/*
 * Splits data, a line starting at s, on commas and reads every field into
 * *row up to the first that is not a number; -1 when out of memory.
 */
static int split_fields(char *data, const char *s, double **row, size_t *rcap, struct fields *fl,
                        const struct classes *cl, const char *path, struct nnrt_error *err)
{
    int n = 0, bad_col = 0, n_numbers = 0, k;
    char *bad = NULL;
    size_t bad_len = 0;
    fl->named = fl->bad_last = 0;
    for (char *f = data;;) {
        char *comma = strchr(f, ',');
        char *fend = comma ? comma : f + strlen(f);
        char saved = *fend;
        *fend = '\0';
        double v;
        int number = nnrt_parse_double(f, &v) == 0;
        /* A class's name, last on the line, stands for its index (but is no number to tell a header by). */
        if (!number && comma == NULL && bad == NULL && (k = class_named(cl, f, (size_t)(fend - f))) >= 0) {
            v = k;
            fl->named = 1;
            n_numbers--;
            number = 1;
        }
        if (!number) {
            if (bad == NULL) {
                bad = f;
                bad_len = (size_t)(fend - f);
                bad_col = (int)(f - s) + 1;
                fl->bad_last = comma == NULL;
            }
        } else if (n_numbers++, bad == NULL) {
            if ((size_t)n == *rcap) {
                size_t more = *rcap ? 2 * *rcap : 16;
                double *bigger = realloc(*row, more * sizeof **row);
                if (bigger == NULL) {
                    nnrt__set_error(err, path, 0, 0, "out of memory");
                    return -1;
                }
                *row = bigger;
                *rcap = more;
            }
            (*row)[n] = v;
        }
        *fend = saved;
        n++;
        if (comma == NULL)
            break;
        f = comma + 1;
    }
    fl->n = n;
    fl->bad_col = bad_col;
    fl->n_numbers = n_numbers;
    fl->bad = bad;
    fl->bad_len = bad_len;
    return 0;
}

/* "the classes are a, b, c", or its first names and "...", within size bytes of out. */
static const char *class_list(char *out, size_t size, const struct classes *cl)
{
    size_t len = (size_t)snprintf(out, size, "the classes are");
    for (int k = 0; k < cl->n && len < size; k++) {
        size_t room = size - len, need = strlen(cl->name[k]) + 2;
        if (need + 5 > room) {
            snprintf(out + len, room, " ...");
            break;
        }
        len += (size_t)snprintf(out + len, room, "%s %s", k == 0 ? "" : ",", cl->name[k]);
    }
    return out;
}

/* Reports a field that is not a number, with a hint when the cause is a common one. */
static void bad_field_error(const struct fields *fl, const struct classes *cl, int lineno, const char *path,
                            struct nnrt_error *err)
{
    char ex[64];
    char *bad = fl->bad;
    size_t bad_len = fl->bad_len;
    int bad_col = fl->bad_col;
    /* Trim blanks for the message. */
    while (bad_len > 0 && (*bad == ' ' || *bad == '\t')) {
        bad++;
        bad_len--;
        bad_col++;
    }
    while (bad_len > 0 && (bad[bad_len - 1] == ' ' || bad[bad_len - 1] == '\t'))
        bad_len--;
    const char *other = other_separator(bad, bad_len);
    if (bad_len == 0) {
        nnrt__set_error(err, path, lineno, bad_col, "expected a number but found an empty field");
    } else if (fl->bad_last && cl != NULL && fl->n_numbers > 0) {
        char list[160];
        nnrt__set_error(err, path, lineno, bad_col, "unknown class '%s' (%s)", excerpt(ex, bad, bad_len),
                        class_list(list, sizeof list, cl));
    }
    else if (too_large(bad, bad_len))
        nnrt__set_error(err, path, lineno, bad_col, "number '%s' is too large for a double",
                        excerpt(ex, bad, bad_len));
    else
        nnrt__set_error(err, path, lineno, bad_col, "expected a number but found '%s'%s%s%s",
                        excerpt(ex, bad, bad_len),
                        other != NULL ? "; fields are separated by commas, not " : "",
                        other != NULL ? other : "",
                        other == NULL && bad_len >= 2 && bad[0] == '"' && bad[bad_len - 1] == '"'
                            ? "; numbers are written without quotes" : "");
}

/* Appends a row of n values read on line lineno to t; -1 when out of memory. */
static int add_row(struct nnrt_table *t, size_t *vcap, size_t *lcap, int lineno, const double *row, int n)
{
    t->cols = n;
    if (push_line(t, lcap, lineno) != 0)
        return -1;
    for (int i = 0; i < n; i++) {
        if (push(t, vcap, (size_t)t->rows * (size_t)n + (size_t)i, row[i]) != 0)
            return -1;
    }
    t->rows++;
    return 0;
}

int nnrt__csv_parse(char *text, size_t len, const char *path, int cols, struct nnrt_table *t,
                    struct nnrt_error *err)
{
    return nnrt__csv_parse_classes(text, len, path, cols, NULL, 0, NULL, t, err);
}

int nnrt__csv_parse_classes(char *text, size_t len, const char *path, int cols, const char *const *names,
                            int nnames, int *named_line, struct nnrt_table *t, struct nnrt_error *err)
{
    struct classes classes = {names, nnames}, *cl = names != NULL ? &classes : NULL;
    if (named_line != NULL)
        *named_line = 0;
    t->rows = t->cols = 0;
    t->v = NULL;
    t->line = NULL;
    if (strlen(text) != len) {
        nul_error(text, path, err);
        goto fail;
    }

    size_t vcap = 0, lcap = 0, rcap = 0; /* capacities of t->v, t->line and row */
    int lineno = 0, first = 1;
    const char *header_other = NULL; /* how the header's fields are separated, if not by commas */
    double *row = NULL;
    char *rest = text, *s;
    while ((s = nnrt__next_line(&rest)) != NULL) {
        lineno++;
        /* The data start after a byte order mark; columns count from the line's start. */
        char *data = lineno == 1 ? s + nnrt__bom(s) : s;

        const char *p = data;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '\0' || *p == '#')
            continue;

        struct fields fl;
        if (split_fields(data, s, &row, &rcap, &fl, cl, path, err) != 0) {
            free(row);
            goto fail;
        }
        int n = fl.n;

        if (fl.bad != NULL) {
            /* A header names the columns: none of its fields is a number. */
            if (first && t->rows == 0 && fl.n_numbers == 0) {
                first = 0;
                header_other = other_separator(data, strlen(data));
                continue;
            }
            bad_field_error(&fl, cl, lineno, path, err);
            free(row);
            goto fail;
        }
        first = 0;
        if (fl.named && named_line != NULL && *named_line == 0)
            *named_line = lineno;

        int want = cols > 0 ? cols : t->rows > 0 ? t->cols : n;
        if (n != want) {
            /* Without cols, the first row sets the width: it may be the one that is wrong. */
            if (cols > 0)
                nnrt__set_error(err, path, lineno, 0, "expected %d values but found %d", want, n);
            else
                nnrt__set_error(err, path, lineno, 0, "expected %d values, as on line %d, but found %d", want,
                                t->line[0], n);
            free(row);
            goto fail;
        }
        if (add_row(t, &vcap, &lcap, lineno, row, n) != 0) {
            nnrt__set_error(err, path, 0, 0, "out of memory");
            free(row);
            goto fail;
        }
    }
    free(row);
    if (t->rows == 0) {
        if (header_other != NULL)
            nnrt__set_error(err, path, 0, 0,
                            "'%s' has no rows of data (its first line was taken for a header);"
                            " fields are separated by commas, not %s", path, header_other);
        else
            nnrt__set_error(err, path, 0, 0, "'%s' has no rows of data", path);
        nnrt_table_free(t);
        return -1;
    }
    return 0;

fail:
    nnrt_table_free(t);
    return -1;
}

int nnrt_table_rows(const struct nnrt_table *t, const char *file, int ninputs, int noutputs,
                    int class_index, double *out, struct nnrt_error *err)
{
    int width = ninputs + noutputs;
    if (t->cols != width && !(class_index && t->cols == ninputs + 1)) {
        if (class_index)
            nnrt__set_error(err, file, t->line[0], 0,
                            "expected %d values (%d inputs, then %d targets or 1 class index) but found %d",
                            width, ninputs, noutputs, t->cols);
        else
            nnrt__set_error(err, file, t->line[0], 0,
                            "expected %d values (%d input%s, %d target%s) but found %d", width, ninputs,
                            ninputs == 1 ? "" : "s", noutputs, noutputs == 1 ? "" : "s", t->cols);
        return -1;
    }
    for (int r = 0; r < t->rows; r++) {
        const double *in = t->v + (size_t)r * (size_t)t->cols;
        double *row = out + (size_t)r * (size_t)width;
        memcpy(row, in, (size_t)ninputs * sizeof *in);
        if (t->cols == width) {
            memcpy(row + ninputs, in + ninputs, (size_t)noutputs * sizeof *in);
            continue;
        }
        double k = in[ninputs];
        if (k != floor(k) || k < 0 || k >= noutputs) {
            char v[NNRT_DOUBLE_BUFSIZE];
            nnrt__set_error(err, file, t->line[r], 0,
                            "a class index must be a whole number from 0 to %d but is %s", noutputs - 1,
                            nnrt_format_double(v, k));
            return -1;
        }
        for (int j = 0; j < noutputs; j++)
            row[ninputs + j] = j == (int)k;
    }
    return 0;
}

int nnrt__check_named(const struct nnrt_table *t, int named_line, const char *file, int ninputs,
                      struct nnrt_error *err)
{
    if (named_line == 0 || t->cols == ninputs + 1)
        return 0;
    /* A name stands for a class index, which takes the place of all the targets. */
    nnrt__set_error(err, file, named_line, 0,
                    "a class name stands for all the targets: expected %d values (%d input%s, then the class) "
                    "but found %d", ninputs + 1, ninputs, ninputs == 1 ? "" : "s", t->cols);
    return -1;
}
