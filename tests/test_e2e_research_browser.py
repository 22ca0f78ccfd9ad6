"""The trend and report-card charts in a real browser: uPlot, served from our
static files under the app's CSP, draws a canvas with data and nothing is
logged as an error.  Skips like tests/test_e2e_browser.py without chromium."""
from __future__ import annotations

from test_e2e_browser import _no_console_errors, browser, pytestmark, server, shoot, wait  # noqa: F401

pytest_plugins = ["web_fixtures"]

# Pixels of the canvas that are not blank: a drawn line leaves some.
INKED = """
const canvas = document.querySelector(arguments[0] + ' canvas');
if (!canvas || !canvas.width) return 0;
const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
let inked = 0;
for (let i = 3; i < data.length; i += 4) if (data[i] > 0) inked++;
return inked;
"""


def test_trend_chart_is_drawn_with_no_console_errors(browser, server):
    browser.get(server + "/trend?q=%E6%89%A7%E6%B3%95&q=%E5%8F%8C%E9%9A%8F%E6%9C%BA")
    wait(browser, lambda d: d.execute_script("return document.getElementById('trend-chart').dataset.drawn"))
    assert browser.execute_script(INKED, "#trend-chart") > 500
    legend = browser.execute_script("return document.querySelector('#trend-chart .u-legend').textContent")
    assert "执法" in legend and "双随机" in legend
    shoot(browser, "trend-desktop")
    _no_console_errors(browser)
    # One query: a second chart, its reports split by province (asked for: the
    # default split is by agency kind, and the samples are all 卫生健康 bureaus).
    browser.get(server + "/trend?q=%E6%89%A7%E6%B3%95&split=province")
    wait(browser, lambda d: d.execute_script("return document.getElementById('trend-groups-chart').dataset.drawn"))
    legend = browser.execute_script("return document.querySelector('#trend-groups-chart .u-legend').textContent")
    assert "广东省" in legend and "青海省" in legend
    _no_console_errors(browser)


def test_cards_chart_and_kwic_at_phone_width(browser, server):
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                            {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True})
    try:
        browser.get(server + "/cards")
        wait(browser, lambda d: d.execute_script("return document.getElementById('cards-chart').dataset.drawn"))
        assert browser.execute_script(INKED, "#cards-chart") > 200
        shoot(browser, "cards-phone")
        browser.get(server + "/kwic?q=%E6%89%A7%E6%B3%95")
        width = browser.execute_script("return document.documentElement.scrollWidth")
        assert width <= browser.execute_script("return window.innerWidth"), "nothing scrolls sideways"
        shoot(browser, "kwic-phone")
        _no_console_errors(browser)
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_a_click_on_a_trend_point_opens_its_search(browser, server):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    browser.get(server + "/trend?q=%E6%89%A7%E6%B3%95&measure=passages")
    wait(browser, lambda d: d.execute_script("return document.getElementById('trend-chart').dataset.drawn"))
    over = browser.find_element(By.CSS_SELECTOR, "#trend-chart .u-over")
    # Near the right edge of the plot: the last year's point (offsets are from the centre).
    ActionChains(browser).move_to_element_with_offset(over, over.size["width"] // 2 - 2, 0).perform()
    ActionChains(browser).click().perform()
    wait(browser, lambda d: "/search?" in d.current_url)
    assert "year=2024" in browser.current_url and "q=%E6%89%A7%E6%B3%95" in browser.current_url
    _no_console_errors(browser)
