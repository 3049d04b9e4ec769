"""The lint run: files -> project analysis -> rules -> findings."""
from __future__ import annotations

import os
import re
import sys
import threading
from dataclasses import dataclass, field, fields
from pathlib import Path

from typing import TYPE_CHECKING

import pathspec

from .analysis.facts import Loc, mentions
from .cache import Cache
from .config import Settings
from .groups import groups
from .rules import ALL_RULES, BY_CODE, Rule, matches
from .sources import SourceError, Texts, decode, discover, display_path, escaped, is_relevant, read, real

if TYPE_CHECKING:
    import libcst as cst

    from .analysis.project import ModuleState
    from .fixes import FileFix, Fix

STACK_BYTES = 512 * 1024 * 1024  # virtual memory; only what deep recursion touches is used
RECURSION_LIMIT = 20_000
PARALLEL_MIN_BYTES = 256 * 1024  # less code than this is analysed faster than worker processes start
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
    fix: Fix | None = field(default=None, compare=False, repr=False)
    related: tuple[Loc, ...] = field(default=(), compare=False, repr=False)  # the places the message names

    def sort_key(self) -> tuple:
        return self.path, self.cell or 0, self.line, self.column, self.code

    def as_dict(self) -> dict:
        """The finding as the JSON output reports it."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name not in ("fix", "related")}

    def cached(self) -> dict:
        """The finding as a cache entry holds it (everything but the fix)."""
        return {**self.as_dict(), "related": [list(loc) for loc in self.related]}

    @classmethod
    def from_cache(cls, entry: dict) -> Finding:
        return cls(**{**entry, "related": tuple(Loc(*loc) for loc in entry["related"])})


@dataclass
class Result:
    findings: list[Finding]
    files: int  # files looked at
    warnings: list[str] = field(default_factory=list)  # internal errors, one line each
    suppressed: list[Finding] = field(default_factory=list)  # hidden by a noqa comment
    fixed: list[FileFix] = field(default_factory=list)  # with fix=True: the files to rewrite
    fixes: list[ModuleFixes] = field(default_factory=list)  # with offer_fixes=True: per module, not applied
    read: list[Path] = field(default_factory=list)  # the files whose text was used: linted and imported


@dataclass
class Workspace:
    """What an editor knows beyond the files on disk: the project the linted files belong to, and the
    texts it has not saved yet."""

    root: Path  # the project's folder: module names are relative to it
    files: list[Path]  # the project's files, which the linted ones may import
    buffers: dict[Path, bytes] = field(default_factory=dict)  # unsaved texts, used instead of the files


def lint(paths: list[Path], rules: tuple[Rule, ...] | None = None, settings: Settings | None = None,
         force_exclude: bool = False, stdin: tuple[Path, bytes] | None = None, fix: bool = False,
         jobs: int = 1, cache_dir: Path | None = None, workspace: Workspace | None = None,
         offer_fixes: bool = False) -> Result:
    """Lint files and folders (or one text from standard input, reported under its path).

    ``jobs`` > 1 analyses independent groups of files in that many processes; ``cache_dir``
    reuses the results of groups whose files did not change. Both give the same findings, in
    the same order, as one process without a cache. ``fix`` applies the certain fixes (the
    files to rewrite are in ``Result.fixed``); ``offer_fixes`` keeps them, unapplied, in
    ``Result.fixes`` (for an editor, with the project and buffers of its ``workspace``).
    """
    settings = settings or Settings()
    run = Run(rules if rules is not None else settings.rules, settings, fix, jobs, cache_dir, offer_fixes)
    return _on_big_stack(run, paths, force_exclude, stdin, workspace)


def _on_big_stack(fn, *args):
    """Run ``fn`` on a thread with a large stack, so deep but valid code is analysed."""
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


@dataclass
class Run:
    """One lint run: files -> groups -> (cache | workers | here) -> findings."""

    rules: tuple[Rule, ...]
    settings: Settings
    fix: bool
    jobs: int
    cache_dir: Path | None
    offer_fixes: bool = False

    @property
    def keep_fixes(self) -> bool:
        return self.fix or self.offer_fixes

    def __call__(self, paths, force_exclude: bool, stdin, workspace: Workspace | None) -> Result:
        settings = self.settings
        unreadable: dict[Path, str] = {}
        buffers = dict(workspace.buffers) if workspace else {}
        self.stdin_path = stdin[0] if stdin else None
        if stdin is not None:
            files = [stdin[0]]
            buffers[stdin[0]] = stdin[1]
        else:
            files = discover(paths, settings.excluded, settings.respect_gitignore, settings.root, force_exclude,
                             unreadable)
        sources = LazySources(files, buffers, workspace.files if workspace else None)
        sources.errors.update(unreadable)  # CNN000 on the folder: its files were not checked
        relevant = [p for p in files if (data := sources.get(p)) is not None and is_relevant(data)]
        result = Result([], len(files))
        raw: list[tuple[Finding, bool]] = [(_file_error(p, msg), False) for p, msg in sources.errors.items()]
        self.projects, self.texts = [], Texts()
        if relevant:  # otherwise libcst is never imported
            root = workspace.root if workspace else _root(paths if stdin is None else [stdin[0]])
            work = groups(relevant, list(sources.known), sources.get, root)
            raw += self.analyse_all(work, sources, root, result)
        codes = {r.code for r in self.rules}
        ignores = PerFileIgnores(settings)
        chosen = [(f, hidden) for f, hidden in raw if f.code in codes and not ignores(f)]
        result.findings = _first_per_place(f for f, hidden in chosen if not hidden)
        result.suppressed = _first_per_place(f for f, hidden in chosen if hidden)
        result.read = list(sources)
        if self.keep_fixes:
            result.fixes = offered_fixes(result.findings, self.projects, sources, self.texts)
        if self.fix:
            _fix(result, self.stdin_path)
        return result

    def analyse_all(self, work: list[list[Path]], sources, root: Path, result: Result) -> list:
        """Every group's findings: from the cache, from worker processes, or analysed here."""
        cache = Cache(self.cache_dir) if self.cache_dir is not None and not self.fix and not self.stdin_path \
            else None
        entries: dict[int, dict] = {}
        todo = []
        for i, group in enumerate(work):
            key = cache.key(group, sources.get, root) if cache else None
            entry = cache.get(key) if cache and not self.keep_fixes else None  # cached findings have no fixes
            if entry is not None and _well_formed(entry):
                entries[i] = {**entry, "findings": [Finding.from_cache(f) for f in entry["findings"]]}
            else:
                todo.append((i, group, key))
        small = sum(len(sources.get(p) or b"") for _, group, _ in todo for p in group) < PARALLEL_MIN_BYTES
        if self.keep_fixes or self.jobs <= 1 or len(todo) < 2 or small:
            for i, group, _ in todo:
                entry, project = analyse_group(group, sources, root, self.texts, keep_fixes=self.keep_fixes)
                entries[i] = entry
                if self.keep_fixes:  # the module states are kept only for fixing: they are large
                    self.projects.append(project)
        else:
            import multiprocessing

            payload = [(group, {p: sources.get(p) for p in group}, root) for _, group, _ in todo]
            with multiprocessing.get_context("fork").Pool(min(self.jobs, len(todo))) as pool:
                for (i, _, _), entry in zip(todo, pool.imap(_analyse_in_worker, payload)):
                    entries[i] = entry
        if cache:
            for i, _, key in todo:
                cache.put(key, {**entries[i], "findings": [f.cached() for f in entries[i]["findings"]]})
        raw = []
        for i in sorted(entries):
            entry = entries[i]
            raw += list(zip(entry["findings"], entry["hidden"]))
            result.warnings += entry["warnings"]
        return raw


# A cached finding, as Finding.cached() wrote it
_FIELDS = {"path": str, "line": int, "column": int, "end_line": int, "end_column": int, "code": str, "name": str,
           "message": str, "cell": (int, type(None)), "related": list}


def _well_formed(entry: dict) -> bool:
    """Whether a cache entry can be turned back into findings; a damaged one is analysed again."""
    findings, hidden, warnings = (entry.get(k) for k in ("findings", "hidden", "warnings"))
    return (isinstance(findings, list) and isinstance(hidden, list) and isinstance(warnings, list)
            and len(findings) == len(hidden) and all(isinstance(h, bool) for h in hidden)
            and all(isinstance(w, str) for w in warnings)
            and all(isinstance(f, dict) and f.keys() == _FIELDS.keys() and f["code"] in BY_CODE
                    and all(isinstance(f[k], t) for k, t in _FIELDS.items())
                    and all(_is_loc(loc) for loc in f["related"]) for f in findings))


def _is_loc(value) -> bool:
    """A cached ``Loc``: [path, line, cell or null]."""
    return (isinstance(value, list) and len(value) == 3 and isinstance(value[0], str)
            and isinstance(value[1], int) and isinstance(value[2], (int, type(None))))


def _analyse_in_worker(payload) -> dict:
    group, data, root = payload
    return _on_big_stack(lambda: analyse_group(group, data, root, Texts(), keep_fixes=False)[0])


def analyse_group(group: list[Path], sources, root: Path, texts: Texts, keep_fixes: bool):
    """Analyse one group of files together, with every rule.

    Returns an entry (findings, their suppressed flags, warnings; the findings hold their
    fixes only with ``keep_fixes``) and the project, whose module states the fixes need.
    """
    from .analysis.project import Project

    project = Project({p: data for p in group if (data := sources.get(p)) is not None}, root, texts)
    for path in group:
        if path in project.sources and is_relevant(project.sources[path]):
            project.run(path)
    findings: list = []
    hidden: list[bool] = []
    warnings: list[str] = []
    for path, msg in project.errors.items():
        findings.append(_file_error(path, msg, texts.cell_maps.get(path)))
        hidden.append(False)
    for state in project.modules.values():
        with mentions() as mentioned:
            reported = list(_reports(state, warnings))
        places = set(mentioned)
        lines = state.text.splitlines()
        for rule, node, message, offered in reported:
            try:
                line, col, end_line, end_col = state.span(node)
            except KeyError:
                continue  # a node of another module: reported there
            suppressed = _suppressed(lines, line, rule.code)
            cell = None
            if state.cells is not None:
                cell, in_cell = state.cells.locate(line)
                line, end_line = in_cell, in_cell + end_line - line
            fix = offered[0] if offered and keep_fixes else None
            findings.append(Finding(state.display, line, col, end_line, end_col, rule.code, rule.name,
                                    one_line(message), cell, fix, _named_in(message, places, state.display)))
            hidden.append(suppressed)
    warnings += [f"internal error while analysing {display_path(p)}: {msg}" for p, msg in project.internal.items()]
    return {"findings": findings, "hidden": hidden, "warnings": warnings}, project


def _reports(state: ModuleState, warnings: list[str]):
    """(rule, node, message, offered fix or nothing) for every rule's findings in one module."""
    for rule in ALL_RULES:
        if rule.check is None:
            continue
        try:
            reported = list(rule.check(state))
        except Exception as e:
            warnings.append(f"internal error in {rule.code} on {state.display}: {type(e).__name__}: {e}")
            continue
        for node, message, *offered in reported:
            yield rule, node, message, offered


def _named_in(message: str, places: set[Loc], here: str) -> tuple[Loc, ...]:
    """The places the message names (``loaded at line 12``, ``/ 255 at imaging.py:6``), in its order."""
    found = []
    for loc in places:
        m = re.search(rf"(?<![\w.]){re.escape(loc.text(here))}(?!\w)", message)
        if m:
            found.append((m.start(), loc))
    return tuple(loc for _, loc in sorted(found))


@dataclass
class ModuleFixes:
    """The certain fixes offered in one module, applied on demand: all of them (``--fix``), or
    some (an editor's quick fix). Holds the module's syntax tree, which the fixes edit."""

    path: Path
    display: str
    tree: cst.Module
    lost: str  # what the text has beyond the tree's code (see _lost_by_libcst)
    original: bytes  # the file as read
    encoding: str
    offered: list[Finding]  # the findings with a fix

    def apply(self, findings: list[Finding]) -> tuple[FileFix, list[Finding]] | None:
        """The file with the fixes of ``findings`` applied, and the findings fixed (None: no fix applies).
        Raises when a fix gives code that does not parse."""
        from .fixes import FileFix, fixed_module

        after, applied = fixed_module(self.tree, [f.fix for f in findings])
        if not applied:
            return None
        change = FileFix(self.path, self.display, self.tree.code + self.lost, after + self.lost, len(applied),
                         self.original, self.encoding)
        return change, [f for f in findings if any(f.fix is a for a in applied)]


def offered_fixes(findings: list[Finding], projects: list, sources: LazySources, texts: Texts) -> list[ModuleFixes]:
    """The certain fixes of the findings, per module that can take them."""
    out = []
    for state in (state for project in projects for state in project.modules.values()):
        offered = [f for f in findings if f.fix is not None and f.path == state.display]
        if not offered or state.cells is not None:  # notebooks are never rewritten
            continue
        lost = _lost_by_libcst(state.tree.code, decode(sources[state.path]))
        if lost is None:  # parsed with IPython syntax masked or tabs expanded: writing it back would lose them
            continue
        out.append(ModuleFixes(state.path, state.display, state.tree, lost, sources[state.path],
                               texts.encodings.get(state.path, "utf-8"), offered))
    return out


def _fix(result: Result, stdin_path: Path | None) -> None:
    """Apply the certain fixes, module by module; the findings they fix are no longer reported."""
    done: set[int] = set()
    for module in result.fixes:
        if module.path == stdin_path:  # nowhere to write it
            continue
        try:
            outcome = module.apply(module.offered)
        except Exception as e:  # a fix that does not re-parse: leave the file, say so
            result.warnings.append(f"fix not applied to {module.display}: {type(e).__name__}: {e}")
            continue
        if outcome is not None:
            change, fixed = outcome
            result.fixed.append(change)
            done |= {id(f) for f in fixed}
    result.findings = [f for f in result.findings if id(f) not in done]


def _lost_by_libcst(code: str, text: str) -> str | None:
    """What the parsed module's code lacks of the file's text: "" when it is the text, the final
    line ending of a file that ends in a lone CR (libcst drops it), None when the module was parsed
    from another text (IPython syntax masked, tabs expanded), which a fix must never write back."""
    if code == text:
        return ""
    rest = text[len(code):]
    return rest if text.startswith(code) and rest and not rest.strip("\r") else None


class LazySources(dict):
    """File bytes, read when first needed (an editor's unsaved buffer, or standard input, instead of
    the file when there is one); also knows the importable files: ``known``, else the neighbours of
    the linted files. Iterating gives the files read so far."""

    def __init__(self, files: list[Path], buffers: dict[Path, bytes], known: list[Path] | None = None):
        super().__init__()
        self.buffers = buffers
        self.errors: dict[Path, str] = {}
        self.known = dict.fromkeys(files)
        if known is not None:
            self.known.update(dict.fromkeys(known))
        else:
            for folder in {f.parent for f in files}:
                try:
                    self.known.update(dict.fromkeys(sorted(folder.glob("*.py"))))
                except OSError:
                    pass
        self.known.update(dict.fromkeys(buffers))

    def __contains__(self, path) -> bool:
        return path in self.known

    def __missing__(self, path: Path) -> bytes:
        if path in self.buffers:
            data = self.buffers[path]
        else:
            try:
                data = read(path)
            except SourceError as e:
                self.errors[path] = str(e)
                raise
        dict.__setitem__(self, path, data)
        return data

    def get(self, path, default=None):
        try:
            return self[path]
        except (SourceError, KeyError):
            return default


class PerFileIgnores:
    """``per-file-ignores``: glob (gitignore-style, relative to the settings' root) -> codes."""

    def __init__(self, settings: Settings):
        self.root = settings.root
        self.rules = [(pathspec.GitIgnoreSpec.from_lines([glob]), codes)
                      for glob, codes in settings.per_file_ignores.items()]

    def __call__(self, finding: Finding) -> bool:
        if not self.rules:
            return False
        path = real(Path(finding.path))
        try:
            rel = path.relative_to(self.root).as_posix()
        except ValueError:
            rel = finding.path
        return any(matches(finding.code, codes) and spec.match_file(rel) for spec, codes in self.rules)


def _first_per_place(findings) -> list[Finding]:
    """One finding per place and code: a loop or several callers can reach one line many times."""
    seen: dict[tuple, Finding] = {}
    for f in findings:
        seen.setdefault((f.path, f.line, f.column, f.code), f)
    return sorted(seen.values(), key=lambda f: f.sort_key())


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
    return Finding(display_path(path), line, col, line, col, rule.code, rule.name, one_line(message), cell)


MAX_QUOTE = 80


def one_line(message: str) -> str:
    """A message as one printable line: messages quote the user's code, which can span lines
    (``predict(np.stack([\n x,\n]))``), hold control characters (an ANSI escape in a string) or be
    thousands of characters long, but every output format promises one finding per line."""
    message = re.sub(r"\s*\n\s*", " ", message)
    message = re.sub(rf"`([^`]{{{MAX_QUOTE},}})`", lambda m: f"`{m.group(1)[:MAX_QUOTE - 3]}...`", message)
    return escaped(message)




def _root(paths: list[Path]) -> Path:
    folders = [str(real(p if p.is_dir() else p.parent)) for p in paths]
    return Path(os.path.commonpath(folders)) if folders else Path.cwd()
