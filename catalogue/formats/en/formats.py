"""English date formats for the catalogue (Django's own are the US ones)."""

DATE_FORMAT = "j F Y"
