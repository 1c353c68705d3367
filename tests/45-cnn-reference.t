#!/bin/sh
# Convolutional networks against an independent reference
# (tests/cnn_reference.py, numpy, written from issue 19's contract): on many
# random configurations (seeded: the same cases every run) of image sizes,
# channels, filter counts, kernel shapes (non-square, 1xK, Kx1), strides,
# padding, max and avg pooling, every activation in the conv layers, every
# loss and output pairing, with and without dense layers after, the
# generated program and the reference start from the same parameters and
# must agree on the mean gradient there (1e-9 relative), and after 2 epochs
# on the parameters, the gradient and the loss (1e-8 relative).  Some cases
# start from small whole numbers on whole-number images, where max pooling's
# windows tie and the first value in row-major order must win.  Every other
# case is built in nnc's compact form (--unroll never).
#
# Until nnc accepts conv and pool statements, the whole test is skipped.
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
REF="$top/tests/cnn_reference.py"
if ! [ -x "$PY" ] || ! "$PY" -c 'import numpy' > /dev/null 2>&1; then
    echo "1..0 # SKIP no numpy"
    exit 0
fi
cat > "$tmp/probe.nn" <<'EOF'
network probe {
    input 3x3
    conv  1 2x2 linear
    pool  max 2x2
    output 1 linear
}
data {
    1 2 3 4 5 6 7 8 9 -> 1
}
EOF
if ! "$NNC" "$tmp/probe.nn" -o "$tmp/probe.c" > /dev/null 2>&1; then
    echo "1..0 # SKIP nnc does not accept conv and pool statements yet"
    exit 0
fi

# agree GOT EXPECTED REL: the `name value` lines of the two files name the
# same parameters (w1.., b1.., mean_x1.., std_x1.., their d_L_d_ partials, or
# `loss:`), and each value of GOT is within REL relative (1e-12 absolute) of
# EXPECTED's.  Other lines (a saved training state) are not compared.
agree() {
    awk -v rel="$3" -v abs=1e-12 -v got="$1" '
        function mag(v) { return v < 0 ? -v : v }
        function num(s) { return s ~ /^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/ }
        /^#/ || NF == 0 { next }
        $1 !~ /^(d_L_d_)?([wb][0-9]+|(mean|std)_x[0-9]+)$/ && $1 != "loss:" { next }
        FILENAME == got { g[$1] = $2; order[++n] = $1; next }
        {
            seen[$1] = 1
            if (!($1 in g)) { printf "# %s: missing from the program\n", $1; bad++; next }
            if (!num(g[$1]) || !num($2)) {
                printf "# %s: program %s, reference %s\n", $1, g[$1], $2; bad++; next
            }
            x = g[$1] + 0; y = $2 + 0; d = mag(x - y); m = mag(x) > mag(y) ? mag(x) : mag(y)
            if (d > rel * m && d > abs) {
                if (++shown <= 8)
                    printf "# %s: program %s, reference %s (relative difference %.3g)\n", $1, g[$1], $2, d / m
                bad++
            }
        }
        END {
            for (i = 1; i <= n; i++)
                if (!(order[i] in seen)) { printf "# %s: missing from the reference\n", order[i]; bad++ }
            if (n == 0) { print "# nothing from the program"; bad++ }
            if (bad > 8) printf "# ... %d mismatches in all\n", bad
            exit bad > 0
        }' "$1" "$2"
}

# ---- The cases: specs, their data as CSV, and a line each in cases.txt ----
"$PY" - "$tmp" "$top/tests" <<'PY' || { echo "Bail out! cannot generate the cases"; exit 1; }
import random, sys
import numpy as np

out = sys.argv[1]
sys.path.insert(0, sys.argv[2])
sys.dont_write_bytecode = True  # nothing written into the source tree
import cnn_reference as ref  # only to count parameters and check shapes

rng = random.Random(4545)
ACTS = ["sigmoid", "tanh", "relu", "leaky_relu", "linear"]
OUTPUTS = [("mse", "sigmoid"), ("mse", "tanh"), ("mse", "linear"), ("mse", "relu"),
           ("mse", "leaky_relu"), ("binary_cross_entropy", "sigmoid"),
           ("cross_entropy", "softmax"), ("mse", "softmax")]
cases = []


def r3(lo, hi):
    return round(rng.uniform(lo, hi), 3)


def targets(loss, act, k, index):
    if act == "softmax":
        c = rng.randrange(k)
        return [c] if index else [1 if i == c else 0 for i in range(k)]
    if loss == "binary_cross_entropy":
        return [rng.randint(0, 1) for _ in range(k)]
    lo, hi = {"sigmoid": (0, 1), "tanh": (-0.9, 0.9), "linear": (-2, 2), "relu": (0, 2),
              "leaky_relu": (-0.5, 2)}[act]
    return [r3(lo, hi) for _ in range(k)]


def conv(shape, act, big=False):
    """A random conv layer that fits shape: (spec statement, reference layer)."""
    h, w, _ = shape
    n = rng.randint(1, 3)
    kh = 1 if h == 1 else rng.randint(1, min(3, h))
    kw = rng.randint(1, min(4 if big else 3, w))
    if kh == kw == 1 and rng.random() < 0.7:
        kw = min(2, w)
    p = rng.randint(0, min(kh, kw) - 1) if kh > 1 and rng.random() < 0.5 else 0
    s = rng.choice([1, 1, 2]) if not big else rng.choice([2, 3])
    stmt = "conv %d %dx%d %s" % (n, kh, kw, act)
    if s != 1 or rng.random() < 0.2:
        stmt += " stride %d" % s
    if p or rng.random() < 0.2:
        stmt += " padding %d" % p
    return stmt, "conv:%d:%dx%d:%s:s%d:p%d" % (n, kh, kw, act, s, p)


def pool(shape, kind=None):
    h, w, _ = shape
    kind = kind or rng.choice(["max", "avg"])
    kh = 1 if h == 1 else rng.randint(1, min(2, h))
    kw = rng.randint(1, min(3, w))
    if kh == kw == 1:
        kw = min(2, w)
    stmt, layer = "pool %s %dx%d" % (kind, kh, kw), "pool:%s:%dx%d" % (kind, kh, kw)
    if rng.random() < 0.3:
        s = rng.randint(1, 2)
        stmt += " stride %d" % s
        layer += ":s%d" % s
    return stmt, layer


def fits(shape, layers):
    try:
        for l in layers:
            shape = ref.build_layer(shape, l).shape
        return shape
    except ref.UsageError:
        return None


def case(desc, shape, kinds, act, loss, out_act, dense=None, ints=False, normalize=False,
         stack=None):
    """kinds: the conv and pool layers as "c" and "p" (or stack, given whole)."""
    name = "c%02d" % (len(cases) + 1)
    while True:
        stmts, layers, cur = [], [], shape
        for kind in kinds:
            st, l = conv(cur, act) if kind == "c" else pool(cur)
            if stack:
                st, l = stack[len(layers)]
            nxt = fits(cur, [l])
            if nxt is None:
                break
            stmts.append(st)
            layers.append(l)
            cur = nxt
        if len(layers) == len(kinds):
            break
    k = rng.randint(2 if out_act == "softmax" else 1, 3)
    for size, a in dense or []:
        stmts.append("hidden %d %s" % (size, a))
        layers.append("dense:%d:%s" % (size, a))
    stmts.append("output %d %s" % (k, out_act))
    layers.append("dense:%d:%s" % (k, out_act))
    net = ref.Net(shape, layers, loss)
    h, w, c = shape
    rows = []
    index = rng.random() < 0.5  # softmax targets: class indexes, or one-hot
    for _ in range(rng.randint(3, 5)):
        if ints:
            x = [rng.randint(0, 2) for _ in range(h * w * c)]
        elif normalize:
            x = [round(rng.uniform(-50, 150), 2) for _ in range(h * w * c)]
        else:
            x = [r3(-1.5, 1.5) for _ in range(h * w * c)]
        rows.append(x + targets(loss, out_act, k, index))
    # Whole-number images through linear layers grow fast: a smaller rate
    # keeps two epochs of them short of divergence (nnrt(1): past 1e150).
    rate = 0.002 if ints else 0.02
    inp = "%dx%d" % (h, w) if c == 1 and rng.random() < 0.7 else "%dx%dx%d" % shape
    spec = ["network %s {" % name, "    input %s" % inp]
    spec += ["    " + s for s in stmts]
    spec += ["    loss %s" % loss, "    learn_rate %s" % rate, "    epochs 2",
             "    seed %d" % rng.randint(1, 100000),
             "    init %s" % rng.choice(["normal", "xavier", "he"])]
    if normalize:
        spec.append("    normalize")
    spec += ["}", 'data "%s.csv"' % name]
    with open("%s/%s.nn" % (out, name), "w") as f:
        f.write("\n".join(spec) + "\n")
    with open("%s/%s.csv" % (out, name), "w") as f:
        f.write("".join(",".join(map(str, r)) + "\n" for r in rows))
    if ints:
        # Small whole numbers on whole-number images: windows of max pooling
        # tie, and the gradient must go to the first in row-major order.
        names = net.names()
        nw = sum(1 for n in names if n[0] == "w")
        with open("%s/%s.start" % (out, name), "w") as f:
            for i, n in enumerate(names):
                f.write("%s %d\n" % (n, rng.choice([-1, 0, 1]) if i < nw else 0))
    if normalize:
        X = np.array([r[:h * w * c] for r in rows], dtype=float)
        mean = X.mean(axis=0)
        std = np.sqrt(((X - mean) ** 2).mean(axis=0))
        std = np.where(std > 0, std, 1.0)
        with open("%s/%s.norm" % (out, name), "w") as f:
            for i, m in enumerate(mean):
                f.write("mean_x%d %.17g\n" % (i + 1, m))
            for i, s in enumerate(std):
                f.write("std_x%d %.17g\n" % (i + 1, s))
    compact = "1" if len(cases) % 2 else "0"
    full = "%s %s: %s -> %s %s%s%s" % (
        name, inp, "; ".join(stmts[:len(kinds)]) or "no conv",
        "; ".join(stmts[len(kinds):]), loss, ", " + desc if desc else "",
        ", compact form" if compact == "1" else "")
    cases.append("|".join([name, "%dx%dx%d" % shape, ",".join(layers), loss, str(rate),
                           "1" if normalize else "0", compact, full]))


def image():
    h = 1 if rng.random() < 0.2 else rng.randint(3, 7)
    return (h, rng.randint(3, 8), rng.randint(1, 3))


# Every conv activation with every loss/output pairing, on random stacks of
# one to three conv and pool layers, with or without a dense layer after.
for ai, act in enumerate(ACTS):
    for ci, (loss, out_act) in enumerate(OUTPUTS):
        kinds = rng.choice(["c", "cp", "cp", "cc", "cpc", "pc"])
        dense = [(rng.randint(1, 3), rng.choice(ACTS))] if (ai + ci) % 2 else None
        case("", image(), kinds, act, loss, out_act, dense)

# Max pooling's ties, on whole numbers.
for act, (loss, out_act) in [("linear", ("mse", "linear")), ("tanh", ("cross_entropy", "softmax")),
                             ("sigmoid", ("binary_cross_entropy", "sigmoid"))]:
    stack = [("conv 2 2x2 %s" % act, "conv:2:2x2:%s:s1:p0" % act),
             ("pool max 2x2 stride 1", "pool:max:2x2:s1")]
    case("whole numbers, max pooling's ties", (4, 5, 2), "cp", act, loss, out_act,
         ints=True, stack=stack)
case("whole numbers, max pooling's ties in a 1xK window", (1, 8, 2), "cp", "linear", "mse",
     "linear", ints=True,
     stack=[("conv 2 1x2 linear", "conv:2:1x2:linear:s1:p0"), ("pool max 1x3 stride 1", "pool:max:1x3:s1")])

# Particular shapes: a sensor's window (1xK), Kx1, big strides and padding,
# deep stacks, normalized inputs.
case("a sensor window, 1xK", (1, 12, 3), "cp", "relu", "cross_entropy", "softmax",
     stack=[("conv 3 1x4 relu", "conv:3:1x4:relu:s1:p0"), ("pool max 1x3", "pool:max:1x3")])
case("Kx1 kernel", (5, 3, 2), "c", "tanh", "mse", "linear",
     stack=[("conv 2 3x1 tanh stride 2", "conv:2:3x1:tanh:s2:p0")])
case("stride 3, padding 2", (6, 7, 1), "c", "sigmoid", "mse", "sigmoid",
     stack=[("conv 2 3x3 sigmoid stride 3 padding 2", "conv:2:3x3:sigmoid:s3:p2")])
case("deep", (7, 7, 1), "ccpcp", "tanh", "cross_entropy", "softmax", [(3, "tanh")])
case("avg then max", (6, 6, 2), "pcp", "leaky_relu", "mse", "tanh")
case("normalize", (3, 4, 2), "cp", "tanh", "mse", "linear", normalize=True)
case("normalize", (4, 4, 1), "c", "relu", "cross_entropy", "softmax", [(2, "sigmoid")],
     normalize=True)

with open(out + "/cases.txt", "w") as f:
    f.write("\n".join(cases) + "\n")
PY

# ---- 1. The programs, two cases at a time ----
# Each case: build, save the starting parameters (or take the case's own),
# print the gradient there, then train 2 epochs from them (saving, printing
# the gradient and the loss after).  Exit statuses go to files.
loops=
if "$NNC" --help 2>&1 | grep -q -- '--unroll'; then
    loops="$tmp/nnc-loops"
    nnc_with "$loops" --unroll never
fi
run_case() { # NAME COMPACT, in a subshell of its own
    d="$tmp/$1"
    [ "$2" = 1 ] && [ -n "$loops" ] && NNC="$loops"
    tmp="$d" # build's messages go to the case's directory
    build "$d.nn" "$d/prog" > "$d/build.log"
    echo $? > "$d/build.st"
    "$d/prog" --epochs 0 --every 0 --save "$d/start.txt" > /dev/null 2> "$d/err"
    echo $? > "$d/start.st"
    start="$d/start.txt"
    [ -f "$d.start" ] && start="$d.start"
    "$d/prog" --load "$start" --epochs 0 --every 0 --grad > "$d/grad0.txt" 2>> "$d/err" &&
        "$d/prog" --load "$start" --epochs 2 --every 0 --save "$d/end.txt" \
            --grad --eval > "$d/out.txt" 2>> "$d/err"
    echo $? > "$d/train.st"
    grep '^d_L_d_' "$d/out.txt" > "$d/grad.txt"
    grep '^loss: ' "$d/out.txt" > "$d/eval.txt"
}
worker() { # K: the cases on lines K, K + 2, ... (counting from 0)
    awk -v k="$1" 'NR % 2 == k' "$tmp/cases.txt" |
        while IFS='|' read -r name input layers loss rate normalize compact desc; do
            mkdir "$tmp/$name"
            (run_case "$name" "$compact")
        done
}
worker 0 &
worker 1 &
wait

# ---- 2. The reference, every case in one process ----
while IFS='|' read -r name input layers loss rate normalize compact desc; do
    d="$tmp/$name"
    start="$d/start.txt"
    [ -f "$d.start" ] && start="$d.start"
    norm_opt=
    [ "$normalize" = 1 ] && norm_opt="--normalize"
    echo "--input $input --layers $layers --loss $loss --data '$d.csv' --load '$start'" \
        "--epochs 2 --learn-rate $rate $norm_opt --save '$d/ref_end.txt'" \
        "--grad-before '$d/ref_grad0.txt' --grad '$d/ref_grad.txt' --eval '$d/ref_eval.txt'" \
        "--selfcheck --report '$d/ref.st'"
done < "$tmp/cases.txt" > "$tmp/batch.txt"
"$PY" "$REF" --batch "$tmp/batch.txt" 2> "$tmp/batch.err"

# ---- 3. The comparisons ----
while IFS='|' read -r name input layers loss rate normalize compact desc; do
    d="$tmp/$name"
    st=1
    [ -f "$d/build.st" ] && read -r st < "$d/build.st"
    ok "$st" "$desc: builds"
    if [ "$st" -ne 0 ]; then
        cat "$d/build.log"
        sed 's/^/# /' "$d.nn"
        continue
    fi
    read -r st < "$d/start.st"
    ok "$st" "$desc: program saves its starting parameters"
    read -r st < "$d/train.st"
    ok "$st" "$desc: program trains"
    if [ "$st" -ne 0 ]; then
        sed 's/^/# /' "$d/err"
        continue
    fi
    st=2
    [ -f "$d/ref.st" ] && read -r st < "$d/ref.st"
    ok "$st" "$desc: reference runs, its backprop matches its finite differences"
    if [ -f "$d/ref.st" ]; then
        sed '1d; s/^/# /' "$d/ref.st"
    else
        sed 's/^/# /' "$tmp/batch.err"
    fi
    if [ "$normalize" = 1 ]; then
        grep -E '^(mean|std)_x' "$d/start.txt" > "$d/norm.txt"
        agree "$d/norm.txt" "$d.norm" 1e-12
        ok $? "$desc: saved mean and std are the inputs' mean and population std"
    fi
    agree "$d/grad0.txt" "$d/ref_grad0.txt" 1e-9
    ok $? "$desc: --grad at the start agrees with the reference (1e-9)"
    agree "$d/end.txt" "$d/ref_end.txt" 1e-8
    ok $? "$desc: parameters after 2 epochs agree with the reference (1e-8)"
    agree "$d/grad.txt" "$d/ref_grad.txt" 1e-8
    ok $? "$desc: --grad after 2 epochs agrees with the reference (1e-8)"
    agree "$d/eval.txt" "$d/ref_eval.txt" 1e-8
    ok $? "$desc: --eval loss after 2 epochs agrees with the reference (1e-8)"
done < "$tmp/cases.txt"

done_testing
