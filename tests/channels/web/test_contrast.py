"""The stylesheet's text colours meet WCAG AA (4.5:1) on the backgrounds they are used on."""

from __future__ import annotations

import re

import pytest

from config import ROOT

CSS = (ROOT / "channels" / "web" / "static" / "site.css").read_text()


def rules() -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    body = re.sub(r"/\*.*?\*/", "", CSS, flags=re.S)
    # Paper is black on white (the print rules); the screen's colours are what is checked.
    body = re.sub(r"@media print\s*\{((?:[^{}]*\{[^{}]*\})*)\s*\}", "", body)
    body = re.sub(r"@media[^{]*\{((?:[^{}]*\{[^{}]*\})*)\s*\}", r"\1", body)
    for selector, declarations in re.findall(r"([^{}]+)\{([^{}]*)\}", body):
        props = found.setdefault(selector.strip(), {})
        for declaration in declarations.split(";"):
            name, _, value = declaration.partition(":")
            if value:
                props[name.strip()] = value.strip()
    return found


RULES = rules()


def colour(selector: str, prop: str) -> str:
    value = RULES[selector][prop]
    found = re.search(r"#[0-9a-fA-F]{6}|#fff\b", value)
    assert found, (selector, prop, value)
    return "#ffffff" if found[0].lower() == "#fff" else found[0]


def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


WHITE = ("body", "background")


@pytest.mark.parametrize("text, ground", [
    (("body", "color"), WHITE),
    (("a", "color"), WHITE),
    (("a:visited", "color"), WHITE),
    ((".hint", "color"), WHITE),
    ((".kicker", "color"), WHITE),
    ((".when", "color"), WHITE),
    ((".foot", "color"), WHITE),
    ((".error-summary p", "color"), WHITE),
    (("svg .label", "fill"), WHITE),
    (("a", "color"), (".other", "background")),
    (("body", "color"), (".other", "background")),
    (("body", "color"), (".alert", "background")),
    (("button", "color"), ("button", "background")),
    (("button", "color"), ("button:hover", "background")),
    (("button:focus-visible", "color"), ("button:focus-visible", "background")),
    ((":focus-visible,.link:focus-visible", "color"), (":focus-visible,.link:focus-visible", "background")),
    ((".top a,.top .link", "color"), (".top", "background")),
])
def test_text_contrast_is_aa(text, ground):
    ratio = contrast(colour(*text), colour(*ground))
    assert ratio >= 4.5, f"{text} on {ground}: {ratio:.2f}:1"
