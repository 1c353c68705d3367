# bench/bench.mk: the benchmark, included from the main Makefile.
#
#   make bench        the full benchmark: every shape, nnc vs FANN vs a loop
#                     nest (and the tutorial's numpy code at 2-2-1), compile
#                     costs, callgrind; prints Markdown tables (under 10 min);
#                     then make bench-cnn
#   make bench-quick  a smoke test of the same (small shapes and 64-32-10,
#                     few short rounds, no -O3 -march=native builds)
#   make bench-cnn    the digits CNN's training step: nnc against PyTorch
#                     (per sample and at batch 32) and a loop nest
#                     (bench/cnn_bench.py; BENCH_CNN_FLAGS=--quick for a
#                     short run); needs python3-torch
#
# Needs (Debian): libfann-dev valgrind time binutils python3-numpy.
# BENCH_FLAGS adds options of bench/bench.py (e.g. --shapes 2-2-1,784-64-10,
# --reps 31, --no-callgrind, or --alt-cflags=-DNNRT_LIBM_EXP to time nnc's
# step on libm's exp beside its own); BENCH_BUILD is where it builds.

BENCH_PYTHON ?= /usr/bin/python3
BENCH_BUILD  ?= bench/build
BENCH_FLAGS  ?=
BENCH_DEPS    = compiler/nnc runtime/libnnrt.a bench/bench.py bench/harness.c bench/harness.h \
                bench/harness_impls.c \
                bench/loopnest.c bench/loopnest.h bench/critpath.c bench/critpath.h \
                bench/tutorial_numpy.py

.PHONY: bench bench-quick bench-cnn bench-clean

# The dense shapes, then the digits CNN against PyTorch (bench-cnn).
bench: $(BENCH_DEPS) bench-cnn
	$(BENCH_PYTHON) bench/bench.py --cc "$(CC)" --build "$(BENCH_BUILD)" $(BENCH_FLAGS)

bench-quick: $(BENCH_DEPS)
	$(BENCH_PYTHON) bench/bench.py --quick --cc "$(CC)" --build "$(BENCH_BUILD)-quick" $(BENCH_FLAGS)

BENCH_CNN_FLAGS ?=

bench-cnn: compiler/nnc runtime/libnnrt.a bench/cnn_bench.py bench/cnn_harness.c \
           bench/cnn_loopnest.c bench/cnn_loopnest.h
	$(BENCH_PYTHON) bench/cnn_bench.py --cc "$(CC)" --build "$(BENCH_BUILD)-cnn" $(BENCH_CNN_FLAGS)

bench-clean:
	rm -rf "$(BENCH_BUILD)" "$(BENCH_BUILD)-quick" "$(BENCH_BUILD)-cnn"
