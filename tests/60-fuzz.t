#!/bin/bash
# The fuzz targets (fuzz/fuzz.mk): both corpora replayed, then a short
# bounded fuzzing run of each target, FUZZ_SECONDS seconds (default 60)
# each, the two at once.  Any crash, leak, timeout, out-of-memory or
# sanitizer report fails, and the reproducer is named: a file of the corpus
# for the replay, fuzz/work/test-artifacts-NAME/... for the fuzzing (kept:
# add it to fuzz/corpus/NAME as crash-WHAT once it is understood).
# Skipped when clang or libFuzzer's runtime (libclang-rt-14-dev) is missing.
. "$(dirname "$0")/lib.sh"
cd "$top" || exit 1

FUZZ_CC=${FUZZ_CC:-clang}
seconds=${FUZZ_SECONDS:-60}

if ! command -v "$FUZZ_CC" > /dev/null 2>&1; then
    echo "1..0 # SKIP $FUZZ_CC is not installed"
    exit 0
fi
printf '#include <stddef.h>\n#include <stdint.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n' \
    > "$tmp/probe.c"
if ! "$FUZZ_CC" -fsanitize=fuzzer,address,undefined -o "$tmp/probe" "$tmp/probe.c" > /dev/null 2>&1; then
    echo "1..0 # SKIP libFuzzer's runtime is not installed (Debian: apt-get install libclang-rt-14-dev)"
    exit 0
fi

# Built through the Makefile and the fragment (the fragment guards against
# being read twice, so this works whether the Makefile includes it or not).
# The make running `make check` is not this make's parent.
if env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -j2 -f Makefile -f fuzz/fuzz.mk FUZZ_CC="$FUZZ_CC" \
        fuzz/fuzz_frontend fuzz/fuzz_runtime > "$tmp/make.log" 2>&1; then
    ok 0 "the fuzz targets build"
else
    ok 1 "the fuzz targets build"
    tail -30 "$tmp/make.log" | sed 's/^/# /'
    done_testing
fi

export ASAN_OPTIONS=detect_leaks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# libFuzzer's exit status: 1 an ASan or UBSan report, 77 a leak or a deadly
# signal (the targets' own checks abort), 70 a timeout, 71 out of memory.
limits="-timeout=10 -rss_limit_mb=2048"

# show_report LOG: the lines of a libFuzzer log that say what went wrong.
show_report() {
    grep -E 'ERROR|SUMMARY|runtime error|ALARM|out-of-memory|internal error|fuzz_[a-z]+: |^    #[0-9]' "$1" |
        head -40 | sed 's/^/# /'
}

# ---- Replay: every file of the committed corpora, crash-* regressions included

for t in frontend runtime; do
    files=$(ls fuzz/corpus/$t | wc -l)
    if fuzz/fuzz_$t $limits fuzz/corpus/$t/* > "$tmp/replay-$t.log" 2>&1; then
        ok 0 "fuzz_$t replays fuzz/corpus/$t ($files files)"
    else
        status=$?
        ok 1 "fuzz_$t replays fuzz/corpus/$t ($files files): exit status $status"
        # A leak shows only at exit: find the files that fail on their own.
        for f in fuzz/corpus/$t/*; do
            fuzz/fuzz_$t $limits "$f" > "$tmp/one.log" 2>&1 && continue
            echo "# reproducer: $f (run: fuzz/fuzz_$t $f)"
            show_report "$tmp/one.log"
        done
    fi
done

# ---- Fuzzing: each target for $seconds seconds, both at once

for t in frontend runtime; do
    mkdir -p "$tmp/corpus-$t" "fuzz/work/test-artifacts-$t"
    fuzz/fuzz_$t $limits -dict=fuzz/nn.dict -max_total_time="$seconds" -print_final_stats=1 \
        -artifact_prefix="fuzz/work/test-artifacts-$t/" "$tmp/corpus-$t" fuzz/corpus/$t \
        > "$tmp/fuzz-$t.log" 2>&1 &
    eval "pid_$t=$!"
done
for t in frontend runtime; do
    eval "wait \$pid_$t"
    status=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$tmp/fuzz-$t.log")
    if [ $status -eq 0 ] && ! grep -Eq '^==[0-9]+==ERROR|runtime error:|^SUMMARY' "$tmp/fuzz-$t.log"; then
        ok 0 "fuzz_$t: $seconds s of fuzzing (${runs:-?} runs) find nothing"
    else
        ok 1 "fuzz_$t: $seconds s of fuzzing find something (exit status $status)"
        show_report "$tmp/fuzz-$t.log"
        for f in $(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$tmp/fuzz-$t.log"); do
            echo "# reproducer: $f (run: fuzz/fuzz_$t $f)"
        done
    fi
done
rmdir fuzz/work/test-artifacts-* fuzz/work 2> /dev/null

done_testing
