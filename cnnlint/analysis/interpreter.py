"""A small abstract interpreter over libcst: it runs a module on abstract values.

Statements update an environment of abstract values; calls are looked up in
the effect table (``effects.py``) by canonical qualified name, or interpreted
when the function is defined in the project. Branches run on copies of the
environment and are joined; loop bodies run twice (the first iteration, then
the joined state). Where a model meets its input (a *sink*) the interpreter
records what reached it; the rules judge those records.
"""
from __future__ import annotations

import itertools
import operator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Iterable

import libcst as cst

from . import arithmetic, effects
from .facts import (
    UNKNOWN,
    Alternative,
    Bound,
    Choice,
    ClassVal,
    Const,
    Dataset,
    DictVal,
    Function,
    Image,
    Instance,
    Layer,
    ListVal,
    Loc,
    MethodRef,
    Model,
    ModuleRef,
    Partial,
    PathStr,
    Pipeline,
    Predictions,
    Step,
    Super,
    Symbolic,
    TupleVal,
    Value,
    choose,
    image_of,
    join,
    joined,
    worth_choosing,
)
from .paths import suffix_of
from .walk import walk

if TYPE_CHECKING:
    from pathlib import Path

    from .project import ModuleState, Project

MAX_DEPTH = 8
MAX_UNROLL = 32  # a loop over a literal list of up to this many items runs once per item
# Choices followed path by path: at most this many combinations at one call, this many choices deep.
MAX_COMBINATIONS = 32
MAX_CHOICES = 3
# Nested loops multiply the work: each loop runs its body twice (or once per item), so 20 nested
# loops would run the innermost body a million times. The runs of all enclosing loops together
# stay under MAX_REPEAT; a loop that would exceed it runs its body once, on the joined state.
MAX_REPEAT = 256
# Statements one module may execute (its functions at every call, its loops at every pass): ten
# times what the largest real modules measured need. Past it, calls into the module's functions
# are unknown, so calls that fan out (16 items x 8 levels of helpers) cannot run for hours.
STEP_BUDGET = 200_000
NORETURN = frozenset({"sys.exit", "builtins.exit", "builtins.quit", "os._exit", "os.abort"})
BUILTINS = frozenset(
    "float int str list tuple dict set len range enumerate zip sorted reversed iter next print open map "
    "isinstance super min max sum abs round bool bytes type object exit quit".split()
)


@dataclass
class Sink:
    """A model consumed a value: what the model expects and what it got."""

    node: cst.CSTNode
    model: Model
    method: str  # predict, fit, __call__, ...
    arg: str  # the argument's source text, for messages
    seen: Image  # the input as the pre-trained part sees it (after the model's own front layers)
    from_dataset: bool
    path: str  # the file of the call, as shown to the user
    arg_node: cst.BaseExpression | None = None  # the positional argument, for autofix
    function: cst.CSTNode | None = None  # the enclosing function definition, None at module level
    stale: bool = False  # the image was loaded in an enclosing loop over files without using its variable
    result_unused: bool = False  # predictions only looked at for their shape, or not at all
    context: tuple[Alternative, ...] = ()  # the alternatives of the run it was seen in (a model chosen in an if)
    order: int = 0  # when it ran, among all the project's sinks (a notebook's cells run top to bottom)
    keyword: str | None = None  # the argument's keyword (validation_data), None for the input itself

    project: "Project | None" = field(default=None, repr=False)
    place: Loc | None = None  # the call's file and line (cell and line in a notebook)
    source: "Path | None" = None  # the file of the call, as read
    managers: tuple[Value, ...] = ()  # the context managers (``with`` items, decorators) active at the call
    scopes: tuple[cst.CSTNode, ...] = ()  # the enclosing loops, withs and function definitions, innermost first
    state: dict = field(default_factory=dict)  # the model's object state at the call (PyTorch: its mode)

    def where(self) -> Loc:
        return self.place

    @property
    def role(self) -> str:
        """"train" (fit), "validation" (fit's validation_data, evaluate) or "inference" (predict, model(x))."""
        if self.method.startswith(("fit", "train_on_batch")):
            return "validation" if self.keyword == "validation_data" else "train"
        return "validation" if self.method.startswith(("evaluate", "test_on_batch")) else "inference"


@dataclass
class Event:
    """A fact a rule reports on as it is: ``kind`` names it, ``details`` carry the evidence."""

    kind: str
    node: cst.CSTNode
    details: dict
    context: tuple[Alternative, ...] = ()


@dataclass
class Renormalised:
    """An image that was already normalised is normalised again."""

    node: cst.CSTNode
    before: Image
    step: Step
    context: tuple[Alternative, ...] = ()


class Env:
    """Variables of one scope; ``parent`` is the enclosing scope (module globals for a function)."""

    def __init__(self, parent: Env | None = None, vars: dict[str, Value] | None = None):
        self.parent = parent
        self.vars: dict[str, Value] = dict(vars or {})

    def lookup(self, name: str) -> Value | None:
        env: Env | None = self
        while env is not None:
            if name in env.vars:
                return env.vars[name]
            env = env.parent
        return None

    def copy(self) -> Env:
        return Env(self.parent, self.vars)


def settle(env: Env, joined: Env | None) -> Env | None:
    """The scope after a branch, a loop or a try, as the same ``Env`` object with the joined variables:
    functions defined in it (a module's, a closure's) look their free names up in that object."""
    if joined is None:
        return None
    if joined is not env:
        env.vars = joined.vars
    return env


def join_envs(envs: Iterable[Env | None]) -> Env | None:
    """Join the live paths; a name bound on one path only keeps that path's value."""
    live = [e for e in envs if e is not None]
    if not live:
        return None
    out = live[0].copy()
    for e in live[1:]:
        for name, value in e.vars.items():
            out.vars[name] = join(out.vars[name], value) if name in out.vars else value
    return out


def choose_envs(paths: list[tuple[Alternative, Env | None]]) -> Env | None:
    """The paths of one choice (if/else, try/except) joined, except for what the choice picks: a name
    bound to different models (or preprocess functions) on different paths holds all of them, each
    with the alternative it comes from."""
    live = [(alt, env) for alt, env in paths if env is not None]
    if len(live) < 2:
        return live[0][1] if live else None
    out = join_envs(env for _, env in live)
    for name in out.vars:
        values = [env.vars.get(name) for _, env in live]
        if any(v is None for v in values) or all(v is values[0] for v in values):
            continue
        if any(worth_choosing(v) for v in values):
            out.vars[name] = choose(live[0][0].by, [(alt, v) for (alt, _), v in zip(live, values)])
    return out


@dataclass
class Loop:
    """A for loop being run: what its iterations change, and whether it walks over files."""

    node: cst.For
    names: frozenset[str]  # its targets and every name its body assigns
    over_files: bool
    depth: int  # the frame it runs in: a helper it calls sees the loop's values only through parameters


_ABSENT = object()  # a key missing from a dict (heap values may be None)

# the nodes that open a scope of their own
_SCOPES = (cst.FunctionDef, cst.Lambda, cst.ClassDef)

# the nodes that bind a name, and the field holding its target
_BINDERS = {cst.AssignTarget: "target", cst.AugAssign: "target", cst.AnnAssign: "target", cst.For: "target",
            cst.AsName: "name", cst.NamedExpr: "target"}


def assigned_names(node: cst.CSTNode) -> frozenset[str]:
    return frozenset(name for n in walk(node) if type(n) in _BINDERS
                     for name in _target_names(getattr(n, _BINDERS[type(n)])))


def _target_names(target) -> set[str]:
    if isinstance(target, cst.Name):
        return {target.value}
    if isinstance(target, (cst.Tuple, cst.List)):
        return {n for el in target.elements for n in _target_names(el.value)}
    if isinstance(target, cst.StarredElement):
        return _target_names(target.value)
    return set()


def used_names(node: cst.CSTNode) -> set[str]:
    return {n.value for n in walk(node) if type(n) is cst.Name}


@dataclass
class Frame:
    """One function activation: where its returns, breaks and continues go."""

    module: "ModuleState"
    function: cst.CSTNode | None = None  # the FunctionDef or Lambda running, None for module code
    returns: list[Value] = field(default_factory=list)
    breaks: list[Env] = field(default_factory=list)
    continues: list[Env] = field(default_factory=list)
    yields: list[Value] = field(default_factory=list)  # a generator function's yielded values


@dataclass
class Call:
    """What an effect receives: the evaluated arguments of one call."""

    interp: Interpreter
    node: cst.Call
    args: list[Value]
    kwargs: dict[str, Value]
    receiver: Value | None = None  # for methods
    qualname: str = ""  # the canonical name of the called function, for functions
    indirect: bool = False  # called by a library on the user's behalf (map, Lambda, preprocessing_function)
    star_args: tuple[Value, ...] = ()  # the values of *args (positions after them are unknown)
    star_kwargs: tuple[Value, ...] = ()  # the values of **kwargs

    @property
    def line(self) -> int:
        return self.interp.line(self.node)

    @property
    def loc(self) -> Loc:
        return self.interp.loc(self.node)

    def arg(self, pos: int | None, name: str | None = None, default: Value = UNKNOWN) -> Value:
        if name is not None and name in self.kwargs:
            return self.kwargs[name]
        if pos is not None and pos < len(self.args):
            return self.args[pos]
        return default

    def const(self, pos: int | None, name: str | None = None, default=None):
        """The Python value of an argument, ``default`` when absent, ``UNKNOWN`` when not a literal."""
        absent = object()
        value = self.arg(pos, name, Const(absent))
        if isinstance(value, Const):
            return default if value.value is absent else value.value
        return UNKNOWN

    def source(self, keyword: str | None = None) -> str:
        """The source text of the first positional argument (or of ``x=``), or of a keyword argument."""
        for wanted in ([keyword] if keyword else [None, "x", "inputs", "generator"]):
            for a in self.node.args:
                if not a.star and (a.keyword.value == wanted if a.keyword else wanted is None):
                    return self.interp.module.code(a.value)
        return "the input"


class Interpreter:
    def __init__(self, project: "Project"):
        self.project = project
        self.frames: list[Frame] = []
        self.memo: dict[tuple, Value] = {}
        self.active: set[int] = set()
        self.loops: list[Loop] = []  # the loops being run, innermost last
        self.repeat = 1  # how many times the innermost loop body being run runs in all (see MAX_REPEAT)
        self.steps: dict[int, int] = {}  # id(module state) -> statements executed (see STEP_BUDGET)
        self._assigned: dict[int, tuple[cst.CSTNode, frozenset[str]]] = {}
        self._generators: dict[int, tuple[cst.CSTNode, bool]] = {}
        self.calls: list[tuple[cst.Call, int]] = []  # calls being evaluated, with the depth of their frame
        self.context: list[Alternative] = []  # the alternatives of the run being followed
        self.abstract_loops = 0  # loops being run on joined states (not once per item)
        self.sinks_seen = 0  # sinks recorded so far in the project: their order
        self.executed: set[int] = set()  # the functions whose bodies have run (their nodes' ids)
        # Object state that follows control flow (a PyTorch model's train/eval mode): keyed by
        # (id(object), key), forked at branches and joined where paths meet, like variables.
        self.heap: dict[tuple[int, str], Value] = {}
        self.heap_objects: dict[int, object] = {}  # keeps the objects alive, so their ids stay theirs
        self.heap_version = 0  # bumped at every change: a call that changed object state is not memoised
        self.heap_changed: set[tuple[int, str]] = set()  # keys whose value changed during the run
        self.managers: list[Value] = []  # the context managers active: ``with`` items, decorators
        self.blocks: list[tuple[cst.CSTNode, int]] = []  # the loops and withs being run, with their frame depth
        self.decorators: dict[int, tuple[Value, ...]] = {}  # id(FunctionDef) -> its evaluated decorators
        self.entry = False  # running functions with unknown arguments, as entry points
        self.rebound: dict[int, set[str]] = {}  # id(module) -> its globals bound to different values over time
        self.soft: dict[int, Const] = {}  # entry points' flag defaults: not decided on (see bind_params)

    # -- where we are -------------------------------------------------------
    @property
    def module(self) -> "ModuleState":
        return self.frames[-1].module

    def line(self, node: cst.CSTNode) -> int:
        return self.module.line(node)

    def loc(self, node: cst.CSTNode) -> Loc:
        line = self.module.line(node)
        if self.module.cells is not None:
            cell, line = self.module.cells.locate(line)
            return Loc(self.module.display, line, cell)
        return Loc(self.module.display, line)

    # -- object state ------------------------------------------------------
    def state(self, obj: object, key: str) -> Value | None:
        return self.heap.get((id(obj), key))

    def set_state(self, obj: object, key: str, value: Value) -> None:
        k = (id(obj), key)
        old = self.heap.get(k)
        if old is not None and old != value:
            self.heap_changed.add(k)
        self.heap[k] = value
        self.heap_objects[id(obj)] = obj
        self.heap_version += 1

    def fork(self) -> dict:
        """The object state at a branch point; run each branch from ``dict(saved)``."""
        return self.heap

    def merge(self, heaps: list[dict]) -> None:
        """Where paths meet: a state that differs between them is unknown."""
        heaps = [h for h in heaps if h is not None]
        if not heaps or all(h is heaps[0] for h in heaps):
            self.heap = heaps[0] if heaps else self.heap
            return
        out = dict(heaps[0])
        for h in heaps[1:]:
            for k, v in h.items():
                old = out.get(k, _ABSENT)
                if old is not v:  # most of the state is shared by the paths: join(v, v) is v
                    out[k] = v if old is _ABSENT else join(old, v)
        self.heap = out

    def scopes(self) -> tuple[cst.CSTNode, ...]:
        """The loops, ``with`` statements and function definitions around the current statement (through
        the calls that led here), innermost first."""
        out: list[cst.CSTNode] = []
        for depth in range(len(self.frames), 0, -1):
            out += [node for node, d in reversed(self.blocks) if d == depth]
            function = self.frames[depth - 1].function
            if function is not None:
                out.append(function)
        return tuple(out)

    # -- events the rules read ---------------------------------------------
    def sink(self, call: Call, model: Model, method: str, value: Value, keyword: str | None = None,
             state: dict | None = None) -> None:
        image = image_of(value.element if isinstance(value, Dataset) else value)
        if image is None:
            return
        at = call.node
        seen: Value = image
        for op in model.front:
            seen = op(seen, self, at) if isinstance(seen, Image) else UNKNOWN
        if isinstance(seen, Image):
            positional = [a.value for a in at.args if not a.keyword and not a.star]
            arg_node = positional[0] if keyword is None and len(positional) == 1 else None
            unused = method.startswith(("predict", "__call__")) and id(at) in self.module.unused_results()
            self.sinks_seen += 1
            self.module.sinks.append(Sink(at, model, method, call.source(keyword), seen, isinstance(value, Dataset),
                                          self.module.display, arg_node, self.frames[-1].function,
                                          self.in_loop(seen.stale_loop), unused, tuple(self.context),
                                          self.sinks_seen, keyword, self.project, self.loc(at), self.module.path,
                                          tuple(self.managers), self.scopes(), dict(state or {})))

    def event(self, kind: str, node: cst.CSTNode, **details) -> None:
        self.module.events.append(Event(kind, node, details, tuple(self.context)))

    def renormalised(self, at: cst.CSTNode, before: Image, step: Step) -> None:
        self.module.renormalised.append(Renormalised(at, before, step, tuple(self.context)))

    # -- running modules and functions --------------------------------------
    def run_module(self, state: "ModuleState") -> None:
        self.frames.append(Frame(state))
        try:
            self.exec_block(state.tree.body, state.env)  # what importers see: settle() keeps state.env current
        finally:
            self.frames.pop()

    def analyse_functions(self, state: "ModuleState") -> None:
        """Run, with unknown arguments, every function body the module's code never ran (entry points,
        routes, methods): those nobody calls first, as the code that calls the others may run them
        with what it really passes (a helper run on unknown arguments would guess).

        They run after the module's code, so on its final globals and object state, except for those
        that changed during the run: nobody knows which of their values an entry point sees.
        """
        for key in self.heap_changed:
            self.heap[key] = UNKNOWN
        saved = state.env.vars
        state.env.vars = {**saved, **{name: UNKNOWN for name in self.rebound.get(id(state), ())}}
        self.entry = True
        try:
            self._analyse_functions(state)
        finally:
            self.entry = False
            state.env.vars = saved

    def _analyse_functions(self, state: "ModuleState") -> None:
        done: set[int] = set()
        instances: dict[int, Instance] = {}  # one object per class, its __init__ run first
        called = state.called_names()
        while True:
            pending = [f for f in state.functions if id(f.node) not in done]
            if not pending:
                return
            # __init__ first, so the other methods see the attributes it sets (sorted here, once per
            # round: sorting at every class definition made 5,000 classes take seconds); then the
            # functions nobody calls
            pending.sort(key=lambda f: (f.node.name.value != "__init__", f.node.name.value in called)
                         if isinstance(f.node, cst.FunctionDef) else (True, True))
            for fn in pending:
                done.add(id(fn.node))
                if id(fn.node) in self.executed:
                    continue
                args: list[Value] = []
                owner = state.owners.get(id(fn.node))
                if owner is not None:
                    # any object of the class: what its objects were given, until __init__ runs on it
                    args.append(instances.setdefault(id(owner), Instance(owner, dict(owner.given))))
                self.call_function(fn, args, {}, memo=False, entry=True)

    def call_function(self, fn: Function, args: list[Value], kwargs: dict[str, Value], memo: bool = True,
                      entry: bool = False) -> Value:
        key = None
        if memo:
            try:
                key = (id(fn.node), tuple(args), tuple(sorted(kwargs.items())))
                hash(key)
            except TypeError:
                key = None
            if key is not None and key in self.memo:
                return self.memo[key]
        if len(self.frames) > MAX_DEPTH or id(fn.node) in self.active \
                or self.steps.get(id(fn.module), 0) > STEP_BUDGET:
            return UNKNOWN
        env = Env(fn.closure or fn.module.env)
        self.executed.add(id(fn.node))
        self.bind_params(fn, env, args, kwargs, entry)
        frame = Frame(fn.module, fn.node)
        self.frames.append(frame)
        self.active.add(id(fn.node))
        version = self.heap_version
        decorators = self.decorators.get(id(fn.node), ())
        self.managers += decorators
        try:
            if isinstance(fn.node, cst.Lambda):
                result = self.eval(fn.node.body, env)
            else:
                end = self.exec_block(fn.node.body.body if isinstance(fn.node.body, cst.IndentedBlock)
                                      else fn.node.body.body, env)
                if self.is_generator(fn):  # calling it makes a generator of what it yields
                    element = joined(frame.yields)
                    result = Dataset(element) if element is not None else UNKNOWN
                else:
                    returns = frame.returns + ([Const(None)] if end is not None else [])
                    result = joined(returns) or UNKNOWN
        finally:
            if decorators:
                del self.managers[-len(decorators):]
            self.active.discard(id(fn.node))
            self.frames.pop()
        if key is not None and version == self.heap_version:  # a call that changed object state runs again
            self.memo[key] = result
        return result

    def is_generator(self, fn: Function) -> bool:
        """Whether a function yields (in its own body, not in functions nested in it)."""
        node = fn.node
        cached = self._generators.get(id(node))
        if cached is None:  # the node is kept with the answer, so its id cannot be reused
            text = getattr(fn.module, "text", None)
            found = (not isinstance(text, str) or "yield" in text) \
                and any(type(n) is cst.Yield for n in walk(node.body, into=lambda n: type(n) not in _SCOPES))
            cached = self._generators[id(node)] = (node, found)
        return cached[1]

    def bind_params(self, fn: Function, env: Env, args: list[Value], kwargs: dict[str, Value],
                    entry: bool = False) -> None:
        """Arguments to parameters. An entry point (run with unknown arguments) may be called with any
        flag: its parameters whose defaults are strings, booleans or None keep them, but branches and
        comparisons do not decide on them there (``backend="openvino"`` may be anything)."""
        params = fn.node.params

        def default(name: str) -> Value:
            value = fn.defaults.get(name, UNKNOWN)
            if entry and isinstance(value, Const) and (value.value is None or isinstance(value.value, (str, bool))):
                value = Const(value.value)  # a value of its own, known as a soft default by its identity
                self.soft[id(value)] = value
            return value

        positional = list(params.posonly_params) + list(params.params)
        for i, p in enumerate(positional):
            name = p.name.value
            if i < len(args):
                env.vars[name] = args[i]
            elif name in kwargs:
                env.vars[name] = kwargs[name]
            else:
                env.vars[name] = default(name)
        for p in params.kwonly_params:
            name = p.name.value
            env.vars[name] = kwargs[name] if name in kwargs else default(name)
        for star in (params.star_arg, params.star_kwarg):
            if isinstance(star, cst.Param):
                env.vars[star.name.value] = UNKNOWN

    # -- statements ---------------------------------------------------------
    def exec_block(self, body: Iterable[cst.CSTNode], env: Env | None) -> Env | None:
        for stmt in body:
            if env is None:
                return None
            env = self.exec_stmt(stmt, env)
        return env

    def exec_stmt(self, stmt: cst.CSTNode, env: Env) -> Env | None:
        key = id(self.module)
        self.steps[key] = self.steps.get(key, 0) + 1
        if isinstance(stmt, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
            return self.exec_block(stmt.body, env)
        handler = getattr(self, "exec_" + type(stmt).__name__, None)
        if handler is None:
            return env
        return handler(stmt, env)

    def exec_Expr(self, stmt: cst.Expr, env: Env) -> Env:
        value = stmt.value
        if (isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute)
                and isinstance(value.func.value, cst.Name)):
            target = value.func.value.value
            current = env.lookup(target)
            method = value.func.attr.value
            if isinstance(current, ListVal) and method in ("append", "extend", "insert") and value.args:
                added = self.eval(value.args[-1].value, env)
                if method == "extend":
                    added = effects.element_of(added)
                item = join(current.item, added) if current.item is not None else added
                # appended once per run (not in a loop followed abstractly): the list's items stay known
                items = current.items + (added,) if method == "append" and current.items is not None \
                    and not self.abstract_loops else None
                env.vars[target] = ListVal(item, items=items)
                return env
            if isinstance(current, Image) and method in effects.MUTATING_METHODS:
                result = self.eval(value, env)
                update = effects.MUTATING_METHODS[method]  # None: the method returns what it made of it
                env.vars[target] = update(current) if update is not None else result
                return env
            if isinstance(current, Image) and current.container == "pil" and method == "convert":
                self.event("discarded-convert", value, image=self.module.code(value.func.value))
        if isinstance(value, cst.Call) and (isinstance(value.func, cst.Name) or (
                isinstance(value.func, cst.Attribute) and isinstance(value.func.value, cst.Name))):
            func = self.eval(value.func, env)
            if isinstance(func, ModuleRef) and func.qualname in NORETURN and self.frames[-1].function is not None:
                # sys.exit(...) in a function: this path ends here (module code after one is analysed all the same)
                self.eval(value, env)
                return None
        self.eval(value, env)
        return env

    def exec_Assign(self, stmt: cst.Assign, env: Env) -> Env:
        value = self.eval(stmt.value, env)
        for t in stmt.targets:
            self.assign(t.target, value, env)
        return env

    def exec_AnnAssign(self, stmt: cst.AnnAssign, env: Env) -> Env:
        if stmt.value is not None:
            self.assign(stmt.target, self.eval(stmt.value, env), env)
        return env

    def exec_AugAssign(self, stmt: cst.AugAssign, env: Env) -> Env:
        left = self.eval(stmt.target, env)
        right = self.eval(stmt.value, env)
        op = type(stmt.operator).__name__.replace("Assign", "")
        self.assign(stmt.target, arithmetic.binary(self, stmt, left, op, right), env)
        return env

    def exec_Return(self, stmt: cst.Return, env: Env) -> None:
        self.frames[-1].returns.append(self.eval(stmt.value, env) if stmt.value is not None else Const(None))
        return None

    def exec_Raise(self, stmt: cst.Raise, env: Env) -> None:
        if stmt.exc is not None:
            self.eval(stmt.exc, env)
        return None

    def exec_Break(self, stmt: cst.Break, env: Env) -> None:
        self.frames[-1].breaks.append(env)
        return None

    def exec_Continue(self, stmt: cst.Continue, env: Env) -> None:
        self.frames[-1].continues.append(env)
        return None

    def exec_Del(self, stmt: cst.Del, env: Env) -> Env:
        if isinstance(stmt.target, cst.Name):
            env.vars.pop(stmt.target.value, None)
        return env

    def exec_Import(self, stmt: cst.Import, env: Env) -> Env:
        for alias in stmt.names:
            dotted = self.module.code(alias.name)
            if alias.asname is not None:
                env.vars[alias.asname.name.value] = self.project.import_module(self.module, dotted, 0)
            else:
                top = dotted.split(".")[0]
                env.vars[top] = self.project.import_module(self.module, top, 0)
        return env

    def exec_ImportFrom(self, stmt: cst.ImportFrom, env: Env) -> Env:
        dotted = self.module.code(stmt.module) if stmt.module is not None else ""
        level = len(stmt.relative)
        if isinstance(stmt.names, cst.ImportStar):
            source = self.project.import_module(self.module, dotted, level)
            exported = getattr(source, "env", None)
            if exported is not None:
                env.vars.update({k: v for k, v in exported.vars.items() if not k.startswith("_")})
                self.module.star_modules += [m for m in source.star_modules if m not in self.module.star_modules]
            elif isinstance(source, ModuleRef):  # from tensorflow.keras.applications import *
                self.module.star_modules.append(source.qualname)
            return env
        for alias in stmt.names:
            name = alias.name.value if isinstance(alias.name, cst.Name) else self.module.code(alias.name)
            bound = alias.asname.name.value if alias.asname is not None else name
            env.vars[bound] = self.project.import_from(self.module, dotted, level, name)
        return env

    def exec_FunctionDef(self, stmt: cst.FunctionDef, env: Env) -> Env:
        decorators = tuple(self.eval(d.decorator, env) for d in stmt.decorators)
        if decorators:
            self.decorators[id(stmt)] = decorators
        closure = env if env is not self.module.env else None
        fn = Function(stmt, self.module, closure, self.defaults(stmt.params, env))
        env.vars[stmt.name.value] = fn
        self.module.functions.append(fn)
        return env

    def exec_ClassDef(self, stmt: cst.ClassDef, env: Env) -> Env:
        bases = tuple(self.eval(arg.value, env) for arg in stmt.bases if arg.keyword is None and not arg.star)
        cls = ClassVal(stmt, self.module, bases=bases)
        body_env = Env(env)
        self.exec_block(stmt.body.body, body_env)
        for name, value in body_env.vars.items():
            if isinstance(value, Function):
                cls.methods[name] = value
                self.module.owners[id(value.node)] = cls
            else:
                cls.attrs[name] = value
        env.vars[stmt.name.value] = cls
        return env

    def exec_If(self, stmt: cst.If, env: Env) -> Env | None:
        test = self.eval(stmt.test, env)
        taken = _truth(test, stmt.test) if id(test) not in self.soft else None
        orelse = stmt.orelse
        if taken is True:
            return self.exec_block(stmt.body.body, env)
        if taken is False:
            return self.exec_orelse(orelse, env)
        saved = self.fork()
        self.heap = dict(saved)
        body_out = self.exec_block(stmt.body.body, env.copy())
        body_heap, self.heap = self.heap, dict(saved)
        else_out = self.exec_orelse(orelse, env.copy())
        self.merge([body_heap, self.heap])
        condition = " ".join(self.module.code(stmt.test).split())
        return settle(env, choose_envs([
            (Alternative(("if", condition), "true", f"when `{condition}` is {{}}"), body_out),
            (Alternative(("if", condition), "false", f"when `{condition}` is {{}}"), else_out)]))

    def exec_orelse(self, orelse, env: Env) -> Env | None:
        if orelse is None:
            return env
        if isinstance(orelse, cst.If):
            return self.exec_If(orelse, env)
        return self.exec_block(orelse.body.body, env)

    def exec_For(self, stmt: cst.For, env: Env) -> Env | None:
        iterable = self.eval(stmt.iter, env)
        items = _literal_items(iterable)
        element = self.element_of(iterable)
        over_files = isinstance(element, PathStr) or (
            items is not None and all(isinstance(i, Const) and isinstance(i.value, str) for i in items))
        self.loops.append(Loop(stmt, self.assigned_in(stmt), over_files, len(self.frames)))
        self.blocks.append((stmt, len(self.frames)))
        try:
            if items is not None and 0 < len(items) <= MAX_UNROLL and self.repeat * len(items) <= MAX_REPEAT:
                return self.unrolled(stmt, env, items)
            return self.loop(stmt, env, lambda e: self.assign(stmt.target, element, e))
        finally:
            self.loops.pop()
            self.blocks.pop()

    def assigned_in(self, loop: cst.CSTNode) -> frozenset[str]:
        """The names a loop assigns, computed once per loop: nested loops are run many times."""
        cached = self._assigned.get(id(loop))
        if cached is None:  # the node is kept with its names, so its id cannot be reused
            cached = self._assigned[id(loop)] = (loop, assigned_names(loop))
        return cached[1]

    def stale_load(self, call_node: cst.Call) -> int | None:
        """The loop over files a loader call sits in without using anything the loop changes."""
        if not self.loops or not self.loops[-1].over_files:
            return None
        loop = self.loops[-1]
        # The call made in the loop's own frame that led here: the loader itself, or a helper's call.
        in_loop_frame = [node for node, depth in self.calls if depth == loop.depth]
        if not in_loop_frame or used_names(in_loop_frame[-1]) & loop.names:
            return None
        return id(loop.node)

    def in_loop(self, loop_id: int | None) -> bool:
        return loop_id is not None and any(id(loop.node) == loop_id for loop in self.loops)

    def unrolled(self, stmt: cst.For, env: Env, items: tuple[Value, ...]) -> Env | None:
        """A loop over a literal list runs once per item: each iteration is a real path."""
        frame = self.frames[-1]
        saved = frame.breaks, frame.continues, self.repeat
        frame.breaks = []
        self.repeat *= len(items)
        try:
            current: Env | None = env
            iterated = " ".join(self.module.code(stmt.iter).split())
            for index, item in enumerate(items):
                if current is None:
                    break
                frame.continues = []
                self.assign(stmt.target, item, current)
                label = _describe(item, index)
                self.context.append(Alternative(("loop", id(stmt)), label, f"for {{}} in `{iterated}`", len(items)))
                try:
                    current = join_envs([self.exec_block(stmt.body.body, current)] + frame.continues)
                finally:
                    self.context.pop()
            if stmt.orelse is not None and current is not None:
                current = self.exec_block(stmt.orelse.body.body, current)
            return settle(env, join_envs([current] + frame.breaks))
        finally:
            frame.breaks, frame.continues, self.repeat = saved

    def exec_While(self, stmt: cst.While, env: Env) -> Env | None:
        self.eval(stmt.test, env)
        self.blocks.append((stmt, len(self.frames)))
        try:
            return self.loop(stmt, env, lambda e: None)
        finally:
            self.blocks.pop()

    def loop(self, stmt, env: Env, bind) -> Env | None:
        """The body runs twice: the first iteration, then on the join of the entry state and its end.

        Inside too many enclosing loops (see MAX_REPEAT) it runs once, on a state where every name
        the loop assigns is already unknown-joined: less precise, never wrong.
        """
        frame = self.frames[-1]
        saved = frame.breaks, frame.continues, self.repeat
        frame.breaks, frame.continues = [], []
        self.abstract_loops += 1
        twice = self.repeat * 2 <= MAX_REPEAT
        self.repeat *= 2 if twice else 1
        entry_heap = self.fork()
        self.heap = dict(entry_heap)
        try:
            if twice:
                first = env.copy()
                bind(first)
                end1 = join_envs([self.exec_block(stmt.body.body, first)] + frame.continues)
                frame.continues = []
                second = join_envs([env, end1]) or env.copy()
                self.merge([entry_heap, self.heap])
            else:
                end1 = None
                second = env.copy()
                for name in self.assigned_in(stmt):
                    if name in second.vars:
                        second.vars[name] = UNKNOWN
            bind(second)
            end2 = join_envs([self.exec_block(stmt.body.body, second)] + frame.continues)
            self.merge([entry_heap, self.heap])  # the body may run no time at all
            out = join_envs([env, end1, end2])
            if stmt.orelse is not None and out is not None:
                out = self.exec_block(stmt.orelse.body.body, out)
            return settle(env, join_envs([out] + frame.breaks))
        finally:
            frame.breaks, frame.continues, self.repeat = saved
            self.abstract_loops -= 1

    def exec_Try(self, stmt: cst.Try, env: Env) -> Env | None:
        entry_heap = self.fork()
        self.heap = dict(entry_heap)
        body_out = self.exec_block(stmt.body.body, env.copy())
        by = ("try", self.line(stmt))
        outs = []
        if stmt.orelse is not None and body_out is not None:
            body_out = self.exec_block(stmt.orelse.body.body, body_out)
        ways = 1 + len(stmt.handlers)
        outs.append((Alternative(by, "succeeds", f"when the try at line {self.line(stmt)} {{}}", ways), body_out))
        self.merge([entry_heap, self.heap])  # a handler may start anywhere in the body
        start_heap, heaps = self.heap, [self.heap]
        for handler in stmt.handlers:
            start = join_envs([env, body_out]) or env.copy()
            if handler.name is not None and isinstance(handler.name.name, cst.Name):
                start.vars[handler.name.name.value] = UNKNOWN
            self.heap = dict(start_heap)
            alternative = Alternative(by, "fails", f"when the try at line {self.line(stmt)} {{}}", ways)
            outs.append((alternative, self.exec_block(handler.body.body, start)))
            heaps.append(self.heap)
        self.merge(heaps)
        out = choose_envs(outs)
        if stmt.finalbody is not None:
            out = self.exec_block(stmt.finalbody.body.body, out or env.copy()) if out is not None else None
        return settle(env, out)

    exec_TryStar = exec_Try

    def exec_With(self, stmt: cst.With, env: Env) -> Env | None:
        values = []
        for item in stmt.items:
            value = self.eval(item.item, env)
            values.append(value)
            if item.asname is not None:
                self.assign(item.asname.name, value, env)
        self.managers += values
        self.blocks.append((stmt, len(self.frames)))
        try:
            return self.exec_block(stmt.body.body, env)
        finally:
            self.blocks.pop()
            if values:
                del self.managers[-len(values):]

    def exec_Match(self, stmt: cst.Match, env: Env) -> Env | None:
        self.eval(stmt.subject, env)
        outs = [env]
        entry_heap = self.fork()
        heaps = [entry_heap]
        for case in stmt.cases:
            self.heap = dict(entry_heap)
            outs.append(self.exec_block(case.body.body, env.copy()))
            heaps.append(self.heap)
        self.merge(heaps)
        return settle(env, join_envs(outs))

    def assign(self, target: cst.BaseExpression, value: Value, env: Env) -> None:
        if isinstance(target, cst.Name):
            name = target.value
            if self.frames[-1].function is None and name in env.vars and env.vars[name] != value:
                self.rebound.setdefault(id(self.module), set()).add(name)
            env.vars[name] = value
        elif isinstance(target, (cst.Tuple, cst.List)):
            elements = target.elements
            starred = any(isinstance(e, cst.StarredElement) for e in elements)
            if isinstance(value, Const) and isinstance(value.value, (tuple, list)):
                value = TupleVal(tuple(Const(v) for v in value.value))
            for i, el in enumerate(elements):
                if isinstance(value, TupleVal) and len(value.items) == len(elements) and not starred:
                    item = value.items[i]
                elif isinstance(value, ListVal) and value.items is not None and len(value.items) == len(elements) \
                        and not starred:
                    item = value.items[i]
                elif isinstance(value, ListVal) and not starred:
                    item = value.item if value.item is not None else UNKNOWN
                elif isinstance(value, Symbolic):  # the outputs of a model with several: all downstream of it
                    item = value
                else:
                    item = UNKNOWN
                self.assign(el.value, item, env)
        elif isinstance(target, cst.Attribute):
            owner = self.eval(target.value, env)
            name = target.attr.value
            if isinstance(owner, Model):
                owner.attrs[name] = value
                if name == "trainable" and isinstance(value, Const):
                    # a layer of a model (for layer in base.layers[:-20]: ...) freezes part of it
                    whole = owner.attrs.get("layer_of", owner)
                    whole.trainable_history.append(bool(value.value))
            elif isinstance(owner, Instance):
                owner.set_attr(name, value)
            else:  # a library object's attribute (``dataset.transform = t``)
                effects.assigned(self, owner, name, value)
        elif isinstance(target, cst.Subscript):
            owner = self.eval(target.value, env)
            if isinstance(target.value, cst.Name) and isinstance(owner, Image):
                one = len(target.slice) >= 1 and isinstance(target.slice[0].slice, cst.Index) and all(
                    isinstance(el.slice, cst.Slice) and el.slice.lower is None and el.slice.upper is None
                    for el in target.slice[1:])
                # batch[i] = image fills a batch; any other piecewise write (img[c] /= 255) leaves its values
                # and channel order unknown, its shape as it was
                env.vars[target.value.value] = effects.filled(owner, value) if one and owner.batched else \
                    owner.but(scale=None, order=None, steps=(), blank=False, repeated=None)
            elif isinstance(target.value, cst.Name) and isinstance(owner, ListVal):  # xs[i] = v
                env.vars[target.value.value] = ListVal(join(owner.item, value) if owner.item is not None else value)
            elif isinstance(target.value, cst.Name) and isinstance(owner, DictVal) and len(target.slice) == 1 \
                    and isinstance(target.slice[0].slice, cst.Index):
                key = self.eval(target.slice[0].slice.value, env)
                key = key.value if isinstance(key, Const) and _hashable(key.value) else UNKNOWN
                env.vars[target.value.value] = owner.with_item(key, value)
        elif isinstance(target, cst.StarredElement):
            self.assign(target.value, UNKNOWN, env)

    # -- expressions ----------------------------------------------------------
    def eval(self, node: cst.BaseExpression, env: Env) -> Value:
        handler = getattr(self, "eval_" + type(node).__name__, None)
        if handler is not None:
            return handler(node, env)
        # Unmodelled expression: still run what is inside it (a predict call in a comparison).
        for child in node.children:
            if isinstance(child, cst.BaseExpression):
                self.eval(child, env)
            elif isinstance(child, (cst.Arg, cst.Element, cst.ComparisonTarget, cst.DictElement)):
                for grandchild in child.children:
                    if isinstance(grandchild, cst.BaseExpression):
                        self.eval(grandchild, env)
        return UNKNOWN

    def eval_Name(self, node: cst.Name, env: Env) -> Value:
        name = node.value
        if name in ("True", "False", "None"):
            return Const({"True": True, "False": False, "None": None}[name])
        value = env.lookup(name)
        if value is not None:
            return value
        if name in BUILTINS:
            return ModuleRef("builtins." + name)
        for module in self.module.star_modules:  # a name a library's star import brought in
            if effects.lookup(f"{module}.{name}") is not None:
                return ModuleRef(f"{module}.{name}")
        return UNKNOWN

    def eval_Ellipsis(self, node: cst.Ellipsis, env: Env) -> Value:
        return Const(Ellipsis)

    def eval_Integer(self, node: cst.Integer, env: Env) -> Value:
        try:  # int() itself, not libcst's literal_eval; a literal of 5000 digits is more than int() takes
            value = int(node.value, 0)
        except ValueError:
            return UNKNOWN
        return Const(value) if arithmetic.small(value) else UNKNOWN

    def eval_Float(self, node: cst.Float, env: Env) -> Value:
        try:
            return Const(float(node.value))
        except ValueError:
            return UNKNOWN

    def eval_SimpleString(self, node: cst.SimpleString, env: Env) -> Value:
        try:
            return Const(node.evaluated_value)
        except Exception:  # a string libcst cannot evaluate is just unknown
            return UNKNOWN

    def eval_ConcatenatedString(self, node: cst.ConcatenatedString, env: Env) -> Value:
        try:
            return Const(node.evaluated_value)
        except Exception:
            return UNKNOWN

    def eval_FormattedString(self, node: cst.FormattedString, env: Env) -> Value:
        """An f-string made of constants is a constant (a TF Hub handle, a path)."""
        text = []
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                text.append(part.value)
                continue
            value = self.eval(part.expression, env)
            if not isinstance(value, Const) or part.format_spec or part.conversion \
                    or not isinstance(value.value, (str, int, float)) or isinstance(value.value, bool):
                text = None
                break
            text.append(str(value.value))
        if "b" in node.prefix.lower():
            return UNKNOWN
        if text is None or "{" in "".join(p.value for p in node.parts if isinstance(p, cst.FormattedStringText)):
            # f"data/{name}.png": a path built at run time, of the type its end names ({{ escapes: not
            # worth getting right)
            template = "".join(p.value if isinstance(p, cst.FormattedStringText) else "*" for p in node.parts)
            return PathStr(suffix_of(Const(template)))
        return Const("".join(text))

    def eval_Tuple(self, node: cst.Tuple, env: Env) -> Value:
        items = [self.eval(e.value, env) for e in node.elements]
        if any(isinstance(e, cst.StarredElement) for e in node.elements):
            return UNKNOWN
        if all(isinstance(i, Const) for i in items):
            return Const(tuple(i.value for i in items))
        return TupleVal(tuple(items))

    def eval_List(self, node: cst.List, env: Env) -> Value:
        items = [self.eval(e.value, env) for e in node.elements]
        if any(isinstance(e, cst.StarredElement) for e in node.elements):
            return ListVal(UNKNOWN)
        if items and all(isinstance(i, Const) for i in items):
            return Const(tuple(i.value for i in items))
        item = None
        for i in items:
            item = i if item is None else join(item, i)
        return ListVal(item, items=tuple(items))

    def eval_Dict(self, node: cst.Dict, env: Env) -> Value:
        items: list[tuple[object, Value]] = []
        known = True
        for el in node.elements:
            value = self.eval(el.value, env)
            if isinstance(el, cst.StarredDictElement):
                known = False
                continue
            key = self.eval(el.key, env)
            if isinstance(key, Const) and _hashable(key.value):
                items.append((key.value, value))
            else:
                known = False
                items.append((UNKNOWN, value))
        if known:
            return DictVal(tuple(dict(items).items()))
        return DictVal(None, joined(v for _, v in items))

    def eval_DictComp(self, node: cst.DictComp, env: Env) -> Value:
        """``{x: f(x) for x in ["train", "val"]}``: one entry per item of a literal list."""
        comp = node.for_in
        items = _literal_items(self.eval(comp.iter, env)) if comp.inner_for_in is None and not comp.ifs else None
        if items is not None and len(items) <= MAX_UNROLL:
            out: list[tuple[object, Value]] = []
            for item in items:
                inner = Env(env)
                self.assign(comp.target, item, inner)
                key = self.eval(node.key, inner)
                if not (isinstance(key, Const) and _hashable(key.value)):
                    break
                out.append((key.value, self.eval(node.value, inner)))
            else:
                return DictVal(tuple(dict(out).items()))
        inner = self._comprehension(node, env)
        self.eval(node.key, inner)
        return DictVal(None, self.eval(node.value, inner))

    def eval_Lambda(self, node: cst.Lambda, env: Env) -> Value:
        return Function(node, self.module, env if env is not self.module.env else None,
                        self.defaults(node.params, env))

    def defaults(self, params: cst.Parameters, env: Env) -> dict[str, Value]:
        """The parameters' defaults, evaluated once, in the scope of the definition (not at each
        call, where no frame may be running yet: functions nobody calls are analysed from the top)."""
        return {p.name.value: self.eval(p.default, env)
                for p in (*params.posonly_params, *params.params, *params.kwonly_params) if p.default is not None}

    def eval_IfExp(self, node: cst.IfExp, env: Env) -> Value:
        test = self.eval(node.test, env)
        taken = _truth(test, node.test) if id(test) not in self.soft else None
        if taken is True:
            return self.eval(node.body, env)
        if taken is False:
            return self.eval(node.orelse, env)
        saved = self.fork()
        self.heap = dict(saved)
        body = self.eval(node.body, env)
        body_heap, self.heap = self.heap, dict(saved)
        orelse = self.eval(node.orelse, env)
        self.merge([body_heap, self.heap])
        if worth_choosing(body) or worth_choosing(orelse):
            condition = " ".join(self.module.code(node.test).split())
            by = ("if", condition)
            return choose(by, [(Alternative(by, "true", f"when `{condition}` is {{}}"), body),
                               (Alternative(by, "false", f"when `{condition}` is {{}}"), orelse)])
        return join(body, orelse)

    def eval_NamedExpr(self, node: cst.NamedExpr, env: Env) -> Value:
        value = self.eval(node.value, env)
        self.assign(node.target, value, env)
        return value

    def eval_Yield(self, node: cst.Yield, env: Env) -> Value:
        if node.value is not None:
            value = self.eval(node.value.item if isinstance(node.value, cst.From) else node.value, env)
            self.frames[-1].yields.append(self.element_of(value) if isinstance(node.value, cst.From) else value)
        return UNKNOWN  # what the consumer sends in

    def eval_Await(self, node: cst.Await, env: Env) -> Value:
        return self.eval(node.expression, env)

    def _comprehension(self, node, env: Env, first: Value | None = None) -> Env:
        inner = Env(env)
        comp = node.for_in
        while comp is not None:
            iterable = first if first is not None and comp is node.for_in else self.eval(comp.iter, inner)
            self.assign(comp.target, self.element_of(iterable), inner)
            for cond in comp.ifs:
                self.eval(cond.test, inner)
            comp = comp.inner_for_in
        return inner

    def eval_ListComp(self, node: cst.ListComp, env: Env) -> Value:
        self.blocks.append((node, len(self.frames)))  # a loop, for the rules that ask what encloses a call
        try:
            return self._list_comp(node, env)
        finally:
            self.blocks.pop()

    def _list_comp(self, node: cst.ListComp, env: Env) -> Value:
        comp = node.for_in
        iterable = self.eval(comp.iter, env) if comp.inner_for_in is None and not comp.ifs \
            and isinstance(node, cst.ListComp) else None
        items = iterable.items if isinstance(iterable, TupleVal) else None
        if items is not None and len(items) <= MAX_UNROLL:  # [f(x) for x in batch] of a tuple: one per item
            out = []
            for item in items:
                inner = Env(env)
                self.assign(comp.target, item, inner)
                out.append(self.eval(node.elt, inner))
            return ListVal(joined(out), items=tuple(out))
        return ListVal(self.eval(node.elt, self._comprehension(node, env, iterable)))

    eval_GeneratorExp = eval_ListComp
    eval_SetComp = eval_ListComp

    def eval_UnaryOperation(self, node: cst.UnaryOperation, env: Env) -> Value:
        operand = self.eval(node.expression, env)
        if isinstance(node.operator, cst.Minus):
            return arithmetic.binary(self, node, Const(0), "Subtract", operand)
        if isinstance(node.operator, cst.Plus):
            return operand
        return UNKNOWN

    def eval_BinaryOperation(self, node: cst.BinaryOperation, env: Env) -> Value:
        left = self.eval(node.left, env)
        right = self.eval(node.right, env)
        op = type(node.operator).__name__
        if isinstance(left, Choice) != isinstance(right, Choice):  # preprocessed by a chosen function, / 255
            choice, other = (left, right) if isinstance(left, Choice) else (right, left)
            return choose(choice.by, [(alt, arithmetic.binary(self, node, v, op, other) if choice is left
                                       else arithmetic.binary(self, node, other, op, v)) for alt, v in choice.options])
        return arithmetic.binary(self, node, left, op, right)

    def eval_Comparison(self, node: cst.Comparison, env: Env) -> Value:
        values = [self.eval(node.left, env)] + [self.eval(t.comparator, env) for t in node.comparisons]
        effects.compared(self, node, values)
        predictions = [v for v in values if isinstance(v, Predictions)]
        if predictions:
            return predictions[0]
        if any(id(v) in self.soft for v in values):
            return UNKNOWN
        if all(isinstance(v, Const) for v in values):  # if MODEL == "vgg16":, if split is not None:
            return _compare_constants([v.value for v in values], [type(t.operator).__name__ for t in node.comparisons])
        if len(values) == 2 and isinstance(node.comparisons[0].operator, (cst.Is, cst.IsNot)) \
                and values[1] == Const(None) and isinstance(values[0], OBJECTS):
            # ``transform is not None`` of a known object
            return Const(isinstance(node.comparisons[0].operator, cst.IsNot))
        return UNKNOWN

    def eval_Attribute(self, node: cst.Attribute, env: Env) -> Value:
        owner = self.eval(node.value, env)
        if isinstance(owner, Choice):  # model.predict of a model chosen in an if: one per alternative
            return choose(owner.by, [(alt, effects.attribute(self, v, node.attr.value)) for alt, v in owner.options])
        return effects.attribute(self, owner, node.attr.value)

    def eval_Subscript(self, node: cst.Subscript, env: Env) -> Value:
        owner = self.eval(node.value, env)
        indices: list[Value | slice] = []
        for el in node.slice:
            if isinstance(el.slice, cst.Index):
                indices.append(self.eval(el.slice.value, env))
            else:
                sl = el.slice
                parts = [self.eval(p, env) if p is not None else Const(None) for p in (sl.lower, sl.upper, sl.step)]
                indices.append(slice(*[p.value if isinstance(p, Const) else UNKNOWN for p in parts]))
        if isinstance(owner, Choice):
            return choose(owner.by, [(alt, effects.subscript(self, node, v, indices)) for alt, v in owner.options])
        if isinstance(owner, Instance) and len(indices) == 1 and not isinstance(indices[0], slice):
            getitem = owner.cls.method("__getitem__")  # dataset[i] runs the class's __getitem__
            if getitem is not None:
                return self.call_function(getitem, [owner, indices[0]], {})
        return effects.subscript(self, node, owner, indices)

    def eval_Call(self, node: cst.Call, env: Env) -> Value:
        if isinstance(node.func, cst.Name) and node.func.value == "super" and env.lookup("super") is None:
            return self.super_of(env)
        func = self.eval(node.func, env)
        args: list[Value] = []
        kwargs: dict[str, Value] = {}
        stars: list[Value] = []
        double: list[Value] = []
        for a in node.args:
            value = self.eval(a.value, env)
            if a.star:
                (stars if a.star == "*" else double).append(value)
                continue
            if a.keyword is not None:
                kwargs[a.keyword.value] = value
            else:
                args.append(value)
        if stars:
            args = []  # positions are unknown after *args
        call = Call(self, node, args, kwargs, star_args=tuple(stars), star_kwargs=tuple(double))
        self.calls.append((node, len(self.frames)))
        try:
            result = self.call(func, call)
        finally:
            self.calls.pop()
        if node.args and isinstance(node.args[0].value, cst.Name) and effects.in_place(func) \
                and _float_array(env.lookup(node.args[0].value.value)):
            # keras's preprocess_input scales float numpy arrays in place: ``y = preprocess_input(x)``
            # changes x too, and ``preprocess_input(x)`` alone works
            env.vars[node.args[0].value.value] = result
        return result

    def super_of(self, env: Env) -> Value:
        """``super()`` in a method: the class it is defined in and the instance it runs on."""
        fn = self.frames[-1].function
        cls = self.module.owners.get(id(fn)) if fn is not None else None
        params = fn.params.params if isinstance(fn, cst.FunctionDef) else ()
        if cls is None or not params:
            return UNKNOWN
        return Super(cls, env.lookup(params[0].name.value) or UNKNOWN)

    def element_of(self, value: Value) -> Value:
        """What iterating over a value yields; an object of a project class with ``__getitem__`` (and no
        ``__iter__``) yields what it returns, as Python iterates it."""
        if isinstance(value, Instance):
            iterate = value.cls.method("__iter__")
            if iterate is not None:  # a generator method, usually: what it yields
                return effects.element_of(self.call_function(iterate, [value], {}))
            getitem = value.cls.method("__getitem__")
            if getitem is not None:
                return self.call_function(getitem, [value, UNKNOWN], {})
        return effects.element_of(value)

    def call(self, func: Value, call: Call) -> Value:
        choices = [v for v in [func, *call.args, *call.kwargs.values()] if isinstance(v, Choice)]
        if choices:
            return self.call_each(func, call, choices)
        result = self.call_value(func, call)
        if result is UNKNOWN and call.args:  # a layer from another package on a symbolic tensor
            return effects.symbolic_through(call.args) or UNKNOWN
        return result

    def call_each(self, func: Value, call: Call, choices: list[Choice]) -> Value:
        """A call with a chosen model or function among its values: run once per alternative, each run
        recording what it sees under its alternatives. Choices made together (the same ``by``) stay
        together; independent ones combine, up to MAX_COMBINATIONS runs."""
        by_choice: dict = {}
        for c in choices:
            by_choice.setdefault(c.by, [alt for alt, _ in c.options])
        combinations = 1
        for alternatives in by_choice.values():
            combinations *= len(alternatives)
        if combinations > MAX_COMBINATIONS or len(self.context) + len(by_choice) > MAX_CHOICES:
            return UNKNOWN  # too many runs to follow: what is chosen is unknown

        def pick(value: Value, picked: dict) -> Value | None:
            if not isinstance(value, Choice):
                return value
            alternative = picked[value.by]
            return next((v for alt, v in value.options if alt.label == alternative.label), None)

        results: list[tuple[tuple[Alternative, ...], Value]] = []
        for combination in itertools.product(*by_choice.values()):
            picked = {alt.by: alt for alt in combination}
            concrete = [pick(v, picked) for v in [func, *call.args]]
            kwargs = {k: pick(v, picked) for k, v in call.kwargs.items()}
            if None in concrete or None in kwargs.values():
                continue  # this dict has no such key: not a run
            self.context.extend(combination)
            try:
                results.append((combination, self.call(concrete[0], replace(call, args=concrete[1:], kwargs=kwargs))))
            finally:
                del self.context[len(self.context) - len(combination):]
        if len(by_choice) == 1 and results:
            return choose(choices[0].by, [(combination[0], value) for combination, value in results])
        return joined(value for _, value in results) or UNKNOWN

    def call_value(self, func: Value, call: Call) -> Value:
        if isinstance(func, Function):
            return self.call_function(func, call.args, call.kwargs)
        if isinstance(func, ClassVal):
            instance = Instance(func, {})
            effects.instance_made(self, instance)
            init = func.method("__init__")
            if init is not None:
                self.call_function(init, [instance] + call.args, call.kwargs)
            return instance
        if isinstance(func, MethodRef):
            return self.call_function(func.function, [func.instance] + call.args, call.kwargs)
        if isinstance(func, Partial):
            return self.call(func.func, replace(call, args=list(func.args) + call.args,
                                                kwargs={**dict(func.kwargs), **call.kwargs}))
        if isinstance(func, Instance):  # layer(x), model(x), dataset.map(layer)
            effects.instance_called(self, func, call)
            method = func.cls.method("__call__") or forward_method(func.cls)
            return self.call_function(method, [func] + call.args, call.kwargs) if method else UNKNOWN
        if isinstance(func, Bound) and isinstance(func.obj, Instance):
            method = func.obj.cls.method(func.name)
            if method is not None:
                return self.call_function(method, [func.obj] + call.args, call.kwargs)
            forward = forward_method(func.obj.cls)
            if forward is not None and func.name in effects.SINK_METHODS:
                # model.predict(x) on a subclassed Keras model runs its call() on the batches of x
                x = call.arg(0, "x")
                batch = image_of(x.element if isinstance(x, Dataset) else x)
                if batch is not None:
                    self.call_function(forward, [func.obj, batch], {})
                return UNKNOWN
        return effects.call(self, func, call)


def forward_method(cls: ClassVal) -> Function | None:
    """What calling an instance of a Keras Layer/Model or torch Module subclass runs: its call() or forward()
    (also for a class derived from a base the analysis cannot name: ``nn.Module`` from a star import)."""
    if not cls.library_bases() and not any(b is UNKNOWN for c in cls.mro() for b in c.bases):
        return None
    return cls.method("call") or cls.method("forward")


def _truth(value: Value, node: cst.BaseExpression) -> bool | None:
    """Whether a branch is certainly taken; ``if __name__ == "__main__"`` always is."""
    if isinstance(node, cst.Comparison) and isinstance(node.left, cst.Name) and node.left.value == "__name__":
        return True
    if isinstance(value, Const):
        try:
            return bool(value.value)
        except Exception:
            return None
    if isinstance(value, TRUTHY):  # objects without __bool__ or __len__: ``if self.transform:``
        return True
    if isinstance(value, (ListVal, TupleVal)) and value.items:  # a literal list of some items
        return True
    return None


# Values that are certainly not None, and those that are certainly true (no __bool__, no __len__).
OBJECTS = (Image, Model, Dataset, ListVal, DictVal, TupleVal, Instance, Function, ClassVal, Pipeline, Layer)
TRUTHY = (Model, Function, ClassVal, Pipeline, Layer)


_COMPARE = {"Equal": operator.eq, "NotEqual": operator.ne, "LessThan": operator.lt, "GreaterThan": operator.gt,
            "LessThanEqual": operator.le, "GreaterThanEqual": operator.ge, "Is": operator.is_,
            "IsNot": operator.is_not, "In": lambda a, b: a in b, "NotIn": lambda a, b: a not in b}


def _compare_constants(values: list, operators: list[str]) -> Value:
    """``a < b == c`` on constants, as Python evaluates it; unknown when it would raise."""
    try:
        return Const(all(_COMPARE[op](a, b) for a, op, b in zip(values, operators, values[1:])))
    except Exception:
        return UNKNOWN


def _describe(item: Value, index: int) -> str:
    """An item of a loop, in words: a model by its name, a string as written, else its position."""
    if isinstance(item, Model):
        return item.name
    if isinstance(item, Const) and isinstance(item.value, (str, int, float)):
        return repr(item.value)
    if isinstance(item, ModuleRef):
        return item.qualname.rsplit(".", 1)[-1]
    if isinstance(item, TupleVal) and item.items:
        return _describe(item.items[0], index)
    return f"item {index + 1}"


def _float_array(value: Value | None) -> bool:
    return isinstance(value, Image) and value.container == "array" and value.dtype == "float"


def _hashable(value) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _literal_items(value: Value) -> tuple[Value, ...] | None:
    if isinstance(value, ListVal) and value.items is not None:
        return value.items
    if isinstance(value, TupleVal):
        return value.items
    if isinstance(value, DictVal) and value.items is not None:  # iterating a dict: its keys
        return tuple(Const(k) for k, _ in value.items)
    if isinstance(value, Const) and isinstance(value.value, (tuple, list)):
        return tuple(Const(v) for v in value.value)
    return None
