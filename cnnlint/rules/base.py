"""What a rule is: a code, a name, a summary, and a check over one analysed module."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterator

if TYPE_CHECKING:
    import libcst as cst

    from ..analysis.project import ModuleState

Check = Callable[["ModuleState"], Iterator[tuple["cst.CSTNode", str]]]


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    summary: str
    check: Check | None  # None: reported by the driver itself (CNN000)
    default: bool = True  # selected unless the configuration says otherwise; False: only when selected
    runtime: bool = False  # reported by `cnnlint run` only, from what the model received

    @property
    def filename(self) -> str:
        return f"{self.code}-{self.name}.md"

    @property
    def page(self) -> str:
        """The rule's page: packaged as cnnlint.docs, or read from the checkout's rules/ folder."""
        from importlib import resources
        from pathlib import Path

        try:
            return resources.files("cnnlint.docs").joinpath(self.filename).read_text("utf-8")
        except ModuleNotFoundError:  # an editable install maps only the cnnlint folder
            return (Path(__file__).resolve().parents[2] / "rules" / self.filename).read_text("utf-8")
