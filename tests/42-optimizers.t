#!/bin/bash
# The optimizers (sgd, momentum, Nesterov momentum, Adam), mini-batches,
# weight decay and shuffling, against an independent reference
# (tests/optim_reference.py, numpy, written from PyTorch's formulas):
#
#   1. a hand check: a 1-input linear neuron, two updates of each optimizer,
#      computed here in awk from the formulas, agrees with the program and
#      with the reference (so the reference is checked too);
#   2. on small random networks (seeded: the same cases every run), each
#      optimizer configuration x batch 1, 3, larger than the data x weight
#      decay or not x shuffle or not (plus the spec's own settings, the
#      hyper-parameter options and --seed): from the same --save'd start,
#      the program and the reference end with the same parameters, epoch,
#      step and optimizer state, to 1e-9 relative (1e-12 absolute);
#   3. resuming: K epochs, --save, --load, M more epochs equals K + M
#      epochs in one run, byte for byte, and the loss lines go on counting;
#   4. the options that do not fit the program, with their exact messages;
#   5. parameter files with part of an optimizer's state, or none.
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
REF="$top/tests/optim_reference.py"
if ! [ -x "$PY" ] || ! "$PY" -c 'import numpy' > /dev/null 2>&1; then
    echo "1..0 # SKIP no numpy"
    exit 0
fi

# agree GOT EXPECTED [REL]: the `name value` lines of the two files name the
# same things, and each value of GOT is within REL (default 1e-9) relative,
# or 1e-12 absolute, of EXPECTED's.  Mismatches are printed as TAP comments.
agree() {
    awk -v rel="${3:-1e-9}" -v abs=1e-12 -v got="$1" '
        function mag(v) { return v < 0 ? -v : v }
        function num(s) { return s ~ /^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/ }
        /^#/ || NF == 0 { next }
        FILENAME == got { g[$1] = $2; order[++n] = $1; next }
        {
            seen[$1] = 1
            if (!($1 in g)) { printf "# %s: missing from the program\n", $1; bad++; next }
            if (!num(g[$1]) || !num($2)) {
                printf "# %s: program %s, expected %s\n", $1, g[$1], $2; bad++; next
            }
            x = g[$1] + 0; y = $2 + 0; d = mag(x - y); m = mag(x) > mag(y) ? mag(x) : mag(y)
            if (d > rel * m && d > abs) {
                if (++shown <= 8)
                    printf "# %s: program %s, expected %s (relative difference %.3g)\n", $1, g[$1], $2, d / m
                bad++
            }
        }
        END {
            for (i = 1; i <= n; i++)
                if (!(order[i] in seen)) { printf "# %s: missing from the expected values\n", order[i]; bad++ }
            if (n == 0) { print "# nothing from the program"; bad++ }
            if (bad > 8) printf "# ... %d mismatches in all\n", bad
            exit bad > 0
        }' "$1" "$2"
}

cd "$tmp" || exit 1

# ---- 1. A hand check: w x + b, mse, two samples, batch 1, weight decay ----
#
# Samples (1 -> 0) then (2 -> 1); from w = 0.5, b = 0.25 with learning rate
# 0.1 and weight decay 0.1, each update's gradient is
#   g_w = 2 (w x + b - y) x + 0.1 w,   g_b = 2 (w x + b - y) + 0.1 b.
cat > hand.csv <<'EOF'
1,0
2,1
EOF
hand_expected() { # OPTIMIZER NESTEROV: prints the parameters after the two updates
    awk -v opt="$1" -v nesterov="$2" 'BEGIN {
        x[1] = 1; y[1] = 0; x[2] = 2; y[2] = 1
        w = 0.5; b = 0.25; lr = 0.1; wd = 0.1; mu = 0.9; b1 = 0.9; b2 = 0.999; eps = 1e-8
        for (t = 1; t <= 2; t++) {
            e = 2 * (w * x[t] + b - y[t])
            gw = e * x[t] + wd * w; gb = e + wd * b
            if (opt == "sgd") { w -= lr * gw; b -= lr * gb }
            else if (opt == "momentum") {
                vw = mu * vw + gw; vb = mu * vb + gb
                if (nesterov) { w -= lr * (gw + mu * vw); b -= lr * (gb + mu * vb) }
                else { w -= lr * vw; b -= lr * vb }
            } else {
                mw = b1 * mw + (1 - b1) * gw; vw2 = b2 * vw2 + (1 - b2) * gw * gw
                mb = b1 * mb + (1 - b1) * gb; vb2 = b2 * vb2 + (1 - b2) * gb * gb
                c1 = 1 - b1 ^ t; c2 = 1 - b2 ^ t
                w -= lr * (mw / c1) / (sqrt(vw2 / c2) + eps)
                b -= lr * (mb / c1) / (sqrt(vb2 / c2) + eps)
            }
        }
        printf "w1 %.17g\nb1 %.17g\n", w, b
    }'
}
for hc in "sgd|optimizer sgd|" "momentum|optimizer momentum 0.9|" \
          "nesterov|optimizer momentum 0.9 nesterov|--nesterov" "adam|optimizer adam|"; do
    IFS='|' read -r name stmt refopt <<EOF
$hc
EOF
    opt=${stmt#optimizer }
    opt=${opt%% *}
    cat > "hand_$name.nn" <<EOF
network hand {
    input 1
    output 1 linear
    loss mse
    learn_rate 0.1
    weight_decay 0.1
    epochs 1
    $stmt
}
params { w1 = 0.5  b1 = 0.25 }
data { 1 -> 0  2 -> 1 }
EOF
    build "hand_$name.nn" "hand_$name"
    ok $? "hand check, $name: builds"
    hand_expected "$opt" "$([ -n "$refopt" ] && echo 1)" > "hand_$name.expected"
    "./hand_$name" --every 0 --save "hand_$name.out" > /dev/null 2>&1 &&
        grep -E '^(w1|b1) ' "hand_$name.out" > "hand_$name.got"
    agree "hand_$name.got" "hand_$name.expected" 1e-12
    ok $? "hand check, $name: the program's two updates are the formulas' (to 1e-12)"
    "./hand_$name" --epochs 0 --save "hand_$name.start" > /dev/null 2>&1
    # shellcheck disable=SC2086
    "$PY" "$REF" --inputs 1 --layers 1:linear --loss mse --data hand.csv --load "hand_$name.start" \
        --save "hand_$name.ref" --epochs 1 --learn-rate 0.1 --weight-decay 0.1 --optimizer "$opt" \
        $refopt 2>&1 | sed 's/^/# /'
    grep -E '^(w1|b1) ' "hand_$name.ref" > "hand_$name.refp" 2> /dev/null
    agree "hand_$name.refp" "hand_$name.expected" 1e-12
    ok $? "hand check, $name: the reference's two updates are the formulas' (to 1e-12)"
done

"$PY" "$REF" --selftest > selftest.out 2>&1
ok $? "the reference's generator matches published splitmix64/xoshiro256** outputs, its backprop finite differences"
sed 's/^/# /' selftest.out

# ---- 2. Random networks against the reference ----
# The generator writes each program's spec (p<N>.nn) and data (p<N>.csv),
# programs.txt (a line per program) and runs.txt (a line per run:
# program|run|program options|description), and ref.txt, the reference's
# command lines.
"$PY" - "$tmp" <<'PY' || echo "Bail out! cannot generate the cases"
import os, random, sys

out = sys.argv[1]
rng = random.Random(4242)

# (name, spec statement, reference options, learning rate)
OPTIMIZERS = [
    ("sgd", "", "--optimizer sgd", 0.1),
    ("momentum", "optimizer momentum", "--optimizer momentum --momentum 0.9", 0.05),
    ("nesterov", "optimizer momentum 0.8 nesterov", "--optimizer momentum --momentum 0.8 --nesterov", 0.05),
    ("adam", "optimizer adam", "--optimizer adam", 0.01),
    ("adam beta1 0.8 beta2 0.99 epsilon 1e-6", "optimizer adam beta1 0.8 beta2 0.99 epsilon 1e-6",
     "--optimizer adam --beta1 0.8 --beta2 0.99 --epsilon 1e-6", 0.02),
]
# (inputs, hidden layers, outputs, output activation, loss, target style, normalize)
NETWORKS = [
    (2, [(3, "sigmoid")], 1, "sigmoid", "binary_cross_entropy", "binary", False),
    (3, [(4, "tanh"), (3, "relu")], 3, "softmax", "cross_entropy", "index", False),
    (2, [(3, "leaky_relu")], 2, "linear", "mse", "real", False),
    (3, [(2, "linear"), (2, "sigmoid")], 2, "sigmoid", "mse", "unit", False),
    (4, [], 3, "softmax", "mse", "onehot", False),
    (2, [(3, "tanh")], 1, "tanh", "mse", "half", True),
]


def r3(lo, hi):
    return round(rng.uniform(lo, hi), 3)


def target(style, k):
    if style == "binary":
        return [rng.randint(0, 1) for _ in range(k)]
    if style == "index":
        return [rng.randrange(k)]
    if style == "onehot":
        c = rng.randrange(k)
        return [1 if i == c else 0 for i in range(k)]
    if style == "unit":
        return [r3(0, 1) for _ in range(k)]
    if style == "half":
        return [r3(-0.9, 0.9) for _ in range(k)]
    return [r3(-2, 2) for _ in range(k)]


programs, runs, ref = [], [], []
for oi, (oname, ostmt, oref, rate) in enumerate(OPTIMIZERS):
    for ni_, t in enumerate((oi, oi + 2, oi + 4)):
        ni, hidden, k, out_act, loss, style, normalize = NETWORKS[t % len(NETWORKS)]
        p = "p%d%d" % (oi, ni_)
        n = rng.choice([5, 7, 7, 8])
        seed = rng.randint(1, 100000)
        rows = []
        for _ in range(n):
            if normalize:
                x = [r3(50, 90), r3(-0.01, 0.01)]
            else:
                x = [r3(-2, 2) for _ in range(ni)]
            rows.append((x, target(style, k)))
        # The spec's own settings, used by the run without options.
        sbatch = rng.choice([1, 2, 3])
        sshuffle = rng.random() < 0.5
        swd = rng.choice([0, 0.02])
        spec = ["network %s {" % p, "    input %d" % ni]
        spec += ["    hidden %d %s" % h for h in hidden]
        spec += ["    output %d %s" % (k, out_act), "    loss %s" % loss,
                 "    learn_rate %s" % rate, "    epochs 3", "    seed %d" % seed,
                 "    init %s" % rng.choice(["normal", "xavier"])]
        if ostmt:
            spec.append("    " + ostmt)
        if sbatch != 1:
            spec.append("    batch %d" % sbatch)
        if sshuffle:
            spec.append("    shuffle")
        if swd:
            spec.append("    weight_decay %s" % swd)
        if normalize:
            spec.append("    normalize")
        spec.append("}")
        spec.append("data {")
        spec += ["    %s -> %s" % (" ".join(map(str, x)), " ".join(map(str, y))) for x, y in rows]
        spec.append("}")
        shape = "-".join(str(v) for v in [ni] + [s for s, _ in hidden] + [k])
        acts = ",".join(a for _, a in hidden) or "no hidden"
        layers = ",".join("%d:%s" % h for h in hidden + [(k, out_act)])
        # The first network of each optimizer is also built in the compact
        # form (nnc --unroll never: loops over weight arrays), as p<N>c.
        variants = [p, p + "c"] if ni_ == 0 else [p]
        bases = {}
        for v in variants:
            with open("%s/%s.nn" % (out, v), "w") as f:
                f.write("\n".join(spec) + "\n")
            with open("%s/%s.csv" % (out, v), "w") as f:
                f.write("".join(",".join(map(str, x + y)) + "\n" for x, y in rows))
            pdesc = "%s: %s %s (%s) %s %s, %d rows%s%s" % (
                v, oname, shape, acts, out_act, loss, n, ", normalize" if normalize else "",
                ", compact form" if v.endswith("c") else "")
            programs.append("%s|%s" % (v, pdesc))
            base = "--inputs %d --layers %s --loss %s --data %s/%s.csv %s --seed %d" % (
                ni, layers, loss, out, v, oref, seed)
            os.makedirs("%s/%s" % (out, v))
            with open("%s/%s/refbase" % (out, v), "w") as f:
                f.write(base + "\n")
            bases[v] = base + " --load %s/%s/start.txt" % (out, v)

        def run(name, popts, desc, epochs, lr, batch, wd, shuffle, seed_=seed, extra=""):
            for v in variants:
                runs.append("%s|%s|%s|%s" % (v, name, "--epochs %d %s" % (epochs, popts), desc))
                ref.append("%s --save %s/%s/ref_%s.txt --epochs %d --learn-rate %r --batch %d "
                           "--weight-decay %r %s --seed %d %s --report %s/%s/ref_%s.st" % (
                               bases[v], out, v, name, epochs, lr, batch, wd,
                               "--shuffle" if shuffle else "", seed_, extra, out, v, name))

        # Every batch x weight decay x shuffle, by options.
        for batch in (1, 3, 50):
            for wd in (0, 0.05):
                for shuffle in (False, True):
                    name = "b%d_wd%s_%s" % (batch, wd, "shuf" if shuffle else "noshuf")
                    popts = "--batch %d --weight-decay %s %s" % (
                        batch, wd, "--shuffle" if shuffle else "--no-shuffle")
                    desc = "batch %d%s, weight decay %s, %s" % (
                        batch, " (more than the data)" if batch > n else "", wd,
                        "shuffled" if shuffle else "data order")
                    run(name, popts, desc, rng.randint(2, 4), rate, batch, wd, shuffle)
        # The spec's own settings.
        run("spec", "", "the spec's settings (batch %d, weight decay %s, %s)" % (
            sbatch, swd, "shuffled" if sshuffle else "data order"), 3, rate, sbatch, swd, sshuffle)
        # --seed changes the shuffling (the start is loaded); --learn-rate.
        run("seed", "--seed 99 --shuffle --batch 2 --learn-rate %r" % (rate / 2),
            "--seed 99 --shuffle --batch 2 --learn-rate %r" % (rate / 2), 3, rate / 2, 2, swd, True,
            seed_=99)
        # The optimizer's hyper-parameters as options.
        if oname in ("momentum", "nesterov"):
            run("hyper", "--momentum 0.5 --batch 3 --shuffle", "--momentum 0.5 --batch 3 --shuffle",
                3, rate, 3, swd, True, extra="--momentum 0.5")
        elif oname.startswith("adam"):
            run("hyper", "--beta1 0.7 --beta2 0.95 --epsilon 1e-4 --batch 3 --shuffle",
                "--beta1 0.7 --beta2 0.95 --epsilon 1e-4 --batch 3 --shuffle", 3, rate, 3, swd, True,
                extra="--beta1 0.7 --beta2 0.95 --epsilon 1e-4")

with open(out + "/programs.txt", "w") as f:
    f.write("\n".join(programs) + "\n")
with open(out + "/runs.txt", "w") as f:
    f.write("\n".join(runs) + "\n")
with open(out + "/ref.txt", "w") as f:
    f.write("\n".join(ref) + "\n")
PY

# Build the programs, two at a time, and save each one's start.
nnc_with nnc-compact --unroll never
build_program() { # P
    mkdir -p "$tmp/$1"
    case $1 in *c) NNC="$tmp/nnc-compact" ;; esac
    tmp="$tmp/$1" # build's messages go to the program's directory
    build "$tmp/../$1.nn" "$tmp/prog" > "$tmp/build.log"
    echo $? > "$tmp/build.st"
    "$tmp/prog" --epochs 0 --save "$tmp/start.txt" > /dev/null 2> "$tmp/start.err"
    echo $? > "$tmp/start.st"
}
awk -F'|' 'NR % 2 == 1 { print $1 }' programs.txt | while read -r p; do (build_program "$p"); done &
awk -F'|' 'NR % 2 == 0 { print $1 }' programs.txt | while read -r p; do (build_program "$p"); done &
wait

# The runs of the programs, then the reference's, in one process.
while IFS='|' read -r p name opts desc; do
    [ -x "$p/prog" ] || continue
    # shellcheck disable=SC2086
    "$p/prog" --load "$p/start.txt" --every 0 --save "$p/end_$name.txt" $opts > /dev/null 2> "$p/err_$name"
    echo $? > "$p/st_$name"
done < runs.txt
"$PY" "$REF" --batch-file ref.txt 2> ref.err

declare -A desc_of
while IFS='|' read -r p pdesc; do
    desc_of[$p]=$pdesc
    st=$(cat "$p/build.st" 2> /dev/null || echo 1)
    ok "$st" "$pdesc: builds"
    if [ "$st" -ne 0 ]; then
        cat "$p/build.log"
        continue
    fi
    ok "$(cat "$p/start.st")" "$pdesc: --epochs 0 --save writes its start"
    case $p in
    *c) grep -q 'nn->w\[' "$p/prog.c"
        ok $? "$pdesc: the C is in the compact form (nn->w[k])" ;;
    *) grep -q 'nn->w1 ' "$p/prog.c"
        ok $? "$pdesc: the C is unrolled (nn->w1)" ;;
    esac
done < programs.txt
while IFS='|' read -r p name opts desc; do
    [ -x "$p/prog" ] || continue
    pdesc=${desc_of[$p]}
    read -r st < "$p/st_$name"
    if [ "$st" -ne 0 ]; then
        ok 1 "$pdesc, $desc: the program trains"
        sed 's/^/# /' "$p/err_$name"
        continue
    fi
    st=$(head -n 1 "$p/ref_$name.st" 2> /dev/null || echo 2)
    if [ "$st" -ne 0 ]; then
        ok 1 "$pdesc, $desc: the reference trains"
        sed '1d; s/^/# /' "$p/ref_$name.st" 2> /dev/null || sed 's/^/# /' ref.err
        continue
    fi
    agree "$p/end_$name.txt" "$p/ref_$name.txt"
    ok $? "$pdesc, $desc: parameters, epoch, step and state agree with the reference"
done < runs.txt

# ---- 3. Resuming equals one run ----
# The first program of each optimizer (both forms), shuffled, in batches of 3 (the last
# one short), with weight decay; the loss lines printed every epoch, then
# every third epoch (numbered from the first epoch of all).
for p in p00 p10 p20 p30 p40 p00c p10c p20c p30c p40c; do
    [ -x "$p/prog" ] || continue
    P="$p/prog"
    pdesc=${desc_of[$p]}
    set -- --shuffle --batch 3 --weight-decay 0.01
    "$P" "$@" --epochs 3 --every 1 --save "$p/a.txt" > "$p/a.out" 2>&1 &&
        "$P" "$@" --load "$p/a.txt" --epochs 4 --every 1 --save "$p/b.txt" > "$p/b.out" 2>&1 &&
        "$P" "$@" --epochs 7 --every 1 --save "$p/c.txt" > "$p/c.out" 2>&1
    ok $? "$pdesc, resume: the runs succeed"
    if cmp -s "$p/b.txt" "$p/c.txt"; then
        ok 0 "$pdesc, resume: 3 epochs, --load, 4 more = 7 epochs, the same file byte for byte"
    else
        ok 1 "$pdesc, resume: 3 epochs, --load, 4 more = 7 epochs, the same file byte for byte"
        diff "$p/b.txt" "$p/c.txt" | head -10 | sed 's/^/# /'
    fi
    like "$(grep -E '^(epoch|step) ' "$p/c.txt" | tr '\n' ' ')" '^epoch 7 step [0-9]+ $' \
        "$pdesc, resume: the file says epoch 7"
    is "$(cat "$p/a.out" "$p/b.out")" "$(cat "$p/c.out")" \
        "$pdesc, resume: the loss lines of the two runs are those of the one"
    like "$(head -n 1 "$p/b.out")" '^Epoch 3 loss: ' "$pdesc, resume: the resumed run starts at epoch 3"

    # In three pieces, printing every third epoch: 0 | 3 | 6.
    "$P" "$@" --epochs 2 --every 3 --save "$p/d1.txt" > "$p/d.out" 2>&1 &&
        "$P" "$@" --load "$p/d1.txt" --epochs 2 --every 3 --save "$p/d2.txt" >> "$p/d.out" 2>&1 &&
        "$P" "$@" --load "$p/d2.txt" --epochs 3 --every 3 --save "$p/d3.txt" >> "$p/d.out" 2>&1
    ok $? "$pdesc, resume in three pieces: the runs succeed"
    cmp -s "$p/d3.txt" "$p/c.txt"
    ok $? "$pdesc, resume: 2 + 2 + 3 epochs = 7 epochs, byte for byte"
    is "$(grep loss "$p/d.out" | cut -d' ' -f2 | tr '\n' ' ')" "0 3 6 " \
        "$pdesc, resume: --every 3 counts from the first epoch of all (0, 3, 6)"
    is "$(grep loss "$p/d.out")" "$(grep -E '^Epoch [036] loss' "$p/c.out")" \
        "$pdesc, resume: those loss lines are the uninterrupted run's"
done

# ---- 4. Options that do not fit the program ----
SGD=$tmp/p00/prog MOM=$tmp/p10/prog ADAM=$tmp/p30/prog
try() { echo "Try '$1 --help' for more information."; }
check() { # DESC STATUS STDERR PROGRAM ARGS...
    local desc=$1 want_status=$2 want_err=$3
    shift 3
    printf 'sentinel\n' > saved.txt
    "$@" --every 0 --save saved.txt > out.txt 2> err.txt
    local status=$?
    is "$(cat err.txt)" "$want_err" "$desc: message"
    is "$status" "$want_status" "$desc: exit status $want_status"
    is "$(cat out.txt)" "" "$desc: nothing on stdout"
    is "$(cat saved.txt)" "sentinel" "$desc: the --save file is untouched"
}
recompile() { # PROGRAM WANTED COMPILED
    echo "$1: error: --optimizer $2: this program was compiled for optimizer $3; the optimizer is" \
        "written out in the generated code, so put 'optimizer $2' in the spec and compile it again"
}
check "--optimizer adam on an sgd program" 2 "$(recompile "$SGD" adam sgd)" "$SGD" --optimizer adam
check "--optimizer=momentum on an sgd program" 2 "$(recompile "$SGD" momentum sgd)" "$SGD" --optimizer=momentum
check "--optimizer sgd on an adam program" 2 "$(recompile "$ADAM" sgd adam)" "$ADAM" --optimizer sgd
check "--optimizer adam on a momentum program" 2 "$(recompile "$MOM" adam momentum)" "$MOM" --optimizer adam
# nnc knows no rmsprop: the message names the optimizers there are.
check "--optimizer rmsprop on a momentum program" 2 "$MOM: error: --optimizer: expected sgd, momentum or adam but found 'rmsprop'
$(try "$MOM")" "$MOM" --optimizer rmsprop
"$ADAM" --optimizer adam --epochs 1 --every 0 > /dev/null 2>&1
ok $? "--optimizer adam on an adam program is accepted"
"$SGD" --optimizer sgd --epochs 1 --every 0 > /dev/null 2>&1
ok $? "--optimizer sgd on an sgd program is accepted"

check "--momentum on an sgd program" 2 \
    "$SGD: error: --momentum applies to optimizer momentum, but this program uses sgd
$(try "$SGD")" "$SGD" --momentum 0.9
check "--beta1 on an sgd program" 2 \
    "$SGD: error: --beta1 applies to optimizer adam, but this program uses sgd
$(try "$SGD")" "$SGD" --beta1 0.9
check "--momentum on an adam program" 2 \
    "$ADAM: error: --momentum applies to optimizer momentum, but this program uses adam
$(try "$ADAM")" "$ADAM" --momentum=0.9
check "--epsilon on a momentum program" 2 \
    "$MOM: error: --epsilon applies to optimizer adam, but this program uses momentum
$(try "$MOM")" "$MOM" --epsilon 1e-8

check "--beta1 1" 2 "$ADAM: error: --beta1: expected a number >= 0 and < 1 but found '1'
$(try "$ADAM")" "$ADAM" --beta1 1
check "--beta2 1.5" 2 "$ADAM: error: --beta2: expected a number >= 0 and < 1 but found '1.5'
$(try "$ADAM")" "$ADAM" --beta2 1.5
check "--beta1 -0.1" 2 "$ADAM: error: --beta1: expected a number >= 0 and < 1 but found '-0.1'
$(try "$ADAM")" "$ADAM" --beta1 -0.1
check "--epsilon 0" 2 "$ADAM: error: --epsilon: expected a number > 0 and <= 1 but found '0'
$(try "$ADAM")" "$ADAM" --epsilon 0
check "--momentum 0" 2 "$MOM: error: --momentum: expected a number > 0 and <= 1 but found '0'
$(try "$MOM")" "$MOM" --momentum 0
check "--momentum 1.5" 2 "$MOM: error: --momentum: expected a number > 0 and <= 1 but found '1.5'
$(try "$MOM")" "$MOM" --momentum 1.5
check "--batch 0" 2 "$SGD: error: --batch: expected a whole number >= 1 but found '0'
$(try "$SGD")" "$SGD" --batch 0
check "--batch 2.5" 2 "$MOM: error: --batch: expected a whole number >= 1 but found '2.5'
$(try "$MOM")" "$MOM" --batch 2.5
check "--weight-decay -1" 2 "$ADAM: error: --weight-decay: expected a finite number >= 0 but found '-1'
$(try "$ADAM")" "$ADAM" --weight-decay -1
check "--weight-decay inf" 2 "$SGD: error: --weight-decay: expected a finite number >= 0 but found 'inf'
$(try "$SGD")" "$SGD" --weight-decay inf

# ---- 5. Parameter files and the optimizer's state ----
# p10 is momentum (velocity_*), p30 Adam (m_*, v_*); both trained a while.
"$MOM" --epochs 3 --batch 3 --save mom.txt > /dev/null 2>&1
"$ADAM" --epochs 3 --batch 3 --save adam.txt > /dev/null 2>&1
grep -v '^velocity_w2 ' mom.txt > mom_partial.txt
check "a momentum state without velocity_w2" 1 \
    "$MOM: error: 'mom_partial.txt' has no value for the optimizer's state 'velocity_w2'" \
    "$MOM" --load mom_partial.txt
grep -v '^v_' adam.txt > adam_partial.txt
check "an Adam state with m_ but no v_ lines" 1 \
    "$ADAM: error: 'adam_partial.txt' has no value for the optimizer's state 'v_w1'" \
    "$ADAM" --load adam_partial.txt
grep -v '^m_b' adam.txt > adam_partial2.txt
check "an Adam state without the m_b lines" 1 \
    "$ADAM: error: 'adam_partial2.txt' has no value for the optimizer's state 'm_b1'" \
    "$ADAM" --load adam_partial2.txt
# v_ is a mean of squares: a negative one would make sqrt(v_hat) NaN.
sed 's/^v_w2 .*/v_w2 -1e-30/' adam.txt > adam_negative.txt
line=$(grep -n '^v_w2 ' adam_negative.txt | cut -d: -f1)
check "a negative v_ in an Adam state" 1 \
    "$ADAM: adam_negative.txt:$line: error: 'v_w2' must be at least 0 (a mean of squares)" \
    "$ADAM" --load adam_negative.txt
sed 's/^m_w2 .*/m_w2 -1e-30/; s/^v_w2 .*/v_w2 -0/' adam.txt > adam_negative_m.txt
"$ADAM" --load adam_negative_m.txt --epochs 1 > /dev/null 2> err.txt
is "$?:$(cat err.txt)" "0:" "a negative m_ and a v_ of -0 load"
sed 's/^velocity_/m_/' mom.txt > mom_as_adam.txt
line=$(grep -n '^m_w1 ' mom_as_adam.txt | cut -d: -f1)
check "Adam's state (m_) in a momentum program's file" 1 \
    "$MOM: mom_as_adam.txt:$line: error: unknown parameter 'm_w1'" "$MOM" --load mom_as_adam.txt
{ cat p00/start.txt; echo 'velocity_w1 0'; } > sgd_velocity.txt
line=$(wc -l < sgd_velocity.txt)
check "a velocity in an sgd program's file" 1 \
    "$SGD: sgd_velocity.txt:$line: error: unknown parameter 'velocity_w1'" "$SGD" --load sgd_velocity.txt

# A file of parameters alone (no epoch, step or state: as written by hand, or
# by an sgd program) starts the optimizer from zero: the same as a file with
# epoch 0, step 0 and every state value 0, and the same as the reference.
for p in p10 p20 p30 p40; do
    P="$p/prog"
    [ -x "$P" ] || continue
    pdesc=${desc_of[$p]}
    "$P" --epochs 2 --batch 2 --save "$p/trained.txt" > /dev/null 2>&1
    grep -E '^([wb][0-9]+|mean_x[0-9]+|std_x[0-9]+) ' "$p/trained.txt" > "$p/plain.txt"
    { cat "$p/plain.txt"; echo "epoch 0"; echo "step 0"
      grep -E '^(velocity|m|v)_' "$p/trained.txt" | sed 's/ .*/ 0/'; } > "$p/zero.txt"
    set -- --epochs 3 --batch 3 --shuffle --weight-decay 0.01 --every 1
    "$P" "$@" --load "$p/plain.txt" --save "$p/plain_end.txt" > "$p/plain.out" 2> "$p/plain.err"
    ok $? "$pdesc: a file of parameters alone loads and trains"
    sed 's/^/# /' "$p/plain.err"
    "$P" "$@" --load "$p/zero.txt" --save "$p/zero_end.txt" > "$p/zero.out" 2>&1
    cmp -s "$p/plain_end.txt" "$p/zero_end.txt" && cmp -s "$p/plain.out" "$p/zero.out"
    ok $? "$pdesc: ... as a file with epoch 0, step 0 and a zero state does, byte for byte"
    like "$(head -n 1 "$p/plain.out")" '^Epoch 0 loss: ' "$pdesc: ... counting epochs from 0"
    # shellcheck disable=SC2046
    "$PY" "$REF" $(cat "$p/refbase") --load "$p/plain.txt" --save "$p/plain_ref.txt" \
        --epochs 3 --batch 3 --shuffle --weight-decay 0.01 \
        --learn-rate "$(sed -n 's/^ *learn_rate //p' "$p.nn")" 2>&1 | sed 's/^/# /'
    agree "$p/plain_end.txt" "$p/plain_ref.txt"
    ok $? "$pdesc: ... and agrees with the reference started from a zero state"
done

done_testing
