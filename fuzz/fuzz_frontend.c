/*
 * fuzz_frontend.c: a libFuzzer target for the whole front end of nnc.
 *
 * Each input is a spec.  It goes through compile() (compile.c), the very
 * code that the command line runs: the byte check, the lexer, the parser,
 * the checks, the derivation and the emission of the C file and of the
 * header, all into memory.  Diagnostics go to a memory stream, are
 * checked and thrown away, and ctx_free releases everything, so that
 * LeakSanitizer sees any leak of a run.
 *
 * Data files.  A spec may name a CSV file, relative to the spec.  The spec
 * is said to be "fuzz.nn" in a directory of its own, /dev/shm (or $TMPDIR,
 * or /tmp) /nnc-fuzz-frontend-UID, which holds a few small CSV files (a.csv,
 * b.csv, ... below), so that `data "a.csv"` reads a real file and the CSV
 * paths of check.c are fuzzed too, the same way on every run.  The files
 * are written at start-up (each to a temporary name, then renamed, so that
 * targets running side by side agree) and left there for the next run:
 * nothing is left behind by a target that crashes or is killed.  An input that names a file with a '/' in it
 * (which could leave that directory: "/dev/zero", "../x") is skipped, so
 * that a run never depends on, or blocks on, the rest of the filesystem.
 *
 * Size.  The limits of the language allow 10 million parameters, which
 * takes nnc minutes and gigabytes: not a bug to find again on every run.
 * The spec is therefore parsed and checked once first, and an input whose
 * network has more than NNC_FUZZ_MAX_PARAMS parameters (default 20000; a
 * tenth of that when unrolled) is skipped after that first pass.  The
 * checks of the limits themselves are still fuzzed: they run in that pass.
 *
 * Two passes.  Each input is compiled twice: first as `nnc SPEC -o OUT.c
 * --header OUT.h` does it, then with options that a hash of the input
 * picks (--unroll, --line-directives, --precision, --emit dot, --explain
 * NAME), so that every input still reproduces on its own.  Besides the
 * sanitizers, each pass checks that the status and the diagnostics agree:
 * a failure always says why, a success says nothing, and the first message
 * is about the spec (or is nnc's own "nnc: error: ...").  A finding prints
 * "fuzz_frontend: WHAT (options: ...)" and aborts.
 *
 * With NNC_FUZZ_VERBOSE set in the environment, the diagnostics go to
 * stderr instead, to see what a reproducer does.
 *
 * Build and run: make fuzz/fuzz_frontend; fuzz/fuzz_frontend -dict=fuzz/nn.dict
 * fuzz/corpus/frontend (see fuzz/fuzz.mk).
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nnc.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[256];       /* the directory of the spec and its CSV files */
static char spec_path[300]; /* "<dir>/fuzz.nn", never created */
static FILE *devnull;       /* for the first, counting pass */
static long max_params = 20000;
static int verbose;         /* NNC_FUZZ_VERBOSE: diagnostics to stderr */

/* The CSV files a spec may name.  Widths 2+1 (the tutorial), 4+1 (a class index), and faults. */
static const struct {
    const char *name, *text;
} files[] = {
    {"a.csv", "weight,height,gender\n-2,-1,1\n25,6,0\n17,4,0\n-15,-6,1\n"},
    {"b.csv", "# no header\r\n0,0,0\r\n0,1,1\r\n\r\n1,0,1\r\n1,1,0\r\n"},
    {"c.csv", "5.1,3.5,1.4,0.2,0\n7.0,3.2,4.7,1.4,1\n6.3,3.3,6.0,2.5,2\n4.9,3.0,1.4,0.2,0\n"},
    {"d.csv", "x1,x2,y1,y2,y3\n1,2,1,0,0\n3,4,0,1,0\n5,6,0,0,1\n"},
    {"e.csv", ""},
    {"h.csv", "a,b,c\n"},
    {"bad.csv", "a,b,c\n1,2,3\n4,x,6\n"},
    {"short.csv", "1,2,3\n4,5\n"},
    {"frac.csv", "5.1,3.5,1.4,0.2,0.5\n"},
    {"big.csv", "1e308,1e308,1\n-1e308,-1e308,0\n1e-320,0,1\n"},
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    verbose = getenv("NNC_FUZZ_VERBOSE") != NULL;
    const char *env = getenv("NNC_FUZZ_MAX_PARAMS");
    if (env != NULL && atol(env) > 0)
        max_params = atol(env);
    devnull = fopen("/dev/null", "w");
    const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(dir, sizeof dir, "%s/nnc-fuzz-frontend-%ld", base, (long)getuid());
    struct stat st;
    if (devnull == NULL || (mkdir(dir, 0700) != 0 && errno != EEXIST) || lstat(dir, &st) != 0 ||
        !S_ISDIR(st.st_mode) || st.st_uid != getuid()) {
        fprintf(stderr, "fuzz_frontend: cannot make the directory %s (or it is not ours)\n", dir);
        exit(1);
    }
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char path[400], tmp[450];
        snprintf(path, sizeof path, "%s/%s", dir, files[i].name);
        snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid());
        FILE *f = fopen(tmp, "w");
        if (f == NULL || fputs(files[i].text, f) == EOF || fclose(f) != 0 || rename(tmp, path) != 0) {
            perror(path);
            exit(1);
        }
    }
    snprintf(spec_path, sizeof spec_path, "%s/fuzz.nn", dir);
    return 0;
}

/* Does a string token of the spec hold a '/'?  (Strings are '"' to '"' on one line; '#' starts a comment.) */
static int names_a_path(const char *s, size_t n)
{
    int in_string = 0, in_comment = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (ch == '\n')
            in_string = in_comment = 0;
        else if (in_comment)
            continue;
        else if (ch == '"')
            in_string = !in_string;
        else if (ch == '#' && !in_string)
            in_comment = 1;
        else if (ch == '/' && in_string)
            return 1;
    }
    return 0;
}

/* The number of parameters of the spec's network, or -1 when it does not check. */
static long count_spec_params(const char *src, size_t len)
{
    Ctx c = {0};
    c.file = spec_path;
    c.src = src;
    c.len = len;
    c.err = devnull;
    jmp_buf oom;
    long n = -1;
    c.oom = &oom;
    if (setjmp(oom) == 0) {
        Ast *ast = parse(&c);
        Spec *s = ast != NULL ? check(&c, ast) : NULL;
        if (s != NULL)
            n = s->nparams;
    }
    ctx_free(&c);
    return n;
}

/* A 32-bit FNV-1a hash of the input, to pick the options of the second pass. */
static uint32_t hash(const uint8_t *data, size_t size)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < size; i++)
        h = (h ^ data[i]) * 16777619u;
    return h;
}

/*
 * Is the first diagnostic in diag an error in a file that the spec names (a
 * CSV file of data), whose note, before any other error, is at the spec?
 */
static int noted_at_spec(const char *diag)
{
    const char *note = strstr(diag, ": note: in the file named here\n");
    const char *next = strstr(diag, ": error: ");
    next = next != NULL ? strstr(next + 1, ": error: ") : NULL;
    if (note == NULL || (next != NULL && next < note))
        return 0;
    const char *line = note;
    while (line > diag && line[-1] != '\n')
        line--;
    return strncmp(line, spec_path, strlen(spec_path)) == 0;
}

/* Says what went wrong, with the options of the pass, and aborts: a finding. */
static void fail(const Ctx *c, int with_header, const char *what, const char *diag)
{
    fprintf(stderr, "fuzz_frontend: %s\n  (options: unroll %d, line_directives %d, precision %d", what,
            (int)c->unroll, c->line_directives, (int)c->precision);
    fprintf(stderr, ", emit_dot %d, explain %s", c->emit_dot, c->explain ? c->explain : "(none)");
    fprintf(stderr, ", header %d)\n", with_header);
    if (diag != NULL && *diag != '\0')
        fprintf(stderr, "  diagnostics:\n%s", diag);
    abort();
}

/*
 * One run of compile() over src with c's options; checks that the status
 * and the diagnostics agree: an error is never silent, a success never
 * says anything, and every diagnostic is about the spec (or a file it
 * names) or is nnc's own.
 */
static void run(Ctx *c, const char *src, size_t size, int with_header)
{
    char *diag = NULL;
    size_t diag_len = 0;
    FILE *err = verbose ? stderr : open_memstream(&diag, &diag_len);
    if (err == NULL)
        abort();
    c->file = spec_path;
    c->src = src;
    c->len = size;
    c->err = err;
    Buf out = {0}, header = {0};
    int status = compile(c, &out, with_header ? &header : NULL);
    if (!verbose) {
        fclose(err);
        if (status == 0 && diag_len != 0)
            fail(c, with_header, "compile() returned 0 but printed diagnostics", diag);
        if (status != 0 && diag_len == 0)
            fail(c, with_header, "compile() failed and printed nothing", diag);
        /*
         * Each message starts a line with the spec's name or "nnc: ", or is
         * about a file the spec names, with a note at the spec; the rest are
         * source lines and carets.
         */
        if (status != 0 && strncmp(diag, spec_path, strlen(spec_path)) != 0 && strncmp(diag, "nnc: ", 5) != 0 &&
            !noted_at_spec(diag))
            fail(c, with_header, "the first diagnostic is not about the spec", diag);
        free(diag);
    }
    /* On success there is something to write, as main.c would: a string of out.len bytes. */
    if (status == 0 && (out.s == NULL || out.len == 0))
        fail(c, with_header, "compile() returned 0 but wrote no output", NULL);
    if (status == 0 && strlen(out.s) != out.len)
        fail(c, with_header, "the output's length is not out.len (a NUL byte in it?)", NULL);
    if (status == 0 && with_header && (header.s == NULL || strlen(header.s) != header.len))
        fail(c, with_header, "compile() returned 0 but the header is missing or has a NUL byte", NULL);
    ctx_free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* compile() wants the text NUL-terminated, and the copy lets ASan catch reads past the end. */
    char *src = malloc(size + 1);
    if (src == NULL)
        return 0;
    memcpy(src, data, size);
    src[size] = '\0';

    uint32_t h = hash(data, size);
    int unroll = (int)(h % 3);
    long limit = unroll == 1 ? max_params / 10 : max_params;
    if (names_a_path(src, size) || (memchr(src, '\0', size) == NULL && count_spec_params(src, size) > limit)) {
        free(src);
        return -1; /* not worth keeping in the corpus */
    }

    /* First as `nnc SPEC -o OUT.c --header OUT.h` runs it. */
    Ctx c = {0};
    run(&c, src, size, 1);

    /* Then with options picked by the input's hash. */
    Ctx o = {0};
    static const Unroll modes[] = {UNROLL_AUTO, UNROLL_ALWAYS, UNROLL_NEVER};
    o.unroll = modes[unroll];
    o.line_directives = (h >> 2) & 1;
    o.out_name = "fuzz.c";
    o.precision = (Precision)((h >> 3) % 3);
    o.emit_dot = ((h >> 5) & 3) == 0;
    static const char *const names[] = {"w1", "b1", "h1", "o1", "ypred", "d_L_d_w1", "d_L_d_ypred",
                                        "sum_h1", "d_h1_d_w1", "h2_1", "w0", "loss", ""};
    if (((h >> 7) & 3) == 0)
        o.explain = names[(h >> 9) % (sizeof names / sizeof *names)];
    int with_header = (h >> 13) & 1;
    /* A drawing or an explanation has no header (though nnc --emit dot --header H writes H, empty). */
    with_header &= !o.emit_dot && o.explain == NULL;
    run(&o, src, size, with_header);
    free(src);
    return 0;
}
