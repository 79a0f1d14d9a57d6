// Scan Archive: the little the server-rendered pages need from JavaScript.
// - Uploads: one request per file, with a progress bar, its outcome and then its live OCR
//   status (htmx polls the badge); drag and drop anywhere on a page that has the upload form;
//   the library list below takes in each document once it is finished.
// - Page viewer: zoom buttons, and the arrow keys for the previous/next page.
// Without JavaScript every page still works: the form posts normally, links navigate.
"use strict";

(function () {
  const PARALLEL_UPLOADS = 2;
  // Strings in the page's language, from Django's JavaScript catalog (/jsi18n/, loaded first).
  const gettext = window.gettext || ((text) => text);
  const interpolate = window.interpolate || ((text, values) => text.replace(/%s/g, () => values.shift()));

  function uploader(form) {
    const list = document.getElementById("upload-list");
    const input = form.querySelector('input[type="file"]');
    const overlay = document.getElementById("drop-overlay");
    const queue = [];
    let running = 0;

    function field(name) {
      const element = form.elements.namedItem(name);
      return element ? element.value : "";
    }

    function item(file) {
      const li = document.createElement("li");
      li.className = "upload-item";
      const name = document.createElement("span");
      name.className = "upload-name";
      name.textContent = file.name;
      const progress = document.createElement("progress");
      progress.max = 100;
      progress.value = 0;
      progress.setAttribute("aria-label", interpolate(gettext("Upload of %s"), [file.name]));
      const status = document.createElement("span");
      status.className = "upload-status";
      status.textContent = gettext("Waiting…");
      li.append(name, progress, status);
      list.prepend(li);
      return { li, name, progress, status };
    }

    function finish(view, response, httpStatus) {
      view.progress.value = 100;
      const outcome = response && response.files && response.files[0];
      if (!outcome) {
        const problems = (response && response.errors) || [];
        view.li.classList.add("upload-failed");
        view.status.textContent = problems.join(" ") ||
          interpolate(gettext("The upload failed (HTTP %s). Try again."), [httpStatus]);
        return;
      }
      view.li.dataset.outcome = outcome.outcome;
      view.status.textContent = outcome.message.charAt(0).toUpperCase() + outcome.message.slice(1);
      if (outcome.outcome === "rejected") {
        view.li.classList.add("upload-failed");
        return;
      }
      const doc = outcome.document;
      const link = document.createElement("a");
      link.href = doc.url;
      link.textContent = doc.title;
      view.name.replaceChildren(link);
      view.progress.remove();
      const badge = document.createElement("span");
      badge.className = "status status-" + doc.status;
      badge.textContent = "…";
      badge.setAttribute("hx-get", doc.status_url);
      badge.setAttribute("hx-trigger", "load");
      badge.setAttribute("hx-swap", "outerHTML");
      view.li.append(badge);
      if (window.htmx) window.htmx.process(badge);
    }

    function send(file, view, ocrFile) {
      const data = new FormData();
      data.append("csrfmiddlewaretoken", field("csrfmiddlewaretoken"));
      for (const name of ["language", "engine", "password"]) data.append(name, field(name));
      data.append("scans", file, file.name);
      if (ocrFile) data.append("ocr_file", ocrFile, ocrFile.name);
      const request = new XMLHttpRequest();
      request.open("POST", form.action);
      request.setRequestHeader("Accept", "application/json");
      request.upload.addEventListener("progress", (event) => {
        if (event.lengthComputable) {
          view.progress.value = Math.round((event.loaded / event.total) * 100);
          view.status.textContent = interpolate(gettext("Uploading %s %"), [view.progress.value]);
        }
      });
      request.addEventListener("load", () => {
        let body = null;
        try { body = JSON.parse(request.responseText); } catch (error) { body = null; }
        finish(view, body, request.status);
        next();
      });
      request.addEventListener("error", () => {
        finish(view, { errors: [gettext("The connection failed. Try again.")] }, 0);
        next();
      });
      view.status.textContent = gettext("Uploading…");
      request.send(data);
    }

    function next() {
      running -= 1;
      pump();
    }

    function pump() {
      while (running < PARALLEL_UPLOADS && queue.length) {
        const [file, view, ocrFile] = queue.shift();
        running += 1;
        send(file, view, ocrFile);
      }
    }

    // A scan's ALTO or hOCR file picked or dropped with it (scan.tif with scan.xml) goes
    // in the scan's request, as archive.ocr_imports.ocr_pairs pairs them on the server.
    const OCR_SUFFIXES = [".alto.xml", ".hocr.html", ".xml", ".hocr", ".html", ".htm"];
    function ocrBase(name) {
      const lower = name.toLowerCase();
      const suffix = OCR_SUFFIXES.find((s) => lower.endsWith(s));
      return suffix ? lower.slice(0, -suffix.length) : null;
    }
    function scanBase(name) {
      const dot = name.lastIndexOf(".");
      return (dot > 0 ? name.slice(0, dot) : name).toLowerCase();
    }
    function add(files) {
      files = Array.from(files);
      const ocr = new Map();
      for (const file of files) {
        const base = ocrBase(file.name);
        if (base !== null) ocr.set(base, ocr.has(base) ? null : file);
      }
      const scans = files.filter((file) => ocrBase(file.name) === null);
      const used = new Set();
      for (const file of scans) {
        const partner = ocr.get(scanBase(file.name)) || null;
        const alone = scans.filter((s) => scanBase(s.name) === scanBase(file.name)).length === 1;
        const ocrFile = partner && alone ? partner : null;
        if (ocrFile) used.add(ocrFile);
        queue.push([file, item(file), ocrFile]);
      }
      // OCR files that match no scan are sent as they are: the server says why not.
      for (const file of files) if (ocrBase(file.name) !== null && !used.has(file)) queue.push([file, item(file), null]);
      pump();
    }

    // Once an upload's document is finished, show it in the library below without a reload:
    // the same address again (sort, filters and page kept), its list and count swapped in.
    const FINISHED = ["done", "failed", "needs_password"];
    let refreshing = false;
    let again = false;
    function refreshLibrary() {
      if (refreshing) { again = true; return; }
      refreshing = true;
      fetch(window.location.href, { headers: { Accept: "text/html" } })
        .then((response) => (response.ok ? response.text() : Promise.reject(response.status)))
        .then((html) => {
          const fresh = new DOMParser().parseFromString(html, "text/html");
          for (const id of ["library-items", "library-count"]) {
            const old = document.getElementById(id);
            const replacement = fresh.getElementById(id);
            if (!old || !replacement) continue;
            old.replaceWith(replacement);
            if (window.htmx) window.htmx.process(replacement);
          }
        })
        .catch(() => {}) // the list stays as it was until the next reload
        .finally(() => {
          refreshing = false;
          if (again) { again = false; refreshLibrary(); }
        });
    }
    new MutationObserver((mutations) => {
      const finished = mutations.some((mutation) => Array.from(mutation.addedNodes).some((node) =>
        node.nodeType === Node.ELEMENT_NODE && node.matches(".status[data-status]") &&
        FINISHED.includes(node.dataset.status)));
      if (finished && document.getElementById("library-items")) refreshLibrary();
    }).observe(list, { childList: true, subtree: true });

    form.addEventListener("submit", (event) => {
      if (!input.files.length) return; // let the browser say a file is required
      event.preventDefault();
      add(Array.from(input.files));
      input.value = "";
    });

    // Drag and drop anywhere on the page.
    let depth = 0;
    const hasFiles = (event) => event.dataTransfer && Array.from(event.dataTransfer.types).includes("Files");
    document.addEventListener("dragenter", (event) => {
      if (!hasFiles(event)) return;
      depth += 1;
      overlay.hidden = false;
    });
    document.addEventListener("dragleave", (event) => {
      if (!hasFiles(event)) return;
      depth = Math.max(0, depth - 1);
      if (!depth) overlay.hidden = true;
    });
    document.addEventListener("dragover", (event) => {
      if (hasFiles(event)) event.preventDefault();
    });
    document.addEventListener("drop", (event) => {
      if (!hasFiles(event)) return;
      event.preventDefault();
      depth = 0;
      overlay.hidden = true;
      add(Array.from(event.dataTransfer.files));
    });
  }

  function viewer() {
    const frame = document.querySelector("[data-zoomable]");
    if (frame) {
      const levels = ["zoom-fit", "zoom-150", "zoom-200", "zoom-300"];
      let level = 0;
      for (const button of document.querySelectorAll("[data-zoom]")) {
        button.addEventListener("click", () => {
          const how = button.dataset.zoom;
          level = how === "fit" ? 0 : Math.min(levels.length - 1, Math.max(0, level + (how === "in" ? 1 : -1)));
          frame.classList.remove(...levels);
          frame.classList.add(levels[level]);
        });
      }
    }
    document.addEventListener("keydown", (event) => {
      if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
      if (event.target.closest && event.target.closest("input, textarea, select, [contenteditable]")) return;
      const link = document.querySelector('[data-key="' + event.key + '"]');
      if (link) window.location.assign(link.href);
    });
  }

  // The language menu in the header posts itself when changed (its button is for no-JS).
  function languageSwitch() {
    for (const select of document.querySelectorAll("select[data-autosubmit]")) {
      const button = select.form.querySelector('button[type="submit"]');
      if (button) button.hidden = true;
      select.addEventListener("change", () => select.form.submit());
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    languageSwitch();
    const form = document.querySelector("form[data-upload]");
    if (form) uploader(form);
    viewer();
  });
})();
