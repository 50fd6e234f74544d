"""Shared pieces of the records contexts: action errors."""
