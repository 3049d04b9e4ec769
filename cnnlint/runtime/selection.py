"""Which runtime findings are shown: the configuration of the file they are in (select, ignore,
per-file-ignores) and the noqa comments on their line apply to them as to static findings."""
from __future__ import annotations

from pathlib import Path

from .. import suppressions
from ..sources import SourceError, decode, read


class Selection:
    def __init__(self, configs, programs: dict):
        self.configs = configs
        self.programs = programs  # absolute path -> Program: a notebook's lines are its joined cells
        self.comments: dict[str, dict] = {}

    def __call__(self, findings: list) -> tuple[list, list]:
        """(shown, hidden by a noqa comment); findings the configuration does not select are neither."""
        from ..lint import PerFileIgnores

        shown, hidden = [], []
        for f in findings:
            settings = self.configs.for_path(Path(f.path))
            if f.code not in {r.code for r in settings.rules} or PerFileIgnores(settings)(f):
                continue
            (hidden if suppressions.hidden(self._comments(f.path), f.line, f.code) else shown).append(f)
        return shown, hidden

    def _comments(self, path: str) -> dict:
        if path not in self.comments:
            program = self.programs.get(path)
            try:
                text = program.text if program is not None else decode(read(Path(path)))
            except SourceError:
                text = ""
            self.comments[path] = suppressions.directives(text)
        return self.comments[path]
