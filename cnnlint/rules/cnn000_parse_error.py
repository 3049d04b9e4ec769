"""CNN000: a file cnnlint cannot read or parse. Reported by the driver; the run goes on."""
from .base import Rule

RULE = Rule("CNN000", "parse-error", "A file cnnlint cannot read, decode or parse", check=None)
