"""``python -m cnnlint``: the same as the ``cnnlint`` command.

``python -m`` puts the current folder first on ``sys.path``, so the linted repository's own
``click.py`` or ``json.py`` would be imported, and run, in place of the real module. cnnlint never
imports from the folder it runs in: that entry goes before anything else is imported.
"""
import os
import sys

if sys.path and sys.path[0] in ("", os.getcwd()):
    del sys.path[0]

from .cli import main  # noqa: E402  (after the clean-up above, on purpose)

main()
