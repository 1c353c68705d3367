#!/bin/bash
# Adam against plain SGD on the 8x8 digits: specs/digits.nn (SGD, learning
# rate 0.05, 30 epochs) and tests/specs/digits_adam.nn (the same network
# and start, Adam at 0.003, shuffled) are trained one epoch at a time
# (--load, --epochs 1, --save; a resumed run is an uninterrupted one), and
# after each epoch their accuracy on the held-out rows is read.  Adam must
# reach the accuracy that specs/digits.nn ends with in fewer epochs than
# SGD itself needs to reach it.
. "$(dirname "$0")/lib.sh"
cd "$tmp" || exit 1

# The two programs, built side by side (each compile takes a while).
for spec in "$top/specs/digits.nn" "$top/tests/specs/digits_adam.nn"; do
    name=$(basename "$spec" .nn)
    mkdir "$name.d"
    (tmp="$tmp/$name.d"; build "$spec" "$tmp/../$name" > "$tmp/build.log"; echo $? > "$tmp/build.st") &
done
wait
for name in digits digits_adam; do
    st=$(cat "$name.d/build.st")
    ok "$st" "$name builds"
    [ "$st" -eq 0 ] || { head -n 20 "$name.d/build.log"; done_testing; }
done

# What specs/digits.nn reaches, run as it is: its 30 epochs of SGD.
./digits --every 0 > sgd30.out 2>&1
ok $? "specs/digits.nn trains its 30 epochs"
target=$(sed -n 's/^test accuracy: //p' sgd30.out)
like "$target" '^0\.9[0-9]*$' "specs/digits.nn ends above 90% on the test rows ($target)"
percent=$(awk -v a="$target" 'BEGIN { printf "%.1f", 100 * a }')

# epochs_to_reach PROGRAM MAX: trains PROGRAM one epoch at a time from its
# start; prints each epoch's test accuracy to PROGRAM.acc, and the first
# epoch whose accuracy is at least $target (or MAX + 1 if none is).
epochs_to_reach() {
    local prog=$1 max=$2 e acc
    : > "$prog.acc"
    "./$prog" --epochs 0 --save "$prog.params" > /dev/null 2>&1 || { echo 0; return; }
    for e in $(seq 1 "$max"); do
        acc=$("./$prog" --load "$prog.params" --epochs 1 --every 0 --save "$prog.params" 2> /dev/null |
            sed -n 's/^test accuracy: //p')
        echo "$e $acc" >> "$prog.acc"
        if awk -v a="$acc" -v t="$target" 'BEGIN { exit !(a != "" && a + 0 >= t + 0) }'; then
            echo "$e"
            return
        fi
    done
    echo $((max + 1))
}

sgd=$(epochs_to_reach digits 30)
ok "$([ "$sgd" -ge 1 ] && [ "$sgd" -le 30 ]; echo $?)" \
    "SGD, resumed epoch by epoch, reaches its own 30-epoch accuracy by epoch 30 (epoch $sgd)"
echo "# sgd test accuracy by epoch: $(awk '{ printf "%s:%.4f ", $1, $2 }' digits.acc)"

adam=$(epochs_to_reach digits_adam 30)
echo "# adam test accuracy by epoch: $(awk '{ printf "%s:%.4f ", $1, $2 }' digits_adam.acc)"
if [ "$adam" -le 30 ]; then
    echo "# adam reached $percent% after $adam epochs; sgd after $sgd"
else
    echo "# adam did not reach $percent% in 30 epochs; sgd did after $sgd"
fi
ok "$([ "$adam" -ge 1 ] && [ "$adam" -lt "$sgd" ]; echo $?)" \
    "Adam reaches SGD's 30-epoch test accuracy ($percent%) in fewer epochs than SGD"

done_testing
