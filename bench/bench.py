#!/usr/bin/python3
"""bench.py: nnc's training step against FANN, a loop nest and numpy.

For each network shape (inputs-hidden-outputs, sigmoid layers, MSE) this
  1. writes a spec into the build directory and times compiler/nnc on it;
  2. compiles the generated C with `CC -std=c99 -O2` (the default flags) and,
     beside it, `-O3 -march=native`, and the C of `nnc --precision float`
     with -O2, timing each (/usr/bin/time: wall, CPU, peak memory); every
     global symbol of the objects is renamed (objcopy, prefix o2_ / native_
     / float_) so that all link into one program;
  3. builds the harness (harness.c and harness_impls.c), which reaches
     nnc's network only through the generated bnet_train_sample (and
     bnet_train_epoch, the same steps over the data set's rows in one call,
     as the generated program trains) and struct bnet (glue.c, written here
     from the generated struct, gives offsetof() of w1.. b1.., named doubles
     or w[]/b[] arrays), the loop nest of loopnest.c (same two flag sets) and
     FANN (libdoublefann); and the harness again as harness-ff, FANN in float
     (libfloatfann) alone, as the two FANN libraries cannot share a process;
     at 2-2-1 the first harness also holds critpath.c, the tutorial's step
     cut down to its longest chains of dependent operations (its latency
     floor);
  4. checks that all agree after the same steps from the same start
     (bnet_train_epoch with bnet_train_sample to the last bit; and, at
     2-2-1, the tutorial's numpy code of tutorial_numpy.py, that the
     critical path's one step leaves w1..w4 as nnc's does, and that its
     epoch function, critpath_train_epoch, ends where its steps end);
  5. times them interleaved, round after round (each round measures every
     implementation once, rotating which goes first: in one process, then
     FANN float in the second, and at 2-2-1 the numpy code, these three in
     turn), on the thread's CPU clock;
  6. counts instructions per step with callgrind (the difference of two step
     counts, so that the setup cancels);
and prints Markdown tables (also written to BUILD/results.md).

Usage: bench.py [--quick] [--shapes 2-2-1,784-64-10] [--cc CC] [--build DIR]
                [--reps N] [--ms MS] [--no-native] [--no-callgrind]
                [--alt-nnc-flags '--unroll never'] [--alt-cflags=-DNNRT_LIBM_EXP]
                [--code-offset 0|16|32|48]
See --help for the rest.
"""
import argparse
import concurrent.futures
import os
import platform
import re
import shlex
import signal
import statistics
import subprocess
import sys
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(BENCH)

FULL_SHAPES = ["2-2-1", "8-8-1", "16-16-1", "64-32-10", "784-30-10", "784-64-10"]
QUICK_SHAPES = ["2-2-1", "8-8-1", "16-16-1", "64-32-10"]

O2_FLAGS = ["-std=c99", "-O2"]
NATIVE_FLAGS = ["-std=c99", "-O3", "-march=native"]
FLOAT_FLAGS = ["--precision", "float"]   # nnc's, for the nnc-float build

NDATA = 256          # harness.c's data set; the checks run 4 epochs of it
LEARN_RATE = 0.1

COLUMNS = [          # (harness name, table heading)
    ("nnc-O2", "nnc -O2"),
    ("nnc-epoch", "nnc -O2 train_epoch"),
    ("nnc-native", "nnc -O3 -march=native"),
    ("nnc-float", "nnc float -O2"),
    ("loop-O2", "loop nest -O2"),
    ("loop-native", "loop nest -O3 -march=native"),
    ("fann", "FANN 2.2"),
    ("fann-float", "FANN 2.2 float"),
    ("numpy", "numpy (tutorial)"),
    ("critpath", "critical path -O2"),
    ("critpath-epoch", "critical path train_epoch -O2"),
]


def log(msg):
    print("bench: " + msg, file=sys.stderr, flush=True)


def fail(msg):
    log("error: " + msg)
    sys.exit(1)


def run(cmd, **kw):
    """Runs cmd; exits with its output when it fails."""
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)
    if r.returncode != 0:
        fail("%s failed (status %d):\n%s" % (" ".join(map(shlex.quote, cmd)), r.returncode,
                                            r.stdout[-4000:]))
    return r.stdout


def timed(cmd, out_dir, tag, timeout=None):
    """Runs cmd under /usr/bin/time: returns (wall s, cpu s, peak MB), or None
    when it ran out of timeout seconds (it is then killed, with its children)."""
    tfile = os.path.join(out_dir, tag + ".time")
    full = ["/usr/bin/time", "-f", "%e %U %S %M", "-o", tfile] + cmd
    p = subprocess.Popen(full, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                         start_new_session=True)
    try:
        out, _ = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.communicate()
        return None
    if p.returncode != 0:
        fail("%s failed (status %d):\n%s" % (" ".join(map(shlex.quote, cmd)), p.returncode,
                                            out[-4000:]))
    with open(tfile) as f:
        wall, user, sys_, kb = f.read().split()[-4:]
    return float(wall), float(user) + float(sys_), int(kb) / 1024


class Shape:
    def __init__(self, text, build):
        self.name = text
        self.sizes = [int(n) for n in text.split("-")]
        if len(self.sizes) < 2 or min(self.sizes) < 1:
            fail("bad shape %r (want inputs-hidden...-outputs)" % text)
        self.nweights = sum(a * b for a, b in zip(self.sizes, self.sizes[1:]))
        self.nparams = self.nweights + sum(self.sizes[1:])
        self.dir = os.path.join(build, text)
        self.tutorial = text == "2-2-1"   # N(0, 1) start, and the numpy column
        self.results = {}

    def path(self, name):
        return os.path.join(self.dir, name)


# ---- Building ------------------------------------------------------------


def write_spec(shape):
    hidden = "".join("    hidden %d sigmoid\n" % n for n in shape.sizes[1:-1])
    spec = ("# Written by bench/bench.py: the benchmark's %s network.\n"
            "network bnet {\n"
            "    input  %d\n%s"
            "    output %d sigmoid\n"
            "    loss   mse\n"
            "    learn_rate %g\n"
            "    epochs 1\n"
            "    init   %s\n"
            "    seed   1\n"
            "}\n") % (shape.name, shape.sizes[0], hidden, shape.sizes[-1], LEARN_RATE,
                      "normal" if shape.tutorial else "xavier")
    with open(shape.path("bnet.nn"), "w") as f:
        f.write(spec)


def run_nnc(shape, args):
    os.makedirs(shape.dir, exist_ok=True)
    write_spec(shape)
    for old in ("bnet.c", "bnet-alt.c", "bnet-float.c", "nnc-O2.o", "nnc-native.o", "nnc-alt.o",
                "nnc-float.o", "harness"):
        if os.path.exists(shape.path(old)):
            os.remove(shape.path(old))
    runs = [("", []), ("-float", FLOAT_FLAGS)]
    runs += [("-alt", args.alt_nnc_flags)] if args.alt else []
    for suffix, flags in runs:
        c_file = shape.path("bnet%s.c" % suffix)
        wall, cpu, mb = timed([args.nnc] + flags + [shape.path("bnet.nn"), "-o", c_file],
                              shape.dir, "nnc" + suffix)
        with open(c_file, "rb") as f:
            text = f.read()
        shape.results["nnc" + suffix] = (wall, mb)
        shape.results["c_lines" + suffix] = text.count(b"\n")
        shape.results["c_bytes" + suffix] = len(text)


def compile_variant(shape, args, variant):
    """cc the generated C into nnc-VARIANT.o, timed; rename its global symbols."""
    flags = NATIVE_FLAGS if variant == "native" else O2_FLAGS
    flags = flags + args.alt_cflags if variant == "alt" else flags
    prefix = variant.lower() + "_"
    obj = shape.path("nnc-%s.o" % variant)
    src = shape.path("bnet-%s.c" % variant if variant in ("alt", "float") else "bnet.c")
    cmd = args.cc + flags + ["-DNNC_NO_MAIN", "-I", os.path.join(TOP, "runtime"),
                             "-c", src, "-o", obj]
    t0 = time.time()
    shape.results["cc-" + variant] = timed(cmd, shape.dir, "cc-" + variant,
                                           max(1.0, args.cc_deadline - time.time()))
    if shape.results["cc-" + variant] is None:
        shape.results["gave-up-" + variant] = time.time() - t0
        log("%s: gave up on cc %s after %.0f s" % (shape.name, " ".join(flags), time.time() - t0))
        return
    # The size of NAME_train_sample's machine code.
    for line in run(["nm", "-S", "--defined-only", obj]).splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[3] == "bnet_train_sample":
            shape.results["code-" + variant] = int(parts[1], 16)
    syms = []
    for line in run(["nm", "-g", "--defined-only", obj]).splitlines():
        parts = line.split()
        if len(parts) == 3:
            syms.append("%s %s%s\n" % (parts[2], prefix, parts[2]))
    with open(obj + ".syms", "w") as f:
        f.writelines(syms)
    run(["objcopy", "--redefine-syms=" + obj + ".syms", obj])


def glue_struct(shape, c_file, tag, prefix, real="double"):
    """struct bnet of c_file, renamed struct TAG, and the C of each parameter's offset.

    nnc writes the parameters either as named doubles (double w1, w2, ...;
    the unrolled form) or as arrays where w[k] is w<k+1> and b[k] is b<k+1>
    (the compact form of big layers); either way wK and bK are found here."""
    with open(c_file) as f:
        text = f.read()
    m = re.search(r"^struct bnet \{.*?^\};", text, re.S | re.M)
    if not m:
        fail("%s: no 'struct bnet { ... };' in the generated C" % c_file)
    struct = m.group(0).replace("struct bnet {", "struct %s {" % tag, 1)
    arrays = {name for name in ("w", "b") if re.search(r"\b%s\s*\[" % name, struct)}
    shape.results["form" + ("-" + prefix[:-1] if prefix else "")] = "loops" if arrays else "unrolled"

    def where(name, k):   # parameter name<k> (k from 1)
        if name in arrays:
            return "offsetof(struct %s, %s) + %d * sizeof(%s)" % (tag, name, k - 1, real)
        return "offsetof(struct %s, %s%d)" % (tag, name, k)

    nneurons = shape.nparams - shape.nweights
    out = [struct, "",
           "const size_t bench_%sstruct_size = sizeof(struct %s);" % (prefix, tag),
           "const size_t bench_%sparam_offset[%d] = {" % (prefix, shape.nparams)]
    out += ["    %s," % where("w", k) for k in range(1, shape.nweights + 1)]
    out += ["    %s," % where("b", k) for k in range(1, nneurons + 1)]
    out += ["};", ""]
    return "\n".join(out)


def write_glue(shape, alt, flt):
    """glue.c: the shape, and where each parameter lives in the generated struct(s)."""
    with open(shape.path("glue.c"), "w") as f:
        f.write("/* Written by bench/bench.py from the generated bnet.c. */\n"
                "#include <stddef.h>\n#include \"nnrt.h\"\n\n")
        f.write("const int bench_nlayers = %d;\n" % (len(shape.sizes) - 1))
        f.write("const int bench_size[] = {%s};\n\n" % ", ".join(map(str, shape.sizes)))
        f.write(glue_struct(shape, shape.path("bnet.c"), "bnet", ""))
        if alt:
            f.write(glue_struct(shape, shape.path("bnet-alt.c"), "bnet_alt", "alt_"))
        if flt:
            f.write(glue_struct(shape, shape.path("bnet-float.c"), "bnet_float", "float_",
                                "float"))


def pad_object(shape, args):
    """pad.o: .text of 64 + N bytes from a 64-byte boundary.  Linked just before
    each timed object, it starts that object's code at N mod 64 bytes (objects
    are 16-byte aligned).  Without it the placement, and so the speed, of the
    same machine code changes with whatever else the harness links (at
    784-30-10 the -O2 step measured 13 or 20 us by its address mod 64)."""
    with open(shape.path("pad.s"), "w") as f:
        f.write("\t.text\n\t.p2align 6\nbench_pad:\n\t.skip %d, 0xcc\n"
                "\t.section .note.GNU-stack,\"\",@progbits\n" % (64 + args.code_offset))
    run(args.cc + ["-c", shape.path("pad.s"), "-o", shape.path("pad.o")])
    return shape.path("pad.o")


def link_harness(shape, args):
    d, cc, rt = shape.dir, args.cc, os.path.join(TOP, "runtime")
    pad = pad_object(shape, args)
    objs, defs = [], []
    variants = [("O2", O2_FLAGS)] + ([("native", NATIVE_FLAGS)] if args.native else [])
    for variant, flags in variants:
        o = shape.path("loop-%s.o" % variant)
        run(cc + flags + ["-DLN_TRAIN=ln_train_sample_" + variant.lower(),
                          "-I", BENCH, "-c", os.path.join(BENCH, "loopnest.c"), "-o", o])
        objs += [pad, o]
        if shape.results.get("cc-" + variant):
            objs += [pad, shape.path("nnc-%s.o" % variant)]
        else:
            defs.append("-DBENCH_NNC_%s=0" % variant.upper())
    if not args.native:
        defs += ["-DBENCH_NNC_NATIVE=0", "-DBENCH_LOOP_NATIVE=0"]
    if shape.tutorial:
        o = shape.path("critpath.o")
        run(cc + O2_FLAGS + ["-I", BENCH, "-I", rt, "-c", os.path.join(BENCH, "critpath.c"),
                             "-o", o])
        objs += [pad, o]
        defs.append("-DBENCH_CRITPATH=1")
    alt = bool(shape.results.get("cc-alt"))
    if alt:
        objs += [pad, shape.path("nnc-alt.o")]
        defs.append("-DBENCH_NNC_ALT=1")
    flt = bool(shape.results.get("cc-float"))
    if flt:
        objs += [pad, shape.path("nnc-float.o")]
    else:
        defs.append("-DBENCH_NNC_FLOAT=0")
    write_glue(shape, alt, flt)
    run(cc + O2_FLAGS + ["-I", rt, "-c", shape.path("glue.c"), "-o", shape.path("glue.o")])
    harness = compile_harness(shape, args, defs + ["-I", rt], "harness")
    # The pad object is linked several times: ld takes each copy (an object
    # named on the command line is always linked), and its symbol is local.
    run(cc + ["-o", shape.path("harness")] + harness + [shape.path("glue.o")] + objs +
        [os.path.join(rt, "libnnrt.a"), "-ldoublefann", "-lm"])
    # The second harness: FANN in single precision (libfloatfann) alone.
    harness = compile_harness(shape, args, ["-DBENCH_FANN_FLOAT=1"], "harness-ff")
    run(cc + ["-o", shape.path("harness-ff")] + harness + [shape.path("glue.o"),
              os.path.join(rt, "libnnrt.a"), "-lfloatfann", "-lm"])


def compile_harness(shape, args, flags, name):
    """Compiles the harness's files (harness.c, harness_impls.c) with flags into
    NAME.o and NAME_impls.o; returns their paths."""
    objs = []
    for src, obj in (("harness.c", name + ".o"), ("harness_impls.c", name + "_impls.o")):
        run(args.cc + O2_FLAGS + ["-Wall", "-Wextra"] + flags + ["-I", BENCH, "-c",
                                  os.path.join(BENCH, src), "-o", shape.path(obj)])
        objs.append(shape.path(obj))
    return objs


def harness_cmd(shape, *rest, exe="harness"):
    return [shape.path(exe)] + (["--normal"] if shape.tutorial else []) + list(rest)


# ---- Checking ------------------------------------------------------------


def read_params(path):
    params, data = {}, []
    with open(path) as f:
        for line in f:
            parts = line.split()
            if parts[0] == "data":
                data.append([float(v) for v in parts[1:]])
            else:
                params[parts[0]] = float(parts[1])
    return params, data


def check(shape):
    out = run(harness_cmd(shape, "check", shape.dir))
    res = dict(line.split(None, 1) for line in out.splitlines())
    shape.results["check"] = res
    if res.get("check") != "ok":
        fail("%s: the implementations disagree:\n%s" % (shape.name, out))
    os.makedirs(shape.path("ff"), exist_ok=True)
    out = run(harness_cmd(shape, "check", shape.path("ff"), exe="harness-ff"))
    ff = dict(line.split(None, 1) for line in out.splitlines())
    if ff.get("check") != "ok":
        fail("%s: FANN in float does not do its arithmetic:\n%s" % (shape.name, out))
    res.update((k, v) for k, v in ff.items() if k.startswith("fann-float"))
    if shape.tutorial:
        import numpy as np
        sys.path.insert(0, BENCH)
        import tutorial_numpy
        start, data = read_params(shape.path("start.txt"))
        end, _ = read_params(shape.path("ref_end.txt"))
        net = tutorial_numpy.OurNeuralNetwork(start)
        rows = np.array(data)
        net.train(rows[:, :2], rows[:, 2], int(res["steps"]) // NDATA)
        d = max(abs(v - end[k]) for k, v in net.params().items())
        res["numpy_vs_ref"] = "%.3g" % d
        if not d <= 1e-11:
            fail("2-2-1: the tutorial's numpy code and %s differ by %g" % (res["reference"], d))


# ---- Timing --------------------------------------------------------------


def time_shape(shape, args):
    """Times the implementations of both harnesses (and numpy at 2-2-1), round by
    round; each round runs every harness process (and numpy) once, rotating
    which goes first."""
    samples, jobs, procs = {}, [], []
    for exe in ("harness", "harness-ff"):
        p = subprocess.Popen(harness_cmd(shape, "serve", str(args.ms), args.clock, exe=exe),
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        procs.append(p)
        ready = p.stdout.readline().split()
        if not ready or ready[0] != "ready":
            fail("%s: %s did not start" % (shape.name, exe))
        samples.update((name, []) for name in ready[1::2])

        def harness_round(p=p, exe=exe):
            p.stdin.write("round\n")
            p.stdin.flush()
            line = p.stdout.readline().split()
            if not line or line[0] != "round":
                fail("%s: %s stopped" % (shape.name, exe))
            for name, ns in zip(line[1::2], line[2::2]):
                samples[name].append(float(ns))
        jobs.append(harness_round)

    if shape.tutorial and args.numpy:
        import numpy as np
        sys.path.insert(0, BENCH)
        import tutorial_numpy
        start, data = read_params(shape.path("start.txt"))
        rows = np.array(data)
        xs, ys = rows[:, :2], rows[:, 2]
        net = tutorial_numpy.OurNeuralNetwork(start)
        clock = time.thread_time_ns if args.clock == "cpu" else time.perf_counter_ns
        t0 = clock()
        net.train(xs, ys, 1)
        epoch_s = (clock() - t0) / 1e9
        epochs = max(1, round(args.ms / 1000 / epoch_s))
        samples["numpy"] = []

        def numpy_round():
            t0 = clock()
            net.train(xs, ys, epochs)
            samples["numpy"].append((clock() - t0) / (epochs * len(xs)))
        jobs.append(numpy_round)

    for r in range(args.reps):
        k = r % len(jobs)
        for job in jobs[k:] + jobs[:k]:
            job()
    for p in procs:
        p.stdin.write("quit\n")
        p.stdin.close()
        p.wait()
    shape.results["samples"] = samples


# ---- Callgrind -----------------------------------------------------------


def callgrind(shape, args):
    impls = [i for i in ("nnc-O2", "nnc-float", "nnc-alt") if shape.results.get("cc-" + i[4:])]
    if shape.results.get("cc-O2"):
        impls.insert(1, "nnc-epoch")
    impls.append("loop-O2")
    if shape.tutorial:
        impls += ["critpath", "critpath-epoch"]
    if shape.nparams <= args.callgrind_fann_max:
        impls += ["fann", "fann-float"]
    n1 = max(50, min(10000, 2000000 // shape.nparams))
    n2 = 2 * n1
    res = {}
    for impl in impls:
        totals = []
        for n in (n1, n2):
            out = shape.path("callgrind.%s.%d" % (impl, n))
            run(["valgrind", "--tool=callgrind", "--cache-sim=yes", "--callgrind-out-file=" + out]
                + harness_cmd(shape, "steps", impl, str(n),
                              exe="harness-ff" if impl == "fann-float" else "harness"))
            events = summary = None
            with open(out) as f:
                for line in f:
                    if line.startswith("desc: ") and "cache:" in line:
                        args.cache_desc[line.split()[1]] = line.split(":", 2)[2].strip()
                    elif line.startswith("events:"):
                        events = line.split()[1:]
                    elif line.startswith("summary:") or line.startswith("totals:"):
                        summary = [int(v) for v in line.split()[1:]]
            totals.append(dict(zip(events, summary)))
        res[impl] = {k: (totals[1][k] - totals[0][k]) / (n2 - n1) for k in totals[0]}
        res[impl]["steps"] = (n1, n2)
    shape.results["callgrind"] = res


# ---- Tables --------------------------------------------------------------


def fmt_ns(v):
    if v is None:
        return "-"
    if v >= 1000:
        return "{:,.0f}".format(v)
    if v >= 100:
        return "%.0f" % v
    return "%.1f" % v


def fmt_ratio(v):
    if v is None:
        return "-"
    return "%.2f" % v if v < 10 else "%.1f" % v if v < 100 else "%.0f" % v


def fmt_count(v):
    v = max(v, 0.0)   # a difference of two runs: noise can make 0 a tiny negative
    if v >= 10000:
        return "{:,.0f}".format(v)
    return "%.1f" % v if v < 100 else "%.0f" % v


def fmt_mb(v):
    return "%.0f" % v if v >= 10 else "%.1f" % v


def fmt_bytes(n):
    if n >= 1 << 20:
        return "%.1f MiB" % (n / (1 << 20))
    if n >= 1 << 10:
        return "%.0f KiB" % (n / (1 << 10))
    return "%d B" % n


def table(head, rows):
    out = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(out)


def round_ratio(samples, num, den):
    """The median over rounds of num's time / den's time in the same round."""
    a, b = samples.get(num), samples.get(den)
    if not a or not b:
        return None
    return statistics.median(x / y for x, y in zip(a, b))


def report(shapes, args, header):
    out = [header]
    columns = list(COLUMNS)
    alt = " ".join(["nnc"] + args.alt_nnc_flags + ["-O2"] + args.alt_cflags)
    if args.alt:
        columns.insert(2, ("nnc-alt", alt))
    present = [c for c in columns if any(c[0] in s.results["samples"] for s in shapes)]
    label = dict(present)

    out.append("### ns per training step: median (min–max) of %d rounds\n" % args.reps)
    rows = []
    for s in shapes:
        row = [s.name, "{:,}".format(s.nparams), s.results.get("form", "?")]
        for key, _ in present:
            v = s.results["samples"].get(key)
            row.append("%s (%s–%s)" % (fmt_ns(statistics.median(v)), fmt_ns(min(v)), fmt_ns(max(v)))
                       if v else "-")
        rows.append(row)
    out.append(table(["shape", "params", "nnc's form"] + [h for _, h in present], rows))

    out.append("\n### Ratios of times (median over rounds of the per-round ratio)\n")
    out.append("A / B > 1 means B is faster: FANN / X > 1 means X is faster than FANN; "
               "loop nest / nnc > 1 means nnc is faster than the loop nest.\n")
    pairs = [("fann", k) for k, _ in present if k not in ("fann", "numpy")]
    pairs += [("numpy", "nnc-O2"), ("numpy", "nnc-epoch"), ("numpy", "critpath"),
              ("numpy", "critpath-epoch"), ("nnc-O2", "critpath"),
              ("nnc-epoch", "critpath-epoch"), ("nnc-O2", "nnc-epoch")]
    pairs += [("loop-O2", "nnc-O2"), ("loop-native", "nnc-native"), ("nnc-O2", "nnc-native"),
              ("nnc-O2", "nnc-float"), ("fann-float", "nnc-float"), ("nnc-alt", "nnc-O2")]
    pairs = [(a, b) for a, b in pairs if a in label and b in label]
    rows = [[s.name] + [fmt_ratio(round_ratio(s.results["samples"], a, b)) for a, b in pairs]
            for s in shapes]
    out.append(table(["shape"] + ["%s / %s" % (label[a], label[b]) for a, b in pairs], rows))
    out.append("\nFANN always clips the activation in the sigmoid's derivative to [0.01, 0.99] "
               "(and takes its learning rate as a float), so it does not do exactly the same "
               "arithmetic; the check below measures how far that takes it.")
    if "critpath" in label:
        out.append("\nThe critical path (2-2-1 only) is the tutorial's step with everything "
                   "removed but its longest chains of dependent operations, from one step's "
                   "parameters to the next's: the three sigmoids and the updates of w1 to w4. "
                   "nnc -O2 / critical path near 1 means that the rest of nnc's step costs "
                   "nothing beside those chains; X / critical path is about the most by "
                   "which any step doing the tutorial's arithmetic, with nnrt's sigmoid (its "
                   "own exp), could be faster than X in that round.  The critical path "
                   "train_epoch takes those chains over the rows in one call with the "
                   "parameters in registers, as nnc's train_epoch does: the floor of the "
                   "tutorial's arithmetic when no call comes between one step and the next.")

    out.append("\n### Correctness before timing: max |parameter difference| after the same "
               "steps from the same start\n")
    cols = [("loop-O2_vs_nnc-O2", "loop nest vs nnc -O2"),
            ("nnc-epoch_vs_nnc-O2", "train_epoch vs train_sample"),
            ("nnc-native_vs_nnc-O2", "nnc native vs -O2"),
            ("nnc-alt_vs_nnc-O2", "%s vs nnc" % alt),
            ("nnc-float_vs_nnc-O2", "nnc float vs double"),
            ("loop-native_vs_loop-O2", "loop nest native vs -O2"),
            ("fann_vs_nnc-O2", "FANN vs nnc"),
            ("fann_vs_loop-O2", "FANN vs loop nest"),
            ("fann_vs_fann-arithmetic", "FANN vs FANN's arithmetic in C"),
            ("fann-float_vs_fann-arithmetic", "FANN float vs FANN's arithmetic in C"),
            ("fann_clipped", "derivatives clipped by FANN"),
            ("numpy_vs_ref", "numpy vs nnc"),
            ("critpath_vs_nnc-O2", "critical path vs nnc, one step"),
            ("critpath-epoch_vs_critpath", "critical path train_epoch vs its step")]
    cols = [c for c in cols if any(c[0] in s.results["check"] for s in shapes)]
    rows = [[s.name, s.results["check"]["steps"], s.results["check"]["max_abs_param"]] +
            [s.results["check"].get(k, "-") for k, _ in cols] for s in shapes]
    out.append(table(["shape", "steps", "max abs param"] + [h for _, h in cols], rows))

    out.append("\n### Cost of the generated C: nnc, then `%s -c` compiling it; "
               "the size of NAME_train_sample's machine code\n" % " ".join(args.cc + O2_FLAGS))
    head = ["shape", "params", "nnc flags", "form", "C lines", "C size", "nnc s", "nnc peak MB",
            "cc -O2 wall s", "CPU s", "peak MB", "train_sample"]
    if args.native:
        head += ["cc -O3 -march=native wall s", "CPU s", "peak MB", "train_sample"]
    rows = []
    for s in shapes:
        r = s.results
        builds = [("", "(default)", ["O2"] + (["native"] if args.native else [])),
                  ("-float", " ".join(FLOAT_FLAGS), ["float"])]
        builds += [("-alt", " ".join(args.alt_nnc_flags) or "(default)", ["alt"])] if args.alt else []
        for suffix, flags, variants in builds:
            row = [s.name, "{:,}".format(s.nparams), flags,
                   r.get("form" + suffix, "?"), "{:,}".format(r["c_lines" + suffix]),
                   fmt_bytes(r["c_bytes" + suffix]), "%.2f" % r["nnc" + suffix][0],
                   fmt_mb(r["nnc" + suffix][1])]
            for variant in variants:
                if r.get("cc-" + variant):
                    w, c, m = r["cc-" + variant]
                    row += ["%.1f" % w, "%.1f" % c, fmt_mb(m), fmt_bytes(r.get("code-" + variant, 0))]
                else:
                    row += ["gave up after %.0f" % r.get("gave-up-" + variant, 0), "-", "-", "-"]
            if len(row) < len(head):
                row += ["-"] * (len(head) - len(row))
            rows.append(row)
    out.append(table(head, rows))

    cg = [s for s in shapes if "callgrind" in s.results]
    if cg:
        out.append("\n### callgrind: per training step (difference of two step counts), "
                   "-O2 builds\n")
        out.append("Simulated caches: %s.\n" % "; ".join(
            "%s %s" % kv for kv in sorted(args.cache_desc.items())))
        rows = []
        for s in cg:
            for impl, v in s.results["callgrind"].items():
                rows.append([s.name, label.get(impl, impl), "%d/%d" % v["steps"],
                             fmt_count(v["Ir"]), "%.2f" % (v["Ir"] / s.nparams),
                             fmt_count(v.get("I1mr", 0)), fmt_count(v.get("ILmr", 0)),
                             fmt_count(v.get("Dr", 0) + v.get("Dw", 0)),
                             fmt_count(v.get("D1mr", 0) + v.get("D1mw", 0))])
        out.append(table(["shape", "implementation", "steps", "instructions", "instr / param",
                          "I1 misses", "LL instr misses", "data refs", "D1 misses"], rows))
    return "\n".join(out) + "\n"


def environment(args):
    info = {}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if ":" in line:
                    k, v = line.split(":", 1)
                    info.setdefault(k.strip(), v.strip())
    except OSError:
        pass
    cpu = "%s (family %s, model %s)" % (info.get("model name", "?"), info.get("cpu family", "?"),
                                         info.get("model", "?"))
    ccv = subprocess.run(args.cc + ["--version"], stdout=subprocess.PIPE, text=True).stdout
    fann = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "libfann-dev"],
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout
    try:
        import numpy
        numpy_version = numpy.__version__
    except ImportError:
        numpy_version = "(none)"
    return ("## nnc benchmark\n\n"
            "%s; %d CPUs; load average at start %.2f; %s; FANN %s (Debian libdoublefann, and libfloatfann for FANN float); "
            "numpy %s, Python %s.  Data: %d random samples (x ~ U(-1, 1)), looped over; "
            "learning rate %g; %d rounds of about %g ms per implementation, interleaved, "
            "on the %s clock; the timed objects' code starts %d bytes past a 64-byte "
            "boundary.\n"
            % (cpu, os.cpu_count() or 0, os.getloadavg()[0], ccv.splitlines()[0] if ccv else "?",
               fann or "?", numpy_version, platform.python_version(), NDATA, LEARN_RATE,
               args.reps, args.ms,
               "thread's CPU" if args.clock == "cpu" else "wall (monotonic)", args.code_offset))


def main():
    global TOP
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="small shapes, few short rounds")
    ap.add_argument("--shapes", help="comma-separated, e.g. 2-2-1,784-64-10")
    ap.add_argument("--cc", default=os.environ.get("CC") or "cc")
    ap.add_argument("--build", default=os.path.join(BENCH, "build"))
    ap.add_argument("--top", default=TOP, help="the nnc tree (compiler/nnc, runtime/)")
    ap.add_argument("--reps", type=int)
    ap.add_argument("--ms", type=float, help="milliseconds per measurement")
    ap.add_argument("--code-offset", type=int, default=0, choices=[0, 16, 32, 48],
                    help="start the timed objects' code this many bytes past a 64-byte "
                         "boundary (default 0), to see how much placement matters")
    ap.add_argument("--clock", choices=["cpu", "wall"], default="cpu",
                    help="time on the thread's CPU clock (default: robust to a loaded "
                         "machine) or on the wall clock")
    ap.add_argument("--jobs", type=int, default=2, help="compiles at once")
    ap.add_argument("--cc-budget", type=float, default=420,
                    help="seconds from the first compile of the generated C after which the "
                         "compiles still running are given up (their columns show '-'); "
                         "they run smallest network first")
    ap.add_argument("--native", dest="native", action="store_true", default=None,
                    help="also build with -O3 -march=native (the default but for --quick)")
    ap.add_argument("--no-native", dest="native", action="store_false")
    ap.add_argument("--alt-nnc-flags", default="",
                    help="also time nnc run with these flags (e.g. '--unroll never'), "
                         "built -O2: the nnc-alt column")
    ap.add_argument("--alt-cflags", default="",
                    help="also time nnc's C built -O2 with these flags added (e.g. "
                         "-DNNRT_LIBM_EXP); with --alt-nnc-flags, the C of those: the nnc-alt column")
    ap.add_argument("--no-callgrind", dest="callgrind", action="store_false")
    ap.add_argument("--no-numpy", dest="numpy", action="store_false")
    ap.add_argument("--callgrind-fann-max", type=int, default=5000,
                    help="skip FANN under callgrind above this many parameters "
                         "(fann_set_weight_array is quadratic)")
    args = ap.parse_args()
    args.cc = shlex.split(args.cc)
    args.alt_nnc_flags = shlex.split(args.alt_nnc_flags)
    args.alt_cflags = shlex.split(args.alt_cflags)
    args.alt = bool(args.alt_nnc_flags or args.alt_cflags)
    args.cache_desc = {}
    TOP = os.path.abspath(args.top)
    args.nnc = os.path.join(TOP, "compiler", "nnc")
    if args.native is None:
        args.native = not args.quick
    if args.reps is None:
        args.reps = 5 if args.quick else 21
    if args.ms is None:
        args.ms = 5 if args.quick else 50
    names = args.shapes.split(",") if args.shapes else QUICK_SHAPES if args.quick else FULL_SHAPES
    shapes = [Shape(n, os.path.abspath(args.build)) for n in names]
    t_start = time.time()
    header = environment(args)

    for s in shapes:
        log("%s: nnc" % s.name)
        run_nnc(s, args)
    tasks = [(s, v) for s in shapes for v in ["O2", "float"] + (["native"] if args.native else [])]
    tasks += [(s, "alt") for s in shapes] if args.alt else []
    tasks.sort(key=lambda t: t[0].nparams)
    log("compiling %d objects, %d at a time" % (len(tasks), args.jobs))
    args.cc_deadline = time.time() + args.cc_budget
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for f in [pool.submit(compile_variant, s, args, v) for s, v in tasks]:
            f.result()
    for s in shapes:
        link_harness(s, args)
        log("%s: checking" % s.name)
        check(s)
    for s in shapes:
        log("%s: timing" % s.name)
        time_shape(s, args)
    if args.callgrind:
        for s in shapes:
            if args.quick and not s.tutorial:
                continue
            log("%s: callgrind" % s.name)
            callgrind(s, args)

    text = report(shapes, args, header)
    text += "\n(bench.py took %.0f s.)\n" % (time.time() - t_start)
    with open(os.path.join(args.build, "results.md"), "w") as f:
        f.write(text)
    print(text)


if __name__ == "__main__":
    main()
