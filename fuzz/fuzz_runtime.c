/*
 * fuzz_runtime.c: a libFuzzer target for the file readers of the runtime:
 * CSV tables (nnrt_csv_read, then nnrt_table_rows) and parameter files
 * (nnrt_params_load).  The readers take paths, so each input is written to
 * a temporary file first (in /dev/shm when there is one), unlinked at once
 * and read as /proc/self/fd/N, so that nothing is left behind by a target
 * that crashes or is killed.
 *
 * The first byte of an input chooses the reader and its settings; the
 * rest is the file:
 *
 *   bit 0      0: CSV, 1: parameter file
 *   CSV:       bits 1-2  the cols argument: 0 (any), 2, 3 or 5
 *              bit 3     class_index
 *              bits 4-5  noutputs - 1 (1 to 4); ninputs is what the table leaves
 *              bit 6     ninputs off by one, so that the width is wrong
 *   params:    bits 1-2  the network: 2-2-1 (the tutorial), 4-8-3, 1-1, 3-2-2-1
 *              bit 3     with normalization (mean_x, std_x)
 *              bit 4     with progress (epoch, step, the optimizer's state)
 *              bits 5-6  optimizer: sgd, momentum, adam, adam
 *
 * Besides the sanitizers, the target checks that a failed read leaves
 * everything as it was, that what was read is finite, and that a parameter
 * file that loads, saved by nnrt_params_save and loaded again, gives the
 * same values bit for bit.  With NNC_FUZZ_VERBOSE set, it prints what each
 * reader says.
 *
 * Seeds are in fuzz/corpus/runtime; see fuzz/fuzz.mk.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nnrt.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[256];     /* the input, as a file */
static char path2[300];    /* what nnrt_params_save writes, removed at once */
static int fd = -1;
static int unlinked;       /* path is /proc/self/fd/N */
static int verbose; /* NNC_FUZZ_VERBOSE set: print what each reader says */

static void report(const char *what, int status, const struct nnrt_error *err)
{
    if (!verbose)
        return;
    if (status == 0)
        fprintf(stderr, "%s: ok\n", what);
    else
        fprintf(stderr, "%s: %s:%d:%d: %s\n", what, err->file, err->line, err->col, err->msg);
}

/* A finding: says what, and aborts. */
static void fail(const char *what)
{
    fprintf(stderr, "fuzz_runtime: %s\n", what);
    abort();
}

static void cleanup(void)
{
    if (fd >= 0 && !unlinked)
        unlink(path);
    unlink(path2);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(path, sizeof path, "%s/nnc-fuzz-runtime.XXXXXX", base);
    fd = mkstemp(path);
    if (fd < 0) {
        perror("fuzz_runtime: cannot make its file");
        exit(1);
    }
    snprintf(path2, sizeof path2, "%s.save%ld", path, (long)getpid());
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    if (access(proc, R_OK) == 0 && unlink(path) == 0) {
        snprintf(path, sizeof path, "%s", proc);
        unlinked = 1;
    }
    atexit(cleanup);
    verbose = getenv("NNC_FUZZ_VERBOSE") != NULL;
    return 0;
}

/* ---- CSV ------------------------------------------------------------------ */

static void fuzz_csv(unsigned mode)
{
    static const int cols_arg[] = {0, 2, 3, 5};
    struct nnrt_table t;
    struct nnrt_error err;
    int status = nnrt_csv_read(path, cols_arg[(mode >> 1) & 3], &t, &err);
    report("nnrt_csv_read", status, &err);
    if (status != 0) {
        /* A failed read leaves an empty table and a message. */
        if (t.rows != 0 || t.v != NULL || t.line != NULL)
            fail("nnrt_csv_read failed but left a table");
        if (memchr(err.msg, '\0', sizeof err.msg) == NULL || err.msg[0] == '\0')
            fail("nnrt_csv_read failed without a message");
        return;
    }
    if (t.rows <= 0 || t.cols <= 0 || t.v == NULL || t.line == NULL)
        fail("nnrt_csv_read succeeded with an empty table");
    int class_index = (mode >> 3) & 1;
    int noutputs = 1 + ((mode >> 4) & 3);
    int ninputs = t.cols - (class_index ? 1 : noutputs) + ((mode >> 6) & 1);
    if (ninputs < 1)
        ninputs = 1;
    double *out = malloc((size_t)t.rows * (size_t)(ninputs + noutputs) * sizeof *out);
    if (out != NULL) {
        status = nnrt_table_rows(&t, "fuzz.csv", ninputs, noutputs, class_index, out, &err);
        report("nnrt_table_rows", status, &err);
        /* Every value read is finite. */
        for (size_t i = 0; status == 0 && i < (size_t)t.rows * (size_t)(ninputs + noutputs); i++)
            if (!isfinite(out[i]))
                fail("nnrt_table_rows gave a value that is not finite");
        free(out);
    }
    nnrt_table_free(&t);
}

/* ---- Parameter files ---------------------------------------------------- */

#define MAX_P 96
#define MAX_IN 4

/* The parameters and the optimizer's state: plain arrays of doubles. */
static double get_value(const void *array, int i)
{
    return ((const double *)array)[i];
}

static void set_value(void *array, int i, double v)
{
    ((double *)array)[i] = v;
}

/* The network that bits 1-2 and 5-6 of mode choose, its parameters plain doubles. */
static struct nnrt_net fuzz_net(unsigned mode)
{
    static const struct {
        int ninputs, nlayers, sizes[3];
    } shapes[] = {
        {2, 2, {2, 1}},
        {4, 2, {8, 3}},
        {1, 1, {1}},
        {3, 3, {2, 2, 1}},
    };
    int k = (mode >> 1) & 3;
    int ni = shapes[k].ninputs, nparams = 0, nweights = 0, fan_in = ni;
    for (int l = 0; l < shapes[k].nlayers; l++) {
        nweights += fan_in * shapes[k].sizes[l];
        nparams += (fan_in + 1) * shapes[k].sizes[l];
        fan_in = shapes[k].sizes[l];
    }
    int opt = (mode >> 5) & 3;
    if (opt == 3)
        opt = 2;
    static const int nprefix[] = {0, 1, 2};

    struct nnrt_net net = {
        .name = "fuzz",
        .spec = "fuzz.nn",
        .ninputs = ni,
        .noutputs = shapes[k].sizes[shapes[k].nlayers - 1],
        .nparams = nparams,
        .nlayers = shapes[k].nlayers,
        .layer_size = shapes[k].sizes,
        .nweights = nweights,
        .size = (size_t)nparams * sizeof(double),
        .get = get_value,
        .set = set_value,
        .optimizer = opt == 0 ? NNRT_SGD : opt == 1 ? NNRT_MOMENTUM : NNRT_ADAM,
        .state_size = (size_t)(nprefix[opt] * nparams) * sizeof(double),
        .nstate = nprefix[opt] * nparams,
        .state_prefix = {opt == 1 ? "velocity_" : opt == 2 ? "m_" : NULL, opt == 2 ? "v_" : NULL},
        .state_get = get_value,
        .state_set = set_value,
        .epochs = 1,
        .seed = 1,
    };
    return net;
}

/* Fails unless a failed load left the sentinels as they were and gave a message. */
static void check_unchanged(const double *nn, const double *state, const double *mean, const double *sd,
                            const struct nnrt_progress *progress, const struct nnrt_error *err)
{
    for (int i = 0; i < MAX_P; i++)
        if (nn[i] != -7)
            fail("nnrt_params_load failed but changed a parameter");
    for (int i = 0; i < 2 * MAX_P; i++)
        if (state[i] != -7)
            fail("nnrt_params_load failed but changed the optimizer's state");
    for (int i = 0; i < MAX_IN; i++)
        if (mean[i] != -7 || sd[i] != -7)
            fail("nnrt_params_load failed but changed the normalization");
    if (progress->epoch != -7 || progress->step != -7)
        fail("nnrt_params_load failed but changed the progress");
    if (memchr(err->msg, '\0', sizeof err->msg) == NULL || memchr(err->file, '\0', sizeof err->file) == NULL ||
        err->msg[0] == '\0')
        fail("nnrt_params_load failed without a message");
}

/* Fails unless what was loaded is in range and nothing was written past the network. */
static void check_loaded(const struct nnrt_net *net, const double *nn, const double *state, const double *mean,
                         const double *sd, const struct nnrt_progress *progress, int with_norm,
                         int with_progress)
{
    int ni = net->ninputs, nparams = net->nparams;
    for (int i = 0; i < nparams; i++)
        if (!isfinite(nn[i]))
            fail("nnrt_params_load gave a parameter that is not finite");
    for (int i = nparams; i < MAX_P; i++)
        if (nn[i] != -7)
            fail("nnrt_params_load wrote past the parameters");
    for (int i = net->nstate; i < 2 * MAX_P; i++)
        if (state[i] != -7)
            fail("nnrt_params_load wrote past the optimizer's state");
    for (int i = 0; with_norm && i < ni; i++)
        if (!(sd[i] > 0) || !isfinite(mean[i]))
            fail("nnrt_params_load gave a mean that is not finite or a deviation that is not > 0");
    for (int i = with_norm ? ni : 0; i < MAX_IN; i++)
        if (mean[i] != -7 || sd[i] != -7)
            fail("nnrt_params_load wrote past the normalization");
    if (with_progress && (progress->epoch < 0 || progress->step < 0))
        fail("nnrt_params_load gave a negative epoch or step");
}

/* Fails unless what was loaded, saved and loaded again, comes back bit for bit. */
static void check_round_trip(const struct nnrt_net *net, const double *nn, const double *state,
                             struct nnrt_norm *norm, struct nnrt_progress *progress, int with_norm,
                             int with_progress)
{
    int ni = net->ninputs, nparams = net->nparams;
    const double *mean = norm->mean, *sd = norm->std;
    struct nnrt_error err;
    double nn2[MAX_P], state2[2 * MAX_P], mean2[MAX_IN], sd2[MAX_IN];
    memset(nn2, 0, sizeof nn2);
    memset(state2, 0, sizeof state2);
    memset(mean2, 0, sizeof mean2);
    memset(sd2, 0, sizeof sd2);
    struct nnrt_norm norm2 = {mean2, sd2};
    struct nnrt_progress progress2 = {0, 0, net->nstate > 0 ? state2 : NULL, 0};
    if (nnrt_params_save(net, nn, with_norm ? norm : NULL, with_progress ? progress : NULL, path2, &err) != 0) {
        fprintf(stderr, "fuzz_runtime: nnrt_params_save: %s\n", err.msg);
        fail("nnrt_params_save failed");
    }
    int status = nnrt_params_load(net, nn2, with_norm ? &norm2 : NULL, with_progress ? &progress2 : NULL, path2,
                                  &err);
    report("nnrt_params_load (again)", status, &err);
    unlink(path2);
    if (status != 0 || memcmp(nn, nn2, (size_t)nparams * sizeof *nn) != 0 ||
        (with_norm && (memcmp(mean, mean2, (size_t)ni * sizeof *mean) != 0 ||
                       memcmp(sd, sd2, (size_t)ni * sizeof *sd) != 0)) ||
        (with_progress && (progress->epoch != progress2.epoch || progress->step != progress2.step ||
                           memcmp(state, state2, (size_t)net->nstate * sizeof *state) != 0))) {
        fail("what nnrt_params_save wrote does not load back the same");
    }
}

static void fuzz_params(unsigned mode)
{
    struct nnrt_net net = fuzz_net(mode);

    /* Sentinels: a failed load must leave everything as it was. */
    double nn[MAX_P], state[2 * MAX_P], mean[MAX_IN], sd[MAX_IN];
    for (int i = 0; i < MAX_P; i++)
        nn[i] = -7;
    for (int i = 0; i < 2 * MAX_P; i++)
        state[i] = -7;
    for (int i = 0; i < MAX_IN; i++)
        mean[i] = sd[i] = -7;
    struct nnrt_norm norm = {mean, sd};
    struct nnrt_progress progress = {-7, -7, net.nstate > 0 ? state : NULL, 0};
    struct nnrt_error err;

    int with_norm = (mode >> 3) & 1, with_progress = (mode >> 4) & 1;
    int status = nnrt_params_load(&net, nn, with_norm ? &norm : NULL, with_progress ? &progress : NULL,
                                  path, &err);
    report("nnrt_params_load", status, &err);
    if (status != 0) {
        check_unchanged(nn, state, mean, sd, &progress, &err);
        return;
    }
    /* Loaded: every parameter finite, every deviation > 0, nothing written past the network. */
    check_loaded(&net, nn, state, mean, sd, &progress, with_norm, with_progress);
    /* Saved and loaded again, everything comes back bit for bit. */
    check_round_trip(&net, nn, state, &norm, &progress, with_norm, with_progress);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return -1;
    unsigned mode = data[0];
    if (ftruncate(fd, 0) != 0 || (size > 1 && pwrite(fd, data + 1, size - 1, 0) != (ssize_t)(size - 1))) {
        perror(path);
        abort();
    }
    if (mode & 1)
        fuzz_params(mode);
    else
        fuzz_csv(mode);
    return 0;
}
