"""The analyst's journey in chromium (issue 13): context that survives a click, pages that fit 1440 px
and a 390 px phone, and charts that read on the dark theme. Screenshots of every page at 1440 px, on a
phone and dark go to test-artifacts/ (git-ignored)."""

from __future__ import annotations

import collections
import re
import time

import pytest

from tests.independent import shift
from tests.test_browser import ARTIFACTS, _no_error_box, browser, server  # noqa: F401 (fixtures)
from tests.test_browser import PAGES as SOME_PAGES

PAGES = {**SOME_PAGES, "report": "Report"}
# The tabs whose tables issue 13 fitted to the page (only the open tab is drawn), named for their screenshots.
# Benchmark's comparisons of periods and of regions (issue 13), also measured on a phone and dark.
COMPARISONS = {
    "benchmark?bench_section=On+the+period+before&bench_period_unit=Financial+year": "Benchmark-periods",
    "benchmark?bench_section=Other+regions": "Benchmark-regions",
}
TABS = {
    **COMPARISONS,
    "benchmark?bench_section=Similar+forces": "Benchmark-similar-forces",
    "benchmark?bench_section=Action+plan": "Benchmark-action-plan",
    "benchmark?bench_section=Rates+and+ranks": "Benchmark-rates",
    "offenders?offenders_section=By+crime+type": "Offenders-by-crime-type",
    "victims?victims_section=Growing+this+year": "Victims-growing",
}
STANDS_OUT = "benchmark?bench_section=Who+stands+out"  # the tab whose charts are drawn on the background

pytestmark = pytest.mark.browser

WIDE = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
# Every table drawn (those in a closed expander are not) as its scroller's width against its own box,
# and the page against the window (pixels).
MEASURE = """() => ({
  window: window.innerWidth, page: document.documentElement.scrollWidth,
  main: [document.querySelector("[data-testid='stMain']").scrollWidth,
         document.querySelector("[data-testid='stMain']").clientWidth],
  tables: [...document.querySelectorAll("[data-testid='stDataFrame']")]
    .filter(t => t.querySelector('.dvn-scroller')).map(t => {
    const s = t.querySelector('.dvn-scroller');
    return {key: t.closest('[class*=st-key-]')?.className.match(/st-key-(\\S+)/)?.[1] ?? '',
            columns: s.scrollWidth, box: s.clientWidth};
  })})"""


def _settled(browser, url: str, viewport: dict, scheme: str = "light"):
    """A page opened and drawn: heading, no network traffic, every table's grid laid out."""
    page = browser.new_page(viewport=viewport, color_scheme=scheme)
    page.goto(url)
    page.get_by_role("heading", level=1).first.wait_for(timeout=90_000)
    page.wait_for_load_state("networkidle")
    page.wait_for_function(
        """() => [...document.querySelectorAll("[data-testid='stDataFrame']")]
        .filter(t => t.checkVisibility()).every(t => t.querySelector('.dvn-scroller'))""",
        timeout=60_000,
    )
    time.sleep(1.5)  # charts and grids settle their widths after the last message
    return page


def _shoot(page, name: str, width: int) -> None:
    """The whole page (Streamlit scrolls inside its main block, so the window is grown to fit it)."""
    ARTIFACTS.mkdir(exist_ok=True)
    height = page.evaluate("() => document.querySelector(\"[data-testid='stMain']\").scrollHeight")
    page.set_viewport_size({"width": width, "height": min(height, 8000)})
    time.sleep(1)
    page.screenshot(path=str(ARTIFACTS / name))


def test_every_table_fits_its_box_at_1440_px(browser, server):
    overflowing = {}
    for path, title in {**PAGES, **TABS}.items():
        page = _settled(browser, f"{server}/{path}", WIDE)
        _no_error_box(page)
        sizes = page.evaluate(MEASURE)
        _shoot(page, f"wide-{title.lower()}.png", WIDE["width"])
        page.close()
        wide = [t for t in sizes["tables"] if t["columns"] > t["box"] + 1]
        if wide:
            overflowing[title] = wide
        assert sizes["page"] <= sizes["window"], title
    assert not overflowing, overflowing


def test_no_page_scrolls_sideways_on_a_phone(browser, server):
    sideways = {}
    for path, title in PAGES.items():
        page = _settled(browser, f"{server}/{path}", PHONE)
        _no_error_box(page)
        sizes = page.evaluate(MEASURE)
        _shoot(page, f"phone-{title.lower()}.png", PHONE["width"])
        page.close()
        if sizes["page"] > sizes["window"] or sizes["main"][0] > sizes["main"][1] + 1:
            sideways[title] = (sizes["page"], sizes["main"])
    assert not sideways, sideways


def _contrast(one: str, other: str) -> float:
    """WCAG contrast ratio of two colours written '#rrggbb' or 'rgb(r, g, b)'."""

    def luminance(colour: str) -> float:
        if colour.startswith("#"):
            channels = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
        else:
            channels = [int(c) for c in colour[colour.index("(") + 1 : colour.index(")")].split(",")[:3]]
        linear = [
            c / 255 / 12.92 if c / 255 <= 0.03928 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in channels
        ]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(one), luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


BACKGROUND = "() => getComputedStyle(document.querySelector(\"[data-testid='stApp']\")).backgroundColor"
# The lines and labels drawn on the background of the Benchmark charts: the national value, the labels
# of the region's forces and of the other forces, the scorecard's separator.
ON_BACKGROUND = """() => [...document.querySelectorAll('.js-plotly-plot')].flatMap(p => [
    ...(p.data || []).filter(t => t.name === 'National value').map(t => t.line.color),
    ...(p.data || []).filter(t => t.meta === 'forces' && t.textfont && typeof t.textfont.color === 'string')
        .map(t => t.textfont.color),
    ...((p.layout || {}).shapes || []).map(s => s.line.color)])"""


def _legible(page) -> None:
    """Every line and label the Benchmark charts draw on the page's background stands out from it (3:1)."""
    page.wait_for_function(f"() => ({ON_BACKGROUND})().length >= 3", timeout=60_000)
    background = page.evaluate(BACKGROUND)
    for colour in page.evaluate(ON_BACKGROUND):
        assert _contrast(colour, background) >= 3, (colour, background)


def test_every_page_in_the_dark_theme(browser, server):
    for path, title in PAGES.items():
        page = _settled(
            browser, f"{server}/{STANDS_OUT if title == 'Benchmark' else path}", WIDE, scheme="dark"
        )
        _no_error_box(page)
        assert page.evaluate(BACKGROUND) == "rgb(15, 20, 25)", title  # [theme.dark] of .streamlit/config.toml
        if title == "Benchmark":  # issue 13: the national line and outlines were black on black
            _legible(page)
        _shoot(page, f"dark-{title.lower()}.png", WIDE["width"])
        page.close()


def test_a_person_chooses_the_theme_in_the_app_and_the_charts_stay_legible(browser, server):
    """The theme choice (system, light or dark) is in the app's menu at the top right."""
    page = _settled(browser, f"{server}/{STANDS_OUT}", WIDE)
    _legible(page)
    page.locator("[data-testid='stMainMenu']").click()
    page.locator("[data-testid='stMainMenuItem-theme-Dark']").click()
    page.wait_for_function(f"() => ({BACKGROUND})() === 'rgb(15, 20, 25)'", timeout=30_000)
    _legible(page)
    _shoot(page, "dark-chosen-benchmark.png", WIDE["width"])
    page.close()


def test_an_emerging_change_clicked_in_the_app_keeps_its_filters(browser, server):
    """Bug 1: clicked inside the app, the link landed on Trends with the sidebar cleared."""
    page = _settled(browser, f"{server}/", WIDE)
    link = page.locator("[data-testid='stMain'] button").filter(has_text="new operations in").first
    words = link.inner_text().splitlines()[-1]  # after the icon's name
    region, crime_type = words.split(":")[0].split(", ")
    link.click()
    page.wait_for_url("**/trends?**", timeout=60_000)
    page.get_by_role("heading", name="Trends").wait_for(timeout=60_000)
    page.wait_for_load_state("networkidle")
    url = page.url
    assert (
        f"region={region.replace(' ', '+')}" in url and f"crime_type={crime_type.replace(' ', '+')}" in url
    ), url
    assert "measure=New+operations" in url, url
    sidebar = page.locator("[data-testid='stSidebar']")
    assert sidebar.get_by_text(region, exact=True).is_visible()
    assert sidebar.get_by_text(crime_type, exact=True).is_visible()
    _no_error_box(page)
    page.close()


def test_the_benchmark_region_follows_the_sidebar(browser, server):
    """Bug 2: once shown, the page's region stayed on North West with the sidebar on Wales."""
    page = _settled(browser, f"{server}/benchmark?bench_section=Rates+and+ranks", WIDE)
    region = page.locator("[data-testid='stMain'] [data-testid='stSelectbox'] input").first
    assert region.input_value() == "North West"
    page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect'] input").first.click()
    page.keyboard.type("Wales")  # a click on the box does not always open its list; typing does
    page.get_by_role("option", name="Wales", exact=True).click()
    page.keyboard.press("Escape")
    page.wait_for_url("**region=Wales**", timeout=30_000)
    page.wait_for_function(
        """() => document.querySelector("[data-testid='stMain'] [data-testid='stSelectbox'] input")
        .value === 'Wales'""",
        timeout=60_000,
    )
    page.get_by_role("heading", name="Forces of Wales", exact=False).first.wait_for(timeout=60_000)
    _no_error_box(page)
    page.close()


def test_the_overview_chart_follows_the_period_and_the_crime_family(browser, server, last_month):
    """Bug 6: the chart showed 24 months of both families with the sidebar on 18 months of modern slavery."""
    start = shift(last_month, -17)
    page = _settled(
        browser, f"{server}/?period={start:%Y-%m}&period={last_month:%Y-%m}&family=Modern+slavery", WIDE
    )
    bars = page.evaluate("""() => [...document.querySelectorAll(
        "[data-testid='stVegaLiteChart'] .role-mark path")].map(p => p.getAttribute('aria-label'))""")
    # Each bar is described to a screen reader as "<family>, <Month YYYY>: <count>".
    families = collections.Counter(re.fullmatch(r"(.+), \w+ \d{4}: [\d,]+", bar).group(1) for bar in bars)
    assert families == {"Modern slavery": 18}, bars
    page.close()


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["wide", "phone"])
def test_trends_by_quarter_marks_the_partial_ones_and_fits_the_screen(browser, server, viewport):
    """Quarters as the Home Office publishes them; the first and last, cut short by the period, are open circles."""
    page = _settled(
        browser, f"{server}/trends?period_unit=Quarter&split=Region&period=2025-02&period=2026-08", viewport
    )
    _no_error_box(page)
    points = page.evaluate("""() => [...document.querySelectorAll(
        "[data-testid='stVegaLiteChart'] .mark-symbol.role-mark path[aria-label]")]
        .map(p => [p.getAttribute('aria-label'), p.getAttribute('fill')])""")
    # "<region>, Q1 2025 (Jan–Mar) (partial): 1,234": an open circle (no fill) when partial.
    quarters = {re.search(r", (Q\d \d{4})", label).group(1) for label, _ in points}
    assert len(points) == 12 * 7 and len(quarters) == 7, points
    for label, fill in points:
        partial = label.split(" (")[0].endswith(("Q1 2025", "Q3 2026"))
        assert ("(partial)" in label) == partial and (fill == "transparent") == partial, (label, fill)
    ticks = page.evaluate("""() => [...document.querySelectorAll(
        "[data-testid='stVegaLiteChart'] .role-axis-label text")].map(t =>
        [...t.querySelectorAll('tspan')].map(s => s.textContent).join(' ') || t.textContent)""")
    assert "Q1 2025" in ticks and "Q3 2026" in ticks and ticks.index("Q1 2025") < ticks.index("Q3 2026"), (
        ticks
    )
    tspans = page.evaluate("""() => [...document.querySelectorAll(
        "[data-testid='stVegaLiteChart'] .role-axis-label text")].map(t => t.querySelectorAll('tspan').length)""")
    assert set(tspans) - {0} == {2}, f"quarters on two lines: {tspans}"
    sizes = page.evaluate(MEASURE)
    assert sizes["page"] <= sizes["window"]
    # Every option of the View control in sight (on a phone they take more rows, not the edge).
    last = page.get_by_text("Change on the period before", exact=True).bounding_box()
    assert last["x"] + last["width"] <= viewport["width"], last
    _shoot(page, f"{'wide' if viewport is WIDE else 'phone'}-trends-quarter.png", viewport["width"])
    page.close()


GRID_BACKGROUND = """() => [...document.querySelectorAll("[data-testid='stDataFrame'] *")]
    .map(e => getComputedStyle(e).getPropertyValue('--gdg-bg-cell').trim()).filter(c => c)
    .filter((c, i, all) => all.indexOf(c) === i)"""


def test_benchmark_compares_periods_and_regions_on_a_phone_and_in_the_dark(browser, server):
    """The new tabs: no sideways scroll at 390 px; on the dark theme, the tables take its dark panel."""
    sideways = {}
    for path, title in COMPARISONS.items():
        page = _settled(browser, f"{server}/{path}", PHONE)
        _no_error_box(page)
        sizes = page.evaluate(MEASURE)
        _shoot(page, f"phone-{title.lower()}.png", PHONE["width"])
        page.close()
        if sizes["page"] > sizes["window"] or sizes["main"][0] > sizes["main"][1] + 1:
            sideways[title] = (sizes["page"], sizes["main"])
        page = _settled(browser, f"{server}/{path}", WIDE, scheme="dark")
        _no_error_box(page)
        assert page.evaluate(BACKGROUND) == "rgb(15, 20, 25)", title
        # Glide's grid draws its cells on a canvas in the colour its theme variable names: dark, not a light panel.
        cells = page.evaluate(GRID_BACKGROUND)
        assert cells and all(_contrast(c, "#ffffff") > 3 for c in cells), (title, cells)
        if title == "Benchmark-regions":  # the national line and the region's bar read on the dark background
            page.wait_for_function("() => document.querySelector('.js-plotly-plot')?.data", timeout=60_000)
            colours = page.evaluate("""() => document.querySelector('.js-plotly-plot').data.flatMap(t =>
                t.meta === 'regions' ? [...new Set(t.marker.color)] : [t.line.color])""")
            assert len(colours) == 3 and all(_contrast(c, "#0f1419") >= 3 for c in colours), colours
        _shoot(page, f"dark-{title.lower()}.png", WIDE["width"])
        page.close()
    assert not sideways, sideways
