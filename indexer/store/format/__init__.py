"""The files' format: postings, gram lists, segment files, near-duplicate pairs, checksums.

Imports nothing of the other parts of the store."""
