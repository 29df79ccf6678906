"""What tests share besides fixtures (tests/conftest.py) and factories (tests/factories/).

One home each; import them rather than copying them into a test file:

- ``dates``: the site's today, weekday arithmetic, dates in the site's words
- ``schedules``: ``weekly()``, a weekly slot that is running
- ``browse``: ``browse_titles()``, what the browse page lists
- ``feeds``: ``event_uids()``, the events of one of our feeds
- ``admin_forms``: ``PUBLISH``, ``edit_url()``, ``slot_row()``, ``activity_form_data()``
- ``calendars/``: independent calendar clients and the .ics files for the import tests
- ``sample-timetable.csv``: the layout contract's example spreadsheet
"""
