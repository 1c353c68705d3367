/*
 * params.c: a network's parameters: drawing them, saving and loading them.
 *
 * The file format is one `name value` line per parameter, in parameter
 * order, the value printed with %.17g so that it reads back exactly.
 * Blank lines and '#' comments are allowed.  A file that is loaded must
 * name every parameter exactly once: a network half-loaded from a file of
 * another shape would train without complaint and mean nothing.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "nnrt_impl.h"

const char *nnrt_param_name(const struct nnrt_net *net, int i, char buf[32])
{
    if (i < net->nweights)
        snprintf(buf, 32, "w%d", i + 1);
    else
        snprintf(buf, 32, "b%d", i - net->nweights + 1);
    return buf;
}

const char *nnrt__state_name(const struct nnrt_net *net, int j, char buf[40])
{
    char p[32];
    snprintf(buf, 40, "%s%s", net->state_prefix[j / net->nparams],
             nnrt_param_name(net, j % net->nparams, p));
    return buf;
}

void nnrt_init_params(const struct nnrt_net *net, void *nn, uint64_t seed)
{
    struct nnrt_rng rng;
    nnrt_rng_seed(&rng, seed);

    /* Walk the weights layer by layer to know each one's fan-in and fan-out. */
    int i = 0, fan_in = net->ninputs;
    for (int l = 0; l < net->nlayers; l++) {
        int fan_out = net->layer_size[l], n = fan_in * fan_out, in = fan_in;
        if (net->layer_fan != NULL) /* conv and pool layers: as the network says */
            n = net->layer_fan[3 * l], in = net->layer_fan[3 * l + 1], fan_out = net->layer_fan[3 * l + 2];
        double scale = net->init == NNRT_INIT_XAVIER ? sqrt(2.0 / (in + fan_out))
                     : net->init == NNRT_INIT_HE     ? sqrt(2.0 / in)
                                                     : 1.0;
        for (int k = 0; k < n; k++, i++)
            nnrt__param_set(net, nn, i, scale * nnrt_rng_normal(&rng));
        fan_in = net->layer_size[l];
    }
    for (; i < net->nparams; i++) {
        double v = nnrt_rng_normal(&rng);
        nnrt__param_set(net, nn, i, net->init == NNRT_INIT_NORMAL ? v : 0.0);
    }
    if (net->init_fixed != NULL)
        for (i = 0; i < net->nparams; i++)
            if (net->init_fixed[i])
                nnrt__param_set(net, nn, i, net->init_value[i]);
}

int nnrt_params_save(const struct nnrt_net *net, const void *nn, const struct nnrt_norm *norm,
                     const struct nnrt_progress *progress, const char *path, struct nnrt_error *err)
{
    struct nnrt__output out;
    if (nnrt__output_open(&out, path, err) != 0)
        return -1;
    FILE *f = out.f;
    fprintf(f, NNRT__SAVED_HEAD "%s\n", net->name);
    char name[40];
    for (int i = 0; i < net->nparams; i++)
        fprintf(f, "%s %.17g\n", nnrt_param_name(net, i, name), nnrt__param_get(net, nn, i));
    if (norm != NULL) {
        fprintf(f, "# input normalization: x_i becomes (x_i - mean_x_i) / std_x_i\n");
        for (int i = 0; i < net->ninputs; i++)
            fprintf(f, "mean_x%d %.17g\n", i + 1, norm->mean[i]);
        for (int i = 0; i < net->ninputs; i++)
            fprintf(f, "std_x%d %.17g\n", i + 1, norm->std[i]);
    }
    if (progress != NULL) {
        fprintf(f, "# training so far, to resume it\n");
        fprintf(f, "epoch %ld\nstep %ld\n", progress->epoch, progress->step);
        /* Under a schedule the rate is state too: the next one is computed from it. */
        if (progress->learn_rate != 0)
            fprintf(f, "learn_rate %.17g\n", progress->learn_rate);
        for (int j = 0; j < net->nstate; j++)
            fprintf(f, "%s %.17g\n", nnrt__state_name(net, j, name), net->state_get(progress->state, j));
    }
    return nnrt__output_commit(&out, path, err);
}

/*
 * The names a parameter file may hold, as numbered slots: the parameters
 * [0, nparams), then mean_x and std_x [nparams, norm_end), then epoch,
 * step and learn_rate, then the optimizer's state [state_start, nslots).
 */
struct slots {
    int nparams, norm_end, epoch, step, learn_rate, state_start, nslots;
};

static struct slots layout(const struct nnrt_net *net, int with_norm, int with_progress)
{
    struct slots s;
    s.nparams = net->nparams;
    s.norm_end = s.nparams + (with_norm ? 2 * net->ninputs : 0);
    s.epoch = with_progress ? s.norm_end : -1;
    s.step = with_progress ? s.norm_end + 1 : -1;
    s.learn_rate = with_progress ? s.norm_end + 2 : -1;
    s.state_start = s.norm_end + (with_progress ? 3 : 0);
    s.nslots = s.state_start + (with_progress ? net->nstate : 0);
    return s;
}

static int name_is(const char *name, size_t len, const char *want)
{
    return strlen(want) == len && memcmp(name, want, len) == 0;
}

/* The slot of a parameter's name (w3, b2) after prefix, or -1. */
static int param_slot(const struct nnrt_net *net, const char *name, size_t len, const char *prefix)
{
    size_t skip = strlen(prefix);
    char w[40], b[40];
    snprintf(w, sizeof w, "%sw", prefix);
    snprintf(b, sizeof b, "%sb", prefix);
    long k;
    if (len > skip && (k = nnrt__numbered(name, len, w, net->nweights)) > 0)
        return (int)k - 1;
    if (len > skip && (k = nnrt__numbered(name, len, b, net->nparams - net->nweights)) > 0)
        return net->nweights + (int)k - 1;
    return -1;
}

/* The slot of a name, or -1. */
static int find_name(const struct nnrt_net *net, const struct slots *sl, const char *name, size_t len)
{
    int i = param_slot(net, name, len, "");
    if (i >= 0)
        return i;
    if (sl->step >= 0 && name_is(name, len, "epoch"))
        return sl->epoch;
    if (sl->step >= 0 && name_is(name, len, "step"))
        return sl->step;
    if (sl->learn_rate >= 0 && name_is(name, len, "learn_rate"))
        return sl->learn_rate;
    for (int k = 0; sl->nslots > sl->state_start && k < 2 && net->state_prefix[k] != NULL; k++)
        if ((i = param_slot(net, name, len, net->state_prefix[k])) >= 0)
            return sl->state_start + k * net->nparams + i;
    long n;
    if (sl->norm_end > sl->nparams && (n = nnrt__numbered(name, len, "mean_x", net->ninputs)) > 0)
        return net->nparams + (int)n - 1;
    if (sl->norm_end > sl->nparams && (n = nnrt__numbered(name, len, "std_x", net->ninputs)) > 0)
        return net->nparams + net->ninputs + (int)n - 1;
    return -1;
}

/* The name of slot i, for messages. */
static const char *slot_name(const struct nnrt_net *net, const struct slots *sl, int i, char buf[40])
{
    if (i < net->nparams)
        return nnrt_param_name(net, i, buf);
    if (i == sl->epoch)
        return "epoch";
    if (i == sl->step)
        return "step";
    if (i == sl->learn_rate)
        return "learn_rate";
    if (i >= sl->state_start)
        return nnrt__state_name(net, i - sl->state_start, buf);
    i -= net->nparams;
    if (i < net->ninputs)
        snprintf(buf, 32, "mean_x%d", i + 1);
    else
        snprintf(buf, 32, "std_x%d", i - net->ninputs + 1);
    return buf;
}

/* Checks the range of value[i], read at column col of line lineno; -1 if out of it. */
static int check_range(const struct nnrt_net *net, const struct slots *sl, int i, const double *value,
                       int lineno, int col, const char *path, struct nnrt_error *err)
{
    char buf[40];
    /* In a float network the parameters and the optimizer's state are floats. */
    if (net->single && (i < net->nparams || i >= sl->state_start) && isinf((float)value[i])) {
        char v[NNRT_DOUBLE_BUFSIZE];
        nnrt__set_error(err, path, lineno, col, "'%s' is %s: too large for precision float "
                        "(the largest float is about 3.4028235e+38)", slot_name(net, sl, i, buf),
                        nnrt_format_double(v, value[i]));
        return -1;
    }
    /* Adam's v_ is a mean of squares. */
    if (net->optimizer == NNRT_ADAM && i >= sl->state_start + net->nparams && value[i] < 0) {
        nnrt__set_error(err, path, lineno, col, "'%s' must be at least 0 (a mean of squares)",
                        slot_name(net, sl, i, buf));
        return -1;
    }
    if (((i >= net->nparams + net->ninputs && i < sl->norm_end) || i == sl->learn_rate) && !(value[i] > 0)) {
        nnrt__set_error(err, path, lineno, col, "'%s' must be greater than 0", slot_name(net, sl, i, buf));
        return -1;
    }
    return 0;
}

/*
 * Reads line lineno, s, into value and seen, and the counts into *epoch and
 * *step; -1 on a mistake in it.
 */
static int read_line(const struct nnrt_net *net, const struct slots *sl, char *s, int lineno, double *value,
                     int *seen, long *epoch, long *step, const char *path, struct nnrt_error *err)
{
    char buf[40];
    /* Past a byte order mark; columns count from the line's start. */
    char *p = lineno == 1 ? s + nnrt__bom(s) : s;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p == '\0' || *p == '#')
        return 0;
    char *name = p;
    while (*p && *p != ' ' && *p != '\t')
        p++;
    size_t nlen = (size_t)(p - name);
    int col = (int)(name - s) + 1;
    int i = find_name(net, sl, name, nlen);
    if (i < 0) {
        nnrt__set_error(err, path, lineno, col, "unknown parameter '%.*s'", nnrt__quote_len(name, nlen, 40),
                        name);
        return -1;
    }
    if (seen[i]) {
        nnrt__set_error(err, path, lineno, col, "parameter '%s' given twice (first on line %d)",
                        slot_name(net, sl, i, buf), seen[i]);
        return -1;
    }
    while (*p == ' ' || *p == '\t')
        p++;
    /* A trailing comment is allowed. */
    char *hash = strchr(p, '#');
    if (hash != NULL)
        *hash = '\0';
    if (*p == '\0') {
        nnrt__set_error(err, path, lineno, col, "expected a value after '%s'", slot_name(net, sl, i, buf));
        return -1;
    }
    /* The counts are read as whole numbers: a double would round those past 2^53. */
    int count = i == sl->epoch || i == sl->step;
    unsigned long long whole = 0;
    if (count ? nnrt__parse_whole(p, LONG_MAX, &whole) != 0 : nnrt_parse_double(p, &value[i]) != 0) {
        nnrt__set_error(err, path, lineno, (int)(p - s) + 1, "expected %s for '%s' but found '%.*s'",
                        count ? "a whole number from 0 to 9223372036854775807" : "a finite number",
                        slot_name(net, sl, i, buf), nnrt__quote_len(p, strlen(p), 40), p);
        return -1;
    }
    if (count)
        value[i] = 0;
    if (i == sl->epoch)
        *epoch = (long)whole;
    else if (i == sl->step)
        *step = (long)whole;
    if (check_range(net, sl, i, value, lineno, (int)(p - s) + 1, path, err) != 0)
        return -1;
    seen[i] = lineno;
    return 0;
}

/*
 * Checks that every required slot was seen: the parameters and the
 * normalization, and the state all or none.  Returns how many slots of the
 * state were seen, or -1.
 */
static int check_complete(const struct nnrt_net *net, const struct slots *sl, const int *seen, int want_norm,
                          const char *path, struct nnrt_error *err)
{
    char buf[40];
    int state_seen = 0;
    for (int i = sl->state_start; i < sl->nslots; i++)
        state_seen += seen[i] != 0;
    for (int i = 0; i < sl->nslots; i++) {
        int optional = i == sl->epoch || i == sl->step || i == sl->learn_rate ||
                       (i >= sl->state_start && state_seen == 0) ||
                       (!want_norm && i >= sl->nparams && i < sl->norm_end);
        if (!seen[i] && !optional) {
            nnrt__set_error(err, path, 0, 0, "'%s' has no value for %s '%s'", path,
                            i < sl->state_start ? "parameter" : "the optimizer's state",
                            slot_name(net, sl, i, buf));
            return -1;
        }
    }
    return state_seen;
}

/* Stores the values read, once the whole file is known to be right. */
static void store(const struct nnrt_net *net, const struct slots *sl, const double *value, const int *seen,
                  int state_seen, long epoch, long step, void *nn, struct nnrt_norm *norm,
                  struct nnrt_progress *progress)
{
    for (int i = 0; i < net->nparams; i++)
        nnrt__param_set(net, nn, i, value[i]);
    if (norm != NULL) {
        for (int i = 0; i < net->ninputs; i++) {
            norm->mean[i] = value[net->nparams + i];
            norm->std[i] = value[net->nparams + net->ninputs + i];
        }
    }
    if (progress != NULL) {
        progress->epoch = epoch;
        progress->step = step;
        progress->learn_rate = seen[sl->learn_rate] ? value[sl->learn_rate] : 0;
        for (int j = 0; j < net->nstate; j++)
            net->state_set(progress->state, j, state_seen ? value[sl->state_start + j] : 0.0);
    }
}

/*
 * A file that --save wrote for another network names it on its first
 * line: say so, rather than report the first parameter that differs.
 * Returns -1 with err filled in then, else 0.
 */
static int other_network(const struct nnrt_net *net, const char *text, const char *path, struct nnrt_error *err)
{
    size_t len;
    const char *name = nnrt__saved_network(text, &len);
    if (name == NULL || (len == strlen(net->name) && memcmp(name, net->name, len) == 0))
        return 0;
    nnrt__set_error(err, path, 1, (int)(name - text) + 1, "the file holds the parameters of network '%.*s', and "
                    "this program is network '%s'", nnrt__quote_len(name, len, 40), name, net->name);
    return -1;
}

int nnrt_params_load(const struct nnrt_net *net, void *nn, struct nnrt_norm *norm,
                     struct nnrt_progress *progress, const char *path, struct nnrt_error *err)
{
    /*
     * A file of a network that normalizes holds mean_x and std_x lines, and
     * every file that --save writes holds the progress: a caller that wants
     * neither (NULL) still reads such a file, and the lines are checked but
     * not kept.  Without a normalization in the network or the call,
     * mean_x1 is no name the file may hold.
     */
    struct slots sl = layout(net, norm != NULL || net->normalize, 1);
    /*
     * What --save writes for the largest network is past the 256 MB of other
     * files: allow 128 bytes a line (its own are under 64), for every name
     * the file may hold.
     */
    size_t len, max = (size_t)sl.nslots * 128 + 4096;
    char *text = nnrt__read_file_max(path, max > NNRT__MAX_FILE ? max : NNRT__MAX_FILE, &len, err);
    if (text == NULL)
        return -1;
    double *value = malloc((size_t)(sl.nslots > 0 ? sl.nslots : 1) * sizeof *value);
    int *seen = calloc((size_t)(sl.nslots > 0 ? sl.nslots : 1), sizeof *seen);
    if (value == NULL || seen == NULL) {
        nnrt__set_error(err, path, 0, 0, "out of memory");
        goto fail;
    }
    if (strlen(text) != len) {
        nnrt__set_error(err, path, 0, 0, "NUL byte in a parameter file");
        goto fail;
    }
    if (other_network(net, text, path, err) != 0)
        goto fail;

    int lineno = 0;
    long epoch = 0, step = 0;
    char *rest = text, *s;
    while ((s = nnrt__next_line(&rest)) != NULL) {
        /* A file of a big network may pass 2 GB: lines and columns must still be ints. */
        if (lineno == INT_MAX) {
            nnrt__set_error(err, path, lineno, 0, "too many lines");
            goto fail;
        }
        lineno++;
        if (strlen(s) > INT_MAX / 2) {
            nnrt__set_error(err, path, lineno, 0, "line too long");
            goto fail;
        }
        if (read_line(net, &sl, s, lineno, value, seen, &epoch, &step, path, err) != 0)
            goto fail;
    }

    /* Required: the parameters and the normalization.  The state: all of it or none. */
    int state_seen = check_complete(net, &sl, seen, norm != NULL, path, err);
    if (state_seen < 0)
        goto fail;
    store(net, &sl, value, seen, state_seen, epoch, step, nn, norm, progress);
    free(value);
    free(seen);
    free(text);
    return 0;

fail:
    free(value);
    free(seen);
    free(text);
    return -1;
}
