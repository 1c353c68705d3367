#!/usr/bin/python3
"""bench/digits_cnn_torch.py: specs/digits_cnn.nn's training, in PyTorch.

The settings of specs/digits_cnn.nn were chosen with this script: the same
network (conv 8 3x3, pool max 2x2, output 10 softmax, cross_entropy) on the
same split, trained as nnc's program trains it: inputs z-scored per input
over the training rows (population std, 1 where constant), a new order of
the rows every epoch, one SGD step per sample, float64, weights drawn as
nnc's `init` says (he: N(0, 1) * sqrt(2 / fan_in), fan_in = KH*KW*C for a
filter; xavier: sqrt(2 / (fan_in + fan_out)); normal: N(0, 1); biases 0
except under normal).  nnc draws from its own generator, so the question is
whether the result holds across seeds: it prints the held-out accuracy of
each seed.

  digits_cnn_torch.py [--seeds 1,2,3] [--act tanh] [--filters 8] [--padding 0] [--init he]
                      [--lr 0.01] [--epochs 30]
"""
import argparse
import csv
import math
import os

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "specs", "data")


def load(name):
    with open(os.path.join(DATA, name)) as f:
        rows = [r for r in csv.reader(f)][1:]
    a = np.array(rows, dtype=float)
    return a[:, :64], a[:, 64].astype(int)


def init_(t, kind, fan_in, fan_out, gen):
    with torch.no_grad():
        t.copy_(torch.randn(t.shape, generator=gen, dtype=torch.float64))
        if kind == "he":
            t.mul_(math.sqrt(2.0 / fan_in))
        elif kind == "xavier":
            t.mul_(math.sqrt(2.0 / (fan_in + fan_out)))


def run(seed, a):
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    xtr, ytr = load("digits_train.csv")
    xte, yte = load("digits_test.csv")
    mean = xtr.mean(axis=0)
    std = xtr.std(axis=0)
    std[std == 0] = 1.0
    xtr = torch.tensor((xtr - mean) / std).reshape(-1, 1, 8, 8)
    xte = torch.tensor((xte - mean) / std).reshape(-1, 1, 8, 8)
    ytr, yte = torch.tensor(ytr), torch.tensor(yte)
    act = {"tanh": torch.nn.Tanh, "relu": torch.nn.ReLU, "sigmoid": torch.nn.Sigmoid}[a.act]
    n = a.filters
    side = (8 + 2 * a.padding - 2) // 2  # the map after conv 3x3 and pool 2x2
    conv = torch.nn.Conv2d(1, n, 3, padding=a.padding).double()
    dense = torch.nn.Linear(n * side * side, 10).double()
    net = torch.nn.Sequential(conv, act(), torch.nn.MaxPool2d(2), torch.nn.Flatten(), dense)
    init_(conv.weight, a.init, 9, n, gen)
    init_(dense.weight, a.init, n * side * side, 10, gen)
    for b in (conv.bias, dense.bias):
        if a.init == "normal":
            init_(b, "normal", 1, 1, gen)
        else:
            torch.nn.init.zeros_(b)
    opt = torch.optim.SGD(net.parameters(), lr=a.lr)
    lossf = torch.nn.CrossEntropyLoss()
    for _ in range(a.epochs):
        for i in torch.randperm(len(xtr), generator=gen):
            opt.zero_grad()
            lossf(net(xtr[i:i + 1]), ytr[i:i + 1]).backward()
            opt.step()
    with torch.no_grad():
        acc = (net(xte).argmax(1) == yte).double().mean().item()
    params = sum(p.numel() for p in net.parameters())
    return acc, params


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", default="1,2,3,4,5")
    ap.add_argument("--act", default="tanh")
    ap.add_argument("--filters", type=int, default=8)
    ap.add_argument("--padding", type=int, default=0)
    ap.add_argument("--init", default="he", choices=["he", "xavier", "normal"])
    ap.add_argument("--lr", type=float, default=0.01)
    ap.add_argument("--epochs", type=int, default=30)
    a = ap.parse_args()
    torch.set_num_threads(1)
    accs = []
    for s in a.seeds.split(","):
        acc, params = run(int(s), a)
        accs.append(acc)
        print("seed %s: %.4f held-out accuracy (%d parameters)" % (s, acc, params), flush=True)
    print("%s %d filters, padding %d, init %s, lr %g, %d epochs: min %.4f mean %.4f" % (
        a.act, a.filters, a.padding, a.init, a.lr, a.epochs, min(accs), sum(accs) / len(accs)))


if __name__ == "__main__":
    main()
