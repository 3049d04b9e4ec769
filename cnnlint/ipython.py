"""IPython syntax in notebooks and in scripts exported from them: masked, never a parse error."""
from __future__ import annotations

import re

IPYTHON_LINE = re.compile(r"^([ \t]*)(?:[!%]|\?\w|\w[\w.]*\?{1,2}\s*$).*$", re.MULTILINE)
# files = !ls, out = %timeit -o f(): the assignment stays, its value is unknown
IPYTHON_ASSIGN = re.compile(r"^([ \t]*[\w][\w., ]*=[ \t]*)[!%].*$", re.MULTILINE)


def mask_ipython(text: str) -> str:
    """IPython magics, shell escapes and ``?`` help lines become ``pass``; line numbers do not move.

    A ``%%cell magic`` (``%%time``, ``%%capture``) keeps the Python below it; other cell magics
    (``%%bash``, ``%%html``...) hold no Python, so their whole cell is masked.
    """
    first = text.lstrip().split("\n", 1)[0]
    if first.startswith("%%") and first.split()[0] not in PYTHON_CELL_MAGICS:
        return re.sub(r"(?m)^.*$", "pass", text) if text.strip() else text
    text = IPYTHON_ASSIGN.sub(lambda m: m.group(1) + "__ipython__()", text)
    return IPYTHON_LINE.sub(lambda m: m.group(1) + "pass", text)


PYTHON_CELL_MAGICS = {"%%time", "%%timeit", "%%capture", "%%prun", "%%python", "%%python3", "%%debug"}
