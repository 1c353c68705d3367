/*
 * main.c: the command line of nnc.
 *
 *   options -> read the spec -> compile (compile.c: the passes)
 *   -> write the outputs, or build the program and run it (build.c)
 *
 * Every option is parsed into an Options, and checked, before the spec is
 * read: a run does one job, its Mode.  Outputs are built in memory and
 * written only when every pass succeeded, each through a temporary file
 * renamed into place, so that a failed run leaves every existing file as
 * it was.
 */
#include "nnc.h" /* first: it asks for POSIX */

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "nnrt_impl.h"

/* The one job of a run. */
typedef enum {
    MODE_C,       /* write the C (the default) */
    MODE_DOT,     /* --emit dot: a Graphviz drawing of the network instead */
    MODE_EXPLAIN, /* --explain NAME: an explanation of a name instead */
    MODE_BUILD,   /* --build: compile the C into a program */
    MODE_RUN,     /* --run: build the program in a temporary directory and run it */
    MODE_INFERENCE, /* --emit inference: the trained network of --params as C constants */
} Mode;

/* The option that asks for each mode, as messages name it. */
static const char *const mode_options[] = {
    [MODE_C] = "", [MODE_DOT] = "--emit dot", [MODE_EXPLAIN] = "--explain",
    [MODE_BUILD] = "--build", [MODE_RUN] = "--run", [MODE_INFERENCE] = "--emit inference",
};

/* The command line made sense of. */
typedef struct {
    Mode mode;
    const char *spec;     /* SPEC.nn */
    const char *output;   /* -o: the C, drawing, explanation or program; NULL for the default */
    const char *header;   /* --header, or NULL */
    const char *explain;  /* --explain NAME */
    const char *params;   /* --params: the parameter file of --emit inference */
    Precision precision;  /* --precision */
    Unroll unroll;        /* --unroll */
    int line_directives;  /* --line-directives */
    char **run_args;      /* --run: from the '--' on, or NULL without one */
    char *program;        /* --build without -o: the program's name, from malloc */
    const char *writes[2]; /* the files this run writes (the output or program, the header), or NULL */
} Options;

static void usage(FILE *f)
{
    fprintf(f,
            "usage: nnc [options] SPEC.nn\n"
            "       nnc --build SPEC.nn [-o PROGRAM]\n"
            "       nnc --run SPEC.nn [-- PROGRAM OPTIONS]\n"
            "       nnc --emit inference --params FILE SPEC.nn -o NAME_model.c [--header NAME_model.h]\n"
            "Compiles a neural network spec into C that trains it.\n"
            "\n"
            "Options:\n"
            "  -o FILE          write the C file (with --build: the program) to FILE\n"
            "                   (default: standard output; with --build: the spec's name)\n"
            "  --build          compile the C too, with $CC (default cc), into a program\n"
            "  --run            build the program in a temporary directory and run it with\n"
            "                   the options after '--'\n"
            "  --header FILE    also write a header for embedding the network\n"
            "  --line-directives  mark the C with #line, so that a debugger shows the spec\n"
            "  --emit WHAT      write c (the default), dot (a Graphviz drawing of the network)\n"
            "                   or inference (the network trained, as constants, and NAME_predict)\n"
            "  --params FILE    the parameters for --emit inference: a file the program saved\n"
            "  --explain NAME   explain a name of the generated code (d_L_d_w1, d_h1_d_w1, sum_h1,\n"
            "                   c1_2_3_1 of a conv layer, ...): its chain rule, its factors,\n"
            "                   the C that computes it\n"
            "  --precision P    compute in double or float, whatever the spec says\n"
            "  --unroll WHEN    write every neuron out (always, up to %d weights), loops over\n"
            "                   arrays (never), or choose by size (auto: loops past %d weights;\n"
            "                   the default)\n"
            "  -h, --help       print this help and exit\n"
            "  --version        print nnc's version and exit\n"
            "\n"
            "Build the program with (in the source tree, or once installed):\n"
            "  cc -std=c99 -O2 -I runtime OUT.c runtime/libnnrt.a -lm\n"
            "  cc -std=c99 -O2 OUT.c $(pkg-config --cflags --libs nnrt)\n",
            UNROLL_ALWAYS_MAX_WEIGHTS, UNROLL_MAX_WEIGHTS);
}


/*
 * Is a the option name, alone or as name=VALUE?  Then *v is its value: what
 * follows the '=', or the next argument (argv[++*i]), or NULL when none does.
 */
static int is_option(const char *a, const char *name, int argc, char **argv, int *i, const char **v)
{
    size_t n = strlen(name);
    if (strncmp(a, name, n) != 0 || (a[n] != '\0' && a[n] != '='))
        return 0;
    *v = a[n] == '=' ? a + n + 1 : *i + 1 < argc ? argv[++*i] : NULL;
    return 1;
}

/*
 * The index of v among the n words (some NULL) that option takes; or -1,
 * having said that option takes what list says.
 */
static int pick(const char *option, const char *v, const char *const *words, int n, const char *list)
{
    for (int k = 0; v != NULL && k < n; k++)
        if (words[k] != NULL && strcmp(v, words[k]) == 0)
            return k;
    fprintf(stderr, "nnc: error: %s takes %s%s%s%s\n", option, list, v ? " but found '" : "", v ? v : "",
            v ? "'" : "");
    return -1;
}

/*
 * The mode of o, from what replaces the C (emit: 1 for dot, 2 for
 * inference; or an --explain) and what
 * is built (build: MODE_BUILD, MODE_RUN or MODE_C for nothing), when they
 * go together.  Returns -1, or 2 having said why not.
 */
static int choose_mode(Options *o, int emit, Mode build)
{
    int dot = emit == 1;
    Mode instead = dot ? MODE_DOT : emit == 2 ? MODE_INFERENCE : o->explain != NULL ? MODE_EXPLAIN : MODE_C;
    if ((emit == 2) != (o->params != NULL)) {
        fprintf(stderr, "nnc: error: %s\n", emit == 2 ? "--emit inference needs --params FILE, a file that the "
                        "network's program saved (--save)" : "--params goes with --emit inference");
        return 2;
    }
    if (emit == 2 && o->explain != NULL) {
        fprintf(stderr, "nnc: error: --emit inference and --explain each write instead of the C; give one\n");
        return 2;
    }
    if (o->header != NULL && ((instead != MODE_C && instead != MODE_INFERENCE) || build != MODE_C)) {
        fprintf(stderr, "nnc: error: --header goes with C output, not with %s\n",
                mode_options[instead != MODE_C ? instead : build]);
        return 2;
    }
    if (dot && o->explain != NULL) {
        fprintf(stderr, "nnc: error: --emit dot and --explain each write instead of the C; give one\n");
        return 2;
    }
    if (build != MODE_C && instead != MODE_C) {
        fprintf(stderr, "nnc: error: %s builds a program from the C, so it does not go with %s\n",
                mode_options[build], mode_options[instead]);
        return 2;
    }
    if (build == MODE_RUN && o->output != NULL) {
        fprintf(stderr, "nnc: error: -o does not go with --run, which builds the program in a "
                        "temporary directory (use --build -o PROGRAM to keep it)\n");
        return 2;
    }
    if (o->spec == NULL) {
        fprintf(stderr, "nnc: error: no spec given\n");
        usage(stderr);
        return 2;
    }
    o->mode = build != MODE_C ? build : instead;
    return -1;
}

/*
 * An option nnc does not have: with the one of nnc's it likely means, or,
 * in a --run, a reminder that the program's options go after '--' (nnc
 * --run x.nn --epochs 5 means the program's --epochs).  Returns 2.
 */
static int unknown_option(const char *a, int argc, char **argv)
{
    static const char *const options[] = {"--help", "--version", "--precision", "--emit", "--explain",
                                          "--line-directives", "--build", "--run", "--unroll", "--header",
                                          NULL};
    const char *near = near_miss(a, options);
    int running = 0;
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
        running |= strcmp(argv[i], "--run") == 0;
    fprintf(stderr, "nnc: error: unknown option '%s'", a);
    if (near != NULL)
        fprintf(stderr, "; did you mean '%s'?", near);
    else if (running && a[1] == '-')
        fprintf(stderr, "; the program's options go after '--', as in: nnc --run SPEC.nn -- %s", a);
    fprintf(stderr, "\nTry 'nnc --help' for more information.\n");
    return 2;
}

/* Parses argv into o.  Returns -1 when the run goes on, or the exit status (--help, a mistake). */
static int parse_options(int argc, char **argv, Options *o)
{
    static const char *const precisions[] = {[PREC_DOUBLE] = "double", [PREC_FLOAT] = "float"};
    static const char *const emits[] = {"c", "dot", "inference"};
    static const char *const unrolls[] = {[UNROLL_AUTO] = "auto", [UNROLL_ALWAYS] = "always",
                                          [UNROLL_NEVER] = "never"};
    *o = (Options){0};
    o->precision = PREC_SPEC;
    o->unroll = UNROLL_AUTO;
    int emit = 0, k;
    Mode build = MODE_C;
    const char *v;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "--version") == 0) {
            printf("nnc %s\n", NNC_VERSION);
            return 0;
        } else if (is_option(a, "--precision", argc, argv, &i, &v)) {
            if ((k = pick("--precision", v, precisions, 3, "double or float")) < 0)
                return 2;
            o->precision = (Precision)k;
        } else if (is_option(a, "--emit", argc, argv, &i, &v)) {
            if ((emit = pick("--emit", v, emits, 3, "c, dot or inference")) < 0)
                return 2;
        } else if (is_option(a, "--explain", argc, argv, &i, &v)) {
            if ((o->explain = v) == NULL) {
                fprintf(stderr, "nnc: error: option '--explain' needs a name (as in --explain d_L_d_w1)\n");
                return 2;
            }
        } else if (strcmp(a, "--line-directives") == 0) {
            o->line_directives = 1;
        } else if (strcmp(a, "--build") == 0 || strcmp(a, "--run") == 0) {
            build = a[2] == 'b' ? MODE_BUILD : MODE_RUN;
        } else if (strcmp(a, "--") == 0 && build == MODE_RUN) {
            /* The rest is the program's; argv[i] will hold the program's path. */
            o->run_args = argv + i;
            break;
        } else if (is_option(a, "--unroll", argc, argv, &i, &v)) {
            if ((k = pick("--unroll", v, unrolls, 3, "always, never or auto")) < 0)
                return 2;
            o->unroll = (Unroll)k;
        } else if (is_option(a, "--params", argc, argv, &i, &v)) {
            if ((o->params = v) == NULL) {
                fprintf(stderr, "nnc: error: option '--params' needs a file name\n");
                return 2;
            }
        } else if (strcmp(a, "-o") == 0 || strcmp(a, "--header") == 0) {
            if (i + 1 == argc) {
                fprintf(stderr, "nnc: error: option '%s' needs a file name\n", a);
                return 2;
            }
            *(a[1] == 'o' ? &o->output : &o->header) = argv[++i];
        } else if (a[0] == '-' && a[1] != '\0') {
            return unknown_option(a, argc, argv);
        } else if (o->spec != NULL) {
            fprintf(stderr, "nnc: error: more than one spec ('%s' and '%s')\n", o->spec, a);
            return 2;
        } else {
            o->spec = a;
        }
    }
    return choose_mode(o, emit, build);
}

/* What o->writes[k] is, in messages. */
static const char *what(const Options *o, int k)
{
    return k == 1 ? "the header" : o->mode == MODE_BUILD || o->mode == MODE_RUN ? "the program" : "the output";
}

/*
 * Names the files the run writes, in o->writes, and checks that none is
 * the spec and that -o and --header differ.  Returns 0, or the exit status
 * having said why not.
 */
static int check_outputs(Options *o)
{
    /* The default program of --build is the spec's name without .nn: there may be none. */
    const char *base = strrchr(o->spec, '/') ? strrchr(o->spec, '/') + 1 : o->spec;
    size_t len = strlen(base);
    int named = o->mode == MODE_BUILD && o->output == NULL;
    if (named && (len <= 3 || strcmp(base + len - 3, ".nn") != 0)) {
        fprintf(stderr, "nnc: error: the spec '%s' has no .nn to take off for the program's name; "
                        "name the program with -o\n", shown_path(o->spec));
        return 1;
    }
    o->program = named ? program_name(o->spec) : NULL;
    o->writes[0] = named ? o->program : o->output;
    o->writes[1] = o->header;
    if (o->mode == MODE_BUILD && o->writes[0] != NULL) {
        int status = check_program_output(o->writes[0]);
        if (status != 0)
            return status;
    }
    for (int k = 0; k < 2; k++) {
        if (nnrt__same_file(o->writes[k], o->spec)) {
            fprintf(stderr, "nnc: error: %s '%s' is the spec itself\n", what(o, k), shown_path(o->writes[k]));
            return 1;
        }
    }
    for (int k = 0; k < 2; k++) {
        if (nnrt__same_file(o->writes[k], o->params)) {
            fprintf(stderr, "nnc: error: %s '%s' is the parameter file of --params\n", what(o, k),
                    shown_path(o->writes[k]));
            return 1;
        }
    }
    if (nnrt__same_file(o->output, o->header)) {
        fprintf(stderr, "nnc: error: -o and --header name the same file '%s'\n", shown_path(o->header));
        return 2;
    }
    return 0;
}

/* Nor may a file the run writes be one that the spec reads.  Returns 0, or 1 having said so. */
static int check_data_files(const Options *o, const Ctx *c)
{
    for (int k = 0; k < 2; k++) {
        for (int d = 0; d < 2; d++) {
            if (nnrt__same_file(o->writes[k], c->data_files[d])) {
                fprintf(stderr, "nnc: error: %s '%s' is the spec's %s file '%s'\n", what(o, k),
                        shown_path(o->writes[k]), d == 0 ? "data" : "test", shown_path(c->data_files[d]));
                return 1;
            }
        }
    }
    return 0;
}

/*
 * Writes texts[i] to paths[i], for the n of them: each to a temporary file
 * beside its path first (nnrt__output_open), then, only when every one is
 * written, all renamed into place.  Reports and returns -1 on failure,
 * leaving every path as it was.
 */
static int write_files(const char *const *paths, const Buf *const *texts, int n)
{
    struct nnrt_error err;
    struct nnrt__output out[2] = {{NULL, NULL, NULL}, {NULL, NULL, NULL}};
    int status = 0;
    nnrt__catch_fatal_signals(1, NULL); /* a ^C while writing leaves no temporary file */
    for (int i = 0; i < n && status == 0; i++) {
        if (nnrt__output_open(&out[i], paths[i], &err) != 0) {
            status = -1;
            break;
        }
        fwrite(texts[i]->s, 1, texts[i]->len, out[i].f);
        if (nnrt__output_close(&out[i], paths[i], &err) != 0)
            status = -1;
    }
    /* Both files are put in place, or neither: a signal waits for the pair. */
    nnrt__block_fatal_signals(1);
    for (int i = 0; i < n && status == 0; i++)
        if (nnrt__output_place(&out[i], paths[i], &err) != 0)
            status = -1;
    nnrt__block_fatal_signals(0);
    if (status != 0)
        fprintf(stderr, "nnc: error: %s\n", err.msg);
    for (int i = 0; i < n; i++)
        nnrt__output_abort(&out[i]);
    nnrt__catch_fatal_signals(0, NULL);
    return status;
}

/* Writes text to standard output; reports and returns -1 on failure. */
static int write_stdout(const Buf *text)
{
    if (fwrite(text->s, 1, text->len, stdout) != text->len || fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "nnc: error: cannot write the output: %s\n", strerror(errno));
        return -1;
    }
    return 0;
}

/* Writes out (to -o, or standard output) and hdr (to --header, when given).  Returns 0 or 1. */
static int write_outputs(const Options *o, const Buf *out, const Buf *hdr)
{
    if (o->output != NULL) {
        const char *paths[2] = {o->output, o->header};
        const Buf *texts[2] = {out, hdr};
        return write_files(paths, texts, o->header != NULL ? 2 : 1) != 0;
    }
    if (write_stdout(out) != 0)
        return 1;
    if (o->header != NULL) {
        const char *paths[1] = {o->header};
        const Buf *texts[1] = {hdr};
        return write_files(paths, texts, 1) != 0;
    }
    return 0;
}

int main(int argc, char **argv)
{
    /* Diagnostics go out in blocks, not a character at a time. */
    static char errbuf[1 << 16];
    setvbuf(stderr, errbuf, _IOFBF, sizeof errbuf);
    /* Past a file size limit (ulimit -f), a write fails (EFBIG) and is reported, as any other. */
    signal(SIGXFSZ, SIG_IGN);

    Options o;
    int status = parse_options(argc, argv, &o);
    if (status >= 0)
        return status;
    if ((status = check_outputs(&o)) != 0) {
        free(o.program);
        return status;
    }
    struct nnrt_error err;
    size_t len;
    char *src = nnrt__read_file(o.spec, &len, &err);
    if (src == NULL) {
        fprintf(stderr, "nnc: error: %s\n", err.msg);
        free(o.program);
        return 1;
    }

    int builds = o.mode == MODE_BUILD || o.mode == MODE_RUN;
    Ctx c = {0};
    c.file = o.spec;
    c.src = src;
    c.len = len;
    c.err = stderr;
    c.unroll = o.unroll;
    c.line_directives = o.line_directives;
    c.precision = o.precision;
    c.emit_dot = o.mode == MODE_DOT;
    c.explain = o.mode == MODE_EXPLAIN ? o.explain : NULL;
    c.params = o.mode == MODE_INFERENCE ? o.params : NULL;
    c.out_name = o.output != NULL && !builds ? o.output : "nnc-output.c";

    Buf out = {0}, hdr = {0};
    status = compile(&c, &out, o.header != NULL ? &hdr : NULL);
    if (status == 0)
        status = check_data_files(&o, &c);
    if (status == 0 && o.mode == MODE_BUILD)
        status = build_program(argv[0], o.spec, &out, o.output);
    else if (status == 0 && o.mode == MODE_RUN)
        status = run_program(argv[0], o.spec, &out, o.run_args);
    else if (status == 0)
        status = write_outputs(&o, &out, &hdr);
    ctx_free(&c);
    free(src);
    free(o.program);
    return status;
}
