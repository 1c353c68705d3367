#!/bin/sh
# The first mistakes on nnc's command line, and what they are told: an
# option of the program given to nnc --run before its '--', a near miss of
# nnc's own options, --build -o a directory (said as plain -o says it, not
# as the linker does) or a file named as source (refused, and left as it
# was), the mode of a program that --build puts over another file, and a
# program's --help with a spec path that holds a terminal's escape.
# (The program's near misses, --epoch and --lr, are in 31-runtime-errors.t.)
. "$(dirname "$0")/lib.sh"
cd "$tmp" || exit 1

cp "$top/specs/tutorial.nn" t.nn

# nnc_err DESC STATUS STDERR ARGS...: nnc ARGS exits with STATUS, printing STDERR.
nnc_err() {
    desc=$1 want_status=$2 want_err=$3
    shift 3
    "$NNC" "$@" > out.txt 2> err.txt
    is "$?" "$want_status" "$desc: exit status $want_status"
    is "$(cat err.txt)" "$want_err" "$desc: message"
}

try="Try 'nnc --help' for more information."

# ---- Options ---------------------------------------------------------------

nnc_err "nnc --run t.nn --epochs 5" 2 \
    "nnc: error: unknown option '--epochs'; the program's options go after '--', as in: nnc --run SPEC.nn -- --epochs
$try" --run t.nn --epochs 5
nnc_err "nnc t.nn --lr 0.1 --run: the same wherever --run is" 2 \
    "nnc: error: unknown option '--lr'; the program's options go after '--', as in: nnc --run SPEC.nn -- --lr
$try" t.nn --lr 0.1 --run
nnc_err "without --run, no word of the program's options" 2 \
    "nnc: error: unknown option '--epochs'
$try" t.nn --epochs 5
nnc_err "--buidl: a near miss of nnc's --build" 2 \
    "nnc: error: unknown option '--buidl'; did you mean '--build'?
$try" --buidl t.nn
nnc_err "--precison: a near miss of --precision" 2 \
    "nnc: error: unknown option '--precison'; did you mean '--precision'?
$try" --precison float t.nn
"$NNC" --run t.nn -- --epochs 5 > out.txt 2> err.txt
ok $? "nnc --run t.nn -- --epochs 5 runs"
is "$(grep -c '^Epoch [0-9]* loss' out.txt)" 1 "and the program trains 5 epochs, not the spec's 1000 (one loss line, epoch 0's)"

# ---- --build -o ------------------------------------------------------------

mkdir adir
"$NNC" t.nn -o adir 2> plain.txt
is "$?:$(cat plain.txt)" "1:nnc: error: cannot write 'adir': Is a directory" "plain -o DIR"
nnc_err "--build -o DIR: as plain -o says it" 1 \
    "nnc: error: cannot write 'adir': Is a directory" --build t.nn -o adir
is "$(ls -A adir)" "" "and nothing is made in DIR"

printf 'int main(void) { return 0; }\n' > x.c
cp x.c x.c.orig
nnc_err "--build -o x.c" 2 \
    "nnc: error: --build writes a program, not C, so it will not write 'x.c' (name the program without '.c', or leave out --build to write the C)" \
    --build t.nn -o x.c
cmp -s x.c x.c.orig
ok $? "x.c is left as it was"
nnc_err "--build -o new.h, a file that does not exist yet" 2 \
    "nnc: error: --build writes a program, not C, so it will not write 'new.h' (name the program without '.h', or leave out --build to write the C)" \
    --build t.nn -o new.h
[ ! -e new.h ]
ok $? "and no new.h is made"
nnc_err "--build -o other.nn" 2 \
    "nnc: error: --build writes a program, not a spec, so it will not write 'other.nn' (name the program without '.nn', or leave out --build to write the C)" \
    --build t.nn -o other.nn
cp t.nn x.c.nn
nnc_err "--build of x.c.nn, whose program would be x.c" 2 \
    "nnc: error: --build writes a program, not C, so it will not write 'x.c' (name the program without '.c', or leave out --build to write the C)" \
    --build x.c.nn
cmp -s x.c x.c.orig
ok $? "x.c is still as it was"
ls -A | grep -q 'tmp'
is "$?" 1 "no temporary file is left"
"$NNC" t.nn -o plain.c
ok $? "plain -o x.c still writes the C"

# A program over a file that was not one: 644, 600, or even 000.
for old in 644 600 000; do
    echo data > "prog$old"
    chmod "$old" "prog$old"
    (umask 022 && "$NNC" --build t.nn -o "prog$old")
    ok $? "--build over a file of mode $old"
    is "$(stat -c %a "prog$old")" 755 "the program has mode 755 (umask 022), not $old"
    "./prog$old" --epochs 0 > /dev/null
    ok $? "and ./prog$old runs"
done
echo data > prog077
(umask 077 && "$NNC" --build t.nn -o prog077)
is "$(stat -c %a prog077)" 700 "with umask 077, the new program has mode 700"

# ---- The program's --help shows the spec's path as other messages do ---------

# A directory named by a byte that is no UTF-8, and a spec name holding an
# escape sequence that would turn a terminal red.
d=$(printf '\377')
mkdir "$d"
spec="$d/$(printf 'y\033[31mRED.nn')"
cp t.nn "$spec"
"$NNC" --build "$spec" -o hostile
ok $? "the spec '?/y?[31mRED.nn' builds"
./hostile --help > help.txt
ok $? "its program's --help"
is "$(sed -n 2p help.txt)" \
    "Trains the network 'gender' (compiled by nnc from ?/y?[31mRED.nn) and makes predictions." \
    "the spec's path is shown with '?' for the bytes a terminal would act on"
LC_ALL=C grep -q "$(printf '\033')" help.txt
is "$?" 1 "no escape byte reaches the terminal"

done_testing
