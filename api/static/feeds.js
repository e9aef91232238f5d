// The feed page's copy buttons: the only script netgoals serves, loaded from this file
// (the page's Content-Security-Policy allows script-src 'self' and nothing inline).
document.querySelectorAll("button.copy").forEach(function (button) {
  button.addEventListener("click", function () {
    var field = document.getElementById(button.dataset.copy);
    field.select();
    var done = function () { button.textContent = "Copied"; };
    if (navigator.clipboard) {
      navigator.clipboard.writeText(field.value).then(done, function () { document.execCommand("copy"); done(); });
    } else {
      document.execCommand("copy");
      done();
    }
  });
});
