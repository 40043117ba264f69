"""A PyTorch twin of an npu.keras Sequential model, for checking training on
the chip against an independent implementation (test/Python/keras_*.py and
benchmarks/train_fashion_mnist.py).

``TorchTwin(model)`` copies the model's current weights (Keras layouts:
Dense kernel (in, out), Conv2D kernel (kh, kw, in, out)) into torch modules
and evaluates the Keras semantics: NHWC input, TensorFlow's SAME padding,
channels-last flatten, BatchNormalization over the last axis with Keras's
momentum and epsilon (batch statistics in training mode), softmax/sigmoid
outputs whose loss is taken from the logits. ``KerasAdam`` is Keras's
Adam (the chip's; for SGD the chip uses torch.optim.SGD's form);
``keras_loss`` Keras's losses.
"""
import math

import numpy as np
import torch
import torch.nn.functional as F

from npu.keras import layers


def _same_pads(size, kernel, stride, dilation=1):
    out = -(-size // stride)
    total = max((out - 1) * stride + (kernel - 1) * dilation + 1 - size, 0)
    return total // 2, total - total // 2


def _activation(name, x):
    return {"linear": lambda t: t, "relu": torch.relu, "sigmoid": torch.sigmoid,
            "tanh": torch.tanh, "softmax": lambda t: torch.softmax(t, -1)}[name](x)


class TorchTwin(torch.nn.Module):
    """``twin(x_nhwc, training)`` -> ``(outputs, logits)``; ``logits`` is the
    input of a final softmax/sigmoid (else the outputs)."""

    def __init__(self, model, dtype=torch.float32, own_dropout_masks=False):
        super().__init__()
        # Dropout in training mode draws torch's own masks (same rate,
        # different draws than the chip's) when allowed, else is refused.
        self.own_dropout_masks = own_dropout_masks
        self.keras_layers = model.layers
        self.params = torch.nn.ParameterList()
        self.slots = []  # per layer: {name: Parameter or buffer tensor}
        for layer in model.layers:
            slots = {}
            for variable in layer.weights:
                short = variable.name.split("/")[-1][:-2]
                value = torch.tensor(variable.numpy(), dtype=dtype)
                if variable.trainable:
                    parameter = torch.nn.Parameter(value)
                    self.params.append(parameter)
                    slots[short] = parameter
                else:
                    slots[short] = value
            self.slots.append(slots)

    def forward(self, x, training=True):
        x = torch.as_tensor(x)
        logits = None
        for layer, w in zip(self.keras_layers, self.slots):
            logits = None
            if isinstance(layer, layers.Dense):
                x = x @ w["kernel"] + (w["bias"] if layer.use_bias else 0)
                logits = x
                x = _activation(layer.activation, x)
            elif isinstance(layer, layers.Conv2D):
                t = x.permute(0, 3, 1, 2)
                if layer.padding == "same":
                    (top, bottom), (left, right) = (
                        _same_pads(s, k, st, d) for s, k, st, d in
                        zip(layer.input_shape[1:3], layer.kernel_size, layer.strides,
                            layer.dilation_rate))
                    t = F.pad(t, (left, right, top, bottom))
                t = F.conv2d(t, w["kernel"].permute(3, 2, 0, 1),
                             w["bias"] if layer.use_bias else None,
                             stride=layer.strides, dilation=layer.dilation_rate,
                             groups=layer.groups)
                x = t.permute(0, 2, 3, 1)
                logits = x
                x = _activation(layer.activation, x)
            elif isinstance(layer, (layers.MaxPooling2D, layers.AveragePooling2D)):
                if layer.padding != "valid":
                    raise NotImplementedError("twin pools: padding='valid' only")
                pool = (F.max_pool2d if isinstance(layer, layers.MaxPooling2D)
                        else F.avg_pool2d)
                x = pool(x.permute(0, 3, 1, 2), layer.pool_size,
                         layer.strides).permute(0, 2, 3, 1)
            elif isinstance(layer, layers.Flatten):
                x = x.reshape(len(x), -1)
            elif isinstance(layer, layers.Activation):
                logits = x
                x = _activation(layer.activation, x)
            elif isinstance(layer, layers.BatchNormalization):
                axes = tuple(range(x.dim() - 1))
                if training:
                    mean = x.mean(axes)
                    variance = x.var(axes, unbiased=False)
                    with torch.no_grad():
                        # Keras: moving = moving * momentum + batch * (1 - momentum),
                        # with the batch's biased variance.
                        w["moving_mean"].mul_(layer.momentum).add_(
                            mean.detach() * (1 - layer.momentum))
                        w["moving_variance"].mul_(layer.momentum).add_(
                            variance.detach() * (1 - layer.momentum))
                else:
                    mean, variance = w["moving_mean"], w["moving_variance"]
                x = (x - mean) / torch.sqrt(variance + layer.epsilon)
                if layer.scale:
                    x = x * w["gamma"]
                if layer.center:
                    x = x + w["beta"]
            elif isinstance(layer, layers.Dropout):
                if training and layer.rate:
                    if not self.own_dropout_masks:
                        raise NotImplementedError("the twin cannot replay the "
                                                  "chip's dropout masks")
                    x = F.dropout(x, layer.rate, training=True)
            else:
                raise NotImplementedError(type(layer).__name__)
        return x, (logits if logits is not None else x)

    def keras_weights(self):
        """The weights in ``model.weights`` order (trainable first)."""
        trainable, fixed = [], []
        for layer, w in zip(self.keras_layers, self.slots):
            for variable in layer.weights:
                value = w[variable.name.split("/")[-1][:-2]]
                (trainable if variable.trainable else fixed).append(
                    value.detach().numpy().copy())
        return trainable + fixed


def keras_loss(kind, outputs, logits, y, from_logits=False):
    """Keras's batch-mean loss; a softmax/sigmoid output's loss from its
    logits (``logits is outputs`` when there is no such activation)."""
    use_logits = from_logits or logits is not outputs
    z = logits if use_logits else outputs
    if kind == "sparse_categorical_crossentropy":
        if use_logits:
            return F.cross_entropy(z, torch.as_tensor(y).long())
        p = torch.clamp(z / z.sum(-1, keepdim=True), 1e-7, 1 - 1e-7)
        return F.nll_loss(torch.log(p), torch.as_tensor(y).long())
    if kind == "categorical_crossentropy":
        y = torch.as_tensor(y, dtype=z.dtype)
        if use_logits:
            return -(y * torch.log_softmax(z, -1)).sum(-1).mean()
        p = torch.clamp(z / z.sum(-1, keepdim=True), 1e-7, 1 - 1e-7)
        return -(y * torch.log(p)).sum(-1).mean()
    if kind == "binary_crossentropy":
        y = torch.as_tensor(y, dtype=z.dtype)
        if use_logits:
            return F.binary_cross_entropy_with_logits(z, y)
        p = torch.clamp(z, 1e-7, 1 - 1e-7)
        return -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()
    if kind == "mse":
        return ((outputs - torch.as_tensor(y, dtype=outputs.dtype)) ** 2).mean()
    raise ValueError(kind)


class KerasAdam(torch.optim.Optimizer):
    """Keras's Adam: ``lr_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t)``,
    ``w -= lr_t * m / (sqrt(v) + epsilon)``."""

    def __init__(self, params, lr=1e-3, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
        super().__init__(params, {})
        self.lr, self.beta_1, self.beta_2, self.epsilon = lr, beta_1, beta_2, epsilon
        self.t = 0

    @torch.no_grad()
    def step(self):
        self.t += 1
        step_size = (self.lr * math.sqrt(1 - self.beta_2 ** self.t) /
                     (1 - self.beta_1 ** self.t))
        for group in self.param_groups:
            for p in group["params"]:
                state = self.state[p]
                if not state:
                    state["m"] = torch.zeros_like(p)
                    state["v"] = torch.zeros_like(p)
                m, v = state["m"], state["v"]
                m.mul_(self.beta_1).add_(p.grad, alpha=1 - self.beta_1)
                v.mul_(self.beta_2).addcmul_(p.grad, p.grad, value=1 - self.beta_2)
                p.sub_(step_size * m / (v.sqrt() + self.epsilon))


def train_reference(twin, optimizer, kind, x, y, batch_size, epochs=1,
                    from_logits=False):
    """Keras's fit(shuffle=False) on the twin: per epoch the sample-weighted
    mean loss and the per-step outputs."""
    losses = []
    for _ in range(epochs):
        total = 0.0
        for begin in range(0, len(x), batch_size):
            xb, yb = x[begin:begin + batch_size], y[begin:begin + batch_size]
            optimizer.zero_grad()
            outputs, logits = twin(torch.as_tensor(xb), training=True)
            loss = keras_loss(kind, outputs, logits, yb, from_logits)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(xb)
        losses.append(total / len(x))
    return np.array(losses)


def max_relative_error(got, expected):
    got, expected = np.asarray(got, np.float64), np.asarray(expected, np.float64)
    return float(np.max(np.abs(got - expected)) / max(np.max(np.abs(expected)), 1e-30))
