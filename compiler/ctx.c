/*
 * ctx.c: the run's memory and its error messages.
 *
 * Memory comes from an arena of chunks owned by the Ctx: nothing is freed
 * until the run ends, and then everything is, so no early return can leak.
 * When memory runs out the arena jumps back to compile() (compile.c),
 * which reports it.
 *
 * Errors are recorded, not printed, so that they can be printed in source
 * order once the run is over, each like GCC's: "file:line:col: error: msg",
 * then the source line and a caret under the column.  An error in a file
 * the spec names (a CSV file of data) is printed at its place in that file,
 * followed by a note at the spec's name for the file.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "nnc.h"
#include "nnrt_impl.h"

/* Something aligned for any object, as C99 has no max_align_t. */
typedef union {
    long double ld;
    long long ll;
    void *p;
    void (*f)(void);
} Align;

struct Chunk {
    Chunk *next;
    size_t used, cap;
    Align data[];
};

struct Diag {
    Loc loc;
    int seq;
    char *msg;
    /* An error in another file (file not NULL): where, and that line's text. */
    const char *file;
    Loc at;
    const char *text; /* NULL past the end of the file */
    size_t text_len;  /* in bytes: a NUL in it is shown as '?' */
    Diag *next;
};

NORETURN static void out_of_memory(Ctx *c)
{
    if (c->oom != NULL)
        longjmp(*c->oom, 1);
    fprintf(stderr, "nnc: error: out of memory\n");
    exit(1);
}

void *ctx_alloc(Ctx *c, size_t size)
{
    const size_t align = sizeof(Align);
    size = (size + align - 1) / align * align;
    if (size == 0)
        size = align;
    Chunk *k = c->chunks;
    if (k == NULL || k->cap - k->used < size) {
        size_t cap = size > 65536 ? size : 65536;
        if (cap > SIZE_MAX - sizeof(Chunk))
            out_of_memory(c);
        /* Zeroed once here: the arena never hands out the same bytes twice. */
        k = calloc(1, sizeof(Chunk) + cap);
        if (k == NULL)
            out_of_memory(c);
        k->used = 0;
        k->cap = cap;
        /* A big block gets a chunk of its own behind the current one, so the current one stays in use. */
        if (c->chunks != NULL && size == cap) {
            k->next = c->chunks->next;
            c->chunks->next = k;
        } else {
            k->next = c->chunks;
            c->chunks = k;
        }
    }
    void *p = (char *)k->data + k->used;
    k->used += size;
    return p;
}

/*
 * The link that points at the chunk of p when p is a block bigger than a
 * chunk (which ctx_alloc gave a chunk of its own), or NULL.
 */
static Chunk **own_chunk(Ctx *c, const void *p, size_t size)
{
    if (size <= 65536)
        return NULL;
    for (Chunk **l = &c->chunks; *l != NULL; l = &(*l)->next)
        if ((const void *)(*l)->data == p)
            return (*l)->cap == (*l)->used ? l : NULL;
    return NULL;
}

/*
 * Grows the block p of old bytes to size bytes, keeping its first used
 * bytes (the rest is not zeroed): in place when p has a chunk of its own,
 * so that a growing buffer leaves nothing behind.
 */
static void *ctx_grow(Ctx *c, void *p, size_t used, size_t old, size_t size)
{
    const size_t align = sizeof(Align);
    Chunk **l = own_chunk(c, p, old);
    if (l == NULL || size > SIZE_MAX - sizeof(Chunk) - align) {
        void *q = ctx_alloc(c, size);
        if (used)
            memcpy(q, p, used);
        return q;
    }
    size = (size + align - 1) / align * align;
    Chunk *k = realloc(*l, sizeof(Chunk) + size);
    if (k == NULL)
        out_of_memory(c); /* the old chunk is still in the list, and freed with it */
    k->cap = k->used = size;
    *l = k;
    return k->data;
}


void *ctx_array(Ctx *c, size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / 2 / size)
        out_of_memory(c);
    return ctx_alloc(c, n * size);
}

char *ctx_strndup(Ctx *c, const char *s, size_t n)
{
    char *p = ctx_alloc(c, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *ctx_strdup(Ctx *c, const char *s)
{
    return ctx_strndup(c, s, strlen(s));
}

static char *ctx_vprintf(Ctx *c, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        bug("bad format '%s'", fmt);
    char *p = ctx_alloc(c, (size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *ctx_printf(Ctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = ctx_vprintf(c, fmt, ap);
    va_end(ap);
    return p;
}

void *ctx_hold(Ctx *c, void *p)
{
    if (p == NULL)
        return NULL;
    for (size_t i = 0; i < sizeof c->held / sizeof c->held[0]; i++) {
        if (c->held[i] == NULL) {
            c->held[i] = p;
            return p;
        }
    }
    bug("more than %d blocks held", (int)(sizeof c->held / sizeof c->held[0]));
}

void *ctx_malloc(Ctx *c, size_t size)
{
    void *p = malloc(size ? size : 1);
    if (p == NULL)
        out_of_memory(c);
    return ctx_hold(c, p);
}

void ctx_drop(Ctx *c, void *p)
{
    for (size_t i = 0; i < sizeof c->held / sizeof c->held[0]; i++)
        if (c->held[i] == p)
            c->held[i] = NULL;
    free(p);
}

void ctx_free(Ctx *c)
{
    for (size_t i = 0; i < sizeof c->held / sizeof c->held[0]; i++) {
        free(c->held[i]);
        c->held[i] = NULL;
    }
    for (Chunk *k = c->chunks, *next; k != NULL; k = next) {
        next = k->next;
        free(k);
    }
    c->chunks = NULL;
    c->diags = NULL;
}

/*
 * The next character of a line at s (before end) that starts at column w:
 * how many bytes and columns it takes, and whether it may be shown as it
 * is.  A tab goes to the next multiple of 8, and a character takes the
 * columns it takes in a terminal, as the lexer counts.  Controls,
 * bidirectional controls and bytes that are not UTF-8 are shown as '?',
 * one column each.
 */
static int next_char(const char *s, const char *end, int w, int *cols, int *ok)
{
    if (*s == '\t') {
        *cols = 8 - w % 8;
        *ok = 1;
        return 1;
    }
    int n = nnrt__showable((const unsigned char *)s, (const unsigned char *)end);
    *ok = n > 0;
    *cols = n > 0 ? utf8_width(s, (size_t)n) : 1;
    return n > 0 ? n : -n;
}

/* The display column of byte p + n of a line starting at p. */
static int display_width(const char *p, size_t n)
{
    int width = 0, cols, ok;
    for (const char *s = p; s < p + n; width = col_add(width, cols))
        s += next_char(s, p + n, width, &cols, &ok);
    return width;
}

/* Records an error at loc with the message fmt, ap; NULL past MAX_ERRORS. */
static Diag *add_diag(Ctx *c, Loc loc, const char *fmt, va_list ap)
{
    /* Past MAX_ERRORS the rest are counted but not kept: a flood says no more. */
    if (c->nerrors >= MAX_ERRORS) {
        c->nerrors++;
        return NULL;
    }
    Diag *d = ctx_alloc(c, sizeof *d);
    d->msg = ctx_vprintf(c, fmt, ap);
    d->loc = loc;
    d->seq = c->nerrors++;

    /* Insert in source order; errors at the same place keep the order they came in. */
    Diag **p = &c->diags;
    while (*p != NULL && ((*p)->loc.line < loc.line ||
                          ((*p)->loc.line == loc.line && (*p)->loc.col <= loc.col)))
        p = &(*p)->next;
    d->next = *p;
    *p = d;
    return d;
}

void error_at(Ctx *c, Loc loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_diag(c, loc, fmt, ap);
    va_end(ap);
}

/*
 * Line `line` of text (len bytes), without its line end: where it starts,
 * and its length in *n; NULL past the end.  Lines end as the lexer has it:
 * "\n", "\r\n" or a '\r' alone.
 */
static const char *find_line(const char *text, size_t len, int line, size_t *n)
{
    size_t i = 0;
    for (int l = 1; l < line && i < len; i++)
        if (ends_line(text, i, len))
            l++;
    size_t j = i;
    while (j < len && text[j] != '\n' && text[j] != '\r')
        j++;
    *n = j - i;
    return i < len || line == 1 ? text + i : NULL;
}

void error_in_file(Ctx *c, Loc named, const char *file, const char *text, size_t len, Loc at,
                   const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    Diag *d = add_diag(c, named, fmt, ap);
    va_end(ap);
    if (d == NULL)
        return;
    d->file = ctx_strdup(c, file);
    const char *p = find_line(text, len, at.line, &d->text_len);
    d->text = p != NULL ? ctx_strndup(c, p, d->text_len) : NULL;
    /* at.col counts bytes (1 when not known); shown, it counts as the spec's columns do. */
    if (at.col < 1)
        at.col = 1;
    if (d->text != NULL) {
        size_t n = d->text_len;
        at.col = display_width(d->text, (size_t)at.col - 1 < n ? (size_t)at.col - 1 : n) + 1;
    }
    d->at = at;
}

/*
 * Prints the line from p to q and a caret under column col.  Tabs are
 * expanded to columns of 8, and what next_char() will not show is shown
 * as '?'.  A line wider than 160 columns is shown as a window of 120
 * columns around the caret.
 */
static void show_text(Ctx *c, const char *p, const char *q, int col)
{
    int width = display_width(p, (size_t)(q - p));
    int from = 0, to = width;
    if (width > 160) {
        from = col - 1 - 60 > 0 ? col - 1 - 60 : 0;
        to = from + 120 < width ? from + 120 : width;
    }

    fputc(' ', c->err);
    if (from > 0)
        fputs("...", c->err);
    int w = 0, cols, ok;
    /* Uncut, the line is shown to its end, with any character of no width there. */
    for (const char *s = p; s < q && (w < to || to == width); w = col_add(w, cols)) {
        int n = next_char(s, q, w, &cols, &ok);
        /* A character of no width at the cut belongs to the one before it, outside. */
        if (cols > 0 ? w + cols > from : w > from || from == 0) {
            /* Of a tab, or a wide character cut by an edge, blanks for the part inside. */
            int first = w > from ? w : from, last = w + cols < to ? w + cols : to;
            if (*s == '\t' || w < from || w + cols > to)
                fprintf(c->err, "%*s", last - first, "");
            else if (ok)
                fwrite(s, 1, (size_t)n, c->err);
            else
                fputc('?', c->err);
        }
        s += n;
    }
    if (to < width)
        fputs("...", c->err);
    fputc('\n', c->err);
    int caret = (col - 1 < width ? col - 1 : width) - from + (from > 0 ? 3 : 0);
    fprintf(c->err, " %*s^\n", caret, "");
}

/* The same for line `line` of the spec (an empty line past its end). */
static void show_line(Ctx *c, int line, int col)
{
    size_t n;
    const char *p = find_line(c->src, c->len, line, &n);
    if (p == NULL)
        p = c->src + c->len;
    show_text(c, p, p + n, col);
}

void ctx_flush(Ctx *c)
{
    int shown = 0;
    for (Diag *d = c->diags; d != NULL; d = d->next, shown++) {
        if (d->file != NULL) {
            fprintf(c->err, "%s:%d:%d: error: %s\n", d->file, d->at.line, d->at.col, d->msg);
            if (d->text != NULL)
                show_text(c, d->text, d->text + d->text_len, d->at.col);
            fprintf(c->err, "%s:%d:%d: note: in the file named here\n", c->file, d->loc.line,
                    d->loc.col);
            show_line(c, d->loc.line, d->loc.col);
        } else if (d->loc.line > 0) {
            fprintf(c->err, "%s:%d:%d: error: %s\n", c->file, d->loc.line, d->loc.col, d->msg);
            show_line(c, d->loc.line, d->loc.col);
        } else {
            fprintf(c->err, "%s: error: %s\n", c->file, d->msg);
        }
    }
    if (c->nerrors > shown && c->nerrors > MAX_ERRORS)
        fprintf(c->err, "%s: error: %d more errors not shown; stopping after %d\n", c->file,
                c->nerrors - shown, MAX_ERRORS);
    c->diags = NULL;
}

void bug_at(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "nnc: internal error at %s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

const char *near_miss(const char *s, const char *const *words)
{
    return nnrt__near_miss(s, words);
}

/*
 * Words that Keras, PyTorch and the textbooks use for ours, each with ours:
 * a name can be far from the word it stands for (lr for learn_rate), so
 * edit distance would not find it.  One word may stand for several of
 * ours in different places (l2); the place's list of words picks one.
 */
static const struct {
    const char *theirs, *ours;
} aliases[] = {
    /* statements */
    {"learning_rate", "learn_rate"}, {"lr", "learn_rate"}, {"rate", "learn_rate"}, {"eta", "learn_rate"},
    {"layers", "hidden"}, {"layer", "hidden"}, {"dense", "hidden"}, {"linear", "hidden"},
    {"hidden_layer", "hidden"}, {"num_epochs", "epochs"}, {"n_epochs", "epochs"},
    {"batch_size", "batch"}, {"random_seed", "seed"}, {"random_state", "seed"}, {"manual_seed", "seed"},
    {"initializer", "init"}, {"initialization", "init"}, {"initialisation", "init"},
    {"optim", "optimizer"}, {"decay", "weight_decay"}, {"l2", "weight_decay"}, {"dtype", "precision"},
    {"criterion", "loss"}, {"standardize", "normalize"}, {"normalise", "normalize"},
    /* losses */
    {"bce", "binary_cross_entropy"}, {"binary_crossentropy", "binary_cross_entropy"},
    {"bceloss", "binary_cross_entropy"}, {"log_loss", "binary_cross_entropy"},
    {"ce", "cross_entropy"}, {"crossentropy", "cross_entropy"}, {"categorical_crossentropy", "cross_entropy"},
    {"categorical_cross_entropy", "cross_entropy"}, {"sparse_categorical_crossentropy", "cross_entropy"},
    {"crossentropyloss", "cross_entropy"}, {"mean_squared_error", "mse"}, {"mseloss", "mse"},
    {"l2", "mse"},
    /* optimizers */
    {"sgd_momentum", "momentum"}, {"sgdm", "momentum"}, {"nesterov", "momentum"}, {"adamw", "adam"},
    /* activations */
    {"logistic", "sigmoid"}, {"identity", "linear"}, {"none", "linear"}, {"leakyrelu", "leaky_relu"},
    {"lrelu", "leaky_relu"},
    /* initialisations */
    {"glorot", "xavier"}, {"glorot_normal", "xavier"}, {"xavier_normal", "xavier"},
    {"kaiming", "he"}, {"kaiming_normal", "he"}, {"he_normal", "he"}, {"gaussian", "normal"},
    {"randn", "normal"},
    /* precisions */
    {"float32", "float"}, {"single", "float"}, {"float64", "double"},
};

/* Are a and b the same but for case? */
static int same_but_case(const char *a, const char *b)
{
    for (; *a != '\0' && *b != '\0'; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return 0;
    return *a == *b;
}

const char *suggestion(const char *s, const char *const *words)
{
    /* PyTorch's class names (ReLU, SGD, MSELoss) are ours in another case. */
    for (int i = 0; words[i] != NULL; i++)
        if (same_but_case(s, words[i]) && strcmp(s, words[i]) != 0)
            return words[i];
    for (size_t k = 0; k < sizeof aliases / sizeof aliases[0]; k++) {
        if (!same_but_case(s, aliases[k].theirs))
            continue;
        for (int i = 0; words[i] != NULL; i++)
            if (strcmp(aliases[k].ours, words[i]) == 0)
                return words[i];
    }
    return near_miss(s, words);
}

void buf_puts(Ctx *c, Buf *b, const char *s)
{
    size_t n = strlen(s);
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (b->len + n + 1 > cap)
            cap *= 2;
        b->s = ctx_grow(c, b->s, b->len, b->cap, cap);
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n + 1);
    b->len += n;
}

void buf_printf(Ctx *c, Buf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        bug("bad format '%s'", fmt);
    if ((size_t)n < sizeof small) {
        buf_puts(c, b, small);
        return;
    }
    va_start(ap, fmt);
    char *big = ctx_vprintf(c, fmt, ap);
    va_end(ap);
    buf_puts(c, b, big);
}

void buf_free(Ctx *c, Buf *b)
{
    Chunk **l = own_chunk(c, b->s, b->cap);
    if (l != NULL) {
        Chunk *k = *l;
        *l = k->next;
        free(k);
    }
    b->s = NULL;
    b->len = b->cap = 0;
}
