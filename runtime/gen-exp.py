#!/usr/bin/python3
"""Write runtime/exp.c: the table of the double sigmoid's exponential.

Entry 2j is 2^(j/128) rounded to the nearest double, entry 2j+1 what that
rounding lost, relative to it: 2^(j/128) / entry(2j) - 1, rounded.  Both are
computed in decimal arithmetic to 60 digits.  The file's comment also gives
the split of ln(2)/128 that nnrt.h uses: a high part of 36 significant bits
(so that k * high is exact for |k| < 2^17) and the rest.

    /usr/bin/python3 runtime/gen-exp.py > runtime/exp.c
"""
import math
from decimal import Decimal, getcontext

getcontext().prec = 60
N = 128
LN2 = Decimal(2).ln()


def main():
    step = LN2 / N
    m, e = math.frexp(float(step))
    high = math.ldexp(round(m * 2**36), e - 36)
    low = float(step - Decimal(high))
    rows = []
    for j in range(N):
        exact = (LN2 * j / N).exp()
        near = float(exact)
        tail = float(exact / Decimal(near) - 1)
        rows.append('    %s, %s,' % (near.hex(), tail.hex()))
    print('''/*
 * exp.c: the table of the double sigmoid's exponential (nnrt.h,
 * nnrt__exp), and the sigmoid of the arguments that it leaves to libm.
 * Written by runtime/gen-exp.py: edit that, not this.
 *
 * Entry 2j is 2^(j/%d) rounded to the nearest double; entry 2j+1 is
 * 2^(j/%d) / entry(2j) - 1, what that rounding lost.
 * nnrt.h splits ln(2)/%d as %s + %s.
 *
 * Programs linked with the shared library may copy the table into their
 * own data (a copy relocation), so its size and layout are part of the
 * library's ABI: change them only with a new soname (mk/install.mk).
 */
#include "nnrt.h"

const double nnrt__exp_table[%d] = {
%s
};

/*
 * The sigmoid on libm's exp, for the arguments that nnrt.h leaves to it:
 * |x| >= 703 (e^-|x| below 2^-1014, where 2^(k/128) (e^r - 1) would be
 * subnormal) and NaN.
 */
double nnrt__sigmoid_far(double x)
{
    if (x >= 0)
        return 1 / (1 + exp(-x));
    double e = exp(x);
    return e / (1 + e);
}''' % (N, N, N, high.hex(), low.hex(), 2 * N, '\n'.join(rows)))


main()
