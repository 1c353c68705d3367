/*
 * runtime_test.h: what the files of runtime_test share: the scratch
 * directory and its helpers (runtime_test.c), and the groups of tests that
 * main runs in order (runtime_test_numbers.c, runtime_test_files.c).
 */
#ifndef RUNTIME_TEST_H
#define RUNTIME_TEST_H

/* DIR, the scratch directory for the CSV and parameter files. */
extern const char *dir;

/* DIR/name, written into buf. */
char *path_in(char buf[512], const char *name);

/* Writes text to path, or bails out. */
void write_file(const char *path, const char *text);

/* The whole of a small file, or NULL (in a buffer that the next call reuses). */
char *slurp(const char *path);

/* 1 when path exists. */
int exists(const char *path);

/* How many entries of directory d have a name starting with prefix. */
int count_entries(const char *d, const char *prefix);

/* 1 when a and b have the same bits. */
int same_bits(double a, double b);

/* Formatting and parsing numbers, and the random numbers (runtime_test_numbers.c). */
void test_format(void);
void test_format_file(const char *file);
void test_parse(void);
void test_rng(void);

/* CSV and parameter files (runtime_test_files.c). */
void test_csv(void);
void test_params(void);

#endif
