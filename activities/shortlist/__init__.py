"""The shortlist: activities someone is thinking about, kept in a cookie without logging in."""
