#!/bin/sh
# Numerical faults: training that diverges stops at once and says where;
# activations and losses stay finite for inputs that would overflow a naive
# formula.
. "$(dirname "$0")/lib.sh"

# A divergence message with the parameter's value as V, after checking
# that the value is finite and past 1e150, the bound nnrt(1) gives.
past_bound() {
    v=$(sed -n 's/.* became \([-+0-9.e]*\), past 1e150,.*/\1/p' "$1")
    awk -v v="$v" 'BEGIN { exit !(v != "" && (v > 1e150 || v < -1e150) && v == v + 0 && v * 0 == 0) }' ||
        echo "value '$v' is not a finite number past 1e150"
    sed 's/ became [-+0-9.e]*, past 1e150,/ became V, past 1e150,/' "$1"
}

# A linear network with a learning rate far too high: the weights blow up,
# past 1e150 (where training has diverged, though they are finite) one
# update before they become NaN.
cat > "$tmp/div.nn" <<'SPEC'
network div { input 1 hidden 3 linear output 1 linear learn_rate 10 epochs 100 }
data { 1 -> 2  2 -> 4  3 -> 6  4 -> 8 }
SPEC
build "$tmp/div.nn" "$tmp/div"
ok $? "the diverging spec builds"

echo "keep me" > "$tmp/saved.txt"
"$tmp/div" --every 0 --save "$tmp/saved.txt" > "$tmp/out" 2> "$tmp/err"
status=$?
is "$status" 1 "a diverging run exits 1"
is "$(past_bound "$tmp/err")" "$tmp/div: error: training diverged in epoch 1 at sample 1: w1 became V, past 1e150, where no training converges; is the learning rate (10) too high?" \
    "it names the epoch, the sample and the parameter, with a hint"
is "$(cat "$tmp/saved.txt")" "keep me" "nothing is written to --save"
is "$(cat "$tmp/out")" "" "and nothing on standard output"

printf 'x,y\n1,2\n2,4\n3,6\n4,8\n' > "$tmp/d.csv"
"$tmp/div" --every 0 --data "$tmp/d.csv" 2> "$tmp/err"
is "$(past_bound "$tmp/err")" "$tmp/div: error: training diverged in epoch 1 at sample 1 ($tmp/d.csv:2): w1 became V, past 1e150, where no training converges; is the learning rate (10) too high?" \
    "with --data it names the line of the sample"
"$tmp/div" --every 0 --data "$tmp/d.csv" --batch 2 2> "$tmp/err"
is "$(past_bound "$tmp/err")" "$tmp/div: error: training diverged in epoch 2 at sample 1 ($tmp/d.csv:2), the first of a batch of 2: w1 became V, past 1e150, where no training converges; is the learning rate (10) too high?" \
    "with batches it names the batch"

# Huge sums: sigmoid, softmax and the cross-entropies must stay finite.
cat > "$tmp/big.nn" <<'SPEC'
network big { input 1 output 3 softmax loss cross_entropy epochs 0 }
params { w1 = 1000 w2 = -1000 w3 = 0 b1 = 0 b2 = 0 b3 = 0 }
data { 5 -> 1  5 -> 0  -5 -> 2 }
SPEC
build "$tmp/big.nn" "$tmp/big"
ok $? "the softmax spec builds"
out=$("$tmp/big" --predict 1000 --predict -1000 --eval)
like "$out" '^loss: [0-9.e+]+$' "cross-entropy of outputs that round to 0 and 1 is a finite number"
# The predictions: the lines after --eval's (loss, accuracy, then the measures).
predictions=$(echo "$out" | grep -Ev '^(loss|accuracy|(confusion|precision|recall|f1) [0-9]+): ')
is "$(echo "$predictions" | sed -n 1p)" "1.0 0.0 0.0" "softmax of sums 1e6, -1e6, 0 is (1, 0, 0), not NaN"
is "$(echo "$predictions" | sed -n 2p)" "0.0 1.0 0.0" "and of -1e6, 1e6, 0 is (0, 1, 0)"

cat > "$tmp/sig.nn" <<'SPEC'
network sig { input 1 output 1 sigmoid loss binary_cross_entropy epochs 0 }
params { w1 = 1000 b1 = 0 }
data { 5 -> 0  -5 -> 1 }
SPEC
build "$tmp/sig.nn" "$tmp/sig"
ok $? "the sigmoid spec builds"
out=$("$tmp/sig" --predict -1000 --predict 1000 --eval --grad)
like "$out" '^loss: [0-9.e+]+' "binary cross-entropy of saturated outputs is finite"
is "$(echo "$out" | tail -2 | tr '\n' ' ')" "0.0 1.0 " "sigmoid(-1e6) is 0 and sigmoid(1e6) is 1, without NaN"
like "$out" 'd_L_d_w1 -?[0-9]' "and the gradient is finite"

# Cross-entropy through softmax takes d_L_d_sum_ok = o_k - y_k, which holds
# only when a row's targets sum to 1: others are refused, where they are read.
cat > "$tmp/ce.nn" <<'SPEC'
network ce { input 2 output 2 softmax loss cross_entropy epochs 1 }
data { 0.5 -1 -> 0.5 1
       1 2 -> 0 0
       1 1 -> 1 }
SPEC
"$NNC" "$tmp/ce.nn" -o "$tmp/ce.c" 2> "$tmp/err"
is "$?" 1 "targets that do not sum to 1 are an error for cross_entropy"
is "$(grep error: "$tmp/err")" "$tmp/ce.nn:2:18: error: the targets of a row must sum to 1 for cross_entropy (one-hot, a class index, or probabilities) but sum to 1.5
$tmp/ce.nn:3:15: error: the targets of a row must sum to 1 for cross_entropy (one-hot, a class index, or probabilities) but sum to 0.0" \
    "each such row is reported at its targets"

cat > "$tmp/soft.nn" <<'SPEC'
network soft { input 2 hidden 3 tanh output 3 softmax loss cross_entropy epochs 2 }
data { 0.5 -1 -> 0.2 0.3 0.5
       1 2 -> 2
       -1 1 -> 0.1 0.1 0.8 }
SPEC
build "$tmp/soft.nn" "$tmp/soft"
ok $? "soft targets that sum to 1, and class indices, are accepted"
"$tmp/soft" --every 0 --gradcheck > "$tmp/out"
ok $? "and the gradient of cross-entropy with soft targets passes the gradient check"
printf 'a,b,p,q,r\n1,2,0.5,0.6,0\n' > "$tmp/bad.csv"
"$tmp/soft" --data "$tmp/bad.csv" 2> "$tmp/err"
is "$?" 1 "--data with targets that do not sum to 1 is refused"
is "$(cat "$tmp/err")" "$tmp/soft: $tmp/bad.csv:2: error: the targets of a row must sum to 1 for cross_entropy (one-hot, a class index, or probabilities) but sum to 1.1" \
    "with the file, the line and the sum"

# Normalizing inputs near the largest double: the statistics must not
# overflow.  By hand, for 1e200, 1e200, -1e200: mean 1e200 / 3 and standard
# deviation 1e200 sqrt(8/9).
printf 'network big { input 1 output 1 sigmoid normalize epochs 0 }\ndata { 0 -> 1 }\n' > "$tmp/big.nn"
build "$tmp/big.nn" "$tmp/bigp"
ok $? "a network that normalizes builds"
printf '1e200,1\n1e200,0\n-1e200,1\n' > "$tmp/huge.csv"
"$tmp/bigp" --data "$tmp/huge.csv" --save "$tmp/huge.params" > /dev/null
ok $? "it takes inputs of 1e200"
awk '$1 == "mean_x1" { m = $2 / (1e200 / 3) - 1 } $1 == "std_x1" { s = $2 / (1e200 * sqrt(8 / 9)) - 1 }
     END { exit !(m * m < 1e-24 && s * s < 1e-24) }' "$tmp/huge.params"
ok $? "with their mean and standard deviation, not inf"
"$tmp/bigp" --load "$tmp/huge.params" --predict 1e200 > /dev/null
ok $? "and the parameters it saves load back"

# Both cross-entropies take targets for probabilities: each from 0 to 1.
# Outside, the loss has no minimum (it ran to -442 on a target of 5).
printf 'a,b,p,q,r\n1,2,1e300,-1e300,1\n' > "$tmp/big.csv"
"$tmp/soft" --data "$tmp/big.csv" 2> "$tmp/err"
is "$?:$(cat "$tmp/err")" "1:$tmp/soft: $tmp/big.csv:2: error: a target must be from 0 to 1 for cross_entropy (a probability) but is 1e+300" \
    "cross_entropy refuses a target past 1, though the row sums to 1"
cat > "$tmp/bce.nn" <<'SPEC'
network bce { input 2 output 1 sigmoid loss binary_cross_entropy epochs 1 }
data { 0 0 -> 0.25
       1 1 -> -3
       1 0 -> 5 }
SPEC
"$NNC" "$tmp/bce.nn" -o "$tmp/bce.c" 2> "$tmp/err"
is "$?:$(grep error: "$tmp/err")" "1:$tmp/bce.nn:3:15: error: a target must be from 0 to 1 for binary_cross_entropy (a probability) but is -3.0
$tmp/bce.nn:4:15: error: a target must be from 0 to 1 for binary_cross_entropy (a probability) but is 5.0" \
    "binary_cross_entropy refuses targets outside [0, 1] in the spec"
printf 'network bce { input 2 output 1 sigmoid loss binary_cross_entropy epochs 1 }\ndata { 0 0 -> 0.25 }\n' > "$tmp/bce.nn"
build "$tmp/bce.nn" "$tmp/bce"
ok $? "a soft target in [0, 1] is accepted"
printf '0,0,1\n1,1,-0.5\n' > "$tmp/neg.csv"
"$tmp/bce" --data "$tmp/neg.csv" 2> "$tmp/err"
is "$?:$(cat "$tmp/err")" "1:$tmp/bce: $tmp/neg.csv:2: error: a target must be from 0 to 1 for binary_cross_entropy (a probability) but is -0.5" \
    "and --data refuses one outside"

# Adam's mean square of the partials can overflow while the parameters stay
# finite: a partial of about 2e160 (inputs of 1e80, mean squared error)
# squares past the largest double, 1.8e308.  Then m / sqrt(inf) is 0 and the
# parameter would stop moving, with nothing said, and a --save file would
# hold an inf that --load refuses.  It is divergence too.
cat > "$tmp/adam_inf.nn" <<'SPEC'
network adam_inf { input 1 output 1 linear optimizer adam epochs 3 }
data { 1e80 -> 1  -1e80 -> 0 }
SPEC
build "$tmp/adam_inf.nn" "$tmp/adam_inf"
ok $? "a spec whose partials overflow adam's state builds"
rm -f "$tmp/adam_inf.txt"
"$tmp/adam_inf" --every 0 --save "$tmp/adam_inf.txt" > "$tmp/out" 2> "$tmp/err"
is "$?:$(cat "$tmp/out" "$tmp/err")" "1:$tmp/adam_inf: error: training diverged in epoch 0 at sample 1: the optimizer's v_w1 became inf; a partial is too large for it (are the inputs or targets far from 1?)" \
    "an optimizer state that becomes inf stops training, and says which"
ok $([ ! -e "$tmp/adam_inf.txt" ]; echo $?) "and nothing is saved"

done_testing
