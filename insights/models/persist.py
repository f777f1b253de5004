"""Saving and loading fitted models, refusing ones from incompatible versions.

The file holds two pickles: a small version header, then the model. The header
is read and checked first, so an incompatible model is never unpickled.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import sklearn

from insights import InsightsError, __version__


def versions() -> dict[str, str]:
    return {"insights": __version__, "sklearn": sklearn.__version__}


def save_model(model: object, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as fh:
        pickle.dump(versions(), fh)
        pickle.dump(model, fh)


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
