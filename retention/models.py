"""Legal holds and the records of retention purges."""
