// Small comforts for the pages that load this script; each page works the same without it.
// 1. Upload progress: #upload-form is sent with XMLHttpRequest, a labelled <progress>
//    (#upload-progress) follows the bytes sent, then the browser goes where the server's
//    redirect led (the new document's page). An error page's words replace the form.
// 2. Copy buttons: every element marked data-copy (its value says what it holds) gets a "Copy"
//    button (.copy-button) after it that copies its text (an input's value) and says "Copied",
//    announced by a status beside it (.copy-status).
(function () {
  "use strict";

  function say(region, words) {
    region.textContent = words;
  }

  function sameOrigin(url) {
    try { return new URL(url, window.location.href).origin === window.location.origin; } catch (e) { return false; }
  }

  function showPage(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var main = doc.querySelector("main");
    var here = document.querySelector("main");
    if (!main || !here) { return false; }
    here.replaceWith(document.importNode(main, true));
    if (doc.title) { document.title = doc.title; }
    return true;
  }

  function uploadProgress(form) {
    if (!window.XMLHttpRequest || !window.FormData) { return; }
    var field = document.createElement("div");
    field.className = "field";
    field.hidden = true;
    var label = document.createElement("label");
    label.setAttribute("for", "upload-progress");
    label.textContent = "Upload progress";
    var bar = document.createElement("progress");
    bar.id = "upload-progress";
    bar.max = 100;
    bar.value = 0;
    bar.textContent = "0 %";
    var status = document.createElement("p");
    status.id = "upload-status";
    status.className = "hint";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    field.appendChild(label);
    field.appendChild(bar);
    field.appendChild(status);
    form.appendChild(field);
    var sending = false;

    function show(percent) {
      bar.value = percent;
      bar.textContent = percent + " %";
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (sending) { return; }
      sending = true;
      var button = form.querySelector("button[type=submit]");
      if (button) { button.disabled = true; }
      field.hidden = false;
      show(0);
      say(status, "Sending the file…");
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.getAttribute("action") || window.location.pathname);
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable && e.total > 0) { show(Math.min(100, Math.floor(e.loaded * 100 / e.total))); }
      });
      xhr.upload.addEventListener("load", function () {
        show(100);
        say(status, "Sent. The server is encrypting and storing it…");
      });
      xhr.addEventListener("load", function () {
        if (xhr.status >= 200 && xhr.status < 300 && xhr.responseURL && sameOrigin(xhr.responseURL)) {
          show(100);
          say(status, "Stored. Opening the document…");
          window.location.assign(xhr.responseURL);
          return;
        }
        if (!showPage(xhr.responseText)) {
          sending = false;
          if (button) { button.disabled = false; }
          say(status, "The upload was refused (status " + xhr.status + "). Nothing was stored.");
        }
      });
      xhr.addEventListener("error", function () {
        sending = false;
        if (button) { button.disabled = false; }
        say(status, "The upload did not finish: the file may be larger than this server accepts, or the " +
          "connection dropped. Check your documents before trying again.");
      });
      xhr.send(new FormData(form));
    });
  }

  function copyText(source) {
    return source.tagName === "INPUT" || source.tagName === "TEXTAREA" ? source.value : source.textContent;
  }

  function copiedBySelection(source) {
    var selection = window.getSelection();
    if (source.tagName === "INPUT" || source.tagName === "TEXTAREA") {
      source.select();
    } else if (selection) {
      var range = document.createRange();
      range.selectNodeContents(source);
      selection.removeAllRanges();
      selection.addRange(range);
    }
    var done = false;
    try { done = document.execCommand("copy"); } catch (e) { done = false; }
    return done;
  }

  function copyButton(source) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy-button secondary";
    button.textContent = "Copy";
    var status = document.createElement("span");
    status.className = "copy-status hint";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    function copied(ok) {
      button.textContent = ok ? "Copied" : "Copy";
      var what = source.getAttribute("data-copy") || "it";
      say(status, ok ? " Copied " + what + " to the clipboard." : " Select the text and copy it yourself.");
    }
    button.addEventListener("click", function () {
      var text = copyText(source);
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(function () { copied(true); },
          function () { copied(copiedBySelection(source)); });
      } else {
        copied(copiedBySelection(source));
      }
    });
    source.insertAdjacentElement("afterend", status);
    source.insertAdjacentElement("afterend", button);
  }

  var form = document.getElementById("upload-form");
  if (form) { uploadProgress(form); }
  var sources = document.querySelectorAll("[data-copy]");
  for (var i = 0; i < sources.length && i < 16; i++) { copyButton(sources[i]); }
})();
