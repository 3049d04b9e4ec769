"""``cnnlint server``: a language server (LSP over standard input and output), built on pygls.

It lints what the editor has open with the command line's own pipeline (``cnnlint.lint``), so the
findings are the command line's, as the editor types:

    documents.py    open Python files and notebooks, as the files the linter reads
    linting.py      one open document linted in its project (configuration, project files, buffers)
    scheduler.py    when: after a pause in typing, one analysis at a time, off the event loop
    diagnostics.py  findings -> LSP diagnostics (ranges, rule pages, related places)
    actions.py      code actions (the certain fix, noqa, fix all) and hover (the rule's page)
    session.py      the state between messages: reports, who imports what, logging errors
    lsp.py          the LSP methods, and serve()

Needs the ``lsp`` extra (pygls, lsprotocol); nothing else in cnnlint imports this package.
"""
