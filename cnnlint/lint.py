"""The lint run: files -> project analysis -> rules -> findings."""
from __future__ import annotations

import os
import re
import sys
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path

from typing import TYPE_CHECKING

import pathspec

from .cache import Cache
from .config import Settings
from .groups import groups
from .rules import BY_CODE, Rule, matches
from .rules.alternatives import real_runs
from .sources import SourceError, Texts, decode, discover, display_path, escaped, is_relevant, read, real

if TYPE_CHECKING:
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

    def sort_key(self) -> tuple:
        return self.path, self.cell or 0, self.line, self.column, self.code

    def as_dict(self) -> dict:
        out = asdict(self)
        del out["fix"]
        return out


@dataclass
class Result:
    findings: list[Finding]
    files: int  # files looked at
    warnings: list[str] = field(default_factory=list)  # internal errors, one line each
    suppressed: list[Finding] = field(default_factory=list)  # hidden by a noqa comment
    fixed: list[FileFix] = field(default_factory=list)  # with fix=True: the files to rewrite


def lint(paths: list[Path], rules: tuple[Rule, ...] | None = None, settings: Settings | None = None,
         force_exclude: bool = False, stdin: tuple[Path, bytes] | None = None, fix: bool = False,
         jobs: int = 1, cache_dir: Path | None = None) -> Result:
    """Lint files and folders (or one text from standard input, reported under its path).

    ``jobs`` > 1 analyses independent groups of files in that many processes; ``cache_dir``
    reuses the results of groups whose files did not change. Both give the same findings, in
    the same order, as one process without a cache.
    """
    settings = settings or Settings()
    run = Run(rules if rules is not None else settings.rules, settings, fix, jobs, cache_dir)
    return _on_big_stack(run, paths, force_exclude, stdin)


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

    def __call__(self, paths, force_exclude: bool, stdin) -> Result:
        settings = self.settings
        unreadable: dict[Path, str] = {}
        if stdin is not None:
            files = [stdin[0]]
        else:
            files = discover(paths, settings.excluded, settings.respect_gitignore, settings.root, force_exclude,
                             unreadable)
        sources = LazySources(files, stdin)
        sources.errors.update(unreadable)  # CNN000 on the folder: its files were not checked
        relevant = [p for p in files if (data := sources.get(p)) is not None and is_relevant(data)]
        result = Result([], len(files))
        raw: list[tuple[Finding, bool]] = [(_file_error(p, msg), False) for p, msg in sources.errors.items()]
        self.projects, self.texts = [], Texts()
        if relevant:  # otherwise libcst is never imported
            root = _root(paths if stdin is None else [stdin[0]])
            chosen = set(relevant)
            drivers = [p for p in files if p not in chosen and p.suffix in (".py", ".ipynb")]
            work = groups(relevant, list(sources.known), sources.get, root, drivers)
            raw += self.analyse_all(work, sources, root, result)
        codes = {r.code for r in self.rules}
        ignores = PerFileIgnores(settings)
        chosen = [(f, hidden) for f, hidden in raw if f.code in codes and not ignores(f)]
        result.findings = _first_per_place(f for f, hidden in chosen if not hidden)
        result.suppressed = _first_per_place(f for f, hidden in chosen if hidden)
        if self.fix:
            _fix(result, self.projects, sources, self.texts)
        return result

    def analyse_all(self, work: list[list[Path]], sources, root: Path, result: Result) -> list:
        """Every group's findings: from the cache, from worker processes, or analysed here."""
        cache = Cache(self.cache_dir) if self.cache_dir is not None and not self.fix and not sources.stdin_path \
            else None
        entries: dict[int, dict] = {}
        todo = []
        for i, group in enumerate(work):
            key = cache.key(group, sources.get, root) if cache else None
            entry = cache.get(key) if cache else None
            if entry is not None and _well_formed(entry):
                entries[i] = entry
            else:
                todo.append((i, group, key))
        small = sum(len(sources.get(p) or b"") for _, group, _ in todo for p in group) < PARALLEL_MIN_BYTES
        if self.fix or self.jobs <= 1 or len(todo) < 2 or small:
            for i, group, _ in todo:
                entry, project = analyse_group(group, sources, root, self.texts, keep_fixes=self.fix)
                entries[i] = entry
                if self.fix:  # the module states are kept only for fixing: they are large
                    self.projects.append(project)
        else:
            import multiprocessing

            payload = [(group, {p: sources.get(p) for p in group}, root) for _, group, _ in todo]
            with multiprocessing.get_context("fork").Pool(min(self.jobs, len(todo))) as pool:
                for (i, _, _), entry in zip(todo, pool.imap(_analyse_in_worker, payload)):
                    entries[i] = entry
        if cache:
            for i, _, key in todo:
                cache.put(key, entries[i])
        raw = []
        for i in sorted(entries):
            entry = entries[i]
            raw += [(f if isinstance(f, Finding) else Finding(**f), hidden)
                    for f, hidden in zip(entry["findings"], entry["hidden"])]
            result.warnings += entry["warnings"]
        return raw


# A cached finding, as Finding.as_dict() wrote it
_FIELDS = {"path": str, "line": int, "column": int, "end_line": int, "end_column": int, "code": str, "name": str,
           "message": str, "cell": (int, type(None))}


def _well_formed(entry: dict) -> bool:
    """Whether a cache entry can be turned back into findings; a damaged one is analysed again."""
    findings, hidden, warnings = (entry.get(k) for k in ("findings", "hidden", "warnings"))
    return (isinstance(findings, list) and isinstance(hidden, list) and isinstance(warnings, list)
            and len(findings) == len(hidden) and all(isinstance(h, bool) for h in hidden)
            and all(isinstance(w, str) for w in warnings)
            and all(isinstance(f, dict) and f.keys() == _FIELDS.keys() and f["code"] in BY_CODE
                    and all(isinstance(f[k], t) for k, t in _FIELDS.items()) for f in findings))


def _analyse_in_worker(payload) -> dict:
    group, data, root = payload
    return _on_big_stack(lambda: analyse_group(group, data, root, Texts(), keep_fixes=False)[0])


def analyse_group(group: list[Path], sources, root: Path, texts: Texts, keep_fixes: bool):
    """Analyse one group of files together, with every rule.

    Returns an entry (findings, their suppressed flags, warnings; JSON-able unless
    ``keep_fixes``) and the project, whose module states the fixes need.
    """
    from .analysis.project import Project
    from .rules import ALL_RULES

    project = Project({p: data for p in group if (data := sources.get(p)) is not None}, root, texts)
    for path in group:  # relevant files, the modules they import and the scripts that import them
        if path in project.sources:
            project.run(path)
    findings: list = []
    hidden: list[bool] = []
    warnings: list[str] = []
    for path, messages in [(p, [m]) for p, m in project.errors.items()] + list(project.left_out.items()):
        for msg in messages:
            findings.append(_file_error(path, msg, texts.cell_maps.get(path)))
            hidden.append(False)
    for state in project.modules.values():
        lines = state.text.splitlines()
        reports = []
        for rule in ALL_RULES:
            if rule.check is None:
                continue
            try:
                reports += [(rule.code, record, getattr(record, "node", record), message, offered)
                            for record, message, *offered in rule.check(state)]
            except Exception as e:
                warnings.append(f"internal error in {rule.code} on {state.display}: {type(e).__name__}: {e}")
        for code, _, node, message, offered in real_runs(state, reports):
            try:
                line, col, end_line, end_col = state.span(node)
            except KeyError:
                continue  # a node of another module: reported there
            suppressed = _suppressed(lines, line, code)
            cell = None
            if state.cells is not None:
                cell, in_cell = state.cells.locate(line)
                line, end_line = in_cell, in_cell + end_line - line
            fix = offered[0] if offered and keep_fixes else None
            findings.append(Finding(state.display, line, col, end_line, end_col, code, BY_CODE[code].name,
                                    one_line(message), cell, fix))
            hidden.append(suppressed)
    warnings += [f"internal error while analysing {display_path(p)}: {msg}" for p, msg in project.internal.items()]
    if not keep_fixes:
        findings = [f.as_dict() for f in findings]
    return {"findings": findings, "hidden": hidden, "warnings": warnings}, project


def _fix(result: Result, projects: list, sources: "LazySources", texts: Texts) -> None:
    """Apply the certain fixes, module by module; the findings they fix are no longer reported."""
    from .fixes import FileFix, fixed_module

    done: set[int] = set()
    for state in (state for project in projects for state in project.modules.values()):
        offered = [f for f in result.findings if f.fix is not None and f.path == state.display]
        if not offered or state.cells is not None or state.path == sources.stdin_path:
            continue
        lost = _lost_by_libcst(state.tree.code, decode(sources[state.path]))
        if lost is None:  # parsed with IPython syntax masked or tabs expanded: writing it back would lose them
            continue
        try:
            after, applied = fixed_module(state.tree, [f.fix for f in offered])
        except Exception as e:  # a fix that does not re-parse: leave the file, say so
            result.warnings.append(f"fix not applied to {state.display}: {type(e).__name__}: {e}")
            continue
        if applied:
            result.fixed.append(FileFix(state.path, state.display, state.tree.code + lost, after + lost, len(applied),
                                        sources[state.path], texts.encodings.get(state.path, "utf-8")))
            done |= {id(f) for f in offered if any(f.fix is a for a in applied)}
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
    """File bytes, read when first needed; also knows the importable neighbours of the linted files."""

    def __init__(self, files: list[Path], stdin: tuple[Path, bytes] | None):
        super().__init__()
        self.stdin_path = stdin[0] if stdin else None
        self.errors: dict[Path, str] = {}
        self.known = dict.fromkeys(files)
        for folder in {f.parent for f in files}:
            try:
                self.known.update(dict.fromkeys(sorted(folder.glob("*.py"))))
            except OSError:
                pass
        if stdin is not None:
            self.known[stdin[0]] = None
            dict.__setitem__(self, stdin[0], stdin[1])

    def __iter__(self):
        return iter(self.known)

    def __contains__(self, path) -> bool:
        return path in self.known

    def __missing__(self, path: Path) -> bytes:
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
    parts = message.split("`")  # the odd parts are quoted code (an even count of backticks)
    if len(parts) % 2 == 1:
        message = "`".join(p[:MAX_QUOTE - 3] + "..." if i % 2 and len(p) >= MAX_QUOTE else p
                           for i, p in enumerate(parts))
    return escaped(message)




def _root(paths: list[Path]) -> Path:
    folders = [str(real(p if p.is_dir() else p.parent)) for p in paths]
    return Path(os.path.commonpath(folders)) if folders else Path.cwd()
