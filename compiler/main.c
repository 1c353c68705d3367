/*
 * main.c: the command line of nnc, and the passes in order.
 *
 *   read the spec -> check its bytes -> parse -> check -> derive -> emit
 *   -> write the outputs
 *
 * Outputs are built in memory and written only when every pass succeeded,
 * each through a temporary file renamed into place, so that a failed run
 * leaves every existing file as it was.
 */
#include <stdlib.h>
#include <string.h>

#include "nnc.h"
#include "nnrt_impl.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: nnc [options] SPEC.nn\n"
            "Compiles a neural network spec into C that trains it.\n"
            "\n"
            "Options:\n"
            "  -o FILE          write the C file to FILE (default: standard output)\n"
            "  --header FILE    also write a header for embedding the network\n"
            "  --help           print this help and exit\n"
            "  --version        print nnc's version and exit\n"
            "\n"
            "Build the program with:\n"
            "  cc -std=c99 -O2 -I runtime OUT.c runtime/libnnrt.a -lm\n");
}

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
        if (ch == '\n') {
            loc.line++;
            loc.col = 1;
        } else if (ch == '\t') {
            loc.col = (loc.col - 1) / 8 * 8 + 9;
        } else {
            loc.col++;
        }
        i += n;
    }
    return 0;
}

/* Writes text to path through a temporary file; reports and returns -1 on failure. */
static int write_file(const char *path, const Buf *text)
{
    struct nnrt_error err;
    char *tmp;
    FILE *f = nnrt__open_temp(path, &tmp, &err);
    if (f == NULL) {
        fprintf(stderr, "nnc: error: %s\n", err.msg);
        return -1;
    }
    fwrite(text->s, 1, text->len, f);
    if (nnrt__commit_temp(f, tmp, path, &err) != 0) {
        fprintf(stderr, "nnc: error: %s\n", err.msg);
        return -1;
    }
    return 0;
}

/*
 * Compiles c->src into out (and header, when not NULL).  Returns 0, or 1
 * with the errors printed.
 */
static int compile(Ctx *c, Buf *out, Buf *header)
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
    if (check_bytes(c) == 0 && (ast = parse(c)) != NULL && (spec = check(c, ast)) != NULL) {
        Net *net = derive(c, spec);
        emit_c(c, net, out);
        if (header != NULL)
            emit_header(c, net, header);
    }
    ctx_flush(c);
    c->oom = NULL;
    return c->nerrors > 0;
}

int main(int argc, char **argv)
{
    const char *input = NULL, *output = NULL, *header = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "--version") == 0) {
            printf("nnc %s\n", NNC_VERSION);
            return 0;
        } else if (strcmp(a, "-o") == 0 || strcmp(a, "--header") == 0) {
            if (i + 1 == argc) {
                fprintf(stderr, "nnc: error: option '%s' needs a file name\n", a);
                return 2;
            }
            if (a[1] == 'o')
                output = argv[++i];
            else
                header = argv[++i];
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "nnc: error: unknown option '%s'\nTry 'nnc --help' for more information.\n", a);
            return 2;
        } else if (input != NULL) {
            fprintf(stderr, "nnc: error: more than one spec ('%s' and '%s')\n", input, a);
            return 2;
        } else {
            input = a;
        }
    }
    if (input == NULL) {
        fprintf(stderr, "nnc: error: no spec given\n");
        usage(stderr);
        return 2;
    }

    struct nnrt_error err;
    size_t len;
    char *src = nnrt__read_file(input, &len, &err);
    if (src == NULL) {
        fprintf(stderr, "nnc: error: %s\n", err.msg);
        return 1;
    }
    if (len > 256u << 20) {
        fprintf(stderr, "nnc: error: '%s' is larger than 256 MB\n", input);
        free(src);
        return 1;
    }

    Ctx c = {0};
    c.file = input;
    c.src = src;
    c.len = len;
    c.err = stderr;
    const char *fail = getenv("NNC_FAIL_ALLOC");
    if (fail != NULL)
        c.fail_alloc_at = atoi(fail);

    Buf out = {0}, hdr = {0};
    int status = compile(&c, &out, header ? &hdr : NULL);
    if (status == 0) {
        if (output == NULL) {
            fwrite(out.s, 1, out.len, stdout);
            if (fflush(stdout) != 0) {
                fprintf(stderr, "nnc: error: cannot write the output\n");
                status = 1;
            }
        } else if (write_file(output, &out) != 0) {
            status = 1;
        }
        if (status == 0 && header != NULL && write_file(header, &hdr) != 0)
            status = 1;
    }
    ctx_free(&c);
    free(src);
    return status;
}
