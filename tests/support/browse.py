"""Reading the public browse list (/activities/) in tests."""

from __future__ import annotations

from django.test import Client


def browse_titles(client: Client, query: str = "") -> list[str]:
    """The titles /activities/?`query` lists, in its order (this page only); fails unless 200."""
    response = client.get(f"/activities/?{query}")
    assert response.status_code == 200, response.content[:500]
    return [row.activity.title for row in response.context["result"].rows]
