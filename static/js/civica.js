// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // Parts that update in place (class "js-only") are shown only when this file runs, and
  // what stands in for them without it ("no-js-only") is hidden.
  document.documentElement.classList.add("js");

  // htmx requests that are not form submissions carry the CSRF token as a header.
  document.addEventListener("htmx:configRequest", function (event) {
    var field = document.querySelector("input[name=csrf_token]");
    if (field) {
      event.detail.headers["X-CSRF-Token"] = field.value;
    }
  });

  // GOV.UK error summary: move focus to it, so it is read first and the links are next.
  function focusErrorSummary() {
    var summary = document.getElementById("error-summary");
    if (summary) {
      summary.focus();
    }
  }

  // Session timeout (WCAG 2.2.1): warn politely two minutes before the session ends and let
  // "Stay signed in" extend it without leaving the page. Without JavaScript the same button
  // posts the form and the page comes back with the new time.
  var WARN_BEFORE_MS = 2 * 60 * 1000;

  function setUpSessionTimeout() {
    var notice = document.getElementById("session-notice");
    if (!notice) {
      return;
    }
    var form = notice.querySelector("form");
    var status = notice.querySelector(".session-status");
    var expiry = notice.querySelector(".session-expiry");
    var warnTimer = null;
    var endTimer = null;

    function announce(text) {
      status.textContent = text;
    }

    function schedule(secondsLeft) {
      window.clearTimeout(warnTimer);
      window.clearTimeout(endTimer);
      var left = Math.max(0, secondsLeft * 1000);
      warnTimer = window.setTimeout(function () {
        announce(notice.dataset.warning);
      }, Math.max(0, left - WARN_BEFORE_MS));
      endTimer = window.setTimeout(function () {
        form.hidden = true;
        announce(notice.dataset.expired);
      }, left);
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var body = new URLSearchParams(new FormData(form));
      window.fetch(form.action, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { Accept: "application/json" }
      }).then(function (response) {
        return response.json();
      }).then(function (answer) {
        if (!answer.signed_in) {
          form.hidden = true;
          announce(notice.dataset.expired);
          return;
        }
        expiry.textContent = answer.expires_at_text;
        expiry.setAttribute("datetime", answer.expires_at);
        notice.dataset.secondsLeft = String(answer.seconds_left);
        announce(notice.dataset.extended.replace("{time}", answer.expires_at_text));
        schedule(answer.seconds_left);
      }).catch(function () {
        form.submit();
      });
    });

    schedule(parseInt(notice.dataset.secondsLeft, 10) || 0);
  }

  function start() {
    focusErrorSummary();
    setUpSessionTimeout();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
