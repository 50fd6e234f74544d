"""Visits: assessment findings, the treatment plan and the signed session note."""
