#!/bin/sh
# The diagnostics of nnc on bad specs: tests/errors/NAME.nn against NAME.err.
#
# Each tests/errors/NAME.nn is a spec with one or more mistakes; its first
# line is a '#' comment saying what it tests.  NAME.err beside it is the
# exact standard error nnc must print for it, run from the top directory as
#
#     compiler/nnc tests/errors/NAME.nn -o OUT.c
#
# For every spec this checks that
#   - standard error is NAME.err, byte for byte;
#   - the exit status is exactly 1 and standard output is empty;
#   - OUT.c, which exists beforehand, is left byte-identical, and no
#     temporary file is left beside it;
#   - under valgrind (when installed) the exit status is still 1: no leak,
#     no invalid read or write.  Those runs go on in the background, several
#     at a time ($NNC_TEST_JOBS, default: the number of CPUs);
#     NNC_TEST_VALGRIND=no skips them.
# Small CSV files for the data-file cases are in tests/errors/data/.
#
# To add a case, write NAME.nn and run with UPDATE_ERRORS=1 to create
# NAME.err, then read it: it is what the user will see.
#
# UPDATE_ERRORS=1 prove tests/30-spec-errors.t
#     rewrites every NAME.err from nnc's current output, for when a message
#     was changed on purpose, and prints on stderr (which prove shows) a diff
#     of each file it changed and how many it rewrote.  The other checks
#     still run; add NNC_TEST_VALGRIND=no to be quick.  Review the result
#     with `git diff tests/errors/` before committing.
. "$(dirname "$0")/lib.sh"

cd "$top" || exit 1
if [ ! -x compiler/nnc ]; then
    echo "Bail out! compiler/nnc is not built (run make)"
    exit 1
fi

# What out.c holds before each run: it must hold the same after.
sentinel="$tmp/sentinel.c"
printf '/* an existing output file: nnc must leave it alone */\nint kept = 1;\n' > "$sentinel"

# same_file GOT EXPECTED DESC: passes when the files are equal byte for byte.
same_file() {
    if cmp -s "$1" "$2"; then
        ok 0 "$3"
    else
        ok 1 "$3"
        diff -u "$2" "$1" | head -40 | sed 's/^/# /'
    fi
}

# only_out DIR DESC: passes when DIR holds out.c alone, as it was.
only_out() {
    left=$(cd "$1" && ls -A)
    if [ "$left" = out.c ] && cmp -s "$1/out.c" "$sentinel"; then
        ok 0 "$2"
    else
        ok 1 "$2"
        echo "# $1 holds: $(echo $left)"
        cmp "$1/out.c" "$sentinel" 2>&1 | sed 's/^/# /'
    fi
}

specs=$(ls tests/errors/*.nn 2> /dev/null)
if [ -z "$specs" ]; then
    echo "Bail out! no tests/errors/*.nn"
    exit 1
fi

# The valgrind runs, started first so that they overlap with the rest.
vg=
if [ "${NNC_TEST_VALGRIND:-yes}" != no ] && command -v valgrind > /dev/null 2>&1; then
    vg="$tmp/vg"
    mkdir "$vg"
    jobs=${NNC_TEST_JOBS:-$(getconf _NPROCESSORS_ONLN 2> /dev/null || echo 2)}
    # Each run in a directory of its own; its status in NAME.rc, its stderr in NAME.stderr.
    printf '%s\n' $specs | xargs -P "$jobs" -I{} sh -c '
        name=$(basename "$1" .nn)
        mkdir "$2/$name"
        cp "$3" "$2/$name/out.c"
        # (--vgdb=no and --read-inline-info=no only save start-up time.)
        timeout 300 valgrind --leak-check=full --errors-for-leak-kinds=all --error-exitcode=99 -q \
            --vgdb=no --read-inline-info=no \
            compiler/nnc "$1" -o "$2/$name/out.c" > /dev/null 2> "$2/$name.stderr"
        echo $? > "$2/$name.rc"
    ' sh {} "$vg" "$sentinel" &
    vg_pid=$!
fi

updated=0
for spec in $specs; do
    name=${spec%.nn}
    base=$(basename "$name")

    # The spec says what it tests.
    first=$(head -n 1 "$spec")
    case $first in
    "# "?*) ok 0 "$base: starts with a comment" ;;
    *) ok 1 "$base: starts with a comment"; echo "# first line: $first" ;;
    esac

    rm -rf "$tmp/o"
    mkdir "$tmp/o"
    cp "$sentinel" "$tmp/o/out.c"
    compiler/nnc "$spec" -o "$tmp/o/out.c" > "$tmp/stdout" 2> "$tmp/stderr"
    status=$?

    if [ -n "$UPDATE_ERRORS" ]; then
        if [ -f "$name.err" ] && cmp -s "$tmp/stderr" "$name.err"; then
            ok 0 "$base: stderr (unchanged)"
        else
            # On stderr, which prove shows even without -v.
            if [ -f "$name.err" ]; then
                echo "# updated $name.err:" >&2
                diff -u "$name.err" "$tmp/stderr" | sed 's/^/#   /' >&2
            else
                echo "# created $name.err:" >&2
                sed 's/^/#   /' "$tmp/stderr" >&2
            fi
            cp "$tmp/stderr" "$name.err"
            updated=$((updated + 1))
            ok 0 "$base: stderr (updated)"
        fi
    elif [ -f "$name.err" ]; then
        same_file "$tmp/stderr" "$name.err" "$base: stderr is $base.err"
    else
        ok 1 "$base: stderr is $base.err"
        echo "# $name.err is missing (create it with UPDATE_ERRORS=1); nnc printed:"
        sed 's/^/#   /' "$tmp/stderr"
    fi

    is "$status" 1 "$base: exit status 1"
    if [ -s "$tmp/stdout" ]; then
        ok 1 "$base: nothing on stdout"
        head -5 "$tmp/stdout" | sed 's/^/# stdout: /'
    else
        ok 0 "$base: nothing on stdout"
    fi
    only_out "$tmp/o" "$base: out.c untouched, no temporary file left"
done

# Every expected output has its spec.
orphans=
for err in tests/errors/*.err; do
    [ -f "$err" ] && [ ! -f "${err%.err}.nn" ] && orphans="$orphans $err"
done
is "$orphans" "" "every tests/errors/*.err has its .nn"

if [ -n "$UPDATE_ERRORS" ]; then
    echo "# UPDATE_ERRORS: $updated file(s) of tests/errors/*.err rewritten" >&2
fi

if [ -n "$vg" ]; then
    wait "$vg_pid"
    for spec in $specs; do
        base=$(basename "$spec" .nn)
        rc=$(cat "$vg/$base.rc" 2> /dev/null)
        if [ "$rc" = 1 ]; then
            ok 0 "$base: valgrind finds no leak or memory error"
        else
            ok 1 "$base: valgrind finds no leak or memory error"
            echo "# exit status under valgrind: ${rc:-none} (99: valgrind found errors; 124: timed out)"
            grep '^==' "$vg/$base.stderr" | head -30 | sed 's/^/# /'
        fi
        only_out "$vg/$base" "$base: under valgrind, out.c untouched"
    done
else
    for spec in $specs; do
        for what in "no leak or memory error" "under valgrind, out.c untouched"; do
            skip "$(basename "$spec" .nn): $what: no valgrind"
        done
    done
fi

done_testing
