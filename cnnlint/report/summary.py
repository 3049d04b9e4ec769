"""What is printed around the findings: the summary line, ``--statistics`` and ``--show-fixes``."""
from __future__ import annotations

import json
from collections import Counter
from typing import TextIO


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else many or word + 's'}"


def summary(result, fixed: int | None = None) -> str:
    """``Found 4 problems in 2 files (9 files checked).``, then ruff's ``[*] N fixable`` line, or
    with ``--fix`` (``fixed`` given) how many were fixed and how many remain."""
    findings = result.findings
    files = len({f.path for f in findings})
    text = f"Found {plural(len(findings), 'problem')} in {plural(files, 'file')}" if findings \
        else "All checks passed"
    extra = f", {len(result.suppressed)} suppressed" if result.suppressed else ""
    text += f" ({plural(result.files, 'file')} checked{extra})."
    if fixed is not None:
        return f"{text} {fixed} fixed, {len(findings)} remaining."
    fixable = sum(f.fixable for f in findings)
    return text + (f"\n[*] {fixable} fixable with the `--fix` option." if fixable else "")


def statistics(findings, out: TextIO, fmt: str) -> None:
    """The number of findings per code, most frequent first; ``[*]`` marks codes with certain fixes.
    ``json``: a list of ``{code, name, count, fixable}``, as ``ruff --statistics --output-format json``."""
    counts = Counter((f.code, f.name) for f in findings)
    fixable = {f.code for f in findings if f.fixable}
    rows = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    if fmt == "json":
        json.dump([{"code": code, "name": name, "count": n, "fixable": code in fixable}
                   for (code, name), n in rows], out, indent=2)
        out.write("\n")
        return
    for (code, name), n in rows:
        mark = ("[*] " if code in fixable else "[ ] ") if fixable else ""
        out.write(f"{n:5d}  {code}  {mark}{name}\n")


def fixes(changes) -> str:
    """``--show-fixes``: what ``--fix`` changed, file by file."""
    total = sum(len(change.codes) for change in changes)
    if not total:
        return "No problems fixed."
    lines = [f"Fixed {plural(total, 'problem')}:"]
    for change in changes:
        if change.codes:
            lines.append(f"- {change.display}:")
            counts = Counter(change.codes)
            lines.extend(f"    {n} × {code} ({name})" for (code, name), n in sorted(counts.items()))
    return "\n".join(lines)
