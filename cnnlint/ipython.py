"""IPython syntax in notebooks and in scripts exported from them: masked, never a parse error.

Masking keeps line numbers: a masked line becomes ``pass`` (or ``name = __ipython__()`` for
``files = !ls``), a ``\\``-continued shell line masks its continuation lines too, and a cell
indented as a whole is dedented first, as IPython does.
"""
from __future__ import annotations

import re
import textwrap

# %magic (a letter after %), %%cell magic, !shell (not !=), ?obj, obj? and obj??
MAGIC = r"(?:%%?[A-Za-z]|!(?!=)|\?\w|\w[\w.]*\?{1,2}\s*$)"
IPYTHON_LINE = re.compile(rf"^([ \t]*){MAGIC}")
# files = !ls, out = %timeit -o f(): the assignment stays, its value is unknown
IPYTHON_ASSIGN = re.compile(r"^([ \t]*[A-Za-z_][\w., ]*=[ \t]*)(?:!(?!=)|%[A-Za-z])")
PYTHON_CELL_MAGICS = {"%%time", "%%timeit", "%%capture", "%%prun", "%%python", "%%python3", "%%debug"}


def mask_ipython(text: str) -> str:
    """IPython magics, shell escapes and ``?`` help lines become Python; line numbers do not move.

    A ``%%cell magic`` (``%%time``, ``%%capture``) keeps the Python below it; other cell magics
    (``%%bash``, ``%%html``, ``%%writefile``...) hold no Python, so their whole cell is masked.
    """
    first = text.lstrip().split("\n", 1)[0]
    if first.startswith("%%") and first.split()[0] not in PYTHON_CELL_MAGICS:
        return re.sub(r"(?m)^.*$", "pass", text) if text.strip() else text
    out = []
    continued = False
    depth = 0  # open brackets: a line inside them continues an expression and is never a magic
    for line in text.split("\n"):
        if continued:
            out.append(_indent(out[-1]) + "pass" if out else "pass")
            continued = line.rstrip().endswith("\\")
            continue
        assign = IPYTHON_ASSIGN.match(line) if depth == 0 else None
        if assign:
            out.append(assign.group(1) + "__ipython__()")
            continued = line.rstrip().endswith("\\")
            continue
        magic = IPYTHON_LINE.match(line) if depth == 0 else None
        if magic:
            out.append(magic.group(1) + "pass")
            continued = line.rstrip().endswith("\\")
            continue
        out.append(line)
        depth = max(0, depth + _bracket_balance(line))
    return "\n".join(out)


def dedent_cell(source: str) -> str:
    """IPython runs a cell indented as a whole as if it were not."""
    return textwrap.dedent(source) if source[:1] in (" ", "\t") else source


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _bracket_balance(line: str) -> int:
    """Opened minus closed brackets outside strings and comments (good enough for line starts)."""
    code = re.sub(r"(\"\"\"|''')|\"(?:\\.|[^\"\\])*\"|'(?:\\.|[^'\\])*'", "", line).split("#", 1)[0]
    return sum(code.count(c) for c in "([{") - sum(code.count(c) for c in ")]}")
