"""Calendar feeds people subscribe to: one activity, a provider, a venue, or any browse list.

URLs (see activities/urls.py):

- ``/feeds/activities/<page id>.ics``, ``/feeds/providers/<page id>.ics``,
  ``/feeds/venues/<venue id>.ics``: ids, not slugs, so a rename never breaks a subscription;
- ``/activities/feed.ics?<the query string of /activities/>``: the same FilterSet narrows it,
  so "free, step-free, Tuesday groups within 2 miles of L8" is one subscription;
- ``/activities/feed/<token>.ics``: the same, with the query string packed into the path,
  because Google's subscribe-by-link (``cid=webcal://…``) mangles URLs that contain ``&``.

``?download=1`` on any of them sends the file as an attachment (the "download" button);
otherwise it is served inline, which is what subscribing clients expect.

HTTP caching: subscribed calendars poll every few hours, for ever. Each feed has an ETag and
Last-Modified computed from a few aggregate queries over the same selection (counts, id
sums, the newest publish time, the sum of the slots' SEQUENCE numbers), without building the
feed, so a conditional request is answered with 304 in a few milliseconds.

Multi-activity feeds keep an activity for ``KEEP_ENDED_DAYS`` after its last session, so
subscribers see it end (UNTIL) instead of its past sessions vanishing at once.

Modules: ``selectors`` (what goes in a feed, and its validators), ``sequence`` (SEQUENCE for
admin edits), ``responses`` (the calendar response and ``serve_feed``, which the shortlist's
feed reuses), ``views`` (the feed URLs) and ``links`` (the "Add to calendar" addresses).
"""
