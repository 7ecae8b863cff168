"""The module Piccolo's migration machinery looks up (``PICCOLO_CONF``).

Piccolo finds its engine through a module attribute rather than an argument. ``DB`` is
therefore set at run time by :func:`portal.db.engine.bind_engine` from the portal's
settings; it starts as an unusable placeholder so nothing silently writes to a default
database file.
"""

from __future__ import annotations

from typing import Any

from piccolo.conf.apps import AppRegistry
from piccolo.engine.base import Engine

DB: Engine[Any] | None = None

APP_REGISTRY = AppRegistry(apps=["portal.db.piccolo_app"])
