#!/bin/sh
# A network embedded without the runtime library, as on a small device:
# the generated C (NNC_NO_MAIN) needs only runtime/exp.c and runtime/loss.c
# beside it, and through them nothing but <math.h> (no file, no
# allocation, no POSIX call); built so, the tutorial's network trains to
# the very parameters that its generated program saves, in double and in
# float.
. "$(dirname "$0")/lib.sh"
cd "$tmp" || exit 1

strict="-std=c99 -Wall -Wextra -Wpedantic -Werror $NNC_TEST_CFLAGS"

# What the objects leave undefined, less what they define for each other:
# each name must be a <math.h> function, memcpy, memmove or memset (which a
# compiler may call for a copy), or the compiler's own (__...).
undefined() {
    nm -A -u "$@" | awk '{ print $NF }' | sort -u > undef.txt
    nm -A --defined-only "$@" | awk 'NF == 3 { print $3 }' | sort -u > def.txt
    comm -23 undef.txt def.txt
}
math='^(exp|log|log1p|tanh|pow|sqrt|fabs|copysign|fmax)f?$|^mem(cpy|move|set)$|^__'

$CC $strict -I"$RT" -c "$RT/exp.c" -o exp.o 2> cc.err && [ ! -s cc.err ] &&
    $CC $strict -I"$RT" -c "$RT/loss.c" -o loss.o 2> cc.err && [ ! -s cc.err ]
ok $? "exp.c and loss.c compile on their own"
head -5 cc.err | sed 's/^/# /'
for spec in "$top"/specs/*.nn; do
    for prec in double float; do
        name=$(basename "$spec" .nn)-$prec
        (cd "$(dirname "$spec")" && "$NNC" --precision $prec "$(basename "$spec")" -o "$tmp/$name.c") &&
            $CC $strict -DNNC_NO_MAIN -I"$RT" -c "$name.c" -o "$name.o" 2> cc.err && [ ! -s cc.err ]
        ok $? "$name compiles on its own"
        head -5 cc.err | sed 's/^/# /'
        is "$(undefined "$name.o" exp.o loss.o | grep -Ev "$math")" "" \
            "$name with exp.c and loss.c calls nothing but <math.h>"
    done
done

# The C file holds the spec's rows and the program's NAME_net too; with
# sections of their own, the linker drops them from a program that only
# runs the network (the recipe of doc/device.md).
cat > digits-device.c <<'EOF'
#include "nnrt.h"

struct digits;
void digits_feedforward(const struct digits *nn, const double x[64], double y_pred[10]);

static double params[64 * 32 + 32 * 10 + 32 + 10];

int main(void)
{
    double x[64] = {0}, y[10];
    digits_feedforward((const struct digits *)(const void *)params, x, y);
    return !(y[0] > 0.09 && y[0] < 0.11);
}
EOF
gc="-ffunction-sections -fdata-sections"
$CC $strict $gc -DNNC_NO_MAIN -I"$RT" -c digits-double.c -o digits-gc.o &&
    $CC $strict $gc -I"$RT" digits-device.c digits-gc.o "$RT/exp.c" "$RT/loss.c" -Wl,--gc-sections -lm \
        -o digits-device 2> cc.err && [ ! -s cc.err ] && ./digits-device
ok $? "digits' network runs on its own (zero weights: each of 10 classes 0.1)"
head -5 cc.err | sed 's/^/# /'
nm digits-gc.o | grep -q ' digits_data$' && nm digits-gc.o | grep -q ' digits_net$'
ok $? "its object holds the spec's rows and digits_net"
if printf '%s' "$CC $NNC_TEST_CFLAGS" | grep -q -- -fsanitize; then
    skip "AddressSanitizer's list of globals keeps them all (make check-asan)"
else
    is "$(nm digits-device | grep -E ' digits_(data|test|net)$')" "" \
        "and with --gc-sections the program holds neither"
fi

# The tutorial on a "device": its initial parameters written into the C as
# the program draws them, 1000 epochs over the tutorial's four rows, and
# the parameters printed to the last bit.
for prec in double float; do
    "$NNC" --precision $prec "$top/specs/tutorial.nn" -o "prog-$prec.c" &&
        $CC $strict -I"$RT" "prog-$prec.c" "$RT/libnnrt.a" -lm -o "prog-$prec" &&
        "./prog-$prec" --epochs 0 --save init.params > /dev/null &&
        "./prog-$prec" --every 0 --save end.params > /dev/null
    ok $? "the tutorial's program ($prec) saves its initial and its trained parameters"
    t=$prec
    init=$(awk '/^# training/ { exit } /^#/ { next } { printf "        .%s = %s,\n", $1, $2 }' init.params)
    cat > device.c <<EOF
#include <stdio.h>

#include "nnrt.h"

struct gender;
void gender_train_sample(struct gender *nn, const $t x[2], const $t y_true[1], $t learn_rate);

struct gender {
    $t w1, w2, w3, w4, w5, w6, b1, b2, b3;
};

int main(void)
{
    static const $t x[4][2] = {{-2, -1}, {25, 6}, {17, 4}, {-15, -6}};
    static const $t y[4][1] = {{1}, {0}, {0}, {1}};
    struct gender nn = {
$init
    };

    for (int epoch = 0; epoch < 1000; epoch++)
        for (int i = 0; i < 4; i++)
            gender_train_sample(&nn, x[i], y[i], ($t)0.1);
    printf("w1 %.17g\nw2 %.17g\nw3 %.17g\nw4 %.17g\nw5 %.17g\nw6 %.17g\nb1 %.17g\nb2 %.17g\nb3 %.17g\n",
           (double)nn.w1, (double)nn.w2, (double)nn.w3, (double)nn.w4, (double)nn.w5, (double)nn.w6,
           (double)nn.b1, (double)nn.b2, (double)nn.b3);
    return 0;
}
EOF
    $CC $strict -DNNC_NO_MAIN -I"$RT" -c "prog-$prec.c" -o net.o &&
        $CC $strict -I"$RT" device.c net.o exp.o loss.o -lm -o device 2> cc.err && [ ! -s cc.err ]
    ok $? "the tutorial ($prec) links without libnnrt"
    head -5 cc.err | sed 's/^/# /'
    expected=$(awk '/^# training/ { exit } /^#/ { next } { printf "%s %.17g\n", $1, $2 }' end.params)
    like "$expected" '^w1 [-0-9]' "the program's trained parameters ($prec) are read"
    is "$(./device)" "$expected" "and trains to the program's parameters, bit for bit ($prec)"
done

# The same for a microcontroller, when its cross compiler is installed (make
# deps installs it): a Cortex-M4F (32 bits, a single-precision FPU only),
# newlib's C library.  Every spec's network, in double and in float, with
# exp.c and loss.c compiles without a warning, and the tutorial's float
# network links into a program of its own.
arm="arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -O2"
arm="$arm -std=c99 -Wall -Wextra -Wpedantic -Werror -ffunction-sections -fdata-sections -I$RT"
if command -v arm-none-eabi-gcc > /dev/null 2>&1; then
    status=0
    $arm -c "$RT/exp.c" -o arm-exp.o && $arm -c "$RT/loss.c" -o arm-loss.o 2> cc.err && [ ! -s cc.err ] ||
        status=1
    for spec in "$top"/specs/*.nn; do
        for prec in double float; do
            name=$(basename "$spec" .nn)-$prec
            $arm -DNNC_NO_MAIN -c "$name.c" -o "arm-$name.o" 2>> cc.err && [ ! -s cc.err ] || status=1
        done
    done
    ok $status "every spec's network, exp.c and loss.c compile for a Cortex-M4F without a warning"
    head -5 cc.err | sed 's/^/# /'
    # The float device program above, without its printf.
    sed -e '/printf/,/;$/d' -e 's/#include <stdio.h>//' device.c > arm-device.c
    grep -q 'float x\[2\]' arm-device.c && ! grep -q 'printf' arm-device.c &&
        $arm -c arm-device.c -o arm-device.o &&
        $arm --specs=nosys.specs -Wl,--gc-sections arm-device.o arm-tutorial-float.o arm-exp.o \
            arm-loss.o -lm -o arm-device.elf 2> cc.err && [ ! -s cc.err ]
    ok $? "and the tutorial's float network links into a Cortex-M4F program without libnnrt"
    head -5 cc.err | sed 's/^/# /'
else
    skip "arm-none-eabi-gcc is not installed (make deps installs it)"
    skip "arm-none-eabi-gcc is not installed (make deps installs it)"
fi

done_testing
