"""The progress report as a PDF, drawn with reportlab (pure Python: no system libraries).

A handover document: every page carries the clinic's logo and name and the patient's name, date
of birth and injury site at the top (`_page_frame`), so a loose page still says whose it is.
Charts are reportlab graphics drawn from the same series as the page's Chart.js charts. Text
uses the PDF standard fonts, so characters outside their WinAnsi encoding are replaced
(`_plain`).
"""

import io

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.shapes import Drawing, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import HRFlowable

from reports.handover import Handover
from reports.progress_report import ProgressReport

BRAND = colors.HexColor("#0f766e")
MORNING = colors.HexColor("#d97706")
MUTED = colors.HexColor("#5b6b6b")
GRID = colors.HexColor("#e2e8f0")
WIDTH = A4[0] - 36 * mm

STYLES = getSampleStyleSheet()
TITLE = ParagraphStyle("title", parent=STYLES["Title"], alignment=0, textColor=BRAND, fontSize=18)
H2 = ParagraphStyle("h2", parent=STYLES["Heading2"], fontSize=12.5, spaceBefore=10, spaceAfter=4)
BODY = ParagraphStyle("body", parent=STYLES["BodyText"], fontSize=9.5, leading=12.5)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=8, leading=10, textColor=MUTED)
CELL = ParagraphStyle("cell", parent=BODY, fontSize=8.5, leading=10.5)

REPLACEMENTS = {"→": "->", "≥": ">=", "≤": "<="}


def _plain(text) -> str:
    """Text the standard PDF fonts can draw, escaped for reportlab's paragraph markup."""
    text = str(text)
    for old, new in REPLACEMENTS.items():
        text = text.replace(old, new)
    text = text.encode("cp1252", "replace").decode("cp1252")  # the fonts' WinAnsi encoding
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _p(text, style=BODY) -> Paragraph:
    return Paragraph(_plain(text), style)


def _table(rows: list[list], widths: list[float], *, header: bool = True) -> Table:
    cells = [[c if isinstance(c, Paragraph) else _p(c, CELL) for c in row] for row in rows]
    table = Table(cells, colWidths=widths, repeatRows=1 if header else 0)
    style = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, GRID),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if header:
        style += [("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f1f5f9"))]
    table.setStyle(TableStyle(style))
    return table


def _date(day) -> str:
    return f"{day.day} {day:%b %Y}" if day else "not yet"


HEADER_HEIGHT = 14 * mm  # the logo's box at the top of every page
LOGO_MAX_WIDTH = 40 * mm


def render(report: ProgressReport, *, handover: Handover | None = None) -> bytes:
    buffer = io.BytesIO()
    patient = report.patient
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm + HEADER_HEIGHT,
        bottomMargin=16 * mm,
        title=_plain_text(f"Progress report - {patient.full_name}"),
        author=patient.clinic.name,
    )
    story = [
        _p("Progress report", TITLE),
        _p(
            f"Responsible physical therapist: "
            f"{patient.therapist.full_name if patient.therapist else 'not assigned'}. "
            f"Prepared {_date(report.generated_at)}, covering day 0 ({_date(report.anchor)}) "
            f"to day {report.days_in_care}.",
            SMALL,
        ),
        HRFlowable(width="100%", color=GRID, spaceBefore=6, spaceAfter=4),
    ]
    if handover is not None:
        story += _summary(handover)
    story += _injury(report)
    story += _plan(report)
    story += _charts(report)
    story += _milestones_and_outcomes(report)
    story += _standard_measures(handover)
    story += _adherence_and_alerts(report)
    story.append(Spacer(1, 8))
    story.append(
        _p(
            "Rebound supports clinical decisions about bone stress injuries. It does not "
            "diagnose: imaging and a clinician's examination do.",
            SMALL,
        )
    )
    frame = _page_frame(report, handover)
    doc.build(story, onFirstPage=frame, onLaterPages=frame)
    return buffer.getvalue()


def _plain_text(text) -> str:
    """Text the standard fonts can draw, for the canvas (no paragraph markup to escape)."""
    text = str(text)
    for old, new in REPLACEMENTS.items():
        text = text.replace(old, new)
    return text.encode("cp1252", "replace").decode("cp1252")


def _page_frame(report: ProgressReport, handover: Handover | None):
    """Draws the header (clinic and patient) and the footer (page number) on every page."""
    patient = report.patient
    site = (report.site or {}).get("label") or "site not yet confirmed"
    clinic_name = _plain_text(handover.clinic_name if handover else patient.clinic.name)
    who = _plain_text(f"{patient.full_name} - born {_date(patient.date_of_birth)}")
    where = _plain_text(f"Site: {site}")
    logo = None
    if handover is not None and handover.logo_png:
        reader = ImageReader(io.BytesIO(handover.logo_png))
        width, height = reader.getSize()
        scale = min(HEADER_HEIGHT / height, LOGO_MAX_WIDTH / width)
        logo = (reader, width * scale, height * scale)

    def draw(canvas, doc) -> None:
        canvas.saveState()
        top = A4[1] - 10 * mm
        left, right = 18 * mm, A4[0] - 18 * mm
        x = left
        if logo is not None:
            reader, width, height = logo
            canvas.drawImage(
                reader, left, top - height, width, height, mask="auto", preserveAspectRatio=True
            )
            x = left + width + 4 * mm
        canvas.setFont("Helvetica-Bold", 10)
        canvas.setFillColor(BRAND)
        canvas.drawString(x, top - 6 * mm, clinic_name)
        canvas.setFillColor(colors.black)
        canvas.setFont("Helvetica-Bold", 9)
        canvas.drawRightString(right, top - 4 * mm, who)
        canvas.setFont("Helvetica", 8.5)
        canvas.drawRightString(right, top - 9 * mm, where)
        canvas.setStrokeColor(GRID)
        canvas.line(left, top - HEADER_HEIGHT - 1.5 * mm, right, top - HEADER_HEIGHT - 1.5 * mm)
        canvas.setFont("Helvetica", 7.5)
        canvas.setFillColor(MUTED)
        canvas.drawString(
            left, 10 * mm, "Rebound progress report - confidential health information"
        )
        canvas.drawRightString(right, 10 * mm, f"Page {doc.page}")
        canvas.restoreState()

    return draw


def _summary(handover: Handover) -> list:
    if handover.summary is None or not handover.summary.text:
        return []
    summary = handover.summary
    author = summary.author.full_name if summary.author else "a former member of staff"
    return [
        _p("Clinician's summary", H2),
        *[_p(paragraph, BODY) for paragraph in summary.text.splitlines() if paragraph.strip()],
        _p(f"Written by {author} on {_date(summary.at)} (version {summary.number}).", SMALL),
    ]


def _standard_measures(handover: Handover | None) -> list:
    """The LEFS and UWRI (rehab.measures): baseline, latest, change and what the change means."""
    heading = _p("Function questionnaires (LEFS, UWRI)", H2)
    series = handover.measures.series if handover is not None else []
    if not series:
        return [heading, _p("No LEFS or UWRI has been filled in yet.", BODY)]
    rows = [["Questionnaire", "Baseline", "Latest", "Change", "Meaning"]]
    for s in series:
        first, last = s.baseline, s.latest
        rows.append(
            [
                f"{s.instrument.abbreviation} (0-{s.instrument.total_max}, "
                f"important change {s.instrument.mcid})",
                f"{first.total} on {_date(first.date)}",
                f"{last.total} on {_date(last.date)}" if s.has_change else "-",
                f"{last.change:+d}" if s.has_change else "-",
                last.verdict_label if s.has_change else "Baseline only",
            ]
        )
    table = _table(rows, [48 * mm, 32 * mm, 32 * mm, 16 * mm, WIDTH - 128 * mm])
    out = [KeepTogether([heading, table])]
    return out


def _injury(report: ProgressReport) -> list:
    site = report.site
    intake = report.intake
    rows = [
        ["Injury site", site["label"] if site else "Not yet confirmed"],
        ["Risk class", report.risk_words],
        ["Painful area", report.region or "not recorded"],
    ]
    if intake:
        rows += [
            ["Intake", f"{_date(report.anchor)}: score {intake.score} ({report.band_words})"],
        ]
        if report.red_flags:
            rows.append(["Red flags at intake", "; ".join(report.red_flags)])
        if report.decision:
            rows.append(["Decision", report.decision.get_kind_display()])
    else:
        rows.append(["Intake", "No intake recorded in Rebound"])
    return [_p("Injury and intake", H2), _table(rows, [45 * mm, WIDTH - 45 * mm], header=False)]


def _plan(report: ProgressReport) -> list:
    out = [_p("Rehab plan and phases", H2)]
    if not report.phases:
        out.append(_p("No rehab plan phases are recorded in Rebound for this patient.", BODY))
        return out
    rows = [["Phase", "From", "To", "Why it changed"]]
    rows += [
        [span.label, _date(span.start), _date(span.end) if span.end else "now", span.reason]
        for span in report.phases
    ]
    out.append(_table(rows, [45 * mm, 28 * mm, 28 * mm, WIDTH - 101 * mm]))
    return out


def _charts(report: ProgressReport) -> list:
    data = report.chart.data
    if not report.chart.logged_days:
        return [_p("Pain and distance", H2), _p("Nothing logged yet.", BODY)]
    return [
        KeepTogether([_p("Pain at the injury site (0-10)", H2), pain_chart(data), _legend_pain()]),
        KeepTogether(
            [_p(f"Running per week ({report.chart.unit}, Monday to Sunday)", H2), weekly(data)]
        ),
    ]


def pain_chart(data: dict) -> Drawing:
    """Site pain and pain on waking per day; gaps where nothing was logged."""
    drawing = Drawing(WIDTH, 150)
    plot = LinePlot()
    plot.x, plot.y, plot.width, plot.height = 30, 22, WIDTH - 40, 115
    series, styles = [], []
    for name, colour in (("site_pain", BRAND), ("morning_pain", MORNING)):
        for segment in _segments(data[name]):
            series.append(segment)
            styles.append(colour)
    plot.data = series or [[(0, 0)]]
    for index, colour in enumerate(styles):
        plot.lines[index].strokeColor = colour
        plot.lines[index].strokeWidth = 1.5
        plot.lines[index].symbol = makeMarker("FilledCircle", size=2.2, fillColor=colour)
    plot.xValueAxis.valueMin, plot.xValueAxis.valueMax = 0, max(len(data["dates"]) - 1, 1)
    plot.xValueAxis.valueSteps = _ticks(len(data["dates"]))
    plot.xValueAxis.labelTextFormat = lambda i: _short(data["dates"][int(i)])
    plot.xValueAxis.labels.fontSize = 7
    plot.yValueAxis.valueMin, plot.yValueAxis.valueMax, plot.yValueAxis.valueStep = 0, 10, 2
    plot.yValueAxis.labels.fontSize = 7
    plot.yValueAxis.visibleGrid = True
    plot.yValueAxis.gridStrokeColor = GRID
    drawing.add(plot)
    return drawing


def _legend_pain() -> Drawing:
    drawing = Drawing(WIDTH, 14)
    legend = Legend()
    legend.x, legend.y = 30, 10
    legend.fontSize = 7.5
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.deltax = 110
    legend.colorNamePairs = [(BRAND, "Pain now (site)"), (MORNING, "Pain on waking")]
    drawing.add(legend)
    return drawing


def weekly(data: dict) -> Drawing:
    weeks = data["weeks"]
    drawing = Drawing(WIDTH, 120)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 30, 20, WIDTH - 40, 90
    chart.data = [[week["distance"] for week in weeks] or [0]]
    chart.bars[0].fillColor = BRAND
    chart.bars[0].strokeColor = None
    chart.categoryAxis.categoryNames = [_short(week["start"]) for week in weeks] or [""]
    chart.categoryAxis.labels.fontSize = 6.5 if len(weeks) > 16 else 7
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = GRID
    if len(weeks) > 16:
        step = len(weeks) // 12 + 1
        chart.categoryAxis.categoryNames = [
            name if n % step == 0 else "" for n, name in enumerate(chart.categoryAxis.categoryNames)
        ]
    drawing.add(chart)
    if not any(week["distance"] for week in weeks):
        drawing.add(String(WIDTH / 2, 60, "No running logged yet", fontSize=8, fillColor=MUTED))
    return drawing


def _segments(values: list) -> list[list[tuple[int, float]]]:
    segments, current = [], []
    for index, value in enumerate(values):
        if value is None:
            if current:
                segments.append(current)
            current = []
        else:
            current.append((index, value))
    if current:
        segments.append(current)
    return [s if len(s) > 1 else [s[0], (s[0][0] + 0.3, s[0][1])] for s in segments]


def _ticks(count: int) -> list[int]:
    step = max(count // 8, 1)
    return list(range(0, count, step))


MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def _short(iso: str) -> str:
    year, month, day = iso.split("-")
    return f"{int(day)} {MONTHS[int(month) - 1]}"


def _milestones_and_outcomes(report: ProgressReport) -> list:
    rows = [["Milestone", "Reached", "Day", "What counts"]]
    rows += [
        [m.label, _date(m.date), "" if m.day is None else str(m.day), m.explanation]
        for m in report.milestones
    ]
    outcome_rows = [["Measure", "At intake", "Now (last 7 days)"]]
    outcome_rows += [[o.measure, o.at_intake, o.now] for o in report.outcomes]
    return [
        KeepTogether(
            [_p("Milestones", H2), _table(rows, [38 * mm, 26 * mm, 14 * mm, WIDTH - 78 * mm])]
        ),
        KeepTogether(
            [
                _p("Outcome measures", H2),
                _table(outcome_rows, [60 * mm, (WIDTH - 60 * mm) / 2, (WIDTH - 60 * mm) / 2]),
            ]
        ),
    ]


def _adherence_and_alerts(report: ProgressReport) -> list:
    a = report.adherence
    adherence = (
        f"{a['logged']} of {a['expected']} days logged ({a['percent']}%) since {_date(a['since'])}."
        if a["percent"] is not None
        else "No logging expected yet."
    )
    out = [_p("Logging", H2), _p(adherence, BODY), _p("Alerts", H2)]
    if not report.alerts:
        out.append(_p("No alerts were raised.", BODY))
        return out
    rows = [["Alert", "Days", "Latest reason", "Status"]]
    rows += [
        [
            group.label + (f" ({group.occurrences} times)" if group.occurrences > 1 else ""),
            group.days,
            group.latest_reason,
            group.status.lower(),
        ]
        for group in report.alert_groups
    ]
    out.append(_table(rows, [38 * mm, 34 * mm, WIDTH - 100 * mm, 28 * mm]))
    return out
