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
from contextlib import contextmanager
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


def _codes(ctx, param, values: tuple[str, ...]) -> tuple[str, ...] | None:
    """Codes of a repeatable option (``--select CNN1 --select CNN203`` is ``--select CNN1,CNN203``)."""
    if not values:
        return None
    from .config import ConfigError, codes

    try:
        return codes(f"--{param.name.replace('_', '-')}", ",".join(values))
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
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path, readable=False))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="Output format.")
@click.option("-o", "--output-file", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the findings (or statistics, or diff) to this file instead of standard output.")
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False),
              help="The pyproject.toml to read [tool.cnnlint] from, for every file (default: each file's nearest).")
@click.option("--select", multiple=True, callback=_codes,
              help="Only these codes or prefixes (comma-separated, repeatable), e.g. CNN1,CNN203; replaces the "
                   "configuration's select and ignore.")
@click.option("--extend-select", multiple=True, callback=_codes, help="Add these codes or prefixes to the selection.")
@click.option("--ignore", multiple=True, callback=_codes,
              help="Skip these codes or prefixes (comma-separated, repeatable); adds to the configuration's.")
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
@click.option("--show-settings", is_flag=True, help="Print the settings that apply to the first path, and exit.")
@click.option("-q", "--quiet", is_flag=True, help="Print the findings only, no summary.")
@click.option("--exit-zero", is_flag=True, help="Exit with status 0 even when there are findings.")
@click.option("--fix", is_flag=True, help="Apply the certain fixes in place (see the rule pages), then report the rest.")
@click.option("--diff", is_flag=True, help="Print the certain fixes as a unified diff and change nothing.")
@click.option("--show-fixes", is_flag=True, help="With --fix, list what was fixed, file by file.")
@click.option("--add-noqa", is_flag=True, help="Add a noqa comment to every line with findings, and exit.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: the number of cores; 1 stays in this process).")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the cache.")
@click.option("--cache-dir", type=click.Path(path_type=Path, file_okay=False),
              help="Where the cache lives (default: $CNNLINT_CACHE_DIR, else .cnnlint_cache at the project root).")
def lint(paths: tuple[Path, ...], fmt: str, output_file: Path | None, config_path: Path | None, select, extend_select,
         ignore, per_file_ignores, exclude, extend_exclude, respect_gitignore, force_exclude, stdin_filename,
         show_suppressed, statistics, show_settings, quiet, exit_zero, fix, diff, show_fixes, add_noqa, jobs,
         no_cache, cache_dir) -> int:
    """Lint PATHS (files, folders and notebooks; - for standard input; default: the current folder)."""
    from .config import Configs, ConfigError, Overrides
    from .lint import lint as run

    if sum((fix, diff, add_noqa)) > 1:
        raise click.UsageError("--fix, --diff and --add-noqa cannot be combined")
    if add_noqa and (stdin_filename is not None or Path("-") in paths):
        raise click.UsageError("--add-noqa changes files: it does not read standard input")
    if statistics and fmt not in ("text", "json"):
        raise click.UsageError("--statistics prints text or json")
    stdin, targets = _inputs(paths, stdin_filename)
    overrides = Overrides(select, extend_select or (), ignore or (), per_file_ignores, exclude, extend_exclude or (),
                          respect_gitignore)
    try:
        configs = Configs(overrides, config_path)
        settings = configs.for_path(targets[0])
    except ConfigError as e:
        raise click.UsageError(str(e)) from None
    if show_settings:
        click.echo(settings.show(targets[0]), nl=False)
        return 0
    out = _output(output_file)

    from .cache import location

    try:
        result = run(targets, settings=configs, force_exclude=force_exclude, stdin=stdin, fix=fix or diff,
                     jobs=jobs or os.cpu_count() or 1,
                     cache_dir=None if no_cache else location(cache_dir, settings.root))  # the first path's project
    except ConfigError as e:  # a configuration further down the tree
        raise click.UsageError(str(e)) from None
    if not result.files and stdin is None:
        _warn(f"no Python files or notebooks found in {', '.join(map(str, targets))}")
    for notice in result.notices:
        _warn(notice)
    if add_noqa:
        return _add_noqa(result, quiet)
    if diff:
        return _diff(result, out, quiet)
    fixed = _write_fixes(result, stdin) if fix else None
    if fix and stdin is not None and output_file is None:
        out = sys.stderr  # standard output holds the fixed code
    _report(result, out, fmt, configs, statistics, show_suppressed)
    for warning in result.warnings:
        _warn(f"{warning} (please report this bug)")
    if not quiet:
        if fix and show_fixes:
            from .report.summary import fixes

            click.echo(fixes(result.fixed), err=True)
        from .report.summary import summary

        click.echo(summary(result, fixed), err=True)
    failed = result.findings or (fix and fixed < sum(c.fixed for c in result.fixed))
    return 1 if failed and not exit_zero else 0


def _inputs(paths: tuple[Path, ...], stdin_filename: Path | None) -> tuple[tuple[Path, bytes] | None, list[Path]]:
    """What to lint: standard input (``-``, reported under --stdin-filename if given), or the paths."""
    if stdin_filename is not None or Path("-") in paths:
        if paths not in ((), (Path("-"),)):
            raise click.UsageError("standard input (-) is the only path it can be linted with")
        name = stdin_filename if stdin_filename is not None else Path("-")
        return (name, sys.stdin.buffer.read()), [name]
    targets = list(paths) or [Path(".")]
    for path in targets:
        if not os.path.lexists(path):
            raise click.UsageError(f"no such file or folder: {path}")
    return None, targets


def _output(path: Path | None):
    """Standard output, or the --output-file, created (with its folders) before the run, as ruff does."""
    if path is None:
        return sys.stdout
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return open(path, "w", encoding="utf-8")
    except OSError as e:
        raise click.UsageError(f"cannot write {path}: {e.strerror or e}") from None


def _warn(text: str) -> None:
    click.echo(f"cnnlint: warning: {text}", err=True)


def _report(result, out, fmt: str, configs, statistics: bool, show_suppressed: bool) -> None:
    from .report import FORMATS as WRITERS
    from .report.summary import statistics as counts

    if statistics:
        counts(result.findings, out, fmt)
    else:
        shown = sorted(result.findings + result.suppressed, key=lambda f: f.sort_key()) if show_suppressed \
            else result.findings
        WRITERS[fmt](shown, out, [r for r in configs.rules() if not r.runtime])  # CNN900 is cnnlint run's
    out.flush()


def _diff(result, out, quiet: bool) -> int:
    from .report.summary import plural

    for change in result.fixed:
        out.write(change.diff())
    out.flush()
    n = sum(c.fixed for c in result.fixed)
    if not quiet:
        click.echo(f"Would fix {plural(n, 'problem')} in {plural(len(result.fixed), 'file')}; "
                   f"{len(result.findings)} left without a certain fix.", err=True)
    return 1 if n else 0


def _write_fixes(result, stdin) -> int:
    """Write the fixed files (standard input's fixed code goes to standard output, as ruff does);
    the number of findings fixed."""
    fixed = 0
    if stdin is not None:
        change = next(iter(result.fixed), None)
        sys.stdout.buffer.write(change.after.encode(change.encoding) if change else stdin[1])
        sys.stdout.flush()
        return change.fixed if change else 0
    for change in result.fixed:
        try:
            change.write()
            fixed += change.fixed
        except Exception as e:  # changed on disk, or not writable: the findings stay
            result.warnings.append(str(e))
    return fixed


def _add_noqa(result, quiet: bool) -> int:
    from .suppressions import add_noqa

    added, notes = add_noqa(result)
    for note in notes:
        _warn(note)
    if not quiet:
        click.echo(f"Added {added} noqa directive{'s' * (added != 1)}.", err=True)
    return 0


main.add_command(click.Command("check", params=lint.params, callback=lint.callback,
                               help="The same as lint (cnnlint check PATHS, as ruff check PATHS)."))


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
              help="text goes to standard error; json to standard output, alone (the script's own standard "
                   "output then goes to standard error, unless -o is given).")
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Write the report to this file instead.")
@click.option("--html", type=click.Path(path_type=Path),
              help="Also write a self-contained page with the histograms of what reached each model.")
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False),
              help="The pyproject.toml to read [tool.cnnlint] from (default: the nearest one).")
@click.option("--select", multiple=True, callback=_codes, help="Only these codes or prefixes, as for lint.")
@click.option("--extend-select", multiple=True, callback=_codes, help="Add these codes or prefixes, as for lint.")
@click.option("--ignore", multiple=True, callback=_codes, help="Skip these codes or prefixes, as for lint.")
@click.argument("script")
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def run(module: bool, fmt: str, output: Path | None, html: Path | None, config_path: Path | None, select,
        extend_select, ignore, script: str, args: tuple[str, ...]) -> int:
    """Run SCRIPT (or a notebook's code cells) with its model calls watched, then report what reached each model.

    Like `coverage run`: the script runs as __main__ with ARGS as its sys.argv. Exit status:
    the script's own when it failed, else 1 when a problem was observed, else 0; 2 when the
    report cannot be written.
    """
    from .config import Configs, ConfigError, Overrides
    from .runtime.watch import RuntimeUnavailable, require_framework

    try:
        require_framework()
    except RuntimeUnavailable as e:
        raise click.UsageError(str(e)) from None
    if not module and not os.path.isfile(script):
        raise click.UsageError(f"no such script: {script}")
    for path in (output, html):  # before the script runs, not after an hour of it
        _check_writable(path)
    try:  # a broken configuration stops the run before it starts
        configs = Configs(Overrides(select, extend_select or (), ignore or ()), config_path)
        configs.for_path(Path(script) if not module else Path.cwd())
    except ConfigError as e:
        raise click.UsageError(str(e)) from None
    import json

    from .runtime.program import ProgramError
    from .runtime.run import run as run_script

    output, html = (p.resolve() if p is not None else None for p in (output, html))  # the script may chdir
    try:
        with _stdout_to_stderr(fmt == "json" and output is None):  # stdout holds the JSON report alone
            status, report = run_script(script, list(args), module, configs)
    except ProgramError as e:
        raise click.UsageError(str(e)) from None
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
        return 2
    return status or (1 if report.findings else 0)


def _check_writable(path: Path | None) -> None:
    """A report file must be writable where it is asked for: checked before the script runs."""
    if path is None:
        return
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        reason = "it is a folder"
    elif not folder.is_dir():
        reason = f"no such folder: {folder}"
    elif not os.access(folder, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.W_OK)):
        reason = "permission denied"
    else:
        return
    raise click.UsageError(f"cannot write the report to {path}: {reason}")


@contextmanager
def _stdout_to_stderr(active: bool):
    """While the script runs, what it writes to standard output (file descriptor 1, so its child
    processes too) goes to standard error."""
    if not active:
        yield
        return
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        yield
    finally:
        try:
            sys.stdout.flush()
        except (ValueError, OSError):  # the script closed it
            pass
        os.dup2(saved, 1)
        os.close(saved)
