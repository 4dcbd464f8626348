// The report's map: shows the frame of the date chosen with the slider or a key-date button
// (the last frame on or before that day), and outlines the members of the organisation or
// treaty chosen. The data is the JSON in #map-data; every text goes in as text, never as HTML.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("map-data").textContent);
  var slider = document.getElementById("map-day");
  var group = document.getElementById("map-group");
  var current = null;

  function frameAt(day) {
    var found = data.frames[0];
    for (var i = 0; i < data.frames.length; i++) {
      if (data.frames[i].day <= day) found = data.frames[i];
    }
    return found;
  }

  function text(id, value) {
    var element = document.getElementById(id);
    if (element) element.textContent = value;
  }

  function show(day) {
    var frame = frameAt(day);
    current = frame;
    var chosen = [];
    if (group) chosen = frame.groups[group.value] || [];
    Object.keys(frame.actors).forEach(function (id) {
      var a = frame.actors[id];
      var g = document.getElementById("map-st-" + id);
      if (!g) return;
      g.setAttribute("class", a.class + (chosen.indexOf(id) >= 0 ? " member" : ""));
      g.querySelector("title").textContent = a.title;
      text("map-mark-" + id, a.mark);
    });
    var shown = {};
    frame.links.forEach(function (l) { shown[l[0]] = l[1]; });
    var links = document.querySelectorAll("#map-svg g.link");
    for (var i = 0; i < links.length; i++) {
      var n = Number(links[i].id.slice("map-link-".length));
      if (Object.prototype.hasOwnProperty.call(shown, n)) {
        links[i].removeAttribute("display");
        links[i].querySelector("text").textContent = shown[n];
      } else {
        links[i].setAttribute("display", "none");
      }
    }
    var date = data.dates[day] || "";
    text("map-date", date + " (day " + day + ")");
    text("map-svg-date", date + " (day " + day + ")");
    text("map-svg-title", "Map of the scenario's states on " + date);
    text("map-text-date", "On " + date);
    var list = document.getElementById("map-lines");
    while (list.firstChild) list.removeChild(list.firstChild);
    frame.lines.forEach(function (line) {
      var li = document.createElement("li");
      li.textContent = line;
      list.appendChild(li);
    });
  }

  slider.addEventListener("input", function () { show(Number(slider.value)); });
  var buttons = document.querySelectorAll("#map-controls button[data-day]");
  for (var i = 0; i < buttons.length; i++) {
    buttons[i].addEventListener("click", function (event) {
      slider.value = event.currentTarget.getAttribute("data-day");
      show(Number(slider.value));
    });
  }
  if (group) group.addEventListener("change", function () { show(Number(slider.value)); });
  show(Number(slider.value));
  window.casusMap = { show: show, frame: function () { return current; } };
})();
