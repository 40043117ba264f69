"""Weight initializers with Keras's names, defaults and formulas.

``get("glorot_uniform")``, ``get(HeNormal(seed=1))``: an initializer is
called with a shape and returns a float32 array. An initializer built with
``seed=`` returns the same values on every call (as Keras's); without a seed
it draws from the session generator (``npu.keras.utils.set_random_seed``).
Fans follow Keras: a kernel of shape ``(kh, kw, in, out)`` has
``fan_in = kh*kw*in`` and ``fan_out = kh*kw*out``.
"""

import math

import numpy as np

from . import backend

# stddev of a standard normal truncated to [-2, 2] (Keras's constant).
_TRUNCATED_NORMAL_STDDEV = 0.87962566103423978


def _compute_fans(shape):
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive_field = int(np.prod(shape[:-2]))
    return shape[-2] * receptive_field, shape[-1] * receptive_field


def _check_seed(seed):
    if seed is not None and (not isinstance(seed, (int, np.integer))
                             or isinstance(seed, bool)):
        raise TypeError(f"seed must be an integer or None, got {seed!r}")
    return seed


class Initializer:
    """Base class: ``initializer(shape) -> float32 array``."""

    def __call__(self, shape, dtype=None):
        raise NotImplementedError

    def get_config(self):
        return {}

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class _RandomInitializer(Initializer):
    def __init__(self, seed=None):
        self.seed = _check_seed(seed)

    def _rng(self):
        if self.seed is None:
            return backend.global_rng()
        return np.random.default_rng(self.seed)

    def _truncated_normal(self, rng, shape, mean, stddev):
        """Normal values, resampled until within two stddevs of the mean."""
        values = rng.standard_normal(shape)
        while True:
            outside = np.abs(values) > 2.0
            if not outside.any():
                break
            values[outside] = rng.standard_normal(int(outside.sum()))
        return mean + stddev * values


class Zeros(Initializer):
    def __call__(self, shape, dtype=None):
        return np.zeros(shape, np.float32)


class Ones(Initializer):
    def __call__(self, shape, dtype=None):
        return np.ones(shape, np.float32)


class Constant(Initializer):
    def __init__(self, value=0):
        if not isinstance(value, (int, float, np.integer, np.floating)):
            raise TypeError(f"Constant expects a scalar value, got {value!r}")
        self.value = float(value)

    def __call__(self, shape, dtype=None):
        return np.full(shape, self.value, np.float32)

    def get_config(self):
        return {"value": self.value}


class RandomNormal(_RandomInitializer):
    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        super().__init__(seed)
        self.mean, self.stddev = float(mean), float(stddev)

    def __call__(self, shape, dtype=None):
        rng = self._rng()
        return (self.mean + self.stddev * rng.standard_normal(shape)).astype(np.float32)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class RandomUniform(_RandomInitializer):
    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        super().__init__(seed)
        self.minval, self.maxval = float(minval), float(maxval)
        if self.minval > self.maxval:
            raise ValueError(f"RandomUniform needs minval <= maxval, got "
                             f"{self.minval} > {self.maxval}")

    def __call__(self, shape, dtype=None):
        rng = self._rng()
        return rng.uniform(self.minval, self.maxval, shape).astype(np.float32)

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


class TruncatedNormal(_RandomInitializer):
    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        super().__init__(seed)
        self.mean, self.stddev = float(mean), float(stddev)

    def __call__(self, shape, dtype=None):
        rng = self._rng()
        return self._truncated_normal(rng, shape, self.mean,
                                      self.stddev).astype(np.float32)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class VarianceScaling(_RandomInitializer):
    """``scale / n`` variance, ``n`` = fan_in, fan_out or their mean."""

    _MODES = ("fan_in", "fan_out", "fan_avg")
    _DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "uniform")

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal",
                 seed=None):
        super().__init__(seed)
        if not scale > 0:
            raise ValueError(f"VarianceScaling needs scale > 0, got {scale}")
        if mode not in self._MODES:
            raise ValueError(f"VarianceScaling mode must be one of "
                             f"{', '.join(self._MODES)}, got {mode!r}")
        if distribution == "normal":
            distribution = "truncated_normal"
        if distribution not in self._DISTRIBUTIONS:
            raise ValueError(f"VarianceScaling distribution must be one of "
                             f"{', '.join(self._DISTRIBUTIONS)}, got {distribution!r}")
        self.scale, self.mode, self.distribution = float(scale), mode, distribution

    def __call__(self, shape, dtype=None):
        fan_in, fan_out = _compute_fans(tuple(shape))
        n = {"fan_in": fan_in, "fan_out": fan_out,
             "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        variance = self.scale / max(1.0, n)
        rng = self._rng()
        if self.distribution == "truncated_normal":
            stddev = math.sqrt(variance) / _TRUNCATED_NORMAL_STDDEV
            values = self._truncated_normal(rng, shape, 0.0, stddev)
        elif self.distribution == "untruncated_normal":
            values = math.sqrt(variance) * rng.standard_normal(shape)
        else:
            limit = math.sqrt(3.0 * variance)
            values = rng.uniform(-limit, limit, shape)
        return values.astype(np.float32)

    def get_config(self):
        return {"scale": self.scale, "mode": self.mode,
                "distribution": self.distribution, "seed": self.seed}


class GlorotUniform(VarianceScaling):
    def __init__(self, seed=None):
        super().__init__(1.0, "fan_avg", "uniform", seed)

    def get_config(self):
        return {"seed": self.seed}


class GlorotNormal(VarianceScaling):
    def __init__(self, seed=None):
        super().__init__(1.0, "fan_avg", "truncated_normal", seed)

    def get_config(self):
        return {"seed": self.seed}


class HeNormal(VarianceScaling):
    def __init__(self, seed=None):
        super().__init__(2.0, "fan_in", "truncated_normal", seed)

    def get_config(self):
        return {"seed": self.seed}


class HeUniform(VarianceScaling):
    def __init__(self, seed=None):
        super().__init__(2.0, "fan_in", "uniform", seed)

    def get_config(self):
        return {"seed": self.seed}


class LecunNormal(VarianceScaling):
    def __init__(self, seed=None):
        super().__init__(1.0, "fan_in", "truncated_normal", seed)

    def get_config(self):
        return {"seed": self.seed}


class LecunUniform(VarianceScaling):
    def __init__(self, seed=None):
        super().__init__(1.0, "fan_in", "uniform", seed)

    def get_config(self):
        return {"seed": self.seed}


_BY_NAME = {
    "zeros": Zeros, "ones": Ones, "constant": Constant,
    "random_normal": RandomNormal, "random_uniform": RandomUniform,
    "truncated_normal": TruncatedNormal, "variance_scaling": VarianceScaling,
    "glorot_uniform": GlorotUniform, "glorot_normal": GlorotNormal,
    "he_normal": HeNormal, "he_uniform": HeUniform,
    "lecun_normal": LecunNormal, "lecun_uniform": LecunUniform,
}
# Keras also accepts the class names ("GlorotUniform").
_BY_NAME.update({cls.__name__: cls for cls in list(_BY_NAME.values())})

# Keras's function-style aliases: keras.initializers.zeros(), ...
zeros, ones, constant = Zeros, Ones, Constant
glorot_uniform, glorot_normal = GlorotUniform, GlorotNormal
he_normal, he_uniform = HeNormal, HeUniform
lecun_normal, lecun_uniform = LecunNormal, LecunUniform
random_normal, random_uniform = RandomNormal, RandomUniform
truncated_normal = TruncatedNormal


def get(identifier):
    """An initializer from a name, an instance, or None (None stays None)."""
    if identifier is None or isinstance(identifier, Initializer):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Initializer):
        return identifier()
    if isinstance(identifier, str):
        if identifier not in _BY_NAME:
            names = sorted(n for n in _BY_NAME if n.islower())
            raise ValueError(f"Unknown initializer: '{identifier}' (known: "
                             f"{', '.join(names)})")
        return _BY_NAME[identifier]()
    raise ValueError(f"Could not interpret initializer identifier: {identifier!r}")
