# fuzz/fuzz.mk: fuzzing and sanitizer builds.  Included from the Makefile
# (after COMPILER_OBJS, INTERNAL_OBJS and RUNTIME_OBJS are defined), or used on its own as
# `make -f Makefile -f fuzz/fuzz.mk TARGET`.
#
#   make fuzz/fuzz_frontend fuzz/fuzz_runtime
#                       the libFuzzer targets (clang, ASan, UBSan), built
#                       from the sources again into fuzz/obj/
#   make fuzz           fuzz each target FUZZ_SECONDS seconds (default 300;
#                       `make -j2 fuzz` runs both at once).  New inputs go to
#                       fuzz/work/corpus-NAME (scratch, not committed); a
#                       crash, leak, timeout, OOM or sanitizer report fails,
#                       with the reproducer in fuzz/work/artifacts-NAME/.
#   make fuzz-replay    run each target over its committed corpus (fast)
#   make check-asan     build everything again with ASan and UBSan into
#                       build-asan/ (a copy of the tree) and run the whole
#                       test suite there; the normal build is not touched
#
# A reproducer runs as: fuzz/fuzz_frontend FILE (or fuzz/fuzz_runtime FILE).
# libFuzzer is in Debian's $(FUZZ_DEPS).

ifndef FUZZ_MK_INCLUDED
FUZZ_MK_INCLUDED := 1

FUZZ_DEPS     = libclang-rt-14-dev
FUZZ_CC      ?= clang
FUZZ_CFLAGS  ?= -std=c99 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
                -fno-omit-frame-pointer
FUZZ_SECONDS ?= 300
FUZZ_WORK    ?= fuzz/work
# Passed to every fuzzing run.  libFuzzer exits non-zero on anything it
# finds: 1 for an ASan or UBSan report, 77 for a leak or a deadly signal (an
# abort() of the targets' own checks), 70 for a timeout, 71 out of memory.
FUZZ_FLAGS   ?= -timeout=10 -rss_limit_mb=2048 -dict=fuzz/nn.dict -print_final_stats=1
FUZZ_TARGETS  = frontend runtime
FUZZ_ENV      = ASAN_OPTIONS=detect_leaks=1 \
                UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

# The sources of the targets: the compiler without its command line, main.c
# and build.c (with the bison and flex outputs, made by the Makefile's
# rules), and what it shares with the runtime (INTERNAL_OBJS), as nnc links
# them; and the whole runtime.
FUZZ_COMPILER_SRCS = $(filter-out compiler/main.c compiler/build.c,$(COMPILER_OBJS:.o=.c))
FUZZ_INTERNAL_SRCS = $(INTERNAL_OBJS:.o=.c)
FUZZ_RUNTIME_SRCS  = $(RUNTIME_OBJS:.o=.c)
FUZZ_COMPILER_OBJS = $(FUZZ_COMPILER_SRCS:%.c=fuzz/obj/%.o)
FUZZ_INTERNAL_OBJS = $(FUZZ_INTERNAL_SRCS:%.c=fuzz/obj/%.o)
FUZZ_RUNTIME_OBJS  = $(FUZZ_RUNTIME_SRCS:%.c=fuzz/obj/%.o)

ifeq ($(strip $(COMPILER_OBJS)),)
$(error fuzz/fuzz.mk needs COMPILER_OBJS, INTERNAL_OBJS and RUNTIME_OBJS: include it after they are defined)
endif

.PHONY: fuzz fuzz-replay check-asan fuzz-clean $(FUZZ_TARGETS:%=fuzz-run-%)

fuzz/obj/compiler/%.o: compiler/%.c compiler/parser.h compiler/lexer.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -Icompiler -Iruntime -c -o $@ $<

fuzz/obj/runtime/%.o: runtime/%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -Iruntime -c -o $@ $<

fuzz/obj/fuzz_%.o: fuzz/fuzz_%.c compiler/parser.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -Icompiler -Iruntime -c -o $@ $<

fuzz/fuzz_frontend: fuzz/obj/fuzz_frontend.o $(FUZZ_COMPILER_OBJS) $(FUZZ_INTERNAL_OBJS)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $^ -lm

fuzz/fuzz_runtime: fuzz/obj/fuzz_runtime.o $(FUZZ_RUNTIME_OBJS)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $^ -lm

# ---- Fuzzing: each target for FUZZ_SECONDS, new inputs into the scratch corpus

fuzz: $(FUZZ_TARGETS:%=fuzz-run-%)

$(FUZZ_TARGETS:%=fuzz-run-%): fuzz-run-%: fuzz/fuzz_%
	@mkdir -p $(FUZZ_WORK)/corpus-$* $(FUZZ_WORK)/artifacts-$*
	@echo "fuzz_$*: $(FUZZ_SECONDS) s; new inputs in $(FUZZ_WORK)/corpus-$*, log in $(FUZZ_WORK)/fuzz-$*.log"
	@$(FUZZ_ENV) fuzz/fuzz_$* $(FUZZ_FLAGS) -max_total_time=$(FUZZ_SECONDS) \
	    -artifact_prefix=$(FUZZ_WORK)/artifacts-$*/ $(FUZZ_WORK)/corpus-$* fuzz/corpus/$* \
	    > $(FUZZ_WORK)/fuzz-$*.log 2>&1; \
	status=$$?; \
	if [ $$status -ne 0 ]; then \
	    grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error:|ALARM|.*Test unit written to)' \
	        $(FUZZ_WORK)/fuzz-$*.log | head -20; \
	    echo "fuzz_$*: FAILED (exit status $$status); the log is $(FUZZ_WORK)/fuzz-$*.log;" \
	         "reproduce with: fuzz/fuzz_$* $(FUZZ_WORK)/artifacts-$*/FILE"; \
	    exit 1; \
	fi; \
	tail -n 12 $(FUZZ_WORK)/fuzz-$*.log | grep -E '^stat::(number_of_executed_units|new_units_added)|^Done'

# ---- Replaying the committed corpora: every file once, crash-* ones included

fuzz-replay: fuzz/fuzz_frontend fuzz/fuzz_runtime
	@mkdir -p $(FUZZ_WORK)
	@for t in $(FUZZ_TARGETS); do \
	    echo "fuzz_$$t: replaying fuzz/corpus/$$t ($$(ls fuzz/corpus/$$t | wc -l) files)"; \
	    $(FUZZ_ENV) fuzz/fuzz_$$t -timeout=10 -rss_limit_mb=2048 fuzz/corpus/$$t/* \
	        > $(FUZZ_WORK)/replay-$$t.log 2>&1 || { \
	        grep -E '^Running:|^(==[0-9]+==ERROR|SUMMARY|.*runtime error:|ALARM)' $(FUZZ_WORK)/replay-$$t.log | tail -5; \
	        echo "fuzz_$$t: FAILED on the last file above; the log is $(FUZZ_WORK)/replay-$$t.log"; \
	        exit 1; }; \
	    rm -f $(FUZZ_WORK)/replay-$$t.log; \
	done

fuzz-clean:
	rm -rf fuzz/obj fuzz/fuzz_frontend fuzz/fuzz_runtime $(FUZZ_WORK) build-asan

# ---- The test suite under ASan and UBSan, in a copy of the tree

ASAN_DIR     ?= build-asan
ASAN_CFLAGS  ?= -std=c99 -g -O1 -Wall -Wextra -Wpedantic \
                -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
# What the tests add when they build generated programs (tests/lib.sh).
ASAN_TEST_CFLAGS ?= -fsanitize=address,undefined -fno-sanitize-recover=all
# A leak or UB must not pass for an ordinary error exit (1 or 2).  CC
# carries the sanitizers too, for the tests that build with plain $CC
# (nnc --build, the install test): the runtime they link is sanitized, and
# so are the programs.  Valgrind cannot run what ASan built, and ASan finds
# the leaks instead (tests/30-spec-errors.t skips valgrind when told so).
ASAN_TEST_ENV = NNC_TEST_CFLAGS='$(ASAN_TEST_CFLAGS)' \
                CC='$(CC) $(ASAN_TEST_CFLAGS)' \
                NNC_TEST_VALGRIND=no \
                ASAN_OPTIONS=exitcode=99:detect_leaks=1 \
                UBSAN_OPTIONS=halt_on_error=1:exitcode=98:print_stacktrace=1 \
                FUZZ_SECONDS=$(ASAN_FUZZ_SECONDS)
# tests/60-fuzz.t fuzzes anyway under ASan; in this pass a short run is enough.
ASAN_FUZZ_SECONDS ?= 10

check-asan:
	rm -rf $(ASAN_DIR)
	mkdir -p $(ASAN_DIR)
	tar -cf - --exclude=./.git --exclude=./$(ASAN_DIR) --exclude=./build --exclude=./$(FUZZ_WORK) \
	    --exclude=./fuzz/obj --exclude=./fuzz/fuzz_frontend --exclude=./fuzz/fuzz_runtime \
	    --exclude='*.o' --exclude='*.d' --exclude='*.a' --exclude=./compiler/nnc . | tar -xf - -C $(ASAN_DIR)
	$(MAKE) -C $(ASAN_DIR) clean
	$(MAKE) -C $(ASAN_DIR) CFLAGS='$(ASAN_CFLAGS)' all
	cd $(ASAN_DIR) && $(ASAN_TEST_ENV) $(PROVE) $(PROVE_FLAGS) tests/

-include $(FUZZ_COMPILER_OBJS:.o=.d) $(FUZZ_RUNTIME_OBJS:.o=.d) fuzz/obj/fuzz_frontend.d fuzz/obj/fuzz_runtime.d

endif # FUZZ_MK_INCLUDED
