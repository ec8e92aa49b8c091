"""Reading watch exports: each format, the sport or the pace, and files that must be refused."""

import datetime as dt
import time

import pytest

from rehab import watch_files
from rehab.rules.load import ActivityKind
from rehab.tests import watch_builders as build
from rehab.watch_files import UnreadableFile, kind_from_pace, read_watch_file


@pytest.mark.parametrize(
    ("name", "kind", "distance_m"),
    [("run.fit", ActivityKind.RUN, 5000), ("run.gpx", ActivityKind.RUN, 5005),
     ("walk.tcx", ActivityKind.WALK, 2500)],
)  # fmt: skip
def test_it_reads_each_committed_fixture(name, kind, distance_m):
    found = read_watch_file(name, build.fixture(name))
    assert found.file_format == name[-3:]
    assert found.kind == kind and found.kind_from == "file"
    assert found.started_at == dt.datetime(2026, 3, 14, 6, 30, tzinfo=dt.UTC)
    assert found.duration_s == 1800
    assert abs(found.distance_m - distance_m) <= 5  # GPX measures between its points


@pytest.mark.parametrize(
    "make",
    [build.gpx, build.tcx, build.fit],
)
def test_it_reads_start_distance_and_duration_of_every_format(make):
    start = dt.datetime(2026, 5, 2, 17, 45, 10, tzinfo=dt.UTC)
    found = read_watch_file(f"x.{make.__name__}", make(start=start, minutes=42, km=7.5))
    assert found.started_at == start
    assert found.duration_s == 42 * 60
    assert 7_450 <= found.distance_m <= 7_550
    assert found.duration_text == "42 min"


@pytest.mark.parametrize(
    ("make", "sport", "kind"),
    [(build.gpx, "walking", ActivityKind.WALK), (build.tcx, "Biking", ActivityKind.CYCLING),
     (build.fit, "walking", ActivityKind.WALK), (build.fit, "hiking", ActivityKind.WALK),
     (build.fit, "cycling", ActivityKind.CYCLING)],
)  # fmt: skip
def test_the_files_own_sport_decides_the_kind(make, sport, kind):
    # 5 km in 30 min is a running pace: the sport, not the pace, decides.
    found = read_watch_file(f"x.{make.__name__}", make(sport=sport))
    assert (found.kind, found.kind_from) == (kind, "file")


@pytest.mark.parametrize(
    ("make", "sport"), [(build.gpx, ""), (build.tcx, "Other"), (build.fit, "generic")]
)
def test_without_a_known_sport_the_pace_decides(make, sport):
    walk = read_watch_file(f"x.{make.__name__}", make(sport=sport, km=3, minutes=40))
    run = read_watch_file(f"x.{make.__name__}", make(sport=sport, km=6, minutes=36))
    assert (walk.kind, walk.kind_from) == (ActivityKind.WALK, "pace")
    assert (run.kind, run.kind_from) == (ActivityKind.RUN, "pace")


def test_the_pace_fallback_has_a_walk_run_band():
    assert kind_from_pace(distance_m=1000, duration_s=1000 / 2.3) == ActivityKind.RUN
    assert kind_from_pace(distance_m=1000, duration_s=1000 / 2.0) == ActivityKind.WALK_RUN
    assert kind_from_pace(distance_m=1000, duration_s=1000 / 1.5) == ActivityKind.WALK
    assert kind_from_pace(distance_m=0, duration_s=600) == ActivityKind.RUN


def test_a_fit_file_without_a_session_is_read_from_its_records():
    found = read_watch_file("x.fit", build.fit(session=False, km=4, minutes=20))
    assert found.distance_m == 4000 and found.duration_s == 1200
    assert found.kind_from == "pace"


def test_the_same_bytes_give_the_same_hash_and_other_bytes_another():
    one = read_watch_file("a.gpx", build.gpx())
    assert read_watch_file("renamed.gpx", build.gpx()).sha256 == one.sha256
    assert read_watch_file("a.gpx", build.gpx(km=5.1)).sha256 != one.sha256


def test_the_found_activity_survives_its_round_trip_through_the_token():
    found = read_watch_file("run.fit", build.fixture("run.fit"))
    assert watch_files.WatchActivity.from_dict(found.as_dict()) == found


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY a "aaaaaaaaaa">'
    b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
    b'<gpx version="1.1"><trk><name>&c;</name></trk></gpx>'
)
EXTERNAL_ENTITY = (
    b'<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b'<gpx version="1.1"><trk><name>&x;</name></trk></gpx>'
)


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("run.pdf", b"%PDF-1.7", "reads .fit, .gpx and .tcx"),
        ("run", build.gpx(), "reads .fit, .gpx and .tcx"),
        ("run.gpx", b"", "empty"),
        ("run.gpx", b"not xml at all", "not an activity file"),
        ("run.gpx", b"<html><body>hello</body></html>", "not an activity file"),
        ("run.gpx", build.gpx()[:-20], "not an activity file"),
        ("run.tcx", BILLION_LAUGHS, "DTD or entities"),
        ("run.gpx", EXTERNAL_ENTITY, "DTD or entities"),
        ("run.fit", build.fit()[:-30], "damaged or incomplete"),
        ("run.fit", build.fit()[:14] + bytes(200), "damaged or incomplete"),
        ("run.fit", b"\x0e\x10" + bytes(6) + b".FIT" + bytes(4), "damaged or incomplete"),
        ("run.gpx", build.gpx().replace(b"<time>", b"<x>").replace(b"</time>", b"</x>"),
         "no times"),
        ("run.gpx", b'<gpx version="1.1"></gpx>', "no times"),
        ("run.gpx", "<gpx>é</gpx>".encode("latin-1"), "not an activity file"),
    ],
)  # fmt: skip
def test_a_broken_or_foreign_file_is_refused_with_a_reason(name, data, says):
    with pytest.raises(UnreadableFile, match=says):
        read_watch_file(name, data)


def test_a_file_over_the_limit_is_refused_before_it_is_parsed():
    with pytest.raises(UnreadableFile, match="over 5 MB"):
        read_watch_file("big.gpx", b" " * (watch_files.MAX_FILE_BYTES + 1))


def test_fit_decoding_stops_at_its_deadline(monkeypatch):
    clock = iter(range(0, 10_000, 10))  # every reading of the clock is 10 s later
    monkeypatch.setattr(time, "monotonic", lambda: next(clock))
    with pytest.raises(UnreadableFile, match="took too long"):
        read_watch_file("run.fit", build.fit())
