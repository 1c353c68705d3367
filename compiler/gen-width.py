#!/usr/bin/python3
"""Writes compiler/width.c: the columns a character takes, from Python's
Unicode database.  The file it writes is committed; run it again
(python3 compiler/gen-width.py, from the top directory) to move to the
Unicode of a newer Python.

A character takes no column when it is a combining mark (Mn, Me), a format
character (Cf, but for the few that are seen) or a Hangul jamo vowel or
final consonant (U+1160-U+11FF, U+D7B0-U+D7FF), which join the syllable
before them; two columns when it is assigned and East Asian Wide or
Fullwidth (and in two blocks more); otherwise one.  These are the widths
GCC counts in its column numbers, by the same rules; they differ only
where GCC's tables come from another version of Unicode.
"""
import sys
import unicodedata


# Format characters that are seen: the soft hyphen, and the prepended
# concatenation marks (a number sign written over the digits after it).
SEEN_FORMAT = {0xAD, 0x600, 0x601, 0x602, 0x603, 0x604, 0x605, 0x6DD, 0x70F, 0x890, 0x891,
               0x8E2, 0x110BD, 0x110CD}
# Wide although not East Asian Wide: the circled numbers on black squares
# and the Yijing hexagrams, as GCC has them.
ALSO_WIDE = [(0x3248, 0x324F), (0x4DC0, 0x4DFF)]


def width(cp):
    ch = chr(cp)
    cat = unicodedata.category(ch)
    if cat in ("Mn", "Me") or (cat == "Cf" and cp not in SEEN_FORMAT):
        return 0
    if (0x1160 <= cp <= 0x11FF or 0xD7B0 <= cp <= 0xD7FF) and cat != "Cn":
        return 0
    if cat != "Cn" and unicodedata.east_asian_width(ch) in ("W", "F"):
        return 2
    if any(lo <= cp <= hi for lo, hi in ALSO_WIDE):
        return 2
    return 1


def ranges(want):
    out, start = [], None
    for cp in range(0x80, 0x110000 + 1):
        hit = cp <= 0x10FFFF and not 0xD800 <= cp <= 0xDFFF and width(cp) == want
        if hit and start is None:
            start = cp
        elif not hit and start is not None:
            out.append((start, cp - 1))
            start = None
    return out


def table(name, rs):
    lines = ["static const Range %s[] = {" % name]
    row = "   "
    for lo, hi in rs:
        item = " {0x%04X, 0x%04X}," % (lo, hi)
        if len(row) + len(item) > 99:
            lines.append(row)
            row = "   "
        row += item
    lines.append(row)
    lines.append("};")
    return "\n".join(lines)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "compiler/width.c"
    text = """\
/*
 * width.c: how many columns a character takes in a terminal, as GCC
 * counts them in a diagnostic's column.  Written by compiler/gen-width.py
 * from Unicode %s: edit that, not this.
 */
#include "nnc.h"
#include "nnrt_impl.h"

typedef struct {
    unsigned long lo, hi;
} Range;

/* Combining marks, format characters and Hangul jamo that join the syllable before. */
%s

/* East Asian Wide and Fullwidth characters. */
%s

static int in(const Range *r, size_t n, unsigned long cp)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cp < r[mid].lo)
            hi = mid;
        else if (cp > r[mid].hi)
            lo = mid + 1;
        else
            return 1;
    }
    return 0;
}

int char_width(unsigned long cp)
{
    if (cp < 0x80)
        return 1;
    if (in(zero, sizeof zero / sizeof zero[0], cp))
        return 0;
    return in(wide, sizeof wide / sizeof wide[0], cp) ? 2 : 1;
}

long utf8_decode(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t want = u[0] < 0x80 ? 1 : u[0] >= 0xf0 ? 4 : u[0] >= 0xe0 ? 3 : u[0] >= 0xc0 ? 2 : 0;
    if (want != n || u[0] > 0xf4)
        return -1;
    long cp = u[0] & (n == 1 ? 0x7f : 0x7f >> n);
    for (size_t i = 1; i < n; i++) {
        if ((u[i] & 0xc0) != 0x80)
            return -1;
        cp = cp << 6 | (u[i] & 0x3f);
    }
    return cp;
}

int utf8_width(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    /* What a diagnostic shows as '?' (a control, a bidirectional control) takes one column. */
    if (nnrt__showable(u, u + n) != (int)n)
        return 1;
    long cp = utf8_decode(s, n);
    return cp < 0 ? 1 : char_width((unsigned long)cp);
}
""" % (unicodedata.unidata_version, table("zero", ranges(0)), table("wide", ranges(2)))
    with open(out, "w") as f:
        f.write(text)


main()
