// The workload form: fields per task, checks in words next to each field (and the server's
// refusals placed on their field), the form's state in the page URL. Exposes window.SpiceForm.
"use strict";
(function () {
  const F = window.SpiceFormat;
  const $ = (id) => document.getElementById(id);
  const form = () => $("workload-form");
  const TIERS = ["buy", "mac", "rent", "free"];
  const M = window.SpiceModels;

  function fields() {
    return [...form().querySelectorAll("[data-path]")];
  }

  function visible(input) {
    const box = input.closest("[data-task]");
    return !box || !box.hidden;
  }

  function labelOf(input) {
    const label = form().querySelector(`label[for="${input.id}"]`);
    return label ? label.textContent.trim() : input.name;
  }

  function showTaskFields() {
    const task = $("f-task").value;
    form().querySelectorAll("[data-task]").forEach((box) => {
      box.hidden = !box.dataset.task.split(" ").includes(task);
    });
  }

  // ---- errors next to fields -------------------------------------------------------------
  function setError(name, message) {
    const box = $(`e-${name}`);
    const input = $(`f-${name}`);
    if (!box) return false;
    box.textContent = message;
    box.hidden = false;
    if (input) {
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", `h-${name} e-${name}`);
    }
    return true;
  }

  function clearErrors() {
    form().querySelectorAll(".field-error").forEach((box) => {
      box.hidden = true;
      box.textContent = "";
    });
    form().querySelectorAll("[aria-invalid]").forEach((input) => {
      input.removeAttribute("aria-invalid");
      input.setAttribute("aria-describedby", `h-${input.name}`);
    });
  }

  function focusFirstError() {
    const first = form().querySelector("[aria-invalid=true]");
    if (first) first.focus();
  }

  // ---- reading and checking the form ------------------------------------------------------
  function checkNumber(input) {
    const value = F.parseNumber(input.value);
    const label = labelOf(input);
    if (value === null) return {value: null};
    if (Number.isNaN(value)) {
      const big = /tokens/i.test(label) && Number(input.dataset.max) >= 1e12;
      const example = big ? "5e7 or 50M" : input.defaultValue || "100";
      return {error: `${label}: “${input.value.trim()}” is not a number (write e.g. ${example}).`};
    }
    const d = input.dataset;
    if (d.int && !Number.isInteger(value)) return {error: `${label} must be a whole number.`};
    if (d.gt !== undefined && !(value > Number(d.gt))) {
      return {error: `${label} must be more than ${d.gt}.`};
    }
    if (d.min !== undefined && value < Number(d.min)) {
      return {error: `${label} must be at least ${F.count(Number(d.min))}.`};
    }
    if (d.max !== undefined && value > Number(d.max)) {
      return {error: `${label} must be at most ${F.count(Number(d.max))}.`};
    }
    return {value};
  }

  function put(target, path, value) {
    const keys = path.split(".");
    let node = target;
    keys.slice(0, -1).forEach((k) => { node = node[k] = node[k] || {}; });
    node[keys[keys.length - 1]] = value;
  }

  // The /api/plan body, or null after marking each bad field with what is wrong.
  function read() {
    clearErrors();
    const body = {};
    let ok = true;
    for (const input of fields()) {
      if (!visible(input)) continue;
      if (input.type === "checkbox") {
        if (input.checked) put(body, input.dataset.path, true);
        continue;
      }
      if (input.dataset.kind === "number") {
        const r = checkNumber(input);
        if (r.error) { ok = setError(input.name, r.error) && false; continue; }
        if (r.value !== null) put(body, input.dataset.path, r.value);
        continue;
      }
      const text = input.value.trim();
      if (text) put(body, input.dataset.path, text);
    }
    if (body.tokens !== undefined) {
      // a batch job: the serving fields (hours a month, speed per user, users) do not apply
      for (const key of ["usage_hours_per_month", "min_decode_tokens_per_s", "max_ttft_s", "users"]) delete body[key];
    }
    if (!body.model) ok = setError("model", "Model: name the model to plan, e.g. llama-3-8b.") && false;
    const mismatch = M.taskMismatch(body.task, M.find(body.model || ""));
    if (mismatch) ok = setError("task", mismatch) && false;
    if (body.task === "finetune" && ["nf4", "int4"].includes(body.precision) &&
        body.finetune && body.finetune.method !== "qlora") {
      ok = setError("precision", "A 4-bit base model is QLoRA: choose the method QLoRA " +
                                 "(and leave precision on auto).") && false;
    }
    const only = [...form().querySelectorAll("input[name=only]:checked")].map((b) => b.value);
    if (!only.length) ok = setError("only", "Tick at least one way to get the compute.") && false;
    if (only.length && only.length < TIERS.length) body.only = only;
    return ok ? body : null;
  }

  // ---- server errors, placed on their field -------------------------------------------------
  const SERVER_MSG = [
    [/^Input should be greater than or equal to (.*)$/, "must be at least $1"],
    [/^Input should be greater than (.*)$/, "must be more than $1"],
    [/^Input should be less than or equal to (.*)$/, "must be at most $1"],
    [/^Input should be less than (.*)$/, "must be less than $1"],
    [/^Input should be a valid (number|integer).*$/, "must be a number"],
    [/^Extra inputs are not permitted$/, "is not accepted by this server"],
  ];

  function inputForPath(path) {
    return fields().find((i) => i.dataset.path === path && visible(i)) || null;
  }

  // "Did you mean" names as buttons: one click puts the name in the model box and plans.
  function offer(names) {
    const box = $("e-model");
    for (const name of names) {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "suggestion";
      b.textContent = name;
      b.addEventListener("click", () => {
        $("f-model").value = name;
        M.describe();
        form().requestSubmit();
      });
      box.append(" ", b);
    }
  }

  // Put a 4xx answer next to its field; true when some field took it.
  function showServerError(data) {
    clearErrors();
    let placed = false;
    for (const err of data.errors || []) {
      const path = (err.loc || []).filter((p) => p !== "body").join(".");
      const input = inputForPath(path);
      if (!input) continue;
      let msg = String(err.msg || "is not valid");
      for (const [re, text] of SERVER_MSG) msg = msg.replace(re, text);
      placed = setError(input.name, `${labelOf(input)} ${msg}.`) || placed;
    }
    if (data.error === "UnknownNameError" && ["model", "precision"].includes(data.kind)) {
      const near = (data.suggestions || []).slice(0, 4);
      const what = data.kind === "model" ? "model" : "precision";
      placed = setError(data.kind, `Unknown ${what} “${data.name}”.` +
        (near.length ? " Did you mean:" : " Pick one from the suggestions.")) || placed;
      if (data.kind === "model") offer(near);
    }
    if (data.error === "ModelNotServedError") placed = setError("model", F.words(data.message)) || placed;
    if (placed) focusFirstError();
    return placed;
  }

  // ---- the URL ------------------------------------------------------------------------------
  function toQuery() {
    const q = new URLSearchParams();
    for (const input of fields()) {
      if (!visible(input) && input.name !== "task") continue;
      if (input.type === "checkbox") {
        if (input.checked) q.set(input.name, "1");
      } else if (input.value.trim() !== (input.defaultValue || "").trim() || input.name === "model") {
        if (input.tagName === "SELECT") {
          const def = [...input.options].find((o) => o.defaultSelected) || input.options[0];
          if (input.value === def.value && input.name !== "task") continue;
        }
        q.set(input.name, input.value.trim());
      }
    }
    const only = [...form().querySelectorAll("input[name=only]:checked")].map((b) => b.value);
    if (only.length < TIERS.length) q.set("only", only.join(","));
    return q.toString();
  }

  // Fill the form from a URL query; true when the query named a model (so it can be planned).
  function fromQuery(query) {
    const q = new URLSearchParams(query);
    if (![...q.keys()].length) return false;
    form().reset();
    for (const input of fields()) {
      if (!q.has(input.name)) continue;
      const v = q.get(input.name);
      if (input.type === "checkbox") input.checked = v === "1" || v === "true";
      else input.value = v;
    }
    if (q.has("only")) {
      const only = q.get("only").split(",");
      form().querySelectorAll("input[name=only]").forEach((b) => {
        b.checked = only.includes(b.value);
      });
    }
    showTaskFields();
    M.describe();
    return q.has("model");
  }

  function init() {
    $("f-task").addEventListener("change", () => { showTaskFields(); clearErrors(); });
    $("f-model").addEventListener("input", M.describe);
    showTaskFields();
  }

  window.SpiceForm = {init, read, toQuery, fromQuery, showServerError, clearErrors, showTaskFields};
})();
