// Forms that must not lose work or act by accident (no inline script: loaded as a file).
//  - data-confirm on a form or a submit button: ask before it is sent.
//  - data-warn-unsaved on a form: warn before leaving the page with unsaved edits.
//  - data-print on a button: print the page.
//  - data-copy="ID" on a button: copy the value of the field ID (a new token, a link),
//    saying so on the button; the field is selected where copying is not allowed.
(function () {
  "use strict";
  var dirty = new Set();

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter;
    var question = (button && button.dataset.confirm) || form.dataset.confirm;
    if (question && !window.confirm(question)) {
      event.preventDefault();
      return;
    }
    dirty.clear(); // the edits are being sent: leaving now loses nothing
  });

  document.querySelectorAll("form[data-warn-unsaved]").forEach(function (form) {
    var mark = function () {
      dirty.add(form);
      var status = form.querySelector("[data-save-status]");
      if (status) status.textContent = "Unsaved changes";
    };
    form.addEventListener("input", mark);
    form.addEventListener("change", mark);
  });

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.dataset.copy);
    if (!field) return;
    button.hidden = false;
    var label = button.textContent;
    button.addEventListener("click", function () {
      var said = function (text) {
        button.textContent = text;
        setTimeout(function () { button.textContent = label; }, 2000);
      };
      field.select();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(
          function () { said("Copied"); },
          function () { said("Selected: copy it"); }
        );
      } else {
        said("Selected: copy it");
      }
    });
  });

  window.addEventListener("beforeunload", function (event) {
    if (dirty.size) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
