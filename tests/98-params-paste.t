#!/bin/sh
# A params block takes what --save writes: "w1 4.98" as well as
# "w1 = 4.98", so that a trained file can be pasted into a spec.  Its
# comments are comments; its training state (epoch, step, an optimizer's
# velocity_, m_ and v_) is ignored, since a spec's training starts at epoch
# 0; its input normalization (mean_x, std_x) is refused, in
# tests/errors/params-saved-normalization.nn.
. "$(dirname "$0")/lib.sh"
cd "$tmp" || exit 1

# A network with Adam, so that --save writes an optimizer's state too.
cat > net.nn <<'NN'
network pasted {
    input 2
    hidden 2 tanh
    output 1 sigmoid
    optimizer adam
    epochs 20
    seed 7
}
data {
    -2 -1 -> 1
    25  6 -> 0
    17  4 -> 0
   -15 -6 -> 1
}
NN
build net.nn trained
ok $? "the network builds"
./trained --every 0 --save trained.params > /dev/null
ok $? "it trains 20 epochs and saves its parameters"
grep -q '^epoch 20$' trained.params && grep -q '^m_w1 ' trained.params && grep -q '^v_b3 ' trained.params
ok $? "the file holds training state: epoch 20, m_w1, v_b3"

# The whole file, pasted into a params block as it is.
{ cat net.nn; echo 'params {'; cat trained.params; echo '}'; } > pasted.nn
build pasted.nn pasted
ok $? "a spec with the saved file pasted into its params block compiles"
./pasted --epochs 0 --save start.params > /dev/null
ok $? "its program runs with --epochs 0"
is "$(grep '^[wb][0-9]' start.params)" "$(grep '^[wb][0-9]' trained.params)" \
    "it starts from the pasted parameters, every digit (%.17g read back)"
is "$(sed -n 's/^epoch //p' start.params)" 0 "and from epoch 0: the pasted training state is ignored"

# The same values in both forms, and the two forms mixed.
grep '^[wb][0-9]' trained.params | sed 's/ / = /' > equals.txt
{ cat net.nn; echo 'params {'; cat equals.txt; echo '}'; } > equals.nn
"$NNC" equals.nn -o equals.c && "$NNC" pasted.nn -o pasted2.c
ok $? "the '=' form compiles"
is "$(sed 's/equals\.nn/SPEC/' equals.c)" "$(sed 's/pasted\.nn/SPEC/' pasted2.c)" \
    "and gives the same C as the --save form, but for the spec's name"
{ cat net.nn; echo 'params {'; sed -n '2,4p' trained.params; sed -n '4,9p' equals.txt; echo '}'; } > mixed.nn
build mixed.nn mixed
ok $? "the two forms mixed in one block"
./mixed --epochs 0 --save mixed.params > /dev/null
is "$(grep '^[wb][0-9]' mixed.params)" "$(grep '^[wb][0-9]' trained.params)" \
    "and the program starts from the same parameters"

# A mistake in the new form is told as in the old one.
printf 'network n {\n    input 2\n    output 1 sigmoid\n}\nparams {\n    w1 0,5\n    w7 1\n}\n' > bad.nn
"$NNC" bad.nn -o bad.c 2> err.txt
is "$?" 1 "w1 0,5 and w7 1: exit status 1"
is "$(grep -c 'error:' err.txt)" 2 "two errors"
like "$(cat err.txt)" "bad.nn:7:5: error: unknown parameter 'w7': network 'n' has w1, w2 and b1" \
    "w7 1: unknown parameter, as with '='"

done_testing
