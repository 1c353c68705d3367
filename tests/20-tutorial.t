#!/bin/bash
# The tutorial's results, each from a spec of its own, and the tutorial's
# network (specs/tutorial.nn) trained and run the way its script is.
#
#   (1) a neuron with w = (0, 1), b = 4 gives 0.9990889488055994 for (2, 3)
#   (2) the 2-2-1 network, every neuron w = (0, 1), b = 0: 0.7216325609518421
#   (4) all weights 1, biases 0, Alice alone: h1 = 0.0474, o1 = 0.524,
#       dL/dw1 = 0.0214; then one SGD step w1 <- w1 - 0.1 dL/dw1
#   (6) training: 100 loss lines, then Emily F (> 0.5) and Frank M (< 0.5);
#       as nnrt(1) says, the runtime also prints an `Epoch N accuracy: A`
#       line after each loss line for a classifier (one sigmoid output is one)
# ((3), mse_loss = 0.5, is in 10-runtime.t; (5), the numpy code, in 21-.)
. "$(dirname "$0")/lib.sh"

# close A B TOL: |A - B| <= TOL, in doubles (awk).
close() {
    awk -v a="$1" -v b="$2" -v tol="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(a != "" && d <= tol) }'
}

# cmp_num A OP B: a numeric comparison, in doubles (awk).
cmp_num() {
    awk -v a="$1" -v b="$3" -v op="$2" 'BEGIN {
        if (a == "" || b == "") exit 1
        a += 0; b += 0
        r = op == "<" ? a < b : op == ">" ? a > b : op == "<=" ? a <= b : op == ">=" ? a >= b : 0
        exit !r }'
}

# ---- (1) A neuron: w1 = 0, w2 = 1, b = 4; x = (2, 3) -----------------------

cat > "$tmp/neuron.nn" <<'EOF'
# The tutorial's first neuron: y = f(0 * x1 + 1 * x2 + 4).
network neuron {
    input  2
    output 1 sigmoid
    loss   mse
}
params { w1 = 0  w2 = 1  b1 = 4 }
predict { x: 2 3 }
EOF
build "$tmp/neuron.nn" "$tmp/neuron"
ok $? "the neuron spec builds"

out=$("$tmp/neuron" --epochs 0 --predict 2,3 2>&1)
ok $? "neuron --epochs 0 --predict 2,3 exits 0"
is "$out" "0.9990889488055994" "(1) the neuron gives 0.9990889488055994 for (2, 3)"

out=$("$tmp/neuron" --epochs 0 2>&1)
ok $? "neuron --epochs 0 exits 0"
is "$out" "x: 0.9990889488055994" "(1) its predict block prints 'x: 0.9990889488055994'"

out=$("$tmp/neuron" --epochs 0 --predict 2,3 --predict 0,0 --predict=0,-4 2>&1)
is "$out" "0.9990889488055994
0.9820137900379085
0.5" "--predict repeats, in order (f(7), f(4), f(0))"

# The worked example's h1 = f(1 * -2 + 1 * -1 + 0) = f(-3) = 0.0474, by --load.
printf 'w1 1\nw2 1\nb1 0\n' > "$tmp/ones.txt"
# (The runtime's sigmoid is e^x / (1 + e^x) for x < 0, which may differ from
# the tutorial's 1 / (1 + e^-x) in the last bit: 0.04742587317756679.)
out=$("$tmp/neuron" --epochs 0 --load "$tmp/ones.txt" --predict -2,-1 2>&1)
is "$(printf '%.3g' "$out")" "0.0474" "(4) h1 = f(-3) = 0.0474 (got $out)"
close "$out" 0.04742587317756678 1e-17
ok $? "(4) h1 is within 1e-17 of 0.04742587317756678"

# ---- (2) The 2-2-1 network, each neuron w = (0, 1), b = 0 -------------------

cat > "$tmp/net221.nn" <<'EOF'
network feedforward {
    input  2
    hidden 2 sigmoid
    output 1 sigmoid
    loss   mse
}
params {
    w1 = 0  w2 = 1    # h1
    w3 = 0  w4 = 1    # h2
    w5 = 0  w6 = 1    # o1
    b1 = 0  b2 = 0  b3 = 0
}
predict { x: 2 3 }
EOF
build "$tmp/net221.nn" "$tmp/net221"
ok $? "the 2-2-1 spec builds"
out=$("$tmp/net221" --epochs 0 --predict 2,3 2>&1)
is "$out" "0.7216325609518421" "(2) the network gives 0.7216325609518421 for (2, 3)"
out=$("$tmp/net221" --epochs 0 2>&1)
is "$out" "x: 0.7216325609518421" "(2) its predict block prints 'x: 0.7216325609518421'"

# ---- (4) Backpropagation: all weights 1, biases 0, Alice alone -------------

cat > "$tmp/alice.nn" <<'EOF'
network alice {
    input  2
    hidden 2 sigmoid
    output 1 sigmoid
    loss   mse
    learn_rate 0.1
    epochs 1
}
params {
    w1 = 1  w2 = 1  w3 = 1  w4 = 1  w5 = 1  w6 = 1
    b1 = 0  b2 = 0  b3 = 0
}
data { -2 -1 -> 1 }   # Alice
EOF
build "$tmp/alice.nn" "$tmp/alice"
ok $? "the Alice spec builds"

out=$("$tmp/alice" --epochs 0 --predict -2,-1 2>&1)
is "$(printf '%.3f' "$out")" "0.524" "(4) o1 = 0.524 for Alice (got $out)"
close "$out" 0.5236951740839997 1e-15
ok $? "(4) o1 is f(2 f(-3)) = 0.5236951740839997"

grad=$("$tmp/alice" --epochs 0 --grad 2>&1)
ok $? "alice --epochs 0 --grad exits 0"
is "$(printf '%s\n' "$grad" | cut -d' ' -f1 | tr '\n' ' ')" \
    "d_L_d_w1 d_L_d_w2 d_L_d_w3 d_L_d_w4 d_L_d_w5 d_L_d_w6 d_L_d_b1 d_L_d_b2 d_L_d_b3 " \
    "--grad prints one d_L_d_<param> line per parameter, w1..w6 then b1..b3"
dw1=$(printf '%s\n' "$grad" | awk '$1 == "d_L_d_w1" { print $2 }')
cmp_num "$dw1" ">=" 0.0214 && cmp_num "$dw1" "<" 0.0215
ok $? "(4) dL/dw1 is the tutorial's 0.0214 to 3 figures (got $dw1)"
close "$dw1" 0.02146953526581111 1e-15
ok $? "(4) dL/dw1 is within 1e-15 of 0.02146953526581111"
# Every partial, against the chain rule worked out by hand (in Python's doubles).
for pair in w1:0.02146953526581111 w2:0.010734767632905555 w3:0.02146953526581111 \
            w4:0.010734767632905555 w5:-0.011269220242958155 w6:-0.011269220242958155 \
            b1:-0.010734767632905555 b2:-0.010734767632905555 b3:-0.23761755952842809; do
    name=${pair%%:*} want=${pair#*:}
    got=$(printf '%s\n' "$grad" | awk -v n="d_L_d_$name" '$1 == n { print $2 }')
    close "$got" "$want" 1e-15
    ok $? "(4) d_L_d_$name is $want (got $got)"
done

out=$("$tmp/alice" --epochs 0 --eval 2>&1 | grep '^loss: ')
close "${out#loss: }" 0.22686628719087137 1e-15
ok $? "(4) the loss (1 - 0.524)^2 = 0.22686628719087137 (got '$out')"

# One SGD step (one epoch of one sample): w1 <- w1 - 0.1 * dL/dw1.
out=$("$tmp/alice" --save "$tmp/alice-1.txt" 2>&1)
ok $? "alice trains for its one epoch"
like "$out" '^Epoch 0 loss: 0\.[0-9]{3}$' "... and prints one loss line"
w1=$(awk '$1 == "w1" { print $2 }' "$tmp/alice-1.txt")
close "$w1" 0.9978530464734189 1e-15
ok $? "(4) one SGD step: w1 = 1 - 0.1 * 0.0214695 = 0.9978530464734189 (got $w1)"
b3=$(awk '$1 == "b3" { print $2 }' "$tmp/alice-1.txt")
close "$b3" 0.023761755952842809 1e-15
ok $? "(4) one SGD step: b3 = 0 - 0.1 * -0.2376 = 0.023761755952842809 (got $b3)"

# ---- (6) The tutorial's network, trained as its script does -----------------

build "$top/specs/tutorial.nn" "$tmp/tutorial"
ok $? "specs/tutorial.nn builds"

"$tmp/tutorial" > "$tmp/run.out" 2> "$tmp/run.err"
ok $? "(6) tutorial with no options exits 0"
is "$(cat "$tmp/run.err")" "" "(6) ... and writes nothing to stderr"
# The tutorial's lines: the output without the accuracy lines.
run=$(grep -v '^Epoch [0-9]* accuracy: ' "$tmp/run.out")
is "$(printf '%s\n' "$run" | wc -l | tr -d ' ')" 102 "(6) it prints 102 lines besides accuracy lines"
want=$(seq 0 10 990 | sed 's/^/Epoch /; s/$/ loss:/')
is "$(printf '%s\n' "$run" | head -100 | sed 's/ [^ ]*$//')" "$want" \
    "(6) lines 1-100 are 'Epoch N loss:' for N = 0, 10, ..., 990"
bad=$(printf '%s\n' "$run" | head -100 | grep -Evc '^Epoch [0-9]+ loss: [0-9]+\.[0-9]{3}$')
is "$bad" 0 "(6) every loss is printed with %.3f"
first=$(printf '%s\n' "$run" | head -1 | awk '{ print $4 }')
last=$(printf '%s\n' "$run" | sed -n 100p | awk '{ print $4 }')
cmp_num "$last" "<" "$first"
ok $? "(6) the loss falls: last $last < first $first"

# The accuracy lines: one after each loss line, of the same epoch.
bad=$(awk '
    /^Epoch [0-9]+ accuracy: / {
        n++
        if (prev != "Epoch " $2 " loss:") print "line " NR " does not follow the loss line of its epoch"
        if ($0 !~ /^Epoch [0-9]+ accuracy: [01]\.[0-9][0-9][0-9]$/) print "line " NR " is not %.3f"
    }
    { prev = $1 " " $2 " " $3 }
    END { if (n != 100) print n + 0 " accuracy lines, not 100" }' "$tmp/run.out")
is "$bad" "" "(6) an 'Epoch N accuracy: A' line follows each loss line"
is "$(grep '^Epoch 990 accuracy: ' "$tmp/run.out")" "Epoch 990 accuracy: 1.000" \
    "(6) after training, all four people are classified right"
emily=$(printf '%s\n' "$run" | sed -n 101p)
frank=$(printf '%s\n' "$run" | sed -n 102p)
like "$emily" '^emily: 0\.[0-9]+(e-[0-9]+)?$' "(6) line 101 is 'emily: VALUE'"
like "$frank" '^frank: [0-9.e-]+$' "(6) line 102 is 'frank: VALUE'"
cmp_num "${emily#emily: }" ">" 0.5
ok $? "(6) Emily comes out F: ${emily#emily: } > 0.5"
cmp_num "${frank#frank: }" "<" 0.5
ok $? "(6) Frank comes out M: ${frank#frank: } < 0.5"

out=$("$tmp/tutorial" 2>&1)
is "$out" "$(cat "$tmp/run.out")" "a second run prints the same (seeded)"
out=$("$tmp/tutorial" --seed 2 2>&1)
ok $([ "$out" != "$(cat "$tmp/run.out")" ]; echo $?) "--seed 2 trains from another start"

out=$("$tmp/tutorial" --every 0 2>&1)
ok $? "--every 0 exits 0"
is "$out" "$emily
$frank" "--every 0 prints no loss lines, and the same predictions"

out=$("$tmp/tutorial" --every 100 2>&1)
is "$(printf '%s\n' "$out" | grep -c '^Epoch [0-9]* loss: ')" 10 "--every 100 prints 10 loss lines"
is "$(printf '%s\n' "$out" | grep '^Epoch ')" "$(grep -E '^Epoch (0|[0-9]*00) ' "$tmp/run.out")" \
    "... those of epochs 0, 100, ..., 900"

# --save after training, then --load it: the same loss as --eval after training.
out=$("$tmp/tutorial" --eval 2>&1)
ok $? "--eval after training exits 0"
trained=$(printf '%s\n' "$out" | grep -v '^Epoch ')
like "$trained" '^loss: [0-9]' "--eval prints 'loss: VALUE' after the loss lines"
is "$(printf '%s\n' "$trained" | grep -Evc '^(loss|accuracy|(confusion|precision|recall|f1) [01]): ')" 0 \
    "--eval prints no predictions (only loss, accuracy and the classifier's measures)"
"$tmp/tutorial" --save "$tmp/trained.txt" > /dev/null 2>&1
ok $? "--save exits 0"
is "$(grep -v '^#' "$tmp/trained.txt" | head -9 | awk '{ print $1 }' | tr '\n' ' ')" \
    "w1 w2 w3 w4 w5 w6 b1 b2 b3 " "the saved file has w1..w6, b1..b3 first, in parameter order"
is "$(grep -v '^#' "$tmp/trained.txt" | grep -Evc '^[a-z0-9]+ -?[0-9.]+(e[-+][0-9]+)?$')" 0 \
    "the saved file has 'name value' lines"
out=$("$tmp/tutorial" --load "$tmp/trained.txt" --epochs 0 --eval 2>&1)
ok $? "--load --epochs 0 --eval exits 0"
is "$out" "$trained" "--load of the saved parameters gives the same loss as --eval after training"
out=$("$tmp/tutorial" --load "$tmp/trained.txt" --epochs 0 2>&1)
is "$out" "$emily
$frank" "--load of the saved parameters gives the same predictions"

# --help and --version.
out=$("$tmp/tutorial" --help 2>&1)
ok $? "--help exits 0"
missing=
for opt in --epochs --learn-rate --seed --every --data --test --load --save --predict --eval \
           --grad --gradcheck --help --version; do
    printf '%s\n' "$out" | grep -Eq -- "^ *(-h, )?$opt\\b" || missing="$missing $opt"
done
is "$missing" "" "--help lists every option"
like "$out" "^usage: $tmp/tutorial " "--help starts with a usage line"
out=$("$tmp/tutorial" --version 2>&1)
ok $? "--version exits 0"
like "$out" 'nnrt [0-9]+\.[0-9]+' "--version names the runtime's version"

# ---- The generated C is clean under strict warnings -------------------------

strict="-std=c99 -O2 -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Werror"
for compiler in gcc clang; do
    if ! command -v $compiler > /dev/null 2>&1; then
        for prog in tutorial neuron net221 alice; do
            skip "$compiler is not installed"
        done
        continue
    fi
    for prog in tutorial neuron net221 alice; do
        $compiler $strict $NNC_TEST_CFLAGS -I"$RT" -o "$tmp/$prog-$compiler" "$tmp/$prog.c" "$RT/libnnrt.a" -lm \
            > "$tmp/strict.err" 2>&1
        status=$?
        [ $status -eq 0 ] || sed 's/^/# /' "$tmp/strict.err"
        ok $status "$prog.c compiles with $compiler $strict"
    done
done

done_testing
