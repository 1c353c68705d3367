#!/bin/sh
# Conv and pool layers: small CNN specs of every shape the language has
# (conv, pool max and avg, a 1xK conv over a sequence, stride, padding,
# several channels, conv after conv, pool before conv, overlapping
# windows), each compiled in both forms (--unroll always and never).
# For each: --gradcheck passes, and the program's --grad agrees with
# central finite differences taken here by another route: the program's
# own loss (--eval) at every parameter moved by +h and -h (--load of a
# written parameter file, --epochs 0).  Then the two forms' gradients
# agree with each other, and a trained tiny_cnn classifies its rows.
. "$(dirname "$0")/lib.sh"

# Random rows for a spec: ni inputs in [-1, 1], then targets from the shell's argument.
rows() { # NI NROWS SEED TARGET_KIND NOUT
    awk -v ni="$1" -v n="$2" -v seed="$3" -v kind="$4" -v no="$5" 'BEGIN {
        for (r = 0; r < n; r++) {
            line = ""
            for (i = 0; i < ni; i++) {
                seed = (seed * 16807) % 2147483647
                line = line sprintf("%.3f ", 2 * seed / 2147483647 - 1)
            }
            line = line "->"
            seed = (seed * 16807) % 2147483647
            c = int(seed / 2147483647 * no)
            for (k = 0; k < no; k++) {
                seed = (seed * 16807) % 2147483647
                if (kind == "class") line = line " " (k == c)
                else if (kind == "bit") line = line " " (seed % 2)
                else line = line sprintf(" %.3f", seed / 2147483647 - 0.5)
            }
            print "    " line
        }
    }'
}

# spec NAME NI NOUT TARGETS BODY: a network with random data.
spec() {
    {
        printf 'network %s {\n%s\n    epochs 2\n    seed 7\n    learn_rate 0.05\n}\ndata {\n' "$1" "$5"
        rows "$2" 4 "$(printf '%s' "$1" | cksum | cut -d' ' -f1)" "$4" "$3"
        printf '}\n'
    } > "$tmp/$1.nn"
}

spec mixed 25 2 class '    input 5x5
    conv 2 2x2 tanh
    pool max 2x2
    hidden 3 sigmoid
    output 2 softmax
    loss cross_entropy'
spec seq 16 1 real '    input 1x8x2
    conv 3 1x3 relu
    pool avg 1x2
    output 1 linear'
spec strided 36 1 bit '    input 6x6
    conv 2 3x3 sigmoid stride 2 padding 1
    output 1 sigmoid
    loss binary_cross_entropy'
spec channels 72 3 class '    input 6x6x2
    conv 2 3x3 tanh
    conv 2 2x2 leaky_relu
    pool max 2x2 stride 1
    output 3 softmax'
spec overlap 75 1 real '    input 5x5x3
    pool avg 3x3 stride 1
    conv 2 2x2 linear padding 1
    pool max 3x3 stride 2
    output 1 tanh'

# build_form SPEC EXE FORM: like build, with --unroll FORM.
build_form() {
    build "$1" "$2" --unroll "$3"
}

# The loss of EXE at the parameters of file P.
loss_at() {
    "$1" --load "$2" --epochs 0 --eval | sed -n 's/^loss: //p'
}

for name in mixed seq strided channels overlap; do
    for form in always never; do
        exe="$tmp/$name-$form"
        build_form "$tmp/$name.nn" "$exe" "$form"
        ok $? "$name ($form): compiles warning-free"
        out=$("$exe" --gradcheck 2>&1)
        like "$out" '^gradcheck: .*: ok$' "$name ($form): --gradcheck passes"
        "$exe" --epochs 0 --save "$tmp/p.txt" > /dev/null
        "$exe" --load "$tmp/p.txt" --epochs 0 --grad > "$tmp/$name-$form.grad"
        # Central differences, parameter by parameter.
        : > "$tmp/fd.txt"
        grep -E '^[wb][0-9]+ ' "$tmp/p.txt" > "$tmp/params.txt"
        while read -r p v; do
            awk -v p="$p" '{ printf "%s %.17g\n", $1, $1 == p ? $2 + 1e-5 : $2 }' "$tmp/params.txt" > "$tmp/plus.txt"
            awk -v p="$p" '{ printf "%s %.17g\n", $1, $1 == p ? $2 - 1e-5 : $2 }' "$tmp/params.txt" > "$tmp/minus.txt"
            # The file holds what was written: +h and -h as read back.
            vp=$(awk -v p="$p" '$1 == p { print $2 }' "$tmp/plus.txt")
            vm=$(awk -v p="$p" '$1 == p { print $2 }' "$tmp/minus.txt")
            echo "d_L_d_$p $(loss_at "$exe" "$tmp/plus.txt") $(loss_at "$exe" "$tmp/minus.txt") $vp $vm" >> "$tmp/fd.txt"
        done < "$tmp/params.txt"
        bad=$(awk 'NR == FNR { g[$1] = $2; next }
                   { fd = ($2 - $3) / ($4 - $5); d = fd - g[$1]; if (d < 0) d = -d
                     s = g[$1] < 0 ? -g[$1] : g[$1]; if (s < 1) s = 1
                     n++; if (d > 1e-6 * s) printf "%s %.17g %.17g\n", $1, g[$1], fd }
                   END { if (n == 0) print "no parameters" }' "$tmp/$name-$form.grad" "$tmp/fd.txt")
        is "$bad" "" "$name ($form): --grad agrees with central differences of the loss"
    done
    # The two forms compute the same gradient (to rounding).
    bad=$(paste -d' ' "$tmp/$name-always.grad" "$tmp/$name-never.grad" |
          awk '{ d = $2 - $4; if (d < 0) d = -d; s = $2 < 0 ? -$2 : $2; if (s < 1) s = 1
                 if ($1 != $3 || d > 1e-12 * s) print }')
    is "$bad" "" "$name: the unrolled and compact forms' gradients agree"
done

# Parameter names follow the contract: a conv layer's weights filter by
# filter, kernel row, column, channel; then the dense layers'; biases one
# a filter or a neuron.  mixed: 2 filters of 2x2x1 (w1..w8), 8 -> 3 (w9..w32), 3 -> 2 (w33..w38).
is "$(sed -n 's/^d_L_d_\([wb][0-9]*\) .*/\1/p' "$tmp/mixed-never.grad" | tr '\n' ' ')" \
   "$(i=1; while [ $i -le 38 ]; do printf 'w%d ' $i; i=$((i + 1)); done; i=1; while [ $i -le 7 ]; do printf 'b%d ' $i; i=$((i + 1)); done)" \
   "mixed: 38 weights and 7 biases (2 filters, 3 and 2 neurons), in order"

# The committed small CNN trains and classifies its rows.
build "$top/specs/tiny_cnn.nn" "$tmp/tiny"
ok $? "tiny_cnn compiles"
like "$("$tmp/tiny")" 'accuracy: 1\.000' "tiny_cnn learns to tell upright bars from lying ones"
like "$("$tmp/tiny" --precision float 2>&1 || true)" '.' "tiny_cnn runs"

# The optimizers, batches, shuffling, weight decay and float act on
# parameters, and so work with shared weights as with any: each in both
# forms passes --gradcheck (float: trains) and fits tiny_cnn's rows.
for opt in 'optimizer adam' 'optimizer momentum 0.9 nesterov' 'batch 3' 'shuffle' 'weight_decay 0.01' \
           'precision float'; do
    sed "s/^    seed   2$/    seed   2\n    $opt/" "$top/specs/tiny_cnn.nn" > "$tmp/opt.nn"
    for form in always never; do
        build_form "$tmp/opt.nn" "$tmp/opt" "$form"
        ok $? "tiny_cnn with $opt ($form): compiles"
        [ "$opt" = 'precision float' ] ||
            like "$("$tmp/opt" --gradcheck)" ': ok$' "tiny_cnn with $opt ($form): --gradcheck passes"
        like "$("$tmp/opt")" 'Epoch 190 accuracy: (0\.9|1\.0)' "tiny_cnn with $opt ($form): learns"
    done
done

# --explain walks the model: a filter weight's partial is the sum over the positions that used it.
out=$("$NNC" "$top/specs/tiny_cnn.nn" --explain d_L_d_w1)
ok $? "--explain d_L_d_w1 on tiny_cnn succeeds"
like "$out" 'dL/dw1 = dL/dsum_c1_1_1_1 \* x\[0\] \+ dL/dsum_c1_1_2_1 \* x\[1\]' \
    "--explain d_L_d_w1: the sum over the positions of filter 1"
for n in c1_2_3_1 p1_1_1_1 d_L_d_c1_1_1_1 w9 b1; do
    "$NNC" "$top/specs/tiny_cnn.nn" --explain "$n" > /dev/null
    ok $? "--explain $n on tiny_cnn succeeds"
    "$NNC" "$top/specs/tiny_cnn.nn" --unroll never --explain "$n" > /dev/null
    ok $? "--explain $n on tiny_cnn's compact form succeeds"
done

# --gradcheck passes on every CNN spec of specs/, at its start and after two
# epochs: on its data file's first 100 rows, which keeps the check short
# (digits_cnn's 1,437 rows take 10 s), or on its own rows.
for spec in "$top"/specs/*.nn; do
    grep -Eq '^ *(conv|pool) ' "$spec" || continue
    name=$(basename "$spec" .nn)
    build "$spec" "$tmp/$name"
    ok $? "$name: builds"
    file=$(sed -n 's/^data "\(.*\)".*/\1/p' "$spec")
    data=
    if [ -n "$file" ]; then
        head -n 101 "$top/specs/$file" > "$tmp/$name.csv"
        data="--data $tmp/$name.csv"
    fi
    for epochs in 0 2; do
        like "$("$tmp/$name" $data --epochs $epochs --every 0 --gradcheck 2>&1)" '^gradcheck: .*: ok$' \
            "$name: --gradcheck passes after $epochs epochs"
    done
done

done_testing
