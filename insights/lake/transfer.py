"""Move a DuckDB warehouse to and from an Iceberg lake, one brand (``client``) at a time.

Data travels as Arrow: DuckDB hands each table over as an Arrow table, pyiceberg writes
it as Parquet data files under the catalog; the way back is the same. No DuckDB Iceberg
extension is needed (it downloads at run time, which ``insights`` never does).

Types without an Iceberg twin are widened losslessly on the way out and cast back by
DuckDB on the way in: ``UBIGINT`` (event fingerprints) as ``decimal(20, 0)``, ``JSON``
(run parameters) as text. Every table keeps its columns; ``ingest_log`` keeps the files'
SHA-256, so a file already loaded is still recognised after a round trip.

The lake's ``client`` is the warehouse's (:mod:`insights.brands`): the brand-owned tables
export that brand's rows; the shared ones (grid energy, search interest, regions, studio
logs) go into every brand's partition. A warehouse whose only brand is ``'default'`` (one
made before brands) may be exported under another name: its rows are then that brand's.

Each table is its own Iceberg commit (an overwrite of the brand's rows: readers see the
old or the new rows of a table, never half); Iceberg has no transaction across tables.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING

from insights import brands, sql, warehouse
from insights.lake.catalog import NAMESPACE, LakeError, open_catalog

if TYPE_CHECKING:
    import pyarrow as pa
    from pyiceberg.table import Table

DEFAULT_CLIENT = brands.DEFAULT
# Iceberg has no unsigned integers and no JSON type: widen without loss.
_WIDEN = {
    "UBIGINT": "DECIMAL(20,0)",
    "UINTEGER": "BIGINT",
    "USMALLINT": "INTEGER",
    "UTINYINT": "INTEGER",
    "HUGEINT": "DECIMAL(38,0)",
    "JSON": "VARCHAR",
}


def check_client(client: str) -> str:
    """``client`` stripped, or :class:`LakeError` when it is empty, too long or has odd
    characters (it names partitions and folders)."""
    try:
        return brands.check(client)
    except brands.BrandError as exc:
        raise LakeError(str(exc)) from None


def _tables(con) -> dict[str, list[tuple[str, str]]]:
    rows = con.execute(
        """SELECT table_name, column_name, data_type FROM duckdb_columns()
        WHERE schema_name = 'main' AND NOT internal
          AND table_name IN (SELECT table_name FROM duckdb_tables()
                             WHERE schema_name = 'main' AND NOT temporary)
        ORDER BY table_name, column_index"""
    ).fetchall()
    out: dict[str, list[tuple[str, str]]] = {}
    for t, c, ty in rows:
        if t == warehouse.MARKER_TABLE:  # each warehouse writes its own marker
            continue
        out.setdefault(t, []).append((c, ty))
    return out


def _select(table: str, cols: list[tuple[str, str]], client: str, stored: str) -> str:
    """The rows of ``table`` the lake receives as brand ``client``: a brand table's rows of
    warehouse brand ``stored``, a shared table's every row; ``client`` as the last column."""
    parts = [
        f"CAST({sql.ident(c)} AS {_WIDEN[ty]}) AS {sql.ident(c)}" if ty in _WIDEN else sql.ident(c)
        for c, ty in cols
        if c != "client"
    ]
    cond = f" WHERE client = {sql.literal(stored)}" if any(c == "client" for c, _ in cols) else ""
    return (
        f"SELECT {', '.join(parts)}, {sql.literal(client)} AS client FROM {sql.ident(table)}{cond}"
    )


def _of_client(client: str):
    """The Iceberg row filter ``client = <client>``."""
    from pyiceberg.expressions import EqualTo

    return EqualTo("client", client)  # type: ignore[call-arg]


def _lake_table(cat, name: str, schema: pa.Schema) -> Table:
    from pyiceberg.transforms import MonthTransform

    ident = f"{NAMESPACE}.{name}"
    if cat.table_exists(ident):
        tbl = cat.load_table(ident)
        with tbl.update_schema() as upd:  # columns added by a newer insights
            upd.union_by_name(schema)
        return tbl
    tbl = cat.create_table(ident, schema=schema)
    with tbl.update_spec() as spec:
        spec.add_identity("client")
        if "ts_utc" in schema.names:
            spec.add_field("ts_utc", MonthTransform(), "ts_utc_month")
    return tbl


def export_warehouse(
    db: str | None,
    lake: str | None,
    client: str = DEFAULT_CLIENT,
    progress: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Copy every table of the warehouse ``db`` into the lake as brand ``client``.

    The brand's rows in each lake table are replaced (other brands' rows are untouched).
    Returns ``{table: rows written}``. Raises :class:`LakeError` (exit 2) for a bad brand
    or lake, :class:`insights.InsightsError` when there is no warehouse.
    """
    client = check_client(client)
    say = progress or (lambda _m: None)
    cat = open_catalog(lake)
    written = {}
    with warehouse.read(db, client=brands.ALL) as con:
        names = brands.present(con)
        if client in names or not names:
            stored = client
        elif names == [brands.DEFAULT]:  # made before brands: its rows become the brand's
            stored = brands.DEFAULT
        else:
            raise LakeError(
                f"brand {client!r} has no data in {warehouse.db_path(db)}; brands: "
                + ", ".join(names[:20])
            )
        for table, cols in _tables(con).items():
            data = sql.arrow(con, _select(table, cols, client, stored))
            tbl = _lake_table(cat, table, data.schema)
            with warnings.catch_warnings():  # a brand's first export deletes nothing: fine
                warnings.filterwarnings("ignore", "Delete operation did not match")
                tbl.overwrite(data, overwrite_filter=_of_client(client))
            written[table] = data.num_rows
            say(f"{table}: {data.num_rows} rows")
    return written


def read_client(lake: str | None, client: str) -> dict[str, pa.Table]:
    """``{table: Arrow table}`` of brand ``client``'s rows in every lake table, ``client``
    column dropped. Tables the brand has no rows in are included empty."""
    client = check_client(client)
    cat = open_catalog(lake)
    out = {}
    for _ns, name in cat.list_tables(NAMESPACE):
        tbl = cat.load_table(f"{NAMESPACE}.{name}")
        data = tbl.scan(row_filter=_of_client(client)).to_arrow()
        out[name] = data.drop_columns(["client"])
    return out


def import_warehouse(
    lake: str | None,
    db: str | None,
    client: str = DEFAULT_CLIENT,
    replace: bool = False,
    progress: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Load brand ``client`` from the lake into the warehouse ``db`` (one transaction), as
    the warehouse's brand ``client``.

    The warehouse must hold no data of the brand unless ``replace`` (then the brand's rows
    are deleted first). The shared tables (energy, search interest, studio logs) come from
    the lake's copy when the warehouse holds no other brand (else the warehouse's own are
    kept, unless ``replace``); the ``regions`` table stays the configured one. Returns
    ``{table: rows}``.
    Raises :class:`LakeError` when the lake has no rows of the brand or the warehouse
    holds data and ``replace`` is false; the warehouse is then left as it was.
    """
    say = progress or (lambda _m: None)
    data = read_client(lake, client)
    if not any(t.num_rows for name, t in data.items() if name != "regions"):
        raise LakeError(f"the lake holds no rows of brand {client!r} (--client)")
    loaded = {}
    client = check_client(client)
    with warehouse.write(db, client=client) as con:
        have = _tables(con)
        others = [b for b in brands.present(con) if b != client]
        own = {t: any(c == "client" for c, _ in cols) for t, cols in have.items()}

        def rows_of(t: str) -> str:  # what an import replaces in table t
            return f" WHERE client = {sql.literal(client)}" if own[t] else ""

        shared_too = replace or not others
        if not replace:
            busy = [
                t
                for t in have
                if t != "regions"
                and (own[t] or shared_too)
                and sql.one(con, f'SELECT count(*) FROM "{t}"{rows_of(t)}')[0]
            ]
            if busy:
                raise LakeError(
                    f"{warehouse.db_path(db)} already holds data ({', '.join(busy)}); "
                    "import into a new --db, or pass --replace to empty it first"
                )
        con.execute("BEGIN TRANSACTION")
        try:
            for name, tbl in data.items():
                if name == "regions" or name not in have or not (own[name] or shared_too):
                    continue
                con.execute(f'DELETE FROM "{name}"{rows_of(name)}')
                con.register("_lake_in", tbl)
                con.execute(f'INSERT INTO "{name}" BY NAME SELECT * FROM _lake_in')
                con.unregister("_lake_in")
                loaded[name] = tbl.num_rows
                say(f"{name}: {tbl.num_rows} rows")
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    return loaded
