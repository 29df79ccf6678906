"""Timetable imports: the spreadsheet layout and calendar (.ics) files, checked then written.

Pure (no models, no database):
    columns   the layout: columns, model fields, slot refs, header checks, Problem, ImportFailed
    readers   .csv and .xlsx bytes to row dicts
    cells     one cell's text to a value
    rows      rows to validated plain values (parse_rows)
    repeats   an event's RRULE in timetable terms; why an event is skipped or refused
    events    one calendar event to rows
Reads and writes:
    plan      a file checked against the database: what importing it would change
    shared_data   planning the shared venues, categories and audiences rows use
    slots     planning one activity's time slots and cancelled dates
    write     applying a plan in bulk, in one transaction
    wagtail_bulk  the only code on Wagtail's private APIs (tree paths, indexes)
    services  timetable_read, timetable_import: the entry points
    calendar  .ics files to rows, calendar_plan, calendar_import
    fetch     calendar_fetch: the only outbound HTTP in activities
    export    activities back into the layout (activity_rows, write_csv)
Interfaces:
    forms, admin  the two admin uploads (check, then confirm)
"""
