/*
 * compile.c: the passes of the compiler, in order, from text to C text.
 *
 *   check the bytes -> parse (lexer.l, parser.y) -> check (check.c)
 *   -> derive (derive.c) -> the model (chain.c) -> emit (emit.c)
 *
 * Everything happens in memory, so that the command line (main.c) and the
 * fuzz targets (fuzz/) run the very same code.  Running out of memory in
 * any pass jumps back here and is reported like any other error.
 */
#include "nnc.h"

/* Checks that the spec is text: no NUL byte, valid UTF-8.  Reports the first fault. */
static int check_bytes(Ctx *c)
{
    const unsigned char *s = (const unsigned char *)c->src;
    Loc loc = {1, 1};
    for (size_t i = 0; i < c->len;) {
        unsigned char ch = s[i];
        size_t n = ch < 0x80 ? 1 : (ch & 0xe0) == 0xc0 ? 2 : (ch & 0xf0) == 0xe0 ? 3
                 : (ch & 0xf8) == 0xf0 ? 4 : 0;
        if (ch == 0) {
            error_at(c, loc, "NUL byte in the spec");
            return -1;
        }
        int ok = n > 0 && i + n <= c->len;
        for (size_t k = 1; ok && k < n; k++)
            ok = (s[i + k] & 0xc0) == 0x80;
        /* Overlong forms, surrogates and code points past U+10FFFF are not UTF-8 either. */
        if (ok && n == 2)
            ok = ch >= 0xc2;
        if (ok && n == 3)
            ok = !(ch == 0xe0 && s[i + 1] < 0xa0) && !(ch == 0xed && s[i + 1] >= 0xa0);
        if (ok && n == 4)
            ok = !(ch == 0xf0 && s[i + 1] < 0x90) && !(ch == 0xf4 && s[i + 1] >= 0x90) && ch <= 0xf4;
        if (!ok) {
            error_at(c, loc, "invalid UTF-8 (byte 0x%02x); a spec must be UTF-8 text", ch);
            return -1;
        }
        if (ends_line(c->src, i, c->len)) { /* the CR of a CRLF counts as a column, never seen */
            loc.line++;
            loc.col = 1;
        } else if (ch == '\t') {
            loc.col = col_tab(loc.col);
        } else {
            loc.col = col_add(loc.col, utf8_width(c->src + i, n));
        }
        i += n;
    }
    return 0;
}

/*
 * Compiles c->src into out (and header, when not NULL).  Returns 0, or 1
 * with the errors printed.
 */
int compile(Ctx *c, Buf *out, Buf *header)
{
    jmp_buf oom;
    c->oom = &oom;
    if (setjmp(oom) != 0) {
        ctx_flush(c);
        fprintf(c->err, "nnc: error: out of memory\n");
        return 1;
    }

    Ast *ast = NULL;
    Spec *spec = NULL;
    if (check_bytes(c) == 0 && (ast = parse(c)) != NULL && (spec = check(c, ast)) != NULL &&
        c->nerrors == 0) {
        Net *net = derive(c, spec);
        if (c->unroll == UNROLL_ALWAYS && net->nweights > UNROLL_ALWAYS_MAX_WEIGHTS && c->explain == NULL &&
            !c->emit_dot) {
            ctx_flush(c);
            c->oom = NULL;
            fprintf(c->err, "nnc: error: --unroll always: network '%s' has %d weights, and at most %d are "
                    "written out (the C would be about %d MB); use --unroll auto\n", spec->name, net->nweights,
                    UNROLL_ALWAYS_MAX_WEIGHTS, (int)((long long)net->nweights * 700 >> 20));
            return 1;
        }
        if (c->explain != NULL) {
            ctx_flush(c);
            c->oom = NULL;
            return explain(c, net, c->explain, out);
        }
        if (c->emit_dot) {
            emit_dot(c, net, out);
        } else {
            /* The compact form's loops need no value by name: its model holds only their lines. */
            Model *m = is_compact(c, net) ? model_new(c, net) : model_build(c, net);
            if (c->params != NULL) {
                if (emit_inference(c, m, c->params, out, header) != 0)
                    c->nerrors++;
            } else {
                emit_c(c, m, out);
                if (header != NULL)
                    emit_header(c, m, header);
            }
        }
    }
    ctx_flush(c);
    c->oom = NULL;
    return c->nerrors > 0;
}

