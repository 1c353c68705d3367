#!/bin/sh
# device/check.sh: runs the training program on the host and on QEMU's
# emulated board, and checks that both print the same parameters, bit
# for bit (make device-check, mk/device.mk, builds both and calls it).
#
#   device/check.sh HOST_PROGRAM DEVICE_ELF OUTDIR [WHAT]
#
# WHAT names the lines compared in the last line (default: "parameters
# trained"; device/predict.c's are "predictions").
# QEMU, BOARD and TIMEOUT (seconds) come from the environment.  Writes
# OUTDIR/host.out and OUTDIR/device.out (the two programs' output) and
# prints which qemu and which board ran, then the device's output.  Exits
# 0 only when the device program ran to its last line ("# end") and
# exited with status 0 under QEMU, the host program did the same, and
# their outputs are equal but for the first line (where each ran); 1
# otherwise.
host=$1 elf=$2 out=$3 what=${4:-parameters trained}
QEMU=${QEMU:-qemu-system-arm}
BOARD=${BOARD:-mps2-an386}
TIMEOUT=${TIMEOUT:-60}

fail() {
    echo "device-check: FAILED: $*"
    exit 1
}

version=$("$QEMU" --version 2> /dev/null | head -1)
[ -n "$version" ] || fail "$QEMU does not run"
echo "qemu: $version ($(command -v "$QEMU"))"
desc=$("$QEMU" -M help 2> /dev/null | awk -v b="$BOARD" '$1 == b { $1 = ""; sub(/^ +/, ""); print }')
[ -n "$desc" ] || fail "$QEMU has no board $BOARD"
echo "board: $BOARD ($desc)"

"$host" > "$out/host.out"
status=$?
[ $status -eq 0 ] || fail "the host program exited with status $status"
[ "$(tail -1 "$out/host.out")" = "# end" ] || fail "the host program did not print its last line"

# Semihosting gives the program QEMU's standard output and lets it end the
# emulator with its exit status; no serial port, monitor or display.
timeout "$TIMEOUT" "$QEMU" -M "$BOARD" -nographic -monitor none -serial none \
    -semihosting-config enable=on,target=native -kernel "$elf" > "$out/device.out" 2> "$out/device.err"
status=$?
sed 's/^/qemu: /' "$out/device.err"
[ $status -ne 124 ] || fail "the device program did not end within $TIMEOUT s"
echo "device: $elf under qemu, exit status $status"
cat "$out/device.out"
[ $status -eq 0 ] || fail "the device program exited with status $status"
[ "$(tail -1 "$out/device.out")" = "# end" ] || fail "the device program did not print its last line"
grep -q '^# .* on an Arm core' "$out/device.out" || fail "the output is not an Arm program's"

# Everything but the first line, which says where the program ran: the
# settings, how a * b + c rounds, the parameters.
tail -n +2 "$out/host.out" > "$out/host.rest"
tail -n +2 "$out/device.out" > "$out/device.rest"
n=$(grep -vc '^#' "$out/host.rest")
[ "$n" -gt 0 ] || fail "the host program printed no ${what%% *}"
diff -u "$out/host.rest" "$out/device.rest" ||
    fail "the device's ${what%% *} are not the host's"
echo "device-check: the $n $what on $BOARD are the host's, bit for bit"
