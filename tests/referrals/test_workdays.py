import datetime as dt

import pytest

from referrals.workdays import add_working_days, is_working_day

LONDON = dt.UTC


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        ("2026-11-12T10:00", 5, "2026-11-19T10:00"),  # Thursday to Thursday
        ("2026-11-14T10:00", 1, "2026-11-17T10:00"),  # Saturday counts from Monday
        ("2026-12-23T09:00", 2, "2026-12-29T09:00"),  # over Christmas and Boxing Day (moved)
        ("2026-11-12T10:00", 0, "2026-11-12T10:00"),
    ],
)
def test_add_working_days_skips_weekends_and_bank_holidays(start, days, expected):
    start_at = dt.datetime.fromisoformat(start).replace(tzinfo=LONDON)
    assert add_working_days(start_at, days) == dt.datetime.fromisoformat(expected).replace(
        tzinfo=LONDON
    )


def test_bank_holiday_is_not_a_working_day():
    assert not is_working_day(dt.date(2026, 12, 28))
    assert is_working_day(dt.date(2026, 12, 29))
