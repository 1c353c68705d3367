#!/bin/sh
# --gradcheck on many random networks: every hidden activation with every
# loss/output pairing, shapes from a single neuron to deep narrow chains,
# checked at two starting points and after a few epochs of training from
# each (every third network also in nnc's compact form, --unroll never).
# Every check must pass.  Then a generated file with a broken chain
# rule: --gradcheck must catch it.  (Specs come from a seeded generator: the
# same cases every run.)
. "$(dirname "$0")/lib.sh"

# ---- The cases: specs, and a line each in cases.txt (name|description|todo) ----
awk -v out="$tmp" '
    # Park and Miller minimal standard generator: exact in doubles, the same in every awk.
    function rnd() { seed = (seed * 16807) % 2147483647; return seed / 2147483647 }
    function int_in(lo, hi) { return lo + int(rnd() * (hi - lo + 1)) }
    function num(lo, hi) { return sprintf("%.2f", lo + rnd() * (hi - lo)) }

    # Targets for one row, as the output layer and loss expect.
    function targets(loss, act, k, style,    i, c, t, y) {
        if (act == "softmax") {
            c = int_in(0, k - 1)
            if (style == "index")
                return c
            for (i = 0; i < k; i++) {
                y = style == "unnormalized" ? num(0, 1) : (i == c)
                t = t (i ? " " : "") y
            }
            return t
        }
        for (i = 0; i < k; i++) {
            if (loss == "binary_cross_entropy") y = int_in(0, 1)
            else if (act == "sigmoid") y = num(0, 1)
            else if (act == "tanh") y = num(-0.9, 0.9)
            else if (act == "relu") y = num(0, 2)
            else if (act == "leaky_relu") y = num(-0.5, 2)
            else y = num(-2, 2)
            t = t (i ? " " : "") y
        }
        return t
    }

    # Writes the spec of a network: ni inputs, nl hidden layers size[1..nl]
    # with act[1..nl], k outputs.
    function emit(desc, ni, nl, k, out_act, loss, style, normalize, todo,
                  name, f, l, r, i, x, shape, acts, rows) {
        name = sprintf("g%02d", ++ncases)
        f = out "/" name ".nn"
        printf "network %s {\n    input %d\n", name, ni > f
        shape = ni
        acts = ""
        for (l = 1; l <= nl; l++) {
            printf "    hidden %d %s\n", size[l], act[l] > f
            shape = shape "-" size[l]
            acts = acts (l > 1 ? "," : "") act[l]
        }
        shape = shape "-" k
        printf "    output %d %s\n    loss %s\n    learn_rate 0.01\n", k, out_act, loss > f
        printf "    epochs 3\n    seed %d\n    init normal\n", int_in(1, 99999) > f
        if (normalize)
            printf "    normalize\n" > f
        printf "}\ndata {\n" > f
        rows = int_in(3, 6)
        for (r = 0; r < rows; r++) {
            x = ""
            for (i = 0; i < ni; i++)
                x = x (i ? " " : "") (normalize ? num(-50, 150) : num(-2, 2))
            printf "    %s -> %s\n", x, targets(loss, out_act, k, style) > f
        }
        printf "}\n" > f
        close(f)
        printf "%s|%s %s (%s) -> %s %s%s|%s\n", name, name, shape,
               nl ? acts : "no hidden layer", out_act, loss, desc ? ", " desc : "", todo > (out "/cases.txt")
    }

    BEGIN {
        seed = 4141
        nh = split("sigmoid tanh relu leaky_relu linear", H, " ")
        no = split("mse:sigmoid mse:tanh mse:linear mse:relu mse:leaky_relu " \
                   "binary_cross_entropy:sigmoid cross_entropy:softmax mse:softmax", O, " ")

        # Every hidden activation with every pairing, on random shapes of 1
        # to 3 hidden layers (the first has the activation under test).
        for (a = 1; a <= nh; a++)
            for (c = 1; c <= no; c++) {
                split(O[c], lo, ":")
                nl = int_in(1, 3)
                for (l = 1; l <= nl; l++) {
                    size[l] = int_in(1, 4)
                    act[l] = l == 1 || rnd() < 0.5 ? H[a] : H[int_in(1, nh)]
                }
                k = lo[2] == "softmax" ? int_in(2, 3) : int_in(1, 3)
                emit("", int_in(1, 4), nl, k, lo[2], lo[1], rnd() < 0.3 ? "index" : "", 0, "")
            }

        # No hidden layer: one input and one output where the output allows.
        for (c = 1; c <= no; c++) {
            split(O[c], lo, ":")
            emit("", c % 2 ? 1 : 3, 0, lo[2] == "softmax" ? 2 : 1, lo[2], lo[1], "", 0, "")
        }

        # Deep and narrow, 2-1-1-1-1, for every activation (softmax: 2 outputs).
        for (a = 1; a <= nh; a++)
            for (c = a; c <= no; c += nh) {
                split(O[c], lo, ":")
                for (l = 1; l <= 3; l++) {
                    size[l] = 1
                    act[l] = H[a]
                }
                emit("deep narrow", 2, 3, lo[2] == "softmax" ? 2 : 1, lo[2], lo[1], "", 0, "")
            }

        # Normalized inputs, and a wide layer feeding a wide output.
        size[1] = 3; act[1] = "tanh"; size[2] = 2; act[2] = "relu"
        emit("normalize", 3, 2, 2, "sigmoid", "binary_cross_entropy", "", 1, "")
        size[1] = 6; act[1] = "leaky_relu"
        emit("wide", 4, 1, 5, "softmax", "cross_entropy", "", 0, "")

    }' < /dev/null || { echo "Bail out! cannot generate the cases"; exit 1; }

# ---- 1. Build and check, two cases at a time; results go to files ----
# Every third case is also built with nnc --unroll never (the compact form,
# loops over arrays, that nnc picks for big networks).
cases="$tmp"
loops=
if "$NNC" --help 2>&1 | grep -q -- '--unroll'; then
    loops="$tmp/nnc-loops"
    nnc_with "$loops" --unroll never
    # The other builds are unrolled whatever their size (auto would write
    # the networks past 64 weights as loops too).
    nnc_with "$tmp/nnc-unrolled" --unroll always
    NNC="$tmp/nnc-unrolled"
fi
run_case() { # SPEC DIR, in a subshell of its own
    d="$2"
    tmp="$d" # build's messages go to the case's directory
    build "$1" "$d/prog" > "$d/build.log"
    echo $? > "$d/build.st"
    i=0
    for seed in "" 7; do
        for epochs in 0 3; do
            i=$((i + 1))
            "$d/prog" ${seed:+--seed "$seed"} --epochs "$epochs" --every 0 --gradcheck \
                > "$d/run$i.out" 2>&1
            echo $? > "$d/run$i.st"
        done
    done
}
worker() { # K: the cases on lines K, K + 2, ... (counting from 0)
    awk -v k="$1" 'NR % 2 == k' "$cases/cases.txt" |
        while IFS='|' read -r name desc todo; do
            mkdir "$cases/$name"
            (run_case "$cases/$name.nn" "$cases/$name")
            n=${name#g}
            if [ $((${n#0} % 3)) -eq 1 ] && [ -n "$loops" ]; then
                mkdir "$cases/$name/loops"
                (NNC="$loops" && run_case "$cases/$name.nn" "$cases/$name/loops")
            fi
        done
}
worker 0 &
worker 1 &
wait

# ---- 2. The results ----
pass='^gradcheck: largest relative error [^ ]+ at d_L_d_[wb][0-9]+ \(threshold 1e-05\): ok$'
results() { # DIR DESC
    st=1
    [ -f "$1/build.st" ] && read -r st < "$1/build.st"
    ok "$st" "$2: builds"
    if [ "$st" -ne 0 ]; then
        cat "$1/build.log"
        return
    fi
    i=0
    for seed in "spec seed" "seed 7"; do
        for epochs in 0 3; do
            i=$((i + 1))
            read -r st < "$1/run$i.st"
            [ "$st" -eq 0 ] && grep -Eq -- "$pass" "$1/run$i.out"
            st=$?
            what="$2: $seed, $epochs epochs: gradcheck ok, exit 0"
            ok $st "$what"
            [ $st -eq 0 ] || sed '5q; s/^/# got: /' "$1/run$i.out"
        done
    done
}
while IFS='|' read -r name desc todo; do
    results "$tmp/$name" "$desc"
    [ -d "$tmp/$name/loops" ] && results "$tmp/$name/loops" "$desc, as loops"
done < "$tmp/cases.txt"

# ---- 3. A broken chain rule is caught ----
cat > "$tmp/broken.nn" <<'EOF'
network broken {
    input 2
    hidden 3 tanh
    hidden 2 sigmoid
    output 1 sigmoid
    loss mse
    learn_rate 0.1
    epochs 5
    seed 3
}
data {
    -2 -1 -> 1
    25 6 -> 0
    0.5 0.25 -> 1
    -1.5 2 -> 0
}
EOF
# compile FILE.c EXE: as build does, from an edited file
compile() {
    $CC -std=c99 -Wall -Wextra -Wpedantic -Werror -O2 $NNC_TEST_CFLAGS -I"$RT" \
        -o "$2" "$1" "$RT/libnnrt.a" -lm 2> "$tmp/cc.err"
    local status=$?
    [ $status -eq 0 ] || sed 's/^/# /' "$tmp/cc.err"
    return $status
}
build "$tmp/broken.nn" "$tmp/good"
ok $? "broken: the unedited spec builds"
out=$("$tmp/good" --epochs 0 --gradcheck)
st=$?
like "$out" "$pass" "broken: unedited, gradcheck says ok"
is "$st" 0 "broken: unedited, gradcheck exits 0"

# Each edit: a sed script, the parameter it breaks (or '' for any), what it does.
while IFS='|' read -r script param what; do
    sed "$script" "$tmp/good.c" > "$tmp/bad.c"
    if cmp -s "$tmp/good.c" "$tmp/bad.c"; then
        ok 1 "broken: $what: the edit changes the generated file"
        continue
    fi
    ok 0 "broken: $what: the edit changes the generated file"
    compile "$tmp/bad.c" "$tmp/bad"
    ok $? "broken: $what: the edited file compiles"
    for epochs in 0 3; do
        out=$("$tmp/bad" --epochs $epochs --gradcheck 2>&1)
        st=$?
        like "$out" "^gradcheck: largest relative error [^ ]+ at d_L_d_${param:-[wb][0-9]+} \\(threshold 1e-05\\): FAILED$" \
            "broken: $what: gradcheck after $epochs epochs says FAILED${param:+ at $param}"
        is "$st" 1 "broken: $what: gradcheck after $epochs epochs exits 1"
    done
done <<'EOF'
s/^\( *double d_L_d_w1 = \)\(.*\);$/\1 2 * (\2);/|w1|d_L_d_w1 doubled
s/^\( *double d_L_d_b6 = \)\(.*\);$/\1 -(\2);/|b6|d_L_d_b6 negated (the output bias)
s/^\( *double d_h1_2_d_sum_h1_2 = \)\(.*\);$/\1 1.001 * (\2);/||tanh'(sum_h1_2) off by 0.1%
EOF

# In single precision the loss's rounding swamps the finite differences:
# the program says so instead of failing a correct gradient.
"$NNC" --precision float "$top/specs/tutorial.nn" -o "$tmp/single.c" &&
    $CC -std=c99 -Wall -Wextra -Wpedantic -Werror -O2 $NNC_TEST_CFLAGS -I"$RT" \
        -o "$tmp/single" "$tmp/single.c" "$RT/libnnrt.a" -lm
ok $? "the tutorial builds in single precision"
"$tmp/single" --epochs 0 --gradcheck > "$tmp/out" 2> "$tmp/err"
is "$?:$(cat "$tmp/out" "$tmp/err")" "2:$tmp/single: error: --gradcheck needs a network in double precision: float's rounding swamps the finite differences (build the spec with nnc --precision double to check its gradient)" \
    "--gradcheck in single precision is a usage error that says why"

done_testing
