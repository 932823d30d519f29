// The operation declaration's map (`#carte-operation`, on /operations): a place picker over Vigie's
// own outlines (`baseMap` in fond-carte.js, loaded first; no tile server). The block that holds it
// is hidden until this script shows it: without JavaScript, the latitude and longitude are typed.
//
// - A click on the map, or dragging the marker, fills the two inputs named by `data-saisie`; typing
//   in them moves the marker. A circle shows the radius typed in the input named by `data-rayon`,
//   updated as it is typed.
// - The unit's own operations still to come on the calendar shown (cards with `data-carte-lat`,
//   `data-carte-lon`, `data-carte-rayon`, `data-carte-quand`, `data-carte-intitule`) are drawn as
//   dashed circles, with a popup on their centre. Other units' operations are never drawn: the
//   page only says which unit to call and the common window.
// - "Centrer sur une commune" looks communes up through `/api/v1/geo/communes/search` and fits the
//   map to the commune's outline (from the communes layer of its département), or to the
//   département when the outline is not found.
//
// `#carte-operation` says `data-etat="pret"` once drawn, `data-operations` (own operations drawn)
// and, after a search, `data-commune` (the INSEE code the map was centred on).
(function () {
  'use strict';
  var element = document.getElementById('carte-operation');
  if (!element || !window.L || !window.VigieFond || !window.fetch) { return; }
  var ids = (element.getAttribute('data-saisie') || '').split(' ');
  var latInput = document.getElementById(ids[0] || '');
  var lonInput = document.getElementById(ids[1] || '');
  var radiusInput = document.getElementById(element.getAttribute('data-rayon') || '');
  if (!latInput || !lonInput) { return; }

  // Shown before the map is made, so that Leaflet measures its container.
  var block = document.getElementById('bloc-carte-operation');
  if (block) { block.hidden = false; }

  var base = window.VigieFond.baseMap(element);
  var map = base.map;
  var getJson = window.VigieFond.getJson;
  var PICK_COLOUR = '#ce0500';
  var OWN_COLOUR = '#0063cb';
  var MAX_COMMUNES_SPAN = 6;
  // Paris, Lyon and Marseille are drawn as their arrondissements: the prefix of their codes.
  var ARRONDISSEMENTS = { '75056': '751', '69123': '6938', '13055': '132' };

  function text(tag, value, className) {
    var node = document.createElement(tag);
    node.textContent = value;
    if (className) { node.className = className; }
    return node;
  }

  // A number as the server reads it: trimmed, a decimal comma accepted.
  function number(input) {
    var typed = input ? input.value.trim().replace(',', '.') : '';
    return typed === '' ? NaN : Number(typed);
  }

  function typedPlace() {
    var lat = number(latInput);
    var lon = number(lonInput);
    if (!isFinite(lat) || !isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) { return null; }
    return L.latLng(lat, lon);
  }

  function typedRadius() {
    var radius = number(radiusInput);
    return isFinite(radius) && radius > 0 && radius <= 100000 ? radius : 0;
  }

  // ---- The place being declared: a marker that can be dragged, and its radius.
  var marker = null;
  var area = null;

  function fill(at) {
    latInput.value = at.lat.toFixed(5);
    lonInput.value = at.lng.toFixed(5);
  }

  function place(at) {
    if (marker) {
      marker.setLatLng(at);
      area.setLatLng(at);
    } else {
      area = L.circle(at, {
        pane: 'points',
        radius: typedRadius(),
        interactive: false,
        className: 'vigie-rayon',
        color: PICK_COLOUR,
        weight: 2,
        fillColor: PICK_COLOUR,
        fillOpacity: 0.15
      }).addTo(map);
      marker = L.marker(at, { draggable: true, keyboard: false, title: 'Centre de l\'opération (déplaçable)', alt: 'Centre de l\'opération' }).addTo(map);
      marker.on('drag', function () { area.setLatLng(marker.getLatLng()); });
      marker.on('dragend', function () {
        var at = marker.getLatLng().wrap();
        marker.setLatLng(at);
        area.setLatLng(at);
        fill(at);
      });
    }
  }

  map.on('click', function (event) {
    var at = event.latlng.wrap();
    place(at);
    fill(at);
  });

  // Typing moves the marker; leaving the field brings it into view.
  function fromInputs(bring) {
    var at = typedPlace();
    if (!at) { return; }
    place(at);
    if (bring && !map.getBounds().contains(at)) { map.panTo(at); }
  }
  [latInput, lonInput].forEach(function (input) {
    input.addEventListener('input', function () { fromInputs(false); });
    input.addEventListener('change', function () { fromInputs(true); });
  });
  if (radiusInput) {
    radiusInput.addEventListener('input', function () {
      if (area) { area.setRadius(typedRadius()); }
    });
  }

  // ---- The unit's own operations still to come.
  function popup(card) {
    var box = document.createElement('div');
    box.className = 'vigie-popup';
    box.appendChild(text('p', card.getAttribute('data-carte-intitule') || '', 'fr-text--bold'));
    box.appendChild(text('p', card.getAttribute('data-carte-quand') || ''));
    box.appendChild(text('p', 'Rayon ' + (card.getAttribute('data-carte-rayon') || '?') + ' m'));
    if (card.id) {
      var line = document.createElement('p');
      var link = text('a', 'Voir dans le calendrier');
      link.href = '#' + card.id;
      line.appendChild(link);
      box.appendChild(line);
    }
    return box;
  }

  var ownBounds = null;
  var ownCount = 0;
  document.querySelectorAll('[data-carte-lat]').forEach(function (card) {
    var lat = Number(card.getAttribute('data-carte-lat'));
    var lon = Number(card.getAttribute('data-carte-lon'));
    var radius = Number(card.getAttribute('data-carte-rayon'));
    if (!isFinite(lat) || !isFinite(lon)) { return; }
    var at = L.latLng(lat, lon);
    radius = isFinite(radius) && radius > 0 ? radius : 0;
    // The area lets clicks through to the map (a new operation may be placed inside it); its
    // centre opens the popup.
    L.circle(at, {
      pane: 'points',
      radius: radius,
      interactive: false,
      color: OWN_COLOUR,
      weight: 1.5,
      dashArray: '6 4',
      fillColor: OWN_COLOUR,
      fillOpacity: 0.08
    }).addTo(map);
    L.circleMarker(at, {
      pane: 'points',
      radius: 6,
      color: '#161616',
      weight: 1.5,
      fillColor: OWN_COLOUR,
      fillOpacity: 0.9,
      bubblingMouseEvents: false
    }).bindPopup(function () { return popup(card); }).addTo(map);
    var bounds = at.toBounds(2 * Math.max(radius, 50));
    ownBounds = ownBounds ? ownBounds.extend(bounds) : bounds;
    ownCount += 1;
  });
  element.setAttribute('data-operations', String(ownCount));

  // ---- The first view: the place typed (a form sent back with errors), else the unit's
  // operations, else its départements, else metropolitan France.
  var start = typedPlace();
  if (start) {
    place(start);
    map.setView(start, 15);
  } else if (ownBounds) {
    map.fitBounds(ownBounds, { padding: [30, 30], maxZoom: 15 });
  } else {
    map.fitBounds(window.VigieFond.METROPOLE);
  }
  base.national.then(function (layer) {
    if (!start && !ownBounds) {
      var zone = base.zoneBounds(layer);
      if (zone) { map.fitBounds(zone); }
    }
    element.setAttribute('data-etat', 'pret');
  });

  // ---- Centring on a commune.
  var searchInput = document.getElementById('commune-carte');
  var searchButton = document.getElementById('centrer-commune');
  var list = document.getElementById('communes-carte');
  var message = document.getElementById('commune-carte-message');
  if (!searchInput || !searchButton) { return; }
  var known = {};
  var has = function (label) { return Object.prototype.hasOwnProperty.call(known, label); };
  var timer = null;
  var last = '';

  function say(value, error) {
    if (!message) { return; }
    message.textContent = value;
    message.className = 'fr-message fr-mt-1w' + (error ? ' fr-message--error' : ' fr-message--info');
  }

  // Posted, so that the words typed stay out of URLs and logs.
  function search(query) {
    return fetch('/api/v1/geo/communes/search', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ q: query, limit: 8 })
    })
      .then(function (response) { return response.ok ? response.json() : { communes: [] }; })
      .then(function (body) {
        var communes = body.communes || [];
        communes.forEach(function (commune) { known[commune.label] = commune; });
        return communes;
      });
  }

  function suggest(query) {
    if (query === last) { return; }
    last = query;
    search(query).then(function (communes) {
      if (searchInput.value.trim() !== query || !list) { return; }
      list.textContent = '';
      communes.forEach(function (commune) {
        var option = document.createElement('option');
        option.value = commune.label;
        if (commune.postcodes && commune.postcodes.length) {
          option.textContent = commune.postcodes.slice(0, 4).join(', ');
        }
        list.appendChild(option);
      });
    }).catch(function () { last = ''; });
  }

  function bbox(bounds) {
    return [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()]
      .map(function (v) { return v.toFixed(4); }).join(',');
  }

  // The outline of the commune among those of its département: itself, else the commune it
  // belongs to (a former commune), else its arrondissements. Null when none is found.
  function outline(layer, commune) {
    var tests = [
      function (code) { return code === commune.code; },
      function (code) { return !!commune.commune && code === commune.commune; },
      function (code) {
        var prefix = ARRONDISSEMENTS[commune.commune || commune.code];
        return !!prefix && code.indexOf(prefix) === 0;
      }
    ];
    for (var i = 0; i < tests.length; i += 1) {
      var test = tests[i];
      var found = L.geoJSON(layer, {
        pane: 'points',
        interactive: false,
        style: { color: PICK_COLOUR, weight: 2, opacity: 0.7, fill: false },
        filter: function (feature) { return test(String(feature.properties.code)); }
      });
      if (found.getLayers().length > 0) { return found; }
    }
    return null;
  }

  // The commune found last, outlined until the next search.
  var highlighted = null;

  function centre(commune) {
    say('Recherche de ' + commune.label + '…', false);
    base.national.then(function (layer) {
      var departement = layer ? L.geoJSON(layer, {
        filter: function (feature) { return feature.properties.code === commune.departement; }
      }) : null;
      if (!departement || departement.getLayers().length === 0) { return null; }
      var bounds = departement.getBounds();
      var span = Math.max(bounds.getEast() - bounds.getWest(), bounds.getNorth() - bounds.getSouth());
      if (span > MAX_COMMUNES_SPAN) { return { bounds: bounds, exact: false }; }
      return getJson('/api/v1/geo/layers/communes?zoom=10&bbox=' + bbox(bounds)).then(function (answer) {
        var own = answer.ok ? outline(answer.body, commune) : null;
        return { bounds: own ? own.getBounds() : bounds, layer: own, exact: !!own };
      }).catch(function () { return { bounds: bounds, exact: false }; });
    }).then(function (found) {
      if (!found) {
        say('Impossible de situer ' + commune.label + ' sur la carte : saisissez les coordonnées.', true);
        return;
      }
      if (highlighted) { map.removeLayer(highlighted); }
      highlighted = found.layer ? found.layer.addTo(map) : null;
      map.fitBounds(found.bounds, { padding: [10, 10], maxZoom: 15 });
      element.setAttribute('data-commune', commune.code);
      say((found.exact
        ? 'Carte centrée sur ' + commune.label
        : 'Contour de ' + commune.label + ' introuvable : carte centrée sur son département (' + commune.departement_name + ')') +
        ' ; cliquez sur le lieu de l\'opération.', false);
    }).catch(function () {
      say('La carte n\'a pas pu être centrée : réessayez.', true);
    });
  }

  function go() {
    window.clearTimeout(timer);
    var typed = searchInput.value;
    var query = typed.trim();
    if (has(typed)) { centre(known[typed]); return; }
    if (query.length < 2) { say('Saisissez au moins deux caractères.', true); return; }
    search(query).then(function (communes) {
      if (communes.length === 0) {
        say('Aucune commune ne correspond à « ' + query + ' ».', true);
        return;
      }
      centre(communes[0]);
    }).catch(function () {
      say('La recherche n\'a pas abouti : réessayez.', true);
    });
  }

  searchInput.addEventListener('input', function () {
    window.clearTimeout(timer);
    // A suggestion chosen in the list: centre at once.
    if (has(searchInput.value)) { centre(known[searchInput.value]); return; }
    var query = searchInput.value.trim();
    if (query.length < 2) { return; }
    timer = window.setTimeout(function () { suggest(query); }, 200);
  });
  // Enter centres the map rather than sending the declaration.
  searchInput.addEventListener('keydown', function (event) {
    if (event.key === 'Enter') {
      event.preventDefault();
      go();
    }
  });
  searchButton.addEventListener('click', go);
})();
