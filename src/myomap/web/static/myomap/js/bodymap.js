// The interactive pain drawing: select body-map regions and give each an intensity 0-10.
// Plain JavaScript, no build step. The drawing itself is server-rendered SVG; this file
// only keeps the selection, mirrors it onto the SVG and lists it in words.
(function () {
  "use strict";

  const svg = document.querySelector("svg.myomap-bodymap");
  if (!svg) return;
  const regions = new Map(
    JSON.parse(document.getElementById("region-data").textContent).map((r) => [r.id, r])
  );
  const selection = new Map(); // region id -> intensity 1..10, in the order they were marked
  const brush = document.getElementById("brush");
  const brushValue = document.getElementById("brush-value");
  const list = document.getElementById("selection");
  const summary = document.getElementById("selection-summary");
  const caption = document.getElementById("region-caption");

  function pathFor(id) {
    return svg.querySelector(`[data-region="${CSS.escape(id)}"]`);
  }

  function setIntensity(id, value) {
    const intensity = Math.max(0, Math.min(10, Math.round(Number(value))));
    if (!regions.has(id) || Number.isNaN(intensity)) return;
    if (intensity === 0) selection.delete(id);
    else selection.set(id, intensity);
    paint(id);
    renderList();
  }

  function paint(id) {
    const path = pathFor(id);
    if (!path) return;
    for (let i = 1; i <= 10; i++) path.classList.remove(`i-${i}`);
    const intensity = selection.get(id) || 0;
    path.classList.toggle("selected", intensity > 0);
    if (intensity > 0) path.classList.add(`i-${intensity}`);
    path.setAttribute("data-intensity", String(intensity));
    path.setAttribute("aria-pressed", intensity > 0 ? "true" : "false");
    const name = regions.get(id).name;
    path.setAttribute("aria-label", intensity > 0 ? `${name}, intensity ${intensity} of 10` : name);
  }

  function renderList() {
    list.replaceChildren();
    for (const [id, intensity] of selection) {
      const region = regions.get(id);
      const li = document.createElement("li");
      li.dataset.region = id;
      const label = document.createElement("label");
      label.htmlFor = `intensity-${id}`;
      label.className = "region-name";
      label.textContent = region.name;
      const view = document.createElement("span");
      view.className = "region-view";
      view.textContent = region.view === "front" ? "front" : "back";
      const range = document.createElement("input");
      range.type = "range";
      range.min = "0";
      range.max = "10";
      range.value = String(intensity);
      range.id = `intensity-${id}`;
      const out = document.createElement("output");
      out.className = "intensity";
      out.htmlFor = range.id;
      out.textContent = `${intensity}/10`;
      range.addEventListener("input", () => {
        out.textContent = `${range.value}/10`;
      });
      range.addEventListener("change", () => setIntensity(id, range.value));
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "remove";
      remove.textContent = "Remove";
      remove.setAttribute("aria-label", `Remove ${region.name}`);
      remove.addEventListener("click", () => setIntensity(id, 0));
      li.append(label, view, range, out, remove);
      list.append(li);
    }
    const count = selection.size;
    if (count === 0) {
      summary.textContent = "No regions marked yet.";
    } else {
      const top = Math.max(...selection.values());
      summary.textContent = `${count} region${count === 1 ? "" : "s"} marked · highest intensity ${top}/10`;
    }
  }

  function toggle(id) {
    setIntensity(id, selection.has(id) ? 0 : Number(brush.value));
  }

  function describe(id) {
    const region = regions.get(id);
    if (!region) return;
    const intensity = selection.get(id);
    caption.textContent = intensity ? `${region.name} — ${intensity}/10` : region.name;
  }

  svg.addEventListener("click", (event) => {
    const path = event.target.closest("[data-region]");
    if (path) toggle(path.dataset.region);
  });
  svg.addEventListener("keydown", (event) => {
    const path = event.target.closest("[data-region]");
    if (!path) return;
    const id = path.dataset.region;
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      toggle(id);
    } else if (/^[0-9]$/.test(event.key)) {
      event.preventDefault();
      setIntensity(id, Number(event.key));
    } else if (event.key === "+" || event.key === "=") {
      event.preventDefault();
      setIntensity(id, (selection.get(id) || 0) + 1);
    } else if (event.key === "-" || event.key === "_") {
      event.preventDefault();
      setIntensity(id, (selection.get(id) || 0) - 1);
    } else {
      return;
    }
    describe(id);
  });
  for (const type of ["mouseover", "focusin"]) {
    svg.addEventListener(type, (event) => {
      const path = event.target.closest("[data-region]");
      if (path) describe(path.dataset.region);
    });
  }
  svg.addEventListener("mouseleave", () => {
    caption.textContent = "";
  });
  brush.addEventListener("input", () => {
    brushValue.textContent = brush.value;
  });
  document.getElementById("clear").addEventListener("click", () => {
    const ids = [...selection.keys()];
    selection.clear();
    ids.forEach(paint);
    renderList();
  });

  // Expose the drawing for forms that will post it (intake, assessment).
  window.myomapPainDrawing = () => Object.fromEntries(selection);
})();
