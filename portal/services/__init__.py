"""Use cases: one function per user intention, load -> decide -> act -> audit.

Services ask ``portal.domain`` for every decision and never decide policy themselves.
They take the clock as an argument so tests can move through time.

Error tree (the web layer maps each to one HTTP status, the CLI to a message)::

    ServiceError
    ├── NotFound          the thing does not exist, or the caller may not know it does
    ├── Conflict          it exists already, or its state forbids the change
    └── InvalidInput      the request names something impossible (unknown code, bad name)
"""
