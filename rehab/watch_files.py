"""Reading a run from a watch's export: a `.fit`, `.gpx` or `.tcx` file in, one activity out.

Pure Python, no Django import: bytes and a file name in, a `WatchActivity` (distance, duration,
start in UTC, run or walk and why) or `UnreadableFile` with a message for the runner out.

The parsers are maintained libraries (fitdecode, gpxpy, tcxreader). None of them is trusted with
hostile input on its own:

- XML (GPX, TCX) is first parsed by defusedxml with DTDs forbidden, so no entity can be declared
  (no "billion laughs", no external entity, no network). Only a document that passes is handed
  to gpxpy (stdlib ElementTree, or lxml when installed) or tcxreader (stdlib ElementTree): with
  no DTD, whichever parser they use has nothing to expand.
- FIT is binary; fitdecode checks the header and CRC. Decoding is bounded by the size limit and
  by a deadline checked between frames (`FIT_PARSE_SECONDS`).

Run or walk comes from the file's own sport (FIT `session.sport`, TCX `Activity/@Sport`, GPX
`trk/type`). Only when the file names none that Rebound knows (FIT "generic", TCX "Other", a GPX
without a type) is it guessed from the average pace: `kind_from_pace`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import time

import defusedxml.ElementTree as SafeElementTree
import fitdecode
import gpxpy
import gpxpy.gpx
from defusedxml import DefusedXmlException
from tcxreader.tcxreader import TCXReader

from rehab.rules.load import ActivityKind

MAX_FILE_BYTES = 5 * 1024 * 1024  # a 3-hour GPX with 1 s points is about 2 MB
MAX_FILES = 5
FIT_PARSE_SECONDS = 5.0
EXTENSIONS = ("fit", "gpx", "tcx")

# Average speeds (m/s) for the pace fallback. 2.2 m/s is 7:35 min/km, slower than nearly any
# run but faster than a brisk walk; 1.8 m/s (9:16 min/km) is about as fast as people walk.
# Between the two, a walk-run (run intervals pulling a walk's average up).
RUN_SPEED = 2.2
WALK_SPEED = 1.8

# A file's sport as it names it (lower case), to Rebound's kinds. "generic", "other", "training"
# and anything missing fall back to the pace.
SPORTS = {
    "running": ActivityKind.RUN,
    "run": ActivityKind.RUN,
    "trail_running": ActivityKind.RUN,
    "treadmill_running": ActivityKind.RUN,
    "walking": ActivityKind.WALK,
    "walk": ActivityKind.WALK,
    "hiking": ActivityKind.WALK,
    "hike": ActivityKind.WALK,
    "cycling": ActivityKind.CYCLING,
    "biking": ActivityKind.CYCLING,
    "ride": ActivityKind.CYCLING,
    "swimming": ActivityKind.SWIMMING,
    "swim": ActivityKind.SWIMMING,
    "elliptical": ActivityKind.ELLIPTICAL,
}


class UnreadableFile(Exception):
    """The file is not an activity Rebound can read; the message says why, for the runner."""


@dataclasses.dataclass(frozen=True)
class WatchActivity:
    file_name: str
    file_format: str  # "fit", "gpx" or "tcx"
    sha256: str  # of the file's bytes: the same file uploaded twice is recognised
    sport: str  # as the file names it, "" when it names none
    kind: ActivityKind
    kind_from: str  # "file" (its sport) or "pace" (the fallback)
    started_at: dt.datetime  # aware, UTC
    duration_s: int
    distance_m: int

    @property
    def duration_text(self) -> str:
        """ "42 min" or "1 h 05 min"."""
        hours, minutes = divmod(round(self.duration_s / 60), 60)
        return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"

    def as_dict(self) -> dict:
        return {
            **dataclasses.asdict(self),
            "kind": str(self.kind),
            "started_at": self.started_at.isoformat(),
        }

    @classmethod
    def from_dict(cls, data: dict) -> WatchActivity:
        return cls(
            **{
                **data,
                "kind": ActivityKind(data["kind"]),
                "started_at": dt.datetime.fromisoformat(data["started_at"]),
            }
        )


def read_watch_file(name: str, data: bytes, *, fit_seconds: float = FIT_PARSE_SECONDS):
    """The activity in the file; raises UnreadableFile with a message for the runner."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in EXTENSIONS:
        raise UnreadableFile(
            "Rebound reads .fit, .gpx and .tcx files exported from a watch or running app."
        )
    if len(data) > MAX_FILE_BYTES:
        raise UnreadableFile(f"This file is over {MAX_FILE_BYTES // (1024 * 1024)} MB.")
    if not data:
        raise UnreadableFile("This file is empty.")
    sha = hashlib.sha256(data).hexdigest()
    if _looks_like_fit(data):
        found = _read_fit(data, fit_seconds)
        file_format = "fit"
    else:
        root = _safe_xml_root(data)
        if root == "gpx":
            found, file_format = _read_gpx(data), "gpx"
        elif root == "TrainingCenterDatabase":
            found, file_format = _read_tcx(data), "tcx"
        else:
            raise UnreadableFile(NOT_AN_ACTIVITY)
    sport, started, duration_s, distance_m = found
    if started is None:
        raise UnreadableFile(
            "This file has no times, so Rebound cannot tell when you went. Add it by hand."
        )
    if duration_s <= 0 and distance_m <= 0:
        raise UnreadableFile("This file holds no distance or time: nothing to add.")
    kind, kind_from = kind_of(sport, distance_m=distance_m, duration_s=duration_s)
    return WatchActivity(
        file_name=name[-120:],
        file_format=file_format,
        sha256=sha,
        sport=sport,
        kind=kind,
        kind_from=kind_from,
        started_at=_utc(started),
        duration_s=max(0, round(duration_s)),
        distance_m=max(0, round(distance_m)),
    )


NOT_AN_ACTIVITY = (
    "This is not an activity file Rebound can read. Export the activity again from your watch "
    "or app as .fit, .gpx or .tcx."
)


def kind_of(sport: str, *, distance_m: float, duration_s: float) -> tuple[ActivityKind, str]:
    """The kind a file's sport names, else the pace's guess; with where it came from."""
    known = SPORTS.get(sport.strip().lower().replace(" ", "_"))
    if known is not None:
        return known, "file"
    return kind_from_pace(distance_m=distance_m, duration_s=duration_s), "pace"


def kind_from_pace(*, distance_m: float, duration_s: float) -> ActivityKind:
    """Run, walk-run or walk from the average speed (RUN_SPEED, WALK_SPEED); a run when unknown.

    Without distance or time a run is the safer guess: it is what the plan's running rules read.
    """
    if distance_m <= 0 or duration_s <= 0:
        return ActivityKind.RUN
    speed = distance_m / duration_s
    if speed >= RUN_SPEED:
        return ActivityKind.RUN
    if speed >= WALK_SPEED:
        return ActivityKind.WALK_RUN
    return ActivityKind.WALK


# --- FIT --------------------------------------------------------------------------------------


def _looks_like_fit(data: bytes) -> bool:
    return len(data) >= 12 and data[8:12] == b".FIT"


def _read_fit(data: bytes, seconds: float):
    deadline = time.monotonic() + seconds
    session, first, last, far = None, None, None, 0.0
    try:
        reader = fitdecode.FitReader(io.BytesIO(data), check_crc=fitdecode.CrcCheck.ENABLED)
        with reader:
            for frame in reader:
                if time.monotonic() > deadline:
                    raise UnreadableFile("This file took too long to read. Is it an activity?")
                if not isinstance(frame, fitdecode.FitDataMessage):
                    continue
                if frame.name == "session" and session is None:
                    session = _fit_values(frame)
                elif frame.name == "record":
                    values = _fit_values(frame)
                    stamp = values.get("timestamp")
                    if isinstance(stamp, dt.datetime):
                        first = first or stamp
                        last = stamp
                    if isinstance(values.get("distance"), int | float):
                        far = max(far, float(values["distance"]))
    except UnreadableFile:
        raise
    except Exception:  # fitdecode raises many kinds for a damaged file; each means the same
        raise UnreadableFile(
            "This .fit file is damaged or incomplete. Export it again from your watch or app."
        ) from None
    if session is not None:
        sport = session.get("sport") if isinstance(session.get("sport"), str) else ""
        if sport == "fitness_equipment" and session.get("sub_sport") == "elliptical":
            sport = "elliptical"
        started = session.get("start_time") or first
        duration = session.get("total_timer_time") or session.get("total_elapsed_time") or 0
        distance = session.get("total_distance") or far
        return sport, _aware(started), float(duration), float(distance)
    if first is None:
        raise UnreadableFile(NOT_AN_ACTIVITY)
    return "", _aware(first), (last - first).total_seconds(), far


def _fit_values(frame) -> dict:
    return {field.name: field.value for field in frame.fields if field.value is not None}


# --- XML: GPX and TCX --------------------------------------------------------------------------


def _safe_xml_root(data: bytes) -> str:
    """The root element's local name, after defusedxml has parsed the whole document."""
    try:
        root = SafeElementTree.fromstring(data, forbid_dtd=True)
    except (DefusedXmlException, ValueError):
        raise UnreadableFile(
            "This file declares things a watch export never does (a DTD or entities), so "
            "Rebound does not read it."
        ) from None
    except SafeElementTree.ParseError:
        raise UnreadableFile(NOT_AN_ACTIVITY) from None
    return root.tag.rsplit("}", 1)[-1]


def _read_gpx(data: bytes):
    try:
        gpx = gpxpy.parse(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, gpxpy.gpx.GPXException, ValueError):
        raise UnreadableFile("This .gpx file is damaged. Export it again.") from None
    bounds = gpx.get_time_bounds()
    sport = next((track.type for track in gpx.tracks if track.type), "") or ""
    return sport, bounds.start_time, float(gpx.get_duration() or 0), float(gpx.length_2d() or 0)


def _read_tcx(data: bytes):
    try:
        exercise = TCXReader().read(io.BytesIO(data), only_gps=False)
    except UnreadableFile:
        raise
    except Exception:  # tcxreader raises KeyError, ValueError, TypeError… on a damaged file
        raise UnreadableFile("This .tcx file is damaged. Export it again.") from None
    if exercise.start_time is None:
        return exercise.activity_type or "", None, 0.0, 0.0
    return (
        exercise.activity_type or "",
        exercise.start_time,
        float(exercise.duration or 0),
        float(exercise.distance or 0),
    )


def _aware(value) -> dt.datetime | None:
    if not isinstance(value, dt.datetime):
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _utc(value: dt.datetime) -> dt.datetime:
    """Watch files write UTC; a time without a zone is read as UTC."""
    return (_aware(value) or value).astimezone(dt.UTC)
