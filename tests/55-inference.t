#!/bin/sh
# The inference export (nnc --emit inference --params FILE): for every spec,
# in double and in float, the program trains briefly and saves, nnc
# exports, a driver of our own compiles the export (strictly, with gcc and
# clang) and predicts, and its outputs are the program's --predict
# outputs, bit for bit, its classes the program's outputs' classes.  The
# export calls nothing but <math.h> and runtime/exp.c's table.  Then a
# spec that normalizes; a network embedded by hand from its training C,
# with nnrt_params_load and NAME_normalize; and files that are wrong.
. "$(dirname "$0")/lib.sh"
cd "$tmp" || exit 1

strict="-std=c99 -O2 -Wall -Wextra -Wpedantic -Werror $NNC_TEST_CFLAGS"
have() {
    command -v "$1" > /dev/null 2>&1
}

# The driver: rows of comma-separated inputs in, each row's outputs (%.17g)
# and, for a classifier, its class out; with an argument, the inputs
# themselves as it reads them (in float, rounded), for the program.
cat > driver.c <<'EOF'
#include <stdio.h>
#include <stdlib.h>

#include MODEL_H

#define P(a, b) a##b
#define FN(net, what) P(net, what)

int main(int argc, char **argv)
{
    char line[65536];

    (void)argv;
    while (fgets(line, sizeof line, stdin) != NULL) {
        REAL x[FN(NET, _NINPUTS)], y[FN(NET, _NOUTPUTS)];
        char *p = line;

        for (int i = 0; i < FN(NET, _NINPUTS); i++) {
            x[i] = (REAL)strtod(p, &p);
            p += *p == ',';
        }
        if (argc > 1) {
            for (int i = 0; i < FN(NET, _NINPUTS); i++)
                printf("%s%.17g", i ? "," : "", (double)x[i]);
            printf("\n");
            continue;
        }
        FN(NET, _predict)(x, y);
        for (int k = 0; k < FN(NET, _NOUTPUTS); k++)
            printf("%s%.17g", k ? " " : "", (double)y[k]);
#ifdef CLASSES
        printf(" class %d", FN(NET, _classify)(x));
#endif
        printf("\n");
    }
    return 0;
}
EOF

# The program's outputs as %.17g, and the class of each row as the
# program counts accuracy: the first largest output, or >= 0.5 for one.
as_driver() {
    awk -v classes="$1" '{
        sub(/ -> [^ ]*$/, "") # a class name that the program adds (classes in the spec)
        line = ""; best = 1
        for (i = 1; i <= NF; i++) {
            line = line sprintf("%s%.17g", i > 1 ? " " : "", $i)
            if ($i + 0 > $best + 0) best = i
        }
        if (classes) line = line " class " (NF == 1 ? ($1 + 0 >= 0.5) : best - 1)
        print line
    }'
}

undefined_ok='^(exp|tanh|fabs|copysign|fmax)f?$|^nnrt__exp_table$'  # max pooling takes fmax
# Under the sanitizers (make check-asan) every object also calls their runtime.
if printf '%s' "$CC $NNC_TEST_CFLAGS" | grep -q -- -fsanitize; then
    undefined_ok="$undefined_ok|^__(asan|ubsan)_"
fi
for spec in "$top"/specs/*.nn; do
    base=$(basename "$spec" .nn)
    for prec in double float; do
        id=$base-$prec
        (cd "$(dirname "$spec")" && "$NNC" --precision $prec "$base.nn" -o "$tmp/$id.c") &&
            $CC $strict -I"$RT" "$id.c" "$RT/libnnrt.a" -lm -o "$id" &&
            "./$id" --epochs 3 --every 0 --save "$id.params" > /dev/null
        ok $? "$id: the program trains 3 epochs and saves"
        net=$(sed -n 's/^# parameters of network //p' "$id.params")
        (cd "$(dirname "$spec")" &&
            "$NNC" --precision $prec --emit inference --params "$tmp/$id.params" "$base.nn" \
                -o "$tmp/${id}_model.c" --header "$tmp/${id}_model.h") 2> nnc.err
        ok $? "$id: nnc --emit inference exports it"
        sed 's/^/# /' nnc.err
        $CC $strict -c "${id}_model.c" -o "${id}_model.o" 2> cc.err && [ ! -s cc.err ]
        ok $? "$id: the export compiles on its own without a warning ($CC)"
        head -5 cc.err | sed 's/^/# /'
        if have clang; then
            clang $strict -c "${id}_model.c" -o /dev/null 2> cc.err && [ ! -s cc.err ]
            ok $? "$id: and with clang"
            head -5 cc.err | sed 's/^/# /'
        else
            skip "clang is not installed"
        fi
        is "$(nm -u "${id}_model.o" | awk '{ print $NF }' | grep -Ev "$undefined_ok")" "" \
            "$id: it calls nothing but <math.h> and the exp table"
        ! grep -Eq '_(train_sample|train_epoch|backprop|update|loss)\(|nnrt_(main|net)|#include "' "${id}_model.c"
        ok $? "$id: no training code, no runtime library, no header of ours"

        # Inputs: the spec's data rows where it has a file, else 24 rows of
        # eighths; in a float network, rounded to floats (the export takes
        # floats), so that both sides read the same input.
        ni=$(sed -n "s/^#define ${net}_NINPUTS //p" "${id}_model.h")
        data=$(sed -n 's/^data *"\([^"]*\)".*/\1/p' "$spec")
        if [ -n "$data" ]; then
            tail -n +2 "$(dirname "$spec")/$data" | head -40 | cut -d, -f1-"$ni" > rows.csv
        else
            awk -v n="$ni" 'BEGIN { srand(7); for (r = 0; r < 24; r++) { line = "";
                for (i = 0; i < n; i++) line = line (i ? "," : "") int(rand() * 160 - 80) / 8; print line } }' \
                > rows.csv
        fi
        real=$prec
        classes=$(grep -c "^#define ${net}_NCLASSES" "${id}_model.h")
        defs="-DMODEL_H=\"${id}_model.h\" -DNET=$net -DREAL=$real"
        [ "$classes" = 1 ] && defs="$defs -DCLASSES"
        $CC $strict $defs driver.c "${id}_model.o" "$RT/exp.c" -I"$RT" -lm -o "drive-$id" 2> cc.err
        ok $? "$id: a driver links with it and runtime/exp.c"
        head -5 cc.err | sed 's/^/# /'
        "./drive-$id" -x < rows.csv > x.csv && mv x.csv rows.csv
        "./drive-$id" < rows.csv > got.txt
        args=$(awk '{ printf " --predict %s", $0 }' rows.csv)
        "./$id" --load "$id.params" --epochs 0 $args | head -n "$(wc -l < rows.csv)" | as_driver "$classes" \
            > expected.txt
        [ -s expected.txt ] && [ "$(wc -l < got.txt)" = "$(wc -l < rows.csv)" ]
        ok $? "$id: $(wc -l < rows.csv | tr -d ' ') rows predicted on both sides"
        is "$(cat got.txt)" "$(cat expected.txt)" \
            "$id: NAME_predict gives the program's --predict outputs, bit for bit$([ "$classes" = 1 ] &&
                echo ", and NAME_classify their classes")"
    done
done

# The sizes in the header, and for a spec that normalizes, the saved
# normalization in the C.
is "$(grep -E '^#define iris_N' iris-double_model.h)" "#define iris_NINPUTS 4
#define iris_NOUTPUTS 3
#define iris_NPARAMS 67
#define iris_NCLASSES 3" "iris's header: 4 inputs, 3 outputs, 67 parameters, 3 classes"
like "$(cat iris-double_model.h)" '^void iris_predict\(const double x\[4\], double y_pred\[3\]\);$' \
    "iris_predict declared in the header"
like "$(cat digits-float_model.h)" '^void digits_predict\(const float x\[64\], float y_pred\[10\]\);$' \
    "a float spec's takes floats"
like "$(cat digits-double_model.c)" '^void digits_predict\(const double x\[restrict 64\], double y_pred\[restrict 10\]\)$' \
    "the definition's arrays are restrict"
mean=$(awk '/^mean_x/ { printf "%s%.17g", n++ ? " " : "", $2 }' iris-double.params)
got=$(awk '/^static const double iris_mean/ { on = 1; next } on && /^}/ { exit }
          on { for (i = 1; i <= NF; i++) { v = $i; sub(/,$/, "", v); printf "%s%.17g", n++ ? " " : "", v } }' \
      iris-double_model.c)
like "$mean" '^-?[0-9.e+-]+ -?[0-9.e+-]+ -?[0-9.e+-]+ -?[0-9.e+-]+$' "iris's file holds 4 means"
is "$got" "$mean" "the export holds them as iris_mean"
like "$(cat iris-double_model.c)" 'iris_normalize\(iris_mean, iris_std, x, xn\);' "and iris_predict normalizes with them"
! grep -q 'normalize' tutorial-double_model.c
ok $? "the tutorial's export, which does not normalize, has no normalization"
grep -q '^static const struct digits digits_params = {$' digits-double_model.c &&
    ! grep -q 'learn_rate\|velocity\|backprop' digits-double_model.c
ok $? "the parameters are static const data, and there is no optimizer"

# By hand, from the training C: nnrt_params_load with NULL for the
# normalization and the progress reads the file the program saved (it
# names mean_x1 and epoch), and iris_normalize and iris_feedforward on
# the loaded values give the program's predictions (doc/embedding.md).
(cd "$top/specs" && "$NNC" iris.nn -o "$tmp/iris.c" --header "$tmp/iris.h")
cat > embed.c <<'EOF'
#include <stdio.h>

#include "iris.h"

int main(int argc, char **argv)
{
    static const double x[3][iris_NINPUTS] = {{5.1, 3.5, 1.4, 0.2}, {6.4, 3.2, 4.5, 1.5}, {6.3, 3.3, 6.0, 2.5}};
    double mean[iris_NINPUTS], std[iris_NINPUTS], xn[iris_NINPUTS], y[iris_NOUTPUTS];
    struct nnrt_norm norm = {mean, std};
    struct nnrt_error err;
    struct iris nn;

    (void)argc;
    if (nnrt_params_load(&iris_net, &nn, NULL, NULL, argv[1], &err) != 0) {
        printf("without norm: %s:%d: %s\n", err.file, err.line, err.msg);
        return 1;
    }
    if (nnrt_params_load(&iris_net, &nn, &norm, NULL, argv[1], &err) != 0) {
        printf("with norm: %s:%d: %s\n", err.file, err.line, err.msg);
        return 1;
    }
    for (int r = 0; r < 3; r++) {
        iris_normalize(mean, std, x[r], xn);
        iris_feedforward(&nn, xn, y);
        printf("%.17g %.17g %.17g\n", y[0], y[1], y[2]);
    }
    return 0;
}
EOF
$CC $strict -DNNC_NO_MAIN -I"$RT" embed.c iris.c "$RT/libnnrt.a" -lm -o embed 2> cc.err
ok $? "a program embeds iris with iris.h, iris_NINPUTS and iris_NOUTPUTS"
head -5 cc.err | sed 's/^/# /'
grep -q '^mean_x1 ' iris-double.params && grep -q '^epoch ' iris-double.params
ok $? "the saved file names mean_x1 and epoch"
./embed iris-double.params > got.txt
ok $? "nnrt_params_load reads it with NULL for the normalization and the progress"
head -3 got.txt | grep -v '^[0-9]' | sed 's/^/# /'
"./iris-double" --load iris-double.params --epochs 0 | sed 's/^[a-z]*: //' | as_driver 0 > expected.txt
is "$(cat got.txt)" "$(cat expected.txt)" "iris_normalize, then iris_feedforward: the program's predictions"

# Files that are wrong: located errors, exit status 1, nothing written.
# (The messages name the file as given, here $tmp/FILE, shown as FILE.)
bad() {
    rm -f out.c out.h
    (cd "$top/specs" && "$NNC" --emit inference --params "$tmp/$1" "$2" -o "$tmp/out.c" --header "$tmp/out.h") \
        2> err.txt
    status=$?
    [ ! -e out.c ] && [ ! -e out.h ] && echo "$status $(sed "s|$tmp/||" err.txt)"
}
cp tutorial-double.params gender.params
is "$(bad gender.params xor.nn)" \
    "1 nnc: gender.params:1: error: the file holds the parameters of network 'gender', but xor.nn is network 'xor'" \
    "a file of another network: its name and the spec's, nothing written"
grep -v '^b3 ' gender.params > missing.params
is "$(bad missing.params tutorial.nn)" "1 nnc: missing.params:10: error: no value for parameter 'b3', expected \
after 'b2' (network 'gender' of tutorial.nn has w1 .. w6, b1 .. b3)" "a missing parameter"
sed '/^b3 /a\
b4 0.5' gender.params > extra.params
is "$(bad extra.params tutorial.nn)" "1 nnc: extra.params:11: error: unknown parameter 'b4' (network 'gender' \
of tutorial.nn has w1 .. w6, b1 .. b3)" "an extra parameter"
sed 's/^w3 .*/w3 nan/' gender.params > nan.params
is "$(bad nan.params tutorial.nn)" "1 nnc: nan.params:4: error: expected a finite number for 'w3' but found 'nan'" \
    "a NaN"
sed 's/^w2 .*/w2 1e39/' gender.params > big.params
(cd "$top/specs" && "$NNC" --precision float --emit inference --params "$tmp/big.params" tutorial.nn -o "$tmp/out.c") \
    2> err.txt
is "$? $(sed "s|$tmp/||" err.txt)" "1 nnc: big.params:3: error: 'w2' is 1e+39: too large for precision float (the largest \
float is about 3.4028235e+38)" "a value past a float network's range"
sed 's/^std_x2 .*/std_x2 0/' iris-double.params > zero.params
like "$(bad zero.params iris.nn)" "^1 nnc: zero.params:[0-9]+: error: 'std_x2' must be greater than 0\$" \
    "a deviation of 0"
grep -v '^mean_x3 ' iris-double.params > nomean.params
like "$(bad nomean.params iris.nn)" "^1 nnc: nomean.params:[0-9]+: error: no value for parameter 'mean_x3', expected \
after 'mean_x2' \(network 'iris' of iris.nn has w1 .. w56, b1 .. b11, mean_x1 .. mean_x4, std_x1 .. std_x4\)\$" \
    "a missing mean of a network that normalizes"
echo "important" > keep.c
(cd "$top/specs" && "$NNC" --emit inference --params "$tmp/nan.params" tutorial.nn -o "$tmp/keep.c") 2> /dev/null
is "$(cat keep.c)" "important" "an existing output stays as it was"

# The options.
(cd "$top/specs" && "$NNC" --emit inference tutorial.nn -o "$tmp/out.c") 2> err.txt
is "$? $(cat err.txt)" "2 nnc: error: --emit inference needs --params FILE, a file that the network's program \
saved (--save)" "--emit inference without --params is a usage error"
(cd "$top/specs" && "$NNC" --params "$tmp/gender.params" tutorial.nn -o "$tmp/out.c") 2> err.txt
is "$? $(cat err.txt)" "2 nnc: error: --params goes with --emit inference" "--params alone is one too"
(cd "$top/specs" && "$NNC" --emit inference --params "$tmp/gender.params" tutorial.nn -o "$tmp/gender.params") \
    2> err.txt
is "$? $(cat err.txt)" "1 nnc: error: the output '$tmp/gender.params' is the parameter file of --params" \
    "-o may not be the parameter file"

# For the Cortex-M4F, when its cross compiler is installed: every export
# compiles without a warning.
if have arm-none-eabi-gcc; then
    status=0
    for f in *_model.c; do
        arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 $strict -c "$f" \
            -o arm.o 2>> arm.err && [ ! -s arm.err ] || status=1
    done
    ok $status "every export compiles for a Cortex-M4F without a warning"
    head -5 arm.err | sed 's/^/# /'
else
    skip "arm-none-eabi-gcc is not installed (make deps installs it)"
fi

done_testing
