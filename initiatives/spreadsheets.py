"""CSV cells that spreadsheet programs will not run as formulas."""


def spreadsheet_safe(value: str) -> str:
    """Prefix a cell that a spreadsheet would read as a formula (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
