/*
 * where.h: which machine a device program ran on, for its first line, so
 * that the check can tell the board's output from the host's.
 */
#ifndef WHERE_H
#define WHERE_H

#if defined(__arm__) && defined(__ARM_FP)
#define WHERE "an Arm core with an FPU"
#elif defined(__arm__)
#define WHERE "an Arm core without an FPU"
#else
#define WHERE "the host"
#endif

#endif
