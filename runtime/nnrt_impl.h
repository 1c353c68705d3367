/*
 * nnrt_impl.h: what the runtime's source files share and users do not see.
 * The names start with nnrt__ so that they cannot clash with a program's.
 */
#ifndef NNRT_IMPL_H
#define NNRT_IMPL_H

#include <stdio.h>

#include "nnrt.h"

#if defined(__GNUC__)
#define NNRT__PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define NNRT__PRINTF(f, a)
#endif

/* Parameter i of the network net in the parameter struct nn. */
static inline double nnrt__param_get(const struct nnrt_net *net, const void *nn, int i)
{
    return net->get(nn, i);
}

static inline void nnrt__param_set(const struct nnrt_net *net, void *nn, int i, double v)
{
    net->set(nn, i, v);
}

/* Fills err; line and col are 0 when they do not apply. */
/*
 * Reads a whole number from 0 to max: decimal digits, with an optional '+'
 * and blanks around them, as nnrt_parse_double allows.  Returns 0, or -1
 * when s is not one.
 */
int nnrt__parse_whole(const char *s, unsigned long long max, unsigned long long *out);

/*
 * The first of the values [from, to) of row that a network cannot take, or
 * -1: an infinity (an input normalized by a tiny loaded deviation), or, in
 * a network in single precision, a value past float's range.
 */
int nnrt__past_range(const double *row, int from, int to, int single);

/*
 * "input 2 is 1e+39: too large for precision float (...)" (after the value,
 * the text after), for value j of a row whose first ninputs values are
 * inputs, into buf.  Returns buf.
 */
const char *nnrt__too_large(char *buf, size_t size, int ninputs, int j, double v, const char *after, int single);

/* The name of value j of the optimizer's state (velocity_w1, m_w1, v_w1, ...). */
const char *nnrt__state_name(const struct nnrt_net *net, int j, char buf[40]);

/*
 * file's name as messages show it: past 100 bytes its first and last 48
 * with "..." between, and with '?' for what may not reach a terminal (as
 * nnrt__set_error shows it).  Returns out.
 */
#define NNRT__SHOWN_NAME 104
const char *nnrt__shown_name(char out[NNRT__SHOWN_NAME], const char *file);

void nnrt__set_error(struct nnrt_error *err, const char *file, int line, int col,
                     const char *fmt, ...) NNRT__PRINTF(5, 6);

/* The largest file that nnrt__read_file takes: specs, data and parameters. */
#define NNRT__MAX_FILE (256 << 20)

/*
 * The whole of path, NUL-terminated, its length in *len; NULL with err on
 * failure, and for a directory or anything longer than NNRT__MAX_FILE
 * bytes (a device like /dev/zero stops there too).  nnrt__read_file_max
 * takes up to max bytes instead.
 */
char *nnrt__read_file(const char *path, size_t *len, struct nnrt_error *err);
char *nnrt__read_file_max(const char *path, size_t max, size_t *len, struct nnrt_error *err);

/*
 * nnrt_csv_read's parse of text (len bytes and a NUL, read from path):
 * cuts text into its lines in place and leaves it to the caller to free.
 */
int nnrt__csv_parse(char *text, size_t len, const char *path, int cols, struct nnrt_table *t,
                    struct nnrt_error *err);

/*
 * The length of the UTF-8 character at s (before end), negated when a
 * terminal should not be sent it: an ASCII control, a C1 control or a
 * bidirectional control (which would reorder the rest of the line).  An
 * ill-formed or cut sequence is -1: its first byte alone.
 */
int nnrt__showable(const unsigned char *s, const unsigned char *end);

/*
 * How many of the n bytes at s a message quotes: at most max, and never
 * part of a UTF-8 character.
 */
static inline int nnrt__quote_len(const char *s, size_t n, size_t max)
{
    if (n <= max)
        return (int)n;
    while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
        max--;
    return (int)max;
}

/* 3 when s starts with a UTF-8 byte order mark (which some programs write first), or 0. */
static inline size_t nnrt__bom(const char *s)
{
    return s[0] == '\xef' && s[1] == '\xbb' && s[2] == '\xbf' ? 3 : 0;
}

/*
 * Cuts the next line off *rest (a NUL-terminated buffer, changed in
 * place): returns it without its "\n", "\r\n" or lone "\r" (old Mac
 * files), and moves *rest past it, to NULL after the last line.  Returns
 * NULL when *rest is NULL.
 */
char *nnrt__next_line(char **rest);

/*
 * An output file being written.  A regular file, or a new one, is written
 * to a temporary file beside it that is renamed over it once complete, so
 * that a failure leaves it as it was; the new file keeps the old one's
 * permissions.  Through a symbolic link it is the file that the link names
 * that is replaced; the link stays.  A device (/dev/null, /dev/stdout) or
 * a FIFO is written in place: renaming over it would replace the device or
 * the pipe itself.
 */
struct nnrt__output {
    FILE *f;      /* where to write */
    char *tmp;    /* the temporary file, or NULL when writing in place */
    char *target; /* the file that tmp becomes: path, or what its link names */
};

/* Opens path for writing, as above.  Returns 0, or -1 with err. */
int nnrt__output_open(struct nnrt__output *o, const char *path, struct nnrt_error *err);

/*
 * Closes o's file and, when it was written without an error, puts it in
 * place.  Returns 0, or -1 with err, having removed the temporary file.
 * nnrt__output_close and nnrt__output_place are its two halves, for a
 * writer of several files that renames none until all are written.
 */
int nnrt__output_commit(struct nnrt__output *o, const char *path, struct nnrt_error *err);
int nnrt__output_close(struct nnrt__output *o, const char *path, struct nnrt_error *err);
int nnrt__output_place(struct nnrt__output *o, const char *path, struct nnrt_error *err);

/* Closes o's file if it is open, and removes its temporary file. */
void nnrt__output_abort(struct nnrt__output *o);

/*
 * Removes the temporary files of the outputs being written, for a handler
 * of a signal that ends the program; async-signal-safe.  It knows the
 * first four open at once, opened from one thread.
 */
void nnrt__remove_temporaries(void);

/*
 * Catches (on) the signals that end a program (SIGINT, SIGTERM, SIGHUP,
 * SIGQUIT, SIGPIPE), but those that are ignored, so that they remove the
 * temporary files first, and call hook (async-signal-safe, or NULL); or
 * (off) gives them back the handlers they had.
 */
void nnrt__catch_fatal_signals(int on, void (*hook)(void));

/* Holds (block) those signals until unblocked, for steps that must not be parted; not nested. */
void nnrt__block_fatal_signals(int block);

/*
 * Do paths a and b name one regular file: the same path, one existing
 * file, or (when neither exists yet) one name in one directory?  Not for
 * NULL, nor for a device such as /dev/null, which loses nothing when it is
 * named twice.
 */
int nnrt__same_file(const char *a, const char *b);

#endif
