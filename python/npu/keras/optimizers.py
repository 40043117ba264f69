"""Optimizers: ``SGD`` (momentum, Nesterov) and ``Adam``, with Keras's
arguments and defaults.

The update itself runs on the chip: an optimizer only chooses the
``npu-compile --train --optimizer=...`` flags of the train step
(:meth:`Optimizer.compile_flags`) and feeds ``learning_rate`` to every step,
so assigning ``optimizer.learning_rate`` between ``fit`` calls takes effect
without recompiling. Its slots (``<weight>.momentum``, ``<weight>.m``,
``<weight>.v``) and ``optimizer.step`` are state on the chip;
``optimizer.iterations`` reads the latter.
"""

import numbers


def _positive_float(value, argument, optimizer):
    if (isinstance(value, bool) or not isinstance(value, numbers.Real)
            or not value > 0):
        raise ValueError(f"{optimizer}: `{argument}` must be a positive number. "
                         f"Received: {argument}={value!r}")
    return float(value)


def _unit_float(value, argument, optimizer, closed_low=True):
    if (isinstance(value, bool) or not isinstance(value, numbers.Real)
            or not (0 <= value < 1 if closed_low else 0 < value < 1)):
        raise ValueError(f"{optimizer}: `{argument}` must be in [0, 1). "
                         f"Received: {argument}={value!r}")
    return float(value)


class Optimizer:
    """Base class: ``learning_rate``, ``iterations``, the compile flags."""

    def __init__(self, name, learning_rate, weight_decay, clipnorm, clipvalue,
                 global_clipnorm):
        self.name = name
        self.learning_rate = learning_rate
        for argument, value in (("weight_decay", weight_decay),
                                ("clipnorm", clipnorm), ("clipvalue", clipvalue),
                                ("global_clipnorm", global_clipnorm)):
            if value is not None:
                raise ValueError(f"{name}: `{argument}` is not supported by "
                                 f"npu.keras (it must be None). Received: "
                                 f"{argument}={value!r}")
        self._session = None  # set when a model compiles with it

    @property
    def learning_rate(self):
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value):
        if callable(value):
            raise ValueError(f"{type(self).__name__}: learning-rate schedules are "
                             "not supported by npu.keras; give a number")
        self._learning_rate = _positive_float(value, "learning_rate",
                                              type(self).__name__)

    lr = learning_rate  # Keras's old alias

    @property
    def iterations(self):
        """Steps applied so far (the chip's ``optimizer.step`` state)."""
        if self._session is None:
            return 0
        return self._session.optimizer_steps()

    def compile_flags(self):
        """The ``npu-compile --train`` flags of this optimizer."""
        raise NotImplementedError

    def get_config(self):
        return {"name": self.name, "learning_rate": self.learning_rate}

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class SGD(Optimizer):
    """``w -= lr * g``; with ``momentum`` the chip uses PyTorch's form,
    ``v = momentum * v + g; w -= lr * v`` (Nesterov: ``w -= lr * (g +
    momentum * v)``), which is Keras's ``v = momentum * v - lr * g; w += v``
    scaled by ``-lr`` -- the same steps while the learning rate stays
    constant."""

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False,
                 weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, name="SGD"):
        super().__init__(name, learning_rate, weight_decay, clipnorm, clipvalue,
                         global_clipnorm)
        if (isinstance(momentum, bool) or not isinstance(momentum, numbers.Real)
                or not 0 <= momentum < 1):
            raise ValueError("`momentum` must be in [0, 1). Received: "
                             f"momentum={momentum!r} (of type {type(momentum)}).")
        self.momentum = float(momentum)
        self.nesterov = bool(nesterov)

    def compile_flags(self):
        flags = ["--optimizer=sgd", f"--momentum={self.momentum!r}"]
        if self.nesterov and self.momentum > 0:  # Nesterov without momentum is SGD
            flags.append("--nesterov")
        return flags

    def get_config(self):
        return dict(super().get_config(), momentum=self.momentum,
                    nesterov=self.nesterov)


class Adam(Optimizer):
    """Adam with Keras's defaults (``epsilon=1e-7``); bias-corrected."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-07, amsgrad=False, weight_decay=None, clipnorm=None,
                 clipvalue=None, global_clipnorm=None, name="Adam"):
        super().__init__(name, learning_rate, weight_decay, clipnorm, clipvalue,
                         global_clipnorm)
        self.beta_1 = _unit_float(beta_1, "beta_1", "Adam")
        self.beta_2 = _unit_float(beta_2, "beta_2", "Adam")
        self.epsilon = _positive_float(epsilon, "epsilon", "Adam")
        if amsgrad:
            raise ValueError("Adam: `amsgrad=True` is not supported by npu.keras")

    def compile_flags(self):
        return ["--optimizer=adam", f"--beta1={self.beta_1!r}",
                f"--beta2={self.beta_2!r}", f"--epsilon={self.epsilon!r}"]

    def get_config(self):
        return dict(super().get_config(), beta_1=self.beta_1, beta_2=self.beta_2,
                    epsilon=self.epsilon)


_BY_NAME = {"sgd": SGD, "adam": Adam}


def get(identifier):
    """An optimizer from a name (``"adam"``, ``"SGD"``) or an instance."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str):
        cls = _BY_NAME.get(identifier.lower())
        if cls is None:
            raise ValueError(f"Unknown optimizer: '{identifier}' (npu.keras "
                             f"supports: {', '.join(sorted(_BY_NAME))})")
        return cls()
    raise ValueError(f"Could not interpret optimizer identifier: {identifier!r}")
