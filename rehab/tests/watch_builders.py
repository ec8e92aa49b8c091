"""Tiny watch exports for the tests: GPX, TCX and FIT bytes with a chosen start, sport, distance.

GPX and TCX are written as text; FIT is built with fit-tool (a dev dependency: fitdecode, which
Rebound uses, only reads). The committed files in `watch_files/` were made with these.
"""

import datetime as dt
import pathlib

FIXTURES = pathlib.Path(__file__).parent / "watch_files"
START = dt.datetime(2026, 3, 14, 6, 30, tzinfo=dt.UTC)


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def gpx(
    *, start: dt.datetime = START, minutes: int = 30, km: float = 5.0, sport: str = "running"
) -> bytes:
    """A track heading north from Greenwich: three points, `km` apart end to end."""
    degrees = km / 111.2  # one degree of latitude is about 111.2 km
    points = "".join(
        f'<trkpt lat="{51.4769 + degrees * i / 2:.6f}" lon="0.0">'
        f"<time>{_stamp(start + dt.timedelta(minutes=minutes * i / 2))}</time></trkpt>"
        for i in range(3)
    )
    kind = f"<type>{sport}</type>" if sport else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">'
        f"<trk><name>Morning run</name>{kind}<trkseg>{points}</trkseg></trk></gpx>"
    ).encode()


def tcx(
    *, start: dt.datetime = START, minutes: int = 30, km: float = 5.0, sport: str = "Running"
) -> bytes:
    points = "".join(
        f"<Trackpoint><Time>{_stamp(start + dt.timedelta(minutes=minutes * i / 2))}</Time>"
        f"<DistanceMeters>{km * 1000 * i / 2:.1f}</DistanceMeters></Trackpoint>"
        for i in range(3)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/'
        'TrainingCenterDatabase/v2">'
        f'<Activities><Activity Sport="{sport}"><Id>{_stamp(start)}</Id>'
        f'<Lap StartTime="{_stamp(start)}"><TotalTimeSeconds>{minutes * 60}</TotalTimeSeconds>'
        f"<DistanceMeters>{km * 1000:.1f}</DistanceMeters><Calories>300</Calories>"
        f"<Track>{points}</Track></Lap></Activity></Activities></TrainingCenterDatabase>"
    ).encode()


def fit(
    *,
    start: dt.datetime = START,
    minutes: int = 30,
    km: float = 5.0,
    sport: str | None = "running",
    session: bool = True,
) -> bytes:
    """A FIT activity: file id, three records and (unless `session=False`) a session."""
    from fit_tool.fit_file_builder import FitFileBuilder
    from fit_tool.profile.messages.file_id_message import FileIdMessage
    from fit_tool.profile.messages.record_message import RecordMessage
    from fit_tool.profile.messages.session_message import SessionMessage
    from fit_tool.profile.profile_type import FileType, Manufacturer, Sport

    def ms(moment: dt.datetime) -> int:
        return round(moment.timestamp() * 1000)

    builder = FitFileBuilder(auto_define=True, min_string_size=50)
    file_id = FileIdMessage()
    file_id.type = FileType.ACTIVITY
    file_id.manufacturer = Manufacturer.DEVELOPMENT.value
    file_id.product = 0
    file_id.serial_number = 1234
    file_id.time_created = ms(start)
    builder.add(file_id)
    for i in range(3):
        record = RecordMessage()
        record.timestamp = ms(start + dt.timedelta(minutes=minutes * i / 2))
        record.distance = km * 1000 * i / 2
        builder.add(record)
    if session:
        message = SessionMessage()
        message.start_time = ms(start)
        message.timestamp = ms(start + dt.timedelta(minutes=minutes))
        if sport is not None:
            message.sport = Sport[sport.upper()]
        message.total_distance = km * 1000
        message.total_elapsed_time = minutes * 60.0
        message.total_timer_time = minutes * 60.0
        builder.add(message)
    return builder.build().to_bytes()
