/*
 * tests/failmalloc.c: allocation failures on demand, for tests/61-out-of-memory.t.
 *
 * Link a program with it and with
 *
 *     -Wl,--wrap=malloc -Wl,--wrap=calloc -Wl,--wrap=realloc
 *
 * and every call to malloc, calloc or realloc in the program's own object
 * files comes here first.  (Allocations inside the C library, by fopen or
 * stdio buffers, are not wrapped: only the program's own calls are.)
 * The environment says what to do:
 *
 *   FAILMALLOC_NTH=N      the N-th call (counting from 1) returns NULL with
 *                         errno ENOMEM; 0 or unset: none fails
 *   FAILMALLOC_PERSIST=1  every call from the N-th on fails, not only the N-th
 *   FAILMALLOC_LOG=FILE   at exit, write "CALLS FAILED" to FILE: how many
 *                         calls were made and how many of them failed
 *
 * Counting mode is FAILMALLOC_LOG alone: a run that fails nothing, to learn
 * how many allocations a successful run makes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);

static unsigned long calls, failed, nth;
static int persist, ready;
static const char *log_path;

static void write_log(void)
{
    if (log_path == NULL)
        return;
    FILE *f = fopen(log_path, "w");
    if (f != NULL) {
        fprintf(f, "%lu %lu\n", calls, failed);
        fclose(f);
    }
}

static void setup(void)
{
    const char *s = getenv("FAILMALLOC_NTH");
    nth = s != NULL ? strtoul(s, NULL, 10) : 0;
    s = getenv("FAILMALLOC_PERSIST");
    persist = s != NULL && *s != '\0' && *s != '0';
    log_path = getenv("FAILMALLOC_LOG");
    ready = 1;
    atexit(write_log);
}

/* Counts a call; says whether it fails. */
static int fail_this_call(void)
{
    if (!ready)
        setup();
    calls++;
    if (nth != 0 && (calls == nth || (persist && calls > nth))) {
        failed++;
        errno = ENOMEM;
        return 1;
    }
    return 0;
}

void *__wrap_malloc(size_t size)
{
    return fail_this_call() ? NULL : __real_malloc(size);
}

void *__wrap_calloc(size_t n, size_t size)
{
    return fail_this_call() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t size)
{
    return fail_this_call() ? NULL : __real_realloc(p, size);
}

/* A program that never allocates still writes its log. */
#if defined(__GNUC__)
__attribute__((constructor)) static void failmalloc_init(void)
{
    if (!ready)
        setup();
}
#endif
