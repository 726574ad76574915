"""Hot lists (NCIC and custom), their entries and the alerts they raise."""
