"""Plumbing the use cases stand on but that is no use case itself.

The channels that carry a transfer between the event loop and a worker thread, the
libmagic adapter that sniffs an upload's first bytes, and the readiness probe runner.
The composition root builds them and hands them in; no rule of the protocol lives here.
"""
