"""Forms of outcome measures: answering one instrument, and the wording a clinic admin pastes.

Each item is a group of radio buttons whose values are the item's points. With the clinic's
wording the labels are its text; without it (the therapist entering a paper form) they are the
item's number and the points, so the scoring never depends on the wording being there.
"""

from django import forms

from clinic.submissions import SubmissionIdField
from rehab.measures import wording as wording_rules
from rehab.measures.instruments import Instrument
from rehab.measures.wording import Wording

REQUIRED = "Choose one answer."


class MeasureForm(forms.Form):
    submission = SubmissionIdField()

    def __init__(self, *args, instrument: Instrument, wording: Wording | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        self.wording = wording
        for number in range(1, instrument.items + 1):
            item = wording.items[number - 1] if wording else None
            self.fields[f"item_{number}"] = forms.TypedChoiceField(
                label=f"{number}. {item.text}" if item else f"Item {number}",
                choices=[
                    (points, item.answers[i] if item else str(points))
                    for i, points in enumerate(instrument.item_points)
                ],
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": REQUIRED, "invalid_choice": REQUIRED},
            )

    @property
    def items(self):
        return [self[f"item_{n}"] for n in range(1, self.instrument.items + 1)]

    def answers(self) -> list[int]:
        return [self.cleaned_data[f"item_{n}"] for n in range(1, self.instrument.items + 1)]


class WordingForm(forms.Form):
    permission = forms.CharField(
        label="Your licence or permission",
        max_length=300,
        help_text="What entitles the clinic to use this wording (kept with it, for audits).",
    )
    instructions = forms.CharField(
        label="Instructions to the runner",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    items = forms.CharField(
        label="Items", max_length=20000, widget=forms.Textarea(attrs={"rows": 12})
    )
    scale = forms.CharField(
        label="Answer scale",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args, instrument: Instrument, **kwargs):
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        low, high = min(instrument.item_points), max(instrument.item_points)
        if instrument.shared_scale:
            self.fields["items"].help_text = f"The {instrument.items} items, one a line, in order."
            self.fields["scale"].required = True
            self.fields["scale"].help_text = (
                f"The {instrument.options} answers every item shares, one a line, from the one "
                f"scoring {low} points to the one scoring {high}."
            )
        else:
            del self.fields["scale"]
            self.fields["items"].help_text = (
                f"The {instrument.items} items in order, a blank line between them. Each item: "
                f"its question on the first line, then its {instrument.options} answers, one a "
                f"line, from the one scoring {low} points to the one scoring {high}."
            )

    def clean(self):
        data = super().clean()
        if "items" not in data or (self.instrument.shared_scale and "scale" not in data):
            return data
        try:
            data["wording"] = wording_rules.parse(
                self.instrument,
                instructions=data.get("instructions", ""),
                items=data["items"],
                scale=data.get("scale", ""),
            )
        except wording_rules.WordingError as error:
            self.add_error(error.field, error.message)
        return data
