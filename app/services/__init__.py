"""Use cases that touch the database and the archive: issuing, verifying, blank forms."""
