// The portal's own script. The Content-Security-Policy allows no inline
// scripts or event handlers, so small behaviours live here, keyed on data-
// attributes. Every page works without it.
(function () {
  "use strict";
  // data-select-on-focus: select the field's whole text when it gets focus,
  // so a tracked link can be copied at once.
  document.addEventListener("focusin", function (e) {
    var el = e.target;
    if (el && el.hasAttribute && el.hasAttribute("data-select-on-focus") && typeof el.select === "function") {
      el.select();
    }
  });
  // data-history-back: a link back to a form goes back in the history
  // instead, where browsers keep what was typed; without a history (or
  // without this script) it opens the form afresh.
  document.addEventListener("click", function (e) {
    var el = e.target && e.target.closest ? e.target.closest("[data-history-back]") : null;
    if (el && window.history.length > 1) {
      e.preventDefault();
      window.history.back();
    }
  });
})();
