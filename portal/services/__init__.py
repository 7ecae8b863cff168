"""Use cases: one function per user intention, load -> decide -> act -> audit.

Services ask ``portal.domain`` for every decision and never decide policy themselves.
They take the clock as an argument so tests can move through time.

Error tree (the web layer maps each to one HTTP status, the CLI to a message)::

    ServiceError
    ├── NotFound              it does not exist, or the caller may not know it does   404
    ├── Conflict              it exists already, or its state forbids the change      409
    ├── InvalidInput          an unknown code, a malformed name                         400
    ├── NotAuthenticated      no valid credentials                                      401
    ├── Forbidden             known caller, but the rules say no (reason given)         403
    ├── UnsupportedMediaType  the document's type is refused or mismatched              415
    ├── PayloadTooLarge       the document exceeds the size limit                       413
    └── AuditUnavailable      the audit record failed, so nothing happened              503
"""
