#!/bin/sh
# `make bench-quick` (bench/bench.mk) runs to the end and prints its tables,
# with a row for every shape.  A smoke test: no timing is asserted.
. "$(dirname "$0")/lib.sh"
cd "$top" || exit 1

case "$NNC_TEST_CFLAGS" in
*-fsanitize*)
    # The benchmark measures optimized code; under make check-asan it means nothing.
    echo "1..0 # SKIP a benchmark under the sanitizers"
    exit 0
    ;;
esac
if [ ! -f /usr/include/doublefann.h ]; then
    echo "1..0 # SKIP libfann-dev is not installed"
    exit 0
fi

# Once the main Makefile includes bench/bench.mk, plain `make` has the targets.
if grep -q 'bench/bench.mk' Makefile; then
    mk="make"
else
    mk="make -f Makefile -f bench/bench.mk"
fi
$mk --no-print-directory bench-quick BENCH_BUILD="$tmp/bench" > "$tmp/out" 2> "$tmp/err"
status=$?
ok $status "make bench-quick completes"
[ $status -eq 0 ] || tail -30 "$tmp/err" | sed 's/^/# /'
out=$(cat "$tmp/out")

like "$out" '^### ns per training step' "it prints the timing table"
for shape in 2-2-1 8-8-1 16-16-1 64-32-10; do
    like "$out" "^\\| $shape \\| [0-9,]+ \\|.*[0-9] \\([0-9.,]+[^)]*\\) \\|" "the timing table has a row for $shape"
    like "$out" "^\\| $shape \\| [0-9]+ \\| [0-9.e+-]+ \\| [0-9.e+-]+ \\|" "the check table has a row for $shape"
done
like "$out" '^\| shape \| params \| nnc.s form \|.* \| nnc float -O2 \|' "the timing table has the float build's column"
like "$out" '^\| shape \|.* \| FANN 2.2 / nnc float -O2 \|.* \| nnc -O2 / nnc float -O2 \| FANN 2.2 float / nnc float -O2 \|' \
    "the ratios compare the float build with FANN, with double and with FANN in float"
like "$out" '^\| 2-2-1 \| FANN 2.2 float \| [0-9]+/[0-9]+ \| [0-9,.]+ \|' "callgrind counted FANN in float too"
like "$out" '^\| 2-2-1 \| 9 \| --precision float \| unrolled \|' "the cost table has the float build"
like "$out" '^\| 2-2-1 \| nnc -O2 \| [0-9]+/[0-9]+ \| [0-9,.]+ \|' "callgrind counted the tutorial network's step"
like "$out" '^\| shape \|.* \| numpy \(tutorial\) / nnc -O2 \|.* \| nnc -O2 / critical path -O2 \|' \
    "the ratios compare nnc with numpy and with the step's critical path"
like "$out" '^\| 2-2-1 \|.* \| 256/256 one-step matches \| 0 \|$' \
    "the critical path leaves w1..w4 as nnc's step does, from every sample, and its epoch function as its step"
like "$out" '^\| shape \| steps \| max abs param \| loop nest vs nnc -O2 \| train_epoch vs train_sample \|' \
    "the check compares train_epoch with train_sample"
like "$out" '^\| 2-2-1 \| 1024 \| [0-9.e+-]+ \| [0-9.e+-]+ \| 0 \|' "at 2-2-1 they agree to the last bit"
like "$out" '^\| shape \| FANN 2.2 / nnc -O2 \| FANN 2.2 / nnc -O2 train_epoch \|' \
    "the ratios compare FANN with train_epoch too"
like "$out" '^\| 2-2-1 \| critical path -O2 \| [0-9]+/[0-9]+ \| [0-9,.]+ \|' "callgrind counted the critical path"
[ -s "$tmp/bench-quick/results.md" ]
ok $? "the tables are written to results.md"

done_testing
