"""The HTML report of `centrix fit --report`, rendered by a real browser (headless Chromium driven by
Selenium): the scatter shows the palette's colours, the page runs without JavaScript errors, the
animation plays and its slider reaches the final frame, and a 3-D view turns when dragged.

Chromium and its driver come from Debian (installed here with apt-get when missing and we are
root); Selenium uses that driver and never downloads anything; the report is opened as a file://
URL, so no network is needed once the packages are there."""

import importlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

import numpy as np
import pytest

# Tableau 10: cluster j is drawn in PALETTE[j % 10].
PALETTE = ["#4E79A7", "#F28E2B", "#E15759", "#76B7B2", "#59A14F",
           "#EDC948", "#B07AA1", "#FF9DA7", "#9C755F", "#BAB0AC"]
WINDOW = (1400, 1000)
XHTML = "{http://www.w3.org/1999/xhtml}"
SVG = "{http://www.w3.org/2000/svg}"


def rgb(hex_colour):
    return tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))


# --- what the browser needs ------------------------------------------------------------------------


def python_module(name, package):
    """Imports `name`, installing `package` with pip first when it is missing."""
    try:
        return importlib.import_module(name)
    except ImportError:
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", package], capture_output=True, timeout=600)
        importlib.invalidate_caches()
        return pytest.importorskip(name, reason=f"Python package {package} missing and pip could not install it")


def chromedriver_path():
    return shutil.which("chromedriver") or next(
        (p for p in ("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver") if os.access(p, os.X_OK)), None)


def ensure_chromium():
    """Returns (chromium, chromedriver), installing Debian's chromium and chromium-driver when missing."""
    if shutil.which("chromium") and chromedriver_path():
        return shutil.which("chromium"), chromedriver_path()
    if os.geteuid() != 0:
        pytest.skip("chromium or chromedriver missing and not root: run apt-get install -y chromium chromium-driver")
    if not shutil.which("apt-get"):
        pytest.skip("chromium or chromedriver missing and no apt-get to install them")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    install = ["apt-get", "install", "-y", "-o", "DPkg::Lock::Timeout=600", "chromium", "chromium-driver"]
    result = subprocess.run(install, capture_output=True, text=True, env=env, timeout=1800)
    if result.returncode != 0:  # stale package lists: refresh them once and try again
        subprocess.run(["apt-get", "update", "-o", "DPkg::Lock::Timeout=600"], capture_output=True, env=env,
                       timeout=900)
        result = subprocess.run(install, capture_output=True, text=True, env=env, timeout=1800)
    if result.returncode != 0 or not shutil.which("chromium") or not chromedriver_path():
        tail = (result.stderr or result.stdout).strip().splitlines()[-3:]
        pytest.skip("could not install chromium chromium-driver with apt-get (no network?): " + " | ".join(tail))
    return shutil.which("chromium"), chromedriver_path()


@pytest.fixture(scope="module")
def pil_image():
    return python_module("PIL.Image", "pillow")


@pytest.fixture(scope="module")
def driver(request, tmp_path_factory):
    """One headless Chromium for the whole module, closed by a finalizer."""
    chromium, chromedriver = ensure_chromium()
    python_module("selenium", "selenium")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    previous = os.environ.get("SE_OFFLINE")
    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must not look for (or download) anything

    def restore_environment():
        if previous is None:
            os.environ.pop("SE_OFFLINE", None)
        else:
            os.environ["SE_OFFLINE"] = previous

    request.addfinalizer(restore_environment)
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
                     f"--window-size={WINDOW[0]},{WINDOW[1]}", "--force-device-scale-factor=1",
                     "--hide-scrollbars", "--no-first-run", "--no-default-browser-check",
                     "--disable-background-networking", "--disable-extensions"]:
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(executable_path=chromedriver, log_output=str(tmp_path_factory.mktemp("chromedriver") / "log"))
    browser = webdriver.Chrome(service=service, options=options)
    request.addfinalizer(browser.quit)
    browser.set_page_load_timeout(60)
    return browser


# --- the reports -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def s1_report(centrix, franti, tmp_path_factory):
    """The report of s1 (5000 x 2, 15 clusters), with the same run's labels and summary."""
    out = tmp_path_factory.mktemp("report-s1")
    centrix("fit", franti / "s1.txt", "-k", 15, "--seed", 1, "--report", out / "s1.html",
            "--labels", out / "labels.txt", "--summary", out / "summary.json")
    return {"html": out / "s1.html", "k": 15, "labels": np.loadtxt(out / "labels.txt", dtype=int),
            "summary": json.loads((out / "summary.json").read_text())}


@pytest.fixture(scope="module")
def blobs3d_report(centrix, tmp_path_factory):
    out = tmp_path_factory.mktemp("report-3d")
    centrix("generate", "blobs", "--n", 3000, "--d", 3, "--centers", 4, "--seed", 2, "-o", out / "X.npy")
    centrix("fit", out / "X.npy", "-k", 4, "--seed", 2, "--report", out / "X.html")
    return {"html": out / "X.html", "k": 4}


def open_report(driver, path):
    driver.get("about:blank")
    driver.get_log("browser")  # nothing of an earlier page is counted against this one
    driver.get(path.resolve().as_uri())
    deadline = time.monotonic() + 30
    while driver.execute_script("return document.readyState") != "complete":
        assert time.monotonic() < deadline, "the report did not finish loading"
        time.sleep(0.05)
    time.sleep(0.3)  # let load handlers draw


def assert_no_js_errors(driver, entries=None):
    entries = driver.get_log("browser") if entries is None else entries
    severe = [e["message"] for e in entries if e.get("level") == "SEVERE"]
    assert severe == [], f"JavaScript errors in the report: {severe}"


def find(driver, css):
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, css)


def into_view(element):
    """Scrolls `element` to the middle of the window (Chromium's element screenshots are cut to the
    window, and the mouse can only reach what is in it)."""
    element.parent.execute_script("arguments[0].scrollIntoView({block: 'center', inline: 'center'});", element)
    return element


def png(element, pil_image):
    image = pil_image.open(io.BytesIO(into_view(element).screenshot_as_png)).convert("RGB")
    width, height = element.size["width"], element.size["height"]
    assert abs(image.size[0] - width) <= 2 and abs(image.size[1] - height) <= 2, \
        f"a screenshot of {image.size} for an element of {width} x {height}"
    return image


def palette_colours_seen(image, tolerance=8, min_pixels=40):
    """The palette colours that at least `min_pixels` pixels show, each pixel within `tolerance` per
    channel of the colour painted over the white background at an opacity from 0.5 to 1 (points may be
    drawn translucent, and anti-aliased edges blend with the background). `min_pixels` is far more than
    the anti-aliased edges of grey text give the near-grey #BAB0AC, far less than a cluster's points."""
    pixels = np.asarray(image, dtype=np.float64) - 255.0
    seen = []
    for colour in PALETTE:
        d = np.array(rgb(colour), dtype=np.float64) - 255.0
        alpha = np.clip(pixels @ d / (d @ d), 0.5, 1.0)
        residual = np.abs(pixels - alpha[..., None] * d).max(axis=2)
        if int((residual <= tolerance).sum()) >= min_pixels:
            seen.append(colour)
    return seen


def differs(a, b):
    return a.size != b.size or np.abs(np.asarray(a, dtype=np.int16) - np.asarray(b, dtype=np.int16)).max() > 0


def fills(driver, css):
    return driver.execute_script(
        "return Array.from(document.querySelectorAll(arguments[0])).map(e => e.getAttribute('fill'));", css)


# --- the file itself ------------------------------------------------------------------------------


def test_report_is_one_self_contained_polyglot_file(s1_report):
    text = s1_report["html"].read_text(encoding="utf-8")
    assert text.lstrip().lower().startswith("<!doctype html>")
    root = ET.fromstring(re.sub(r"^\s*<!DOCTYPE html>", "", text, flags=re.IGNORECASE))  # well-formed XML
    assert root.tag == XHTML + "html", "polyglot markup puts <html> in the XHTML namespace"
    ids = {e.get("id"): e.tag for e in root.iter() if e.get("id")}
    for svg_id in ("scatter", "animation-view", "convergence"):
        assert ids.get(svg_id) == SVG + "svg", f"#{svg_id} is not an <svg> in the SVG namespace"
    assert ids.get("summary") == XHTML + "table"
    assert ids.get("sample-note") == XHTML + "p"
    assert ids.get("play") == XHTML + "button"
    assert ids.get("frame-slider") == XHTML + "input"
    assert ids.get("frame-label") == XHTML + "span"
    for element in root.iter():  # nothing loaded from elsewhere
        for attribute in ("src", "href", "{http://www.w3.org/1999/xlink}href"):
            value = element.get(attribute)
            assert value is None or value.startswith(("#", "data:")), f"<{element.tag}> loads {value}"
    assert not re.search(r"@import|url\(\s*['\"]?(?!data:|#)", text)


# --- the rendered page ----------------------------------------------------------------------------


def test_scatter_shows_the_palette_and_the_page_has_no_errors(driver, s1_report, pil_image, tmp_path):
    open_report(driver, s1_report["html"])
    k = s1_report["k"]
    point_fills = fills(driver, "#scatter .point")
    assert point_fills, "no .point in #scatter"
    assert {f.upper() for f in point_fills} <= set(PALETTE), "a point is filled outside the palette"
    assert len({f.upper() for f in point_fills}) == min(k, 10)
    assert len(driver.find_elements("css selector", "#scatter .center")) == k
    labels = s1_report["labels"]
    if len(point_fills) == len(labels):  # every point drawn: each colour covers its clusters' points
        expected = np.bincount(labels % 10, minlength=10)
        seen = np.array([sum(f.upper() == c for f in point_fills) for c in PALETTE])
        np.testing.assert_array_equal(seen, expected)
    note = find(driver, "#sample-note").text
    assert note.strip(), "#sample-note is empty"

    page = pil_image.open(io.BytesIO(driver.get_screenshot_as_png())).convert("RGB")
    page.save(tmp_path / "page.png")
    scatter = png(find(driver, "#scatter"), pil_image)
    scatter.save(tmp_path / "scatter.png")
    assert scatter.size[0] >= 200 and scatter.size[1] >= 200, f"scatter drawn at {scatter.size}"
    seen = palette_colours_seen(scatter)
    assert len(seen) >= min(k, 10), f"palette colours on screen: {seen} (screenshots in {tmp_path})"
    loaded = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert loaded == [], f"the report loads other files: {loaded}"
    assert_no_js_errors(driver)


def test_summary_and_convergence_are_filled_in(driver, s1_report):
    open_report(driver, s1_report["html"])
    summary = find(driver, "#summary")
    assert summary.is_displayed()
    text = summary.text
    assert "15" in text
    assert len(summary.find_elements("css selector", "tr")) >= 3
    convergence = find(driver, "#convergence")
    assert convergence.is_displayed()
    assert convergence.size["width"] > 100 and convergence.size["height"] > 50
    drawn = driver.execute_script(
        "return document.querySelectorAll('#convergence path, #convergence polyline, #convergence circle,"
        " #convergence line').length")
    assert drawn > 0, "#convergence draws nothing"
    assert_no_js_errors(driver)


def slider_state(driver):
    return driver.execute_script(
        "const s = document.getElementById('frame-slider');"
        "return [Number(s.value), Number(s.min || 0), Number(s.max || 100)];")


def test_play_advances_the_animation_about_four_frames_a_second(driver, s1_report, pil_image):
    open_report(driver, s1_report["html"])
    value, low, high = slider_state(driver)
    assert value == low, "the animation does not start at frame 0"
    assert high - low >= 2, f"only {high - low + 1} frames"
    view = find(driver, "#animation-view")
    play = find(driver, "#play")
    assert "play" in play.text.lower()
    before = png(view, pil_image)
    label_before = find(driver, "#frame-label").text

    play.click()
    started = time.monotonic()
    assert "pause" in play.text.lower(), f"the button reads {play.text!r} while playing"
    time.sleep(1.5)
    after = png(view, pil_image)
    value, _, _ = slider_state(driver)
    elapsed = time.monotonic() - started
    assert value > low, "the slider did not move while playing"
    assert differs(before, after), "#animation-view looks the same after playing 1.5 s"
    assert find(driver, "#frame-label").text != label_before
    if value < high:  # not yet at the end: about 4 frames a second
        assert 2 <= value - low <= 4 * elapsed + 2, f"{value - low} frames in {elapsed:.1f} s"

    # It stops at the last frame, and the button offers Play again.
    deadline = time.monotonic() + (high - value) / 4 * 2 + 3
    while slider_state(driver)[0] < high and time.monotonic() < deadline:
        time.sleep(0.1)
    assert slider_state(driver)[0] == high, "playing did not reach the last frame"
    time.sleep(0.6)
    assert slider_state(driver)[0] == high
    assert "play" in play.text.lower() and "pause" not in play.text.lower(), \
        f"the button reads {play.text!r} after the animation stopped"
    assert_no_js_errors(driver)


def test_pause_stops_the_animation(driver, s1_report):
    open_report(driver, s1_report["html"])
    _, low, high = slider_state(driver)
    play = find(driver, "#play")
    play.click()
    time.sleep(0.6)
    play.click()
    assert "play" in play.text.lower() and "pause" not in play.text.lower()
    paused_at = slider_state(driver)[0]
    time.sleep(1.0)
    assert slider_state(driver)[0] == paused_at, "the animation went on after Pause"
    assert low < paused_at < high or high - low <= 3
    assert_no_js_errors(driver)


def test_dragging_the_slider_to_the_end_shows_the_final_frame(driver, s1_report, pil_image):
    from selenium.webdriver.common.action_chains import ActionChains

    open_report(driver, s1_report["html"])
    value, low, high = slider_state(driver)
    view = find(driver, "#animation-view")
    first = png(view, pil_image)
    slider = into_view(find(driver, "#frame-slider"))
    ActionChains(driver).click_and_hold(slider).move_by_offset(slider.size["width"], 0).release().perform()
    time.sleep(0.3)
    value, _, _ = slider_state(driver)
    assert value == high, f"the slider stopped at {value} of {high}"
    last = png(view, pil_image)
    assert differs(first, last), "#animation-view did not change when the slider was dragged"
    # The final frame is the fit's result: the same clusters and centers as the scatter.
    assert fills(driver, "#animation-view .point") == fills(driver, "#scatter .point")
    final, fitted = centers_drawn(driver, "animation-view"), centers_drawn(driver, "scatter")
    assert len(final) == len(fitted) == s1_report["k"]
    np.testing.assert_allclose(final, fitted, atol=0.6, err_msg="the last frame's centers are not the fit's")
    assert_no_js_errors(driver)
    # The label names the run's last iteration (the summary's n_iter), or says this is the end.
    label = find(driver, "#frame-label").text
    n_iter = s1_report["summary"]["n_iter"]
    numbers = [int(n) for n in re.findall(r"\d+", label)]
    assert n_iter in numbers or re.search(r"\b(final|last)\b", label, re.IGNORECASE), \
        f"at the last frame #frame-label reads {label!r}: it names neither the last iteration ({n_iter}) nor the end"


def centers_drawn(driver, svg_id):
    """The middles of the .center markers of one SVG, in its own units, sorted."""
    middles = driver.execute_script(
        "return Array.from(document.querySelectorAll('#' + arguments[0] + ' .center')).map(e => {"
        "  const b = e.getBBox(); return [b.x + b.width / 2, b.y + b.height / 2]; });", svg_id)
    return np.array(sorted(map(tuple, middles))).reshape(-1, 2)


def test_demo_report_renders(driver, centrix, pil_image, tmp_path):
    centrix("demo", "-o", tmp_path / "demo")
    report = tmp_path / "demo" / "report.html"
    assert report.exists()
    open_report(driver, report)
    k = len(json.loads((tmp_path / "demo" / "summary.json").read_text())["centers"])
    assert len(palette_colours_seen(png(find(driver, "#scatter"), pil_image))) >= min(k, 10)
    for element_id in ("animation-view", "play", "frame-slider", "frame-label", "convergence", "summary",
                       "sample-note"):
        assert find(driver, "#" + element_id).is_displayed(), f"#{element_id} is not shown"
    assert_no_js_errors(driver)


def test_3d_view_turns_when_dragged(driver, blobs3d_report, pil_image, tmp_path):
    from selenium.webdriver.common.action_chains import ActionChains

    open_report(driver, blobs3d_report["html"])
    canvas = find(driver, "#view-3d")
    assert canvas.tag_name == "canvas"
    assert canvas.size["width"] >= 200 and canvas.size["height"] >= 200
    before = png(canvas, pil_image)  # scrolled into view for the drag too
    before.save(tmp_path / "before.png")
    seen = palette_colours_seen(before)
    assert len(seen) >= blobs3d_report["k"], f"palette colours in the 3-D view: {seen}"
    ActionChains(driver).click_and_hold(canvas).move_by_offset(60, 0).move_by_offset(60, 40) \
        .release().perform()
    time.sleep(0.3)
    after = png(canvas, pil_image)
    after.save(tmp_path / "after.png")
    assert differs(before, after), f"the 3-D view did not turn (screenshots in {tmp_path})"
    assert len(palette_colours_seen(after)) >= blobs3d_report["k"]
    assert_no_js_errors(driver)
