#!/bin/bash
# Result (5): the generated program trains exactly as the tutorial's numpy
# code does.  From the same starting parameters, specs/tutorial.nn compiled
# by nnc and tests/tutorial_reference.py (the tutorial's code, changed only
# to read and write parameter files) print the same 100 loss lines, and end
# with the same parameters to a relative 1e-9.
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
if ! "$PY" -c 'import numpy' > /dev/null 2>&1; then
    echo "1..0 # SKIP $PY cannot import numpy (apt-get install python3-numpy)"
    exit 0
fi

build "$top/specs/tutorial.nn" "$tmp/tutorial"
ok $? "specs/tutorial.nn builds"

# compare NAME START: trains from START both ways and compares.
compare() {
    local name=$1 start=$2
    "$tmp/tutorial" --load "$start" --save "$tmp/$name.c-end" > "$tmp/$name.c-out" 2>&1
    ok $? "$name: the generated program trains from $(basename "$start")"
    "$PY" "$top/tests/tutorial_reference.py" "$start" "$tmp/$name.py-end" \
        > "$tmp/$name.py-out" 2>&1
    ok $? "$name: the numpy reference trains from $(basename "$start")"

    is "$(grep -c '^Epoch ' "$tmp/$name.py-out")" 100 "$name: the reference prints 100 loss lines"
    # (The generated program also prints accuracy lines, which the tutorial does not.)
    is "$(grep '^Epoch [0-9]* loss: ' "$tmp/$name.c-out")" "$(cat "$tmp/$name.py-out")" \
        "$name: the 100 loss lines are identical"

    # Every parameter, by name, within a relative 1e-9.
    local report
    report=$(awk '
        /^#/ || NF == 0 { next }
        FNR == NR { c[$1] = $2; next }
        {
            n++
            if (!($1 in c)) { print "missing " $1; next }
            a = c[$1] + 0; b = $2 + 0
            d = a - b; if (d < 0) d = -d
            m = a < 0 ? -a : a; mb = b < 0 ? -b : b; if (mb > m) m = mb
            if (d > 1e-9 * m) printf "%s: generated %s, reference %s\n", $1, c[$1], $2
        }
        END { if (n != 9) print "expected 9 parameters, found " n }
    ' "$tmp/$name.c-end" "$tmp/$name.py-end")
    is "$report" "" "$name: all 9 final parameters agree within a relative 1e-9"

    # And the training went somewhere: the parameters moved.
    ok $(cmp -s <(grep -v '^#' "$start") <(grep -v '^#' "$tmp/$name.c-end"); [ $? -ne 0 ]; echo $?) \
        "$name: the parameters changed"
}

# Starts drawn by the program itself, from three seeds.
for seed in 1 2 3; do
    "$tmp/tutorial" --seed $seed --epochs 0 --save "$tmp/start$seed.txt" > /dev/null 2>&1
    ok $? "seed $seed: --epochs 0 --save draws a start"
    compare "seed$seed" "$tmp/start$seed.txt"
done

# And the worked example's start: all weights 1, all biases 0.
printf '%s\n' "# the worked example" w1\ 1 w2\ 1 w3\ 1 w4\ 1 w5\ 1 w6\ 1 b1\ 0 b2\ 0 b3\ 0 \
    > "$tmp/ones.txt"
compare "ones" "$tmp/ones.txt"

done_testing
