"""Pure policy: the privacy protocol's rules as functions of their inputs, time included.

Nothing here does I/O, reads a clock or imports a framework (import-linter holds this).
"""
