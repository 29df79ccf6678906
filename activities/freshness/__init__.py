"""Freshness: when a listing was last confirmed as right, and the listings to check."""
