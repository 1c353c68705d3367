#!/bin/sh
# The generated program's pictures and reports (--history, --dot, the
# progress line), and nnc's --line-directives, --build and --run.
. "$(dirname "$0")/lib.sh"
cd "$tmp" || exit 1

build "$top/specs/tutorial.nn" "$tmp/tutorial"
ok $? "the tutorial builds"

# --history: a header, then one row per epoch.
"$tmp/tutorial" --epochs 37 --every 0 --history h.csv > /dev/null
ok $? "--history runs"
is "$(head -1 h.csv)" "epoch,loss,accuracy" "the history has a header"
is "$(sed 1d h.csv | wc -l | tr -d ' ')" 37 "and one row per epoch"
is "$(sed 1d h.csv | cut -d, -f1 | tr '\n' ' ')" "$(seq 0 36 | tr '\n' ' ')" "numbered from 0"
last=$(tail -1 h.csv | cut -d, -f2)
eval_loss=$("$tmp/tutorial" --epochs 37 --every 0 --eval | sed -n 's/^loss: //p')
is "$last" "$eval_loss" "its last loss is the loss --eval reports"
"$tmp/tutorial" --epochs 5 --every 0 --history nodir/h.csv > /dev/null 2> err.txt
is "$?:$(cat err.txt)" "1:$tmp/tutorial: error: cannot write 'nodir/h.csv': No such file or directory" \
    "an unwritable --history is an error before training"

# --dot: the trained weights as a Graphviz diagram.
"$tmp/tutorial" --epochs 10 --every 0 --dot > w.dot
ok $? "--dot runs"
for name in weight height h1 h2 o1 'w1 = ' 'w6 = ' 'b = '; do
    grep -q -- "$name" w.dot
    ok $? "--dot names $name"
done
if command -v dot > /dev/null; then
    dot -Tsvg w.dot > w.svg
    ok $? "and dot reads it"
else
    skip "no graphviz"
fi

# The progress line: on a terminal only.
"$tmp/tutorial" --epochs 300 --every 0 > out.txt 2> err.txt
is "$(cat err.txt)" "" "no progress line when standard error is not a terminal"
if command -v script > /dev/null; then
    script -qec "$tmp/tutorial --epochs 300 --every 0" /dev/null > tty.txt 2>&1
    grep -q "epoch 300/300 \[" tty.txt
    ok $? "a progress line with the epoch and a bar when it is a terminal"
    NNRT_NO_PROGRESS=1 script -qec "$tmp/tutorial --epochs 300 --every 0" /dev/null > tty.txt 2>&1
    ! grep -q "epoch 300/300" tty.txt
    ok $? "NNRT_NO_PROGRESS turns it off"
    # What the terminal shows, a CR going back to the start of the line:
    # the loss lines and what follows training start on a clean line, and
    # no part of the progress line is left on the screen.
    build "$top/specs/digits.nn" "$tmp/digits"
    (cd "$top/specs" && script -qec "$tmp/digits --epochs 300 --every 100" /dev/null) > tty.txt 2>&1
    awk '{ sub(/\r$/, ""); n = split($0, seg, "\r"); screen = "";
           for (i = 1; i <= n; i++) screen = seg[i] substr(screen, length(seg[i]) + 1);
           sub(/ +$/, "", screen); print screen }' tty.txt > screen.txt
    grep -c "samples/s" tty.txt > /dev/null
    ok $? "digits draws its progress line"
    is "$(cat screen.txt)" "$(cd "$top/specs" && "$tmp/digits" --epochs 300 --every 100 2>&1)" \
        "the terminal shows what the program prints off a terminal, and no progress line"
else
    for k in 1 2 3 4; do skip "no script(1)"; done
fi

# --line-directives: #line lines lead back to the spec's statements.
cp "$top/specs/tutorial.nn" t.nn
"$NNC" --line-directives t.nn -o t.c
ok $? "nnc --line-directives"
hidden=$(grep -n '^ *hidden' t.nn | cut -d: -f1)
grep -q "^#line $hidden \"t.nn\"" t.c
ok $? "the hidden layer's code is marked with its line ($hidden)"
grep -q "^#line [0-9]* \"t.c\"" t.c
ok $? "and the marks lead back to the C file after each block"
$CC -std=c99 -Wall -Wextra -Wpedantic -Werror -g -O0 $NNC_TEST_CFLAGS -I"$RT" -o t t.c "$RT/libnnrt.a" -lm
ok $? "the marked C compiles without a warning"
is "$(./t --epochs 1000 | tail -2)" "$("$tmp/tutorial" | tail -2)" "and trains as the unmarked C does"

# nnc --build and --run.
"$NNC" --build t.nn -o built > /dev/null
ok $? "nnc --build"
is "$(./built --every 0 | tail -2)" "$("$tmp/tutorial" | tail -2)" "the built program is the tutorial's"
is "$("$NNC" --run t.nn -- --epochs 0 --predict 2,3 2>&1)" "$("$tmp/tutorial" --epochs 0 --predict 2,3)" \
    "nnc --run passes the options after -- to the program"
"$NNC" --run t.nn -- --epochs -1 > /dev/null 2>&1
is "$?" 2 "and returns the program's exit status"

done_testing
