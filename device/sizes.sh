#!/bin/sh
# device/sizes.sh: the flash and RAM that every spec's network takes on a
# Cortex-M4F, for training and for inference (make device-sizes; the
# table in doc/device.md is its output).
#
#   device/sizes.sh OUTDIR
#
# For each spec of specs/, in double and in float, two programs are built
# with arm-none-eabi-gcc, at -O2 and at -Os, with -ffunction-sections
# -fdata-sections and -Wl,--gc-sections, and newlib's nosys start-up:
#   training   main calls NAME_train_sample once on inputs and targets in
#              RAM, the parameters in RAM (the generated C, NNC_NO_MAIN,
#              with runtime/exp.c and runtime/loss.c);
#   inference  main calls NAME_predict once on inputs in RAM (nnc --emit
#              inference of the parameters the spec's program draws, with
#              runtime/exp.c's table).
# A program whose main does nothing is the first row: what newlib's
# start-up and exit take in every program.  arm-none-eabi-size's text is
# code and constants (flash), data initialized RAM (flash too, copied),
# bss zeroed RAM.  Prints a Markdown table.
out=${1:-build/device/sizes}
ARM_CC=${ARM_CC:-arm-none-eabi-gcc}
ARM_SIZE=${ARM_SIZE:-arm-none-eabi-size}
top=$(cd "$(dirname "$0")/.." && pwd)
nnc=$top/compiler/nnc
rt=$top/runtime
arch="-mcpu=cortex-m4 -mfpu=fpv4-sp-d16 -mfloat-abi=hard -mthumb"
gc="-ffunction-sections -fdata-sections"
link="--specs=nosys.specs -Wl,--gc-sections"
mkdir -p "$out" || exit 1
cd "$out" || exit 1
rm -f failed

die() {
    echo "device/sizes.sh: $*" >&2
    exit 1
}

# size OPT PROGRAM SOURCES...: "text | data | bss" of the program built at
# -OPT.  (Run in a subshell: a failure leaves the file failed.)
size() {
    opt=$1 prog=$2
    shift 2
    $ARM_CC $arch -std=c99 -$opt $gc -I"$rt" -I. "$@" $link -lm -o "$prog-$opt.elf" 2> cc.err || {
        touch failed
        die "cannot build $prog: $(head -3 cc.err)"
    }
    $ARM_SIZE "$prog-$opt.elf" | awk 'NR == 2 { printf "%s | %s | %s", $1, $2, $3 }'
}

# row LABEL BUILD PROGRAM SOURCES...
row() {
    label=$1 build=$2 prog=$3
    shift 3
    printf '| %s | %s | %s | %s |\n' "$label" "$build" "$(size O2 "$prog" "$@")" "$(size Os "$prog" "$@")"
}

echo "| spec | build | -O2 text | data | bss | -Os text | data | bss |"
echo "|---|---|---:|---:|---:|---:|---:|---:|"
printf 'int main(void)\n{\n    return 0;\n}\n' > empty.c
printf '| (none) | an empty main | %s | %s |\n' "$(size O2 empty empty.c)" "$(size Os empty empty.c)"
for spec in "$top"/specs/*.nn; do
    base=$(basename "$spec" .nn)
    for prec in double float; do
        id=$base-$prec
        (cd "$(dirname "$spec")" && "$nnc" --precision $prec "$base.nn" -o "$out/$id.c" --header "$out/$id.h") ||
            die "nnc failed on $spec"
        net=$(sed -n 's/^#define \(.*\)_NINPUTS .*/\1/p' "$id.h")
        cc -std=c99 -O2 -I"$rt" "$id.c" "$rt/libnnrt.a" -lm -o "$id-program" &&
            "./$id-program" --epochs 0 --save "$id.params" > /dev/null || die "the program of $spec failed"
        (cd "$(dirname "$spec")" && "$nnc" --precision $prec --emit inference --params "$out/$id.params" \
            "$base.nn" -o "$out/${id}_model.c" --header "$out/${id}_model.h") || die "the export of $spec failed"
        cat > "train-$id.c" <<EOF
#include "$id.h"

static struct $net nn;
$prec x[${net}_NINPUTS], y[${net}_NOUTPUTS];

int main(void)
{
    ${net}_train_sample(&nn, x, y, ($prec)0.1);
    return 0;
}
EOF
        cat > "predict-$id.c" <<EOF
#include "${id}_model.h"

$prec x[${net}_NINPUTS], y[${net}_NOUTPUTS];

int main(void)
{
    ${net}_predict(x, y);
    return 0;
}
EOF
        row "$base ($prec)" training "train-$id" "train-$id.c" "$id.c" -DNNC_NO_MAIN "$rt/exp.c" "$rt/loss.c"
        row "$base ($prec)" inference "predict-$id" "predict-$id.c" "${id}_model.c" "$rt/exp.c"
    done
done
[ ! -e failed ]
