// The charts that explain the choice, drawn with the bundled Chart.js (static/vendor), each with
// a sentence and a table for screen readers: memory per device, buy-or-rent break-even (recurring
// use only), cost against time. Exposes window.SpiceCharts.
"use strict";
(function () {
  const F = window.SpiceFormat;
  const $ = (id) => document.getElementById(id);
  // Okabe-Ito colours: distinguishable with the common colour-vision deficiencies.
  const TIER_COLORS = {buy: "#0072B2", mac: "#CC79A7", rent: "#E69F00", free: "#009E73",
                       reference: "#8a8a8a"};
  const MEMORY_PARTS = [["weights", "weights", "#0072B2"], ["kv_cache", "KV cache", "#E69F00"],
                        ["activations", "activations", "#009E73"], ["gradients", "gradients", "#D55E00"],
                        ["optimizer", "optimizer", "#CC79A7"], ["overhead", "overhead", "#56B4E9"]];
  const live = {};  // canvas id -> Chart

  function theme() {
    const css = getComputedStyle(document.documentElement);
    return {text: css.getPropertyValue("--text-muted").trim() || "#444",
            strong: css.getPropertyValue("--text").trim() || "#000",
            bg: css.getPropertyValue("--bg").trim() || "#fff",
            grid: css.getPropertyValue("--border").trim() || "#ddd",
            free: css.getPropertyValue("--surface-2").trim() || "#eee"};
  }

  function draw(id, config) {
    if (live[id]) live[id].destroy();
    const t = theme();
    window.Chart.defaults.color = t.text;
    window.Chart.defaults.borderColor = t.grid;
    window.Chart.defaults.font.size = 13;
    config.options = {responsive: true, maintainAspectRatio: false, animation: false,
                      ...config.options};
    live[id] = new window.Chart($(id), config);
  }

  function clear() {
    for (const id of Object.keys(live)) { live[id].destroy(); delete live[id]; }
  }

  function table(container, head, rows) {
    const t = document.createElement("table");
    t.className = "data";
    const tr = document.createElement("tr");
    head.forEach((h) => { const th = document.createElement("th"); th.scope = "col"; th.textContent = h; tr.appendChild(th); });
    const thead = document.createElement("thead");
    thead.appendChild(tr);
    const tbody = document.createElement("tbody");
    rows.forEach((r) => {
      const row = document.createElement("tr");
      r.forEach((c) => { const td = document.createElement("td"); td.textContent = c; row.appendChild(td); });
      tbody.appendChild(row);
    });
    t.append(thead, tbody);
    container.replaceChildren(t);
  }

  function show(box, on) { $(box).hidden = !on; }

  // ---- memory -------------------------------------------------------------------------------
  function memory(o, name) {
    const m = o.estimate && o.estimate.memory;
    if (!m) { show("memory-box", false); return; }
    show("memory-box", true);
    const parts = MEMORY_PARTS.filter(([k]) => (m[`${k}_gb`] || 0) > 0);
    const spare = Math.max(m.capacity_gb - m.per_device_gb, 0);
    const datasets = parts.map(([k, label, color]) => ({label, data: [m[`${k}_gb`]], backgroundColor: color}));
    if (spare > 0) datasets.push({label: "free", data: [spare], backgroundColor: theme().free});
    $("memory-caption").textContent = `Memory per device: ${name}`;
    draw("memory-chart", {
      type: "bar", data: {labels: ["per device"], datasets},
      options: {indexAxis: "y", plugins: {legend: {position: "bottom"},
                tooltip: {callbacks: {label: (c) => `${c.dataset.label}: ${F.gb(c.raw)}`}}},
                scales: {x: {stacked: true, max: Math.max(m.capacity_gb, m.per_device_gb),
                             title: {display: true, text: "GB per device"},
                             ticks: {callback: (v) => `${+v.toFixed(1)} GB`, maxRotation: 0, maxTicksLimit: 6}},
                         y: {stacked: true, display: false}}},
    });
    const over = m.per_device_gb > m.capacity_gb;
    $("memory-text").textContent = `${F.gb(m.per_device_gb)} needed per device of ` +
      `${F.gb(m.capacity_gb)} usable${over ? ": it does not fit" : ""}; ` +
      parts.map(([k, label]) => `${label} ${F.gb(m[`${k}_gb`])}`).join(", ") + ".";
    table($("memory-table"), ["part", "GB per device"],
      parts.map(([k, label]) => [label, m[`${k}_gb`].toFixed(2)])
        .concat([["needed", m.per_device_gb.toFixed(2)], ["usable capacity", m.capacity_gb.toFixed(2)]]));
  }

  // ---- break-even ---------------------------------------------------------------------------
  function ownedPick(plan, byId) {
    const pick = plan.picks && plan.picks.best_owned && byId[plan.picks.best_owned.option];
    if (pick && pick.ownership) return pick;
    const rec = byId[plan.recommendation.option];
    if (rec && rec.ownership && F.usable(rec)) return rec;
    return window.SpiceResults.bestOwned(plan);
  }

  function rentalFor(plan, byId, owned) {
    const named = byId[owned.ownership.versus_rent_option];
    if (named && F.usable(named)) return named;
    const pick = plan.picks && plan.picks.best_rental && byId[plan.picks.best_rental.option];
    return pick || plan.options.find((o) => o.tier === "rent" && F.usable(o)) || null;
  }

  function breakEven(plan, byId) {
    const text = $("break-even-text");
    if (!plan.job || plan.job.kind !== "serving") {
      show("break-even-box", false);
      return "a one-off job: buying only pays off with recurring use";
    }
    const owned = ownedPick(plan, byId);
    const rental = owned && rentalFor(plan, byId, owned);
    if (!owned || !rental) { show("break-even-box", false); return "no usable option to own and rent"; }
    show("break-even-box", true);
    const own = owned.ownership, months = plan.job.months;
    const running = own.usd_per_month - own.depreciation_usd_per_month;
    const rentPerMonth = rental.id === own.versus_rent_option && own.rent_usd_per_hour_equivalent
      ? own.rent_usd_per_hour_equivalent * plan.job.usage_hours_per_month : rental.cost_usd / months;
    // Where the cash lines cross: the planner's figure against its own comparable rental, else
    // the same arithmetic against the rental drawn here.
    const be = rental.id === own.versus_rent_option ? own.break_even_months
      : rentPerMonth > running ? own.purchase_usd / (rentPerMonth - running) : null;
    const horizon = be && be > months && be <= 2 * months ? Math.min(be * 1.15, 120) : months;
    const steps = 24;
    const xs = Array.from({length: steps + 1}, (_, i) => horizon * i / steps);
    const cash = (m) => own.purchase_usd + running * m;
    const net = (m) => Math.min(own.depreciation_usd_per_month * m, own.purchase_usd) + running * m;
    const R = window.SpiceResults;
    $("break-even-caption").textContent =
      `Buy ${R.title(owned)} or rent ${R.title(rental)}: cumulative cost`;
    draw("break-even-chart", {
      type: "line",
      data: {datasets: [
        {label: "buy: cash paid", data: xs.map((m) => ({x: m, y: cash(m)})),
         borderColor: TIER_COLORS[owned.tier], backgroundColor: TIER_COLORS[owned.tier], pointRadius: 0, borderWidth: 2.5},
        {label: "buy, less its value left", data: xs.map((m) => ({x: m, y: net(m)})),
         borderColor: TIER_COLORS[owned.tier], backgroundColor: TIER_COLORS[owned.tier], borderDash: [6, 4], pointRadius: 0, borderWidth: 2},
        {label: "rent", data: xs.map((m) => ({x: m, y: rentPerMonth * m})),
         borderColor: TIER_COLORS.rent, backgroundColor: TIER_COLORS.rent, pointRadius: 0, borderWidth: 2.5},
      ]},
      options: {parsing: false, plugins: {legend: {position: "bottom", labels: {boxHeight: 2}},
                tooltip: {mode: "index", intersect: false,
                          callbacks: {title: (c) => `month ${c[0].parsed.x.toFixed(0)}`,
                                      label: (c) => `${c.dataset.label}: ${F.money(c.parsed.y)}`}}},
                scales: {x: {type: "linear", min: 0, max: horizon, title: {display: true, text: "months of use"},
                             ticks: {callback: (v) => `${v}`, maxTicksLimit: 8}},
                         y: {min: 0, title: {display: true, text: "cumulative cost (USD)"},
                             ticks: {callback: moneyTick, maxTicksLimit: 6}}}},
    });
    const when = be && Number.isFinite(be)
      ? (be > months
        ? `Within your ${+months.toFixed(1)}-month horizon renting stays cheaper; buying would ` +
          `pay for itself only after ${F.hours(be * 730)}.`
        : `Buying pays for itself after ${be.toFixed(1)} months at this use.`)
      : `At this use buying never pays for itself${own.break_even_never_reason ? `: ${R.humanize(own.break_even_never_reason)}` : ""}.`;
    text.textContent = `Buying ${R.title(owned)} costs ${F.money(own.purchase_usd)} up front and ` +
      `${F.money(running)} a month to run; renting ${R.title(rental)} for the same ` +
      `${Math.round(plan.job.usage_hours_per_month)} hours costs ${F.money(rentPerMonth)} a month. ${when}`;
    const marks = [0, 0.25, 0.5, 0.75, 1].map((f) => horizon * f);
    table($("break-even-table"), ["month", "buy: cash paid", "buy: less value left", "rent"],
      marks.map((m) => [m.toFixed(0), F.money(cash(m)), F.money(net(m)), F.money(rentPerMonth * m)]));
    return null;
  }

  // ---- cost against time --------------------------------------------------------------------
  // Axis ticks in the axis's own unit: 5 h, 10 h, 200 h; $500, $1k, $20k.
  function compact(v) {
    return v >= 1000 ? Math.round(v).toLocaleString("en-US") : String(+v.toPrecision(2));
  }

  function moneyTick(v) {
    if (v >= 1e6) return `$${+(v / 1e6).toPrecision(3)}M`;
    if (v >= 1e3) return `$${+(v / 1e3).toPrecision(3)}k`;
    return `$${+v.toPrecision(2)}`;
  }

  function tickLabel(fmt) {
    return (v) => {
      const mant = v / 10 ** Math.floor(Math.log10(v) + 1e-9);
      return [1, 2, 5].some((k) => Math.abs(mant - k) < 1e-6) ? fmt(v) : "";
    };
  }

  function costTime(plan) {
    const R = window.SpiceResults;
    const serve = R.serving(plan);
    const time = (o) => (serve ? o.request_s : o.hours);
    const usable = plan.options.filter((o) => F.usable(o) && o.tier !== "reference");
    const plotted = usable.filter((o) => time(o) > 0 && o.cost_usd > 0);
    const free = usable.filter((o) => !(o.cost_usd > 0));
    const rec = plan.recommendation.option;
    $("cost-time-caption").textContent = serve ? "Cost over the horizon against seconds per request"
                                               : "Cost of the job against hours to finish";
    if (!plotted.length) { show("cost-time-box", false); return; }
    show("cost-time-box", true);
    const point = (o) => ({x: time(o), y: o.cost_usd, label: R.title(o), id: o.id});
    const xs = plotted.map(time), ys = plotted.map((o) => o.cost_usd);
    const span = (v, f) => ({min: Math.min(...v) / f, max: Math.max(...v) * f});
    const datasets = ["buy", "mac", "rent"].map((tier) => ({
      label: tier === "rent" ? "rent" : tier === "mac" ? "Mac" : "buy",
      data: plotted.filter((o) => o.tier === tier && o.id !== rec).map(point),
      backgroundColor: TIER_COLORS[tier], borderColor: TIER_COLORS[tier], pointRadius: 4,
    })).filter((d) => d.data.length);
    const recOpt = plotted.find((o) => o.id === rec);
    if (recOpt) {
      datasets.unshift({label: "recommended", data: [point(recOpt)], backgroundColor: theme().strong,
                        borderColor: theme().bg, borderWidth: 2, pointRadius: 8, pointStyle: "rectRot"});
    }
    const fmtTime = serve ? F.seconds : F.hours;
    draw("cost-time-chart", {
      type: "scatter", data: {datasets},
      options: {plugins: {legend: {position: "bottom"},
                tooltip: {callbacks: {label: (c) => `${c.raw.label}: ${fmtTime(c.raw.x)}, ${F.money(c.raw.y)}`}}},
                scales: {x: {type: "logarithmic", ...span(xs, 1.4), title: {display: true, text: serve ? "seconds per request (log scale)" : "hours to finish (log scale)"},
                             ticks: {callback: tickLabel((v) => `${compact(v)} ${serve ? "s" : "h"}`), autoSkip: false, maxRotation: 0}},
                         y: {type: "logarithmic", ...span(ys, 1.6), title: {display: true, text: "cost, USD (log scale)"},
                             ticks: {callback: tickLabel(moneyTick)}}}},
    });
    const cheapest = plotted.reduce((a, b) => (b.cost_usd < a.cost_usd ? b : a));
    const fastest = plotted.reduce((a, b) => (time(b) < time(a) ? b : a));
    const out = plan.options.length - usable.length;
    $("cost-time-text").textContent = `${plotted.length} usable options plotted. Cheapest paid: ` +
      `${R.title(cheapest)} (${F.money(cheapest.cost_usd)}, ${fmtTime(time(cheapest))}); fastest: ` +
      `${R.title(fastest)} (${fmtTime(time(fastest))}, ${F.money(fastest.cost_usd)}).` +
      (free.length ? ` Free (not on the log scale): ${free.map(R.title).join(", ")}.` : "") +
      (out ? ` ${out} options that are out are not plotted.` : "");
    const front = new Set(plan.pareto);
    const rows = plotted.filter((o) => front.has(o.id)).sort((a, b) => time(a) - time(b));
    table($("cost-time-table"), ["option", serve ? "per request" : "time", "cost"],
      (rows.length ? rows : [cheapest, fastest]).map((o) => [R.title(o), fmtTime(time(o)), F.money(o.cost_usd)]));
  }

  function render(plan, byId) {
    const rec = byId[plan.recommendation.option];
    const shown = rec || plan.options.find(F.usable) || plan.options.find((o) => o.fits) ||
      plan.options[0];
    if (shown) memory(shown, window.SpiceResults.title(shown));
    else show("memory-box", false);
    breakEven(plan, byId);
    costTime(plan);
  }

  window.SpiceCharts = {render, clear, TIER_COLORS};
})();
