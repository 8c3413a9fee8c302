// A run computed in the background (templates/_job_status.html): poll its status URL and show the state,
// the progress and what it does now; once it is finished, load the page again (it then shows the result,
// or why the analysis failed). Without JavaScript, the page refreshes itself (<noscript> meta refresh).
(function () {
  var box = document.getElementById("job-status");
  if (!box) { return; }
  var url = box.getAttribute("data-status-url");
  var state = document.getElementById("job-state");
  var badges = {queued: "draft", running: "draft", done: "succeeded", failed: "failed"};  // as the template
  var bar = document.getElementById("job-progress");
  var percent = document.getElementById("job-percent");
  var message = document.getElementById("job-message");
  var delay = 500;
  // The page's language: state names and the "% done" text come from the page (the JSON status is English).
  var labels = JSON.parse(box.getAttribute("data-labels") || "{}");
  var percentDone = box.getAttribute("data-percent-done") || "%(percent)s% done";

  function show(s) {
    if (state.getAttribute("data-code") !== s.status) {
      state.setAttribute("data-code", s.status);
      state.textContent = labels[s.status] || s.status;
      state.className = "badge " + (badges[s.status] || "");
    }
    // data-status stays queued or running until the page is loaded again with the outcome.
    if (s.status === "queued" || s.status === "running") { box.setAttribute("data-status", s.status); }
    if (bar) { bar.value = s.progress; }
    if (percent) { percent.textContent = percentDone.replace("%(percent)s", String(Math.round(100 * s.progress))); }
    // Only a changed text is written: the live region announces each stage once.
    if (message && message.textContent !== (s.message || "")) { message.textContent = s.message || ""; }
  }

  function poll() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) {
        if (!response.ok) { throw new Error("status " + response.status); }
        return response.json();
      })
      .then(function (s) {
        show(s);
        if (s.status === "done" || s.status === "failed") {
          window.location.reload();
          return;
        }
        delay = Math.min(delay * 1.5, 5000);
        window.setTimeout(poll, delay);
      })
      .catch(function () {  // the server restarting, the network: try again, less often
        delay = Math.min(delay * 2, 10000);
        window.setTimeout(poll, delay);
      });
  }
  window.setTimeout(poll, delay);
})();
