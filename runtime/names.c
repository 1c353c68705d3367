/*
 * names.c: the words of the .nn language that name a kind of thing, one
 * table for nnc and the runtime.
 *
 * nnc looks the spec's words up in them and prints them in messages and
 * drawings; a program prints its optimizer's name in --help and in the
 * errors of --optimizer.  Each table is indexed by the kind's enum (the
 * compiler's Act, LossKind, InitKind and OptKind; enum nnrt_optimizer
 * too) and ends with NULL, for lookups.
 */
#include "nnrt_impl.h"

const char *const nnrt__act_names[] = {
    "sigmoid", "tanh", "relu", "leaky_relu", "linear", "softmax", NULL,
};
const char *const nnrt__loss_names[] = {
    "mse", "binary_cross_entropy", "cross_entropy", NULL,
};
const char *const nnrt__init_names[] = {
    "normal", "xavier", "he", NULL,
};
const char *const nnrt__opt_names[] = {
    "sgd", "momentum", "adam", NULL,
};
