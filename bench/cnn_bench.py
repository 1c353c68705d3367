#!/usr/bin/python3
"""bench/cnn_bench.py: the digits CNN's training step, nnc against PyTorch and a loop nest.

Times one training step of specs/digits_cnn.nn's network (conv, max pool,
dense softmax, cross-entropy, SGD, float64) per sample in three ways, and
at batch 32 in two, in one run of interleaved rounds:

  nnc        nnc's generated train_sample (one sample a step), and its
             backprop over 32 samples then one update (batch 32)
  loop nest  cnn_loopnest.c, the same step as textbook C loops
  PyTorch    the same network in float64 on the CPU, one thread
             (torch.set_num_threads(1)), one sample a step (zero_grad,
             forward, cross_entropy, backward, SGD step) and 32 a step

Before timing, all start from the same parameters and train on the same 64
samples (one a step, or 32, each against PyTorch at the same batch); their
parameters must then agree to 1e-9 relative.  Each round
measures every contender once (the C ones in cnn_harness, PyTorch here, on
the thread's CPU clock); the ratios are taken within each round, and the
median and range over the rounds are reported.  Then callgrind counts the
C steps' instructions per sample: the difference of the counts of two
runs, of N1 and N2 samples, over N2 - N1 (--no-callgrind: not).

When nnc cannot compile the spec (a --spec of a statement it lacks), the nnc
side is left out with a message (and the exit status is 0): PyTorch and the
loop nest are still timed.

  cnn_bench.py [--spec FILE] [--cc CC] [--build DIR] [--rounds N] [--ms MS] [--quick]
               [--no-callgrind]
"""
import argparse
import math
import os
import re
import statistics
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
CHECK_STEPS = 64
LEARN_RATE = 0.01  # the harness's (cnn_harness.c)


def die(msg):
    sys.stderr.write("cnn_bench.py: error: %s\n" % msg)
    sys.exit(2)


def parse_spec(path):
    """The sizes of the network of the spec: input, one conv, one max pool, softmax output."""
    text = re.sub(r"#.*", "", open(path).read())
    net = {}
    m = re.search(r"\binput\s+(\d+)x(\d+)(?:x(\d+))?", text)
    c = re.search(r"\bconv\s+(\d+)\s+(\d+)x(\d+)\s+(\w+)((?:\s+(?:stride|padding)\s+\d+)*)", text)
    p = re.search(r"\bpool\s+max\s+(\d+)x(\d+)(\s+stride)?", text)
    o = re.search(r"\boutput\s+(\d+)\s+softmax", text)
    if not (m and c and p and o) or p.group(3) or re.search(r"\bhidden\b", text) or \
            len(re.findall(r"\b(conv|pool)\b", text)) != 2 or "stride" in c.group(5) or \
            c.group(4) not in ("tanh", "relu"):
        die("%s: the loop nest covers input, conv N KxK tanh|relu [padding P], pool max "
            "KxK, output N softmax only" % path)
    pad = re.search(r"padding\s+(\d+)", c.group(5))
    net = dict(IN_H=int(m.group(1)), IN_W=int(m.group(2)), IN_C=int(m.group(3) or 1),
               NF=int(c.group(1)), KH=int(c.group(2)), KW=int(c.group(3)),
               PAD=int(pad.group(1)) if pad else 0, PH=int(p.group(1)), PW=int(p.group(2)),
               NOUT=int(o.group(1)))
    net["act"] = c.group(4)
    return net


def load_digits(net):
    """The spec's training rows (specs/data/digits_train.csv), z-scored, one-hot."""
    path = os.path.join(TOP, "specs", "data", "digits_train.csv")
    a = np.loadtxt(path, delimiter=",", skiprows=1)
    nin = net["IN_H"] * net["IN_W"] * net["IN_C"]
    x = a[:, :nin]
    std = x.std(axis=0)
    x = (x - x.mean(axis=0)) / np.where(std > 0, std, 1.0)
    y = np.eye(net["NOUT"])[a[:, nin].astype(int)]
    return x, y


def start_params(net):
    """He's weights (as nnc's `init he`) and zero biases, in nnc's order."""
    rng = np.random.default_rng(1)
    fan_conv = net["KH"] * net["KW"] * net["IN_C"]
    oh = net["IN_H"] + 2 * net["PAD"] - net["KH"] + 1
    ow = net["IN_W"] + 2 * net["PAD"] - net["KW"] + 1
    flat = (oh // net["PH"]) * (ow // net["PW"]) * net["NF"]
    cw = rng.normal(size=net["NF"] * fan_conv) * math.sqrt(2 / fan_conv)
    dw = rng.normal(size=net["NOUT"] * flat) * math.sqrt(2 / flat)
    return np.concatenate([cw, dw, np.zeros(net["NF"] + net["NOUT"])]), flat


# ---- PyTorch --------------------------------------------------------------------


def torch_net(net, params, flat):
    import torch
    n, kh, kw, c = net["NF"], net["KH"], net["KW"], net["IN_C"]
    conv = torch.nn.Conv2d(c, n, (kh, kw), padding=net["PAD"]).double()
    dense = torch.nn.Linear(flat, net["NOUT"]).double()
    i = n * kh * kw * c
    j = i + net["NOUT"] * flat
    with torch.no_grad():
        # nnc's filters are [n, kh, kw, c]; PyTorch's [n, c, kh, kw]
        conv.weight.copy_(torch.tensor(params[:i].reshape(n, kh, kw, c).transpose(0, 3, 1, 2)))
        dense.weight.copy_(torch.tensor(params[i:j].reshape(net["NOUT"], flat)))
        conv.bias.copy_(torch.tensor(params[j:j + n]))
        dense.bias.copy_(torch.tensor(params[j + n:]))
    act = torch.nn.Tanh() if net["act"] == "tanh" else torch.nn.ReLU()
    pool = torch.nn.MaxPool2d((net["PH"], net["PW"]))

    class ChannelsLast(torch.nn.Module):
        def forward(self, x):  # flatten as nnc does: row, column, channel
            return x.permute(0, 2, 3, 1).flatten(1)

    model = torch.nn.Sequential(conv, act, pool, ChannelsLast(), dense)
    return model, torch.optim.SGD(model.parameters(), lr=LEARN_RATE), [conv, dense]


def torch_flat(layers):
    conv, dense = layers
    w = conv.weight.detach().numpy().transpose(0, 2, 3, 1).ravel()
    return np.concatenate([w, dense.weight.detach().numpy().ravel(),
                           conv.bias.detach().numpy(), dense.bias.detach().numpy()])


class TorchStep:
    """PyTorch's training step over the rows in turn, `batch` rows a step."""

    def __init__(self, net, params, flat, x, y, batch):
        import torch
        self.torch = torch
        self.model, self.opt, self.layers = torch_net(net, params, flat)
        shape = (-1, net["IN_H"], net["IN_W"], net["IN_C"])
        xs = torch.tensor(x).reshape(shape).permute(0, 3, 1, 2).contiguous()
        ys = torch.tensor(y.argmax(axis=1))
        self.batches = [(xs[i:i + batch], ys[i:i + batch])
                        for i in range(0, len(xs) - batch + 1, batch)]
        self.batch, self.next = batch, 0

    def run(self, samples):
        F = self.torch.nn.functional
        for _ in range(samples // self.batch):
            xb, yb = self.batches[self.next]
            self.next = (self.next + 1) % len(self.batches)
            self.opt.zero_grad()
            F.cross_entropy(self.model(xb), yb).backward()
            self.opt.step()

    def timed(self, samples):
        t0 = time.thread_time()
        self.run(samples)
        return (time.thread_time() - t0) * 1e9 / samples


# ---- Building and checking --------------------------------------------------


def build(a, net, d):
    """The harness, with nnc's step when nnc compiles the spec; (path, has nnc)."""
    defs = ["-D%s=%d" % (k, v) for k, v in net.items() if k != "act"]
    if net["act"] == "relu":
        defs.append("-DCNN_RELU")
    cflags = ["-std=c99", "-O2", "-Wall", "-Wextra", "-Wpedantic"]
    gen = os.path.join(d, "digits_cnn.c")
    nnc = subprocess.run([os.path.join(TOP, "compiler", "nnc"), a.spec, "-o", gen],
                         capture_output=True, text=True)
    srcs = [os.path.join(HERE, "cnn_harness.c"), os.path.join(HERE, "cnn_loopnest.c")]
    has_nnc = nnc.returncode == 0
    if has_nnc:
        defs += ["-DBENCH_NNC", "-DNNC_NO_MAIN"]
        srcs += [gen, os.path.join(TOP, "runtime", "libnnrt.a")]
    else:
        first = (nnc.stderr.strip().splitlines() or ["(no message)"])[0]
        print("nnc cannot compile %s (%s): timing PyTorch and the loop nest only.\n" %
              (os.path.relpath(a.spec, TOP), first))
    exe = os.path.join(d, "cnn_harness")
    cmd = a.cc.split() + cflags + defs + ["-I" + HERE, "-I" + os.path.join(TOP, "runtime"),
                                         "-o", exe] + srcs + ["-lm"]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0 or r.stderr:
        die("building the harness:\n%s%s" % (" ".join(cmd) + "\n", r.stderr))
    return exe, has_nnc


def check(exe, has_nnc, net, params, flat, x, y, d):
    """The same CHECK_STEPS samples everywhere, one a step or 32: the parameters must agree."""
    subprocess.run([exe, "check", os.path.join(d, "data.txt"), os.path.join(d, "start.txt"),
                    str(CHECK_STEPS), d], check=True)
    refs = {}
    for batch in (1, 32):
        t = TorchStep(net, params, flat, x[:CHECK_STEPS], y[:CHECK_STEPS], batch)
        t.run(CHECK_STEPS)
        refs[batch] = torch_flat(t.layers)
    worst = 0.0
    for name, batch in [("loop", 1)] + ([("nnc", 1), ("nnc-b32", 32)] if has_nnc else []):
        got, ref = np.loadtxt(os.path.join(d, "%s_end.txt" % name)), refs[batch]
        diff = np.max(np.abs(got - ref) / np.maximum(np.abs(ref), 1e-12))
        moved = np.max(np.abs(got - params))
        print("check: %d samples: %s against PyTorch%s, largest relative difference %.2g "
              "(parameters moved up to %.2g)" % (CHECK_STEPS, name, " at batch 32" if batch > 1
                                                 else "", diff, moved))
        worst = max(worst, diff)
    if not worst <= 1e-9:
        die("the implementations disagree: nothing timed")


def callgrind(exe, has_nnc, d, n1=320, n2=640):
    """Instructions per sample of each C step, by callgrind: {name: count}."""
    counts = {}
    for name in ["loop"] + (["nnc", "nnc-b32"] if has_nnc else []):
        total = []
        for n in (n1, n2):
            out = os.path.join(d, "callgrind.%s.%d" % (name, n))
            subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out, exe,
                            "steps", os.path.join(d, "data.txt"), os.path.join(d, "start.txt"),
                            name, str(n)], check=True, capture_output=True)
            with open(out) as f:
                total += [int(line.split()[1]) for line in f
                          if line.startswith(("summary:", "totals:"))][:1]
        counts[name] = (total[1] - total[0]) / (n2 - n1)
    return counts


def fmt(v):
    return "%.3g" % v if v < 100 else "{:,.0f}".format(v)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = os.path.join(TOP, "specs", "digits_cnn.nn")
    if not os.path.exists(default):
        default = os.path.join(TOP, "specs", "digits_cnn.nn")
    ap.add_argument("--spec", default=default)
    ap.add_argument("--cc", default=os.environ.get("CC", "cc"))
    ap.add_argument("--build", default=os.path.join(HERE, "build-cnn"))
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--ms", type=float, default=200, help="milliseconds a measurement")
    ap.add_argument("--quick", action="store_true", help="3 short rounds")
    ap.add_argument("--no-callgrind", dest="callgrind", action="store_false")
    a = ap.parse_args()
    if a.quick:
        a.rounds, a.ms = 3, 30
    try:
        import torch
    except ImportError:
        print("cnn_bench.py: no PyTorch (Debian: apt-get install python3-torch): nothing timed")
        return 0
    torch.set_num_threads(1)
    d = os.path.abspath(a.build)
    os.makedirs(d, exist_ok=True)

    net = parse_spec(a.spec)
    x, y = load_digits(net)
    params, flat = start_params(net)
    np.savetxt(os.path.join(d, "data.txt"), np.hstack([x, y]), fmt="%.17g")
    np.savetxt(os.path.join(d, "start.txt"), params, fmt="%.17g")
    exe, has_nnc = build(a, net, d)
    check(exe, has_nnc, net, params, flat, x, y, d)

    # PyTorch's steps are calibrated to about a.ms each, as the harness's are.
    t1 = TorchStep(net, params, flat, x, y, 1)
    t32 = TorchStep(net, params, flat, x, y, 32)
    n1, n32 = 32, 32
    while t1.timed(n1) * n1 < a.ms * 1e6 / 4:
        n1 *= 2
    while t32.timed(n32) * n32 < a.ms * 1e6 / 4:
        n32 *= 2
    n1, n32 = n1 * 4, n32 * 4
    harness = subprocess.Popen([exe, "serve", os.path.join(d, "data.txt"),
                                os.path.join(d, "start.txt"), str(a.ms)],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    if harness.stdout.readline().strip() != "ready":
        die("the harness did not start")
    rounds = []
    for r in range(a.rounds):
        m = {}
        for what in (["c", "t1", "t32"] * 2)[r % 3:r % 3 + 3]:  # rotate who goes first
            if what == "c":
                harness.stdin.write("round\n")
                harness.stdin.flush()
                f = harness.stdout.readline().split()
                m.update((f[i], float(f[i + 1])) for i in range(0, len(f), 2))
            elif what == "t1":
                m["torch"] = t1.timed(n1)
            else:
                m["torch-b32"] = t32.timed(n32)
        rounds.append(m)
    harness.stdin.close()
    harness.wait()
    counts = {}
    if a.callgrind:
        if subprocess.run(["sh", "-c", "command -v valgrind"], capture_output=True).returncode:
            print("no valgrind: no instruction counts")
        else:
            counts = callgrind(exe, has_nnc, d)
    report(rounds, counts, has_nnc, net, len(params), a, d)
    return 0


def report(rounds, counts, has_nnc, net, nparams, a, d):
    def med(f):
        v = [f(m) for m in rounds]
        return "%s (%s-%s)" % (fmt(statistics.median(v)), fmt(min(v)), fmt(max(v)))

    lines = ["digits CNN (%s): conv %d %dx%d %s%s, pool max %dx%d, output %d softmax; "
             "%d parameters; %d rounds, ns per sample (median, range)" % (
                 os.path.relpath(a.spec, TOP), net["NF"], net["KH"], net["KW"], net["act"],
                 " padding %d" % net["PAD"] if net["PAD"] else "", net["PH"], net["PW"],
                 net["NOUT"], nparams, len(rounds)), ""]
    rows = [("PyTorch, 1 sample a step", lambda m: m["torch"]),
            ("loop nest, 1 sample a step", lambda m: m["loop"]),
            ("PyTorch, batch 32", lambda m: m["torch-b32"])]
    ratios = [("PyTorch / loop nest, per sample", lambda m: m["torch"] / m["loop"])]
    if has_nnc:
        rows[2:2] = [("nnc, 1 sample a step", lambda m: m["nnc"])]
        rows.append(("nnc, batch 32", lambda m: m["nnc-b32"]))
        ratios = [("PyTorch / nnc, per sample (goal >= 10)", lambda m: m["torch"] / m["nnc"]),
                  ("loop nest / nnc, per sample (goal >= 1)", lambda m: m["loop"] / m["nnc"]),
                  ("PyTorch / nnc, batch 32 (goal >= 2)",
                   lambda m: m["torch-b32"] / m["nnc-b32"])] + ratios
    lines += ["| step | ns per sample |", "|---|---|"]
    lines += ["| %s | %s |" % (name, med(f)) for name, f in rows]
    lines += ["", "| ratio, within each round | median (range) |", "|---|---|"]
    lines += ["| %s | %s |" % (name, med(f)) for name, f in ratios]
    if counts:
        lines += ["", "| callgrind | instructions per sample |", "|---|---|"]
        lines += ["| %s | %s |" % (k, fmt(v)) for k, v in counts.items()]
        if "nnc" in counts:
            lines += ["| loop nest / nnc, per sample | %.2f |" % (counts["loop"] / counts["nnc"])]
    if not has_nnc:
        lines += ["", "(nnc's side: nnc could not compile the spec, so it was not timed)"]
    text = "\n".join(lines) + "\n"
    print(text, end="")
    with open(os.path.join(d, "results.md"), "w") as f:
        f.write(text)


if __name__ == "__main__":
    sys.exit(main())
