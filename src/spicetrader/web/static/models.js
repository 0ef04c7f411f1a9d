// The model box: the models the server knows (ids, names, aliases, kind), suggestions as you
// type, which model an alias is, "did you mean", and a model of the wrong kind for the task.
// Exposes window.SpiceModels.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  let models = [];            // [{id, name, kind, aliases, params}] from /api/models
  const byName = new Map();   // lower-case id or alias -> model

  function set(list) {
    models = list;
    byName.clear();
    for (const m of list) {
      byName.set(m.id.toLowerCase(), m);
      for (const a of m.aliases || []) byName.set(a.toLowerCase(), m);
    }
    $("model-list").replaceChildren(...list.map((m) => {
      const option = document.createElement("option");
      option.value = m.id;
      option.label = [m.name, ...(m.aliases || []).slice(0, 2)].join(" · ");
      return option;
    }));
    describe();
  }

  function findModel(text) {
    return byName.get(String(text).trim().toLowerCase()) || null;
  }

  // Edit distance (Levenshtein), for "did you mean" while typing.
  function distance(a, b) {
    let prev = Array.from({length: b.length + 1}, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      const row = [i];
      for (let j = 1; j <= b.length; j++) {
        row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      }
      prev = row;
    }
    return prev[b.length];
  }

  function nearest(text) {
    const limit = Math.max(2, Math.floor(text.length / 3));
    return models.map((m) => [distance(text, m.id), m]).filter(([d]) => d <= limit)
      .sort((a, b) => a[0] - b[0]).slice(0, 3).map(([, m]) => m);
  }

  function paramsText(m) {
    return m.params ? `${+(m.params / 1e9).toPrecision(3)}B parameters` : "";
  }

  // Under the model box: what the name resolved to (an alias says which model it is).
  function describe() {
    const text = $("f-model").value.trim();
    const hint = $("h-model");
    const m = findModel(text);
    if (!text) {
      hint.textContent = "A model id, an alias or a Hugging Face repo id.";
    } else if (m && m.id.toLowerCase() !== text.toLowerCase()) {
      hint.textContent = `“${text}” is ${m.name} (${m.id}), ${paramsText(m)}.`;
    } else if (m) {
      hint.textContent = `${m.name}, ${m.kind === "diffusion" ? "image model" : paramsText(m)}.`;
    } else if (text.includes("/")) {
      hint.textContent = "Not in the catalog: the web app plans the catalog's models; the spice " +
        "command reads Hugging Face repos.";
    } else {
      const near = nearest(text.toLowerCase());
      hint.textContent = near.length
        ? `Not a known id yet; did you mean ${near.map((x) => x.id).join(", ")}?`
        : "Not a model I know; pick one from the suggestions.";
    }
  }

  const FAMILIAR = ["sdxl", "flux-dev", "llama-3-8b", "mistral-7b"];

  function examples(kind) {
    const rank = (m) => (FAMILIAR.includes(m.id) ? FAMILIAR.indexOf(m.id) : FAMILIAR.length);
    return models.filter((m) => m.kind === kind).sort((a, b) => rank(a) - rank(b)).slice(0, 2)
      .map((m) => m.id).join(" or ");
  }

  // A model of the wrong kind for the task is said plainly, before asking the planner.
  function taskMismatch(task, m) {
    if (!m) return null;
    if (task === "image" && m.kind !== "diffusion") {
      return `${m.name} is a language model; generating images needs an image model` +
        (examples("diffusion") ? ` such as ${examples("diffusion")}.` : ".");
    }
    if (task !== "image" && m.kind === "diffusion") {
      return `${m.name} is an image model: choose the task “Generate images”, or a language ` +
        `model${examples("llm") ? ` such as ${examples("llm")}` : ""}.`;
    }
    return null;
  }

  window.SpiceModels = {set, find: findModel, describe, taskMismatch};
})();
