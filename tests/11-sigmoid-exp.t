#!/bin/sh
# The double sigmoid's own exponential (nnrt.h): which builds get it, and
# that a build on libm's exp instead (-DNNRT_LIBM_EXP) passes the runtime's
# tests and trains the tutorial's network to the same numbers.
# (Its accuracy is tested in runtime_test.c, through 10-runtime.t.)
. "$(dirname "$0")/lib.sh"

# which FLAGS...: "own" or "libm", the exp that nnrt.h gives a build with FLAGS.
printf '#include "nnrt.h"\n#include <stdio.h>\nint main(void)\n{\n#ifdef NNRT_OWN_EXP\n    puts("own");\n#else\n    puts("libm");\n#endif\n    return 0;\n}\n' > "$tmp/which.c"
which() {
    $CC -std=c99 -Wall -Wextra -Wpedantic -Werror "$@" -I"$RT" -o "$tmp/which" "$tmp/which.c" 2> "$tmp/which.err" &&
        "$tmp/which" || sed 's/^/# /' "$tmp/which.err"
}

is "$(which -O2)" own "-std=c99 -O2: the sigmoid's own exp"
is "$(which -O0)" own "-std=c99 -O0: the sigmoid's own exp"
is "$(which -O2 -DNNRT_LIBM_EXP)" libm "-DNNRT_LIBM_EXP: libm's exp"
is "$(which -O2 -ffast-math)" libm "-ffast-math, which may reorder its rounding steps: libm's exp"
is "$(which -O2 -fassociative-math -fno-signed-zeros -fno-trapping-math)" libm "-fassociative-math: libm's exp"
is "$(which -O2 -funsafe-math-optimizations)" libm "-funsafe-math-optimizations: libm's exp"
case $(uname -m) in
x86_64)
    is "$(which -O2 -mfpmath=387)" libm "x87 arithmetic, which rounds only when it stores: libm's exp" ;;
*)
    skip "x87 arithmetic is an x86-64 option" ;;
esac

# runtime_test NAME DESCRIPTION CC [FLAGS...]: builds tests/runtime_test*.c
# with CC and FLAGS, runs it, and passes when it passes all its tests (at
# least 100); its TAP stays in $tmp/NAME.tap.
runtime_test() {
    local name=$1 desc=$2 status plan
    shift 2
    mkdir "$tmp/$name.files"
    : > "$tmp/$name.tap"
    if "$@" -std=c99 -Wall -Wextra -Wpedantic -Werror -O2 -DNNC_NO_MAIN -I"$RT" -I"$top/tests" \
            -o "$tmp/$name" "$top/tests/runtime_test.c" "$top/tests/runtime_test_numbers.c" \
            "$top/tests/runtime_test_files.c" "$tmp/three.c" "$RT/libnnrt.a" -lm 2> "$tmp/$name.err"; then
        "$tmp/$name" "$tmp/$name.files" > "$tmp/$name.tap"
        status=$?
        grep '^not ok' "$tmp/$name.tap" | sed 's/^/# /'
        plan=$(sed -n 's/^1\.\.//p' "$tmp/$name.tap")
        ok $(( status != 0 || ${plan:-0} < 100 )) "$desc passes its $plan tests"
    else
        sed 's/^/# /' "$tmp/$name.err"
        ok 1 "$desc builds"
    fi
}

cat > "$tmp/three.nn" <<'NN'
network three {
    input  2
    output 1 sigmoid
}
NN
"$NNC" "$tmp/three.nn" -o "$tmp/three.c" 2> "$tmp/nnc.err" || sed 's/^/# /' "$tmp/nnc.err"

# The runtime's own tests, built on libm's exp.
runtime_test libm "runtime_test built on libm's exp" $CC -DNNRT_LIBM_EXP $NNC_TEST_CFLAGS
like "$(grep 'SKIP' "$tmp/libm.tap")" "uses libm's exp" "... and skips the tests of the sigmoid's own exp"

# The runtime's own tests built by clang too, whose code for the sigmoid differs.
if [ -n "$NNC_TEST_CFLAGS" ]; then
    skip "the library is built with gcc's sanitizers, which clang's programs cannot link"
elif command -v clang > /dev/null 2>&1; then
    runtime_test clang "runtime_test built by clang on the sigmoid's own exp" clang
else
    skip "no clang here"
fi

# clang does not say when it may reassociate, so nnrt.h tells it not to: with
# -funsafe-math-optimizations its sigmoid still agrees with the sigmoid on
# libm's exp (within 4 ULP, most often exactly), and the form without the
# branch with it, bit for bit.
cat > "$tmp/reassoc.c" <<'C'
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "nnrt.h"
int main(void)
{
    uint64_t u = 99991;
    long far = 0, apart = 0;
    for (long i = 0; i < 1000000; i++) {
        u ^= u << 13;
        u ^= u >> 7;
        u ^= u << 17;
        double x = (double)(int64_t)(u >> 11) * 0x1p-43;   /* in [-512, 512) */
        double own = nnrt_sigmoid(x), nb = nnrt_sigmoid_nobranch(x);
        double libm = x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x));
        double ulp = nextafter(libm, 2) - libm;
        far += fabs(own - libm) > 4 * ulp;
        apart += memcmp(&own, &nb, sizeof own) != 0;
    }
#ifdef NNRT_OWN_EXP
    printf("own %ld %ld\n", far, apart);
#else
    printf("libm %ld %ld\n", far, apart);
#endif
    return 0;
}
C
if [ -n "$NNC_TEST_CFLAGS" ]; then
    skip "the library is built with gcc's sanitizers, which clang's programs cannot link"
elif command -v clang > /dev/null 2>&1; then
    if clang -std=c99 -O2 -Wall -Wextra -Wpedantic -Werror -funsafe-math-optimizations -I"$RT" -o "$tmp/reassoc" \
            "$tmp/reassoc.c" "$RT/libnnrt.a" -lm 2> "$tmp/reassoc.err"; then
        is "$("$tmp/reassoc")" "own 0 0" \
            "clang -funsafe-math-optimizations: the sigmoid's own exp, within 4 ULP of libm's sigmoid and the same in both forms"
    else
        sed 's/^/# /' "$tmp/reassoc.err"
        ok 1 "clang -funsafe-math-optimizations builds the sigmoid"
    fi
else
    skip "no clang here"
fi

# The tutorial trained both ways: its loss lines and predictions agree to 1e-12.
# run_tutorial NAME [CFLAGS]: builds the tutorial (lib.sh's build, with
# CFLAGS added) and trains it, into $tmp/tNAME.out.
run_tutorial() {
    local saved=$NNC_TEST_CFLAGS
    NNC_TEST_CFLAGS="$NNC_TEST_CFLAGS $2"
    : > "$tmp/t.err"
    build "$top/specs/tutorial.nn" "$tmp/t$1" &&
        (cd "$top/specs" && "$tmp/t$1") > "$tmp/t$1.out" 2> "$tmp/t.err" || sed 's/^/# /' "$tmp/t.err"
    NNC_TEST_CFLAGS=$saved
}
run_tutorial own ""
run_tutorial libm -DNNRT_LIBM_EXP
ok $(( $(wc -l < "$tmp/town.out") < 100 )) "the tutorial trains with the sigmoid's own exp ($(wc -l < "$tmp/town.out") lines)"
# Every number of one output against the same number of the other.
number='[-+]?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?'
grep -oE "$number" "$tmp/town.out" > "$tmp/own.num"
grep -oE "$number" "$tmp/tlibm.out" > "$tmp/libm.num"
worst=$(paste "$tmp/own.num" "$tmp/libm.num" | awk '
    { if ($1 + 0 != $1 || $2 + 0 != $2) { bad = 1; next } d = $1 - $2; if (d < 0) d = -d; if (d > w) w = d; n++ }
    END { if (bad || n < 100) print "none"; else printf "%.3g\n", w }')
ok $(awk -v w="$worst" 'BEGIN { exit !(w != "none" && w <= 1e-12) }'; echo $?) \
    "the tutorial's numbers with either exp agree within 1e-12 (largest difference $worst)"

done_testing
