"""Timetable imports: the spreadsheet layout and calendar (.ics) files, checked then written."""
