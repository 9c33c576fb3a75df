"""static/css/dateline.css: colours read from its custom properties, light and dark, checked
against WCAG's contrast ratio (https://www.w3.org/TR/WCAG22/#dfn-contrast-ratio)."""

import re

import pytest

from tests.conftest import ROOT

STYLESHEET = (ROOT / "static" / "css" / "dateline.css").read_text()
WITHOUT_COMMENTS = re.sub(r"/\*.*?\*/", "", STYLESHEET, flags=re.DOTALL)
DARK_ROOT = re.compile(r"@media \(prefers-color-scheme: dark\)\s*\{\s*:root\s*\{([^}]*)\}\s*\}")
ROOT_RULE = re.compile(r":root\s*\{([^}]*)\}")
PROPERTY = re.compile(r"(--[\w-]+)\s*:\s*([^;]+);")

# WCAG 1.4.11 (non-text contrast): a focus indicator needs 3:1 against adjacent colours.
NON_TEXT_CONTRAST = 3.0


def custom_properties(scheme: str) -> dict[str, str]:
    """Every :root custom property in the light scheme, or with the dark overrides on top."""
    light_css = DARK_ROOT.sub("", WITHOUT_COMMENTS)
    values = {
        name: value.strip()
        for block in ROOT_RULE.findall(light_css)
        for name, value in PROPERTY.findall(block)
    }
    if scheme == "dark":
        for block in DARK_ROOT.findall(WITHOUT_COMMENTS):
            values.update((name, value.strip()) for name, value in PROPERTY.findall(block))
    return values


def relative_luminance(colour: str) -> float:
    assert re.fullmatch(r"#[0-9a-fA-F]{6}", colour), f"not a #rrggbb colour: {colour}"
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    lighter, darker = sorted(map(relative_luminance, (first, second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_the_contrast_ratio_matches_wcags_examples():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


def header_background() -> str:
    (rule,) = re.findall(r"\.site-header\s*\{([^}]*)\}", WITHOUT_COMMENTS)
    (variable,) = re.findall(r"background:\s*var\((--[\w-]+)\)", rule)
    return variable


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("background", ["--bg", "--card", "--current"])
def test_the_focus_ring_stands_out_from_the_page_and_the_header(scheme, background):
    colours = custom_properties(scheme)
    assert header_background() == "--card"  # the header's background is among those checked

    ratio = contrast_ratio(colours["--focus"], colours[background])

    assert ratio >= NON_TEXT_CONTRAST, f"{scheme}: --focus on {background} is {ratio:.2f}:1"


def test_focus_rings_use_the_focus_colour():
    rings = re.findall(r":focus(?:-visible)?\s*\{([^}]*)\}", WITHOUT_COMMENTS)
    outlines = [rule for rule in rings if "outline:" in rule and "outline: none" not in rule]
    assert outlines
    assert all("var(--focus)" in rule for rule in outlines)
