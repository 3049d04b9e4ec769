"""GitHub Actions workflow commands: ``::error file=...,line=...::message``, one per finding.

A step that runs ``cnnlint --format github`` gets each finding shown as an annotation on the pull request.
Lines inside a notebook's cell do not match lines of the .ipynb file GitHub shows, so notebook findings
are annotations on the file, and the message names the cell and line. CNN000 is a warning, as in SARIF.
"""
from __future__ import annotations

from pathlib import PurePath
from typing import TextIO


def escape_data(text: str) -> str:
    """The message: GitHub decodes %25, %0D and %0A; anything else is taken as it is."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_path(path: str) -> str:
    """Control characters (an ANSI escape would recolour the log) and bytes that are not UTF-8 are
    written escaped, as the text format does (``\\x1b``, ``\\udcff``); CR and LF are left to GitHub's
    own %0D and %0A."""
    return "".join(c if c.isprintable() or c in "\r\n" else c.encode("unicode_escape").decode("ascii")
                   for c in path)


def escape_property(text: str) -> str:
    """A property value: also ``:`` and ``,``, which would end the value."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(f) -> str:
    props = {"file": escape_path(PurePath(f.path).as_posix())}
    if f.cell is None:
        props.update(line=f.line, col=f.column, endLine=f.end_line, endColumn=f.end_column)
    props["title"] = f.code
    message = f.message if f.cell is None or "(cell " in f.message else f"{f.message} (cell {f.cell}, line {f.line})"
    listed = ",".join(f"{key}={escape_property(str(value))}" for key, value in props.items())
    level = "warning" if f.code == "CNN000" else "error"
    return f"::{level} {listed}::{escape_data(message)}"


def write(findings, out: TextIO, rules=()) -> None:
    out.writelines(command(f) + "\n" for f in findings)
