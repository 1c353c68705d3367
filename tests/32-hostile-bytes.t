#!/bin/sh
# Hostile bytes and files, and the command line: what nnc does with a NUL,
# invalid UTF-8, characters outside ASCII, CRLF and CR line ends, huge
# lines, names and numbers, missing or odd files and bad options.  Every input is generated into $tmp; every expected
# message is spelled out here, byte for byte.  Each run is under
# `timeout 10`, so that a hang shows as a failure (exit status 124), not as
# a stuck test.  Known-wrong behaviour is tested as TAP TODO.
. "$(dirname "$0")/lib.sh"

if [ ! -x "$NNC" ]; then
    echo "Bail out! compiler/nnc is not built (run make)"
    exit 1
fi

# Specs are named relative to $w, where nnc runs, so that messages are stable.
w="$tmp/w"
mkdir "$w"
cd "$w" || exit 1
printf '/* an existing output file: nnc must leave it alone */\n' > "$tmp/sentinel"

# rep STR N: STR N times.
rep() {
    i=0
    while [ "$i" -lt "$2" ]; do
        printf '%s' "$1"
        i=$((i + 1))
    done
}

# run ARGS...: runs nnc in $w with a fresh out.c there, for at most
# $limit seconds; sets $status.
limit=10
run() {
    cp "$tmp/sentinel" out.c
    timeout "$limit" "$NNC" "$@" > "$tmp/stdout" 2> "$tmp/stderr"
    status=$?
}

# expect DESC STATUS: after run, the exit status is STATUS, stderr is
# exactly $tmp/exp, stdout is empty, and out.c and the directory are as
# they were (nothing but out.c and the inputs).
expect() {
    if [ "$status" = 124 ]; then
        ok 1 "$1: exit status $2"
        echo "# timed out after $limit s"
    else
        is "$status" "$2" "$1: exit status $2"
    fi
    if cmp -s "$tmp/stderr" "$tmp/exp"; then
        ok 0 "$1: stderr"
    else
        ok 1 "$1: stderr"
        diff -u "$tmp/exp" "$tmp/stderr" | head -30 | sed 's/^/# /'
    fi
    if [ -s "$tmp/stdout" ]; then
        ok 1 "$1: nothing on stdout"
        head -c 300 "$tmp/stdout" | sed 's/^/# stdout: /'
    else
        ok 0 "$1: nothing on stdout"
    fi
    if cmp -s out.c "$tmp/sentinel" && [ -z "$(ls -A | grep -v -e '\.nn$' -e '^out\.c$' -e '^dir$' -e '^lf$' -e '^crlf$' -e '^cr\.csv$' -e '^nul\.csv$')" ]; then
        ok 0 "$1: out.c untouched, no file left"
    else
        ok 1 "$1: out.c untouched, no file left"
        echo "# $w holds: $(ls -A | tr '\n' ' ')"
    fi
}

# expect_ok DESC: after run, success: exit status 0, nothing on stderr, a new out.c.
expect_ok() {
    is "$status" 0 "$1: exit status 0"
    if [ -s "$tmp/stderr" ]; then
        ok 1 "$1: nothing on stderr"
        head -c 600 "$tmp/stderr" | sed 's/^/# stderr: /'
    else
        ok 0 "$1: nothing on stderr"
    fi
    if [ -s out.c ] && ! cmp -s out.c "$tmp/sentinel"; then
        ok 0 "$1: out.c written"
    else
        ok 1 "$1: out.c written"
    fi
}

# todo DESC STATUS REASON: a check of known-wrong behaviour (TAP TODO): reported, not counted.
todo() {
    test_count=$((test_count + 1))
    if [ "$2" -eq 0 ]; then
        echo "ok $test_count - $1 # TODO $3"
    else
        echo "not ok $test_count - $1 # TODO $3"
    fi
}

net='network n {\n    input 2\n    output 1 sigmoid\n}\n'

# ---- Bytes that are not text -----------------------------------------------

printf 'network n {\n    input 2\000\n    output 1 sigmoid\n}\n' > nul.nn
run nul.nn -o out.c
printf 'nul.nn:2:12: error: NUL byte in the spec\n     input 2?\n            ^\n' > "$tmp/exp"
expect "a NUL byte" 1

printf 'network n {\n    input 2 \377\n    output 1 sigmoid\n}\n' > ff.nn
run ff.nn -o out.c
printf 'ff.nn:2:13: error: invalid UTF-8 (byte 0xff); a spec must be UTF-8 text\n     input 2 ?\n             ^\n' > "$tmp/exp"
expect "a lone 0xff byte" 1

printf 'network n {\n    input 2  # caf\303\n    output 1 sigmoid\n}\n' > truncated.nn
run truncated.nn -o out.c
printf 'truncated.nn:2:19: error: invalid UTF-8 (byte 0xc3); a spec must be UTF-8 text\n     input 2  # caf?\n                   ^\n' > "$tmp/exp"
expect "a truncated UTF-8 sequence (0xc3 then a newline)" 1

printf 'network n {\n    input 2\n    output 1 sigmoid\n}\n# the end: caf\303' > truncated-eof.nn
run truncated-eof.nn -o out.c
printf 'truncated-eof.nn:5:15: error: invalid UTF-8 (byte 0xc3); a spec must be UTF-8 text\n # the end: caf?\n               ^\n' > "$tmp/exp"
expect "a truncated UTF-8 sequence at the end of the file" 1

printf 'network n {\n    input 2  # a slash: \300\257\n    output 1 sigmoid\n}\n' > overlong.nn
run overlong.nn -o out.c
printf 'overlong.nn:2:25: error: invalid UTF-8 (byte 0xc0); a spec must be UTF-8 text\n     input 2  # a slash: ??\n                         ^\n' > "$tmp/exp"
expect "an overlong encoding (0xc0 0xaf for '/')" 1

printf 'network n {\n    input 2  # \340\200\257\n    output 1 sigmoid\n}\n' > overlong3.nn
run overlong3.nn -o out.c
printf 'overlong3.nn:2:16: error: invalid UTF-8 (byte 0xe0); a spec must be UTF-8 text\n     input 2  # ???\n                ^\n' > "$tmp/exp"
expect "a 3-byte overlong encoding" 1

printf 'network n {\n    input 2  # \355\240\200\n    output 1 sigmoid\n}\n' > surrogate.nn
run surrogate.nn -o out.c
printf 'surrogate.nn:2:16: error: invalid UTF-8 (byte 0xed); a spec must be UTF-8 text\n     input 2  # ???\n                ^\n' > "$tmp/exp"
expect "a UTF-16 surrogate (U+D800) in UTF-8" 1

printf 'network n {\n    input 2  # \364\220\200\200\n    output 1 sigmoid\n}\n' > past-max.nn
run past-max.nn -o out.c
printf 'past-max.nn:2:16: error: invalid UTF-8 (byte 0xf4); a spec must be UTF-8 text\n     input 2  # ????\n                ^\n' > "$tmp/exp"
expect "a code point past U+10FFFF" 1

# Control characters: each one an error, shown as '?' in the quoted line.
printf 'network n {\n    input 2\001\n    output 1 sigmoid\177\n}\n' > control.nn
run control.nn -o out.c
printf '%s\n' "control.nn:2:12: error: unexpected byte 0x01" "     input 2?" "            ^" \
    "control.nn:3:21: error: unexpected byte 0x7f" "     output 1 sigmoid?" "                     ^" > "$tmp/exp"
expect "control characters 0x01 and 0x7f" 1

# Form feed and vertical tab, which C and Python take as blanks.
printf 'network n {\n    input 2\n    output 1 sigmoid\n}\f\v\n' > formfeed.nn
run formfeed.nn -o out.c
printf '%s\n' "formfeed.nn:4:2: error: unexpected byte 0x0c (and more after it)" " }??" "  ^" > "$tmp/exp"
expect "a form feed and a vertical tab" 1

# A bad field in a CSV file with CR line ends: reported at its line and
# column in the CSV, with that line shown, and a note at the spec's name for it.
printf '1,2,1\r3,x,0\r5,6,1\r' > cr.csv
printf 'network n {\n    input 2\n    output 1 sigmoid\n}\ndata "cr.csv"\n' > crdata.nn
run crdata.nn -o out.c
printf '%s\n' "cr.csv:2:3: error: expected a number but found 'x'" " 3,x,0" "   ^" \
    "crdata.nn:5:6: note: in the file named here" ' data "cr.csv"' "      ^" > "$tmp/exp"
expect "a bad field in a CSV file with CR line ends" 1

# A NUL byte in a CSV file: at its own line and column, shown as '?' in
# the line, which goes on past it.
printf '1,2,1\n3,4\0000,1\n' > nul.csv
printf 'network n {\n    input 2\n    output 1 sigmoid\n}\ndata "nul.csv"\n' > nuldata.nn
run nuldata.nn -o out.c
printf '%s\n' "nul.csv:2:4: error: NUL byte in a CSV file" " 3,4?0,1" "    ^" \
    "nuldata.nn:5:6: note: in the file named here" ' data "nul.csv"' "      ^" > "$tmp/exp"
expect "a NUL byte in a CSV file" 1

# A CSV file that starts with a UTF-8 byte order mark, as spreadsheets
# write: skipped, and taking no column before a bad field on that line.
printf '\357\273\2771,2,1\n3,4,0\n' > bom.csv
printf 'network n {\n    input 2\n    output 1 sigmoid\n}\ndata "bom.csv"\n' > bomdata.nn
run bomdata.nn -o out.c
is "$status" 0 "a CSV file that starts with a byte order mark: compiled"
grep -q '^ *1\.0, 2\.0, 1\.0,$' out.c
ok $? "... with its first row"
printf '\357\273\2771,x,1\n' > bom.csv
run bomdata.nn -o out.c
printf '%s\n' "bom.csv:1:3: error: expected a number but found 'x'" " $(printf '\357\273\277')1,x,1" "   ^" \
    "bomdata.nn:5:6: note: in the file named here" ' data "bom.csv"' "      ^" > "$tmp/exp"
rm -f bom.csv
expect "a bad field after a byte order mark" 1

# A CSV file that is a pipe, which can be read only once: the error is
# reported with its line all the same, and nnc does not hang.
mkfifo fifo.csv
(timeout 20 sh -c "printf '1,2,1\\n3,x,0\\n' > fifo.csv" > /dev/null 2>&1 &)
printf 'network n {\n    input 2\n    output 1 sigmoid\n}\ndata "fifo.csv"\n' > fifo.nn
run fifo.nn -o out.c
rm -f fifo.csv
printf '%s\n' "fifo.csv:2:3: error: expected a number but found 'x'" " 3,x,0" "   ^" \
    "fifo.nn:5:6: note: in the file named here" ' data "fifo.csv"' "      ^" > "$tmp/exp"
expect "a bad field in a CSV file that is a pipe" 1

# Valid UTF-8 in comments: accepted, and the C is the same as with ASCII comments.
mkdir -p dir/ascii dir/utf8
printf '# Caf\303\251 \342\202\254 \360\237\230\200 \316\273\n%b# \344\270\255\346\226\207\n' "$net" > dir/utf8/spec.nn
printf '# Cafe EUR smile lambda\n%b# zhongwen\n' "$net" > dir/ascii/spec.nn
(cd dir/utf8 && timeout 10 "$NNC" spec.nn -o out.c 2> "$tmp/stderr")
is "$?:$(cat "$tmp/stderr")" "0:" "valid UTF-8 in comments: accepted"
(cd dir/ascii && timeout 10 "$NNC" spec.nn -o out.c)
cmp -s dir/utf8/out.c dir/ascii/out.c
ok $? "valid UTF-8 in comments: the same C as with ASCII comments"
rm -rf dir

# Valid UTF-8 outside comments: characters that look like the language's.
# A UTF-8 byte order mark, which some editors write first: skipped.
printf '\357\273\277%b' "$net" > bom.nn
timeout 10 "$NNC" bom.nn -o bom.c 2> "$tmp/stderr"
is "$?:$(cat "$tmp/stderr")" "0:" "a UTF-8 byte order mark is skipped"
rm -f bom.c

# Named by code point; a look-alike gets the ASCII meant, when the language has it.
printf 'network n {\n    input\302\2402\n    output 1 sigmoid\n}\n' > nbsp.nn
run nbsp.nn -o out.c
printf 'nbsp.nn:2:10: error: unexpected character U+00A0 (no-break space); use an ordinary space\n     input\302\2402\n          ^\n' > "$tmp/exp"
expect "a no-break space between words" 1

printf '%bdata {\n    1 2 \342\206\222 1\n}\n' "$net" > arrow.nn
run arrow.nn -o out.c
# One error: the parser goes on as if the arrow were '->'.
printf '%s\n' \
    "arrow.nn:6:9: error: unexpected character U+2192 (rightwards arrow); did you mean '->'?" \
    "     1 2 $(printf '\342\206\222') 1" \
    "         ^" > "$tmp/exp"
expect "a Unicode arrow for '->'" 1
# So with a fullwidth brace, and the data after it is read.
printf 'network n \357\275\233\n    input 2\n    output 1 sigmoid\n}\ndata { 1 2 x -> 1 }\n' > brace.nn
run brace.nn -o out.c
printf '%s\n' \
    "brace.nn:1:11: error: unexpected character U+FF5B (fullwidth '{'); did you mean '{'?" \
    " network n $(printf '\357\275\233')" \
    "           ^" \
    "brace.nn:5:12: error: expected '->' or a number or '}' or ',' but found 'x'" \
    " data { 1 2 x -> 1 }" \
    "            ^" > "$tmp/exp"
expect "a fullwidth '{' for '{'" 1
# Not within a run: two arrows are one error, and the parser's own.
printf '%bdata {\n    1 2 \342\206\222\342\206\222 1\n}\n' "$net" > arrows.nn
run arrows.nn -o out.c
like "$(head -1 "$tmp/stderr")" "^arrows.nn:6:5: error: expected '->' between" \
    "two arrows in a row are not taken for one '->'"

# A run of bad characters is one error, ASCII or not, about the first.
printf 'network n {\n    input 2 \342\200\234\342\200\235@\n    output 1 sigmoid\n}\n' > run.nn
run run.nn -o out.c
printf '%s\n' \
    "run.nn:2:13: error: unexpected character U+201C (left double quotation mark) (and more after it); did you mean '\"'?" \
    "     input 2 $(printf '\342\200\234\342\200\235')@" \
    "             ^" > "$tmp/exp"
expect "a run of curly quotes and '@'" 1
printf 'network n {\n    input 2 @\342\210\222\n    output 1 sigmoid\n}\n' > run.nn
run run.nn -o out.c
printf '%s\n' \
    "run.nn:2:13: error: unexpected character '@' (and more after it)" \
    "     input 2 @$(printf '\342\210\222')" \
    "             ^" > "$tmp/exp"
expect "a run of '@' and a minus sign" 1

# A byte order mark in the middle is skipped too, even beside a bad character.
# It takes no column (it is a format character, as GCC counts), so the
# minus sign after "    input 2 " is at column 13.
printf 'network n {\n    input 2 \357\273\277\342\210\222\357\273\277\n    output 1 sigmoid\n}\n' > run.nn
run run.nn -o out.c
printf '%s\n' \
    "run.nn:2:13: error: unexpected character U+2212 (minus sign); did you mean '-'?" \
    "     input 2 $(printf '\357\273\277\342\210\222\357\273\277')" \
    "             ^" > "$tmp/exp"
expect "a minus sign between byte order marks" 1

# Characters of 2, 3 and 4 bytes with no ASCII look-alike: the code point and the character.
# Columns as GCC counts them: the lambda takes one, the CJK character two
# (East Asian wide), so the emoji is at 12 + 1 + 1 + 2 + 1 + 1 = column 18.
line='     input 2 \316\273 \344\270\255 \360\237\230\200\n'
printf "network n {\n    input 2 \316\273 \344\270\255 \360\237\230\200\n    output 1 sigmoid\n}\n" > other.nn
run other.nn -o out.c
{
    printf "other.nn:2:13: error: unexpected character U+03BB '\316\273'\n$line             ^\n"
    printf "other.nn:2:15: error: unexpected character U+4E2D '\344\270\255'\n$line               ^\n"
    printf "other.nn:2:18: error: unexpected character U+1F600 '\360\237\230\200'\n$line                  ^\n"
} > "$tmp/exp"
expect "a Greek letter, a CJK character and an emoji" 1

# Columns count as GCC's do.  After a string holding one character, the
# column of a stray '@' shows how many columns nnc gives the character, and
# GCC is asked the same of a C file.  By hand: e with an acute accent, the
# soft hyphen, the euro sign, Thai sara am and a regional indicator take
# one; a combining acute, a zero-width space, U+FEFF, a Hangul jamo vowel
# and a combining ideographic tone mark (wide, but a mark) take none; a CJK
# ideograph, a Hangul syllable, a fullwidth colon, the ideographic space,
# an emoji and an angle bracket of East Asian width take two.  Three that
# GCC counts by rules of its own: the Arabic number sign (a format
# character that is seen) takes one, a Yijing hexagram two, and a Hangul
# jamo vowel of the extended block none.
widths='U+00E9:303251:1 U+00AD:302255:1 U+20AC:342202254:1 U+0E33:340270263:1
        U+1F1E6:360237207246:1 U+0301:314201:0 U+200B:342200213:0 U+FEFF:357273277:0
        U+1160:341205240:0 U+302A:343200252:0 U+4E2D:344270255:2 U+D55C:355225234:2
        U+FF1A:357274232:2 U+3000:343200200:2 U+1F600:360237230200:2 U+2329:342214251:2
        U+0600:330200:1 U+4DC0:344267200:2 U+D7B0:355236260:0'
for entry in $widths; do
    cp=${entry%%:*}
    want=${entry##*:}
    octal=${entry#*:}
    octal=${octal%:*}
    ch=$(printf "$(echo "$octal" | sed 's/.../\\&/g')")
    printf 'network n {\n    input 2 "%s" @\n    output 1 sigmoid\n}\n' "$ch" > width.nn
    run width.nn -o out.c
    # "    input 2 " is 12 columns, then the quotes and a blank: '@' at 16 + width.
    col=$(sed -n "s/^width\.nn:2:\([0-9]*\): error: unexpected character '@'.*/\1/p" "$tmp/stderr")
    is "$((${col:-0} - 16))" "$want" "$cp: $want in nnc's count of columns"
    gcol=
    if command -v gcc > /dev/null 2>&1; then
        printf 'const char *s = "%s"; int x = @;\n' "$ch" > width.c
        gcol=$(LC_ALL=C gcc -fsyntax-only -fdiagnostics-plain-output width.c 2>&1 |
               sed -n "s/^width\.c:1:\([0-9]*\): error: stray '@'.*/\1/p" | head -1)
        rm -f width.c
    fi
    # "const char *s = " is 16 columns, then the quotes and "; int x = ": '@' at 29 + width.
    if [ -n "$gcol" ]; then
        is "$((gcol - 29))" "$want" "$cp: $want in GCC's count too"
    else
        skip "no gcc that reports a stray '@' with -fdiagnostics-plain-output"
    fi
done
cp "$tmp/sentinel" out.c

# A line wider than 160 columns is shown as a window of 120 around the
# caret, and a wide character cut by the window's left edge is shown as a
# blank.  Here 40 blanks, `data "`, 60 CJK characters, `.csv"`, two blanks
# and '@': the quote is at column 46, the characters take 47 to 166, and
# '@' is at 174 (of 174).  The window starts after column 113, inside the
# 34th character (columns 113 and 114): "...", a blank for its second
# half, the other 26, `.csv"  @`; the caret 3 + 1 + 52 + 5 + 2 = 63
# columns in.
zhong=$(printf '\344\270\255')
cjk=$(rep "$zhong" 60)
printf 'ok\n1,2,1\n' > "$cjk.csv"
printf 'network n {\n    input 2\n    output 1 sigmoid\n}\n%40sdata "%s.csv"  @\n' "" "$cjk" > wide.nn
run wide.nn -o out.c
rm -f "$cjk.csv"
{
    echo "wide.nn:5:174: error: unexpected character '@'"
    printf ' ... %s.csv"  @\n' "$(rep "$zhong" 26)"
    printf ' %63s^\n' ""
} > "$tmp/exp"
expect "a wide character cut by the left edge of the window" 1

# At the right edge of the window, a wide character cut in two is a blank
# too.  A CSV line of "1,2,x" and 100 CJK characters: the caret is at 5,
# so the window is columns 1 to 120; the 58th character takes 120 and 121.
cjk=$(rep "$zhong" 100)
printf '1,2,1\n1,2,x%s\n' "$cjk" > right.csv
printf 'network n {\n    input 2\n    output 1 sigmoid\n}\ndata "right.csv"\n' > right.nn
run right.nn -o out.c
rm -f right.csv
{
    # The message quotes at most 40 bytes of the field, in whole characters: x and 13 of 3 bytes.
    printf '%s\n' "right.csv:2:5: error: expected a number but found 'x$(rep "$zhong" 13)...'"
    printf ' 1,2,x%s ...\n' "$(rep "$zhong" 57)"
    printf '     ^\n'
    printf '%s\n' "right.nn:5:6: note: in the file named here" ' data "right.csv"' "      ^"
} > "$tmp/exp"
expect "a wide character cut by the right edge of the window" 1

# A character of no width just inside the left edge belongs to one
# outside: it is left out.  187 a's, then e and a combining acute accent,
# 58 b's: the caret is at column 266 ('@'), the window starts after 205,
# where the accent is.
a=$(rep a 187)
b=$(rep b 58)
printf 'network n {\n    input 2 "%se\314\201%s" @\n    output 1 sigmoid\n}\n' "$a" "$b" > edge.nn
run edge.nn -o out.c
grep -A2 "'@'" "$tmp/stderr" | sed -n 2p > "$tmp/got"
printf ' ...%s" @\n' "$b" > "$tmp/want"
cmp -s "$tmp/got" "$tmp/want"
ok $? "a combining mark at the left edge of the window is left out with its letter"

# compiler/width.c is what compiler/gen-width.py writes, when this Python
# has the same version of Unicode.
version=$(python3 -c 'import unicodedata; print(unicodedata.unidata_version)' 2> /dev/null)
if [ -n "$version" ] && grep -q "from Unicode $version:" "$top/compiler/width.c"; then
    (cd "$top" && python3 compiler/gen-width.py "$tmp/width.c") &&
        cmp -s "$tmp/width.c" "$top/compiler/width.c"
    ok $? "compiler/width.c is what compiler/gen-width.py writes from Unicode $version"
else
    skip "no python3 with the Unicode of compiler/width.c"
fi

printf '%bpredict {\n    em\303\257ly: -7 -3\n}\n' "$net" > accent.nn
run accent.nn -o out.c
{
    printf 'accent.nn:6:7: error: unexpected character U+00EF '"'"'\303\257'"'"'\n'
    printf '     em\303\257ly: -7 -3\n       ^\n'
    printf '%s\n' "accent.nn:6:8: error: expected ':' but found 'ly'"
    printf '     em\303\257ly: -7 -3\n        ^\n'
} > "$tmp/exp"
expect "an accented letter in a name" 1

# ---- Line endings ------------------------------------------------------------

# same_as_lf DIR LABEL [OPTIONS]: lf/tutorial.nn and DIR/tutorial.nn, the
# same spec with other line ends (LABEL), compile with OPTIONS to the same
# C and header, with nothing on stderr.
same_as_lf() {
    local dir=$1 label=$2 opts=$3
    (cd lf && timeout 10 "$NNC" tutorial.nn -o out.c --header out.h $opts)
    ok $? "specs/tutorial.nn with LF compiles ${opts:-(no options)}"
    (cd "$dir" && timeout 10 "$NNC" tutorial.nn -o out.c --header out.h $opts 2> "$tmp/stderr")
    ok $? "specs/tutorial.nn with $label compiles ${opts:-(no options)}"
    is "$(cat "$tmp/stderr")" "" "$label ${opts:-(no options)}: nothing on stderr"
    cmp -s lf/out.c "$dir/out.c"
    ok $? "$label ${opts:-(no options)}: the C is byte-identical to LF's"
    cmp -s lf/out.h "$dir/out.h"
    ok $? "$label ${opts:-(no options)}: the header is byte-identical to LF's"
}

# CRLF: the same C as LF, from files of the same name in two directories.
mkdir lf crlf
cp "$top/specs/tutorial.nn" lf/tutorial.nn
awk '{ printf "%s\r\n", $0 }' lf/tutorial.nn > crlf/tutorial.nn
same_as_lf crlf CRLF

# CRLF with errors: the same messages as LF, no '\r' in the quoted lines.
printf 'network n {\n    input 2\n    hidden 2 sigmod\n    output 1 sigmoid\n    epochs -1\n}\n' > lf/bad.nn
awk '{ printf "%s\r\n", $0 }' lf/bad.nn > crlf/bad.nn
(cd lf && timeout 10 "$NNC" bad.nn -o out.c 2> "$tmp/lf.err")
(cd crlf && timeout 10 "$NNC" bad.nn -o out.c 2> "$tmp/stderr")
is "$?" 1 "CRLF with errors: exit status 1"
if cmp -s "$tmp/stderr" "$tmp/lf.err" && [ "$(grep -c error: "$tmp/stderr")" = 2 ]; then
    ok 0 "CRLF with errors: the same 2 messages as LF"
else
    ok 1 "CRLF with errors: the same 2 messages as LF"
    diff -u "$tmp/lf.err" "$tmp/stderr" | cat -A | sed 's/^/# /'
fi
rm -rf lf crlf

# Old Mac line ends (CR alone): a line end, as in GCC.  The same C as LF,
# with --line-directives too, whose line numbers come from the lexer.
mkdir lf cr
cp "$top/specs/tutorial.nn" lf/tutorial.nn
tr '\n' '\r' < lf/tutorial.nn > cr/tutorial.nn
for opts in "" "--line-directives"; do
    same_as_lf cr "CR alone" "$opts"
done
grep -q '^#line [0-9]* "tutorial.nn"$' cr/out.c && ! grep -q '^#line 1 "tutorial.nn"$' cr/out.c
ok $? "CR alone: #line directives name the spec's lines (none is line 1, a comment)"
rm -rf lf cr

# CR alone with errors: the right lines, each line shown alone.
printf 'network n {\r    input 2  # a comment ends at CR\r\r    output 1 sigmod\r    epochs -1\r}\r' > cr.nn
run cr.nn -o out.c
printf '%s\n' "cr.nn:4:14: error: unknown activation 'sigmod'; did you mean 'sigmoid'?" \
    "     output 1 sigmod" \
    "              ^" \
    "cr.nn:5:12: error: epochs must be at least 0 but is -1" \
    "     epochs -1" \
    "            ^" > "$tmp/exp"
expect "CR-only line ends" 1

# LF, CRLF and CR alone in one file: each is one line end.
printf 'network n {\n    input 2\r\n    hidden 2 sigmod\r    output 1 sigmoid\n    epochs -1\r\n}\n' > mixed.nn
run mixed.nn -o out.c
printf '%s\n' "mixed.nn:3:14: error: unknown activation 'sigmod'; did you mean 'sigmoid'?" \
    "     hidden 2 sigmod" \
    "              ^" \
    "mixed.nn:5:12: error: epochs must be at least 0 but is -1" \
    "     epochs -1" \
    "            ^" > "$tmp/exp"
expect "LF, CRLF and CR alone mixed" 1

# A string ends at a CR alone as at any line end.
printf '%bdata "train.csv\rtest "t.csv"\r' "$(printf '%b' "$net" | tr '\n' '\r')" > cr.nn
run cr.nn -o out.c
printf '%s\n' \
    "cr.nn:5:6: error: unterminated string: expected '\"' before the end of the line" \
    ' data "train.csv' \
    '      ^' \
    "cr.nn:5:6: error: expected a file name between the quotes" \
    ' data "train.csv' \
    '      ^' \
    "cr.nn:6:6: error: cannot open 't.csv': No such file or directory" \
    ' test "t.csv"' \
    '      ^' > "$tmp/exp"
expect "an unterminated string before a CR alone" 1

# The check of the bytes counts a CR alone as a line end too.
printf 'network n {\r    input 2 \377\r    output 1 sigmoid\r}\r' > cr.nn
run cr.nn -o out.c
printf 'cr.nn:2:13: error: invalid UTF-8 (byte 0xff); a spec must be UTF-8 text\n     input 2 ?\n             ^\n' > "$tmp/exp"
expect "CR alone: invalid UTF-8 reported on its line" 1

# A long line is shown as a window: no character is cut in half at its edges.
{ printf '%bdata "' "$net"; rep 'λ' 200; printf '" @\n'; } > window.nn
run window.nn -o out.c
is "$status" 1 "a long line of 2-byte characters: exit status 1"
grep -q '^ \.\.\.λλλ' "$tmp/stderr" && iconv -f UTF-8 -t UTF-8 < "$tmp/stderr" > /dev/null 2>&1
ok $? "a long line of 2-byte characters: the window starts at a whole character, and stderr is UTF-8"
cp "$tmp/sentinel" out.c

# The caret counts a UTF-8 character as one column, also before a tab.
printf 'network n {\n\303\251\tx 2\n}\n' > tab.nn
run tab.nn -o out.c
e_acute=$(printf '\303\251')
printf '%s\n' \
    "tab.nn:2:1: error: unexpected character U+00E9 '$e_acute'" \
    " $e_acute       x 2" \
    ' ^' \
    "tab.nn:2:9: error: expected a statement (input, hidden, output, loss, learn_rate, epochs, seed, init, normalize, optimizer, batch, shuffle, weight_decay, precision, validate, early_stop, schedule, conv, pool, classes) or '}' but found 'x'" \
    " $e_acute       x 2" \
    '         ^' > "$tmp/exp"
expect "a tab after a 2-byte character: the caret under the x" 1

# ---- Strings -----------------------------------------------------------------

printf '%bdata "train.csv\n' "$net" > unterminated.nn
run unterminated.nn -o out.c
printf '%s\n' \
    "unterminated.nn:5:6: error: unterminated string: expected '\"' before the end of the line" \
    ' data "train.csv' \
    '      ^' \
    "unterminated.nn:5:6: error: expected a file name between the quotes" \
    ' data "train.csv' \
    '      ^' > "$tmp/exp"
expect "an unterminated string" 1

printf '%bdata "train.csv' "$net" > unterminated-eof.nn
run unterminated-eof.nn -o out.c
sed 's/^unterminated\.nn/unterminated-eof.nn/' "$tmp/exp" > "$tmp/exp2" && mv "$tmp/exp2" "$tmp/exp"
expect "an unterminated string at the end of the file" 1

# A file name of 100 KB.
{ printf '%bdata "' "$net"; rep 'dir/' 25600; printf 'x.csv"\n'; } > long-string.nn
run long-string.nn -o out.c
long=$(rep 'dir/' 28)
printf '%s\n' "long-string.nn:5:6: error: file name is 102405 bytes long; the limit is 4095" \
    " data \"${long}di..." "      ^" > "$tmp/exp"
expect "a file name of 100 KB: one error, and nothing follows from it" 1

# ---- Huge lines, names and numbers ---------------------------------------------

# A comment of 1 MB: accepted, and the C is as without it.
cp "$top/specs/tutorial.nn" big-comment.nn
{ printf '# '; head -c 1048576 /dev/zero | tr '\0' 'x'; printf '\n'; } >> big-comment.nn
run big-comment.nn -o out.c
expect_ok "a comment line of 1 MB"
cp out.c "$tmp/big-comment.c"
cp "$top/specs/tutorial.nn" big-comment.nn
run big-comment.nn -o out.c
cmp -s out.c "$tmp/big-comment.c"
ok $? "a comment line of 1 MB: the same C as without it"

# A data row of 1 MB (524288 numbers) for a network of 2 inputs: one error,
# the line shown as a window of 120 columns.
{ printf '%bdata {\n' "$net"; rep '1 1 1 1 1 1 1 1 ' 65536; printf '%s\n}\n' '-> 1'; } > big-row.nn
run big-row.nn -o out.c
{
    printf '%s\n' "big-row.nn:6:1: error: expected 2 inputs before '->' but found 524288"
    printf ' %s...\n ^\n' "$(rep '1 ' 60)"
} > "$tmp/exp"
expect "a data row of 1 MB with too many inputs" 1

# A valid data row of 1.1 MB: 100000 inputs (the limit), one row.
{
    printf 'network wide {\n    input 100000\n    output 1 sigmoid\n}\ndata {\n'
    yes 0.12345678 | head -n 100000 | tr '\n' ' '
    printf '%s\n}\n' '-> 1'
} > wide-row.nn
run wide-row.nn -o out.c
expect_ok "a valid data row of 1.1 MB (100000 inputs)"

# A name of 100 KB: one error, not a second about the name itself.
{ printf 'network n {\n    input 2\n    hidden 2 '; rep 'abcdefghij' 10240; printf '\n    output 1 sigmoid\n}\n'; } > long-name.nn
run long-name.nn -o out.c
shown=$(rep 'abcdefghij' 10)abcdefg
{
    printf '%s\n' "long-name.nn:3:14: error: name is 102400 characters long; the limit is 255"
    printf '%s\n' "     hidden 2 ${shown}..." "              ^"
} > "$tmp/exp"
expect "a name of 100 KB" 1

# A network name of 100 KB.
{ printf 'network '; rep 'abcdefghij' 10240; printf ' {\n    input 2\n    output 1 sigmoid\n}\n'; } > long-net-name.nn
run long-net-name.nn -o out.c
shown=$(rep 'abcdefghij' 11)ab
{
    printf '%s\n' "long-net-name.nn:1:9: error: name is 102400 characters long; the limit is 255"
    printf '%s\n' " network ${shown}..." "         ^"
} > "$tmp/exp"
expect "a network name of 100 KB" 1

# A number of 100 KB (a valid number, but longer than any token may be): one error.
{ printf '%bdata {\n    1 ' "$net"; rep '1234567890' 10240; printf ' -> 1\n}\n'; } > long-number.nn
run long-number.nn -o out.c
{
    printf '%s\n' "long-number.nn:6:7: error: number is 102400 characters long; the limit is 255"
    printf '%s\n' "     1 $(rep '1234567890' 11)1234..." "       ^"
} > "$tmp/exp"
expect "a number of 100 KB" 1

# A line of 1000 bad characters is one error; 1000 separate ones stop at 50.
{ printf '%b' "$net"; rep '@' 1000; printf '\n'; } > flood.nn
run flood.nn -o out.c
n=$(grep -c ': error: ' "$tmp/stderr")
is "$status:$n" "1:1" "1000 bad characters in a row: exit status 1, one error"
{ printf '%b' "$net"; rep '@ ' 1000; printf '\n'; } > flood.nn
run flood.nn -o out.c
is "$status:$(grep -c ': error: ' "$tmp/stderr")" "1:51" "1000 bad characters apart: 50 errors and a line saying how many more"
is "$(tail -1 "$tmp/stderr")" "flood.nn: error: 950 more errors not shown; stopping after 50" "and that line says so"

# An empty spec.
: > empty.nn
run empty.nn -o out.c
printf '%s\n' "empty.nn:1:1: error: expected a network block (as in 'network NAME { input 2 output 1 sigmoid }')" " " " ^" > "$tmp/exp"
expect "an empty file" 1

# ---- Files -------------------------------------------------------------------

printf '%b' "$net" > good.nn

run missing.nn -o out.c
printf '%s\n' "nnc: error: cannot open 'missing.nn': No such file or directory" > "$tmp/exp"
expect "a missing spec" 1

mkdir dir
run dir -o out.c
printf '%s\n' "nnc: error: cannot open 'dir': Is a directory" > "$tmp/exp"
expect "a directory as the spec" 1

# A device is read up to the limit, then refused: never until memory runs
# out.  Reading 256 MB takes a second, and several under the sanitizers.
limit=120
run /dev/zero -o out.c
printf '%s\n' "nnc: error: '/dev/zero' is larger than 256 MB" > "$tmp/exp"
expect "/dev/zero as the spec" 1

printf '%bdata "/dev/zero"\n' "$net" > zero.nn
run zero.nn -o out.c
printf '%s\n' "zero.nn:5:6: error: '/dev/zero' is larger than 256 MB" ' data "/dev/zero"' '      ^' > "$tmp/exp"
expect "/dev/zero as a data file" 1
limit=10

run good.nn -o nodir/out.c
printf '%s\n' "nnc: error: cannot write 'nodir/out.c': No such file or directory" > "$tmp/exp"
expect "an output in a directory that does not exist" 1
[ ! -e nodir ]
ok $? "an output in a directory that does not exist: nothing created"

run good.nn -o dir
printf '%s\n' "nnc: error: cannot write 'dir': Is a directory" > "$tmp/exp"
expect "a directory as the output" 1
is "$(ls -A dir)" "" "a directory as the output: nothing left in it"

run good.nn -o out.c --header nodir/out.h
printf '%s\n' "nnc: error: cannot write 'nodir/out.h': No such file or directory" > "$tmp/exp"
is "$status" 1 "a header in a directory that does not exist: exit status 1"
cmp -s "$tmp/stderr" "$tmp/exp"
ok $? "a header in a directory that does not exist: stderr"
cmp -s out.c "$tmp/sentinel"
ok $? "a header that cannot be written: the existing out.c is untouched"
rmdir dir

# ---- The command line --------------------------------------------------------

run good.nn -o
printf '%s\n' "nnc: error: option '-o' needs a file name" > "$tmp/exp"
expect "-o without a file name" 2

run good.nn -o out.c --header
printf '%s\n' "nnc: error: option '--header' needs a file name" > "$tmp/exp"
expect "--header without a file name" 2

run --frobnicate good.nn -o out.c
printf '%s\n' "nnc: error: unknown option '--frobnicate'" "Try 'nnc --help' for more information." > "$tmp/exp"
expect "an unknown option" 2

cp good.nn other.nn
run good.nn other.nn -o out.c
printf '%s\n' "nnc: error: more than one spec ('good.nn' and 'other.nn')" > "$tmp/exp"
expect "two specs" 2

# No spec: the error, then the usage (whose option list is not pinned here).
run -o out.c
is "$status" 2 "no spec: exit status 2"
is "$(head -n 2 "$tmp/stderr")" "nnc: error: no spec given
usage: nnc [options] SPEC.nn" "no spec: the error, then the usage"
is "$(cat "$tmp/stdout")" "" "no spec: nothing on stdout"
cmp -s out.c "$tmp/sentinel"
ok $? "no spec: out.c untouched"

for opt in --help -h; do
    timeout 10 "$NNC" $opt > "$tmp/stdout" 2> "$tmp/stderr"
    is "$?" 0 "$opt: exit status 0"
    like "$(head -n 1 "$tmp/stdout")" '^usage: nnc ' "$opt: the usage on stdout"
    is "$(cat "$tmp/stderr")" "" "$opt: nothing on stderr"
done

# --unroll always has a limit: 20000 weights (13 MB of C) are written out,
# 20001 are refused.
limit=60
printf 'network big {\n    input 2\n    hidden 6667 sigmoid\n    output 1 sigmoid\n}\n' > big.nn
run --unroll always big.nn -o out.c
printf '%s\n' "nnc: error: --unroll always: network 'big' has 20001 weights, and at most 20000 are written out (the C would be about 13 MB); use --unroll auto" > "$tmp/exp"
expect "--unroll always at 20001 weights" 1
run big.nn -o out.c
is "$status" 0 "the same network under --unroll auto compiles"
printf 'network big {\n    input 199\n    hidden 100 sigmoid\n    output 1 sigmoid\n}\n' > big.nn
run --unroll always big.nn -o out.c
is "$status" 0 "--unroll always at 20000 weights compiles"
grep -q 'nn->w20000 ' out.c
ok $? "--unroll always at 20000 weights: every weight written out"
limit=10

# --unroll auto writes out up to 64 weights, and loops past that.
printf 'network small {\n    input 4\n    hidden 8 sigmoid\n    output 4 sigmoid\n}\n' > small.nn
run small.nn -o out.c
grep -q 'nn->w64 ' out.c && ! grep -q 'nn->w\[' out.c
ok $? "--unroll auto at 64 weights: unrolled"
printf 'network small {\n    input 1\n    hidden 13 sigmoid\n    output 4 sigmoid\n}\n' > small.nn
run small.nn -o out.c
grep -q 'nn->w\[' out.c && ! grep -q 'nn->w1 ' out.c
ok $? "--unroll auto at 65 weights: loops"
cp "$tmp/sentinel" out.c

timeout 10 "$NNC" --version > "$tmp/stdout" 2> "$tmp/stderr"
is "$?" 0 "--version: exit status 0"
like "$(cat "$tmp/stdout")" '^nnc [0-9]+\.[0-9]+\.[0-9]+$' "--version: 'nnc X.Y.Z' on stdout"
is "$(cat "$tmp/stderr")" "" "--version: nothing on stderr"

done_testing
