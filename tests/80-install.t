#!/bin/bash
# make install and make uninstall (mk/install.mk), the manual pages in doc/
# and the editor support in contrib/.
#
#   (1) install into a staging DESTDIR with PREFIX=/usr: exactly the
#       expected files, with their modes, symlinks and soname; nnrt.pc says
#       prefix=/usr; a second install changes nothing
#   (2) install into a real PREFIX; from another directory, compile the
#       tutorial's spec with the installed nnc and build it through
#       pkg-config against the installed runtime: shared (run with
#       LD_LIBRARY_PATH), static (-static, pkg-config --static) and with
#       only libnnrt.a static; each prints what the in-tree build prints
#   (3) each page renders with no warning (groff -man -ww -z, man -l), and
#       man finds the installed pages by section and name
#   (4) every option of `nnc --help` and of a generated program's --help
#       (one program per optimizer) is in the OPTIONS of nnc(1) or nnrt(1),
#       and those list no option that does not exist
#   (5) nn(5) opens with the tutorial's spec, and names every keyword of
#       compiler/lexer.l and every activation, loss, initialisation and
#       optimizer of runtime/names.c, as do the Vim, Emacs and VS Code
#       syntaxes in contrib/
#   (6) make uninstall removes every file that install created, and nothing
#       else
#
# Until the main Makefile includes mk/install.mk, make is run with
# `-f Makefile -f mk/install.mk`.
. "$(dirname "$0")/lib.sh"

have() {
    command -v "$1" > /dev/null 2>&1
}

# The make of the tree, on its own: no flags or jobserver from an outer make.
if grep -q 'mk/install.mk' "$top/Makefile"; then
    makefiles=""
else
    makefiles="-f Makefile -f mk/install.mk"
fi
mk() {
    env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL ${MAKE:-make} -C "$top" $makefiles "$@" \
        > "$tmp/make.log" 2>&1
    local status=$?
    [ $status -eq 0 ] || tail -30 "$tmp/make.log" | sed 's/^/# /'
    return $status
}

# The files and symlinks under a directory, one relative path a line, sorted.
listing() {
    (cd "$1" && find . \( -type f -o -type l \) | sed 's|^\./||' | LC_ALL=C sort)
}

# A page's roff as text: the escapes that the pages use, undone.
unroff() {
    sed -e 's/\\-/-/g' -e 's/\\%//g' -e 's/\\&//g' -e 's/\\f[BIRP]//g' \
        -e "s/\\\\(aq/'/g" -e 's/\\(ga/`/g' -e 's/\\(ha/^/g' -e 's/\\(dq/"/g' \
        -e 's/\\e/\\/g' "$1"
}

# The options that the OPTIONS section of a page lists in its tags (.TP, .TQ).
page_options() {
    unroff "$1" |
        awk '/^\.SH/ { in_options = $2 == "OPTIONS" }
             in_options && tag { print }
             { tag = in_options && ($1 == ".TP" || $1 == ".TQ") }' |
        tr ' ,' '\n\n' | sed -n 's/^"*\(-[-a-zA-Z0-9]*\).*/\1/p' | LC_ALL=C sort -u
}

# The options that a --help text lists: its lines that start with one.
help_options() {
    # A line's option, or both of "-h, --help".
    sed -n 's/^ *\(-[-a-zA-Z0-9]*\)\(, \(--[-a-zA-Z0-9]*\)\)\{0,1\}.*/\1 \3/p' |
        tr ' ' '\n' | grep . | LC_ALL=C sort -u
}

version=$(sed -n 's/^#define NNRT_VERSION "\(.*\)"/\1/p' "$top/runtime/nnrt.h")
[ -n "$version" ]
ok $? "the runtime's version, from runtime/nnrt.h: $version"

installed="bin/nnc
include/nnrt.h
lib/libnnrt.a
lib/libnnrt.so
lib/libnnrt.so.2
lib/libnnrt.so.$version
lib/pkgconfig/nnrt.pc
share/man/man1/nnc.1
share/man/man1/nnrt.1
share/man/man5/nn.5
share/nnc/exp.c
share/nnc/loss.c"

# ---- (1) A staged install: DESTDIR=$stage PREFIX=/usr ----------------------

stage="$tmp/stage"
mk install DESTDIR="$stage" PREFIX=/usr
ok $? "(1) make install DESTDIR=STAGE PREFIX=/usr"

is "$(listing "$stage")" "$(printf '%s\n' "$installed" | sed 's|^|usr/|' | LC_ALL=C sort)" \
    "(1) it installs exactly these files under STAGE/usr"

modes=$(cd "$stage/usr" && stat -c '%a %n' bin/nnc include/nnrt.h lib/libnnrt.a \
    "lib/libnnrt.so.$version" lib/pkgconfig/nnrt.pc share/man/man1/nnc.1 \
    share/man/man1/nnrt.1 share/man/man5/nn.5 share/nnc/exp.c share/nnc/loss.c 2>&1)
is "$modes" "755 bin/nnc
644 include/nnrt.h
644 lib/libnnrt.a
644 lib/libnnrt.so.$version
644 lib/pkgconfig/nnrt.pc
644 share/man/man1/nnc.1
644 share/man/man1/nnrt.1
644 share/man/man5/nn.5
644 share/nnc/exp.c
644 share/nnc/loss.c" "(1) nnc is executable, the other files are 644"

is "$(readlink "$stage/usr/lib/libnnrt.so.2") $(readlink "$stage/usr/lib/libnnrt.so")" \
    "libnnrt.so.$version libnnrt.so.2" \
    "(1) libnnrt.so -> libnnrt.so.2 -> libnnrt.so.$version, relative symlinks"

if have readelf; then
    soname=$(readelf -d "$stage/usr/lib/libnnrt.so.$version" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
    is "$soname" "libnnrt.so.2" "(1) the shared library's soname is libnnrt.so.2"
else
    skip "readelf is not installed"
fi

# The shared library's interface is nnrt.h: every function it declares, and
# of the library's own nnrt__ names only those that generated code reaches
# (through nnrt.h's inline functions), which the generated programs'
# objects leave for the library to define.  nnc's helpers stay inside.
if have nm; then
    nm -D --defined-only "$stage/usr/lib/libnnrt.so.$version" | awk 'NF == 3 { print $3 }' |
        LC_ALL=C sort > "$tmp/exported"
    exported=$(cat "$tmp/exported")
    declared=$(grep -v '^static' "$top/runtime/nnrt.h" |
        sed -n 's/^[a-z][^(]*[ *]\(nnrt_[a-z0-9_]*\)(.*/\1/p' | LC_ALL=C sort -u)
    like "$(printf '%s\n' "$declared" | paste -sd' ')" 'nnrt_csv_read.* nnrt_main .*nnrt_rng_seed' \
        "(1) nnrt.h declares the runtime's functions"
    is "$(printf '%s\n' "$declared" | LC_ALL=C comm -23 - "$tmp/exported")" "" \
        "(1) libnnrt.so exports every function that nnrt.h declares"
    internal=$(printf '%s\n' "$exported" | grep '^nnrt__')
    count=$(printf '%s\n' "$internal" | grep -c .)
    [ "$count" -le 4 ]
    ok $? "(1) libnnrt.so exports $count nnrt__ names, at most 4"
    for f in "$top"/generated/*.c; do
        $CC -std=c99 -I"$top/runtime" -c "$f" -o "$tmp/generated.o" && nm -u "$tmp/generated.o"
    done | awk '{ print $NF }' | grep '^nnrt__' | LC_ALL=C sort -u > "$tmp/needed"
    is "$internal" "$(cat "$tmp/needed")" \
        "(1) they are the nnrt__ names that the generated programs need: $(paste -sd' ' "$tmp/needed")"
    hidden=
    for name in nnrt__read_file nnrt__output_open nnrt__catch_fatal_signals nnrt__same_file \
        nnrt__shown_name nnrt__opt_names nnrt__dot_write nnrt__parse_options; do
        printf '%s\n' "$exported" | grep -qx "$name" && hidden="$hidden $name"
    done
    is "$hidden" "" "(1) nnc's helpers and the driver's parts are not exported"
else
    for i in 1 2 3 4 5; do
        skip "nm is not installed"
    done
fi

cmp -s "$top/runtime/nnrt.h" "$stage/usr/include/nnrt.h" &&
    cmp -s "$top/compiler/nnc" "$stage/usr/bin/nnc"
ok $? "(1) nnrt.h and nnc are the tree's"

pc="$stage/usr/lib/pkgconfig/nnrt.pc"
grep -qx 'prefix=/usr' "$pc" && grep -qx "Version: $version" "$pc" &&
    grep -qx 'Cflags: -I${includedir}' "$pc" && grep -qx 'Libs: -L${libdir} -lnnrt -lm' "$pc" &&
    grep -qx 'Libs.private: -lm' "$pc"
status=$?
ok $status "(1) nnrt.pc: prefix=/usr, the version, Cflags, Libs and Libs.private"
[ $status -eq 0 ] || sed 's/^/# /' "$pc"

if have pkg-config; then
    flags=$(PKG_CONFIG_PATH="$stage/usr/lib/pkgconfig" pkg-config --define-variable=prefix="$stage/usr" \
        --cflags --libs nnrt 2>&1 | sed "s/ *$//")
    is "$flags" "-I$stage/usr/include -L$stage/usr/lib -lnnrt -lm" \
        "(1) nnrt.pc's directories follow its prefix (pkg-config --define-variable=prefix=...)"
else
    skip "pkg-config is not installed"
fi

# The default PREFIX, staged: its nnrt.pc links with an rpath to
# /usr/local/lib, and a staged install runs no ldconfig (LDCONFIG is a
# stand-in that records its calls).
printf '#!/bin/sh\necho "ldconfig $*" >> "%s"\n' "$tmp/ldconfig.log" > "$tmp/ldconfig" &&
    chmod +x "$tmp/ldconfig"
dstage="$tmp/default-stage"
mk install DESTDIR="$dstage" PREFIX=/usr/local LDCONFIG="$tmp/ldconfig"
ok $? "(1) make install DESTDIR=STAGE with the default PREFIX, /usr/local"
dpc="$dstage/usr/local/lib/pkgconfig/nnrt.pc"
is "$(grep -e '^prefix=' -e '^libdir=' -e '^Libs:' "$dpc")" 'prefix=/usr/local
libdir=${prefix}/lib
Libs: -L${libdir} -Wl,-rpath,${libdir} -lnnrt -lm' \
    "(1) its nnrt.pc: prefix=/usr/local and Libs with an rpath to \${libdir}"
[ ! -e "$tmp/ldconfig.log" ]
ok $? "(1) an install into a DESTDIR runs no ldconfig"
if have pkg-config; then
    is "$(PKG_CONFIG_PATH="$dstage/usr/local/lib/pkgconfig" pkg-config --libs nnrt | sed 's/ *$//')" \
        "-L/usr/local/lib -Wl,-rpath,/usr/local/lib -lnnrt -lm" \
        "(1) pkg-config --libs nnrt: -L/usr/local/lib -Wl,-rpath,/usr/local/lib -lnnrt -lm"
else
    skip "pkg-config is not installed"
fi
mk runtime/nnrt.pc PREFIX=/opt/nnc RPATH=no
ok $? "(1) make runtime/nnrt.pc PREFIX=/opt/nnc RPATH=no"
is "$(grep '^Libs:' "$top/runtime/nnrt.pc")" 'Libs: -L${libdir} -lnnrt -lm' \
    "(1) RPATH=no: Libs without the rpath"
mk runtime/nnrt.pc PREFIX=/usr
ok $? "(1) runtime/nnrt.pc written again for PREFIX=/usr"

pc_before=$(stat -c %y "$top/runtime/nnrt.pc")
mk install DESTDIR="$stage" PREFIX=/usr
ok $? "(1) make install again, with the same DESTDIR and PREFIX"
is "$(listing "$stage")" "$(printf '%s\n' "$installed" | sed 's|^|usr/|' | LC_ALL=C sort)" \
    "(1) the second install leaves the same files"
is "$(stat -c %y "$top/runtime/nnrt.pc")" "$pc_before" \
    "(1) the second install does not rewrite runtime/nnrt.pc"

# ---- (2) A real prefix, and programs built against it -----------------------

prefix="$tmp/prefix"
mk install DESTDIR= PREFIX="$prefix" LDCONFIG="$tmp/ldconfig"
ok $? "(2) make install PREFIX=$prefix"
if [ "$(id -u)" = 0 ]; then
    is "$(cat "$tmp/ldconfig.log" 2>&1)" "ldconfig " "(2) as root, without DESTDIR, it runs ldconfig once"
else
    [ ! -e "$tmp/ldconfig.log" ]
    ok $? "(2) not as root, it runs no ldconfig"
fi
is "$(listing "$prefix")" "$(printf '%s\n' "$installed" | LC_ALL=C sort)" \
    "(2) it installs exactly the same files under PREFIX"
grep -qx "prefix=$prefix" "$prefix/lib/pkgconfig/nnrt.pc"
ok $? "(2) its nnrt.pc says prefix=$prefix"

# What the tutorial's program prints when built in the tree.
build "$top/specs/tutorial.nn" "$tmp/reference"
ok $? "(2) the tutorial's program builds in the tree"
reference=$("$tmp/reference" 2>&1)

work="$tmp/work"
mkdir "$work" && cd "$work" || exit 1
pc() {
    PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config "$@"
}
strict="-std=c99 -Wall -Wextra -Wpedantic -Werror -O2"

"$prefix/bin/nnc" "$top/specs/tutorial.nn" -o tutorial.c
ok $? "(2) the installed nnc compiles specs/tutorial.nn in another directory"

# check_run DESC EXE [ENV...]: the program prints the tutorial's predictions, as in the tree.
check_run() {
    local desc=$1 exe=$2
    shift 2
    local out
    out=$(env "$@" "./$exe" 2>&1)
    ok $? "(2) $desc: runs"
    like "$(printf '%s\n' "$out" | tail -2 | paste -sd' ')" \
        '^emily: 0\.9[0-9]* frank: 0\.0[0-9]*$' "(2) $desc: the last lines are Emily's and Frank's predictions"
    is "$out" "$reference" "(2) $desc: the same output as the program built in the tree"
}

# needed EXE: the shared libraries that EXE names (none for a static one).
needed() {
    readelf -d "$1" 2> /dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'
}

if have pkg-config; then
    is "$(pc --variable=prefix nnrt)" "$prefix" "(2) pkg-config finds the installed nnrt.pc"

    # Shared: the runtime from PREFIX/lib, found through LD_LIBRARY_PATH.
    $CC $strict tutorial.c $(pc --cflags --libs nnrt) -o tutorial-shared 2> cc.err
    ok $? "(2) cc tutorial.c \$(pkg-config --cflags --libs nnrt) links with the shared library"
    sed 's/^/# /' cc.err
    if have readelf; then
        needed tutorial-shared | grep -qx 'libnnrt.so.2'
        ok $? "(2) the program needs libnnrt.so.2"
    else
        skip "readelf is not installed"
    fi
    if have ldd; then
        LD_LIBRARY_PATH="$prefix/lib" ldd ./tutorial-shared | grep -q "libnnrt.so.2 => $prefix/lib/libnnrt.so.2"
        ok $? "(2) with LD_LIBRARY_PATH=PREFIX/lib, it loads the installed library"
    else
        skip "ldd is not installed"
    fi
    check_run "shared" tutorial-shared LD_LIBRARY_PATH="$prefix/lib"

    # The README's line, as it stands: no LD_LIBRARY_PATH, the rpath of nnrt.pc.
    cp tutorial.c x.c
    # $CC is cc, but for make check-asan, whose runtime needs the sanitizers' flags too.
    PKG_CONFIG_PATH="$prefix/lib/pkgconfig" sh -c "$CC"' x.c $(pkg-config --cflags --libs nnrt) -o x' \
        2> cc.err < /dev/null
    ok $? "(2) the README's cc x.c \$(pkg-config --cflags --libs nnrt) -o x links"
    sed 's/^/# /' cc.err
    if have readelf; then
        is "$(readelf -d x | sed -n 's/.*(\(RUNPATH\|RPATH\)).*\[\(.*\)\]/\2/p')" "$prefix/lib" \
            "(2) the program's run path is PREFIX/lib"
    else
        skip "readelf is not installed"
    fi
    if have ldd; then
        env -u LD_LIBRARY_PATH ldd ./x | grep -q "libnnrt.so.2 => $prefix/lib/libnnrt.so.2"
        ok $? "(2) without LD_LIBRARY_PATH, it loads the installed library"
    else
        skip "ldd is not installed"
    fi
    check_run "the README's line, no LD_LIBRARY_PATH" x -u LD_LIBRARY_PATH

    # Static: everything, through pkg-config --static (which the sanitizers' runtimes do not allow).
    if printf '%s' "$CC $NNC_TEST_CFLAGS" | grep -q -- -fsanitize; then
        for i in 1 2 3 4 5; do
            skip "-static does not go with the sanitizers (make check-asan)"
        done
    else
        $CC $strict -static tutorial.c $(pc --static --cflags --libs nnrt) -o tutorial-static 2> cc.err
        ok $? "(2) cc -static tutorial.c \$(pkg-config --static --cflags --libs nnrt) links"
        sed 's/^/# /' cc.err
        if have readelf; then
            is "$(needed tutorial-static)" "" "(2) the static program needs no shared library"
        else
            skip "readelf is not installed"
        fi
        check_run "static" tutorial-static
    fi

    # Only the runtime static, from the installed libnnrt.a.
    $CC $strict $(pc --cflags nnrt) tutorial.c "$(pc --variable=libdir nnrt)/libnnrt.a" -lm \
        -o tutorial-libnnrt-a 2> cc.err
    ok $? "(2) cc tutorial.c \$(pkg-config --cflags nnrt) LIBDIR/libnnrt.a -lm links"
    sed 's/^/# /' cc.err
    if have readelf; then
        needed tutorial-libnnrt-a | grep -q libnnrt
        [ $? -ne 0 ]
        ok $? "(2) that program does not need libnnrt.so"
    else
        skip "readelf is not installed"
    fi
    check_run "libnnrt.a" tutorial-libnnrt-a
else
    skip "pkg-config is not installed: no programs built against the installed runtime"
fi

# The network with the two installed runtime sources alone, as on a device.
cat > device.c <<'EOF'
#include <stdio.h>

#include "nnrt.h"

struct gender {
    double w1, w2, w3, w4, w5, w6, b1, b2, b3;
};
void gender_feedforward(const struct gender *nn, const double x[2], double y_pred[1]);

int main(void)
{
    struct gender nn = {0, 0, 0, 0, 0, 0, 0, 0, 0};
    double x[2] = {1, 2}, y[1];
    gender_feedforward(&nn, x, y);
    printf("%g\n", y[0]);
    return 0;
}
EOF
$CC $strict -DNNC_NO_MAIN -I"$prefix/include" device.c tutorial.c "$prefix/share/nnc/exp.c" \
    "$prefix/share/nnc/loss.c" -lm -o device 2> cc.err && [ ! -s cc.err ]
ok $? "(2) the network builds with PREFIX/share/nnc/exp.c and loss.c, without libnnrt"
sed 's/^/# /' cc.err
is "$(./device)" "0.5" "(2) and runs (zero weights: sigmoid(sigmoid(0) * 0) = 0.5)"

# nnc --build and --run find the installed runtime beside the installed nnc.
"$prefix/bin/nnc" --build "$top/specs/tutorial.nn" -o tutorial-built 2> build.err
ok $? "(2) the installed nnc --build finds PREFIX/include and PREFIX/lib"
sed 's/^/# /' build.err
check_run "nnc --build" tutorial-built
is "$("$prefix/bin/nnc" --run "$top/specs/tutorial.nn" 2>&1)" "$reference" \
    "(2) the installed nnc --run prints what the program built in the tree prints"
cd "$top" || exit 1

# ---- (3) The manual pages render without a warning -------------------------

pages="man1/nnc.1 man1/nnrt.1 man5/nn.5"
for page in $pages; do
    file="$prefix/share/man/$page"
    if have groff; then
        out=$(groff -man -ww -z "$file" 2>&1)
        is "$out" "" "(3) groff -man -ww -z $page: no warning"
    else
        skip "groff is not installed"
    fi
    if have man; then
        out=$(LC_ALL=C.UTF-8 MANWIDTH=80 MANROFFOPT=-ww man -l "$file" 2>&1 > "$tmp/page.txt")
        is "$out" "" "(3) man -l $page: no warning"
        grep -q . "$tmp/page.txt"
        ok $? "(3) man -l $page: some text"
        section=${page%%/*}
        section=${section#man}
        name=$(basename "$page" ".$section")
        is "$(man -M "$prefix/share/man" -w "$section" "$name" 2>&1)" "$file" \
            "(3) man -M PREFIX/share/man $section $name finds the installed page"
    else
        skip "man is not installed"
    fi
done

# ---- (4) The pages keep up with the options ---------------------------------

"$NNC" --help > "$tmp/nnc.help"
ok $? "(4) nnc --help"
"$NNC" -h | cmp -s - "$tmp/nnc.help"
ok $? "(4) nnc -h prints the same"
help_options < "$tmp/nnc.help" > "$tmp/nnc.options"
grep -q . "$tmp/nnc.options"
ok $? "(4) nnc --help lists options"
page_options "$top/doc/nnc.1" > "$tmp/nnc.1.options"
is "$(LC_ALL=C comm -23 "$tmp/nnc.options" "$tmp/nnc.1.options")" "" \
    "(4) every option of nnc --help is in the OPTIONS of doc/nnc.1"
is "$(printf '%s\n' -h | cat - "$tmp/nnc.options" | LC_ALL=C sort -u |
    LC_ALL=C comm -13 - "$tmp/nnc.1.options")" "" \
    "(4) doc/nnc.1 lists no option that nnc does not have"

# The size past which nnc writes loops, as the pages give it.
threshold=$(sed -n 's/.*loops past \([0-9][0-9]*\) weights.*/\1/p' "$tmp/nnc.help")
if [ -n "$threshold" ]; then
    unroff "$top/doc/nnc.1" | tr '\n' ' ' | grep -q "up to $threshold weights" &&
        unroff "$top/doc/nn.5" | tr '\n' ' ' | grep -q "more than $threshold weights"
    ok $? "(4) doc/nnc.1 and doc/nn.5 give --unroll auto's size, $threshold weights"
else
    skip "nnc --help gives no size for --unroll auto"
fi

# One program per optimizer, since each shows only its own optimizer's options.
cat > "$tmp/momentum.nn" <<'EOF'
network momentum_net {
    input 2
    output 1 sigmoid
    optimizer momentum 0.9 nesterov
}
EOF
cat > "$tmp/adam.nn" <<'EOF'
network adam_net {
    input 2
    output 1 sigmoid
    optimizer adam
}
EOF
: > "$tmp/program.options"
for spec in "$top/specs/tutorial.nn" "$tmp/momentum.nn" "$tmp/adam.nn"; do
    name=$(basename "$spec" .nn)
    build "$spec" "$tmp/prog-$name"
    ok $? "(4) the program of $name.nn builds"
    "$tmp/prog-$name" --help > "$tmp/$name.help"
    ok $? "(4) the program of $name.nn: --help"
    "$tmp/prog-$name" -h | cmp -s - "$tmp/$name.help"
    ok $? "(4) the program of $name.nn: -h prints the same"
    help_options < "$tmp/$name.help" >> "$tmp/program.options"
done
LC_ALL=C sort -u -o "$tmp/program.options" "$tmp/program.options"
grep -q -- --momentum "$tmp/program.options" && grep -q -- --beta1 "$tmp/program.options"
ok $? "(4) the programs' --help lists options, those of momentum and adam among them"
page_options "$top/doc/nnrt.1" > "$tmp/nnrt.1.options"
is "$(LC_ALL=C comm -23 "$tmp/program.options" "$tmp/nnrt.1.options")" "" \
    "(4) every option of a generated program's --help is in the OPTIONS of doc/nnrt.1"
is "$(printf '%s\n' -h | cat - "$tmp/program.options" | LC_ALL=C sort -u |
    LC_ALL=C comm -13 - "$tmp/nnrt.1.options")" "" \
    "(4) doc/nnrt.1 lists no option that the programs do not have"

# ---- (5) The language's words in nn(5) and in the editors -------------------

# The first example of nn(5) is the tutorial's spec, verbatim.
unroff "$top/doc/nn.5" | awk '/^\.EX/ { n++; next } /^\.EE/ { if (n == 1) exit; next } n == 1' \
    > "$tmp/first-example.nn"
is "$(cat "$tmp/first-example.nn")" "$(cat "$top/specs/tutorial.nn")" \
    "(5) the first example of doc/nn.5 is specs/tutorial.nn"

# The words: keywords from the scanner, the names of kinds from the table
# that nnc and the runtime share, the rest from the checker's own tables.
keywords=$(grep -o '{"[a-z_0-9]*", TOK_[A-Z_0-9]*}' "$top/compiler/lexer.l" | sed 's/^{"\([a-z_0-9]*\)".*/\1/')
names_of() {
    sed -n "/^const char \*const nnrt__$1\[\] = {/,/};/p" "$top/runtime/names.c" | grep -o '"[a-z_0-9]*"' | tr -d '"'
}
# The words of a statement's own table, one line inside check.c: adam's and
# momentum's settings, precisions, ...
settings=$(sed -n 's/^ .*static const char \*const [a-z_]*\[\] = {\(.*NULL\)};.*/\1/p' "$top/compiler/check.c" |
    grep -o '"[a-z_0-9]*"' | tr -d '"')
words=$keywords
for table in act_names loss_names init_names opt_names; do
    w=$(names_of $table)
    [ -n "$w" ]
    ok $? "(5) runtime/names.c has the table nnrt__$table"
    words="$words $w"
done
[ -n "$keywords" ] && [ -n "$settings" ]
ok $? "(5) compiler/lexer.l has keywords, compiler/check.c the optimizers' settings"
words="$words $settings"

printf '%s\n' $words | LC_ALL=C sort -u > "$tmp/words"

# missing_words FILE: the words that FILE does not have as whole words.
missing_words() {
    grep -owF -f "$tmp/words" "$1" | LC_ALL=C sort -u | LC_ALL=C comm -23 "$tmp/words" -
}
unroff "$top/doc/nn.5" > "$tmp/nn.5.txt"
is "$(missing_words "$tmp/nn.5.txt")" "" "(5) doc/nn.5 names every word of the language"
for file in contrib/vim/syntax/nn.vim contrib/emacs/nn-mode.el contrib/vscode/nn.tmLanguage.json; do
    is "$(missing_words "$top/$file")" "" "(5) $file has every word of the language"
done

if have python3; then
    for file in contrib/vscode/package.json contrib/vscode/nn.tmLanguage.json \
        contrib/vscode/language-configuration.json; do
        python3 -m json.tool "$top/$file" > /dev/null 2> "$tmp/json.err"
        ok $? "(5) $file is JSON"
        sed 's/^/# /' "$tmp/json.err"
    done
else
    skip "python3 is not installed: the JSON files are not checked"
fi

# A spec with a token of each kind at known places, for the editors.
cat > "$tmp/syntax.nn" <<'EOF'
# a comment
network xor {
    hidden 4 sigmoid
    loss binary_cross_entropy
    optimizer adam beta1 0.9
}
data "xor.csv"
params { w1 = -1e-3 }
predict {
    one: 1, 0
}
EOF

if have vim; then
    # Vim's verdict on the tokens: filetype and syntax groups.
    cat > "$tmp/syntax.vim" <<EOF
set runtimepath^=$top/contrib/vim
filetype on
syntax on
edit $tmp/syntax.nn
let groups = [&filetype]
for [l, c] in [[1, 1], [2, 1], [2, 9], [3, 5], [3, 12], [3, 14], [4, 10], [5, 15], [5, 20], [5, 26],
             \ [7, 6], [8, 10], [8, 13], [8, 15], [10, 5], [10, 10]]
  call add(groups, synIDattr(synID(l, c, 1), 'name'))
endfor
call writefile(groups, '$tmp/syntax.out')
qall!
EOF
    vim -u NONE -i NONE -N -es -S "$tmp/syntax.vim" < /dev/null > /dev/null 2>&1
    is "$(paste -sd' ' "$tmp/syntax.out" 2>&1)" \
        "nn nnComment nnBlock nnNetworkName nnStatement nnNumber nnActivation nnLoss nnOptimizer nnSetting nnNumber nnString nnParameter nnDelimiter nnNumber nnLabel nnNumber" \
        "(5) Vim: *.nn is filetype nn, and its syntax tells each kind of token"
else
    skip "vim is not installed"
fi

if have emacs; then
    cp "$top/contrib/emacs/nn-mode.el" "$tmp/nn-mode.el"
    emacs -Q --batch --eval '(setq byte-compile-error-on-warn t)' -f batch-byte-compile "$tmp/nn-mode.el" \
        > "$tmp/emacs.log" 2>&1
    status=$?
    ok $status "(5) Emacs: nn-mode.el byte-compiles without a warning"
    [ $status -eq 0 ] || sed 's/^/# /' "$tmp/emacs.log"
    # The face at the start of each token.
    out=$(emacs -Q --batch -L "$top/contrib/emacs" -l nn-mode \
        --eval "(progn (find-file \"$tmp/syntax.nn\") (font-lock-ensure)
                       (princ (symbol-name major-mode))
                       (dolist (token '(\"# a\" \"network\" \"xor\" \"sigmoid\" \"binary_cross\" \"adam\" \"beta1\"
                                        \"0.9\" \"\\\"xor.csv\" \"w1\" \"-1e-3\" \"one\"))
                         (goto-char (point-min))
                         (search-forward token)
                         (princ (format \" %s\" (get-text-property (match-beginning 0) 'face)))))" 2>&1)
    is "$out" "nn-mode font-lock-comment-delimiter-face font-lock-keyword-face font-lock-type-face font-lock-builtin-face font-lock-builtin-face font-lock-constant-face font-lock-variable-name-face font-lock-constant-face font-lock-string-face font-lock-variable-name-face font-lock-constant-face font-lock-function-name-face" \
        "(5) Emacs: *.nn opens in nn-mode, and font-lock tells each kind of token"
else
    skip "emacs is not installed"
fi

# ---- (6) make uninstall removes exactly what install created ---------------

# Files that install did not create stay.
mkdir -p "$stage/usr/share/man/man1" && : > "$stage/usr/share/man/man1/other.1" &&
    : > "$stage/usr/lib/libother.so.1"
mk uninstall DESTDIR="$stage" PREFIX=/usr
ok $? "(6) make uninstall DESTDIR=STAGE PREFIX=/usr"
is "$(listing "$stage")" "usr/lib/libother.so.1
usr/share/man/man1/other.1" "(6) it removes every installed file, and only those"
[ ! -e "$stage/usr/share/nnc" ] && [ -d "$stage/usr/share/man/man1" ]
ok $? "(6) and nnc's own share/nnc, but no directory that others may share"
mk uninstall DESTDIR="$stage" PREFIX=/usr
ok $? "(6) make uninstall again: nothing to remove is no error"

: > "$prefix/share/nnc/mine.c"
mk uninstall DESTDIR= PREFIX="$prefix"
ok $? "(6) make uninstall PREFIX=$prefix, with a file of the user's in share/nnc"
is "$(ls "$prefix/share/nnc")" "mine.c" "(6) the user's file stays, and share/nnc with it"
rm -f "$prefix/share/nnc/mine.c"
mk install DESTDIR= PREFIX="$prefix"
ok $? "(6) make install PREFIX=$prefix again"
listing "$prefix" > "$tmp/before"
mk uninstall DESTDIR= PREFIX="$prefix"
ok $? "(6) make uninstall PREFIX=$prefix"
listing "$prefix" > "$tmp/after"
is "$(LC_ALL=C comm -12 "$tmp/before" "$tmp/after")" "" \
    "(6) nothing that install created is left in PREFIX"
is "$(cat "$tmp/after")" "" "(6) nor anything else"

# Leave runtime/nnrt.pc for the default prefix, as a plain `make install` would write it.
mk runtime/nnrt.pc
ok $? "(6) runtime/nnrt.pc written again for the default PREFIX"

done_testing
