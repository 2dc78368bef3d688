"""End to end: a real `streamlit run app.py` server, driven by Debian's chromium through Playwright."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import ADMIN, REPO_ROOT
from fit_fixtures import Stretch, run_file
from live_server import PAGE_TIMEOUT_MS, chromium, streamlit_server, wait_for_script

from analysis.store import Store

pytestmark = pytest.mark.browser

@pytest.fixture(scope="module")
def server(sample_store_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """(base URL, store) of a fresh `streamlit run app.py` over a copy of the sample-club store; always stopped."""
    store = tmp_path_factory.mktemp("browser") / "store"
    shutil.copytree(sample_store_dir, store)
    env = dict(os.environ)
    env["CORE_CADENCE_STORE"] = str(store)
    env.pop("CORE_CADENCE_SAMPLE_DIR", None)
    log = tmp_path_factory.mktemp("streamlit") / "server.log"
    with streamlit_server(REPO_ROOT / "app.py", cwd=REPO_ROOT, env=env, log=log) as url:
        yield url, store


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


# (sidebar link text, the page's title): every page of app.py's navigation
PAGES = (
    ("Overview", "Core & Cadence"),
    ("Import", "Import"),
    ("Check-in", "Check-in"),
    ("Run explorer", "Run explorer"),
    ("Consistency vs fatigue", "Consistency vs fatigue"),
    ("Squad", "Squad"),
    ("Strength log", "Strength log"),
    ("Data & settings", "Data & settings"),
)
CHARTS_ON = {"Run explorer", "Consistency vs fatigue", "Squad", "Strength log"}
# docs/screenshots names (the README's page table links them); the Check-in page's picture is taken on a phone
# screen by its own test (check_in_phone.png)
SCREENSHOTS = {"Overview": "1-overview", "Import": "2-import", "Run explorer": "3-run-explorer",
               "Consistency vs fatigue": "4-consistency-vs-fatigue", "Squad": "5-squad",
               "Strength log": "6-strength-log", "Data & settings": "7-data-settings"}
PHONE = {"width": 390, "height": 844}  # an iPhone 12-15 screen in CSS pixels


def screenshot_dir(tmp_path: Path) -> Path:
    """Where page screenshots go: env SCREENSHOT_DIR (docs/screenshots is made this way), else the test's tmp."""
    chosen = os.environ.get("SCREENSHOT_DIR")
    out = Path(chosen) if chosen else tmp_path
    out.mkdir(parents=True, exist_ok=True)
    return out


def open_by_sidebar(page, link: str) -> None:
    page.locator('[data-testid="stSidebarNav"] a').filter(has_text=link).first.click()
    wait_for_script(page)


def assert_no_error(page) -> None:
    errors = page.locator('[data-testid="stException"], [data-testid="stAlertContentError"]')
    assert errors.count() == 0, errors.all_inner_texts()


def test_a_deep_link_on_a_fresh_server_gets_the_app_and_its_sidebar(server, browser):
    """The first request of a fresh server opens a page URL directly: app.py must still route it."""
    url, _ = server
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(url + "squad", timeout=PAGE_TIMEOUT_MS)
        page.get_by_role("heading", name="Squad", exact=True).wait_for(timeout=PAGE_TIMEOUT_MS)
        wait_for_script(page)
        nav = page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()
        sidebar = page.locator('[data-testid="stSidebar"]')
        assert [n.split("\n")[-1].strip() for n in nav] == [link for link, _ in PAGES]  # icon, then the title
        assert sidebar.get_by_text("Athlete", exact=True).count() == 1
        assert_no_error(page)
    finally:
        page.close()


def test_every_page_opens_from_the_sidebar(server, browser, tmp_path):
    url, _ = server
    out = screenshot_dir(tmp_path)
    # Streamlit scrolls inside its own container, so a full-page picture is the viewport: make it tall.
    page = browser.new_page(viewport={"width": 1400, "height": 3000})
    try:
        page.goto(url, timeout=PAGE_TIMEOUT_MS)
        page.get_by_role("heading", name="Core & Cadence").wait_for(timeout=PAGE_TIMEOUT_MS)
        wait_for_script(page)
        for link, title in PAGES:
            open_by_sidebar(page, link)
            heading = page.get_by_role("heading", name=title, exact=True).first
            heading.wait_for(state="visible", timeout=PAGE_TIMEOUT_MS)
            if link in CHARTS_ON:
                charts = page.locator('[data-testid="stPlotlyChart"]')
                charts.first.wait_for(state="visible", timeout=PAGE_TIMEOUT_MS)
                assert charts.count() >= 1
            page.wait_for_timeout(500)  # let Plotly finish drawing before the picture
            if link in SCREENSHOTS:
                page.screenshot(path=str(out / f"{SCREENSHOTS[link]}.png"), full_page=True)
            assert_no_error(page)
    finally:
        page.close()


def show_sidebar(page) -> None:
    """Open the sidebar if it is folded away (as on a phone; after widening the window it may open by itself)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    nav = page.locator('[data-testid="stSidebarNav"]')
    page.wait_for_timeout(1000)
    if not nav.is_visible():
        try:
            page.locator('[data-testid="stExpandSidebarButton"]').click(timeout=5000)
        except PlaywrightTimeout:
            pass  # it opened by itself meanwhile
    nav.wait_for(state="visible", timeout=PAGE_TIMEOUT_MS)


def overflow_px(page) -> int:
    """How far the page reaches past the right edge of the screen (CSS px): the document, and the main area
    Streamlit scrolls itself."""
    return page.evaluate("""() => {
        const main = document.querySelector('[data-testid="stMain"]');
        return Math.max(document.documentElement.scrollWidth - window.innerWidth,
                        main ? main.scrollWidth - main.clientWidth : 0);
    }""")


def test_a_check_in_on_a_phone_shows_on_the_strength_log_and_in_the_run_explorer(server, browser, sample_store_dir,
                                                                                 tmp_path):
    """The Check-in page at 390 px: one column, nothing wider than the screen. Ana's back soreness 10, a Hip thrust
    (a quick pick she never logged) and effort 7 for her newest run, saved; then the Strength log counts them and
    the Run explorer shows the run's effort from the check-in."""
    url, _ = server
    with Store(sample_store_dir) as store:  # the original; the server has its own copy
        run = store.runs(ADMIN, ["Ana"]).sort_values("start_time").iloc[-1]  # the run the Run explorer opens first
        log = store.strength_log(ADMIN, ["Ana"])
    day = run["local_date"].date()
    soreness = log["back_soreness"].dropna()
    expected_soreness = f"{(soreness.sum() + 10) / (len(soreness) + 1):.1f}"  # the page's mean, with the 10 added
    assert "Hip thrust" not in set(log["exercise"].dropna())
    page = browser.new_page(viewport=PHONE)
    try:
        page.goto(url + "check_in", timeout=PAGE_TIMEOUT_MS)
        main = page.locator('[data-testid="stMain"]')
        title = main.get_by_role("heading", name="Check-in", exact=True)
        title.wait_for(timeout=PAGE_TIMEOUT_MS)
        wait_for_script(page)
        assert overflow_px(page) <= 2
        # Whose check-in: the sidebar is folded away on a phone (and its first athlete may be another): type it.
        main.get_by_text("Type a name instead", exact=False).click()
        wait_for_script(page)
        name = main.get_by_label("Athlete's name", exact=True)
        name.fill("Ana")
        name.press("Enter")
        wait_for_script(page)
        main.get_by_text("is in the store: the check-in goes to Ana").wait_for(timeout=PAGE_TIMEOUT_MS)
        for part, value in (("year", f"{day:%Y}"), ("month", f"{day:%m}"), ("day", f"{day:%d}")):
            main.get_by_role("spinbutton", name=f"{part}, Date").click()
            page.keyboard.type(value)
        title.click()  # leaving the date field sends it
        wait_for_script(page)
        main.get_by_role("heading", name=f"Runs of {day:%Y-%m-%d}").wait_for(timeout=PAGE_TIMEOUT_MS)
        main.get_by_role("radiogroup", name="Back soreness today (0-10)").get_by_role(
            "radio", name="10", exact=True).click()
        wait_for_script(page)
        main.get_by_role("button", name="Hip thrust", exact=True).click()
        wait_for_script(page)
        main.get_by_text("Hip thrust · hip", exact=False).wait_for(timeout=PAGE_TIMEOUT_MS)
        main.get_by_role("radiogroup", name="Perceived effort (Borg CR10, 0-10)").first.get_by_role(
            "radio", name="7", exact=True).click()
        wait_for_script(page)
        assert main.get_by_text("very strong.", exact=False).count() >= 1
        assert overflow_px(page) <= 2
        assert_no_error(page)
        main.get_by_role("heading", name="Back soreness", exact=True).evaluate("e => e.scrollIntoView()")
        page.wait_for_timeout(300)
        page.screenshot(path=str(screenshot_dir(tmp_path) / "check_in_phone.png"))  # the phone's screen

        main.get_by_role("button", name="Save the check-in").click()
        main.get_by_text(f"Saved Ana's check-in of {day:%Y-%m-%d}", exact=False).wait_for(timeout=PAGE_TIMEOUT_MS)
        wait_for_script(page)
        assert_no_error(page)
        assert overflow_px(page) <= 2
        assert main.get_by_role("button", name="Hip thrust", exact=True).get_attribute("aria-pressed") == "false"

        # The same session on a wide screen: the sidebar follows the check-in's athlete.
        page.set_viewport_size({"width": 1400, "height": 1400})
        show_sidebar(page)
        open_by_sidebar(page, "Strength log")
        main.get_by_text("For Ana", exact=False).wait_for(timeout=PAGE_TIMEOUT_MS)
        charts = main.locator('[data-testid="stPlotlyChart"]')
        charts.first.wait_for(state="visible", timeout=PAGE_TIMEOUT_MS)
        charts.locator("text").filter(has_text=re.compile(r"^Hip thrust$")).first.wait_for(timeout=PAGE_TIMEOUT_MS)
        metric = main.locator('[data-testid="stMetric"]').filter(has_text="Mean back soreness (0-10)")
        assert metric.locator('[data-testid="stMetricValue"]').inner_text().strip() == expected_soreness
        assert_no_error(page)

        open_by_sidebar(page, "Run explorer")
        felt = main.get_by_text("7.0 / 10 (Borg CR10) — very strong", exact=False)
        felt.first.wait_for(timeout=PAGE_TIMEOUT_MS)
        assert "from a check-in" in felt.first.inner_text()
        assert_no_error(page)
    finally:
        page.screenshot(path=str(tmp_path / "check-in.png"), full_page=True)
        page.close()


def test_overview_in_a_real_browser(server, browser, sample_store_dir, tmp_path):
    url, _ = server
    with Store(sample_store_dir) as store:  # the original; the server has its own copy
        expected_runs = store.status(ADMIN).runs
    assert expected_runs > 100
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(url, timeout=PAGE_TIMEOUT_MS)
        title = page.get_by_role("heading", name="Core & Cadence")
        title.wait_for(state="visible", timeout=PAGE_TIMEOUT_MS)
        tables = page.locator('[data-testid="stDataFrame"]')
        tables.first.wait_for(state="visible", timeout=PAGE_TIMEOUT_MS)
        wait_for_script(page)
        assert title.is_visible()
        assert tables.count() == 3 and tables.nth(1).is_visible()  # athletes, runs, latest imports (expander)
        assert page.locator('[data-testid="stException"]').count() == 0
        runs = page.locator('[data-testid="stMetric"]').filter(has_text="Runs")
        shown = runs.locator('[data-testid="stMetricValue"]').inner_text().strip()
    finally:
        page.close()
    assert shown == str(expected_runs)


def test_upload_a_fit_file_through_the_file_input_and_find_it_in_the_run_explorer(server, browser, tmp_path):
    url, _ = server
    fit = tmp_path / "browser morning run.fit"
    fit.write_bytes(run_file([Stretch(600, 2.8), Stretch(1500, 3.1), Stretch(600, 2.9)],
                             start=datetime(2026, 6, 7, 6, 45, tzinfo=UTC)))
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(url, timeout=PAGE_TIMEOUT_MS)
        page.get_by_role("heading", name="Core & Cadence").wait_for(timeout=PAGE_TIMEOUT_MS)
        wait_for_script(page)
        runs_before = int(page.locator('[data-testid="stMetric"]').filter(has_text="Runs")
                          .locator('[data-testid="stMetricValue"]').inner_text())

        open_by_sidebar(page, "Import")
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(str(fit))
        page.get_by_text("1 file ready for").first.wait_for(timeout=PAGE_TIMEOUT_MS)  # the upload reached the app
        wait_for_script(page)
        page.get_by_text("A new athlete", exact=True).click()
        wait_for_script(page)
        name = page.get_by_label("New athlete's name", exact=True)
        name.fill("Eve Browser")
        name.press("Enter")
        wait_for_script(page)
        page.get_by_role("button", name="Import", exact=True).click()
        page.get_by_text("1 imported").first.wait_for(timeout=PAGE_TIMEOUT_MS)
        wait_for_script(page)
        assert_no_error(page)

        page.get_by_role("button", name="Open the newest imported run in the Run explorer").click()
        page.get_by_role("heading", name="Run explorer", exact=True).wait_for(timeout=PAGE_TIMEOUT_MS)
        wait_for_script(page)
        chosen = page.locator('[data-testid="stSelectbox"]').filter(has_text="Run of Eve Browser")
        inputs = chosen.locator("input")
        shown = " ".join([chosen.inner_text(), *(inputs.nth(i).input_value() for i in range(inputs.count()))])
        assert fit.name in shown
        page.locator('[data-testid="stPlotlyChart"]').first.wait_for(state="visible", timeout=PAGE_TIMEOUT_MS)
        assert_no_error(page)

        open_by_sidebar(page, "Overview")
        runs_after = int(page.locator('[data-testid="stMetric"]').filter(has_text="Runs")
                         .locator('[data-testid="stMetricValue"]').inner_text())
    finally:
        page.screenshot(path=str(tmp_path / "upload.png"), full_page=True)
        page.close()
    assert runs_after == runs_before + 1


def test_hostile_names_and_files_are_shown_as_text_never_run(server, browser, tmp_path):
    """An athlete and a file named with HTML and markdown, and a hostile FIT file, uploaded through the page:
    the names appear as written on every page, no element or script of theirs ever exists in the DOM, and
    the hostile file is reported failed with its reason while the good one imports."""
    from attack_files import fit_tiny_messages

    url, _ = server
    good = tmp_path / '<img src=x onerror="window.__xss=1">.fit'
    good.write_bytes(run_file([Stretch(1500, 3.0)], start=datetime(2026, 6, 9, 6, 30, tzinfo=UTC)))
    hostile = tmp_path / "ones.fit"
    hostile.write_bytes(fit_tiny_messages())
    athlete = '<img src=y onerror="window.__xss=2"> **Mal** [x](javascript:alert(1))'
    page = browser.new_page(viewport={"width": 1400, "height": 1400})
    try:
        page.goto(url, timeout=PAGE_TIMEOUT_MS)
        page.get_by_role("heading", name="Core & Cadence").wait_for(timeout=PAGE_TIMEOUT_MS)
        wait_for_script(page)
        open_by_sidebar(page, "Import")
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files([str(good), str(hostile)])
        page.get_by_text("2 files ready for").first.wait_for(timeout=PAGE_TIMEOUT_MS)
        wait_for_script(page)
        page.get_by_text("A new athlete", exact=True).click()
        wait_for_script(page)
        name = page.get_by_label("New athlete's name", exact=True)
        name.fill(athlete)
        name.press("Enter")
        wait_for_script(page)
        page.get_by_role("button", name="Import", exact=True).click()
        page.get_by_text("1 imported, 1 failed").first.wait_for(timeout=PAGE_TIMEOUT_MS)
        wait_for_script(page)
        assert page.get_by_text("fewer than 2 bytes each on average").count() >= 1

        for link, title in PAGES:
            open_by_sidebar(page, link)
            page.get_by_role("heading", name=title, exact=True).first.wait_for(timeout=PAGE_TIMEOUT_MS)
            assert page.evaluate("window.__xss") is None, link
            assert page.locator("img[src=x], img[src=y], a[href^='javascript']").count() == 0, link
            # The app bolds names itself ("For **<name>**"); the name's own **Mal** must not become bold.
            assert page.locator('[data-testid="stApp"] strong').filter(has_text=re.compile(r"^Mal$")).count() == 0
        open_by_sidebar(page, "Run explorer")
        assert page.get_by_text(athlete).count() >= 1  # the name as typed, characters and all
        assert page.evaluate("window.__xss") is None
    finally:
        page.screenshot(path=str(tmp_path / "hostile.png"), full_page=True)
        page.close()
