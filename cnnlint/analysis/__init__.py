"""The static analysis: names, abstract values, transfer functions, the interpreter, the project."""
