"""Sharing requests, dissemination records and the organisation registry."""
