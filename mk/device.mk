# mk/device.mk: training on a microcontroller, checked on an emulated one.
#
#   make device-check   build the network of DEVICE_SPEC (the tutorial's) in
#                       precision float for the Cortex-M4F of QEMU's mps2-an386
#                       board and for the host, train it on both from the same
#                       initial parameters, and check that the two print the
#                       same parameters, bit for bit (device/check.sh)
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
QEMU_ARM       ?= qemu-system-arm
ARM_CC         ?= arm-none-eabi-gcc
ARM_SIZE       ?= arm-none-eabi-size

DEVICE_CFLAGS = -std=c99 -O2 -Wall -Wextra -Wpedantic -Werror -ffp-contract=off \
                -ffunction-sections -fdata-sections
DEVICE_ARCH   = -mcpu=cortex-m4 -mfpu=fpv4-sp-d16 -mfloat-abi=hard -mthumb
# newlib with semihosting (librdimon), but our start-up file, not its crt0.
DEVICE_LDFLAGS = --specs=rdimon.specs -nostartfiles -T device/mps2-an386.ld -Wl,--gc-sections

DEVICE_SOURCES = device/train.c device/expf.c $(DEVICE_BUILD)/net.c runtime/exp.c runtime/loss.c
DEVICE_DEPS    = $(DEVICE_SOURCES) $(DEVICE_BUILD)/init.h runtime/nnrt.h

# The generated struct nnrt_net, by which train.c reaches the network.
device_net = $$(sed -n 's/^const struct nnrt_net \([A-Za-z0-9_]*\) = {$$/\1/p' $(DEVICE_BUILD)/net.c)

.PHONY: device-check device-clean

device-check: $(DEVICE_BUILD)/train-host $(DEVICE_BUILD)/train.elf device/check.sh
	QEMU="$(QEMU_ARM)" BOARD="$(DEVICE_BOARD)" TIMEOUT="$(DEVICE_TIMEOUT)" \
	    sh device/check.sh $(DEVICE_BUILD)/train-host $(DEVICE_BUILD)/train.elf $(DEVICE_BUILD)

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
