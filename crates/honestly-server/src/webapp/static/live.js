// Live status of a proof request: follows the cookie-authenticated event stream named by
// #request-status's data-events and writes each status in words into the element. When the
// status leaves "pending", a page that names data-then goes there once (to show the result).
(function () {
  "use strict";
  var el = document.getElementById("request-status");
  if (!el || !window.EventSource) { return; }
  var url = el.getAttribute("data-events");
  if (!url) { return; }
  var words = {
    pending: "Pending: waiting for the holder's answer",
    completed: "Completed: the holder answered",
    declined: "Declined by the holder",
    expired: "Expired: nobody answered in time"
  };
  var source = new EventSource(url);
  source.addEventListener("status", function (event) {
    var view;
    try { view = JSON.parse(event.data); } catch (e) { return; }
    if (!view || typeof view.status !== "string") { return; }
    el.textContent = words[view.status] || view.status;
    el.setAttribute("data-status", view.status);
    if (view.status !== "pending") {
      source.close();
      var then = el.getAttribute("data-then");
      if (then && then.charAt(0) === "/" && then.charAt(1) !== "/") { window.location.replace(then); }
    }
  });
})();
