"""Writes: every change to Signet's data goes through a function in this package."""
