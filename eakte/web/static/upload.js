// Upload with progress per file; the form works without this script too.
// No inline script (CSP): loaded from upload.html. File names are set as text only.
(function () {
  "use strict";

  function start() {
    var form = document.getElementById("upload-form");
    if (!form || !window.FormData || !window.XMLHttpRequest) {
      return;
    }
    var input = document.getElementById("upload-files");
    var list = document.getElementById(form.getAttribute("data-status-list"));
    var zone = document.getElementById("dropzone");
    var token = form.querySelector("input[name=csrf_token]").value;

    function send(file) {
      var item = document.createElement("li");
      var name = document.createElement("span");
      name.textContent = file.name + ": ";
      var bar = document.createElement("progress");
      bar.max = 100;
      bar.value = 0;
      bar.setAttribute("aria-label", file.name);
      item.appendChild(name);
      item.appendChild(bar);
      list.appendChild(item);

      var data = new FormData();
      data.append("csrf_token", token);
      data.append("orgunit", form.elements.orgunit.value);
      data.append("files", file, file.name);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.getAttribute("action") || window.location.pathname);
      xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      xhr.setRequestHeader("X-CSRFToken", token);
      xhr.upload.addEventListener("progress", function (event) {
        if (event.lengthComputable) {
          bar.value = Math.round((event.loaded / event.total) * 100);
        }
      });
      xhr.addEventListener("load", function () {
        if (xhr.status === 200) {
          var holder = document.createElement("template");
          holder.innerHTML = xhr.responseText; // server-rendered, escaped by Jinja
          var fresh = holder.content.firstElementChild;
          if (fresh) {
            item.replaceWith(fresh);
            if (window.htmx) {
              window.htmx.process(fresh);
            }
            return;
          }
        }
        failed(item, file.name, xhr.status);
      });
      xhr.addEventListener("error", function () {
        failed(item, file.name, 0);
      });
      xhr.send(data);
    }

    function failed(item, fileName, status) {
      item.textContent = fileName + ": " + (document.documentElement.lang === "de"
        ? "Hochladen fehlgeschlagen"
        : "Upload failed") + (status ? " (HTTP " + status + ")" : "");
    }

    function sendAll(files) {
      for (var i = 0; i < files.length; i += 1) {
        send(files[i]);
      }
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      sendAll(input.files);
      input.value = "";
    });
    if (zone) {
      ["dragenter", "dragover"].forEach(function (type) {
        zone.addEventListener(type, function (event) {
          event.preventDefault();
          zone.classList.add("dragover");
        });
      });
      zone.addEventListener("dragleave", function () {
        zone.classList.remove("dragover");
      });
      zone.addEventListener("drop", function (event) {
        event.preventDefault();
        zone.classList.remove("dragover");
        if (event.dataTransfer && event.dataTransfer.files.length) {
          sendAll(event.dataTransfer.files);
        }
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
