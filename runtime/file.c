/*
 * file.c: reading whole files, and writing them so that a failure loses
 * nothing.
 *
 * Readers take the whole file into memory at once: the data sets are small,
 * a line may be long, and one pass over a buffer is simpler than a line
 * reader with a growing buffer.  Writers write a temporary file beside the
 * target and rename it into place, so that the target is either the old
 * file, byte for byte, or the complete new one; devices and FIFOs, which a
 * rename would replace, are written in place.
 *
 * Where the system has them (Linux's O_TMPFILE), the temporary file is
 * unnamed until it is complete: linked in under a temporary name and
 * renamed over the target at once, so that a process killed while it
 * writes, even by SIGKILL, leaves nothing.  Elsewhere it is a named file
 * (mkstemp), removed on every signal that can be caught.
 */
#define _GNU_SOURCE /* O_TMPFILE; on glibc, also what _XOPEN_SOURCE 700 gives (realpath) */
#define _XOPEN_SOURCE 700 /* realpath */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nnrt_impl.h"

int nnrt__showable(const unsigned char *s, const unsigned char *end)
{
    if (*s < 0x80)
        return *s >= 0x20 && *s < 0x7f ? 1 : -1;
    int n = *s >= 0xc2 && *s <= 0xdf ? 2 : *s >= 0xe0 && *s <= 0xef ? 3 : *s >= 0xf0 && *s <= 0xf4 ? 4 : 0;
    if (n == 0 || end - s < n)
        return -1;
    for (int i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            return -1;
    unsigned cp = n == 2 ? (s[0] & 0x1fu) << 6 | (s[1] & 0x3fu)
                : n == 3 ? (s[0] & 0x0fu) << 12 | (s[1] & 0x3fu) << 6 | (s[2] & 0x3fu)
                         : (s[0] & 0x07u) << 18 | (s[1] & 0x3fu) << 12 | (s[2] & 0x3fu) << 6 | (s[3] & 0x3fu);
    if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
        (cp >= 0xd800 && cp <= 0xdfff))
        return -1;
    int control = (cp >= 0x80 && cp <= 0x9f) || cp == 0x61c || (cp >= 0x200e && cp <= 0x200f) ||
                  (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
    return control ? -n : n;
}

/*
 * Rewrites s in place so that a terminal can be sent it: each character
 * nnrt__showable() refuses becomes one '?'.  Messages quote what they found in
 * files, and a file can hold escape sequences.
 */
static void make_showable(char *s)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + strlen(s);
    unsigned char *q = (unsigned char *)s;
    while (p < end) {
        int n = nnrt__showable(p, end);
        if (n < 0) {
            *q++ = '?';
            p += -n;
        } else {
            memmove(q, p, (size_t)n);
            q += n;
            p += n;
        }
    }
    *q = '\0';
}

/*
 * n, moved back to the start of the UTF-8 character at s + n, so as not to
 * cut one: by at most 3 bytes, however many continuation bytes a name that
 * is not UTF-8 has.
 */
static size_t char_start(const char *s, size_t n)
{
    for (int k = 0; k < 3 && n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80; k++)
        n--;
    return n;
}

/*
 * A file's name as messages give it: whole, or, past 100 bytes, its first
 * and last 48 with "..." between, so that a message of 255 bytes still
 * has room for what went wrong.
 */
static void short_name(char out[NNRT__SHOWN_NAME], const char *file)
{
    size_t n = strlen(file);
    if (n <= 100) {
        memcpy(out, file, n + 1);
        return;
    }
    size_t head = char_start(file, 48), tail = n - char_start(file, n - 48);
    memcpy(out, file, head);
    memcpy(out + head, "...", 3);
    memcpy(out + head + 3, file + n - tail, tail + 1);
}

const char *nnrt__shown_name(char out[NNRT__SHOWN_NAME], const char *file)
{
    short_name(out, file);
    make_showable(out);
    return out;
}

void nnrt__set_error(struct nnrt_error *err, const char *file, int line, int col,
                     const char *fmt, ...)
{
    char name[NNRT__SHOWN_NAME], full[8192];
    short_name(name, file);
    snprintf(err->file, sizeof err->file, "%s", name);
    make_showable(err->file);
    err->line = line;
    err->col = col;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(full, sizeof full, fmt, ap);
    va_end(ap);
    /* The message names the file the same way. */
    char *at = strcmp(name, file) != 0 ? strstr(full, file) : NULL;
    if (at != NULL) {
        size_t n = strlen(name);
        memmove(at + n, at + strlen(file), strlen(at + strlen(file)) + 1);
        memcpy(at, name, n);
    }
    /* Cut, if it must be, between characters. */
    size_t len = strlen(full);
    if (len >= sizeof err->msg)
        len = char_start(full, sizeof err->msg - 1);
    memcpy(err->msg, full, len);
    err->msg[len] = '\0';
    make_showable(err->msg);
}

char *nnrt__read_file(const char *path, size_t *len, struct nnrt_error *err)
{
    return nnrt__read_file_max(path, NNRT__MAX_FILE, len, err);
}

char *nnrt__read_file_max(const char *path, size_t max, size_t *len, struct nnrt_error *err)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        nnrt__set_error(err, path, 0, 0, "cannot open '%s': %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        nnrt__set_error(err, path, 0, 0, "cannot open '%s': %s", path, strerror(EISDIR));
        fclose(f);
        return NULL;
    }

    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    if (buf == NULL)
        goto nomem;
    for (;;) {
        n += fread(buf + n, 1, cap - n - 1, f);
        if (n < cap - 1)
            break;
        if (n > max) {
            /* A device such as /dev/zero, or a file too big to be meant. */
            nnrt__set_error(err, path, 0, 0, "'%s' is larger than %zu MB", path, max >> 20);
            free(buf);
            fclose(f);
            return NULL;
        }
        /* Never more than max + 1 bytes, to see that it is too long. */
        size_t more = cap * 2 < max + 2 ? cap * 2 : max + 2;
        char *bigger = realloc(buf, more);
        if (bigger == NULL)
            goto nomem;
        buf = bigger;
        cap = more;
    }
    if (ferror(f)) {
        nnrt__set_error(err, path, 0, 0, "cannot read '%s': %s", path, strerror(errno));
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;

nomem:
    free(buf);
    fclose(f);
    nnrt__set_error(err, path, 0, 0, "out of memory reading '%s'", path);
    return NULL;
}

char *nnrt__next_line(char **rest)
{
    char *s = *rest;
    if (s == NULL)
        return NULL;
    char *end = strpbrk(s, "\r\n");
    if (end == NULL) {
        *rest = NULL;
        return s;
    }
    *rest = end[0] == '\r' && end[1] == '\n' ? end + 2 : end + 1;
    *end = '\0';
    return s;
}

/* The directory of path, whose last '/' is at slash (or NULL): a path to stat, to be freed. */
static char *dir_of(const char *path, const char *slash)
{
    if (slash == NULL)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    size_t n = (size_t)(slash - path);
    char *dir = malloc(n + 1);
    if (dir != NULL) {
        memcpy(dir, path, n);
        dir[n] = '\0';
    }
    return dir;
}

/* Would paths a and b, of files that do not exist yet, make one file: one name in one directory? */
static int same_new_file(const char *a, const char *b)
{
    const char *sa = strrchr(a, '/'), *sb = strrchr(b, '/');
    const char *name_a = sa != NULL ? sa + 1 : a, *name_b = sb != NULL ? sb + 1 : b;
    if (*name_a == '\0' || strcmp(name_a, name_b) != 0)
        return 0;
    char *da = dir_of(a, sa), *db = dir_of(b, sb);
    struct stat st_a, st_b;
    int same = da != NULL && db != NULL && stat(da, &st_a) == 0 && stat(db, &st_b) == 0 &&
               st_a.st_dev == st_b.st_dev && st_a.st_ino == st_b.st_ino;
    free(da);
    free(db);
    return same;
}

/*
 * path, or, when it is a symbolic link to a file not made yet, the path of
 * that file (through up to 8 links); NULL when out of memory.  To be freed.
 */
static char *made_through(const char *path)
{
    char *p = strdup(path);
    for (int hop = 0; p != NULL && hop < 8; hop++) {
        struct stat st;
        char link[4096];
        ssize_t n;
        if (lstat(p, &st) != 0 || !S_ISLNK(st.st_mode) || (n = readlink(p, link, sizeof link - 1)) < 0)
            break;
        link[n] = '\0';
        /* Relative to the link's directory. */
        const char *slash = strrchr(p, '/');
        size_t dir = link[0] == '/' || slash == NULL ? 0 : (size_t)(slash - p) + 1;
        char *next = malloc(dir + (size_t)n + 1);
        if (next != NULL) {
            memcpy(next, p, dir);
            memcpy(next + dir, link, (size_t)n + 1);
        }
        free(p);
        p = next;
    }
    return p;
}

int nnrt__same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    if (a == NULL || b == NULL)
        return 0;
    int has_a = stat(a, &sa) == 0, has_b = stat(b, &sb) == 0;
    if (has_a && !S_ISREG(sa.st_mode))
        return 0;
    if (strcmp(a, b) == 0)
        return 1;
    if (!has_a && !has_b) {
        /* Outputs are written through links: a dangling one names the file it would make. */
        char *made_a = made_through(a), *made_b = made_through(b);
        int same = made_a != NULL && made_b != NULL &&
                   (strcmp(made_a, made_b) == 0 || same_new_file(made_a, made_b));
        free(made_a);
        free(made_b);
        return same;
    }
    return has_a && has_b && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* Writes to path itself, as the shell's > would. */
static int open_in_place(struct nnrt__output *o, const char *path, struct nnrt_error *err)
{
    o->f = fopen(path, "w");
    if (o->f == NULL) {
        nnrt__set_error(err, path, 0, 0, "cannot write '%s': %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

/*
 * The temporary files being written, for nnrt__remove_temporaries: the
 * first four at once (the program's --history and --save; nnc's C and
 * header), from one thread.  Each is dropped from here once it is renamed
 * away or removed, and before it is freed.
 */
static char *volatile live[4];

static void live_add(char *tmp)
{
    for (size_t k = 0; k < sizeof live / sizeof live[0]; k++) {
        if (live[k] == NULL) {
            live[k] = tmp;
            return;
        }
    }
}

static void live_drop(const char *tmp)
{
    for (size_t k = 0; k < sizeof live / sizeof live[0]; k++)
        if (live[k] == tmp)
            live[k] = NULL;
}

void nnrt__remove_temporaries(void)
{
    for (size_t k = 0; k < sizeof live / sizeof live[0]; k++) {
        char *tmp = live[k];
        if (tmp != NULL)
            unlink(tmp);
    }
}

/*
 * The signals that end a program by default, which nnrt__catch_fatal_signals
 * catches: those a user or the system sends (^C, kill, a closed pipe,
 * ulimit -t's SIGXCPU, timers, the user's and the real-time signals).  The
 * faults (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS) are bugs, left
 * to their default and to a debugger or sanitizer; an unnamed temporary
 * file (nnrt__output_open) leaves nothing even then.
 */
static const int named_signals[] = {
    SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGALRM, SIGUSR1, SIGUSR2, SIGABRT,
#ifdef SIGXCPU
    SIGXCPU,
#endif
#ifdef SIGXFSZ
    SIGXFSZ,
#endif
#ifdef SIGVTALRM
    SIGVTALRM,
#endif
#ifdef SIGPROF
    SIGPROF,
#endif
#ifdef SIGPOLL
    SIGPOLL,
#endif
#ifdef SIGSTKFLT
    SIGSTKFLT,
#endif
#ifdef SIGPWR
    SIGPWR,
#endif
};
#define MAX_FATAL 96

/* Fills sigs with the fatal signals; returns how many. */
static int fatal_signals(int sigs[MAX_FATAL])
{
    int n = 0;
    for (size_t k = 0; k < sizeof named_signals / sizeof named_signals[0]; k++)
        sigs[n++] = named_signals[k];
#if defined(SIGRTMIN) && defined(SIGRTMAX)
    /* Each real-time signal ends a process by default too. */
    for (int sig = SIGRTMIN; sig <= SIGRTMAX && n < MAX_FATAL; sig++)
        sigs[n++] = sig;
#endif
    return n;
}

static void (*volatile fatal_hook)(void); /* what else a fatal signal does first, or NULL */

static void on_fatal_signal(int sig)
{
    nnrt__remove_temporaries();
    if (fatal_hook != NULL)
        fatal_hook();
    signal(sig, SIG_DFL);
    raise(sig);
}

void nnrt__block_fatal_signals(int block)
{
    static sigset_t old;
    if (block) {
        int sigs[MAX_FATAL], n = fatal_signals(sigs);
        sigset_t fatal;
        sigemptyset(&fatal);
        for (int k = 0; k < n; k++)
            sigaddset(&fatal, sigs[k]);
        sigprocmask(SIG_BLOCK, &fatal, &old);
    } else {
        sigprocmask(SIG_SETMASK, &old, NULL);
    }
}

void nnrt__catch_fatal_signals(int on, void (*hook)(void))
{
    static struct sigaction old[MAX_FATAL];
    static int caught[MAX_FATAL];
    int sigs[MAX_FATAL], n = fatal_signals(sigs);
    fatal_hook = on ? hook : NULL;
    for (int k = 0; k < n; k++) {
        if (!on) {
            if (caught[k])
                sigaction(sigs[k], &old[k], NULL);
            caught[k] = 0;
            continue;
        }
        /* An ignored signal stays ignored: nohup's SIGHUP, the SIGXFSZ that a write's EFBIG replaces. */
        if (caught[k] || sigaction(sigs[k], NULL, &old[k]) != 0 || old[k].sa_handler == SIG_IGN)
            continue;
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_fatal_signal;
        sigemptyset(&sa.sa_mask);
        caught[k] = sigaction(sigs[k], &sa, NULL) == 0;
    }
}

/*
 * An unnamed file in the directory of target, or -1 when the system or the
 * file system has none, or when /proc, by which it is named at the end,
 * is not there.  An output to an unnamed file has o->tmp "", the room for
 * the name it is linked in by, allocated at the start: putting a file in
 * place must not fail for memory, when another may be in place already.
 */
static int open_unnamed(const char *target)
{
#ifdef O_TMPFILE
    const char *slash = strrchr(target, '/');
    char *dir = dir_of(target, slash);
    int fd = dir != NULL ? open(dir, O_TMPFILE | O_WRONLY, 0600) : -1;
    free(dir);
    char self[64];
    snprintf(self, sizeof self, "/proc/self/fd/%d", fd);
    if (fd >= 0 && access(self, F_OK) != 0) {
        close(fd);
        fd = -1;
    }
    return fd;
#else
    (void)target;
    return -1;
#endif
}

static int is_unnamed(const struct nnrt__output *o)
{
    return o->tmp != NULL && o->tmp[0] == '\0';
}

/*
 * Names the complete unnamed file fd as target: linked in under a
 * temporary name beside it, in tmp (linkat will not replace a file),
 * which is then renamed over target, with every signal held off in
 * between.  Returns 0, or -1 with errno.
 */
static int name_unnamed(int fd, const char *target, char *tmp)
{
    size_t n = strlen(target);
    char self[64];
    snprintf(self, sizeof self, "/proc/self/fd/%d", fd);
    sigset_t all, old;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &old);
    int status = -1;
    for (int tries = 0; tries < 100 && status != 0; tries++) {
        /* A fresh unused name: mkstemp's, freed for the link. */
        memcpy(tmp, target, n);
        memcpy(tmp + n, ".tmpXXXXXX", sizeof ".tmpXXXXXX");
        int probe = mkstemp(tmp);
        if (probe < 0)
            break;
        close(probe);
        unlink(tmp);
        if (linkat(AT_FDCWD, self, AT_FDCWD, tmp, AT_SYMLINK_FOLLOW) == 0)
            status = 0;
        else if (errno != EEXIST)
            break;
    }
    if (status == 0 && rename(tmp, target) != 0) {
        int e = errno;
        unlink(tmp);
        errno = e;
        status = -1;
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
    tmp[0] = '\0';
    return status;
}

int nnrt__output_open(struct nnrt__output *o, const char *path, struct nnrt_error *err)
{
    o->f = NULL;
    o->tmp = o->target = NULL;
    struct stat st;
    int exists = stat(path, &st) == 0; /* through any links */
    if (exists && S_ISDIR(st.st_mode)) {
        nnrt__set_error(err, path, 0, 0, "cannot write '%s': %s", path, strerror(EISDIR));
        return -1;
    }
    if (exists && !S_ISREG(st.st_mode))
        return open_in_place(o, path, err);
    struct stat lst;
    if (lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode)) {
        /* A link to a file to be made (or a loop): the shell's way is all there is. */
        if (!exists)
            return open_in_place(o, path, err);
        o->target = realpath(path, NULL);
        if (o->target == NULL) {
            nnrt__set_error(err, path, 0, 0, "cannot write '%s': %s", path, strerror(errno));
            return -1;
        }
    } else {
        o->target = malloc(strlen(path) + 1);
        if (o->target != NULL)
            strcpy(o->target, path);
    }
    if (o->target == NULL) {
        nnrt__set_error(err, path, 0, 0, "out of memory writing '%s'", path);
        goto fail;
    }
    size_t n = strlen(o->target);
    o->tmp = malloc(n + sizeof ".tmpXXXXXX");
    if (o->tmp == NULL) {
        nnrt__set_error(err, path, 0, 0, "out of memory writing '%s'", path);
        goto fail;
    }
    o->tmp[0] = '\0';
    int fd = open_unnamed(o->target);
    if (fd < 0) {
        memcpy(o->tmp, o->target, n);
        memcpy(o->tmp + n, ".tmpXXXXXX", sizeof ".tmpXXXXXX");
        /* Made and known to the handler of fatal signals at once: none comes between. */
        nnrt__block_fatal_signals(1);
        fd = mkstemp(o->tmp);
        if (fd >= 0)
            live_add(o->tmp);
        nnrt__block_fatal_signals(0);
    }
    if (fd < 0) {
        nnrt__set_error(err, path, 0, 0, "cannot write '%s': %s", path, strerror(errno));
        goto fail;
    }
    /*
     * mkstemp makes the file 0600: give it the old file's permissions
     * (and owner, when we may), or a new file's.
     */
    if (exists) {
        /* Only root may give a file away; anyone else's new file is theirs, as with cp. */
        (void)!fchown(fd, st.st_uid, st.st_gid);
        fchmod(fd, st.st_mode & 07777);
    } else {
        mode_t mask = umask(0);
        umask(mask);
        fchmod(fd, 0666 & ~mask);
    }
    o->f = fdopen(fd, "w");
    if (o->f == NULL) {
        nnrt__set_error(err, path, 0, 0, "cannot write '%s': %s", path, strerror(errno));
        close(fd);
        if (!is_unnamed(o)) {
            unlink(o->tmp);
            live_drop(o->tmp);
        }
        goto fail;
    }
    return 0;

fail:
    free(o->tmp);
    free(o->target);
    o->tmp = o->target = NULL;
    return -1;
}

int nnrt__output_close(struct nnrt__output *o, const char *path, struct nnrt_error *err)
{
    int failed = ferror(o->f);
    /* An unnamed file is gone once closed: it is flushed here, and closed once named. */
    int unnamed = is_unnamed(o);
    if (unnamed ? fflush(o->f) != 0 : fclose(o->f) != 0)
        failed = 1;
    if (!unnamed)
        o->f = NULL;
    if (failed) {
        nnrt__set_error(err, path, 0, 0, "cannot write '%s': %s", path, strerror(errno));
        nnrt__output_abort(o);
        return -1;
    }
    return 0;
}

int nnrt__output_place(struct nnrt__output *o, const char *path, struct nnrt_error *err)
{
    if (is_unnamed(o)) {
        int failed = name_unnamed(fileno(o->f), o->target, o->tmp) != 0;
        int e = errno;
        fclose(o->f); /* written and flushed, and named or not: nothing left to lose */
        o->f = NULL;
        if (failed) {
            nnrt__set_error(err, path, 0, 0, "cannot write '%s': %s", path, strerror(e));
            nnrt__output_abort(o);
            return -1;
        }
    } else if (o->tmp != NULL && rename(o->tmp, o->target) != 0) {
        nnrt__set_error(err, path, 0, 0, "cannot write '%s': %s", path, strerror(errno));
        nnrt__output_abort(o);
        return -1;
    }
    live_drop(o->tmp);
    free(o->tmp);
    free(o->target);
    o->tmp = o->target = NULL;
    return 0;
}

int nnrt__output_commit(struct nnrt__output *o, const char *path, struct nnrt_error *err)
{
    if (nnrt__output_close(o, path, err) != 0)
        return -1;
    return nnrt__output_place(o, path, err);
}

void nnrt__output_abort(struct nnrt__output *o)
{
    if (o->f != NULL)
        fclose(o->f);
    if (o->tmp != NULL && !is_unnamed(o)) {
        unlink(o->tmp);
        live_drop(o->tmp);
    }
    free(o->tmp);
    free(o->target);
    o->f = NULL;
    o->tmp = o->target = NULL;
}
