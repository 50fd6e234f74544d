// The assessment page has one palpation form, in the row being examined. Each other row has
// a link that reloads the page with the form in that row; this script does the same in
// place: it moves the form to the row, fills it with what was recorded there (or clears
// it), and puts the cursor in the first box. Without it, the links still work.
(function () {
  "use strict";
  var form = document.getElementById("palpation-form");
  if (!form) return;
  var FLAGS = ["taut_band", "referral", "twitch", "jump"];

  function open(link) {
    var row = link.closest(".exam-item");
    var finding = {};
    try {
      finding = JSON.parse(link.dataset.finding || "{}");
    } catch (ignored) {
      finding = {};
    }
    var shown = form.parentElement.querySelector(".palpate-link[hidden]");
    if (shown) shown.hidden = false;
    var holder = document.getElementById("palpation-holder");
    if (holder) holder.hidden = true;
    form.elements.trigger_point.value = link.dataset.point;
    form.elements.side.value = link.dataset.side;
    form.elements.tender.value = finding.tender === undefined ? "" : finding.tender;
    form.elements.ppt.value = finding.ppt === undefined ? "" : finding.ppt;
    FLAGS.forEach(function (name) {
      form.elements[name].checked = Boolean(finding[name]);
    });
    // Errors and typed values belonged to the row the form leaves.
    form.querySelectorAll(".palpation-errors, [aria-invalid]").forEach(function (el) {
      if (el.classList.contains("palpation-errors")) el.textContent = "";
      else el.removeAttribute("aria-invalid");
    });
    form.querySelector("button[type=submit]").setAttribute(
      "aria-label", "Save " + link.dataset.name + ", " + link.dataset.side
    );
    row.insertBefore(form, link);
    link.hidden = true;
    form.elements.tender.focus();
  }

  document.querySelectorAll(".palpate-link").forEach(function (link) {
    link.addEventListener("click", function (event) {
      if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
      event.preventDefault();
      open(link);
      if (window.history && window.history.replaceState) {
        window.history.replaceState(null, "", link.href);
      }
    });
  });
})();
