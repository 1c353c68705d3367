/*
 * build.c: --build and --run, nnc running the C compiler (and the program).
 *
 *   C text -> a temporary directory -> $CC with the runtime -> the program
 *   -> renamed over its target (--build), or run there (--run)
 *
 * The runtime (nnrt.h, libnnrt.a) is looked for beside nnc itself, so a
 * build tree and an installed nnc each find their own.  Whatever is made
 * along the way is removed at the end, and by a fatal signal too; while the
 * compiler or the program runs, a ^C is theirs to act on, and nnc cleans up
 * after them, as system() does.
 */
#include "nnc.h" /* first: it asks for POSIX */

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nnrt_impl.h"

const char *shown_path(const char *path)
{
    static char buf[4][NNRT__SHOWN_NAME];
    static int k;
    k = (k + 1) % 4;
    return nnrt__shown_name(buf[k], path);
}

char *program_name(const char *spec)
{
    const char *base = strrchr(spec, '/');
    base = base ? base + 1 : spec;
    size_t n = strlen(base);
    if (n > 3 && strcmp(base + n - 3, ".nn") == 0)
        n -= 3;
    char *name = malloc(n + 1);
    if (name != NULL) {
        memcpy(name, base, n);
        name[n] = '\0';
    }
    return name;
}

/* ---- Finding the runtime ------------------------------------------------- */

/* The directory of the running nnc, or "." when it cannot be found. */
static void exe_dir(char *dir, size_t size, const char *argv0)
{
    char path[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
    if (n > 0) {
        path[n] = '\0';
    } else if (argv0 != NULL && strchr(argv0, '/') != NULL && strlen(argv0) < sizeof path) {
        strcpy(path, argv0); /* the path it was run by */
    } else {
        snprintf(dir, size, ".");
        return;
    }
    char *slash = strrchr(path, '/');
    *slash = '\0';
    snprintf(dir, size, "%s", path[0] ? path : "/");
}

static int is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/*
 * Where nnrt.h and libnnrt.a are: beside nnc in the build tree
 * (compiler/nnc, runtime/), or under nnc's prefix once installed
 * (bin/nnc, include/, lib/).  Returns 0, or -1 with a message.
 */
static int find_runtime(const char *argv0, char *inc, char *lib, size_t size)
{
    char dir[PATH_MAX];
    exe_dir(dir, sizeof dir, argv0);
    static const char *const layouts[][2] = {
        {"%s/../runtime", "%s/../runtime"},
        {"%s/../include", "%s/../lib"},
    };
    for (int k = 0; k < 2; k++) {
        char h[PATH_MAX + 16], a[PATH_MAX + 16];
        snprintf(inc, size, layouts[k][0], dir);
        snprintf(lib, size, layouts[k][1], dir);
        snprintf(h, sizeof h, "%s/nnrt.h", inc);
        snprintf(a, sizeof a, "%s/libnnrt.a", lib);
        if (is_file(h) && is_file(a))
            return 0;
    }
    fprintf(stderr, "nnc: error: cannot find nnrt.h and libnnrt.a beside %s (in ../runtime, "
                    "or ../include and ../lib)\n", dir);
    return -1;
}

/* ---- Running the compiler and the program -------------------------------- */

static volatile pid_t running; /* the child that run() waits for, or 0 */

/* Runs argv; returns its exit status, or 127 (with a message) when it cannot run. */
static int run(char **argv)
{
    /* Both: the child would write what is buffered a second time. */
    fflush(stdout);
    fflush(stderr);
    /* A ^C is the child's to act on: nnc waits, then cleans up, as system() does. */
    void (*old_int)(int) = signal(SIGINT, SIG_IGN);
    void (*old_quit)(int) = signal(SIGQUIT, SIG_IGN);
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGINT, old_int == SIG_IGN ? SIG_IGN : SIG_DFL);
        signal(SIGQUIT, old_quit == SIG_IGN ? SIG_IGN : SIG_DFL);
        execvp(argv[0], argv);
        fprintf(stderr, "nnc: error: cannot run %s: %s\n", argv[0], strerror(errno));
        fflush(stderr); /* _exit does not, and stderr is buffered */
        _exit(127);
    }
    int status = 0, waited = (int)pid;
    if (pid < 0)
        fprintf(stderr, "nnc: error: cannot run %s: %s\n", argv[0], strerror(errno));
    else
        running = pid;
    while (pid > 0 && (waited = (int)waitpid(pid, &status, 0)) < 0 && errno == EINTR)
        continue;
    running = 0;
    signal(SIGINT, old_int);
    signal(SIGQUIT, old_quit);
    if (waited < 0)
        return 127;
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

/*
 * Compiles the C file csrc into the program exe with $CC (words split on
 * blanks; default cc).  Returns 0; 128 + the signal when a ^C or SIGQUIT
 * stopped the compiler; or 1 when it failed, having said so.
 */
static int cc(const char *argv0, const char *csrc, const char *exe)
{
    char inc[PATH_MAX], lib[PATH_MAX];
    if (find_runtime(argv0, inc, lib, sizeof inc) != 0)
        return 1;
    const char *env = getenv("CC");
    char *words = strdup(env != NULL && strspn(env, " \t") < strlen(env) ? env : "cc");
    if (words == NULL) {
        fprintf(stderr, "nnc: error: out of memory\n");
        return 1;
    }
    char *args[64];
    int n = 0;
    for (char *w = strtok(words, " \t"); w != NULL && n < 48; w = strtok(NULL, " \t"))
        args[n++] = w;
    char incflag[PATH_MAX + 2], libpath[PATH_MAX + 16];
    snprintf(incflag, sizeof incflag, "-I%s", inc);
    snprintf(libpath, sizeof libpath, "%s/libnnrt.a", lib);
    char *rest[] = {"-std=c99", "-O2", incflag, "-o", (char *)exe, (char *)csrc, libpath, "-lm", NULL};
    for (int i = 0; rest[i] != NULL; i++)
        args[n++] = rest[i];
    args[n] = NULL;
    int status = run(args);
    /* A ^C (or SIGQUIT) stopped it: nnc stops too, as the compiler's status says, without a word. */
    int stopped = status == 128 + SIGINT || status == 128 + SIGQUIT;
    if (status != 0 && !stopped)
        fprintf(stderr, "nnc: error: the C compiler (%s) failed with status %d\n", args[0], status);
    free(words); /* args[0] points into it */
    return stopped ? status : status != 0;
}

/* ---- What is made, and its removal ---------------------------------------- */

/*
 * What --build and --run have made, for a fatal signal to remove: the C,
 * the program being linked (or run), and the temporary directory; and the
 * child running, which it stops.
 */
static char made_c[PATH_MAX + 16], made_exe[PATH_MAX + 16], made_dir[PATH_MAX];

static void remove_made(void)
{
    /* The compiler or the program would go on alone, in a directory that is no more. */
    if (running > 0)
        kill(running, SIGTERM);
    if (made_exe[0] != '\0')
        unlink(made_exe);
    if (made_c[0] != '\0')
        unlink(made_c);
    if (made_dir[0] != '\0')
        rmdir(made_dir);
}

int check_program_output(const char *output)
{
    /* An ELF over C source (nnc --build x.nn -o x.c) would lose the source without a word. */
    static const char *const sources[] = {".c", ".h", ".nn"};
    size_t len = strlen(output);
    for (int k = 0; k < 3; k++) {
        size_t n = strlen(sources[k]);
        if (len > n && strcmp(output + len - n, sources[k]) == 0 && output[len - n - 1] != '/') {
            fprintf(stderr, "nnc: error: --build writes a program, not %s, so it will not write '%s' "
                            "(name the program without '%s', or leave out --build to write the C)\n",
                    k == 2 ? "a spec" : "C", shown_path(output), sources[k]);
            return 2;
        }
    }
    /* Said as plain -o says it, before the C compiler's linker says it its own way. */
    struct stat st;
    if (stat(output, &st) == 0 && S_ISDIR(st.st_mode)) {
        fprintf(stderr, "nnc: error: cannot write '%s': %s\n", shown_path(output), strerror(EISDIR));
        return 1;
    }
    return 0;
}

/*
 * Where --build links the program for target, into exe: beside it, to be
 * renamed over it, since a linker that fails has removed its output and
 * the old program must survive; a device (-o /dev/null) is linked to
 * directly.  The program gets a new program's mode, not the mode of the
 * file it replaces: that file may not have been a program (a data file's
 * 644 would leave ./prog "Permission denied").  Returns 0, or -1 with a
 * message.
 */
static int link_path(const char *target, char *exe, size_t size)
{
    struct stat st;
    snprintf(exe, size, "%s", target);
    int exists = stat(target, &st) == 0;
    if (!exists || S_ISREG(st.st_mode)) {
        snprintf(exe, size, "%s.tmpXXXXXX", target);
        int fd = mkstemp(exe);
        if (fd < 0) {
            fprintf(stderr, "nnc: error: cannot write '%s': %s\n", shown_path(target), strerror(errno));
            return -1;
        }
        close(fd);
    }
    return 0;
}

/*
 * --build and --run: the C goes to a temporary directory, and so does the
 * program for --run, which is run there with run_args and then removed.
 */
static int build(const char *argv0, const char *spec, const Buf *c_text, const char *output, char **run_args)
{
    const char *tmpdir = getenv("TMPDIR");
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s/nnc-XXXXXX", tmpdir != NULL && tmpdir[0] == '/' ? tmpdir : "/tmp");
    if (mkdtemp(dir) == NULL) {
        fprintf(stderr, "nnc: error: cannot make a temporary directory: %s\n", strerror(errno));
        return 1;
    }
    char *name = program_name(spec);
    char csrc[PATH_MAX + 16], exe[PATH_MAX + 16], target[PATH_MAX];
    snprintf(csrc, sizeof csrc, "%s/program.c", dir);
    mode_t mode = umask(0);
    umask(mode);
    mode = 0777 & ~mode; /* a new program's, as the linker would make it */
    if (run_args != NULL) {
        snprintf(exe, sizeof exe, "%s/%s", dir, name ? name : "a.out");
    } else {
        snprintf(target, sizeof target, "%s", output != NULL ? output : name ? name : "a.out");
        if (link_path(target, exe, sizeof exe) != 0) {
            rmdir(dir);
            free(name);
            return 1;
        }
    }
    /* From here a fatal signal removes what is made; while a child runs, nnc ignores ^C (run). */
    snprintf(made_dir, sizeof made_dir, "%s", dir);
    snprintf(made_c, sizeof made_c, "%s", csrc);
    if (run_args != NULL || strcmp(exe, target) != 0)
        snprintf(made_exe, sizeof made_exe, "%s", exe);
    nnrt__catch_fatal_signals(1, remove_made);
    int status = 1;
    FILE *f = fopen(csrc, "w");
    int written = f != NULL && fwrite(c_text->s, 1, c_text->len, f) == c_text->len;
    if (f == NULL || (fclose(f) != 0) | !written) {
        fprintf(stderr, "nnc: error: cannot write '%s': %s\n", shown_path(csrc), strerror(errno));
    } else if ((status = cc(argv0, csrc, exe)) == 0) {
        if (run_args != NULL) {
            run_args[0] = exe;
            status = run(run_args);
        } else if (strcmp(exe, target) != 0 && (chmod(exe, mode), rename(exe, target) != 0)) {
            fprintf(stderr, "nnc: error: cannot write '%s': %s\n", shown_path(target), strerror(errno));
            status = 1;
        }
    }
    if (run_args != NULL || strcmp(exe, target) != 0)
        unlink(exe);
    unlink(csrc);
    rmdir(dir);
    nnrt__catch_fatal_signals(0, NULL);
    made_exe[0] = made_c[0] = made_dir[0] = '\0';
    free(name);
    return status;
}

int build_program(const char *argv0, const char *spec, const Buf *c_text, const char *output)
{
    return build(argv0, spec, c_text, output, NULL);
}

int run_program(const char *argv0, const char *spec, const Buf *c_text, char **args)
{
    char *no_args[2] = {NULL, NULL};
    return build(argv0, spec, c_text, NULL, args != NULL ? args : no_args);
}
