"""cnnlint: a static linter for the code that prepares images for pre-trained CNNs."""

__version__ = "0.2.0"


def load_ipython_extension(shell) -> None:
    """``%load_ext cnnlint``: watch the model calls of the cells that follow (needs TensorFlow)."""
    from .runtime.ipython import load

    load(shell)


def unload_ipython_extension(shell) -> None:
    from .runtime.ipython import unload

    unload(shell)
