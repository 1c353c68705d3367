/*
 * number.c: the reading and writing of numbers.
 *
 * Values that the generated program prints (--eval, --grad, predictions)
 * must read back to the very same double, and be as short as that allows,
 * so that a test or a script can compare them exactly.  nnrt_format_double
 * finds the fewest significant digits that round-trip through strtod and
 * lays them out the way Python's repr does, which is what the tutorial's
 * own output looks like (0.9990889488055994).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nnrt_impl.h"

/*
 * Moves the last digit of the %e string e one up (dir 1) or down (-1),
 * carrying as needed.  Returns 0, or -1 when the digits would change length.
 */
static int step_last_digit(char *e, int dir)
{
    char *p = strchr(e, 'e') - 1;
    for (; p >= e && *p != '-'; p--) {
        if (*p == '.')
            continue;
        if (dir > 0 && *p < '9') {
            (*p)++;
            return 0;
        }
        if (dir < 0 && *p > '0') {
            (*p)--;
            return 0;
        }
        *p = dir > 0 ? '0' : '9';
    }
    return -1;
}

/* Replaces e by its neighbour one last digit away that reads back to x, if one does. */
static int neighbour_reads_back(char *e, double x)
{
    char up[40], down[40];
    strcpy(up, e);
    strcpy(down, e);
    int has_up = step_last_digit(up, 1) == 0 && strtod(up, NULL) == x;
    int has_down = step_last_digit(down, -1) == 0 && down[down[0] == '-'] != '0' && strtod(down, NULL) == x;
    if (has_up && has_down) {
        /* Both read back: the nearer to x. */
        has_down = fabs(strtod(down, NULL) - x) < fabs(strtod(up, NULL) - x);
        has_up = !has_down;
    }
    if (has_up)
        strcpy(e, up);
    else if (has_down)
        strcpy(e, down);
    return has_up || has_down;
}

char *nnrt_format_double(char buf[NNRT_DOUBLE_BUFSIZE], double x)
{
    if (isnan(x)) {
        strcpy(buf, "nan");
        return buf;
    }
    if (isinf(x)) {
        strcpy(buf, x < 0 ? "-inf" : "inf");
        return buf;
    }
    if (x == 0) {
        strcpy(buf, signbit(x) ? "-0.0" : "0.0");
        return buf;
    }

    /*
     * The fewest significant digits that read back to x: 17 always do.  At
     * each length, the correctly rounded digits may miss x's interval when
     * x lies on a tie, while the next decimal up or down reads back; so
     * those are tried too, the nearer first.
     */
    char e[40];
    for (int prec = 0; prec < 17; prec++) {
        snprintf(e, sizeof e, "%.*e", prec, x);
        if (strtod(e, NULL) == x || neighbour_reads_back(e, x))
            break;
    }

    /* Split "-d.ddde+XX" into sign, digits and exponent. */
    const char *p = e;
    int neg = *p == '-';
    if (neg)
        p++;
    char digits[24];
    int n = 0;
    for (; *p != 'e'; p++)
        if (*p != '.')
            digits[n++] = *p;
    while (n > 1 && digits[n - 1] == '0')
        n--;
    digits[n] = '\0';
    int exp = atoi(p + 1);

    char *out = buf;
    if (neg)
        *out++ = '-';
    if (exp >= -4 && exp < 16) {
        if (exp >= 0) {
            /* Integer part: the first exp + 1 digits, padded with zeros. */
            for (int i = 0; i <= exp; i++)
                *out++ = i < n ? digits[i] : '0';
            *out++ = '.';
            if (n > exp + 1)
                for (int i = exp + 1; i < n; i++)
                    *out++ = digits[i];
            else
                *out++ = '0';
        } else {
            *out++ = '0';
            *out++ = '.';
            for (int i = 0; i < -exp - 1; i++)
                *out++ = '0';
            for (int i = 0; i < n; i++)
                *out++ = digits[i];
        }
        *out = '\0';
    } else {
        *out++ = digits[0];
        if (n > 1) {
            *out++ = '.';
            for (int i = 1; i < n; i++)
                *out++ = digits[i];
        }
        sprintf(out, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
    }
    return buf;
}

int nnrt_parse_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    while (*s == ' ' || *s == '\t')
        s++;
    /* Decimal only: strtod would also take hexadecimal, "inf" and "nan". */
    if (*s == '\0' || s[strspn(s, "0123456789+-.eE \t")] != '\0')
        return -1;
    double v = strtod(s, &end);
    if (end == s)
        return -1;
    while (*end == ' ' || *end == '\t')
        end++;
    if (*end != '\0' || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

int nnrt__parse_whole(const char *s, unsigned long long max, unsigned long long *out)
{
    while (*s == ' ' || *s == '\t')
        s++;
    if (*s == '+')
        s++;
    if (*s < '0' || *s > '9')
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    while (*end == ' ' || *end == '\t')
        end++;
    if (*end != '\0' || errno == ERANGE || v > max)
        return -1;
    *out = v;
    return 0;
}

int nnrt__past_range(const double *row, int from, int to, int single)
{
    for (int j = from; j < to; j++)
        if (isinf(row[j]) || (single && isinf((float)row[j])))
            return j;
    return -1;
}

const char *nnrt__too_large(char *buf, size_t size, int ninputs, int j, double v, const char *after, int single)
{
    char text[NNRT_DOUBLE_BUFSIZE];
    snprintf(buf, size, "%s %d is %s%s: too large for %s", j < ninputs ? "input" : "target",
             j < ninputs ? j + 1 : j - ninputs + 1, nnrt_format_double(text, v), after,
             single && !isinf(v) ? "precision float (the largest float is about 3.4028235e+38)" : "a double");
    return buf;
}
