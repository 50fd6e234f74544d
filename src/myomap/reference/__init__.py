"""The knowledge browser: muscles, trigger points, exercises and safety, with sources."""
