"""A small abstract interpreter over libcst: it runs a module on abstract values.

Statements update an environment of abstract values; calls are looked up in
the effect table (``effects.py``) by canonical qualified name, or interpreted
when the function is defined in the project. Branches run on copies of the
environment and are joined; loop bodies run twice (the first iteration, then
the joined state). Where a model meets its input (a *sink*) the interpreter
records what reached it; the rules judge those records.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable

import libcst as cst

from . import arithmetic, effects
from .facts import (
    UNKNOWN,
    Bound,
    Const,
    Dataset,
    Function,
    Image,
    ListVal,
    Loc,
    Model,
    ModuleRef,
    PathStr,
    Predictions,
    Step,
    TupleVal,
    Value,
    image_of,
    join,
)
from .walk import walk

if TYPE_CHECKING:
    from .project import ModuleState, Project

MAX_DEPTH = 8
MAX_UNROLL = 16
# Nested loops multiply the work: each loop runs its body twice (or once per item), so 20 nested
# loops would run the innermost body a million times. The runs of all enclosing loops together
# stay under MAX_REPEAT; a loop that would exceed it runs its body once, on the joined state.
MAX_REPEAT = 256
# Statements one module may execute (its functions at every call, its loops at every pass): ten
# times what the largest real modules measured need. Past it, calls into the module's functions
# are unknown, so calls that fan out (16 items x 8 levels of helpers) cannot run for hours.
STEP_BUDGET = 200_000
BUILTINS = frozenset(
    "float int str list tuple dict set len range enumerate zip sorted reversed iter next print open map "
    "isinstance super min max sum abs round bool bytes type object".split()
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


@dataclass
class Event:
    """A fact a rule reports on as it is: ``kind`` names it, ``details`` carry the evidence."""

    kind: str
    node: cst.CSTNode
    details: dict


@dataclass
class Renormalised:
    """An image that was already normalised is normalised again."""

    node: cst.CSTNode
    before: Image
    step: Step


@dataclass
class Instance(Value):
    """An object of a class defined in the project; attributes are shared by all its instances."""

    cls: "ClassVal"

    def __hash__(self) -> int:
        return id(self.cls)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Instance) and other.cls is self.cls


@dataclass(eq=False)
class ClassVal(Value):
    node: cst.ClassDef
    module: "ModuleState"
    methods: dict[str, Function] = field(default_factory=dict)
    attrs: dict[str, Value] = field(default_factory=dict)

    def __hash__(self) -> int:
        return id(self)


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


@dataclass
class Loop:
    """A for loop being run: what its iterations change, and whether it walks over files."""

    node: cst.For
    names: frozenset[str]  # its targets and every name its body assigns
    over_files: bool
    depth: int  # the frame it runs in: a helper it calls sees the loop's values only through parameters


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
        self.calls: list[tuple[cst.Call, int]] = []  # calls being evaluated, with the depth of their frame

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

    # -- events the rules read ---------------------------------------------
    def sink(self, call: Call, model: Model, method: str, value: Value, keyword: str | None = None) -> None:
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
            self.module.sinks.append(Sink(at, model, method, call.source(keyword), seen, isinstance(value, Dataset),
                                          self.module.display, arg_node, self.frames[-1].function,
                                          self.in_loop(seen.stale_loop)))

    def event(self, kind: str, node: cst.CSTNode, **details) -> None:
        self.module.events.append(Event(kind, node, details))

    def renormalised(self, at: cst.CSTNode, before: Image, step: Step) -> None:
        self.module.renormalised.append(Renormalised(at, before, step))

    # -- running modules and functions --------------------------------------
    def run_module(self, state: "ModuleState") -> None:
        self.frames.append(Frame(state))
        try:
            self.exec_block(state.tree.body, state.env)
        finally:
            self.frames.pop()

    def analyse_functions(self, state: "ModuleState") -> None:
        """Run every function body not yet run with unknown arguments (entry points, routes, methods)."""
        done: set[int] = set()
        while True:
            pending = [f for f in state.functions if id(f.node) not in done]
            if not pending:
                return
            # __init__ first, so the other methods see the attributes it sets (sorted here, once per
            # round: sorting at every class definition made 5,000 classes take seconds)
            pending.sort(key=lambda f: f.node.name.value != "__init__" if isinstance(f.node, cst.FunctionDef)
                         else True)
            for fn in pending:
                done.add(id(fn.node))
                args: list[Value] = []
                owner = state.owners.get(id(fn.node))
                if owner is not None:
                    args.append(Instance(owner))
                self.call_function(fn, args, {}, memo=False)

    def call_function(self, fn: Function, args: list[Value], kwargs: dict[str, Value], memo: bool = True) -> Value:
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
        self.bind_params(fn, env, args, kwargs)
        frame = Frame(fn.module, fn.node)
        self.frames.append(frame)
        self.active.add(id(fn.node))
        try:
            if isinstance(fn.node, cst.Lambda):
                result = self.eval(fn.node.body, env)
            else:
                end = self.exec_block(fn.node.body.body if isinstance(fn.node.body, cst.IndentedBlock)
                                      else fn.node.body.body, env)
                returns = frame.returns + ([Const(None)] if end is not None else [])
                result = returns[0] if returns else UNKNOWN
                for r in returns[1:]:
                    result = join(result, r)
        finally:
            self.active.discard(id(fn.node))
            self.frames.pop()
        if key is not None:
            self.memo[key] = result
        return result

    def bind_params(self, fn: Function, env: Env, args: list[Value], kwargs: dict[str, Value]) -> None:
        params = fn.node.params
        positional = list(params.posonly_params) + list(params.params)
        for i, p in enumerate(positional):
            name = p.name.value
            if i < len(args):
                env.vars[name] = args[i]
            elif name in kwargs:
                env.vars[name] = kwargs[name]
            else:
                env.vars[name] = fn.defaults.get(name, UNKNOWN)
        for p in params.kwonly_params:
            name = p.name.value
            env.vars[name] = kwargs[name] if name in kwargs else fn.defaults.get(name, UNKNOWN)
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
                env.vars[target] = ListVal(join(current.item, added) if current.item is not None else added)
                return env
            if isinstance(current, Image) and method in effects.MUTATING_METHODS:
                self.eval(value, env)
                env.vars[target] = effects.MUTATING_METHODS[method](current)
                return env
            if isinstance(current, Image) and current.container == "pil" and method == "convert":
                self.event("discarded-convert", value, image=self.module.code(value.func.value))
        if isinstance(value, cst.Call) and value.args and isinstance(value.args[0].value, cst.Name):
            # keras's preprocess_input scales float numpy arrays in place: preprocess_input(x) alone works
            target = value.args[0].value.value
            current = env.lookup(target)
            if isinstance(current, Image) and current.container == "array" and current.dtype == "float" \
                    and effects.in_place(self.eval(value.func, env)):
                env.vars[target] = self.eval(value, env)
                return env
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
            return env
        for alias in stmt.names:
            name = alias.name.value if isinstance(alias.name, cst.Name) else self.module.code(alias.name)
            bound = alias.asname.name.value if alias.asname is not None else name
            env.vars[bound] = self.project.import_from(self.module, dotted, level, name)
        return env

    def exec_FunctionDef(self, stmt: cst.FunctionDef, env: Env) -> Env:
        for d in stmt.decorators:
            self.eval(d.decorator, env)
        closure = env if env is not self.module.env else None
        fn = Function(stmt, self.module, closure, self.defaults(stmt.params, env))
        env.vars[stmt.name.value] = fn
        self.module.functions.append(fn)
        return env

    def exec_ClassDef(self, stmt: cst.ClassDef, env: Env) -> Env:
        cls = ClassVal(stmt, self.module)
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
        taken = _truth(test, stmt.test)
        orelse = stmt.orelse
        if taken is True:
            return self.exec_block(stmt.body.body, env)
        if taken is False:
            return self.exec_orelse(orelse, env)
        body_out = self.exec_block(stmt.body.body, env.copy())
        else_out = self.exec_orelse(orelse, env.copy())
        return join_envs([body_out, else_out])

    def exec_orelse(self, orelse, env: Env) -> Env | None:
        if orelse is None:
            return env
        if isinstance(orelse, cst.If):
            return self.exec_If(orelse, env)
        return self.exec_block(orelse.body.body, env)

    def exec_For(self, stmt: cst.For, env: Env) -> Env | None:
        iterable = self.eval(stmt.iter, env)
        items = _literal_items(iterable)
        element = effects.element_of(iterable)
        over_files = isinstance(element, PathStr) or (
            items is not None and all(isinstance(i, Const) and isinstance(i.value, str) for i in items))
        self.loops.append(Loop(stmt, self.assigned_in(stmt), over_files, len(self.frames)))
        try:
            if items is not None and 0 < len(items) <= MAX_UNROLL and self.repeat * len(items) <= MAX_REPEAT:
                return self.unrolled(stmt, env, items)
            return self.loop(stmt, env, lambda e: self.assign(stmt.target, element, e))
        finally:
            self.loops.pop()

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
            for item in items:
                if current is None:
                    break
                frame.continues = []
                self.assign(stmt.target, item, current)
                current = join_envs([self.exec_block(stmt.body.body, current)] + frame.continues)
            if stmt.orelse is not None and current is not None:
                current = self.exec_block(stmt.orelse.body.body, current)
            return join_envs([current] + frame.breaks)
        finally:
            frame.breaks, frame.continues, self.repeat = saved

    def exec_While(self, stmt: cst.While, env: Env) -> Env | None:
        self.eval(stmt.test, env)
        return self.loop(stmt, env, lambda e: None)

    def loop(self, stmt, env: Env, bind) -> Env | None:
        """The body runs twice: the first iteration, then on the join of the entry state and its end.

        Inside too many enclosing loops (see MAX_REPEAT) it runs once, on a state where every name
        the loop assigns is already unknown-joined: less precise, never wrong.
        """
        frame = self.frames[-1]
        saved = frame.breaks, frame.continues, self.repeat
        frame.breaks, frame.continues = [], []
        twice = self.repeat * 2 <= MAX_REPEAT
        self.repeat *= 2 if twice else 1
        try:
            if twice:
                first = env.copy()
                bind(first)
                end1 = join_envs([self.exec_block(stmt.body.body, first)] + frame.continues)
                frame.continues = []
                second = join_envs([env, end1]) or env.copy()
            else:
                end1 = None
                second = env.copy()
                for name in self.assigned_in(stmt):
                    if name in second.vars:
                        second.vars[name] = UNKNOWN
            bind(second)
            end2 = join_envs([self.exec_block(stmt.body.body, second)] + frame.continues)
            out = join_envs([env, end1, end2])
            if stmt.orelse is not None and out is not None:
                out = self.exec_block(stmt.orelse.body.body, out)
            return join_envs([out] + frame.breaks)
        finally:
            frame.breaks, frame.continues, self.repeat = saved

    def exec_Try(self, stmt: cst.Try, env: Env) -> Env | None:
        body_out = self.exec_block(stmt.body.body, env.copy())
        outs = []
        if stmt.orelse is not None and body_out is not None:
            body_out = self.exec_block(stmt.orelse.body.body, body_out)
        outs.append(body_out)
        for handler in stmt.handlers:
            start = join_envs([env, body_out]) or env.copy()
            if handler.name is not None and isinstance(handler.name.name, cst.Name):
                start.vars[handler.name.name.value] = UNKNOWN
            outs.append(self.exec_block(handler.body.body, start))
        out = join_envs(outs)
        if stmt.finalbody is not None:
            out = self.exec_block(stmt.finalbody.body.body, out or env.copy()) if out is not None else None
        return out

    exec_TryStar = exec_Try

    def exec_With(self, stmt: cst.With, env: Env) -> Env | None:
        for item in stmt.items:
            value = self.eval(item.item, env)
            if item.asname is not None:
                self.assign(item.asname.name, value, env)
        return self.exec_block(stmt.body.body, env)

    def exec_Match(self, stmt: cst.Match, env: Env) -> Env | None:
        self.eval(stmt.subject, env)
        outs = [env]
        for case in stmt.cases:
            outs.append(self.exec_block(case.body.body, env.copy()))
        return join_envs(outs)

    def assign(self, target: cst.BaseExpression, value: Value, env: Env) -> None:
        if isinstance(target, cst.Name):
            env.vars[target.value] = value
        elif isinstance(target, (cst.Tuple, cst.List)):
            elements = target.elements
            starred = any(isinstance(e, cst.StarredElement) for e in elements)
            if isinstance(value, Const) and isinstance(value.value, (tuple, list)):
                value = TupleVal(tuple(Const(v) for v in value.value))
            for i, el in enumerate(elements):
                if isinstance(value, TupleVal) and len(value.items) == len(elements) and not starred:
                    item = value.items[i]
                elif isinstance(value, ListVal) and not starred:
                    item = value.item if value.item is not None else UNKNOWN
                else:
                    item = UNKNOWN
                self.assign(el.value, item, env)
        elif isinstance(target, cst.Attribute):
            owner = self.eval(target.value, env)
            name = target.attr.value
            if isinstance(owner, Model):
                owner.attrs[name] = value
                if name == "trainable" and isinstance(value, Const):
                    owner.trainable_history.append(bool(value.value))
            elif isinstance(owner, Instance):
                attrs = owner.cls.attrs
                attrs[name] = join(attrs[name], value) if name in attrs else value
        elif isinstance(target, cst.Subscript):
            self.eval(target.value, env)
            if isinstance(target.value, cst.Name) and isinstance(env.lookup(target.value.value), Image):
                env.vars[target.value.value] = UNKNOWN  # written into piecewise: facts unknown
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
        taken = _truth(test, node.test)
        if taken is True:
            return self.eval(node.body, env)
        if taken is False:
            return self.eval(node.orelse, env)
        return join(self.eval(node.body, env), self.eval(node.orelse, env))

    def eval_NamedExpr(self, node: cst.NamedExpr, env: Env) -> Value:
        value = self.eval(node.value, env)
        self.assign(node.target, value, env)
        return value

    def eval_Await(self, node: cst.Await, env: Env) -> Value:
        return self.eval(node.expression, env)

    def _comprehension(self, node, env: Env) -> Env:
        inner = Env(env)
        comp = node.for_in
        while comp is not None:
            self.assign(comp.target, effects.element_of(self.eval(comp.iter, inner)), inner)
            for cond in comp.ifs:
                self.eval(cond.test, inner)
            comp = comp.inner_for_in
        return inner

    def eval_ListComp(self, node: cst.ListComp, env: Env) -> Value:
        return ListVal(self.eval(node.elt, self._comprehension(node, env)))

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
        return arithmetic.binary(self, node, left, type(node.operator).__name__, right)

    def eval_Comparison(self, node: cst.Comparison, env: Env) -> Value:
        values = [self.eval(node.left, env)] + [self.eval(t.comparator, env) for t in node.comparisons]
        effects.compared(self, node, values)
        predictions = [v for v in values if isinstance(v, Predictions)]
        return predictions[0] if predictions else UNKNOWN

    def eval_Attribute(self, node: cst.Attribute, env: Env) -> Value:
        owner = self.eval(node.value, env)
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
        return effects.subscript(self, node, owner, indices)

    def eval_Call(self, node: cst.Call, env: Env) -> Value:
        func = self.eval(node.func, env)
        args: list[Value] = []
        kwargs: dict[str, Value] = {}
        for a in node.args:
            value = self.eval(a.value, env)
            if a.star:
                continue
            if a.keyword is not None:
                kwargs[a.keyword.value] = value
            else:
                args.append(value)
        if any(a.star == "*" for a in node.args):
            args = []  # positions are unknown after *args
        call = Call(self, node, args, kwargs)
        self.calls.append((node, len(self.frames)))
        try:
            return self.call(func, call)
        finally:
            self.calls.pop()

    def call(self, func: Value, call: Call) -> Value:
        if isinstance(func, Function):
            return self.call_function(func, call.args, call.kwargs)
        if isinstance(func, ClassVal):
            instance = Instance(func)
            init = func.methods.get("__init__")
            if init is not None:
                self.call_function(init, [instance] + call.args, call.kwargs)
            return instance
        if isinstance(func, Bound) and isinstance(func.obj, Instance):
            method = func.obj.cls.methods.get(func.name)
            if method is not None:
                return self.call_function(method, [func.obj] + call.args, call.kwargs)
            return UNKNOWN
        return effects.call(self, func, call)


def _truth(value: Value, node: cst.BaseExpression) -> bool | None:
    """Whether a branch is certainly taken; ``if __name__ == "__main__"`` always is."""
    if isinstance(node, cst.Comparison) and isinstance(node.left, cst.Name) and node.left.value == "__name__":
        return True
    if isinstance(value, Const):
        try:
            return bool(value.value)
        except Exception:
            return None
    return None


def _literal_items(value: Value) -> tuple[Value, ...] | None:
    if isinstance(value, ListVal) and value.items is not None:
        return value.items
    if isinstance(value, Const) and isinstance(value.value, (tuple, list)):
        return tuple(Const(v) for v in value.value)
    return None
