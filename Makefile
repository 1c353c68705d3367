# nnc: a compiler from neural network specs to straight-line C, and its runtime.
#
#   make            build compiler/nnc and runtime/libnnrt.a
#   make demo       train the tutorial's network and make its predictions
#   make build/NAME build the program of specs/NAME.nn
#   make generated  regenerate generated/ from specs/
#   make check      run the tests through prove
#   make pictures   draw every spec's network (pictures/NAME.png, Graphviz)
#   make plot       plot the loss of NAME's training (pictures/NAME-loss.png, gnuplot);
#                   SPEC=path/x.nn plots any spec's (pictures/x-loss.png)
#   make fuzz       fuzz the front end and the runtime's readers (FUZZ_SECONDS=N each)
#   make check-asan run the whole suite with AddressSanitizer and UBSan
#   make device-check  train the tutorial's network on an emulated Cortex-M4F, check it against the host
#   make device-sizes  the flash and RAM of every spec on a Cortex-M4F (doc/device.md)
#   make bench      measure nnc's training step beside FANN and a loop nest (make bench-quick: a smoke test)
#   make install    install into $(DESTDIR)$(PREFIX) (make uninstall removes it)
#   make deps       install what building and testing need (Debian)

CC      ?= cc
CFLAGS  ?= -std=c99 -g -O2 -Wall -Wextra -Wpedantic
ALL_CFLAGS = $(CFLAGS) -MMD -MP
PROVE   ?= prove
PROVE_FLAGS ?= -j2
PREFIX  ?= /usr/local

# The flags a generated program is built with.
PROG_CFLAGS ?= -std=c99 -O2 -Wall -Wextra -Wpedantic

COMPILER_OBJS = compiler/parser.o compiler/lexer.o compiler/ast.o compiler/ctx.o \
                compiler/check.o compiler/shape.o compiler/rows.o compiler/derive.o compiler/chain.o \
                compiler/dense.o compiler/conv.o compiler/pool.o \
                compiler/emit.o compiler/emit_unrolled.o compiler/emit_compact.o compiler/emit_maps.o \
                compiler/emit_runtime.o \
                compiler/dot.o compiler/explain.o compiler/explain_compact.o compiler/explain_state.o \
                compiler/explain_maps.o \
                compiler/compile.o compiler/width.o compiler/build.o \
                compiler/emit_inference.o compiler/params_read.o \
                compiler/main.o
# What nnc and the runtime share but no network calls: the names of kinds,
# the Graphviz writer, numbers, files (replaced whole, removed on a
# signal) and CSV.  nnc links these alone, as runtime/libnnrt_internal.a,
# which is never installed; the runtime holds them too, and libnnrt.so
# exports none of their nnrt__ names (nnrt_impl.h hides them), only the
# nnrt_ functions of nnrt.h among them.
INTERNAL_OBJS = runtime/names.o runtime/dot.o runtime/number.o runtime/file.o runtime/csv.o
RUNTIME_OBJS  = $(INTERNAL_OBJS) runtime/loss.o runtime/rng.o runtime/exp.o runtime/params.o \
                runtime/options.o runtime/data.o runtime/train.o runtime/report.o runtime/driver.o \
                runtime/schedule.o runtime/validate.o runtime/metrics.o

SPECS     = $(wildcard specs/*.nn)
GENERATED = $(SPECS:specs/%.nn=generated/%.c)

.PHONY: all demo generated check deps clean pictures plot
.SUFFIXES:

all: compiler/nnc runtime/libnnrt.a

compiler/nnc: $(COMPILER_OBJS) runtime/libnnrt_internal.a
	$(CC) $(ALL_CFLAGS) -o $@ $(COMPILER_OBJS) runtime/libnnrt_internal.a -lm

runtime/libnnrt.a: $(RUNTIME_OBJS)
	rm -f $@
	ar rcs $@ $(RUNTIME_OBJS)

runtime/libnnrt_internal.a: $(INTERNAL_OBJS)
	rm -f $@
	ar rcs $@ $(INTERNAL_OBJS)

compiler/%.o: compiler/%.c
	$(CC) $(ALL_CFLAGS) -Icompiler -Iruntime -c -o $@ $<

runtime/%.o: runtime/%.c
	$(CC) $(ALL_CFLAGS) -Iruntime -c -o $@ $<

compiler/parser.c compiler/parser.h: compiler/parser.y
	bison -Wall -Werror --defines=compiler/parser.h -o compiler/parser.c $<

compiler/lexer.c compiler/lexer.h: compiler/lexer.l
	flex -o compiler/lexer.c $<
	@test -f lexer.h && mv lexer.h compiler/lexer.h || true

# The generated scanner and parser are not ours to warn about line by line.
compiler/lexer.o compiler/parser.o: ALL_CFLAGS += -Wno-unused-function -Wno-sign-compare

compiler/lexer.o: compiler/parser.h
compiler/parser.o: compiler/lexer.h
$(COMPILER_OBJS): compiler/parser.h

# ---- Programs from specs

build/%.c: specs/%.nn compiler/nnc
	@mkdir -p build
	compiler/nnc $< -o $@

build/%: build/%.c runtime/libnnrt.a
	$(CC) $(PROG_CFLAGS) -Iruntime -o $@ $< runtime/libnnrt.a -lm

.PRECIOUS: build/%.c

demo: build/tutorial
	build/tutorial

generated: $(GENERATED)

generated/%.c: specs/%.nn compiler/nnc
	compiler/nnc $< -o $@

# ---- Pictures

NAME ?= tutorial

pictures: $(SPECS:specs/%.nn=pictures/%.png)

pictures/%.png: specs/%.nn compiler/nnc
	@mkdir -p pictures build
	compiler/nnc --emit dot $< -o build/$*.dot
	dot -Tpng -o $@ build/$*.dot

# Any spec: SPEC=path/x.nn, built by nnc --build (its data files are read
# from its own directory); NAME=x stands for SPEC=specs/x.nn.
SPEC ?= specs/$(NAME).nn
PLOT = $(basename $(notdir $(SPEC)))

plot: compiler/nnc runtime/libnnrt.a
	@mkdir -p pictures build
	compiler/nnc --build $(SPEC) -o build/plot-$(PLOT)
	build/plot-$(PLOT) --every 0 --history build/$(PLOT)-history.csv > /dev/null
	gnuplot -e "set terminal png size 800,480; set output 'pictures/$(PLOT)-loss.png'; \
	    set datafile separator ','; set xlabel 'epoch'; set ylabel 'loss'; set grid; \
	    plot 'build/$(PLOT)-history.csv' every ::1 using 1:2 with lines lw 2 title '$(PLOT): loss'"

# ---- Tests

check: all
	$(PROVE) $(PROVE_FLAGS) tests/

# The second install is a microcontroller's C compiler and C library, for
# tests/52-without-runtime.t, and the emulator of a board to run it on, for
# make device-check (tests/54-device.t), without what apt recommends (the
# C++ library, 1.5 GB, and the emulator's firmware for other machines,
# which no test needs).
deps:
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y \
	    make gcc g++ clang flex bison perl python3 python3-numpy valgrind \
	    groff-base man-db pkgconf graphviz gnuplot-nox libfann-dev time libclang-rt-14-dev strace
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
	    gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm
	# PyTorch: torch.optim's schedulers, the reference of
	# tests/94-validate-schedule.t, and the other side of make bench-cnn.
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3-torch

clean:
	rm -rf build compiler/nnc compiler/*.o compiler/*.d compiler/lexer.c compiler/lexer.h \
	    compiler/parser.c compiler/parser.h runtime/*.o runtime/*.d runtime/libnnrt.a \
	    runtime/libnnrt_internal.a

-include $(COMPILER_OBJS:.o=.d) $(RUNTIME_OBJS:.o=.d)

include mk/install.mk
include bench/bench.mk
include fuzz/fuzz.mk
include mk/device.mk
