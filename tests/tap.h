/*
 * tap.h: a small TAP producer for the C tests, after libtap.
 *
 *   ok(cond, fmt, ...)               a test that passes when cond holds
 *   is_double(got, want, tol, ...)   |got - want| <= tol (NaNs never pass)
 *   is_string(got, want, ...)        equal strings
 *   done_testing()                   prints the plan; returns the exit status
 *
 * A test program may be several files that all include this header: they
 * share one count of tests, which the file with main holds by defining
 * TAP_MAIN before it includes tap.h.  The functions are static inline so
 * that a file need not use all of them.
 */
#ifndef TAP_H
#define TAP_H

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#ifdef TAP_MAIN
int tap_count, tap_failed;
#else
extern int tap_count, tap_failed;
#endif

static inline int tap_result(int pass, const char *fmt, va_list ap)
{
    tap_count++;
    printf("%sok %d - ", pass ? "" : "not ", tap_count);
    vprintf(fmt, ap);
    printf("\n");
    if (!pass)
        tap_failed++;
    return pass;
}

static inline int ok(int pass, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tap_result(pass, fmt, ap);
    va_end(ap);
    return pass;
}

static inline int is_double(double got, double want, double tol, const char *fmt, ...)
{
    va_list ap;
    int pass = fabs(got - want) <= tol;
    va_start(ap, fmt);
    tap_result(pass, fmt, ap);
    va_end(ap);
    if (!pass)
        printf("#   got:      %.17g\n#   expected: %.17g (within %g)\n", got, want, tol);
    return pass;
}

static inline int is_string(const char *got, const char *want, const char *fmt, ...)
{
    va_list ap;
    int pass = got != NULL && strcmp(got, want) == 0;
    va_start(ap, fmt);
    tap_result(pass, fmt, ap);
    va_end(ap);
    if (!pass)
        printf("#   got:      '%s'\n#   expected: '%s'\n", got ? got : "(null)", want);
    return pass;
}

static inline int done_testing(void)
{
    printf("1..%d\n", tap_count);
    return tap_failed > 0;
}

#endif
