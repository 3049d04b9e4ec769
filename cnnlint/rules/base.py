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

    @property
    def page(self) -> str:
        """The rule's documentation page, packaged with cnnlint."""
        from importlib import resources

        return resources.files("cnnlint").joinpath("docs", f"{self.code}-{self.name}.md").read_text("utf-8")
