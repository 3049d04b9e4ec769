"""``cnnlint run``: the user's script (or notebook) as ``__main__``, like ``python script.py``, but watched.

The script keeps its own ``sys.argv`` (``argv[0]`` as typed), an absolute ``__file__``, its
stdout and stderr, and its exit status: one that raises prints its own traceback (cnnlint's
frames removed) and exits 1; ``sys.exit(n)`` exits n; Ctrl-C exits 130. The report is written
whatever way the script ended. A notebook runs its code cells in order (``program.py``), in
the notebook's folder, as Jupyter runs it.
"""
from __future__ import annotations

import builtins
import os
import runpy
import sys
import traceback
import types
from contextlib import contextmanager
from importlib.machinery import SourceFileLoader
from importlib.util import find_spec
from pathlib import Path

from .link import link
from .program import Program
from .watch import Report, watch

NOT_RUN_SHOWN = 5  # IPython lines a notebook's run skips, named before it starts
HIDDEN = (os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep, "<frozen runpy>", runpy.__file__)


def run(target: str, args: list[str], module: bool = False, configs=None) -> tuple[int, Report | None]:
    """Run the script, notebook (or ``-m`` module) and return its exit status and the report.

    ``configs`` (``config.Configs``, by default each file's nearest configuration) chooses the
    runtime findings shown, as for static ones: select, ignore, per-file-ignores, noqa comments.
    The report is None in a process the script forked, which ends here as well: only the
    process that started reports. Raises ``ProgramError`` for a notebook that cannot be run.
    """
    from ..config import Configs

    pid, folder = os.getpid(), os.getcwd()
    program = None if module else Program.read(target)
    if program is not None and program.not_run:
        shown = program.not_run[:NOT_RUN_SHOWN]
        more = len(program.not_run) - len(shown)
        print(f"cnnlint run: not run in {target} (IPython syntax): " + "; ".join(shown)
              + (f"; and {more} more" if more else ""), file=sys.stderr)
    with watch() as report:
        status = _execute(program, target, args)
    if os.getpid() != pid:
        return status, None
    try:
        os.chdir(folder)  # the script may have moved: paths in the report are from where it started
    except OSError:
        pass
    report.configure(configs or Configs(), program)
    source = program.path if program is not None else _module_source(target)
    if source is not None:
        report.static = link(_static(Path(source), report.configs), report)
    return status, report


def _execute(program: Program | None, target: str, args: list[str]) -> int:
    saved_argv, saved_path = sys.argv[:], sys.path[:]
    sys.argv = [target, *args]  # as typed, as python gives it
    sys.path.insert(0, os.getcwd() if program is None else os.path.dirname(program.path))
    try:
        if program is None:
            runpy.run_module(target, run_name="__main__", alter_sys=True)
        else:
            _run_as_main(program)
        return 0
    except SystemExit as stop:
        return _exit_status(stop.code)
    except KeyboardInterrupt as interrupt:
        _print_traceback(interrupt, program)
        return 130
    except BaseException as error:  # the script's own error, shown as python would
        _print_traceback(error, program)
        return 1
    finally:
        sys.argv[:], sys.path[:] = saved_argv, saved_path
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (AttributeError, ValueError, OSError):  # the script closed or replaced it
                pass


def _run_as_main(program: Program) -> None:
    """The program's code in a fresh ``__main__`` module, as python runs a script (runpy.run_path
    would make ``sys.argv[0]`` absolute)."""
    main = types.ModuleType("__main__")
    namespace = main.__dict__
    namespace["__builtins__"] = builtins
    if program.cells is None:
        namespace.update(__file__=program.path, __cached__=None, __loader__=SourceFileLoader("__main__", program.path))
    else:  # as in Jupyter: no __file__, display() exists, the folder of the notebook is the current one
        namespace.update(__ipython__=lambda: None, display=_display())
    saved = sys.modules.get("__main__")
    sys.modules["__main__"] = main
    try:
        with _inside(os.path.dirname(program.path) if program.cells is not None else None):
            for chunk in program.chunks():
                exec(chunk(), namespace)
    finally:
        if saved is not None:
            sys.modules["__main__"] = saved


@contextmanager
def _inside(folder: str | None):
    if folder is None:
        yield
        return
    before = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        try:
            os.chdir(before)
        except OSError:
            pass


def _display():
    """IPython's display(), which a notebook may call; print() without IPython."""
    try:
        from IPython.display import display
    except ImportError:
        return lambda *objects, **options: print(*objects)
    return display


def _exit_status(code) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)  # sys.exit("message"), as python does
    return 1


def _print_traceback(error: BaseException, program: Program | None) -> None:
    """As python prints it: without runpy's and cnnlint's frames, through the script's own
    ``sys.excepthook`` if it set one; a notebook's frames name their cell."""
    if sys.excepthook is not sys.__excepthook__:
        tb = error.__traceback__
        while tb is not None and tb.tb_frame.f_code.co_filename.startswith(HIDDEN):
            tb = tb.tb_next
        try:
            sys.excepthook(type(error), error, tb)
            return
        except Exception:
            pass
    shown = traceback.TracebackException.from_exception(error)
    shown.stack = traceback.StackSummary.from_list(
        [_in_cell(frame, program) for frame in shown.stack if not frame.filename.startswith(HIDDEN)])
    sys.stderr.write("".join(shown.format()))


def _in_cell(frame: traceback.FrameSummary, program: Program | None) -> traceback.FrameSummary:
    if program is None or program.cells is None or frame.filename != program.path:
        return frame
    cell, line = program.place(frame.lineno)
    return traceback.FrameSummary(f"{program.typed}, cell {cell}", line, frame.name, lookup_line=False,
                                  line=frame.line)


def _module_source(target: str) -> str | None:
    try:
        spec = find_spec(target)
    except (ImportError, ValueError):
        return None
    origin = getattr(spec, "origin", None)
    return origin if origin and origin.endswith(".py") else None


def _static(path: Path, configs) -> list:
    """The static findings for the script, with the project's configuration."""
    from ..config import ConfigError
    from ..lint import lint

    try:
        result = lint([path], settings=configs)
    except ConfigError:
        return []
    return [f for f in result.findings if f.code != "CNN000"]
