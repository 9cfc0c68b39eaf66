"""The SQLite catalog (via sqlite-utils): schema, migrations and every query. The only SQL."""

from artifactctl.catalog.db import Catalog

__all__ = ["Catalog"]
