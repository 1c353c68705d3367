#!/bin/bash
# A network that computes in float takes only numbers that are floats.
#
# A double past float's range becomes inf in float, silently, and a
# setting that must be above 0 (or below 1) may round to 0 (or 1).  Where
# each such number is read, nnc and the generated program refuse it.
#
# The bounds, worked out by hand: the largest float is
# FLT_MAX = (2 - 2^-23) 2^127 = 3.4028234663852886e38, and its unit in the
# last place is 2^104; a double rounds to inf from FLT_MAX + 2^103 =
# 3.4028235677973366e38 up (a tie goes to the even neighbour, inf).  So
# 3.40282356e38 becomes FLT_MAX and 3.40282357e38 becomes inf.  The
# smallest float is 2^-149 = 1.4e-45: 1e-46 is below half of it and becomes
# 0, 1e-45 becomes 2^-149.  0.9999999999 is within 2^-25 = 3e-8 of 1 and
# becomes 1.  The spec's own numbers are pinned in tests/errors/float-*.nn.
. "$(dirname "$0")/lib.sh"

cd "$tmp" || exit 1
build_with() {
    local exe=$1
    shift
    "$NNC" "$@" -o "$exe.c" 2> build.err &&
        $CC -std=c99 -Wall -Wextra -Wpedantic -Werror -O2 $NNC_TEST_CFLAGS -I"$RT" \
            -o "$exe" "$exe.c" "$RT/libnnrt.a" -lm 2>> build.err
    local status=$?
    [ $status -eq 0 ] || sed 's/^/# /' build.err
    return $status
}

# ---- nnc --precision float over a double spec ------------------------------------

cat > big.nn <<'SPEC'
network big { input 1 output 1 linear }
params { w1 = 1e39 }
SPEC
"$NNC" big.nn -o big.c 2> err.txt
is "$?:$(cat err.txt)" "0:" "a double spec takes 1e39"
printf 'kept\n' > big.c
"$NNC" --precision float big.nn -o big.c 2> err.txt
is "$?" 1 "nnc --precision float refuses it: exit status 1"
is "$(head -1 err.txt)" "big.nn:2:15: error: number '1e39' is too large for precision float (the largest float is about 3.4028235e+38)" \
    "and says where, as for a precision float spec"
is "$(cat big.c)" "kept" "and leaves -o as it was"
sed 's/linear }/linear precision float }/' big.nn > bigf.nn
"$NNC" --precision double bigf.nn -o bigf.c 2> err.txt
is "$?:$(cat err.txt)" "0:" "nnc --precision double takes it from a precision float spec"

# ---- The program's settings -------------------------------------------------------

build_with tut --precision float "$top/specs/tutorial.nn"
ok $? "the tutorial builds in float"
for case in "adam adam" "mom momentum"; do
    set -- $case
    name=$1 opt=$2
    printf 'network %s { input 2 output 1 sigmoid optimizer %s precision float epochs 1 }\n%s\n' \
        "$name" "$opt" 'data { 0 0 -> 1  1 1 -> 0 }' > "$name.nn"
    build_with "$name" "$name.nn"
    ok $? "a float spec with $opt builds"
done

# check DESC STATUS STDERR PROGRAM ARGS...: runs "PROGRAM --save saved.txt ARGS...".
check() {
    local desc=$1 want_status=$2 want_err=$3
    shift 3
    printf 'sentinel\n' > saved.txt
    "$@" --save saved.txt > out.txt 2> err.txt
    local status=$?
    is "$(cat err.txt)" "$want_err" "$desc: message"
    is "$status" "$want_status" "$desc: exit status $want_status"
    is "$(cat out.txt)" "" "$desc: nothing on stdout"
    is "$(cat saved.txt)" "sentinel" "$desc: the --save file is untouched"
}
try() { echo "Try './$1 --help' for more information."; }
large="too large for precision float (the largest float is about 3.4028235e+38)"

check "--learn-rate past float's range" 2 "./tut: error: --learn-rate: '3.40282357e38' is $large
$(try tut)" ./tut --learn-rate 3.40282357e38
check "--learn-rate that rounds to 0" 2 "./tut: error: --learn-rate: '1e-46' is 0 in precision float, and must be greater than 0
$(try tut)" ./tut --learn-rate 1e-46
check "--weight-decay past float's range" 2 "./tut: error: --weight-decay: '3.40282357e38' is $large
$(try tut)" ./tut --weight-decay 3.40282357e38
check "--momentum that rounds to 0" 2 "./mom: error: --momentum: '1e-46' is 0 in precision float, and must be greater than 0
$(try mom)" ./mom --momentum 1e-46
check "--beta1 that rounds to 1" 2 "./adam: error: --beta1: '0.9999999999' is 1 in precision float, and must be less than 1
$(try adam)" ./adam --beta1 0.9999999999
check "--beta2 that rounds to 1" 2 "./adam: error: --beta2: '0.9999999999' is 1 in precision float, and must be less than 1
$(try adam)" ./adam --beta2 0.9999999999
check "--epsilon that rounds to 0" 2 "./adam: error: --epsilon: '1e-46' is 0 in precision float, and must be greater than 0
$(try adam)" ./adam --epsilon 1e-46
check "--predict past float's range" 2 "./tut: error: --predict: input 2 is -3.40282357e+38: $large
$(try tut)" ./tut --predict 1,-3.40282357e38

# The values just inside are taken.
./tut --epochs 0 --learn-rate 3.40282356e38 --weight-decay 3.40282356e38 --predict 3.40282356e38,1 \
    > out.txt 2> err.txt
is "$?:$(cat err.txt)" "0:" "the largest float is taken for --learn-rate, --weight-decay and --predict"
./tut --epochs 0 --learn-rate 1e-45 > /dev/null 2> err.txt
is "$?:$(cat err.txt)" "0:" "the smallest float is taken for --learn-rate"
./adam --epochs 0 --beta1 0.9999999 --beta2 0.9999999 --epsilon 1e-45 > /dev/null 2> err.txt
is "$?:$(cat err.txt)" "0:" "betas of 0.9999999 (1 - 1.2e-7 in float) and epsilon 1e-45 are taken"

# ---- Data and parameter files ---------------------------------------------------------

printf 'weight,height,gender\n1,2,1\n3.40282356e38,0,0\n0,3.40282357e38,1\n' > input.csv
printf 'weight,height,gender\n1,2,1\n3,4,-3.40282357e38\n' > target.csv
check "--data with an input past float's range" 1 \
    "./tut: input.csv:4: error: input 2 is 3.40282357e+38: $large" ./tut --data input.csv
check "--test with a target past float's range" 1 \
    "./tut: target.csv:3: error: target 1 is -3.40282357e+38: $large" ./tut --test target.csv
"$tmp/tut" --epochs 0 --save start.txt > /dev/null
ok $? "a float program saves its parameters"
sed 's/^w3 .*/w3 -3.40282357e38/' start.txt > big.txt
check "--load with a weight past float's range" 1 \
    "./tut: big.txt:4: error: 'w3' is -3.40282357e+38: $large" ./tut --load big.txt
sed 's/^w3 .*/w3 3.40282356e38/' start.txt > edge.txt
./tut --load edge.txt --epochs 0 --eval > /dev/null 2> err.txt
is "$?:$(cat err.txt)" "0:" "--load takes the largest float"

# The optimizer's state is floats too.
./adam --epochs 1 --save state.txt > /dev/null 2>&1
ok $? "a float program with adam saves its state"
sed 's/^v_w2 .*/v_w2 1e39/' state.txt > bigstate.txt
grep -c '^v_w2 1e39$' bigstate.txt > /dev/null
ok $? "(the state has v_w2)"
check "--load with the optimizer's state past float's range" 1 \
    "./adam: bigstate.txt:$(grep -n '^v_w2 ' bigstate.txt | cut -d: -f1): error: 'v_w2' is 1e+39: $large" \
    ./adam --load bigstate.txt

# A double program takes all of these.
build "$top/specs/tutorial.nn" "$tmp/tutd"
"$tmp/tutd" --epochs 0 --data input.csv --test target.csv --load big.txt --learn-rate 1e39 > /dev/null 2> err.txt
is "$?:$(cat err.txt)" "0:" "the double program takes them"

# ---- Normalized inputs: checked once normalized -----------------------------------------

cat > norm.nn <<'SPEC'
network norm { input 2 output 1 linear normalize precision float epochs 1 }
data { 1e39 0 -> 1  -1e39 1 -> 0  0 2 -> 1 }
predict { p: 1e39 1 }
SPEC
build_with norm norm.nn
ok $? "a float spec takes inputs past float's range when it normalizes them"
./norm --every 0 > out.txt 2> err.txt
is "$?:$(cat err.txt)" "0:" "and trains on them, normalized"
like "$(cat out.txt)" '^p: -?[0-9]' "and predicts a number"
./norm --epochs 0 --save n.txt > /dev/null
# A standard deviation that makes an input too large once normalized: 1e39
# / 1e-300 is past even a double's range; 1e30 / 1e-10 past float's.
sed 's/^std_x1 .*/std_x1 1e-300/' n.txt > tiny.txt
check "a loaded normalization that makes the spec's data inf" 1 \
    "./norm: error: row 1 of the spec's data: input 1 is inf once normalized: too large for a double" \
    ./norm --load tiny.txt
sed 's/^std_x2 .*/std_x2 1e-10/; s/^mean_x2 .*/mean_x2 0/' n.txt > small.txt
printf 'a,b,y\n0,1e-20,1\n0,1e30,2\n' > n.csv
check "a loaded normalization that makes an input of --data too large" 1 \
    "./norm: n.csv:3: error: input 2 is 1e+40 once normalized: $large" ./norm --load small.txt --data n.csv
check "the same for --predict" 2 \
    "./norm: error: --predict: input 2 is 1e+40 once normalized: $large
$(try norm)" ./norm --load small.txt --predict 0,1e30

# In double, a normalization can still make an input inf.
build_with normd --precision double norm.nn
ok $? "the same spec builds in double"
./normd --epochs 0 --save nd.txt > /dev/null
sed 's/^std_x1 .*/std_x1 1e-300/' nd.txt > tinyd.txt
check "a loaded normalization that makes an input inf in double" 1 \
    "./normd: error: prediction 'p': input 1 is inf once normalized: too large for a double" \
    ./normd --load tinyd.txt --data n.csv --epochs 0

done_testing
