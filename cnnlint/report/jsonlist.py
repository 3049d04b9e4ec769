"""A JSON list of findings (``[]`` when clean): what editors and scripts read."""
from __future__ import annotations

import json
from typing import TextIO


def write(findings, out: TextIO, rules=()) -> None:
    json.dump([f.as_dict() for f in findings], out, indent=2)
    out.write("\n")
