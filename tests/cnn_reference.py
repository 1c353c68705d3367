#!/usr/bin/python3
"""tests/cnn_reference.py: an independent numpy model of nnc's convolutional networks.

A network of convolution and pooling layers followed by dense layers, trained
by per-sample SGD (one update per sample, in data order), written from the
definitions of issue 19's contract and not from nnc's generated code:

  conv N KHxKW ACT stride S padding P
      N filters, each KH x KW over all the input channels, moved S positions
      at a time in both directions over the input with P zeros added on every
      side; output (H + 2P - KH) // S + 1 rows by (W + 2P - KW) // S + 1
      columns by N channels, then the activation.
  pool max|avg KHxKW stride SH SW
      per channel, windows moved SH rows and SW columns at a time (by default
      the window's own size), output (H - KH) // SH + 1 by (W - KW) // SW + 1.
      max passes the gradient to the position that won, of equal values the
      first in row-major order (as PyTorch); avg shares it equally.
  dense N ACT
      the map flattened (row by row, column by column, channel by channel).

Everything is channels-last: a map is an array [row, column, channel] and a
data row lists an image in that order.  Parameters use nnc's names: weights
w1, w2, ... layer by layer, a conv layer's filter by filter, within a filter
kernel row by kernel row, column by column, input channel by channel (an
array W[n, kh, kw, c] flattened row-major), a dense layer's neuron by neuron,
input by input; then biases b1, b2, ..., one per filter or neuron, in layer
order.

The backward pass is written per layer from the forward pass's definition:
every position a weight was used at adds its share, every activation is
differentiated by its Jacobian (softmax by its full Jacobian), every loss by
its own formula (mse and binary_cross_entropy are means over the outputs,
cross_entropy is -sum y log p), nothing fused.

Usage (run with /usr/bin/python3, which has numpy):

  cnn_reference.py --input HxWxC --layers LAYER[,LAYER...] --loss LOSS
                   --data FILE.csv --load PARAMS [--epochs E] [--learn-rate X]
                   [--normalize] [--save FILE] [--grad-before FILE] [--grad FILE]
                   [--eval FILE] [--selfcheck]

  --layers     conv:N:KHxKW:ACT[:sS][:pP], pool:max|avg:KHxKW[:sS|:sSHxSW],
               dense:N:ACT; the last one is the output layer (dense), e.g.
               conv:8:3x3:relu,pool:max:2x2,dense:10:softmax
  --data       CSV rows of H*W*C inputs then the targets (K values, or one class
               index when the output is softmax); '#' lines and a header skipped
  --load       the starting parameters, an nnc parameter file (`name value`
               lines, '#' comments, other names such as epoch ignored); with
               --normalize also mean_x<i> and std_x<i>, applied to the inputs
  --save       the parameters after training, in the same format (%.17g)
  --grad-before, --grad
               `d_L_d_<param> VALUE` lines: the mean gradient over the data at
               the loaded parameters, and after training
  --eval       `loss: VALUE`, the mean loss over the data after training
  --selfcheck  check the backward pass against central differences of the
               loss at the loaded parameters; exit 3 if they disagree (skipped,
               with a message, where a relu kink or a max pool's tie is within
               reach of the differences)

  cnn_reference.py --batch FILE
               each line of FILE (the options above, shell-quoted) in turn, in
               one process; a line's `--report PATH` receives that run's exit
               status (first line) and messages
  cnn_reference.py --self-test
               the selfcheck on a set of built-in random networks; exit 0 if
               every one agrees with its finite differences

Exit status: 0, 2 on a usage or file error, 3 when a selfcheck fails.
"""
import argparse
import contextlib
import io
import math
import shlex
import sys

import numpy as np

ACTS = ("sigmoid", "tanh", "relu", "leaky_relu", "linear", "softmax")
LOSSES = ("mse", "binary_cross_entropy", "cross_entropy")


class UsageError(Exception):
    pass


def die(msg):
    raise UsageError(msg)


# ---- Activations: value, and the Jacobian d a / d z (elementwise ones as a vector)


def activate(act, z):
    if act == "sigmoid":
        return 1.0 / (1.0 + np.exp(-z))
    if act == "tanh":
        return np.tanh(z)
    if act == "relu":
        return np.where(z > 0, z, 0.0)
    if act == "leaky_relu":
        return np.where(z >= 0, z, 0.01 * z)
    if act == "linear":
        return z.copy()
    if act == "softmax":
        e = np.exp(z - np.max(z))
        return e / np.sum(e)
    die("unknown activation %r" % act)


def derivative(act, z, a):
    """d a / d z elementwise (not for softmax)."""
    if act == "sigmoid":
        return a * (1.0 - a)
    if act == "tanh":
        return 1.0 - a * a
    if act == "relu":
        return np.where(z > 0, 1.0, 0.0)
    if act == "leaky_relu":
        return np.where(z > 0, 1.0, 0.01)
    if act == "linear":
        return np.ones_like(z)
    die("no elementwise derivative for %r" % act)


def backward_act(act, z, a, g):
    """d L / d z from d L / d a."""
    if act == "softmax":
        return (np.diag(a) - np.outer(a, a)).T @ g
    return derivative(act, z, a) * g


# ---- Losses: value, and the gradient d L / d p --------------------------------


def loss_value(loss, y, p):
    k = len(y)
    if loss == "mse":
        return float(np.sum((y - p) ** 2) / k)
    if loss == "binary_cross_entropy":
        return float(-np.sum(y * np.log(p) + (1.0 - y) * np.log(1.0 - p)) / k)
    return float(-np.sum(y * np.log(p)))


def loss_grad(loss, y, p):
    k = len(y)
    if loss == "mse":
        return -2.0 * (y - p) / k
    if loss == "binary_cross_entropy":
        return -(y / p - (1.0 - y) / (1.0 - p)) / k
    return -y / p


# ---- Layers: each maps an array to an array and knows its own backward pass ----


class Conv:
    def __init__(self, shape, n, kh, kw, act, stride, pad):
        h, w, c = shape
        if stride < 1 or pad < 0 or pad >= min(kh, kw):
            die("conv: bad stride %d or padding %d" % (stride, pad))
        if kh > h + 2 * pad or kw > w + 2 * pad:
            die("conv: a %dx%d kernel is larger than its padded %dx%d input" %
                (kh, kw, h + 2 * pad, w + 2 * pad))
        if act == "softmax":
            die("conv: softmax is for the output layer only")
        self.n, self.kh, self.kw, self.act, self.s, self.p = n, kh, kw, act, stride, pad
        self.inshape = shape
        self.shape = ((h + 2 * pad - kh) // stride + 1, (w + 2 * pad - kw) // stride + 1, n)
        self.W = np.zeros((n, kh, kw, c))
        self.b = np.zeros(n)

    def patches(self, x):
        """The padded input, and the (row, column) where each output's patch starts."""
        p = self.p
        xp = np.pad(x, ((p, p), (p, p), (0, 0)))
        ho, wo, _ = self.shape
        return xp, [(i, j, i * self.s, j * self.s) for i in range(ho) for j in range(wo)]

    def forward(self, x):
        xp, where = self.patches(x)
        z = np.zeros(self.shape)
        filters = self.W.reshape(self.n, -1)  # a filter's weights as one row
        for i, j, r, c in where:
            patch = xp[r:r + self.kh, c:c + self.kw, :]
            z[i, j, :] = filters @ patch.ravel() + self.b
        a = activate(self.act, z)
        return a, (x, z, a)

    def backward(self, cache, g):
        x, z, a = cache
        dz = backward_act(self.act, z, a, g)
        xp, where = self.patches(x)
        dW = np.zeros_like(self.W)
        db = np.zeros_like(self.b)
        dxp = np.zeros_like(xp)
        for i, j, r, c in where:
            patch = xp[r:r + self.kh, c:c + self.kw, :]
            d = dz[i, j, :]
            # each weight's partial: the sum over the positions it was used at
            dW += d[:, None, None, None] * patch[None, :, :, :]
            db += d
            # each input's: the sum over the filters and positions that read it
            dxp[r:r + self.kh, c:c + self.kw, :] += np.tensordot(d, self.W, axes=1)
        h, w, _ = self.inshape
        return dxp[self.p:self.p + h, self.p:self.p + w, :], dW, db

    def near_kink(self, cache):
        _, z, _ = cache
        return self.act in ("relu", "leaky_relu") and np.any(np.abs(z) < 1e-4)


class Pool:
    def __init__(self, shape, kind, kh, kw, sh, sw):
        h, w, c = shape
        if kh > h or kw > w or sh < 1 or sw < 1:
            die("pool: a %dx%d window (stride %dx%d) does not fit a %dx%d map" %
                (kh, kw, sh, sw, h, w))
        self.kind, self.kh, self.kw, self.sh, self.sw = kind, kh, kw, sh, sw
        self.inshape = shape
        self.shape = ((h - kh) // sh + 1, (w - kw) // sw + 1, c)
        self.W = self.b = self.act = None

    def windows(self):
        ho, wo, _ = self.shape
        return [(i, j, i * self.sh, j * self.sw) for i in range(ho) for j in range(wo)]

    def winner(self, win):
        """(row, column) in the window of its largest value: the first in
        row-major order of equal ones."""
        best = None
        for r in range(self.kh):
            for c in range(self.kw):
                if best is None or win[r, c] > win[best]:
                    best = (r, c)
        return best

    def forward(self, x):
        y = np.zeros(self.shape)
        for i, j, r, c in self.windows():
            for ch in range(self.shape[2]):
                win = x[r:r + self.kh, c:c + self.kw, ch]
                y[i, j, ch] = win[self.winner(win)] if self.kind == "max" else np.mean(win)
        return y, x

    def backward(self, x, g):
        dx = np.zeros(self.inshape)
        for i, j, r, c in self.windows():
            for ch in range(self.shape[2]):
                win = x[r:r + self.kh, c:c + self.kw, ch]
                if self.kind == "max":
                    wr, wc = self.winner(win)
                    dx[r + wr, c + wc, ch] += g[i, j, ch]
                else:
                    dx[r:r + self.kh, c:c + self.kw, ch] += g[i, j, ch] / (self.kh * self.kw)
        return dx, None, None

    def near_kink(self, x):
        """A window whose two largest values are within reach of the differences."""
        if self.kind != "max":
            return False
        for _, _, r, c in self.windows():
            for ch in range(self.shape[2]):
                v = np.sort(x[r:r + self.kh, c:c + self.kw, ch].ravel())
                if len(v) > 1 and v[-1] - v[-2] < 1e-4:
                    return True
        return False


class Dense:
    def __init__(self, shape, n, act):
        self.inshape = shape
        self.n, self.act = n, act
        self.shape = (n,)
        self.W = np.zeros((n, int(np.prod(shape))))
        self.b = np.zeros(n)

    def forward(self, x):
        v = x.ravel()  # row-major over [row, column, channel]: channels-last
        z = self.W @ v + self.b
        a = activate(self.act, z)
        return a, (v, z, a)

    def backward(self, cache, g):
        v, z, a = cache
        dz = backward_act(self.act, z, a, g)
        return (self.W.T @ dz).reshape(self.inshape), np.outer(dz, v), dz

    def near_kink(self, cache):
        _, z, _ = cache
        return self.act in ("relu", "leaky_relu") and np.any(np.abs(z) < 1e-4)


# ---- The network ------------------------------------------------------------


def parse_size(text, what):
    parts = text.split("x")
    if len(parts) != 2 or not all(p.isdigit() and int(p) > 0 for p in parts):
        die("bad %s %r (expected AxB)" % (what, text))
    return int(parts[0]), int(parts[1])


def parse_shape(text):
    parts = text.split("x")
    if len(parts) == 2:
        parts.append("1")
    if len(parts) != 3 or not all(p.isdigit() and int(p) > 0 for p in parts):
        die("bad input shape %r (expected HxW or HxWxC)" % text)
    return tuple(int(p) for p in parts)


def build_layer(shape, spec):
    f = spec.split(":")
    if f[0] == "conv" and len(f) >= 4 and f[1].isdigit() and f[3] in ACTS:
        kh, kw = parse_size(f[2], "kernel")
        s, p = 1, 0
        for opt in f[4:]:
            if opt[:1] == "s" and opt[1:].isdigit():
                s = int(opt[1:])
            elif opt[:1] == "p" and opt[1:].isdigit():
                p = int(opt[1:])
            else:
                die("bad conv option %r" % opt)
        return Conv(shape, int(f[1]), kh, kw, f[3], s, p)
    if f[0] == "pool" and len(f) in (3, 4) and f[1] in ("max", "avg"):
        kh, kw = parse_size(f[2], "window")
        sh, sw = kh, kw
        if len(f) == 4:
            st = f[3][1:]
            if f[3][:1] != "s":
                die("bad pool option %r" % f[3])
            sh, sw = parse_size(st, "stride") if "x" in st else (int(st), int(st))
        return Pool(shape, f[1], kh, kw, sh, sw)
    if f[0] == "dense" and len(f) == 3 and f[1].isdigit() and f[2] in ACTS:
        return Dense(shape, int(f[1]), f[2])
    die("bad layer %r" % spec)


class Net:
    def __init__(self, shape, layer_specs, loss):
        self.shape = shape
        self.loss = loss
        self.layers = []
        for spec in layer_specs:
            layer = build_layer(shape, spec)
            if self.layers and isinstance(self.layers[-1], Dense) and not isinstance(layer, Dense):
                die("conv and pool layers come before the dense ones")
            self.layers.append(layer)
            shape = layer.shape
        if not self.layers or not isinstance(self.layers[-1], Dense):
            die("the last layer must be dense (the output layer)")
        if any(l.act == "softmax" for l in self.layers[:-1]):
            die("softmax is for the output layer only")
        self.params = [l for l in self.layers if l.W is not None]

    def names(self):
        nw = sum(l.W.size for l in self.params)
        nb = sum(l.b.size for l in self.params)
        return ["w%d" % (i + 1) for i in range(nw)] + ["b%d" % (i + 1) for i in range(nb)]

    def flat(self):
        return np.concatenate([l.W.ravel() for l in self.params] + [l.b for l in self.params])

    def set_flat(self, v):
        i = 0
        for l in self.params:
            l.W[...] = v[i:i + l.W.size].reshape(l.W.shape)
            i += l.W.size
        for l in self.params:
            l.b[...] = v[i:i + l.b.size]
            i += l.b.size
        assert i == len(v)

    def forward(self, x):
        a = x.reshape(self.shape)
        caches = []
        for l in self.layers:
            a, cache = l.forward(a)
            caches.append(cache)
        return a, caches

    def sample_loss(self, x, y):
        p, _ = self.forward(x)
        return loss_value(self.loss, y, p)

    def grads(self, x, y):
        """The partials of one sample's loss, as (dW, db) per parameterised layer."""
        p, caches = self.forward(x)
        g = loss_grad(self.loss, y, p)
        out = {}
        for l, cache in zip(reversed(self.layers), reversed(caches)):
            g, dW, db = l.backward(cache, g)
            if dW is not None:
                out[id(l)] = (dW, db)
        return [out[id(l)] for l in self.params]

    def flat_grad(self, x, y):
        gs = self.grads(x, y)
        return np.concatenate([dW.ravel() for dW, _ in gs] + [db for _, db in gs])

    def mean_grad(self, X, Y):
        return sum(self.flat_grad(x, y) for x, y in zip(X, Y)) / len(X)

    def mean_loss(self, X, Y):
        return sum(self.sample_loss(x, y) for x, y in zip(X, Y)) / len(X)

    def train(self, X, Y, epochs, rate):
        for _ in range(epochs):
            for x, y in zip(X, Y):
                for l, (dW, db) in zip(self.params, self.grads(x, y)):
                    l.W -= rate * dW
                    l.b -= rate * db

    def near_kink(self, X):
        for x in X:
            _, caches = self.forward(x)
            if any(l.near_kink(c) for l, c in zip(self.layers, caches)):
                return True
        return False


def selfcheck(net, X, Y):
    """The backward pass against central differences; the worst relative error."""
    p0 = net.flat()
    analytic = net.mean_grad(X, Y)
    worst = 0.0
    # At most about 40 parameters, spread over all the layers, to keep it quick.
    for i in range(0, len(p0), max(1, len(p0) // 40)):
        h = 1e-6 * max(1.0, abs(p0[i]))
        p = p0.copy()
        p[i] = p0[i] + h
        net.set_flat(p)
        up = net.mean_loss(X, Y)
        p[i] = p0[i] - h
        net.set_flat(p)
        down = net.mean_loss(X, Y)
        numeric = (up - down) / (2 * h)
        err = abs(analytic[i] - numeric) / max(abs(analytic[i]) + abs(numeric), 1e-3)
        worst = max(worst, err)
    net.set_flat(p0)
    return worst


# ---- Files ------------------------------------------------------------------


def read_params(path):
    values = {}
    try:
        with open(path) as f:
            for n, line in enumerate(f, 1):
                line = line.split("#", 1)[0].strip()
                if not line:
                    continue
                fields = line.split()
                if len(fields) != 2:
                    die("%s:%d: expected 'name value'" % (path, n))
                if fields[0] in values:
                    die("%s:%d: %s appears twice" % (path, n, fields[0]))
                values[fields[0]] = float(fields[1])
    except OSError as e:
        die("%s: %s" % (path, e.strerror))
    return values


def read_csv(path):
    rows = []
    try:
        with open(path) as f:
            for line in f:
                line = line.strip()
                if not line or line.startswith("#"):
                    continue
                try:
                    rows.append([float(v) for v in line.split(",")])
                except ValueError:
                    if rows:
                        die("%s: not a number in %r" % (path, line))
    except OSError as e:
        die("%s: %s" % (path, e.strerror))
    return rows


def fmt(v):
    return "%.17g" % v


def write_lines(path, lines):
    with open(path, "w") as f:
        f.write("".join(line + "\n" for line in lines))


def write_params(path, net, norm):
    lines = ["# parameters (cnn_reference.py)"]
    lines += ["%s %s" % (n, fmt(v)) for n, v in zip(net.names(), net.flat())]
    if norm is not None:
        lines += ["mean_x%d %s" % (i + 1, fmt(m)) for i, m in enumerate(norm[0])]
        lines += ["std_x%d %s" % (i + 1, fmt(s)) for i, s in enumerate(norm[1])]
    write_lines(path, lines)


def write_grad(path, net, grad):
    write_lines(path, ["d_L_d_%s %s" % (n, repr(float(g))) for n, g in zip(net.names(), grad)])


def read_data(path, net):
    ni = int(np.prod(net.shape))
    out = net.layers[-1]
    k = out.n
    X, Y = [], []
    for r in read_csv(path):
        if len(r) == ni + k:
            y = np.array(r[ni:])
        elif len(r) == ni + 1 and out.act == "softmax":
            c = r[ni]
            if c != int(c) or not 0 <= c < k:
                die("bad class index %r" % c)
            y = np.zeros(k)
            y[int(c)] = 1.0
        else:
            die("a row of %d values, expected %d" % (len(r), ni + k))
        X.append(np.array(r[:ni]))
        Y.append(y)
    if not X:
        die("no data")
    return X, Y


# ---- Main -------------------------------------------------------------------


def run(argv):
    ap = argparse.ArgumentParser(description="Reference per-sample SGD for nnc's CNNs.")
    ap.add_argument("--input", required=True)
    ap.add_argument("--layers", required=True)
    ap.add_argument("--loss", choices=LOSSES, required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--load", required=True)
    ap.add_argument("--epochs", type=int, default=0)
    ap.add_argument("--learn-rate", type=float, default=0.1)
    ap.add_argument("--normalize", action="store_true")
    ap.add_argument("--save")
    ap.add_argument("--grad-before")
    ap.add_argument("--grad")
    ap.add_argument("--eval")
    ap.add_argument("--selfcheck", action="store_true")
    a = ap.parse_args(argv)

    net = Net(parse_shape(a.input), a.layers.split(","), a.loss)
    X, Y = read_data(a.data, net)
    values = read_params(a.load)
    missing = [n for n in net.names() if n not in values]
    if missing:
        die("%s lacks %s" % (a.load, ", ".join(missing[:5])))
    net.set_flat(np.array([values[n] for n in net.names()]))
    norm = None
    if a.normalize:
        ni = len(X[0])
        try:
            mean = np.array([values["mean_x%d" % (i + 1)] for i in range(ni)])
            std = np.array([values["std_x%d" % (i + 1)] for i in range(ni)])
        except KeyError as e:
            die("%s lacks %s" % (a.load, e.args[0]))
        norm = (mean, std)
        X = [(x - mean) / std for x in X]

    status = 0
    if a.selfcheck and net.near_kink(X):
        sys.stderr.write("cnn_reference.py: selfcheck skipped: a relu kink or a max tie\n")
    elif a.selfcheck:
        worst = selfcheck(net, X, Y)
        if not worst <= 1e-6:
            sys.stderr.write("cnn_reference.py: selfcheck: backprop and finite differences "
                             "differ by %.3g\n" % worst)
            status = 3
    if a.grad_before:
        write_grad(a.grad_before, net, net.mean_grad(X, Y))
    net.train(X, Y, a.epochs, a.learn_rate)
    if a.save:
        write_params(a.save, net, norm)
    if a.grad:
        write_grad(a.grad, net, net.mean_grad(X, Y))
    if a.eval:
        loss = net.mean_loss(X, Y)
        write_lines(a.eval, ["loss: %s" % repr(loss) if math.isfinite(loss) else "loss: nan"])
    return status


def run_reporting(argv):
    try:
        return run(argv)
    except UsageError as e:
        sys.stderr.write("cnn_reference.py: error: %s\n" % e)
        return 2


def batch(path):
    status = 0
    with open(path) as f:
        jobs = [line for line in f if line.strip() and not line.lstrip().startswith("#")]
    for line in jobs:
        argv = shlex.split(line)
        report = None
        if "--report" in argv:
            i = argv.index("--report")
            report = argv[i + 1]
            del argv[i:i + 2]
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            try:
                st = run_reporting(argv)
            except SystemExit as e:
                st = e.code if isinstance(e.code, int) else 2
            except Exception as e:  # a bug here must not hide the other runs
                sys.stderr.write("cnn_reference.py: %s: %s\n" % (type(e).__name__, e))
                st = 2
        if report:
            with open(report, "w") as r:
                r.write("%d\n%s" % (st, err.getvalue()))
        else:
            sys.stderr.write(err.getvalue())
        status = status or st
    return status


# ---- Self-test ----------------------------------------------------------------


def hand_checks():
    """Values worked out by hand from the contract's definitions; a list of failures."""
    bad = []
    # input 2x3x2 whose row is 1..12 (pixel by pixel, channel by channel), one
    # 2x2 filter with w1..w8 = 1..8 (kernel row, column, channel), bias 0.5:
    # at (0,0) 1*1+2*2+3*3+4*4+5*7+6*8+7*9+8*10 = 256, at (0,1) each input is
    # 2 more, so 256 + 2*36 = 328.  A dense neuron over them with w9, w10 =
    # 1, -1 and bias 0: 256.5 - 328.5 = -72.
    net = Net((2, 3, 2), ["conv:1:2x2:linear", "dense:1:linear"], "mse")
    net.set_flat(np.array([1, 2, 3, 4, 5, 6, 7, 8, 1, -1, 0.5, 0.0]))
    _, caches = net.forward(np.arange(1.0, 13.0))
    if list(caches[0][1].ravel()) != [256.5, 328.5]:
        bad.append("conv sums %r, expected [256.5, 328.5]" % list(caches[0][1].ravel()))
    if net.forward(np.arange(1.0, 13.0))[0][0] != -72.0:
        bad.append("dense over the conv map: expected -72")
    # Max pool 2x2 over a 2x4 map [[1, 3, 5, 5], [3, 2, 5, 4]]: the first
    # window's 3s tie, the first in row-major order (row 0, column 1) wins;
    # the second's three 5s, row 0 column 2.  A dense neuron of weights 1, 1
    # over them: the gradient of its output goes to those positions only.
    pool = Pool((2, 4, 1), "max", 2, 2, 2, 2)
    x = np.array([[1, 3, 5, 5], [3, 2, 5, 4]], dtype=float).reshape(2, 4, 1)
    y, cache = pool.forward(x)
    dx, _, _ = pool.backward(cache, np.ones((1, 2, 1)))
    want = np.array([[0, 1, 1, 0], [0, 0, 0, 0]], dtype=float).reshape(2, 4, 1)
    if list(y.ravel()) != [3.0, 5.0] or not np.array_equal(dx, want):
        bad.append("max pool ties: %r, %r" % (list(y.ravel()), list(dx.ravel())))
    # Avg pool 1x2 stride 1 over 1x3 [1, 2, 4]: 1.5, 3; the gradient of their
    # sum: 0.5, 1, 0.5.
    pool = Pool((1, 3, 1), "avg", 1, 2, 1, 1)
    y, cache = pool.forward(np.array([1.0, 2.0, 4.0]).reshape(1, 3, 1))
    dx, _, _ = pool.backward(cache, np.ones((1, 2, 1)))
    if list(y.ravel()) != [1.5, 3.0] or list(dx.ravel()) != [0.5, 1.0, 0.5]:
        bad.append("avg pool: %r, %r" % (list(y.ravel()), list(dx.ravel())))
    # Padding 1 and stride 2 on a 3x3 input of ones with a 2x2 filter of ones:
    # the padded input is 5x5, outputs at rows and columns 0 and 2: the
    # corners see one input, the others... (0,0): 1, (0,1): 2, (1,0): 2, (1,1): 4.
    conv = Conv((3, 3, 1), 1, 2, 2, "linear", 2, 1)
    conv.W[...] = 1.0
    z = conv.forward(np.ones((3, 3, 1)))[1][1]
    if list(z.ravel()) != [1.0, 2.0, 2.0, 4.0]:
        bad.append("padding 1, stride 2: %r, expected [1, 2, 2, 4]" % list(z.ravel()))
    return bad


def random_net(rng):
    """A random small network, data and parameters, within the contract's rules."""
    while True:
        h, w, c = rng.integers(3, 8), rng.integers(3, 8), rng.integers(1, 4)
        if rng.random() < 0.25:
            h = 1
        shape, layers = (h, w, c), []
        cur = shape
        try:
            for _ in range(rng.integers(1, 4)):
                if rng.random() < 0.6:
                    kh = 1 if cur[0] == 1 else int(rng.integers(1, min(cur[0], 3) + 1))
                    kw = int(rng.integers(1, min(cur[1], 4) + 1))
                    p = int(rng.integers(0, min(kh, kw)))
                    layer = "conv:%d:%dx%d:%s:s%d:p%d" % (rng.integers(1, 4), kh, kw,
                                                          rng.choice(ACTS[:5]), rng.integers(1, 3), p)
                else:
                    kh = 1 if cur[0] == 1 else int(rng.integers(1, min(cur[0], 2) + 1))
                    kw = int(rng.integers(1, min(cur[1], 3) + 1))
                    layer = "pool:%s:%dx%d" % (rng.choice(["max", "avg"]), kh, kw)
                    if rng.random() < 0.3:
                        layer += ":s1"
                cur = build_layer(cur, layer).shape
                layers.append(layer)
        except UsageError:
            continue
        if rng.random() < 0.5:
            layers.append("dense:%d:%s" % (rng.integers(1, 4), rng.choice(ACTS[:5])))
        loss, out = [("mse", "tanh"), ("mse", "linear"), ("mse", "sigmoid"), ("mse", "softmax"),
                     ("binary_cross_entropy", "sigmoid"), ("cross_entropy", "softmax"),
                     ("mse", "leaky_relu")][rng.integers(0, 7)]
        k = int(rng.integers(2 if out == "softmax" else 1, 4))
        layers.append("dense:%d:%s" % (k, out))
        net = Net(shape, layers, loss)
        n = int(np.prod(shape))
        X = [rng.normal(size=n) for _ in range(3)]
        if out == "softmax":
            Y = [np.eye(k)[rng.integers(0, k)] for _ in X]
        elif loss == "binary_cross_entropy":
            Y = [rng.integers(0, 2, size=k).astype(float) for _ in X]
        else:
            Y = [rng.uniform(-0.5, 0.5, size=k) for _ in X]
        net.set_flat(rng.normal(size=len(net.names())) * 0.5)
        return net, X, Y, "%dx%dx%d %s %s" % (h, w, c, ",".join(layers), loss)


def self_test(count=60):
    """The hand checks, then backprop against finite differences on random
    networks; exit status 0 when all agree."""
    bad = hand_checks()
    for msg in bad:
        print("not ok: hand check: %s" % msg)
    rng = np.random.default_rng(4545)
    checked = 0
    for _ in range(count):
        net, X, Y, desc = random_net(rng)
        if net.near_kink(X):
            continue
        worst = selfcheck(net, X, Y)
        checked += 1
        if not worst <= 1e-6:
            bad.append(desc)
            print("not ok: %s: backprop and finite differences differ by %.3g" % (desc, worst))
    print("%d hand checks, %d random networks against finite differences: %s" %
          (4, checked, "FAILED" if bad else "ok"))
    return 1 if bad or checked < count // 2 else 0


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--batch":
        return batch(sys.argv[2])
    if len(sys.argv) == 2 and sys.argv[1] == "--self-test":
        return self_test()
    return run_reporting(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
