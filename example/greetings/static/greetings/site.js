// The example's script: shows when the page was rendered in the visitor's time zone.
(function () {
  "use strict";

  function render() {
    var clock = document.getElementById("clock");
    if (!clock) {
      return;
    }
    var now = new Date();
    var formatted = now.toLocaleString(undefined, {
      weekday: "long",
      year: "numeric",
      month: "long",
      day: "numeric",
      hour: "2-digit",
      minute: "2-digit",
    });
    clock.textContent = "Page shown " + formatted + ".";
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", render);
  } else {
    render();
  }
})();
