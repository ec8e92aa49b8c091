"""Growth references for adolescents, through the maintained rcpchgrowth library (UK-WHO).

The Triad's low-weight row uses absolute BMI cut-offs that do not apply under 18 (reference §4);
adolescents are weighed as a percent of the median BMI for their age and sex instead. No table is
typed by hand here: the medians come from the library's UK-WHO reference.
"""

from functools import lru_cache

REFERENCE = "uk-who"
# Whole years of age: the median is read at the start and at the end of the year.
_END_OF_YEAR = 0.999


@lru_cache(maxsize=256)
def _median_percent(bmi: float, age: float, sex: str) -> float | None:
    from rcpchgrowth.global_functions import percentage_median_bmi

    try:
        percent = percentage_median_bmi(reference=REFERENCE, age=age, actual_bmi=bmi, sex=sex)
    except (LookupError, ValueError):
        return None
    return None if percent is None else round(percent, 1)


def percent_median_bmi(*, bmi: float, age_years: int, sex: str) -> float | None:
    """%mBMI for a whole-year age: the lower of the two ends of that year (conservative).

    Median BMI rises through adolescence, so the end of the year usually gives the lower
    percentage and so at least as many Triad points. None outside the reference's ages.
    """
    readings = [
        _median_percent(bmi, float(age), sex) for age in (age_years, age_years + _END_OF_YEAR)
    ]
    known = [reading for reading in readings if reading is not None]
    return min(known) if known else None
