#!/bin/sh
# Where outputs go: nnc's -o and --header, and the program's --save and
# --history.  A regular file is replaced whole and keeps its permissions; a
# symbolic link stays and the file it names is replaced; a FIFO (or a
# device) is written in place, not replaced.  An output that is the spec
# itself, a full disk and options that cannot go together are errors.
. "$(dirname "$0")/lib.sh"
cd "$tmp" || exit 1

cp "$top/specs/tutorial.nn" t.nn
"$NNC" t.nn > expected.c
ok $? "nnc writes the tutorial's C to standard output"
build t.nn prog
ok $? "and the tutorial builds"

mode() { stat -c %a "$1"; }

# A symbolic link: the file it names gets the output, the link stays a link.
echo old > target.c
ln -s target.c link.c
"$NNC" t.nn -o link.c
ok $? "nnc -o a symbolic link"
[ -L link.c ] && [ "$(readlink link.c)" = target.c ]
ok $? "the link is still a link to the same file"
cmp -s target.c expected.c
ok $? "and the file it names holds the C"

# A dangling link: the file it names is made.
ln -s made.c dangling.c
"$NNC" t.nn -o dangling.c && [ -L dangling.c ] && cmp -s made.c expected.c
ok $? "nnc -o a link to no file makes the file, through the link"

# Permissions: a private file stays private.
echo old > private.c
chmod 600 private.c
"$NNC" t.nn -o private.c && cmp -s private.c expected.c
ok $? "nnc -o an existing file replaces it"
is "$(mode private.c)" 600 "and keeps its permissions"
rm -f fresh.c
(umask 027 && "$NNC" t.nn -o fresh.c)
is "$(mode fresh.c)" 640 "a new file gets the umask's permissions"

# A FIFO is written in place: a rename would replace the pipe with a file.
mkfifo pipe
cat pipe > got.c &
"$NNC" t.nn -o pipe
ok $? "nnc -o a FIFO"
wait
cmp -s got.c expected.c
ok $? "the reader gets the C"
[ -p pipe ]
ok $? "and the FIFO is still a FIFO"

# Character devices, made for the test (only root may): a test that went
# wrong must not replace the system's /dev/null or /dev/full.
if mknod null c 1 3 2> /dev/null && mknod null2 c 1 3 && mknod full c 1 7; then
    "$NNC" t.nn -o null && [ -c null ]
    ok $? "nnc -o a device writes to it, and it is still a device"
    "$tmp/prog" --epochs 1 --every 0 --save null --history null2 > /dev/null && [ -c null ] && [ -c null2 ]
    ok $? "so do the program's --save and --history"
    "$tmp/prog" --epochs 1 --every 0 --save null --history null > /dev/null && [ -c null ]
    ok $? "both to one device, which loses nothing"
    "$tmp/prog" --epochs 0 --save full > /dev/null 2> err.txt
    is "$?:$(cat err.txt)" "1:$tmp/prog: error: cannot write 'full': No space left on device" \
        "a --save to a full device is an error"
    [ -c full ]
    ok $? "and the device is still a device"
else
    for k in 1 2 3 4 5; do skip "cannot make a device (not root)"; done
fi

# A full disk: an error, not a silent loss (the shell opens /dev/full here).
if [ -c /dev/full ]; then
    "$NNC" t.nn > /dev/full 2> err.txt
    is "$?:$(cat err.txt)" "1:nnc: error: cannot write the output: No space left on device" \
        "nnc's C to a full standard output is an error"
    "$NNC" --explain d_L_d_w1 t.nn > /dev/full 2> err.txt
    is "$?:$(cat err.txt)" "1:nnc: error: cannot write the output: No space left on device" \
        "so is --explain's"
    "$tmp/prog" --epochs 300 --every 1 > /dev/full 2> err.txt
    is "$?:$(cat err.txt)" "1:$tmp/prog: error: cannot write the output: No space left on device" \
        "and the program's"
else
    for k in 1 2 3; do skip "no /dev/full"; done
fi

# The program's --save and --history through a link, and into a FIFO.
echo old > params.txt
chmod 640 params.txt
ln -s params.txt plink
"$tmp/prog" --epochs 0 --save plink > /dev/null && [ -L plink ]
ok $? "--save through a symbolic link keeps the link"
is "$(head -1 params.txt)" "# parameters of network gender" "and replaces the file it names"
is "$(mode params.txt)" 640 "which keeps its permissions"
mkfifo hpipe
cat hpipe > history.csv &
"$tmp/prog" --epochs 3 --every 0 --history hpipe > /dev/null
ok $? "--history into a FIFO"
wait
is "$(wc -l < history.csv | tr -d ' ')" 4 "the reader gets the header and one row per epoch"
[ -p hpipe ]
ok $? "and the FIFO is still a FIFO"

# term_while_training HISTORY COMMAND...: runs COMMAND in the background
# and, once its --history HISTORY is open (a minute at most), kills it with
# SIGTERM; returns its exit status.  The file being written is HISTORY.tmp*,
# or, where the system has O_TMPFILE, an unnamed file in this directory,
# which /proc shows as DIR/#INODE (deleted).
term_while_training() {
    hist=$1
    shift
    "$@" > /dev/null &
    pid=$!
    for k in $(seq 1 600); do
        ls "$hist".tmp* > /dev/null 2>&1 && break
        # (the program's, or that of a program that COMMAND runs)
        ls -l /proc/[0-9]*/fd 2> /dev/null | grep -q " $(pwd -P)/#[0-9]* (deleted)$" && break
        sleep 0.1
    done
    kill -TERM $pid
    wait $pid 2> /dev/null # (the shell says "Terminated" there)
}

# A program killed while it trains leaves no temporary file of --history.
term_while_training sig.csv "$tmp/prog" --epochs 2000000000 --every 0 --history sig.csv
is "$?" 143 "a program killed while it trains dies of the signal"
is "$(ls sig.csv* 2> /dev/null)" "" "and leaves no file of its --history"

# So does one whose standard output, a pipe, is closed: the loss lines then
# end it by SIGPIPE (unless this shell was started with SIGPIPE ignored,
# which its children inherit; the run is bounded anyway).
if sh -c 'kill -PIPE $$; exit 0' 2> /dev/null; then
    skip "SIGPIPE is ignored here"
    skip "SIGPIPE is ignored here"
else
    "$tmp/prog" --epochs 1000000 --every 1 --history pipe.csv | head -1 > head.txt
    is "$(cat head.txt)" "Epoch 0 loss: 0.472" "a program piped to head -1 prints a loss line"
    is "$(ls pipe.csv* 2> /dev/null)" "" "and, ended by SIGPIPE, leaves no file of its --history"
fi

# And one killed while it writes --save (a signal sent, by strace, at the
# third write(2): the loss lines are off, so that is inside the file).
printf 'network wide { input 300 hidden 300 sigmoid output 1 sigmoid epochs 0 }\n' > wide.nn
if ! command -v strace > /dev/null 2>&1 || ! strace -o /dev/null true 2> /dev/null; then
    for k in 1 2 3 4 5; do skip "strace is not installed, or cannot trace here"; done
else
    build wide.nn wide
    # (In a shell of its own, which says "Terminated" where no one sees it.)
    sh -c 'strace -o /dev/null -e trace=write -e inject=write:signal=TERM:when=3 ./wide --every 0 \
        --save wide.txt' > /dev/null 2>&1
    is "$?" 143 "a program killed while it writes --save dies of the signal"
    is "$(ls wide.txt* 2> /dev/null)" "" "and leaves no temporary file of --save"
    # nnc too, killed at its second write(2), inside the C.
    sh -c 'strace -o /dev/null -e trace=write -e inject=write:signal=TERM:when=2 "$0" wide.nn -o killed.c \
        --header killed.h' "$NNC" > /dev/null 2>&1
    is "$?" 143 "nnc killed while it writes dies of the signal"
    is "$(ls killed.* 2> /dev/null)" "" "and leaves no temporary file of -o or --header"
    # Killed at its first rename(2): the C and the header are put in place together.
    echo old > pair.c && echo old > pair.h
    sh -c 'strace -o /dev/null -e trace=rename -e inject=rename:signal=TERM:when=1 "$0" wide.nn -o pair.c \
        --header pair.h' "$NNC" > /dev/null 2>&1
    is "$?:$(head -c 4 pair.c | tr -d '\n'):$(head -c 4 pair.h | tr -d '\n')" "143:/* :/* " \
        "nnc killed between its two renames still puts both files in place"
fi

# Past a file size limit, a write fails and is said, as on a full disk: the
# signal the limit sends (SIGXFSZ) would kill without a word, and leave the
# temporary file.
echo old > limited.txt
(ulimit -f 1 && "$tmp/prog" --epochs 1000 --every 0 --history limited.txt > /dev/null 2> err.txt)
is "$?:$(cat err.txt)" "1:$tmp/prog: error: cannot write 'limited.txt': File too large" \
    "--history past ulimit -f (1000 lines): the program says so"
is "$(cat limited.txt; ls limited.txt.* 2> /dev/null)" "old" "and leaves the old file, and no other"
(ulimit -f 1 && "$NNC" t.nn -o limited.txt 2> err.txt)
is "$?:$(cat err.txt)" "1:nnc: error: cannot write 'limited.txt': File too large" "so does nnc -o"

# The program's outputs may not name its inputs, or each other; --load and
# --save of one file is a resumed run.
printf '1,2,1\n3,4,0\n' > rows.csv
cp rows.csv rows.keep
"$tmp/prog" --data rows.csv --epochs 1 --every 0 --save rows.csv 2> err.txt
is "$?:$(cat err.txt)" "2:$tmp/prog: error: --save and --data name the same file 'rows.csv'" \
    "--save of the --data file is a usage error"
ln -s rows.csv rows-link.csv
"$tmp/prog" --data rows.csv --test rows.csv --epochs 1 --every 0 --history rows-link.csv 2> err.txt
is "$?:$(cat err.txt)" "2:$tmp/prog: error: --history and --data name the same file 'rows-link.csv'" \
    "so is --history of it, through a link"
cmp -s rows.csv rows.keep
ok $? "and the data is as it was"
"$tmp/prog" --epochs 1 --every 0 --save both --history both 2> err.txt
is "$?:$(cat err.txt)" "2:$tmp/prog: error: --save and --history name the same file 'both'" \
    "--save and --history of one file is a usage error"
# One file not made yet, named two ways: one name in one directory.
mkdir sub
rm -f new.csv
"$tmp/prog" --epochs 1 --every 0 --history new.csv --save ./new.csv 2> err.txt
is "$?:$(cat err.txt)" "2:$tmp/prog: error: --save and --history name the same file './new.csv'" \
    "--save and --history of one new file, named two ways, is a usage error"
"$tmp/prog" --epochs 1 --every 0 --history sub/../new.csv --save new.csv 2> err.txt
is "$?:$(cat err.txt)" "2:$tmp/prog: error: --save and --history name the same file 'new.csv'" \
    "so it is through a directory and back"
"$tmp/prog" --epochs 1 --every 0 --history sub/new.csv --save new.csv > /dev/null 2> err.txt
is "$?:$(cat err.txt)" "0:" "one name in two directories is two files"
[ -f sub/new.csv ] && [ -f new.csv ]
ok $? "and both are written"
rm -f made.csv
ln -s made.csv to-made.csv
mkdir -p linkdir && ln -s ../made.csv linkdir/up.csv
"$tmp/prog" --epochs 1 --every 0 --history to-made.csv --save made.csv 2> err.txt
is "$?:$(cat err.txt)" "2:$tmp/prog: error: --save and --history name the same file 'made.csv'" \
    "a link to a file not made yet, and that file, are one file"
"$tmp/prog" --epochs 1 --every 0 --history linkdir/up.csv --save ./made.csv 2> err.txt
is "$?:$(cat err.txt)" "2:$tmp/prog: error: --save and --history name the same file './made.csv'" \
    "so are a link in another directory, followed from there, and that file"
# Names in these messages are shown as in the others: an escape as '?', and
# past 100 bytes the first and last 48.
esc=$(printf 'e\033[7mx')
"$tmp/prog" --epochs 1 --every 0 --history "$esc" --save "./$esc" 2> err.txt
is "$?:$(cat err.txt)" "2:$tmp/prog: error: --save and --history name the same file './e?[7mx'" \
    "a name with an escape sequence is shown with '?'"
long="$(printf 'l%.0s' $(seq 120)).c"
"$NNC" t.nn -o "$long" --header "./$long" 2> err.txt
is "$?:$(cat err.txt)" "2:nnc: error: -o and --header name the same file './$(printf 'l%.0s' $(seq 46))...$(printf 'l%.0s' $(seq 46)).c'" \
    "and a long one by its first and last 48 bytes"
"$NNC" t.nn -o new.c --header ./new.c 2> err.txt
is "$?:$(cat err.txt)" "2:nnc: error: -o and --header name the same file './new.c'" \
    "nnc's -o and --header of one new file, named two ways, is a usage error"
"$tmp/prog" --epochs 1 --every 0 --save resume.txt > /dev/null &&
    "$tmp/prog" --epochs 1 --every 0 --load resume.txt --save resume.txt > /dev/null
ok $? "--load and --save of one file resumes"
"$tmp/prog" --epochs 1 --every 0 --load resume.txt --history resume.txt 2> err.txt
is "$?:$(cat err.txt)" "2:$tmp/prog: error: --history and --load name the same file 'resume.txt'" \
    "--history of the --load file is a usage error"

# An output that is the spec itself.
cp t.nn keep.nn
"$NNC" t.nn -o t.nn 2> err.txt
is "$?:$(cat err.txt)" "1:nnc: error: the output 't.nn' is the spec itself" "nnc -o the spec is an error"
ln -s t.nn alias.c
"$NNC" t.nn -o alias.c 2> err.txt
is "$?:$(cat err.txt)" "1:nnc: error: the output 'alias.c' is the spec itself" "so is -o a link to it"
"$NNC" t.nn --header t.nn -o x.c 2> err.txt
is "$?:$(cat err.txt)" "1:nnc: error: the header 't.nn' is the spec itself" "and --header the spec"
cp t.nn gender
"$NNC" --build gender 2> err.txt
is "$?:$(cat err.txt)" "1:nnc: error: the spec 'gender' has no .nn to take off for the program's name; name the program with -o" \
    "--build of a spec whose name has no .nn is an error without -o"
mkdir elsewhere
(cd elsewhere && "$NNC" --build ../gender 2> ../err.txt)
is "$?:$(cat err.txt)" "1:nnc: error: the spec '../gender' has no .nn to take off for the program's name; name the program with -o" \
    "so it is from another directory, where the program would not be the spec"
is "$(ls -A elsewhere)" "" "and nothing is built there"
mkdir dotnn && cp t.nn dotnn/.nn
"$NNC" --build dotnn/.nn 2> err.txt
is "$?:$(cat err.txt)" "1:nnc: error: the spec 'dotnn/.nn' has no .nn to take off for the program's name; name the program with -o" \
    "so is a spec named .nn, which would leave no name"
cmp -s gender keep.nn && cmp -s t.nn keep.nn
ok $? "and the specs are as they were"
"$NNC" --build gender -o gender.bin && [ -x gender.bin ]
ok $? "with -o it builds"

# --build links beside the program and renames: a failed link keeps the old one.
echo old > kept
chmod 750 kept
CC="$CC -Wl,--require-defined=nnc_no_such_symbol" "$NNC" --build t.nn -o kept 2> /dev/null
is "$?:$(cat kept)" "1:old" "a failed --build leaves the old program as it was"
ls kept.tmp* > /dev/null 2>&1
is "$?" 2 "and no temporary file"
(umask 022 && "$NNC" --build t.nn -o kept) && "$tmp/kept" --epochs 0 > /dev/null
ok $? "a --build that works replaces it"
is "$(mode kept)" 755 "with a new program's mode (umask 022), not the 750 of the file it replaced"
rm -f newprog
(umask 022 && "$NNC" --build t.nn -o newprog)
is "$(mode newprog)" 755 "a new program is executable by all, as the umask allows"

# --run works in $TMPDIR, and a ^C stops the program, not nnc before its cleanup.
mkdir runtmp
TMPDIR="$tmp/runtmp" "$NNC" --run t.nn -- --epochs 0 > /dev/null
ok $? "--run with TMPDIR set"
is "$(ls -A runtmp)" "" "leaves nothing in TMPDIR"
# A terminal's ^C goes to the whole process group, which python3 stands
# in for here (a shell's background job would ignore SIGINT).
if command -v python3 > /dev/null; then
    status=$(TMPDIR="$tmp/runtmp" python3 - "$NNC" <<'PY'
import glob, os, signal, subprocess, sys, time
p = subprocess.Popen([sys.argv[1], "--run", "t.nn", "--", "--epochs", "2000000000", "--every", "0",
                      "--history", "running.csv"],
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                     preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
def writing():
    """Is running.csv being written: named running.csv.tmp*, or unnamed (O_TMPFILE) here?"""
    if glob.glob("running.csv.tmp*"):
        return True
    here = os.path.realpath(".") + "/#"
    for fd in glob.glob("/proc/[0-9]*/fd/*"):
        try:
            link = os.readlink(fd)
        except OSError:
            continue
        if link.startswith(here) and link.endswith(" (deleted)"):
            return True
    return False
for _ in range(1200):  # until the program trains (its --history is open), a minute at most
    if writing():
        break
    time.sleep(0.05)
os.killpg(p.pid, signal.SIGINT)
print(p.wait(timeout=60))
PY
)
    is "$status" 130 "^C to --run's process group: nnc exits 128 + SIGINT"
    is "$(ls -A runtmp; ls running.csv* 2> /dev/null)" "" "and leaves nothing behind"
    # The same while the C compiler runs (a slow one, which says when it starts).
    printf '#!/bin/sh\n: > "%s/compiling"\nsleep 2\nexec %s "$@"\n' "$tmp" "$CC" > slowcc
    chmod +x slowcc
    status=$(CC="$tmp/slowcc" TMPDIR="$tmp/runtmp" python3 - "$NNC" <<'PY'
import os, signal, subprocess, sys, time
p = subprocess.Popen([sys.argv[1], "--run", "t.nn", "--", "--epochs", "1"],
                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
                     preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
for _ in range(1200):
    if os.path.exists("compiling"):
        break
    time.sleep(0.05)
os.killpg(p.pid, signal.SIGINT)
err = p.communicate(timeout=60)[1]
print(p.returncode, len(err))
PY
)
    is "$status" "130 0" "^C while --run compiles: nnc exits 128 + SIGINT, and says nothing"
    is "$(ls -A runtmp)" "" "and leaves nothing behind"
else
    for k in 1 2 3 4; do skip "no python3"; done
fi

# A kill of nnc alone while --run's program trains: nnc stops the program
# (which removes its --history's temporary file) and removes its directory.
term_while_training term.csv env TMPDIR="$tmp/runtmp" "$NNC" --run t.nn -- --epochs 2000000000 --every 0 \
    --history term.csv
is "$?" 143 "nnc --run killed while its program trains dies of the signal"
sleep 1 # the program's own end
is "$(ls -A runtmp; ls term.csv* 2> /dev/null)" "" "and its program is stopped, and nothing is left"

# Nor may an output be a file that the spec reads: its data or test rows.
printf '1,2,1\n3,4,0\n' > rows2.csv
cp rows2.csv rows2.keep
mkdir -p specdir
printf 'network reads { input 2 output 1 sigmoid }\ndata "../rows2.csv"\ntest "../rows2.csv"\n' > specdir/reads.nn
"$NNC" specdir/reads.nn -o rows2.csv 2> err.txt
is "$?:$(cat err.txt)" "1:nnc: error: the output 'rows2.csv' is the spec's data file 'specdir/../rows2.csv'" \
    "nnc -o the spec's data file is an error"
"$NNC" specdir/reads.nn -o x.c --header ./rows2.csv 2> err.txt
is "$?:$(cat err.txt)" "1:nnc: error: the header './rows2.csv' is the spec's data file 'specdir/../rows2.csv'" \
    "so is --header"
"$NNC" --build specdir/reads.nn -o "$tmp/rows2.csv" 2> err.txt
is "$?:$(cat err.txt)" "1:nnc: error: the program '$tmp/rows2.csv' is the spec's data file 'specdir/../rows2.csv'" \
    "and --build -o"
printf 'network reads { input 2 output 1 sigmoid }\ntest "../rows2.csv"\n' > specdir/tests.nn
"$NNC" specdir/tests.nn -o rows2.csv 2> err.txt
is "$?:$(cat err.txt)" "1:nnc: error: the output 'rows2.csv' is the spec's test file 'specdir/../rows2.csv'" \
    "and -o the spec's test file"
cmp -s rows2.csv rows2.keep
ok $? "and the rows are as they were"

# Options that do not go together.
"$NNC" t.nn -o same.c --header same.c 2> err.txt
is "$?:$(cat err.txt)" "2:nnc: error: -o and --header name the same file 'same.c'" \
    "-o and --header naming one file is a usage error"
"$NNC" --explain w1 --emit dot t.nn > out.txt 2> err.txt
is "$?:$(cat out.txt err.txt)" "2:nnc: error: --emit dot and --explain each write instead of the C; give one" \
    "--emit dot with --explain is a usage error"
"$NNC" --build --emit dot t.nn -o p 2> err.txt
is "$?:$(cat err.txt)" "2:nnc: error: --build builds a program from the C, so it does not go with --emit dot" \
    "--build with --emit dot is a usage error"
"$NNC" --run --explain d_L_d_w1 t.nn 2> err.txt
is "$?:$(cat err.txt)" "2:nnc: error: --run builds a program from the C, so it does not go with --explain" \
    "--run with --explain is a usage error"
"$NNC" --run t.nn -o p 2> err.txt
is "$?:$(cat err.txt)" "2:nnc: error: -o does not go with --run, which builds the program in a temporary directory (use --build -o PROGRAM to keep it)" \
    "--run with -o is a usage error"
[ ! -e p ]
ok $? "and nothing is built"

# A C compiler that fails, or is not there, is named.
CC=false "$NNC" --build t.nn -o p 2> err.txt
is "$?:$(cat err.txt)" "1:nnc: error: the C compiler (false) failed with status 1" \
    "a failing \$CC is named in the error"
CC="$tmp/no/such/cc -O2" "$NNC" --build t.nn -o p 2> err.txt
is "$?:$(cat err.txt)" "1:nnc: error: cannot run $tmp/no/such/cc: No such file or directory
nnc: error: the C compiler ($tmp/no/such/cc) failed with status 127" \
    "a missing \$CC is named, and why it cannot run"
[ ! -e p ]
ok $? "and no program is left"

done_testing
