// @mentions: in a textarea with data-mention="<customer number>", typing "@" and a few letters
// lists the colleagues who may see that customer (GET /api/v1/users/mentionable); a click, Enter
// or Tab puts "@name " in the text. Without JavaScript, typing @name works all the same.
(function () {
  "use strict";
  var menu = null, target = null, start = -1, items = [], active = 0, timer = null;

  function close() {
    if (menu) { menu.remove(); menu = null; }
    items = []; target = null; start = -1;
  }

  function pick(index) {
    var user = items[index];
    if (!user || !target) { return; }
    var text = target.value, caret = target.selectionStart;
    var insert = "@" + user.name + " ";
    target.value = text.slice(0, start) + insert + text.slice(caret);
    var position = start + insert.length;
    target.setSelectionRange(position, position);
    target.focus();
    close();
  }

  function show(area, users) {
    if (menu) { menu.remove(); }
    items = users; active = 0;
    if (!users.length) { menu = null; return; }
    menu = document.createElement("ul");
    menu.className = "mention-menu";
    menu.setAttribute("role", "listbox");
    users.forEach(function (user, index) {
      var li = document.createElement("li");
      li.textContent = user.name + (user.name !== user.username ? " (" + user.username + ")" : "");
      li.setAttribute("role", "option");
      li.className = index === 0 ? "active" : "";
      li.addEventListener("mousedown", function (event) { event.preventDefault(); pick(index); });
      menu.appendChild(li);
    });
    var box = area.getBoundingClientRect();
    menu.style.left = (window.scrollX + box.left) + "px";
    menu.style.top = (window.scrollY + box.bottom) + "px";
    document.body.appendChild(menu);
  }

  function lookup(area) {
    var before = area.value.slice(0, area.selectionStart);
    var match = /(^|\s)@([\w.\-\u4e00-\u9fff]{0,30})$/.exec(before);
    if (!match) { close(); return; }
    target = area;
    start = before.length - match[2].length - 1;
    var url = "/api/v1/users/mentionable?customer_no=" + encodeURIComponent(area.dataset.mention) +
      "&q=" + encodeURIComponent(match[2]);
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : []; })
      .then(function (users) { if (target === area) { show(area, users); } })
      .catch(close);
  }

  document.addEventListener("input", function (event) {
    var area = event.target;
    if (!(area instanceof HTMLTextAreaElement) || !area.dataset.mention) { return; }
    clearTimeout(timer);
    timer = setTimeout(function () { lookup(area); }, 150);
  });

  document.addEventListener("keydown", function (event) {
    if (!menu || event.target !== target) { return; }
    var options = menu.querySelectorAll("li");
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      options[active].className = "";
      active = (active + (event.key === "ArrowDown" ? 1 : options.length - 1)) % options.length;
      options[active].className = "active";
    } else if (event.key === "Enter" || event.key === "Tab") {
      event.preventDefault();
      pick(active);
    } else if (event.key === "Escape") {
      close();
    }
  });

  document.addEventListener("focusout", function (event) {
    if (event.target === target) { setTimeout(close, 100); }
  });
})();
