"""Datasets, as ``keras.datasets`` has them (read from Debian packages)."""

from . import fashion_mnist

__all__ = ["fashion_mnist"]
