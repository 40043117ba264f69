"""Session-wide state of ``npu.keras``: unique layer names and the random
generator that initializers and ``fit(shuffle=True)`` draw from.

As in Keras, layer and model names are unique per session (``dense``,
``dense_1``, ...) and ``clear_session()`` starts the counters again;
``npu.keras.utils.set_random_seed(seed)`` makes weight initialization and
shuffling reproducible.
"""

import collections
import re

import numpy as np

_name_counts = collections.defaultdict(int)
_rng = np.random.default_rng()


def to_snake_case(name):
    """``MaxPooling2D`` -> ``max_pooling2d`` (Keras's rule)."""
    intermediate = re.sub("(.)([A-Z][a-z0-9]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", intermediate).lower()


def unique_object_name(prefix, zero_based=True):
    """``prefix`` the first time, then ``prefix_1``, ``prefix_2``, ...
    (one-based: ``prefix_1``, ``prefix_2``, ..., as Keras names inputs)."""
    count = _name_counts[prefix]
    _name_counts[prefix] += 1
    if zero_based:
        return prefix if count == 0 else f"{prefix}_{count}"
    return f"{prefix}_{count + 1}"


def clear_session():
    """Resets the layer and model name counters."""
    _name_counts.clear()


def set_random_seed(seed):
    """Seeds the generator behind unseeded initializers, Dropout masks and
    shuffling (``keras.utils.set_random_seed``)."""
    global _rng
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise TypeError(f"seed must be an integer, got {type(seed).__name__}")
    _rng = np.random.default_rng(int(seed))


def global_rng():
    """The session's NumPy generator."""
    return _rng
