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
    refreshCandidates();
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
  // A thin region's wider hit area lies over it: hovering the area outlines the region.
  svg.addEventListener("mouseover", (event) => {
    const hit = event.target.closest(".hit");
    if (hit) pathFor(hit.dataset.region).classList.add("hovered");
  });
  svg.addEventListener("mouseout", (event) => {
    const hit = event.target.closest(".hit");
    if (hit) pathFor(hit.dataset.region).classList.remove("hovered");
  });
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

  // ----------------------------------------------------------- live candidates
  const panel = document.querySelector(".candidates[data-url]");
  // On a form (the intake), the drawing travels in a hidden field.
  const hidden = document.getElementById("id_pain_drawing");
  const candidateList = document.getElementById("candidates");
  const candidateStatus = document.getElementById("candidates-status");
  const coverBox = document.getElementById("cover");
  let pending = null;
  let generation = 0;

  function showPattern(pattern) {
    svg.classList.add("overlay");
    for (const [kind, cls] of [["essential", "zone-essential"], ["spillover", "zone-spillover"], ["local", "zone-spillover"]]) {
      for (const id of pattern[kind]) {
        const path = pathFor(id);
        if (path) path.classList.add(cls, "pattern");
      }
    }
  }

  function hidePattern() {
    svg.classList.remove("overlay");
    for (const path of svg.querySelectorAll(".pattern")) {
      path.classList.remove("zone-essential", "zone-spillover", "pattern");
    }
  }

  function renderCandidates(data) {
    hidePattern();
    candidateList.replaceChildren();
    coverBox.replaceChildren();
    if (data.error) {
      candidateStatus.textContent = data.error;
      return;
    }
    if (data.message) {
      candidateStatus.textContent = "Mark pain to see candidates.";
      return;
    }
    candidateStatus.textContent = data.candidates.length
      ? `${data.candidates.length} most likely shown.`
      : "No trigger point in the knowledge base refers pain to these regions.";
    for (const c of data.candidates) {
      const li = document.createElement("li");
      li.tabIndex = 0;
      li.dataset.triggerPoint = c.trigger_point;
      li.dataset.side = c.side;
      const head = document.createElement("div");
      head.className = "candidate-head";
      const name = document.createElement("a");
      name.href = c.url;
      name.textContent = c.name;
      const meta = document.createElement("span");
      meta.className = "candidate-meta";
      meta.textContent = `${c.side} · ${c.score.toFixed(2)}`;
      head.append(name, meta);
      const why = document.createElement("div");
      why.className = "candidate-why";
      why.textContent = "Explains " + c.explains.map(([n, k]) => `${n} (${k})`).join(", ") +
        (c.pain_free_essential.length ? `. No pain in ${c.pain_free_essential.join(", ")}.` : ".");
      li.append(head, why);
      li.setAttribute("aria-label", `${c.name}, ${c.side}, score ${c.score.toFixed(2)}. ${why.textContent}`);
      const on = () => { hidePattern(); showPattern(c.pattern); };
      li.addEventListener("mouseenter", on);
      li.addEventListener("focus", on);
      li.addEventListener("mouseleave", hidePattern);
      li.addEventListener("blur", hidePattern);
      candidateList.append(li);
    }
    if (data.cover.length) {
      const p = document.createElement("p");
      p.textContent = "Together these muscles explain the whole drawing: " +
        data.cover.map((m) => `${m.muscle} (${m.side})`).join(", ") + ".";
      coverBox.append(p);
    }
    if (data.unexplained.length) {
      const p = document.createElement("p");
      p.className = "unexplained";
      p.textContent = "No trigger point here refers pain to " + data.unexplained.join(", ") +
        ". Consider other causes.";
      coverBox.append(p);
    }
  }

  function refreshCandidates() {
    if (hidden) hidden.value = JSON.stringify(Object.fromEntries(selection));
    if (!panel) return;
    clearTimeout(pending);
    pending = setTimeout(async () => {
      const mine = ++generation;
      const params = new URLSearchParams();
      for (const [id, intensity] of selection) params.append("r", `${id}:${intensity}`);
      candidateStatus.textContent = "Thinking…";
      try {
        const response = await fetch(`${panel.dataset.url}?${params}`, { headers: { Accept: "application/json" } });
        const data = await response.json();
        if (mine === generation) renderCandidates(data);
      } catch (error) {
        if (mine === generation) candidateStatus.textContent = "Could not reach Myomap to update the candidates.";
      }
    }, 120);
  }

  if (hidden && hidden.value) {
    try {
      for (const [id, intensity] of Object.entries(JSON.parse(hidden.value))) {
        if (regions.has(id) && intensity > 0) selection.set(id, Number(intensity));
      }
      selection.forEach((_, id) => paint(id));
      renderList();
    } catch (error) {
      hidden.value = "{}";
    }
  }

  // ------------------------------------------- one view at a time on a phone or tablet
  // Both views side by side make the thinnest regions 3-15 px wide on a phone. There the
  // figure shows the front or the back, zoomed (app.css sizes it) inside a sideways
  // scroller, with a Front/Back switch. Keyboard focus moving into the other view
  // switches to it, so Tab still walks every region.
  const single = window.matchMedia("(max-width: 900px), (pointer: coarse)");
  const wrap = svg.closest(".figure-wrap");
  const scroller = wrap && wrap.querySelector(".figure-scroll");
  const switcher = document.querySelector(".view-switch");
  const sides = document.getElementById("view-sides");
  const viewHelp = document.querySelector(".view-help");
  // The zoomed view may hide the drawing's own side labels at its edges: say it in words.
  const SIDES = {
    front: "Front view: the client's right is on your left.",
    back: "Back view: the client's left is on your left.",
  };
  const wholeBox = svg.getAttribute("viewBox");
  // The back first: it holds most regions, and most of what clients bring (neck,
  // shoulders, low back, buttock) is drawn there; a drawing already made opens on the
  // view of its first region.
  const firstMarked = selection.size ? regions.get(selection.keys().next().value) : null;
  let shown = firstMarked ? firstMarked.view : "back";

  function centre() {
    if (scroller) scroller.scrollLeft = (scroller.scrollWidth - scroller.clientWidth) / 2;
  }

  function showView(view) {
    shown = view;
    svg.setAttribute("viewBox", svg.dataset[view === "front" ? "viewboxFront" : "viewboxBack"]);
    svg.dataset.shown = view;
    if (sides) sides.textContent = SIDES[view];
    for (const button of switcher.querySelectorAll("[data-show-view]")) {
      button.setAttribute("aria-pressed", button.dataset.showView === view ? "true" : "false");
    }
    centre();
  }

  function applyMode() {
    if (!wrap || !switcher) return;
    wrap.classList.toggle("single", single.matches);
    switcher.hidden = !single.matches;
    if (viewHelp) viewHelp.hidden = !single.matches;
    if (single.matches) {
      showView(shown);
    } else {
      svg.setAttribute("viewBox", wholeBox);
      delete svg.dataset.shown;
    }
  }

  if (switcher) {
    switcher.addEventListener("click", (event) => {
      const button = event.target.closest("[data-show-view]");
      if (button) showView(button.dataset.showView);
    });
  }
  svg.addEventListener("focusin", (event) => {
    const path = event.target.closest("[data-region][data-view]");
    if (!path || !single.matches || path.dataset.view === shown) return;
    showView(path.dataset.view);
    path.scrollIntoView({ block: "nearest", inline: "nearest" });
  });
  single.addEventListener("change", applyMode);
  applyMode();
})();
