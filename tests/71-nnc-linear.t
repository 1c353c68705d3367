#!/bin/sh
# nnc's own work grows linearly with the network: for four times the
# weights it may execute at most six times the instructions (a pass that
# is quadratic in the size of the C, such as scanning to the end of the
# text for every line, gives about sixteen).  Instructions are counted by
# valgrind --tool=callgrind, so the load of the machine does not matter.
. "$(dirname "$0")/lib.sh"

case "$NNC_TEST_CFLAGS" in
*-fsanitize*)
    echo "1..0 # SKIP valgrind does not run sanitized programs"
    exit 0
    ;;
esac
if ! command -v valgrind > /dev/null 2>&1; then
    echo "1..0 # SKIP valgrind is not installed"
    exit 0
fi

# spec N: a network of N inputs, N hidden neurons and 1 output (N*N + N weights).
spec() {
    printf 'network lin {\n    input %d\n    hidden %d sigmoid\n    output 1 sigmoid\n}\n' "$1" "$1" \
        > "$tmp/n$1.nn"
}

# instructions [--fails] N ARGS...: what nnc executes on spec N with ARGS;
# 0 when nnc fails, unless --fails says that it must (a spec with errors).
instructions() {
    local fails=
    [ "$1" = --fails ] && fails=1 && shift
    local n=$1
    shift
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$NNC" "$@" "$tmp/n$n.nn" \
        > /dev/null 2> "$tmp/vg.err"
    [ $? -eq 0 ] || [ -n "$fails" ] || { echo 0; return; }
    sed -n 's/^==[0-9]*== Collected : *\([0-9]*\).*/\1/p' "$tmp/vg.err"
}

# at_most_six DESC SMALL BIG BIG_SIZE SMALL_SIZE: BIG instructions are at most 6 times SMALL.
at_most_six() {
    if [ -n "$2" ] && [ -n "$3" ] && [ "$2" -gt 0 ] && [ "$3" -gt 0 ]; then
        ok "$([ $(($3 * 10)) -le $(($2 * 60)) ] && echo 0 || echo 1)" \
            "$1: $3 instructions for $4, $2 for $5 (at most 6 times)"
    else
        ok 1 "$1: valgrind counted the instructions"
        sed 's/^/# /' "$tmp/vg.err" | tail -5
    fi
}

# linear DESC ARGS...: the ratio of instructions at 4,032 and 992 weights
# (4.06 times the weights).
linear() {
    local desc=$1 small big
    shift
    small=$(instructions 31 "$@")
    big=$(instructions 63 "$@")
    at_most_six "$desc" "$small" "$big" "4,032 weights" 992
}

spec 31
spec 63
linear "written out (--unroll always)" --unroll always -o "$tmp/out.c"
linear "written out with --line-directives" --unroll always --line-directives -o "$tmp/out.c"
linear "as loops (--unroll never)" --unroll never -o "$tmp/out.c"
linear "--explain d_L_d_w1" --explain d_L_d_w1
linear "--emit dot" --emit dot -o "$tmp/out.dot"

# Long lists in a spec: predictions, statements, input names (each with
# one duplicate, reported at the end).  Appending to a list walked to its
# end, and duplicates were sought pair by pair: 40,000 predictions took
# 3.9 s, 300,000 more than 15 minutes.
lists() {
    local n=$1 i
    awk -v n="$n" 'BEGIN {
        printf "network lin {\n    input "
        for (i = 0; i < n; i++) printf "x%d, ", i
        printf "x0\n    output 1 sigmoid\n"
        for (i = 0; i < n; i++) printf "    hidden 1 sigmoid\n"
        printf "}\npredict {\n"
        for (i = 0; i < n; i++) printf "    p%d: 1\n", i
        printf "    p0: 1\n}\n" }' > "$tmp/n$n.nn"
}
lists 5000
lists 20000
# The specs have errors (too many hidden layers, the duplicates): nnc fails.
small=$(instructions --fails 5000 -o "$tmp/out.c")
big=$(instructions --fails 20000 -o "$tmp/out.c")
at_most_six "long lists" "$small" "$big" "20,000 of each" 5,000

# And its memory: --explain builds the model of the whole backpropagation
# (about 1 KB a weight; it once read the written-out C, 2.3 KB a weight);
# at most 3 KB a weight in all.
# (Every comment of the body once took a 4 KB buffer of its own: 10 KB a
# weight.)
if [ -x /usr/bin/time ]; then
    printf 'network mem {\n    input 784\n    hidden 64 sigmoid\n    output 10 sigmoid\n}\n' > "$tmp/mem.nn"
    /usr/bin/time -f '%M' -o "$tmp/kb" "$NNC" --explain d_L_d_w1 "$tmp/mem.nn" > /dev/null
    ok $? "--explain d_L_d_w1 at 784-64-10 (50,816 weights)"
    kb=$(tail -1 "$tmp/kb")
    ok "$([ "$kb" -le $((50816 * 3)) ] && echo 0 || echo 1)" \
        "--explain at 784-64-10 takes $kb KB at its peak (at most 3 KB a weight, $((50816 * 3)) KB)"
else
    for what in "--explain at 784-64-10" "--explain's memory"; do
        skip "$what: /usr/bin/time is not installed"
    done
fi

done_testing
