"""The plain text format of parent pages, as blocks for the templates.

Editors write text, not HTML: paragraphs separated by an empty line, ``- `` starts a list
item, ``## `` a heading. The template escapes every word (no markup from the database reaches
the page), so a page cannot carry a script or a link to another host by accident.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Block:
    #: ``heading``, ``paragraph`` or ``list``.
    kind: str
    text: str = ""
    items: tuple[str, ...] = field(default_factory=tuple)


def blocks(body: str) -> list[Block]:
    """``body`` as a list of blocks (see the module doc)."""
    result: list[Block] = []
    for chunk in body.replace("\r\n", "\n").split("\n\n"):
        lines = [line.strip() for line in chunk.split("\n") if line.strip()]
        if not lines:
            continue
        paragraph: list[str] = []
        items: list[str] = []
        for line in lines:
            if line.startswith("## "):
                _flush(result, paragraph, items)
                result.append(Block("heading", line[3:].strip()))
            elif line.startswith("- "):
                _flush(result, paragraph, [])
                items.append(line[2:].strip())
            else:
                _flush(result, [], items)
                paragraph.append(line)
        _flush(result, paragraph, items)
    return result


def _flush(result: list[Block], paragraph: list[str], items: list[str]) -> None:
    """Close the open paragraph and list (in that order), emptying them."""
    if paragraph:
        result.append(Block("paragraph", " ".join(paragraph)))
        paragraph.clear()
    if items:
        result.append(Block("list", items=tuple(items)))
        items.clear()


def plain_text(body: str) -> str:
    """The words of ``body`` as running text: each heading, paragraph and list item a
    sentence of its own (what a reader reads, for the readability measure)."""
    sentences: list[str] = []
    for block in blocks(body):
        parts = block.items if block.kind == "list" else (block.text,)
        for part in parts:
            part = part.strip()
            if part and part[-1] not in ".!?:":
                part += "."
            sentences.append(part)
    return " ".join(sentences)
