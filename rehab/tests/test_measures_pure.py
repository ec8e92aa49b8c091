"""The outcome-measure engine (rehab/measures, pure): scoring on published and worked examples,
the thresholds of bsi-reference.md §6, the schedule and the pasted wording. No database."""

import datetime as dt
import pkgutil
import subprocess
import sys

import pytest

import rehab.measures
from rehab.measures import schedule, wording
from rehab.measures.instruments import INSTRUMENTS, LEFS, UWRI
from rehab.measures.scoring import InvalidAnswers, Verdict, score, trajectory, verdict

D = dt.date


def test_instruments_match_the_reference_rows():
    assert (LEFS.items, LEFS.total_min, LEFS.total_max, LEFS.mcid, LEFS.mic) == (20, 0, 80, 9, None)
    assert (UWRI.items, UWRI.total_min, UWRI.total_max, UWRI.mcid, UWRI.mic) == (9, 0, 36, 8, 5)


def test_lefs_totals_its_items():
    # Binkley 1999: every item "no difficulty" (4) is 80, every item "extreme difficulty" (0) is 0.
    assert score(LEFS, [4] * 20).total == 80
    assert score(LEFS, [0] * 20).total == 0
    # A worked form: ten items at 4, six at 2, four at 1: 40 + 12 + 4.
    assert score(LEFS, [4] * 10 + [2] * 6 + [1] * 4).total == 56


def test_uwri_totals_its_items():
    assert score(UWRI, [4] * 9).total == 36
    assert score(UWRI, [0, 1, 2, 3, 4, 3, 2, 1, 0]).total == 16


@pytest.mark.parametrize(
    "answers, problem",
    [
        ([4] * 19, "has 20 items, not 19"),
        ([4] * 19 + [None], "Item 20 is not answered"),
        ([4] * 19 + [5], "Item 20: 5 is not one of the answers"),
        ([True] + [4] * 19, "Item 1: True is not one of the answers"),
    ],
)
def test_incomplete_or_impossible_answers_are_refused(answers, problem):
    with pytest.raises(InvalidAnswers) as refused:
        score(LEFS, answers)
    assert problem in str(refused.value)


def test_lefs_change_of_nine_is_meaningful_eight_is_not():
    assert verdict(LEFS, 9) == Verdict.IMPORTANT
    assert verdict(LEFS, 8) == Verdict.NONE  # LEFS has no smaller MIC
    assert verdict(LEFS, -9) == Verdict.DECLINE
    assert verdict(LEFS, -8) == Verdict.NONE


@pytest.mark.parametrize(
    "change, expected",
    # Nelson et al. 2020, mean change by global rating: significant improvement 12.2, slight
    # improvement 7.1, no change 0.0, worsening -14.6 (rounded to whole points).
    [(12, Verdict.IMPORTANT), (7, Verdict.MINIMAL), (0, Verdict.NONE), (-15, Verdict.DECLINE)],
)
def test_uwri_published_anchor_changes(change, expected):
    assert verdict(UWRI, change) == expected


def test_uwri_thresholds_at_their_edges():
    assert [verdict(UWRI, c) for c in (4, 5, 7, 8, -4, -5)] == [
        Verdict.NONE,
        Verdict.MINIMAL,
        Verdict.MINIMAL,
        Verdict.IMPORTANT,
        Verdict.NONE,
        Verdict.DECLINE,
    ]


def test_trajectory_measures_from_the_first_answer_whatever_the_order():
    points = trajectory(LEFS, [(D(2026, 3, 1), 50), (D(2026, 1, 1), 38), (D(2026, 2, 1), 44)])
    assert [(p.date.month, p.total, p.change, p.verdict) for p in points] == [
        (1, 38, None, Verdict.BASELINE),
        (2, 44, 6, Verdict.NONE),
        (3, 50, 12, Verdict.IMPORTANT),
    ]
    assert points[2].meaningful and not points[1].meaningful
    assert trajectory(LEFS, []) == []


START = D(2026, 1, 5)


def facts(today, **kw):
    return schedule.CareFacts(today=today, care_start=START, **kw)


def test_baseline_is_due_until_answered():
    o = schedule.occasion(facts(START), "lefs")
    assert (o.key, o.kind) == ("baseline", "baseline")
    answered = {"lefs": (START,)}
    assert schedule.occasion(facts(START, answered=answered), "lefs") is None
    assert schedule.occasion(facts(START, answered=answered), "uwri").kind == "baseline"


def test_an_answer_from_an_earlier_episode_is_no_baseline():
    earlier = {"lefs": (START - dt.timedelta(days=200),)}
    assert schedule.occasion(facts(START, answered=earlier), "lefs").kind == "baseline"


def test_every_four_weeks_of_an_active_plan():
    plan = START + dt.timedelta(days=3)
    answered = {"lefs": (START,)}
    assert (
        schedule.occasion(
            facts(plan + dt.timedelta(days=27), plan_start=plan, answered=answered), "lefs"
        )
        is None
    )
    due = schedule.occasion(
        facts(plan + dt.timedelta(days=28), plan_start=plan, answered=answered), "lefs"
    )
    assert due.kind == "plan" and due.key == f"week-4-{plan.isoformat()}"
    assert due.since == plan + dt.timedelta(days=28)
    # An answer a week before the day counts for it; eight days before does not.
    early = {"lefs": (START, plan + dt.timedelta(days=21))}
    assert (
        schedule.occasion(
            facts(plan + dt.timedelta(days=30), plan_start=plan, answered=early), "lefs"
        )
        is None
    )
    too_early = {"lefs": (START, plan + dt.timedelta(days=20))}
    assert schedule.occasion(
        facts(plan + dt.timedelta(days=30), plan_start=plan, answered=too_early), "lefs"
    )
    # Week 8 replaces a missed week 4: only the latest occasion is asked for.
    late = schedule.occasion(
        facts(plan + dt.timedelta(days=60), plan_start=plan, answered=answered), "lefs"
    )
    assert late.key == f"week-8-{plan.isoformat()}"


def test_discharge_is_due_for_four_weeks():
    answered = {"lefs": (START,)}
    out = START + dt.timedelta(days=40)
    due = schedule.occasion(facts(out, discharged_on=out, answered=answered), "lefs")
    assert due.kind == "discharge" and due.key == f"discharge-{out.isoformat()}"
    later = out + dt.timedelta(days=29)
    assert schedule.occasion(facts(later, discharged_on=out, answered=answered), "lefs") is None
    done = {"lefs": (START, out)}
    assert schedule.occasion(facts(out, discharged_on=out, answered=done), "lefs") is None
    assert set(
        schedule.due(facts(out, discharged_on=out, answered=answered), ["lefs", "uwri"])
    ) == {"lefs", "uwri"}


LEFS_ITEMS = "\n".join(f"Activity {n}" for n in range(1, 21))
LEFS_SCALE = "Unable\nQuite a bit\nModerate\nA little\nNone"


def test_lefs_wording_is_one_item_a_line_and_one_scale():
    parsed = wording.parse(LEFS, instructions=" Today… ", items=LEFS_ITEMS, scale=LEFS_SCALE)
    assert parsed.instructions == "Today…"
    assert len(parsed.items) == 20 and parsed.items[19].text == "Activity 20"
    assert parsed.items[0].answers == ("Unable", "Quite a bit", "Moderate", "A little", "None")
    assert wording.Wording.from_json(parsed.as_json()) == parsed


@pytest.mark.parametrize(
    "items, scale, field, message",
    [
        (
            "\n".join(f"A{n}" for n in range(19)),
            LEFS_SCALE,
            "items",
            "has 20 items; this text has 19",
        ),
        (LEFS_ITEMS, "Unable\nNone", "scale", "Paste the 5 answers"),
        (
            LEFS_ITEMS.replace("Activity 3", "x" * 501),
            LEFS_SCALE,
            "items",
            "Item 3 has a line over",
        ),
    ],
)
def test_lefs_wording_refused_with_what_to_fix(items, scale, field, message):
    with pytest.raises(wording.WordingError) as refused:
        wording.parse(LEFS, instructions="", items=items, scale=scale)
    assert refused.value.field == field and message in refused.value.message


def uwri_text(count=9, answers=5):
    return "\n\n".join(
        "\n".join([f"Question {n}", *(f"Answer {n}.{a}" for a in range(answers))])
        for n in range(1, count + 1)
    )


def test_uwri_wording_is_blocks_of_a_question_and_its_answers():
    parsed = wording.parse(UWRI, instructions="", items=uwri_text())
    assert len(parsed.items) == 9
    assert parsed.items[8].text == "Question 9"
    assert parsed.items[8].answers[4] == "Answer 9.4"


def test_uwri_wording_refuses_a_missing_item_or_answer():
    with pytest.raises(wording.WordingError, match="has 9 items; this text has 8"):
        wording.parse(UWRI, instructions="", items=uwri_text(count=8))
    with pytest.raises(wording.WordingError, match="Item 1 has 4 answers"):
        wording.parse(UWRI, instructions="", items=uwri_text(answers=4))


def test_the_pure_modules_import_without_django():
    names = sorted(m.name for m in pkgutil.iter_modules(rehab.measures.__path__))
    pure = [n for n in ("instruments", "scoring", "schedule", "wording") if n in names]
    assert len(pure) == 4
    code = (
        "import sys\n"
        + "".join(f"import rehab.measures.{name}\n" for name in pure)
        + "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'django', 'clinic', 'intake', 'notifications', 'reports'})\n"
        "print(','.join(bad))\n"
    )
    done = subprocess.run(  # noqa: S603 - our own interpreter on a fixed script
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == ""
    assert set(INSTRUMENTS) == {"lefs", "uwri"}
