/*
 * main.c: the command line of nnc.
 *
 *   read the spec -> compile (compile.c: the passes) -> write the outputs
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
            "  --unroll WHEN    write every neuron out (always), loops over arrays (never),\n"
            "                   or choose by size (auto: loops past %d weights; the default)\n"
            "  --help           print this help and exit\n"
            "  --version        print nnc's version and exit\n"
            "\n"
            "Build the program with:\n"
            "  cc -std=c99 -O2 -I runtime OUT.c runtime/libnnrt.a -lm\n", UNROLL_MAX_WEIGHTS);
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

int main(int argc, char **argv)
{
    const char *input = NULL, *output = NULL, *header = NULL;
    Unroll unroll = UNROLL_AUTO;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "--version") == 0) {
            printf("nnc %s\n", NNC_VERSION);
            return 0;
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
    c.unroll = unroll;

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
