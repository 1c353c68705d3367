#!/usr/bin/python3
"""tests/optim_reference.py: an independent numpy model of nnc's optimizers.

Trains a fully connected feed-forward network the way nn(5) and
PyTorch define it, written from those definitions (not from nnc's code):

  * forward and backward passes as matrix products, each activation
    differentiated by its Jacobian (softmax by diag(p) - p p^T), each loss
    by its own derivative with respect to the outputs (no fused "p - y");
  * an epoch visits the samples in data order, or with shuffling in the
    order of a Fisher-Yates shuffle driven by xoshiro256** (see
    epoch_order); consecutive runs of `batch` samples (the last one of an
    epoch may be shorter) make one update each;
  * the gradient of an update is g = (mean over the batch of the
    per-sample partials) + weight_decay * param, for weights and biases;
  * the update is torch.optim.SGD (momentum, dampening 0, optional
    Nesterov) or torch.optim.Adam, with t the number of updates so far,
    this one included, counted over every run that resumed.

Parameters use nnc's names and order: weights w1, w2, ... layer by layer,
neuron by neuron, input by input, then biases b1, b2, ... neuron by neuron.
Parameter files are nnc's: `name value` lines, '#' comments; they may hold
mean_x<i>/std_x<i> (applied to the inputs, and written back), `epoch N`,
`step N` and the optimizer's state (velocity_<p>, or m_<p> and v_<p>),
which all start at 0 when absent.

Usage (run with /usr/bin/python3, which has numpy):

  optim_reference.py --inputs N --layers SIZE:ACT[,SIZE:ACT...] --loss LOSS
        --data FILE.csv --load PARAMS --save FILE [--epochs E]
        [--learn-rate X] [--optimizer sgd|momentum|adam] [--momentum X]
        [--nesterov] [--beta1 X] [--beta2 X] [--epsilon X] [--batch N]
        [--weight-decay X] [--shuffle] [--seed N]

  --layers  the hidden layers and last the output layer, e.g. 3:tanh,2:softmax
  --data    CSV rows: N inputs, then K targets (or one class index for a
            softmax output); '#' lines, blank lines and a header are skipped
  --save    the parameters, (normalization,) epoch, step and state after training

  optim_reference.py --batch-file FILE
            runs each line of FILE (the options above, shell-quoted) in one
            process; a line's `--report PATH` receives its exit status and
            messages

  optim_reference.py --selftest
            checks the generator against published splitmix64/xoshiro256**
            outputs, and the backpropagation against central differences

Exit status: 0; 2 on a usage or file error; 3 when --selftest fails.
"""
import argparse
import contextlib
import io
import shlex
import sys

import numpy as np

MASK64 = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15


class UsageError(Exception):
    pass


# ---- Random numbers: splitmix64 seeding xoshiro256** ----------------------


class Xoshiro256ss:
    """xoshiro256** 1.0 (Blackman and Vigna), its state filled by splitmix64."""

    def __init__(self, seed):
        x = seed & MASK64
        self.s = []
        for _ in range(4):
            x = (x + GOLDEN) & MASK64
            z = x
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
            self.s.append(z ^ (z >> 31))

    @staticmethod
    def _rotl(v, k):
        return ((v << k) | (v >> (64 - k))) & MASK64

    def next(self):
        s0, s1, s2, s3 = self.s
        out = (self._rotl((s1 * 5) & MASK64, 7) * 9) & MASK64
        t = (s1 << 17) & MASK64
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = self._rotl(s3, 45)
        self.s = [s0, s1, s2, s3]
        return out

    def below(self, n):
        """A uniform integer in [0, n): draws under 2^64 mod n are rejected."""
        reject = (1 << 64) % n   # == (2^64 - n) mod n
        while True:
            r = self.next()
            if r >= reject:
                return r % n


def epoch_order(n, shuffle, seed, epoch):
    """The order of the n samples in epoch `epoch` (from 0, over resumed runs)."""
    order = list(range(n))
    if not shuffle:
        return order
    rng = Xoshiro256ss((seed + (epoch + 1) * GOLDEN) & MASK64)
    for i in range(n - 1, 0, -1):
        j = rng.below(i + 1)
        order[i], order[j] = order[j], order[i]
    return order


# ---- The network ----------------------------------------------------------


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
    raise UsageError("unknown activation '%s'" % act)


def jacobian(act, z, a):
    """d a / d z, a matrix (row: output, column: input)."""
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
    raise UsageError("unknown activation '%s'" % act)


def loss_value(loss, p, y):
    k = len(p)
    if loss == "mse":
        return float(np.sum((y - p) ** 2) / k)
    if loss == "binary_cross_entropy":
        return float(-np.sum(y * np.log(p) + (1 - y) * np.log(1 - p)) / k)
    if loss == "cross_entropy":
        return float(-np.sum(y * np.log(p)))
    raise UsageError("unknown loss '%s'" % loss)


def loss_grad(loss, p, y):
    """d L / d p for one sample."""
    k = len(p)
    if loss == "mse":
        return -2.0 * (y - p) / k
    if loss == "binary_cross_entropy":
        return -(y / p - (1 - y) / (1 - p)) / k
    if loss == "cross_entropy":
        return -y / p
    raise UsageError("unknown loss '%s'" % loss)


class Net:
    def __init__(self, ninputs, layers, loss):
        self.ninputs = ninputs
        self.layers = layers            # [(size, act)], the output layer last
        self.loss = loss
        self.W, self.b = [], []
        fan_in = ninputs
        for size, _ in layers:
            self.W.append(np.zeros((size, fan_in)))
            self.b.append(np.zeros(size))
            fan_in = size
        self.nw = sum(W.size for W in self.W)
        self.nb = sum(b.size for b in self.b)
        self.names = (["w%d" % (i + 1) for i in range(self.nw)] +
                      ["b%d" % (i + 1) for i in range(self.nb)])

    # Parameters as one flat vector in nnc's parameter order.
    def flat(self):
        return np.concatenate([W.ravel() for W in self.W] + [b for b in self.b])

    def set_flat(self, v):
        i = 0
        for W in self.W:
            W[...] = v[i:i + W.size].reshape(W.shape)
            i += W.size
        for b in self.b:
            b[...] = v[i:i + b.size]
            i += b.size

    def forward(self, x):
        zs, acts = [], [x]
        a = x
        for (size, act), W, b in zip(self.layers, self.W, self.b):
            z = W @ a + b
            a = activate(act, z)
            zs.append(z)
            acts.append(a)
        return zs, acts

    def sample_loss(self, x, y):
        return loss_value(self.loss, self.forward(x)[1][-1], y)

    def sample_grad(self, x, y):
        """Flat d L / d param of one sample, in parameter order."""
        zs, acts = self.forward(x)
        dW = [None] * len(self.W)
        db = [None] * len(self.b)
        d_a = loss_grad(self.loss, acts[-1], y)
        for l in range(len(self.layers) - 1, -1, -1):
            d_z = jacobian(self.layers[l][1], zs[l], acts[l + 1]).T @ d_a
            dW[l] = np.outer(d_z, acts[l])
            db[l] = d_z
            d_a = self.W[l].T @ d_z
        return np.concatenate([g.ravel() for g in dW] + db)


# ---- Files ----------------------------------------------------------------


def read_csv(path, ninputs, noutputs_for_softmax):
    rows = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            try:
                rows.append([float(v) for v in line.split(",")])
            except ValueError:
                if rows:
                    raise UsageError("%s: not a row of numbers: %s" % (path, line))
                # a header
    if not rows:
        raise UsageError("%s: no rows" % path)
    xs, ys = [], []
    for r in rows:
        x, y = r[:ninputs], r[ninputs:]
        if noutputs_for_softmax and len(y) == 1:
            k = int(y[0])
            y = [1.0 if i == k else 0.0 for i in range(noutputs_for_softmax)]
        xs.append(np.array(x))
        ys.append(np.array(y))
    return xs, ys


def read_params(path):
    values, order = {}, []
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].split()
            if not line:
                continue
            if len(line) != 2 or line[0] in values:
                raise UsageError("%s: bad line %r" % (path, line))
            values[line[0]] = float(line[1])
            order.append(line[0])
    return values, order


def fmt(v):
    return "%.17g" % v


# ---- Training -------------------------------------------------------------


def train(opts, out):
    layers = []
    for part in opts.layers.split(","):
        size, act = part.split(":")
        layers.append((int(size), act))
    net = Net(opts.inputs, layers, opts.loss)
    softmax_k = layers[-1][0] if layers[-1][1] == "softmax" else 0
    xs, ys = read_csv(opts.data, opts.inputs, softmax_k)
    n = len(xs)

    values, _ = read_params(opts.load)
    missing = [p for p in net.names if p not in values]
    if missing:
        raise UsageError("%s: no value for %s" % (opts.load, missing[0]))
    net.set_flat(np.array([values[p] for p in net.names]))
    norm_names = []
    if "mean_x1" in values:
        mean = np.array([values["mean_x%d" % (i + 1)] for i in range(opts.inputs)])
        std = np.array([values["std_x%d" % (i + 1)] for i in range(opts.inputs)])
        xs = [(x - mean) / std for x in xs]
        norm_names = (["mean_x%d" % (i + 1) for i in range(opts.inputs)] +
                      ["std_x%d" % (i + 1) for i in range(opts.inputs)])
    epoch = int(values.get("epoch", 0))
    step = int(values.get("step", 0))

    opt = opts.optimizer
    if opt == "sgd":
        state_kinds = []
    elif opt == "momentum":
        state_kinds = ["velocity_"]
    elif opt == "adam":
        state_kinds = ["m_", "v_"]
    else:
        raise UsageError("unknown optimizer '%s'" % opt)
    state = {}
    for kind in state_kinds:
        state[kind] = np.array([values.get(kind + p, 0.0) for p in net.names])

    lr, wd = opts.learn_rate, opts.weight_decay
    batch = min(opts.batch, n)
    for _ in range(opts.epochs):
        order = epoch_order(n, opts.shuffle, opts.seed, epoch)
        for k in range(0, n, batch):
            members = order[k:k + batch]
            params = net.flat()
            total = np.zeros_like(params)
            for i in members:
                total += net.sample_grad(xs[i], ys[i])
            g = total / len(members) + wd * params
            step += 1
            if opt == "sgd":
                params = params - lr * g
            elif opt == "momentum":
                vel = opts.momentum * state["velocity_"] + g
                state["velocity_"] = vel
                if opts.nesterov:
                    params = params - lr * (g + opts.momentum * vel)
                else:
                    params = params - lr * vel
            else:
                b1, b2 = opts.beta1, opts.beta2
                m = b1 * state["m_"] + (1 - b1) * g
                v = b2 * state["v_"] + (1 - b2) * g * g
                state["m_"], state["v_"] = m, v
                m_hat = m / (1 - b1 ** step)
                v_hat = v / (1 - b2 ** step)
                params = params - lr * m_hat / (np.sqrt(v_hat) + opts.epsilon)
            net.set_flat(params)
            if not np.all(np.isfinite(params)):
                raise UsageError("training diverged")
        epoch += 1

    lines = ["# reference parameters"]
    lines += ["%s %s" % (p, fmt(v)) for p, v in zip(net.names, net.flat())]
    lines += ["%s %s" % (p, fmt(values[p])) for p in norm_names]
    lines += ["epoch %d" % epoch, "step %d" % step]
    for kind in state_kinds:
        lines += ["%s%s %s" % (kind, p, fmt(v)) for p, v in zip(net.names, state[kind])]
    with open(opts.save, "w") as f:
        f.write("\n".join(lines) + "\n")
    return 0


# ---- Self-test ------------------------------------------------------------


def selftest():
    bad = 0
    # splitmix64 from seed 0: its first outputs, as published with it
    # (Vigna's splitmix64.c); they are the state xoshiro256** starts from.
    r = Xoshiro256ss(0)
    want = [0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4, 0x06C45D188009454F, 0xF88BB8A8724C81EC]
    if r.s != want:
        print("splitmix64(0) gave %s" % [hex(v) for v in r.s])
        bad += 1
    # xoshiro256** from the state 1, 2, 3, 4: the reference implementation's
    # first outputs.
    r.s = [1, 2, 3, 4]
    got = [r.next() for _ in range(3)]
    if got != [11520, 0, 1509978240]:
        print("xoshiro256** from 1,2,3,4 gave %s" % got)
        bad += 1
    # The shuffle is a permutation; without shuffling, data order.
    for n in (1, 2, 7, 30):
        o = epoch_order(n, True, 12345, 3)
        if sorted(o) != list(range(n)) or epoch_order(n, False, 1, 0) != list(range(n)):
            print("epoch_order(%d) is not a permutation: %s" % (n, o))
            bad += 1
    # Backpropagation against central differences, for every activation and loss.
    rs = np.random.RandomState(7)
    cases = [("sigmoid", "sigmoid", "binary_cross_entropy"), ("tanh", "softmax", "cross_entropy"),
             ("relu", "linear", "mse"), ("leaky_relu", "softmax", "mse"),
             ("linear", "tanh", "mse"), ("tanh", "sigmoid", "mse")]
    for hid, out, loss in cases:
        k = 3 if out == "softmax" else 2
        net = Net(3, [(4, hid), (k, out)], loss)
        p0 = rs.normal(size=net.nw + net.nb)
        net.set_flat(p0)
        x = rs.normal(size=3)
        if out == "softmax":
            y = np.eye(k)[rs.randint(k)]
        else:
            y = rs.uniform(0.05, 0.95, size=k)
        g = net.sample_grad(x, y)
        for i in range(len(p0)):
            h = 1e-6
            p = p0.copy()
            p[i] += h
            net.set_flat(p)
            up = net.sample_loss(x, y)
            p[i] -= 2 * h
            net.set_flat(p)
            down = net.sample_loss(x, y)
            num = (up - down) / (2 * h)
            if abs(num - g[i]) > 1e-6 * max(1.0, abs(num)):
                print("%s/%s/%s: d_L_d_%s backprop %r, numeric %r" % (hid, out, loss, net.names[i], g[i], num))
                bad += 1
        net.set_flat(p0)
    return 3 if bad else 0


# ---- Command line ---------------------------------------------------------


def parser():
    ap = argparse.ArgumentParser(prog="optim_reference.py", allow_abbrev=False)
    ap.add_argument("--inputs", type=int)
    ap.add_argument("--layers")
    ap.add_argument("--loss", default="mse")
    ap.add_argument("--data")
    ap.add_argument("--load")
    ap.add_argument("--save")
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--learn-rate", type=float, default=0.1)
    ap.add_argument("--optimizer", default="sgd")
    ap.add_argument("--momentum", type=float, default=0.9)
    ap.add_argument("--nesterov", action="store_true")
    ap.add_argument("--beta1", type=float, default=0.9)
    ap.add_argument("--beta2", type=float, default=0.999)
    ap.add_argument("--epsilon", type=float, default=1e-8)
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--weight-decay", type=float, default=0.0)
    ap.add_argument("--shuffle", action="store_true")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--report")
    ap.add_argument("--batch-file")
    ap.add_argument("--selftest", action="store_true")
    return ap


def run(argv):
    """Runs one command line; returns (status, messages)."""
    err = io.StringIO()
    try:
        with contextlib.redirect_stderr(err):
            opts = parser().parse_args(argv)
        for need in ("inputs", "layers", "data", "load", "save"):
            if getattr(opts, need) is None:
                raise UsageError("--%s is required" % need)
        return train(opts, err), err.getvalue()
    except SystemExit as e:
        return (e.code if isinstance(e.code, int) else 2), err.getvalue()
    except (UsageError, OSError, ValueError) as e:
        return 2, err.getvalue() + "optim_reference.py: error: %s\n" % e


def main():
    opts, _ = parser().parse_known_args()
    if opts.selftest:
        return selftest()
    if opts.batch_file:
        worst = 0
        with open(opts.batch_file) as f:
            for line in f:
                argv = shlex.split(line)
                if not argv:
                    continue
                status, msg = run(argv)
                report = parser().parse_known_args(argv)[0].report
                if report:
                    with open(report, "w") as r:
                        r.write("%d\n%s" % (status, msg))
                worst = worst or status
        return worst
    status, msg = run(sys.argv[1:])
    sys.stderr.write(msg)
    return status


if __name__ == "__main__":
    sys.exit(main())
