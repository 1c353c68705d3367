/*
 * startup.c: what runs before main on the Cortex-M4F of QEMU's mps2-an386
 * board, and how the program leaves it.
 *
 * The core starts by loading its stack pointer and the reset handler from
 * the vector table at address 0 (device/mps2-an386.ld puts it there).
 * The reset handler does what a C program assumes has been done: it
 * copies .data from where it was loaded to RAM, zeroes .bss, and turns on
 * the FPU, which is off at reset and which a hard-float program uses from
 * its first float operation (even a function's prologue may save FPU
 * registers).  Then it opens newlib's semihosting console and calls main.
 *
 * The program leaves through semihosting too: exit() flushes stdio and
 * calls _exit, defined here, which asks the debugger (QEMU) to stop with
 * main's status.  A fault does the same with a status of its own, so
 * that a crash ends the emulator instead of hanging it.  Newlib's crt0
 * would do most of this too, but a board's start-up is part of a port, and
 * this one is short enough to read.
 */
#include <stdint.h>
#include <stdlib.h>

int main(void);
void initialise_monitor_handles(void);  /* newlib's librdimon: the console */
void _exit(int status);
void reset_handler(void);

/* From the linker script. */
extern uint32_t __data_start[], __data_end[], __data_load[];
extern uint32_t __bss_start[], __bss_end[];
extern uint32_t __stack_top[];

/* The exit status of a fault, as a shell reports a signal (128 + SIGSEGV). */
#define FAULT_STATUS 139

/* Semihosting: the operation in r0, its argument in r1, BKPT 0xAB. */
static uint32_t semihost(uint32_t op, const void *arg)
{
    register uint32_t r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;

    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

#define SYS_EXIT          0x18
#define SYS_EXIT_EXTENDED 0x20
#define ADP_STOPPED_APPLICATION_EXIT 0x20026

/*
 * Stops the emulator with status.  SYS_EXIT carries no status on a 32-bit
 * core, only "the program ended": enough for 0, and understood by every
 * debugger.  Any other status takes SYS_EXIT_EXTENDED (QEMU since 4.2),
 * whose block holds the status itself.
 */
void _exit(int status)
{
    uint32_t block[2] = {ADP_STOPPED_APPLICATION_EXIT, (uint32_t)status};

    if (status == 0)
        semihost(SYS_EXIT, (const void *)(uintptr_t)ADP_STOPPED_APPLICATION_EXIT);
    else
        semihost(SYS_EXIT_EXTENDED, block);
    for (;;)
        ;
}

static void fault_handler(void)
{
    _exit(FAULT_STATUS);
}

void reset_handler(void)
{
    for (uint32_t *src = __data_load, *dst = __data_start; dst < __data_end;)
        *dst++ = *src++;
    for (uint32_t *dst = __bss_start; dst < __bss_end;)
        *dst++ = 0;

    /* CPACR: full access to coprocessors 10 and 11, the FPU; the barriers
       make the next instruction see it. */
    *(volatile uint32_t *)0xE000ED88 |= UINT32_C(0xF) << 20;
    __asm__ volatile("dsb\n\tisb" ::: "memory");

    initialise_monitor_handles();
    exit(main());
}

/*
 * The vector table: the initial stack pointer, then the handlers of the
 * reset and of the faults (NMI, hard fault, memory management, bus fault,
 * usage fault).  No interrupt is enabled, so the table stops there.
 */
struct vector_table {
    uint32_t *stack;
    void (*handler[6])(void);
};

__attribute__((section(".vectors"), used))
static const struct vector_table vectors = {
    __stack_top,
    {reset_handler, fault_handler, fault_handler, fault_handler, fault_handler, fault_handler},
};
