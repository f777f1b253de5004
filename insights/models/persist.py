"""Saving and loading fitted models, refusing ones from incompatible versions.

The file holds two pickles: a small version header, then the model. The header
is read and checked first, so an incompatible model is never unpickled.

Where: beside the warehouse they were trained on, in ``<warehouse>.models/``
(``data/warehouse.duckdb`` -> ``data/warehouse.duckdb.models/``), never relative
to the current directory. Written atomically (a temporary file in the same
folder, fsynced, then renamed), so a killed ``train`` leaves no partial file.
Pruning rule: after each save, the files of the :data:`KEEP_RUNS` newest runs
are kept (a run's files share its ``run_id`` prefix; run ids sort by time) and
older ones are deleted, with temporary files left by killed runs.
"""

from __future__ import annotations

import contextlib
import pickle
import time
from pathlib import Path

import sklearn

from insights import InsightsError, __version__
from insights.paths import write_atomically


def versions() -> dict[str, str]:
    return {"insights": __version__, "sklearn": sklearn.__version__}


KEEP_RUNS = 3
STALE_TMP_S = 3600  # a temporary file this old belongs to a run that died


def models_dir_for(db_path: Path) -> Path:
    """The folder of models trained on the warehouse at ``db_path``."""
    db_path = Path(db_path).absolute()
    return db_path.with_name(db_path.name + ".models")


def save_model(model: object, path: Path) -> None:
    """Write ``model`` to ``path`` atomically: readers see the old file or the whole new one."""
    path.parent.mkdir(parents=True, exist_ok=True)

    def dump(fh) -> None:
        pickle.dump(versions(), fh)
        pickle.dump(model, fh)

    write_atomically(path, dump, fsync=True)


def prune_models(folder: Path, keep_runs: int = KEEP_RUNS) -> list[Path]:
    """Delete model files of all but the ``keep_runs`` newest runs; return what was deleted."""
    if not folder.is_dir():
        return []
    files = sorted(folder.glob("*.pkl"))
    runs = sorted({f.name.split("-engagement-")[0] for f in files}, reverse=True)
    keep = set(runs[:keep_runs])
    gone = [f for f in files if f.name.split("-engagement-")[0] not in keep]
    now = time.time()
    gone += [t for t in folder.glob(".*.tmp") if now - t.stat().st_mtime > STALE_TMP_S]
    for f in gone:
        with contextlib.suppress(OSError):
            f.unlink()
    return gone


def load_model(path: Path) -> object:
    """The model saved at ``path``; a one-line error when versions differ."""
    try:
        with open(path, "rb") as fh:
            header = pickle.load(fh)
            if header != versions():
                raise InsightsError(
                    f"{path}: saved by insights {header.get('insights')} / scikit-learn "
                    f"{header.get('sklearn')}, this is insights {__version__} / scikit-learn "
                    f"{sklearn.__version__}; retrain with `insights train`"
                )
            return pickle.load(fh)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError) as exc:
        raise InsightsError(f"{path}: cannot read saved model ({exc})") from None
