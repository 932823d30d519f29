// Vigie's base map, shared by the dealing points' maps (`points.js`) and the operation picker
// (`operations.js`): Vigie's own département and commune outlines from `/api/v1/geo/layers/...`,
// no tile server. Exposes `window.VigieFond`:
//
// - `baseMap(element)`: a Leaflet map in `element` with the outlines (the départements named in
//   its `data-zones`, space-separated codes, drawn bolder) and a `points` pane for what is drawn
//   above them. Returns `{ map, national, zoneBounds }`: `national` resolves to the national
//   layer at zoom 6 (or null), `zoneBounds(layer)` gives the bounds of the zone's départements.
//   While outlines are being fetched, `element.dataset.fondEnCours` counts the requests in flight
//   ("0" once the outlines of the current view are drawn), so tests and screenshots can wait for it.
// - `getJson(url)`: a same-origin GET resolving to `{ ok, body }`.
// - `METROPOLE`: the bounds of metropolitan France.
(function () {
  'use strict';
  if (!window.L) { return; }

  var METROPOLE = [[41.3, -5.2], [51.1, 9.6]];
  var COMMUNES_FROM_ZOOM = 10;

  function getJson(url) {
    return fetch(url, { credentials: 'same-origin', headers: { accept: 'application/json, application/geo+json' } })
      .then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      });
  }

  // The map with Vigie's outlines: all départements up to zoom 8 (cached by the browser), closer
  // only those in view, and the communes from zoom 10, as on the map page. `national` resolves to
  // the national layer at zoom 6, for fitting the view to a zone.
  function baseMap(element) {
    var map = L.map(element, { minZoom: 3, maxZoom: 16, zoomSnap: 1, attributionControl: false });
    // The points above the outlines, which are redrawn at every move.
    map.createPane('points').style.zIndex = 450;
    var zones = (element.getAttribute('data-zones') || '').split(' ').filter(Boolean);
    var departements = L.geoJSON(null, {
      interactive: false,
      style: function (feature) {
        var mine = feature && feature.properties && zones.indexOf(feature.properties.code) !== -1;
        return { color: '#000091', weight: mine ? 2.4 : 1.2, fillColor: '#fbfbf8', fillOpacity: 0.9 };
      }
    }).addTo(map);
    var communes = L.geoJSON(null, {
      interactive: false,
      style: { color: '#6a6af4', weight: 0.7, fill: false }
    }).addTo(map);
    var NATIONAL_MAX_ZOOM = 8;
    var loadedZoom = null;
    var departementsRequest = 0;
    var communesRequest = 0;
    var inFlight = 0;
    element.dataset.fondEnCours = '0';
    // `getJson` for the outlines, counted in `data-fond-en-cours` while in flight.
    function getOutlines(url) {
      inFlight += 1;
      element.dataset.fondEnCours = String(inFlight);
      var settle = function () {
        inFlight -= 1;
        element.dataset.fondEnCours = String(inFlight);
      };
      var answer = getJson(url);
      answer.then(settle, settle);
      return answer;
    }
    function viewBbox() {
      var b = map.getBounds();
      return [
        Math.max(b.getWest(), -180), Math.max(b.getSouth(), -90),
        Math.min(b.getEast(), 180), Math.min(b.getNorth(), 90)
      ].map(function (v) { return v.toFixed(4); }).join(',');
    }
    map.on('moveend', function () {
      var zoom = map.getZoom();
      var url = null;
      if (zoom > NATIONAL_MAX_ZOOM) {
        url = '/api/v1/geo/layers/departements?zoom=' + zoom + '&bbox=' + viewBbox();
      } else if (zoom !== loadedZoom) {
        url = '/api/v1/geo/layers/departements?zoom=' + zoom;
      }
      if (url) {
        loadedZoom = zoom;
        var request = ++departementsRequest;
        getOutlines(url).then(function (answer) {
          if (!answer.ok || request !== departementsRequest) { return; }
          departements.clearLayers();
          departements.addData(answer.body);
        }).catch(function () {});
      }
      var asked = ++communesRequest;
      if (zoom < COMMUNES_FROM_ZOOM) { communes.clearLayers(); return; }
      getOutlines('/api/v1/geo/layers/communes?zoom=' + zoom + '&bbox=' + viewBbox()).then(function (answer) {
        if (asked !== communesRequest) { return; }
        communes.clearLayers();
        if (answer.ok) { communes.addData(answer.body); }
      }).catch(function () {});
    });
    var national = getOutlines('/api/v1/geo/layers/departements?zoom=6').then(function (answer) {
      return answer.ok ? answer.body : null;
    }).catch(function () { return null; });
    // The bounds of the zone's départements, if any.
    function zoneBounds(layer) {
      if (!layer || zones.length === 0) { return null; }
      var mine = L.geoJSON(layer, {
        filter: function (feature) { return zones.indexOf(feature.properties.code) !== -1; }
      });
      return mine.getLayers().length > 0 ? mine.getBounds() : null;
    }
    return { map: map, national: national, zoneBounds: zoneBounds };
  }

  window.VigieFond = { baseMap: baseMap, getJson: getJson, METROPOLE: METROPOLE };
})();
