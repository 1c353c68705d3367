/*
 * nnc.h: everything the passes of the compiler share, one banner a file.
 *
 * The pipeline is lexer.l -> parser.y (an Ast) -> check.c (a Spec) ->
 * derive.c (a Net: neurons, parameters, who feeds whom) -> chain.c (the
 * Model: the chain rule as data) -> emit.c (C text).  compile.c runs the
 * passes in that order.  All the memory of a run comes from one arena in
 * the Ctx and is freed at once at the end, so that no error path can
 * leak.
 */
#ifndef NNC_H
#define NNC_H

#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define NNC_VERSION "0.3.0"

#if defined(__GNUC__)
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#define NORETURN __attribute__((noreturn))
#else
#define PRINTF_LIKE(f, a)
#define NORETURN
#endif

/* ---- Limits (documented in doc/limits.md) ------------------------------- */

#define MAX_INPUTS 100000        /* inputs of a network */
#define MAX_NEURONS 100000       /* neurons of one layer */
#define MAX_LAYERS 64            /* hidden layers and the output layer */
#define MAX_PARAMS 10000000      /* weights and biases together */
#define MAX_EPOCHS 2147483647L   /* fits a long everywhere */
#define MAX_NAME 63              /* characters of a network name */
#define MAX_TOKEN 255            /* characters of a name or a number */
#define MAX_FILE_NAME 4095       /* bytes of a file name in quotes */
#define MAX_ERRORS 50            /* errors reported before nnc stops counting them */
#define COL_MAX (1 << 30)        /* where columns stop counting (256 MB of tabs pass INT_MAX) */

/* Column col moved on by n, stopping at COL_MAX. */
static inline int col_add(int col, int n)
{
    return col > COL_MAX - n ? COL_MAX : col + n;
}

/* The column after a tab at col: the next multiple of 8, plus 1. */
static inline int col_tab(int col)
{
    return col_add(col, 8 - (col - 1) % 8);
}

/* ---- Context, arena, diagnostics (ctx.c) -------------------------------- */

typedef struct {
    int line, col; /* 1-based; col counts tabs to the next multiple of 8, as GCC */
} Loc;

typedef struct Diag Diag;
typedef struct Chunk Chunk;

/* A growable string, for the C text being emitted. */
typedef struct {
    char *s;
    size_t len, cap;
} Buf;

/* How the layers are written: always unrolled, never (loops), or by size. */
typedef enum { UNROLL_AUTO, UNROLL_ALWAYS, UNROLL_NEVER } Unroll;

/*
 * Does s[i] (of s[0..len)) end a line?  A '\n' does, and so does a '\r'
 * alone (old Mac files); the line of a "\r\n" ends at its '\n'.  The
 * lexer, the byte check and the source lines of diagnostics all count
 * lines with it.
 */
static inline int ends_line(const char *s, size_t i, size_t len)
{
    return s[i] == '\n' || (s[i] == '\r' && (i + 1 == len || s[i + 1] != '\n'));
}

/* Networks with more weights than this are written as loops under --unroll auto. */
#define UNROLL_MAX_WEIGHTS 64

/*
 * A network with conv or pool layers is written as loops under --unroll
 * auto past this many weights and terms of its maps (each value's taps
 * or window): a few hundred of them, as in a 5x5 image through two 2x2
 * filters, still read name by name; the 8x8 digits through 8 filters of
 * 3x3 (2,592 terms) do not.
 */
#define UNROLL_MAX_MAP_TERMS 1000

/*
 * NAME_train_epoch keeps the parameters of an unrolled network of at most
 * this many in registers across samples (a local copy, NAME_train_sample
 * inlined).  make bench, time per sample against NAME_train_sample called in
 * a loop: 7 parameters (1-2-1) 0.94, 9 (2-2-1) 0.98, 11 (3-2-1) 0.96,
 * 13 (2-3-1, 1-4-1) 1.00 and 0.98, but 16 (3-3-1) 1.02, 25 (4-4-1) 1.03 and
 * 67 (4-8-3) 1.25: past the registers, the copy is spilled to the stack and
 * the inlined code only adds to the loop.
 */
#define EPOCH_LOCAL_MAX_PARAMS 12

/* --unroll always writes out at most this many weights (about 700 bytes of C each). */
#define UNROLL_ALWAYS_MAX_WEIGHTS 20000

/* What the code computes in: as the spec says, or --precision double or float. */
typedef enum { PREC_SPEC, PREC_DOUBLE, PREC_FLOAT } Precision;

/* One run of the compiler over one spec. */
typedef struct {
    const char *file;  /* the spec's path, as given */
    const char *src;   /* its text, NUL-terminated */
    size_t len;        /* its length in bytes */
    int nerrors;
    int syntax_errors; /* the parser reported some (and recovered) */
    Diag *diags;       /* errors so far, printed in source order by ctx_flush */
    Chunk *chunks;     /* the arena */
    void *held[4];     /* blocks from malloc held for a while (ctx_hold), freed by ctx_free */
    jmp_buf *oom;      /* where to go when memory runs out */
    FILE *err;         /* where diagnostics go */
    Unroll unroll;     /* --unroll */
    int line_directives;   /* --line-directives: #line back to the spec */
    Precision precision;   /* --precision */
    int emit_dot;          /* --emit dot: a drawing instead of C */
    const char *explain;   /* --explain NAME: an explanation instead of C */
    const char *params;    /* --emit inference --params FILE: the export of the trained network */
    const char *out_name;  /* the C file's name, for #line */
    const char *data_files[2]; /* the files of the data and test blocks, as opened, or NULL */
} Ctx;

/* Memory from the arena of c, zeroed; jumps to c->oom when there is none. */
void *ctx_alloc(Ctx *c, size_t size);
/* An array of n elements of size bytes, checking n * size for overflow. */
void *ctx_array(Ctx *c, size_t n, size_t size);
char *ctx_strndup(Ctx *c, const char *s, size_t n);
char *ctx_strdup(Ctx *c, const char *s);
char *ctx_printf(Ctx *c, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* Frees everything ctx_alloc gave, and what c still holds. */
void ctx_free(Ctx *c);
/*
 * Holds p, a block from malloc (or NULL), so that it is freed with the
 * arena if memory runs out before ctx_drop(c, p) frees it.  Returns p.
 * Something from malloc that is alive across an arena allocation must be
 * held, or a jump to c->oom would leak it.
 */
void *ctx_hold(Ctx *c, void *p);
/* A block of size bytes from malloc, held; jumps to c->oom when there is none. */
void *ctx_malloc(Ctx *c, size_t size);
/* Frees p, which c holds. */
void ctx_drop(Ctx *c, void *p);

/*
 * The columns a character takes in a terminal, as GCC counts them (width.c):
 * 0 for a combining mark or a format character, 2 for an East Asian wide
 * one, 1 for the rest.  utf8_width takes the n bytes of one UTF-8
 * character; 1 when they are not one, or are a character that
 * diagnostics show as '?' (a control or a bidirectional control).
 */
int char_width(unsigned long cp);
int utf8_width(const char *s, size_t n);
/* The code point of the UTF-8 character s[0..n), or -1 when it is not one. */
long utf8_decode(const char *s, size_t n);

/* Records an error at loc (loc.line 0: an error about the whole file). */
void error_at(Ctx *c, Loc loc, const char *fmt, ...) PRINTF_LIKE(3, 4);
/*
 * Records an error at `at` in another file (a CSV file the spec names at
 * `named`) whose text is text (len bytes): printed there, with that line
 * of text, then a note at `named`.
 */
void error_in_file(Ctx *c, Loc named, const char *file, const char *text, size_t len, Loc at,
                   const char *fmt, ...) PRINTF_LIKE(7, 8);
/* Prints the recorded errors in source order, each with its line and a caret. */
void ctx_flush(Ctx *c);
/* A bug in nnc: prints where and aborts. */
#define bug(...) bug_at(__FILE__, __LINE__, __VA_ARGS__)
NORETURN void bug_at(const char *file, int line, const char *fmt, ...) PRINTF_LIKE(3, 4);

/* The closest of the NULL-terminated words to s, if it is a likely typo; or NULL. */
const char *near_miss(const char *s, const char *const *words);
/*
 * The one of the NULL-terminated words that s likely means: the same in
 * another case, the word another library uses for it (lr for learn_rate,
 * bce for binary_cross_entropy), or a near miss; or NULL.
 */
const char *suggestion(const char *s, const char *const *words);

void buf_printf(Ctx *c, Buf *b, const char *fmt, ...) PRINTF_LIKE(3, 4);
void buf_puts(Ctx *c, Buf *b, const char *s);
/* Empties b, giving its memory back when it is big enough to have a chunk of its own. */
void buf_free(Ctx *c, Buf *b);

/* ---- The passes (compile.c) ----------------------------------------------- */

/*
 * Compiles c->src into out (and into header, when not NULL): every pass
 * in order.  With c->emit_dot or c->explain, out gets the drawing or the
 * explanation instead.  Returns 0, or 1 with the errors printed to c->err.
 */
int compile(Ctx *c, Buf *out, Buf *header);

/* ---- The syntax tree (parser.y, ast.c) ---------------------------------- */

/* A word or number as written, with where it was written. */
typedef struct {
    char *text;
    Loc loc;
} Token;

typedef struct TokenList {
    Token tok;
    int is_arrow; /* in a data block: the '->' between inputs and targets */
    int joined;   /* in a data block: a number written joined to the one before by a comma, as in 0,5 */
    struct TokenList *next;
    struct TokenList *tail; /* in the head node only: the last node */
} TokenList;

typedef enum {
    ST_INPUT,
    ST_HIDDEN,
    ST_OUTPUT,
    ST_LOSS,
    ST_LEARN_RATE,
    ST_EPOCHS,
    ST_SEED,
    ST_INIT,
    ST_NORMALIZE,
    ST_OPTIMIZER,
    ST_BATCH,
    ST_SHUFFLE,
    ST_WEIGHT_DECAY,
    ST_PRECISION,
    ST_VALIDATE,
    ST_EARLY_STOP,
    ST_SCHEDULE,
    ST_CONV,
    ST_POOL,
    ST_CLASSES,
} StmtKind;

/* A statement of the network block: `hidden 2 sigmoid` is kind ST_HIDDEN, num 2, word sigmoid. */
typedef struct Stmt {
    StmtKind kind;
    Loc loc;           /* of the keyword */
    Token num;         /* text NULL when absent */
    Token word;        /* text NULL when absent */
    Token dims;        /* `input 8x8`, `conv 8 3x3 relu`: the size; text NULL when absent */
    TokenList *names;  /* `input a, b`; an optimizer's settings; conv's and pool's stride and padding */
    struct Stmt *next;
    struct Stmt *tail; /* in a list's first node: its last */
} Stmt;

typedef enum { BLOCK_NETWORK, BLOCK_PARAMS, BLOCK_DATA, BLOCK_PREDICT, BLOCK_TEST } BlockKind;

/* `predict { name: X... }` and `params { name = X }` entries. */
typedef struct Entry {
    Token name;
    TokenList *values;
    struct Entry *next;
    struct Entry *tail; /* in a list's first node: its last */
} Entry;

typedef struct Block {
    BlockKind kind;
    Loc loc;           /* of the keyword */
    Token name;        /* network NAME */
    Stmt *stmts;       /* network */
    Entry *entries;    /* params, predict */
    Token file;        /* data or test "file.csv": text NULL for inline rows */
    TokenList *items;  /* inline data or test rows: numbers and arrows */
    struct Block *next;
    struct Block *tail; /* in a list's first node: its last */
} Block;

typedef struct {
    Block *blocks;
} Ast;

/* What the lexer and the parser share while they run. */
typedef struct {
    Ctx *c;
    void *scanner;
    int line, col;      /* where the next token starts */
    int last_keyword;   /* token kind of the last keyword, for messages */
    int prev_keyword;   /* and of the one before it */
    Loc reported;       /* the last token that the lexer reported an error at */
    size_t end;         /* the byte offset just past the last token */
    Loc open;           /* the '{' of the block being read (line 0 between blocks) */
    int open_keyword;   /* and the keyword of that block */
    Loc number_end;     /* in a data block: where the last number ended */
    Loc comma_end;      /* and where the last comma written joined to one ended */
    Ast *ast;
} ParseState;

/* Parses c->src; returns NULL (with errors recorded) when it does not parse. */
Ast *parse(Ctx *c);

/* Append a node to a list, keeping source order (ast.c); a NULL node is skipped. */
TokenList *token_list_append(Ctx *c, TokenList *list, Token tok, int is_arrow);
Stmt *stmt_append(Stmt *list, Stmt *s);
Entry *entry_append(Entry *list, Entry *e);
Block *block_append(Block *list, Block *b);

/* ---- The checked spec (check.c) ----------------------------------------- */

typedef enum { ACT_SIGMOID, ACT_TANH, ACT_RELU, ACT_LEAKY_RELU, ACT_LINEAR, ACT_SOFTMAX } Act;
typedef enum { LOSS_MSE, LOSS_BCE, LOSS_CE } LossKind;
typedef enum { INIT_NORMAL, INIT_XAVIER, INIT_HE } InitKind;
typedef enum { OPT_SGD, OPT_MOMENTUM, OPT_ADAM } OptKind;

/* NULL-terminated; one table with the runtime (runtime/names.c). */
extern const char *const *const act_names;   /* indexed by Act */
extern const char *const *const loss_names;  /* indexed by LossKind */
extern const char *const *const init_names;  /* indexed by InitKind */
extern const char *const *const opt_names;   /* indexed by OptKind */

typedef enum { LAYER_DENSE, LAYER_CONV, LAYER_POOL } LayerType;
typedef enum { POOL_MAX, POOL_AVG } PoolKind;

/* A map of values: h rows of w columns of c channels, stored channels-last. */
typedef struct {
    int h, w, c;
} Shape;

typedef struct {
    int size;             /* neurons (dense), or values of the output map, h * w * c */
    Act act;              /* ACT_LINEAR for a pool */
    int line;             /* of its statement in the spec */
    LayerType type;
    int kh, kw;           /* conv, pool: the kernel's or the window's rows and columns */
    int stride_h, stride_w;
    int pad;              /* conv: zeros on every side */
    PoolKind pool;
    Shape in, out;        /* conv, pool: the maps it reads and makes (out.c: a conv's filters) */
} Layer;

/* A network block made sense of: what the derivation and the emitter need. */
typedef struct {
    const char *file;
    const char *name;
    int ninputs;
    char **input_names;   /* NULL for `input N` */
    Shape input_shape;    /* `input HxW` and `input HxWxC`; h 0 for `input N` and names */
    int nlayers;          /* hidden layers, then the output layer */
    Layer *layers;
    LossKind loss;
    int loss_line;        /* of the loss statement, or of the output statement */
    InitKind init;
    int normalize;        /* z-score the inputs with the training data's mean and deviation */
    OptKind optimizer;
    double momentum;      /* momentum: the velocity's decay */
    int nesterov;         /* momentum: Nesterov's form */
    double beta1, beta2, epsilon; /* adam */
    long batch;           /* samples a gradient averages over */
    int shuffle;          /* a new sample order every epoch */
    double weight_decay;  /* L2 penalty, added to each partial as weight_decay * param */
    double learn_rate;
    long epochs;
    uint64_t seed;
    int single;           /* computes in float: precision float, or nnc --precision float */
    double validate;      /* the fraction of the rows held out for validation, or 0 */
    long early_stop;      /* epochs without a better validation loss before stopping, or 0 */
    int schedule;         /* the learning rate's schedule: 0 none, 1 step, 2 exponential, 3 cosine */
    long schedule_every;  /* step: EVERY; cosine: T_MAX */
    double schedule_gamma, schedule_eta_min;

    int nparams;
    double *init_value;   /* nparams values, or NULL without a params block */
    unsigned char *init_fixed;

    int ndata;            /* rows of ninputs then noutputs values */
    double *data;
    int ntest;            /* held-out rows, the same way */
    double *test;

    int npredict;
    char **predict_name;
    double *predict_x;    /* npredict rows of ninputs */

    int nclasses;         /* `classes`: the names of a classifier's classes, or 0 */
    char **class_names;
} Spec;

/* Checks ast and builds its Spec; NULL when there were errors. */
Spec *check(Ctx *c, Ast *ast);

/* What check.c and rows.c share: */
/* A token for a message, quoted and cut to 40 characters. */
const char *quoted(Ctx *c, const char *s);
/* The number of a token, or NAN after an error (overflow, or a malformed number the lexer reported). */
double number_of(Ctx *c, Token t);
/* x as the shortest decimal that reads back, for messages. */
const char *shortest_text(Ctx *c, double x);
/* Reports v, read from t, when s computes in float and v is past float's range; returns 1 then. */
int too_large_for_float(Ctx *c, const Spec *s, Token t, double v);
/* For each of the n names, the index of the first equal one. */
int *first_same(Ctx *c, const char *const *names, int n);
/* The params, data and test, and predict blocks (rows.c). */
void check_params(Ctx *c, Block *b, Spec *s);
void check_rows(Ctx *c, Block *b, Spec *s, int *nrows, double **rows);
void check_predict(Ctx *c, Block *b, Spec *s);

/* ---- The network's units and parameters (derive.c) ------------------------ */

/* A weight or a bias, named as the issue fixes: w1.. then b1... */
typedef struct {
    char *name;
    int neuron;  /* the unit it belongs to: a conv filter's first position for a shared weight */
    int input;   /* which input of that neuron it weighs (a conv weight: its tap in the filter); -1 for a bias */
    int owner;   /* the Owner (neuron or filter) that holds it */
} Param;

/*
 * What holds parameters: a dense neuron (its weights and bias), or a conv
 * filter (its taps and bias), which every position of its map shares.
 * The emitters lay parameters out owner by owner.
 */
typedef struct {
    const char *name;   /* h1, o1; c1_f1 for filter 1 of conv layer c1 */
    int is_filter;
    int layer;
    int unit;           /* the neuron, or the filter's first position */
    int first_weight, nweights; /* its weights are [first_weight, first_weight + nweights) */
    int bias;           /* parameter index */
} Owner;

/*
 * A unit: a dense neuron, or one value of a conv or pool layer's map (a
 * filter's sum and activation at a position, a window's maximum or mean).
 */
typedef struct {
    char *name;     /* h1, h2, h1_1, o1; c1_2_3_1 (conv 1, row 2, column 3, filter 1); p1_1_1_1 */
    char *pname;    /* its name in partials: ypred for a single output, else name */
    int layer;
    Act act;
    int ninputs;
    int first_input;  /* a dense neuron above layer 0: the index of its first input neuron; else -1 */
    int *input;       /* ninputs: the unit each input is, or -1 - i for the network's input x[i] */
    int *weight;      /* ninputs parameter indices; NULL for a pool */
    int bias;         /* parameter index; -1 for a pool */
    int nfeeds;       /* how many units take it as an input */
} Neuron;
typedef struct LayerKind LayerKind;

typedef struct {
    Spec *spec;
    int nneurons;
    Neuron *neurons;
    int *layer_first;   /* nlayers + 1 entries: neurons of layer l are [first[l], first[l+1]) */
    const LayerKind **layer_kind; /* nlayers entries: the kind of each layer */
    int nparams;
    Param *params;
    int nweights;       /* parameters [0, nweights) are weights, the rest biases */
    int nbiases;
    int nowners;
    Owner *owners;      /* in parameter order */
    int noutputs;
    int has_maps;       /* some layer is conv or pool */
} Net;

/* Names the neurons and parameters of spec and works out who feeds whom. */
Net *derive(Ctx *c, Spec *spec);

/* How many parameters a network of these layers has, or -1 past MAX_PARAMS. */
long count_params(int ninputs, const Layer *layers, int nlayers);
/* How many weights layer l has: a conv's filters' taps, a dense layer's inputs by neurons. */
long layer_weights(int ninputs, const Layer *layers, int l);
/* How many biases layer l has: one a filter or a neuron; none for a pool. */
long layer_biases(const Layer *layer);

/* ---- Maps: conv and pool statements (shape.c) ----------------------------- */

/* Reads `input HxW[xC]` into s; 1 when it is wrong. */
int check_input_shape(Ctx *c, Stmt *in, Spec *s);
/*
 * Reads the conv or pool statement st as layer l of s, over the map in;
 * 1 when it is wrong (reported).
 */
int check_map_layer(Ctx *c, Stmt *st, Spec *s, Shape in, Layer *layer);
/* " (an 8x8 image)" for a row of a network with a map input, else "". */
const char *input_shape_note(Ctx *c, const Spec *s);
/* The runtime's description of layer y (nnrt_net's layer_map): NNRT_MAP_FIELDS values into v. */
void layer_map_fields(const Layer *y, int *v);

/* ---- The chain rule as data (chain.c, dense.c) ---------------------------- */

/*
 * The backpropagation of a network as data: every value that the
 * generated code names is a Value, with its formula in terms of other
 * values.  A formula is either a sum of terms, each a product of values
 * (d_L_d_w1 = d_L_d_ypred * d_ypred_d_h1 * d_h1_d_w1 is one term of
 * three factors; d_L_d_h1 = d_L_d_o1 * d_o1_d_h1 + d_L_d_o2 * d_o2_d_h1
 * two terms), or, where a rule of calculus gives the value in closed form
 * (f'(sum_h1) = h1 * (1 - h1), the loss's derivative), a C expression and
 * the values it reads.  The emitters write these values out and --explain
 * walks them; neither works the chain rule out again.
 */

typedef enum {
    VAL_INPUT,   /* x[0]: an input of the network */
    VAL_TARGET,  /* y_true[0] */
    VAL_PARAM,   /* w1, b1 (nn->w1 in the unrolled C) */
    VAL_SUM,     /* sum_h1: a weighted sum and its bias */
    VAL_ACT,     /* h1, o1: an activation */
    VAL_OUTPUT,  /* y_pred, where the code names it */
    VAL_LOSS,    /* d_L_d_ypred, d_L_d_o1, d_L_d_sum_o1, d_L_d_o_dot_o: the loss's partials */
    VAL_LOCAL,   /* d_h1_d_sum_h1, d_h1_d_w1, d_ypred_d_h1: one layer's own partials */
    VAL_BACK,    /* d_L_d_h1: partial L / partial a value that feeds several others */
    VAL_GRAD,    /* d_L_d_w1: partial L / partial a parameter */
    VAL_STATE,   /* velocity_w1, m_w1, v_w1: the optimizer's state of a parameter */
} ValKind;

/* A product of values, in the order written. */
typedef struct {
    int nfactors;
    int *factors;  /* value indices */
} Term;

typedef struct {
    ValKind kind;
    const char *name;     /* as the C names it: d_h1_d_w1, sum_h1, w1, x[0] */
    const char *expr;     /* a closed-form C expression, or NULL for the sum of terms */
    int nterms;
    Term *terms;
    int ndeps;            /* the values it reads: its factors, or what expr names */
    int *deps;
    const char *rule;     /* the formula as its comment gives it, or NULL */
    const LayerKind *by;  /* the layer kind that supplied it; NULL for inputs, the loss, the optimizer */
    int layer;            /* its layer, or -1 */
    int unit;             /* its neuron (in Net's numbering), or -1 */
    int param;            /* the parameter it is, is the partial of, or the state of; else -1 */
} Value;

/* Lines first..last (1-based) of the C text; 0, 0 for none. */
typedef struct {
    int first, last;
} LineRange;

/*
 * Where the compact form's NAME_train_sample computes a layer's values,
 * as lines of the C file: recorded by the emitter while it writes them, so
 * that --explain can show the loops that compute a name.
 */
typedef struct {
    LineRange forward;   /* the layer's sums and activations */
    LineRange loss;      /* the loss's partials (the output layer's entry only) */
    LineRange backward;  /* its partials: d_L_d_sum, its weights and biases, its inputs */
} CompactLines;

/*
 * The model: the values, in an order in which each comes after the
 * values it reads, and where to find each neuron's and parameter's
 * values (-1 where the code does not name one).
 */
typedef struct {
    Net *net;
    int nvalues, cap;
    Value *values;
    int *input;        /* [ninputs] x[i] */
    int *target;       /* [noutputs] y_true[k] */
    int *param;        /* [nparams] the parameter */
    int *local;        /* [nparams] d_<neuron>_d_<param>: h1's d_h1_d_w1 */
    int *grad;         /* [nparams] d_L_d_<param> */
    int *state[2];     /* [nparams] the optimizer's state: velocity_ or m_, then v_ */
    int *sum;          /* [nneurons] sum_h1 */
    int *act;          /* [nneurons] h1 */
    int *d_act_d_sum;  /* [nneurons] d_h1_d_sum_h1 */
    int *d_L_d_sum;    /* [nneurons] d_L_d_sum_o1, where the loss simplifies through the activation */
    int *d_L_d_act;    /* [nneurons] d_L_d_ypred, d_L_d_o2, d_L_d_h1 */
    int **d_act_d_in;  /* [nneurons][ninputs] d_ypred_d_h1: partial of a neuron w.r.t. an input neuron */
    int ypred;         /* y_pred */
    int o_dot;         /* d_L_d_o_dot_o (softmax under mean squared error) */
    CompactLines *compact_lines; /* [nlayers] filled by the emitter of the compact form, or NULL */
    int *seen, seen_size, seen_owner; /* chain.c's stamps, for a value's dependencies */
} Model;

/*
 * A kind of layer: the one place that says what a layer computes, its
 * local partials and how they chain.  Each function adds layer l's values
 * to the model: forward its sums and activations from its inputs; local
 * the partials of its outputs with respect to its sums, its parameters
 * and its inputs; chain the partials of L with respect to its inputs and
 * its parameters, from those of its outputs.  The loss's own partials
 * come between forward and local (chain.c).
 */
struct LayerKind {
    const char *name;                   /* "dense" */
    void (*forward)(Ctx *c, Model *m, int l);
    void (*local)(Ctx *c, Model *m, int l);
    void (*chain)(Ctx *c, Model *m, int l);
};

extern const LayerKind dense_layer, conv_layer, pool_layer;

/* What the layer kinds share (dense.c): */
/* The j-th input of u as a value: x[i], or a unit of the layer below. */
int input_value(const Model *m, const Neuron *u, int j);
/*
 * Adds unit id's weighted sum (sum_h1 = w1 * x[0] + ... + b1) and, unless
 * its layer is a softmax, its activation: a dense neuron, or a filter at
 * one position of a conv layer (by says which kind supplied them).
 */
void weighted_unit(Ctx *c, Model *m, int l, int id, const LayerKind *by);
/* The C function of an activation, with the precision's suffix; NULL for linear and softmax. */
const char *act_c_fn(Ctx *c, Act act, int single);
/* f'(sum_u) as C from values at hand (unit id), its formula for the comment, and the value it reads (or -1). */
const char *act_derivative(Ctx *c, const Model *m, const Neuron *u, int id, const char **rule, int *reads);

/* The model of net's backpropagation: every layer's values, the loss's, the optimizer's. */
Model *model_build(Ctx *c, Net *net);
/*
 * A model of net without values: what the compact form's emitter needs,
 * which writes each layer kind's loops from the Net and records their
 * lines in the model.
 */
Model *model_new(Ctx *c, Net *net);
/* Adds a value to m; its formula is set by value_term / value_expr.  Returns its index. */
int value_add(Ctx *c, Model *m, ValKind kind, const char *name, int layer, int unit, int param);
/* Adds the product of the n values of factors to the formula of value v. */
void value_term(Ctx *c, Model *m, int v, const int *factors, int n);
/* Gives value v the closed-form C expression expr, which reads the n values of deps. */
void value_expr(Ctx *c, Model *m, int v, const char *expr, const int *deps, int n);
/* The value named name, or -1. */
int value_named(const Model *m, const char *name);
/* How value v is read in C: nn->w1 for a parameter, else its name. */
const char *value_ref(Ctx *c, const Model *m, int v);
/* The C of v's formula as terms to join with " + ": its closed form alone, or each term's factors. */
const char **value_terms(Ctx *c, const Model *m, int v, int *n);
/* The C expression of v's formula, on one line. */
const char *value_c(Ctx *c, const Model *m, int v);
/* Do layer l's values need partials of L: is there a layer with parameters at l or below? */
int needs_partials(const Net *net, int l);
/* Is u an output neuron whose partial is taken with respect to its sum (softmax, or sigmoid under BCE)? */
int is_sum_form(const Net *net, const Neuron *u);

/* ---- Emission (emit.c) --------------------------------------------------- */

/* Is net written as loops over arrays (the compact form), as c->unroll has it? */
int is_compact(const Ctx *c, const Net *net);

/*
 * Writes the C file for m's network into out.  With c->line_directives,
 * each block of C that comes from a statement of the spec is marked with
 * #line directives to it.  In the compact form, m->compact_lines gets
 * the lines where NAME_train_sample computes each layer.
 */
void emit_c(Ctx *c, Model *m, Buf *out);
/* Writes the header for embedding m's network into out. */
void emit_header(Ctx *c, Model *m, Buf *out);
/*
 * The inference export (emit_inference.c): the parameters of the file
 * params as constants and NAME_predict into out, and the header's sizes
 * and declarations into header (when not NULL).  Returns 0, or 1 with the
 * file's error printed.
 */
int emit_inference(Ctx *c, Model *m, const char *params, Buf *out, Buf *header);

/*
 * A file's path as text inside a C or DOT comment: a "*" then "/" is
 * broken by a space, and control characters are '?'.
 */
const char *comment_text(Ctx *c, const char *path);

/* ---- Pictures and explanations (dot.c, explain.c) ------------------------- */

/* Writes a Graphviz drawing of net into out: layers left to right, each neuron with its bias and activation, each edge with its weight. */
void emit_dot(Ctx *c, Net *net, Buf *out);

/* Explains name, a name in net's generated code, into out (chain rule, factors, the C that computes it); returns 0, or 1 after an error on c->err when it is not one. */
int explain(Ctx *c, Net *net, const char *name, Buf *out);

/* ---- Building and running programs (build.c) ----------------------------- */

/* path as messages show it (nnrt__shown_name), in one of four static buffers used in turn. */
const char *shown_path(const char *path);
/* The program --build makes from spec by default: its file name without directory and .nn, from malloc. */
char *program_name(const char *spec);
/* Compiles c_text with $CC into the program output (the default: program_name), returning nnc's exit status. */
int build_program(const char *argv0, const char *spec, const Buf *c_text, const char *output);
/*
 * Whether --build may write its program to output, checked before the spec
 * is compiled: not a directory, nor a name of C source (.c, .h) or of a
 * spec (.nn).  Returns 0, or nnc's exit status having said why not.
 */
int check_program_output(const char *output);
/* Builds c_text in a temporary directory and runs it with args (args[0] becomes its path), returning its exit status. */
int run_program(const char *argv0, const char *spec, const Buf *c_text, char **args);

#endif
