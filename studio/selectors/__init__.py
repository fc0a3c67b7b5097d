"""Reads: queries that pages, the API and commands share, with who-may-see-what built in."""
