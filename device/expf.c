/*
 * expf.c: one single-precision exponential for the device and the host,
 * so that both compute the network with the same function.
 *
 * A float network calls libm's expf in its sigmoid, and C libraries do not
 * agree on it to the last bit: newlib built for a single-precision FPU
 * (the Cortex-M4F's multilib) has fdlibm's expf, glibc has another
 * (expf(4) is 0x425a6481 in one and 0x425a6482 in the other), and after a
 * few thousand training steps the parameters' last bits part.  That says
 * nothing about the generated C, which is what the device check is
 * about, so both of its builds link this expf in place of their libm's.
 *
 * It is the runtime's own double exponential (nnrt__exp, nnrt.h, with
 * exp.c's table), rounded once to float: plain double arithmetic, which
 * gives the same bits on every IEEE target that evaluates doubles as
 * written (on the Cortex-M4F, in software: its FPU has no doubles).  It is
 * within about half a double's ULP of e^x, so the float is the correctly
 * rounded one but for arguments whose e^x lies within that of a midpoint
 * between two floats.
 */
#include <math.h>

#include "nnrt.h"

#ifndef NNRT_OWN_EXP
#error "device/expf.c needs nnrt__exp: doubles evaluated as doubles, no reassociation (nnrt.h)"
#endif

float expf(float x)
{
    /* nnrt__exp(x, sign) is e^(sign x) for sign x in (-703, 0]. */
    if (x <= 0 && x > -703)
        return (float)nnrt__exp(x, 1);
    if (x > 0 && x < 703)
        return (float)(1 / nnrt__exp(x, -1));
    if (x != x)
        return x + x;
    /* Far beyond float's range either way (e^x overflows past 88.7 and is
       below the least float under -103.9). */
    return x > 0 ? HUGE_VALF : 0.0f;
}
