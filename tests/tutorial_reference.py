#!/usr/bin/python3
"""The tutorial's numpy network, as a reference for nnc's generated C.

This is the code of Victor Zhou's "An Introduction to Neural Networks"
(the last code block of the seed document), written out again by hand and
changed in three ways only:

  (a) the 9 initial parameters come from a parameter file of `name value`
      lines (blank lines and '#' comments allowed; other names ignored),
      not np.random.normal();
  (b) the loss lines are the tutorial's own, "Epoch %d loss: %.3f" every 10
      epochs (epochs and the learning rate may be given, default 1000, 0.1);
  (c) the final parameters are written to a file, `name value` with repr().

Usage: tutorial_reference.py START.txt END.txt [EPOCHS [LEARN_RATE]]

It does not use nnc, its runtime or anything they generate.
"""
import sys

import numpy as np

PARAMS = ["w1", "w2", "w3", "w4", "w5", "w6", "b1", "b2", "b3"]


def sigmoid(x):
    # Sigmoid activation function: f(x) = 1 / (1 + e^(-x))
    return 1 / (1 + np.exp(-x))


def deriv_sigmoid(x):
    # Derivative of sigmoid: f'(x) = f(x) * (1 - f(x))
    fx = sigmoid(x)
    return fx * (1 - fx)


def mse_loss(y_true, y_pred):
    # y_true and y_pred are numpy arrays of the same length.
    return ((y_true - y_pred) ** 2).mean()


def read_params(path):
    """(a) The parameters from a file of `name value` lines.

    Other names are ignored: the program also saves how far its training
    has gone (`epoch 0`, `step 0`), which must be 0 for a start."""
    values = {}
    with open(path) as f:
        for lineno, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            name, value = line.split()
            if name in ("epoch", "step") and float(value) != 0:
                sys.exit("%s:%d: %s %s: not a start" % (path, lineno, name, value))
            if name not in PARAMS:
                continue
            if name in values:
                sys.exit("%s:%d: parameter %r given twice" % (path, lineno, name))
            values[name] = float(value)
    missing = [p for p in PARAMS if p not in values]
    if missing:
        sys.exit("%s: no value for %s" % (path, ", ".join(missing)))
    return values


class OurNeuralNetwork:
    '''
    A neural network with:
      - 2 inputs
      - a hidden layer with 2 neurons (h1, h2)
      - an output layer with 1 neuron (o1)
    '''
    def __init__(self, params):
        # (a) Weights and biases from the file instead of np.random.normal().
        # Weights
        self.w1 = params["w1"]
        self.w2 = params["w2"]
        self.w3 = params["w3"]
        self.w4 = params["w4"]
        self.w5 = params["w5"]
        self.w6 = params["w6"]

        # Biases
        self.b1 = params["b1"]
        self.b2 = params["b2"]
        self.b3 = params["b3"]

    def feedforward(self, x):
        # x is a numpy array with 2 elements.
        h1 = sigmoid(self.w1 * x[0] + self.w2 * x[1] + self.b1)
        h2 = sigmoid(self.w3 * x[0] + self.w4 * x[1] + self.b2)
        o1 = sigmoid(self.w5 * h1 + self.w6 * h2 + self.b3)
        return o1

    def train(self, data, all_y_trues, epochs=1000, learn_rate=0.1):
        '''
        - data is a (n x 2) numpy array, n = # of samples in the dataset.
        - all_y_trues is a numpy array with n elements.
          Elements in all_y_trues correspond to those in data.
        '''
        for epoch in range(epochs):
            for x, y_true in zip(data, all_y_trues):
                # --- Do a feedforward (we'll need these values later)
                sum_h1 = self.w1 * x[0] + self.w2 * x[1] + self.b1
                h1 = sigmoid(sum_h1)

                sum_h2 = self.w3 * x[0] + self.w4 * x[1] + self.b2
                h2 = sigmoid(sum_h2)

                sum_o1 = self.w5 * h1 + self.w6 * h2 + self.b3
                o1 = sigmoid(sum_o1)
                y_pred = o1

                # --- Calculate partial derivatives.
                # --- Naming: d_L_d_w1 represents "partial L / partial w1"
                d_L_d_ypred = -2 * (y_true - y_pred)

                # Neuron o1
                d_ypred_d_w5 = h1 * deriv_sigmoid(sum_o1)
                d_ypred_d_w6 = h2 * deriv_sigmoid(sum_o1)
                d_ypred_d_b3 = deriv_sigmoid(sum_o1)

                d_ypred_d_h1 = self.w5 * deriv_sigmoid(sum_o1)
                d_ypred_d_h2 = self.w6 * deriv_sigmoid(sum_o1)

                # Neuron h1
                d_h1_d_w1 = x[0] * deriv_sigmoid(sum_h1)
                d_h1_d_w2 = x[1] * deriv_sigmoid(sum_h1)
                d_h1_d_b1 = deriv_sigmoid(sum_h1)

                # Neuron h2
                d_h2_d_w3 = x[0] * deriv_sigmoid(sum_h2)
                d_h2_d_w4 = x[1] * deriv_sigmoid(sum_h2)
                d_h2_d_b2 = deriv_sigmoid(sum_h2)

                # --- Update weights and biases
                # Neuron h1
                self.w1 -= learn_rate * d_L_d_ypred * d_ypred_d_h1 * d_h1_d_w1
                self.w2 -= learn_rate * d_L_d_ypred * d_ypred_d_h1 * d_h1_d_w2
                self.b1 -= learn_rate * d_L_d_ypred * d_ypred_d_h1 * d_h1_d_b1

                # Neuron h2
                self.w3 -= learn_rate * d_L_d_ypred * d_ypred_d_h2 * d_h2_d_w3
                self.w4 -= learn_rate * d_L_d_ypred * d_ypred_d_h2 * d_h2_d_w4
                self.b2 -= learn_rate * d_L_d_ypred * d_ypred_d_h2 * d_h2_d_b2

                # Neuron o1
                self.w5 -= learn_rate * d_L_d_ypred * d_ypred_d_w5
                self.w6 -= learn_rate * d_L_d_ypred * d_ypred_d_w6
                self.b3 -= learn_rate * d_L_d_ypred * d_ypred_d_b3

            # --- Calculate total loss at the end of each epoch
            # (b) the tutorial's own loss lines
            if epoch % 10 == 0:
                y_preds = np.apply_along_axis(self.feedforward, 1, data)
                loss = mse_loss(all_y_trues, y_preds)
                print("Epoch %d loss: %.3f" % (epoch, loss))

    def write_params(self, path):
        """(c) The final parameters, `name value` lines that read back exactly."""
        with open(path, "w") as f:
            f.write("# parameters of the tutorial's numpy network\n")
            for name in PARAMS:
                f.write("%s %r\n" % (name, float(getattr(self, name))))


def main(argv):
    if len(argv) not in (3, 4, 5):
        sys.exit("usage: tutorial_reference.py START END [EPOCHS [LEARN_RATE]]")
    epochs = int(argv[3]) if len(argv) > 3 else 1000
    learn_rate = float(argv[4]) if len(argv) > 4 else 0.1

    # Define dataset
    data = np.array([
        [-2, -1],   # Alice
        [25, 6],    # Bob
        [17, 4],    # Charlie
        [-15, -6],  # Diana
    ])
    all_y_trues = np.array([
        1,  # Alice
        0,  # Bob
        0,  # Charlie
        1,  # Diana
    ])

    # Train our neural network!
    network = OurNeuralNetwork(read_params(argv[1]))
    network.train(data, all_y_trues, epochs, learn_rate)
    network.write_params(argv[2])


if __name__ == "__main__":
    main(sys.argv)
