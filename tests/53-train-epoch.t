#!/bin/sh
# NAME_train_epoch, which the generated program trains with: it must take
# exactly the steps of NAME_train_sample called in a loop, bit for bit, in
# data order and in any order (rows repeated or left out), for every spec,
# in both forms and both precisions; n = 0 changes nothing; NAME_net
# offers it to the runtime in double (float networks train sample by
# sample there).  And the program, which now trains through it, saves the
# parameters that a loop of NAME_train_sample reaches from its start.
. "$(dirname "$0")/lib.sh"
cd "$tmp" || exit 1

strict="-std=c99 -Wall -Wextra -Wpedantic -Werror -O2 $NNC_TEST_CFLAGS"

# driver NAME TYPE: a program that compares the two ways on random rows.
driver() {
    cat <<EOF
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "net.h"

#define NI $3
#define NO $4
#define COLS (NI + NO)
#define N 37

static $2 rows[N * COLS];
static int order[2 * N];
static int fails;

static void check(int ok, const char *what)
{
    printf("%s %s\n", ok ? "same" : "DIFFERENT", what);
    fails += !ok;
}

int main(void)
{
    struct $1 start, a, b;
    unsigned long long s = 88172645463325252ULL;

    memset(&start, 0, sizeof start);
    nnrt_init_params(&$1_net, &start, 7);
    for (int k = 0; k < N * COLS; k++) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        rows[k] = ($2)((double)(s >> 11) * 0x1p-53 * (k % COLS < NI ? 4 : 1) - (k % COLS < NI ? 2 : 0));
    }
    /* Every row twice, in a scrambled order, then row 5 alone. */
    for (int i = 0; i < 2 * N; i++)
        order[i] = (i * 11 + 3) % N;

    a = start, b = start;
    for (int e = 0; e < 3; e++)
        for (int i = 0; i < N; i++)
            $1_train_sample(&a, rows + i * COLS, rows + i * COLS + NI, ($2)0.05);
    for (int e = 0; e < 3; e++)
        $1_train_epoch(&b, rows, NULL, N, ($2)0.05);
    check(memcmp(&a, &b, sizeof a) == 0, "data order, 3 epochs");
    check(memcmp(&a, &start, sizeof a) != 0, "(and the parameters moved)");

    a = start, b = start;
    for (int i = 0; i < 2 * N; i++)
        $1_train_sample(&a, rows + order[i] * COLS, rows + order[i] * COLS + NI, ($2)0.5);
    $1_train_sample(&a, rows + 5 * COLS, rows + 5 * COLS + NI, ($2)0.5);
    $1_train_epoch(&b, rows, order, 2 * N, ($2)0.5);
    $1_train_epoch(&b, rows + 5 * COLS, NULL, 1, ($2)0.5);
    check(memcmp(&a, &b, sizeof a) == 0, "an order with every row twice, then one row");

    b = start;
    $1_train_epoch(&b, rows, order, 0, ($2)0.5);
    check(memcmp(&b, &start, sizeof b) == 0, "n = 0 changes nothing");

    /* What the runtime calls: the same steps, in double only. */
    if (sizeof($2) == sizeof(double)) {
        double r[N * COLS];
        for (int k = 0; k < N * COLS; k++)
            r[k] = (double)rows[k];
        a = start, b = start;
        for (int i = 0; i < 2 * N; i++)
            $1_net.train_sample(&a, r + order[i] * COLS, r + order[i] * COLS + NI, 0.5);
        check($1_net.train_epoch != NULL, "NAME_net.train_epoch is set");
        if ($1_net.train_epoch != NULL)
            $1_net.train_epoch(&b, r, order, 2 * N, 0.5);
        check(memcmp(&a, &b, sizeof a) == 0, "NAME_net.train_epoch");
    } else {
        check($1_net.train_epoch == NULL, "NAME_net.train_epoch is NULL in float");
    }
    return fails != 0;
}
EOF
}

# Every spec as nnc writes it; three also in the compact form, two in
# float (SPEC:NNC FLAGS:CC FLAGS, commas for spaces); and with x87
# arithmetic, whose excess precision turns the local copy off
# (NNRT_EPOCH_LOCAL is 0), at -O2 and at -O3, which inlines
# NAME_train_sample into the loop on its own.
cases=""
for spec in "$top"/specs/*.nn; do
    cases="$cases $(basename "$spec" .nn)::"
done
cases="$cases tutorial:--unroll=never: iris:--unroll=never: xor:--unroll=never:"
cases="$cases tutorial:--precision=float: iris:--precision=float: iris:--unroll=never,--precision=float:"
case $(uname -m) in
x86_64) cases="$cases tutorial::-mfpmath=387 tutorial::-mfpmath=387,-O3" ;;
esac

for c in $cases; do
    spec=${c%%:*}
    rest=${c#*:}
    flags=$(printf '%s' "${rest%%:*}" | tr ',=' '  ')
    cflags=$(printf '%s' "${rest#*:}" | tr ',' ' ')
    label="$spec${flags:+ ($flags)}${cflags:+ (cc $cflags)}"
    dir="$tmp/$(printf '%s' "$c" | tr -c 'a-z0-9\n' '_')"
    mkdir -p "$dir"
    # shellcheck disable=SC2086
    (cd "$top/specs" && "$NNC" $flags "$spec.nn" -o "$dir/net.c" --header "$dir/net.h") 2> "$dir/nnc.err"
    ok $? "$label: nnc writes the C and the header"
    name=$(sed -n 's/^extern const struct nnrt_net \(.*\)_net;$/\1/p' "$dir/net.h")
    type=$(sed -n 's/^void .*_train_epoch(struct [^ ]* \*nn, const \([a-z]*\) \*rows,.*/\1/p' "$dir/net.h")
    ni=$(sed -n 's/^void .*_feedforward(.*x\[\([0-9]*\)\], .*y_pred\[\([0-9]*\)\]);$/\1/p' "$dir/net.h")
    no=$(sed -n 's/^void .*_feedforward(.*x\[\([0-9]*\)\], .*y_pred\[\([0-9]*\)\]);$/\2/p' "$dir/net.h")
    # The feedforward's declaration may be wrapped; then read the struct's sizes from NAME_net.
    if [ -z "$ni" ]; then
        ni=$(sed -n 's/^    \.ninputs = \([0-9]*\),$/\1/p' "$dir/net.c")
        no=$(sed -n 's/^    \.noutputs = \([0-9]*\),$/\1/p' "$dir/net.c")
    fi
    case "$flags" in *float*) want=float ;; *) want=double ;; esac
    is "$type" "$want" "$label: the header declares ${name}_train_epoch on $want rows"
    driver "$name" "$type" "$ni" "$no" > "$dir/driver.c"
    # shellcheck disable=SC2086
    $CC $strict $cflags -DNNC_NO_MAIN -I"$RT" -I"$dir" -o "$dir/driver" "$dir/driver.c" "$dir/net.c" \
        "$RT/libnnrt.a" -lm 2> "$dir/cc.err"
    ok $? "$label: the driver builds with the network"
    head -5 "$dir/cc.err" | sed 's/^/# /'
    (cd "$dir" && ./driver > out.txt 2>&1)
    ok $? "$label: train_epoch takes train_sample's steps, bit for bit"
    grep -v '^same ' "$dir/out.txt" | sed 's/^/# /'
    n=6
    [ "$type" = float ] && n=5
    is "$(grep -c '^same ' "$dir/out.txt")" $n "$label: all $n comparisons ran"
done

# A small unrolled network (at most 12 parameters) keeps them in a local
# copy, inlined (flatten); a bigger one, and the compact form, trains the
# struct in place.
"$NNC" "$top/specs/tutorial.nn" -o tut.c && grep -q '^NNRT_FLATTEN void gender_train_epoch(' tut.c &&
    grep -q '^    struct gender local = \*nn, \*p = NNRT_EPOCH_LOCAL ? &local : nn;$' tut.c
ok $? "the tutorial's train_epoch is flattened and trains a local copy"
"$NNC" --unroll never "$top/specs/tutorial.nn" -o tutc.c && ! grep -q 'NNRT_FLATTEN\|local' tutc.c &&
    grep -q '^        gender_train_sample(nn, row, row + 2, learn_rate);$' tutc.c
ok $? "the compact form's train_epoch calls train_sample on nn itself"
"$NNC" "$top/specs/iris.nn" -o iris.c && ! grep -q 'NNRT_FLATTEN\|local' iris.c &&
    grep -q '^        iris_train_sample(nn, row, row + 4, learn_rate);$' iris.c
ok $? "iris's unrolled network of 67 parameters trains the struct in place"
net() {
    printf 'network t {\n    input %d\n    hidden %d sigmoid\n    output 1 sigmoid\n    loss mse\n}\n' "$1" "$2"
}
net 3 2 > t11.nn && net 2 3 > t13.nn && "$NNC" t11.nn -o t11.c && "$NNC" t13.nn -o t13.c
ok $? "nnc writes a 3-2-1 and a 2-3-1 network"
grep -q '^NNRT_FLATTEN void t_train_epoch(' t11.c && ! grep -q 'NNRT_FLATTEN' t13.c
ok $? "the local copy goes up to 12 parameters: 3-2-1's 11 have it, 2-3-1's 13 not"

# Where nnrt.h takes the local copy: doubles evaluated as doubles, no
# licence to reassociate.
printf '#include <stdio.h>\n#include "nnrt.h"\nint main(void)\n{\n    printf("%%d\\n", NNRT_EPOCH_LOCAL);\n    return 0;\n}\n' > local.c
local_in() {
    $CC $strict "$@" -I"$RT" -o local local.c 2> local.err && ./local || sed 's/^/# /' local.err
}
is "$(local_in)" 1 "NNRT_EPOCH_LOCAL is 1 in a -std=c99 -O2 build"
is "$(local_in -ffast-math)" 0 "and 0 with -ffast-math"
case $(uname -m) in
x86_64) is "$(local_in -mfpmath=387)" 0 "and 0 with x87 arithmetic" ;;
*) skip "x87 arithmetic is an x86-64 option" ;;
esac

# ---- The program trains through it: the same parameters as train_sample ----

# Which function the program's training calls: the tutorial's NAME_net
# with train_sample and train_epoch replaced by functions that count their
# calls and then do the same.
cat > which.c <<'EOF'
#include <stdio.h>
#include <stdlib.h>
#include "tutorial.h"

static long samples, epochs;

static void count_sample(void *nn, const double *x, const double *y_true, double learn_rate)
{
    samples++;
    gender_net.train_sample(nn, x, y_true, learn_rate);
}

static void count_epoch(void *nn, const double *rows, const int *order, int n, double learn_rate)
{
    epochs++;
    gender_net.train_epoch(nn, rows, order, n, learn_rate);
}

int main(int argc, char **argv)
{
    struct nnrt_net net = gender_net;
    int status;

    net.train_sample = count_sample;
    net.train_epoch = count_epoch;
    status = nnrt_main(&net, argc, argv);
    fprintf(stderr, "train_sample %ld train_epoch %ld\n", samples, epochs);
    return status;
}
EOF

# The tutorial's program from its spec's start, 1000 epochs in data order,
# against a loop of gender_train_sample over the spec's 4 rows from the
# start that nnrt_init_params draws with the spec's seed.
(cd "$top/specs" && "$NNC" tutorial.nn -o "$tmp/tutorial.c" --header "$tmp/tutorial.h") &&
    $CC $strict -I"$RT" -o tutorial tutorial.c "$RT/libnnrt.a" -lm
ok $? "the tutorial's program builds"
./tutorial --save prog.params > /dev/null 2>&1
ok $? "it trains and saves its parameters"
cat > loop.c <<'EOF'
#include <stdio.h>
#include "tutorial.h"

int main(void)
{
    static const double rows[4][3] = {{-2, -1, 1}, {25, 6, 0}, {17, 4, 0}, {-15, -6, 1}};
    struct gender nn;
    char name[32];

    nnrt_init_params(&gender_net, &nn, 1);
    for (int e = 0; e < 1000; e++)
        for (int i = 0; i < 4; i++)
            gender_train_sample(&nn, rows[i], rows[i] + 2, 0.1);
    for (int p = 0; p < gender_net.nparams; p++)
        printf("%s %.17g\n", nnrt_param_name(&gender_net, p, name), gender_net.get(&nn, p));
    return 0;
}
EOF
$CC $strict -DNNC_NO_MAIN -I"$RT" -I. -o loop loop.c tutorial.c "$RT/libnnrt.a" -lm 2> cc.err
ok $? "a loop of gender_train_sample builds"
head -5 cc.err | sed 's/^/# /'
$CC $strict -DNNC_NO_MAIN -I"$RT" -I. -o which which.c tutorial.c "$RT/libnnrt.a" -lm 2> cc.err
ok $? "a program that counts the calls of NAME_net's two functions builds"
head -5 cc.err | sed 's/^/# /'
calls() {
    ./which --epochs 10 --every 0 "$@" 2>&1 > /dev/null | tail -1
}
is "$(calls)" "train_sample 0 train_epoch 10" "the program trains an epoch a call"
is "$(calls --shuffle)" "train_sample 0 train_epoch 10" "shuffled too"
is "$(calls --batch 2)" "train_sample 0 train_epoch 0" "not with batches (they go through backprop)"
is "$(calls --weight-decay 0.01)" "train_sample 0 train_epoch 0" "nor with weight decay"
is "$(calls --optimizer momentum)" "train_sample 0 train_epoch 0" "nor with another optimizer"
is "$(grep -v '^#' prog.params | grep -v '^$' | grep -v '^step\|^epoch' | head -9)" "$(./loop)" \
    "the program's parameters after 1000 epochs are the loop's, bit for bit"

done_testing
