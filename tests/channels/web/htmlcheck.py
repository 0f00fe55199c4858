"""Strict HTML5 parsing for the pages: any parse error fails, and the language must be right."""

from __future__ import annotations

import html5lib
from html5lib.constants import namespaces

XHTML = namespaces["html"]


def parse_page(body: bytes | str, lang: str):
    """The page's tree (xml.etree); asserts it parses without a single error and has `lang`."""
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=True)
    text = body.decode("utf-8") if isinstance(body, bytes) else body
    assert text.startswith("<!DOCTYPE html>"), text[:40]
    tree = parser.parse(text)
    assert tree.tag == f"{{{XHTML}}}html"
    assert tree.get("lang") == lang
    return tree


def find_all(tree, tag: str):
    return tree.iter(f"{{{XHTML}}}{tag}")


def text_of(element) -> str:
    return " ".join("".join(element.itertext()).split())


def by_id(tree, element_id: str):
    for element in tree.iter():
        if element.get("id") == element_id:
            return element
    raise AssertionError(f"no element with id {element_id!r}")
