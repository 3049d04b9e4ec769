"""The static path never runs the code it lints, nor a repository's stand-ins for its own imports, and
a hostile [tool.cnnlint] stops the run with one line, never a traceback.

tests/test_static_safety.py checks that linting a file whose top level writes a marker or calls
sys.exit does neither, and that no framework is imported; these go further: every way Python runs
code on import or definition, files Python itself would run (sitecustomize, .pth, conftest),
``python -m cnnlint`` inside a repository that has its own ``click.py``, and the source of the
package itself (no eval, exec, subprocess or dynamic import in the static path).
"""
from __future__ import annotations

import ast
import json
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from cnnlint.config import ConfigError, find_pyproject, load
from conftest import REPO, write_files

BUGGY_TAIL = """
from keras.applications import ResNet50
from keras.utils import img_to_array, load_img
ResNet50().predict(img_to_array(load_img("a.jpg", target_size=(224, 224))))
"""


def hostile_tree(root: Path, marker: Path, port: int) -> None:
    """Files whose every line, were it run, would leave a trace: a marker file or a connection."""
    touch = f"open({str(marker)!r} + {{}}, 'w')"
    connect = f"__import__('socket').create_connection(('127.0.0.1', {port}))"
    write_files(root, {
        "app.py": textwrap.dedent(f"""
            import os, sys, subprocess, importlib, runpy, atexit
            {touch.format("'-top'")}
            {connect}
            os.system("touch " + {str(marker)!r} + "-system")
            subprocess.run(["touch", {str(marker)!r} + "-subprocess"])
            exec({touch.format("'-exec'")!r})
            eval({touch.format("'-eval'")!r})
            __import__("helper")
            importlib.import_module("pkg.sub")
            runpy.run_path("helper.py")
            atexit.register(lambda: {touch.format("'-atexit'")})

            def decorator(f):
                {touch.format("'-decorator'")}
                return f

            @decorator
            def function(x={touch.format("'-default'")}) -> {touch.format("'-annotation'")}:
                pass

            class Meta(type):
                def __new__(mcs, *args):
                    {touch.format("'-metaclass'")}
                    return super().__new__(mcs, *args)

            class Model(metaclass=Meta):
                {touch.format("'-class-body'")}

            def __getattr__(name):
                {touch.format("'-module-getattr'")}

            sys.exit(3)
            os._exit(4)
        """) + BUGGY_TAIL,
        "helper.py": f"{touch.format(chr(39) + '-helper' + chr(39))}\nraise SystemExit(5)\n",
        "pkg/__init__.py": f"{touch.format(chr(39) + '-package' + chr(39))}\n",
        "pkg/sub.py": f"{connect}\n" + BUGGY_TAIL,
        "conftest.py": f"{touch.format(chr(39) + '-conftest' + chr(39))}\nimport keras.applications\n",
        "setup.py": f"{touch.format(chr(39) + '-setup' + chr(39))}\nimport keras.applications\n",
        "sitecustomize.py": f"{touch.format(chr(39) + '-sitecustomize' + chr(39))}\n",
        "usercustomize.py": f"{touch.format(chr(39) + '-usercustomize' + chr(39))}\n",
        "evil.pth": f"import os; {touch.format(chr(39) + '-pth' + chr(39))}\n",
    })


@pytest.fixture
def listener():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.setblocking(False)
    yield server
    server.close()


def no_connection(server: socket.socket) -> bool:
    try:
        server.accept()[0].close()
        return False
    except BlockingIOError:
        return True


@pytest.mark.parametrize("how", [["--jobs", "2", "--no-cache"], ["--fix"], ["--diff"]])
def test_linting_runs_none_of_the_linted_code(tmp_path, listener, how):
    marker = tmp_path / "ran"
    hostile_tree(tmp_path / "repo", marker, listener.getsockname()[1])
    result = subprocess.run([sys.executable, "-m", "cnnlint", "--format", "json", *how, "."], cwd=tmp_path / "repo",
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == (0 if "--diff" in how else 1) and "Traceback" not in result.stderr, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["repo"]  # no marker of any kind
    assert no_connection(listener)
    if "--diff" not in how:
        found = {(f["path"], f["code"]) for f in json.loads(result.stdout)}
        assert ("app.py", "CNN101") in found and ("pkg/sub.py", "CNN101") in found  # the code was analysed


SHADOWS = ["click", "json", "libcst", "pathspec", "nbformat", "tomllib", "hashlib", "tempfile", "ast", "difflib",
           "multiprocessing", "urllib", "tokenize", "dataclasses", "bisect"]


def test_python_dash_m_never_imports_the_repositorys_own_modules(tmp_path):
    """``python -m`` puts the current folder first on sys.path: a repository's ``click.py`` would be
    imported in place of click (and run) if cnnlint did not remove that entry first."""
    marker = tmp_path / "ran"
    repo = tmp_path / "repo"
    write_files(repo, {f"{name}.py": f"open({str(marker)!r} + '-{name}', 'w')\n" for name in SHADOWS})
    write_files(repo, {"app.py": BUGGY_TAIL})
    (repo / "nb.ipynb").write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                                               "cells": [{"cell_type": "code", "metadata": {}, "outputs": [],
                                                          "source": BUGGY_TAIL}]}))
    for args in (["--format", "sarif"], ["--jobs", "2", "--no-cache"], ["--diff"], ["--fix"]):
        result = subprocess.run([sys.executable, "-m", "cnnlint", *args, "."], cwd=repo, capture_output=True,
                                text=True, timeout=120)
        assert result.returncode == (0 if "--diff" in args else 1), (args, result.stderr)
        assert "Traceback" not in result.stderr, (args, result.stderr)
        assert sorted(p.name for p in tmp_path.iterdir()) == ["repo"], args


# The static path: everything but the runtime package, which runs the user's script by design (cnnlint run).
STATIC_SOURCES = sorted(p for p in (REPO / "cnnlint").rglob("*.py") if "runtime" not in p.relative_to(REPO).parts)
FORBIDDEN_BUILTINS = {"eval", "exec", "compile", "__import__", "execfile", "breakpoint"}
FORBIDDEN_FUNCTIONS = {"importlib.import_module", "importlib.__import__", "os.system", "os.popen", "os.execv",
                       "os.execve", "os.execvp", "os.execl", "os.spawnv", "os.spawnl", "os.posix_spawn",
                       "os.startfile", "ast.literal_eval"}
FORBIDDEN_METHODS = {"exec_module", "load_module", "literal_eval"}  # whatever the receiver
FORBIDDEN_MODULES = {"subprocess", "runpy", "pickle", "marshal", "shelve", "code", "codeop", "ctypes"}
# Rule discovery imports cnnlint's own modules, found in its own package folder.
ALLOWED = {("cnnlint/rules/__init__.py", "importlib.import_module")}


def forbidden(source: str, name: str) -> list[str]:
    """The ways to run code that ``source`` (the text of file ``name``) uses."""
    found = []
    for node in ast.walk(ast.parse(source)):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Call):
            func = node.func
            called = func.id if isinstance(func, ast.Name) else (
                f"{func.value.id}.{func.attr}" if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
                else None)
            if (called in FORBIDDEN_BUILTINS or called in FORBIDDEN_FUNCTIONS
                    or isinstance(func, ast.Attribute) and func.attr in FORBIDDEN_METHODS) \
                    and (name, called) not in ALLOWED:
                found.append(f"{name}:{line} {called or func.attr}()")
        elif isinstance(node, ast.Import):
            found += [f"{name}:{line} import {a.name}" for a in node.names if a.name.split(".")[0] in FORBIDDEN_MODULES]
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in FORBIDDEN_MODULES:
            found.append(f"{name}:{line} from {node.module} import ...")
    return found


def test_the_static_path_has_no_way_to_run_code():
    """No eval/exec/compile, dynamic import, process spawning or unpickling anywhere in the static path."""
    assert len(STATIC_SOURCES) > 30
    found = [f for path in STATIC_SOURCES
             for f in forbidden(path.read_text("utf-8"), path.relative_to(REPO).as_posix())]
    assert found == []


def test_the_scan_finds_what_it_looks_for():
    """The scan above is not vacuous: each form in a sample is found, and the one allowance is narrow."""
    sample = ("import subprocess\nfrom pickle import loads\neval('1')\nexec('x')\nimportlib.import_module(n)\n"
              "os.system('ls')\nast.literal_eval('1')\nspec.loader.exec_module(m)\nself.eval(node)\n"
              "self.project.import_module(m, 'x', 0)\n")
    assert [f.split(" ", 1)[1] for f in forbidden(sample, "x.py")] == [
        "import subprocess", "from pickle import ...", "eval()", "exec()", "importlib.import_module()",
        "os.system()", "ast.literal_eval()", "exec_module()"]
    assert forbidden("importlib.import_module(n)\n", "cnnlint/rules/__init__.py") == []


HOSTILE_PYPROJECTS = {
    "select = " + "[" * 5000 + "]" * 5000: "arrays or tables nested too deeply",
    "select = " + "{a = " * 2000 + "1" + "}" * 2000: "nested too deeply",
    "select = " + "9" * 5000: "invalid TOML: Exceeds the limit",
    "select = ['" + "C" * 100_000 + "']": "unknown rule code or prefix 'CCCC",
    "select = 1979-05-27T07:32:00Z": "select: expected a list of strings, got datetime",
    'select = ["CNN1\\u0000"]': "unknown rule code or prefix 'CNN1\\x00'",
    'select = ["\\u001b[31mCNN1"]': "unknown rule code or prefix '\\x1b[31mCNN1'",
    "per-file-ignores = { '" + "x" * 10_000 + "' = ['NOPE'] }": "per-file-ignores.'xxxx",
    "per-file-ignores = { 'a.py' = [['CNN101']] }": "expected a list of strings",
    "exclude = [1, 2]": "exclude: expected a list of strings",
    '"s\\u00e9lect" = ["CNN1"]': "unknown key 'sélect'",
}


@pytest.mark.parametrize("body", HOSTILE_PYPROJECTS, ids=range(len(HOSTILE_PYPROJECTS)))
def test_hostile_settings_are_one_short_line(tmp_path, body):
    """Checked where the settings are read (the command line turns the error into exit status 2,
    tested below once for all)."""
    (tmp_path / "pyproject.toml").write_text(f"[tool.cnnlint]\n{body}\n")
    with pytest.raises(ConfigError) as error:
        load(find_pyproject(tmp_path))
    message = str(error.value)
    assert "\n" not in message and len(message) < 250 and HOSTILE_PYPROJECTS[body] in message, message
    assert message.isprintable()


def test_hostile_settings_stop_the_command_line_with_exit_2(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.cnnlint]\nselect = " + "[" * 5000 + "]" * 5000 + "\n")
    (tmp_path / "app.py").write_text(BUGGY_TAIL)
    result = subprocess.run([sys.executable, "-m", "cnnlint", "."], cwd=tmp_path, capture_output=True, text=True,
                            timeout=60)
    assert (result.returncode, result.stdout) == (2, ""), result.stderr
    assert result.stderr == (f"cnnlint: error: {tmp_path / 'pyproject.toml'}: invalid TOML: arrays or tables "
                             "nested too deeply\n")


@pytest.mark.parametrize("top", ["tool = 5", "tool = 'cnnlint'", "tool = ['cnnlint']"])
def test_a_tool_key_that_is_not_a_table_is_not_our_configuration(tmp_path, top):
    (tmp_path / "pyproject.toml").write_text(f"{top}\n")
    assert find_pyproject(tmp_path) is None
    assert load(tmp_path / "pyproject.toml").select is None  # named with --config: read as "no settings"
