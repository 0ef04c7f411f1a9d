// The workload form: posts to /api/plan and renders the plan (tables via DOM, charts via SVG).
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const TIERS = ["buy", "mac", "rent", "free"];

  function number(id) {
    const v = $(id).value.trim();
    return v === "" ? null : Number(v);
  }

  function fmtHours(h) {
    if (h === null || h === undefined) return "—";
    if (h < 1) return (h * 60).toFixed(1) + " min";
    if (h < 48) return h.toFixed(1) + " h";
    return (h / 24).toFixed(1) + " days";
  }

  // What an option's time means: seconds per request when serving (every option serves the
  // same hours a month), else hours of work to finish (and the calendar time when a free tier's
  // quota spreads it over weeks).
  function fmtTime(plan, o) {
    if (plan.job && plan.job.kind === "serving") {
      return o.request_s == null ? "—" : `${o.request_s.toFixed(1)} s/request`;
    }
    const text = fmtHours(o.hours);
    const cal = o.calendar_hours;
    return cal != null && o.hours != null && cal > o.hours * 1.05
      ? `${text} (${fmtHours(cal)} calendar)` : text;
  }

  function fmtUse(plan, o) {
    if (plan.job && plan.job.kind === "serving") {
      return o.hours == null ? "—" : `${Math.round(o.hours)} h/month`;
    }
    return fmtTime(plan, o);
  }

  function fmtMoney(v) {
    return v === null || v === undefined ? "—" : window.SpiceCharts.money(v);
  }

  function body() {
    const task = $("task").value;
    const data = {model: $("model").value.trim(), task};
    const precision = $("precision").value.trim();
    if (precision) data.precision = precision;
    const tokens = number("tokens");
    if (tokens !== null) {
      if (task === "inference") data.tokens = tokens;
      if (task === "finetune") data.finetune = {tokens};
      if (task === "pretrain") data.pretrain = {tokens};
    }
    const images = number("images");
    if (task === "image" && images !== null) data.images = images;
    for (const [id, key] of [["usage", "usage_hours_per_month"], ["deadline", "deadline_hours"],
                             ["budget", "budget_usd"]]) {
      const v = number(id);
      if (v !== null) data[key] = v;
    }
    const only = [...document.querySelectorAll("input[name=only]:checked")].map((b) => b.value);
    if (only.length !== TIERS.length) data.only = only;
    if ($("spot").checked) data.spot = true;
    if ($("private").checked) data.private = true;
    return data;
  }

  function cell(row, text, cls) {
    const td = document.createElement("td");
    td.textContent = text;
    if (cls) td.className = cls;
    row.appendChild(td);
    return td;
  }

  function renderRecommendation(plan, byId) {
    const box = $("recommendation");
    box.replaceChildren();
    const rec = plan.recommendation;
    const opt = rec.option ? byId[rec.option] : null;
    const title = document.createElement("h3");
    title.textContent = opt ? `${opt.tier}: ${opt.name}` : "No option meets the constraints";
    const facts = document.createElement("p");
    facts.className = "facts";
    if (opt) facts.textContent = `${opt.devices} × ${opt.hardware}, ${opt.precision} — ` +
      `${fmtTime(plan, opt)}, ${fmtMoney(opt.cost_usd)}`;
    const why = document.createElement("p");
    why.className = "why";
    why.textContent = rec.why;
    const job = document.createElement("p");
    job.className = "job";
    job.textContent = plan.job ? `Job: ${plan.job.description}. Prices as of ${plan.prices_as_of}.`
                               : `Prices as of ${plan.prices_as_of}.`;
    box.append(title, facts, why, job);
  }

  function renderTiers(plan) {
    const box = $("tiers");
    box.replaceChildren();
    for (const tier of TIERS) {
      const opts = plan.options.filter((o) => o.tier === tier);
      if (!opts.length) continue;
      const best = opts.find((o) => o.feasible) || opts[0];
      const card = document.createElement("div");
      card.className = "card tier " + tier + (best.feasible ? "" : " infeasible");
      card.dataset.tier = tier;
      const h = document.createElement("h3");
      h.textContent = tier;
      const p = document.createElement("p");
      p.textContent = `${best.name} — ${best.fits ? "fits" : "does not fit"}, ` +
        `${fmtTime(plan, best)}, ${fmtMoney(best.cost_usd)}`;
      card.append(h, p);
      if (best.notes && best.notes.length) {
        const n = document.createElement("p");
        n.className = "note";
        n.textContent = best.notes.join(" ");
        card.appendChild(n);
      }
      box.appendChild(card);
    }
  }

  const TOP_PER_TIER = 5;

  // Options grouped by tier, in the planner's order (ranked within each tier: options that fit
  // first, then by cost, then by time); the first few of each tier unless "show all" is ticked.
  function renderTable(plan, pareto) {
    const tbody = $("options").querySelector("tbody");
    tbody.replaceChildren();
    const recommended = plan.recommendation.option;
    for (const tier of TIERS.concat(["reference"])) {
      plan.options.filter((o) => o.tier === tier).forEach((o, i) => {
        const tr = document.createElement("tr");
        const classes = [o.feasible ? "feasible" : "infeasible"];
        if (pareto.has(o.id)) classes.push("pareto");
        if (o.id === recommended) classes.push("recommended");
        if (i >= TOP_PER_TIER) classes.push("extra");
        tr.className = classes.join(" ");
        tr.dataset.option = o.id;
        tr.dataset.tier = tier;
        cell(tr, String(i + 1));
        cell(tr, tier);
        cell(tr, o.name).title = o.id;
        cell(tr, String(o.devices));
        cell(tr, o.precision);
        cell(tr, o.fits ? "yes" : "no", o.fits ? "ok" : "bad");
        cell(tr, fmtUse(plan, o), "num");
        cell(tr, o.request_s == null ? "—" : o.request_s.toFixed(2), "num");
        cell(tr, fmtMoney(o.cost_usd), "num");
        cell(tr, o.price_usd_per_hour ? o.price_usd_per_hour.toFixed(2) : "—", "num");
        cell(tr, o.as_of);
        tbody.appendChild(tr);
      });
    }
  }

  function renderCharts(plan, byId, pareto) {
    const charts = window.SpiceCharts;
    const rec = byId[plan.recommendation.option] || null;
    const shown = rec || plan.options.find((o) => o.fits) || plan.options[0];
    if (shown) charts.memoryBar($("memory"), shown.estimate.memory);
    else $("memory").replaceChildren();

    const ownable = (o) => o.ownership && o.ownership.rent_usd_per_hour_equivalent && o.fits;
    const owned = (rec && ownable(rec) ? rec : null) ||
      plan.options.find((o) => o.tier === "buy" && ownable(o)) || plan.options.find(ownable);
    const usage = plan.job ? plan.job.usage_hours_per_month : 0;
    let horizon = plan.job ? plan.job.months : 12;
    const lines = [], own = owned && owned.ownership;
    let rent = null;
    if (own) {
      lines.push({label: `buy ${owned.name}`, tier: owned.tier, start_usd: own.purchase_usd,
                  usd_per_month: own.usd_per_month - own.depreciation_usd_per_month,
                  break_even_months: own.break_even_months});
      rent = {label: `rent ${own.versus_rent_option || "the same work"}`,
              usd_per_month: usage * own.rent_usd_per_hour_equivalent};
      // show the crossing when it falls within the planner's longest horizon (120 months)
      if (own.break_even_months) {
        horizon = Math.max(horizon, Math.min(own.break_even_months * 1.3, 120));
      }
    }
    charts.breakEven($("break-even"), lines, rent, horizon);
    // Time as the planner compares it: seconds per request when serving, else hours to finish.
    const serving = plan.options.some((o) => o.request_s !== null && o.request_s !== undefined);
    $("cost-time-caption").textContent = serving
      ? "Cost vs seconds per request (log scales)" : "Cost vs hours to finish (log scales)";
    charts.costTime($("cost-time"), plan.options.map((o) => ({
      label: o.name, tier: o.tier, time: serving ? o.request_s : o.hours, cost_usd: o.cost_usd,
      pareto: pareto.has(o.id), recommended: rec !== null && o.id === rec.id})),
      serving ? "s per request" : "h");
  }

  function render(plan) {
    const byId = Object.fromEntries(plan.options.map((o) => [o.id, o]));
    const pareto = new Set(plan.pareto);
    renderRecommendation(plan, byId);
    renderTiers(plan);
    renderTable(plan, pareto);
    renderCharts(plan, byId, pareto);
    const list = $("assumptions");
    list.replaceChildren(...plan.assumptions.map((a) => {
      const li = document.createElement("li");
      li.textContent = a;
      return li;
    }));
    $("results").hidden = false;
  }

  async function submit(event) {
    event.preventDefault();
    const status = $("status");
    status.className = "";
    status.textContent = "Planning…";
    $("submit").disabled = true;
    try {
      const response = await fetch("/api/plan", {
        method: "POST", headers: {"Content-Type": "application/json"},
        body: JSON.stringify(body())});
      const data = await response.json();
      if (!response.ok) {
        status.className = "error";
        status.textContent = data.message || `request failed (${response.status})`;
        return;
      }
      render(data);
      status.textContent = `${data.options.length} options.`;
    } catch (err) {
      status.className = "error";
      status.textContent = "The server did not answer: " + err;
    } finally {
      $("submit").disabled = false;
    }
  }

  function showTaskFields() {
    const task = $("task").value;
    document.querySelectorAll("[data-task]").forEach((node) => {
      node.hidden = !node.dataset.task.split(" ").includes(task);
    });
  }

  async function loadModels() {
    try {
      const response = await fetch("/api/models");
      if (!response.ok) return;
      const models = await response.json();
      $("model-list").replaceChildren(...models.map((m) => {
        const option = document.createElement("option");
        option.value = m.id;
        option.label = m.name;
        return option;
      }));
    } catch (err) {
      // suggestions are a convenience; the form works without them
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("workload-form").addEventListener("submit", submit);
    $("show-all").addEventListener("change", (e) => {
      $("options").classList.toggle("show-all", e.target.checked);
    });
    $("task").addEventListener("change", showTaskFields);
    showTaskFields();
    loadModels();
  });
})();
