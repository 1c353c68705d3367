#!/bin/sh
# The runtime library's public API, through tests/runtime_test.c and the
# files it is built with, runtime_test_numbers.c and runtime_test_files.c (TAP).
. "$(dirname "$0")/lib.sh"

# The parameter-file tests use the descriptor of a small network that nnc
# writes (a neuron of 2 inputs: w1, w2, b1), so that they do not depend on
# how a descriptor is laid out.
printf 'network three {\n    input  2\n    output 1 sigmoid\n}\n' > "$tmp/three.nn"
if ! "$NNC" "$tmp/three.nn" -o "$tmp/three.c" 2> "$tmp/nnc.err"; then
    sed 's/^/# /' "$tmp/nnc.err"
    echo "Bail out! nnc cannot compile the test network"
    exit 1
fi

if ! $CC -std=c99 -Wall -Wextra -Wpedantic -Werror $NNC_TEST_CFLAGS -DNNC_NO_MAIN -I"$RT" \
        -I"$top/tests" -o "$tmp/runtime_test" "$top/tests/runtime_test.c" \
        "$top/tests/runtime_test_numbers.c" "$top/tests/runtime_test_files.c" "$tmp/three.c" \
        "$RT/libnnrt.a" -lm 2> "$tmp/cc.err"; then
    sed 's/^/# /' "$tmp/cc.err"
    echo "Bail out! tests/runtime_test*.c do not compile"
    exit 1
fi

# Python's repr() of many doubles, when a Python is at hand, to compare
# nnrt_format_double with the real thing (the C test checks a fixed list too).
repr=
for py in /usr/bin/python3 python3; do
    command -v "$py" > /dev/null 2>&1 || continue
    # If this fails, the C side is given a file that does not exist, and fails a test.
    if "$py" - > "$tmp/repr.txt" 2> "$tmp/repr.err" <<'PY'
import math, random, struct
rng = random.Random(2019)
def emit(x):
    if math.isfinite(x):
        print("%016x %r" % (struct.unpack("<Q", struct.pack("<d", x))[0], x))
for _ in range(20000):
    emit(struct.unpack("<d", struct.pack("<Q", rng.getrandbits(64)))[0])
for _ in range(20000):
    emit((rng.random() - 0.5) * 10.0 ** rng.randint(-25, 25))
for _ in range(5000):
    emit(round(rng.uniform(-1000, 1000), rng.randint(0, 6)))
for e in range(-330, 310):
    for m in (1, 2, 5, 9.999999999999999, 1.0000000000000002):
        emit(m * float("1e%d" % e))
for k in range(-1074, 1024):
    emit(2.0 ** k); emit(-(2.0 ** k))
for k in range(0, 64):
    emit(2.0 ** k - 1)
for x in (0.0, -0.0, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, 1e16, 1e-5):
    emit(x); emit(-x)
PY
    then
        repr="$tmp/repr.txt"
    else
        sed 's/^/# /' "$tmp/repr.err"
        repr="$tmp/no-repr.txt"
    fi
    break
done

mkdir "$tmp/files"
"$tmp/runtime_test" "$tmp/files" $repr
