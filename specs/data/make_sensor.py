#!/usr/bin/python3
"""specs/data/make_sensor.py: writes sensor_train.csv and sensor_test.csv.

A small data set made here, so that the 1-D convolution example
(specs/sensor_cnn.nn) needs nothing from outside: windows of a 3-axis
accelerometer worn on the body, 32 samples at 25 Hz (1.28 s), in g, of four
activities:

  0 still     gravity alone, the device held at some tilt, sensor noise
  1 walking   gravity plus a vertical bounce of 1.6-2.2 steps a second (and
              its harmonic), a smaller sway sideways
  2 running   the same at 2.4-3.2 steps a second, three times as strong
  3 shaking   a fast jolting of 4-8 Hz along a random direction, in bursts

Each window has its own tilt, phase, amplitude and noise, so the classes
overlap at their edges: frequency and strength tell them apart, which is
what a 1xK convolution over time can learn.

A row is the window channels-last, as a sensor log is stored: sample 1's
x, y, z, then sample 2's, ..., then the class index.  Python's own random
generator with a fixed seed (no numpy) makes the same files everywhere:

  python3 specs/data/make_sensor.py      # in specs/data/ or from the top
"""
import math
import os
import random

RATE = 25.0  # samples a second
WINDOW = 32  # samples a window
CLASSES = ["still", "walking", "running", "shaking"]


def unit(rng):
    """A direction drawn uniformly on the sphere."""
    while True:
        v = [rng.uniform(-1, 1) for _ in range(3)]
        n = math.sqrt(sum(x * x for x in v))
        if 0.1 < n <= 1:
            return [x / n for x in v]


def tilt(rng):
    """Gravity in the device's frame: mostly along -z, tilted up to 40 degrees."""
    a, b = math.radians(rng.uniform(-40, 40)), math.radians(rng.uniform(-40, 40))
    return [math.sin(a), math.sin(b) * math.cos(a), -math.cos(a) * math.cos(b)]


def window(rng, cls):
    g = tilt(rng)
    noise = rng.uniform(0.01, 0.04)
    up = [-x for x in g]  # the bounce of a step is along gravity
    side = unit(rng)
    f = {1: rng.uniform(1.6, 2.2), 2: rng.uniform(2.4, 3.2), 3: rng.uniform(4.0, 8.0)}.get(cls, 0)
    amp = {1: rng.uniform(0.15, 0.4), 2: rng.uniform(0.5, 1.2), 3: rng.uniform(0.3, 1.0)}.get(cls, 0)
    phase, phase2 = rng.uniform(0, 2 * math.pi), rng.uniform(0, 2 * math.pi)
    burst = rng.uniform(0.5, 1.5)  # shaking comes and goes
    rows = []
    for t in range(WINDOW):
        s = t / RATE
        a = [0.0, 0.0, 0.0]
        if cls in (1, 2):
            bounce = amp * (math.sin(2 * math.pi * f * s + phase) +
                            0.3 * math.sin(4 * math.pi * f * s + phase2))
            sway = 0.3 * amp * math.sin(math.pi * f * s + phase)
            a = [bounce * u + sway * v for u, v in zip(up, side)]
        elif cls == 3:
            env = 0.6 + 0.4 * math.sin(2 * math.pi * burst * s + phase2)
            jolt = amp * env * math.sin(2 * math.pi * f * s + phase)
            a = [jolt * v for v in side]
        rows += [round(gi + ai + rng.gauss(0, noise), 3) for gi, ai in zip(g, a)]
    return rows


def write(path, rng, per_class):
    samples = [(window(rng, c), c) for c in range(len(CLASSES)) for _ in range(per_class)]
    rng.shuffle(samples)
    head = ["t%d_%s" % (t, ax) for t in range(WINDOW) for ax in "xyz"] + ["class"]
    with open(path, "w") as f:
        f.write(",".join(head) + "\n")
        for values, c in samples:
            f.write(",".join("%g" % v for v in values) + ",%d\n" % c)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    rng = random.Random(2019)
    write(os.path.join(here, "sensor_train.csv"), rng, 100)
    write(os.path.join(here, "sensor_test.csv"), rng, 40)


if __name__ == "__main__":
    main()
