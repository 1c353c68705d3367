/*
 * report.c: what a program shows while and after it trains.
 *
 * The progress line on a terminal, redrawn in place and blanked before any
 * other output (and by a signal that ends the program), the predictions,
 * and the drawing of the trained network (through dot.c).
 */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "nnrt_impl.h"

/*
 * While training and saving, a signal that ends the program (^C, kill, a
 * closed terminal, a closed pipe) first removes the temporary files of
 * --history and --save (nnrt__catch_fatal_signals) and blanks the progress
 * line, so that nothing of the run is left behind.
 */
static volatile sig_atomic_t progress_columns; /* the progress line's width on the screen, or 0 */

const char *nnrt__loss_text(char buf[NNRT_DOUBLE_BUFSIZE], double loss)
{
    snprintf(buf, NNRT_DOUBLE_BUFSIZE, fabs(loss) < 1e6 || isnan(loss) ? "%.3f" : "%.3e", loss);
    return buf;
}

/* Seconds as "42s", "3m07s" or "5h02m". */
static const char *duration(char buf[32], double s)
{
    if (!(s < 1e9))
        snprintf(buf, 32, "?");
    else if (s < 59.5)
        snprintf(buf, 32, "%.0fs", s);
    else if (s < 3600)
        snprintf(buf, 32, "%ldm%02lds", (long)(s + 0.5) / 60, (long)(s + 0.5) % 60);
    else
        snprintf(buf, 32, "%ldh%02ldm", (long)(s + 30) / 3600, (long)(s + 30) % 3600 / 60);
    return buf;
}

/*
 * The progress line: epoch, a bar, the loss of the epoch it shows, the
 * speed and the time left, redrawn in place (train.c asks at most ten
 * times a second).
 */
void nnrt__progress_show(long done, long total, double loss, double rate, double left)
{
    char bar[31];
    int filled = (int)(30.0 * (double)done / (double)total);
    for (int i = 0; i < 30; i++)
        bar[i] = i < filled ? '=' : i == filled ? '>' : ' ';
    bar[30] = '\0';
    int n = fprintf(stderr, "\r%s: epoch %ld/%ld [%s]", nnrt__progname, done, total, bar) - 1;
    char v[NNRT_DOUBLE_BUFSIZE], t[32];
    if (!isnan(loss))
        n += fprintf(stderr, " loss %s", nnrt__loss_text(v, loss));
    n += fprintf(stderr, " %.0f samples/s", rate);
    if (done < total)
        n += fprintf(stderr, " %s left", duration(t, left));
    n += fprintf(stderr, "  ");
    /* A shorter line (no time left at the end) blanks what the longer one left. */
    if (n < progress_columns)
        n += fprintf(stderr, "%*s", (int)progress_columns - n, "");
    fflush(stderr);
    progress_columns = n;
}

void nnrt__progress_blank(void)
{
    if (progress_columns > 0) {
        char blank[258];
        int n = progress_columns < 256 ? (int)progress_columns : 256;
        blank[0] = blank[n + 1] = '\r';
        for (int i = 1; i <= n; i++)
            blank[i] = ' ';
        (void)!write(STDERR_FILENO, blank, (size_t)n + 2);
    }
}

/*
 * Blanks the progress line, so that what comes next (a loss line on the
 * same terminal, a message, the shell's prompt) starts on a clean line.
 */
void nnrt__progress_clear(void)
{
    if (progress_columns > 0) {
        fprintf(stderr, "\r%*s\r", (int)progress_columns, "");
        fflush(stderr);
        progress_columns = 0;
    }
}

/*
 * Prints "name: VALUE" (several outputs: "name: V1 V2 ...", no name: the
 * values alone; then " -> CLASS" for a classifier whose classes have
 * names) for the input x, normalized first when norm is not NULL.
 */
void nnrt__print_prediction(const struct nnrt_net *net, const void *nn, const struct nnrt_norm *norm,
                            const char *name, const double *x, double *xn, double *y)
{
    char v[NNRT_DOUBLE_BUFSIZE];
    memcpy(xn, x, (size_t)net->ninputs * sizeof *x);
    if (norm != NULL)
        nnrt__apply_norm(net, norm, xn, 1, net->ninputs);
    net->feedforward(nn, xn, y);
    if (name != NULL)
        printf("%s:", name);
    for (int k = 0; k < net->noutputs; k++)
        printf("%s%s", k == 0 && name == NULL ? "" : " ", nnrt_format_double(v, y[k]));
    /* A classifier whose classes have names shows the class, as a data row gives it. */
    if (net->class_name != NULL && net->classify != NNRT_NO_CLASSES)
        printf(" -> %s", nnrt__class_label(net, nnrt__class_of(net, y), v));
    printf("\n");
}

/* The parameters that a program's drawing shows. */
struct trained {
    const struct nnrt_net *net;
    const void *nn;
};

static double trained_param(const void *arg, int i)
{
    const struct trained *t = arg;
    return nnrt__param_get(t->net, t->nn, i);
}

static void put_stdout(void *out, const char *text)
{
    fputs(text, out);
}

void nnrt__print_dot(const struct nnrt_net *net, const void *nn)
{
    struct trained t = {net, nn};
    struct nnrt__dot d = {NNRT__DOT_WEIGHTS, net->name, net->ninputs, net->input_name, net->nlayers,
                          net->layer_size, net->layer_act, trained_param, &t, put_stdout, stdout, net->layer_map};
    nnrt__dot_write(&d);
}
