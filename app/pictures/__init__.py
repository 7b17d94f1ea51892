"""Pictures attached to posts: re-encoded on arrival, stored by content hash, served to readers."""
