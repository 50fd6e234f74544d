"""Clients, their intake and the safety gate."""
