/*
 * exp.c: one double exponential for the device and the host, so that an
 * exported model's double softmax computes the same bits on both.
 *
 * The double sigmoid has its own exponential already (nnrt__exp, with
 * runtime/exp.c's table), but the softmax calls libm's exp, and newlib's
 * (fdlibm's, in software on the Cortex-M4F) and glibc's part in the last
 * bit for some arguments: on the digits model's held-out rows, a few
 * outputs in a hundred.  That says nothing about the exported C, so both
 * builds of device/predict.c link this exp in place of their libm's, as
 * device/expf.c does for expf.
 *
 * It is nnrt__exp, within about half an ULP of e^x, for the arguments of
 * a softmax (x <= 0, its sums less their largest); the reciprocal of
 * e^-x for x > 0; and past +-703, where nnrt__exp stops, e^(x/2) squared.
 */
#include <math.h>

#include "nnrt.h"

#ifndef NNRT_OWN_EXP
#error "device/exp.c needs nnrt__exp: doubles evaluated as doubles, no reassociation (nnrt.h)"
#endif

double exp(double x)
{
    if (x <= 0 && x > -703)
        return nnrt__exp(x, 1);
    if (x > 0 && x < 703)
        return 1 / nnrt__exp(x, -1);
    if (x != x)
        return x + x;
    /* Past +-703, e^(x/2) squared (two roundings more); beyond +-1406 the
       limits, which e^x passes at 709.8 and -745.2. */
    if (fabs(x) < 1406) {
        double h = exp(x / 2);
        return h * h;
    }
    return x > 0 ? HUGE_VAL : 0.0;
}
