"""Output formats: each module has ``write(findings, out, rules)``."""
from __future__ import annotations

from . import github, jsonlist, sarif, text

FORMATS = {"text": text.write, "json": jsonlist.write, "sarif": sarif.write, "github": github.write}
