"""The command line: ``cnnlint [PATHS]`` lints; ``cnnlint rule CODE`` explains a rule;
``cnnlint run SCRIPT`` runs a script with its model calls watched (needs TensorFlow);
``cnnlint server`` is the language server for editors (needs pygls).

Exit status: 0 no findings, 1 findings, 2 usage or configuration error (one line, no traceback).
Heavy modules (libcst, the analysis) are imported only by the commands that need them,
so ``cnnlint --version`` and ``--help`` start at once.
"""
from __future__ import annotations

import os
import sys
from collections import Counter
from pathlib import Path

import click

from . import __version__

FORMATS = ("text", "json", "sarif", "github")


class LintByDefault(click.Group):
    """``cnnlint src/`` means ``cnnlint lint src/``, as ``black src/`` or ``flake8 src/`` would."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("--help", "-h", "--version")):
            args = ["lint", *args]
        return super().parse_args(ctx, args)

    def main(self, *args, **kwargs):
        """Usage errors as one line: ``cnnlint: error: ...``, exit status 2."""
        try:
            code = super().main(*args, standalone_mode=False, **kwargs)
        except click.UsageError as e:
            click.echo(f"cnnlint: error: {e.format_message()}", err=True)
            sys.exit(2)
        except click.Abort:
            click.echo("cnnlint: aborted", err=True)
            sys.exit(130)
        sys.exit(code or 0)


def _codes(ctx, param, value: str | None) -> tuple[str, ...] | None:
    if not value:
        return None
    from .config import ConfigError, codes

    try:
        return codes(f"--{param.name.replace('_', '-')}", value)
    except ConfigError as e:
        raise click.BadParameter(str(e).split(": ", 1)[-1]) from None


def _patterns(ctx, param, values: tuple[str, ...]) -> tuple[str, ...] | None:
    if not values:
        return None
    return tuple(p.strip() for v in values for p in v.split(",") if p.strip())


def _per_file(ctx, param, values: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    from .config import ConfigError, codes

    table = {}
    for value in values:
        glob, sep, listed = value.rpartition(":")
        if not sep or not glob:
            raise click.BadParameter(f"expected GLOB:CODES, got {value!r}")
        try:
            table[glob] = codes("--per-file-ignores", listed)
        except ConfigError as e:
            raise click.BadParameter(str(e).split(": ", 1)[-1]) from None
    return table


@click.group(cls=LintByDefault, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="cnnlint")
def main() -> None:
    """Find image-preprocessing bugs that make pre-trained CNNs predict nonsense.

    cnnlint PATHS... is short for cnnlint lint PATHS...
    """


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="Output format.")
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False),
              help="The pyproject.toml to read [tool.cnnlint] from (default: the nearest one).")
@click.option("--select", callback=_codes, help="Only these codes or prefixes (comma-separated), e.g. CNN1,CNN203.")
@click.option("--extend-select", callback=_codes, help="Add these codes or prefixes to the selection.")
@click.option("--ignore", callback=_codes, help="Skip these codes or prefixes (comma-separated).")
@click.option("--per-file-ignores", multiple=True, callback=_per_file, metavar="GLOB:CODES",
              help="Ignore codes in files matching a glob; adds to the configuration's table. Repeatable.")
@click.option("--exclude", multiple=True, callback=_patterns,
              help="Gitignore-style patterns to skip, replacing the defaults (comma-separated, repeatable).")
@click.option("--extend-exclude", multiple=True, callback=_patterns, help="Patterns to skip besides the defaults.")
@click.option("--respect-gitignore/--no-respect-gitignore", default=None,
              help="Skip what .gitignore files ignore (default: yes).")
@click.option("--force-exclude", is_flag=True,
              help="Apply the exclusions to files named on the command line too (for pre-commit).")
@click.option("--stdin-filename", type=click.Path(path_type=Path),
              help="Lint standard input (pass - as the path) and report it under this path (for editors).")
@click.option("--show-suppressed", is_flag=True, help="Also list the findings hidden by noqa comments.")
@click.option("--statistics", is_flag=True, help="Print the number of findings per code instead of the findings.")
@click.option("-q", "--quiet", is_flag=True, help="Print the findings only, no summary.")
@click.option("--fix", is_flag=True, help="Apply the certain fixes in place (see the rule pages), then report the rest.")
@click.option("--diff", is_flag=True, help="Print the certain fixes as a unified diff and change nothing.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: the number of cores; 1 stays in this process).")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the cache.")
@click.option("--cache-dir", type=click.Path(path_type=Path, file_okay=False),
              help="Where the cache lives (default: $CNNLINT_CACHE_DIR, else .cnnlint_cache at the project root).")
def lint(paths: tuple[Path, ...], fmt: str, config_path: Path | None, select, extend_select, ignore,
         per_file_ignores, exclude, extend_exclude, respect_gitignore, force_exclude, stdin_filename,
         show_suppressed, statistics, quiet, fix, diff, jobs, no_cache, cache_dir) -> int:
    """Lint PATHS (files, folders and notebooks; default: the current folder)."""
    from .config import ConfigError, find_pyproject, load
    from .lint import lint as run
    from .report import FORMATS as WRITERS

    stdin = None
    if stdin_filename is not None:
        if paths not in ((), (Path("-"),)):
            raise click.UsageError("with --stdin-filename, the only path is - (standard input)")
        stdin = (stdin_filename, sys.stdin.buffer.read())
        targets = [stdin_filename]
    else:
        targets = list(paths) or [Path(".")]
        for path in targets:
            if not path.exists():
                raise click.UsageError(f"no such file or folder: {path}")
            if not os.access(path, os.R_OK | (os.X_OK if path.is_dir() else 0)):
                raise click.UsageError(f"cannot read {path}: permission denied")
    try:
        settings = load(config_path if config_path else find_pyproject(targets[0] if stdin is None
                                                                          else stdin_filename.parent
                                                                          if stdin_filename.parent.exists()
                                                                          else Path.cwd()))
    except ConfigError as e:
        raise click.UsageError(str(e)) from None
    except OSError as e:
        raise click.UsageError(f"cannot read {config_path}: {e.strerror}") from None
    overrides = {"select": select, "extend_select": extend_select, "ignore": ignore, "exclude": exclude,
                 "extend_exclude": extend_exclude, "respect_gitignore": respect_gitignore}
    for key, value in overrides.items():
        if value is not None:
            setattr(settings, key, value if key != "extend_select" else settings.extend_select + value)
    settings.per_file_ignores = {**settings.per_file_ignores, **per_file_ignores}

    from .cache import location

    result = run(targets, settings=settings, force_exclude=force_exclude, stdin=stdin, fix=fix or diff,
                 jobs=jobs or os.cpu_count() or 1, cache_dir=None if no_cache else location(cache_dir, settings.root))
    rules = settings.rules
    if diff:
        for change in result.fixed:
            sys.stdout.write(change.diff())
        n = sum(c.fixed for c in result.fixed)
        if not quiet:
            click.echo(f"Would fix {n} problem{'s' * (n != 1)} in {len(result.fixed)} file"
                       f"{'s' * (len(result.fixed) != 1)}; {len(result.findings)} left without a certain fix.",
                       err=True)
        return 1 if n else 0
    fixed = 0
    for change in result.fixed:
        try:
            change.write()
            fixed += change.fixed
        except Exception as e:  # changed on disk, or not writable: the findings stay
            result.warnings.append(str(e))
    shown = sorted(result.findings + result.suppressed, key=lambda f: f.sort_key()) if show_suppressed \
        else result.findings
    if statistics:
        counts = Counter((f.code, f.name) for f in result.findings)
        for (code, name), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
            click.echo(f"{n:5d}  {code}  {name}")
    else:
        if fmt not in WRITERS:
            raise click.UsageError(f"the {fmt} format is not available in this build")
        WRITERS[fmt](shown, sys.stdout, rules)
    sys.stdout.flush()
    for warning in result.warnings:
        click.echo(f"cnnlint: warning: {warning} (please report this bug)", err=True)
    if not quiet:
        click.echo(_summary(result) + (f" {fixed} fixed, {len(result.findings)} remaining." if fix else ""),
                   err=True)
    return 1 if result.findings or (fix and fixed < sum(c.fixed for c in result.fixed)) else 0


def _summary(result) -> str:
    n = len(result.findings)
    files = len({f.path for f in result.findings})
    text = f"Found {n} problem{'s' * (n != 1)} in {files} file{'s' * (files != 1)}" if n else "All checks passed"
    extra = f", {len(result.suppressed)} suppressed" if result.suppressed else ""
    return f"{text} ({result.files} file{'s' * (result.files != 1)} checked{extra})."


@main.command()
@click.argument("code", required=False)
@click.option("--all", "show_all", is_flag=True, help="List every rule: code, name and summary.")
def rule(code: str | None, show_all: bool) -> None:
    """Explain a rule (cnnlint rule CNN101), or list them all (--all)."""
    from .rules import ALL_RULES, BY_CODE

    if show_all or not code:
        for r in ALL_RULES:
            click.echo(f"{r.code}  {r.name:32s} {r.summary}")
        return
    found = BY_CODE.get(code.upper())
    if found is None:
        raise click.UsageError(f"unknown rule {code!r}; `cnnlint rule --all` lists them")
    click.echo(found.page, nl=False)


@main.command()
@click.option("--debounce", type=click.FloatRange(min=0), default=0.15, show_default=True, metavar="SECONDS",
              help="How long typing must pause before the edited file is linted again.")
def server(debounce: float) -> None:
    """Run the language server: diagnostics, fixes and rule pages in any editor (LSP over stdio).

    Needs the lsp extra: pip install 'cnnlint[lsp]'.
    """
    try:
        from .server.lsp import serve
    except ImportError as e:
        if (e.name or "").split(".")[0] not in ("pygls", "lsprotocol"):
            raise
        raise click.UsageError("the language server needs the lsp extra: pip install 'cnnlint[lsp]'") from None
    serve(debounce)


@main.command(context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False})
@click.option("-m", "module", is_flag=True, help="SCRIPT is a module name, run as `python -m` would.")
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True,
              help="text goes to standard error; json to standard output, after the script's own output.")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the report to this file instead.")
@click.option("--html", type=click.Path(path_type=Path, dir_okay=False),
              help="Also write a self-contained page with the histograms of what reached each model.")
@click.argument("script")
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def run(module: bool, fmt: str, output: Path | None, html: Path | None, script: str, args: tuple[str, ...]) -> int:
    """Run SCRIPT with its model calls watched, then report what reached each model.

    Like `coverage run`: the script runs as __main__ with ARGS as its sys.argv. Exit status:
    the script's own when it failed, else 1 when a problem was observed, else 0.
    """
    from .runtime.watch import RuntimeUnavailable, require_tensorflow

    try:
        require_tensorflow()
    except RuntimeUnavailable as e:
        raise click.UsageError(str(e)) from None
    if not module and not os.path.isfile(script):
        raise click.UsageError(f"no such script: {script}")
    import json

    from .runtime.run import run as run_script

    output, html = (p.resolve() if p is not None else None for p in (output, html))  # the script may chdir
    status, report = run_script(script, list(args), module)
    if report is None:  # a process the script forked: only the first one reports
        return status
    text = json.dumps(report.as_dict(), indent=2) + "\n" if fmt == "json" else str(report) + "\n"
    try:
        if output is not None:
            output.write_text(text, encoding="utf-8")
        else:  # the streams cnnlint started with: the script may have replaced or redirected its own
            stream = sys.__stdout__ if fmt == "json" else sys.__stderr__
            stream.write(text)
            stream.flush()
        if html is not None:
            from .runtime.html import write

            write(report, html, script)
    except (OSError, ValueError) as e:
        click.echo(f"cnnlint: error: cannot write the report: {e}", err=True)
        return status or 2
    return status or (1 if report.findings else 0)
