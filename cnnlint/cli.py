"""The command line: ``cnnlint [PATHS]`` lints; ``cnnlint rule CODE`` explains a rule.

Exit status: 0 no findings, 1 findings, 2 usage error or unreadable path.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__


class LintByDefault(click.Group):
    """``cnnlint src/`` means ``cnnlint lint src/``, as ``black src/`` or ``flake8 src/`` would."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("--help", "-h", "--version")):
            args = ["lint", *args]
        return super().parse_args(ctx, args)


def _codes(ctx, param, value: str | None) -> tuple[str, ...]:
    from .rules import ALL_RULES

    if not value:
        return ()
    codes = tuple(c.strip().upper() for c in value.split(",") if c.strip())
    known = {r.code for r in ALL_RULES}
    for code in codes:
        if code != "ALL" and not any(k.startswith(code) for k in known):
            raise click.BadParameter(f"unknown rule code or prefix {code!r}")
    return codes


@click.group(cls=LintByDefault, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="cnnlint")
def main() -> None:
    """Find image-preprocessing bugs that make pre-trained CNNs predict nonsense."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Output format.")
@click.option("--select", callback=_codes, help="Only these codes or prefixes (comma-separated), e.g. CNN1,CNN203.")
@click.option("--ignore", callback=_codes, help="Skip these codes or prefixes (comma-separated).")
def lint(paths: tuple[Path, ...], fmt: str, select: tuple[str, ...], ignore: tuple[str, ...]) -> None:
    """Lint PATHS (files or folders; default: the current folder)."""
    from .lint import lint as run
    from .report import FORMATS
    from .rules import choose

    targets = list(paths) or [Path(".")]
    for path in targets:
        if not path.exists():
            raise click.UsageError(f"no such file or folder: {path}")
    rules = choose(select, ignore)
    result = run(targets, rules)
    FORMATS[fmt](result.findings, sys.stdout, rules)
    sys.stdout.flush()
    for warning in result.warnings:
        click.echo(f"cnnlint: warning: {warning} (please report this bug)", err=True)
    n = len(result.findings)
    files = len({f.path for f in result.findings})
    summary = (f"Found {n} problem{'s' * (n != 1)} in {files} file{'s' * (files != 1)}" if n else "All checks passed")
    click.echo(f"{summary} ({result.files} file{'s' * (result.files != 1)} checked).", err=True)
    sys.exit(1 if n else 0)


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
