"""The demo's platform downloads: a post history and a few exports, synthetic, in the layouts
the readers under :mod:`insights.sources` read (and cite in their docstrings).

No file here has a layout of its own: each is written exactly as the reader's docstring and
the project's field cases (``tests/fixtures/platforms``) show it, so that ``insights
ingest`` reads the demo's downloads as it reads a team's.

* ``meta-business-suite-instagram-content.csv``: Meta Business Suite's Instagram content
  export (:mod:`insights.sources.meta`: ``"Post ID","Account ID","Account username",
  "Description","Duration (sec)","Publish time","Permalink","Post type","Data comment",
  "Date","Impressions","Reach","Likes","Comments","Saves","Shares","Follows"``, every field
  quoted, ``Date`` = ``Lifetime``, ``Publish time`` = ``MM/DD/YYYY HH:MM`` in the account's
  zone). About 1.2 posts a day over the last ``POST_DAYS`` days, drawn by
  :func:`insights.models.synthetic_posts.synthetic_posts` with the demo audience's Instagram
  evening (a log-rate profile peaking at 21:00 local, x1.6 over the mid-afternoon), a team
  habit of posting at lunch, 13:00 (a third of the posts), and Meta's post types (``IG reel``
  x1.28, ``IG carousel`` x1.11, ``IG image``).
* ``Overview.csv`` and ``FollowerActivity.csv``: TikTok Studio's daily overview
  (``Date,Video Views,Profile Views,Likes,Comments,Shares``, dates without a year such as
  ``December 7``) and follower activity (UTF-8 with a BOM, ``"Date","Hour","Active
  followers"``, the export day's later hours zero-filled as TikTok writes them), as
  :mod:`insights.sources.tiktok` reads them. Activity follows the demo's TikTok evening
  (peak 22:00 local).
* ``youtube-studio-geography.zip``: a YouTube Studio advanced-mode download, its members
  ``Table data.csv`` by Geography (``Geography,Views,Watch time (hours),Average view
  duration``, the ``Total`` row first; ISO country codes) and ``Totals.csv``
  (``Date,Views``), as :mod:`insights.sources.youtube_studio` reads them.

Meta's ``Publish time`` and TikTok's dates need ``--tz`` and ``--year`` (the files do not
state them): :func:`write_platform_downloads` writes the options in ``ingest-options`` (a
file ``insights ingest`` does not read) and returns them.
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

from insights.models.synthetic_posts import synthetic_posts

TZ = "America/Mexico_City"
POST_DAYS = 180  # about 16 weeks and more: what Sprout Social's optimal send times learn from
POSTS_PER_DAY = 1.2
OVERVIEW_DAYS = 28
ACTIVITY_DAYS = 7
ACCOUNT = "marca.demo.mx"
# the demo audience's Instagram evening, as a log multiplier of the engagement rate by local hour
IG_PROFILE = {h: 0.47 * float(np.exp(-0.5 * ((h - 21) / 2.2) ** 2)) for h in range(24)}
IG_TYPES = {"IG reel": 0.25, "IG carousel": 0.10, "IG image": 0.0}
META_HEADER = [
    "Post ID", "Account ID", "Account username", "Description", "Duration (sec)",
    "Publish time", "Permalink", "Post type", "Data comment", "Date", "Impressions",
    "Reach", "Likes", "Comments", "Saves", "Shares", "Follows",
]  # fmt: skip
COUNTRIES = {"MX": 0.86, "US": 0.08, "GT": 0.02, "CO": 0.02, "ES": 0.02}


def _csv(rows: list[list], quote_all: bool = False) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL)
    w.writerows(rows)
    return buf.getvalue().replace("\r\n", "\n")


def _month_day(d) -> str:
    # English month names whatever the machine's locale (TikTok Studio's English UI)
    months = ["January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December"]  # fmt: skip
    return f"{months[d.month - 1]} {d.day}"


def meta_content_text(end: datetime, seed: int, days: int) -> tuple[str, int]:
    """The Instagram content export (text) and its number of posts."""
    span = min(days, POST_DAYS)
    n = int(round(POSTS_PER_DAY * span))
    posts = synthetic_posts(
        n,
        seed,
        best_hour=None,
        hour_profile=IG_PROFILE,
        hours=tuple(range(8, 24)),
        habit=(13, 1 / 3),
        start=end - timedelta(days=span),
        days=span,
        tz=TZ,
        type_effects=IG_TYPES,
        reach_median=4000.0,
        account=ACCOUNT,
    )
    posts = posts.filter(posts["published_utc"] <= end).sort("published_utc")
    zone = ZoneInfo(TZ)
    rows: list[list] = [META_HEADER]
    for i, p in enumerate(posts.iter_rows(named=True)):
        local = p["published_utc"].astimezone(zone)
        pid = str(17900000000000 + seed * 100000 + i)
        rows.append(
            [
                pid, "1780000000000", ACCOUNT, f"Publicación de demostración {i + 1}",
                "0" if p["post_type"] != "IG reel" else "30",
                local.strftime("%m/%d/%Y %H:%M"),
                f"https://www.instagram.com/p/demo{i:05d}/", p["post_type"], "", "Lifetime",
                p["impressions"], p["reach"], p["likes"], p["comments"], p["saves"],
                p["shares"], "0",
            ]
        )  # fmt: skip
    return _csv(rows, quote_all=True), posts.height


def _tiktok_shape(hour: np.ndarray) -> np.ndarray:
    """The demo's TikTok audience by local hour (consumption_frame's channel shape)."""
    evening = np.exp(-0.5 * ((hour - 22.0) / 2.2) ** 2)
    lunch = 0.35 * np.exp(-0.5 * ((hour - 13.5) / 1.5) ** 2)
    night = 0.08 + 0.1 * np.exp(-0.5 * ((hour - 0.5) / 1.5) ** 2)
    return night + lunch + evening


def tiktok_texts(end: datetime, seed: int) -> tuple[str, str, int]:
    """TikTok Studio ``Overview.csv`` and ``FollowerActivity.csv`` (text), and the year of
    the overview's first row (what ``--year`` must say)."""
    rng = np.random.default_rng(seed + 101)
    last = end.astimezone(ZoneInfo(TZ)).date()
    days = [last - timedelta(days=k) for k in range(OVERVIEW_DAYS - 1, -1, -1)]
    rows: list[list] = [["Date", "Video Views", "Profile Views", "Likes", "Comments", "Shares"]]
    for d in days:
        lift = 1.18 if d.weekday() >= 5 else 1.0
        views = int(rng.poisson(52000 * lift))
        rows.append(
            [
                _month_day(d), views, int(rng.poisson(views * 0.012)),
                int(rng.poisson(views * 0.07)), int(rng.poisson(views * 0.006)),
                int(rng.poisson(views * 0.004)),
            ]
        )  # fmt: skip
    overview = _csv(rows)
    # follower activity: the last ACTIVITY_DAYS days by hour; the export day only up to now
    now_local = end.astimezone(ZoneInfo(TZ))
    act: list[list] = [["Date", "Hour", "Active followers"]]
    hours = np.arange(24, dtype=float)
    for d in days[-ACTIVITY_DAYS:]:
        lift = 1.18 if d.weekday() >= 5 else 1.0
        lam = 9000 * lift * _tiktok_shape(hours)
        vals = rng.poisson(lam)
        for h in range(24):
            v = int(vals[h]) if d < last or h <= now_local.hour else 0
            act.append([_month_day(d), str(h), str(v)])
    activity = "\ufeff" + _csv(act, quote_all=True)
    return overview, activity, days[0].year


def youtube_zip(path: Path, end: datetime, seed: int) -> None:
    """A YouTube Studio advanced-mode ZIP: ``Table data.csv`` by Geography, ``Totals.csv``."""
    rng = np.random.default_rng(seed + 202)
    last = end.astimezone(ZoneInfo("America/Los_Angeles")).date() - timedelta(days=1)
    days = [last - timedelta(days=k) for k in range(OVERVIEW_DAYS - 1, -1, -1)]
    daily = [int(rng.poisson(30000 * (1.15 if d.weekday() >= 5 else 1.0))) for d in days]
    total = sum(daily)
    geo: list[list] = [["Geography", "Views", "Watch time (hours)", "Average view duration"]]
    geo.append(["Total", total, f"{total * 0.061:.4f}", "0:03:40"])
    for code, share in COUNTRIES.items():
        v = int(round(total * share))
        sec = int(rng.integers(180, 260))
        geo.append([code, v, f"{v * sec / 3600:.4f}", f"0:{sec // 60:02d}:{sec % 60:02d}"])
    totals = [["Date", "Views"], *[[d.isoformat(), v] for d, v in zip(days, daily, strict=True)]]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("Table data.csv", _csv(geo))
        zf.writestr("Totals.csv", _csv(totals))


def write_platform_downloads(out: str | Path, end: datetime, seed: int, days: int) -> dict:
    """Write the downloads into ``out``; return ``{path: rows}`` and, under ``"options"``,
    the ``insights ingest`` options they need (``--tz``, ``--year``), also written to
    ``out/ingest-options``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    end = end.astimezone(UTC)
    written: dict = {}
    meta, n_posts = meta_content_text(end, seed, days)
    p = out / "meta-business-suite-instagram-content.csv"
    p.write_text(meta, encoding="utf-8")
    written[str(p)] = n_posts
    overview, activity, year = tiktok_texts(end, seed)
    (out / "tiktok").mkdir(exist_ok=True)
    p = out / "tiktok" / "Overview.csv"
    p.write_text(overview, encoding="utf-8")
    written[str(p)] = OVERVIEW_DAYS
    p = out / "tiktok" / "FollowerActivity.csv"
    p.write_text(activity, encoding="utf-8")
    written[str(p)] = ACTIVITY_DAYS * 24
    p = out / "youtube-studio-geography.zip"
    youtube_zip(p, end, seed)
    written[str(p)] = OVERVIEW_DAYS + len(COUNTRIES)
    options = ["--tz", TZ, "--year", str(year)]
    (out / "ingest-options").write_text(" ".join(options) + "\n", encoding="utf-8")
    (out / "README.md").write_text(
        "# Demo platform downloads (synthetic)\n\nA post history and platform exports in the "
        "layouts `insights ingest` reads; see `insights/demo_platforms.py`. Load with\n\n"
        f"    insights ingest {out} {' '.join(options)}\n",
        encoding="utf-8",
    )
    written["options"] = options
    return written
