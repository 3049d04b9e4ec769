"""cnnlint run: execute a script with its model calls instrumented, measure, compare.

``from cnnlint.runtime import watch`` needs no TensorFlow until ``watch()`` is entered.
"""
from .watch import Report, RuntimeUnavailable, watch

__all__ = ["Report", "RuntimeUnavailable", "watch"]
