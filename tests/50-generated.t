#!/bin/sh
# generated/ holds what nnc writes for every spec in specs/, and that C is
# clean: no warning from gcc or clang under -Wshadow -Wconversion -Werror,
# and the same training under gcc -O0, gcc -O2 and clang -O2.
. "$(dirname "$0")/lib.sh"
cd "$top" || exit 1

strict="-std=c99 -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Werror"
for spec in specs/*.nn; do
    name=$(basename "$spec" .nn)
    "$NNC" "$spec" -o "$tmp/$name.c"
    ok $? "nnc compiles $spec"
    if diff -u "generated/$name.c" "$tmp/$name.c" > "$tmp/diff"; then
        ok 0 "generated/$name.c is what nnc writes today"
    else
        ok 1 "generated/$name.c is what nnc writes today (run 'make generated')"
        head -40 "$tmp/diff" | sed 's/^/# /'
    fi

    # Three compilers and levels; each trains 3 epochs from the same start.
    for cc in "gcc -O0" "gcc -O2" "clang -O2"; do
        set -- $cc
        exe="$tmp/$name-$1$2"
        if $cc $strict $NNC_TEST_CFLAGS -I"$RT" -o "$exe" "generated/$name.c" "$RT/libnnrt.a" -lm \
            2> "$tmp/cc.err" && [ ! -s "$tmp/cc.err" ]; then
            ok 0 "$cc compiles generated/$name.c without a warning"
        else
            ok 1 "$cc compiles generated/$name.c without a warning"
            head -20 "$tmp/cc.err" | sed 's/^/# /'
        fi
        "$exe" --epochs 3 --every 0 --save "$tmp/$name-$1$2.params" > /dev/null
    done
    # Parameters within 1e-12 relative of gcc -O2's.
    status=0
    for other in gcc-O0 clang-O2; do
        awk -v tol=1e-12 '
            /^#/ { next }
            NR == FNR { ref[$1] = $2; next }
            {
                d = $2 - ref[$1]; if (d < 0) d = -d
                m = ref[$1] < 0 ? -ref[$1] : ref[$1]; if (m < 1e-300) m = 1e-300
                if (d / m > tol && d > 1e-300) { print "# " $1 ": " ref[$1] " vs " $2; bad = 1 }
            }
            END { exit bad }' "$tmp/$name-gcc-O2.params" "$tmp/$name-$other.params" || status=1
    done
    ok $status "$name trains to the same parameters under gcc -O0, gcc -O2 and clang -O2"
done

# A spec's path goes into the C: in comments, in the program's .spec string
# and in #line.  Characters that mean something there (a comment's end, a
# quote, a backslash, a trigraph, a newline) must not break the C, and the
# program must name the spec as it is.
nl='
'
for case in "x*|a comment's end" 'tri??|a trigraph' 'q"b\c|a quote and a backslash' "n${nl}l|a newline"; do
    dir=${case%%|*} what=${case#*|}
    mkdir -p "$tmp/paths/$dir" && cp specs/tutorial.nn "$tmp/paths/$dir/t.nn"
    spec="$tmp/paths/$dir/t.nn"
    "$NNC" --line-directives "$spec" -o "$tmp/paths/$dir/o.c" --header "$tmp/paths/$dir/o.h" &&
        $CC $strict -Wtrigraphs -I"$RT" -o "$tmp/paths/prog" "$tmp/paths/$dir/o.c" "$RT/libnnrt.a" -lm \
            2> "$tmp/cc.err" && [ ! -s "$tmp/cc.err" ] &&
        printf '#include "o.h"\n' | $CC $strict -I"$RT" -I"$tmp/paths/$dir" -fsyntax-only -x c - \
            2>> "$tmp/cc.err" && [ ! -s "$tmp/cc.err" ]
    ok $? "a spec in a directory whose name has $what: the C and header compile without a warning"
    head -5 "$tmp/cc.err" | sed 's/^/# /'
    help=$("$tmp/paths/prog" --help)
    # As every message shows a name: a control byte (the newline) as '?'.
    shown=$(printf '%s' "$spec" | tr '\n' '?')
    case "$help" in
    *"(compiled by nnc from $shown)"*) ok 0 "and the program names the spec as it is (a newline as '?')" ;;
    *) ok 1 "and the program names the spec as it is (a newline as '?')" ;;
    esac
done

# Two networks whose names differ only in case are two, and one program may
# embed both: their headers' guards must differ too.
for name in x X; do
    printf 'network %s {\n    input 2\n    output 1 sigmoid\n}\n' "$name" > "$tmp/paths/$name.nn"
    "$NNC" "$tmp/paths/$name.nn" -o "$tmp/paths/$name.c" --header "$tmp/paths/$name.h"
done
cat > "$tmp/paths/both.c" <<'EOF'
#include "x.h"
#include "X.h"

int main(void)
{
    struct x small = {0};
    struct X big = {0};
    double in[2] = {1, 2}, out_x[1], out_X[1];
    x_feedforward(&small, in, out_x);
    X_feedforward(&big, in, out_X);
    return !(out_x[0] == 0.5 && out_X[0] == 0.5);
}
EOF
$CC $strict -DNNC_NO_MAIN -I"$RT" -I"$tmp/paths" -o "$tmp/paths/both" "$tmp/paths/both.c" "$tmp/paths/x.c" \
    "$tmp/paths/X.c" "$RT/libnnrt.a" -lm 2> "$tmp/cc.err" && [ ! -s "$tmp/cc.err" ] && "$tmp/paths/both"
ok $? "networks x and X, embedded side by side, compile and run (zero weights: sigmoid(0) = 0.5)"
head -5 "$tmp/cc.err" | sed 's/^/# /'

# A network named after a macro that the generated C sees (through nnrt.h,
# or predefined by the compiler outside strict ISO mode, in C23's, or with
# _GNU_SOURCE, as a program that embeds the network may define) would not
# compile:
# nnc refuses each one that gcc and clang define, and a name like them that
# is not a macro compiles.
macros=$(for cc in gcc clang; do
    for std in -std=c99 -std=gnu11 -std=c2x "-std=c99 -D_GNU_SOURCE"; do
        printf '#include "nnrt.h"\n' | $cc $std -I"$RT" -dM -E - 2> /dev/null
    done
done | awk '$1 == "#define" && $2 !~ /[(]/ && $2 !~ /^_/ { print $2 }' | sort -u)
refused=0 missed=""
for m in $macros; do
    printf 'network %s {\n    input 2\n    output 1 sigmoid\n}\n' "$m" > "$tmp/macro.nn"
    if "$NNC" "$tmp/macro.nn" -o "$tmp/macro.c" 2> "$tmp/macro.err" ||
        ! grep -Eq "network name '$m' (is a C macro|starts with 'NNRT')" "$tmp/macro.err"; then
        missed="$missed $m"
    else
        refused=$((refused + 1))
    fi
done
is "$missed" "" "nnc refuses a network named after any of the $refused macros that gcc and clang define"
for name in asm typeof bool true nullptr constexpr; do
    printf 'network %s {\n    input 2\n    output 1 sigmoid\n}\n' "$name" > "$tmp/$name.nn"
    "$NNC" "$tmp/$name.nn" -o "$tmp/$name.c" 2> "$tmp/$name.err"
    is "$?:$(head -1 "$tmp/$name.err" | sed 's/^[^ ]* //')" \
        "1:error: network name '$name' is a C keyword; it must be usable as a C identifier" \
        "a network named $name, a keyword of GNU C or C23, is refused"
done
for name in INTEREST UINT FP_ fp_nan nul Linux M_TAU M_TAUl M_PIq SNA INT_WIDTHS; do
    printf 'network %s {\n    input 2\n    output 1 sigmoid\n}\n' "$name" > "$tmp/$name.nn"
    "$NNC" "$tmp/$name.nn" -o "$tmp/$name.c" &&
        $CC $strict -I"$RT" -c -o "$tmp/$name.o" "$tmp/$name.c"
    ok $? "a network named $name is no macro, and compiles"
done

done_testing
