#!/bin/sh
# A program ended by a signal, while it writes its --history and with a
# --save to come, leaves no temporary file and the old --save file as it
# was: for every signal whose default ends a process, not only ^C and
# kill's SIGTERM (runtime/file.c).  Where the system has unnamed temporary
# files (O_TMPFILE), not even SIGKILL, which no program can catch, leaves
# one.
. "$(dirname "$0")/lib.sh"
cd "$tmp" || exit 1

build "$top/specs/tutorial.nn" prog
ok $? "the tutorial's program builds"

# ended SIG: runs the program for a very long training, ends it with SIG
# after a second (timeout -s SIG), and prints its exit status.
ended() {
    rm -f hist.csv*
    printf 'old parameters\n' > saved.params
    timeout --preserve-status -s "$1" 1 ./prog --epochs 2000000000 --every 0 --history hist.csv \
        --save saved.params > /dev/null 2> err.txt
    echo $?
}

if ! command -v timeout > /dev/null 2>&1; then
    skip "timeout is not installed"
    done_testing
    exit 0
fi

# The signal, its number (Linux's), and thus the exit status 128 + number.
for pair in INT:2 HUP:1 TERM:15 QUIT:3 USR1:10 USR2:12 ALRM:14 XCPU:24 VTALRM:26 PROF:27 \
    RTMIN:34 RTMAX:64; do
    sig=${pair%%:*}
    num=${pair#*:}
    [ "$(uname -s)" = Linux ] || num=$(kill -l "$sig" 2> /dev/null || echo "$num")
    is "$(ended "$sig")" $((128 + num)) "SIG$sig ends the program: exit status 128 + $num"
    is "$(ls -a | grep -e '^hist\.csv' -e '^saved\.params\.')" "" \
        "SIG$sig: no file of --history, no temporary file of either output"
    is "$(cat saved.params)" "old parameters" "SIG$sig: the old --save file is as it was"
done

# SIGKILL cannot be caught: only an unnamed temporary file leaves nothing.
if python3 -c 'import os, sys; os.close(os.open(sys.argv[1], os.O_TMPFILE | os.O_WRONLY, 0o600))' . \
    2> /dev/null; then
    is "$(ended KILL)" 137 "SIGKILL ends the program: exit status 137"
    is "$(ls -a | grep -e '^hist\.csv' -e '^saved\.params\.')" "" \
        "SIGKILL: no temporary file either (O_TMPFILE)"
    is "$(cat saved.params)" "old parameters" "SIGKILL: the old --save file is as it was"
else
    skip "no O_TMPFILE on this file system (or no python3): SIGKILL leaves a temporary file"
    skip "no O_TMPFILE"
    skip "no O_TMPFILE"
fi

# A run that is not ended writes both.
rm -f hist.csv* saved.params.*
./prog --epochs 3 --every 0 --history hist.csv --save saved.params > /dev/null
ok $? "a run to its end"
is "$(wc -l < hist.csv | tr -d ' '):$(grep -c '^w[1-6] ' saved.params)" "4:6" \
    "writes its --history (header and 3 epochs) and --save (w1 .. w6)"
is "$(ls -a | grep -c '\.tmp')" 0 "and leaves no temporary file"

done_testing
