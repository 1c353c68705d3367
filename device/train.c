/*
 * train.c: trains a generated network on its spec's rows, on a device or on
 * the host, and prints every parameter to the last bit.
 *
 * The same file is built twice: for the Cortex-M4F of QEMU's mps2-an386
 * board (with device/startup.c, newlib and semihosting) and for the host.
 * Both must print the same bits; device/check.sh compares them.  The network
 * is the generated C compiled with NNC_NO_MAIN, reached through its
 * struct nnrt_net (DEVICE_NET, e.g. gender_net), whose functions need only
 * runtime/exp.c, runtime/loss.c and <math.h>: nothing of the runtime
 * library runs here, only the struct's layout comes from nnrt.h.
 *
 * The initial parameters are fixed at build time: DEVICE_INIT (init.h,
 * written by mk/device.mk from what the spec's program draws with its
 * seed), so that both builds start from the program's very numbers.  The
 * training is the program's own for a spec with plain stochastic gradient
 * descent, one sample at a time, in data order: the spec's epochs over
 * its rows, train_sample on each, at the spec's learning rate.  (Both
 * builds link device/expf.c, so the exponential is not the program's.)
 *
 * Each parameter prints as its name, the bits of its value in hex (a
 * float's 8 digits, a double's 16) and the value in decimal, with enough
 * digits to read it back exactly.  Lines that start with '#' say what ran
 * where; the last one, "# end", says the training came to its end.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "nnrt.h"
#include "init.h"

extern const struct nnrt_net DEVICE_NET;

#include "where.h"

/*
 * Whether the compiler contracted this file's a * b + c into a fused
 * multiply-add, which rounds once where the C rounds twice: with a = b =
 * 1 + 2^-12 and c = -(1 + 2^-11), a * b rounds to 1 + 2^-11 (the 2^-24
 * it adds is half an ULP, and the tie goes to the even neighbour), so the
 * sum is 0, or 2^-24 when fused.  Both builds must say "twice": they are
 * compiled with -ffp-contract=off, the network's C with the same flags.
 */
static const char *rounding(void)
{
    volatile float a = 1 + 0x1p-12f, b = 1 + 0x1p-12f, c = -(1 + 0x1p-11f);
    float sum = a * b + c;

    return sum == 0 ? "twice (not contracted)" : "once (contracted into a fused multiply-add)";
}

/* The parameters; a double per parameter is room enough in either precision. */
static double storage[DEVICE_NPARAMS];

static void print_param(const struct nnrt_net *net, const void *nn, int i)
{
    double v = net->get(nn, i);
    char name = i < net->nweights ? 'w' : 'b';
    int number = i < net->nweights ? i + 1 : i - net->nweights + 1;

    if (net->single) {
        float f = (float)v;
        uint32_t bits;

        memcpy(&bits, &f, sizeof bits);
        printf("%c%d %08lx %.9g\n", name, number, (unsigned long)bits, v);
    } else {
        uint64_t bits;

        memcpy(&bits, &v, sizeof bits);
        /* Two halves: a small C library's printf may not have %llx. */
        printf("%c%d %08lx%08lx %.17g\n", name, number, (unsigned long)(bits >> 32),
               (unsigned long)(bits & 0xffffffff), v);
    }
}

int main(void)
{
    const struct nnrt_net *net = &DEVICE_NET;
    static const double init[DEVICE_NPARAMS] = DEVICE_INIT;
    void *nn = storage;
    int width = net->ninputs + net->noutputs;

    printf("# %s (%s) on %s\n", net->name, net->spec, WHERE);
    if (net->nparams != DEVICE_NPARAMS || net->size > sizeof storage) {
        printf("# init.h is not for this network\n");
        return 2;
    }
    /* What train_sample alone cannot do (an optimizer's state, batches, a new
       order every epoch, normalised inputs) is left to the program. */
    if (net->optimizer != NNRT_SGD || net->batch != 1 || net->shuffle || net->normalize) {
        printf("# this network needs more than train_sample: only plain SGD trains here\n");
        return 2;
    }
    for (int i = 0; i < net->nparams; i++)
        net->set(nn, i, init[i]);

    printf("# %ld epochs of %d rows, learn_rate %.17g, in %s\n", net->epochs, net->ndata,
           net->hyper.learn_rate, net->single ? "float" : "double");
    printf("# a * b + c rounds %s\n", rounding());
    for (long epoch = 0; epoch < net->epochs; epoch++)
        for (int r = 0; r < net->ndata; r++) {
            const double *row = net->data + (size_t)r * (size_t)width;
            net->train_sample(nn, row, row + net->ninputs, net->hyper.learn_rate);
        }

    for (int i = 0; i < net->nparams; i++)
        print_param(net, nn, i);
    printf("# end\n");
    return 0;
}
