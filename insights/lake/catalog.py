"""Open an Iceberg catalog from a URI (``--lake`` / ``INSIGHTS_LAKE``).

- ``sqlite:///PATH.db``: pyiceberg's SQL catalog in a SQLite file; the table files go
  to the folder ``PATH.files/`` beside it. One machine, and CI: no server.
- ``postgresql://...`` (or ``postgresql+psycopg2://``): the same SQL catalog in a team's
  PostgreSQL; the table files go where ``INSIGHTS_LAKE_WAREHOUSE`` says (``s3://...``,
  ``file:///shared/...``), which is then required.
- ``http://`` / ``https://``: an Iceberg REST catalog (Polaris, Nessie, Unity, Glue's
  REST endpoint); credentials and storage settings as pyiceberg reads them from
  ``~/.pyiceberg.yaml`` or ``PYICEBERG_*`` variables.

Source: pyiceberg's catalog documentation, https://py.iceberg.apache.org/configuration/
(SQL catalog: ``uri`` and ``warehouse`` properties; REST catalog: ``uri``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from insights import errors, settings

if TYPE_CHECKING:
    from pyiceberg.catalog import Catalog

NAMESPACE = "insights"


LakeError = errors.LakeError  # defined with every user-facing error


def lake_uri(uri: str | None = None) -> str:
    """The lake URI: the argument, else ``INSIGHTS_LAKE``; raises :class:`LakeError` when none."""
    uri = uri or settings.current().lake
    if not uri:
        raise LakeError(
            "no lake given: pass --lake URI or set INSIGHTS_LAKE (e.g. sqlite:///lake.db)"
        )
    return uri


def open_catalog(uri: str | None = None) -> Catalog:
    """The catalog behind ``uri`` with the ``insights`` namespace present.

    Raises :class:`LakeError` for an unknown scheme, a missing ``insights[lake]`` extra or a
    PostgreSQL catalog without ``INSIGHTS_LAKE_WAREHOUSE``.
    """
    uri = lake_uri(uri)
    try:
        from pyiceberg.catalog.rest import RestCatalog
        from pyiceberg.catalog.sql import SqlCatalog
    except ImportError:
        raise LakeError("the lake needs the lake extra: pip install 'insights[lake]'") from None
    if uri.startswith("sqlite:///"):
        path = Path(uri.removeprefix("sqlite:///")).absolute()
        path.parent.mkdir(parents=True, exist_ok=True)
        files = path.with_name(path.name + ".files")
        files.mkdir(exist_ok=True)
        cat = SqlCatalog("insights", uri=f"sqlite:///{path}", warehouse=files.as_uri())
    elif uri.startswith(("postgresql://", "postgresql+")):
        where = settings.current().lake_warehouse
        if not where:
            raise LakeError(
                "a PostgreSQL catalog needs INSIGHTS_LAKE_WAREHOUSE (where the table files go, "
                "e.g. s3://bucket/insights or file:///shared/insights)"
            )
        cat = SqlCatalog("insights", uri=uri, warehouse=where)
    elif uri.startswith(("http://", "https://")):
        cat = RestCatalog("insights", uri=uri)
    else:
        raise LakeError(
            f"lake {uri!r}: unknown catalog; use sqlite:///PATH.db, postgresql://... "
            "or an Iceberg REST catalog's http(s):// address"
        )
    cat.create_namespace_if_not_exists(NAMESPACE)
    return cat
