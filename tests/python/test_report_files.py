"""The pictures of `centrix fit/meanshift --plot/--report`: well-formed XML, the marks
the contract of docs/pictures.md promises, no external references, the embedded
data agreeing with the marks, and small files for a million points."""

import json
import xml.etree.ElementTree as ET

import pytest

SVG = "{http://www.w3.org/2000/svg}"
XHTML = "{http://www.w3.org/1999/xhtml}"
TABLEAU10 = ["#4E79A7", "#F28E2B", "#E15759", "#76B7B2", "#59A14F",
             "#EDC948", "#B07AA1", "#FF9DA7", "#9C755F", "#BAB0AC"]


def class_counts(element):
    counts = {}
    for e in element.iter():
        name = e.get("class")
        if name:
            counts[name] = counts.get(name, 0) + 1
    return counts


def by_id(root, wanted):
    matches = [e for e in root.iter() if e.get("id") == wanted]
    assert len(matches) <= 1, f"id {wanted} is not unique"
    return matches[0] if matches else None


def local(tag):
    return tag.split("}")[-1]


def report_data(root):
    """The JSON of <script id="report-data">, without its CDATA wrapper lines."""
    text = by_id(root, "report-data").text.strip()
    assert text.startswith("//") and text.endswith("//")
    return json.loads(text[2:-2])


def assert_self_contained(root):
    for e in root.iter():
        assert local(e.tag) not in ("link", "img", "iframe", "object", "embed", "image")
        if local(e.tag) == "script":
            assert "src" not in e.attrib
        for name, value in e.attrib.items():
            if local(name) in ("src", "href"):
                assert not value.startswith(("http://", "https://", "//")), (e.tag, name, value)
        if local(e.tag) == "style":
            assert "@import" not in e.text and "url(" not in e.text


def summary_rows(root):
    table = by_id(root, "summary")
    assert local(table.tag) == "table"
    rows = {}
    for tr in table.iter(XHTML + "tr"):
        th, td = tr.find(XHTML + "th"), tr.find(XHTML + "td")
        rows[th.text] = td.text
    return rows


def fit_pictures(centrix, tmp_path, data, *args):
    svg, html = tmp_path / "clusters.svg", tmp_path / "report.html"
    centrix("fit", data, *args, "--plot", svg, "--report", html)
    return svg, html


def test_s1_scatter_and_report(centrix, franti, tmp_path):
    svg_path, html_path = fit_pictures(centrix, tmp_path, franti / "s1.txt", "-k", 15, "--seed", 2,
                                       "--true-centers", franti / "s1-cb.txt")
    svg = ET.parse(svg_path).getroot()
    assert svg.tag == SVG + "svg" and svg.get("id") == "scatter"
    counts = class_counts(svg)
    assert (counts["point"], counts["center"], counts["true-center"]) == (5000, 15, 15)
    fills = {e.get("fill") for e in svg.iter() if e.get("class") == "point"}
    assert fills == set(TABLEAU10)  # 15 clusters: every colour, the first five twice
    texts = [e.text for e in svg.iter(SVG + "text")]
    assert "x0" in texts and "x1" in texts

    html = ET.parse(html_path).getroot()
    assert html.tag == XHTML + "html"
    assert_self_contained(html)
    scatter = by_id(html, "scatter")
    assert scatter.tag == SVG + "svg"
    counts = class_counts(scatter)
    assert (counts["point"], counts["center"], counts["true-center"]) == (5000, 15, 15)
    animation = class_counts(by_id(html, "animation-view"))
    assert (animation["point"], animation["center"]) == (5000, 15)
    convergence = by_id(html, "convergence")
    lines = class_counts(convergence)
    assert lines["inertia-line"] == lines["shift-line"] == 1
    assert all(local(e.tag) == "path" for e in convergence.iter() if e.get("class") in ("inertia-line", "shift-line"))
    assert any("log scale" in (e.text or "") for e in convergence.iter(SVG + "text"))

    rows = summary_rows(html)
    for name in ("n", "d", "k", "metric", "init", "inertia", "iterations", "converged", "swaps", "seconds",
                 "centroid index", "warnings"):
        assert name in rows, name
    assert (rows["n"], rows["d"], rows["k"], rows["centroid index"]) == ("5000", "2", "15", "0")

    assert by_id(html, "play").text == "Play"
    slider = by_id(html, "frame-slider")
    assert (slider.get("type"), slider.get("min")) == ("range", "0")
    assert by_id(html, "sample-note").text == "showing all 5,000 points"
    assert by_id(html, "view-3d") is None

    data = report_data(html)
    assert data["palette"] == TABLEAU10
    assert data["n_drawn"] == len(data["labels"]) == len(data["points"]["x"]) == 5000
    assert (data["n_centers"], data["n_true_centers"]) == (15, 15)
    frames = data["frames"]
    assert len(frames) == int(slider.get("max")) + 1 >= 2
    assert by_id(html, "frame-label").text == f"frame 1 of {len(frames)}"
    for frame in frames:
        assert len(frame["centers"]["x"]) == 15
        assert len(frame["labels"]) in (0, 5000 * data["label_width"])
    assert frames[0]["centers"] != frames[-1]["centers"]  # playing moves the centers


def test_dim032_is_drawn_on_principal_components(centrix, franti, tmp_path):
    svg_path, html_path = fit_pictures(centrix, tmp_path, franti / "dim032.txt", "-k", 16,
                                       "--true-centers", franti / "dim032_gt.txt")
    svg = ET.parse(svg_path).getroot()
    labels = [e.text for e in svg.iter(SVG + "text") if e.get("class") == "axis-label"]
    assert len(labels) == 2
    assert labels[0].startswith("PC1 (") and labels[0].endswith("% of variance)")
    assert labels[1].startswith("PC2 (")
    counts = class_counts(svg)
    assert (counts["point"], counts["center"], counts["true-center"]) == (1024, 16, 16)
    assert by_id(ET.parse(html_path).getroot(), "view-3d") is None


def test_three_columns_get_a_3d_view(centrix, tmp_path):
    data = tmp_path / "b3.npy"
    centrix("generate", "blobs", "--n", 3000, "--d", 3, "--centers", 4, "--seed", 5, "-o", data)
    _, html_path = fit_pictures(centrix, tmp_path, data, "-k", 4)
    html = ET.parse(html_path).getroot()
    canvas = by_id(html, "view-3d")
    assert local(canvas.tag) == "canvas" and int(canvas.get("width")) > 0 and int(canvas.get("height")) > 0
    view = report_data(html)["view3d"]
    assert view["axis_labels"] == ["x0", "x1", "x2"]
    assert len(view["points"]) == 3 * 3000 and len(view["centers"]) == 3 * 4
    assert all(-1 <= v <= 1 for v in view["points"])


def test_meanshift_report(centrix, tmp_path):
    data = tmp_path / "b.csv"
    centrix("generate", "blobs", "--n", 2000, "--d", 2, "--centers", 3, "--std", 0.5, "--seed", 4, "-o", data)
    html_path = tmp_path / "ms.html"
    centrix("meanshift", data, "--bandwidth", 2, "--report", html_path, "--plot", tmp_path / "ms.svg")
    html = ET.parse(html_path).getroot()
    assert_self_contained(html)
    counts = class_counts(by_id(html, "scatter"))
    assert (counts["point"], counts["center"]) == (2000, 3)
    assert by_id(html, "convergence") is None
    assert summary_rows(html)["clusters"] == "3"
    data = report_data(html)
    slider = by_id(html, "frame-slider")
    assert len(data["frames"]) == int(slider.get("max")) + 1
    assert class_counts(by_id(html, "animation-view"))["center"] == len(data["frames"][0]["centers"]["x"])
    ET.parse(tmp_path / "ms.svg")


def test_one_million_points_give_a_small_report(centrix, tmp_path):
    data = tmp_path / "big.npy"
    centrix("generate", "blobs", "--n", 1_000_000, "--d", 2, "--centers", 10, "--seed", 1, "-o", data)
    svg_path, html_path = fit_pictures(centrix, tmp_path, data, "-k", 10, "--refine", "none", "--max-iter", 30)
    assert html_path.stat().st_size < 1_500_000
    assert svg_path.stat().st_size < 600_000
    html = ET.parse(html_path).getroot()
    assert by_id(html, "sample-note").text == "showing 5,000 of 1,000,000 points (uniform sample)"
    assert class_counts(by_id(html, "scatter"))["point"] == 5000
    assert report_data(html)["n_drawn"] == 5000


@pytest.mark.parametrize("flags", [["--plot-points", "0"], ["--plot-frames", "1"], ["--projection", "3d"],
                                   ["--projection", "sideways"]])
def test_bad_picture_flags_write_nothing(centrix, tmp_path, flags):
    data = tmp_path / "b.csv"
    centrix("generate", "blobs", "--n", 100, "--d", 2, "--centers", 2, "--seed", 1, "-o", data)
    result = centrix("fit", data, "-k", 2, *flags, "--plot", tmp_path / "p.svg", "--report", tmp_path / "r.html",
                     check=False)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: ")
    assert not (tmp_path / "p.svg").exists() and not (tmp_path / "r.html").exists()
