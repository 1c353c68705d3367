#!/bin/sh
# Pictures: make pictures in a fresh tree (no build/ yet), make plot of a
# spec anywhere (SPEC=path/x.nn) as well as of specs/NAME.nn, and the
# drawings of runtime/dot.c: large layers collapsed (first three neurons,
# "...", the last), weights and biases with the same three significant
# digits, and each weight's label tied to its edge (decorate=true).
. "$(dirname "$0")/lib.sh"

have() {
    command -v "$1" > /dev/null 2>&1
}

# ---- The drawings --------------------------------------------------------------

"$NNC" --emit dot "$top/specs/digits.nn" > "$tmp/digits.dot"
ok $? "nnc --emit dot specs/digits.nn (64 inputs, 32 hidden, 10 outputs)"
is "$(grep -o '^        [a-z0-9_]* \[' "$tmp/digits.dot" | grep -v title | tr -d ' [' | paste -sd' ')" \
    "x1 x2 x3 more0 x64 h1 h2 h3 more1 h32 o1 o2 o3 o4 o5 o6 o7 o8 o9 o10" \
    "the inputs and the hidden layer collapse to 3 neurons, '...' and the last; 10 outputs do not"
grep -q 'more0 \[shape=plaintext, fixedsize=false, label="...\\n60 more"\]' "$tmp/digits.dot" &&
    grep -q 'more1 \[shape=plaintext, fixedsize=false, label="...\\n28 more"\]' "$tmp/digits.dot"
ok $? "the '...' nodes say how many they stand for: 60 inputs, 28 hidden neurons"
is "$(grep -c -- '->.*\[style=dashed' "$tmp/digits.dot")" $((5 + 4 + 10)) \
    "dashed edges through the '...': more0 to the 5 hidden, 4 inputs to more1, more1 to the 10 outputs"
is "$(grep -c -- '-> [ho][0-9]*;$' "$tmp/digits.dot")" $((4 * 4 + 4 * 10)) \
    "real edges between the drawn neurons: 4 x 4 into the hidden layer, 4 x 10 into the outputs"
# 2,368 weights: past 200, no labels, as before.
grep -q 'label="w' "$tmp/digits.dot"
is "$?" 1 "no weight labels past 200 weights"

# The wiring of a collapsed layer keeps each weight's number: h32's edge from x64.
cat > "$tmp/wide.nn" <<'NN'
network wide {
    input 20
    output 2 sigmoid
}
NN
"$NNC" --emit dot "$tmp/wide.nn" > "$tmp/wide.dot"
grep -q 'x20 -> o2 \[label="w40", decorate=true\];' "$tmp/wide.dot" &&
    grep -q 'x3 -> o2 \[label="w23", decorate=true\];' "$tmp/wide.dot" &&
    grep -q 'x1 -> o1 \[label="w1", decorate=true\];' "$tmp/wide.dot"
ok $? "a collapsed layer's edges keep their weights' names: x20 -> o2 is w40, x3 -> o2 is w23"

if have dot; then
    dot -Tpng "$tmp/digits.dot" -o "$tmp/digits.png" 2> "$tmp/dot.err"
    ok $? "dot -Tpng draws digits"
    sed 's/^/# /' "$tmp/dot.err"
    size=$(file "$tmp/digits.png" | sed -n 's/.*, \([0-9]*\) x \([0-9]*\),.*/\1 \2/p')
    [ -n "$size" ] && [ "${size#* }" -lt 2000 ] && [ "${size% *}" -lt 2000 ]
    ok $? "in less than 2000 x 2000 pixels (it was 925 x 7142): $size"
else
    skip "dot is not installed"
    skip "dot is not installed"
fi

# A program's --dot: the same three digits for weights and biases.
build "$top/specs/tutorial.nn" "$tmp/tutorial"
ok $? "the tutorial's program builds"
"$tmp/tutorial" --epochs 100 --every 0 --save "$tmp/t.params" --dot > "$tmp/w.dot"
ok $? "--dot after 100 epochs"
expected=$(awk '/^w[0-9]/ { printf "w%s = %.3g\n", substr($1, 2), $2 }' "$tmp/t.params")
is "$(sed -n 's/.*label="\(w[0-9]* = [^"]*\)", decorate=true.*/\1/p' "$tmp/w.dot")" "$expected" \
    "each weight's label is its value to 3 significant digits (%.3g of --save's), tied to its edge"
expected=$(awk '/^b[0-9]/ { printf "b = %.3g\n", $2 }' "$tmp/t.params")
is "$(sed -n 's/.*\\n\(b = [^"]*\)".*/\1/p' "$tmp/w.dot")" "$expected" "and each bias's too"

# A CNN program's --dot: a stack for the input map and for each conv or pool layer, the
# filters' biases and weights with the same three digits, and the ranges of the filters left out.
build "$top/specs/tiny_cnn.nn" "$tmp/tiny_cnn"
ok $? "tiny_cnn's program builds"
"$tmp/tiny_cnn" --epochs 20 --every 0 --save "$tmp/c.params" --dot > "$tmp/c.dot"
ok $? "tiny_cnn: --dot after 20 epochs"
is "$(grep -c 'shape=box3d' "$tmp/c.dot")" 3 "tiny_cnn: 3 stacks (input, conv, pool)"
expected=$(awk '{ v[$1] = $2 } END {
    for (f = 0; f < 2; f++)
        printf "filter %d: b = %.3g, w = %.3g %.3g %.3g %.3g\n", f + 1, v["b" f + 1],
            v["w" 4 * f + 1], v["w" 4 * f + 2], v["w" 4 * f + 3], v["w" 4 * f + 4] }' "$tmp/c.params")
is "$(grep -o 'filter [0-9]: [^\\"]*' "$tmp/c.dot")" "$expected" \
    "tiny_cnn: each filter's bias and 4 weights (%.3g of --save's)"
grep -q 'x -> c1 \[label="2x2 kernel"\];' "$tmp/c.dot" && grep -q 'c1 -> p1 \[label="2x2 window"\];' "$tmp/c.dot" &&
    grep -q 'p1 -> o1 \[label="w9 .. w16", decorate=true' "$tmp/c.dot" &&
    grep -q 'label="o1\\nb = '"$(awk '$1 == "b3" { printf "%.3g", $2 }' "$tmp/c.params")"'"' "$tmp/c.dot"
ok $? "tiny_cnn: the kernel and the window on the edges, w9 .. w16 into o1, and o1's bias"
if have dot; then
    dot -Tsvg "$tmp/c.dot" -o "$tmp/c.svg" 2> "$tmp/dot.err"
    ok $? "dot -Tsvg parses tiny_cnn's --dot"
    sed 's/^/# /' "$tmp/dot.err"
else
    skip "dot is not installed"
fi
# 16 filters: 3 shown, the rest in ranges over all 16 (the drawing ends before the test lines).
build "$top/specs/digits_cnn.nn" "$tmp/digits_cnn"
(cd "$top/specs" && "$tmp/digits_cnn" --epochs 1 --every 0 --save "$tmp/d.params" --dot) > "$tmp/d.out"
ok $? "digits_cnn: --dot after 1 epoch"
sed '/^}$/q' "$tmp/d.out" > "$tmp/d.dot"
expected=$(awk '/^w([1-9]|[1-9][0-9]|1[0-3][0-9]|14[0-4]) / { w = $2 + 0; if (nw++ == 0 || w < wl) wl = w; if (nw == 1 || w > wh) wh = w }
    /^b([1-9]|1[0-6]) / { b = $2 + 0; if (nb++ == 0 || b < bl) bl = b; if (nb == 1 || b > bh) bh = b }
    END { printf "all %d: b from %.3g to %.3g, w from %.3g to %.3g", nb, bl, bh, wl, wh }' "$tmp/d.params")
grep -q '\\n\.\.\. 13 more filters\\n'"$expected"'"' "$tmp/d.dot"
ok $? "digits_cnn: 3 filters of 16, then the ranges of the 144 weights and 16 biases: $expected"
is "$(grep -c '^    p1 -> o[0-9]*' "$tmp/d.dot")" 10 "digits_cnn: the pooled map feeds each of the 10 outputs"
if have dot; then
    dot -Tsvg "$tmp/d.dot" -o "$tmp/d.svg" 2> "$tmp/dot.err"
    ok $? "dot -Tsvg parses digits_cnn's --dot"
    sed 's/^/# /' "$tmp/dot.err"
else
    skip "dot is not installed"
fi

# ---- make pictures and make plot ------------------------------------------------

# A fresh copy of the tree's make files and specs, with nnc and the runtime
# already built (make -o: not to be remade): no build/ directory.
fresh="$tmp/tree"
mkdir -p "$fresh/compiler" "$fresh/runtime" "$fresh/bench" "$fresh/fuzz"
cp -R "$top/Makefile" "$top/mk" "$top/specs" "$fresh/" &&
    cp "$top/bench/bench.mk" "$fresh/bench/" && cp "$top/fuzz/fuzz.mk" "$fresh/fuzz/" &&
    cp "$top/compiler/nnc" "$fresh/compiler/" && cp "$top/runtime/nnrt.h" "$top/runtime/libnnrt.a" "$fresh/runtime/"
ok $? "a fresh tree, without build/"
mk() {
    env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL ${MAKE:-make} -C "$fresh" -o compiler/nnc -o runtime/libnnrt.a \
        "$@" > "$tmp/make.log" 2>&1
    local status=$?
    [ $status -eq 0 ] || tail -20 "$tmp/make.log" | sed 's/^/# /'
    return $status
}

if have dot; then
    mk pictures/tutorial.png
    ok $? "make pictures/tutorial.png in a fresh tree"
    [ -s "$fresh/pictures/tutorial.png" ] && [ -s "$fresh/build/tutorial.dot" ]
    ok $? "it draws pictures/tutorial.png, by way of build/tutorial.dot"
else
    skip "dot is not installed"
    skip "dot is not installed"
fi

if have gnuplot; then
    mkdir "$tmp/elsewhere"
    sed 's/epochs 1000/epochs 50/' "$top/specs/tutorial.nn" > "$tmp/elsewhere/mine.nn"
    mk plot SPEC="$tmp/elsewhere/mine.nn"
    ok $? "make plot SPEC=/elsewhere/mine.nn, a spec outside specs/"
    [ -s "$fresh/pictures/mine-loss.png" ]
    ok $? "plots pictures/mine-loss.png"
    is "$(wc -l < "$fresh/build/mine-history.csv" | tr -d ' ')" 51 "from its 50 epochs (and a header)"
    mk plot NAME=xor
    ok $? "make plot NAME=xor still plots specs/xor.nn"
    [ -s "$fresh/pictures/xor-loss.png" ]
    ok $? "as pictures/xor-loss.png"
else
    for k in 1 2 3 4 5; do skip "gnuplot is not installed"; done
fi

done_testing
