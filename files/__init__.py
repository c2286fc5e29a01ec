"""Files that are never seen half-written: temp names beside the target, renamed into place; the user cache."""
