"""Reading an XML return record by record, safely, with the line each element starts on.

Statutory returns (the CIN census and its kin) are one long list of small records. This reader
streams the file through the standard library's expat parser and hands over each record element
(with its subtree) as soon as it is complete, so a national-size file never sits in memory. Every
element keeps the line its start tag is on, which is what a person finds in the file.

Safety: a document type declaration is refused outright (returns never carry one), so no entity can
be declared, expanded or fetched; expat itself (2.4.1 and later) also bounds entity amplification.
"""

from __future__ import annotations

import pyexpat
from collections.abc import Iterator
from pathlib import Path

BLOCK_BYTES = 1 << 18


class XmlProblem(Exception):
    """The file is not well-formed XML, or (`refused`) is XML the reader will not read; says where."""

    def __init__(self, line: int, column: int, reason: str, refused: bool = False) -> None:
        super().__init__(f"line {line}, column {column}: {reason}")
        self.line = line
        self.column = column
        self.reason = reason
        self.refused = refused


class XmlNode:
    """One element: its name, the line its start tag is on, its text (trimmed) and its child elements."""

    __slots__ = ("tag", "line", "text", "children")

    def __init__(self, tag: str, line: int) -> None:
        self.tag = tag
        self.line = line
        self.text = ""
        self.children: list[XmlNode] = []

    def find(self, tag: str) -> XmlNode | None:
        return next((child for child in self.children if child.tag == tag), None)

    def findall(self, tag: str) -> list[XmlNode]:
        return [child for child in self.children if child.tag == tag]

    def __repr__(self) -> str:
        return f"<{self.tag} line {self.line}>"


class XmlRecords:
    """Record elements of one file, in document order. `root` and `root_line` are known once the
    first element has been read."""

    def __init__(self, path: Path, record_tags: frozenset[str] | set[str]) -> None:
        self.path = path
        self.record_tags = frozenset(record_tags)
        self.root: str | None = None
        self.root_line = 0

    def read(self, max_bytes: int | None = None) -> Iterator[XmlNode]:
        """Each record element with its subtree. With `max_bytes`, only records complete within the
        first bytes (a cheap look at a file's head; the rest is not checked)."""
        parser = pyexpat.ParserCreate()
        parser.buffer_text = True
        parser.SetParamEntityParsing(pyexpat.XML_PARAM_ENTITY_PARSING_NEVER)
        building: list[XmlNode] = []
        done: list[XmlNode] = []
        record_tags = self.record_tags

        # the handlers run once per element of a file that may be huge: kept short, on local names
        def start(tag: str, _attributes: dict) -> None:
            if building:
                node = XmlNode(tag, parser.CurrentLineNumber)
                building[-1].children.append(node)
                building.append(node)
            elif tag in record_tags:
                building.append(XmlNode(tag, parser.CurrentLineNumber))

        def first_start(tag: str, attributes: dict) -> None:
            self.root, self.root_line = tag, parser.CurrentLineNumber
            parser.StartElementHandler = start
            start(tag, attributes)

        def end(_tag: str) -> None:
            if building:
                node = building.pop()
                node.text = node.text.strip()
                if not building:
                    done.append(node)

        def text(data: str) -> None:
            if building:
                building[-1].text += data

        def refuse(*_args: object) -> None:
            reason = "declares a document type (DOCTYPE), which returns never carry; refused so no entity is expanded"
            raise XmlProblem(parser.CurrentLineNumber, parser.CurrentColumnNumber, reason, refused=True)

        parser.StartElementHandler = first_start
        parser.EndElementHandler = end
        parser.CharacterDataHandler = text
        parser.StartDoctypeDeclHandler = refuse
        parser.EntityDeclHandler = refuse
        read_bytes = 0
        with self.path.open("rb") as handle:
            while True:
                block = handle.read(BLOCK_BYTES if max_bytes is None else min(BLOCK_BYTES, max_bytes - read_bytes))
                read_bytes += len(block)
                last = not block
                if last and max_bytes is not None and read_bytes >= max_bytes:
                    return
                try:
                    parser.Parse(block, last)
                except pyexpat.ExpatError as error:
                    raise XmlProblem(error.lineno, error.offset, pyexpat.ErrorString(error.code)) from None
                yield from done
                done.clear()
                if last:
                    return
