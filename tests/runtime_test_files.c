/*
 * runtime_test_files.c: runtime_test's tests of the runtime's files: CSV
 * data (nnrt_csv_read: headers, comments, byte order marks, and an error
 * at the right line and column for every way a file can be wrong) and
 * parameter files (nnrt_params_save and nnrt_params_load: exact round
 * trips, hand-written files, errors that leave the network unchanged,
 * saves that fail without harm, and input normalization).  They write
 * their files into DIR.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "nnrt.h"
#include "runtime_test.h"
#include "tap.h"

/*
 * The parameter functions, for a network with and without input
 * normalization, and no training progress (the only lines that need
 * changing if their arguments change again).
 */
#define params_save(net, nn, path, err) nnrt_params_save(net, nn, NULL, NULL, path, err)
#define params_load(net, nn, path, err) nnrt_params_load(net, nn, NULL, NULL, path, err)
#define params_save_norm(net, nn, norm, path, err) nnrt_params_save(net, nn, norm, NULL, path, err)
#define params_load_norm(net, nn, norm, path, err) nnrt_params_load(net, nn, norm, NULL, path, err)

/* ---- CSV ----------------------------------------------------------------- */

/* Files that read: comments, blank lines, headers, CRLF and byte order marks. */
static void test_csv_good(void)
{
    char p[512];
    struct nnrt_table t;
    struct nnrt_error err;
    memset(&err, 0, sizeof err);

    write_file(path_in(p, "good.csv"),
               "# a comment first\n"
               "weight,height,gender\n"
               "\n"
               "-2,-1,1\n"
               "   # an indented comment\n"
               "25, 6 ,0\n"
               "  \t\n"
               "17,4,0\r\n"
               "-15,-6,1.5e0");
    int r = nnrt_csv_read(p, 3, &t, &err);
    ok(r == 0, "good.csv reads (%s)", r == 0 ? "ok" : err.msg);
    ok(t.rows == 4 && t.cols == 3, "good.csv has 4 rows of 3 (got %d of %d)", t.rows, t.cols);
    if (r == 0 && t.rows == 4 && t.cols == 3) {
        static const double want[12] = {-2, -1, 1, 25, 6, 0, 17, 4, 0, -15, -6, 1.5};
        ok(memcmp(t.v, want, sizeof want) == 0, "good.csv values, header and comments skipped");
        ok(t.line[0] == 4 && t.line[1] == 6 && t.line[2] == 8 && t.line[3] == 9,
           "good.csv row lines are 4 6 8 9 (got %d %d %d %d)", t.line[0], t.line[1], t.line[2],
           t.line[3]);
    } else {
        ok(0, "good.csv values, header and comments skipped");
        ok(0, "good.csv row lines");
    }
    nnrt_table_free(&t);
    ok(t.rows == 0 && t.cols == 0 && t.v == NULL && t.line == NULL, "nnrt_table_free empties the table");

    /* cols 0: whatever the first row has. */
    write_file(path_in(p, "crlf.csv"), "a,b\r\n1,2\r\n3,4\r\n");
    r = nnrt_csv_read(p, 0, &t, &err);
    ok(r == 0 && t.rows == 2 && t.cols == 2 && t.v[0] == 1 && t.v[3] == 4,
       "CRLF lines read with cols 0");
    nnrt_table_free(&t);

    write_file(path_in(p, "noheader.csv"), "1,2\n3,4\n");
    r = nnrt_csv_read(p, 2, &t, &err);
    ok(r == 0 && t.rows == 2 && t.v[0] == 1, "a file without a header keeps its first row");
    nnrt_table_free(&t);

    /* A UTF-8 byte order mark, as spreadsheets write: skipped, before a row or a header. */
    write_file(path_in(p, "bom.csv"), "\xef\xbb\xbf" "1,2\n3,4\n");
    r = nnrt_csv_read(p, 2, &t, &err);
    ok(r == 0 && t.rows == 2 && t.v[0] == 1 && t.line[0] == 1,
       "a byte order mark before the first row is skipped (%s)", r == 0 ? "ok" : err.msg);
    nnrt_table_free(&t);
    write_file(path_in(p, "bomheader.csv"), "\xef\xbb\xbf" "x,y\n3,4\n");
    r = nnrt_csv_read(p, 2, &t, &err);
    ok(r == 0 && t.rows == 1 && t.v[0] == 3, "... and before a header");
    nnrt_table_free(&t);
    write_file(path_in(p, "bombad.csv"), "\xef\xbb\xbf" "1,x\n");
    r = nnrt_csv_read(p, 2, &t, &err);
    ok(r == -1 && err.line == 1 && err.col == 6,
       "... and a bad field after it is at 1:6, the mark's bytes counted (got %d:%d)", err.line, err.col);
}

/* Rows that are wrong: an error at the right line and column, with a message that says why. */
static void test_csv_bad_rows(void)
{
    char p[512];
    struct nnrt_table t;
    struct nnrt_error err;
    memset(&err, 0, sizeof err);
    int r;

    /* Wrong column count, with cols given and with cols 0. */
    write_file(path_in(p, "short.csv"), "x,y,z\n1,2,3\n4,5,6\n# c\n7,8\n9,10,11\n");
    memset(&err, 0, sizeof err);
    r = nnrt_csv_read(p, 3, &t, &err);
    ok(r == -1, "a row of 2 values where 3 are wanted is an error");
    ok(err.line == 5, "... on line 5 (got %d)", err.line);
    is_string(err.msg, "expected 3 values but found 2", "... message");
    is_string(err.file, p, "... names the file");
    ok(t.rows == 0 && t.v == NULL && t.line == NULL, "... and leaves the table empty");
    r = nnrt_csv_read(p, 0, &t, &err);
    ok(r == -1 && err.line == 5, "with cols 0, a row shorter than the first is an error on line 5");
    r = nnrt_csv_read(p, 2, &t, &err);
    ok(r == -1 && err.line == 2, "with cols 2, a first row of 3 is an error on line 2 (got %d)", err.line);
    is_string(err.msg, "expected 2 values but found 3", "... message");

    write_file(path_in(p, "long.csv"), "1,2\n3,4,5\n");
    r = nnrt_csv_read(p, 0, &t, &err);
    ok(r == -1 && err.line == 2, "a row longer than the first is an error on line 2");
    is_string(err.msg, "expected 2 values, as on line 1, but found 3", "... message, naming the line of the first");

    /* A non-number: line and column. */
    write_file(path_in(p, "word.csv"), "a,b,c\n1,2,3\n\n4, 5x,6\n");
    memset(&err, 0, sizeof err);
    r = nnrt_csv_read(p, 3, &t, &err);
    ok(r == -1, "a non-number in a row is an error");
    ok(err.line == 4 && err.col == 4, "... at line 4 column 4 (got %d:%d)", err.line, err.col);
    is_string(err.msg, "expected a number but found '5x'", "... message");

    /* Fields separated by something else: the message says so. */
    write_file(path_in(p, "semicolons.csv"), "x;y;z\n1;2;3\n");
    r = nnrt_csv_read(p, 0, &t, &err);
    ok(r == -1 && err.line == 2 && err.col == 1, "fields separated by ';' are an error at 2:1 (got %d:%d)",
       err.line, err.col);
    is_string(err.msg, "expected a number but found '1;2;3'; fields are separated by commas, not ';'",
              "... saying that fields are separated by commas");
    write_file(path_in(p, "tabs.csv"), "x\ty\tz\n1\t2\t3\n");
    r = nnrt_csv_read(p, 0, &t, &err);
    ok(r == -1 && err.line == 2 && strstr(err.msg, "; fields are separated by commas, not tabs") != NULL,
       "fields separated by tabs are an error on line 2, saying so (got '%s')", err.msg);

    /* A long field is quoted to 40 bytes, never cutting a UTF-8 character: x and 19 of 2 bytes. */
    write_file(path_in(p, "long_field.csv"),
               "1,x\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
               "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\n");
    r = nnrt_csv_read(p, 0, &t, &err);
    is_string(err.msg,
              "expected a number but found 'x\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
              "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9...'",
              "a long field is quoted in whole UTF-8 characters");

    write_file(path_in(p, "semicolon_line.csv"), "1;2;3\n");
    r = nnrt_csv_read(p, 0, &t, &err);
    ok(r == -1 && strstr(err.msg, "has no rows of data (its first line was taken for a header);"
                                  " fields are separated by commas, not ';'") != NULL,
       "one line of fields separated by ';' is a header and no rows, saying why (got '%s')", err.msg);
    write_file(path_in(p, "tab_line.csv"), "1\t2\t3\n");
    r = nnrt_csv_read(p, 0, &t, &err);
    ok(r == -1 && strstr(err.msg, "fields are separated by commas, not tabs") != NULL,
       "... and so is one line of fields separated by tabs (got '%s')", err.msg);

    write_file(path_in(p, "empty_field.csv"), "1,2,3\n4,,6\n");
    r = nnrt_csv_read(p, 3, &t, &err);
    ok(r == -1 && err.line == 2 && err.col == 3, "an empty field is an error at 2:3 (got %d:%d)",
       err.line, err.col);
    is_string(err.msg, "expected a number but found an empty field", "... message");

    write_file(path_in(p, "nan.csv"), "x,y\n1,nan\n");
    r = nnrt_csv_read(p, 2, &t, &err);
    ok(r == -1 && err.line == 2 && err.col == 3, "'nan' in a row is an error at 2:3");

    write_file(path_in(p, "twoheaders.csv"), "x,y\nu,v\n1,2\n");
    r = nnrt_csv_read(p, 2, &t, &err);
    ok(r == -1 && err.line == 2 && err.col == 1, "only the first line may be a header (error at 2:1)");
}

/* Files with no data, and files that cannot be read. */
static void test_csv_no_data(void)
{
    char p[512];
    struct nnrt_table t;
    struct nnrt_error err;
    memset(&err, 0, sizeof err);
    int r;

    /* No data. */
    write_file(path_in(p, "header_only.csv"), "weight,height,gender\n");
    memset(&err, 0, sizeof err);
    r = nnrt_csv_read(p, 3, &t, &err);
    ok(r == -1, "a CSV with only a header is an error");
    ok(strstr(err.msg, "no rows of data") != NULL, "... 'no rows of data' (got '%s')", err.msg);

    write_file(path_in(p, "empty.csv"), "");
    r = nnrt_csv_read(p, 3, &t, &err);
    ok(r == -1 && strstr(err.msg, "no rows of data") != NULL, "an empty CSV is an error");

    write_file(path_in(p, "comments.csv"), "# only\n\n# comments\n");
    r = nnrt_csv_read(p, 3, &t, &err);
    ok(r == -1 && strstr(err.msg, "no rows of data") != NULL, "a CSV of only comments is an error");

    /* Files that cannot be read. */
    path_in(p, "no-such-file.csv");
    memset(&err, 0, sizeof err);
    r = nnrt_csv_read(p, 3, &t, &err);
    ok(r == -1, "a missing CSV is an error");
    ok(strstr(err.msg, "cannot open") != NULL, "... 'cannot open' (got '%s')", err.msg);
    ok(strstr(err.msg, "no-such-file.csv") != NULL, "... naming the file");
    ok(err.line == 0, "... with no line");

    r = nnrt_csv_read(dir, 3, &t, &err);
    ok(r == -1 && strstr(err.msg, "cannot open") != NULL, "a directory as CSV is an error (got '%s')",
       err.msg);
}

void test_csv(void)
{
    test_csv_good();
    test_csv_bad_rows();
    test_csv_no_data();
}

/* ---- Parameter files ------------------------------------------------------ */

/*
 * The network is a neuron of 2 inputs whose descriptor nnc generates
 * (10-runtime.t compiles it in as three.c): 3 parameters named w1, w2, b1.
 * The tests treat its parameter struct as opaque, net->size bytes, and see
 * the values only through the files that nnrt_params_load reads and
 * nnrt_params_save writes, so that they do not depend on how a descriptor
 * reaches the parameters (which has changed more than once).
 */
extern const struct nnrt_net three_net;

static void *new_nn(void)
{
    void *nn = calloc(1, three_net.size);
    if (nn == NULL) {
        printf("Bail out! out of memory\n");
        exit(1);
    }
    return nn;
}

/* Sets nn to (w1, w2, b1), through a file of %.17g values (which read back exactly). */
static void set_nn(void *nn, double w1, double w2, double b1)
{
    char p[512], text[200];
    struct nnrt_error err;
    snprintf(text, sizeof text, "w1 %.17g\nw2 %.17g\nb1 %.17g\n", w1, w2, b1);
    write_file(path_in(p, "set.txt"), text);
    if (params_load(&three_net, nn, p, &err) != 0) {
        printf("Bail out! cannot set the parameters: %s\n", err.msg);
        exit(1);
    }
}

/* Reads the w1, w2, b1 lines of a saved file into v; returns 0 when each is there once. */
static int read_saved(const char *path, double v[3])
{
    static const char *const names[3] = {"w1", "w2", "b1"};
    int seen[3] = {0, 0, 0};
    char line[200], name[64], value[100];
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    while (fgets(line, sizeof line, f) != NULL) {
        if (line[0] == '#' || sscanf(line, "%63s %99s", name, value) != 2)
            continue;
        for (int i = 0; i < 3; i++)
            if (strcmp(name, names[i]) == 0) {
                v[i] = strtod(value, NULL);
                seen[i]++;
            }
    }
    fclose(f);
    return seen[0] == 1 && seen[1] == 1 && seen[2] == 1 ? 0 : -1;
}

/* Saves nn and reads its values back; 1 when (w1, w2, b1) are exactly the given ones. */
static int saved_is(const void *nn, double w1, double w2, double b1)
{
    char p[512];
    struct nnrt_error err;
    double v[3];
    if (params_save(&three_net, nn, path_in(p, "check.txt"), &err) != 0 || read_saved(p, v) != 0)
        return 0;
    return same_bits(v[0], w1) && same_bits(v[1], w2) && same_bits(v[2], b1);
}

/* Writes text to DIR/name and loads it into nn. */
static int load_text(void *nn, const char *name, const char *text, struct nnrt_error *err)
{
    char p[512];
    write_file(path_in(p, name), text);
    memset(err, 0, sizeof *err);
    return params_load(&three_net, nn, p, err);
}

/* Saves and loads that work: exact round trips, hand-written files. */
static void test_params_round_trips(void *a, void *b)
{
    const struct nnrt_net *net = &three_net;
    struct nnrt_error err;
    char p[512];

    ok(net->nparams == 3 && net->ninputs == 2, "the test network has 3 parameters and 2 inputs");

    set_nn(a, 0.1, -1.0 / 3, 1e-300);
    path_in(p, "params.txt");
    int r = params_save(net, a, p, &err);
    ok(r == 0, "save parameters (%s)", r == 0 ? "ok" : err.msg);
    char *text = slurp(p);
    ok(text != NULL && strstr(text, "\nw1 0.10000000000000001\nw2 -0.33333333333333331\nb1 1e-300\n") != NULL,
       "the saved file has 'name %%.17g' lines in parameter order");
    ok(text != NULL && strncmp(text, "# parameters of network three\n", 30) == 0,
       "the saved file starts with a comment naming the network");
    r = params_load(net, b, p, &err);
    ok(r == 0 && memcmp(a, b, net->size) == 0, "load gives back exactly what was saved");
    ok(count_entries(dir, "params.txt.tmp") == 0, "no temporary file is left after a save");

    /* Random values, many times. */
    struct nnrt_rng rng;
    nnrt_rng_seed(&rng, 5);
    int all = 1;
    for (int i = 0; i < 200; i++) {
        double w1 = nnrt_rng_normal(&rng), w2 = nnrt_rng_normal(&rng) * 1e-200,
               b1 = nnrt_rng_normal(&rng) * 1e200;
        set_nn(a, w1, w2, b1);
        all &= saved_is(a, w1, w2, b1);
    }
    ok(all, "200 random parameter sets round-trip exactly through load and save");

    /* Hand-written files: any order, comments, blanks, CRLF. */
    r = load_text(a, "hand.txt", "# mine\n\n  b1 3 # trailing comment\r\nw1\t1\nw2 -2.5e0\n", &err);
    ok(r == 0 && saved_is(a, 1, -2.5, 3),
       "a hand-written file in another order, with comments and CRLF, loads (%s)",
       r == 0 ? "ok" : err.msg);

    /* A UTF-8 byte order mark first is not part of the first name; columns count it. */
    r = load_text(a, "bom.txt", "\xef\xbb\xbfw1 1\nw2 2\nb1 3\n", &err);
    ok(r == 0 && saved_is(a, 1, 2, 3), "a file that starts with a byte order mark loads (%s)",
       r == 0 ? "ok" : err.msg);
    r = load_text(a, "bom.txt", "\xef\xbb\xbf w9 1\n", &err);
    ok(r == -1 && err.line == 1 && err.col == 5, "... and a bad name after it is at 1:5, in bytes (got %d:%d)",
       err.line, err.col);
}

/* Loads that fail leave nn as it was, and say where and why. */
static void test_params_bad_files(void *a, void *before)
{
    const struct nnrt_net *net = &three_net;
    struct nnrt_error err;
    char q[512];
    int r;

    /* Errors: nn unchanged, the right line and message. */
    set_nn(a, 11, 22, 33);
    memcpy(before, a, net->size);
    r = load_text(a, "missing.txt", "w1 1\nb1 3\n", &err);
    ok(r == -1 && memcmp(a, before, net->size) == 0, "a missing parameter is an error; nn unchanged");
    ok(strstr(err.msg, "has no value for parameter 'w2'") != NULL, "... naming it (got '%s')", err.msg);

    r = load_text(a, "dup.txt", "w1 1\nw2 2\n\nw1 1.5\nb1 3\n", &err);
    ok(r == -1 && memcmp(a, before, net->size) == 0, "a duplicate parameter is an error; nn unchanged");
    ok(err.line == 4, "... on line 4 (got %d)", err.line);
    is_string(err.msg, "parameter 'w1' given twice (first on line 1)", "... message");

    r = load_text(a, "unknown.txt", "w1 1\nw2 2\nb1 3\nw3 4\n", &err);
    ok(r == -1 && memcmp(a, before, net->size) == 0, "an unknown parameter is an error; nn unchanged");
    ok(err.line == 4 && err.col == 1, "... at 4:1 (got %d:%d)", err.line, err.col);
    is_string(err.msg, "unknown parameter 'w3'", "... message");

    static const char *const not_names[] = {"w", "b", "w0", "w01", "b2", "W1", "w1x", "x1"};
    for (size_t i = 0; i < sizeof not_names / sizeof not_names[0]; i++) {
        char t[64], want[64];
        snprintf(t, sizeof t, "w1 1\nw2 2\nb1 3\n  %s 4\n", not_names[i]);
        snprintf(want, sizeof want, "unknown parameter '%s'", not_names[i]);
        r = load_text(a, "notname.txt", t, &err);
        ok(r == -1 && err.line == 4 && err.col == 3 && strcmp(err.msg, want) == 0,
           "'%s' is not a parameter of this network (got %d:%d '%s')", not_names[i], err.line,
           err.col, err.msg);
    }

    r = load_text(a, "badnum.txt", "w1 1\nw2 2x\nb1 3\n", &err);
    ok(r == -1 && memcmp(a, before, net->size) == 0, "a bad number is an error; nn unchanged");
    ok(err.line == 2 && err.col == 4, "... at 2:4 (got %d:%d)", err.line, err.col);
    is_string(err.msg, "expected a finite number for 'w2' but found '2x'", "... message");

    r = load_text(a, "nanval.txt", "w1 nan\nw2 2\nb1 3\n", &err);
    ok(r == -1 && err.line == 1, "a NaN value is an error");
    r = load_text(a, "infval.txt", "w1 1\nw2 2\nb1 1e999\n", &err);
    ok(r == -1 && err.line == 3, "an infinite value is an error");
    r = load_text(a, "novalue.txt", "w1 1\nw2\nb1 3\n", &err);
    ok(r == -1 && err.line == 2, "a name without a value is an error");
    is_string(err.msg, "expected a value after 'w2'", "... message");
    r = load_text(a, "twovalues.txt", "w1 1 2\nw2 2\nb1 3\n", &err);
    ok(r == -1 && err.line == 1, "a name with two values is an error");
    r = load_text(a, "empty.txt", "", &err);
    ok(r == -1 && memcmp(a, before, net->size) == 0, "an empty parameter file is an error");
    ok(saved_is(a, 11, 22, 33), "after all these errors nn still holds 11, 22, 33");

    path_in(q, "no-such-params.txt");
    memset(&err, 0, sizeof err);
    r = params_load(net, a, q, &err);
    ok(r == -1 && strstr(err.msg, "cannot open") != NULL, "a missing parameter file is an error (got '%s')",
       err.msg);
}

/* Saves that fail, and harm nothing. */
static void test_params_failed_saves(void *a)
{
    const struct nnrt_net *net = &three_net;
    struct nnrt_error err;
    char p[512], q[512];
    int r;
    char *text;

    /* Saves that fail. */
    set_nn(a, 1, 2, 3);
    path_in(q, "no-such-dir/params.txt");
    memset(&err, 0, sizeof err);
    r = params_save(net, a, q, &err);
    ok(r == -1, "saving into a directory that does not exist is an error");
    ok(strstr(err.msg, "cannot write") != NULL && strstr(err.msg, "no-such-dir/params.txt") != NULL,
       "... 'cannot write' naming the file (got '%s')", err.msg);
    path_in(q, "no-such-dir");
    ok(!exists(q), "... and creates nothing");

    /* A save that fails at the rename: the target is a non-empty directory. */
    char sub[512], inside[512];
    path_in(sub, "keep");
    mkdir(sub, 0777);
    path_in(inside, "keep/file");
    write_file(inside, "precious\n");
    memset(&err, 0, sizeof err);
    r = params_save(net, a, sub, &err);
    ok(r == -1, "saving over a non-empty directory is an error");
    ok(strstr(err.msg, "cannot write") != NULL, "... 'cannot write' (got '%s')", err.msg);
    text = slurp(inside);
    ok(text != NULL && strcmp(text, "precious\n") == 0, "... the directory and its file are untouched");
    ok(count_entries(dir, "keep.tmp") == 0, "... and no temporary file is left behind");

    /*
     * A save that fails to make its temporary file beside an existing file
     * (name + ".tmpXXXXXX" is longer than a file name may be): the file stays.
     */
    char longname[251];
    memset(longname, 'p', 250);
    longname[250] = '\0';
    path_in(p, longname);
    write_file(p, "old contents\n");
    memset(&err, 0, sizeof err);
    r = params_save(net, a, p, &err);
    text = slurp(p);
    ok(r == -1 && strstr(err.msg, "cannot write") != NULL,
       "a save whose temporary file cannot be made is an error (got '%.60s')", err.msg);
    ok(text != NULL && strcmp(text, "old contents\n") == 0, "... and leaves the existing file untouched");
}

/* Input normalization in the file, and a save over an existing file. */
static void test_params_norm(void *a, void *b)
{
    const struct nnrt_net *net = &three_net;
    struct nnrt_error err;
    char p[512], q[512];
    int r;
    char *text;

    /* With input normalization: mean_x1, mean_x2, std_x1, std_x2 after the parameters. */
    double mean[2] = {2.5, -1}, sd[2] = {0.1, 3}, mean2[2] = {7, 7}, sd2[2] = {8, 8};
    struct nnrt_norm norm = {mean, sd}, norm2 = {mean2, sd2};
    path_in(p, "norm.txt");
    r = params_save_norm(net, a, &norm, p, &err);
    text = slurp(p);
    ok(r == 0 && text != NULL && strstr(text, "\nmean_x1 2.5\nmean_x2 -1\n") != NULL &&
           strstr(text, "\nstd_x1 0.10000000000000001\nstd_x2 3\n") != NULL,
       "a save with norm writes mean_x1, mean_x2, std_x1, std_x2");
    r = params_load_norm(net, b, &norm2, p, &err);
    ok(r == 0 && memcmp(a, b, net->size) == 0 && mean2[0] == 2.5 && mean2[1] == -1 && sd2[0] == 0.1 &&
           sd2[1] == 3,
       "a load with norm restores the parameters, the means and the deviations");
    r = params_load(net, b, p, &err);
    ok(r == -1 && strstr(err.msg, "'mean_x1'") != NULL,
       "mean_x1 is an unknown parameter for a network without norm (got '%s')", err.msg);
    r = params_load_norm(net, b, &norm2, path_in(q, "params.txt"), &err);
    ok(r == -1 && strstr(err.msg, "'mean_x1'") != NULL, "a load with norm wants mean_x1 (got '%s')",
       err.msg);
    mean2[0] = mean2[1] = 7;
    sd2[0] = sd2[1] = 8;
    write_file(path_in(p, "badstd.txt"),
               "w1 1\nw2 2\nb1 3\nmean_x1 0\nmean_x2 0\nstd_x1 1\nstd_x2 0\n");
    r = params_load_norm(net, b, &norm2, p, &err);
    ok(r == -1 && err.line == 7 && strstr(err.msg, "'std_x2'") != NULL && mean2[0] == 7 && sd2[0] == 8,
       "std_x2 0 is an error on line 7; norm unchanged (got %d '%s')", err.line, err.msg);

    /* A successful save replaces an existing file. */
    path_in(p, "existing.txt");
    write_file(p, "old contents\n");
    r = params_save(net, a, p, &err);
    text = slurp(p);
    ok(r == 0 && text != NULL && strncmp(text, "# parameters of network three\nw1 1\nw2 2\nb1 3\n", 45) == 0,
       "a save replaces an existing file");
}

void test_params(void)
{
    void *a = new_nn(), *b = new_nn(), *before = new_nn();

    test_params_round_trips(a, b);
    test_params_bad_files(a, before);
    test_params_failed_saves(a);
    test_params_norm(a, b);

    free(a);
    free(b);
    free(before);
}
