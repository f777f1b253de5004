"""The one way rows meet the ``energy`` table: :func:`upsert_energy`."""

from __future__ import annotations

from collections.abc import Sequence

import duckdb

from insights import sql
from insights.warehouse.tables import table

ENERGY = table("energy")
#: The value columns: every column but the key and the file's hash.
VALUES = [c for c in ENERGY.column_names if c not in (*ENERGY.key, "file_sha256")]


def upsert_energy(con: duckdb.DuckDBPyConnection, sha: str, *, replace: Sequence[str] = ()) -> None:
    """Merge the temp table ``stage`` (columns of ``energy`` but ``file_sha256``) into
    ``energy`` on its key ``(ts_utc, zone)``; the stage is left in place.

    Rule, column by column: **a value in the new file replaces the stored one; a value the
    new file lacks (NULL) leaves the stored one**. Carbon data and load data of the same
    zone and hour arrive in different files (an Electricity Maps export, then a load
    export), and a later file that lacks a column must not wipe a value already known; a
    corrected file that has the value wins. A stored row the new file touches takes the new
    file's ``file_sha256``; hours not yet stored are inserted whole.

    ``replace``: value columns the caller derives in full for every hour it stages, whose
    NULL means "no value" rather than "not in this file" (CENACE's carbon columns, derived
    from the stored generation mix of that hour: when a later settlement leaves no positive
    generation, the old intensity must go, not stay). Those columns take the staged value,
    NULL included. ``ValueError`` for a name that is not a value column.
    """
    unknown = [c for c in replace if c not in VALUES]
    if unknown:
        raise ValueError(f"upsert_energy: not value columns of energy: {unknown}")
    sets = ", ".join(
        f"{c} = s.{c}" if c in replace else f"{c} = coalesce(s.{c}, energy.{c})" for c in VALUES
    )
    tag = sql.literal(sha)
    con.execute(f"""UPDATE energy SET {sets}, file_sha256 = {tag} FROM stage s
        WHERE energy.ts_utc = s.ts_utc AND energy.zone = s.zone""")
    con.execute(f"""INSERT INTO energy BY NAME
        SELECT s.*, {tag} AS file_sha256 FROM stage s
        ANTI JOIN energy e ON e.ts_utc = s.ts_utc AND e.zone = s.zone""")
