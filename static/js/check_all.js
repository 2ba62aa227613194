// A "tick all" box (data-check-all="NAME") ticks or clears every enabled checkbox named NAME.
(function () {
  "use strict";
  document.querySelectorAll("[data-check-all]").forEach(function (box) {
    box.addEventListener("change", function () {
      var selector = 'input[type="checkbox"][name="' + box.dataset.checkAll + '"]:not(:disabled)';
      box.form.querySelectorAll(selector).forEach(function (other) { other.checked = box.checked; });
    });
  });
})();
