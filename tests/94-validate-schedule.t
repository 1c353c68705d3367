#!/bin/bash
# Validation rows, early stopping, learning-rate schedules, the progress
# line and divergence past NaN:
#
#   1. schedules: the learning_rate column of --history, epoch by epoch,
#      against torch.optim.lr_scheduler (StepLR, ExponentialLR,
#      CosineAnnealingLR, stepped once an epoch) when python3-torch is
#      installed, else against their recursive formulas written out here;
#      the spec's `schedule` and --schedule alike;
#   2. resuming: K epochs, --save, --load, M more equals K + M epochs in
#      one run, byte for byte, the rate in the file;
#   3. validation: history columns, the val_loss lines, a stratified split;
#   4. early stopping on data that overfits: the best epoch is the one
#      whose validation loss is the least in --history, training stops
#      early_stop epochs after it, and --save holds what a run of exactly
#      best + 1 epochs saves;
#   5. option mistakes; divergence past 1e150 and losses in a fixed width;
#      the progress line with --every 0.
. "$(dirname "$0")/lib.sh"

cd "$tmp" || exit 1
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

cat > lin.nn <<'SPEC'
network lin { input 1 output 1 linear learn_rate 0.1 epochs 30 }
data { 0 -> 1  1 -> 3  2 -> 5 }
SPEC
build lin.nn lin
ok $? "the linear spec builds"

# The rates of N epochs under a schedule, from torch or from the formulas.
cat > ref.py <<'PY'
import math, sys
kind, base, n = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
args = [float(a) for a in sys.argv[4:]]
try:
    import torch
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=base)
    S = torch.optim.lr_scheduler
    if kind == "step":
        s = S.StepLR(opt, step_size=int(args[0]), gamma=args[1])
    elif kind == "exponential":
        s = S.ExponentialLR(opt, gamma=args[0])
    else:
        s = S.CosineAnnealingLR(opt, T_max=int(args[0]), eta_min=args[1] if len(args) > 1 else 0)
    rates = []
    for e in range(n):
        rates.append(opt.param_groups[0]["lr"])
        opt.step()
        s.step()
    print("torch", file=sys.stderr)
except ImportError:
    # The recursive forms of torch's get_lr, from its documentation.
    rates, lr = [], base
    for e in range(n):
        rates.append(lr)
        t = e + 1
        if kind == "step":
            lr = lr * args[1] if t % int(args[0]) == 0 else lr
        elif kind == "exponential":
            lr = lr * args[0]
        else:
            T, eta = int(args[0]), (args[1] if len(args) > 1 else 0.0)
            if (t - 1 - T) % (2 * T) == 0:
                lr = lr + (base - eta) * (1 - math.cos(math.pi / T)) / 2
            else:
                lr = (1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T)) * (lr - eta) + eta
    print("formulas", file=sys.stderr)
for r in rates:
    print(repr(r))
PY

# agree FILE1 FILE2: the numbers, line by line, within 1e-12 relative.
agree() {
    awk 'NR == FNR { a[FNR] = $1; n = FNR; next }
         { d = $1 - a[FNR]; if (d < 0) d = -d; m = a[FNR] < 0 ? -a[FNR] : a[FNR];
           if (d > 1e-12 * m) { print "# line " FNR ": " $1 " vs " a[FNR]; bad = 1 } ; k = FNR }
         END { exit bad || k != n }' "$1" "$2"
}

for sched in "step 7 0.5" "exponential 0.9" "cosine 10 0.001" "cosine 7" "step 5 0.8"; do
    set -- $sched
    ./lin --every 0 --epochs 45 --schedule "$sched" --history h.csv > /dev/null
    head -1 h.csv | grep -qx "epoch,loss,learn_rate"
    ok $? "schedule $sched: --history has a learn_rate column"
    tail -n +2 h.csv | cut -d, -f3 > got.txt
    "$PY" ref.py "$1" 0.1 45 "${@:2}" > want.txt 2> which.txt
    agree want.txt got.txt
    ok $? "schedule $sched: 45 epochs' rates agree with $(cat which.txt) to 1e-12"
done

# The spec's statement is the option.
sed 's/epochs 30/epochs 30 schedule cosine 10 0.001/' lin.nn > lin_cos.nn
build lin_cos.nn lin_cos
ok $? "a spec with a schedule builds"
./lin_cos --every 0 --history spec.csv > /dev/null
./lin --every 0 --schedule "cosine,10,0.001" --history opt.csv > /dev/null
is "$(cat spec.csv)" "$(cat opt.csv)" "'schedule cosine 10 0.001' trains as --schedule cosine,10,0.001"
./lin_cos --every 0 --schedule none --history none.csv > /dev/null
is "$(head -1 none.csv)" "epoch,loss" "--schedule none turns the spec's off"

# Resuming goes on with the rate where it stopped.
for sched in "cosine 10 0.001" "step 4 0.5"; do
    ./lin --every 0 --epochs 23 --schedule "$sched" --save one.txt > /dev/null
    ./lin --every 0 --epochs 9 --schedule "$sched" --save two.txt > /dev/null
    ./lin --every 0 --epochs 14 --schedule "$sched" --load two.txt --save two.txt > /dev/null
    cmp -s one.txt two.txt
    ok $? "schedule $sched: 9 epochs, saved, and 14 more are 23 in one run, byte for byte"
    set -- $sched
    "$PY" ref.py "$1" 0.1 24 "${@:2}" 2> /dev/null | tail -1 > want.txt
    sed -n 's/^learn_rate //p' one.txt > got.txt
    agree want.txt got.txt
    ok $? "schedule $sched: the saved learn_rate is the 24th epoch's"
done
./lin --every 0 --epochs 5 --save plain.txt > /dev/null
! grep -q learn_rate plain.txt
ok $? "without a schedule the file has no learn_rate line"

# Validation on iris: the columns, the lines, a split by class.
build "$top/specs/iris.nn" iris
ok $? "iris builds"
(cd "$top/specs" && "$tmp/iris" --epochs 21 --every 10 --validate 0.2 --schedule "step 10 0.5" \
    --history "$tmp/ih.csv") > out.txt
is "$(head -1 ih.csv)" "epoch,loss,accuracy,val_loss,val_accuracy,learn_rate" \
    "--history of a classifier with validation: loss, accuracy, val_loss, val_accuracy, learn_rate"
want=$(awk -F, 'NR > 1 && ($1 % 10) == 0 {
    printf "Epoch %d loss: %.3f\nEpoch %d accuracy: %.3f\nEpoch %d val_loss: %.3f\nEpoch %d val_accuracy: %.3f\n",
        $1, $2, $1, $3, $1, $4, $1, $5 }' ih.csv)
is "$(grep '^Epoch' out.txt)" "$want" "the Epoch N val_loss and val_accuracy lines are the history's, every 10th epoch"
# 150 rows, 50 of each class: 10 of each held out, 30 in all; 120 train.
awk -F, 'NR > 1 { a = $3 * 120; v = $5 * 30;
                  if (a - int(a + 0.5) > 1e-9 || int(a + 0.5) - a > 1e-9) exit 1;
                  if (v - int(v + 0.5) > 1e-9 || int(v + 0.5) - v > 1e-9) exit 1 }' ih.csv
ok $? "accuracies count out of 120 training and 30 validation rows"
(cd "$top/specs" && "$tmp/iris" --epochs 3 --every 0 --validate 0.2 --history "$tmp/ih2.csv") > /dev/null
is "$(cut -d, -f4 ih2.csv)" "$(cut -d, -f4 ih.csv | head -4)" "the split is seeded: the same rows every run"
(cd "$top/specs" && "$tmp/iris" --epochs 3 --every 0 --validate 0.2 --seed 7 --history "$tmp/ih3.csv") > /dev/null
[ "$(sed -n 2p ih3.csv)" != "$(sed -n 2p ih.csv)" ]
ok $? "and another seed draws others"

# Early stopping on data that overfits: the noise of 14 points, learnt by 24 tanh units.
cat > over.nn <<'SPEC'
network over {
    input 1
    hidden 24 tanh
    output 1 linear
    learn_rate 0.05
    epochs 4000
    validate 0.3
    early_stop 100
}
data {
    -1.0 -> -1.3   -0.9 -> -0.2   -0.8 -> -1.4   -0.7 -> 0.1
    -0.6 -> -1.0   -0.5 ->  0.3   -0.4 -> -0.9   -0.3 -> 0.5
    -0.2 -> -0.6   -0.1 ->  0.6    0.0 -> -0.4    0.1 -> 0.9
     0.2 -> -0.1    0.3 ->  1.1    0.4 ->  0.0    0.5 -> 1.3
     0.6 ->  0.3    0.7 ->  1.5    0.8 ->  0.4    0.9 -> 1.7
}
SPEC
build over.nn over
ok $? "the overfitting spec builds"
./over --every 0 --early-stop 0 --history full.csv > /dev/null
# The rule, run over the full history: the first epoch after which 100 pass without a lower val_loss.
set -- $(awk -F, 'NR > 1 { if (m == "" || $3 < m) { m = $3; e = $1; since = 0 }
                           else if (++since >= 100) { print e, m, $1; exit } }' full.csv)
best=$1 low=$2 stop=$3
last=$(tail -1 full.csv | cut -d, -f3)
awk -v a="$last" -v b="$low" 'BEGIN { exit !(a > 1.2 * b) }'
ok $? "without early stopping the validation loss rises from $low (epoch $best) to $last"
./over --every 0 --history stopped.csv --save best.txt > out.txt
is "$(cat out.txt)" "best validation loss: $(printf '%.3f' "$low") (epoch $best)" \
    "early stopping names the best validation loss and its epoch"
is "$(tail -1 stopped.csv | cut -d, -f1)" "$stop" "and stops 100 epochs (early_stop) after it, at epoch $stop"
is "$(head -n $((best + 2)) full.csv)" "$(head -n $((best + 2)) stopped.csv)" \
    "having trained as the run without it up to then"
./over --every 0 --early-stop 0 --epochs $((best + 1)) --save exact.txt > /dev/null
cmp -s best.txt exact.txt
ok $? "--save holds the best epoch's parameters, counts and state: a run of $((best + 1)) epochs"
./over --every 0 --early-stop 3 --validate 0.5 --epochs 4000 > out.txt
like "$(cat out.txt)" "^best validation loss: [0-9.]+ \\(epoch [0-9]+\\)$" "--early-stop and --validate change the spec's"

# Mistakes.
./lin --early-stop 5 > out.txt 2> err.txt
is "$?:$(cat err.txt)" "2:./lin: error: early stopping needs validation rows: give --validate F (or --early-stop 0)
Try './lin --help' for more information." "--early-stop without validation rows"
./lin --schedule "cosine 0" 2> err.txt
is "$?:$(head -1 err.txt)" "2:./lin: error: --schedule: expected 'step EVERY GAMMA', 'exponential GAMMA', 'cosine T_MAX [ETA_MIN]' or 'none' but found 'cosine 0'" \
    "--schedule with a T_MAX of 0"
./lin --validate 1 2> err.txt
is "$?:$(head -1 err.txt)" "2:./lin: error: --validate: expected a number >= 0 and < 1 but found '1'" "--validate 1"
./lin --validate 0.01 2> err.txt
is "$?:$(cat err.txt)" "1:./lin: error: validate 0.01 holds out none of the 3 training rows: give a larger fraction or more rows" \
    "a fraction that holds out no row"
./over --early-stop 0 --validate 0 --every 0 --epochs 2 --history h0.csv > /dev/null
is "$(head -1 h0.csv)" "epoch,loss" "--validate 0 turns the spec's off"

# Divergence past NaN: weights run off to 1e300 while tanh and softmax keep the loss finite.
(cd "$top/specs" && "$tmp/iris" --learn-rate 1e300 --every 50) > out.txt 2> err.txt
status=$?
is "$status" 1 "iris at --learn-rate 1e300 diverges: exit status 1"
like "$(cat err.txt)" "error: training diverged in epoch 0 at sample [0-9]+: w[0-9]+ became -?[0-9.]+e\\+[0-9]+, past 1e150, where no training converges; is the learning rate \\(1e\\+300\\) too high\\?$" \
    "and says which weight passed 1e150"
# A loss of 1e20 (target 1e10, a rate too small to move): a fixed width, not 21 digits.
cat > big.nn <<'SPEC'
network big { input 1 output 1 linear learn_rate 1e-30 epochs 1 }
params { w1 = 0 b1 = 0 }
data { 1 -> 1e10 }
SPEC
build big.nn big
./big > out.txt
is "$(head -1 out.txt)" "Epoch 0 loss: 1.000e+20" "a loss past a million prints as %.3e"

# The progress line with --every 0 shows the loss of the epoch it is in and the time left.
if command -v script > /dev/null; then
    build "$top/specs/digits.nn" digits
    (cd "$top/specs" && script -qec "$tmp/digits --epochs 400 --every 0" /dev/null) > tty.txt 2>&1
    grep -q "epoch 400/400 \\[=*\\] loss [0-9]\\.[0-9][0-9][0-9] " tty.txt
    ok $? "with --every 0 the progress line shows the loss"
    grep -q "samples/s [0-9hms]* left" tty.txt
    ok $? "and the time left"
    tr '\r' '\n' < tty.txt | sed -n 's/.*epoch \([0-9]*\)\/400 .* loss \([0-9.]*\) .*/\1 \2/p' | sort -u > shown.txt
    (cd "$top/specs" && "$tmp/digits" --epochs 400 --every 1) | sed -n 's/^Epoch \([0-9]*\) loss: /\1 /p' |
        awk '{ print $1 + 1, $2 }' > lines.txt
    awk 'NR == FNR { want[$1] = $2; next } want[$1] != $2 { bad = 1 } END { exit bad }' lines.txt shown.txt
    ok $? "each drawn loss is the loss of the epoch drawn"
else
    for k in 1 2 3; do skip "no script(1)"; done
fi

done_testing
