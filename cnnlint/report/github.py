"""GitHub Actions workflow commands: ``::error file=...,line=...::message``, one per finding.

A step that runs ``cnnlint --format github`` gets each finding shown as an annotation on the pull request.
Lines inside a notebook's cell do not match lines of the .ipynb file GitHub shows, so notebook findings
are annotations on the file, and the message names the cell and line. CNN000 is a warning, as in SARIF.
"""
from __future__ import annotations

from pathlib import PurePath
from typing import TextIO

from ..sources import escaped


def escape_data(text: str) -> str:
    """The message: GitHub decodes %25, %0D and %0A; anything else is taken as it is."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A property value: also ``:`` and ``,``, which would end the value."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(f) -> str:
    # an ANSI escape would recolour the log; CR and LF are left to GitHub's own %0D and %0A
    props = {"file": escaped(PurePath(f.path).as_posix(), keep="\r\n")}
    if f.cell is None:
        props.update(line=f.line, col=f.column, endLine=f.end_line, endColumn=f.end_column)
    props["title"] = f.code
    message = f.message if f.cell is None or "(cell " in f.message else f"{f.message} (cell {f.cell}, line {f.line})"
    listed = ",".join(f"{key}={escape_property(str(value))}" for key, value in props.items())
    level = "warning" if f.code == "CNN000" else "error"
    return f"::{level} {listed}::{escape_data(message)}"


def write(findings, out: TextIO, rules=()) -> None:
    out.writelines(command(f) + "\n" for f in findings)
