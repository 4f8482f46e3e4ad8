"""The shape of initiative and sub-working-group codes, in one place."""

import re

CODE_PATTERN = r"^[1-3][1-9][0-9]{2}[A-Z]?$"
NUMBER_PATTERN = r"^[1-3][1-9][0-9]{2}$"
SUB_WORKING_GROUP_CODE_PATTERN = r"^[1-3]\.[1-9]$"
# As people type it in an address or a search box: codes are case-insensitive (2206a is 2206A).
TYPED_CODE_PATTERN = CODE_PATTERN.replace("[A-Z]", "[A-Za-z]")

_CODE = re.compile(CODE_PATTERN)


def normalize_code(text) -> str | None:
    """The code ``text`` holds, upper-cased ("2206a" -> "2206A"), or None when it is not one."""
    code = str(text).strip().upper()
    return code if _CODE.match(code) else None
