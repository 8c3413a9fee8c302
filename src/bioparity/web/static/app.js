// Progress for long form submissions (uploads, analyses, validation): a status box and an indeterminate bar.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var text = form.getAttribute("data-busy");
  if (!text) { return; }
  var box = document.getElementById("busy");
  box.textContent = text;
  var bar = document.createElement("progress");
  bar.setAttribute("aria-label", text);
  box.appendChild(bar);
  var buttons = form.querySelectorAll("button[type=submit]");
  window.setTimeout(function () { buttons.forEach(function (b) { b.disabled = true; }); }, 0);
});
// Interactive plots: every <div class="plot" data-figure="ID"> draws the JSON in <script id="ID">.
function bioparityDrawPlots() {
  if (typeof Plotly === "undefined") { return; }
  document.querySelectorAll("div.plot[data-figure]").forEach(function (el) {
    var spec = JSON.parse(document.getElementById(el.getAttribute("data-figure")).textContent);
    Plotly.newPlot(el, spec.data, spec.layout, {responsive: true, displaylogo: false});
  });
}
window.addEventListener("load", bioparityDrawPlots);
