/* quotasim dashboard: say why a scenario file over the size limit was not loaded.
   dcc.Upload's max_size makes the browser drop such a file silently (no callback fires),
   so this shows the server's own refusal (its words and limit come from the page's
   #upload-limit data attributes) in #upload-message. Dash loads every script in assets/. */
(function () {
  function check(files) {
    var box = document.getElementById("upload-limit");
    if (!box || !files || !files.length || !window.dash_clientside || !window.dash_clientside.set_props) {
      return;
    }
    var limit = Number(box.dataset.maxBytes);
    for (var i = 0; i < files.length; i++) {
      if (files[i].size > limit) {
        var message = box.dataset.refusal.replace("{name}", files[i].name)
          .replace("{size}", files[i].size.toLocaleString("en-US"));
        window.dash_clientside.set_props("upload-message", {children: message});
        return;
      }
    }
  }
  function inUpload(target) {
    return target && target.closest && target.closest("#upload-limit");
  }
  // Capture phase: seen before the upload component handles (and rejects) the file.
  document.addEventListener("change", function (event) {
    if (inUpload(event.target)) { check(event.target.files); }
  }, true);
  document.addEventListener("drop", function (event) {
    if (inUpload(event.target) && event.dataTransfer) { check(event.dataTransfer.files); }
  }, true);
})();
