#!/usr/bin/python3
"""tests/reference.py: an independent numpy model of what nnc's programs compute.

A fully connected feed-forward network, trained by per-sample SGD (one
update per sample, the samples in data order), written from the textbook
definitions and not from nnc's generated code: the forward pass and the
backward pass are matrix products, every activation is differentiated by
its Jacobian (softmax by its full Jacobian diag(p) - p p^T), and every loss
by its own formula (nothing fused, no "p - y" shortcuts).

Parameters use nnc's names and order: weights w1, w2, ... layer by layer
(first hidden layer first), neuron by neuron, input by input; then biases
b1, b2, ... one per neuron in the same order.  So layer l has a weight
matrix W[l] of shape (size_l, fan_in_l) whose row-major flattening is its
run of w's, and a bias vector of size_l.

Usage (run with /usr/bin/python3, which has numpy):

  reference.py --inputs N --layers SIZE:ACT[,SIZE:ACT...] --loss LOSS
               --data FILE.csv --load PARAMS [--epochs E] [--learn-rate X]
               [--normalize] [--save FILE] [--grad-before FILE] [--grad FILE]
               [--eval FILE] [--norm-out FILE] [--selfcheck]

  --layers        the hidden layers and last the output layer, e.g. 3:tanh,2:softmax
  --data          CSV rows of N inputs then the targets (K values, or one class
                  index when the output is softmax); '#' lines and a header are skipped
  --load          the starting parameters, an nnc parameter file (`name value`
                  lines, '#' comments); with --normalize it must also hold
                  mean_x<i> and std_x<i>, which are applied to the inputs
  --save          the parameters after training, in the same format (%.17g)
  --grad-before   `d_L_d_<param> VALUE` lines: the mean gradient over the data
                  at the loaded parameters
  --grad          the same after training
  --eval          `loss: VALUE`, the mean loss over the data after training
  --norm-out      the population mean and standard deviation of each input
                  over the data, as mean_x<i>/std_x<i> lines (std 1 if 0)
  --selfcheck     check this script's own backpropagation against central
                  differences of its own loss at the loaded parameters; exit 3
                  if they disagree (skipped, with a message, when a relu or
                  leaky_relu sum of some sample is within 1e-4 of its kink)

  reference.py --batch FILE
                  runs each line of FILE (the options above, shell-quoted) in
                  turn, in one process; a line's `--report PATH` option receives
                  that run's exit status (first line) and messages

Exit status: 0, 2 on a usage or file error, 3 when --selfcheck fails (in
--batch: the first non-zero status of a run).
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


def die(msg):
    sys.stderr.write("reference.py: error: %s\n" % msg)
    sys.exit(2)


# ---- Activations: value, and the Jacobian d a / d z ----------------------


def activate(act, z):
    if act == "sigmoid":
        return 1.0 / (1.0 + np.exp(-z))
    if act == "tanh":
        return np.tanh(z)
    if act == "relu":
        return np.maximum(z, 0.0)
    if act == "leaky_relu":
        return np.where(z >= 0, z, 0.01 * z)
    if act == "linear":
        return z.copy()
    if act == "softmax":
        e = np.exp(z - np.max(z))
        return e / np.sum(e)
    die("unknown activation %r" % act)


def jacobian(act, z, a):
    """d a_i / d z_j as a matrix."""
    if act == "sigmoid":
        return np.diag(a * (1.0 - a))
    if act == "tanh":
        return np.diag(1.0 - a * a)
    if act == "relu":
        return np.diag(np.where(z > 0, 1.0, 0.0))
    if act == "leaky_relu":
        return np.diag(np.where(z > 0, 1.0, 0.01))
    if act == "linear":
        return np.eye(len(z))
    if act == "softmax":
        return np.diag(a) - np.outer(a, a)
    die("unknown activation %r" % act)


# ---- Losses: value, and the gradient d L / d p ----------------------------


def loss_value(loss, y, p):
    k = len(y)
    if loss == "mse":
        return float(np.sum((y - p) ** 2) / k)
    if loss == "binary_cross_entropy":
        return float(-np.sum(y * np.log(p) + (1.0 - y) * np.log(1.0 - p)) / k)
    if loss == "cross_entropy":
        return float(-np.sum(y * np.log(p)))
    die("unknown loss %r" % loss)


def loss_grad(loss, y, p):
    k = len(y)
    if loss == "mse":
        return -2.0 * (y - p) / k
    if loss == "binary_cross_entropy":
        return -(y / p - (1.0 - y) / (1.0 - p)) / k
    if loss == "cross_entropy":
        return -y / p
    die("unknown loss %r" % loss)


# ---- The network -----------------------------------------------------------


class Net:
    def __init__(self, ninputs, layers, loss):
        self.ninputs = ninputs
        self.layers = layers  # [(size, act)], hidden layers then the output layer
        self.loss = loss
        self.W = []
        self.b = []
        fan_in = ninputs
        for size, _ in layers:
            self.W.append(np.zeros((size, fan_in)))
            self.b.append(np.zeros(size))
            fan_in = size

    def names(self):
        nw = sum(W.size for W in self.W)
        nb = sum(b.size for b in self.b)
        return ["w%d" % (i + 1) for i in range(nw)] + ["b%d" % (i + 1) for i in range(nb)]

    def flat(self):
        """The parameters as one vector, in nnc's order."""
        return np.concatenate([W.ravel() for W in self.W] + [b for b in self.b])

    def set_flat(self, v):
        i = 0
        for W in self.W:
            W[...] = v[i:i + W.size].reshape(W.shape)
            i += W.size
        for b in self.b:
            b[...] = v[i:i + b.size]
            i += b.size
        assert i == len(v)

    def forward(self, x):
        """Every layer's sum z and activation a (a[0] is the input)."""
        zs, acts = [], [x]
        for (_, act), W, b in zip(self.layers, self.W, self.b):
            z = W @ acts[-1] + b
            zs.append(z)
            acts.append(activate(act, z))
        return zs, acts

    def sample_loss(self, x, y):
        _, acts = self.forward(x)
        return loss_value(self.loss, y, acts[-1])

    def backprop(self, x, y):
        """d L / d W and d L / d b for every layer, on one sample."""
        zs, acts = self.forward(x)
        g = loss_grad(self.loss, y, acts[-1])  # d L / d a of the last layer
        dW = [None] * len(self.W)
        db = [None] * len(self.b)
        for l in range(len(self.W) - 1, -1, -1):
            J = jacobian(self.layers[l][1], zs[l], acts[l + 1])
            dz = J.T @ g                       # d L / d z = J^T d L / d a
            dW[l] = np.outer(dz, acts[l])      # z = W a + b
            db[l] = dz
            g = self.W[l].T @ dz               # d L / d a of the layer below
        return dW, db

    def flat_grad(self, x, y):
        dW, db = self.backprop(x, y)
        return np.concatenate([d.ravel() for d in dW] + db)

    def mean_grad(self, X, Y):
        total = np.zeros(len(self.flat()))
        for x, y in zip(X, Y):
            total += self.flat_grad(x, y)
        return total / len(X)

    def mean_loss(self, X, Y):
        return sum(self.sample_loss(x, y) for x, y in zip(X, Y)) / len(X)

    def sgd_step(self, x, y, rate):
        dW, db = self.backprop(x, y)
        for l in range(len(self.W)):
            self.W[l] -= rate * dW[l]
            self.b[l] -= rate * db[l]

    def train(self, X, Y, epochs, rate):
        for _ in range(epochs):
            for x, y in zip(X, Y):
                self.sgd_step(x, y, rate)


# ---- Files -----------------------------------------------------------------


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
                    # a header
    except OSError as e:
        die("%s: %s" % (path, e.strerror))
    return rows


def fmt(v):
    return "%.17g" % v


def write_lines(path, lines):
    with open(path, "w") as f:
        f.write("".join(line + "\n" for line in lines))


def write_params(path, net, norm):
    lines = ["# parameters (reference.py)"]
    lines += ["%s %s" % (n, fmt(v)) for n, v in zip(net.names(), net.flat())]
    if norm is not None:
        lines += ["mean_x%d %s" % (i + 1, fmt(m)) for i, m in enumerate(norm[0])]
        lines += ["std_x%d %s" % (i + 1, fmt(s)) for i, s in enumerate(norm[1])]
    write_lines(path, lines)


def write_grad(path, net, grad):
    write_lines(path, ["d_L_d_%s %s" % (n, repr(float(g))) for n, g in zip(net.names(), grad)])


# ---- Main --------------------------------------------------------------------


def parse_layers(text):
    layers = []
    for part in text.split(","):
        size, _, act = part.partition(":")
        if act not in ACTS or not size.isdigit() or int(size) < 1:
            die("bad layer %r (expected SIZE:ACTIVATION)" % part)
        layers.append((int(size), act))
    for _, act in layers[:-1]:
        if act == "softmax":
            die("softmax is for the output layer only")
    return layers


def at_kink(net, X):
    """Does a relu or leaky_relu sum of some sample lie (almost) at 0, where the
    derivative jumps and finite differences mean nothing?"""
    for x in X:
        zs, _ = net.forward(x)
        for (_, act), z in zip(net.layers, zs):
            if act in ("relu", "leaky_relu") and np.any(np.abs(z) < 1e-4):
                return True
    return False


def selfcheck(net, X, Y):
    """Backpropagation against central differences; returns the worst relative error."""
    p0 = net.flat()
    analytic = net.mean_grad(X, Y)
    worst = 0.0
    for i in range(len(p0)):
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


def run(argv):
    ap = argparse.ArgumentParser(description="Reference per-sample SGD for nnc networks.")
    ap.add_argument("--inputs", type=int, required=True)
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
    ap.add_argument("--norm-out")
    ap.add_argument("--selfcheck", action="store_true")
    a = ap.parse_args(argv)

    layers = parse_layers(a.layers)
    ni, k = a.inputs, layers[-1][0]
    net = Net(ni, layers, a.loss)

    # The data: inputs, then K targets or (softmax) one class index.
    X, Y = [], []
    for r in read_csv(a.data):
        if len(r) == ni + k:
            y = np.array(r[ni:])
        elif len(r) == ni + 1 and layers[-1][1] == "softmax":
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

    if a.norm_out:
        A = np.array(X)
        mean = A.mean(axis=0)
        std = np.sqrt(((A - mean) ** 2).mean(axis=0))
        std = np.where(std > 0, std, 1.0)
        write_lines(a.norm_out, ["mean_x%d %s" % (i + 1, fmt(m)) for i, m in enumerate(mean)] +
                    ["std_x%d %s" % (i + 1, fmt(s)) for i, s in enumerate(std)])

    # The starting parameters, and the normalization they were saved with.
    values = read_params(a.load)
    names = net.names()
    missing = [n for n in names if n not in values]
    if missing:
        die("%s lacks %s" % (a.load, ", ".join(missing)))
    net.set_flat(np.array([values[n] for n in names]))
    norm = None
    if a.normalize:
        try:
            mean = np.array([values["mean_x%d" % (i + 1)] for i in range(ni)])
            std = np.array([values["std_x%d" % (i + 1)] for i in range(ni)])
        except KeyError as e:
            die("%s lacks %s" % (a.load, e.args[0]))
        norm = (mean, std)
        X = [(x - mean) / std for x in X]

    status = 0
    if a.selfcheck and at_kink(net, X):
        sys.stderr.write("reference.py: selfcheck skipped: a relu sum is at its kink\n")
    elif a.selfcheck:
        worst = selfcheck(net, X, Y)
        if not worst <= 1e-6:
            sys.stderr.write("reference.py: selfcheck: backprop and finite differences differ "
                             "by %.3g\n" % worst)
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


def batch(path):
    """Runs each line of path (options, shell-quoted) as a run of its own; a
    line's `--report FILE` option receives its exit status on the first line
    and its messages after.  Saves starting Python and numpy once a run."""
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
                st = run(argv)
            except SystemExit as e:
                st = e.code if isinstance(e.code, int) else 2
            except Exception as e:  # a bug here must not hide the other runs
                sys.stderr.write("reference.py: %s: %s\n" % (type(e).__name__, e))
                st = 2
        if report:
            with open(report, "w") as r:
                r.write("%d\n%s" % (st, err.getvalue()))
        else:
            sys.stderr.write(err.getvalue())
        status = status or st
    return status


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--batch":
        return batch(sys.argv[2])
    return run(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
