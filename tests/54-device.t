#!/bin/sh
# Training on a microcontroller, checked (make device-check, mk/device.mk):
# the tutorial's network in precision float, built for the Cortex-M4F of
# QEMU's mps2-an386 board with the project's own start-up file and linker
# script (device/), trains the spec's 1000 epochs there and prints its
# parameters, which must be the bits that the same C (device/train.c)
# built for the host prints.  Both builds take -ffp-contract=off (the M4F
# has a fused multiply-add for floats, and contracting would round once
# where the C rounds twice) and device/expf.c in place of their C
# libraries' expf, which differ.
#
# Then the inference export of digits, on the board as on the host.
#
# Also: the device program's exit status reaches the shell through QEMU
# (a status of 3, and a fault), and the check fails when QEMU did not run
# the program (no qemu, a qemu that runs nothing, one that runs the host's
# program instead).
. "$(dirname "$0")/lib.sh"

have() {
    command -v "$1" > /dev/null 2>&1
}
if ! have qemu-system-arm; then
    echo "1..0 # SKIP qemu-system-arm is not installed (make deps installs it)"
    exit 0
fi
if ! have arm-none-eabi-gcc || [ ! -f "$(arm-none-eabi-gcc -print-file-name=rdimon.specs)" ]; then
    echo "1..0 # SKIP arm-none-eabi-gcc or newlib is not installed (make deps installs them)"
    exit 0
fi

# The make of the tree, on its own: no flags or jobserver from an outer make.
mk() {
    env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL ${MAKE:-make} --no-print-directory -C "$top" "$@"
}

d=$tmp/device
mk device-check DEVICE_BUILD="$d" > "$tmp/check.out" 2> "$tmp/check.err"
status=$?
ok $status "make device-check passes"
[ $status -eq 0 ] || tail -30 "$tmp/check.out" "$tmp/check.err" | sed 's/^/# /'
out=$(cat "$tmp/check.out")
printf '%s\n' "$out" | grep -E '^(qemu|board|device):' | sed 's/^/# /'

like "$out" '^qemu: QEMU emulator version [0-9]' "it names the qemu that ran"
like "$out" '^board: mps2-an386 \(.*Cortex-M4\)$' "and the board, a Cortex-M4"
like "$out" "^device: $d/train.elf under qemu, exit status 0\$" "the device program exited with status 0"
like "$out" '^device-check: the 9 parameters trained on mps2-an386 are the host.s, bit for bit$' \
    "the check reports 9 parameters equal"
is "$(printf '%s\n' "$out" | grep -- '-ffp-contract=off.*-ffunction-sections' | grep -c -- '-DNNC_NO_MAIN')" 2 \
    "both builds take -ffp-contract=off"
is "$(printf '%s\n' "$out" | grep -- '-ffp-contract=off.*-ffunction-sections' | grep -c -- '-DDEVICE_REAL=')" 4 \
    "and so do the four builds of the inference check"
like "$out" 'arm-none-eabi-gcc -mcpu=cortex-m4 -mfpu=fpv4-sp-d16 -mfloat-abi=hard -mthumb' \
    "the device build is for a Cortex-M4 with its single-precision FPU, hard-float"

dev=$(cat "$d/device.out")
host=$(cat "$d/host.out")
like "$(head -1 "$d/device.out")" '^# gender \(specs/tutorial.nn\) on an Arm core with an FPU$' \
    "the device's output is an Arm program's, with an FPU"
like "$(head -1 "$d/host.out")" '^# gender \(specs/tutorial.nn\) on the host$' "the host's is the host's"
like "$dev" '^# 1000 epochs of 4 rows, learn_rate 0.1[0-9]*, in float$' "it trained the spec's epochs and rows, in float"
is "$(tail -1 "$d/device.out")" "# end" "the device program printed its last line"
like "$dev" '^# a \* b \+ c rounds twice \(not contracted\)$' "its a * b + c was not contracted"
like "$host" '^# a \* b \+ c rounds twice \(not contracted\)$' "nor was the host's"
params=$(printf '%s\n' "$dev" | grep -v '^#')
is "$(printf '%s\n' "$params" | awk '{ print $1 }' | tr '\n' ' ')" "w1 w2 w3 w4 w5 w6 b1 b2 b3 " \
    "every parameter, in parameter order"
is "$(printf '%s\n' "$params" | grep -Ec '^[wb][0-9] [0-9a-f]{8} -?[0-9]')" 9 "each with the 8 hex digits of its float"
is "$params" "$(printf '%s\n' "$host" | grep -v '^#')" "the device's parameters are the host's, bit for bit"
# The initial parameters, which the run must have moved.
init=$(awk '/^# training/ { exit } /^#/ { next } { printf "%s %.9g\n", $1, $2 }' "$d/init.params")
like "$init" '^w1 -?[0-9]' "the initial parameters come from the spec's program"
[ "$(printf '%s\n' "$params" | awk '{ print $1, $3 }')" != "$init" ]
ok $? "and training changed them"
# The spec's own program (libnnrt, NAME_train_epoch, the C library's expf)
# trains to the same parameters: glibc's expf and device/expf.c agree on
# every argument of this run.
if getconf GNU_LIBC_VERSION > /dev/null 2>&1; then
    "$d/program" --every 0 --save "$tmp/end.params" > /dev/null
    is "$(printf '%s\n' "$params" | awk '{ print $1, $3 }')" \
        "$(awk '/^# training/ { exit } /^#/ { next } { printf "%s %.9g\n", $1, $2 }' "$tmp/end.params")" \
        "and they are the parameters that the spec's program trains to"
else
    skip "the C library is not glibc, whose expf agrees with device/expf.c here"
fi

# The inference export of digits (trained by its program on the host,
# saved, exported with nnc --emit inference), on the board: its
# predictions of the 359 held-out rows, in double and in float, are the
# host build's, bit for bit (both link device/exp.c and device/expf.c).
for prec in double float; do
    like "$out" "^device: $d/infer-$prec/predict.elf under qemu, exit status 0\$" \
        "the $prec inference model ran on the device"
    like "$(head -1 "$d/infer-$prec/device.out")" "^# digits inference \\($prec\\) on an Arm core with an FPU\$" \
        "its output is an Arm program's ($prec)"
done
is "$(printf '%s\n' "$out" | grep -c '^device-check: the 359 predictions on mps2-an386 are the host.s, bit for bit$')" \
    2 "the check reports the 359 predictions equal, in both precisions"
# The classes on the device are those of the program's own --predict (with
# the C library's exp and expf); so are the outputs' bits, where the C
# library's exponentials agree with device/'s.
tail -n +2 "$top/specs/data/digits_test.csv" | cut -d, -f1-64 | awk '{ printf " --predict %s", $0 }' > "$tmp/args"
for prec in double float; do
    "$d/infer-$prec/program" --load "$d/infer-$prec/trained.params" --epochs 0 $(cat "$tmp/args") |
        head -359 > "$tmp/prog-$prec.txt"
    expected=$(awk '{ b = 1; for (i = 2; i <= NF; i++) if ($i + 0 > $b + 0) b = i; print b - 1 }' "$tmp/prog-$prec.txt")
    got=$(awk '/^row/ { print $4 }' "$d/infer-$prec/device.out")
    is "$(printf '%s\n' "$got" | wc -l | tr -d ' ')" 359 "the device classified 359 rows ($prec)"
    is "$got" "$expected" "its classes are those of the program's --predict ($prec)"
    if command -v python3 > /dev/null 2>&1; then
        same=$(python3 - "$prec" "$tmp/prog-$prec.txt" "$d/infer-$prec/device.out" <<'PY'
import struct, sys
fmt = '>d' if sys.argv[1] == 'double' else '>f'
prog = [l.split() for l in open(sys.argv[2])]
dev = [l.split()[6:] for l in open(sys.argv[3]) if l.startswith('row')]
n = same = 0
for p, d in zip(prog, dev):
    for v, bits in zip(p, d):
        n += 1
        same += struct.pack(fmt, float(v)).hex() == bits
print(same, n)
PY
)
        echo "# $prec: $same of the device's outputs have the bits of the program's"
        like "$same" '^[0-9]+ 3590$' "the device's $prec outputs compare with the program's"
    else
        skip "python3 is not installed"
    fi
done

# Contracted on the device, the parameters part: the Cortex-M4F fuses a
# float a * b + c (VFMA.F32), which x86-64 without -march cannot.
mk device-check DEVICE_BUILD="$tmp/fused" \
    DEVICE_CFLAGS="-std=c99 -O2 -ffp-contract=fast -ffunction-sections -fdata-sections" \
    > "$tmp/fused.out" 2>&1
is "$?" 2 "with -ffp-contract=fast the check fails"
like "$(cat "$tmp/fused/device.out")" '^# a \* b \+ c rounds once \(contracted into a fused multiply-add\)$' \
    "the device's a * b + c is contracted then"
[ "$(grep -v '^#' "$tmp/fused/device.out")" != "$(grep -v '^#' "$tmp/fused/host.out")" ]
ok $? "and its parameters are not the host's"

# The exit status: main's, and a fault's (128 + SIGSEGV), through QEMU.
arm="arm-none-eabi-gcc -mcpu=cortex-m4 -mfpu=fpv4-sp-d16 -mfloat-abi=hard -mthumb -std=c99 -O2"
arm="$arm -Wall -Wextra -Wpedantic -Werror -ffunction-sections -fdata-sections"
link="--specs=rdimon.specs -nostartfiles -T $top/device/mps2-an386.ld -Wl,--gc-sections"
qemu() {
    timeout 20 qemu-system-arm -M mps2-an386 -nographic -monitor none -serial none \
        -semihosting-config enable=on,target=native -kernel "$1"
}
printf '#include <stdio.h>\nint main(void)\n{\n    puts("three");\n    return 3;\n}\n' > "$tmp/three.c"
printf 'int main(void)\n{\n    __builtin_trap();\n}\n' > "$tmp/trap.c"
$arm $link -o "$tmp/three.elf" "$top/device/startup.c" "$tmp/three.c" &&
    $arm $link -o "$tmp/trap.elf" "$top/device/startup.c" "$tmp/trap.c"
ok $? "two more device programs build with device/startup.c"
got=$(qemu "$tmp/three.elf")
is "$? $got" "3 three" "main's status 3 is qemu's exit status, after its output"
qemu "$tmp/trap.elf"
is "$?" 139 "a fault ends qemu with status 139"

# The check fails when qemu did not run the device program.
check() {
    mkdir -p "$tmp/$1" && QEMU=$2 sh "$top/device/check.sh" "$d/train-host" "$d/train.elf" "$tmp/$1" > "$tmp/$1.out"
    [ $? -eq 1 ] && tail -1 "$tmp/$1.out"
}
like "$(check none "$tmp/no-such-qemu")" '^device-check: FAILED: .*no-such-qemu does not run$' \
    "the check fails without qemu"
# A qemu that answers questions but runs nothing...
cat > "$tmp/idle-qemu" <<'EOF2'
#!/bin/sh
case "$1" in
--version) echo "QEMU emulator version 0" ;;
-M) [ "$2" = help ] && echo "mps2-an386 a board" ;;
esac
exit 0
EOF2
# ... and one that runs the host's program instead of the device's.
printf '#!/bin/sh\n[ "$1" != -M ] || [ "$2" = help ] || exec "%s"\nexec "%s" "$@"\n' \
    "$d/train-host" "$tmp/idle-qemu" > "$tmp/host-qemu"
chmod +x "$tmp/idle-qemu" "$tmp/host-qemu"
like "$(check idle "$tmp/idle-qemu")" "^device-check: FAILED: the device program did not print its last line\$" \
    "the check fails when qemu ran nothing"
like "$(check host "$tmp/host-qemu")" "^device-check: FAILED: the output is not an Arm program's\$" \
    "the check fails when the output is the host program's"

done_testing
