"""The lint run: files -> project analysis -> rules -> findings."""
from __future__ import annotations

import os
import re
import sys
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .analysis.project import Project, display_path
from .rules import BY_CODE, Rule
from .sources import SourceError, Texts, discover, is_relevant, read

STACK_BYTES = 512 * 1024 * 1024  # virtual memory; only what deep recursion touches is used
RECURSION_LIMIT = 20_000
NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*))?", re.IGNORECASE)
IGNORE = re.compile(r"#\s*cnnlint:\s*ignore\[(?P<codes>[^\]]*)\]")


@dataclass(frozen=True, order=True)
class Finding:
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    code: str
    name: str
    message: str
    cell: int | None = None  # notebooks: the cell (1-based, among all cells); line is within it

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Result:
    findings: list[Finding]
    files: int  # files looked at
    warnings: list[str] = field(default_factory=list)  # internal errors, one line each


def lint(paths: list[Path], rules: tuple[Rule, ...]) -> Result:
    """Lint files and folders; runs on a thread with a large stack, so deep but valid code is analysed."""
    return _on_big_stack(_lint, paths, rules)


def _on_big_stack(fn, *args):
    outcome: dict = {}

    def run():
        try:
            outcome["value"] = fn(*args)
        except BaseException as e:  # re-raised on the calling thread
            outcome["error"] = e

    limit = sys.getrecursionlimit()
    previous = threading.stack_size(STACK_BYTES)
    sys.setrecursionlimit(max(limit, RECURSION_LIMIT))
    try:
        worker = threading.Thread(target=run, name="cnnlint")
        worker.start()
        worker.join()
    finally:
        threading.stack_size(previous)
        sys.setrecursionlimit(limit)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def _lint(paths: list[Path], rules: tuple[Rule, ...]) -> Result:
    files = discover(paths)
    root = _root(paths)
    data: dict[Path, bytes] = {}
    findings: list[Finding] = []
    for path in files:
        try:
            data[path] = read(path)
        except SourceError as e:
            findings.append(_file_error(path, str(e)))
    texts = Texts()
    project = Project(data, root, texts)
    for path in files:
        if path in data and is_relevant(data[path]):
            project.run(path)
    warnings: list[str] = []
    codes = {r.code for r in rules}
    if "CNN000" in codes:
        findings.extend(_file_error(p, msg, texts.cell_maps.get(p)) for p, msg in project.errors.items())
    else:
        findings.clear()
    for state in project.modules.values():
        lines = None
        for rule in rules:
            if rule.check is None:
                continue
            try:
                reported = list(rule.check(state))
            except Exception as e:
                warnings.append(f"internal error in {rule.code} on {state.display}: {type(e).__name__}: {e}")
                continue
            for node, message in reported:
                try:
                    line, col, end_line, end_col = state.span(node)
                except KeyError:
                    continue  # a node of another module: reported there
                lines = lines if lines is not None else state.tree.code.splitlines()
                if _suppressed(lines, line, rule.code):
                    continue
                cell = None
                if state.path in texts.cell_maps:
                    cell, in_cell = texts.cell_maps[state.path].locate(line)
                    line, end_line = in_cell, in_cell + end_line - line
                findings.append(Finding(state.display, line, col, end_line, end_col, rule.code, rule.name,
                                        message, cell))
    warnings += [f"internal error while analysing {display_path(p)}: {msg}" for p, msg in project.internal.items()]
    return Result(_first_per_place(findings), len(files), warnings)


def _first_per_place(findings: list[Finding]) -> list[Finding]:
    """One finding per place and code: a loop or several callers can reach one line many times."""
    seen: dict[tuple, Finding] = {}
    for f in findings:
        seen.setdefault((f.path, f.line, f.column, f.code), f)
    return sorted(seen.values())


def _suppressed(lines: list[str], line: int, code: str) -> bool:
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    if "#" not in text:
        return False
    m = NOQA.search(text)
    if m and (m.group("codes") is None or code in re.split(r"[\s,]+", m.group("codes").upper())):
        return True
    m = IGNORE.search(text)
    return bool(m and code in re.split(r"[\s,]+", m.group("codes").upper()))


def _file_error(path: Path, message: str, cells=None) -> Finding:
    m = re.search(r"line (\d+), column (\d+)", message)
    line, col = (int(m.group(1)), int(m.group(2))) if m else (1, 1)
    cell = None
    if cells is not None:
        cell, line = cells.locate(line)
        message = re.sub(r"(Syntax Error @ )?\d+:\d+\.? ?|\(line \d+, column \d+\)", "", message).strip()
        message = f"{message} (cell {cell}, line {line}, column {col})"
    rule = BY_CODE["CNN000"]
    return Finding(display_path(path), line, col, line, col, rule.code, rule.name, message, cell)




def _root(paths: list[Path]) -> Path:
    folders = [str((p if p.is_dir() else p.parent).resolve()) for p in paths]
    return Path(os.path.commonpath(folders)) if folders else Path.cwd()
