/* The pipeline board (issue 16): drag a card to another stage (SortableJS), or choose the
   stage in the card's menu. Won and Lost first ask for the won amount / the lost reason in a
   dialog; the other stages are saved at once (htmx), the card swapped for the saved one. */
(function () {
  "use strict";
  var dialog = document.getElementById("stage-dialog");
  var form = document.getElementById("stage-dialog-form");
  var words = document.getElementById("stage-words");

  function send(card, stage, extra) {
    var values = Object.assign({ stage: stage }, extra || {});
    return htmx.ajax("POST", card.dataset.url, {
      target: "#" + card.id, swap: "outerHTML", values: values
    });
  }

  function ask(card, stage) {
    form.action = card.dataset.url;
    document.getElementById("stage-dialog-stage").value = stage;
    document.getElementById("stage-dialog-title").textContent =
      card.querySelector(".card-title").textContent + " → " + (stage === "won" ? words.dataset.won : words.dataset.lost);
    form.querySelector(".stage-won").hidden = stage !== "won";
    form.querySelector(".stage-lost").hidden = stage !== "lost";
    document.getElementById("stage-dialog-reason").required = stage === "lost";
    if (typeof dialog.showModal === "function") { dialog.showModal(); } else { form.submit(); }
  }

  function move(card, stage) {
    if (stage === card.dataset.stage) { return; }
    if (stage === "won" || stage === "lost") { ask(card, stage); } else { send(card, stage); }
  }

  if (dialog) {
    document.getElementById("stage-dialog-cancel").addEventListener("click", function () {
      dialog.close();
      window.location.reload(); // the card goes back where it was
    });
  }

  document.querySelectorAll(".pipeline-cards").forEach(function (list) {
    if (typeof Sortable === "undefined") { return; }
    Sortable.create(list, {
      group: "pipeline", animation: 120, draggable: ".pipeline-card[data-movable]", forceFallback: true,
      filter: "select, button, input, a", preventOnFilter: false, delay: 150, delayOnTouchOnly: true,
      onAdd: function (event) { move(event.item, event.to.dataset.stage); }
    });
  });

  // The card's menu: Won and Lost go through the dialog too (htmx posts the others).
  document.body.addEventListener("submit", function (event) {
    var menu = event.target.closest(".stage-menu");
    if (!menu || !dialog) { return; }
    var stage = menu.querySelector("select[name=stage]").value;
    if (stage === "won" || stage === "lost") {
      event.preventDefault();
      event.stopPropagation();
      ask(menu.closest(".pipeline-card"), stage);
    }
  }, true);

  // A card saved in another stage (its menu) goes to that stage's column.
  document.body.addEventListener("htmx:afterSettle", function () {
    document.querySelectorAll(".pipeline-card").forEach(function (node) {
      var column = document.querySelector('.pipeline-cards[data-stage="' + node.dataset.stage + '"]');
      if (column && node.parentElement !== column) { column.prepend(node); }
    });
  });
})();
