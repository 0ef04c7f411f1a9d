// The page's flow: read the form, ask /api/plan, show the answer first (and scroll to it), or
// say what was wrong. A new request or an error clears the previous answer. The form state is
// kept in the URL, so a link reproduces the plan.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const Form = window.SpiceForm, Results = window.SpiceResults, Charts = window.SpiceCharts;
  const F = window.SpiceFormat;
  let current = null;  // {plan, body} of the answer on screen
  let seq = 0;         // the latest request; older answers arriving late are dropped

  function clearAnswer() {
    current = null;
    $("results").hidden = true;
    $("error").hidden = true;
    $("error").textContent = "";
    Charts.clear();
  }

  function fail(message) {
    $("error").textContent = message;
    $("error").hidden = false;
    $("status").textContent = "";
  }

  async function plan(event) {
    if (event) event.preventDefault();
    const mine = ++seq;
    clearAnswer();
    const body = Form.read();
    if (!body) {
      fail("Some fields need a fix: see the messages next to them.");
      const first = document.querySelector("[aria-invalid=true]");
      if (first) first.focus();
      return;
    }
    history.replaceState(null, "", `/?${Form.toQuery()}`);
    $("status").textContent = "Planning…";
    $("submit").disabled = true;
    try {
      const response = await fetch("/api/plan", {
        method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)});
      const data = await response.json().catch(() => ({}));
      if (mine !== seq) return;
      if (!response.ok) {
        const placed = Form.showServerError(data);
        fail(placed ? "Some fields need a fix: see the messages next to them."
                    : F.words(data.message) || `The server refused the request (${response.status}).`);
        return;
      }
      const byId = Results.render(data, body);
      $("results").hidden = false;
      Charts.render(data, byId);
      current = {plan: data, body};
      $("status").textContent = `Planned ${data.options.length} options.`;
      const head = $("answer-title");
      head.scrollIntoView({block: "start"});
      head.focus({preventScroll: true});
    } catch (err) {
      if (mine === seq) fail(`The server did not answer (${err.message || err}). Is spice serve running?`);
    } finally {
      if (mine === seq) $("submit").disabled = false;
    }
  }

  function stem() {
    const w = current.plan.workload || {};
    return `spicetrader-plan-${String(w.model || "model").replace(/[^a-z0-9.-]+/gi, "_")}`;
  }

  async function load(url, fallback) {
    try {
      const response = await fetch(url);
      return response.ok ? await response.json() : fallback;
    } catch (err) {
      return fallback;  // suggestions and names are a convenience; the form works without them
    }
  }

  document.addEventListener("DOMContentLoaded", async () => {
    Form.init();
    $("workload-form").addEventListener("submit", plan);
    $("show-all").addEventListener("change", (e) => {
      $("options").classList.toggle("show-all", e.target.checked);
    });
    $("download-json").addEventListener("click", () => {
      if (current) Results.download(`${stem()}.json`, "application/json",
                                    JSON.stringify(current.plan, null, 2));
    });
    $("download-csv").addEventListener("click", () => {
      if (current) Results.download(`${stem()}.csv`, "text/csv", Results.toCsv(current.plan));
    });
    $("copy-link").addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(location.href);
        $("status").textContent = "Link copied: it reproduces this plan.";
      } catch (err) {
        $("status").textContent = `Copy this link: ${location.href}`;
      }
    });
    document.querySelectorAll("a.persona").forEach((a) => a.addEventListener("click", (e) => {
      e.preventDefault();
      Form.fromQuery(a.dataset.query);
      plan(null);
    }));
    const [models, hardware] = await Promise.all([load("/api/models", []), load("/api/hardware", [])]);
    window.SpiceModels.set(models);
    Results.setHardware(hardware);
    if (Form.fromQuery(location.search)) plan(null);
  });
})();
