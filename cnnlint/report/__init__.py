"""Output formats: each module has ``write(findings, out, rules)``."""
from __future__ import annotations

from . import jsonlist, text

FORMATS = {"text": text.write, "json": jsonlist.write}
