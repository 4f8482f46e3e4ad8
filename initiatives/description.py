"""How an initiative's description text is structured: paragraphs and bullet lists.

The description keeps the source's lines verbatim, one paragraph or bullet per line. A line that
starts with a bullet marker ("- " or "• ", as the source page prints them) is a list item;
consecutive items form one list.
"""

from dataclasses import dataclass, field

from django.utils.text import Truncator

BULLET_MARKERS = ("- ", "• ")
EXCERPT_LENGTH = 230  # characters of a result card's excerpt, ellipsis included


def is_bullet(line: str) -> bool:
    return line.startswith(BULLET_MARKERS)


def bullet_text(line: str) -> str:
    """The item's text without its marker."""
    return line[2:] if is_bullet(line) else line


@dataclass
class DescriptionBlock:
    kind: str  # "paragraph" or "list"
    text: str = ""
    items: list[str] = field(default_factory=list)


def description_blocks(description: str) -> list[DescriptionBlock]:
    blocks: list[DescriptionBlock] = []
    for line in description.split("\n"):
        if not line.strip():
            continue
        if is_bullet(line):
            if not blocks or blocks[-1].kind != "list":
                blocks.append(DescriptionBlock(kind="list"))
            blocks[-1].items.append(bullet_text(line))
        else:
            blocks.append(DescriptionBlock(kind="paragraph", text=line))
    return blocks


def excerpt(description: str, length: int = EXCERPT_LENGTH) -> str:
    """The description cut as the ``truncatechars`` filter cuts it."""
    return Truncator(description).chars(length)
