/*
 * params.c: a network's parameters: drawing them, saving and loading them.
 *
 * The file format is one `name value` line per parameter, in parameter
 * order, the value printed with %.17g so that it reads back exactly.
 * Blank lines and '#' comments are allowed.  A file that is loaded must
 * name every parameter exactly once: a network half-loaded from a file of
 * another shape would train without complaint and mean nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "nnrt_impl.h"

void nnrt_init_params(const struct nnrt_net *net, void *nn, uint64_t seed)
{
    struct nnrt_rng rng;
    nnrt_rng_seed(&rng, seed);
    /* Every parameter takes its draw, fixed or not, so that fixing one leaves the others alone. */
    for (int i = 0; i < net->nparams; i++) {
        double v = nnrt_rng_normal(&rng);
        *nnrt__param(net, nn, i) = net->init_fixed && net->init_fixed[i] ? net->init_value[i] : v;
    }
}

int nnrt_params_save(const struct nnrt_net *net, const void *nn, const char *path,
                     struct nnrt_error *err)
{
    char *tmp;
    FILE *f = nnrt__open_temp(path, &tmp, err);
    if (f == NULL)
        return -1;
    fprintf(f, "# parameters of network %s\n", net->name);
    for (int i = 0; i < net->nparams; i++)
        fprintf(f, "%s %.17g\n", net->param_name[i], nnrt__param_get(net, nn, i));
    return nnrt__commit_temp(f, tmp, path, err);
}

static int find_param(const struct nnrt_net *net, const char *name, size_t len)
{
    for (int i = 0; i < net->nparams; i++)
        if (strlen(net->param_name[i]) == len && memcmp(net->param_name[i], name, len) == 0)
            return i;
    return -1;
}

int nnrt_params_load(const struct nnrt_net *net, void *nn, const char *path,
                     struct nnrt_error *err)
{
    size_t len;
    char *text = nnrt__read_file(path, &len, err);
    if (text == NULL)
        return -1;
    double *value = malloc((size_t)net->nparams * sizeof *value);
    int *seen = calloc((size_t)net->nparams, sizeof *seen);
    if (value == NULL || seen == NULL) {
        nnrt__set_error(err, path, 0, 0, "out of memory");
        goto fail;
    }
    if (strlen(text) != len) {
        nnrt__set_error(err, path, 0, 0, "NUL byte in a parameter file");
        goto fail;
    }

    int lineno = 0;
    char *next;
    for (char *s = text; s != NULL; s = next) {
        char *end = strchr(s, '\n');
        next = end ? end + 1 : NULL;
        if (end == NULL)
            end = s + strlen(s);
        if (end > s && end[-1] == '\r')
            end--;
        *end = '\0';
        lineno++;

        char *p = s;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '\0' || *p == '#')
            continue;
        char *name = p;
        while (*p && *p != ' ' && *p != '\t')
            p++;
        size_t nlen = (size_t)(p - name);
        int col = (int)(name - s) + 1;
        int i = find_param(net, name, nlen);
        if (i < 0) {
            nnrt__set_error(err, path, lineno, col, "unknown parameter '%.*s'",
                            nlen > 40 ? 40 : (int)nlen, name);
            goto fail;
        }
        if (seen[i]) {
            nnrt__set_error(err, path, lineno, col, "parameter '%s' given twice (first on line %d)",
                            net->param_name[i], seen[i]);
            goto fail;
        }
        while (*p == ' ' || *p == '\t')
            p++;
        /* A trailing comment is allowed. */
        char *hash = strchr(p, '#');
        if (hash != NULL)
            *hash = '\0';
        if (*p == '\0') {
            nnrt__set_error(err, path, lineno, col, "expected a value after '%s'", net->param_name[i]);
            goto fail;
        }
        if (nnrt_parse_double(p, &value[i]) != 0) {
            nnrt__set_error(err, path, lineno, (int)(p - s) + 1,
                            "expected a finite number for '%s' but found '%.40s'",
                            net->param_name[i], p);
            goto fail;
        }
        seen[i] = lineno;
    }
    for (int i = 0; i < net->nparams; i++) {
        if (!seen[i]) {
            nnrt__set_error(err, path, 0, 0, "'%s' has no value for parameter '%s'",
                            path, net->param_name[i]);
            goto fail;
        }
    }
    for (int i = 0; i < net->nparams; i++)
        *nnrt__param(net, nn, i) = value[i];
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
