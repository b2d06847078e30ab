// Shows the OpenAPI document named by #redoc's data-spec-url with Redoc (vendored; no CDN).
document.addEventListener("DOMContentLoaded", function () {
  var element = document.getElementById("redoc");
  if (!element || !window.Redoc) {
    return;
  }
  window.Redoc.init(
    element.dataset.specUrl,
    {
      hideHostname: true,
      expandResponses: "200,201",
      jsonSampleExpandLevel: 2,
      disableSearch: false,
      theme: { typography: { fontFamily: "inherit", headings: { fontFamily: "inherit" } } },
    },
    element
  );
});
