"""``insights train --engine spark``: one Spark task per brand, each running the project's own
``train`` on that brand's rows; the runs are stored by the driver.

Arrow in: each brand's ``consumption`` rows (grouped by ``client``) and the shared ``energy``
rows (sent with the task). In the task, :func:`train_task` writes them into a warehouse of
its own (a temporary DuckDB file: the task never touches the warehouse the command was
given, which a cluster's workers could not reach anyway) and runs
:func:`insights.training.train` on it, unchanged: the same backtests, the same estimator,
the same seeds, one OpenMP thread (:func:`insights.engines.spark.session` sets it per
worker). Arrow out: the run's ``model_runs`` row and ``forecasts`` rows as Parquet bytes,
its model files as a ZIP, and its summary as JSON. :func:`store_run` then writes each
brand's run into the warehouse in one transaction, and its model files beside it, as a
local run would have.

The forecasts equal a local run's to the last digit (tested on ``local[2]``); the run ids,
``created_at`` and the ``seconds`` of the summary are each run's own.
"""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

#: What a task hands back: one row per brand.
OUT_SCHEMA = "client string, summary string, model_runs binary, forecasts binary, models binary"
_OUT = pa.schema(
    [
        ("client", pa.string()),
        ("summary", pa.string()),
        ("model_runs", pa.binary()),
        ("forecasts", pa.binary()),
        ("models", pa.binary()),
    ]
)


def _parquet(tbl: pa.Table) -> bytes:
    buf = io.BytesIO()
    pq.write_table(tbl, buf)
    return buf.getvalue()


def _zip(folder: Path) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:  # pickles compress little
        for f in sorted(folder.rglob("*.pkl")):
            zf.write(f, f.name)
    return buf.getvalue()


def train_task(
    consumption: pa.Table, energy: pa.Table, options: dict[str, Any], client: str
) -> pa.Table:
    """Train brand ``client`` on its ``consumption`` rows and the shared ``energy`` rows in a
    warehouse of the task's own; one row of :data:`OUT_SCHEMA`. ``options``: the keyword
    arguments of :func:`insights.training.train` (``horizon``, ``n_cutoffs``, ``by_topic``)."""
    from threadpoolctl import threadpool_limits

    from insights import warehouse
    from insights.training import train
    from insights.training.result import plain

    with threadpool_limits(1), tempfile.TemporaryDirectory(prefix="insights-train-") as tmp:
        db = str(Path(tmp) / "task.duckdb")
        models = Path(tmp) / "models"
        with warehouse.write(db, client=client) as con:
            con.register("_c", consumption)
            con.register("_e", energy)
            con.execute("INSERT INTO consumption BY NAME SELECT * FROM _c")
            con.execute("INSERT INTO energy BY NAME SELECT * FROM _e")
        summary = train(db, models_dir=models, progress=lambda _m: None, client=client, **options)
        with warehouse.read(db, client=client) as con:
            runs = con.sql("SELECT * FROM model_runs").to_arrow_table()
            fc = con.sql("SELECT * FROM forecasts").to_arrow_table()
        return pa.Table.from_pylist(
            [
                {
                    "client": client,
                    "summary": json.dumps(plain(summary), default=str),
                    "model_runs": _parquet(runs),
                    "forecasts": _parquet(fc),
                    "models": _zip(models),
                }
            ],
            schema=_OUT,
        )


def store_run(
    db: str | None, row: dict[str, Any], models_dir: Path | None = None
) -> Mapping[str, Any]:
    """Write one brand's run (a row of :data:`OUT_SCHEMA`) into the warehouse in one
    transaction and its model files into the brand's models folder (older runs' pruned, as
    :func:`insights.training.train` does); the run's summary."""
    from insights import brands, warehouse
    from insights.models.persist import models_dir_for, prune_models

    client = row["client"]
    folder = models_dir or models_dir_for(warehouse.db_path(db))
    if client != brands.DEFAULT:
        folder = folder / client
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    try:
        with zipfile.ZipFile(io.BytesIO(row["models"])) as zf:
            for name in zf.namelist():
                (folder / name).write_bytes(zf.read(name))
                written.append(folder / name)
        runs = pq.read_table(io.BytesIO(row["model_runs"]))
        fc = pq.read_table(io.BytesIO(row["forecasts"]))
        with warehouse.write(db, client=client) as con:
            con.execute("BEGIN TRANSACTION")
            con.register("_runs", runs)
            con.register("_fc", fc)
            con.execute("INSERT INTO model_runs BY NAME SELECT * FROM _runs")
            con.execute("INSERT INTO forecasts BY NAME SELECT * FROM _fc")
            con.execute("COMMIT")
    except BaseException:
        for f in written:  # no model file of a run that was not stored
            f.unlink(missing_ok=True)
        raise
    prune_models(folder)
    from insights.training.result import TrainResult

    return TrainResult(**json.loads(row["summary"]))  # the local loop's type


def train_on_spark(
    db: str | None,
    names: list[str],
    options: dict[str, Any],
    spark,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Mapping[str, Any]]:
    """Train every brand of ``names`` as one Spark task each (``groupBy("client")
    .applyInArrow``) and store the runs; ``{brand: summary}``. ``spark``: a session
    (:func:`insights.engines.spark.session`)."""
    from insights import InsightsError, brands, warehouse

    say = progress or (lambda _m: None)
    with warehouse.read(db, client=brands.ALL) as con:
        con.execute("SET TimeZone = 'UTC'")
        consumption = con.sql(
            "SELECT * FROM consumption WHERE list_contains($names, client)",
            params={"names": names},
        ).to_arrow_table()
        energy = con.sql("SELECT * FROM energy").to_arrow_table()
    if consumption.num_rows == 0:
        raise InsightsError("no consumption data in the warehouse; run `insights ingest` first")

    lacking = sorted(set(names) - set(consumption.column("client").to_pylist()))
    if lacking:  # as the local loop says it, before any brand is trained
        raise InsightsError(
            f"brand {lacking[0]}: no consumption data in the warehouse; run `insights ingest` first"
        )

    def task(tbl: pa.Table) -> pa.Table:
        client = tbl.column("client")[0].as_py()
        try:
            return train_task(tbl, energy, options, client)
        except InsightsError as exc:  # one line back to the driver, not a worker traceback
            return pa.Table.from_pylist(
                [{"client": client, "summary": json.dumps({"error": str(exc)})}], schema=_OUT
            )

    say(f"training {len(names)} brand(s) on Spark, one task each")
    sdf = spark.createDataFrame(consumption)
    out = sdf.groupBy("client").applyInArrow(task, OUT_SCHEMA).toArrow()
    rows = sorted(out.to_pylist(), key=lambda r: r["client"])
    for row in rows:
        err = json.loads(row["summary"]).get("error")
        if err:
            raise InsightsError(f"brand {row['client']}: {err}")
    runs = {}
    for row in rows:
        runs[row["client"]] = store_run(db, row)
        say(f"stored the run of brand {row['client']}")
    return runs
