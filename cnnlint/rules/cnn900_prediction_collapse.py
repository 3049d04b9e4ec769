"""CNN900: prediction collapse, the symptom users see. Only ``cnnlint run`` reports it, from the
predictions it watched (``runtime/verdicts.py``); no static check can see it."""
from .base import Rule

RULE = Rule("CNN900", "prediction-collapse",
            "A classifier's top-1 class never changes over many distinct images (seen by cnnlint run)",
            check=None, runtime=True)
