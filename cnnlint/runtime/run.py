"""``cnnlint run``: the user's script as ``__main__``, like ``python script.py``, but watched.

The script keeps its own ``sys.argv``, its stdout and stderr, and its exit status: one that
raises prints its own traceback (cnnlint's frames removed) and exits 1; ``sys.exit(n)``
exits n; Ctrl-C exits 130. The report is written whatever way the script ended.
"""
from __future__ import annotations

import os
import runpy
import sys
import traceback
from importlib.util import find_spec
from pathlib import Path

from .link import link
from .watch import Report, watch

HIDDEN = (os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep, "<frozen runpy>", runpy.__file__)


def run(target: str, args: list[str], module: bool = False) -> tuple[int, Report | None]:
    """Run the script (or ``-m`` module) and return its exit status and the report.

    The report is None in a process the script forked, which ends here as well: only the
    process that started reports.
    """
    pid, folder = os.getpid(), os.getcwd()
    source = None if module else Path(target).resolve()
    with watch() as report:
        status = _execute(target, args, module)
    if os.getpid() != pid:
        return status, None
    try:
        os.chdir(folder)  # the script may have moved: paths in the report are from where it started
    except OSError:
        pass
    source = source or _source(target, module)
    if source is not None:
        report.static = link(_static(source), report.sites, report.findings)
    return status, report


def _execute(target: str, args: list[str], module: bool) -> int:
    saved_argv, saved_path = sys.argv[:], sys.path[:]
    sys.argv = [target, *args]
    sys.path.insert(0, os.getcwd() if module else os.path.dirname(os.path.abspath(target)))
    try:
        if module:
            runpy.run_module(target, run_name="__main__", alter_sys=True)
        else:  # __file__ is absolute, as python 3.9+ makes it; sys.argv[0] stays as typed
            runpy.run_path(os.path.abspath(target), run_name="__main__")
        return 0
    except SystemExit as stop:
        return _exit_status(stop.code)
    except KeyboardInterrupt as interrupt:
        _print_traceback(interrupt)
        return 130
    except BaseException as error:  # the script's own error, shown as python would
        _print_traceback(error)
        return 1
    finally:
        sys.argv[:], sys.path[:] = saved_argv, saved_path
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (AttributeError, ValueError, OSError):  # the script closed or replaced it
                pass


def _exit_status(code) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)  # sys.exit("message"), as python does
    return 1


def _print_traceback(error: BaseException) -> None:
    """As python prints it: without runpy's and cnnlint's frames, through the script's own
    ``sys.excepthook`` if it set one."""
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
        [frame for frame in shown.stack if not frame.filename.startswith(HIDDEN)])
    sys.stderr.write("".join(shown.format()))


def _source(target: str, module: bool) -> Path | None:
    if not module:
        return Path(target)
    try:
        spec = find_spec(target)
    except (ImportError, ValueError):
        return None
    origin = getattr(spec, "origin", None)
    return Path(origin) if origin and origin.endswith(".py") else None


def _static(path: Path) -> list:
    """The static findings for the script, with the project's configuration."""
    from ..config import ConfigError, find_pyproject, load
    from ..lint import lint

    try:
        settings = load(find_pyproject(path))
    except (ConfigError, OSError):
        return []
    result = lint([path], settings=settings)
    return [f for f in result.findings if f.code != "CNN000"]
