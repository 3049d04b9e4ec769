"""The lint run: files -> project analysis -> rules -> findings."""
from __future__ import annotations

import gc
import os
import re
import sys
import threading
from dataclasses import dataclass, field, fields
from pathlib import Path

from typing import TYPE_CHECKING

import pathspec

from . import suppressions
from .analysis.facts import Loc, mentions
from .cache import Cache, data_signature
from .config import Configs, Settings
from .groups import groups
from .rules import BY_CODE, Rule, matches
from .rules.alternatives import real_runs, same_input
from .sources import (SourceError, Texts, decode, discover, display_path, escaped, is_relevant,
                      notebook_program, parses, read, real)

if TYPE_CHECKING:
    import libcst as cst

    from .analysis.project import ModuleState
    from .fixes import FileFix, Fix
    from .sources import CellMap

STACK_BYTES = 512 * 1024 * 1024  # virtual memory; only what deep recursion touches is used
RECURSION_LIMIT = 20_000
PARALLEL_MIN_BYTES = 256 * 1024  # less code than this is analysed faster than worker processes start
WORKER_GROUPS = 20  # a worker process gives its memory back (ends) after this many groups
KEEP_BYTES = 64 * 1024 * 1024  # of the files a run read, at most this much is kept (LazySources)


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
    fixable: bool = field(default=False, compare=False)  # a certain fix is offered (ruff's [*])
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
    notices: list[str] = field(default_factory=list)  # the user's mistakes that are no finding (unknown noqa codes)
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


def lint(paths: list[Path], rules: tuple[Rule, ...] | None = None, settings: Settings | Configs | None = None,
         force_exclude: bool = False, stdin: tuple[Path, bytes] | None = None, fix: bool = False,
         jobs: int = 1, cache_dir: Path | None = None, workspace: Workspace | None = None,
         offer_fixes: bool = False) -> Result:
    """Lint files and folders (or one text from standard input, reported under its path).

    ``settings``: one ``Settings`` for every file (the defaults when None), or ``Configs``, which
    gives each file the settings of its nearest configuration. ``rules``, when given, replaces
    the rule selection of every file. ``jobs`` > 1 analyses independent groups of files in that
    many processes; ``cache_dir`` reuses the results of groups whose files did not change. Both
    give the same findings, in the same order, as one process without a cache. ``fix`` applies
    the certain fixes (the files to rewrite are in ``Result.fixed``); ``offer_fixes`` keeps them,
    unapplied, in ``Result.fixes`` (for an editor, with the project and buffers of its ``workspace``).
    """
    configs = settings if isinstance(settings, Configs) else Configs.single(settings or Settings())
    run = Run(rules, configs, fix, jobs, cache_dir, offer_fixes)
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

    rules: tuple[Rule, ...] | None  # None: each file's settings choose
    configs: Configs
    fix: bool
    jobs: int
    cache_dir: Path | None
    offer_fixes: bool = False
    choices: dict[int, tuple[frozenset[str], PerFileIgnores]] = field(default_factory=dict)

    @property
    def keep_fixes(self) -> bool:
        return self.fix or self.offer_fixes

    def __call__(self, paths, force_exclude: bool, stdin, workspace: Workspace | None) -> Result:
        unreadable: dict[Path, str] = {}
        buffers = dict(workspace.buffers) if workspace else {}
        self.stdin_path = stdin[0] if stdin else None
        if stdin is not None:
            files = [stdin[0]]
            buffers[stdin[0]] = stdin[1]
        else:
            files = discover(paths, self.configs.ignorer, force_exclude, unreadable)
        sources = LazySources(files, buffers, workspace.files if workspace else None, keep_all=self.keep_fixes)
        sources.errors.update(unreadable)  # CNN000 on the folder: its files were not checked
        relevant = self.relevant(files, sources, {stdin[0]} if stdin is not None else set(paths))
        result = Result([], len(files))
        raw: list[tuple[Finding, bool]] = [(_file_error(p, msg), False) for p, msg in sources.errors.items()]
        self.projects, self.texts, self.directives = [], Texts(), []
        if relevant:  # otherwise libcst is never imported
            root = workspace.root if workspace else _root(paths if stdin is None else [stdin[0]])
            chosen = set(relevant)
            drivers = [p for p in files if p not in chosen and p.suffix in (".py", ".ipynb")]
            work = groups(relevant, list(sources.known), sources.get, root, drivers)
            raw += self.analyse_all(work, sources, root, result)
        chosen = [(f, hidden) for f, hidden in raw if self.selects(f)]
        chosen += [(f, False) for f in self.check_directives([f for f, hidden in chosen if hidden], result)]
        result.findings = _first_per_place(f for f, hidden in chosen if not hidden)
        result.suppressed = _first_per_place(f for f, hidden in chosen if hidden)
        result.read = list(sources)
        if self.keep_fixes:
            result.fixes = offered_fixes(result.findings, self.projects, sources, self.texts)
        if self.fix:
            _fix(result)
        return result

    def relevant(self, files: list[Path], sources, named: set[Path]) -> list[Path]:
        """The files to analyse: those the prefilter keeps, and those named on the command line that
        do not parse, which are reported whatever they mention (kept in ``self.named``)."""
        relevant, unparsed = [], set()
        for path in files:
            data = sources.get(path)
            if data is None:
                continue
            if is_relevant(data):
                relevant.append(path)
            elif path in named and not parses(path, data):
                relevant.append(path)
                unparsed.add(path)
        self.named = frozenset(unparsed)
        return relevant

    def selects(self, finding: Finding) -> bool:
        """Whether the settings of the finding's file select its code and do not ignore it there."""
        codes, ignores = self.choice(finding.path)
        return finding.code in codes and not ignores(finding)

    def choice(self, path: str) -> tuple[frozenset[str], PerFileIgnores]:
        """The codes selected for a file (as reported), and its per-file ignores."""
        settings = self.configs.for_path(Path(path))
        if id(settings) not in self.choices:
            rules = self.rules if self.rules is not None else settings.rules
            self.choices[id(settings)] = frozenset(r.code for r in rules), PerFileIgnores(settings)
        return self.choices[id(settings)]

    def check_directives(self, hidden: list[Finding], result: Result) -> list[Finding]:
        """Codes in suppression comments that are no rule (a warning), and, where CNN001 is selected,
        comments whose codes hide no finding (like ruff's RUF100)."""
        rule = BY_CODE["CNN001"]
        used: dict[tuple, set[str]] = {}
        for f in hidden:
            used.setdefault((f.path, f.cell, f.line), set()).add(f.code)
        out = []
        for entry in self.directives:
            d = suppressions.Directive(entry["line"], entry["column"], entry["kind"], tuple(entry["codes"]))
            cell = f"cell {entry['cell']}:" if entry["cell"] is not None else ""
            where = f"{escaped(entry['path'])}:{cell}{d.line}"
            result.notices += [f"{where}: unknown rule code {c!r} in a {d.name} comment"
                               for c in suppressions.unknown(d, BY_CODE)]
            selected = self.choice(entry["path"])[0]
            message = suppressions.unused_message(d, used.get((entry["path"], entry["cell"], d.line), set()), selected,
                                                  BY_CODE)
            if message is not None:
                finding = Finding(entry["path"], d.line, d.column, d.line, d.column, rule.code, rule.name, message,
                                  entry["cell"])
                if self.selects(finding):
                    out.append(finding)
        return out

    def analyse_all(self, work: list[list[Path]], sources, root: Path, result: Result) -> list:
        """Every group's findings: from the cache, from worker processes, or analysed here."""
        cache = Cache(self.cache_dir) if self.cache_dir is not None and not self.fix and not self.stdin_path \
            else None
        entries: dict[int, dict] = {}
        todo = []
        for i, group in enumerate(work):
            key = cache.key(group, sources.get, root) if cache else None
            entry = cache.get(key) if cache and not self.keep_fixes else None  # cached findings have no fixes
            if entry is not None and _well_formed(entry) and _data_unchanged(entry["data"]):
                entries[i] = {**entry, "findings": [Finding.from_cache(f) for f in entry["findings"]]}
            else:
                todo.append((i, group, key))
        small = sum(sources.size(p) for _, group, _ in todo for p in group) < PARALLEL_MIN_BYTES
        if self.keep_fixes or self.jobs <= 1 or len(todo) < 2 or small:
            for i, group, _ in todo:
                entry, project = analyse_group(group, sources, root, self.texts, self.keep_fixes, self.named)
                entries[i] = entry
                if self.keep_fixes:  # the module states are kept only for fixing: they are large
                    self.projects.append(project)
        else:
            import multiprocessing

            _warm()  # workers are forked, and renewed (WORKER_GROUPS): each starts with what this process loaded
            # the workers read the files themselves: only unsaved buffers travel, group by group
            payload = ((group, {p: sources.buffers[p] for p in group if p in sources.buffers}, root, self.named)
                       for _, group, _ in todo)
            with multiprocessing.get_context("fork").Pool(min(self.jobs, len(todo)), maxtasksperchild=WORKER_GROUPS) \
                    as pool:
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
            self.directives += entry["directives"]
        return raw


# A cached finding, as Finding.cached() wrote it
_FIELDS = {"path": str, "line": int, "column": int, "end_line": int, "end_column": int, "code": str, "name": str,
           "message": str, "cell": (int, type(None)), "fixable": bool, "related": list}


# A cached suppression comment, as _directive_entry wrote it
_DIRECTIVE = {"path": str, "line": int, "cell": (int, type(None)), "column": int, "kind": str, "codes": list}


def _well_formed(entry: dict) -> bool:
    """Whether a cache entry can be turned back into findings; a damaged one is analysed again."""
    findings, hidden, warnings, directives, data = (
        entry.get(k) for k in ("findings", "hidden", "warnings", "directives", "data"))
    return (isinstance(findings, list) and isinstance(hidden, list) and isinstance(warnings, list)
            and isinstance(directives, list)
            and isinstance(data, list) and all(
                isinstance(d, list) and len(d) == 2 and isinstance(d[0], str)
                and (d[1] is None or isinstance(d[1], list) and len(d[1]) == 2
                     and all(isinstance(n, int) for n in d[1])) for d in data)
            and len(findings) == len(hidden) and all(isinstance(h, bool) for h in hidden)
            and all(isinstance(w, str) for w in warnings)
            and all(isinstance(f, dict) and f.keys() == _FIELDS.keys() and f["code"] in BY_CODE
                    and all(isinstance(f[k], t) for k, t in _FIELDS.items())
                    and all(_is_loc(loc) for loc in f["related"]) for f in findings)
            and all(isinstance(d, dict) and d.keys() == _DIRECTIVE.keys() and d["kind"] in ("noqa", "ignore")
                    and all(isinstance(d[k], t) for k, t in _DIRECTIVE.items())
                    and all(isinstance(c, str) for c in d["codes"]) for d in directives))


def _data_unchanged(data: list) -> bool:
    """Whether the data files an analysis read (saved models, image headers) are as they were then;
    a file that was looked for and missing must still be missing."""
    return all(data_signature(path) == signature for path, signature in data)


def _is_loc(value) -> bool:
    """A cached ``Loc``: [path, line, cell or null]."""
    return (isinstance(value, list) and len(value) == 3 and isinstance(value[0], str)
            and isinstance(value[1], int) and isinstance(value[2], (int, type(None))))


def _warm() -> None:
    """Load the analysis and its knowledge, which every group needs (parsed from TOML on first use)."""
    from .analysis import project  # noqa: F401  (libcst and the interpreter)
    from .knowledge import datasets, knowledge, signatures, zoos
    from .knowledge.torch import timm, torchvision
    from .rules import ALL_RULES  # noqa: F401

    for load in (knowledge, datasets, signatures, zoos, torchvision, timm):
        load()


def _analyse_in_worker(payload) -> dict:
    group, buffers, root, named = payload
    sources = LazySources(group, buffers, known=group, keep_all=True)
    return _on_big_stack(lambda: analyse_group(group, sources, root, Texts(), False, named)[0])


def analyse_group(group: list[Path], sources, root: Path, texts: Texts, keep_fixes: bool,
                  named: frozenset[Path] = frozenset()):
    """Analyse one group of files together, with every rule.

    Every file of the group is run: the relevant ones, the modules they import, the scripts that
    import them, and the ``named`` ones (files named on the command line that do not parse: they are
    reported whatever they mention). Returns an entry (findings, their suppressed flags, warnings,
    suppression comments; the findings hold their fixes only with ``keep_fixes``) and the project,
    whose module states the fixes need.
    """
    try:
        return _analyse_group(group, sources, root, texts, keep_fixes, named)
    finally:
        gc.unfreeze()  # a large group: what Project.load froze is garbage now, or soon


def _analyse_group(group: list[Path], sources, root: Path, texts: Texts, keep_fixes: bool, named: frozenset[Path]):
    from .analysis.project import Project

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
    directives: list[dict] = []  # the suppression comments that name codes, for the checks of suppressions.py
    for state in project.modules.values():
        comments = suppressions.directives(state.text)
        directives += [_directive_entry(state, d) for found in comments.values() for d in found if d.codes]
        rewritable = None  # whether a fix can be written back to the file: known once a fix is offered
        with mentions() as mentioned:  # the rules' messages, and the words real_runs and same_input add
            reports = same_input(state, real_runs(state, _reports(state, warnings)))
        places = set(mentioned)
        for code, _, node, message, offered in reports:
            try:
                line, col, end_line, end_col = state.span(node)
            except KeyError:
                continue  # a node of another module: reported there
            suppressed = suppressions.hidden(comments, line, code)
            cell = None
            if state.cells is not None:
                cell, in_cell = state.cells.locate(line)
                line, end_line = in_cell, in_cell + end_line - line
            fix = offered[0] if offered else None
            if fix is not None and rewritable is None:
                rewritable = _rewritable(state, sources)
            findings.append(Finding(state.display, line, col, end_line, end_col, code, BY_CODE[code].name,
                                    one_line(message), cell, bool(fix and rewritable),
                                    fix if keep_fixes and rewritable else None,
                                    _named_in(message, places, state.display)))
            hidden.append(suppressed)
    warnings += [f"internal error while analysing {display_path(p)}: {msg}" for p, msg in project.internal.items()]
    data = [[os.fsdecode(path), signature] for path, signature in project.data_files.items()]
    return {"findings": findings, "hidden": hidden, "warnings": warnings, "directives": directives,
            "data": data}, project


def _reports(state: ModuleState, warnings: list[str]) -> list[tuple]:
    """(code, record, node, message, offered fix or nothing) for every rule's findings in one module."""
    from .rules import ALL_RULES

    reports = []
    for rule in ALL_RULES:
        if rule.check is None:
            continue
        try:
            reports += [(rule.code, record, getattr(record, "node", record), message, offered)
                        for record, message, *offered in rule.check(state)]
        except Exception as e:
            warnings.append(f"internal error in {rule.code} on {state.display}: {type(e).__name__}: {e}")
    return reports


def _named_in(message: str, places: set[Loc], here: str) -> tuple[Loc, ...]:
    """The places the message names (``loaded at line 12``, ``/ 255.0 at imaging.py:6``), in its order."""
    found = []
    for loc in places:
        m = re.search(rf"(?<![\w.]){re.escape(loc.text(here))}(?!\w)", message)
        if m:
            found.append((m.start(), loc))
    return tuple(loc for _, loc in sorted(found))


def _directive_entry(state, d: suppressions.Directive) -> dict:
    cell, line = state.cells.locate(d.line) if state.cells is not None else (None, d.line)
    return {"path": state.display, "line": line, "cell": cell, "column": d.column, "kind": d.kind,
            "codes": list(d.codes)}


@dataclass
class ModuleFixes:
    """The certain fixes offered in one module (a script, or a notebook's code cells as one program),
    applied on demand: all of them (``--fix``), or some (an editor's quick fix). Holds the module's
    syntax tree, which the fixes edit."""

    path: Path
    display: str
    tree: cst.Module
    cells: CellMap | None  # a notebook's cells in the program
    original: bytes  # the file as read
    encoding: str
    offered: list[Finding]  # the findings with a fix

    def apply(self, findings: list[Finding]) -> tuple[FileFix, list[Finding]] | None:
        """The file with the fixes of ``findings`` applied, and the findings fixed (None: nothing
        changes). Raises NotRewritable when a notebook line cannot take its fix, and whatever a fix
        that gives code that does not parse raises."""
        from .fixes import FileFix, fixed_module

        after, applied = fixed_module(self.tree, [f.fix for f in findings])
        if not applied:
            return None
        before, after = self._file_texts(after)
        if after is None:
            return None
        fixed = [f for f in findings if any(f.fix is a for a in applied)]
        return FileFix(self.path, self.display, before, after, tuple((f.code, f.name) for f in fixed), self.original,
                       self.encoding), fixed

    def _file_texts(self, fixed_code: str) -> tuple[str, str | None]:
        """The file's text before and after the fix (None: unchanged): a script's code, or a notebook's
        JSON with the fixed lines written into their cells."""
        if self.cells is not None:
            from .notebooks import fixed_notebook

            return (self.original.decode("utf-8-sig"),
                    fixed_notebook(self.original, self.cells, self.tree.code, fixed_code))
        lost = _lost_by_libcst(self.tree.code, decode(self.original))
        return self.tree.code + lost, fixed_code + lost


def offered_fixes(findings: list[Finding], projects: list, sources: LazySources, texts: Texts) -> list[ModuleFixes]:
    """The certain fixes of the findings (offered only where they can be written back), per module."""
    out = []
    for state in (state for project in projects for state in project.modules.values()):
        offered = [f for f in findings if f.fix is not None and f.path == state.display]
        if offered:
            encoding = "utf-8" if state.cells is not None else texts.encodings.get(state.path, "utf-8")
            out.append(ModuleFixes(state.path, state.display, state.tree, state.cells, sources[state.path], encoding,
                                   offered))
    return out


def _fix(result: Result) -> None:
    """Apply the certain fixes, module by module; the findings they fix are no longer reported."""
    from .notebooks import NotRewritable

    done: set[int] = set()
    for module in result.fixes:
        try:
            outcome = module.apply(module.offered)
        except NotRewritable:  # a notebook line cnnlint masked or dedented: the finding stays
            continue
        except Exception as e:  # a fix that does not re-parse: leave the file, say so
            result.warnings.append(f"fix not applied to {module.display}: {type(e).__name__}: {e}")
            continue
        if outcome is not None:
            change, fixed = outcome
            result.fixed.append(change)
            done |= {id(f) for f in fixed}
    result.findings = [f for f in result.findings if id(f) not in done]


def _rewritable(state, sources) -> bool:
    """Whether fixed code can be written back: parsed from the file's own text (not with IPython
    syntax masked or tabs expanded, which writing would lose); a notebook, from its cells as read."""
    data = sources[state.path]
    if state.cells is not None:
        from .notebooks import rewritable

        return rewritable(data) and state.tree.code == notebook_program(data)[0]
    return _lost_by_libcst(state.tree.code, decode(data)) is not None


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
    the linted files. Iterating gives the files read so far.

    A run keeps at most KEEP_BYTES of what it read (notebooks with their outputs can weigh gigabytes);
    the rest is read again when needed. ``keep_all`` keeps everything: fixes compare the file as it
    was read with the file they rewrite.
    """

    def __init__(self, files: list[Path], buffers: dict[Path, bytes], known: list[Path] | None = None,
                 keep_all: bool = False):
        super().__init__()
        self.buffers = buffers
        self.errors: dict[Path, str] = {}
        self.sizes: dict[Path, int] = {}  # every file read, in the order read, and its size
        self.keep_all = keep_all
        self.kept = 0
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

    def __iter__(self):
        return iter(self.sizes)

    def __missing__(self, path: Path) -> bytes:
        if path in self.buffers:
            data = self.buffers[path]
        else:
            try:
                data = read(path)
            except SourceError as e:
                self.errors[path] = str(e)
                raise
        self.sizes[path] = len(data)
        if self.keep_all or path in self.buffers or self.kept + len(data) <= KEEP_BYTES:
            dict.__setitem__(self, path, data)
            self.kept += len(data)
        return data

    def get(self, path, default=None):
        try:
            return self[path]
        except (SourceError, KeyError):
            return default

    def size(self, path: Path) -> int:
        """The size of a file read before (0 if it could not be read)."""
        if path not in self.sizes:
            self.get(path)
        return self.sizes.get(path, 0)



class PerFileIgnores:
    """``per-file-ignores``: glob (gitignore-style, relative to the settings' root) -> codes."""

    def __init__(self, settings: Settings):
        self.root = settings.root
        self.rules = [(pathspec.GitIgnoreSpec.from_lines([glob]), codes)
                      for glob, codes in settings.ignored_per_file.items()]

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
