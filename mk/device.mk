# mk/device.mk: training on a microcontroller, checked on an emulated one.
#
#   make device-check   build the network of DEVICE_SPEC (the tutorial's) in
#                       precision float for the Cortex-M4F of QEMU's mps2-an386
#                       board and for the host, train it on both from the same
#                       initial parameters, and check that the two print the
#                       same parameters, bit for bit (device/check.sh); then
#                       export DEVICE_INFER_SPEC (digits), trained on the host
#                       by its program, with nnc --emit inference, in double
#                       and in float, and check that its predictions of the
#                       held-out rows on the board are the host's, bit for bit
#   make device-sizes   the flash and RAM of every spec's training build and
#                       inference export (device/sizes.sh, doc/device.md)
#
# Needs (Debian): gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm
# (make deps installs them).  Included by the main Makefile after its own
# rules, which define CC and the targets compiler/nnc and runtime/libnnrt.a.
#
# The device program is the project's own port: device/startup.c (vector
# table, reset handler, semihosting exit), device/mps2-an386.ld (memory
# map), newlib's C library with semihosting for the console (librdimon),
# and device/train.c, which the host builds too.  The network's C
# (NNC_NO_MAIN) needs only runtime/exp.c and runtime/loss.c beside it.
#
# Both builds take -ffp-contract=off: the Cortex-M4F has a fused
# multiply-add for floats (VFMA.F32), and a compiler free to contract a * b
# + c into it rounds once where the C rounds twice; x86-64 without -march
# has none.  With contraction off on both, each operation rounds as
# written.  Both also link device/expf.c instead of their libm's expf
# (newlib's and glibc's differ in last bits; see that file).
#
# The initial parameters are the ones the spec's own program draws
# (--epochs 0 --save), written into init.h.

DEVICE_SPEC    ?= specs/tutorial.nn
DEVICE_BUILD   ?= build/device
DEVICE_BOARD   ?= mps2-an386
DEVICE_TIMEOUT ?= 60
DEVICE_INFER_SPEC ?= specs/digits.nn
DEVICE_INFER_TEST ?= specs/data/digits_test.csv
DEVICE_INFER       = $(DEVICE_BUILD)/infer-double $(DEVICE_BUILD)/infer-float
QEMU_ARM       ?= qemu-system-arm
ARM_CC         ?= arm-none-eabi-gcc
ARM_SIZE       ?= arm-none-eabi-size

DEVICE_CFLAGS = -std=c99 -O2 -Wall -Wextra -Wpedantic -Werror -ffp-contract=off \
                -ffunction-sections -fdata-sections
DEVICE_ARCH   = -mcpu=cortex-m4 -mfpu=fpv4-sp-d16 -mfloat-abi=hard -mthumb
# newlib with semihosting (librdimon), but our start-up file, not its crt0.
DEVICE_LDFLAGS = --specs=rdimon.specs -nostartfiles -T device/mps2-an386.ld -Wl,--gc-sections

DEVICE_SOURCES = device/train.c device/expf.c $(DEVICE_BUILD)/net.c runtime/exp.c runtime/loss.c
DEVICE_DEPS    = $(DEVICE_SOURCES) device/where.h $(DEVICE_BUILD)/init.h runtime/nnrt.h

# The generated struct nnrt_net, by which train.c reaches the network.
device_net = $$(sed -n 's/^const struct nnrt_net \([A-Za-z0-9_]*\) = {$$/\1/p' $(DEVICE_BUILD)/net.c)

.PHONY: device-check device-clean device-sizes

device-check: $(DEVICE_BUILD)/train-host $(DEVICE_BUILD)/train.elf device/check.sh \
              $(DEVICE_INFER:%=%/predict-host) $(DEVICE_INFER:%=%/predict.elf)
	QEMU="$(QEMU_ARM)" BOARD="$(DEVICE_BOARD)" TIMEOUT="$(DEVICE_TIMEOUT)" \
	    sh device/check.sh $(DEVICE_BUILD)/train-host $(DEVICE_BUILD)/train.elf $(DEVICE_BUILD)
	for d in $(DEVICE_INFER); do \
	    QEMU="$(QEMU_ARM)" BOARD="$(DEVICE_BOARD)" TIMEOUT="$(DEVICE_TIMEOUT)" \
	        sh device/check.sh $$d/predict-host $$d/predict.elf $$d predictions || exit 1; \
	done

device-sizes: compiler/nnc runtime/libnnrt.a device/sizes.sh
	ARM_CC="$(ARM_CC)" ARM_SIZE="$(ARM_SIZE)" sh device/sizes.sh $(DEVICE_BUILD)/sizes

$(DEVICE_BUILD)/net.c: $(DEVICE_SPEC) compiler/nnc
	@mkdir -p $(DEVICE_BUILD)
	compiler/nnc --precision float $(DEVICE_SPEC) -o $@

# The spec's program, on the host, only to draw the initial parameters.
$(DEVICE_BUILD)/program: $(DEVICE_BUILD)/net.c runtime/libnnrt.a
	$(CC) -std=c99 -O2 -Iruntime -o $@ $(DEVICE_BUILD)/net.c runtime/libnnrt.a -lm

$(DEVICE_BUILD)/init.h: $(DEVICE_BUILD)/program
	$(DEVICE_BUILD)/program --epochs 0 --save $(DEVICE_BUILD)/init.params > /dev/null
	awk 'BEGIN { print "/* The initial parameters, as $(DEVICE_BUILD)/program draws them. */" } \
	    /^# training/ { exit } /^#/ { next } \
	    { n++; v = v sprintf("    %s, /* %s */ \\\n", $$2, $$1) } \
	    END { printf "#define DEVICE_NPARAMS %d\n#define DEVICE_INIT { \\\n%s}\n", n, v }' \
	    $(DEVICE_BUILD)/init.params > $@

$(DEVICE_BUILD)/train-host: $(DEVICE_DEPS)
	$(CC) $(DEVICE_CFLAGS) -Iruntime -I$(DEVICE_BUILD) -DNNC_NO_MAIN -DDEVICE_NET=$(device_net) \
	    -o $@ $(DEVICE_SOURCES) -lm

$(DEVICE_BUILD)/train.elf: $(DEVICE_DEPS) device/startup.c device/mps2-an386.ld
	$(ARM_CC) $(DEVICE_ARCH) $(DEVICE_CFLAGS) -Iruntime -I$(DEVICE_BUILD) -DNNC_NO_MAIN \
	    -DDEVICE_NET=$(device_net) $(DEVICE_LDFLAGS) -o $@ device/startup.c $(DEVICE_SOURCES) -lm
	$(ARM_SIZE) $@

device-clean:
	rm -rf $(DEVICE_BUILD)

# ---- The inference export on the device
#
# DEVICE_INFER_SPEC's program, built for the host in each precision,
# trains the spec's epochs and saves; nnc exports what it saved
# (NAME_model.c, NAME_model.h); device/predict.c runs the export over the
# rows of DEVICE_INFER_TEST (rows.h) on the host and on the board.  Both
# builds link device/expf.c, as the training check's do, and device/exp.c
# for the double softmax: newlib's and glibc's exp differ in last bits.

infer_net = $$(sed -n 's/^network \([A-Za-z0-9_]*\).*/\1/p' $(DEVICE_INFER_SPEC))
INFER_SOURCES = device/predict.c device/expf.c device/exp.c runtime/exp.c
# The precision of a directory infer-double or infer-float.
infer_prec = $(patsubst infer-%,%,$(notdir $(@D)))

$(DEVICE_BUILD)/infer-%/program.c: $(DEVICE_INFER_SPEC) compiler/nnc
	@mkdir -p $(@D)
	compiler/nnc --precision $* $(DEVICE_INFER_SPEC) -o $@

$(DEVICE_BUILD)/infer-%/program: $(DEVICE_BUILD)/infer-%/program.c runtime/libnnrt.a
	$(CC) -std=c99 -O2 -Iruntime -o $@ $< runtime/libnnrt.a -lm

$(DEVICE_BUILD)/infer-%/trained.params: $(DEVICE_BUILD)/infer-%/program
	$< --every 0 --save $@ > /dev/null

$(DEVICE_BUILD)/infer-%/model.c: $(DEVICE_BUILD)/infer-%/trained.params compiler/nnc
	compiler/nnc --precision $* --emit inference --params $< $(DEVICE_INFER_SPEC) -o $@ \
	    --header $(@D)/model.h

# The held-out rows: the inputs and the class (the last column) of each.
$(DEVICE_BUILD)/infer-%/rows.h: $(DEVICE_INFER_TEST)
	@mkdir -p $(@D)
	awk -F, -v t=$* 'NR == 1 { next } \
	    { n++; r = r "    {"; for (i = 1; i < NF; i++) r = r $$i (i < NF - 1 ? ", " : ""); \
	      r = r "},\n"; l = l $$NF "," } \
	    END { printf "#define DEVICE_NROWS %d\nstatic const %s device_rows[%d][%d] = {\n%s};\n", n, t, n, NF - 1, r; \
	          printf "static const int device_labels[%d] = {%s};\n", n, l }' $< > $@

INFER_DEPS = $(INFER_SOURCES) device/where.h device/startup.c device/mps2-an386.ld
INFER_FLAGS = -Iruntime -I$(@D) -DDEVICE_NET=$(infer_net) -DDEVICE_REAL=$(infer_prec) \
              -DDEVICE_MODEL_H='"model.h"'

$(DEVICE_BUILD)/infer-%/predict-host: $(DEVICE_BUILD)/infer-%/model.c $(DEVICE_BUILD)/infer-%/rows.h $(INFER_DEPS)
	$(CC) $(DEVICE_CFLAGS) $(INFER_FLAGS) -o $@ $(INFER_SOURCES) $< -lm

$(DEVICE_BUILD)/infer-%/predict.elf: $(DEVICE_BUILD)/infer-%/model.c $(DEVICE_BUILD)/infer-%/rows.h $(INFER_DEPS)
	$(ARM_CC) $(DEVICE_ARCH) $(DEVICE_CFLAGS) $(INFER_FLAGS) $(DEVICE_LDFLAGS) -o $@ device/startup.c \
	    $(INFER_SOURCES) $< -lm
	$(ARM_SIZE) $@

.PRECIOUS: $(DEVICE_BUILD)/infer-%/program.c $(DEVICE_BUILD)/infer-%/program $(DEVICE_BUILD)/infer-%/trained.params \
           $(DEVICE_BUILD)/infer-%/model.c $(DEVICE_BUILD)/infer-%/rows.h
