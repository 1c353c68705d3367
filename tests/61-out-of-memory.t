#!/bin/bash
# Running out of memory, one allocation at a time.  nnc and a generated
# program are linked with tests/failmalloc.c (-Wl,--wrap=malloc,...), which
# makes the N-th allocation fail.  A run that counts (failing nothing) says
# how many allocations a successful run makes; then every N from 1 to that
# count is tried, failing the N-th allocation only, and failing the N-th and
# every one after it.  Each run must either
#
#   - fail cleanly: exit status 1, one line on stderr, "PROG: error: ..."
#     about memory (or, for a data file that nnc reads, a diagnostic at the
#     spec's `data "FILE"`: that line, the source line and a caret); and the
#     output files (-o, --header, --save) are as they were, with no
#     temporary file left beside them; or
#   - succeed (the allocation was optional): status 0, the very output of a
#     normal run.
#
# A crash, a sanitizer report (under `make check-asan`: a leak on an error
# path, a use after free), or any other status fails, with the stderr shown.
# Only the program's own malloc, calloc and realloc calls are failed, not
# those inside the C library (fopen, stdio buffers).
. "$(dirname "$0")/lib.sh"
cd "$top" || exit 1

wrap="-Wl,--wrap=malloc -Wl,--wrap=calloc -Wl,--wrap=realloc"
cflags="-std=c99 -g -O1 $NNC_TEST_CFLAGS"

# The sources of nnc and of the runtime, from the Makefile's lists.
objs=$(printf 'print-objs:\n\t@echo $(COMPILER_OBJS) $(RUNTIME_OBJS)\n' |
       make -s --no-print-directory -f Makefile -f - print-objs 2> /dev/null)
[ -n "$objs" ] || objs="$(ls compiler/*.c runtime/*.c)"
srcs=$(for o in $objs; do echo "${o%.o}.c"; done)
compiler_srcs=$(echo "$srcs" | grep '^compiler/')
runtime_srcs=$(echo "$srcs" | grep '^runtime/')

# ---- Building the test copies -------------------------------------------------

if ! $CC $cflags -Icompiler -Iruntime -o "$tmp/nnc-failmalloc" $compiler_srcs $runtime_srcs \
        tests/failmalloc.c $wrap -lm > "$tmp/cc.err" 2>&1; then
    sed 's/^/# /' "$tmp/cc.err" | head -30
    echo "Bail out! nnc does not build with tests/failmalloc.c"
    exit 1
fi
ok 0 "nnc builds with tests/failmalloc.c and --wrap=malloc,calloc,realloc"

"$NNC" specs/tutorial.nn -o "$tmp/tutorial.c"
ok $? "nnc compiles specs/tutorial.nn"
if ! $CC $cflags -Iruntime -o "$tmp/tutorial" "$tmp/tutorial.c" $runtime_srcs tests/failmalloc.c \
        $wrap -lm > "$tmp/cc.err" 2>&1; then
    sed 's/^/# /' "$tmp/cc.err" | head -30
    echo "Bail out! the tutorial's program does not build with tests/failmalloc.c"
    exit 1
fi
ok 0 "the tutorial's program builds with tests/failmalloc.c"

# count LOG: the number of calls that a counting run logged.
count() {
    local calls=0 failed
    [ -s "$1" ] && read -r calls failed < "$1"
    echo "$calls"
}

shopt -s nullglob

# check_run DESC STATUS MSG_RE FILE=SENTINEL... : the verdict on one run
# whose stdout is $tmp/stdout and stderr $tmp/err.  A failure (status 1)
# must say one line matching MSG_RE, or, for nnc, a spec diagnostic: a line
# matching MSG_RE, the source line and a caret.  Each FILE must still hold
# its SENTINEL line, and no FILE.tmp* may be left.  A success (status 0)
# must leave FILE equal to FILE.ref (when there is one) and say nothing.
check_run() {
    local desc=$1 status=$2 msg_re=$3
    shift 3
    local problems= lines line first
    mapfile -t lines < "$tmp/err"
    first=${lines[0]}
    if [ "$status" -eq 0 ]; then
        [ ${#lines[@]} -eq 0 ] || problems="$problems; exit 0 but a message on stderr"
    elif [ "$status" -eq 1 ]; then
        if ! [[ $first =~ $msg_re ]]; then
            problems="$problems; the message is not PROG: error: ... about memory"
        elif [ ${#lines[@]} -ne 1 ] && ! { [ ${#lines[@]} -eq 3 ] && [[ ${lines[2]} =~ ^\ +\^$ ]]; }; then
            problems="$problems; more than a one-line message (or a diagnostic of three)"
        fi
    else
        problems="$problems; exit status $status (a crash or a sanitizer report?)"
    fi
    local pair file sentinel
    for pair in "$@"; do
        file=${pair%%=*}
        sentinel=${pair#*=}
        if [ "$status" -eq 0 ]; then
            [ ! -e "$file.ref" ] || cmp -s "$file" "$file.ref" ||
                problems="$problems; exit 0 but ${file##*/} differs from a normal run's"
        else
            line=
            read -r line < "$file"
            [ "$line" = "$sentinel" ] || problems="$problems; ${file##*/} was clobbered"
        fi
        local left=("$file".tmp*)
        [ ${#left[@]} -eq 0 ] || problems="$problems; a temporary file was left: ${left[0]##*/}"
        rm -f "$file".tmp*
    done
    if [ -z "$problems" ]; then
        ok 0 "$desc: exit $status"
        return 0
    fi
    ok 1 "$desc"
    echo "# ${problems#; }"
    echo "# reproduce: $REPRODUCE"
    sed 's/^/#   stderr: /' "$tmp/err" | head -20
}

# ---- nnc ----------------------------------------------------------------------

for spec in specs/tutorial.nn specs/iris.nn; do
    name=$(basename "$spec" .nn)
    out="$tmp/out"
    rm -rf "$out"
    mkdir "$out"

    # The reference: a normal run, counting.
    FAILMALLOC_LOG="$tmp/log" "$tmp/nnc-failmalloc" "$spec" -o "$out/x.c.ref" --header "$out/x.h.ref" \
        > /dev/null 2> "$tmp/err"
    status=$?
    total=$(count "$tmp/log")
    ok $status "nnc $spec: a run that fails nothing succeeds ($total allocations)"
    [ -s "$tmp/err" ] && sed 's/^/# /' "$tmp/err"
    "$NNC" "$spec" -o "$out/nnc.c" --header "$out/nnc.h" &&
        cmp -s "$out/x.c.ref" "$out/nnc.c" && cmp -s "$out/x.h.ref" "$out/nnc.h"
    ok $? "nnc $spec: the test copy writes what nnc writes"
    [ "$total" -gt 0 ]
    ok $? "nnc $spec: the counting run counted some allocations"

    msg_re="^(nnc|${spec//./\\.}:[0-9]+:[0-9]+): error: .*memory"
    for mode in once persist; do
        persist=; [ $mode = persist ] && persist=1
        for n in $(seq 1 "$total"); do
            printf 'sentinel c\n' > "$out/x.c"
            printf 'sentinel h\n' > "$out/x.h"
            FAILMALLOC_NTH=$n FAILMALLOC_PERSIST=$persist \
                "$tmp/nnc-failmalloc" "$spec" -o "$out/x.c" --header "$out/x.h" > "$tmp/stdout" 2> "$tmp/err"
            status=$?
            [ -s "$tmp/stdout" ] && echo "unexpected output on stdout" >> "$tmp/err"
            REPRODUCE="FAILMALLOC_NTH=$n FAILMALLOC_PERSIST=$persist nnc-failmalloc $spec -o x.c --header x.h"
            check_run "nnc $spec, allocation $n of $total fails ($mode)" $status "$msg_re" \
                "$out/x.c=sentinel c" "$out/x.h=sentinel h"
        done
    done
done

# ---- A generated program: --data and --save ----------------------------------

cd "$tmp" || exit 1
printf 'weight,height,gender\n-2,-1,1\n25,6,0\n17,4,0\n-15,-6,1\n' > data.csv
args="--data data.csv --epochs 20"

FAILMALLOC_LOG="$tmp/log" "$tmp/tutorial" $args --save saved.txt.ref > stdout.ref 2> "$tmp/err"
status=$?
total=$(count "$tmp/log")
ok $status "tutorial $args --save: a run that fails nothing succeeds ($total allocations)"
[ -s "$tmp/err" ] && sed 's/^/# /' "$tmp/err"
[ "$total" -gt 0 ]
ok $? "tutorial: the counting run counted some allocations"

msg_re="^$tmp/tutorial: ([^ ]+:[0-9]+: )?error: .*memory"
for mode in once persist; do
    persist=; [ $mode = persist ] && persist=1
    for n in $(seq 1 "$total"); do
        printf 'sentinel\n' > saved.txt
        FAILMALLOC_NTH=$n FAILMALLOC_PERSIST=$persist "$tmp/tutorial" $args --save saved.txt \
            > "$tmp/stdout" 2> "$tmp/err"
        status=$?
        [ $status -ne 0 ] || cmp -s "$tmp/stdout" stdout.ref || echo "stdout differs from a normal run's" >> "$tmp/err"
        REPRODUCE="FAILMALLOC_NTH=$n FAILMALLOC_PERSIST=$persist tutorial $args --save saved.txt"
        check_run "tutorial $args --save, allocation $n of $total fails ($mode)" $status "$msg_re" \
            "saved.txt=sentinel"
    done
done

done_testing
