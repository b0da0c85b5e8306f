// The stylesheet and the script of the HTML report, embedded in the library
// so that the report is one self-contained file.
//
// Both are placed inside CDATA sections (see html.cpp), so they must never
// contain the three characters "]]>" nor the text "</" followed by "script" or
// "style"; the unit tests check that the rendered report parses as XML.
#pragma once

namespace centrix::plot::detail {

/// The report's CSS: system fonts only, nothing loaded from elsewhere.
inline constexpr const char* kReportCss = R"CSS(
body { font-family: Helvetica, Arial, sans-serif; color: #222222; max-width: 1000px; margin: 24px auto;
       padding: 0 16px; line-height: 1.4; }
h1 { font-size: 22px; margin-bottom: 4px; }
h2 { font-size: 18px; margin-top: 32px; border-bottom: 1px solid #DDDDDD; padding-bottom: 4px; }
p.note, #sample-note { color: #555555; font-size: 14px; }
svg, canvas { display: block; max-width: 100%; height: auto; }
#view-3d { border: 1px solid #DDDDDD; cursor: grab; touch-action: none; }
#view-3d.dragging { cursor: grabbing; }
.controls { display: flex; align-items: center; gap: 12px; margin: 8px 0; flex-wrap: wrap; }
#play { min-width: 72px; padding: 4px 12px; font-size: 14px; }
#frame-slider { flex: 1; min-width: 200px; }
#frame-label { font-variant-numeric: tabular-nums; font-weight: bold; }
#frame-detail { color: #555555; }
table#summary { border-collapse: collapse; font-size: 14px; }
#summary th { text-align: left; font-weight: normal; color: #555555; padding: 3px 24px 3px 0; vertical-align: top; }
#summary td { padding: 3px 0; font-variant-numeric: tabular-nums; }
)CSS";

/// The report's script: the animation of the iterations (play/pause button and
/// slider) and the 3-D view rotated by dragging. Plain browser JavaScript, no
/// libraries, nothing loaded from the network.
inline constexpr const char* kReportScript = R"JS(
(function () {
  'use strict';
  var SVG_NS = 'http://www.w3.org/2000/svg';

  function byId(id) { return document.getElementById(id); }

  // The data sits in <script id="report-data"> inside a CDATA section, which
  // keeps the file well-formed XML; the wrapper lines are stripped here.
  function readData() {
    var text = byId('report-data').textContent;
    text = text.replace(/^\s*\/\/\s*(<!\[CDATA\[)?/, '').replace(/\/\/\s*(\]\]>)?\s*$/, '');
    return JSON.parse(text);
  }

  var data = readData();

  // ---- Colours and markers: the same rules as centrix::plot::color_of / marker_of.
  function colorOf(label) {
    return label < 0 ? data.noise_color : data.palette[label % data.palette.length];
  }
  function markerOf(label) {
    return label < 0 ? data.markers[0] : data.markers[Math.floor(label / data.palette.length) % data.markers.length];
  }
  // Vertices of the polygon markers, in units of the marker radius (as in svg.cpp).
  var SHAPES = {
    'triangle': [[0, -1.25], [1.1, 0.65], [-1.1, 0.65]],
    'diamond': [[0, -1.25], [1.25, 0], [0, 1.25], [-1.25, 0]],
    'triangle-down': [[0, 1.25], [1.1, -0.65], [-1.1, -0.65]],
    'hexagon': [[0, -1.1], [0.95, -0.55], [0.95, 0.55], [0, 1.1], [-0.95, 0.55], [-0.95, -0.55]],
    'center': [[0, -1.3], [1, 0], [0, 1.3], [-1, 0]]
  };
  function round1(v) { return Math.round(v * 10) / 10; }
  function polygonPoints(unit, x, y, r) {
    var parts = [];
    for (var i = 0; i < unit.length; i++) parts.push(round1(x + unit[i][0] * r) + ',' + round1(y + unit[i][1] * r));
    return parts.join(' ');
  }
  // One SVG marker element of class `cls`, centred at (x, y).
  function makeMarker(shape, x, y, r, fill, cls) {
    var el;
    if (shape === 'circle') {
      el = document.createElementNS(SVG_NS, 'circle');
      el.setAttribute('cx', round1(x));
      el.setAttribute('cy', round1(y));
      el.setAttribute('r', r);
    } else if (shape === 'square') {
      el = document.createElementNS(SVG_NS, 'rect');
      el.setAttribute('x', round1(x - 0.9 * r));
      el.setAttribute('y', round1(y - 0.9 * r));
      el.setAttribute('width', round1(1.8 * r));
      el.setAttribute('height', round1(1.8 * r));
    } else {
      el = document.createElementNS(SVG_NS, 'polygon');
      el.setAttribute('points', polygonPoints(SHAPES[shape], x, y, r));
    }
    el.setAttribute('class', cls);
    el.setAttribute('fill', fill);
    return el;
  }
  function makeCenter(x, y, r, fill) {
    var el = makeMarker('center', x, y, r, fill, 'center');
    el.setAttribute('stroke', '#000000');
    el.setAttribute('stroke-width', '1.5');
    return el;
  }

  // ---- Frame labels: each frame stores its points' labels as one string,
  // label_width digits (base label_digits.length) per point, encoding label + 1;
  // an empty string means "the final labels" (data.labels).
  var digitValue = {};
  for (var d = 0; d < data.label_digits.length; d++) digitValue[data.label_digits.charAt(d)] = d;
  function decodeLabels(text) {
    if (!text) return data.labels;
    var width = data.label_width, base = data.label_digits.length;
    var n = text.length / width, out = new Array(n);
    for (var i = 0; i < n; i++) {
      var v = 0;
      for (var j = 0; j < width; j++) v = v * base + digitValue[text.charAt(i * width + j)];
      out[i] = v - 1;
    }
    return out;
  }

  // ---- The animation: the slider picks a frame, the button plays them.
  function setupAnimation() {
    var frames = data.frames;
    var slider = byId('frame-slider'), button = byId('play');
    var label = byId('frame-label'), detail = byId('frame-detail');
    var pointLayer = byId('animation-view-points'), centerLayer = byId('animation-view-centers');
    if (!slider || !button || !pointLayer || !centerLayer || frames.length === 0) return;
    var px = data.points.x, py = data.points.y;
    var pointEls = [];
    for (var c = pointLayer.firstElementChild; c !== null; c = c.nextElementSibling) pointEls.push(c);
    var shown = decodeLabels(frames[0].labels);  // the labels drawn now (frame 0 is in the markup)
    var current = 0, timer = null;

    function showFrame(f) {
      f = Math.max(0, Math.min(frames.length - 1, Math.round(f)));
      var frame = frames[f];
      var labels = decodeLabels(frame.labels);
      for (var i = 0; i < pointEls.length; i++) {
        var l = labels[i];
        if (l === shown[i]) continue;
        var shape = markerOf(l);
        if (shape === markerOf(shown[i])) {
          pointEls[i].setAttribute('fill', colorOf(l));
        } else {  // another shape: replace the element
          var el = makeMarker(shape, px[i], py[i], data.point_radius, colorOf(l), 'point');
          pointLayer.replaceChild(el, pointEls[i]);
          pointEls[i] = el;
        }
      }
      shown = labels;
      while (centerLayer.firstChild) centerLayer.removeChild(centerLayer.firstChild);
      var seeds = frame.center_labels && frame.center_labels.length > 0;
      for (var j = 0; j < frame.centers.x.length; j++) {
        centerLayer.appendChild(makeCenter(frame.centers.x[j], frame.centers.y[j],
                                           seeds ? data.seed_radius : data.center_radius,
                                           seeds ? colorOf(frame.center_labels[j]) : '#FFFFFF'));
      }
      current = f;
      slider.value = String(f);
      label.textContent = 'frame ' + (f + 1) + ' of ' + frames.length + (f === frames.length - 1 ? ' (final)' : '');
      detail.textContent = frame.caption;
    }

    function stop() {
      if (timer !== null) clearInterval(timer);
      timer = null;
      button.textContent = 'Play';
    }
    function play() {
      if (current >= frames.length - 1) showFrame(0);  // at the end: start again
      button.textContent = 'Pause';
      timer = setInterval(function () {  // about 4 frames per second
        if (current < frames.length - 1) showFrame(current + 1);
        if (current >= frames.length - 1) stop();
      }, 250);
    }
    button.addEventListener('click', function () { if (timer === null) play(); else stop(); });
    slider.addEventListener('input', function () { showFrame(Number(slider.value)); });
    slider.addEventListener('change', function () { showFrame(Number(slider.value)); });
    showFrame(0);
  }

  // ---- The 3-D view: points in [-1, 1]^3, rotated by dragging, drawn back to front
  // with a mild perspective.
  function setup3d() {
    var canvas = byId('view-3d'), v = data.view3d;
    if (!canvas || !v || !canvas.getContext) return;
    var ctx = canvas.getContext('2d');
    var W = canvas.width, H = canvas.height;
    var yaw = -0.6, pitch = 0.35, scale = Math.min(W, H) * 0.2, distance = 7;
    var n = v.points.length / 3;

    function rotate(x, y, z) {  // around the vertical axis (yaw), then the horizontal one (pitch)
      var cy = Math.cos(yaw), sy = Math.sin(yaw), cp = Math.cos(pitch), sp = Math.sin(pitch);
      var x1 = cy * x + sy * z, z1 = -sy * x + cy * z;
      return [x1, cp * y - sp * z1, sp * y + cp * z1];
    }
    function project(x, y, z) {  // screen x, screen y, depth (larger is nearer), size factor
      var p = rotate(x, y, z), s = distance / (distance - p[2]);
      return [W / 2 + p[0] * scale * s, H / 2 - p[1] * scale * s, p[2], s];
    }
    function line(a, b) {
      ctx.beginPath();
      ctx.moveTo(a[0], a[1]);
      ctx.lineTo(b[0], b[1]);
      ctx.stroke();
    }
    function draw() {
      ctx.fillStyle = '#FFFFFF';
      ctx.fillRect(0, 0, W, H);
      // The box [-1, 1]^3, its three axes from the corner (-1, -1, -1) drawn darker and named.
      ctx.lineWidth = 1;
      ctx.strokeStyle = '#E0E0E0';
      var s = [-1, 1];
      for (var a = 0; a < 2; a++) {
        for (var b = 0; b < 2; b++) {
          line(project(-1, s[a], s[b]), project(1, s[a], s[b]));
          line(project(s[a], -1, s[b]), project(s[a], 1, s[b]));
          line(project(s[a], s[b], -1), project(s[a], s[b], 1));
        }
      }
      var origin = project(-1, -1, -1);
      var ends = [project(1.25, -1, -1), project(-1, 1.25, -1), project(-1, -1, 1.25)];
      ctx.strokeStyle = '#777777';
      ctx.fillStyle = '#333333';
      ctx.font = '12px Helvetica, Arial, sans-serif';
      for (var k = 0; k < 3; k++) {
        line(origin, ends[k]);
        ctx.fillText(v.axis_labels[k], ends[k][0] + 4, ends[k][1]);
      }
      // Points, far to near.
      var projected = new Array(n), order = new Array(n);
      for (var i = 0; i < n; i++) {
        projected[i] = project(v.points[3 * i], v.points[3 * i + 1], v.points[3 * i + 2]);
        order[i] = i;
      }
      order.sort(function (p, q) { return projected[p][2] - projected[q][2]; });
      var r = data.point_radius * 0.8;
      ctx.globalAlpha = 0.85;
      for (var o = 0; o < n; o++) {
        var idx = order[o], pr = projected[idx];
        ctx.fillStyle = colorOf(data.labels[idx]);
        ctx.beginPath();
        ctx.arc(pr[0], pr[1], r * pr[3], 0, 2 * Math.PI);
        ctx.fill();
      }
      ctx.globalAlpha = 1;
      // True centers as rings, found centers as white diamonds.
      ctx.lineWidth = 1.5;
      ctx.strokeStyle = '#000000';
      for (var t = 0; t < v.true_centers.length / 3; t++) {
        var tc = project(v.true_centers[3 * t], v.true_centers[3 * t + 1], v.true_centers[3 * t + 2]);
        ctx.beginPath();
        ctx.arc(tc[0], tc[1], 9, 0, 2 * Math.PI);
        ctx.stroke();
      }
      for (var m = 0; m < v.centers.length / 3; m++) {
        var cc = project(v.centers[3 * m], v.centers[3 * m + 1], v.centers[3 * m + 2]);
        ctx.beginPath();
        ctx.moveTo(cc[0], cc[1] - 9);
        ctx.lineTo(cc[0] + 7, cc[1]);
        ctx.lineTo(cc[0], cc[1] + 9);
        ctx.lineTo(cc[0] - 7, cc[1]);
        ctx.closePath();
        ctx.fillStyle = '#FFFFFF';
        ctx.fill();
        ctx.stroke();
      }
    }

    var dragging = false, lastX = 0, lastY = 0, pending = false;
    function redraw() {
      if (pending) return;
      pending = true;
      window.requestAnimationFrame(function () { pending = false; draw(); });
    }
    canvas.addEventListener('pointerdown', function (e) {
      dragging = true;
      lastX = e.clientX;
      lastY = e.clientY;
      canvas.classList.add('dragging');
      if (canvas.setPointerCapture) canvas.setPointerCapture(e.pointerId);
      e.preventDefault();
    });
    canvas.addEventListener('pointermove', function (e) {
      if (!dragging) return;
      yaw += (e.clientX - lastX) * 0.01;
      pitch = Math.max(-1.5, Math.min(1.5, pitch + (e.clientY - lastY) * 0.01));
      lastX = e.clientX;
      lastY = e.clientY;
      redraw();
    });
    function release() {
      dragging = false;
      canvas.classList.remove('dragging');
    }
    canvas.addEventListener('pointerup', release);
    canvas.addEventListener('pointercancel', release);
    draw();
  }

  setupAnimation();
  setup3d();
})();
)JS";

}  // namespace centrix::plot::detail
