"""CNN001: a suppression comment whose codes hide no finding (ruff's RUF100). Off by default;
reported by the driver after rule selection, since what a comment hides depends on what is selected."""
from .base import Rule

RULE = Rule("CNN001", "unused-suppression", "A noqa or cnnlint: ignore comment whose codes hide no finding",
            check=None, default=False)
