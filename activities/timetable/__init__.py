"""“Your timetable”: a provider editor's admin home, their activities as a timetable."""
