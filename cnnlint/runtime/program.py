"""What ``cnnlint run`` executes: a script, or the code cells of a notebook.

A notebook's code cells run in order, in one namespace, as "Run All" runs them, with IPython
syntax handled as the static analysis handles it: magics and shell escapes are not run
(``x = !ls`` gives None), cells under ``%%time``-like magics keep their Python, cells under
``%%bash``-like magics are skipped. Each cell is compiled when its turn comes (a syntax error in
cell 5 stops the run there, after cells 1 to 4, as in Jupyter), with the line numbers of the
joined cells, which ``place`` turns back into (cell, line).
"""
from __future__ import annotations

import ast
import linecache
import os
from dataclasses import dataclass, field
from typing import Callable, Iterator

from ..ipython import dedent_cell
from ..sources import CellMap, SourceError, code_cells, decode, kernel_language, notebook_program, read, read_notebook


class ProgramError(ValueError):
    """A script or notebook cnnlint run cannot run; its text is the one line shown."""


@dataclass
class Program:
    typed: str  # the path as typed
    path: str  # absolute
    data: bytes
    text: str  # the code: a script's own, or a notebook's code cells joined, IPython syntax masked
    cells: CellMap | None = None
    not_run: list[str] = field(default_factory=list)  # a notebook's IPython lines, "cell 2, line 1: !pip ..."

    @classmethod
    def read(cls, typed: str) -> Program:
        path = os.path.abspath(typed)
        try:
            data = read(path)
            if not typed.endswith(".ipynb"):
                return cls(typed, path, data, _text(data))
            nb = read_notebook(data)
            language = kernel_language(nb)
            if language is not None and not language.lower().startswith("python"):
                raise ProgramError(f"{typed}: the notebook's kernel is {language}, not Python")
            text, cells = notebook_program(data)
            program = cls(typed, path, data, text, cells)
            program.not_run = [f"cell {number}, line {k}: {was.strip()}" for number, source in code_cells(nb)
                               for k, (was, now) in enumerate(zip(dedent_cell(source).split("\n"),
                                                                  program.cell_lines(number)), start=1)
                               if was != now]
        except SourceError as e:
            raise ProgramError(f"{typed}: {e}") from None
        return program

    @property
    def notebook(self) -> bool:
        return self.cells is not None

    def cell_lines(self, number: int) -> list[str]:
        lines = self.text.split("\n")
        start = self.cells.line_of(number, 1)
        i = self.cells.cells.index(number)
        end = self.cells.starts[i + 1] if i + 1 < len(self.cells.starts) else len(lines)
        return lines[start - 1:end - 1]

    def place(self, line: int) -> tuple[int | None, int]:
        """(cell, line within it) of a line of the program; (None, line) in a script."""
        return self.cells.locate(line) if self.cells is not None else (None, line)

    def where(self, line: int) -> str:
        """``14`` in a script, ``cell 3:2`` in a notebook (as the linter writes places)."""
        cell, line = self.place(line)
        return f"cell {cell}:{line}" if cell is not None else str(line)

    def chunks(self) -> Iterator[Callable[[], object]]:
        """The code to run, in order: the script's, or each code cell's (compiled when its turn comes)."""
        if not self.notebook:
            yield lambda: compile(self.data, self.path, "exec", dont_inherit=True)
            return
        linecache.cache[self.path] = (len(self.text), None, self.text.splitlines(True), self.path)  # tracebacks
        for number in self.cells.cells:
            yield lambda number=number: self._compile_cell(number)

    def _compile_cell(self, number: int):
        try:
            tree = ast.parse("\n".join(self.cell_lines(number)), self.path)
        except SyntaxError as e:  # shown with the cell it is in
            e.filename = f"{self.typed}, cell {number}"
            raise
        ast.increment_lineno(tree, self.cells.line_of(number, 1) - 1)
        return compile(tree, self.path, "exec", dont_inherit=True)


def _text(data: bytes) -> str:
    """A script's text, for its noqa comments and call lines: as Python decodes it, whatever its size
    (python, not cnnlint's analysis, runs it: a file the linter would not analyse still runs)."""
    try:
        return decode(data)
    except SourceError:
        return data.decode("utf-8", errors="replace")
