/*
 * predict.c: runs an exported inference model (nnc --emit inference) over
 * held-out rows, on a device or on the host, and prints each row's class
 * and outputs to the last bit.
 *
 * The same file is built twice, as device/train.c is: for the Cortex-M4F
 * of QEMU's mps2-an386 board and for the host; device/check.sh compares
 * the two outputs.  The model is NAME_model.c, which needs only <math.h>
 * and runtime/exp.c's table; the rows are rows.h (written by mk/device.mk
 * from the spec's test file): DEVICE_NROWS rows of NAME_NINPUTS inputs and
 * the class of each.  DEVICE_NET names the network (digits), DEVICE_REAL
 * its precision (double or float).
 *
 * Each row prints as "row R class C label L" and the bits of each output
 * in hex (a float's 8 digits, a double's 16), then the last line counts
 * the rows whose class is their label, and "# end" says the run came to
 * its end.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define P(a, b) a##b
#define FN(net, what) P(net, what)
#define NI FN(DEVICE_NET, _NINPUTS)
#define NO FN(DEVICE_NET, _NOUTPUTS)

#include DEVICE_MODEL_H
#include "rows.h"

#include "where.h"

#define STR(x) #x
#define NAME(x) STR(x)

static void print_bits(DEVICE_REAL v)
{
    if (sizeof v == sizeof(float)) {
        uint32_t bits;

        memcpy(&bits, &v, sizeof bits);
        printf(" %08lx", (unsigned long)bits);
    } else {
        uint64_t bits;

        memcpy(&bits, &v, sizeof bits);
        /* Two halves: a small C library's printf may not have %llx. */
        printf(" %08lx%08lx", (unsigned long)(bits >> 32), (unsigned long)(bits & 0xffffffff));
    }
}

int main(void)
{
    int right = 0;

    printf("# %s inference (%s) on %s\n", NAME(DEVICE_NET), NAME(DEVICE_REAL), WHERE);
    printf("# %d rows of %d inputs, %d outputs\n", DEVICE_NROWS, NI, NO);
    for (int r = 0; r < DEVICE_NROWS; r++) {
        DEVICE_REAL y[NO];
        int c = FN(DEVICE_NET, _classify)(device_rows[r]);

        FN(DEVICE_NET, _predict)(device_rows[r], y);
        printf("row %d class %d label %d", r + 1, c, device_labels[r]);
        for (int k = 0; k < NO; k++)
            print_bits(y[k]);
        printf("\n");
        right += c == device_labels[r];
    }
    printf("# %d of %d rows classified as labelled\n", right, DEVICE_NROWS);
    printf("# end\n");
    return 0;
}
