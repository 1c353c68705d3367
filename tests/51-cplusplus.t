#!/bin/sh
# C++ can embed a network: nnc's --header and nnrt.h compile as C++11
# without a warning under g++ and clang++, for every spec and for the
# optimizers' and single precision's declarations, and a C++ program
# linked with the network compiled as C trains it as the C program does,
# whether it calls the network's functions or hands over to nnrt_main.
. "$(dirname "$0")/lib.sh"
cd "$tmp" || exit 1

cxxflags="-std=c++11 -Wall -Wextra -Wpedantic -Werror"
strict="-std=c99 -Wall -Wextra -Wpedantic -Werror"

# Every spec, and the tutorial with Adam, momentum and in single precision.
sed 's/^    loss   mse$/    loss   mse\n    optimizer adam/' "$top/specs/tutorial.nn" > adam.nn
sed 's/^    loss   mse$/    loss   mse\n    optimizer momentum 0.8 nesterov/' "$top/specs/tutorial.nn" > momentum.nn
grep -q 'optimizer adam' adam.nn && grep -q 'optimizer momentum' momentum.nn
ok $? "the Adam and momentum variants of the tutorial's spec are written"
# A network named after a word that C++ reserves and C does not (xor, new,
# class, ...), or after a type or namespace of C++'s headers (std, size_t,
# ...), cannot be declared in C++; doc/embedding.md says so.  The specs' names
# are checked against the keywords, and one of each kind against g++.
cxx_only="alignas alignof and and_eq bitand bitor catch char8_t char16_t char32_t class compl concept
consteval constinit const_cast co_await co_return co_yield decltype delete dynamic_cast explicit export
false friend mutable namespace new noexcept not not_eq operator or or_eq private protected public
reinterpret_cast requires static_assert static_cast template this thread_local throw try typeid
typename using virtual wchar_t xor xor_eq"
for spec in "$top"/specs/*.nn adam.nn momentum.nn "$top/specs/tutorial.nn:float"; do
    prec=double
    case "$spec" in *:float) spec=${spec%:float} prec=float ;; esac
    name=$(basename "$spec" .nn)-$prec
    net=$(sed -n 's/^network \([A-Za-z_0-9]*\).*/\1/p' "$spec")
    case " $(echo $cxx_only) " in
    *" $net "*)
        skip "$spec: the network's name, $net, is a C++ keyword"
        skip "$spec: the network's name, $net, is a C++ keyword"
        continue
        ;;
    esac
    (cd "$(dirname "$spec")" && "$NNC" --precision "$prec" "$(basename "$spec")" -o "$tmp/$name.c" \
        --header "$tmp/$name.h")
    printf '#include "%s.h"\n' "$name" > "$name.cc"
    for cxx in g++ clang++; do
        $cxx $cxxflags -I"$RT" -I. -fsyntax-only "$name.cc" > cxx.err 2>&1 && [ ! -s cxx.err ]
        ok $? "$cxx compiles the header of $name as C++11 without a warning"
        head -5 cxx.err | sed 's/^/# /'
    done
done

for name in xor std size_t; do
    sed "s/^network gender/network $name/" "$top/specs/tutorial.nn" > "$name.nn" &&
        "$NNC" "$name.nn" -o "$name.c" --header "$name.h" &&
        printf '#include "%s.h"\n' "$name" > "$name.cc" &&
        $CC $strict -DNNC_NO_MAIN -I"$RT" -c "$name.c" -o "$name.o"
    ok $? "a network named $name compiles as C"
    ! g++ $cxxflags -I"$RT" -I. -fsyntax-only "$name.cc" > cxx.err 2>&1
    ok $? "but its header does not compile as C++, as doc/embedding.md says"
done

# The header's declarations agree with the definitions, which declare their
# arrays restrict (a qualifier of the parameter itself, which C ignores in a
# declaration): the definitions' heads, declared again after the header.
{
    echo '#include "tutorial-double.h"'
    awk '/^(void|double) gender_/ { p = 1 } p && /^\{$/ { p = 0; print ";"; next } p' tutorial-double.c
} > redeclare.c
grep -q 'x\[restrict 2\]' redeclare.c &&
    $CC $strict -I"$RT" -I. -c redeclare.c -o redeclare.o > cc.err 2>&1 && [ ! -s cc.err ]
ok $? "the definitions' restrict heads, after the header, compile without a warning"
head -5 cc.err | sed 's/^/# /'

# The tutorial embedded in a program written in the common ground of C99 and
# C++11: the same source built as C and as C++ must print the same numbers,
# and the generated program itself, trained as the spec says, the same
# predictions.
cat > embed.c <<'EOF'
#include <stdio.h>

#include "tutorial-double.h"

int main(void)
{
    static const double x[4][2] = {{-2, -1}, {25, 6}, {17, 4}, {-15, -6}};
    static const double y[4][1] = {{1}, {0}, {0}, {1}};
    static const double emily[2] = {-7, -3}, frank[2] = {20, 2};
    char a[NNRT_DOUBLE_BUFSIZE], b[NNRT_DOUBLE_BUFSIZE];
    struct gender nn;
    double e[1], f[1];

    nnrt_init_params(&gender_net, &nn, gender_net.seed);
    for (long epoch = 0; epoch < gender_net.epochs; epoch++)
        for (int i = 0; i < 4; i++)
            gender_train_sample(&nn, x[i], y[i], gender_net.hyper.learn_rate);
    gender_feedforward(&nn, emily, e);
    gender_feedforward(&nn, frank, f);
    printf("emily: %s\nfrank: %s\n", nnrt_format_double(a, e[0]), nnrt_format_double(b, f[0]));
    return 0;
}
EOF
cp embed.c embed.cc
$CC $strict $NNC_TEST_CFLAGS -DNNC_NO_MAIN -I"$RT" -c tutorial-double.c -o tutorial.o &&
    $CC $strict $NNC_TEST_CFLAGS -I"$RT" -I. embed.c tutorial.o "$RT/libnnrt.a" -lm -o embed-c > cc.err 2>&1 &&
    [ ! -s cc.err ]
ok $? "the embedding program builds as C"
head -5 cc.err | sed 's/^/# /'
g++ $cxxflags $NNC_TEST_CFLAGS -I"$RT" -I. embed.cc tutorial.o "$RT/libnnrt.a" -lm -o embed-cxx > cxx.err 2>&1 &&
    [ ! -s cxx.err ]
ok $? "and as C++ with g++, linked with the network compiled as C"
head -5 cxx.err | sed 's/^/# /'
from_c=$(./embed-c) from_cxx=$(./embed-cxx)
like "$from_c" '^emily: 0\.96[0-9]*
frank: 0\.03[0-9]*$' "built as C, it trains the tutorial's network (Emily about 0.96, Frank about 0.04)"
is "$from_cxx" "$from_c" "built as C++, it prints the same numbers"
$CC $strict $NNC_TEST_CFLAGS -I"$RT" tutorial-double.c "$RT/libnnrt.a" -lm -o tutorial-prog
is "$(./tutorial-prog --every 0 | grep -E '^(emily|frank):')" "$from_c" \
    "and the generated program's predictions are those numbers too"

# nnrt_main called from C++: the whole program, the same run.
cat > main.cc <<'EOF'
#include "tutorial-double.h"

int main(int argc, char **argv)
{
    return nnrt_main(&gender_net, argc, argv);
}
EOF
g++ $cxxflags $NNC_TEST_CFLAGS -I"$RT" -I. main.cc tutorial.o "$RT/libnnrt.a" -lm -o main-cxx > cxx.err 2>&1 &&
    [ ! -s cxx.err ]
ok $? "a C++ main that calls nnrt_main builds"
head -5 cxx.err | sed 's/^/# /'
./main-cxx --epochs 50 --every 10 > cxx.out 2>&1
status=$?
./tutorial-prog --epochs 50 --every 10 > c.out 2>&1
is "$status:$(sed 's/main-cxx/PROG/' cxx.out)" "0:$(sed 's/tutorial-prog/PROG/' c.out)" \
    "and trains and reports as the C program does"

done_testing
