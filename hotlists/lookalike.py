"""OCR look-alike characters: plates a camera may have read one for the other.

Each plate gets a key in which every look-alike group folds to one character
(O, D and Q read as 0; I as 1; Z as 2; S as 5; B as 8; G as 6). Two plates with
the same key differ only by look-alike substitutions; how many is counted
position by position, and only matches within the configured maximum alert.
"""

LOOKALIKE_GROUPS = ("0ODQ", "1I", "2Z", "5S", "8B", "6G")

_FOLD = str.maketrans(
    {char: group[0] for group in LOOKALIKE_GROUPS for char in group[1:]}
)


def lookalike_key(plate: str) -> str:
    return plate.translate(_FOLD)


def substitutions(read_plate: str, listed_plate: str) -> int:
    """Positions at which the two plates differ (same-length plates, same key)."""
    return sum(1 for a, b in zip(read_plate, listed_plate, strict=True) if a != b)
