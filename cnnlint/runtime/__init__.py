"""cnnlint run: execute a script with its model calls instrumented, measure, compare."""
