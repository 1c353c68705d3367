#!/bin/bash
# Bad input to a generated program (specs/tutorial.nn): each case pins the
# exact message on stderr, the exit status (2 for the command line, 1 for
# files), that nothing is printed on stdout, and that a --save file given
# on the same command line is left as it was, with no temporary file.
. "$(dirname "$0")/lib.sh"

build "$top/specs/tutorial.nn" "$tmp/tutorial"
ok $? "specs/tutorial.nn builds"
P="$tmp/tutorial"

# Files are named relative to $tmp, where the program runs, so that the
# messages are stable; the program is named by its full path, as run.
cd "$tmp" || exit 1

printf 'weight,height,gender\n-2,-1,1\n25,6\n17,4,0\n' > cols.csv
printf 'weight,height\n-2,-1\n25,6\n' > narrow.csv
printf 'weight,height,gender\n-2,-1,1\n25,abc,0\n' > word.csv
: > empty.csv
printf 'weight,height,gender\n' > header.csv
mkdir adir

# start.txt: line 1 a comment, lines 2-10 w1..w6, b1..b3.
printf '%s\n' "# a start, by hand" "w1 0.1" "w2 -0.2" "w3 0.3" "w4 -0.4" "w5 0.5" "w6 -0.6" \
    "b1 0.7" "b2 -0.8" "b3 0.9" > start.txt
"$P" --epochs 0 --load start.txt > /dev/null 2>&1
ok $? "the hand-written start.txt loads"
grep -v '^w5 ' start.txt > missing.txt
{ cat start.txt; echo 'w5 0.5'; } > dup.txt
{ cat start.txt; echo 'w7 0.5'; } > unknown.txt
# What --save writes for another network (xor: w1 .. w12) names it first.
{ echo '# parameters of network xor'; grep -v '^#' start.txt; echo 'w7 0.5'; } > other.txt
sed 's/^w2 .*/w2 1.5x/' start.txt > badnum.txt

# check DESC STATUS STDERR ARGS...: runs "$P --save saved.txt ARGS...".
check() {
    local desc=$1 want_status=$2 want_err=$3
    shift 3
    printf 'sentinel\n' > saved.txt
    "$P" --save saved.txt "$@" > out.txt 2> err.txt
    local status=$?
    is "$(cat err.txt)" "$want_err" "$desc: message"
    is "$status" "$want_status" "$desc: exit status $want_status"
    is "$(cat out.txt)" "" "$desc: nothing on stdout"
    is "$(cat saved.txt)" "sentinel" "$desc: the --save file is untouched"
    is "$(ls -a | grep -c '^saved\.txt\.tmp')" 0 "$desc: no temporary file is left"
}

try="Try '$P --help' for more information."


# ---- Data files (--data) -------------------------------------------------------

check "a CSV row with too few values" 1 \
    "$P: cols.csv:3: error: expected 3 values, as on line 2, but found 2" --data cols.csv
check "a CSV of 2 columns for 2 inputs and 1 target" 1 \
    "$P: narrow.csv:2: error: expected 3 values (2 inputs, 1 target) but found 2" --data narrow.csv
check "a non-number in a CSV" 1 \
    "$P: word.csv:3: error: expected a number but found 'abc'" --data word.csv
printf 'weight,height,gender\n-2,1e999,1\n' > huge.csv
check "a number past a double's range in a CSV" 1 \
    "$P: huge.csv:2: error: number '1e999' is too large for a double" --data huge.csv
printf '"weight","height","gender"\n"-2","-1","1"\n' > quoted.csv
check "quoted numbers in a CSV" 1 \
    "$P: quoted.csv:2: error: expected a number but found '\"-2\"'; numbers are written without quotes" \
    --data quoted.csv
check "an empty CSV" 1 \
    "$P: error: 'empty.csv' has no rows of data" --data empty.csv
check "a CSV with only a header" 1 \
    "$P: error: 'header.csv' has no rows of data" --data header.csv
check "a missing CSV" 1 \
    "$P: error: cannot open 'missing.csv': No such file or directory" --data missing.csv
check "a directory as CSV" 1 \
    "$P: error: cannot open 'adir': Is a directory" --data adir
check "/dev/zero as CSV: it stops at 256 MB" 1 \
    "$P: error: '/dev/zero' is larger than 256 MB" --data /dev/zero

# A name past 100 bytes is shortened in messages to its first and last 48, so
# that the message (at most 255 bytes) keeps what went wrong.
long="d$(printf '%0250d' 0).csv"
short="${long:0:48}...${long: -48}"
check "a missing CSV with a name of 255 bytes" 1 \
    "$P: error: cannot open '$short': No such file or directory" --data "$long"
cp cols.csv "$long"
check "a bad row in a CSV with a name of 255 bytes" 1 \
    "$P: $short:3: error: expected 3 values, as on line 2, but found 2" --data "$long"

# A name that is not UTF-8: 200 continuation bytes (0x80).  Its head and tail
# may step back at most 3 bytes looking for a character's start (48 - 3 = 45
# bytes, and 48 + 3 = 51), and each byte is shown as '?'.
bad=$(printf '\200%.0s' $(seq 200))
q45=$(printf '?%.0s' $(seq 45)) q51=$(printf '?%.0s' $(seq 51))
check "a missing CSV whose name of 200 bytes is not UTF-8" 1 \
    "$P: error: cannot open '$q45...$q51': No such file or directory" --data "$bad"

# ---- Parameter files (--load) --------------------------------------------------

check "a parameter file without w5" 1 \
    "$P: error: 'missing.txt' has no value for parameter 'w5'" --load missing.txt
check "a parameter file with w5 twice" 1 \
    "$P: dup.txt:11: error: parameter 'w5' given twice (first on line 6)" --load dup.txt
check "a parameter file with an unknown name" 1 \
    "$P: unknown.txt:11: error: unknown parameter 'w7'" --load unknown.txt
check "a parameter file of another network" 1 \
    "$P: other.txt:1: error: the file holds the parameters of network 'xor', and this program is network 'gender'" \
    --load other.txt
check "a parameter file with a bad number" 1 \
    "$P: badnum.txt:3: error: expected a finite number for 'w2' but found '1.5x'" --load badnum.txt
# The counts of a resumed run are whole numbers, read exactly: 2^63 - 2^60 + 1
# is not a double (2^53 is the last odd one), and after one more epoch the
# file must say 2^63 - 2^60 + 2.
{ cat start.txt; printf 'epoch 8070450532247928833\nstep 5\n'; } > counts.txt
"$P" --load counts.txt --epochs 1 --every 1 --save counts2.txt > out.txt 2>&1
is "$?:$(grep -c '^Epoch 8070450532247928833 loss' out.txt)" "0:1" "a loaded epoch of 2^63 - 2^60 + 1 is numbered exactly"
is "$(grep -E '^(epoch|step) ' counts2.txt | tr '\n' ' ')" "epoch 8070450532247928834 step 9 " \
    "and saved exactly, one epoch (4 steps: the tutorial's 4 samples) on"
sed 's/^epoch .*/epoch 1e3/' counts.txt > count-float.txt
check "an epoch count written as a float" 1 \
    "$P: count-float.txt:11: error: expected a whole number from 0 to 9223372036854775807 for 'epoch' but found '1e3'" \
    --load count-float.txt
sed 's/^step .*/step 9223372036854775808/' counts.txt > count-big.txt
check "a step count past 2^63 - 1" 1 \
    "$P: count-big.txt:12: error: expected a whole number from 0 to 9223372036854775807 for 'step' but found '9223372036854775808'" \
    --load count-big.txt
# What --save writes, --load reads: up to 2^63 - 1, and training refuses to count past it.
sed 's/^epoch .*/epoch 9223372036854775806/' counts.txt > count-edge.txt
"$P" --load count-edge.txt --epochs 1 --every 0 --save count-max.txt > /dev/null 2> err.txt
is "$?:$(cat err.txt):$(grep '^epoch ' count-max.txt)" "0::epoch 9223372036854775807" \
    "one epoch from 2^63 - 2 saves 2^63 - 1"
check "an epoch past 2^63 - 1" 1 \
    "$P: error: 1 more epoch would count past 9223372036854775807 epochs, the most that a parameter file records" \
    --load count-max.txt --epochs 1
sed 's/^step .*/step 9223372036854775804/' counts.txt > count-steps.txt
check "updates past 2^63 - 1 (4 an epoch)" 1 \
    "$P: error: 1 more epoch would count past 9223372036854775807 updates, the most that a parameter file records" \
    --load count-steps.txt --epochs 1
check "a missing parameter file" 1 \
    "$P: error: cannot open 'nofile.txt': No such file or directory" --load nofile.txt
check "/dev/zero as a parameter file: it stops at 256 MB" 1 \
    "$P: error: '/dev/zero' is larger than 256 MB" --load /dev/zero

# ---- What a message quotes from a file reaches the terminal harmless -------------

# An escape sequence, a bidirectional override (U+202E), a C1 control (U+009B)
# and a byte that is not UTF-8: each becomes one '?'; whole UTF-8 characters
# (U+00E9) are kept.  The 40-byte excerpt of a long field stops before a UTF-8
# character it would cut.
printf 'weight,height,gender\n-2,\033[2Jx\342\200\256y\302\233z\351,1\n' > esc.csv
check "a CSV field with control characters" 1 \
    "$P: esc.csv:2: error: expected a number but found '?[2Jx?y?z?'" --data esc.csv
printf 'weight,height,gender\n-2,%s\303\251,1\n' "$(printf 'a%.0s' $(seq 39))" > cut.csv
check "a CSV field whose excerpt would cut a UTF-8 character" 1 \
    "$P: cut.csv:2: error: expected a number but found '$(printf 'a%.0s' $(seq 39))...'" --data cut.csv
printf 'weight,height,gender\n-2,caf\303\251,1\n' > utf8.csv
check "a CSV field with an accented letter" 1 \
    "$P: utf8.csv:2: error: expected a number but found '$(printf 'caf\303\251')'" --data utf8.csv
sed "s/^w2 .*/w2 $(printf '\033]0;title\007')/" start.txt > escnum.txt
check "a parameter file with an escape sequence" 1 \
    "$P: escnum.txt:3: error: expected a finite number for 'w2' but found '?]0;title?'" --load escnum.txt

# ---- Line ends: LF, CRLF and a CR alone (old Mac files) are all line ends ----------

tr '\n' '\r' < cols.csv > cr-cols.csv
check "a CSV with CR line ends: the row's own line number" 1 \
    "$P: cr-cols.csv:3: error: expected 3 values, as on line 2, but found 2" --data cr-cols.csv
tr '\n' '\r' < start.txt > cr-start.txt
"$P" --epochs 0 --load start.txt --save lf-saved.txt > /dev/null 2>&1 &&
    "$P" --epochs 0 --load cr-start.txt --save cr-saved.txt > /dev/null 2>&1
ok $? "a parameter file with CR line ends loads"
ok "$(cmp -s lf-saved.txt cr-saved.txt; echo $?)" "it loads the same parameters as with LF line ends"
printf 'weight,height,gender\r-2,-1,1\r25,6,0\r' > cr-data.csv
printf 'weight,height,gender\n-2,-1,1\n25,6,0\n' > lf-data.csv
"$P" --epochs 3 --data cr-data.csv > cr-out.txt 2>&1 && "$P" --epochs 3 --data lf-data.csv > lf-out.txt 2>&1
ok $? "a CSV with CR line ends trains"
ok "$(cmp -s lf-out.txt cr-out.txt; echo $?)" "with the same output as with LF line ends"
rm -f lf-saved.txt cr-saved.txt

# ---- The command line ------------------------------------------------------------

check "an unknown option" 2 \
    "$P: error: unknown option '--bogus'
$try" --bogus
check "an unknown option with a value, a near miss" 2 \
    "$P: error: unknown option '--epoch'; did you mean '--epochs'?
$try" --epoch=5
check "--epoch 3: a near miss of --epochs" 2 \
    "$P: error: unknown option '--epoch'; did you mean '--epochs'?
$try" --epoch 3
check "--lr 0.1: another program's name for --learn-rate" 2 \
    "$P: error: unknown option '--lr'; did you mean '--learn-rate'?
$try" --lr 0.1
check "--learning-rate: Keras's and PyTorch's word" 2 \
    "$P: error: unknown option '--learning-rate'; did you mean '--learn-rate'?
$try" --learning-rate=0.1
check "--learn_rate: the spec's underscore" 2 \
    "$P: error: unknown option '--learn_rate'; did you mean '--learn-rate'?
$try" --learn_rate 0.1
check "--batch-size: a near miss by another name" 2 \
    "$P: error: unknown option '--batch-size'; did you mean '--batch'?
$try" --batch-size 4
check "--evl: a near miss of a flag" 2 \
    "$P: error: unknown option '--evl'; did you mean '--eval'?
$try" --evl
check "--frobnicate: nothing near" 2 \
    "$P: error: unknown option '--frobnicate'
$try" --frobnicate 1
check "an unknown option with an escape sequence is shown with '?'" 2 \
    "$P: error: unknown option '--x?[31m'
$try" "$(printf -- '--x\033[31m')"
check "an argument that is not an option" 2 \
    "$P: error: unexpected argument 'extra'
$try" extra
check "an option missing its value" 2 \
    "$P: error: option '--epochs' needs a value
$try" --epochs
check "--epochs -1" 2 \
    "$P: error: --epochs: expected a whole number >= 0 but found '-1'
$try" --epochs -1
check "--epochs 1e3" 2 \
    "$P: error: --epochs: expected a whole number >= 0 but found '1e3'
$try" --epochs 1e3
check "--every x" 2 \
    "$P: error: --every: expected a whole number >= 0 but found 'x'
$try" --every x
check "--seed -1" 2 \
    "$P: error: --seed: expected a whole number >= 0 but found '-1'
$try" --seed -1
check "--seed 2^64" 2 \
    "$P: error: --seed: expected a whole number >= 0 but found '18446744073709551616'
$try" --seed 18446744073709551616
check "--predict with 3 values for 2 inputs" 2 \
    "$P: error: --predict: expected 2 values (one per input) but found 3
$try" --predict 1,2,3
check "--predict with 1 value for 2 inputs" 2 \
    "$P: error: --predict: expected 2 values (one per input) but found 1
$try" --predict 1
check "--predict with a non-number" 2 \
    "$P: error: --predict: expected a finite number but found 'x'
$try" --predict 1,x
check "--learn-rate 0" 2 \
    "$P: error: --learn-rate: expected a finite number > 0 but found '0'
$try" --learn-rate 0
check "--learn-rate -0.1" 2 \
    "$P: error: --learn-rate: expected a finite number > 0 but found '-0.1'
$try" --learn-rate -0.1
check "--learn-rate nan" 2 \
    "$P: error: --learn-rate: expected a finite number > 0 but found 'nan'
$try" --learn-rate nan
check "--epochs 0x10" 2 \
    "$P: error: --epochs: expected a whole number >= 0 but found '0x10'
$try" --epochs 0x10
check "--seed -0" 2 \
    "$P: error: --seed: expected a whole number >= 0 but found '-0'
$try" --seed -0
# Whole numbers are read as the other numbers are: blanks around, an optional '+'.
"$P" --epochs 3 --seed 7 --every 1 > plain.txt 2>&1
for form in ' 3| 7' '+3|+7' '3 |7 ' "$(printf '\t3|\t7')"; do
    "$P" --epochs "${form%|*}" --seed "${form#*|}" --every 1 > out.txt 2>&1
    is "$?:$(cat out.txt)" "0:$(cat plain.txt)" "--epochs '${form%|*}' --seed '${form#*|}' read as 3 and 7"
done
# A flag given a value.
check "--eval=1" 2 \
    "$P: error: option '--eval' takes no value
$try" --eval=1

# ---- --save itself failing (after training: the loss lines are printed) ----------

for args in "nodir/p.txt|$P: error: cannot write 'nodir/p.txt': No such file or directory" \
            "adir|$P: error: cannot write 'adir': Is a directory" \
            "adir/|$P: error: cannot write 'adir/': Is a directory"; do
    file=${args%%|*} want=${args#*|}
    "$P" --epochs 20 --save "$file" > out.txt 2> err.txt
    status=$?
    is "$(cat err.txt)" "$want" "--save $file: message"
    is "$status" 1 "--save $file: exit status 1"
    is "$(grep -vc '^Epoch ' out.txt)" 0 "--save $file: no predictions after the failed save"
done
is "$(ls -A adir)" "" "a failed --save into a directory leaves nothing in it"
ok $([ ! -e nodir ]; echo $?) "a failed --save into a missing directory creates nothing"

done_testing
