/* Draws every chart of kansrijk.monitoring (templates/monitoring/includes/chart.html) with
   vega-embed, and adds the chart/table switch. The strict CSP holds: expressions are interpreted
   ({ast: true}, no eval) and no style elements are injected (defaultStyle: false, the tooltip's
   default style off; monitoring.css styles both). Without JavaScript only the tables show. */
(function () {
  "use strict";

  function show(figure, which) {
    var graph = figure.querySelector("[data-chart-spec]");
    var table = figure.querySelector("[data-chart-table]");
    graph.hidden = which !== "graph";
    table.classList.toggle("kr-chart__table--hidden", which !== "table");
    figure.querySelectorAll("[data-chart-switch] button").forEach(function (button) {
      button.setAttribute("aria-pressed", button.dataset.show === which ? "true" : "false");
    });
  }

  function setup(figure) {
    var graph = figure.querySelector("[data-chart-spec]");
    var source = graph && document.getElementById(graph.dataset.chartSpec);
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
        figure.classList.add("kr-chart--drawn");
        var switcher = figure.querySelector("[data-chart-switch]");
        switcher.hidden = false;
        switcher.querySelectorAll("button").forEach(function (button) {
          button.addEventListener("click", function () {
            show(figure, button.dataset.show);
          });
        });
        show(figure, "graph");
      })
      .catch(function (error) {
        graph.textContent = "";
        if (window.console) {
          window.console.error(error);
        }
      });
  }

  function start() {
    document.querySelectorAll("figure.kr-chart").forEach(setup);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
