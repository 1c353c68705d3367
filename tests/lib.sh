# tests/lib.sh: what the shell tests share.  Source it from a test run as
# `prove tests/` from the top of the tree (or any directory: paths are found
# from the test's own location).
#
#   ok STATUS DESCRIPTION     passes when STATUS is 0
#   is GOT EXPECTED DESC      passes when the strings are equal; shows a diff if not
#   like GOT PATTERN DESC     passes when GOT matches the extended regex PATTERN
#   skip WHY                  a test that cannot run here, counted as skipped
#   build SPEC EXE            compiles SPEC with nnc and then with cc, strictly
#   done_testing              prints the plan; the exit status counts failures
#
# $tmp is a fresh directory, removed at exit.  Generated programs are built
# with $CC (default cc) and -std=c99 -Wall -Wextra -Wpedantic -Werror -O2,
# plus $NNC_TEST_CFLAGS (sanitizers, in `make check-asan`).

top=$(cd "$(dirname "$0")/.." && pwd)
NNC="$top/compiler/nnc"
RT="$top/runtime"
CC=${CC:-cc}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/nnc-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
test_count=0
test_failed=0

ok() {
    test_count=$((test_count + 1))
    if [ "$1" -eq 0 ]; then
        echo "ok $test_count - $2"
    else
        echo "not ok $test_count - $2"
        test_failed=$((test_failed + 1))
    fi
}

is() {
    if [ "$1" = "$2" ]; then
        ok 0 "$3"
    else
        ok 1 "$3"
        printf '%s\n' "$2" > "$tmp/expected.txt"
        printf '%s\n' "$1" > "$tmp/got.txt"
        diff -u "$tmp/expected.txt" "$tmp/got.txt" | sed 's/^/# /'
    fi
}

skip() {
    test_count=$((test_count + 1))
    echo "ok $test_count # SKIP $1"
}

like() {
    if printf '%s\n' "$1" | grep -Eq -- "$2"; then
        ok 0 "$3"
    else
        ok 1 "$3"
        printf '%s\n' "$1" | head -20 | sed 's/^/# got: /'
        echo "# expected to match: $2"
    fi
}

# nnc_with FILE OPTION...: FILE becomes a command that runs $NNC (as it is
# now) with the OPTIONs before its own arguments, to stand in for $NNC.
nnc_with() {
    local file=$1
    shift
    printf '#!/bin/sh\nexec "%s" %s "$@"\n' "$NNC" "$*" > "$file" && chmod +x "$file"
}

# build SPEC EXE [NNC OPTION...]: nnc SPEC -> EXE.c -> EXE; returns non-zero
# (with diagnostics) on failure.
build() {
    local spec=$1 exe=$2
    shift 2
    "$NNC" "$@" "$spec" -o "$exe.c" 2> "$tmp/build.err" &&
        $CC -std=c99 -Wall -Wextra -Wpedantic -Werror -O2 $NNC_TEST_CFLAGS -I"$RT" \
            -o "$exe" "$exe.c" "$RT/libnnrt.a" -lm 2>> "$tmp/build.err"
    local status=$?
    [ $status -eq 0 ] || sed 's/^/# /' "$tmp/build.err"
    return $status
}

done_testing() {
    echo "1..$test_count"
    [ "$test_failed" -eq 0 ]
    exit $?
}
