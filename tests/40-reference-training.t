#!/bin/sh
# Training and gradients against an independent reference (tests/reference.py,
# numpy): for every hidden activation x every loss/output pairing, on random
# shapes and random inline data (seeded: the same cases every run), the
# generated program and the reference start from the same parameters, train
# the same epochs, and must end with the same parameters, the same mean
# gradient (before and after training) and the same loss, to 1e-9 relative.
# Every third case is checked again in nnc's compact form (--unroll never).
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
REF="$top/tests/reference.py"
if ! [ -x "$PY" ] || ! "$PY" -c 'import numpy' > /dev/null 2>&1; then
    echo "1..0 # SKIP no numpy"
    exit 0
fi

# agree GOT EXPECTED: the `name value` lines of the two files name the same
# parameters (w1.., b1.., mean_x1.., std_x1.., their d_L_d_ partials, or
# `loss:`), and each value of GOT is within 1e-9 relative (1e-12 absolute) of
# EXPECTED's.  Other lines (a saved training state) are not compared.
# Mismatches are printed as TAP comments.
agree() {
    awk -v rel=1e-9 -v abs=1e-12 -v got="$1" '
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
                printf "# %s: program %s, reference %s (relative difference %.3g)\n", $1, g[$1], $2, d / m
                bad++
            }
        }
        END {
            for (i = 1; i <= n; i++)
                if (!(order[i] in seen)) { printf "# %s: missing from the reference\n", order[i]; bad++ }
            if (n == 0) { print "# nothing from the program"; bad++ }
            exit bad > 0
        }' "$1" "$2"
}

# ---- The cases: specs, their data as CSV, and a line each in cases.txt ----
"$PY" - "$tmp" <<'PY' || { echo "Bail out! cannot generate the cases"; exit 1; }
import random, sys

out = sys.argv[1]
rng = random.Random(4040)
HIDDEN = ["sigmoid", "tanh", "relu", "leaky_relu", "linear"]
OUTPUTS = [("mse", "sigmoid"), ("mse", "tanh"), ("mse", "linear"), ("mse", "relu"),
           ("mse", "leaky_relu"), ("binary_cross_entropy", "sigmoid"),
           ("cross_entropy", "softmax"), ("mse", "softmax")]
# (inputs, hidden layer sizes, outputs or None for a random count)
SHAPES = [(2, [3], None), (3, [2, 3], None), (2, [3, 2, 2], None), (3, [1, 1], 2),
          (4, [4], 3), (1, [2, 2, 2], None), (3, [1], None), (2, [3, 1, 2], None)]
cases = []


def r3(lo, hi):
    return round(rng.uniform(lo, hi), 3)


def targets(loss, act, k, style):
    if act == "softmax":
        if style == "soft":       # a distribution summing to 1, in tenths
            cuts = sorted(rng.sample(range(1, 10), k - 1))
            parts = [b - a for a, b in zip([0] + cuts, cuts + [10])]
            return [p / 10 for p in parts]
        if style == "unnormalized":  # not a distribution: -sum y log p all the same
            return [r3(0, 1) for _ in range(k)]
        c = rng.randrange(k)
        if style == "index" or (style == "mixed" and rng.random() < 0.5):
            return [c]
        return [1 if i == c else 0 for i in range(k)]
    if loss == "binary_cross_entropy":
        return [r3(0, 1) if style == "soft" else rng.randint(0, 1) for _ in range(k)]
    lo, hi = {"sigmoid": (0, 1), "tanh": (-0.9, 0.9), "linear": (-2, 2), "relu": (0, 2),
              "leaky_relu": (-0.5, 2)}[act]
    return [r3(lo, hi) for _ in range(k)]


def case(desc, ni, hidden, k, loss, out_act, style="plain", normalize=False, scales=None,
         names=False, todo=""):
    name = "c%02d" % (len(cases) + 1)
    epochs = rng.randint(2, 5)
    rate = 0.03
    rows = []
    for _ in range(rng.randint(3, 7)):
        if scales:
            x = [round(rng.uniform(lo, hi), 4) for lo, hi in scales]
        else:
            x = [r3(-2, 2) for _ in range(ni)]
        rows.append((x, targets(loss, out_act, k, style)))
    spec = ["network %s {" % name]
    if names:
        spec.append("    input %s" % ", ".join("x_%s" % chr(ord("a") + i) for i in range(ni)))
    else:
        spec.append("    input %d" % ni)
    for size, act in hidden:
        spec.append("    hidden %d %s" % (size, act))
    spec.append("    output %d %s" % (k, out_act))
    spec.append("    loss %s" % loss)
    spec.append("    learn_rate %s" % rate)
    spec.append("    epochs %d" % epochs)
    spec.append("    seed %d" % rng.randint(1, 100000))
    spec.append("    init %s" % rng.choice(["normal", "xavier", "he"]))
    if normalize:
        spec.append("    normalize")
    spec.append("}")
    spec.append("data {")
    for x, y in rows:
        spec.append("    %s -> %s" % (" ".join(map(str, x)), " ".join(map(str, y))))
    spec.append("}")
    with open("%s/%s.nn" % (out, name), "w") as f:
        f.write("\n".join(spec) + "\n")
    with open("%s/%s.csv" % (out, name), "w") as f:
        for x, y in rows:
            f.write(",".join(map(str, x + y)) + "\n")
    layers = ",".join("%d:%s" % (s, a) for s, a in hidden + [(k, out_act)])
    shape = "-".join(str(n) for n in [ni] + [s for s, _ in hidden] + [k])
    acts = ",".join(a for _, a in hidden) or "no hidden layer"
    full = "%s %s (%s) -> %s %s, %d epochs%s" % (name, shape, acts, out_act, loss, epochs,
                                                ", " + desc if desc else "")
    # Every third case is also built in nnc's compact form (layers as loops).
    loops = "1" if len(cases) % 3 == 0 else "0"
    cases.append("|".join([name, str(ni), layers, loss, str(epochs), str(rate),
                           "1" if normalize else "0", loops, todo, full]))


# Every hidden activation with every loss/output pairing: each activation
# meets all the shapes, each pairing five of them.
for ai, act in enumerate(HIDDEN):
    for ci, (loss, out_act) in enumerate(OUTPUTS):
        ni, sizes, k = SHAPES[(ci + 3 * ai) % len(SHAPES)]
        if k is None:
            k = rng.randint(2 if out_act == "softmax" else 1, 3)
        # The first hidden layer has the activation under test; deeper ones
        # have it too, or now and then another.
        hidden = [(s, act if j % 2 == 0 else rng.choice(HIDDEN)) for j, s in enumerate(sizes)]
        case("", ni, hidden, k, loss, out_act, names=(ai + ci) % 5 == 0)

# No hidden layer at all, for every pairing (one a single input and output).
for ci, (loss, out_act) in enumerate(OUTPUTS):
    k = 1 if ci == 0 else rng.randint(2 if out_act == "softmax" else 1, 3)
    case("", 1 if ci == 0 else rng.randint(1, 3), [], k, loss, out_act)
case("", 1, [], 1, "mse", "linear")

# Targets as class indexes, soft targets, and deep narrow nets.
case("class-index targets", 3, [(3, "relu")], 3, "cross_entropy", "softmax", "index")
case("class-index and one-hot targets mixed", 2, [(2, "tanh"), (2, "sigmoid")], 4,
     "cross_entropy", "softmax", "mixed")
case("class-index targets", 2, [(3, "leaky_relu")], 3, "mse", "softmax", "index")
case("class-index targets", 1, [], 2, "cross_entropy", "softmax", "index")
case("soft targets summing to 1", 3, [(2, "sigmoid")], 3, "cross_entropy", "softmax", "soft")
case("soft targets", 2, [(3, "tanh")], 2, "binary_cross_entropy", "sigmoid", "soft")
case("deep narrow", 2, [(1, "tanh"), (1, "sigmoid"), (1, "leaky_relu")], 1, "mse", "linear")
case("deep narrow", 3, [(1, "sigmoid"), (1, "tanh")], 2, "cross_entropy", "softmax")

# Normalized inputs of very different scales: the program saves its mean and
# std, and the reference trains on inputs normalized by them.
case("normalize", 3, [(3, "tanh")], 2, "mse", "linear", normalize=True,
     scales=[(100, 250), (-0.02, 0.01), (-5, 5)])
case("normalize, class-index targets", 2, [(2, "relu"), (2, "sigmoid")], 3, "cross_entropy",
     "softmax", "index", normalize=True, scales=[(1000, 3000), (0, 1)])
case("normalize", 4, [], 1, "binary_cross_entropy", "sigmoid", normalize=True,
     scales=[(-50, 50), (0.1, 0.2), (3, 4), (-1, 1)])

# Cross-entropy targets that do not sum to 1 are rejected (33-numeric.t): the
# generated code's o_k - y_k holds only for a distribution.

with open(out + "/cases.txt", "w") as f:
    f.write("\n".join(cases) + "\n")
PY

# ---- 1. The generated programs, two cases at a time ----
# Each case: build, save the starting parameters, print the gradient there,
# then train from them (saving, printing the gradient and the loss after).
# Some cases again with nnc --unroll never (the form nnc picks for big
# networks: loops over arrays), from the same starting parameters.
# Exit statuses go to files; the TAP lines come in step 3.
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
run_form() { # SPEC DIR EPOCHS [START]: in a subshell of its own
    d="$2"
    tmp="$d" # build's messages go to the case's directory
    build "$1" "$d/prog" > "$d/build.log"
    echo $? > "$d/build.st"
    "$d/prog" --epochs 0 --every 0 --save "$d/start.txt" > /dev/null 2> "$d/err"
    echo $? > "$d/start.st"
    start=${4:-$d/start.txt}
    "$d/prog" --load "$start" --epochs 0 --every 0 --grad > "$d/grad0.txt" 2>> "$d/err" &&
        "$d/prog" --load "$start" --epochs "$3" --every 0 --save "$d/end.txt" \
            --grad --eval > "$d/out.txt" 2>> "$d/err"
    echo $? > "$d/train.st"
    grep '^d_L_d_' "$d/out.txt" > "$d/grad.txt"
    grep '^loss: ' "$d/out.txt" > "$d/eval.txt"
}
worker() { # K: the cases on lines K, K + 2, ... (counting from 0)
    awk -v k="$1" 'NR % 2 == k' "$cases/cases.txt" |
        while IFS='|' read -r name ni layers loss epochs rate normalize compact todo desc; do
            mkdir "$cases/$name"
            (run_form "$cases/$name.nn" "$cases/$name" "$epochs")
            if [ "$compact" = 1 ] && [ -n "$loops" ]; then
                mkdir "$cases/$name/loops"
                (NNC="$loops" && run_form "$cases/$name.nn" "$cases/$name/loops" "$epochs" \
                    "$cases/$name/start.txt")
            fi
        done
}
worker 0 &
worker 1 &
wait

# ---- 2. The reference, every case in one process ----
while IFS='|' read -r name ni layers loss epochs rate normalize compact todo desc; do
    d="$tmp/$name"
    norm_opt=
    [ "$normalize" = 1 ] && norm_opt="--normalize"
    echo "--inputs $ni --layers $layers --loss $loss --data '$tmp/$name.csv'" \
        "--load '$d/start.txt' --epochs $epochs --learn-rate $rate $norm_opt" \
        "--save '$d/ref_end.txt' --grad-before '$d/ref_grad0.txt' --grad '$d/ref_grad.txt'" \
        "--eval '$d/ref_eval.txt' --norm-out '$d/ref_norm.txt' --selfcheck --report '$d/ref.st'"
done < "$tmp/cases.txt" > "$tmp/batch.txt"
"$PY" "$REF" --batch "$tmp/batch.txt" 2> "$tmp/batch.err"

# ---- 3. The comparisons ----
# program DIR DESC: the program in DIR built, saved its start and trained.
program() {
    st=1
    [ -f "$1/build.st" ] && read -r st < "$1/build.st"
    ok "$st" "$2: builds"
    if [ "$st" -ne 0 ]; then
        cat "$1/build.log"
        return 1
    fi
    read -r st < "$1/start.st"
    ok "$st" "$2: program saves its starting parameters"
    read -r st < "$1/train.st"
    ok "$st" "$2: program trains"
    [ "$st" -eq 0 ] || sed 's/^/# /' "$1/err"
}
# against_reference DIR DESC: its results against the reference's (in $d).
against_reference() {
    agree "$1/grad0.txt" "$d/ref_grad0.txt"
    $check $? "$2: --grad at the start agrees with the reference" "$todo"
    agree "$1/end.txt" "$d/ref_end.txt"
    $check $? "$2: parameters after training agree with the reference" "$todo"
    agree "$1/grad.txt" "$d/ref_grad.txt"
    $check $? "$2: --grad after training agrees with the reference" "$todo"
    agree "$1/eval.txt" "$d/ref_eval.txt"
    $check $? "$2: --eval loss agrees with the reference" "$todo"
}
while IFS='|' read -r name ni layers loss epochs rate normalize compact todo desc; do
    d="$tmp/$name"
    check=ok
    if ! program "$d" "$desc"; then
        sed 's/^/# /' "$tmp/$name.nn"
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
        agree "$d/norm.txt" "$d/ref_norm.txt"
        ok $? "$desc: saved mean and std are the inputs' mean and population std"
    fi
    against_reference "$d" "$desc"

    if [ -d "$d/loops" ] && program "$d/loops" "$desc, as loops"; then
        agree "$d/loops/start.txt" "$d/start.txt"
        ok $? "$desc, as loops: the same starting parameters"
        against_reference "$d/loops" "$desc, as loops"
    fi
done < "$tmp/cases.txt"

done_testing
