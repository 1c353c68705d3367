#!/bin/bash
# nnc --emit dot (the network drawn for Graphviz) and nnc --explain NAME
# (a name of the generated code explained, chain rule first).
#
#   - the drawing of every spec in specs/, and of a deep network, parses
#     with `dot -Tsvg` and shows the names of the generated C: inputs,
#     neurons h1 .. o1, biases b1 .., weights w1 .. (skipped without dot,
#     from Debian's graphviz package); -o writes what stdout would get;
#   - past 200 weights the edges lose their labels, and the graph says so;
#   - --explain d_L_d_w1 on the tutorial's network prints exactly the
#     tutorial's chain rule, its factors and the C that computes them;
#   - other names (sums, activations, partials, softmax's, parameters)
#     are explained for the tutorial, iris and a 3-hidden-layer network;
#   - a name that is not one is an error with a near miss, exit status 1.
. "$(dirname "$0")/lib.sh"

cd "$top" || exit 1
if [ ! -x compiler/nnc ]; then
    echo "Bail out! compiler/nnc is not built (run make)"
    exit 1
fi

# has_all FILE WORD...: passes when FILE holds each WORD as a whole SVG text (>WORD<).
has_all() {
    local file=$1 missing=
    shift
    for w in "$@"; do
        grep -q ">$w<" "$file" || missing="$missing $w"
    done
    [ -z "$missing" ] || echo "# missing:$missing"
    [ -z "$missing" ]
}

cat > "$tmp/deep.nn" <<'EOF'
# Three hidden layers of different activations, two outputs.
network deep {
    input  3
    hidden 3 relu
    hidden 2 tanh
    hidden 2 sigmoid
    output 2 sigmoid
    loss   mse
}
EOF

# ---- --emit dot ---------------------------------------------------------------

if ! command -v dot > /dev/null 2>&1; then
    skip "dot is not installed (apt-get install graphviz)"
else
    "$NNC" --emit dot specs/tutorial.nn > "$tmp/tutorial.dot" 2> "$tmp/err"
    ok $? "--emit dot specs/tutorial.nn"
    dot -Tsvg "$tmp/tutorial.dot" -o "$tmp/tutorial.svg" 2> "$tmp/dot.err"
    ok $? "dot -Tsvg parses the tutorial's drawing"
    sed 's/^/# /' "$tmp/dot.err"
    has_all "$tmp/tutorial.svg" weight height h1 h2 o1 w1 w2 w3 w4 w5 w6 b1 b2 b3 sigmoid y_pred
    ok $? "the drawing shows the inputs, h1 h2 o1, w1 .. w6, b1 .. b3"
    grep -q 'rankdir=LR' "$tmp/tutorial.dot"
    ok $? "laid out left to right"

    "$NNC" --emit dot specs/tutorial.nn -o "$tmp/tutorial-o.dot" > "$tmp/out" 2> "$tmp/err"
    ok $? "--emit dot -o FILE"
    cmp -s "$tmp/tutorial-o.dot" "$tmp/tutorial.dot" && [ ! -s "$tmp/out" ]
    ok $? "-o FILE holds what stdout gets, and stdout is empty"

    for spec in specs/*.nn "$tmp/deep.nn"; do
        name=$(basename "$spec" .nn)
        "$NNC" --emit dot "$spec" > "$tmp/$name.dot" 2> "$tmp/err" &&
            dot -Tsvg "$tmp/$name.dot" -o "$tmp/$name.svg" 2> "$tmp/dot.err"
        ok $? "$name: --emit dot parses with dot -Tsvg"
        sed 's/^/# /' "$tmp/err" "$tmp/dot.err"
    done
    has_all "$tmp/deep.svg" x1 x3 h1_1 h1_3 h2_2 h3_1 o2 w1 w23 b1 b9 relu tanh sigmoid
    ok $? "deep: every layer drawn, h1_1 .. h3_2, w1 .. w23, b1 .. b9"

    # A network with maps: the input map and each conv or pool layer one node, a stack (box3d),
    # as many as the spec has statements; their sizes worked out by hand from the specs.
    for spec in specs/*.nn; do
        grep -Eq '^[[:space:]]*(conv|pool)[[:space:]]' "$spec" || continue
        name=$(basename "$spec" .nn)
        is "$(grep -c 'shape=box3d' "$tmp/$name.dot")" \
            "$((1 + $(grep -Ec '^[[:space:]]*(conv|pool)[[:space:]]' "$spec")))" \
            "$name: one node for the input map and one for each conv or pool layer"
    done
    has_all "$tmp/tiny_cnn.svg" x 'input 5x5x1' 'x\[0\] .. x\[24\]' c1 'conv 2 2x2 tanh, stride 1' \
        '4x4x2: 2 maps of 4x4' '2 filters of 2x2x1: w1 .. w8' 'biases b1 .. b2' p1 'pool max 2x2, stride 2' \
        '2x2x2: 2 maps of 2x2' '2x2 kernel' '2x2 window' 'w9 .. w16' o1 b3 y_pred
    ok $? "tiny_cnn: 5x5 by 2 filters of 2x2 makes 4x4x2, pooled 2x2x2, whose 8 values feed o1 by w9 .. w16"
    has_all "$tmp/sensor_cnn.svg" 'input 1x32x3' 'conv 6 1x5 relu, stride 1' '1x28x6: 6 maps of 1x28' \
        '6 filters of 1x5x3: w1 .. w90' 'pool max 1x4, stride 1x4' '1x7x6: 6 maps of 1x7' 'w91 .. w132' \
        'w217 .. w258' b10
    ok $? "sensor_cnn: 1x32x3 by 6 filters of 1x5x3 (90 weights), 1x28x6, pooled 1x7x6 into 4 outputs of 42"

    # Maps, then dense layers: padding, average pooling, a stride, two hidden layers (one collapsed).
    cat > "$tmp/deep_cnn.nn" <<'NN'
network deep_cnn {
    input  12x12x3
    conv   4 3x3 relu padding 1    # 12x12x4
    pool   avg 2x2                 # 6x6x4
    conv   6 3x3 tanh stride 2     # 2x2x6
    hidden 20 relu
    hidden 3 sigmoid
    output 2 softmax
    loss   cross_entropy
}
NN
    "$NNC" --emit dot "$tmp/deep_cnn.nn" > "$tmp/deep_cnn.dot" 2> "$tmp/err" &&
        dot -Tsvg "$tmp/deep_cnn.dot" -o "$tmp/deep_cnn.svg" 2> "$tmp/dot.err"
    ok $? "deep_cnn: --emit dot parses with dot -Tsvg"
    sed 's/^/# /' "$tmp/err" "$tmp/dot.err"
    is "$(grep -o '^        [a-z0-9_]* \[' "$tmp/deep_cnn.dot" | grep -v title | tr -d ' [' | paste -sd' ')" \
        "x c1 p1 c2 h1_1 h1_2 h1_3 more4 h1_20 h2_1 h2_2 h2_3 o1 o2" \
        "deep_cnn: x, c1, p1, c2 one node each, then the dense layers named as nnc names them"
    has_all "$tmp/deep_cnn.svg" 'conv 4 3x3 relu, stride 1, padding 1' '12x12x4: 4 maps of 12x12' \
        '4 filters of 3x3x3: w1 .. w108' 'pool avg 2x2, stride 2' '6x6x4: 4 maps of 6x6' \
        'conv 6 3x3 tanh, stride 2' '2x2x6: 6 maps of 2x2' '6 filters of 3x3x4: w109 .. w324' 'biases b5 .. b10' \
        'pool layer 1' 'conv layer 2' 'hidden layer 1, relu'
    ok $? "deep_cnn: each map's shape, statement, filters and parameters"
    grep -q 'c2 -> h1_1 \[label="w325 .. w348", decorate=true\];' "$tmp/deep_cnn.dot" &&
        grep -q 'c2 -> h1_20 \[label="w781 .. w804", decorate=true\];' "$tmp/deep_cnn.dot" &&
        grep -q 'c2 -> more4 \[style=dashed' "$tmp/deep_cnn.dot" &&
        grep -q 'h1_1 -> h2_1 \[label="w805", decorate=true\];' "$tmp/deep_cnn.dot" &&
        grep -q 'label="h1_1\\nb11\\nrelu"' "$tmp/deep_cnn.dot" &&
        grep -q 'label="o1\\nb34\\nsoftmax"' "$tmp/deep_cnn.dot"
    ok $? "deep_cnn: the 24 flattened values feed each of h1's neurons (w325 .. w348 into h1_1), then w805 .."

    # breast_cancer has 30 * 16 + 16 = 496 weights: no edge labels, and a comment saying so.
    grep -q 'weight labels are left out' "$tmp/breast_cancer.dot" &&
        ! grep -q 'label="w1"' "$tmp/breast_cancer.dot" &&
        grep -q 'label="w56"' "$tmp/iris.dot"
    ok $? "past 200 edges the weight labels are left out (breast_cancer), not before (iris)"
fi

# ---- --explain ----------------------------------------------------------------

"$NNC" --explain d_L_d_w1 specs/tutorial.nn > "$tmp/out" 2> "$tmp/err"
ok $? "--explain d_L_d_w1 specs/tutorial.nn"
is "$(cat "$tmp/out")" "$(cat <<'EOF'
d_L_d_w1 is dL/dw1, the partial derivative of the loss L with respect to the
weight w1 of the edge from input x[0] (weight) to neuron h1: how much L changes
when w1 changes a little. Gradient descent moves w1 against it:
w1 -= learn_rate * dL/dw1.

By the chain rule:

    dL/dw1 = dL/dypred * dypred/dh1 * dh1/dw1

where, for this network,

    dL/dypred  = -2 * (y_true - y_pred)
    dypred/dh1 = w5 * f'(sum_o1)
    dh1/dw1    = x[0] * f'(sum_h1)

and f' is the derivative of the activation (sigmoid), computed from values the
feedforward already has:

    f'(sum_o1) = o1 * (1 - o1)
    f'(sum_h1) = h1 * (1 - h1)

In gender_train_sample, these lines compute it, in this order (h1, o1 and y_pred
come from the feedforward before them):

    double d_L_d_ypred = -2 * (y_true[0] - y_pred);
    double d_ypred_d_sum_o1 = o1 * (1 - o1);
    double d_ypred_d_h1 = nn->w5 * d_ypred_d_sum_o1;
    double d_h1_d_sum_h1 = h1 * (1 - h1);
    double d_h1_d_w1 = x[0] * d_h1_d_sum_h1;
    double d_L_d_w1 = d_L_d_ypred * d_ypred_d_h1 * d_h1_d_w1;
EOF
)" "the tutorial's dL/dw1: chain rule, factors, f' and the C, exactly"
is "$(cat "$tmp/err")" "" "nothing on stderr"
cp "$tmp/out" "$tmp/explained"
"$NNC" --explain d_L_d_w1 specs/tutorial.nn -o "$tmp/explain.txt" > "$tmp/out" 2> "$tmp/err"
is "$?:$(cat "$tmp/out" "$tmp/err")" "0:" "--explain with -o: nothing on stdout or stderr"
cmp -s "$tmp/explain.txt" "$tmp/explained"
ok $? "-o FILE holds what stdout gets"
printf 'kept\n' > "$tmp/explain.txt"
"$NNC" --explain d_L_d_w99 specs/tutorial.nn -o "$tmp/explain.txt" > /dev/null 2>&1
is "$?:$(cat "$tmp/explain.txt")" "1:kept" "a name that is not there leaves -o as it was"

# explains SPEC NAME...: each NAME is explained, with the C line that defines it.
explains() {
    local spec=$1 name bad=
    shift
    for name in "$@"; do
        if ! "$NNC" --explain "$name" "$spec" > "$tmp/out" 2> "$tmp/err" ||
            ! head -1 "$tmp/out" | grep -q "^$name is " ||
            ! grep -Eq "^    (double|float) $name = " "$tmp/out" ||
            [ -s "$tmp/err" ] || awk 'length > 99 { bad = 1 } END { exit !bad }' "$tmp/out"; then
            bad="$bad $name"
            sed 's/^/# /' "$tmp/err"
        fi
    done
    [ -z "$bad" ] || echo "# not explained:$bad"
    [ -z "$bad" ]
}

explains specs/tutorial.nn sum_h1 h1 y_pred d_L_d_ypred d_ypred_d_w5 d_ypred_d_h1 \
    d_h1_d_sum_h1 d_h1_d_w2 d_L_d_w6 d_L_d_b3
ok $? "tutorial: sums, activations, y_pred, every kind of partial"

explains specs/iris.nn d_L_d_w1 d_L_d_h1 d_L_d_sum_o1 d_L_d_w33 d_L_d_b9 o2 max_sum_o sum_exp
ok $? "iris (softmax, cross-entropy): d_L_d_h1, d_L_d_sum_o1, the softmax's values"

explains "$tmp/deep.nn" d_L_d_w1 d_L_d_h1_1 d_h2_1_d_h1_1 d_L_d_o1 d_o2_d_h3_2 sum_h3_2 d_L_d_b9
ok $? "deep (3 hidden layers): partials through every layer"

"$NNC" --explain d_L_d_w1 specs/iris.nn > "$tmp/out" 2> "$tmp/err"
grep -q '^    dL/dw1 = dL/dh1 \* dh1/dw1$' "$tmp/out" &&
    grep -q '^    dL/dh1     = dL/dsum_o1 \* w33 + dL/dsum_o2 \* w41 + dL/dsum_o3 \* w49$' "$tmp/out" &&
    grep -q 'h1 feeds o1, o2 and o3' "$tmp/out" &&
    grep -q '^Cross-entropy through softmax: dL/dsum_ok = o_k - y_true_k' "$tmp/out"
ok $? "iris d_L_d_w1: through d_L_d_h1, a sum over the outputs, and softmax's simplification"

"$NNC" --explain d_L_d_w1 "$tmp/deep.nn" > "$tmp/out" 2> "$tmp/err"
grep -q '^    dL/dw1 = dL/dh1_1 \* dh1_1/dw1$' "$tmp/out" &&
    grep -q "^    f'(sum_h1_1) = relu'(sum_h1_1)" "$tmp/out" &&
    grep -q "^    f'(sum_h2_1) = tanh'(sum_h2_1)" "$tmp/out" &&
    grep -q '^    double d_L_d_o1 = ' "$tmp/out" &&
    ! grep -q '^    double sum_h1_1 = ' "$tmp/out"
ok $? "deep d_L_d_w1: every layer's f', the loss's partial, no feedforward lines"

"$NNC" --explain w5 specs/tutorial.nn > "$tmp/out" 2> "$tmp/err"
ok $? "--explain w5: a parameter"
grep -q '^    double sum_o1 = nn->w5 \* h1' "$tmp/out" && grep -q '^    nn->w5 -= ' "$tmp/out"
ok $? "a parameter's explanation shows the lines that use it"

# The optimizer's state: its formulas, and the lines of NAME_update for its
# parameter, which are taken here from the C by sed (the unrolled form).
printf 'network mom { input 2 hidden 2 sigmoid output 1 sigmoid optimizer momentum nesterov }\n' > "$tmp/mom.nn"
printf 'network adam { input 2 hidden 12 sigmoid output 1 sigmoid optimizer adam }\n' > "$tmp/adam.nn"
for case in "mom velocity_w1 w1" "adam v_w10 w10" "adam m_b1 b1"; do
    set -- $case
    "$NNC" --explain "$2" "$tmp/$1.nn" > "$tmp/out" 2> "$tmp/err"
    is "$?:$(cat "$tmp/err")" "0:" "--explain $2 ($1): the optimizer's state"
    "$NNC" --unroll always "$tmp/$1.nn" |
        sed -n "/^void $1_update(/,/^}/p" | grep -E "(->|_)$3( |;|\))" > "$tmp/want"
    sed -n "/^In $1_update, for $3:\$/,\$p" "$tmp/out" | sed '1,2d' > "$tmp/got"
    if [ -s "$tmp/want" ] && cmp -s "$tmp/got" "$tmp/want"; then ok 0 "--explain $2: the lines of $1_update for $3"
    else ok 1 "--explain $2: the lines of $1_update for $3"; diff "$tmp/want" "$tmp/got" | sed 's/^/# /'; fi
done
"$NNC" --explain velocity_w1 "$tmp/mom.nn" | grep -q '^    velocity_param = momentum \* velocity_param + d_L_d_param$'
ok $? "velocity_w1: and momentum's formula"
"$NNC" --explain m_w1 "$tmp/mom.nn" > "$tmp/out" 2> "$tmp/err"
is "$?" 1 "m_w1 is no name of a momentum network"

# A network written in the compact form: the explanation says so first.
"$NNC" --explain w1 --unroll never specs/iris.nn > "$tmp/out" 2> "$tmp/err"
head -n 1 "$tmp/out" | grep -q "^Network 'iris' has 56 weights, so nnc writes its C in the compact form: loops" &&
    grep -q '(w1 is nn->w\[0\], b1 is nn->b\[0\])' "$tmp/out"
ok $? "--explain under --unroll never: first, that the C is in the compact form"
"$NNC" --explain w1 specs/iris.nn > "$tmp/out" 2> "$tmp/err"
! grep -q 'compact form' "$tmp/out"
ok $? "--explain on iris's unrolled C: no word of the compact form"

# The compact form (digits: 64-32-10, 2368 weights) is explained as its
# loops have it: where each value lives in the arrays, and the loops that
# compute it, which are lines of the C that nnc writes, at the numbers given.
"$NNC" specs/digits.nn > "$tmp/digits.c"
"$NNC" --explain d_L_d_w1 specs/digits.nn > "$tmp/out" 2> "$tmp/err"
is "$?:$(cat "$tmp/err")" "0:" "--explain d_L_d_w1 on digits (compact form)"
grep -q '^    dL/dw1 = dL/dh1 \* dh1/dw1$' "$tmp/out"
ok $? "digits d_L_d_w1: the same chain rule as the unrolled form"
grep -q '^    d_L_d_h1  *d_L_d_h\[0\]$' "$tmp/out" &&
    grep -q '^    d_L_d_sum_o10  *d_L_d_sum_o\[9\]$' "$tmp/out" &&
    grep -q '^    d_L_d_w1  *d_L_d_sum_h\[0\] \* x\[0\], .*nn->w\[0\]' "$tmp/out"
ok $? "digits d_L_d_w1: dL/dh1 is d_L_d_h[0], dL/dsum_o10 d_L_d_sum_o[9], dL/dw1 d_L_d_sum_h[0] * x[0]"
# shown_lines FILE: the C lines after "(lines A-B and C-D of the C):", each
# range checked against those lines of digits.c.
shown_lines() {
    local ranges want= c=${2:-$tmp/digits.c}
    ranges=$(tr '\n' ' ' < "$1" | sed -n 's/.*(lines \([-0-9 ,and]*\) of the C):.*/\1/p' | sed 's/ and /, /g; s/,//g')
    [ -n "$ranges" ] || return 1
    for r in $ranges; do
        want="$want$(sed -n "${r%-*},${r#*-}p" "$c")"$'\n\n'
    done
    [ "$(printf '%s' "$want")" = "$(sed -n '/of the C):$/,$p' "$1" | sed '1,2d' | sed '/^[^ ]/,$d')" ]
}
shown_lines "$tmp/out"
ok $? "digits d_L_d_w1: the loops shown are those lines of the C file"
grep -q '^            w\[i\] -= learn_rate \* (d \* x\[i\]);$' "$tmp/out" &&
    grep -q '^        d_L_d_sum_o\[k\] = o\[k\] - y_true\[k\];$' "$tmp/out" &&
    ! grep -q '^    double d_L_d_w1 = ' "$tmp/out"
ok $? "digits d_L_d_w1: the loss's loop and the update of x's weights, no unrolled line"
"$NNC" --explain d_L_d_h5 specs/digits.nn > "$tmp/out" 2> "$tmp/err"
grep -q '^    d_L_d_h5  *d_L_d_h\[4\]$' "$tmp/out" && shown_lines "$tmp/out"
ok $? "digits d_L_d_h5: d_L_d_h[4], and its loops are lines of the C"
for case in "w1 w[0]" "w2049 w[2048]" "w2368 w[2367]" "b1 b[0]" "b33 b[32]"; do
    set -- $case
    "$NNC" --explain "$1" specs/digits.nn > "$tmp/out" 2> "$tmp/err"
    tr '\n' ' ' < "$tmp/out" | grep -Fq "In the generated C it is nn->$2, in an array of struct digits" &&
        shown_lines "$tmp/out"
    ok $? "digits $1 is nn->$2 (64 * 32 = 2048 weights into h first), with its layer's loops"
done

# ---- Conv and pool layers -------------------------------------------------------

# first_paragraph NAME SPEC [OPTION...]: the explanation's opening paragraph (after the compact
# form's note), joined into one line.
first_paragraph() {
    local name=$1 spec=$2
    shift 2
    "$NNC" "$@" --explain "$name" "$spec" | awk -v n="$name" '!on && index($0, n " is ") == 1 { on = 1 }
        on && /^$/ { exit } on { printf "%s%s", sep, $0; sep = " " }'
}

# tiny_cnn (unrolled): 5x5 by 2 filters of 2x2 (w1 .. w4, w5 .. w8), 4x4x2, pooled 2x2 to 2x2x2.
is "$(first_paragraph d_L_d_w1 specs/tiny_cnn.nn)" \
    "d_L_d_w1 is dL/dw1, the partial derivative of the loss L with respect to the weight w1 of filter 1 of conv layer c1 (kernel row 1, column 1, input channel 1), shared by every position of its map: how much L changes when w1 changes a little. Gradient descent moves w1 against it: w1 -= learn_rate * dL/dw1. Filter 1 uses w1 at each of its 16 positions, so dL/dw1 adds up one partial for each: the sum over the positions where it was used." \
    "tiny_cnn d_L_d_w1: a weight of filter 1, shared by the 16 positions of a 4x4 map, its partial a sum"
first_paragraph w7 specs/tiny_cnn.nn | grep -Fq \
    "the weight w7 of filter 2 of conv layer c1 (kernel row 2, column 1, input channel 1), shared by every position of its map."
ok $? "tiny_cnn w7: filter 2's third tap, kernel row 2, column 1"
first_paragraph d_L_d_b2 specs/tiny_cnn.nn | grep -Fq \
    "the bias b2 of filter 2 of conv layer c1, shared by every position of its map: how much L changes when b2 changes a little. Gradient descent moves b2 against it: b2 -= learn_rate * dL/db2. Filter 2 uses b2 at each of its 16 positions"
ok $? "tiny_cnn d_L_d_b2: the bias of filter 2, a sum over its 16 positions"
is "$(first_paragraph c1_2_3_1 specs/tiny_cnn.nn)" \
    "c1_2_3_1 is the value of conv layer c1's map at row 2, column 3, channel 1: filter 1's activation, tanh, applied to sum_c1_2_3_1." \
    "tiny_cnn c1_2_3_1: a position of conv layer c1's map"
is "$(first_paragraph p1_2_1_2 specs/tiny_cnn.nn)" \
    "p1_2_1_2 is the value of pool layer p1's map at row 2, column 1, channel 2: the largest of the 2x2 window of c1 under it, channel 2: c1_3_1_2, c1_3_2_2, c1_4_1_2 and c1_4_2_2 (of equal values, the first in row-major order)." \
    "tiny_cnn p1_2_1_2: the largest of rows 3-4, columns 1-2 of c1's channel 2"
is "$(first_paragraph sum_c1_1_2_2 specs/tiny_cnn.nn)" \
    "sum_c1_1_2_2 is the weighted sum of filter 2 of conv layer c1 at row 1, column 2 of its map: the filter's 2x2x1 weights times the values under them there, plus its bias b2, before its activation (tanh)." \
    "tiny_cnn sum_c1_1_2_2: filter 2's weighted sum at a position"
first_paragraph d_L_d_c1_1_1_1 specs/tiny_cnn.nn | grep -Fq \
    "with respect to c1_1_1_1, the value of conv layer c1's map at row 1, column 1, channel 1: how much L"
ok $? "tiny_cnn d_L_d_c1_1_1_1: with respect to a position of the map"
first_paragraph d_L_d_w9 specs/tiny_cnn.nn | grep -Fq "the weight w9 of the edge from p1_1_1_1 to neuron o1"
ok $? "tiny_cnn d_L_d_w9: a dense weight is still an edge, from the flattened map"
explains specs/tiny_cnn.nn c1_2_3_1 sum_c1_1_2_2 p1_2_1_2 d_L_d_p1_1_1_1 d_c1_1_1_1_d_sum_c1_1_1_1
ok $? "tiny_cnn: map values and their partials, each with its line of C"
# Through a max pool the C holds its winner tests, lines of more than 99 columns: not measured.
bad=
for name in d_L_d_w1 d_L_d_b2 d_L_d_c1_1_1_1 d_L_d_sum_c1_2_2_2 d_p1_1_1_1_d_c1_1_1_1; do
    "$NNC" --explain "$name" specs/tiny_cnn.nn > "$tmp/out" 2> "$tmp/err" && head -1 "$tmp/out" | grep -q "^$name is " &&
        grep -Eq "^    double $name = " "$tmp/out" && [ ! -s "$tmp/err" ] || bad="$bad $name"
done
is "$bad" "" "tiny_cnn: filter partials and partials through the pool, each with its line of C"

# Padding: a 2x2 input, a 2x2 kernel and padding 1 make 3x3 positions; the kernel's first tap
# lies on the input at 2 x 2 of them only.
printf 'network padded {\n input 2x2\n conv 1 2x2 linear padding 1\n output 1 sigmoid\n}\n' > "$tmp/padded.nn"
first_paragraph d_L_d_w1 "$tmp/padded.nn" | grep -Fq \
    "Filter 1 uses w1 at 4 of its 9 positions (at the others it falls on the padding), so dL/dw1 adds up one partial for each of those 4: the sum over the positions where it was used."
ok $? "padding: w1 is used at 4 of the 9 positions, and its partial sums those 4"

# digits_cnn (compact): the same words, the arrays of the loops, and the loops themselves,
# which are lines of the C that nnc writes.
"$NNC" specs/digits_cnn.nn > "$tmp/digits_cnn.c"
"$NNC" --explain d_L_d_w10 specs/digits_cnn.nn > "$tmp/out" 2> "$tmp/err"
is "$?:$(cat "$tmp/err")" "0:" "--explain d_L_d_w10 on digits_cnn (compact form)"
head -n 1 "$tmp/out" | grep -q "^Network 'digits_cnn' has 1584 weights, so nnc writes its C in the compact form" &&
    first_paragraph d_L_d_w10 specs/digits_cnn.nn | grep -Fq \
        "the weight w10 of filter 2 of conv layer c1 (kernel row 1, column 1, input channel 1), shared by every position of its map: how much L changes when w10 changes a little. Gradient descent moves w10 against it: w10 -= learn_rate * dL/dw10. Filter 2 uses w10 at each of its 36 positions"
ok $? "digits_cnn d_L_d_w10: filter 2's first tap (16 filters of 3x3: w10 .. w18), 6x6 = 36 positions"
# w10 is filter 2's first tap: by tap, 16 filters a tap, it is d_L_d_wt_c1[0 * 16 + 1].
grep -q '^    d_L_d_w10  *d_L_d_wt_c1\[0 \* 16 + 1\] = d_L_d_wt_c1\[1\], the sum over the positions; then nn->w\[9\] is moved against it$' "$tmp/out" &&
    grep -q '^    d_L_d_sum_c1_1_1_2  *d_L_d_sum_c1\[1\]$' "$tmp/out" &&
    grep -q '^ *d_L_d_wt_c1\[t \* 16 + f\] += d\[f\] \* v;$' "$tmp/out" &&
    shown_lines "$tmp/out" "$tmp/digits_cnn.c"
ok $? "digits_cnn d_L_d_w10: d_L_d_wt_c1[1], summed from d_L_d_sum_c1[], and its loops are lines of the C"
"$NNC" --explain c1_2_3_1 specs/digits_cnn.nn > "$tmp/out" 2> "$tmp/err"
first_paragraph c1_2_3_1 specs/digits_cnn.nn | grep -Fq "c1_2_3_1 is the value of conv layer c1's map at row 2, column 3, channel 1: filter 1's activation, relu" &&
    grep -q '^    c1_2_3_1      c1\[128\]$' "$tmp/out" && grep -q '^    sum_c1_2_3_1  sum_c1\[128\]$' "$tmp/out" &&
    shown_lines "$tmp/out" "$tmp/digits_cnn.c"
ok $? "digits_cnn c1_2_3_1: c1[(1 * 6 + 2) * 16 + 0] = c1[128], and its loops are lines of the C"
"$NNC" --explain d_L_d_p1_2_2_3 specs/digits_cnn.nn > "$tmp/out" 2> "$tmp/err"
grep -q '^    d_L_d_p1_2_2_3  *d_L_d_p1\[66\]$' "$tmp/out" && shown_lines "$tmp/out" "$tmp/digits_cnn.c"
ok $? "digits_cnn d_L_d_p1_2_2_3: d_L_d_p1[(1 * 3 + 1) * 16 + 2] = d_L_d_p1[66], its loops lines of the C"
"$NNC" --explain b2 specs/digits_cnn.nn > "$tmp/out" 2> "$tmp/err"
tr '\n' ' ' < "$tmp/out" | grep -Fq "the bias b2 of filter 2 of conv layer c1, shared by every position of its map. In the generated C it is nn->b[1]" &&
    tr '\n' ' ' < "$tmp/out" | grep -Fq "here d_L_d_b_c1[1], the sum over the positions; then nn->b[1] is moved against it." &&
    shown_lines "$tmp/out" "$tmp/digits_cnn.c"
ok $? "digits_cnn b2: nn->b[1], its partial d_L_d_b_c1[1], its layer's loops lines of the C"
"$NNC" --explain w200 specs/digits_cnn.nn > "$tmp/out" 2> "$tmp/err"
tr '\n' ' ' < "$tmp/out" | grep -Fq "the weight w200 of the edge from p1_2_1_8 to neuron o1." &&
    tr '\n' ' ' < "$tmp/out" | grep -Fq "here d_L_d_sum_o[0] * p1[55]." && shown_lines "$tmp/out" "$tmp/digits_cnn.c"
ok $? "digits_cnn w200: o1's 56th weight (144 filter weights first), read from p1[55] = p1_2_1_8"

# Any size is explained (the C is not read back): 784-300-10, 238,200 weights.
printf 'network huge { input 784 hidden 300 sigmoid output 10 softmax loss cross_entropy }\n' > "$tmp/huge.nn"
start=$(date +%s)
"$NNC" --explain d_L_d_w1 "$tmp/huge.nn" > "$tmp/out" 2> "$tmp/err"
is "$?:$(cat "$tmp/err")" "0:" "--explain on 784-300-10 (238,200 weights): no limit"
ok $(( $(date +%s) - start >= 10 )) "--explain on 784-300-10 answers in less than 10 s"
grep -q '^    dL/dw1 = dL/dh1 \* dh1/dw1$' "$tmp/out"
ok $? "784-300-10 d_L_d_w1: its chain rule"

# ---- Names that are not ----------------------------------------------------------

"$NNC" --explain d_L_d_w99 specs/tutorial.nn > "$tmp/out" 2> "$tmp/err"
ok $(($? != 1)) "an unknown name: exit status 1"
is "$(cat "$tmp/err")" \
    "nnc: error: 'd_L_d_w99' is not a name in the generated code of network 'gender'; did you mean 'd_L_d_w1'?" \
    "an unknown name: the near miss"
is "$(cat "$tmp/out")" "" "an unknown name: nothing on stdout"

"$NNC" --explain d_L_d_w99 specs/iris.nn > "$tmp/out" 2> "$tmp/err"
is "$(cat "$tmp/err")" \
    "nnc: error: 'd_L_d_w99' is not a name in the generated code of network 'iris'; did you mean 'd_L_d_w9'?" \
    "the near miss among iris's names"

"$NNC" --explain weights specs/tutorial.nn > "$tmp/out" 2> "$tmp/err"
ok $(($? != 1)) "a name far from any: exit status 1"
is "$(cat "$tmp/err")" \
    "nnc: error: 'weights' is not a name in the generated code of network 'gender' (names look like d_L_d_w1, d_h1_d_w1, sum_h1)" \
    "a name far from any: examples of names"

done_testing
