"""Behaviour of activities.recurrence: the one place schedules become dates."""

from datetime import date, datetime, time, timedelta

import pytest

from activities.recurrence import (
    LONDON,
    Frequency,
    Occurrence,
    Rule,
    RuleError,
    describe_rule,
    meets_on,
    monthly_week,
    next_occurrence,
    occurrences,
    series_end,
    share_a_date,
    validate_rule,
)

# Calendar facts used below (2026): 3 March is a Tuesday, 4 March a Wednesday,
# 6 March a Friday, 29 May the fifth Friday of May. Clocks go forward on 29 March
# and back on 25 October.
TUESDAY = date(2026, 3, 3)
WEDNESDAY = date(2026, 3, 4)


def weekly(first_date: date = TUESDAY, **kwargs) -> Rule:
    return Rule(Frequency.WEEKLY, first_date, time(10, 0), time(12, 0), **kwargs)


def first(rule: Rule, n: int) -> list[date]:
    """The first n session dates, through the public `occurrences` over a long enough window."""
    window = occurrences(
        rule, start=rule.first_date, end=rule.first_date + timedelta(days=31 * n + 31)
    )
    return [o.date for o in window][:n]


def every_date(rule: Rule) -> list[date]:
    """Every session date of a series that ends, through the public `occurrences`."""
    end = rule.first_date + timedelta(days=366 * 20)
    return [o.date for o in occurrences(rule, start=rule.first_date - timedelta(days=1), end=end)]


def walk(rule: Rule, n: int | None = None) -> list[date]:
    """Session dates found by checking each calendar day in turn, until `n` are found or the
    series' own limits (sessions, last date, a single date) stop it: an oracle that shares
    nothing with recurrence's index arithmetic. Give `n` for an open-ended series."""
    week, day, found = monthly_week(rule.first_date), rule.first_date, []
    while n is None or len(found) < n:
        if rule.last_date is not None and day > rule.last_date:
            break
        if rule.sessions is not None and len(found) == rule.sessions:
            break
        if rule.frequency == Frequency.ONCE and found:
            break
        if day.weekday() == rule.first_date.weekday():
            if rule.frequency == Frequency.FORTNIGHTLY:
                hit = (day - rule.first_date).days % 14 == 0
            elif rule.frequency == Frequency.MONTHLY:
                last = (day + timedelta(days=7)).month != day.month
                hit = last if week == -1 else (day.day - 1) // 7 + 1 == week
            else:
                hit = True
            if hit:
                found.append(day)
        day += timedelta(days=1)
    return found


# --------------------------------------------------------------------------- Rule


def test_rule_frequency_plain_string_is_normalised():
    # Arrange / Act
    rule = Rule(" Weekly ", TUESDAY, time(10, 0), time(12, 0))

    # Assert
    assert rule.frequency is Frequency.WEEKLY


def test_rule_unknown_frequency_raises_rule_error():
    # Act / Assert
    with pytest.raises(RuleError) as excinfo:
        Rule("yearly", TUESDAY, time(10, 0), time(12, 0))
    assert str(excinfo.value) == (
        "“yearly” is not a frequency we recognise: use once, weekly, fortnightly or monthly."
    )


# --------------------------------------------------------------------------- a series's dates


def test_series_weekly_every_seven_days():
    # Arrange
    rule = weekly()

    # Act
    dates = first(rule, 5)

    # Assert
    assert dates == [
        date(2026, 3, 3),
        date(2026, 3, 10),
        date(2026, 3, 17),
        date(2026, 3, 24),
        date(2026, 3, 31),
    ]


def test_series_fortnightly_alternate_weeks_from_first_date():
    # Arrange
    rule = Rule("fortnightly", WEDNESDAY, time(18, 0), time(19, 30))

    # Act
    dates = first(rule, 4)

    # Assert
    assert dates == [
        date(2026, 3, 4),
        date(2026, 3, 18),
        date(2026, 4, 1),
        date(2026, 4, 15),
    ]


def test_series_monthly_first_wednesday():
    # Arrange
    rule = Rule("monthly", WEDNESDAY, time(10, 0), time(11, 0))

    # Act
    dates = first(rule, 4)

    # Assert
    assert dates == [
        date(2026, 3, 4),
        date(2026, 4, 1),
        date(2026, 5, 6),
        date(2026, 6, 3),
    ]


def test_series_monthly_fifth_friday_means_last_friday():
    # Arrange: 29 May 2026 is the fifth Friday; June has four Fridays, July five.
    rule = Rule("monthly", date(2026, 5, 29), time(13, 0), time(15, 0))

    # Act
    dates = first(rule, 4)

    # Assert
    assert dates == [
        date(2026, 5, 29),
        date(2026, 6, 26),
        date(2026, 7, 31),
        date(2026, 8, 28),
    ]


def test_series_monthly_last_weekday_across_february():
    # Arrange: 30 January 2026 is the fifth Friday.
    rule = Rule("monthly", date(2026, 1, 30), time(13, 0), time(15, 0))

    # Act
    dates = first(rule, 3)

    # Assert
    assert dates == [date(2026, 1, 30), date(2026, 2, 27), date(2026, 3, 27)]


def test_series_monthly_fourth_that_is_last_stays_fourth():
    # Arrange: 25 February 2026 is the fourth and last Wednesday; April has five.
    rule = Rule("monthly", date(2026, 2, 25), time(10, 0), time(11, 0))

    # Act
    dates = first(rule, 3)

    # Assert
    assert dates == [date(2026, 2, 25), date(2026, 3, 25), date(2026, 4, 22)]


def test_series_once_yields_only_first_date():
    # Arrange
    rule = Rule("once", date(2026, 3, 14), time(10, 0), time(16, 0))

    # Act
    dates = every_date(rule)

    # Assert
    assert dates == [date(2026, 3, 14)]


def test_series_six_session_course_yields_six_dates():
    # Arrange
    rule = weekly(sessions=6)

    # Act
    dates = every_date(rule)

    # Assert
    assert dates == [
        date(2026, 3, 3),
        date(2026, 3, 10),
        date(2026, 3, 17),
        date(2026, 3, 24),
        date(2026, 3, 31),
        date(2026, 4, 7),
    ]


def test_series_last_date_is_inclusive():
    # Arrange
    rule = weekly(last_date=date(2026, 3, 24))

    # Act
    dates = every_date(rule)

    # Assert
    assert dates == [date(2026, 3, 3), date(2026, 3, 10), date(2026, 3, 17), date(2026, 3, 24)]


def test_series_last_date_between_sessions_stops_before_it():
    # Arrange
    rule = weekly(last_date=date(2026, 3, 23))

    # Act
    dates = every_date(rule)

    # Assert
    assert dates == [date(2026, 3, 3), date(2026, 3, 10), date(2026, 3, 17)]


def test_series_sessions_before_last_date_stops_at_sessions():
    # Arrange
    rule = weekly(sessions=3, last_date=date(2026, 3, 31))

    # Act
    dates = every_date(rule)

    # Assert
    assert dates == [date(2026, 3, 3), date(2026, 3, 10), date(2026, 3, 17)]


def test_series_last_date_before_sessions_stops_at_last_date():
    # Arrange
    rule = weekly(sessions=10, last_date=date(2026, 3, 10))

    # Act
    dates = every_date(rule)

    # Assert
    assert dates == [date(2026, 3, 3), date(2026, 3, 10)]


# --------------------------------------------------------------------------- series_end

START_DATES = [
    date(2026, 1, 1),
    date(2026, 1, 29),  # fifth Thursday
    date(2026, 1, 31),  # fifth Saturday, month end
    date(2026, 2, 28),  # fourth and last Saturday
    date(2027, 12, 27),  # crosses a year end
    date(2028, 2, 29),  # leap day, fifth Tuesday
]
FINITE_LIMITS = [
    {"sessions": 1},
    {"sessions": 6},
    {"sessions": 13},
    {"last_date_days": 0},
    {"last_date_days": 45},
    {"last_date_days": 400},
    {"sessions": 4, "last_date_days": 100},
    {"sessions": 20, "last_date_days": 100},
]


@pytest.mark.parametrize("frequency", list(Frequency))
@pytest.mark.parametrize("first_date", START_DATES)
@pytest.mark.parametrize("limits", FINITE_LIMITS)
def test_series_end_finite_rule_equals_last_generated_date(frequency, first_date, limits):
    # Arrange
    last_date_days = limits.get("last_date_days")
    rule = Rule(
        frequency,
        first_date,
        time(10, 0),
        time(11, 0),
        sessions=limits.get("sessions"),
        last_date=None if last_date_days is None else first_date + timedelta(days=last_date_days),
    )

    # Act
    end = series_end(rule)

    # Assert
    assert end == walk(rule)[-1]


@pytest.mark.parametrize("frequency", ["weekly", "fortnightly", "monthly"])
def test_series_end_open_ended_is_none(frequency):
    # Arrange
    rule = Rule(frequency, TUESDAY, time(10, 0), time(11, 0))

    # Act / Assert
    assert series_end(rule) is None


def test_series_end_once_is_first_date():
    # Arrange
    rule = Rule("once", date(2026, 3, 14), time(10, 0), time(16, 0))

    # Act / Assert
    assert series_end(rule) == date(2026, 3, 14)


@pytest.mark.parametrize(
    ("frequency", "expected"),
    [
        ("weekly", date(2026, 4, 7)),
        ("fortnightly", date(2026, 5, 12)),
        ("monthly", date(2026, 8, 4)),  # first Tuesday of each month
    ],
)
def test_series_end_six_sessions_per_frequency(frequency, expected):
    # Arrange
    rule = Rule(frequency, TUESDAY, time(10, 0), time(12, 0), sessions=6)

    # Act / Assert
    assert series_end(rule) == expected


def test_series_end_huge_course_computed_without_iterating():
    # Arrange: walking 100,000 sessions would be noticeably slow.
    rule = weekly(sessions=100_000)

    # Act
    end = series_end(rule)

    # Assert
    assert end == TUESDAY + timedelta(weeks=99_999)


def test_series_end_no_sessions_at_all_is_before_first_date():
    # Arrange: validate_rule rejects this, but pages must not crash on it.
    rule = weekly(last_date=date(2026, 3, 1))

    # Act
    end = series_end(rule)

    # Assert
    assert end == date(2026, 3, 2)
    assert every_date(rule) == []


# --------------------------------------------------------------------------- occurrences


def test_occurrences_cancelled_course_session_still_counts():
    # Arrange
    rule = weekly(sessions=6)
    cancellations = {date(2026, 3, 17): "Facilitator ill"}

    # Act
    result = occurrences(
        rule, start=date(2026, 1, 1), end=date(2026, 12, 31), cancellations=cancellations
    )

    # Assert
    assert [(o.date, o.number) for o in result] == [
        (date(2026, 3, 3), 1),
        (date(2026, 3, 10), 2),
        (date(2026, 3, 24), 4),
        (date(2026, 3, 31), 5),
        (date(2026, 4, 7), 6),
    ]


def test_occurrences_include_cancelled_shows_reason_and_number():
    # Arrange
    rule = weekly(sessions=6)
    cancellations = {date(2026, 3, 17): "Facilitator ill"}

    # Act
    result = occurrences(
        rule,
        start=date(2026, 1, 1),
        end=date(2026, 12, 31),
        cancellations=cancellations,
        include_cancelled=True,
    )

    # Assert
    assert len(result) == 6
    assert result[2] == Occurrence(
        date=date(2026, 3, 17),
        start=datetime(2026, 3, 17, 10, 0, tzinfo=LONDON),
        end=datetime(2026, 3, 17, 12, 0, tzinfo=LONDON),
        number=3,
        cancelled=True,
        reason="Facilitator ill",
    )
    assert [o.cancelled for o in result] == [False, False, True, False, False, False]


def test_occurrences_cancellation_on_non_session_date_is_ignored():
    # Arrange: 4 March is a Wednesday, the group meets on Tuesdays.
    rule = weekly()

    # Act
    result = occurrences(
        rule,
        start=date(2026, 3, 1),
        end=date(2026, 3, 14),
        cancellations={date(2026, 3, 4): "Hall booked"},
        include_cancelled=True,
    )

    # Assert
    assert [(o.date, o.cancelled) for o in result] == [
        (date(2026, 3, 3), False),
        (date(2026, 3, 10), False),
    ]


def test_occurrences_window_bounds_are_inclusive():
    # Arrange
    rule = weekly()

    # Act
    result = occurrences(rule, start=date(2026, 3, 10), end=date(2026, 3, 24))

    # Assert
    assert [(o.date, o.number) for o in result] == [
        (date(2026, 3, 10), 2),
        (date(2026, 3, 17), 3),
        (date(2026, 3, 24), 4),
    ]


def test_occurrences_window_before_first_date_is_empty():
    # Arrange
    rule = weekly()

    # Act
    result = occurrences(rule, start=date(2026, 1, 1), end=date(2026, 3, 2))

    # Assert
    assert result == []


def test_occurrences_end_before_start_is_empty():
    # Arrange
    rule = weekly()

    # Act
    result = occurrences(rule, start=date(2026, 3, 20), end=date(2026, 3, 10))

    # Assert
    assert result == []


def test_occurrences_once_outside_window_is_empty():
    # Arrange
    rule = Rule("once", date(2026, 3, 14), time(10, 0), time(16, 0))

    # Act
    result = occurrences(rule, start=date(2026, 3, 15), end=date(2026, 12, 31))

    # Assert
    assert result == []


def test_occurrences_wall_clock_time_kept_across_clock_changes():
    # Arrange: Thursdays 10:30 to 12:00; clocks change on 29 March and 25 October 2026.
    rule = Rule("weekly", date(2026, 3, 26), time(10, 30), time(12, 0))

    # Act
    result = occurrences(rule, start=date(2026, 3, 26), end=date(2026, 10, 29))
    around_changes = [result[0], result[1], result[-2], result[-1]]

    # Assert
    assert [o.date for o in around_changes] == [
        date(2026, 3, 26),
        date(2026, 4, 2),
        date(2026, 10, 22),
        date(2026, 10, 29),
    ]
    assert {(o.start.hour, o.start.minute) for o in result} == {(10, 30)}
    assert [o.start.utcoffset() for o in around_changes] == [
        timedelta(0),
        timedelta(hours=1),
        timedelta(hours=1),
        timedelta(0),
    ]
    assert {o.end - o.start for o in result} == {timedelta(minutes=90)}


def test_occurrences_far_future_weekly_has_true_number():
    # Arrange: 1 January 2030 is exactly 200 weeks after 3 March 2026.
    rule = weekly()

    # Act
    result = occurrences(rule, start=date(2030, 1, 1), end=date(2030, 1, 14))

    # Assert
    assert [(o.date, o.number) for o in result] == [
        (date(2030, 1, 1), 201),
        (date(2030, 1, 8), 202),
    ]


def test_occurrences_far_future_fortnightly_has_true_number():
    # Arrange: 2 January 2030 is exactly 100 fortnights after 4 March 2026.
    rule = Rule("fortnightly", WEDNESDAY, time(18, 0), time(19, 30))

    # Act
    result = occurrences(rule, start=date(2030, 1, 1), end=date(2030, 1, 31))

    # Assert
    assert [(o.date, o.number) for o in result] == [
        (date(2030, 1, 2), 101),
        (date(2030, 1, 16), 102),
        (date(2030, 1, 30), 103),
    ]


def test_occurrences_far_future_monthly_has_true_number():
    # Arrange: last Friday; January 2030 is 44 months after May 2026.
    rule = Rule("monthly", date(2026, 5, 29), time(13, 0), time(15, 0))

    # Act
    result = occurrences(rule, start=date(2030, 1, 1), end=date(2030, 2, 28))

    # Assert
    assert [(o.date, o.number) for o in result] == [
        (date(2030, 1, 25), 45),
        (date(2030, 2, 22), 46),
    ]


def test_occurrences_far_future_matches_walking_the_series():
    # Arrange
    rule = Rule("monthly", date(2026, 3, 18), time(13, 0), time(15, 0))  # third Wednesday
    walked = [
        (number, day)
        for number, day in enumerate(walk(rule, 80), start=1)
        if date(2030, 1, 1) <= day <= date(2031, 12, 31)
    ]

    # Act
    result = occurrences(rule, start=date(2030, 1, 1), end=date(2031, 12, 31))

    # Assert
    assert [(o.number, o.date) for o in result] == walked
    assert len(result) == 24


def test_occurrences_far_future_course_already_finished_is_empty():
    # Arrange
    rule = weekly(sessions=6)

    # Act
    result = occurrences(rule, start=date(2030, 1, 1), end=date(2030, 12, 31))

    # Assert
    assert result == []


# --------------------------------------------------------------------------- next_occurrence


def test_next_occurrence_on_session_date_returns_that_date():
    # Arrange
    rule = weekly()

    # Act
    result = next_occurrence(rule, after=date(2026, 3, 10))

    # Assert
    assert (result.date, result.number) == (date(2026, 3, 10), 2)


def test_next_occurrence_before_first_date_returns_first_session():
    # Arrange
    rule = weekly()

    # Act
    result = next_occurrence(rule, after=date(2025, 12, 1))

    # Assert
    assert (result.date, result.number) == (date(2026, 3, 3), 1)


def test_next_occurrence_skips_cancelled_dates():
    # Arrange
    rule = weekly()
    cancellations = {date(2026, 3, 17): "Half term", date(2026, 3, 24): "Half term"}

    # Act
    result = next_occurrence(rule, after=date(2026, 3, 11), cancellations=cancellations)

    # Assert
    assert result == Occurrence(
        date=date(2026, 3, 31),
        start=datetime(2026, 3, 31, 10, 0, tzinfo=LONDON),
        end=datetime(2026, 3, 31, 12, 0, tzinfo=LONDON),
        number=5,
    )


def test_next_occurrence_after_course_end_is_none():
    # Arrange
    rule = weekly(sessions=6)

    # Act
    result = next_occurrence(rule, after=date(2026, 4, 8))

    # Assert
    assert result is None


def test_next_occurrence_last_session_cancelled_is_none():
    # Arrange
    rule = weekly(sessions=6)

    # Act
    result = next_occurrence(
        rule, after=date(2026, 4, 1), cancellations={date(2026, 4, 7): "Venue closed"}
    )

    # Assert
    assert result is None


def test_next_occurrence_everything_cancelled_terminates_with_none():
    # Arrange: an open-ended group with every session cancelled for ten years.
    rule = weekly()
    cancellations = {day: "Paused" for day in first(rule, 52 * 10)}

    # Act
    result = next_occurrence(rule, after=TUESDAY, cancellations=cancellations)

    # Assert
    assert result is None


def test_next_occurrence_long_cancellation_run_finds_first_session_after_it():
    # Arrange: every session cancelled for a year.
    rule = weekly()
    cancellations = {day: "Paused" for day in first(rule, 52)}

    # Act
    result = next_occurrence(rule, after=TUESDAY, cancellations=cancellations)

    # Assert
    assert (result.date, result.number) == (date(2027, 3, 2), 53)


# --------------------------------------------------------------------------- validate_rule


def test_validate_rule_sound_rule_passes():
    # Arrange
    rule = weekly(sessions=6, last_date=date(2026, 7, 31))

    # Act / Assert
    assert validate_rule(rule) is None


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (
            Rule("weekly", TUESDAY, time(11, 0), time(10, 0)),
            "The end time (10:00) must be after the start time (11:00).",
        ),
        (
            Rule("weekly", TUESDAY, time(11, 0), time(11, 0)),
            "The end time (11:00) must be after the start time (11:00).",
        ),
        (
            Rule("weekly", TUESDAY, time(10, 0), time(12, 0), sessions=0),
            "The number of sessions must be at least 1, not 0.",
        ),
        (
            Rule("weekly", TUESDAY, time(10, 0), time(12, 0), last_date=date(2026, 3, 1)),
            "The last date (1 March 2026) must not be before the first date (3 March 2026).",
        ),
        (
            Rule("weekly", date(2026, 3, 29), time(1, 30), time(3, 0)),
            "The start time (01:30) does not exist on Sunday 29 March 2026, because the clocks "
            "go forward from 01:00 to 02:00 that night: choose a time outside that hour.",
        ),
        (
            Rule("once", date(2026, 3, 29), time(0, 30), time(1, 15)),
            "The end time (01:15) does not exist on Sunday 29 March 2026, because the clocks "
            "go forward from 01:00 to 02:00 that night: choose a time outside that hour.",
        ),
        (
            Rule("once", date(2026, 3, 14), time(10, 0), time(16, 0), sessions=3),
            "A one-off session cannot have 3 sessions: "
            "choose weekly, fortnightly or monthly for a course.",
        ),
    ],
    ids=[
        "end-before-start",
        "end-equals-start",
        "no-sessions",
        "last-before-first",
        "start-in-spring-gap",
        "end-in-spring-gap",
        "once-with-sessions",
    ],
)
def test_validate_rule_invalid_rule_raises_plain_english(rule, message):
    # Act / Assert
    with pytest.raises(RuleError) as excinfo:
        validate_rule(rule)
    assert str(excinfo.value) == message


def test_validate_rule_0130_on_ordinary_sunday_passes():
    # Arrange: 22 March 2026 is the Sunday before the clocks change.
    rule = Rule("once", date(2026, 3, 22), time(1, 30), time(3, 0))

    # Act / Assert
    assert validate_rule(rule) is None


def test_validate_rule_once_with_one_session_passes():
    # Arrange
    rule = Rule("once", date(2026, 3, 14), time(10, 0), time(16, 0), sessions=1)

    # Act / Assert
    assert validate_rule(rule) is None


def test_rule_error_is_a_value_error():
    # Assert: form and import code catch ValueError.
    assert issubclass(RuleError, ValueError)


# --------------------------------------------------------------------------- monthly_week


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 3, 1), 1),
        (date(2026, 3, 7), 1),
        (date(2026, 3, 8), 2),
        (date(2026, 3, 14), 2),
        (date(2026, 3, 15), 3),
        (date(2026, 3, 22), 4),
        (date(2026, 3, 28), 4),
        (date(2026, 3, 29), -1),
        (date(2026, 3, 31), -1),
        (date(2026, 2, 25), 4),  # fourth Wednesday and also the last
        (date(2028, 2, 29), -1),  # leap day is a fifth Tuesday
    ],
)
def test_monthly_week_day_of_month_gives_week(day, expected):
    # Act / Assert
    assert monthly_week(day) == expected


# --------------------------------------------------------------------------- describe_rule


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (
            Rule("weekly", TUESDAY, time(10, 0), time(12, 0)),
            "Every Tuesday, 10:00 to 12:00",
        ),
        (
            Rule("fortnightly", WEDNESDAY, time(18, 0), time(19, 30)),
            "Every other Wednesday, 18:00 to 19:30",
        ),
        (
            Rule("monthly", date(2026, 3, 6), time(13, 0), time(15, 0)),
            "First Friday of the month, 13:00 to 15:00",
        ),
        (
            Rule("monthly", date(2026, 3, 10), time(9, 5), time(9, 50)),
            "Second Tuesday of the month, 09:05 to 09:50",
        ),
        (
            Rule("monthly", date(2026, 3, 19), time(13, 0), time(15, 0)),
            "Third Thursday of the month, 13:00 to 15:00",
        ),
        (
            Rule("monthly", date(2026, 2, 25), time(13, 0), time(15, 0)),
            "Fourth Wednesday of the month, 13:00 to 15:00",
        ),
        (
            Rule("monthly", date(2026, 3, 30), time(14, 0), time(15, 30)),
            "Last Monday of the month, 14:00 to 15:30",
        ),
        (
            Rule("once", date(2026, 3, 14), time(10, 0), time(16, 0)),
            "Once, on Saturday 14 March 2026, 10:00 to 16:00",
        ),
        (
            Rule("weekly", TUESDAY, time(10, 0), time(12, 0), sessions=6),
            "Every Tuesday, 10:00 to 12:00, 6 weeks from Tue 3 March 2026",
        ),
        (
            Rule("weekly", TUESDAY, time(10, 0), time(12, 0), sessions=1),
            "Every Tuesday, 10:00 to 12:00, 1 session from Tue 3 March 2026",
        ),
        (
            Rule("weekly", TUESDAY, time(10, 0), time(12, 0), last_date=date(2026, 7, 31)),
            "Every Tuesday, 10:00 to 12:00, from Tue 3 March 2026 until 31 July 2026",
        ),
        (
            Rule(
                "weekly",
                TUESDAY,
                time(10, 0),
                time(12, 0),
                sessions=6,
                last_date=date(2026, 7, 31),
            ),
            "Every Tuesday, 10:00 to 12:00, 6 weeks from Tue 3 March 2026",
        ),
    ],
    ids=[
        "weekly",
        "fortnightly",
        "monthly-first",
        "monthly-second",
        "monthly-third",
        "monthly-fourth",
        "monthly-last",
        "once",
        "course",
        "course-one-session",
        "until",
        "course-and-until",
    ],
)
def test_describe_rule_gives_plain_english(rule, expected):
    # Act / Assert
    assert describe_rule(rule) == expected


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (
            Rule("weekly", date(2027, 1, 5), time(10, 0), time(12, 0), sessions=6),
            "Every Tuesday, 10:00 to 12:00, 6 weeks from Tue 5 January",
        ),
        (
            Rule("fortnightly", date(2027, 2, 23), time(10, 0), time(12, 0), sessions=6),
            "Every other Tuesday, 10:00 to 12:00, 6 sessions from Tue 23 February",
        ),
        (
            Rule("weekly", date(2027, 2, 23), time(10, 0), time(12, 0)),
            "Every Tuesday, 10:00 to 12:00, from Tue 23 February",
        ),
        (
            Rule("weekly", date(2026, 2, 23), time(10, 0), time(12, 0)),
            "Every Monday, 10:00 to 12:00",
        ),
        (
            Rule("weekly", date(2028, 1, 4), time(10, 0), time(12, 0), sessions=6),
            "Every Tuesday, 10:00 to 12:00, 6 weeks from Tue 4 January 2028",
        ),
    ],
    ids=["course", "fortnightly-course", "not-started", "started", "next-year"],
)
def test_describe_rule_with_today_tells_cohorts_apart_by_their_start(rule, expected):
    # Act / Assert
    assert describe_rule(rule, today=date(2027, 1, 1)) == expected


# --------------------------------------------------------------------------- comparing series

# A spread of series on Tuesdays (plus one Wednesday) for checking the comparisons against the
# day-by-day walk: every frequency, courses, last dates, and a monthly one on a fifth Tuesday.
SERIES = {
    "weekly": weekly(),
    "weekly-6": weekly(sessions=6),
    "weekly-later-4": weekly(TUESDAY + timedelta(weeks=6), sessions=4),
    "weekly-one-session": weekly(date(2026, 3, 10), sessions=1),
    "weekly-until": weekly(last_date=date(2026, 4, 20)),
    "fortnightly": Rule("fortnightly", TUESDAY, time(10, 0), time(12, 0)),
    "fortnightly-other-week": Rule("fortnightly", date(2026, 3, 10), time(10, 0), time(12, 0)),
    "fortnightly-4": Rule("fortnightly", date(2026, 3, 17), time(10, 0), time(12, 0), sessions=4),
    "monthly-first": Rule("monthly", TUESDAY, time(10, 0), time(12, 0)),
    "monthly-second": Rule("monthly", date(2026, 3, 10), time(10, 0), time(12, 0)),
    "monthly-fourth": Rule("monthly", date(2026, 3, 24), time(10, 0), time(12, 0), sessions=8),
    "monthly-last": Rule("monthly", date(2026, 3, 31), time(10, 0), time(12, 0)),
    "once": Rule("once", date(2026, 4, 14), time(10, 0), time(12, 0)),
    "once-fifth": Rule("once", date(2026, 6, 30), time(10, 0), time(12, 0)),
    "once-wednesday": Rule("once", WEDNESDAY, time(10, 0), time(12, 0)),
}
# Two years of each series' dates, found by the walk (which shares no code with recurrence).
WALKED = {
    name: {d for d in walk(rule, 110) if d <= TUESDAY + timedelta(days=730)}
    for name, rule in SERIES.items()
}


@pytest.mark.parametrize("name", SERIES)
def test_meets_on_agrees_with_a_day_by_day_walk(name):
    # Arrange
    rule = SERIES[name]
    days = [TUESDAY - timedelta(days=7) + timedelta(days=n) for n in range(700)]

    # Act
    met = {day for day in days if meets_on(rule, day)}

    # Assert
    assert met == {day for day in WALKED[name] if day in days}


def test_meets_on_last_weekday_of_a_month_with_four():
    # Arrange: the first session is on the fifth Tuesday of March 2026; April has four.
    rule = SERIES["monthly-last"]

    # Act / Assert
    assert (meets_on(rule, date(2026, 4, 28)), meets_on(rule, date(2026, 4, 21))) == (True, False)


def test_meets_on_counts_a_cancelled_date_and_not_one_past_the_last():
    # Arrange
    rule = weekly(sessions=2)

    # Act / Assert
    assert [meets_on(rule, TUESDAY + timedelta(weeks=n)) for n in range(3)] == [True, True, False]


@pytest.mark.parametrize("second", SERIES)
@pytest.mark.parametrize("first", SERIES)
def test_share_a_date_agrees_with_the_walked_dates(first, second):
    # Act
    shared = share_a_date(SERIES[first], SERIES[second])

    # Assert
    assert shared == bool(WALKED[first] & WALKED[second])


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ("fortnightly", "fortnightly-other-week", False),
        ("fortnightly", "fortnightly-4", True),
        ("monthly-first", "monthly-second", False),
        ("monthly-fourth", "monthly-last", True),
        ("weekly-one-session", "fortnightly", False),
        ("weekly-one-session", "fortnightly-other-week", True),
        ("weekly-6", "weekly-later-4", False),
        ("once", "fortnightly", True),
        ("once", "fortnightly-other-week", False),
        ("once-wednesday", "weekly", False),
    ],
)
def test_share_a_date_named_cases(first, second, expected):
    # Act / Assert
    assert (
        share_a_date(SERIES[first], SERIES[second]),
        share_a_date(SERIES[second], SERIES[first]),
    ) == (
        expected,
        expected,
    )
