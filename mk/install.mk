# mk/install.mk: the shared runtime library, its pkg-config file, and
# `make install` / `make uninstall`.
#
#   make runtime/libnnrt.so    the runtime as a shared library (soname libnnrt.so.2)
#   make runtime/nnrt.pc       its pkg-config file, for PREFIX
#   make install               install into $(DESTDIR)$(PREFIX)
#   make uninstall             remove exactly what install installs
#
# Included by the main Makefile after its own rules, which define CC,
# CFLAGS, ALL_CFLAGS, RUNTIME_OBJS, PREFIX and the targets compiler/nnc and
# runtime/libnnrt.a.  Until then, use it as `make -f Makefile -f mk/install.mk`.
#
# A shared library needs position-independent code, so it is built from
# objects of its own in runtime/pic/, compiled with -fPIC; the static
# libraries keep the objects that compiler/nnc links.  The shared library
# exports the nnrt_ names of nnrt.h and nothing of nnrt_impl.h (hidden
# there): what nnc shares with the runtime (runtime/libnnrt_internal.a) is
# inside it but not part of its interface, and is not installed.
# Installed, the library is the usual three names: libnnrt.so.VERSION (the
# file), the soname libnnrt.so.2 that programs record, and libnnrt.so for
# the linker.
#
# A program linked through `pkg-config --libs nnrt` must also run, with no
# LD_LIBRARY_PATH, wherever PREFIX is.  Two ways were measured, with the
# iris program on x86-64 (gcc -O2, stripped): linked with libnnrt.so it is
# 35 KB, with libnnrt.a 93 KB; both start alike (200 runs of --help, 0.32 s
# against 0.34 s).  Linking the static library by default would leave the
# shared one unused, so nnrt.pc keeps -lnnrt and adds an rpath: Libs
# carries -Wl,-rpath,${libdir}, and the loader finds the library where it
# was installed.  The rpath is left out for the loader's own directories
# (/lib, /usr/lib and their 64-bit and multiarch names), where it is noise,
# and RPATH=no leaves it out anywhere.  An install as root, without
# DESTDIR, also runs ldconfig, so that the loader's cache knows the new
# soname (the default PREFIX's /usr/local/lib is one of its directories on
# Debian, but is not cached until ldconfig runs).

# Where things go: set PREFIX (or any of these) on the command line.
BINDIR       ?= $(PREFIX)/bin
INCLUDEDIR   ?= $(PREFIX)/include
LIBDIR       ?= $(PREFIX)/lib
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
MANDIR       ?= $(PREFIX)/share/man
# The two runtime sources a network needs without the library (on a device).
NNCDATADIR   ?= $(PREFIX)/share/nnc

# RPATH=no: nnrt.pc's Libs without -Wl,-rpath (see above).
RPATH ?= yes
# Run as root after an install without DESTDIR; LDCONFIG=: skips it.
LDCONFIG ?= ldconfig
# The directories that the loader searches by itself, where an rpath is noise.
SYSTEM_LIBDIRS = /lib /usr/lib /lib64 /usr/lib64 /lib32 /usr/lib32 \
                 $(addprefix /lib/,$(MULTIARCH)) $(addprefix /usr/lib/,$(MULTIARCH))
MULTIARCH := $(shell $(CC) -print-multiarch 2> /dev/null)
NNRT_RPATH = $(if $(filter yes,$(RPATH)),$(if $(filter $(SYSTEM_LIBDIRS),$(LIBDIR)),,-Wl$(comma)-rpath$(comma)$${libdir} ))
comma := ,

INSTALL         ?= install
INSTALL_PROGRAM ?= $(INSTALL) -m 755
INSTALL_DATA    ?= $(INSTALL) -m 644

# The version is the runtime's own, so that the two cannot disagree.
NNRT_VERSION := $(shell sed -n 's/^\#define NNRT_VERSION "\(.*\)"/\1/p' runtime/nnrt.h)
# Programs linked with the shared library record this name.  Bump it when
# a change to nnrt.h (struct nnrt_net above all) breaks programs built
# against an older library.
NNRT_SOVERSION = 2
NNRT_SONAME    = libnnrt.so.$(NNRT_SOVERSION)

RUNTIME_PIC_OBJS = $(RUNTIME_OBJS:runtime/%.o=runtime/pic/%.o)

MAN1 = doc/nnc.1 doc/nnrt.1
MAN5 = doc/nn.5
DEVICE_SRCS = runtime/exp.c runtime/loss.c

.PHONY: install uninstall clean-shared nnrt-pc-force

# ---- The shared library and the pkg-config file

runtime/pic/%.o: runtime/%.c
	@mkdir -p runtime/pic
	$(CC) $(ALL_CFLAGS) -fPIC -Iruntime -c -o $@ $<

# runtime/libnnrt.so.2 lets a program built in the tree run with
# LD_LIBRARY_PATH=runtime.
runtime/libnnrt.so: $(RUNTIME_PIC_OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -shared -Wl,-soname,$(NNRT_SONAME) -o $@ $(RUNTIME_PIC_OBJS) -lm
	ln -sf libnnrt.so runtime/$(NNRT_SONAME)

# Rewritten only when its text changes (a new PREFIX, a new version), so
# that a second `make install` with the same PREFIX does nothing new.
# libdir and includedir are written relative to ${prefix} when they are
# under it, so that `pkg-config --define-variable=prefix=DIR` moves them.
runtime/nnrt.pc: nnrt-pc-force
	printf '%s\n' 'prefix=$(PREFIX)' 'exec_prefix=$${prefix}' \
	    'libdir=$(patsubst $(PREFIX)/%,$${prefix}/%,$(LIBDIR))' \
	    'includedir=$(patsubst $(PREFIX)/%,$${prefix}/%,$(INCLUDEDIR))' '' \
	    'Name: nnrt' \
	    'Description: Runtime library of the programs that nnc generates from .nn specs' \
	    'Version: $(NNRT_VERSION)' \
	    'Cflags: -I$${includedir}' \
	    'Libs: -L$${libdir} $(NNRT_RPATH)-lnnrt -lm' \
	    'Libs.private: -lm' > $@.tmp
	if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv -f $@.tmp $@; fi

nnrt-pc-force:

# ---- install, uninstall

install: compiler/nnc runtime/libnnrt.a runtime/libnnrt.so runtime/nnrt.pc $(MAN1) $(MAN5)
	$(INSTALL) -d "$(DESTDIR)$(BINDIR)" "$(DESTDIR)$(INCLUDEDIR)" "$(DESTDIR)$(LIBDIR)" \
	    "$(DESTDIR)$(PKGCONFIGDIR)" "$(DESTDIR)$(MANDIR)/man1" "$(DESTDIR)$(MANDIR)/man5" \
	    "$(DESTDIR)$(NNCDATADIR)"
	$(INSTALL_PROGRAM) compiler/nnc "$(DESTDIR)$(BINDIR)/nnc"
	$(INSTALL_DATA) runtime/nnrt.h "$(DESTDIR)$(INCLUDEDIR)/nnrt.h"
	$(INSTALL_DATA) runtime/libnnrt.a "$(DESTDIR)$(LIBDIR)/libnnrt.a"
	$(INSTALL_DATA) runtime/libnnrt.so "$(DESTDIR)$(LIBDIR)/libnnrt.so.$(NNRT_VERSION)"
	ln -sf libnnrt.so.$(NNRT_VERSION) "$(DESTDIR)$(LIBDIR)/$(NNRT_SONAME)"
	ln -sf $(NNRT_SONAME) "$(DESTDIR)$(LIBDIR)/libnnrt.so"
	$(INSTALL_DATA) runtime/nnrt.pc "$(DESTDIR)$(PKGCONFIGDIR)/nnrt.pc"
	$(INSTALL_DATA) $(MAN1) "$(DESTDIR)$(MANDIR)/man1"
	$(INSTALL_DATA) $(MAN5) "$(DESTDIR)$(MANDIR)/man5"
	$(INSTALL_DATA) $(DEVICE_SRCS) "$(DESTDIR)$(NNCDATADIR)"
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ]; then \
	    echo '$(LDCONFIG)'; $(LDCONFIG) || echo 'warning: $(LDCONFIG) failed: run it before using libnnrt.so' >&2; \
	fi

# Directories are left in place, others may share them; but nnc's own
# share/nnc goes when nothing else is in it.
uninstall:
	rm -f "$(DESTDIR)$(BINDIR)/nnc" \
	    "$(DESTDIR)$(INCLUDEDIR)/nnrt.h" \
	    "$(DESTDIR)$(LIBDIR)/libnnrt.a" \
	    "$(DESTDIR)$(LIBDIR)/libnnrt.so.$(NNRT_VERSION)" \
	    "$(DESTDIR)$(LIBDIR)/$(NNRT_SONAME)" \
	    "$(DESTDIR)$(LIBDIR)/libnnrt.so" \
	    "$(DESTDIR)$(PKGCONFIGDIR)/nnrt.pc" \
	    $(MAN1:doc/%="$(DESTDIR)$(MANDIR)/man1/%") \
	    $(MAN5:doc/%="$(DESTDIR)$(MANDIR)/man5/%") \
	    $(DEVICE_SRCS:runtime/%="$(DESTDIR)$(NNCDATADIR)/%")
	if [ -d "$(DESTDIR)$(NNCDATADIR)" ]; then rmdir "$(DESTDIR)$(NNCDATADIR)" 2> /dev/null || true; fi

clean: clean-shared

clean-shared:
	rm -rf runtime/pic
	rm -f runtime/libnnrt.so runtime/libnnrt.so.[0-9]* runtime/nnrt.pc runtime/nnrt.pc.tmp

-include $(RUNTIME_PIC_OBJS:.o=.d)
