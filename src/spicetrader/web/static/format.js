// Words and numbers for people: money, durations, option names, statuses; library messages
// rewritten without CLI flags. Exposes window.SpiceFormat.
"use strict";
(function () {
  function money(v) {
    if (v === null || v === undefined || !Number.isFinite(v)) return "—";
    if (v === 0) return "$0";
    const a = Math.abs(v), sign = v < 0 ? "−" : "";
    if (a >= 1e9) return `${sign}$${(a / 1e9).toFixed(1)}B`;
    if (a >= 1e6) return `${sign}$${(a / 1e6).toFixed(a >= 1e7 ? 0 : 1)}M`;
    if (a >= 1e4) return `${sign}$${Math.round(a / 1e3)}k`;
    if (a >= 100) return `${sign}$${Math.round(a).toLocaleString("en-US")}`;
    if (a >= 1) return `${sign}$${a.toFixed(2)}`;
    return `${sign}$${a.toPrecision(2)}`;
  }

  function hours(h) {
    if (h === null || h === undefined || !Number.isFinite(h)) return "—";
    if (h < 1 / 60) return `${Math.max(1, Math.round(h * 3600))} s`;
    if (h < 1) return `${Math.round(h * 60)} min`;
    if (h < 48) return `${h < 10 ? h.toFixed(1) : Math.round(h)} h`;
    const d = h / 24;
    if (d < 60) return `${d < 10 ? d.toFixed(1) : Math.round(d)} days`;
    const m = d / 30.4;
    if (m < 24) return `${m.toFixed(m < 10 ? 1 : 0)} months`;
    return `${(d / 365).toFixed(1)} years`;
  }

  function seconds(s) {
    if (s === null || s === undefined || !Number.isFinite(s)) return "—";
    if (s < 1) return `${Math.round(s * 1000)} ms`;
    if (s < 60) return `${s < 10 ? +s.toFixed(1) : Math.round(s)} s`;
    return hours(s / 3600);
  }

  function count(v) {
    if (v === null || v === undefined || !Number.isFinite(v)) return "—";
    const a = Math.abs(v);
    if (a >= 1e12) return `${+(v / 1e12).toPrecision(3)} trillion`;
    if (a >= 1e9) return `${+(v / 1e9).toPrecision(3)} billion`;
    if (a >= 1e6) return `${+(v / 1e6).toPrecision(3)} million`;
    return Math.round(v).toLocaleString("en-US");
  }

  function gb(v) {
    return v === null || v === undefined ? "—" : `${v < 10 ? v.toFixed(1) : Math.round(v)} GB`;
  }

  // Parse what people type in number boxes: 5e7, 50M, 2.5k, 1,000, 1_000. NaN when not a number.
  const SUFFIX = {k: 1e3, m: 1e6, b: 1e9, g: 1e9, t: 1e12};
  function parseNumber(text) {
    const t = String(text).trim().replace(/[,_\s]/g, "").toLowerCase();
    if (t === "") return null;
    const m = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)([kmbgt]?)$/.exec(t);
    if (!m) return NaN;
    return Number(m[1]) * (m[2] ? SUFFIX[m[2]] : 1);
  }

  // The CLI's flags, as the form calls them.
  const FLAG_WORDS = {
    "--min-tokens-per-s": "minimum speed per user",
    "--usage-hours-per-month": "hours of use per month",
    "--deadline-hours": "deadline",
    "--budget-usd": "budget",
    "--months": "planning horizon",
    "--only": "ways to get the compute",
    "--allow-quantization": "quantization",
    "--tokens": "tokens",
    "--images": "number of images",
    "--method": "method",
    "--spot": "spot prices",
    "--private": "keep the data on my own hardware",
    "--users": "users at the same time",
  };

  // A library message reworded for the page: no CLI flags, no commands, no validator paths.
  function words(text) {
    if (!text) return "";
    return String(text)
      .replace(/\s*\(see `spice [^`]*`\)/g, "")
      .replace(/`spice models list`/g, "the model list")
      .replace(/\s*\((--[a-z-]+)(?:[^)]*)\)/g, "")
      .replace(/--[a-z][a-z-]*/g, (flag) => FLAG_WORDS[flag] || flag.slice(2).replace(/-/g, " "))
      .replace(/\bbody\.([a-z_.]+):/g, (_, path) => `${path.replace(/[._]/g, " ")}:`);
  }

  const STATUS = {
    ok: "usable",
    try_only: "to try it out",
    too_slow: "too slow",
    impractical: "impractical",
    does_not_fit: "does not fit",
    over_budget: "over budget",
    misses_deadline: "misses the deadline",
  };

  // The option's status from the planner (``status``), or read from its flags on older servers.
  function status(o) {
    if (o.status) return o.status;
    if (!o.fits) return "does_not_fit";
    if (o.fast_enough === false) return "too_slow";
    if (o.within_budget === false) return "over_budget";
    if (o.meets_deadline === false) return "misses_deadline";
    return o.feasible ? "ok" : "impractical";
  }

  function usable(o) {
    const s = status(o);
    return s === "ok" || s === "try_only";
  }

  function statusReason(o) {
    if (o.status_reason) return words(o.status_reason);
    const s = status(o);
    if (s === "ok") return "";
    const note = (o.notes || []).find((n) => n.toLowerCase().startsWith(STATUS[s] || "\u0000"));
    return words(note || "");
  }

  window.SpiceFormat = {
    money, hours, seconds, count, gb, parseNumber, words, status, usable, statusReason,
    STATUS,
  };
})();
