"""The Liverpool demo: fictional-but-realistic providers and timetable (see README.md here)."""
