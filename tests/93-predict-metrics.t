#!/bin/sh
# After training: --predict-file's CSV, the measures of --eval and of the
# test report, and class names (`classes`).
#
# The measures are computed here again, in Python, from the predictions
# file and the data file alone (accuracy, confusion matrix, per-class
# precision, recall and F1; MAE, RMSE and R^2 as scikit-learn defines
# them), and must be the program's to the last digit: both sum in data
# order, so the doubles are the same.  Class names must read and print
# back as the indices they stand for; --output is written whole or not at
# all; a class name that is not one is an error that says where.
. "$(dirname "$0")/lib.sh"
cd "$tmp" || exit 1

if ! command -v python3 > /dev/null 2>&1; then
    echo "1..0 # SKIP python3 is needed to recompute the measures"
    exit 0
fi

# ---- A classifier with class names: iris ------------------------------------
build "$top/specs/iris.nn" iris
ok $? "iris (with classes) builds"
./iris --every 0 --save iris.params > /dev/null
ok $? "iris trains and saves its parameters"
cp "$top/specs/data/iris.csv" iris.csv

./iris --epochs 0 --load iris.params --eval > eval.out
ok $? "--eval exits 0"
./iris --epochs 0 --load iris.params --predict-file iris.csv --output pred.csv > pred.out
ok $? "--predict-file --output exits 0"
is "$(cat pred.out)" "" "with --output nothing goes to standard output"
is "$(head -n 1 pred.csv)" "o1,o2,o3,class" "the header names the outputs, then class"
is "$(($(wc -l < pred.csv) - 1))" 150 "one line for each of the 150 rows"

# The measures, from the files alone.
cat > measures.py << 'EOF'
import sys
data, pred, names = sys.argv[1], sys.argv[2], sys.argv[3].split(',')
truth = [int(l.rstrip('\n').split(',')[-1]) for l in open(data).readlines()[1:]]
rows = [l.rstrip('\n').split(',') for l in open(pred).readlines()[1:]]
outs = [[float(v) for v in r[:-1]] for r in rows]
got = [names.index(r[-1]) for r in rows]
# The class column is the largest output's class (the first of equals).
for o, g in zip(outs, got):
    assert g == max(range(len(o)), key=lambda k: (o[k], -k)), (o, g)
k = len(names)
print('accuracy: %r' % (sum(t == g for t, g in zip(truth, got)) / len(truth)))
m = [[0] * k for _ in range(k)]
for t, g in zip(truth, got):
    m[t][g] += 1
for t in range(k):
    print('confusion %s: %s' % (names[t], ' '.join(str(n) for n in m[t])))
for c in range(k):
    tp, pred_c, true_c = m[c][c], sum(m[t][c] for t in range(k)), sum(m[c])
    print('precision %s: %r' % (names[c], tp / pred_c if pred_c else 0.0))
    print('recall %s: %r' % (names[c], tp / true_c if true_c else 0.0))
    print('f1 %s: %r' % (names[c], 2 * tp / (true_c + pred_c) if true_c + pred_c else 0.0))
EOF
python3 measures.py iris.csv pred.csv setosa,versicolor,virginica > expected.out
ok $? "the measures are recomputed from the predictions file"
is "$(grep -v '^loss: ' eval.out)" "$(cat expected.out)" \
    "--eval's accuracy, confusion matrix, precision, recall and F1 are those of the predictions file"
like "$(head -n 1 eval.out)" '^loss: 0\.[0-9]+$' "--eval's loss line is as it was, first"

# The same rows with the class named: the same results.
awk -F, 'BEGIN { split("setosa versicolor virginica", n, " ") } NR == 1 { print; next }
         { $NF = n[$NF + 1]; print }' OFS=, iris.csv > named.csv
like "$(sed -n 2p named.csv)" '^5\.1,3\.5,1\.4,0\.2,setosa$' "a CSV with the class by name"
./iris --epochs 0 --load iris.params --data named.csv --eval > eval-named.out
ok $? "--data takes the class by name"
is "$(cat eval-named.out)" "$(cat eval.out)" "and gives what the class indices give"
./iris --epochs 0 --load iris.params --predict-file named.csv > pred-named.csv
cmp -s pred-named.csv pred.csv
ok $? "--predict-file on standard output: the file --output wrote, byte for byte"
cut -d, -f1-4 iris.csv > inputs.csv
./iris --epochs 0 --load iris.params --predict-file inputs.csv > pred-inputs.csv && cmp -s pred-inputs.csv pred.csv
ok $? "rows of inputs alone give the same predictions"

# Row order matches: the input and the output join line by line.
paste -d, iris.csv pred.csv > joined.csv
is "$(head -n 1 joined.csv)" "sepal_length,sepal_width,petal_length,petal_width,class,o1,o2,o3,class" \
    "paste joins the headers"
is "$(awk -F, 'NR > 1 && $5 == 0 && $9 != "setosa" { n++ } END { print n + 0 }' joined.csv)" 0 \
    "and each row to its prediction: every setosa row (class 0) is predicted setosa"
is "$(awk -F, 'NR > 1 { n[$9]++ } END { print n["setosa"] }' joined.csv)" 50 "and no other row is"

# The test report: the same measures, prefixed "test ".
./iris --epochs 0 --load iris.params --test named.csv > test.out
ok $? "--test with class names exits 0"
is "$(grep '^test ' test.out | sed 's/^test //')" "$(cat eval.out)" \
    "the test report holds --eval's lines, each prefixed 'test '"
like "$(head -n 1 test.out)" '^setosa: [0-9.e-]+ [0-9.e-]+ [0-9.e-]+ -> setosa$' \
    "a spec's prediction shows its class by name after '->'"
is "$(./iris --epochs 0 --load iris.params --predict 6.3,3.3,6.0,2.5 | sed 's/.* -> //')" virginica \
    "so does --predict"

# A class name that is none, in a data file: where it is, and the names.
sed '4s/,setosa$/,setosaa/' named.csv > bad.csv
./iris --epochs 0 --load iris.params --data bad.csv --eval > out 2> err
is "$?" 1 "an unknown class name in --data: exit status 1"
is "$(cat err)" "./iris: bad.csv:4: error: unknown class 'setosaa' (the classes are setosa, versicolor, virginica)" \
    "the message gives its line and the classes"
./iris --epochs 0 --load iris.params --predict-file bad.csv > out 2> err
like "$(cat err)" "^./iris: bad.csv:4: error: unknown class 'setosaa'" "--predict-file says so too"
awk -F, -v OFS=, 'NR > 1 { $5 = "0,1," $5 } { print }' named.csv > wide.csv
./iris --epochs 0 --load iris.params --data wide.csv --eval > out 2> err
is "$(cat err)" \
    "./iris: wide.csv:2: error: a class name stands for all the targets: expected 5 values (4 inputs, then the class) but found 7" \
    "a class name after other targets is an error"

# ---- --output: whole or not at all ------------------------------------------
echo "an earlier file" > kept.csv
cp kept.csv kept.orig
mkdir dir.csv
./iris --epochs 0 --load iris.params --predict-file iris.csv --output dir.csv > out 2> err
is "$?" 1 "--output to a directory fails"
like "$(cat err)" "^./iris: error: cannot write 'dir.csv'" "and says why"
[ -z "$(ls -A dir.csv)" ]
ok $? "and leaves nothing inside it"
./iris --epochs 0 --load iris.params --predict-file bad.csv --output kept.csv > out 2> err
is "$?" 1 "a bad row in --predict-file fails"
cmp -s kept.csv kept.orig && [ "$(ls | grep -c kept)" = 2 ]
ok $? "before the existing --output is touched, and no temporary file is left"
./iris --epochs 0 --load iris.params --predict-file iris.csv --output nodir/out.csv > out 2> err
is "$?" 1 "--output in a directory that does not exist fails"
[ ! -e nodir ]
ok $? "and makes nothing"
./iris --epochs 0 --load iris.params --predict-file iris.csv --output kept.csv > out 2> err &&
    cmp -s kept.csv pred.csv
ok $? "--output replaces an existing file with the predictions"
./iris --epochs 0 --predict-file iris.csv --output iris.csv > out 2> err
is "$?" 2 "--output naming --predict-file's file is a usage error"
is "$(head -n 1 err)" "./iris: error: --output and --predict-file name the same file 'iris.csv'" "which says so"
cmp -s iris.csv "$top/specs/data/iris.csv"
ok $? "and the input is untouched"
./iris --epochs 0 --output x.csv > out 2> err
is "$?" 2 "--output without --predict-file is a usage error"
is "$(head -n 1 err)" \
    "./iris: error: --output names where the predictions of --predict-file go, but there is no --predict-file" \
    "which says so"
printf '1,2,3\n' > short.csv
./iris --epochs 0 --predict-file short.csv > out 2> err
is "$(cat err)" \
    "./iris: short.csv:1: error: expected 4 values (the inputs) or 7 (the inputs and the targets, or the inputs and the class) but found 3" \
    "a row of --predict-file of the wrong size"

# ---- Regressions: MAE, RMSE, R^2 ----------------------------------------------
cat > reg.nn << 'EOF'
network reg {
    input 2
    hidden 4 tanh
    output 2 linear
    learn_rate 0.05
    epochs 40
}
data "reg.csv"
test "reg.csv"
EOF
python3 -c '
import math
print("a,b,y1,y2")
for i in range(40):
    a, b = i / 10 - 2, math.cos(i)
    print("%r,%r,%r,%r" % (a, b, math.sin(a) + 0.3 * b, 2.5 if i % 3 else -1.0))
' > reg.csv
build reg.nn reg
ok $? "a regression of two outputs builds"
./reg --every 0 --eval > reg.out
ok $? "and trains with --eval"
./reg --every 0 --predict-file reg.csv --output reg-pred.csv > /dev/null
is "$(head -n 1 reg-pred.csv)" "o1,o2" "a regression's header: the outputs alone"
cat > regress.py << 'EOF'
import math, sys
data = [[float(v) for v in l.split(',')] for l in open(sys.argv[1]).readlines()[1:]]
pred = [[float(v) for v in l.split(',')] for l in open(sys.argv[2]).readlines()[1:]]
no = len(pred[0])
truth = [r[len(r) - no:] for r in data]
n = len(truth)
mean = [0.0] * no
for t in truth:
    for k in range(no):
        mean[k] += t[k]
mean = [m / n for m in mean]
ab = sq = 0.0
res, tot = [0.0] * no, [0.0] * no
for t, p in zip(truth, pred):
    for k in range(no):
        e = t[k] - p[k]
        ab += abs(e)
        sq += e * e
        res[k] += e * e
        tot[k] += (t[k] - mean[k]) ** 2
r2 = 0.0
for k in range(no):
    r2 += 1 - res[k] / tot[k] if tot[k] > 0 else (1.0 if res[k] == 0 else 0.0)
print('mae: %r' % (ab / (n * no)))
print('rmse: %r' % math.sqrt(sq / (n * no)))
print('r2: %r' % (r2 / no))
EOF
python3 regress.py reg.csv reg-pred.csv > reg.expected
ok $? "MAE, RMSE and R^2 are recomputed from the predictions file"
is "$(grep -v '^loss: ' reg.out | grep -v '^test ')" "$(cat reg.expected)" "--eval's mae, rmse and r2 are those of the predictions file"
# The test report of the same rows: the same lines, prefixed.
./reg --every 0 > reg-test.out
is "$(grep '^test ' reg-test.out | sed 's/^test //')" "$(grep -v '^test ' reg.out)" \
    "the test report gives the loss, mae, rmse and r2 of its rows"
python3 - reg.csv reg-pred.csv "$(sed -n 's/^r2: //p' reg.out)" << 'EOF'
# scikit-learn's r2_score when it is installed: the same value, to rounding.
import sys
try:
    from sklearn.metrics import r2_score
except ImportError:
    sys.exit(0)
data = [[float(v) for v in l.split(',')] for l in open(sys.argv[1]).readlines()[1:]]
pred = [[float(v) for v in l.split(',')] for l in open(sys.argv[2]).readlines()[1:]]
sys.exit(abs(r2_score([r[2:] for r in data], pred) - float(sys.argv[3])) > 1e-12)
EOF
ok $? "r2 agrees with scikit-learn's r2_score (when it is installed)"

# ---- One sigmoid output: two class names, inline rows -------------------------
cat > yesno.nn << 'EOF'
network yesno {
    input 1
    output 1 sigmoid
    classes no, yes
    learn_rate 1
    epochs 50
}
data {
    -2 -> no
    -1 -> no
    1 -> yes
    2 -> yes
}
predict {
    low: -3
}
EOF
sed '/classes/d; s/-> no/-> 0/; s/-> yes/-> 1/' yesno.nn > yesno01.nn
build yesno.nn yesno && build yesno01.nn yesno01
ok $? "a sigmoid classifier with inline rows by class name builds"
grep -q '^    "no",$' yesno.c && grep -q '^    \.class_name = yesno_class_name,$' yesno.c
ok $? "its C holds the class names as a table in the descriptor"
./yesno --every 0 > y.out && ./yesno01 --every 0 > y01.out
ok $? "both run"
is "$(sed 's/ -> no$//' y.out)" "$(cat y01.out)" "class names train as the indices they stand for"
like "$(cat y.out)" '^low: 0\.[0-9e-]+ -> no$' "and the prediction shows its class"
printf 'x\n-3\n4\n' > yn.csv
is "$(./yesno --every 0 --predict-file yn.csv | cut -d, -f2)" "$(printf 'class\nno\nyes')" \
    "--predict-file: y_pred, then the class by name"
is "$(./yesno01 --every 0 --predict-file yn.csv | cut -d, -f2)" "$(printf 'class\n0\n1')" \
    "without names, the class index"
./yesno --every 0 --eval > y.eval
is "$(grep -E '^(confusion|precision) ' y.eval)" \
    "$(printf 'confusion no: 2 0\nconfusion yes: 0 2\nprecision no: 1.0\nprecision yes: 1.0')" \
    "the confusion matrix of one sigmoid output has two classes, by name"

done_testing
