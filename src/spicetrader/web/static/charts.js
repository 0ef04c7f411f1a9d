// Inline SVG charts drawn from the plan JSON: no library, no network.
// Exposes window.SpiceCharts = {memoryBar, breakEven, costTime}.
"use strict";
(function () {
  const NS = "http://www.w3.org/2000/svg";
  const TIER_COLORS = {buy: "#1f77b4", mac: "#9467bd", rent: "#ff7f0e", free: "#2ca02c",
                       reference: "#7f7f7f"};

  function el(name, attrs, text) {
    const node = document.createElementNS(NS, name);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function svg(width, height, label) {
    return el("svg", {viewBox: `0 0 ${width} ${height}`, width: "100%", role: "img",
                      "aria-label": label, class: "spice-chart"});
  }

  function money(v) {
    if (v === 0) return "$0";
    if (Math.abs(v) >= 1e6) return "$" + (v / 1e6).toFixed(1) + "M";
    if (Math.abs(v) >= 1e3) return "$" + (v / 1e3).toFixed(1) + "k";
    return "$" + v.toFixed(v < 10 ? 2 : 0);
  }

  // Memory per device against capacity: one stacked bar.
  function memoryBar(container, memory) {
    const parts = [["weights", "#1f77b4"], ["kv_cache", "#ff7f0e"], ["activations", "#2ca02c"],
                   ["gradients", "#d62728"], ["optimizer", "#9467bd"], ["overhead", "#8c564b"]];
    const W = 1000, H = 90, x0 = 10, barW = 980;
    const total = Math.max(memory.per_device_gb, memory.capacity_gb, 1e-9);
    const s = svg(W, H, "memory per device against capacity");
    let x = x0;
    parts.forEach(([key, color]) => {
      const gb = memory[key + "_gb"] || 0;
      if (gb <= 0) return;
      const w = gb / total * barW;
      const rect = el("rect", {x, y: 10, width: w, height: 30, fill: color, class: "mem-part"});
      rect.appendChild(el("title", {}, `${key.replace("_", " ")}: ${gb.toFixed(1)} GB`));
      s.appendChild(rect);
      x += w;
    });
    const capX = x0 + memory.capacity_gb / total * barW;
    s.appendChild(el("line", {x1: capX, x2: capX, y1: 4, y2: 46, stroke: "#000",
                              "stroke-width": 2, class: "capacity"}));
    const over = memory.per_device_gb > memory.capacity_gb;
    s.appendChild(el("text", {x: x0, y: 64, class: over ? "bad" : ""},
      `${memory.per_device_gb.toFixed(1)} GB needed per device of ${memory.capacity_gb.toFixed(1)}` +
      ` GB${over ? " — does not fit" : ""}`));
    let lx = x0;
    parts.forEach(([key, color]) => {
      s.appendChild(el("rect", {x: lx, y: 74, width: 10, height: 10, fill: color}));
      s.appendChild(el("text", {x: lx + 14, y: 83, class: "legend"}, key.replace("_", " ")));
      lx += 100;
    });
    container.replaceChildren(s);
  }

  // Axes helper: linear or log scales onto a plot box.
  function scale(min, max, a, b, log) {
    const f = log ? Math.log10 : (v) => v;
    const lo = f(min), hi = f(max) === f(min) ? f(min) + 1 : f(max);
    return (v) => a + (f(v) - lo) / (hi - lo) * (b - a);
  }

  function axes(s, box, xLabel, yLabel) {
    s.appendChild(el("line", {x1: box.l, x2: box.r, y1: box.b, y2: box.b, class: "axis"}));
    s.appendChild(el("line", {x1: box.l, x2: box.l, y1: box.t, y2: box.b, class: "axis"}));
    s.appendChild(el("text", {x: (box.l + box.r) / 2, y: box.b + 34, class: "axis-label",
                              "text-anchor": "middle"}, xLabel));
    s.appendChild(el("text", {x: 12, y: (box.t + box.b) / 2, class: "axis-label",
                              transform: `rotate(-90 12 ${(box.t + box.b) / 2})`,
                              "text-anchor": "middle"}, yLabel));
  }

  function tick(s, x, y, text, anchor) {
    s.appendChild(el("text", {x, y, class: "tick", "text-anchor": anchor}, text));
  }

  // Cumulative cash of owning (purchase + running costs) against renting the same hours.
  // lines: [{label, tier, start_usd, usd_per_month, break_even_months}],
  // rent: {label, usd_per_month}
  function breakEven(container, lines, rent, horizonMonths) {
    const W = 640, H = 320, box = {l: 70, r: 620, t: 20, b: 270};
    const s = svg(W, H, "buy versus rent break-even");
    if (!lines.length || !rent) {
      s.appendChild(el("text", {x: 20, y: 40}, "No option to buy and rent side by side."));
      container.replaceChildren(s);
      return;
    }
    const months = Math.max(horizonMonths, 1);
    const all = lines.concat([{start_usd: 0, usd_per_month: rent.usd_per_month}]);
    const yMax = Math.max(...all.map((l) => l.start_usd + l.usd_per_month * months)) * 1.05;
    const sx = scale(0, months, box.l, box.r, false), sy = scale(0, yMax, box.b, box.t, false);
    axes(s, box, "months", "cumulative USD");
    for (let i = 0; i <= 4; i++) {
      tick(s, sx(months * i / 4), box.b + 16, (months * i / 4).toFixed(0), "middle");
      tick(s, box.l - 6, sy(yMax * i / 4) + 4, money(yMax * i / 4), "end");
    }
    const draw = (line, color, cls) => {
      s.appendChild(el("line", {x1: sx(0), y1: sy(line.start_usd), x2: sx(months),
        y2: sy(line.start_usd + line.usd_per_month * months), stroke: color,
        "stroke-width": 2, class: cls}));
    };
    draw({start_usd: 0, usd_per_month: rent.usd_per_month}, TIER_COLORS.rent, "series rent");
    lines.forEach((line, i) => {
      draw(line, TIER_COLORS[line.tier] || "#333", "series own");
      const m = line.break_even_months;  // the planner's figure; the lines cross there
      if (m && m <= months) {
        s.appendChild(el("circle", {cx: sx(m), cy: sy(m * rent.usd_per_month), r: 5,
                                    class: "break-even-point"}));
        tick(s, sx(m), sy(m * rent.usd_per_month) - 10, `break-even ${m.toFixed(1)} mo`,
             "middle");
      }
      legend(s, box.l + 10, box.t + 14 + 16 * i, TIER_COLORS[line.tier] || "#333", line.label);
    });
    legend(s, box.l + 10, box.t + 14 + 16 * lines.length, TIER_COLORS.rent, rent.label);
    container.replaceChildren(s);
  }

  function legend(s, x, y, color, text) {
    s.appendChild(el("rect", {x, y: y - 9, width: 10, height: 10, fill: color}));
    s.appendChild(el("text", {x: x + 14, y, class: "legend"}, text));
  }

  // Each option as a point: time (x: hours to finish, or seconds per request when serving)
  // against cost (y), log scales; the Pareto set outlined, the recommendation larger.
  // A cost of $0 (free tiers) sits on the bottom edge.
  function costTime(container, points, unit) {
    const W = 640, H = 320, box = {l: 70, r: 620, t: 20, b: 270};
    const s = svg(W, H, "cost versus time");
    const usable = points.filter((p) => p.time > 0 && p.cost_usd !== null && p.cost_usd >= 0);
    if (!usable.length) {
      s.appendChild(el("text", {x: 20, y: 40}, "No option with a time and a cost to show."));
      container.replaceChildren(s);
      return;
    }
    const paid = usable.filter((p) => p.cost_usd > 0).map((p) => p.cost_usd);
    const yMin = paid.length ? Math.min(...paid) / 2 : 0.5;
    const yMax = paid.length ? Math.max(...paid) * 2 : 1;
    const ts = usable.map((p) => p.time);
    const xMin = Math.min(...ts) / 2, xMax = Math.max(...ts) * 2;
    const sx = scale(xMin, xMax, box.l, box.r, true);
    const sy = scale(yMin, yMax, box.b, box.t, true);
    axes(s, box, `${unit} (log)`, "cost USD (log)");
    tick(s, box.l - 6, box.b + 4, money(yMin), "end");
    tick(s, box.l - 6, box.t + 4, money(yMax), "end");
    tick(s, box.l, box.b + 16, `${xMin.toPrecision(2)} ${unit}`, "start");
    tick(s, box.r, box.b + 16, `${xMax.toPrecision(2)} ${unit}`, "end");
    usable.forEach((p) => {
      const c = el("circle", {cx: sx(p.time), cy: sy(Math.max(p.cost_usd, yMin)),
        r: p.recommended ? 7 : 4.5, fill: TIER_COLORS[p.tier] || "#333",
        class: "point" + (p.pareto ? " pareto" : "") + (p.recommended ? " recommended" : "")});
      c.appendChild(el("title", {}, `${p.label}: ${p.time.toPrecision(3)} ${unit}, ` +
                                    `${money(p.cost_usd)}`));
      s.appendChild(c);
    });
    Object.entries(TIER_COLORS).forEach(([tier, color], i) =>
      legend(s, box.r - 90, box.t + 14 + 16 * i, color, tier));
    container.replaceChildren(s);
  }

  window.SpiceCharts = {memoryBar, breakEven, costTime, money};
})();
