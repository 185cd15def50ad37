// Dondoc web chat: a WebSocket to /chat/ws. Messages the server has not acknowledged are
// kept (also across a reload) and sent again with the same id, which the server uses to
// ignore duplicates.
(function () {
  "use strict";
  var root = document.getElementById("chat");
  var list = document.getElementById("messages");
  var statusLine = document.getElementById("status");
  var form = document.getElementById("composer");
  var input = document.getElementById("text");
  var fileInput = document.getElementById("file");
  var chosen = document.getElementById("chosen");
  var STORE = "dondoc.chat.pending";
  var pending = loadPending();
  var ws = null;
  var retry = 500;

  function loadPending() {
    try { return JSON.parse(localStorage.getItem(STORE) || "{}"); } catch (e) { return {}; }
  }
  function savePending() {
    try { localStorage.setItem(STORE, JSON.stringify(pending)); } catch (e) { /* private mode */ }
  }
  function newId() {
    var bytes = new Uint8Array(12);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }
  function setLinked(name) {
    var who = document.getElementById("who");
    who.textContent = name ? who.dataset.linked.replace("{name}", name) : who.dataset.unlinked;
  }
  function setStatus(key) {
    statusLine.textContent = root.dataset[key];
    statusLine.className = "status " + key;
  }

  var URL_RE = /(https?:\/\/[^\s<>"]+)/g;
  function appendText(el, text) {
    var parts = String(text || "").split(URL_RE);
    parts.forEach(function (part, i) {
      if (i % 2 === 1) {
        var a = document.createElement("a");
        a.href = part;
        a.textContent = part;
        a.rel = "noopener noreferrer";
        el.appendChild(a);
      } else if (part) {
        el.appendChild(document.createTextNode(part));
      }
    });
  }

  function fill(el, msg) {
    el.textContent = "";
    el.className = "msg " + msg.direction;
    el.dataset.id = msg.id;
    var body = document.createElement("div");
    body.className = "text";
    appendText(body, msg.text);
    el.appendChild(body);
    if (msg.document) { el.appendChild(fileLink(msg.document)); }
    if (msg.photo && msg.photo.url) {
      var img = document.createElement("img");
      img.src = msg.photo.url;
      img.alt = msg.photo.caption || msg.photo.name || "";
      el.appendChild(img);
    }
    (msg.buttons || []).forEach(function (row) {
      var line = document.createElement("div");
      line.className = "buttons";
      row.forEach(function (b) {
        var button = document.createElement("button");
        button.type = "button";
        button.textContent = b.label;
        button.dataset.data = b.data;
        button.addEventListener("click", function () { press(msg.id, b.data); });
        line.appendChild(button);
      });
      el.appendChild(line);
    });
    var at = document.createElement("div");
    at.className = "at";
    at.textContent = msg.at || "";
    el.appendChild(at);
  }

  function fileLink(doc) {
    var box = document.createElement("div");
    box.className = "file";
    if (doc.url) {
      var a = document.createElement("a");
      a.href = doc.url;
      a.textContent = "\uD83D\uDCCE " + (doc.name || "file");
      a.setAttribute("download", doc.name || "");
      box.appendChild(a);
    } else {
      box.textContent = "\uD83D\uDCCE " + (doc.name || "");
    }
    if (doc.caption) {
      var c = document.createElement("div");
      c.textContent = doc.caption;
      box.appendChild(c);
    }
    return box;
  }

  function show(msg) {
    if (list.querySelector('[data-id="' + msg.id + '"]')) { return; }
    var el = null;
    if (msg.direction === "in" && msg.client_id) {
      el = list.querySelector('[data-client-id="' + msg.client_id + '"]');
    }
    if (!el) {
      el = document.createElement("div");
      list.appendChild(el);
    }
    fill(el, msg);
    if (msg.client_id) { el.dataset.clientId = msg.client_id; }
    list.scrollTop = list.scrollHeight;
  }

  function showPending(id, text) {
    var el = document.createElement("div");
    el.className = "msg in pending";
    el.dataset.clientId = id;
    var body = document.createElement("div");
    body.className = "text";
    appendText(body, text);
    el.appendChild(body);
    list.appendChild(el);
    list.scrollTop = list.scrollHeight;
  }

  function transmit(frame) {
    if (ws && ws.readyState === WebSocket.OPEN) { ws.send(JSON.stringify(frame)); }
  }
  function queue(frame) {
    pending[frame.id] = frame;
    savePending();
    transmit(frame);
  }
  function press(origin, data) {
    queue({ type: "button", id: newId(), data: data, origin: origin });
  }

  function showNotice(text) {
    show({ id: "notice-" + newId(), direction: "out", text: text, at: "", buttons: [] });
  }

  fileInput.addEventListener("change", function () {
    var file = fileInput.files[0];
    chosen.textContent = file ? "\uD83D\uDCCE " + file.name : "";
    chosen.hidden = !file;
    input.focus();
  });

  // A file goes by HTTP (/chat/upload) with the typed text as its caption; the answer holds
  // the frames the socket would have sent. Not kept for resending: the person picks it again.
  function upload(file, text) {
    if (file.size > Number(form.dataset.limit)) {
      showNotice(form.dataset.tooLarge);
      return;
    }
    var id = newId();
    showPending(id, "\uD83D\uDCCE " + file.name + (text ? "\n" + text : ""));
    var data = new FormData();
    data.append("csrf", form.dataset.csrf);
    data.append("id", id);
    data.append("text", text);
    data.append("file", file);
    fetch("/chat/upload", { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (body) {
        (body.frames || []).forEach(function (frame) {
          if (frame.type === "error") { dropPending(id); }
          receive(frame);
        });
      })
      .catch(function () {
        dropPending(id);
        showNotice(form.dataset.failed);
      });
  }
  function dropPending(id) {
    var el = list.querySelector('.pending[data-client-id="' + id + '"]');
    if (el) { el.remove(); }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    var file = fileInput.files[0];
    if (file) {
      upload(file, text);
      fileInput.value = "";
      chosen.hidden = true;
      input.value = "";
      return;
    }
    if (!text) { return; }
    var id = newId();
    showPending(id, text);
    queue({ type: "message", id: id, text: text });
    input.value = "";
    input.focus();
  });

  function receive(data) {
    if ("linked" in data) { setLinked(data.linked); }
    if (data.type === "history") {
      list.textContent = "";
      data.messages.forEach(show);
      Object.keys(pending).forEach(function (id) {
        var frame = pending[id];
        if (frame.type === "message" && !list.querySelector('[data-client-id="' + id + '"]')) {
          showPending(id, frame.text);
        }
        transmit(frame);
      });
    } else if (data.type === "message") {
      show(data.message);
    } else if (data.type === "edit") {
      var el = list.querySelector('[data-id="' + data.message.id + '"]');
      if (el) { fill(el, data.message); } else { show(data.message); }
    } else if (data.type === "ack" || (data.type === "error" && data.reason !== "retry")) {
      delete pending[data.id];
      savePending();
      var mine = list.querySelector('[data-client-id="' + data.id + '"]');
      if (mine) { mine.classList.remove("pending"); }
    } else if (data.type === "error" && data.reason === "retry") {
      setTimeout(function () { if (pending[data.id]) { transmit(pending[data.id]); } }, 2000);
    }
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    ws = new WebSocket(scheme + location.host + "/chat/ws");
    ws.addEventListener("open", function () { retry = 500; setStatus("connected"); });
    ws.addEventListener("message", function (event) { receive(JSON.parse(event.data)); });
    ws.addEventListener("close", function () {
      setStatus("offline");
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 10000);
    });
  }
  setStatus("connecting");
  connect();
})();
