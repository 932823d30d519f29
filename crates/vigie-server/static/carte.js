// The map page: département outlines for the national view, commune outlines from zoom 10, all from
// Vigie's own geography API (no tile server); a click tells the commune, département, CROSS, OFAST
// antenna and defence zone. The view is kept in the address (#zoom/lat/lon) so it can be shared.
(function () {
  'use strict';
  var element = document.getElementById('carte');
  var panel = document.getElementById('lieu');
  if (!element || !window.L) { return; }

  var COMMUNES_FROM_ZOOM = 10;
  var map = L.map(element, { minZoom: 3, maxZoom: 16, zoomSnap: 1, worldCopyJump: false, attributionControl: false });
  // An external base layer, when the deployment configured one (off by default).
  var tiles = element.getAttribute('data-fond');
  if (tiles) { L.tileLayer(tiles, { maxZoom: 18, crossOrigin: false }).addTo(map); }
  var departements = L.geoJSON(null, {
    interactive: false,
    style: { color: '#000091', weight: 1.4, fillColor: '#fbfbf8', fillOpacity: tiles ? 0 : 0.9 }
  }).addTo(map);
  var communes = L.geoJSON(null, {
    interactive: false,
    style: { color: '#6a6af4', weight: 0.7, fill: false }
  }).addTo(map);
  var marker = null;
  var loadedDepartementsZoom = null;
  var pending = 0;
  var moving = false;

  // data-etat says "pret" once the view has stopped and its outlines and answers have arrived
  // (the end-to-end test waits on it).
  function busy(delta) {
    pending += delta;
    element.setAttribute('data-etat', pending > 0 || moving ? 'chargement' : 'pret');
  }

  function getJson(url) {
    busy(1);
    return fetch(url, { credentials: 'same-origin', headers: { accept: 'application/geo+json, application/json' } })
      .then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      })
      .finally(function () { busy(-1); });
  }

  // All of France up to zoom 8 (cached by the browser); closer, only the départements in view.
  var NATIONAL_MAX_ZOOM = 8;
  var departementsRequest = 0;
  function viewBbox() {
    var b = map.getBounds();
    return [
      Math.max(b.getWest(), -180), Math.max(b.getSouth(), -90),
      Math.min(b.getEast(), 180), Math.min(b.getNorth(), 90)
    ].map(function (v) { return v.toFixed(4); }).join(',');
  }

  function loadDepartements() {
    var zoom = map.getZoom();
    var url;
    if (zoom <= NATIONAL_MAX_ZOOM) {
      if (zoom === loadedDepartementsZoom) { return; }
      url = '/api/v1/geo/layers/departements?zoom=' + zoom;
    } else {
      url = '/api/v1/geo/layers/departements?zoom=' + zoom + '&bbox=' + viewBbox();
    }
    loadedDepartementsZoom = zoom;
    var request = ++departementsRequest;
    getJson(url).then(function (answer) {
      if (!answer.ok || request !== departementsRequest) { return; }
      departements.clearLayers();
      departements.addData(answer.body);
    });
  }

  var communesRequest = 0;
  function loadCommunes() {
    var zoom = map.getZoom();
    var request = ++communesRequest;
    if (zoom < COMMUNES_FROM_ZOOM) { communes.clearLayers(); return; }
    getJson('/api/v1/geo/layers/communes?zoom=' + zoom + '&bbox=' + viewBbox()).then(function (answer) {
      if (request !== communesRequest) { return; } // a newer view replaced this one
      communes.clearLayers();
      if (answer.ok) { communes.addData(answer.body); }
    });
  }

  function text(tag, value, className) {
    var node = document.createElement(tag);
    node.textContent = value;
    if (className) { node.className = className; }
    return node;
  }

  function show(lat, lon, answer) {
    panel.replaceChildren();
    var where = lat.toFixed(5) + ', ' + lon.toFixed(5);
    if (!answer.ok) {
      var error = answer.body && answer.body.error;
      panel.appendChild(text('p', (error && error.message) || 'La localisation a échoué.', 'fr-error-text'));
      return;
    }
    if (!answer.body.in_france) {
      panel.appendChild(text('p', 'Hors de France (en mer ou à l\u2019étranger) : ' + where));
      panel.setAttribute('data-commune', '');
      return;
    }
    var l = answer.body.location;
    var rows = [
      ['Coordonnées', where],
      ['Commune', l.commune.name + ' (' + l.commune.code + ')'],
    ];
    if (l.arrondissement) { rows.push(['Arrondissement', l.arrondissement.name]); }
    rows.push(
      ['Département', l.departement.name + ' (' + l.departement.code + ')'],
      ['Région', l.region.name],
      ['CROSS', l.cross.name],
      ['Antenne de l\u2019OFAST', l.antenna.name],
      ['Zone de défense et de sécurité', l.zone.name]
    );
    var list = document.createElement('dl');
    rows.forEach(function (row) {
      list.appendChild(text('dt', row[0]));
      list.appendChild(text('dd', row[1]));
    });
    panel.appendChild(list);
    panel.setAttribute('data-commune', l.commune.code);
  }

  function locate(latlng) {
    var point = latlng.wrap();
    if (marker) { marker.setLatLng(point); } else { marker = L.marker(point, { keyboard: false }).addTo(map); }
    busy(1);
    fetch('/api/v1/geo/locate', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ lat: point.lat, lon: point.lng })
    })
      .then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      })
      .then(function (answer) { show(point.lat, point.lng, answer); })
      .catch(function () { show(point.lat, point.lng, { ok: false, body: null }); })
      .finally(function () { busy(-1); });
  }

  function viewFromHash() {
    var parts = window.location.hash.replace('#', '').split('/').map(Number);
    if (parts.length === 3 && parts.every(isFinite)) { return parts; }
    return null;
  }

  // Metropolitan France and Corsica.
  var METROPOLE = [[41.3, -5.2], [51.1, 9.6]];

  function setView(view) {
    if (view === 'metropole') { map.fitBounds(METROPOLE); } else { map.setView([view[1], view[2]], view[0]); }
  }

  map.on('movestart', function () { moving = true; busy(0); });
  map.on('moveend', function () {
    moving = false;
    busy(0);
    loadDepartements();
    loadCommunes();
    var c = map.getCenter();
    var hash = '#' + map.getZoom() + '/' + c.lat.toFixed(4) + '/' + c.lng.toFixed(4);
    if (window.location.hash !== hash) { window.history.replaceState(null, '', hash); }
    element.setAttribute('data-vue', hash.slice(1));
  });
  map.on('click', function (event) { locate(event.latlng); });
  // Keyboard: arrows move the map, + and - zoom (Leaflet), Enter locates the centre of the view.
  element.addEventListener('keydown', function (event) {
    if (event.key === 'Enter') { locate(map.getCenter()); }
  });

  document.querySelectorAll('#territoires [data-vue]').forEach(function (button) {
    button.addEventListener('click', function () {
      var view = button.getAttribute('data-vue');
      setView(view === 'metropole' ? view : view.split('/').map(Number));
    });
  });

  // A view pasted or edited in the address bar.
  window.addEventListener('hashchange', function () {
    var view = viewFromHash();
    if (view) { setView(view); }
  });

  setView(viewFromHash() || 'metropole');
})();
