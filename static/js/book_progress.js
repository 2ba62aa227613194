// The quarterly book's job page (templates/reports/book_job.html): poll the job's status JSON
// every 1.5 s while it is queued or running, and show progress, the error or the download link.
(function () {
  "use strict";
  var box = document.getElementById("book-job");
  if (!box) return;
  var url = box.dataset.statusUrl;
  var bar = box.querySelector(".progress-bar");
  var meter = box.querySelector(".progress");
  var statusText = box.querySelector(".book-status-text");
  var count = box.querySelector(".book-count");
  var errorBox = box.querySelector(".book-error");
  var errorText = box.querySelector(".book-error-text");
  var download = box.querySelector(".book-download");

  function show(status) {
    box.dataset.status = status.status;
    statusText.textContent = status.status_text;
    count.textContent = status.total ? status.done + " / " + status.total : "";
    bar.style.width = status.percent + "%";
    bar.textContent = status.percent + "%";
    meter.setAttribute("aria-valuenow", status.percent);
    errorText.textContent = status.error || "";
    errorBox.classList.toggle("d-none", !status.error);
    if (status.download_url) download.href = status.download_url;
    download.classList.toggle("d-none", !status.download_url);
  }

  function active() {
    return box.dataset.status === "queued" || box.dataset.status === "running";
  }

  function poll() {
    if (!active()) return;
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (status) { if (status) show(status); })
      .catch(function () {})
      .then(function () { if (active()) window.setTimeout(poll, 1500); });
  }

  window.setTimeout(poll, 1000);
})();
