/*
 * main.c: the command line of nnc.
 *
 *   read the spec -> compile (compile.c: the passes) -> write the outputs,
 *   or build the program and run it (build.c)
 *
 * Outputs are built in memory and written only when every pass succeeded,
 * each through a temporary file renamed into place, so that a failed run
 * leaves every existing file as it was.
 */
#include "nnc.h" /* first: it asks for POSIX */

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "nnrt_impl.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: nnc [options] SPEC.nn\n"
            "       nnc --build SPEC.nn [-o PROGRAM]\n"
            "       nnc --run SPEC.nn [-- PROGRAM OPTIONS]\n"
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
            "  --emit WHAT      write c (the default) or dot (a Graphviz drawing of the network)\n"
            "  --explain NAME   explain a name of the generated code (d_L_d_w1, d_h1_d_w1, sum_h1,\n"
            "                   ...): its chain rule, its factors, the C that computes it\n"
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

int main(int argc, char **argv)
{
    /* Diagnostics go out in blocks, not a character at a time. */
    static char errbuf[1 << 16];
    setvbuf(stderr, errbuf, _IOFBF, sizeof errbuf);
    /* Past a file size limit (ulimit -f), a write fails (EFBIG) and is reported, as any other. */
    signal(SIGXFSZ, SIG_IGN);

    const char *input = NULL, *output = NULL, *header = NULL;
    Unroll unroll = UNROLL_AUTO;
    Precision precision = PREC_SPEC;
    int building = 0, c_line_directives = 0, emit_dot = 0;
    const char *explain_name = NULL;
    char **run_args = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "--version") == 0) {
            printf("nnc %s\n", NNC_VERSION);
            return 0;
        } else if (strcmp(a, "--precision") == 0 || strncmp(a, "--precision=", 12) == 0) {
            const char *v = a[11] == '=' ? a + 12 : i + 1 < argc ? argv[++i] : NULL;
            if (v != NULL && (strcmp(v, "double") == 0 || strcmp(v, "float") == 0)) {
                precision = v[0] == 'd' ? PREC_DOUBLE : PREC_FLOAT;
            } else {
                fprintf(stderr, "nnc: error: --precision takes double or float%s%s%s\n",
                        v ? " but found '" : "", v ? v : "", v ? "'" : "");
                return 2;
            }
        } else if (strcmp(a, "--emit") == 0 || strncmp(a, "--emit=", 7) == 0) {
            const char *v = a[6] == '=' ? a + 7 : i + 1 < argc ? argv[++i] : NULL;
            if (v != NULL && (strcmp(v, "c") == 0 || strcmp(v, "dot") == 0)) {
                emit_dot = v[0] == 'd';
            } else {
                fprintf(stderr, "nnc: error: --emit takes c or dot%s%s%s\n", v ? " but found '" : "",
                        v ? v : "", v ? "'" : "");
                return 2;
            }
        } else if (strcmp(a, "--explain") == 0 || strncmp(a, "--explain=", 10) == 0) {
            explain_name = a[9] == '=' ? a + 10 : i + 1 < argc ? argv[++i] : NULL;
            if (explain_name == NULL) {
                fprintf(stderr, "nnc: error: option '--explain' needs a name (as in --explain d_L_d_w1)\n");
                return 2;
            }
        } else if (strcmp(a, "--line-directives") == 0) {
            c_line_directives = 1;
        } else if (strcmp(a, "--build") == 0) {
            building = 1;
        } else if (strcmp(a, "--run") == 0) {
            building = 2;
        } else if (strcmp(a, "--") == 0 && building == 2) {
            /* The rest is the program's; argv[i] will hold the program's path. */
            run_args = argv + i;
            break;
        } else if (strcmp(a, "--unroll") == 0 || strncmp(a, "--unroll=", 9) == 0) {
            const char *v = a[8] == '=' ? a + 9 : i + 1 < argc ? argv[++i] : NULL;
            if (v != NULL && strcmp(v, "auto") == 0)
                unroll = UNROLL_AUTO;
            else if (v != NULL && strcmp(v, "always") == 0)
                unroll = UNROLL_ALWAYS;
            else if (v != NULL && strcmp(v, "never") == 0)
                unroll = UNROLL_NEVER;
            else {
                fprintf(stderr, "nnc: error: --unroll takes always, never or auto%s%s%s\n",
                        v ? " but found '" : "", v ? v : "", v ? "'" : "");
                return 2;
            }
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
    if (header != NULL && (emit_dot || explain_name != NULL || building)) {
        fprintf(stderr, "nnc: error: --header goes with C output, not with %s\n",
                emit_dot ? "--emit dot" : explain_name != NULL ? "--explain" : building == 2 ? "--run" : "--build");
        return 2;
    }
    if (emit_dot && explain_name != NULL) {
        fprintf(stderr, "nnc: error: --emit dot and --explain each write instead of the C; give one\n");
        return 2;
    }
    if (building && (emit_dot || explain_name != NULL)) {
        fprintf(stderr, "nnc: error: %s builds a program from the C, so it does not go with %s\n",
                building == 2 ? "--run" : "--build", emit_dot ? "--emit dot" : "--explain");
        return 2;
    }
    if (building == 2 && output != NULL) {
        fprintf(stderr, "nnc: error: -o does not go with --run, which builds the program in a "
                        "temporary directory (use --build -o PROGRAM to keep it)\n");
        return 2;
    }
    if (input == NULL) {
        fprintf(stderr, "nnc: error: no spec given\n");
        usage(stderr);
        return 2;
    }

    /* The default program of --build is the spec's name without .nn: there may be none. */
    const char *in_base = strrchr(input, '/') ? strrchr(input, '/') + 1 : input;
    size_t in_len = strlen(in_base);
    if (building == 1 && output == NULL && (in_len <= 3 || strcmp(in_base + in_len - 3, ".nn") != 0)) {
        fprintf(stderr, "nnc: error: the spec '%s' has no .nn to take off for the program's name; "
                        "name the program with -o\n", shown_path(input));
        return 1;
    }
    char *program = building == 1 && output == NULL ? program_name(input) : NULL;
    const char *outputs[2] = {building == 1 && output == NULL ? program : output, header};
    const char *const what[2] = {building ? "the program" : "the output", "the header"};
    for (int k = 0; k < 2; k++) {
        if (nnrt__same_file(outputs[k], input)) {
            fprintf(stderr, "nnc: error: %s '%s' is the spec itself\n", what[k], shown_path(outputs[k]));
            free(program);
            return 1;
        }
    }
    if (nnrt__same_file(output, header)) {
        fprintf(stderr, "nnc: error: -o and --header name the same file '%s'\n", shown_path(header));
        free(program);
        return 2;
    }

    struct nnrt_error err;
    size_t len;
    char *src = nnrt__read_file(input, &len, &err);
    if (src == NULL) {
        fprintf(stderr, "nnc: error: %s\n", err.msg);
        free(program);
        return 1;
    }

    Ctx c = {0};
    c.file = input;
    c.src = src;
    c.len = len;
    c.err = stderr;
    c.unroll = unroll;
    c.line_directives = c_line_directives;
    c.precision = precision;
    c.emit_dot = emit_dot;
    c.explain = explain_name;
    c.out_name = output != NULL && !building ? output : "nnc-output.c";

    Buf out = {0}, hdr = {0};
    int status = compile(&c, &out, header ? &hdr : NULL);
    /* Nor may an output be a file that the spec reads. */
    for (int k = 0; k < 2 && status == 0; k++) {
        for (int d = 0; d < 2 && status == 0; d++) {
            if (nnrt__same_file(outputs[k], c.data_files[d])) {
                fprintf(stderr, "nnc: error: %s '%s' is the spec's %s file '%s'\n", what[k], shown_path(outputs[k]),
                        d == 0 ? "data" : "test", shown_path(c.data_files[d]));
                status = 1;
            }
        }
    }
    if (status == 0 && building) {
        status = building == 2 ? run_program(argv[0], input, &out, run_args)
                               : build_program(argv[0], input, &out, output);
    } else if (status == 0) {
        if (output == NULL) {
            if (write_stdout(&out) != 0)
                status = 1;
        } else {
            const char *paths[2] = {output, header};
            const Buf *texts[2] = {&out, &hdr};
            if (write_files(paths, texts, header != NULL ? 2 : 1) != 0)
                status = 1;
        }
        if (status == 0 && output == NULL && header != NULL) {
            const char *paths[1] = {header};
            const Buf *texts[1] = {&hdr};
            if (write_files(paths, texts, 1) != 0)
                status = 1;
        }
    }
    ctx_free(&c);
    free(src);
    free(program);
    return status;
}
