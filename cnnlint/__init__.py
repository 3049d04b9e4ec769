"""cnnlint: a static linter for the code that prepares images for pre-trained CNNs."""

__version__ = "0.1.0"
