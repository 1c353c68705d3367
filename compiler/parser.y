/*
 * parser.y: the grammar of the .nn language, building an Ast.
 *
 * The grammar only says what may follow what; what the words and numbers
 * mean (is 'sigmod' an activation? is 2.5 a size?) is check.c's business,
 * where each mistake can be named precisely.  Syntax errors are reported
 * by yyreport_syntax_error below in the house style: what was expected,
 * what was found, and the near miss if there is one.  Recovery happens at
 * statement, entry and block boundaries, so one run reports every error.
 */
%code requires {
#include "nnc.h"
}

%code provides {
int yylex(YYSTYPE *yylval, YYLTYPE *yylloc, void *scanner);
}

/* A pure parser, so that nothing lives in globals. */
%define api.pure full
/* Tokens and rules carry their line and column, for messages. */
%locations
/* Our own syntax-error messages, to name what was expected in words. */
%define parse.error custom
/* TOK_ keeps token names clear of everything else. */
%define api.token.prefix {TOK_}
/* Each semantic value has a type of its own, checked by the compiler. */
%define api.value.type union
/* The grammar has no conflicts, and must stay so. */
%expect 0

%param {void *scanner}
%parse-param {ParseState *ps}

/*
 * No %destructor: every semantic value lives in the run's arena, which is
 * freed once, whatever the parser discards during error recovery.
 */

%token NETWORK "network" PARAMS "params" DATA "data" PREDICT "predict"
%token INPUT "input" HIDDEN "hidden" OUTPUT "output" LOSS "loss"
%token LEARN_RATE "learn_rate" EPOCHS "epochs" SEED "seed" INIT "init" NORMALIZE "normalize"
%token OPTIMIZER "optimizer" BATCH "batch" SHUFFLE "shuffle" WEIGHT_DECAY "weight_decay"
%token PRECISION "precision"
%token CONV "conv" POOL "pool"
%token CLASSES "classes"
%token TEST "test"
%token VALIDATE "validate" EARLY_STOP "early_stop" SCHEDULE "schedule"
%token ARROW "->"
%token <char *> IDENT "name" NUMBER "number" STRING "string"
/* A size of a map or a kernel, as 8x8 or 8x8x3. */
%token <char *> DIMS "size"

%nterm <Block *> blocks block
%nterm <Stmt *> stmts stmt
%nterm <Entry *> param_entries predict_entries
%nterm <TokenList *> names numbers data_items settings
%nterm <StmtKind> number_stmt
%nterm <Token> number

%code {
#include <string.h>

static Loc loc_of(YYLTYPE l)
{
    Loc loc = {l.first_line, l.first_column};
    return loc;
}

static Token tok(char *text, YYLTYPE l)
{
    Token t = {text, loc_of(l)};
    return t;
}

static Stmt *new_stmt(ParseState *ps, StmtKind kind, YYLTYPE l)
{
    Stmt *s = ctx_alloc(ps->c, sizeof *s);
    s->kind = kind;
    s->loc = loc_of(l);
    return s;
}

static Block *new_block(ParseState *ps, BlockKind kind, YYLTYPE l)
{
    Block *b = ctx_alloc(ps->c, sizeof *b);
    b->kind = kind;
    b->loc = loc_of(l);
    return b;
}

static Entry *new_entry(ParseState *ps, Token name, TokenList *values)
{
    Entry *e = ctx_alloc(ps->c, sizeof *e);
    e->name = name;
    e->values = values;
    return e;
}

static void yyerror(YYLTYPE *loc, void *scanner, ParseState *ps, const char *msg);
static int comma_number(ParseState *ps, Token t, const char *what, int whole);
static void statement_expected(ParseState *ps, YYLTYPE at, const char *text);
static const char *quote(Ctx *c, const char *text, size_t len);
static const char *ps_stmt_word(StmtKind kind);
}

%%

spec:
    blocks                      { ps->ast->blocks = $1; }
    ;

blocks:
    %empty                      { $$ = NULL; }
  | blocks block                { $$ = block_append($1, $2); }
    ;

block:
    "network" IDENT '{' stmts '}' {
        $$ = new_block(ps, BLOCK_NETWORK, @1);
        $$->name = tok($2, @2);
        $$->stmts = $4;
    }
  | "params" '{' param_entries '}' {
        $$ = new_block(ps, BLOCK_PARAMS, @1);
        $$->entries = $3;
    }
  | "data" '{' data_items '}' {
        $$ = new_block(ps, BLOCK_DATA, @1);
        $$->items = $3;
    }
  | "data" STRING {
        $$ = new_block(ps, BLOCK_DATA, @1);
        $$->file = tok($2, @2);
    }
  | "test" '{' data_items '}' {
        $$ = new_block(ps, BLOCK_TEST, @1);
        $$->items = $3;
    }
  | "test" STRING {
        $$ = new_block(ps, BLOCK_TEST, @1);
        $$->file = tok($2, @2);
    }
  | "predict" '{' predict_entries '}' {
        $$ = new_block(ps, BLOCK_PREDICT, @1);
        $$->entries = $3;
    }
  | error '}'                   { $$ = NULL; }
    ;

stmts:
    %empty                      { $$ = NULL; }
  | stmts stmt                  { $$ = stmt_append($1, $2); }
    ;

stmt:
    "input" NUMBER              { $$ = new_stmt(ps, ST_INPUT, @1); $$->num = tok($2, @2); }
  | "input" names               { $$ = new_stmt(ps, ST_INPUT, @1); $$->names = $2; }
  | "input" DIMS                { $$ = new_stmt(ps, ST_INPUT, @1); $$->dims = tok($2, @2); }
  | "conv" NUMBER DIMS IDENT settings {
        /* `conv 8 3x3 relu stride 2 padding 1`: the settings are read by check.c. */
        $$ = new_stmt(ps, ST_CONV, @1);
        $$->num = tok($2, @2);
        $$->dims = tok($3, @3);
        $$->word = tok($4, @4);
        $$->names = $5;
    }
  | "pool" IDENT DIMS settings {
        $$ = new_stmt(ps, ST_POOL, @1);
        $$->word = tok($2, @2);
        $$->dims = tok($3, @3);
        $$->names = $4;
    }
  | "classes" names             { $$ = new_stmt(ps, ST_CLASSES, @1); $$->names = $2; }
  | "hidden" NUMBER IDENT {
        $$ = new_stmt(ps, ST_HIDDEN, @1);
        $$->num = tok($2, @2);
        $$->word = tok($3, @3);
    }
  | "output" NUMBER IDENT {
        $$ = new_stmt(ps, ST_OUTPUT, @1);
        $$->num = tok($2, @2);
        $$->word = tok($3, @3);
    }
  | "loss" IDENT                { $$ = new_stmt(ps, ST_LOSS, @1); $$->word = tok($2, @2); }
  | "init" IDENT                { $$ = new_stmt(ps, ST_INIT, @1); $$->word = tok($2, @2); }
  | "precision" IDENT           { $$ = new_stmt(ps, ST_PRECISION, @1); $$->word = tok($2, @2); }
  | "normalize"                 { $$ = new_stmt(ps, ST_NORMALIZE, @1); }
  | "shuffle"                   { $$ = new_stmt(ps, ST_SHUFFLE, @1); }
  | "optimizer" IDENT settings {
        $$ = new_stmt(ps, ST_OPTIMIZER, @1);
        $$->word = tok($2, @2);
        $$->names = $3;
    }
  | "schedule" IDENT settings {
        $$ = new_stmt(ps, ST_SCHEDULE, @1);
        $$->word = tok($2, @2);
        $$->names = $3;
    }
  | number_stmt number {
        /* After a decimal comma, the statement is dropped: its number is reported. */
        if (comma_number(ps, $2, ps_stmt_word($1), $1 == ST_EPOCHS || $1 == ST_SEED || $1 == ST_BATCH ||
                                                  $1 == ST_EARLY_STOP)) {
            $$ = NULL;
        } else {
            $$ = new_stmt(ps, $1, @1);
            $$->num = $2;
        }
    }
  | error                       { $$ = NULL; }
    ;

number_stmt:
    "learn_rate"                { $$ = ST_LEARN_RATE; }
  | "batch"                     { $$ = ST_BATCH; }
  | "weight_decay"              { $$ = ST_WEIGHT_DECAY; }
  | "epochs"                    { $$ = ST_EPOCHS; }
  | "seed"                      { $$ = ST_SEED; }
  | "validate"                  { $$ = ST_VALIDATE; }
  | "early_stop"                { $$ = ST_EARLY_STOP; }
    ;

/*
 * A number where one is expected, or numbers joined by commas, as in
 * `0,5`: a decimal comma, which the rule that takes it reports.  Its text
 * is then not a number, and check.c says nothing more about it.
 */
number:
    NUMBER                      { $$ = tok($1, @1); }
  | number ',' NUMBER {
        /* Written together, as "0,5", or apart, as "0, 5". */
        int together = @3.first_line == @2.last_line && @3.first_column == @2.last_column &&
                       @2.first_line == @1.last_line && @2.first_column == @1.last_column;
        $$ = $1;
        $$.text = ctx_printf(ps->c, "%s,%s%s", $1.text, together ? "" : " ", $3);
    }
    ;

/* An optimizer's settings: names and numbers, as in `momentum 0.9 nesterov`, read by check.c. */
settings:
    %empty                      { $$ = NULL; }
  | settings IDENT              { $$ = token_list_append(ps->c, $1, tok($2, @2), 0); }
  | settings number             { comma_number(ps, $2, NULL, 0); $$ = token_list_append(ps->c, $1, $2, 0); }
    ;

names:
    IDENT                       { $$ = token_list_append(ps->c, NULL, tok($1, @1), 0); }
  | names ',' IDENT             { $$ = token_list_append(ps->c, $1, tok($3, @3), 0); }
  | names IDENT {
        /*
         * A name after a name on its line lacks the comma between them; on
         * a line of its own it is rather a statement misspelt, reported as
         * such (as the parser would have) and skipped with its statement.
         */
        if (@2.first_line == @1.last_line) {
            error_at(ps->c, loc_of(@2), "expected ',' between %s names but found %s",
                     ps->last_keyword == TOK_CLASSES ? "class" : "input", quote(ps->c, $2, strlen($2)));
            $$ = token_list_append(ps->c, $1, tok($2, @2), 0);
        } else {
            statement_expected(ps, @2, $2);
            YYERROR;
        }
    }
    ;

param_entries:
    %empty                      { $$ = NULL; }
  | param_entries IDENT '=' number {
        comma_number(ps, $4, NULL, 0);
        $$ = entry_append($1, new_entry(ps, tok($2, @2), token_list_append(ps->c, NULL, $4, 0)));
    }
  /* As --save writes it, "w1 4.98", so that a saved file can be pasted in (rows.c checks the names). */
  | param_entries IDENT number {
        comma_number(ps, $3, NULL, 0);
        $$ = entry_append($1, new_entry(ps, tok($2, @2), token_list_append(ps->c, NULL, $3, 0)));
    }
  | param_entries error         { $$ = $1; }
    ;

data_items:
    %empty                      { $$ = NULL; }
  | data_items NUMBER {
        /* Joined to the number before by a comma, as in 0,5: perhaps a decimal comma, which a miscount may tell. */
        $$ = token_list_append(ps->c, $1, tok($2, @2), 0);
        $$->tail->joined = @2.first_line == ps->comma_end.line && @2.first_column == ps->comma_end.col;
        ps->number_end = (Loc){@2.last_line, @2.last_column};
    }
  | data_items ',' {
        $$ = $1;
        if (@2.first_line == ps->number_end.line && @2.first_column == ps->number_end.col)
            ps->comma_end = (Loc){@2.last_line, @2.last_column};
    }
  | data_items "->"             { $$ = token_list_append(ps->c, $1, tok(NULL, @2), 1); }
    /* A class by its name (`classes`): rows.c says where a name may not stand. */
  | data_items IDENT            { $$ = token_list_append(ps->c, $1, tok($2, @2), 0); }
    ;

predict_entries:
    %empty                      { $$ = NULL; }
  | predict_entries IDENT ':' numbers {
        $$ = entry_append($1, new_entry(ps, tok($2, @2), $4));
    }
  | predict_entries error       { $$ = $1; }
    ;

numbers:
    NUMBER                      { $$ = token_list_append(ps->c, NULL, tok($1, @1), 0); }
  | numbers NUMBER              { $$ = token_list_append(ps->c, $1, tok($2, @2), 0); }
  | numbers ',' NUMBER          { $$ = token_list_append(ps->c, $1, tok($3, @3), 0); }
    ;

%%

static void yyerror(YYLTYPE *loc, void *scanner, ParseState *ps, const char *msg)
{
    (void)scanner;
    error_at(ps->c, loc_of(*loc), "%s", msg);
}

/*
 * The statements of a network block and the blocks of a spec, as tokens and
 * as words.  conv and pool are statements but not listed in messages, which
 * name the statements every network has.
 */
static const yysymbol_kind_t statement_syms[] = {
    YYSYMBOL_INPUT, YYSYMBOL_HIDDEN, YYSYMBOL_OUTPUT, YYSYMBOL_LOSS, YYSYMBOL_LEARN_RATE,
    YYSYMBOL_EPOCHS, YYSYMBOL_SEED, YYSYMBOL_INIT, YYSYMBOL_NORMALIZE, YYSYMBOL_OPTIMIZER,
    YYSYMBOL_BATCH, YYSYMBOL_SHUFFLE, YYSYMBOL_WEIGHT_DECAY, YYSYMBOL_PRECISION, YYSYMBOL_VALIDATE,
    YYSYMBOL_EARLY_STOP, YYSYMBOL_SCHEDULE, YYSYMBOL_CONV, YYSYMBOL_POOL, YYSYMBOL_CLASSES, YYSYMBOL_YYEMPTY,
};
static const char *const statement_words[] = {
    "input", "hidden", "output", "loss", "learn_rate", "epochs", "seed", "init", "normalize",
    "optimizer", "batch", "shuffle", "weight_decay", "precision", "validate", "early_stop", "schedule",
    "conv", "pool", "classes", NULL,
};
static const yysymbol_kind_t block_syms[] = {
    YYSYMBOL_NETWORK, YYSYMBOL_PARAMS, YYSYMBOL_DATA, YYSYMBOL_TEST, YYSYMBOL_PREDICT, YYSYMBOL_YYEMPTY,
};
static const char *const block_words[] = {
    "network", "params", "data", "test", "predict", NULL,
};

/* Is k in the set (ended by YYSYMBOL_YYEMPTY)? */
static int in_set(yysymbol_kind_t k, const yysymbol_kind_t *set)
{
    for (; *set != YYSYMBOL_YYEMPTY; set++)
        if (*set == k)
            return 1;
    return 0;
}

/* How many of the expected tokens are in the set. */
static int count_in(const yysymbol_kind_t *expected, int n, const yysymbol_kind_t *set)
{
    int count = 0;
    for (int i = 0; i < n; i++)
        count += in_set(expected[i], set);
    return count;
}

/* A set's words as "a statement (input, hidden, ...)". */
static void list_words(Ctx *c, Buf *b, const char *what, const char *const *words)
{
    buf_printf(c, b, "%s (", what);
    for (int i = 0; words[i] != NULL; i++)
        buf_printf(c, b, "%s%s", i ? ", " : "", words[i]);
    buf_puts(c, b, ")");
}

/* 'text' for a token, cut to 40 characters. */
static const char *quote(Ctx *c, const char *text, size_t len)
{
    if (len > 40)
        return ctx_printf(c, "'%.40s...'", text);
    return ctx_printf(c, "'%.*s'", (int)len, text);
}

/* The keyword of a statement. */
static const char *ps_stmt_word(StmtKind kind)
{
    return statement_words[kind];
}

/* Does s, numbers joined by commas, group thousands, as "1,000,000" does? */
static int thousands(const char *s)
{
    const char *comma = strchr(s, ',');
    if (comma == NULL || comma == s || comma - s > 3)
        return 0;
    for (; comma != NULL; comma = strchr(comma + 1, ','))
        if (strspn(comma + 1, "0123456789") != 3 || (comma[4] != ',' && comma[4] != '\0'))
            return 0;
    return 1;
}

/*
 * Reports t when it is numbers joined by commas (from the rule number)
 * where one number is expected: a decimal comma, as Europe writes it, or
 * in a whole number, commas between thousands.  what names the setting,
 * or is NULL.  Returns 1 when it did.
 */
static int comma_number(ParseState *ps, Token t, const char *what, int whole)
{
    Ctx *c = ps->c;
    if (strchr(t.text, ',') == NULL)
        return 0;
    const char *for_what = what != NULL ? ctx_printf(c, " for %s", what) : "";
    const char *found = quote(c, t.text, strlen(t.text));
    if (strstr(t.text, ", ") != NULL)
        error_at(c, t.loc, "expected one number%s but found %s", for_what, found);
    else if (whole && thousands(t.text))
        error_at(c, t.loc, "expected a whole number%s but found %s; write it without ','", for_what, found);
    else
        error_at(c, t.loc, "expected a number%s but found %s; use '.' for decimals", for_what, found);
    return 1;
}

/*
 * Reports the name text at `at` where a statement of the network block
 * was expected, as yyreport_syntax_error does there.
 */
static void statement_expected(ParseState *ps, YYLTYPE at, const char *text)
{
    Ctx *c = ps->c;
    c->syntax_errors = 1;
    Buf b = {0};
    buf_puts(c, &b, "expected ");
    list_words(c, &b, "a statement", statement_words);
    buf_printf(c, &b, " or '}' but found %s", quote(c, text, strlen(text)));
    const char *suggest = suggestion(text, statement_words);
    if (suggest != NULL)
        buf_printf(c, &b, "; did you mean '%s'?", suggest);
    error_at(c, loc_of(at), "%s", b.s);
}

#include "lexer.h"

Ast *parse(Ctx *c)
{
    ParseState ps = {0};
    ps.c = c;
    ps.line = ps.col = 1;
    ps.ast = ctx_alloc(c, sizeof *ps.ast);
    if (yylex_init_extra(&ps, &ps.scanner) != 0)
        bug("cannot start the scanner");
    yy_scan_bytes(c->src, (int)c->len, ps.scanner);
    int status = yyparse(ps.scanner, &ps);
    yylex_destroy(ps.scanner);
    /*
     * After lexical errors, or syntax errors the parser recovered from, the
     * tree holds what did parse, and checking it finds the rest.
     */
    return status == 0 ? ps.ast : NULL;
}

/* Does a block start at the source's byte `at`: is a '{' or a string next? */
static int block_follows(const Ctx *c, size_t at)
{
    while (at < c->len) {
        char ch = c->src[at];
        if (ch == '#')
            while (at < c->len && c->src[at] != '\n' && c->src[at] != '\r')
                at++;
        else if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r')
            at++;
        else
            return ch == '{' || ch == '"';
    }
    return 0;
}

/*
 * When a block's keyword (one that starts a block, not a name spelled so)
 * or the end of the file is found inside a block, the block was left
 * open: reports its '{'.  Returns 1 when that is the whole error, as when
 * '}' would have done; 0 when the token was wrong in its place anyway.
 */
static int open_block(ParseState *ps, yysymbol_kind_t found, const YYLTYPE *at, const char *what,
                      const yysymbol_kind_t *expected, int n)
{
    static const struct {
        int token;
        const char *word;
    } blocks[] = {
        {TOK_NETWORK, "network"}, {TOK_PARAMS, "params"}, {TOK_DATA, "data"},
        {TOK_TEST, "test"}, {TOK_PREDICT, "predict"},
    };
    Ctx *c = ps->c;
    if (ps->open.line == 0 || (found != YYSYMBOL_YYEOF && !(in_set(found, block_syms) && block_follows(c, ps->end))))
        return 0;
    const char *block = NULL;
    for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++)
        if (blocks[i].token == ps->open_keyword)
            block = blocks[i].word;
    const char *before = found == YYSYMBOL_YYEOF ? what : ctx_printf(c, "%s at %d:%d", what, at->first_line, at->first_column);
    if (block != NULL)
        error_at(c, ps->open, "'{' of the %s block is never closed (expected '}' before %s)", block, before);
    else
        error_at(c, ps->open, "'{' is never closed (expected '}' before %s)", before);
    ps->open.line = 0;
    for (int i = 0; i < n; i++)
        if (strcmp(yysymbol_name(expected[i]), "'}'") == 0)
            return 1;
    return 0;
}

/* What a token of this kind would be called in "expected X". */
static const char *describe(yysymbol_kind_t kind, int last_keyword)
{
    switch (kind) {
    case YYSYMBOL_IDENT:
        switch (last_keyword) {
        case TOK_HIDDEN:
        case TOK_OUTPUT:
        case TOK_CONV:
            return "an activation (sigmoid, tanh, relu, leaky_relu, linear, softmax)";
        case TOK_LOSS:
            return "a loss (mse, binary_cross_entropy, cross_entropy)";
        case TOK_INIT:
            return "an initialisation (normal, xavier, he)";
        case TOK_OPTIMIZER:
            return "an optimizer (sgd, momentum, adam)";
        case TOK_PRECISION:
            return "a precision (double, float)";
        case TOK_INPUT:
            return "an input name";
        case TOK_POOL:
            return "a pool kind (max, avg)";
        case TOK_CLASSES:
            return "a class name";
        default:
            return "a name";
        }
    case YYSYMBOL_NUMBER:
        return "a number";
    case YYSYMBOL_DIMS:
        return "a size (as 3x3)";
    case YYSYMBOL_STRING:
        return "a file name in double quotes";
    default:
        return NULL;
    }
}

static int yyreport_syntax_error(const yypcontext_t *ctx, void *scanner, ParseState *ps)
{
    (void)scanner;
    Ctx *c = ps->c;
    c->syntax_errors = 1;
    yysymbol_kind_t found = yypcontext_token(ctx);
    const YYLTYPE *at = yypcontext_location(ctx);
    if (found != YYSYMBOL_YYEOF && at->first_line == ps->reported.line && at->first_column == ps->reported.col)
        return 0; /* the lexer has reported this token already */
    yysymbol_kind_t expected[YYNTOKENS];
    int n = yypcontext_expected_tokens(ctx, expected, YYNTOKENS);
    if (n < 0)
        n = 0;

    /* What was found, in words. */
    const char *what;
    const char *text = yyget_text(ps->scanner);
    size_t len = (size_t)yyget_leng(ps->scanner);
    if (found == YYSYMBOL_YYEOF)
        what = "the end of the file";
    else
        what = quote(c, text, len);

    if (open_block(ps, found, at, what, expected, n))
        return 0;

    /* Whole sets of statements or blocks are named as such. */
    int statements = count_in(expected, n, statement_syms) == (int)(sizeof statement_syms / sizeof *statement_syms) - 1;
    int blocks = count_in(expected, n, block_syms) == (int)(sizeof block_syms / sizeof *block_syms) - 1;

    Buf b = {0};
    buf_puts(c, &b, "expected ");
    const char *suggest = NULL;
    int listed = 0;
    if (statements) {
        list_words(c, &b, "a statement", statement_words);
        listed++;
        if (found == YYSYMBOL_IDENT)
            suggest = suggestion(text, statement_words);
    }
    if (blocks) {
        list_words(c, &b, "a block", block_words);
        listed++;
        if (found == YYSYMBOL_IDENT)
            suggest = suggestion(text, block_words);
    }
    for (int i = 0; i < n; i++) {
        yysymbol_kind_t k = expected[i];
        if ((statements && in_set(k, statement_syms)) || (blocks && in_set(k, block_syms)) ||
            k == YYSYMBOL_YYEOF)
            continue;
        /* What the statement needed: its keyword is the last one, or the one before
           when the token found is itself the next statement's keyword. */
        int keyword = in_set(found, statement_syms) || in_set(found, block_syms) ? ps->prev_keyword
                                                                                   : ps->last_keyword;
        const char *d = describe(k, keyword);
        buf_puts(c, &b, listed == 0 ? "" : " or ");
        if (d != NULL) {
            buf_puts(c, &b, d);
        } else {
            /* A keyword or punctuation: its name without bison's double quotes. */
            const char *name = yysymbol_name(k);
            if (name[0] == '"')
                buf_printf(c, &b, "'%.*s'", (int)strlen(name) - 2, name + 1);
            else if (name[0] == '-') /* "->", which bison gives unquoted */
                buf_printf(c, &b, "'%s'", name);
            else
                buf_puts(c, &b, name);
        }
        listed++;
    }
    if (listed == 0)
        b.len = 0, buf_puts(c, &b, "something else");
    buf_printf(c, &b, " but found %s", what);
    if (suggest != NULL)
        buf_printf(c, &b, "; did you mean '%s'?", suggest);
    error_at(c, loc_of(*yypcontext_location(ctx)), "%s", b.s);
    return 0;
}
