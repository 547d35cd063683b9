// Progressive enhancement only: every page works without this file.
// htmx requests that are not form submissions carry the CSRF token as a header.
document.addEventListener("htmx:configRequest", function (event) {
  var field = document.querySelector("input[name=csrf_token]");
  if (field) {
    event.detail.headers["X-CSRF-Token"] = field.value;
  }
});
