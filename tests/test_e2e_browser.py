"""End to end in a real browser: Debian's headless Chromium through selenium,
against the real waitress server over an index of the bundled samples.

Skips, saying why, when chromium or chromedriver is not installed
(``scripts/install_browser.sh`` installs them when run as root).
Set ``FAZHI_SCREENSHOTS=/some/dir`` to keep screenshots of the pages it visits.
"""
from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

pytest_plugins = ["web_fixtures"]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
_missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not Path(path).exists()]
pytestmark = pytest.mark.skipif(
    bool(_missing), reason=f"{' and '.join(_missing)} missing: run scripts/install_browser.sh as root "
                           "(apt-get install chromium chromium-driver)")

IN_VIEWPORT = """
const rect = arguments[0].getBoundingClientRect();
return {top: rect.top, bottom: rect.bottom, height: window.innerHeight};
"""


@pytest.fixture(scope="module")
def server(web_index):
    import waitress

    from search_web import create_app

    app = create_app({"INDEX_DIR": web_index})
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()
    app.extensions["fazhi_index"].close()


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,900", "--lang=zh-CN", "--hide-scrollbars"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def shoot(driver, name: str) -> None:
    folder = os.environ.get("FAZHI_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(Path(folder) / f"{name}.png"))


def wait(driver, condition, timeout: float = 10):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(lambda d: condition(d))


def search_for_shuang_suiji(driver, base: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver.get(base + "/")
    box = driver.find_element(By.ID, "q")
    assert driver.switch_to.active_element == box, "the search box should have focus"
    box.send_keys("双随机" + Keys.ENTER)
    wait(driver, lambda d: "/search" in d.current_url and d.find_elements(By.CSS_SELECTOR, ".hit"))
    assert driver.find_elements(By.CSS_SELECTOR, ".snippet mark")
    shoot(driver, "search-desktop")


def toggle_first_agency(driver) -> str:
    from selenium.webdriver.common.by import By

    facet = driver.find_element(By.CSS_SELECTOR, ".facets .facet a")
    agency = facet.find_element(By.CSS_SELECTOR, ".value").text
    facet.click()
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, ".active-filters"))
    metas = [m.text for m in driver.find_elements(By.CSS_SELECTOR, ".hit-meta")]
    assert metas and all(agency in meta for meta in metas)
    assert driver.find_element(By.CSS_SELECTOR, ".facets a.on .value").text == agency
    return agency


def test_search_filter_open_result_and_see_the_passage(browser, server):
    from selenium.webdriver.common.by import By

    search_for_shuang_suiji(browser, server)
    toggle_first_agency(browser)
    browser.find_element(By.CSS_SELECTOR, ".hit-title a").click()
    wait(browser, lambda d: "/p/" in d.current_url)
    passage_id = unquote(urlsplit(browser.current_url).path).rsplit("/", 1)[1]
    target = browser.find_element(By.ID, passage_id)
    assert "target" in target.get_attribute("class").split()
    assert target.find_elements(By.TAG_NAME, "mark"), "the query's terms are marked"
    rect = wait(browser, lambda d: _visible(d.execute_script(IN_VIEWPORT, target)))
    assert 0 <= rect["top"] < rect["height"], rect
    shoot(browser, "passage-desktop")
    _copy_link(browser)
    _no_console_errors(browser)


def _visible(rect: dict) -> dict | None:
    """The passage's top is on screen (scrolling is smooth in some browsers)."""
    return rect if 0 <= rect["top"] < rect["height"] and rect["bottom"] > 0 else None


def _copy_link(driver) -> None:
    from selenium.webdriver.common.by import By

    driver.find_element(By.CSS_SELECTOR, "button[data-copy=permalink]").click()
    status = driver.find_element(By.ID, "copy-status")
    wait(driver, lambda d: status.text.strip())
    assert "复制" in status.text


def _no_console_errors(driver) -> None:
    """A CSP violation or a script error shows up as a SEVERE console entry."""
    try:
        logs = driver.get_log("browser")
    except Exception:  # pragma: no cover - a driver without the log endpoint
        return
    errors = [entry["message"] for entry in logs if entry["level"] == "SEVERE"]
    assert not errors, errors


def test_search_page_at_phone_width(browser, server):
    from selenium.webdriver.common.by import By

    # Headless windows have a minimum width; emulate the phone's viewport instead.
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                            {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True})
    try:
        browser.get(server + "/search?q=%E5%8F%8C%E9%9A%8F%E6%9C%BA")
        width = browser.execute_script("return document.documentElement.scrollWidth")
        viewport = browser.execute_script("return window.innerWidth")
        assert viewport <= 400
        assert width <= viewport, "nothing should scroll sideways at phone width"
        assert browser.find_element(By.ID, "q").is_displayed()
        shoot(browser, "search-phone")
        browser.get(server + "/p/r2022-0177ae4c5d-0012?q=%E6%89%A7%E6%B3%95")
        shoot(browser, "passage-phone")
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_printing_a_passage_keeps_the_text_and_drops_the_chrome(browser, server, tmp_path):
    """Print to PDF (backgrounds off, as browsers print by default): the cited
    passage's text is there, the search box and the contents are not."""
    import base64
    import re
    import unicodedata

    from pdfminer.high_level import extract_text
    from selenium.webdriver.common.by import By

    browser.get(server + "/p/r2022-0177ae4c5d-0012?q=%E6%89%A7%E6%B3%95")
    cited = browser.find_element(By.ID, "r2022-0177ae4c5d-0012").text
    pdf = browser.execute_cdp_cmd("Page.printToPDF", {"printBackground": False, "paperWidth": 8.27,
                                                      "paperHeight": 11.69})
    path = tmp_path / "passage.pdf"
    path.write_bytes(base64.b64decode(pdf["data"]))
    # NFKC: pdfminer reads some glyphs of Noto CJK as Kangxi radicals (⽣ for 生).
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", extract_text(str(path))))
    assert unicodedata.normalize("NFKC", re.sub(r"\s+", "", cited.replace("¶12", "")))[:40] in text
    assert "搜索语法" not in text and "复制链接" not in text and "目录（" not in text
    assert "[EB/OL]" in text                         # the citation prints with the report's header


def test_back_link_returns_to_the_same_results(browser, server):
    from selenium.webdriver.common.by import By

    query = "/search?q=%E6%89%A7%E6%B3%95&agency=%E9%98%B3%E6%B1%9F&sort=date&page=2&per_page=5"
    browser.get(server + query)
    browser.find_element(By.CSS_SELECTOR, ".hit-title a").click()
    wait(browser, lambda d: "/p/" in d.current_url)
    browser.find_element(By.CSS_SELECTOR, ".back a").click()
    wait(browser, lambda d: "/search" in d.current_url)
    back = urlsplit(browser.current_url)
    from urllib.parse import parse_qs

    assert parse_qs(back.query) == parse_qs(urlsplit(query).query)
    assert browser.find_element(By.CSS_SELECTOR, ".pager strong").text == "2"


def test_the_phone_filter_button_opens_the_filters_above_the_results(browser, server):
    from selenium.webdriver.common.by import By

    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                            {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True})
    try:
        browser.get(server + "/search?q=%E6%89%A7%E6%B3%95")
        button = browser.find_element(By.CSS_SELECTOR, "[data-filters-toggle]")
        facets = browser.find_element(By.ID, "facets")
        assert button.is_displayed() and button.text.startswith("筛选")
        assert not facets.is_displayed(), "closed: the results come first"
        results = browser.find_element(By.CSS_SELECTOR, ".results")
        assert button.location["y"] < results.location["y"]
        button.click()
        wait(browser, lambda d: facets.is_displayed())
        assert button.get_attribute("aria-expanded") == "true"
        assert facets.location["y"] < results.location["y"], "the filters open above the results"
        shoot(browser, "filters-phone")
        facets.find_element(By.CSS_SELECTOR, "#facet-agency li a").click()      # a filter works from there
        wait(browser, lambda d: "agency=" in d.current_url)
        assert browser.find_element(By.CSS_SELECTOR, "[data-filters-toggle]").text.startswith("筛选（已选 1 项）")
        browser.get(server + "/kwic?q=%E6%89%A7%E6%B3%95")
        # KWIC keeps its centred column: every match starts at about the same x.
        lefts = browser.execute_script("return [...document.querySelectorAll('.kwic td.match')].slice(0, 8)"
                                       ".map(e => e.getBoundingClientRect().left)")
        assert len(lefts) == 8 and max(lefts) - min(lefts) < 60
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_printing_a_passage_prints_that_passage_on_a4(browser, server, tmp_path):
    """The passage, its report's header, citation and permalink, on A4; not the
    rest of the report."""
    import base64
    import re
    import unicodedata

    from pdfminer.high_level import extract_pages, extract_text
    from selenium.webdriver.common.by import By

    browser.get(server + "/p/r2022-0177ae4c5d-0012?q=%E6%89%A7%E6%B3%95")
    other = browser.find_element(By.ID, "r2022-0177ae4c5d-0020").text
    permalink = browser.find_element(By.ID, "permalink").get_attribute("value")
    pdf = browser.execute_cdp_cmd("Page.printToPDF", {"printBackground": False, "preferCSSPageSize": True})
    path = tmp_path / "passage.pdf"
    path.write_bytes(base64.b64decode(pdf["data"]))
    pages = list(extract_pages(str(path)))
    assert len(pages) == 1
    width, height = pages[0].width, pages[0].height
    assert abs(width - 595) < 3 and abs(height - 842) < 3, (width, height)       # A4 in points
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", extract_text(str(path))))
    assert "[EB/OL]" in text and permalink in text
    assert unicodedata.normalize("NFKC", re.sub(r"\s+", "", other))[:30] not in text
