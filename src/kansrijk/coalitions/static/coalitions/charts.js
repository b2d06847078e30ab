/* Draws the charts of the coalition's workspace (templates/coalitions/includes/chart.html) with
   vega-embed. The strict CSP holds: expressions are interpreted ({ast: true}, no eval) and no
   style elements are injected (defaultStyle: false, the tooltip's default style off;
   coalitions.css styles both). Without JavaScript the tables alone show the figures. */
(function () {
  "use strict";

  function setup(graph) {
    var source = document.getElementById(graph.dataset.chartSpec);
    if (!source || typeof window.vegaEmbed !== "function") {
      return;
    }
    var spec = JSON.parse(source.textContent);
    graph.textContent = "";
    window
      .vegaEmbed(graph, spec, {
        ast: true,
        actions: false,
        renderer: "svg",
        defaultStyle: false,
        tooltip: { disableDefaultStyle: true },
      })
      .then(function () {
        graph.classList.add("kr-chart__graph--drawn");
      })
      .catch(function (error) {
        graph.textContent = "";
        if (window.console) {
          window.console.error(error);
        }
      });
  }

  function start() {
    document.querySelectorAll("[data-chart-spec]").forEach(setup);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
