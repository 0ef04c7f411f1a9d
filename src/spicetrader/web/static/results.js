// The answer: pick cards (recommended, cheapest, fastest, best owned, best rental, free to try),
// the job in words, the ranked table with why each option is out, JSON and CSV downloads.
// Exposes window.SpiceResults.
"use strict";
(function () {
  const F = window.SpiceFormat;
  const $ = (id) => document.getElementById(id);
  const TIERS = ["buy", "mac", "rent", "free", "reference"];
  const TIER_NAMES = {buy: "Buy a server or workstation", mac: "Buy a Mac", rent: "Rent cloud GPUs",
                      free: "Free notebooks", reference: "For reference: a large cluster"};
  const PICKS = [["recommended", "Recommended"], ["cheapest", "Cheapest"], ["fastest", "Fastest"],
                 ["best_owned", "Best to own"], ["best_rental", "Best to rent"],
                 ["free_to_try", "Free to try"]];
  const TOP_PER_TIER = 5;
  let hardware = {};  // accelerator id -> name, from /api/hardware

  function setHardware(rows) {
    hardware = Object.fromEntries(rows.map((h) => [h.id, h.name]));
  }

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  const hwName = (o) => hardware[o.hardware] || o.hardware;
  let named = {};  // option id -> option, of the plan on screen

  // Library text in words, with option ids ("rent:vast:4x-rtx_3060-32-65536") as names.
  function humanize(text) {
    return F.words(text).replace(/\b(?:buy|mac|rent|free|local|reference):[\w.+-]+(?::[\w.+-]+)*/g,
      (id) => {
        const o = named[id];
        if (!o) return id;
        return o.tier === "rent" && o.provider ? `${title(o)} on ${o.provider}` : title(o);
      });
  }
  const serving = (plan) => plan.job && plan.job.kind === "serving";

  // A rental's catalog name is a provider's SKU ("vast 2x-RTX_3090-32-65536"): say what it is.
  function title(o) {
    return o.tier === "rent" && o.provider ? `${o.devices}× ${hwName(o)}` : o.name;
  }

  function subtitle(o) {
    if (o.tier === "rent" && o.provider) return `rented from ${o.provider}${o.spot ? ", spot" : ""}`;
    return `${o.devices}× ${hwName(o)}`;
  }

  function speed(plan, o) {
    if (serving(plan)) {
      const inf = o.estimate && o.estimate.inference;
      const tps = o.per_user_tokens_per_s || (inf && inf.decode_tokens_per_s);
      return o.request_s == null ? "—"
        : `${F.seconds(o.request_s)} per request` + (tps ? `, ${Math.round(tps)} tokens/s` : "");
    }
    const cal = o.calendar_hours;
    const extra = cal != null && o.hours != null && cal > o.hours * 1.05
      ? ` (${F.hours(cal)} by the calendar)` : "";
    return F.hours(o.hours) + extra;
  }

  function ownedCost(o) {
    const own = o.ownership;
    if (!own) return null;
    return own.net_cost_usd != null ? own.net_cost_usd : o.cost_usd;
  }

  function cost(plan, o) {
    const months = plan.job && plan.job.months;
    const span = serving(plan) && months ? ` over ${+months.toFixed(1)} months` : "";
    if (o.ownership) {
      return `${F.money(ownedCost(o))} net over ${+o.ownership.horizon_months.toFixed(1)} months`;
    }
    return `${F.money(o.cost_usd)}${span}`;
  }

  function ownedDetail(o) {
    const own = o.ownership;
    if (!own) return "";
    const left = own.value_left_usd != null ? own.value_left_usd
      : own.purchase_usd - own.depreciation_usd_per_month * own.horizon_months;
    const share = own.job_share_usd != null
      ? ` This job's share (energy and wear for its hours): ${F.money(own.job_share_usd)}.` : "";
    return `Pay ${F.money(own.purchase_usd)} up front; worth about ${F.money(Math.max(left, 0))} ` +
      `after ${+own.horizon_months.toFixed(1)} months.${share}`;
  }

  function jobText(plan, body) {
    const w = plan.workload || {};
    const model = typeof w.model === "string" ? w.model : "the model";
    const job = plan.job || {};
    if (w.task === "finetune" && w.finetune) {
      const t = w.finetune.tokens;
      const method = {lora: "LoRA", qlora: "QLoRA", full: "a full fine-tune"}[w.finetune.method];
      return `Fine-tune ${model} with ${method || "LoRA"}` +
        (t ? ` on ${F.count(t)} tokens` : "") + ".";
    }
    if (w.task === "pretrain") {
      const t = w.pretrain && w.pretrain.tokens;
      return `Pre-train ${model} on ` +
        (t ? `${F.count(t)} tokens.` : "20 tokens per parameter (Chinchilla).");
    }
    if (job.kind === "serving") {
      const users = body && body.users > 1 ? `, ${body.users} users at once` : "";
      return `Serve ${model} ${Math.round(job.usage_hours_per_month)} hours a month for ` +
        `${+job.months.toFixed(1)} months${users}.`;
    }
    const d = job.description || "";
    return d ? `${d.charAt(0).toUpperCase()}${d.slice(1)} with ${model}.` : "";
  }

  function card(plan, o, labels, reason) {
    const box = el("article", "pick" + (labels.includes("Recommended") ? " recommended" : ""));
    box.dataset.option = o.id;
    const tags = el("p", "tags");
    labels.forEach((l) => tags.appendChild(el("span", "tag", l)));
    box.append(tags, el("h3", "", title(o)), el("p", "sub", `${subtitle(o)} · ${o.precision}`));
    const dl = el("dl", "facts");
    const add = (k, v) => { dl.append(el("dt", "", k), el("dd", "", v)); };
    add(serving(plan) ? "Speed" : "Time", speed(plan, o));
    add("Cost", cost(plan, o));
    if (o.price_usd_per_hour) add("Price", `${F.money(o.price_usd_per_hour)} an hour`);
    box.appendChild(dl);
    if (o.ownership) box.appendChild(el("p", "detail", ownedDetail(o)));
    if (reason) box.appendChild(el("p", "reason", humanize(reason)));
    const caveats = (o.notes || []).map(humanize).filter((n) => n && n !== humanize(reason));
    if (caveats.length) {
      const ul = el("ul", "caveats");
      caveats.slice(0, 3).forEach((n) => ul.appendChild(el("li", "", n)));
      box.appendChild(ul);
    }
    return box;
  }

  // The usable option to own with the lowest net cost (buy or Mac).
  function bestOwned(plan) {
    const owned = plan.options.filter((o) => o.ownership && F.usable(o) && o.tier !== "reference");
    return owned.length ? owned.reduce((a, b) => (ownedCost(b) < ownedCost(a) ? b : a)) : null;
  }

  // The planner's picks; on a server without them, the recommendation and each tier's first
  // usable option.
  function picks(plan) {
    if (plan.picks && Object.keys(plan.picks).length) {
      return PICKS.filter(([k]) => plan.picks[k] && plan.picks[k].option)
        .map(([k, label]) => ({label, option: plan.picks[k].option, reason: plan.picks[k].reason}));
    }
    const out = [];
    if (plan.recommendation.option) {
      out.push({label: "Recommended", option: plan.recommendation.option,
                reason: plan.recommendation.why});
    }
    const owned = bestOwned(plan);
    if (owned) out.push({label: "Best to own", option: owned.id, reason: ""});
    const firsts = {rent: "Best to rent", free: "Free to try"};
    for (const [tier, label] of Object.entries(firsts)) {
      const o = plan.options.find((x) => x.tier === tier && F.usable(x));
      if (o) out.push({label, option: o.id, reason: ""});
    }
    return out;
  }

  function renderPicks(plan, byId) {
    const box = $("picks");
    box.replaceChildren();
    const merged = new Map();
    for (const p of picks(plan)) {
      if (!byId[p.option]) continue;
      const entry = merged.get(p.option) || {labels: [], reason: ""};
      entry.labels.push(p.label);
      entry.reason = entry.reason || p.reason;
      merged.set(p.option, entry);
    }
    if (!merged.size) {
      const none = el("article", "pick none");
      none.append(el("h3", "", "Nothing meets your limits"),
                  el("p", "reason", humanize(plan.recommendation.why)),
                  el("p", "detail", "Try a smaller model or precision, allow more ways to get " +
                                    "the compute, or relax the budget or deadline."));
      box.appendChild(none);
      return;
    }
    for (const [id, entry] of merged) box.appendChild(card(plan, byId[id], entry.labels, entry.reason));
  }

  // Per tier: usable options first (the planner's order), then the rest, each with why it is out.
  function ranked(plan) {
    const rows = [];
    for (const tier of TIERS) {
      const opts = plan.options.filter((o) => o.tier === tier);
      if (!opts.length) continue;
      const sorted = opts.filter(F.usable).concat(opts.filter((o) => !F.usable(o)));
      rows.push({tier, options: sorted});
    }
    return rows;
  }

  function cell(tr, text, cls, label) {
    const td = el("td", cls, text);
    if (label) td.dataset.label = label;
    tr.appendChild(td);
    return td;
  }

  function renderTable(plan) {
    const tbody = $("options").querySelector("tbody");
    tbody.replaceChildren();
    const rec = plan.recommendation.option;
    let shown = 0;
    for (const group of ranked(plan)) {
      const usableCount = group.options.filter(F.usable).length;
      const head = el("tr", "tier-row");
      const th = el("th", "", `${TIER_NAMES[group.tier] || group.tier} — ` +
        `${usableCount} of ${group.options.length} usable`);
      th.colSpan = 9;
      th.scope = "colgroup";
      head.appendChild(th);
      tbody.appendChild(head);
      group.options.forEach((o, i) => {
        const ok = F.usable(o);
        const tr = el("tr", ok ? "usable" : "out");
        if (o.id === rec) tr.classList.add("recommended");
        if (i >= TOP_PER_TIER && o.id !== rec) tr.classList.add("extra");
        else shown += 1;
        tr.dataset.option = o.id;
        tr.dataset.tier = group.tier;
        tr.dataset.status = F.status(o);
        cell(tr, String(i + 1), "rank", "#");
        const name = el("div");
        name.appendChild(el("span", "opt-title", title(o)));
        if (o.tier === "rent" && o.provider) name.appendChild(el("span", "opt-sub", subtitle(o)));
        cell(tr, "", "name", "Option").appendChild(name);
        name.title = o.id;
        cell(tr, `${o.devices}× ${hwName(o)}`, "", "Hardware");
        cell(tr, o.precision, "", "Precision");
        cell(tr, speed(plan, o), "num", "Speed");
        cell(tr, o.ownership ? `${F.money(ownedCost(o))} net` : F.money(o.cost_usd), "num", "Cost");
        cell(tr, o.price_usd_per_hour ? `${F.money(o.price_usd_per_hour)}/h`
          : o.ownership ? `${F.money(o.ownership.purchase_usd)} to buy` : "—", "num", "Price");
        const st = el("div");
        cell(tr, "", "status", "Status").appendChild(st);
        const word = group.tier === "reference" ? "for reference" : F.STATUS[F.status(o)] || F.status(o);
        st.appendChild(el("span", "badge " + (ok ? "ok" : "bad"), word));
        const why = F.statusReason(o);
        if (why) st.appendChild(el("span", "why", humanize(why)));
        cell(tr, o.as_of || "—", "", "Price as of");
        tbody.appendChild(tr);
      });
    }
    $("option-count").textContent =
      `${plan.options.length} options; the first ${TOP_PER_TIER} of each way in are shown.`;
    return shown;
  }

  function render(plan, body) {
    const byId = Object.fromEntries(plan.options.map((o) => [o.id, o]));
    named = byId;
    const prices = plan.prices && plan.prices.description ? plan.prices.description
      : `prices as of ${plan.prices_as_of}`;
    $("job").textContent = `${jobText(plan, body)} ${prices.charAt(0).toUpperCase()}${prices.slice(1)}.`;
    renderPicks(plan, byId);
    renderTable(plan);
    $("assumptions").replaceChildren(...plan.assumptions.map((a) => el("li", "", humanize(a))));
    return byId;
  }

  // ---- downloads ----------------------------------------------------------------------------
  const CSV_COLUMNS = ["tier", "rank", "id", "name", "devices", "hardware", "precision", "status",
                       "status_reason", "fits", "hours", "request_s", "cost_usd", "net_cost_usd",
                       "price_usd_per_hour", "as_of"];

  function csvField(v) {
    if (v === null || v === undefined) return "";
    const s = String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  }

  function toCsv(plan) {
    const lines = [CSV_COLUMNS.join(",")];
    for (const group of ranked(plan)) {
      group.options.forEach((o, i) => {
        const row = {...o, rank: i + 1, status: F.status(o), status_reason: F.statusReason(o),
                     net_cost_usd: o.ownership ? ownedCost(o) : null};
        lines.push(CSV_COLUMNS.map((c) => csvField(row[c])).join(","));
      });
    }
    return lines.join("\r\n") + "\r\n";
  }

  function download(name, type, text) {
    const url = URL.createObjectURL(new Blob([text], {type}));
    const a = el("a");
    a.href = url;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  window.SpiceResults = {render, setHardware, toCsv, download, title, speed, serving, ownedCost,
                         humanize, bestOwned};
})();
