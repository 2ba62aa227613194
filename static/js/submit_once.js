// One click is one submission: a form marked data-submit-once disables its submit buttons once
// it is on its way (no inline script: the Content-Security-Policy allows only our own files).
document.querySelectorAll("form[data-submit-once]").forEach(function (form) {
  form.addEventListener("submit", function () {
    form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
  });
});
