"""Problem reports from the public about a listing, and their admin screens."""
