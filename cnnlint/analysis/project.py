"""A project: the modules linted together, so helpers in one are understood in another.

Each module is parsed and run once, on demand: when it is linted, or when
another module imports it (``from utils import load_image``). Functions are
interpreted at each call with the caller's abstract arguments (a
context-sensitive summary, memoised), and once more with unknown arguments
so that entry points nobody calls (routes, ``main``) are checked too.
"""
from __future__ import annotations

import gc
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from ..ipython import mask_ipython
from ..cache import data_signature
from ..groups import Resolver, module_name, module_names, project_of
from ..sources import display_path
from . import parser
from .positions import Index, TooDeep, collect, index, positions
from .paths import FileTable
from .recover import left_out
from .walk import children, walk
from .facts import UNKNOWN, Function, ModuleRef, Value
from . import effects
from .interpreter import Env, Event, Interpreter, Renormalised, Sink


@dataclass(eq=False)
class ModuleState:
    path: Path
    name: str  # dotted module name relative to the project root
    tree: cst.Module
    known_positions: object  # None until asked for: see located()
    text: str  # what was parsed: tree.code, without regenerating it
    env: Env = field(default_factory=Env)
    sinks: list[Sink] = field(default_factory=list)
    renormalised: list[Renormalised] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    # (node, pre-trained model, how): called without training=False ("call"), put in a Sequential
    # ("sequential"), or a model built on its .output ("output")
    base_calls: list = field(default_factory=list)
    project: "Project | None" = None
    functions: list[Function] = field(default_factory=list)
    owners: dict = field(default_factory=dict)  # id(method node) -> ClassVal
    state: str = "new"  # new -> running -> done
    cells: object = None  # a notebook's CellMap: lines of the joined cells -> (cell, line)
    _unused: set[int] | None = None
    star_modules: list[str] = field(default_factory=list)  # libraries star-imported: their names resolve lazily
    collected: dict | None = None  # positions.collect(tree): nodes by kind, found in one walk when first asked
    theirs: Index | None = None  # positions.index(text): where CPython places those nodes, until located()
    called: frozenset[str] | None = None  # the names the module calls, from the same index

    @property
    def display(self) -> str:
        """The path as reported to the user."""
        return display_path(self.path)

    def code(self, node: cst.CSTNode) -> str:
        return _dotted(node) or self.tree.code_for_node(node)

    @property
    def positions(self) -> dict:
        """The positions of the calls, operators and comparisons, found when first asked for (most modules
        an analysis runs report nothing and name no line): CPython's, matched to libcst's nodes where the
        two trees agree (fast), else libcst's metadata (slow, always right)."""
        if self.known_positions is None:
            found = None
            if self.theirs is not None and os.environ.get("CNNLINT_POSITIONS") != "libcst":
                found = positions(self.tree, self.text, self.theirs, self.nodes())
            if found is None:
                try:  # the metadata wrapper keeps the tree (unsafe_skip_copy): the positions are of its nodes
                    found = MetadataWrapper(self.tree, unsafe_skip_copy=True).resolve(PositionProvider)
                except (Exception, RecursionError):  # nothing located is better than a crash
                    found = {}
            self.known_positions, self.theirs = found, None
        return self.known_positions

    def nodes(self) -> dict[type, list[cst.CSTNode]]:
        """positions.collect(tree): the calls, operators, comparisons and f-strings, in one walk."""
        if self.collected is None:
            self.collected = collect(self.tree)
        return self.collected

    def line(self, node: cst.CSTNode) -> int:
        try:
            return self.positions[node].start.line
        except KeyError:
            return 0

    def unused_results(self) -> set[int]:
        """Calls whose result is assigned to a name that is only used for its shape: its ``.shape`` is read,
        or it is only passed to calls whose results are used for their shape
        (``features = base(batch); pooled = pool(features); print(pooled.shape)``)."""
        if self._unused is None:
            assigned: dict[str, list[int]] = {}  # name -> the calls assigned to it
            feeds: dict[str, set[str]] = {}  # name -> names assigned from calls it is an argument of
            used: set[str] = set()
            shaped: set[str] = set()  # names whose .shape is read
            arguments: list[tuple[int, list[str]]] = []  # calls with names as arguments
            for node in walk(self.tree):
                if type(node) is cst.Call:
                    arguments.append((id(node), [a.value.value for a in node.args if type(a.value) is cst.Name]))
                if type(node) is cst.Assign and type(node.value) is cst.Call and len(node.targets) == 1 \
                        and type(node.targets[0].target) is cst.Name:
                    target = node.targets[0].target.value
                    assigned.setdefault(target, []).append(id(node.value))
                    for arg in node.value.args:
                        if type(arg.value) is cst.Name:
                            feeds.setdefault(arg.value.value, set()).add(target)
                for child in children(node):
                    if type(child) is not cst.Name:
                        continue
                    if type(node) is cst.Attribute and node.value is child and node.attr.value == "shape":
                        shaped.add(child.value)
                    elif not ((type(node) is cst.AssignTarget and node.target is child)
                              or (type(node) is cst.Arg and node.value is child)):
                        used.add(child.value)
            assigned_calls = {c for calls in assigned.values() for c in calls}
            for call, names in arguments:  # arguments of calls whose result is not assigned to a name are used
                if call not in assigned_calls:
                    used.update(names)
            changed = True
            while changed:
                changed = False
                for name, targets in feeds.items():
                    if name not in used and targets & used:
                        used.add(name)
                        changed = True
            changed = True
            while changed:  # shape-only: never looked at, and its shape (or a shape computed from it) printed
                changed = False
                for name, targets in feeds.items():
                    if name not in used and name not in shaped and targets & shaped:
                        shaped.add(name)
                        changed = True
            self._unused = {call for name, calls in assigned.items() if name not in used and name in shaped
                            for call in calls}
        return self._unused

    def called_names(self) -> set[str] | frozenset[str]:
        """The names the module calls (``f(...)``, ``obj.f(...)``): its functions that something calls.
        CPython's index has them; libcst's tree is walked only when CPython could not parse the text."""
        if self.called is not None:
            return self.called
        collected = self.nodes()  # the calls outside f-strings, and those inside them
        calls = collected[cst.Call] + [node for fstring in collected[cst.FormattedString]
                                       for node in walk(fstring) if type(node) is cst.Call]
        return {node.func.value if type(node.func) is cst.Name else node.func.attr.value
                for node in calls if type(node.func) in (cst.Name, cst.Attribute)}

    def span(self, node: cst.CSTNode) -> tuple[int, int, int, int]:
        """1-based line and column of the start and end of ``node``."""
        r = self.positions[node]
        return r.start.line, r.start.column + 1, r.end.line, r.end.column + 1


def _dotted(node: cst.CSTNode) -> str | None:
    """The code of a plain ``a.b.c`` (no brackets, no spaces), without libcst generating it; else None."""
    parts = []
    while type(node) is cst.Attribute and not node.lpar and not node.rpar \
            and _bare(node.dot.whitespace_before) and _bare(node.dot.whitespace_after):
        parts.append(node.attr.value)
        node = node.value
    if type(node) is not cst.Name or node.lpar or node.rpar:
        return None
    parts.append(node.value)
    return ".".join(reversed(parts))


def _bare(whitespace) -> bool:
    return type(whitespace) is cst.SimpleWhitespace and whitespace.value == ""


def parse(path: Path, text: str, name: str) -> ModuleState:
    """Parse a module; raises libcst.ParserSyntaxError, TooDeep (and RecursionError on absurd nesting).

    CPython's parser reads the text first: it measures the nesting before libcst, which is very slow
    on deep code, places the nodes whose positions the module gives when asked (ModuleState.positions),
    lists the names called, and vouches for the code, so that libcst need not validate its nodes (parser.py).
    """
    theirs = index(text)
    return ModuleState(path, name, parser.parse(text, validate=theirs is None), None, text, theirs=theirs,
                       called=theirs.called if theirs is not None else None)


def parse_tolerant(path: Path, text: str, name: str) -> ModuleState:
    """Parse; on failure try what CPython or IPython would accept, then explain with CPython's words.

    Retries: IPython syntax masked (scripts exported from notebooks), then tabs in indentation
    expanded (CPython accepts consistent tab/space mixes that libcst's tokenizer refuses).
    """
    error = None
    tried = None
    for attempt in _retries(text):  # each made only when the one before it failed
        if attempt == tried:
            continue
        tried = attempt
        try:
            return parse(path, attempt, name)
        except cst.ParserSyntaxError as e:
            error = e
    message, line, column = cpython_reason(tried)
    if message == LIBCST_ONLY and error is not None:  # CPython has no place to give: libcst's, then
        line, column = error.raw_line, error.raw_column + 1
    raise SyntaxProblem(message, line, column)


def _retries(text: str):
    yield text
    masked = mask_ipython(text)
    yield masked
    yield LEADING_WS.sub(lambda m: m.group().expandtabs(8), masked)


LEADING_WS = re.compile(r"^[ \t]+", re.MULTILINE)


class SyntaxProblem(Exception):
    """Why a file cannot be parsed, in CPython's words, with its line and column."""

    def __init__(self, message: str, line: int, column: int):
        super().__init__(message)
        self.line, self.column = line, column


def cpython_reason(text: str) -> tuple[str, int, int]:
    """CPython's message and place for a syntax error (libcst's are less precise)."""
    import ast
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(text)
    except SyntaxError as e:
        return e.msg, e.lineno or 1, e.offset or 1
    except (ValueError, RecursionError, MemoryError) as e:
        return str(e) or type(e).__name__, 1, 1
    return LIBCST_ONLY, 1, 1


LIBCST_ONLY = "valid Python that libcst cannot parse"



def cpython_problem(text: str) -> tuple[str, int, int] | None:
    """CPython's syntax error, or None when CPython parses the text."""
    message, line, column = cpython_reason(text)
    return None if message == LIBCST_ONLY else (message, line, column)


FREEZE_CHARS = 200_000  # code parsed in a project past which its objects are kept from the garbage collector


class Project:
    """All modules of one lint run, indexed by their dotted names."""

    def __init__(self, sources: dict[Path, bytes], root: Path, decode: Callable[[Path, bytes], str]):
        self.sources = sources
        self.decode = decode  # raises ValueError with a one-line reason
        self.root = root
        self.modules: dict[Path, ModuleState] = {}
        self.errors: dict[Path, str] = {}  # files that cannot be parsed: CNN000
        self.left_out: dict[Path, list[str]] = {}  # cells or statements that cannot be parsed: CNN000 each
        self.internal: dict[Path, str] = {}  # analysis bugs: a warning, never a crash
        self.by_name: dict[str, list[Path]] = {}
        for path in sources:
            if path.suffix == ".py":  # notebooks are not importable
                for name in module_names(path, root):
                    self.by_name.setdefault(name, []).append(path)
        self.saved = FileTable(self)  # model.save(path): path -> the Model saved there
        self.written = FileTable(self)  # np.save(path, x), cv2.imwrite(path, img): path -> what was written
        self._boundaries: dict[Path, Path] = {}
        self.resolve = Resolver(lambda name: self.by_name.get(name, []))
        self.parsed = 0  # characters of code parsed
        self.frozen = False  # whether the project keeps objects from the garbage collector (see load)
        self.model_files: dict[Path, object] = {}  # saved model files read (SavedModel or None)
        self.image_files: dict[Path, object] = {}  # image files whose header was read (ImageHeader or None)
        self.data_files: dict[Path, list[int] | None] = {}  # every file looked for as data: its size, mtime
        self.interp = Interpreter(self)

    # -- loading ------------------------------------------------------------------
    def load(self, path: Path) -> ModuleState | None:
        if path in self.modules:
            return self.modules[path]
        if path in self.errors:
            return None
        names = module_names(path, self.root)
        try:
            text = self.decode(path, self.sources[path])
        except ValueError as e:
            self.errors[path] = str(e)
            return None
        name = module_name(path, names)
        cells = getattr(self.decode, "cell_maps", {}).get(path)
        try:
            try:
                state = parse_tolerant(path, text, name)
            except SyntaxProblem:
                state = self.parse_without_unparsable(path, text, name, cells)
                if state is None:
                    raise
        except SyntaxProblem as e:
            self.errors[path] = f"cannot parse: {e} (line {e.line}, column {e.column})"
            return None
        except TooDeep as e:
            self.errors[path] = f"cannot analyse: {e}"
            return None
        except RecursionError:
            self.errors[path] = "cannot parse: the code is nested too deeply"
            return None
        except Exception as e:  # libcst raises a few other errors on odd input
            self.errors[path] = f"cannot parse: {type(e).__name__}: {_one_line(e)}"
            return None
        state.cells = cells
        state.project = self
        self.modules[path] = state
        self.parsed += len(state.text)
        if self.parsed >= FREEZE_CHARS:
            # Syntax trees live as long as the project: past this much code, keep the cyclic garbage
            # collector from walking their hundreds of thousands of nodes again at every full
            # collection (a quarter of the time of a large group). Garbage of earlier projects is
            # collected first, so it is never frozen; whoever made the project unfreezes when it is
            # done (lint.analyse_group), and its own garbage goes at the next collection.
            if not self.frozen:
                gc.collect()
                self.frozen = True
            gc.freeze()
        return state

    def parse_without_unparsable(self, path: Path, text: str, name: str, cells) -> ModuleState | None:
        """The module without the cells (or top-level statements) that do not parse, each reported."""
        masked = mask_ipython(text)
        found = left_out(masked, cpython_problem, cells.starts if cells is not None else None)
        if found is None:
            return None
        kept, dropped = found
        try:
            state = parse(path, kept, name)
        except (cst.ParserSyntaxError, TooDeep, RecursionError):
            return None
        unit = "this cell" if cells is not None else "this statement"
        self.left_out[path] = [f"cannot parse: {message}; {unit} is left out of the analysis "
                               f"(line {line}, column {column})" for message, line, column in dropped]
        return state

    def run(self, path: Path) -> ModuleState | None:
        """Run a module's top level (once), then all its functions with unknown arguments."""
        state = self.load(path)
        if state is None or state.state != "new":
            return state
        state.state = "running"
        try:
            self.interp.run_module(state)
            self.interp.analyse_functions(state)
        except RecursionError:
            pass  # keep what was found; absurdly deep code is not worth a crash
        except Exception as e:  # a bug of ours must not stop the run: keep what was found, say so
            self.internal[path] = f"{type(e).__name__}: {e}"
        finally:
            state.state = "done"
        return state

    def boundary(self, path: Path) -> Path:
        """The project a file belongs to (see groups.project_of)."""
        return project_of(path, self.root, self._boundaries)

    def model_file(self, key: str, reader: ModuleState):
        """The saved model file a path names, read as data (cnnlint/savedmodels.py): beside the module
        that loads it, or under the project's root; None when there is none or it cannot be read."""
        from ..savedmodels import read, teachable_machine

        def model(path: Path):
            if self.exists(path):
                return read(path)
            return teachable_machine(path) if self.exists(path.parent / "labels.txt") else None

        return self._data_file(key, reader, self.model_files, model)

    def image_file(self, key: str, reader: ModuleState):
        """The size and channels of the project's image file a path names (cnnlint/imagefiles.py)."""
        from ..imagefiles import header

        return self._data_file(key, reader, self.image_files, lambda path: header(path) if self.exists(path) else None)

    def _data_file(self, key: str, reader: ModuleState, table: dict, read: Callable[[Path], object]):
        folders = [reader.path.parent, *[f for f in reader.path.parent.parents if self.root in (f, *f.parents)]]
        for folder in dict.fromkeys(folders + [self.root]):  # beside the module, then up to the root
            path = folder / key
            if path not in table:
                table[path] = read(path)
            if table[path] is not None:
                return table[path]
        return None

    def exists(self, path: Path) -> bool:
        """Whether a data file is there; each one looked for is remembered, with its size and time, so
        a cached analysis is not used once it changes (or appears)."""
        self.data_files[path] = data_signature(path)
        return self.data_files[path] is not None

    def run_mentioning(self, literal: str, reader: ModuleState) -> None:
        """Run the modules that name a file (``np.save("x.npy", ...)``) before it is read."""
        if "." not in literal.strip("."):
            return  # not a file name: "train" is in every script
        needle = literal.encode("utf-8", "replace")
        for path, data in self.sources.items():
            state = self.modules.get(path)
            if path != reader.path and (state is None or state.state == "new") and needle in data:
                self.run(path)

    # -- imports -----------------------------------------------------------------
    def find(self, importer: ModuleState, dotted: str, level: int) -> Path | None:
        return self.resolve(importer.path, importer.name, dotted, level)

    def import_module(self, importer: ModuleState, dotted: str, level: int) -> Value:
        path = self.find(importer, dotted, level)
        if path is None:
            return ModuleRef(dotted) if not level else UNKNOWN
        state = self.run(path)
        return state if state is not None else UNKNOWN

    def import_from(self, importer: ModuleState, dotted: str, level: int, name: str) -> Value:
        if not level and dotted and effects.lookup(f"{dotted}.{name}") is not None:
            # a library the effects know, in the project (its own repository, a vendored copy): the library
            return ModuleRef(f"{dotted}.{name}")
        path = self.find(importer, dotted, level)
        if path is None:
            sub = self.find(importer, f"{dotted}.{name}" if dotted else name, level)
            if sub is not None:
                state = self.run(sub)
                return state if state is not None else UNKNOWN
            return ModuleRef(f"{dotted}.{name}") if not level else UNKNOWN
        state = self.run(path)
        if state is None:
            return UNKNOWN
        return state.env.vars.get(name, UNKNOWN)


def _one_line(e: Exception) -> str:
    text = str(e).strip().splitlines()
    return text[0] if text else type(e).__name__
